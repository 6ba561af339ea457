"""Why a name was matched or a mention linked: one model for ``Match`` and ``Mention``.

The matcher (:func:`entityres.gazetteer.match.match`) fills the word alignment (``parts`` and the
words left out); the resolver says how a mention was linked within its document and which cue
found or supported it. ``str(explanation)`` gives one readable line.
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Part(BaseModel):
    """One aligned unit: query words, alias words, their similarity."""

    model_config = ConfigDict(frozen=True)

    query: str
    alias: str
    score: float
    reading: str  # a Latin reading of the query words (entityres.latin_reading)
    query_key: str  # the cross-script keys that met best (entityres.text.keys)
    alias_key: str


class Explanation(BaseModel):
    """How a name met a gazetteer alias, or why a mention is a new entity.

    ``how`` is, for the matcher, ``exact`` | ``aligned`` | ``joined`` (compared without spaces);
    for a mention, ``exact`` | ``corrected`` (a misspelling or a stripped clitic) | ``part`` (a
    first or last name alone) | ``context`` (another mention of the document decided) |
    ``related`` (the document names the place's country or parent) | ``new`` (no gazetteer entry:
    found by ``cue``).
    """

    model_config = ConfigDict(frozen=True)

    how: str
    alias: str | None = None  # the gazetteer name that matched (None for a new entity)
    alias_lang: str | None = None
    parts: tuple[Part, ...] = ()
    unmatched_query: tuple[str, ...] = ()
    unmatched_alias: tuple[str, ...] = ()
    title: str | None = None  # a title removed from the query
    cue: str | None = None  # title | place_word | saying | credit | byline | latin: what found or supported a mention
    ambiguous: bool = False  # the alias names other entries too

    def __str__(self) -> str:
        if self.alias is None:
            return f"{self.how}: {self.cue} cue" if self.cue else self.how
        out = f"{self.how}: {self.alias!r} ({self.alias_lang or 'und'})"
        if self.parts:
            out += "; " + ", ".join(f"{p.query}~{p.alias} {p.score:.2f}" for p in self.parts)
        if self.unmatched_alias:
            out += f"; without {' '.join(self.unmatched_alias)}"
        if self.title:
            out += f"; title {self.title}"
        if self.cue:
            out += f"; {self.cue} before"
        if self.ambiguous:
            out += "; ambiguous alias"
        return out
