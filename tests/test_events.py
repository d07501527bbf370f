"""Job events (SPEC section 10): every lifecycle step is an entry; paging in both
directions with opaque cursors bound to their direction and job; stats; metadata."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import Simulator, ToolError
from jobsim.registry import get as get_tool

P = "acme"


@pytest.fixture
def sim() -> Simulator:
    s = Simulator(seed=5, validate_outputs=True)
    s.call("sim_create_project", {"slug": P})
    return s


def create(sim: Simulator, target: str = "manual", **extra: Any) -> dict[str, Any]:
    return sim.call("create_job", {"project_reference": P, "name": "j", "target": target, **extra})


def control(sim: Simulator, tool: str, job: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return sim.call(tool, {"project_reference": P, "job_id": job["id"], **extra})


def advance(sim: Simulator, seconds: float) -> None:
    sim.call("sim_advance_clock", {"seconds": seconds})


def page(sim: Simulator, job: dict[str, Any], **args: Any) -> dict[str, Any]:
    return sim.call("get_job_events", {"project_reference": P, "job_id": job["id"], **args})


def refused(sim: Simulator, job: dict[str, Any], **args: Any) -> ToolError:
    with pytest.raises(ToolError) as info:
        page(sim, job, **args)
    return info.value


def rows(entries: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """(time of day, level, message, status, attempt) of each entry."""
    return [
        (
            e["timestamp"][11:23],
            e["level"],
            e["message"],
            e["metadata"]["status"],
            e["metadata"]["attempt"],
        )
        for e in entries
    ]


def walk(sim: Simulator, job: dict[str, Any], direction: str, limit: int) -> list[dict[str, Any]]:
    """Every entry, page by page, checking each page's stats on the way."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        args: dict[str, Any] = {"direction": direction, "limit": limit}
        if cursor is not None:
            args["cursor"] = cursor
        got = page(sim, job, **args)
        assert 1 <= len(got["entries"]) <= limit
        assert got["stats"]["lines_processed"] == len(got["entries"])
        out += got["entries"]
        cursor = got["next_cursor"]
        if cursor is None:
            return out


@pytest.fixture
def flaky_job(sim: Simulator) -> dict[str, Any]:
    """A scripted job: starts at 2s, runs 5s, exits 1 then 0, logs a message per attempt."""
    sim.call(
        "sim_define_target",
        {
            "name": "task:flaky",
            "behavior": {
                "start_after_seconds": 2,
                "run_seconds": 5,
                "exit_codes": [1, 0],
                "events": ["loading model"],
            },
        },
    )
    job = create(sim, "task:flaky", backoff_limit=2)
    advance(sim, 60)
    return job


# -- content -------------------------------------------------------------------------


def test_a_scripted_job_logs_every_lifecycle_step_attempt_retry_and_message(sim, flaky_job):
    assert rows(page(sim, flaky_job, direction="forward")["entries"]) == [
        ("00:00:00.000", "info", "job created", "submitted", "0"),
        ("00:00:02.000", "info", "job started", "working", "0"),
        ("00:00:02.000", "info", "attempt 1 of 3 started", "working", "1"),
        ("00:00:02.000", "info", "loading model", "working", "1"),
        (
            "00:00:07.000",
            "warning",
            "attempt 1 exited with code 1; retrying in 10s",
            "working",
            "1",
        ),
        ("00:00:17.000", "info", "attempt 2 of 3 started", "working", "2"),
        ("00:00:17.000", "info", "loading model", "working", "2"),
        ("00:00:22.000", "info", "attempt 2 exited with code 0", "working", "2"),
        ("00:00:22.000", "info", "job completed", "completed", "2"),
    ]


def test_a_job_that_exhausts_its_retries_logs_the_failure(sim):
    job = create(sim, backoff_limit=0)
    control(sim, "sim_start_job", job)
    advance(sim, 1)
    control(sim, "sim_finish_job", job, exit_code=3)
    assert rows(page(sim, job, direction="forward")["entries"])[-2:] == [
        ("00:00:01.000", "warning", "attempt 1 exited with code 3", "working", "1"),
        (
            "00:00:01.000",
            "error",
            "job failed: BackoffLimitExceeded after 1 attempts",
            "failed",
            "1",
        ),
    ]


