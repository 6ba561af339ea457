"""Name matching against a Latin gazetteer: Persian and Arabic queries, distractors, open set, calibration.

Data (read at run time from ../shared/bench/names, never copied):

* everypolitician_wikidata_2015/persons_en_fa_ar.tsv: 1,841 politicians. Gazetteer: the ``en``
  name plus every ``latin_variants`` value, with Wikipedia disambiguators such as "(politico)"
  stripped. Queries: the ``fa`` label (1,512) and the ``ar`` label (592), first value if several,
  disambiguators such as "(سیاستمدار)" stripped; matched with lang="fa" and lang="ar".
* un_sc_consolidated_2020/individuals.tsv: the 713 UN-sanctioned individuals. Gazetteer:
  ``name_latin`` plus the good- and low-quality aliases, cleaned (" | " and ";" split variants,
  parenthesised notes and Arabic/Cyrillic script dropped, "born ..." cut, "Surname, Given"
  turned round, quotes removed). Queries: ``name_original_script`` of the 353 Arabic-script rows,
  matched with lang="prs" for the Taliban list (Afghan names) and lang="ar" for the others.

Protocol:

1. Politicians: top-1 accuracy and MRR over the top 10, fa and ar.
2. UN list: top-1 and MRR.
3. Scale: the same queries with N distractor persons (100,000) added to each gazetteer. Each
   distractor is a random (seeded) combination of 2–3 single-token Latin person names from the
   ANETAC PERSON entries, Google's ar2en word pairs and NETranslit's English tokens; none equals
   a real gazetteer name (case- and accent-folded). Reported: top-1, matching queries per second
   (after the index is built), load and index build seconds, and peak memory as the rise of the
   peak resident set over the load and build, measured in a fresh (spawned) process so that
   earlier work does not mask it. The peak is /proc/self/status VmHWM (ru_maxrss where there is
   no /proc): Linux carries ru_maxrss over into a spawned child from its parent, VmHWM not.
4. Open set: a seeded 20% of the persons (of 1; of the persons with a query in 2) are left out of
   the gazetteer and their names queried; a top candidate the matcher accepts is a false accept:
   scored at or above entityres.gazetteer.match.MATCH_THRESHOLD and not flagged ambiguous (the
   rule of ``Match.accepted``: a name that two entries answer about equally, such as an alias two
   listed men bear, goes to review, not to an accept). Those flagged are counted beside, and each
   false accept is listed.
5. Calibration (1 and 2, no distractors): precision (correct top-1 among queries whose top
   candidate is accepted at t) and coverage (share of queries whose top candidate is accepted at
   t) for t = 0.50..0.95, and the lowest t at which precision >= 0.98 on every query set.
6. Threshold (issue 8): the persons are split in seeded halves by ID. On the dev half, the lowest
   t (0.70..0.99) at which the open-set false accepts, namesakes aside, meet the issue's targets
   (fa, ar 0.01; UN 0.03) on every set with at least 50 dev held-out queries is chosen; coverage and false accepts at it, and at the
   documented MATCH_THRESHOLD, are reported on both halves (the test half is the honest figure).

Baselines in the same run, over the same Latin gazetteer names (the best name mapped back to its
person): (a) unidecode(x).lower() and (b) ICU "Any-Latin; Latin-ASCII; Lower", each with
rapidfuzz.process.extract(..., scorer=fuzz.WRatio, limit=10) (its first hit is extractOne's).
With distractors they take about 0.2 s a query: they first run on a seeded sample of each query
set (--baseline-scale-sample), and on all queries only if that projects under ~2 minutes.
With ``--nk-python PY`` (a Python with nomenklatura installed: it is no dependency of entityres),
the scale step also runs OpenSanctions' own pipeline on the same entries and queries: its blocker
(``nomenklatura.blocker.Index``, DuckDB, one thread, rarity-weighted name parts with oversized
buckets dropped) picks each query's candidates in one batch, and LogicV2 (yente's default) or the
name-based matcher scores them; the best ten persons by that score are its ranking, and its time
is the blocker's batch plus that scorer's. Reported as the other rows are, with its build time
and the rise of its peak RSS, in its own process.

Speed: q/s by wall clock and by CPU time (the machine may be shared: CPU q/s is the steadier
figure; pin to one core with ``taskset -c 1``); index build seconds by wall clock and CPU. The
issue's 1M-entry figures come from ``--distractors 1000000``.

Usage: python benchmarks/names.py [--quick] [--no-scale] [--seed S] [--sample N]
       [--distractors N] [--baseline-scale-sample N] [--nk-python PY] [--json PATH]
"""
from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import random
import re
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import icu
from rapidfuzz import fuzz, process
from unidecode import unidecode

from entityres.gazetteer import Gazetteer
from entityres.gazetteer.match import MATCH_THRESHOLD
from peers import run_json

