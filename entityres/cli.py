"""The entityres command line (``entityres --help``; also ``python -m entityres``).

The help texts here are plain text: argparse prints them as they are.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator

import yaml
from tqdm import tqdm

from . import __version__, cache, corpus
from .display import table
from .gazetteer.loader import Gazetteer, GazetteerError, gc_paused, load_gazetteer
from .gazetteer.yaml_source import SourceError
from .text.keys import keys
from .text.langs import canonical_lang
from .text.normalize import normalize
from .resolve.batch import FailedDocument, NewEntityMerge
from .resolve.resolver import Resolver, check_lang, result_schema
from .text.similarity import THRESHOLD, similarity
from .text.tokens import stems, tokenize
from .text.transliterate import readings


DESCRIPTION = "Find the people and places of Persian, Dari and Arabic news text and resolve them to canonical IDs."
EPILOG = """\
Names and texts come as arguments, or one per line on standard input when the argument is -.
Output is one JSON object per line, so it pipes into jq or a file; resolve and match print a
table with --format table (match does by default on a terminal). Errors go to standard error
with exit code 2 (bad input, a gazetteer with errors) or 1 (gazetteer check found errors).

examples:
  echo "دونالد ترامپ در آلاسکا" | entityres resolve - --format table
  entityres match گاناتوف --lang fa
  entityres gazetteer check my_people.yaml
  entityres schema > result.schema.json
