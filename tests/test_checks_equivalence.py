"""The fast checks (jobsim.fastcheck, jsonschema-rs) accept exactly what jsonschema accepts.

For every tool: arguments generated from its input schema (valid ones), the same
arguments broken in every way a caller can break them (a required key dropped, an
unknown key added, a value replaced by any JSON value), and arbitrary JSON values
as a whole. The same for every distinct output schema, plus real outputs of a run. Then
random schemas of the draft-07 keywords the shipped schemas use, against arbitrary
values, so every keyword is compared with jsonschema beyond the shapes the tools use.
Finally the places where jsonschema-rs alone would judge otherwise: regex ``$``
before a trailing newline and Python's ``\\s``, tuples, ``Decimal``, NaN.

On JSON values the two must agree exactly. A value that is not JSON (NaN, a tuple)
may be left to jsonschema (the check says false), but the check must never accept
what jsonschema refuses. Strategies are written with Hypothesis directly.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from jobsim import Simulator, ToolError, fastcheck
from jobsim.bounds import MAX_DEPTH, is_plain_json
from jobsim.fastcheck import compile_check, compile_json_check, is_json
from jobsim.registry import TOOLS

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)

# -- valid values, generated from a schema of the registry's subset ------------------


def _numbers(schema: dict[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    ints = st.integers(
        min_value=None if lo is None else math.ceil(lo),
        max_value=None if hi is None else math.floor(hi),
    )
    floats = st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)
    if integer:
        return ints | ints.map(float)
    return ints | floats


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    strategy = st.from_regex(schema["pattern"]) if "pattern" in schema else st.text(max_size=12)
    n = schema.get("minLength", 0)
    return strategy.filter(lambda s: len(s) >= n)


def valid(schema: Any) -> st.SearchStrategy[Any]:
    """Values ``schema`` accepts (for the keywords the shipped input schemas use)."""
    if schema is True or schema == {} or set(schema) <= {"description", "default"}:
        return JSON
    if "anyOf" in schema:
        return st.one_of([valid(s) for s in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([valid({**schema, "type": k}) for k in kind])
    if kind == "string":
        return _strings(schema)
    if kind in ("integer", "number"):
        return _numbers(schema, kind == "integer")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(
            valid(schema.get("items", True)), min_size=schema.get("minItems", 0), max_size=4
        )
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        extra = schema.get("additionalProperties", True)
        fixed = st.fixed_dictionaries(
            {k: valid(v) for k, v in props.items() if k in required},
            optional={k: valid(v) for k, v in props.items() if k not in required},
        )
        if extra is False or not isinstance(extra, dict | bool):
            return fixed
        more = st.dictionaries(
            st.text(max_size=6).filter(lambda k: k not in props), valid(extra), max_size=3
        )
        return st.tuples(fixed, more).map(lambda pair: {**pair[1], **pair[0]})
    raise AssertionError(f"no strategy for {schema!r}")  # pragma: no cover


def broken(spec_schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Valid arguments with one thing wrong (most of them are then refused)."""
    props = list(spec_schema.get("properties", {}))
    required = list(spec_schema.get("required", []))

    good = valid(spec_schema)

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        args = dict(draw(good))
        how = draw(st.sampled_from(["drop", "extra", "replace", "replace", "nest"]))
        if how == "drop" and required:
            args.pop(draw(st.sampled_from(required)), None)
        elif how == "extra":
            args[draw(st.text(max_size=8))] = draw(JSON)
        elif how == "replace" and props:
            args[draw(st.sampled_from(props))] = draw(JSON)
        elif how == "nest" and props:
            key = draw(st.sampled_from(props))
            args[key] = draw(
                st.sampled_from([[args.get(key)], {"v": args.get(key)}, str(args.get(key))])
            )
        return args

    return build()


def agree(check: Any, validator: Draft7Validator, value: Any) -> None:
    """``check`` judges ``value`` as ``validator`` does: exactly when ``value`` is JSON,
    and never more leniently when it is not."""
    expected = validator.is_valid(value)
    got = check(value)
    assert type(got) is bool
    if is_json(value):
        assert got is expected, value
    else:
        assert not got or expected, value


def same(schema: Any, value: Any) -> None:
    validator = Draft7Validator(schema)
    agree(compile_check(schema), validator, value)
    if is_json(value):
        assert compile_json_check(schema)(value) is validator.is_valid(value), (schema, value)


TOOL_NAMES = sorted(TOOLS)
VALID = {name: valid(TOOLS[name].input_schema) for name in TOOL_NAMES}
BROKEN = {name: broken(TOOLS[name].input_schema) for name in TOOL_NAMES}


@pytest.mark.parametrize("name", TOOL_NAMES)
@SETTINGS
@given(data=st.data())
def test_generated_arguments_are_accepted_by_both(name, data):
    spec = TOOLS[name]
    args = data.draw(VALID[name])
    assert spec.input_validator.is_valid(args), args
    agree(spec.input_check, spec.input_validator, args)  # true unless not JSON (NaN)


