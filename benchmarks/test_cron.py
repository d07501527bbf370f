"""Advancing one simulated day with an every-minute cron whose jobs run 30 s and finish."""

from __future__ import annotations

import workloads
from workloads import median_of

from jobsim.cron import _next_fire


def test_cron_day(benchmark, report):
    def setup():
        _next_fire.cache_clear()  # fire times are memoised across simulators: measure cold
        return (workloads.cron_day_sim(),), {}

    benchmark.pedantic(workloads.advance_day, setup=setup, rounds=7, warmup_rounds=1)
    sim = workloads.cron_day_sim()
    workloads.advance_day(sim)
    page = sim.call(
        "list_jobs", {"project_reference": workloads.PROJECT, "status": "completed", "limit": 1}
    )
    assert page["data"], "the cron's jobs must finish"
    if (m := median_of(benchmark)) is not None:
        report("one simulated day, every-minute cron", m, "s", "<= 1 s", m <= 1.0)
