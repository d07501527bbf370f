"""How jobs progress as virtual time moves (SPEC sections 4 and 9).

Attempts, backoffs and deadlines are events on the world's queue. A scripted job
(its target has a behaviour) starts and ends its attempts by itself; any other job
waits for ``sim_start_job`` / ``sim_finish_job``. Retries and deadlines apply to
all jobs alike, and both control tools take over from a script for that one step.
"""

from __future__ import annotations

import math
from typing import Any

from jobsim import scheduler
from jobsim.arguments import Whole
from jobsim.clock import LAST_MS, format_ms, seconds_to_ms
from jobsim.errors import conflict, invalid
from jobsim.lifecycle import SUBMITTED, WORKING, backoff_ms
from jobsim.records import Job
from jobsim.registry import handler
from jobsim.scheduler import Event, on_event
from jobsim.serialize import job_dict
from jobsim.world import World

__all__ = ["cancel", "schedule_start"]

# event kinds
JOB_START = "job_start"
ATTEMPT_END = "attempt_end"
NEXT_ATTEMPT = "next_attempt"
DEADLINE = "deadline"


def schedule_start(world: World, job: Job) -> None:
    """Queue a scripted job's first attempt. Even with no delay it waits for the next
    ``sim_advance_clock``, so the creating call always returns it ``submitted``."""
    if job.behavior is not None:
        world.queue.push(world.now + job.behavior.start_after_ms, JOB_START, job.id, job.epoch)


def start(world: World, job: Job) -> None:
    """submitted → working: the first attempt starts now, and the deadline is set."""
    job.epoch += 1  # void a queued scripted start, if this one was manual
    world.step(job, "start")
    world.log(job, "info", "job started")
    world.queue.push(world.now + job.timeout_seconds * 1000, DEADLINE, job.id, -1)
    _begin_attempt(world, job)


def _begin_attempt(world: World, job: Job) -> None:
    job.attempt += 1
    job.running = True
    world.log(job, "info", f"attempt {job.attempt} of {job.backoff_limit + 1} started")
    if job.behavior is not None:
        for message in job.behavior.events:
            world.log(job, "info", message)
        world.queue.push(world.now + job.behavior.run_ms, ATTEMPT_END, job.id, job.epoch)


def finish(world: World, job: Job, exit_code: int) -> None:
    """End the running attempt with ``exit_code``: complete, retry after a backoff, or fail."""
    job.running = False
    job.epoch += 1  # void the queued scripted end, if this one was manual
    n = job.attempt
    if exit_code == 0:
        world.log(job, "info", f"attempt {n} exited with code 0")
        world.step(job, "succeed")
        world.log(job, "info", "job completed")
    elif n < job.backoff_limit + 1:
        delay = backoff_ms(n)
        world.step(job, "retry")
        world.log(
            job,
            "warning",
            f"attempt {n} exited with code {exit_code}; retrying in {delay // 1000}s",
        )
        world.queue.push(world.now + delay, NEXT_ATTEMPT, job.id, job.epoch)
    else:
        world.log(job, "warning", f"attempt {n} exited with code {exit_code}")
        world.step(job, "exhaust", exit_code)
        world.log(job, "error", f"job failed: BackoffLimitExceeded after {n} attempts")


def cancel(world: World, job: Job) -> None:
    world.step(job, "cancel")
    world.log(job, "warning", "job canceled")


@on_event(JOB_START)
def _on_job_start(world: World, event: Event) -> None:
    job = world.jobs[event.key]
    if job.epoch == event.epoch and job.status == SUBMITTED:
        start(world, job)


@on_event(ATTEMPT_END)
def _on_attempt_end(world: World, event: Event) -> None:
    job = world.jobs[event.key]
    if job.epoch == event.epoch and job.running and job.behavior is not None:
        finish(world, job, job.behavior.exit_code_of(job.attempt))


@on_event(NEXT_ATTEMPT)
def _on_next_attempt(world: World, event: Event) -> None:
    job = world.jobs[event.key]
    if job.epoch == event.epoch and job.status == WORKING and not job.running:
        world.step(job, "next_attempt")
        _begin_attempt(world, job)


@on_event(DEADLINE)
def _on_deadline(world: World, event: Event) -> None:
    job = world.jobs[event.key]
    if job.status == WORKING:
        world.step(job, "deadline")
        world.log(job, "error", f"job failed: DeadlineExceeded after {job.timeout_seconds}s")


@handler("sim_advance_clock", effect="global")
def sim_advance_clock(world: World, args: dict[str, Any]) -> dict[str, Any]:
    seconds = args["seconds"]
    if seconds < 0:  # pragma: no cover - the schema's minimum refuses it first
        raise invalid("seconds", f"{seconds} is negative; the clock only moves forward")
    room = (LAST_MS - world.now) / 1000  # timestamps end with the year 9999
    if not math.isfinite(seconds) or seconds > room:
        raise invalid("seconds", f"{seconds!r} is out of range; expected a number from 0 to {room}")
    scheduler.advance(world, world.now + seconds_to_ms(seconds))
    return {"now": format_ms(world.now)}


@handler("sim_start_job", effect="local")
def sim_start_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    project = world.project(args["project_reference"])
    job = world.job(project, args["job_id"])
    if job.status != SUBMITTED:
        raise conflict(
            f"job {job.id} is {job.status}; only a submitted job can be started",
            job_id=job.id,
            status=job.status,
        )
    start(world, job)
    return job_dict(job)


@handler("sim_finish_job", effect="local", args={"exit_code": Whole()})
def sim_finish_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    exit_code: int = args["exit_code"]
    project = world.project(args["project_reference"])
    job = world.job(project, args["job_id"])
    if not job.running:
        why = (
            "is in a backoff before its next attempt"
            if job.status == WORKING
            else f"is {job.status}"
        )
        raise conflict(
            f"job {job.id} {why}; only a job with a running attempt can be finished",
            job_id=job.id,
            status=job.status,
        )
    finish(world, job, exit_code)
    return job_dict(job)
