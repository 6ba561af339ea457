# cython: language_level=3, annotation_typing=False, binding=True
"""Candidate spans: where a text names a person or a place, known to the gazetteer or not.

Tokens → forms → spans, in one pass over the text:

* **Forms.** Each token offers the word as written, its clitic- and suffix-stripped stems
  (وبوتين → بوتين, آلاسکای → آلاسکا; a stem's offsets exclude the affix, but for the Arabic article,
  part of the name: والمدينة → المدينة), two adjacent words of a
  gazetteer name written as one (نعمتالله → نعمت الله, بنزاید → بن زاید) and, when the word is rare in
  the language and neither it nor a stem is a gazetteer word, its closest gazetteer words
  (ترمپ → ترامپ, ولادمیر → ولادیمیر).
* **Gazetteer spans.** Runs of forms that spell a whole alias (کی یف also as کییف), or the first
  or last word of a person's name (عمروف of رستم عمروف). Names never cross punctuation or a line.
* **Filters.** A stem that is an adjective of nationality (آمریکایی, الروسي, ترکی) is no place; a
  name followed by an organisation's head word (ایران اینترنشنال), inside a known organisation's
  name (صدای امریکا) or after a media or party head (خبرگزاری کار ایران) is part of that name; a
  title an alias spells (سید علی خامنه‌ای) is left out of the span; an everyday word that equals an
  alias (``not_names``, a common noun by its frequencies such as مدينة, or a common word that only
  GeoNames lists as a city) is only a mention where the text gives a cue or names the entity fully.
* **New names.** Runs of name-like words after a title (رئیس‌جمهور, الرئيس), a place word (شهر,
  ولایت, مدينة), an Arabic verb of saying (قال), "by" in a credit, a byline (``agency; Name -``),
  and runs of capitalised Latin words in Arabic-script text.

The longest span wins an overlap; a full alias beats a part of a name. Spans carry offsets into
the original text, through :class:`entityres.text.normalize.Normalized`.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import accumulate, compress, count
from operator import itemgetter
from typing import NamedTuple, Sequence

from ..limits import MAX_WORD_CHARS
from ..memo import SMALL, WORDS, bounded, each_word, per_index
from ..text import cues
from ..text.frequency import zipf
from ..text.keys import ARTICLE
from ..gazetteer.index import TYPE_CODES, Index, blocking_keys, fold_word
from ..gazetteer._index import Keys, alias_walks, key_pieces
from ..text.langs import ARABIC_LETTER
from ..text.normalize import ZWNJ, Normalized
from ..text.similarity import word_profile, word_similarity, word_sketch
from ..text._kernels import capitalised, near_letters, short_pairs, starting
from ..text.tokens import Token, squeezed_gaps, stem_cuts

STRIP_COST = 0.02  # a stem loses ties to the word as written
RARE_ZIPF = 3.0  # rarer words may be misspelt names: look for the closest gazetteer word
NAME_ZIPF = 3.5  # a word this common is vocabulary, not a new name (unless a person's name has it)
PERSON_WORD_ZIPF = 6.5  # ... and even then, not the commonest words
CUED_NAME_ZIPF = 4.5  # right after a title, given names as common as کامران (4.1) are names
TAGGED_NAME_ZIPF = 4.5  # ... and where the tagger sees a name; a tagged span of commoner words only is vocabulary
COMMON_ZIPF = 3.5  # a city known only from GeoNames is not found in a word this common
# A surname this common as a word needs support to be a mention on its own. wordfreq's Persian list
# is much shorter than its Arabic one, so the same commonness sits higher on its scale.
PART_ZIPF = {"fa": 5.5, "prs": 5.5, "ar": 4.5}
# ... unless the person is this prominent (docs/gazetteer.md): heads of state and government,
# household names. A surname several entries share goes to the one prominent among them.
SURNAME_PROMINENCE = 0.8
FUZZY_WORD = 0.9  # a rare word this close to a gazetteer word is taken as a spelling of it
MIN_FUZZY = 4  # shorter words have too many neighbours to correct
SAME_LETTERS = 0.8  # a misspelling keeps most letters (ترمپ ترامپ), a different word does not (گامه حماه)
MAX_CORRECTIONS = 2
MAX_NEW_WORDS = 3
MIN_PIECE = 2  # a name written as one word splits into words this long or longer: بن + زاید
ORG_GAP = 2  # words between an organisation's head and a place that is part of its name
PLACE = TYPE_CODES["place"]  # a place alias's byte in Index.alias_types
NAME_KINDS = ("country", "continent")  # names that are never common nouns; their homographs are not_names
SPLIT_PIECE = 3  # names written apart split off a short piece: کی یف, خامنه ای, ابو ظبی, نیو یورک


class Form(NamedTuple):
    """One reading of a token; ``start``/``end`` are offsets into the token's normalised text."""

    key: str  # folded, as the index's exact keys
    start: int
    end: int
    cost: float
    starts_only: bool  # a proclitic was stripped: the form can only begin a name
    ends_only: bool  # a suffix was stripped: the form can only end a name


