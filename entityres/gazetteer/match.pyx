# cython: language_level=3, annotation_typing=False, binding=True
"""The matcher: one name in any script → the gazetteer entries it may be, ranked and explained.

Three steps, each cheap enough for the next:

1. **Query**: the name's normalised words, less a leading title (رئیس‌جمهور, الرئيس, General:
   ``cues.yaml`` person_titles); each word with its clitic-stripped alternatives (وبوتين → بوتين).
2. **Candidates** (:func:`candidates`): aliases that share an exact key with the query, or a
   blocking key with at least two of its words, or with one of its rarer words.
3. **Scoring** (:func:`score_alias`): query and alias words are aligned one to one, best pair
   first, where a unit may be one word or two written together (عبد الله / Abdullah). The score
   is the weighted share of both names that aligned: a missing inner name (a patronymic, a middle
   name) costs little, a missing first or last name costs its full weight, so a surname alone
   scores well below the full name. The two names read without spaces are compared too.

Scores are in [0, 1]; :data:`MATCH_THRESHOLD` is the calibrated acceptance threshold
(docs/gazetteer.md, docs/benchmarks.md).
"""
from __future__ import annotations

from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from ..explanation import Explanation, Part
from ..limits import check_name_words
from ..text import cues
from ..text._kernels import AliasRules, UnitScores, aligned_score, blocking_ranked, heard_ranked, per_entry
from .index import TYPE_CODES, Alias, Index, exact_keys, profile_words, word_blocking_keys
from ..text.keys import spelling_of, written_words
from ..text.langs import canonical_lang
from ..text.normalize import require_str
from .entries import StoredEntry
from .results import Match
from .schema import Entry
from ..text.similarity import (DIFFERENT_NAME, GOOD_PAIR, Word, align_names, closest_key_pairs, compare_joined,
                               generations_differ, initial, join_pairs, join_profiles, joinable_pairs, name_rules,
                               unit_scores, word_similarity)
from ..text.tokens import word_stems
from ..text.transliterate import latin_reading

MATCH_THRESHOLD = 0.88  # chosen on a dev half of the names benchmark (docs/benchmarks.md)
STRIP_PENALTY = 0.02  # a clitic-stripped reading loses ties to the word as written
PAIR_FLOOR = 0.55  # word pairs below this are not aligned: they are different words
# Weight of an alias word the query leaves out, by position: news names people by surname alone
# (so a one-word query missing the first name loses little), drops middle names and patronymics,
# and rarely gives a first name alone. A query of several words that lacks the entry's first or
# last name names someone else (a relative: Sabawi / Yasir Sabawi al-Tikriti): full weight.
FIRST_WEIGHT, INNER_WEIGHT, LAST_WEIGHT = 0.15, 0.3, 0.8
CHAIN = 4  # words from which a query is an Arabic name chain (own, father's, grandfather's, family name)
JOINED_BELOW = 0.95  # names aligned this well need no comparison without their spaces
JOINED_KEYS = 4
WORD_KEYS = 6
SHORTLIST = 2  # key pairs per word pair that get the weighted distance (similarity.word_similarity)
ORDER_FACTOR = 0.97  # the words aligned in another order
AMBIGUOUS_FACTOR = 0.97  # an alias several entries claim says less about which one is meant
SMALL_POSTING = 64  # a word posted this rarely is specific enough to propose candidates alone
SECOND_KEY_WEIGHT = 0.6  # a hit through a rarer reading or the skeleton, against the likeliest key
RESCORED = 24
PRERANKED = 400  # aliases whose sound is compared before RESCORED entries are chosen
HIT_WEIGHT = 0.2  # of the blocking hit (against the best) in the pre-rank, beside the sound
OUTER_FROM = 3  # query words from which the first and last alone also propose aliases (candidates)
PRERANKED_OUTER = 100  # ...at most this many more
ALIASES_PER_ENTRY = 3
TIE = 0.02  # scores this close are equal: the more prominent entry ranks first
PROMINENCE_MARGIN = 0.2  # a tie is settled only by an entry this much more prominent
NEED_MARGIN = 1e-9  # for rounding: a score this close to the need is worked out


