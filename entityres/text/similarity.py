# cython: language_level=3, annotation_typing=False, binding=True
"""Pairwise similarity of two names in any supported script.

A word pair scores by two signals:

* key similarity: the closest pair of cross-script keys by a weighted edit distance
  (:func:`entityres.text.keys.key_similarity`), less a small penalty for each second-choice letter
  class the keys needed, and, across scripts, for each written vowel read otherwise and each word
  edge that differs (another first sound, a written final vowel against none: keys.yaml, edges);
* reading similarity: the closest pair of codes of Latin readings (:mod:`entityres.text.transliterate`,
  :func:`entityres.text.keys.latin_codes`), which see the vowels that keys ignore and so tell Kerry
  from Korea.

Before either, a word that the name-parts table knows (:mod:`entityres.text.name_parts`) is
tagged with its part: two tagged words score 1 when they are one part (Mohammad, محمد) and at
most :data:`DIFFERENT_PART` when they are two (Hassan, Hussein), whatever the fuzzy signals say.

A name pair aligns its words one to one (greedily, best pair first) so that order does not matter,
two adjacent words written as one included (عبد الله, Abdullah); names of different word counts
are also compared with their spaces removed (کی یف against کییف). Words count in proportion to
their length (a common given name less: it says little about who is named), so words left without
a partner lower the score by theirs, and two names each with a word the other lacks
are different names (Barzan Ibrahim al-Tikriti, Barzan Ibrahim al-Mosuli).

``THRESHOLD`` is the score above which two names are taken to be the same; see docs/similarity.md
for how it was chosen.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

from ._kernels import NameRules, ScoreRules, UnitScores, name_may_reach, unit_similarities, vowel_swaps
from ._kernels import align_names as _align_names
from ._kernels import align_units as _align_units
from ._kernels import closest_key_pairs as _closest_key_pairs
from ._kernels import different_names as _different_names
from ._kernels import generations_differ as _generations_differ
from ._kernels import initial as _initial
from ._kernels import joinable as _joinable
from ._kernels import Joiner
from ._kernels import word_similarity as _word_similarity
from ..limits import check_name_words
from ..memo import WORDS
from .keys import (JOINED_CODES, JOINT, MAX_KEYS, Slots, compare_table, join_keys, latin_codes, name_words,
                   spelling_of, vowel_rules, word_key_slots, word_keys)
from .langs import canonical_lang, is_arabic_script
from .name_parts import group, joins_into, part_symbol, parts_differ, spelling_key
from .normalize import ZWNJ, require_str
from .transliterate import K_BEST, latin_forms, word_readings

THRESHOLD = 0.78
KEY_WEIGHT = 0.8
ALT_CLASS_PENALTY = 0.04
SURFACE_WEIGHT = 0.3
SHORT_KEY = 2
VOWEL_SWAP_PENALTY = 0.2
SWAP_VOWELS = "ای"  # written vowels whose swap makes another name (_vowel_swaps)
VOWEL_PENALTY = 0.3  # of key similarity (0.24 of the score), per written vowel that the other spelling reads as another or as none (keys.yaml, vowels)
EDGE_PENALTY = 0.3  # of key similarity, per edge of a word that differs across scripts (keys.yaml, edges)
DIFFERENT_PART = 0.5  # two known, different name parts: below the matcher's PAIR_FLOOR, so never aligned
DIFFERENT_NAME = 0.7  # at most, two different names (:func:`name_similarity`)
LACKING = 0.65  # a word whose partner scores below this has none (Mosuli and Tikriti)...
LACKING_ACROSS = 0.55  # ...across scripts, where true pairs score lower (Hollande, اولاند; Young, لانگ below)
KNOWN_WEIGHT = 0.2  # the share of its length a known name part counts with (name_parts.yaml: common given names)
GOOD_PAIR = 0.85  # an alignment whose pairs all reach this needs no words written together


class Word(NamedTuple):
    """Everything the scorer needs about one word (plain data, cached per word and language)."""

    text: str
    keys: tuple[tuple[str, int], ...]
    codes: tuple[str, ...]
    weight: int
    arabic: bool  # written in Arabic script
    surface: str  # the word as letters: Arabic script without ZWNJ, other scripts folded to ASCII
    part: str | None  # the name part it spells (name_parts.yaml), if known
    slots: tuple[Slots, ...]  # per key, the vowels written around its classes (keys.word_key_slots)
    pieces: tuple[str | None, ...] = ()  # words read as one: the part each spells, or None (join_profiles)

    def __hash__(self) -> int:
        # Words key the scorer's caches: the text's hash is cached by Python, the nested tuples' is not.
        return hash(self.text)


@lru_cache(maxsize=WORDS)
def word_profile(word: str, lang: str | None = None, spelling: str | None = None) -> Word:
    """Profile of one normalised word; ``spelling``: :func:`entityres.text.keys.spelling_of` the raw name."""
    arabic = is_arabic_script(word)
    readings = word_readings(word, lang, K_BEST) if arabic else latin_forms(word)
    # a reading's codes are distinct already (latin_codes): a Latin word has one reading
    codes = latin_codes(readings[0]) if len(readings) == 1 else tuple(dict.fromkeys([c for r in readings for c in latin_codes(r)]))
    found = word_key_slots(word, spelling)
    # lists, not generators: compiled, a list is filled in a loop, a generator resumed per item
    keys = tuple([(k, c) for k, c, _ in found])
    surface = _surface(word, arabic)
    return Word(word, keys, codes or ("",), _weight(keys), arabic, surface, part_symbol(surface),
                tuple([s for _, _, s in found]))


def _surface(word: str, arabic: bool) -> str:
    return word.replace(ZWNJ, "") if arabic else latin_forms(word)[0].replace(" ", "")


def _weight(keys: tuple[tuple[str, int], ...]) -> int:
    return max(1, len(keys[0][0]) if keys else 1)


def join_profiles(parts: list[Word] | tuple[Word, ...]) -> Word:
    """One profile for several profiled words read as one: keys and codes joined
    (:func:`entityres.text.keys.join_key_slots`, :func:`~entityres.text.keys.join_codes`; in C)."""
    return _JOINER.join(tuple(parts))


def join_pairs(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """Adjacent profiled words read as one (:func:`join_profiles`): item i joins words i and i + 1."""
    return _JOINER.pairs(words)


class Sketch(NamedTuple):
    """What a word's profile (:class:`Word`, without spelling) holds but its readings: enough to
    bound its similarity from above (:func:`may_reach`) at a fraction of a profile's cost."""

    text: str
    keys: tuple[tuple[str, int], ...]
    weight: int
    arabic: bool
    surface: str
    part: str | None


