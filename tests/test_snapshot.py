"""Snapshots (SPEC section 12): JSON-able, continued byte-identically, isolated from
their values, and damaged ones refused with a :class:`SnapshotError` that says where.

- A random program of calls is cut in two; the simulator after the first part is
  snapshotted, sent through ``json.dumps``/``json.loads`` and restored, and the second
  part run on both: every output (ids, times, pending events, cron fires, errors)
  and the final snapshots are identical.
- Damaged snapshots of every kind listed in the brief are refused; a Hypothesis test
  changes one leaf (or drops one key) anywhere in a valid snapshot: either it is
  refused with ``SnapshotError``, or the restored simulator works (every call gives
  a valid output or a ``ToolError``) and its own snapshot round-trips. Nothing else
  may be raised.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsim import ERROR_CODES, Simulator, ToolError
from jobsim.checkers import check, schema_problems
from jobsim.snapshot import SnapshotError

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BATCHES = (
    "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b",
    "4a2d3c5b-6e7f-4081-9bac-1d2e3f4a5b6c",
    "5b3e4d6c-7f80-4192-acbd-2e3f4a5b6c7d",
)
PROJECTS = ("north", "south")
TARGETS = ("task:ok", "task:flaky", "task:doomed", "img:manual")
SCHEDULES = ("*/5 * * * *", "*/2 * * * *", "0 * * * *", "30 1 * * *", "15 2 * * 0")
ZONES = ("UTC", "Europe/Berlin", "America/New_York")
POLICIES = ("Allow", "Forbid", "Replace")
ADVANCES = (0, 0.25, 1, 7.5, 60, 299, 301, 3600, 86400)


# -- a program of calls that both twins run identically ------------------------------

Outcome = tuple[str, Any]


class Driver:
    """Turns abstract operations ``(kind, a, b)`` into calls, picking ids from the
    outputs it has seen; two drivers on equal simulators make equal calls."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.jobs: list[tuple[str, str]] = []
        self.crons: list[tuple[str, str]] = []

    def call(self, tool: str, args: dict[str, Any]) -> Outcome:
        try:
            result = self.sim.call(tool, args)
        except ToolError as error:
            return ("error", error.to_dict())
        check(schema_problems(tool, result), f"{tool} {args}")
        return ("ok", result)

    def setup(self) -> list[Outcome]:
        out = [self.call("sim_create_project", {"slug": p}) for p in PROJECTS]
        out.append(
            self.call(
                "sim_define_target",
                {"name": "task:ok", "behavior": {"start_after_seconds": 2, "run_seconds": 3}},
            )
        )
        out.append(
            self.call(
                "sim_define_target",
                {
                    "name": "task:flaky",
                    "behavior": {"run_seconds": 4, "exit_codes": [1, 2, 0], "events": ["x"]},
                },
            )
        )
        out.append(
            self.call(
                "sim_define_target",
                {"name": "task:doomed", "behavior": {"run_seconds": 1000}},
            )
        )
        return out

    def pick(self, items: list[tuple[str, str]], a: int) -> tuple[str, str] | None:
        return items[a % len(items)] if items else None

    def run(self, op: tuple[str, int, int]) -> list[Outcome]:
        kind, a, b = op
        project = PROJECTS[a % 2]
        if kind == "create":
            args: dict[str, Any] = {
                "project_reference": project,
                "name": f"job-{a}-{b}",
                "target": TARGETS[b % len(TARGETS)],
                "timeout_seconds": (30, 300, 5000)[a % 3],
                "backoff_limit": b % 3,
                "config": {"a": a, "nested": [b, {"x": None}]},
            }
            if b % 4:
                args["batch_id"] = BATCHES[(a + b) % 3]
            out = self.call("create_job", args)
            if out[0] == "ok":
                self.jobs.append((project, out[1]["id"]))
            return [out]
        if kind in ("cancel", "start", "finish", "get", "events"):
            picked = self.pick(self.jobs, a)
            if picked is None:
                return []
            ref, job_id = picked
            ids = {"project_reference": ref, "job_id": job_id}
            if kind == "cancel":
                return [self.call("cancel_job", ids)]
            if kind == "start":
                return [self.call("sim_start_job", ids)]
            if kind == "finish":
                return [self.call("sim_finish_job", {**ids, "exit_code": (0, 1, 3)[b % 3]})]
            if kind == "get":
                return [self.call("get_job", ids)]
            direction = "forward" if b % 2 else "backward"
            first = self.call("get_job_events", {**ids, "limit": 3, "direction": direction})
            out = [first]
            if first[0] == "ok" and first[1]["next_cursor"]:
                cursor = first[1]["next_cursor"]
                more = {**ids, "limit": 3, "direction": direction, "cursor": cursor}
                out.append(self.call("get_job_events", more))
            return out
        if kind == "cron":
            args = {
                "project_reference": project,
                "name": f"cron-{a}",
                "target": TARGETS[b % len(TARGETS)],
                "schedule": SCHEDULES[a % len(SCHEDULES)],
                "timezone": ZONES[b % len(ZONES)],
                "concurrency_policy": POLICIES[(a + b) % 3],
                "timeout_seconds": 120,
                "backoff_limit": 1,
            }
            out = self.call("create_cron_job", args)
            if out[0] == "ok":
                self.crons.append((project, out[1]["id"]))
            return [out]
        if kind in ("pause", "resume", "reschedule", "delete", "trigger", "get_cron"):
            picked = self.pick(self.crons, a)
            if picked is None:
                return []
            ref, cron_id = picked
            ids = {"project_reference": ref, "cron_job_id": cron_id}
            if kind == "pause":
                return [self.call("update_cron_job", {**ids, "status": "paused"})]
            if kind == "resume":
                return [self.call("update_cron_job", {**ids, "status": "active"})]
            if kind == "reschedule":
                schedule = SCHEDULES[b % len(SCHEDULES)]
                return [self.call("update_cron_job", {**ids, "schedule": schedule})]
            if kind == "delete":
                return [self.call("delete_cron_job", ids)]
            if kind == "trigger":
                out = self.call("trigger_cron_job", ids)
                if out[0] == "ok":
                    self.jobs.append((ref, out[1]["id"]))
                return [out]
            return [self.call("get_cron_job", ids)]
        if kind == "advance":
            return [self.call("sim_advance_clock", {"seconds": ADVANCES[a % len(ADVANCES)]})]
        if kind == "list":
            return self._walk(
                "list_jobs", {"project_reference": project, "limit": 1 + b % 7}, pages=3
            )
        if kind == "list_batch":
            args = {"project_reference": project, "batch_id": BATCHES[b % 3], "limit": 1 + a % 4}
            return [
                self.call(
                    "get_job_batch", {"project_reference": project, "batch_id": BATCHES[b % 3]}
                ),
                *self._walk("list_job_batch_jobs", args, pages=2),
            ]
        if kind == "list_crons":
            return self._walk("list_cron_jobs", {"project_reference": project, "limit": 2}, pages=2)
        if kind == "target":
            behavior = {"run_seconds": 1 + a % 5, "exit_codes": [b % 2, 0]}
            return [self.call("sim_define_target", {"name": TARGETS[a % 3], "behavior": behavior})]
        if kind == "fault":
            tool = ("create_job", "list_jobs", "sim_advance_clock", "cancel_job")[a % 4]
            code = ERROR_CODES[b % len(ERROR_CODES)]
            return [self.call("sim_inject_fault", {"tool": tool, "code": code, "times": 1 + b % 2})]
        raise AssertionError(kind)  # pragma: no cover

    def _walk(self, tool: str, args: dict[str, Any], pages: int) -> list[Outcome]:
        out = []
        for _ in range(pages):
            outcome = self.call(tool, args)
            out.append(outcome)
            if outcome[0] != "ok" or outcome[1]["page_info"]["next"] is None:
                break
            args = {**args, "cursor": outcome[1]["page_info"]["next"]}
        return out


