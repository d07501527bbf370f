"""The records the simulator keeps. Plain slotted classes: no serialisation here
(that is :mod:`jobsim.serialize`), no rules (those are in the tool modules).

Times are integer milliseconds of the virtual clock; ``None`` where unset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jobsim.lifecycle import CRON_ACTIVE, STATUSES, SUBMITTED
from jobsim.pagination import Index

if TYPE_CHECKING:  # jsonschema is imported where a validator is built
    from jsonschema import Draft7Validator

__all__ = ["Batch", "Behavior", "CronJob", "Job", "Project", "Scoped", "Target"]


@dataclass(slots=True, eq=False)
class Behavior:
    """How jobs of a target progress by themselves (SPEC section 10). Immutable in use:
    a job keeps the one its target had when the job was created."""

    start_after_ms: int = 0
    run_ms: int = 1000
    exit_codes: tuple[int, ...] = (0,)
    events: tuple[str, ...] = ()

    def exit_code_of(self, attempt: int) -> int:
        """Exit code of 1-based ``attempt``; the last one repeats."""
        return self.exit_codes[min(attempt, len(self.exit_codes)) - 1]


@dataclass(slots=True, eq=False)
class Target:
    name: str
    description: str | None = None
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    behavior: Behavior | None = None
    validator: Draft7Validator | None = field(default=None, repr=False)


@dataclass(slots=True, eq=False)
class Job:
    id: str
    seq: int  # creation order, global; with created_ms the listing key
    project_id: str
    name: str
    target: str
    config: dict[str, Any]
    timeout_seconds: int
    backoff_limit: int
    created_ms: int
    environment_id: str | None = None
    branch_id: str | None = None
    cron_job_id: str | None = None
    batch_id: str | None = None
    status: str = SUBMITTED
    exit_code: int | None = None
    failed_reason: str | None = None
    started_ms: int | None = None
    completed_ms: int | None = None
    updated_ms: int = 0
    # runtime, never serialised into the record
    behavior: Behavior | None = None
    attempt: int = 0  # attempts started so far
    running: bool = False  # an attempt is running (False in a backoff)
    epoch: int = 0  # bumped to void the job's queued events
    log: list[tuple[int, str, str, str, int]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Batch:
    id: str
    project_id: str
    target: str | None
    created_ms: int
    updated_ms: int
    mixed_targets: bool = False
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))


@dataclass(slots=True, eq=False)
class Scoped:
    """An environment or a branch."""

    id: str
    project_id: str
    name: str


@dataclass(slots=True, eq=False)
class CronJob:
    id: str
    seq: int
    project_id: str
    name: str
    target: str
    schedule: str
    timezone: str
    config: dict[str, Any]
    timeout_seconds: int
    backoff_limit: int
    concurrency_policy: str
    created_ms: int
    updated_ms: int
    environment_id: str | None = None
    branch_id: str | None = None
    status: str = CRON_ACTIVE
    last_scheduled_ms: int | None = None
    last_successful_ms: int | None = None
    epoch: int = 0  # bumped to void the queued tick (schedule change, delete)
    anchor_ms: int = 0  # the next tick is the first fire time strictly after this


@dataclass(slots=True, eq=False)
class Project:
    id: str
    slug: str
    jobs: Index = field(default_factory=Index)
    #: ("batch" | "cron" | "env", id) -> the jobs carrying that id
    job_groups: dict[tuple[str, str], Index] = field(default_factory=dict)
    crons: Index = field(default_factory=Index)
    cron_groups: dict[tuple[str, str], Index] = field(default_factory=dict)