# Spans and links are made by tuple.__new__(Span, (...)): the NamedTuple's own __new__ is a Python
# function, the tuple's makes the same object in C in a fifth of the time, and a text makes hundreds.
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


@lru_cache(maxsize=WORDS)  # a tagged name's words, a stem: the same few come back
def _fold(text: str) -> str:
    return " ".join(fold_word(w) for w in text.replace(ZWNJ, " ").split())


@per_index(WORDS)
def corrections(word: str, lang: str | None, index: Index) -> tuple[tuple[str, float], ...]:
    """Gazetteer words that a rare word is probably a spelling of, with their similarity."""
    sketch = word_sketch(word)
    vocab, words = index.vocab, index.vocab_words
    # Only spellings in the same script: a Persian word is not a misspelt Latin one.
    found = list(dict.fromkeys(index.vocab_postings.numbers_where(
        blocking_keys(sketch.keys, query=True), _vocab_arabic(index), sketch.arabic)))
    near = [words[found[k]] for k in near_letters(vocab.surfaces(found), sketch.surface, SAME_LETTERS)]
    if not near:  # the word's readings, most of its profile's cost, only where they are compared
        return ()
    profile = word_profile(word, lang)
    scored = sorted(((word_similarity(profile, vocab[v]), v) for v in near), reverse=True)
    return tuple((v, s) for s, v in scored[:MAX_CORRECTIONS] if s >= FUZZY_WORD)


@per_index(None)
def _vocab_arabic(index: Index) -> bytes:
    """A byte per vocabulary word (:attr:`Index.vocab_words`' order), 1 for Arabic script."""
    return index.vocab.arabic()


# The sets of a whole index's keys below are made in C and held there (Keys): as frozensets, at a
# million entries they took 2.5 s to make on the first text, and the cycle collector walked their
# 1.6 million strings on each full collection, a fifth of resolve()'s time.
@per_index(None)
def _word_pairs(index: Index) -> Keys:
    """Every two adjacent words of an alias ("نعمت الله"), to read a name written as one word."""
    return key_pieces(index.aliases.keys, "pairs")


def joined_readings(key: str, index: Index) -> tuple[str, ...]:
    """A word that is two adjacent words of a gazetteer name written without ZWNJ or space
    (نعمتالله, شمسالدین, بنزاید), read as those two words: ("نعمت الله",)."""
    if key in index.vocab or " " in key:
        return ()
    pairs = _word_pairs(index)
    return tuple(f"{key[:i]} {key[i:]}" for i in range(MIN_PIECE, len(key) - MIN_PIECE + 1)
                 if f"{key[:i]} {key[i:]}" in pairs)


