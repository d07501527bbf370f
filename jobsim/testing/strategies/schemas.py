"""Values a JSON Schema accepts, and tool arguments the input schemas accept."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from jsonschema import Draft7Validator

from jobsim.registry import TOOLS
from jobsim.testing.strategies.values import (
    _CONFIG_KEYS,
    CRON_PATTERN,
    SLUG_PATTERN,
    cron_schedules,
    json_values,
    names,
    slugs,
    targets,
    timezones,
    uuids,
)

__all__ = ["schema_values", "tool_arguments"]

SearchStrategy = st.SearchStrategy

#: Upper bound for numbers of a schema that gives no maximum (keeps calls cheap).
_SPAN: Final = 1_000_000

_SUPPORTED = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "const",
        "minimum",
        "maximum",
        "pattern",
        "format",
        "anyOf",
        "minLength",
        "maxLength",
        "items",
        "minItems",
        "maxItems",
        "description",
        "default",
        "title",
        "$schema",
    }
)


def _pattern(pattern: str) -> SearchStrategy[str]:
    if pattern == SLUG_PATTERN:
        return slugs()
    if pattern == CRON_PATTERN:
        return cron_schedules()
    return st.from_regex(pattern, fullmatch=True)


def _string_hint(name: str | None) -> SearchStrategy[str] | None:
    """Realistic strings for the argument names the tools share."""
    if name is None:
        return None
    if name == "project_reference":
        return st.one_of(slugs(), uuids())
    if name == "id" or name.endswith("_id") or name == "cursor":
        return uuids()
    if name in ("target", "target_name"):
        return targets()
    if name == "name":
        return names()
    if name == "timezone":
        return timezones()
    if name == "tool":
        return st.sampled_from(tuple(TOOLS))
    return None


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows, or None when it allows any."""
    if "anyOf" in schema:
        found: set[str] = set()
        for branch in schema["anyOf"]:
            types = _types(branch)
            if types is None:
                return None
            found |= types
        return frozenset(found)
    if "type" in schema:
        t = schema["type"]
        return frozenset([t] if isinstance(t, str) else t)
    if "enum" in schema or "const" in schema:
        return None
    return None


def schema_values(schema: Mapping[str, Any], *, name: str | None = None) -> SearchStrategy[Any]:
    """Values that ``schema`` (the subset of draft-07 the shipped schemas use) accepts.

    Understands ``type`` (one or a list), ``enum``, ``const``, ``anyOf``, objects
    (``properties``, ``required``, ``additionalProperties``), strings (``minLength``,
    ``maxLength``, ``pattern``, ``format: uuid``), numbers (``minimum``,
    ``maximum``) and arrays (``items``, ``minItems``, ``maxItems``); any other
    keyword raises :class:`NotImplementedError` rather than drawing wrong values.
    ``name`` is the property name, used to draw realistic strings (ids, targets,
    time zones). Numbers without a maximum stay within a million of their minimum.
    """
    unknown = sorted(set(schema) - _SUPPORTED)
    if unknown:
        raise NotImplementedError(f"schema keyword(s) {', '.join(unknown)} are not supported")
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    if "anyOf" in schema:
        return st.one_of([schema_values(b, name=name) for b in schema["anyOf"]])
    if "type" not in schema:
        return json_values()
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return st.one_of([_typed(t, schema, name) for t in types])


def _typed(kind: str, schema: Mapping[str, Any], name: str | None) -> SearchStrategy[Any]:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        low: float | None = schema.get("minimum")
        high: float | None = schema.get("maximum")
        lo = low if low is not None else (high - 2 * _SPAN if high is not None else -_SPAN)
        hi = high if high is not None else lo + _SPAN
        whole = st.integers(int(-(-lo // 1)), int(hi // 1))
        if kind == "integer":
            return whole
        return st.one_of(whole, st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    if kind == "string":
        min_len = schema.get("minLength", 0)
        max_len = schema.get("maxLength")
        if "pattern" in schema:
            strategy = _pattern(schema["pattern"])
        elif schema.get("format") == "uuid":
            strategy = uuids()
        else:
            hint = _string_hint(name)
            strategy = st.text(min_size=min_len, max_size=max_len) if hint is None else hint
        if min_len or max_len is not None:
            strategy = strategy.filter(
                lambda s: len(s) >= min_len and (max_len is None or len(s) <= max_len)
            )
        return strategy
    if kind == "array":
        items = schema_values(schema.get("items", {}))
        min_items = schema.get("minItems", 0)
        return st.lists(items, min_size=min_items, max_size=schema.get("maxItems", min_items + 4))
    if kind == "object":
        return _object(schema, {})
    raise NotImplementedError(f"schema type {kind!r} is not supported")


def _object(schema: Mapping[str, Any], fixed: Mapping[str, Any]) -> SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if not props:
        if extra is False:
            return st.just({})
        values = json_values() if extra is True else schema_values(extra)
        keys = st.one_of(st.sampled_from(_CONFIG_KEYS), st.text(min_size=1, max_size=12))
        return st.dictionaries(keys, values, max_size=4)
    required = set(schema.get("required", ()))
    need = {
        k: (st.just(fixed[k]) if k in fixed else schema_values(s, name=k))
        for k, s in props.items()
        if k in required or k in fixed
    }
    optional = {k: schema_values(s, name=k) for k, s in props.items() if k not in need}
    return st.fixed_dictionaries(need, optional=optional)


@cache
def _arguments(tool: str) -> SearchStrategy[dict[str, Any]]:
    return _object(TOOLS[tool].input_schema, {})


def _spec_schema(tool: str) -> dict[str, Any]:
    if tool not in TOOLS:
        raise InvalidArgument(f"unknown tool {tool!r}; known tools are {', '.join(TOOLS)}")
    schema: dict[str, Any] = TOOLS[tool].input_schema
    return schema


def tool_arguments(tool: str, **fixed: Any) -> SearchStrategy[dict[str, Any]]:
    """Arguments of ``tool`` that its input schema accepts, derived from the registry.

    Required keys always, optional keys sometimes (shrinking to none), values
    drawn by :func:`schema_values` (realistic ids, slugs, targets, cron schedules).
    ``**fixed`` pins arguments (e.g. ``project_reference="acme"``); a pin must be a
    known argument that its schema accepts. Schema-valid is not the same as
    accepted by the simulator: ids may name nothing (``not_found``), a schedule
    may be valid for the pattern only, and so on.
    """
    schema = _spec_schema(tool)
    if not fixed:
        return _arguments(tool)
    props = schema["properties"]
    for key, value in fixed.items():
        if key not in props:
            raise InvalidArgument(
                f"tool_arguments({tool!r}): unknown argument {key!r}; "
                f"accepted are {', '.join(props)}"
            )
        error = next(iter(Draft7Validator(props[key]).iter_errors(value)), None)
        if error is not None:
            raise InvalidArgument(f"tool_arguments({tool!r}): {key}={value!r}: {error.message}")
    return _object(schema, fixed)