"""
log = logging.getLogger("entityres")


class InputError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


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


def _resolve_lang(value: str) -> str:
    try:
        return check_lang(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return int(value)


def _gazetteer(paths: list[str]) -> Gazetteer:
    """The gazetteer, or exit 2 on any error-level issue, named as ``gazetteer check`` names it."""
    try:
        return load_gazetteer(paths, strict=True)
    except GazetteerError as err:
        raise InputError(f"the gazetteer has errors (see entityres gazetteer check):\n{err}") from None


def _resolver(paths: list[str]) -> Resolver:
    with gc_paused(settle=True):  # the gazetteer too: all that is loaded frozen at once (Resolver)
        return Resolver(gazetteer=_gazetteer(paths))


# --- commands ---------------------------------------------------------------------------------

def cmd_translit(args) -> int:
    _emit({"name": n, "readings": readings(n, args.lang, args.k), "keys": keys(n)[:5]} for n in _inputs(args.names))
    return 0


def cmd_similarity(args) -> int:
    score = similarity(args.a, args.b, args.lang_a, args.lang_b)
    _emit([{"a": args.a, "b": args.b, "score": score, "same": score >= THRESHOLD, "threshold": THRESHOLD}])
    return 0


def cmd_tokens(args) -> int:
    for text in _inputs(args.texts):
        norm = normalize(text)
        _emit({"text": text[t.start:t.end], "start": t.start, "end": t.end,
               "stems": [{"text": text[s.start:s.end], "start": s.start, "end": s.end,
                          "prefix": s.prefix, "suffix": s.suffix} for s in stems(t, norm, args.lang)[1:]]}
              for t in tokenize(norm))
    return 0


def cmd_normalize(args) -> int:
    _emit({"text": t, "normalized": normalize(t).text} for t in _inputs(args.texts))
    return 0


def _table_format(value: str) -> bool:
    return value == "table" or (value == "auto" and sys.stdout.isatty())


def cmd_match(args) -> int:
    gz = _gazetteer(args.gazetteer)
    found = ((n, gz.match(n, args.lang, args.type, args.limit)) for n in _inputs(args.names))
    if not _table_format(args.format):
        _emit({"name": n, "matches": [{"id": m.entry.id, "name": m.entry.name, "score": m.score,
                                       "accepted": m.accepted, "ambiguous": m.ambiguous,
                                       "explanation": m.explanation.model_dump()} for m in matches]}
              for n, matches in found)
        return 0
    rows = [(n, rank, m.entry.id, m.entry.name, m.score, m.accepted, m.explanation.how,
             m.explanation.alias) for n, matches in found for rank, m in enumerate(matches, 1)]
    print(table(("query", "#", "id", "name", "score", "accepted", "how", "alias"), rows, right=(1, 4)))
    return 0


def cmd_schema(args) -> int:
    print(json.dumps(result_schema(), ensure_ascii=False, indent=2))
    return 0


def cmd_gazetteer(args) -> int:
    if args.action == "check":
        return _check(args.files, args.alone)
    if args.action == "import":
        return _import(args)
    entry = _gazetteer(args.gazetteer).get(args.id)
    if entry is None:
        raise InputError(f"no entry {args.id!r}")
    sys.stdout.write(yaml.safe_dump(entry.model_dump(exclude_defaults=True), allow_unicode=True, sort_keys=False))
    return 0


def _check(files: list[str], alone: bool) -> int:
    """Validate, merge and report: exit 1 on any error, 0 when only notes remain."""
    loader_log = logging.getLogger("entityres.gazetteer.loader")
    level = loader_log.level
    loader_log.setLevel(logging.ERROR)  # the issues are printed below, once
    try:
        gz = load_gazetteer(files, bundled=not alone, cache=False)
    except GazetteerError as err:
        print(str(err), file=sys.stderr)
        print(f"{len(err.errors)} error(s); nothing loaded", file=sys.stderr)
        return 1
    finally:
        loader_log.setLevel(level)
    for issue in gz.issues:
        if issue.severity == "error" or issue.kind == "override":
            print(issue)
    types = Counter(e.type for e in gz._entries.held())  # read as held: no Entry made for a count
    kinds = Counter(i.kind for i in gz.issues)
    notes = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no issues"
    print(f"{len(gz)} entries ({types['person']} people, {types['place']} places); {notes}")
    return 1 if gz.errors() else 0


def _import(args) -> int:
    """Run an importer (entityres.gazetteer.importers) and print what it wrote to standard error."""
    from .gazetteer import importers

    options = {k: v for k, v in vars(args).items() if k in args.options and v is not None}
    out = sys.stdout if args.output == "-" else args.output
    try:
        report = getattr(importers, f"import_{args.source}")(args.input, out, link=not args.no_link,
                                                             progress=None, **options)
    except (SourceError, ValueError) as err:
        raise InputError(str(err)) from None
    except OSError as err:
        raise InputError(f"{err.filename or args.output}: {err.strerror}") from None
    print(report, file=sys.stderr)
    return 0


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _whole(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}")
    return int(value)


def _import_parser(gsub) -> None:
    g = gsub.add_parser("import", help="write a gazetteer YAML file from GeoNames, Wikidata or OpenSanctions data",
                        description="Write an entityres gazetteer YAML file from another source (docs/gazetteer.md, "
                                    "Importing). Input may be plain, .gz or .bz2.")
    isub = g.add_subparsers(dest="source", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-o", "--output", required=True, help="the YAML file to write (- for standard output)")
    common.add_argument("--no-link", action="store_true",
                        help="do not reuse the bundled gazetteer's IDs for the same GeoNames ID / QID")
    i = isub.add_parser("geonames", parents=[common], help="a GeoNames table (allCountries.txt, cities500.txt...)")
    i.add_argument("input", help="the geoname table (19 tab-separated columns)")
    i.add_argument("--alternate-names", help="alternateNamesV2.txt (names per language)")
    i.add_argument("--country-info", help="countryInfo.txt (the countries of a table without them, e.g. cities500)")
    i.add_argument("--languages", type=_list, help="alternate-name languages to keep, comma-separated "
                   "(default en,fa,prs,ar,ps,und; und: names without a language, filed by script)")
    i.add_argument("--min-population", type=_whole, help="leave out populated places (class P) with fewer people")
    i.add_argument("--classes", type=_list, help="feature classes to keep, comma-separated (default A,P)")
    i.set_defaults(options=("alternate_names", "country_info", "languages", "min_population", "classes"))
    i = isub.add_parser("wikidata", parents=[common], help="Wikidata entity JSON (dump lines) or a SPARQL JSON result")
    i.add_argument("input", help="latest-all.json(.gz/.bz2), entities one per line, or a SPARQL query's JSON result")
    i.add_argument("--languages", type=_list, help="label/alias languages to keep, comma-separated "
                   "(default en,fa,prs,ar,ps,mul)")
    i.add_argument("--types", type=_list, help="person and/or place (default both)")
    i.add_argument("--type", dest="entity_type", choices=("person", "place"),
                   help="what a SPARQL result's items are, when it has no ?type column")
    i.set_defaults(options=("languages", "types", "entity_type"))
    i = isub.add_parser("opensanctions", parents=[common], help="OpenSanctions FollowTheMoney entities (JSON lines)")
    i.add_argument("input", help="entities.ftm.json: one FtM entity a line; its Person entities are imported")
    i.add_argument("--weak-aliases", action="store_true", default=None, help="also keep weakAlias names")
    i.add_argument("--country-info", help="GeoNames' countryInfo.txt, to link citizenship codes to countries")
    i.set_defaults(options=("weak_aliases", "country_info"))


def _progress(docs: Iterable, total: int | None = None, quiet: bool = False) -> "tqdm":
    """Documents, with a progress bar (count, rate) on standard error when it is a terminal."""
    return tqdm(docs, total=total, unit="doc", file=sys.stderr, dynamic_ncols=True,
                disable=quiet or not sys.stderr.isatty())


def _encoded(encode: Callable, result) -> tuple[list, object]:
    """A result as the CLI keeps it: its new names (for the merge) and its output for the writer."""
    return NewEntityMerge.names_of(result), encode(result)


def cmd_resolve(args) -> int:
    merge = args.merge or ("final" if args.format in ("csv", "parquet") else "stream")
    if merge == "stream" and args.format in ("csv", "parquet") and not args.merged_ids:
        raise InputError(f"--format {args.format} with --merge stream needs --merged-ids FILE for the merged IDs")
    binary = args.format == "parquet"
    if binary and args.output in (None, "-") and sys.stdout.isatty():
        raise InputError("Parquet output goes to a file: --output FILE")
    resolver = _resolver(args.gazetteer)
    mode = "lines" if args.lines else "jsonl" if args.jsonl else "auto"
    files = list(corpus.input_files(args.files))
    whole = mode == "text" or (mode == "auto" and not any(f.lower().endswith(corpus.JSONL_SUFFIXES) for f in files))
    skipped = 0

    def bad(what: object) -> None:
        nonlocal skipped
        if args.on_error == "fail":
            raise InputError(str(what))
        skipped += 1
        bar.write(f"entityres: skipped {what}", file=sys.stderr)

    def documents() -> Iterator[tuple[str, str, str]]:
        for record in corpus.read_corpus(files, mode, args.lang):
            if isinstance(record, corpus.BadRecord):
                bad(record)
            else:
                yield record.id, record.text, record.lang

    try:
        out = corpus.text_output(args.output, binary)
    except OSError as err:
        raise InputError(f"{args.output}: {err.strerror}") from None
    try:
        writer = corpus.writer(args.format, out, title="entityres: " + " ".join(args.files))
    except ImportError as err:
        raise InputError(str(err)) from None
    merges = NewEntityMerge() if merge == "stream" else None
    # Without the final merge, results are encoded for the writer where they are made (in the workers).
    encode = None if merge == "final" else partial(_encoded, writer.encode)
    with _progress(resolver.resolve_many(documents(), merge_new=merge == "final", workers=args.workers,
                                         on_error="report", encode=encode),
                   len(files) if whole else None, args.quiet) as bar:
        for result in bar:
            if isinstance(result, FailedDocument):
                bad(corpus.failure_text(result))
                continue
            names, encoded = result if encode else ((), writer.encode(result))
            if merges is not None:
                merges.add_names(names)
            writer.write(encoded)
        ids = merges.ids() if merges is not None else None
        if args.merged_ids:
            Path(args.merged_ids).write_text(json.dumps(ids or {}, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
            ids = None
        writer.close(ids)
    if out not in (sys.stdout, getattr(sys.stdout, "buffer", None)):
        out.close()
    if skipped:
        print(f"entityres: {skipped} document(s) skipped", file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    try:
        from .integrations.server import serve
    except ImportError as err:
        raise InputError(str(err)) from None
    serve(_resolver(args.gazetteer), args.host, args.port, args.max_bytes)
    return 0


def cmd_evaluate(args) -> int:
    from .evaluate import evaluate, load_gold  # here: not part of every command's start

    try:
        gold = load_gold(args.gold)
    except (OSError, ValueError) as err:
        raise InputError(str(err)) from None
    resolver = _resolver(args.gazetteer)
    docs = [(d["id"], d["text"], "auto" if args.auto else d["lang"]) for d in gold]
    predicted = {r.id: r.model_dump() for r in _progress(resolver.resolve_many(docs), len(docs))}
    report = evaluate(gold, predicted, resolver.gazetteer.id_of_name)
    if args.json:
        _emit([report.to_dict()])
    else:
        print(report.format(max_items=args.errors))
    return 0


def _corpora(specs: list[str], lang: str | None) -> list[tuple[list, str]]:
    """(sentences, lang) per corpus argument; each corpus's language is detected unless given."""
    from .resolve.conll import read_corpus
    from .resolve.resolver import detect_lang

    out = []
    for spec in specs:
        try:
            sentences = read_corpus(spec)
        except (OSError, ValueError) as err:
            raise InputError(str(err)) from None
        if not sentences:
            raise InputError(f"{spec}: no sentences")
        out.append((sentences, lang if lang not in (None, "auto") else detect_lang("\n".join(s.text for s in sentences[:500]))))
    return out


