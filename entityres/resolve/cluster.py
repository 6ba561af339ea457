"""Clusters: canonical IDs for every mention, within a document and across documents.

* A linked mention takes its gazetteer entry's ID.
* A name no gazetteer holds gets a **deterministic ID from its sound**: its type, then for each word
  its part in the table of common name parts (``name_parts.yaml``: محمد and Muhammad are
  ``mohammad``, محمود is ``mahmoud``), else its first cross-script key (:mod:`entityres.text.keys`):
  ``person:new.azm-prknd`` for اعظم پورکند, ``person:new.hassan`` for حسن or Hasan.
  Keys are shared by the Persian, Arabic and Latin spellings of a name, so the same new person
  gets the same ID in every document and language without any shared state.
* Within a document, a new name of one word that is the first or last word of a longer new name
  of the same type joins it (پورکند after اعظم پورکند).
* Across documents (:func:`merge`), new entities whose names are the same name by
  :func:`entityres.text.similarity.name_similarity` (≥ ``THRESHOLD``) join one cluster. Its ID is
  the smallest member ID in string order, so it does not depend on the order of the documents.
  Only names of one type whose last words' likeliest keys start alike are compared, and of those
  only names with a word (or two adjacent words written as one) in common by sound
  (:func:`sound_keys`: likeliest keys one letter class apart, or one coarse skeleton); of those,
  only pairs whose bound from their words' keys may reach ``THRESHOLD``
  (:func:`entityres.text.similarity.may_reach`) have their words profiled and compared, so
  10,000 new names take seconds.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations

from ..limits import within_name_limits
from ..memo import WORDS
from ..gazetteer.index import KEYS_PER_WORD, MAX_COST, coarse_skeleton
from ..text import cues
from ..text.keys import ARTICLE, name_words, word_keys
from ..text.name_parts import part_symbol, shown_spellings, spelling_key
from ..text.normalize import normalize_text
from ..text.similarity import THRESHOLD, NameSketch, may_reach, name_sketch, name_similarity, word_profile, word_similarity
from ..text.tokens import by_length
from ..text.transliterate import latin_reading, readings

PART_OF_NAME = 0.9  # a one-word new name this similar to a word of a longer new name is that name


@lru_cache(maxsize=None)
def _second_halves() -> tuple[tuple[int, frozenset[str]], ...]:
    """Second halves of compound names and ordinals (الله, الدین, الدوله, الثانی), from the cue
    group ``name_particles``: the ones that carry the article, by length, longest first."""
    halves = {p[0] for p in cues.phrases("name_particles") if len(p) == 1 and p[0].startswith("ال") and len(p[0]) > 3}
    return tuple(reversed(by_length(halves)))


@lru_cache(maxsize=WORDS)
def compound_parts(word: str) -> tuple[str, ...]:
    """A normalised word as the words of a compound name written joined, without ZWNJ or space:
    حشمتالله → (حشمت, الله), as حشمت‌الله and حشمت الله are read; other words alone."""
    n = len(word)
    for size, halves in _second_halves():
        if n - size >= 2 and word[n - size:] in halves:
            return word[:n - size], word[n - size:]
    return (word,)


def new_entity_id(type: str, name: str) -> str:
    """The deterministic ID of a name no gazetteer holds: the same for a compound name written
    joined, with ZWNJ or with a space (حشمتالله, حشمت‌الله, حشمت الله)."""
    parts = []
    for word in (part for w in name_words(name) for part in compound_parts(w)):
        # A known name part by its table symbol: Mohammad and Mahmoud share their keys, not their names.
        key = part_symbol(spelling_key(word))
        if key is None:
            keys = word_keys(word)
            key = keys[0][0] if keys and keys[0][0] else (readings(word, k=1) or ["x"])[0]
        parts.append("".join(c for c in key.lower() if c.isalnum()) or "x")
    return f"{type}:new.{'-'.join(parts) or 'x'}"


def display_name(name: str, lang: str | None) -> str:
    """The name to show for a new entity: a Latin name as written, else each word's Latin
    spelling in the table of name parts (بهروز: Behrouz) or its Latin reading (کمالوندی: Kmalondi)."""
    if name.isascii():
        return " ".join(w.capitalize() for w in name.split())
    known = shown_spellings()
    # A run between spaces past the limits of a name's word (tokens joined by punctuation, no
    # space) has no reading: shown as written.
    shown = [known.get(part_symbol(spelling_key(w)) or "")
             or (latin_reading(w, lang) if within_name_limits(normalize_text(w).split()) else w) for w in name.split()]
    return " ".join(w for w in shown if w) or name


def document_clusters(names: list[tuple[str, str]], lang: str | None) -> list[str]:
    """IDs for the new names of one document, given as (type, name) in text order.

    A one-word name joins the first longer name of its type whose first or last word it is by
    sound (word similarity ≥ ``PART_OF_NAME``). Only longer names whose first or last word has a
    sound key in common with it are compared (:func:`sound_keys`, the merge's blocking; a word
    without sound keys is compared with every name), so many new names in one document stay cheap.
    """
    words = [name_words(n) for _, n in names]
    single = {t for (t, _), ws in zip(names, words) if len(ws) == 1}
    longer: dict[tuple[str, str | None], set[int]] = {}  # (type, sound key or None) → longer names
    for n, ((type, _), ws) in enumerate(zip(names, words)):
        if len(ws) > 1 and type in single:
            for keys in {sound_keys(ws[0]), sound_keys(ws[-1])}:
                for key in keys if keys is not None else (None,):
                    longer.setdefault((type, key), set()).add(n)
    out = []
    for (type, name), ws in zip(names, words):
        if len(ws) == 1:
            keys = sound_keys(ws[0])
            found = set(longer.get((type, None), ()))
            if keys is None:  # compared with every longer name of its type
                found.update(n for n, ((t, _), w) in enumerate(zip(names, words)) if t == type and len(w) > 1)
            else:
                found.update(n for key in keys for n in longer.get((type, key), ()))
            w = word_profile(ws[0], lang)
            for n in sorted(found):
                parts = words[n]
                if max(word_similarity(w, word_profile(p, lang)) for p in (parts[0], parts[-1])) >= PART_OF_NAME:
                    name = names[n][1]
                    break
        out.append(new_entity_id(type, name))
    return out


def sound_keys(word: str) -> frozenset[str] | None:
    """Keys that two words which may be one name by sound share (a normalised word): its likeliest
    keys and, past ``min_deletion`` classes, each of them less one class (a class added, dropped or
    changed), and its coarse skeleton (``keys.yaml``, blocking: related classes merged, weak ones
    dropped), with those of the word without the Arabic article (الکره meets کره and Korea). None
    for a word whose skeleton is too short to say anything (one class)."""
    found = _sound_keys(word_keys(word))
    if word.startswith(ARTICLE) and len(word) > len(ARTICLE) + 1:
        bare = _sound_keys(word_keys(word[len(ARTICLE):]))
        if bare is not None:
            found = bare if found is None else found | bare
    return found


@lru_cache(maxsize=WORDS)
def name_sound_keys(words: tuple[str, ...]) -> frozenset[str] | None:
    """The sound keys of a name's words and of each two adjacent words written as one (عبد الکبیر
    meets عبدالکبیر); None when no word has any."""
    sketch = _name_sketch(words)
    found = [k for k in (_sound_keys(w.keys) for w in sketch.words + sketch.joined) if k is not None]
    return frozenset().union(*found) if found else None


@lru_cache(maxsize=WORDS)
def _name_sketch(words: tuple[str, ...]) -> NameSketch:
    # Cached: blocking reads its keys, and the merge bounds each pair of names with it.
    return name_sketch(words)


@lru_cache(maxsize=WORDS)
def _sound_keys(keys: tuple[tuple[str, int], ...]) -> frozenset[str] | None:
    coarse = coarse_skeleton(keys)
    if coarse is None:
        return None
    skeleton, min_deletion = coarse
    out = {"~" + skeleton}
    for key, cost in keys[:KEYS_PER_WORD]:
        if cost <= MAX_COST and key:
            out.add("=" + key)
            if len(key) >= min_deletion:
                out.update("=" + key[:i] + key[i + 1:] for i in range(len(key)))
    return frozenset(out)


def merge(entities: dict[str, tuple[str, str, str | None]]) -> dict[str, str]:
    """Map each new entity ID to its cluster's ID; ``entities``: ID → (type, name, lang).

    Pairs are compared within blocks (see the module docstring), so the merge stays near-linear
    over a news archive; a name of words too short for sound keys is compared with its whole block.
    """
    parent = {i: i for i in entities}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    blocks: dict[tuple[str, str], list[str]] = {}
    words: dict[str, list[str]] = {}
    sketches: dict[str, NameSketch] = {}
    for eid, (type, name, _) in sorted(entities.items()):
        words[eid] = name_words(name)
        sketches[eid] = _name_sketch(tuple(words[eid]))
        keys = sketches[eid].words[-1].keys if words[eid] else ()
        blocks.setdefault((type, keys[0][0][:1] if keys else ""), []).append(eid)
    profiles: dict[str, list] = {}

    def profile(eid: str) -> list:
        if eid not in profiles:
            profiles[eid] = [word_profile(w, entities[eid][2]) for w in words[eid]]
        return profiles[eid]

    for members in blocks.values():
        for a, b in _pairs(members, words):
            if find(a) != find(b) and may_reach(sketches[a], sketches[b]) \
                    and name_similarity(profile(a), profile(b)) >= THRESHOLD:
                ra, rb = find(a), find(b)
                parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in entities}


def _pairs(members: list[str], words: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The pairs of one block worth comparing, in order: names with a sound key in common, and
    every pair with a name whose words are all too short for sound keys (short words weigh little
    in a name's score: the longer ones decide it)."""
    # Most keys belong to one name: each key's first name is kept apart, and only keys that a later
    # name shares get a list, so the pairs come from the few shared keys (a tenth of the time).
    first: dict[str, int] = {}
    shared: dict[str, list[int]] = {}
    keyless = []
    for n, eid in enumerate(members):
        keys = name_sound_keys(tuple(words[eid]))
        if keys is None:
            keyless.append(n)
            continue
        for key in keys:
            m = first.setdefault(key, n)
            if m != n:
                shared.setdefault(key, [m]).append(n)
    pairs = {pair for found in shared.values() for pair in combinations(found, 2)}
    pairs.update((min(x, y), max(x, y)) for x in keyless for y in range(len(members)) if x != y)
    return [(members[x], members[y]) for x, y in sorted(pairs)]
