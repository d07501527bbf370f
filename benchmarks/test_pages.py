"""``list_job_batch_jobs``, a page of 100 from a batch of 1k .. 1M jobs.

Each round takes the page after a different cursor, spread evenly over the whole
batch (64 positions, each with at least 100 older jobs), so both seeks of a page
(``next`` and ``prev``) are paid and a large batch is not served from a warm
cache. The simulator keeps no transcript while the batch is built; the page calls
are then made with the transcript on (the default) and, at the largest size, off.
"""

from __future__ import annotations

import itertools

import pytest
import workloads
from workloads import MAX_JOBS, POSITIONS, cursors, median_of

SIZES = [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= MAX_JOBS]
ROUNDS = 3_000
MEDIANS: dict[int, float] = {}


def run_pages(benchmark, sim, ids):
    args = itertools.cycle([workloads.page_args(c) for c in cursors(ids)])

    def setup():
        return ("list_job_batch_jobs", next(args)), {}

    return benchmark.pedantic(sim.call, setup=setup, rounds=ROUNDS, warmup_rounds=POSITIONS)


@pytest.mark.parametrize("n", SIZES, ids=[f"{n:_}" for n in SIZES])
def test_page_of_100(benchmark, report, batches, n):
    sim, ids = batches(n)
    sim.record = True  # the page call as a user makes it, transcript on
    try:
        page = run_pages(benchmark, sim, ids)
    finally:
        sim.record = False
        sim._transcript.clear()  # keep the shared simulator small
    assert len(page["data"]) == 100
    if (m := median_of(benchmark)) is not None:
        MEDIANS[n] = m
        report(f"page of 100 at {n:,} jobs", m * 1e6, "us", "<= 300 us", m <= 300e-6)
        small, large = min(SIZES), max(SIZES)
        if n == large and small in MEDIANS and large > small:
            ratio = m / MEDIANS[small]
            report(f"page cost {large:,} / {small:,}", ratio, "x", "<= 1.5x", ratio <= 1.5)


@pytest.mark.parametrize("n", [SIZES[-1]], ids=[f"{SIZES[-1]:_}"])
def test_page_of_100_no_transcript(benchmark, report, batches, n):
    sim, ids = batches(n)
    run_pages(benchmark, sim, ids)
    if (m := median_of(benchmark)) is not None:
        report(
            f"page of 100 at {n:,} jobs (no transcript)", m * 1e6, "us", "<= 300 us", m <= 300e-6
        )