KINDS = (
    *("create",) * 6,
    *("advance",) * 4,
    "cancel",
    "start",
    "finish",
    "get",
    "events",
    "cron",
    "cron",
    "pause",
    "resume",
    "reschedule",
    "delete",
    "trigger",
    "get_cron",
    "list",
    "list_batch",
    "list_crons",
    "target",
    "fault",
)
OPS = st.tuples(st.sampled_from(KINDS), st.integers(0, 50), st.integers(0, 50))


def _twin(sim: Simulator) -> Simulator:
    """A simulator restored from ``sim``'s snapshot after a trip through JSON text."""
    text = json.dumps(sim.snapshot(), allow_nan=False)
    return Simulator.from_snapshot(json.loads(text))


def _text(sim: Simulator) -> str:
    return json.dumps(sim.snapshot(), allow_nan=False)


@SETTINGS
@given(
    prefix=st.lists(OPS, max_size=40),
    suffix=st.lists(OPS, min_size=1, max_size=40),
)
def test_a_restored_simulator_continues_byte_identically(
    prefix: list[tuple[str, int, int]], suffix: list[tuple[str, int, int]]
) -> None:
    original = Driver(Simulator(seed=5))
    original.setup()
    for op in prefix:
        original.run(op)
    restored = Driver(_twin(original.sim))
    assert _text(restored.sim) == _text(original.sim)
    restored.jobs, restored.crons = list(original.jobs), list(original.crons)
    for op in suffix:
        assert restored.run(op) == original.run(op), op
    assert _text(restored.sim) == _text(original.sim)
    assert restored.sim.transcript == original.sim.transcript


