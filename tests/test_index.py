"""The index build (entityres.gazetteer.index): what it stores and posts is what the definitions say.

The build takes shortcuts for speed and memory (memos per distinct word, the joined profiles of
adjacent words and of whole names made only when scored, the pairs' blocking keys from their
cheap keys alone); these tests compare it with the definitions, word by word.
"""

import os
import pickle
import subprocess
import sys
import random
from array import array
from collections import defaultdict
from itertools import product

import pytest
from hypothesis import given, settings, strategies as st

from entityres import Gazetteer
from entityres.cache import U32
from entityres.gazetteer._index import (AliasColumns, Blocking, Collector, Keys, Numbered, Runs, Texts, Vocab, WordColumns, all_below, byte_stats,
                                         key_pieces, pack_runs, utf8_error)
from entityres.gazetteer.index import (KEYS_PER_WORD, MAX_COST, MAX_WORDS, MIN_SKELETON, TYPE_CODES, Alias, Index, alias_title, blocking_keys,
                                       coarse_skeleton, exact_keys, joined_codes, pair_blocking_keys, word_blocking_keys)
from entityres.text import tables
from entityres.text.keys import name_words
from entityres.text.similarity import join_profiles, word_profile

# Words of our own in the shapes that matter: Latin with doubled and silent letters, Persian with
# ZWNJ and و / ی read several ways, Arabic with the article, short words.
WORDS = {
    None: ["Abdul", "Rahman", "Wright", "Khamenei", "Hollande", "Li", "Oulianov", "Zaporizhzhia"],
    "fa": ["عبد", "الرحمن", "خامنه‌ای", "ویتکاف", "اولاند", "لی", "بوتین", "میرحسین"],
    "ar": ["عبد", "الله", "القرم", "يوسف", "بوتين", "أبو", "عمر", "الحسيني"],
}

PEOPLE = [
    {"id": "person:a", "type": "person", "name": "Abdul Rahman Yusuf",
     "names": {"fa": ["عبد الرحمن یوسف", "عبدالرحمن"], "ar": ["عبد الرحمن يوسف", "أبو عمر"]}},
    {"id": "person:b", "type": "person", "name": "Mir Hossein Mousavi Khamenei",
     "names": {"fa": ["میرحسین موسوی خامنه‌ای"], "en": ["Mir-Hossein Mousavi"]}},
    {"id": "person:c", "type": "person", "name": "Steve Witkoff", "names": {"fa": ["استیو ویتکاف"]}},
    {"id": "place:d", "type": "place", "name": "Crimea", "names": {"ar": ["القرم"], "ru": ["Крым"]}},
    {"id": "person:e", "type": "person", "name": "Li", "names": {"ar": ["عمر بن الحسيني"]}},
    {"id": "person:f", "type": "person", "name": "Dr. Awda Al Rowaey", "names": {"ar": ["د. عوده الرويعي"]}},
]


def cheap_key_slots(word):
    """A word's cheap keys with their vowel slots, as a build reads them again from its columns."""
    columns = WordColumns()
    return columns.cheap_key_slots(columns.add(word), MAX_COST)


@pytest.mark.parametrize("lang", sorted(WORDS, key=str))
def test_a_pairs_blocking_keys_are_those_of_the_pair_read_as_one(lang):
    profiles = [word_profile(w, lang) for w in WORDS[lang]]
    for a, b in product(profiles, repeat=2):
        assert pair_blocking_keys(cheap_key_slots(a), cheap_key_slots(b)) == word_blocking_keys(join_profiles((a, b))), (a.text, b.text)


def test_the_index_build_is_compiled_with_python_semantics():
    # index.pyx is Python compiled as it reads: annotations are documentation, not types, so a tuple
    # where alias_title says list is read as in Python.
    import importlib.machinery

    from entityres.gazetteer import index as built

    assert built.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), built.__file__
    words = ["Dr.", "Awda", "Rowaey"]
    assert alias_title(tuple(words), "en") == alias_title(words, "en") == 1
    assert alias_title(("Awda",), None) == 0


@pytest.mark.parametrize("key, lang, expected", [
    ("dr awda al rowaey", "ar", 1), ("dr", "en", 0), ("dr rowaey", None, 1), ("الرئيس بشار الاسد", "ar", 1),
    ("الرئيس", "ar", 0), ("بشار الرئيس", "ar", 0), ("د رستم", "fa", 0), ("علی خامنه ای", "fa", 0), ("", "fa", 0)])
def test_alias_title_of_an_exact_key(key, lang, expected):
    # the build asks it of every alias's exact key (Alias.title, which the matcher scores by); a title alone is the name
    assert alias_title(key.split(" "), lang) == expected


def reference_blocking_keys(keys, query=False):
    """The blocking rule as keys.yaml states it, written plainly: the likeliest keys of at most
    MAX_COST, the coarse skeleton ~S, for a query -S too, and the distinct one-class deletions,
    sorted (-D posted, ~D looked up)."""
    table = tables.load("keys")["blocking"]
    merge = {ord(k): v for k, v in table["merge"].items()} | {ord(c): None for c in table["drop"]}
    out = [k[0] for k in keys[:KEYS_PER_WORD] if k[1] <= MAX_COST and k[0]]
    skeleton = keys[0][0].translate(merge) if keys else ""
    if len(skeleton) < MIN_SKELETON:
        return out
    deletions = {skeleton[:i] + skeleton[i + 1:] for i in range(len(skeleton))} if len(skeleton) >= table["min_deletion"] else set()
    if query:
        return out + ["~" + skeleton, "-" + skeleton, *sorted("~" + d for d in deletions)]
    return out + ["~" + skeleton, *sorted("-" + d for d in deletions)]