class Query(NamedTuple):
    text: str
    lang: str | None
    words: tuple[str, ...]  # normalised, title removed
    title: tuple[str, ...]  # the removed title words
    alternatives: tuple[tuple[tuple[Word, float], ...], ...]  # per word: (profile, penalty), as written first
    exact: tuple[str, ...]
    pairs: tuple[Word, ...]  # adjacent words written as one
    joined: Word | None  # all the words written as one
    written: int  # words as written: خامنه‌ای is one word of two pieces
    # What every alias's score reads of the query, made once: each word as written, whether it is
    # an initial, and the units of two words written apart (None where not joinable)
    plain: tuple[Word, ...]
    initials: tuple[bool, ...]
    pair_units: tuple[tuple[tuple[Word, float], ...] | None, ...]
    # its units' scores against the candidates' words, kept for the query's life (similarity.unit_scores)
    kept: UnitScores


def make_query(name: str, lang: str | None = None, written: tuple[list[str], list[bool]] | None = None) -> Query:
    """The query of ``name``; ``written``: its :func:`~entityres.text.keys.written_words`, when the
    caller has them (the name is then not normalised again)."""
    lang = canonical_lang(lang)
    words, starts = written or written_words(name)
    title = cues.leading_title(words, lang)
    title_words, words = tuple(words[:title]), words[title:]
    alternatives = []
    spelling = spelling_of(name)
    for w in words:
        forms = word_stems(w, lang)
        alternatives.append(tuple((p, STRIP_PENALTY if i else 0.0)
                                  for i, p in enumerate(profile_words(forms, lang, spelling))))
    units = tuple(alternatives)
    plain = tuple(alts[0][0] for alts in units)
    pairs = join_pairs(plain)
    pair_units = tuple(p and ((p, 0.0),) for p in joinable_pairs(plain, pairs.__getitem__))
    return Query(name, lang, tuple(words), title_words, units, exact_keys(words) if words else (),
                 pairs, join_profiles(plain) if plain else None, sum(starts[title:]), plain,
                 tuple(map(initial, plain)), pair_units,
                 unit_scores(units, pair_units, WORD_KEYS, SHORTLIST, PAIR_FLOOR))


def _alignment(query: Query, alias: Alias):
    """Word-for-word first; units of two words written as one are tried only where a word was
    left without a good partner (عبد الله / Abdullah), which saves most of the work. One call to C
    (similarity.align_names); the likeliest few keys of each word decide: the rarest readings of an
    Arabic-script word (up to 16) only cost time here. Units below the floor are never taken, so
    the kernel scores a unit only until a bound says it is; an initial is a word of its own."""
    # the alias's pairs are profiled (Alias.pairs) only when one may be joined
    return align_names(query.alternatives, query.pair_units, alias.words, lambda: alias.pairs, WORD_KEYS, SHORTLIST,
                       PAIR_FLOOR, GOOD_PAIR, query.kept)


@lru_cache(maxsize=None)
def _rules() -> AliasRules:
    return AliasRules(FIRST_WEIGHT, INNER_WEIGHT, LAST_WEIGHT, ORDER_FACTOR, DIFFERENT_NAME, CHAIN, name_rules())


