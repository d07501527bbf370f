"""Targets (SPEC section 10): sim_define_target, get_job_target, config validation
against a target's input_schema, and redefinition affecting only later jobs."""

from __future__ import annotations

from typing import Any

import pytest

from jobsim import Simulator, ToolError
from jobsim.registry import get as get_tool

P = "acme"

SCHEMA = {
    "type": "object",
    "properties": {
        "url": {"type": "string"},
        "depth": {"type": "integer", "minimum": 1},
    },
    "required": ["url"],
    "additionalProperties": False,
}


@pytest.fixture
def sim() -> Simulator:
    s = Simulator(seed=11, validate_outputs=True)
    s.call("sim_create_project", {"slug": P})
    return s


def refused(sim: Simulator, tool: str, args: dict[str, Any]) -> ToolError:
    with pytest.raises(ToolError) as info:
        sim.call(tool, args)
    return info.value


def target_of(sim: Simulator, name: str, **extra: Any) -> dict[str, Any]:
    return sim.call("get_job_target", {"project_reference": P, "target_name": name, **extra})


def create_job(sim: Simulator, target: str, **extra: Any) -> dict[str, Any]:
    return sim.call("create_job", {"project_reference": P, "name": "j", "target": target, **extra})


def cron_args(target: str, **extra: Any) -> dict[str, Any]:
    return {
        "project_reference": P,
        "name": "c",
        "target": target,
        "schedule": "* * * * *",
        **extra,
    }


def count_jobs(sim: Simulator) -> int:
    return len(sim.call("list_jobs", {"project_reference": P, "limit": 100})["data"])


# -- definition and lookup -----------------------------------------------------------


def test_define_returns_the_target_contract_and_get_job_target_returns_the_same(sim):
    defined = sim.call(
        "sim_define_target",
        {
            "name": "task:knowledge-ingest",
            "description": "ingests documents",
            "input_schema": SCHEMA,
            "output_schema": {"type": "object"},
        },
    )
    assert defined == {
        "target": "task:knowledge-ingest",
        "family": "task",
        "description": "ingests documents",
        "input_schema": SCHEMA,
        "output_schema": {"type": "object"},
    }
    assert target_of(sim, "task:knowledge-ingest") == defined


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("task:knowledge-ingest", "task"),
        ("task:ingest:v2", "task"),
        ("image", "image"),
        ("ghcr.io/acme/worker:1.2", "ghcr.io/acme/worker"),
    ],
)
def test_family_is_the_part_before_the_first_colon(sim, name, family):
    sim.call("sim_define_target", {"name": name})
    assert target_of(sim, name)["family"] == family


def test_optional_fields_of_a_target_are_null(sim):
    sim.call("sim_define_target", {"name": "bare"})
    assert target_of(sim, "bare") == {
        "target": "bare",
        "family": "bare",
        "description": None,
        "input_schema": None,
        "output_schema": None,
    }


def test_an_undefined_target_is_not_found(sim):
    error = refused(sim, "get_job_target", {"project_reference": P, "target_name": "task:nope"})
    assert error.code == "not_found"
    assert "task:nope" in error.message


def test_get_job_target_of_an_unknown_project_is_not_found(sim):
    sim.call("sim_define_target", {"name": "task:x"})
    error = refused(sim, "get_job_target", {"project_reference": "ghost", "target_name": "task:x"})
    assert error.code == "not_found"
    assert "ghost" in error.message


def test_targets_are_global_to_the_simulator(sim):
    sim.call("sim_create_project", {"slug": "other"})
    sim.call("sim_define_target", {"name": "task:x"})
    args = {"project_reference": "other", "target_name": "task:x"}
    assert sim.call("get_job_target", args)["target"] == "task:x"


def test_runtime_target_arguments_are_accepted_and_ignored(sim):
    sim.call("sim_define_target", {"name": "task:x", "description": "d"})
    plain = target_of(sim, "task:x")
    assert (
        target_of(
            sim,
            "task:x",
            runtime_target_kind="preview_branch",
            target_environment_id="0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e",
            target_branch_id=None,
            source_target_kind="project",
        )
        == plain
    )


