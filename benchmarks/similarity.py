"""Pairwise name similarity across scripts, measured on real Wikidata labels.

Data: ../shared/bench/names/everypolitician_wikidata_2015/persons_en_fa_ar.tsv (read at run time,
never copied). For a sample of persons, query each Persian (fa) and Arabic (ar) label against
every English name in the file and report:

* top-1: the person's own English name scores highest;
* same-name rate: the pair (own English name, label) scores at or above the threshold;
* false-accept rate: share of (label, other person's English name) pairs at or above it;
* pairs per second.

Baseline in the same run: unidecode + rapidfuzz WRatio (the usual quick fix), top-1 only.
Usage: python benchmarks/similarity.py [--sample N] [--seed S]
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz, process
from unidecode import unidecode

import entityres

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "names" / "everypolitician_wikidata_2015" / "persons_en_fa_ar.tsv"


def load() -> list[dict]:
    with DATA.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def run(rows: list[dict], lang: str, sample: int, seed: int) -> dict:
    english = [r["en"] for r in rows]
    people = [i for i, r in enumerate(rows) if r[lang]]
    random.Random(seed).shuffle(people)
    people = people[:sample]
    top1 = same = false = false_n = base_top1 = 0
    pairs = 0
    started = time.perf_counter()
    for i in people:
        label = rows[i][lang].split(" | ")[0]
        scores = [entityres.similarity(label, en, lang, "en") for en in english]
        pairs += len(scores)
        best = max(range(len(scores)), key=scores.__getitem__)
        top1 += best == i
        same += scores[i] >= entityres.THRESHOLD
        false += sum(s >= entityres.THRESHOLD for j, s in enumerate(scores) if j != i)
        false_n += len(scores) - 1
    elapsed = time.perf_counter() - started
    folded = [unidecode(e).lower() for e in english]
    for i in people:
        label = unidecode(rows[i][lang].split(" | ")[0]).lower()
        base_top1 += process.extractOne(label, folded, scorer=fuzz.WRatio)[2] == i
    n = len(people)
    return {"lang": lang, "queries": n, "candidates": len(english), "top1": top1 / n, "same_name_rate": same / n,
            "false_accept_rate": false / false_n, "pairs_per_s": pairs / elapsed, "baseline_unidecode_wratio_top1": base_top1 / n}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found (../shared is not beside the project)")
        return 0
    rows = load()
    print(f"threshold {entityres.THRESHOLD}; {len(rows)} English names; sample {args.sample} per language, seed {args.seed}")
    print(f"{'lang':<5}{'queries':>8}{'top-1':>8}{'same≥t':>8}{'false≥t':>9}{'pairs/s':>9}{'unidecode+WRatio top-1':>24}")
    for lang in ("fa", "ar"):
        r = run(rows, lang, args.sample, args.seed)
        print(f"{r['lang']:<5}{r['queries']:>8}{r['top1']:>8.3f}{r['same_name_rate']:>8.3f}{r['false_accept_rate']:>9.4f}"
              f"{r['pairs_per_s']:>9.0f}{r['baseline_unidecode_wratio_top1']:>24.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