def score_alias(query: Query, alias: Alias, need: float = 0.0) -> tuple[float, list, str]:
    """The score of ``alias`` for ``query``, the aligned units, and how it matched. A score below
    ``need`` may come back lower than it is (still below ``need``): the names are not compared
    without their spaces where a bound says that cannot reach it.

    Aligned words count by their weight times their similarity, against both names' weight (in
    C: ``_kernels.aligned_score``):

    * a missing word costs by its position (:data:`FIRST_WEIGHT`, :data:`INNER_WEIGHT`,
      :data:`LAST_WEIGHT`), in units of the words that did align, not of its own length: a long
      given name left out costs no more than a short one;
    * an inner word the query has and the alias lacks, between words aligned in order, is a
      father's or a middle name that lists leave out (محمد ناصر الجبري, Mohammed Al Jabri): it
      costs as the alias's would. A middle initial the alias lacks costs a whole word: a list gives
      the initial of a person known by it, and a name without it is as often a father or a
      namesake (Duncan D. Hunter, Duncan Hunter);
    * a title the alias starts with (Dr., Sheikh) costs nothing when the query leaves it out, as
      the query's own title is left out;
    * words aligned in another order lose :data:`ORDER_FACTOR`: names keep their order across
      scripts (Rand Paul is not Paul Reynaud);
    * different names (similarity.different_names) score at most DIFFERENT_NAME, and so does a
      name chain of :data:`CHAIN` words or more that puts words of its own before the alias's first
      name: the chain goes own name, father's, grandfather's, so it names a son of the alias's
      person (Omar Sabawi Ibrahim Hasan al-Tikriti, son of Sab'awi Ibrahim Hassan al-Tikriti).
      Shorter names are left alone: Mohammad Javad Zarif is Javad Zarif.

    Names of other word counts are also compared without their spaces ("joined").
    """
    if not query.words or not alias.words:
        return 0.0, [], "aligned"
    if alias.key in query.exact:
        return 1.0, [(1.0, tuple(range(len(query.words))), tuple(range(len(alias.words))))], "exact"
    aligned = _alignment(query, alias)
    score = aligned_score(query.plain, query.written, alias.words, aligned, alias.title, _rules())
    how = "aligned"
    # alias.joined is made when asked for (index.Alias): ask only where compare_joined can hold,
    # names of other word counts or a query that spells one known part.
    if score < JOINED_BELOW and (len(query.words) != len(alias.words) or query.joined.part is not None) \
            and compare_joined(query.joined, alias.joined, len(query.words), len(alias.words)) \
            and not any(query.initials) and not any(map(initial, alias.words)) \
            and not generations_differ(query.plain, alias.words):
        # Whole names read as one word have long keys: their few likeliest keys are enough. Only a
        # score above the aligned one and the need counts: the comparison stops where a bound says
        # it cannot be.
        joined = word_similarity(query.joined, alias.joined, JOINED_KEYS, SHORTLIST, floor=max(score, need))
        if joined > score:
            score, how = joined, "joined"
            aligned = [(joined, tuple(range(len(query.words))), tuple(range(len(alias.words))))]
    return min(1.0, score), aligned, how


def _check_type(type: str | None) -> None:
    if type is not None and type not in TYPE_CODES:
        raise ValueError(f"type must be one of {', '.join(TYPE_CODES)} or None, not {type!r}")


def candidates(index: Index, query: Query, type: str | None = None) -> list[int]:
    """Alias numbers worth scoring for ``query``, likeliest first.

    Each query word proposes the aliases posted under its blocking keys; its likeliest key's
    postings count fully, the others' (rarer readings, the skeleton) less. A word's weight is its
    rarity (idf), so a common given name alone proposes little. At most ``ALIASES_PER_ENTRY``
    aliases of one entry and ``RESCORED`` entries go on to scoring.
    """
    _check_type(type)
    found = {a for key in query.exact for a in index.exact.get(key, ())}
    span, numbers = index.postings.span, index.postings.numbers

    def posted(keys) -> list[int]:
        return [p for k in keys if (p := span(k)) is not None]

    # The postings are counted in C, into a bitmap over the aliases per group (blocking_ranked): unions
    # and intersections of Python sets of thousands of aliases cost more than the scoring at 100k entries.
    slots = [posted({k for w, _ in alts for k in word_blocking_keys(w, query=True)}) for alts in query.alternatives]
    firsts = [posted({w.keys[0][0] for w, _ in alts if w.keys}) for alts in query.alternatives]
    # Two words written as one in the gazetteer (هدايت الله / Hidayatullah) are found by the pair.
    pairs = [posted(set(word_blocking_keys(pair, query=True))) for pair in query.pairs]
    allowed = None if type is None else index.type_bitmaps[type]
    # Among many aliases that share the query's keys (a common name among 100,000), the sound of
    # the whole name, compared in C on the readings' codes, picks those worth the full score.
    ranked = blocking_ranked(slots, firsts, pairs, tuple(found), numbers, len(index.aliases), allowed, index.alias_lengths,
                             len(query.words), SMALL_POSTING, SECOND_KEY_WEIGHT, PRERANKED)
    aliases = index.aliases
    codes = query.joined.codes[:3] if query.joined is not None else ()
    if len(slots) >= OUTER_FROM:
        # A name chain (own, father's, grandfather's, family name) whose list entry gives the first
        # and last names alone (صالح أحمد حسن عاشور, Saleh Ashour): among 100,000 names, those that
        # share two of its common inner names outrank it. The first and last words propose aliases
        # of their own, heard as the two names written together.
        outer = blocking_ranked([firsts[0], firsts[-1]], [firsts[0], firsts[-1]], [], (), numbers, len(index.aliases),
                                allowed, index.alias_lengths, 2, SMALL_POSTING, SECOND_KEY_WEIGHT,
                                PRERANKED_OUTER)
        seen = {a for *_, a in ranked}
        ranked += [item for item in outer if item[2] not in seen]
        codes += join_profiles([query.plain[0], query.plain[-1]]).codes[:3]
    if len(ranked) > RESCORED and codes:
        top = -ranked[0][0] or 1.0

        # In C: the closest of the codes heard in each alias, plus a fifth of its blocking hit;
        # a one-word query is compared with each word too: news names people by surname alone.
        ranked = heard_ranked(ranked, aliases.heard(ranked, len(query.words) == 1), codes, top, HIT_WEIGHT)
    return per_entry(ranked, aliases.entry_numbers, ALIASES_PER_ENTRY, RESCORED)


