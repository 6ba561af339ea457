"""The compiled kernels (entityres/text/_kernels.pyx) against small reference implementations.

Each reference below is the readable Python the kernel replaced; the kernel must give the same
float, to the bit, on any input (hypothesis), so that scores and rankings do not move.
"""
import heapq
import math
import random
import re
import sys
from array import array
from collections import defaultdict
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel, Levenshtein

from entityres.cache import U32
from entityres.text import _kernels, name_parts, tables
from entityres.text.cues import _phrase_trees
from entityres.text import keys as keys_module
from entityres.text import similarity as S
from entityres.text.keys import compare_table, key_similarity
from entityres.gazetteer import match as M
from entityres.gazetteer.index import Alias, Runs
from entityres.text import name_parts
from entityres.text.name_parts import joins_into, parts_differ
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


def reference_closest_key_pairs(a, b, max_keys, n, penalty):
    """similarity.closest_key_pairs as it was in Python."""
    pairs = [(ka, ca, kb, cb) for ka, ca in a[:max_keys] for kb, cb in b[:max_keys]]
    if n and len(pairs) > n:
        pairs = heapq.nlargest(n, pairs, key=lambda p: Levenshtein.normalized_similarity(p[0], p[2]) - penalty * (p[1] + p[3]))
    return pairs


@settings(max_examples=400, deadline=None)
@given(st.lists(key_cost_st, max_size=7).map(tuple), st.lists(key_cost_st, max_size=7).map(tuple), st.integers(0, 8),
       st.integers(0, 12), st.sampled_from([0.0, ALT_CLASS_PENALTY, 0.5]))
def test_closest_key_pairs_equal_reference(a, b, max_keys, n, penalty):
    assert _kernels.closest_key_pairs(a, b, max_keys, n, penalty) == reference_closest_key_pairs(a, b, max_keys, n, penalty)


def test_closest_key_pairs_refuse_negative_counts():
    with pytest.raises(ValueError):
        _kernels.closest_key_pairs((("A", 0),), (("A", 0),), 6, -1, 0.0)


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


def reference_align_units(n_a, n_b, sims, pair_a, pair_b, floor, good):
    """similarity.align_units as it was in Python, on lists of scores."""
    scored = [(sims[i * n_b + j], (i,), (j,)) for i in range(n_a) for j in range(n_b)]
    aligned = reference_greedy_alignment(scored, floor)
    if len(aligned) == min(n_a, n_b) and all(s >= good for s, _, _ in aligned):
        return aligned
    scored.extend((pair_b[i * (n_b - 1) + j], (i,), (j, j + 1)) for i in range(n_a) for j in range(n_b - 1))
    scored.extend((pair_a[i * n_b + j], (i, i + 1), (j,)) for i in range(n_a - 1) for j in range(n_b))
    return reference_greedy_alignment(scored, floor)


score_st = st.sampled_from([-1.0, 0.0, 0.5, 0.55, 0.85, 0.9, 1.0]) | st.floats(-1, 1)


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 5), st.integers(0, 5), st.data(), st.sampled_from([0.0, 0.55]), st.sampled_from([0.85, 0.0]))
def test_align_units_equals_reference(n_a, n_b, data, floor, good):
    sims = data.draw(st.lists(score_st, min_size=n_a * n_b, max_size=n_a * n_b))
    pair_a = data.draw(st.lists(score_st, min_size=max(0, n_a - 1) * n_b, max_size=max(0, n_a - 1) * n_b))
    pair_b = data.draw(st.lists(score_st, min_size=n_a * max(0, n_b - 1), max_size=n_a * max(0, n_b - 1)))
    asked = []
    got = _kernels.align_units(n_a, n_b, sims, lambda: asked.append("a") or pair_a, lambda: asked.append("b") or pair_b,
                               floor, good)
    assert got == reference_align_units(n_a, n_b, sims, pair_a, pair_b, floor, good)
    # the units of two words written as one are scored only when a word lacks a good partner
    complete = reference_greedy_alignment([(sims[i * n_b + j], (i,), (j,)) for i in range(n_a) for j in range(n_b)], floor)
    needed = not (len(complete) == min(n_a, n_b) and all(s >= good for s, _, _ in complete))
    assert asked == ((["b"] if n_b > 1 else []) + (["a"] if n_a > 1 else []) if needed else [])


def test_align_units_refuses_scores_of_another_shape():
    with pytest.raises(ValueError):
        _kernels.align_units(2, 2, [1.0, 0.5, 0.2], list, list, 0.0, 0.85)
    with pytest.raises(ValueError):  # 2**32 x 2**32 wraps to 0 in 64 bits: refused before anything is allocated
        _kernels.align_units(2 ** 32, 2 ** 32, [], list, list, 0.0, 0.85)


# --- a name's score after the alignment (match.score_alias, similarity.different_names) ----------

def reference_lacks_word(words, aligned, floor):
    best = {i: s for s, positions in aligned for i in positions}
    return any(best.get(i, 0.0) < floor and len(w.surface) > 1 and not (w.part is not None and name_parts.is_particle(w.part))
               for i, w in enumerate(words))


def reference_lineage_cut(words):
    return next((i for i, w in enumerate(words[1:-1], 1) if w.part in name_parts.group("lineage")), None)


def reference_generations_differ(a, b):
    def generations(words):
        return {w.part for w in words if w.part in name_parts.group("generations")}
    return generations(a) != generations(b)


def reference_different_names(a, b, aligned):
    """similarity.different_names as it was in Python."""
    def different_parts(x, y):
        return (x.part is not None and y.part is not None and not name_parts.is_particle(x.part)
                and not name_parts.is_particle(y.part) and parts_differ(x.part, y.part))
    if any(len(ia) == len(ja) == 1 and different_parts(a[ia[0]], b[ja[0]]) for _, ia, ja in aligned):
        return True
    cut_a, cut_b = reference_lineage_cut(a), reference_lineage_cut(b)
    if cut_a is not None and cut_b is not None and any(
            len(ia) == len(ja) == 1 and ia[0] != cut_a and ja[0] != cut_b and (ia[0] < cut_a) != (ja[0] < cut_b)
            for _, ia, ja in aligned):
        return True
    if reference_generations_differ(a, b):
        return True
    floor = S.LACKING if a[0].arabic == b[0].arabic else S.LACKING_ACROSS
    return reference_lacks_word(a, [(s, ia) for s, ia, _ in aligned], floor) and \
        reference_lacks_word(b, [(s, ja) for s, _, ja in aligned], floor)


def reference_aligned_score(qp, written, words, aligned, t):
    """match.score_alias's arithmetic after the alignment as it was in Python."""
    qw, aw = [w.weight for w in qp], [w.weight for w in words]
    used_q = {i for _, ia, _ in aligned for i in ia}
    used_a = {j for _, _, ja in aligned for j in ja}
    matched = sum(s * (sum(qw[i] for i in ia) + sum(aw[j] for j in ja)) for s, ia, ja in aligned)
    firsts = [ja[0] for _, ia, ja in sorted(aligned, key=lambda u: u[1])]
    in_order = firsts == sorted(firsts)
    unit = sum(aw[j] for j in used_a) / len(used_a) if used_a else 0.0
    unit_q = sum(qw[i] for i in used_q) / len(used_q) if used_q else 0.0
    total = sum(w if i in used_q or not (in_order and 0 < i < len(qw) - 1)
                else (unit_q or w) * (1.0 if S.initial(qp[i]) else M.INNER_WEIGHT) for i, w in enumerate(qw))

    def missing_weight(j, n, query_words):
        if n == 1:
            return 1.0
        if 0 < j < n - 1:
            return M.INNER_WEIGHT
        if query_words > 1:
            return 1.0
        return M.FIRST_WEIGHT if j == 0 else M.LAST_WEIGHT
    total += sum(w if j in used_a else 0.0 if j < t else (unit or w) * missing_weight(j - t, len(aw) - t, written)
                 for j, w in enumerate(aw))
    score = matched / total
    if not in_order:
        score *= M.ORDER_FACTOR
    at = next((ia[0] for _, ia, ja in aligned if ja[0] == 0), None)
    son = len(qw) >= M.CHAIN and at is not None and at > 0 and all(i >= at for _, ia, _ in aligned for i in ia)
    if reference_different_names(list(qp), list(words), aligned) or son:
        score = min(score, S.DIFFERENT_NAME)
    return score


# Words that make names differ or not: known parts that differ (Hassan, Hussein) or are one
# (Mohammad, محمد), particles, the lineage particle, generations, initials, and plain words.
_NAME_WORDS = [word_profile(w, lang) for w, lang in [
    ("Hassan", None), ("Hussein", None), ("Mohammad", None), ("محمد", "fa"), ("bin", None), ("بن", "ar"),
    ("al", None), ("Jr", None), ("III", None), ("K.", None), ("Tikriti", None), ("Mosuli", None), ("تكريتي", "ar"),
    ("Barzan", None), ("عبد", "ar"), ("Ali", None), ("Zarif", None), ("ظريف", "fa")]]
name_st = st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=6).map(tuple)


@st.composite
def aligned_names(draw):
    """Two names and an alignment of them: units of one word or two adjacent, none sharing a word."""
    a, b = draw(name_st), draw(name_st)
    aligned, used_a, used_b = [], set(), set()
    for _ in range(draw(st.integers(0, 6))):
        i, j = draw(st.integers(0, len(a) - 1)), draw(st.integers(0, len(b) - 1))
        ia = (i, i + 1) if i + 1 < len(a) and draw(st.integers(0, 4)) == 0 else (i,)
        ja = (j, j + 1) if len(ia) == 1 and j + 1 < len(b) and draw(st.integers(0, 4)) == 0 else (j,)
        if used_a.isdisjoint(ia) and used_b.isdisjoint(ja):
            used_a.update(ia)
            used_b.update(ja)
            aligned.append((draw(st.sampled_from([0.55, 0.6, 0.7, 0.85, 1.0]) | st.floats(0.55, 1.0)), ia, ja))
    return a, b, aligned


