"""Score predicted results of ``entityres.resolve`` against gold annotations.

The measures are those of TAC-KBP entity discovery and linking:

* **mention detection** (strong typed mention match): a predicted mention is correct when its
  ``(start, end, type)`` equals a gold one; micro-averaged precision/recall/F1, with per-type and
  per-document breakdowns;
* **linking accuracy**: over the gold mentions detected exactly, the share linked to the right
  entity; **end-to-end linking** (strong_typed_all_match): precision/recall/F1 where a predicted
  mention counts only when span, type and link are all right;
* **CEAFm** (Luo 2005, mention-based φ3): the cross-document clusters of gold and predicted
  mentions, aligned one-to-one so that the shared mentions are as many as possible.

A gold ``canonical`` is an entityres ID (``person:steve-witkoff``) or an entry's English name
(``Steve Witkoff``): the caller passes ``gold_id(canonical, type)``, which returns the gazetteer ID
it names and ``None`` for one the gazetteer does not hold (a NIL, i.e. new, entity); the CLI
passes :meth:`entityres.Gazetteer.id_of_name`. When no gold canonical names an entry, linking is
scored as if every gold entity were new, which is almost always a mistake in the gold file: the
report's ``gold_entities``/``gold_in_gazetteer`` say so and a warning is logged.
"""
from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel, computed_field

from .text.langs import READ_LANGS

TYPES = ("person", "place")
log = logging.getLogger(__name__)
_NO_RESULT = {"mentions": [], "entities": []}


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


class PRF(BaseModel):
    """Counts behind a precision/recall/F1 triple; a ratio is 0.0 when its denominator is 0.

    ``correct`` is the number of correct predicted mentions, except for CEAFm, where it is the
    number of mentions shared by the aligned clusters.
    """

    correct: int = 0
    predicted: int = 0
    gold: int = 0

    @computed_field
    @property
    def precision(self) -> float:
        return _ratio(self.correct, self.predicted)

    @computed_field
    @property
    def recall(self) -> float:
        return _ratio(self.correct, self.gold)

    @computed_field
    @property
    def f1(self) -> float:
        return _ratio(2 * self.precision * self.recall, self.precision + self.recall)


class Accuracy(BaseModel):
    """Linking accuracy: ``correct`` of the ``total`` gold mentions that were detected exactly."""

    correct: int = 0
    total: int = 0

    @computed_field
    @property
    def accuracy(self) -> float:
        return _ratio(self.correct, self.total)


class Mention(BaseModel):
    """Where a listed error is: document, span, surface text and type."""

    doc_id: str
    start: int
    end: int
    surface: str
    type: str

    def place(self) -> str:
        return f'{self.doc_id} [{self.start}:{self.end}] {self.type} "{self.surface}"'


class Miss(Mention):
    """A gold mention with no predicted mention of the same span and type."""

    canonical: str


class FalseAlarm(Mention):
    """A predicted mention with no gold mention of the same span and type."""

    entity_id: str
    name: str


class WrongLink(Mention):
    """A gold mention detected exactly but linked to the wrong entity."""

    canonical: str
    gold_id: str | None
    entity_id: str
    name: str
    in_gazetteer: bool


