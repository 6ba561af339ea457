"""Person and place discovery in running text: typed span P/R/F1 on NER corpora the shipped tagger never saw.

Data (read at run time from ../shared/bench/ner, never copied; see each SOURCE.md):

* fa_arman: ArmanPersoNERCorpus, Persian news, the three test folds (scores averaged over folds);
* ar_anercorp_test: ANERcorp, the rebuilt CAMeL test split (sentences 3,988 on of ``ANERCorp``
  as :mod:`entityres.resolve.conll` reads it: 25,008 tokens, as the official split);
* fa_peyma: PEYMA test; fa_parstwiner: ParsTwiNER test (tweets); ar_wojood: the Wojood sample
  (outermost tag of each nested token);
* ar_newsfane: NewsFANE Gold, **contaminated**: it shares about 40% of its 5-grams with ANERcorp,
  whose train split the shipped model learnt from. Shown for the record only.

Systems, side by side in one run: ``cue-only`` (``Resolver(tagger=None)``: gazetteer and cue
rules, as before the tagger), ``tagger`` (the shipped tagger alone, no gazetteer linking: its PER
and LOC spans), and ``full`` (``Resolver()``: gazetteer, cue rules and tagger).

Protocol: each sentence is its tokens joined by single spaces; --doc-sentences sentences (20,
about a news article) joined by newlines make a document. Spans are compared as the entityres
tokens they cover, so a span the resolver takes without an attached clitic (بوتين of وبوتين) or
punctuation matches the corpus's whole token. Exact typed span match, per type:

* person: P/R/F1 and the recall of persons the gazetteer lacks (gold spans whose text is no exact
  alias of a person entry: ``gz.match(text, lang, type="person")`` has no ``how == "exact"``);
* place: P/R/F1 strict, and ``place*``: a predicted place exactly on a span the corpus tags ORG
  (a country as its government or team: Arman "ایران") counts as neither hit nor false alarm.

Also articles/s for the resolvers and tokens/s for the tagger alone (process CPU time; the
machine is shared, so treat speeds as rough). With --arman-ceiling, the same tagger is trained
on two Arman folds and tested on the third (--ceiling-folds; comparison only, never shipped; slow).

Usage: python benchmarks/discovery.py [--limit-sentences N] [--doc-sentences N] [--corpora K ...]
       [--systems S ...] [--arman-ceiling [--ceiling-folds N ...] [--ceiling-dir DIR]] [--json PATH]
"""
from __future__ import annotations

import argparse
import bisect
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import entityres
from entityres.resolve.conll import Sentence, corpus_file, read_corpus
from entityres.resolve.resolver import Resolver
from entityres.resolve.tagger import Tagger, train
from entityres.text.normalize import normalize
from entityres.text.tokens import tokenize

NER = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "ner"
CORPORA = {  # key: (files, lang, note)
    "fa_arman": ([NER / "fa_arman" / f"test_fold{n}.txt" for n in (1, 2, 3)], "fa", "3 folds, averaged"),
    "ar_anercorp_test": ([f"{NER / 'ar_anercorp' / 'ANERCorp'}:3988-"], "ar", "rebuilt CAMeL test split"),
    "fa_peyma": ([NER / "fa_peyma" / "test.txt"], "fa", "test"),
    "fa_parstwiner": ([NER / "fa_parstwiner" / "test.txt"], "fa", "test, tweets"),
    "ar_wojood": ([NER / "ar_wojood_sample" / "test.txt"], "ar", "sample, smoke test"),
    "ar_newsfane": ([NER / "ar_newsfane_gold" / "derived_coarse_PER_LOC_ORG_MISC.conll"], "ar",
                    "CONTAMINATED: ~40% of its 5-grams are in ANERcorp, which the model trained on"),
}
SYSTEMS = ("cue-only", "tagger", "full")
OURS = {"PER": "person", "LOC": "place"}
TYPES = ("person", "place")


