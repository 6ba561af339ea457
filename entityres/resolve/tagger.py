"""A trained name tagger: person, place and organisation spans in running text, known or not.

A linear-chain CRF (python-crfsuite) labels entityres tokens with BIO tags over ``PER``, ``LOC``
and ``ORG``. Organisations are tagged so that their names stop passing for people (طالبان). The
features are what entityres knows about a word, computed once per word and cached:

* the normalised word, its clitic- and suffix-stripped stems (:func:`entityres.text.tokens.stem_cuts`),
  its first and last letters, its shape (Latin, capitalised, digits) and length;
* the cross-script key of its main stem (:func:`entityres.text.keys.word_keys`): ترامپ and ترمپ meet;
* how common it is (wordfreq's Zipf scale, in half-steps): names are rare words;
* the gazetteer: whether a stem is a whole alias (and of which type), begins a longer alias, is a
  person's last or first name, or continues the alias the previous word began;

and, per position, the cue tables (a title, a verb of saying, a place word or an organisation
word ends here or just before), the punctuation around the word, its place in the sentence,
and the words and gazetteer flags of its neighbours (±2). Sentences end at . ! ? ؟ and line breaks.

The shipped model (``entityres/models/tagger.crfsuite``, see docs/tagger.md) was trained on openly
licensed corpora only. :func:`train` rebuilds it, or trains one on the user's corpora; training is
deterministic (L-BFGS over the whole data, no sampling): the same corpora give the same model.
"""
from __future__ import annotations

import json
import threading
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import pycrfsuite

from ..gazetteer.index import Index, fold_word
from ..text import cues
from ..text.frequency import zipf
from ..text.keys import word_keys
from ..text.normalize import ZWNJ, Normalized, normalize
from ..text.tokens import Token, stem_cuts, tokenize
from .conll import Sentence

FEATURES_VERSION = 1  # bump when features change: a model trained on other features is refused
MODEL = "tagger.crfsuite"
LABELS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")
SENTENCE_ENDS = frozenset(".!?؟\n")
CUE_GROUPS = ("person_titles", "person_cues_before", "person_cues_after", "place_words", "place_prepositions",
              "organisation_words", "organisation_endings", "not_names")
# L-BFGS with an elastic net: c1 prunes rare features (a small model), c2 smooths the rest.
TRAIN_PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True,
                "feature.minfreq": 1}


class TaggedSpan(NamedTuple):
    first: int  # token positions, inclusive
    last: int
    start: int  # original offsets
    end: int
    type: str  # PER | LOC | ORG


def shipped_model() -> Path:
    """The model inside the package."""
    return Path(str(files("entityres") / "models" / MODEL))


# --- features ---------------------------------------------------------------------------------

def _zipf_bucket(word: str, lang: str | None) -> str:
    z = zipf(word, lang)
    return str(min(int(z * 2), 14))  # half-steps; 0 for words wordfreq has not seen


