"""How common a word is in Persian or Arabic: the vocabulary test of mention detection.

A word the language uses every day (گفت, روز, صور "pictures") is not a name on its own, while a
word the language's frequency list has never seen (ترمپ, زیلینسکی, پورکند) is most likely a
transliterated foreign name or a misspelling of one. Frequencies come from ``wordfreq``; its words
are normalised here with entityres's own rules so they compare with normalised tokens, and the
table is cached on disk (it is built once per wordfreq version).
"""
from __future__ import annotations

import math
from functools import lru_cache
from importlib.metadata import version

import wordfreq

from ..cache import cache_dir, read_cache, write_cache
from .langs import canonical_lang
from .normalize import ZWNJ, normalize_text

MIN_ZIPF = 2.5  # rarer words are left out of the table: to detection they are all "unseen"
_WORDFREQ_LANG = {"fa": "fa", "prs": "fa", "ar": "ar"}  # wordfreq has no separate Dari list


@lru_cache(maxsize=None)
def table(lang: str | None) -> dict[str, float]:
    """Zipf frequency (log10 per billion words) of each normalised word of ``lang`` (fa, prs, ar)."""
    source = _WORDFREQ_LANG.get(canonical_lang(lang) or "")
    if source is None:
        return {}
    path = cache_dir() / f"zipf-{source}-{version('wordfreq')}-{MIN_ZIPF}.pickle"
    cached = read_cache(path)
    if isinstance(cached, dict):
        return cached
    floor = 10 ** (MIN_ZIPF - 9)
    out: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict(source).items():
        if freq < floor:
            continue
        key = normalize_text(word).replace(ZWNJ, "")
        out[key] = out.get(key, 0.0) + freq
    out = {w: round(math.log10(f) + 9, 2) for w, f in out.items()}
    write_cache(path, out)
    return out


def zipf(word: str, lang: str | None) -> float:
    """How common a normalised word is, on the Zipf scale (0: unseen, 3: rare, 6: very common)."""
    return table(lang).get(word.replace(ZWNJ, ""), 0.0)