def documents(sentences: list[Sentence], size: int) -> list[tuple[str, list[tuple[int, int, str, str]]]]:
    """(text, gold spans (start, end, type, text)) per document of ``size`` sentences."""
    docs = []
    for i in range(0, len(sentences), size):
        parts, gold, offset = [], [], 0
        for s in sentences[i:i + size]:
            gold += [(g.start + offset, g.end + offset, OURS.get(g.type, g.type), g.text) for g in s.spans]
            parts.append(s.text)
            offset += len(s.text) + 1
        docs.append(("\n".join(parts), gold))
    return docs


class TokenSpans:
    """Character spans of one text as the (first, last) entityres tokens they cover."""

    def __init__(self, text: str):
        tokens = tokenize(normalize(text))
        self.starts = [t.start for t in tokens]
        self.ends = [t.end for t in tokens]

    def __call__(self, start: int, end: int) -> tuple[int, int] | None:
        first = bisect.bisect_right(self.ends, start)  # first token ending after start
        last = bisect.bisect_left(self.starts, end) - 1  # last token starting before end
        return (first, last) if first <= last else None


def score(docs, predicted, gz, lang: str, memo: dict) -> Counter:
    c = Counter()
    for (text, gold), pred in zip(docs, predicted):
        spans = TokenSpans(text)
        gold_keys = {}
        for start, end, kind, gtext in gold:
            key = spans(start, end)
            if key is not None:
                gold_keys.setdefault(key, (kind, gtext))
        org_keys = {k for k, (kind, _) in gold_keys.items() if kind == "ORG"}
        pred_keys = set()
        for start, end, kind, *origin in pred:
            key = spans(start, end)
            if key is None or (key, kind) in pred_keys:
                continue
            pred_keys.add((key, kind))
            hit = gold_keys.get(key, ("",))[0] == kind
            c[kind, "predicted"] += 1
            c[kind, "correct"] += hit
            if origin:
                c["from " + origin[0], "predicted"] += 1
                c["from " + origin[0], "correct"] += hit
            if kind == "place" and key not in org_keys:
                c["place*", "predicted"] += 1
                c["place*", "correct"] += hit
        for key, (kind, gtext) in gold_keys.items():
            if kind not in TYPES:
                continue
            hit = (key, kind) in pred_keys
            for t in (kind, "place*") if kind == "place" else (kind,):
                c[t, "gold"] += 1
            if kind == "person":
                if (gtext, lang) not in memo:
                    memo[gtext, lang] = any(m.explanation.how == "exact"
                                            for m in gz.match(gtext, lang, type="person", limit=10))
                if not memo[gtext, lang]:
                    c["new person", "gold"] += 1
                    c["new person", "hit"] += hit
    return c


def figures(c: Counter) -> dict:
    out = {}
    for t in ("person", "place", "place*"):
        p = c[t, "correct"] / c[t, "predicted"] if c[t, "predicted"] else 0.0
        r = c[t, "correct"] / c[t, "gold"] if c[t, "gold"] else 0.0
        out[t] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                  "correct": c[t, "correct"], "predicted": c[t, "predicted"], "gold": c[t, "gold"]}
    out["new_person_recall"] = c["new person", "hit"] / c["new person", "gold"] if c["new person", "gold"] else 0.0
    # what each candidate source adds (resolvers only): mentions it gave, and how many were right
    for origin in ("gazetteer", "cue rules", "tagger"):
        out["from " + origin] = {"predicted": c["from " + origin, "predicted"], "correct": c["from " + origin, "correct"]}
    out["new_person_gold"] = c["new person", "gold"]
    return out


def source(explanation) -> str:
    """Which candidate source a mention came from: the gazetteer, the tagger, or a cue rule."""
    if explanation.how != "new":
        return "gazetteer"
    return "tagger" if explanation.cue == "tagger" else "cue rules"


