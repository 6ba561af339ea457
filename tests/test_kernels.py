"""The compiled kernels (entityres/text/_kernels.pyx) against small reference implementations.

Each reference below is the readable Python the kernel replaced; the kernel must give the same
float, to the bit, on any input (hypothesis), so that scores and rankings do not move.
"""
import heapq

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel, Levenshtein

from entityres.text import _kernels
from entityres.text.keys import compare_table, key_similarity
from entityres.text.similarity import ALT_CLASS_PENALTY, word_profile, word_similarity

WEAK = {"A": 0.5, "F": 0.5, "H": 0.5}
RELATED = [frozenset("GJKQ"), frozenset("SZC"), frozenset("TD")]
CLASSES = "AFHGJKQSZCTDLMNRP"
SWAP = {a: {b: 0.0 if a == b else 0.5 if any(a in g and b in g for g in RELATED) else 1.0 for b in CLASSES}
        for a in CLASSES}
TABLE = _kernels.CostTable(WEAK, SWAP)

# Key classes, a few characters outside the table (other letters, non-ASCII) and long strings.
# Up to 64 characters the plain distances run bit-parallel, past that (or off ASCII) by the table.
keys_st = (st.text(alphabet=CLASSES + "XYé-", max_size=12) | st.text(alphabet="AKT", min_size=60, max_size=90)
           | st.text(alphabet="AKT", min_size=62, max_size=66))
key_cost_st = st.tuples(keys_st, st.integers(0, 4))


def reference_key_similarity(x: str, y: str, weak=WEAK, swap=SWAP) -> float:
    if x == y:
        return 1.0
    wx = [weak.get(c, 1.0) for c in x]
    wy = [weak.get(c, 1.0) for c in y]
    prev = [0.0]
    for w in wy:
        prev.append(prev[-1] + w)
    for i, a in enumerate(x):
        row = swap.get(a) or {}
        wa = wx[i]
        cur = [prev[0] + wa]
        for j, b in enumerate(y):
            cur.append(min(prev[j] + row.get(b, 0.0 if a == b else 1.0), prev[j + 1] + wa, cur[j] + wy[j]))
        prev = cur
    return max(0.0, 1.0 - prev[-1] / max(sum(wx), sum(wy)))


def reference_best_key_similarity(a, b, max_keys, shortlist, penalty) -> float:
    pairs = [(ka, ca, kb, cb) for ka, ca in a[:max_keys] for kb, cb in b[:max_keys]]
    if shortlist and len(pairs) > shortlist:
        pairs = heapq.nlargest(shortlist, pairs, key=lambda p: Levenshtein.normalized_similarity(p[0], p[2])
                               - penalty * (p[1] + p[3]))
    best = 0.0
    for ka, ca, kb, cb in pairs:
        s = reference_key_similarity(ka, kb) - penalty * (ca + cb)
        if s > best:
            best = s
    return best


@settings(max_examples=500, deadline=None)
@given(keys_st, keys_st)
def test_weighted_similarity_equals_reference(x, y):
    try:
        expected = reference_key_similarity(x, y)
    except ZeroDivisionError:
        with pytest.raises(ZeroDivisionError):
            _kernels.weighted_similarity(x, y, TABLE)
        return
    assert _kernels.weighted_similarity(x, y, TABLE) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(key_cost_st, max_size=7), st.lists(key_cost_st, max_size=7), st.integers(1, 8), st.integers(0, 5),
       st.sampled_from([0.0, 0.04, 0.3]))
def test_best_key_similarity_equals_reference(a, b, max_keys, shortlist, penalty):
    # Ties in the Levenshtein shortlist are frequent here (small alphabet): earlier pairs win in both.
    a = [(k or "K", c) for k, c in a]  # two empty keys are a division by zero in the reference
    b = [(k or "T", c) for k, c in b]
    got = _kernels.best_key_similarity(tuple(a), tuple(b), max_keys, shortlist, penalty, TABLE)
    assert got == reference_best_key_similarity(a, b, max_keys, shortlist, penalty)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="aeiouKTSMA", max_size=14) | st.text(max_size=80)
                | st.text(alphabet="aKT", min_size=62, max_size=66), min_size=1, max_size=4),
       st.lists(st.text(alphabet="aeiouKTSMA", max_size=14) | st.text(alphabet="aKT", max_size=70), min_size=1, max_size=4))
def test_best_indel_similarity_equals_rapidfuzz(a, b):
    expected = max(Indel.normalized_similarity(x, y) for x in a for y in b)
    assert _kernels.best_indel_similarity(tuple(a), tuple(b)) == expected


