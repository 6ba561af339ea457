"""Tokens keep exact offsets; clitics and affixes yield stems as alternatives, never replacements."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entityres import normalize, stems, tokenize
from entityres.text import tables


def _stems(text, lang):
    norm = normalize(text)
    return {tok.text: [(text[s.start:s.end], s.prefix, s.suffix) for s in stems(tok, norm, lang)] for tok in tokenize(norm)}


def test_token_offsets_are_exact_in_the_original():
    text = "\u200fدیدار «ترامپ» و\u00a0پوتین در کی‌یف؛ O'Brien"
    tokens = tokenize(text)
    assert [text[t.start:t.end] for t in tokens] == ["دیدار", "ترامپ", "و", "پوتین", "در", "کی‌یف", "O'Brien"]


def test_tokens_span_marks_and_hidden_controls_inside_a_word():
    text = "مُحَمَّد عمر\u200fوف"
    assert [text[t.start:t.end] for t in tokenize(text)] == ["مُحَمَّد", "عمر\u200fوف"]


@pytest.mark.parametrize("word,stem,prefix", [
    ("وبوتين", "بوتين", "و"),
    ("فترامب", "ترامب", "ف"),
    ("بموسكو", "موسكو", "ب"),
    ("لإسرائيل", "إسرائيل", "ل"),
    ("كترامب", "ترامب", "ک"),
    ("الرياض", "رياض", "ال"),
    ("والرياض", "رياض", "وال"),
    ("بالقاهرة", "قاهرة", "بال"),
    ("للولايات", "ولايات", "لل"),
])
def test_arabic_proclitics(word, stem, prefix):
    alternatives = _stems(word, "ar")[normalize(word).text]
    assert alternatives[0] == (word, "", "")  # the whole token always comes first
    assert (stem, prefix, "") in alternatives


@pytest.mark.parametrize("name", ["ولادیمیر", "فلوریدا", "بوتين", "لبنان", "كوشنر", "الولايات"])
def test_names_that_begin_with_clitic_letters_survive(name):
    assert _stems(name, "ar")[normalize(name).text][0][0] == name


@pytest.mark.parametrize("word,stem,suffix", [
    ("ترامپ‌ها", "ترامپ", "ها"),
    ("ترامپها", "ترامپ", "ها"),
    ("اوکراینی‌های", "اوکراینی", "های"),
    ("پوتینی", "پوتین", "ی"),
    ("کابل‌ای", "کابل", "ای"),
    ("مسکورا", "مسکو", "را"),
])
def test_persian_suffixes(word, stem, suffix):
    assert (stem, "", suffix) in _stems(word, "fa")[normalize(word).text]


def test_affix_tables_follow_the_language():
    assert len(_stems("وبوتين", "fa")["وبوتین"]) == 1  # Persian writes و apart
    assert ("ترامپ", "", "ها") not in _stems("ترامپها", "ar")["ترامپها"]
    assert ("الرياض", "", "") in _stems("الرياض", "fa")["الریاض"]


def test_every_affix_group_is_exercised():
    groups = set(tables.load("affixes")["arabic"]) | {"suffixes"}
    exercised = {"conjunctions": "و", "prepositions": "ب", "article": "ال", "lam_article": "لل", "suffixes": "ها"}
    assert groups == set(exercised)


def test_min_stem_keeps_short_words_whole():
    assert _stems("وو", "ar")["وو"] == [("وو", "", "")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6ff) | st.sampled_from(" \u200c\u200f\u0640aZ'-")),
       st.sampled_from(["fa", "prs", "ar", None]))
def test_stem_offsets_always_land_inside_their_token(text, lang):
    norm = normalize(text)
    for tok in tokenize(norm):
        assert 0 <= tok.start < tok.end <= len(text)
        for s in stems(tok, norm, lang):
            assert tok.start <= s.start < s.end <= tok.end


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="وبلکفالهایمشانت\u200cx", max_size=9), st.sampled_from(["fa", "ar", "prs", None]))
def test_stem_cuts_equal_every_affix_tried(word, lang):
    # the loop over every affix that the look-ups by length replaced
    from entityres.text.tokens import ZWNJ, _affix_table, stem_cuts

    prefix_forms, suffix_forms = ([f for _, forms in group for f in forms] for group in _affix_table(lang)[:2])
    min_stem = tables.load("affixes")["min_stem"]
    cuts = {(0, len(word))}
    for prefix in prefix_forms:
        if word.startswith(prefix) and len(word) - len(prefix) >= min_stem:
            cuts.add((len(prefix), len(word)))
    for suffix in suffix_forms:
        cut = len(word) - len(suffix)
        if word.endswith(suffix) and len(word[:cut].rstrip(ZWNJ)) >= min_stem:
            cuts.add((0, len(word[:cut].rstrip(ZWNJ))))
    if ZWNJ in word:
        cuts.add((0, word.index(ZWNJ)))
    assert stem_cuts(word, lang) == tuple(sorted(cuts, key=lambda c: (c != (0, len(word)), c)))
