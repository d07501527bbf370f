"""Cron jobs (SPEC section 8): schedules, ticks, concurrency policies, and their tools.

Schedules are evaluated by `cronsim <https://pypi.org/project/cronsim/>`_ in the
cron job's IANA time zone (:mod:`zoneinfo`), with Debian cron's rules for daylight
saving time: a wall-clock time that occurs twice fires once, and one that is
skipped fires at the jump. Each active cron job has exactly one tick queued at a
time; a tick queues the next, so advancing a day costs one event per fire time,
never one per second. A paused cron job has no tick queued: a pause of any length
costs nothing. A schedule is parsed once (:func:`_parsed`), and an advance that
would run more than :data:`MAX_TICKS_PER_ADVANCE` ticks is refused before it starts.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from jobsim.arguments import Whole
from jobsim.clock import format_ms, from_datetime, to_datetime
from jobsim.errors import conflict, invalid
from jobsim.jobs import JOB_RULES, check_config, new_job, placement
from jobsim.lifecycle import (
    CRON_ACTIVE,
    CRON_DELETING,
    FORBID,
    REPLACE,
    SUBMITTED,
    WORKING,
)
from jobsim.pagination import listing, owner_lookup, resolve_cursor
from jobsim.records import CronJob
from jobsim.registry import TOOLS, handler
from jobsim.runtime import cancel
from jobsim.scheduler import Event, advance_check, before_advance, on_event
from jobsim.serialize import copy_json, cron_dict, job_dict
from jobsim.world import World
from jobsim.zones import is_zone, zone

__all__ = [
    "MAX_SCHEDULE_LENGTH",
    "MAX_TICKS_PER_ADVANCE",
    "check_schedule",
    "check_timezone",
    "next_fire",
    "schedule_tick",
]

CRON_TICK = "cron_tick"

#: Longest accepted ``schedule``, in characters. Five fields listing every value
#: (``0,1,...,59 0,1,...,23 ...``) take about 360; parsing stays well under a
#: millisecond at this length (a 1 MB schedule took seconds).
MAX_SCHEDULE_LENGTH = 1000
#: Most cron ticks (fire times of active cron jobs, fired or skipped) one advance
#: may run: two weeks of an every-minute cron job, two years of an hourly one. Each
#: tick creates at most one job, and a job's own events are bounded by its
#: ``backoff_limit``, so this bounds the work and memory of any one
#: ``sim_advance_clock`` (about a second at most on a slow machine, refusal included).
MAX_TICKS_PER_ADVANCE = 20_000


def check_timezone(name: str, field: str = "timezone") -> ZoneInfo:
    if not is_zone(name):  # tzdata's names only: not the host's ``localtime``, not a path
        raise invalid(
            field, f"{name!r} is not a known IANA time zone; expected e.g. 'UTC' or 'Europe/Berlin'"
        )
    return zone(name)


def check_schedule(expr: str, zone: ZoneInfo, field: str = "schedule") -> None:
    """A five-field cron expression of at most :data:`MAX_SCHEDULE_LENGTH` characters
    that cronsim accepts and that can fire at all."""
    if len(expr) > MAX_SCHEDULE_LENGTH:
        raise invalid(
            field,
            f"is {len(expr):,} characters long; expected at most {MAX_SCHEDULE_LENGTH:,} "
            "(five fields: minute hour day-of-month month day-of-week, e.g. '*/5 * * * *')",
            length=len(expr),
        )
    why = _schedule_error(expr, zone)
    if why is not None:
        raise invalid(
            field,
            f"{expr!r} is not a cron expression that can fire ({why}); "
            "expected five fields: minute hour day-of-month month day-of-week, e.g. '*/5 * * * *'",
            value=expr,
        )


@lru_cache(maxsize=1024)
def _schedule_error(expr: str, zone: ZoneInfo) -> str | None:
    """Why cronsim refuses ``expr`` in ``zone`` (or finds no fire time), or ``None``.
    Cached: every create and schedule update checks its schedule, mostly a few
    schedules again and again, and parsing one costs more than the rest of the call."""
    try:
        next(CronSim(expr, datetime(2000, 1, 1, tzinfo=zone)))
    except (CronSimError, StopIteration, ValueError) as e:
        return str(e)
    return None


_CLOSEST_FIRES_MS = 30_000  # a lower bound on the gap between two fire times of one cron


@lru_cache(maxsize=1024)
def _parsed(schedule: str, timezone: str) -> CronSim:
    """A parsed schedule, never iterated itself: :func:`_iterate` copies it."""
    return CronSim(schedule, datetime(2000, 1, 1, tzinfo=zone(timezone)))


def _iterate(schedule: str, timezone: str, local: datetime) -> CronSim:
    """``CronSim(schedule, local)`` without parsing the schedule again.

    ``local`` is in ``timezone``. The copy shares the parsed fields (cronsim only
    reads them) and starts at ``local`` exactly as ``CronSim.__init__`` would
    start a forward iteration: microseconds dropped, and the wall clock made naive
    when cronsim applies Debian's DST rules to this schedule (``fixup_tz``).
    """
    parsed = _parsed(schedule, timezone)
    sim = object.__new__(type(parsed))  # a shallow copy, without copy.copy's overhead
    sim.__dict__.update(parsed.__dict__)
    start = local.replace(microsecond=0)
    sim.dt = start if sim.fixup_tz is None else start.replace(tzinfo=None)
    return sim


def next_fire(cron: CronJob, after_ms: int) -> int | None:
    """The first fire time strictly after ``after_ms``, in the cron job's zone; ``None``
    when there is none before the end of the year 9999 (where timestamps end)."""
    return _next_fire(cron.schedule, cron.timezone, after_ms)


# Large enough to hold every fire time of one advance: the tick check computes them
# and the ticks then find them here.
@lru_cache(maxsize=MAX_TICKS_PER_ADVANCE + 1024)
def _next_fire(schedule: str, timezone: str, after_ms: int) -> int | None:
    try:
        local = to_datetime(after_ms).astimezone(zone(timezone))
        for fire in _iterate(schedule, timezone, local):
            # cronsim works on the naive wall clock for fixed-time schedules and returns
            # the first occurrence of a repeated time, which can be before ``after_ms``
            # when that lies in the second pass of a DST fall-back hour: skip it.
            ms = from_datetime(fire)
            if ms > after_ms:
                return ms
    except OverflowError:  # the schedule's next time is past datetime.max
        return None
    raise AssertionError("unreachable: check_schedule refuses schedules that never fire")


def schedule_tick(world: World, cron: CronJob) -> None:
    """Queue the active cron job's next tick (a paused or deleting one has none)."""
    if cron.status != CRON_ACTIVE:
        return
    due = next_fire(cron, cron.anchor_ms)
    if due is not None:
        world.queue.push(due, CRON_TICK, cron.id, cron.epoch)