def test_best_indel_similarity_needs_strings_on_both_sides():
    with pytest.raises(ValueError):
        _kernels.best_indel_similarity((), ("a",))


def test_cost_table_rejects_classes_it_cannot_hold():
    with pytest.raises(ValueError, match="single ASCII"):
        _kernels.CostTable({"ق": 0.5}, {})
    with pytest.raises(ValueError, match="single ASCII"):
        _kernels.CostTable({}, {"GJ": {"K": 0.5}})


def test_weighted_similarity_uses_the_table_it_is_given():
    # The kernel has no rules of its own: a related pair costs what the table says.
    assert _kernels.weighted_similarity("KSM", "GSM", TABLE) == pytest.approx(1 - 0.5 / 3)
    cheap = _kernels.CostTable({}, {"K": {"G": 0.1}})
    assert _kernels.weighted_similarity("KSM", "GSM", cheap) == pytest.approx(1 - 0.1 / 3)
    assert _kernels.weighted_similarity("GSM", "KSM", cheap) == pytest.approx(1 - 1 / 3)  # only K→G is cheap


def test_key_similarity_reads_keys_yaml():
    # The table built from keys.yaml (compare) gives what the reference gives from the same data.
    from entityres.text import tables

    table = tables.load("keys")["compare"]
    related = [frozenset(g) for g in table["related"]]
    classes = set("".join(table["related"])) | set(table["weak"]) | set("PFTDSZCQJGKXHLMNRA")
    swap = {a: {b: 0.0 if a == b else 0.5 if any(a in g and b in g for g in related) else 1.0 for b in classes}
            for a in classes}
    for x, y in [("FTKF", "FTKA"), ("MSK", "MSKF"), ("XMNA", "HMNA"), ("KSM", "GSM"), ("TRMP", "DRMB")]:
        assert key_similarity(x, y) == reference_key_similarity(x, y, table["weak"], swap)
    assert isinstance(compare_table(), _kernels.CostTable)


@pytest.mark.parametrize("a,b,lang", [("Witkoff", "ویتکاف", "fa"), ("Umerov", "عمروف", "fa"),
                                      ("Mohammed", "محمد", "ar"), ("Kerry", "کره", "fa")])
def test_word_similarity_keeps_its_reference_value(a, b, lang):
    pa, pb = word_profile(a.lower()), word_profile(b, lang)
    for max_keys, shortlist in [(16, 0), (6, 2), (4, 2)]:
        key_sim = reference_best_key_similarity(pa.keys, pb.keys, max_keys, shortlist, ALT_CLASS_PENALTY)
        read_sim = max(Indel.normalized_similarity(x, y) for x in pa.codes for y in pb.codes)
        assert _kernels.best_key_similarity(pa.keys, pb.keys, max_keys, shortlist, ALT_CLASS_PENALTY,
                                            compare_table()) == key_sim
        assert _kernels.best_indel_similarity(pa.codes, pb.codes) == read_sim
        assert 0.0 <= word_similarity(pa, pb, max_keys, shortlist) <= 1.0


def reference_kbest(steps, width, k):
    beam = [(0.0, "")]
    for gaps, options in steps:
        nxt = {}
        for cost, text in beam:
            for gap, gap_cost in gaps:
                for rank, option in enumerate(options):
                    cand = text + gap + option
                    c = cost + gap_cost + rank
                    if c < nxt.get(cand, float("inf")):
                        nxt[cand] = c
        beam = heapq.nsmallest(width, ((c, t) for t, c in nxt.items()))
    return tuple(t for _, t in sorted(beam)[:k] if t)


gaps_st = st.sampled_from([(("", 0.0),), (("", 0.0), ("a", 0.6), ("e", 0.8), ("o", 1.0)), (("", 0.0), ("i", 0.5)),
                           (("", 0.0), ("a", 0.6), ("e", 0.8), ("o", 1.0), ("i", 1.2), ("u", 1.3)), (("a", 0.0), ("", 0.0))])
# Options may be empty strings (ا read as nothing) or none at all; the kernel builds only the
# candidates under a cost bound, and these make many strings reachable in several ways.
steps_st = st.lists(st.tuples(gaps_st, st.lists(st.text(alphabet="abkqgh", max_size=2), min_size=0, max_size=4)
                              .map(tuple)), max_size=7)


@settings(max_examples=600, deadline=None)
@given(steps_st, st.integers(1, 40), st.integers(1, 8))
def test_kbest_readings_equals_reference(steps, width, k):
    assert _kernels.kbest_readings(steps, width, k) == reference_kbest(steps, width, k)