@per_index(WORDS)
def token_forms(word: str, lang: str | None, index: Index) -> tuple[Form, ...]:
    """The forms of one normalised token: as written, its stems, joined names read apart, and
    corrections of rare words."""
    out = []
    stems = [(n, a, b, _fold(word[a:b])) for n, (a, b) in enumerate(stem_cuts(word, lang))]
    # A word whose stem is a gazetteer word is read as that stem, not corrected to a neighbour
    # (آلاسکای is آلاسکا + ezafe, not a misspelling of it that would keep the ی in the span).
    known = any(key in index.vocab for _, _, _, key in stems)
    for n, a, b, key in stems:
        if not key:
            continue
        cost = STRIP_COST if n else 0.0
        prefix, suffix = a > 0, b < len(word)
        out.append(Form(key, a, b, cost, prefix, suffix))
        out.extend(Form(k, a, b, cost, prefix, suffix) for k in joined_readings(key, index))
        # A suffix-stripped stem is not corrected: a stem and a suffix that both came out wrong
        # make anything (نیروهای → نیروه → نایرو, Nauru).
        if (not suffix and not known and " " not in key and len(key) >= MIN_FUZZY
                and zipf(word[a:b], lang) < RARE_ZIPF):
            out.extend(Form(v, a, b, cost + 1.0 - s, prefix, suffix) for v, s in corrections(key, lang, index))
    return tuple(out)


def _gaps(norm: Normalized, tokens: list[Token]) -> tuple[list[str], list[int]]:
    """What stands before each token (spaces removed), and its segment number: names never cross
    punctuation or a line break."""
    gaps = squeezed_gaps(norm, tokens)
    return gaps, list(accumulate(map(bool, gaps)))


class _Doc(NamedTuple):
    norm: Normalized
    tokens: list[Token]
    words: list[str]  # normalised token texts, for the cue tables
    forms: list[tuple[Form, ...]]
    gaps: list[str]  # what stands before each token, spaces removed
    segs: list[int]
    lang: str | None
    index: Index
    orgs: dict[int, int]  # token position → start of the organisation name that covers it (طالبان, صدای امریکا)
    at: dict[str, list[int]]  # per cue group, the phrase that starts at each token (cues.Rows)
    before: dict[str, list[int]]  # per cue group, the phrase that ends right before each position


def _span(doc: _Doc, i: int, j: int, fi: Form, fj: Form, kind: str, aliases, cost: float, key: str,
          weak: bool = False) -> Span:
    """A gazetteer span of tokens i..j, from form ``fi`` of the first to form ``fj`` of the last."""
    norm, tokens = doc.norm, doc.tokens
    # the article is part of an Arabic name, though the alias met may leave it out (المدينة, not مدينة)
    a = fi.start - len(ARTICLE) if doc.words[i][:fi.start].endswith(ARTICLE) else fi.start
    # forms are never empty: the span from the first's start to the last's end maps to the same ends
    start, end = norm.span(tokens[i].nstart + a, tokens[j].nstart + fj.end)
    return tuple.__new__(Span, (i, j, start, end, kind, aliases, cost, None, None, weak, key))


def _gazetteer_spans(doc: _Doc) -> list[Span]:
    index, forms, segs = doc.index, doc.forms, doc.segs
    exact, parts, given = index.exact, index.parts, index.given
    words, titles, lang = doc.words, doc.at["person_titles"], doc.lang
    may = each_word(_hot_words(lang, index), words, lambda w: _may_start(w, lang, index))
    apart = bounded(_apart_memo(lang, index))
    pieces = {}  # i → names written apart (کی یف for کییف) whose first piece is token i: (f, g) form pairs
    # Only where one word of two adjacent ones is short (SPLIT_PIECE) and no punctuation parts them.
    for i in short_pairs(words, segs, SPLIT_PIECE):
        pair = (words[i], words[i + 1])
        found = apart.get(pair)
        if found is None:
            found = apart[pair] = tuple((f, g) for f in forms[i] if not f.ends_only for g in forms[i + 1]
                                        if not g.starts_only and (f.key + g.key) in exact)
        if found:
            pieces[i] = found
    starts = list(compress(count(), may))
    # The aliases read from token i on, in C; the part and apart spans of each i come after them, as
    # select() needs (of two spans it ranks alike, the first in this list wins; both begin at i).
    out = [_span(doc, i, j, fi, fj, "alias", aliases, cost, k)
           for i, j, fi, fj, cost, k, aliases in alias_walks(forms, segs, starts, exact, index.prefixes)]
    for i in sorted(set(starts).union(pieces)):
        if may[i]:
            for f in forms[i]:
                # A surname alone names its person; a given name alone, or a surname that is also
                # an everyday word (اسلامی, سريع, العدل), only where the text supports it (weak).
                if (f.key in parts or f.key in given) and titles[i]:
                    continue  # a title is no part of a name on its own (الشيخ)
                run = parts.get(f.key)
                if run is not None:
                    word = words[i][f.start:f.end].replace(ZWNJ, "")
                    common = zipf(word, lang) >= PART_ZIPF.get(lang, 4.5)
                    # Whoever bears it, a surname that is also a given name (حسین, عباس) or a common
                    # noun (جناح "faction", مرز "border") says nothing on its own.
                    weak = ((common and not prominent(run, index)) or f.key in given
                            or cues.is_common_noun(word, lang))
                    out.append(_span(doc, i, i, f, f, "part", run, f.cost, f.key, weak))
                elif f.key in given:
                    out.append(_span(doc, i, i, f, f, "part", given[f.key], f.cost, f.key, True))
        for f, g in pieces.get(i, ()):  # a name written apart, a short piece split off
            out.append(_span(doc, i, i + 1, f, g, "alias", exact[f.key + g.key], f.cost + g.cost + STRIP_COST,
                             f.key + g.key))
    return out


