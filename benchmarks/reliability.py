"""Reliability figures (docs/reliability.md, docs/benchmarks.md): fuzzed calls, planted cache files,
input limits, new-name clustering and long-run memory.

    python benchmarks/reliability.py fuzz --calls 1000000 [--targets resolve,match]
    python benchmarks/reliability.py cache
    python benchmarks/reliability.py limits
    python benchmarks/reliability.py cluster
    python benchmarks/reliability.py rss --docs 20000
    python benchmarks/reliability.py stream

``stream`` is the other side of ``rss``: real news text, whose words come back, resolved as one
long run (ANERcorp's training tokens, ../shared/bench/ner, in documents of 300 tokens), to see what
the memos' sizes (entityres.memo) cost in speed: documents/s (CPU) of the second half, and RSS.

Each section runs in its own processes with a private cache folder; times and peak memory are of
this machine (shared and noisy: run with ``taskset -c 1`` and read them as rough).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))


# Calls per target out of 1,000,000 (the split of --calls): the cheap entry points take more.
SHARES = {"normalize": 0.40, "gazetteer": 0.265, "tokenize": 0.20, "readings": 0.10, "resolve": 0.02,
          "similarity": 0.012, "match": 0.003}


def fuzz(calls: int, only: list[str] | None = None) -> dict:
    """Every fuzz target under atheris, coverage-guided and instrumented (tests/fuzz/run.py), for
    its share of ``calls``; failures are counted, saved and fuzzing goes on."""
    import run

    try:
        import atheris  # noqa: F401
    except ImportError:
        return {"error": "atheris is not installed (pip install atheris)"}
    report = Path(tempfile.mkdtemp()) / "failures.jsonl"
    out = {"calls": 0, "crashes": 0, "invariant_errors": 0, "per_target": {}, "examples": []}
    for name in run.names():
        if only and name not in only:
            continue
        runs = max(1, round(calls * SHARES[name]))
        start = time.process_time(), time.time()
        # A call is a hang past 10 minutes: on a loaded machine 30 s of wall time is not one.
        code, done = run.fuzz(name, [f"-runs={runs}", "-timeout=600"], str(report))
        lines = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
        mine = [r for r in lines if r["target"] == name]
        counted = max([r["calls"] for r in mine if r["kind"] == "calls"], default=0)
        failures = [r for r in mine if r["kind"] != "calls"]
        ran = done if done is not None else counted  # libFuzzer's count, or ours if it was stopped
        out["per_target"][name] = {"calls": ran, "exit": code, "crashes": sum(r["kind"] == "crash" for r in failures),
                                   "invariant_errors": sum(r["kind"] == "invariant" for r in failures),
                                   "wall_s": round(time.time() - start[1], 1)}
        out["calls"] += ran
        out["crashes"] += out["per_target"][name]["crashes"] + (code != 0)  # a process killed (timeout, memory) is a crash
        out["invariant_errors"] += out["per_target"][name]["invariant_errors"]
        out["examples"] += [{k: r[k] for k in ("target", "kind", "error", "input")} for r in failures[:3]]
        print(json.dumps({name: out["per_target"][name]}), file=sys.stderr, flush=True)
    out["failures_file"] = str(report)
    return out


def _run(code: str, env: dict, timeout: float = 120) -> tuple[float, int, str, str]:
    """Run ``code`` in a fresh process: (seconds, peak RSS in MB, stdout, stderr)."""
    wrapper = ("import resource, time, sys\nt = time.time()\n" + code +
               "\nprint('@@', time.time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)")
    try:
        proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return timeout, -1, "", "timeout"
    tail = [line for line in proc.stderr.splitlines() if line.startswith("@@")]
    seconds, mb = (float(tail[-1].split()[1]), int(tail[-1].split()[2])) if tail else (-1.0, -1)
    return seconds, mb, proc.stdout, proc.stderr


class Evil:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def cache_check() -> dict:
    """Plant hostile files at every cache file resolve() uses; the output must not change, no code run."""
    folder = Path(tempfile.mkdtemp()) / "cache"
    env = {**os.environ, "ENTITYRES_CACHE_DIR": str(folder)}
    code = ("import entityres, json\nr = entityres.resolve('دونالد ترامپ روز دوشنبه در کی یف گفت که ولادیمیر پوتین می‌آید.', 'fa')\n"
            "print(json.dumps(r.model_dump(mode='json'), sort_keys=True))")
    _, _, expected, err = _run(code, env, 600)
    files = sorted(folder.iterdir())
    marker = folder.parent / "pwned"
    plants = {"pickle": pickle.dumps(Evil(str(marker))), "plain msgpack": b"\x81\xa1a\xcb?\xf0\x00\x00\x00\x00\x00\x00",
              "garbage": os.urandom(4096), "empty": b""}
    runs, changed = 0, []
    for victim in files:
        saved = victim.read_bytes()
        for what, blob in plants.items():
            victim.write_bytes(blob)
            _, _, out, _ = _run(code, env, 600)
            runs += 1
            if out != expected or marker.exists():
                changed.append((victim.name.split("-")[0], what))
        victim.write_bytes(saved)
    for victim in files:  # and a folder others may write to is not read at all
        victim.write_bytes(pickle.dumps(Evil(str(marker))))
    folder.chmod(0o777)
    _, _, out, _ = _run(code, env, 600)
    runs += 1
    if out != expected or marker.exists():
        changed.append(("world-writable folder", "pickle"))
    return {"cache_files": [f.name.split("-")[0] for f in files], "planted_runs": runs, "changed_or_ran_code": changed}


LIMIT_CASES = {
    "text 10 MB (refused)": "import entityres\ntry: entityres.resolve('دونالد ترامپ گفت. ' * 600000, 'fa')\nexcept ValueError as e: print(e)",
    "text 1 MB (at the limit)": "import entityres\nentityres.resolve(('دونالد ترامپ رئیس‌جمهور آمریکا روز دوشنبه گفت که با پوتین دیدار کرد. ' * 20000)[:1_000_000], 'fa')",
    "token 1 MB Latin": "import entityres\nentityres.resolve('a' * 1_000_000, 'fa')",
    "token 1 MB Arabic script": "import entityres\nentityres.resolve('ب' * 1_000_000, 'fa')",
    "similarity 2.7 KB (refused)": "import entityres\ntry: entityres.similarity('ب' * 2700, 'پ' * 2700)\nexcept ValueError as e: print(e)",
    "similarity at the limit (16 words x 32 letters)": "import entityres, random\nr = random.Random(1)\nw = lambda: ''.join(r.choice('ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی') for _ in range(32))\nentityres.similarity(' '.join(w() for _ in range(16)), ' '.join(w() for _ in range(16)))",
    "match 60 KB (refused)": "import entityres\ng = entityres.load_gazetteer()\ntry: g.match('ترامپ ' * 10000)\nexcept ValueError as e: print(e)",
    "match at the limit (16 words x 32 letters)": "import entityres, random\nr = random.Random(1)\nw = lambda: ''.join(r.choice('ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی') for _ in range(32))\nentityres.load_gazetteer().match(' '.join(w() for _ in range(16)))",
    "YAML alias bomb (342 bytes)": "from entityres.gazetteer import read_file\nimport tempfile, os\nb = ''.join(f\"{c}: &{c} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\\n\" for p, c in zip([''] + list('abcdefgh'), 'abcdefghi'))\np = tempfile.mktemp(suffix='.yaml'); open(p, 'w').write(b)\ntry: read_file(p)\nexcept ValueError as e: print(e)",
    "YAML 100 MB (refused)": "from entityres.gazetteer import read_file\nimport tempfile\np = tempfile.mktemp(suffix='.yaml'); open(p, 'w').write('# x\\n' * 26_000_000)\ntry: read_file(p)\nexcept ValueError as e: print(e)",
}


def limits() -> dict:
    folder = tempfile.mkdtemp()
    env = {**os.environ, "ENTITYRES_CACHE_DIR": folder}
    _run("import entityres\nentityres.resolve('x', 'fa')\nentityres.load_gazetteer().match('x')", env, 600)  # warm cache
    out = {}
    for name, code in LIMIT_CASES.items():
        seconds, mb, stdout, stderr = _run(code, env, 120)
        out[name] = {"seconds": round(seconds, 2), "peak_mb": mb, "result": (stdout.strip() or "finished")[:90],
                     "error": "" if "@@" in stderr else stderr.strip()[-200:]}
    return out


CLUSTER = """
import random, time, json
import entityres
from entityres.resolve import cluster
entityres.resolve('x', 'fa')
r = random.Random(7)
L = 'ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی'
w = lambda n: ''.join(r.choice(L) for _ in range(n))
out = {}
clock = time.process_time  # CPU seconds: the machine is shared
text = ' '.join(f'رئیس‌جمهور {w(7)} {w(6)} گفت.' for _ in range(1000))
t = clock(); res = entityres.resolve(text, 'fa'); out['resolve: 1,000 new names in one document (cold)'] = clock() - t
out['new entities found'] = len(res.entities)
t = clock(); entityres.resolve(text, 'fa'); out['resolve: the same document again (word profiles cached)'] = clock() - t
names = [('person', f'{w(7)} {w(6)}') for _ in range(1000)] + [('person', w(6)) for _ in range(1000)]
cluster.document_clusters(names, 'fa')
t = clock(); cluster.document_clusters(names, 'fa'); out['document_clusters: 2,000 names (profiles cached)'] = clock() - t
ents = {f'person:new.{i}': ('person', f'{w(6)} {w(6)}', 'fa') for i in range(10000)}
t = clock(); cluster.merge(ents); out['merge: 10,000 documents, one new name each (cold)'] = clock() - t
t = clock(); cluster.merge(ents); out['merge: the same again (profiles cached, as after resolving them)'] = clock() - t
print(json.dumps(out))
"""


def clustering() -> dict:
    env = {**os.environ, "ENTITYRES_CACHE_DIR": tempfile.mkdtemp()}
    _, _, stdout, stderr = _run(CLUSTER, env, 1800)
    return {k: round(v, 2) for k, v in json.loads(stdout).items()} if stdout else {"error": stderr[-300:]}


RSS = """
import random, resource, json, sys
import entityres
r = random.Random(3)
L = 'ابپتثجچحخدذرزسشصضطظعغفقکگلمنوهی'
w = lambda n: ''.join(r.choice(L) for _ in range(n))
doc = lambda: ' '.join(f'رئیس‌جمهور {w(7)} {w(6)} روز دوشنبه در {w(5)} گفت.' for _ in range(3))
rss = lambda: int(open('/proc/self/statm').read().split()[1]) * 4096 // 1024 // 1024
n = int(sys.argv[1])
for _ in range(500): entityres.resolve(doc(), 'fa')
start = rss(); marks = []
for i in range(n):
    entityres.resolve(doc(), 'fa')
    if (i + 1) % (n // 10) == 0: marks.append(rss())
print(json.dumps({"docs": n, "rss_after_warmup_mb": start, "rss_marks_mb": marks, "growth_mb": marks[-1] - start}))
"""


def _printed_json(code: str, *args: str) -> dict:
    """What ``code`` prints as JSON, run with ``args`` in a fresh process with a private cache folder."""
    env = {**os.environ, "ENTITYRES_CACHE_DIR": tempfile.mkdtemp()}
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    return json.loads(proc.stdout) if proc.stdout else {"error": proc.stderr[-300:]}


def rss(docs: int) -> dict:
    return _printed_json(RSS, str(docs))


STREAM = """
import json, sys, time
import entityres
toks = [line.split('\\t')[0] for line in open(sys.argv[1], encoding='utf-8') if line.strip()]
docs = [' '.join(toks[i:i + 300]) for i in range(0, len(toks), 300)]
resolver = entityres.Resolver()
clock, half = time.process_time, len(docs) // 2
t = clock()
for d in docs[:half]: resolver.resolve(d, 'ar')
first = clock() - t
t = clock()
for d in docs[half:]: resolver.resolve(d, 'ar')
second = clock() - t
rss = int(open('/proc/self/statm').read().split()[1]) * 4096 // 1024 // 1024
print(json.dumps({"docs": len(docs), "word_types": len(set(toks)), "first_half_s": round(first, 2),
                  "second_half_s": round(second, 2), "second_half_docs_per_s": round((len(docs) - half) / second, 1),
                  "rss_mb": rss}))
"""


def stream() -> dict:
    data = ROOT.parent / "shared" / "bench" / "ner" / "ar_anercorp" / "derived_PER_LOC.train.conll"
    if not data.exists():
        return {"skipped": f"{data} is absent"}
    return _printed_json(STREAM, str(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("section", choices=("fuzz", "cache", "limits", "cluster", "rss", "stream", "all"))
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--targets", default="", help="comma-separated fuzz targets (default: all)")
    parser.add_argument("--docs", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("ENTITYRES_CACHE_DIR", tempfile.mkdtemp())
    sections = ("fuzz", "cache", "limits", "cluster", "rss", "stream") if args.section == "all" else (args.section,)
    for section in sections:
        if section == "fuzz":
            result = fuzz(args.calls, [t for t in args.targets.split(",") if t])
        elif section == "cache":
            result = cache_check()
        elif section == "limits":
            result = limits()
        elif section == "cluster":
            result = clustering()
        elif section == "stream":
            result = stream()
        else:
            result = rss(args.docs)
        print(json.dumps({section: result}, ensure_ascii=False, indent=1), flush=True)


if __name__ == "__main__":
    main()
