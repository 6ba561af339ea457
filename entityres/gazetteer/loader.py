"""Loading the gazetteer: the bundled files, the user's files, and the rules that merge them.

Merge rules (docs/gazetteer.md):

* Files load in order: the bundled data (sorted by path), then each user path as given (a folder
  contributes its ``*.yaml``/``*.yml`` files, sorted).
* A user entry whose ID the bundled data already has **extends** it: its names are added to the
  bundled names (duplicates once), and every other field it sets overrides the bundled value. With
  ``replace: true`` it replaces the bundled entry instead. Either way an ``override`` issue says so.
* An ID defined twice within one layer (twice in the bundled data, or twice among the user's files)
  is a ``duplicate_id`` error: the second definition still extends the first, so nothing is lost,
  but ``entityres gazetteer check`` fails until it is fixed.
* One alias claimed by several entries is kept on all of them and reported as ``shared_alias``;
  the index marks it ambiguous so the matcher can weigh it.
* A ``parent``, ``capital`` or ``country`` naming no entry is a ``dangling_reference`` error.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import stat
import threading
import time
from array import array
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, Iterable, Iterator, Mapping, NamedTuple, Sequence

import msgpack
from pydantic import ValidationError

from ..memo import once
from ..cache import U32, CacheFormatError, cache_dir, cache_path, expect, is_bytes, max_bytes, owned, pack_u32, read_cache, str_list, str_map, u32_array, write_cache
from .entries import Entries, StoredEntry, made, stored
from ._index import Keys, Texts, checked_ends
from .index import PROGRESS_ENTRIES, Index, Keyed, keys_data, progress_bar, read_keys, read_texts, shared_aliases, texts_data
from . import block_yaml
from .schema import Entry, GazetteerFile
from .yaml_source import SourceError, decode, field_name, line_of, load_yaml, read_source

if TYPE_CHECKING:
    from .results import Match

REFERENCE_FIELDS = ("parent", "capital", "country")
log = logging.getLogger(__name__)


class GazetteerError(ValueError):
    """A gazetteer file that cannot be loaded; ``errors`` lists every problem found.

    With ``strict=True``, error-level merge issues (:class:`Issue`) raise it too, printed as
    ``entityres gazetteer check`` prints them.
    """

    def __init__(self, errors: "list[SourceError] | list[Issue]"):
        self.errors = errors
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__("\n".join(str(e) for e in errors[:20]) + more)


@dataclass(frozen=True)
class Issue:
    """Something the loader noticed: ``error`` issues fail ``gazetteer check``; ``info`` ones do not."""

    kind: str  # duplicate_id, override, shared_alias, dangling_reference
    severity: str  # error | info
    entry_id: str
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        return f"{where}{self.severity}: {self.kind}: {self.entry_id}: {self.message}"


class IssueColumns(NamedTuple):
    """A cached gazetteer's issues as the file holds them, column by column, each made into an
    :class:`Issue` when asked for (:attr:`Gazetteer.issues`): making the 40,000 of a 258,000-entry
    import was an eighth of its cached start, and a start asks only for the errors."""

    kinds: list[str]
    severities: list[str]
    entry_ids: list[str]
    messages: list[str]
    files: list[str | None]
    lines: list[int | None]

    def made(self, rows: Iterable[int] | None = None) -> list[Issue]:
        """The issues of ``rows`` (every one by default), made."""
        if rows is None:
            return list(map(Issue, *self))
        return [Issue(*(column[n] for column in self)) for n in rows]


def _pydantic_message(err: dict) -> str:
    kind = err["type"]
    if kind == "string_type":
        return "expected a string"
    if kind in ("dataclass_type", "dict_type") and err["loc"][-1:] and isinstance(err["loc"][-1], int):
        return "expected a name (a string, or a mapping with name and source)"
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):  # a model's, an alias's (a dataclass)
        return "unknown field"
    if kind == "missing":
        return "missing required field"
    return err["msg"].removeprefix("Value error, ")


def read_file(path: str | Path, text: str | None = None, progress: bool | None = None) -> list[tuple[Entry, int]]:
    """Validate one gazetteer file: its entries with their line numbers.

    Raises :class:`GazetteerError` naming the file, line and field of every problem. Files in plain
    block YAML are read by :mod:`.block_yaml` (fast); others, and any file with an error (for the
    line of each), by PyYAML. A large file shows a progress bar on a terminal (``progress=None``).
    """
    return _read_file(path, text, progress, lambda entry: entry)


def _read_file(path: str | Path, text: str | None, progress: bool | None,
               hold: Callable[[Entry], Entry | StoredEntry] = stored) -> list[tuple]:
    """:func:`read_file`, each entry kept as ``hold`` gives it: by default as a gazetteer holds it
    (:class:`StoredEntry`), so that the models of a large file are not all kept while it is read."""
    name = str(path)
    try:
        text = decode(path, read_source(path)) if text is None else text
    except SourceError as err:
        raise GazetteerError([err]) from None
    with gc_paused():
        fast = block_yaml.parse(text)
        if fast is not None:
            try:
                return _validate(name, *fast, progress, hold)
            except GazetteerError:
                pass  # read again by PyYAML, which knows the line of every field
        try:
            data, lines = load_yaml(path, text)
        except SourceError as err:
            raise GazetteerError([err]) from None
        return _validate(name, data, lines, progress, hold)


@contextmanager
def gc_paused(settle: bool = False) -> Iterator[None]:
    """Python's cycle collector paused while a gazetteer (or its index, or a resolver) is built.

    Loading makes millions of objects that all stay alive, and each collection walks all of them
    again: on a 258,000-entry file the collector took about half the time. Cycles made meanwhile
    are collected when it resumes. (The collector is process-wide: other threads run without it
    for as long.)

    With ``settle`` (what is built lives as long as the process uses it), everything alive at the
    end is kept out of the collector's sight (``gc.freeze``): each full collection while matching
    walked the index again (at 100,000 entries, up to half of match()'s time). One collection runs
    first, over what existed before (so that no earlier garbage is frozen); the loading itself makes
    almost none (40 objects in cycles, loading the bundled gazetteer, its index and the tagger, from
    the cache or compiled), and it is frozen with the rest. Frozen objects are still freed when
    nothing refers to them; only a reference cycle among them outlives its last outside reference.
    Collecting after the loading instead walked everything loaded, twice (the collection that
    resuming triggers, then the full one): 0.13 s of a 0.9 s start. Nothing is collected or frozen
    when the collector was already off (an outer pause settles).
    """
    enabled = gc.isenabled()
    if settle and enabled:
        gc.collect()
    gc.disable()
    try:
        yield
        if settle and enabled:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()


def _validate(name: str, data: object, lines: dict, progress: bool | None,
              hold: Callable[[Entry], Entry | StoredEntry]) -> list[tuple]:
    if data is None:
        data = {"entries": []}
    if isinstance(data, list):  # a bare list of entries is accepted too
        data, lines = {"entries": data}, {("entries",) + k: v for k, v in lines.items()}
    if not isinstance(data, dict):
        raise GazetteerError([SourceError(name, 1, "", "expected a mapping with 'entries' (see docs/gazetteer.md)")])
    entries = data.get("entries")
    errors: list[SourceError] = []
    try:  # the file's own fields; its entries one by one below, so a bar can follow them
        GazetteerFile.model_validate({**data, "entries": []} if isinstance(entries, list) else data)
    except ValidationError as exc:
        errors.extend(_errors(name, data, lines, exc, ()))
    if not isinstance(entries, list):
        raise GazetteerError(errors)
    context = {"source": data["source"] if isinstance(data.get("source"), str) else None}
    out = []
    show = progress if progress is not None else None if len(entries) > PROGRESS_ENTRIES else False
    for i, raw in enumerate(progress_bar(entries, Path(name).name, show)):
        try:
            out.append((hold(Entry.model_validate(raw, context=context)), lines.get(("entries", i), 0)))
        except ValidationError as exc:
            errors.extend(_errors(name, data, lines, exc, ("entries", i)))
    if errors:
        raise GazetteerError(errors)
    return out


def _errors(name: str, data: dict, lines: dict, exc: ValidationError, prefix: tuple) -> list[SourceError]:
    errors = []
    for err in exc.errors():
        loc = prefix + tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        field = field_name(loc)
        if loc[:1] == ("entries",) and len(loc) > 1 and isinstance(loc[1], int):
            entry = data["entries"][loc[1]] if isinstance(data.get("entries"), list) else None
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            field = field_name(loc[2:]) or "entry"
            if entry_id:
                field = f"{entry_id}: {field}"
        errors.append(SourceError(name, line_of(lines, loc), field, _pydantic_message(err)))
    return errors


def _files(path: str | Path) -> list[Path]:
    p = Path(path)
    if p.is_dir():
        return sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file())
    if not p.exists():
        raise GazetteerError([SourceError(str(p), None, "", "no such file or folder")])
    return [p]


def bundled_files() -> list[Path]:
    """The gazetteer files shipped with the package (or, in a source checkout, data/gazetteer)."""
    packaged = resources.files("entityres").joinpath("gazetteer_data")
    if packaged.is_dir():
        return _files(Path(str(packaged)))
    return _files(Path(__file__).resolve().parents[2] / "data" / "gazetteer")


def extend(base: Entry, extra: Entry) -> Entry:
    """``base`` extended by ``extra``: names added (duplicates once), other fields set by ``extra`` win."""
    if extra.replace:
        return extra.model_copy(update={"replace": False})
    names = {lang: list(aliases) for lang, aliases in base.names.items()}
    for lang, aliases in extra.names.items():
        kept = names.setdefault(lang, [])
        have = {a.name for a in kept}
        for alias in aliases:
            if alias.name not in have:
                have.add(alias.name)
                kept.append(alias)
    update = {f: getattr(extra, f) for f in extra.model_fields_set if f not in ("id", "names", "replace")}
    update["names"] = {lang: tuple(a) for lang, a in names.items()}
    return base.model_copy(update=update)


class Gazetteer:
    """An immutable set of entries with the issues found while loading them, and a matcher.

    The index (:mod:`entityres.gazetteer.index`) is compiled on first use, once, and cached on disk keyed
    by the entries' content. A gazetteer that extends another (the bundled one extended by a user's
    files) extends that one's index, compiling only the entries that differ.

    Entries are held compactly (:mod:`entityres.gazetteer.entries`) and each is made into an
    :class:`Entry` the first time it is asked for (``gz[id]``, iteration, a match or a result that
    returns it), the same object from then on; matching and resolving read the others as held.
    """

    _names: dict[tuple[str, str], str] | None = None  # built on first id_of_name()

    def __init__(self, entries: Iterable[Entry], issues: "Iterable[Issue] | IssueColumns" = (), cache: bool = True,
                 content_key: str | None = None, origin: "Origin | None" = None, bases: "tuple[Gazetteer, ...]" = ()):
        self._entries = Entries.of(entries)
        self._issues: tuple[Issue, ...] | IssueColumns = issues if isinstance(issues, IssueColumns) else tuple(issues)
        self._cache = cache
        self._content_key = content_key
        self._origin = origin  # where each entry was first defined, in the entries' order
        self._bases = bases  # gazetteers this one extends (by preference), until the index is built
        self._index: Index | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_bases"] = ()  # only shortcuts to the index
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @classmethod
    def from_entries(cls, entries: Iterable[dict | Entry], cache: bool = True) -> "Gazetteer":
        """A gazetteer from entries given in code (dicts in the file format, or :class:`Entry`)."""
        loader = _Loader()
        loader.add_layer(((stored(e if isinstance(e, Entry) else Entry.model_validate(e)), "<code>", i)
                          for i, e in enumerate(entries)), user=True)  # one at a time: a model not kept
        return loader.finish(cache)

    def extended(self, paths: Iterable[str | Path]) -> "Gazetteer":
        """This gazetteer extended by the user's files or folders, under the merge rules."""
        return _Loader.of(self).extended(_read_all(_sources([f for p in paths for f in _files(p)])), self._cache, self)

    # --- mapping of ID to entry
    def __getitem__(self, entry_id: str) -> Entry:
        return self._entries[self._entries.position[entry_id]]

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._entries.position

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, entry_id: str) -> Entry | None:
        return self._entries.get(entry_id)

    def id_of_name(self, name: str, type: str | None = None) -> str | None:
        """The ID of the entry whose ID, canonical or English name is ``name`` (any case), else None.

        The evaluation's link from a gold ``canonical`` to an ID; an ID wins, then the canonical
        name over another entry's English alias.
        """
        entry = self._entries.get(name)
        if entry is not None and type in (None, entry.type):
            return entry.id
        if self._names is None:
            names: dict[tuple[str, str], str] = {}
            for entry in self._entries.held():
                names.setdefault((entry.name.casefold(), entry.type), entry.id)
            for entry in self._entries.held():
                for alias in entry.names.get("en", ()):
                    names.setdefault((alias.name.casefold(), entry.type), entry.id)
            self._names = names
        types = (type,) if type else ("person", "place")
        return next((self._names[k] for t in types if (k := (name.casefold(), t)) in self._names), None)

    @property
    def issues(self) -> tuple[Issue, ...]:
        """What the loader noticed, in the order it noticed it."""
        if isinstance(self._issues, IssueColumns):
            self._issues = tuple(self._issues.made())
        return self._issues

    def errors(self) -> list[Issue]:
        if isinstance(self._issues, IssueColumns):  # the errors alone made: a large import has 40,000 infos
            return self._issues.made(n for n, s in enumerate(self._issues.severities) if s == "error")
        return [i for i in self._issues if i.severity == "error"]

    # --- index and matcher
    @property
    def index(self) -> "Index":
        """The compiled index (built on first use; thread-safe)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    # a base's index would be compiled first, only to be extended, unless cached
                    bases = [b for b in self._bases if self._cache or b._index is not None]
                    with gc_paused(settle=True):
                        self._index = Index.build(self._entries, self._cache, self._content_key,
                                                  [(b._entries, lambda b=b: b.index) for b in bases])
                    self._bases = ()
        return self._index

    def match(self, name: str, lang: str | None = None, type: str | None = None, limit: int = 5) -> list["Match"]:
        """Entries that ``name`` may be, best first; see :func:`entityres.gazetteer.match.match`."""
        from .match import match

        return match(self.index, name, lang=lang, type=type, limit=limit)


class Origin(NamedTuple):
    """Where each of a gazetteer's entries was first defined, in the entries' order: a file (by its
    place in ``files``) and a line. Two arrays, not a tuple per entry: a million entries keep it."""

    files: tuple[str, ...]
    file: array
    line: array


class _Loader:
    """Accumulates layers of entries under the merge rules of the module docstring."""

    FINISHING = ("dangling_reference", "shared_alias")  # issues of the whole set, found by finish()

    def __init__(self) -> None:
        self.entries: dict[str, Entry | StoredEntry] = {}  # as held (StoredEntry, or a cached layer's Entry)
        self.origin: dict[str, tuple[str, int]] = {}
        self.issues: list[Issue] = []
        self.mine: dict[str, tuple[str, int]] = {}  # where the user's layer so far first defined each ID
        self.keyed: Keyed = {}  # each entry's exact keys, found by finish()

    @classmethod
    def of(cls, gazetteer: Gazetteer, mine: Collection[str] = ()) -> "_Loader":
        """A loader that has loaded the layers of ``gazetteer``: its entries, where each was defined,
        and its layers' issues. ``mine``: those of its files that begin the user's layer, which the
        next files continue (:func:`_user_layers`), so an ID they define again is a duplicate."""
        loader = cls()
        loader.entries = dict(zip(gazetteer._entries.ids, gazetteer._entries.held()))
        origin = gazetteer._origin
        loader.origin = (dict(zip(loader.entries, zip(map(origin.files.__getitem__, origin.file), origin.line)))
                         if origin is not None else dict.fromkeys(loader.entries, ("<gazetteer>", 0)))
        loader.issues = [i for i in gazetteer.issues if i.kind not in cls.FINISHING]
        if mine:  # first defined in the user's files, or first extended there (its override issue)
            loader.mine = {i: at for i, at in loader.origin.items() if at[0] in mine}
            loader.mine.update((i.entry_id, (i.file, i.line)) for i in loader.issues
                               if i.kind == "override" and i.file in mine)
        return loader

    def extended(self, items: list[tuple[StoredEntry, str, int]], cache: bool, base: Gazetteer) -> Gazetteer:
        """The gazetteer of ``base``'s layers, loaded so far, and a user's layer ``items``."""
        self.add_layer(items, user=True)
        return self.finish(cache, bases=(base,))

    def add_layer(self, items: Iterable[tuple[Entry | StoredEntry, str, int]], user: bool) -> None:
        seen: dict[str, tuple[str, int]] = dict(self.mine) if user else {}
        for entry, file, line in items:
            prior = self.entries.get(entry.id)
            if entry.id in seen:
                first = seen[entry.id]
                self.issues.append(Issue("duplicate_id", "error", entry.id,
                                         f"defined again (first at {first[0]}:{first[1]}); merged into the first",
                                         file, line))
            elif prior is not None and user:
                base = self.origin[entry.id]
                how = "replaces" if entry.replace else "extends"
                self.issues.append(Issue("override", "info", entry.id, f"{how} the entry of {base[0]}:{base[1]}",
                                         file, line))
            at = (file, line)  # one tuple for both: a million entries keep them
            seen.setdefault(entry.id, at)
            self.entries[entry.id] = entry if prior is None else stored(extend(made(prior), made(entry)))
            self.origin.setdefault(entry.id, at)
        if user:
            self.mine = seen

    def finish(self, cache: bool, content_key: str | None = None, bases: tuple[Gazetteer, ...] = (),
               known: Sequence[Keyed] = ()) -> Gazetteer:
        for entry in self.entries.values():
            for field in REFERENCE_FIELDS:
                ref = getattr(entry, field)
                if ref is not None and ref not in self.entries:
                    file, line = self.origin[entry.id]
                    self.issues.append(Issue("dangling_reference", "error", entry.id,
                                             f"{field}: no entry {ref!r}", file, line))
        shared, self.keyed = shared_aliases(self.entries.values(), known)
        for alias, ids in shared:
            file, line = self.origin[ids[0]]
            self.issues.append(Issue("shared_alias", "info", ids[0], f"{alias!r} also names {', '.join(ids[1:])}",
                                     file, line))
        files = {f: n for n, f in enumerate(dict.fromkeys(f for f, _ in self.origin.values()))}
        origin = Origin(tuple(files), array(U32, (files[f] for f, _ in self.origin.values())),
                        array(U32, (line for _, line in self.origin.values())))
        return Gazetteer(self.entries.values(), self.issues, cache, content_key, origin, bases)


def load_gazetteer(paths: Iterable[str | Path] = (), bundled: bool = True, cache: bool = True,
                   strict: bool = False) -> Gazetteer:
    """Load the bundled gazetteer (unless ``bundled=False``) extended by the user's files or folders.

    A file that does not validate raises :class:`GazetteerError`. Error-level merge issues
    (duplicate IDs, dangling references) raise too with ``strict=True``, else they are logged
    (warning level, logger ``entityres``) and kept in ``Gazetteer.issues``.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = [f for p in paths for f in _files(p)]
    split = cache and cache_dir() is not None  # layers of their own only to be cached
    shipped = bundled_files() if bundled else []
    every = shipped + files
    seen = _stat_key(every, bundled) if split else None  # taken before any file is read
    # Settled: the entries, read or built, are frozen, so that the index's own pause
    # (Gazetteer.index) does not collect over them again: about 1 s of a 258,000-entry gazetteer's start.
    with gc_paused(settle=True):
        gazetteer = _unchanged(seen, every)
        if gazetteer is None:
            mine = _sources(files)
            layers = ([_sources(shipped)] if bundled else []) + (_user_layers(mine, max_bytes()) if split else [mine])
            layers = [files for files in layers if files] or [[]]
            gazetteer, _ = _layered(layers, bundled, cache)
            if seen is not None and gazetteer._content_key is not None:
                write_cache(cache_path("stat", seen), gazetteer._content_key)
    bad = gazetteer.errors()
    if bad and strict:
        raise GazetteerError(bad)
    for issue in bad:
        log.warning("%s", issue)
    return gazetteer


