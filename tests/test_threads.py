"""Thread safety (SPEC section 12): ``Simulator.call`` from many threads at once.

``THREADS`` threads start together (a barrier) and each runs ``OPERATIONS`` mixed
calls on one simulator: creating jobs in shared and private batches, cancelling,
starting and finishing jobs, walking pages of ``list_jobs`` and
``list_job_batch_jobs``, reading batches and advancing the clock, while one more
thread keeps taking snapshots and restoring them. Afterwards nothing may be lost:
every created id is there, the number of jobs equals the number of creates, every
cancel that returned a record is still canceled, every batch's counts agree with its
listed jobs, a full page walk returns every job exactly once, every job satisfies
the invariants of SPEC section 4, and the transcript holds every call, in an order
whose virtual times never go backwards.

Joins are bounded (a safety net against a deadlock, not a timing assertion).
"""

from __future__ import annotations

import random
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from jobsim import Simulator, ToolError
from jobsim.registry import TOOLS

THREADS = 8
OPERATIONS = 300
JOIN_TIMEOUT = 300.0  # seconds; only a guard against a hang

PROJECTS = ("red", "blue")
TERMINAL = {"completed", "failed", "canceled"}
SHARED_BATCHES = {
    p: [str(uuid.UUID(int=100 * (i + 1) + k, version=4)) for k in range(3)]
    for i, p in enumerate(PROJECTS)
}


