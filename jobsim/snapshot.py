"""Snapshots: the whole state of a simulator as one JSON-able value, and back.

``dump(world, transcript)`` is what :meth:`Simulator.snapshot` returns;
``load(value)`` builds a new world from it, or raises :class:`SnapshotError`
saying what is wrong — it never hands back a half-restored world. The indexes
(pagination, batch membership) are not stored: they are rebuilt from the records.

A behaviour is stored once, in ``behaviors``, however many jobs and targets share
it (a job keeps its target's behaviour object); they refer to it by position.
Version 1 snapshots, which stored a copy in each job and target, still load.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from jobsim.arguments import finite_json
from jobsim.bounds import MAX_FAULT_TIMES, MAX_SECONDS, json_problem
from jobsim.clock import LAST_MS, from_datetime
from jobsim.cron import CRON_TICK, check_schedule, check_timezone
from jobsim.errors import ERROR_CODES, ToolError
from jobsim.ids import IdSource
from jobsim.lifecycle import (
    CRON_DELETING,
    CRON_STATUSES,
    MAX_BACKOFF,
    POLICIES,
    RULES,
    STATUSES,
    WORKING,
)
from jobsim.records import Batch, Behavior, CronJob, Job, Project, Scoped
from jobsim.registry import TOOLS
from jobsim.runtime import ATTEMPT_END, DEADLINE, JOB_START, NEXT_ATTEMPT
from jobsim.scheduler import EVENT_KINDS, Event
from jobsim.serialize import copy_json
from jobsim.targets import (
    behavior_from_dict,
    behavior_to_dict,
    check_patterns,
    make_target,
    schema_problem,
)
from jobsim.world import World

__all__ = ["FORMAT", "VERSION", "SnapshotError", "dump", "load"]

FORMAT = "jobsim-snapshot"
VERSION = 2
#: Versions :func:`load` reads: 1 stored each behaviour inline, in every job and target.
_READABLE = (1, 2)

#: How many levels a snapshot adds above an argument's value (snapshot, transcript,
#: entry, arguments or result or error, details): with ``MAX_DEPTH`` below them, the
#: deepest a restorable snapshot nests. Each stored value is checked on its own too.
_SNAPSHOT_LEVELS = 6

_BASIC = {"str": str, "int": int, "bool": bool, "dict": dict, "list": list}


def _field_types(cls: type, skip: frozenset[str] = frozenset()) -> dict[str, tuple[type, bool]]:
    """name -> (JSON type, nullable), read off a record class's annotations."""
    out: dict[str, tuple[type, bool]] = {}
    for f in fields(cls):
        if f.name in skip:
            continue
        parts = [p.strip().split("[")[0] for p in str(f.type).split("|")]
        kinds = [_BASIC[p] for p in parts if p in _BASIC]
        out[f.name] = (kinds[0] if len(kinds) == 1 else object, "None" in parts)
    return out


# Runtime fields of a job stored in their own shape rather than as plain values.
_JOB_FIELDS = _field_types(Job, frozenset({"behavior", "log"}))
_CRON_FIELDS = _field_types(CronJob)
_BATCH_FIELDS = _field_types(Batch)


class SnapshotError(ValueError):
    """A snapshot that cannot be restored; the message says where and why."""


