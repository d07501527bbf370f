"""What the record strategies share: pins checked against the output schemas,
the timeline's draws, and the defaults of ``timeout_seconds`` and ``backoff_limit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from jsonschema import Draft7Validator

from jobsim.checkers import TIMESTAMP
from jobsim.clock import DEFAULT_START
from jobsim.lifecycle import DEFAULT_BACKOFF, DEFAULT_TIMEOUT, MAX_BACKOFF
from jobsim.registry import TOOLS
from jobsim.testing.strategies.values import _DAY_MS

SearchStrategy = st.SearchStrategy


def _check_pins(tool: str, fixed: Mapping[str, Any], what: str) -> None:
    """Pinned fields must be fields of the record, and valid against their schema."""
    props: dict[str, Any] = TOOLS[tool].output_schema["properties"]
    unknown = sorted(set(fixed) - set(props))
    if unknown:
        raise InvalidArgument(
            f"{what}: unknown field(s) {', '.join(map(repr, unknown))}; "
            f"the record has {', '.join(props)}"
        )
    for key, value in fixed.items():
        error = next(iter(Draft7Validator(props[key]).iter_errors(value)), None)
        if error is not None:
            raise InvalidArgument(f"{what}: {key}={value!r} breaks the schema: {error.message}")
        if key.endswith("_at") and isinstance(value, str) and not TIMESTAMP.match(value):
            raise InvalidArgument(
                f"{what}: {key}={value!r} is not a timestamp like {DEFAULT_START!r}"
            )


@cache
def _nullable(strategy: SearchStrategy[Any]) -> SearchStrategy[Any]:
    # None first: shrinks toward null.
    return st.one_of(st.none(), strategy)


def _fields(
    fixed: Mapping[str, Any], **strategies: SearchStrategy[Any]
) -> dict[str, SearchStrategy[Any]]:
    return {k: (st.just(fixed[k]) if k in fixed else s) for k, s in strategies.items()}


@cache
def _timeouts(pinned: int | None, at_least: int = 1) -> SearchStrategy[int]:
    if pinned is not None:
        return st.just(pinned)
    some = st.integers(at_least, at_least + 30 * 86_400)
    return st.one_of(st.just(DEFAULT_TIMEOUT), some) if at_least <= DEFAULT_TIMEOUT else some


@cache
def _backoffs(pinned: int | None, at_most: int = MAX_BACKOFF) -> SearchStrategy[int]:
    if pinned is not None:
        return st.just(pinned)
    some = st.integers(0, at_most)
    return st.one_of(st.just(DEFAULT_BACKOFF), some) if at_most >= DEFAULT_BACKOFF else some


def _pin(fixed: Mapping[str, Any], key: str) -> int | None:
    return None if key not in fixed else int(fixed[key])


_GAP = st.integers(0, 3 * _DAY_MS)
_CREATED = st.integers(0, 730 * _DAY_MS)
