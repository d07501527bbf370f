"""The transcript (SPEC section 12): every call, in order, with the virtual time it was
made at, the tool, the arguments, and the result or the error; each read of it is a
fresh copy; it is JSON whatever a Python caller passed; and replaying it on a fresh
simulator of the same seed gives every result and every error again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobsim import Simulator, ToolError

BATCH = "6c4f5e7d-8091-4a2b-bcde-3f4a5b6c7d8e"


def _session() -> tuple[Simulator, list[tuple[str, Any, Any]]]:
    """A simulator and what each call gave: ``(tool, arguments, result or ToolError)``."""
    sim = Simulator(seed=8)
    seen: list[tuple[str, Any, Any]] = []

    def call(tool: Any, arguments: Any) -> Any:
        try:
            out: Any = sim.call(tool, arguments)
        except ToolError as error:
            out = error
        seen.append((tool, arguments, out))
        return out

    call("sim_create_project", {"slug": "acme"})
    call("sim_define_target", {"name": "task:ok", "behavior": {"run_seconds": 2}})
    job = call(
        "create_job",
        {"project_reference": "acme", "name": "j", "target": "task:ok", "batch_id": BATCH},
    )
    call("sim_advance_clock", {"seconds": 1.5})
    call("cancel_job", {"project_reference": "acme", "job_id": "nope"})
    call("sim_advance_clock", {"seconds": 10})
    call("cancel_job", {"project_reference": "acme", "job_id": job["id"]})  # conflict
    call("list_jobs", {"project_reference": "acme", "status": "completed"})
    call("sim_inject_fault", {"tool": "get_job_batch", "code": "unavailable"})
    call("get_job_batch", {"project_reference": "acme", "batch_id": BATCH})
    call("get_job_batch", {"project_reference": "acme", "batch_id": BATCH})
    call("no_such_tool", {})
    call("list_jobs", ["not", "an", "object"])
    call("get_job_events", {"project_reference": "acme", "job_id": job["id"], "limit": 2})
    return sim, seen


def test_every_call_is_recorded_in_order_with_its_result_or_error() -> None:
    sim, seen = _session()
    transcript = sim.transcript
    assert len(transcript) == len(seen)
    for entry, (tool, arguments, out) in zip(transcript, seen, strict=True):
        assert entry["tool"] == tool
        assert entry["arguments"] == arguments
        if isinstance(out, ToolError):
            assert set(entry) == {"at", "tool", "arguments", "error"}
            assert entry["error"] == out.to_dict()
        else:
            assert set(entry) == {"at", "tool", "arguments", "result"}
            assert entry["result"] == out
    codes = [e["error"]["code"] for e in transcript if "error" in e]
    assert codes == [
        "not_found",
        "conflict",
        "unavailable",
        "invalid_arguments",
        "invalid_arguments",
    ]


def test_each_entry_carries_the_virtual_time_the_call_was_made_at() -> None:
    sim, _ = _session()
    at = [entry["at"] for entry in sim.transcript]
    assert at[:4] == ["2026-01-01T00:00:00.000Z"] * 4  # an advance is stamped with its start
    assert at[4:6] == ["2026-01-01T00:00:01.500Z"] * 2
    assert set(at[6:]) == {"2026-01-01T00:00:11.500Z"}
    assert sim.transcript[3]["result"] == {"now": "2026-01-01T00:00:01.500Z"}


def test_each_read_is_a_fresh_copy_that_the_caller_may_change() -> None:
    sim, _ = _session()
    first = sim.transcript
    text = json.dumps(first)
    first[0]["arguments"]["slug"] = "changed"
    first[2]["result"]["config"]["x"] = 1
    first[4]["error"]["details"]["id"] = "changed"
    first.append({"at": "never"})
    del first[1]
    assert json.dumps(sim.transcript) == text
    assert sim.transcript is not sim.transcript


def test_changing_the_arguments_or_the_result_after_the_call_changes_no_entry() -> None:
    sim = Simulator()
    arguments: dict[str, Any] = {"slug": "p"}
    result = sim.call("sim_create_project", arguments)
    config = {"deep": {"list": [1, 2]}}
    job_args = {"project_reference": "p", "name": "n", "target": "t", "config": config}
    job = sim.call("create_job", job_args)
    bad_args: dict[str, Any] = {"project_reference": "p", "job_id": ["x"]}
    with pytest.raises(ToolError):
        sim.call("get_job", bad_args)
    text = json.dumps(sim.transcript)
    arguments["slug"] = "q"
    result["slug"] = "q"
    config["deep"]["list"].append(3)
    job["config"]["deep"]["list"].clear()
    bad_args["job_id"].append("y")
    assert json.dumps(sim.transcript) == text


@pytest.mark.parametrize(
    "arguments",
    [
        {"slug": {1, 2}},
        {"slug": b"bytes"},
        {"slug": object()},
        {1: "non-string key", None: object()},
        {"slug": {"nested": [{3j: frozenset()}]}},
    ],
)
def test_a_refused_call_with_python_values_leaves_a_json_transcript(arguments: Any) -> None:
    """Regression: a refused call from Python with a set, bytes or an object among its
    arguments put that value in the transcript, and every later snapshot failed in
    ``json.dumps``. What is recorded is JSON (no repr of objects: no addresses)."""
    sim = Simulator()
    with pytest.raises(ToolError) as caught:
        sim.call("sim_create_project", arguments)
    assert caught.value.code == "invalid_arguments"
    entry = sim.transcript[-1]
    assert "<not JSON" in json.dumps(entry["arguments"], allow_nan=False)
    snap = sim.snapshot()
    restored = Simulator.from_snapshot(json.loads(json.dumps(snap)))
    assert restored.transcript == sim.transcript
    assert json.dumps(restored.snapshot()) == json.dumps(snap)


def test_a_tool_name_that_is_no_string_is_recorded_as_json() -> None:
    sim = Simulator()
    for tool in (None, 3, ["cancel_job"], {"a": 1}, object()):
        with pytest.raises(ToolError) as caught:
            sim.call(tool, {})  # type: ignore[arg-type]
        assert caught.value.code == "invalid_arguments"
    json.dumps(sim.snapshot(), allow_nan=False)
    assert [e["tool"] for e in sim.transcript][-1] == "<not JSON: object>"


def test_replaying_the_transcript_gives_every_result_and_error_again() -> None:
    sim, _ = _session()
    replay = Simulator(seed=8)
    for entry in sim.transcript:
        try:
            out: Any = replay.call(entry["tool"], entry["arguments"])
        except ToolError as error:
            out = {"error": error.to_dict()}
        else:
            out = {"result": out}
        expected = {k: v for k, v in entry.items() if k in ("result", "error")}
        assert out == expected, entry
    assert replay.transcript == sim.transcript
    assert replay.snapshot() == sim.snapshot()


def test_record_false_keeps_the_transcript_empty() -> None:
    sim = Simulator(record=False)
    sim.call("sim_create_project", {"slug": "p"})
    with pytest.raises(ToolError):
        sim.call("get_job", {"project_reference": "p", "job_id": "x"})
    assert sim.transcript == []
    assert sim.snapshot()["transcript"] == []
    assert Simulator.from_snapshot(sim.snapshot()).record is False


def test_the_transcript_round_trips_through_a_snapshot() -> None:
    sim, _ = _session()
    twin = Simulator.from_snapshot(json.loads(json.dumps(sim.snapshot())))
    assert twin.transcript == sim.transcript
    twin.call("sim_advance_clock", {"seconds": 1})
    sim.call("sim_advance_clock", {"seconds": 1})
    assert twin.transcript == sim.transcript
