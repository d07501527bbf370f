"""Job records that keep every lifecycle rule: one draw per shape of
:data:`jobsim.lifecycle.SHAPES`, with the timeline the shape allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from jobsim.checkers import JOB_KEYS, job_record_problems
from jobsim.clock import LAST_MS, format_ms, parse_ms
from jobsim.lifecycle import (
    BACKOFF_LIMIT_EXCEEDED,
    DEADLINE_EXCEEDED,
    MAX_BACKOFF,
    SHAPES,
    STATUSES,
    Shape,
    backoff_ms,
)
from jobsim.testing.strategies.pins import (
    _CREATED,
    _GAP,
    _backoffs,
    _check_pins,
    _fields,
    _nullable,
    _pin,
    _timeouts,
)
from jobsim.testing.strategies.values import _START_MS, configs, names, targets, uuids

__all__ = ["job_records"]

SearchStrategy = st.SearchStrategy


def _min_backoff_ms(backoff_limit: int) -> int:
    """The shortest time from start to BackoffLimitExceeded: every attempt ends at once,
    every backoff is waited out."""
    return _MIN_BACKOFF[backoff_limit]


_MIN_BACKOFF: Final = tuple(
    sum(backoff_ms(n) for n in range(1, k + 1)) for k in range(MAX_BACKOFF + 1)
)


def _most_retries(timeout_seconds: int) -> int:
    """The largest backoff_limit whose retries fit before the deadline."""
    return max(n for n in range(MAX_BACKOFF + 1) if _MIN_BACKOFF[n] < timeout_seconds * 1000)


def _exit_fits(code: Any, codes: range | None) -> bool:
    """Whether a pinned ``exit_code`` (already schema-checked) is one ``codes`` allows
    (None: only null)."""
    if codes is None or code is None:
        return code is None and codes is None
    return isinstance(code, int | float) and code == int(code) and int(code) in codes


def _job_kinds(status: str | Iterable[str] | None, fixed: Mapping[str, Any]) -> list[Shape]:
    """The shapes of :data:`~jobsim.lifecycle.SHAPES` that ``status`` and the pins allow."""
    wanted = (
        STATUSES if status is None else ((status,) if isinstance(status, str) else tuple(status))
    )
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise InvalidArgument(
            f"job_records: unknown status {unknown[0]!r}; expected one of {', '.join(STATUSES)}"
        )
    kinds = []
    for shape in SHAPES:
        if shape.status not in wanted:
            continue
        if "failed_reason" in fixed and fixed["failed_reason"] != shape.reason:
            continue
        if "exit_code" in fixed and not _exit_fits(fixed["exit_code"], shape.exit_codes):
            continue
        if "started_at" in fixed and (fixed["started_at"] is not None) != shape.started:
            continue
        if "completed_at" in fixed and (fixed["completed_at"] is not None) != shape.terminal:
            continue
        if (
            shape.reason == BACKOFF_LIMIT_EXCEEDED
            and "timeout_seconds" in fixed
            and "backoff_limit" in fixed
            and _min_backoff_ms(int(fixed["backoff_limit"])) >= fixed["timeout_seconds"] * 1000
        ):
            continue
        kinds.append(shape)
    if not kinds:
        pins = ", ".join(f"{k}={v!r}" for k, v in sorted(fixed.items()))
        raise InvalidArgument(
            f"job_records: no job record with status {status!r} and {pins} keeps the "
            "lifecycle rules (SPEC section 4)"
        )
    return kinds


def _job_fields(fixed: Mapping[str, Any]) -> dict[str, SearchStrategy[Any]]:
    return _fields(
        fixed,
        id=uuids(),
        project_id=uuids(),
        environment_id=_nullable(uuids()),
        branch_id=_nullable(uuids()),
        cron_job_id=_nullable(uuids()),
        batch_id=_nullable(uuids()),
        name=names(),
        target=targets(),
        config=configs(),
    )


@st.composite
def _job_record(
    draw: st.DrawFn,
    kinds: list[Shape],
    fixed: Mapping[str, Any],
    fields: Mapping[str, SearchStrategy[Any]],
) -> dict[str, Any]:
    shape = draw(st.sampled_from(kinds))
    started, ended, reason = shape.started, shape.terminal, shape.reason
    if reason == BACKOFF_LIMIT_EXCEEDED:
        if "backoff_limit" in fixed:
            backoff = int(fixed["backoff_limit"])
            timeout = draw(
                _timeouts(_pin(fixed, "timeout_seconds"), _MIN_BACKOFF[backoff] // 1000 + 1)
            )
        else:
            timeout = draw(_timeouts(_pin(fixed, "timeout_seconds")))
            backoff = draw(_backoffs(None, _most_retries(timeout)))
    else:
        timeout = draw(_timeouts(_pin(fixed, "timeout_seconds")))
        backoff = draw(_backoffs(_pin(fixed, "backoff_limit")))
    deadline = timeout * 1000

    # Offsets of each timestamp from created_at.
    offsets = {"created_at": 0}
    if started:
        offsets["started_at"] = draw(_GAP)
    if not ended:
        if started:  # working: any time before the deadline
            offsets["updated_at"] = offsets["started_at"] + draw(st.integers(0, deadline - 1))
    elif reason == DEADLINE_EXCEEDED:
        offsets["completed_at"] = offsets["started_at"] + deadline
    elif reason == BACKOFF_LIMIT_EXCEEDED:
        low = _min_backoff_ms(backoff)
        offsets["completed_at"] = offsets["started_at"] + draw(st.integers(low, deadline - 1))
    elif started:  # completed, or canceled while running: before the deadline
        offsets["completed_at"] = offsets["started_at"] + draw(st.integers(0, deadline - 1))
    else:  # canceled before it started
        offsets["completed_at"] = draw(_GAP)
    if ended:
        offsets["updated_at"] = offsets["completed_at"]
    offsets.setdefault("updated_at", 0)

    # Anchor the timeline on the first pinned timestamp, else draw it.
    anchor = next((k for k in offsets if fixed.get(k) is not None), None)
    if anchor is None:
        base = _START_MS + draw(_CREATED)
    else:
        base = parse_ms(fixed[anchor]) - offsets[anchor]
    times = {k: base + off for k, off in offsets.items()}
    assume(all(0 <= t <= LAST_MS for t in times.values()))

    codes = shape.exit_codes
    if codes is None:
        exit_code: int | None = None
    elif "exit_code" in fixed:
        exit_code = fixed["exit_code"]
    elif len(codes) == 1:
        exit_code = codes[0]
    else:
        exit_code = draw(st.integers(codes[0], codes[-1]))

    drawn = {k: draw(s) for k, s in fields.items()}
    record = {
        **drawn,
        "status": shape.status,
        "timeout_seconds": timeout,
        "backoff_limit": backoff,
        "exit_code": exit_code,
        "failed_reason": reason,
        "started_at": format_ms(times["started_at"]) if started else None,
        "completed_at": format_ms(times["completed_at"]) if ended else None,
        "created_at": format_ms(times["created_at"]),
        "updated_at": format_ms(times["updated_at"]),
    }
    record.update(fixed)
    out = {k: record[k] for k in JOB_KEYS}
    # Several pinned timestamps may contradict each other; one pinned never does.
    assume(not job_record_problems(out))
    return out


def job_records(
    status: str | Iterable[str] | None = None, **fixed: Any
) -> SearchStrategy[dict[str, Any]]:
    """Job records (the 18-key record of ``get_job``) that keep every lifecycle rule.

    ``status`` is one status or several (default: any). ``**fixed`` pins fields,
    e.g. ``job_records("failed", failed_reason="DeadlineExceeded", batch_id=b)``;
    the unpinned lifecycle fields are drawn to agree with the pins (pin
    ``exit_code=3`` and you get a ``BackoffLimitExceeded`` failure). Pins that no
    valid record has raise :class:`hypothesis.errors.InvalidArgument` at once.

    The records validate against the output schema of ``get_job`` and pass
    :func:`jobsim.testing.job_record_problems`: ``created_at ≤ started_at ≤
    completed_at``; ``started_at`` null iff the job never ran; ``completed_at`` set
    iff terminal, and then equal to ``updated_at``; ``exit_code`` 0 when completed,
    1-255 when failed by ``BackoffLimitExceeded`` (after at least the backoffs of
    ``backoff_limit`` retries, before the deadline), null otherwise;
    ``DeadlineExceeded`` exactly ``timeout_seconds`` after ``started_at``.
    """
    _check_pins("get_job", fixed, "job_records")
    return _job_record(_job_kinds(status, fixed), dict(fixed), _job_fields(fixed))
