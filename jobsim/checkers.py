"""Checkers for the rules a JSON Schema cannot say, without Hypothesis.

:func:`job_record_problems`, :func:`cron_record_problems`, :func:`batch_problems`
and :func:`page_problems` return a list of plain-English problems, empty when the
value keeps the rules of the spec; use them on jobsim's outputs, on a real
service's, or on your own fakes. :func:`schema_problems` checks a value against a
tool's output schema, and :func:`check` turns problems into an ``AssertionError``.

Needs only jobsim's base install (no ``hypothesis``, no ``mcp``): the lifecycle rules
are read from :data:`jobsim.lifecycle.RULES`. ``jobsim.testing`` re-exports every name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, TypeGuard

from cronsim import CronSim, CronSimError

from jobsim import zones
from jobsim.clock import parse_ms
from jobsim.fastcheck import is_json
from jobsim.ids import is_uuid
from jobsim.lifecycle import (
    BACKOFF_LIMIT_EXCEEDED,
    CANCELED,
    COMPLETED,
    CRON_STATUSES,
    DEADLINE_EXCEEDED,
    MAX_BACKOFF,
    POLICIES,
    RULES,
    STATUSES,
    SUBMITTED,
    WORKING,
    backoff_ms,
)
from jobsim.registry import TOOLS

__all__ = [
    "CRON_KEYS",
    "JOB_KEYS",
    "TIMESTAMP",
    "batch_problems",
    "check",
    "cron_record_problems",
    "job_record_problems",
    "page_problems",
    "schema_problems",
]

#: The one timestamp format of every ``*_at`` field: ``2026-01-01T00:00:00.000Z``.
TIMESTAMP: Final = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
#: The keys of a job record and of a cron job record, in the output schemas' order.
JOB_KEYS: Final = tuple(TOOLS["get_job"].output_schema["properties"])
CRON_KEYS: Final = tuple(TOOLS["get_cron_job"].output_schema["properties"])


# -- checkers -----------------------------------------------------------------------


def _time(record: Mapping[str, Any], key: str, problems: list[str]) -> int | None:
    """The value of timestamp ``key`` in milliseconds, or None (null or malformed)."""
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not TIMESTAMP.match(value):
        problems.append(f"{key} {value!r} is not a timestamp like 2026-01-01T00:00:00.000Z")
        return None
    try:
        return parse_ms(value)
    except ValueError:
        problems.append(f"{key} {value!r} is not a real date and time")
        return None


def _keys(record: Mapping[str, Any], expected: tuple[str, ...], problems: list[str]) -> None:
    missing = [k for k in expected if k not in record]
    extra = sorted(set(record) - set(expected))
    if missing:
        problems.append(f"missing key(s) {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected key(s) {', '.join(extra)}")


def _ids(
    record: Mapping[str, Any], required: Iterable[str], nullable: Iterable[str], problems: list[str]
) -> None:
    for key in required:
        value = record.get(key)
        if not isinstance(value, str) or not is_uuid(value):
            problems.append(f"{key} {value!r} is not a lowercase UUID")
    for key in nullable:
        value = record.get(key)
        if value is not None and (not isinstance(value, str) or not is_uuid(value)):
            problems.append(f"{key} {value!r} is neither null nor a lowercase UUID")


def _whole(
    record: Mapping[str, Any], key: str, lo: int, hi: int | None, problems: list[str]
) -> int | None:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{key} {value!r} is not a whole number")
        return None
    if value < lo or (hi is not None and value > hi):
        problems.append(f"{key} {value} is out of range {lo}..{hi if hi is not None else ''}")
    return value


def _text(record: Mapping[str, Any], key: str, problems: list[str]) -> None:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{key} {value!r} is not a non-empty string")


def job_record_problems(record: Mapping[str, Any]) -> list[str]:
    """What breaks SPEC sections 3-4 in a job record; empty when nothing does.

    Checks the 18 keys, the ids (lowercase UUIDs), the timestamp format, and the
    lifecycle: ``created_at ≤ started_at ≤ completed_at ≤ updated_at``;
    ``started_at`` set iff the job ran (always for ``working``, ``completed``,
    ``failed``); ``completed_at`` set iff terminal, and then equal to
    ``updated_at``; a ``submitted`` job unchanged since ``created_at``;
    ``exit_code`` 0 for ``completed``, 1-255 for ``failed`` by
    ``BackoffLimitExceeded``, null otherwise; ``failed_reason`` set iff ``failed``;
    ``DeadlineExceeded`` no earlier than ``started_at + timeout_seconds``, and
    nothing else ending or changing a running job after that; ``BackoffLimitExceeded``
    no earlier than the backoffs of ``backoff_limit`` retries allow.
    """
    p: list[str] = []
    if not isinstance(record, Mapping):
        return [f"a job record must be an object, not {type(record).__name__}"]
    _keys(record, JOB_KEYS, p)
    _ids(
        record, ("id", "project_id"), ("environment_id", "branch_id", "cron_job_id", "batch_id"), p
    )
    _text(record, "name", p)
    _text(record, "target", p)
    if not isinstance(record.get("config"), dict):
        p.append(f"config {record.get('config')!r} is not an object")
    timeout = _whole(record, "timeout_seconds", 1, None, p)
    backoff = _whole(record, "backoff_limit", 0, MAX_BACKOFF, p)
    status = record.get("status")
    if status not in STATUSES:
        p.append(f"status {status!r} is not one of {', '.join(STATUSES)}")
        return p
    created = _time(record, "created_at", p)
    updated = _time(record, "updated_at", p)
    started = _time(record, "started_at", p)
    completed = _time(record, "completed_at", p)
    if record.get("created_at") is None:
        p.append("created_at is null")
    if record.get("updated_at") is None:
        p.append("updated_at is null")
    exit_code = record.get("exit_code")
    reason = record.get("failed_reason")
    rule = RULES[status]
    terminal = rule.terminal

    # which fields are set
    if rule.started is False and record.get("started_at") is not None:
        p.append(f"a {status} job has a started_at")
    if rule.started is True and record.get("started_at") is None:
        p.append(f"a {status} job has no started_at")
    if terminal and record.get("completed_at") is None:
        p.append(f"a {status} job has no completed_at")
    if not terminal and record.get("completed_at") is not None:
        p.append(f"a {status} job has a completed_at")
    # (a str check first: a malformed record's reason may be unhashable)
    known = (reason is None or isinstance(reason, str)) and reason in rule.endings
    if not known:
        if rule.reasons:
            p.append(
                f"failed_reason {reason!r} of a {status} job is not {' or '.join(rule.reasons)}"
            )
        else:
            p.append(f"a {status} job has failed_reason {reason!r}")
    ending = reason if known else None  # else: the exit rule of the status itself
    if ending in rule.endings:
        codes = rule.endings[ending]
        what = f"job failed by {ending}" if ending is not None else f"{status} job"
        if codes is None:
            if exit_code is not None:
                p.append(f"a {what} has exit_code {exit_code!r}, not null")
        elif not _whole_number(exit_code) or int(exit_code) not in codes:
            p.append(f"a {what} has exit_code {exit_code!r}, not {_span(codes)}")

    # the order of events
    if created is not None and started is not None and started < created:
        p.append("started_at is before created_at")
    if started is not None and completed is not None and completed < started:
        p.append("completed_at is before started_at")
    if created is not None and completed is not None and completed < created:
        p.append("completed_at is before created_at")
    if updated is not None:
        for key, value in (
            ("created_at", created),
            ("started_at", started),
            ("completed_at", completed),
        ):
            if value is not None and updated < value:
                p.append(f"updated_at is before {key}")
        if terminal and completed is not None and updated != completed:
            p.append(f"a {status} job changed after completed_at (updated_at differs)")
        if status == SUBMITTED and created is not None and updated != created:
            p.append("a submitted job changed after created_at (updated_at differs)")

    # the deadline and the retries
    if timeout is not None and started is not None:
        deadline = started + timeout * 1000
        if reason == DEADLINE_EXCEEDED and completed is not None and completed < deadline:
            p.append("DeadlineExceeded before started_at + timeout_seconds")
        ended_by_exit = status == COMPLETED or reason == BACKOFF_LIMIT_EXCEEDED
        if ended_by_exit and completed is not None and completed >= deadline:
            p.append(
                f"{status} at or after its deadline (it should have failed by {DEADLINE_EXCEEDED})"
            )
        if status == CANCELED and completed is not None and completed > deadline:
            p.append("canceled after its deadline (it should have failed first)")
        if status == WORKING and updated is not None and updated >= deadline:
            p.append("still working at or after its deadline")
    if (
        reason == BACKOFF_LIMIT_EXCEEDED
        and backoff is not None
        and started is not None
        and completed is not None
    ):
        least = sum(backoff_ms(n) for n in range(1, backoff + 1))
        if completed - started < least:
            p.append(f"{BACKOFF_LIMIT_EXCEEDED} sooner than {backoff} retries' backoffs allow")
    return p


def _whole_number(value: Any) -> TypeGuard[int | float]:
    """An integer as JSON Schema counts them: ``3`` or ``3.0``, not ``True``."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer()
    )