@per_index(SMALL)
def prominent(aliases: tuple[int, ...], index: Index) -> frozenset[int]:
    """The entries of ``aliases`` known well enough (``prominence`` ≥ ``SURNAME_PROMINENCE``) for
    news to name them by surname alone (ترامپ گفت ...). Memoised: each surname in a text asks,
    and the linker asks again."""
    return frozenset(e for a in aliases if (index.entries.stored(e := index.aliases[a].entry).prominence or 0.0) >= SURNAME_PROMINENCE)


@per_index(None)
def _hot_words(lang: str | None, index: Index) -> dict[str, bool]:
    """Per index and language, a memo of :func:`_may_start` by word (a dict: the cheapest lookup)."""
    return {}


@per_index(None)
def _forms_memo(lang: str | None, index: Index) -> dict[str, tuple[Form, ...]]:
    """Per index and language, a memo of :func:`token_forms` by word, for :func:`~entityres.memo.each_word`."""
    return {}


@per_index(None)
def _apart_memo(lang: str | None, index: Index) -> dict[tuple[str, str], tuple[tuple[Form, Form], ...]]:
    """Per index and language, two adjacent words → the pairs of their forms that spell an alias
    written as one word (کی یف: کییف)."""
    return {}


def _may_start(word: str, lang: str | None, index: Index) -> bool:
    """Can a form of this token begin a name or be a part of one?"""
    return any(f.key in index.prefixes or f.key in index.exact or f.key in index.parts or f.key in index.given
               for f in token_forms(word, lang, index))


@per_index(None)
def _place_names(index: Index) -> Keys:
    """The place aliases' keys, their spaces taken out."""
    return key_pieces(index.aliases.keys, "joined", index.alias_types, TYPE_CODES["place"])


@per_index(WORDS)
def _nationality(word: str, lang: str | None, index: Index) -> bool:
    """Is the normalised ``word`` an adjective of nationality (آمریکایی), by the index's place names?"""
    return cues.is_nationality_adjective(word, lang, _place_names(index))


@lru_cache(maxsize=None)
def _not_names(lang: str | None) -> frozenset[str]:
    return frozenset(_fold(p[0]) for p in cues.phrases("not_names", lang) if len(p) == 1)


def _keep(doc: _Doc, span: Span) -> bool:
    """False for a span the filters of the module docstring reject."""
    last = doc.tokens[span.last]
    if ((span.end < last.end or span.cost or span.first == span.last)
            and _nationality(last.text, doc.lang, doc.index)):
        return False
    if span.first in doc.orgs or span.last in doc.orgs or _in_organisation_name(doc, span):
        return False
    if span.last + 1 < len(doc.words) and doc.segs[span.last + 1] == doc.segs[span.last]:
        if doc.at["organisation_endings"][span.last + 1]:
            return False
    # (the word's commonness first: most names are rare words, and it is one lookup)
    if span.first == span.last and zipf(last.text, doc.lang) >= COMMON_ZIPF:
        return not all(doc.index.aliases[a].trust < 1.0 for a in span.aliases)
    return True


