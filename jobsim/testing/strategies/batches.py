"""Batch summaries: ``get_job_batch`` outputs whose counts add up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from jobsim.clock import format_ms, parse_ms
from jobsim.lifecycle import STATUSES, SUBMITTED
from jobsim.testing.strategies.pins import _CREATED, _GAP, _check_pins, _fields, _nullable
from jobsim.testing.strategies.values import _START_MS, targets, uuids

__all__ = ["batch_summaries"]

SearchStrategy = st.SearchStrategy


@st.composite
def _batch_summary(draw: st.DrawFn, fixed: Mapping[str, Any]) -> dict[str, Any]:
    if "status_counts" in fixed:
        counts = dict(fixed["status_counts"])
    else:
        counts = {s: draw(st.integers(0, 40)) for s in STATUSES}
        if not any(counts.values()):
            counts[SUBMITTED] = 1  # a batch exists from its first job
    created = parse_ms(fixed["created_at"]) if "created_at" in fixed else _START_MS + draw(_CREATED)
    changed = sum(counts.values()) > counts[SUBMITTED] or sum(counts.values()) > 1
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
