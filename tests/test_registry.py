"""The tool registry (jobsim.registry): catalogue, schemas, dispatch, schema errors."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator

from jobsim import Simulator, ToolError, registry
from jobsim.arguments import Anchored, Json, NonBlank, Seconds, Uuid, Whole
from jobsim.registry import EFFECTS, TOOLS, ToolSpec, get, handler, schema_error, tool_names
from jobsim.transcript import UNRECORDED

DOCUMENTED = {
    "cancel_job",
    "list_job_batch_jobs",
    "list_jobs",
    "get_job_batch",
    "get_job_events",
    "get_job_target",
    "create_cron_job",
    "list_cron_jobs",
    "update_cron_job",
}
PLATFORM = {"create_job", "get_job", "get_cron_job", "delete_cron_job", "trigger_cron_job"}
CONTROL = {
    "sim_create_project",
    "sim_create_environment",
    "sim_create_branch",
    "sim_define_target",
    "sim_advance_clock",
    "sim_start_job",
    "sim_finish_job",
    "sim_inject_fault",
    "sim_get_transcript",
}
DRAFT7 = "http://json-schema.org/draft-07/schema#"


def test_catalogue_is_exactly_the_tools_of_the_spec_by_family():
    families: dict[str, set[str]] = {}
    for name, spec in TOOLS.items():
        assert spec.name == name
        families.setdefault(spec.family, set()).add(name)
    assert families == {"documented": DOCUMENTED, "platform": PLATFORM, "control": CONTROL}


def test_tools_are_in_name_order():
    assert list(TOOLS) == sorted(TOOLS)
    assert Simulator.tools() == list(TOOLS)


def test_every_tool_has_a_handler_and_a_description():
    for spec in TOOLS.values():
        assert spec.handler is not None, spec.name
        assert spec.description.strip(), spec.name


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_schema_is_a_valid_draft7_schema(name):
    spec = TOOLS[name]
    Draft7Validator.check_schema(spec.input_schema)
    Draft7Validator.check_schema(spec.output_schema)


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_input_schema_is_a_closed_draft7_object(name):
    schema = TOOLS[name].input_schema
    assert schema["$schema"] == DRAFT7
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema.get("required", [])) <= set(schema["properties"])


def test_every_tool_but_the_first_takes_a_project_reference():
    without = {
        n for n, s in TOOLS.items() if "project_reference" not in s.input_schema["properties"]
    }
    assert without == {
        "sim_create_project",
        "sim_advance_clock",
        "sim_define_target",
        "sim_inject_fault",
        "sim_get_transcript",
    }
    for name, spec in TOOLS.items():
        if name not in without:
            assert "project_reference" in spec.input_schema["required"], name


def _object_schemas(schema: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(schema, dict):
        if "properties" in schema:
            found.append((path, schema))
            for key, sub in schema["properties"].items():
                found += _object_schemas(sub, f"{path}.{key}")
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                found += _object_schemas(schema[key], f"{path}[{key}]")
        for key in ("anyOf", "oneOf", "allOf"):
            for i, sub in enumerate(schema.get(key, [])):
                found += _object_schemas(sub, f"{path}/{key}{i}")
    return found


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_output_object_is_closed_and_requires_all_its_properties(name):
    for path, obj in _object_schemas(TOOLS[name].output_schema):
        assert obj.get("additionalProperties") is False, (name, path)
        if (name, path) == ("get_job_events", ".entries[items]"):
            # published verbatim: the events item keeps its own `required`
            assert set(obj["required"]) == {"timestamp", "level", "message", "service"}
            continue
        assert set(obj.get("required", [])) == set(obj["properties"]), (name, path)


def _types(schema: Any) -> list[Any]:
    out = []
    if isinstance(schema, dict):
        if "type" in schema:
            out.append(schema["type"])
        for value in schema.values():
            out += _types(value)
    elif isinstance(schema, list):
        for value in schema:
            out += _types(value)
    return out


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_nullable_output_values_are_written_type_then_null(name):
    for t in _types(TOOLS[name].output_schema["properties"]):
        if isinstance(t, list):
            assert len(t) == 2, (name, t)
            assert t[1] == "null", (name, t)


def test_get_returns_the_tool_spec():
    spec = get("cancel_job")
    assert isinstance(spec, ToolSpec)
    assert spec is TOOLS["cancel_job"]


@pytest.mark.parametrize("name", ["nope", "", "CANCEL_JOB", ["list"], None])
def test_get_of_an_unknown_tool_is_invalid_arguments_listing_known_tools(name):
    with pytest.raises(ToolError) as info:
        get(name)  # type: ignore[arg-type]
    assert info.value.code == "invalid_arguments"
    assert info.value.message == f"unknown tool {name!r}; known tools are {', '.join(TOOLS)}"
    assert info.value.details["accepted"] == list(TOOLS)


def test_tool_names_can_leave_out_the_control_tools():
    assert set(tool_names()) == set(TOOLS)
    assert set(tool_names(control=False)) == DOCUMENTED | PLATFORM
    assert Simulator.tools(control=False) == list(tool_names(control=False))


def test_binding_a_second_handler_to_a_tool_is_refused():
    before = TOOLS["cancel_job"].handler
    with pytest.raises(RuntimeError, match="already has a handler"):
        handler("cancel_job")(lambda world, args: {})
    assert TOOLS["cancel_job"].handler is before


def test_validators_are_compiled_once():
    spec = TOOLS["list_jobs"]
    assert spec.input_validator is spec.input_validator
    assert spec.output_validator is spec.output_validator
    assert isinstance(spec.output_validator, Draft7Validator)


def _first_error(tool: str, args: dict[str, Any]) -> ToolError:
    spec = TOOLS[tool]
    errors = sorted(spec.input_validator.iter_errors(args), key=lambda e: len(e.absolute_path))
    return schema_error(spec, errors[0])


def test_schema_error_for_an_unknown_key_lists_accepted_keys():
    error = _first_error("cancel_job", {"project_reference": "p", "job_id": "j", "x": 1})
    assert error.message == (
        "arguments: unknown key(s) 'x'; accepted keys are job_id, project_reference"
    )
    assert error.details == {
        "field": "arguments",
        "unknown": ["x"],
        "accepted": ["job_id", "project_reference"],
    }


def test_schema_error_for_an_unknown_nested_key_names_the_nested_field():
    error = _first_error("sim_define_target", {"name": "t", "behavior": {"speed": 1}})
    assert error.message.startswith("behavior: unknown key(s) 'speed'; accepted keys are ")
    assert "run_seconds" in error.message


def test_schema_error_for_missing_keys_names_each_missing_key():
    error = _first_error("cancel_job", {})
    assert error.message == "arguments: missing required key(s) 'project_reference', 'job_id'"


def test_schema_error_for_a_pattern_quotes_the_pattern():
    error = _first_error("sim_create_project", {"slug": "Not-A-Slug"})
    assert error.message.startswith("slug: 'Not-A-Slug' does not match ")
    assert error.message.endswith(
        "expected a string matching ^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
    )


def test_schema_error_for_a_nested_range_names_the_path():
    error = _first_error("sim_define_target", {"name": "t", "behavior": {"exit_codes": [300]}})
    assert error.message == (
        "behavior.exit_codes.0: 300 is greater than the maximum of 255; "
        "expected a whole number from 0 to 255"
    )


def test_the_shallowest_schema_problem_is_reported_first():
    sim = Simulator()
    with pytest.raises(ToolError) as info:
        sim.call("sim_define_target", {"name": "t", "behavior": {"run_seconds": -1}, "x": 1})
    assert info.value.message.startswith("arguments: unknown key(s) 'x'")


def test_run_checks_the_input_schema_before_the_handler():
    calls: list[dict[str, Any]] = []
    spec = ToolSpec(
        name="probe",
        family="control",
        description="probe",
        input_schema={
            "type": "object",
            "properties": {"n": {"type": "integer"}},
            "required": ["n"],
            "additionalProperties": False,
        },
        output_schema={"type": "object"},
        handler=lambda world, args: calls.append(args) or {"ok": True},
    )
    with pytest.raises(ToolError, match="missing required key"):
        spec.run(None, {})  # type: ignore[arg-type]
    assert calls == []
    assert spec.run(None, {"n": 1}) == {"ok": True}  # type: ignore[arg-type]
    assert calls == [{"n": 1}]


# -- what jobsim adds to the schemas: effects, defaults, argument rules -----------------

EFFECTS_BY_TOOL = {
    "read": {
        "get_job",
        "list_jobs",
        "get_job_batch",
        "list_job_batch_jobs",
        "get_job_events",
        "get_job_target",
        "get_cron_job",
        "list_cron_jobs",
        "sim_get_transcript",
    },
    "global": {"sim_advance_clock", "sim_define_target", "sim_inject_fault"},
}


def test_every_tool_declares_its_effect():
    for name, spec in TOOLS.items():
        assert spec.effect in EFFECTS, name
        expected = next((e for e, names in EFFECTS_BY_TOOL.items() if name in names), "local")
        assert spec.effect == expected, name


def _busy() -> tuple[Simulator, dict[str, dict[str, Any]]]:
    sim = Simulator(seed=2)
    sim.call("sim_create_project", {"slug": "acme"})
    sim.call("sim_define_target", {"name": "t", "behavior": {"run_seconds": 5}})
    batch = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"
    job = sim.call(
        "create_job", {"project_reference": "acme", "name": "n", "target": "t", "batch_id": batch}
    )
    cron = sim.call(
        "create_cron_job",
        {"project_reference": "acme", "name": "c", "target": "t", "schedule": "* * * * *"},
    )
    sim.call("sim_advance_clock", {"seconds": 90})
    acme = {"project_reference": "acme"}
    reads = {
        "get_job": {**acme, "job_id": job["id"]},
        "list_jobs": acme,
        "get_job_batch": {**acme, "batch_id": batch},
        "list_job_batch_jobs": {**acme, "batch_id": batch},
        "get_job_events": {**acme, "job_id": job["id"]},
        "get_job_target": {**acme, "target_name": "t"},
        "get_cron_job": {**acme, "cron_job_id": cron["id"]},
        "list_cron_jobs": acme,
        "sim_get_transcript": {},
    }
    return sim, reads


def test_a_read_tool_changes_nothing():
    sim, reads = _busy()
    assert set(reads) == {n for n, s in TOOLS.items() if s.effect == "read"}
    before = sim.snapshot()
    for tool, args in reads.items():
        sim.call(tool, args)
    after = sim.snapshot()
    recorded = len(set(reads) - UNRECORDED)
    assert len(after.pop("transcript")) == len(before.pop("transcript")) + recorded
    assert after == before


STATED_DEFAULTS = {
    "create_job": {"timeout_seconds": 300, "backoff_limit": 3},
    "create_cron_job": {
        "timezone": "UTC",
        "timeout_seconds": 300,
        "backoff_limit": 3,
        "concurrency_policy": "Forbid",
    },
    "list_jobs": {"limit": 20},
    "list_job_batch_jobs": {"limit": 20},
    "list_cron_jobs": {"limit": 20},
    "get_job_events": {"limit": 100, "direction": "backward"},
    "sim_define_target": {
        "behavior.start_after_seconds": 0,
        "behavior.run_seconds": 1,
        "behavior.exit_codes": [0],
    },
    "sim_inject_fault": {"times": 1},
    "sim_get_transcript": {"limit": 100},
}


def test_defaults_are_read_from_the_schemas():
    assert {n: s.defaults for n, s in TOOLS.items() if s.defaults} == STATED_DEFAULTS


def _probe(**schema_props: Any) -> ToolSpec:
    return ToolSpec(
        name="probe",
        family="control",
        description="probe",
        input_schema={"type": "object", "properties": schema_props, "additionalProperties": False},
        output_schema={"type": "object"},
    )


def test_the_handler_gets_normalised_arguments_with_the_defaults_filled_in():
    seen: list[dict[str, Any]] = []
    spec = _probe(
        n={"type": "number", "minimum": 1, "maximum": 9, "description": "a count (default: 2)"},
        box={
            "type": "object",
            "properties": {"k": {"type": "number", "default": 5}},
            "additionalProperties": False,
        },
    )
    spec.rules = registry._resolve(spec, {"n": Whole()})
    spec.handler = lambda world, args: seen.append(args) or {}
    given: dict[str, Any] = {"n": 3.0, "box": {}}
    spec.run(None, given)  # type: ignore[arg-type]
    assert seen[-1] == {"n": 3, "box": {"k": 5}}
    assert type(seen[-1]["n"]) is int
    assert given == {"n": 3.0, "box": {}}  # the caller's dict is left as it was
    spec.run(None, {})  # type: ignore[arg-type]
    assert seen[-1] == {"n": 2}  # a nested default only when its object is given
    with pytest.raises(ToolError, match=r"^invalid_arguments: n: 3.5 is not a whole number"):
        spec.run(None, {"n": 3.5})  # type: ignore[arg-type]


def test_a_rule_takes_its_range_from_the_schema_and_may_not_contradict_it():
    spec = _probe(n={"type": "number", "minimum": 1, "maximum": 9})
    assert registry._resolve(spec, {"n": Whole()})["n"] == Whole(1, 9)
    with pytest.raises(RuntimeError, match="the rule's maximum 10 is not the schema's 9"):
        registry._resolve(spec, {"n": Whole(hi=10)})
    with pytest.raises(RuntimeError, match="a rule for 'm', which the schema lacks"):
        registry._resolve(spec, {"m": Whole()})


def test_rules_the_schema_implies_are_added():
    spec = _probe(
        s={"type": "string", "pattern": "^a$"},
        u={"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]},
        j={"type": "object"},
    )
    assert registry._resolve(spec, {}) == {"s": Anchored(pattern="^a$"), "u": Uuid(), "j": Json()}
    with pytest.raises(RuntimeError, match="format 'email' has no rule"):
        registry._resolve(_probe(e={"type": "string", "format": "email"}), {})


def test_a_handler_must_declare_its_effect():
    spec = _probe()
    TOOLS["probe"] = spec
    try:
        with pytest.raises(RuntimeError, match="declare its effect, one of read, local, global"):
            handler("probe")(lambda world, args: {})
        assert spec.handler is None
        handler("probe", effect="read")(lambda world, args: {})
        assert spec.effect == "read"
    finally:
        del TOOLS["probe"]


def test_a_rule_says_what_it_accepts_with_or_without_bounds():
    assert Whole(1, 9).summary == "a whole number from 1 to 9"
    assert Whole(1).summary == "a whole number >= 1"
    assert Whole(hi=9).accepted == "<= 9"
    assert Whole().accepted == ""
    assert Seconds(0, 5).summary == "from 0 to 5 seconds"
    assert [r.summary for r in (NonBlank(), Uuid(), Anchored())] == [
        "not blank",
        "a canonical lowercase UUID",
        "no trailing newline",
    ]
