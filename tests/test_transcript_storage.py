"""The transcript keeps what each call saw, whatever the caller does afterwards
(entries are frozen as marshal bytes, then compressed in chunks: jobsim.transcript)."""

from __future__ import annotations

import json
from collections import OrderedDict

import pytest

from jobsim import Simulator, ToolError, transcript


def make() -> Simulator:
    sim = Simulator(seed=3)
    sim.call("sim_create_project", {"slug": "p"})
    return sim


def test_mutating_arguments_and_result_after_the_call_changes_no_entry():
    sim = make()
    shared = [1, {"x": 2}]
    args = {"project_reference": "p", "name": "n", "target": "t", "config": {"a": shared}}
    result = sim.call("create_job", args)
    before = sim.transcript
    shared.append(3)
    args["name"] = "changed"
    result["config"]["a"].append("x")
    result["status"] = "mutated"
    assert sim.transcript == before
    entry = before[-1]
    assert entry["arguments"]["config"] == {"a": [1, {"x": 2}]}
    assert entry["result"]["status"] == "submitted"
    assert list(entry) == ["at", "tool", "arguments", "result"]


def test_a_value_given_twice_comes_back_as_two_values():
    sim = make()
    twice = [1]
    sim.call(
        "create_job",
        {"project_reference": "p", "name": "n", "target": "t", "config": {"a": twice, "b": twice}},
    )
    config = sim.transcript[-1]["arguments"]["config"]
    assert config == {"a": [1], "b": [1]}
    assert config["a"] is not config["b"]


def test_each_read_is_a_fresh_copy():
    sim = make()
    first = sim.transcript
    first[0]["arguments"]["slug"] = "x"
    first.clear()
    assert sim.transcript[0]["arguments"]["slug"] == "p"


def test_values_marshal_cannot_write_are_stored_as_plain_json():
    sim = make()
    args = OrderedDict(project_reference="p", name="n", target="t", config=OrderedDict(k=1.5))
    job = sim.call("create_job", args)
    entry = sim.transcript[-1]
    assert entry["arguments"] == {
        "project_reference": "p",
        "name": "n",
        "target": "t",
        "config": {"k": 1.5},
    }
    assert entry["result"] == job
    args["config"]["k"] = 2
    assert sim.transcript[-1]["arguments"]["config"] == {"k": 1.5}


def test_types_survive_storage():
    sim = make()
    config = {"t": True, "f": False, "i": 2**80, "x": -0.0, "s": "é", "n": None, "l": [1.5]}
    sim.call("create_job", {"project_reference": "p", "name": "n", "target": "t", "config": config})
    back = sim.transcript[-1]["arguments"]["config"]
    assert back == config
    assert [type(v) for v in back.values()] == [type(v) for v in config.values()]


def test_snapshot_round_trip_keeps_the_transcript():
    sim = make()
    sim.call("create_job", {"project_reference": "p", "name": "n", "target": "t"})
    again = Simulator.from_snapshot(sim.snapshot())
    assert again.transcript == sim.transcript
    again.call("get_job", {"project_reference": "p", "job_id": sim.transcript[-1]["result"]["id"]})
    assert again.transcript[:-1] == sim.transcript


def test_entries_read_back_the_same_across_sealed_chunks(monkeypatch):
    monkeypatch.setattr(transcript, "CHUNK_BYTES", 1_000)  # seal every few entries
    sim = make()
    for i in range(40):
        sim.call("create_job", {"project_reference": "p", "name": f"n{i}", "target": "t"})
    entries = sim.transcript
    assert len(entries) == len(sim._world.transcript) == 41
    assert sim._world.transcript._sealed, "no chunk was sealed; the test checks nothing"
    assert [e["tool"] for e in entries] == ["sim_create_project"] + ["create_job"] * 40
    assert [e["arguments"]["name"] for e in entries[1:]] == [f"n{i}" for i in range(40)]
    assert Simulator.from_snapshot(sim.snapshot()).transcript == entries


def test_a_sealed_chunk_is_smaller_than_its_entries():
    store = transcript.Transcript()
    entry = {"at": "2026-01-01T00:00:00.000Z", "tool": "get_job", "arguments": {"k": "v" * 40}}
    while not store._sealed:
        store.append(entry)
    count, blob = store._sealed[0]
    assert count == len(store)
    assert len(blob) * 10 < transcript.CHUNK_BYTES
    assert store.entries() == [entry] * count


def test_string_subclasses_are_stored_as_plain_strings():
    class Name(str):
        pass

    sim = make()
    sim.call("create_job", {"project_reference": "p", "name": Name("n"), "target": "t"})
    stored = sim.transcript[-1]["arguments"]["name"]
    assert stored == "n"
    assert type(stored) is str


def test_clear_forgets_every_entry():
    store = transcript.Transcript([{"a": 1}] * 3)
    store.clear()
    assert len(store) == 0
    assert store.entries() == []
    assert repr(store) == "<Transcript entries=0 first=3 limit=None sealed_chunks=0>"


def test_a_refused_call_with_non_finite_numbers_is_recorded_as_json():
    sim = make()
    with pytest.raises(ToolError):
        sim.call("sim_advance_clock", {"seconds": float("nan")})
    with pytest.raises(ToolError):
        sim.call(
            "create_job",
            {
                "project_reference": "p",
                "name": "n",
                "target": "t",
                "config": {"x": [float("-inf")]},
            },
        )
    assert sim.transcript[-2]["arguments"] == {"seconds": "<not JSON: nan>"}
    assert sim.transcript[-1]["arguments"]["config"] == {"x": ["<not JSON: -inf>"]}
    assert sim.transcript == sim.transcript  # NaN would make two reads differ
    json.dumps(sim.snapshot(), allow_nan=False)
