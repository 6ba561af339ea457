"""``resolve(text, lang)``: every person and place of a news text, linked and clustered.

text → :func:`~entityres.text.normalize.normalize` → :func:`~entityres.text.tokens.tokenize` →
:func:`~entityres.resolve.mentions.detect` (candidate spans) → :func:`~entityres.resolve.link.link` (scored
links) → :mod:`~entityres.resolve.cluster` (canonical IDs) → :class:`Result`.

Offsets in results index the string the caller passed, as Python code points.
"""
from __future__ import annotations

import copy
import logging
import re
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from ..explanation import Explanation
from ..limits import MAX_TEXT_CHARS, MAX_WORD_CHARS
from ..memo import once
from ..text import cues, frequency, tables
from .batch import FailedDocument, OnError, merged, resolve_each
from .cluster import display_name, document_clusters
from ..gazetteer.loader import Gazetteer, bundled_gazetteer, gc_paused, load_gazetteer
from ..text.langs import ARABIC_LETTER, canonical_lang
from .link import link
from .mentions import detect
from .tagger import Tagger, load_tagger
from ..text.normalize import normalize, require_str
from ..text.tokens import tokenize

LANGS = ("fa", "prs", "ar")
UNDETERMINED = "und"  # lang="auto" on a text with no Arabic-script letter
log = logging.getLogger(__name__)


class Mention(BaseModel):
    """One mention: exact offsets into the caller's text, its entity, and why it was linked."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="the mention as written: text[start:end] of the string passed in")
    start: int = Field(description="offset of the first character, in code points of the string passed in")
    end: int = Field(description="offset after the last character (exclusive)")
    type: Literal["person", "place"]
    entity_id: str = Field(description="the entity's ID: one of the result's entities")
    score: float = Field(description="confidence of the link in [0, 1]")
    explanation: Explanation


class Entity(BaseModel):
    """One person or place of a document: a gazetteer entry, or a new name with an ID of its own."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="person:slug or place:slug from the gazetteer; a new name's ID is stable across "
                                "documents and languages")
    type: Literal["person", "place"]
    name: str = Field(description="the gazetteer's canonical English name, or the best Latin reading of a new name")
    in_gazetteer: bool
    wikidata: str | None = Field(default=None, description="Wikidata QID, when the gazetteer has one")


# One row per mention, flat: the columns of CSV, Parquet, DataFrame and Spark outputs.
MENTION_COLUMNS = ("doc_id", "lang", "start", "end", "text", "type", "entity_id", "entity_name", "in_gazetteer",
                   "wikidata", "score", "how", "explanation")


class Result(BaseModel):
    """The mentions of one document (in text order) and the entities they name."""

    model_config = ConfigDict(frozen=True)

    # id first: a JSON line of output starts with the document it is about
    id: str | None = Field(default=None, description="the document's ID, from resolve_many records")
    lang: str = Field(description='fa, prs or ar; und when lang="auto" found no Arabic-script letter')
    mentions: list[Mention] = Field(description="in text order")
    entities: list[Entity]
    # The text resolved, for to_html: kept with the result, not part of its data (dump, schema).
    _text: str | None = PrivateAttr(default=None)

    def to_html(self, text: str | None = None, title: str = "entityres") -> str:
        """A self-contained HTML page of this result (:func:`entityres.integrations.html.to_html`); ``text``
        defaults to the text this result was resolved from."""
        from ..integrations.html import to_html

        return to_html([self], None if text is None else [text], title)

    def mention_rows(self) -> list[dict]:
        """One flat record per mention, keyed by :data:`MENTION_COLUMNS`: the mention, its
        entity's name, Wikidata ID and whether the gazetteer holds it, and the explanation as
        ``how`` plus one readable line."""
        entities = {e.id: e for e in self.entities}
        rows = []
        for m in self.mentions:
            e = entities[m.entity_id]
            rows.append({"doc_id": self.id, "lang": self.lang, "start": m.start, "end": m.end, "text": m.text,
                         "type": m.type, "entity_id": m.entity_id, "entity_name": e.name,
                         "in_gazetteer": e.in_gazetteer, "wikidata": e.wikidata, "score": m.score,
                         "how": m.explanation.how, "explanation": str(m.explanation)})
        return rows


# Mentions and entities validated by pydantic's core directly: Model(**fields) adds a Python call and
# its keyword arguments, 40% of making a mention (model_construct, which loops in Python, more).
_mention = Mention.__pydantic_validator__.validate_python
_entity = Entity.__pydantic_validator__.validate_python

Doc = Union[str, tuple, dict]


