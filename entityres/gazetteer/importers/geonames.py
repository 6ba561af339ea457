"""GeoNames dumps: the geoname table (``allCountries.txt``, ``cities500.txt``...) and ``alternateNamesV2.txt``.

Both are tab-separated UTF-8 without a header (https://download.geonames.org/export/dump/readme.txt).
The geoname table has 19 columns: geonameid, name, asciiname, alternatenames, latitude, longitude,
feature class, feature code, country code, cc2, admin1, admin2, admin3, admin4 codes, population,
elevation, dem, timezone, modification date. The alternate names file has 10 (8 before V2):
alternateNameId, geonameid, isolanguage, alternate name, isPreferredName, isShortName,
isColloquial, isHistoric, from, to.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ...text.langs import canonical_lang
from ..yaml_source import SourceError
from .core import Record, add_name, numbered_lines, read_country_info, script_lang

DEFAULT_LANGUAGES = ("en", "fa", "prs", "ar", "ps", "und")
DEFAULT_CLASSES = ("A", "P")
COUNTRY_CODES = ("PCL", "PCLI", "PCLD", "PCLF", "PCLS", "PCLIX")
# Feature code → place kind; codes not listed take their class's kind (_CLASS_KINDS), else "feature".
_KINDS = {**{c: "country" for c in COUNTRY_CODES}, "TERR": "territory", "PCLH": "country",
          "ADM1": "province", "ADM1H": "province", "ADM2": "district", "ADM2H": "district",
          "ADM3": "district", "ADM3H": "district", "ADMD": "district", "CONT": "continent", "RGN": "region"}
_CLASS_KINDS = {"P": "city"}
# Which of two records wanting one slug keeps it: a country before a city before a province...
_KIND_RANK = {"country": 6, "territory": 5, "city": 4, "province": 3, "district": 2, "continent": 7, "region": 1,
              "feature": 0}
# alternateNames pseudo-languages that are not names
_NOT_NAMES = {"link", "post", "iata", "icao", "faac", "unlc", "abbr", "tcid", "phon", "piny", "fr_1793", "wkdt"}


@dataclass
class GeoNames:
    """An import of a GeoNames table, with its alternate names (``source(full)`` is an ImportSource).

    * ``languages``: the alternate names' languages to keep (``fa-AF`` is ``prs``); ``und`` keeps
      names without a language, filed by script (``und-Arab``...).
    * ``min_population``: populated places (class P) with fewer people are left out.
    * ``classes``: the feature classes to keep (A administrative, P populated places, L, T, H, ...).
    * ``country_info``: GeoNames' ``countryInfo.txt``, to find the country of a record whose
      country is not itself in the table (cities500 has no countries).
    """

    table: Path
    alternate_names: Path | None = None
    languages: Iterable[str] = DEFAULT_LANGUAGES
    min_population: int = 0
    classes: Iterable[str] = DEFAULT_CLASSES
    country_info: Path | None = None
    progress: bool | None = None
    # filled by the first pass
    _kept: set[int] = field(default_factory=set, repr=False)
    _admin: dict[tuple, str] = field(default_factory=dict, repr=False)  # (cc, adm1[, adm2]) or (cc,) → key
    _names: dict[int, list[tuple[str, str, bool]]] | None = field(default=None, repr=False)
    skipped: int = field(default=0, repr=False)  # records left out by the options (entry pass)

    def __post_init__(self) -> None:
        self.table = Path(self.table)
        self.languages = {canonical_lang(lang) for lang in self.languages}
        self.classes = {c.upper() for c in self.classes}
        bad = self.classes - set("ASPLTHRVU")
        if bad:
            raise ValueError(f"unknown GeoNames feature class(es) {', '.join(sorted(bad))} (expected A, H, L, P, R, S, T, U, V)")

    def __call__(self, full: bool) -> Iterator[Record]:
        if full and self._names is None:
            self._names = self._read_alternate_names()
            self._read_country_info()
        file = str(self.table)
        for number, line in numbered_lines(self.table, self.progress, desc=self.table.name):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 19:
                raise SourceError(file, number, "", f"expected 19 tab-separated columns (a GeoNames table), found {len(cols)}")
            record = self._record(cols, file, number, full)
            if record is not None:
                yield record

    def _record(self, cols: list[str], file: str, number: int, full: bool) -> Record | None:
        gid, name, _ascii, _alt, _lat, _lon, fclass, fcode, cc, _cc2, adm1, adm2 = cols[:12]
        if fclass not in self.classes:
            self.skipped += full
            return None
        try:
            geonameid = int(gid)
            population = int(cols[14] or 0)
        except ValueError:
            raise SourceError(file, number, "geonameid" if not gid.isdigit() else "population",
                              f"expected a whole number, found {gid if not gid.isdigit() else cols[14]!r}") from None
        if fclass == "P" and population < self.min_population:
            self.skipped += full
            return None
        kind = _KINDS.get(fcode) or _CLASS_KINDS.get(fclass, "feature")
        key = str(geonameid)
        if not full:
            self._kept.add(geonameid)
            if kind == "country" and cc:
                self._admin.setdefault((cc,), key)
            elif fcode == "ADM1":
                self._admin.setdefault((cc, adm1), key)
            elif fcode == "ADM2":
                self._admin.setdefault((cc, adm1, adm2), key)
        record = Record(key, "place", name, _KIND_RANK[kind] * 1e10 + population, file, number,
                        links=(f"geonames:{geonameid}",))
        if not full:
            return record
        record.fields = {"kind": kind, "geonames": geonameid}
        names: dict[str, list[str]] = {"en": [name]}
        for lang, alias, preferred in self._names.get(geonameid, ()):
            if lang == "wikidata":
                record.fields.setdefault("wikidata", alias)
            else:
                add_name(names, lang, alias)
        record.names = names
        if kind == "country":
            return record
        country = self._admin.get((cc,))
        if kind == "province":
            parent = country
        elif kind == "district":
            parent = self._admin.get((cc, adm1)) or country
        else:
            parent = self._admin.get((cc, adm1, adm2)) or self._admin.get((cc, adm1)) or country
        record.refs = {k: v for k, v in (("parent", parent), ("country", country)) if v is not None and v != key}
        return record

    def _read_alternate_names(self) -> dict[int, list[tuple[str, str, bool]]]:
        """The kept records' alternate names in the kept languages: geonameid → [(lang, name, preferred)]."""
        out: dict[int, list[tuple[str, str, bool]]] = {}
        if self.alternate_names is None:
            return out
        file = str(self.alternate_names)
        keep_und = "und" in self.languages
        canonical: dict[str, str | None] = {}
        for number, line in numbered_lines(self.alternate_names, self.progress, desc=Path(file).name):
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) not in (8, 10):
                raise SourceError(file, number, "", f"expected 10 tab-separated columns (alternateNamesV2), found {len(cols)}")
            try:
                geonameid = int(cols[1])
            except ValueError:
                raise SourceError(file, number, "geonameid", f"expected a whole number, found {cols[1]!r}") from None
            if geonameid not in self._kept:
                continue
            code, name = cols[2], cols[3]
            if code == "wkdt":
                if name[:1] == "Q" and name[1:].isdigit():
                    out.setdefault(geonameid, []).append(("wikidata", name, False))
                continue
            if code in _NOT_NAMES or not name.strip():
                continue
            if code not in canonical:
                try:
                    canonical[code] = canonical_lang(code) if code else None
                except ValueError:
                    canonical[code] = ""  # a code that is no language: not kept
            lang = canonical[code]
            if lang is None:
                if not keep_und:
                    continue
                lang = script_lang(name)
            elif lang not in self.languages:
                continue
            out.setdefault(geonameid, []).append((lang, name, cols[4] == "1"))
        for names in out.values():
            names.sort(key=lambda n: not n[2])  # preferred names first
        return out

    def _read_country_info(self) -> None:
        """The country of each code (countryInfo.txt), for records whose country the table lacks."""
        if self.country_info is None:
            return
        for code, identity in read_country_info(self.country_info).items():
            gid = identity.split(":")[1]
            self._admin.setdefault((code,), gid if int(gid) in self._kept else identity)
