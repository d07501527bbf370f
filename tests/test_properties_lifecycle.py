"""Property: whatever sequence of creates, cancels, starts, finishes and clock advances
is run, every job record keeps the invariants of SPEC section 4, finished jobs never
change, and every batch's counts agree with its listing (SPEC section 6)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim import Simulator, ToolError

P = "acme"
BATCHES = ("6f1c2a9e-3b0d-4e8f-9a21-5c7d8e9f0a1b", "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e")
TARGETS: dict[str, dict[str, Any] | None] = {
    "manual": None,  # driven only by sim_start_job / sim_finish_job (and the deadline)
    "script:ok": {"start_after_seconds": 1, "run_seconds": 2},
    "script:now": {"start_after_seconds": 0, "run_seconds": 0},
    "script:flaky": {"run_seconds": 1.5, "exit_codes": [1, 0], "events": ["try"]},
    "script:bad": {"start_after_seconds": 0.25, "run_seconds": 3, "exit_codes": [2, 7]},
}
STATUSES = ("submitted", "working", "completed", "failed", "canceled")
TERMINAL = {"completed", "failed", "canceled"}

job_index = st.integers(min_value=0, max_value=1000)
create_op = st.tuples(
    st.just("create"),
    st.sampled_from(sorted(TARGETS)),
    st.sampled_from((None, *BATCHES)),
    st.integers(min_value=1, max_value=60),  # timeout_seconds
    st.integers(min_value=0, max_value=3),  # backoff_limit
)
operations = st.lists(
    st.one_of(
        create_op,
        st.tuples(st.just("cancel"), job_index),
        st.tuples(st.just("start"), job_index),
        st.tuples(st.just("finish"), job_index, st.sampled_from((0, 1, 3, 255))),
        st.tuples(st.just("advance"), st.sampled_from((0, 0.001, 0.25, 1, 2.5, 10, 30, 61, 400))),
    ),
    max_size=40,
)


def every(sim: Simulator, tool: str, **args: Any) -> list[dict[str, Any]]:
    """Every item of a listing, following ``next``."""
    out: list[dict[str, Any]] = []
    args = {"project_reference": P, "limit": 100, **args}
    while True:
        got = sim.call(tool, args)
        out += got["data"]
        if got["page_info"]["next"] is None:
            return out
        args["cursor"] = got["page_info"]["next"]


def ever_started(sim: Simulator, job_id: str) -> bool:
    log = sim.call("get_job_events", {"project_reference": P, "job_id": job_id, "limit": 1000})
    return any(e["message"] == "job started" for e in log["entries"])


class Model:
    """What the test itself knows: which jobs exist, their batches, frozen records."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.jobs: list[str] = []
        self.batch_of: dict[str, str | None] = {}
        self.frozen: dict[str, dict[str, Any]] = {}
        self.first_seen: dict[str, tuple[str, str | None]] = {}  # created_at, started_at

    def apply(self, op: tuple[Any, ...]) -> None:
        sim, kind = self.sim, op[0]
        if kind == "create":
            _, target, batch, timeout, backoff = op
            args: dict[str, Any] = {
                "project_reference": P,
                "name": f"job {len(self.jobs)}",
                "target": target,
                "timeout_seconds": timeout,
                "backoff_limit": backoff,
            }
            if batch is not None:
                args["batch_id"] = batch
            job = sim.call("create_job", args)
            assert job["status"] == "submitted"
            self.jobs.append(job["id"])
            self.batch_of[job["id"]] = batch
        elif kind == "advance":
            sim.call("sim_advance_clock", {"seconds": op[1]})
        elif self.jobs:
            tool = {"cancel": "cancel_job", "start": "sim_start_job", "finish": "sim_finish_job"}
            args = {"project_reference": P, "job_id": self.jobs[op[1] % len(self.jobs)]}
            if kind == "finish":
                args["exit_code"] = op[2]
            try:
                sim.call(tool[kind], args)
            except ToolError as error:
                refused: str | None = error.code
            else:
                refused = None
            assert refused in (None, "conflict")  # conflict: not in a state that allows it

    def check(self) -> None:
        records = every(self.sim, "list_jobs")
        assert sorted(j["id"] for j in records) == sorted(self.jobs)
        for job in records:
            check_record(self.sim, job)
            frozen = self.frozen.get(job["id"])
            if frozen is not None:
                assert job == frozen, "a finished job changed"
            elif job["status"] in TERMINAL:
                self.frozen[job["id"]] = job
            assert job["batch_id"] == self.batch_of[job["id"]]
            # created_at never changes, and started_at is set once, by the first start
            seen = self.first_seen.get(job["id"])
            if seen is not None:
                assert job["created_at"] == seen[0]
                assert seen[1] is None or job["started_at"] == seen[1]
            self.first_seen[job["id"]] = (job["created_at"], job["started_at"])
        for status in STATUSES:
            listed = every(self.sim, "list_jobs", status=status)
            assert sorted(j["id"] for j in listed) == sorted(
                j["id"] for j in records if j["status"] == status
            )
        for batch_id in {b for b in self.batch_of.values() if b is not None}:
            self.check_batch(batch_id, [j for j in records if j["batch_id"] == batch_id])

    def check_batch(self, batch_id: str, members: list[dict[str, Any]]) -> None:
        batch = self.sim.call("get_job_batch", {"project_reference": P, "batch_id": batch_id})
        listed = every(self.sim, "list_job_batch_jobs", batch_id=batch_id)
        assert batch["job_count"] == sum(batch["status_counts"].values()) == len(listed)
        assert sorted(j["id"] for j in listed) == sorted(j["id"] for j in members)
        for status in STATUSES:
            count = sum(j["status"] == status for j in listed)
            assert batch["status_counts"][status] == count
            by_status = every(self.sim, "list_job_batch_jobs", batch_id=batch_id, status=status)
            assert len(by_status) == count
        assert batch["created_at"] == min(j["created_at"] for j in members)
        assert batch["updated_at"] == max(j["updated_at"] for j in members)


