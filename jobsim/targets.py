"""Targets: ``sim_define_target`` and ``get_job_target`` (SPEC section 10).

Targets are global to a simulator. A job takes its target's behaviour as it is
when the job is created; redefining a target changes only later jobs.
"""

from __future__ import annotations

import math
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

from jobsim.arguments import finite_json, non_empty
from jobsim.clock import seconds_to_ms
from jobsim.errors import invalid, not_found
from jobsim.patterns import ambiguous_repeat, schema_patterns
from jobsim.records import Behavior, Target
from jobsim.registry import handler
from jobsim.serialize import copy_json, target_dict
from jobsim.world import World

__all__ = [
    "MAX_BEHAVIOR_SECONDS",
    "behavior_from_dict",
    "behavior_to_dict",
    "check_patterns",
    "make_target",
]

#: Longest start delay or run time of a behaviour: more than the clock can ever reach
#: (it ends with the year 9999), and small enough that seconds <-> milliseconds is exact
#: in a snapshot.
MAX_BEHAVIOR_SECONDS = 10**12


def _checked_schema(args: dict[str, Any], key: str) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = args.get(key)
    if schema is None:
        return None
    finite_json(key, schema)
    try:
        Draft7Validator.check_schema(schema)
    except SchemaError as e:
        raise invalid(key, f"is not a valid draft-07 JSON Schema: {e.message}") from None
    if key == "input_schema":  # the only schema jobsim matches values against
        check_patterns(schema)
    checked: dict[str, Any] = copy_json(schema)
    return checked


def check_patterns(schema: dict[str, Any]) -> None:
    """Refuse an ``input_schema`` with a regex that can take exponential time to match
    (see :mod:`jobsim.patterns`): every config checked against it would pay for it."""
    for where, pattern in schema_patterns(schema):
        why = ambiguous_repeat(pattern)
        if why is not None:
            raise invalid(
                "input_schema",
                f"{where} {pattern!r} has {why}, which can take exponential time to match "
                "(Python's regex engine backtracks); write it without a group of variable "
                "length that repeats, e.g. '^[a-z.]+$' rather than '^([a-z]+\\.)+$', or "
                "list a fixed repeat out",
                at=where,
                pattern=pattern,
            )


def behavior_from_dict(raw: dict[str, Any]) -> Behavior:
    return Behavior(
        start_after_ms=seconds_to_ms(raw.get("start_after_seconds", 0)),
        run_ms=seconds_to_ms(raw.get("run_seconds", 1)),
        exit_codes=tuple(int(c) for c in raw.get("exit_codes", [0])),
        events=tuple(raw.get("events", [])),
    )


def behavior_to_dict(b: Behavior) -> dict[str, Any]:
    return {
        "start_after_seconds": b.start_after_ms / 1000,
        "run_seconds": b.run_ms / 1000,
        "exit_codes": list(b.exit_codes),
        "events": list(b.events),
    }


def make_target(
    name: str,
    description: str | None,
    input_schema: dict[str, Any] | None,
    output_schema: dict[str, Any] | None,
    behavior: Behavior | None,
) -> Target:
    return Target(
        name=name,
        description=description,
        input_schema=input_schema,
        output_schema=output_schema,
        behavior=behavior,
        validator=Draft7Validator(input_schema) if input_schema is not None else None,
    )


@handler("sim_define_target")
def sim_define_target(world: World, args: dict[str, Any]) -> dict[str, Any]:
    name = non_empty(args, "name")
    for key in ("start_after_seconds", "run_seconds"):
        value = args.get("behavior", {}).get(key, 0)
        if not math.isfinite(value * 1000):
            raise invalid(f"behavior.{key}", f"{value!r} is not a finite number of seconds")
        if value > MAX_BEHAVIOR_SECONDS:
            raise invalid(
                f"behavior.{key}",
                f"{value!r} is out of range; expected at most {MAX_BEHAVIOR_SECONDS} seconds "
                "(the clock ends with the year 9999)",
            )
    target = make_target(
        name,
        args.get("description"),
        _checked_schema(args, "input_schema"),
        _checked_schema(args, "output_schema"),
        behavior_from_dict(args["behavior"]) if "behavior" in args else None,
    )
    world.targets[name] = target
    return target_dict(target)


@handler("get_job_target")
def get_job_target(world: World, args: dict[str, Any]) -> dict[str, Any]:
    world.project(args["project_reference"])
    name: str = args["target_name"]
    target = world.targets.get(name)
    if target is None:
        raise not_found("target", name)
    return target_dict(target)
