"""Jobs: create_job, get_job, cancel_job, list_jobs (jobsim.jobs; SPEC sections 3, 5, 7)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from jobsim import Simulator, ToolError

ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
T0 = "2026-01-01T00:00:00.000Z"
KEYS = [
    "id",
    "project_id",
    "environment_id",
    "branch_id",
    "cron_job_id",
    "batch_id",
    "name",
    "status",
    "target",
    "config",
    "timeout_seconds",
    "backoff_limit",
    "exit_code",
    "failed_reason",
    "started_at",
    "completed_at",
    "created_at",
    "updated_at",
]


def refuse(sim: Simulator, tool: str, args: dict[str, Any]) -> ToolError:
    with pytest.raises(ToolError) as info:
        sim.call(tool, args)
    return info.value


def ref(job: dict[str, Any]) -> dict[str, Any]:
    return {"project_reference": "acme", "job_id": job["id"]}


def get(sim: Simulator, job: dict[str, Any]) -> dict[str, Any]:
    return sim.call("get_job", ref(job))


def check_invariants(job: dict[str, Any]) -> None:
    terminal = job["status"] in ("completed", "failed", "canceled")
    for key in ("created_at", "updated_at", "started_at", "completed_at"):
        assert job[key] is None or ISO_MS.match(job[key]), (key, job[key])
    assert (job["completed_at"] is not None) == terminal
    assert (job["failed_reason"] is not None) == (job["status"] == "failed")
    if job["status"] == "completed":
        assert job["exit_code"] == 0
    elif job["failed_reason"] != "BackoffLimitExceeded":
        assert job["exit_code"] is None
    times = [job["created_at"], job["started_at"], job["completed_at"]]
    present = [t for t in times if t is not None]
    assert present == sorted(present)
    assert job["updated_at"] >= job["created_at"]


# -- create_job --------------------------------------------------------------------


def test_create_job_returns_the_18_key_record_in_schema_order(sim, project):
    job = sim.call("create_job", {"project_reference": "acme", "name": "build", "target": "t"})
    assert list(job) == KEYS
    assert job["project_id"] == project["id"]
    assert (job["name"], job["target"], job["status"]) == ("build", "t", "submitted")


def test_new_job_has_defaults_and_nulls(make_job):
    job = make_job()
    assert job["config"] == {}
    assert (job["timeout_seconds"], job["backoff_limit"]) == (300, 3)
    for key in (
        "environment_id",
        "branch_id",
        "cron_job_id",
        "batch_id",
        "exit_code",
        "failed_reason",
        "started_at",
        "completed_at",
    ):
        assert job[key] is None, key
    assert job["created_at"] == job["updated_at"] == T0
    check_invariants(job)


def test_created_at_follows_the_virtual_clock(sim, make_job):
    sim.call("sim_advance_clock", {"seconds": 61.5})
    job = make_job()
    assert job["created_at"] == job["updated_at"] == "2026-01-01T00:01:01.500Z"


@pytest.mark.parametrize("field", ["timeout_seconds", "backoff_limit"])
def test_whole_float_is_taken_as_int_and_returned_as_int(make_job, sim, field):
    job = make_job(**{field: 3.0})
    assert job[field] == 3
    assert type(job[field]) is int
    assert f'"{field}": 3,' in json.dumps(job)
    assert type(get(sim, job)[field]) is int


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timeout_seconds", 1),
        ("timeout_seconds", 86_400),
        ("backoff_limit", 0),
        ("backoff_limit", 100),
    ],
)
def test_range_boundaries_are_accepted(make_job, field, value):
    assert make_job(**{field: value})[field] == value


def test_config_is_kept_as_given(make_job):
    config = {"image": "x:1", "args": ["a", 1, 2.5, True, None], "env": {"K": "V"}}
    assert make_job(config=config)["config"] == config


def test_mutating_the_arguments_after_the_call_changes_nothing(sim, make_job):
    config: dict[str, Any] = {"nested": {"list": [1]}}
    job = make_job(config=config)
    config["nested"]["list"].append(2)
    config["new"] = True
    assert get(sim, job)["config"] == {"nested": {"list": [1]}}


def test_mutating_an_output_changes_nothing(sim, make_job):
    job = make_job(config={"nested": {"list": [1]}})
    job["config"]["nested"]["list"].append(2)
    job["status"] = "completed"
    again = get(sim, job)
    assert again["config"] == {"nested": {"list": [1]}}
    assert again["status"] == "submitted"
    page = sim.call("list_jobs", {"project_reference": "acme"})
    page["data"][0]["config"]["x"] = 1
    assert get(sim, job)["config"] == {"nested": {"list": [1]}}


def test_names_and_targets_may_be_any_non_empty_string(make_job):
    job = make_job(name="Nightly build ✓", target="image:registry/x:1.2")
    assert (job["name"], job["target"]) == ("Nightly build ✓", "image:registry/x:1.2")


def test_create_job_in_an_unknown_project_is_not_found(sim):
    error = refuse(sim, "create_job", {"project_reference": "nope", "name": "n", "target": "t"})
    assert (error.code, error.message) == ("not_found", "project 'nope' not found")


def test_undefined_target_is_accepted_by_default(make_job):
    assert make_job(target="never-defined")["target"] == "never-defined"


def test_strict_targets_refuses_an_undefined_target_and_accepts_a_defined_one():
    sim = Simulator(strict_targets=True)
    sim.call("sim_create_project", {"slug": "acme"})
    args = {"project_reference": "acme", "name": "n", "target": "image:x"}
    error = refuse(sim, "create_job", args)
    assert (error.code, error.message) == ("not_found", "target 'image:x' not found")
    assert sim.call("list_jobs", {"project_reference": "acme"})["data"] == []
    sim.call("sim_define_target", {"name": "image:x"})
    assert sim.call("create_job", args)["target"] == "image:x"


def test_strict_targets_comes_after_invalid_arguments():
    sim = Simulator(strict_targets=True)
    sim.call("sim_create_project", {"slug": "acme"})
    error = refuse(
        sim,
        "create_job",
        {"project_reference": "acme", "name": "n", "target": "image:x", "timeout_seconds": 0},
    )
    assert error.code == "invalid_arguments"


# -- get_job -----------------------------------------------------------------------


def test_get_job_returns_the_current_record(sim, make_job):
    job = make_job()
    assert get(sim, job) == job
    sim.call("sim_advance_clock", {"seconds": 5})
    started = sim.call("sim_start_job", ref(job))
    assert get(sim, job) == started
    assert started["started_at"] == started["updated_at"] == "2026-01-01T00:00:05.000Z"


def test_get_unknown_job_is_not_found(sim, project):
    error = refuse(sim, "get_job", {"project_reference": "acme", "job_id": "nope"})
    assert (error.code, error.message) == ("not_found", "job 'nope' not found")


# -- cancel_job --------------------------------------------------------------------


def test_cancel_of_submitted_job_cancels_it_at_once(sim, make_job):
    job = make_job()
    sim.call("sim_advance_clock", {"seconds": 3})
    out = sim.call("cancel_job", ref(job))
    assert out["status"] == "canceled"
    assert out["completed_at"] == out["updated_at"] == "2026-01-01T00:00:03.000Z"
    assert out["started_at"] is None
    assert out["exit_code"] is None
    assert out["failed_reason"] is None
    assert get(sim, job) == out
    check_invariants(out)


def test_cancel_of_working_job_keeps_started_at(sim, make_job):
    job = make_job()
    sim.call("sim_start_job", ref(job))
    sim.call("sim_advance_clock", {"seconds": 1})
    out = sim.call("cancel_job", ref(job))
    assert out["status"] == "canceled"
    assert out["started_at"] == T0
    assert out["completed_at"] == "2026-01-01T00:00:01.000Z"
    assert (out["exit_code"], out["failed_reason"]) == (None, None)
    check_invariants(out)


def test_cancel_during_a_backoff_cancels_and_no_retry_follows(sim, make_job):
    job = make_job()
    sim.call("sim_start_job", ref(job))
    sim.call("sim_finish_job", {**ref(job), "exit_code": 1})
    out = sim.call("cancel_job", ref(job))
    assert out["status"] == "canceled"
    assert out["exit_code"] is None
    sim.call("sim_advance_clock", {"seconds": 3600})
    assert get(sim, job) == out


def test_cancel_of_scripted_job_stops_its_script(sim, project):
    sim.call("sim_define_target", {"name": "s", "behavior": {"run_seconds": 5}})
    job = sim.call("create_job", {"project_reference": "acme", "name": "n", "target": "s"})
    sim.call("sim_advance_clock", {"seconds": 1})
    assert get(sim, job)["status"] == "working"
    out = sim.call("cancel_job", ref(job))
    sim.call("sim_advance_clock", {"seconds": 60})
    assert get(sim, job) == out


def _terminal_job(sim: Simulator, make_job: Any, status: str) -> dict[str, Any]:
    job = make_job(backoff_limit=0)
    if status == "canceled":
        return sim.call("cancel_job", ref(job))
    sim.call("sim_start_job", ref(job))
    return sim.call("sim_finish_job", {**ref(job), "exit_code": 0 if status == "completed" else 7})


@pytest.mark.parametrize("status", ["completed", "failed", "canceled"])
def test_cancel_of_terminal_job_is_conflict_and_changes_nothing(sim, make_job, status):
    job = _terminal_job(sim, make_job, status)
    assert job["status"] == status
    sim.call("sim_advance_clock", {"seconds": 10})
    error = refuse(sim, "cancel_job", ref(job))
    assert error.code == "conflict"
    assert error.message == (
        f"job {job['id']} is already {status}; only submitted or working jobs can be canceled"
    )
    assert error.details == {"job_id": job["id"], "status": status}
    assert get(sim, job) == job


def test_cancel_of_completed_job_is_conflict(sim, make_job):
    job = _terminal_job(sim, make_job, "completed")
    assert refuse(sim, "cancel_job", ref(job)).code == "conflict"


@pytest.mark.parametrize("status", ["completed", "failed", "canceled"])
def test_cancel_terminal_return_knob_returns_the_record_unchanged(status):
    sim = Simulator(cancel_terminal="return", validate_outputs=True)
    sim.call("sim_create_project", {"slug": "acme"})

    def make_job(**fields: Any) -> dict[str, Any]:
        return sim.call(
            "create_job", {"project_reference": "acme", "name": "n", "target": "t", **fields}
        )

    job = _terminal_job(sim, make_job, status)
    sim.call("sim_advance_clock", {"seconds": 10})
    assert sim.call("cancel_job", ref(job)) == job
    assert get(sim, job) == job
    assert sim.transcript[-2]["result"] == job


def test_cancel_terminal_return_knob_still_cancels_active_jobs():
    sim = Simulator(cancel_terminal="return")
    sim.call("sim_create_project", {"slug": "acme"})
    job = sim.call("create_job", {"project_reference": "acme", "name": "n", "target": "t"})
    assert sim.call("cancel_job", ref(job))["status"] == "canceled"


def test_cancel_terminal_knob_refuses_other_values():
    with pytest.raises(ValueError, match="cancel_terminal must be one of 'conflict', 'return'"):
        Simulator(cancel_terminal="ignore")


@pytest.mark.parametrize("seed", ["1", 1.0, True, None])
def test_seed_must_be_an_int(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        Simulator(seed=seed)


def test_cancel_of_a_job_of_another_project_is_not_found(sim, project):
    sim.call("sim_create_project", {"slug": "other"})
    job = sim.call("create_job", {"project_reference": "other", "name": "n", "target": "t"})
    error = refuse(sim, "cancel_job", ref(job))
    assert (error.code, error.message) == ("not_found", f"job '{job['id']}' not found")
    assert sim.call("get_job", {"project_reference": "other", "job_id": job["id"]}) == job


# -- list_jobs ---------------------------------------------------------------------


def ids(page: dict[str, Any]) -> list[str]:
    return [j["id"] for j in page["data"]]


def test_list_jobs_is_newest_first(sim, make_job):
    made = []
    for i in range(3):
        made.append(make_job(name=f"j{i}"))
        sim.call("sim_advance_clock", {"seconds": 1})
    made.append(make_job(name="same-ms-a"))
    made.append(make_job(name="same-ms-b"))  # same created_at: creation order decides
    page = sim.call("list_jobs", {"project_reference": "acme"})
    assert ids(page) == [j["id"] for j in reversed(made)]
    assert page["page_info"] == {"self": None, "first": None, "next": None, "prev": None}


def test_list_jobs_default_limit_is_20(sim, make_job):
    for _ in range(25):
        make_job()
    page = sim.call("list_jobs", {"project_reference": "acme"})
    assert len(page["data"]) == 20
    assert page["page_info"]["next"] == page["data"][-1]["id"]


def test_list_jobs_limit_as_whole_float_is_taken_as_int(sim, make_job):
    for _ in range(5):
        make_job()
    assert len(sim.call("list_jobs", {"project_reference": "acme", "limit": 3.0})["data"]) == 3


def test_list_jobs_filters_by_status(sim, make_job):
    a, b, c = make_job(), make_job(), make_job()
    sim.call("cancel_job", ref(b))
    sim.call("sim_start_job", ref(c))
    for status, expected in (("submitted", [a]), ("canceled", [b]), ("working", [c])):
        page = sim.call("list_jobs", {"project_reference": "acme", "status": status})
        assert ids(page) == [j["id"] for j in expected]
        assert all(j["status"] == status for j in page["data"])


def test_list_jobs_filters_by_environment_batch_and_combinations(sim, make_job):
    env = sim.call("sim_create_environment", {"project_reference": "acme", "name": "e"})
    batch = "3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
    plain = make_job()
    in_env = make_job(environment_id=env["id"])
    in_batch = make_job(batch_id=batch)
    both = make_job(environment_id=env["id"], batch_id=batch)
    sim.call("cancel_job", ref(both))

    def listed(**filters: Any) -> list[str]:
        return ids(sim.call("list_jobs", {"project_reference": "acme", **filters}))

    assert listed(environment_id=env["id"]) == [both["id"], in_env["id"]]
    assert listed(batch_id=batch) == [both["id"], in_batch["id"]]
    assert listed(batch_id=batch, environment_id=env["id"]) == [both["id"]]
    assert listed(batch_id=batch, status="submitted") == [in_batch["id"]]
    assert listed(batch_id=batch, environment_id=env["id"], status="submitted") == []
    assert plain["id"] in listed()


def test_list_jobs_filters_by_cron_job_id(sim, project):
    cron = sim.call(
        "create_cron_job",
        {
            "project_reference": "acme",
            "name": "c",
            "target": "t",
            "schedule": "* * * * *",
            "concurrency_policy": "Allow",
        },
    )
    sim.call("create_job", {"project_reference": "acme", "name": "other", "target": "t"})
    sim.call("sim_advance_clock", {"seconds": 120})
    page = sim.call("list_jobs", {"project_reference": "acme", "cron_job_id": cron["id"]})
    assert len(page["data"]) == 2
    assert all(j["cron_job_id"] == cron["id"] for j in page["data"])


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "failed"},
        {"cron_job_id": "no-such-cron"},
        {"environment_id": "no-such-env"},
        {"batch_id": "not-even-a-uuid"},
        {"batch_id": "11111111-2222-4333-8444-555555555555", "status": "working"},
    ],
)
def test_list_jobs_filter_matching_nothing_gives_an_empty_page(sim, make_job, filters):
    make_job()
    page = sim.call("list_jobs", {"project_reference": "acme", **filters})
    assert page == {
        "data": [],
        "page_info": {"self": None, "first": None, "next": None, "prev": None},
    }


def test_list_jobs_filter_by_a_batch_of_another_project_gives_an_empty_page(sim, project):
    sim.call("sim_create_project", {"slug": "other"})
    batch = "3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
    sim.call(
        "create_job", {"project_reference": "other", "name": "n", "target": "t", "batch_id": batch}
    )
    assert sim.call("list_jobs", {"project_reference": "acme", "batch_id": batch})["data"] == []


def test_list_jobs_of_unknown_project_is_not_found(sim):
    error = refuse(sim, "list_jobs", {"project_reference": "nope"})
    assert (error.code, error.message) == ("not_found", "project 'nope' not found")


def test_records_keep_their_invariants_through_the_lifecycle(sim, make_job):
    jobs = [make_job(backoff_limit=1, timeout_seconds=100) for _ in range(6)]
    sim.call("sim_start_job", ref(jobs[0]))
    sim.call("sim_start_job", ref(jobs[1]))
    sim.call("sim_finish_job", {**ref(jobs[1]), "exit_code": 0})
    sim.call("sim_start_job", ref(jobs[2]))
    sim.call("sim_finish_job", {**ref(jobs[2]), "exit_code": 2})
    sim.call("sim_advance_clock", {"seconds": 10})
    sim.call("sim_finish_job", {**ref(jobs[2]), "exit_code": 2})
    sim.call("cancel_job", ref(jobs[3]))
    sim.call("sim_start_job", ref(jobs[4]))
    sim.call("sim_advance_clock", {"seconds": 200})  # jobs[0] and jobs[4] time out
    listed = sim.call("list_jobs", {"project_reference": "acme"})["data"]
    by_id = {j["id"]: j for j in listed}
    assert [by_id[j["id"]]["status"] for j in jobs] == [
        "failed",
        "completed",
        "failed",
        "canceled",
        "failed",
        "submitted",
    ]
    assert by_id[jobs[2]["id"]]["exit_code"] == 2
    assert by_id[jobs[2]["id"]]["failed_reason"] == "BackoffLimitExceeded"
    assert by_id[jobs[0]["id"]]["failed_reason"] == "DeadlineExceeded"
    assert by_id[jobs[0]["id"]]["exit_code"] is None
    for job in listed:
        check_invariants(job)