def result_schema() -> dict:
    """The JSON Schema (draft 2020-12) of ``Result.model_dump(mode="json")``: one line of
    ``entityres resolve``'s JSON output (``id``: the record's ID or the file's path). Printed by
    ``entityres schema``; docs/result.schema.json holds a copy."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **Result.model_json_schema(),
            "title": "entityres result"}


def _alternation(forms: list[str], whole_words: bool = False) -> re.Pattern:
    body = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)" if whole_words else body)


@lru_cache(maxsize=1)
def _dialects() -> dict:
    table = tables.load("dialects")
    return {"letters": table["letters"], "words": {k: _alternation(v, True) for k, v in table["words"].items()},
            "spellings": {k: _alternation(v) for k, v in table["spellings"].items()}}


def detect_lang(text: str) -> str:
    """fa, prs or ar, from the letters, words and spellings of ``text`` (``resources/dialects.yaml``).

    A text with no Arabic-script letter (empty, digits, English...) is none of them: ``und``
    (undetermined), which :meth:`Resolver.resolve` answers with no mentions.
    """
    require_str(text, "detect_lang()")
    if not ARABIC_LETTER.search(text):
        return UNDETERMINED
    rules = _dialects()
    sample = text[:20000]

    def score(lang: str) -> int:
        return sum(sample.count(c) for c in rules["letters"][lang]) + len(rules["words"][lang].findall(sample))

    if score("ar") > score("fa"):
        return "ar"
    spellings = rules["spellings"]
    return "prs" if len(spellings["prs"].findall(sample)) > len(spellings["fa"].findall(sample)) else "fa"


def check_lang(lang: str) -> str:
    if lang == "auto":
        return lang
    code = canonical_lang(lang)
    if code not in LANGS:
        raise ValueError(f"lang must be fa, prs (fa-AF), ar or auto, not {lang!r}")
    return code


class Resolver:
    """A reusable, thread-safe resolver over one gazetteer (the bundled one by default).

    ``Resolver(gazetteer=gz)`` uses a loaded :class:`~entityres.gazetteer.loader.Gazetteer`;
    ``Resolver(paths=[...])`` loads the bundled data extended by the user's YAML files or folders.
    The gazetteer's index is built (or read from its cache) here, once. With ``cache=False`` no
    on-disk cache file is read or written (docs/reliability.md).

    ``tagger`` finds the names no gazetteer holds (:mod:`entityres.resolve.tagger`): the shipped
    model by default, a model file of the user's (``entityres tagger train``), a loaded
    :class:`~entityres.resolve.tagger.Tagger`, or None for the gazetteer and cue rules alone.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, paths: Iterable[str | Path] = (), cache: bool = True,
                 tagger: str | Path | Tagger | None = "shipped"):
        paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
        with gc_paused(settle=True):  # the gazetteer, its index and the tagger: frozen together, once
            if gazetteer is None:
                gazetteer = load_gazetteer(paths, cache=cache)
            elif paths:
                gazetteer = gazetteer.extended(paths)
            self.gazetteer = gazetteer
            if tagger is None or isinstance(tagger, Tagger):
                self.tagger = tagger
            else:
                self.tagger = load_tagger(None if tagger == "shipped" else tagger)
            self._load(cache)

    def _load(self, cache: bool) -> None:
        self.index = self.gazetteer.index
        if not cache:  # built here from wordfreq, so detection never reads their cache files
            for code in LANGS:
                frequency.table(code, cache=False)

    def resolve(self, text: str, lang: str = "auto", id: str | None = None) -> Result:
        """Every person and place mention of ``text``, linked to the gazetteer or to a new entity.

        ``lang`` is fa, prs (fa-AF), ar, or ``auto`` (:func:`detect_lang`); with ``auto``, a text
        with no Arabic-script letter gives ``Result(lang="und")`` with no mentions.
        """
        require_str(text, "resolve()")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"resolve(): a text has at most {MAX_TEXT_CHARS:,} characters, not {len(text):,}: split it")
        lang = check_lang(lang)
        if lang == "auto":
            lang = detect_lang(text)
            if lang == UNDETERMINED:  # nothing to read: no guess at a language, no mentions
                log.info("document %s: no Arabic-script letter, lang %r and no mentions", id or "", UNDETERMINED)
                return _with_text(Result(lang=lang, mentions=[], entities=[], id=id), text)
        norm = normalize(text)
        # A token longer than MAX_WORD_CHARS is no name: left out, it separates names as punctuation does.
        tokens = tokenize(norm)
        words = list(map(itemgetter(0), tokens))  # Token.text
        if words and max(map(len, words)) > MAX_WORD_CHARS:
            tokens = [t for t in tokens if len(t.text) <= MAX_WORD_CHARS]
            words = [t.text for t in tokens]
        found = cues.rows(words, lang)  # the cue phrases, for the tagger and detection
        tagged = self.tagger.spans(norm, tokens, lang, self.index, cue_rows=found) if self.tagger is not None else ()
        links = link(detect(norm, tokens, lang, self.index, tagged, cue_rows=found), text, lang, self.index)
        new = [(lk.span.type, text[lk.span.start:lk.span.end]) for lk in links if lk.entry is None]
        new_ids = iter(document_clusters(new, lang))
        mentions, entities = [], {}
        for lk in links:
            s = lk.span
            if lk.entry is None:
                eid = next(new_ids)
                if eid not in entities:
                    entities[eid] = _entity({"id": eid, "type": s.type, "name": display_name(text[s.start:s.end], lang),
                                             "in_gazetteer": False})
                why = _explanation("new", None, None, s.cue, False)
                mtype = s.type
            else:
                entry = self.index.entries.stored(lk.entry)  # its fields read: no Entry made
                eid, mtype = entry.id, entry.type
                if eid not in entities:
                    entities[eid] = _entity({"id": eid, "type": entry.type, "name": entry.name, "in_gazetteer": True,
                                             "wikidata": entry.wikidata})
                alias = self.index.aliases[lk.alias]
                why = _explanation(lk.how, alias.name, alias.lang, s.cue, alias.key in self.index.ambiguous)
            mentions.append(_mention({"text": text[s.start:s.end], "start": s.start, "end": s.end, "type": mtype,
                                      "entity_id": eid, "score": lk.score, "explanation": why}))
        return _with_text(Result(lang=lang, mentions=mentions, entities=list(entities.values()), id=id), text)

    def resolve_many(self, docs: Iterable[Doc], lang: str = "auto", merge_new: bool = True, workers: int = 1,
                     on_error: OnError = "raise", encode: Callable[[Result], object] | None = None
                     ) -> Iterator[Result | FailedDocument | object]:
        """Resolve many documents, in input order, and cluster their new entities across them.

        ``docs`` holds texts, ``(id, text, lang)`` tuples or ``{"id", "text", "lang"}`` mappings
        (``lang`` defaults to the argument), read one at a time. ``workers`` > 1 resolves them in that
        many processes, with the same output. A document that fails raises (``on_error="raise"``), is
        left out (``"skip"``) or comes as a :class:`FailedDocument` with its index, ID and reason
        (``"report"``); the other documents' results are delivered either way.

        With ``merge_new`` (the default), spelling variants of one new entity across documents get one
        ID (:func:`entityres.resolve.cluster.merge`): results are spooled to a temporary file and come
        once every document is read. With ``merge_new=False`` each result comes as soon as it is
        resolved, with per-document IDs; feed them to a :class:`NewEntityMerge` to get the table of
        merged IDs at the end (docs/batch.md).

        ``encode`` (with ``merge_new=False``): a picklable function that turns each result into what
        you keep of it, such as ``Result.model_dump_json``; it runs where the result is made, in the
        worker process, so the parent only receives its output (the CLI's JSON lines: the second
        worker then adds more).
        """
        check_lang(lang)
        if encode is not None and merge_new:
            raise ValueError("encode needs merge_new=False: the merge changes results after they are made")
        records = ((n, partial(_record, doc, lang, n)) for n, doc in enumerate(docs))
        results = resolve_each(self, records, workers, on_error, encode)
        return merged(results) if merge_new else results

    def __getstate__(self) -> dict:
        # Sent to worker processes without the index: each loads it once, from the on-disk cache.
        gazetteer = copy.copy(self.gazetteer)
        gazetteer._index = None
        return {**self.__dict__, "gazetteer": gazetteer, "index": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._load(self.gazetteer._cache)


@lru_cache(maxsize=1 << 14)
def _explanation(how: str, alias: str | None, alias_lang: str | None, cue: str | None, ambiguous: bool) -> Explanation:
    # Frozen, so one object serves every mention explained alike: building a model per mention
    # cost more than the rest of the mention.
    return Explanation.model_construct(how=how, alias=alias, alias_lang=alias_lang, cue=cue, ambiguous=ambiguous)


def _with_text(result: Result, text: str) -> Result:
    result._text = text
    return result


def _record(doc: Doc, lang: str, n: int) -> tuple[str, str, str | None]:
    if isinstance(doc, str):
        return doc, lang, None
    if isinstance(doc, dict):
        if "text" not in doc:
            raise ValueError(f"document {n}: a mapping needs a 'text'")
        return doc["text"], doc.get("lang") or lang, doc.get("id")
    if isinstance(doc, tuple) and len(doc) == 3:
        doc_id, text, doc_lang = doc
        return text, doc_lang or lang, doc_id
    raise TypeError(f"document {n}: expected a text, an (id, text, lang) tuple or a mapping, not {type(doc).__name__}")


@once
def default_resolver() -> Resolver:
    """The resolver over the bundled gazetteer, built on first use."""
    return Resolver(gazetteer=bundled_gazetteer())


def resolve(text: str, lang: str = "auto") -> Result:
    """Every person and place mention of ``text`` on the bundled gazetteer; see :class:`Resolver`."""
    return default_resolver().resolve(text, lang)
