"""The lifecycle table (jobsim.lifecycle.RULES) and what reads it."""

from __future__ import annotations

import pytest
from hypothesis import find

from jobsim import Simulator
from jobsim.checkers import job_record_problems
from jobsim.lifecycle import (
    ACTIVE,
    CRON_STATUSES,
    DEFAULT_BACKOFF,
    DEFAULT_POLICY,
    DEFAULT_TIMEOUT,
    POLICIES,
    RULES,
    SHAPES,
    STATUSES,
    TERMINAL,
)
from jobsim.registry import TOOLS
from jobsim.strategies import job_records


def _enum(tool: str, key: str) -> list[str]:
    return list(TOOLS[tool].input_schema["properties"][key]["enum"])


def test_statuses_cron_statuses_and_policies_are_the_schemas_enums_in_order():
    assert list(STATUSES) == _enum("list_jobs", "status")
    assert list(CRON_STATUSES) == _enum("list_cron_jobs", "status")
    assert list(POLICIES) == _enum("create_cron_job", "concurrency_policy")


def test_active_and_terminal_split_the_statuses():
    assert set(STATUSES) == ACTIVE | TERMINAL
    assert not ACTIVE & TERMINAL
    assert all(RULES[s].terminal == (s in TERMINAL) for s in STATUSES)


def test_the_shapes_are_every_reason_and_start_each_status_allows_simplest_first():
    assert [(s.name, s.status, s.started, s.reason) for s in SHAPES] == [
        ("submitted", "submitted", False, None),
        ("working", "working", True, None),
        ("completed", "completed", True, None),
        ("backoff_exceeded", "failed", True, "BackoffLimitExceeded"),
        ("deadline_exceeded", "failed", True, "DeadlineExceeded"),
        ("canceled_queued", "canceled", False, None),
        ("canceled_running", "canceled", True, None),
    ]
    assert RULES["failed"].reasons == ("BackoffLimitExceeded", "DeadlineExceeded")
    assert RULES["completed"].reasons == ()


def test_the_defaults_are_what_create_job_and_create_cron_job_apply():
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "acme"})
    args = {"project_reference": "acme", "name": "n", "target": "t"}
    job = sim.call("create_job", args)
    cron = sim.call("create_cron_job", {**args, "schedule": "0 * * * *"})
    for record in (job, cron):
        assert (record["timeout_seconds"], record["backoff_limit"]) == (
            DEFAULT_TIMEOUT,
            DEFAULT_BACKOFF,
        )
    assert cron["concurrency_policy"] == DEFAULT_POLICY


@pytest.mark.parametrize(("status", "reason"), [("completed", None), ("working", None)])
def test_a_reason_on_a_status_without_reasons_is_a_problem(status, reason):
    record = find(job_records(status), lambda r: True)
    broken = {**record, "failed_reason": "BackoffLimitExceeded"}
    assert any("failed_reason" in p for p in job_record_problems(broken))
    assert job_record_problems({**record, "failed_reason": reason}) == []


def test_an_unhashable_failed_reason_is_a_problem_not_a_crash():
    record = find(job_records("failed"), lambda r: True)
    assert job_record_problems({**record, "failed_reason": ["x"]})


def test_a_timestamp_of_the_right_form_naming_no_real_day_is_a_problem():
    record = find(job_records("submitted"), lambda r: True)
    broken = {**record, "created_at": "2026-02-30T00:00:00.000Z"}
    assert "created_at '2026-02-30T00:00:00.000Z' is not a real date and time" in (
        job_record_problems(broken)
    )


def test_an_exit_code_written_as_a_whole_float_counts_as_that_integer():
    record = find(job_records(exit_code=3.0), lambda r: True)
    assert record["exit_code"] == 3
    assert record["failed_reason"] == "BackoffLimitExceeded"
    assert job_record_problems(record) == []
    assert job_record_problems({**record, "exit_code": 3.5})
    assert job_record_problems({**record, "exit_code": True})
