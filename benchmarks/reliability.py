"""Reliability figures (docs/reliability.md, docs/benchmarks.md): fuzzed calls, planted cache files,
input limits, new-name clustering and long-run memory.

    python benchmarks/reliability.py fuzz --calls 1000000     # or --seconds N
    python benchmarks/reliability.py cache
    python benchmarks/reliability.py limits
    python benchmarks/reliability.py cluster
    python benchmarks/reliability.py rss --docs 20000

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
LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
HOSTILE = list(LETTERS + "يكۀةأإآؤئءًٌَُِّ۱٢ـ\u200c\u200d\u200f\u202e\u2066\u2069 \t\n،؛؟.-«»abcXYZ0éКиアヽゝヾ"
               "\U00010400\U0001d400😀\x00\ufeff\ud7ff\U0010ffff")
WORDS = ["دونالد", "ترامپ", "پوتین", "کی یف", "رئیس‌جمهور", "گفت", "قال", "الرئيس", "ولایت", "هرات", "Trump", "Kyiv"]


def _text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        return "".join(rng.choice(HOSTILE) for _ in range(rng.randint(0, 60)))
    if kind < 0.9:
        return " ".join(rng.choice(WORDS) if rng.random() < 0.6 else "".join(rng.choice(HOSTILE) for _ in range(rng.randint(1, 9)))
                        for _ in range(rng.randint(1, 25)))
    return "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(0, 30))).encode("utf-8", "replace").decode("utf-8", "replace")


def fuzz(calls: int, seconds: float, seed: int) -> dict:
    import targets

    rng = random.Random(seed)
    names = sorted(targets.TARGETS)
    counts = {n: 0 for n in names}
    crashes, offset_errors, examples = 0, 0, []
    start = time.time()
    done = 0
    while done < calls and time.time() - start < seconds:
        name = names[done % len(names)]
        text = _text(rng)
        if name == "similarity":
            text = text + "\t" + _text(rng)
        try:
            targets.TARGETS[name](text, done)
        except AssertionError as err:
            offset_errors += 1
            examples.append((name, text, str(err)[:200]))
        except Exception as err:  # noqa: BLE001 - a crash is what is counted
            crashes += 1
            examples.append((name, text, f"{type(err).__name__}: {err}"[:200]))
        counts[name] += 1
        done += 1
    return {"calls": done, "per_target": counts, "crashes": crashes, "invariant_errors": offset_errors,
            "seconds": round(time.time() - start, 1), "examples": examples[:5]}


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
text = ' '.join(f'رئیس‌جمهور {w(7)} {w(6)} گفت.' for _ in range(1000))
t = time.time(); res = entityres.resolve(text, 'fa'); out['resolve: 1,000 new names in one document (cold)'] = time.time() - t
out['new entities found'] = len(res.entities)
t = time.time(); entityres.resolve(text, 'fa'); out['resolve: the same document again (word profiles cached)'] = time.time() - t
names = [('person', f'{w(7)} {w(6)}') for _ in range(1000)] + [('person', w(6)) for _ in range(1000)]
cluster.document_clusters(names, 'fa')
t = time.time(); cluster.document_clusters(names, 'fa'); out['document_clusters: 2,000 names (profiles cached)'] = time.time() - t
ents = {f'person:new.{i}': ('person', f'{w(6)} {w(6)}', 'fa') for i in range(10000)}
t = time.time(); cluster.merge(ents); out['merge: 10,000 documents, one new name each (cold)'] = time.time() - t
t = time.time(); cluster.merge(ents); out['merge: the same again (profiles cached)'] = time.time() - t
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


def rss(docs: int) -> dict:
    env = {**os.environ, "ENTITYRES_CACHE_DIR": tempfile.mkdtemp()}
    proc = subprocess.run([sys.executable, "-c", RSS, str(docs)], capture_output=True, text=True, env=env)
    return json.loads(proc.stdout) if proc.stdout else {"error": proc.stderr[-300:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("section", choices=("fuzz", "cache", "limits", "cluster", "rss", "all"))
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=float("inf"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--docs", type=int, default=20000)
    args = parser.parse_args()
    os.environ.setdefault("ENTITYRES_CACHE_DIR", tempfile.mkdtemp())
    sections = ("fuzz", "cache", "limits", "cluster", "rss") if args.section == "all" else (args.section,)
    for section in sections:
        if section == "fuzz":
            result = fuzz(args.calls, args.seconds, args.seed)
        elif section == "cache":
            result = cache_check()
        elif section == "limits":
            result = limits()
        elif section == "cluster":
            result = clustering()
        else:
            result = rss(args.docs)
        print(json.dumps({section: result}, ensure_ascii=False, indent=1), flush=True)


if __name__ == "__main__":
    main()