def _busy() -> Driver:
    """A simulator mid-flight: scripted jobs running and backing off, manual ones in
    every status, cron jobs of every policy with ticks pending, one being deleted,
    and an injected fault queued."""
    d = Driver(Simulator(seed=9))
    d.setup()
    ops: list[tuple[str, int, int]] = [
        ("cron", 0, 1),  # */5 flaky Allow... (a=0 -> north)
        ("cron", 1, 2),  # */2
        ("cron", 2, 0),  # hourly
        ("cron", 3, 3),
        *[("create", a, b) for a in range(6) for b in range(4)],
        ("start", 3, 0),
        ("start", 7, 0),
        ("finish", 7, 1),
        ("cancel", 11, 0),
        ("advance", 3, 0),  # 7.5 s
        ("advance", 4, 0),  # 60 s
        ("delete", 3, 0),
        ("pause", 2, 0),
        ("trigger", 1, 0),
        ("fault", 3, 2),  # cancel_job will fail once with conflict
    ]
    for op in ops:
        d.run(op)
    return d


def test_snapshot_is_json_text_and_restores_pending_events_and_cron_fires() -> None:
    d = _busy()
    snap = d.sim.snapshot()
    text = json.dumps(snap, allow_nan=False)  # strict JSON: no NaN, no infinities
    assert json.loads(text) == snap
    assert snap["queue"]["events"], "the scenario should leave events pending"
    assert snap["faults"], "the scenario should leave a fault queued"
    assert snap["deleting"], "the scenario should leave a cron job being deleted"

    twin = Driver(Simulator.from_snapshot(json.loads(text)))
    twin.jobs, twin.crons = list(d.jobs), list(d.crons)
    for op in [("list", 0, 5), ("advance", 7, 0), ("list", 0, 99), ("list_crons", 1, 0)]:
        assert twin.run(op) == d.run(op)
    assert _text(twin.sim) == _text(d.sim)
    # cron jobs fired during that hour, on both, with the same ids and times
    fired = [twin.call("list_jobs", {"project_reference": p, "limit": 100}) for p in PROJECTS]
    assert fired == [d.call("list_jobs", {"project_reference": p, "limit": 100}) for p in PROJECTS]
    assert any(
        j["cron_job_id"] and j["created_at"] > "2026-01-01T00:01:08"
        for _, page in fired
        for j in page["data"]
    )