def _is_weak(doc: _Doc, span: Span) -> bool:
    """An everyday word that equals an alias: listed (``not_names``), or, for a one-word alias of
    anything but a country or continent, a common noun by its frequencies (مدينة, ماهی)."""
    if span.key in _not_names(doc.lang):
        return True
    if span.kind != "alias" or span.first != span.last or " " in span.key:
        return False
    index = doc.index
    if any(index.entries.stored(index.aliases[a].entry).kind in NAME_KINDS for a in span.aliases):
        return False
    text = doc.norm.text
    return cues.is_common_noun(text[doc.tokens[span.first].nstart:doc.tokens[span.last].nend].replace(ZWNJ, ""),
                               doc.lang) or cues.is_common_noun(span.key, doc.lang)


def select(doc: _Doc, spans: list[Span]) -> list[Span]:
    """Non-overlapping spans that the filters keep: the longest first, a whole alias before a
    part, the cheapest. Filters run on the winners only; a rejected winner gives way to the rest."""
    taken: set[int] = set()
    out = []
    for s in sorted(spans, key=lambda s: (-(s.last - s.first), s.kind != "alias", s.cost, s.first)):
        cover = range(s.first, s.last + 1)
        if taken.isdisjoint(cover) and _keep(doc, s):
            taken.update(cover)
            out.append(s)
    return sorted(out, key=lambda s: s.first)


def _name_like(doc: _Doc, i: int, ceiling: float = NAME_ZIPF) -> bool:
    """May token ``i`` be part of a name no gazetteer holds, if it is rarer than ``ceiling``?"""
    word = doc.tokens[i].text
    if not any(c.isalpha() for c in word) or len(word) < 2 or i in doc.orgs:
        return False
    # A cue word is not a name, nor is the end of a cue phrase.
    if any(doc.at[g][i] or doc.before[g][i + 1] for g in _STOP_GROUPS):
        return False
    if _nationality(word, doc.lang, doc.index):
        return False
    common = zipf(word, doc.lang)
    return common < ceiling or (common < PERSON_WORD_ZIPF and _key(doc, i) in _person_words(doc.index))


def _key(doc: _Doc, i: int) -> str:
    """The folded form of token ``i`` as written ("" for a token that folds to nothing)."""
    return doc.forms[i][0].key if doc.forms[i] and not doc.forms[i][0].cost else ""


@per_index(None)
def _person_words(index: Index) -> Keys:
    """Every word of the person aliases' keys."""
    return key_pieces(index.aliases.keys, "words", index.alias_types, TYPE_CODES["person"])


_STOP_GROUPS = ("person_titles", "person_cues_after", "person_cues_before", "place_words", "place_prepositions",
                "organisation_words", "organisation_names", "not_names")
_NEW_CUES = (("person_titles", "person", "title"), ("person_cues_before", "person", "saying"),
             ("place_words", "place", "place_word"))


def _organisation(doc: _Doc, end: int) -> bool:
    """Do the words before ``end`` end with an organisation's head word (Getty Images)?"""
    return bool(doc.before["organisation_endings"][end])


def _run(doc: _Doc, i: int, taken: set[int], limit: int = MAX_NEW_WORDS, ceiling: float = NAME_ZIPF) -> int:
    """How many name-like, unclaimed tokens start at ``i`` in one segment (no commoner than ``ceiling``)."""
    if doc.lang == "ar" and doc.words[i].startswith("ال") and zipf(doc.words[i], doc.lang) >= NAME_ZIPF:
        return 0  # a known definite noun after a title is what the title governs (الرئيس الوفد), not a name
    n = 0
    while (i + n < len(doc.tokens) and n < limit and i + n not in taken and doc.segs[i + n] == doc.segs[i]
           and _name_like(doc, i + n, ceiling)):
        n += 1
    return 0 if _organisation(doc, i + n) else n


def _in_organisation_name(doc: _Doc, span: Span) -> bool:
    """Is a name the end of a named organisation's or facility's name, its head at most ``ORG_GAP``
    words before it (خبرگزاری کار ایران, رادیو تلویزیون ملی افغانستان, فرودگاه امام خمینی), with no
    preposition between?"""
    for gap in range(ORG_GAP + 1):
        j = span.first - gap
        if j <= 0 or doc.segs[j] != doc.segs[span.first]:
            return False
        if gap and doc.at["place_prepositions"][j]:
            return False
        if doc.before["organisation_name_heads"][j]:
            return doc.segs[j - 1] == doc.segs[j]
    return False


