"""A refused call changes nothing: state, ids, clock, pending events, transcript (SPEC 11)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobsim import Simulator, ToolError

B1 = "3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
B_OTHER = "5c4b3a29-1807-4f6e-9d5c-4b3a29180706"
UNKNOWN = "11111111-2222-4333-8444-555555555555"
TARGETS = ("plain", "image:worker", "image:strict")


def build() -> tuple[Simulator, dict[str, Any]]:
    """A world with something in every state, and events still queued."""
    sim = Simulator(seed=3)
    ids: dict[str, Any] = {}
    ids["acme"] = sim.call("sim_create_project", {"slug": "acme"})["id"]
    ids["other"] = sim.call("sim_create_project", {"slug": "other"})["id"]
    ids["env"] = sim.call("sim_create_environment", {"project_reference": "acme", "name": "e"})[
        "id"
    ]
    ids["other_env"] = sim.call(
        "sim_create_environment", {"project_reference": "other", "name": "e"}
    )["id"]
    ids["branch"] = sim.call("sim_create_branch", {"project_reference": "acme", "name": "b"})["id"]
    sim.call("sim_define_target", {"name": "plain"})
    sim.call(
        "sim_define_target",
        {"name": "image:worker", "behavior": {"run_seconds": 30, "exit_codes": [1, 0]}},
    )
    sim.call(
        "sim_define_target",
        {
            "name": "image:strict",
            "input_schema": {
                "type": "object",
                "properties": {"n": {"type": "integer"}},
                "required": ["n"],
            },
        },
    )

    def job(**fields: Any) -> str:
        args = {"project_reference": "acme", "name": "n", "target": "plain", **fields}
        return str(sim.call("create_job", args)["id"])

    def drive(job_id: str, *steps: Any) -> None:
        args = {"project_reference": "acme", "job_id": job_id}
        for step in steps:
            if step == "start":
                sim.call("sim_start_job", args)
            elif step == "cancel":
                sim.call("cancel_job", args)
            else:
                sim.call("sim_finish_job", {**args, "exit_code": step})

    cron = {"project_reference": "acme", "target": "plain", "schedule": "*/5 * * * *"}
    ids["cron"] = sim.call("create_cron_job", {**cron, "name": "active"})["id"]
    ids["paused"] = sim.call("create_cron_job", {**cron, "name": "paused"})["id"]
    sim.call(
        "update_cron_job",
        {"project_reference": "acme", "cron_job_id": ids["paused"], "status": "paused"},
    )
    sim.call("sim_advance_clock", {"seconds": 301})  # the active cron fires, the paused one not
    ids["deleting"] = sim.call("create_cron_job", {**cron, "name": "doomed"})["id"]
    sim.call("delete_cron_job", {"project_reference": "acme", "cron_job_id": ids["deleting"]})
    ids["submitted"] = job(batch_id=B1, environment_id=ids["env"], branch_id=ids["branch"])
    ids["working"] = job(batch_id=B1)
    drive(ids["working"], "start")
    ids["backoff"] = job(batch_id=B1, config={"k": [1, {"x": None}]})
    drive(ids["backoff"], "start", 1)
    ids["completed"] = job()
    drive(ids["completed"], "start", 0)
    ids["failed"] = job(backoff_limit=0)
    drive(ids["failed"], "start", 5)
    ids["canceled"] = job(batch_id=B1)
    drive(ids["canceled"], "cancel")
    ids["scripted"] = job(target="image:worker", batch_id=B1)
    ids["foreign_job"] = str(
        sim.call(
            "create_job",
            {"project_reference": "other", "name": "n", "target": "plain", "batch_id": B_OTHER},
        )["id"]
    )
    sim.call("sim_advance_clock", {"seconds": 0})  # the scripted job starts
    labelled = ("submitted", "working", "completed", "failed", "canceled")
    for label in labelled:
        job_args = {"project_reference": "acme", "job_id": ids[label]}
        assert sim.call("get_job", job_args)["status"] == label
    assert (
        sim.call("get_job", {"project_reference": "acme", "job_id": ids["scripted"]})["status"]
        == "working"
    )
    return sim, ids


def battery(ids: dict[str, Any]) -> list[tuple[str, Any]]:
    """Calls that must all be refused, of every code and at every stage of checking."""
    acme = {"project_reference": "acme"}
    new_job = {**acme, "name": "n", "target": "plain"}
    cron = {**acme, "name": "c", "target": "plain", "schedule": "* * * * *"}

    def on(job: str) -> dict[str, Any]:
        return {**acme, "job_id": ids[job]}

    def on_cron(name: str) -> dict[str, Any]:
        return {**acme, "cron_job_id": ids[name]}

    return [
        ("no_such_tool", {}),
        ("list_jobs", ["not", "an", "object"]),
        ("create_job", {**new_job, "colour": "red"}),
        ("create_job", {"project_reference": "acme", "target": "plain"}),
        ("create_job", {**new_job, "timeout_seconds": "60"}),
        ("create_job", {**new_job, "timeout_seconds": 3.5}),
        ("create_job", {**new_job, "backoff_limit": 101}),
        ("create_job", {**new_job, "name": ""}),
        ("create_job", {**new_job, "name": "  "}),
        ("create_job", {**new_job, "config": {"x": float("nan")}}),
        ("create_job", {**new_job, "config": {"x": {1, 2}}}),
        ("create_job", {**new_job, "batch_id": "not-a-uuid"}),
        ("create_job", {**new_job, "target": "image:strict", "config": {"n": "one"}}),
        ("create_job", {**new_job, "project_reference": "nope"}),
        ("create_job", {**new_job, "environment_id": ids["other_env"]}),
        ("create_job", {**new_job, "branch_id": UNKNOWN}),
        ("create_job", {**new_job, "batch_id": B_OTHER}),  # passes every check but the last
        ("get_job", on("foreign_job")),
        ("cancel_job", on("completed")),
        ("cancel_job", on("failed")),
        ("cancel_job", on("canceled")),
        ("cancel_job", on("foreign_job")),
        ("sim_start_job", on("working")),
        ("sim_start_job", on("completed")),
        ("sim_finish_job", {**on("backoff"), "exit_code": 0}),
        ("sim_finish_job", {**on("submitted"), "exit_code": 0}),
        ("sim_finish_job", {**on("working"), "exit_code": 256}),
        ("sim_finish_job", {**on("working"), "exit_code": 0.5}),
        ("sim_advance_clock", {"seconds": -1}),
        ("sim_advance_clock", {"seconds": float("nan")}),
        ("sim_advance_clock", {"seconds": 1e300}),
        ("sim_create_project", {"slug": "acme"}),
        ("sim_create_project", {"slug": "fresh", "id": ids["other"]}),
        ("sim_create_project", {"slug": "Fresh"}),
        ("sim_create_project", {"slug": "fresh\n"}),
        ("sim_create_project", {"slug": "fresh", "id": "nope"}),
        ("sim_create_environment", {**acme, "name": ""}),
        ("sim_create_branch", {"project_reference": "nope", "name": "b"}),
        ("sim_define_target", {"name": "plain", "input_schema": {"type": "nonsense"}}),
        ("sim_define_target", {"name": "plain", "behavior": {"run_seconds": float("inf")}}),
        ("sim_define_target", {"name": ""}),
        ("sim_inject_fault", {"tool": "no_such_tool", "code": "internal"}),
        ("sim_inject_fault", {"tool": "get_job", "code": "teapot"}),
        ("sim_inject_fault", {"tool": "get_job", "code": "internal", "times": 0}),
        ("list_jobs", {**acme, "cursor": ids["foreign_job"]}),
        ("list_jobs", {**acme, "cursor": UNKNOWN}),
        ("list_jobs", {**acme, "status": "done"}),
        ("list_jobs", {**acme, "limit": 0}),
        ("list_jobs", {**acme, "limit": 2.5}),
        ("list_job_batch_jobs", {**acme, "batch_id": B_OTHER}),
        ("list_job_batch_jobs", {**acme, "batch_id": B1, "cursor": ids["completed"]}),
        ("get_job_batch", {**acme, "batch_id": UNKNOWN}),
        ("get_job_events", {**on("working"), "cursor": "garbage"}),
        ("get_job_events", on("foreign_job")),
        ("get_job_target", {**acme, "target_name": "undefined"}),
        ("create_cron_job", {**cron, "schedule": "61 * * * *"}),
        ("create_cron_job", {**cron, "schedule": "0 0 30 2 *"}),
        ("create_cron_job", {**cron, "timezone": "Mars/Olympus"}),
        ("create_cron_job", {**cron, "environment_id": ids["other_env"]}),
        ("update_cron_job", {**on_cron("cron"), "timezone": "Mars/Olympus"}),
        ("update_cron_job", {**on_cron("cron"), "timeout_seconds": 0}),
        ("update_cron_job", {**on_cron("deleting"), "name": "renamed"}),
        ("update_cron_job", {**acme, "cron_job_id": UNKNOWN, "name": "x"}),
        ("delete_cron_job", on_cron("deleting")),
        ("trigger_cron_job", on_cron("deleting")),
        ("get_cron_job", {**acme, "cron_job_id": UNKNOWN}),
        ("list_cron_jobs", {**acme, "cursor": ids["completed"]}),
    ]


def dump(sim: Simulator, ids: dict[str, Any]) -> str:
    """Everything the tools can tell about the world, as one JSON string."""
    out: dict[str, Any] = {"now": sim.now}
    for project in ("acme", "other"):
        ref = {"project_reference": project}
        jobs = sim.call("list_jobs", {**ref, "limit": 100})
        assert jobs["page_info"]["next"] is None
        out[f"{project}/jobs"] = jobs
        for job in jobs["data"]:
            args = {**ref, "job_id": job["id"]}
            out[f"{project}/job/{job['id']}"] = sim.call("get_job", args)
            out[f"{project}/events/{job['id']}"] = sim.call(
                "get_job_events", {**args, "direction": "forward", "limit": 1000}
            )
            batch = job["batch_id"]
            if batch is not None:
                out[f"{project}/batch/{batch}"] = sim.call(
                    "get_job_batch", {**ref, "batch_id": batch}
                )
                out[f"{project}/batch-jobs/{batch}"] = sim.call(
                    "list_job_batch_jobs", {**ref, "batch_id": batch, "limit": 100}
                )
        crons = sim.call("list_cron_jobs", {**ref, "limit": 100})
        out[f"{project}/crons"] = crons
        for cron in crons["data"]:
            out[f"{project}/cron/{cron['id']}"] = sim.call(
                "get_cron_job", {**ref, "cron_job_id": cron["id"]}
            )
    for target in TARGETS:
        out[f"target/{target}"] = sim.call(
            "get_job_target", {"project_reference": "acme", "target_name": target}
        )
    return json.dumps(out, sort_keys=True)


def successes(sim: Simulator) -> list[dict[str, Any]]:
    return [entry for entry in sim.transcript if "result" in entry]


def test_the_battery_covers_every_refusal_code_and_every_tool_family():
    sim, ids = build()
    codes = set()
    for tool, args in battery(ids):
        with pytest.raises(ToolError) as info:
            sim.call(tool, args)
        codes.add(info.value.code)
    assert codes == {"invalid_arguments", "not_found", "conflict"}


def test_refused_calls_leave_state_ids_clock_and_transcript_untouched():
    sim, ids = build()
    twin, twin_ids = build()
    assert ids == twin_ids
    before = successes(sim)
    now = sim.now

    refused = battery(ids)
    for tool, args in refused:
        with pytest.raises(ToolError):
            sim.call(tool, args)

    assert sim.now == now
    # the transcript: successful entries unchanged, one error entry per refusal
    assert successes(sim) == before == successes(twin)
    errors = sim.transcript[len(before) :]
    assert len(errors) == len(refused)
    assert all("error" in entry and "result" not in entry for entry in errors)
    assert [e["tool"] for e in errors] == [tool for tool, _ in refused]
    # every list/get output, for every project
    assert dump(sim, ids) == dump(twin, ids)
    # the id source and the creation order: the next creations are the same
    for s in (sim, twin):
        s.call("sim_create_project", {"slug": "after"})
    assert sim.call(
        "create_job", {"project_reference": "acme", "name": "after", "target": "plain"}
    ) == twin.call("create_job", {"project_reference": "acme", "name": "after", "target": "plain"})
    # the queued events: time moves on the same way
    for s in (sim, twin):
        s.call("sim_advance_clock", {"seconds": 3600})
    assert dump(sim, ids) == dump(twin, ids)


def test_the_same_world_dumps_the_same_before_and_after_the_battery():
    sim, ids = build()
    before = dump(sim, ids)
    for tool, args in battery(ids):
        with pytest.raises(ToolError):
            sim.call(tool, args)
    assert dump(sim, ids) == before


def test_a_refused_call_records_its_error_and_arguments_in_the_transcript(sim, project):
    with pytest.raises(ToolError):
        sim.call("cancel_job", {"project_reference": "acme", "job_id": "nope"})
    entry = sim.transcript[-1]
    assert entry == {
        "at": "2026-01-01T00:00:00.000Z",
        "tool": "cancel_job",
        "arguments": {"project_reference": "acme", "job_id": "nope"},
        "error": {
            "code": "not_found",
            "message": "job 'nope' not found",
            "details": {"kind": "job", "id": "nope"},
        },
    }


def test_a_refused_call_does_not_keep_a_reference_to_its_arguments(sim, project):
    args: dict[str, Any] = {"project_reference": "acme", "job_id": "nope"}
    with pytest.raises(ToolError):
        sim.call("cancel_job", args)
    args["job_id"] = "changed"
    assert sim.transcript[-1]["arguments"]["job_id"] == "nope"


def test_a_refused_create_draws_no_id():
    sim, twin = Simulator(), Simulator()
    for s in (sim, twin):
        s.call("sim_create_project", {"slug": "acme"})
    with pytest.raises(ToolError):
        sim.call(
            "create_job",
            {"project_reference": "acme", "name": "n", "target": "t", "branch_id": UNKNOWN},
        )
    args = {"project_reference": "acme", "name": "n", "target": "t"}
    assert sim.call("create_job", args) == twin.call("create_job", args)
