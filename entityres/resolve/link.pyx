# cython: language_level=3, annotation_typing=False, binding=True
"""Links: which gazetteer entry each span names, decided within its document.

* A whole alias scores 1, less what it took to read it (a stripped clitic, a corrected spelling),
  times its source's trust; an alias several entries share scores a little less.
* A first or last name alone is scored by the matcher (:func:`entityres.gazetteer.match.score_alias`),
  about 0.83 for a surname: well below the full name.
* The document decides: an entry that the text also names unambiguously (by a full alias) wins a
  surname or an ambiguous alias (عمروف after رستم عمروف; ترامپ after دونالد ترامپ); among the
  entries an alias fits, one whose country or parent the text names comes first (طرابلس with
  لبنان). A title before the name favours a person, a place word a place.
* A surname several people share goes to the one of them whose ``prominence`` reaches
  ``SURNAME_PROMINENCE`` (ترامپ alone is Donald Trump, not Melania), scored as if it were his
  alone and at least ``PROMINENT_SURNAME`` (اردوغان of رجب طیب اردوغان, though a middle name is missing);
  when none of them is, only a title or the full name elsewhere in the text says who it is.
* Otherwise the best-scored entry wins; a tie is broken towards the more prominent entry, then the
  one with more names (the better-known one); a tie that remains lowers the score so it shows.
* An everyday word that equals an alias (``weak``) is kept only with a cue or when the text
  names the same entry elsewhere; a part of a name that nothing supports above the threshold is
  dropped.
* A name the tagger found over the words of other spans (:func:`entityres.resolve.mentions.with_tagged`)
  is decided last: it is a new name if all of those spans were dropped.
"""
from __future__ import annotations

from typing import NamedTuple

from ..gazetteer.index import Index
from ..memo import PAIRS, WORDS, per_index
from ..gazetteer.match import MATCH_THRESHOLD, AMBIGUOUS_FACTOR, make_query, score_alias
from .mentions import Span, prominent

CONTEXT_SCORE = 0.95  # a part of a name, or an ambiguous alias, that the document resolves
CUE_FACTOR = 0.7  # a candidate of the type a cue speaks against, when the alias names both types
TIE_FACTOR = 0.9  # an undecided choice between equally scored entries
NEW_SCORE = 0.7  # a name found by a cue alone: probably a name, below any gazetteer link
RELATED_BONUS = 0.02  # an ambiguous place whose country or parent the text names
PROMINENT_SURNAME = 0.93  # a prominent person's surname alone, as the matcher scores a two-word name's


def _related(entry, index: Index, named: set[int]) -> bool:
    """Does the document name the entry's parent, country or capital?"""
    return any(ref is not None and index.by_id.get(ref) in named for ref in (entry.parent, entry.country, entry.capital))


class Link(NamedTuple):
    span: Span
    entry: int | None  # index entry number; None for a name no gazetteer holds
    score: float
    alias: int | None  # the alias number that matched
    how: str  # exact | corrected | part | context | new


@per_index(PAIRS)
def _part_score(text: str, lang: str | None, alias: int, index: Index) -> float:
    return score_alias(make_query(text, lang), index.aliases[alias])[0]


@per_index(WORDS)
def _candidates(aliases: tuple[int, ...], kind: str, cost: float, text: str, lang: str | None,
                index: Index) -> dict[int, tuple[float, int]]:
    """entry → (score, alias) for one gazetteer span (its aliases, kind and cost), written ``text``.
    Memoised: the same names come back across documents. Read-only."""
    out: dict[int, tuple[float, int]] = {}
    entries = {index.aliases[a].entry for a in aliases}
    # A surname several people share is not ambiguous when one of them alone is prominent (ترامپ).
    known = prominent(aliases, index) if kind == "part" else frozenset()
    for a in aliases:
        alias = index.aliases[a]
        if kind == "alias":
            score = max(0.0, 1.0 - cost)
        else:
            score = _part_score(text, lang, a, index) - cost
        shared = len(entries) > 1 and known != {alias.entry}
        score *= alias.trust * (AMBIGUOUS_FACTOR if shared else 1.0)
        if score > out.get(alias.entry, (-1.0, 0))[0]:
            out[alias.entry] = (score, a)
    return out


def link(spans: list[Span], text: str, lang: str | None, index: Index) -> list[Link]:
    """One link per kept span, in text order; the kept spans do not overlap."""
    candidates = _candidates.on(index)
    cands = [(candidates(s.aliases, s.kind, s.cost, text[s.start:s.end], lang) if s.kind != "new" else {})
             for s in spans]
    named = {e for s, c in zip(spans, cands) if s.kind == "alias" and not s.weak and len(c) == 1 for e in c}
    out = []
    taken: set[int] = set()  # tokens of the kept spans
    # the tagger's names last: they give way to the spans they overlap
    for span, cand in sorted(zip(spans, cands), key=lambda sc: sc[0].cue == "tagger"):
        if span.kind == "new":
            if not taken.isdisjoint(range(span.first, span.last + 1)):
                continue
            out.append(tuple.__new__(Link, (span, None, NEW_SCORE, None, "new")))
            taken.update(range(span.first, span.last + 1))
            continue
        scored = []
        types = {index.entries.stored(e).type for e in cand}  # read as held: none made
        known = prominent(span.aliases, index) if span.kind == "part" else frozenset()
        for entry, (score, alias) in cand.items():
            how = "exact" if span.kind == "alias" and span.cost == 0 else "corrected" if span.kind == "alias" else "part"
            held = index.entries.stored(entry)
            etype = held.type
            if span.cue and len(types) > 1 and (span.cue == "title") != (etype == "person"):
                score *= CUE_FACTOR
            if span.kind == "part" and entry in known:
                score = max(score, PROMINENT_SURNAME)
            if entry in named and (span.kind == "part" or len(cand) > 1 or span.weak):
                score, how = max(score, CONTEXT_SCORE), "context"
            elif len(cand) > 1 and _related(held, index, named):
                score = min(1.0, score + RELATED_BONUS)  # طرابلس beside لبنان is Lebanon's Tripoli
                how = "related"
            scored.append((score, held.prominence or 0.0, len(held.names), -entry, alias, how))
        if not scored:
            continue
        scored.sort(reverse=True)
        score, fame, _, neg_entry, alias, how = scored[0]
        if span.weak and how != "context" and not span.cue:
            continue
        if span.kind == "part" and len(cand) > 1 and not known and how != "context" and not span.cue:
            continue  # a surname several people share, none of them prominent: the text must say who
        if score < MATCH_THRESHOLD and how != "context":
            continue
        if len(scored) > 1 and scored[1][:2] == (score, fame):  # kept, but the score says it was a guess
            score *= TIE_FACTOR
        out.append(tuple.__new__(Link, (span, -neg_entry, round(score, 4), alias, how)))
        taken.update(range(span.first, span.last + 1))
    return sorted(out, key=lambda lk: lk.span.first)