@pytest.mark.parametrize("key", ["input_schema", "output_schema"])
def test_an_invalid_json_schema_is_refused_and_nothing_is_defined(sim, key):
    error = refused(sim, "sim_define_target", {"name": "task:x", key: {"type": "nonsense"}})
    assert error.code == "invalid_arguments"
    assert error.details["field"] == key
    assert key in error.message
    assert refused(
        sim, "get_job_target", {"project_reference": P, "target_name": "task:x"}
    ).code == ("not_found")


@pytest.mark.parametrize(
    "behavior",
    [
        {"exit_codes": []},
        {"exit_codes": [256]},
        {"exit_codes": [-1]},
        {"run_seconds": -1},
        {"start_after_seconds": -0.5},
        {"retries": 2},
        {"events": [1]},
    ],
)
def test_an_invalid_behaviour_is_refused(sim, behavior):
    error = refused(sim, "sim_define_target", {"name": "task:x", "behavior": behavior})
    assert error.code == "invalid_arguments"
    assert "behavior" in error.message


def test_an_empty_target_name_is_refused(sim):
    assert refused(sim, "sim_define_target", {"name": ""}).code == "invalid_arguments"
    assert refused(sim, "sim_define_target", {"name": "   "}).code == "invalid_arguments"


# -- config validation ---------------------------------------------------------------


def test_create_job_accepts_a_config_that_matches_the_input_schema(sim):
    sim.call("sim_define_target", {"name": "task:crawl", "input_schema": SCHEMA})
    job = create_job(sim, "task:crawl", config={"url": "https://a.example", "depth": 2})
    assert job["config"] == {"url": "https://a.example", "depth": 2}


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"url": "https://a.example", "depth": 0}, "config.depth"),
        ({"url": 5}, "config.url"),
        ({}, "config"),  # the missing required key is named in the message
        ({"url": "u", "extra": 1}, "config"),
    ],
)
def test_create_job_refuses_a_config_against_the_input_schema_naming_the_field(sim, config, field):
    sim.call("sim_define_target", {"name": "task:crawl", "input_schema": SCHEMA})
    error = refused(
        sim,
        "create_job",
        {"project_reference": P, "name": "j", "target": "task:crawl", "config": config},
    )
    assert error.code == "invalid_arguments"
    assert error.details["field"] == field
    assert error.message.startswith(field + ":")
    assert "task:crawl" in error.message
    assert count_jobs(sim) == 0


def test_missing_required_config_key_is_named_in_the_message(sim):
    sim.call("sim_define_target", {"name": "task:crawl", "input_schema": SCHEMA})
    error = refused(
        sim, "create_job", {"project_reference": P, "name": "j", "target": "task:crawl"}
    )
    assert error.code == "invalid_arguments"
    assert "'url'" in error.message


def test_config_is_checked_before_the_project_is_looked_up(sim):
    sim.call("sim_define_target", {"name": "task:crawl", "input_schema": SCHEMA})
    error = refused(
        sim,
        "create_job",
        {"project_reference": "ghost", "name": "j", "target": "task:crawl", "config": {}},
    )
    assert error.code == "invalid_arguments"


def test_create_cron_job_validates_config_against_the_input_schema(sim):
    sim.call("sim_define_target", {"name": "task:crawl", "input_schema": SCHEMA})
    error = refused(sim, "create_cron_job", cron_args("task:crawl", config={"url": 1}))
    assert error.code == "invalid_arguments"
    assert error.details["field"] == "config.url"
    assert sim.call("list_cron_jobs", {"project_reference": P})["data"] == []
    cron = sim.call("create_cron_job", cron_args("task:crawl", config={"url": "u"}))
    assert cron["config"] == {"url": "u"}


def test_update_cron_job_validates_config_against_the_cron_targets_schema(sim):
    sim.call("sim_define_target", {"name": "task:crawl", "input_schema": SCHEMA})
    cron = sim.call("create_cron_job", cron_args("task:crawl", config={"url": "u"}))
    args = {"project_reference": P, "cron_job_id": cron["id"], "config": {"depth": 3}}
    error = refused(sim, "update_cron_job", args)
    assert error.code == "invalid_arguments"
    assert sim.call("get_cron_job", {"project_reference": P, "cron_job_id": cron["id"]}) == cron


