"""Linguistic cues for mention detection: titles, verbs of saying, place, nationality and organisation words.

The cue lists are data (``resources/cues.yaml``), each group named and explained there. This module
compiles a group once per language into phrases indexed by their first and last word, and all groups
into one tree of phrases: :func:`rows` finds every group's phrases at every token of a text in one
pass, because the detector and the tagger ask about every token of every article.

Words compare in normalised script (:func:`entityres.text.normalize.normalize_text`) with Latin letters
casefolded, and split at spaces and at ZWNJ: the entry ``رییس‌جمهور`` matches the one token
``رئیس‌جمهور`` and the two tokens ``رئیس جمهور`` alike. A phrase must begin and end on token
boundaries, so a title never matches half of a longer word. Arabic sets may allow proclitics on a
phrase's first word (``والرئيس``, ``للرئيس``); these are generated from ``affixes.yaml``.

``lang`` is a language code (``fa``, ``prs``/``fa-AF``, ``ar``), or None for every set. A group
serves a language through the sets that list it; other codes get no entries, as in ``affixes.yaml``.
"""
from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from . import tables
from ._kernels import walk_phrases
from ..memo import SMALL, WORDS, each_word
from .frequency import zipf
from .langs import READ_LANGS, canonical_lang, is_arabic_script
from .normalize import ZWNJ, normalize_text

Phrase = tuple[str, ...]
_PROCLITIC_CLASSES = ("conjunctions", "prepositions", "article")  # in the order they stack on a word


@lru_cache(maxsize=WORDS)
def _parts(word: str) -> Phrase:
    """One token or cue word as its normalised, casefolded pieces between ZWNJs."""
    return tuple(p for p in normalize_text(word).casefold().split(ZWNJ) if p)


_TOKEN_PARTS: dict[str, Phrase] = {}  # _parts of a text's words, for rows()


def _phrase(form: str) -> Phrase:
    return tuple(p for w in form.split() for p in _parts(w))


def _sets(group: str, lang: str | None) -> list[dict]:
    """The entry sets of ``group`` that serve ``lang`` (every set for None)."""
    groups = tables.load("cues")["groups"]
    if group not in groups:
        raise KeyError(f"no cue group {group!r}; cues.yaml has {', '.join(groups)}")
    return [s for s in groups[group]["entries"] if lang is None or lang in s["langs"]]


def _proclitic_stacks(classes: Sequence[str]) -> list[tuple[str, str]]:
    """(written prefix, article it carries) for every stack of the named Arabic proclitic classes.

    A stack is conjunction, then preposition, then article, each optional; ل before ال drops the
    alef (``lam_article``: لل). The empty stack is included.
    """
    unknown = set(classes) - set(_PROCLITIC_CLASSES)
    if unknown:
        raise ValueError(f"unknown proclitic classes {sorted(unknown)}; affixes.yaml has {_PROCLITIC_CLASSES}")
    arabic = tables.load("affixes")["arabic"]
    stacks = [("", "")]
    for cls in _PROCLITIC_CLASSES[:2]:
        if cls in classes:
            stacks = [(s + f, "") for s, _ in stacks for f in ["", *arabic[cls]["forms"]]]
    if "article" in classes:
        stacks += [(_attach(s, a), a) for s, _ in stacks for a in arabic["article"]["forms"]]
    return stacks


def _attach(prefix: str, word: str) -> str:
    """``prefix`` written on ``word``: ل + الرييس is للرييس (``affixes.yaml`` lam_article)."""
    arabic = tables.load("affixes")["arabic"]
    for article in arabic["article"]["forms"]:
        if prefix and word.startswith(article) and prefix[-1] + article[1:] in arabic["lam_article"]["forms"]:
            return prefix + word[1:]
    return prefix + word


@lru_cache(maxsize=None)
def _phrases(group: str, lang: str | None) -> tuple[Phrase, ...]:
    sets = _sets(group, lang)
    if any("forms" not in s for s in sets):
        raise ValueError(f"cue group {group!r} is not a list of phrases")
    found = dict.fromkeys(ph for s in sets for f in s["forms"] if (ph := _phrase(f)))
    return tuple(sorted(found, key=len, reverse=True))