@pytest.fixture(autouse=True)
def _switch_threads_often() -> Iterator[None]:
    """Hand the GIL over every few microseconds (not every 5 ms): many more interleavings
    per call, so a missing lock shows up as lost updates rather than passing by luck."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


@dataclass
class Worker:
    """What one thread did, kept by that thread alone."""

    index: int
    calls: int = 0
    created: dict[str, tuple[str, str | None]] = field(
        default_factory=dict
    )  # id -> (project, batch)
    canceled: set[str] = field(default_factory=set)
    refused: Counter[str] = field(default_factory=Counter)
    walks: int = 0


def _new_simulator() -> Simulator:
    sim = Simulator(seed=11)
    for slug in PROJECTS:
        sim.call("sim_create_project", {"slug": slug})
    # Scripted jobs progress by themselves as any thread advances the clock.
    sim.call(
        "sim_define_target",
        {
            "name": "task:flaky",
            "behavior": {"start_after_seconds": 1, "run_seconds": 2, "exit_codes": [1, 0]},
        },
    )
    sim.call("sim_define_target", {"name": "task:ok", "behavior": {"run_seconds": 1}})
    return sim


def _work(sim: Simulator, me: Worker, shared: list[tuple[str, str]]) -> None:
    rng = random.Random(1000 + me.index)
    own_batches = {p: str(uuid.UUID(int=rng.getrandbits(128), version=4)) for p in PROJECTS}

    def call(tool: str, args: dict[str, Any]) -> dict[str, Any] | None:
        me.calls += 1
        try:
            return sim.call(tool, args)
        except ToolError as caught:
            error = caught
        me.refused[f"{tool}:{error.code}"] += 1
        assert error.code in ("conflict", "not_found", "invalid_arguments"), error
        return None

    def some_job() -> tuple[str, str] | None:
        """One of this thread's jobs, or of any thread's (list.append is atomic)."""
        if shared and rng.random() < 0.5:
            return rng.choice(shared)
        if not me.created:
            return None
        job_id = rng.choice(list(me.created))
        return me.created[job_id][0], job_id

    for n in range(OPERATIONS):
        project = rng.choice(PROJECTS)
        op = rng.random()
        if op < 0.35:
            batch = rng.choice([None, own_batches[project], *SHARED_BATCHES[project]])
            args: dict[str, Any] = {
                "project_reference": project,
                "name": f"t{me.index}-{n}",
                "target": rng.choice(["task:flaky", "task:ok", "img:manual"]),
                "backoff_limit": rng.choice([0, 1]),
            }
            if batch is not None:
                args["batch_id"] = batch
            job = call("create_job", args)
            assert job is not None, f"create_job {args} was refused: {me.refused}"
            assert job["status"] == "submitted"
            me.created[job["id"]] = (project, batch)
            shared.append((project, job["id"]))
        elif op < 0.45:
            picked = some_job()
            if picked is not None:
                ref, job_id = picked
                out = call("cancel_job", {"project_reference": ref, "job_id": job_id})
                if out is not None:
                    assert out["status"] == "canceled"
                    me.canceled.add(job_id)
        elif op < 0.55:
            picked = some_job()
            if picked is not None:
                ref, job_id = picked
                call("sim_start_job", {"project_reference": ref, "job_id": job_id})
        elif op < 0.62:
            picked = some_job()
            if picked is not None:
                ref, job_id = picked
                exit_code = rng.choice([0, 0, 1])
                call(
                    "sim_finish_job",
                    {"project_reference": ref, "job_id": job_id, "exit_code": exit_code},
                )
        elif op < 0.75:
            _walk_a_few_pages(call, project, rng)
            me.walks += 1
        elif op < 0.85:
            batch = rng.choice(SHARED_BATCHES[project])
            out = call("get_job_batch", {"project_reference": project, "batch_id": batch})
            if out is not None:  # not_found until some thread creates its first job
                assert out["job_count"] == sum(out["status_counts"].values())
        elif op < 0.92:
            batch = rng.choice(SHARED_BATCHES[project])
            args = {"project_reference": project, "batch_id": batch, "limit": rng.randint(1, 10)}
            call("list_job_batch_jobs", args)
        else:
            out = call("sim_advance_clock", {"seconds": rng.choice([0, 0.5, 1, 3, 20])})
            assert out is not None


def _walk_a_few_pages(call: Any, project: str, rng: random.Random) -> None:
    """Up to three pages by ``next``: never an item twice, even while others change things."""
    seen: set[str] = set()
    cursor = None
    status = rng.choice([None, None, "submitted", "working"])
    for _ in range(3):
        args: dict[str, Any] = {"project_reference": project, "limit": rng.randint(1, 15)}
        if cursor is not None:
            args["cursor"] = cursor
        if status is not None:
            args["status"] = status
        page = call("list_jobs", args)
        assert page is not None, "a cursor from page_info.next must stay valid"
        ids = [j["id"] for j in page["data"]]
        assert not seen & set(ids), "a page walk returned an item twice"
        seen.update(ids)
        cursor = page["page_info"]["next"]
        if cursor is None:
            break


def _snapshotter(sim: Simulator, stop: threading.Event, counts: list[int]) -> None:
    """Snapshots taken while the others work are whole: each restores and round-trips."""
    while not stop.is_set():
        snap = sim.snapshot()
        restored = Simulator.from_snapshot(snap)
        assert restored.snapshot() == snap
        assert len(sim.transcript) >= len(snap["transcript"])
        counts[0] += 1


def _walk_all(sim: Simulator, tool: str, args: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page_args = {**args, "limit": limit}
        if cursor is not None:
            page_args["cursor"] = cursor
        page = sim.call(tool, page_args)
        items.extend(page["data"])
        cursor = page["page_info"]["next"]
        if cursor is None:
            return items


def _check_invariants(job: dict[str, Any], now: str) -> None:
    """SPEC section 4, for one record."""
    status = job["status"]
    created, started, completed = job["created_at"], job["started_at"], job["completed_at"]
    assert created <= job["updated_at"] <= now
    if started is not None:
        assert created <= started
    if completed is not None:
        assert (started or created) <= completed
    assert (completed is not None) == (status in TERMINAL)
    if status == "submitted":
        assert started is None
    if status in ("working", "completed", "failed"):
        assert started is not None
    assert (job["failed_reason"] is not None) == (status == "failed")
    if status == "completed":
        assert job["exit_code"] == 0
    elif status == "failed" and job["failed_reason"] == "BackoffLimitExceeded":
        assert job["exit_code"] not in (None, 0)
    else:
        assert job["exit_code"] is None
    assert TOOLS["get_job"].output_validator.is_valid(job)


def test_many_threads_lose_nothing_and_keep_every_invariant(
    run_threads: Callable[..., list[Any]],
) -> None:
    sim = _new_simulator()
    calls_before = len(sim.transcript)
    workers = [Worker(i) for i in range(THREADS)]
    snapshots = [0]
    shared: list[tuple[str, str]] = []
    run_threads(
        [partial(_work, sim, w, shared) for w in workers],
        timeout=JOIN_TIMEOUT,
        alongside=partial(_snapshotter, sim, counts=snapshots),
    )
    assert snapshots[0] > 0

    created: dict[str, tuple[str, str | None]] = {}
    for w in workers:
        assert not created.keys() & w.created.keys(), "two creates returned the same id"
        created.update(w.created)
    canceled = set().union(*(w.canceled for w in workers))
    now = sim.now

    # Every call is in the transcript, serialised in an order whose time never goes back.
    transcript = sim.transcript
    assert len(transcript) == calls_before + sum(w.calls for w in workers)
    times = [entry["at"] for entry in transcript]
    assert times == sorted(times)

    # Every create is there: the project listings hold exactly the created jobs, once.
    for project in PROJECTS:
        mine = {i for i, (p, _) in created.items() if p == project}
        listed = _walk_all(sim, "list_jobs", {"project_reference": project}, limit=7)
        ids = [j["id"] for j in listed]
        assert len(ids) == len(set(ids)), "a full page walk returned a job twice"
        assert set(ids) == mine
        for job in listed:
            _check_invariants(job, now)
            if job["id"] in canceled:
                assert job["status"] == "canceled"
            assert job["batch_id"] == created[job["id"]][1]

    # Every batch's counts agree with its listed jobs and with the creates.
    batches = {b for _, b in created.values() if b is not None}
    for project, batch in {(p, b) for p, b in created.values() if b is not None}:
        summary = sim.call("get_job_batch", {"project_reference": project, "batch_id": batch})
        listed = _walk_all(
            sim, "list_job_batch_jobs", {"project_reference": project, "batch_id": batch}, limit=9
        )
        expected = {i for i, (_, b) in created.items() if b == batch}
        assert {j["id"] for j in listed} == expected
        assert summary["job_count"] == len(listed) == len(expected)
        assert summary["status_counts"] == {
            s: sum(1 for j in listed if j["status"] == s) for s in summary["status_counts"]
        }
    assert len(batches) >= THREADS  # private batches, plus the shared ones

    total_ops = sum(w.calls for w in workers)
    assert total_ops >= THREADS * OPERATIONS
    assert sum(w.walks for w in workers) > 0
    assert canceled, "no cancel succeeded: the mix tests little"


def test_concurrent_calls_are_atomic_twins_of_a_serial_replay(
    run_threads: Callable[..., list[Any]],
) -> None:
    """Replaying the transcript's successful calls in its order on a fresh simulator
    gives exactly the outputs the threads saw: each call ran whole, alone."""
    sim = _new_simulator()

    def work(index: int) -> None:
        rng = random.Random(index)
        for n in range(150):
            project = rng.choice(PROJECTS)
            roll = rng.random()
            try:
                if roll < 0.5:
                    sim.call(
                        "create_job",
                        {
                            "project_reference": project,
                            "name": f"{index}-{n}",
                            "target": "task:flaky",
                            "batch_id": SHARED_BATCHES[project][0],
                        },
                    )
                elif roll < 0.8:
                    sim.call("sim_advance_clock", {"seconds": rng.choice([0, 1, 2])})
                else:
                    sim.call("list_jobs", {"project_reference": project, "limit": 5})
            except ToolError:
                pass

    run_threads([partial(work, i) for i in range(4)], timeout=JOIN_TIMEOUT)

    twin = _new_simulator()
    transcript = sim.transcript
    assert twin.transcript == transcript[: len(twin.transcript)]
    for entry in transcript[len(twin.transcript) :]:
        assert "result" in entry, entry
        assert twin.call(entry["tool"], entry["arguments"]) == entry["result"]
    assert twin.snapshot() == sim.snapshot()
