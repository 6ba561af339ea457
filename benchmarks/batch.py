"""Batch benchmark: the CLI on a JSON lines corpus, worker processes, memory, Spark, the HTTP service.

The corpus is made at run time from the seed articles of ../shared/corpus (cycled, each copy with
its own ID); nothing of it is stored in the repository. Targets (issue 12):

* CLI throughput with 1 and 2 workers on a 10,000-document corpus: the second worker adds ≥ 70%;
* first result printed ≤ 1 s after start, with a warm cache;
* peak memory flat as the corpus grows (10,000 → 100,000 documents);
* Spark local[2]: throughput, and IDs identical to the single-machine run;
* the service: requests/s and p50/p99 latency of /match and /resolve under a bounded load
  (8 clients, 30 s each, loopback), with no errors.

    python benchmarks/batch.py [--docs 10000] [--big 100000] [--seconds 30] [--clients 8] [--skip-spark]
    python benchmarks/batch.py --first-only 7    # the first-result time alone: 7 starts, each stopped there

Speed figures on a shared machine are noisy: run it on a quiet one, and read the 2-worker speedup
as a lower bound when other processes compete for the cores.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds.jsonl"
ENTITYRES = [sys.executable, "-m", "entityres"]


def make_corpus(path: Path, n: int) -> None:
    seeds = [json.loads(line) for line in SEEDS.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            s = seeds[i % len(seeds)]
            f.write(json.dumps({"id": f"{i:07d}-{s['id']}", "text": s["text"], "lang": s["lang"]},
                               ensure_ascii=False) + "\n")


def run_cli(args: list[str], out: str = os.devnull) -> tuple[float, float, int]:
    """(wall seconds, seconds to the first output line, peak RSS in MB of the process and its workers)."""
    start = time.perf_counter()
    proc = subprocess.Popen(ENTITYRES + ["resolve", "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = None
    with open(out, "wb") as sink:
        for line in proc.stdout:
            if first is None:
                first = time.perf_counter() - start
            sink.write(line)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"entityres resolve failed: {proc.stderr.read().decode()[-2000:]}")
    return wall, first or wall, usage.ru_maxrss // 1024


def first_result(args: list[str]) -> tuple[float, float]:
    """(wall seconds from the start of ``entityres resolve`` to its first output line, CPU seconds of the
    process by then); the run is stopped there."""
    start = time.perf_counter()
    proc = subprocess.Popen(ENTITYRES + ["resolve", "-q", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline()
    first = time.perf_counter() - start
    proc.kill()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = -9  # reaped here
    if not line:
        raise SystemExit("entityres resolve printed nothing")
    return first, usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_test(base: str, make_request, seconds: float, clients: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        nonlocal errors
        mine, bad = [], 0
        with httpx.Client(base_url=base, timeout=60) as http:
            n = 0
            while time.perf_counter() < stop:
                t = time.perf_counter()
                r = make_request(http, n)
                mine.append(time.perf_counter() - t)
                bad += r.status_code != 200
                n += 1
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "errors": errors,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def bench_service(seconds: float, clients: int) -> None:
    seeds = [json.loads(line) for line in SEEDS.read_text(encoding="utf-8").splitlines() if line.strip()]
    names = ["ترامپ", "پوتین", "مسکو", "زلنسکی", "الرياض", "Trump", "کابل", "بوتين"]
    port = free_port()
    server = subprocess.Popen(ENTITYRES + ["serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(base + "/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        print(f"\n4. The service (uvicorn, one process), {clients} clients x {seconds:.0f} s each endpoint, loopback\n")
        print(f"{'endpoint':<34} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for label, request in (
                ("GET /match (one name)", lambda h, n: h.get("/match", params={"name": names[n % len(names)]})),
                ("POST /resolve (one seed article)",
                 lambda h, n: h.post("/resolve", json={"text": seeds[n % len(seeds)]["text"],
                                                       "lang": seeds[n % len(seeds)]["lang"]}))):
            s = load_test(base, request, seconds, clients)
            print(f"{label:<34} {s['requests']:>8} {s['rps']:>8.1f} {s['p50_ms']:>8.1f} {s['p99_ms']:>8.1f} "
                  f"{s['errors']:>6}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench_spark(corpus: Path, reference: Path) -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print("\n3. Spark: skipped (pyspark not installed: pip install 'entityres[spark]')")
        return
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        print("\n3. Spark: skipped (no Java)")
        return
    from pyspark.sql import SparkSession

    from entityres.integrations.spark import resolve_dataframe

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").appName("entityres-bench").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    try:
        df = spark.read.json(str(corpus)).repartition(4)
        n = df.count()
        t = time.perf_counter()
        mentions, entities = resolve_dataframe(df, lang="lang")
        got = {(r.doc_id, r.start, r.end): r.entity_id for r in mentions.collect()}
        wall = time.perf_counter() - t
        want = {}
        for line in reference.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            for m in r["mentions"]:
                want[(r["id"], m["start"], m["end"])] = m["entity_id"]
        same = got == want
        print(f"\n3. Spark local[2], {n} documents (resolve_dataframe, mapInPandas, merge in Spark)\n")
        print(f"   {wall:.1f} s, {n / wall:.1f} docs/s (including the workers' start); "
              f"mentions {len(got)}; IDs identical to `entityres resolve --merge final`: {same}")
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000, help="the larger corpus of the memory check (0: skip)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--skip-service", action="store_true")
    parser.add_argument("--first-only", type=int, default=0, metavar="RUNS",
                        help="only time the first result (1 worker, warm cache), RUNS starts")
    args = parser.parse_args()
    if not SEEDS.exists():
        raise SystemExit(f"skipped: the seed corpus {SEEDS} is absent (../shared/corpus)")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        make_corpus(corpus, args.docs)
        run_cli([str(SEEDS)])  # warm the on-disk cache
        if args.first_only:
            runs = [first_result([str(corpus)]) for _ in range(args.first_only)]
            wall, cpu = ([r[i] for r in runs] for i in (0, 1))
            print(f"first result, 1 worker, warm cache, {args.first_only} starts: median {statistics.median(wall):.2f} s, "
                  f"best {min(wall):.2f} s; CPU by then: median {statistics.median(cpu):.2f} s "
                  f"(load average {os.getloadavg()[0]:.1f}; target ≤ 1 s)")
            return
        print(f"1. entityres resolve on {args.docs} JSON lines documents (the {SEEDS.parent.name} seeds cycled), "
              f"{os.cpu_count()} cores\n")
        print(f"{'workers':>7} {'seconds':>8} {'docs/s':>8} {'first result s':>15} {'peak RSS MB':>12}")
        rates = {}
        final = Path(tmp) / "final.jsonl"
        for workers in (1, 2):
            wall, first, rss = run_cli([str(corpus), "--workers", str(workers)])
            rates[workers] = args.docs / wall
            print(f"{workers:>7} {wall:>8.1f} {rates[workers]:>8.1f} {first:>15.2f} {rss:>12}")
        gain = rates[2] / rates[1] - 1
        print(f"\n   the second worker adds {100 * gain:.0f}% (target ≥ 70%)")
        print(f"\n2. Memory as the corpus grows (1 worker, --merge stream, and --merge final)\n")
        print(f"{'documents':>9} {'stream MB':>10} {'final MB':>9} {'seconds':>8}")
        for n in [n for n in (args.docs, args.big) if n]:
            path = Path(tmp) / f"c{n}.jsonl"
            make_corpus(path, n)
            wall, _, stream_rss = run_cli([str(path)])
            out = str(final) if n == args.docs else os.devnull
            _, _, final_rss = run_cli([str(path), "--merge", "final"], out=out)
            print(f"{n:>9} {stream_rss:>10} {final_rss:>9} {wall:>8.1f}")
        if not args.skip_spark:
            bench_spark(corpus, final)
        if not args.skip_service:
            bench_service(args.seconds, args.clients)


if __name__ == "__main__":
    main()
