"""Run every fuzz target under atheris for a bounded time: ``python tests/fuzz/run.py SECONDS``.

Each target gets SECONDS / 6, starting from its seed corpus (tests/fuzz/corpus). Without atheris
(it has no wheel for some Pythons) the same targets run on hypothesis-generated text instead.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import targets  # noqa: E402


def _one(name: str, seconds: int) -> None:
    import atheris

    target = targets.TARGETS[name]

    def test_one_input(data: bytes) -> None:
        target(data.decode("utf-8", "replace"), len(data))  # corpus files are the texts themselves

    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"entityres-fuzz-{name}"
    work.mkdir(exist_ok=True)
    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", "-rss_limit_mb=4096", "-timeout=30",
                   str(work), str(HERE / "corpus")], test_one_input)
    atheris.Fuzz()


def main(seconds: int) -> int:
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: the hypothesis properties (tests/test_fuzz_properties.py) cover the targets")
        return 0
    each = max(1, seconds // len(targets.TARGETS))
    failed = []
    for name in targets.TARGETS:
        proc = multiprocessing.get_context("spawn").Process(target=_one, args=(name, each))
        proc.start()
        proc.join()
        print(f"fuzz {name}: {each} s, exit {proc.exitcode}", flush=True)
        if proc.exitcode != 0:
            failed.append(name)
    if failed:
        print(f"fuzz targets that crashed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60))
