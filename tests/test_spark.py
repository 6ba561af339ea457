"""Spark: resolve a DataFrame's text column on a local[2] session; the same IDs as resolve_many."""
import os
import shutil
import sys

import pytest

pytest.importorskip("pyspark", reason="the Spark integration needs pyspark (entityres[spark])")
pytest.importorskip("pandas", reason="the Spark integration needs pandas (entityres[spark])")
pytest.importorskip("pyarrow", reason="the Spark integration needs pyarrow (entityres[spark])")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java: no java on PATH and no JAVA_HOME (.ci/run installs a JRE)", allow_module_level=True)

from entityres import Resolver  # noqa: E402
from entityres.integrations.spark import ENTITIES_COLUMNS, resolve_dataframe  # noqa: E402

# Spelling variants of two new names across documents, and gazetteer names.
DOCS = [("a", "سخنگوی ارتش، سرهنگ تیموفی کالاچوف، گفت", "fa"),
        ("b", "وقال المتحدث تيموفيه كالاشوف إن", "ar"),
        ("c", "سخنگوی ارتش، سرهنگ تیموفی کالاچف، گفت", "fa"),
        ("d", "وقال المتحدث غابرييل مورسانو إن", "ar"),
        ("e", "سخنگوی دولت، گابریل مورسانوف، گفت", "fa"),
        ("f", "پوتین در مسکو با ترامپ دیدار کرد", "fa"),
        ("g", "وصل ترامب إلى الرياض", "ar")]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("entityres-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    yield session
    session.stop()


def test_same_ids_as_resolve_many(spark):
    df = spark.createDataFrame([(i, t, lg) for i, t, lg in DOCS], "doc string, body string, lang string")
    mentions, entities = resolve_dataframe(df, text="body", id="doc", lang="lang")
    got = {(r.doc_id, r.start, r.end): (r.entity_id, r.text, r.type) for r in mentions.collect()}
    results = list(Resolver().resolve_many(DOCS))
    want = {(r.id, m.start, m.end): (m.entity_id, m.text, m.type) for r in results for m in r.mentions}
    assert got == want
    per_doc = {(r.id, m.start, m.end): m.entity_id for r in Resolver().resolve_many(DOCS, merge_new=False)
               for m in r.mentions}
    assert per_doc != want  # the merge did join variants, in Spark
    rows = {r.id: r for r in entities.collect()}
    assert tuple(entities.columns) == ENTITIES_COLUMNS
    assert set(rows) == {e for e, _, _ in want.values()}
    trump = rows["person:donald-trump"]
    assert trump.in_gazetteer and trump.name == "Donald Trump" and trump.mentions == 2 and trump.documents == 2
    new = [r for r in rows.values() if not r.in_gazetteer]
    assert {r.documents for r in new} == {3, 2}


def test_default_lang_and_no_merge(spark):
    df = spark.createDataFrame([("x", "وصل ترامب إلى الرياض")], "id string, text string")
    mentions, _ = resolve_dataframe(df, merge_new=False)
    assert sorted((r.entity_id, r.lang) for r in mentions.collect()) == [("person:donald-trump", "ar"),
                                                                        ("place:riyadh", "ar")]