def cmd_tagger(args) -> int:
    from .resolve import tagger

    index = _gazetteer(args.gazetteer).index
    corpora = _corpora(args.corpora, args.lang)
    if args.action == "train":
        names = [f"{spec} ({lang}, {len(s)} sentences)" for spec, (s, lang) in zip(args.corpora, corpora)]
        meta = tagger.train(corpora, args.out, index, {"max_iterations": args.iterations, "c1": args.c1},
                            {"corpora": names})
        _emit([{"model": args.out, **meta}])
        return 0
    try:
        model = tagger.Tagger(args.model)
    except (OSError, ValueError) as err:
        raise InputError(str(err)) from None
    _emit({"corpus": spec, "lang": lang, "sentences": len(s), **tagger.score(model, s, lang, index)}
          for spec, (s, lang) in zip(args.corpora, corpora))
    return 0


def _add_tagger(sub, extra: dict) -> None:
    from .resolve.tagger import TRAIN_PARAMS

    p = sub.add_parser("tagger", help="train or evaluate the name tagger on CoNLL corpora")
    tsub = p.add_subparsers(dest="action", required=True)
    corpora = {"nargs": "+", "metavar": "CONLL",
               "help": "token/tag files (tab, space or | separated, IOB); FILE:A-B takes sentences A to B-1"}
    t = tsub.add_parser("train", help="train a model (deterministic: the same corpora give the same model)")
    t.add_argument("corpora", **corpora)
    t.add_argument("--out", required=True, help="model file to write (its settings go to FILE.json)")
    t.add_argument("--iterations", type=_positive, default=TRAIN_PARAMS["max_iterations"])
    t.add_argument("--c1", type=float, default=TRAIN_PARAMS["c1"], help="L1 weight: higher, smaller model")
    t = tsub.add_parser("eval", help="exact typed span P/R/F1 per type (PER, LOC, ORG) of a model")
    t.add_argument("corpora", **corpora)
    t.add_argument("--model", default=None, help="model file (default: the shipped one)")
    for t in tsub.choices.values():
        t.add_argument("--lang", type=_resolve_lang, default=None, help="fa, prs, ar (default: detected per corpus)")
        t.add_argument("--gazetteer", **extra)
    p.set_defaults(run=cmd_tagger)


