"""The index build alone at scale (issue 10: 100k entries ≤ 10 s and ≤ 300 MB; 1M ≤ 2 min and ≤ 1.5 GB).

The entries are ``names.py``'s: the politicians' gazetteer plus N of its seeded distractors (its
own generator). In a fresh spawned process each run: ``Gazetteer.from_entries`` (the load, with
``cache=False``), then ``gz.index`` (the build), each timed in CPU seconds, and the peak RSS
(VmHWM) rise over the load and over the build. Pin with ``taskset -c 1``; the machine may be
shared, so CPU time is the figure. Quicker to iterate on than ``names.py``, which also runs the
queries.

Usage: python benchmarks/index_build.py [--distractors N] [--runs N] [--profile PATH] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import names  # noqa: E402 - the benchmark's data and distractors

TARGETS = {100_000: (10, 300), 1_000_000: (120, 1500)}  # entries: CPU s, peak MB


def one_build(entries: list[dict], profile: str | None) -> dict:
    """Runs in a fresh process: load, then build; CPU seconds and peak RSS rises (MB)."""
    from entityres.gazetteer import Gazetteer

    rss0 = names.peak_rss_kib()
    cpu0 = time.process_time()
    gz = Gazetteer.from_entries(entries, cache=False)
    cpu1 = time.process_time()
    rss1 = names.peak_rss_kib()
    if profile:
        import cProfile

        cProfile.runctx("gz.index", globals(), {"gz": gz}, profile)
    else:
        gz.index  # noqa: B018 - builds the index
    cpu2 = time.process_time()
    rss2 = names.peak_rss_kib()
    return {"entries": len(gz), "aliases": len(gz.index.aliases), "load_cpu_s": cpu1 - cpu0,
            "index_cpu_s": cpu2 - cpu1, "load_mb": (rss1 - rss0) / 1024, "peak_mb": (rss2 - rss0) / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", default=None, help="write a cProfile of the (first) build here")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    politicians = names.load_politicians()
    tokens = names.harvest_tokens()
    real = {names.fold_key(n) for d in (politicians, names.load_un()) for e in d.entries for n in names.all_names(e)}
    entries = politicians.entries + names.distractors(args.distractors, tokens, real, args.seed)
    runs = [names.in_fresh_process(one_build, entries, args.profile if i == 0 else None) for i in range(args.runs)]
    print(f"politicians + {args.distractors:,} distractors (seed {args.seed}): {runs[0]['entries']:,} entries, "
          f"{runs[0]['aliases']:,} aliases")
    print(f"  {'run':<5}{'load CPU s':>11}{'index CPU s':>12}{'load MB':>9}{'peak MB':>9}")
    for i, r in enumerate(runs, 1):
        print(f"  {i:<5}{r['load_cpu_s']:>11.2f}{r['index_cpu_s']:>12.2f}{r['load_mb']:>9.0f}{r['peak_mb']:>9.0f}")
    target = TARGETS.get(args.distractors)
    if target:
        best = min(runs, key=lambda r: r["index_cpu_s"])
        print(f"Target: index ≤ {target[0]} s CPU: {'met' if best['index_cpu_s'] <= target[0] else 'MISSED'}; "
              f"peak (load + build) ≤ {target[1]} MB: {'met' if best['peak_mb'] <= target[1] else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"distractors": args.distractors, "seed": args.seed, "runs": runs}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
