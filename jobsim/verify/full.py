"""Full-mode checks: the lifecycle, driven with the ``sim_*`` control tools.

They create jobs and cron jobs in the ``--project`` and move the virtual clock, so
they run against simulators only (jobsim, or another fake); an endpoint without the
control tools skips them, saying so.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from cronsim import CronSim

from jobsim.verify.contract import batch_problems, job_record_problems, schema_problems
from jobsim.verify.suite import Context, Fail, Skip, check

__all__: list[str] = []

_MANUAL = "jobsim-verify:manual"  # no behaviour: moved by sim_start_job / sim_finish_job
_RETRY = "jobsim-verify:retry"  # attempts exit 1, 1, then 0, one second each
_FAIL = "jobsim-verify:fail"  # every attempt exits 1 after a second

_TARGETS: dict[str, dict[str, Any]] = {
    _MANUAL: {},
    _RETRY: {"behavior": {"run_seconds": 1, "exit_codes": [1, 1, 0]}},
    _FAIL: {"behavior": {"run_seconds": 1, "exit_codes": [1]}},
}


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def _ready(ctx: Context, *tools: str) -> None:
    """Skip unless the endpoint is a simulator with ``tools``; define verify's targets."""
    if not any(name.startswith("sim_") for name in ctx.tools):
        raise Skip("the endpoint has no sim_* control tools (it is no simulator)")
    ctx.require("sim_define_target", "sim_advance_clock", "create_job", *tools)

    async def define() -> bool:
        for name, extra in _TARGETS.items():
            await ctx.ok("sim_define_target", {"name": name, **extra})
        return True

    await ctx.once("targets", define)


async def _now(ctx: Context) -> datetime:
    return _at((await ctx.ok("sim_advance_clock", {"seconds": 0}))["now"])


async def _advance(ctx: Context, seconds: float) -> None:
    await ctx.ok("sim_advance_clock", {"seconds": seconds})


async def _create(ctx: Context, target: str = _MANUAL, **extra: Any) -> dict[str, Any]:
    args = {"project_reference": ctx.project, "name": "verify", "target": target, **extra}
    job: dict[str, Any] = await ctx.ok("create_job", args)
    return job


async def _get(ctx: Context, job_id: str) -> dict[str, Any]:
    """The job's record now (``get_job``, or else its place in ``list_jobs``)."""
    if "get_job" in ctx.tools:
        found: dict[str, Any] = await ctx.ok(
            "get_job", {"project_reference": ctx.project, "job_id": job_id}
        )
        return found
    pages = await ctx.walk("list_jobs", {"project_reference": ctx.project}, 100)
    for page in pages:
        for item in page["data"]:
            if item["id"] == job_id:
                return dict(item)
    raise Fail(f"job {job_id} is not listed")


async def _drive(ctx: Context, job_id: str, tool: str, **extra: Any) -> dict[str, Any]:
    args = {"project_reference": ctx.project, "job_id": job_id, **extra}
    out: dict[str, Any] = await ctx.ok(tool, args)
    return out


def _expect(record: dict[str, Any], what: str, **fields: Any) -> None:
    problems = job_record_problems(record)
    wrong = {k: record.get(k) for k, v in fields.items() if record.get(k) != v}
    if problems or wrong:
        said = "; ".join(
            [*problems, *(f"{k} is {v!r}, not {fields[k]!r}" for k, v in wrong.items())]
        )
        raise Fail(f"{what}: {said}", record)


async def _cancel_ok(ctx: Context, job: dict[str, Any], what: str) -> None:
    out = await _drive(ctx, job["id"], "cancel_job")
    problems = schema_problems("cancel_job", out)
    if problems:
        raise Fail(f"cancel_job output: {'; '.join(problems[:4])}", out)
    _expect(out, what, status="canceled", exit_code=None, failed_reason=None)
    if out["completed_at"] is None:
        raise Fail(f"{what}: completed_at is not set", out)


@check("full", "cancel_submitted", "cancel_job of a submitted job returns it canceled")
async def _cancel_submitted(ctx: Context) -> str | None:
    await _ready(ctx, "cancel_job")
    await _cancel_ok(ctx, await _create(ctx), "a canceled submitted job")
    return None