@settings(max_examples=1000, deadline=None)
@given(aligned_names(), st.integers(0, 6), st.integers(1, 6))
def test_aligned_score_equals_reference(names, title, written):
    a, b, aligned = names
    got = _kernels.aligned_score(a, written, b, aligned, title, M._rules())
    assert got == reference_aligned_score(a, written, b, aligned, title)
    assert _kernels.different_names(a, b, aligned, S.name_rules()) == reference_different_names(a, b, aligned)
    assert _kernels.generations_differ(a, b, S.name_rules()) == reference_generations_differ(a, b)


def test_aligned_score_caps_different_names_and_a_son():
    hassan, hussein, ali, bin_, tikriti = (word_profile(w) for w in ("Hassan", "Hussein", "Ali", "bin", "Tikriti"))
    rules = M._rules()
    # Hassan bin Ali against Hussein bin Ali: every word aligned, two different known parts
    aligned = [(0.6, (0,), (0,)), (1.0, (1,), (1,)), (1.0, (2,), (2,))]
    assert _kernels.aligned_score((hassan, bin_, ali), 3, (hussein, bin_, ali), aligned, 0, rules) == S.DIFFERENT_NAME
    # a chain of four words that puts two of its own before the alias's first name names a son
    chain = tuple(word_profile(w) for w in ("Omar", "Sabawi", "Ibrahim", "Tikriti"))
    aligned = [(1.0, (1,), (0,)), (1.0, (2,), (1,)), (1.0, (3,), (2,))]
    alias = tuple(word_profile(w) for w in ("Sabawi", "Ibrahim", "Tikriti"))
    assert _kernels.aligned_score(chain, 4, alias, aligned, 0, rules) == S.DIFFERENT_NAME
    assert _kernels.aligned_score(chain[1:], 3, alias, [(1.0, (0,), (0,)), (1.0, (1,), (1,)), (1.0, (2,), (2,))], 0,
                                  rules) == 1.0
    assert _kernels.aligned_score((tikriti,), 1, (ali, tikriti), [(1.0, (0,), (1,))], 0, rules) == \
        pytest.approx((2 * tikriti.weight) / (2 * tikriti.weight + tikriti.weight * M.FIRST_WEIGHT))


def test_aligned_score_refuses_what_is_not_an_alignment_of_the_names():
    ali, zarif = word_profile("Ali"), word_profile("Zarif")
    rules = M._rules()
    with pytest.raises(IndexError):
        _kernels.aligned_score((ali,), 1, (zarif,), [(1.0, (0,), (1,))], 0, rules)
    with pytest.raises(IndexError):
        _kernels.different_names((ali,), (zarif,), [(1.0, (2,), (0,))], S.name_rules())
    with pytest.raises(TypeError):
        _kernels.aligned_score((ali,), 1, ("Zarif",), [], 0, rules)
    with pytest.raises(ValueError):
        _kernels.aligned_score((), 1, (zarif,), [], 0, rules)
    for unit in ((1.0, (), (0,)), (1.0, (0,)), (1.0, (0,), ())):  # a side without a word, or no side at all
        with pytest.raises(ValueError):
            _kernels.aligned_score((ali,), 1, (zarif,), [unit], 0, rules)
        with pytest.raises(ValueError):
            _kernels.different_names((ali,), (zarif,), [unit], S.name_rules())


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
    for i, p in enumerate(pairs):
        if len(p) <= small * 4:
            pool |= p
        for t in slots + pairs[i + 1:]:  # a pair counts as a word towards two (issue 8)
            pool |= p & t
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


N_ALIASES = 200
# Forty aliases, so that groups meet often, spread over four of the kernel's 64-alias bitmap words
# with the words' edges among them.
SPREAD = sorted({0, 1, 2, 5, 62, 63, 64, 65, 66, 127, 128, 129, 191, 192, 199} | set(range(3, 200, 7)))
posting_st = st.lists(st.sampled_from(SPREAD), max_size=25).map(tuple)
group_st = st.lists(posting_st, max_size=4)


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 5).flatmap(lambda w: st.tuples(
           st.lists(group_st, min_size=w, max_size=w), st.lists(group_st, min_size=w, max_size=w),
           st.lists(group_st, min_size=max(0, w - 1), max_size=max(0, w - 1)))),
       posting_st, st.binary(min_size=N_ALIASES, max_size=N_ALIASES).map(lambda b: bytes(x % 2 for x in b)),
       st.sampled_from([-1, 0, 1]), st.binary(min_size=N_ALIASES, max_size=N_ALIASES).map(lambda b: bytes(1 + x % 8 for x in b)),
       st.integers(1, 5), st.sampled_from([2, 5, 64]), st.sampled_from([0, 3, 400]))
def test_blocking_ranked_equals_reference(groups, found, types, want_type, words, query_words, small, limit):
    (slots, firsts, pairs), numbers = packed(groups)
    rest = (N_ALIASES, types, want_type, words, query_words, small, 0.6)
    assert (_kernels.blocking_ranked(slots, firsts, pairs, found, numbers, *kernel_args(*rest), limit)
            == reference_blocking_ranked(*groups, found, *rest)[:limit])


def kernel_args(n, types, want_type, *rest):
    """The reference's arguments as the kernel takes them: the types wanted as a bitmap, or None for any."""
    return (n, None if want_type < 0 else _kernels.type_bitmap(types, want_type), *rest)


