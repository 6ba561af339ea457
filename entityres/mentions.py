"""Candidate spans: where a text names a person or a place, known to the gazetteer or not.

Tokens → forms → spans, in one pass over the text:

* **Forms.** Each token offers the word as written, its clitic- and suffix-stripped stems
  (وبوتين → بوتين; a stem's offsets exclude the clitic) and, when the word is rare in the language
  and no gazetteer word, its closest gazetteer words (ترمپ → ترامپ, ولادمیر → ولادیمیر).
* **Gazetteer spans.** Runs of forms that spell a whole alias (کی یف also as کییف), or the first
  or last word of a person's name (عمروف of رستم عمروف). Names never cross punctuation or a line.
* **Filters.** A stem that is an adjective of nationality (آمریکایی, الروسي) is no place; a
  name followed by an organisation's head word (ایران اینترنشنال) is part of that name; an everyday
  word that equals an alias (``not_names``, or a common word that only GeoNames lists as a city)
  is only a mention where the text gives a cue.
* **New names.** Runs of name-like words after a title (رئیس‌جمهور, الرئيس), a place word (شهر,
  ولایت, مدينة), an Arabic verb of saying (قال), "by" in a credit, a byline (``agency; Name -``),
  and runs of capitalised Latin words in Arabic-script text.

The longest span wins an overlap; a full alias beats a part of a name. Spans carry offsets into
the original text, through :class:`entityres.normalize.Normalized`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Indel

from . import cues
from .frequency import zipf
from .index import Index, fold_word, word_blocking_keys
from .normalize import ZWNJ, Normalized
from .similarity import word_profile, word_similarity
from .tokens import Token, stems

STRIP_COST = 0.02  # a stem loses ties to the word as written
RARE_ZIPF = 3.0  # rarer words may be misspelt names: look for the closest gazetteer word
NAME_ZIPF = 3.5  # a word this common is vocabulary, not a new name (unless a person's name has it)
PERSON_WORD_ZIPF = 6.5  # ... and even then, not the commonest words
CUED_NAME_ZIPF = 4.5  # right after a title, given names as common as کامران (4.1) are names
COMMON_ZIPF = 3.5  # a city known only from GeoNames is not found in a word this common
FUZZY_WORD = 0.9  # a rare word this close to a gazetteer word is taken as a spelling of it
MIN_FUZZY = 4  # shorter words have too many neighbours to correct
SAME_LETTERS = 0.8  # a misspelling keeps most letters (ترمپ ترامپ), a different word does not (گامه حماه)
MAX_CORRECTIONS = 2
MAX_NEW_WORDS = 3


class Form(NamedTuple):
    key: str  # folded, as the index's exact keys
    start: int  # original offsets
    end: int
    cost: float
    starts_only: bool  # a proclitic was stripped: the form can only begin a name
    ends_only: bool  # a suffix was stripped: the form can only end a name


class Span(NamedTuple):
    first: int  # token positions, inclusive
    last: int
    start: int  # original offsets
    end: int
    kind: str  # alias | part | new
    aliases: tuple[int, ...]  # alias numbers in the index (empty for new names)
    cost: float  # letters changed to get here: stripped clitics, corrected spellings
    type: str | None  # person | place for new names; None: the gazetteer decides
    cue: str | None  # title | place_word | saying | credit | byline | latin (new names; or a title before a known name)
    weak: bool  # an everyday word: only a mention with a cue or another mention of the entity
    key: str  # the folded words that matched (the exact key of an alias or a part; the text for new names)


def _fold(text: str) -> str:
    return " ".join(fold_word(w) for w in text.replace(ZWNJ, " ").split())


@lru_cache(maxsize=1 << 16)
def corrections(word: str, lang: str | None, index: Index) -> tuple[tuple[str, float], ...]:
    """Gazetteer words that a rare word is probably a spelling of, with their similarity."""
    profile = word_profile(word, lang)
    vocab = index.vocab
    # Only spellings in the same script: a Persian word is not a misspelt Latin one.
    found = {v for key in word_blocking_keys(profile) for v in index.vocab_postings.get(key, ())
             if vocab[v].arabic == profile.arabic}
    scored = sorted(((word_similarity(profile, vocab[v]), v) for v in found
                     if Indel.normalized_similarity(profile.surface, vocab[v].surface) >= SAME_LETTERS), reverse=True)
    return tuple((v, s) for s, v in scored[:MAX_CORRECTIONS] if s >= FUZZY_WORD)


def token_forms(token: Token, norm: Normalized, lang: str | None, index: Index) -> list[Form]:
    out = []
    for n, stem in enumerate(stems(token, norm, lang)):
        key = _fold(stem.text)
        if not key:
            continue
        cost = STRIP_COST if n else 0.0
        out.append(Form(key, stem.start, stem.end, cost, bool(stem.prefix), bool(stem.suffix)))
        # A suffix-stripped stem is not corrected: a stem and a suffix that both came out wrong
        # make anything (نیروهای → نیروه → نایرو, Nauru).
        if (not stem.suffix and key not in index.vocab and " " not in key and len(key) >= MIN_FUZZY
                and zipf(stem.text, lang) < RARE_ZIPF):
            out.extend(Form(v, stem.start, stem.end, cost + 1.0 - s, bool(stem.prefix), bool(stem.suffix))
                       for v, s in corrections(key, lang, index))
    return out


def _segments(norm: Normalized, tokens: list[Token]) -> list[int]:
    """Segment number of each token: names never cross punctuation or a line break."""
    seg, out = 0, []
    for i, tok in enumerate(tokens):
        if i and norm.text[tokens[i - 1].nend:tok.nstart].strip(" "):
            seg += 1
        out.append(seg)
    return out


class _Doc(NamedTuple):
    norm: Normalized
    tokens: list[Token]
    words: list[str]  # normalised token texts, for the cue tables
    forms: list[list[Form]]
    segs: list[int]
    lang: str | None
    index: Index


def _gazetteer_spans(doc: _Doc) -> list[Span]:
    index, forms, segs = doc.index, doc.forms, doc.segs
    out: list[Span] = []

    def walk(i: int, j: int, key: str, cost: float, start: int) -> None:
        for f in forms[j]:
            if j > i and f.starts_only:
                continue
            k = f"{key} {f.key}" if key else f.key
            if k not in index.prefixes and k not in index.exact:
                continue
            if k in index.exact:
                out.append(Span(i, j, start if key else f.start, f.end, "alias", index.exact[k], cost + f.cost,
                                None, None, False, k))
            if not f.ends_only and j + 1 < len(forms) and segs[j + 1] == segs[i] and k in index.prefixes:
                walk(i, j + 1, k, cost + f.cost, start if key else f.start)

    for i in range(len(forms)):
        walk(i, i, "", 0.0, 0)
        for f in forms[i]:
            if f.key in index.parts:
                out.append(Span(i, i, f.start, f.end, "part", index.parts[f.key], f.cost, None, None, False, f.key))
            if i + 1 < len(forms) and segs[i + 1] == segs[i] and not f.ends_only:
                for g in forms[i + 1]:  # a name written apart: کی یف for کییف
                    if not g.starts_only and (f.key + g.key) in index.exact:
                        out.append(Span(i, i + 1, f.start, g.end, "alias", index.exact[f.key + g.key],
                                        f.cost + g.cost + STRIP_COST, None, None, False, f.key + g.key))
    return [s for s in out if _keep(doc, s)]


@lru_cache(maxsize=None)
def _place_names(index: Index) -> frozenset[str]:
    return frozenset(a.key.replace(" ", "") for a in index.aliases if a.type == "place")


@lru_cache(maxsize=None)
def _not_names(lang: str | None) -> frozenset[str]:
    return frozenset(_fold(p[0]) for p in cues.phrases("not_names", lang) if len(p) == 1)


def _keep(doc: _Doc, span: Span) -> bool:
    """False for a span the filters of the module docstring reject."""
    last = doc.tokens[span.last]
    if (span.end < last.end or span.cost) and cues.is_nationality_adjective(last.text, doc.lang, _place_names(doc.index)):
        return False
    if span.last + 1 < len(doc.words) and doc.segs[span.last + 1] == doc.segs[span.last]:
        if cues.match_at(doc.words, span.last + 1, "organisation_endings", doc.lang):
            return False
    if span.first == span.last:
        aliases = [doc.index.aliases[a] for a in span.aliases]
        if all(a.trust < 1.0 for a in aliases) and zipf(last.text, doc.lang) >= COMMON_ZIPF:
            return False
    return True


def _is_weak(doc: _Doc, span: Span) -> bool:
    return span.key in _not_names(doc.lang)


def select(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: the longest first, a whole alias before a part, the cheapest."""
    taken: set[int] = set()
    out = []
    for s in sorted(spans, key=lambda s: (-(s.last - s.first), s.kind != "alias", s.cost, s.first)):
        cover = range(s.first, s.last + 1)
        if taken.isdisjoint(cover):
            taken.update(cover)
            out.append(s)
    return sorted(out, key=lambda s: s.first)