@lru_cache(maxsize=1 << 17)
def _word_features(word: str, lang: str | None, index: Index) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(own features, features a neighbour sees, the folded main stem) of one normalised word."""
    lower = word.casefold()
    cuts = stem_cuts(word, lang)
    stems = [word[a:b] for a, b in cuts]
    # The main stem: proclitics off (وبوتين → بوتين), suffixes kept; the word itself when none.
    main = min((word[a:b] for a, b in cuts if b == len(word)), key=len) if len(cuts) > 1 else word
    main_key = fold_word(main.replace(ZWNJ, ""))
    gaz = set()
    for stem in stems:
        key = " ".join(fold_word(w) for w in stem.replace(ZWNJ, " ").split())
        joined = key.replace(" ", "")
        for k in {key, joined}:
            for a in index.exact.get(k, ()):
                gaz.add("g=" + index.aliases[a].type)
            if k in index.prefixes:
                gaz.add("gb")
            if k in index.parts:
                gaz.add("gp")
            if k in index.given:
                gaz.add("gg")
    keys = word_keys(main)
    shape = ("L" + ("c" if word[:1].isupper() else "")) if word.isascii() and word.isalpha() else (
        "D" if any(c.isdigit() for c in word) else "A")
    own = ["b", "w=" + lower, "k=" + (keys[0][0] if keys else ""), "z=" + _zipf_bucket(word, lang),
           "zs=" + _zipf_bucket(main, lang), "sh=" + shape, "n=" + str(min(len(word), 10)),
           "p2=" + lower[:2], "p3=" + lower[:3], "x2=" + lower[-2:], "x3=" + lower[-3:], "x4=" + lower[-4:],
           "lang=" + (lang or "")]
    own += ["s=" + s.casefold() for s in stems[1:]]
    if ZWNJ in word:
        own.append("zwnj")
    own += sorted(gaz)
    near = ["w=" + lower, "s=" + main.casefold(), "z=" + _zipf_bucket(word, lang), "sh=" + shape, *sorted(gaz)]
    return tuple(own), tuple(near), main_key


@lru_cache(maxsize=1 << 18)
def _shifted(features: tuple[str, ...], offset: int) -> tuple[str, ...]:
    tag = f"{offset:+d}"
    return tuple(tag + f for f in features)


def _gap(text: str) -> str:
    return "".join(c for c in text if not c.isspace())[:2]


def sentence_features(words: Sequence[str], gaps: Sequence[str], lang: str | None, index: Index) -> list[list[str]]:
    """Features of one sentence: ``words`` normalised, ``gaps[i]`` what stands before word ``i``
    (``gaps[len(words)]``: after the last)."""
    n = len(words)
    per_word = [_word_features(w, lang, index) for w in words]
    ends = cues.ends(words, CUE_GROUPS, lang)
    flags: list[list[str]] = [[] for _ in range(n)]
    for group in CUE_GROUPS:
        row = ends[group]
        for j in range(n):
            if row[j + 1]:
                flags[j].append("c=" + group)  # a phrase of the group ends at word j
            if row[j]:
                flags[j].append("c<" + group)  # ... or right before it
    out = []
    prefixes = index.prefixes
    exact = index.exact
    for i in range(n):
        own, near, key = per_word[i]
        f = list(own)
        f += flags[i]
        gap = _gap(gaps[i])
        if gap:
            f.append("g<" + gap)
        after = _gap(gaps[i + 1])
        if after:
            f.append("g>" + after)
        if i == 0:
            f.append("first")
        elif i == 1:
            f.append("second")
        if i == n - 1:
            f.append("last")
        if i:
            prev_key = per_word[i - 1][2]
            pair = prev_key + " " + key
            if pair in prefixes or pair in exact:
                f.append("gc")  # this word continues the alias the previous one began
            f += _shifted(per_word[i - 1][1], -1)
            f += _shifted(tuple(flags[i - 1]), -1)
            f.append("w-1|w=" + per_word[i - 1][0][1][2:] + "|" + own[1][2:])
            if i > 1:
                f += _shifted(per_word[i - 2][1][:2], -2)
        if i + 1 < n:
            f += _shifted(per_word[i + 1][1], 1)
            f += _shifted(tuple(flags[i + 1]), 1)
            if i + 2 < n:
                f += _shifted(per_word[i + 2][1][:2], 2)
        out.append(f)
    return out


def sentences_of(norm: Normalized, tokens: list[Token]) -> list[tuple[int, int, list[str]]]:
    """``(first, end, gaps)`` token ranges of the sentences of a tokenised text; gaps as in
    :func:`sentence_features`."""
    text = norm.text
    out = []
    first = 0
    gaps = [text[:tokens[0].nstart] if tokens else ""]
    for i, tok in enumerate(tokens):
        gap = text[tok.nend:tokens[i + 1].nstart] if i + 1 < len(tokens) else text[tok.nend:]
        gaps.append(gap)
        if i + 1 == len(tokens) or not SENTENCE_ENDS.isdisjoint(gap):
            out.append((first, i + 1, gaps))
            first, gaps = i + 1, [gap]
    return out


# --- training data ----------------------------------------------------------------------------

def token_labels(sentence: Sentence, tokens: list[Token]) -> list[str]:
    """BIO labels of entityres tokens from a sentence's gold spans (PER, LOC and ORG only).

    A gold span covers the tokens that lie inside it; a corpus token that entityres splits
    (a hyphenated name) gives several tokens of one span, and punctuation gives none.
    """
    labels = ["O"] * len(tokens)
    for span in sentence.spans:
        if span.type not in ("PER", "LOC", "ORG"):
            continue
        inside = [i for i, t in enumerate(tokens) if span.start <= t.start and t.end <= span.end]
        for n, i in enumerate(inside):
            labels[i] = ("B-" if n == 0 else "I-") + span.type
    return labels


def training_items(sentences: Iterable[Sentence], lang: str, index: Index):
    """(features, labels) per sentence with at least one token."""
    for sentence in sentences:
        norm = normalize(sentence.text)
        tokens = tokenize(norm)
        if not tokens:
            continue
        labels = token_labels(sentence, tokens)
        for first, end, gaps in sentences_of(norm, tokens):
            words = [t.text for t in tokens[first:end]]
            yield sentence_features(words, gaps, lang, index), labels[first:end]


def train(corpora: Sequence[tuple[Iterable[Sentence], str]], out: str | Path, index: Index,
          params: dict | None = None, log=None) -> dict:
    """Train a model on ``corpora`` (``(sentences, lang)`` pairs) and write it to ``out``.

    Returns the metadata written beside the model (``out`` + ``.json``).
    """
    trainer = pycrfsuite.Trainer(verbose=False)
    counts = []
    for sentences, lang in corpora:
        n = 0
        for features, labels in training_items(sentences, lang, index):
            trainer.append(features, labels)
            n += len(labels)
        counts.append(n)
    if not any(counts):
        raise ValueError("no training tokens: the corpora are empty")
    settings = dict(TRAIN_PARAMS, **(params or {}))
    trainer.set_params(settings)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    meta = {"features_version": FEATURES_VERSION, "labels": list(LABELS), "params": settings,
            "tokens": sum(counts), "iterations": trainer.logparser.last_iteration["num"]
            if trainer.logparser.last_iteration else None}
    Path(str(out) + ".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


# --- tagging ----------------------------------------------------------------------------------

class Tagger:
    """A trained model, loaded once; :meth:`spans` is safe to call from several threads."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else shipped_model()
        if not self.path.is_file():
            raise FileNotFoundError(f"no tagger model at {self.path}")
        meta = Path(str(self.path) + ".json")
        if meta.is_file():
            version = json.loads(meta.read_text(encoding="utf-8")).get("features_version")
            if version != FEATURES_VERSION:
                raise ValueError(f"{self.path} was trained on features version {version}; this entityres "
                                 f"computes version {FEATURES_VERSION}: retrain it (entityres tagger train)")
        self._local = threading.local()
        self._open()  # a broken file fails here, not at the first text

    def _open(self) -> pycrfsuite.Tagger:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = pycrfsuite.Tagger()
            try:
                tagger.open(str(self.path))
            except (OSError, ValueError) as err:
                raise ValueError(f"{self.path} is not a tagger model: {err}") from None
            self._local.tagger = tagger
        return tagger

    def labels(self, norm: Normalized, tokens: list[Token], lang: str | None, index: Index) -> list[str]:
        """One BIO label per token."""
        tagger = self._open()
        out: list[str] = []
        for first, end, gaps in sentences_of(norm, tokens):
            words = [t.text for t in tokens[first:end]]
            out += tagger.tag(sentence_features(words, gaps, lang, index))
        return out

    def spans(self, norm: Normalized, tokens: list[Token], lang: str | None, index: Index) -> list[TaggedSpan]:
        """Typed spans of a tokenised text, in text order."""
        return spans_of(self.labels(norm, tokens, lang, index), tokens)


