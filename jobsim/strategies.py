"""Hypothesis strategies for jobsim: records, tool arguments, and pages.

Needs the ``hypothesis`` extra (``pip install 'jobsim[hypothesis]'``).

Everything here is derived from the same registry the simulator runs on
(:data:`jobsim.registry.TOOLS`), so a strategy cannot drift from a schema:

- :func:`job_records`, :func:`cron_records`, :func:`batch_summaries` and
  :func:`pages` draw outputs that validate against the tools' output schemas *and*
  keep the lifecycle rules of SPEC section 4 (which a schema cannot say: a
  ``completed`` job has ``exit_code`` 0, ``created_at ≤ started_at ≤ completed_at``,
  ...). They shrink toward simple records: ``submitted``, empty ``config``, nulls,
  the clock's start ``2026-01-01T00:00:00.000Z``, the default timeout and backoff.
- :func:`tool_arguments` draws arguments that a tool's input schema accepts, and
  :func:`invalid_tool_arguments` arguments that it refuses, one violation at a
  time (unknown key, missing key, wrong type, value outside an enum or a range,
  pattern, length).

>>> from hypothesis import given
>>> from jobsim.strategies import job_records
>>> @given(job_records(status="failed"))
... def test_my_client_shows_failures(record): ...
"""

from __future__ import annotations

try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError as error:  # pragma: no cover - exercised without hypothesis only
    raise ImportError(
        "jobsim.strategies needs Hypothesis; install the extra with: "
        "pip install 'jobsim[hypothesis]'"
    ) from error

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, Final, cast

from cronsim import CronSim
from jsonschema import Draft7Validator

from jobsim import zones
from jobsim.clock import DEFAULT_START, format_ms, from_datetime, parse_start, to_datetime
from jobsim.lifecycle import (
    BACKOFF_LIMIT_EXCEEDED,
    DEADLINE_EXCEEDED,
    STATUSES,
    backoff_ms,
)
from jobsim.registry import TOOLS

__all__ = [
    "CRON_PATTERN",
    "SLUG_PATTERN",
    "VIOLATION_KINDS",
    "batch_summaries",
    "configs",
    "cron_records",
    "cron_schedules",
    "invalid_tool_arguments",
    "job_records",
    "json_values",
    "names",
    "page_sequences",
    "pages",
    "schema_values",
    "slugs",
    "targets",
    "timestamps",
    "timezones",
    "tool_arguments",
    "uuids",
    "violation_kinds",
]

SearchStrategy = st.SearchStrategy

#: The two patterns the shipped input schemas use.
SLUG_PATTERN: Final = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
CRON_PATTERN: Final = "^(\\S+\\s+){4}\\S+$"

#: Every kind of schema violation :func:`invalid_tool_arguments` can make.
VIOLATION_KINDS: Final = (
    "unknown_key",
    "missing_required",
    "wrong_type",
    "enum",
    "range",
    "pattern",
    "min_length",
)

_START_MS: Final = parse_start(DEFAULT_START)
_DAY_MS: Final = 86_400_000
_MAX_MS: Final = parse_start("9999-12-31T23:59:59.999Z")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
#: Upper bound for numbers of a schema that gives no maximum (keeps calls cheap).
_SPAN: Final = 1_000_000

_FAMILIES = ("task", "img", "script", "report", "etl", "ml")
_WORDS = (
    "knowledge",
    "ingest",
    "resize",
    "thumbnail",
    "backup",
    "sync",
    "crm",
    "nightly",
    "embed",
    "documents",
    "export",
    "cleanup",
)
_TARGET_EXAMPLES = (
    "task:knowledge-ingest",
    "img:resize",
    "img:thumbnail",
    "script:backup-db",
    "report:nightly",
    "etl:sync-crm",
    "ml:embed-documents",
)
_NAME_EXAMPLES = (
    "nightly report",
    "resize image",
    "ingest handbook",
    "sync contacts",
    "backup database",
    "embed documents",
)
_CONFIG_KEYS = ("source", "limit", "dry_run", "width", "height", "bucket", "locale", "tags")
_TIMEZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Kolkata",
)
_CRON_EXAMPLES = (
    "*/5 * * * *",
    "0 * * * *",
    "0 9 * * 1-5",
    "30 2 * * *",
    "0 0 1 * *",
    "15,45 * * * *",
    "* * * * *",
)
_CRON_FIELDS = (
    ("*", "*/5", "*/15", "0", "30", "0,30", "5-10"),
    ("*", "*/2", "0", "9", "9-17", "22"),
    ("*", "1", "15", "28"),
    ("*", "1", "*/3", "6-8", "JAN"),
    ("*", "1-5", "0", "6", "MON", "SAT,SUN"),
)


