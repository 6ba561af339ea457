"""Gazetteers from the sources users have: GeoNames dumps, Wikidata entity JSON, OpenSanctions entities.

Each ``import_*`` function reads its source (plain, ``.gz`` or ``.bz2``) and writes an entityres
YAML file one entry at a time, for ``load_gazetteer(paths=[out])``; see docs/gazetteer.md,
"Importing". Malformed input raises :class:`~entityres.gazetteer.yaml_source.SourceError` naming
the file and line.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, TextIO

from .core import Bundled, ImportReport, write_gazetteer
from .geonames import DEFAULT_CLASSES, DEFAULT_LANGUAGES, GeoNames
from .opensanctions import FollowTheMoney
from .wikidata import DEFAULT_LANGUAGES as WIKIDATA_LANGUAGES, Wikidata

__all__ = ["ImportReport", "import_geonames", "import_opensanctions", "import_wikidata"]


def _bundled(link: bool) -> Bundled:
    return Bundled.load() if link else Bundled()


def import_geonames(table: str | Path, out: str | Path | TextIO, alternate_names: str | Path | None = None,
                    languages: Iterable[str] = DEFAULT_LANGUAGES, min_population: int = 0,
                    classes: Iterable[str] = DEFAULT_CLASSES, country_info: str | Path | None = None,
                    link: bool = True, progress: bool | None = None) -> ImportReport:
    """A GeoNames table (``allCountries.txt``, ``cities500.txt``...) and its alternate names → YAML.

    With ``link`` (the default), a place the bundled gazetteer has (same GeoNames ID) keeps its
    bundled ID, so the file extends it, and no imported ID collides with a bundled one.
    """
    source = GeoNames(Path(table), Path(alternate_names) if alternate_names else None, languages, min_population,
                      classes, Path(country_info) if country_info else None, progress)
    return write_gazetteer(source, out, "geonames", f"GeoNames places from {Path(table).name}", _bundled(link))


def import_wikidata(path: str | Path, out: str | Path | TextIO, languages: Iterable[str] = WIKIDATA_LANGUAGES,
                    types: Iterable[str] = ("person", "place"), entity_type: str | None = None, link: bool = True,
                    progress: bool | None = None) -> ImportReport:
    """Wikidata entities (the dump's one-entity-per-line JSON, or a SPARQL query's JSON result) → YAML.

    People (instance of Q5) and places; labels and aliases of ``languages`` become names, the
    number of sitelinks the prominence (docs/gazetteer.md). With ``link``, an entity the bundled
    gazetteer has (same QID, or same GeoNames ID) keeps its bundled ID.
    """
    source = Wikidata(Path(path), languages, types, entity_type, progress)
    return write_gazetteer(source, out, "wikidata", f"Wikidata entities from {Path(path).name}", _bundled(link))


def import_opensanctions(path: str | Path, out: str | Path | TextIO, weak_aliases: bool = False,
                         country_info: str | Path | None = None, link: bool = True,
                         progress: bool | None = None) -> ImportReport:
    """OpenSanctions FollowTheMoney entities (JSON lines) → YAML: their ``Person`` entities.

    With ``link``, a person whose ``wikidataId`` a bundled entry has keeps the bundled ID.
    """
    source = FollowTheMoney(Path(path), weak_aliases, Path(country_info) if country_info else None, progress)
    return write_gazetteer(source, out, "opensanctions", f"OpenSanctions people from {Path(path).name}",
                           _bundled(link))
