"""Bounded memos: a long run meets new words without end and must not grow without end (issue 11).

Every memo of words has a size, and the sizes are set here together because they add up: a word
never seen before leaves about 10 KB across the memos of one word (its profile, keys with their
vowel slots, readings and their codes, stems, forms, the tagger's scores...; tracemalloc on the
words of ``benchmarks/reliability.py rss``), so ``WORDS`` words hold about 100 MB. Smaller sizes
cost speed on real text, whose rarer words come back (``benchmarks/reliability.py stream``).
``READINGS``, ``SMALL`` and ``PAIRS`` count smaller entries.

Memos that depend on a gazetteer's index are kept on that index (:func:`per_index`): a dropped
Resolver frees its index, and everything remembered about it, with it.
"""
from __future__ import annotations

import threading
import weakref
from functools import lru_cache, wraps
from typing import Callable, TypeVar

WORDS = 10_240  # memos of one word (or one word and its language)
READINGS = 4 * WORDS  # memos of one Latin reading: a word has up to 8
SMALL = 2 * WORDS  # memos of one word whose entries are small: detection's yes/no, the tagger's scores
PAIRS = 4 * WORDS  # memos of two words, or of a word and an alias

HOT_WORDS = SMALL  # entries a dict memo of words (each_word, bounded) keeps

F = TypeVar("F", bound=Callable)
T = TypeVar("T")


class _Memos(dict):
    """The memos kept on one index, by function. Pickled empty: an index sent to another process
    (inside a pickled Gazetteer) starts its memos afresh there."""

    def __reduce__(self):
        return _Memos, ()


def per_index(maxsize: int | None) -> Callable[[F], F]:
    """``lru_cache(maxsize)`` for a function whose last argument is an index (or any object with
    a ``__dict__``), with one memo per index, stored on it: the memo goes with the index, and
    holds it only weakly, so it keeps no index alive and makes no reference cycle. ``f.on(index)``
    is that index's memo, taking the other arguments: for loops over many words."""
    def decorate(fn: F) -> F:
        def on(index):
            memos = index.__dict__.get("_memos")
            if memos is None:
                memos = index.__dict__.setdefault("_memos", _Memos())
            memo = memos.get(fn)
            if memo is None:
                ref = weakref.ref(index)
                memo = memos.setdefault(fn, lru_cache(maxsize)(lambda *a: fn(*a, ref())))
            return memo

        @wraps(fn)
        def cached(*args):
            memos = args[-1].__dict__.get("_memos")  # the common case without a call to on()
            memo = memos.get(fn) if memos is not None else None
            return (memo or on(args[-1]))(*args[:-1])
        cached.on = on
        return cached  # type: ignore[return-value]
    return decorate


def once(fn: Callable[[], T]) -> Callable[[], T]:
    """A function of no arguments whose value is built on the first call only, even when threads
    call it together (the bundled gazetteer, the default resolver: too dear to build twice)."""
    lock = threading.Lock()
    done: list = []

    @wraps(fn)
    def get() -> T:
        if not done:
            with lock:
                if not done:
                    done.append(fn())
        return done[0]
    return get


def bounded(memo: dict) -> dict:
    """``memo``, emptied past ``HOT_WORDS`` entries: a long run of new words must not grow it for ever."""
    if len(memo) > HOT_WORDS:
        memo.clear()
    return memo


def each_word(memo: dict, words: list[str], make: Callable[[str], T]) -> list[T]:
    """``make(word)`` for each word, read from ``memo`` (by word, :func:`bounded`) and added to
    it: a text's words were mostly seen before, and a dict's lookups in C are the cheapest memo
    (an ``lru_cache`` hit costs several times one)."""
    found = list(map(bounded(memo).get, words))
    if None in found:  # (get() again: another thread may empty the memo meanwhile)
        found = [f if (f := memo.get(w)) is not None else memo.setdefault(w, make(w)) for w in words]
    return found