def _is_place(doc: _Doc, span: Span) -> bool:
    types = doc.index.alias_types  # a byte per alias: no alias made or read
    return any(types[a] == PLACE for a in span.aliases)


def _cue_before(doc: _Doc, i: int, group: str, ends: list[int], starts: dict[int, int]) -> bool:
    """Does a phrase of ``group`` (ending at the positions ``ends``) stand before token ``i``?

    Between a title and its name there may be a comma (سخنگوی دولت، X), a place the text names
    (وزیر خارجه آمریکا X), or, in Arabic, the definite noun of the body the title serves
    (المتحدث باسم الحكومة X).
    """
    j = i
    for _ in range(2):
        if j == 0:
            return False
        if ends[j]:
            return doc.gaps[j] in (("", ",") if group == "person_titles" else ("",))
        if group != "person_titles":
            return False
        if j in starts:  # a gazetteer place ends right before j
            k = starts[j]
        elif j - 1 in doc.orgs:  # an organisation's name: سخنگوی طالبان X
            k = doc.orgs[j - 1]
        elif doc.words[j - 1].startswith("ال") and zipf(doc.words[j - 1], doc.lang) >= NAME_ZIPF:
            k = j - 1
        else:
            return False
        if doc.gaps[j]:
            return False
        j = k
    return False


def _new_spans(doc: _Doc, known: list[Span]) -> list[Span]:
    out = []
    tokens, text = doc.tokens, doc.norm.text
    taken = {i for s in known for i in range(s.first, s.last + 1)}
    # places the text names, which may stand between a title and its name (وزیر خارجه آمریکا X)
    starts = {s.last + 1: s.first for s in known if _is_place(doc, s)}
    ends = {group: doc.before[group] for group, _, _ in _NEW_CUES}
    # Most tokens have no cue, capital or byline before them: only these positions are looked at closely.
    # (positions picked out in C: compress over the rows, the kernels over the words)
    # After an Arabic definite noun only where a title ends before the noun (المتحدث باسم الحكومة X):
    # _cue_before's other ways there start from positions cued already.
    titles = ends["person_titles"]
    cued = set(starts).union(*(compress(count(), row) for row in ends.values()), map((1).__add__, doc.orgs),
                             (i for i in starting(doc.words, "ال", 1) if titles[i - 1]))
    latin = set(capitalised(doc.words)) if ARABIC_LETTER.search(text, 0, 2000) else set()
    bylines = {i for i in compress(count(), doc.gaps) if ";" in doc.gaps[i]}  # most gaps are empty
    free = 0  # the tokens before it are in a new name already
    for i in sorted((cued | latin | bylines) - taken):
        if i < free or i >= len(tokens):
            continue
        found = None
        if i in cued:
            for group, kind, cue in _NEW_CUES:
                # only a title may stand apart from its name: for the rest, a phrase ends right here or none
                if (group == "person_titles" or ends[group][i]) and _cue_before(doc, i, group, ends[group], starts):
                    n = _run(doc, i, taken, 2 if kind == "place" else MAX_NEW_WORDS,
                             CUED_NAME_ZIPF if cue == "title" else NAME_ZIPF)
                    if n:
                        found = (n, kind, cue)
                        break
        if found is None and i in latin:
            n = 0
            while (i + n < len(tokens) and i + n not in taken and tokens[i + n].text[:1].isupper()
                   and doc.segs[i + n] == doc.segs[i] and n < MAX_NEW_WORDS):
                n += 1
            if _organisation(doc, i + n):
                n = 0
            if n >= 2 or (n == 1 and doc.before["person_cues_before"][i]):
                found = (n, "person", "latin")
        if found is None and i in bylines:
            n = _run(doc, i, taken, ceiling=float("inf"))
            if n >= 2 and i + n < len(tokens) and "-" in doc.gaps[i + n]:
                found = (n, "person", "byline")
        if found:
            n, kind, cue = found
            key = " ".join(_key(doc, k) for k in range(i, i + n))
            out.append(tuple.__new__(Span, (i, i + n - 1, tokens[i].start, tokens[i + n - 1].end, "new", (), 0.0,
                                            kind, cue, False, key)))
            free = i + n
    return out


