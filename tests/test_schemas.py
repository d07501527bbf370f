"""Every tool's output validates against its output schema; the seed tools match the seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from jobsim import Simulator
from jobsim.registry import TOOLS

#: The two seed tool pages, as vendored for scripts/build_schemas.py.
SEEDS_DIR = Path(__file__).resolve().parent.parent / "schemas" / "published" / "seeds"
UUID = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"
JOB_TOOLS = ("cancel_job", "create_job", "get_job", "sim_start_job", "sim_finish_job")


def seed_documents() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """tool name -> (input schema, output schema), read from the seed pages."""
    seeds = {}
    for page in sorted(SEEDS_DIR.glob("*.txt")):
        text = page.read_text(encoding="utf-8")
        name = next(
            line.removeprefix("Name") for line in text.splitlines() if line.startswith("Name")
        )
        decoder = json.JSONDecoder()
        found: list[dict[str, Any]] = []
        pos = 0
        while len(found) < 2:
            start = text.index("{", pos)
            obj, pos = decoder.raw_decode(text, start)
            found.append(obj)
        seeds[name] = (found[0], found[1])
    return seeds


SEEDS = seed_documents()


def test_both_seed_pages_are_read():
    assert set(SEEDS) == {"cancel_job", "list_job_batch_jobs"}


@pytest.mark.parametrize("name", ["cancel_job", "list_job_batch_jobs"])
def test_seed_tool_input_schema_equals_the_seed_key_for_key(name):
    seed_input, _ = SEEDS[name]
    assert TOOLS[name].input_schema == seed_input
    # and in the same key order, so a rendered schema reads like the published one
    assert json.dumps(TOOLS[name].input_schema) == json.dumps(seed_input)


@pytest.mark.parametrize("name", ["cancel_job", "list_job_batch_jobs"])
def test_seed_tool_output_schema_equals_the_seed_key_for_key(name):
    _, seed_output = SEEDS[name]
    assert TOOLS[name].output_schema == seed_output
    assert json.dumps(TOOLS[name].output_schema) == json.dumps(seed_output)


def test_list_jobs_returns_exactly_the_list_job_batch_jobs_output_schema():
    assert TOOLS["list_jobs"].output_schema == SEEDS["list_job_batch_jobs"][1]


@pytest.mark.parametrize("name", [*JOB_TOOLS, "trigger_cron_job"])
def test_every_tool_returning_a_job_uses_the_seed_job_record(name):
    assert TOOLS[name].output_schema == SEEDS["cancel_job"][1]


def test_seed_job_record_has_exactly_the_18_keys_of_the_spec():
    record = SEEDS["cancel_job"][1]
    assert list(record["properties"]) == [
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


class Recorder:
    """Calls tools and checks every output against its schema with a fresh validator."""

    def __init__(self) -> None:
        self.sim = Simulator(seed=11, validate_outputs=True)
        self.validators = {n: Draft7Validator(s.output_schema) for n, s in TOOLS.items()}
        self.called: dict[str, int] = {}
        self.statuses: set[str] = set()

    def __call__(self, tool: str, /, **args: Any) -> dict[str, Any]:
        out = self.sim.call(tool, args)
        errors = [e.message for e in self.validators[tool].iter_errors(out)]
        assert errors == [], (tool, args, errors)
        json.dumps(out, allow_nan=False)  # a JSON value, nothing else
        self.called[tool] = self.called.get(tool, 0) + 1
        for job in out.get("data", [out]):
            if isinstance(job, dict) and "exit_code" in job:
                self.statuses.add(job["status"])
        return out


def test_every_tool_output_validates_against_its_output_schema():
    call = Recorder()
    p = "acme"
    call("sim_create_project", slug=p)
    call("sim_create_project", slug="other", id=UUID)
    env = call("sim_create_environment", project_reference=p, name="prod")
    branch = call("sim_create_branch", project_reference=p, name="main")
    call(
        "sim_define_target",
        name="image:worker",
        description="a scripted worker",
        input_schema={"type": "object", "properties": {"n": {"type": "integer"}}},
        output_schema={"type": "object"},
        behavior={
            "start_after_seconds": 0,
            "run_seconds": 5,
            "exit_codes": [1, 0],
            "events": ["hello"],
        },
    )
    call("sim_define_target", name="plain")
    call("get_job_target", project_reference=p, target_name="image:worker")
    call(
        "get_job_target",
        project_reference=p,
        target_name="plain",
        runtime_target_kind=None,
        source_target_kind="project",
    )

    batch = "3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
    scripted = call(
        "create_job",
        project_reference=p,
        name="scripted",
        target="image:worker",
        config={"n": 1},
        batch_id=batch,
        environment_id=env["id"],
        branch_id=branch["id"],
    )
    manual = call("create_job", project_reference=p, name="manual", target="plain", batch_id=batch)
    deadline = call(
        "create_job", project_reference=p, name="deadline", target="x", timeout_seconds=1
    )
    exhaust = call("create_job", project_reference=p, name="exhaust", target="x", backoff_limit=0)
    doomed = call("create_job", project_reference=p, name="doomed", target="x")
    call("get_job", project_reference=p, job_id=manual["id"])
    call("get_job_batch", project_reference=p, batch_id=batch)  # mixed targets: null

    for job in (manual, deadline, exhaust):
        call("sim_start_job", project_reference=p, job_id=job["id"])
    call("sim_finish_job", project_reference=p, job_id=manual["id"], exit_code=0)
    call("sim_finish_job", project_reference=p, job_id=exhaust["id"], exit_code=3)
    call("cancel_job", project_reference=p, job_id=doomed["id"])
    call("sim_advance_clock", seconds=2)  # scripted job fails attempt 1 later; deadline fires
    call("list_jobs", project_reference=p)  # working, completed, failed, canceled
    call("list_jobs", project_reference=p, status="failed", limit=1)
    call("sim_advance_clock", seconds=30)

    cron = call(
        "create_cron_job",
        project_reference=p,
        name="nightly",
        target="plain",
        schedule="*/10 * * * *",
        timezone="Europe/Berlin",
        environment_id=env["id"],
        concurrency_policy="Allow",
    )
    call("sim_advance_clock", seconds=600)
    call("get_cron_job", project_reference=p, cron_job_id=cron["id"])
    call("update_cron_job", project_reference=p, cron_job_id=cron["id"], status="paused")
    call("trigger_cron_job", project_reference=p, cron_job_id=cron["id"])
    call("list_cron_jobs", project_reference=p)
    call("list_cron_jobs", project_reference=p, status="paused", environment_id=env["id"])
    call("delete_cron_job", project_reference=p, cron_job_id=cron["id"])
    call("list_cron_jobs", project_reference=p, status="deleting")
    call("list_jobs", project_reference=p, cron_job_id=cron["id"])
    call("list_jobs", project_reference=p, environment_id=env["id"], batch_id=batch)

    first = call("list_job_batch_jobs", project_reference=p, batch_id=batch, limit=1)
    second = call(
        "list_job_batch_jobs",
        project_reference=p,
        batch_id=batch,
        limit=1,
        cursor=first["page_info"]["next"],
    )
    assert second["page_info"]["self"] == first["page_info"]["next"]
    call("list_job_batch_jobs", project_reference=p, batch_id=batch, status="completed")

    back = call("get_job_events", project_reference=p, job_id=scripted["id"], limit=2)
    assert back["next_cursor"] is not None
    call(
        "get_job_events",
        project_reference=p,
        job_id=scripted["id"],
        limit=2,
        cursor=back["next_cursor"],
    )
    call("get_job_events", project_reference=p, job_id=scripted["id"], direction="forward")
    call("sim_inject_fault", tool="get_job", code="rate_limited", message="slow down", times=2)
    call("sim_get_transcript", limit=3)  # newest first: a refused call among them
    call("sim_get_transcript", from_index=0, limit=2)

    assert set(call.called) == set(TOOLS), sorted(set(TOOLS) - set(call.called))
    assert call.statuses == {"submitted", "working", "completed", "failed", "canceled"}


def test_validate_outputs_raises_when_a_handler_breaks_its_schema(monkeypatch):
    spec = TOOLS["sim_advance_clock"]
    monkeypatch.setattr(spec, "handler", lambda world, args: {"now": 5})
    with pytest.raises(AssertionError, match="sim_advance_clock output breaks its schema"):
        Simulator(validate_outputs=True).call("sim_advance_clock", {"seconds": 1})
    # without the knob the (broken) output is returned unchecked
    assert Simulator().call("sim_advance_clock", {"seconds": 1}) == {"now": 5}


def test_validate_outputs_asks_jsonschema_only_about_an_output_the_fast_check_refuses(
    monkeypatch,
):
    spec = TOOLS["sim_advance_clock"]
    asked: list[object] = []

    class Spy:
        def iter_errors(self, output):
            asked.append(output)
            return iter(())

    monkeypatch.setitem(spec.__dict__, "output_validator", Spy())  # the cached validator
    sim = Simulator(validate_outputs=True)
    sim.call("sim_advance_clock", {"seconds": 1})
    assert asked == []  # a valid output: the fast check alone accepted it
    monkeypatch.setattr(spec, "handler", lambda world, args: {"now": 5})
    sim.call("sim_advance_clock", {"seconds": 1})  # the spy finds nothing wrong
    assert asked == [{"now": 5}]
