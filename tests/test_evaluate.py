"""Evaluation measures, worked out by hand on tiny made-up documents."""
import copy
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entityres.evaluate import evaluate, hungarian, load_gold

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds.jsonl"

# A made-up gazetteer: (canonical, type) -> ID; any other name is NIL.
GAZETTEER = {("Ali Rezai", "person"): "P:rezai", ("Karim Nouri", "person"): "P:karim",
             ("Herat", "place"): "G:herat", ("Kabul", "place"): "G:kabul", ("Balkh", "place"): "G:balkh"}


def gold_id(canonical, kind):
    return GAZETTEER.get((canonical, kind))


def gold_doc(doc_id, text, mentions):
    """A gold document; each (surface, type, canonical) is looked for after the previous one."""
    entities, pos = [], 0
    for surface, kind, canonical in mentions:
        start = text.index(surface, pos)
        pos = start + len(surface)
        entities.append({"surface": surface, "start": start, "end": pos, "type": kind, "canonical": canonical})
    return {"id": doc_id, "lang": "prs", "text": text, "entities": entities}


def prediction(text, mentions, entities):
    """A result dump; mentions (surface, type, entity_id) in text order, entities id -> (name, in_gazetteer)."""
    out, pos = [], 0
    for surface, kind, entity_id in mentions:
        start = text.index(surface, pos)
        pos = start + len(surface)
        # score and wikidata stand for the extra keys a real result carries
        out.append({"text": surface, "start": start, "end": pos, "type": kind, "entity_id": entity_id, "score": 0.9})
    return {"lang": "prs", "mentions": out,
            "entities": [{"id": i, "type": "person", "name": n, "in_gazetteer": g, "wikidata": None}
                         for i, (n, g) in entities.items()]}


def scores(prf):
    return (prf.precision, prf.recall, prf.f1), (prf.correct, prf.predicted, prf.gold)


# --- mention detection ---------------------------------------------------------------------------

RAFT = "Ali Rezai flew from Herat to Kabul on Monday, and Rezai spoke."
DINA = "Dina visited Balkh."


def one_miss_one_false_alarm():
    gold = [gold_doc("d1", RAFT, [("Ali Rezai", "person", "Ali Rezai"), ("Herat", "place", "Herat"),
                                  ("Kabul", "place", "Kabul"), ("Rezai", "person", "Ali Rezai")]),
            gold_doc("d2", DINA, [("Dina", "person", "Dina Sadat"), ("Balkh", "place", "Balkh")])]
    # d1: Kabul missed, Monday taken for a place; d2 has no prediction at all
    pred = {"d1": prediction(RAFT, [("Ali Rezai", "person", "P:rezai"), ("Herat", "place", "G:herat"),
                                    ("Monday", "place", "new:0"), ("Rezai", "person", "P:rezai")],
                             {"P:rezai": ("Ali Rezai", True), "G:herat": ("Herat", True), "new:0": ("Monday", False)})}
    return evaluate(gold, pred, gold_id)


def test_precision_recall_f1_with_a_miss_a_false_alarm_and_a_missing_document():
    r = one_miss_one_false_alarm()
    assert r.documents == 2
    # 3 right of 4 predicted, of 6 gold: F1 = 2 * 3/4 * 1/2 / (3/4 + 1/2) = 0.6
    assert scores(r.mentions) == (pytest.approx((0.75, 0.5, 0.6)), (3, 4, 6))
    assert scores(r.mentions_by_type["person"]) == (pytest.approx((1.0, 2 / 3, 0.8)), (2, 2, 3))
    assert scores(r.mentions_by_type["place"]) == (pytest.approx((0.5, 1 / 3, 0.4)), (1, 2, 3))
    assert scores(r.mentions_by_doc["d1"]) == (pytest.approx((0.75, 0.75, 0.75)), (3, 4, 4))
    assert scores(r.mentions_by_doc["d2"]) == (pytest.approx((0.0, 0.0, 0.0)), (0, 0, 2))
    assert [(m.doc_id, m.start, m.end, m.surface, m.type, m.canonical) for m in r.misses] == [
        ("d1", 29, 34, "Kabul", "place", "Kabul"), ("d2", 0, 4, "Dina", "person", "Dina Sadat"),
        ("d2", 13, 18, "Balkh", "place", "Balkh")]
    assert [(m.doc_id, m.start, m.end, m.surface, m.type, m.entity_id, m.name) for m in r.false_alarms] == [
        ("d1", 38, 44, "Monday", "place", "new:0", "Monday")]
    # every detected mention is linked right
    assert (r.linking.correct, r.linking.total, r.linking.accuracy) == (3, 3, 1.0)
    assert scores(r.linking_end_to_end) == (pytest.approx((0.75, 0.5, 0.6)), (3, 4, 6))
    assert r.wrong_links == []


