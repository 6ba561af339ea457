"""How common a word is in Persian or Arabic: the vocabulary test of mention detection.

A word the language uses every day (گفت, روز, صور "pictures") is not a name on its own, while a
word the language's frequency list has never seen (ترمپ, زیلینسکی, پورکند) is most likely a
transliterated foreign name or a misspelling of one. Frequencies come from ``wordfreq``; its words
are normalised here with entityres's own rules so they compare with normalised tokens, and the
table is kept in memory once built, and on disk (:mod:`entityres.cache`) keyed by the wordfreq
version, the normalisation rules and this package's version.
"""
from __future__ import annotations

import math
import threading
from importlib.metadata import version

from ..cache import cache_path, expect, read_cache, str_map, write_cache
from .langs import canonical_lang
from .normalize import ZWNJ, normalize_text

MIN_ZIPF = 2.5  # rarer words are left out of the table: to detection they are all "unseen"
_WORDFREQ_LANG = {"fa": "fa", "prs": "fa", "ar": "ar"}  # wordfreq has no separate Dari list


_tables: dict[str, dict[str, float]] = {}
_lock = threading.Lock()


def _decode(data: object) -> dict[str, float]:
    table = str_map(data)
    expect(all(type(v) is float and 0.0 < v < 10.0 for v in table.values()), "Zipf frequencies")
    return table


def table(lang: str | None, cache: bool = True) -> dict[str, float]:
    """Zipf frequency (log10 per billion words) of each normalised word of ``lang`` (fa, prs, ar).

    Built once per process; with ``cache`` read from (and written to) the on-disk cache, without it
    no cache file is touched.
    """
    # a language as detection passes it (fa, prs, ar) finds its table without being canonicalised
    found = _tables.get(_WORDFREQ_LANG.get(lang)) if type(lang) is str else None
    if found is not None:
        return found
    source = _WORDFREQ_LANG.get(canonical_lang(lang) or "")
    if source is None:
        return {}
    found = _tables.get(source)
    if found is not None:
        return found
    with _lock:
        if source not in _tables:
            _tables[source] = _build(source, cache)
    return _tables[source]


def _build(source: str, cache: bool) -> dict[str, float]:
    path = cache_path("zipf", f"{source}\0{version('wordfreq')}\0{MIN_ZIPF}") if cache else None
    cached = read_cache(path, _decode)
    if cached is not None:
        return cached
    import wordfreq  # here, not at the top: importing it costs 0.15 s of every start with a warm cache

    floor = 10 ** (MIN_ZIPF - 9)
    out: dict[str, float] = {}
    # wordfreq's words by frequency bucket, read past its memo: kept, they stayed alive for the
    # process's life, and every full collection of the cycle collector walked their 640,000 strings.
    read = getattr(wordfreq.get_frequency_list, "__wrapped__", wordfreq.get_frequency_list)
    for bucket, words in enumerate(read(source)):
        freq = wordfreq.cB_to_freq(-bucket)
        if freq < floor:
            break  # buckets go from the most common down
        for word in words:
            key = normalize_text(word).replace(ZWNJ, "")
            out[key] = out.get(key, 0.0) + freq
    out = {w: float(round(math.log10(f) + 9, 2)) for w, f in out.items()}
    write_cache(path, out)
    return out


def zipf(word: str, lang: str | None) -> float:
    """How common a normalised word is, on the Zipf scale (0: unseen, 3: rare, 6: very common)."""
    return table(lang).get(word.replace(ZWNJ, ""), 0.0)
