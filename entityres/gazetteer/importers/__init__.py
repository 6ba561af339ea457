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

__all__ = ["ImportReport", "import_geonames"]


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
