"""Person and place discovery in running text: span precision and recall on two NER corpora.

Data (read at run time from ../shared/bench/ner, never copied):

* fa_arman/test_fold1.txt: ArmanPersoNERCorpus, Persian news, fold 1 (2,560 sentences);
  ``token<space>TAG``, IOB, types pers, loc, org, fac, pro, event; read with lang="fa".
* ar_newsfane_gold/derived_coarse_PER_LOC_ORG_MISC.conll: NewsFANE Gold, Arabic newswire
  (4,760 sentences), ``token<TAB>TAG``, IOB, types PER, LOC, ORG, MISC; read with lang="ar".

Protocol: each sentence is rebuilt as text by joining its tokens with single spaces, and the
gold spans become character spans (person = pers/PER, place = loc/LOC). Documents of
--doc-sentences sentences (20, about a news article) are joined by newlines and passed to
``entityres.resolve(text, lang)`` with the bundled gazetteer, since the resolver is
document-level. Scored per type (person, place):

* exact typed span match: precision, recall, F1. A predicted person or place over a gold ORG,
  MISC, org, fac, pro or event span is a false alarm like any other (the count of those is
  printed), and a gold span predicted with the other type counts for neither. Most of those are
  country names the corpora tag as organisations (a national team or government: Arman "ایران",
  "کره جنوبی"; NewsFANE "قطر", "فرنسا"), which the seed corpus's rules would call places;
* partial-overlap recall: a gold span overlapped by a predicted span of the same type;
* discovery recall: the same two recalls over the gold spans whose text is not an exact alias in
  the gazetteer for an entry of the span's type (no ``gz.match(text, lang, type=type)`` hit with
  ``explanation.how == "exact"``): names the gazetteer does not hold, such as a surname alone or
  a person it has never heard of. A score of 1.0 alone does not mark an exact alias: an aligned
  reading can score 1.0 too (Persian "پوتین" scores 1.0 for the city Putian).

Also articles (documents) per second. The corpora's tokenisation splits off punctuation and,
in Arabic, often not the proclitics, so spans the resolver trims differently are misses.

Usage: python benchmarks/discovery.py [--limit-sentences N] [--doc-sentences N] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import entityres

NER = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "ner"
CORPORA = {  # key: (path, lang, gold tag type -> our type; other tag types are kept as they are)
    "fa_arman": (NER / "fa_arman" / "test_fold1.txt", "fa", {"pers": "person", "loc": "place"}),
    "ar_newsfane_gold": (NER / "ar_newsfane_gold" / "derived_coarse_PER_LOC_ORG_MISC.conll", "ar",
                         {"PER": "person", "LOC": "place"}),
}
TYPES = ("person", "place")


@dataclass
class Span:
    start: int
    end: int
    type: str  # person, place, or the corpus's own tag type (org, MISC...)
    text: str


@dataclass
class Doc:
    text: str
    gold: list[Span] = field(default_factory=list)


# --- data -------------------------------------------------------------------------------------

def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag); the tag is the last field of a line, split at a space or a tab."""
    sentences, current = [], []
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if current:
                    sentences.append(current)
                    current = []
                continue
            parts = line.rsplit(None, 1)
            if len(parts) != 2:
                raise ValueError(f"{path}:{number}: expected 'token TAG', got {line!r}")
            current.append((parts[0].strip(), parts[1]))
    if current:
        sentences.append(current)
    return sentences


def sentence_spans(tokens: list[tuple[str, str]], types: dict[str, str]) -> tuple[str, list[Span]]:
    """The sentence as text (tokens joined by single spaces) and its IOB spans as character spans.

    An I- tag that does not continue a span of its own type starts one (IOB1 tolerance).
    """
    text_parts, spans = [], []
    offset = 0
    open_span: Span | None = None
    for token, tag in tokens:
        start, end = offset, offset + len(token)
        text_parts.append(token)
        offset = end + 1
        prefix, _, kind = tag.partition("-")
        if prefix not in ("B", "I") or not kind:
            open_span = None
            continue
        kind = types.get(kind, kind)
        if prefix == "I" and open_span is not None and open_span.type == kind:
            open_span.end = end
        else:
            open_span = Span(start, end, kind, "")
            spans.append(open_span)
    text = " ".join(text_parts)
    for s in spans:
        s.text = text[s.start:s.end]
    return text, spans