@once
def bundled_gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded once per process (shared by :func:`match` and :func:`entityres.resolve`)."""
    return load_gazetteer()


def match(name: str, lang: str | None = None, type: str | None = None, limit: int = 5) -> list["Match"]:
    """Entries of the bundled gazetteer that ``name`` may be, best first, each scored and explained.

    ``lang`` (fa, prs, fa-AF, ar, en...) picks the reading rules of the name's script; ``type``
    (person or place) restricts the entries. The first match is ``accepted`` when it reaches
    :data:`~entityres.gazetteer.match.MATCH_THRESHOLD` and no other entry ties with it
    (``ambiguous``). For a gazetteer of your own, use :meth:`Gazetteer.match`.
    """
    return bundled_gazetteer().match(name, lang=lang, type=type, limit=limit)


LAYER_BYTES = 8 * 1024 * 1024  # a user's file this large (an import: ~40,000 entries) is cached by itself
CACHE_PER_BYTE = 5  # bytes of cache (gazetteer and index) per byte of YAML: 274 MB for GeoNames' 58 MB


def _user_layers(files: list[tuple[Path, bytes]], room: int) -> list[list[tuple[Path, bytes]]]:
    """The user's files (with their bytes) as cache layers: a file of at least :data:`LAYER_BYTES`
    is one of its own, the files between such files one together. An edit of the files after a
    large one (a user's own names beside an imported GeoNames) then extends the large one's cached
    index instead of compiling it again. The merge rules see one layer (:meth:`_Loader.of`).
    ``room``: the cache folder's cap in bytes; a file whose layer and the one on top of it would
    not both fit is not split off (the folder would evict one, and each start compile it again)."""
    layers: list[list[tuple[Path, bytes]]] = [[]]
    for f, data in files:
        if LAYER_BYTES <= len(data) and 2 * CACHE_PER_BYTE * len(data) <= room:
            layers += [[(f, data)], []]
        else:
            layers[-1].append((f, data))
    return [files for files in layers if files]


def _sources(files: list[Path]) -> list[tuple[Path, bytes]]:
    """Each file with its bytes; every unreadable file is reported before raising."""
    out, errors = [], []
    for f in files:
        try:
            out.append((f, read_source(f)))
        except SourceError as err:
            errors.append(err)
    if errors:
        raise GazetteerError(errors)
    return out


def _read_all(files: list[tuple[Path, bytes]]) -> list[tuple[StoredEntry, str, int]]:
    """The entries of ``files`` (with their bytes); every error of every file is collected before raising."""
    items, errors = [], []
    for f, data in files:
        try:
            items.extend((entry, str(f), line) for entry, line in _read_file(f, decode(f, data), None))
        except SourceError as err:
            errors.append(err)
        except GazetteerError as err:
            errors.extend(err.errors)
    if errors:
        raise GazetteerError(errors)
    return items


def _layered(layers: list[list[tuple[Path, bytes]]], bundled: bool, cache: bool) -> tuple[Gazetteer, Keyed]:
    """The gazetteer of ``layers`` (files with their bytes; the bundled files first when ``bundled``),
    from the cache, else the gazetteer of all layers but the last (got the same way) extended by the
    last: after an edit of a user's file, the bundled layer is read from the cache, and its index
    extended (:attr:`Gazetteer.index`). With each entry's exact keys, which the layer above reuses.
    For a large layer, the cached version of the same files before their last edit
    (:func:`_previous`) gives its index to extend too, and the keys of the entries it holds
    unchanged: an edit of an imported file compiles the entries it changes."""
    # Keyed by the bytes of its files (read once: what is hashed is what is parsed), not their paths.
    digest = hashlib.sha256()
    for n, files in enumerate(layers):
        if n == len(layers) - 1:
            below = digest.hexdigest()
        for _, data in files:
            digest.update(f"{n}\0{len(data)}\0".encode())
            digest.update(data)  # not joined to the above: a copy of a 50 MB file
    key = digest.hexdigest()
    names = [str(f) for files in layers for f, _ in files]
    found = _cached(key, names, cache)
    if found is not None:
        return found
    # A large layer of the user's files by path (with the layers below by content): their last
    # version cached. (A small one extends the layer below it, or compiles in moments.)
    user = len(layers) > 1 or not bundled
    large = sum(len(data) for _, data in layers[-1]) >= LAYER_BYTES
    version = (cache_path("version", below + "\0" + "\0".join(names[len(names) - len(layers[-1]):]))
               if cache and user and large else None)
    previous = _previous(version, names, cache)
    if len(layers) > 1:
        base, known = _layered(layers[:-1], bundled, cache)
        mine = {str(f) for files in layers[1 if bundled else 0:-1] for f, _ in files}
        loader = _Loader.of(base, mine)
        bases = (base,)
    else:
        known, loader, bases = {}, _Loader(), ()
    loader.add_layer(_read_all(layers[-1]), user=user)
    keyed = [known]
    if previous is not None:  # the keys of its entries left as they were; its index tried first
        keyed.append(_share(previous.gazetteer, previous.keyed, loader.entries))
        bases = (previous.gazetteer, *bases) if previous.indexed else bases
    gazetteer = loader.finish(cache, key, bases, keyed)
    if cache:
        write_cache(cache_path("gazetteer", key), _encode(gazetteer, names, loader.keyed))
        write_cache(version, key)
    return gazetteer, loader.keyed


RACY_NS = 2_000_000_000  # a file changed this recently (ns) is read: its times may not show a change yet


def _stat_key(files: list[Path], bundled: bool) -> str | None:
    """What the file system says of ``files`` (device, inode, size, modified and changed times of
    each, in order), or None when one is not a regular file or was changed in the last
    :data:`RACY_NS`: the key of the content key they had when last loaded (:func:`_unchanged`).

    Any write, rename or copy over a file changes its changed time, which nothing can set back;
    but times tick only every few milliseconds, so a file changed twice within a tick would keep
    them: a file that recent is read, as git treats a "racily clean" file."""
    now = time.time_ns()
    parts = [f"{bundled}\0{max_bytes()}"]  # what decides the layers, beside the files' sizes
    for f in files:
        try:
            info = os.stat(f)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or now - max(info.st_mtime_ns, info.st_ctime_ns) < RACY_NS:
            return None
        parts.append(f"{f}\0{info.st_dev}\0{info.st_ino}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}")
    return "\n".join(parts)


def _unchanged(seen: str | None, files: list[Path]) -> Gazetteer | None:
    """The cached gazetteer of ``files`` when none has changed since they were last loaded (by
    :func:`_stat_key` ``seen``), without reading them: reading and hashing a 58 MB import were a
    quarter of its cached start. None when any may have changed, or nothing is cached."""
    key = read_cache(cache_path("stat", seen), _key) if seen is not None else None
    found = _cached(key, [str(f) for f in files], True)
    return None if found is None else found[0]


def _cached(key: str | None, names: list[str], cache: bool) -> tuple[Gazetteer, Keyed] | None:
    """The gazetteer cached under ``key``, of the files ``names``, with its entries' keys; None on
    a miss (or with no key, or ``cache`` off)."""
    path = cache_path("gazetteer", key) if key is not None and cache else None
    return read_cache(path, lambda data: _decode(data, names, cache, key, path))


def _share(old: Gazetteer, keyed: Keyed, entries: Mapping[str, Entry | StoredEntry]) -> Keyed:
    """``old``'s entries that ``entries`` holds unchanged replaced by those: one copy of each stays
    in memory while ``old``'s index is extended, and the extension finds them unchanged by identity;
    ``keyed`` (``old``'s keys) returned for the entries so shared, or left as they were."""
    shared: dict[str, Entry | StoredEntry] = {}
    for e in old._entries.held():
        n = entries.get(e.id)
        shared[e.id] = n if n is not None and (n is e or n == e) else e
    old._entries = Entries(shared.values())
    return {i: (shared[i], keys) for i, (_, keys) in keyed.items()}


def _key(data: object) -> str:
    expect(type(data) is str and len(data) == 64, "a gazetteer's key")
    return data  # type: ignore[return-value]


class _Version(NamedTuple):
    """A layer's files as they were last cached (:func:`_previous`)."""

    gazetteer: Gazetteer
    keyed: Keyed
    indexed: bool  # its index is cached too


def _previous(version: Path | None, names: list[str], cache: bool) -> _Version | None:
    """The last cached version of a layer's files (its key at ``version``): an edit of a large file
    then extends its index instead of compiling every entry again."""
    key = read_cache(version, _key)
    found = _cached(key, names, cache)
    if found is None:
        return None
    index = cache_path("index", key)
    return _Version(*found, index is not None and index.exists())


# --- the on-disk form of a loaded gazetteer (entityres.cache): its entries and issues as plain data.
# An issue's file is stored as its position among the files loaded, so a renamed file is named by
# its current path. Each entry is its own run of msgpack, validated when first used (Entries).

def _encode(gazetteer: Gazetteer, files: list[str], keyed: Keyed) -> dict:
    where = {f: n for n, f in enumerate(files)}
    origin = gazetteer._origin
    assert origin is not None  # loaded from files
    pack = msgpack.Packer(use_bin_type=True).pack
    read = {}  # an entry a cached layer below validated: its run of msgpack as it was read, not dumped again
    for base in gazetteer._bases:
        read.update(base._entries.runs())
    held = gazetteer._entries
    runs = [read.get(id(e)) or pack(made(e).model_dump(mode="json", exclude_defaults=True)) for e in held.held()]
    return {"ids": keys_data(*Keys.of(held.ids).columns()), "entries": b"".join(runs), "ends": pack_u32(accumulate(map(len, runs))),
            # column by column (kinds, severities, entry IDs, messages, files, lines): 40,000 issues
            # at 258,000 entries, checked a column at a time on opening
            "issues": [[getattr(i, f) for i in gazetteer.issues] for f in ("kind", "severity", "entry_id", "message")]
                      + [[where.get(i.file, i.file) for i in gazetteer.issues], [i.line for i in gazetteer.issues]],
            "origin": [pack_u32([where[origin.files[n]] for n in origin.file]), pack_u32(origin.line)],
            # every entry's exact keys in turn, and where each entry's keys end
            "keys": [*texts_data(Texts.of([k for i in held.ids for k in sorted(keyed[i][1])])),
                     pack_u32(accumulate(len(keyed[i][1]) for i in held.ids))]}


class _CachedKeys(Mapping):
    """The exact keys of a cached gazetteer's entries (:data:`Keyed`), each entry made when asked for."""

    def __init__(self, entries: Entries, keys: Texts, ends: array) -> None:
        self._entries, self._keys, self._ends = entries, keys, ends

    def __getitem__(self, entry_id: str) -> tuple[Entry, list[str]]:
        n = self._entries.position[entry_id]
        return self._entries[n], self._keys[self._ends[n - 1] if n else 0:self._ends[n]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries.ids)

    def __len__(self) -> int:
        return len(self._ends)


def _decode(data: object, files: list[str], cache: bool, key: str, path: Path | None) -> tuple[Gazetteer, Keyed]:
    data = str_map(data)
    expect(set(data) == {"ids", "entries", "ends", "issues", "origin", "keys"} and is_bytes(data["entries"])
           and type(data["issues"]) is list and type(data["origin"]) is list and len(data["origin"]) == 2
           and type(data["keys"]) is list, "a gazetteer's entries, issues, origins and keys")
    entries = Entries.packed(*read_keys(data["ids"]), data["entries"], u32_array(data["ends"]), str(path))
    keys = data["keys"]
    expect(len(keys) == 3, "the exact keys of each entry's names")
    texts, ends = read_texts(keys[:2]), u32_array(keys[2])
    try:
        checked_ends(ends, len(texts), "the exact keys of each entry's names")
    except ValueError as err:
        raise CacheFormatError(str(err)) from None
    expect(len(ends) == len(entries), "the exact keys of each entry's names")
    defined_in, defined_at = (owned(u32_array(c)) for c in data["origin"])  # kept, and pickled with the gazetteer
    expect(len(defined_in) == len(defined_at) == len(entries) and (not defined_in or max(defined_in) < len(files)),
           "where each entry was defined")
    columns = data["issues"]
    expect(len(columns) == 6 and all(type(c) is list and len(c) == len(columns[0]) for c in columns), "the issues' columns")
    kinds, severities, ids, messages = map(str_list, columns[:4])
    where, lines = columns[4:]
    expect(set(map(type, lines)) <= {int, type(None)} and set(map(type, where)) <= {int, str, type(None)}
           and all(0 <= f < len(files) for f in where if type(f) is int), "the issues' files and lines")
    issues = IssueColumns(kinds, severities, ids, messages, [files[f] if type(f) is int else f for f in where], lines)
    return (Gazetteer(entries, issues, cache, key, Origin(tuple(files), defined_in, defined_at)),
            _CachedKeys(entries, texts, ends))
