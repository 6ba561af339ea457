"""Many documents: per-document errors, worker processes, and the cross-document merge of new names.

* Documents are resolved one at a time (or in chunks by ``workers`` processes) and their results
  come back in input order; a document that fails becomes a :class:`FailedDocument` (its index, ID
  and reason) instead of stopping the batch, unless the caller asks for the error to be raised.
* Worker processes each receive the resolver once, without its index, and load the index from the
  on-disk cache (:meth:`entityres.gazetteer.index.Index.build`); at most a few chunks per worker are
  in flight, so memory does not grow with the input.
* :class:`NewEntityMerge` keeps, per new entity ID, only its longest name: results can stream out
  with per-document IDs while it collects, and its :meth:`~NewEntityMerge.ids` table (small: one
  row per merged ID) maps them to the cross-document IDs at the end (docs/batch.md).
"""
from __future__ import annotations

import json
import multiprocessing
import pickle
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Literal, Union

from pydantic import BaseModel, ConfigDict

from .cluster import merge

if TYPE_CHECKING:
    from .resolver import Resolver, Result

OnError = Literal["raise", "skip", "report"]
ON_ERROR = ("raise", "skip", "report")
CHUNK = 4  # documents per task sent to a worker: small, so the first result comes early
IN_FLIGHT = 4  # chunks per worker waiting or running at once: keeps the workers busy and memory flat


class FailedDocument(BaseModel):
    """A document ``resolve_many(on_error="report")`` could not resolve, in its place in the output."""

    model_config = ConfigDict(frozen=True)

    index: int  # position in the input, from 0
    id: str | None = None
    error: str  # the exception's type and message

    @classmethod
    def of(cls, index: int, id: str | None, err: BaseException) -> "FailedDocument":
        return cls(index=index, id=id, error=f"{type(err).__name__}: {err}")


Outcome = Union["Result", FailedDocument]
Job = tuple[int, object, object, object]  # index, text, lang, id: checked by the worker, not here


# --- worker processes -------------------------------------------------------------------------

_worker: "Resolver | None" = None


def _start_worker(state: bytes) -> None:
    global _worker
    _worker = pickle.loads(state)  # Resolver.__setstate__ loads the index (from the on-disk cache)


def _resolve_jobs(jobs: list[Job], resolver: "Resolver | None" = None,
                  encode: Callable[["Result"], object] | None = None) -> list[tuple[int, object]]:
    """``(index, result or exception)`` per job, each result through ``encode`` when given;
    exceptions are returned, to be handled in the caller."""
    resolver = resolver or _worker
    out = []
    for n, text, lang, doc_id in jobs:
        try:
            result = resolver.resolve(text, lang, doc_id)
            out.append((n, result if encode is None else encode(result)))
        except Exception as err:  # noqa: BLE001 - one document's failure is reported, not fatal
            out.append((n, _portable(err)))
    return out


