"""JobsStateMachine: a Hypothesis stateful test over a :class:`~jobsim.Simulator`.

Drives a simulator through random sequences of calls and checks every invariant
after each step (the record checkers of :mod:`jobsim.checkers`); subclass it to add
your own rules and invariants (see ``docs/hypothesis.md``). The calls, the tracking
and the invariants are in :mod:`jobsim.testing.harness`; the rules are here.
Re-exported by :mod:`jobsim.testing`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, initialize, multiple, precondition, rule

from jobsim.checkers import check, cron_record_problems, page_problems
from jobsim.clock import format_ms
from jobsim.errors import ToolError
from jobsim.lifecycle import (
    ACTIVE,
    ALLOW,
    BACKOFF_LIMIT_EXCEEDED,
    CANCELED,
    COMPLETED,
    CRON_ACTIVE,
    CRON_DELETING,
    CRON_PAUSED,
    DEADLINE_EXCEEDED,
    DEFAULT_BACKOFF,
    DEFAULT_POLICY,
    DEFAULT_TIMEOUT,
    FAILED,
    FORBID,
    POLICIES,
    REPLACE,
    STATUSES,
    SUBMITTED,
    TERMINAL,
    WORKING,
)
from jobsim.registry import TOOLS
from jobsim.testing import strategies as js
from jobsim.testing.harness import MachineHarness
from jobsim.testing.model import ms

__all__ = ["TARGETS", "JobsStateMachine"]

#: Targets every machine defines at the start: a manual one, and scripted ones that
#: retry, fail for good, or run past a short deadline.
TARGETS: Final[dict[str, dict[str, Any] | None]] = {
    "img:resize": None,
    "task:knowledge-ingest": {"start_after_seconds": 2, "run_seconds": 5, "exit_codes": [1, 0]},
    "script:always-fails": {"run_seconds": 1, "exit_codes": [3]},
    "report:slow": {"start_after_seconds": 1, "run_seconds": 900},
}
_SCHEDULES: Final = ("0 * * * *", "*/15 * * * *", "*/5 * * * *", "30 2 * * *", "0 9 * * 1-5")
#: Configs the machine's jobs carry. A fixed set, not ``strategies.configs()``:
#: drawing arbitrary nested JSON cost about 2 ms per ``create_job`` step, about half
#: of an example, and a config changes no lifecycle rule; the property tests feed
#: arbitrary configs through every tool instead.
#: Timeouts drawn besides any: the scripted targets' run times, so that a deadline and an
#: attempt end often fall in the same millisecond (the deadline must win).
_TIMEOUTS: Final = (5, 20, 900)
_FIVE_MINUTES: Final = 300_000
_FAULT_CODES: Final = st.sampled_from(("unavailable", "rate_limited", "internal"))
#: A listing's page size when the call gives no ``limit``, as the schemas state it.
_DEFAULT_LIMIT: Final[int] = TOOLS["list_jobs"].input_schema["properties"]["limit"]["default"]
#: ``get_job_events``'s direction when the call gives none, as its schema states it.
_DEFAULT_DIRECTION: Final[str] = TOOLS["get_job_events"].input_schema["properties"]["direction"][
    "default"
]
_CONFIGS: Final[tuple[dict[str, Any], ...]] = (
    {},
    {"source": "s3://bucket/in.png", "width": 640, "dry_run": False},
    {"tags": ["a", "b"], "limit": None, "ratio": 0.25, "nested": {"deep": [1, {"x": "é"}]}},
    {"": "", "-0": -0.0, "big": 2**53},
)


class JobsStateMachine(MachineHarness):
    """Random sequences of calls to a :class:`~jobsim.Simulator`, with the spec's
    invariants checked after every step.

    Bundles hold ids: :attr:`projects`, :attr:`environments`, :attr:`batches`
    (caller-chosen batch ids, used or not yet), :attr:`jobs` and :attr:`crons`.
    Rules create projects, environments and jobs (in and out of batches), start,
    finish and cancel jobs, advance the clock, create, update, delete and trigger
    cron jobs, look ids up across projects, and page through listings while jobs
    change between pages. Invariants: every output validates against its tool's
    output schema (single records in full, listings by a sample of items), every
    job keeps the lifecycle rules and only moves forward, batch counts match the
    jobs listed, cron records keep theirs, and paging by ``next`` returns every
    item exactly once.

    Beyond records checked against themselves, the machine carries a small model of
    the contract (:mod:`jobsim.testing.model`, written from the spec, not from the
    simulator's code): jobs it drives by hand must have the status, ``updated_at`` and
    end the calls made and the clock imply (backoff timing, deadlines, a finish
    refused during a backoff); no job is still working past its deadline; each cron
    run was made while its cron job was active and, under ``Forbid``/``Replace``,
    only once every earlier run had finished; ``list_jobs`` with any combination of
    filters lists exactly the matching jobs; a foreign cursor is refused; pages
    fetched with nothing changed between them fit exactly (``next`` null exactly when
    no item follows, ``prev`` the cursor of the page before the previous one); and a
    page walk that would loop fails at once. Every tool of the registry has a rule
    (a test pins it).

    Directed rules set up the cases random calls rarely reach, once per run each: a
    deadline and an attempt end in the same millisecond (the deadline wins); a scripted
    attempt ended by hand (its own end must not end the retry); a cron job firing while
    its run works, under each policy; a job failing all eight attempts (every backoff,
    up to the cap); a page without ``limit``; a target redefined. Besides: every filter
    of ``list_jobs`` and ``list_cron_jobs`` applies, event logs begin with the job's
    creation and end in its status, events cursors serve only their own read, faults
    of one tool fire oldest first, and the clock moves by the rounded milliseconds.
    Each check's failure message names the rule it belongs to.

    The invariants are incremental: after a step they look at what that step's calls
    (through :meth:`call` and :meth:`expect_error`) could have changed. A job a call
    made, changed or named (a refused call too) is read again where the listing
    shows it (its own page), with its batch and cron job; after ``sim_advance_clock``
    every project with a job that time can move (not finished, not a submitted job
    of a target with no behaviour) or a cron job is listed whole, and a batch whose
    summary moved; after any tool whose effects are not confined to the ids it names,
    every 25 steps, and at :meth:`teardown`, they list everything.

    Subclass it to add rules and invariants: call tools with :meth:`call` (which
    checks the output) or :meth:`expect_error`, draw ids from the bundles, and
    override :meth:`observe` to see every successful call. Run it with
    ``TestJobs = MyMachine.TestCase`` or
    :func:`hypothesis.stateful.run_state_machine_as_test`.
    """

    projects: ClassVar[Bundle[str]] = Bundle("projects")
    environments: ClassVar[Bundle[str]] = Bundle("environments")
    batches: ClassVar[Bundle[str]] = Bundle("batches")
    jobs: ClassVar[Bundle[str]] = Bundle("jobs")
    crons: ClassVar[Bundle[str]] = Bundle("crons")

    def __init__(self) -> None:
        super().__init__()
        #: the directed rules that acted in this run (see :meth:`_first_time`)
        self._acted: set[str] = set()

    def _first_time(self, rule: str) -> bool:
        """True the first time ``rule`` asks in a run. The directed rules (each makes
        jobs or moves the clock a long way to set up one case) act once per run, so
        the jobs and cron runs they add stay few and the steps after them cheap; a
        flag in the body, not a precondition, because benchmarks/ builds an
        empty-bodied copy whose preconditions run without the machine's attributes."""
        if rule in self._acted:
            return False
        self._acted.add(rule)
        return True

    # -- setup ----------------------------------------------------------------------

    def _setup(self) -> str:
        """Define the targets and the first project once, whichever initialize rule
        runs first; return the first project's id."""
        if not self.slugs:
            for name, behavior in TARGETS.items():
                args: dict[str, Any] = {"name": name}
                if behavior is not None:
                    args["behavior"] = behavior
                self.call("sim_define_target", **args)
            self.manual_targets = {name for name, behavior in TARGETS.items() if behavior is None}
            self._project("acme")
        return next(iter(self.slugs))

    @initialize(target=projects)
    def first_project(self) -> str:
        """Every machine starts with targets, a project, an environment and a batch id,
        so no bundle is ever empty."""
        return self._setup()

    @initialize(target=environments)
    def first_environment(self) -> str:
        return self._environment(self._setup(), "production")

    @initialize(target=batches, batch_id=js.uuids())
    def first_batch_id(self, batch_id: str) -> str:
        return batch_id

    # -- projects and environments ----------------------------------------------------

    @rule(target=projects, slug=js.slugs())
    def create_project(self, slug: str) -> Any:
        if slug in self.slugs.values():
            self.expect_error("conflict", "sim_create_project", slug=slug)
            return multiple()
        return self._project(slug)

    def _project(self, slug: str) -> str:
        out = self.call("sim_create_project", slug=slug)
        assert out["slug"] == slug
        self.slugs[out["id"]] = slug
        return str(out["id"])

    @rule(target=environments, project=projects, name=js.names())
    def create_environment(self, project: str, name: str) -> str:
        return self._environment(project, name)

    def _environment(self, project: str, name: str) -> str:
        out = self.call("sim_create_environment", project_reference=project, name=name)
        assert out["project_id"] == project
        self.owner[out["id"]] = project
        return str(out["id"])

    @rule(target=batches, batch_id=js.uuids())
    def choose_batch_id(self, batch_id: str) -> str:
        """The caller picks a batch id: a batch exists from its first job."""
        return batch_id

    # -- jobs -----------------------------------------------------------------------

    @rule(
        target=jobs,
        project=projects,
        name=js.names(),
        target_name=st.sampled_from(tuple(TARGETS)),
        config=st.sampled_from(_CONFIGS),
        batch=st.none() | batches,
        environment=st.none() | environments,
        timeout=st.none() | st.sampled_from(_TIMEOUTS) | st.integers(1, 900),
        backoff=st.none() | st.integers(0, 4),
        by_slug=st.booleans(),
    )
    def create_job(
        self,
        project: str,
        name: str,
        target_name: str,
        config: dict[str, Any],
        batch: str | None,
        environment: str | None,
        timeout: int | None,
        backoff: int | None,
        by_slug: bool,
    ) -> Any:
        args: dict[str, Any] = {
            "project_reference": self.ref(project) if by_slug else project,
            "name": name,
            "target": target_name,
            "config": config,
        }
        for key, value in (
            ("batch_id", batch),
            ("environment_id", environment),
            ("timeout_seconds", timeout),
            ("backoff_limit", backoff),
        ):
            if value is not None:
                args[key] = value
        if environment is not None and self.owner[environment] != project:
            self.expect_error("not_found", "create_job", **args)
            return multiple()
        if batch is not None and self.batch_owner.get(batch, project) != project:
            error = self.expect_error("conflict", "create_job", **args)
            assert self.batch_owner[batch] not in error.message, "the conflict names a project"
            return multiple()
        out = self.call("create_job", **args)
        assert out["status"] == SUBMITTED
        assert out["created_at"] == self.sim.now
        assert out["project_id"] == project
        assert out["batch_id"] == batch
        assert out["config"] == config
        assert out["timeout_seconds"] == (DEFAULT_TIMEOUT if timeout is None else timeout)
        assert out["backoff_limit"] == (DEFAULT_BACKOFF if backoff is None else backoff)
        if batch is not None:
            self.batch_owner[batch] = project
        return out["id"]

    @rule(
        target=jobs,
        batch=batches,
        project=projects,
        count=st.integers(1, 8),
        target_name=st.sampled_from(tuple(TARGETS)),
        backoff=st.integers(0, 2),
    )
    def create_batch_jobs(
        self, batch: str, project: str, count: int, target_name: str, backoff: int
    ) -> Any:
        """Several jobs into one batch at once (in the batch's project, if it has one)."""
        project = self.batch_owner.get(batch, project)
        made = []
        for n in range(count):
            out = self.call(
                "create_job",
                project_reference=project,
                name=f"item {n}",
                target=target_name,
                batch_id=batch,
                backoff_limit=backoff,
                timeout_seconds=120,
            )
            made.append(out["id"])
        self.batch_owner[batch] = project
        summary = self.call("get_job_batch", project_reference=project, batch_id=batch)
        assert summary["status_counts"][SUBMITTED] >= count
        return multiple(*made)

    @rule(job=jobs)
    def start_job(self, job: str) -> None:
        self._start(job)

    @precondition(lambda self: self._with_status(SUBMITTED))
    @rule(pick=st.integers(0, 1000))
    def start_a_submitted_job(self, pick: int) -> None:
        """Start a job last seen ``submitted`` (random bundle picks rarely are)."""
        found = self._with_status(SUBMITTED)
        self._start(found[pick % len(found)])

    def _start(self, job: str) -> None:
        before = self.job(job)
        project = self.owner[job]
        if before["status"] != SUBMITTED:
            self.expect_error("conflict", "sim_start_job", project_reference=project, job_id=job)
            return
        out = self.call("sim_start_job", project_reference=project, job_id=job)
        assert out["status"] == WORKING
        assert out["started_at"] == self.sim.now

    @rule(job=jobs, exit_code=st.sampled_from((0, 1, 137)) | st.integers(0, 255))
    def finish_job(self, job: str, exit_code: int) -> None:
        self._finish(job, exit_code)

    @precondition(lambda self: self._with_status(WORKING))
    @rule(pick=st.integers(0, 1000), exit_code=st.sampled_from((0, 1, 137)))
    def finish_a_working_job(self, pick: int, exit_code: int) -> None:
        """End the running attempt of a job last seen ``working``."""
        found = self._with_status(WORKING)
        self._finish(found[pick % len(found)], exit_code)

    def _with_status(self, status: str) -> list[str]:
        return sorted(j for j, r in self.seen.items() if r["status"] == status)

    @precondition(lambda self: any(model.end is None for model in self.manual.values()))
    @rule(
        pick=st.integers(0, 1000),
        exit_code=st.sampled_from((0, 1, 1, 137)),
        wait=st.sampled_from((0, 5, 10, 15, 30, 70)),
    )
    def drive_a_job_by_hand(self, pick: int, exit_code: int, wait: int) -> None:
        """Take a job driven by hand through an attempt (start it if submitted, end its
        running attempt with ``exit_code``, and try again during the backoff that may
        follow: refused, as the model predicts), then let ``wait`` seconds pass and
        compare it with the model (backoffs end, deadlines fire, also mid-backoff)."""
        live = sorted(job for job, model in self.manual.items() if model.end is None)
        job = live[pick % len(live)]
        if self.job(job)["status"] == SUBMITTED:  # the read settles and checks the model
            self._start(job)
        self._finish(job, exit_code)
        if self.manual[job].in_backoff():  # a failed attempt with retries left:
            self._finish(job, exit_code)  # no attempt runs now, so this is refused
        if wait:
            self.call("sim_advance_clock", seconds=wait)
            self.job(job)

    def _finish(self, job: str, exit_code: int) -> None:
        before = self.job(job)  # also settles the model and compares it
        args = {"project_reference": self.owner[job], "job_id": job, "exit_code": exit_code}
        model = self.manual.get(job)
        if before["status"] != WORKING or (model is not None and model.in_backoff()):
            self.expect_error("conflict", "sim_finish_job", **args)
            return
        if model is not None:  # the model says an attempt runs: it must end now
            self.call("sim_finish_job", **args)
            return
        try:
            out = self.call("sim_finish_job", **args)
        except ToolError as error:
            refused: ToolError | None = error
        else:
            refused = None
        if refused is not None:  # a working job in a backoff has no running attempt
            if refused.code != "conflict":
                raise AssertionError(f"sim_finish_job on a working job: {refused}")
            return
        if exit_code == 0:
            assert out["status"] == COMPLETED
            assert out["completed_at"] == self.sim.now
        elif out["status"] == FAILED:
            assert out["exit_code"] == exit_code
            assert out["failed_reason"] == BACKOFF_LIMIT_EXCEEDED
        else:
            assert out["status"] == WORKING
            assert out["updated_at"] == self.sim.now

    @rule(job=jobs)
    def cancel_job(self, job: str) -> None:
        before = self.job(job)
        args = {"project_reference": self.owner[job], "job_id": job}
        if before["status"] in TERMINAL:
            if self.sim_option("cancel_terminal", "conflict") == "return":
                assert self.call("cancel_job", **args) == before
            else:
                self.expect_error("conflict", "cancel_job", **args)
            return
        out = self.call("cancel_job", **args)
        assert out["status"] == CANCELED
        assert out["completed_at"] == self.sim.now
        assert out["started_at"] == before["started_at"]

    @rule(project=projects, name=js.names())
    def create_branch(self, project: str, name: str) -> None:
        out = self.call("sim_create_branch", project_reference=project, name=name)
        assert out["project_id"] == project
        assert out["name"] == name

    @rule(project=projects, target_name=st.sampled_from((*TARGETS, "img:never-defined")))
    def read_a_target(self, project: str, target_name: str) -> None:
        """A defined target's contract names it and its family; any other is not_found."""
        if target_name not in TARGETS:
            self.expect_error(
                "not_found", "get_job_target", project_reference=project, target_name=target_name
            )
            return
        out = self.call("get_job_target", project_reference=project, target_name=target_name)
        assert out["target"] == target_name
        assert out["family"] == target_name.split(":", 1)[0]

    @rule(job=jobs, code=st.sampled_from(("unavailable", "rate_limited", "internal")))
    def a_fault_fails_the_next_call(self, job: str, code: str) -> None:
        """An injected fault fails the next call of its tool with its code, and only that
        one: the call after it answers as usual (SPEC section 13)."""
        self.call("sim_inject_fault", tool="get_job", code=code)
        args = {"project_reference": self.owner[job], "job_id": job}
        self.expect_error(code, "get_job", **args)
        assert self.job(job)["id"] == job

    @rule(limit=st.integers(1, 5))
    def read_the_transcript(self, limit: int) -> None:
        """``sim_get_transcript`` pages newest first, within its limit."""
        out = self.call("sim_get_transcript", limit=limit)
        indexes = [entry["index"] for entry in out["entries"]]
        assert len(indexes) <= limit
        assert indexes == sorted(indexes, reverse=True)
        assert all(out["first_index"] <= i < out["total"] for i in indexes)

    @rule(job=jobs, project=projects)
    def look_up_across_projects(self, job: str, project: str) -> None:
        """An id looked up through a project that does not own it is not_found."""
        if self.owner[job] == project:
            assert self.job(job)["project_id"] == project
        else:
            self.expect_error("not_found", "get_job", project_reference=project, job_id=job)

    @rule(batch_id=js.uuids(), slug=js.slugs())
    def look_up_batches_and_crons_across_projects(self, batch_id: str, slug: str) -> None:
        """A job, batch or cron job looked up through a project that does not own it is
        not_found, and a job of another project cannot join a batch (SPEC sections 5
        and 6: every id is scoped to its project). Once per run: a batch and a cron job
        of the first project, reached through another."""
        if batch_id in self.batch_owner or not self._first_time("look_up_across"):
            return
        first = next(iter(self.slugs))
        others = [p for p in self.slugs if p != first]
        if others:
            other = others[0]
        elif slug not in self.slugs.values():
            other = self._project(slug)
        else:
            return
        job = self._new_job(first, "batched", "img:resize", batch_id=batch_id)
        self.batch_owner[batch_id] = first
        cron = self._new_cron(first, name="scoped", target="img:resize", schedule="0 9 * * 1-5")
        rule = "look_up_batches_and_crons_across_projects"
        self._expect_refusal(rule, "not_found", "get_job", project_reference=other, job_id=job)
        # a batch id belongs to the project of its first job: another project's job
        # cannot join it
        self._expect_refusal(
            rule,
            "conflict",
            "create_job",
            project_reference=other,
            name="joins",
            target="img:resize",
            batch_id=batch_id,
        )
        self._expect_refusal(
            rule, "not_found", "get_job_batch", project_reference=other, batch_id=batch_id
        )
        self._expect_refusal(
            rule, "not_found", "get_cron_job", project_reference=other, cron_job_id=cron
        )

    @rule(
        job=jobs,
        direction=st.sampled_from(("backward", "forward", None)),
        limit=st.integers(1, 5),
    )
    def read_events(self, job: str, direction: str | None, limit: int) -> None:
        """A job's events, paged by ``next_cursor``: in time order, newest first when
        ``backward``; without ``direction``, in the schema's default one."""
        args = {"project_reference": self.owner[job], "job_id": job}
        if direction is None:
            direction = _DEFAULT_DIRECTION
        else:
            args["direction"] = direction
        entries: list[dict[str, Any]] = []
        cursor = None
        while True:
            extra: dict[str, Any] = {} if cursor is None else {"cursor": cursor}
            out = self.call("get_job_events", limit=limit, **args, **extra)
            assert len(out["entries"]) <= limit
            assert out["entries"] or cursor is None, (
                f"read_events: get_job_events {direction} gave next_cursor {cursor!r}, but "
                "nothing followed it (next_cursor is null on the last page)"
            )
            entries.extend(out["entries"])
            cursor = out["next_cursor"]
            if cursor is None:
                break
        stamps = [e["timestamp"] for e in entries]
        in_time_order = entries[::-1] if direction == "backward" else entries
        first = in_time_order[0]["metadata"] if in_time_order else None
        assert first == {"job_id": job, "status": SUBMITTED, "attempt": "0"}, (
            f"read_events: job {job}'s log begins with {first}, not its creation (status "
            'submitted, attempt "0": SPEC section 10)'
        )
        status = self.job(job)["status"]
        assert in_time_order[-1]["metadata"]["status"] == status, (
            f"read_events: job {job} is {status}, but its latest event says "
            f"{in_time_order[-1]['metadata']['status']} (every lifecycle change is logged)"
        )
        how = "given" if "direction" in args else "the default"
        assert stamps == sorted(stamps, reverse=direction == "backward"), (
            f"read_events: get_job_events {direction} ({how}) returned events out of order: "
            f"{stamps}"
        )
        assert all(e["metadata"]["job_id"] == job for e in entries)

    @rule(job=jobs, other=jobs)
    def an_events_cursor_serves_only_its_read(self, job: str, other: str) -> None:
        """A ``get_job_events`` cursor is refused by the other direction and by another
        job's events (SPEC section 10): it names a place in one job's log, read one way."""
        project = self.owner[job]
        args = {"project_reference": project, "job_id": job, "limit": 1}
        cursor = self.call("get_job_events", direction="backward", **args)["next_cursor"]
        if cursor is None:
            return
        rule = "an_events_cursor_serves_only_its_read"
        self._expect_refusal(
            rule, "invalid_arguments", "get_job_events", direction="forward", cursor=cursor, **args
        )
        if other != job and self.owner[other] == project:
            args["job_id"] = other
            self._expect_refusal(
                rule,
                "invalid_arguments",
                "get_job_events",
                direction="backward",
                cursor=cursor,
                **args,
            )

    @rule(job=jobs, first=_FAULT_CODES, second=_FAULT_CODES)
    def faults_of_one_tool_fire_in_order(self, job: str, first: str, second: str) -> None:
        """Faults injected for one tool fail its next calls oldest first, each as many
        times as injected; ``pending`` counts every failure still queued for the tool
        (SPEC section 13)."""
        out = self.call("sim_inject_fault", tool="get_job", code=first)
        assert out["pending"] == 1, (
            f"faults_of_one_tool_fire_in_order: pending {out['pending']}, not 1"
        )
        out = self.call("sim_inject_fault", tool="get_job", code=second, times=2)
        assert out["pending"] == 3, (
            f"faults_of_one_tool_fire_in_order: pending {out['pending']}, not 3"
        )
        args = {"project_reference": self.owner[job], "job_id": job}
        for code in (first, second, second):
            self._expect_refusal("faults_of_one_tool_fire_in_order", code, "get_job", **args)
        assert self.job(job)["id"] == job

    @rule(description=js.names())
    def redefine_a_target(self, description: str) -> None:
        """``sim_define_target`` on a defined name replaces the whole definition: the new
        description and output schema, and no input schema left over (SPEC section 10).
        Once per run (compiling schemas is costly)."""
        if not self._first_time("redefine_a_target"):
            return
        name = "img:redefined"
        first = {"type": "object", "required": ["url"]}
        self.call(
            "sim_define_target",
            name=name,
            description="first",
            input_schema={"type": "object"},
            output_schema=first,
        )
        project = next(iter(self.slugs))
        out = self.call("get_job_target", project_reference=project, target_name=name)
        assert out["output_schema"] == first, (
            f"redefine_a_target: get_job_target shows output_schema {out['output_schema']!r}, "
            f"not the one defined, {first!r}"
        )
        second = {"type": "object"}
        self.call("sim_define_target", name=name, description=description, output_schema=second)
        out = self.call("get_job_target", project_reference=project, target_name=name)
        expected = {
            "target": name,
            "family": "img",
            "description": description,
            "input_schema": None,
            "output_schema": second,
        }
        assert out == expected, (
            f"redefine_a_target: after redefining {name}, get_job_target shows {out}, not the "
            f"new definition {expected}"
        )

    @rule(target=jobs, project=projects, name=js.names())
    def a_job_on_a_branch(self, project: str, name: str) -> str:
        """A job made on one of its project's branches names it (SPEC section 5)."""
        branch = self.call("sim_create_branch", project_reference=project, name=name)["id"]
        try:
            out = self.call(
                "create_job",
                project_reference=project,
                name=name,
                target="img:resize",
                branch_id=branch,
            )
        except ToolError as error:
            raise AssertionError(
                f"a_job_on_a_branch: create_job on branch {branch}, just made in the job's "
                f"project, was refused: {error}"
            ) from None
        assert out["branch_id"] == branch, (
            f"a_job_on_a_branch: job {out['id']} made on branch {branch} has branch_id "
            f"{out['branch_id']!r}"
        )
        return str(out["id"])

    @rule(target=crons, environment=environments, status=st.none() | st.just(CRON_ACTIVE))
    def list_cron_jobs_by_environment(self, environment: str, status: str | None) -> str:
        """A cron job made in an environment is listed by ``list_cron_jobs`` with that
        ``environment_id``, which lists only that environment's cron jobs."""
        project = self.owner[environment]
        cron = self._new_cron(
            project,
            name="in an environment",
            target="img:resize",
            schedule="0 9 * * 1-5",
            environment_id=environment,
        )
        filters = {"environment_id": environment} | ({} if status is None else {"status": status})
        listed = self._all("list_cron_jobs", project_reference=project, **filters)
        assert cron in {c["id"] for c in listed}, (
            f"list_cron_jobs_by_environment: list_cron_jobs {filters} misses cron job {cron}"
        )
        others = [c["id"] for c in listed if c["environment_id"] != environment]
        assert not others, (
            f"list_cron_jobs_by_environment: list_cron_jobs {filters} lists cron jobs of "
            f"other environments: {others}"
        )
        return cron

    def _new_job(self, project: str, name: str, target: str, **extra: Any) -> str:
        """Create a job for a directed rule; its id."""
        out = self.call("create_job", project_reference=project, name=name, target=target, **extra)
        return str(out["id"])

    def _new_cron(self, project: str, **arguments: Any) -> str:
        """Create a cron job for a directed rule and track it; its id."""
        return self._made_cron(self.call("create_cron_job", project_reference=project, **arguments))

    def _expect_refusal(self, rule: str, code: str, tool: str, /, **arguments: Any) -> None:
        """:meth:`expect_error`, its failure message naming the rule that was broken."""
        try:
            self.expect_error(code, tool, **arguments)
        except AssertionError as error:
            raise AssertionError(f"{rule}: {error}") from None

    # -- time -----------------------------------------------------------------------

    @rule(
        # 0.0006 s and 1.0007 s round up, where truncation would not
        seconds=st.sampled_from((0, 1, 5, 10, 20, 40, 60, 300, 0.0006, 1.0007))
        | st.integers(0, 3600)
    )
    def advance_clock(self, seconds: float) -> None:
        """The clock moves by ``seconds`` rounded to the millisecond (SPEC section 9)."""
        before = ms(self.sim.now)
        out = self.call("sim_advance_clock", seconds=seconds)
        assert ms(out["now"]) - before == round(seconds * 1000), (
            f"advance_clock: sim_advance_clock {seconds} s moved the clock "
            f"{ms(out['now']) - before} ms, not {seconds} s rounded to the millisecond"
        )
        assert out["now"] == self.sim.now

    @rule(target=jobs, project=projects)
    def scripted_jobs_keep_time(self, project: str) -> Any:
        """Three jobs of ``task:knowledge-ingest`` (it starts 2 s after creation; its
        attempts run 5 s and exit 1, then 0), read 23.001 s after creation (SPEC sections 4,
        9 and 10). With one retry and a long timeout: attempt 1 from 2 s to 7 s, the
        10 s backoff, attempt 2 from 17 s, completed at 22 s. With timeout 5 s and no
        retry, the first attempt ends at the deadline; with timeout 20 s and one retry,
        the second does: the deadline, scheduled first (at the start), wins the tie.
        Once per run."""
        if not self._first_time("scripted_jobs_keep_time"):
            return multiple()
        made = {
            self._new_job(
                project,
                "on time",
                "task:knowledge-ingest",
                timeout_seconds=timeout,
                backoff_limit=1 if timeout > 5 else 0,
            ): timeout
            for timeout in (900, 5, 20)
        }
        created = ms(self.sim.now)
        self.advance_clock(23.0006)  # checks the clock moved 23,001 ms
        for job, timeout in made.items():
            out = self.job(job)
            assert ms(out["started_at"]) == created + 2000, (
                f"scripted_jobs_keep_time: job {job} started at {out['started_at']}, not "
                "start_after_seconds (2 s) after its creation"
            )
            got = (out["status"], out["failed_reason"], out["completed_at"])
            expected: tuple[str, str | None, str]
            if timeout == 900:
                expected = (COMPLETED, None, format_ms(created + 22_000))
                why = "two 5 s attempts exiting 1 then 0, 10 s apart, complete it at 22 s"
            else:
                expected = (FAILED, DEADLINE_EXCEEDED, format_ms(created + 2000 + timeout * 1000))
                why = (
                    "its deadline and an attempt end fell in the same millisecond, and the "
                    "deadline, scheduled first, must win"
                )
            assert got == expected, (
                f"scripted_jobs_keep_time: job {job} (timeout {timeout} s) is {got} "
                f"(status, failed_reason, completed_at), not {expected}: {why}"
            )
        return multiple(*made)

    @rule(target=jobs, project=projects)
    def a_finish_by_hand_voids_the_scripted_end(self, project: str) -> Any:
        """``sim_finish_job`` takes over a scripted attempt: the attempt's own end, still
        queued, must not end the next attempt (SPEC section 9). ``report:slow`` starts 1 s
        after creation and runs 900 s: failed by hand at 2 s, it retries at 12 s, so at
        905 s, past the voided end (901 s), the retry still works. Once per run."""
        if not self._first_time("a_finish_by_hand_voids_the_scripted_end"):
            return multiple()
        job = self._new_job(project, "voided", "report:slow", timeout_seconds=3600)
        created = ms(self.sim.now)
        self.call("sim_advance_clock", seconds=2)
        self.call("sim_finish_job", project_reference=project, job_id=job, exit_code=1)
        self.call("sim_advance_clock", seconds=903)
        out = self.job(job)
        assert (out["status"], ms(out["updated_at"])) == (WORKING, created + 12_000), (
            f"a_finish_by_hand_voids_the_scripted_end: job {job} is {out['status']} "
            f"(updated_at {out['updated_at']}) 905 s after creation; its first attempt was "
            "ended by hand at 2 s, so its retry (from 12 s, 900 s long) must still work"
        )
        return job

    @rule(target=jobs, project=projects)
    def a_deadline_ends_a_backoff(self, project: str) -> Any:
        """A job whose deadline falls while it waits in a backoff fails by
        ``DeadlineExceeded`` at the deadline, not when the next attempt would start
        (SPEC section 4: a working job, running or not). Driven by hand: timeout 5 s, its
        first attempt fails at once, so the backoff lasts to 10 s. Once per run."""
        if not self._first_time("a_deadline_ends_a_backoff"):
            return multiple()
        job = self._new_job(project, "deadline in a backoff", "img:resize", timeout_seconds=5)
        self._start(job)
        started = ms(self.sim.now)
        self._finish(job, 1)
        self.call("sim_advance_clock", seconds=6)
        try:
            out = self.job(job)  # also compared with the model
        except AssertionError as error:
            raise AssertionError(f"a_deadline_ends_a_backoff: {error}") from None
        got = (out["status"], out["failed_reason"], out["completed_at"])
        expected = (FAILED, DEADLINE_EXCEEDED, format_ms(started + 5000))
        assert got == expected, (
            f"a_deadline_ends_a_backoff: job {job} is {got} (status, failed_reason, "
            f"completed_at) 6 s after its start, not {expected}: its deadline fell in its "
            "backoff"
        )
        return job

    @rule(target=jobs, project=projects)
    def a_job_fails_every_attempt_by_hand(self, project: str) -> Any:
        """A job driven by hand fails all ``backoff_limit + 1`` attempts (once per run):
        read exactly when each backoff ends, it has just begun its next attempt (the
        model's backoffs: 10 s doubling, at most 360 s, SPEC section 4), and after the
        last it fails by ``BackoffLimitExceeded``. Seven retries reach the cap."""
        if not self._first_time("a_job_fails_every_attempt_by_hand"):
            return multiple()
        job = self._new_job(project, "ladder", "img:resize", timeout_seconds=3600, backoff_limit=7)
        model = self.manual[job]
        self._start(job)
        while model.end is None:
            self._finish(job, 1)  # reads the job first: compared with the model
            if model.backoff_until is not None:
                wait = (model.backoff_until - model.updated_ms) / 1000
                # to the backoff's end: the next _finish reads the job there first, and
                # the model says its next attempt has just begun
                self.call("sim_advance_clock", seconds=wait)
        reason = self.job(job)["failed_reason"]
        assert reason == BACKOFF_LIMIT_EXCEEDED, (
            f"a_job_fails_every_attempt_by_hand: job {job} failed all 8 attempts by hand "
            f"but its failed_reason is {reason!r}, not {BACKOFF_LIMIT_EXCEEDED}"
        )
        return job

    # -- cron jobs ------------------------------------------------------------------

    @rule(
        target=crons,
        project=projects,
        name=js.names(),
        target_name=st.sampled_from(tuple(TARGETS)),
        schedule=st.sampled_from(_SCHEDULES),
        timezone=js.timezones(),
        policy=st.none() | st.sampled_from(POLICIES),
    )
    def create_cron(
        self,
        project: str,
        name: str,
        target_name: str,
        schedule: str,
        timezone: str,
        policy: str | None,
    ) -> str:
        args: dict[str, Any] = {
            "project_reference": project,
            "name": name,
            "target": target_name,
            "schedule": schedule,
            "timezone": timezone,
        }
        if policy is not None:
            args["concurrency_policy"] = policy
        out = self.call("create_cron_job", **args)
        check(cron_record_problems(out), "cron job")
        assert out["status"] == CRON_ACTIVE
        assert out["last_scheduled_at"] is None
        assert out["concurrency_policy"] == (policy or DEFAULT_POLICY)
        return self._made_cron(out)

    def _made_cron(self, out: dict[str, Any]) -> str:
        self.owner[out["id"]] = out["project_id"]
        self.cron_state[out["id"]] = CRON_ACTIVE
        return str(out["id"])

    @rule(target=crons, project=projects, policy=st.sampled_from(POLICIES))
    def a_cron_fires_while_its_run_works(self, project: str, policy: str) -> Any:
        """A cron job of ``report:slow`` every 5 minutes (a run starts 1 s after its fire
        and works 900 s): at the second fire the first run is working, which counts as
        active (SPEC section 8). ``Forbid`` skips that fire; ``Replace`` cancels the
        working run and makes a new one; ``Allow`` makes a second run beside it. Then it
        is deleted. Once per run."""
        if not self._first_time("a_cron_fires_while_its_run_works"):
            return multiple()
        cron = self._new_cron(
            project,
            name="busy",
            target="report:slow",
            schedule="*/5 * * * *",
            concurrency_policy=policy,
            timeout_seconds=900,
        )
        now = ms(self.sim.now)
        second = (now // _FIVE_MINUTES + 2) * _FIVE_MINUTES  # fires are strictly after now
        self.call("sim_advance_clock", seconds=(second - now) / 1000 + 2)
        runs = [
            (r["status"], r["completed_at"] and ms(r["completed_at"]))
            for r in self.all_jobs(project, cron_job_id=cron)[::-1]  # oldest first
        ]
        expected = {
            ALLOW: [(WORKING, None), (WORKING, None)],
            FORBID: [(WORKING, None)],
            REPLACE: [(CANCELED, second), (WORKING, None)],
        }[policy]
        assert runs == expected, (
            f"a_cron_fires_while_its_run_works: under {policy}, 2 s after its second fire "
            f"cron job {cron}'s runs are {runs} (status, completed_at ms), not {expected}: "
            "a working run is active"
        )
        record = self.call("get_cron_job", project_reference=project, cron_job_id=cron)
        last = (second - _FIVE_MINUTES) if policy == FORBID else second  # a skip sets nothing
        stamp = record["last_scheduled_at"]
        assert (stamp and ms(stamp)) == last, (
            f"a_cron_fires_while_its_run_works: under {policy}, cron job {cron}'s "
            f"last_scheduled_at is {stamp}; a fire that makes a run sets "
            "it, a skipped one does not"
        )
        # it would make a 900 s run every 5 minutes from now on: every listing grows
        self.call("delete_cron_job", project_reference=project, cron_job_id=cron)
        self.cron_state[cron] = CRON_DELETING
        return cron

    def _refused_cron(self, tool: str, cron: str, **arguments: Any) -> bool:
        """Expect the refusal a gone or deleting cron job gets; True if it was refused."""
        state = self.cron_state[cron]
        args = {"project_reference": self.owner[cron], "cron_job_id": cron, **arguments}
        if state == "gone":
            self.expect_error("not_found", tool, **args)
            return True
        if state == CRON_DELETING:
            self.expect_error("conflict", tool, **args)
            return True
        return False

    @rule(
        cron=crons,
        changes=st.fixed_dictionaries(
            {},
            optional={
                "name": js.names(),
                "schedule": st.sampled_from(_SCHEDULES),
                "timezone": js.timezones(),
                "status": st.sampled_from((CRON_ACTIVE, CRON_PAUSED)),
                "concurrency_policy": st.sampled_from(POLICIES),
                "timeout_seconds": st.integers(1, 900),
                "backoff_limit": st.integers(0, 4),
            },
        ),
    )
    def update_cron(self, cron: str, changes: dict[str, Any]) -> None:
        if self._refused_cron("update_cron_job", cron, **changes):
            return
        project = self.owner[cron]
        before = self.call("get_cron_job", project_reference=project, cron_job_id=cron)
        out = self.call("update_cron_job", project_reference=project, cron_job_id=cron, **changes)
        check(cron_record_problems(out), "cron job")
        for key, value in changes.items():
            assert out[key] == value, f"update_cron_job left {key} at {out[key]!r}"
        if all(before[k] == v for k, v in changes.items()):
            assert out == before, "an update that changes nothing changed the cron job"
        else:
            assert out["updated_at"] == self.sim.now
        self.cron_state[cron] = out["status"]

    @rule(cron=crons)
    def delete_cron(self, cron: str) -> None:
        if self._refused_cron("delete_cron_job", cron):
            return
        project = self.owner[cron]
        out = self.call("delete_cron_job", project_reference=project, cron_job_id=cron)
        assert out["status"] == CRON_DELETING
        self.cron_state[cron] = CRON_DELETING
        # it is dropped when time next moves on: an advance of 0 s does not move it
        self.call("sim_advance_clock", seconds=0)
        try:
            after = self.call("get_cron_job", project_reference=project, cron_job_id=cron)
        except ToolError as error:
            raise AssertionError(
                f"delete_cron: cron job {cron} is gone after an advance of 0 s ({error}); it "
                "is dropped only when time next moves on"
            ) from None
        assert after["status"] == CRON_DELETING

    @rule(target=jobs, cron=crons)
    def trigger_cron(self, cron: str) -> Any:
        if self._refused_cron("trigger_cron_job", cron):
            return multiple()
        project = self.owner[cron]
        record = self.call("get_cron_job", project_reference=project, cron_job_id=cron)
        out = self.call("trigger_cron_job", project_reference=project, cron_job_id=cron)
        assert out["name"] == f"{record['name']} (manual)"
        assert out["cron_job_id"] == cron
        assert out["status"] == SUBMITTED
        assert out["target"] == record["target"]
        after = self.call("get_cron_job", project_reference=project, cron_job_id=cron)
        assert after["last_scheduled_at"] == record["last_scheduled_at"]
        return out["id"]

    @rule(target=crons, project=projects)
    def a_schedule_change_reschedules(self, project: str) -> Any:
        """A cron job whose yearly schedule becomes every 5 minutes fires at the next
        5-minute mark, not at the old schedule's next time (SPEC section 8: an update
        of the schedule restarts it from now). Once per run; deleted once checked."""
        if not self._first_time("a_schedule_change_reschedules"):
            return multiple()
        cron = self._new_cron(
            project,
            name="rescheduled",
            target="img:resize",
            schedule="0 0 1 1 *",
        )
        self.call(
            "update_cron_job",
            project_reference=project,
            cron_job_id=cron,
            schedule="*/5 * * * *",
        )
        now = ms(self.sim.now)
        mark = (now // _FIVE_MINUTES + 1) * _FIVE_MINUTES
        self.call("sim_advance_clock", seconds=(mark - now) / 1000 + 1)
        runs = [ms(r["created_at"]) for r in self.all_jobs(project, cron_job_id=cron)]
        assert runs == [mark], (
            f"a_schedule_change_reschedules: cron job {cron}, its schedule changed to every "
            f"5 minutes, made runs at {runs} (ms), not one at the next mark {mark}"
        )
        self.call("delete_cron_job", project_reference=project, cron_job_id=cron)
        self.cron_state[cron] = CRON_DELETING
        return cron

    @rule(target=jobs, project=projects)
    def a_completed_cron_run_sets_last_successful_at(self, project: str) -> Any:
        """A run of a cron job that completes sets the cron job's ``last_successful_at``
        to its ``completed_at`` (SPEC section 8): a manual run, driven by hand. Once per
        run, on a cron job of its own (deleted once checked)."""
        if not self._first_time("a_completed_cron_run_sets_last_successful_at"):
            return multiple()
        cron = self._new_cron(project, name="succeeds", target="img:resize", schedule="0 9 * * 1-5")
        job = self.call("trigger_cron_job", project_reference=project, cron_job_id=cron)["id"]
        self._start(job)
        self._finish(job, 0)
        record = self.call("get_cron_job", project_reference=project, cron_job_id=cron)
        assert record["last_successful_at"] == self.sim.now, (
            f"a_completed_cron_run_sets_last_successful_at: run {job} of cron job {cron} "
            f"completed at {self.sim.now}, but last_successful_at is "
            f"{record['last_successful_at']}"
        )
        self.call("delete_cron_job", project_reference=project, cron_job_id=cron)
        self.cron_state[cron] = CRON_DELETING
        return job

    @rule(target=jobs)
    def collect_cron_runs(self) -> Any:
        """Hand the jobs cron fires made to the jobs bundle, so rules can drive them."""
        runs = sorted(
            j for j, r in self.seen.items() if r["cron_job_id"] and j not in self._adopted
        )
        self._adopted.update(runs)
        return multiple(*runs)

    # -- paging ---------------------------------------------------------------------

    @rule(project=projects, job=jobs)
    def page_from_a_job_cursor(self, project: str, job: str) -> None:
        """A job of the project is a cursor of its listing: the page holds only older
        items. A job of another project is refused, like any id not listed there."""
        if self.owner[job] != project:
            self.expect_error(
                "invalid_arguments", "list_jobs", project_reference=project, cursor=job
            )
            return
        page = self.call("list_jobs", project_reference=project, cursor=job, limit=5)
        check(page_problems(page, cursor=job, limit=5), "list_jobs page")
        at = self.seen[job]["created_at"]
        for item in page["data"]:
            assert item["id"] != job, "the page after a cursor holds the cursor's own item"
            assert item["created_at"] <= at, "the page after a cursor holds a newer item"

    @rule(batch=batches, job=jobs)
    def page_a_batch_from_a_foreign_cursor(self, batch: str, job: str) -> None:
        """A job outside the batch is no cursor of the batch's listing."""
        project = self.batch_owner.get(batch)
        if project is None or self.seen[job]["batch_id"] == batch:
            return
        self.expect_error(
            "invalid_arguments",
            "list_job_batch_jobs",
            project_reference=project,
            batch_id=batch,
            cursor=job,
        )

    @rule(
        project=projects,
        status=st.none() | st.sampled_from(STATUSES),
        batch=st.none() | batches,
        cron=st.none() | crons,
        environment=st.none() | environments,
    )
    def list_jobs_with_filters(
        self,
        project: str,
        status: str | None,
        batch: str | None,
        cron: str | None,
        environment: str | None,
    ) -> None:
        """``list_jobs`` with any combination of filters lists exactly the project's jobs
        that match all of them, in the order of the unfiltered listing."""
        filters = {
            key: value
            for key, value in (
                ("status", status),
                ("batch_id", batch),
                ("cron_job_id", cron),
                ("environment_id", environment),
            )
            if value is not None
        }
        expected = [
            j["id"]
            for j in self.all_jobs(project)
            if all(j[key] == value for key, value in filters.items())
        ]
        got = [j["id"] for j in self.all_jobs(project, **filters)]
        assert got == expected, f"list_jobs {filters} lists {got}, not {expected}"

    @rule(batch=batches, cron=crons, environment=environments)
    def list_jobs_ands_every_filter(self, batch: str, cron: str, environment: str) -> None:
        """A job made in a batch and an environment is listed by each of them, and not
        when a cron job it does not belong to is asked too: ``list_jobs`` lists the jobs
        that match all of its filters (SPEC section 7), whichever it looks up first."""
        project = self.owner[environment]
        if self.batch_owner.get(batch, project) != project:
            return
        out = self.call(
            "create_job",
            project_reference=project,
            name="filtered",
            target="img:resize",
            batch_id=batch,
            environment_id=environment,
        )
        self.batch_owner[batch] = project
        for filters in (
            {"batch_id": batch, "environment_id": environment},
            {"batch_id": batch, "cron_job_id": cron, "environment_id": environment},
        ):
            listed = {j["id"] for j in self.all_jobs(project, **filters)}
            assert (out["id"] in listed) == ("cron_job_id" not in filters), (
                f"list_jobs_ands_every_filter: list_jobs {filters} "
                f"{'lists' if out['id'] in listed else 'misses'} job {out['id']} (batch "
                f"{batch}, environment {environment}, no cron job): a job is listed when it "
                "matches every filter, and only then"
            )

    @rule(project=projects, batch_id=js.uuids(), act=st.integers(0, 3))
    def a_page_without_limit_holds_the_default(self, project: str, batch_id: str, act: int) -> None:
        """Without ``limit`` a page holds the schemas' default of 20 items (once per run:
        it makes a batch of 21 jobs, so only in about a quarter of the runs: ``act`` 0).
        ``list_job_batch_jobs`` and ``list_jobs`` alike."""
        if act or batch_id in self.batch_owner or not self._first_time("a_page_without_limit"):
            return
        for n in range(_DEFAULT_LIMIT + 1):
            self.call(
                "create_job",
                project_reference=project,
                name=f"page item {n}",
                target="img:resize",
                batch_id=batch_id,
            )
        self.batch_owner[batch_id] = project
        for tool, extra in (("list_job_batch_jobs", {"batch_id": batch_id}), ("list_jobs", {})):
            page = self.call(tool, project_reference=project, **extra)
            assert len(page["data"]) == _DEFAULT_LIMIT, (
                f"a_page_without_limit_holds_the_default: {tool} without limit returned "
                f"{len(page['data'])} of at least {_DEFAULT_LIMIT + 1} items, not the default "
                f"{_DEFAULT_LIMIT}"
            )

    @rule(
        project=projects,
        limit=st.integers(1, 6),
        status=st.none() | st.sampled_from(STATUSES),
        churn=st.booleans(),
    )
    def page_through_jobs(self, project: str, limit: int, status: str | None, churn: bool) -> None:
        """Page ``list_jobs`` by ``next`` while jobs are created and canceled between
        pages: nothing twice, nothing created after the first page, nothing skipped
        that existed and matched throughout."""
        filters = {} if status is None else {"status": status}
        at_start = {j["id"]: j["status"] for j in self.all_jobs(project)}
        changed: set[str] = set()
        seen: list[str] = []
        for page in self._pages("list_jobs", limit, project_reference=project, **filters):
            for item in page["data"]:
                assert status is None or item["status"] == status
            seen.extend(item["id"] for item in page["data"])
            if churn and not changed and page["page_info"]["next"] is not None:
                new = self.call(
                    "create_job", project_reference=project, name="churn", target="img:resize"
                )
                changed.add(new["id"])
                active = sorted(j for j, s in at_start.items() if s in ACTIVE)
                if active:
                    self.call("cancel_job", project_reference=project, job_id=active[-1])
                    changed.add(active[-1])
        assert len(seen) == len(set(seen)), "paging by next returned an item twice"
        created_later = changed - set(at_start)
        assert not created_later & set(seen), "paging returned a job created after page one"
        steady = {j for j, s in at_start.items() if j not in changed and status in (None, s)}
        missing = steady - set(seen)
        assert not missing, f"paging by next skipped {sorted(missing)}"

    @rule(project=projects, limit=st.integers(1, 4), status=st.none() | st.just(CRON_ACTIVE))
    def page_through_crons(self, project: str, limit: int, status: str | None) -> None:
        filters = {} if status is None else {"status": status}
        seen: list[str] = []
        for page in self._pages("list_cron_jobs", limit, project_reference=project, **filters):
            seen.extend(item["id"] for item in page["data"])
        assert len(seen) == len(set(seen))
        expected = {
            c
            for c, s in self.cron_state.items()
            if self.owner[c] == project and s != "gone" and status in (None, s)
        }
        assert set(seen) == expected, "list_cron_jobs disagrees with the crons made"
