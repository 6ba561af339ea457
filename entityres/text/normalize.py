# cython: language_level=3, annotation_typing=False, binding=True
"""Script normalisation with an exact map back to the original text.

``normalize(text)`` folds the many ways Persian, Dari and Arabic (and Latin) text writes the same
letters into one canonical form, character by character, and remembers for every output character
the range of the input it came from. Later stages work on the normalised text; every offset they
report goes back through :meth:`Normalized.span` to the text the caller passed in.

The named rules live in ``resources/script.yaml``. Characters no rule names fall to the generic
rules below, each applied by Unicode category:

* ``combining_marks`` (Mn, Me): harakat, shadda, sukun, superscript alef, Quranic marks and Latin
  accents are dropped; they are optional in news and absent from most spellings of a name.
  A dropped mark stays inside the span of the letter it sits on.
* ``format_controls`` (Cf): invisible; dropped.
* ``other_spaces`` (Zs) and ``other_line_breaks`` (Zl, Zp): a space and a newline.
* ``control_characters`` (Cc other than newline): a space, so they still separate words.
* ``lone_surrogates`` (Cs): U+FFFD, so any Python string normalises.
* ``compatibility_forms``: Arabic presentation forms (ﻻ ﺑ ﷲ), ligatures and full-width letters are
  decomposed (NFKD) and each resulting character normalised in turn.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Iterable, NamedTuple

from . import tables

# One code per input character tells how it maps: kept one-to-one, dropped, dropped but attached
# to the previous output character (a combining mark), or expanded to several characters.
_ONE, _DROP, _MARK, _MANY = "1", "d", "m", "x"
ZWNJ = "\u200c"  # kept by normalisation (Persian morpheme joints); keys and similarity ignore it

GENERIC_RULES = (
    "combining_marks",
    "format_controls",
    "other_spaces",
    "other_line_breaks",
    "control_characters",
    "lone_surrogates",
    "compatibility_forms",
)


def _named_rules() -> dict[str, tuple[str, str]]:
    mapping: dict[str, tuple[str, str]] = {}
    for name, rule in tables.load("script")["rules"].items():
        for char, replacement in rule["map"].items():
            mapping[char] = (replacement, name)
    return mapping


_NAMED = _named_rules()


def rule_for(char: str) -> tuple[str, str]:
    """The replacement of one character and the name of the rule that decides it."""
    named = _NAMED.get(char)
    if named is not None:
        return named
    category = unicodedata.category(char)
    if category in ("Mn", "Me"):
        return "", "combining_marks"
    if category == "Cf":
        return "", "format_controls"
    if category == "Zs":
        return " ", "other_spaces"
    if category in ("Zl", "Zp"):
        return "\n", "other_line_breaks"
    if category == "Cc":
        return ("\n" if char == "\n" else " "), "control_characters"
    if category == "Cs":
        return "\ufffd", "lone_surrogates"
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed != char:
        return "".join(_replacement(c) for c in decomposed), "compatibility_forms"
    return char, ""


def _replacement(char: str) -> str:
    return rule_for(char)[0]


def _code(out: str, rule: str) -> str:
    """How a character whose rule ``rule`` replaces it with ``out`` maps (_ONE, _DROP, _MARK or _MANY)."""
    if len(out) == 1:
        return _ONE
    if len(out) > 1:
        return _MANY
    return _MARK if rule == "combining_marks" else _DROP


@lru_cache(maxsize=1 << 16)
def _rule(char: str) -> tuple[str, str]:
    """A character's replacement and code (_ONE, _DROP, _MARK or _MANY)."""
    out, rule = rule_for(char)
    return out, _code(out, rule)


class _Known(NamedTuple):
    """The characters seen so far, as patterns that find a text's few characters that change.
    Most characters stay as they are, so a text is scanned by regular expressions and rewritten
    one changed character at a time (``str.replace``), not looked up character by character
    (``str.translate`` through a dict: ~0.15 µs a character, most of a text's normalisation)."""

    unknown: re.Pattern  # a character not seen yet
    changed: re.Pattern  # a character whose replacement differs from it
    not_one: re.Pattern  # a character not kept one-to-one
    chained: frozenset[str]  # characters whose replacement would change again (none while the rules are idempotent)
    size: int
    kept: frozenset[str]  # characters seen whose replacement is themselves


MAX_KNOWN = 4096  # characters the patterns hold; a text with others takes the per-character path
LEARN_TEXTS = 20_000  # texts that learn() reads: the bundled gazetteer's names, with room
# A text up to this long (a word, a name) is first looked up in a set, character by character:
# there that costs less than the patterns' two scans (0.2-0.6 µs against 0.7); on a longer text
# the scans cost less a character.
SHORT_TEXT = 32


