"""Argument rules a JSON Schema does not express, as data.

A handler declares them with :func:`jobsim.registry.handler` (``args={...}``);
:meth:`jobsim.registry.ToolSpec.run` applies them after the input schema and
before the handler, so every ``invalid_arguments`` comes before any ``not_found``
or ``conflict`` and the handler gets normalised values. A range a rule leaves
open (``None``) is the one the tool's schema states.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from jobsim.bounds import MAX_DEPTH, is_plain_json, json_problem
from jobsim.errors import invalid
from jobsim.ids import is_uuid

__all__ = ["Anchored", "Json", "NonBlank", "Rule", "Seconds", "Uuid", "Whole", "finite_json"]


@dataclass(frozen=True)
class Rule:
    """One argument's rule: :meth:`apply` returns the normalised value or raises
    ``invalid_arguments`` naming ``field``. ``lo``/``hi`` bound numbers."""

    lo: float | None = None
    hi: float | None = None

    @property
    def accepted(self) -> str:  # pragma: no cover - every rule says its own
        """What the rule accepts, in words (for messages)."""
        raise NotImplementedError

    @property
    def summary(self) -> str:
        """The rule in a few words, for the tool reference."""
        return self.accepted

    def apply(self, field: str, value: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Whole(Rule):
    """A whole number in ``lo..hi``; ``3.0`` is taken as 3, ``3.5`` is refused."""

    @property
    def accepted(self) -> str:
        return _range(self.lo, self.hi)

    @property
    def summary(self) -> str:
        return f"a whole number {self.accepted}"

    def apply(self, field: str, value: Any) -> int:
        if isinstance(value, float):
            if not value.is_integer():
                raise invalid(
                    field,
                    f"{value!r} is not a whole number; expected one {self.accepted}",
                    value=value,
                )
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):  # pragma: no cover - schema
            raise invalid(field, f"{value!r} is not a whole number", value=value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise invalid(
                field,
                f"{value} is out of range; expected a whole number {self.accepted}",
                value=value,
            )
        return value


@dataclass(frozen=True)
class Seconds(Rule):
    """A finite number of seconds in ``lo..hi`` (a fraction is fine)."""

    @property
    def accepted(self) -> str:
        return _range(self.lo, self.hi) + " seconds"

    def apply(self, field: str, value: Any) -> Any:
        if not math.isfinite(value * 1000):
            raise invalid(field, f"{value!r} is not a finite number of seconds")
        if self.hi is not None and value > self.hi:
            raise invalid(
                field,
                f"{value!r} is out of range; expected at most {self.hi} seconds "
                "(the clock ends with the year 9999)",
            )
        return value


@dataclass(frozen=True)
class NonBlank(Rule):
    """A string that is not empty or only white space."""

    @property
    def accepted(self) -> str:
        return "not blank"

    def apply(self, field: str, value: Any) -> str:
        if not value.strip():
            raise invalid(field, "must be a non-empty string", value=value)
        return str(value)


@dataclass(frozen=True)
class Uuid(Rule):
    """A canonical lowercase UUID (jobsim's own ids, and ``format: uuid``)."""

    @property
    def accepted(self) -> str:
        return "a canonical lowercase UUID"

    def apply(self, field: str, value: Any) -> Any:
        if value is not None and not is_uuid(value):
            raise invalid(
                field,
                f"{value!r} is not a canonical lowercase UUID "
                "(e.g. '0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e')",
                value=value,
            )
        return value


@dataclass(frozen=True)
class Json(Rule):
    """A JSON value: finite numbers, string keys, nested at most ``MAX_DEPTH`` levels."""

    @property
    def accepted(self) -> str:
        return f"JSON, at most {MAX_DEPTH} levels deep"

    def apply(self, field: str, value: Any) -> Any:
        if not is_plain_json(value):
            _json_only(field, value)  # says what is wrong (the registry checked the bounds)
        return value


@dataclass(frozen=True)
class Anchored(Rule):
    """A string the schema's ``pattern`` matches with nothing after its end: in
    Python's regular expressions ``$`` also matches before one final newline."""

    pattern: str = ""

    @property
    def accepted(self) -> str:
        return "no trailing newline"

    def apply(self, field: str, value: Any) -> Any:
        if value.endswith("\n"):
            raise invalid(
                field,
                f"{value!r} ends with a newline; expected a string matching {self.pattern}",
                value=value,
            )
        return value


def _range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"from {lo} to {hi}"
    if lo is not None:
        return f">= {lo}"
    return "" if hi is None else f"<= {hi}"


def finite_json(key: str, value: Any) -> None:
    """Refuse what is not JSON anywhere in ``value`` — NaN, infinities, non-string keys,
    other Python objects — and what is past :mod:`jobsim.bounds` (nesting, huge
    integers). Iterative, so any depth is refused, never a ``RecursionError``."""
    if is_plain_json(value):
        return
    bound = json_problem(value)
    if bound is not None:
        raise invalid(key, f"{bound.what} (at {bound.path or 'the top'})", path=bound.path)
    _json_only(key, value)


def _json_only(key: str, value: Any) -> None:
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        where = path or "the top"
        if isinstance(item, float):
            if not math.isfinite(item):
                raise invalid(key, f"{item!r} at {where} is not a finite number", path=path)
        elif isinstance(item, dict):
            for k, v in reversed(item.items()):
                if not isinstance(k, str):
                    raise invalid(key, f"key {k!r} at {where} is not a string", path=path)
                stack.append((v, f"{path}.{k}" if path else str(k)))
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(item))))
        elif item is not None and not isinstance(item, str | int):  # bool is an int
            raise invalid(
                key,
                f"{item!r} at {where} is not a JSON value; expected null, "
                "true/false, a number, a string, an array or an object",
                path=path,
            )
