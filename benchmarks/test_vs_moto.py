"""The same workload on jobsim and on moto + boto3: submit 1,000 jobs, cancel 100,
list them all. Skipped when moto is not installed (``pip install -e '.[bench]'``).

moto runs AWS Batch in process (``mock_aws``, ``batch.use_docker = False``):
create a compute environment, a job queue and a job definition, then
``submit_job`` x1000, ``cancel_job`` + ``terminate_job`` x100, and ``list_jobs``
over every status, paginated. jobsim makes the same run through ``Simulator.call``
(a fresh simulator each time, transcript on).
"""

from __future__ import annotations

import statistics

import pytest
import workloads
from workloads import median_of

MOTO_RUNS = 3


def test_jobsim_vs_moto(benchmark, report, capsys):
    pytest.importorskip("moto")
    pytest.importorskip("boto3")
    listed = benchmark.pedantic(workloads.jobsim_workload, rounds=15, warmup_rounds=1)
    assert listed == workloads.SUBMIT
    jobsim_s = median_of(benchmark)
    if jobsim_s is None:
        return
    runs = []
    for _ in range(MOTO_RUNS):
        seconds, moto_listed = workloads.timed(workloads.moto_workload)
        assert moto_listed == workloads.SUBMIT
        runs.append(seconds)
    moto_s = statistics.median(runs)
    ratio = moto_s / jobsim_s
    benchmark.extra_info.update({"moto_seconds": moto_s, "ratio": ratio})
    with capsys.disabled():
        print(
            f"\njobsim {jobsim_s * 1e3:.1f} ms, moto + boto3 {moto_s * 1e3:.0f} ms: "
            f"jobsim is {ratio:.0f}x faster"
        )
    report("jobsim vs moto (same workload)", ratio, "x faster", ">= 50x", ratio >= 50)
