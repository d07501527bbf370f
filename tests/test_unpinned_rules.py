"""Rules that a mutation run (issue 16, at aaa5c27) found no test pinning.

Each test here fails on one of the surviving mutants: the behaviour it names was
right in the code, but nothing would have noticed it going wrong.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, tzinfo
from typing import Any

import pytest

from jobsim import Simulator
from jobsim.snapshot import SnapshotError

BATCH = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"


def _sim() -> Simulator:
    sim = Simulator(seed=0)
    sim.call("sim_create_project", {"slug": "acme"})
    return sim


def _job(sim: Simulator, **extra: Any) -> dict[str, Any]:
    args = {"project_reference": "acme", "name": "n", "target": "t", **extra}
    return sim.call("create_job", args)


def _status(sim: Simulator, job_id: str) -> str:
    job = sim.call("get_job", {"project_reference": "acme", "job_id": job_id})
    status: str = job["status"]
    return status


# -- runtime -------------------------------------------------------------------------


def test_scripted_end_voided_by_finish_does_not_end_the_retry() -> None:
    sim = _sim()
    sim.call("sim_define_target", {"name": "t", "behavior": {"run_seconds": 20}})
    job = _job(sim)
    sim.call("sim_advance_clock", {"seconds": 2})  # attempt 1 started at 0 s, ends at 20 s
    sim.call("sim_finish_job", {"project_reference": "acme", "job_id": job["id"], "exit_code": 1})
    sim.call("sim_advance_clock", {"seconds": 19})  # retry at 12 s; the voided end was 20 s
    assert _status(sim, job["id"]) == "working"
    events = sim.call("get_job_events", {"project_reference": "acme", "job_id": job["id"]})
    messages = [e["message"] for e in events["entries"]]
    assert "attempt 2 of 4 started" in messages
    assert not any(m.startswith("attempt 2 exited") for m in messages)


# -- listings ------------------------------------------------------------------------


def test_list_jobs_with_batch_cron_and_environment_filters_needs_all_three() -> None:
    sim = _sim()
    env = sim.call("sim_create_environment", {"project_reference": "acme", "name": "prod"})
    cron = sim.call(
        "create_cron_job",
        {"project_reference": "acme", "name": "c", "target": "t", "schedule": "* * * * *"},
    )
    _job(sim, batch_id=BATCH, environment_id=env["id"])  # batch and environment, no cron
    page = sim.call(
        "list_jobs",
        {
            "project_reference": "acme",
            "batch_id": BATCH,
            "cron_job_id": cron["id"],
            "environment_id": env["id"],
        },
    )
    assert page["data"] == []


def test_list_job_batch_jobs_without_limit_returns_twenty() -> None:
    sim = _sim()
    for _ in range(25):
        _job(sim, batch_id=BATCH)
    page = sim.call("list_job_batch_jobs", {"project_reference": "acme", "batch_id": BATCH})
    assert len(page["data"]) == 20
    assert page["page_info"]["next"] is not None


# -- clock ---------------------------------------------------------------------------


class _NoOffset(tzinfo):
    """A tzinfo that is set but knows no offset: the datetime is naive in effect."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_start_datetime_whose_zone_has_no_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        Simulator(start=datetime(2030, 1, 1, tzinfo=_NoOffset()))


# -- snapshot restore ------------------------------------------------------------------


def _busy_snapshot() -> dict[str, Any]:
    sim = _sim()
    sim.call("sim_define_target", {"name": "t", "behavior": {"run_seconds": 20}})
    _job(sim)
    sim.call(
        "create_cron_job",
        {"project_reference": "acme", "name": "c", "target": "t", "schedule": "* * * * *"},
    )
    sim.call("sim_advance_clock", {"seconds": 1})
    return sim.snapshot()


def _refused(snapshot: dict[str, Any], match: str) -> None:
    with pytest.raises(SnapshotError, match=match):
        Simulator.from_snapshot(snapshot)


def test_restore_refuses_deleting_status_missing_from_deleting_list() -> None:
    snap = _busy_snapshot()
    snap["cron_jobs"][0]["status"] = "deleting"
    assert snap["deleting"] == []
    _refused(snap, "deleting")


def test_restore_refuses_cron_in_deleting_list_whose_status_is_not_deleting() -> None:
    snap = _busy_snapshot()
    snap["deleting"] = [snap["cron_jobs"][0]["id"]]
    _refused(snap, "deleting")


def test_restore_refuses_two_queued_events_with_the_same_order() -> None:
    snap = _busy_snapshot()
    events = snap["queue"]["events"]
    assert len(events) >= 2
    events[1][1] = events[0][1]
    _refused(snap, "appears twice")


def test_restore_refuses_attempt_above_backoff_limit_plus_one() -> None:
    snap = _busy_snapshot()
    job = snap["jobs"][0]
    job["attempt"] = job["backoff_limit"] + 2
    _refused(snap, "attempt")


def test_restore_accepts_attempt_equal_to_backoff_limit_plus_one() -> None:
    snap = _busy_snapshot()
    job = snap["jobs"][0]
    job["backoff_limit"] = 0  # one attempt allowed, and it is running
    assert job["attempt"] == 1
    Simulator.from_snapshot(snap)


def test_restore_refuses_started_job_with_no_attempt() -> None:
    snap = _busy_snapshot()
    job = snap["jobs"][0]
    assert job["started_ms"] is not None
    job["attempt"] = 0
    _refused(snap, "started_ms must be set exactly when an attempt has started")


def test_restore_refuses_id_source_rewound_past_a_dropped_cron_job() -> None:
    sim = _sim()  # draws the project's id
    cron = sim.call(
        "create_cron_job",
        {"project_reference": "acme", "name": "c", "target": "t", "schedule": "* * * * *"},
    )
    job = _job(sim)
    sim.call("delete_cron_job", {"project_reference": "acme", "cron_job_id": cron["id"]})
    sim.call("sim_advance_clock", {"seconds": 1})  # the deleted cron job is dropped
    snap = sim.snapshot()
    assert [c["id"] for c in snap["cron_jobs"]] == []
    rewound = copy.deepcopy(snap)
    rewound["ids"]["drawn"] -= 2  # next: the dropped cron job's id (free), then the job's
    with pytest.raises(SnapshotError, match="would be drawn again"):
        Simulator.from_snapshot(rewound)
    assert job["id"] in {j["id"] for j in snap["jobs"]}