def word_sketch(word: str) -> Sketch:
    """The sketch of one normalised word: its profile's keys, weight, surface and part
    (:func:`word_profile`), without the readings that are most of a profile's cost."""
    keys = word_keys(word)
    arabic = is_arabic_script(word)
    surface = _surface(word, arabic)
    return Sketch(word, keys, _weight(keys), arabic, surface, part_symbol(surface))


class NameSketch(NamedTuple):
    """A name's words sketched, each two adjacent words read as one, and each word's evidence."""

    words: tuple[Sketch, ...]
    joined: tuple[Sketch, ...]
    evidence: tuple[float, ...]


def name_sketch(words: list[str] | tuple[str, ...]) -> NameSketch:
    """The sketch of a name's normalised words: the same keys, weights, surfaces and parts as
    their profiles (:func:`word_profile`, :func:`join_profiles`), and the same joined keys."""
    sketches = list(map(word_sketch, words))
    joined = tuple(Sketch(x.text + y.text, join_keys([x.keys, y.keys]), x.weight + y.weight, x.arabic,
                          x.surface + y.surface, _JOINER.part_of([x.surface, y.surface], x.surface + y.surface,
                                                                 x.part, y.part))
                   for x, y in zip(sketches, sketches[1:]))
    return NameSketch(tuple(sketches), joined, tuple(map(_evidence, sketches)))


BOUND_SLACK = 1e-9  # the bound sums in another order than name_similarity: rounding must not cut a pair


def may_reach(a: NameSketch, b: NameSketch, threshold: float = THRESHOLD) -> bool:
    """False only when the profiles of two sketched names surely score below ``threshold`` by
    :func:`name_similarity` (in C): every word counts at the best its units could score, reading
    similarity taken as 1, so the merge profiles and compares only the pairs that may."""
    return name_may_reach(a, b, threshold, BOUND_SLACK, MAX_KEYS, _score_rules())


def compound_part(surfaces: list[str], longest: int = 3) -> str | None:
    """The parts of words read as one, as ``a+b`` (Ali Khamenei: ali+khamenei), when known parts
    cover every word; runs of up to ``longest`` words may spell one part (خامنه ای)."""
    symbols = []
    i = 0
    while i < len(surfaces):
        for n in range(min(longest, len(surfaces) - i), 0, -1):
            symbol = part_symbol("".join(surfaces[i:i + n]))
            if symbol is not None:
                symbols.append(symbol)
                i += n
                break
        else:
            return None
    return "+".join(symbols)


