"""Tool arguments an input schema refuses: valid ones with exactly one violation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from jobsim.registry import TOOLS
from jobsim.testing.strategies.schemas import _arguments, _spec_schema, _types
from jobsim.testing.strategies.values import json_values

__all__ = ["VIOLATION_KINDS", "invalid_tool_arguments", "violation_kinds"]

SearchStrategy = st.SearchStrategy

#: Every kind of schema violation :func:`invalid_tool_arguments` can make.
VIOLATION_KINDS: Final = (
    "unknown_key",
    "missing_required",
    "wrong_type",
    "enum",
    "range",
    "pattern",
    "min_length",
)


def _branches(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(schema.get("anyOf", ())) or [schema]


def _candidates(schema: Mapping[str, Any], kind: str) -> list[str]:
    """The properties of ``schema`` that can carry a violation of ``kind``."""
    props: dict[str, Any] = schema.get("properties", {})
    if kind == "unknown_key":
        return ["*"] if schema.get("additionalProperties") is False else []
    if kind == "missing_required":
        return list(schema.get("required", ()))
    out = []
    for key, sub in props.items():
        branches = _branches(sub)
        if (
            (kind == "wrong_type" and _types(sub) is not None)
            or (
                kind == "enum"
                and all("enum" in b or b.get("type") == "null" for b in branches)
                and any("enum" in b for b in branches)
            )
            or (
                kind == "range"
                and _types(sub)
                and any("minimum" in b or "maximum" in b for b in branches)
            )
            or (kind == "pattern" and len(branches) == 1 and "pattern" in sub)
            or (kind == "min_length" and len(branches) == 1 and sub.get("minLength", 0) > 0)
        ):
            out.append(key)
    return out


def violation_kinds(tool: str) -> tuple[str, ...]:
    """The kinds of :data:`VIOLATION_KINDS` that ``tool``'s input schema can be broken by."""
    schema = _spec_schema(tool)
    return tuple(k for k in VIOLATION_KINDS if _candidates(schema, k))


def _wrong_values(allowed: frozenset[str]) -> SearchStrategy[Any]:
    options: list[SearchStrategy[Any]] = []
    if "string" not in allowed:
        options.append(st.text(max_size=10))
    if not allowed & {"integer", "number"}:
        options.append(st.integers(-1000, 1000))
    if "number" not in allowed:
        options.append(st.floats(-1e6, 1e6).filter(lambda x: not x.is_integer()))
    if "boolean" not in allowed:
        options.append(st.booleans())
    if "null" not in allowed:
        options.append(st.none())
    if "array" not in allowed:
        options.append(st.lists(st.integers(0, 9), max_size=2))
    if "object" not in allowed:
        options.append(st.dictionaries(st.sampled_from("ab"), st.integers(0, 9), max_size=2))
    return st.one_of(options)


def _out_of_range(sub: Mapping[str, Any]) -> SearchStrategy[Any]:
    branch = next(b for b in _branches(sub) if "minimum" in b or "maximum" in b)
    integral = branch.get("type") == "integer"
    options: list[SearchStrategy[Any]] = []
    if "minimum" in branch:
        lo = branch["minimum"]
        options.append(st.integers(int(lo) - 1_000_000, int(-(-lo // 1)) - 1))
        if not integral:
            options.append(st.floats(lo - 1e6, lo, exclude_max=True, allow_nan=False))
    if "maximum" in branch:
        hi = branch["maximum"]
        options.append(st.integers(int(hi // 1) + 1, int(hi) + 1_000_000))
        if not integral:
            options.append(st.floats(hi, hi + 1e6, exclude_min=True, allow_nan=False))
    return st.one_of(options)


@st.composite
def _invalid(draw: st.DrawFn, tool: str, kinds: tuple[str, ...]) -> dict[str, Any]:
    schema = TOOLS[tool].input_schema
    props: dict[str, Any] = schema["properties"]
    args = dict(draw(_arguments(tool)))
    kind = draw(st.sampled_from(kinds))
    if kind == "unknown_key":
        key = draw(
            st.one_of(
                st.sampled_from(("extra", "projectReference", "id_")), st.text(max_size=12)
            ).filter(lambda k: k not in props)
        )
        args[key] = draw(json_values(max_leaves=2))
        return args
    key = draw(st.sampled_from(_candidates(schema, kind)))
    sub = props.get(key, {})
    if kind == "missing_required":
        del args[key]
    elif kind == "wrong_type":
        allowed = _types(sub)
        assert allowed is not None
        args[key] = draw(_wrong_values(allowed))
    elif kind == "enum":
        allowed_values = {v for b in _branches(sub) for v in b.get("enum", ())}
        args[key] = draw(st.text(max_size=12).filter(lambda v: v not in allowed_values))
    elif kind == "range":
        args[key] = draw(_out_of_range(sub))
    elif kind == "pattern":
        regex = re.compile(sub["pattern"])
        args[key] = draw(st.text(max_size=20).filter(lambda v: regex.search(v) is None))
    else:  # min_length
        args[key] = draw(st.text(max_size=sub["minLength"] - 1))
    return args


def invalid_tool_arguments(
    tool: str, kinds: str | Iterable[str] | None = None
) -> SearchStrategy[dict[str, Any]]:
    """Arguments of ``tool`` that its input schema refuses: valid arguments with exactly
    one violation of one of ``kinds`` (default: every kind :func:`violation_kinds`
    finds for the tool). ``Simulator.call`` refuses them with ``invalid_arguments``.

    Violations are made at the top level of the arguments: an ``unknown_key``, a
    ``missing_required`` key, a ``wrong_type``, a string outside an ``enum``, a
    number out of ``range``, a string breaking a ``pattern`` or ``min_length``.
    """
    possible = violation_kinds(tool)
    if kinds is None:
        chosen = possible
    else:
        chosen = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        bad = [k for k in chosen if k not in possible]
        if bad or not chosen:
            raise InvalidArgument(
                f"invalid_tool_arguments({tool!r}): cannot make a {bad[0] if bad else 'no'!s} "
                f"violation; this tool's schema allows {', '.join(possible)}"
            )
    return _invalid(tool, chosen)