@check("full", "cancel_working", "cancel_job of a working job returns it canceled")
async def _cancel_working(ctx: Context) -> str | None:
    await _ready(ctx, "cancel_job", "sim_start_job")
    job = await _create(ctx)
    await _drive(ctx, job["id"], "sim_start_job")
    await _cancel_ok(ctx, job, "a canceled working job")
    return None


@check("full", "cancel_finished", "cancel_job of a completed job is conflict and changes nothing")
async def _cancel_finished(ctx: Context) -> str | None:
    await _ready(ctx, "cancel_job", "sim_start_job", "sim_finish_job")
    job = await _create(ctx)
    await _drive(ctx, job["id"], "sim_start_job")
    done = await _drive(ctx, job["id"], "sim_finish_job", exit_code=0)
    _expect(done, "a job finished with exit code 0", status="completed", exit_code=0)
    args = {"project_reference": ctx.project, "job_id": job["id"]}
    await ctx.refused("cancel_job", args, "conflict")
    after = await _get(ctx, job["id"])
    if after != done:
        raise Fail(f"job {job['id']} changed although its cancel was refused", done, after)
    return None


@check("full", "retry_backoff", "failed attempts retry after 10 s, then 20 s (the backoff rule)")
async def _retry_backoff(ctx: Context) -> str | None:
    await _ready(ctx)
    job = await _create(ctx, _RETRY, backoff_limit=3)
    start = await _now(ctx)  # an advance, even of 0, starts a scripted job
    # attempts: [0, 1) exits 1; 10 s backoff; [11, 12) exits 1; 20 s; [32, 33) exits 0
    await _advance(ctx, 32.999)
    record = await _get(ctx, job["id"])
    _expect(record, "before the third attempt ends", status="working", started_at=_stamp(start))
    await _advance(ctx, 0.001)
    record = await _get(ctx, job["id"])
    end = _stamp(start + timedelta(seconds=33))
    _expect(record, "after three attempts", status="completed", exit_code=0, completed_at=end)
    return None


@check("full", "backoff_limit", "a job fails BackoffLimitExceeded once its attempts are used up")
async def _backoff_limit(ctx: Context) -> str | None:
    await _ready(ctx)
    job = await _create(ctx, _FAIL, backoff_limit=1)
    start = await _now(ctx)
    await _advance(ctx, 11.999)  # second attempt: [11, 12)
    _expect(await _get(ctx, job["id"]), "during the last attempt", status="working")
    await _advance(ctx, 0.001)
    _expect(
        await _get(ctx, job["id"]),
        "after the last attempt",
        status="failed",
        failed_reason="BackoffLimitExceeded",
        exit_code=1,
        completed_at=_stamp(start + timedelta(seconds=12)),
    )
    return None


@check("full", "deadline", "a working job fails DeadlineExceeded at started_at + timeout_seconds")
async def _deadline(ctx: Context) -> str | None:
    await _ready(ctx, "sim_start_job")
    job = await _create(ctx, timeout_seconds=5)
    started = await _drive(ctx, job["id"], "sim_start_job")
    await _advance(ctx, 4.999)
    _expect(await _get(ctx, job["id"]), "just before the deadline", status="working")
    await _advance(ctx, 0.001)
    _expect(
        await _get(ctx, job["id"]),
        "at the deadline",
        status="failed",
        failed_reason="DeadlineExceeded",
        exit_code=None,
        completed_at=_stamp(_at(started["started_at"]) + timedelta(seconds=5)),
    )
    return None


