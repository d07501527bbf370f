"""Benchmarks of jobsim (issue 6). Run them explicitly; the default ``pytest`` run
only collects ``tests/``:

    .venv/bin/pytest benchmarks -n 0 --no-cov --benchmark-only

No benchmark ever fails on speed: each records its figure next to its target, and
the table is printed at the end of the run (``jobsim targets`` section).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `import workloads` from the tests

from workloads import FIGURES, Figure


@pytest.fixture
def report() -> Callable[..., None]:
    """``report(name, value, unit, target, met)``: add a line to the final table."""

    def add(name: str, value: float, unit: str, target: str, met: bool | None = None) -> None:
        FIGURES.append(Figure(name, value, unit, target, met))

    return add


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    tr = terminalreporter
    tr.section("jobsim targets")
    width = max(len(f.name) for f in FIGURES)
    for f in FIGURES:
        mark = {True: "met", False: "NOT MET", None: ""}[f.met]
        tr.write_line(
            f"{f.name:<{width}}  {f.value:>12,.3f} {f.unit:<8} target {f.target:<22} {mark}"
        )


@pytest.fixture(scope="session")
def batches() -> Iterator[Callable[[int], tuple[Any, list[str]]]]:
    """``batches(n)``: a simulator (transcript off) holding one batch of ``n`` jobs, built
    once per session, and the job ids oldest first."""
    import workloads

    built: dict[int, tuple[Any, list[str]]] = {}

    def get(n: int) -> tuple[Any, list[str]]:
        if n not in built:
            sim = workloads.new_sim(record=False)
            built[n] = (sim, workloads.fill_batch(sim, n))
        return built[n]

    yield get
    built.clear()
