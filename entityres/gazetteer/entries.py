"""A gazetteer's entries in their order, found by ID too, each made into an Entry when first used.

A gazetteer read from the cache (:mod:`entityres.gazetteer.loader`) keeps its entries as the
cache file's msgpack, one run of bytes each, and validates an entry into an :class:`Entry` the
first time it is asked for. A 258,000-entry import then opens without validating entries that
matching and linking never show: validating them all took more than half of its cached open
(3.7 of 6.7 s) and a third of its peak memory. The file was checked whole (its digest) when it was read; an entry that still fails
(a file written by hand) raises :class:`~entityres.cache.CacheFormatError` naming the entry and
the file, which is removed so that the next start rebuilds it: never a wrong result.

A gazetteer loaded from files or made in code keeps each entry as a :class:`StoredEntry` (its
fields in a slotted object: about 600 bytes with its strings for an entry of one name, against a
model's 1,050) and makes the :class:`Entry` the first time it is asked for. A million entries
held as models were 888 MB, more than half of the peak of loading and indexing them; the index
build reads the stored form.
"""
from __future__ import annotations

import os
from array import array
from itertools import count
from typing import Iterable, Iterator, Sequence

import msgpack
from pydantic import ValidationError

from ..cache import U32, CacheFormatError, owned
from ._index import Numbered, Texts, checked_ends
from .schema import Entry, listed_aliases


# The fields a StoredEntry has a slot for: what the index build, matching and linking read. The
# others, with their defaults, it keeps only when they differ.
_SLOTS = ("id", "type", "name", "names", "prominence", "kind")
_OTHER_FIELDS = {f: info.default for f, info in Entry.model_fields.items() if f not in _SLOTS}
_TEMPLATE = {f: _OTHER_FIELDS.get(f) for f in Entry.model_fields}
_set = object.__setattr__


class StoredEntry:
    """A validated :class:`Entry` as a gazetteer holds it until asked for (:meth:`entry`): every
    field read by name, :meth:`aliases` as the entry's, without the model's dict of 13 fields.
    Equal to an entry (or a stored entry) when the entries are equal. Made by :func:`stored` only:
    it trusts its fields."""

    __slots__ = (*_SLOTS, "_other", "_given")

    def __init__(self, entry: Entry) -> None:
        for field in _SLOTS:
            setattr(self, field, getattr(entry, field))  # names: the model's own dict, not copied
        self._other = tuple((f, v) for f, default in _OTHER_FIELDS.items() if (v := getattr(entry, f)) != default)
        self._given = entry.model_fields_set  # shared by entries given the same fields (Entry._consistent)

    def __getattr__(self, field: str):  # the fields kept only when set (called when no slot answers)
        if field not in _OTHER_FIELDS:  # first: _other itself is missing while pickle makes one
            raise AttributeError(field)
        for f, v in self._other:
            if f == field:
                return v
        return _OTHER_FIELDS[field]

    def aliases(self, sources: bool = False) -> list[tuple]:
        return listed_aliases(self.name, self.names.items(), sources)

    def entry(self) -> Entry:
        """The entry (fields validated already: not again), as ``Entry.model_construct`` makes it
        given every field, without its walk over the fields and their defaults (a fifth of its
        time: the first entries a match shows are made here)."""
        fields = _TEMPLATE.copy()  # the fields in the model's order, the others at their defaults
        for f in _SLOTS:
            fields[f] = getattr(self, f)
        fields.update(self._other)
        entry = Entry.__new__(Entry)
        _set(entry, "__dict__", fields)
        _set(entry, "__pydantic_fields_set__", self._given)
        _set(entry, "__pydantic_extra__", None)  # extra="forbid": model_construct keeps none
        _set(entry, "__pydantic_private__", None)
        return entry

    def _fields(self) -> tuple:
        return (*(getattr(self, f) for f in _SLOTS), self._other)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Entry):
            other = StoredEntry(other)
        return isinstance(other, StoredEntry) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"StoredEntry({self.id!r})"


def stored(entry: "Entry | StoredEntry") -> StoredEntry:
    """``entry`` as a gazetteer holds it: a :class:`StoredEntry`."""
    return entry if isinstance(entry, StoredEntry) else StoredEntry(entry)


def made(entry: "Entry | StoredEntry") -> Entry:
    """``entry`` as an :class:`Entry` (made again from a stored one each time)."""
    return entry.entry() if isinstance(entry, StoredEntry) else entry