def spans_of(labels: Sequence[str], tokens: Sequence[Token]) -> list[TaggedSpan]:
    """Spans of BIO labels; an I- that continues no span of its type starts one."""
    out: list[TaggedSpan] = []
    for i, label in enumerate(labels):
        if label == "O":
            continue
        kind = label[2:]
        if label[0] == "I" and out and out[-1].last == i - 1 and out[-1].type == kind:
            out[-1] = out[-1]._replace(last=i, end=tokens[i].end)
        else:
            out.append(TaggedSpan(i, i, tokens[i].start, tokens[i].end, kind))
    return out


def score(tagger: Tagger, sentences: Iterable[Sentence], lang: str, index: Index) -> dict[str, dict[str, float]]:
    """Exact typed span precision, recall and F1 per type (PER, LOC, ORG) of ``tagger`` on gold
    sentences. Gold spans are compared as the entityres tokens they cover."""
    counts = {t: [0, 0, 0] for t in ("PER", "LOC", "ORG")}  # correct, predicted, gold
    for sentence in sentences:
        norm = normalize(sentence.text)
        tokens = tokenize(norm)
        gold = set(spans_of(token_labels(sentence, tokens), tokens))
        for span in tagger.spans(norm, tokens, lang, index):
            counts[span.type][1] += 1
            counts[span.type][0] += span in gold
        for span in gold:
            counts[span.type][2] += 1
    return {t: prf(*c) for t, c in counts.items()}


def prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "correct": correct, "predicted": predicted, "gold": gold}


@lru_cache(maxsize=8)
def load_tagger(path: str | None = None) -> Tagger:
    """A tagger per model file, shared (the shipped one for None)."""
    return Tagger(path)