def test_a_target_without_input_schema_accepts_any_config(sim):
    sim.call("sim_define_target", {"name": "task:free"})
    job = create_job(sim, "task:free", config={"anything": [1, {"x": None}]})
    assert job["config"] == {"anything": [1, {"x": None}]}


def test_an_undefined_target_is_accepted_unless_strict():
    loose = Simulator()
    loose.call("sim_create_project", {"slug": P})
    assert create_job(loose, "task:undefined")["status"] == "submitted"
    strict = Simulator(strict_targets=True)
    strict.call("sim_create_project", {"slug": P})
    error = refused(
        strict, "create_job", {"project_reference": P, "name": "j", "target": "task:undefined"}
    )
    assert error.code == "not_found"
    assert refused(strict, "create_cron_job", cron_args("task:undefined")).code == "not_found"


# -- redefinition --------------------------------------------------------------------


def test_redefining_a_target_replaces_it(sim):
    sim.call("sim_define_target", {"name": "task:x", "description": "old", "input_schema": SCHEMA})
    sim.call("sim_define_target", {"name": "task:x", "description": "new"})
    assert target_of(sim, "task:x") == {
        "target": "task:x",
        "family": "task",
        "description": "new",
        "input_schema": None,
        "output_schema": None,
    }


def test_redefining_a_behaviour_affects_only_later_jobs(sim):
    sim.call("sim_define_target", {"name": "task:x", "behavior": {"exit_codes": [7]}})
    early = create_job(sim, "task:x", backoff_limit=0)
    sim.call("sim_define_target", {"name": "task:x", "behavior": {"exit_codes": [0]}})
    late = create_job(sim, "task:x", backoff_limit=0)
    sim.call("sim_advance_clock", {"seconds": 5})
    get = {"project_reference": P}
    early_now = sim.call("get_job", {**get, "job_id": early["id"]})
    late_now = sim.call("get_job", {**get, "job_id": late["id"]})
    assert (early_now["status"], early_now["exit_code"]) == ("failed", 7)
    assert (late_now["status"], late_now["exit_code"]) == ("completed", 0)


def test_redefining_without_behaviour_leaves_existing_scripted_jobs_scripted(sim):
    sim.call("sim_define_target", {"name": "task:x", "behavior": {"start_after_seconds": 1}})
    scripted = create_job(sim, "task:x")
    sim.call("sim_define_target", {"name": "task:x"})
    manual = create_job(sim, "task:x")
    sim.call("sim_advance_clock", {"seconds": 60})
    get = {"project_reference": P}
    assert sim.call("get_job", {**get, "job_id": scripted["id"]})["status"] == "completed"
    assert sim.call("get_job", {**get, "job_id": manual["id"]})["status"] == "submitted"


def test_redefining_an_input_schema_affects_only_later_jobs(sim):
    sim.call("sim_define_target", {"name": "task:x"})
    early = create_job(sim, "task:x", config={"free": True})
    sim.call("sim_define_target", {"name": "task:x", "input_schema": SCHEMA})
    error = refused(
        sim,
        "create_job",
        {"project_reference": P, "name": "j", "target": "task:x", "config": {"free": True}},
    )
    assert error.code == "invalid_arguments"
    still = sim.call("get_job", {"project_reference": P, "job_id": early["id"]})
    assert still["config"] == {"free": True}


def test_mutating_a_returned_target_changes_nothing(sim):
    out = sim.call("sim_define_target", {"name": "task:x", "input_schema": SCHEMA})
    out["input_schema"]["required"].append("depth")
    assert target_of(sim, "task:x")["input_schema"] == SCHEMA


def test_target_outputs_validate_against_the_published_schema(sim):
    out = sim.call("sim_define_target", {"name": "task:x", "input_schema": SCHEMA})
    assert list(get_tool("get_job_target").output_validator.iter_errors(out)) == []


@pytest.mark.parametrize("key", ["input_schema", "output_schema"])
def test_a_schema_with_a_non_finite_number_is_refused(sim, key):
    schema = {"type": "object", "properties": {"n": {"maximum": float("nan")}}}
    error = refused(sim, "sim_define_target", {"name": "task:x", key: schema})
    assert error.code == "invalid_arguments"
    assert error.details["field"] == key


