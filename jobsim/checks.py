"""Compiled input checks: the registry's draft-07 subset turned into Python closures.

``compile_schema(schema)`` returns a predicate that is true exactly when
``Draft7Validator(schema).is_valid(instance)`` is, only faster: it is the accept
path of :meth:`jobsim.registry.ToolSpec.run` (input schemas) and of
:func:`jobsim.testing.schema_problems` (output schemas). jsonschema stays the reference —
a value the predicate refuses is run through jsonschema again for the error
message, and ``validate_outputs=True`` uses jsonschema only.
``tests/test_checks_equivalence.py`` proves the two agree for every tool.

The subset is what the shipped input schemas use: ``type`` (one name or a list),
``properties``, ``required``, ``additionalProperties`` (a boolean or a schema),
``enum`` of strings, ``minimum``, ``maximum``, ``minLength``, ``pattern``,
``items`` (one schema), ``minItems``, ``anyOf``, boolean schemas, and the
annotations jsonschema does not assert (``description``, ``default``, ``format``
without a format checker, ...). A schema using anything else compiles to
jsonschema's own ``is_valid``, so the predicate is never wrong, only slower.

Each keyword keeps jsonschema's exact semantics: a keyword only applies to the
types it is about (``minimum`` ignores strings), ``integer`` accepts ``3.0``,
``bool`` is neither ``integer`` nor ``number``, and a comparison with NaN does
not fail ``minimum``/``maximum`` (jsonschema tests ``x < minimum``).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any

from jsonschema import Draft7Validator

__all__ = ["Check", "compile_schema"]

Check = Callable[[Any], bool]

#: Keywords jsonschema's Draft7Validator does not assert (it has no format checker
#: unless given one), so a check may ignore them.
_ANNOTATIONS = frozenset(
    {"$schema", "$comment", "title", "description", "default", "examples", "format"}
)
_SUPPORTED = _ANNOTATIONS | {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "pattern",
    "items",
    "minItems",
    "anyOf",
}


class _Unsupported(Exception):
    """The schema leaves the compiled subset; jsonschema checks it instead."""


def compile_schema(schema: Any) -> Check:
    """A predicate equal to ``Draft7Validator(schema).is_valid``."""
    try:
        return _compile(schema)
    except _Unsupported:
        return Draft7Validator(schema).is_valid


def _accept(_: Any) -> bool:
    return True


def _reject(_: Any) -> bool:
    return False


# -- types, as jsonschema's draft-07 type checker defines them --------------------------


def _is_string(x: Any) -> bool:
    return isinstance(x, str)


def _is_object(x: Any) -> bool:
    return isinstance(x, dict)


def _is_array(x: Any) -> bool:
    return isinstance(x, list)


def _is_boolean(x: Any) -> bool:
    return isinstance(x, bool)


def _is_null(x: Any) -> bool:
    return x is None


def _is_number(x: Any) -> bool:
    t = type(x)
    if t is int or t is float:
        return True
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


def _is_integer(x: Any) -> bool:
    t = type(x)
    if t is int:
        return True
    if isinstance(x, bool):
        return False
    if isinstance(x, int):
        return True
    return isinstance(x, float) and x.is_integer()


_TYPES: dict[str, Check] = {
    "string": _is_string,
    "object": _is_object,
    "array": _is_array,
    "boolean": _is_boolean,
    "null": _is_null,
    "number": _is_number,
    "integer": _is_integer,
}


def _type_check(names: Any) -> Check:
    listed = names if isinstance(names, list) else [names]
    checks = []
    for name in listed:
        if not isinstance(name, str) or name not in _TYPES:
            raise _Unsupported(f"type {name!r}")
        checks.append(_TYPES[name])
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:  # ["T", "null"], the nullable fields of the records
        first, second = checks

        def either_type(x: Any) -> bool:
            return first(x) or second(x)

        return either_type
    alternatives = tuple(checks)

    def any_type(x: Any) -> bool:
        return any(c(x) for c in alternatives)

    return any_type


# -- the keywords, each a check that passes the types it does not concern ---------------


# Each builder below takes ``typed``: the type check when the schema's ``type`` is
# exactly that builder's type (a value of another type then fails here, and needs
# no closure of its own), or None (a value of another type passes, as the keywords
# do not concern it). Without keywords a builder returns ``typed``.


def _object_check(schema: dict[str, Any], typed: Check | None) -> Check | None:
    """``properties`` / ``required`` / ``additionalProperties`` as one pass over the keys."""
    props_schema = schema.get("properties", {})
    required = schema.get("required", [])
    extra_schema = schema.get("additionalProperties", True)
    if not isinstance(props_schema, dict) or not isinstance(required, list):
        raise _Unsupported("properties/required")
    if not all(isinstance(r, str) for r in required):
        raise _Unsupported("required")
    props = {name: _compile(sub) for name, sub in props_schema.items()}
    needed = tuple(dict.fromkeys(required))
    extra: Check | None
    if extra_schema is False:
        extra = _reject
    elif isinstance(extra_schema, dict | bool):
        extra = _compile(extra_schema)
        if extra is _accept:
            extra = None
    else:
        raise _Unsupported("additionalProperties")
    if not props and not needed and extra is None:
        return typed
    get = props.get
    other = typed is None  # the verdict on a value that is not an object
    needed_keys = frozenset(needed)

    def check_object(x: Any) -> bool:
        if not isinstance(x, dict):
            return other
        for key, value in x.items():
            check = get(key)
            if check is None:
                if extra is not None and not extra(value):
                    return False
            elif not check(value):
                return False
        if type(x) is dict:
            return x.keys() >= needed_keys
        return all(name in x for name in needed)

    return check_object


def _number_check(schema: dict[str, Any], typed: Check | None) -> Check | None:
    lo = schema.get("minimum")
    hi = schema.get("maximum")
    for bound in (lo, hi):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float)):
            raise _Unsupported("minimum/maximum")
    if ("minimum" in schema and lo is None) or ("maximum" in schema and hi is None):
        raise _Unsupported("null bound")
    if lo is None and hi is None:
        return typed
    guard = typed or _is_number
    other = typed is None

    def check_number(x: Any) -> bool:
        if not guard(x):
            return other
        # `not (x < lo)`, not `x >= lo`: NaN passes, as in jsonschema
        if lo is not None and x < lo:
            return False
        return not (hi is not None and x > hi)

    return check_number


def _string_check(schema: dict[str, Any], typed: Check | None) -> Check | None:
    min_length = schema.get("minLength")
    pattern = schema.get("pattern")
    if min_length is not None and (isinstance(min_length, bool) or not isinstance(min_length, int)):
        raise _Unsupported("minLength")
    if pattern is not None and not isinstance(pattern, str):
        raise _Unsupported("pattern")
    if ("minLength" in schema and min_length is None) or ("pattern" in schema and pattern is None):
        raise _Unsupported("null string keyword")
    if min_length is None and pattern is None:
        return typed
    search = re.compile(pattern).search if pattern is not None else None
    other = typed is None

    def check_string(x: Any) -> bool:
        if not isinstance(x, str):
            return other
        if min_length is not None and len(x) < min_length:
            return False
        # jsonschema calls re.search(pattern, x): the same compiled pattern
        return search is None or search(x) is not None

    return check_string


def _array_check(schema: dict[str, Any], typed: Check | None) -> Check | None:
    items_schema = schema.get("items", True)
    min_items = schema.get("minItems")
    if not isinstance(items_schema, dict | bool):
        raise _Unsupported("items")  # the tuple form
    if min_items is not None and (isinstance(min_items, bool) or not isinstance(min_items, int)):
        raise _Unsupported("minItems")
    if "minItems" in schema and min_items is None:
        raise _Unsupported("null minItems")
    items: Check | None = _compile(items_schema)
    if items is _accept:
        items = None
    if items is None and min_items is None:
        return typed
    other = typed is None

    def check_array(x: Any) -> bool:
        if not isinstance(x, list):
            return other
        if min_items is not None and len(x) < min_items:
            return False
        if items is not None:
            for v in x:  # a loop: all() of a generator is slower
                if not items(v):
                    return False
        return True

    return check_array


def _enum_check(values: Any) -> Check:
    if not isinstance(values, list) or not all(type(v) is str for v in values):
        raise _Unsupported("enum of anything but strings")
    members = frozenset(values)
    listed = tuple(values)

    def check_enum(x: Any) -> bool:
        if type(x) is str:
            return x in members
        # jsonschema's equal() compares a string with `==`
        return any(v == x for v in listed)

    return check_enum


def _any_of_check(subschemas: Any) -> Check:
    if not isinstance(subschemas, list) or not subschemas:
        raise _Unsupported("anyOf")
    options = tuple(_compile(s) for s in subschemas)

    def check_any_of(x: Any) -> bool:
        return any(check(x) for check in options)

    return check_any_of


def _compile(schema: Any) -> Check:
    if schema is True:
        return _accept
    if schema is False:
        return _reject
    if not isinstance(schema, dict):
        raise _Unsupported("a schema that is not an object or a boolean")
    unknown = set(schema) - _SUPPORTED
    if unknown:
        raise _Unsupported(", ".join(sorted(map(str, unknown))))
    kind = schema.get("type")
    single = kind if isinstance(kind, str) and kind in _TYPES else None
    checks: list[Check] = []
    if "type" in schema and single is None:
        checks.append(_type_check(kind))
    typed: Check | None = None
    for kinds, build in _GROUPS:
        if single in kinds:
            typed = build(schema, _TYPES[single])
        else:
            # Built even when the type rules its values out, so that a keyword
            # outside the subset still sends the schema to jsonschema.
            part = build(schema, None)
            if part is not None and single is None:
                checks.append(part)
    if single is not None:
        checks.insert(0, typed or _TYPES[single])  # boolean, null: the type alone
    if "enum" in schema:
        checks.append(_enum_check(schema["enum"]))
    if "anyOf" in schema:
        checks.append(_any_of_check(schema["anyOf"]))
    if not checks:
        return _accept
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks

        def check_both(x: Any) -> bool:
            return first(x) and second(x)

        return check_both
    every = tuple(checks)

    def check_all(x: Any) -> bool:
        for check in every:  # noqa: SIM110 - a loop: all() of a generator is slower
            if not check(x):
                return False
        return True

    return check_all


_GROUPS: tuple[
    tuple[tuple[str, ...], Callable[[dict[str, Any], Check | None], Check | None]], ...
] = (
    (("object",), _object_check),
    (("number", "integer"), _number_check),
    (("string",), _string_check),
    (("array",), _array_check),
)
