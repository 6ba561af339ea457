"""The gazetteer file format: pydantic models for one YAML file and its entries.

A file is ``{source: <where the file's names come from>, entries: [Entry, ...]}``; the format is
documented in docs/gazetteer.md. Validation is strict (unknown fields are errors) because a typo
in a field name (``wikidta:``) would otherwise silently lose data.
"""
from __future__ import annotations

import re
from typing import Iterable, Literal

from pydantic import (BaseModel, ConfigDict, Field, ModelWrapValidatorHandler, ValidationInfo, field_validator,
                      model_validator)
from pydantic.dataclasses import dataclass

from ..limits import MAX_NAME_WORDS, MAX_WORD_CHARS
from ..text.langs import canonical_lang

ID_PATTERN = re.compile(r"^(person|place):[a-z0-9][a-z0-9._-]*$")
EntityType = Literal["person", "place"]
PLACE_KINDS = ("continent", "region", "country", "territory", "province", "district", "city", "feature")


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class Alias:
    """One spelling of a name, and where it came from (a source tag such as ``cldr-47`` or ``curated``).

    A slotted dataclass validated by pydantic, not a model: a large gazetteer holds millions, at
    48 bytes each rather than a model's 480 (its dict and its set of the fields given)."""

    name: str
    source: str | None = None

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        words = value.split()
        if not words:
            raise ValueError("empty name")
        if len(words) > MAX_NAME_WORDS or max(map(len, words)) > MAX_WORD_CHARS:
            raise ValueError(f"not a name: more than {MAX_NAME_WORDS} words or a word of more than {MAX_WORD_CHARS} letters")
        joined = " ".join(words)
        return value if joined == value else joined  # the same string kept when it is already clean


_GIVEN: dict[frozenset[str], set[str]] = {}  # one set of the fields given per combination (Entry._consistent)


class Entry(BaseModel):
    """A person or a place: its stable ID, canonical English name, and names per language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    type: EntityType
    name: str
    names: dict[str, tuple[Alias, ...]] = Field(default_factory=dict)
    wikidata: str | None = None
    description: str | None = None
    # places
    kind: Literal[PLACE_KINDS] | None = None  # type: ignore[valid-type]
    geonames: int | None = Field(default=None, gt=0)
    parent: str | None = None
    capital: str | None = None
    # people (and places: the country a city lies in, when parent is a province)
    country: str | None = None
    # How widely known, in [0, 1]: ranks equal scores and lets a surname alone name the entry.
    # Curated (1 a head of state or a household name, 0.5 a national figure), or derived by an
    # importer from Wikidata sitelinks; None when not known (docs/gazetteer.md).
    prominence: float | None = Field(default=None, ge=0, le=1)
    # merging: a user entry with replace: true replaces the bundled one instead of extending it
    replace: bool = False

    @field_validator("names", mode="before")
    @classmethod
    def _aliases(cls, value, info: ValidationInfo):
        if not isinstance(value, dict):
            return value
        # validated with context={"source": tag}, an alias without its own source gets the file's
        source = (info.context or {}).get("source")
        out = {}
        for lang, aliases in value.items():
            if isinstance(aliases, (str, dict)):
                aliases = [aliases]  # a single name may be written without a list
            if isinstance(aliases, list):
                aliases = [{"name": a, "source": source} if isinstance(a, str)
                           else {**a, "source": source} if source and isinstance(a, dict) and not a.get("source")
                           else a for a in aliases]
            out[lang] = aliases
        return out

    @field_validator("names")
    @classmethod
    def _langs(cls, value: dict[str, tuple[Alias, ...]]) -> dict[str, tuple[Alias, ...]]:
        for lang in value:
            try:
                canonical_lang(lang)
            except ValueError as err:
                raise ValueError(str(err)) from None
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return Alias._not_blank(value)

    @field_validator("wikidata")
    @classmethod
    def _qid(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"Q[1-9][0-9]*", value):
            raise ValueError(f"not a Wikidata QID: {value!r} (expected Q followed by digits, e.g. Q7747)")
        return value

    @field_validator("id", "parent", "capital", "country")
    @classmethod
    def _ref(cls, value: str | None) -> str | None:
        if value is not None and not ID_PATTERN.match(value):
            raise ValueError(f"not an entry ID: {value!r} (expected person:<slug> or place:<slug>, lowercase)")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _consistent(cls, data: object, handler: ModelWrapValidatorHandler["Entry"]) -> "Entry":
        # An entry already made is consistent: pydantic would run an "after" check again on each
        # model that holds it (every Match of the matcher).
        if type(data) is Entry:
            return data
        self = handler(data)
        if not self.id.startswith(self.type + ":"):
            raise ValueError(f"id {self.id!r} does not start with its type {self.type + ':'!r}")
        if self.type == "person" and (self.kind or self.geonames or self.parent or self.capital):
            raise ValueError("kind, geonames, parent and capital are for places only")
        # pydantic keeps with each model the set of the fields it was given (216 bytes, a sixth of
        # an entry of one name); entries given the same fields share one. pydantic copies the set
        # before it changes one (model_copy), and a frozen model never changes its own.
        given = self.__pydantic_fields_set__
        object.__setattr__(self, "__pydantic_fields_set__", _GIVEN.setdefault(frozenset(given), given))
        return self

    def aliases(self, sources: bool = False) -> list[tuple]:
        """Every (language, name) of the entry, the canonical name first as English.

        With ``sources``, (language, name, source) triples.
        """
        return listed_aliases(self.name, self.names.items(), sources)


def listed_aliases(name: str, names: Iterable[tuple[str, tuple[Alias, ...]]], sources: bool) -> list[tuple]:
    """:meth:`Entry.aliases` of the entry named ``name`` with ``names`` (its items)."""
    out = [("en", name, "canonical")]
    for lang, aliases in names:
        out.extend((lang, a.name, a.source) for a in aliases if (lang, a.name) != ("en", name))
    return out if sources else [(lang, n) for lang, n, _ in out]


class GazetteerFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str | None = None
    entries: list[Entry]
