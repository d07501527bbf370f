"""Checks of the spec's argument rules that a JSON Schema does not express.

They run after the input schema and before any lookup, so every
``invalid_arguments`` comes before any ``not_found`` or ``conflict``.
"""

from __future__ import annotations

import math
from typing import Any

from jobsim.errors import invalid
from jobsim.ids import is_uuid

__all__ = ["finite_json", "limit", "non_empty", "optional_uuid", "whole"]


def whole(args: dict[str, Any], key: str, default: int, lo: int, hi: int | None = None) -> int:
    """A whole number in ``lo..hi``; ``3.0`` is taken as 3, ``3.5`` is refused."""
    value = args.get(key, default)
    accepted = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
    if isinstance(value, float):
        if not value.is_integer():
            raise invalid(
                key, f"{value!r} is not a whole number; expected one {accepted}", value=value
            )
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):  # pragma: no cover - schema
        raise invalid(key, f"{value!r} is not a whole number", value=value)
    if value < lo or (hi is not None and value > hi):
        raise invalid(
            key, f"{value} is out of range; expected a whole number {accepted}", value=value
        )
    return value


def limit(args: dict[str, Any], default: int, hi: int) -> int:
    """A page size."""
    return whole(args, "limit", default, 1, hi)


def non_empty(args: dict[str, Any], key: str) -> str:
    value: str = args[key]
    if not value.strip():
        raise invalid(key, "must be a non-empty string", value=value)
    return value


def optional_uuid(args: dict[str, Any], key: str) -> str | None:
    value: str | None = args.get(key)
    if value is not None and not is_uuid(value):
        raise invalid(
            key,
            f"{value!r} is not a canonical lowercase UUID "
            "(e.g. '0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e')",
            value=value,
        )
    return value


def finite_json(key: str, value: Any, path: str = "") -> None:
    """Refuse NaN and infinities anywhere in a JSON value: they are not JSON."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise invalid(
                key, f"{value!r} at {path or 'the top'} is not a finite number", path=path
            )
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise invalid(key, f"key {k!r} at {path or 'the top'} is not a string", path=path)
            finite_json(key, v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            finite_json(key, v, f"{path}[{i}]")
    elif value is not None and not isinstance(value, str | int):  # bool is an int
        raise invalid(
            key,
            f"{value!r} at {path or 'the top'} is not a JSON value; expected null, "
            "true/false, a number, a string, an array or an object",
            path=path,
        )