class Report(BaseModel):
    """All the measures of one evaluation, and the mentions behind the errors."""

    documents: int
    mentions: PRF
    mentions_by_type: dict[str, PRF]
    mentions_by_doc: dict[str, PRF]
    linking: Accuracy
    linking_end_to_end: PRF
    ceafm: PRF
    gold_entities: int = 0  # distinct (canonical, type) of the gold mentions
    gold_in_gazetteer: int = 0  # ... that gold_id links to a gazetteer entry; the others are new (NIL)
    misses: list[Miss]
    false_alarms: list[FalseAlarm]
    wrong_links: list[WrongLink]

    def to_dict(self) -> dict:
        return self.model_dump()

    def format(self, max_items: int = 20) -> str:
        """The figures, then the worst documents and the error lists, each cut to ``max_items``."""
        m = self.mentions
        lines = [f"{self.documents} documents, {m.gold} gold mentions, {m.predicted} predicted", "",
                 f"{'':24}{'P':>8}{'R':>8}{'F1':>8}  correct/predicted/gold"]
        rows = [("mentions", m), *((f"  {t}", s) for t, s in self.mentions_by_type.items()),
                ("linking end-to-end", self.linking_end_to_end), ("CEAFm", self.ceafm)]
        lines += [_row(name, s) for name, s in rows]
        a = self.linking
        lines += [f"{'linking accuracy':24}{a.accuracy:8.4f}  {a.correct}/{a.total} detected",
                  f"gold entities in the gazetteer: {self.gold_in_gazetteer} of {self.gold_entities}", ""]
        if self.gold_entities and not self.gold_in_gazetteer:
            lines.insert(0, f"warning: {NONE_LINKED}\n")
        worst = sorted(self.mentions_by_doc.items(), key=lambda item: item[1].f1)
        lines += _listing("mentions per document, worst first", [_row(d, s) for d, s in worst], max_items)
        errors = (("misses", self.misses, lambda m: f"gold {m.canonical}"),
                  ("false alarms", self.false_alarms, lambda m: f"predicted {m.name} ({m.entity_id})"),
                  ("wrong links", self.wrong_links,
                   lambda m: f"gold {m.canonical} ({m.gold_id or 'NIL'}), predicted {m.name} "
                             f"({m.entity_id}{'' if m.in_gazetteer else ', not in gazetteer'})"))
        for title, items, detail in errors:
            lines += _listing(title, [f"{m.place()}: {detail(m)}" for m in items], max_items)
        return "\n".join(lines).rstrip() + "\n"


def _row(name: str, s: PRF) -> str:
    return f"{name:24}{s.precision:8.4f}{s.recall:8.4f}{s.f1:8.4f}  {s.correct}/{s.predicted}/{s.gold}"


def _listing(title: str, lines: list[str], max_items: int) -> list[str]:
    more = len(lines) - max_items
    return [f"{title} ({len(lines)}):", *("  " + line for line in lines[:max_items]),
            *([f"  ... and {more} more"] if more > 0 else []), ""]


NONE_LINKED = ("no gold canonical names a gazetteer entry (expected an entityres ID or an entry's English "
               "name): every gold entity is scored as new")


def evaluate(gold_docs: Iterable[dict], predicted: Mapping[str, dict],
             gold_id: Callable[[str, str], str | None]) -> Report:
    """Score ``predicted`` (document id → ``model_dump()`` of a result) against ``gold_docs``.

    A gold document missing from ``predicted`` has no predictions; predictions for documents not
    in the gold set are not scored. Predicted entity IDs are taken as the same entity in every
    document, since CEAFm clusters mentions across documents.
    """
    links: dict[tuple[str, str], str | None] = {}
    gold_n, pred_n, correct_n = Counter(), Counter(), Counter()
    by_doc: dict[str, PRF] = {}
    linked = 0
    gold_clusters: dict[tuple, list] = defaultdict(list)
    pred_clusters: dict[str, list] = defaultdict(list)
    misses, false_alarms, wrong_links = [], [], []
    for doc in gold_docs:
        doc_id = doc["id"]
        if doc_id in by_doc:
            raise ValueError(f"gold: document id {doc_id!r} appears twice")
        gold = _by_span(doc["entities"], f"gold {doc_id}: entities")
        result = predicted.get(doc_id, _NO_RESULT)
        pred = _by_span(result["mentions"], f"predicted {doc_id}: mentions")
        entities = {e["id"]: e for e in result["entities"]}
        for i, m in enumerate(result["mentions"]):
            if m["entity_id"] not in entities:
                raise ValueError(f"predicted {doc_id}: mentions[{i}].entity_id {m['entity_id']!r} "
                                 "is not among the result's entities")
        correct = 0
        for (start, end), g in gold.items():
            kind, canonical = g["type"], g["canonical"]
            if (canonical, kind) not in links:  # gold_id may be a slow gazetteer lookup
                links[canonical, kind] = gold_id(canonical, kind)
            gid = links[canonical, kind]
            gold_clusters[("id", gid) if gid is not None else ("nil", kind, canonical)].append((doc_id, start, end))
            gold_n[kind] += 1
            p = pred.get((start, end))
            if p is None or p["type"] != kind:
                misses.append(dict(doc_id=doc_id, start=start, end=end, surface=g["surface"], type=kind,
                                   canonical=canonical))
                continue
            correct += 1
            correct_n[kind] += 1
            entity = entities[p["entity_id"]]
            # a name the gazetteer lacks is linked right when the prediction is a new entity too
            right = p["entity_id"] == gid if gid is not None else not entity["in_gazetteer"]
            if right:
                linked += 1
            else:
                wrong_links.append(dict(doc_id=doc_id, start=start, end=end, surface=g["surface"], type=kind,
                                        canonical=canonical, gold_id=gid, entity_id=p["entity_id"],
                                        name=entity["name"], in_gazetteer=entity["in_gazetteer"]))
        for (start, end), p in pred.items():
            pred_n[p["type"]] += 1
            pred_clusters[p["entity_id"]].append((doc_id, start, end))
            g = gold.get((start, end))
            if g is None or g["type"] != p["type"]:
                false_alarms.append(dict(doc_id=doc_id, start=start, end=end, surface=p["text"], type=p["type"],
                                         entity_id=p["entity_id"], name=entities[p["entity_id"]]["name"]))
        by_doc[doc_id] = PRF(correct=correct, predicted=len(pred), gold=len(gold))
    n_gold, n_pred, n_correct = sum(gold_n.values()), sum(pred_n.values()), sum(correct_n.values())
    in_gazetteer = sum(gid is not None for gid in links.values())
    if links and not in_gazetteer:
        log.warning(NONE_LINKED)
    return Report(
        documents=len(by_doc),
        mentions=PRF(correct=n_correct, predicted=n_pred, gold=n_gold),
        mentions_by_type={t: PRF(correct=correct_n[t], predicted=pred_n[t], gold=gold_n[t])
                          for t in sorted(set(TYPES) | set(gold_n) | set(pred_n))},
        mentions_by_doc=by_doc,
        linking=Accuracy(correct=linked, total=n_correct),
        linking_end_to_end=PRF(correct=linked, predicted=n_pred, gold=n_gold),
        ceafm=PRF(correct=_ceafm_overlap(gold_clusters, pred_clusters), predicted=n_pred, gold=n_gold),
        gold_entities=len(links), gold_in_gazetteer=in_gazetteer,
        # the plain dicts gathered above become Miss, FalseAlarm and WrongLink here
        misses=misses, false_alarms=false_alarms, wrong_links=wrong_links,
    )


