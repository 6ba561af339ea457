"""The name tagger: CoNLL reading, token labels with exact offsets, training, tagging, the CLI."""
import json

import pytest

from entityres.cli import main
from entityres.gazetteer.loader import load_gazetteer
from entityres.resolve import tagger
from entityres.resolve.conll import GoldSpan, fold_type, read_corpus, read_tokens, to_sentence
from entityres.text.normalize import normalize
from entityres.text.tokens import tokenize

GIVEN = ["کامران", "شهرام", "بهزاد", "فرهاد", "نوید", "آرش", "سیاوش", "مهرداد"]
FAMILY = ["پورکند", "نیک‌خواه", "دلاوری", "زرین‌کوب", "شاهرخی", "کیانفر", "مستوفی", "رادمنش"]
PLACES = ["کرمانشاه", "اردبیل", "زاهدان", "بوشهر", "قزوین", "سمنان", "یزد", "گرگان"]
ORGS = [["شرکت", "نفت", "پارس"], ["بانک", "ملت"], ["دانشگاه", "تهران"], ["سازمان", "بنادر"]]


def _conll_lines() -> list[str]:
    """Invented Persian sentences: a person said something in a place; an organisation did something."""
    lines = []
    for n in range(32):
        g, f, p, org = GIVEN[n % 8], FAMILY[(n * 3) % 8], PLACES[(n * 5) % 8], ORGS[n % 4]
        rows = [(g, "B-PER"), (f, "I-PER"), ("امروز", "O"), ("در", "O"), (p, "B-LOC"), ("گفت", "O"),
                ("که", "O"), (org[0], "B-ORG"), *[(w, "I-ORG") for w in org[1:]], ("کار", "O"), ("را", "O"),
                ("آغاز", "O"), ("کرد", "O"), (".", "O")]
        lines += [f"{w}\t{t}" for w, t in rows] + [""]
    return lines


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("conll") / "tiny.conll"
    path.write_text("\n".join(_conll_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def index():
    return load_gazetteer().index


@pytest.fixture(scope="module")
def model(corpus, index, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "tiny.crfsuite"
    tagger.train([(read_corpus(corpus), "fa")], out, index, {"max_iterations": 60})
    return out


def test_fold_type_reads_every_tag_spelling():
    assert fold_type("B-PERS") == ("B", "PER")
    assert fold_type("I_PER") == ("I", "PER")
    assert fold_type("B-pers") == ("B", "PER")
    assert fold_type("I--ORG") == ("I", "ORG")
    assert fold_type("B-GPE") == ("B", "LOC")
    assert fold_type("B-fac") == ("B", "fac")
    assert fold_type("O") == ("O", "")


def test_read_tokens_formats(tmp_path):
    f = tmp_path / "mixed.txt"
    f.write_text("علی B-PERS\nرضایی\tI-PERS\nهمه جانبه|O\nنابلس B-GPE B-LOC\n O\n\nدر O\n", encoding="utf-8")
    assert read_tokens(f) == [[("علی", "B-PERS"), ("رضایی", "I-PERS"), ("همه جانبه", "O"), ("نابلس", "B-GPE")],
                              [("در", "O")]]


def test_file_without_blank_lines_is_cut_after_full_stops(tmp_path):
    f = tmp_path / "flat.txt"
    f.write_text("الف O\n. O\n. O\nب B-LOC\n. O\nج O\n", encoding="utf-8")
    assert [[t for t, _ in s] for s in read_tokens(f)] == [["الف", ".", "."], ["ب", "."], ["ج"]]


def test_bad_line_names_file_and_line(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("علی B-PER\nnonsense\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:2"):
        read_tokens(f)


def test_read_corpus_slices_sentences(corpus):
    whole = read_corpus(corpus)
    assert read_corpus(f"{corpus}:2-5") == whole[2:5]
    assert read_corpus(f"{corpus}:30-") == whole[30:]
    with pytest.raises(FileNotFoundError):
        read_corpus(f"{corpus}.missing")


def test_sentence_spans_are_character_spans():
    s = to_sentence([("(د", "O"), ("سعد", "B-PER"), ("الحريري", "I-PER"), ("في", "O"), ("بيروت", "I-LOC")])
    assert s.text == "(د سعد الحريري في بيروت"
    assert s.spans == (GoldSpan(3, 14, "PER", "سعد الحريري"), GoldSpan(18, 23, "LOC", "بيروت"))


def test_token_labels_follow_offsets_through_punctuation_and_splits():
    s = to_sentence([("«ژان-پل", "B-PER"), ("سارتر»", "I-PER"), ("،", "O"), ("پاریس", "B-LOC")])
    tokens = tokenize(normalize(s.text))
    assert [t.text for t in tokens] == ["ژان", "پل", "سارتر", "پاریس"]
    assert tagger.token_labels(s, tokens) == ["B-PER", "I-PER", "I-PER", "B-LOC"]


def test_sentences_of_cut_at_stops_and_lines():
    norm = normalize("علی آمد. رضا رفت؟ مریم\nسارا")
    tokens = tokenize(norm)
    ranges = [(a, b) for a, b, _ in tagger.sentences_of(norm, tokens)]
    assert ranges == [(0, 2), (2, 4), (4, 5), (5, 6)]


def test_features_see_neighbours_cues_and_gazetteer(index):
    words = ["رئیس‌جمهور", "ولادیمیر", "پوتین", "گفت"]
    f = tagger.sentence_features(words, ["", "", "", "", ""], "fa", index)
    assert "c<person_titles" in f[1] and "-1c=person_titles" in f[1]
    assert "g=person" in f[2] or "gp" in f[2]
    assert "gc" in f[2]  # پوتین continues an alias that ولادیمیر begins
    assert "first" in f[0] and "last" in f[3]
    assert "+1w=گفت" in f[2] and "-2w=رئیس‌جمهور" in f[2]


def test_trained_model_tags_its_sentences(model, corpus, index):
    t = tagger.Tagger(model)
    scores = tagger.score(t, read_corpus(corpus), "fa", index)
    assert scores["PER"]["f1"] > 0.9 and scores["LOC"]["f1"] > 0.9 and scores["ORG"]["f1"] > 0.9
    norm = normalize("مهرداد کیانفر امروز در یزد گفت که بانک ملت کار را آغاز کرد.")
    spans = t.spans(norm, tokenize(norm), "fa", index)
    assert [(norm.original[s.start:s.end], s.type) for s in spans] == [
        ("مهرداد کیانفر", "PER"), ("یزد", "LOC"), ("بانک ملت", "ORG")]


def test_training_is_deterministic(corpus, index, model, tmp_path):
    again = tmp_path / "again.crfsuite"
    tagger.train([(read_corpus(corpus), "fa")], again, index, {"max_iterations": 60})
    assert again.read_bytes() == model.read_bytes()


def test_bad_model_files_are_refused(tmp_path, model):
    junk = tmp_path / "junk.crfsuite"
    junk.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a tagger model"):
        tagger.Tagger(junk)
    with pytest.raises(FileNotFoundError):
        tagger.Tagger(tmp_path / "missing.crfsuite")
    old = tmp_path / "old.crfsuite"
    old.write_bytes(model.read_bytes())
    (tmp_path / "old.crfsuite.json").write_text(json.dumps({"features_version": -1}), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        tagger.Tagger(old)


def test_spans_of_bio_labels():
    tokens = tokenize(normalize("a b c d e"))
    assert [(s.first, s.last, s.type) for s in tagger.spans_of(["B-PER", "I-PER", "I-LOC", "O", "I-ORG"], tokens)] == [
        (0, 1, "PER"), (2, 2, "LOC"), (4, 4, "ORG")]


def test_cli_train_and_eval(corpus, tmp_path, capsys):
    out = tmp_path / "cli.crfsuite"
    assert main(["tagger", "train", "--out", str(out), "--iterations", "30", str(corpus)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["corpora"][0][1] == "fa" and record["tokens"] > 0 and out.is_file()
    assert main(["tagger", "eval", "--model", str(out), f"{corpus}:0-8"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["sentences"] == 8 and scores["PER"]["gold"] == 8


def test_cli_reports_bad_input(tmp_path, capsys):
    assert main(["tagger", "eval", str(tmp_path / "none.conll")]) == 2
    assert "no corpus file" in capsys.readouterr().err
