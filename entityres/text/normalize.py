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
import unicodedata
from array import array
from dataclasses import dataclass

from . import tables

# One code per input character tells how it maps: kept one-to-one, dropped, dropped but attached
# to the previous output character (a combining mark), or expanded to several characters.
_ONE, _DROP, _MARK, _MANY = "1", "d", "m", "x"
_NOT_ONE = re.compile(r"[^1]")
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


class _Lazy(dict):
    """A ``str.translate`` table filled on first sight of each character, so translation runs in C."""

    def __init__(self, pick):
        super().__init__()
        self._pick = pick

    def __missing__(self, codepoint: int) -> str:
        value = self._pick(chr(codepoint))
        self[codepoint] = value
        return value


def _code(char: str) -> str:
    out, rule = rule_for(char)
    if len(out) == 1:
        return _ONE
    if len(out) > 1:
        return _MANY
    return _MARK if rule == "combining_marks" else _DROP


_OUT = _Lazy(_replacement)
_CODES = _Lazy(_code)


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
    out = text.translate(_OUT)
    codes = text.translate(_CODES)
    if codes.count(_ONE) == len(codes):
        return Normalized(out, text)
    starts, ends = array("q"), array("q")
    pos = 0
    for match in _NOT_ONE.finditer(codes):
        i = match.start()
        starts.extend(range(pos, i))
        ends.extend(range(pos + 1, i + 1))
        code = codes[i]
        if code == _MARK and ends and ends[-1] == i:
            ends[-1] = i + 1
        elif code == _MANY:
            n = len(_OUT[ord(text[i])])
            starts.extend([i] * n)
            ends.extend([i + 1] * n)
        pos = i + 1
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return Normalized(out, text, starts, ends)


def normalize_text(text: str) -> str:
    """The normalised string alone, for callers that need no offsets."""
    return text.translate(_OUT)
