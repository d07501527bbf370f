"""Drawing 10,000 jobs (100 batches; a third retry twice, the rest wait) as a timeline
page: render time from a live simulator and from a snapshot, and the page's size."""

from __future__ import annotations

import json
from typing import Any

import pytest
import workloads
from workloads import median_of

from jobsim import Simulator, timeline

JOBS = 10_000


@pytest.fixture(scope="module")
def big() -> Simulator:
    sim = workloads.new_sim(record=False)
    sim.call(
        "sim_define_target",
        {"name": "flaky", "behavior": {"run_seconds": 5, "exit_codes": [1, 1, 0]}},
    )
    for i in range(JOBS):
        args: dict[str, Any] = workloads.create_args(f"{i // 100:08d}-0000-4000-8000-000000000000")
        if i % 3 == 0:
            args["target"] = "flaky"
        sim.call("create_job", args)
    sim.call("sim_advance_clock", {"seconds": 30})
    return sim


def test_timeline_of_10k_jobs_from_a_simulator(benchmark, report, big):
    page = benchmark.pedantic(timeline.render_html, args=(big,), rounds=3, warmup_rounds=1)
    size = len(page.encode())
    if (m := median_of(benchmark)) is not None:
        report("timeline page, 10k jobs, from a Simulator", m, "s", "< 2 s", m < 2.0)
    report("timeline page size, 10k jobs (500 rows)", size / 1e6, "MB", "a few MB", size < 3e6)


def test_timeline_of_10k_jobs_from_a_snapshot(benchmark, report, big):
    snapshot = json.loads(json.dumps(big.snapshot()))
    benchmark.pedantic(timeline.render_html, args=(snapshot,), rounds=3, warmup_rounds=1)
    if (m := median_of(benchmark)) is not None:
        report("timeline page, 10k jobs, from a snapshot", m, "s", "< 2 s", m < 2.0)


def test_timeline_of_10k_jobs_every_row(benchmark, report, big):
    page = benchmark.pedantic(
        timeline.render_html, args=(big,), kwargs={"max_rows": JOBS + 200}, rounds=1
    )
    report("timeline page size, 10k jobs, every row", len(page.encode()) / 1e6, "MB", "(context)")
