"""pandas integration: results as DataFrames, and resolving a text column."""
import pytest

pd = pytest.importorskip("pandas", reason="pandas (the entityres[pandas] extra) is not installed")

import entityres  # noqa: E402
from entityres.integrations.pandas import ENTITY_COLUMNS, entities_frame, mentions_frame, resolve_frame  # noqa: E402
from entityres.resolve.resolver import MENTION_COLUMNS  # noqa: E402

FA = "دونالد ترامپ با ولادیمیر پوتین در آلاسکا دیدار کرد و ترامپ به واشنگتن بازگشت"
AR = "وقال المبعوث ستيف ويتكوف إنه سيزور موسكو"


def test_mentions_and_entities_frames():
    result = entityres.resolve(FA, "fa")
    mentions = mentions_frame(result)
    assert list(mentions.columns) == list(MENTION_COLUMNS) and len(mentions) == len(result.mentions)
    assert mentions["start"].dtype == "int64" and mentions["score"].dtype == "float64"
    assert [FA[s:e] for s, e in zip(mentions["start"], mentions["end"])] == list(mentions["text"])
    assert mentions.loc[mentions["entity_id"] == "person:donald-trump", "entity_name"].tolist() == ["Donald Trump"] * 2
    entities = entities_frame(result)
    assert list(entities.columns) == list(ENTITY_COLUMNS) and len(entities) == len(result.entities)
    assert entities.set_index("id").loc["person:donald-trump", "mentions"] == 2
    assert entities["mentions"].sum() == len(mentions)


def test_empty_results_keep_their_columns():
    empty = entityres.resolve("", "auto")
    assert list(mentions_frame([empty]).columns) == list(MENTION_COLUMNS) and mentions_frame([empty]).empty
    assert list(entities_frame(empty).columns) == list(ENTITY_COLUMNS)


def test_resolve_frame_lines_up_with_the_index():
    df = pd.DataFrame({"body": [FA, None, AR], "language": ["fa", None, "ar"]}, index=[10, 20, 30])
    mentions = resolve_frame(df, text="body", lang_column="language")
    assert set(mentions["doc_id"]) == {10, 30}  # the row without text has no mentions
    assert set(mentions.loc[mentions["doc_id"] == 30, "entity_id"]) == {"person:steve-witkoff", "place:moscow"}
    assert set(mentions.loc[mentions["doc_id"] == 10, "lang"]) == {"fa"}
    for doc_id, start, end, text in mentions[["doc_id", "start", "end", "text"]].itertuples(index=False):
        assert df.loc[doc_id, "body"][start:end] == text
    joined = df.join(mentions.set_index("doc_id"), how="inner")
    assert len(joined) == len(mentions)


def test_resolve_frame_id_column_and_bad_input():
    df = pd.DataFrame({"id": ["a", "b"], "text": [AR, FA]})
    assert list(dict.fromkeys(resolve_frame(df, id_column="id")["doc_id"])) == ["a", "b"]
    with pytest.raises(KeyError, match="no column 'body'"):
        resolve_frame(df, text="body")
    with pytest.raises(TypeError, match="row 1: column 'text' holds int"):
        resolve_frame(pd.DataFrame({"text": [AR, 5]}))