def phrases(group: str, lang: str | None = None) -> tuple[Phrase, ...]:
    """The group's entries for ``lang`` as tuples of normalised words, longest first, deduplicated.

    Listed forms only: the proclitic forms that matching also accepts are not included.
    """
    return _phrases(group, canonical_lang(lang))


class _Index(NamedTuple):
    by_first: dict[str, tuple[Phrase, ...]]  # first word -> phrases, longest first
    by_last: dict[str, tuple[Phrase, ...]]


@lru_cache(maxsize=None)
def _index(group: str, lang: str | None) -> _Index:
    found = dict.fromkeys(_phrases(group, lang))
    for s in _sets(group, lang):
        stacks = [p for p, _ in _proclitic_stacks(s.get("proclitics", ())) if p]
        for ph in map(_phrase, s["forms"] if stacks else ()):
            if ph and is_arabic_script(ph[0]):
                found.update(dict.fromkeys(((_attach(p, ph[0]),) + ph[1:] for p in stacks)))
    by_first: dict[str, list[Phrase]] = {}
    by_last: dict[str, list[Phrase]] = {}
    for ph in sorted(found, key=len, reverse=True):
        by_first.setdefault(ph[0], []).append(ph)
        by_last.setdefault(ph[-1], []).append(ph)
    return _Index({k: tuple(v) for k, v in by_first.items()}, {k: tuple(v) for k, v in by_last.items()})


def _covers(words: Sequence[str], i: int, phrase: Phrase, step: int) -> int:
    """Tokens ``phrase`` covers from ``words[i]`` going forward (step 1) or back (-1); 0 if it does not fit."""
    rest = phrase if step > 0 else phrase[::-1]
    n = 0
    while rest:
        if not 0 <= i < len(words):
            return 0
        parts = _parts(words[i]) if step > 0 else _parts(words[i])[::-1]
        if not parts or rest[: len(parts)] != parts:
            return 0
        rest, i, n = rest[len(parts):], i + step, n + 1
    return n


def _check(words: Sequence[str], pos: int, name: str) -> None:
    if not 0 <= pos <= len(words):
        raise IndexError(f"{name}={pos} outside 0..{len(words)}")


def match_at(words: Sequence[str], start: int, group: str, lang: str | None = None) -> int:
    """Length in tokens of the longest phrase of ``group`` that starts at ``words[start]`` (0 if none).

    To ask at every word of a text, :func:`rows` is faster."""
    _check(words, start, "start")
    for ph in _starting(words[start], group, lang) if start < len(words) else ():
        if n := _covers(words, start, ph, 1):
            return n
    return 0


def _starting(word: str, group: str, lang: str | None) -> tuple[Phrase, ...]:
    """The phrases of ``group`` whose first piece is ``word``'s, longest first."""
    first = _parts(word)
    return _index(group, canonical_lang(lang)).by_first.get(first[0], ()) if first else ()


def leading_title(words: Sequence[str], lang: str | None = None) -> int:
    """How many of a name's first words are a title before the name (``person_titles``: Dr.,
    الرئيس, سید); a one-word name has none. A name in a language without reading tables is read
    with the titles of every language (English titles sit in those tables too), and an
    abbreviation dot is no part of a title (Dr., د.), as tokens of running text have none."""
    if len(words) < 2 or not title_may_lead(words[0], lang):
        return 0  # most names: no title starts with their first word
    return match_at(list(map(_undotted, words)), 0, "person_titles", _title_lang(lang))


@lru_cache(maxsize=SMALL)
def title_may_lead(word: str, lang: str | None = None) -> bool:
    """Whether a title of :func:`leading_title` may begin with ``word``: its quick test, which
    depends on the first word alone. Memoised: an index build asks it of every name, the matcher
    of every query, and many names share a first word (Mohammad, Ali)."""
    return bool(_starting(_undotted(word), "person_titles", _title_lang(lang)))


def _title_lang(lang: str | None) -> str | None:
    """The language whose titles a name's are read with: None (every language's) outside READ_LANGS."""
    return lang if lang in READ_LANGS else None


def _undotted(word: str) -> str:
    """A word without its abbreviation dots (Dr., د.), unless it is nothing else."""
    return word.rstrip(".") or word


