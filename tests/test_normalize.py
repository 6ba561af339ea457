"""Script normalisation: one test per named rule, offsets, and properties over arbitrary Unicode."""
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entityres import normalize
from entityres.text import tables
from entityres.text.normalize import GENERIC_RULES, rule_for

# rule name -> pairs of spellings that must normalise alike, written for these tests.
RULE_EXAMPLES = {
    "arabic_yeh": [("علي", "علی"), ("موسى", "موسی"), ("زيلينسكي", "زیلینسکی")],
    "arabic_kaf": [("كوشنر", "کوشنر"), ("ګل", "گل")],
    "heh_and_teh_marbuta": [("غزة", "غزه"), ("خانۀ", "خانه"), ("ہرات", "هرات")],
    "hamza_seats": [("أوكرانيا", "اوكرانيا"), ("آمریکا", "امریکا"), ("إسرائيل", "اسرائيل"), ("مسؤول", "مسوول"), ("رئيس", "رییس"), ("علاء", "علا")],
    "regional_letters": [("ټول", "تول"), ("ښار", "شار"), ("ڤلاديمير", "فلاديمير")],
    "tatweel": [("جـونـي", "جوني")],
    "zero_width": [("کی\u200dیف", "کییف"), ("ترامپ\u2060", "ترامپ"), ("\ufeffپوتین", "پوتین")],
    "bidi_controls": [("عمر\u200fوف", "عمروف"), ("\u202bکییف\u202c", "کییف"), ("\u2067مسکو\u2069", "مسکو"), ("ب\u061cوتين", "بوتين")],
    "spaces": [("جرد\u00a0کوشنر", "جرد کوشنر"), ("جرد\u202fکوشنر", "جرد کوشنر"), ("a\tb", "a b"), ("a\rb", "a\nb")],
    "digits": [("۱۴۰۴", "1404"), ("٢٠٢٥", "2025")],
    "punctuation": [("«مسکو»", '"مسکو"'), ("کییف، مسکو؛ ژنو؟", "کییف, مسکو; ژنو?"), ("٪۵", "%5")],
}
GENERIC_EXAMPLES = {
    "combining_marks": [("مُحَمَّدٌ", "محمد"), ("Gene\u0300ve", "Geneve")],
    # precomposed letters decompose first (compatibility_forms), then lose the mark

    "format_controls": [("ab\u180ec", "abc")],
    "other_spaces": [("a\u2003b", "a b")],
    "other_line_breaks": [("a\u2028b", "a\nb")],
    "control_characters": [("a\x07b", "a b"), ("a\nb", "a\nb")],
    "lone_surrogates": [("a\ud800b", "a\ufffdb")],
    "compatibility_forms": [("ﻻ", "لا"), ("ﺑﻮﺗﻴﻦ", "بوتین"), ("ﷲ", "الله"), ("Ｐｕｔｉｎ", "Putin")],
}


def test_every_rule_has_examples():
    assert set(RULE_EXAMPLES) == set(tables.load("script")["rules"])
    assert set(GENERIC_EXAMPLES) == set(GENERIC_RULES)


@pytest.mark.parametrize("rule,a,b", [(r, a, b) for r, pairs in {**RULE_EXAMPLES, **GENERIC_EXAMPLES}.items() for a, b in pairs])
def test_rule(rule, a, b):
    assert normalize(a).text == normalize(b).text
    # the rule named is the one that decides at least one character of the example
    assert any(rule_for(c)[1] == rule for c in a + b)


def test_zwnj_kept_but_unified():
    assert normalize("می\u200cشود").text == "می\u200cشود"


def test_offsets_point_into_original_text():
    text = "\u200fرئيسِ جمهورِ «اوكراين»"
    norm = normalize(text)
    i = norm.text.index("اوکراین")
    start, end = norm.span(i, i + len("اوکراین"))
    assert text[start:end] == "اوكراين"


def test_combining_mark_stays_with_its_letter():
    text = "محمدٌ"
    norm = normalize(text)
    assert norm.text == "محمد"
    assert norm.span(0, 4) == (0, 5)


def test_dropped_control_is_not_pulled_into_a_span():
    text = "مسکو\u200f"
    norm = normalize(text)
    assert norm.span(0, len(norm.text)) == (0, 4)


def test_expansion_maps_every_output_char_to_its_source():
    text = "x ﷲ y"
    norm = normalize(text)
    assert norm.text == "x الله y"
    assert norm.span(2, 6) == (2, 3)


