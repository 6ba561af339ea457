"""A fast reader for the plain block YAML that gazetteer files are written in.

PyYAML, even with libyaml, reads about a megabyte a second here; a 50 MB gazetteer took minutes.
Gazetteer files (the bundled ones, and what ``entityres gazetteer import`` writes) use a small part
of YAML: block mappings and sequences, one-line flow sequences and mappings, one-line plain or
quoted scalars, comments. This reads exactly that part, line by line, and gives up (returns None)
on anything else (anchors, aliases, tags, multi-line scalars, documents markers, duplicate keys,
anything malformed), in which case the caller reads the file with PyYAML, which also reports the
errors. Plain scalars are typed by PyYAML's own resolver table, so ``yes``, ``null``, ``1e3`` or
``0x1F`` mean what they mean to PyYAML; a scalar that resolves to anything other than a string,
int, float, bool or null (a timestamp, ``<<``) gives up too.
"""
from __future__ import annotations

import re

import yaml

Lines = dict  # data path (depth <= 2) → line number

# Characters PyYAML refuses anywhere, and the constructs left to it.
_REJECT = re.compile("[\t\r\ufeff\x85\u2028\u2029]|" + yaml.reader.Reader.NON_PRINTABLE.pattern + r"|^(?:---|\.\.\.|%)", re.M)
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-]*):(?: +(.*))?$")
_PLAIN_START = set("#&*!|>'\"%@`,[]{}")
_FLOW_END = re.compile(r"[,\]}]")
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TYPED = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\0", " ": " "}
_HEX = {"x": 2, "u": 4, "U": 8}


class _GiveUp(Exception):
    """Outside the part of YAML read here: the caller falls back to PyYAML."""


def parse(text: str) -> tuple[object, Lines] | None:
    """``(data, lines)`` as PyYAML would construct ``text``, with the lines of the top two levels;
    None when ``text`` uses YAML this reader leaves to PyYAML."""
    if _REJECT.search(text):
        return None
    rows = []
    for n, line in enumerate(text.split("\n"), 1):
        content = line.lstrip(" ")
        if content and content[0] != "#":
            rows.append((n, len(line) - len(content), content.rstrip(" ")))
    if not rows:
        return None
    lines: Lines = {}
    try:
        data, end = _node(rows, 0, rows[0][1], (), lines)
        if end != len(rows):
            return None
    except (_GiveUp, yaml.YAMLError, ValueError, OverflowError):
        return None
    return data, lines


def _is_item(content: str) -> bool:
    return content == "-" or content[:2] == "- "


def _node(rows: list, i: int, indent: int, path: tuple, lines: Lines) -> tuple[object, int]:
    if _is_item(rows[i][2]):
        return _sequence(rows, i, indent, path, lines)
    return _mapping(rows, i, indent, path, lines)


def _nested(rows: list, i: int, indent: int, path: tuple, lines: Lines, in_mapping: bool) -> tuple[object, int]:
    """The value of ``key:`` or ``-`` with nothing after it: a deeper block, else null."""
    if i < len(rows):
        ind, content = rows[i][1], rows[i][2]
        if ind > indent or (in_mapping and ind == indent and _is_item(content)):
            return _node(rows, i, ind, path, lines)
    return None, i


def _mapping(rows: list, i: int, indent: int, path: tuple, lines: Lines) -> tuple[dict, int]:
    out: dict = {}
    track = len(path) < 2  # lines are kept for the top two levels only
    end = len(rows)
    while i < end:
        n, ind, content = rows[i]
        if ind != indent:
            if ind < indent:
                break
            raise _GiveUp
        if out and (content == "-" or content[:2] == "- "):
            break
        m = _KEY.match(content)
        if m is None:
            raise _GiveUp
        key, rest = m.group(1, 2)
        if key[0] in _RESOLVERS:
            key = _plain(key)
            if not isinstance(key, str):
                raise _GiveUp
        if key in out:
            raise _GiveUp
        if track:
            lines[path + (key,)] = n
        i += 1
        if rest is None or rest[0] == "#":
            if track and i < end:
                lines[path + (key,)] = rows[i][0]  # PyYAML places a block value where it starts
            out[key], i = _nested(rows, i, indent, path + (key,), lines, True)
        else:
            out[key] = _value(rest)
            if i < end and rows[i][1] > indent:
                raise _GiveUp  # a scalar continued on the next line
    return out, i


def _sequence(rows: list, i: int, indent: int, path: tuple, lines: Lines) -> tuple[list, int]:
    out: list = []
    while i < len(rows):
        n, ind, content = rows[i]
        if ind < indent or (ind == indent and not _is_item(content)):
            break
        if ind > indent:
            raise _GiveUp
        sub = path + (len(out),)
        if len(sub) <= 2:
            lines[sub] = n
        rest = content[1:].lstrip(" ")
        if not rest or rest[0] == "#":
            if len(sub) <= 2 and i + 1 < len(rows):
                lines[sub] = rows[i + 1][0]
            value, i = _nested(rows, i + 1, indent, sub, lines, False)
        elif _is_item(rest):
            raise _GiveUp
        elif rest[0] not in "\"'[{" and _KEY.match(rest):
            rows[i] = (n, ind + len(content) - len(rest), rest)  # "- key: value" opens a mapping at key's column
            value, i = _mapping(rows, i, rows[i][1], sub, lines)
        else:
            value = _value(rest)
            i += 1
            if i < len(rows) and rows[i][1] > indent:
                raise _GiveUp
        out.append(value)
    return out, i