def test_a_deadline_is_logged_as_an_error(sim):
    job = create(sim, timeout_seconds=5)
    control(sim, "sim_start_job", job)
    advance(sim, 10)
    assert rows(page(sim, job, limit=1)["entries"]) == [
        ("00:00:05.000", "error", "job failed: DeadlineExceeded after 5s", "failed", "1"),
    ]


def test_a_cancel_is_logged_with_attempt_zero_when_nothing_ran(sim):
    job = create(sim)
    advance(sim, 3)
    control(sim, "cancel_job", job)
    assert rows(page(sim, job, direction="forward")["entries"]) == [
        ("00:00:00.000", "info", "job created", "submitted", "0"),
        ("00:00:03.000", "warning", "job canceled", "canceled", "0"),
    ]


def test_a_manual_retry_and_its_next_attempt_are_logged(sim):
    job = create(sim, backoff_limit=1)
    control(sim, "sim_start_job", job)
    control(sim, "sim_finish_job", job, exit_code=2)
    advance(sim, 10)
    assert rows(page(sim, job, direction="forward")["entries"])[-2:] == [
        (
            "00:00:00.000",
            "warning",
            "attempt 1 exited with code 2; retrying in 10s",
            "working",
            "1",
        ),
        ("00:00:10.000", "info", "attempt 2 of 2 started", "working", "2"),
    ]


def test_entries_have_the_published_shape_and_string_metadata(sim, flaky_job):
    out = page(sim, flaky_job)
    assert list(get_tool("get_job_events").output_validator.iter_errors(out)) == []
    for entry in out["entries"]:
        assert set(entry) == {"timestamp", "level", "message", "service", "metadata"}
        assert entry["service"] == "jobs"
        assert entry["level"] in {"info", "warning", "error"}
        assert set(entry["metadata"]) == {"job_id", "status", "attempt"}
        assert all(isinstance(v, str) for v in entry["metadata"].values())
        assert entry["metadata"]["job_id"] == flaky_job["id"]
        assert entry["metadata"]["attempt"].isdecimal()


def test_attempt_is_zero_before_the_first_attempt(sim):
    job = create(sim)
    (entry,) = page(sim, job)["entries"]
    assert entry["metadata"] == {"job_id": job["id"], "status": "submitted", "attempt": "0"}


# -- paging --------------------------------------------------------------------------


def test_backward_is_the_default_and_newest_first(sim, flaky_job):
    default = page(sim, flaky_job)
    forward = page(sim, flaky_job, direction="forward")
    assert default == page(sim, flaky_job, direction="backward")
    assert default["entries"] == forward["entries"][::-1]
    assert default["next_cursor"] is None
    assert forward["next_cursor"] is None


@pytest.mark.parametrize("limit", [1, 2, 4, 8, 9, 100])
def test_paging_in_either_direction_returns_every_entry_once(sim, flaky_job, limit):
    everything = page(sim, flaky_job, direction="forward")["entries"]
    assert len(everything) == 9
    assert walk(sim, flaky_job, "forward", limit) == everything
    assert walk(sim, flaky_job, "backward", limit) == everything[::-1]


def test_limit_caps_the_page_and_the_cursor_continues_after_it(sim, flaky_job):
    first = page(sim, flaky_job, direction="forward", limit=3)
    assert [e["message"] for e in first["entries"]] == [
        "job created",
        "job started",
        "attempt 1 of 3 started",
    ]
    second = page(sim, flaky_job, direction="forward", limit=3, cursor=first["next_cursor"])
    assert second["entries"][0]["message"] == "loading model"


def test_cursors_are_opaque_strings(sim, flaky_job):
    cursor = page(sim, flaky_job, limit=2)["next_cursor"]
    assert isinstance(cursor, str)
    assert flaky_job["id"] not in cursor


def test_a_cursor_is_only_valid_with_the_direction_that_made_it(sim, flaky_job):
    backward = page(sim, flaky_job, direction="backward", limit=2)["next_cursor"]
    forward = page(sim, flaky_job, direction="forward", limit=2)["next_cursor"]
    for cursor, other in ((backward, "forward"), (forward, "backward")):
        error = refused(sim, flaky_job, direction=other, cursor=cursor)
        assert error.code == "invalid_arguments"
        assert error.details["field"] == "cursor"
    # the default direction is backward
    assert refused(sim, flaky_job, cursor=forward).code == "invalid_arguments"
    assert page(sim, flaky_job, cursor=backward)["entries"]