_JOINER = Joiner(Word, MAX_KEYS, JOINT, JOINED_CODES, part_symbol, compound_part)


def merge_parts(words: list[str]) -> list[str]:
    """Adjacent words that together spell one known part, as one word (خامنه ای: ZWNJ left out or
    written as a space), so that the part decides their comparison."""
    out: list[str] = []
    for word in words:  # looked up as the table is keyed: Jo Ann as joann
        if out and part_symbol(spelling_key(out[-1] + word)) is not None and part_symbol(spelling_key(word)) is None:
            out[-1] += word
        else:
            out.append(word)
    return out


def joined_profile(words: list[str], lang: str | None = None, spelling: str | None = None) -> Word:
    """One profile for several words read as one (کی یف as کییف, خامنه ای as خامنه‌ای)."""
    return join_profiles([word_profile(w, lang, spelling) for w in words])


def closest_key_pairs(a: Word, b: Word, max_keys: int = MAX_KEYS, n: int = 0) -> list[tuple[str, int, str, int]]:
    """The (key, cost, key, cost) pairs of two words' ``max_keys`` likeliest keys; with ``n``, only
    the ``n`` closest by plain edit distance (in C) less the second-choice costs."""
    return _closest_key_pairs(a.keys, b.keys, max_keys, n, ALT_CLASS_PENALTY)


def word_similarity(a: Word, b: Word, max_keys: int = MAX_KEYS, shortlist: int = 0, floor: float = -math.inf) -> float:
    """Similarity of two profiled words in [0, 1], over their ``max_keys`` likeliest keys each.

    With ``shortlist``, only that many key pairs, the closest by plain edit distance (computed in
    C), go through the weighted distance: nearly as good, and many times faster for the matcher.
    With ``floor``, a score below ``floor`` is -1, the words compared only until a bound says it
    is (as :func:`word_similarities`): for callers that drop what scores below it.
    """
    # In C: one text or one known part scores 1, else keys and readings (see the module
    # docstring): keys less a penalty per written vowel read otherwise (keys.vowel_mismatches) and
    # per edge that differs (keys.edge_mismatches) over the key pairs that could still come out
    # best; Arabic-script pairs less their vowel swaps (_vowel_swaps); short skeletons in one script
    # blended with the letters' similarity; two known parts that differ at most DIFFERENT_PART, and
    # so are words written apart that do not split between a compound's parts (name_parts.yaml, compounds).
    score = _word_similarity(a, b, max_keys, shortlist, _score_rules(), floor)
    return -1.0 if score < floor else score


def word_similarities(units: tuple[tuple[tuple[Word, float], ...], ...], targets: tuple[Word | None, ...],
                      max_keys: int = MAX_KEYS, shortlist: int = 0, floor: float = -math.inf) -> list[float]:
    """:func:`word_similarity` of every unit against every target, row by row (unit i, target j at
    ``i * len(targets) + j``), in one call to C: a unit is its ``(word, penalty)`` alternatives and
    scores the best of ``word_similarity - penalty``; a unit or a target None scores -1 (one that
    may not be formed). With ``floor``, a unit that scores below ``floor`` scores -1, each
    alternative compared only until a bound (lengths, then the readings', then the keys' score)
    says it cannot reach ``floor``: for callers that drop what scores below it (:func:`align_units`)."""
    return unit_similarities(units, targets, max_keys, shortlist, _score_rules(), floor)


@lru_cache(maxsize=None)
def _score_rules() -> ScoreRules:
    return ScoreRules(compare_table(), vowel_rules(), ALT_CLASS_PENALTY, VOWEL_PENALTY, EDGE_PENALTY, KEY_WEIGHT,
                      VOWEL_SWAP_PENALTY, SWAP_VOWELS, SHORT_KEY, SURFACE_WEIGHT, parts_differ, joins_into, DIFFERENT_PART)


def _vowel_swaps(a: str, b: str) -> int:
    """Written long vowels that one Arabic-script spelling has where the other has another.

    Keys drop inner vowels, and spellings often add or drop ا and ی (ترامپ, ترمپ); but one written
    vowel in place of the other (بوتين, بوتان) is a different name. و is left out: it is as often
    the consonant v (مدودف, ميدفيديف).
    """
    return vowel_swaps(a, b, SWAP_VOWELS)