def test_wrong_type_is_a_miss_and_a_false_alarm():
    gold = [gold_doc("d", DINA, [("Balkh", "place", "Balkh")])]
    pred = {"d": prediction(DINA, [("Balkh", "person", "new:0")], {"new:0": ("Balkh", False)})}
    r = evaluate(gold, pred, gold_id)
    assert scores(r.mentions) == (pytest.approx((0.0, 0.0, 0.0)), (0, 1, 1))
    assert [(m.surface, m.type) for m in r.misses] == [("Balkh", "place")]
    assert [(m.surface, m.type) for m in r.false_alarms] == [("Balkh", "person")]
    assert (r.linking.total, r.linking.accuracy) == (0, 0.0)
    # CEAF matches mentions by span alone, so the clusters still agree
    assert scores(r.ceafm) == (pytest.approx((1.0, 1.0, 1.0)), (1, 1, 1))


# --- linking -------------------------------------------------------------------------------------

TRIP = "Ali Rezai and Zarin went from Tus to Kabul and Herat."


def test_nil_linking():
    gold = [gold_doc("d", TRIP, [("Ali Rezai", "person", "Ali Rezai"), ("Zarin", "person", "Zarin Ahmadi"),
                                 ("Tus", "place", "Tus"), ("Kabul", "place", "Kabul"), ("Herat", "place", "Herat")])]
    pred = {"d": prediction(TRIP, [("Ali Rezai", "person", "P:rezai"),  # right
                                   ("Zarin", "person", "new:0"),        # NIL for NIL: right
                                   ("Tus", "place", "G:tus"),           # NIL linked to the gazetteer: wrong
                                   ("Kabul", "place", "new:1"),         # gazetteer name taken for new: wrong
                                   ("Herat", "place", "G:kandahar")],   # another gazetteer entry: wrong
                            {"P:rezai": ("Ali Rezai", True), "new:0": ("Zarin", False), "G:tus": ("Tus", True),
                             "new:1": ("Kabul", False), "G:kandahar": ("Kandahar", True)})}
    r = evaluate(gold, pred, gold_id)
    assert scores(r.mentions) == (pytest.approx((1.0, 1.0, 1.0)), (5, 5, 5))
    assert (r.linking.correct, r.linking.total, r.linking.accuracy) == (2, 5, 0.4)
    assert scores(r.linking_end_to_end) == (pytest.approx((0.4, 0.4, 0.4)), (2, 5, 5))
    assert [(w.surface, w.canonical, w.gold_id, w.entity_id, w.name, w.in_gazetteer) for w in r.wrong_links] == [
        ("Tus", "Tus", None, "G:tus", "Tus", True), ("Kabul", "Kabul", "G:kabul", "new:1", "Kabul", False),
        ("Herat", "Herat", "G:herat", "G:kandahar", "Kandahar", True)]
    # five singletons each side, the same partition whatever the links
    assert r.ceafm.f1 == 1.0


# --- CEAFm and the Hungarian algorithm -----------------------------------------------------------

MEETING = "Karim met Sara. Karim smiled, and Karim left."
CALL = "Sara called Karim, then Karim called back."


def test_ceafm_takes_the_optimal_alignment_not_the_greedy_one():
    karim, sara = ("Karim", "person", "Karim Nouri"), ("Sara", "person", "Sara Nouri")
    gold = [gold_doc("a", MEETING, [karim, sara, karim, karim]), gold_doc("b", CALL, [sara, karim, karim])]
    ents = {"P:karim": ("Karim Nouri", True), "new:1": ("Karim", False)}
    pred = {"a": prediction(MEETING, [("Karim", "person", "P:karim"), ("Sara", "person", "P:karim"),
                                      ("Karim", "person", "P:karim"), ("Karim", "person", "P:karim")], ents),
            "b": prediction(CALL, [("Sara", "person", "P:karim"), ("Karim", "person", "new:1"),
                                   ("Karim", "person", "new:1")], ents)}
    r = evaluate(gold, pred, gold_id)
    # Shared mentions: Karim (5 gold) has 3 in P:karim and 2 in new:1; Sara (2 gold) has 2 in P:karim.
    # Greedy pairs Karim with P:karim first (3 + 0 = 3); the optimum is Karim-new:1 and Sara-P:karim (2 + 2 = 4).
    assert scores(r.ceafm) == (pytest.approx((4 / 7, 4 / 7, 4 / 7)), (4, 7, 7))
    # only Karim's three mentions in P:karim carry the right link
    assert (r.linking.correct, r.linking.total) == (3, 7)
    assert scores(r.linking_end_to_end) == (pytest.approx((3 / 7, 3 / 7, 3 / 7)), (3, 7, 7))