def check_record(sim: Simulator, job: dict[str, Any]) -> None:
    status = job["status"]
    created, started, completed = job["created_at"], job["started_at"], job["completed_at"]
    # the timestamps share one fixed-width format, so text order is time order
    assert created <= job["updated_at"]
    if started is not None:
        assert created <= started <= job["updated_at"]
    if completed is not None:
        assert created <= completed <= job["updated_at"]
        assert started is None or started <= completed
    # started_at null iff the job never reached working
    if status == "submitted":
        assert started is None
    elif status in ("working", "completed", "failed"):
        assert started is not None
    else:
        assert (started is not None) == ever_started(sim, job["id"])
    # completed_at non-null iff terminal
    assert (completed is not None) == (status in TERMINAL)
    # failed_reason non-null iff failed; exit_code only for completed (0) and BackoffLimitExceeded
    if status == "failed":
        assert job["failed_reason"] in ("BackoffLimitExceeded", "DeadlineExceeded")
    else:
        assert job["failed_reason"] is None
    if status == "completed":
        assert job["exit_code"] == 0
    elif job["failed_reason"] == "BackoffLimitExceeded":
        assert job["exit_code"] in range(1, 256)
    else:
        assert job["exit_code"] is None


@settings(max_examples=200, deadline=None)
@given(ops=operations)
def test_every_record_and_batch_keeps_the_lifecycle_invariants(ops):
    sim = Simulator(seed=0, validate_outputs=True)
    sim.call("sim_create_project", {"slug": P})
    for name, behavior in TARGETS.items():
        if behavior is not None:
            sim.call("sim_define_target", {"name": name, "behavior": behavior})
    model = Model(sim)
    for op in ops:
        model.apply(op)
        model.check()
    # a long advance settles every scripted job; the invariants still hold
    sim.call("sim_advance_clock", {"seconds": 3600})
    model.check()
    for job in every(sim, "list_jobs"):
        if job["target"] != "manual":
            assert job["status"] in TERMINAL
