"""Hostile input through the Python API: huge numbers, deep nesting, looping schemas,
values that would break a snapshot (jobsim.bounds). Each is refused as
``invalid_arguments`` naming the field, before anything changes; what is accepted
survives every path a value takes (output, transcript, snapshot, JSON, restore)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobsim import Simulator, ToolError
from jobsim.bounds import MAX_DEPTH, MAX_FAULT_TIMES, MAX_SCHEMA_FANOUT, MAX_SECONDS
from jobsim.snapshot import SnapshotError

JOB = {"project_reference": "acme", "name": "n", "target": "t"}
CRON = {**JOB, "schedule": "*/5 * * * *"}


def nested(levels: int) -> dict[str, Any]:
    """An object nested exactly ``levels`` levels deep (``{}`` is 1)."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def world() -> Simulator:
    sim = Simulator(seed=1)
    sim.call("sim_create_project", {"slug": "acme"})
    return sim


def state(sim: Simulator) -> dict[str, Any]:
    """Everything but the transcript (a refused call is recorded there)."""
    value = sim.snapshot()
    del value["transcript"]
    return value


def refused(sim: Simulator, tool: str, args: dict[str, Any]) -> ToolError:
    """Call ``tool``, expect ``invalid_arguments``, and check nothing changed and the
    error and the snapshot still serialise."""
    before = state(sim)
    with pytest.raises(ToolError) as info:
        sim.call(tool, args)
    assert info.value.code == "invalid_arguments", info.value
    assert state(sim) == before
    json.dumps(info.value.to_dict(), allow_nan=False)
    json.dumps(sim.snapshot(), allow_nan=False)
    return info.value


# -- 1. huge integers ---------------------------------------------------------------------

HUGE = [10**400, 10**5000, -(10**5000)]
HUGE_CASES = [
    ("sim_advance_clock", {"seconds": "N"}, "seconds"),
    ("sim_define_target", {"name": "t", "behavior": {"run_seconds": "N"}}, "behavior.run_seconds"),
    (
        "sim_define_target",
        {"name": "t", "behavior": {"exit_codes": [0, "N"]}},
        "behavior.exit_codes.1",
    ),
    ("list_jobs", {"project_reference": "acme", "limit": "N"}, "limit"),
    ("create_job", {**JOB, "timeout_seconds": "N"}, "timeout_seconds"),
    ("create_job", {**JOB, "config": {"x": ["N"]}}, "config.x.0"),
    ("create_job", {**JOB, "name": "N"}, "name"),
    ("create_cron_job", {**CRON, "backoff_limit": "N"}, "backoff_limit"),
    ("sim_inject_fault", {"tool": "get_job", "code": "internal", "times": "N"}, "times"),
    ("sim_finish_job", {"project_reference": "acme", "job_id": "j", "exit_code": "N"}, "exit_code"),
]


def _put(value: Any, n: int) -> Any:
    if value == "N":
        return n
    if isinstance(value, dict):
        return {k: _put(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [_put(v, n) for v in value]
    return value


@pytest.mark.parametrize("n", HUGE, ids=["1e400", "1e5000", "-1e5000"])
@pytest.mark.parametrize(("tool", "args", "field"), HUGE_CASES, ids=[c[2] for c in HUGE_CASES])
def test_a_huge_integer_anywhere_is_invalid_arguments_naming_the_field(tool, args, field, n):
    sim = world()
    error = refused(sim, tool, _put(args, n))
    assert error.details["field"] == field
    assert error.message.startswith(f"{field}: a whole number of about ")
    assert "is out of range" in error.message


def test_the_largest_double_is_still_a_number_the_rules_judge():
    sim = world()
    error = refused(sim, "list_jobs", {"project_reference": "acme", "limit": 10**308})
    assert error.message.startswith("limit: ")
    assert "greater than the maximum of 100" in error.message


# -- 2. nesting ---------------------------------------------------------------------------


def test_nested_builds_the_depth_it_says():
    assert nested(1) == {}
    assert nested(3) == {"a": {"a": {}}}


def test_a_config_at_the_nesting_limit_survives_every_path():
    sim = world()
    job = sim.call("create_job", {**JOB, "config": nested(MAX_DEPTH)})
    assert sim.call("list_jobs", {"project_reference": "acme"})["data"] == [job]
    assert sim.transcript[-2]["arguments"]["config"] == nested(MAX_DEPTH)
    text = json.dumps(sim.snapshot(), allow_nan=False)
    assert json.loads(text)["jobs"][0]["config"] == nested(MAX_DEPTH)
    again = Simulator.from_snapshot(json.loads(text))
    assert again.call("get_job", {"project_reference": "acme", "job_id": job["id"]}) == job
    assert again.transcript[:-1] == sim.transcript
    assert state(again) == state(sim)


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 500, 1000, 100_000])
def test_a_config_past_the_nesting_limit_is_refused_up_front_and_creates_nothing(levels):
    sim = world()
    error = refused(sim, "create_job", {**JOB, "config": nested(levels)})
    assert error.details["field"] == "config"
    assert f"nested more than {MAX_DEPTH} levels deep" in error.message
    assert sim.call("list_jobs", {"project_reference": "acme"})["data"] == []
    # the refused call is in the transcript, cut at the limit, and everything restores
    recorded = sim.transcript[-2]["arguments"]["config"]
    assert json.dumps(recorded).count("{") == MAX_DEPTH
    again = Simulator.from_snapshot(json.loads(json.dumps(sim.snapshot())))
    assert again.transcript == sim.transcript


