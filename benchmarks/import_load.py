"""Importing a GeoNames-sized table, then loading the YAML it writes: time and peak memory.

Issue 10's case: a user's 50 MB gazetteer of 258,000 entries had not loaded after ten minutes at
4.4 GB. This script makes such a file and times each step, each in a fresh process (so every
peak memory figure is that step's own):

1. Synthetic GeoNames data (generated here, seeded; nothing is read from ../shared): a geoname
   table of --entries records (countries, provinces, and populated places with made-up one- or
   two-word names built from Latin syllables) and an alternate-names file giving each record
   Persian and Arabic spellings (the Latin syllables mapped to letters). At 258,000 records the
   YAML written is about 50 MB, the size of the user's file in issue 10.
2. ``entityres gazetteer import geonames`` (``import_geonames(..., link=False)``): seconds, peak MB,
   the YAML's size.
3. Loading it: ``read_file`` (parse and validate the YAML), then ``load_gazetteer([yaml],
   bundled=False, cache=False)`` (parse, validate, merge and check references; what ``gazetteer
   check`` does), and ``load_gazetteer([yaml], bundled=False)`` with an empty cache directory (the
   above, plus the index build and writing the cache; ``gz.index`` asked for) and again with the
   cache written (the next start). Seconds and peak MB for each; for the next start also what is
   resident at its end: the process's own memory, and the pages of files (the memory-mapped cache
   files, which every process that opens them shares, are most of them).
   With --mine, a user's own file of 21 entries beside it (one a place inside a GeoNames one), loaded with
   it: "+mine" with an empty cache (the first start), then "mine edited" after each edit of that file
   (the YAML and its index cached by the start before: what only the edited file should cost).
   With --edit-large, "large edited" after each of that many edits of the imported YAML itself (one
   place renamed, as a user curating an import would), the previous version and its index cached.
4. Baselines in the same run: ``yaml.load`` of the same file with PyYAML's C loader
   (``CSafeLoader``) and its pure-Python loader (``SafeLoader``, only with --python-yaml: minutes),
   which parse and do nothing else; and with --previous, ``read_file`` as it was before this
   work (PyYAML nodes with a line map, then the whole file validated, then every alias copied with
   the file's source), minutes at full size.

Target (issue 10): the 50 MB / 258k-entry file loads, with a progress bar, in <= 60 s.

CPU seconds are printed beside wall seconds: on a busy shared machine the wall time of a step is
stretched by other work, its CPU time much less.

Usage: python benchmarks/import_load.py [--entries N] [--seed S] [--repeats N] [--python-yaml]
       [--previous] [--no-index] [--mine EDITS] [--only-mine] [--edit-large EDITS] [--keep DIR] [--json PATH]
Speed on this shared machine varies by about +-20%; pin with ``taskset -c 1``.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

SYLLABLES = ["ka", "bu", "la", "ma", "zar", "her", "sha", "rif", "da", "gah", "na", "mir", "ab", "ad", "kan",
             "dar", "gul", "bad", "sa", "rak", "ta", "lo", "qa", "jan", "pur", "ni", "shah", "far", "yar", "dez"]
TO_ARABIC = {"ka": "کا", "bu": "بو", "la": "لا", "ma": "ما", "zar": "زر", "her": "هر", "sha": "شا", "rif": "ریف",
             "da": "دا", "gah": "گاه", "na": "نا", "mir": "میر", "ab": "آب", "ad": "اد", "kan": "کان", "dar": "در",
             "gul": "گل", "bad": "باد", "sa": "سا", "rak": "رک", "ta": "تا", "lo": "لو", "qa": "قا", "jan": "جان",
             "pur": "پور", "ni": "نی", "shah": "شاه", "far": "فر", "yar": "یار", "dez": "دز"}


def make_geonames(folder: Path, entries: int, seed: int) -> tuple[Path, Path]:
    """A geoname table and alternate names file of ``entries`` records, in GeoNames' exact formats."""
    rng = random.Random(seed)
    table, alternates = folder / "allCountries.txt", folder / "alternateNamesV2.txt"
    countries = max(1, entries // 1000)
    provinces = max(1, entries // 100)
    alt_id = 0
    with open(table, "w", encoding="utf-8") as t, open(alternates, "w", encoding="utf-8") as a:
        for gid in range(1, entries + 1):
            words = [[rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))] for _ in range(rng.randint(1, 2))]
            latin = " ".join("".join(w).capitalize() for w in words)
            arabic = " ".join("".join(TO_ARABIC[s] for s in w) for w in words)
            if gid <= countries:
                fclass, fcode, cc, adm1 = "A", "PCLI", f"C{gid}", "00"
            elif gid <= countries + provinces:
                fclass, fcode, cc, adm1 = "A", "ADM1", f"C{gid % countries + 1}", str(gid)
            else:
                fclass, fcode = "P", "PPL"
                cc, adm1 = f"C{gid % countries + 1}", str(countries + 1 + gid % provinces)
            population = rng.randint(500, 5_000_000)
            t.write("\t".join([str(gid), latin, latin, "", "0", "0", fclass, fcode, cc, "", adm1, "", "", "",
                               str(population), "", "0", "Asia/Kabul", "2024-01-01"]) + "\n")
            for lang, name in (("fa", arabic), ("ar", arabic.replace("ی", "ي").replace("ک", "ك")), ("en", latin)):
                alt_id += 1
                a.write("\t".join([str(alt_id), str(gid), lang, name, "1" if lang == "fa" else "", "", "", "", "", ""])
                        + "\n")
    return table, alternates