def _unit(words: tuple[Word, ...], name: Query | Alias, positions: tuple[int, ...]) -> Word:
    """The profile of aligned words of a name (``words``, its profiles): one word, two written as
    one, or the whole name. A name's pairs and whole profile are asked for only in the last two
    cases: an alias joins its words when asked (index.Alias), and most units are one word."""
    if len(positions) == 1:
        return words[positions[0]]
    if len(positions) == 2 and positions[0] < len(words) - 1:
        return name.pairs[positions[0]]
    return name.joined or join_profiles(words)


def _best_keys(a: Word, b: Word) -> tuple[str, str]:
    """The pair of keys to show as having met: the closest by plain edit distance (cheap, in C)."""
    pairs = closest_key_pairs(a, b, WORD_KEYS, 1)
    return (pairs[0][0], pairs[0][2]) if pairs else ("", "")


# Parts, explanations and matches validated by pydantic's core directly, as the resolver makes its
# mentions: Model(**fields) adds a Python call, a third of making one, and a query makes thirty.
_part = Part.__pydantic_validator__.validate_python
_explanation = Explanation.__pydantic_validator__.validate_python
_match = Match.__pydantic_validator__.validate_python


def _explain(query: Query, alias: Alias, aligned: list, how: str, ambiguous: bool) -> Explanation:
    plain = query.plain
    parts = []
    # list comprehensions, not generators: compiled, a generator is resumed per item
    for s, ia, ja in aligned:
        text = " ".join([query.words[i] for i in ia])
        q_key, a_key = _best_keys(_unit(plain, query, ia), _unit(alias.words, alias, ja))
        parts.append(_part({"query": text, "alias": " ".join([alias.words[j].text for j in ja]), "score": round(s, 4),
                            "reading": latin_reading(text, query.lang), "query_key": q_key, "alias_key": a_key}))
    used_q = {i for _, ia, _ in aligned for i in ia}
    used_a = {j for _, _, ja in aligned for j in ja}
    return _explanation({"alias": alias.name, "alias_lang": alias.lang, "how": how, "parts": tuple(parts),
                         "unmatched_query": tuple([w for i, w in enumerate(query.words) if i not in used_q]),
                         "unmatched_alias": tuple([w.text for j, w in enumerate(alias.words) if j not in used_a]),
                         "title": " ".join(query.title) or None, "ambiguous": ambiguous})