@pytest.mark.parametrize("key", ["input_schema", "output_schema"])
def test_a_target_schema_at_the_limit_is_kept_and_one_past_it_refused(key):
    sim = world()
    sim.call("sim_define_target", {"name": "t", key: nested(MAX_DEPTH)})
    got = sim.call("get_job_target", {"project_reference": "acme", "target_name": "t"})
    assert got[key] == nested(MAX_DEPTH)
    Simulator.from_snapshot(json.loads(json.dumps(sim.snapshot())))
    error = refused(sim, "sim_define_target", {"name": "u", key: nested(MAX_DEPTH + 1)})
    assert error.details["field"] == key


def test_a_config_is_checked_against_a_schema_as_deep_as_the_limit():
    schema: dict[str, Any] = {"type": "object"}
    config: dict[str, Any] = {}
    for _ in range(MAX_DEPTH // 2 - 1):  # a schema level is two JSON levels
        schema = {"type": "object", "properties": {"a": schema}, "required": ["a"]}
        config = {"a": config}
    sim = world()
    sim.call("sim_define_target", {"name": "t", "input_schema": schema})
    assert sim.call("create_job", {**JOB, "config": config})["config"] == config
    error = refused(sim, "create_job", {**JOB, "config": {"a": {}}})
    assert error.details["field"] == "config.a"


def test_update_cron_job_refuses_a_config_past_the_limit():
    sim = world()
    cron = sim.call("create_cron_job", CRON)
    args = {"project_reference": "acme", "cron_job_id": cron["id"]}
    sim.call("update_cron_job", {**args, "config": nested(MAX_DEPTH)})
    error = refused(sim, "update_cron_job", {**args, "config": nested(MAX_DEPTH + 1)})
    assert error.details["field"] == "config"


def test_a_snapshot_with_a_config_past_the_limit_is_refused_on_restore():
    sim = world()
    sim.call("create_job", {**JOB, "config": nested(MAX_DEPTH)})
    value = sim.snapshot()
    value["transcript"] = []
    value["jobs"][0]["config"] = nested(MAX_DEPTH + 1)
    with pytest.raises(SnapshotError, match=f"nested more than {MAX_DEPTH} levels deep"):
        Simulator.from_snapshot(value)
    value["jobs"][0]["config"] = nested(10_000)  # no RecursionError either
    with pytest.raises(SnapshotError, match=f"nested more than {MAX_DEPTH} levels deep"):
        Simulator.from_snapshot(value)


# -- 3. target schemas that loop or multiply ---------------------------------------------


def _chain(links: int) -> dict[str, Any]:
    """Definitions where each applies the one before it twice: 2**links checks."""
    defs: dict[str, Any] = {"d0": {"type": "string"}}
    for i in range(1, links + 1):
        ref = {"$ref": f"#/definitions/d{i - 1}"}
        defs[f"d{i}"] = {"allOf": [ref, dict(ref)]}
    return {"definitions": defs, "$ref": f"#/definitions/d{links}"}


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#"},
        {"allOf": [{"$ref": "#"}]},
        {
            "definitions": {
                "a": {"$ref": "#/definitions/b"},
                "b": {"not": {"$ref": "#/definitions/a"}},
            },
            "$ref": "#/definitions/a",
        },
        {"$id": "http://example.com/s", "anyOf": [{"$ref": "http://example.com/s"}]},
    ],
    ids=["root", "allOf", "two-definitions", "absolute-id"],
)
def test_a_schema_with_a_ref_cycle_is_refused_at_definition(schema):
    sim = world()
    error = refused(sim, "sim_define_target", {"name": "t", "input_schema": schema})
    assert error.message.startswith("input_schema: has a $ref cycle")