def _span(codes: range) -> str:
    """``range(1, 256)`` as ``1-255``; a one-value range as that value."""
    return str(codes.start) if len(codes) == 1 else f"{codes.start}-{codes[-1]}"


def cron_record_problems(record: Mapping[str, Any]) -> list[str]:
    """What breaks SPEC section 8 in a cron job record; empty when nothing does.

    Checks the keys, ids, status, policy, a schedule cronsim accepts, a known IANA
    time zone, whole ``timeout_seconds``/``backoff_limit`` in range, the timestamp
    format, ``created_at ≤ updated_at``, ``last_scheduled_at`` null or after
    ``created_at`` and not after ``updated_at`` (a fire bumps it), and
    ``last_successful_at`` null or not before ``created_at``.
    """
    p: list[str] = []
    if not isinstance(record, Mapping):
        return [f"a cron job record must be an object, not {type(record).__name__}"]
    _keys(record, CRON_KEYS, p)
    _ids(record, ("id", "project_id"), ("environment_id", "branch_id"), p)
    _text(record, "name", p)
    _text(record, "target", p)
    if record.get("status") not in CRON_STATUSES:
        p.append(f"status {record.get('status')!r} is not one of {', '.join(CRON_STATUSES)}")
    if record.get("concurrency_policy") not in POLICIES:
        p.append(
            f"concurrency_policy {record.get('concurrency_policy')!r} is not one of "
            f"{', '.join(POLICIES)}"
        )
    if not isinstance(record.get("config"), dict):
        p.append(f"config {record.get('config')!r} is not an object")
    _whole(record, "timeout_seconds", 1, None, p)
    _whole(record, "backoff_limit", 0, MAX_BACKOFF, p)
    zone = record.get("timezone")
    tz = zones.zone(zone) if zones.is_zone(zone) else None
    if tz is None:
        p.append(f"timezone {zone!r} is not an IANA time zone")
    schedule = record.get("schedule")
    if not isinstance(schedule, str) or len(schedule.split()) != 5:
        p.append(f"schedule {schedule!r} does not have five fields")
    else:
        problem = _schedule_problem(schedule, zone if tz is not None else "UTC")
        if problem is not None:
            p.append(problem)
    created = _time(record, "created_at", p)
    updated = _time(record, "updated_at", p)
    scheduled = _time(record, "last_scheduled_at", p)
    succeeded = _time(record, "last_successful_at", p)
    if created is not None and updated is not None and updated < created:
        p.append("updated_at is before created_at")
    if scheduled is not None:
        if created is not None and scheduled <= created:
            p.append("last_scheduled_at is not after created_at")
        if updated is not None and scheduled > updated:
            p.append("last_scheduled_at is after updated_at (a fire bumps updated_at)")
    if succeeded is not None and created is not None and succeeded < created:
        p.append("last_successful_at is before created_at")
    return p