def _batch_of(job_id: str) -> str:
    """A fresh batch id, drawn from the id of a job the endpoint just made (so unique)."""
    digest = hashlib.blake2b(f"jobsim-verify batch {job_id}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


@check("full", "batch_counts", "a batch's counts follow each create, start, cancel and finish")
async def _batch_counts(ctx: Context) -> str | None:
    await _ready(ctx, "get_job_batch", "list_job_batch_jobs", "sim_start_job", "sim_finish_job")
    batch = _batch_of((await _create(ctx))["id"])
    jobs = [await _create(ctx, batch_id=batch) for _ in range(3)]
    await _agree(ctx, batch, "after three creates", submitted=3)
    await _drive(ctx, jobs[0]["id"], "sim_start_job")
    await _agree(ctx, batch, "after a start", submitted=2, working=1)
    await _drive(ctx, jobs[1]["id"], "cancel_job")
    await _agree(ctx, batch, "after a cancel", submitted=1, working=1, canceled=1)
    await _drive(ctx, jobs[0]["id"], "sim_finish_job", exit_code=0)
    await _agree(ctx, batch, "after a finish", submitted=1, completed=1, canceled=1)
    return None


async def _agree(ctx: Context, batch: str, when: str, **counts: int) -> None:
    args = {"project_reference": ctx.project, "batch_id": batch}
    summary = await ctx.ok("get_job_batch", args)
    pages = await ctx.walk("list_job_batch_jobs", args, 100)
    jobs = [job for page in pages for job in page["data"]]
    problems = batch_problems(summary, jobs)
    expected = {s: counts.get(s, 0) for s in summary.get("status_counts", {})}
    if summary.get("status_counts") != expected:
        problems.append(f"status_counts are {summary.get('status_counts')}, not {expected}")
    if problems:
        raise Fail(f"batch {batch} {when}: {'; '.join(problems)}", summary)


@check("full", "cron_fire_times", "a cron job creates one job at each fire time of its schedule")
async def _cron_fire_times(ctx: Context) -> str | None:
    await _ready(ctx, "create_cron_job", "list_jobs", "list_cron_jobs", "delete_cron_job")
    start = await _now(ctx)
    schedule = "*/5 * * * *"
    cron = await ctx.ok(
        "create_cron_job",
        {
            "project_reference": ctx.project,
            "name": "verify",
            "target": _MANUAL,
            "schedule": schedule,
            "concurrency_policy": "Allow",
        },
    )
    try:
        await _advance(ctx, 660)
        expected = _fire_times(schedule, start, 660)
        args = {"project_reference": ctx.project, "cron_job_id": cron["id"], "limit": 100}
        page = await ctx.ok("list_jobs", args)
        made = sorted(job["created_at"] for job in page["data"])
        if made != expected:
            raise Fail(
                f"cron {schedule!r} from {_stamp(start)} made jobs at {made}, not {expected}", page
            )
        listed = await ctx.ok("list_cron_jobs", {"project_reference": ctx.project, "limit": 100})
        record = next((c for c in listed["data"] if c["id"] == cron["id"]), None)
        if record is None or record["last_scheduled_at"] != expected[-1]:
            raise Fail(f"last_scheduled_at is not {expected[-1]}", record)
    finally:
        await ctx.call(
            "delete_cron_job", {"project_reference": ctx.project, "cron_job_id": cron["id"]}
        )
    return f"{len(expected)} fires"


def _fire_times(schedule: str, start: datetime, seconds: float) -> list[str]:
    end = start + timedelta(seconds=seconds)
    times: list[str] = []
    for moment in CronSim(schedule, start):
        if moment > end:
            return times
        times.append(_stamp(moment))
    return times  # pragma: no cover - a schedule with an end


@check("full", "new_job_first", "a new job is the first item of list_jobs, valid and submitted")
async def _new_job_first(ctx: Context) -> str | None:
    await _ready(ctx, "list_jobs")
    job = await _create(ctx)
    _expect(job, "a new job", status="submitted", started_at=None)
    page = await ctx.ok("list_jobs", {"project_reference": ctx.project, "limit": 1})
    if [item["id"] for item in page["data"]] != [job["id"]]:
        raise Fail(f"list_jobs does not start with the new job {job['id']}", page)
    return None


@check("full", "walk_under_churn", "paging while jobs are created never repeats or shows new jobs")
async def _walk_under_churn(ctx: Context) -> str | None:
    await _ready(ctx, "list_jobs")
    before = [(await _create(ctx))["id"] for _ in range(6)]
    args: dict[str, Any] = {"project_reference": ctx.project, "limit": 2}
    seen: list[str] = []
    made: list[str] = []
    for _ in range(3):
        page = await ctx.ok("list_jobs", args)
        seen += [item["id"] for item in page["data"]]
        made.append((await _create(ctx))["id"])
        if page["page_info"]["next"] is None:
            break
        args["cursor"] = page["page_info"]["next"]
    problems = []
    if len(set(seen)) != len(seen):
        problems.append("an item came twice")
    if set(made) & set(seen):
        problems.append("a job created after the first page was listed")
    if seen != before[::-1]:
        problems.append(f"saw {seen}, not the six jobs made before, newest first")
    if problems:
        raise Fail("; ".join(problems), seen)
    return None
