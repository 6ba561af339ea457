"""End-to-end resolution: accuracy on the seed corpus, speed on one core, and start-up time.

Data (read at run time, never copied): ../shared/corpus/seeds.jsonl, five hand-annotated news
articles (fa, prs, ar; 217 person/place mentions linked to English canonical names).

1. Accuracy: ``Resolver().resolve_many((id, text, lang))`` on the bundled gazetteer, scored by
   :func:`entityres.evaluate.evaluate` (mention P/R/F1 overall and per type, linking accuracy,
   end-to-end linking, CEAFm, and the misses, false alarms and wrong links). A gold canonical name
   maps to the ID of the entry of its type whose ``name`` or an ``names.en`` alias equals it
   case-insensitively (``Gazetteer.id_of_name``), else NIL. Then
   the same with lang="auto": its mention F1, and whether ``result.lang`` is the gold language.
2. Speed, pinned to one CPU: the five seeds cycled to --articles (1,000) articles, one
   ``Resolver.resolve`` call each, on (a) the bundled gazetteer and (b) the bundled gazetteer plus
   --distractors (100,000) Latin-only person entries ``person:distractor-N`` made by the
   distractor generator of benchmarks/names.py (random 2–3 token combinations of single-token
   Latin names from ../shared/bench/names; none equals a bundled name), built with
   ``Gazetteer.from_entries(..., cache=False)``. Reported: load and index build seconds, Resolver
   construction, the first article's latency after construction, then articles and characters
   per second over all the articles; the bundled gazetteer also with ``Resolver(tagger=None)``
   (no name tagger), side by side. Then new text, which the seeds' cycle hides (after its first
   cycle every memo is warm): --new-docs (400) documents of 300 tokens, alternately Arabic
   (ANERcorp's training tokens) and Persian (ArmanPersoNER's first test fold), from
   ../shared/bench/ner (read at run time, for evaluation only), each resolved once on the bundled
   gazetteer and on the one with distractors; the process's memos of words are emptied before each
   (the index's own memos start empty with the index), so every word is new to each. Before 1.
   and 2., the on-disk cache is filled in a subprocess: the figures are a warm start's (what every
   process of a user's but the first reads).
3. Start-up, in fresh subprocesses (median of --startup-runs): ``import entityres`` alone; the
   first ``entityres.resolve()`` of a seed article with a warm on-disk cache (warmed by one run
   beforehand) and with a cold one (``ENTITYRES_CACHE_DIR`` a fresh temporary directory each run).
   Then ``Resolver(paths=[mine.yaml]).resolve()``, the warm cache holding the bundled data's: a
   user's file of 21 entries (20 people of our own making, one extending a bundled entry) just
   edited (another comment and spelling each run, so its cache misses), and the same file
   unchanged since the run before (cached).
   The cache directories are temporary, so the user's own cache is neither used nor touched.

Targets: mention F1 >= 0.95, linking accuracy >= 0.95, CEAFm F1 >= 0.93, >= 1,000 articles/s (issue 10) on the
bundled gazetteer.

Usage: python benchmarks/resolve.py [--quick] [--no-scale] [--errors N] [--articles N]
       [--distractors N] [--new-docs N] [--startup-runs N] [--startup-only] [--seed S] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import entityres
from entityres.evaluate import evaluate, load_gold

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "corpus" / "seeds.jsonl"
NEWS = {"ar": SHARED / "bench" / "ner" / "ar_anercorp" / "derived_PER_LOC.train.conll",
        "fa": SHARED / "bench" / "ner" / "fa_arman" / "test_fold1.txt"}
TARGETS = {"mention F1": 0.95, "linking accuracy": 0.95, "CEAFm F1": 0.93, "articles/s (bundled)": 1000}
STARTUP = """
import sys, time
t0 = time.perf_counter()
import entityres
t1 = time.perf_counter()
if sys.argv[1] == "resolve":
    entityres.resolve(sys.stdin.read(), sys.argv[2])
elif sys.argv[1] == "mine":
    entityres.Resolver(paths=[sys.argv[3]]).resolve(sys.stdin.read(), sys.argv[2])
print(t1 - t0, time.perf_counter() - t1)
"""


# --- accuracy ---------------------------------------------------------------------------------

def resolve_docs(gold: list[dict], lang: str | None = None) -> dict[str, dict]:
    """Document id -> model_dump() of its result; lang None: each document's gold language."""
    results = entityres.Resolver().resolve_many([(d["id"], d["text"], lang or d["lang"]) for d in gold])
    return {d["id"]: r.model_dump() for d, r in zip(gold, results, strict=True)}