def _charset(chars: Iterable[str], negate: bool = False) -> re.Pattern:
    body = "".join(map(re.escape, sorted(chars)))
    if not body:
        return re.compile(r"(?s:.)" if negate else r"(?!)")
    return re.compile(f"[^{body}]" if negate else f"[{body}]")


def _known(chars: Iterable[str]) -> _Known:
    chars = set(chars)
    changed = {c for c in chars if _rule(c)[0] != c}
    return _Known(_charset(chars, True), _charset(changed), _charset(c for c in chars if _rule(c)[1] != _ONE),
                  frozenset(c for c in changed if any(_rule(d)[0] != d for d in _rule(c)[0])), len(chars),
                  frozenset(chars - changed))


_KNOWN = _known(())
_LEARNING = threading.Lock()
_seen: set[str] = set()


def _known_for(text: str) -> _Known | None:
    """Patterns that know every character of ``text``, learning the new ones; None past MAX_KNOWN."""
    global _KNOWN
    known = _KNOWN
    new = set(known.unknown.findall(text))  # distinct: a long text repeats its characters
    if not new:
        return known
    with _LEARNING:
        if len(_seen) + len(new) > MAX_KNOWN:
            return None
        _seen.update(new)
        known = _KNOWN = _known(_seen)
    return known


def learn(texts: Iterable[str]) -> None:
    """Know every character of the first :data:`LEARN_TEXTS` of ``texts`` at once. Normalised one
    by one, a gazetteer's names taught the patterns a few characters at a time, each time compiled
    again (180 times, a fifth of a second, for the bundled names). Only the first texts are read
    (lazily): they hold most of the characters, and reading a million names costs seconds; later
    texts still teach their new characters as they come."""
    _known_for("".join(islice(texts, LEARN_TEXTS)))


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus, for each of its characters, the original range it came from."""

    text: str
    original: str
    _starts: array | None = None  # None: one-to-one with the original
    _ends: array | None = None

    def offsets(self) -> tuple:
        """For each normalised character, where it starts and ends in the original (sequences)."""
        if self._starts is None:
            return range(len(self.text)), range(1, len(self.text) + 1)
        return self._starts, self._ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` to the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span [{start}, {end}) outside normalised text of length {len(self.text)}")
        if self._starts is None:
            return start, end
        if start == end:
            pos = self._starts[start] if start < len(self.text) else len(self.original)
            return pos, pos
        return self._starts[start], self._ends[end - 1]


def require_str(value: object, what: str) -> None:
    """A clear TypeError when a public function gets something other than text (bytes, None)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} needs a str, not {value.__class__.__name__}")


def normalize(text: str) -> Normalized:
    """Normalise ``text``; see the module docstring for the rules. Idempotent on its output."""
    require_str(text, "normalize()")
    known = _known_for(text)
    out = _rewrite(text, known)
    if known is None:
        positions = [i for i, c in enumerate(text) if _rule(c)[1] != _ONE]
    else:
        positions = [m.start() for m in known.not_one.finditer(text)]
    if not positions:
        return Normalized(out, text)
    starts, ends = array("q"), array("q")
    count = _counting(len(text) + 1)  # runs of kept characters are slices of it (copied in C)
    pos = 0
    for i in positions:
        starts += count[pos:i]
        ends += count[pos + 1:i + 1]
        replacement, code = _rule(text[i])
        if code == _MARK and ends and ends[-1] == i:
            ends[-1] = i + 1
        elif code == _MANY:
            starts.extend([i] * len(replacement))
            ends.extend([i + 1] * len(replacement))
        pos = i + 1
    starts += count[pos:len(text)]
    ends += count[pos + 1:len(text) + 1]
    return Normalized(out, text, starts, ends)


_COUNT = array("q")
MAX_COUNT = 1 << 16  # kept for texts up to this long; a longer one makes its own


def _counting(n: int) -> array:
    """0, 1, 2, ... at least up to ``n`` (exclusive)."""
    global _COUNT
    count = _COUNT
    if len(count) < n:
        count = array("q", range(max(n, 2 * len(count))))
        if n <= MAX_COUNT:
            _COUNT = count
    return count


def _rewrite(text: str, known: _Known | None) -> str:
    """``text`` with each character replaced by its rule's replacement."""
    if known is not None:
        out, pos = text, 0
        # One search and one replace per distinct changed character: the text before the first
        # match holds none, and replacements hold none (the rules are idempotent, but chained ones).
        while (found := known.changed.search(out, pos)) is not None:
            c = found.group()
            if c in known.chained:
                break
            out, pos = out.replace(c, _rule(c)[0]), found.start()
        else:
            return out
    return text.translate({ord(c): _rule(c)[0] for c in set(text)})


def normalize_text(text: str) -> str:
    """The normalised string alone, for callers that need no offsets."""
    if type(text) is str and len(text) <= SHORT_TEXT and _KNOWN.kept.issuperset(text):
        return text  # most words: every character is known and stays as it is
    return _rewrite(text, _known_for(text))
