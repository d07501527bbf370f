"""Every bound jobsim puts on what it accepts, in one place (see docs/decisions.md).

A bound exists so that whatever a tool accepts can also be stored, snapshotted,
written as JSON and restored, and so that no argument can make a call raise
anything but a :class:`~jobsim.ToolError` or take unbounded time.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Final, NamedTuple

__all__ = [
    "MAX_DEPTH",
    "MAX_FAULT_TIMES",
    "MAX_JSON_NUMBER",
    "MAX_SCHEMA_FANOUT",
    "MAX_SECONDS",
    "Problem",
    "is_plain_json",
    "json_problem",
]

#: How deeply objects and arrays may nest in an argument (``config``, a target's
#: ``input_schema``/``output_schema``, ``behavior``): the argument's value is level 1,
#: so ``{"a": {}}`` is 2 levels. Python's recursion limit (1,000 frames) has to carry
#: every path a value takes — schema checks (about 6 frames a level), ``json.dumps``
#: of a snapshot (a few levels more), ``copy_json``, the MCP server's JSON parser
#: (``jiter``, 200 levels with the JSON-RPC envelope) — 64 leaves room for all.
MAX_DEPTH: Final = 64

#: The largest magnitude of a number in a JSON value: that of a double. A larger
#: integer reads back as infinity in most JSON parsers (it is not finite JSON), and
#: Python cannot even write one of more than 4,300 digits.
MAX_JSON_NUMBER: Final = sys.float_info.max

#: The longest duration in seconds a job or behaviour may state (``timeout_seconds``,
#: ``start_after_seconds``, ``run_seconds``): more than the clock can ever reach (it
#: ends with the year 9999, about 2.5e11 s after 1970), and small enough that seconds
#: to milliseconds is exact in a snapshot.
MAX_SECONDS: Final = 10**12

#: The most calls one injected fault may fail (``sim_inject_fault.times``): the
#: largest count every JSON reader holds exactly (a double's whole numbers).
MAX_FAULT_TIMES: Final = 2**53

#: The most subschemas a target's ``input_schema`` may apply to one value (through
#: ``$ref``, ``allOf``/``anyOf``/``oneOf``, ``not``, ``if``/``then``/``else`` and
#: schema ``dependencies``): it bounds the time a config check takes, which doubles
#: with each level of a chain like ``allOf: [{$ref: next}, {$ref: next}]``. A ``$ref``
#: cycle that never reaches a part of the value (``{"$ref": "#"}``) is refused outright.
MAX_SCHEMA_FANOUT: Final = 1000


class Problem(NamedTuple):
    """Where a value is past a bound (a dotted path; ``""`` is the value itself), what
    is wrong, and whether it is the nesting (``deep``) or a number."""

    path: str
    what: str
    deep: bool


def json_problem(value: Any, *, level: int = 1, path: str = "") -> Problem | None:
    """The first thing in ``value`` past the bounds — objects and arrays nested past
    :data:`MAX_DEPTH` levels (``value`` is at ``level``), or an integer beyond
    :data:`MAX_JSON_NUMBER` — or ``None``. ``path`` is where ``value`` is, to prefix
    the problem's path with. Iterative: it never recurses."""
    if is_plain_json(value, level):
        return None
    stack: list[tuple[Any, str, int]] = [(value, path, level)]
    while stack:
        item, path, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list | tuple):
            children = enumerate(item)
        else:
            if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_JSON_NUMBER:
                # never format such an int: one of 4,301+ digits cannot even be printed
                digits = int(item.bit_length() * 0.30103) + 1
                what = (
                    f"a whole number of about {digits} digits is out of range; "
                    f"numbers are at most {MAX_JSON_NUMBER:.17g} in magnitude"
                )
                return Problem(path, what, deep=False)
            continue
        if level > MAX_DEPTH:
            what = f"nested more than {MAX_DEPTH} levels deep; at most {MAX_DEPTH} accepted"
            return Problem(path, what, deep=True)
        for key, child in children:
            stack.append((child, f"{path}.{key}" if path else str(key), level + 1))
    return None


def is_plain_json(
    value: Any,
    level: int = 1,
    *,
    max_depth: float = MAX_DEPTH,
    max_number: float = MAX_JSON_NUMBER,
    max_nodes: float = math.inf,
) -> bool:
    """Whether ``value`` is plain JSON within the bounds: dicts with string keys, lists,
    strings, finite numbers no larger than ``max_number``, booleans and ``None``, of
    exactly those types, nested at most ``max_depth`` levels (``value`` is at
    ``level``; the nesting bound also ends a cycle) and with at most ``max_nodes``
    members of objects and arrays in all. The fast path of every check here: it
    builds no paths, so the walks that say where run only when this says no.
    :func:`jobsim.fastcheck.is_json` is this walk with a node budget instead of the
    depth and number bounds."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return _plain_scalar(value, max_number)
    # a level at a time: no level to carry per container
    budget, generation, deeper = max_nodes, level, [value]
    while deeper:
        if generation > max_depth:
            return False
        level_items, deeper = deeper, []
        for item in level_items:
            budget -= len(item)
            if budget < 0:
                return False
            if type(item) is dict:
                for key in item:
                    if type(key) is not str:
                        return False
                item = item.values()
            # `is` tests only, scalars inline: this runs on every call
            for member in item:
                kind = type(member)
                if kind is str or kind is bool or member is None:
                    continue
                if kind is int:
                    if -max_number <= member <= max_number:
                        continue
                    return False
                if kind is dict or kind is list:
                    deeper.append(member)
                elif kind is not float or member != member or member in _NOT_FINITE:
                    return False
        generation += 1
    return True


_NOT_FINITE: Final = frozenset({math.inf, -math.inf})


def _plain_scalar(value: Any, max_number: float = MAX_JSON_NUMBER) -> bool:
    kind = type(value)
    if kind is int:
        return bool(-max_number <= value <= max_number)
    if kind is float:
        return math.isfinite(value)
    return kind is str or kind is bool or value is None
