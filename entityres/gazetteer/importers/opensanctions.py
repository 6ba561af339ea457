"""OpenSanctions / FollowTheMoney entities: JSON lines of ``{"id", "schema", "properties": {...}}``.

Exports such as ``entities.ftm.json`` (https://www.opensanctions.org/docs/bulk/) hold one entity a
line; only ``Person`` entities become entries (the gazetteer has people and places, not companies
or vessels). FtM names carry no language: each is filed under the language of its script
(:func:`~entityres.gazetteer.importers.core.script_lang`: Latin ``en``, Arabic ``und-Arab``...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..yaml_source import SourceError
from .core import Record, add_name, json_line, numbered_lines, read_country_info, script_lang

NAME_PROPERTIES = ("name", "alias", "previousName")
COUNTRY_PROPERTIES = ("citizenship", "nationality", "country")
_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass
class FollowTheMoney:
    """An import of FtM ``Person`` entities (``source(full)`` is an ImportSource).

    * ``weak_aliases``: also keep ``weakAlias`` names (nicknames, kunyas: they name many people).
    * ``country_info``: GeoNames' ``countryInfo.txt``, to link ``citizenship``/``nationality``/
      ``country`` codes to the country entries (by their GeoNames ID).
    """

    path: Path
    weak_aliases: bool = False
    country_info: Path | None = None
    progress: bool | None = None
    skipped: int = field(default=0, repr=False)
    _countries: dict[str, str] | None = field(default=None, repr=False)

    def __call__(self, full: bool) -> Iterator[Record]:
        if self._countries is None:
            self._countries = read_country_info(self.country_info) if self.country_info else {}
        self.skipped = 0
        file = str(self.path)
        for number, line in numbered_lines(self.path, self.progress, desc=Path(file).name):
            if not line.strip():
                continue
            entity = json_line(file, number, line)
            if not isinstance(entity, dict) or not isinstance(entity.get("id"), str) or not entity["id"]:
                raise SourceError(file, number, "", "expected a FollowTheMoney entity (a JSON object with an id)")
            props = entity.get("properties") or {}
            if not isinstance(props, dict):
                raise SourceError(file, number, "properties", "expected a JSON object")
            if entity.get("schema") != "Person":
                self.skipped += 1
                continue
            names: dict[str, list[str]] = {}
            for prop in NAME_PROPERTIES + (("weakAlias",) if self.weak_aliases else ()):
                for value in _strings(props, prop, file, number):
                    add_name(names, script_lang(value), value)
            caption = entity.get("caption") if isinstance(entity.get("caption"), str) else None
            latin = names.get("en", [])
            name = " ".join((caption or (latin[0] if latin else "") or next(iter(names.values()), [""])[0]).split())
            if not name:
                self.skipped += 1
                continue
            qids = [q for q in _strings(props, "wikidataId", file, number) if _QID.match(q)]
            if _QID.match(entity["id"]):
                qids.insert(0, entity["id"])
            countries = [self._countries[c.upper()] for prop in COUNTRY_PROPERTIES
                         for c in _strings(props, prop, file, number) if c.upper() in self._countries]
            positions = _strings(props, "position", file, number)
            fields = {"wikidata": qids[0] if qids else None, "description": positions[0] if positions else None}
            datasets = entity.get("datasets") if isinstance(entity.get("datasets"), list) else []
            yield Record(entity["id"], "person", name, float(len(datasets)), file, number, names,
                         {k: v for k, v in fields.items() if v}, {"country": countries[0]} if countries else {},
                         tuple(f"wikidata:{q}" for q in qids))


def _strings(props: dict, prop: str, file: str, number: int) -> list[str]:
    values = props.get(prop) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SourceError(file, number, f"properties.{prop}", "expected a list of strings")
    return [v for v in values if v.strip()]
