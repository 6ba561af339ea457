"""The package as users meet it: typing marker, version, python -m, logging, help, tables,
explanations, evaluation gold IDs, the gazetteer's errors in the CLI and the output's JSON Schema."""
import importlib.metadata
import json
import logging
import subprocess
import sys
import warnings
from importlib import resources
from pathlib import Path

import pytest

import entityres
from entityres import Explanation, Match, Mention, Resolver, load_gazetteer
from entityres.cli import main
from entityres.display import FSI, PDI, display_width, isolate, table
from entityres.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]
DANGLING = "entries:\n  - {id: place:x-town, type: place, name: X Town, names: {fa: [ایکس‌تاون]}, parent: place:nowhere}\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_typed_marker_license_changelog():
    assert resources.files("entityres").joinpath("py.typed").is_file()
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert f"## {entityres.__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_one_version_source():
    assert importlib.metadata.version("entityres") == entityres.__version__
    assert "version =" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[project]")[1].split("[")[0]


def test_every_module_the_build_compiles_is_imported_compiled():
    # hatch_build.py's EXTENSIONS, read as data (the hook needs hatchling, which only the build has)
    import ast
    import importlib
    import importlib.machinery

    tree = ast.parse((ROOT / "hatch_build.py").read_text(encoding="utf-8"))
    names = next(ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "EXTENSIONS")
    assert "entityres.text.keys" in names
    for name in names:
        module = importlib.import_module(name)
        assert module.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), module.__file__


def test_the_text_layer_is_compiled_with_python_semantics():
    # compiled from its .py as it reads (annotation_typing=False): an annotation is documentation,
    # so a tuple where one says list works as it does in Python
    from entityres.text import keys

    assert keys.join_codes((("KRM",), ("NTR",))) == keys.join_codes([("KRM",), ("NTR",)]) == ("KRMNTR",)
    parts = (keys.word_key_slots("abd"), keys.word_key_slots("allah"))
    assert keys.join_key_slots(parts) == keys.join_key_slots(list(parts))