def _name_like(doc: _Doc, i: int, ceiling: float = NAME_ZIPF) -> bool:
    """May token ``i`` be part of a name no gazetteer holds, if it is rarer than ``ceiling``?"""
    word = doc.tokens[i].text
    if not any(c.isalpha() for c in word) or len(word) < 2:
        return False
    for group in _STOP_GROUPS:  # a cue word is not a name, nor is the end of a cue phrase
        if cues.match_at(doc.words, i, group, doc.lang) or cues.match_before(doc.words, i + 1, group, doc.lang):
            return False
    if cues.is_nationality_adjective(word, doc.lang, _place_names(doc.index)):
        return False
    common = zipf(word, doc.lang)
    return common < ceiling or (common < PERSON_WORD_ZIPF and doc.forms[i][0].key in _person_words(doc.index))


@lru_cache(maxsize=None)
def _person_words(index: Index) -> frozenset[str]:
    return frozenset(w for a in index.aliases if a.type == "person" for w in a.key.split(" "))


_STOP_GROUPS = ("person_titles", "person_cues_after", "person_cues_before", "place_words", "place_prepositions",
                "organisation_words", "not_names")
_NEW_CUES = (("person_titles", "person", "title"), ("person_cues_before", "person", "saying"),
             ("place_words", "place", "place_word"))