def match_before(words: Sequence[str], end: int, group: str, lang: str | None = None) -> int:
    """Length in tokens of the longest phrase of ``group`` that ends right before ``words[end]`` (0 if none).

    This is "title before name": ``match_before(words, i, "person_titles", lang)`` for a name at ``i``.
    """
    _check(words, end, "end")
    last = _parts(words[end - 1]) if end > 0 else ()
    for ph in _index(group, canonical_lang(lang)).by_last.get(last[-1], ()) if last else ():
        if n := _covers(words, end - 1, ph, -1):
            return n
    return 0


class _Nisba(NamedTuple):
    prefixes: tuple[tuple[str, str], ...]  # (written proclitics, article they carry)
    suffixes: tuple[tuple[str, frozenset[str], frozenset[str]], ...]  # (form, after, not_after)
    plurals: tuple[str, ...]
    place_endings: tuple[str, ...]
    place_articles: tuple[str, ...]


@lru_cache(maxsize=None)
def _nisba(lang: str | None) -> tuple[tuple[_Nisba, ...], int, frozenset[str]]:
    """The nationality rules for ``lang``, min_stem and the exceptions, normalised."""
    n = normalize_text
    rules = tuple(
        _Nisba(
            tuple(_proclitic_stacks(s.get("proclitics", ()))),
            tuple((n(x["form"]), frozenset(map(n, x.get("after", ()))), frozenset(map(n, x.get("not_after", ()))))
                  for x in s["suffixes"]),
            tuple(map(n, s.get("plurals", ()))),
            tuple(map(n, s.get("place_endings", [""]))),
            tuple(map(n, s.get("place_articles", [""]))),
        )
        for s in _sets("nationality_suffixes", lang)
    )
    exceptions = frozenset(ph[0] for ph in _phrases("nationality_exceptions", lang) if len(ph) == 1)
    return rules, tables.load("cues")["groups"]["nationality_suffixes"]["min_stem"], exceptions


def is_nationality_adjective(word: str, lang: str | None, place_names: Container[str]) -> bool:
    """True when ``word`` is an adjective (or people noun) of nationality or origin, not a place.

    ``place_names`` holds normalised place names of the text's language (it may also hold bare
    stems, such as روس, for adjectives the rules below cannot rebuild). On the normalised word:

    1. If the word, or the word with Arabic proclitics taken off (``وال`` of ``والصين`` leaves
       ``الصين``; ``لل`` gives back ``ال``), is one of ``nationality_exceptions`` (ترکی, which some
       gazetteers list as a name of Turkey), True; else if it is in ``place_names``, it names a
       place: False.
    2. If, with proclitics and article off and optionally a plural ending, it is one of
       ``nationality_exceptions`` (فرانسوی, افغان‌ها, العربية), True.
    3. True if it splits as proclitics + stem + suffix + plural ending, where the suffix may follow
       the stem's last letter (Persian یی only after ا و, ی not after ا و ه, which is the ezafe:
       آمریکای لاتین), the stem keeps ``min_stem`` letters, and article + stem + place ending is in
       ``place_names`` for one of the set's place articles and endings: آمریکایی = آمریکا + یی,
       روسی = روس + ی (روسیه), الروسي = ال + روس + ي (روسيا), الأوكرانيين = ال + اوکران + ي + ين
       (أوكرانيا), الصيني = ال + صين + ي (الصين).

    True does not rule out a person: nisba surnames (خمینی, سیستانی, البغدادي) are built the same
    way, so the caller weighs this against person cues.
    """
    w = normalize_text(word)
    rules, min_stem, exceptions = _nisba(canonical_lang(lang))
    bare: list[tuple[_Nisba, str]] = []
    for rule in rules:
        for prefix, article in rule.prefixes:
            if w.startswith(prefix) and len(w) > len(prefix):
                if w[len(prefix):] in exceptions:
                    return True
                if article + w[len(prefix):] in place_names:
                    return False
                bare.append((rule, w[len(prefix):]))
    for rule, body in bare:
        cores = [body] + [body[: -len(e)].rstrip(ZWNJ) for e in rule.plurals if body.endswith(e)]
        for core in cores:
            if core in exceptions:
                return True
            for form, after, not_after in rule.suffixes:
                stem = core[: -len(form)].rstrip(ZWNJ) if core.endswith(form) else ""
                if len(stem) < min_stem or (after and stem[-1] not in after) or stem[-1] in not_after:
                    continue
                if any(a + stem + e in place_names for a in rule.place_articles for e in rule.place_endings):
                    return True
    return False


