"""Pairwise similarity of two names in any supported script.

A word pair scores by two signals:

* key similarity: the closest pair of cross-script keys by a weighted edit distance
  (:func:`entityres.keys.key_similarity`), less a small penalty for each second-choice letter
  class the keys needed;
* reading similarity: the closest pair of codes of Latin readings (:mod:`entityres.transliterate`,
  :func:`entityres.keys.latin_codes`), which see the vowels that keys ignore and so tell Kerry
  from Korea.

A name pair aligns its words one to one (greedily, best pair first) so that order does not matter,
and also compares the names with their spaces removed (کی یف against کییف). Words left without a
partner lower the score in proportion to their length.

``THRESHOLD`` is the score above which two names are taken to be the same; see docs/similarity.md
for how it was chosen.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Indel

from .keys import join_keys, key_similarity, latin_codes, name_words, word_keys
from .langs import canonical_lang, is_arabic_script
from .transliterate import latin_forms, word_readings

THRESHOLD = 0.78
KEY_WEIGHT = 0.8
ALT_CLASS_PENALTY = 0.04


class Word(NamedTuple):
    """Everything the scorer needs about one word (plain data, cached per word and language)."""

    text: str
    keys: tuple[tuple[str, int], ...]
    codes: tuple[str, ...]
    weight: int


@lru_cache(maxsize=131072)
def word_profile(word: str, lang: str | None = None) -> Word:
    """Profile of one normalised word."""
    readings = word_readings(word, lang) if is_arabic_script(word) else latin_forms(word)
    codes = tuple(dict.fromkeys(c for r in readings for c in latin_codes(r)))
    keys = word_keys(word)
    return Word(word, keys, codes or ("",), max(1, len(keys[0][0]) if keys else 1))


def joined_profile(words: list[str], lang: str | None = None) -> Word:
    """One profile for several words read as one (کی یف as کییف, خامنه ای as خامنه‌ای)."""
    parts = [word_profile(w, lang) for w in words]
    if len(parts) == 1:
        return parts[0]
    keys = join_keys([p.keys for p in parts])
    codes = tuple(k for k, _ in join_keys([tuple((c, 0) for c in p.codes[:4]) for p in parts]))
    return Word("".join(words), keys, codes, sum(p.weight for p in parts))


def word_similarity(a: Word, b: Word) -> float:
    """Similarity of two profiled words in [0, 1]."""
    if a.text == b.text:
        return 1.0
    key_sim = 0.0
    for ka, ca in a.keys:
        for kb, cb in b.keys:
            s = key_similarity(ka, kb) - ALT_CLASS_PENALTY * (ca + cb)
            if s > key_sim:
                key_sim = s
    read_sim = max(Indel.normalized_similarity(ra, rb) for ra in a.codes for rb in b.codes)
    return max(0.0, KEY_WEIGHT * key_sim + (1 - KEY_WEIGHT) * read_sim)


def name_similarity(a: list[Word], b: list[Word]) -> float:
    """Similarity of two names given as profiled words; order-free, partial names score lower."""
    if not a or not b:
        return 0.0
    pairs = sorted(((word_similarity(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)), reverse=True)
    used_a, used_b, matched = set(), set(), 0.0
    for s, i, j in pairs:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched += s * (a[i].weight + b[j].weight)
    return matched / (sum(w.weight for w in a) + sum(w.weight for w in b))


def similarity(a: str, b: str, lang_a: str | None = None, lang_b: str | None = None) -> float:
    """How likely ``a`` and ``b`` name the same person or place, in [0, 1].

    Works across Persian, Dari, Arabic, Latin and Cyrillic spellings; ``lang_a``/``lang_b`` (fa,
    prs, fa-AF, ar, or any language code) pick the reading rules and may be left out. Scores at or
    above :data:`THRESHOLD` mean "the same name".

    >>> similarity("Umerov", "عمروف", lang_b="fa") >= THRESHOLD
    True
    """
    lang_a, lang_b = canonical_lang(lang_a), canonical_lang(lang_b)
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return 0.0
    score = name_similarity([word_profile(w, lang_a) for w in wa], [word_profile(w, lang_b) for w in wb])
    if len(wa) > 1 or len(wb) > 1:
        joined = word_similarity(joined_profile(wa, lang_a), joined_profile(wb, lang_b))
        score = max(score, joined)
    return round(min(1.0, score), 6)