def test_hungarian_beats_greedy():
    assert hungarian([[3, 2], [2, 0]]) == [(0, 1), (1, 0)]


def test_hungarian_small_cases():
    assert hungarian([]) == []
    assert hungarian([[]]) == []
    assert hungarian([[7]]) == [(0, 0)]
    assert hungarian([[1, 5, 2]]) == [(0, 1)]
    assert hungarian([[1], [5], [2]]) == [(1, 0)]


def brute_force(weights):
    n, m = len(weights), len(weights[0])
    if n > m:
        return brute_force([list(col) for col in zip(*weights)])
    return max(sum(weights[i][j] for i, j in enumerate(cols)) for cols in itertools.permutations(range(m), n))


matrices = st.integers(1, 5).flatmap(lambda n: st.integers(1, 5).flatmap(
    lambda m: st.lists(st.lists(st.integers(-5, 9), min_size=m, max_size=m), min_size=n, max_size=n)))


@given(matrices)
def test_hungarian_matches_brute_force(weights):
    pairs = hungarian(weights)
    rows, cols = [i for i, _ in pairs], [j for _, j in pairs]
    assert len(pairs) == min(len(weights), len(weights[0]))
    assert len(set(rows)) == len(rows) and len(set(cols)) == len(cols)
    assert sum(weights[i][j] for i, j in pairs) == brute_force(weights)


# --- bad predictions, empty input, the report ----------------------------------------------------

@pytest.mark.parametrize("change,message", [
    (lambda p: p["entities"].pop(), r"predicted d: mentions\[0\].entity_id 'G:balkh' is not among"),
    (lambda p: p["mentions"].append(dict(p["mentions"][0])), r"predicted d: mentions\[1\]: span \[13:18\] repeats"),
])
def test_bad_prediction_is_named(change, message):
    pred = prediction(DINA, [("Balkh", "place", "G:balkh")], {"G:balkh": ("Balkh", True)})
    change(pred)
    with pytest.raises(ValueError, match=message):
        evaluate([gold_doc("d", DINA, [("Balkh", "place", "Balkh")])], {"d": pred}, gold_id)


def test_repeated_gold_document_is_refused():
    doc = gold_doc("d", DINA, [])
    with pytest.raises(ValueError, match="document id 'd' appears twice"):
        evaluate([doc, doc], {}, gold_id)


def test_predictions_outside_the_gold_set_are_not_scored():
    pred = {"other": prediction(DINA, [("Balkh", "place", "G:balkh")], {"G:balkh": ("Balkh", True)})}
    r = evaluate([gold_doc("d", DINA, [("Balkh", "place", "Balkh")])], pred, gold_id)
    assert (r.mentions.predicted, len(r.misses), r.false_alarms) == (0, 1, [])


@pytest.mark.parametrize("gold", [[], [gold_doc("d", DINA, [])]])
def test_empty_input_gives_zeros(gold):
    r = evaluate(gold, {}, gold_id)
    for prf in (r.mentions, *r.mentions_by_type.values(), r.linking_end_to_end, r.ceafm):
        assert (prf.precision, prf.recall, prf.f1) == (0.0, 0.0, 0.0)
    assert r.linking.accuracy == 0.0
    assert r.misses == r.false_alarms == r.wrong_links == []
    assert f"{len(gold)} documents, 0 gold mentions, 0 predicted" in r.format()


def test_to_dict_holds_the_ratios_and_is_json():
    d = one_miss_one_false_alarm().to_dict()
    assert d["mentions"] == {"correct": 3, "predicted": 4, "gold": 6, "precision": 0.75, "recall": 0.5,
                             "f1": pytest.approx(0.6)}
    assert d["misses"][0]["surface"] == "Kabul"
    json.dumps(d)


def test_format_prints_figures_then_capped_lists():
    text = one_miss_one_false_alarm().format(max_items=2)
    assert text.index("mentions  ") < text.index("CEAFm") < text.index("misses (3):") < text.index("false alarms (1):")
    assert "  ... and 1 more" in text.split("misses (3):")[1].split("false alarms")[0]
    assert 'd1 [29:34] place "Kabul": gold Kabul' in text
    assert 'd1 [38:44] place "Monday": predicted Monday (new:0)' in text
    # the worst document comes first
    assert text.split("worst first (2):\n")[1].startswith("  d2 ")