def _ticks(cron: CronJob, until_ms: int) -> Iterator[int]:
    """The cron job's queued tick and the ones that follow it, in order, up to ``until_ms``."""
    due = next_fire(cron, cron.anchor_ms)
    while due is not None and due <= until_ms:
        yield due
        due = next_fire(cron, due)


@advance_check
def _bound_ticks(world: World, until_ms: int) -> None:
    """Refuse an advance that would run more than :data:`MAX_TICKS_PER_ADVANCE` ticks."""
    active = sum(p.crons.count(CRON_ACTIVE) for p in world.projects.values())
    # Fire times of a five-field schedule are whole minutes apart (30 s leaves room
    # for a historical zone offset with seconds): when even that many ticks fit,
    # there is nothing to count.
    if active * ((until_ms - world.now) // _CLOSEST_FIRES_MS + 2) <= MAX_TICKS_PER_ADVANCE:
        return
    crons = (c for c in world.crons.values() if c.status == CRON_ACTIVE)
    merged = heapq.merge(*(_ticks(c, until_ms) for c in crons))
    over = next(islice(merged, MAX_TICKS_PER_ADVANCE, None), None)
    if over is not None:
        room = (over - 1 - world.now) / 1000
        raise invalid(
            "seconds",
            f"advancing to {format_ms(until_ms)} would run more than "
            f"{MAX_TICKS_PER_ADVANCE:,} cron ticks (the most one advance may run); "
            f"advance at most {room} seconds at a time (to {format_ms(over - 1)}), "
            "or pause cron jobs first",
            max_ticks=MAX_TICKS_PER_ADVANCE,
            max_seconds=room,
        )


@on_event(CRON_TICK)
def _on_tick(world: World, event: Event) -> None:
    cron = world.crons.get(event.key)
    if cron is None or cron.epoch != event.epoch:
        return
    cron.anchor_ms = event.due_ms
    if cron.status == CRON_ACTIVE:
        _fire(world, cron)
    schedule_tick(world, cron)


def _fire(world: World, cron: CronJob) -> None:
    project = world.projects[cron.project_id]
    runs = project.job_groups.get(("cron", cron.id))
    active = [] if runs is None else [*runs.keys(SUBMITTED), *runs.keys(WORKING)]
    if active and cron.concurrency_policy == FORBID:
        return  # a skipped tick sets nothing
    if cron.concurrency_policy == REPLACE:
        for seq in sorted(active):
            cancel(world, world.by_seq[seq])  # type: ignore[arg-type]
    _run(world, cron, cron.name)
    cron.last_scheduled_ms = world.now
    cron.updated_ms = world.now


def _run(world: World, cron: CronJob, name: str) -> Any:
    return new_job(
        world,
        world.projects[cron.project_id],
        name=name,
        target=cron.target,
        config=copy_json(cron.config),
        timeout_seconds=cron.timeout_seconds,
        backoff_limit=cron.backoff_limit,
        cron_job_id=cron.id,
        environment_id=cron.environment_id,
        branch_id=cron.branch_id,
    )


def _set_status(world: World, cron: CronJob, status: str) -> None:
    project = world.projects[cron.project_id]
    project.crons.move(cron.seq, cron.status, status)
    if cron.environment_id is not None:
        project.cron_groups[("env", cron.environment_id)].move(cron.seq, cron.status, status)
    cron.status = status


@before_advance
def _forget_deleted(world: World, until_ms: int) -> None:
    """Deleted cron jobs vanish when time next moves on (their ticks are void already)."""
    for cron_id in sorted(world.deleting):
        world.drop_cron(cron_id)
    world.deleting.clear()


@handler("create_cron_job", effect="local", args=JOB_RULES)
def create_cron_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    name, target, zone_name = args["name"], args["target"], args["timezone"]
    zone = check_timezone(zone_name)
    check_schedule(args["schedule"], zone)
    project, config = placement(world, args)
    cron = CronJob(
        id=world.ids.next(),
        seq=world.next_seq(),
        project_id=project.id,
        name=name,
        target=target,
        schedule=args["schedule"],
        timezone=zone_name,
        config=copy_json(config),
        timeout_seconds=args["timeout_seconds"],
        backoff_limit=args["backoff_limit"],
        concurrency_policy=args["concurrency_policy"],
        created_ms=world.now,
        updated_ms=world.now,
        environment_id=args.get("environment_id"),
        branch_id=args.get("branch_id"),
        anchor_ms=world.now,
    )
    world.crons[cron.id] = cron
    world.by_seq[cron.seq] = cron
    world.index_cron(cron)
    schedule_tick(world, cron)
    return cron_dict(cron)


@handler("get_cron_job", effect="read")
def get_cron_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    project = world.project(args["project_reference"])
    return cron_dict(world.cron(project, args["cron_job_id"]))


@handler("list_cron_jobs", effect="read", args={"limit": Whole()})
def list_cron_jobs(world: World, args: dict[str, Any]) -> dict[str, Any]:
    size: int = args["limit"]
    cursor: str | None = args.get("cursor")
    with owner_lookup(cursor):
        project = world.project(args["project_reference"])
    cursor_seq = resolve_cursor(world.crons, cursor, lambda c: c.project_id == project.id)
    env = args.get("environment_id")
    index = project.crons if env is None else project.cron_groups.get(("env", env))
    return listing(
        world.by_seq, index, args.get("status"), cursor, cursor_seq, size, None, cron_dict
    )


#: What update_cron_job sets as given (``config`` is checked against the target first).
_UPDATABLE = (
    "name",
    "timezone",
    "schedule",
    "timeout_seconds",
    "backoff_limit",
    "concurrency_policy",
    "status",
)
#: The zone a schedule is checked in when an update names none: the cron job is only
#: looked up after every argument is checked.
_DEFAULT_ZONE: str = TOOLS["create_cron_job"].defaults["timezone"]


@handler(
    "update_cron_job",
    effect="local",
    args={k: rule for k, rule in JOB_RULES.items() if k != "target"},  # a cron keeps its target
)
def update_cron_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {k: args[k] for k in _UPDATABLE if k in args}
    if "timezone" in args:
        check_timezone(args["timezone"])
    if "schedule" in args:
        check_schedule(args["schedule"], check_timezone(args.get("timezone", _DEFAULT_ZONE)))
    project = world.project(args["project_reference"])
    cron = world.cron(project, args["cron_job_id"])
    if "config" in args:
        changes["config"] = copy_json(
            check_config(world, {"target": cron.target, "config": args["config"]})
        )
    if cron.status == CRON_DELETING:
        raise conflict(
            f"cron job {cron.id} is being deleted; it can no longer be updated", cron_job_id=cron.id
        )
    changed = {k: v for k, v in changes.items() if getattr(cron, k) != v}
    if not changed:
        return cron_dict(cron)
    if "status" in changed:
        _set_status(world, cron, changed["status"])
    for key, value in changed.items():
        if key != "status":
            setattr(cron, key, value)
    cron.updated_ms = world.now
    if changed.keys() & {"schedule", "timezone", "status"}:
        # Void the queued tick (a paused cron job has none): the sequence restarts
        # from now, which is where the ticks a pause skips would have left it.
        cron.epoch += 1
        cron.anchor_ms = world.now
        schedule_tick(world, cron)
    return cron_dict(cron)


def _live_cron(world: World, args: dict[str, Any], verb: str) -> CronJob:
    project = world.project(args["project_reference"])
    cron = world.cron(project, args["cron_job_id"])
    if cron.status == CRON_DELETING:
        raise conflict(
            f"cron job {cron.id} is already being deleted; it cannot be {verb}", cron_job_id=cron.id
        )
    return cron


@handler("delete_cron_job", effect="local")
def delete_cron_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    cron = _live_cron(world, args, "deleted again")
    _set_status(world, cron, CRON_DELETING)
    cron.epoch += 1  # it never fires again
    cron.updated_ms = world.now
    world.deleting.add(cron.id)
    return cron_dict(cron)


@handler("trigger_cron_job", effect="local")
def trigger_cron_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    cron = _live_cron(world, args, "triggered")
    return job_dict(_run(world, cron, f"{cron.name} (manual)"))
