"""entityres resolve over corpora: JSON lines, lines, folders, stdin; CSV/Parquet; bad records; workers; merge."""
import csv
import io
import json
import sys

import pytest

from entityres.cli import main

VARIANTS = ["سخنگوی ارتش، سرهنگ تیموفی کالاچوف، گفت", "وقال المتحدث تيموفيه كالاشوف إن"]


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8"))
    code = main(["resolve", "-q", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(path, *records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records),
                    encoding="utf-8")
    return str(path)


@pytest.fixture
def corpus(tmp_path):
    return jsonl(tmp_path / "docs.jsonl",
                 {"id": "p", "text": "پوتین در مسکو", "lang": "fa"},
                 "{not json",
                 {"id": "q", "lang": "xx", "text": "متن"},
                 {"id": "r"},
                 "",
                 {"id": 7, "text": "وصل ترامب إلى الرياض"},
                 {"text": "ترمپ در کابل", "lang": "prs"})


def test_jsonl_records_skip_bad_ones_with_line_numbers(corpus, capsys):
    code, out, err = run(capsys, corpus, "--on-error", "skip")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["p", "7", f"{corpus}:7"]
    assert [r["lang"] for r in records] == ["fa", "ar", "prs"]
    assert {m["entity_id"] for m in records[1]["mentions"]} == {"person:donald-trump", "place:riyadh"}
    assert f"{corpus}:2: not JSON" in err and f"{corpus}:3: lang must be" in err and f"{corpus}:4: no text" in err
    assert "3 document(s) skipped" in err


def test_jsonl_bad_record_fails_the_run_by_default(corpus, capsys):
    code, out, err = run(capsys, corpus)
    assert code == 2 and f"{corpus}:2: not JSON" in err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["p"]  # what came before is kept


def test_invalid_utf8_line_is_a_bad_record(tmp_path, capsys):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": "a", "text": "\xff\xfe"}\n' + json.dumps({"id": "b", "text": "پوتین"}).encode() + b"\n")
    code, out, err = run(capsys, str(path), "--on-error", "skip")
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["b"]
    assert f"{path}:1: not UTF-8" in err


def test_lines_from_stdin_and_jsonl_from_stdin(capsys, monkeypatch):
    code, out, _ = run(capsys, "-", "--lines", "--lang", "fa", stdin="پوتین در مسکو\n\nترامپ در فلوریدا\n",
                       monkeypatch=monkeypatch)
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in records] == ["-:1", "-:3"]
    assert records[1]["mentions"][0]["entity_id"] == "person:donald-trump"
    code, out, _ = run(capsys, "-", "--jsonl", stdin='{"id": "s", "text": "وصل ترامب إلى الرياض"}\n', monkeypatch=monkeypatch)
    assert code == 0 and json.loads(out)["id"] == "s" and json.loads(out)["lang"] == "ar"


def test_folders_recursive_and_sorted(tmp_path, capsys):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("ترامپ در فلوریدا", encoding="utf-8")
    (tmp_path / "a.txt").write_text("پوتین در مسکو", encoding="utf-8")
    jsonl(tmp_path / "b" / "1.jsonl", {"id": "j", "text": "وصل ترامب"})
    (tmp_path / ".hidden.txt").write_text("پوتین", encoding="utf-8")
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [str(tmp_path / "a.txt"), "j",
                                                                       str(tmp_path / "b" / "2.txt")]


def test_csv_rows_per_mention(corpus, capsys):
    code, out, _ = run(capsys, corpus, "--on-error", "skip", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert {"doc_id", "start", "end", "text", "type", "entity_id", "score"} <= set(rows[0])
    assert [(r["doc_id"], r["text"], r["entity_id"]) for r in rows[:2]] == [
        ("p", "پوتین", "person:vladimir-putin"), ("p", "مسکو", "place:moscow")]
    assert rows[0]["start"] == "0" and rows[0]["end"] == "5"


def test_parquet_output(corpus, tmp_path, capsys):
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet output needs pyarrow (entityres[pandas])")
    target = tmp_path / "out.parquet"
    code, _, _ = run(capsys, corpus, "--on-error", "skip", "--format", "parquet", "-o", str(target))
    table = pq.read_table(target).to_pylist()
    assert code == 0 and len(table) == 6
    assert table[0]["doc_id"] == "p" and table[0]["start"] == 0 and table[0]["entity_id"] == "person:vladimir-putin"


def test_merge_stream_final_and_off(tmp_path, capsys):
    path = jsonl(tmp_path / "v.jsonl", *({"id": str(n), "text": t} for n, t in enumerate(VARIANTS)))
    code, out, _ = run(capsys, path)
    *records, table = [json.loads(line) for line in out.splitlines()]
    per_doc = [r["mentions"][0]["entity_id"] for r in records]
    assert code == 0 and per_doc[0] != per_doc[1]
    merged = table["merged_ids"]
    assert {merged.get(i, i) for i in per_doc} == {min(per_doc)}
    code, out, _ = run(capsys, path, "--merge", "final")
    assert {json.loads(line)["mentions"][0]["entity_id"] for line in out.splitlines()} == {min(per_doc)}
    code, out, _ = run(capsys, path, "--merge", "off")
    assert [json.loads(line)["mentions"][0]["entity_id"] for line in out.splitlines()] == per_doc
    ids = tmp_path / "ids.json"
    code, out, _ = run(capsys, path, "--format", "csv", "--merge", "stream", "--merged-ids", str(ids))
    assert code == 0 and json.loads(ids.read_text(encoding="utf-8")) == merged
    assert [r["entity_id"] for r in csv.DictReader(io.StringIO(out))] == per_doc
    code, _, err = run(capsys, path, "--format", "csv", "--merge", "stream")
    assert code == 2 and "--merged-ids" in err


def test_workers_same_output(corpus, capsys):
    _, one, _ = run(capsys, corpus, "--on-error", "skip")
    code, two, err = run(capsys, corpus, "--on-error", "skip", "--workers", "2")
    assert code == 0 and two == one and "3 document(s) skipped" in err