def test_mutating_a_snapshot_or_an_output_never_changes_the_simulator() -> None:
    d = _busy()
    sim = d.sim
    before = _text(sim)
    snap = sim.snapshot()
    snap["jobs"][0]["status"] = "canceled"
    snap["jobs"][0]["config"]["nested"].append("more")
    snap["queue"]["events"].clear()
    snap["transcript"][0]["arguments"]["slug"] = "changed"
    snap["clock_ms"] += 1
    assert _text(sim) == before

    # The value a simulator was restored from stays the caller's to change.
    value = json.loads(before)
    restored = Simulator.from_snapshot(value)
    value["jobs"][1]["config"]["a"] = "changed"
    value["projects"].clear()
    value["transcript"].clear()
    assert _text(restored) == before

    # Outputs are fresh values too.
    ref, job_id = d.jobs[0]
    job = sim.call("get_job", {"project_reference": ref, "job_id": job_id})
    job["config"]["nested"][1]["x"] = "changed"
    job["status"] = "bogus"
    page = sim.call("list_jobs", {"project_reference": ref})
    page["data"][0]["config"].clear()
    page["page_info"]["next"] = "changed"
    again = sim.call("get_job", {"project_reference": ref, "job_id": job_id})
    assert again["config"] == {"a": 0, "nested": [0, {"x": None}]}
    assert again["status"] != "bogus"
    assert sim.call("list_jobs", {"project_reference": ref}) == sim.call(
        "list_jobs", {"project_reference": ref}
    )


def test_a_cron_job_dropped_after_its_deletion_leaves_a_restorable_snapshot() -> None:
    """Regression: the dropped cron job's last tick stayed queued and the snapshot named
    it, so ``from_snapshot`` refused the simulator's own snapshot."""
    d = Driver(Simulator(seed=1))
    d.setup()
    d.run(("cron", 0, 0))
    d.run(("delete", 0, 0))
    d.run(("advance", 2, 0))  # the deletion completes
    twin = _twin(d.sim)
    assert _text(twin) == _text(d.sim)
    assert twin.call("list_cron_jobs", {"project_reference": "north"})["data"] == []


# -- damaged snapshots -----------------------------------------------------------------


def _valid() -> dict[str, Any]:
    value = _busy().sim.snapshot()
    for key in ("jobs", "batches", "cron_jobs"):
        assert value[key]
    assert value["queue"]["events"]
    return value


VALID = _valid()

Damage = Callable[[dict[str, Any]], Any]


def _set(path: str, new: Any) -> Damage:
    def damage(v: dict[str, Any]) -> dict[str, Any]:
        target: Any = v
        *parents, last = _parse(path)
        for part in parents:
            target = target[part]
        target[last] = new
        return v

    return damage


def _drop(path: str) -> Damage:
    def damage(v: dict[str, Any]) -> dict[str, Any]:
        target: Any = v
        *parents, last = _parse(path)
        for part in parents:
            target = target[part]
        del target[last]
        return v

    return damage


def _parse(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split("/")]


def _first_batch_counts_off(v: dict[str, Any]) -> dict[str, Any]:
    v["batches"][0]["counts"]["submitted"] += 1
    return v


def _orphan_job(v: dict[str, Any]) -> dict[str, Any]:
    v["jobs"][0]["project_id"] = "9d9d9d9d-0000-4000-8000-000000000000"
    return v


def _event_for_a_missing_job(v: dict[str, Any]) -> dict[str, Any]:
    v["queue"]["events"][0][3] = "9d9d9d9d-0000-4000-8000-000000000000"
    return v


def _job_twice(v: dict[str, Any]) -> dict[str, Any]:
    v["jobs"].append(copy.deepcopy(v["jobs"][0]))
    return v


def _slug_twice(v: dict[str, Any]) -> dict[str, Any]:
    v["projects"][1]["slug"] = v["projects"][0]["slug"]
    return v


def _job_in_a_missing_batch(v: dict[str, Any]) -> dict[str, Any]:
    v["batches"].clear()
    return v


