"""Input limits (docs/reliability.md): past them work would grow without bound, so the input is
refused with a clear error or, in running text, a word is skipped.

* ``MAX_WORD_CHARS``: a longer word is no name. Detection skips it (it separates names like
  punctuation); a name given to :func:`similarity`, ``match``, :func:`keys` or :func:`readings`
  with such a word, or a gazetteer name with one, is refused (``ValueError``).
* ``MAX_NAME_WORDS``: a longer "name" is a sentence; refused the same way.
* ``MAX_TEXT_CHARS``: a longer text is refused by :meth:`Resolver.resolve` (split it).
"""
from __future__ import annotations

MAX_WORD_CHARS = 32
MAX_NAME_WORDS = 16
MAX_TEXT_CHARS = 1_000_000


def within_name_limits(words: list[str]) -> bool:
    """Would :func:`check_name_words` take ``words``?"""
    return len(words) <= MAX_NAME_WORDS and all(len(w) <= MAX_WORD_CHARS for w in words)


def check_name_words(words: list[str], what: str) -> list[str]:
    """``words`` of a name, or ValueError when a limit is passed."""
    if len(words) > MAX_NAME_WORDS:
        raise ValueError(f"{what}: a name has at most {MAX_NAME_WORDS} words, not {len(words)}")
    long = next((w for w in words if len(w) > MAX_WORD_CHARS), None)
    if long is not None:
        raise ValueError(f"{what}: a name's word has at most {MAX_WORD_CHARS} letters, not {len(long)}")
    return words
