"""Cron jobs (SPEC section 8): fires, concurrency policies, pause/resume, updates,
DST in a non-UTC zone, delete, trigger, invalid schedules, listing, and the cost of
advancing a long way (one event per fire, never one per second)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import jobsim.cron as cron_module
from jobsim import Simulator, ToolError
from jobsim.clock import Clock
from jobsim.cron import MAX_SCHEDULE_LENGTH, MAX_TICKS_PER_ADVANCE
from jobsim.scheduler import EventQueue

P = "acme"
START = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday

CRON_KEYS = {
    "id",
    "project_id",
    "environment_id",
    "branch_id",
    "name",
    "status",
    "target",
    "schedule",
    "timezone",
    "config",
    "timeout_seconds",
    "backoff_limit",
    "concurrency_policy",
    "last_scheduled_at",
    "last_successful_at",
    "created_at",
    "updated_at",
}


def iso(dt: datetime) -> str:
    dt = dt.astimezone(UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def at(seconds: float) -> str:
    """The ISO timestamp ``seconds`` after the default start."""
    return iso(START + timedelta(seconds=seconds))


def new_sim(start: str | None = None) -> Simulator:
    s = Simulator(seed=9, validate_outputs=True, **({} if start is None else {"start": start}))
    s.call("sim_create_project", {"slug": P})
    return s


@pytest.fixture
def sim() -> Simulator:
    return new_sim()


def create(sim: Simulator, schedule: str = "* * * * *", **extra: Any) -> dict[str, Any]:
    args = {"project_reference": P, "name": "nightly", "target": "manual", "schedule": schedule}
    return sim.call("create_cron_job", {**args, **extra})


def get(sim: Simulator, cron: dict[str, Any]) -> dict[str, Any]:
    return sim.call("get_cron_job", {"project_reference": P, "cron_job_id": cron["id"]})


def update(sim: Simulator, cron: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return sim.call(
        "update_cron_job", {"project_reference": P, "cron_job_id": cron["id"], **changes}
    )


def trigger(sim: Simulator, cron: dict[str, Any]) -> dict[str, Any]:
    return sim.call("trigger_cron_job", {"project_reference": P, "cron_job_id": cron["id"]})


def delete(sim: Simulator, cron: dict[str, Any]) -> dict[str, Any]:
    return sim.call("delete_cron_job", {"project_reference": P, "cron_job_id": cron["id"]})


def advance(sim: Simulator, seconds: float) -> None:
    sim.call("sim_advance_clock", {"seconds": seconds})


def refused(call: Any) -> ToolError:
    with pytest.raises(ToolError) as info:
        call()
    return info.value


def runs(sim: Simulator, cron: dict[str, Any]) -> list[dict[str, Any]]:
    """Every job of ``cron``, oldest first."""
    out: list[dict[str, Any]] = []
    args: dict[str, Any] = {"project_reference": P, "cron_job_id": cron["id"], "limit": 100}
    while True:
        got = sim.call("list_jobs", args)
        out += got["data"]
        if got["page_info"]["next"] is None:
            return out[::-1]
        args["cursor"] = got["page_info"]["next"]


def fired_at(sim: Simulator, cron: dict[str, Any]) -> list[str]:
    return [j["created_at"] for j in runs(sim, cron)]


def job(sim: Simulator, job_id: str) -> dict[str, Any]:
    return sim.call("get_job", {"project_reference": P, "job_id": job_id})


def define(sim: Simulator, name: str, **behavior: Any) -> None:
    sim.call("sim_define_target", {"name": name, "behavior": behavior})


# -- the record ----------------------------------------------------------------------


def test_create_returns_the_record_with_its_defaults(sim):
    advance(sim, 12.5)
    cron = create(sim, "*/5 * * * *")
    assert set(cron) == CRON_KEYS
    assert {k: v for k, v in cron.items() if k not in ("id", "project_id")} == {
        "environment_id": None,
        "branch_id": None,
        "name": "nightly",
        "status": "active",
        "target": "manual",
        "schedule": "*/5 * * * *",
        "timezone": "UTC",
        "config": {},
        "timeout_seconds": 300,
        "backoff_limit": 3,
        "concurrency_policy": "Forbid",
        "last_scheduled_at": None,
        "last_successful_at": None,
        "created_at": at(12.5),
        "updated_at": at(12.5),
    }
    assert get(sim, cron) == cron


def test_a_cron_of_another_project_is_not_found(sim):
    cron = create(sim)
    sim.call("sim_create_project", {"slug": "other"})
    args = {"project_reference": "other", "cron_job_id": cron["id"]}
    for tool in ("get_cron_job", "update_cron_job", "trigger_cron_job", "delete_cron_job"):
        error = refused(lambda t=tool: sim.call(t, args))
        assert error.code == "not_found"
        assert cron["id"] in error.message
    assert get(sim, cron) == cron


def test_environment_or_branch_of_another_project_is_not_found(sim):
    sim.call("sim_create_project", {"slug": "other"})
    env = sim.call("sim_create_environment", {"project_reference": "other", "name": "prod"})
    branch = sim.call("sim_create_branch", {"project_reference": "other", "name": "dev"})
    assert refused(lambda: create(sim, environment_id=env["id"])).code == "not_found"
    assert refused(lambda: create(sim, branch_id=branch["id"])).code == "not_found"


@pytest.mark.parametrize("key", ["name", "target"])
def test_an_empty_name_or_target_is_invalid(sim, key):
    error = refused(lambda: create(sim, **{key: " "}))
    assert error.code == "invalid_arguments"
    assert error.details["field"] == key


# -- fires ---------------------------------------------------------------------------


def test_a_fire_creates_a_job_from_the_cron_and_bumps_its_timestamps(sim):
    env = sim.call("sim_create_environment", {"project_reference": P, "name": "prod"})
    branch = sim.call("sim_create_branch", {"project_reference": P, "name": "dev"})
    cron = create(
        sim,
        "0 * * * *",
        environment_id=env["id"],
        branch_id=branch["id"],
        config={"region": "eu", "n": [1, 2]},
        timeout_seconds=60,
        backoff_limit=1,
    )
    advance(sim, 3599.999)
    assert runs(sim, cron) == []
    advance(sim, 0.001)
    (run,) = runs(sim, cron)
    assert {k: run[k] for k in run if k not in ("id", "project_id")} == {
        "environment_id": env["id"],
        "branch_id": branch["id"],
        "cron_job_id": cron["id"],
        "batch_id": None,
        "name": "nightly",
        "status": "submitted",
        "target": "manual",
        "config": {"region": "eu", "n": [1, 2]},
        "timeout_seconds": 60,
        "backoff_limit": 1,
        "exit_code": None,
        "failed_reason": None,
        "started_at": None,
        "completed_at": None,
        "created_at": at(3600),
        "updated_at": at(3600),
    }
    now = get(sim, cron)
    assert (now["last_scheduled_at"], now["updated_at"]) == (at(3600), at(3600))


def test_fire_times_are_strictly_after_creation(sim):
    cron = create(sim, "0 * * * *", concurrency_policy="Allow")  # created at 00:00 exactly
    advance(sim, 3 * 3600)
    assert fired_at(sim, cron) == [at(3600), at(7200), at(10800)]


def test_cron_runs_of_a_scripted_target_progress_by_themselves(sim):
    define(sim, "task:report", run_seconds=10)
    cron = create(sim, "*/5 * * * *", target="task:report")
    advance(sim, 300)  # fires at 00:05, starts in the same advance
    (run,) = runs(sim, cron)
    assert (run["status"], run["started_at"]) == ("working", at(300))
    advance(sim, 10)
    assert job(sim, run["id"])["status"] == "completed"


# -- concurrency policies ------------------------------------------------------------


@pytest.fixture
def slow(sim: Simulator) -> str:
    """A scripted target whose runs take 150 s (two and a half ticks of '* * * * *')."""
    define(sim, "task:slow", run_seconds=150)
    return "task:slow"


def test_allow_fires_whatever_is_running(sim, slow):
    cron = create(sim, target=slow, concurrency_policy="Allow")
    advance(sim, 180)
    assert fired_at(sim, cron) == [at(60), at(120), at(180)]
    assert [r["status"] for r in runs(sim, cron)] == ["working"] * 3
    assert get(sim, cron)["last_scheduled_at"] == at(180)


def test_forbid_skips_ticks_while_a_run_is_active_and_a_skipped_tick_sets_nothing(sim, slow):
    cron = create(sim, target=slow)  # Forbid is the default
    advance(sim, 60)
    fired = get(sim, cron)
    assert (fired["last_scheduled_at"], fired["updated_at"]) == (at(60), at(60))
    advance(sim, 149)  # ticks at 120 and 180 are skipped; the run ends at 210
    assert fired_at(sim, cron) == [at(60)]
    assert get(sim, cron) == fired
    advance(sim, 1)
    assert get(sim, cron)["last_successful_at"] == at(210)
    advance(sim, 30)
    assert fired_at(sim, cron) == [at(60), at(240)]
    assert get(sim, cron)["last_scheduled_at"] == at(240)


def test_forbid_counts_manual_runs(sim):
    cron = create(sim)
    manual = trigger(sim, cron)  # target "manual" never progresses by itself
    advance(sim, 300)
    assert [r["id"] for r in runs(sim, cron)] == [manual["id"]]
    assert get(sim, cron)["last_scheduled_at"] is None
    sim.call("cancel_job", {"project_reference": P, "job_id": manual["id"]})
    advance(sim, 60)
    assert fired_at(sim, cron) == [at(0), at(360)]


def test_replace_cancels_the_active_runs_then_creates_the_new_one(sim, slow):
    cron = create(sim, target=slow, concurrency_policy="Replace")
    manual = trigger(sim, cron)
    advance(sim, 60)  # the tick cancels the manual run, then creates the first run
    canceled = job(sim, manual["id"])
    assert (canceled["status"], canceled["completed_at"]) == ("canceled", at(60))
    first = runs(sim, cron)[-1]
    assert (first["created_at"], first["status"]) == (at(60), "working")
    advance(sim, 60)
    replaced = job(sim, first["id"])
    assert (replaced["status"], replaced["completed_at"]) == ("canceled", at(120))
    assert (replaced["exit_code"], replaced["failed_reason"]) == (None, None)
    new = runs(sim, cron)[-1]
    assert (new["created_at"], new["status"]) == (at(120), "working")
    assert [r["status"] for r in runs(sim, cron)] == ["canceled", "canceled", "working"]
    assert get(sim, cron)["last_scheduled_at"] == at(120)


def test_replace_does_not_touch_finished_runs(sim):
    define(sim, "task:quick", run_seconds=1)
    cron = create(sim, target="task:quick", concurrency_policy="Replace")
    advance(sim, 181)
    assert [r["status"] for r in runs(sim, cron)] == ["completed"] * 3


def test_a_policy_change_applies_from_the_next_tick(sim, slow):
    cron = create(sim, target=slow)
    advance(sim, 60)
    update(sim, cron, concurrency_policy="Allow")
    advance(sim, 60)
    assert fired_at(sim, cron) == [at(60), at(120)]


# -- pause and resume ----------------------------------------------------------------


def test_a_paused_cron_skips_its_ticks_and_does_not_catch_up_on_resume(sim):
    cron = create(sim, concurrency_policy="Allow")
    advance(sim, 60)
    advance(sim, 30)
    paused = update(sim, cron, status="paused")
    assert (paused["status"], paused["updated_at"]) == ("paused", at(90))
    advance(sim, 300)
    assert fired_at(sim, cron) == [at(60)]
    assert get(sim, cron)["last_scheduled_at"] == at(60)
    resumed = update(sim, cron, status="active")
    assert (resumed["status"], resumed["updated_at"]) == ("active", at(390))
    advance(sim, 0)
    assert fired_at(sim, cron) == [at(60)]  # nothing queued up during the pause
    advance(sim, 30)
    assert fired_at(sim, cron) == [at(60), at(420)]


def test_trigger_works_while_paused(sim):
    cron = create(sim)
    update(sim, cron, status="paused")
    manual = trigger(sim, cron)
    assert manual["name"] == "nightly (manual)"
    assert get(sim, cron)["status"] == "paused"


# -- last_successful_at --------------------------------------------------------------


def test_last_successful_at_is_the_latest_completion_among_runs(sim):
    define(sim, "task:ten", run_seconds=10)
    cron = create(sim, "*/5 * * * *", target="task:ten")
    advance(sim, 305)
    assert get(sim, cron)["last_successful_at"] is None
    advance(sim, 5)
    assert get(sim, cron)["last_successful_at"] == at(310)
    advance(sim, 300)
    assert get(sim, cron)["last_successful_at"] == at(610)


def test_failed_and_canceled_runs_do_not_set_last_successful_at(sim):
    define(sim, "task:fails", run_seconds=1, exit_codes=[1])
    cron = create(sim, target="task:fails", backoff_limit=0, concurrency_policy="Allow")
    manual = trigger(sim, cron)
    sim.call("cancel_job", {"project_reference": P, "job_id": manual["id"]})
    advance(sim, 630)
    assert {r["status"] for r in runs(sim, cron)} == {"failed", "canceled"}
    assert get(sim, cron)["last_successful_at"] is None


def test_manual_runs_count_for_last_successful_at(sim):
    cron = create(sim, "0 0 1 1 *")
    manual = trigger(sim, cron)
    advance(sim, 42)
    ref = {"project_reference": P, "job_id": manual["id"]}
    sim.call("sim_start_job", ref)
    advance(sim, 8)
    sim.call("sim_finish_job", {**ref, "exit_code": 0})
    assert get(sim, cron)["last_successful_at"] == at(50)
    assert get(sim, cron)["last_scheduled_at"] is None


# -- update --------------------------------------------------------------------------


def test_an_update_that_changes_nothing_leaves_updated_at_alone(sim):
    cron = create(sim, "*/5 * * * *", config={"a": 1}, timeout_seconds=60)
    advance(sim, 100)
    same = update(
        sim,
        cron,
        name="nightly",
        schedule="*/5 * * * *",
        timezone="UTC",
        config={"a": 1},
        timeout_seconds=60.0,
        backoff_limit=3,
        concurrency_policy="Forbid",
        status="active",
    )
    assert same == cron
    assert update(sim, cron) == cron
    assert get(sim, cron) == cron


def test_an_update_sets_the_fields_and_updated_at(sim):
    cron = create(sim)
    advance(sim, 30)
    changed = update(sim, cron, name="renamed", config={"b": True}, backoff_limit=0)
    assert (changed["name"], changed["config"], changed["backoff_limit"]) == (
        "renamed",
        {"b": True},
        0,
    )
    assert changed["updated_at"] == at(30)
    assert changed["created_at"] == at(0)
    assert get(sim, cron) == changed


def test_later_fires_use_the_updated_fields_without_firing_twice(sim):
    cron = create(sim, "0 * * * *")
    advance(sim, 600)
    update(sim, cron, name="renamed", config={"b": 2}, timeout_seconds=99)
    advance(sim, 3600)
    (run,) = runs(sim, cron)
    assert (run["created_at"], run["name"], run["config"], run["timeout_seconds"]) == (
        at(3600),
        "renamed",
        {"b": 2},
        99,
    )


def test_changing_the_schedule_restarts_the_sequence_from_that_moment(sim):
    cron = create(sim, "0 * * * *", concurrency_policy="Allow")
    advance(sim, 600)
    assert update(sim, cron, schedule="30 * * * *")["updated_at"] == at(600)
    advance(sim, 2 * 3600)
    # never at 01:00 or 02:00 (the old sequence)
    assert fired_at(sim, cron) == [at(1800), at(5400)]


def test_changing_the_timezone_restarts_the_sequence_in_the_new_zone(sim):
    cron = create(sim, "0 12 * * *", concurrency_policy="Allow")
    advance(sim, 6 * 3600)
    update(sim, cron, timezone="Asia/Tokyo")  # 12:00 JST is 03:00 UTC
    advance(sim, 2 * 86400)
    assert fired_at(sim, cron) == [at(86400 + 3 * 3600), at(2 * 86400 + 3 * 3600)]


def test_a_schedule_change_while_paused_still_fires_nothing(sim):
    cron = create(sim)
    update(sim, cron, status="paused")
    update(sim, cron, schedule="*/2 * * * *")
    advance(sim, 600)
    assert runs(sim, cron) == []
    update(sim, cron, status="active")
    advance(sim, 120)
    assert fired_at(sim, cron) == [at(720)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"schedule": "61 * * * *"}, "schedule"),
        ({"schedule": "0 0 30 2 *"}, "schedule"),
        ({"schedule": "* * * *"}, "schedule"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"name": ""}, "name"),
        ({"timeout_seconds": 0}, "timeout_seconds"),
        ({"backoff_limit": 101}, "backoff_limit"),
        ({"status": "deleting"}, "status"),
        ({"target": "other"}, "arguments"),
    ],
)
def test_an_invalid_update_is_refused_naming_the_field_and_changes_nothing(sim, changes, field):
    cron = create(sim)
    advance(sim, 5)
    error = refused(lambda: update(sim, cron, **changes))
    assert error.code == "invalid_arguments"
    assert error.details["field"] == field
    assert error.message.startswith(field)
    assert get(sim, cron) == cron


def test_an_invalid_update_of_an_unknown_cron_is_invalid_arguments_first(sim):
    error = refused(
        lambda: sim.call(
            "update_cron_job",
            {"project_reference": P, "cron_job_id": "nope", "schedule": "61 * * * *"},
        )
    )
    assert error.code == "invalid_arguments"


# -- daylight saving time (America/New_York; cronsim follows Debian cron) -------------


@pytest.mark.parametrize(
    ("schedule", "start", "fires"),
    [
        # spring forward, 2026-03-08 02:00 EST -> 03:00 EDT
        ("30 1 * * *", "2026-03-07T12:00:00Z", ["2026-03-08T06:30", "2026-03-09T05:30"]),
        # 02:30 does not exist that night: it fires at the jump (03:00 EDT)
        ("30 2 * * *", "2026-03-07T12:00:00Z", ["2026-03-08T07:00", "2026-03-09T06:30"]),
        # fall back, 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice, fires once
        ("30 1 * * *", "2026-10-31T12:00:00Z", ["2026-11-01T05:30", "2026-11-02T06:30"]),
        ("30 2 * * *", "2026-10-31T12:00:00Z", ["2026-11-01T07:30", "2026-11-02T07:30"]),
    ],
)
def test_dst_skipped_time_fires_at_the_jump_and_repeated_time_fires_once(schedule, start, fires):
    sim = new_sim(start)
    cron = create(sim, schedule, timezone="America/New_York", concurrency_policy="Allow")
    advance(sim, 2 * 86400)
    assert fired_at(sim, cron) == [f"{t}:00.000Z" for t in fires]


def test_a_cron_created_between_the_two_passes_of_a_repeated_time_waits_for_the_next_day():
    # 06:00Z is 01:00 EST, after 01:30 EDT (05:30Z) and before 01:30 EST (06:30Z)
    sim = new_sim("2026-11-01T06:00:00Z")
    cron = create(sim, "30 1 * * *", timezone="America/New_York")
    assert sim.call("sim_advance_clock", {"seconds": 2 * 86400}) == {
        "now": "2026-11-03T06:00:00.000Z"
    }
    assert fired_at(sim, cron) == ["2026-11-02T06:30:00.000Z"]


def test_a_timezone_change_into_the_second_pass_of_a_repeated_time_does_not_break_the_clock():
    sim = new_sim("2026-11-01T06:10:00Z")
    cron = create(sim, "30 1 * * *", concurrency_policy="Allow")  # UTC
    update(sim, cron, timezone="America/New_York")  # now 01:10 EST, the second pass
    advance(sim, 2 * 86400 + 3600)
    assert fired_at(sim, cron) == ["2026-11-02T06:30:00.000Z", "2026-11-03T06:30:00.000Z"]


def test_an_hourly_schedule_fires_every_real_hour_across_a_fall_back():
    sim = new_sim("2026-11-01T04:30:00Z")  # 00:30 EDT
    cron = create(sim, "0 * * * *", timezone="America/New_York", concurrency_policy="Allow")
    advance(sim, 3 * 3600)
    # 01:00 EDT, 01:00 EST, 02:00 EST
    assert fired_at(sim, cron) == [
        "2026-11-01T05:00:00.000Z",
        "2026-11-01T06:00:00.000Z",
        "2026-11-01T07:00:00.000Z",
    ]


def test_a_non_utc_zone_fires_at_local_wall_clock_time():
    sim = new_sim()
    cron = create(sim, "0 9 * * 1-5", timezone="Europe/Berlin", concurrency_policy="Allow")
    advance(sim, 7 * 86400)
    # Thu 1 Jan 2026 .. Wed 7 Jan: weekdays at 09:00 CET = 08:00 UTC
    days = [1, 2, 5, 6, 7]
    assert fired_at(sim, cron) == [f"2026-01-{d:02d}T08:00:00.000Z" for d in days]


# -- delete --------------------------------------------------------------------------


def test_delete_marks_deleting_and_the_cron_is_gone_after_the_next_advance_above_zero(sim):
    cron = create(sim, concurrency_policy="Allow")
    advance(sim, 120.5)
    deleted = delete(sim, cron)
    assert (deleted["status"], deleted["updated_at"]) == ("deleting", at(120.5))
    assert get(sim, cron) == deleted
    listed = sim.call("list_cron_jobs", {"project_reference": P, "status": "deleting"})
    assert [c["id"] for c in listed["data"]] == [cron["id"]]
    advance(sim, 0)
    assert get(sim, cron) == deleted
    advance(sim, 0.001)
    assert refused(lambda: get(sim, cron)).code == "not_found"
    assert sim.call("list_cron_jobs", {"project_reference": P})["data"] == []
    assert sim.call("list_cron_jobs", {"project_reference": P, "status": "deleting"})["data"] == []


def test_a_deleted_cron_never_fires_again_and_its_jobs_stay(sim):
    cron = create(sim, concurrency_policy="Allow")
    advance(sim, 120)
    before = runs(sim, cron)
    delete(sim, cron)
    advance(sim, 0)
    advance(sim, 3600)
    assert runs(sim, cron) == before
    assert [r["cron_job_id"] for r in before] == [cron["id"]] * 2
    for run in before:
        assert job(sim, run["id"])["cron_job_id"] == cron["id"]


def test_a_deleting_cron_cannot_be_updated_triggered_or_deleted(sim):
    cron = create(sim)
    deleted = delete(sim, cron)
    for call in (
        lambda: update(sim, cron, name="x"),
        lambda: update(sim, cron, status="paused"),
        lambda: trigger(sim, cron),
        lambda: delete(sim, cron),
    ):
        error = refused(call)
        assert error.code == "conflict"
        assert cron["id"] in error.message
    assert get(sim, cron) == deleted
    assert runs(sim, cron) == []


def test_a_gone_cron_is_not_found_for_every_tool(sim):
    cron = create(sim)
    delete(sim, cron)
    advance(sim, 1)
    for call in (lambda: update(sim, cron, name="x"), lambda: trigger(sim, cron)):
        assert refused(call).code == "not_found"
    assert refused(lambda: delete(sim, cron)).code == "not_found"


def test_a_run_of_a_deleted_cron_still_finishes(sim):
    define(sim, "task:long", run_seconds=600)
    cron = create(sim, target="task:long", timeout_seconds=3600)
    advance(sim, 60)
    delete(sim, cron)
    advance(sim, 1200)
    (run,) = runs(sim, cron)
    assert (run["status"], run["completed_at"]) == ("completed", at(660))


def test_the_cursor_of_a_deleting_cron_is_valid_until_it_is_gone(sim):
    crons = [create(sim, name=f"c{i}") for i in range(3)]
    delete(sim, crons[1])
    args = {"project_reference": P, "limit": 1, "cursor": crons[1]["id"]}
    assert [c["id"] for c in sim.call("list_cron_jobs", args)["data"]] == [crons[0]["id"]]
    advance(sim, 1)
    assert refused(lambda: sim.call("list_cron_jobs", args)).code == "invalid_arguments"


# -- trigger -------------------------------------------------------------------------


def test_trigger_creates_a_manual_run_now_and_sets_no_schedule_fields(sim):
    env = sim.call("sim_create_environment", {"project_reference": P, "name": "prod"})
    cron = create(sim, "0 0 1 1 *", environment_id=env["id"], config={"k": "v"}, backoff_limit=0)
    advance(sim, 7)
    run = trigger(sim, cron)
    assert (run["name"], run["cron_job_id"], run["created_at"], run["status"]) == (
        "nightly (manual)",
        cron["id"],
        at(7),
        "submitted",
    )
    assert (run["environment_id"], run["config"], run["backoff_limit"]) == (
        env["id"],
        {"k": "v"},
        0,
    )
    assert get(sim, cron) == cron  # no last_scheduled_at, no updated_at change


@pytest.mark.parametrize("policy", ["Forbid", "Replace"])
def test_trigger_ignores_the_policy_and_cancels_nothing(sim, policy):
    cron = create(sim, "0 0 1 1 *", concurrency_policy=policy)
    first = trigger(sim, cron)
    second = trigger(sim, cron)
    assert [r["id"] for r in runs(sim, cron)] == [first["id"], second["id"]]
    assert {r["status"] for r in runs(sim, cron)} == {"submitted"}


# -- invalid schedules and zones -----------------------------------------------------


@pytest.mark.parametrize(
    "schedule",
    ["61 * * * *", "0 0 30 2 *", "0 0 31 4,6 *", "*/0 * * * *", "0 24 * * *", "0 0 * * 8"],
)
def test_a_schedule_that_is_no_valid_cron_or_never_fires_is_invalid(sim, schedule):
    error = refused(lambda: create(sim, schedule))
    assert error.code == "invalid_arguments"
    assert error.details["field"] == "schedule"
    assert error.message.startswith("schedule:")
    assert repr(schedule) in error.message
    assert sim.call("list_cron_jobs", {"project_reference": P})["data"] == []


@pytest.mark.parametrize("schedule", ["* * * *", "* * * * * *", "@daily", ""])
def test_a_schedule_without_five_fields_is_invalid(sim, schedule):
    error = refused(lambda: create(sim, schedule))
    assert error.code == "invalid_arguments"
    assert error.details["field"] == "schedule"


def test_a_schedule_that_fires_only_in_leap_years_is_accepted(sim):
    cron = create(sim, "0 0 29 2 *")
    advance(sim, 3 * 366 * 86400)  # to early 2029
    assert fired_at(sim, cron) == ["2028-02-29T00:00:00.000Z"]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "utc", "../etc/passwd", "localtime"])
def test_an_unknown_timezone_is_invalid(sim, zone):
    error = refused(lambda: create(sim, timezone=zone))
    assert error.code == "invalid_arguments"
    assert error.details["field"] == "timezone"
    assert error.message.startswith("timezone:")


def test_schedule_and_timezone_are_checked_before_the_project(sim):
    error = refused(lambda: create(sim, "61 * * * *", project_reference="ghost"))
    assert error.code == "invalid_arguments"


# -- list_cron_jobs ------------------------------------------------------------------


def test_list_cron_jobs_pages_newest_first(sim):
    crons = [create(sim, name=f"c{i}") for i in range(5)]
    ids = [c["id"] for c in crons][::-1]
    first = sim.call("list_cron_jobs", {"project_reference": P, "limit": 2})
    assert [c["id"] for c in first["data"]] == ids[:2]
    assert first["page_info"] == {"self": None, "first": None, "next": ids[1], "prev": None}
    second = sim.call("list_cron_jobs", {"project_reference": P, "limit": 2, "cursor": ids[1]})
    assert [c["id"] for c in second["data"]] == ids[2:4]
    assert second["page_info"] == {"self": ids[1], "first": None, "next": ids[3], "prev": None}
    third = sim.call("list_cron_jobs", {"project_reference": P, "limit": 2, "cursor": ids[3]})
    assert [c["id"] for c in third["data"]] == ids[4:]
    assert third["page_info"] == {"self": ids[3], "first": None, "next": None, "prev": ids[1]}
    assert sim.call("list_cron_jobs", {"project_reference": P})["data"] == [
        get(sim, {"id": i}) for i in ids
    ]


def test_list_cron_jobs_filters_by_status(sim):
    _, b, c, d = (create(sim, name=n) for n in "abcd")
    update(sim, b, status="paused")
    update(sim, d, status="paused")
    delete(sim, c)

    def listed(status: str) -> list[str]:
        out = sim.call("list_cron_jobs", {"project_reference": P, "status": status})
        return [x["name"] for x in out["data"]]

    assert listed("active") == ["a"]
    assert listed("paused") == ["d", "b"]
    assert listed("deleting") == ["c"]
    update(sim, b, status="active")
    assert listed("active") == ["b", "a"]
    assert listed("paused") == ["d"]


def test_list_cron_jobs_filters_by_environment(sim):
    env = sim.call("sim_create_environment", {"project_reference": P, "name": "prod"})
    create(sim, name="plain")
    scoped = [create(sim, name=f"env{i}", environment_id=env["id"]) for i in range(3)]
    update(sim, scoped[1], status="paused")
    args = {"project_reference": P, "environment_id": env["id"]}
    out = sim.call("list_cron_jobs", args)
    assert [c["name"] for c in out["data"]] == ["env2", "env1", "env0"]
    out = sim.call("list_cron_jobs", {**args, "status": "paused"})
    assert [c["name"] for c in out["data"]] == ["env1"]
    out = sim.call("list_cron_jobs", {**args, "limit": 1, "cursor": scoped[2]["id"]})
    assert [c["name"] for c in out["data"]] == ["env1"]
    unknown = {"project_reference": P, "environment_id": "no-such-env"}
    assert sim.call("list_cron_jobs", unknown)["data"] == []


def test_list_cron_jobs_refuses_a_cursor_that_is_no_cron_of_the_project(sim):
    cron = create(sim)
    a_job = trigger(sim, cron)
    sim.call("sim_create_project", {"slug": "other"})
    foreign = sim.call(
        "create_cron_job",
        {"project_reference": "other", "name": "f", "target": "t", "schedule": "* * * * *"},
    )
    for cursor in ("nope", a_job["id"], foreign["id"]):
        error = refused(
            lambda c=cursor: sim.call("list_cron_jobs", {"project_reference": P, "cursor": c})
        )
        assert error.code == "invalid_arguments"
        assert error.details["field"] == "cursor"


@pytest.mark.parametrize("limit", [0, 101, 1.5])
def test_list_cron_jobs_refuses_a_bad_limit(sim, limit):
    error = refused(lambda: sim.call("list_cron_jobs", {"project_reference": P, "limit": limit}))
    assert error.code == "invalid_arguments"


# -- cost of a long advance ----------------------------------------------------------


class Counters:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events = 0
        self.clock_moves = 0
        pop_due, advance_to = EventQueue.pop_due, Clock.advance_to

        def counting_pop(queue: EventQueue, until_ms: int) -> Any:
            event = pop_due(queue, until_ms)
            self.events += event is not None
            return event

        def counting_advance(clock: Clock, ms: int) -> None:
            self.clock_moves += 1
            advance_to(clock, ms)

        monkeypatch.setattr(EventQueue, "pop_due", counting_pop)
        monkeypatch.setattr(Clock, "advance_to", counting_advance)


def test_a_day_of_an_every_minute_cron_is_processed_per_event_not_per_second(monkeypatch):
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    cron = create(sim, concurrency_policy="Allow")
    counters = Counters(monkeypatch)
    advance(sim, 86400)
    assert len(runs(sim, cron)) == 1440
    assert counters.events == 1440  # one tick per fire time
    assert counters.clock_moves == 1441  # to each tick, then to the end
    assert len(sim._world.queue) == 1  # the next tick, nothing else


def test_a_day_of_scripted_cron_runs_keeps_the_queue_small(monkeypatch):
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    define(sim, "task:quick", run_seconds=1)
    cron = create(sim, target="task:quick")
    counters = Counters(monkeypatch)
    advance(sim, 86400)
    done = runs(sim, cron)
    assert len(done) == 1440
    assert {r["status"] for r in done[:-1]} == {"completed"}
    assert done[-1]["status"] == "working"  # fired at the very end of the day
    # per run: its tick, its start, its attempt end, and (mostly) a no-op deadline
    assert 3 * 1440 <= counters.events <= 4 * 1440
    assert len(sim._world.queue) <= 10


def test_a_paused_cron_costs_no_event_however_long_the_advance(monkeypatch):
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    cron = create(sim)
    update(sim, cron, status="paused")
    counters = Counters(monkeypatch)
    advance(sim, 30 * 86400)  # 43,200 fire times while paused
    assert counters.events == 1  # the tick queued before the pause, void
    assert counters.clock_moves == 2
    advance(sim, 100 * 365 * 86400)  # a century: no tick to cap
    assert counters.events == 1
    assert runs(sim, cron) == []
    update(sim, cron, status="active")
    advance(sim, 60)
    assert len(runs(sim, cron)) == 1  # resumed: fires at the next minute, once


def test_pausing_and_resuming_in_one_instant_keeps_the_next_fire(sim):
    cron = create(sim, "*/10 * * * *", concurrency_policy="Allow")
    advance(sim, 30)
    update(sim, cron, status="paused")
    update(sim, cron, status="active")
    advance(sim, 600)
    assert fired_at(sim, cron) == [at(600)]


def _snapshot_without_transcript(sim: Simulator) -> dict[str, Any]:
    value = sim.snapshot()
    del value["transcript"]
    return value


@pytest.mark.parametrize("policy", ["Forbid", "Allow"])
def test_an_advance_past_the_tick_cap_is_refused_and_changes_nothing(policy):
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    define(sim, "task:quick", run_seconds=1)
    cron = create(sim, target="task:quick", concurrency_policy=policy)
    doomed = create(sim)
    sim.call("delete_cron_job", {"project_reference": P, "cron_job_id": doomed["id"]})
    before = _snapshot_without_transcript(sim)
    error = refused(lambda: advance(sim, 100 * 365 * 86400))
    assert error.code == "invalid_arguments"
    assert error.details["field"] == "seconds"
    assert error.details["max_ticks"] == MAX_TICKS_PER_ADVANCE
    assert f"{MAX_TICKS_PER_ADVANCE:,} cron ticks" in error.message
    # The deleted cron job is still there: the refusal came before the purge.
    assert _snapshot_without_transcript(sim) == before
    assert runs(sim, cron) == []


def test_the_tick_cap_counts_every_active_cron_and_names_the_longest_advance(monkeypatch):
    monkeypatch.setattr(cron_module, "MAX_TICKS_PER_ADVANCE", 10)
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    every_minute = create(sim, concurrency_policy="Allow")
    every_two = create(sim, "*/2 * * * *", concurrency_policy="Allow")
    paused = create(sim)
    update(sim, paused, status="paused")  # a paused cron job has no ticks to count
    # ticks at minutes 1, 2 (x2), 3, 4 (x2), 5, 6 (x2), 7, 8 (x2): the 11th is at 8:00
    error = refused(lambda: advance(sim, 480))
    assert error.details["max_seconds"] == 479.999
    advance(sim, error.details["max_seconds"])
    assert len(runs(sim, every_minute)) + len(runs(sim, every_two)) == 10
    advance(sim, 300)  # the cap is per advance: 5 + 3 more ticks
    assert len(runs(sim, every_minute)) == 12


def test_an_advance_may_run_exactly_the_tick_cap_and_not_one_tick_more(monkeypatch):
    monkeypatch.setattr(cron_module, "MAX_TICKS_PER_ADVANCE", 3)
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    cron = create(sim, concurrency_policy="Allow")  # every minute
    error = refused(lambda: advance(sim, 240))  # ticks at minutes 1, 2, 3 and 4
    assert error.details["max_seconds"] == 239.999
    advance(sim, 180)  # exactly 3 ticks: taken
    assert len(runs(sim, cron)) == 3


def test_a_schedule_is_parsed_once_not_at_every_tick(monkeypatch):
    parsed = []

    class CountingCronSim(cron_module.CronSim):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            parsed.append(args[0])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(cron_module, "CronSim", CountingCronSim)
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    cron = create(sim, "*/1 0-23 * * *", concurrency_policy="Allow")
    parsed.clear()  # creating checks the schedule once; the ticks are what count
    advance(sim, 86400)
    assert len(runs(sim, cron)) == 1440
    assert len(parsed) <= 1


def test_a_schedule_longer_than_the_cap_is_refused_on_create_and_update(sim):
    minutes = "0" + ",0" * 400  # a long but valid field; the rest is spacing

    def schedule(length: int) -> str:
        return minutes + " " * (length - len(minutes) - len(" 0 * * *")) + " 0 * * *"

    spaced, too_long = schedule(MAX_SCHEDULE_LENGTH), schedule(MAX_SCHEDULE_LENGTH + 1)
    cron = create(sim, spaced)
    assert cron["schedule"] == spaced
    error = refused(lambda: create(sim, too_long))
    assert error.details == {"field": "schedule", "length": MAX_SCHEDULE_LENGTH + 1}
    assert f"at most {MAX_SCHEDULE_LENGTH:,}" in error.message
    error = refused(lambda: update(sim, cron, schedule=too_long))
    assert error.details["field"] == "schedule"
    assert get(sim, cron)["schedule"] == spaced


def test_an_advance_too_short_to_reach_the_cap_computes_no_fire_times(monkeypatch):
    sim = Simulator(seed=1, record=False)
    sim.call("sim_create_project", {"slug": P})
    for _ in range(5):
        create(sim, concurrency_policy="Allow")

    def no_counting(*args: Any) -> Any:
        raise AssertionError("the tick check counted fire times it could not need")

    monkeypatch.setattr(cron_module, "_ticks", no_counting)
    advance(sim, 86_400)  # at most 5 x 2,882 ticks by the 30 s bound: under the cap
    assert sim.call("list_jobs", {"project_reference": P, "limit": 1})["data"]
    monkeypatch.setattr(cron_module, "MAX_TICKS_PER_ADVANCE", 5 * 2_882 - 1)
    with pytest.raises(AssertionError, match="could not need"):
        advance(sim, 86_400)