def _first(kind: str, **match: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def find(v: dict[str, Any]) -> dict[str, Any]:
        return next(x for x in v[kind] if all(x.get(k) == m for k, m in match.items()))

    return find


def _edit(find: Callable[[dict[str, Any]], Any], **changes: Any) -> Damage:
    def damage(v: dict[str, Any]) -> dict[str, Any]:
        find(v).update(changes)
        return v

    return damage


def _rewind_ids(v: dict[str, Any]) -> dict[str, Any]:
    v["ids"]["drawn"] -= 3
    return v


def _seq_behind(v: dict[str, Any]) -> dict[str, Any]:
    v["seq"] = max(j["seq"] for j in v["jobs"]) - 1
    return v


def _event_in_the_past(v: dict[str, Any]) -> dict[str, Any]:
    v["queue"]["events"][0][0] = v["clock_ms"] - 1
    return v


def _short_log_entry(v: dict[str, Any]) -> dict[str, Any]:
    v["jobs"][0]["log"][0] = v["jobs"][0]["log"][0][:4]
    return v


def _log_time_as_text(v: dict[str, Any]) -> dict[str, Any]:
    v["jobs"][0]["log"][0][0] = "2026-01-01T00:00:00.000Z"
    return v


def _target(v: dict[str, Any]) -> dict[str, Any]:
    return v["targets"][0]


def _target_behavior(v: dict[str, Any]) -> dict[str, Any]:
    behavior: dict[str, Any] = v["behaviors"][v["targets"][0]["behavior"]]
    return behavior


def _fault(v: dict[str, Any]) -> dict[str, Any]:
    fault: dict[str, Any] = v["faults"]["cancel_job"][0]
    return fault


def _unknown_fault_tool(v: dict[str, Any]) -> dict[str, Any]:
    v["faults"]["no_such_tool"] = v["faults"].pop("cancel_job")
    return v


COMPLETED = _first("jobs", status="completed")
SUBMITTED = _first("jobs", status="submitted")
CRON = _first("cron_jobs", status="active")

DAMAGES: dict[str, tuple[Damage, str]] = {
    "log entry too short": (_short_log_entry, "log[0]"),
    "log time as text": (_log_time_as_text, "log[0]"),
    "event due before the clock": (_event_in_the_past, "due_ms"),
    "id source rewound": (_rewind_ids, "drawn again"),
    "seq behind the records": (_seq_behind, "seq"),
    "completed without completed_ms": (_edit(COMPLETED, completed_ms=None), "completed_ms"),
    "completed with exit code 3": (_edit(COMPLETED, exit_code=3), "exit_code"),
    "submitted but started": (_edit(SUBMITTED, started_ms=0, attempt=1), "started"),
    "failed_reason without failing": (_edit(SUBMITTED, failed_reason="X"), "failed_reason"),
    "job timeout below 1": (_edit(SUBMITTED, timeout_seconds=0), "timeout_seconds"),
    "job in a foreign environment": (
        _edit(SUBMITTED, environment_id="9d9d9d9d-0000-4000-8000-000000000000"),
        "environment",
    ),
    "time past the year 9999": (_edit(SUBMITTED, updated_ms=2**63), "updated_ms"),
    "cron time zone unknown": (_edit(CRON, timezone="Mars/Olympus"), "Mars/Olympus"),
    "cron schedule invalid": (_edit(CRON, schedule="99 * * * *"), "schedule"),
    "cron timeout negative": (_edit(CRON, timeout_seconds=-1), "timeout_seconds"),
    "cron status unknown": (_edit(CRON, status="asleep"), "status"),
    "target schema invalid": (_edit(_target, input_schema={"type": "nope"}), "draft-07"),
    "target pattern exponential": (
        _edit(_target, input_schema={"properties": {"x": {"pattern": "^(a+)+$"}}}),
        "exponential time",
    ),
    "behaviour exit codes empty": (_edit(_target_behavior, exit_codes=[]), "exit_codes"),
    "behaviour run time negative": (_edit(_target_behavior, run_seconds=-1), "run_seconds"),
    "behaviour run time past the end": (_edit(_target_behavior, run_seconds=10**20), "run_seconds"),
    "fault used up": (_edit(_fault, remaining=0), "remaining"),
    "fault for an unknown tool": (_unknown_fault_tool, "faults.no_such_tool"),
    "seed as a boolean": (_set("simulator/seed", True), "seed"),
    "transcript entry not an object": (_set("transcript/0", 5), "transcript[0]"),
    "not a dict (list)": (lambda v: [v], "expected an object"),
    "not a dict (string)": (lambda v: "snapshot", "expected an object"),
    "not a dict (null)": (lambda v: None, "expected an object"),
    "bad version": (_set("version", 99), "version"),
    "bad format": (_set("format", "other"), "format"),
    "version as a string": (_set("version", "1"), "version"),
    "missing jobs": (_drop("jobs"), "jobs"),
    "missing clock": (_drop("clock_ms"), "clock_ms"),
    "missing queue": (_drop("queue"), "queue"),
    "missing transcript": (_drop("transcript"), "transcript"),
    "missing simulator": (_drop("simulator"), "simulator"),
    "missing job key": (_drop("jobs/0/status"), "status"),
    "clock as a string": (_set("clock_ms", "2026"), "clock_ms"),
    "seq as a float": (_set("seq", 1.5), "seq"),
    "jobs as an object": (_set("jobs", {}), "jobs"),
    "job as a list": (_set("jobs/0", []), "jobs[0]"),
    "timeout as a boolean": (_set("jobs/0/timeout_seconds", True), "timeout_seconds"),
    "unknown status": (_set("jobs/0/status", "exploded"), "status"),
    "counts disagreeing": (_first_batch_counts_off, "counts"),
    "unknown event kind": (_set("queue/events/0/2", "meteor"), "event kind"),
    "event for a missing job": (_event_for_a_missing_job, "unknown record"),
    "event too short": (_set("queue/events/0", [1, 2]), "events[0]"),
    "job of a missing project": (_orphan_job, "project"),
    "job of a missing batch": (_job_in_a_missing_batch, "batch"),
    "job twice": (_job_twice, "twice"),
    "two projects with one slug": (_slug_twice, "appears twice"),
    "cron of a missing project": (
        _set("cron_jobs/0/project_id", "9d9d9d9d-0000-4000-8000-000000000000"),
        "project",
    ),
    "deleting an unknown cron": (_set("deleting", ["nope"]), "deleting"),
    "fault with an unknown code": (_set("faults/cancel_job/0/code", "boom"), "fault"),
    "knob out of range": (_set("knobs/cancel_terminal", "explode"), "cancel_terminal"),
    "simulator meta wrong": (_set("simulator/seed", "zero"), "simulator"),
}


@pytest.mark.parametrize("name", sorted(DAMAGES))
def test_a_damaged_snapshot_is_refused_saying_what_and_where(name: str) -> None:
    damage, where = DAMAGES[name]
    value = damage(copy.deepcopy(VALID))
    with pytest.raises(SnapshotError) as caught:
        Simulator.from_snapshot(value)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith("damaged snapshot at ")
    assert where in message, message


# -- one random change to a valid snapshot ----------------------------------------------


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every value (leaves and containers), the root excluded."""
    out = [path] if path else []
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_leaves(v, (*path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_leaves(v, (*path, i)))
    return out


SMALL = Driver(Simulator(seed=3))
SMALL.setup()
for _op in [
    ("cron", 0, 1),
    ("cron", 1, 3),
    ("create", 0, 1),
    ("create", 1, 0),
    ("create", 2, 3),
    ("start", 0, 0),
    ("advance", 3, 0),
    ("fault", 0, 1),
    ("delete", 1, 0),
]:
    SMALL.run(_op)
SMALL_SNAPSHOT = SMALL.sim.snapshot()

REPLACEMENTS = st.one_of(
    st.sampled_from(
        [
            *(None, True, False, 0, 1, -1, 2, 1.5, -(2**63), 2**63, 10**20, "", "x"),
            *("working", "canceled", "deleting", "job_start", "cron_tick", "Europe/Nowhere"),
            *("* * *", "99 * * * *", "9d9d9d9d-0000-4000-8000-000000000000"),
            *([], {}, [1, 2], {"a": 1}, SMALL_SNAPSHOT["clock_ms"] + 10**9),
            *(SMALL_SNAPSHOT["projects"][0]["id"], SMALL_SNAPSHOT["jobs"][0]["id"]),
            SMALL_SNAPSHOT["cron_jobs"][0]["id"],
        ]
    ),
    st.integers(),
    st.text(max_size=10),
)


DROP = st.sampled_from([False, False, False, True])


def _shape(path: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple("*" if isinstance(part, int) else part for part in path)


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


def leaf_changes(
    snapshot: dict[str, Any], skip: frozenset[str] = frozenset()
) -> st.SearchStrategy[tuple[tuple[Any, ...], Any, bool]]:
    """``(path, new value, drop)``: one change to ``snapshot`` (outside its ``skip`` parts),
    a value replaced or (one time in four) its key dropped.

    A part of the snapshot is drawn first, then a path in it (the jobs hold most paths,
    and would get most examples otherwise). Two times in three the new value is a near one,
    which a restore is likely to accept: what the same field holds elsewhere (a job's status
    replaced by another job's) or an integer one off; else anything from REPLACEMENTS.
    """
    by_part: dict[str, list[tuple[Any, ...]]] = {}
    siblings: dict[tuple[Any, ...], list[Any]] = {}
    for path in _leaves({k: v for k, v in snapshot.items() if k not in skip}):
        by_part.setdefault(path[0], []).append(path)
        found = siblings.setdefault(_shape(path), [])
        if (value := _at(snapshot, path)) not in found:
            found.append(value)

    def near(path: tuple[Any, ...]) -> st.SearchStrategy[Any]:
        value = _at(snapshot, path)
        nudged = [value + 1, value - 1] if type(value) is int else []
        return st.sampled_from(siblings[_shape(path)] + nudged)

    return (
        st.sampled_from(sorted(by_part))
        .flatmap(lambda part: st.sampled_from(by_part[part]))
        .flatmap(
            lambda path: st.tuples(
                st.just(path), st.one_of(near(path), near(path), REPLACEMENTS), DROP
            )
        )
    )


def _mutate(value: dict[str, Any], path: tuple[Any, ...], new: Any, drop: bool) -> None:
    target: Any = value
    for part in path[:-1]:
        target = target[part]
    if drop:
        del target[path[-1]]
    else:
        target[path[-1]] = new


def _exercise(sim: Simulator) -> int:
    """Every read and a few writes on everything the restored simulator holds: each
    outcome is a valid output or a ToolError. Returns the number of calls."""
    snap = sim.snapshot()
    calls: list[tuple[str, dict[str, Any]]] = []
    for p in snap["projects"]:
        ref = p["id"]
        calls += [
            ("list_jobs", {"project_reference": ref, "limit": 2}),
            ("list_cron_jobs", {"project_reference": ref}),
            ("create_job", {"project_reference": ref, "name": "n", "target": "task:flaky"}),
            ("sim_create_environment", {"project_reference": ref, "name": "e"}),
        ]
        for j in snap["jobs"]:
            ids = {"project_reference": ref, "job_id": j.get("id")}
            calls += [("get_job", ids), ("get_job_events", ids), ("cancel_job", ids)]
            calls += [("list_jobs", {"project_reference": ref, "cursor": j.get("id")})]
        for b in snap["batches"]:
            ids = {"project_reference": ref, "batch_id": b.get("id")}
            calls += [("get_job_batch", ids), ("list_job_batch_jobs", ids)]
        for c in snap["cron_jobs"]:
            ids = {"project_reference": ref, "cron_job_id": c.get("id")}
            calls += [("get_cron_job", ids), ("trigger_cron_job", ids)]
            calls += [("update_cron_job", {**ids, "schedule": "*/7 * * * *"})]
        for t in snap["targets"]:
            calls += [("get_job_target", {"project_reference": ref, "target_name": t.get("name")})]
    calls += [("sim_advance_clock", {"seconds": s}) for s in (0, 1, 600, 86400)]
    calls += [("sim_create_project", {"slug": "fresh"})]
    for tool, args in calls:
        if not isinstance(args.get("job_id", ""), str):
            continue
        try:
            result = sim.call(tool, args)
        except ToolError:
            continue  # ToolError guarantees its code is one of ERROR_CODES
        check(schema_problems(tool, result), f"{tool} {args}")
    return len(calls)


@settings(SETTINGS, max_examples=150)
@given(change=leaf_changes(SMALL_SNAPSHOT))
def test_one_changed_leaf_is_refused_or_gives_a_working_simulator(
    change: tuple[tuple[Any, ...], Any, bool],
) -> None:
    path, new, drop = change
    value = copy.deepcopy(SMALL_SNAPSHOT)
    _mutate(value, path, new, drop)
    try:
        sim = Simulator.from_snapshot(value)
    except SnapshotError as caught:
        message = str(caught)
    else:
        message = ""
    if message:
        assert message.startswith("damaged snapshot at ")
        return
    own = sim.snapshot()
    text = json.dumps(own, allow_nan=False)
    assert _text(Simulator.from_snapshot(json.loads(text))) == text
    _exercise(sim)
    again = sim.snapshot()
    assert _text(Simulator.from_snapshot(again)) == json.dumps(again, allow_nan=False)


def test_behaviour_times_round_trip_exactly_and_times_past_the_clock_are_refused() -> None:
    """Regression: an integer run time such as 10**14 + 7 seconds came back from a
    snapshot a few milliseconds off (seconds were stored as a float), so the restored
    simulator diverged. Times beyond what the clock can reach are now refused."""
    sim = Simulator(seed=2)
    sim.call("sim_create_project", {"slug": "p"})
    for name, seconds in (("long", 10**12), ("odd", 123456789.123), ("tiny", 0.0005)):
        behavior = {"run_seconds": seconds, "start_after_seconds": seconds}
        sim.call("sim_define_target", {"name": name, "behavior": behavior})
        sim.call("create_job", {"project_reference": "p", "name": name, "target": name})
    assert _text(_twin(sim)) == _text(sim)
    for seconds in (10**12 + 1, 10**14 + 7, 1e300):
        with pytest.raises(ToolError) as caught:
            sim.call("sim_define_target", {"name": "x", "behavior": {"run_seconds": seconds}})
        assert caught.value.code == "invalid_arguments"
        assert "behavior.run_seconds" in caught.value.message


# -- behaviours: stored once, shared by the jobs and targets that have them ---------------


def _sim_with_shared_behaviour() -> Simulator:
    sim = Simulator(seed=3)
    sim.call("sim_create_project", {"slug": "p"})
    long_script = {"run_seconds": 2, "exit_codes": [1] * 1000 + [0]}
    sim.call("sim_define_target", {"name": "t", "behavior": long_script})
    for i in range(5):
        sim.call("create_job", {"project_reference": "p", "name": f"j{i}", "target": "t"})
    sim.call("sim_define_target", {"name": "t", "behavior": {"exit_codes": [3]}})
    sim.call("create_job", {"project_reference": "p", "name": "later", "target": "t"})
    return sim


def test_a_behaviour_is_stored_once_however_many_jobs_share_it() -> None:
    snap = _sim_with_shared_behaviour().snapshot()
    assert [b["exit_codes"][-1] for b in snap["behaviors"]] == [3, 0]  # the target's first
    assert [t["behavior"] for t in snap["targets"]] == [0]
    assert [j["behavior"] for j in snap["jobs"]] == [1, 1, 1, 1, 1, 0]
    del snap["transcript"]  # which holds the defining call's arguments
    assert json.dumps(snap).count(json.dumps([1] * 1000 + [0])) == 1  # the long script, once


def test_restored_jobs_share_one_behaviour_object_and_keep_their_scripts() -> None:
    sim = _sim_with_shared_behaviour()
    restored = Simulator.from_snapshot(json.loads(json.dumps(sim.snapshot())))
    world = restored._world
    jobs = list(world.jobs.values())
    assert all(j.behavior is jobs[0].behavior for j in jobs[:5])
    assert jobs[5].behavior is world.targets["t"].behavior
    assert jobs[0].behavior is not None
    assert jobs[0].behavior.exit_codes[-1] == 0
    assert restored.snapshot() == sim.snapshot()


def test_a_version_1_snapshot_with_inline_behaviours_still_loads() -> None:
    sim = _sim_with_shared_behaviour()
    snap = sim.snapshot()
    old = copy.deepcopy(snap)
    behaviors = old.pop("behaviors")
    old["version"] = 1
    for record in (*old["targets"], *old["jobs"]):
        record["behavior"] = copy.deepcopy(behaviors[record["behavior"]])
    restored = Simulator.from_snapshot(old)
    assert restored.snapshot() == snap


@pytest.mark.parametrize("position", [2, -1, True, "0", 0.0])
def test_a_behaviour_position_outside_behaviors_is_refused(position: Any) -> None:
    snap = _sim_with_shared_behaviour().snapshot()
    snap["jobs"][0]["behavior"] = position
    with pytest.raises(SnapshotError) as info:
        Simulator.from_snapshot(snap)
    assert "jobs[0]" in str(info.value)
    assert "behavior" in str(info.value)