NAMES = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "names"
POLITICIANS = NAMES / "everypolitician_wikidata_2015" / "persons_en_fa_ar.tsv"
UN_LIST = NAMES / "un_sc_consolidated_2020" / "individuals.tsv"
ANETAC = NAMES / "anetac_en_ar" / "EN-AR_Named-entities.txt"
GOOGLE = NAMES / "google_translit_ar2en" / "ar2en.txt"
NETRANSLIT = NAMES / "netranslit_wikidata_en_ar" / "wd_arabic.normalized.aligned.tokens"

TOP_K = 10
HOLDOUT = 0.20
THRESHOLDS = [round(0.50 + 0.05 * i, 2) for i in range(10)]
TARGET_PRECISION = 0.98
# Issue 8: open-set false accepts per set, and the share of true matches accepted, at the threshold.
FALSE_ACCEPT_TARGETS = {"fa": 0.01, "ar": 0.01, "un": 0.03}
COVERAGE_TARGET = 0.80
FINE_THRESHOLDS = [round(0.70 + 0.01 * i, 2) for i in range(30)]
CALIBRATION_MIN_HELD = 50
BASELINE_SCALE_BUDGET_S = 120
TARGETS = {"fa": 0.97, "ar": 0.96, "scale": 0.95, "un": 0.98, "qps": 1000, "qps_1m": 300,
           "index_s": 10, "index_mb": 300, "index_s_1m": 120, "index_mb_1m": 1500}

_PARENS = re.compile(r"\([^()]*\)?|\)")
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")
_BORN = re.compile(r",?\s+born\b.*$", re.IGNORECASE)
_QUOTES = str.maketrans("", "", "\"“”„«»")
_NON_LATIN_LETTER = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LATIN_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f]{3,14}")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    gold: str  # entry ID of the person


@dataclass
class Dataset:
    key: str
    title: str
    entries: list[dict]
    query_sets: dict[str, list[Query]]  # set name -> queries
    holdout_pool: list[str] = field(default_factory=list)  # IDs that may be held out (open set)


# --- data -------------------------------------------------------------------------------------

def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def squash(text: str) -> str:
    return " ".join(text.split())


def entry(entry_id: str, names: list[str]) -> dict:
    names = [n for n in dict.fromkeys(squash(n) for n in names) if n]
    return {"id": entry_id, "type": "person", "name": names[0], "names": {"en": names}}


def first_label(cell: str) -> str:
    return squash(_TRAILING_PARENS.sub("", cell.split(" | ")[0]))


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def load_politicians() -> Dataset:
    entries, sets = [], {"fa": [], "ar": []}
    for row in read_tsv(POLITICIANS):
        entry_id = "person:" + slug(row["id"])
        variants = [v.split(":", 1)[1] for v in row["latin_variants"].split(" | ") if ":" in v]
        entries.append(entry(entry_id, [_TRAILING_PARENS.sub("", n) for n in [row["en"], *variants]]))
        for lang in sets:
            if row[lang]:
                sets[lang].append(Query(first_label(row[lang]), lang, entry_id))
    return Dataset("politicians", "1. Politicians (Wikidata 2015), Latin gazetteer", entries, sets,
                   [e["id"] for e in entries])


def clean_alias(raw: str) -> list[str]:
    """Latin spellings in one UN alias cell item; notes, dates and other scripts dropped."""
    notes = [m.group(0).strip("()") for m in _PARENS.finditer(raw)]
    text = _PARENS.sub(" ", raw)
    if not _LATIN_LETTER.search(text):  # "حسن غول (Hassan Ghul; Hassan Gul)": the Latin is inside
        text = " ; ".join(n for n in notes if _LATIN_LETTER.search(n) and not _NON_LATIN_LETTER.search(n))
    text = _BORN.sub("", text.translate(_QUOTES))
    out = []
    for part in text.split(";"):
        part = squash(part).strip(" ,.-)")
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(pieces) == 2 and pieces[1].lower() not in _SUFFIXES:
            pieces = [f"{pieces[1]} {pieces[0]}"]  # "Surname, Given" -> "Given Surname"
        elif len(pieces) == 2:
            pieces = [" ".join(pieces)]
        for name in pieces:
            if len(name) >= 2 and _LATIN_LETTER.search(name) and not _NON_LATIN_LETTER.search(name) \
                    and not any(c.isdigit() for c in name):
                out.append(name)
    return out


def load_un() -> Dataset:
    entries, queries, seen = [], [], set()
    for row in read_tsv(UN_LIST):
        entry_id = "person:un-" + slug(row["reference_number"])
        if entry_id in seen:
            entry_id += "-" + slug(row["dataid"])
        seen.add(entry_id)
        aliases = [a for col in ("aliases_good_quality", "aliases_low_quality")
                   for item in row[col].split(" | ") for a in clean_alias(item)]
        entries.append(entry(entry_id, [row["name_latin"], *aliases]))
        if row["original_script_class"].startswith("arabic_script") and row["name_original_script"]:
            lang = "prs" if row["un_list_type"] == "Taliban" else "ar"
            queries.append(Query(squash(row["name_original_script"]), lang, entry_id))
    return Dataset("un", "2. UN SC consolidated list 2020, Latin gazetteer", entries, {"un": queries},
                   [q.gold for q in queries])


