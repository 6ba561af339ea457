"""Cross-script keys: consonant skeletons that every spelling of a name shares.

The classes and the rules that map Arabic-script and Latin letters to them are in
``resources/keys.yaml``, with the reason for each. A word has a few keys when its letters are
ambiguous (و is a consonant or a vowel, ق is k or g); :func:`word_keys` returns them likeliest
first with the number of second choices each one took, so that scoring can prefer the plain ones.
Any script other than Arabic is first folded to Latin (:func:`transliterate.latin_forms`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

from . import tables
from ._kernels import CostTable, weighted_similarity
from .langs import is_arabic_script
from .normalize import ZWNJ, normalize_text
from .transliterate import latin_forms, letter_units

MAX_KEYS = 16
ARTICLE = "ال"
_RUN = re.compile(r"(.)\1+")


@lru_cache(maxsize=None)
def _arabic_table() -> dict:
    section = tables.load("keys")["arabic_script"]
    return {**section["letters"], **section["digraphs"]}


@lru_cache(maxsize=None)
def _latin_rules() -> tuple[re.Pattern, tuple[tuple[str, ...], ...]]:
    """The Latin rules as one regular expression: an ordered alternation tries them in order."""
    rules = tables.load("keys")["latin"]
    pattern = re.compile("|".join(f"({p})" for p, _ in rules))
    return pattern, tuple(tuple(opts) for _, opts in rules)


def _latin_units(word: str) -> list[tuple[str, ...]]:
    pattern, options = _latin_rules()
    return [options[m.lastindex - 1] for m in pattern.finditer(word)]


def _expand(units: list, vowel: str = "", collapse: bool = True) -> tuple[tuple[str, int], ...]:
    """All keys from per-unit class options, as (key, choices off the first), cheapest first.

    Runs of one class collapse first when ``collapse`` (Latin doubles a consonant in writing;
    Arabic script never does, so two like letters there have a vowel between them, ممدانی);
    then inner vowels (``-`` in the rules) become ``vowel``: nothing in keys, ``A`` in codes.
    """
    keys: dict[str, int] = {}
    ambiguous = [i for i, u in enumerate(units) if len(u) > 1]
    # Past MAX_KEYS combinations the rarest choices cannot change the top keys; later ambiguous
    # units keep only their first class.
    while ambiguous and 2 ** len(ambiguous) > MAX_KEYS * 4:
        ambiguous.pop()
    kept = set(ambiguous)
    choices = [u if i in kept else u[:1] for i, u in enumerate(units)]
    for combo in product(*[list(enumerate(u)) for u in choices]):
        raw = "".join(opt for _, opt in combo)
        key = (_RUN.sub(r"\1", raw) if collapse else raw).replace("-", vowel)
        cost = sum(rank for rank, _ in combo)
        if cost < keys.get(key, 1 << 30):
            keys[key] = cost
    return tuple(sorted(keys.items(), key=lambda kv: (kv[1], kv[0]))[:MAX_KEYS])


@lru_cache(maxsize=131072)
def word_keys(word: str) -> tuple[tuple[str, int], ...]:
    """Keys of one normalised word, as ``(key, cost)`` pairs, likeliest first."""
    if is_arabic_script(word):
        found = dict(_expand([tuple(opts) for _, opts in letter_units(word, _arabic_table())], collapse=False))
        if word.startswith(ARTICLE) and len(word) > len(ARTICLE) + 1:
            # Latin spellings often leave the article out (القرم Crimea, السودانی Sudani).
            for key, cost in word_keys(word[len(ARTICLE):]):
                found[key] = min(cost + 1, found.get(key, cost + 1))
        return tuple(sorted(found.items(), key=lambda kv: (kv[1], kv[0]))[:MAX_KEYS])
    out: dict[str, int] = {}
    for form in latin_forms(word):
        for key, cost in _expand(_latin_units(form.replace(" ", ""))):
            out[key] = min(cost, out.get(key, cost))
    return tuple(sorted(out.items(), key=lambda kv: (kv[1], kv[0]))[:MAX_KEYS])


@lru_cache(maxsize=131072)
def latin_codes(reading: str) -> tuple[str, ...]:
    """Codes of a lowercase ASCII reading: its key classes with inner vowels kept as ``A``.

    Codes compare Latin readings by sound class, so ``zh``/``j`` or ``gh``/``q`` cost nothing.
    """
    return tuple(k for k, _ in _expand(_latin_units(reading.replace(" ", "")), "A")[:4])


@lru_cache(maxsize=None)
def compare_table() -> CostTable:
    """Deletion weights per class and substitution costs between classes (``keys.yaml``, compare),
    as the compiled kernels take them."""
    table = tables.load("keys")["compare"]
    related = [frozenset(g) for g in table["related"]]
    classes = set("".join(table["related"])) | set(table["weak"]) | set("PFTDSZCQJGKXHLMNRA")
    swap = {a: {b: 0.0 if a == b else 0.5 if any(a in g and b in g for g in related) else 1.0 for b in classes}
            for a in classes}
    return CostTable(table["weak"], swap)


def key_similarity(x: str, y: str) -> float:
    """Similarity of two keys in [0, 1] by the weighted edit distance of ``keys.yaml`` (compare)."""
    return weighted_similarity(x, y, compare_table())


def join_keys(parts: list[tuple[tuple[str, int], ...]]) -> tuple[tuple[str, int], ...]:
    """Keys of words written together: one key per combination of the parts' keys, cheapest first."""
    combos: dict[str, int] = {"": 0}
    for part in parts:
        nxt: dict[str, int] = {}
        for k1, c1 in combos.items():
            for k2, c2 in part:
                # A word-edge vowel is no longer at an edge once the words are joined (کی یف),
                # and one class either side of the joint is one letter written apart.
                left, right = (k1.removesuffix("A"), k2.removeprefix("A")) if k1 else ("", k2)
                key = left + right[1:] if left and right and left[-1] == right[0] else left + right
                nxt[key] = min(c1 + c2, nxt.get(key, c1 + c2))
        combos = dict(sorted(nxt.items(), key=lambda kv: (kv[1], kv[0]))[:MAX_KEYS])
    return tuple(combos.items())


def name_words(name: str) -> list[str]:
    """The normalised words of a name; ZWNJ parts count as words (خامنه‌ای = خامنه ای)."""
    return [w for w in normalize_text(name).replace(ZWNJ, " ").split() if any(c.isalnum() for c in w)]


def keys(name: str) -> list[str]:
    """The keys of a whole name, likeliest first; spaces inside the name do not count (کی یف = کییف).

    >>> keys("Witkoff")[0] == keys("ویتکاف")[0] == "FTKF"
    True
    """
    return [k for k, _ in join_keys([word_keys(w) for w in name_words(name)])]
