"""Results as pandas DataFrames, and resolving a text column (``pip install 'entityres[pandas]'``).

::

    from entityres.integrations.pandas import resolve_frame, mentions_frame, entities_frame

    mentions = resolve_frame(df, text="body", lang="auto")   # one row per mention, doc_id = df's index
    mentions_frame(results)                                  # the same from Result objects
    entities_frame(results)                                  # one row per entity of each document

Rows are :meth:`entityres.Result.mention_rows`, columns :data:`~entityres.resolve.resolver.MENTION_COLUMNS`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

try:
    import pandas as pd
except ImportError as err:  # pragma: no cover - exercised without the extra
    raise ImportError("entityres.integrations.pandas needs pandas: pip install 'entityres[pandas]'") from err

from ..resolve.resolver import MENTION_COLUMNS, Resolver, Result, default_resolver

if TYPE_CHECKING:
    from collections.abc import Hashable

ENTITY_COLUMNS = ("doc_id", "id", "type", "name", "in_gazetteer", "wikidata", "mentions")
_DTYPES = {"start": "int64", "end": "int64", "score": "float64", "in_gazetteer": "bool", "mentions": "int64"}


def _frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    return frame.astype({c: t for c, t in _DTYPES.items() if c in frame.columns})


def mentions_frame(results: Result | Iterable[Result]) -> pd.DataFrame:
    """One row per mention of ``results`` (in document, then text order), columns ``MENTION_COLUMNS``."""
    results = [results] if isinstance(results, Result) else results
    return _frame([row for r in results for row in r.mention_rows()], MENTION_COLUMNS)


def entities_frame(results: Result | Iterable[Result]) -> pd.DataFrame:
    """One row per entity of each document: ``doc_id``, the entity's fields, and its number of mentions."""
    results = [results] if isinstance(results, Result) else results
    rows = []
    for r in results:
        counts: dict[str, int] = {}
        for m in r.mentions:
            counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
        rows.extend({"doc_id": r.id, **e.model_dump(), "mentions": counts.get(e.id, 0)} for e in r.entities)
    return _frame(rows, ENTITY_COLUMNS)


def resolve_frame(df: pd.DataFrame, text: str = "text", lang: str = "auto", lang_column: str | None = None,
                  id_column: str | None = None, resolver: Resolver | None = None,
                  merge_new: bool = True) -> pd.DataFrame:
    """Resolve the text column ``text`` of ``df``: one row per mention, ``doc_id`` the row's index
    label (or its ``id_column`` value), so ``df.join(mentions.set_index("doc_id"))`` lines them up.

    ``lang`` applies to every row, or ``lang_column`` names a column of per-row languages (an
    empty cell falls back to ``lang``). A missing text (None, NaN) is a document with no mentions;
    any other non-string raises ``TypeError`` naming the row. New names are merged across the
    rows as :meth:`Resolver.resolve_many` does (``merge_new``).
    """
    for name in (text, lang_column, id_column):
        if name is not None and name not in df.columns:
            raise KeyError(f"no column {name!r} in the DataFrame (columns: {', '.join(map(str, df.columns))})")
    resolver = resolver or default_resolver()
    labels: list[Hashable] = list(df[id_column] if id_column else df.index)
    langs = df[lang_column] if lang_column else [lang] * len(df)

    def docs():
        # Results carry string IDs: the row's position, mapped back to its label below.
        for n, (body, doc_lang) in enumerate(zip(df[text], langs)):
            if body is None or (isinstance(body, float) and pd.isna(body)):
                body = ""
            elif not isinstance(body, str):
                raise TypeError(f"row {labels[n]!r}: column {text!r} holds {type(body).__name__}, not text")
            yield str(n), body, doc_lang if isinstance(doc_lang, str) and doc_lang else lang

    frame = mentions_frame(resolver.resolve_many(docs(), lang, merge_new=merge_new))
    frame["doc_id"] = pd.Series([labels[int(n)] for n in frame["doc_id"]], index=frame.index, dtype=object)
    return frame