def align_units(n_a: int, n_b: int, sims: list[float], pair_a, pair_b, floor: float = 0.0,
                good: float = GOOD_PAIR) -> list[tuple[float, tuple[int, ...], tuple[int, ...]]]:
    """Words of two names aligned one to one, greedily, best pair first (in C): ``sims[i * n_b + j]``
    scores word i of a against word j of b. Where a word is left without a ``good`` partner, two
    adjacent words written as one unit are tried too (عبد الله / Abdullah): ``pair_a()`` gives the
    scores of words i, i+1 of a against word j of b (at ``i * n_b + j``), ``pair_b()`` those of
    word i of a against words j, j+1 of b (at ``i * (n_b - 1) + j``), as :func:`word_similarities`.

    Units go best first (then the fewest words, then by position); a unit is taken when none of
    its words is taken yet and its similarity reaches ``floor``. Returns ``(similarity, positions
    in a, positions in b)`` of the units taken.
    """
    return _align_units(n_a, n_b, sims, pair_a, pair_b, floor, good)


def align_names(units: tuple[tuple[tuple[Word, float], ...], ...], pair_units: tuple[tuple[tuple[Word, float], ...] | None, ...],
                words: tuple[Word, ...], pairs, max_keys: int = MAX_KEYS, shortlist: int = 0, floor: float = 0.0,
                good: float = GOOD_PAIR, kept: UnitScores | None = None
                ) -> list[tuple[float, tuple[int, ...], tuple[int, ...]]]:
    """:func:`align_units` of a name given as ``units`` (each word's ``(profile, penalty)``
    alternatives; ``pair_units``: its adjacent words written as one, None where not
    :func:`joinable`) against profiled ``words``, scored as :func:`word_similarities` scores with
    ``floor``, in one call to C. ``pairs()`` gives the words' adjacent pairs written as one
    (``pairs()[i]``: words i and i + 1), asked for only when a word is left without a good partner
    and two words are joinable. A unit is scored only when the greedy comes to it with its words
    free, its turn set by a bound from lengths: most lose their words to better units first.
    ``kept`` (:func:`unit_scores` of the same units and settings) keeps each score for the next call."""
    return _align_names(units, pair_units, words, pairs, max_keys, shortlist, _score_rules(), floor, good, kept)


def unit_scores(units: tuple[tuple[tuple[Word, float], ...], ...],
                pair_units: tuple[tuple[tuple[Word, float], ...] | None, ...], max_keys: int = MAX_KEYS,
                shortlist: int = 0, floor: float = 0.0) -> UnitScores:
    """A store of :func:`align_names`'s scores of one name's units, for its calls with these
    settings against many names (a query against its candidates, which share words)."""
    return UnitScores(units, pair_units, max_keys, shortlist, _score_rules(), floor)


def name_similarity(a: list[Word], b: list[Word]) -> float:
    """Similarity of two names given as profiled words; order-free, partial names score lower.
    Each word counts by its length, a common given name less (:func:`_evidence`).

    Different names (:func:`different_names`) score at most :data:`DIFFERENT_NAME`."""
    if not a or not b:
        return 0.0
    # Adjacent words are joined only when align_units asks for them (a word left without a good partner).
    def joined(words: list[Word]) -> tuple[Word | None, ...]:
        return joinable_pairs(words, lambda i: _joined_pair(words[i], words[i + 1]))

    units_a = tuple(((w, 0.0),) for w in a)
    aligned = align_units(len(a), len(b), word_similarities(units_a, tuple(b)),
                          lambda: word_similarities(tuple(p and ((p, 0.0),) for p in joined(a)), tuple(b)),
                          lambda: word_similarities(units_a, joined(b)))
    matched = sum(s * (sum(_evidence(a[i]) for i in ia) + sum(_evidence(b[j]) for j in ja)) for s, ia, ja in aligned)
    score = matched / (sum(map(_evidence, a)) + sum(map(_evidence, b)))
    return min(score, DIFFERENT_NAME) if different_names(a, b, aligned) else score


def _evidence(word: Word) -> float:
    """How much a word counts in a name's score: its key's length, less for a common name part
    (:data:`KNOWN_WEIGHT`): John or Mohammad says little about who is named, so it does not carry
    a surname one letter off (جان کلین, John Glenn)."""
    return word.weight * (KNOWN_WEIGHT if word.part is not None else 1.0)


