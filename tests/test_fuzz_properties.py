"""Properties over every public entry point on generated text: offsets exact, scores in range, and
no exception but the documented ones (tests/fuzz/targets.py holds the checks; the atheris runner and
benchmarks/reliability.py use the same ones)."""
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
import targets  # noqa: E402

CORPUS = sorted((Path(__file__).parent / "fuzz" / "corpus").glob("*.txt"))
# Letters, marks, digits, spaces and punctuation of the scripts entityres reads, and some it must survive.
ALPHABET = st.sampled_from(list(
    "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكۀةأإآؤئءًٌٍَُِّْٰ۰۱۲٠١٢ـ\u200c\u200d\u200f\u202e\u2066\u2069"
    " \t\n،؛؟.!-«»()'\"abcxyzABCZ019éüКиївアヽゝカヾ\U00010400\U0001d400😀\x00\ufeff"))
TEXT = st.one_of(st.text(ALPHABET, max_size=80), st.text(max_size=40))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_seed_corpus(name):
    assert CORPUS
    for n, path in enumerate(CORPUS):
        targets.TARGETS[name](path.read_text(encoding="utf-8"), n)


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
@SETTINGS
@given(text=TEXT, n=st.integers(0, 3))
def test_entry_point_properties(name, text, n):
    targets.TARGETS[name](text, n)


@SETTINGS
@given(words=st.lists(st.text(ALPHABET, min_size=1, max_size=12), min_size=1, max_size=30))
def test_resolve_offsets_on_sentences(words):
    targets.resolve(" ".join(words), 0)