def accuracy(gold: list[dict], gold_id, errors: int) -> dict:
    report = evaluate(gold, resolve_docs(gold), gold_id)
    print(f"\n1. Accuracy on {SEEDS.name} (Resolver().resolve_many, bundled gazetteer, gold languages)\n")
    print(report.format(max_items=errors))
    auto = resolve_docs(gold, "auto")
    auto_report = evaluate(gold, auto, gold_id)
    detected = [{"id": d["id"], "gold": d["lang"], "detected": auto[d["id"]]["lang"],
                 "right": entityres.canonical_lang(auto[d["id"]]["lang"]) == d["lang"]} for d in gold]
    m = auto_report.mentions
    print(f'lang="auto": mention P {m.precision:.4f} R {m.recall:.4f} F1 {m.f1:.4f} '
          f"(with gold languages F1 {report.mentions.f1:.4f}); linking accuracy {auto_report.linking.accuracy:.4f}; "
          f"language right on {sum(x['right'] for x in detected)}/{len(detected)} documents")
    for x in detected:
        print(f"  {x['id']:<24} gold {x['gold']:<4} detected {x['detected']:<6} {'ok' if x['right'] else 'WRONG'}")
    return {"report": report.to_dict(), "auto": {"mentions": m.model_dump(), "linking": auto_report.linking.model_dump(),
                                                   "languages": detected}}


# --- speed ------------------------------------------------------------------------------------

def pin_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def throughput(resolver: entityres.Resolver, docs: list[dict]) -> dict:
    """First-article latency (right after construction), then every article timed as a run."""
    started = time.perf_counter()
    resolver.resolve(docs[0]["text"], docs[0]["lang"])
    first = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    for d in docs:
        resolver.resolve(d["text"], d["lang"])
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    chars = sum(len(d["text"]) for d in docs)
    return {"articles": len(docs), "characters": chars, "first_article_s": first, "seconds": seconds,
            "articles_per_s": len(docs) / seconds, "cpu_articles_per_s": len(docs) / cpu_seconds,
            "chars_per_s": chars / seconds}


def new_text(n_docs: int, size: int = 300) -> list[tuple[str, str]]:
    """``n_docs`` documents of ``size`` tokens (the first column of the NER files), by turns in each
    language of ``NEWS``; empty when a file is absent."""
    if n_docs <= 0 or not all(path.exists() for path in NEWS.values()):
        return []
    docs = {}
    for lang, path in NEWS.items():
        with path.open(encoding="utf-8") as f:
            tokens = [line.split()[0] for line in f if line.strip()]
        docs[lang] = [" ".join(tokens[i:i + size]) for i in range(0, len(tokens) - size + 1, size)]
    turns = [(docs[lang][i], lang) for i in range(max(map(len, docs.values()))) for lang in docs if i < len(docs[lang])]
    return turns[:n_docs]


def forget_words() -> None:
    """Empty the process's bounded memos of words (entityres.memo), so new text is new again."""
    for module in [m for name, m in sys.modules.items() if name.startswith("entityres.")]:
        for fn in vars(module).values():
            if hasattr(fn, "cache_clear") and fn.cache_info().maxsize is not None:
                fn.cache_clear()