def test_empty_and_huge_input():
    assert normalize("").text == ""
    big = ("کی\u200cیف\u200f " * 50000)
    norm = normalize(big)
    assert norm.span(len(norm.text) - 5, len(norm.text) - 1)[1] <= len(big)


def test_bad_span_and_type_raise_clearly():
    with pytest.raises(IndexError):
        normalize("abc").span(2, 5)
    with pytest.raises(TypeError):
        normalize(b"abc")  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_idempotent(text):
    once = normalize(text).text
    assert normalize(once).text == once


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_every_offset_maps_into_the_original(text):
    norm = normalize(text)
    last_start = 0
    for i in range(len(norm.text)):
        start, end = norm.span(i, i + 1)
        assert 0 <= start < end <= len(text)
        assert start >= last_start
        last_start = start
        # the source of a letter holds that letter's base (up to folding)
        src = text[start:end]
        assert normalize(src).text.find(norm.text[i]) >= 0 or unicodedata.category(norm.text[i]).startswith("Z")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6ff) | st.sampled_from(" \u200c\u200f\u0640a")))
def test_arabic_script_text_is_stable(text):
    norm = normalize(text)
    assert normalize(norm.text).text == norm.text
    assert norm.span(0, len(norm.text))[1] <= len(text)


def _per_character(text: str) -> tuple[str, list[int], list[int]]:
    """Normalisation written as one step per character: the reference for the pattern path."""
    out, starts, ends = [], [], []
    for i, c in enumerate(text):
        replacement, rule = rule_for(c)
        if not replacement and rule == "combining_marks" and ends and ends[-1] == i:
            ends[-1] = i + 1  # a dropped mark joins the letter before it
        for r in replacement:
            out.append(r)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6ff) | st.characters(max_codepoint=0x3000)))
def test_normalize_equals_the_per_character_reference(text):
    norm = normalize(text)
    assert (norm.text, *map(list, norm.offsets())) == _per_character(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6ff) | st.characters(max_codepoint=0x3000),
               max_size=40))
def test_normalize_text_equals_the_per_character_reference(text):
    # a short text of characters known and kept is returned as it is; any other goes by the patterns
    from entityres.text import normalize as module

    assert module.normalize_text(text) == _per_character(text)[0]
    assert module.normalize_text(text) == _per_character(text)[0]  # its characters known now


def test_normalize_text_takes_a_str_alone():
    from entityres.text import normalize as module

    with pytest.raises(TypeError):
        module.normalize_text(["a"])  # type: ignore[arg-type]


def test_past_max_known_the_per_character_path_gives_the_same(monkeypatch):
    from entityres.text import normalize as module

    text = "مُحَمَّدٌ علي\u00a0كوشنر «۱۴۰۴» ﻻ\u2067ﷲ\u2069 Ǆ \U0001d400\u0640x"
    monkeypatch.setattr(module, "MAX_KNOWN", 0)
    monkeypatch.setattr(module, "_seen", set())
    monkeypatch.setattr(module, "_KNOWN", module._known(()))
    assert module._known_for(text) is None
    norm = normalize(text)
    assert (norm.text, *map(list, norm.offsets())) == _per_character(text)


def test_a_long_text_of_few_characters_is_learned_and_names_at_once(monkeypatch):
    from entityres.text import normalize as module

    monkeypatch.setattr(module, "MAX_KNOWN", 40)
    monkeypatch.setattr(module, "_seen", set())
    monkeypatch.setattr(module, "_KNOWN", module._known(()))
    text = "تهران و کابل، " * 400  # thousands of characters, a dozen distinct
    assert module._known_for(text) is not None and module._seen == set(text)
    compiled = []
    monkeypatch.setattr(module, "_known", lambda chars, real=module._known: compiled.append(1) or real(chars))
    names = ["Zaporizhzhia", "زاپوروژیا", "Ǆoković", "ويتكوف"]
    module.learn(names)
    assert len(compiled) == 1 and module._seen >= set("".join(names))
    assert [normalize(n).text for n in names] == [_per_character(n)[0] for n in names] and len(compiled) == 1


def test_learning_reads_only_the_first_texts(monkeypatch):
    from entityres.text import normalize as module

    monkeypatch.setattr(module, "LEARN_TEXTS", 2)
    monkeypatch.setattr(module, "_seen", set())
    monkeypatch.setattr(module, "_KNOWN", module._known(()))
    read = []
    module.learn(read.append(t) or t for t in ["ab", "cd", "ÉÈ", "ef"])
    assert read == ["ab", "cd"] and module._seen == set("abcd")
    assert normalize("ÉÈ").text == _per_character("ÉÈ")[0] and module._seen >= set("ÉÈ")  # learned as it comes
