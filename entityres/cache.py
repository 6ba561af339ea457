"""The on-disk cache: compiled indexes, loaded gazetteers and word-frequency tables.

Everything cached is keyed by content (see :func:`rules_digest`), so a stale file is never used:
a change of the package version, of the cache layout, of a rule table or of the data gives a new
key. A file that cannot be read is rebuilt; one that cannot be written only costs the next start.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

from . import __version__
from .text import tables

CACHE_FORMAT = 6  # bump when the index or the pickled gazetteer changes shape


def cache_dir() -> Path:
    """``$ENTITYRES_CACHE_DIR``, else ``$XDG_CACHE_HOME/entityres``, else ``~/.cache/entityres``."""
    if os.environ.get("ENTITYRES_CACHE_DIR"):
        return Path(os.environ["ENTITYRES_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "entityres"


def rules_digest(content: str) -> str:
    """A cache key for ``content`` under this version of the package, its cache layout and rule tables."""
    digest = hashlib.sha256(f"{__version__}\0{CACHE_FORMAT}\0{content}".encode())
    for name in ("script", "affixes", "readings", "keys", "cues", "name_parts"):
        digest.update(json.dumps(tables.load(name), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:24]


def read_cache(path: Path | None) -> object | None:
    """The object pickled at ``path``; None when absent or unreadable (it is then rebuilt, never trusted)."""
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except Exception:
        return None


def write_cache(path: Path, obj: object) -> None:
    """Pickle ``obj`` to ``path`` atomically; a read-only or full disk only costs the next start its speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
