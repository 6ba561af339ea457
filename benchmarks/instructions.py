"""Instructions, not seconds: `match()`, the index build and `resolve()` counted by callgrind (issue 10).

On a shared machine one build's timings move by up to 1.8x within minutes; valgrind's callgrind
counts the instructions a piece of work executes, the same for the same build, inputs and
environment whatever else runs. This compares builds of entityres (``--python``: each a Python
with entityres installed; the first is the baseline) on the same work, side by side:

* ``match``: ``names.py``'s gazetteer (the politicians for fa, the UN list for un) plus N of its
  seeded distractors, the index opened from a cache folder of its own (filled first, outside the
  count); instructions inside ``match()`` only (callgrind's ``--toggle-collect``) for the first
  Q queries of a seeded sample less those for the first query alone, over Q - 1: the first
  query's loads of tables are left out. ``limit=10``, ``type="person"``. Each build's top 10 with
  scores and flags is hashed: equal hashes, the same results.
* ``build``: the same gazetteer's index built (``cache=False``), instructions inside
  ``Index.build``; its on-disk form hashed.
* ``resolve``: the seed articles cycled, ``Resolver.resolve`` each; the whole process for C cycles
  less for none (both after one warm cycle and the cache filled), over the articles of C cycles:
  a seed article's instructions with every memo warm. Its mentions hashed.

Data: ``../shared/bench/names`` (match, build) and ``../shared/corpus/seeds.jsonl`` (resolve),
read at run time; skipped with a reason when absent, and so is everything when valgrind is not
installed. ``PYTHONHASHSEED=0`` throughout.

Usage: python benchmarks/instructions.py [--python PY ...] [--what match,build,resolve]
       [--sets fa,un] [--distractors N] [--queries Q] [--cycles C] [--json PATH]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import names  # noqa: E402 - the benchmark's data and distractors

SEEDS = names.NAMES.parents[1] / "corpus" / "seeds.jsonl"
# Cython's names for the compiled functions counted (gazetteer/match.pyx, gazetteer/index.pyx)
MATCH_FUNCTION = "__pyx_pw_9entityres_9gazetteer_5match_*match"
BUILD_FUNCTION = "__pyx_pw_9entityres_9gazetteer_5index_5Index_*build"


# --- the work, run in the Python of the build measured (``--worker``) ---------------------------

def _gazetteer_entries(set_name: str, distractors: int) -> tuple[list[dict], list]:
    data = names.load_un() if set_name == "un" else names.load_politicians()
    queries = [q for qs in data.query_sets.values() for q in qs] if set_name == "un" else data.query_sets[set_name]
    entries = list(data.entries)
    if distractors:
        real = {names.fold_key(n) for e in entries for n in names.all_names(e)}
        entries += names.distractors(distractors, names.harvest_tokens(), real, 0)
    return entries, queries


def _digest(obj: object) -> str:
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:16]


def work_match(set_name: str, distractors: int, queries: int, sample: int) -> str:
    from entityres.gazetteer import Gazetteer

    entries, pool = _gazetteer_entries(set_name, distractors)
    gz = Gazetteer.from_entries(entries, cache=True)
    gz.index  # noqa: B018 - opened (or built and cached) before the counted queries
    found = [[(m.entry.id, m.score, m.ambiguous) for m in gz.match(q.text, lang=q.lang, type="person", limit=10)]
             for q in names.sample(pool, sample, 0, set_name)[:queries]]
    return _digest(found)


def work_build(distractors: int) -> str:
    import msgpack

    from entityres.gazetteer import Gazetteer

    entries, _ = _gazetteer_entries("fa", distractors)
    index = Gazetteer.from_entries(entries, cache=False).index
    return hashlib.sha256(msgpack.packb(index._encode(), use_bin_type=True)).hexdigest()[:16]


def work_resolve(cycles: int) -> str:
    from entityres import Resolver

    seeds = [json.loads(line) for line in SEEDS.open(encoding="utf-8")]
    resolver = Resolver()

    def cycle() -> list:
        return [[(m.start, m.end, m.type, m.entity_id) for m in resolver.resolve(s["text"], s["lang"]).mentions]
                for s in seeds]

    found = cycle()  # every memo warm
    for _ in range(cycles):
        found = cycle()
    return _digest(found)


# --- the driver ---------------------------------------------------------------------------------

def _worker(python: str, args: list[str], env: dict, under: tuple[str, ...] = ()) -> str:
    """The worker's output (its hash), run by ``python`` (under ``under``, such as valgrind)."""
    done = subprocess.run([*under, python, __file__, "--worker", *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{python} {' '.join(args)} failed{' under ' + under[0] if under else ''}:\n{done.stderr[-2000:]}")
    return done.stdout.strip()


def _callgrind(python: str, args: list[str], toggle: str | None, env: dict) -> tuple[int, str]:
    """Instructions counted (inside ``toggle`` if given) and the worker's hash."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        valgrind = ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}")
        digest = _worker(python, args, env, valgrind + ((f"--toggle-collect={toggle}",) if toggle else ()))
        with open(out, encoding="utf-8") as f:
            total = next(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:")))
    return total, digest


def measure(python: str, what: list[str], sets: list[str], distractors: int, queries: int, cycles: int) -> dict:
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONHASHSEED": "0", "ENTITYRES_CACHE_DIR": cache}
        for set_name in sets if "match" in what else ():
            args = ["match", set_name, str(distractors)]
            _worker(python, [*args, "1", str(queries)], env)  # the index built and cached, not counted
            one, _ = _callgrind(python, [*args, "1", str(queries)], MATCH_FUNCTION, env)
            many, digest = _callgrind(python, [*args, str(queries), str(queries)], MATCH_FUNCTION, env)
            out[f"match {set_name}"] = {"per": (many - one) / (queries - 1), "hash": digest}
        if "build" in what:
            total, digest = _callgrind(python, ["build", str(distractors)], BUILD_FUNCTION, env)
            out["build"] = {"per": total, "hash": digest}
        if "resolve" in what:
            if not SEEDS.exists():
                print(f"resolve skipped: {SEEDS} is absent")
            else:
                _worker(python, ["resolve", "0"], env)  # the bundled data's cache filled
                none, _ = _callgrind(python, ["resolve", "0"], None, env)
                some, digest = _callgrind(python, ["resolve", str(cycles)], None, env)
                articles = cycles * sum(1 for line in SEEDS.open(encoding="utf-8") if line.strip())
                out["resolve"] = {"per": (some - none) / articles, "hash": digest}
    return out


UNITS = {"match": "instructions a match() query", "build": "instructions of the index build",
         "resolve": "instructions a seed article"}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        kind, *rest = sys.argv[2:]
        if kind == "match":
            print(work_match(rest[0], int(rest[1]), int(rest[2]), int(rest[3])))
        elif kind == "build":
            print(work_build(int(rest[0])))
        else:
            print(work_resolve(int(rest[0])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", help="a Python with the build to measure (repeat; first: baseline)")
    parser.add_argument("--what", default="match,build,resolve")
    parser.add_argument("--sets", default="fa,un")
    parser.add_argument("--distractors", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("skipped: valgrind is not installed (Debian: apt-get install valgrind)")
        return 0
    what = args.what.split(",")
    if {"match", "build"} & set(what) and not names.POLITICIANS.exists():
        print(f"match and build skipped: {names.NAMES} is absent")
        what = [w for w in what if w not in ("match", "build")]
    if args.queries < 2:
        parser.error("--queries must be at least 2: the first query alone is subtracted")
    pythons = args.python or [sys.executable]
    results = {py: measure(py, what, args.sets.split(","), args.distractors, args.queries, args.cycles) for py in pythons}
    base = results[pythons[0]]
    print(f"\nInstructions (callgrind), {args.distractors:,} distractors, {args.queries} queries, {args.cycles} cycles")
    print("| work | " + " | ".join(pythons) + " |")
    print("|---|" + "---|" * len(pythons))
    for key in base:
        cells = []
        for py in pythons:
            r = results[py].get(key)
            if r is None:
                cells.append("-")
                continue
            change = "" if py == pythons[0] else f" ({(r['per'] / base[key]['per'] - 1) * 100:+.1f}%)"
            same = "" if py == pythons[0] else (", same results" if r["hash"] == base[key]["hash"] else ", DIFFERENT results")
            cells.append(f"{r['per'] / 1e6:,.3f} M{change}{same} [{r['hash']}]")
        print(f"| {key}: {UNITS[key.split()[0]]} | " + " | ".join(cells) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
