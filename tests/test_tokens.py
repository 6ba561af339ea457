"""Tokens keep exact offsets; clitics and affixes yield stems as alternatives, never replacements."""
import re

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


# --- the tokens kernel against the regular expression that defines a token --------------------

TOKEN = re.compile(r"[^\W_]+(?:['\u200c][^\W_]+)*")  # letters and digits; ' or ZWNJ between two
# letters, digits and marks of the scripts we read, the joints, and what is no part of a token
ALPHABET = "ab9_ '\u200c\u200d-.،؟ابپی٣۴\u064e\u0670ـ\u00b2\u2163\U0001d400\U0001f600\ud800"


def _expected(text, starts=None, ends=None):
    return [(m.group(), starts[m.start()] if starts else m.start(), ends[m.end() - 1] if ends else m.end(),
             m.start(), m.end()) for m in TOKEN.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_tokens_kernel_equals_the_regular_expression(text):
    from array import array

    from entityres.text._kernels import tokens
    from entityres.text.tokens import Token

    got = tokens(Token, text)
    assert got == _expected(text) and all(type(t) is Token for t in got)
    starts, ends = array("q", range(3, 3 + 2 * len(text), 2)), array("q", range(4, 4 + 2 * len(text), 2))
    assert tokens(Token, text, starts, ends) == _expected(text, list(starts), list(ends))


@given(st.text(max_size=60))
def test_tokenize_equals_the_regular_expression_on_any_text(text):
    norm = normalize(text)
    starts, ends = norm.offsets()
    assert tokenize(norm) == _expected(norm.text, list(starts), list(ends))


def test_tokens_kernel_refuses_what_it_cannot_make():
    from array import array

    from entityres.text._kernels import tokens
    from entityres.text.tokens import Stem, Token

    with pytest.raises(TypeError, match="named tuple of text, start, end, nstart, nend"):
        tokens(Stem, "ab")  # five items, other fields
    with pytest.raises(TypeError):
        tokens(list, "ab")
    with pytest.raises(TypeError, match="starts and ends, or neither"):
        tokens(Token, "ab", array("q", [0, 1]))
    with pytest.raises(ValueError, match="offsets of 1 and 2 characters for a text of 2"):
        tokens(Token, "ab", array("q", [0]), array("q", [1, 2]))
    assert tokens(Token, "") == [] and tokens(Token, " _ ") == []


# --- what stands between tokens (the gaps kernel) against slicing ----------------------------

@given(st.text(alphabet=ALPHABET + "  ;\n", max_size=40))
def test_text_gaps_and_squeezed_gaps_equal_slices_of_the_text(text):
    from entityres.text.tokens import squeezed_gaps, text_gaps

    norm = normalize(text)
    tokens, t = tokenize(norm), norm.text
    bounds = [0] + [b for tok in tokens for b in (tok.nstart, tok.nend)] + [len(t)]
    between = [t[a:b] for a, b in zip(bounds[::2], bounds[1::2])] if tokens else []
    assert text_gaps(norm, tokens) == between
    if tokens:  # the gaps and tokens make the text again
        assert "".join(g + tok.text for g, tok in zip(between, tokens)) + between[-1] == t
    assert squeezed_gaps(norm, tokens) == [""] * bool(tokens) + [g.replace(" ", "") for g in between[1:-1]]


def test_gaps_kernel_refuses_tokens_out_of_order():
    from entityres.text._kernels import gaps
    from entityres.text.tokens import Token

    assert gaps("ab cd", [Token("ab", 0, 2, 0, 2), Token("cd", 3, 5, 3, 5)], False) == ["", " ", ""]
    assert gaps("ab , cd", [Token("ab", 0, 2, 0, 2), Token("cd", 5, 7, 5, 7)], True) == ["", ","]
    assert gaps("", [], False) == [] and gaps("", [], True) == []
    with pytest.raises(ValueError, match="token 1 at 1:2 is out of order in a text of 5 characters"):
        gaps("ab cd", [Token("ab", 0, 2, 0, 2), Token("b", 1, 2, 1, 2)], False)
    with pytest.raises(ValueError, match="token 0 at 4:9 is out of order"):
        gaps("ab cd", [Token("x", 4, 9, 4, 9)], True)
    with pytest.raises(TypeError, match="token 0 is not a tuple"):
        gaps("ab", [["ab", 0, 2, 0, 2]], False)
    with pytest.raises(TypeError, match="token 0 is not a tuple"):
        gaps("ab", [("ab", 0, 2)], False)