def _run(doc: _Doc, i: int, taken: set[int], limit: int = MAX_NEW_WORDS, ceiling: float = NAME_ZIPF) -> int:
    """How many name-like, unclaimed tokens start at ``i`` in one segment (no commoner than ``ceiling``)."""
    n = 0
    while (i + n < len(doc.tokens) and n < limit and i + n not in taken and doc.segs[i + n] == doc.segs[i]
           and _name_like(doc, i + n, ceiling)):
        n += 1
    if n and cues.match_before(doc.words, i + n, "organisation_endings", doc.lang):
        return 0  # Getty Images, ایران اینترنشنال: an organisation
    return n


def _gap(doc: _Doc, i: int) -> str:
    """What stands between token ``i - 1`` and token ``i``, spaces removed."""
    return doc.norm.text[doc.tokens[i - 1].nend:doc.tokens[i].nstart].replace(" ", "")


def _cue_before(doc: _Doc, i: int, group: str, starts: dict[int, int]) -> bool:
    """Does a phrase of ``group`` stand before token ``i``?

    Between a title and its name there may be a comma (سخنگوی دولت، X), a place the text names
    (وزیر خارجه آمریکا X), or, in Arabic, the definite noun of the body the title serves
    (المتحدث باسم الحكومة X).
    """
    j = i
    for _ in range(2):
        if j == 0:
            return False
        gap = _gap(doc, j)
        if gap in ("", ",") and (gap == "" or group == "person_titles") and cues.match_before(doc.words, j, group, doc.lang):
            return True
        if gap or group != "person_titles":
            return False
        if j in starts:  # a gazetteer place ends right before j
            j = starts[j]
        elif doc.words[j - 1].startswith("ال") and zipf(doc.words[j - 1], doc.lang) >= NAME_ZIPF:
            j -= 1
        else:
            return False
    return False