STEP = textwrap.dedent("""
    import json, resource, sys, time, warnings
    step, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    t0, cpu0 = time.perf_counter(), time.process_time()
    if step == "import":
        from entityres.gazetteer.importers import import_geonames
        import_geonames(path, out, path.replace("allCountries", "alternateNamesV2"), link=False, progress=False)
    elif step == "read_file":
        from entityres.gazetteer.loader import read_file
        n = len(read_file(path))
    elif step in ("load", "load+index", "cached", "+mine") or step.startswith(("mine edited", "large edited")):
        from entityres.gazetteer.loader import load_gazetteer
        paths = [path] + ([path.replace("geonames.yaml", "mine.yaml")] if "mine" in step else [])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gz = load_gazetteer(paths, bundled=False, cache=step != "load")
            if step != "load":
                gz.index  # built, or opened from the cache
    elif step == "previous":  # read_file as it was before the fast reader (commit 0b747f9), for comparison
        from entityres.gazetteer.schema import Alias, GazetteerFile
        from entityres.gazetteer.yaml_source import load_yaml
        data, lines = load_yaml(path)
        parsed = GazetteerFile.model_validate(data)
        for i, entry in enumerate(parsed.entries):
            names = {lang: tuple(a if a.source else Alias(name=a.name, source=parsed.source) for a in aliases)
                     for lang, aliases in entry.names.items()}
            entry.model_copy(update={"names": names}), lines.get(("entries", i), 0)
    elif step in ("CSafeLoader", "SafeLoader"):
        import yaml
        with open(path, encoding="utf-8") as f:
            yaml.load(f, Loader=getattr(yaml, step))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    now = {}  # resident now: the process's own memory, and file pages (the mapped cache files: shared)
    try:
        with open("/proc/self/status") as status:
            now = {k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in status) if k in ("RssAnon", "RssFile")}
    except OSError:
        pass
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu0,
                      "peak_mb": usage.ru_maxrss / 1024, "own_mb": now.get("RssAnon"), "file_mb": now.get("RssFile")}))
""")


