"""Annotated corpora in CoNLL-like files: sentences of (token, tag), as text with typed character spans.

One reader for the formats NER corpora come in: ``token TAG``, ``token<TAB>TAG`` or ``token|TAG``
(the tag is the last field, so a token may hold spaces), IOB or IOB2 tags written ``B-X`` or
``B_X``, and nested corpora with several tag columns (``token TAG TAG``: the first column that
names a type we tag wins). A file without blank lines is cut into sentences after each run of
"." tokens, the recipe CAMeL Lab used for ANERcorp.

Tag types are folded to ``PER``, ``LOC`` and ``ORG`` (:data:`TYPES`); every other type is outside
any span. A sentence becomes text by joining its tokens with single spaces, so each gold span is
an exact character span of that text.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

TYPES = {"PER": "PER", "PERS": "PER", "PERSON": "PER",
         "LOC": "LOC", "GPE": "LOC", "LOCATION": "LOC",
         "ORG": "ORG", "POG": "ORG", "ORGANIZATION": "ORG", "ORGANISATION": "ORG"}
# IOB tags, and the stray upper-case tags some corpora hold (IO, OO, B-MIS1`): those are outside any span.
_TAG = re.compile(r"^(?:[BIESbies][-_]+\S+|[A-Z][A-Z0-9`_-]*)$")
_SLICE = re.compile(r"^(?P<path>.+):(?P<first>\d*)-(?P<last>\d*)$")


class GoldSpan(NamedTuple):
    start: int  # character offsets into the sentence text
    end: int
    type: str  # PER | LOC | ORG, or the corpus's own type (fac, MISC...) for spans we do not tag
    text: str


class Sentence(NamedTuple):
    text: str
    spans: tuple[GoldSpan, ...]


def fold_type(tag: str) -> tuple[str, str]:
    """``(prefix, type)`` of a tag: ``B-PERS`` → ``("B", "PER")``, ``B_pers`` too; ``("O", "")`` for O."""
    if len(tag) < 3 or tag[1] not in "-_":
        return "O", ""
    kind = tag[2:].lstrip("-_")
    return tag[0].upper(), TYPES.get(kind.upper(), kind)


def _fields(line: str, path: Path, number: int) -> tuple[str, str]:
    """(token, tag) of one line; the token is "" for a line that holds a tag alone."""
    stripped = line.strip()
    parts = stripped.split()
    if len(parts) > 2 and all(_TAG.match(p) for p in parts[1:]):  # nested: token TAG TAG ...
        return parts[0], next((t for t in parts[1:] if fold_type(t)[1] in ("PER", "LOC", "ORG")), parts[1])
    if _TAG.match(stripped):
        return "", stripped
    for sep in ("\t", " ", "|"):
        token, _, tag = stripped.rpartition(sep)
        if token.strip() and _TAG.match(tag.strip()):
            return token.strip(), tag.strip()
    raise ValueError(f"{path}:{number}: expected 'token TAG' with an IOB tag, got {line!r}")


def read_tokens(path: str | Path) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag) from one file; lines with an empty token are skipped."""
    path = Path(path)
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    blank_lines = False
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n").replace("\u200e", "").replace("\u200f", "")
            if not line.strip():
                blank_lines = True
                if current:
                    sentences.append(current)
                    current = []
                continue
            token, tag = _fields(line, path, number)
            if token:
                current.append((token, tag))
    if current:
        sentences.append(current)
    if not blank_lines:
        sentences = [s for whole in sentences for s in _cut_at_stops(whole)]
    return sentences


def _cut_at_stops(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    out, current = [], []
    for n, item in enumerate(tokens):
        current.append(item)
        if item[0] == "." and (n + 1 == len(tokens) or tokens[n + 1][0] != "."):
            out.append(current)
            current = []
    return out + ([current] if current else [])


def to_sentence(tokens: list[tuple[str, str]]) -> Sentence:
    """The sentence as text (tokens joined by single spaces) with its typed spans.

    An I- tag that does not continue a span of its own type starts one (IOB1 and noisy tags).
    """
    parts, spans = [], []
    offset = 0
    open_span: list | None = None
    for token, tag in tokens:
        start, end = offset, offset + len(token)
        parts.append(token)
        offset = end + 1
        prefix, kind = fold_type(tag)
        if prefix == "O" or not kind:
            open_span = None
        elif prefix in ("I", "E") and open_span is not None and open_span[2] == kind:
            open_span[1] = end
        else:
            open_span = [start, end, kind]
            spans.append(open_span)
        if prefix in ("E", "S"):
            open_span = None
    text = " ".join(parts)
    return Sentence(text, tuple(GoldSpan(a, b, k, text[a:b]) for a, b, k in spans))


def corpus_file(spec: str | Path) -> tuple[Path, slice]:
    """The file and the sentences that ``FILE`` or ``FILE:A-B`` names (``A`` to ``B - 1``; either
    end may be left out: ``FILE:3988-``)."""
    spec = str(spec)
    if not Path(spec).exists() and (m := _SLICE.match(spec)):
        return Path(m["path"]), slice(int(m["first"]) if m["first"] else None, int(m["last"]) if m["last"] else None)
    return Path(spec), slice(None)


def read_corpus(spec: str | Path) -> list[Sentence]:
    """Sentences of a corpus file, or of a slice of it (:func:`corpus_file`)."""
    path, part = corpus_file(spec)
    if not path.is_file():
        raise FileNotFoundError(f"no corpus file {path}")
    return [to_sentence(s) for s in read_tokens(path)[part]]