def run_resolver(resolver: Resolver, docs, lang: str):
    started = time.process_time()
    out = [[(m.start, m.end, m.type, source(m.explanation)) for m in resolver.resolve(text, lang).mentions]
           for text, _ in docs]
    return out, time.process_time() - started


def run_tagger(tagger: Tagger, index, docs, lang: str):
    out, seconds, tokens = [], 0.0, 0
    for text, _ in docs:
        norm = normalize(text)
        toks = tokenize(norm)
        started = time.process_time()
        spans = tagger.spans(norm, toks, lang, index)
        seconds += time.process_time() - started
        tokens += len(toks)
        out.append([(s.start, s.end, OURS[s.type]) for s in spans if s.type in OURS])
    return out, seconds, tokens


def average(results: list[dict]) -> dict:
    """Mean of each figure over folds (F1 as the mean of the folds' F1s)."""
    if len(results) == 1:
        return results[0]
    out = {}
    for key, value in results[0].items():
        if isinstance(value, dict):
            out[key] = average([r[key] for r in results])
        elif isinstance(value, (int, float)):
            out[key] = sum(r[key] for r in results) / len(results)
    return out


def evaluate_corpus(key: str, args, resolvers: dict, tagger: Tagger, gz) -> dict:
    files, lang, note = CORPORA[key]
    memo: dict = {}
    per_file = {s: [] for s in args.systems}
    speed = {s: [0.0, 0, 0] for s in args.systems}  # seconds, documents, tokens
    sizes = Counter()
    for f in files:
        sentences = read_corpus(f)[:args.limit_sentences]
        docs = documents(sentences, args.doc_sentences)
        sizes["sentences"] += len(sentences)
        sizes["documents"] += len(docs)
        for system in args.systems:
            if system == "tagger":
                predicted, seconds, tokens = run_tagger(tagger, gz.index, docs, lang)
            else:
                predicted, seconds = run_resolver(resolvers[system], docs, lang)
                tokens = 0
            speed[system][0] += seconds
            speed[system][1] += len(docs)
            speed[system][2] += tokens
            per_file[system].append(figures(score(docs, predicted, gz, lang, memo)))
    out = {"lang": lang, "note": note, "files": [str(f) for f in files], **sizes, "systems": {}}
    for system in args.systems:
        seconds, n_docs, tokens = speed[system]
        out["systems"][system] = {**average(per_file[system]),
                                  "articles_per_cpu_s": n_docs / seconds if seconds else 0.0,
                                  "tokens_per_cpu_s": tokens / seconds if seconds and tokens else None}
    return out


def report(key: str, r: dict) -> None:
    print(f"\n{key} (lang={r['lang']}; {r['note']}): {r['sentences']:,} sentences, {r['documents']:,} documents")
    print(f"  {'system':<10}{'type':<8}{'P':>7}{'R':>7}{'F1':>7}   correct/predicted/gold   "
          f"{'new-person R':>12}  speed")
    for system, s in r["systems"].items():
        for n, t in enumerate(("person", "place", "place*")):
            f = s[t]
            extra = ""
            if n == 0:
                extra = f"{s['new_person_recall']:>10.3f} ({s['new_person_gold']:.0f})"
                extra += (f"  {s['tokens_per_cpu_s']:,.0f} tokens/s" if s["tokens_per_cpu_s"]
                          else f"  {s['articles_per_cpu_s']:,.1f} articles/s")
            print(f"  {system if n == 0 else '':<10}{t:<8}{f['precision']:>7.3f}{f['recall']:>7.3f}{f['f1']:>7.3f}   "
                  f"{f['correct']:>7.0f}/{f['predicted']:.0f}/{f['gold']:<10.0f}{extra}")
        origins = [(o, s["from " + o]) for o in ("gazetteer", "cue rules", "tagger") if s["from " + o]["predicted"]]
        if origins:
            print("  " + " " * 10 + "mentions by source (right/given): "
                  + ", ".join(f"{o} {v['correct']:.0f}/{v['predicted']:.0f}" for o, v in origins))


