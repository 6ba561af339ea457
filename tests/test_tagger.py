"""The name tagger: CoNLL reading, token labels with exact offsets, training, tagging, the CLI."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entityres.cli import main
from entityres.gazetteer.loader import load_gazetteer
from entityres.resolve import tagger
from entityres.resolve.conll import GoldSpan, fold_type, read_corpus, read_tokens, to_sentence
from entityres.text.normalize import normalize
from entityres.text.tokens import text_gaps, tokenize

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
    out = tmp_path_factory.mktemp("model") / "tiny.msgpack.gz"
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
    again = tmp_path / "again.msgpack.gz"
    tagger.train([(read_corpus(corpus), "fa")], again, index, {"max_iterations": 60})
    assert again.read_bytes() == model.read_bytes()


def test_tagging_numbers_the_local_features_that_training_names(model, index):
    from array import array

    from entityres.resolve._decode import local_features
    from entityres.text import cues

    t = tagger.Tagger(model)
    norm = normalize("رئیس‌جمهور ولادیمیر پوتین گفت، «کامران» در شهر یزد آمد. سخنگوی دولت گفت")
    tokens = tokenize(norm)
    words = [w.text for w in tokens]
    gaps = text_gaps(norm, tokens)
    before = cues.rows(words, "fa").before
    ids, starts = local_features(words, [tagger._gap(g) for g in gaps],
                                 [tagger.word_features(w, "fa", index).key for w in words],
                                 [before[g] for g in tagger.CUE_GROUPS], array("i", tagger.sentence_ends(gaps)),
                                 index.prefixes, index.exact, t._numbered)
    named = []
    for first, end, g in tagger.sentences_of(norm, tokens):
        per_word = [tagger.word_features(w, "fa", index) for w in words[first:end]]
        named += tagger.local_features(words[first:end], g, per_word, "fa", index)
    assert len(named) == len(words) and {"c<person_titles", "-1c=person_titles", "c<place_words", 'g>,"', "first", "last",
                                         "gc"} <= {f for fs in named for f in fs}
    assert [list(ids[a:b]) for a, b in zip(starts, starts[1:])] == [[t._number(f) for f in fs if t._number(f) is not None]
                                                                     for fs in named]


def test_a_cue_phrase_counts_only_within_its_sentence(index):
    # وزیر امور خارجه is one title, but not across a full stop: امور خارجه alone begins the second sentence
    from array import array

    from entityres.resolve._decode import local_features
    from entityres.text import cues

    norm = normalize("او وزیر. امور خارجه کامران")
    tokens = tokenize(norm)
    words = [w.text for w in tokens]
    before = cues.rows(words, "fa").before
    assert before["person_titles"][4] == 3  # in the text as a whole
    gaps = text_gaps(norm, tokens)
    out, starts = local_features(words, [tagger._gap(g) for g in gaps], [""] * len(words),
                                 [before[g] for g in tagger.CUE_GROUPS], array("i", [2, 5]),
                                 index.prefixes, index.exact, tagger.FEATURE_NAMES)
    assert "c<person_titles" not in out[starts[4]:starts[5]]
    assert "c=person_titles" in out[starts[1]:starts[2]]  # وزیر before the stop is a title of its own...
    assert "c<person_titles" not in out[starts[2]:starts[3]]  # ... which the next sentence does not see


def test_decoding_agrees_with_crfsuite(corpus, index, tmp_path):
    import pycrfsuite

    sentences = read_corpus(corpus)
    crf = tmp_path / "tiny.crfsuite"
    tagger.train_crfsuite([(sentences[:20], "fa")], crf, index, dict(tagger.TRAIN_PARAMS, max_iterations=15))
    ours = tagger.Tagger(tagger.export(crf, tmp_path / "tiny.msgpack.gz", {}) and tmp_path / "tiny.msgpack.gz")
    theirs = pycrfsuite.Tagger()
    theirs.open(str(crf))
    texts = [s.text for s in sentences[20:]] + ["بانک پارس در یزد گفت کامران", "در",
                                                 "\n".join(s.text for s in sentences[20:26]),
                                                 "او گفت رئیس‌جمهور. کامران پورکند آمد؟ سخنگوی دولت"]
    for text in texts:
        norm = normalize(text)
        tokens = tokenize(norm)
        expected = []
        for first, end, gaps in tagger.sentences_of(norm, tokens):
            expected += theirs.tag(tagger.sentence_features([t.text for t in tokens[first:end]], gaps, "fa", index))
        assert ours.labels(norm, tokens, "fa", index) == expected


def test_bad_model_files_are_refused(tmp_path, model):
    import gzip

    import msgpack

    def write(name: str, data: bytes):
        (tmp_path / name).write_bytes(gzip.compress(data))
        return tmp_path / name

    junk = tmp_path / "junk.msgpack.gz"
    junk.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a tagger model"):
        tagger.Tagger(junk)
    with pytest.raises(FileNotFoundError):
        tagger.Tagger(tmp_path / "missing.msgpack.gz")
    data = msgpack.unpackb(gzip.decompress(model.read_bytes()))
    # the JSON models of features version 1 are another format
    with pytest.raises(ValueError, match="not a tagger model"):
        tagger.Tagger(write("old.json.gz", json.dumps({"format": "entityres-tagger", "features_version": 1}).encode()))
    with pytest.raises(ValueError, match="retrain"):
        tagger.Tagger(write("old.msgpack.gz", msgpack.packb(data | {"features_version": -1})))
    with pytest.raises(ValueError, match="broken weights"):
        tagger.Tagger(write("short.msgpack.gz", msgpack.packb(data | {"weights": data["weights"][:-8]})))
    with pytest.raises(ValueError, match="broken weights"):
        tagger.Tagger(write("labels.msgpack.gz", msgpack.packb(data | {"transitions": [[0.0]]})))
    # an extension type is data to msgpack, never code: refused as a broken file
    with pytest.raises(ValueError, match="broken weights"):
        tagger.Tagger(write("ext.msgpack.gz", msgpack.packb(data | {"weights": msgpack.ExtType(1, b"x")})))
    # attributes are strings: a number or a byte string among them is a broken file, not another feature
    for odd in (7, b"w=x"):
        with pytest.raises(ValueError, match="broken weights"):
            tagger.Tagger(write("attr.msgpack.gz", msgpack.packb(data | {"attributes": data["attributes"][:-1] + [odd]})))


def test_decoder_refuses_inconsistent_arrays():
    from array import array

    from entityres.resolve._decode import decode

    table, weights, into = array("d", [0.0] * 10), array("d", [1.0, 2.0]), array("d", [0.0] * 4)
    ok = decode(table, array("i", [0]), weights, array("i", [0]), array("i", [0, 1]), into, array("i", [1]), 2)
    assert list(ok) == [1]  # the attribute scores label 1 higher
    with pytest.raises(ValueError, match="not in the table"):
        decode(table, array("i", [1]), weights, array("i", []), array("i", [0, 0]), into, array("i", [1]), 2)
    with pytest.raises(ValueError, match="attribute number"):
        decode(table, array("i", [0]), weights, array("i", [5]), array("i", [0, 1]), into, array("i", [1]), 2)
    with pytest.raises(ValueError, match="sizes"):
        decode(table, array("i", [0]), weights, array("i", []), array("i", [0, 0]), into, array("i", [2]), 2)


def test_spans_of_bio_labels():
    tokens = tokenize(normalize("a b c d e"))
    assert [(s.first, s.last, s.type) for s in tagger.spans_of(["B-PER", "I-PER", "I-LOC", "O", "I-ORG"], tokens)] == [
        (0, 1, "PER"), (2, 2, "LOC"), (4, 4, "ORG")]
    # a run of three, a B- after a span of its type starts another; offsets from its first and last token
    tokens = tokenize(normalize("  Ab  Cd Ef, Gh Ij"))
    spans = tagger.spans_of(["B-PER", "I-PER", "I-PER", "B-PER", "B-PER"], tokens)
    assert spans == [tagger.TaggedSpan(0, 2, 2, 11, "PER"), tagger.TaggedSpan(3, 3, 13, 15, "PER"),
                     tagger.TaggedSpan(4, 4, 16, 18, "PER")]
    assert all(type(s) is tagger.TaggedSpan for s in spans) and spans[0].end == tokens[2].end


def test_cli_train_and_eval(corpus, tmp_path, capsys):
    out = tmp_path / "cli.msgpack.gz"
    assert main(["tagger", "train", "--out", str(out), "--iterations", "30", str(corpus)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert "(fa, 32 sentences)" in record["corpora"][0] and record["tokens"] > 0 and out.is_file()
    assert main(["tagger", "eval", "--model", str(out), f"{corpus}:0-8"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert scores["sentences"] == 8 and scores["PER"]["gold"] == 8


def test_cli_reports_bad_input(tmp_path, capsys):
    assert main(["tagger", "eval", str(tmp_path / "none.conll")]) == 2
    assert "no corpus file" in capsys.readouterr().err


def test_stray_tags_are_outside_spans(tmp_path):
    f = tmp_path / "stray.txt"
    f.write_text("شمالی IO\nشرقی OO\nرم B-MIS1`\nعلی B-PER\n", encoding="utf-8")
    assert [fold_type(t) for _, t in read_tokens(f)[0]] == [("O", ""), ("O", ""), ("B", "MIS1`"), ("B", "PER")]
    assert [s.type for s in read_corpus(f)[0].spans] == ["MIS1`", "PER"]


# --- in the resolver ----------------------------------------------------------------------------

class FixedTagger(tagger.Tagger):
    """A tagger that tags the given words (by their text), to test how the resolver uses tags."""

    def __init__(self, tags: dict[str, str]):
        self.tags = tags

    def spans(self, norm, tokens, lang, index, cue_rows=None):
        out = []
        for phrase, kind in self.tags.items():
            words = phrase.split()
            for i in range(len(tokens) - len(words) + 1):
                if [t.text for t in tokens[i:i + len(words)]] == [normalize(w).text for w in words]:
                    out.append(tagger.TaggedSpan(i, i + len(words) - 1, tokens[i].start,
                                                 tokens[i + len(words) - 1].end, kind))
        return sorted(out)


def _mentions(resolver, text, lang):
    return [(m.text, m.type, m.entity_id) for m in resolver.resolve(text, lang).mentions]


def test_resolver_tagger_off_and_on():
    from entityres.resolve.resolver import Resolver

    text = "مهرداد کیانفر امروز در تبریز گفت"
    assert Resolver(tagger=None).tagger is None
    off = _mentions(Resolver(tagger=None), text, "fa")
    assert not any(m[0] == "مهرداد کیانفر" for m in off)
    on = Resolver(tagger=FixedTagger({"مهرداد کیانفر": "PER", "تبریز": "LOC"}))
    result = on.resolve(text, "fa")
    person = next(m for m in result.mentions if m.text == "مهرداد کیانفر")
    assert person.type == "person" and person.entity_id.startswith("person:new.")
    assert person.explanation.how == "new" and person.explanation.cue == "tagger"
    name = next(e.name for e in result.entities if e.id == person.entity_id)
    assert len(name.split()) == 2 and all(set(w.lower()) & set("aeiou") for w in name.split())
    # a tagged place the gazetteer holds links to it
    assert ("تبریز", "place", "place:tabriz") in _mentions(on, text, "fa")


def test_resolver_loads_a_model_file(model):
    from entityres.resolve.resolver import Resolver

    r = Resolver(tagger=model)
    assert isinstance(r.tagger, tagger.Tagger) and r.tagger.path == model.resolve()
    found = _mentions(r, "مهرداد کیانفر امروز در یزد گفت که بانک ملت کار را آغاز کرد.", "fa")
    assert ("مهرداد کیانفر", "person", "person:new.mhrdad-kanfr") in [(t, k, i[:len("person:new.mhrdad-kanfr")]) for t, k, i in found] or \
        any(t == "مهرداد کیانفر" and k == "person" for t, k, _ in found)
    with pytest.raises(FileNotFoundError):
        Resolver(tagger=model.parent / "missing.msgpack.gz")


def test_tagged_organisation_suppresses_new_persons():
    from entityres.resolve.resolver import Resolver

    text = "سخنگوی دولت، زمریالی کاکړ گفت"
    cue_only = _mentions(Resolver(tagger=None), text, "fa")
    assert any(k == "person" for _, k, _ in cue_only)  # the title rule finds a new person
    with_org = _mentions(Resolver(tagger=FixedTagger({"زمریالی کاکړ": "ORG"})), text, "fa")
    assert not any(k == "person" for _, k, _ in with_org)


def test_tagged_person_replaces_a_surname_matched_alone():
    from entityres.resolve.resolver import Resolver

    text = "رستم عمروف به کیف رفت. فرهاد عمروف گفت"
    r = Resolver(tagger=FixedTagger({"فرهاد عمروف": "PER", "رستم عمروف": "PER"}))
    found = _mentions(r, text, "fa")
    assert ("رستم عمروف", "person", "person:rustem-umerov") in found
    farhad = [m for m in found if m[0] == "فرهاد عمروف"]
    assert farhad and farhad[0][2].startswith("person:new.")


def test_tagged_person_replaces_the_name_parts_it_is_made_of():
    from entityres.resolve.resolver import Resolver

    # a surname first (not only last), and a given name and a surname of two other people together
    text = "عمروف فرهادی و دونالد عمروف دیروز آمدند"
    off = _mentions(Resolver(tagger=None), text, "fa")
    assert ("عمروف", "person", "person:rustem-umerov") in off
    on = _mentions(Resolver(tagger=FixedTagger({"عمروف فرهادی": "PER", "دونالد عمروف": "PER"})), text, "fa")
    people = {t: i for t, k, i in on if k == "person"}
    assert set(people) == {"عمروف فرهادی", "دونالد عمروف"}
    assert all(i.startswith("person:new.") for i in people.values())


def test_tagged_person_takes_in_the_title_a_cue_rule_left_out():
    from entityres.resolve.resolver import Resolver

    text = "سخنگوی دولت کامران پورکند گفت"
    cue_only = [t for t, k, _ in _mentions(Resolver(tagger=None), text, "fa") if k == "person"]
    assert cue_only == ["کامران پورکند"]
    tags = {"دولت کامران پورکند": "PER"}
    assert [t for t, k, _ in _mentions(Resolver(tagger=FixedTagger(tags)), text, "fa") if k == "person"] == [
        "دولت کامران پورکند"]


def test_tagged_names_of_fairly_common_words_are_kept_but_not_vocabulary():
    from entityres.resolve.mentions import TAGGED_NAME_ZIPF
    from entityres.resolve.resolver import Resolver
    from entityres.text.frequency import zipf

    # سهیلا اسکندری: both words commoner than a new name found by a cue may be (3.5), rarer than TAGGED_NAME_ZIPF
    assert all(3.5 <= zipf(w, "fa") < TAGGED_NAME_ZIPF for w in ("سهیلا", "اسکندری"))
    assert all(zipf(w, "fa") >= TAGGED_NAME_ZIPF for w in ("کاخ", "سفید"))
    r = Resolver(tagger=FixedTagger({"سهیلا اسکندری": "PER", "کاخ سفید": "PER"}))
    found = _mentions(r, "سهیلا اسکندری دیروز در کاخ سفید بود", "fa")
    assert [t for t, k, _ in found if k == "person"] == ["سهیلا اسکندری"]


def test_tagged_name_is_taken_when_the_spans_it_overlaps_fall():
    from entityres.resolve.resolver import Resolver

    # رستم alone is a given name that nothing supports: the linker drops it, the tagged person stays
    text = "رستم دیروز به شهر آمد"
    assert not _mentions(Resolver(tagger=None), text, "fa")
    on = _mentions(Resolver(tagger=FixedTagger({"رستم": "PER"})), text, "fa")
    assert len(on) == 1 and on[0][0] == "رستم" and on[0][2].startswith("person:new.")
    # a gazetteer name that is kept wins over a tag on the same words, with no second mention
    text = "رستم عمروف دیروز به شهر آمد"
    on = _mentions(Resolver(tagger=FixedTagger({"رستم عمروف": "PER", "عمروف": "LOC"})), text, "fa")
    assert on == [("رستم عمروف", "person", "person:rustem-umerov")]


def test_joined_compound_names_get_one_id():
    from entityres.resolve.resolver import Resolver

    spellings = ["حشمتالله رحمانی", "حشمت‌الله رحمانی", "حشمت الله رحمانی"]
    r = Resolver(tagger=FixedTagger({s: "PER" for s in spellings}))
    ids = set()
    for s in spellings:
        found = _mentions(r, f"{s} امروز به شهر آمد", "fa")
        assert found[0][0] == s and found[0][1] == "person"
        ids.add(found[0][2])
    assert len(ids) == 1


def test_arabic_conjunction_is_left_out_of_a_new_name():
    from entityres.resolve.resolver import Resolver

    r = Resolver(tagger=FixedTagger({"وأحمد الشمري": "PER", "وليد الزعبي": "PER"}))
    found = _mentions(r, "وقال وأحمد الشمري إن وليد الزعبي وصل", "ar")
    texts = [t for t, k, _ in found if k == "person"]
    assert "أحمد الشمري" in texts and "وليد الزعبي" in texts


# --- the shipped model --------------------------------------------------------------------------

def test_shipped_model_is_small_open_and_current():
    path = tagger.shipped_model()
    assert path.is_file() and path.stat().st_size <= 20 * 1024 * 1024
    t = tagger.load_tagger()
    assert t.meta["features_version"] == tagger.FEATURES_VERSION
    trained_on = " ".join(t.meta["corpora"])
    assert "parstwiner_traindev" in trained_on and "anercorp" in trained_on.lower() and "aqmar" in trained_on
    for closed in ("arman", "peyma", "newsfane", "wojood", "fa_parstwiner/"):
        assert closed not in trained_on.lower()
    assert "ANERCorp:-3988" in trained_on  # the train split only


def test_shipped_model_finds_names_without_cues():
    from entityres.resolve.resolver import Resolver

    r = Resolver()
    result = r.resolve("فرامرز قاسملو و بهروز کیانپور دیروز در نشستی در شهر تبریز شرکت کردند.", "fa")
    people = {m.text for m in result.mentions if m.type == "person"}
    assert {"فرامرز قاسملو", "بهروز کیانپور"} <= people
    assert not Resolver(tagger=None).resolve("فرامرز قاسملو و بهروز کیانپور دیروز آمدند.", "fa").mentions


def test_tagger_travels_to_worker_processes_as_its_file(model):
    import pickle

    shipped = tagger.load_tagger()
    assert pickle.loads(pickle.dumps(shipped)) is shipped  # one per model file in a process
    mine = tagger.load_tagger(str(model))
    data = pickle.dumps(mine)
    assert len(data) < 1000 and pickle.loads(data).path == model


def test_word_scores_add_in_order_as_python_does():
    import random
    from array import array

    from entityres.resolve._decode import split_attributes, word_scores

    rng = random.Random(9)
    base = [f"f{n}" for n in range(30)]
    names = rng.sample(base + [m + f for m in ("-2", "-1", "+1", "+2") for f in base], 70)
    weights = array("d", [rng.uniform(-3, 3) for _ in range(7 * len(names))])
    number = {f: n for n, f in enumerate(names)}
    own = tuple(rng.choice(base) for _ in range(12))
    near = tuple(rng.choice(base) for _ in range(6))
    expected = []
    for group in (own, *[tuple(m + f for f in (near if m[1] == "1" else near[:2])) for m in ("-2", "-1", "+1", "+2")]):
        v = [0.0] * 7  # the Python loop the C replaced: per group, each known feature's row added in order
        for f in group:
            if f in number:
                for j in range(7):
                    v[j] += weights[number[f] * 7 + j]
        expected += v
    assert list(word_scores(weights, *split_attributes(names), own, near, 7)) == expected
    attributes, rows, ids = split_attributes(names)
    with pytest.raises(ValueError):
        word_scores(weights, {"f": len(names)}, rows, ids, ("f",), (), 7)
    with pytest.raises(ValueError):
        split_attributes(["-1a", "b", "-1a"])


def _python_word_features(word, lang, index):
    """The pure-Python word features that :func:`tagger.word_features` computes in C."""
    from entityres.gazetteer.index import fold_word
    from entityres.resolve.cluster import compound_parts
    from entityres.text.frequency import zipf
    from entityres.text.keys import word_keys
    from entityres.text.normalize import ZWNJ
    from entityres.text.tokens import stem_cuts

    def bucket(w):
        return str(min(int(zipf(w, lang) * 2), 14))

    lower = word.casefold()
    cuts = stem_cuts(word, lang)
    stems = [word[a:b] for a, b in cuts]
    main = min((word[a:b] for a, b in cuts if b == len(word)), key=len)
    gaz = set()
    for stem in stems:
        key = " ".join(fold_word(w) for w in stem.replace(ZWNJ, " ").split())
        for k in {key, key.replace(" ", "")}:
            for a in index.exact.get(k, ()):
                gaz.add("g=" + index.aliases[a].type)
            for flag, table in (("gb", index.prefixes), ("gp", index.parts), ("gg", index.given)):
                if k in table:
                    gaz.add(flag)
    keys = word_keys(main)
    shape = ("L" + ("c" if word[:1].isupper() else "")) if word.isascii() and word.isalpha() else (
        "D" if any(c.isdigit() for c in word) else "A")
    own = ["b", "w=" + lower, "k=" + (keys[0][0] if keys else ""), "z=" + bucket(word), "zs=" + bucket(main),
           "sh=" + shape, "n=" + str(min(len(word), 10)), "p2=" + lower[:2], "p3=" + lower[:3],
           "x2=" + lower[-2:], "x3=" + lower[-3:], "x4=" + lower[-4:], "lang=" + (lang or "")]
    own += ["s=" + s.casefold() for s in stems[1:]]
    if ZWNJ in word:
        own.append("zwnj")
    compound = compound_parts(word)
    if len(compound) > 1:
        own += ["cmp", "s=" + compound[0], "x=" + compound[1]]
    own += sorted(gaz)
    near = ["w=" + lower, "s=" + main.casefold(), "z=" + bucket(word), "sh=" + shape, *sorted(gaz)]
    seen = tuple(tuple(f"{o:+d}" + f for f in (near if abs(o) == 1 else near[:2])) for o in tagger.NEIGHBOURS)
    return tagger.WordFeatures(tuple(own), seen, fold_word(main.replace(ZWNJ, "")))


WORD_SAMPLES = {  # our own words: clitics, suffixes, ZWNJ, joined compounds, Latin, digits, known names
    "fa": "وبوتین پوتین‌ها کتابهایش حشمتالله نعمت‌الله شمسالدین ولادیمیر رئیس‌جمهور تهران بتهران ایرانی‌ها "
          "از به و می‌گوید Trump iPhone 2024 ۱۴۰۳ x ب آ‌ ک‌ی",
    "ar": "وبوتين بالقاهرة والرياض للرئيس محمد عبدالله القرم السودانية كتابهم فقال Obama 12",
    "prs": "کابل هرات ولسوالی‌های افغانستان",
}


def test_compound_parts_equal_every_half_tried():
    from entityres.resolve.cluster import _second_halves, compound_parts

    halves = sorted((h for _, group in _second_halves() for h in group), key=len, reverse=True)
    assert "الله" in halves
    for word in ["حشمتالله", "شمسالدین", "الله", "xالله", "عبدالدوله", "ناصرالدینشاه", "کتاب", "حسین", "الدوله"]:
        # the loop over every half, longest first, that the look-ups by length replaced
        expected = next(((word[:-len(h)], h) for h in halves if word.endswith(h) and len(word) - len(h) >= 2), (word,))
        assert compound_parts(word) == expected, word


def test_word_features_in_c_equal_the_python(index):
    words = [(w, lang) for lang, text in WORD_SAMPLES.items() for w in text.split()]
    words += [(w, None) for w in WORD_SAMPLES["fa"].split()[:5]]
    for w, lang in words:
        assert tagger.word_features(w, lang, index) == _python_word_features(w, lang, index), w


def test_word_features_of_corpus_words_equal_the_python(index):
    """Every word of a few documents of the corpora beside the project (skipped without them)."""
    ner = Path(__file__).resolve().parents[2] / "shared" / "bench" / "ner"
    files = [(ner / "fa_arman" / "test_fold1.txt", "fa"), (ner / "ar_anercorp" / "ANERCorp", "ar")]
    if not all(f.exists() for f, _ in files):
        pytest.skip(f"{ner} not found (the shared corpora are not beside the project)")
    checked = 0
    for f, lang in files:
        words = {t.text for s in read_corpus(f)[:400] for t in tokenize(normalize(s.text))}
        for w in sorted(words):
            assert tagger.word_features(w, lang, index) == _python_word_features(w, lang, index), w
        checked += len(words)
    assert checked > 3000


def _python_scores(model, features):
    """A word's memo row as the Python sum: its own features' weights, then what its neighbours see
    of it at -2, -1, +1, +2, each in order."""
    n = len(model.labels_)
    out = []
    for group in (features.own, *features.seen):
        v = [0.0] * n
        for f in group:
            a = model._number(f)
            if a is not None:
                for j in range(n):
                    v[j] += model._weights[a * n + j]
        out += v
    return out


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(sorted({w for text in WORD_SAMPLES.values() for w in text.split()}))
                | st.text(alphabet="وبلکفالهایمشانتحسین\u200cxT2", min_size=1, max_size=9), max_size=6),
       st.sampled_from(["fa", "ar", "prs", None]))
def test_new_word_scores_are_each_words_features_scored(words, lang):
    from entityres.gazetteer.index import fold_word
    from entityres.resolve._decode import new_word_scores
    from entityres.resolve.cluster import compound_parts
    from entityres.text import frequency
    from entityres.text.keys import top_key
    from entityres.text.tokens import stem_cuts

    index, model = load_gazetteer().index, tagger.load_tagger()
    scores, keys = new_word_scores(words, lang, stem_cuts, compound_parts, frequency.table(lang), index, top_key,
                                   fold_word, model._weights, model._attr, model._seen_rows, model._seen_ids,
                                   len(model.labels_))
    expected = [_python_word_features(w, lang, index) for w in words]
    assert keys == [f.key for f in expected]
    assert list(scores) == [x for f in expected for x in _python_scores(model, f)]


def test_the_pair_memo_gives_the_features_it_saves(model, index):
    # local_features remembers two adjacent words' features: with a memo (kept across texts, emptied
    # when full) the features are those computed afresh.
    from array import array

    from entityres.resolve._decode import local_features
    from entityres.text import cues

    t = tagger.Tagger(model)
    memos: dict[int, dict] = {-1: {}, 3: {}}  # max_pairs → memo
    for text in ("رئیس‌جمهور ولادیمیر پوتین گفت، «کامران» در شهر یزد آمد", "ولادیمیر پوتین و دونالد ترامپ در ژنو. پوتین گفت"):
        norm = normalize(text)
        tokens = tokenize(norm)
        words = [w.text for w in tokens]
        gaps = text_gaps(norm, tokens)
        before = cues.rows(words, "fa").before
        args = (words, [tagger._gap(g) for g in gaps], [tagger.word_features(w, "fa", index).key for w in words],
                [before[g] for g in tagger.CUE_GROUPS], array("i", tagger.sentence_ends(gaps)), index.prefixes,
                index.exact, t._numbered)
        fresh = local_features(*args)
        for max_pairs, pairs in memos.items():
            assert local_features(*args, pairs, max_pairs) == fresh
            assert local_features(*args, pairs, max_pairs) == fresh  # from the memo
    assert len(memos[-1]) > 3 and 0 < len(memos[3]) <= 3


# The gaps' kernels against the Python they replaced (the tagger's loop before stop 51).
def _reference_sentence_ends(gaps):
    from itertools import compress
    from operator import not_

    if not gaps:
        return []
    return [*compress(range(1, len(gaps) - 1), map(not_, map(tagger.SENTENCE_ENDS.isdisjoint, gaps[1:-1]))), len(gaps) - 1]


GAP = st.sampled_from([" ", "", "  ", ". ", "\n", " ؟ ", "، ", " «", "» ", "\t", "!", "?", " - ", "\u00a0", ".\n\n"])


@given(st.lists(GAP, max_size=40))
@settings(max_examples=300, deadline=None)
def test_the_gaps_kernels_read_marks_and_sentence_ends_as_the_python_did(gaps):
    from entityres.resolve._decode import gap_marks

    assert tagger.sentence_ends(gaps) == _reference_sentence_ends(gaps)
    assert gap_marks(gaps, tagger._gap) == ["" if g == " " else tagger._gap(g) for g in gaps]


def test_the_gaps_kernels_on_a_text_and_on_bad_input():
    from entityres.resolve._decode import gap_marks, sentence_ends

    norm = normalize("او آمد. سپس گفت، «کامران» رفت؟ بله\nتمام")
    gaps = text_gaps(norm, tokenize(norm))
    assert tagger.sentence_ends(gaps) == _reference_sentence_ends(gaps) == [2, 6, 7, 8]
    asked = []
    marks = gap_marks(gaps, lambda g: asked.append(g) or tagger._gap(g))
    assert marks[2] == "." and marks[4] == ',"'  # normalised: ، is a comma, « a quote
    assert " " not in asked and len(asked) == sum(g != " " for g in gaps) > 0
    with pytest.raises(TypeError):
        sentence_ends([" ", 3, " "], tagger.SENTENCE_ENDS)
    with pytest.raises(TypeError):
        gap_marks([" ", None], tagger._gap)


def test_slots_and_keys_splits_the_memo_pairs():
    from entityres.resolve._decode import slots_and_keys

    slots, keys = slots_and_keys([(3, "a"), (0, ""), (2 ** 31 - 1, "ب")])
    assert list(slots) == [3, 0, 2 ** 31 - 1] and slots.typecode == "i" and keys == ["a", "", "ب"]
    assert [list(x) for x in slots_and_keys([])] == [[], []]
    for bad in ([(1, "a", "b")], [None], [("1", "a")]):
        with pytest.raises(TypeError):
            slots_and_keys(bad)
    with pytest.raises(OverflowError):
        slots_and_keys([(2 ** 31, "a")])
