"""Errors: the ToolError type (jobsim.errors) and every code with its message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobsim import ERROR_CODES, Simulator, ToolError
from jobsim.errors import conflict, invalid, not_found

JOB_KEYS = (
    "backoff_limit, batch_id, branch_id, config, environment_id, name, "
    "project_reference, target, timeout_seconds"
)
STATUS_ENUM = "'submitted', 'working', 'completed', 'failed', 'canceled'"
UUID = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"


def refuse(sim: Simulator, tool: str, args: Any) -> ToolError:
    with pytest.raises(ToolError) as info:
        sim.call(tool, args)
    return info.value


def job_args(**fields: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"project_reference": "acme", "name": "job", "target": "t"}
    args.update(fields)
    return args


# -- the type --------------------------------------------------------------------


def test_error_codes_are_the_six_of_the_spec():
    assert ERROR_CODES == (
        "invalid_arguments",
        "not_found",
        "conflict",
        "rate_limited",
        "unavailable",
        "internal",
    )


def test_tool_error_str_contains_code_and_message():
    error = ToolError("not_found", "job 'x' not found", {"id": "x"})
    assert str(error) == "not_found: job 'x' not found"
    assert repr(error) == "ToolError('not_found', \"job 'x' not found\")"
    assert error.code == "not_found"
    assert error.message == "job 'x' not found"
    assert error.details == {"id": "x"}
    assert isinstance(error, Exception)


def test_tool_error_with_unknown_code_is_refused():
    with pytest.raises(ValueError, match="unknown error code 'teapot'"):
        ToolError("teapot", "short and stout")


def test_tool_error_details_default_to_an_empty_dict():
    assert ToolError("internal", "boom").details == {}


def test_tool_error_to_dict_is_a_fresh_copy():
    error = ToolError("conflict", "no", {"a": 1})
    out = error.to_dict()
    assert out == {"code": "conflict", "message": "no", "details": {"a": 1}}
    out["details"]["a"] = 2
    assert error.details == {"a": 1}


def test_invalid_helper_prefixes_the_field():
    error = invalid("limit", "too big", value=101)
    assert error.code == "invalid_arguments"
    assert error.message == "limit: too big"
    assert error.details == {"field": "limit", "value": 101}


def test_not_found_helper_names_kind_and_id():
    error = not_found("batch", "b-1")
    assert (error.code, error.message) == ("not_found", "batch 'b-1' not found")
    assert error.details == {"kind": "batch", "id": "b-1"}


def test_conflict_helper_keeps_message_and_details():
    error = conflict("already done", job_id="j")
    assert (error.code, error.message, error.details) == (
        "conflict",
        "already done",
        {"job_id": "j"},
    )


# -- invalid_arguments -------------------------------------------------------------


def test_unknown_key_is_invalid_and_lists_accepted_keys(sim, project):
    error = refuse(sim, "create_job", job_args(colour="red"))
    assert error.code == "invalid_arguments"
    assert error.message == (f"arguments: unknown key(s) 'colour'; accepted keys are {JOB_KEYS}")
    assert error.details["unknown"] == ["colour"]


def test_missing_required_key_is_invalid_and_names_it(sim, project):
    error = refuse(sim, "create_job", {"project_reference": "acme", "target": "t"})
    assert error.code == "invalid_arguments"
    assert error.message == "arguments: missing required key(s) 'name'"
    assert error.details["missing"] == ["name"]


def test_wrong_type_is_invalid_and_says_what_is_expected(sim, project):
    error = refuse(sim, "create_job", job_args(timeout_seconds="60"))
    assert error.code == "invalid_arguments"
    assert error.message == (
        "timeout_seconds: '60' is not of type 'integer'; expected a whole number >= 1"
    )


def test_boolean_is_not_a_number(sim, project):
    error = refuse(sim, "list_jobs", {"project_reference": "acme", "limit": True})
    assert error.code == "invalid_arguments"
    assert error.message.startswith("limit: True is not of type 'number'")


def test_value_outside_enum_is_invalid_and_lists_the_enum(sim, project):
    error = refuse(sim, "list_jobs", {"project_reference": "acme", "status": "done"})
    assert error.code == "invalid_arguments"
    assert error.message == (
        f"status: 'done' is not one of [{STATUS_ENUM}]; expected one of {STATUS_ENUM}"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "backoff_limit",
            101,
            "backoff_limit: 101 is greater than the maximum of 100; "
            "expected a whole number from 0 to 100",
        ),
        (
            "backoff_limit",
            -1,
            "backoff_limit: -1 is less than the minimum of 0; "
            "expected a whole number from 0 to 100",
        ),
        (
            "timeout_seconds",
            0,
            "timeout_seconds: 0 is less than the minimum of 1; expected a whole number >= 1",
        ),
    ],
)
def test_out_of_range_number_is_invalid_and_gives_the_range(sim, project, field, value, message):
    error = refuse(sim, "create_job", job_args(**{field: value}))
    assert error.code == "invalid_arguments"
    assert error.message == message


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_out_of_range_is_invalid(sim, project, limit):
    error = refuse(sim, "list_jobs", {"project_reference": "acme", "limit": limit})
    assert error.code == "invalid_arguments"
    assert error.message.startswith(f"limit: {limit} is ")
    assert error.message.endswith("expected a number from 1 to 100")


@pytest.mark.parametrize("field", ["timeout_seconds", "backoff_limit"])
def test_number_with_a_fraction_is_invalid(sim, project, field):
    error = refuse(sim, "create_job", job_args(**{field: 3.5}))
    assert error.code == "invalid_arguments"
    assert error.message.startswith(f"{field}: 3.5 is not of type 'integer'; expected a whole")


@pytest.mark.parametrize("tool", ["list_jobs", "list_job_batch_jobs"])
def test_limit_with_a_fraction_is_invalid(sim, project, tool):
    error = refuse(
        sim,
        tool,
        {"project_reference": "acme", "batch_id": UUID, "limit": 3.5}
        if tool == "list_job_batch_jobs"
        else {"project_reference": "acme", "limit": 3.5},
    )
    assert error.code == "invalid_arguments"
    assert error.message == "limit: 3.5 is not a whole number; expected one from 1 to 100"


def test_finish_exit_code_with_a_fraction_is_invalid(sim, make_job):
    job = make_job()
    sim.call("sim_start_job", {"project_reference": "acme", "job_id": job["id"]})
    error = refuse(
        sim, "sim_finish_job", {"project_reference": "acme", "job_id": job["id"], "exit_code": 1.5}
    )
    assert error.code == "invalid_arguments"
    assert error.message.startswith("exit_code: 1.5 is not of type 'integer'")


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ({"x": float("nan")}, "x"),
        ({"x": float("inf")}, "x"),
        ({"x": {"y": [1, float("-inf")]}}, "x.y[1]"),
    ],
)
def test_non_finite_config_value_is_invalid_and_names_its_path(sim, project, config, where):
    error = refuse(sim, "create_job", job_args(config=config))
    assert error.code == "invalid_arguments"
    assert error.message.startswith("config: ")
    assert f"at {where} is not a finite number" in error.message


@pytest.mark.parametrize(
    "config",
    [{"x": {1, 2}}, {"x": (1, 2)}, {"x": b"bytes"}, {"x": object()}, {"x": {1: "a"}}],
    ids=["set", "tuple", "bytes", "object", "int-key"],
)
def test_config_value_that_is_not_json_is_invalid(sim, project, config):
    error = refuse(sim, "create_job", job_args(config=config))
    assert error.code == "invalid_arguments"
    assert error.message.startswith("config: ")


def test_config_of_plain_json_values_is_accepted(sim, project):
    config = {"s": "x", "i": 1, "f": 1.5, "b": True, "n": None, "l": [1, {"k": []}], "o": {}}
    assert sim.call("create_job", job_args(config=config))["config"] == config


@pytest.mark.parametrize("sec_field", ["start_after_seconds", "run_seconds"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e308])
def test_non_finite_behavior_duration_is_invalid(sim, sec_field, value):
    error = refuse(sim, "sim_define_target", {"name": "t", "behavior": {sec_field: value}})
    assert error.code == "invalid_arguments"
    assert error.message.startswith(f"behavior.{sec_field}: ")
    assert "finite number of seconds" in error.message


@pytest.mark.parametrize(
    "batch_id",
    [
        "batch-1",
        UUID.upper(),
        UUID.replace("-", ""),
        UUID + "\n",
    ],
)
def test_batch_id_that_is_not_a_canonical_uuid_is_invalid(sim, project, batch_id):
    error = refuse(sim, "create_job", job_args(batch_id=batch_id))
    assert error.code == "invalid_arguments"
    assert error.message == (
        f"batch_id: {batch_id!r} is not a canonical lowercase UUID "
        "(e.g. '0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e')"
    )


@pytest.mark.parametrize("field", ["name", "target"])
def test_empty_name_or_target_of_a_job_is_invalid(sim, project, field):
    error = refuse(sim, "create_job", job_args(**{field: ""}))
    assert error.code == "invalid_arguments"
    assert error.message.startswith(f"{field}: '' should be non-empty")


@pytest.mark.parametrize("field", ["name", "target"])
def test_blank_name_or_target_of_a_job_is_invalid(sim, project, field):
    error = refuse(sim, "create_job", job_args(**{field: "   "}))
    assert error.code == "invalid_arguments"
    assert error.message == f"{field}: must be a non-empty string"


@pytest.mark.parametrize("tool", ["sim_create_environment", "sim_create_branch"])
def test_empty_environment_or_branch_name_is_invalid(sim, project, tool):
    error = refuse(sim, tool, {"project_reference": "acme", "name": ""})
    assert error.code == "invalid_arguments"
    assert error.message == "name: must be a non-empty string"


def test_unknown_tool_is_invalid_and_lists_the_tools(sim):
    error = refuse(sim, "launch_rocket", {})
    assert error.code == "invalid_arguments"
    assert error.message.startswith("unknown tool 'launch_rocket'; known tools are cancel_job, ")


@pytest.mark.parametrize("arguments", [[], "x", 3])
def test_arguments_that_are_not_an_object_are_invalid(sim, arguments):
    error = refuse(sim, "list_jobs", arguments)
    assert error.code == "invalid_arguments"
    assert error.message == f"arguments must be a JSON object, not {type(arguments).__name__}"


def test_no_arguments_means_an_empty_object(sim):
    error = refuse(sim, "list_jobs", None)
    assert error.message == "arguments: missing required key(s) 'project_reference'"


# -- not_found ---------------------------------------------------------------------


def test_unknown_project_is_not_found(sim):
    error = refuse(sim, "list_jobs", {"project_reference": "nope"})
    assert (error.code, error.message) == ("not_found", "project 'nope' not found")


def test_unknown_job_is_not_found(sim, project):
    error = refuse(sim, "get_job", {"project_reference": "acme", "job_id": "j"})
    assert (error.code, error.message) == ("not_found", "job 'j' not found")


def test_unknown_batch_is_not_found(sim, project):
    error = refuse(sim, "get_job_batch", {"project_reference": "acme", "batch_id": UUID})
    assert (error.code, error.message) == ("not_found", f"batch '{UUID}' not found")


@pytest.mark.parametrize(
    ("field", "kind"), [("environment_id", "environment"), ("branch_id", "branch")]
)
def test_unknown_environment_or_branch_of_a_job_is_not_found(sim, project, field, kind):
    error = refuse(sim, "create_job", job_args(**{field: UUID}))
    assert (error.code, error.message) == ("not_found", f"{kind} '{UUID}' not found")


def test_undefined_target_with_strict_targets_is_not_found():
    sim = Simulator(strict_targets=True)
    sim.call("sim_create_project", {"slug": "acme"})
    error = refuse(sim, "create_job", job_args(target="image:v1"))
    assert (error.code, error.message) == ("not_found", "target 'image:v1' not found")


def _foreign_world() -> tuple[Simulator, dict[str, str]]:
    """Project ``other`` owns a job, a batch, an environment and a branch; ``acme`` owns none."""
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "acme"})
    sim.call("sim_create_project", {"slug": "other"})
    env = sim.call("sim_create_environment", {"project_reference": "other", "name": "e"})
    branch = sim.call("sim_create_branch", {"project_reference": "other", "name": "b"})
    job = sim.call(
        "create_job",
        {"project_reference": "other", "name": "n", "target": "t", "batch_id": UUID},
    )
    return sim, {"job": job["id"], "batch": UUID, "env": env["id"], "branch": branch["id"]}


FOREIGN_CALLS = {
    "job": [
        ("get_job", "job_id"),
        ("cancel_job", "job_id"),
        ("sim_start_job", "job_id"),
        ("get_job_events", "job_id"),
    ],
    "batch": [("get_job_batch", "batch_id"), ("list_job_batch_jobs", "batch_id")],
    "env": [("create_job", "environment_id"), ("create_cron_job", "environment_id")],
    "branch": [("create_job", "branch_id"), ("create_cron_job", "branch_id")],
}


def _call_with(tool: str, field: str, value: str) -> dict[str, Any]:
    args: dict[str, Any] = {"project_reference": "acme", field: value}
    if tool in ("create_job", "create_cron_job"):
        args.update(name="n", target="t")
    if tool == "create_cron_job":
        args["schedule"] = "* * * * *"
    return args


@pytest.mark.parametrize(
    ("kind", "tool", "field"),
    [(kind, tool, field) for kind, calls in FOREIGN_CALLS.items() for tool, field in calls],
)
def test_foreign_id_is_not_found_worded_exactly_like_a_missing_one(kind, tool, field):
    sim, owned = _foreign_world()
    foreign = owned[kind]
    missing = "11111111-2222-4333-8444-555555555555"
    e_foreign = refuse(sim, tool, _call_with(tool, field, foreign))
    e_missing = refuse(sim, tool, _call_with(tool, field, missing))
    assert e_foreign.code == e_missing.code == "not_found"
    assert e_foreign.message.replace(foreign, "<id>") == e_missing.message.replace(missing, "<id>")
    assert foreign in e_foreign.message
    assert "other" not in e_foreign.message
    assert {k: v for k, v in e_foreign.details.items() if k != "id"} == {
        k: v for k, v in e_missing.details.items() if k != "id"
    }


# -- conflict ----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["completed", "failed", "canceled"])
def test_cancel_of_terminal_job_is_conflict_naming_its_status(sim, make_job, status):
    job = make_job(backoff_limit=0)
    ref = {"project_reference": "acme", "job_id": job["id"]}
    if status == "canceled":
        sim.call("cancel_job", ref)
    else:
        sim.call("sim_start_job", ref)
        sim.call("sim_finish_job", {**ref, "exit_code": 0 if status == "completed" else 1})
    error = refuse(sim, "cancel_job", ref)
    assert error.code == "conflict"
    assert error.message == (
        f"job {job['id']} is already {status}; only submitted or working jobs can be canceled"
    )


def test_batch_id_of_another_project_is_conflict_that_names_no_project(sim):
    other = sim.call("sim_create_project", {"slug": "other-co"})
    acme = sim.call("sim_create_project", {"slug": "acme"})
    sim.call("create_job", job_args(project_reference="other-co", batch_id=UUID))
    error = refuse(sim, "create_job", job_args(batch_id=UUID))
    assert error.code == "conflict"
    assert error.message == (
        f"batch id '{UUID}' is already in use; choose a new UUID for a new batch"
    )
    text = f"{error.message} {error.details}"
    for secret in (other["id"], other["slug"]):
        assert secret not in text
    assert acme["id"] not in text


def test_slug_in_use_is_conflict(sim, project):
    error = refuse(sim, "sim_create_project", {"slug": "acme"})
    assert error.code == "conflict"
    assert error.message == "project slug 'acme' is already in use; choose another"


def test_start_of_a_working_job_is_conflict(sim, make_job):
    job = make_job()
    ref = {"project_reference": "acme", "job_id": job["id"]}
    sim.call("sim_start_job", ref)
    error = refuse(sim, "sim_start_job", ref)
    assert error.code == "conflict"
    assert error.message == f"job {job['id']} is working; only a submitted job can be started"


def test_finish_during_a_backoff_is_conflict(sim, make_job):
    job = make_job()
    ref = {"project_reference": "acme", "job_id": job["id"]}
    sim.call("sim_start_job", ref)
    sim.call("sim_finish_job", {**ref, "exit_code": 1})
    error = refuse(sim, "sim_finish_job", {**ref, "exit_code": 0})
    assert error.code == "conflict"
    assert error.message == (
        f"job {job['id']} is in a backoff before its next attempt; "
        "only a job with a running attempt can be finished"
    )


# -- precedence --------------------------------------------------------------------


def test_invalid_arguments_comes_before_not_found(sim):
    error = refuse(sim, "create_job", job_args(project_reference="nope", backoff_limit=500))
    assert error.code == "invalid_arguments"


def test_not_found_comes_before_conflict(sim):
    sim.call("sim_create_project", {"slug": "other"})
    sim.call("sim_create_project", {"slug": "acme"})
    sim.call("create_job", job_args(project_reference="other", batch_id=UUID))
    error = refuse(sim, "create_job", job_args(batch_id=UUID, environment_id=UUID))
    assert (error.code, error.message) == ("not_found", f"environment '{UUID}' not found")


# -- injected faults ---------------------------------------------------------------


@pytest.mark.parametrize("code", ["rate_limited", "unavailable", "internal"])
def test_injected_fault_fails_the_next_call_with_its_code(sim, project, code):
    sim.call("sim_inject_fault", {"tool": "list_jobs", "code": code})
    error = refuse(sim, "list_jobs", {"project_reference": "acme"})
    assert error.code == code
    assert error.message == f"injected fault: list_jobs failed with {code}"
    assert error.details == {"injected": True, "tool": "list_jobs"}
    assert sim.call("list_jobs", {"project_reference": "acme"})["data"] == []


def test_injected_fault_carries_a_custom_message(sim, project):
    sim.call(
        "sim_inject_fault",
        {"tool": "get_job", "code": "unavailable", "message": "upstream down"},
    )
    error = refuse(sim, "get_job", {"project_reference": "acme", "job_id": "x"})
    assert (error.code, error.message) == ("unavailable", "upstream down")
    assert str(error) == "unavailable: upstream down"


def test_injected_fault_fires_before_arguments_are_read(sim):
    sim.call("sim_inject_fault", {"tool": "create_job", "code": "internal"})
    error = refuse(sim, "create_job", {"bogus": True})
    assert error.code == "internal"


def test_injected_fault_fires_times_and_injections_queue_up(sim, project):
    out = sim.call("sim_inject_fault", {"tool": "list_jobs", "code": "rate_limited", "times": 2})
    assert out == {
        "tool": "list_jobs",
        "code": "rate_limited",
        "message": "injected fault: list_jobs failed with rate_limited",
        "times": 2,
        "pending": 2,
    }
    out = sim.call("sim_inject_fault", {"tool": "list_jobs", "code": "internal"})
    assert out["pending"] == 3
    codes = [refuse(sim, "list_jobs", {"project_reference": "acme"}).code for _ in range(3)]
    assert codes == ["rate_limited", "rate_limited", "internal"]
    sim.call("list_jobs", {"project_reference": "acme"})


def test_injected_fault_affects_only_its_tool(sim, project):
    sim.call("sim_inject_fault", {"tool": "get_job", "code": "internal"})
    sim.call("list_jobs", {"project_reference": "acme"})
    assert refuse(sim, "get_job", {"project_reference": "acme", "job_id": "x"}).code == "internal"


def test_injected_fault_changes_nothing_and_draws_no_id():
    faulty, clean = Simulator(), Simulator()
    for s in (faulty, clean):
        s.call("sim_create_project", {"slug": "acme"})
    faulty.call("sim_inject_fault", {"tool": "create_job", "code": "unavailable"})
    refuse(faulty, "create_job", job_args())
    assert faulty.call("create_job", job_args()) == clean.call("create_job", job_args())


def test_fault_for_an_unknown_tool_is_invalid(sim):
    error = refuse(sim, "sim_inject_fault", {"tool": "nope", "code": "internal"})
    assert error.code == "invalid_arguments"
    assert error.message.startswith("tool: unknown tool 'nope'; known tools are ")


def test_fault_times_below_one_is_invalid(sim):
    error = refuse(sim, "sim_inject_fault", {"tool": "get_job", "code": "internal", "times": 0})
    assert error.code == "invalid_arguments"
    assert error.message.startswith("times: 0 is less than the minimum of 1")


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_code_can_be_injected(sim, code):
    sim.call("sim_inject_fault", {"tool": "sim_advance_clock", "code": code})
    assert refuse(sim, "sim_advance_clock", {"seconds": 1}).code == code
    assert sim.now == "2026-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("details", "kept"),
    [
        ({"value": float("nan")}, {"value": "<not JSON: nan>"}),
        ({"value": {1, 2}}, {"value": "<not JSON: set>"}),
        ({"value": (1, b"x")}, {"value": [1, "<not JSON: bytes>"]}),
        ({"value": {3: float("-inf")}}, {"value": {"3": "<not JSON: -inf>"}}),
    ],
)
def test_error_details_are_always_json(details, kept):
    error = ToolError("invalid_arguments", "x: bad", details)
    assert error.details == kept
    json.dumps(error.to_dict(), allow_nan=False)


def test_a_refused_nan_limit_reports_json_details():
    sim = Simulator(seed=0)
    sim.call("sim_create_project", {"slug": "p"})
    with pytest.raises(ToolError) as caught:
        sim.call("list_jobs", {"project_reference": "p", "limit": float("nan")})
    assert caught.value.details == {"field": "limit", "value": "<not JSON: nan>"}
    assert sim.transcript[-1]["error"] == caught.value.to_dict()
