"""A peer library run in a Python of its own (nomenklatura is no dependency of entityres)."""
from __future__ import annotations

import json
import subprocess
import sys


def run_json(script: str, payload: object, python: str | None, what: str, timeout: float):
    """``script`` run by ``python`` (default: this one) with ``payload`` as JSON on stdin, the last
    line of its stdout read as JSON; None, with the reason printed, when it cannot run."""
    try:
        done = subprocess.run([python or sys.executable, "-c", script], input=json.dumps(payload),
                              capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as err:
        print(f"{what} not run: {err}")
        return None
    lines = done.stdout.strip().splitlines()  # the result is the last: a library may print before it
    if done.returncode != 0 or not lines:
        print(f"{what} not run: " + (done.stderr.strip().splitlines() or ["no output"])[-1])
        return None
    return json.loads(lines[-1])
