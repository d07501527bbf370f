"""The job lifecycle as data: statuses, the transition table, and what each step sets.

SPEC section 4. Every status change of every job goes through :func:`transition`;
nothing else assigns ``Job.status``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from jobsim.records import Job

__all__ = [
    "ACTIVE",
    "STATUSES",
    "TERMINAL",
    "TRANSITIONS",
    "IllegalTransition",
    "backoff_ms",
    "transition",
]

SUBMITTED: Final = "submitted"
WORKING: Final = "working"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
CANCELED: Final = "canceled"

#: In the order the schemas list them.
STATUSES: Final = (SUBMITTED, WORKING, COMPLETED, FAILED, CANCELED)
ACTIVE: Final = frozenset({SUBMITTED, WORKING})
TERMINAL: Final = frozenset({COMPLETED, FAILED, CANCELED})

BACKOFF_LIMIT_EXCEEDED: Final = "BackoffLimitExceeded"
DEADLINE_EXCEEDED: Final = "DeadlineExceeded"

#: (status, event) -> new status. A pair missing here cannot happen.
TRANSITIONS: Final[dict[tuple[str, str], str]] = {
    (SUBMITTED, "start"): WORKING,
    (WORKING, "succeed"): COMPLETED,
    (WORKING, "retry"): WORKING,  # a failed attempt with retries left
    (WORKING, "next_attempt"): WORKING,  # the backoff is over
    (WORKING, "exhaust"): FAILED,  # a failed attempt with none left
    (WORKING, "deadline"): FAILED,
    (SUBMITTED, "cancel"): CANCELED,
    (WORKING, "cancel"): CANCELED,
}


class IllegalTransition(Exception):
    """An internal error: a handler asked for a step the table does not allow."""


def transition(job: Job, event: str, now_ms: int, exit_code: int | None = None) -> str:
    """Apply ``event`` to ``job`` at ``now_ms``; return the status it had before.

    Sets exactly the fields of SPEC section 4 for that step, and ``updated_at``.
    """
    before = job.status
    after = TRANSITIONS.get((before, event))
    if after is None:
        raise IllegalTransition(f"job {job.id}: no transition {before!r} --{event}-->")
    job.status = after
    job.updated_ms = now_ms
    if event == "start":
        job.started_ms = now_ms
    elif after in TERMINAL:
        job.completed_ms = now_ms
        if event == "succeed":
            job.exit_code = 0
        elif event == "exhaust":
            job.exit_code = exit_code
            job.failed_reason = BACKOFF_LIMIT_EXCEEDED
        elif event == "deadline":
            job.failed_reason = DEADLINE_EXCEEDED
    return before


def backoff_ms(failed_attempt: int) -> int:
    """Delay before the next attempt after failed attempt ``n`` (1-based): the Kubernetes
    Job rule, ``min(10 * 2**(n-1), 360)`` seconds."""
    delay: int = min(10 * 2 ** (failed_attempt - 1), 360)
    return delay * 1000
