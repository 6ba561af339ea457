"""Corpora on disk: documents from files, folders, JSON lines and standard input, and results written
as JSON lines, CSV, Parquet or a table, one at a time.

Input (:func:`read_corpus`): a ``.jsonl``/``.ndjson`` file holds one ``{"id", "text", "lang"}`` record
per line (``lang`` optional); another file is one document; a folder contributes its files,
recursively, sorted by path (hidden names skipped); ``-`` is standard input. ``mode`` forces one
reading on every input: ``text`` (whole input, one document), ``lines`` (one document per line of
plain text) or ``jsonl``. A record that is not a document (not JSON, no text, unknown lang, not
UTF-8) comes as a :class:`BadRecord` naming its file and line, in its place.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Literal

from .display import table
from .integrations.html import to_html
from .resolve.batch import FailedDocument, apply_ids
from .resolve.resolver import MENTION_COLUMNS, Result, check_lang

Mode = Literal["auto", "text", "lines", "jsonl"]
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    lang: str


@dataclass(frozen=True)
class BadRecord:
    where: str  # file:line, or the file
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def input_files(inputs: Iterable[str]) -> Iterator[str]:
    """Each input, with a folder replaced by its files (recursive, sorted, hidden names skipped)."""
    for name in inputs:
        path = Path(name)
        if name != "-" and path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not any(p.startswith(".") for p in f.relative_to(path).parts):
                    yield str(f)
        else:
            yield name


def read_corpus(inputs: Iterable[str], mode: Mode = "auto", lang: str = "auto") -> Iterator[Record | BadRecord]:
    """Documents of ``inputs`` in order (see the module docstring); ``lang`` for records without one."""
    for name in input_files(inputs):
        how = mode if mode != "auto" else ("jsonl" if name.lower().endswith(JSONL_SUFFIXES) else "text")
        try:
            if how == "text":
                yield _whole(name, lang)
            else:
                yield from (_json_record if how == "jsonl" else _line_record)(name, lang)
        except OSError as err:
            yield BadRecord(name, err.strerror or str(err))


def _open(name: str) -> IO:
    if name == "-":
        return getattr(sys.stdin, "buffer", sys.stdin)
    return open(name, "rb")


def _decode(data: bytes | str, where: str) -> str | BadRecord:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        return BadRecord(where, f"not UTF-8 text ({err.reason} at byte {err.start})")


def _whole(name: str, lang: str) -> Record | BadRecord:
    f = _open(name)
    try:
        text = _decode(f.read(), name)
    finally:
        if name != "-":
            f.close()
    return text if isinstance(text, BadRecord) else Record(name, text.removeprefix("\ufeff"), lang)


def _lines(name: str) -> Iterator[tuple[int, str | BadRecord]]:
    f = _open(name)
    try:
        for n, raw in enumerate(f, 1):
            line = _decode(raw, f"{name}:{n}")
            if isinstance(line, str):
                line = line.rstrip("\r\n")
                if n == 1:
                    line = line.removeprefix("\ufeff")
            yield n, line
    finally:
        if name != "-":
            f.close()


def _line_record(name: str, lang: str) -> Iterator[Record | BadRecord]:
    for n, line in _lines(name):
        if isinstance(line, BadRecord) or line.strip():
            yield line if isinstance(line, BadRecord) else Record(f"{name}:{n}", line, lang)


def _json_record(name: str, lang: str) -> Iterator[Record | BadRecord]:
    for n, line in _lines(name):
        if isinstance(line, BadRecord):
            yield line
        elif line.strip():
            yield _parse(line, f"{name}:{n}", lang)


def _parse(line: str, where: str, lang: str) -> Record | BadRecord:
    try:
        record = json.loads(line)
    except ValueError as err:
        return BadRecord(where, f"not JSON ({err})")
    if not isinstance(record, dict):
        return BadRecord(where, f"expected a JSON object, not {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        return BadRecord(where, "no text" if text is None else f"text must be a string, not {type(text).__name__}")
    doc_id = record.get("id", where)
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        return BadRecord(where, f"id must be a string or a whole number, not {type(doc_id).__name__}")
    doc_lang = record.get("lang") or lang
    if not isinstance(doc_lang, str):
        return BadRecord(where, f"lang must be a string, not {type(doc_lang).__name__}")
    try:
        doc_lang = check_lang(doc_lang)
    except ValueError as err:
        return BadRecord(where, str(err))
    return Record(str(doc_id), text, doc_lang)


# --- output ------------------------------------------------------------------------------------

def _same(result: Result) -> Result:
    return result


def _json_line(result: Result) -> str:
    return result.model_dump_json() + "\n"


def _mention_rows(result: Result) -> list[dict]:
    return result.mention_rows()


def _table_text(result: Result) -> str:
    head = f"# {result.id} ({result.lang}): {len(result.mentions)} mentions, {len(result.entities)} entities\n"
    if not result.mentions:
        return head
    return head + table(("start", "end", "type", "score", "mention", "entity", "name", "how"),
                        [(r["start"], r["end"], r["type"], r["score"], r["text"], r["entity_id"], r["entity_name"],
                          r["how"]) for r in result.mention_rows()], right=(0, 1, 3)) + "\n"


class Writer:
    """Writes results one at a time; ``close(merged_ids)`` ends the output.

    ``write`` takes what ``encode(result)`` makes: a plain function, so that it can run in the worker
    process that resolved the document (:func:`entityres.resolve.batch.resolve_each`), where it
    costs the parent nothing.
    """

    title = "entityres"  # of an HTML page
    encode = staticmethod(_same)

    def __init__(self, out: IO[str]):
        self.out = out

    def write(self, encoded) -> None:
        raise NotImplementedError

    def close(self, merged_ids: dict[str, str] | None = None) -> None:
        self.out.flush()


class TextWriter(Writer):
    def write(self, encoded: str) -> None:
        self.out.write(encoded)
        self.out.flush()  # streaming: each result is readable downstream as soon as it is done


class JsonLinesWriter(TextWriter):
    encode = staticmethod(_json_line)

    def close(self, merged_ids: dict[str, str] | None = None) -> None:
        if merged_ids:
            self.out.write(json.dumps({"merged_ids": merged_ids}, ensure_ascii=False) + "\n")
        self.out.flush()


class TableWriter(TextWriter):
    encode = staticmethod(_table_text)

    def close(self, merged_ids: dict[str, str] | None = None) -> None:
        for a, b in sorted((merged_ids or {}).items()):
            self.out.write(f"# merged: {a} → {b}\n")
        self.out.flush()


class CsvWriter(Writer):
    encode = staticmethod(_mention_rows)

    def __init__(self, out: IO[str]):
        super().__init__(out)
        self.csv = csv.DictWriter(out, MENTION_COLUMNS)
        self.csv.writeheader()

    def write(self, rows: list[dict]) -> None:
        self.csv.writerows(rows)


class ParquetWriter(Writer):
    """Row groups of :data:`ROWS` mentions, written as they fill: memory stays flat."""

    ROWS = 50_000
    encode = staticmethod(_mention_rows)

    def __init__(self, out: IO[bytes]):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError("Parquet output needs pyarrow: pip install 'entityres[pandas]'") from None
        self.pa = pa
        types = {"start": pa.int32(), "end": pa.int32(), "in_gazetteer": pa.bool_(), "score": pa.float64()}
        self.schema = pa.schema([(c, types.get(c, pa.string())) for c in MENTION_COLUMNS])
        self.writer = pq.ParquetWriter(out, self.schema)
        self.rows: list[dict] = []

    def write(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.ROWS:
            self._flush()

    def _flush(self) -> None:
        self.writer.write_table(self.pa.Table.from_pylist(self.rows, schema=self.schema))
        self.rows = []

    def close(self, merged_ids: dict[str, str] | None = None) -> None:
        if self.rows:
            self._flush()
        self.writer.close()


class HtmlWriter(Writer):
    """One self-contained page for all the documents (:func:`entityres.integrations.html.to_html`): written at the end."""

    def __init__(self, out: IO[str]):
        super().__init__(out)
        self.results: list[Result] = []

    def write(self, result: Result) -> None:
        self.results.append(result)

    def close(self, merged_ids: dict[str, str] | None = None) -> None:
        self.out.write(to_html([apply_ids(r, merged_ids or {}) for r in self.results], title=self.title))
        self.out.flush()


FORMATS = {"jsonl": JsonLinesWriter, "csv": CsvWriter, "parquet": ParquetWriter, "table": TableWriter,
           "html": HtmlWriter}


def writer(format: str, out: IO[str] | IO[bytes], title: str = "entityres") -> Writer:
    made = FORMATS[format](out)
    made.title = title
    return made


def failure_text(failure: FailedDocument) -> str:
    return f"{failure.id if failure.id is not None else f'document {failure.index + 1}'}: {failure.error}"


def text_output(path: str | None, binary: bool) -> IO:
    """The file at ``path`` (``-`` or None: standard output), in binary for Parquet."""
    if path in (None, "-"):
        return sys.stdout.buffer if binary else sys.stdout
    return open(path, "wb") if binary else io.open(path, "w", encoding="utf-8", newline="")