# --- load_gold -----------------------------------------------------------------------------------

GOOD = {"id": "a", "lang": "prs", "text": DINA,
        "entities": [{"surface": "Balkh", "start": 13, "end": 18, "type": "place", "canonical": "Balkh"}]}


def changed(**fields):
    """GOOD with top-level fields, or the first entity's (``e_`` prefix), replaced or (None) removed."""
    doc = copy.deepcopy(GOOD)
    for name, value in fields.items():
        target, key = (doc["entities"][0], name[2:]) if name.startswith("e_") else (doc, name)
        if value is None:
            del target[key]
        else:
            target[key] = value
    return json.dumps(doc)


@pytest.mark.parametrize("line,message", [
    ('{"id": "b", "lang":', "gold.jsonl:2: not valid JSON"),
    ("[1, 2]", "gold.jsonl:2: record: expected a JSON object, got list"),
    (changed(text=None), "gold.jsonl:2: text: missing"),
    (changed(id=7), "gold.jsonl:2: id: expected str, got int"),
    (changed(lang="en"), "gold.jsonl:2: lang: 'en' is not one of fa, prs, ar"),
    (changed(entities={}), "gold.jsonl:2: entities: expected list, got dict"),
    (changed(entities=["Balkh"]), r"gold.jsonl:2: entities\[0\]: expected a JSON object, got str"),
    (changed(e_canonical=None), r"gold.jsonl:2: entities\[0\].canonical: missing"),
    (changed(e_start="13"), r"gold.jsonl:2: entities\[0\].start: expected int, got str"),
    (changed(e_end=True), r"gold.jsonl:2: entities\[0\].end: expected int, got bool"),
    (changed(e_start=-1), r"gold.jsonl:2: entities\[0\].start: -1 is outside the text \(length 19\)"),
    (changed(e_end=25), r"gold.jsonl:2: entities\[0\].end: 25 is not between start 13 and the text's length 19"),
    (changed(e_end=13), r"gold.jsonl:2: entities\[0\].end: 13 is not between"),
    (changed(e_surface="Balk"), r"gold.jsonl:2: entities\[0\].surface: 'Balk' differs from text\[13:18\] = 'Balkh'"),
    (changed(e_type="org"), r"gold.jsonl:2: entities\[0\].type: 'org' is not one of person, place"),
])
def test_load_gold_names_file_line_and_field(tmp_path, line, message):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_gold(path)


def test_load_gold_counts_blank_lines(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + changed(e_type="org") + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gold.jsonl:3: entities\[0\].type"):
        load_gold(path)


def test_load_gold_reads_good_and_empty_files(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n", encoding="utf-8")
    assert load_gold(path) == [GOOD]
    path.write_text("", encoding="utf-8")
    assert load_gold(path) == []


def test_seed_corpus_against_itself_scores_one():
    if not SEEDS.exists():
        pytest.skip(f"{SEEDS} not found (the shared corpus is not beside the project)")
    gold = load_gold(SEEDS)

    # people in a pretend gazetteer, places all NIL: both kinds of link are exercised
    def seed_id(canonical, kind):
        return f"P:{canonical}" if kind == "person" else None

    def as_result(doc):
        ids = [seed_id(e["canonical"], e["type"]) or f"new:{e['canonical']}" for e in doc["entities"]]
        mentions = [{"text": e["surface"], "start": e["start"], "end": e["end"], "type": e["type"], "entity_id": i}
                    for e, i in zip(doc["entities"], ids)]
        entities = {i: {"id": i, "type": e["type"], "name": e["canonical"], "in_gazetteer": i.startswith("P:")}
                    for e, i in zip(doc["entities"], ids)}
        return {"lang": doc["lang"], "mentions": mentions, "entities": list(entities.values())}

    r = evaluate(gold, {doc["id"]: as_result(doc) for doc in gold}, seed_id)
    assert r.documents == len(gold) and r.mentions.gold == sum(len(d["entities"]) for d in gold) > 0
    for prf in (r.mentions, *r.mentions_by_type.values(), *r.mentions_by_doc.values(), r.linking_end_to_end, r.ceafm):
        assert (prf.precision, prf.recall, prf.f1) == (1.0, 1.0, 1.0)
    assert r.linking.accuracy == 1.0
    assert r.misses == r.false_alarms == r.wrong_links == []