def test_blocking_keys_merge_related_classes_drop_weak_ones_and_delete_one_class():
    keys = (("TMPSN", 0), ("SMPSN", 1), ("TMSN", 2))  # Thompson's; a key of two second choices is no blocking key
    assert blocking_keys(keys) == ["TMPSN", "SMPSN", "~TMPSN", "-MPSN", "-TMPN", "-TMPS", "-TMSN", "-TPSN"]
    assert blocking_keys(keys, query=True) == ["TMPSN", "SMPSN", "~TMPSN", "-TMPSN", "~MPSN", "~TMPN", "~TMPS", "~TMSN", "~TPSN"]
    # G → K, D → T, H and A dropped; a skeleton shorter than min_deletion has no deletions
    assert blocking_keys((("MHMD", 0),)) == ["MHMD", "~MMT", "-MM", "-MT"]
    assert blocking_keys((("AH", 0),)) == ["AH"]  # nothing of its skeleton is left
    assert blocking_keys(()) == [] and blocking_keys((("", 0),)) == []
    assert coarse_skeleton((("GZD", 0),)) == ("KST", 3) and coarse_skeleton((("HA", 0),)) is None


def test_blocking_keys_delete_one_of_equal_neighbours_once():
    assert blocking_keys((("MMSS", 0),)) == ["MMSS", "~MMSS", "-MMS", "-MSS"]
    assert blocking_keys((("NNN", 0),), query=True) == ["NNN", "~NNN", "-NNN", "~NN"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="AFHGJQXZCDKSTMNRLBPVWYI~-ک\x00", max_size=70), st.integers(0, 3)), max_size=5), st.booleans())
def test_blocking_keys_are_the_rule_of_keys_yaml(keys, query):
    # long keys (a whole name's letters), repeats and characters outside the classes included
    assert blocking_keys(tuple(keys), query) == reference_blocking_keys(keys, query)
    skeleton = reference_blocking_keys([(keys[0][0], MAX_COST + 1)])[:1] if keys else []  # ~S alone, if any
    expected = (skeleton[0][1:], tables.load("keys")["blocking"]["min_deletion"]) if skeleton else None
    assert coarse_skeleton(tuple(keys)) == expected


@pytest.mark.parametrize("lang", sorted(WORDS, key=str))
def test_words_blocking_keys_are_the_rule_of_keys_yaml(lang):
    for word in WORDS[lang]:
        profile = word_profile(word, lang)
        for query in (False, True):
            assert word_blocking_keys(profile, query) == reference_blocking_keys(profile.keys, query), word


def test_blocking_refuses_a_rule_it_cannot_apply_letter_by_letter():
    with pytest.raises(ValueError, match="one ASCII character"):
        Blocking({"KH": "K"}, "", 3, 2, 3, 1)
    with pytest.raises(ValueError, match="one ASCII character"):
        Blocking({"K": "ک"}, "", 3, 2, 3, 1)
    with pytest.raises(ValueError, match="ASCII"):
        Blocking({}, "ه", 3, 2, 3, 1)
    with pytest.raises(ValueError, match="min_skeleton"):
        Blocking({}, "", 3, 0, 3, 1)
    with pytest.raises(TypeError, match="a str"):
        blocking_keys(((None, 0),))
    with pytest.raises(TypeError, match="a str"):
        coarse_skeleton(((None, 0),))


def test_a_words_posted_keys_are_its_spellings_whatever_the_language():
    # the build posts a pair once for an entry's names in several languages (Index._compile, pair_keys)
    for word in [w for lang in WORDS for w in WORDS[lang]]:
        found = {cheap_key_slots(word_profile(word, lang)) for lang in ("fa", "prs", "ar", "en", None)}
        assert len(found) == 1, word


def test_a_words_cheap_keys_and_codes_are_read_again_from_the_columns():
    columns = WordColumns()
    profiles = [word_profile(w, lang) for lang in WORDS for w in WORDS[lang]]
    for n, profile in enumerate(profiles):
        assert columns.add(profile) == n
    for n, profile in enumerate(profiles):  # each word's, however many came after it
        assert columns.cheap_key_slots(n, MAX_COST) == tuple((k, c, s) for (k, c), s in zip(profile.keys, profile.slots)
                                                             if c <= MAX_COST)
        assert columns.cheap_key_slots(n, 99) == tuple((k, c, s) for (k, c), s in zip(profile.keys, profile.slots))
        assert columns.codes(n, 2) == profile.codes[:2] and columns.codes(n, 99) == profile.codes
    for missing in (len(profiles), -1):
        with pytest.raises(IndexError):
            columns.cheap_key_slots(missing, MAX_COST)
        with pytest.raises(IndexError):
            columns.codes(missing, 1)


def test_a_collector_posts_each_key_once_a_value_in_the_order_keys_come():
    rng = random.Random(7)
    collector, reference = Collector(), defaultdict(list)
    letters = "abcdefghij\u0628\u067e\U0001f600"  # one-, two- and four-byte UTF-8
    for value in range(0, 3000, 3):
        groups = [[rng.choice(letters) * rng.randint(1, 3) for _ in range(rng.randint(0, 5))] for _ in range(rng.randint(0, 4))]
        collector.add(groups, value)
        collector.add((tuple(groups[0]),) if groups else (), value)  # the same value again adds nothing
        for key in dict.fromkeys(k for group in groups for k in group):
            reference[key].append(value)
    assert len(collector) == len(reference)
    runs = collector.runs()
    assert list(runs.items()) == [(k, tuple(v)) for k, v in reference.items()]  # keys in the order they came
    assert len(collector) == 0 and len(collector.runs()) == 0  # emptied