@given(st.binary(max_size=200), st.integers(0, 3))
def test_type_bitmap_has_the_aliases_of_the_type(types, code):
    bits = _kernels.type_bitmap(types, code)
    assert len(bits) == (len(types) + 63) // 64
    assert [a for a in range(64 * len(bits)) if bits[a // 64] >> (a % 64) & 1] == [a for a, t in enumerate(types) if t == code]


def packed(groups):
    """Each group's posting tuples as the kernel reads them: spans (start << 32 | length) of one
    array of every posting's numbers, as Index.postings holds them."""
    lists, keys = defaultdict(list), []
    for g, kind in enumerate(groups):
        keys.append([])
        for i, group in enumerate(kind):
            keys[-1].append([f"{g} {i} {j}" for j in range(len(group))])
            for key, posting in zip(keys[-1][-1], group):
                lists[key].extend(posting)
    postings = Runs.collect(lists)
    return [[[postings.span(k) for k in group] for group in kind] for kind in keys], postings.numbers


def test_blocking_ranked_picks_the_first_of_thousands_as_a_full_sort_would():
    rng = random.Random(7)
    n = 5000
    types, words = bytes(rng.randrange(2) for _ in range(n)), bytes(rng.randrange(1, 5) for _ in range(n))
    for trial in range(12):
        groups = tuple([[tuple(rng.sample(range(n), rng.randrange(1, 3000))) for _ in range(rng.randrange(1, 3))]
                        for _ in range(3)] for _ in range(2)) + ([],)
        found = tuple(rng.sample(range(n), 5))
        (slots, firsts, pairs), numbers = packed(groups)
        rest = (n, types, -1 if trial % 2 else 1, words, 3, 64, 0.6)
        full = reference_blocking_ranked(*groups, found, *rest)
        for limit in (1, 17, 400, len(full), sys.maxsize):  # a buffer of 2 * limit for the largest would not fit
            assert _kernels.blocking_ranked(slots, firsts, pairs, found, numbers, *kernel_args(*rest), limit) == full[:limit]


def test_blocking_ranked_takes_the_longest_query_a_name_may_have():
    rng = random.Random(11)
    n, w = 300, 16  # 16 words: 16 slots, 16 firsts and 15 pairs, each a bitmap of its own
    types, words = bytes(rng.randrange(2) for _ in range(n)), bytes(rng.randrange(1, 17) for _ in range(n))
    for small in (2, 64):
        groups = tuple([[tuple(rng.sample(range(n), rng.randrange(0, 90))) for _ in range(2)] for _ in range(k)]
                       for k in (w, w, w - 1))
        found = tuple(rng.sample(range(n), 3))
        (slots, firsts, pairs), numbers = packed(groups)
        rest = (n, types, -1, words, w, small, 0.6)
        full = reference_blocking_ranked(*groups, found, *rest)
        assert full and _kernels.blocking_ranked(slots, firsts, pairs, found, numbers, *kernel_args(*rest), len(full)) == full


def test_blocking_ranked_reads_only_the_words_a_few_postings_touch_as_a_full_read_would():
    # Among 2**17 aliases (2,048 bitmap words), queries posting a few hundred aliases take the
    # kernel's sparse path (rows zeroed and read only where posted); the words' edges and the
    # last alias are among them.
    rng = random.Random(13)
    n = 1 << 17
    types, words = bytes(rng.randrange(2) for _ in range(n)), bytes(rng.randrange(1, 6) for _ in range(n))
    edges = [0, 63, 64, 127, n - 64, n - 1]
    for trial in range(20):
        def posting():
            return tuple(rng.sample(range(n), rng.randrange(0, 18)) + rng.sample(edges, rng.randrange(0, 3)))
        k = rng.randrange(1, 5)
        groups = ([[posting() for _ in range(2)] for _ in range(k)], [[posting()] for _ in range(k)],
                  [[posting()] for _ in range(k - 1)])
        found = tuple(rng.sample(edges + list(range(0, n, 997)), 4))
        (slots, firsts, pairs), numbers = packed(groups)
        rest = (n, types, rng.choice([-1, 0, 1]), words, k, rng.choice([2, 64]), 0.6)
        full = reference_blocking_ranked(*groups, found, *rest)
        for limit in (1, 5, len(full) + 1):
            got = _kernels.blocking_ranked(slots, firsts, pairs, found, numbers, *kernel_args(*rest), limit)
            assert got == full[:limit]


def test_blocking_ranked_refuses_an_alias_or_a_span_out_of_range():
    (slots, firsts), numbers = packed(([[(3,)]], [[]]))
    with pytest.raises(IndexError):
        _kernels.blocking_ranked(slots, firsts, [], (), numbers, 3, None, bytes(3), 1, 64, 0.6, 10)
    with pytest.raises(IndexError):
        _kernels.blocking_ranked([[], []], [[], []], [], (3,), numbers, 3, None, bytes(3), 1, 64, 0.6, 10)
    with pytest.raises(IndexError):  # a run past the numbers' end
        _kernels.blocking_ranked([[1 << 32 | 1]], [[]], [], (), numbers, 4, None, bytes(4), 1, 64, 0.6, 10)
    with pytest.raises(ValueError):
        _kernels.blocking_ranked([[]] * 17, [[]] * 17, [], (), numbers, 3, None, bytes(3), 1, 64, 0.6, 10)
    with pytest.raises(ValueError):  # a bitmap over another number of aliases
        _kernels.blocking_ranked(slots, firsts, [], (), numbers, 3, _kernels.type_bitmap(bytes(65), 0), bytes(3), 1, 64, 0.6, 10)
    big = 1 << 12  # a posting or two among 64 bitmap words: the sparse path refuses them as well
    (slots, firsts), numbers = packed(([[(big,)]], [[]]))
    for args in ((slots, firsts, [], ()), ([[]], [[]], [], (big,)), ([[1 << 32 | 1]], [[]], [], ())):
        with pytest.raises(IndexError):
            _kernels.blocking_ranked(*args, numbers, big, None, bytes(big), 1, 64, 0.6, 10)


# --- the word-pair scorer (fuzzy_similarity), against the readable Python it replaced ---------

def reference_vowel_mismatches(ka, sa, a_arabic, kb, sb, b_arabic) -> float:
    if a_arabic and b_arabic:
        return 0.0
    if (kb, sb, b_arabic) < (ka, sa, a_arabic):
        ka, sa, a_arabic, kb, sb, b_arabic = kb, sb, b_arabic, ka, sa, a_arabic
    if ka == kb:
        pairs = [(i, i) for i in range(1, len(ka))]
    else:
        aligned = {}
        for tag, i1, i2, j1, j2 in Levenshtein.opcodes(ka, kb):
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                aligned.update((i1 + k, j1 + k) for k in range(i2 - i1))
        pairs = [(i, j) for i, j in aligned.items() if i > 0 and aligned.get(i - 1) == j - 1]
    pairs = [(i, j) for i, j in pairs if "A" not in ka[i - 1:i + 1] + kb[j - 1:j + 1]]
    if not pairs:
        return 0.0
    costs = keys_module._vowel_table()[2]
    found = sum(reference_slot_mismatch(sa[i], a_arabic, sb[j], b_arabic) for i, j in pairs)
    if a_arabic != b_arabic:  # a written vowel unread beside a Latin vowel unwritten in the next slot
        last, last_kind = -2, 0
        for i, j in sorted(pairs):
            kind = reference_moved_kind(sa[i] if a_arabic else sb[j], sb[j] if a_arabic else sa[i])
            if kind and last == i - 1 and {kind, last_kind} == {1, 2}:
                found += costs["moved"]
                kind = 0
            last, last_kind = i, kind
    return found * costs["spread"] / max(costs["spread"], len(pairs))


def reference_moved_kind(written, latin) -> int:
    if keys_module.JOINT in written or keys_module.JOINT in latin:
        return 0
    if written and not latin:
        return 1 if keys_module._arabic_latin(written, latin) > 0 else 0
    return 2 if latin and not written else 0


def reference_slot_mismatch(x, x_arabic, y, y_arabic) -> float:
    if keys_module.JOINT in x or keys_module.JOINT in y or (x_arabic and y_arabic):
        return 0.0
    if x_arabic:
        return keys_module._arabic_latin(x, y)
    if y_arabic:
        return keys_module._arabic_latin(y, x)
    return keys_module._latin_latin(x, y)


def reference_edge_mismatches(arabic_key, arabic_word, latin_key, latin_word) -> float:
    if not arabic_key or not latin_key:
        return 0.0
    edges = tables.load("keys")["edges"]
    related, alike = [frozenset(g) for g in edges["related"]], [frozenset(g) for g in edges["alike"]]
    found = 0.0
    first, other = arabic_key[0], latin_key[0]
    if first != other and len(latin_word) > 1 and not any(first in g and other in g for g in alike):
        found += edges["costs"]["onset"] * (0.5 if any(first in g and other in g for g in related) else 1.0)
    if arabic_word[-1:] in frozenset(edges["written_final"]) and arabic_key.endswith("A") and not latin_key.endswith("A"):
        found += edges["costs"]["final"]
    found += sum(edges["costs"]["last_letter"] for letter, ending in edges["last_letters"].items()
                 if arabic_word.endswith(letter) and latin_word.endswith(ending))
    found += sum(edges["costs"]["written_for"] * max(0, arabic_word[:-1].count(letter) - sum(map(latin_word.count, latin)))
                 for letter, latin in edges["written_for"].items())
    found += sum(edges["costs"]["consonant_of"]
                 * max(0, min(arabic_word.count(letter), arabic_key.count(cls) - sum(map(arabic_word.count, others)))
                       - sum(map(latin_word.count, latin)))
                 for letter, (cls, others, latin) in edges["consonant_of"].items())
    return found


def reference_written_vowels(a, b, key_sim, max_keys) -> float:
    best = 0.0
    for (ka, ca), sa in zip(a.keys[:max_keys], a.slots):
        for (kb, cb), sb in zip(b.keys[:max_keys], b.slots):
            s = min(key_sim, key_similarity(ka, kb) - ALT_CLASS_PENALTY * (ca + cb))
            if s <= best:
                continue
            s -= S.VOWEL_PENALTY * reference_vowel_mismatches(ka, sa, a.arabic, kb, sb, b.arabic)
            if a.arabic != b.arabic:
                s -= S.EDGE_PENALTY * (reference_edge_mismatches(ka, a.surface, kb, b.surface) if a.arabic
                                       else reference_edge_mismatches(kb, b.surface, ka, a.surface))
            if s > best:
                best = s
                if best >= key_sim:
                    return key_sim
    return best


def reference_vowel_swaps(a, b) -> int:
    va, vb = "".join(c for c in a[1:-1] if c in S.SWAP_VOWELS), "".join(c for c in b[1:-1] if c in S.SWAP_VOWELS)
    if not va or not vb:
        return 0
    common = (len(va) + len(vb) - Indel.distance(va, vb)) // 2
    return min(len(va), len(vb)) - common


def reference_fuzzy_similarity(a, b, max_keys, shortlist) -> float:
    # best_key_similarity has its own reference test above (on a table of its own)
    key_sim = _kernels.best_key_similarity(a.keys, b.keys, max_keys, shortlist, ALT_CLASS_PENALTY, compare_table())
    if key_sim > 0.0 and not (a.arabic and b.arabic):
        key_sim = reference_written_vowels(a, b, key_sim, max_keys)
    read_sim = max(Indel.normalized_similarity(x, y) for x in a.codes for y in b.codes)
    score = max(0.0, S.KEY_WEIGHT * key_sim + (1 - S.KEY_WEIGHT) * read_sim)
    if a.arabic and b.arabic:
        score -= S.VOWEL_SWAP_PENALTY * reference_vowel_swaps(a.surface, b.surface)
    if a.arabic == b.arabic and min(a.weight, b.weight) <= S.SHORT_KEY:
        score = (1 - S.SURFACE_WEIGHT) * score + S.SURFACE_WEIGHT * Indel.normalized_similarity(a.surface, b.surface)
    return score


# Words of each script the scorer meets: Persian and Arabic letters (with the article, long vowels,
# hamza forms, ZWNJ) and Latin with its digraphs and vowel clusters.
persian_st = st.text(alphabet="ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیةأإآؤئءكي\u200c", min_size=1, max_size=10)
arabic_st = st.builds(lambda w: "ال" + w, persian_st) | persian_st
latin_st = st.lists(st.sampled_from(["a", "e", "i", "o", "u", "ou", "ee", "ai", "y", "kh", "sh", "gh", "zh", "ch",
                                     "b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v",
                                     "w", "z", "x", "c"]), min_size=1, max_size=9).map("".join)
word_st = st.one_of(st.tuples(arabic_st, st.sampled_from(["fa", "ar", "prs", None])),
                    st.tuples(latin_st, st.just(None)))


@settings(max_examples=400, deadline=None)
@given(st.lists(word_st, min_size=1, max_size=2), st.lists(word_st, min_size=1, max_size=2),
       st.sampled_from([(16, 0), (6, 2), (4, 2), (3, 0)]))
def test_fuzzy_similarity_equals_reference(a, b, keys_shortlist):
    # Single words and two words read as one (joined profiles: joints in the vowel slots).
    pa = S.join_profiles([word_profile(w, lang) for w, lang in a])
    pb = S.join_profiles([word_profile(w, lang) for w, lang in b])
    max_keys, shortlist = keys_shortlist
    for x, y in ((pa, pb), (pb, pa)):
        assert _kernels.fuzzy_similarity(x, y, max_keys, shortlist, S._score_rules()) == \
            reference_fuzzy_similarity(x, y, max_keys, shortlist)


slot_st = st.text(alphabet="aeiouy", max_size=3) | st.text(alphabet="اوی", max_size=2) | st.just(keys_module.JOINT)
# Keys of classes (the edge vowel A among them), past 64 classes too, and off ASCII (rapidfuzz's own script then).
vowel_key_st = (st.text(alphabet="AKTSMRNLB", max_size=10) | st.text(alphabet="AKT", min_size=64, max_size=70)
                | st.text(alphabet="AKé", max_size=6))


@settings(max_examples=600, deadline=None)
@given(vowel_key_st, vowel_key_st, st.booleans(), st.booleans(), st.data())
def test_vowel_mismatches_equal_reference(ka, kb, a_arabic, b_arabic, data):
    sa = tuple(data.draw(st.lists(slot_st, min_size=len(ka) + 1, max_size=len(ka) + 1)))
    sb = tuple(data.draw(st.lists(slot_st, min_size=len(kb) + 1, max_size=len(kb) + 1)))
    # a script's slots hold its letters: Latin vowels on a Latin side, ا و ی on an Arabic-script one
    sa = tuple(s if s == keys_module.JOINT or all((c in "اوی") == a_arabic for c in s) else "" for s in sa)
    sb = tuple(s if s == keys_module.JOINT or all((c in "اوی") == b_arabic for c in s) else "" for s in sb)
    assert keys_module.vowel_mismatches(ka, sa, a_arabic, kb, sb, b_arabic) == \
        reference_vowel_mismatches(ka, sa, a_arabic, kb, sb, b_arabic)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="AHKGSZCJTLNF", max_size=5), persian_st, st.text(alphabet="AHKGSZCJTLNF", max_size=5),
       st.text(alphabet="abhdtgvwu", max_size=4))