def _without_title(doc: _Doc, span: Span) -> Span:
    """سید علی خامنه‌ای → علی خامنه‌ای: a title or honorific that an alias spells (``person_titles``)
    stays outside the span when the words after it still name the same entry."""
    n = doc.at["person_titles"][span.first]
    if not n or span.first + n > span.last or span.kind != "alias":
        return span
    title = _fold(" ".join(doc.words[span.first:span.first + n])) + " "
    if not span.key.startswith(title):
        return span
    rest = span.key[len(title):]
    entries = {doc.index.aliases[a].entry for a in span.aliases}
    names = doc.index.exact.get(rest, ()) + doc.index.parts.get(rest, ())
    if not any(doc.index.aliases[a].entry in entries for a in names):
        return span
    first = span.first + n
    return span._replace(first=first, start=doc.tokens[first].start)


def _without_place_word(doc: _Doc, span: Span) -> Span:
    """ایالت فلوریدا → فلوریدا: a place word is not part of the span, though aliases may hold it."""
    n = doc.at["place_words"][span.first]
    if n and span.first + n <= span.last:
        first = span.first + n
        return span._replace(first=first, start=doc.tokens[first].start)
    return span


def _organisations(found: list[int], segs: list[int]) -> dict[int, int]:
    """Token positions inside a known organisation's name (``found``: the length of the
    ``cues.yaml`` organisation_names phrase that starts at each token), each mapped to the name's
    first position."""
    out: dict[int, int] = {}
    i = 0
    while i < len(found):
        n = found[i]
        if n and segs[i + n - 1] == segs[i]:
            out.update((k, i) for k in range(i, i + n))
            i += n
        else:
            i += 1
    return out


def detect(norm: Normalized, tokens: list[Token], lang: str | None, index: Index, tagged: Sequence = (),
           cue_rows: cues.Rows | None = None) -> list[Span]:
    """All mention spans of a normalised, tokenised text, in text order, without overlaps but
    for the tagger's spans that give way to others in the linker.

    ``tagged``: the name tagger's spans (:class:`entityres.resolve.tagger.TaggedSpan`), a further
    source of candidates (:func:`with_tagged`). ``cue_rows``: :func:`entityres.text.cues.rows` of
    the tokens' texts, when the caller has them (the tagger reads them too).
    """
    words = list(map(itemgetter(0), tokens))  # Token.text
    gaps, segs = _gaps(norm, tokens)
    at, before = cue_rows or cues.rows(words, lang)
    forms = each_word(_forms_memo(lang, index), words, lambda w: token_forms(w, lang, index))
    doc = _Doc(norm, tokens, words, forms, gaps, segs, lang, index,
               _organisations(at["organisation_names"], segs), at, before)
    known = [_without_title(doc, _without_place_word(doc, s)) for s in select(doc, _gazetteer_spans(doc))]
    known = [tuple.__new__(Span, (*s[:8], _title_cue(doc, s), s.weak or _is_weak(doc, s), s.key)) for s in known]
    new = _new_spans(doc, known)
    if tagged:
        known, new = with_tagged(doc, known, new, tagged)
    return sorted(known + new, key=lambda s: s.first)


def _title_cue(doc: _Doc, span: Span) -> str | None:
    """The cue before a known name, which tells person from place when an alias names both."""
    if span.first and doc.segs[span.first - 1] == doc.segs[span.first]:
        if doc.before["person_titles"][span.first]:
            return "title"
        if doc.before["place_words"][span.first]:
            return "place_word"
    return None


_TAGGED_TYPES = {"PER": "person", "LOC": "place"}
MIN_STEM_LEFT = 3  # letters a new name keeps when a proclitic is taken off it


