"""Linguistic tables shipped with the package (YAML under ``entityres/resources``).

Rules are data so that a linguist can read and extend them without touching code; each module
that applies a table loads it from here once.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

# libyaml's loader when PyYAML has it: the same safe subset, about 8 times faster at start-up.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """Parse ``entityres/resources/<name>.yaml`` (cached: tables are read-only)."""
    text = resources.files("entityres").joinpath("resources").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