def new_text_speed(resolver: entityres.Resolver, docs: list[tuple[str, str]]) -> dict:
    forget_words()
    cpu = time.process_time()
    for text, lang in docs:
        resolver.resolve(text, lang)
    cpu_seconds = time.process_time() - cpu
    return {"new_docs": len(docs), "new_tokens": sum(len(t.split()) for t, _ in docs),
            "new_cpu_docs_per_s": len(docs) / cpu_seconds}


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def distractor_entries(count: int, seed: int, bundled: entityres.Gazetteer) -> list[dict]:
    """Latin-only person entries from the names benchmark's generator (benchmarks/names.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import names

    real = {names.fold_key(name) for e in bundled for _, name in e.aliases()}
    return names.distractors(count, names.harvest_tokens(), real, seed)


def speed(docs: list[dict], bundled: entityres.Gazetteer, scale: bool, n_distractors: int, seed: int,
          n_new: int) -> dict:
    pinned = pin_one_cpu()
    chars = sum(len(d["text"]) for d in docs)
    fresh = new_text(n_new)
    print(f"\n2. Speed: the {len(set(d['id'] for d in docs))} seeds cycled to {len(docs):,} articles "
          f"({chars:,} characters), Resolver.resolve per article; {pinned}")
    print(f"  {'gazetteer':<28}{'entries':>9}{'load s':>8}{'index s':>9}{'ctor s':>8}{'first s':>9}"
          f"{'articles/s':>12}{'CPU art/s':>11}{'chars/s':>12}{'new docs/s':>12}")
    out: dict = {"pinned": pinned}
    resolver, ctor = timed(entityres.Resolver)
    runs = [("bundled", len(bundled), None, None, ctor, resolver)]
    resolver_off, ctor_off = timed(entityres.Resolver, tagger=None)  # side by side: without the name tagger
    runs.append(("bundled, tagger=None", len(bundled), None, None, ctor_off, resolver_off))
    if scale:
        entries = [e.model_dump(exclude_defaults=True) for e in bundled]
        entries += distractor_entries(n_distractors, seed, bundled)
        gz, load_s = timed(entityres.Gazetteer.from_entries, entries, cache=False)
        _, index_s = timed(lambda: gz.index)
        resolver_big, ctor_big = timed(entityres.Resolver, gazetteer=gz)
        runs.append((f"bundled + {n_distractors:,} distractors", len(gz), load_s, index_s, ctor_big, resolver_big))
    for name, n, load_s, index_s, ctor_s, res in runs:
        r = {"entries": n, "load_s": load_s, "index_build_s": index_s, "construct_s": ctor_s, **throughput(res, docs)}
        if fresh and res is not resolver_off:  # it shares the bundled index, whose memos the run before filled
            r.update(new_text_speed(res, fresh))
        out[name] = r
        fmt = lambda v, p=2: "—" if v is None else f"{v:.{p}f}"  # noqa: E731
        print(f"  {name:<28}{n:>9,}{fmt(load_s):>8}{fmt(index_s):>9}{ctor_s:>8.2f}{r['first_article_s']:>9.3f}"
              f"{r['articles_per_s']:>12.1f}{r['cpu_articles_per_s']:>11.1f}{r['chars_per_s']:>12,.0f}"
              f"{fmt(r.get('new_cpu_docs_per_s'), 1):>12}")
    print("  (load: Gazetteer.from_entries; index: its index build; ctor: Resolver(...); first: the first "
          "article after construction; CPU art/s: by this process's CPU time, steadier on a shared machine)")
    if fresh:
        print(f"  (new docs/s: {len(fresh)} documents of 300 tokens of news, ar and fa by turns, each resolved once "
              "with every memo of words empty at the start; CPU time)")
    else:
        print(f"  (new docs/s skipped: {' or '.join(str(p) for p in NEWS.values())} not found, or --new-docs 0)")
    return out


# --- start-up ---------------------------------------------------------------------------------

# A user's own file: people of our own making (given and family names, Latin and Persian), and
# a spelling added to a bundled entry; ``edit`` changes a comment and that spelling.
GIVEN = [("Darius", "داریوش"), ("Kaveh", "کاوه"), ("Nasrin", "نسرین"), ("Parisa", "پریسا"), ("Farhad", "فرهاد")]
FAMILY = [("Karimi", "کریمی"), ("Tavakoli", "توکلی"), ("Moradi", "مرادی"), ("Jafari", "جعفری")]


def write_user_gazetteer(path: Path, edit: int) -> None:
    lines = [f"# edit {edit}", "entries:", "  - id: person:donald-trump", "    type: person",
             "    name: Donald Trump", f"    names: {{prs: [{('ترمپ', 'ترامپ')[edit % 2]}]}}"]
    for (given, given_fa), (family, family_fa) in ((g, f) for g in GIVEN for f in FAMILY):
        lines += [f"  - id: person:{given.lower()}-{family.lower()}", "    type: person", f"    name: {given} {family}",
                  f"    names: {{fa: [{given_fa} {family_fa}]}}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fresh_process(mode: str, doc: dict, cache_dir: str | None, mine: Path | None = None) -> tuple[float, float, float, float]:
    """(import s, first resolve s, wall s and CPU s of the whole process) in a new interpreter;
    ``cache_dir`` None: the cache folder this process uses."""
    env = {**os.environ, **({"ENTITYRES_CACHE_DIR": cache_dir} if cache_dir is not None else {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", STARTUP, mode, doc["lang"], *([str(mine)] if mine else [])],
                          input=doc["text"], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    imported, first = map(float, done.stdout.split())
    return imported, first, wall, cpu


def startup(doc: dict, runs: int) -> dict:
    print(f"\n3. Start-up in fresh subprocesses (median of {runs}; article {doc['id']}, {len(doc['text']):,} characters)")
    print(f"  {'case':<34}{'import s':>10}{'resolve s':>11}{'process s':>11}{'CPU s':>8}")
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="entityres-warm-") as warm:
        fresh_process("resolve", doc, warm)  # fills the cache
        mine, edits = Path(warm) / "mine.yaml", iter(range(1_000_000))

        def edited() -> tuple[float, float, float, float]:
            write_user_gazetteer(mine, next(edits))
            return fresh_process("mine", doc, warm, mine)

        cases = {"import entityres": lambda: fresh_process("import", doc, warm),
                 "first resolve(), warm cache": lambda: fresh_process("resolve", doc, warm),
                 "first resolve(), cold cache": lambda: cold_run(doc),
                 "user's file just edited": edited,
                 "user's file unchanged (cached)": lambda: fresh_process("mine", doc, warm, mine)}
        for name, fn in cases.items():
            samples = [fn() for _ in range(runs)]
            imported, first, wall, cpu = (statistics.median(s[i] for s in samples) for i in range(4))
            out[name] = {"import_s": imported, "first_resolve_s": None if name.startswith("import") else first,
                         "process_s": wall, "process_cpu_s": cpu, "runs": runs}
            shown = "—" if name.startswith("import") else f"{first:.3f}"
            print(f"  {name:<34}{imported:>10.3f}{shown:>11}{wall:>11.3f}{cpu:>8.2f}")
    print("  (import: in-process time of `import entityres`; process: the subprocess's wall time, "
          "interpreter start included; CPU s: its CPU time, steadier on a shared machine)")
    return out


def warm_cache(doc: dict) -> float:
    """Fill the on-disk cache (the bundled data, its index, the frequency tables) in a subprocess,
    so that this process reads them as every process of a user's but the first does: a process that
    built them itself runs on what it built in memory, some 8% slower for its whole life. Seconds
    of the whole subprocess."""
    return fresh_process("resolve", doc, None)[2]


def cold_run(doc: dict) -> tuple[float, float, float, float]:
    with tempfile.TemporaryDirectory(prefix="entityres-cold-") as cold:
        return fresh_process("resolve", doc, cold)


# --- main -------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 articles, no distractor run")
    parser.add_argument("--no-scale", action="store_true", help="skip the distractor run")
    parser.add_argument("--errors", type=int, default=30, help="errors listed per kind (default 30)")
    parser.add_argument("--articles", type=int, default=None, help="default 1,000 (100 with --quick)")
    parser.add_argument("--distractors", type=int, default=100_000)
    parser.add_argument("--startup-runs", type=int, default=3)
    parser.add_argument("--startup-only", action="store_true", help="only the start-up figures (3.)")
    parser.add_argument("--new-docs", type=int, default=None,
                        help="documents of new text resolved once (default 400; 100 with --quick)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if not SEEDS.exists():
        print(f"skipped: {SEEDS} not found (../shared is not beside the project)")
        return 0
    gold = load_gold(SEEDS)
    if args.startup_only:
        startup(gold[0], args.startup_runs)
        return 0
    n_articles = args.articles or (100 if args.quick else 1000)
    n_new = args.new_docs if args.new_docs is not None else (100 if args.quick else 400)
    scale = not (args.quick or args.no_scale)
    warmed = warm_cache(gold[0])
    gz = entityres.load_gazetteer()
    print(f"entityres {entityres.__version__} end to end; bundled gazetteer {len(gz):,} entries; "
          f"{len(gold)} seed articles, {sum(len(d['entities']) for d in gold)} gold mentions; "
          f"on-disk cache warmed in a subprocess first ({warmed:.1f} s)")
    result: dict = {"config": {"articles": n_articles, "new_docs": n_new, "distractors": args.distractors if scale else 0,
                               "seed": args.seed, "startup_runs": args.startup_runs}}
    result["accuracy"] = accuracy(gold, gz.id_of_name, args.errors)
    docs = [gold[i % len(gold)] for i in range(n_articles)]
    result["speed"] = speed(docs, gz, scale, args.distractors, args.seed, n_new)
    result["startup"] = startup(gold[0], args.startup_runs)

    report = result["accuracy"]["report"]
    checks = [("mention F1", report["mentions"]["f1"]), ("linking accuracy", report["linking"]["accuracy"]),
              ("CEAFm F1", report["ceafm"]["f1"]), ("articles/s (bundled)", result["speed"]["bundled"]["articles_per_s"])]
    parts, summary = [], []
    for label, value in checks:
        target = TARGETS[label]
        met = value >= target
        parts.append(f"{label} {value:.1f} (>={target}) " if target >= 100 else f"{label} {value:.4f} (>={target}) ")
        parts[-1] += "met" if met else "MISSED"
        summary.append({"target": label, "value": value, "goal": f">={target}", "met": met})
    print("\nTargets: " + "; ".join(parts))
    result["targets"] = summary
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
