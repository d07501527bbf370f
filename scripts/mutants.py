"""The mutant set of ``scripts/mutation.py``: one rule of jobsim broken at a time.

Each mutant names the rule it breaks (``breaks``), the exact source text it changes
(``find``, which must occur exactly once under ``jobsim/``) and what it puts there
(``replace``). When code moves, update ``find``/``replace`` so the mutant breaks the
same rule in its new home; never drop a mutant because its text moved. A mutant
that cannot change behaviour is kept with ``equivalent`` saying why, and is not
scored.

``semantic`` marks a mutant that breaks a rule of the contract observable through
valid tool calls: the lifecycle, timing, retries, deadlines, pagination and listing
filters, cron jobs, events, faults, and the relations between records (ownership,
batches, ids, targets). Not semantic: input validation and bounds, schema-pattern
checks, snapshot restore, and the transcript, registry and simulator plumbing.
``scripts/mutation.py --stateful`` measures the stateful and property files on the
semantic mutants: those are what ``JobsStateMachine`` exists to catch.
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
    #: Breaks a rule observable through valid tool calls (see the module docstring).
    semantic: bool = False


MUTANTS: tuple[Mutant, ...] = (
    # -- lifecycle: the transition table and what each step sets ---------------------
    Mutant(
        "lifecycle-backoff-exponent",
        "the backoff doubles from 20 s instead of 10 s (off by one exponent)",
        "10 * 2 ** (failed_attempt - 1)",
        "10 * 2 ** failed_attempt",
        semantic=True,
    ),
    Mutant(
        "lifecycle-backoff-cap",
        "the backoff is capped at 300 s instead of 360 s",
        "(failed_attempt - 1), 360)",
        "(failed_attempt - 1), 300)",
        semantic=True,
    ),
    Mutant(
        "lifecycle-cancel-working",
        "a working job cannot be canceled",
        '    (WORKING, "cancel"): CANCELED,\n',
        "",
        semantic=True,
    ),
    Mutant(
        "lifecycle-start-sets-started",
        "starting a job does not set started_at",
        "        job.started_ms = now_ms\n",
        "        pass\n",
        semantic=True,
    ),
    Mutant(
        "lifecycle-exhaust-exit-code",
        "a job that runs out of attempts keeps no exit code",
        "            job.exit_code = exit_code\n",
        "            pass\n",
        semantic=True,
    ),
    Mutant(
        "lifecycle-deadline-reason",
        "a deadline failure is reported as BackoffLimitExceeded",
        "            job.failed_reason = DEADLINE_EXCEEDED",
        "            job.failed_reason = BACKOFF_LIMIT_EXCEEDED",
        semantic=True,
    ),
    # -- runtime: attempts, retries and deadlines ---------------------------------------
    Mutant(
        "runtime-attempt-end-epoch",
        "a scripted attempt end voided by sim_finish_job still ends a later attempt",
        "if job.epoch == event.epoch and job.running and job.behavior",
        "if job.running and job.behavior",
        semantic=True,
    ),
    Mutant(
        "runtime-finish-voids-end",
        "sim_finish_job does not void the attempt's scripted end",
        "    job.running = False\n    job.epoch += 1",
        "    job.running = False",
        semantic=True,
    ),
    Mutant(
        "runtime-retry-count",
        "a job gets one attempt fewer than backoff_limit + 1",
        "elif n < job.backoff_limit + 1:",
        "elif n < job.backoff_limit:",
        semantic=True,
    ),
    Mutant(
        "runtime-finish-in-backoff",
        "sim_finish_job is accepted while a job waits in a backoff",
        "    if not job.running:\n        why = (",
        "    if job.status != 'working':\n        why = (",
        semantic=True,
    ),
    Mutant(
        "runtime-deadline-in-backoff",
        "a deadline does not fire while a job waits in a backoff",
        '    if job.status == WORKING:\n        world.step(job, "deadline")',
        '    if job.status == "working" and job.running:\n        world.step(job, "deadline")',
        semantic=True,
    ),
    Mutant(
        "runtime-deadline-time",
        "the deadline is one second later than timeout_seconds",
        "world.now + job.timeout_seconds * 1000,",
        "world.now + job.timeout_seconds * 1000 + 1000,",
        semantic=True,
    ),
    Mutant(
        "runtime-start-only-submitted",
        "sim_start_job starts a job that is not submitted",
        "    if job.status != SUBMITTED:\n        raise conflict(",
        '    if job.status in ("completed", "failed", "canceled"):\n        raise conflict(',
        semantic=True,
    ),
    # -- scheduler: the event queue ---------------------------------------------------
    Mutant(
        "scheduler-same-ms-order",
        "events due in the same millisecond run in reverse scheduling order",
        "Event(due_ms, self.scheduled, kind, key, epoch)",
        "Event(due_ms, -self.scheduled, kind, key, epoch)",
        semantic=True,
    ),
    Mutant(
        "scheduler-due-inclusive",
        "an event due exactly at the new time does not run",
        "self._heap[0].due_ms <= until_ms",
        "self._heap[0].due_ms < until_ms",
        semantic=True,
    ),
    # -- pagination --------------------------------------------------------------------
    Mutant(
        "pagination-full-last-page-next",
        "a full last page gets a next cursor",
        "more = len(found) > limit",
        "more = len(found) >= limit",
        semantic=True,
    ),
    Mutant(
        "pagination-prev-on-second-page",
        "prev points at an item of the first page instead of being null",
        "prev = before[limit] if len(before) > limit else None",
        "prev = before[-1] if len(before) > 1 else None",
        semantic=True,
    ),
    Mutant(
        "pagination-cursor-inclusive",
        "the cursor item appears again on the next page",
        "maximum=cursor, inclusive=(True, False)",
        "maximum=cursor, inclusive=(True, True)",
        semantic=True,
    ),
    Mutant(
        "jobs-foreign-cursor",
        "a cursor of another project's job is accepted by list_jobs",
        "resolve_cursor(world.jobs, cursor, lambda j: j.project_id == project.id)",
        "resolve_cursor(world.jobs, cursor, lambda j: True)",
        semantic=True,
    ),
    Mutant(
        "jobs-group-filters-replace",
        "a later group filter of list_jobs replaces an earlier one",
        "        if index is project.jobs:\n",
        "        if True:\n",
        semantic=True,
    ),
    Mutant(
        "jobs-residual-filters-any",
        "list_jobs keeps a job that matches any, not all, of its filters",
        "return all(getattr(job, f) == v for f, v in residual)",
        "return any(getattr(job, f) == v for f, v in residual)",
        semantic=True,
    ),
    Mutant(
        "batches-default-limit",
        "a listing without limit (list_job_batch_jobs among them) returns 25, not the "
        "schema's default of 20",
        '                found[path] = prop["default"]',
        '                found[path] = 25 if prop["default"] == 20 else prop["default"]',
        semantic=True,
    ),
    Mutant(
        "batches-foreign-cursor",
        "a cursor of a job outside the batch is accepted by list_job_batch_jobs",
        "lambda j: j.batch_id == batch.id",
        "lambda j: True",
        semantic=True,
    ),
    # -- cron ---------------------------------------------------------------------------
    Mutant(
        "cron-paused-fires",
        "a paused cron job fires",
        "    if cron.status == CRON_ACTIVE:\n        _fire(world, cron)",
        '    if cron.status != "deleting":\n        _fire(world, cron)',
        equivalent=(
            "a paused cron job never has a live tick: schedule_tick queues ticks only for "
            "active ones, and update_cron_job (on a status change) and delete_cron_job bump "
            "the epoch, voiding the queued one; so the tick handler only ever meets an active "
            "cron job (JobsStateMachine's cron_run_problems checks that no run is made while "
            "paused)"
        ),
        semantic=True,
    ),
    Mutant(
        "cron-working-not-active",
        "Forbid/Replace do not count working runs as active",
        "[*runs.keys(SUBMITTED), *runs.keys(WORKING)]",
        '[*runs.keys("submitted")]',
        semantic=True,
    ),
    Mutant(
        "cron-forbid-ignored",
        "Forbid starts a new run while one is active",
        "if active and cron.concurrency_policy == FORBID:",
        'if active and cron.concurrency_policy == "Forbidden":',
        semantic=True,
    ),
    Mutant(
        "cron-replace-keeps-old",
        "Replace does not cancel the active runs",
        "            cancel(world, world.by_seq[seq])  # type: ignore[arg-type]",
        "            pass",
        semantic=True,
    ),
    Mutant(
        "cron-last-scheduled",
        "a fire does not set last_scheduled_at",
        "    cron.last_scheduled_ms = world.now\n",
        "",
        semantic=True,
    ),
    Mutant(
        "cron-fire-strictly-after",
        "a cron job fires again at the instant it was anchored",
        "            if ms > after_ms:",
        "            if ms >= after_ms:",
        equivalent=(
            "no fire can equal after_ms: cronsim yields a wall time at least a minute after "
            "its start, and localizing it (fold 0 on the naive DST path, wall arithmetic "
            "otherwise) lands on the start instant only if the wall clock moved by exactly "
            "the DST shift inside one repeated interval, which it cannot; the check only "
            "drops first-pass times before the start (a sweep of every minute around 2026's "
            "transitions in 6 zones with 10 schedules found no equal time)"
        ),
        semantic=True,
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
        semantic=True,
    ),
    Mutant(
        "events-forward-last-page-cursor",
        "a forward read that reaches the end still gets a next_cursor",
        "if hi < len(log) else None",
        "if hi <= len(log) else None",
        semantic=True,
    ),
    Mutant(
        "events-backward-first-entry",
        "a backward read that reaches the first entry still gets a next_cursor",
        "encode_cursor(direction, job.id, lo) if lo > 0 else None",
        "encode_cursor(direction, job.id, lo) if lo >= 0 else None",
        semantic=True,
    ),
    Mutant(
        "events-cursor-other-direction",
        "a cursor made by one direction is accepted by the other",
        "    if made_dir != direction:\n",
        "    if False:\n",
        semantic=True,
    ),
    Mutant(
        "events-cursor-other-job",
        "a cursor made for another job is accepted",
        "if made_job != job_id or position < 0:",
        "if position < 0:",
        semantic=True,
    ),
    # -- faults ---------------------------------------------------------------------------
    Mutant(
        "faults-fire-times",
        "a fault injected for n calls fails n + 1 calls",
        '    if fault["remaining"] == 0:',
        '    if fault["remaining"] < 0:',
        semantic=True,
    ),
    Mutant(
        "faults-queue-order",
        "faults of one tool fire newest first",
        "    fault = queue[0]\n",
        "    fault = queue[-1]\n",
        semantic=True,
    ),
    # -- world: lookups, batch counts, cron bookkeeping ----------------------------------
    Mutant(
        "world-foreign-job",
        "a job of another project is found by id",
        '        if job is None or job.project_id != project.id:\n            raise not_found("job"',
        '        if job is None:\n            raise not_found("job"',
        semantic=True,
    ),
    Mutant(
        "world-foreign-batch",
        "a batch of another project is found by id",
        "if batch is None or batch.project_id != project.id:",
        "if batch is None:",
        semantic=True,
    ),
    Mutant(
        "world-foreign-cron",
        "a cron job of another project is found by id",
        "if cron is None or cron.project_id != project.id:",
        "if cron is None:",
        semantic=True,
    ),
    Mutant(
        "world-batch-count-leaves",
        "a batch's count of the status a job leaves is not decremented",
        "                counts[before] -= 1\n",
        "",
        semantic=True,
    ),
    Mutant(
        "world-batch-mixed-target",
        "a batch whose jobs name different targets keeps the first target",
        "                batch.target = None\n",
        "",
        semantic=True,
    ),
    Mutant(
        "world-last-successful",
        "a completed cron run does not set last_successful_at",
        "                    cron.last_successful_ms = job.completed_ms",
        "                    pass",
        semantic=True,
    ),
    Mutant(
        "world-terminal-voids-events",
        "a finished job's queued events still run",
        "            job.epoch += 1  # nothing queued for a finished job may run",
        "            pass",
        equivalent=(
            "every queued job event also checks the job's state before acting (a start "
            "needs submitted, an attempt end a running attempt, a next attempt or a deadline "
            "working), and a finished job is none of these: the epoch bump is a second "
            "guard, seen only in a snapshot's epoch field"
        ),
        semantic=True,
    ),
    Mutant(
        "world-slug-lookup",
        "a project cannot be referenced by its slug",
        "found = self.projects.get(ref) or self.slugs.get(ref)\n        if found is None:\n            raise",
        "found = self.projects.get(ref)\n        if found is None:\n            raise",
        semantic=True,
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
    # -- lifecycle (more) -------------------------------------------------------------------
    Mutant(
        "lifecycle-terminal-completed-at",
        "a job that ends keeps completed_at null",
        '        job.completed_ms = now_ms\n        if event == "succeed":',
        '        if event == "succeed":',
        semantic=True,
    ),
    Mutant(
        "lifecycle-succeed-exit-code",
        "a completed job has no exit code 0",
        "            job.exit_code = 0\n",
        "            job.exit_code = None\n",
        semantic=True,
    ),
    Mutant(
        "lifecycle-step-updated-at",
        "a status change does not move updated_at",
        '    job.updated_ms = now_ms\n    if event == "start":',
        '    if event == "start":',
        semantic=True,
    ),
    # -- runtime (more) ---------------------------------------------------------------------
    Mutant(
        "runtime-start-after",
        "a scripted job starts at once, not after start_after_seconds",
        "world.queue.push(world.now + job.behavior.start_after_ms, JOB_START",
        "world.queue.push(world.now, JOB_START",
        semantic=True,
    ),
    Mutant(
        "runtime-run-seconds",
        "a scripted attempt runs one second longer than run_seconds",
        "world.queue.push(world.now + job.behavior.run_ms, ATTEMPT_END",
        "world.queue.push(world.now + job.behavior.run_ms + 1000, ATTEMPT_END",
        semantic=True,
    ),
    Mutant(
        "runtime-exit-code-per-attempt",
        "every scripted attempt exits with the first attempt's exit code",
        "finish(world, job, job.behavior.exit_code_of(job.attempt))",
        "finish(world, job, job.behavior.exit_code_of(1))",
        semantic=True,
    ),
    Mutant(
        "runtime-advance-past-year-9999",
        "sim_advance_clock takes an advance past the end of the year 9999",
        "if not math.isfinite(seconds) or seconds > room:",
        "if not math.isfinite(seconds):",
    ),
    # -- scheduler (more) -------------------------------------------------------------------
    Mutant(
        "scheduler-zero-advance-runs-hooks",
        "an advance of 0 s runs the advance hooks (drops deleted cron jobs)",
        "    if until_ms > world.now:\n        for check in ADVANCE_CHECKS:",
        "    if until_ms >= world.now:\n        for check in ADVANCE_CHECKS:",
        semantic=True,
    ),
    Mutant(
        "scheduler-event-at-due-time",
        "an event runs at the end of the advance instead of at its due time",
        "        clock.advance_to(event.due_ms)\n",
        "        clock.advance_to(until_ms)\n",
        semantic=True,
    ),
    # -- pagination (more) ------------------------------------------------------------------
    Mutant(
        "pagination-status-filter-ignored",
        "a listing's status filter is ignored",
        "found = page(index.keys(status), cursor_seq, size, keep)",
        "found = page(index.keys(None), cursor_seq, size, keep)",
        semantic=True,
    ),
    Mutant(
        "pagination-status-move-keeps-old",
        "a job that changes status stays listed under its old status",
        "    def move(self, seq: int, old: str, new: str) -> None:\n        self.by_status[old].remove(seq)\n",
        "    def move(self, seq: int, old: str, new: str) -> None:\n",
        semantic=True,
    ),
    Mutant(
        "pagination-missing-owner-with-cursor",
        "a listing of a missing project with a cursor is not_found, not a bad cursor",
        "and self.cursor is not None:\n            raise bad_cursor(self.cursor) from None",
        "and False:\n            raise bad_cursor(self.cursor) from None",
    ),
    # -- jobs (more) ------------------------------------------------------------------------
    Mutant(
        "jobs-batch-of-other-project",
        "create_job adds a job to a batch id another project uses",
        "if batch is not None and batch.project_id != project.id:",
        "if False:",
        semantic=True,
    ),
    Mutant(
        "jobs-config-not-checked",
        "a config is not checked against the target's input_schema",
        "if target is not None and target.validator is not None:",
        "if False:",
    ),
    Mutant(
        "jobs-strict-targets",
        "strict_targets does not refuse an undefined target",
        'if world.strict_targets and args["target"] not in world.targets:',
        "if False:",
    ),
    Mutant(
        "jobs-cancel-terminal-return",
        'cancel_terminal="return" still refuses to cancel a finished job',
        '        if world.cancel_terminal == "return":',
        "        if False:",
        semantic=True,
    ),
    Mutant(
        "jobs-foreign-environment",
        "an environment or branch of another project is accepted",
        "        if found is None or found.project_id != project.id:\n            raise not_found(kind",
        "        if found is None:\n            raise not_found(kind",
        semantic=True,
    ),
    # -- batches (more) ---------------------------------------------------------------------
    Mutant(
        "batches-lists-project-jobs",
        "list_job_batch_jobs lists every job of the project, not the batch's",
        'index = project.job_groups[("batch", batch.id)]',
        "index = project.jobs",
        semantic=True,
    ),
    Mutant(
        "batches-updated-at",
        "a batch's updated_at does not follow its jobs' changes",
        "            self.batches[job.batch_id].updated_ms = self.now\n",
        "            pass\n",
        semantic=True,
    ),
    Mutant(
        "batches-count-opens",
        "a batch does not count the job that joins it",
        "            batch.counts[job.status] += 1\n",
        "            pass\n",
        semantic=True,
    ),
    # -- cron (more) ------------------------------------------------------------------------
    Mutant(
        "cron-schedule-change-keeps-anchor",
        "a schedule or time zone change does not reschedule the cron job",
        'if changed.keys() & {"schedule", "timezone", "status"}:',
        'if changed.keys() & {"status"}:',
        semantic=True,
    ),
    Mutant(
        "cron-update-while-deleting",
        "a cron job being deleted can still be updated",
        '    if cron.status == CRON_DELETING:\n        raise conflict(\n            f"cron job {cron.id} is being deleted;',
        '    if False:\n        raise conflict(\n            f"cron job {cron.id} is being deleted;',
        semantic=True,
    ),
    Mutant(
        "cron-trigger-name",
        "a manually triggered run is not named '<name> (manual)'",
        'f"{cron.name} (manual)"',
        "cron.name",
        semantic=True,
    ),
    Mutant(
        "cron-deleted-never-dropped",
        "a deleted cron job is never dropped at the next advance",
        "        world.drop_cron(cron_id)\n",
        "        pass\n",
        semantic=True,
    ),
    Mutant(
        "cron-schedule-length",
        "a schedule one character over the length bound is taken",
        "if len(expr) > MAX_SCHEDULE_LENGTH:",
        "if len(expr) > MAX_SCHEDULE_LENGTH + 1:",
    ),
    Mutant(
        "cron-tick-bound",
        "an advance that would run one tick more than the bound is taken",
        "over = next(islice(merged, MAX_TICKS_PER_ADVANCE, None), None)",
        "over = next(islice(merged, MAX_TICKS_PER_ADVANCE + 1, None), None)",
    ),
    Mutant(
        "cron-list-environment-filter",
        "list_cron_jobs ignores environment_id",
        'index = project.crons if env is None else project.cron_groups.get(("env", env))',
        "index = project.crons",
        semantic=True,
    ),
    Mutant(
        "cron-noop-update-touches",
        "an update that changes nothing moves updated_at",
        "    if not changed:\n        return cron_dict(cron)\n",
        "",
        semantic=True,
    ),
    # -- events (more) ----------------------------------------------------------------------
    Mutant(
        "events-backward-order",
        "a backward read returns its page oldest first",
        "picked = log[lo:hi][::-1]",
        "picked = log[lo:hi]",
        semantic=True,
    ),
    Mutant(
        "events-attempt-metadata",
        "an event's metadata names the next attempt, not the one it was logged in",
        '"attempt": str(attempt)',
        '"attempt": str(attempt + 1)',
        semantic=True,
    ),
    # -- faults (more) ----------------------------------------------------------------------
    Mutant(
        "faults-pending-count",
        "sim_inject_fault reports this fault's times, not all pending failures of the tool",
        'pending = sum(f["remaining"] for f in queue)',
        "pending = times",
        semantic=True,
    ),
    # -- world (more) -----------------------------------------------------------------------
    Mutant(
        "world-branch-table",
        "a branch id is looked up among environments",
        'table = self.environments if kind == "environment" else self.branches',
        "table = self.environments",
        semantic=True,
    ),
    Mutant(
        "world-created-log",
        "a new job's log has no 'job created' entry",
        '        self.log(job, "info", "job created")\n',
        "",
        semantic=True,
    ),
    # -- projects (more) --------------------------------------------------------------------
    Mutant(
        "projects-slug-conflict",
        "a project slug or id already in use is taken again",
        "if value is not None and (value in world.projects or value in world.slugs):",
        "if False:",
        semantic=True,
    ),
    Mutant(
        "projects-id-not-reused",
        "a drawn project id may equal an id or slug already in use",
        "while ident is None or ident in world.projects or ident in world.slugs:",
        "while ident is None:",
    ),
    # -- clock (more) -----------------------------------------------------------------------
    Mutant(
        "clock-millis-padding",
        "timestamps do not pad milliseconds to three digits",
        'f"{_up_to_second(second)}.{millis:03d}Z"',
        'f"{_up_to_second(second)}.{millis:d}Z"',
    ),
    Mutant(
        "clock-seconds-rounding",
        "seconds become milliseconds by truncation, not rounding",
        "    return round(seconds * 1000)",
        "    return int(seconds * 1000)",
        semantic=True,
    ),
    # -- snapshot (more) --------------------------------------------------------------------
    Mutant(
        "snapshot-slug-twice",
        "restore takes two projects with the same slug",
        "if project.id in world.projects or project.slug in world.slugs:",
        "if project.id in world.projects:",
    ),
    Mutant(
        "snapshot-batch-counts",
        "restore takes a batch whose counts disagree with its jobs",
        "if counts.get(batch.id, dict.fromkeys(STATUSES, 0)) != batch.counts:",
        "if False:",
    ),
    Mutant(
        "snapshot-event-unknown-record",
        "restore takes a queued event for a record not in the snapshot",
        "if event.key not in world.jobs and event.key not in world.crons:",
        "if False:",
    ),
    Mutant(
        "snapshot-time-range",
        "restore takes a timestamp after the clock",
        "if value is not None and not _FIRST_MS <= value <= upto:",
        "if False:",
    ),
    # -- arguments: the rules a schema does not express --------------------------------------
    Mutant(
        "arguments-whole-fraction",
        "a whole-number argument takes a fraction such as 3.5",
        "            if not value.is_integer():\n",
        "            if False:\n",
    ),
    Mutant(
        "arguments-whole-above-range",
        "a whole-number argument one above its maximum is taken",
        "(self.hi is not None and value > self.hi)",
        "(self.hi is not None and value > self.hi + 1)",
    ),
    Mutant(
        "arguments-whole-below-range",
        "a whole-number argument one below its minimum is taken",
        "(self.lo is not None and value < self.lo)",
        "(self.lo is not None and value < self.lo - 1)",
    ),
    Mutant(
        "arguments-seconds-max",
        "a behaviour's seconds above the bound are taken",
        "        if self.hi is not None and value > self.hi:\n",
        "        if False:\n",
    ),
    Mutant(
        "arguments-blank-name",
        "a name of white space only is taken",
        "        if not value.strip():\n",
        "        if not value:\n",
    ),
    Mutant(
        "arguments-uuid",
        "a uuid argument that is not a canonical lowercase UUID is taken",
        "        if value is not None and not is_uuid(value):\n",
        "        if False:\n",
    ),
    Mutant(
        "arguments-json-nonfinite",
        "NaN or infinity inside a JSON argument is taken",
        "            if not math.isfinite(item):\n",
        "            if False:\n",
    ),
    Mutant(
        "arguments-json-key",
        "a JSON object with a non-string key is taken",
        "                if not isinstance(k, str):\n",
        "                if False:\n",
    ),
    # -- registry: running a tool, its rules and defaults -------------------------------------
    Mutant(
        "registry-stated-default-json",
        "a default stated in a description is taken as text, not as its JSON value",
        "                    found[path] = json.loads(m.group(1))",
        "                    found[path] = m.group(1)",
    ),
    Mutant(
        "registry-shallowest-error",
        "a schema refusal names the deepest problem, not the shallowest",
        "return (len(error.absolute_path),",
        "return (-len(error.absolute_path),",
    ),
    Mutant(
        "registry-rule-not-applied",
        "an argument's rule is not applied (3.0 stays a float, 3.5 is taken)",
        "                        holder[key] = rule.apply(path, holder[key])",
        "                        pass",
    ),
    Mutant(
        "registry-nested-default-without-object",
        "a nested default creates its object when the caller gave none",
        "                    continue  # a nested rule or default applies only when its object is given",
        "                    holder = args[head] = {}",
    ),
    Mutant(
        "registry-free-json-rule",
        "a free JSON object argument (config, schemas) gets no JSON rule",
        "            rules[path] = Json()  # free JSON",
        "            pass  # free JSON",
    ),
    Mutant(
        "registry-pattern-anchored",
        "a pattern-checked argument gets no trailing-newline rule",
        '        if "pattern" in prop:\n            rules[path] = Anchored',
        "        if False:\n            rules[path] = Anchored",
    ),
    # -- bounds ---------------------------------------------------------------------------
    Mutant(
        "bounds-depth-plain",
        "the plain-JSON fast path takes one level past MAX_DEPTH",
        "        if generation > max_depth:\n            return False",
        "        if generation > max_depth + 1:\n            return False",
    ),
    Mutant(
        "bounds-depth-problem",
        "the bound walk does not report nesting one level past MAX_DEPTH",
        "        if level > MAX_DEPTH:\n            what",
        "        if level > MAX_DEPTH + 1:\n            what",
    ),
    Mutant(
        "bounds-huge-integer",
        "an integer beyond a double's range inside a value passes the fast path",
        "if -max_number <= member <= max_number:",
        "if True:",
    ),
    Mutant(
        "bounds-nonfinite-float",
        "NaN or infinity inside a value passes the fast path",
        "elif kind is not float or member != member or member in _NOT_FINITE:",
        "elif kind is not float:",
    ),
    Mutant(
        "bounds-fault-times",
        "sim_inject_fault takes times above 2**53",
        "MAX_FAULT_TIMES: Final = 2**53",
        "MAX_FAULT_TIMES: Final = 2**53 + 1",
    ),
    # -- patterns: exponential regexes refused ---------------------------------------------
    Mutant(
        "patterns-variable-repeat",
        "a repeat of variable length inside a repeat ((a+)+) is taken",
        "if outer is not None and low != high:",
        "if False:",
    ),
    Mutant(
        "patterns-alternation",
        "an alternation inside a repeat ((a|ab)*) is taken",
        '                if outer is not None:\n                    return f"an alternation',
        '                if False:\n                    return f"an alternation',
    ),
    Mutant(
        "patterns-group-forgets-repeat",
        "a group inside a repeat forgets the repeat around it",
        "                stack.append((av[3], outer))",
        "                stack.append((av[3], None))",
    ),
    Mutant(
        "patterns-optional-is-repeat",
        "an optional part (?) counts as a repeat, so (a|b)? is refused",
        "if high > 1 else None",
        "if high > 0 else None",
    ),
    Mutant(
        "patterns-property-names",
        "patternProperties keys are not checked",
        "                        yield _at(where, key), name\n",
        "                        pass\n",
    ),
    # -- targets ---------------------------------------------------------------------------
    Mutant(
        "targets-schema-valid",
        "a target schema that is not a valid draft-07 schema is taken",
        "            Draft7Validator.check_schema(schema)\n        except SchemaError",
        "            pass\n        except SchemaError",
    ),
    Mutant(
        "targets-patterns-checked",
        "an input_schema with an exponential pattern is taken",
        'if key == "input_schema":  # the only schema',
        "if False:  # the only schema",
    ),
    Mutant(
        "targets-fanout-bound",
        "a schema applying more than MAX_SCHEMA_FANOUT subschemas to one value is taken",
        "            if total > MAX_SCHEMA_FANOUT:\n",
        "            if total > MAX_SCHEMA_FANOUT * 1000:\n",
    ),
    Mutant(
        "targets-redefine",
        "redefining a target keeps the old definition",
        "    world.targets[target.name] = target\n    return target_dict",
        "    world.targets.setdefault(target.name, target)\n    return target_dict",
        semantic=True,
    ),
    Mutant(
        "targets-output-schema",
        "a target's output_schema is dropped",
        '_checked_schema(args, "output_schema"),',
        "None,",
        semantic=True,
    ),
    # -- transcript storage -------------------------------------------------------------------
    Mutant(
        "transcript-limit",
        "a transcript with a limit keeps one entry fewer",
        "if self._limit is not None and self._total - self._first > self._limit:",
        "if self._limit is not None and self._total - self._first >= self._limit:",
    ),
    Mutant(
        "transcript-sealed-slice",
        "a read from a sealed chunk drops its last entry",
        "out.extend(chunk[max(start - base, 0) : stop - base])",
        "out.extend(chunk[max(start - base, 0) : stop - base][:-1])",
    ),
    Mutant(
        "transcript-thaw-copies",
        "a value given twice in one entry comes back as one shared object",
        "    return copy_json(marshal.loads(frozen))",
        "    return marshal.loads(frozen)",
    ),
    Mutant(
        "transcript-reads-unrecorded",
        "sim_get_transcript calls are recorded in the transcript",
        'UNRECORDED = frozenset({"sim_get_transcript"})',
        "UNRECORDED: frozenset[str] = frozenset()",
    ),
    # -- sim_get_transcript ----------------------------------------------------------------
    Mutant(
        "transcript-tool-forward-next",
        "a forward transcript page that reaches the end still gets next_index",
        "next_index = hi if hi < total else None",
        "next_index = hi if hi <= total else None",
    ),
    Mutant(
        "transcript-tool-backward-next",
        "a backward transcript page that reaches the first entry still gets next_index",
        "next_index = lo if lo > first else None",
        "next_index = lo if lo >= first else None",
    ),
    Mutant(
        "transcript-tool-both-indexes",
        "from_index and before_index together are taken",
        '        if "before_index" in args:\n',
        "        if False:\n",
    ),
    Mutant(
        "transcript-tool-newest-first",
        "a backward transcript page is oldest first",
        "entries = transcript.slice(lo, hi)[::-1]",
        "entries = transcript.slice(lo, hi)",
    ),
    # -- simulator: the one entry point ------------------------------------------------------
    Mutant(
        "simulator-refusals-recorded",
        "a refused call leaves no transcript entry",
        "                if self.record and _recorded(tool):",
        "                if False:",
    ),
    Mutant(
        "simulator-record-off",
        "record=False still records calls",
        "if self.record and spec.name not in UNRECORDED:",
        "if spec.name not in UNRECORDED:",
    ),
    Mutant(
        "simulator-peek-read-only",
        "peek runs a tool that changes the state",
        "        if tool not in READ_ONLY_TOOLS:\n",
        "        if False:\n",
    ),
    Mutant(
        "simulator-fault-taken",
        "a call does not consume its tool's injected fault (the fault never fires)",
        "                fault = faults.take_fault(world, tool)\n                if fault is not None:\n                    raise fault\n",
        "",
        semantic=True,
    ),
)
