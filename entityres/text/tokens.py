"""Tokens with exact offsets, and the stems that clitics and affixes hide.

A token is a run of letters and digits in the normalised text, which may hold an apostrophe
(O'Brien, Sa'ar) or a ZWNJ (Persian morpheme joints) inside. Each token carries its offsets in
both the normalised and the original text.

:func:`stems` offers, for one token, the token itself and every reading with an Arabic proclitic
stripped from its start or a Persian suffix from its end (``resources/affixes.yaml``). They are
alternatives: the token is always the first, and the matcher decides which one names something.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import product
from typing import Iterable, NamedTuple

from . import tables
from ._kernels import gaps as _gaps
from ._kernels import stem_cuts as _stem_cuts
from ._kernels import tokens as _tokens
from ..memo import WORDS
from .langs import canonical_lang
from .normalize import ZWNJ, Normalized, normalize


class Token(NamedTuple):
    text: str  # normalised form
    start: int  # offsets into the original text
    end: int
    nstart: int  # offsets into the normalised text
    nend: int


class Stem(NamedTuple):
    text: str  # normalised form of the stem
    start: int  # offsets into the original text
    end: int
    prefix: str  # the stripped proclitics ("" for none), normalised
    suffix: str  # the stripped suffix ("" for none), normalised


def tokenize(text: str | Normalized) -> list[Token]:
    """Tokens of ``text`` (a string, or the result of :func:`normalize`): the hot loop of every
    text, in C (:func:`entityres.text._kernels.tokens`)."""
    norm = text if isinstance(text, Normalized) else normalize(text)
    starts, ends = norm.offsets()
    if isinstance(starts, range):  # offsets one-to-one
        return _tokens(Token, norm.text)
    return _tokens(Token, norm.text, starts, ends)


def text_gaps(norm: Normalized, tokens: list[Token]) -> list[str]:
    """What stands before each token of a tokenised text, and after the last (one more than the
    tokens; none for no tokens). In C (:func:`entityres.text._kernels.gaps`)."""
    return _gaps(norm.text, tokens, False)


def squeezed_gaps(norm: Normalized, tokens: list[Token]) -> list[str]:
    """What stands before each token, its spaces removed (one per token, the first ``""``): the
    punctuation that parts two words, if any."""
    return _gaps(norm.text, tokens, True)


@lru_cache(maxsize=64)
def _affix_table(lang: str | None) -> tuple[tuple[tuple[int, frozenset[str]], ...], ...]:
    """(prefixes, suffixes, min_stem) for ``lang`` (every affix when the language is unknown), the
    affixes by length (:func:`by_length`)."""
    table = tables.load("affixes")
    lang = canonical_lang(lang)

    def forms(group: dict) -> list[str]:
        return group["forms"] if lang is None or lang in group["langs"] else []

    arabic = table["arabic"]
    conj = [""] + forms(arabic["conjunctions"])
    prep = [""] + forms(arabic["prepositions"])
    article = [""] + forms(arabic["article"])
    prefixes = {c + p + a for c, p, a in product(conj, prep, article) if not (p == "ل" and a)}
    prefixes |= {c + lam for c in conj for lam in forms(arabic["lam_article"])}
    prefixes.discard("")
    suffixes = forms(table["persian"]["suffixes"])
    return by_length(prefixes), by_length(suffixes), table["min_stem"]


def by_length(forms: Iterable[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Strings grouped by length, shortest first: a word's ends are looked up, not every string tried
    (affixes, the second halves of compound names)."""
    sizes = sorted({len(f) for f in forms})
    return tuple((n, frozenset(f for f in forms if len(f) == n)) for n in sizes)


@lru_cache(maxsize=WORDS)
def stem_cuts(text: str, lang: str | None) -> tuple[tuple[int, int], ...]:
    """Where the stems of a normalised word begin and end: the whole word first, then by position.
    The ends are looked up in C (:func:`entityres.text._kernels.stem_cuts`)."""
    prefixes, suffixes, min_stem = _affix_table(lang)
    return _stem_cuts(text, prefixes, suffixes, min_stem)


@lru_cache(maxsize=WORDS)
def word_stems(word: str, lang: str | None = None) -> tuple[str, ...]:
    """The stems of one normalised word as strings, the word itself first."""
    return tuple(word[a:b] for a, b in stem_cuts(word, lang))


def stems(token: Token, norm: Normalized, lang: str | None = None) -> list[Stem]:
    """The token and its clitic- and suffix-stripped alternatives, with original offsets."""
    text = token.text
    out = []
    for a, b in stem_cuts(text, lang):
        start, end = norm.span(token.nstart + a, token.nstart + b)
        out.append(Stem(text[a:b], start, end, text[:a], text[b:].lstrip(ZWNJ)))
    return out
