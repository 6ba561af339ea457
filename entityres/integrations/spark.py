"""Spark (extra ``entityres[spark]``): resolve a text column of a DataFrame into mentions and entities.

:func:`resolve_dataframe` ships the resolver to the executors once (a broadcast of its entries,
without the index, which each Python worker process loads once from its on-disk cache or builds),
resolves each partition with ``mapInPandas`` (per-document IDs), then merges the spelling variants of
new entities across documents in Spark: one row per new-entity ID (its longest name, as
:class:`entityres.NewEntityMerge` picks it), merged per type with
:func:`entityres.resolve.cluster.merge` in ``applyInPandas``, joined back. The IDs are those of
``Resolver.resolve_many`` on the same documents.
"""
from __future__ import annotations

import hashlib
import pickle
from typing import TYPE_CHECKING, Iterable, Iterator

try:
    import pandas as pd
    from pyspark.sql import functions as F
except ImportError:  # pragma: no cover - depends on the environment
    raise ImportError("the Spark integration needs pyspark, pyarrow and pandas: pip install 'entityres[spark]'") from None

from ..resolve.cluster import merge
from ..resolve.resolver import Resolver

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

MENTIONS_SCHEMA = ("doc_id string, lang string, start int, end int, text string, type string, entity_id string, "
                   "entity_name string, in_gazetteer boolean, wikidata string, score double, how string")
ENTITIES_COLUMNS = ("id", "type", "name", "in_gazetteer", "wikidata", "mentions", "documents")

_resolvers: dict[str, Resolver] = {}  # per Python worker process: the resolver of each broadcast, loaded once


def _resolver(key: str, state) -> Resolver:
    if key not in _resolvers:
        _resolvers.clear()  # one resolver per process: a new broadcast replaces the last
        _resolvers[key] = pickle.loads(state.value)
    return _resolvers[key]


def _mention_frames(batches: Iterable[pd.DataFrame], key: str, state, lang: str) -> Iterator[pd.DataFrame]:
    resolver = _resolver(key, state)
    columns = [c.split()[0] for c in MENTIONS_SCHEMA.split(", ")]
    for batch in batches:
        langs = batch["lang"] if "lang" in batch else [None] * len(batch)
        docs = [(None if pd.isna(i) else str(i), t, lg if isinstance(lg, str) and lg else lang)
                for i, t, lg in zip(batch["id"], batch["text"], langs)]
        rows = [[r[c] for c in columns] for result in resolver.resolve_many(docs, lang, merge_new=False)
                for r in result.mention_rows()]
        yield pd.DataFrame(rows, columns=columns)


def _merge_frame(names: pd.DataFrame) -> pd.DataFrame:
    ids = merge({e: (t, n, lg) for e, t, n, lg in zip(names["entity_id"], names["type"], names["name"],
                                                        names["lang"])})
    return pd.DataFrame({"entity_id": list(ids), "merged_id": list(ids.values())})


def resolve_dataframe(df: "DataFrame", text: str = "text", id: str = "id", lang: str | None = None,
                      default_lang: str = "auto", resolver: Resolver | None = None,
                      merge_new: bool = True) -> tuple["DataFrame", "DataFrame"]:
    """``(mentions, entities)`` DataFrames for the documents of ``df``.

    ``text``, ``id``: the columns of each document's text and ID; ``lang``: a column of languages
    (fa, prs, fa-AF, ar, auto), else ``default_lang`` for every row. ``mentions`` has one row per
    mention: doc_id, lang, start, end, text, type, entity_id, entity_name, in_gazetteer, wikidata,
    score, how. ``entities`` one row per entity: id, type, name, in_gazetteer, wikidata, mentions,
    documents. With ``merge_new`` (the default) spelling variants of one new entity across documents
    get one ID, as with ``Resolver.resolve_many``.
    """
    resolver = resolver or Resolver()
    state = pickle.dumps(resolver)  # entries and settings; the index is loaded on the executors
    key = hashlib.sha256(state).hexdigest()
    shipped = df.sparkSession.sparkContext.broadcast(state)
    columns = [F.col(id).cast("string").alias("id"), F.col(text).alias("text")]
    if lang is not None:
        columns.append(F.col(lang).alias("lang"))
    docs = df.select(*columns)
    mentions = docs.mapInPandas(lambda batches: _mention_frames(batches, key, shipped, default_lang),
                                MENTIONS_SCHEMA)
    if merge_new:
        mentions = _merged(mentions)
    return mentions, _entities(mentions)


def _merged(mentions: "DataFrame") -> "DataFrame":
    mentions = mentions.persist()  # read twice: for the names table and for the join
    best = F.min(F.struct((-F.length("text")).alias("k"), F.col("text").alias("name"), F.col("lang").alias("lang")))
    names = (mentions.where(~F.col("in_gazetteer"))
             .groupBy("entity_id", "type").agg(best.alias("b"))
             .select("entity_id", "type", "b.name", "b.lang"))
    ids = names.groupBy("type").applyInPandas(_merge_frame, "entity_id string, merged_id string")
    changed = ids.where(F.col("entity_id") != F.col("merged_id"))
    joined = mentions.join(F.broadcast(changed), "entity_id", "left")
    return joined.select(*[F.coalesce("merged_id", "entity_id").alias("entity_id") if c == "entity_id" else c
                           for c in mentions.columns])


def _entities(mentions: "DataFrame") -> "DataFrame":
    return (mentions.groupBy(F.col("entity_id").alias("id"))
            .agg(F.first("type").alias("type"), F.min("entity_name").alias("name"),
                 F.first("in_gazetteer").alias("in_gazetteer"), F.first("wikidata").alias("wikidata"),
                 F.count("*").alias("mentions"), F.countDistinct("doc_id").alias("documents")))
