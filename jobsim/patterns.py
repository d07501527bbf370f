"""Refusing ``pattern`` regexes that Python's backtracking engine can take exponential
time on (issue 12 item 6: ``^(a+)+$`` took seconds on a 27-character string).

Target ``input_schema`` patterns run in :mod:`re`, whose matcher backtracks: a
repeated group that can match the same text in more than one way (``(a+)+``,
``(a|ab)*``, ``(\\d{1,3}\\.){3}``) tries every way before it gives up. This module
finds such a repeat in the parsed pattern so that ``sim_define_target`` can refuse
it up front; see docs/decisions.md for why a check and not another regex engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

__all__ = ["ambiguous_repeat", "schema_patterns"]

_REPEATS = frozenset({c.MAX_REPEAT, c.MIN_REPEAT})

# Draft-07 keywords whose value is a schema, a list of schemas, or a map to schemas:
# the walk follows only these, so a "pattern" inside enum, const or default is data.
_ONE = (
    "additionalItems",
    "additionalProperties",
    "contains",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
)
_MANY = ("allOf", "anyOf", "oneOf", "items")
_MAP = ("definitions", "dependencies", "patternProperties", "properties")


def schema_patterns(schema: Any) -> Iterator[tuple[str, str]]:
    """Every regex of a draft-07 schema: ``(where, pattern)`` for each ``pattern``
    keyword and each ``patternProperties`` key. Iterative, so depth costs no stack."""
    stack: list[tuple[str, Any]] = [("", schema)]
    while stack:
        where, node = stack.pop()
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("pattern"), str):
            yield _at(where, "pattern"), node["pattern"]
        for key in _ONE:
            if key in node:
                stack.append((_at(where, key), node[key]))
        for key in _MANY:
            if isinstance(node.get(key), list):
                stack.extend((f"{_at(where, key)}[{i}]", s) for i, s in enumerate(node[key]))
        for key in _MAP:
            if isinstance(node.get(key), dict):
                for name, sub in node[key].items():
                    if key == "patternProperties":
                        yield _at(where, key), name
                    stack.append((_at(where, f"{key}.{name}"), sub))


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def ambiguous_repeat(pattern: str) -> str | None:
    """Why ``pattern`` can take exponential time, or ``None`` when it cannot by this
    rule: a repeat that may run more than once (``+``, ``*``, ``{2,}``, ``{3}``...)
    around a part of variable length (another repeat with ``min < max``) or an
    alternation (``|``) — the shape of every classic catastrophic-backtracking
    pattern. Character classes (``[ab]+``, ``(?:a|b)+``) are single steps and fine.
    A pattern that does not compile is left to the schema check to word."""
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    stack: list[tuple[Any, str | None]] = [(parsed, None)]  # (subpattern, outer repeat)
    while stack:
        items, outer = stack.pop()
        for op, av in items:
            if op in _REPEATS:
                low, high, body = av
                if outer is not None and low != high:
                    return f"a repeat of variable length inside the repeat {outer}"
                stack.append((body, outer or (_shown(low, high) if high > 1 else None)))
            elif op is c.BRANCH:
                if outer is not None:
                    return f"an alternation (|) inside the repeat {outer}"
                stack.extend((branch, outer) for branch in av[1])
            elif op is c.SUBPATTERN:
                stack.append((av[3], outer))
            elif op is c.POSSESSIVE_REPEAT or op is c.ATOMIC_GROUP:
                # Matched once and never given back: one step for the repeats around
                # it, and checked afresh inside.
                stack.append((av[2] if op is c.POSSESSIVE_REPEAT else av, None))
            elif op in (c.ASSERT, c.ASSERT_NOT):
                stack.append((av[1], outer))
            elif op is c.GROUPREF_EXISTS:
                stack.extend((part, outer) for part in av[1:] if part is not None)
    return None


def _shown(low: int, high: int) -> str:
    if high == c.MAXREPEAT:
        return {0: "*", 1: "+"}.get(low, f"{{{low},}}")
    return f"{{{low}}}" if low == high else f"{{{low},{high}}}"