def test_edge_mismatches_equal_reference(arabic_key, arabic_word, latin_key, latin_word):
    assert keys_module.edge_mismatches(arabic_key, arabic_word, latin_key, latin_word) == \
        reference_edge_mismatches(arabic_key, arabic_word, latin_key, latin_word)


def test_vowel_rules_ask_their_rules_once_per_pair_of_slots_and_keep_a_bounded_number():
    asked = []

    def latin(x, y):  # a pure rule of two slots, as keys._latin_latin is
        asked.append((x, y))
        return 0.25 * len(x) + 0.5 * len(y)

    def mismatches(rules, x, y):
        return _kernels.vowel_mismatches("TRK", ("", x, "", ""), False, "TRK", ("", y, "", ""), False, rules)

    def fresh():
        return _kernels.VowelRules(None, latin, "?", 2.0, "ی", [], [], 1.0, 1.0)

    rules = fresh()
    first = mismatches(rules, "ai", "o")
    assert first == 0.25 * 2 + 0.5 * 1 and asked == [("ai", "o"), ("", "")]
    assert mismatches(rules, "ai", "o") == first and len(asked) == 2  # read back, not asked again
    for i in range(5000):  # more first slots than are kept: the oldest are let go, answers stay right
        assert mismatches(rules, f"e{i}", "u") == mismatches(fresh(), f"e{i}", "u")
    before = len(asked)
    assert mismatches(rules, "ai", "o") == first and len(asked) == before + 1


def test_vowel_rules_reject_groups_they_cannot_hold():
    with pytest.raises(ValueError, match="single ASCII"):
        _kernels.VowelRules(None, None, "?", 2.0, "ی", ["Kق"], [], 1.0, 1.0)


def test_vowel_rules_reject_more_edge_rules_than_the_kernel_counts():
    # the kernel counts each rule's letters once per word pair, in arrays of a fixed size
    rules = [(chr(0x0620 + i), "g") for i in range(40)]
    with pytest.raises(ValueError, match="at most 16 written_for"):
        _kernels.VowelRules(None, None, "?", 2.0, "ی", [], [], 1.0, 1.0, written_for=rules[:17])
    _kernels.VowelRules(None, None, "?", 2.0, "ی", [], [], 1.0, 1.0, written_for=rules[:16])


def reference_expand(units, collapse=True, max_keys=16):
    found = {}
    ambiguous = [i for i, (_, u) in enumerate(units) if len(u) > 1]
    while ambiguous and 2 ** len(ambiguous) > max_keys * 4:
        ambiguous.pop()
    kept = set(ambiguous)
    choices = [[(rank, text, opt) for rank, opt in enumerate(u if i in kept else u[:1])] for i, (text, u) in enumerate(units)]
    for combo in product(*choices):
        classes, slots, pending = [], [], ""
        for _, text, opt in combo:
            if opt == "-":
                pending += text
                continue
            for c in opt:
                if collapse and classes and classes[-1] == c and not pending:
                    continue
                slots.append(pending)
                classes.append(c)
                pending = ""
        slots.append(pending)
        key = "".join(classes)
        cost = sum(rank for rank, _, _ in combo)
        if cost < found.get(key, (1 << 30,))[0]:
            found[key] = (cost, tuple(slots))
    ranked = sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))[:max_keys]
    return tuple((key, cost, slots) for key, (cost, slots) in ranked)


# Units as the letter tables make them: letters (Arabic script or Latin) with options of classes,
# "-" (a vowel) or nothing; up to 12 units, so that the cap on ambiguous units is reached.
unit_st = st.tuples(st.sampled_from(["a", "ou", "k", "sh", "ا", "و", "ی", "ق", "تش"]),
                    st.lists(st.sampled_from(["-", "K", "G", "KS", "A", "S", "", "é"]), max_size=3).map(tuple))


@settings(max_examples=600, deadline=None)
@given(st.lists(unit_st, max_size=12), st.booleans(), st.sampled_from([16, 4, 1, 0]))
def test_expand_keys_equals_reference(units, collapse, max_keys):
    assert _kernels.expand_keys(units, collapse, max_keys, max_keys * 4) == reference_expand(units, collapse, max_keys)


def test_expand_keys_of_thousands_of_distinct_keys_equals_reference():
    # six ambiguous units of four options: 4,096 combinations, each a key of its own, then the
    # same with every unit's options alike (few keys, many combinations each)
    distinct = [("x", tuple(chr(0x41 + 4 * i + j) for j in range(4))) for i in range(6)]
    alike = [("ch", ("Q", "X", "C", "K")), ("a", ("-",))] * 6
    for units in (distinct, alike):
        assert _kernels.expand_keys(units, True, 16, 64) == reference_expand(units, True, 16)


@pytest.mark.parametrize("word", ["Witkoff", "Zaporizhzhia", "محمد", "المستقبل", "خامنه‌ای", "ویتکاف"])
def test_word_keys_are_the_reference_expansion(word):
    # keys._expand is the kernel: the keys of real words, with their slots, as the Python made them
    from entityres.text.transliterate import latin_forms, letter_units

    if keys_module.is_arabic_script(word):
        units = [(u, tuple(o)) for u, o in letter_units(word, keys_module._arabic_table(None))]
        assert keys_module._expand(units, collapse=False) == reference_expand(units, collapse=False)
    else:
        units = keys_module._latin_units(latin_forms(word.lower())[0])
        assert keys_module._expand(units) == reference_expand(units)


def reference_latin_codes(reading):
    # keys.latin_codes as Python made the codes from the expansion
    out = []
    for key, _, slots in keys_module._latin_expansion(reading)[:4]:
        code = "".join(("A" if slot else "") + c for slot, c in zip(slots, key)) + ("A" if slots[-1] else "")
        if code not in out:
            out.append(code)
    return tuple(out)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aeiouykhzsgcjqtdwx' ", min_size=1, max_size=14))
def test_latin_codes_equal_the_reference(reading):
    codes = keys_module.latin_codes(reading)
    assert codes == reference_latin_codes(reading)
    assert len(set(codes)) == len(codes)  # each once: a word of one reading takes them as they are (word_profile)


def test_latin_codes_keep_inner_vowels_and_refuse_a_key_without_its_slots():
    assert keys_module.latin_codes("salim") == ("SALAM",) and keys_module.latin_codes("slim") == ("SLAM",)
    assert keys_module.latin_codes("zhukov") == ("JAKAF",)  # zh and j: one class
    assert _kernels.key_codes((("KR", 0, ("", "e", "y")), ("KR", 1, ("", "e", "y"))), 4) == ("KARA",)
    assert _kernels.key_codes((("KR", 0, ("o", "", "ea")),), 0) == ()
    with pytest.raises(ValueError, match="slots"):
        _kernels.key_codes((("KR", 0, ("",)),), 4)


def reference_join_slots(left, right):
    (k1, s1), (k2, s2) = left, right
    if not k1:
        return k2, s2
    if k1.endswith("A"):
        k1, s1 = k1[:-1], s1[:-2] + (keys_module.JOINT,)
    if k2.startswith("A"):
        k2, s2 = k2[1:], (keys_module.JOINT,) + s2[2:]
    if k1 and k2 and k1[-1] == k2[0]:
        return k1 + k2[1:], s1[:-1] + s2[1:]
    return k1 + k2, s1[:-1] + (keys_module.JOINT,) + s2[1:]


def reference_join_key_slots(parts, max_keys=16):
    combos = {"": (0, ("",))}
    for part in parts:
        nxt = {}
        for k1, (c1, s1) in combos.items():
            for k2, c2, s2 in part:
                key, slots = reference_join_slots((k1, s1), (k2, s2))
                if c1 + c2 < nxt.get(key, (1 << 30,))[0]:
                    nxt[key] = (c1 + c2, slots)
        combos = dict(sorted(nxt.items(), key=lambda kv: (kv[1][0], kv[0]))[:max_keys])
    return tuple((k, c, s) for k, (c, s) in combos.items())


# A word's keys with their slots (one more than classes, as keys._expand makes them), edge vowels A included.
key_slots_st = st.text(alphabet="AKTS", max_size=5).flatmap(lambda k: st.tuples(
    st.just(k), st.integers(0, 3), st.lists(st.sampled_from(["", "a", "ou", "ی"]), min_size=len(k) + 1,
                                            max_size=len(k) + 1).map(tuple)))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(key_slots_st, max_size=6).map(tuple), max_size=4), st.sampled_from([16, 3]))