@pytest.mark.parametrize("name", TOOL_NAMES)
@SETTINGS
@given(data=st.data())
def test_broken_arguments_are_judged_alike(name, data):
    spec = TOOLS[name]
    agree(spec.input_check, spec.input_validator, data.draw(BROKEN[name]))


#: Arbitrary JSON against an input schema is nearly always refused at the top (not an
#: object, or without the tool's keys, which the broken arguments above do reach).
ARBITRARY = settings(SETTINGS, max_examples=20)


@pytest.mark.parametrize("name", TOOL_NAMES)
@ARBITRARY
@given(value=JSON)
def test_arbitrary_json_values_are_judged_alike(name, value):
    spec = TOOLS[name]
    agree(spec.input_check, spec.input_validator, value)


# -- output schemas (the accept path of validate_outputs and schema_problems) --------

OUT_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
#: One tool for each distinct output schema: tools that share one (six return a job
#: record) would only repeat each other's examples.
OUTPUT_TOOLS = sorted(
    {json.dumps(TOOLS[name].output_schema, sort_keys=True): name for name in TOOL_NAMES}.values()
)
VALID_OUT = {name: valid(TOOLS[name].output_schema) for name in OUTPUT_TOOLS}
BROKEN_OUT = {name: broken(TOOLS[name].output_schema) for name in OUTPUT_TOOLS}


@pytest.mark.parametrize("name", OUTPUT_TOOLS)
@OUT_SETTINGS
@given(data=st.data())
def test_outputs_generated_broken_or_arbitrary_are_judged_alike(name, data):
    spec = TOOLS[name]
    good = data.draw(VALID_OUT[name])
    assert spec.output_validator.is_valid(good), good
    agree(spec.output_check, spec.output_validator, good)
    for value in (data.draw(BROKEN_OUT[name]), data.draw(JSON)):
        agree(spec.output_check, spec.output_validator, value)


def test_real_outputs_are_accepted_by_both():
    sim = Simulator(seed=5)
    p = {"project_reference": "p"}
    sim.call("sim_create_project", {"slug": "p"})
    sim.call(
        "sim_define_target", {"name": "t", "behavior": {"run_seconds": 5, "exit_codes": [1, 0]}}
    )
    batch = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"
    jobs = [
        sim.call("create_job", {**p, "name": "n", "target": "t", "batch_id": batch})
        for _ in range(3)
    ]
    manual = sim.call("create_job", {**p, "name": "m", "target": "other"})
    sim.call("cancel_job", {**p, "job_id": jobs[0]["id"]})
    cron = sim.call("create_cron_job", {**p, "name": "c", "target": "t", "schedule": "*/5 * * * *"})
    sim.call("sim_advance_clock", {"seconds": 900})
    sim.call("sim_start_job", {**p, "job_id": manual["id"]})
    sim.call("sim_finish_job", {**p, "job_id": manual["id"], "exit_code": 3})
    sim.call("get_job_batch", {**p, "batch_id": batch})
    sim.call("list_job_batch_jobs", {**p, "batch_id": batch, "limit": 2})
    sim.call("list_jobs", {**p, "limit": 3})
    sim.call("get_job_events", {**p, "job_id": jobs[1]["id"], "limit": 4})
    sim.call("update_cron_job", {**p, "cron_job_id": cron["id"], "status": "paused"})
    sim.call("list_cron_jobs", p)
    sim.call("get_job_target", {**p, "target_name": "t"})
    entries = sim.transcript
    assert len({e["tool"] for e in entries}) >= 14
    for entry in entries:
        spec = TOOLS[entry["tool"]]
        assert spec.output_validator.is_valid(entry["result"]), entry["tool"]
        assert spec.output_check(entry["result"]) is True, entry["tool"]


# -- random schemas of the keywords the shipped schemas use ---------------------------

PATTERNS = ["^a", "b$", "^[a-z0-9-]+$", r"^(\S+\s+){4}\S+$", "x|y", ""]
TYPE_NAMES = ["string", "object", "array", "boolean", "null", "number", "integer"]
BOUNDS = st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False)


def _keywords(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(TYPE_NAMES)
            | st.lists(st.sampled_from(TYPE_NAMES), min_size=1, max_size=3, unique=True),
            "properties": st.dictionaries(st.sampled_from("abcd"), inner, max_size=3),
            "required": st.lists(st.sampled_from("abcd"), max_size=3, unique=True),
            "additionalProperties": st.booleans() | inner,
            "enum": st.lists(st.text(max_size=3), min_size=1, max_size=4),
            "minimum": BOUNDS,
            "maximum": BOUNDS,
            "minLength": st.integers(0, 4),
            "pattern": st.sampled_from(PATTERNS),
            "items": st.booleans() | inner,
            "minItems": st.integers(0, 3),
            "anyOf": st.lists(inner, min_size=1, max_size=3),
            "description": st.text(max_size=4),
            "default": SCALARS,
            "format": st.sampled_from(["uuid", "ipv4", "date"]),
        },
    )


