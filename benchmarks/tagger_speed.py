"""The name tagger alone, tokens/s on one core: a cold pass (every word new to the process) and warm passes.

Data (read at run time, never copied): the first --docs documents of 20 sentences each of Arman
fold 1, the ANERcorp test split and PEYMA test (as benchmarks/discovery.py builds them).

Each pass runs in a fresh process pinned to one CPU, with the model, the gazetteer's index and the
word-frequency tables loaded and one short sentence per language tagged beforehand (so tables are
built), then ``Tagger.spans`` on every document, timed by process CPU time: the first pass over the
documents is cold (the words are new to every memo), the next --warm passes are warm. Target
(issue 9): ≥ 50,000 tokens/s, cold as well as warm. The machine is shared: compare runs made one
after the other, and read the load that is printed.

Usage: python benchmarks/tagger_speed.py [--docs N] [--warm N] [--runs N] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = 50_000
CORPORA = ("fa_arman", "ar_anercorp_test", "fa_peyma")


def one_pass(docs_per_corpus: int, warm: int) -> dict:
    """Cold and warm tokens/s in this process (run by :func:`main` in a fresh one)."""
    sys.path.insert(0, str(HERE))
    import discovery  # noqa: E402  (benchmarks/discovery.py: the corpora and documents)
    import entityres
    from entityres.resolve.conll import read_corpus
    from entityres.resolve.tagger import load_tagger
    from entityres.text.normalize import normalize
    from entityres.text.tokens import tokenize

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})
    index = entityres.load_gazetteer().index
    tagger = load_tagger()
    work = []
    for key in CORPORA:
        files, lang, _ = discovery.CORPORA[key]
        for text, _ in discovery.documents(read_corpus(files[0]), 20)[:docs_per_corpus]:
            norm = normalize(text)
            work.append((norm, tokenize(norm), lang))
    for lang, text in (("fa", "رئیس جمهور گفت"), ("ar", "قال الرئيس")):  # tables built, a few words seen
        norm = normalize(text)
        tagger.spans(norm, tokenize(norm), lang, index)
    tokens = sum(len(t) for _, t, _ in work)
    rates = []
    for _ in range(1 + warm):
        started = time.process_time()
        for norm, toks, lang in work:
            tagger.spans(norm, toks, lang, index)
        rates.append(tokens / (time.process_time() - started))
    return {"tokens": tokens, "cold": rates[0], "warm": rates[1:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=20, help="documents per corpus (default 20)")
    parser.add_argument("--warm", type=int, default=2, help="warm passes after the cold one (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes (default 3)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_pass:
        print(json.dumps(one_pass(args.docs, args.warm)))
        return
    runs = []
    for n in range(args.runs):
        load = os.getloadavg()[0]
        out = subprocess.run([sys.executable, __file__, "--one-pass", "--docs", str(args.docs), "--warm", str(args.warm)],
                             check=True, capture_output=True, text=True).stdout
        run = {**json.loads(out), "load": load}
        runs.append(run)
        print(f"run {n + 1}: {run['tokens']:,} tokens, cold {run['cold']:,.0f} tokens/s, warm "
              + ", ".join(f"{w:,.0f}" for w in run["warm"]) + f" (load {load:.1f})", flush=True)
    best_cold = max(r["cold"] for r in runs)
    print(f"best cold {best_cold:,.0f} tokens/s, best warm {max(w for r in runs for w in r['warm']):,.0f} "
          f"(target {TARGET:,}: cold {'met' if best_cold >= TARGET else 'missed'})")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "target": TARGET}, indent=1))


if __name__ == "__main__":
    main()
