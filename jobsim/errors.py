"""The one exception every tool raises: :class:`ToolError`.

A ``ToolError`` says what was wrong and what would be accepted. Its ``code`` is one
of :data:`ERROR_CODES`; ``details`` carries the machine-readable parts (the field,
the offending value, the allowed values) for callers that branch on them.
"""

from __future__ import annotations

import json
import math
from typing import Any

from jobsim.bounds import MAX_DEPTH, MAX_JSON_NUMBER

__all__ = ["ERROR_CODES", "ToolError", "conflict", "invalid", "json_safe", "not_found"]

#: Every code a tool can fail with. The first three come from the rules of the
#: tools; the last three only from injected faults (``sim_inject_fault``).
ERROR_CODES = (
    "invalid_arguments",
    "not_found",
    "conflict",
    "rate_limited",
    "unavailable",
    "internal",
)


class ToolError(Exception):
    """A tool call was refused; nothing in the simulator changed.

    ``str(error)`` is ``"<code>: <message>"``.
    """

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        if code not in ERROR_CODES:
            raise ValueError(
                f"unknown error code {code!r}; expected one of {', '.join(ERROR_CODES)}"
            )
        super().__init__(code, message)
        self.code = code
        self.message = message
        # details often carry the offending value, which may be anything a Python
        # caller passed (NaN, a set): kept as JSON, so every error can go on the wire
        self.details: dict[str, Any] = json_safe(details) if details else {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"ToolError({self.code!r}, {self.message!r})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able form used by the transcript and the MCP adapter."""
        return {"code": self.code, "message": self.message, "details": dict(self.details)}


def json_safe(value: Any) -> Any:
    """A JSON copy of ``value``, whatever a Python caller passed: what is not JSON (a
    set, bytes, NaN, a non-string key) becomes a string saying so, ``"<not JSON: set>"``.
    Used for what a refused call carried, which must stay JSON like everything else;
    what nests past ``MAX_DEPTH`` or is past ``MAX_JSON_NUMBER`` is cut the same way."""
    return _jsonable(value, 0)


def _jsonable(value: Any, level: int) -> Any:
    # Deterministic: no repr() of arbitrary objects (addresses, set order by hash seed).
    if isinstance(value, int) and abs(value) > MAX_JSON_NUMBER:
        return "<not JSON: a number too large>"  # which json.dumps may not even write
    if value is None or isinstance(value, str | int):  # bool is an int
        return value
    if isinstance(value, float):
        # NaN and the infinities are not JSON (and NaN is not even equal to itself)
        return value if math.isfinite(value) else f"<not JSON: {value!r}>"
    if isinstance(value, dict | list | tuple) and level > MAX_DEPTH:
        # as deep as any accepted argument, and no deeper: a snapshot must restore
        return f"<not JSON: nested more than {MAX_DEPTH} levels>"
    if isinstance(value, dict):
        return {_key(k): _jsonable(v, level + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, level + 1) for v in value]
    return f"<not JSON: {type(value).__name__}>"


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, int | float):
        return json.dumps(key)  # the key json.dumps would write
    return f"<not JSON: {type(key).__name__}>"


def invalid(field: str, message: str, **details: Any) -> ToolError:
    """An ``invalid_arguments`` error about ``field``."""
    return ToolError("invalid_arguments", f"{field}: {message}", {"field": field, **details})


def not_found(kind: str, ident: str) -> ToolError:
    """A ``not_found`` error, worded the same whether the id is missing or foreign."""
    return ToolError("not_found", f"{kind} {ident!r} not found", {"kind": kind, "id": ident})


def conflict(message: str, **details: Any) -> ToolError:
    """A ``conflict`` error: the request is well formed but the state forbids it."""
    return ToolError("conflict", message, details)