def test_python_dash_m():
    done = subprocess.run([sys.executable, "-m", "entityres", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"entityres {entityres.__version__}"


def test_help_is_plain_text(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    commands = capsys.readouterr().out.split("{")[1].split("}")[0].split(",")
    assert {"resolve", "evaluate", "match", "schema", "gazetteer"} <= set(commands)
    for argv in [[], *([c] for c in commands), ["gazetteer", "check"]]:
        with pytest.raises(SystemExit) as done:
            main([*argv, "--help"])
        out = capsys.readouterr().out
        assert done.value.code == 0 and "usage: entityres" in out
        assert "``" not in out and ":func:" not in out and ":class:" not in out


def test_library_logs_instead_of_warning_or_printing(tmp_path, caplog, capsys):
    (tmp_path / "x.yaml").write_text(DANGLING, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.INFO, logger="entityres"):
            resolver = Resolver(paths=[tmp_path / "x.yaml"], cache=False)
            result = resolver.resolve("hello", "auto")
    assert result.lang == "und"
    messages = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert any(name.startswith("entityres.") and level == logging.WARNING and "dangling_reference" in msg
               for name, level, msg in messages)
    assert capsys.readouterr() == ("", "")


def test_cli_fails_on_gazetteer_errors_as_check_prints_them(tmp_path, capsys):
    bad = tmp_path / "x.yaml"
    bad.write_text(DANGLING, encoding="utf-8")
    code, out, _ = run(capsys, "gazetteer", "check", str(bad))
    assert code == 1
    (line,) = [ln for ln in out.splitlines() if ln.startswith(str(bad))]
    assert line.startswith(f"{bad}:2: error: dangling_reference: place:x-town")
    text = tmp_path / "t.txt"
    text.write_text("باران در تهران بارید", encoding="utf-8")
    for argv in (["resolve", str(text)], ["match", "تهران", "--format", "jsonl"], ["gazetteer", "show", "place:tehran"]):
        code, out, err = run(capsys, *argv, "--gazetteer", str(bad))
        assert code == 2 and out == "" and line in err.splitlines()
        assert "Traceback" not in err and "warn" not in err.lower()


def test_isolate_and_display_width():
    assert isolate("Moscow") == "Moscow"
    assert isolate("مسکو") == f"{FSI}مسکو{PDI}"
    assert display_width(isolate("مسکو")) == 4
    assert display_width("می\u200cخواهد") == 7  # ZWNJ draws nothing
    assert display_width("مُحَمَّد") == 4  # nor do the short vowels
    assert display_width("東京") == 4


def test_table_aligns_columns_by_display_width():
    rows = [("مُحَمَّد", "person:a", 0.5), ("Kyiv", "place:kyiv", 1.0), ("کی‌یف", "place:kyiv", 0.98)]
    lines = table(("name", "id", "score"), rows, right=(2,)).splitlines()
    starts = {display_width(ln[:ln.index(key)]) for ln, key in zip(lines, ("id", "person:a", "place:kyiv", "place:kyiv"))}
    assert len(starts) == 1
    assert len({display_width(ln) for ln in lines}) == 1  # the score column is flush right
    assert lines[1].endswith("0.50") and FSI in lines[1] and FSI not in lines[2]


def test_match_table(capsys):
    code, out, _ = run(capsys, "match", "وبوتين", "گاناتوف", "--type", "person", "--limit", "2", "--format", "table")
    header, *rows = out.splitlines()
    assert code == 0 and header.split() == ["query", "#", "id", "name", "score", "accepted", "how", "alias"]
    assert len(rows) == 4 and "person:vladimir-putin" in rows[0] and "person:andrii-hnatov" in rows[2]
    assert len(out) < 1000  # not kilobytes of JSON per name


def test_one_explanation_model_for_mentions_and_matches():
    m = entityres.resolve("دونالد ترامپ و پوتین در آلاسکا", "fa").mentions
    assert all(isinstance(x.explanation, Explanation) for x in m)
    assert Mention.model_fields["explanation"].annotation is Explanation
    assert Match.model_fields["explanation"].annotation is Explanation
    trump = m[0].explanation
    assert (trump.how, trump.alias, trump.alias_lang) == ("exact", "دونالد ترامپ", "fa") and str(trump).startswith("exact")
    assert load_gazetteer().match("ترامپ", "fa")[0].explanation.how == "aligned"


def test_new_name_explanation_names_its_cue():
    result = entityres.resolve("وزیر خارجه زولتان اگزمپلوف گفت", "fa")
    new = [x for x in result.mentions if x.explanation.how == "new"]
    assert new and new[0].explanation.cue == "title" and new[0].explanation.alias is None


def _gold(canonicals):
    text = "پوتین در مسکو"
    return [{"id": "d1", "lang": "fa", "text": text, "entities": [
        {"surface": "پوتین", "start": 0, "end": 5, "type": "person", "canonical": canonicals[0]},
        {"surface": "مسکو", "start": 9, "end": 13, "type": "place", "canonical": canonicals[1]}]}]


@pytest.mark.parametrize("canonicals", [("Vladimir Putin", "Moscow"), ("person:vladimir-putin", "place:moscow")])
def test_evaluate_takes_ids_or_english_names(canonicals):
    gz = load_gazetteer()
    gold = _gold(canonicals)
    predicted = {"d1": entityres.resolve(gold[0]["text"], "fa").model_dump()}
    report = evaluate(gold, predicted, gz.id_of_name)
    assert report.linking.accuracy == 1.0 and report.gold_in_gazetteer == report.gold_entities == 2


def test_evaluate_warns_when_no_canonical_names_an_entry(tmp_path, capsys):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(_gold(("Q7747", "Q649"))[0], ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(path))
    assert code == 0 and "no gold canonical names a gazetteer entry" in err
    assert out.startswith("warning: no gold canonical") and "gold entities in the gazetteer: 0 of 2" in out


def test_schema_command_describes_resolve_output(capsys):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (test extra) not installed")
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["$schema"].startswith("https://json-schema.org/")
    result = entityres.resolve("وزیر خارجه زولتان اگزمپلوف در مسکو گفت", "fa").model_dump(mode="json")
    jsonschema.validate(result, schema)
    result["mentions"][0]["explanation"] = "a free string"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, schema)
    shipped = json.loads((ROOT / "docs" / "result.schema.json").read_text(encoding="utf-8"))
    assert shipped == schema  # the documented file is the one the package prints


@pytest.mark.parametrize("doc", ["README.md", "docs/index.md"])
def test_the_documented_examples_print_what_their_comments_say(doc):
    """Each ``entityres.f(...)  # value`` line of the quick start gives that value (floats to 2 places)."""
    import re

    lines = [line for block in re.findall(r"```python\n(.*?)```", (ROOT / doc).read_text(encoding="utf-8"), re.S)
             for line in block.splitlines() if line.startswith("entityres.") and "  # " in line]
    assert len(lines) >= 2
    for line in lines:
        code, comment = line.split("  # ", 1)
        value = eval(code, {"entityres": entityres})  # our own doc's code, not user input
        shown = f"{value:.2f}" if isinstance(value, float) else repr(value)
        assert comment.strip().startswith(shown), f"{doc}: {code.strip()} gives {shown}, the comment says {comment.strip()}"
