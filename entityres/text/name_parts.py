# cython: language_level=3, annotation_typing=False, binding=True
"""Known name parts across scripts: which group of ``resources/name_parts.yaml`` a spelling is.

Keys and readings blur exactly the vowels that tell common names apart (Hassan / Hussein, محمد /
محمود, Khamenei / Khomeini). For the few hundred parts that names are mostly built from, the table
says it outright: a spelling is tagged with its part's symbol before any fuzzy distance, and two
tagged words compare by symbol (:func:`entityres.text.similarity.word_similarity`).
"""
from __future__ import annotations

from functools import lru_cache

from . import tables
from ..memo import PAIRS, WORDS
from .langs import is_arabic_script
from .normalize import ZWNJ, normalize_text
from .transliterate import latin_forms

ARTICLES = ("ال",)
LATIN_ARTICLES = ("al", "el")
_ANY_ARTICLE = ARTICLES + LATIN_ARTICLES
MIN_STEM = 3  # an article is stripped only before a part this long (Ali is not al + i)


def spelling_key(spelling: str) -> str:
    """The form a spelling is looked up by: Arabic script normalised without spaces or ZWNJ,
    other scripts folded to lowercase ASCII letters without spaces, hyphens or apostrophes."""
    if is_arabic_script(spelling):
        return normalize_text(spelling).replace(ZWNJ, "").replace(" ", "")
    return "".join(latin_forms(spelling)[0].split())


@lru_cache(maxsize=None)
def table() -> dict[str, str]:
    """Spelling key → part symbol. A spelling listed under two parts is an error in the table."""
    data = tables.load("name_parts")
    out: dict[str, str] = {}
    for symbol, spellings in [*data["parts"].items(), *data["particles"].items()]:
        for spelling in spellings:
            key = spelling_key(str(spelling))
            if out.get(key, symbol) != symbol:
                raise ValueError(f"name_parts.yaml: {spelling!r} is listed under both {out[key]!r} and {symbol!r}")
            out[key] = symbol
    return out


@lru_cache(maxsize=None)
def shown_spellings() -> dict[str, str]:
    """Part symbol → its first Latin spelling in the table (Mohammad, Behrouz): how a new name's
    known part is shown."""
    data = tables.load("name_parts")
    return {symbol: next(str(s) for s in spellings if not is_arabic_script(str(s)))
            for symbol, spellings in data["parts"].items() if any(not is_arabic_script(str(s)) for s in spellings)}


@lru_cache(maxsize=WORDS)
def part_symbol(surface: str) -> str | None:
    """The part a word's letters spell (``Word.surface``: Arabic script, or folded ASCII), or None.

    A leading article is tried off (الخميني, alhassan) when what remains is a known part.
    """
    known = table()
    if surface in known:
        return known[surface]
    if not surface.startswith(_ANY_ARTICLE):  # most words: nothing to try off, and no script to tell
        return None
    for article in ARTICLES if is_arabic_script(surface) else LATIN_ARTICLES:
        rest = surface[len(article):]
        if surface.startswith(article) and len(rest) >= MIN_STEM and known.get(rest) is not None \
                and not is_particle(known[rest]):
            return known[rest]
    return None


@lru_cache(maxsize=None)
def group(name: str) -> frozenset[str]:
    """The symbols of a group of name_parts.yaml: particles; lineage, the particles that put a
    father's name after a child's (bin, bint: the words either side are not interchangeable); or
    generations, the parts that tell generations of one name apart (Jr, III)."""
    return frozenset(tables.load("name_parts")[name])


def is_particle(symbol: str) -> bool:
    """A part that only joins others (al, bin, abd, ud-din): it says nothing alone about who is named."""
    return symbol in group("particles")


@lru_cache(maxsize=None)
def compound_of(symbol: str) -> tuple[str, ...]:
    """The parts a compound part is made of (name_parts.yaml, compounds), or () for any other."""
    return tuple(tables.load("name_parts")["compounds"].get(symbol, ()))


def joins_into(pieces: tuple[str | None, ...], symbol: str) -> bool:
    """Whether words written apart, spelling the parts ``pieces`` (None: no known part), may be the
    part ``symbol`` written as one word. A compound (Hidayatullah: hedayat, allah) splits between
    its parts: one of the words must spell one of them, and none another known part (particles such
    as al aside). Any other part is left to the fuzzy signals."""
    parts = compound_of(symbol)
    if not parts:
        return True
    known = [p for p in pieces if p is not None]
    return any(p in parts for p in known) and all(p in parts or is_particle(p) for p in known)


@lru_cache(maxsize=PAIRS)  # the kernels ask it of the same few parts again and again
def parts_differ(a: str, b: str) -> bool:
    """Whether two tagged words (a part, or parts joined by ``+``: ali+khamenei) name different
    people: each has a part, not a particle, that the other lacks. One that only adds parts to the
    other (sayyid+ali+khamenei, ali+khamenei) is left to the fuzzy signals."""
    pa, pb = _content(a), _content(b)
    return bool(pa - pb) and bool(pb - pa)


def _content(tag: str) -> set[str]:
    """The parts of a tag that say who is named: a compound's particles (bin, al) do not."""
    parts = tag.split("+")
    return set(parts) if len(parts) == 1 else {p for p in parts if not is_particle(p)}
