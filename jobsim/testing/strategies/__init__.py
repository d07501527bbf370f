"""Hypothesis strategies for jobsim: records, tool arguments, and pages.

The facade of the modules beside it (building blocks in ``values``, one module per
kind of record, ``pages``, ``schemas`` and ``invalid`` for tool arguments);
:mod:`jobsim.strategies` re-exports it. Needs the ``hypothesis`` extra.

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

from hypothesis.strategies import SearchStrategy as SearchStrategy

from jobsim.testing.strategies.batches import batch_summaries
from jobsim.testing.strategies.crons import cron_records
from jobsim.testing.strategies.invalid import (
    VIOLATION_KINDS,
    invalid_tool_arguments,
    violation_kinds,
)
from jobsim.testing.strategies.jobs import job_records
from jobsim.testing.strategies.pages import page_sequences, pages
from jobsim.testing.strategies.schemas import schema_values, tool_arguments
from jobsim.testing.strategies.values import (
    CRON_PATTERN,
    SLUG_PATTERN,
    configs,
    cron_schedules,
    json_values,
    names,
    slugs,
    targets,
    timestamps,
    timezones,
    uuids,
)

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