class Entries(Sequence[Entry]):
    """Entries in order (``entries[n]``), with ``ids`` and ``position`` (ID → n). Never changed
    once made: an entry validated or made on first use is kept, and is the same on every call;
    :meth:`stored` and :meth:`held` read them as held, making none."""

    def __init__(self, entries: Iterable[Entry | StoredEntry] = ()) -> None:
        # each entry as an Entry (made), a StoredEntry, or None (a run not yet validated)
        self._made: list[Entry | StoredEntry | None] = list(entries)
        self.ids: list[str] = [e.id for e in self._made]  # type: ignore[union-attr]
        self.position: dict[str, int] = dict(zip(self.ids, count()))
        self._packed = memoryview(b"")
        self._ends = array(U32)
        self._source = ""

    @classmethod
    def of(cls, entries: Iterable[Entry | StoredEntry]) -> "Entries":
        """``entries`` as :class:`Entries` (the same object when they are already)."""
        return entries if isinstance(entries, Entries) else cls(entries)

    @classmethod
    def packed(cls, ids: Texts, table: array | memoryview | None, packed: bytes | memoryview,
               ends: array | memoryview, source: str) -> "Entries":
        """Entries not yet validated: entry n is the msgpack of ``packed[ends[n - 1]:ends[n]]``
        (its ``model_dump(mode="json")``), with the ID ``ids[n]``; ``ends`` is an array of 32-bit
        items; ``source`` names the file. The IDs are kept as they are read, and found by a hash
        table in C (:class:`~entityres.gazetteer._index.Numbered`): ``table``, as the file holds
        it, or made (None)."""
        try:
            checked_ends(ends, len(packed), "the entries' runs of bytes")
        except ValueError as err:
            raise CacheFormatError(str(err)) from None
        if len(ends) != len(ids):
            raise CacheFormatError("the entries' runs of bytes: one for each ID")
        out = cls()
        out.ids, out._made = ids, [None] * len(ids)  # type: ignore[assignment]
        try:
            out.position = Numbered(ids, table)  # type: ignore[assignment]
        except ValueError as err:
            raise CacheFormatError(f"distinct entry IDs and their hash table ({err})") from None
        out._packed, out._ends, out._source = memoryview(packed), ends, source
        return out

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, n: int) -> Entry:  # type: ignore[override]
        if isinstance(n, slice):
            return [self[i] for i in range(len(self._made))[n]]  # type: ignore[return-value]
        entry = self._made[n]
        if isinstance(entry, StoredEntry):
            entry = self._made[n] = entry.entry()  # kept: the same entry on every call
        return entry if entry is not None else self._validated(n)

    def __iter__(self) -> Iterator[Entry]:
        return map(self.__getitem__, range(len(self._made)))

    def stored(self, n: int) -> Entry | StoredEntry:
        """Entry ``n`` as held, not made into an :class:`Entry` (what an index build reads)."""
        entry = self._made[n]
        return entry if entry is not None else self._validated(n)

    def held(self) -> Iterator[Entry | StoredEntry]:
        """Every entry as held (:meth:`stored`): a pass over all of them keeps none made."""
        return map(self.stored, range(len(self._made)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entries) and self.ids == other.ids and all(a == b for a, b in zip(self.held(), other.held()))

    __hash__ = None  # type: ignore[assignment]

    def get(self, entry_id: str) -> Entry | None:
        n = self.position.get(entry_id)
        return None if n is None else self[n]

    def _run(self, n: int) -> memoryview:
        """Entry ``n``'s run of msgpack."""
        return self._packed[self._ends[n - 1] if n else 0:self._ends[n]]

    def _validated(self, n: int) -> Entry:
        n = range(len(self._made))[n]
        try:
            entry = Entry.model_validate(msgpack.unpackb(self._run(n), raw=False))
            if entry.id != self.ids[n]:
                raise ValueError(f"it holds {entry.id!r}")
        except (ValidationError, ValueError, TypeError, msgpack.UnpackException) as err:
            self._discard()
            raise CacheFormatError(f"cache file {self._source}: entry {self.ids[n]!r} is damaged ({err}); "
                                   "the file is removed, and the next start rebuilds it") from None
        self._made[n] = entry
        return entry

    def runs(self) -> dict[int, memoryview]:
        """The run of msgpack of each entry validated so far from a run, by the entry's identity
        (``id``), to be written again as it is (the same bytes a dump would give: tested); empty
        for entries given as :class:`Entry`. Valid while the entries are."""
        if not len(self._ends):
            return {}
        return {id(entry): self._run(n) for n, entry in enumerate(self._made) if isinstance(entry, Entry)}

    def _discard(self) -> None:
        try:
            os.unlink(self._source)
        except OSError:
            pass

    def __getstate__(self) -> dict:  # pickled (to Spark's workers, batch processes) still packed
        return {**self.__dict__, "_packed": bytes(self._packed), "_ends": owned(self._ends)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _packed=memoryview(state["_packed"]))