class Rows(NamedTuple):
    """The cue phrases of one text, every phrase group at every position, found in one pass
    (:func:`rows`): ``at[group][i]`` is ``match_at(words, i, group)`` and ``before[group][j]`` is
    ``match_before(words, j, group)``. Read-only: the tagger and the mention detector share them."""

    at: dict[str, list[int]]  # per group, one entry per word
    before: dict[str, list[int]]  # per group, one entry per position 0..len(words)


class _Trie(NamedTuple):
    groups: tuple[str, ...]
    forward: dict  # first part → node; a node maps the next part to a node, and "" to the groups that end there
    backward: dict  # the same over the phrases read backwards


def phrase_groups() -> tuple[str, ...]:
    """The groups of ``cues.yaml`` that are lists of phrases (not rules such as nationality_suffixes)."""
    return tuple(g for g, spec in tables.load("cues")["groups"].items()
                 if all("forms" in s for s in spec.get("entries", ())))


@lru_cache(maxsize=None)
def _trie(lang: str | None) -> _Trie:
    groups = phrase_groups()
    phrases = ((g, ph) for g, group in enumerate(groups)
               for ph in {ph for phs in _index(group, lang).by_first.values() for ph in phs})
    return _Trie(groups, *_phrase_trees(phrases))


def _phrase_trees(phrases: Iterable[tuple[int, Phrase]]) -> tuple[dict, dict]:
    """The trees of ``(group number, pieces)`` phrases that :func:`rows` walks, forward and over
    the pieces read backwards: piece → node, and a node's ``""`` → the groups that end there."""
    forward: dict = {}
    backward: dict = {}
    for g, ph in phrases:
        for root, parts in ((forward, ph), (backward, ph[::-1])):
            node = root
            for part in parts:
                node = node.setdefault(part, {})
            node[""] = (*node.get("", ()), g)
    return forward, backward


def rows(words: Sequence[str], lang: str | None = None) -> Rows:
    """Every phrase group's :func:`match_at` and :func:`match_before` at every position, in one
    pass over the words: a walk through a tree of all groups' phrases from each word, in C
    (:func:`entityres.text._kernels.walk_phrases`), which stops at the first word of most."""
    trie = _trie(canonical_lang(lang))
    parts = each_word(_TOKEN_PARTS, words, _parts)
    n = len(words)
    at = [[0] * n for _ in trie.groups]
    before = [[0] * (n + 1) for _ in trie.groups]
    walk_phrases(parts, trie.forward, True, at)
    walk_phrases(parts, trie.backward, False, before)
    return Rows(dict(zip(trie.groups, at)), dict(zip(trie.groups, before)))


@lru_cache(maxsize=None)
def _common_noun_rules(lang: str | None) -> tuple[float, tuple[tuple[tuple[str, ...], tuple[str, ...], float], ...]]:
    spec = tables.load("cues")["groups"]["common_nouns"]
    rules = tuple((tuple(map(normalize_text, s.get("suffixes", ()))), tuple(map(normalize_text, s.get("article", ()))),
                   float(s["within"])) for s in _sets("common_nouns", lang))
    return float(spec["min_zipf"]), rules


@lru_cache(maxsize=WORDS)
def is_common_noun(word: str, lang: str | None) -> bool:
    """True when the normalised ``word`` is an everyday noun of ``lang`` (``cues.yaml`` common_nouns):
    common in the language and nearly as common inflected (المدينة / مدينة; ماهی / ماهی‌ها).

    A name keeps one form (العراق, ایران), so this tells an alias that is also a word (مدینه for
    Medina) from a name that is merely frequent. Unknown languages have no rules: False.
    """
    min_zipf, rules = _common_noun_rules(canonical_lang(lang))
    common = zipf(word, lang)
    if not rules or common < min_zipf:
        return False
    for suffixes, articles, within in rules:
        forms = [word + s for s in suffixes]
        for a in articles:
            forms.append(word[len(a):] if word.startswith(a) else a + word)
        if any(f and zipf(f, lang) >= common - within for f in forms):
            return True
    return False