def test_a_cursor_is_only_valid_for_the_job_that_made_it(sim, flaky_job):
    other = create(sim)
    control(sim, "sim_start_job", other)
    control(sim, "cancel_job", other)
    cursor = page(sim, flaky_job, limit=1)["next_cursor"]
    error = refused(sim, other, cursor=cursor)
    assert error.code == "invalid_arguments"
    assert "another job" in error.message


@pytest.mark.parametrize("cursor", ["", "garbage", "!!!", "Zm9v", "YmFja3dhcmQ6eDp5"])
def test_a_cursor_that_was_not_made_by_get_job_events_is_invalid(sim, flaky_job, cursor):
    error = refused(sim, flaky_job, cursor=cursor)
    assert error.code == "invalid_arguments"
    assert error.details["field"] == "cursor"


def test_a_backward_cursor_stays_put_while_new_entries_arrive(sim):
    job = create(sim, backoff_limit=5)
    control(sim, "sim_start_job", job)
    first = page(sim, job, limit=1)
    assert first["entries"][0]["message"] == "attempt 1 of 6 started"
    control(sim, "sim_finish_job", job, exit_code=1)
    advance(sim, 10)
    rest = page(sim, job, limit=100, cursor=first["next_cursor"])
    assert [e["message"] for e in rest["entries"]] == ["job started", "job created"]


def test_a_forward_page_sees_entries_that_arrived_after_its_cursor(sim):
    job = create(sim)
    control(sim, "sim_start_job", job)
    first = page(sim, job, direction="forward", limit=2)
    assert first["next_cursor"] is not None
    control(sim, "sim_finish_job", job, exit_code=0)
    rest = page(sim, job, direction="forward", cursor=first["next_cursor"])
    assert [e["message"] for e in rest["entries"]] == [
        "attempt 1 of 4 started",
        "attempt 1 exited with code 0",
        "job completed",
    ]


@pytest.mark.parametrize("limit", [0, 1001, 2.5])
def test_limit_out_of_range_is_invalid(sim, flaky_job, limit):
    error = refused(sim, flaky_job, limit=limit)
    assert error.code == "invalid_arguments"
    assert "limit" in error.message


def test_limit_defaults_to_100_and_accepts_1000(sim):
    job = create(sim, backoff_limit=100, timeout_seconds=10**6)
    control(sim, "sim_start_job", job)
    for _ in range(60):  # 2 entries per failed attempt
        control(sim, "sim_finish_job", job, exit_code=1)
        advance(sim, 360)
    assert len(page(sim, job)["entries"]) == 100
    assert page(sim, job)["next_cursor"] is not None
    assert len(page(sim, job, limit=1000)["entries"]) == 123
    assert page(sim, job, limit=1000)["next_cursor"] is None


# -- stats ---------------------------------------------------------------------------


def test_stats_count_the_entries_returned(sim, flaky_job):
    small = page(sim, flaky_job, limit=2)
    large = page(sim, flaky_job, limit=9)
    assert small["stats"]["lines_processed"] == 2
    assert large["stats"]["lines_processed"] == 9
    assert 0 < small["stats"]["bytes_processed"] < large["stats"]["bytes_processed"]
    assert small["stats"]["query_time_ms"] == 0
    assert large["stats"]["query_time_ms"] == 0


# -- lookups -------------------------------------------------------------------------


def test_events_of_another_projects_job_are_not_found(sim, flaky_job):
    sim.call("sim_create_project", {"slug": "other"})
    with pytest.raises(ToolError) as info:
        sim.call("get_job_events", {"project_reference": "other", "job_id": flaky_job["id"]})
    assert info.value.code == "not_found"
    assert "not found" in info.value.message


def test_a_bad_cursor_is_reported_before_an_unknown_job(sim):
    with pytest.raises(ToolError) as info:
        sim.call("get_job_events", {"project_reference": P, "job_id": "nope", "cursor": "garbage"})
    assert info.value.code == "invalid_arguments"


def test_reading_events_changes_nothing(sim, flaky_job):
    before = sim.call("get_job", {"project_reference": P, "job_id": flaky_job["id"]})
    first = page(sim, flaky_job)
    first["entries"][0]["message"] = "tampered"
    assert page(sim, flaky_job)["entries"][0]["message"] == "job completed"
    assert sim.call("get_job", {"project_reference": P, "job_id": flaky_job["id"]}) == before