def match(index: Index, name: str, lang: str | None = None, type: str | None = None, limit: int = 5) -> list[Match]:
    """Entries ``name`` may be, best first: each with a score in [0, 1] and an explanation.

    ``lang`` (fa, prs, fa-AF, ar, en...) picks the reading rules of the name's script; ``type``
    (person or place) restricts the entries.
    """
    require_str(name, "match()")
    written = written_words(name)
    check_name_words(written[0], "match()")
    _check_type(type)
    if limit < 1:
        raise ValueError("limit must be at least 1")
    query = make_query(name, lang, written)
    best: dict[int, tuple] = {}  # entry -> (score, alias number, aligned units, how): a tuple, made in C
    found = candidates(index, query, type)
    index.aliases.read_ahead(found)
    need = 0.0
    for a in found:
        alias = index.aliases[a]
        factor = alias.trust * (AMBIGUOUS_FACTOR if alias.key in index.ambiguous else 1.0)
        score, aligned, how = score_alias(query, alias, need / factor if factor > 0.0 else 0.0)
        score *= factor
        prior = best.get(alias.entry)
        if prior is None or score > prior[0]:
            best[alias.entry] = (score, a, aligned, how)
            if len(best) >= limit and score > need:  # (a score at most the need leaves it as it is)
                need = need_of([b[0] for b in best.values()], limit)
    scored = [(b[0], _prominence(entry := index.entries.stored(e)), entry.id, e) for e, b in best.items()]  # none made
    out = []
    for n, ((score, _, _, entry), ambiguous) in enumerate(returned(scored, limit)):
        score, a, aligned, how = best[entry]
        alias = index.aliases[a]
        out.append(_match({"entry": index.entries[entry], "score": round(score, 4),
                           "explanation": _explain(query, alias, aligned, how, alias.key in index.ambiguous),
                           "ambiguous": ambiguous, "accepted": n == 0 and score >= MATCH_THRESHOLD and not ambiguous}))
    return out


def returned(scored: list[tuple[float, float, str, int]], limit: int) \
        -> list[tuple[tuple[float, float, str, int], bool]]:
    """The first ``limit`` of :func:`rank_ties` (``scored``), each with whether it is ambiguous:
    another entry scores within :data:`TIE` of it and is about as prominent."""
    ranked = rank_ties(scored)
    out = []
    for t in ranked[:limit]:  # plain loops: compiled, a generator is resumed per item
        ambiguous = False
        for s, p, _, e in ranked:
            if e != t[3] and abs(t[0] - s) <= TIE and p >= t[1] - PROMINENCE_MARGIN:
                ambiguous = True
                break
        out.append((t, ambiguous))
    return out


def need_of(scores: list[float], limit: int) -> float:
    """A score below which an entry cannot change what :func:`returned` gives of ``limit`` entries,
    given entries that score ``scores`` (at least ``limit``): two ties below the ``limit``-th best.
    The entries returned lie in runs of ties (:func:`rank_ties`) up to the one that holds the
    ``limit``-th best, each within a tie of its run's first, which is at least that best; an entry
    two ties lower joins none of those runs, and none returned is within a tie of it. More entries
    only raise the ``limit``-th best, so a need found early holds."""
    return sorted(scores, reverse=True)[limit - 1] - 2 * TIE - NEED_MARGIN


def _prominence(entry: Entry | StoredEntry) -> float:
    return entry.prominence or 0.0


def rank_ties(scored: list[tuple[float, float, str, int]]) -> list[tuple[float, float, str, int]]:
    """(score, prominence, id, entry) best first: by score, except that within :data:`TIE` of the
    best score of a run the more prominent entry comes first (then the higher score, then the ID)."""
    # sorted by key parts, the last first: each sort is stable, and reverse keeps ties in order
    rest = sorted(sorted(scored, key=itemgetter(2)), key=itemgetter(0), reverse=True)
    out = []
    i, n = 0, len(rest)
    while i < n:  # a run: the first and those after it within a tie of its score, a prefix of the rest
        top, j = rest[i][0], i + 1
        while j < n and top - rest[j][0] <= TIE:
            j += 1
        if j - i == 1:
            out.append(rest[i])
        else:  # by prominence, highest first; then as they are (by score, then ID)
            out.extend(sorted(rest[i:j], key=itemgetter(1), reverse=True))
        i = j
    return out
