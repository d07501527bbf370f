"""Cron job records that keep SPEC section 8: real schedules and zones, true fire
times.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cronsim import CronSim
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from jobsim import zones
from jobsim.checkers import CRON_KEYS, cron_record_problems
from jobsim.clock import LAST_MS, format_ms, from_datetime, parse_ms, to_datetime
from jobsim.lifecycle import CRON_STATUSES, DEFAULT_POLICY, POLICIES
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
from jobsim.testing.strategies.values import (
    _START_MS,
    configs,
    cron_schedules,
    names,
    targets,
    timezones,
    uuids,
)

__all__ = ["cron_records"]

SearchStrategy = st.SearchStrategy

#: The policies, the default first (where draws shrink to).
_POLICIES = (DEFAULT_POLICY, *(p for p in POLICIES if p != DEFAULT_POLICY))


def _fire_after(schedule: str, zone: str, after_ms: int, n: int) -> int:
    """The ``n``-th fire time strictly after ``after_ms`` (1-based)."""
    it = CronSim(schedule, to_datetime(after_ms).astimezone(zones.zone(zone)))
    fire = after_ms
    for _ in range(n):
        fire = from_datetime(next(it))
    return fire


def _cron_fields(
    statuses: tuple[str, ...], fixed: Mapping[str, Any]
) -> dict[str, SearchStrategy[Any]]:
    return _fields(
        fixed,
        id=uuids(),
        project_id=uuids(),
        environment_id=_nullable(uuids()),
        branch_id=_nullable(uuids()),
        name=names(),
        status=st.sampled_from(statuses),
        target=targets(),
        schedule=cron_schedules(),
        timezone=timezones(),
        config=configs(),
        timeout_seconds=_timeouts(_pin(fixed, "timeout_seconds")),
        backoff_limit=_backoffs(_pin(fixed, "backoff_limit")),
        concurrency_policy=st.sampled_from(_POLICIES),
    )


@st.composite
def _cron_record(
    draw: st.DrawFn, fixed: Mapping[str, Any], fields: Mapping[str, SearchStrategy[Any]]
) -> dict[str, Any]:
    record = {k: draw(s) for k, s in fields.items()}
    created = parse_ms(fixed["created_at"]) if "created_at" in fixed else _START_MS + draw(_CREATED)
    latest = created
    scheduled: int | None = None
    if "last_scheduled_at" in fixed:
        pinned = fixed["last_scheduled_at"]
        scheduled = None if pinned is None else parse_ms(pinned)
    elif draw(st.booleans()):
        n = draw(st.integers(1, 12))
        scheduled = _fire_after(record["schedule"], record["timezone"], created, n)
    if scheduled is not None:
        latest = max(latest, scheduled)
    succeeded = None
    if "last_successful_at" in fixed:
        succeeded = (
            None if fixed["last_successful_at"] is None else parse_ms(fixed["last_successful_at"])
        )
    elif draw(st.booleans()):
        succeeded = created + draw(_GAP)
    updated = parse_ms(fixed["updated_at"]) if "updated_at" in fixed else latest + draw(_GAP)
    assume(all(t <= LAST_MS for t in (created, latest, updated, succeeded or 0)))
    record.update(
        last_scheduled_at=None if scheduled is None else format_ms(scheduled),
        last_successful_at=None if succeeded is None else format_ms(succeeded),
        created_at=format_ms(created),
        updated_at=format_ms(updated),
    )
    out = {k: record[k] for k in CRON_KEYS}
    assume(not cron_record_problems(out))
    return out


def cron_records(
    status: str | Iterable[str] | None = None, **fixed: Any
) -> SearchStrategy[dict[str, Any]]:
    """Cron job records (the output of ``get_cron_job``) that keep SPEC section 8.

    Schedules are real cron expressions, time zones real IANA names;
    ``last_scheduled_at`` is null or a true fire time after ``created_at`` and not
    after ``updated_at``; ``last_successful_at`` null or not before ``created_at``.
    ``status`` is one of ``active``, ``paused``, ``deleting`` or several;
    ``**fixed`` pins fields.
    """
    allowed = CRON_STATUSES
    wanted = (
        allowed if status is None else ((status,) if isinstance(status, str) else tuple(status))
    )
    bad = [s for s in wanted if s not in allowed]
    if bad or not wanted:
        raise InvalidArgument(f"cron_records: status {status!r}; expected {', '.join(allowed)}")
    _check_pins("get_cron_job", fixed, "cron_records")
    return _cron_record(dict(fixed), _cron_fields(wanted, fixed))
