"""Single calls through ``Simulator.call``, input checked, transcript on (the default)."""

from __future__ import annotations

import itertools

import pytest
import workloads
from workloads import median_of

from jobsim import Simulator


def test_construction(benchmark, report):
    benchmark(Simulator)
    if (m := median_of(benchmark)) is not None:
        report("Simulator() construction", m * 1e3, "ms", "<= 1 ms", m <= 1e-3)


@pytest.mark.parametrize("record", [True, False], ids=["transcript", "no-transcript"])
def test_create_job(benchmark, report, record):
    sim = workloads.new_sim(record=record)
    args = workloads.create_args(workloads.BATCH_ID)
    benchmark(sim.call, "create_job", args)
    if (m := median_of(benchmark)) is not None:
        report(
            f"create_job ({benchmark.name.split('[')[1][:-1]})",
            m * 1e6,
            "us",
            "<= 20 us",
            m <= 20e-6,
        )


@pytest.mark.parametrize("record", [True, False], ids=["transcript", "no-transcript"])
def test_cancel_job(benchmark, report, record):
    sim = workloads.new_sim(record=record)
    counter = itertools.count()
    ids = workloads.fill_batch(sim, 1000)

    def setup():
        # a fresh submitted job for every round (cancel is one-shot)
        i = next(counter)
        job_id = ids[i] if i < len(ids) else sim.call("create_job", workloads.create_args())["id"]
        return ("cancel_job", {"project_reference": workloads.PROJECT, "job_id": job_id}), {}

    benchmark.pedantic(sim.call, setup=setup, rounds=20_000, warmup_rounds=100)
    if (m := median_of(benchmark)) is not None:
        report(
            f"cancel_job ({benchmark.name.split('[')[1][:-1]})",
            m * 1e6,
            "us",
            "<= 15 us",
            m <= 15e-6,
        )


@pytest.mark.parametrize("record", [True, False], ids=["transcript", "no-transcript"])
def test_get_job(benchmark, report, record):
    sim = workloads.new_sim(record=record)
    ids = workloads.fill_batch(sim, 1000)
    args = {"project_reference": workloads.PROJECT, "job_id": ids[500]}
    benchmark(sim.call, "get_job", args)
    if (m := median_of(benchmark)) is not None:
        report(
            f"get_job ({benchmark.name.split('[')[1][:-1]})", m * 1e6, "us", "<= 10 us", m <= 10e-6
        )
