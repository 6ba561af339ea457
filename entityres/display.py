"""Plain-text tables for a terminal: right-to-left names isolated, columns aligned by display width.

A right-to-left name in a left-to-right line reorders its neighbours under the Unicode bidi
algorithm (digits and punctuation join the Arabic run), so each cell holding right-to-left letters
is wrapped in FIRST STRONG ISOLATE (U+2068) … POP DIRECTIONAL ISOLATE (U+2069). Widths count
what a terminal draws: combining marks and format characters (ZWNJ, the isolates) take no
column, wide East Asian characters take two.
"""
from __future__ import annotations

import unicodedata
from typing import Sequence

FSI, PDI = "\u2068", "\u2069"


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def isolate(text: str) -> str:
    """``text`` between FSI and PDI when it holds a right-to-left letter, else unchanged."""
    return f"{FSI}{text}{PDI}" if any(map(_is_rtl, text)) else text


def display_width(text: str) -> int:
    """Terminal columns of ``text``: 0 for combining marks and format characters, 2 for wide ones."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """Rows under headers, two spaces between columns; numbers in columns ``right`` flush right.

    Floats print with two decimals, None as empty; the last column is not padded.
    """
    cells = [list(headers)] + [[isolate(_cell(v)) for v in row] for row in rows]
    widths = [max(display_width(r[c]) for r in cells) for c in range(len(headers))]
    lines = []
    for r in cells:
        out = []
        for c, value in enumerate(r):
            pad = " " * (widths[c] - display_width(value))
            last = c == len(r) - 1
            out.append(pad + value if c in right else value + ("" if last else pad))
        lines.append("  ".join(out).rstrip())
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