def fold_key(name: str) -> str:
    return squash(unidecode(name).casefold())


def harvest_tokens() -> list[str]:
    """Single-token Latin person names: ANETAC PERSON, Google ar2en (English side), NETranslit."""
    raw: list[str] = []
    with ANETAC.open(encoding="utf-8") as f:
        raw += [p[1] for p in (line.split() for line in f) if len(p) >= 3 and p[0] == "PERSON"]
    with GOOGLE.open(encoding="utf-8") as f:
        raw += [p[1] for p in (line.rstrip("\n").split("\t") for line in f) if len(p) >= 2]
    with NETRANSLIT.open(encoding="utf-8") as f:
        raw += [line.split("\t", 1)[0] for line in f]
    tokens = {t.casefold(): t[0].upper() + t[1:].lower() for t in raw if _LATIN_TOKEN.fullmatch(t)}
    return sorted(tokens.values())


def distractors(count: int, tokens: list[str], real: set[str], seed: int) -> list[dict]:
    rnd = random.Random(f"{seed}:distractors")
    names: dict[str, str] = {}
    while len(names) < count:
        name = " ".join(rnd.choice(tokens) for _ in range(rnd.choice((2, 3))))
        key = fold_key(name)
        if key not in real and key not in names:
            names[key] = name
    return [entry(f"person:distractor-{i:06d}", [n]) for i, n in enumerate(names.values())]


def all_names(e: dict) -> list[str]:
    return [n for names in e["names"].values() for n in names]


def sample(queries: list[Query], n: int | None, seed: int, tag: str) -> list[Query]:
    if n is None or n >= len(queries):
        return queries
    return random.Random(f"{seed}:{tag}").sample(queries, n)


# --- matchers and evaluation ------------------------------------------------------------------

Ranker = Callable[[Query], list[tuple]]  # (entry ID, score in [0, 1][, ambiguous]), best first


def entityres_ranker(gz: Gazetteer) -> Ranker:
    # (id, score, ambiguous): a top candidate match() flags ambiguous is not accepted (Match.accepted).
    def rank(q: Query) -> list[tuple]:
        return [(m.entry.id, m.score, m.ambiguous) for m in gz.match(q.text, lang=q.lang, type="person", limit=TOP_K)]
    return rank


def accepted(hit: tuple, t: float) -> bool:
    """A top candidate the matcher accepts at threshold t: scored t or more and not flagged
    ambiguous (baselines flag nothing), as ``Match.accepted`` is at MATCH_THRESHOLD."""
    return hit[1] >= t and not (len(hit) > 2 and hit[2])


_ICU = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
FOLDS: dict[str, Callable[[str], str]] = {
    "unidecode+WRatio": lambda s: unidecode(s).lower(),
    "ICU+WRatio": _ICU.transliterate,
}


def fuzzy_ranker(fold: Callable[[str], str], entries: list[dict]) -> Ranker:
    """extract(limit=10) over every folded Latin name; hits mapped to distinct persons."""
    choices, owners = [], []
    for e in entries:
        for name in dict.fromkeys(fold(n) for n in all_names(e)):
            if name:
                choices.append(name)
                owners.append(e["id"])

    def rank(q: Query) -> list[tuple[str, float]]:
        out: dict[str, float] = {}
        for _, score, i in process.extract(fold(q.text), choices, scorer=fuzz.WRatio, limit=TOP_K):
            out.setdefault(owners[i], score / 100)
        return list(out.items())
    return rank


def rank_all(rank: Ranker, queries: list[Query]) -> tuple[list[list[tuple[str, float]]], float, float]:
    """The rankings, the wall seconds and the CPU seconds they took."""
    started, cpu = time.perf_counter(), time.process_time()
    ranked = [rank(q) for q in queries]
    return ranked, time.perf_counter() - started, time.process_time() - cpu


def score(queries: list[Query], ranked: list[list[tuple[str, float]]], seconds: float, cpu_seconds: float) -> dict:
    """top-1, MRR@10, q/s (wall, and by CPU time: steadier on a shared machine), and per query
    (correct, top hit or None) for calibration."""
    top1 = mrr = 0.0
    per_query = []
    for q, hits in zip(queries, ranked):
        ids = [h[0] for h in hits[:TOP_K]]
        if q.gold in ids:
            mrr += 1 / (ids.index(q.gold) + 1)
        correct = bool(ids) and ids[0] == q.gold
        top1 += correct
        per_query.append((correct, tuple(hits[0]) if hits else None))
    n = len(queries)
    return {"queries": n, "top1": top1 / n if n else 0.0, "mrr": mrr / n if n else 0.0,
            "qps": n / seconds if seconds else 0.0, "cpu_qps": n / cpu_seconds if cpu_seconds else 0.0,
            "per_query": per_query}


