# cython: language_level=3, annotation_typing=False, binding=True
"""Latin readings of names in any script.

* Arabic script (Persian, Dari, Arabic, Pashto...): rule tables in ``resources/readings.yaml``,
  one per language, give each letter its Latin renderings; a beam search returns the k cheapest
  readings of a word, inserting the short vowels the script leaves out. It is k-best, not one
  guess: و is v/w/u/o, ی is y/i/e, ق is gh/q/g/k.
* Any other script: ICU transforms (Cyrillic through both the Russian and the Ukrainian BGN tables,
  so Гнатов reads gnatov and hnatov and ш stays sh), then Latin-ASCII folding. unidecode is kept
  only for what ICU leaves outside ASCII; it is not used for Arabic script, where it drops alef
  and reads ک as "kh".

Readings are lowercase ASCII.
"""
from __future__ import annotations

import heapq
import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import icu
from unidecode import unidecode

from . import tables
from ._kernels import kbest_readings, letter_units as _letter_units
from ..limits import check_name_words
from ..memo import WORDS
from .langs import READ_LANGS, canonical_lang, is_arabic_script
from .normalize import ZWNJ, normalize_text, require_str

VOWEL_LETTERS = frozenset("اوی")
_CARRIES_VOWEL = VOWEL_LETTERS | {"ع"}  # no short vowel is inserted next to these
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9 ]+")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_TRANSFORMS = {
    "any": "Any-Latin; Latin-ASCII; Lower",
    "ru": "Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower",
    "uk": "Ukrainian-Latin/BGN; Any-Latin; Latin-ASCII; Lower",
}
_local = threading.local()  # ICU transliterators are not shared between threads


def _icu(name: str) -> "icu.Transliterator":
    cache = getattr(_local, "transforms", None)
    if cache is None:
        cache = _local.transforms = {}
    if name not in cache:
        cache[name] = icu.Transliterator.createInstance(_TRANSFORMS[name])
    return cache[name]


# Kana iteration marks (ゝ ゞ ヽ ヾ: "the kana before, again"). ICU's Any-Latin fails on them
# (ICUError) when the string holds any supplementary-plane character, so they are spelt out first.
_ITERATION = re.compile("([\u3041-\u3096\u30a1-\u30fa]?)([\u309d\u309e\u30fd\u30fe])")


def _spell_iteration(match: re.Match) -> str:
    kana, mark = match.groups()
    if not kana:
        return ""  # repeats nothing
    return kana + (unicodedata.normalize("NFC", kana + "\u3099") if mark in "\u309e\u30fe" else kana)


def _transliterate(name: str, text: str) -> str:
    text = _ITERATION.sub(_spell_iteration, text)
    try:
        return _icu(name).transliterate(text)
    except icu.ICUError:  # any other input ICU cannot take: unidecode alone still gives a form
        return text


def _ascii(text: str) -> str:
    text = unidecode(text).lower() if not text.isascii() else text.lower()
    if text.isalnum():  # ASCII letters and digits alone (most words): nothing to take out
        return text
    return " ".join(_NOT_ASCII_WORD.sub("", w) for w in text.split())


@lru_cache(maxsize=WORDS)
def latin_forms(text: str) -> tuple[str, ...]:
    """Lowercase ASCII forms of a non-Arabic-script string (several for Cyrillic)."""
    if text.isascii():  # ICU's transforms leave ASCII as it is but for case: the same form, without the call
        return (_ascii(text) or "",)
    names = ("ru", "uk") if _CYRILLIC.search(text) else ("any",)
    out: list[str] = []
    for name in names:
        form = _ascii(_transliterate(name, text))
        if form and form not in out:
            out.append(form)
    return tuple(out) or ("",)


# --- Arabic script ---------------------------------------------------------------------------

