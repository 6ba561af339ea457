"""Wikidata: entity JSON (the dump's one-entity-per-line array, JSON lines, Special:EntityData) and
the JSON results of a SPARQL query.

The dump (https://dumps.wikimedia.org/wikidatawiki/entities/, ``latest-all.json.gz``) is a JSON
array written one entity per line: ``[``, then ``{...},`` lines, the last without its comma, then
``]``. A SPARQL result is ``{"head": {"vars": [...]}, "results": {"bindings": [...]}}``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ...text.langs import canonical_lang
from ..yaml_source import SourceError
from .core import Record, add_name, json_line, numbered_lines, prominence, script_lang

DEFAULT_LANGUAGES = ("en", "fa", "prs", "ar", "ps", "mul")
HUMAN = "Q5"
# instance of (P31) → place kind; an item with coordinates (P625) or a GeoNames ID (P1566) and none
# of these classes is a "feature"
PLACE_CLASSES = {
    "Q6256": "country", "Q3624078": "country", "Q7275": "country",
    "Q46395": "territory", "Q161243": "territory",
    "Q10864048": "province", "Q34876": "province", "Q107390": "province", "Q35657": "province",
    "Q13220204": "district", "Q149621": "district",
    "Q515": "city", "Q1549591": "city", "Q5119": "city", "Q486972": "city", "Q3957": "city", "Q532": "city",
    "Q1637706": "city", "Q200250": "city",
    "Q5107": "continent", "Q82794": "region",
}
ENTITY_URI = "http://www.wikidata.org/entity/"


@dataclass
class Wikidata:
    """An import of Wikidata entities (``source(full)`` is an ImportSource).

    * ``languages``: label and alias languages kept (``mul``, "multiple languages", is filed by script).
    * ``types``: ``person`` (instance of human, Q5) and/or ``place`` (a place class, coordinates or a
      GeoNames ID); other items are left out.
    * ``entity_type``: for a SPARQL result without ``?type``/``?instance``: what its items are.
    """

    path: Path
    languages: Iterable[str] = DEFAULT_LANGUAGES
    types: Iterable[str] = ("person", "place")
    entity_type: str | None = None
    progress: bool | None = None
    skipped: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.languages = {canonical_lang(lang) for lang in self.languages}
        self.types = set(self.types)
        if not self.types or self.types - {"person", "place"}:
            raise ValueError(f"types must be person and/or place, not {sorted(self.types)}")
        if self.entity_type not in (None, "person", "place"):
            raise ValueError(f"entity_type must be person or place, not {self.entity_type!r}")

    def __call__(self, full: bool) -> Iterator[Record]:
        self.skipped = 0
        file = str(self.path)
        lines = numbered_lines(self.path, self.progress, desc=self.path.name)
        for number, line in lines:
            text = line.strip()
            if text:
                break
        else:
            return
        if text == "[" or (text.startswith("{") and text.endswith(("}", "},")) and _is_entity_line(text)):
            yield from self._entities(file, [(number, line)], lines, full)
        else:  # one JSON document: a SPARQL result or Special:EntityData
            rest = "\n".join([line] + [l for _, l in lines])
            try:
                data = json.loads("\n" * (number - 1) + rest)
            except json.JSONDecodeError as err:
                raise SourceError(file, err.lineno, "", f"invalid JSON: {err.msg} (column {err.colno})") from None
            if isinstance(data, dict) and isinstance(data.get("results"), dict):
                yield from self._sparql(file, data, full)
            elif isinstance(data, dict) and isinstance(data.get("entities"), dict):
                for entity in data["entities"].values():
                    yield from self._entity(file, number, entity)
            else:
                raise SourceError(file, number, "", "expected Wikidata entity JSON (one entity per line, as in the "
                                                    "dump) or a SPARQL query's JSON result")

    def _entities(self, file: str, first, lines, full: bool) -> Iterator[Record]:
        for number, line in _chain(first, lines):
            text = line.strip()
            if text in ("[", "]", ""):
                continue
            entity = json_line(file, number, text[:-1] if text.endswith(",") else text)
            yield from self._entity(file, number, entity)

    def _entity(self, file: str, number: int, entity: object) -> Iterator[Record]:
        if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
            raise SourceError(file, number, "", "expected a Wikidata entity (a JSON object with an id)")
        if entity.get("type", "item") != "item":
            self.skipped += 1
            return
        claims = entity.get("claims") or {}
        classes = set(_claim_values(claims, "P31"))
        type_, kind = _type_and_kind(classes, "P625" in claims or "P1566" in claims)
        labels = {lang: v.get("value") for lang, v in (entity.get("labels") or {}).items() if isinstance(v, dict)}
        if type_ not in self.types or not any(labels.values()):
            self.skipped += 1
            return
        names: dict[str, list[str]] = {}
        for lang, value in labels.items():
            self._add(names, lang, value)
        for lang, values in (entity.get("aliases") or {}).items():
            for value in values if isinstance(values, list) else ():
                if isinstance(value, dict):
                    self._add(names, lang, value.get("value"))
        sitelinks = len(entity.get("sitelinks") or {})
        description = ((entity.get("descriptions") or {}).get("en") or {}).get("value")
        geonames = next((int(v) for v in _claim_values(claims, "P1566") if str(v).isdigit() and int(v) > 0), None)
        refs = {}
        if type_ == "place":
            refs = {f: (q, f"wikidata:{q}") for f, p in (("parent", "P131"), ("country", "P17"))
                    for q in _claim_values(claims, p)[:1]}
        else:
            refs = {"country": (q, f"wikidata:{q}") for q in _claim_values(claims, "P27")[:1]}
        yield self._record(file, number, entity["id"], type_, kind, labels, names, sitelinks, description, geonames,
                           refs)

    def _record(self, file, number, qid, type_, kind, labels, names, sitelinks, description, geonames, refs) -> Record:
        name = labels.get("en") or labels.get("mul") or next(v for v in labels.values() if v)
        fields = {"kind": kind, "wikidata": qid, "geonames": geonames, "prominence": prominence(sitelinks),
                  "description": description}
        links = (f"wikidata:{qid}",) + ((f"geonames:{geonames}",) if geonames else ())
        return Record(qid, type_, " ".join(name.split()), float(sitelinks), file, number, names,
                      {k: v for k, v in fields.items() if v is not None}, refs, links)

    def _add(self, names: dict[str, list[str]], code: str, value: object) -> None:
        if not isinstance(value, str):
            return
        try:
            lang = canonical_lang(code)
        except ValueError:
            return
        if lang in self.languages:
            add_name(names, script_lang(value) if lang == "mul" else lang, value)

    def _sparql(self, file: str, data: dict, full: bool) -> Iterator[Record]:
        """Rows grouped by ``?item``: ``?itemLabel`` and any language-tagged literal are names,
        ``?itemAltLabel`` aliases (comma-separated), ``?itemDescription``, ``?sitelinks``, ``?type``/
        ``?instance``/``?class`` (P31), ``?country``, ``?parent``, ``?geonames``, ``?kind`` ignored."""
        bindings = data["results"].get("bindings")
        if not isinstance(bindings, list):
            raise SourceError(file, None, "results.bindings", "expected a list")
        items: dict[str, dict] = {}
        for i, row in enumerate(bindings):
            where = f"results.bindings[{i}]"
            if not isinstance(row, dict) or not isinstance(row.get("item"), dict):
                raise SourceError(file, None, where, "no ?item (the query must select the entity as ?item)")
            qid = _qid(row["item"].get("value", ""))
            if qid is None:
                raise SourceError(file, None, where + ".item", f"not a Wikidata entity URI: {row['item'].get('value')!r}")
            item = items.setdefault(qid, {"row": i + 1, "labels": {}, "names": {}, "classes": set(), "refs": {},
                                          "sitelinks": 0, "description": None, "geonames": None})
            for var, cell in row.items():
                if var == "item" or not isinstance(cell, dict) or not isinstance(cell.get("value"), str):
                    continue
                value, lang = cell["value"], cell.get("xml:lang")
                low = var.lower()
                if low.endswith("description"):
                    item["description"] = item["description"] or value
                elif lang and low.endswith("altlabel"):
                    for alias in value.split(", "):
                        self._add(item["names"], lang, alias)
                elif lang:
                    self._add(item["names"], lang, value)
                    if low in ("itemlabel", "label") or lang == "en":
                        item["labels"].setdefault(lang, value)
                elif low in ("sitelinks", "sitelinkcount", "linkcount"):
                    item["sitelinks"] = max(item["sitelinks"], int(value) if value.isdigit() else 0)
                elif low in ("type", "instance", "class") and _qid(value):
                    item["classes"].add(_qid(value))
                elif low in ("country", "parent") and _qid(value):
                    item["refs"].setdefault(low, (_qid(value), f"wikidata:{_qid(value)}"))
                elif low == "geonames" and value.isdigit() and int(value) > 0:
                    item["geonames"] = int(value)
        for qid, item in items.items():
            type_, kind = _type_and_kind(item["classes"], item["geonames"] is not None)
            type_ = self.entity_type or type_
            if type_ is None and not item["classes"]:
                raise SourceError(file, None, f"results.bindings[{item['row'] - 1}]",
                                  "cannot tell whether the items are people or places: select ?type (P31) "
                                  "or give entity_type (--type)")
            if type_ not in self.types or not item["labels"] and not item["names"]:
                self.skipped += 1
                continue
            labels = item["labels"] or {lang: names[0] for lang, names in item["names"].items()}
            if type_ == "person":
                kind, item["refs"] = None, {k: v for k, v in item["refs"].items() if k == "country"}
            else:
                kind = kind or "feature"
            yield self._record(file, item["row"], qid, type_, kind, labels, item["names"], item["sitelinks"],
                               item["description"], None if type_ == "person" else item["geonames"], item["refs"])


def _chain(first, rest):
    yield from first
    yield from rest


def _is_entity_line(text: str) -> bool:
    try:
        value = json.loads(text[:-1] if text.endswith(",") else text)
    except json.JSONDecodeError:
        return False
    return isinstance(value, dict) and "id" in value and ("claims" in value or "labels" in value)


def _qid(value: str) -> str | None:
    qid = value.removeprefix(ENTITY_URI)
    return qid if qid[:1] == "Q" and qid[1:].isdigit() else None


def _claim_values(claims: dict, prop: str) -> list:
    """The values of a property's statements (item values as QIDs), deprecated ones left out."""
    out = []
    for statement in claims.get(prop) or ():
        if not isinstance(statement, dict) or statement.get("rank") == "deprecated":
            continue
        value = ((statement.get("mainsnak") or {}).get("datavalue") or {}).get("value")
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            out.append(value["id"])
        elif isinstance(value, (str, int)):
            out.append(value)
    return out


def _type_and_kind(classes: set, located: bool) -> tuple[str | None, str | None]:
    if HUMAN in classes:
        return "person", None
    kinds = [PLACE_CLASSES[c] for c in sorted(classes) if c in PLACE_CLASSES]
    if kinds:
        return "place", max(kinds, key=("feature", "region", "district", "province", "city", "territory",
                                         "country", "continent").index)
    return ("place", "feature") if located else (None, None)