def evaluate(rank: Ranker, queries: list[Query]) -> dict:
    return score(queries, *rank_all(rank, queries))


def build(entries: list[dict]) -> tuple[Gazetteer, float, float, float]:
    """The gazetteer, its load seconds, and its index build seconds (wall, then CPU)."""
    started = time.perf_counter()
    gz = Gazetteer.from_entries(entries, cache=False)
    loaded, cpu = time.perf_counter(), time.process_time()
    gz.index  # noqa: B018 - builds the index
    return gz, loaded - started, time.perf_counter() - loaded, time.process_time() - cpu


def peak_rss_kib() -> int:
    """This process image's peak resident set: VmHWM, else ru_maxrss.

    Linux carries ru_maxrss over fork + exec, so in a spawned child it starts at the parent's
    peak and hides the build; VmHWM is the same high-water mark, but of the child's own memory.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _scale_worker(entries: list[dict], query_sets: dict[str, list[Query]]) -> dict:
    """Runs in a fresh process: load, build, match; memory as the rise of the peak RSS (KiB)."""
    rss_before = peak_rss_kib()
    gz, load_s, index_s, index_cpu_s = build(entries)
    rss_after = peak_rss_kib()
    rank = entityres_ranker(gz)
    results = {name: score(qs, *rank_all(rank, qs)) for name, qs in query_sets.items()}
    return {"entries": len(gz), "load_s": load_s, "index_s": index_s, "index_cpu_s": index_cpu_s,
            "peak_rss_delta_mb": (rss_after - rss_before) / 1024, "sets": results}


# Runs in nomenklatura's Python: {"sets": {name: [[query, ...]]}, "entries": [[id, [name, ...]], ...]}
# on stdin; per set and scorer the ranked [[id, score], ...] of each query and the seconds it took
# (the blocker's batch and that scorer), on stdout.
_NK_SCRIPT = """
import json, sys, tempfile, time
from pathlib import Path
from followthemoney import model
from nomenklatura.blocker import Index
from nomenklatura.matching import LogicV2, NameMatcher

def vm_hwm_kib():
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

def person(pid, names):
    e = model.make_entity("Person")
    e.id = pid
    for n in names:
        e.add("name", n)
    return e

class View:  # all the blocker reads of a store's view
    def __init__(self, entities):
        self.list = entities
    def entities(self, include_schemata=None):
        return iter(self.list)

job = json.load(sys.stdin)
rss = vm_hwm_kib()
wall, cpu = time.perf_counter(), time.process_time()
entities = [person(pid, names) for pid, names in job["entries"]]
by_id = {e.id: e for e in entities}
with tempfile.TemporaryDirectory() as folder:
    index = Index(View(entities), Path(folder))
    index.con.execute("SET threads TO 1")
    index.con.execute("SET enable_progress_bar = false")  # it writes to stdout, where the result goes
    index.build()
    out = {"index_s": time.perf_counter() - wall, "index_cpu_s": time.process_time() - cpu,
           "peak_rss_delta_mb": (vm_hwm_kib() - rss) / 1024, "sets": {}}
    for name, queries in job["sets"].items():
        wall, cpu = time.perf_counter(), time.process_time()
        asked = [person(f"query-{i}", [q]) for i, q in enumerate(queries)]
        found = {str(q): [str(c) for c, _ in hits] for q, hits in index.match_entities(asked)}
        block_wall, block_cpu = time.perf_counter() - wall, time.process_time() - cpu
        out["sets"][name] = runs = {}
        for algorithm in (LogicV2, NameMatcher):
            config = algorithm.default_config()
            wall, cpu = time.perf_counter(), time.process_time()
            ranked = []
            for q in asked:  # sorted() is stable: ties keep the blocker's order
                scored = [(c, algorithm.compare(q, by_id[c], config).score) for c in found.get(q.id, [])]
                ranked.append(sorted(scored, key=lambda h: -h[1])[:10])
            runs[algorithm.NAME] = {"ranked": ranked, "seconds": block_wall + time.perf_counter() - wall,
                                    "cpu_seconds": block_cpu + time.process_time() - cpu}
