"""A trained name tagger: person, place and organisation spans in running text, known or not.

A linear-chain CRF (python-crfsuite) labels entityres tokens with BIO tags over ``PER``, ``LOC``
and ``ORG``. Organisations are tagged so that their names stop passing for people (طالبان). The
features are what entityres knows about a word, computed once per word and cached:

* the normalised word, its clitic- and suffix-stripped stems (:func:`entityres.text.tokens.stem_cuts`),
  its first and last letters, its shape (Latin, capitalised, digits) and length;
* the cross-script key of its main stem (:func:`entityres.text.keys.top_key`): ترامپ and ترمپ meet;
* how common it is (wordfreq's Zipf scale, in half-steps): names are rare words;
* the gazetteer: whether a stem is a whole alias (and of which type), begins a longer alias, is a
  person's last or first name, or continues the alias the previous word began;

and, per position, the cue tables (a title, a verb of saying, a place word or an organisation
word ends here or just before), the punctuation around the word, its place in the sentence,
and the words and gazetteer flags of its neighbours (±2). Sentences end at . ! ? ؟ and line breaks.

crfsuite trains the model; tagging reads its weights from an entityres model file (gzip-compressed
msgpack: names and arrays, nothing that runs code) and decodes in C (:mod:`entityres.resolve._decode`),
with each word's scores computed once and remembered. The shipped model
(``entityres/models/tagger.msgpack.gz``, see docs/tagger.md) was trained on openly
licensed corpora only. :func:`train` rebuilds it, or trains one on the user's corpora; training is
deterministic (L-BFGS over the whole data, no sampling): the same corpora give the same model.
"""
from __future__ import annotations

import gzip
import sys
import tempfile
import threading
import weakref
from array import array
from functools import lru_cache
from importlib.resources import files
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

import msgpack
import pycrfsuite

from ..gazetteer.index import Index, fold_word
from ..memo import SMALL, WORDS, per_index
from ..text import cues
from ..text import frequency
from ..text.keys import top_key
from ..text.normalize import Normalized, normalize
from ..text.tokens import Token, stem_cuts, text_gaps, tokenize
from ._decode import SEEN_MARKS, decode, gap_marks, local_features as _local_features, new_word_scores, slots_and_keys
from ._decode import sentence_ends as _sentence_ends, split_attributes
from ._decode import word_features as _c_word_features
from .cluster import compound_parts
from .conll import Sentence

FEATURES_VERSION = 2  # bump when features change: a model trained on other features is refused
FORMAT = "entityres-tagger"
MODEL = "tagger.msgpack.gz"
MAX_MEMO = SMALL  # words whose scores a tagger remembers
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

NEIGHBOURS = (-2, -1, 1, 2)  # a word's features as the word this far away sees them
ROWS = 1 + len(NEIGHBOURS)  # a word's scores per label: its own features, then as each neighbour sees it


class WordFeatures(NamedTuple):
    own: tuple[str, ...]
    seen: tuple[tuple[str, ...], ...]  # per NEIGHBOURS offset: what the word at that offset from this one sees
    key: str  # the folded main stem, for alias continuation


def _word_features(word: str, lang: str | None, index: Index) -> WordFeatures:
    """The features of one normalised word that do not depend on its place in the text: the word
    (``w=``), its stems other than itself (``s=``, the main stem being the shortest with proclitics
    off and suffixes kept: وبوتين → بوتين), the cross-script key of the main stem (``k=``), the Zipf
    half-step of the word and of its main stem (``z=``, ``zs=``), shape, length, first and last
    letters, language, ZWNJ, a compound name written joined (حشمتالله: ``cmp``), and the gazetteer
    flags of its stems (``g=TYPE`` a whole alias, ``gb`` begins one, ``gp`` / ``gg`` a person's
    last / first name). ``seen``: what its neighbours see of it (the word, its main stem, Zipf,
    shape and gazetteer flags at ±1; the word and main stem at ±2). The strings are built in C
    (:func:`entityres.resolve._decode.word_features`); the tests hold the Python they replaced."""
    own, near, key = _word_parts(word, lang, index)
    # A token that has this word at offset -1 sees it as "-1w=...", and so on.
    return WordFeatures(own, tuple(tuple(f"{o:+d}" + f for f in (near if abs(o) == 1 else near[:2])) for o in NEIGHBOURS),
                        key)


def _word_parts(word: str, lang: str | None, index: Index) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """A word's own features, the features its neighbours see of it (unprefixed), and its key."""
    return _c_word_features(word, lang or "", stem_cuts(word, lang), compound_parts(word), frequency.table(lang),
                            index, top_key, fold_word)