def write_mine(path: Path, edit: int) -> None:
    """A user's file of their own: 20 people and a place inside the first GeoNames record; ``edit``
    changes the place's name."""
    letters = "بپتجچخدرزسشغفقکگلمنهی"
    lines = [f"# edit {edit}", "entries:", "  - id: place:darsaka-pass", "    type: place", "    kind: feature",
             "    name: Darsaka Pass", "    parent: place:darsaka",
             f"    names: {{fa: [{'گردنه درسکا' if edit % 2 else 'گردنه دارساکا'}]}}"]
    for i in range(20):
        lines += [f"  - id: person:mine-{i}", "    type: person", f"    name: Person {i} Mine",
                  f"    names: {{fa: [{letters[i]}ا{letters[-1 - i]}ور {letters[(i + 7) % 20]}یان]}}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_large(path: Path, edit: int) -> None:
    """Rename the place in the middle of the imported YAML: "Bazar ``edit``" after its name (a new
    name each time, never one cached before)."""
    text = path.read_text(encoding="utf-8")
    at = text.index("\n    name: ", len(text) // 2) + len("\n    name: ")
    end = text.index("\n", at)
    name = text[at:end].split(" Bazar ")[0]
    path.write_text(f"{text[:at]}{name} Bazar {edit}{text[end:]}", encoding="utf-8")


def run_step(step: str, path: Path, out: Path, cache: Path) -> dict:
    env = {"ENTITYRES_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", STEP, step, str(path), str(out)], capture_output=True, text=True,
                          env=env)
    if done.returncode:
        raise SystemExit(f"{step} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=258_000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each step (the median is printed)")
    parser.add_argument("--python-yaml", action="store_true", help="also time PyYAML's pure-Python SafeLoader")
    parser.add_argument("--previous", action="store_true", help="also time read_file as it was before the fast reader")
    parser.add_argument("--no-index", action="store_true", help="skip the index build steps (load+index, cached)")
    parser.add_argument("--mine", type=int, default=0, metavar="EDITS",
                        help="also load a user's own small file beside it, cold, then after each of EDITS edits")
    parser.add_argument("--only-mine", action="store_true", help="only the --mine steps (the YAML imported first)")
    parser.add_argument("--edit-large", type=int, default=0, metavar="EDITS",
                        help="also load the imported YAML after each of EDITS edits of it (after load+index)")
    parser.add_argument("--keep", type=Path, help="write the data here (and keep it) instead of a temporary folder")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        table, _ = make_geonames(folder, args.entries, args.seed)
        out = folder / "geonames.yaml"
        steps = ["import", "read_file", "load", "CSafeLoader"] + (["SafeLoader"] if args.python_yaml else [])
        steps += (["previous"] if args.previous else []) + ([] if args.no_index else ["load+index", "cached"])
        if args.only_mine:
            steps = ["import"]
        steps += ["+mine"] + [f"mine edited {n}" for n in range(1, args.mine + 1)] if args.mine else []
        if args.edit_large:
            steps += ([] if "load+index" in steps else ["load+index"]) + [f"large edited {n}" for n in range(1, args.edit_large + 1)]
        results, edits = {}, 0
        for step in steps:
            runs = []
            for _ in range(args.repeats):
                cache = Path(tmp) / "cache"
                if step in ("load+index", "+mine"):
                    subprocess.run(["rm", "-rf", str(cache)], check=True)  # an empty cache: build and write
                if "mine" in step:
                    edits += 1
                    write_mine(folder / "mine.yaml", edits)
                if step.startswith("large edited"):
                    edits += 1
                    edit_large(out, edits)
                runs.append(run_step(step, table if step == "import" else out, out, cache))
            runs.sort(key=lambda r: r["seconds"])
            results[step] = runs[len(runs) // 2]
            size = out.stat().st_size / 1e6 if out.exists() else 0
            got = results[step]
            print(f"{step:<14} {got['seconds']:8.1f} s wall {got['cpu_seconds']:8.1f} s CPU {got['peak_mb']:7.0f} MB peak"
                  + (f"   ({args.entries:,} records → {size:.1f} MB of YAML)" if step == "import" else "")
                  + (f"   (resident at the end: {got['own_mb']:.0f} MB its own, {got['file_mb']:.0f} MB of files, the"
                     " mapped cache files among them, shared with every process that opens them)"
                     if step == "cached" and got.get("own_mb") is not None else ""), flush=True)
        if "load" in results:
            load = results["load"]
            print(f"\nparse, validate and merge (load): {load['seconds']:.1f} s wall, {load['cpu_seconds']:.1f} s CPU")
        if "load+index" in results:
            total, cpu = results["load+index"]["seconds"], results["load+index"]["cpu_seconds"]
            print(f"target: the file loads (parse, validate, index) in <= 60 s: {total:.1f} s wall ({cpu:.1f} s CPU), "
                  f"{'met' if total <= 60 else 'missed'}")
        if args.json:
            args.json.write_text(json.dumps({"entries": args.entries, "yaml_mb": size, **results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
