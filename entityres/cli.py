"""Command line: ``entityres translit|similarity|tokens|normalize|match|gazetteer``.

Names come as arguments, or one per line on standard input when the argument is ``-``. Output is
one JSON object per line, so it pipes into ``jq`` or a file.
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import Counter
from typing import Iterable, Iterator

import yaml

from . import __version__
from .gazetteer import Gazetteer, GazetteerError, GazetteerWarning, load_gazetteer
from .keys import keys
from .langs import canonical_lang
from .match import MATCH_THRESHOLD
from .normalize import normalize
from .similarity import THRESHOLD, similarity
from .tokens import stems, tokenize
from .transliterate import readings


def _inputs(values: list[str]) -> Iterator[str]:
    for value in values:
        if value == "-":
            for line in sys.stdin:
                line = line.rstrip("\n")
                if line.strip():
                    yield line
        else:
            yield value


def _emit(records: Iterable[dict]) -> None:
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _lang(value: str | None) -> str | None:
    try:
        return canonical_lang(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="entityres", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"entityres {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("translit", help="Latin readings and cross-script keys of names")
    p.add_argument("names", nargs="+", help="names, or - to read one per line from stdin")
    p.add_argument("--lang", type=_lang, default=None, help="fa, prs (fa-AF), ar, or another code")
    p.add_argument("-k", type=int, default=5, help="how many readings (default 5)")

    p = sub.add_parser("similarity", help="similarity of two names in [0, 1]")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--lang-a", type=_lang, default=None)
    p.add_argument("--lang-b", type=_lang, default=None)

    p = sub.add_parser("tokens", help="tokens with offsets and their clitic/affix-stripped stems")
    p.add_argument("texts", nargs="+", help="texts, or - to read one per line from stdin")
    p.add_argument("--lang", type=_lang, default=None)

    p = sub.add_parser("normalize", help="normalised text")
    p.add_argument("texts", nargs="+", help="texts, or - to read one per line from stdin")

    p = sub.add_parser("match", help="gazetteer entries a name may be, ranked and explained")
    p.add_argument("names", nargs="+", help="names, or - to read one per line from stdin")
    p.add_argument("--lang", type=_lang, default=None)
    p.add_argument("--type", choices=("person", "place"), default=None)
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--gazetteer", action="append", default=[], metavar="FILE", help="extra gazetteer YAML (repeatable)")

    p = sub.add_parser("gazetteer", help="check gazetteer files, or show an entry")
    gsub = p.add_subparsers(dest="action", required=True)
    g = gsub.add_parser("check", help="validate YAML files (with the bundled data) and print a summary")
    g.add_argument("files", nargs="*", help="gazetteer YAML files or folders (none: the bundled data alone)")
    g.add_argument("--alone", action="store_true", help="check the files without the bundled data")
    g = gsub.add_parser("show", help="print one entry as YAML")
    g.add_argument("id")
    g.add_argument("--gazetteer", action="append", default=[], metavar="FILE")

    args = parser.parse_args(argv)
    if args.command == "translit":
        if args.k < 1:
            parser.error("-k must be at least 1")
        _emit({"name": n, "readings": readings(n, args.lang, args.k), "keys": keys(n)[:5]} for n in _inputs(args.names))
    elif args.command == "similarity":
        score = similarity(args.a, args.b, args.lang_a, args.lang_b)
        _emit([{"a": args.a, "b": args.b, "score": score, "same": score >= THRESHOLD, "threshold": THRESHOLD}])
    elif args.command == "tokens":
        for text in _inputs(args.texts):
            norm = normalize(text)
            _emit({"text": text[t.start:t.end], "start": t.start, "end": t.end,
                   "stems": [{"text": text[s.start:s.end], "start": s.start, "end": s.end,
                              "prefix": s.prefix, "suffix": s.suffix} for s in stems(t, norm, args.lang)[1:]]}
                  for t in tokenize(norm))
    elif args.command == "normalize":
        _emit({"text": t, "normalized": normalize(t).text} for t in _inputs(args.texts))
    elif args.command == "match":
        if args.limit < 1:
            parser.error("--limit must be at least 1")
        gz = _gazetteer(args.gazetteer)
        _emit({"name": n, "matches": [{"id": m.entry.id, "name": m.entry.name, "score": m.score,
                                       "accepted": m.score >= MATCH_THRESHOLD, "explanation": m.explanation.model_dump()}
                                      for m in gz.match(n, args.lang, args.type, args.limit)]}
              for n in _inputs(args.names))
    elif args.action == "check":
        return _check(args.files, args.alone)
    else:
        gz = _gazetteer(args.gazetteer)
        entry = gz.get(args.id)
        if entry is None:
            print(f"entityres: no entry {args.id!r}", file=sys.stderr)
            return 1
        sys.stdout.write(yaml.safe_dump(entry.model_dump(exclude_defaults=True), allow_unicode=True, sort_keys=False))
    return 0


def _gazetteer(paths: list[str]) -> Gazetteer:
    try:
        return load_gazetteer(paths)
    except GazetteerError as err:
        print(f"entityres: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def _check(files: list[str], alone: bool) -> int:
    """Validate, merge and report: exit 1 on any error, 0 when only notes remain."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GazetteerWarning)
            gz = load_gazetteer(files, bundled=not alone, cache=False)
    except GazetteerError as err:
        print(str(err), file=sys.stderr)
        print(f"{len(err.errors)} error(s); nothing loaded", file=sys.stderr)
        return 1
    for issue in gz.issues:
        if issue.severity == "error" or issue.kind == "override":
            print(issue)
    types = Counter(e.type for e in gz)
    kinds = Counter(i.kind for i in gz.issues)
    print(f"{len(gz)} entries ({types['person']} people, {types['place']} places); "
          + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) if kinds else f"{len(gz)} entries; no issues")
    return 1 if gz.errors() else 0


if __name__ == "__main__":
    sys.exit(main())