# for training: in tagging, the tagger's memo keeps the scores of SMALL words
word_features = per_index(WORDS // 8)(_word_features)


@lru_cache(maxsize=1 << 12)
def _gap(text: str) -> str:
    """The punctuation between two words (its first two characters but spaces), "" for spaces alone
    (gap_marks does not ask for the one space most words stand apart)."""
    return "".join(text.split())[:2]


class FeatureNames(NamedTuple):
    """How :func:`local_features` writes a feature: as its name (training), or as the model's
    attribute number, None for a name the model does not know (tagging: the features of fixed names
    are numbered once, not built per word). Per cue code (:func:`_cue_names`): the feature of the
    word itself, and as the words after and before it see it."""

    cue: tuple  # "c=person_titles", "c<person_titles", ...
    cue_prev: tuple  # "-1c=person_titles", ...
    cue_next: tuple  # "+1c=person_titles", ...
    first: object
    second: object
    last: object
    continues: object  # "gc"
    name: Callable[[str], object]  # every other feature, by its name


def _cue_names() -> list[str]:
    # code 2g: a phrase of group g ends right before the word; 2g + 1: it ends at the word
    return [f"c{side}{group}" for group in CUE_GROUPS for side in "<="]


def feature_names(name: Callable[[str], object] = str) -> FeatureNames:
    """The feature table that writes each feature as ``name(feature)``."""
    cue = _cue_names()
    return FeatureNames(tuple(map(name, cue)), tuple(name("-1" + c) for c in cue), tuple(name("+1" + c) for c in cue),
                        name("first"), name("second"), name("last"), name("gc"), name)


FEATURE_NAMES = feature_names()


def local_features(words: Sequence[str], gaps: Sequence[str], per_word: Sequence[WordFeatures], lang: str | None,
                   index: Index) -> list[list[str]]:
    """The features of each word of one sentence that depend on its place: cue phrases (found in
    the sentence alone) that end at it, before it or at its neighbours, the punctuation around it,
    its place in the sentence, the word before it, and whether it continues an alias the word
    before began. ``gaps`` as in :func:`sentence_features`. The loop runs in C
    (:func:`entityres.resolve._decode.local_features`), as in tagging, which numbers the same features."""
    before = cues.rows(words, lang).before
    out, starts = _local_features(list(words), gap_marks(list(gaps), _gap), [w.key for w in per_word],
                                  [before[g] for g in CUE_GROUPS], array("i", [len(words)]), index.prefixes,
                                  index.exact, FEATURE_NAMES)
    return [out[a:b] for a, b in zip(starts, starts[1:])]


def sentence_features(words: Sequence[str], gaps: Sequence[str], lang: str | None, index: Index) -> list[list[str]]:
    """All features of each word of one sentence: ``words`` normalised, ``gaps[i]`` what stands
    before word ``i`` (``gaps[len(words)]``: after the last)."""
    per_word = [word_features(w, lang, index) for w in words]
    out = []
    n = len(words)
    for i, f in enumerate(local_features(words, gaps, per_word, lang, index)):
        f += per_word[i].own
        for slot, o in enumerate(NEIGHBOURS):
            if 0 <= i + o < n:
                f += per_word[i + o].seen[slot]
        out.append(f)
    return out


def sentence_ends(gaps: Sequence[str]) -> list[int]:
    """The end (exclusive) of each sentence of the tokens that ``gaps`` (:func:`text_gaps`) surround."""
    return _sentence_ends(list(gaps), SENTENCE_ENDS)


def sentences_of(norm: Normalized, tokens: list[Token]) -> list[tuple[int, int, list[str]]]:
    """``(first, end, gaps)`` token ranges of the sentences of a tokenised text; gaps as in
    :func:`sentence_features`."""
    gaps = text_gaps(norm, tokens)
    out = []
    first = 0
    for end in sentence_ends(gaps):
        out.append((first, end, gaps[first:end + 1]))
        first = end
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
          params: dict | None = None, meta: dict | None = None) -> dict:
    """Train a model on ``corpora`` (``(sentences, lang)`` pairs) and write it to ``out``.

    crfsuite trains; its weights are then written as an entityres model (:func:`export`) with
    ``meta`` (e.g. the names of the corpora). Returns the model's metadata.
    """
    settings = dict(TRAIN_PARAMS, **(params or {}))
    with tempfile.TemporaryDirectory() as tmp:
        crf = Path(tmp) / "model.crfsuite"
        tokens = train_crfsuite(corpora, crf, index, settings)
        return export(crf, out, {**(meta or {}), "params": settings, "tokens": tokens})


def train_crfsuite(corpora: Sequence[tuple[Iterable[Sentence], str]], path: str | Path, index: Index,
                   params: dict) -> int:
    """Train a crfsuite model file at ``path``; returns the number of training tokens."""
    trainer = pycrfsuite.Trainer(verbose=False)
    tokens = 0
    for sentences, lang in corpora:
        for features, labels in training_items(sentences, lang, index):
            trainer.append(features, labels)
            tokens += len(labels)
    if not tokens:
        raise ValueError("no training tokens: the corpora are empty")
    trainer.set_params(params)
    trainer.train(str(path))
    return tokens


