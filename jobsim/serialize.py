"""Records to JSON-able dicts: the edge between the simulator's state and its outputs.

Every function returns a fresh value, so a caller mutating an output never
changes the simulator.
"""

from __future__ import annotations

from typing import Any, Final

from jobsim.clock import format_ms
from jobsim.lifecycle import STATUSES
from jobsim.records import Batch, CronJob, Job, Scoped, Target

__all__ = ["batch_dict", "copy_json", "cron_dict", "job_dict", "scoped_dict", "target_dict"]


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, scalars), faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: v if type(v) in _SCALARS else copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else copy_json(v) for v in value]
    return value


# Members copied as they are, without a call each (a config is mostly scalars).
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _ts(ms: int | None) -> str | None:
    return None if ms is None else format_ms(ms)


def job_dict(job: Job) -> dict[str, Any]:
    """The 18-key job record of the seeds' schema, in the schema's key order."""
    return {
        "id": job.id,
        "project_id": job.project_id,
        "environment_id": job.environment_id,
        "branch_id": job.branch_id,
        "cron_job_id": job.cron_job_id,
        "batch_id": job.batch_id,
        "name": job.name,
        "status": job.status,
        "target": job.target,
        "config": copy_json(job.config) if job.config else {},
        "timeout_seconds": job.timeout_seconds,
        "backoff_limit": job.backoff_limit,
        "exit_code": job.exit_code,
        "failed_reason": job.failed_reason,
        "started_at": None if job.started_ms is None else format_ms(job.started_ms),
        "completed_at": None if job.completed_ms is None else format_ms(job.completed_ms),
        "created_at": format_ms(job.created_ms),
        "updated_at": format_ms(job.updated_ms),
    }


def batch_dict(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.id,
        "project_id": batch.project_id,
        "target": batch.target,
        "job_count": sum(batch.counts.values()),
        "status_counts": {status: batch.counts[status] for status in STATUSES},
        "created_at": format_ms(batch.created_ms),
        "updated_at": format_ms(batch.updated_ms),
        "result": None,
    }


def cron_dict(cron: CronJob) -> dict[str, Any]:
    return {
        "id": cron.id,
        "project_id": cron.project_id,
        "environment_id": cron.environment_id,
        "branch_id": cron.branch_id,
        "name": cron.name,
        "status": cron.status,
        "target": cron.target,
        "schedule": cron.schedule,
        "timezone": cron.timezone,
        "config": copy_json(cron.config),
        "timeout_seconds": cron.timeout_seconds,
        "backoff_limit": cron.backoff_limit,
        "concurrency_policy": cron.concurrency_policy,
        "last_scheduled_at": _ts(cron.last_scheduled_ms),
        "last_successful_at": _ts(cron.last_successful_ms),
        "created_at": format_ms(cron.created_ms),
        "updated_at": format_ms(cron.updated_ms),
    }


def scoped_dict(item: Scoped) -> dict[str, Any]:
    return {"id": item.id, "project_id": item.project_id, "name": item.name}


def target_dict(target: Target) -> dict[str, Any]:
    return {
        "target": target.name,
        "family": target.name.split(":", 1)[0],
        "description": target.description,
        "input_schema": copy_json(target.input_schema),
        "output_schema": copy_json(target.output_schema),
    }