def test_a_snapshot_with_a_looping_target_schema_is_refused_on_restore():
    sim = world()
    sim.call("sim_define_target", {"name": "t", "input_schema": {"type": "object"}})
    value = sim.snapshot()
    value["targets"][0]["input_schema"] = {"$ref": "#"}
    with pytest.raises(SnapshotError, match=r"the schema has a \$ref cycle"):
        Simulator.from_snapshot(value)


def test_a_schema_that_applies_too_many_subschemas_to_one_value_is_refused():
    sim = world()
    sim.call("sim_define_target", {"name": "ok", "input_schema": _chain(7)})  # about 500
    for links in (8, 40):  # just over the bound (about 1,000), and far over it
        error = refused(sim, "sim_define_target", {"name": "t", "input_schema": _chain(links)})
        assert f"more than {MAX_SCHEMA_FANOUT} subschemas" in error.message


def test_a_recursive_schema_that_goes_deeper_in_the_value_is_fine():
    tree = {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}
    sim = world()
    sim.call("sim_define_target", {"name": "t", "input_schema": tree})
    config = {"children": [{"children": []}, {"children": [{}]}]}
    assert sim.call("create_job", {**JOB, "config": config})["config"] == config
    error = refused(sim, "create_job", {**JOB, "config": {"children": [{"children": 1}]}})
    assert error.details["field"] == "config.children.0.children"


def test_a_cycle_only_jsonschema_can_see_is_refused_at_job_creation_naming_the_target():
    schema = {  # "b" resolves against the inner $id, to the inner schema itself
        "$id": "http://example.com/root",
        "definitions": {"b": {"$id": "http://example.com/b", "allOf": [{"$ref": "b"}]}},
        "allOf": [{"$ref": "http://example.com/b"}],
    }
    sim = world()
    sim.call("sim_define_target", {"name": "t", "input_schema": schema})
    error = refused(sim, "create_job", JOB)
    assert error.details["field"] == "target"
    assert "refers to itself without end" in error.message


def test_a_300_level_input_schema_is_refused_at_definition():
    schema: dict[str, Any] = {"type": "object"}
    for _ in range(300):
        schema = {"type": "object", "properties": {"a": schema}}
    error = refused(world(), "sim_define_target", {"name": "t", "input_schema": schema})
    assert error.details["field"] == "input_schema"


# -- 4. a schedule with a trailing newline -------------------------------------------------


def test_a_schedule_with_a_trailing_newline_is_refused_on_create_and_update():
    sim = world()
    error = refused(sim, "create_cron_job", {**CRON, "schedule": "*/5 * * * *\n"})
    assert error.message.startswith("schedule: '*/5 * * * *\\n' ends with a newline")
    cron = sim.call("create_cron_job", CRON)
    args = {"project_reference": "acme", "cron_job_id": cron["id"]}
    error = refused(sim, "update_cron_job", {**args, "schedule": "0 * * * *\n"})
    assert error.details["field"] == "schedule"
    assert sim.call("get_cron_job", args)["schedule"] == "*/5 * * * *"


# -- 5. values a snapshot must hold ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "args", "field", "most"),
    [
        ("create_job", JOB, "timeout_seconds", MAX_SECONDS),
        ("create_cron_job", CRON, "timeout_seconds", MAX_SECONDS),
        ("sim_inject_fault", {"tool": "get_job", "code": "internal"}, "times", MAX_FAULT_TIMES),
    ],
)
def test_the_largest_accepted_value_snapshots_and_restores_and_one_more_is_refused(
    tool, args, field, most
):
    sim = world()
    sim.call(tool, {**args, field: most})
    again = Simulator.from_snapshot(json.loads(json.dumps(sim.snapshot(), allow_nan=False)))
    assert state(again) == state(sim)
    error = refused(sim, tool, {**args, field: most + 1})
    assert error.message == (
        f"{field}: {most + 1} is out of range; expected a whole number from 1 to {most}"
    )