def export(crfsuite_model: str | Path, out: str | Path, meta: dict) -> dict:
    """Write the weights of a crfsuite model as an entityres model: gzip-compressed msgpack (a data
    format: no code runs when it is read) with the feature version, ``meta``, the attribute names
    and their weights as one array of little-endian doubles. Returns the metadata."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(crfsuite_model))
    info = tagger.info()
    labels = [label for label, _ in sorted(info.labels.items(), key=lambda kv: int(kv[1]))]
    number = {label: n for n, label in enumerate(labels)}
    transitions = [[0.0] * len(labels) for _ in labels]
    for (a, b), w in info.transitions.items():
        transitions[number[a]][number[b]] = w
    names = sorted({attr for attr, _ in info.state_features})
    row = {attr: n for n, attr in enumerate(names)}
    weights = array("d", bytes(8 * len(names) * len(labels)))
    for (attr, label), w in info.state_features.items():
        weights[row[attr] * len(labels) + number[label]] = w
    if sys.byteorder != "little":
        weights.byteswap()
    meta = {"format": FORMAT, "features_version": FEATURES_VERSION, **meta, "labels": labels,
            "attributes_kept": len(names), "weights_kept": len(info.state_features)}
    model = {**meta, "transitions": transitions, "attributes": names, "weights": weights.tobytes()}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same weights give the same bytes
    out.write_bytes(gzip.compress(msgpack.packb(model), mtime=0))
    return meta


# --- tagging ----------------------------------------------------------------------------------

class _Memo(NamedTuple):
    """Words whose scores are known: per index (held weakly: a dropped index is freed) and
    language, word → (slot, key): the table holds ``ROWS * labels`` scores per slot
    (:func:`entityres.resolve._decode.decode`); the key is the word's folded main stem, which the
    local features read."""

    words: weakref.WeakKeyDictionary
    table: array
    pairs: weakref.WeakKeyDictionary  # per index and language, two adjacent words → their pair features


def _per_lang(memos: weakref.WeakKeyDictionary, index: Index, lang: str | None) -> dict:
    """The memo of ``index`` and ``lang`` in ``memos`` (per index, then language), made when missing."""
    per_lang = memos.get(index)
    if per_lang is None:
        per_lang = memos.setdefault(index, {})
    known = per_lang.get(lang)
    if known is None:
        known = per_lang.setdefault(lang, {})
    return known


class Tagger:
    """A trained model, loaded once. Thread-safe: decoding keeps no state but a memo of word scores."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else shipped_model()
        if not self.path.is_file():
            raise FileNotFoundError(f"no tagger model at {self.path}")
        try:
            model = msgpack.unpackb(gzip.decompress(self.path.read_bytes()), raw=False)
            fmt, version = model.get("format"), model.get("features_version")
        except (OSError, ValueError, AttributeError, EOFError, msgpack.UnpackException) as err:
            raise ValueError(f"{self.path} is not a tagger model ({err})") from None
        if fmt != FORMAT:
            raise ValueError(f"{self.path} is not a tagger model (format {fmt!r})")
        if version != FEATURES_VERSION:
            raise ValueError(f"{self.path} was trained on features version {version}; this entityres computes "
                             f"version {FEATURES_VERSION}: retrain it (entityres tagger train)")
        self.meta = {k: v for k, v in model.items() if k not in ("transitions", "attributes", "weights")}
        try:
            self.labels_ = tuple(str(label) for label in model["labels"])
            n = len(self.labels_)
            names = model["attributes"]
            "".join(names)  # a TypeError unless every attribute is a string (checked in C)
            if type(names) is not list:
                raise ValueError("attributes are not a list")
            # the names a word's neighbours see (+1w=...) apart, by the feature they prefix: word_scores
            self._attr, self._seen_rows, self._seen_ids = split_attributes(names)
            self._weights = array("d")
            self._weights.frombytes(model["weights"])
            trans = model["transitions"]
            # into[j * n + k]: the score of label k followed by label j
            self._into = array("d", [float(trans[k][j]) for j in range(n) for k in range(n)])
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise ValueError(f"{self.path}: broken weights ({err})") from None
        if sys.byteorder != "little":
            self._weights.byteswap()
        if not n or len(self._weights) != n * len(names):
            raise ValueError(f"{self.path}: broken weights ({len(self._weights)} for {len(names)} attributes "
                             f"and {n} labels)")
        # local features as attribute numbers; the ones built per word are unprefixed (g<, w-1|w=)
        self._numbered = feature_names(self._number)._replace(name=self._attr.get)
        self._lock = threading.Lock()
        self._memo = _Memo(weakref.WeakKeyDictionary(), array("d"), weakref.WeakKeyDictionary())

    def __reduce__(self):
        # Sent to worker processes as its file, not its weights and memo.
        return load_tagger, (None if self.path == shipped_model() else str(self.path),)

    def _number(self, feature: str) -> int | None:
        """The attribute number of a feature, None for one the model does not know."""
        slot = SEEN_MARKS.get(feature[:2])
        if slot is None:
            return self._attr.get(feature)
        row = self._seen_rows.get(feature[2:])
        number = -1 if row is None else self._seen_ids[4 * row + slot]
        return None if number < 0 else number

    def _words(self, words: Sequence[str], lang: str | None, index: Index) -> tuple[array, list[str], array, dict]:
        """The memo slots and keys (:attr:`WordFeatures.key`) of ``words``, the score table the
        slots point into, and the memo of word pairs (:func:`entityres.resolve._decode.local_features`)."""
        memo = self._memo
        if len(memo.table) > MAX_MEMO * ROWS * len(self.labels_):
            # A fresh memo: a text being tagged in another thread keeps the old one.
            memo = self._memo = _Memo(weakref.WeakKeyDictionary(), array("d"), weakref.WeakKeyDictionary())
        known, pairs = _per_lang(memo.words, index, lang), _per_lang(memo.pairs, index, lang)
        found = list(map(known.get, words))
        if None in found:
            missing = [i for i, f in enumerate(found) if f is None]
            new = list(dict.fromkeys(words[i] for i in missing))  # words new to the memo, once each
            n = ROWS * len(self.labels_)
            scores, keys = new_word_scores(new, lang, stem_cuts, compound_parts, frequency.table(lang), index, top_key,
                                           fold_word, self._weights, self._attr, self._seen_rows, self._seen_ids,
                                           len(self.labels_))
            with self._lock:
                for k, w in enumerate(new):
                    if w not in known:  # another thread may have scored it meanwhile
                        memo.table.extend(scores[k * n:(k + 1) * n])
                        known[w] = (len(memo.table) // n - 1, keys[k])
            for i in missing:
                found[i] = known[words[i]]
        return (*slots_and_keys(found), memo.table, pairs)

    def labels(self, norm: Normalized, tokens: list[Token], lang: str | None, index: Index,
               cue_rows: cues.Rows | None = None) -> list[str]:
        """One BIO label per token. ``cue_rows``: :func:`entityres.text.cues.rows` of the tokens'
        texts, when the caller has them (mention detection reads them too)."""
        if not tokens:
            return []
        words = list(map(itemgetter(0), tokens))  # Token.text
        slots, keys, table, pairs = self._words(words, lang, index)
        gaps = text_gaps(norm, tokens)
        ends = array("i", sentence_ends(gaps))
        before = (cue_rows or cues.rows(words, lang)).before  # once per text: most words end no cue
        marks = gap_marks(gaps, _gap)
        ids, id_starts = _local_features(words, marks, keys, [before[g] for g in CUE_GROUPS], ends,
                                         index.prefixes, index.exact, self._numbered, pairs, MAX_MEMO)
        return list(map(self.labels_.__getitem__, decode(table, slots, self._weights, array("i", ids), id_starts,
                                                          self._into, ends, len(self.labels_))))

    def spans(self, norm: Normalized, tokens: list[Token], lang: str | None, index: Index,
              cue_rows: cues.Rows | None = None) -> list[TaggedSpan]:
        """Typed spans of a tokenised text, in text order."""
        return spans_of(self.labels(norm, tokens, lang, index, cue_rows), tokens)


def spans_of(labels: Sequence[str], tokens: Sequence[Token]) -> list[TaggedSpan]:
    """Spans of BIO labels; an I- that continues no span of its type starts one."""
    runs: list[list] = []  # [first, last, type]
    for i in compress(range(len(labels)), map("O".__ne__, labels)):
        label = labels[i]
        kind = label[2:]
        if label[0] == "I" and runs and runs[-1][1] == i - 1 and runs[-1][2] == kind:
            runs[-1][1] = i
        else:
            runs.append([i, i, kind])
    # tuple.__new__: the NamedTuple's own __new__ is a Python call, five times slower
    return [tuple.__new__(TaggedSpan, (a, b, tokens[a].start, tokens[b].end, kind)) for a, b, kind in runs]


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


def load_tagger(path: str | Path | None = None) -> Tagger:
    """A tagger per model file, shared within the process (the shipped one for None)."""
    return _load(str(Path(path).resolve()) if path is not None else None)


@lru_cache(maxsize=8)
def _load(path: str | None) -> Tagger:
    return Tagger(path)