@pytest.mark.parametrize("ref", ["#/definitions/missing", "https://schemas.example/config.json"])
def test_a_schema_ref_that_cannot_be_resolved_is_invalid_arguments_not_a_crash(sim, ref):
    schema = {"type": "object", "properties": {"a": {"$ref": ref}}}
    sim.call("sim_define_target", {"name": "task:x", "input_schema": schema})
    assert create_job(sim, "task:x", config={})["status"] == "submitted"  # "a" not checked
    for tool, args in (
        ("create_job", {"project_reference": P, "name": "j", "target": "task:x"}),
        ("create_cron_job", cron_args("task:x")),
    ):
        error = refused(sim, tool, {**args, "config": {"a": 1}})
        assert error.code == "invalid_arguments"
        assert error.details["field"] == "target"
        assert "$ref" in error.message
    assert count_jobs(sim) == 1


def test_a_schema_ref_within_the_schema_is_followed(sim):
    schema = {
        "definitions": {"positive": {"type": "integer", "minimum": 1}},
        "properties": {"n": {"$ref": "#/definitions/positive"}},
    }
    sim.call("sim_define_target", {"name": "task:x", "input_schema": schema})
    assert create_job(sim, "task:x", config={"n": 2})["config"] == {"n": 2}
    error = refused(
        sim,
        "create_job",
        {"project_reference": P, "name": "j", "target": "task:x", "config": {"n": 0}},
    )
    assert error.details["field"] == "config.n"


# -- patterns that backtrack exponentially are refused up front ------------------------


def _string_schema(pattern: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"x": {"type": "string", "pattern": pattern}}}


@pytest.mark.parametrize(
    "pattern",
    [
        "^(a+)+$",
        "(a*)*b",
        "^(a|ab)*$",
        "^([a-z]+\\.)+[a-z]+$",
        "(\\d{1,3}\\.){3}",
        "(?=(a+)+)x",
        "(?>(a+)+b)",
        "^((a)|b){2,}$",
    ],
)
def test_a_pattern_that_can_backtrack_exponentially_is_refused_and_nothing_is_defined(sim, pattern):
    error = refused(
        sim, "sim_define_target", {"name": "slow", "input_schema": _string_schema(pattern)}
    )
    assert error.code == "invalid_arguments"
    assert error.details == {
        "field": "input_schema",
        "at": "properties.x.pattern",
        "pattern": pattern,
    }
    assert "exponential time" in error.message
    lookup = {"project_reference": P, "target_name": "slow"}
    assert refused(sim, "get_job_target", lookup).code == "not_found"


@pytest.mark.parametrize(
    "pattern",
    [
        "^[a-z0-9-]+$",
        "^(?:a|b)+$",
        "^(foo|bar)-[0-9]+$",
        "^(ab{2})+$",
        "^(a+)?$",
        "^\\d{4}-\\d{2}-\\d{2}$",
        "^(?>a+)+$",
        "^(a++)+$",
    ],
)
def test_a_pattern_that_cannot_backtrack_exponentially_is_accepted_and_checked(sim, pattern):
    sim.call("sim_define_target", {"name": "ok", "input_schema": _string_schema(pattern)})
    error = refused(
        sim,
        "create_job",
        {"project_reference": P, "name": "n", "target": "ok", "config": {"x": "!" * 10_000}},
    )
    assert error.details["field"] == "config.x"


def test_patterns_are_found_in_nested_schemas_and_pattern_property_names_but_not_in_data(sim):
    data_only = {"enum": [{"pattern": "(a+)+"}], "default": {"pattern": "(a+)+"}}
    sim.call("sim_define_target", {"name": "data", "input_schema": data_only})
    nested = {"items": [{"anyOf": [{"not": {"pattern": "(x|xy)+"}}]}]}
    error = refused(sim, "sim_define_target", {"name": "n", "input_schema": nested})
    assert error.details["at"] == "items[0].anyOf[0].not.pattern"
    keyed = {"patternProperties": {"^(k+)+$": {}}}
    error = refused(sim, "sim_define_target", {"name": "k", "input_schema": keyed})
    assert error.details["at"] == "patternProperties"


def test_an_output_schema_pattern_is_never_matched_so_it_is_not_refused(sim):
    sim.call("sim_define_target", {"name": "o", "output_schema": _string_schema("^(a+)+$")})
    assert target_of(sim, "o")["output_schema"] == _string_schema("^(a+)+$")
