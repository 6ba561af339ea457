"""Command line: ``entityres translit|similarity|tokens|normalize``.

Names come as arguments, or one per line on standard input when the argument is ``-``. Output is
one JSON object per line, so it pipes into ``jq`` or a file.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Iterable, Iterator

from . import __version__
from .keys import keys
from .langs import canonical_lang
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
    else:
        _emit({"text": t, "normalized": normalize(t).text} for t in _inputs(args.texts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