def test_join_key_slots_equals_reference(parts, max_keys):
    assert _kernels.join_key_slots(parts, max_keys, keys_module.JOINT) == reference_join_key_slots(parts, max_keys)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="AKTS", max_size=5), max_size=6).map(tuple), max_size=4),
       st.sampled_from([16, 3]), st.sampled_from([4, 2]))
def test_join_codes_and_keys_equal_the_reference(parts, max_keys, max_codes):
    # codes: the first max_codes of each word joined as keys of no cost; keys: joined without slots
    codes = reference_join_key_slots([tuple((c, 0, ("",) * (len(c) + 1)) for c in p[:max_codes]) for p in parts], max_keys)
    assert _kernels.join_codes(parts, max_keys, max_codes) == tuple(k for k, _, _ in codes)
    costed = [tuple((k, i % 3) for i, k in enumerate(p)) for p in parts]
    keys = reference_join_key_slots([tuple((k, c, ("",) * (len(k) + 1)) for k, c in p) for p in costed], max_keys)
    assert _kernels.join_keys(costed, max_keys) == tuple((k, c) for k, c, _ in keys)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(key_slots_st, max_size=6).map(tuple), min_size=1, max_size=3), st.sampled_from([16, 3]),
       st.randoms(use_true_random=False))
def test_join_key_slots_takes_a_ranked_first_word_as_it_is(parts, max_keys, rng):
    # A profile's keys come distinct and cheapest first: joined to nothing they are themselves, and
    # the kernel takes them as they are. The same word in another order is joined in full: the same keys.
    cheapest = {}
    for k, c, s in parts[0]:
        if k not in cheapest or c < cheapest[k][0]:
            cheapest[k] = (c, s)
    ranked = tuple((k, c, s) for k, (c, s) in sorted(cheapest.items(), key=lambda kv: (kv[1][0], kv[0])))
    shuffled = list(ranked)
    rng.shuffle(shuffled)
    expected = reference_join_key_slots([ranked] + parts[1:], max_keys)
    assert _kernels.join_key_slots([ranked] + parts[1:], max_keys, keys_module.JOINT) == expected
    assert _kernels.join_key_slots([tuple(shuffled)] + parts[1:], max_keys, keys_module.JOINT) == expected
    if len(parts) == 1:
        assert _kernels.join_key_slots([ranked], max_keys, keys_module.JOINT) == ranked[:max_keys]


def reference_joined_part(parts):
    surfaces = [p.surface for p in parts]
    joined = name_parts.part_symbol("".join(surfaces))
    if joined is not None or len(parts) != 2:
        return joined or S.compound_part(surfaces)
    own = [name_parts.part_symbol(p.surface) if p.pieces else p.part for p in parts]  # a joined word: its letters
    return None if None in own else "+".join(own)


def reference_join_profiles(parts):
    found = reference_join_key_slots([tuple((k, c, s) for (k, c), s in zip(p.keys, p.slots)) for p in parts], keys_module.MAX_KEYS)
    codes = reference_join_key_slots([tuple((c, 0, ("",) * (len(c) + 1)) for c in p.codes[:4]) for p in parts], keys_module.MAX_KEYS)
    return S.Word("".join(p.text for p in parts), tuple((k, c) for k, c, _ in found), tuple(k for k, _, _ in codes),
                  sum(p.weight for p in parts), parts[0].arabic, "".join(p.surface for p in parts),
                  reference_joined_part(parts), tuple(s for _, _, s in found),
                  tuple(piece for p in parts for piece in (p.pieces or (p.part,))))


# Words of our own: known parts, ZWNJ pieces, Arabic articles, Latin with many readings; and
# profiles already joined (pieces of their own), as a name's pairs are joined again.
_TO_JOIN = [word_profile(w, lang) for w, lang in [
    ("عبد", "ar"), ("الله", "ar"), ("الرحمن", "ar"), ("محمد", "fa"), ("خامنه", "fa"), ("ای", "fa"), ("ویتکاف", "fa"),
    ("Abdul", None), ("Rahman", None), ("Zaporizhzhia", None), ("Mohammad", None), ("K.", None), ("Li", None)]]
_TO_JOIN += [S.join_profiles(_TO_JOIN[i:i + 2]) for i in (0, 4, 7)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(range(len(_TO_JOIN))), min_size=2, max_size=4))
def test_join_profiles_equals_reference(picks):
    parts = [_TO_JOIN[i] for i in picks]
    joined, expected = S.join_profiles(parts), reference_join_profiles(parts)
    assert joined == expected and tuple(joined) == tuple(expected) and type(joined) is S.Word
    assert S.join_pairs(tuple(parts)) == tuple(reference_join_profiles(parts[i:i + 2]) for i in range(len(parts) - 1))
    assert keys_module.join_codes([p.codes for p in parts]) == expected.codes
    slotless = [tuple((k, c, ("",) * (len(k) + 1)) for k, c in p.keys) for p in parts]
    assert keys_module.join_keys([p.keys for p in parts]) == tuple(
        (k, c) for k, c, _ in reference_join_key_slots(slotless, keys_module.MAX_KEYS))


def test_joiner_refuses_what_is_not_a_profiled_word():
    # the kernel reads a word's fields by position: anything shorter than a profile is refused
    for bad in [("abd", (("ABD", 0),)), "abd", None]:
        with pytest.raises(TypeError, match="profiled word"):
            S._JOINER.join((_TO_JOIN[0], bad))
    with pytest.raises(ValueError):
        S._JOINER.join(())
    with pytest.raises(TypeError, match="named tuple"):
        _kernels.Joiner(tuple, keys_module.MAX_KEYS, S.JOINT, 4, name_parts.part_symbol, S.compound_part)


def reference_word_similarity(a, b, max_keys, shortlist) -> float:
    # fuzzy_similarity has its own reference test above
    if a.text == b.text or (a.part is not None and a.part == b.part):
        return 1.0
    score = _kernels.fuzzy_similarity(a, b, max_keys, shortlist, S._score_rules())
    if a.part is not None and b.part is not None and parts_differ(a.part, b.part):
        return min(score, S.DIFFERENT_PART)
    if (a.part is not None and b.pieces and not joins_into(b.pieces, a.part)) \
            or (b.part is not None and a.pieces and not joins_into(a.pieces, b.part)):
        return min(score, S.DIFFERENT_PART)
    return score


# Words the name-parts table knows (one part in several spellings, different parts) beside any word.
known_st = st.tuples(st.sampled_from(["mohammad", "muhammad", "hassan", "hussein", "ali", "khamenei", "omar", "abdullah"]),
                     st.just(None)) | st.tuples(st.sampled_from(["محمد", "حسن", "حسین", "علی", "عمر", "عبدالله"]),
                                                st.sampled_from(["fa", "ar"]))
# Two words read as one (their pieces known or not): compounds (Hidayat Ullah, Abdul Rahman) and others.
pair_st = st.sampled_from([("hidayat", "ullah"), ("abdul", "rahman"), ("heidi", "hautala"), ("shams", "aldin"),
                           ("هيدي", "هاوتلا"), ("عبد", "الرحمن"), ("نعمت", "الله")])
any_word_st = st.one_of(st.one_of(word_st, known_st).map(lambda w: word_profile(*w)),
                        pair_st.map(lambda p: S.join_profiles([word_profile(w) for w in p])),
                        st.sampled_from(["hidayatullah", "abdulrahman", "عبدالرحمن", "نعمت‌الله"]).map(word_profile))


@settings(max_examples=400, deadline=None)
@given(any_word_st, any_word_st, st.sampled_from([(16, 0), (6, 2), (4, 2)]))
def test_word_similarity_equals_reference(a, b, keys_shortlist):
    for x, y in ((a, b), (b, a), (a, a)):
        assert _kernels.word_similarity(x, y, *keys_shortlist, S._score_rules()) == \
            reference_word_similarity(x, y, *keys_shortlist)


@settings(max_examples=300, deadline=None)
@given(any_word_st, any_word_st, st.sampled_from([(16, 0), (4, 2)]), st.floats(0.0, 1.0))
def test_word_similarity_with_a_floor_is_the_score_or_minus_one_below_it(a, b, keys_shortlist, floor):
    # the matcher's joined names: compared only until a bound says they score below the aligned score
    score = S.word_similarity(a, b, *keys_shortlist)
    assert S.word_similarity(a, b, *keys_shortlist, floor=floor) == (score if score >= floor else -1.0)
    assert S.word_similarity(a, b, *keys_shortlist, floor=score) == score


def test_a_bound_reads_more_readings_than_its_stack_holds():
    # The readings' length bound reads every reading's length, however many (a word's sizes are kept
    # on the heap, past any stack buffer): the only reading as long as Umerov's is the hundredth, and
    # the floor at the score is reached only if the bound read it.
    umerov = word_profile("Umerov")
    longer = tuple(umerov.codes[0] + "K" * (1 + i % 7) for i in range(99)) + umerov.codes[:1]
    other = word_profile("Umarov")._replace(codes=longer)
    score = S.word_similarity(umerov, other, 6, 2)
    assert score > 0.9  # read in full, the readings agree: a bound of the first 64 alone would be below it
    for x, y in ((umerov, other), (other, umerov)):
        assert S.word_similarity(x, y, 6, 2, floor=score) == score
        assert S.word_similarity(x, y, 6, 2, floor=score + 0.01) == -1.0


def test_a_bound_reads_the_sizes_of_the_word_it_is_given_however_many_words_pass():
    # The bounds keep the sizes of the words they read last (by address, each word held). Words
    # made and dropped one after another, more of them than are kept, each with readings of its own
    # length: the floor at each one's score is reached only if the bound read that word's sizes.
    umerov, umarov = word_profile("Umerov"), word_profile("Umarov")
    code = umerov.codes[0]
    for i in range(3000):
        other = umarov._replace(codes=(code + "K" * (i % 9),))
        score = S.word_similarity(umerov, other, 6, 2)
        for x, y in ((umerov, other), (other, umerov)):
            assert S.word_similarity(x, y, 6, 2, floor=score) == score


