"""Cost bounds of issue 12 item 6: what the worst inputs cost now (each run is short).

- a century's advance with an every-minute cron (``Allow``): refused by the tick cap;
- the same advance with the cron paused: no tick at all;
- a day of an every-minute cron whose schedule is as long as accepted (1,000 chars);
- restoring 200 jobs that share a behaviour of 100,000 exit codes;
- ``sim_define_target`` with the pattern ``^(a+)+$``: refused at once.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import workloads
from workloads import PROJECT, median_of

from jobsim import Simulator, ToolError
from jobsim.cron import MAX_SCHEDULE_LENGTH, _next_fire

CENTURY = 100 * 365 * 86_400


def _cron_sim(schedule: str = "* * * * *", *, paused: bool = False) -> Simulator:
    sim = workloads.new_sim(record=False)
    sim.call("sim_define_target", {"name": "tick", "behavior": {"run_seconds": 30}})
    cron = sim.call(
        "create_cron_job",
        {
            "project_reference": PROJECT,
            "name": "every minute",
            "target": "tick",
            "schedule": schedule,
            "concurrency_policy": "Allow",
        },
    )
    if paused:
        args = {"project_reference": PROJECT, "cron_job_id": cron["id"], "status": "paused"}
        sim.call("update_cron_job", args)
    return sim


def _advance_refused(sim: Simulator) -> None:
    with pytest.raises(ToolError, match="cron ticks"):
        sim.call("sim_advance_clock", {"seconds": CENTURY})


def _cold_cron_sim() -> tuple[tuple[Simulator], dict[str, Any]]:
    _next_fire.cache_clear()  # fire times are memoised across simulators: measure cold
    return (_cron_sim(),), {}


def test_century_of_an_every_minute_cron_is_refused(benchmark, report):
    benchmark.pedantic(_advance_refused, setup=_cold_cron_sim, rounds=3, warmup_rounds=0)
    if (m := median_of(benchmark)) is not None:
        report("100 years, every-minute cron: refusal", m, "s", "<= 1 s", m <= 1.0)


def test_century_of_a_paused_cron(benchmark, report):
    def run(sim: Simulator) -> None:
        sim.call("sim_advance_clock", {"seconds": CENTURY})

    benchmark.pedantic(
        run, setup=lambda: ((_cron_sim(paused=True),), {}), rounds=5, warmup_rounds=0
    )
    if (m := median_of(benchmark)) is not None:
        report("100 years, paused every-minute cron", m * 1e3, "ms", "<= 1 ms", m <= 1e-3)


def _longest_every_minute() -> str:
    minutes = ",".join(["*"] * 300)  # every minute, written long
    return minutes + " " * (MAX_SCHEDULE_LENGTH - len(minutes) - 8) + " * * * *"


def test_day_of_a_longest_schedule(benchmark, report):
    def run(sim: Simulator) -> None:
        sim.call("sim_advance_clock", {"seconds": 86_400})

    def setup() -> tuple[tuple[Simulator], dict[str, Any]]:
        _next_fire.cache_clear()
        return (_cron_sim(_longest_every_minute()),), {}

    benchmark.pedantic(run, setup=setup, rounds=3, warmup_rounds=0)
    if (m := median_of(benchmark)) is not None:
        per_minute = m / 1440
        report(
            "1,000-char schedule: per virtual minute",
            per_minute * 1e3,
            "ms",
            "<= 1 ms",
            per_minute <= 1e-3,
        )


def _shared_behaviour_snapshot() -> dict[str, Any]:
    sim = workloads.new_sim(record=False)
    script = {"run_seconds": 1, "exit_codes": [1] * 10**5}
    sim.call("sim_define_target", {"name": "long", "behavior": script})
    args = {"project_reference": PROJECT, "name": "n", "target": "long"}
    for _ in range(200):
        sim.call("create_job", args)
    value: dict[str, Any] = json.loads(json.dumps(sim.snapshot()))
    return value


def test_restore_of_200_jobs_sharing_a_long_behaviour(benchmark, report):
    snap = _shared_behaviour_snapshot()
    benchmark.pedantic(Simulator.from_snapshot, args=(snap,), rounds=5, warmup_rounds=1)
    size = len(json.dumps(snap)) / 1e6
    report("200 jobs x 1e5 exit codes: snapshot JSON", size, "MB", "", None)
    if (m := median_of(benchmark)) is not None:
        report("200 jobs x 1e5 exit codes: restore", m, "s", "<= 1 s", m <= 1.0)


def test_exponential_pattern_is_refused_at_definition(benchmark, report):
    sim = workloads.new_sim(record=False)
    schema = {"type": "object", "properties": {"x": {"type": "string", "pattern": "^(a+)+$"}}}

    def define() -> None:
        try:
            sim.call("sim_define_target", {"name": "re", "input_schema": schema})
        except ToolError:
            return
        raise AssertionError("^(a+)+$ must be refused")

    benchmark(define)
    if (m := median_of(benchmark)) is not None:
        report("define target with ^(a+)+$: refusal", m * 1e6, "us", "<= 1 ms", m <= 1e-3)