def reference_greedy_alignment(scored, floor):
    used_a, used_b, out = set(), set(), []
    for s, ia, ib in sorted(scored, key=lambda t: (-t[0], len(t[1]) + len(t[2]), t[1], t[2])):
        if s < floor:
            break
        if used_a.isdisjoint(ia) and used_b.isdisjoint(ib):
            used_a.update(ia)
            used_b.update(ib)
            out.append((s, ia, ib))
    return out


positions_st = st.lists(st.integers(0, 5), min_size=1, max_size=2).map(tuple)
unit_st = st.tuples(st.sampled_from([0.0, 0.5, 0.55, 0.9, 1.0]) | st.floats(0, 1), positions_st, positions_st)


@settings(max_examples=500, deadline=None)
@given(st.lists(unit_st, max_size=30), st.sampled_from([0.0, 0.55]))
def test_greedy_alignment_equals_reference(scored, floor):
    assert _kernels.greedy_alignment(scored, floor) == reference_greedy_alignment(scored, floor)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="AKTé", max_size=70), st.text(alphabet="AKTé", max_size=70))
def test_plain_distances_equal_rapidfuzz(x, y):
    # One pair alone: the shortlist takes the best pair by Levenshtein, and Indel is the codes' measure.
    pair = _kernels.best_key_similarity(((x, 0), ("", 0)), ((y, 0),), 2, 1, 0.0, TABLE)
    first = Levenshtein.normalized_similarity(x, y) >= Levenshtein.normalized_similarity("", y)
    assert pair == reference_best_key_similarity([(x, 0), ("", 0)], [(y, 0)], 2, 1, 0.0)
    assert pair == (reference_key_similarity(x, y) if first else reference_key_similarity("", y))
    assert _kernels.best_indel_similarity((x,), (y,)) == Indel.normalized_similarity(x, y)


def reference_blocking_ranked(slots, firsts, pairs, found, n, types, want_type, words, query_words, small, second):
    """The matcher's candidate pool and ranking on Python sets, as entityres.gazetteer.match had it."""
    from math import log

    def posted(groups):
        return [set().union(*g) for g in groups]

    slots, firsts, pairs, found = posted(slots), posted(firsts), posted(pairs), set(found)
    pool = set(found)
    for i, s in enumerate(slots):
        if len(s) <= small or len(slots) == 1:
            pool |= s
        elif len(firsts[i]) <= small * 4:
            pool |= firsts[i]
        for t in slots[i + 1:]:
            pool |= s & t
    for p in pairs:
        if len(p) <= small * 4:
            pool |= p
    n = max(1, n)
    idf = [log(n / (1 + len(s))) + 1.0 for s in slots]
    ranked = []
    for a in pool:
        if want_type >= 0 and types[a] != want_type:
            continue
        hit = sum(w * (1.0 if a in f else second) for s, f, w in zip(slots, firsts, idf) if a in s)
        hit += sum(second * (idf[i] + idf[i + 1]) for i, p in enumerate(pairs) if a in p)
        ranked.append((-(hit + (100.0 if a in found else 0.0)), abs(words[a] - query_words), a))
    return sorted(ranked)


N_ALIASES = 40
posting_st = st.lists(st.integers(0, N_ALIASES - 1), max_size=25).map(tuple)
group_st = st.lists(posting_st, max_size=4)


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 5).flatmap(lambda w: st.tuples(
           st.lists(group_st, min_size=w, max_size=w), st.lists(group_st, min_size=w, max_size=w),
           st.lists(group_st, min_size=max(0, w - 1), max_size=max(0, w - 1)))),
       posting_st, st.binary(min_size=N_ALIASES, max_size=N_ALIASES).map(lambda b: bytes(x % 2 for x in b)),
       st.sampled_from([-1, 0, 1]), st.binary(min_size=N_ALIASES, max_size=N_ALIASES).map(lambda b: bytes(1 + x % 8 for x in b)),
       st.integers(1, 5), st.sampled_from([2, 5, 64]))
def test_blocking_ranked_equals_reference(groups, found, types, want_type, words, query_words, small):
    slots, firsts, pairs = groups
    args = (slots, firsts, pairs, found, N_ALIASES, types, want_type, words, query_words, small, 0.6)
    assert sorted(_kernels.blocking_ranked(*args)) == reference_blocking_ranked(*args)


def test_blocking_ranked_refuses_an_alias_out_of_range():
    with pytest.raises(IndexError):
        _kernels.blocking_ranked([[(3,)]], [[]], [], (), 3, bytes(3), -1, bytes(3), 1, 64, 0.6)
    with pytest.raises(ValueError):
        _kernels.blocking_ranked([[]] * 17, [[]] * 17, [], (), 3, bytes(3), -1, bytes(3), 1, 64, 0.6)