def reference_unit_similarities(units, targets, max_keys, shortlist) -> list[float]:
    return [-1.0 if u is None or t is None else max(reference_word_similarity(w, t, max_keys, shortlist) - p for w, p in u)
            for u in units for t in targets]


unit_alternatives_st = st.lists(st.tuples(any_word_st, st.sampled_from([0.0, 0.02, 0.3])), min_size=1, max_size=3).map(tuple)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.none() | unit_alternatives_st, max_size=4).map(tuple),
       st.lists(st.none() | any_word_st, max_size=4).map(tuple), st.sampled_from([(6, 2), (4, 2), (16, 0)]))
def test_unit_similarities_equal_reference(units, targets, keys_shortlist):
    assert _kernels.unit_similarities(units, targets, *keys_shortlist, S._score_rules()) == \
        reference_unit_similarities(units, targets, *keys_shortlist)


def test_word_similarity_below_a_floor_by_its_known_parts_alone_is_not_scored():
    # Hassan and Hussein are different known parts: however close they read (0.94), at most
    # DIFFERENT_PART; asked for more than that, the kernel answers -1 without scoring them
    hassan, hussein = word_profile("Hassan"), word_profile("Hussein")
    rules = S._score_rules()
    assert _kernels.fuzzy_similarity(hassan, hussein, 6, 2, rules) > 0.9
    assert _kernels.word_similarity(hassan, hussein, 6, 2, rules) == S.DIFFERENT_PART
    assert _kernels.word_similarity(hassan, hussein, 6, 2, rules, S.DIFFERENT_PART) == S.DIFFERENT_PART
    assert _kernels.word_similarity(hassan, hussein, 6, 2, rules, 0.55) == -1.0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.none() | unit_alternatives_st, max_size=4).map(tuple),
       st.lists(st.none() | any_word_st, max_size=4).map(tuple), st.sampled_from([(6, 2), (4, 2), (16, 0)]),
       st.sampled_from([0.3, 0.55, 0.7, 0.9]))
def test_unit_similarities_below_a_floor_are_left_out_only_when_they_score_below_it(units, targets, keys_shortlist,
                                                                                    floor):
    # The bound from lengths must never leave out a cell that reaches the floor: align_units drops
    # the cells below it, so the alignment is the same with the floor as without.
    full = _kernels.unit_similarities(units, targets, *keys_shortlist, S._score_rules())
    floored = _kernels.unit_similarities(units, targets, *keys_shortlist, S._score_rules(), floor)
    for f, s in zip(floored, full, strict=True):
        assert f == s if s >= floor else f in (s, -1.0)


def test_unit_similarities_keep_every_spelling_that_reaches_the_floor():
    # Spellings of one name across scripts score near the floor and above it: none may be left out.
    spellings = [("محمد", "ar"), ("mohammad", None), ("muhammad", None), ("ترامپ", "fa"), ("ترمپ", "prs"),
                 ("trump", None), ("پوتین", "fa"), ("putin", None), ("عمروف", "fa"), ("umerov", None),
                 ("هناتوف", "fa"), ("hnatov", None), ("عبدالله", "ar"), ("abdullah", None), ("abd", None)]
    words = tuple(word_profile(w, lang) for w, lang in spellings)
    words += (S.join_profiles([word_profile("abd"), word_profile("allah")]),)
    units = tuple(((w, 0.0), (w, 0.02)) for w in words)
    full = _kernels.unit_similarities(units, words, 6, 2, S._score_rules())
    left_out = 0
    for floor in (0.55, 0.7, 0.8, 0.9):
        floored = _kernels.unit_similarities(units, words, 6, 2, S._score_rules(), floor)
        for f, s in zip(floored, full, strict=True):
            assert f == s if s >= floor else f in (s, -1.0)
        left_out += sum(f == -1.0 for f in floored)
    assert left_out > 0


def test_unit_similarities_leave_out_words_of_one_length_that_score_below_the_floor():
    # Lengths cannot tell mahmoud from krasnov; their keys and readings can, before the written vowels
    # are compared: the cell is -1 with a floor, and the score as before without one.
    units, targets = (((word_profile("mahmoud"), 0.0),),), (word_profile("krasnov"), word_profile("mahmood"))
    full = _kernels.unit_similarities(units, targets, 6, 2, S._score_rules())
    assert full[0] < 0.55 <= full[1]
    assert _kernels.unit_similarities(units, targets, 6, 2, S._score_rules(), 0.55) == [-1.0, full[1]]


def test_unit_similarities_score_a_later_alternative_only_where_it_may_beat_the_best():
    # the stripped reading (a penalty) of a word that already matched as written changes nothing
    word = word_profile("hnatov")
    units = (((word_profile("گاناتوف", "fa"), 0.0), (word_profile("hnatov"), 0.3)), ((word_profile("krasnov"), 0.0), (word, 0.02)))
    full = _kernels.unit_similarities(units, (word,), 6, 2, S._score_rules())
    assert _kernels.unit_similarities(units, (word,), 6, 2, S._score_rules(), 0.55) == full
    assert full[1] == 1.0 - 0.02 and full[0] > 0.7


def test_unit_similarities_leave_out_words_whose_lengths_keep_them_below_the_floor():
    # a pair far apart in length (one short word against two long ones read as one) is not compared
    short, joined = word_profile("ali"), S.join_profiles([word_profile("abdulrahman"), word_profile("nematollahi")])
    units = (((short, 0.0),),)
    assert _kernels.unit_similarities(units, (joined,), 6, 2, S._score_rules(), 0.55) == [-1.0]
    assert -1.0 < _kernels.unit_similarities(units, (joined,), 6, 2, S._score_rules())[0] < 0.55
    # the same word is never left out
    assert _kernels.unit_similarities(units, (short,), 6, 2, S._score_rules(), 0.55) == [1.0]


def test_unit_similarities_refuse_a_unit_without_alternatives():
    with pytest.raises(ValueError):
        _kernels.unit_similarities(((),), (word_profile("ali"),), 6, 2, S._score_rules())


def pair_units_of(units):
    """A name's adjacent words written as one, as make_query makes them (None where not joinable)."""
    plain = [alts[0][0] for alts in units]
    return tuple(p and ((p, 0.0),) for p in S.joinable_pairs(plain, lambda i: S.join_profiles(plain[i:i + 2])))


@settings(max_examples=200, deadline=None)
@given(st.lists(unit_alternatives_st, min_size=1, max_size=4).map(tuple), st.lists(any_word_st, min_size=1, max_size=4).map(tuple),
       st.sampled_from([(6, 2), (4, 2)]), st.sampled_from([0.55, 0.0, -math.inf]), st.sampled_from([0.85, 0.0]))
def test_align_names_equals_the_units_aligned_one_call_at_a_time(units, words, keys_shortlist, floor, good):
    pair_units = pair_units_of(units)
    pairs = tuple(S.join_profiles(words[i:i + 2]) for i in range(len(words) - 1))
    rules = S._score_rules()
    expected = _kernels.align_units(
        len(units), len(words), _kernels.unit_similarities(units, words, *keys_shortlist, rules, floor),
        lambda: _kernels.unit_similarities(pair_units, words, *keys_shortlist, rules, floor),
        lambda: _kernels.unit_similarities(units, S.joinable_pairs(words, pairs.__getitem__), *keys_shortlist, rules, floor),
        floor, good)
    asked = []
    got = _kernels.align_names(units, pair_units, words, lambda: asked.append(1) or pairs, *keys_shortlist, rules, floor,
                               good)
    assert got == expected
    # the words' pairs are asked for at most once, and only where two words may be joined
    assert len(asked) <= 1 and (not asked or any(x is not None for x in S.joinable_pairs(words, pairs.__getitem__)))


def test_align_names_scores_no_unit_whose_words_better_units_took(monkeypatch):
    # Ali and Reza are known name parts: each score of one against the other asks whether they differ
    asked = []
    monkeypatch.setattr(S, "parts_differ", lambda a, b: asked.append((a, b)) or name_parts.parts_differ(a, b))
    S._score_rules.cache_clear()
    try:
        rules = S._score_rules()
        units = tuple(((word_profile(w), 0.0),) for w in ("Ali", "Reza"))
        words = tuple(word_profile(w) for w in ("Ali", "Reza"))
        assert _kernels.align_names(units, (None,), words, tuple, 6, 2, rules, 0.55, 0.85) == \
            [(1.0, (0,), (0,)), (1.0, (1,), (1,))]
        assert asked == []  # Ali against Reza came after both words were taken
        _kernels.unit_similarities(units, words, 6, 2, rules, 0.55)
        assert sorted(asked) == [("ali", "reza"), ("reza", "ali")]
    finally:
        S._score_rules.cache_clear()


def test_align_names_refuses_pairs_of_another_count():
    units = tuple(((word_profile(w), 0.0),) for w in ("Abdul", "Rahman"))
    words = tuple(word_profile(w) for w in ("Abdul", "Rahman", "Khan"))
    with pytest.raises(ValueError):
        _kernels.align_names(units, (), words, tuple, 6, 2, S._score_rules(), 0.55, 0.85)
    with pytest.raises(ValueError):  # the words' pairs are asked for: two words do not pair with "Abdulrahman"
        _kernels.align_names(tuple(((word_profile("Abdulrahman"), 0.0),) for _ in range(1)), (), words,
                             lambda: (word_profile("x"),), 6, 2, S._score_rules(), 0.55, 0.85)


@settings(max_examples=100, deadline=None)
@given(st.lists(unit_alternatives_st, min_size=1, max_size=3).map(tuple),
       st.lists(st.lists(any_word_st, min_size=1, max_size=3).map(tuple), min_size=1, max_size=4),
       st.sampled_from([0.55, 0.0]))