def documents(sentences: list[list[tuple[str, str]]], types: dict[str, str], size: int) -> list[Doc]:
    """Consecutive sentences, ``size`` to a document, joined by newlines; spans shifted to match."""
    docs = []
    for i in range(0, len(sentences), size):
        doc, parts, offset = Doc(""), [], 0
        for tokens in sentences[i:i + size]:
            text, spans = sentence_spans(tokens, types)
            doc.gold += [Span(s.start + offset, s.end + offset, s.type, s.text) for s in spans]
            parts.append(text)
            offset += len(text) + 1
        doc.text = "\n".join(parts)
        docs.append(doc)
    return docs


# --- scoring ----------------------------------------------------------------------------------

def exact_alias(gz: entityres.Gazetteer, span: Span, lang: str, memo: dict[tuple[str, str], bool]) -> bool:
    key = span.text, span.type
    if key not in memo:
        memo[key] = any(m.explanation.how == "exact" for m in gz.match(span.text, lang, type=span.type, limit=10))
    return memo[key]


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def prf(correct: int, predicted: int, gold: int) -> dict:
    p, r = ratio(correct, predicted), ratio(correct, gold)
    return {"correct": correct, "predicted": predicted, "gold": gold, "precision": p, "recall": r,
            "f1": ratio(2 * p * r, p + r) if p + r else 0.0}


def score(docs: list[Doc], predicted: list[list[Span]], gz: entityres.Gazetteer, lang: str) -> dict:
    c = Counter()  # (type, what) -> count
    other_gold_hits = Counter()  # predicted type -> gold tag type of the span it sits on exactly
    memo: dict[tuple[str, str], bool] = {}
    for doc, pred in zip(docs, predicted):
        pred_set = {(s.start, s.end, s.type) for s in pred}
        gold_set = {(g.start, g.end, g.type) for g in doc.gold}
        gold_by_span = {(s.start, s.end): s.type for s in doc.gold}
        for s in pred:
            c[s.type, "predicted"] += 1
            c[s.type, "correct"] += (s.start, s.end, s.type) in gold_set
            kind = gold_by_span.get((s.start, s.end))
            if kind is not None and kind not in TYPES:
                other_gold_hits[f"{s.type} on {kind}"] += 1
        for g in doc.gold:
            if g.type not in TYPES:
                continue
            hit = (g.start, g.end, g.type) in pred_set
            overlap = any(p.type == g.type and p.start < g.end and g.start < p.end for p in pred)
            new = not exact_alias(gz, g, lang, memo)
            for group in ("all", "new") if new else ("all",):
                c[g.type, group, "gold"] += 1
                c[g.type, group, "hit"] += hit
                c[g.type, group, "overlap"] += overlap
    out: dict = {}
    for t in TYPES:
        gold = c[t, "all", "gold"]
        out[t] = {**prf(c[t, "correct"], c[t, "predicted"], gold),
                  "partial_recall": ratio(c[t, "all", "overlap"], gold),
                  "not_in_gazetteer": {"gold": c[t, "new", "gold"], "recall": ratio(c[t, "new", "hit"], c[t, "new", "gold"]),
                                       "partial_recall": ratio(c[t, "new", "overlap"], c[t, "new", "gold"])}}
    out["false_alarms_on_other_gold_types"] = dict(other_gold_hits)
    return out