# -- building blocks ----------------------------------------------------------------


@cache
def uuids() -> SearchStrategy[str]:
    """Canonical lowercase UUIDs in the version-4 layout, like every jobsim id."""
    return st.uuids(version=4).map(str)


def timestamps(
    min_ms: int = _START_MS, max_ms: int = _START_MS + 730 * _DAY_MS
) -> SearchStrategy[str]:
    """Timestamps in jobsim's exact format (``2026-01-01T00:00:00.000Z``), shrinking to
    ``min_ms`` (by default the clock's start)."""
    return st.integers(min_ms, max_ms).map(format_ms)


@cache
def targets() -> SearchStrategy[str]:
    """Target names as the platform writes them: ``family:name`` (``img:resize``)."""
    made = st.builds(
        lambda family, words: f"{family}:{'-'.join(words)}",
        st.sampled_from(_FAMILIES),
        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3),
    )
    return st.one_of(st.sampled_from(_TARGET_EXAMPLES), made)


@cache
def names() -> SearchStrategy[str]:
    """Non-blank job and cron job names: realistic ones, and any printable text."""
    text = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
    ).filter(lambda s: s.strip() != "")
    return st.one_of(st.sampled_from(_NAME_EXAMPLES), text)


@cache
def slugs() -> SearchStrategy[str]:
    """Project slugs matching :data:`SLUG_PATTERN`."""
    words = st.lists(
        st.sampled_from(("acme", "demo", "shop", "docs", "api", "eu", "prod", "x1")),
        min_size=1,
        max_size=3,
    ).map("-".join)
    return st.one_of(words, st.from_regex(SLUG_PATTERN, fullmatch=True))


@cache
def timezones() -> SearchStrategy[str]:
    """IANA time zone names (shrinking to ``UTC``)."""
    return st.sampled_from(_TIMEZONES)


@cache
def cron_schedules() -> SearchStrategy[str]:
    """Five-field cron expressions that cronsim accepts and that fire at least yearly."""
    made = st.tuples(*(st.sampled_from(f) for f in _CRON_FIELDS)).map(" ".join)
    return st.one_of(st.sampled_from(_CRON_EXAMPLES), made)