def test_align_names_with_kept_scores_equals_it_without(units, names, floor):
    # one store across a query's candidates, which share words: every alignment as without it
    pair_units = pair_units_of(units)
    rules = S._score_rules()
    kept = _kernels.UnitScores(units, pair_units, 6, 2, rules, floor)
    for words in names + names[:1]:
        pairs = tuple(S.join_profiles(words[i:i + 2]) for i in range(len(words) - 1))
        expected = _kernels.align_names(units, pair_units, words, lambda: pairs, 6, 2, rules, floor, 0.85)
        assert _kernels.align_names(units, pair_units, words, lambda: pairs, 6, 2, rules, floor, 0.85, kept) == expected


def test_kept_scores_score_a_unit_against_a_word_once():
    units = (((word_profile("Umerov"), 0.0),), ((word_profile("Rustem"), 0.0),))
    words = (word_profile("Umarov"),)
    kept = S.unit_scores(units, (None,), 6, 2, 0.0)
    first = S.align_names(units, (None,), words, tuple, 6, 2, 0.0, 0.85, kept)
    assert first == S.align_names(units, (None,), words, tuple, 6, 2, 0.0, 0.85)
    scored = len(kept)  # a score is held once worked out
    assert scored >= 1
    assert S.align_names(units, (None,), words, tuple, 6, 2, 0.0, 0.85, kept) == first
    assert len(kept) == scored  # read back, not scored again
    # a candidate of other words: its words are scored, and held beside the first's
    assert S.align_names(units, (None,), (word_profile("Rustam"),), tuple, 6, 2, 0.0, 0.85, kept)
    assert len(kept) > scored


def test_kept_scores_refuse_other_units_or_settings():
    units = (((word_profile("Ali"), 0.0),),)
    words = (word_profile("Reza"),)
    kept = S.unit_scores(units, (), 6, 2, 0.55)
    assert S.align_names(units, (), words, tuple, 6, 2, 0.55, 0.85, kept) == []  # Ali and Reza differ
    same_words = (((word_profile("Ali"), 0.0),),)  # equal, but not the units the store was made for
    for other_units, max_keys, shortlist, floor in [(same_words, 6, 2, 0.55), (units, 4, 2, 0.55),
                                                    (units, 6, 1, 0.55), (units, 6, 2, 0.0)]:
        with pytest.raises(ValueError, match="other units or other settings"):
            S.align_names(other_units, (), words, tuple, max_keys, shortlist, floor, 0.85, kept)


@given(st.sampled_from(_NAME_WORDS + _TO_JOIN))
def test_initial_is_one_letter_or_a_dotted_word(word):
    assert _kernels.initial(word) == (len(word.surface) <= 1 or word.text.endswith("."))
    assert _kernels.joinable(word, _NAME_WORDS[0]) == (not _kernels.initial(word))


def reference_heard_ranked(ranked, aliases, codes, words_too, top, weight):
    """The matcher's pre-rank as entityres.gazetteer.match had it in Python."""
    def sound(item) -> float:
        alias = aliases[item[2]]
        heard = alias.heard + (tuple(w.codes[0] for w in alias.words) if words_too else ())
        close = max(Indel.normalized_similarity(x, y) for x in codes for y in heard)
        return close + weight * (-item[0] / top)
    return sorted(ranked, key=lambda item: (item[0] > -100.0, -sound(item)))


# codes past 64 characters or off ASCII take the dynamic programme, not the bit-parallel one
codes_st = st.lists(st.text(alphabet="abdkmnrst", max_size=8) | st.text(alphabet="ab", min_size=64, max_size=70)
                    | st.text(alphabet="aé", max_size=5), min_size=1, max_size=3).map(tuple)
alias_st = st.builds(lambda heard, words: Alias(0, "person", None, "x", "x", 1.0, tuple(
    S.Word("w", (), c, 1, False, "w", None, ()) for c in words), heard, 0), codes_st, st.lists(codes_st, min_size=1, max_size=3))


@settings(max_examples=300, deadline=None)
@given(st.lists(alias_st, min_size=1, max_size=6), st.data(), codes_st, st.booleans(),
       st.sampled_from([1.0, 3.7, 104.2]))
def test_heard_ranked_equals_reference(aliases, data, codes, words_too, top):
    hits = st.sampled_from([-0.0, -1.5, -2.25, -100.0, -103.5]) | st.floats(-110, 0)
    # the position makes each item distinct, so that the order of equal keys is checked too
    ranked = data.draw(st.lists(st.tuples(hits, st.integers(0, 3), st.integers(0, len(aliases) - 1)), max_size=8))
    ranked = [item + (i,) for i, item in enumerate(ranked)]
    heard = [aliases[a].heard + (tuple(w.codes[0] for w in aliases[a].words) if words_too else ()) for _, _, a, _ in ranked]
    assert _kernels.heard_ranked(ranked, packed_heard(heard), codes, top, 0.2) \
        == reference_heard_ranked(ranked, aliases, codes, words_too, top, 0.2)


def packed_heard(heard: list[tuple[str, ...]]) -> tuple:
    """Codes heard per alias as Aliases.heard packs them: (UTF-8, code ends, item ends)."""
    text, code_ends, item_ends = b"", array(U32), array(U32)
    for codes in heard:
        for code in codes:
            text += code.encode()
            code_ends.append(len(text))
        item_ends.append(len(code_ends))
    return text, code_ends, item_ends


def test_heard_ranked_wants_the_codes_of_each_alias():
    ranked = [(-1.0, 0, 0), (-2.0, 0, 1)]
    with pytest.raises(ValueError):  # codes for one alias of two
        _kernels.heard_ranked(ranked, packed_heard([("abc",)]), ("abc",), 1.0, 0.2)
    with pytest.raises(ValueError):  # an alias without codes
        _kernels.heard_ranked(ranked, packed_heard([("abc",), ()]), ("abc",), 1.0, 0.2)
    text, code_ends, item_ends = packed_heard([("abc",), ("ab",)])
    code_ends[1] = len(text) + 1
    with pytest.raises(ValueError):  # a code past the text
        _kernels.heard_ranked(ranked, (text, code_ends, item_ends), ("abc",), 1.0, 0.2)
    with pytest.raises(ValueError):  # no code of the query
        _kernels.heard_ranked(ranked, packed_heard([("abc",), ("ab",)]), (), 1.0, 0.2)


def reference_per_entry(ranked, entry_of, most, entries):
    out, per_entry = [], {}
    for _, _, a in ranked:
        e = entry_of[a]
        if per_entry.get(e, 0) < most and (e in per_entry or len(per_entry) < entries):
            per_entry[e] = per_entry.get(e, 0) + 1
            out.append(a)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=40), st.data(), st.integers(0, 4),
       st.integers(0, 6) | st.just(sys.maxsize))  # (no room made for more entries than can be met)
def test_per_entry_equals_reference(entry_of, data, most, entries):
    # aliases of few entries, ranked in any order (an alias may come twice, as from two blockings)
    aliases = data.draw(st.lists(st.integers(0, len(entry_of) - 1), max_size=60))
    ranked = [(-float(i), i % 3, a) for i, a in enumerate(aliases)]
    numbers = array(U32, entry_of)
    assert _kernels.per_entry(ranked, numbers, most, entries) == reference_per_entry(ranked, entry_of, most, entries)


def test_per_entry_refuses_an_alias_past_the_entries_and_negative_limits():
    with pytest.raises(IndexError):
        _kernels.per_entry([(-1.0, 0, 3)], array(U32, [0, 0, 1]), 3, 24)
    with pytest.raises(ValueError):
        _kernels.per_entry([(-1.0, 0, 0)], array(U32, [0]), -1, 24)


# --- Latin rules: the kernel's matcher against Python's re over the same patterns ----------------

def reference_latin_units(word, rules):
    pattern = re.compile("|".join(f"({p})" for p, _ in rules))
    return [(m.group(), tuple(rules[m.lastindex - 1][1])) for m in pattern.finditer(word)]


def kernel_latin_units(word, rules):
    return _kernels.latin_units(word, _kernels.LatinRules([(keys_module._rule_items(p), tuple(o)) for p, o in rules]))


# Words of the letters the rules name, and of others (é, a digit, a newline before a final $).
latin_words_st = st.text(alphabet="abcdeghijknoqrstuwxyzé1\n", max_size=14)


@settings(max_examples=1500, deadline=None)
@given(latin_words_st)
def test_latin_units_equal_the_rules_regular_expression(word):
    rules = tables.load("keys")["latin"]
    assert keys_module._latin_units(word) == reference_latin_units(word, rules)


# Any rule the grammar allows: anchors, letters and classes (negated too) with ? * +, lookaround.
_atom_st = st.sampled_from(["a", "h", "e", "[aeiouy]", "[^aeiouy]", "[hk]", "[^h]"])
_item_st = st.one_of(
    st.tuples(_atom_st, st.sampled_from(["", "?", "*", "+"])).map("".join),
    st.tuples(st.sampled_from(["(?=", "(?!", "(?<=", "(?<!"]), _atom_st).map(lambda t: t[0] + t[1] + ")"))
_taking_st = st.tuples(_atom_st, st.sampled_from(["", "+"])).map("".join)  # a rule takes a letter at least
_rule_st = st.tuples(st.sampled_from(["", "^"]), st.lists(_item_st, max_size=2), _taking_st, st.lists(_item_st, max_size=2),
                     st.sampled_from(["", "$"])).map(lambda t: t[0] + "".join(t[1]) + t[2] + "".join(t[3]) + t[4])


@settings(max_examples=800, deadline=None)
@given(st.lists(_rule_st, min_size=1, max_size=6), st.lists(st.text(alphabet="aehkuyé\n", max_size=10), max_size=5))
def test_latin_units_match_as_re_does_for_any_rule(patterns, words):
    rules = [(p, [str(i)]) for i, p in enumerate(patterns)]  # the options tell which rule matched
    for word in words:
        assert kernel_latin_units(word, rules) == reference_latin_units(word, rules)


