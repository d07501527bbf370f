"""Virtual time and job progression (SPEC sections 4 and 9): attempts, retries with
backoff, deadlines, cancels, scripted targets and the control tools, exact timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from jobsim import Simulator, ToolError
from jobsim.lifecycle import backoff_ms

START = datetime(2026, 1, 1, tzinfo=UTC)
P = "acme"


def at(seconds: float) -> str:
    """The ISO timestamp ``seconds`` after the default start."""
    dt = START + timedelta(seconds=seconds)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


@pytest.fixture
def sim() -> Simulator:
    s = Simulator(seed=7)
    s.call("sim_create_project", {"slug": P})
    return s


def create(sim: Simulator, target: str = "manual", **extra: Any) -> dict[str, Any]:
    return sim.call("create_job", {"project_reference": P, "name": "j", "target": target, **extra})


def get(sim: Simulator, job: dict[str, Any]) -> dict[str, Any]:
    return sim.call("get_job", {"project_reference": P, "job_id": job["id"]})


def start(sim: Simulator, job: dict[str, Any]) -> dict[str, Any]:
    return sim.call("sim_start_job", {"project_reference": P, "job_id": job["id"]})


def finish(sim: Simulator, job: dict[str, Any], code: int) -> dict[str, Any]:
    args = {"project_reference": P, "job_id": job["id"], "exit_code": code}
    return sim.call("sim_finish_job", args)


def cancel(sim: Simulator, job: dict[str, Any]) -> dict[str, Any]:
    return sim.call("cancel_job", {"project_reference": P, "job_id": job["id"]})


def advance(sim: Simulator, seconds: float) -> dict[str, Any]:
    return sim.call("sim_advance_clock", {"seconds": seconds})


def define(sim: Simulator, name: str, **behavior: Any) -> None:
    sim.call("sim_define_target", {"name": name, "behavior": behavior})


def events(sim: Simulator, job: dict[str, Any]) -> list[tuple[str, str, str]]:
    out = sim.call(
        "get_job_events",
        {"project_reference": P, "job_id": job["id"], "direction": "forward", "limit": 1000},
    )
    return [(e["timestamp"], e["message"], e["metadata"]["attempt"]) for e in out["entries"]]


def attempt_starts(sim: Simulator, job: dict[str, Any]) -> list[str]:
    return [t for t, m, _ in events(sim, job) if m.startswith("attempt") and m.endswith("started")]


def times(record: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("status", "exit_code", "failed_reason", "started_at", "completed_at", "updated_at")
    return tuple(record[k] for k in keys)


def code_of(call: Any) -> ToolError:
    with pytest.raises(ToolError) as info:
        call()
    return info.value


# -- manual jobs ---------------------------------------------------------------------


def test_manual_job_completes_with_exact_timestamps(sim):
    job = create(sim)
    assert times(job) == ("submitted", None, None, None, None, at(0))
    advance(sim, 5)
    assert times(start(sim, job)) == ("working", None, None, at(5), None, at(5))
    advance(sim, 3.25)
    assert times(finish(sim, job, 0)) == ("completed", 0, None, at(5), at(8.25), at(8.25))
    assert get(sim, job)["created_at"] == at(0)


def test_manual_job_without_start_stays_submitted_however_far_the_clock_moves(sim):
    job = create(sim, timeout_seconds=1)
    advance(sim, 10_000)
    assert times(get(sim, job)) == ("submitted", None, None, None, None, at(0))


def test_manual_retries_follow_the_backoff_timeline_then_fail_with_the_last_exit_code(sim):
    job = create(sim, backoff_limit=2, timeout_seconds=1000)
    start(sim, job)
    advance(sim, 1)
    # a failed attempt with retries left: still working, only updated_at moves
    assert times(finish(sim, job, 3)) == ("working", None, None, at(0), None, at(1))
    advance(sim, 9.999)
    assert get(sim, job)["updated_at"] == at(1)  # attempt 2 not yet started
    assert code_of(lambda: finish(sim, job, 0)).code == "conflict"
    advance(sim, 0.001)  # 1 + 10s backoff: attempt 2 starts and bumps updated_at
    assert times(get(sim, job)) == ("working", None, None, at(0), None, at(11))
    advance(sim, 1)
    assert times(finish(sim, job, 4)) == ("working", None, None, at(0), None, at(12))
    advance(sim, 19.999)
    assert code_of(lambda: finish(sim, job, 0)).code == "conflict"
    advance(sim, 0.001)  # 12 + 20s: attempt 3
    assert get(sim, job)["updated_at"] == at(32)
    advance(sim, 1)
    failed = finish(sim, job, 5)
    assert times(failed) == ("failed", 5, "BackoffLimitExceeded", at(0), at(33), at(33))
    assert attempt_starts(sim, job) == [at(0), at(11), at(32)]


def test_backoff_limit_zero_fails_on_the_first_nonzero_exit(sim):
    job = create(sim, backoff_limit=0)
    start(sim, job)
    advance(sim, 2)
    assert times(finish(sim, job, 137)) == (
        "failed",
        137,
        "BackoffLimitExceeded",
        at(0),
        at(2),
        at(2),
    )
    advance(sim, 100)
    assert attempt_starts(sim, job) == [at(0)]


def test_backoff_limit_zero_still_completes_on_exit_zero(sim):
    job = create(sim, backoff_limit=0)
    start(sim, job)
    assert times(finish(sim, job, 0)) == ("completed", 0, None, at(0), at(0), at(0))


@pytest.mark.parametrize(
    ("failed_attempt", "seconds"),
    [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 320), (7, 360), (8, 360), (100, 360)],
)
def test_backoff_doubles_from_ten_seconds_and_is_capped_at_360(failed_attempt, seconds):
    assert backoff_ms(failed_attempt) == seconds * 1000


def test_scripted_backoff_delays_double_and_cap_at_360_seconds(sim):
    define(sim, "task:always-fails", run_seconds=1, exit_codes=[1])
    job = create(sim, "task:always-fails", backoff_limit=9, timeout_seconds=100_000)
    advance(sim, 5000)
    starts = [datetime.fromisoformat(t) for t in attempt_starts(sim, job)]
    # each attempt runs 1s, then waits the backoff of the attempt that failed
    gaps = [(b - a).total_seconds() - 1 for a, b in pairwise(starts)]
    assert gaps == [10, 20, 40, 80, 160, 320, 360, 360, 360]
    record = get(sim, job)
    assert (record["status"], record["exit_code"], record["failed_reason"]) == (
        "failed",
        1,
        "BackoffLimitExceeded",
    )
    assert record["completed_at"] == at(10 + 10 + 20 + 40 + 80 + 160 + 320 + 360 * 3)


# -- scripted jobs -------------------------------------------------------------------


def test_scripted_job_follows_its_behaviour_with_exact_timestamps(sim):
    define(
        sim,
        "task:flaky",
        start_after_seconds=2,
        run_seconds=5,
        exit_codes=[1, 0],
        events=["warming up"],
    )
    job = create(sim, "task:flaky")
    assert job["status"] == "submitted"
    advance(sim, 1.999)
    assert times(get(sim, job)) == ("submitted", None, None, None, None, at(0))
    advance(sim, 0.001)
    assert times(get(sim, job)) == ("working", None, None, at(2), None, at(2))
    advance(sim, 5)  # attempt 1 exits 1 at 7s; backoff 10s
    assert times(get(sim, job)) == ("working", None, None, at(2), None, at(7))
    advance(sim, 10)  # attempt 2 starts at 17s
    assert times(get(sim, job)) == ("working", None, None, at(2), None, at(17))
    advance(sim, 4.999)
    assert get(sim, job)["status"] == "working"
    advance(sim, 0.001)  # attempt 2 exits 0 at 22s
    assert times(get(sim, job)) == ("completed", 0, None, at(2), at(22), at(22))
    assert attempt_starts(sim, job) == [at(2), at(17)]
    assert [(t, a) for t, m, a in events(sim, job) if m == "warming up"] == [
        (at(2), "1"),
        (at(17), "2"),
    ]


def test_scripted_exit_codes_use_the_last_one_for_later_attempts(sim):
    define(sim, "task:bad", run_seconds=1, exit_codes=[3, 4])
    job = create(sim, "task:bad", backoff_limit=3)
    advance(sim, 1000)
    record = get(sim, job)
    # attempts at 0, 11, 32, 73 (1s each, backoffs 10, 20, 40); exits 3, 4, 4, 4
    assert attempt_starts(sim, job) == [at(0), at(11), at(32), at(73)]
    assert times(record) == ("failed", 4, "BackoffLimitExceeded", at(0), at(74), at(74))
    exits = [m for _, m, _ in events(sim, job) if "exited with code" in m]
    assert [m.split("code ")[1][0] for m in exits] == ["3", "4", "4", "4"]


def test_scripted_job_with_no_start_delay_is_submitted_until_an_advance_of_zero(sim):
    define(sim, "task:quick", start_after_seconds=0, run_seconds=1)
    job = create(sim, "task:quick")
    assert job["status"] == "submitted"
    assert get(sim, job)["status"] == "submitted"
    assert advance(sim, 0) == {"now": at(0)}
    assert times(get(sim, job)) == ("working", None, None, at(0), None, at(0))
    advance(sim, 1)
    assert times(get(sim, job)) == ("completed", 0, None, at(0), at(1), at(1))


def test_scripted_job_with_zero_run_seconds_finishes_in_the_same_advance(sim):
    define(sim, "task:instant", run_seconds=0)
    job = create(sim, "task:instant")
    advance(sim, 0)
    assert times(get(sim, job)) == ("completed", 0, None, at(0), at(0), at(0))


def test_default_behaviour_starts_at_once_runs_one_second_and_exits_zero(sim):
    sim.call("sim_define_target", {"name": "task:defaults", "behavior": {}})
    job = create(sim, "task:defaults")
    advance(sim, 0.999)
    assert get(sim, job)["status"] == "working"
    advance(sim, 0.001)
    assert times(get(sim, job)) == ("completed", 0, None, at(0), at(1), at(1))


def test_behaviour_durations_are_rounded_to_the_millisecond(sim):
    define(sim, "task:fractional", start_after_seconds=0.0014, run_seconds=0.0026)
    job = create(sim, "task:fractional")
    advance(sim, 1)
    record = get(sim, job)
    assert (record["started_at"], record["completed_at"]) == (at(0.001), at(0.004))


# -- deadlines -----------------------------------------------------------------------


def test_deadline_fails_a_running_job_with_a_null_exit_code(sim):
    job = create(sim, timeout_seconds=30, backoff_limit=5)
    start(sim, job)
    advance(sim, 5)
    finish(sim, job, 1)  # attempt 2 starts at 15s and is still running at 30s
    advance(sim, 24.999)
    assert get(sim, job)["status"] == "working"
    advance(sim, 0.001)
    assert times(get(sim, job)) == ("failed", None, "DeadlineExceeded", at(0), at(30), at(30))
    assert code_of(lambda: finish(sim, job, 0)).code == "conflict"


def test_deadline_is_measured_from_started_at_not_created_at(sim):
    job = create(sim, timeout_seconds=10)
    advance(sim, 100)
    start(sim, job)
    advance(sim, 9.999)
    assert get(sim, job)["status"] == "working"
    advance(sim, 0.001)
    assert times(get(sim, job)) == ("failed", None, "DeadlineExceeded", at(100), at(110), at(110))


def test_deadline_during_a_backoff_fails_the_job_and_no_attempt_follows(sim):
    job = create(sim, timeout_seconds=5, backoff_limit=3)
    start(sim, job)
    advance(sim, 1)
    finish(sim, job, 1)  # next attempt would start at 11s
    advance(sim, 100)
    assert times(get(sim, job)) == ("failed", None, "DeadlineExceeded", at(0), at(5), at(5))
    assert attempt_starts(sim, job) == [at(0)]


def test_deadline_spans_every_attempt_of_a_scripted_job(sim):
    define(sim, "task:slow-fail", run_seconds=4, exit_codes=[1])
    job = create(sim, "task:slow-fail", timeout_seconds=25, backoff_limit=10)
    advance(sim, 1000)
    # attempt 1: 0-4, backoff 10 -> attempt 2: 14-18, backoff 20 -> the deadline at 25
    assert attempt_starts(sim, job) == [at(0), at(14)]
    assert times(get(sim, job)) == ("failed", None, "DeadlineExceeded", at(0), at(25), at(25))


def test_deadline_wins_over_an_attempt_ending_at_the_same_millisecond(sim):
    define(sim, "task:exactly-on-time", run_seconds=10, exit_codes=[0])
    job = create(sim, "task:exactly-on-time", timeout_seconds=10)
    advance(sim, 10)
    # at started_at + timeout_seconds the job is past its deadline (now >= deadline)
    assert times(get(sim, job)) == ("failed", None, "DeadlineExceeded", at(0), at(10), at(10))
    assert not any("exited" in m for _, m, _ in events(sim, job))


def test_deadline_wins_over_a_retry_starting_at_the_same_millisecond(sim):
    job = create(sim, timeout_seconds=11, backoff_limit=1)
    start(sim, job)
    advance(sim, 1)
    finish(sim, job, 2)  # the retry is due at 11s, the deadline too
    advance(sim, 10)
    assert times(get(sim, job)) == ("failed", None, "DeadlineExceeded", at(0), at(11), at(11))
    assert attempt_starts(sim, job) == [at(0)]


def test_an_attempt_ending_one_millisecond_before_the_deadline_completes(sim):
    define(sim, "task:just-in-time", run_seconds=9.999)
    job = create(sim, "task:just-in-time", timeout_seconds=10)
    advance(sim, 60)
    assert times(get(sim, job)) == ("completed", 0, None, at(0), at(9.999), at(9.999))


# -- cancel --------------------------------------------------------------------------


def test_cancel_during_a_backoff_stops_everything(sim):
    define(sim, "task:fails", run_seconds=1, exit_codes=[1])
    job = create(sim, "task:fails", backoff_limit=3, timeout_seconds=50)
    advance(sim, 5)  # attempt 1 failed at 1s; next attempt due at 11s
    canceled = cancel(sim, job)
    assert times(canceled) == ("canceled", None, None, at(0), at(5), at(5))
    log = events(sim, job)
    advance(sim, 1000)  # past the retry and the deadline
    assert get(sim, job) == canceled
    assert events(sim, job) == log


def test_cancel_while_submitted_voids_the_queued_scripted_start(sim):
    define(sim, "task:later", start_after_seconds=5)
    job = create(sim, "task:later")
    advance(sim, 2)
    canceled = cancel(sim, job)
    assert times(canceled) == ("canceled", None, None, None, at(2), at(2))
    advance(sim, 100)
    assert get(sim, job) == canceled
    assert attempt_starts(sim, job) == []


def test_cancel_of_a_running_scripted_attempt_voids_its_end(sim):
    define(sim, "task:long", run_seconds=10)
    job = create(sim, "task:long")
    advance(sim, 3)
    canceled = cancel(sim, job)
    assert times(canceled) == ("canceled", None, None, at(0), at(3), at(3))
    advance(sim, 100)
    assert get(sim, job) == canceled


def test_cancel_of_a_terminal_job_is_a_conflict_that_changes_nothing(sim):
    job = create(sim)
    start(sim, job)
    done = finish(sim, job, 0)
    advance(sim, 1)
    error = code_of(lambda: cancel(sim, job))
    assert error.code == "conflict"
    assert "already completed" in error.message
    assert get(sim, job) == done


# -- the control tools ---------------------------------------------------------------


def test_finish_during_a_backoff_is_a_conflict(sim):
    job = create(sim, backoff_limit=1)
    start(sim, job)
    finish(sim, job, 1)
    before = get(sim, job)
    error = code_of(lambda: finish(sim, job, 0))
    assert error.code == "conflict"
    assert "backoff" in error.message
    assert get(sim, job) == before


def test_finish_of_a_submitted_job_is_a_conflict(sim):
    job = create(sim)
    assert code_of(lambda: finish(sim, job, 0)).code == "conflict"
    assert get(sim, job)["status"] == "submitted"


def test_start_of_a_working_or_terminal_job_is_a_conflict(sim):
    job = create(sim)
    start(sim, job)
    assert code_of(lambda: start(sim, job)).code == "conflict"
    finish(sim, job, 0)
    assert code_of(lambda: start(sim, job)).code == "conflict"


def test_finish_exit_code_out_of_range_is_invalid_arguments(sim):
    job = create(sim)
    start(sim, job)
    error = code_of(lambda: finish(sim, job, 256))
    assert error.code == "invalid_arguments"
    assert "exit_code" in error.message
    assert get(sim, job)["status"] == "working"


def test_control_tools_on_another_projects_job_are_not_found(sim):
    job = create(sim)
    sim.call("sim_create_project", {"slug": "other"})
    args = {"project_reference": "other", "job_id": job["id"]}
    assert code_of(lambda: sim.call("sim_start_job", args)).code == "not_found"
    error = code_of(lambda: sim.call("sim_finish_job", {**args, "exit_code": 0}))
    assert error.code == "not_found"


def test_start_takes_over_a_scripted_start_and_the_queued_one_is_void(sim):
    define(sim, "task:slow-start", start_after_seconds=100, run_seconds=10)
    job = create(sim, "task:slow-start")
    advance(sim, 5)
    assert times(start(sim, job)) == ("working", None, None, at(5), None, at(5))
    advance(sim, 10)  # the script still ends the attempt
    assert times(get(sim, job)) == ("completed", 0, None, at(5), at(15), at(15))
    advance(sim, 200)  # past the scripted start at 100s: nothing happens
    assert attempt_starts(sim, job) == [at(5)]
    assert get(sim, job)["updated_at"] == at(15)


def test_finish_takes_over_a_scripted_attempt_end_for_that_step_only(sim):
    define(sim, "task:scripted", run_seconds=10, exit_codes=[0, 9])
    job = create(sim, "task:scripted", backoff_limit=1)
    advance(sim, 2)
    # ends attempt 1 early with a failure; the script's end at 10s is void
    assert times(finish(sim, job, 1)) == ("working", None, None, at(0), None, at(2))
    advance(sim, 8)
    assert get(sim, job)["updated_at"] == at(2)
    advance(sim, 4)  # the retry starts by itself at 12s and runs the script's attempt 2
    assert attempt_starts(sim, job) == [at(0), at(12)]
    advance(sim, 10)
    assert times(get(sim, job)) == ("failed", 9, "BackoffLimitExceeded", at(0), at(22), at(22))


def test_finish_exit_zero_completes_a_scripted_job_early(sim):
    define(sim, "task:slow", run_seconds=60, exit_codes=[1])
    job = create(sim, "task:slow")
    advance(sim, 1)
    assert times(finish(sim, job, 0)) == ("completed", 0, None, at(0), at(1), at(1))
    advance(sim, 120)
    assert get(sim, job)["updated_at"] == at(1)


# -- sim_advance_clock ---------------------------------------------------------------


def test_advance_returns_the_new_time(sim):
    assert advance(sim, 90) == {"now": at(90)}
    assert advance(sim, 0) == {"now": at(90)}
    assert sim.now == at(90)


def test_advance_by_negative_seconds_is_invalid_and_changes_nothing(sim):
    advance(sim, 1)
    error = code_of(lambda: advance(sim, -1))
    assert error.code == "invalid_arguments"
    assert "seconds" in error.message
    assert sim.now == at(1)


@pytest.mark.parametrize(
    ("seconds", "now"),
    [(0.0004, at(0)), (0.0006, at(0.001)), (1.0004, at(1)), (2.9996, at(3)), (12.5, at(12.5))],
)
def test_advance_rounds_to_the_millisecond(sim, seconds, now):
    assert advance(sim, seconds) == {"now": now}


def test_advance_processes_events_at_their_own_times(sim):
    define(sim, "task:a", start_after_seconds=3, run_seconds=4)
    define(sim, "task:b", start_after_seconds=1, run_seconds=20)
    a = create(sim, "task:a")
    b = create(sim, "task:b")
    manual = create(sim, timeout_seconds=10)
    start(sim, manual)
    advance(sim, 3600)
    assert times(get(sim, a)) == ("completed", 0, None, at(3), at(7), at(7))
    assert times(get(sim, b)) == ("completed", 0, None, at(1), at(21), at(21))
    assert times(get(sim, manual)) == ("failed", None, "DeadlineExceeded", at(0), at(10), at(10))


def test_advance_in_pieces_gives_the_same_timeline_as_in_one_go():
    def run(steps: list[float]) -> list[dict[str, Any]]:
        s = Simulator(seed=3)
        s.call("sim_create_project", {"slug": P})
        define(s, "task:flaky", start_after_seconds=1.5, run_seconds=2.25, exit_codes=[1, 1, 0])
        jobs = [create(s, "task:flaky", timeout_seconds=t) for t in (20, 60)]
        for step in steps:
            advance(s, step)
        return [get(s, j) for j in jobs]

    whole = run([100])
    assert whole == run([0.5, 1, 0, 2.25, 7.3, 30, 58.95])
    assert [j["status"] for j in whole] == ["failed", "completed"]


def test_events_due_at_the_same_time_run_in_the_order_they_were_scheduled(sim):
    def fire_order() -> list[str]:
        page = sim.call("list_jobs", {"project_reference": P, "limit": 2})["data"]
        return [j["cron_job_id"] for j in reversed(page)]  # oldest first

    crons = [
        sim.call(
            "create_cron_job",
            {
                "project_reference": P,
                "name": name,
                "target": "manual",
                "schedule": "* * * * *",
                "concurrency_policy": "Allow",
            },
        )["id"]
        for name in ("first", "second")
    ]
    advance(sim, 60)
    assert fire_order() == crons
    # re-scheduling the first cron's tick puts it behind the second's
    sim.call(
        "update_cron_job",
        {"project_reference": P, "cron_job_id": crons[0], "schedule": "*/1 * * * *"},
    )
    advance(sim, 60)
    assert fire_order() == crons[::-1]