@lru_cache(maxsize=256)
def _schedule_problem(schedule: str, zone: str) -> str | None:
    """Why cronsim refuses ``schedule`` in ``zone``, or None. Cached: a cron job's
    record is checked every time it is read, and parsing is most of that check."""
    try:
        CronSim(schedule, datetime(2026, 1, 1, tzinfo=zones.zone(zone)))
    except (CronSimError, ValueError) as error:
        return f"schedule {schedule!r} is not a cron expression: {error}"
    return None


def batch_problems(
    summary: Mapping[str, Any], jobs: Iterable[Mapping[str, Any]] | None = None
) -> list[str]:
    """What breaks SPEC section 6 in a ``get_job_batch`` output; empty when nothing does.

    ``job_count`` must be the sum of ``status_counts``. With ``jobs`` (every job of
    the batch, e.g. all pages of ``list_job_batch_jobs``) it must also be their
    number, the counts their statuses, ``target`` their common target (or null),
    ``created_at`` the first job's and ``updated_at`` the latest change of any.
    """
    p: list[str] = []
    counts = summary.get("status_counts") or {}
    if set(counts) != set(STATUSES):
        p.append(f"status_counts has keys {sorted(counts)}, not {', '.join(STATUSES)}")
    total = sum(v for v in counts.values() if isinstance(v, int))
    if summary.get("job_count") != total:
        p.append(
            f"job_count {summary.get('job_count')!r} is not the sum of status_counts ({total})"
        )
    if summary.get("result") is not None:
        p.append("result is not null")
    created = _time(summary, "created_at", p)
    updated = _time(summary, "updated_at", p)
    if created is not None and updated is not None and updated < created:
        p.append("updated_at is before created_at")
    if jobs is None:
        return p
    members = list(jobs)
    if len(members) != summary.get("job_count"):
        p.append(f"job_count {summary.get('job_count')!r} but {len(members)} jobs listed")
    seen = Counter(j.get("status") for j in members)
    for status in STATUSES:
        if counts.get(status) != seen.get(status, 0):
            p.append(
                f"status_counts[{status}] is {counts.get(status)!r} but "
                f"{seen.get(status, 0)} {status} jobs are listed"
            )
    for job in members:
        if job.get("batch_id") != summary.get("id"):
            p.append(
                f"job {job.get('id')} listed in batch {summary.get('id')} has batch_id "
                f"{job.get('batch_id')!r}"
            )
        if job.get("project_id") != summary.get("project_id"):
            p.append(f"job {job.get('id')} is of another project than its batch")
    if members:
        targets = {j.get("target") for j in members}
        common = targets.pop() if len(targets) == 1 else None
        if summary.get("target") != common:
            p.append(f"target {summary.get('target')!r}, but the jobs' common target is {common!r}")
        if summary.get("created_at") != min(str(j.get("created_at")) for j in members):
            p.append("created_at is not the first job's created_at")
        if summary.get("updated_at") != max(str(j.get("updated_at")) for j in members):
            p.append("updated_at is not the latest updated_at of its jobs")
    return p