def letter_units(word: str, table: dict) -> list[tuple[str, list]]:
    """Split a normalised Arabic-script word into the units of ``table`` with their options.

    A unit is a digraph the table names (تش) or one letter. Options come from the letter's
    positional rules: initial, final, after_vowel (after ا و ی), before_vowel (before one), else default. Letters the table
    does not know are skipped. The loop runs in C (:func:`entityres.text._kernels.letter_units`).
    """
    return _letter_units(word.replace(ZWNJ, ""), table, VOWEL_LETTERS)


@lru_cache(maxsize=None)
def _reading_table(lang: str | None) -> dict:
    data = tables.load("readings")
    table = dict(data["common"])
    table.update(data.get(lang) or {})
    return table


K_BEST = 8  # readings a word keeps; callers pass it explicitly so one cache entry serves them all


@lru_cache(maxsize=WORDS)
def word_readings(word: str, lang: str | None = None, k: int = K_BEST) -> tuple[str, ...]:
    """The ``k`` cheapest Latin readings of one normalised Arabic-script word."""
    lang = canonical_lang(lang)
    table = _reading_table(lang if lang in READ_LANGS else None)
    vowels = tables.load("readings")["short_vowels"]["options"]
    units = letter_units(word, table)
    # A short vowel may go between two letters where neither carries one; each option costs its rank.
    no_gap = (("", 0.0),)
    any_gap = tuple((v, float(c)) for v, c in vowels)
    steps = [(any_gap if n > 0 and not {units[n - 1][0], unit} & _CARRIES_VOWEL else no_gap, tuple(options))
             for n, (unit, options) in enumerate(units)]
    return kbest_readings(steps, max(4 * k, 16), k) or ("",)


def readings(name: str, lang: str | None = None, k: int = 5) -> list[str]:
    """Up to ``k`` Latin readings of ``name``, likeliest first (lowercase ASCII).

    >>> readings("عمروف", "fa")[:3]  # doctest: +SKIP
    ['amrov', 'omrov', ...]
    """
    require_str(name, "readings()")
    if k < 1:
        raise ValueError("k must be at least 1")
    lang = canonical_lang(lang)
    words = check_name_words(normalize_text(name).split(), "readings()")
    if not words:
        return []
    per_word = [word_readings(w, lang, k) if is_arabic_script(w) else latin_forms(w) for w in words]
    combos = [(r, o.strip()) for r, o in enumerate(per_word[0][:k])]  # one word's readings are ranked already
    for options in per_word[1:]:
        combos = _combined(combos, options, k)
    return [t for _, t in combos]


def _combined(combos: list[tuple[int, str]], options: Sequence[str], k: int) -> list[tuple[int, str]]:
    """The ``k`` cheapest of each reading of ``combos`` (cost, text) followed by each of ``options``
    (ranked: the r-th costs r), by cost, then text. Only a combination that costs at most the k-th
    cheapest cost can be among them: the others (most of 8 × 8) are not made."""
    costs = [c for c, _ in combos]
    if len(costs) * len(options) <= k:
        most = max(costs, default=0) + len(options)
    else:  # the k-th cheapest cost: the least at or under which k combinations cost
        most = min(costs)
        while sum([min(len(options), most - c + 1) for c in costs if c <= most]) < k:
            most += 1
    return heapq.nsmallest(k, [(r1 + r2, f"{t} {o}".strip()) for r1, t in combos
                               for r2, o in enumerate(options[:max(0, most - r1 + 1)])])


@lru_cache(maxsize=WORDS)
def latin_reading(name: str, lang: str | None = None) -> str:
    """A Latin reading to show, title-cased: the likeliest of the k-best that gives every word a
    vowel (Arabic script leaves short vowels out, and "Rstm" reads worse than "Rastam")."""
    options = readings(name, lang, K_BEST)
    if not options:
        return ""
    best = next((r for r in options if all(any(c in "aeiou" for c in w) for w in r.split())), options[0])
    return " ".join(w.capitalize() for w in best.split())