print(json.dumps(out))
"""


def nomenklatura_scale(python: str, entries: list[dict], query_sets: dict[str, list[Query]]) -> dict | None:
    """nomenklatura's blocker and its scorers on ``entries`` in ``python``, scored as the other rows;
    None (with the reason printed) when it cannot run."""
    job = {"entries": [[e["id"], all_names(e)] for e in entries],
           "sets": {name: [q.text for q in qs] for name, qs in query_sets.items()}}
    out = run_json(_NK_SCRIPT, job, python, "  nomenklatura", timeout=3600)
    if out is None:
        return None
    out["sets"] = {name: {algorithm: score(query_sets[name], [[tuple(h) for h in hits] for hits in r["ranked"]],
                                           r["seconds"], r["cpu_seconds"])
                          for algorithm, r in runs.items()}
                   for name, runs in out["sets"].items()}
    return out


def in_fresh_process(fn, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# --- report -----------------------------------------------------------------------------------

def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def print_methods(title: str, rows: dict[str, dict], note: str = "") -> None:
    print(f"\n{title}" + (f"  ({note})" if note else ""))
    print(f"  {'method':<26}{'queries':>8}{'top-1':>8}{'MRR@10':>8}{'q/s':>9}{'CPU q/s':>9}")
    for method, r in rows.items():
        print(f"  {method:<26}{r['queries']:>8}{r['top1']:>8.3f}{r['mrr']:>8.3f}{r['qps']:>9.0f}{r['cpu_qps']:>9.0f}")


def print_scale_row(set_name: str, entries: int, r: dict, build: dict, method: str = "") -> None:
    """A row of the scale table: ``r`` a set's figures, ``build`` its index's (no load step: —)."""
    print(f"  {set_name:<6}{entries:>9,}{r['queries']:>8}{r['top1']:>8.3f}{r['mrr']:>8.3f}{r['qps']:>9.0f}"
          f"{r['cpu_qps']:>9.0f}{fmt(build.get('load_s'), '.2f'):>8}{build['index_s']:>9.2f}{build['index_cpu_s']:>7.1f}"
          f"{build['peak_rss_delta_mb']:>9.0f}" + (f"  {method}" if method else ""))


def strip_per_query(obj):
    if isinstance(obj, dict):
        return {k: strip_per_query(v) for k, v in obj.items() if k != "per_query"}
    return obj


def calibration(per_query: list[tuple[bool, float]]) -> list[dict]:
    out = []
    for t in THRESHOLDS:
        taken = [ok for ok, hit in per_query if hit is not None and accepted(hit, t)]
        out.append({"t": t, "precision": sum(taken) / len(taken) if taken else None,
                    "coverage": len(taken) / len(per_query) if per_query else 0.0})
    return out


def in_dev(gold: str, seed: int) -> bool:
    """A seeded half of the persons (by ID) on which the threshold is chosen; the rest reports it."""
    return random.Random(f"{seed}:dev:{gold}").random() < 0.5


def threshold_rates(closed: list[tuple[bool, tuple | None]], held: list[tuple[tuple | None, bool]], t: float) -> dict:
    """At threshold t: coverage (share of closed-set queries whose top candidate is accepted at t),
    precision of those, and the open-set false-accept rate, also without namesakes (held-out
    persons whose Latin name a kept person bears: no threshold on the name tells those apart)."""
    taken = [ok for ok, hit in closed if hit is not None and accepted(hit, t)]
    false = [namesake for hit, namesake in held if hit is not None and accepted(hit, t)]
    others = sum(not namesake for _, namesake in held)
    return {"t": t, "coverage": len(taken) / len(closed) if closed else 0.0,
            "precision": sum(taken) / len(taken) if taken else None,
            "false_accepts": len(false) / len(held) if held else 0.0,
            "false_accepts_not_namesakes": sum(not n for n in false) / others if others else 0.0}


def choose_threshold(dev: dict[str, tuple[list, list]]) -> float | None:
    """The lowest threshold on the grid at which, on the dev half, the false accepts that a name
    can avoid (namesakes aside) meet the issue's targets on every set with at least
    CALIBRATION_MIN_HELD held-out queries there (fewer cannot measure a rate of 0.01-0.03: one
    query of the UN list's 35 is 0.03)."""
    measured = {name: v for name, v in dev.items() if len(v[1]) >= CALIBRATION_MIN_HELD}
    for t in FINE_THRESHOLDS:
        if all(threshold_rates(closed, held, t)["false_accepts_not_namesakes"] <= FALSE_ACCEPT_TARGETS.get(name, 0.01)
               for name, (closed, held) in measured.items()):
            return t
    return None


def run_baselines(entries: list[dict], queries: list[Query]) -> dict[str, dict]:
    return {method: evaluate(fuzzy_ranker(fold, entries), queries) for method, fold in FOLDS.items()}


def scale_baselines(datasets: list[Dataset], extra: list[dict], scale: dict, n: int, seed: int) -> dict:
    """The baselines with distractors: a seeded sample first, all queries if that projects under budget."""
    picked = {s: sample(qs, n, seed, f"base-scale-{s}") for ds in datasets for s, qs in ds.query_sets.items()}
    rankers = {ds.key: {m: fuzzy_ranker(fold, ds.entries + extra) for m, fold in FOLDS.items()} for ds in datasets}
    runs = {ds.key: {s: {m: evaluate(r, picked[s]) for m, r in rankers[ds.key].items()} for s in ds.query_sets}
            for ds in datasets}
    projected = sum(len(qs) / r["qps"] for ds in datasets for s, qs in ds.query_sets.items()
                    for r in runs[ds.key][s].values() if r["qps"])
    full = projected <= BASELINE_SCALE_BUDGET_S
    if full:
        picked = {s: qs for ds in datasets for s, qs in ds.query_sets.items()}
        runs = {ds.key: {s: {m: evaluate(r, picked[s]) for m, r in rankers[ds.key].items()} for s in ds.query_sets}
                for ds in datasets}
    what = "all queries" if full else f"a seeded sample of {n} queries a set only"
    print(f"\n  Baselines with {len(extra):,} distractors: a full run is projected at {projected:,.0f} s "
          f"(budget ~{BASELINE_SCALE_BUDGET_S} s), so {what}:")
    print(f"  {'set':<6}{'method':<20}{'queries':>8}{'top-1':>8}{'MRR@10':>8}{'q/s':>9}{'entityres same queries':>24}")
    out: dict = {"projected_full_run_s": projected, "full_run": full}
    for ds in datasets:
        for s, queries in ds.query_sets.items():
            ours = scale[ds.key]["sets"][s]["per_query"]
            idx = {q: i for i, q in enumerate(queries)}
            ours_top1 = sum(ours[idx[q]][0] for q in picked[s]) / len(picked[s])
            for m, r in runs[ds.key][s].items():
                print(f"  {s:<6}{m:<20}{r['queries']:>8}{r['top1']:>8.3f}{r['mrr']:>8.3f}{r['qps']:>9.1f}{ours_top1:>24.3f}")
            out[s] = {**runs[ds.key][s], "entityres_same_queries_top1": ours_top1}
    return out


# --- main -------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 queries a set, 10,000 distractors")
    parser.add_argument("--no-scale", action="store_true", help="skip the distractor (scale) runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=None, help="queries per set (default: all)")
    parser.add_argument("--distractors", type=int, default=None, help="default 100,000 (10,000 with --quick)")
    parser.add_argument("--baseline-scale-sample", type=int, default=None,
                        help="queries per set for the baselines with distractors (default 50, 20 with --quick; 0: skip)")
    parser.add_argument("--nk-python", default=None,
                        help="a Python with nomenklatura installed: its blocker and scorers run beside at scale")
    parser.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress goes to stderr; keep the two in order
    missing = [p for p in (POLITICIANS, UN_LIST) if not p.exists()]
    if missing:
        print(f"skipped: {missing[0]} not found (../shared is not beside the project)")
        return 0
    n_sample = args.sample if args.sample is not None else (100 if args.quick else None)
    n_distractors = args.distractors if args.distractors is not None else (10_000 if args.quick else 100_000)
    n_base_scale = args.baseline_scale_sample if args.baseline_scale_sample is not None else (20 if args.quick else 50)
    seed = args.seed
    report: dict = {"config": {"seed": seed, "sample": n_sample, "distractors": 0 if args.no_scale else n_distractors,
                               "match_threshold": MATCH_THRESHOLD, "top_k": TOP_K}}

    datasets = [load_politicians(), load_un()]
    for ds in datasets:
        ds.query_sets = {k: sample(qs, n_sample, seed, k) for k, qs in ds.query_sets.items()}
    print(f"entityres name matching; MATCH_THRESHOLD {MATCH_THRESHOLD}; seed {seed}; "
          f"queries per set: {n_sample or 'all'}")

    # 1, 2: no distractors
    main_results: dict[str, dict[str, dict]] = {}
    for ds in datasets:
        gz, load_s, index_s, _ = build(ds.entries)
        rank = entityres_ranker(gz)
        n_names = sum(len(all_names(e)) for e in ds.entries)
        for set_name, queries in ds.query_sets.items():
            rows = {"entityres": evaluate(rank, queries), **run_baselines(ds.entries, queries)}
            if ds.key == "politicians":  # the issue's quoted baselines used the en names alone
                en_only = [{**e, "names": {"en": [e["name"]]}} for e in ds.entries]
                rows.update({f"{m} en-only": r for m, r in run_baselines(en_only, queries).items()})
            main_results[set_name] = rows
            print_methods(f"{ds.title}: {set_name} queries", rows,
                          f"{len(ds.entries):,} persons, {n_names:,} Latin names; index {index_s:.2f} s")
    report["benchmarks"] = main_results

    # 3: scale
    scale: dict = {}
    if not args.no_scale:
        tokens = harvest_tokens()
        real = {fold_key(n) for ds in datasets for e in ds.entries for n in all_names(e)}
        extra = distractors(n_distractors, tokens, real, seed)
        print(f"\n3. Scale: {n_distractors:,} distractors from {len(tokens):,} single-token Latin names "
              f"(ANETAC PERSON, Google ar2en, NETranslit), 2–3 tokens each, seed {seed}")
        print("  memory: rise of the peak RSS (VmHWM, i.e. ru_maxrss of the process image) over load + index build,"
              " in a fresh spawned process")
        print(f"  {'set':<6}{'entries':>9}{'queries':>8}{'top-1':>8}{'MRR@10':>8}{'q/s':>9}{'CPU q/s':>9}{'load s':>8}"
              f"{'index s':>9}{'CPU s':>7}{'peak MB':>9}")
        for ds in datasets:
            print(f"  … building {ds.key} + distractors", file=sys.stderr, flush=True)
            res = in_fresh_process(_scale_worker, ds.entries + extra, ds.query_sets)
            for set_name, r in res["sets"].items():
                print_scale_row(set_name, res["entries"], r, res)
            scale[ds.key] = res
        if args.nk_python:
            report["nomenklatura"] = peers = {}
            for ds in datasets:
                print(f"  … nomenklatura: {ds.key} + distractors", file=sys.stderr, flush=True)
                peer = nomenklatura_scale(args.nk_python, ds.entries + extra, ds.query_sets)
                if peer is None:
                    break
                peers[ds.key] = peer
                for set_name, runs in peer["sets"].items():
                    for algorithm, r in runs.items():
                        print_scale_row(set_name, len(ds.entries) + len(extra), r, peer,
                                        f"nomenklatura blocker + {algorithm}")
        if n_base_scale:
            scale["baselines"] = scale_baselines(datasets, extra, scale, n_base_scale, seed)
    report["scale"] = scale

    # 4: open set
    print(f"\n4. Open set: a seeded {HOLDOUT:.0%} of the persons left out; false accept = top candidate accepted (score >= {MATCH_THRESHOLD}, not ambiguous)")
    print(f"  {'set':<6}{'held out':>9}{'queries':>8}{'false acc.':>11}{'rate':>8}{'namesake kept':>14}{'flagged':>10}")
    open_set: dict = {}
    held_scores: dict[str, list[tuple[str, float, bool]]] = {}
    for ds in datasets:
        pool = sorted(set(ds.holdout_pool))
        held = set(random.Random(f"{seed}:holdout-{ds.key}").sample(pool, round(HOLDOUT * len(pool))))
        kept = [e for e in ds.entries if e["id"] not in held]
        kept_names = {fold_key(n) for e in kept for n in all_names(e)}
        names_of = {e["id"]: {fold_key(n) for n in all_names(e)} for e in ds.entries}
        gz, *_ = build(kept)
        rank = entityres_ranker(gz)
        for set_name, queries in ds.query_sets.items():
            out = [q for q in queries if q.gold in held]
            ranked, *_ = rank_all(rank, out)
            false_hits = [(q, h[0]) for q, h in zip(out, ranked) if h and accepted(h[0], MATCH_THRESHOLD)]
            false = len(false_hits)
            namesake = sum(bool(names_of[q.gold] & kept_names) for q in out)
            held_scores[set_name] = [(q.gold, tuple(h[0]) if h else None, bool(names_of[q.gold] & kept_names))
                                     for q, h in zip(out, ranked)]
            flagged = sum(bool(h) and h[0][1] >= MATCH_THRESHOLD and not accepted(h[0], MATCH_THRESHOLD)
                          for h in ranked)
            rate = false / len(out) if out else 0.0
            print(f"  {set_name:<6}{len({q.gold for q in out}):>9}{len(out):>8}{false:>11}{rate:>8.3f}{namesake:>14}"
                  f"{flagged:>10}")
            for q, hit in false_hits:
                gold = next(e["name"] for e in ds.entries if e["id"] == q.gold)
                top = next(e["name"] for e in kept if e["id"] == hit[0])
                print(f"        {q.text} ({gold}) -> {top} {hit[1]:.3f}"
                      + (" [namesake]" if names_of[q.gold] & kept_names else ""))
            open_set[set_name] = {"held_out_persons": len({q.gold for q in out}), "queries": len(out),
                                  "false_accepts": false, "rate": rate, "namesake_kept": namesake,
                                  "flagged_ambiguous": flagged}
    print("  (namesake kept: held-out persons one of whose Latin names another, kept person also has;"
          " flagged: top score at the threshold but flagged ambiguous, so not accepted)")
    report["open_set"] = open_set

    # 5: calibration
    print("\n5. Calibration (entityres, no distractors): precision / coverage of the top-1 accepted at t (score >= t, not ambiguous)")
    sets = list(main_results)
    tables = {s: calibration(main_results[s]["entityres"]["per_query"]) for s in sets}
    print(f"  {'t':<6}" + "".join(f"{s + ' prec':>10}{s + ' cov':>9}" for s in sets))
    lowest = None
    for i, t in enumerate(THRESHOLDS):
        cells = [tables[s][i] for s in sets]
        print(f"  {t:<6.2f}" + "".join(f"{fmt(c['precision'], '.3f'):>10}{c['coverage']:>9.3f}" for c in cells))
        if lowest is None and all(c["precision"] is not None and c["precision"] >= TARGET_PRECISION for c in cells):
            lowest = t
    verdict = "none on the grid" if lowest is None else f"{lowest:.2f}"
    print(f"  lowest t with precision >= {TARGET_PRECISION} on every set: {verdict}; documented MATCH_THRESHOLD {MATCH_THRESHOLD}")
    report["calibration"] = {"tables": tables, "lowest_t_precision_98": lowest}

    # 6: the threshold, chosen on a dev half of the persons and reported on the other half
    print(f"\n6. Threshold: chosen on a seeded half of the persons (dev), reported on the other half (test);"
          f" documented MATCH_THRESHOLD {MATCH_THRESHOLD}")
    halves: dict[str, dict[str, tuple[list, list]]] = {"dev": {}, "test": {}}
    for ds in datasets:
        for set_name, queries in ds.query_sets.items():
            per_query = main_results[set_name]["entityres"]["per_query"]
            for half, keep in (("dev", True), ("test", False)):
                closed = [pq for q, pq in zip(queries, per_query) if in_dev(q.gold, seed) == keep]
                held = [(hit, namesake) for gold, hit, namesake in held_scores.get(set_name, ())
                        if in_dev(gold, seed) == keep]
                halves[half][set_name] = (closed, held)
    chosen = choose_threshold(halves["dev"])
    print(f"  rule: the lowest t (0.70-0.99) at which the dev false accepts, namesakes aside, meet"
          f" {FALSE_ACCEPT_TARGETS} on every set with >= {CALIBRATION_MIN_HELD} dev held-out queries: {chosen}")
    print(f"  {'half':<6}{'t':<6}{'set':<5}{'queries':>8}{'coverage':>10}{'precision':>10}{'held out':>9}"
          f"{'false acc.':>11}{'not namesakes':>14}")
    threshold_report = {"chosen_on_dev": chosen, "rows": []}
    for t in dict.fromkeys(x for x in (chosen, MATCH_THRESHOLD) if x is not None):
        for half in ("dev", "test"):
            for set_name, (closed, held) in halves[half].items():
                r = threshold_rates(closed, held, t)
                threshold_report["rows"].append({"half": half, "set": set_name, **r})
                print(f"  {half:<6}{t:<6.2f}{set_name:<5}{len(closed):>8}{r['coverage']:>10.3f}"
                      f"{fmt(r['precision'], '.3f'):>10}{len(held):>9}{r['false_accepts']:>11.3f}"
                      f"{r['false_accepts_not_namesakes']:>14.3f}")
    report["threshold"] = threshold_report

    # summary
    checks = [("fa top-1", main_results.get("fa", {}).get("entityres", {}).get("top1"), TARGETS["fa"], ">="),
              ("ar top-1", main_results.get("ar", {}).get("entityres", {}).get("top1"), TARGETS["ar"], ">="),
              ("UN top-1", main_results.get("un", {}).get("entityres", {}).get("top1"), TARGETS["un"], ">=")]
    at_100k = not args.no_scale and n_distractors >= 100_000
    at_1m = not args.no_scale and n_distractors >= 1_000_000
    size = "1M" if at_1m else "100k"
    for set_name, key in (("fa", "politicians"), ("ar", "politicians"), ("un", "un")):
        value = scale[key]["sets"][set_name]["top1"] if at_100k else None
        if not at_1m:  # the issue's accuracy target is set at 100,000 distractors (the table shows 1M's)
            checks.append((f"{set_name} top-1 @100k", value, TARGETS["scale"], ">="))
    for set_name, r in open_set.items():
        checks.append((f"open-set FA {set_name}", r["rate"], FALSE_ACCEPT_TARGETS.get(set_name, 0.01), "<="))
    for set_name in sets:
        coverage = threshold_rates(main_results[set_name]["entityres"]["per_query"], [], MATCH_THRESHOLD)["coverage"]
        checks.append((f"coverage {set_name}", coverage, COVERAGE_TARGET, ">="))
    for key in ("politicians", "un"):
        value = min(r["qps"] for r in scale[key]["sets"].values()) if at_100k else None
        checks.append((f"q/s @{size} {key}", value, TARGETS["qps_1m" if at_1m else "qps"], ">="))
    if at_100k:
        worst = max(scale.values(), key=lambda r: r.get("index_s", 0.0))
        checks.append((f"index s @{size}", worst["index_s"], TARGETS["index_s_1m" if at_1m else "index_s"], "<="))
        checks.append((f"index MB @{size}", worst["peak_rss_delta_mb"], TARGETS["index_mb_1m" if at_1m else "index_mb"], "<="))
    parts, summary = [], []
    for label, value, target, op in checks:
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        status = "n/a" if met is None else ("met" if met else "MISSED")
        parts.append(f"{label} {fmt(value, '.0f' if target >= 10 else '.3f')} ({op}{target}) {status}")
        summary.append({"target": label, "value": value, "goal": f"{op}{target}", "met": met})
    print("\nTargets: " + "; ".join(parts))
    report["targets"] = summary

    if args.json:
        args.json.write_text(json.dumps(strip_per_query(report), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