def _portable(err: Exception) -> Exception:
    """``err`` if it survives pickling back to the parent, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(err).__name__}: {err}")


def _chunks(jobs: Iterable[Job], size: int) -> Iterator[list[Job]]:
    chunk: list[Job] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pool_context():
    # Not fork: the parent may hold threads (a progress bar, the caller's own) and locks.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["entityres"])  # imported once, in the server the workers fork from
    return context


def _run(resolver: "Resolver", jobs: Iterable[Job], workers: int, encode) -> Iterator[tuple[int, object]]:
    if workers == 1:
        for job in jobs:
            yield from _resolve_jobs([job], resolver, encode)
        return
    pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_start_worker,
                               initargs=(pickle.dumps(resolver),))
    try:
        pending: deque = deque()
        for chunk in _chunks(jobs, CHUNK):
            pending.append(pool.submit(_resolve_jobs, chunk, None, encode))
            while len(pending) >= workers * IN_FLIGHT or (pending and pending[0].done()):
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def resolve_each(resolver: "Resolver", records: Iterable[tuple[int, Callable[[], tuple]]], workers: int = 1,
                 on_error: OnError = "raise", encode: Callable[["Result"], object] | None = None) -> Iterator[Outcome]:
    """Results (or failures) of ``records`` in input order, with per-document IDs.

    ``records`` yields ``(index, read)``; ``read()`` gives ``(text, lang, id)`` or raises for a record
    that is not a document, which counts as that document's failure. ``encode`` (picklable), when
    given, turns each result into what the caller needs where the result is made, in the worker:
    sending a JSON line costs the parent far less than a result, whose part of each document is
    what limits the gain from more workers. A failure of ``encode`` is the document's failure.
    """
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, not {workers!r}")
    early: dict[int, tuple[object, Exception]] = {}  # records that failed before reaching a worker
    ids: dict[int, object] = {}

    def jobs() -> Iterator[Job]:
        for n, read in records:
            try:
                text, lang, doc_id = read()
            except (TypeError, ValueError) as err:
                if on_error == "raise":
                    raise
                early[n] = (None, err)
                continue
            ids[n] = doc_id
            yield n, text, lang, doc_id

    def outcomes() -> Iterator[tuple[int, object]]:
        expected = 0
        for n, value in _run(resolver, jobs(), workers, encode):
            while expected < n:  # failed records before this one, in their place
                if expected in early:
                    yield expected, early.pop(expected)[1]
                expected += 1
            yield n, value
            expected = n + 1
        for n in sorted(early):
            yield n, early.pop(n)[1]

    for n, value in outcomes():
        if not isinstance(value, Exception):
            ids.pop(n, None)
            yield value
            continue
        if on_error == "raise":
            raise value
        if on_error == "report":
            doc_id = ids.pop(n, None)
            yield FailedDocument.of(n, doc_id if isinstance(doc_id, str) else None, value)


# --- the cross-document merge -----------------------------------------------------------------

class NewEntityMerge:
    """Collects the new entities of streamed results; :meth:`ids` merges their spelling variants.

    Only one row per new entity ID is kept (its longest name, ties to the smallest name and
    language), so the memory grows with the number of distinct new names, not of documents, and the
    table does not depend on the order in which results were added.
    """

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str, str | None]] = {}

    def add(self, result: Outcome) -> None:
        if not isinstance(result, FailedDocument):
            self.add_names(self.names_of(result))

    @staticmethod
    def names_of(result: "Result") -> list[tuple[str, str, str, str]]:
        """``(entity ID, type, name, lang)`` of each mention of a new entity: what :meth:`add` reads
        of a result, small enough to send from a worker process in its place."""
        fresh = {e.id for e in result.entities if not e.in_gazetteer}
        return [(m.entity_id, m.type, m.text, result.lang) for m in result.mentions if m.entity_id in fresh]

    def add_names(self, names: Iterable[tuple[str, str, str, str]]) -> None:
        for entity_id, type, name, lang in names:
            self.add_name(entity_id, type, name, lang)

    def add_name(self, entity_id: str, type: str, name: str, lang: str | None) -> None:
        old = self._names.get(entity_id)
        if old is None or (-len(name), name, lang or "") < (-len(old[1]), old[1], old[2] or ""):
            self._names[entity_id] = (type, name, lang)

    def names(self) -> dict[str, tuple[str, str, str | None]]:
        """New entity ID → (type, name, lang): the table the merge reads."""
        return dict(self._names)

    def ids(self) -> dict[str, str]:
        """The IDs that change: per-document new entity ID → cross-document ID."""
        return {a: b for a, b in merge(self._names).items() if a != b}


def apply_ids(result: Outcome, ids: dict[str, str]) -> Outcome:
    """``result`` with its new entities' IDs replaced by their cross-document IDs."""
    if isinstance(result, FailedDocument) or not any(e.id in ids for e in result.entities):
        return result
    mentions = [m.model_copy(update={"entity_id": ids.get(m.entity_id, m.entity_id)}) for m in result.mentions]
    entities = {}
    for e in result.entities:
        entities.setdefault(ids.get(e.id, e.id), e.model_copy(update={"id": ids.get(e.id, e.id)}))
    return result.model_copy(update={"mentions": mentions, "entities": list(entities.values())})


def merged(outcomes: Iterable[Outcome]) -> Iterator[Outcome]:
    """Two passes: results spooled to a temporary file while the merge collects, then read back with
    cross-document IDs. Memory stays flat; the first result comes once the input is read."""
    from .resolver import Result

    table = NewEntityMerge()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:  # JSON, never pickle: data only
        for r in outcomes:
            table.add(r)
            failed = isinstance(r, FailedDocument)
            spool.write(json.dumps([failed, r.model_dump(mode="json"), None if failed else r._text],
                                   ensure_ascii=False) + "\n")
        ids = table.ids()
        spool.seek(0)
        for line in spool:
            failed, data, text = json.loads(line)
            if failed:
                yield FailedDocument.model_validate(data)
                continue
            result = Result.model_validate(data)
            result._text = text  # the text the result was resolved from, for to_html
            yield apply_ids(result, ids)