_SIMPLE_LIST = re.compile(r"\[([^\"'\[\]{}#:?,]+(?:,[^\"'\[\]{}#:?,]+)*)\]$")


def _value(text: str) -> object:
    """A one-line value after ``key: `` or ``- ``: flow collection, quoted or plain scalar (comment allowed)."""
    first = text[0]
    if first == "[":
        m = _SIMPLE_LIST.match(text)
        if m:  # [a, b, c] of plain scalars, the commonest value: split, no character walk
            items = [item.strip(" ") for item in m.group(1).split(",")]
            if all(item and item[0] not in _RESOLVERS and not _bad_plain(item) for item in items):
                return items
    if first in "[{\"'":
        value, end = _flow(text, 0)
        rest = text[end:]
        if rest and not (rest[0] == " " and rest.lstrip(" ")[:1] in ("#", "")):
            raise _GiveUp
        return value
    cut = text.find(" #")
    if cut >= 0:
        text = text[:cut].rstrip(" ")
    if ": " in text or text.endswith(":") or _bad_plain(text):
        raise _GiveUp
    return text if first not in _RESOLVERS else _plain(text)


def _bad_plain(text: str) -> bool:
    """Empty, or starting as no plain scalar may (an indicator, or ``-``, ``?``, ``:`` then a space)."""
    return not text or text[0] in _PLAIN_START or (text[0] in "-?:" and text[1:2] in ("", " "))


def _plain(text: str) -> object:
    """A plain scalar typed as PyYAML types it (str unless a resolver claims it)."""
    for tag, regexp in _RESOLVERS.get(text[:1], ()):
        if regexp.match(text):
            if tag not in _TYPED:
                raise _GiveUp
            return _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, text))
    return text


FLOW_DEPTH = 16  # flow collections inside flow collections read here (a gazetteer needs 2); deeper: PyYAML's


def _flow(text: str, i: int, depth: int = 0) -> tuple[object, int]:
    """The flow value starting at ``text[i]``, ``depth`` flow collections in; returns it and the
    index after it."""
    ch = text[i]
    if ch == '"':
        return _double(text, i)
    if ch == "'":
        end = i + 1
        while True:
            end = text.find("'", end)
            if end < 0:
                raise _GiveUp
            if text[end + 1:end + 2] != "'":
                return text[i + 1:end].replace("''", "'"), end + 1
            end += 2
    if ch in "[{":
        if depth >= FLOW_DEPTH:
            raise _GiveUp  # PyYAML refuses collections nested past yaml_source.MAX_DEPTH, naming the line
        close = "]" if ch == "[" else "}"
        out: list | dict = [] if ch == "[" else {}
        i += 1
        while True:
            i = _skip_spaces(text, i)
            if text[i:i + 1] == close and not out:
                return out, i + 1
            if ch == "[":
                value, i = _flow_item(text, i, depth=depth + 1)
                out.append(value)
            else:
                key, i = _flow_item(text, i, key=True, depth=depth + 1)
                if text[i:i + 1] != ":" or text[i + 1:i + 2] not in (" ",) or not isinstance(key, str) or key in out:
                    raise _GiveUp
                value, i = _flow_item(text, _skip_spaces(text, i + 1), depth=depth + 1)
                out[key] = value
            i = _skip_spaces(text, i)
            if text[i:i + 1] == close:
                return out, i + 1
            if text[i:i + 1] != ",":
                raise _GiveUp
            i += 1
            if _skip_spaces(text, i) >= len(text) or text[_skip_spaces(text, i)] in "]}":
                raise _GiveUp  # a trailing comma: left to PyYAML
    raise _GiveUp


def _flow_item(text: str, i: int, key: bool = False, depth: int = 0) -> tuple[object, int]:
    if i >= len(text):
        raise _GiveUp
    if text[i] in "[{\"'":
        if key and text[i] in "[{":
            raise _GiveUp
        return _flow(text, i, depth)
    m = _FLOW_END.search(text, i)
    end = m.start() if m else len(text)
    if key:
        colon = text.find(":", i, end)
        if colon < 0:
            raise _GiveUp
        end = colon
    item = text[i:end].rstrip(" ")
    if _bad_plain(item) or any(c in item for c in ":?[{") or " #" in item:  # PyYAML ends flow scalars at these
        raise _GiveUp
    return _plain(item), i + len(item)


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] == " ":
        i += 1
    return i


def _double(text: str, i: int) -> tuple[str, int]:
    out = []
    j = i + 1
    while True:
        k = j
        while k < len(text) and text[k] not in '"\\':
            k += 1
        out.append(text[j:k])
        if k >= len(text):
            raise _GiveUp
        if text[k] == '"':
            return "".join(out), k + 1
        esc = text[k + 1:k + 2]
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
            j = k + 2
        elif esc in _HEX:
            digits = text[k + 2:k + 2 + _HEX[esc]]
            if len(digits) != _HEX[esc] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _GiveUp
            code = int(digits, 16)
            if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                raise _GiveUp
            out.append(chr(code))
            j = k + 2 + _HEX[esc]
        else:
            raise _GiveUp
