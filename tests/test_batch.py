"""resolve_many over many documents: per-document errors, worker processes, streaming with the merge."""
import itertools
import pickle

import pytest

from entityres import FailedDocument, NewEntityMerge, Resolver, apply_ids

# Spelling variants of one new person (not in the gazetteer) in Persian, Arabic and Latin script.
# Their per-document IDs differ (klqf, klcf) and the cross-document merge joins them.
VARIANTS = [("a", "سخنگوی ارتش، سرهنگ تیموفی کالاچوف، گفت", "fa"),
            ("b", "وقال المتحدث تيموفيه كالاشوف إن", "ar"),
            ("c", "سخنگوی ارتش، سرهنگ تیموفی کالاچف، گفت", "fa")]
KNOWN = [("d", "پوتین در مسکو با ترامپ دیدار کرد", "fa"), ("e", "وصل ترامب إلى الرياض", "ar")]


@pytest.fixture(scope="module")
def resolver():
    return Resolver()


def test_failing_documents_are_reported_in_place(resolver):
    docs = [KNOWN[0], ("bad-lang", "متن", "zz"), 42, {"id": "no-text"}, KNOWN[1]]
    out = list(resolver.resolve_many(docs, on_error="report"))
    assert [type(r).__name__ for r in out] == ["Result", "FailedDocument", "FailedDocument", "FailedDocument", "Result"]
    assert [r.id for r in out] == ["d", "bad-lang", None, None, "e"]
    assert [r.index for r in out if isinstance(r, FailedDocument)] == [1, 2, 3]
    assert "lang must be fa" in out[1].error and out[2].error.startswith("TypeError")
    skipped = list(resolver.resolve_many(docs, on_error="skip"))
    assert [r.id for r in skipped] == ["d", "e"]
    assert skipped == [out[0], out[4]]
    with pytest.raises(ValueError, match="lang must be"):
        list(resolver.resolve_many(docs))
    with pytest.raises(ValueError, match="on_error"):
        list(resolver.resolve_many(docs, on_error="ignore"))


def test_a_failure_inside_resolve_is_reported(resolver):
    out = list(resolver.resolve_many([("x", b"bytes", "fa"), KNOWN[0]], on_error="report"))
    assert isinstance(out[0], FailedDocument) and out[0].id == "x" and "needs a str" in out[0].error
    assert out[1].id == "d"


def test_workers_give_the_same_output_in_input_order(resolver):
    docs = [(f"{n}", text, lang) for n, (_, text, lang) in enumerate((VARIANTS + KNOWN) * 5)]
    docs.insert(7, ("bad", "x", "zz"))
    one = list(resolver.resolve_many(docs, on_error="report"))
    two = list(resolver.resolve_many(docs, workers=2, on_error="report"))
    assert one == two
    assert [r.id for r in two] == [d[0] for d in docs]
    assert isinstance(two[7], FailedDocument) and two[7].index == 7
    assert list(resolver.resolve_many(docs[:3], merge_new=False, workers=2)) == \
        list(resolver.resolve_many(docs[:3], merge_new=False))
    with pytest.raises(ValueError, match="workers"):
        list(resolver.resolve_many(docs, workers=0))


def _names_and_line(result):
    return NewEntityMerge.names_of(result), result.model_dump_json()


def _fails_on_known(result):
    if result.id == "d":
        raise ValueError("cannot encode d")
    return result.id


def test_encode_runs_where_the_result_is_made(resolver):
    docs = VARIANTS + KNOWN
    plain = list(resolver.resolve_many(docs, merge_new=False))
    expected = NewEntityMerge()
    for r in plain:
        expected.add(r)
    for workers in (1, 2):
        encoded = list(resolver.resolve_many(docs, merge_new=False, workers=workers, encode=_names_and_line))
        assert [line for _, line in encoded] == [r.model_dump_json() for r in plain]
        table = NewEntityMerge()
        for names, _ in encoded:
            table.add_names(names)
        assert table.ids() and table.ids() == expected.ids()
    out = list(resolver.resolve_many(docs, merge_new=False, workers=2, on_error="report", encode=_fails_on_known))
    assert out[:3] == ["a", "b", "c"] and out[4] == "e"
    assert isinstance(out[3], FailedDocument) and out[3].id == "d" and "cannot encode d" in out[3].error
    with pytest.raises(ValueError, match="merge_new=False"):
        resolver.resolve_many(docs, encode=_names_and_line)


def test_streaming_reads_no_further_than_needed(resolver):
    endless = ((f"{n}", KNOWN[n % 2][1], KNOWN[n % 2][2]) for n in itertools.count())
    first = list(itertools.islice(resolver.resolve_many(endless, merge_new=False, workers=2), 3))
    assert [r.id for r in first] == ["0", "1", "2"]
    read = []

    def logged():
        for doc in KNOWN:
            read.append(doc[0])
            yield doc
    stream = resolver.resolve_many(logged(), merge_new=False)
    assert next(stream).id == "d" and read == ["d"]


def test_streamed_results_with_the_merge_table_equal_merge_new(resolver):
    docs = VARIANTS + KNOWN
    final = list(resolver.resolve_many(docs))
    table = NewEntityMerge()
    streamed = []
    for r in resolver.resolve_many(docs, merge_new=False):
        table.add(r)
        streamed.append(r)
    ids = table.ids()
    assert ids and all(a.startswith("person:new.") and a != b for a, b in ids.items())
    assert [apply_ids(r, ids) for r in streamed] == final
    assert len({m.entity_id for r in final for m in r.mentions if m.type == "person" and r.id in "abc"}) == 1
    # the table does not depend on the order results were added in
    backward = NewEntityMerge()
    for r in reversed(streamed):
        backward.add(r)
    assert backward.names() == table.names() and backward.ids() == ids


def test_resolver_pickles_without_its_index(resolver):
    data = pickle.dumps(resolver)
    assert len(data) < len(pickle.dumps(resolver.gazetteer))
    copy = pickle.loads(data)
    assert copy.resolve(KNOWN[0][1], "fa") == resolver.resolve(KNOWN[0][1], "fa")