def arman_ceiling(args, gz) -> dict:
    """The tagger trained on two Arman folds and tested on the third (not shipped). The fold
    models are kept in --ceiling-dir as ``arman-not{N}.msgpack.gz`` and read back when present
    (``entityres tagger train --out DIR/arman-not3.msgpack.gz fa_arman/test_fold1.txt fa_arman/test_fold2.txt``
    makes the same file)."""
    files = CORPORA["fa_arman"][0]
    results = []
    for n in args.ceiling_folds:
        path = args.ceiling_dir / f"arman-not{n}.msgpack.gz"
        if not path.exists():
            train([(read_corpus(f), "fa") for m, f in enumerate(files, 1) if m != n], path, gz.index)
        tagger = Tagger(path)
        docs = documents(read_corpus(files[n - 1])[:args.limit_sentences], args.doc_sentences)
        predicted, _, _ = run_tagger(tagger, gz.index, docs, "fa")
        results.append(figures(score(docs, predicted, gz, "fa", {})))
        print(f"  test fold {n}: person F1 {results[-1]['person']['f1']:.3f}, place F1 "
              f"{results[-1]['place']['f1']:.3f}, place* F1 {results[-1]['place*']['f1']:.3f}, "
              f"new-person R {results[-1]['new_person_recall']:.3f}", flush=True)
    return average(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-sentences", type=int, default=None, help="first N sentences of each file")
    parser.add_argument("--doc-sentences", type=int, default=20, help="sentences per document (default 20)")
    parser.add_argument("--corpora", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--arman-ceiling", action="store_true", help="also train on 2 Arman folds, test on the third")
    parser.add_argument("--ceiling-folds", type=int, nargs="+", choices=(1, 2, 3), default=[1, 2, 3],
                        help="test folds of the ceiling (default all three)")
    parser.add_argument("--ceiling-dir", type=Path, default=Path(tempfile.gettempdir()) / "entityres-arman-ceiling",
                        help="where the ceiling's fold models are kept")
    parser.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    args = parser.parse_args()
    if not NER.exists():
        print(f"skipped: {NER} not found (../shared is not beside the project)")
        return 0
    gz = entityres.load_gazetteer()
    resolvers = {"cue-only": Resolver(gazetteer=gz, tagger=None), "full": Resolver(gazetteer=gz)}
    tagger = resolvers["full"].tagger
    print(f"span discovery; bundled gazetteer ({len(gz):,} entries); tagger {tagger.path.name} "
          f"(trained on {', '.join(tagger.meta.get('corpora', ['?']))}); {args.doc_sentences} sentences a document; "
          f"exact typed spans over entityres tokens")
    results: dict = {}
    for key in args.corpora:
        missing = [f for f in CORPORA[key][0] if not corpus_file(f)[0].exists()]
        if missing:
            print(f"\n{key}: skipped: {missing[0]} not found")
            continue
        results[key] = evaluate_corpus(key, args, resolvers, tagger, gz)
        report(key, results[key])
    if args.arman_ceiling:
        print("\nArman ceiling: the same tagger trained on two Arman folds, tested on the third (not shipped)")
        results["arman_ceiling"] = arman_ceiling(args, gz)
        c = results["arman_ceiling"]
        print(f"  mean: person F1 {c['person']['f1']:.3f}, place F1 {c['place']['f1']:.3f}, "
              f"place* F1 {c['place*']['f1']:.3f}, new-person R {c['new_person_recall']:.3f}")
    print("\n(new-person R: recall of gold persons whose text is no exact person alias of the gazetteer; "
          "place*: predicted places on gold ORG spans ignored; speeds in process CPU time)")
    if args.json:
        args.json.write_text(json.dumps({"config": vars(args) | {"json": str(args.json)}, "corpora": results},
                                        indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
