"""The spaCy component, with real spaCy: blank fa and ar pipelines, and a tokenizer that does not
split where entityres does."""
import pytest

spacy = pytest.importorskip("spacy", reason="spaCy (the entityres[spacy] extra) is not installed")

from spacy.tokens import Doc, DocBin  # noqa: E402

import entityres  # noqa: E402

FA = "دونالد ترامپ با ولادیمیر پوتین در آلاسکا دیدار کرد"
AR = "وقال المبعوث الأمريكي ستيف ويتكوف إنه سيزور موسكو وكييف"


def pipeline(spacy_lang, **config):
    nlp = spacy.blank(spacy_lang)
    nlp.add_pipe("entityres", config=config)  # found through the spacy_factories entry point
    return nlp


@pytest.mark.parametrize("lang,text", [("fa", FA), ("ar", AR)])
def test_blank_pipelines_get_the_resolved_entities(lang, text):
    doc = pipeline(lang)(text)
    result = entityres.resolve(text, "auto")
    assert [e.kb_id_ for e in doc.ents] == [m.entity_id for m in result.mentions]
    assert [e.label_ for e in doc.ents] == [{"person": "PER", "place": "LOC"}[m.type] for m in result.mentions]
    for ent, m in zip(doc.ents, result.mentions):
        info = ent._.entityres
        assert (info["start"], info["end"], info["text"], info["score"]) == (m.start, m.end, m.text, m.score)
        assert info["explanation"] == m.explanation.model_dump()
        assert ent.start_char <= m.start and m.end <= ent.end_char  # the tokens cover the mention
    assert doc._.entityres_lang == result.lang


def test_a_clitic_on_the_name_expands_to_its_token():
    doc = pipeline("ar", lang="ar")(AR)
    kyiv = [e for e in doc.ents if e.kb_id_ == "place:kyiv"][0]
    assert kyiv.text == "وكييف" and kyiv._.entityres["text"] == "كييف"  # spaCy's token, the exact mention
    strict = pipeline("ar", lang="ar", alignment_mode="strict")(AR)
    assert "place:kyiv" not in {e.kb_id_ for e in strict.ents} and "place:moscow" in {e.kb_id_ for e in strict.ents}


def chunked_tokenizer(nlp, width=3):
    """Tokens of at most ``width`` characters: never the edges entityres finds."""
    def tokenize(text):
        words, spaces = [], []
        for word in text.split(" "):
            pieces = [word[i:i + width] for i in range(0, len(word), width)] or [""]
            words.extend(pieces)
            spaces.extend([False] * (len(pieces) - 1) + [True])
        spaces[-1] = False
        return Doc(nlp.vocab, words=words, spaces=spaces)
    return tokenize


def test_tokens_that_do_not_align_are_mapped_by_character_offsets():
    nlp = spacy.blank("fa")
    nlp.tokenizer = chunked_tokenizer(nlp)
    nlp.add_pipe("entityres", config={"lang": "fa"})
    doc = nlp(FA)
    assert doc.text == FA and len(doc) > len(FA.split())
    mentions = entityres.resolve(FA, "fa").mentions
    assert [e.kb_id_ for e in doc.ents] == [m.entity_id for m in mentions]
    for ent, m in zip(doc.ents, mentions):
        assert ent.start_char <= m.start < m.end <= ent.end_char
        assert FA[ent.start_char:ent.end_char].strip() == ent.text


def test_config_labels_min_score_and_existing_entities():
    nlp = spacy.blank("fa")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "EVENT", "pattern": "دیدار"}])
    nlp.add_pipe("entityres", config={"person_label": "PERSON", "place_label": "GPE", "overwrite_ents": False,
                                      "min_score": 0.99})
    doc = nlp(FA)
    assert {(e.text, e.label_) for e in doc.ents} >= {("دیدار", "EVENT"), ("دونالد ترامپ", "PERSON"), ("آلاسکا", "GPE")}
    assert all(e._.entityres is None or e._.entityres["score"] >= 0.99 for e in doc.ents)


def test_user_gazetteer_bad_config_and_serialisation(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("entries:\n  - {id: person:zoltan-example, type: person, name: Zoltan Example, "
                    "names: {fa: [زولتان اگزمپلوف]}}\n", encoding="utf-8")
    nlp = pipeline("fa", gazetteer=[str(path)])
    doc = nlp("زولتان اگزمپلوف به تهران رسید")
    assert [e.kb_id_ for e in doc.ents] == ["person:zoltan-example", "place:tehran"]
    again = list(DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab))[0]
    assert [(e.kb_id_, e._.entityres["score"]) for e in again.ents] == [(e.kb_id_, e._.entityres["score"]) for e in doc.ents]
    with pytest.raises(ValueError, match="alignment_mode"):
        pipeline("fa", alignment_mode="nearest")
    with pytest.raises(ValueError, match="lang"):
        pipeline("fa", lang="xx")
