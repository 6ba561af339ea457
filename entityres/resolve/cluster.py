"""Clusters: canonical IDs for every mention, within a document and across documents.

* A linked mention takes its gazetteer entry's ID.
* A name no gazetteer holds gets a **deterministic ID from its sound**: its type, then the first
  cross-script key of each word (:mod:`entityres.text.keys`), ``person:new.azm-prknd`` for اعظم پورکند.
  Keys are shared by the Persian, Arabic and Latin spellings of a name, so the same new person
  gets the same ID in every document and language without any shared state.
* Within a document, a new name of one word that is the first or last word of a longer new name
  of the same type joins it (پورکند after اعظم پورکند).
* Across documents (:func:`merge`), new entities whose names are the same name by
  :func:`entityres.text.similarity.similarity` (≥ ``THRESHOLD``) join one cluster. Its ID is the
  smallest member ID in string order, so it does not depend on the order of the documents.
"""
from __future__ import annotations

from functools import lru_cache

from ..text import cues
from ..text.keys import name_words, word_keys
from ..text.similarity import THRESHOLD, name_similarity, word_profile, word_similarity
from ..text.transliterate import latin_reading, readings

PART_OF_NAME = 0.9  # a one-word new name this similar to a word of a longer new name is that name


@lru_cache(maxsize=None)
def _second_halves() -> tuple[str, ...]:
    """Second halves of compound names and ordinals (الله, الدین, الدوله, الثانی), from the cue
    group ``name_particles``: the ones that carry the article."""
    halves = {p[0] for p in cues.phrases("name_particles") if len(p) == 1 and p[0].startswith("ال") and len(p[0]) > 3}
    return tuple(sorted(halves, key=len, reverse=True))


@lru_cache(maxsize=1 << 14)
def compound_parts(word: str) -> tuple[str, ...]:
    """A normalised word as the words of a compound name written joined, without ZWNJ or space:
    حشمتالله → (حشمت, الله), as حشمت‌الله and حشمت الله are read; other words alone."""
    for half in _second_halves():
        if word.endswith(half) and len(word) - len(half) >= 2:
            return word[: -len(half)], half
    return (word,)


def new_entity_id(type: str, name: str) -> str:
    """The deterministic ID of a name no gazetteer holds: the same for a compound name written
    joined, with ZWNJ or with a space (حشمتالله, حشمت‌الله, حشمت الله)."""
    parts = []
    for word in (part for w in name_words(name) for part in compound_parts(w)):
        keys = word_keys(word)
        key = keys[0][0] if keys and keys[0][0] else (readings(word, k=1) or ["x"])[0]
        parts.append("".join(c for c in key.lower() if c.isalnum()) or "x")
    return f"{type}:new.{'-'.join(parts) or 'x'}"


def display_name(name: str, lang: str | None) -> str:
    """The name to show for a new entity: a Latin name as written, else its Latin reading."""
    if name.isascii():
        return " ".join(w.capitalize() for w in name.split())
    return latin_reading(name, lang) or name


def document_clusters(names: list[tuple[str, str]], lang: str | None) -> list[str]:
    """IDs for the new names of one document, given as (type, name) in text order."""
    fulls = [(t, n) for t, n in names if len(name_words(n)) > 1]
    out = []
    for type, name in names:
        words = name_words(name)
        if len(words) == 1:
            w = word_profile(words[0], lang)
            for t, full in fulls:
                parts = name_words(full)
                if t == type and max(word_similarity(w, word_profile(p, lang)) for p in (parts[0], parts[-1])) >= PART_OF_NAME:
                    name = full
                    break
        out.append(new_entity_id(type, name))
    return out


def merge(entities: dict[str, tuple[str, str, str | None]]) -> dict[str, str]:
    """Map each new entity ID to its cluster's ID; ``entities``: ID → (type, name, lang).

    Candidates are blocked on the first letter class of the last word's key, so the comparison
    stays near-linear over a news archive.
    """
    parent = {i: i for i in entities}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    blocks: dict[tuple[str, str], list[str]] = {}
    profiles = {}
    for eid, (type, name, lang) in sorted(entities.items()):
        words = name_words(name)
        profiles[eid] = [word_profile(w, lang) for w in words]
        key = profiles[eid][-1].keys[0][0] if profiles[eid] and profiles[eid][-1].keys else ""
        blocks.setdefault((type, key[:1]), []).append(eid)
    for members in blocks.values():
        for n, a in enumerate(members):
            for b in members[n + 1:]:
                if find(a) != find(b) and name_similarity(profiles[a], profiles[b]) >= THRESHOLD:
                    ra, rb = find(a), find(b)
                    parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in entities}
