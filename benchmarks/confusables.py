"""Confusables: pairs of DIFFERENT names that cross-script keys cannot tell apart (issue 8).

Two sets, built at run time:

* **persons**: from ``../shared/bench/names`` (Wikidata politicians with fa/ar labels, and the UN
  list's Arabic-script originals), pairs (Arabic-script name of one person, Latin name of another)
  whose likeliest cross-script keys are equal (``entityres.text.keys.keys``). Pairs where the two
  persons share a Latin name (namesakes), or where the other person is written with the same
  Arabic-script name (namesakes in that script: David Davis and David Davies are both دیوید دیویس),
  or where the names are the same part for part by the name-parts table, are left out: they are
  the same name, not a confusion. A seeded sample.
* **given names**: pairs of spellings of two different parts of ``entityres/resources/name_parts.yaml``
  (Latin against Arabic script, and Latin against Latin) whose likeliest keys are equal. The table
  is what the current code uses to tell them apart, so this set checks that the table is applied;
  the persons set is the independent one.

A false match is ``similarity(a, b) >= THRESHOLD``. The rate is printed for the code that is
imported, so the same script measures an older checkout too:

    python benchmarks/confusables.py                       # the current code
    PYTHONPATH=/path/to/old/checkout python benchmarks/confusables.py --pairs pairs.json

``--pairs`` writes (or, when the file exists, reads) the pairs, so both runs score the same ones.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
NAMES = HERE.parent.parent / "shared" / "bench" / "names"
POLITICIANS = NAMES / "everypolitician_wikidata_2015" / "persons_en_fa_ar.tsv"
UN_LIST = NAMES / "un_sc_consolidated_2020" / "individuals.tsv"
TABLE = HERE.parent / "entityres" / "resources" / "name_parts.yaml"
TRUE = "true pairs"


def read_tsv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def persons() -> list[tuple[str, list[tuple[str, str]], list[str]]]:
    """(id, [(lang, Arabic-script name)], [Latin names]) per person."""
    out = []
    for row in read_tsv(POLITICIANS):
        arabic = [(lang, row[lang].split(" | ")[0]) for lang in ("fa", "ar") if row[lang]]
        out.append((row["id"], arabic, [row["en"]]))
    for row in read_tsv(UN_LIST):
        if row["original_script_class"].startswith("arabic_script") and row["name_original_script"]:
            out.append((row["reference_number"], [("ar", row["name_original_script"])], [row["name_latin"]]))
    return out


def coarse(name: str) -> str:
    """The coarse skeleton of a whole name (``keys.yaml``, blocking)."""
    from entityres.text import tables
    from entityres.text.keys import keys
    table = tables.load("keys")["blocking"]
    found = keys(name)
    merge = {ord(k): v for k, v in table["merge"].items()} | {ord(c): None for c in table["drop"]}
    return found[0].translate(merge) if found else ""


def person_pairs(sample: int, seed: int) -> list[tuple[str, str, str]]:
    people = persons()
    by_key: dict[str, list[int]] = defaultdict(list)
    for n, (_, _, latin) in enumerate(people):
        for name in latin:
            by_key[coarse(name)].append(n)
    folded = [{" ".join(x.casefold().split()) for x in latin} for _, _, latin in people]
    written = [{name for _, name in arabic} for _, arabic, _ in people]
    pairs = set()
    for n, (_, arabic, _) in enumerate(people):
        for lang, name in arabic:
            for m in by_key.get(coarse(name), ()):
                if m != n and not folded[n] & folded[m] and name not in written[m] \
                        and not _same_parts(people[n][2][0], people[m][2][0]):
                    pairs.add((lang, name, people[m][2][0]))
    pairs = sorted(pairs)
    random.Random(seed).shuffle(pairs)
    return pairs[:sample]


def _same_parts(a: str, b: str) -> bool:
    """Two Latin names whose every word is the same known part (Mohammed Ali, Muhammad Ali)."""
    from entityres.text.name_parts import part_symbol, spelling_key
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb):
        return False
    sa, sb = [part_symbol(spelling_key(w)) for w in wa], [part_symbol(spelling_key(w)) for w in wb]
    return None not in sa and None not in sb and sorted(sa) == sorted(sb)


def given_name_pairs() -> list[tuple[str, str, str]]:
    from entityres.text.keys import keys
    table = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
    groups = {**table["parts"], **table["particles"]}
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for symbol, spellings in groups.items():
        for s in map(str, spellings):
            found = keys(s)
            if found:
                by_key[found[0]].append((symbol, s))
    pairs = set()
    for items in by_key.values():
        for sa, a in items:
            for sb, b in items:  # a Latin spelling against a Latin or Arabic-script one of another part
                if sa != sb and a.isascii() and (not b.isascii() or a < b):
                    pairs.add(("", a, b))
    return sorted(pairs)


def true_pairs() -> list[tuple[str, str, str]]:
    """Each person's Arabic-script names against their own (first) Latin name."""
    return sorted({(lang, name, latin[0]) for _, arabic, latin in persons() for lang, name in arabic})


def rate(pairs: list[tuple[str, str, str]], same: bool = False) -> tuple[float, list]:
    """The share of pairs that match (``same``: true pairs) or not, and the pairs that decided it
    wrongly: false matches, or true pairs that do not match."""
    from entityres import THRESHOLD, similarity
    wrong = [(a, b, s) for lang, a, b in pairs if ((s := similarity(a, b, lang or None)) >= THRESHOLD) != same]
    return (len(wrong) if not same else len(pairs) - len(wrong)) / max(1, len(pairs)), wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=3000, help="person pairs (default 3,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pairs", type=Path, default=None, help="write, or read if it exists, the pairs (JSON)")
    parser.add_argument("--show", type=int, default=15, help="false matches listed per set")
    args = parser.parse_args()
    if not POLITICIANS.exists() or not UN_LIST.exists():
        print(f"skipped: benchmark data not found under {NAMES}")
        return 0
    import entityres
    if args.pairs is not None and args.pairs.exists():
        sets = {k: [tuple(p) for p in v] for k, v in json.loads(args.pairs.read_text(encoding="utf-8")).items()}
    else:
        sets = {"persons": person_pairs(args.sample, args.seed), "given names": given_name_pairs()}
        if args.pairs is not None:
            args.pairs.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
    sets.setdefault(TRUE, true_pairs())  # pairs files written before the true pairs were added
    print(f"entityres from {Path(entityres.__file__).parent}; THRESHOLD {entityres.THRESHOLD}")
    print(f"  {'set':<12} {'pairs':>6} {'wrong':>7} {'rate':>7}   (false matches; for the true pairs, the share matched)")
    shown = {}
    for name, pairs in sets.items():
        r, wrong = rate(pairs, same=name == TRUE)
        shown[name] = wrong
        print(f"  {name:<12} {len(pairs):>6} {len(wrong):>7} {r:>7.3f}")
    for name, wrong in shown.items():
        for a, b, s in sorted(wrong, key=lambda t: -t[2] if name != TRUE else t[2])[:args.show]:
            print(f"    {name}: {a} ~ {b}  {s:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
