"""Workloads shared by the benchmarks and the plot script (not a test module).

Everything here drives jobsim through ``Simulator.call`` only, so the figures are
what a user of the public API pays. Nothing here asserts on speed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobsim import Simulator

# -- run settings and the table of figures (shared by conftest and the tests) ----------

#: Jobs in the largest batch (page cost, memory). Lower it for a quick run:
#: JOBSIM_BENCH_MAX_JOBS=100000 .venv/bin/pytest benchmarks -n 0 --no-cov --benchmark-only
MAX_JOBS = int(os.environ.get("JOBSIM_BENCH_MAX_JOBS", "1000000"))


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    met: bool | None


FIGURES: list[Figure] = []


def median_of(benchmark: Any) -> float | None:
    """The median (seconds) of the run the ``benchmark`` fixture just made, if it ran."""
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        return None
    return float(stats.stats.median)


PROJECT = "bench"
BATCH_ID = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"


def new_sim(*, record: bool = True) -> Simulator:
    """A simulator with one project, ``bench``."""
    sim = Simulator(seed=0, record=record)
    sim.call("sim_create_project", {"slug": PROJECT})
    return sim


def create_args(batch_id: str | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"project_reference": PROJECT, "name": "render", "target": "img:build"}
    if batch_id is not None:
        args["batch_id"] = batch_id
    return args


def fill_batch(sim: Simulator, n: int, batch_id: str = BATCH_ID) -> list[str]:
    """Create ``n`` jobs in batch ``batch_id`` through ``call``; return their ids, oldest first."""
    call = sim.call
    return [call("create_job", create_args(batch_id))["id"] for _ in range(n)]


def page_args(cursor: str | None, batch_id: str = BATCH_ID) -> dict[str, Any]:
    args: dict[str, Any] = {"project_reference": PROJECT, "batch_id": batch_id, "limit": 100}
    if cursor is not None:
        args["cursor"] = cursor
    return args


#: Cursors a page benchmark cycles through.
POSITIONS = 64


def cursors(ids: list[str]) -> list[str]:
    """64 cursors spread over the batch, each with at least 100 older jobs."""
    lo, hi = 100, len(ids) - 1
    return [ids[lo + (hi - lo) * k // (POSITIONS - 1)] for k in range(POSITIONS)]


def middle_cursor(ids: list[str]) -> str:
    """A cursor half-way down the newest-first listing (both seeks of a page are used)."""
    return ids[len(ids) // 2]


def cron_day_sim() -> Simulator:
    """A simulator with an every-minute cron whose jobs start at once and finish in 30 s."""
    sim = new_sim()
    sim.call(
        "sim_define_target",
        {"name": "tick", "behavior": {"start_after_seconds": 0, "run_seconds": 30}},
    )
    sim.call(
        "create_cron_job",
        {
            "project_reference": PROJECT,
            "name": "every minute",
            "target": "tick",
            "schedule": "* * * * *",
        },
    )
    return sim


def advance_day(sim: Simulator) -> dict[str, Any]:
    return sim.call("sim_advance_clock", {"seconds": 86_400})


# -- the workload compared with moto -------------------------------------------------

SUBMIT, CANCEL = 1000, 100


def jobsim_workload() -> int:
    """Submit 1,000 jobs, cancel 100, list them all (every status), in one fresh run."""
    sim = Simulator(seed=0)
    sim.call("sim_create_project", {"slug": PROJECT})
    ids = [
        sim.call(
            "create_job", {"project_reference": PROJECT, "name": f"job-{i}", "target": "img:build"}
        )["id"]
        for i in range(SUBMIT)
    ]
    for job_id in ids[:CANCEL]:
        sim.call("cancel_job", {"project_reference": PROJECT, "job_id": job_id})
    listed = 0
    cursor = None
    while True:
        args: dict[str, Any] = {"project_reference": PROJECT, "limit": 100}
        if cursor is not None:
            args["cursor"] = cursor
        page = sim.call("list_jobs", args)
        listed += len(page["data"])
        cursor = page["page_info"]["next"]
        if cursor is None:
            return listed


MOTO_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def moto_workload() -> int:
    """The same workload on moto's in-process AWS Batch (no Docker), through boto3."""
    import boto3
    from moto import mock_aws

    with mock_aws(config={"batch": {"use_docker": False}}):
        region = "us-east-1"
        iam = boto3.client("iam", region_name=region)
        batch = boto3.client("batch", region_name=region)
        role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument="{}", Path="/")["Role"][
            "Arn"
        ]
        env = batch.create_compute_environment(
            computeEnvironmentName="bench", type="UNMANAGED", state="ENABLED", serviceRole=role
        )["computeEnvironmentArn"]
        queue = batch.create_job_queue(
            jobQueueName="bench",
            state="ENABLED",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env}],
        )["jobQueueArn"]
        definition = batch.register_job_definition(
            jobDefinitionName="bench",
            type="container",
            containerProperties={
                "image": "busybox",
                "vcpus": 1,
                "memory": 128,
                "command": ["true"],
            },
        )["jobDefinitionArn"]
        ids = [
            batch.submit_job(jobName=f"job-{i}", jobQueue=queue, jobDefinition=definition)["jobId"]
            for i in range(SUBMIT)
        ]
        for job_id in ids[:CANCEL]:
            batch.cancel_job(jobId=job_id, reason="bench")
            batch.terminate_job(jobId=job_id, reason="bench")
        listed = 0
        for status in MOTO_STATUSES:
            token = None
            while True:
                kwargs: dict[str, Any] = {"jobQueue": queue, "jobStatus": status, "maxResults": 100}
                if token:
                    kwargs["nextToken"] = token
                out = batch.list_jobs(**kwargs)
                listed += len(out["jobSummaryList"])
                token = out.get("nextToken")
                if not token:
                    break
        return listed


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value