def test_a_collector_finds_each_key_as_its_table_grows():
    keys = [f"k{i}" for i in range(5000)]  # the table grows from 8 slots to 16,384
    collector = Collector()
    for value, key in enumerate(keys):
        collector.add([[key, "".join(keys[value // 2])]], value)  # an equal key, another str object
    runs = collector.runs()
    assert list(runs) == keys
    assert runs["k0"] == (0, 1) and runs["k10"] == (10, 20, 21) and runs["k4999"] == (4999,)


def test_a_collector_keeps_keys_of_any_script_and_length_as_they_were_given():
    # ASCII, short keys written out in place, long ones encoded (more than 64 characters)
    keys = ["", "a", "ب", "\U0001f600", "x" * 300, "پ" * 65, "پ" * 64, "\ud800", "a\u0300" * 40]
    collector = Collector()
    for value, key in enumerate(keys):
        collector.add([[key, keys[0]]], value)
        collector.add([["".join(key)]], value)  # the same key again, another object
    runs = collector.runs()
    assert list(runs) == keys and runs[""] == tuple(range(len(keys)))
    assert all(runs[k] == (i,) for i, k in enumerate(keys[1:], 1))


def test_a_collector_reads_a_str_group_as_its_keys_joined_by_newlines():
    # as a build keeps a word's blocking keys: split in the collector, as str.split("\n") splits them
    rng = random.Random(11)
    letters = "ab\u0628\U0001f600\n"
    joined, listed = Collector(), Collector()
    for value in range(400):
        groups = ["".join(rng.choice(letters) for _ in range(rng.choice([0, 1, 5, 70]))) for _ in range(rng.randint(0, 3))]
        joined.add(groups, value)
        listed.add([g.split("\n") if g else [] for g in groups], value)
    assert list(joined.runs().items()) == list(listed.runs().items())
    collector = Collector()
    collector.add(["", "a\n\nb", ["c"]], 0)  # "" holds no key; an empty piece between two newlines is one
    assert dict(collector.runs()) == {"a": (0,), "": (0,), "b": (0,), "c": (0,)}


def test_a_collector_refuses_values_out_of_order_or_too_large():
    collector = Collector()
    collector.add([["a"]], 5)
    for bad in (4, 2 ** 32 - 1):
        with pytest.raises(ValueError, match="not below"):
            collector.add([["a"]], bad)
    with pytest.raises(OverflowError):
        collector.add([["a"]], -1)
    for key in (1, b"a", type("Key", (str,), {})("a")):  # a subclass of str is not read as a str
        with pytest.raises(TypeError, match="must be a str"):
            collector.add([[key]], 6)
    assert dict(collector.runs()) == {"a": (5,)}


def test_lists_are_packed_into_one_array_run_by_run_in_their_order():
    rng = random.Random(11)
    lists = {f"k{n}": [rng.randrange(2 ** 32) for _ in range(rng.randint(1, 6))] for n in range(200)}
    expected = list(lists.values())
    numbers = pack_runs(lists, array(U32, [5, 6]))
    assert numbers.tolist() == [5, 6] + [x for run in expected for x in run]
    assert [(s >> 32, s & 0xFFFFFFFF) for s in lists.values()] == [
        (2 + sum(map(len, expected[:i])), len(run)) for i, run in enumerate(expected)]
    with pytest.raises(OverflowError):
        pack_runs({"k": [2 ** 32]}, array(U32))
    with pytest.raises(TypeError, match="32-bit"):
        pack_runs({"k": [1]}, array("d"))


@pytest.mark.parametrize("lang", sorted(WORDS, key=str))
def test_the_codes_heard_are_those_of_the_name_read_as_one(lang):
    profiles = [word_profile(w, lang) for w in WORDS[lang]]
    for n in (1, 2, 3):
        for words in product(profiles[:5], repeat=n):
            assert joined_codes([w.codes for w in words]) == join_profiles(words).codes[:2], [w.text for w in words]


@pytest.fixture(scope="module")
def index():
    return Index._compile(list(Gazetteer.from_entries(PEOPLE, cache=False)))


def test_an_alias_holds_its_words_profiles_and_their_joins(index):
    assert len(index.aliases) >= 10
    for alias in index.aliases:
        words = name_words(alias.name)
        assert alias.key == exact_keys(words)[0]
        assert alias.words == tuple(word_profile(w, alias.lang) for w in words)
        assert alias.pairs == tuple(join_profiles(alias.words[i:i + 2]) for i in range(len(words) - 1))
        assert alias.joined == join_profiles(alias.words)
        # its title (Dr., د.) is its exact key's, counted once when the index is built; heard as a
        # query is: the name after it
        assert alias.title == alias_title(alias.key.split(" "), alias.lang)
        assert alias.heard == join_profiles(alias.words[alias.title:]).codes[:2]
    titled = [a for a in index.aliases if a.entry == 5]
    assert len(titled) == 2 and all(alias_title(name_words(a.name), a.lang) == a.title == 1 for a in titled)
    assert all(a.heard != a.joined.codes[:2] for a in titled)


def _columns(aliases) -> tuple:
    return list(aliases.entry_numbers), aliases.type_codes, aliases.word_counts, aliases.keys


def test_the_aliases_columns_are_read_without_making_them(index):
    made = list(index.aliases)
    assert _columns(index.aliases) == ([a.entry for a in made], bytes(TYPE_CODES[a.type] for a in made),
                                       bytes(len(a.words) for a in made), [a.key for a in made])
    assert index.alias_types == index.aliases.type_codes and index.alias_lengths == index.aliases.word_counts


def test_the_type_bitmaps_hold_each_alias_under_its_type(index):
    made = list(index.aliases)
    for name, bits in index.type_bitmaps.items():
        assert len(bits) == (len(made) + 63) // 64
        assert [a for a in range(len(made)) if bits[a // 64] >> (a % 64) & 1] == \
            [a for a, alias in enumerate(made) if alias.type == name]
    assert any(index.type_bitmaps["person"]) and any(index.type_bitmaps["place"])


def test_a_build_keeps_its_words_and_aliases_packed_and_makes_none():
    # each profile is packed as it is made (WordColumns), not kept: an index built makes a word or
    # an alias only when asked, as a cached one does
    index = Index._compile(list(Gazetteer.from_entries(PEOPLE, cache=False)))
    assert index.vocab.words.made() == 0 and index.aliases.made() == 0
    assert index.aliases[0].words[0] is index.vocab[index.aliases[0].key.split(" ")[0]]
    assert index.vocab.words.made() == len(set(index.aliases[0].words)) and index.aliases.made() == 1


def test_word_columns_give_back_the_words_packed():
    words = [word_profile(w, lang) for w, lang in (("عمروف", "fa"), ("Umerov", "en"), ("أوميروف", "ar"), ("عمروف", "fa"))]
    columns = WordColumns()
    assert [columns.add(w) for w in words] == [0, 1, 2, 3] and len(columns) == 4
    made = columns.words(type(words[0]))
    assert list(made) == words and made[0] == made[3] and made[0] is not made[3]
    for bad in ("عمروف", ("a", (), ())):
        with pytest.raises(TypeError):
            WordColumns().add(bad)
    with pytest.raises(ValueError):  # a vowel slot tuple for each key
        WordColumns().add(words[0]._replace(slots=words[0].slots[1:]))


def test_alias_columns_scale_trust_and_refuse_a_name_of_too_many_words():
    columns = AliasColumns()
    for n, trust in enumerate((0.5, 0.92, 1.0 + 1e-9)):
        assert columns.add(n, 0, "fa", f"name {n}", f"key {n}", trust, [0, 1], ("abc",), n % 2) == n
    assert columns.most_trusted(1.0 + 1e-9) == 0.92 and AliasColumns().most_trusted(1.0) is None
    columns.scale(0.92)
    aliases = columns.aliases(Alias, ("person", "place"), [word_profile("umerov")] * 2)
    assert [a.trust for a in aliases] == [min(1.0, t / 0.92) for t in (0.5, 0.92, 1.0 + 1e-9)]
    assert aliases[1] == Alias(1, "person", "fa", "name 1", "key 1", 1.0, (word_profile("umerov"),) * 2, ("abc",), 1)
    assert [a.title for a in aliases] == [0, 1, 0]
    with pytest.raises(BufferError):  # handed over
        columns.add(3, 0, None, "x", "x", 1.0, [0], (), 0)
    columns = AliasColumns()
    with pytest.raises(ValueError):
        columns.add(0, 0, None, "x", "x", 1.0, range(256), (), 0)
    with pytest.raises(ValueError, match="a title of 2 words in an alias of 2"):  # a title alone is the name
        columns.add(0, 0, None, "x", "x", 1.0, [0, 1], (), 2)
    assert len(columns) == 0  # nothing of it added


def test_texts_are_equal_by_content_however_held():
    text, ends = Texts.of(["ab", "é"]).columns()
    assert Texts(array("B", text), array(U32, ends)) == Texts(bytes(text), memoryview(array(U32, ends))) == Texts.of(["ab", "é"])
    assert Texts.of(["ab", "é"]) != Texts.of(["a", "bé"]) and Texts.of([]) == Texts.of([]) != Texts.of([""])


def test_aliases_and_words_are_copied_by_their_columns(index):
    # what an index extended does with base's aliases and words: none made
    source = Index._decode(index._encode(), index.entries).aliases
    words = source.packed()[-1]
    table = WordColumns()
    assert table.extend(words) == 0 and table.extend(words) == len(words)  # twice: the second moved
    columns = AliasColumns()
    for k in range(len(source)):
        assert columns.add_from(source, k, len(words) if k % 2 else 0, None if k % 3 else 0.5) == k
    assert source.made() == 0 and words.made() == 0
    assert all(tuple(words[n] for n in source.refs(k)) == source[k].words for k in range(len(source)))
    copied = columns.aliases(Alias, ("person", "place"), table.words(type(words[0])))
    assert [a._replace(trust=0.0) for a in copied] == [a._replace(trust=0.0) for a in index.aliases]
    assert [a.trust for a in copied] == [a.trust if k % 3 else 0.5 for k, a in enumerate(index.aliases)]
    with pytest.raises(IndexError):
        columns.add_from(source, len(source))
    with pytest.raises(ValueError):  # words moved out of 32-bit numbers
        columns.add_from(source, 0, -1 - max(source.refs(0)))
    assert len(columns) == len(source)  # nothing of it added


def unpacked_heard(packed) -> list[tuple[str, ...]]:
    """The codes heard per alias from Aliases.heard's (UTF-8, code ends, item ends)."""
    text, code_ends, item_ends = packed
    codes = [text[a:b].decode() for a, b in zip([0, *code_ends], code_ends)]
    return [tuple(codes[a:b]) for a, b in zip([0, *item_ends], item_ends)]


def test_the_codes_heard_in_aliases_are_read_without_making_them(index):
    make, args = index.aliases.__reduce__()
    words_listed = make(*args[:-1], list(args[-1]))  # words as a plain sequence of profiles
    for aliases in (make(*args), Index._decode(index._encode(), index.entries).aliases, words_listed):
        ranked = [(-1.0, 0, a) for a in reversed(range(len(aliases)))]
        found = {words_too: unpacked_heard(aliases.heard(ranked, words_too)) for words_too in (False, True)}
        assert aliases.made() == 0
        expected = [aliases[a] for *_, a in ranked]
        assert aliases.made() == len(aliases)
        assert found[False] == [a.heard for a in expected]
        assert found[True] == [a.heard + tuple(w.codes[0] for w in a.words) for a in expected]
        assert any(len(t) > len(f) for t, f in zip(found[True], found[False]))
    with pytest.raises(IndexError):
        index.aliases.heard([(-1.0, 0, len(index.aliases))], False)


def test_reading_aliases_ahead_makes_none_and_changes_nothing(index):
    # a hint to the CPU only (the matcher's candidates): no alias or word made, each later the same
    make, args = index.aliases.__reduce__()
    words_listed = make(*args[:-1], list(args[-1]))
    for aliases in (make(*args), Index._decode(index._encode(), index.entries).aliases, words_listed):
        numbers = list(reversed(range(len(aliases))))
        aliases.read_ahead(numbers)
        assert aliases.made() == 0
        first = aliases[1]
        aliases.read_ahead(numbers + [-1])  # a made alias and one counted from the end are read too
        assert aliases.made() == 1 and aliases[1] is first
        assert [aliases[a] for a in numbers] == [index.aliases[a] for a in numbers]
        with pytest.raises(IndexError):
            aliases.read_ahead([len(aliases)])
        aliases.read_ahead([])


def test_aliases_and_words_made_are_out_of_the_cycle_collectors_sight(index):
    # made of strings, numbers and tuples of them: no cycle can pass through them (_hints.settle)
    import gc

    make, args = index.aliases.__reduce__()
    alias = make(*args)[2]
    assert alias == index.aliases[2] and not gc.is_tracked(alias)
    assert not any(gc.is_tracked(w) or gc.is_tracked(w.keys) or gc.is_tracked(w.slots) for w in alias.words)

    class Loose(tuple):  # a tuple subclass with a __dict__ may come to hold anything: left tracked
        pass

    loose = make(Loose, *args[1:])[2]
    assert type(loose) is Loose and tuple(loose) == tuple(alias) and gc.is_tracked(loose)


def test_words_joined_are_out_of_the_cycle_collectors_sight(index):
    # an alias's pairs live in the matcher's caches: walked by every collection while tracked
    import gc

    from entityres.text import similarity as S
    from entityres.text._kernels import Joiner

    alias = next(a for a in index.aliases if len(a.words) > 1)
    assert all(not gc.is_tracked(p) and not gc.is_tracked(p.keys) for p in alias.pairs)
    fresh = S.join_profiles(alias.words)  # made just now: no collection can have untracked it
    assert fresh.text == "".join(w.text for w in alias.words) and not gc.is_tracked(fresh)
    assert not gc.is_tracked(fresh.slots) and not gc.is_tracked(fresh.pieces)
    # a word that holds a list (here its part) may come to hold anything: left tracked
    lists = Joiner(S.Word, S.MAX_KEYS, S.JOINT, S.JOINED_CODES, lambda surface: [], lambda surfaces: [])
    holder = lists.join(alias.words)
    assert holder[:6] == fresh[:6] and holder.part == [] and gc.is_tracked(holder)


def test_a_decoded_index_makes_each_alias_when_first_asked(index):
    decoded = Index._decode(index._encode(), index.entries)
    aliases = decoded.aliases
    assert aliases.made() == 0 and len(aliases) == len(index.aliases)
    assert _columns(aliases) == _columns(index.aliases) and aliases.made() == 0  # the columns make none
    assert aliases[3] == index.aliases[3] and aliases[3] is aliases[3] and aliases.made() == 1
    assert type(aliases[3]) is Alias and aliases[3].pairs == index.aliases[3].pairs
    assert aliases[-1] == index.aliases[-1] and aliases[1:4] == index.aliases[1:4] == tuple(index.aliases)[1:4]
    assert list(aliases) == list(index.aliases) and aliases == index.aliases
    assert aliases.made() == len(index.aliases)  # each made once, however often asked for
    for i in (len(aliases), -len(aliases) - 1):
        with pytest.raises(IndexError):
            aliases[i]  # noqa: B018


def test_a_decoded_index_makes_each_word_when_first_asked(index):
    decoded = Index._decode(index._encode(), index.entries)
    vocab = decoded.vocab
    assert vocab.words.made() == 0  # none made on opening
    assert isinstance(vocab, Vocab) and vocab == index.vocab and len(vocab) == len(index.vocab)
    assert list(vocab) == list(index.vocab) and decoded.vocab_words == index.vocab_words
    # one alias made: its words only, and the vocabulary gives those same objects
    n, made = next((n, a) for n, a in enumerate(index.aliases) if index.vocab[a.key.split(" ")[0]] == a.words[0])
    fresh = Index._decode(index._encode(), index.entries)
    alias = fresh.aliases[n]
    assert fresh.vocab.words.made() == len(set(alias.words)) and alias == made
    assert fresh.vocab[alias.key.split(" ")[0]] is alias.words[0] and fresh.vocab.get(alias.key.split(" ")[0]) is alias.words[0]
    for missing in ("", "no such word", 5, None):
        assert missing not in vocab and vocab.get(missing, 1) == 1
        with pytest.raises(KeyError):
            vocab[missing]  # noqa: B018
    assert dict(vocab.items()) == index.vocab and vocab.values() == list(index.vocab.values())
    again = pickle.loads(pickle.dumps(fresh.vocab))  # the columns travel, not the words made
    assert again.words.made() == 0 and again == index.vocab and again.words == fresh.vocab.words
    assert fresh.vocab.words[-1] == again.words[-1] and fresh.vocab.words[1:3] == tuple(again.words)[1:3]
    with pytest.raises(IndexError):
        again.words[len(again.words)]  # noqa: B018


def test_aliases_pickle_as_they_are_held(index, monkeypatch):
    made = []
    real = Alias._make
    monkeypatch.setattr(Alias, "_make", classmethod(lambda cls, values: made.append(values[3]) or real(values)))
    decoded = Index._decode(index._encode(), index.entries).aliases
    for aliases in (index.aliases, decoded):
        again = pickle.loads(pickle.dumps(aliases))
        assert made == []  # a cached index's aliases travel as columns: none is made to pickle them
        assert _columns(again) == _columns(index.aliases) and made == []
        assert again == index.aliases and again[2] == index.aliases[2]
        made.clear()


def test_the_postings_are_the_blocking_keys_of_each_word_and_pair(index):
    expected: dict[str, list[int]] = {}
    for a, alias in enumerate(index.aliases):
        assert 0 < len(alias.words) <= MAX_WORDS
        keys = {k for w in (*alias.words, *alias.pairs) for k in word_blocking_keys(w)}
        for key in keys:
            expected.setdefault(key, []).append(a)
    assert index.postings == {k: tuple(v) for k, v in expected.items()}


def test_the_postings_are_runs_of_one_array_in_key_order(index):
    postings = index.postings
    assert postings.numbers.itemsize == 4 and len(postings) > 0
    spans = [postings.span(key) for key in postings]
    starts, lengths = [s >> 32 for s in spans], [s & 0xFFFFFFFF for s in spans]
    assert starts == [sum(lengths[:i]) for i in range(len(lengths))] and sum(lengths) == len(postings.numbers)
    assert postings.runs() == [(k, a, a + n) for k, a, n in zip(postings, starts, lengths)]
    for key, start, length in zip(postings, starts, lengths):
        assert key in postings and postings[key] == tuple(postings.numbers[start:start + length])


# keys of our own in the shapes a map holds: Latin keys, Arabic-script keys, one key empty, a
# lone surrogate (no normalised text holds one, but a caller may ask), a character past the BMP,
# keys looked up with their UTF-8 written on the stack and one too long for that
RUNS = {"HPTLA": [0, 4, 9], "عبد الله": [3], "": [7, 8], "کی یف": [], "x\ud800": [2 ** 32 - 1], "HPTL": [1],
        "\U0001d538li": [5], "é" * 64: [6], "é" * 65: [7], "ی" * 200: [8]}


def test_runs_map_keys_to_their_numbers_in_place():
    runs = Runs.collect({k: list(v) for k, v in RUNS.items()})
    assert len(runs) == len(RUNS) and list(runs) == list(RUNS) and runs.keys() == list(RUNS)
    assert runs == {k: tuple(v) for k, v in RUNS.items()} and dict(runs.items()) == {k: tuple(v) for k, v in RUNS.items()}
    assert runs.values() == [tuple(v) for v in RUNS.values()]
    for key, numbers in RUNS.items():
        assert key in runs and runs[key] == runs.get(key) == tuple(numbers)
        span = runs.span(key)
        assert tuple(runs.numbers[span >> 32:(span >> 32) + (span & 0xFFFFFFFF)]) == tuple(numbers)
    for missing in ("HPT", "HPTLAA", "عبد", "کی\u200cیف", "é" * 63, "é" * 66, "\ud800", 5, None, b"HPTLA"):
        assert missing not in runs and runs.get(missing) is None and runs.get(missing, ()) == () and runs.span(missing) is None
        with pytest.raises(KeyError):
            runs[missing]  # noqa: B018
    keys, run_ends, numbers, table = runs.columns()
    assert pickle.loads(pickle.dumps(runs)) == runs and Runs(keys, run_ends, numbers, table=table) == runs
    assert runs != {**{k: tuple(v) for k, v in RUNS.items()}, "HPTL": (2,)} and runs != {"HPTLA": (0, 4, 9)}


def test_numbers_where_filters_the_runs_of_keys_by_a_byte_each():
    runs = Runs.collect({"a": [0, 2, 3], "ب": [1, 2], "c": [], "d": [4]})
    flags = bytes([1, 0, 1, 1, 0])
    assert runs.numbers_where(["a", "ب", "missing", "c"], flags, 1) == [0, 2, 3, 2]  # run after run, 2 twice
    assert runs.numbers_where(["ب", "d"], flags, 0) == [1, 4] and runs.numbers_where([], flags, 1) == []
    assert runs.numbers_where(["a"], memoryview(flags), 2) == [] and runs.numbers_where([5, None], flags, 1) == []
    with pytest.raises(IndexError, match="number 4 has no flag"):
        runs.numbers_where(["d"], flags[:4], 1)


def test_a_vocabulary_gives_a_script_byte_per_word_in_its_order():
    profiles = [word_profile("Trump", None), word_profile("ترامپ", "fa"), word_profile("پوتین", "fa")]
    vocab = Vocab(Texts.of(["trump", "ترامپ", "پوتین"]), array(U32, [1, 0, 2]), profiles)  # any sequence of words
    assert vocab.arabic() == bytes([1, 0, 1]) == bytes(w.arabic for w in vocab.values())
    assert Vocab(Texts.of([]), array(U32), profiles).arabic() == b""


def test_keys_are_a_set_of_strings_in_place():
    keys = Keys.of(RUNS)
    assert len(keys) == len(RUNS) and list(keys) == list(RUNS) and keys == set(RUNS) and keys == frozenset(RUNS)
    assert all(key in keys for key in RUNS)
    for missing in ("HPT", "HPTLAA", "عبد", "کی\u200cیف", "é" * 63, "é" * 66, "\ud800", 5, None, b"HPTLA"):
        assert missing not in keys
    assert pickle.loads(pickle.dumps(keys)) == keys and Keys(*keys.columns()) == keys
    assert keys != set(RUNS) - {""} and keys != {*RUNS, "x"} and Keys.of(reversed(list(RUNS))) == keys
    assert Keys.of([]) == set() and "" not in Keys.of([])
    with pytest.raises(ValueError, match="key 2 comes twice"):
        Keys.of(["ab", "cd", "ab"])


def _pieces(keys: list[str], how: str, codes: bytes | None = None, code: int = -1) -> list[str]:
    """What key_pieces makes, in Python."""
    chosen = [k for k, c in zip(keys, codes or bytes(len(keys))) if codes is None or c == code]
    if how == "pairs":
        made = [" ".join(w[i:i + 2]) for k in chosen for w in (k.split(" "),) for i in range(len(w) - 1)]
    else:
        made = [w for k in chosen for w in k.split(" ")] if how == "words" else [k.replace(" ", "") for k in chosen]
    return list(dict.fromkeys(made))


def test_key_pieces_are_the_pairs_words_or_joined_keys_each_once_in_order():
    keys = ["نعمت الله خان", "alpha beta", "خان", "نعمت الله", "beta alpha", "a  b", ""]
    texts = Texts.of(keys)
    assert list(key_pieces(texts, "pairs")) == ["نعمت الله", "الله خان", "alpha beta", "beta alpha", "a ", " b"]
    assert list(key_pieces(texts, "words")) == ["نعمت", "الله", "خان", "alpha", "beta", "a", "", "b"]
    codes = bytes([1, 0, 1, 1, 0, 0, 1])
    assert list(key_pieces(texts, "joined", codes, 1)) == ["نعمتاللهخان", "خان", "نعمتالله", ""]
    assert list(key_pieces(texts, "words", codes, 0)) == ["alpha", "beta", "a", "", "b"]
    pairs = key_pieces(texts, "pairs")
    assert isinstance(pairs, Keys) and "الله خان" in pairs and "نعمت خان" not in pairs and "alpha" not in pairs
    assert key_pieces(Texts.of([]), "words") == set() and key_pieces(texts, "joined", codes, 2) == set()
    with pytest.raises(ValueError, match="how is one of pairs, words, joined"):
        key_pieces(texts, "letters")
    with pytest.raises(ValueError, match="one code for each key"):
        key_pieces(texts, "words", codes[:3], 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab بپ \u200c😀é", max_size=8), max_size=12), st.data())
def test_key_pieces_are_those_python_makes(keys, data):
    codes = bytes(data.draw(st.lists(st.integers(0, 2), min_size=len(keys), max_size=len(keys))))
    texts = Texts.of(keys)
    for how in ("pairs", "words", "joined"):
        assert list(key_pieces(texts, how)) == _pieces(keys, how)
        assert list(key_pieces(texts, how, codes, 1)) == _pieces(keys, how, codes, 1)


def test_a_key_table_given_is_used_as_it_is_and_checked_for_its_shape():
    keys = Keys.of(RUNS)
    texts, table = keys.columns()
    size = len(table)
    assert size == 32 and sorted(table) == [0] * (size - len(RUNS)) + list(range(1, len(RUNS) + 1))  # twice the keys, a power of 2
    in_place = memoryview(table.tobytes()).cast(U32)  # as a cache file holds it
    read = Keys(texts, in_place)
    assert read == keys and read.table is in_place and all(key in read for key in RUNS)
    assert Numbered(texts, in_place) == {k: n for n, k in enumerate(RUNS)} and Numbered(texts, in_place).table is in_place
    for bad in (array(U32, table[:8]),  # not the size of the table of these keys
                array(U32, [0] * size),  # no key in it
                array(U32, [len(RUNS) + 1 if x == 1 else x for x in table]),  # a number that is no key's
                array(U32, [1 if x == 0 and i == 0 else x for i, x in enumerate(table)])):  # a key twice: one slot too many
        with pytest.raises(ValueError, match="key table"):
            Keys(texts, bad)
    # a table of the right shape that is wrong (written by hand): keys missed, never a hang or a read outside
    shuffled = Keys(texts, array(U32, [table[(i + 3) % size] for i in range(size)]))
    assert [key in shuffled for key in RUNS].count(False) > 0 and "HPT" not in shuffled


def test_numbered_maps_each_string_to_its_place():
    ids = ["person:a", "place:کابل", "person:é", ""]
    numbered = Numbered(Texts.of(ids))
    expected = {key: n for n, key in enumerate(ids)}
    assert numbered == expected and expected == numbered and len(numbered) == 4 and list(numbered) == ids
    assert numbered["place:کابل"] == 1 and numbered.get("") == 3 and "person:é" in numbered
    assert numbered.get("person:b") is None and 5 not in numbered and numbered != {**expected, "x": 4}
    with pytest.raises(KeyError):
        numbered["person:b"]  # noqa: B018
    assert pickle.loads(pickle.dumps(numbered)) == expected
    text, ends = Texts.of(ids).columns()  # read in place from a file's bytes
    assert Numbered(Texts(memoryview(text), memoryview(ends.tobytes()).cast(U32))) == expected
    with pytest.raises(ValueError, match="comes twice"):
        Numbered(Texts.of(["a", "b", "a"]))


def test_runs_that_do_not_fit_together_are_refused():
    keys, run_ends, numbers, _ = Runs.collect({"ab": [1], "cd": [2, 3], "é": [4]}).columns()
    for bad in ((keys, array(U32, [1, 3]), numbers),  # two runs for three keys
                (keys, array(U32, [1, 3, 5]), numbers),  # runs past the numbers
                (keys, array(U32, [3, 1, 4]), numbers),  # ends that fall
                (Texts.of(["ab", "cd", "ab"]), run_ends, numbers),  # a key twice
                (keys, run_ends, array("H", [1, 2, 3, 4]))):  # not 32-bit numbers
        with pytest.raises(ValueError):
            Runs(*bad)
    assert Runs(keys, run_ends, numbers, 5) == {"ab": (1,), "cd": (2, 3), "é": (4,)}
    with pytest.raises(ValueError, match="a number is not under 4"):
        Runs(keys, run_ends, numbers, 4)


def test_all_below_reads_32_bit_numbers():
    assert all_below(array(U32, [0, 3, 2 ** 32 - 1]), 2 ** 32) and all_below(array(U32), 0)
    assert not all_below(array(U32, [0, 3, 5]), 5) and all_below(array(U32, [0, 3, 5]), 6)
    with pytest.raises(ValueError):
        all_below(array("H", [1]), 5)


# bytes around UTF-8's edges: continuation bytes, the first bytes of 2, 3 and 4, the bounds of
# overlong forms (E0 A0, F0 90), surrogates (ED A0), the last code point (F4 8F), never-used bytes
UTF8_PIECES = [b"a", b"\x80", b"\x8f", b"\x90", b"\xa0", b"\xbf", b"\xc0", b"\xc2", b"\xdf", b"\xe0", b"\xed",
               b"\xef", b"\xf0", b"\xf4", b"\xf5", b"\xff", "ی".encode(), "𝔸".encode(), b"abcdefgh"]


def _decode_error(data: bytes) -> int | None:
    try:
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as err:
        return err.start
    return None


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(UTF8_PIECES), max_size=14).map(b"".join) | st.binary(max_size=40))
def test_utf8_check_agrees_with_python(data):
    assert utf8_error(data) == _decode_error(data)


def test_byte_stats_are_least_most_and_total():
    assert byte_stats(b"") == (0, 0, 0) and byte_stats(bytes([3, 1, 255, 2])) == (1, 255, 261)
    assert byte_stats(bytes(100_000) + b"\x07") == (0, 7, 7)


def test_texts_hold_strings_in_place():
    strings = ["Hibatullah", "", "عبد الله", "کی‌یف", "x\ud800", "é"]
    texts = Texts.of(strings)
    assert len(texts) == len(strings) and list(texts) == strings and texts == strings and texts[1:3] == strings[1:3]
    assert [texts[i] for i in range(-len(strings), len(strings))] == strings + strings
    assert Texts(*texts.columns()) == texts and pickle.loads(pickle.dumps(texts)) == texts
    for i in (len(strings), -len(strings) - 1):
        with pytest.raises(IndexError):
            texts[i]  # noqa: B018
    text, ends = Texts.of(["ab", "é", "c"]).columns()
    assert text == "abéc".encode() and list(ends) == [2, 4, 5]
    for bad in ((text + b"x", ends),  # text past the last end
                (text, array(U32, [2, 1, 5])),  # ends that fall
                (text, array(U32, [2, 3, 5])),  # an end inside é
                (b"ab\xff\xfec", ends),  # not UTF-8
                (text, array("H", [2, 4, 5]))):  # not 32-bit ends
        with pytest.raises(ValueError):
            Texts(*bad)


_ENCODED_POSTINGS = """
import hashlib, msgpack
from entityres import Gazetteer
gz = Gazetteer.from_entries([{"id": "person:a", "type": "person", "name": "Abdullah bin Said",
                              "names": {"fa": ["عبدالله بن سعید"], "ar": ["عبد الله بن سعيد"]}},
                             {"id": "person:b", "type": "person", "name": "Rustem Umerov",
                              "names": {"fa": ["رستم عمروف"]}}], cache=False)
print(hashlib.sha256(msgpack.packb(gz.index._encode()["postings"])).hexdigest())
"""


def test_the_postings_are_written_in_the_same_order_whatever_the_hash_seed():
    # The index's cache file must not change with the process's hash seed.
    digests = {subprocess.run([sys.executable, "-c", _ENCODED_POSTINGS], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(digests) == 1 and len(digests.pop()) == 65


def test_a_missing_key_is_not_added_by_a_lookup(index):
    with pytest.raises(KeyError):
        index.postings["no such key"]  # noqa: B018
    assert "no such key" not in index.postings and "no such key" not in index.exact


def test_a_large_build_shows_its_progress_on_a_terminal(monkeypatch, capsys):
    import sys

    from entityres.gazetteer import index as index_module

    entries = list(Gazetteer.from_entries(PEOPLE, cache=False))
    Index._compile(entries)
    assert "index" not in capsys.readouterr().err  # few entries: no bar
    monkeypatch.setattr(index_module, "PROGRESS_ENTRIES", 1)
    Index._compile(entries)
    assert "index" not in capsys.readouterr().err  # not a terminal: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    Index._compile(entries)
    shown = capsys.readouterr().err
    assert shown.lstrip("\r").startswith("index:") and f"0/{len(entries)}" in shown


# --- the alias walk of detection, against the Python walk it replaced -----------------------

def _walks_reference(forms, segs, starts, exact, prefixes):
    out = []

    def walk(i, j, key, cost, first):
        for f in forms[j]:
            if j > i and f[4]:
                continue
            k = f"{key} {f[0]}" if key else f[0]
            if k in exact:
                out.append((i, j, first or f, f, cost + f[3], k, exact[k]))
            if k in prefixes and not f[5] and j + 1 < len(forms) and segs[j + 1] == segs[i]:
                walk(i, j + 1, k, cost + f[3], first or f)

    for i in starts:
        walk(i, i, "", 0.0, None)
    return out


_FORM = st.tuples(st.sampled_from(["a", "b", "ab", "c"]), st.just(0), st.just(1),
                  st.sampled_from([0.0, 0.1, 0.25, 0.7]), st.booleans(), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_FORM, max_size=3).map(tuple), max_size=7), st.data())
def test_alias_walks_equal_the_python_walk(forms, data):
    from entityres.gazetteer._index import alias_walks

    segs = sorted(data.draw(st.lists(st.integers(0, 2), min_size=len(forms), max_size=len(forms))))
    starts = sorted(data.draw(st.sets(st.integers(0, max(len(forms) - 1, 0)))) if forms else [])
    names = data.draw(st.lists(st.sampled_from(["a", "b", "ab", "a b", "b a", "a b c", "ab c", "c c"]), max_size=6, unique=True))
    collector = Collector()
    for n, name in enumerate(names):
        collector.add(((name,),), n)
    exact = collector.runs()
    prefixes = Keys.of(sorted({" ".join(name.split()[:k]) for name in names for k in range(1, name.count(" ") + 2)}))
    got = alias_walks(forms, segs, starts, exact, prefixes)
    assert got == _walks_reference(forms, segs, starts, exact, prefixes)
    assert all(type(g[6]) is tuple and exact[g[5]] == g[6] for g in got)


def test_alias_walks_read_an_alias_over_tokens_and_refuse_what_they_cannot_read():
    from entityres.gazetteer._index import alias_walks

    collector = Collector()
    collector.add((("nur sultan",), ("sultan",)), 0)
    exact, prefixes = collector.runs(), Keys.of(["nur", "nur sultan", "sultan"])
    nur, sultan = ("nur", 0, 3, 0.0, False, False), ("sultan", 0, 6, 0.5, False, False)
    assert alias_walks([(nur,), (sultan,)], [0, 0], [0, 1], exact, prefixes) == [
        (0, 1, nur, sultan, 0.5, "nur sultan", (0,)), (1, 1, sultan, sultan, 0.5, "sultan", (0,))]
    assert alias_walks([(nur,), (sultan,)], [0, 1], [0], exact, prefixes) == []  # punctuation parts them
    with pytest.raises(ValueError, match="1 segments for 2 tokens"):
        alias_walks([(nur,), (sultan,)], [0], [0], exact, prefixes)
    with pytest.raises(ValueError, match="no token 2 of 2"):
        alias_walks([(nur,), (sultan,)], [0, 0], [2], exact, prefixes)
    with pytest.raises(TypeError, match="a form is a tuple of 6 items"):
        alias_walks([(("nur", 0, 3),)], [0], [0], exact, prefixes)


def test_vocab_surfaces_are_the_words_surfaces_without_making_them(index):
    vocab = Index._decode(index._encode(), index.entries).vocab
    n = len(index.vocab_words)
    assert vocab.surfaces([n - 1, 0, 0]) == [index.vocab[index.vocab_words[i]].surface for i in (n - 1, 0, 0)]
    assert vocab.words.made() == 0  # read from the column
    with pytest.raises(IndexError, match=f"no word {n} of {n}"):
        vocab.surfaces([n])