def cmd_cache(args) -> int:
    folder = cache.cache_dir()
    if args.action == "clear":
        removed, freed = cache.clear(folder) if folder else (0, 0)
        _emit([{"folder": str(folder) if folder else None, "removed": removed, "bytes": freed}])
        return 0
    files = cache.entries(folder) if folder else []
    kinds: Counter = Counter()
    for path, size, _ in files:
        kinds[path.name.split("-")[0]] += size
    _emit([{"folder": str(folder) if folder else None, "usable": folder is not None, "files": len(files),
            "bytes": sum(size for _, size, _ in files), "max_bytes": cache.max_bytes(), "bytes_by_kind": dict(kinds)}])
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="entityres", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"entityres {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the library does (to standard error)")
    sub = parser.add_subparsers(dest="command", required=True)
    extra = {"action": "append", "default": [], "metavar": "FILE", "help": "extra gazetteer YAML file or folder (repeatable)"}

    p = sub.add_parser("resolve", help="find, link and cluster the people and places of news texts",
                       description="Documents: a .jsonl/.ndjson file holds {id, text, lang} records, one per line; "
                                   "another file is one document; a folder gives its files (recursive, sorted); "
                                   "- is standard input. Results stream out as they are done (docs/batch.md).")
    p.add_argument("files", nargs="+", help="UTF-8 text files, JSON lines files, folders, or - for standard input")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--lines", action="store_true", help="every input holds one document per line of plain text")
    how.add_argument("--jsonl", action="store_true", help="every input (standard input too) holds JSON lines")
    p.add_argument("--lang", type=_resolve_lang, default="auto", help="fa, prs (fa-AF), ar or auto (default); "
                                                                       "for records without their own lang")
    p.add_argument("--gazetteer", **extra)
    p.add_argument("--format", choices=tuple(corpus.FORMATS), default="jsonl",
                   help="jsonl (one result per document), csv or parquet (one row per mention), table, "
                        "or html (one self-contained page)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--workers", type=_positive, default=1, help="processes resolving documents (default 1)")
    p.add_argument("--on-error", choices=("skip", "fail"), default="fail",
                   help="a bad record (not JSON, no text, unknown lang, not UTF-8) or a failing document: "
                        "report it and go on (skip), or stop with exit code 2 (fail, the default)")
    p.add_argument("--merge", choices=("stream", "final", "off"), default=None,
                   help="new names' spelling variants across documents: stream results with per-document IDs and "
                        "give the merged IDs at the end (default for jsonl, table), or hold results until the end "
                        "to give final IDs in every row (final; default for csv, parquet), or no merge (off)")
    p.add_argument("--merged-ids", metavar="FILE", help="with --merge stream: write the merged IDs to FILE (JSON)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=cmd_resolve)

    p = sub.add_parser("serve", help="an HTTP service: POST /resolve, GET|POST /match, GET /entities/{id} (docs/batch.md)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_positive, default=8000)
    p.add_argument("--max-bytes", type=_positive, default=2_000_000, help="largest request body (default 2 MB)")
    p.add_argument("--gazetteer", **extra)
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("evaluate", help="score resolve() against gold annotations (JSON lines)")
    p.add_argument("gold", help="gold JSON lines: {id, lang, text, entities: [{surface, start, end, type, canonical}]}")
    p.add_argument("--gazetteer", **extra)
    p.add_argument("--auto", action="store_true", help="detect each document's language instead of using the gold one")
    p.add_argument("--errors", type=_positive, default=30, help="how many misses and false alarms to list")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(run=cmd_evaluate)

    p = sub.add_parser("match", help="gazetteer entries a name may be, ranked and explained")
    p.add_argument("names", nargs="+", help="names, or - to read one per line from stdin")
    p.add_argument("--lang", type=_lang, default=None)
    p.add_argument("--type", choices=("person", "place"), default=None)
    p.add_argument("--limit", type=_positive, default=5)
    p.add_argument("--gazetteer", **extra)
    p.add_argument("--format", choices=("auto", "jsonl", "table"), default="auto",
                   help="a table on a terminal, else JSON lines (default auto)")
    p.set_defaults(run=cmd_match)

    p = sub.add_parser("schema", help="print the JSON Schema of a resolve result (the JSON lines of resolve)")
    p.set_defaults(run=cmd_schema)

    p = sub.add_parser("gazetteer", help="check gazetteer files, import them from other sources, or show an entry")
    gsub = p.add_subparsers(dest="action", required=True)
    g = gsub.add_parser("check", help="validate YAML files (with the bundled data) and print a summary")
    g.add_argument("files", nargs="*", help="gazetteer YAML files or folders (none: the bundled data alone)")
    g.add_argument("--alone", action="store_true", help="check the files without the bundled data")
    _import_parser(gsub)
    g = gsub.add_parser("show", help="print one entry as YAML")
    g.add_argument("id")
    g.add_argument("--gazetteer", **extra)
    p.set_defaults(run=cmd_gazetteer)

    p = sub.add_parser("translit", help="Latin readings and cross-script keys of names")
    p.add_argument("names", nargs="+", help="names, or - to read one per line from stdin")
    p.add_argument("--lang", type=_lang, default=None, help="fa, prs (fa-AF), ar, or another code")
    p.add_argument("-k", type=_positive, default=5, help="how many readings (default 5)")
    p.set_defaults(run=cmd_translit)

    p = sub.add_parser("similarity", help="similarity of two names in [0, 1]")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--lang-a", type=_lang, default=None)
    p.add_argument("--lang-b", type=_lang, default=None)
    p.set_defaults(run=cmd_similarity)

    p = sub.add_parser("tokens", help="tokens with offsets and their clitic/affix-stripped stems")
    p.add_argument("texts", nargs="+", help="texts, or - to read one per line from stdin")
    p.add_argument("--lang", type=_lang, default=None)
    p.set_defaults(run=cmd_tokens)

    p = sub.add_parser("normalize", help="normalised text")
    p.add_argument("texts", nargs="+", help="texts, or - to read one per line from stdin")
    p.set_defaults(run=cmd_normalize)

    _add_tagger(sub, extra)
    p = sub.add_parser("cache", help="show or clear the on-disk cache (indexes, gazetteers, word frequencies)")
    p.add_argument("action", choices=("info", "clear"))
    p.set_defaults(run=cmd_cache)

    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("entityres: %(levelname)s: %(message)s"))
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO if args.verbose else logging.WARNING)
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Bytes that are not UTF-8 are read as U+FFFD (docs/reliability.md), never echoed into the output.
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    try:
        return args.run(args)
    except InputError as err:
        print(f"entityres: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


if __name__ == "__main__":
    sys.exit(main())
