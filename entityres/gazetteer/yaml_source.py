"""YAML with line numbers: parse a file into plain data plus a map from data path to source line.

PyYAML forgets where a value came from once it is loaded, and silently keeps the last of two
equal keys. Errors in a user's gazetteer must name the file, the line and the field, and nothing
a user wrote may vanish, so files are composed into nodes and constructed here.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

Path_ = tuple  # a data path: keys and list indices from the document root
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses ~10x faster where present
MAX_FILE_MB = 64  # a larger gazetteer file is refused (docs/reliability.md): split it into several
MAX_NODES = 2_000_000  # YAML nodes per file, each use of an alias counted again
MAX_DEPTH = 64  # collections inside collections: a gazetteer needs 5


class SourceError(ValueError):
    """A problem at a place in a source file: ``file:line: field: message``."""

    def __init__(self, file: str, line: int | None, field: str, message: str):
        self.file, self.line, self.field, self.message = file, line, field, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


def field_name(path: Path_) -> str:
    """``('entries', 3, 'names', 'fa', 2)`` → ``entries[3].names.fa[2]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _size(node: yaml.Node, file: str, sizes: dict[int, int], inside: set[int], depth: int = 0) -> int:
    """How many nodes ``node`` stands for once every alias in it is expanded, counted once per
    distinct node (so an alias bomb is measured, not expanded); refuses an alias inside itself."""
    if isinstance(node, yaml.ScalarNode):
        return 1
    key = id(node)
    if key in sizes:
        return sizes[key]
    line = node.start_mark.line + 1
    if key in inside:
        raise SourceError(file, line, "", "a YAML alias refers to the collection it is inside")
    if depth > MAX_DEPTH:
        raise SourceError(file, line, "", f"collections nested more than {MAX_DEPTH} deep")
    inside.add(key)
    children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
    total = 1
    for child in children:
        total += _size(child, file, sizes, inside, depth + 1)
        if total > MAX_NODES:
            raise SourceError(file, line, "", f"more than {MAX_NODES:,} YAML nodes (counting each use of an alias)")
    inside.discard(key)
    sizes[key] = total
    return total


def _construct(node: yaml.Node, path: Path_, lines: dict, loader, file: str):
    line = node.start_mark.line + 1
    lines[path] = line
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node, deep=True)
    if node.tag not in (_MAP, _SEQ):  # a tag would change what the collection means: refuse, never drop it
        raise SourceError(file, line, field_name(path), f"YAML tag {node.tag!r} is not allowed here")
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), lines, loader, file) for i, v in enumerate(node.value)]
    out = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise SourceError(file, key_node.start_mark.line + 1, field_name(path), "a key must be a plain value")
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise SourceError(file, key_node.start_mark.line + 1, field_name(path + (key,)),
                              f"duplicate key {key!r} (first given on line {lines[path + (key,)]})")
        out[key] = _construct(value_node, path + (key,), lines, loader, file)
    return out


def read_source(path: str | Path) -> bytes:
    """The bytes of a gazetteer file, read once; :class:`SourceError` for anything but a readable
    regular file of at most ``MAX_FILE_MB`` (a FIFO or device is refused before it is read, so
    nothing waits on it)."""
    file = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise SourceError(file, None, "", "is a folder, not a file") from None
    except OSError as err:
        raise SourceError(file, None, "", f"cannot be read: {err.strerror or err}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise SourceError(file, None, "", "is a folder, not a file")
        raise SourceError(file, None, "", "is not a regular file (a pipe, socket or device)")
    with os.fdopen(fd, "rb") as f:
        limit = int(MAX_FILE_MB * 1024 * 1024)
        try:
            data = f.read(limit + 1)
        except OSError as err:
            raise SourceError(file, None, "", f"cannot be read: {err.strerror or err}") from None
    if len(data) > limit:
        raise SourceError(file, None, "", f"larger than {MAX_FILE_MB} MB: split it into several files")
    return data


def decode(path: str | Path, data: bytes) -> str:
    """``data`` as UTF-8 text; :class:`SourceError` naming the byte that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise SourceError(str(path), None, "", f"not UTF-8 text ({err.reason} at byte {err.start})") from None


def load_yaml(path: str | Path, text: str | None = None) -> tuple[object, dict[Path_, int]]:
    """Parse one YAML document: ``(data, lines)``; raises :class:`SourceError` on bad YAML."""
    file = str(path)
    if text is None:
        text = decode(path, read_source(path))
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        if node is not None:
            _size(node, file, {}, set())
        data = None if node is None else _construct(node, (), lines, loader, file)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        context = ""
        if err.context and err.context_mark and err.context_mark is not mark:
            context = f" ({err.context} started on line {err.context_mark.line + 1})"
        raise SourceError(file, mark.line + 1 if mark else None, "", f"invalid YAML: {err.problem or err}{context}") from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow: its line, not PyYAML's position
        code = err.character if isinstance(err.character, int) else ord(err.character)
        line = text.count("\n", 0, text.find(chr(code))) + 1
        raise SourceError(file, line, "", f"invalid YAML: character U+{code:04X} is not allowed ({err.reason})") from None
    except UnicodeEncodeError as err:  # text given by a caller, with a lone surrogate: no file holds one
        line = text.count("\n", 0, err.start) + 1
        raise SourceError(file, line, "", f"not Unicode text (a lone surrogate U+{ord(text[err.start]):04X})") from None
    except yaml.YAMLError as err:
        raise SourceError(file, None, "", f"invalid YAML: {err}") from None
    except RecursionError:
        raise SourceError(file, None, "", "invalid YAML: collections nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of ``path``, or of its nearest ancestor that the file has (a missing field)."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)