def different_names(a: list[Word], b: list[Word], aligned: list[tuple[float, tuple[int, ...], tuple[int, ...]]]) -> bool:
    """Whether two aligned names are different names, however much of the rest they share (in C):

    * two aligned words are different known parts, neither a particle (Hassan bin Ali, Hussein bin Ali);
    * a word before the lineage particle (bin, ibn) of one name, with a word on each side of it, is
      aligned with a word after it in the other: Salman bin Muhammad is Muhammad bin Salman's father;
    * one carries a generation the other lacks or writes otherwise (:func:`generations_differ`);
    * each has a word that found no partner scoring :data:`LACKING` (:data:`LACKING_ACROSS` across
      scripts, where true pairs score lower), particles and initials aside (Barzan Ibrahim
      al-Tikriti, Barzan Ibrahim al-Mosuli).
    """
    return _different_names(tuple(a), tuple(b), aligned, name_rules())


def generations_differ(a: list[Word], b: list[Word]) -> bool:
    """Whether one name carries a generation (Jr, III: name_parts.yaml, generations) the other
    lacks or writes otherwise: then however the rest reads, even without spaces, it may be the
    father as well as the son."""
    return _generations_differ(tuple(a), tuple(b), name_rules())


@lru_cache(maxsize=None)
def name_rules() -> NameRules:
    """What :func:`different_names` reads, for the kernels."""
    return NameRules(group("particles"), group("lineage"), group("generations"), parts_differ, LACKING, LACKING_ACROSS)


def initial(word: Word) -> bool:
    """A one-letter word (K.), or a word written with an abbreviation dot (دی., a letter's name):
    a word of its own, never part of another written apart (Danny K. Davis is not Danny Kdavis).
    Spelled initials without the dot are not meant: دی is D and the De of DeSantis."""
    return _initial(word)


def joinable(x: Word, y: Word) -> bool:
    """Whether two adjacent words may be one written apart (عبد الله): not when either is an initial."""
    return _joinable(x, y)


def joinable_pairs(words, pair) -> tuple[Word | None, ...]:
    """Adjacent words read as one where :func:`joinable`, else None: ``pair(i)`` joins words i and
    i+1, and is asked only for those."""
    return tuple(pair(i) if joinable(x, y) else None for i, (x, y) in enumerate(zip(words, words[1:])))


def compare_joined(a: Word, b: Word, words_a: int, words_b: int) -> bool:
    """Whether two names are also compared read without spaces (``a``, ``b``: their joined
    profiles): when their word counts differ (Abd al-Aziz, Abdulaziz), or both spell one known part
    (Abul Fazl, Abu al-Fadl). Names of as many words are otherwise compared word for word: read
    without spaces, Billy Long would be Bill Young."""
    return (words_a > 1 or words_b > 1) and (words_a != words_b or (a.part is not None and a.part == b.part))


@lru_cache(maxsize=WORDS)
def _joined_pair(x: Word, y: Word) -> Word:
    # Cached: the cross-document merge compares each name with many others.
    return join_profiles((x, y))


def similarity(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> float:
    """How likely ``a`` and ``b`` name the same person or place, in [0, 1].

    Works across Persian, Dari, Arabic, Latin and Cyrillic spellings; ``lang_a``/``lang_b`` (fa,
    prs, fa-AF, ar, or any language code) pick the reading rules and may be left out. Scores at or
    above :data:`THRESHOLD` mean "the same name".

    >>> similarity("Umerov", "عمروف", lang_b="fa") >= THRESHOLD
    True
    """
    require_str(a, "similarity()")
    require_str(b, "similarity()")
    lang_a, lang_b = canonical_lang(lang_a), canonical_lang(lang_b)
    wa = merge_parts(check_name_words(name_words(a), "similarity()"))
    wb = merge_parts(check_name_words(name_words(b), "similarity()"))
    if not wa or not wb:
        return 0.0
    sp_a, sp_b = spelling_of(a), spelling_of(b)
    pa, pb = [word_profile(w, lang_a, sp_a) for w in wa], [word_profile(w, lang_b, sp_b) for w in wb]
    score = name_similarity(pa, pb)
    if (len(wa) > 1 or len(wb) > 1) and not any(map(initial, pa + pb)):  # initials stay words
        ja, jb = joined_profile(wa, lang_a, sp_a), joined_profile(wb, lang_b, sp_b)
        if compare_joined(ja, jb, len(wa), len(wb)) and not generations_differ(pa, pb):
            score = max(score, word_similarity(ja, jb))
    return round(min(1.0, score), 6)
