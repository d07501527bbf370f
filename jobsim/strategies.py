"""Hypothesis strategies for jobsim: records, tool arguments, and pages.

Needs the ``hypothesis`` extra (``pip install 'jobsim[hypothesis]'``). The strategies
live in :mod:`jobsim.testing.strategies`; this module is their documented name.

>>> from hypothesis import given
>>> from jobsim.strategies import job_records
>>> @given(job_records(status="failed"))
... def test_my_client_shows_failures(record): ...
"""

from __future__ import annotations

from jobsim.extras import need_hypothesis

need_hypothesis("jobsim.strategies")

from jobsim.testing.strategies import (
    CRON_PATTERN,
    SLUG_PATTERN,
    VIOLATION_KINDS,
    batch_summaries,
    configs,
    cron_records,
    cron_schedules,
    invalid_tool_arguments,
    job_records,
    json_values,
    names,
    page_sequences,
    pages,
    schema_values,
    slugs,
    targets,
    timestamps,
    timezones,
    tool_arguments,
    uuids,
    violation_kinds,
)
from jobsim.testing.strategies import (
    SearchStrategy as SearchStrategy,
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