def _by_span(mentions: list[dict], where: str) -> dict[tuple[int, int], dict]:
    """Mentions by ``(start, end)``; a repeated span would put one mention in two clusters."""
    out = {}
    for i, m in enumerate(mentions):
        span = m["start"], m["end"]
        if span in out:
            raise ValueError(f"{where}[{i}]: span [{span[0]}:{span[1]}] repeats an earlier mention")
        out[span] = m
    return out


def _ceafm_overlap(gold: Mapping[object, list], pred: Mapping[object, list]) -> int:
    """CEAFm's numerator: Σ |K ∩ R| over the best one-to-one alignment of gold clusters K and
    predicted clusters R (Luo 2005, φ3); precision divides it by the predicted mentions, recall by
    the gold ones, since φ3(K, K) = |K|.

    Clusters that share no mention add nothing to any alignment, so the optimum is the sum of the
    optima of each connected group of overlapping clusters: the matrices stay small on a large
    corpus, where one over all clusters would be quadratic in size and cubic in time.
    """
    cluster_of = {mention: k for k, mentions in gold.items() for mention in mentions}
    shared: Counter = Counter()
    for r, mentions in pred.items():
        for mention in mentions:
            if mention in cluster_of:
                shared[cluster_of[mention], r] += 1
    parent: dict = {}

    def root(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for k, r in shared:
        parent[root(("gold", k))] = root(("pred", r))
    groups: dict = defaultdict(list)
    for (k, r), n in shared.items():
        groups[root(("gold", k))].append((k, r, n))
    total = 0
    for edges in groups.values():
        rows: dict = {}
        cols: dict = {}
        for k, r, _ in edges:
            rows.setdefault(k, len(rows))
            cols.setdefault(r, len(cols))
        weights = [[0] * len(cols) for _ in rows]
        for k, r, n in edges:
            weights[rows[k]][cols[r]] = n
        total += sum(weights[i][j] for i, j in hungarian(weights))
    return total


def hungarian(weights: list[list[float]]) -> list[tuple[int, int]]:
    """The one-to-one assignment of rows to columns with the largest total weight (Kuhn–Munkres).

    Returns ``(row, column)`` pairs sorted by row, ``min(rows, columns)`` of them. This is the
    O(n²m) shortest-augmenting-path form: rows are added one at a time; dual potentials ``u``
    (rows) and ``v`` (columns) keep every reduced cost ``-w[i][j] - u[i] - v[j]`` non-negative, and
    each new row reaches a free column along a path of zero reduced cost, found Dijkstra-style
    while the potentials are raised by the smallest slack ``delta``.
    """
    if not weights or not weights[0]:
        return []
    flip = len(weights) > len(weights[0])  # the loop below wants no more rows than columns
    w = [list(col) for col in zip(*weights)] if flip else weights
    n, m = len(w), len(w[0])
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    row_of = [0] * (m + 1)  # 1-based row assigned to each column; column 0 is the new row's start
    for i in range(1, n + 1):
        row_of[0] = i
        j0 = 0
        slack, came_from, done = [inf] * (m + 1), [0] * (m + 1), [False] * (m + 1)
        while row_of[j0]:
            done[j0] = True
            i0, delta, j1 = row_of[j0], inf, 0
            for j in range(1, m + 1):
                if not done[j]:
                    cost = -w[i0 - 1][j - 1] - u[i0] - v[j]
                    if cost < slack[j]:
                        slack[j], came_from[j] = cost, j0
                    if slack[j] < delta:
                        delta, j1 = slack[j], j
            for j in range(m + 1):
                if done[j]:
                    u[row_of[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            j0 = j1
        while j0:  # flip the augmenting path back to the start
            row_of[j0] = row_of[came_from[j0]]
            j0 = came_from[j0]
    pairs = [(row_of[j] - 1, j - 1) for j in range(1, m + 1) if row_of[j]]
    return sorted((c, r) for r, c in pairs) if flip else sorted(pairs)


def load_gold(path: str | Path) -> list[dict]:
    """Read gold documents from JSON lines, one article a line (blank lines are skipped).

    Raises ``ValueError`` naming the file, the line and the field, e.g.
    ``gold.jsonl:3: entities[5].end: 120 is past the end of the text (length 96)``.
    """
    docs = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{number}: not valid JSON: {e}") from None
            problem = _gold_problem(doc)
            if problem:
                raise ValueError(f"{path}:{number}: {problem}")
            docs.append(doc)
    return docs


_DOC_FIELDS = {"id": str, "lang": str, "text": str, "entities": list}
_ENTITY_FIELDS = {"surface": str, "start": int, "end": int, "type": str, "canonical": str}


def _field_problem(record: object, where: str, fields: dict[str, type]) -> str | None:
    """The first missing or mistyped field of ``record`` (at ``where``, "" for the top level)."""
    if not isinstance(record, dict):
        return f"{where or 'record'}: expected a JSON object, got {type(record).__name__}"
    prefix = f"{where}." if where else ""
    for name, kind in fields.items():
        if name not in record:
            return f"{prefix}{name}: missing"
        value = record[name]
        # bool is an int subclass in Python, but true is no offset
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{prefix}{name}: expected {kind.__name__}, got {type(value).__name__}"
    return None


def _gold_problem(doc: object) -> str | None:
    """What is wrong with one gold record, as ``field: why``, or None."""
    problem = _field_problem(doc, "", _DOC_FIELDS)
    if problem:
        return problem
    if doc["lang"] not in READ_LANGS:
        return f"lang: {doc['lang']!r} is not one of {', '.join(READ_LANGS)}"
    text = doc["text"]
    for i, e in enumerate(doc["entities"]):
        problem = _field_problem(e, f"entities[{i}]", _ENTITY_FIELDS)
        if problem:
            return problem
        where = f"entities[{i}]."
        start, end = e["start"], e["end"]
        if not 0 <= start < len(text):
            return f"{where}start: {start} is outside the text (length {len(text)})"
        if not start < end <= len(text):
            return f"{where}end: {end} is not between start {start} and the text's length {len(text)}"
        if text[start:end] != e["surface"]:
            return f"{where}surface: {e['surface']!r} differs from text[{start}:{end}] = {text[start:end]!r}"
        if e["type"] not in TYPES:
            return f"{where}type: {e['type']!r} is not one of {', '.join(TYPES)}"
    return None
