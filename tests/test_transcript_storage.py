"""The transcript keeps what each call saw, whatever the caller does afterwards
(entries are stored as marshal bytes, or copies where marshal cannot write them)."""

from __future__ import annotations

from collections import OrderedDict

from jobsim import Simulator


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


def test_values_marshal_cannot_write_are_kept_as_copies():
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
