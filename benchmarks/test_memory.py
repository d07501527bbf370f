"""Memory per job at MAX_JOBS jobs (1,000,000 by default), transcript on and off.

Each figure comes from a fresh subprocess (``measure_memory.py``), so nothing else
of the session is counted. The benchmark's time is the whole subprocess run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from workloads import MAX_JOBS

SCRIPT = Path(__file__).with_name("measure_memory.py")


@pytest.mark.parametrize("method", ["tracemalloc", "rss"])
@pytest.mark.parametrize("transcript", ["off", "on"])
def test_memory_per_job(benchmark, report, transcript, method):
    out: dict[str, object] = {}

    def run() -> None:
        proc = subprocess.run(
            [
                sys.executable,
                str(SCRIPT),
                str(MAX_JOBS),
                "--transcript",
                transcript,
                "--method",
                method,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        out.update(json.loads(proc.stdout))

    benchmark.pedantic(run, rounds=1, iterations=1)
    per_job = float(out["bytes_per_job"])  # type: ignore[arg-type]
    benchmark.extra_info.update(out)
    report(
        f"memory/job at {MAX_JOBS:,}, transcript {transcript} ({method})",
        per_job,
        "B",
        "<= 1024 B",
        per_job <= 1024,
    )
