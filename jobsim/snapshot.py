"""Snapshots: the whole state of a simulator as one JSON-able value, and back.

``dump(world, transcript)`` is what :meth:`Simulator.snapshot` returns;
``load(value)`` builds a new world from it, or raises :class:`SnapshotError`
saying what is wrong — it never hands back a half-restored world. The indexes
(pagination, batch membership) are not stored: they are rebuilt from the records.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any

from jobsim.errors import ERROR_CODES
from jobsim.lifecycle import STATUSES
from jobsim.records import Batch, CronJob, Job, Project, Scoped
from jobsim.scheduler import EVENT_KINDS, Event
from jobsim.serialize import copy_json
from jobsim.targets import behavior_from_dict, behavior_to_dict, make_target
from jobsim.world import World

__all__ = ["FORMAT", "VERSION", "SnapshotError", "dump", "load"]

FORMAT = "jobsim-snapshot"
VERSION = 1

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
    jobs = []
    for job in world.jobs.values():
        item = {name: copy_json(getattr(job, name)) for name in _JOB_FIELDS}
        item["behavior"] = None if job.behavior is None else behavior_to_dict(job.behavior)
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
        "targets": [
            {
                "name": t.name,
                "description": t.description,
                "input_schema": copy_json(t.input_schema),
                "output_schema": copy_json(t.output_schema),
                "behavior": None if t.behavior is None else behavior_to_dict(t.behavior),
            }
            for t in world.targets.values()
        ],
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

    @contextmanager
    def at(self, part: str) -> Iterator[None]:
        self.path.append(part)
        try:
            yield
        finally:
            self.path.pop()

    def fail(self, message: str) -> SnapshotError:
        where = "".join(self.path) or "snapshot"
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
                yield i, item


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
    if value.get("format") != FORMAT or value.get("version") != VERSION:
        raise r.fail(
            f"not a {FORMAT} of version {VERSION} "
            f"(format={value.get('format')!r}, version={value.get('version')!r})"
        )
    try:
        return _load(r, copy_json(value))
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise r.fail(f"{type(e).__name__}: {e}") from None


def _load(r: _Reader, v: dict[str, Any]) -> tuple[World, list[dict[str, Any]]]:
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
    for _, t in r.items(v, "targets"):
        behavior = r.get(t, "behavior", dict, nullable=True)
        target = make_target(
            r.get(t, "name", str),
            r.get(t, "description", str, nullable=True),
            r.get(t, "input_schema", dict, nullable=True),
            r.get(t, "output_schema", dict, nullable=True),
            None if behavior is None else behavior_from_dict(behavior),
        )
        world.targets[target.name] = target

    for _, raw in r.items(v, "jobs"):
        kwargs = _record(r, raw, _JOB_FIELDS)
        behavior = r.get(raw, "behavior", dict, nullable=True)
        job = Job(
            **kwargs,
            behavior=None if behavior is None else behavior_from_dict(behavior),
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
    return world, transcript


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