def predict(docs: list[Doc], lang: str) -> tuple[list[list[Span]], float]:
    predicted = []
    started = time.perf_counter()
    for doc in docs:
        d = entityres.resolve(doc.text, lang).model_dump()
        predicted.append([Span(m["start"], m["end"], m["type"], m["text"]) for m in d["mentions"]])
    return predicted, time.perf_counter() - started


# --- main -------------------------------------------------------------------------------------

def run(key: str, limit: int | None, size: int, gz: entityres.Gazetteer) -> dict:
    path, lang, types = CORPORA[key]
    sentences = read_conll(path)[:limit]
    docs = documents(sentences, types, size)
    for doc in docs:  # the offsets are computed, so check them once
        assert all(doc.text[s.start:s.end] == s.text for s in doc.gold), key
    entityres.resolve(docs[0].text, lang)  # load the resolver before the clock starts
    predicted, seconds = predict(docs, lang)
    result = score(docs, predicted, gz, lang)
    gold_types = Counter(s.type for doc in docs for s in doc.gold)
    result.update({"lang": lang, "file": str(path.relative_to(NER)), "sentences": len(sentences),
                   "tokens": sum(map(len, sentences)), "documents": len(docs),
                   "characters": sum(len(d.text) for d in docs), "gold_spans": dict(gold_types),
                   "seconds": seconds, "articles_per_s": ratio(len(docs), seconds),
                   "chars_per_s": ratio(sum(len(d.text) for d in docs), seconds)})
    return result


def report(key: str, r: dict) -> None:
    gold = ", ".join(f"{t} {n:,}" for t, n in sorted(r["gold_spans"].items(), key=lambda kv: -kv[1]))
    print(f"\n{key} ({r['file']}, lang={r['lang']}): {r['sentences']:,} sentences, {r['tokens']:,} tokens, "
          f"{r['documents']:,} documents")
    print(f"  gold spans: {gold}")
    print(f"  {'type':<8}{'P':>8}{'R':>8}{'F1':>8}{'partial R':>11}  correct/predicted/gold"
          f"{'not in gaz.':>13}{'R':>8}{'partial R':>11}")
    for t in TYPES:
        s, n = r[t], r[t]["not_in_gazetteer"]
        print(f"  {t:<8}{s['precision']:>8.4f}{s['recall']:>8.4f}{s['f1']:>8.4f}{s['partial_recall']:>11.4f}  "
              f"{s['correct']:>7}/{s['predicted']}/{s['gold']:<9}{n['gold']:>8}{n['recall']:>8.4f}{n['partial_recall']:>11.4f}")
    other = r["false_alarms_on_other_gold_types"]
    if other:
        print("  false alarms exactly on gold spans of other types: "
              + ", ".join(f"{k} {v}" for k, v in sorted(other.items(), key=lambda kv: -kv[1])))
    print(f"  speed: {r['articles_per_s']:.1f} articles/s, {r['chars_per_s']:,.0f} characters/s "
          f"({r['documents']} documents, {r['characters']:,} characters, {r['seconds']:.1f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-sentences", type=int, default=None, help="first N sentences of each corpus (default: all)")
    parser.add_argument("--doc-sentences", type=int, default=20, help="sentences per document (default 20)")
    parser.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    args = parser.parse_args()
    if not NER.exists():
        print(f"skipped: {NER} not found (../shared is not beside the project)")
        return 0
    gz = entityres.load_gazetteer()
    print(f"entityres.resolve span discovery; bundled gazetteer ({len(gz):,} entries); "
          f"{args.doc_sentences} sentences a document; exact typed span match")
    results: dict = {}
    for key, (path, _, _) in CORPORA.items():
        if not path.exists():
            print(f"\n{key}: skipped: {path} not found")
            continue
        results[key] = run(key, args.limit_sentences, args.doc_sentences, gz)
        report(key, results[key])
    print("\n(not in gaz.: gold spans whose text is no exact gazetteer alias; R and partial R over those)")
    if args.json:
        args.json.write_text(json.dumps({"config": vars(args) | {"json": str(args.json)}, "corpora": results},
                                        indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