@cache
def json_values(*, max_leaves: int = 8) -> SearchStrategy[Any]:
    """Any JSON value (finite numbers only), shrinking to ``None``."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=10), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@cache
def configs() -> SearchStrategy[dict[str, Any]]:
    """Job configs: objects of JSON values, shrinking to ``{}``."""
    keys = st.one_of(st.sampled_from(_CONFIG_KEYS), st.text(min_size=1, max_size=12))
    return st.dictionaries(keys, json_values(), max_size=5)


# -- timestamps and pins ------------------------------------------------------------


def _ms(value: str) -> int:
    return from_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))


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
        if key.endswith("_at") and isinstance(value, str) and not _TIMESTAMP.match(value):
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


# -- job records --------------------------------------------------------------------

# The shapes a job record can take (SPEC section 4), simplest first:
# (kind, status, started, ended, failed_reason)
_KINDS: Final = (
    ("submitted", "submitted", False, False, None),
    ("working", "working", True, False, None),
    ("completed", "completed", True, True, None),
    ("backoff_exceeded", "failed", True, True, BACKOFF_LIMIT_EXCEEDED),
    ("deadline_exceeded", "failed", True, True, DEADLINE_EXCEEDED),
    ("canceled_queued", "canceled", False, True, None),
    ("canceled_running", "canceled", True, True, None),
)


def _min_backoff_ms(backoff_limit: int) -> int:
    """The shortest time from start to BackoffLimitExceeded: every attempt ends at once,
    every backoff is waited out."""
    return _MIN_BACKOFF[backoff_limit]


_MIN_BACKOFF: Final = tuple(sum(backoff_ms(n) for n in range(1, k + 1)) for k in range(101))


def _most_retries(timeout_seconds: int) -> int:
    """The largest backoff_limit whose retries fit before the deadline."""
    return max(n for n in range(101) if _MIN_BACKOFF[n] < timeout_seconds * 1000)


def _job_kinds(status: str | Iterable[str] | None, fixed: Mapping[str, Any]) -> list[str]:
    wanted = (
        STATUSES if status is None else ((status,) if isinstance(status, str) else tuple(status))
    )
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown:
        raise InvalidArgument(
            f"job_records: unknown status {unknown[0]!r}; expected one of {', '.join(STATUSES)}"
        )
    kinds = []
    for kind, st_, started, ended, reason in _KINDS:
        if st_ not in wanted:
            continue
        if "failed_reason" in fixed and fixed["failed_reason"] != reason:
            continue
        if "exit_code" in fixed:
            code = fixed["exit_code"]
            if kind == "completed" and code != 0:
                continue
            if kind == "backoff_exceeded" and not (
                isinstance(code, int | float) and 1 <= code <= 255 and code == int(code)
            ):
                continue
            if kind not in ("completed", "backoff_exceeded") and code is not None:
                continue
        if "started_at" in fixed and (fixed["started_at"] is not None) != started:
            continue
        if "completed_at" in fixed and (fixed["completed_at"] is not None) != ended:
            continue
        if (
            kind == "backoff_exceeded"
            and "timeout_seconds" in fixed
            and "backoff_limit" in fixed
            and _min_backoff_ms(int(fixed["backoff_limit"])) >= fixed["timeout_seconds"] * 1000
        ):
            continue
        kinds.append(kind)
    if not kinds:
        pins = ", ".join(f"{k}={v!r}" for k, v in sorted(fixed.items()))
        raise InvalidArgument(
            f"job_records: no job record with status {status!r} and {pins} keeps the "
            "lifecycle rules (SPEC section 4)"
        )
    return kinds


@cache
def _timeouts(pinned: int | None, at_least: int = 1) -> SearchStrategy[int]:
    if pinned is not None:
        return st.just(pinned)
    some = st.integers(at_least, at_least + 30 * 86_400)
    return st.one_of(st.just(300), some) if at_least <= 300 else some


@cache
def _backoffs(pinned: int | None, at_most: int = 100) -> SearchStrategy[int]:
    if pinned is not None:
        return st.just(pinned)
    some = st.integers(0, at_most)
    return st.one_of(st.just(3), some) if at_most >= 3 else some


def _pin(fixed: Mapping[str, Any], key: str) -> int | None:
    return None if key not in fixed else int(fixed[key])


_GAP = st.integers(0, 3 * _DAY_MS)
_CREATED = st.integers(0, 730 * _DAY_MS)


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
    kinds: list[str],
    fixed: Mapping[str, Any],
    fields: Mapping[str, SearchStrategy[Any]],
) -> dict[str, Any]:
    from jobsim.testing import job_record_problems

    kind = draw(st.sampled_from(kinds))
    _, status, started, ended, reason = next(k for k in _KINDS if k[0] == kind)
    if kind == "backoff_exceeded":
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
    if kind == "working":
        offsets["updated_at"] = offsets["started_at"] + draw(st.integers(0, deadline - 1))
    elif kind in ("completed", "canceled_running"):
        offsets["completed_at"] = offsets["started_at"] + draw(st.integers(0, deadline - 1))
    elif kind == "backoff_exceeded":
        low = _min_backoff_ms(backoff)
        offsets["completed_at"] = offsets["started_at"] + draw(st.integers(low, deadline - 1))
    elif kind == "deadline_exceeded":
        offsets["completed_at"] = offsets["started_at"] + deadline
    elif kind == "canceled_queued":
        offsets["completed_at"] = draw(_GAP)
    if ended:
        offsets["updated_at"] = offsets["completed_at"]
    offsets.setdefault("updated_at", 0)

    # Anchor the timeline on the first pinned timestamp, else draw it.
    anchor = next((k for k in offsets if fixed.get(k) is not None), None)
    base = _START_MS + draw(_CREATED) if anchor is None else _ms(fixed[anchor]) - offsets[anchor]
    times = {k: base + off for k, off in offsets.items()}
    assume(all(0 <= t <= _MAX_MS for t in times.values()))

    if kind == "completed":
        exit_code: int | None = 0
    elif kind == "backoff_exceeded":
        exit_code = draw(st.integers(1, 255)) if "exit_code" not in fixed else fixed["exit_code"]
    else:
        exit_code = None

    drawn = {k: draw(s) for k, s in fields.items()}
    record = {
        **drawn,
        "status": status,
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
    out = {k: record[k] for k in _JOB_KEYS}
    # Several pinned timestamps may contradict each other; one pinned never does.
    assume(not job_record_problems(out))
    return out


_JOB_KEYS: Final = tuple(TOOLS["get_job"].output_schema["properties"])
_CRON_KEYS: Final = tuple(TOOLS["get_cron_job"].output_schema["properties"])


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


# -- cron records -------------------------------------------------------------------


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
        concurrency_policy=st.sampled_from(("Forbid", "Allow", "Replace")),
    )


@st.composite
def _cron_record(
    draw: st.DrawFn, fixed: Mapping[str, Any], fields: Mapping[str, SearchStrategy[Any]]
) -> dict[str, Any]:
    from jobsim.testing import cron_record_problems

    record = {k: draw(s) for k, s in fields.items()}
    created = _ms(fixed["created_at"]) if "created_at" in fixed else _START_MS + draw(_CREATED)
    latest = created
    scheduled: int | None = None
    if "last_scheduled_at" in fixed:
        scheduled = None if fixed["last_scheduled_at"] is None else _ms(fixed["last_scheduled_at"])
    elif draw(st.booleans()):
        n = draw(st.integers(1, 12))
        scheduled = _fire_after(record["schedule"], record["timezone"], created, n)
    if scheduled is not None:
        latest = max(latest, scheduled)
    succeeded = None
    if "last_successful_at" in fixed:
        succeeded = (
            None if fixed["last_successful_at"] is None else _ms(fixed["last_successful_at"])
        )
    elif draw(st.booleans()):
        succeeded = created + draw(_GAP)
    updated = _ms(fixed["updated_at"]) if "updated_at" in fixed else latest + draw(_GAP)
    assume(all(t <= _MAX_MS for t in (created, latest, updated, succeeded or 0)))
    record.update(
        last_scheduled_at=None if scheduled is None else format_ms(scheduled),
        last_successful_at=None if succeeded is None else format_ms(succeeded),
        created_at=format_ms(created),
        updated_at=format_ms(updated),
    )
    out = {k: record[k] for k in _CRON_KEYS}
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
    allowed = ("active", "paused", "deleting")
    wanted = (
        allowed if status is None else ((status,) if isinstance(status, str) else tuple(status))
    )
    bad = [s for s in wanted if s not in allowed]
    if bad or not wanted:
        raise InvalidArgument(f"cron_records: status {status!r}; expected {', '.join(allowed)}")
    _check_pins("get_cron_job", fixed, "cron_records")
    return _cron_record(dict(fixed), _cron_fields(wanted, fixed))


# -- batches ------------------------------------------------------------------------


@st.composite
def _batch_summary(draw: st.DrawFn, fixed: Mapping[str, Any]) -> dict[str, Any]:
    if "status_counts" in fixed:
        counts = dict(fixed["status_counts"])
    else:
        counts = {s: draw(st.integers(0, 40)) for s in STATUSES}
        if not any(counts.values()):
            counts["submitted"] = 1  # a batch exists from its first job
    created = _ms(fixed["created_at"]) if "created_at" in fixed else _START_MS + draw(_CREATED)
    changed = sum(counts.values()) > counts["submitted"] or sum(counts.values()) > 1
    updated = created + (draw(_GAP) if changed else 0)
    strategies = _fields(fixed, id=uuids(), project_id=uuids(), target=_nullable(targets()))
    summary = {
        "id": draw(strategies["id"]),
        "project_id": draw(strategies["project_id"]),
        "target": draw(strategies["target"]),
        "job_count": sum(counts.values()),
        "status_counts": counts,
        "created_at": format_ms(created),
        "updated_at": format_ms(updated),
        "result": None,
    }
    summary.update(fixed)
    return summary


def batch_summaries(**fixed: Any) -> SearchStrategy[dict[str, Any]]:
    """Outputs of ``get_job_batch``: ``job_count`` is the sum of ``status_counts`` (at
    least 1: a batch exists from its first job), ``created_at ≤ updated_at``,
    ``result`` null. ``**fixed`` pins fields (pin ``status_counts`` and ``job_count``
    follows)."""
    _check_pins("get_job_batch", fixed, "batch_summaries")
    if "job_count" in fixed:
        raise InvalidArgument("batch_summaries: pin status_counts; job_count is their sum")
    return _batch_summary(dict(fixed))


# -- pages --------------------------------------------------------------------------


def _newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Creation order is the drawing order: created_at descending, then that, descending.
    ranked = sorted(enumerate(items), key=lambda p: (p[1]["created_at"], p[0]), reverse=True)
    return [item for _, item in ranked]


def _page(ordered: list[dict[str, Any]], limit: int, position: int) -> dict[str, Any]:
    """The page after the item at ``position`` (-1: the first page), as the simulator
    computes it (SPEC section 7)."""
    data = ordered[position + 1 : position + 1 + limit]
    more = position + 1 + limit < len(ordered)
    prev = ordered[position - limit]["id"] if position >= 0 and position - limit >= 0 else None
    return {
        "data": data,
        "page_info": {
            "self": ordered[position]["id"] if position >= 0 else None,
            "first": None,
            "next": data[-1]["id"] if more and data else None,
            "prev": prev,
        },
    }


def _collections(
    items: SearchStrategy[dict[str, Any]] | None, min_items: int, max_items: int
) -> SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        job_records() if items is None else items,
        min_size=min_items,
        max_size=max_items,
        unique_by=lambda r: cast(str, r["id"]),
    ).map(_newest_first)


def _limits(limit: int | SearchStrategy[int] | None) -> SearchStrategy[int]:
    if limit is None:
        return st.integers(1, 100)
    if isinstance(limit, int):
        return st.just(limit)
    return limit


@st.composite
def _one_page(
    draw: st.DrawFn,
    items: SearchStrategy[dict[str, Any]] | None,
    limit: int | SearchStrategy[int] | None,
    min_items: int,
    max_items: int,
) -> dict[str, Any]:
    ordered = draw(_collections(items, min_items, max_items))
    size = draw(_limits(limit))
    position = draw(st.integers(-1, len(ordered) - 1)) if ordered else -1
    return _page(ordered, size, position)


def pages(
    items: SearchStrategy[dict[str, Any]] | None = None,
    *,
    limit: int | SearchStrategy[int] | None = None,
    min_items: int = 0,
    max_items: int = 30,
) -> SearchStrategy[dict[str, Any]]:
    """One page of a listing (``list_jobs``, ``list_job_batch_jobs``; pass
    ``items=cron_records()`` for ``list_cron_jobs``): the items after some cursor of a
    drawn collection, newest first, with the ``page_info`` the simulator would give."""
    return _one_page(items, limit, min_items, max_items)


@st.composite
def _sequence(
    draw: st.DrawFn,
    items: SearchStrategy[dict[str, Any]] | None,
    limit: int | SearchStrategy[int] | None,
    min_items: int,
    max_items: int,
) -> list[dict[str, Any]]:
    ordered = draw(_collections(items, min_items, max_items))
    size = draw(_limits(limit))
    out = [_page(ordered, size, -1)]
    while out[-1]["page_info"]["next"] is not None:
        out.append(_page(ordered, size, len(out) * size - 1))
    return out


def page_sequences(
    items: SearchStrategy[dict[str, Any]] | None = None,
    *,
    limit: int | SearchStrategy[int] | None = None,
    min_items: int = 0,
    max_items: int = 30,
) -> SearchStrategy[list[dict[str, Any]]]:
    """Every page of one drawn collection, first to last by ``next``: what a client
    paging a listing sees. Each item is on exactly one page."""
    return _sequence(items, limit, min_items, max_items)


# -- values of a JSON Schema (tool arguments) ---------------------------------------

_SUPPORTED = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "enum",
        "const",
        "minimum",
        "maximum",
        "pattern",
        "format",
        "anyOf",
        "minLength",
        "maxLength",
        "items",
        "minItems",
        "maxItems",
        "description",
        "default",
        "title",
        "$schema",
    }
)


def _pattern(pattern: str) -> SearchStrategy[str]:
    if pattern == SLUG_PATTERN:
        return slugs()
    if pattern == CRON_PATTERN:
        return cron_schedules()
    return st.from_regex(pattern, fullmatch=True)


def _string_hint(name: str | None) -> SearchStrategy[str] | None:
    """Realistic strings for the argument names the tools share."""
    if name is None:
        return None
    if name == "project_reference":
        return st.one_of(slugs(), uuids())
    if name == "id" or name.endswith("_id") or name == "cursor":
        return uuids()
    if name in ("target", "target_name"):
        return targets()
    if name == "name":
        return names()
    if name == "timezone":
        return timezones()
    if name == "tool":
        return st.sampled_from(tuple(TOOLS))
    return None


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows, or None when it allows any."""
    if "anyOf" in schema:
        found: set[str] = set()
        for branch in schema["anyOf"]:
            types = _types(branch)
            if types is None:
                return None
            found |= types
        return frozenset(found)
    if "type" in schema:
        t = schema["type"]
        return frozenset([t] if isinstance(t, str) else t)
    if "enum" in schema or "const" in schema:
        return None
    return None


