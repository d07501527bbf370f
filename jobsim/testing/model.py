"""The state machine's own model of the contract, written from the spec (SPEC sections 4
and 8), not from the simulator's code: a bug in the simulator cannot hide in both.

- :class:`ManualJob`: what a job driven by hand (its target has no behaviour) must
  look like, from the calls made and the clock alone: its status, when its next
  attempt starts after a backoff, when its deadline fails it.
- :func:`cron_run_problems`: what a scheduled run of a cron job must have kept: it was
  made while the cron job was active, and under ``Forbid`` or ``Replace`` only when
  every earlier run of it had finished.

Time is in milliseconds since the epoch, as :func:`ms` reads output timestamps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jobsim.clock import parse_ms
from jobsim.lifecycle import ALLOW, CANCELED, COMPLETED, CRON_ACTIVE, FAILED, SUBMITTED, WORKING

__all__ = ["CronState", "ManualJob", "backoff_ms", "cron_run_problems", "ms"]


#: Milliseconds since the epoch of an output timestamp (exact and cached).
ms = parse_ms


def backoff_ms(failed_attempt: int) -> int:
    """The delay before the next attempt after failed attempt ``n``: 10 s doubling per
    failure, at most 360 s (SPEC section 4)."""
    return min(10_000 << (failed_attempt - 1), 360_000)


@dataclass
class ManualJob:
    """A job the machine drives by hand with ``sim_start_job`` / ``sim_finish_job``."""

    timeout_ms: int
    attempts: int  # backoff_limit + 1
    updated_ms: int
    started_ms: int | None = None
    attempt: int = 0
    backoff_until: int | None = None  # when the next attempt starts
    end: tuple[str, int] | None = None  # (status, completed_at) once finished

    def settle(self, now: int) -> None:
        """Let the clock act up to ``now``: a backoff ends, or the deadline fails the job."""
        if self.end is not None or self.started_ms is None:
            return
        deadline = self.started_ms + self.timeout_ms
        # the deadline was scheduled first (at the start): it wins a tie
        if self.backoff_until is not None and self.backoff_until < min(now + 1, deadline):
            self.attempt += 1
            self.updated_ms = self.backoff_until
            self.backoff_until = None
        if now >= deadline:
            self.end = (FAILED, deadline)
            self.updated_ms = deadline

    def start(self, now: int) -> None:
        self.started_ms = self.updated_ms = now
        self.attempt = 1

    def finish(self, now: int, exit_code: int) -> None:
        """The running attempt ends with ``exit_code``."""
        self.updated_ms = now
        if exit_code == 0:
            self.end = (COMPLETED, now)
        elif self.attempt < self.attempts:
            self.backoff_until = now + backoff_ms(self.attempt)
        else:
            self.end = (FAILED, now)

    def cancel(self, now: int) -> None:
        if self.end is None:
            self.end = (CANCELED, now)

    def status(self) -> str:
        if self.end is not None:
            return self.end[0]
        return SUBMITTED if self.started_ms is None else WORKING

    def in_backoff(self) -> bool:
        """No attempt runs: ``sim_finish_job`` must be refused."""
        return self.end is None and self.backoff_until is not None

    def problems(self, record: Mapping[str, Any]) -> list[str]:
        """How ``record`` (read after :meth:`settle`) differs from the model."""
        if record["status"] != self.status():
            return [f"is {record['status']}; the calls made and the clock say {self.status()}"]
        if self.end is not None and ms(record["completed_at"]) != self.end[1]:
            return [f"completed_at {record['completed_at']} is not when it ended"]
        if record["status"] == WORKING and ms(record["updated_at"]) != self.updated_ms:
            return [
                f"updated_at {record['updated_at']} is not its last change (its start, a "
                "failed attempt, or the next attempt after the backoff)"
            ]
        return []


#: One entry of a cron job's history: (since, status, concurrency_policy).
CronState = tuple[int, str, str]


def cron_run_problems(
    run: Mapping[str, Any],
    earlier: Iterable[Mapping[str, Any]],
    history: list[CronState],
) -> list[str]:
    """What a scheduled run of a cron job breaks, given the runs of the same cron job
    made before it (manual ones too) and the cron job's history of states."""
    fired = ms(run["created_at"])
    # An update at the very millisecond of a fire came after it (fires happen while the
    # clock advances): the state that counts was set strictly before.
    before = [state for state in history if state[0] < fired]
    if not before:
        return [f"run {run['id']} was made at the cron job's creation"]
    _, status, policy = before[-1]
    if status != CRON_ACTIVE:
        return [f"run {run['id']} was made at {run['created_at']} while the cron job was {status}"]
    if policy == ALLOW:
        return []
    return [
        f"run {run['id']} was made at {run['created_at']} under {policy} while run "
        f"{other['id']} was {other['status']}"
        for other in earlier
        if other["completed_at"] is None or ms(other["completed_at"]) > fired
    ]
