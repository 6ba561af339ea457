"""Run every fuzz target under atheris, coverage-guided: ``python tests/fuzz/run.py SECONDS``.

Each target runs in its own process for SECONDS / (number of targets), starting from the seed
corpus (tests/fuzz/corpus), with entityres instrumented (``atheris.instrument_imports``) so that
new branches steer the inputs; the first crash or broken invariant stops it with its input saved.
:func:`fuzz` is also the bulk run of benchmarks/reliability.py, which keeps going past a failure
to count them all. Without atheris (it has no wheel for some Pythons) the hypothesis properties
(tests/test_fuzz_properties.py) cover the same targets.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def names() -> list[str]:
    """The targets' names. Imported here, never at the top: a spawned fuzzing process imports this
    module again, and must import entityres under instrumentation first."""
    sys.path.insert(0, str(HERE))
    import targets

    return list(targets.TARGETS)


def _target(name: str):
    """The target ``name`` with entityres imported under atheris' instrumentation."""
    import atheris

    sys.path.insert(0, str(HERE))
    with atheris.instrument_imports(include=["entityres"]):
        import entityres  # noqa: F401 - instrumented here, with every submodule it imports
        import entityres.gazetteer.loader  # noqa: F401
        import targets
    target = targets.TARGETS[name]
    if name in targets.BYTES:
        return target
    return lambda data, n: target(data.decode("utf-8", "replace"), n)  # corpus files are the texts themselves


def _one(name: str, flags: list[str], report: str | None) -> None:
    """Fuzz ``name`` in this process. With ``report`` (a JSON lines file), failures are written
    there and fuzzing goes on; without, the first one raises and stops the run."""
    import atheris

    target = _target(name)
    calls = [0]
    log = open(report, "a", encoding="utf-8") if report else None  # noqa: SIM115 - open for the whole run

    def test_one_input(data: bytes) -> None:
        calls[0] += 1
        if log is None:
            target(data, len(data))
            return
        try:
            target(data, len(data))
        except AssertionError as err:
            log.write(json.dumps({"target": name, "kind": "invariant", "input": data.hex(), "error": str(err)[:300]}) + "\n")
        except Exception as err:  # noqa: BLE001 - a crash is what is counted
            log.write(json.dumps({"target": name, "kind": "crash", "input": data.hex(),
                                  "error": f"{type(err).__name__}: {err}"[:300]}) + "\n")
        if calls[0] % 1000 == 0:
            log.write(json.dumps({"target": name, "kind": "calls", "calls": calls[0]}) + "\n")
            log.flush()

    # Load the gazetteer, index and tagger before the clock: libFuzzer's per-input timeout is for one call.
    target(sorted(CORPUS.glob("*.txt"))[0].read_bytes(), 0)
    work = Path(tempfile.mkdtemp(prefix=f"entityres-fuzz-{name}-"))  # new corpus entries: never into the repo
    atheris.Setup([sys.argv[0], "-rss_limit_mb=4096", "-timeout=30", *flags, str(work), str(CORPUS)], test_one_input)
    atheris.Fuzz()


def fuzz(name: str, flags: list[str], report: str | None = None) -> tuple[int, int | None]:
    """Fuzz ``name`` in a fresh process with libFuzzer ``flags``: (exit code, runs libFuzzer counted)."""
    context = multiprocessing.get_context("spawn")
    err = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # libFuzzer writes to fd 2
    proc = context.Process(target=_redirected, args=(name, flags, report, err.name))
    proc.start()
    proc.join()
    text = Path(err.name).read_text(errors="replace")
    os.unlink(err.name)
    done = re.findall(r"Done (\d+) runs", text)
    if proc.exitcode != 0 and report is None:
        sys.stderr.write(text[-4000:])
    return proc.exitcode, int(done[-1]) if done else None


def _redirected(name: str, flags: list[str], report: str | None, stderr: str) -> None:
    fd = os.open(stderr, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 2)
    _one(name, flags, report)


def main(seconds: int) -> int:
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: the hypothesis properties (tests/test_fuzz_properties.py) cover the targets")
        return 0
    each = max(1, seconds // len(names()))
    failed = []
    for name in names():
        code, runs = fuzz(name, [f"-max_total_time={each}"])
        print(f"fuzz {name}: {each} s, {runs if runs is not None else '?'} runs, exit {code}", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"fuzz targets that crashed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60))
