"""Fast schema checks: jsonschema-rs, judging as jsonschema judges.

:func:`compile_check` turns a JSON Schema into a predicate that is true exactly when
``jsonschema.Draft7Validator(schema).is_valid(value)`` is — for JSON values — only
about a hundred times faster (figures in ``benchmarks/README.md``). It is the
accept path of :meth:`jobsim.registry.ToolSpec.run`, of ``validate_outputs`` and of
:func:`jobsim.testing.schema_problems`; jsonschema stays the reference, deciding
what the predicate does not accept and wording every refusal.
``tests/test_checks_equivalence.py`` compares the two for every shipped schema.

Where jsonschema-rs on its own would judge differently, and what is done here:

- ``pattern``: jsonschema calls Python's ``re.search``, so ``$`` also matches before
  a final newline and ``\\s`` takes the Unicode separators ``\\x1c``-``\\x1f``;
  jsonschema-rs uses ECMA 262 regexes (``$`` only at the very end, another ``\\s``).
  The ``pattern`` keyword is replaced by one that calls ``re.search``.
- Python values JSON has no word for: jsonschema-rs takes a tuple for an array and
  a ``Decimal`` for an integer, jsonschema does not. :func:`compile_check` accepts
  only plain JSON (:func:`is_json`); :func:`compile_json_check` skips that walk, for
  values that are JSON by construction (the simulator's outputs, decoded JSON).
- NaN and the infinities are not JSON; jsonschema-rs refuses them where jsonschema
  may not, so they always go to jsonschema.
- ``format`` is not asserted by either (``validate_formats=False``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import jsonschema_rs

from jobsim.bounds import is_plain_json

__all__ = ["Check", "compile_check", "compile_json_check", "is_json"]

#: A predicate on a value: true means jsonschema accepts it too; false means "ask
#: jsonschema" (which refuses it, or accepts a value that is not plain JSON).
Check = Callable[[Any], bool]

#: At most this many values are looked at by :func:`is_json`; a larger (or cyclic)
#: value is not vouched for, and jsonschema judges it.
_MAX_JSON_NODES = 100_000


class _PythonPattern:
    """The ``pattern`` keyword as jsonschema asserts it: ``re.search`` on strings."""

    def __init__(
        self, parent_schema: dict[str, Any], value: Any, schema_path: list[str | int]
    ) -> None:
        self._search = re.compile(value).search

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and self._search(instance) is None:
            raise ValueError("does not match the pattern")


def _validator(schema: dict[str, Any] | bool) -> jsonschema_rs.Validator:
    # A custom keyword costs jsonschema-rs about half its speed on every value (a page
    # of 100: ~23 -> ~45 us), so only a schema that has a pattern gets one.
    keywords: dict[str, type[jsonschema_rs.KeywordValidator]] | None = None
    if _mentions(schema, "pattern"):
        keywords = {"pattern": _PythonPattern}
    return jsonschema_rs.Draft7Validator(schema, validate_formats=False, keywords=keywords)


def _mentions(schema: Any, keyword: str) -> bool:
    """Whether ``keyword`` is a key anywhere in ``schema`` (a property so named, too)."""
    if isinstance(schema, dict):
        return keyword in schema or any(_mentions(v, keyword) for v in schema.values())
    if isinstance(schema, list):
        return any(_mentions(v, keyword) for v in schema)
    return False


def compile_json_check(schema: dict[str, Any] | bool) -> Check:
    """A predicate equal to ``Draft7Validator(schema).is_valid`` on JSON values (dicts
    with string keys, lists, strings, finite numbers, booleans, null). It never
    raises; on other Python values it may be true where jsonschema is not (a tuple
    taken for an array), so use it only for values that are JSON by construction."""
    is_valid = _validator(schema).is_valid

    def check(value: Any) -> bool:
        try:
            return is_valid(value)
        except (ValueError, TypeError, OverflowError):  # a value it cannot convert
            return False

    return check


def compile_check(schema: dict[str, Any] | bool) -> Check:
    """A predicate on any Python value: true only when the value is plain JSON
    (:func:`is_json`) and ``Draft7Validator(schema).is_valid`` accepts it."""
    json_check = compile_json_check(schema)

    def check(value: Any) -> bool:
        return json_check(value) and is_json(value)

    return check


def is_json(value: Any) -> bool:
    """True when ``value`` is plain JSON: dicts with string keys, lists, strings, ints,
    finite floats, booleans and ``None``, of exactly those types (no subclasses),
    with at most ``_MAX_JSON_NODES`` values in all (so a cycle ends the walk). Any
    int and any nesting, as jsonschema takes them: the bounds are the registry's."""
    return is_plain_json(value, max_depth=math.inf, max_number=math.inf, max_nodes=_MAX_JSON_NODES)