def with_tagged(doc: _Doc, known: list[Span], new: list[Span], tagged: Sequence) -> tuple[list[Span], list[Span]]:
    """Gazetteer and cue spans joined by the tagger's (``first``, ``last``, ``type`` PER/LOC/ORG).

    * An organisation (طالبان, بانک ملت) takes the new persons the cue rules found inside it; a
      tagged person or place that takes in a known organisation's name (رهبر حماس) is none.
    * A tagged person longer than every span it overlaps, all of them inside it, each a first or
      last name matched alone or a new person of the cue rules, replaces them: the tagger read the
      whole name (X عمروف, حداد عادل, مهدی فتحی; سید حبیب هاشمی where a title rule took حبیب). A
      part read with a proclitic taken off after the first word does not count (ببوتين after a
      name is "with Putin").
    * Tagged persons and places over words no other span claims are new names unless all their
      words are everyday words (``TAGGED_NAME_ZIPF``: رهبری "leadership", کاخ سفید "White House").
    * Any other tagged person or place gives way to the spans it overlaps, and the linker takes it
      when all of those fall (a surname nothing supports, an everyday word that equals an alias):
      :func:`entityres.resolve.link.link`.

    New names take the cue ``tagger``; an Arabic conjunction or preposition before the name is
    left out (وأحمد). The result may overlap where the tagger's spans give way.
    """
    # Token maps keep this linear in the spans (long texts have thousands).
    org_tokens = {i for t in tagged if t.type == "ORG" for i in range(t.first, t.last + 1)}
    new = [s for s in new if s.type != "person" or org_tokens.isdisjoint(range(s.first, s.last + 1))]
    span_at: dict[int, Span] = {i: s for s in known + new for i in range(s.first, s.last + 1)}
    replaced: set[int] = set()  # id() of the spans a tagged person replaces
    out = []
    for t in tagged:
        kind = _TAGGED_TYPES.get(t.type)
        cover = range(t.first, t.last + 1)
        if kind is None or _overlong(doc, t.first, t.last) or any(i in doc.orgs for i in cover):
            continue  # not a person or place; no name; or it takes in a known organisation (رهبر حماس)
        over = list({id(s): s for i in cover if (s := span_at.get(i)) is not None}.values())
        if not over and all(zipf(doc.words[i], doc.lang) >= TAGGED_NAME_ZIPF for i in cover):
            continue  # everyday words only
        if (over and kind == "person"
                and all(t.first <= s.first and s.last <= t.last and s.last - s.first < t.last - t.first
                        and ((s.kind == "part" and (s.first == t.first or s.start == doc.tokens[s.first].start))
                             or (s.kind == "new" and s.type == "person")) for s in over)):
            replaced.update(id(s) for s in over)
        out.append(_tagged_span(doc, t.first, t.last, kind))
    return [s for s in known if id(s) not in replaced], [s for s in new if id(s) not in replaced] + out


def _overlong(doc: _Doc, first: int, last: int) -> bool:
    """Tokens written together into a word past MAX_WORD_CHARS (runs of symbols): no name."""
    start, end = doc.tokens[first].nstart, doc.tokens[last].nend
    return end - start > MAX_WORD_CHARS and any(len(w) > MAX_WORD_CHARS for w in doc.norm.text[start:end].split())


@lru_cache(maxsize=WORDS)  # (a text's tagged names are mostly names the text repeats)
def _name_start(word: str, lang: str | None) -> int:
    """Where a tagged name begins in its first word: after an Arabic conjunction or preposition
    (وأحمد: 1), else at 0."""
    if lang == "ar":
        for a, b in stem_cuts(word, lang)[1:]:
            # the stem must be a word, and the commoner one: وأحمد is و + أحمد, but وليد is no و + ل + يد
            if (b == len(word) and not word[:a].endswith("ال") and b - a >= MIN_STEM_LEFT
                    and zipf(word[a:], lang) > zipf(word, lang)):
                return a
    return 0


def _tagged_span(doc: _Doc, first: int, last: int, kind: str) -> Span:
    tokens = doc.tokens
    nstart = tokens[first].nstart + _name_start(doc.words[first], doc.lang)
    start = doc.norm.span(nstart, tokens[first].nend)[0]
    key = _fold(doc.norm.text[nstart:tokens[last].nend])
    return tuple.__new__(Span, (first, last, start, tokens[last].end, "new", (), 0.0, kind, "tagger", False, key))