def page_problems(
    page: Mapping[str, Any], *, cursor: str | None = None, limit: int | None = None
) -> list[str]:
    """What breaks SPEC section 7 in one page (``{data, page_info}``) of a listing."""
    p: list[str] = []
    data = page.get("data", [])
    info = page.get("page_info", {})
    if info.get("first") is not None:
        p.append("page_info.first is not null")
    if info.get("self") != cursor:
        p.append(f"page_info.self is {info.get('self')!r}, not the cursor {cursor!r}")
    if limit is not None and len(data) > limit:
        p.append(f"{len(data)} items on a page of limit {limit}")
    nxt = info.get("next")
    if nxt is not None and (not data or nxt != data[-1].get("id")):
        p.append("page_info.next is not the id of the page's last item")
    if limit is not None and nxt is not None and len(data) < limit:
        p.append("page_info.next is set on a page that is not full")
    ids = [item.get("id") for item in data]
    if len(set(ids)) != len(ids):
        p.append("an item is twice on one page")
    stamps = [str(item.get("created_at")) for item in data]
    if stamps != sorted(stamps, reverse=True):
        p.append("items are not newest first")
    if cursor is None and info.get("prev") is not None:
        p.append("page_info.prev is set on the first page")
    return p


def schema_problems(tool: str, output: Any) -> list[str]:
    """Every way ``output`` breaks the output schema of ``tool`` (jsonschema messages)."""
    spec = TOOLS[tool]
    if spec.output_check(output) and is_json(output):  # the fast path; jsonschema says why not
        return []
    return [
        f"{'/'.join(map(str, e.absolute_path)) or 'output'}: {e.message}"
        for e in spec.output_validator.iter_errors(output)
    ]


def check(problems: list[str], what: str = "value") -> None:
    """Raise an :class:`AssertionError` listing ``problems`` if there are any.

    >>> check(job_record_problems(record), f"job {record['id']}")  # doctest: +SKIP
    """
    if problems:
        raise AssertionError(f"{what}: " + "; ".join(problems))