@pytest.mark.parametrize(
    ("tool", "args", "where", "most"),
    [
        ("create_job", JOB, ("jobs", 0, "timeout_seconds"), MAX_SECONDS),
        ("create_cron_job", CRON, ("cron_jobs", 0, "timeout_seconds"), MAX_SECONDS),
        (
            "sim_inject_fault",
            {"tool": "get_job", "code": "internal"},
            ("faults", "get_job", 0, "remaining"),
            MAX_FAULT_TIMES,
        ),
    ],
)
def test_a_snapshot_holding_more_than_a_tool_accepts_is_refused_on_restore(tool, args, where, most):
    sim = world()
    sim.call(tool, args)
    value = sim.snapshot()
    value["transcript"] = []
    holder = value
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = most + 1
    with pytest.raises(SnapshotError, match=where[-1]):
        Simulator.from_snapshot(value)
    holder[where[-1]] = most
    Simulator.from_snapshot(value)


@pytest.mark.parametrize("key", ["start_after_seconds", "run_seconds"])
def test_a_behaviour_of_the_longest_duration_snapshots_and_restores(key):
    sim = world()
    sim.call("sim_define_target", {"name": "t", "behavior": {key: MAX_SECONDS}})
    sim.call("create_job", JOB)
    again = Simulator.from_snapshot(json.loads(json.dumps(sim.snapshot(), allow_nan=False)))
    assert state(again) == state(sim)
    error = refused(sim, "sim_define_target", {"name": "t", "behavior": {key: MAX_SECONDS + 1}})
    assert error.details["field"] == f"behavior.{key}"


# -- 13. formats the published schemas declare -----------------------------------------------


@pytest.mark.parametrize("key", ["target_branch_id", "target_environment_id"])
@pytest.mark.parametrize(
    "value",
    [
        "not-a-uuid",
        "0B8E4F4E-8D4C-4C8A-9D0A-6F1F2B3C4D5E",
        "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e\n",
    ],
)
def test_get_job_target_refuses_an_id_that_is_not_a_uuid(key, value):
    sim = world()
    sim.call("sim_define_target", {"name": "t"})
    error = refused(
        sim, "get_job_target", {"project_reference": "acme", "target_name": "t", key: value}
    )
    assert error.details["field"] == key
    assert "is not a canonical lowercase UUID" in error.message


@pytest.mark.parametrize("value", [None, "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"])
def test_get_job_target_accepts_a_uuid_or_null(value):
    sim = world()
    sim.call("sim_define_target", {"name": "t"})
    args = {"project_reference": "acme", "target_name": "t", "target_branch_id": value}
    assert sim.call("get_job_target", args)["input_schema"] is None


def test_invalid_arguments_still_come_before_not_found():
    sim = world()
    error = refused(
        sim,
        "get_job_target",
        {"project_reference": "nowhere", "target_name": "nope", "target_branch_id": "x"},
    )
    assert error.details["field"] == "target_branch_id"


@pytest.mark.parametrize(
    ("schema", "loops"),
    [
        ({"allOf": [{"type": "object"}, {"$ref": "#/allOf/0"}]}, False),
        ({"allOf": [{"$ref": "#/allOf/0"}]}, True),  # a pointer through a list, to itself
        ({"allOf": [{"$ref": "#/allOf/7"}]}, False),  # points nowhere: jsonschema says so
        (
            {"definitions": {"a~b": {"$ref": "#/definitions/a~0b"}}, "$ref": "#/definitions/a~0b"},
            True,
        ),
        ({"definitions": {"a": {"$id": "#a", "$ref": "#a"}}}, False),  # a plain-name fragment
        ({"$ref": "http://elsewhere.example/s"}, False),  # not in the document
        ({"enum": [{"$ref": "#"}], "const": {"$ref": "#"}}, False),  # data, not schemas
        ({"dependencies": {"a": {"$ref": "#"}}}, True),  # a schema dependency, same value
        ({"dependencies": {"a": ["b"]}}, False),
    ],
)
def test_ref_cycles_are_found_through_pointers_and_only_in_schemas(schema, loops):
    sim = world()
    if loops:
        refused(sim, "sim_define_target", {"name": "t", "input_schema": schema})
    else:
        sim.call("sim_define_target", {"name": "t", "input_schema": schema})
