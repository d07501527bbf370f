"""The mutant set of ``scripts/mutation.py``: one rule of jobsim broken at a time.

Each mutant names the rule it breaks (``breaks``), the exact source text it changes
(``find``, which must occur exactly once under ``jobsim/``) and what it puts there
(``replace``). When code moves, update ``find``/``replace`` so the mutant breaks the
same rule in its new home; never drop a mutant because its text moved. A mutant
that cannot change behaviour is kept with ``equivalent`` saying why, and is not
scored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str
    find: str
    replace: str
    equivalent: str = ""


MUTANTS: tuple[Mutant, ...] = (
    # -- lifecycle: the transition table and what each step sets ---------------------
    Mutant(
        "lifecycle-backoff-exponent",
        "the backoff doubles from 20 s instead of 10 s (off by one exponent)",
        "10 * 2 ** (failed_attempt - 1)",
        "10 * 2 ** failed_attempt",
    ),
    Mutant(
        "lifecycle-backoff-cap",
        "the backoff is capped at 300 s instead of 360 s",
        "(failed_attempt - 1), 360)",
        "(failed_attempt - 1), 300)",
    ),
    Mutant(
        "lifecycle-cancel-working",
        "a working job cannot be canceled",
        '    (WORKING, "cancel"): CANCELED,\n',
        "",
    ),
    Mutant(
        "lifecycle-start-sets-started",
        "starting a job does not set started_at",
        "        job.started_ms = now_ms\n",
        "        pass\n",
    ),
    Mutant(
        "lifecycle-exhaust-exit-code",
        "a job that runs out of attempts keeps no exit code",
        "            job.exit_code = exit_code\n",
        "            pass\n",
    ),
    Mutant(
        "lifecycle-deadline-reason",
        "a deadline failure is reported as BackoffLimitExceeded",
        "            job.failed_reason = DEADLINE_EXCEEDED",
        "            job.failed_reason = BACKOFF_LIMIT_EXCEEDED",
    ),
    # -- runtime: attempts, retries and deadlines ---------------------------------------
    Mutant(
        "runtime-attempt-end-epoch",
        "a scripted attempt end voided by sim_finish_job still ends a later attempt",
        "if job.epoch == event.epoch and job.running and job.behavior",
        "if job.running and job.behavior",
    ),
    Mutant(
        "runtime-finish-voids-end",
        "sim_finish_job does not void the attempt's scripted end",
        "    job.running = False\n    job.epoch += 1",
        "    job.running = False",
    ),
    Mutant(
        "runtime-retry-count",
        "a job gets one attempt fewer than backoff_limit + 1",
        "elif n < job.backoff_limit + 1:",
        "elif n < job.backoff_limit:",
    ),
    Mutant(
        "runtime-finish-in-backoff",
        "sim_finish_job is accepted while a job waits in a backoff",
        "    if not job.running:\n        why = (",
        "    if job.status != 'working':\n        why = (",
    ),
    Mutant(
        "runtime-deadline-in-backoff",
        "a deadline does not fire while a job waits in a backoff",
        '    if job.status == WORKING:\n        world.step(job, "deadline")',
        '    if job.status == "working" and job.running:\n        world.step(job, "deadline")',
    ),
    Mutant(
        "runtime-deadline-time",
        "the deadline is one second later than timeout_seconds",
        "world.now + job.timeout_seconds * 1000,",
        "world.now + job.timeout_seconds * 1000 + 1000,",
    ),
    Mutant(
        "runtime-start-only-submitted",
        "sim_start_job starts a job that is not submitted",
        "    if job.status != SUBMITTED:\n        raise conflict(",
        '    if job.status in ("completed", "failed", "canceled"):\n        raise conflict(',
    ),
    # -- scheduler: the event queue ---------------------------------------------------
    Mutant(
        "scheduler-same-ms-order",
        "events due in the same millisecond run in reverse scheduling order",
        "Event(due_ms, self.scheduled, kind, key, epoch)",
        "Event(due_ms, -self.scheduled, kind, key, epoch)",
    ),
    Mutant(
        "scheduler-due-inclusive",
        "an event due exactly at the new time does not run",
        "self._heap[0].due_ms <= until_ms",
        "self._heap[0].due_ms < until_ms",
    ),
    # -- pagination --------------------------------------------------------------------
    Mutant(
        "pagination-full-last-page-next",
        "a full last page gets a next cursor",
        "more = len(found) > limit",
        "more = len(found) >= limit",
    ),
    Mutant(
        "pagination-prev-on-second-page",
        "prev points at an item of the first page instead of being null",
        "prev = before[limit] if len(before) > limit else None",
        "prev = before[-1] if len(before) > 1 else None",
    ),
    Mutant(
        "pagination-cursor-inclusive",
        "the cursor item appears again on the next page",
        "maximum=cursor, inclusive=(True, False)",
        "maximum=cursor, inclusive=(True, True)",
    ),
    Mutant(
        "jobs-foreign-cursor",
        "a cursor of another project's job is accepted by list_jobs",
        "resolve_cursor(world.jobs, cursor, lambda j: j.project_id == project.id)",
        "resolve_cursor(world.jobs, cursor, lambda j: True)",
    ),
    Mutant(
        "jobs-group-filters-replace",
        "a later group filter of list_jobs replaces an earlier one",
        "        if index is project.jobs:\n",
        "        if True:\n",
    ),
    Mutant(
        "jobs-residual-filters-any",
        "list_jobs keeps a job that matches any, not all, of its filters",
        "return all(getattr(job, f) == v for f, v in residual)",
        "return any(getattr(job, f) == v for f, v in residual)",
    ),
    Mutant(
        "batches-default-limit",
        "a listing without limit (list_job_batch_jobs among them) returns 25, not the "
        "schema's default of 20",
        '                found[path] = prop["default"]',
        '                found[path] = 25 if prop["default"] == 20 else prop["default"]',
    ),
    Mutant(
        "batches-foreign-cursor",
        "a cursor of a job outside the batch is accepted by list_job_batch_jobs",
        "lambda j: j.batch_id == batch.id",
        "lambda j: True",
    ),
    # -- cron ---------------------------------------------------------------------------
    Mutant(
        "cron-paused-fires",
        "a paused cron job fires",
        "    if cron.status == CRON_ACTIVE:\n        _fire(world, cron)",
        '    if cron.status != "deleting":\n        _fire(world, cron)',
    ),
    Mutant(
        "cron-working-not-active",
        "Forbid/Replace do not count working runs as active",
        "[*runs.keys(SUBMITTED), *runs.keys(WORKING)]",
        '[*runs.keys("submitted")]',
    ),
    Mutant(
        "cron-forbid-ignored",
        "Forbid starts a new run while one is active",
        "if active and cron.concurrency_policy == FORBID:",
        'if active and cron.concurrency_policy == "Forbidden":',
    ),
    Mutant(
        "cron-replace-keeps-old",
        "Replace does not cancel the active runs",
        "            cancel(world, world.by_seq[seq])  # type: ignore[arg-type]",
        "            pass",
    ),
    Mutant(
        "cron-last-scheduled",
        "a fire does not set last_scheduled_at",
        "    cron.last_scheduled_ms = world.now\n",
        "",
    ),
    Mutant(
        "cron-fire-strictly-after",
        "a cron job fires again at the instant it was anchored",
        "            if ms > after_ms:",
        "            if ms >= after_ms:",
    ),
    # -- clock --------------------------------------------------------------------------
    Mutant(
        "clock-start-without-offset",
        "a start datetime whose zone gives no offset is taken",
        "if dt.tzinfo is None or dt.utcoffset() is None:",
        "if dt.tzinfo is None:",
    ),
    # -- snapshot restore -----------------------------------------------------------------
    Mutant(
        "snapshot-deleting-list",
        "restore takes a cron job whose 'deleting' status and the deleting list disagree",
        "            if (cron.status == CRON_DELETING) != (cron.id in world.deleting):",
        "            if False:",
    ),
    Mutant(
        "snapshot-event-order-twice",
        "restore takes two queued events with the same order",
        "            if event.order in orders:",
        "            if False:",
    ),
    Mutant(
        "snapshot-attempt-bound",
        "restore takes an attempt above backoff_limit + 1",
        'number(job.attempt, "attempt", 0, job.backoff_limit + 1)',
        'number(job.attempt, "attempt", 0, job.backoff_limit + 2)',
    ),
    Mutant(
        "snapshot-started-without-attempt",
        "restore takes a started job with no attempt",
        "    if (job.started_ms is None) != (job.attempt == 0):",
        "    if False:",
    ),
    Mutant(
        "snapshot-rewound-ids",
        "restore looks only one id ahead for a rewound id source",
        "for _ in range(256):",
        "for _ in range(1):",
    ),
    # -- events ---------------------------------------------------------------------------
    Mutant(
        "events-default-direction",
        "get_job_events without direction reads oldest first (the schema's default is not applied)",
        '                found[path] = prop["default"]',
        '                found[path] = "forward" if prop["default"] == "backward" else prop["default"]',
    ),
    Mutant(
        "events-forward-last-page-cursor",
        "a forward read that reaches the end still gets a next_cursor",
        "if hi < len(log) else None",
        "if hi <= len(log) else None",
    ),
    Mutant(
        "events-backward-first-entry",
        "a backward read that reaches the first entry still gets a next_cursor",
        "encode_cursor(direction, job.id, lo) if lo > 0 else None",
        "encode_cursor(direction, job.id, lo) if lo >= 0 else None",
    ),
    Mutant(
        "events-cursor-other-direction",
        "a cursor made by one direction is accepted by the other",
        "    if made_dir != direction:\n",
        "    if False:\n",
    ),
    Mutant(
        "events-cursor-other-job",
        "a cursor made for another job is accepted",
        "if made_job != job_id or position < 0:",
        "if position < 0:",
    ),
    # -- faults ---------------------------------------------------------------------------
    Mutant(
        "faults-fire-times",
        "a fault injected for n calls fails n + 1 calls",
        '    if fault["remaining"] == 0:',
        '    if fault["remaining"] < 0:',
    ),
    Mutant(
        "faults-queue-order",
        "faults of one tool fire newest first",
        "    fault = queue[0]\n",
        "    fault = queue[-1]\n",
    ),
    # -- world: lookups, batch counts, cron bookkeeping ----------------------------------
    Mutant(
        "world-foreign-job",
        "a job of another project is found by id",
        '        if job is None or job.project_id != project.id:\n            raise not_found("job"',
        '        if job is None:\n            raise not_found("job"',
    ),
    Mutant(
        "world-foreign-batch",
        "a batch of another project is found by id",
        "if batch is None or batch.project_id != project.id:",
        "if batch is None:",
    ),
    Mutant(
        "world-foreign-cron",
        "a cron job of another project is found by id",
        "if cron is None or cron.project_id != project.id:",
        "if cron is None:",
    ),
    Mutant(
        "world-batch-count-leaves",
        "a batch's count of the status a job leaves is not decremented",
        "                counts[before] -= 1\n",
        "",
    ),
    Mutant(
        "world-batch-mixed-target",
        "a batch whose jobs name different targets keeps the first target",
        "                batch.target = None\n",
        "",
    ),
    Mutant(
        "world-last-successful",
        "a completed cron run does not set last_successful_at",
        "                    cron.last_successful_ms = job.completed_ms",
        "                    pass",
    ),
    Mutant(
        "world-terminal-voids-events",
        "a finished job's queued events still run",
        "            job.epoch += 1  # nothing queued for a finished job may run",
        "            pass",
    ),
    Mutant(
        "world-slug-lookup",
        "a project cannot be referenced by its slug",
        "found = self.projects.get(ref) or self.slugs.get(ref)\n        if found is None:\n            raise",
        "found = self.projects.get(ref)\n        if found is None:\n            raise",
    ),
    # -- projects, clock ------------------------------------------------------------------
    Mutant(
        "projects-slug-newline",
        "a slug (or any pattern-checked argument) ending in a newline is taken",
        '        if value.endswith("\\n"):',
        "        if False:",
    ),
    Mutant(
        "clock-backwards",
        "the clock may move backwards",
        "        if ms < self.now_ms:",
        "        if False:",
    ),
)
