"""Batches: get_job_batch and list_job_batch_jobs (jobsim.batches; SPEC section 6)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from jobsim import Simulator, ToolError

B1 = "3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
B2 = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
STATUSES = ("submitted", "working", "completed", "failed", "canceled")


def refuse(sim: Simulator, tool: str, args: dict[str, Any]) -> ToolError:
    with pytest.raises(ToolError) as info:
        sim.call(tool, args)
    return info.value


def batch(sim: Simulator, batch_id: str = B1, project: str = "acme") -> dict[str, Any]:
    return sim.call("get_job_batch", {"project_reference": project, "batch_id": batch_id})


def all_listed(sim: Simulator, batch_id: str, **filters: Any) -> list[dict[str, Any]]:
    args = {"project_reference": "acme", "batch_id": batch_id, "limit": 7, **filters}
    out: list[dict[str, Any]] = []
    while True:
        page = sim.call("list_job_batch_jobs", args)
        out += page["data"]
        if page["page_info"]["next"] is None:
            return out
        args["cursor"] = page["page_info"]["next"]


def ref(job: dict[str, Any]) -> dict[str, Any]:
    return {"project_reference": "acme", "job_id": job["id"]}


def test_a_batch_exists_from_its_first_job(sim, make_job):
    error = refuse(sim, "get_job_batch", {"project_reference": "acme", "batch_id": B1})
    assert (error.code, error.message) == ("not_found", f"batch '{B1}' not found")
    sim.call("sim_advance_clock", {"seconds": 2})
    job = make_job(batch_id=B1)
    assert job["batch_id"] == B1
    assert batch(sim) == {
        "id": B1,
        "project_id": job["project_id"],
        "target": "t",
        "job_count": 1,
        "status_counts": {
            "submitted": 1,
            "working": 0,
            "completed": 0,
            "failed": 0,
            "canceled": 0,
        },
        "created_at": "2026-01-01T00:00:02.000Z",
        "updated_at": "2026-01-01T00:00:02.000Z",
        "result": None,
    }


def test_status_counts_list_all_five_statuses_in_schema_order(sim, make_job):
    make_job(batch_id=B1)
    assert list(batch(sim)["status_counts"]) == list(STATUSES)


def test_later_jobs_join_the_batch_and_created_at_stays_the_first_jobs(sim, make_job):
    first = make_job(batch_id=B1)
    sim.call("sim_advance_clock", {"seconds": 5})
    make_job(batch_id=B1)
    out = batch(sim)
    assert out["job_count"] == 2
    assert out["created_at"] == first["created_at"]
    assert out["updated_at"] == "2026-01-01T00:00:05.000Z"


def test_batch_target_is_null_when_the_jobs_targets_differ(sim, make_job):
    make_job(batch_id=B1, target="a")
    make_job(batch_id=B1, target="a")
    assert batch(sim)["target"] == "a"
    make_job(batch_id=B1, target="b")
    assert batch(sim)["target"] is None
    make_job(batch_id=B1, target="a")
    assert batch(sim)["target"] is None


def test_updated_at_is_the_latest_change_of_any_member(sim, make_job):
    a = make_job(batch_id=B1)
    b = make_job(batch_id=B1)
    outsider = make_job()
    sim.call("sim_advance_clock", {"seconds": 1})
    sim.call("sim_start_job", ref(a))
    assert batch(sim)["updated_at"] == "2026-01-01T00:00:01.000Z"
    sim.call("sim_advance_clock", {"seconds": 1})
    sim.call("cancel_job", ref(outsider))  # not a member: no change
    assert batch(sim)["updated_at"] == "2026-01-01T00:00:01.000Z"
    sim.call("sim_advance_clock", {"seconds": 1})
    sim.call("sim_finish_job", {**ref(a), "exit_code": 1})  # a retry is a change
    assert batch(sim)["updated_at"] == "2026-01-01T00:00:03.000Z"
    sim.call("sim_advance_clock", {"seconds": 10})  # the next attempt starts by itself
    assert batch(sim)["updated_at"] == "2026-01-01T00:00:13.000Z"
    sim.call("sim_advance_clock", {"seconds": 1})
    sim.call("cancel_job", ref(b))
    out = batch(sim)
    assert out["updated_at"] == "2026-01-01T00:00:14.000Z"
    assert out["updated_at"] == max(sim.call("get_job", ref(j))["updated_at"] for j in (a, b))


def test_scripted_jobs_move_the_counts_as_the_clock_advances(sim, project):
    sim.call("sim_define_target", {"name": "s", "behavior": {"run_seconds": 2, "exit_codes": [0]}})
    for _ in range(3):
        sim.call(
            "create_job",
            {"project_reference": "acme", "name": "n", "target": "s", "batch_id": B1},
        )
    assert batch(sim)["status_counts"]["submitted"] == 3
    sim.call("sim_advance_clock", {"seconds": 0})
    assert batch(sim)["status_counts"]["working"] == 3
    sim.call("sim_advance_clock", {"seconds": 2})
    out = batch(sim)
    assert out["status_counts"]["completed"] == 3
    assert out["updated_at"] == "2026-01-01T00:00:02.000Z"


def check_batch_invariants(sim: Simulator, batch_id: str) -> None:
    out = batch(sim, batch_id)
    listed = all_listed(sim, batch_id)
    assert out["job_count"] == sum(out["status_counts"].values()) == len(listed)
    assert len({j["id"] for j in listed}) == len(listed)
    assert all(j["batch_id"] == batch_id for j in listed)
    for status in STATUSES:
        members = all_listed(sim, batch_id, status=status)
        assert out["status_counts"][status] == len(members), status
        assert all(j["status"] == status for j in members)
    via_list_jobs = sim.call(
        "list_jobs", {"project_reference": "acme", "batch_id": batch_id, "limit": 100}
    )["data"]
    assert via_list_jobs == listed


def test_job_count_equals_sum_of_counts_equals_jobs_listed_through_a_random_run(sim, make_job):
    rng = random.Random(1234)
    jobs: list[dict[str, Any]] = []
    refused: list[str] = []
    for _ in range(120):
        op = rng.random()
        if op < 0.35 or not jobs:
            jobs.append(make_job(batch_id=rng.choice((B1, B2)), backoff_limit=rng.randint(0, 2)))
            continue
        job = sim.call("get_job", ref(rng.choice(jobs)))
        try:
            if op < 0.55:
                sim.call("sim_start_job", ref(job))
            elif op < 0.75:
                sim.call("sim_finish_job", {**ref(job), "exit_code": rng.choice((0, 1))})
            elif op < 0.85:
                sim.call("cancel_job", ref(job))
            else:
                sim.call("sim_advance_clock", {"seconds": rng.choice((1, 10, 40))})
        except ToolError as error:
            refused.append(error.code)
        if rng.random() < 0.2:
            check_batch_invariants(sim, B1)
    for batch_id in (B1, B2):
        check_batch_invariants(sim, batch_id)
    assert set(refused) <= {"conflict"}  # only illegal steps were refused
    counts = batch(sim, B1)["status_counts"]
    assert sum(1 for v in counts.values() if v) >= 3  # the run reached several statuses


def test_batch_id_of_another_project_is_conflict_and_creates_nothing(sim, project):
    other = sim.call("sim_create_project", {"slug": "other"})
    sim.call(
        "create_job", {"project_reference": "other", "name": "n", "target": "t", "batch_id": B1}
    )
    error = refuse(
        sim, "create_job", {"project_reference": "acme", "name": "n", "target": "t", "batch_id": B1}
    )
    assert error.code == "conflict"
    assert error.message == f"batch id '{B1}' is already in use; choose a new UUID for a new batch"
    for secret in (other["id"], "other"):
        assert secret not in error.message
        assert secret not in repr(error.details)
    assert sim.call("list_jobs", {"project_reference": "acme"})["data"] == []
    assert batch(sim, B1, "other")["job_count"] == 1


def test_batch_ids_of_any_uuid_version_are_accepted(sim, make_job):
    for batch_id in (
        "00000000-0000-0000-0000-000000000000",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    ):
        assert make_job(batch_id=batch_id)["batch_id"] == batch_id


@pytest.mark.parametrize("batch_id", ["b1", B1.upper(), "{" + B1 + "}", B1 + "\n", ""])
def test_batch_id_that_is_not_a_canonical_uuid_is_invalid_and_opens_no_batch(
    sim, make_job, batch_id
):
    with pytest.raises(ToolError) as info:
        make_job(batch_id=batch_id)
    assert info.value.code == "invalid_arguments"
    assert info.value.message.startswith(f"batch_id: {batch_id!r} is not a canonical lowercase")
    assert sim.call("list_jobs", {"project_reference": "acme"})["data"] == []


def test_list_job_batch_jobs_lists_only_members_newest_first(sim, make_job):
    members = [make_job(batch_id=B1, name=f"m{i}") for i in range(3)]
    make_job(batch_id=B2)
    make_job()
    page = sim.call("list_job_batch_jobs", {"project_reference": "acme", "batch_id": B1})
    assert [j["id"] for j in page["data"]] == [j["id"] for j in reversed(members)]
    assert page["page_info"] == {"self": None, "first": None, "next": None, "prev": None}


def test_list_job_batch_jobs_filters_by_status(sim, make_job):
    a, b = make_job(batch_id=B1), make_job(batch_id=B1)
    sim.call("cancel_job", ref(a))
    page = sim.call(
        "list_job_batch_jobs", {"project_reference": "acme", "batch_id": B1, "status": "canceled"}
    )
    assert [j["id"] for j in page["data"]] == [a["id"]]
    page = sim.call(
        "list_job_batch_jobs", {"project_reference": "acme", "batch_id": B1, "status": "failed"}
    )
    assert page["data"] == []
    assert b["status"] == "submitted"


def test_list_job_batch_jobs_limit_as_whole_float_is_taken_as_int(sim, make_job):
    for _ in range(4):
        make_job(batch_id=B1)
    page = sim.call(
        "list_job_batch_jobs", {"project_reference": "acme", "batch_id": B1, "limit": 3.0}
    )
    assert len(page["data"]) == 3
    assert page["page_info"]["next"] == page["data"][-1]["id"]


@pytest.mark.parametrize("tool", ["get_job_batch", "list_job_batch_jobs"])
def test_unknown_batch_is_not_found(sim, project, tool):
    error = refuse(sim, tool, {"project_reference": "acme", "batch_id": B1})
    assert (error.code, error.message) == ("not_found", f"batch '{B1}' not found")


@pytest.mark.parametrize("tool", ["get_job_batch", "list_job_batch_jobs"])
def test_batch_of_another_project_is_not_found_worded_like_a_missing_one(sim, project, tool):
    sim.call("sim_create_project", {"slug": "other"})
    sim.call(
        "create_job", {"project_reference": "other", "name": "n", "target": "t", "batch_id": B1}
    )
    foreign = refuse(sim, tool, {"project_reference": "acme", "batch_id": B1})
    missing = refuse(sim, tool, {"project_reference": "acme", "batch_id": B2})
    assert foreign.code == missing.code == "not_found"
    assert foreign.message.replace(B1, "B") == missing.message.replace(B2, "B")


@pytest.mark.parametrize("tool", ["get_job_batch", "list_job_batch_jobs"])
def test_batch_in_an_unknown_project_is_not_found(sim, tool):
    error = refuse(sim, tool, {"project_reference": "nope", "batch_id": B1})
    assert (error.code, error.message) == ("not_found", "project 'nope' not found")


def test_batch_can_be_read_by_project_id_or_slug(sim, project, make_job):
    make_job(batch_id=B1)
    assert batch(sim, B1, project["id"]) == batch(sim, B1, "acme")
