"""OpenSanctions' labelled name pairs: ``similarity()`` beside nomenklatura's LogicV2 (issue 8).

Data: ``../shared/bench/names/nomenklatura_name_bench/cases.csv`` (read its SOURCE.md: the labels
follow a sanctions-screening policy, many pairs are synthetic, mostly Latin script). The Person
rows are scored: a pair is predicted "same" when ``similarity(name1, name2) >= THRESHOLD``.

LogicV2 runs in the same run when nomenklatura is importable, here or in the Python given by
``--nk-python`` (a separate environment: nomenklatura is no dependency of entityres); its
``name_match`` feature is taken at 0.7, as the issue quotes it.

    python benchmarks/name_pairs.py --nk-python /work/venvs/nk/bin/python
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from peers import run_json

HERE = Path(__file__).resolve().parent
CASES = HERE.parent.parent / "shared" / "bench" / "names" / "nomenklatura_name_bench" / "cases.csv"
NK_THRESHOLD = 0.7

# Run inside nomenklatura's environment: reads [[name1, name2], ...] on stdin, prints the scores.
_NK_SCRIPT = """
import json, sys
from followthemoney import model
from nomenklatura.matching import LogicV2
pairs = json.load(sys.stdin)
config = LogicV2.default_config() if hasattr(LogicV2, "default_config") else {}
out = []
for n, (a, b) in enumerate(pairs):
    ea = model.make_entity("Person"); ea.id = f"a{n}"; ea.add("name", a)
    eb = model.make_entity("Person"); eb.id = f"b{n}"; eb.add("name", b)
    try:
        result = LogicV2.compare(ea, eb, config)
    except TypeError:
        result = LogicV2.compare(ea, eb)
    features = getattr(result, "features", None) or {}
    out.append(features.get("name_match", getattr(result, "score", 0.0)))
print(json.dumps(out))
"""


def read_cases() -> list[dict]:
    with CASES.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["schema"] == "Person"]


def confusion(pred: list[bool], gold: list[bool]) -> dict:
    tp = sum(p and g for p, g in zip(pred, gold))
    fp = sum(p and not g for p, g in zip(pred, gold))
    fn = sum(g and not p for p, g in zip(pred, gold))
    n = len(gold)
    return {"accuracy": (n - fp - fn) / n, "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
            "fp": fp, "fn": fn}


def logic_v2(pairs: list[tuple[str, str]], python: str | None) -> list[float] | None:
    """LogicV2's name_match per pair, or None (with the reason printed) when it cannot run."""
    return run_json(_NK_SCRIPT, pairs, python, "LogicV2", timeout=1800)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nk-python", default=None, help="a Python with nomenklatura installed")
    parser.add_argument("--show", type=int, default=20, help="disagreements listed")
    args = parser.parse_args()
    if not CASES.exists():
        print(f"skipped: {CASES} not found")
        return 0
    import entityres
    from entityres import THRESHOLD, similarity
    cases = read_cases()
    gold = [r["is_match"].strip().lower() == "true" for r in cases]
    pairs = [(r["name1"], r["name2"]) for r in cases]
    ours = [similarity(a, b) for a, b in pairs]
    rows = [("entityres similarity", THRESHOLD, confusion([s >= THRESHOLD for s in ours], gold))]
    theirs = logic_v2(pairs, args.nk_python)
    if theirs is not None:
        rows.append(("nomenklatura LogicV2 name_match", NK_THRESHOLD,
                     confusion([s >= NK_THRESHOLD for s in theirs], gold)))
    print(f"{len(cases)} Person pairs ({sum(gold)} labelled true); entityres from {Path(entityres.__file__).parent}")
    print(f"  {'method':<32} {'t':>5} {'accuracy':>9} {'precision':>10} {'recall':>7} {'FP':>4} {'FN':>4}")
    for name, t, c in rows:
        print(f"  {name:<32} {t:>5.2f} {c['accuracy']:>9.3f} {c['precision']:>10.3f} {c['recall']:>7.3f} "
              f"{c['fp']:>4} {c['fn']:>4}")
    wrong = [(g, s, a, b) for g, s, (a, b) in zip(gold, ours, pairs) if (s >= THRESHOLD) != g]
    print(f"\nentityres disagrees with the label on {len(wrong)} pairs; the first {args.show}:")
    for g, s, a, b in wrong[:args.show]:
        print(f"  label {'same' if g else 'diff'}  {s:.3f}  {a} ~ {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