SCHEMAS = st.recursive(st.booleans() | st.just({}), lambda inner: _keywords(inner), max_leaves=6)
VALUES = st.recursive(
    SCALARS | st.sampled_from(["a", "ab", "b", "x", "a-1", "* * * * *", "abcd"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from("abcdef"), inner, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=400, deadline=None)
@given(schema=SCHEMAS, value=VALUES)
def test_random_schemas_are_judged_alike(schema, value):
    same(schema, value)


# -- where jsonschema-rs alone judges otherwise ------------------------------------

CRON = TOOLS["create_cron_job"].input_schema["properties"]["schedule"]
SLUG = TOOLS["sim_create_project"].input_schema["properties"]["slug"]


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        # Python's `$` also matches before one final newline (ECMA's does not)
        (SLUG, "acme\n"),
        (SLUG, "acme\n\n"),
        (CRON, "* * * * *\n"),
        ({"pattern": "^a$"}, "a\n"),
        ({"pattern": "a$"}, "a\r"),
        # Python's \s takes the separators \x1c-\x1f; ECMA's does not, so its \S does
        (CRON, "* * * * *\x1c"),
        (CRON, "*\x1f* * * *"),
        ({"pattern": "\\d"}, "\u0663"),  # a Unicode digit: Python's \d, not ECMA's
        ({"pattern": "\\w"}, "\u00e9"),
        # integers and numbers
        ({"type": "integer"}, 1.0),
        ({"type": "integer"}, 1e300),
        ({"type": "integer"}, 1.5),
        ({"type": "integer"}, True),
        ({"type": "number"}, False),
        ({"type": "integer", "maximum": 255}, 2**70),
        ({"type": "integer", "minimum": 0}, -(2**70)),
        ({"enum": ["a"]}, "a"),
        ({"type": "string", "format": "uuid"}, "not a uuid"),  # formats are not asserted
    ],
    ids=repr,
)
def test_json_values_where_the_libraries_differ_are_judged_as_jsonschema_does(schema, value):
    same(schema, value)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "array"}, (1, 2)),  # jsonschema-rs takes a tuple for an array
        ({"type": "integer"}, Decimal(1)),  # and a Decimal for an integer
        ({"type": "number", "minimum": 1}, math.nan),  # jsonschema passes NaN, -rs does not
        ({"type": "number"}, math.inf),
        ({"type": "number"}, 1j),  # jsonschema-rs raises on values it cannot convert
        ({"type": "object"}, {1: "a"}),
        ({}, {"a": {1, 2}}),
    ],
    ids=repr,
)
def test_values_that_are_not_json_are_left_to_jsonschema(schema, value):
    assert compile_check(schema)(value) is False
    assert compile_json_check(schema)(value) in (True, False)  # never raises


def test_the_input_check_refuses_a_tuple_where_jsonschema_does():
    spec = TOOLS["sim_define_target"]
    args = {"name": "t", "behavior": {"exit_codes": (1, 0)}}
    assert not spec.input_validator.is_valid(args)
    assert spec.input_check(args) is False
    with pytest.raises(ToolError, match="exit_codes"):
        Simulator().call("sim_define_target", args)


def test_is_json_ends_on_a_cycle_and_on_a_value_too_large_to_vouch_for():
    loop: list[Any] = []
    loop.append(loop)
    assert is_json(loop) is False
    assert is_json([0] * fastcheck._MAX_JSON_NODES) is True
    assert is_json([[0] * fastcheck._MAX_JSON_NODES]) is False
    assert is_json({"a": [1, 2.5, "x", None, True, {"b": []}]}) is True
    assert is_json(float("nan")) is False


def test_is_json_takes_what_jsonschema_takes_past_the_bounds_walks_limits():
    # one walk, two settings: is_json has no depth or number bound, is_plain_json does
    deep: Any = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    for value in (deep, [10**400], {"a": -(10**400)}):
        assert Draft7Validator({}).is_valid(value)
        assert is_json(value) is True
        assert is_plain_json(value) is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x", True),
        (1.5, True),
        (None, True),
        ([None, True, "s", 3, 2.5, {}, []], True),
        ({"a": {"b": [1, {"c": None}]}}, True),
        ((1,), False),
        ([1, (2,)], False),
        ({"a": {"b": [Decimal(1)]}}, False),
        ({"a": [1.5, math.inf]}, False),
        (math.nan, False),
        ({"a": {"b": {1: 2}}}, False),
        (b"x", False),
    ],
    ids=repr,
)
def test_is_json_takes_exactly_the_json_types(value, expected):
    assert is_json(value) is expected