def _new_spans(doc: _Doc, known: list[Span]) -> list[Span]:
    out = []
    tokens, text = doc.tokens, doc.norm.text
    taken = {i for s in known for i in range(s.first, s.last + 1)}
    starts = {s.last + 1: s.first for s in known}
    arabic_doc = any("\u0600" <= c <= "\u06ff" for c in text[:2000])
    i = 0
    while i < len(tokens):
        found = None
        if i not in taken:
            for group, kind, cue in _NEW_CUES:
                if _cue_before(doc, i, group, starts):
                    n = _run(doc, i, taken, 2 if kind == "place" else MAX_NEW_WORDS,
                             CUED_NAME_ZIPF if cue == "title" else NAME_ZIPF)
                    if n:
                        found = (n, kind, cue)
                        break
            if found is None and arabic_doc and tokens[i].text[:1].isupper():
                n = 0
                while (i + n < len(tokens) and i + n not in taken and tokens[i + n].text[:1].isupper()
                       and doc.segs[i + n] == doc.segs[i] and n < MAX_NEW_WORDS):
                    n += 1
                if cues.match_before(doc.words, i + n, "organisation_endings", doc.lang):
                    n = 0
                if n >= 2 or (n == 1 and i and cues.match_before(doc.words, i, "person_cues_before", doc.lang)):
                    found = (n, "person", "latin")
            if found is None and i and ";" in _gap(doc, i):
                n = _run(doc, i, taken, ceiling=float("inf"))
                if n >= 2 and i + n < len(tokens) and "-" in _gap(doc, i + n):
                    found = (n, "person", "byline")
        if found:
            n, kind, cue = found
            key = " ".join(doc.forms[k][0].key for k in range(i, i + n))
            out.append(Span(i, i + n - 1, tokens[i].start, tokens[i + n - 1].end, "new", (), 0.0, kind, cue, False, key))
            i += n
        else:
            i += 1
    return out


def _without_place_word(doc: _Doc, span: Span) -> Span:
    """ایالت فلوریدا → فلوریدا: a place word is not part of the span, though aliases may hold it."""
    n = cues.match_at(doc.words, span.first, "place_words", doc.lang)
    if n and span.first + n <= span.last:
        first = span.first + n
        return span._replace(first=first, start=doc.tokens[first].start)
    return span


def detect(norm: Normalized, tokens: list[Token], lang: str | None, index: Index) -> list[Span]:
    """All mention spans of a normalised, tokenised text, in text order, without overlaps."""
    doc = _Doc(norm, tokens, [t.text for t in tokens], [token_forms(t, norm, lang, index) for t in tokens],
               _segments(norm, tokens), lang, index)
    known = [_without_place_word(doc, s) for s in select(_gazetteer_spans(doc))]
    known = [s._replace(weak=_is_weak(doc, s), cue=_title_cue(doc, s)) for s in known]
    return sorted(known + _new_spans(doc, known), key=lambda s: s.first)


def _title_cue(doc: _Doc, span: Span) -> str | None:
    """The cue before a known name, which tells person from place when an alias names both."""
    if span.first and doc.segs[span.first - 1] == doc.segs[span.first]:
        if cues.match_before(doc.words, span.first, "person_titles", doc.lang):
            return "title"
        if cues.match_before(doc.words, span.first, "place_words", doc.lang):
            return "place_word"
    return None
