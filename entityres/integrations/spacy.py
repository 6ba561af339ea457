"""A spaCy pipeline component (``pip install 'entityres[spacy]'``).

::

    import spacy
    nlp = spacy.blank("fa")              # or "ar", or any pipeline
    nlp.add_pipe("entityres", config={"lang": "auto", "gazetteer": ["my_people.yaml"]})
    doc = nlp("دونالد ترامپ در آلاسکا")
    for ent in doc.ents:
        print(ent.text, ent.label_, ent.kb_id_, ent._.entityres["score"], ent._.entityres["explanation"])

The factory is registered through the ``spacy_factories`` entry point, so ``add_pipe("entityres")``
works without importing this module. Each mention becomes an entity span of ``doc.ents``:
``label_`` is ``person_label`` or ``place_label``, ``kb_id_`` the entityres ID, and
``span._.entityres`` a dict with the mention's exact ``start``/``end``/``text``, ``score``,
``explanation`` (:class:`entityres.Explanation` as a dict), and the entity's ``name``,
``in_gazetteer`` and ``wikidata``. ``doc._.entityres_lang`` is the language the text was read in.

Mentions are found on ``doc.text`` and mapped to tokens by character offsets, so any tokenizer
works. Where spaCy's tokens do not fall on a mention's edges (a clitic written onto the name,
وكييف, is one token but the mention is كييف), ``alignment_mode`` decides: ``expand`` (default)
takes the tokens that cover the mention, ``contract`` the tokens inside it, ``strict`` drops the
mention. ``span._.entityres`` keeps the mention's exact offsets either way. Spans that overlap
after alignment keep the longest; with ``overwrite_ents: false`` the entities already in
``doc.ents`` are kept and mentions overlapping them are dropped.
"""
from __future__ import annotations

from typing import Any

try:
    from spacy.language import Language
    from spacy.tokens import Doc, Span
    from spacy.util import filter_spans
except ImportError as err:  # pragma: no cover - exercised without the extra
    raise ImportError("entityres.integrations.spacy needs spaCy: pip install 'entityres[spacy]'") from err

from ..resolve.resolver import Resolver, check_lang, default_resolver

ALIGNMENT_MODES = ("expand", "contract", "strict")
DEFAULT_CONFIG: dict[str, Any] = {"lang": "auto", "gazetteer": [], "person_label": "PER", "place_label": "LOC",
                                  "alignment_mode": "expand", "min_score": 0.0, "overwrite_ents": True}

if not Span.has_extension("entityres"):
    Span.set_extension("entityres", default=None)
if not Doc.has_extension("entityres_lang"):
    Doc.set_extension("entityres_lang", default=None)


class EntityResolver:
    """The component: resolve ``doc.text`` and set ``doc.ents`` (see the module's doc)."""

    def __init__(self, nlp: Language, name: str = "entityres", lang: str = "auto", gazetteer: list[str] | None = None,
                 person_label: str = "PER", place_label: str = "LOC", alignment_mode: str = "expand",
                 min_score: float = 0.0, overwrite_ents: bool = True):
        if alignment_mode not in ALIGNMENT_MODES:
            raise ValueError(f"alignment_mode must be one of {', '.join(ALIGNMENT_MODES)}, not {alignment_mode!r}")
        self.name = name
        self.lang = check_lang(lang)
        self.resolver: Resolver = Resolver(paths=gazetteer) if gazetteer else default_resolver()
        self.labels = {"person": person_label, "place": place_label}
        self.alignment_mode = alignment_mode
        self.min_score = min_score
        self.overwrite_ents = overwrite_ents

    def __call__(self, doc: Doc) -> Doc:
        result = self.resolver.resolve(doc.text, self.lang)
        entities = {e.id: e for e in result.entities}
        spans = []
        for m in result.mentions:
            if m.score < self.min_score:
                continue
            span = doc.char_span(m.start, m.end, label=self.labels[m.type], kb_id=m.entity_id,
                                 alignment_mode=self.alignment_mode)
            if span is None:  # strict alignment, or offsets inside a token with contract
                continue
            e = entities[m.entity_id]
            span._.entityres = {"start": m.start, "end": m.end, "text": m.text, "score": m.score,
                                "explanation": m.explanation.model_dump(), "name": e.name,
                                "in_gazetteer": e.in_gazetteer, "wikidata": e.wikidata}
            spans.append(span)
        if self.overwrite_ents:
            doc.ents = filter_spans(spans)
        else:
            taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
            ours = [s for s in filter_spans(spans) if not any(i in taken for i in range(s.start, s.end))]
            doc.ents = sorted([*doc.ents, *ours], key=lambda s: s.start)
        doc._.entityres_lang = result.lang
        return doc


@Language.factory("entityres", default_config=DEFAULT_CONFIG)
def make_entityres(nlp: Language, name: str, lang: str, gazetteer: list[str], person_label: str, place_label: str,
                   alignment_mode: str, min_score: float, overwrite_ents: bool) -> EntityResolver:
    """spaCy factory of :class:`EntityResolver` (``nlp.add_pipe("entityres", config={...})``)."""
    return EntityResolver(nlp, name, lang, gazetteer, person_label, place_label, alignment_mode, min_score,
                          overwrite_ents)
