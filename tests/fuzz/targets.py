"""Fuzz targets: one per public entry point, each checking what must hold for any text.

Used by the atheris runner (tests/fuzz/run.py, run for a bounded time by .ci/run), by the
hypothesis properties (tests/test_fuzz_properties.py) and by benchmarks/reliability.py. A target
raises AssertionError when an invariant breaks; any exception other than the documented ones
(``ValueError`` for an input past a limit, ``entityres.limits``) escapes and is a crash.
"""
from __future__ import annotations

import re

import entityres
from entityres import limits
from entityres.gazetteer import GazetteerError, read_file
from entityres.gazetteer.yaml_source import SourceError, decode

LANGS = ("fa", "prs", "ar", "auto")
_gazetteer = None


def gazetteer():
    global _gazetteer
    if _gazetteer is None:
        _gazetteer = entityres.load_gazetteer()
    return _gazetteer


def _limited(call, *args):
    """The call's result, or None when it refused an input past a documented limit."""
    try:
        return call(*args)
    except ValueError as err:
        assert "at most" in str(err), f"undocumented ValueError: {err}"
        return None


def resolve(text: str, n: int = 0) -> None:
    result = _limited(entityres.resolve, text, LANGS[n % len(LANGS)])
    if result is None:
        assert len(text) > limits.MAX_TEXT_CHARS
        return
    ids = {e.id for e in result.entities}
    last = 0
    for m in result.mentions:
        assert m.text == text[m.start:m.end], (m, text)
        assert last <= m.start < m.end <= len(text)
        assert m.entity_id in ids and 0.0 <= m.score <= 1.0
        last = m.end


def normalize(text: str, n: int = 0) -> None:
    norm = entityres.normalize(text)
    assert entityres.normalize(norm.text).text == norm.text  # idempotent


def tokenize(text: str, n: int = 0) -> None:
    for token in entityres.tokenize(text):
        assert token.text and token.start < token.end <= len(text)
        for stem in entityres.stems(token, entityres.normalize(text), LANGS[n % 3]):
            assert token.start <= stem.start < stem.end <= token.end


def similarity(text: str, n: int = 0) -> None:
    a, _, b = text.partition("\t")
    score = _limited(entityres.similarity, a, b or a)
    assert score is None or 0.0 <= score <= 1.0
    if score is not None and b == "":
        assert score == _limited(entityres.similarity, a, a)


def match(text: str, n: int = 0) -> None:
    found = _limited(gazetteer().match, text, LANGS[n % 3])
    for m in found or ():
        assert 0.0 <= m.score <= 1.0


def readings(text: str, n: int = 0) -> None:
    for reading in _limited(entityres.readings, text, LANGS[n % 3]) or ():
        assert reading.isascii()
    _limited(entityres.keys, text)


GAZETTEER_FILE = "fuzzed.yaml"
_ISSUE = re.compile(rf"{re.escape(GAZETTEER_FILE)}(?::(\d+))?: ")
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # line breaks as YAML counts them


def gazetteer_file(data: bytes | str, n: int = 0) -> None:
    """A gazetteer file's bytes: its entries with their lines, or errors that each name the file and a line in it."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    try:
        text = decode(GAZETTEER_FILE, data)
    except SourceError as err:
        assert str(err).startswith(f"{GAZETTEER_FILE}: not UTF-8 text"), err
        return
    lines = len(_YAML_BREAK.findall(text)) + 1
    try:
        entries = read_file(GAZETTEER_FILE, text=text, progress=False)
    except GazetteerError as err:
        for issue in map(str, err.errors):
            found = _ISSUE.match(issue)
            assert found and (found.group(1) is None or 1 <= int(found.group(1)) <= lines + 1), issue
        return
    for entry, line in entries:
        assert entry.id.startswith(("person:", "place:")) and 1 <= line <= lines, (entry, line)


TARGETS = {"resolve": resolve, "normalize": normalize, "tokenize": tokenize, "similarity": similarity,
           "match": match, "readings": readings, "gazetteer": gazetteer_file}
BYTES = {"gazetteer"}  # targets that take the fuzzer's raw bytes, not decoded text
