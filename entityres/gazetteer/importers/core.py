"""What every importer shares: reading (gz/bz2, line numbers, progress), IDs, and writing YAML.

An importer turns a source into :class:`Record` objects and is run twice by :func:`write_gazetteer`:
the first pass only offers each record's ID slug (so that, of several records wanting one slug,
the highest ranked keeps it whatever the input order, and references can point forward), the
second writes the entries one at a time. Memory grows with the number of records' IDs, not with
their names.
"""
from __future__ import annotations

import bz2
import hashlib
import gzip
import io
import json
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from unidecode import unidecode

from ..schema import Entry
from ..yaml_source import SourceError

# One pass over a source; called with full=False for the ID pass (names and fields may be left out),
# then with full=True for the entries.
ImportSource = Callable[[bool], Iterator["Record"]]


@dataclass
class Record:
    """One entity of a source, before its ID is known.

    ``key`` identifies it within the source (a GeoNames ID, a QID, a FollowTheMoney ID); ``links``
    are identities (``geonames:1138958``, ``wikidata:Q5838``) by which it may be an existing entry;
    ``refs`` maps ``parent``/``country``/``capital`` to other records' keys, existing entry IDs or
    identities (a tuple: the first that resolves), resolved when the record is written (a reference
    that no record and no existing entry has is left out).
    """

    key: str
    type: str  # person | place
    name: str
    rank: float  # of two records wanting one slug, the higher keeps it
    file: str
    line: int
    names: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, object] = field(default_factory=dict)  # kind, geonames, wikidata, prominence, description
    refs: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    links: tuple[str, ...] = ()


# --- reading -------------------------------------------------------------------------------------