def dump(world: World, transcript: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON-able state of ``world`` (a fresh value)."""
    behaviors: list[dict[str, Any]] = []
    positions: dict[int, int] = {}  # id() of a behaviour -> its position in ``behaviors``

    def ref(b: Behavior | None) -> int | None:
        if b is None:
            return None
        at = positions.get(id(b))
        if at is None:
            at = positions[id(b)] = len(behaviors)
            behaviors.append(behavior_to_dict(b))
        return at

    targets = [
        {
            "name": t.name,
            "description": t.description,
            "input_schema": copy_json(t.input_schema),
            "output_schema": copy_json(t.output_schema),
            "behavior": ref(t.behavior),
        }
        for t in world.targets.values()
    ]
    jobs = []
    for job in world.jobs.values():
        item = {name: copy_json(getattr(job, name)) for name in _JOB_FIELDS}
        item["behavior"] = ref(job.behavior)
        item["log"] = [list(entry) for entry in job.log]
        jobs.append(item)
    return {
        "format": FORMAT,
        "version": VERSION,
        "knobs": {"cancel_terminal": world.cancel_terminal, "strict_targets": world.strict_targets},
        "clock_ms": world.now,
        "ids": {"seed": world.ids.seed, "drawn": world.ids.drawn},
        "seq": world.seq,
        "projects": [{"id": p.id, "slug": p.slug} for p in world.projects.values()],
        "environments": [_scoped(s) for s in world.environments.values()],
        "branches": [_scoped(s) for s in world.branches.values()],
        "behaviors": behaviors,
        "targets": targets,
        "jobs": jobs,
        "batches": [
            {name: copy_json(getattr(b, name)) for name in _BATCH_FIELDS}
            for b in world.batches.values()
        ],
        "cron_jobs": [
            {name: copy_json(getattr(c, name)) for name in _CRON_FIELDS}
            for c in world.crons.values()
        ],
        "deleting": sorted(world.deleting),
        "queue": {
            "scheduled": world.queue.scheduled,
            # A dropped cron job's last tick stays queued (a no-op when due): leave it out,
            # or the snapshot would name a record it does not hold.
            "events": [
                list(e)
                for e in world.queue.pending()
                if e.key in world.jobs or e.key in world.crons
            ],
        },
        "faults": {tool: [dict(f) for f in q] for tool, q in world.faults.items()},
        "transcript": copy_json(transcript),
    }


def _scoped(item: Scoped) -> dict[str, Any]:
    return {"id": item.id, "project_id": item.project_id, "name": item.name}


class _Reader:
    """Reads a snapshot, keeping the path of what it reads for error messages."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.left: str | None = None  # the item being read when a loop over items broke off

    @contextmanager
    def at(self, part: str) -> Iterator[None]:
        self.path.append(part)
        try:
            yield
        except SnapshotError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            raise self.fail(f"{type(e).__name__}: {e}") from None  # while the path is known
        finally:
            self.path.pop()

    def fail(self, message: str) -> SnapshotError:
        where = self.left or "".join(self.path) or "snapshot"
        return SnapshotError(f"damaged snapshot at {where}: {message}")

    def get(
        self, obj: Any, key: str, kind: type | tuple[type, ...], *, nullable: bool = False
    ) -> Any:
        if not isinstance(obj, dict):
            raise self.fail(f"expected an object, found {type(obj).__name__}")
        if key not in obj:
            raise self.fail(f"missing key {key!r}")
        value = obj[key]
        if value is None and nullable:
            return None
        kinds = _as_tuple(kind)
        if isinstance(value, bool) and bool not in kinds and object not in kinds:
            raise self.fail(f"{key!r} must be {_names(kind)}, not a boolean")
        if not isinstance(value, kind):
            raise self.fail(f"{key!r} must be {_names(kind)}, not {type(value).__name__}")
        return value

    def items(self, obj: Any, key: str) -> Iterator[tuple[int, Any]]:
        seq = self.get(obj, key, list)
        for i, item in enumerate(seq):
            with self.at(f".{key}[{i}]"):
                try:
                    yield i, item
                except GeneratorExit:
                    # The loop's body raised: this generator closes (and pops its part
                    # of the path) before anyone words the error, so note the place.
                    self.left = self.left or "".join(self.path)
                    raise


def _record(r: _Reader, raw: Any, types: dict[str, tuple[type, bool]]) -> dict[str, Any]:
    return {name: r.get(raw, name, kind, nullable=null) for name, (kind, null) in types.items()}


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _names(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


def load(value: Any) -> tuple[World, list[dict[str, Any]]]:
    """A new world (and transcript) from a snapshot, or :class:`SnapshotError`."""
    r = _Reader()
    if not isinstance(value, dict):
        raise r.fail(f"expected an object, found {type(value).__name__}")
    version = value.get("version")
    if value.get("format") != FORMAT or type(version) is not int or version not in _READABLE:
        raise r.fail(
            f"not a {FORMAT} of version {' or '.join(map(str, _READABLE))} "
            f"(format={value.get('format')!r}, version={value.get('version')!r})"
        )
    bound = json_problem(value, level=1 - _SNAPSHOT_LEVELS)
    if bound is not None:  # before anything that recurses
        raise SnapshotError(f"damaged snapshot at .{bound.path}: {bound.what}")
    try:
        return _load(r, copy_json(value), version)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise r.fail(f"{type(e).__name__}: {e}") from None


def _load(r: _Reader, v: dict[str, Any], version: int) -> tuple[World, list[dict[str, Any]]]:
    knobs = r.get(v, "knobs", dict)
    with r.at(".knobs"):
        cancel_terminal = r.get(knobs, "cancel_terminal", str)
        if cancel_terminal not in ("conflict", "return"):
            raise r.fail(f"cancel_terminal must be 'conflict' or 'return', not {cancel_terminal!r}")
        strict = r.get(knobs, "strict_targets", bool)
    ids = r.get(v, "ids", dict)
    with r.at(".ids"):
        seed, drawn = r.get(ids, "seed", int), r.get(ids, "drawn", int)
    world = World(
        seed=seed,
        start_ms=r.get(v, "clock_ms", int),
        cancel_terminal=cancel_terminal,
        strict_targets=strict,
    )
    world.ids.drawn = drawn
    world.seq = r.get(v, "seq", int)

    for _, p in r.items(v, "projects"):
        project = Project(id=r.get(p, "id", str), slug=r.get(p, "slug", str))
        if project.id in world.projects or project.slug in world.slugs:
            raise r.fail(f"project {project.id!r} / {project.slug!r} appears twice")
        world.projects[project.id] = project
        world.slugs[project.slug] = project
    for key, table in (("environments", world.environments), ("branches", world.branches)):
        for _, s in r.items(v, key):
            item = Scoped(r.get(s, "id", str), r.get(s, "project_id", str), r.get(s, "name", str))
            if item.project_id not in world.projects:
                raise r.fail(f"unknown project {item.project_id!r}")
            table[item.id] = item
    behaviors = _Behaviors(r, v, version)
    for _, t in r.items(v, "targets"):
        target = make_target(
            r.get(t, "name", str),
            r.get(t, "description", str, nullable=True),
            r.get(t, "input_schema", dict, nullable=True),
            r.get(t, "output_schema", dict, nullable=True),
            behaviors.of(t),
        )
        world.targets[target.name] = target

    for _, raw in r.items(v, "jobs"):
        kwargs = _record(r, raw, _JOB_FIELDS)
        job = Job(
            **kwargs,
            behavior=behaviors.of(raw),
            log=[tuple(e) for e in r.get(raw, "log", list)],
        )
        if job.status not in STATUSES:
            raise r.fail(f"unknown status {job.status!r}")
        if job.project_id not in world.projects:
            raise r.fail(f"unknown project {job.project_id!r}")
        if job.id in world.jobs or job.seq in world.by_seq:
            raise r.fail(f"job {job.id!r} (seq {job.seq}) appears twice")
        world.jobs[job.id] = job
        world.by_seq[job.seq] = job
    for _, raw in r.items(v, "batches"):
        batch = Batch(**_record(r, raw, _BATCH_FIELDS))
        if batch.project_id not in world.projects:
            raise r.fail(f"unknown project {batch.project_id!r}")
        world.batches[batch.id] = batch
    for _, raw in r.items(v, "cron_jobs"):
        cron = CronJob(**_record(r, raw, _CRON_FIELDS))
        if cron.project_id not in world.projects:
            raise r.fail(f"unknown project {cron.project_id!r}")
        if cron.seq in world.by_seq:
            raise r.fail(f"cron job {cron.id!r} reuses seq {cron.seq}")
        world.crons[cron.id] = cron
        world.by_seq[cron.seq] = cron

    _rebuild_indexes(r, world)

    deleting = r.get(v, "deleting", list)
    if not set(deleting) <= set(world.crons):
        raise r.fail("deleting names a cron job that is not in the snapshot")
    world.deleting = set(deleting)
    queue = r.get(v, "queue", dict)
    with r.at(".queue"):
        events = []
        for _, e in r.items(queue, "events"):
            event = Event(*e)
            if event.kind not in EVENT_KINDS:
                raise r.fail(f"unknown event kind {event.kind!r}")
            if event.key not in world.jobs and event.key not in world.crons:
                raise r.fail(f"event for unknown record {event.key!r}")
            events.append(event)
        world.queue.restore(events, r.get(queue, "scheduled", int))
    faults = r.get(v, "faults", dict)
    for tool, items in faults.items():
        with r.at(f".faults.{tool}"):
            for f in items:
                if f.get("code") not in ERROR_CODES or not isinstance(f.get("remaining"), int):
                    raise r.fail(f"bad fault {f!r}")
            world.faults[tool] = deque(dict(f) for f in items)
    transcript = r.get(v, "transcript", list)
    _check(r, v, world, transcript)
    for i, b in enumerate(behaviors.all):
        with r.at(f".behaviors[{i}]"):
            _behavior(r, b)
    return world, transcript


class _Behaviors:
    """The behaviours of a snapshot: read once each, shared by the jobs and targets
    that refer to them (version 2); or, in version 1, one per distinct inline copy."""

    def __init__(self, r: _Reader, v: dict[str, Any], version: int) -> None:
        self.r, self.inline = r, version == 1
        self.all: list[Behavior] = []
        self.seen: dict[tuple[Any, ...], Behavior] = {}  # version 1: by value
        if not self.inline:
            self.all = [behavior_from_dict(b) for _, b in r.items(v, "behaviors")]

    def of(self, record: Any) -> Behavior | None:
        """The behaviour a job or target record names (``None`` if it has none)."""
        r = self.r
        if self.inline:
            raw = r.get(record, "behavior", dict, nullable=True)
            if raw is None:
                return None
            b = behavior_from_dict(raw)
            key = (b.start_after_ms, b.run_ms, b.exit_codes, b.events)
            if key not in self.seen:  # equal copies become one shared behaviour
                self.seen[key] = b
                self.all.append(b)
            return self.seen[key]
        at: int | None = r.get(record, "behavior", int, nullable=True)
        if at is None:
            return None
        if not 0 <= at < len(self.all):
            raise r.fail(f"behavior {at} is not a position in behaviors (0 to {len(self.all) - 1})")
        return self.all[at]


def _rebuild_indexes(r: _Reader, world: World) -> None:
    """Pagination indexes and batch counts, from the records; counts must agree."""
    counts: dict[str, dict[str, int]] = {}
    for seq in sorted(world.by_seq):
        item = world.by_seq[seq]
        if isinstance(item, Job):
            project = world.projects[item.project_id]
            for index in world.job_indexes(project, item):
                index.add(item.seq, item.status)
            if item.batch_id is not None:
                if item.batch_id not in world.batches:
                    raise r.fail(f"job {item.id!r} names batch {item.batch_id!r}, not in snapshot")
                per = counts.setdefault(item.batch_id, dict.fromkeys(STATUSES, 0))
                per[item.status] += 1
        else:
            world.index_cron(item)
    for batch in world.batches.values():
        if counts.get(batch.id, dict.fromkeys(STATUSES, 0)) != batch.counts:
            raise r.fail(f"batch {batch.id!r} counts {batch.counts} disagree with its jobs")


# -- consistency: what the types alone do not say ----------------------------------------

_FIRST_MS = from_datetime(datetime(1, 1, 1, tzinfo=UTC))
_LEVELS = ("info", "warning", "error")
_JOB_EVENTS = (JOB_START, ATTEMPT_END, NEXT_ATTEMPT, DEADLINE)


def _check(r: _Reader, v: dict[str, Any], world: World, transcript: list[Any]) -> None:
    """Refuse a snapshot whose values have the right types but that no simulator could
    have made, and that would break a later call (a crash, a lost record, a clock
    moving backwards, an id or position handed out twice)."""
    now = world.now

    def when(value: Any, what: str, *, upto: int = LAST_MS) -> None:
        if value is not None and not _FIRST_MS <= value <= upto:
            raise r.fail(f"{what} {value} is not a time between the year 1 and the clock")

    def number(value: Any, what: str, lo: int, hi: int | None = None) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise r.fail(f"{what} must be a whole number, not {value!r}")
        if value < lo or (hi is not None and value > hi):
            raise r.fail(f"{what} {value} is out of range")

    when(now, "clock_ms")
    number(world.ids.drawn, "ids.drawn", 0, 2**63 - 2**20)
    in_use = {*world.jobs, *world.crons, *world.environments, *world.branches, *world.projects}
    upcoming = IdSource(world.ids.seed, world.ids.drawn)
    for _ in range(256):  # a rewound id source would hand out ids in use again
        if (ident := upcoming.next()) in in_use:
            raise r.fail(f"ids.drawn {world.ids.drawn} is behind: {ident!r} would be drawn again")
    meta = v.get("simulator")
    if isinstance(meta, dict) and (
        isinstance(meta.get("seed"), bool) or meta.get("seed") != world.ids.seed
    ):
        raise r.fail(f"simulator.seed {meta.get('seed')!r} is not ids.seed {world.ids.seed}")
    number(world.seq, "seq", 0)

    for i, target in enumerate(world.targets.values()):
        with r.at(f".targets[{i}]"):
            if not target.name.strip():
                raise r.fail("a target needs a non-empty name")
            for schema in (target.input_schema, target.output_schema):
                if schema is not None:
                    _schema(r, schema)
            if target.input_schema is not None:
                try:
                    check_patterns(target.input_schema)
                except ToolError as e:
                    raise r.fail(e.message) from None

    for i, job in enumerate(world.jobs.values()):
        with r.at(f".jobs[{i}]"):
            _job(r, world, job, when, number)

    for i, batch in enumerate(world.batches.values()):
        with r.at(f".batches[{i}]"):
            when(batch.created_ms, "created_ms", upto=batch.updated_ms)
            when(batch.updated_ms, "updated_ms", upto=now)
            if batch.target is None and not batch.mixed_targets:
                raise r.fail("target is null but the batch's jobs share one")

    for i, cron in enumerate(world.crons.values()):
        with r.at(f".cron_jobs[{i}]"):
            number(cron.seq, "seq", 1, world.seq)
            if cron.status not in CRON_STATUSES:
                raise r.fail(f"unknown status {cron.status!r}")
            if (cron.status == CRON_DELETING) != (cron.id in world.deleting):
                raise r.fail("status 'deleting' and the deleting list disagree")
            if cron.concurrency_policy not in POLICIES:
                raise r.fail(f"unknown concurrency_policy {cron.concurrency_policy!r}")
            try:
                check_schedule(cron.schedule, check_timezone(cron.timezone))
                finite_json("config", cron.config)
            except ToolError as e:
                raise r.fail(e.message) from None
            number(cron.timeout_seconds, "timeout_seconds", 1, MAX_SECONDS)
            number(cron.backoff_limit, "backoff_limit", 0, MAX_BACKOFF)
            number(cron.epoch, "epoch", 0)
            when(cron.created_ms, "created_ms", upto=cron.updated_ms)
            when(cron.updated_ms, "updated_ms", upto=now)
            when(cron.anchor_ms, "anchor_ms", upto=now)
            when(cron.last_scheduled_ms, "last_scheduled_ms", upto=now)
            when(cron.last_successful_ms, "last_successful_ms", upto=now)
            _scoped_ids(r, world, cron.project_id, cron.environment_id, cron.branch_id)

    orders: set[int] = set()
    for i, event in enumerate(world.queue.pending()):
        with r.at(f".queue.events[{i}]"):
            if event.kind == CRON_TICK and event.key not in world.crons:
                raise r.fail(f"cron_tick for unknown cron job {event.key!r}")
            if event.kind in _JOB_EVENTS and event.key not in world.jobs:
                raise r.fail(f"{event.kind} for unknown job {event.key!r}")
            number(event.due_ms, "due_ms", now)  # nothing due before now is still queued
            number(event.order, "order", 0, world.queue.scheduled - 1)
            number(event.epoch, "epoch", -1)
            if event.order in orders:
                raise r.fail(f"order {event.order} appears twice")
            orders.add(event.order)

    for tool, queue in world.faults.items():
        with r.at(f".faults.{tool}"):
            if tool not in TOOLS or not queue:
                raise r.fail("faults must name a known tool and queue at least one fault")
            for fault in queue:
                if not isinstance(fault.get("message"), str):
                    raise r.fail("a fault needs a message")
                number(fault["remaining"], "remaining", 1, MAX_FAULT_TIMES)

    for i, entry in enumerate(transcript):
        with r.at(f".transcript[{i}]"):
            if not isinstance(entry, dict) or not {"at", "tool", "arguments"} <= entry.keys():
                raise r.fail("an entry is {at, tool, arguments, result | error}")
            if ("result" in entry) == ("error" in entry):
                raise r.fail("an entry has a result or an error, not both or neither")


def _job(r: _Reader, world: World, job: Job, when: Any, number: Any) -> None:
    """One job record: the invariants of SPEC section 4, and the runtime fields."""
    now = world.now
    number(job.seq, "seq", 1, world.seq)
    number(job.timeout_seconds, "timeout_seconds", 1, MAX_SECONDS)
    number(job.backoff_limit, "backoff_limit", 0, MAX_BACKOFF)
    number(job.attempt, "attempt", 0, job.backoff_limit + 1)
    number(job.epoch, "epoch", 0)
    try:
        finite_json("config", job.config)
    except ToolError as e:
        raise r.fail(e.message) from None
    _scoped_ids(r, world, job.project_id, job.environment_id, job.branch_id)
    when(job.created_ms, "created_ms", upto=job.updated_ms)
    when(job.updated_ms, "updated_ms", upto=now)
    when(job.started_ms, "started_ms", upto=now if job.completed_ms is None else job.completed_ms)
    when(job.completed_ms, "completed_ms", upto=now)
    if job.started_ms is not None and job.started_ms < job.created_ms:
        raise r.fail("started_ms is before created_ms")
    status = job.status
    rule = RULES[status]
    if (job.completed_ms is not None) != rule.terminal:
        raise r.fail(f"completed_ms must be set exactly when the job is finished ({status})")
    if (job.started_ms is None) != (job.attempt == 0):
        raise r.fail("started_ms must be set exactly when an attempt has started")
    if rule.started is False and job.started_ms is not None:
        raise r.fail(f"a {status} job has not started")
    if rule.started is True and job.started_ms is None:
        raise r.fail(f"a {status} job has started")
    if job.failed_reason not in rule.endings:  # a str or None: the reader checked
        raise r.fail(f"failed_reason {job.failed_reason!r} does not fit status {status!r}")
    codes = rule.endings[job.failed_reason]
    if not (job.exit_code is None if codes is None else _whole_in(job.exit_code, codes)):
        raise r.fail(f"exit_code {job.exit_code!r} does not fit status {status!r}")
    if job.running and status != WORKING:
        raise r.fail(f"a {status} job has no running attempt")
    for k, entry in enumerate(job.log):
        with r.at(f".log[{k}]"):
            if len(entry) != 5:
                raise r.fail("a log entry is [ms, level, message, status, attempt]")
            ms, level, message, at_status, attempt = entry
            number(ms, "ms", _FIRST_MS, now)
            if level not in _LEVELS or not isinstance(message, str) or at_status not in STATUSES:
                raise r.fail(f"bad log entry {list(entry)!r}")
            number(attempt, "attempt", 0)


def _whole_in(value: Any, codes: range) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in codes


def _scoped_ids(
    r: _Reader, world: World, project: str, env: str | None, branch: str | None
) -> None:
    for kind, ident, table in (
        ("environment", env, world.environments),
        ("branch", branch, world.branches),
    ):
        if ident is not None and (ident not in table or table[ident].project_id != project):
            raise r.fail(f"{kind} {ident!r} is not one of its project's")


def _behavior(r: _Reader, b: Behavior) -> None:
    for name, ms in (("start_after_seconds", b.start_after_ms), ("run_seconds", b.run_ms)):
        if not 0 <= ms <= MAX_SECONDS * 1000:
            raise r.fail(f"{name} must be from 0 to {MAX_SECONDS}")
    if not b.exit_codes or not all(
        isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in b.exit_codes
    ):
        raise r.fail("exit_codes must be one or more whole numbers from 0 to 255")
    if not all(isinstance(e, str) for e in b.events):
        raise r.fail("events must be strings")


def _schema(r: _Reader, schema: dict[str, Any]) -> None:
    from jsonschema import Draft7Validator  # on first use: see registry._draft7
    from jsonschema.exceptions import SchemaError

    try:
        finite_json("schema", schema)
        Draft7Validator.check_schema(schema)
    except ToolError as e:
        raise r.fail(e.message) from None
    except SchemaError as e:
        raise r.fail(f"not a valid draft-07 JSON Schema: {e.message}") from None
    problem = schema_problem(schema)  # what sim_define_target refuses, restore refuses
    if problem is not None:
        raise r.fail(f"the schema {problem}")
