"""Targets: ``sim_define_target`` and ``get_job_target`` (SPEC section 10).

Targets are global to a simulator. A job takes its target's behaviour as it is
when the job is created; redefining a target changes only later jobs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from jobsim.arguments import NonBlank, Seconds
from jobsim.bounds import MAX_SCHEMA_FANOUT, MAX_SECONDS
from jobsim.clock import seconds_to_ms
from jobsim.errors import invalid, not_found
from jobsim.patterns import ambiguous_repeat, schema_patterns
from jobsim.records import Behavior, Target
from jobsim.registry import handler
from jobsim.serialize import copy_json, target_dict
from jobsim.world import World

__all__ = [
    "behavior_from_dict",
    "behavior_to_dict",
    "check_patterns",
    "make_target",
    "schema_problem",
]

# Keywords whose subschemas apply to the very value their schema applies to; with
# ``$ref`` they are how a check can loop or multiply without going deeper in the value.
_SAME_VALUE_LISTS = ("allOf", "anyOf", "oneOf")
_SAME_VALUE_ONE = ("not", "if", "then", "else")
# Keywords whose values are data, not schemas.
_DATA = frozenset({"enum", "const", "default", "examples"})


def _checked_schema(args: dict[str, Any], key: str) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = args.get(key)
    if schema is None:
        return None
    text = json.dumps(schema, sort_keys=True)  # the arguments are plain JSON already
    if len(text) > _CACHED_SCHEMA_TEXT or not _valid_draft7(text):
        from jsonschema import Draft7Validator  # on first use: see registry._draft7
        from jsonschema.exceptions import SchemaError

        try:  # the schema as given, so that the message shows it as given
            Draft7Validator.check_schema(schema)
        except SchemaError as e:
            raise invalid(key, f"is not a valid draft-07 JSON Schema: {e.message}") from None
    problem = schema_problem(schema)
    if problem is not None:
        raise invalid(key, problem)
    if key == "input_schema":  # the only schema jobsim matches values against
        check_patterns(schema)
    checked: dict[str, Any] = copy_json(schema)
    return checked


#: Longest schema text (canonical JSON) whose check against the metaschema is remembered.
_CACHED_SCHEMA_TEXT = 10_000


@lru_cache(maxsize=256)
def _valid_draft7(text: str) -> bool:
    """Whether the schema whose canonical JSON is ``text`` is a valid draft-07 schema.
    Remembered: suites define the same targets again and again (in every test, every
    example of a state machine), and jsonschema's check against the metaschema costs
    about 50 us, more than the rest of ``sim_define_target``."""
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft7Validator.check_schema(json.loads(text))
    except SchemaError:
        return False
    return True


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


def schema_problem(schema: Any) -> str | None:
    """Why checking a value against ``schema`` could loop or take too long — a local
    ``$ref`` cycle that never goes deeper in the value, or more than
    :data:`MAX_SCHEMA_FANOUT` subschemas applied to one value — or ``None``.
    Iterative; ``schema`` is JSON within :mod:`jobsim.bounds` already."""
    nodes: list[dict[str, Any]] = []  # every object in the document that may be a schema
    stack: list[Any] = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            nodes.append(item)
            stack.extend(v for k, v in item.items() if k not in _DATA)
        elif isinstance(item, list):
            stack.extend(item)
    # absolute ids name their subschema: {"$id": "http://x/s", "allOf": [{"$ref": "http://x/s"}]}
    named = {n["$id"].rstrip("#"): n for n in nodes if isinstance(n.get("$id"), str)}
    fanout: dict[int, int] = {}  # id(node) -> subschemas applied to one value, itself included
    for start in nodes:
        if id(start) in fanout:
            continue
        # depth-first, iteratively: (node, its same-value subschemas, next one to visit)
        path: list[tuple[dict[str, Any], list[dict[str, Any]], int]] = []
        on_path: set[int] = set()
        node: dict[str, Any] | None = start
        while node is not None or path:
            if node is not None:
                path.append((node, _same_value(node, schema, named), 0))
                on_path.add(id(node))
                node = None
                continue
            here, children, i = path[-1]
            if i < len(children):
                path[-1] = (here, children, i + 1)
                child = children[i]
                if id(child) in on_path:
                    return (
                        "has a $ref cycle that never reaches a part of the value (such as "
                        '{"$ref": "#"}); checking a config against it would never end'
                    )
                if id(child) not in fanout:
                    node = child
                continue
            path.pop()
            on_path.discard(id(here))
            total = 1 + sum(fanout[id(c)] for c in children)
            if total > MAX_SCHEMA_FANOUT:
                return (
                    f"applies more than {MAX_SCHEMA_FANOUT} subschemas to one value (through "
                    "$ref, allOf, anyOf, oneOf, not, if/then/else); simplify it"
                )
            fanout[id(here)] = total
    return None


def _same_value(
    node: dict[str, Any], root: Any, named: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The subschemas of ``node`` applied to the value ``node`` is applied to (a ``$ref``
    followed within the document: a local pointer, or an absolute ``$id`` in it)."""
    found: list[dict[str, Any]] = []
    ref = node.get("$ref")
    if isinstance(ref, str):
        base, _, fragment = ref.partition("#")
        target = _pointer(named.get(base) if base else root, fragment)
        if isinstance(target, dict):
            found.append(target)
    for key in _SAME_VALUE_LISTS:
        if isinstance(node.get(key), list):
            found += [s for s in node[key] if isinstance(s, dict)]
    for key in _SAME_VALUE_ONE:
        if isinstance(node.get(key), dict):
            found.append(node[key])
    if isinstance(node.get("dependencies"), dict):
        found += [s for s in node["dependencies"].values() if isinstance(s, dict)]
    return found