@pytest.mark.parametrize("pattern", ["a|b", "(ab)", "[a-z]", "a.", "a{2}", "\\w", "(?=a)", "[aeiou]*"])
def test_a_latin_rule_outside_the_grammar_is_refused(pattern):
    with pytest.raises(ValueError, match="keys.yaml latin rule"):
        keys_module._rule_items(pattern)


def reference_letter_units(word, table):
    """The Python that _kernels.letter_units replaced (transliterate.letter_units, ZWNJ removed)."""
    from entityres.text.transliterate import VOWEL_LETTERS

    def position_options(rule, i, n):
        if not isinstance(rule, dict):
            return rule
        if i == 0 and "initial" in rule:
            return rule["initial"]
        if i + n == len(word) and "final" in rule:
            return rule["final"]
        if i > 0 and word[i - 1] in VOWEL_LETTERS and "after_vowel" in rule:
            return rule["after_vowel"]
        if i + n < len(word) and word[i + n] in VOWEL_LETTERS and "before_vowel" in rule:
            return rule["before_vowel"]
        return rule.get("default")

    units = []
    i = 0
    while i < len(word):
        pair = word[i:i + 2]
        options = position_options(table[pair], i, 2) if len(pair) == 2 and pair in table else None
        unit = pair if options is not None else word[i]
        if options is None and unit in table:
            options = position_options(table[unit], i, 1)
        if options is not None:
            units.append((unit, options))
        i += len(unit)
    return units


def _letter_tables():
    from entityres.text.transliterate import _reading_table

    # a table of our own with every kind of rule: a digraph without options at the start (read
    # letter by letter), positional rules without default, a rule of None
    own = {"تش": {"default": ["C"]}, "اس": {"final": ["S"]}, "ب": {"initial": ["B"], "after_vowel": ["V"], "before_vowel": ["F"]},
           "و": {"default": ["W", "-"], "after_vowel": ["-"]}, "ا": ["-"], "ی": {"final": ["Y"]}, "س": ["S"], "ن": None,
           "ء": []}
    return [keys_module._arabic_table(None), _reading_table("fa"), _reading_table("ar"), own]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="تشاسبوینقکلمهءأx", max_size=10), st.integers(0, 3))
def test_letter_units_equal_reference(word, which):
    table = _letter_tables()[which]
    from entityres.text.transliterate import VOWEL_LETTERS

    assert _kernels.letter_units(word, table, VOWEL_LETTERS) == reference_letter_units(word, table)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="تشاسبوینقکلمهءأx", max_size=10), st.integers(0, 3))
def test_first_key_is_the_cheapest_expansion(word, which):
    # the first options of the units spell the one key of cost 0; a unit without options: no key
    table = _letter_tables()[which]
    from entityres.text.transliterate import VOWEL_LETTERS

    units = [(u, tuple(o)) for u, o in reference_letter_units(word, table)]
    expected = None if any(not o for _, o in units) else reference_expand(units, collapse=False)[0][0]
    assert _kernels.first_key(word, table, VOWEL_LETTERS) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="تشاسبوینقکلمهءأپچژگآةىيكال\u200cxAé-", max_size=12))
def test_top_key_is_the_first_of_word_keys(word):
    keys = keys_module.word_keys(word)
    assert keys_module.top_key(word) == (keys[0][0] if keys else "")


@pytest.mark.parametrize("word", ["القرم", "السودانية", "ترامپ", "خامنه‌ای", "Trump", "Zaporizhzhia", "۱۴۰۳", "ء"])
def test_top_key_of_real_words(word):
    assert keys_module.top_key(word) == keys_module.word_keys(word)[0][0]


# --- the cue phrases' walks (entityres.text.cues.rows) --------------------------------------------

def _walk_reference(parts, root, forward, found):
    """The Python walk that walk_phrases replaced, from every word."""
    for i in range(len(parts)):
        node, k, n = root, i, 0
        while 0 <= k < len(parts) and parts[k]:
            for part in (parts[k] if forward else parts[k][::-1]):
                node = node.get(part)
                if node is None:
                    break
            if node is None:
                break
            k, n = k + (1 if forward else -1), n + 1
            for g in node.get("", ()):
                found[g][i if forward else i + 1] = n


def test_walk_phrases_takes_the_longest_phrase_of_each_group_over_whole_words():
    # group 0: "a" and "a b c"; group 1: "b c" and the one word of two pieces "x|y"
    forward, backward = _phrase_trees([(0, ("a",)), (0, ("a", "b", "c")), (1, ("b", "c")), (1, ("x", "y"))])
    parts = [("a",), ("b",), ("c",), ("x", "y"), ("x",), ("a",), (), ("b",), ("c",)]
    at, before = [[0] * 9 for _ in range(2)], [[0] * 10 for _ in range(2)]
    _kernels.walk_phrases(parts, forward, True, at)
    _kernels.walk_phrases(parts, backward, False, before)
    assert at == [[3, 0, 0, 0, 0, 1, 0, 0, 0], [0, 2, 0, 1, 0, 0, 0, 2, 0]]
    # before[g][j]: the phrase that ends at word j - 1; the empty word (no pieces) ends every walk
    assert before == [[0, 1, 0, 3, 0, 0, 1, 0, 0, 0], [0, 0, 0, 2, 1, 0, 0, 0, 0, 2]]


def test_walk_phrases_leaves_other_items_alone_and_refuses_wrong_types():
    forward, _ = _phrase_trees([(0, ("a",))])
    found = [[7, 7, 7]]
    _kernels.walk_phrases([("z",), ("a",), ("z",)], forward, True, found)
    assert found == [[7, 1, 7]]
    with pytest.raises(TypeError):
        _kernels.walk_phrases([["a"]], forward, True, found)  # a word's pieces are a tuple
    with pytest.raises(TypeError):
        _kernels.walk_phrases([("a",)], forward, True, (found[0],))
    with pytest.raises(ValueError, match="a row of 3 items for 3 words"):
        _kernels.walk_phrases([("a",)] * 3, _phrase_trees([(0, ("a",))])[1], False, found)  # back: one more
    with pytest.raises(ValueError, match="group 1 has no row"):
        _kernels.walk_phrases([("b",)], _phrase_trees([(1, ("b",))])[0], True, [[0]])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.lists(st.sampled_from("abcd"), min_size=1, max_size=3).map(tuple)),
                max_size=8),
       st.lists(st.lists(st.sampled_from("abcde"), max_size=2).map(tuple), max_size=12))
def test_walk_phrases_equals_the_python_walk(phrases, parts):
    forward, backward = _phrase_trees(phrases)
    for root, is_forward, extra in ((forward, True, 0), (backward, False, 1)):
        expected, got = ([[0] * (len(parts) + extra) for _ in range(3)] for _ in range(2))
        _walk_reference(parts, root, is_forward, expected)
        _kernels.walk_phrases(parts, root, is_forward, got)
        assert got == expected


# --- positions that detection looks at closely, against the Python that picked them ----------

@given(st.lists(st.text(alphabet="aاﻻAÉzال", min_size=1, max_size=5), max_size=12), st.data())
def test_position_kernels_equal_their_python(words, data):
    segs = sorted(data.draw(st.lists(st.integers(0, 3), min_size=len(words), max_size=len(words))))
    longest = data.draw(st.integers(0, 4))
    assert _kernels.short_pairs(words, segs, longest) == [
        i for i in range(len(words) - 1) if segs[i] == segs[i + 1] and min(len(words[i]), len(words[i + 1])) <= longest]
    assert _kernels.starting(words, "ال", 1) == [i + 1 for i, w in enumerate(words) if w.startswith("ال")]
    assert _kernels.starting(words, "", 0) == list(range(len(words)))
    assert _kernels.capitalised(words) == [i for i, w in enumerate(words) if w[:1].isupper()]


def test_position_kernels_refuse_what_they_cannot_read():
    with pytest.raises(ValueError, match="short_pairs: 1 segments for 2 words"):
        _kernels.short_pairs(["a", "b"], [0], 3)
    with pytest.raises(TypeError):
        _kernels.short_pairs(["a", 5], [0, 0], 3)
    with pytest.raises(TypeError):
        _kernels.starting(["a", None], "a", 0)
    with pytest.raises(TypeError):
        _kernels.capitalised([b"A"])
    assert _kernels.capitalised(["", "Ab", "ǅ", "aB"]) == [1]  # title case is not upper case, as str.isupper


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcاب\U0001d400é", max_size=9), st.lists(st.text(alphabet="abcاب\U0001d400é", max_size=9), max_size=6),
       st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0]))
def test_near_letters_equals_rapidfuzz_indel(word, strings, cutoff):
    assert _kernels.near_letters(strings, word, cutoff) == [
        k for k, s in enumerate(strings) if Indel.normalized_similarity(word, s) >= cutoff]


def test_near_letters_at_the_cutoff_and_on_wrong_types():
    # 5 + 5 letters, 2 edits: 0.8 exactly, as rapidfuzz computes it
    assert Indel.normalized_similarity("abcde", "abcdx") == 0.8
    assert _kernels.near_letters(["abcdx", "abxyz", "", "abcde"], "abcde", 0.8) == [0, 3]
    # a misspelling detection must correct, exactly at the cutoff (Arabic ي for Persian ی)
    assert Indel.normalized_similarity("ماسيو", "ماسیو") == 0.8 and _kernels.near_letters(["ماسیو"], "ماسيو", 0.8) == [0]
    assert _kernels.near_letters(["", "a"], "", 1.0) == [0]
    with pytest.raises(TypeError):
        _kernels.near_letters([b"abc"], "abc", 0.8)