class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read from disk (the progress bar's position)."""

    def __init__(self, raw):
        self.raw, self.pos = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.pos += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def numbered_lines(path: str | Path, progress: bool | None = None, desc: str = "") -> Iterator[tuple[int, str]]:
    """``(line number, line without its newline)`` of a UTF-8 text file, plain, ``.gz`` or ``.bz2``.

    A progress bar (tqdm, on standard error) follows the bytes read; ``progress=None`` shows it only
    on a terminal. A line that is not UTF-8 raises :class:`SourceError` naming the file and line.
    """
    from tqdm import tqdm

    path = Path(path)
    try:
        counting = _Counting(open(path, "rb"))
    except OSError as err:
        raise SourceError(str(path), None, "", err.strerror or str(err)) from None
    size = path.stat().st_size
    binary = io.BufferedReader(counting, 1 << 20)
    if path.suffix == ".gz":
        stream = io.BufferedReader(gzip.GzipFile(fileobj=binary), 1 << 20)
    elif path.suffix == ".bz2":
        stream = io.BufferedReader(bz2.BZ2File(binary), 1 << 20)
    else:
        stream = binary
    bar = tqdm(total=size, unit="B", unit_scale=True, desc=desc or path.name, disable=_disable(progress),
               file=sys.stderr, leave=False)
    number = 0
    try:
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise SourceError(str(path), number, "", f"not UTF-8 text ({err.reason} at byte {err.start})") from None
            if number & 4095 == 0:
                bar.update(counting.pos - bar.n)
            yield number, line.rstrip("\r\n")
    except (OSError, EOFError, ValueError) as err:
        if isinstance(err, SourceError):
            raise
        raise SourceError(str(path), number + 1, "", f"cannot read: {err}") from None
    finally:
        bar.update(counting.pos - bar.n)
        bar.close()
        stream.close()


def _disable(progress: bool | None) -> bool | None:
    return None if progress is None else not progress  # None: tqdm shows it on a terminal only


def json_line(file: str, number: int, line: str) -> object:
    """One JSON value of a JSON-lines file; a syntax error names the file, line and column."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise SourceError(file, number, "", f"invalid JSON: {err.msg} (column {err.colno})") from None


def read_country_info(path: str | Path) -> dict[str, str]:
    """GeoNames' ``countryInfo.txt``: ISO code (upper case) → ``geonames:<id>`` of the country."""
    out, file = {}, str(path)
    for number, line in numbered_lines(path, False):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 17 or not cols[16].isdigit():
            raise SourceError(file, number, "", "expected GeoNames' countryInfo.txt (ISO code first, geonameid 17th)")
        out.setdefault(cols[0].upper(), f"geonames:{cols[16]}")
    return out


PROMINENCE_SITELINKS = 200  # sitelinks at which prominence reaches 1 (a head of state has 150-300)


def prominence(sitelinks: int) -> float:
    """``ln(1 + sitelinks) / ln(1 + 200)``, capped at 1: 0 links 0, 10 about 0.45, 50 about 0.74."""
    return round(min(1.0, math.log1p(max(sitelinks, 0)) / math.log1p(PROMINENCE_SITELINKS)), 3)


# --- names and languages ---------------------------------------------------------------------------

_SCRIPTS = {"ARABIC": "und-Arab", "CYRILLIC": "und-Cyrl", "HEBREW": "und-Hebr", "GREEK": "und-Grek",
            "ARMENIAN": "und-Armn", "GEORGIAN": "und-Geor", "DEVANAGARI": "und-Deva", "CJK": "und-Hani",
            "HANGUL": "und-Hang", "HIRAGANA": "und-Jpan", "KATAKANA": "und-Jpan", "THAI": "und-Thai"}


def script_lang(name: str) -> str:
    """The language to file a name of unknown language under, from its script.

    Latin script is filed as ``en`` (the canonical-name language); Arabic script as ``und-Arab``,
    Cyrillic as ``und-Cyrl``, and so on (BCP-47 "undetermined" with the script); ``und`` otherwise.
    """
    for ch in name:
        if ch.isalpha():
            script = unicodedata.name(ch, "").split(" ")[0]
            if script == "LATIN":
                return "en"
            return _SCRIPTS.get(script, "und")
    return "und"


def add_name(names: dict[str, list[str]], lang: str, name: str) -> None:
    """``name`` (white space folded) under ``lang``, once."""
    name = " ".join(name.split())
    if name:
        kept = names.setdefault(lang, [])
        if name not in kept:
            kept.append(name)


def slugify(text: str) -> str:
    """``Mazār-e Sharīf`` → ``mazar-e-sharif``; other scripts by unidecode's transliteration."""
    t = unidecode(unicodedata.normalize("NFC", text)).lower()
    t = re.sub(r"['`.]", "", t)
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


# --- IDs -------------------------------------------------------------------------------------------

@dataclass
class Bundled:
    """The IDs of the gazetteer an import will be loaded with, so that it extends rather than collides.

    ``by_key`` maps an identity (``geonames:<id>``, ``wikidata:<QID>``) to the entry that has it: the
    first record with that identity takes that entry's ID. Any other record whose slug an existing
    entry holds gets a suffixed ID instead of silently extending someone else.
    """

    entries: dict[str, Entry] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> "Bundled":
        entries = {e.id: e for e in entries}
        by_key = {}
        for e in entries.values():
            if e.geonames:
                by_key.setdefault(f"geonames:{e.geonames}", e.id)
            if e.wikidata:
                by_key.setdefault(f"wikidata:{e.wikidata}", e.id)
        return cls(entries, by_key)

    @classmethod
    def load(cls) -> "Bundled":
        """The bundled gazetteer's entries."""
        from ..loader import load_gazetteer

        return cls.of(load_gazetteer(bundled=True))


class Ids:
    """Deterministic, unique IDs: ``<type>:<slug>`` for the best-ranked record of a slug, else suffixed.

    A record that loses its slug (to a better-ranked record, or to an existing entry) is
    ``<type>:<slug>-<key>``, or ``<type>:<slug>.<key>`` in the unlikely case that a bare slug has that form
    already (a slug never contains a dot, so the dotted form is always free).
    """

    def __init__(self, bundled: Bundled):
        self.bundled = bundled
        self.best: dict[str, tuple[float, str]] = {}  # type:slug → (rank, key) of the record keeping it
        self.slugs: dict[str, tuple[str, int]] = {}  # key → (type:slug, line): references and duplicate keys
        self.linked: dict[str, str] = {}  # key → existing entry ID it extends
        self.taken: set[str] = set()  # existing entry IDs already extended by a record

    def offer(self, record: Record) -> None:
        if record.key in self.slugs:
            raise SourceError(record.file, record.line, "",
                              f"{record.key} given again (first on line {self.slugs[record.key][1]})")
        base = f"{record.type}:{slugify(record.name) or key_slug(record.key)}"
        self.slugs[record.key] = (base, record.line)
        for link in record.links:
            entry_id = self.bundled.by_key.get(link)
            if entry_id is not None and entry_id not in self.taken and entry_id.startswith(record.type + ":"):
                self.linked[record.key] = entry_id
                self.taken.add(entry_id)
                return
        best = self.best.get(base)
        if best is None or record.rank > best[0] or (record.rank == best[0] and _before(record.key, best[1])):
            self.best[base] = (record.rank, record.key)

    def ref(self, keys: str | tuple[str, ...]) -> str | None:
        """The ID that the first resolvable of ``keys`` names."""
        for key in (keys,) if isinstance(keys, str) else keys:
            found = self.id(key)
            if found is not None:
                return found
        return None

    def id(self, key: str) -> str | None:
        """The ID of the record with ``key`` (or of the existing entry it extends), or of the existing
        entry ``key`` is the ID of; None if neither."""
        linked = self.linked.get(key)
        if linked is not None:
            return linked
        if key not in self.slugs:  # an existing entry's ID, or an identity such as geonames:1149361
            return key if key in self.bundled.entries else self.bundled.by_key.get(key)
        base = self.slugs[key][0]
        if self.best[base][1] == key and base not in self.bundled.entries:
            return base
        suffixed = f"{base}-{key_slug(key)}"
        if suffixed in self.best or suffixed in self.bundled.entries:
            return f"{base}.{key_slug(key)}"
        return suffixed


def key_slug(key: str) -> str:
    """A source key as it suffixes an ID: ``Q7747`` → ``q7747``; a key with no letter or digit by its hash."""
    return slugify(key) or hashlib.sha1(key.encode()).hexdigest()[:12]


def _before(a: str, b: str) -> bool:
    """Ties of rank go to the smaller key, numbers compared as numbers (Q5 before Q10)."""
    return (len(a), a) < (len(b), b)


# --- writing ---------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[^\W\d_][\w .'’()\-]*(?<![ :])\Z")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}
_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\"\\\\]")