def _pointer(root: Any, pointer: str) -> Any:
    """What a JSON pointer (``/definitions/a``) names in ``root``, or ``None``."""
    if not pointer or root is None:
        return root
    if not pointer.startswith("/"):
        return None  # a plain-name fragment: not resolved here (jsonschema may)
    here = root
    for part in pointer[1:].split("/"):
        part = unquote(part).replace("~1", "/").replace("~0", "~")
        if isinstance(here, dict) and part in here:
            here = here[part]
        elif isinstance(here, list) and part.isdigit() and int(part) < len(here):
            here = here[int(part)]
        else:
            return None
    return here


def behavior_from_dict(raw: dict[str, Any]) -> Behavior:
    """A behaviour from its four keys (defaults filled in: the registry does that for
    ``sim_define_target``, and a snapshot stores all four)."""
    return Behavior(
        start_after_ms=seconds_to_ms(raw["start_after_seconds"]),
        run_ms=seconds_to_ms(raw["run_seconds"]),
        exit_codes=tuple(int(c) for c in raw["exit_codes"]),
        events=tuple(raw.get("events", ())),  # none unless given
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
    from jsonschema import Draft7Validator  # on first use: see registry._draft7

    return Target(
        name=name,
        description=description,
        input_schema=input_schema,
        output_schema=output_schema,
        behavior=behavior,
        validator=Draft7Validator(input_schema) if input_schema is not None else None,
    )


@handler(
    "sim_define_target",
    effect="global",
    args={
        "name": NonBlank(),
        "behavior.start_after_seconds": Seconds(hi=MAX_SECONDS),
        "behavior.run_seconds": Seconds(hi=MAX_SECONDS),
    },
)
def sim_define_target(world: World, args: dict[str, Any]) -> dict[str, Any]:
    target = make_target(
        args["name"],
        args.get("description"),
        _checked_schema(args, "input_schema"),
        _checked_schema(args, "output_schema"),
        behavior_from_dict(args["behavior"]) if "behavior" in args else None,
    )
    world.targets[target.name] = target
    return target_dict(target)


@handler("get_job_target", effect="read")
def get_job_target(world: World, args: dict[str, Any]) -> dict[str, Any]:
    world.project(args["project_reference"])
    name: str = args["target_name"]
    target = world.targets.get(name)
    if target is None:
        raise not_found("target", name)
    return target_dict(target)
