"""The job lifecycle as data: statuses, what a record of each status looks like, the
transition table and what each step sets; the cron job statuses and policies.

SPEC section 4. Every status change of every job goes through :func:`transition`;
nothing else assigns ``Job.status``. :data:`RULES` says, per status, which timestamps
are set and which ``failed_reason``/``exit_code`` pairs are allowed: snapshot restore,
the record checkers (:mod:`jobsim.checkers`) and the record strategies read it rather
than restating it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from jobsim.registry import TOOLS

if TYPE_CHECKING:
    from jobsim.records import Job

__all__ = [
    "ACTIVE",
    "ALLOW",
    "BACKOFF_LIMIT_EXCEEDED",
    "CANCELED",
    "COMPLETED",
    "CRON_ACTIVE",
    "CRON_DELETING",
    "CRON_PAUSED",
    "CRON_STATUSES",
    "DEADLINE_EXCEEDED",
    "DEFAULT_BACKOFF",
    "DEFAULT_POLICY",
    "DEFAULT_TIMEOUT",
    "FAILED",
    "FORBID",
    "MAX_BACKOFF",
    "POLICIES",
    "REPLACE",
    "RULES",
    "SHAPES",
    "STATUSES",
    "SUBMITTED",
    "TERMINAL",
    "TRANSITIONS",
    "WORKING",
    "IllegalTransition",
    "Shape",
    "StatusRule",
    "backoff_ms",
    "transition",
]

SUBMITTED: Final = "submitted"
WORKING: Final = "working"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
CANCELED: Final = "canceled"

BACKOFF_LIMIT_EXCEEDED: Final = "BackoffLimitExceeded"
DEADLINE_EXCEEDED: Final = "DeadlineExceeded"

# The published create_job schema states these; create_cron_job states the same
# (tests/test_lifecycle_table.py checks that both tools apply them).
_CREATE_JOB = TOOLS["create_job"]

#: Defaults and bound of ``timeout_seconds`` and ``backoff_limit`` (jobs and cron jobs),
#: as the ``create_job`` schema states them.
DEFAULT_TIMEOUT: Final[int] = _CREATE_JOB.defaults["timeout_seconds"]
DEFAULT_BACKOFF: Final[int] = _CREATE_JOB.defaults["backoff_limit"]
MAX_BACKOFF: Final[int] = _CREATE_JOB.input_schema["properties"]["backoff_limit"]["maximum"]


@dataclass(frozen=True, slots=True)
class StatusRule:
    """What a job record of one status looks like (SPEC section 4).

    ``terminal``: finished for good; ``completed_at`` is set exactly then (and then
    equals ``updated_at``). ``started``: ``started_at`` is always set (True), never
    (False), or set exactly when the job ran before it ended (None). ``endings``:
    each allowed ``failed_reason`` (None: no reason) with the ``exit_code`` values it
    allows (None: ``exit_code`` is null).
    """

    terminal: bool
    started: bool | None
    endings: Mapping[str | None, range | None]

    @property
    def active(self) -> bool:
        return not self.terminal

    @property
    def reasons(self) -> tuple[str, ...]:
        """The ``failed_reason`` values a record of this status may carry (none: null)."""
        return tuple(r for r in self.endings if r is not None)


#: status -> its rule, in the order the schemas list the statuses.
RULES: Final[Mapping[str, StatusRule]] = {
    SUBMITTED: StatusRule(terminal=False, started=False, endings={None: None}),
    WORKING: StatusRule(terminal=False, started=True, endings={None: None}),
    COMPLETED: StatusRule(terminal=True, started=True, endings={None: range(0, 1)}),
    FAILED: StatusRule(
        terminal=True,
        started=True,
        endings={BACKOFF_LIMIT_EXCEEDED: range(1, 256), DEADLINE_EXCEEDED: None},
    ),
    CANCELED: StatusRule(terminal=True, started=None, endings={None: None}),
}

STATUSES: Final = tuple(RULES)
ACTIVE: Final = frozenset(s for s, rule in RULES.items() if rule.active)
TERMINAL: Final = frozenset(s for s, rule in RULES.items() if rule.terminal)


@dataclass(frozen=True, slots=True)
class Shape:
    """One way a record of ``status`` can look: one ``failed_reason`` and one choice of
    whether it started. :data:`SHAPES` lists them all, simplest first."""

    name: str
    status: str
    started: bool
    reason: str | None
    exit_codes: range | None

    @property
    def terminal(self) -> bool:
        return RULES[self.status].terminal


# Names of the shapes of a status that has several (by reason, or by whether it ran).
_REASON_NAMES: Final = {
    BACKOFF_LIMIT_EXCEEDED: "backoff_exceeded",
    DEADLINE_EXCEEDED: "deadline_exceeded",
}


def _shapes() -> tuple[Shape, ...]:
    out = []
    for status, rule in RULES.items():
        for reason, codes in rule.endings.items():
            for started in (False, True) if rule.started is None else (rule.started,):
                if reason is not None:
                    name = _REASON_NAMES[reason]
                elif rule.started is None:
                    name = f"{status}_{'running' if started else 'queued'}"
                else:
                    name = status
                out.append(Shape(name, status, started, reason, codes))
    return tuple(out)


#: Every shape of a job record (``submitted``, ``working``, ``completed``,
#: ``backoff_exceeded``, ``deadline_exceeded``, ``canceled_queued``, ``canceled_running``).
SHAPES: Final = _shapes()

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

# -- cron jobs (SPEC section 8) -------------------------------------------------------

CRON_ACTIVE: Final = "active"
CRON_PAUSED: Final = "paused"
CRON_DELETING: Final = "deleting"
#: In the order the schemas list them.
CRON_STATUSES: Final = (CRON_ACTIVE, CRON_PAUSED, CRON_DELETING)

ALLOW: Final = "Allow"
FORBID: Final = "Forbid"
REPLACE: Final = "Replace"
#: ``concurrency_policy`` values, in the order the schemas list them.
POLICIES: Final = (ALLOW, FORBID, REPLACE)
#: The ``concurrency_policy`` default, as the ``create_cron_job`` schema states it.
DEFAULT_POLICY: Final[str] = TOOLS["create_cron_job"].defaults["concurrency_policy"]


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