def yaml_str(text: str) -> str:
    """``text`` as a YAML scalar that reads back as the same string: plain when safe, else quoted."""
    if _PLAIN.match(text) and text.lower() not in _RESERVED and " #" not in text:
        return text
    return '"' + _ESCAPE.sub(lambda m: _escape(m.group()), text) + '"'


def _escape(ch: str) -> str:
    return {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}.get(ch, f"\\u{ord(ch):04x}")


FIELD_ORDER = ("kind", "wikidata", "geonames", "parent", "country", "capital", "prominence", "description")


def entry_yaml(entry_id: str, record: Record, refs: dict[str, str]) -> str:
    lines = [f"  - id: {entry_id}", f"    type: {record.type}", f"    name: {yaml_str(record.name)}"]
    values = {**record.fields, **refs}
    for name in FIELD_ORDER:
        value = values.get(name)
        if value is None:
            continue
        if name in refs:  # an entry ID: always plain
            lines.append(f"    {name}: {value}")
        else:
            lines.append(f"    {name}: {yaml_str(value) if isinstance(value, str) else value}")
    if record.names:
        lines.append("    names:")
        for lang, names in record.names.items():
            lines.append(f"      {lang}: [{', '.join(yaml_str(n) for n in names)}]")
    return "\n".join(lines) + "\n"


@dataclass
class ImportReport:
    """What an import wrote: entry counts by type, entries linked to existing IDs, IDs suffixed."""

    output: str
    entries: int = 0
    people: int = 0
    places: int = 0
    linked: int = 0
    suffixed: int = 0
    skipped: int = 0  # records the source has that are not imported (options, or not a person or place)

    def __str__(self) -> str:
        return (f"{self.output}: {self.entries} entries ({self.people} people, {self.places} places); "
                f"{self.linked} extend existing entries, {self.suffixed} IDs suffixed to stay unique; "
                f"{self.skipped} source records left out")


def write_gazetteer(source: ImportSource, out: TextIO | str | Path, tag: str, comment: str,
                    bundled: Bundled | None = None) -> ImportReport:
    """Run ``source`` twice (IDs, then entries) and write an entityres YAML file, one entry at a time.

    A record linked to an existing entry (``bundled.by_key``) is written as an extension of it: its
    names, and only the fields the existing entry lacks, so curated values are never overridden.
    """
    bundled = bundled or Bundled()
    ids = Ids(bundled)
    for record in source(False):
        ids.offer(record)
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8") as handle:
            report = _write(source, handle, tag, comment, ids)
        report.output = str(out)
        return report
    return _write(source, out, tag, comment, ids)


def _write(source: ImportSource, out: TextIO, tag: str, comment: str, ids: Ids) -> ImportReport:
    report = ImportReport(getattr(out, "name", "<stream>"))
    out.write(f"# {comment}\n# Written by `entityres gazetteer import`; edits are lost when it is run again.\n")
    out.write(f"source: {yaml_str(tag)}\nentries:\n")
    for record in source(True):
        entry_id = ids.id(record.key)
        existing = ids.bundled.entries.get(entry_id)
        refs = {f: ref for f, keys in record.refs.items() if (ref := ids.ref(keys)) is not None and ref != entry_id}
        if existing is not None:
            report.linked += 1
            record.name = existing.name
            record.fields = {f: v for f, v in record.fields.items() if getattr(existing, f, None) is None}
            refs = {f: v for f, v in refs.items() if getattr(existing, f) is None and v != existing.parent}
        elif entry_id != ids.slugs[record.key][0]:  # lost its slug
            report.suffixed += 1
        if refs.get("parent") is not None and refs.get("parent") == refs.get("country"):
            del refs["country"]  # country is for when the parent is not the country itself
        out.write(entry_yaml(entry_id, record, refs))
        report.entries += 1
        if record.type == "person":
            report.people += 1
        else:
            report.places += 1
    if not report.entries:
        out.write("  []\n")
    report.skipped = getattr(source, "skipped", 0)
    return report