def schema_values(schema: Mapping[str, Any], *, name: str | None = None) -> SearchStrategy[Any]:
    """Values that ``schema`` (the subset of draft-07 the shipped schemas use) accepts.

    Understands ``type`` (one or a list), ``enum``, ``const``, ``anyOf``, objects
    (``properties``, ``required``, ``additionalProperties``), strings (``minLength``,
    ``maxLength``, ``pattern``, ``format: uuid``), numbers (``minimum``,
    ``maximum``) and arrays (``items``, ``minItems``, ``maxItems``); any other
    keyword raises :class:`NotImplementedError` rather than drawing wrong values.
    ``name`` is the property name, used to draw realistic strings (ids, targets,
    time zones). Numbers without a maximum stay within a million of their minimum.
    """
    unknown = sorted(set(schema) - _SUPPORTED)
    if unknown:
        raise NotImplementedError(f"schema keyword(s) {', '.join(unknown)} are not supported")
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    if "anyOf" in schema:
        return st.one_of([schema_values(b, name=name) for b in schema["anyOf"]])
    if "type" not in schema:
        return json_values()
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return st.one_of([_typed(t, schema, name) for t in types])


def _typed(kind: str, schema: Mapping[str, Any], name: str | None) -> SearchStrategy[Any]:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        low: float | None = schema.get("minimum")
        high: float | None = schema.get("maximum")
        lo = low if low is not None else (high - 2 * _SPAN if high is not None else -_SPAN)
        hi = high if high is not None else lo + _SPAN
        whole = st.integers(int(-(-lo // 1)), int(hi // 1))
        if kind == "integer":
            return whole
        return st.one_of(whole, st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    if kind == "string":
        min_len = schema.get("minLength", 0)
        max_len = schema.get("maxLength")
        if "pattern" in schema:
            strategy = _pattern(schema["pattern"])
        elif schema.get("format") == "uuid":
            strategy = uuids()
        else:
            hint = _string_hint(name)
            strategy = st.text(min_size=min_len, max_size=max_len) if hint is None else hint
        if min_len or max_len is not None:
            strategy = strategy.filter(
                lambda s: len(s) >= min_len and (max_len is None or len(s) <= max_len)
            )
        return strategy
    if kind == "array":
        items = schema_values(schema.get("items", {}))
        min_items = schema.get("minItems", 0)
        return st.lists(items, min_size=min_items, max_size=schema.get("maxItems", min_items + 4))
    if kind == "object":
        return _object(schema, {})
    raise NotImplementedError(f"schema type {kind!r} is not supported")


def _object(schema: Mapping[str, Any], fixed: Mapping[str, Any]) -> SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if not props:
        if extra is False:
            return st.just({})
        values = json_values() if extra is True else schema_values(extra)
        keys = st.one_of(st.sampled_from(_CONFIG_KEYS), st.text(min_size=1, max_size=12))
        return st.dictionaries(keys, values, max_size=4)
    required = set(schema.get("required", ()))
    need = {
        k: (st.just(fixed[k]) if k in fixed else schema_values(s, name=k))
        for k, s in props.items()
        if k in required or k in fixed
    }
    optional = {k: schema_values(s, name=k) for k, s in props.items() if k not in need}
    return st.fixed_dictionaries(need, optional=optional)


@cache
def _arguments(tool: str) -> SearchStrategy[dict[str, Any]]:
    return _object(TOOLS[tool].input_schema, {})


def _spec_schema(tool: str) -> dict[str, Any]:
    if tool not in TOOLS:
        raise InvalidArgument(f"unknown tool {tool!r}; known tools are {', '.join(TOOLS)}")
    schema: dict[str, Any] = TOOLS[tool].input_schema
    return schema


def tool_arguments(tool: str, **fixed: Any) -> SearchStrategy[dict[str, Any]]:
    """Arguments of ``tool`` that its input schema accepts, derived from the registry.

    Required keys always, optional keys sometimes (shrinking to none), values
    drawn by :func:`schema_values` (realistic ids, slugs, targets, cron schedules).
    ``**fixed`` pins arguments (e.g. ``project_reference="acme"``); a pin must be a
    known argument that its schema accepts. Schema-valid is not the same as
    accepted by the simulator: ids may name nothing (``not_found``), a schedule
    may be valid for the pattern only, and so on.
    """
    schema = _spec_schema(tool)
    if not fixed:
        return _arguments(tool)
    props = schema["properties"]
    for key, value in fixed.items():
        if key not in props:
            raise InvalidArgument(
                f"tool_arguments({tool!r}): unknown argument {key!r}; "
                f"accepted are {', '.join(props)}"
            )
        error = next(iter(Draft7Validator(props[key]).iter_errors(value)), None)
        if error is not None:
            raise InvalidArgument(f"tool_arguments({tool!r}): {key}={value!r}: {error.message}")
    return _object(schema, fixed)


# -- invalid arguments --------------------------------------------------------------


def _branches(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(schema.get("anyOf", ())) or [schema]


def _candidates(schema: Mapping[str, Any], kind: str) -> list[str]:
    """The properties of ``schema`` that can carry a violation of ``kind``."""
    props: dict[str, Any] = schema.get("properties", {})
    if kind == "unknown_key":
        return ["*"] if schema.get("additionalProperties") is False else []
    if kind == "missing_required":
        return list(schema.get("required", ()))
    out = []
    for key, sub in props.items():
        branches = _branches(sub)
        if (
            (kind == "wrong_type" and _types(sub) is not None)
            or (
                kind == "enum"
                and all("enum" in b or b.get("type") == "null" for b in branches)
                and any("enum" in b for b in branches)
            )
            or (
                kind == "range"
                and _types(sub)
                and any("minimum" in b or "maximum" in b for b in branches)
            )
            or (kind == "pattern" and len(branches) == 1 and "pattern" in sub)
            or (kind == "min_length" and len(branches) == 1 and sub.get("minLength", 0) > 0)
        ):
            out.append(key)
    return out


def violation_kinds(tool: str) -> tuple[str, ...]:
    """The kinds of :data:`VIOLATION_KINDS` that ``tool``'s input schema can be broken by."""
    schema = _spec_schema(tool)
    return tuple(k for k in VIOLATION_KINDS if _candidates(schema, k))


def _wrong_values(allowed: frozenset[str]) -> SearchStrategy[Any]:
    options: list[SearchStrategy[Any]] = []
    if "string" not in allowed:
        options.append(st.text(max_size=10))
    if not allowed & {"integer", "number"}:
        options.append(st.integers(-1000, 1000))
    if "number" not in allowed:
        options.append(st.floats(-1e6, 1e6).filter(lambda x: not x.is_integer()))
    if "boolean" not in allowed:
        options.append(st.booleans())
    if "null" not in allowed:
        options.append(st.none())
    if "array" not in allowed:
        options.append(st.lists(st.integers(0, 9), max_size=2))
    if "object" not in allowed:
        options.append(st.dictionaries(st.sampled_from("ab"), st.integers(0, 9), max_size=2))
    return st.one_of(options)


def _out_of_range(sub: Mapping[str, Any]) -> SearchStrategy[Any]:
    branch = next(b for b in _branches(sub) if "minimum" in b or "maximum" in b)
    integral = branch.get("type") == "integer"
    options: list[SearchStrategy[Any]] = []
    if "minimum" in branch:
        lo = branch["minimum"]
        options.append(st.integers(int(lo) - 1_000_000, int(-(-lo // 1)) - 1))
        if not integral:
            options.append(st.floats(lo - 1e6, lo, exclude_max=True, allow_nan=False))
    if "maximum" in branch:
        hi = branch["maximum"]
        options.append(st.integers(int(hi // 1) + 1, int(hi) + 1_000_000))
        if not integral:
            options.append(st.floats(hi, hi + 1e6, exclude_min=True, allow_nan=False))
    return st.one_of(options)


@st.composite
def _invalid(draw: st.DrawFn, tool: str, kinds: tuple[str, ...]) -> dict[str, Any]:
    schema = TOOLS[tool].input_schema
    props: dict[str, Any] = schema["properties"]
    args = dict(draw(_arguments(tool)))
    kind = draw(st.sampled_from(kinds))
    if kind == "unknown_key":
        key = draw(
            st.one_of(
                st.sampled_from(("extra", "projectReference", "id_")), st.text(max_size=12)
            ).filter(lambda k: k not in props)
        )
        args[key] = draw(json_values(max_leaves=2))
        return args
    key = draw(st.sampled_from(_candidates(schema, kind)))
    sub = props.get(key, {})
    if kind == "missing_required":
        del args[key]
    elif kind == "wrong_type":
        allowed = _types(sub)
        assert allowed is not None
        args[key] = draw(_wrong_values(allowed))
    elif kind == "enum":
        allowed_values = {v for b in _branches(sub) for v in b.get("enum", ())}
        args[key] = draw(st.text(max_size=12).filter(lambda v: v not in allowed_values))
    elif kind == "range":
        args[key] = draw(_out_of_range(sub))
    elif kind == "pattern":
        regex = re.compile(sub["pattern"])
        args[key] = draw(st.text(max_size=20).filter(lambda v: regex.search(v) is None))
    else:  # min_length
        args[key] = draw(st.text(max_size=sub["minLength"] - 1))
    return args


def invalid_tool_arguments(
    tool: str, kinds: str | Iterable[str] | None = None
) -> SearchStrategy[dict[str, Any]]:
    """Arguments of ``tool`` that its input schema refuses: valid arguments with exactly
    one violation of one of ``kinds`` (default: every kind :func:`violation_kinds`
    finds for the tool). ``Simulator.call`` refuses them with ``invalid_arguments``.

    Violations are made at the top level of the arguments: an ``unknown_key``, a
    ``missing_required`` key, a ``wrong_type``, a string outside an ``enum``, a
    number out of ``range``, a string breaking a ``pattern`` or ``min_length``.
    """
    possible = violation_kinds(tool)
    if kinds is None:
        chosen = possible
    else:
        chosen = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        bad = [k for k in chosen if k not in possible]
        if bad or not chosen:
            raise InvalidArgument(
                f"invalid_tool_arguments({tool!r}): cannot make a {bad[0] if bad else 'no'!s} "
                f"violation; this tool's schema allows {', '.join(possible)}"
            )
    return _invalid(tool, chosen)
