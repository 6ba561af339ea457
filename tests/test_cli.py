"""The command line: resolve, evaluate, match and gazetteer check/show, with good and bad input."""
import io
import json
import sys

import pytest

from entityres.cli import main
from entityres.display import display_width


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_resolve_files_as_json_lines(tmp_path, capsys):
    a = tmp_path / "a.txt"
    a.write_text("وزیر خارجه روسیه سرگئی لاوروف در مسکو گفت", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("وقال لافروف في موسكو", encoding="utf-8")
    code, out, _ = run(capsys, "resolve", str(a), str(b))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == [str(a), str(b)]
    assert [r["lang"] for r in records] == ["fa", "ar"]
    ids = [{m["entity_id"] for m in r["mentions"]} for r in records]
    assert ids[0] == {"place:russia", "person:sergey-lavrov", "place:moscow"}
    assert ids[1] == {"person:sergey-lavrov", "place:moscow"}


def test_resolve_stdin_as_table(capsys, monkeypatch):
    code, out, _ = run(capsys, "resolve", "-", "--lang", "ar", "--format", "table",
                       stdin="وصل ترامب إلى الرياض", monkeypatch=monkeypatch)
    assert code == 0
    header, *rows = out.splitlines()[1:]
    assert len(rows) == 2 and "person:donald-trump" in rows[0] and "place:riyadh" in rows[1]
    assert "\u2068الرياض\u2069" in rows[1]  # right-to-left names isolated
    # every row's entity column starts where its header does, counted in terminal columns
    column = display_width(header[:header.index("entity")])
    for row, eid in zip(rows, ("person:donald-trump", "place:riyadh")):
        assert display_width(row[:row.index(eid)]) == column


def test_resolve_bad_input(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00not utf8")
    code, _, err = run(capsys, "resolve", str(bad))
    assert code == 2 and "not UTF-8" in err
    code, _, err = run(capsys, "resolve", str(tmp_path / "missing.txt"))
    assert code == 2 and "missing.txt" in err
    with pytest.raises(SystemExit):
        main(["resolve", "x.txt", "--lang", "xx"])


def test_resolve_with_user_gazetteer(tmp_path, capsys):
    extra = tmp_path / "mine.yaml"
    extra.write_text("entries:\n  - {id: place:zarkuh, type: place, name: Zarkuh, names: {fa: [زرکوه]}}\n",
                     encoding="utf-8")
    text = tmp_path / "t.txt"
    text.write_text("باران در زرکوه بارید", encoding="utf-8")
    code, out, _ = run(capsys, "resolve", str(text), "--gazetteer", str(extra))
    assert code == 0 and json.loads(out)["mentions"][0]["entity_id"] == "place:zarkuh"
    broken = tmp_path / "broken.yaml"
    broken.write_text("entries:\n  - {id: place:x, type: place}\n", encoding="utf-8")
    code, _, err = run(capsys, "resolve", str(text), "--gazetteer", str(broken))
    assert code == 2 and "broken.yaml:2" in err and "name" in err


def test_evaluate_gold_file(tmp_path, capsys):
    text = "پوتین در مسکو با زرکوهی دیدار کرد"
    gold = {"id": "d1", "lang": "fa", "text": text, "entities": [
        {"surface": "پوتین", "start": 0, "end": 5, "type": "person", "canonical": "Vladimir Putin"},
        {"surface": "مسکو", "start": 9, "end": 13, "type": "place", "canonical": "Moscow"}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "evaluate", str(path), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["mentions"]["recall"] == 1.0 and report["linking"]["accuracy"] == 1.0
    code, out, _ = run(capsys, "evaluate", str(path))
    assert "CEAFm" in out
    path.write_text('{"id": "d1"}\n', encoding="utf-8")
    code, _, err = run(capsys, "evaluate", str(path))
    assert code == 2 and "gold.jsonl:1" in err


def test_match_command(capsys):
    code, out, _ = run(capsys, "match", "وبوتين", "--lang", "ar", "--type", "person", "--limit", "2")
    record = json.loads(out)
    assert code == 0 and record["matches"][0]["id"] == "person:vladimir-putin"
    assert len(record["matches"]) <= 2 and "explanation" in record["matches"][0]


def test_gazetteer_check_and_show(tmp_path, capsys):
    good = tmp_path / "good.yaml"
    good.write_text("entries:\n  - {id: person:ada-example, type: person, name: Ada Example}\n", encoding="utf-8")
    code, out, _ = run(capsys, "gazetteer", "check", str(good))
    assert code == 0 and "entries" in out and "people" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries:\n  - id: person:x\n    type: person\n    name: X\n    names:\n      fa: [ok, 3]\n",
                   encoding="utf-8")
    code, _, err = run(capsys, "gazetteer", "check", "--alone", str(bad))
    assert code == 1 and "bad.yaml:6: person:x: names.fa[1]" in err
    dup = tmp_path / "dup.yaml"
    dup.write_text("entries:\n  - {id: person:d, type: person, name: D}\n  - {id: person:d, type: person, name: D}\n",
                   encoding="utf-8")
    code, out, _ = run(capsys, "gazetteer", "check", "--alone", str(dup))
    assert code == 1 and "duplicate_id" in out
    code, out, _ = run(capsys, "gazetteer", "show", "person:vladimir-putin")
    assert code == 0 and "Vladimir Putin" in out and "Q7747" in out
    code, _, err = run(capsys, "gazetteer", "show", "person:nobody")
    assert code == 2 and "no entry" in err
