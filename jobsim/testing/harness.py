"""The plumbing of :class:`~jobsim.testing.JobsStateMachine`: calls that check every
output, the record of what each call may have changed, and the invariants that look
at it. The rules (what the machine does) are in :mod:`jobsim.testing.machine`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Final

from hypothesis.stateful import RuleBasedStateMachine, invariant

from jobsim.checkers import (
    batch_problems,
    check,
    cron_record_problems,
    job_record_problems,
    page_problems,
    schema_problems,
)
from jobsim.errors import ToolError
from jobsim.lifecycle import CRON_DELETING, SUBMITTED, TERMINAL, WORKING
from jobsim.registry import TOOLS
from jobsim.simulator import Simulator
from jobsim.testing.model import CronState, ManualJob, cron_run_problems, ms

__all__ = ["MachineHarness"]

#: Tools that change nothing (effect ``read`` in the registry): after them the
#: invariants have nothing new to check.
_READS: Final = frozenset(name for name, spec in TOOLS.items() if spec.effect == "read")
#: Tools whose effects stay within the project, job, batch and cron job their
#: arguments and output name (effect ``local``). Of the others (``global``),
#: ``sim_advance_clock`` changes what time can change (see
#: :meth:`MachineHarness._advanced`), ``sim_inject_fault`` only the faults (no record
#: the invariants list), and any other (``sim_define_target``, or a tool the
#: registry does not know) makes every invariant look at everything after the step.
_LOCAL: Final = frozenset(name for name, spec in TOOLS.items() if spec.effect == "local")
_ADVANCE: Final = "sim_advance_clock"
_FAULTS_ONLY: Final = frozenset({"sim_inject_fault"})
_CHECKS: Final = ("jobs", "batches", "crons")
#: The largest ``limit`` the listing tools take (their input schemas' maximum).
_LARGEST_PAGE: Final = 100
#: The listings of job records.
_JOB_LISTINGS: Final = frozenset({"list_jobs", "list_job_batch_jobs"})
#: Every this many steps each invariant looks at everything, whatever changed.
_SWEEP_EVERY: Final = 25


class MachineHarness(RuleBasedStateMachine):
    """A simulator, the ids a machine made, calls that check their outputs, and the
    invariants; no rules. :class:`~jobsim.testing.JobsStateMachine` adds the rules
    (its docstring says what the invariants check and when)."""

    #: Keyword arguments for the :class:`~jobsim.Simulator` (seed and knobs).
    simulator_options: ClassVar[dict[str, Any]] = {"seed": 0, "record": False}

    def __init__(self) -> None:
        super().__init__()
        self.sim = Simulator(**self.simulator_options)
        #: the project (id) of every id the machine made: jobs, batches, crons, envs
        self.owner: dict[str, str] = {}
        #: project id -> slug
        self.slugs: dict[str, str] = {}
        self._by_slug: dict[str, str] = {}
        #: the last record seen of every job
        self.seen: dict[str, dict[str, Any]] = {}
        #: project id, and batch id -> the ids of its jobs in :attr:`seen`
        self._jobs_of: dict[str, set[str]] = {}
        self._batch_jobs: dict[str, set[str]] = {}
        #: jobs last seen not finished (what an advance of the clock may change)
        self._unfinished: set[str] = set()
        #: (tool, id) -> the tool's last output of that record (a cron job, a batch)
        self._outputs: dict[tuple[str, Any], dict[str, Any]] = {}
        #: cron id -> its record as last checked by ``cron_record_problems``
        self._crons_checked: dict[str, dict[str, Any]] = {}
        #: cron id -> "active" | "paused" | "deleting" | "gone"
        self.cron_state: dict[str, str] = {}
        #: batch id -> the project of its first job
        self.batch_owner: dict[str, str] = {}
        #: jobs made by cron fires, already handed to the jobs bundle
        self._adopted: set[str] = set()
        #: what calls since the invariants last looked may have changed
        self._stale_projects: set[str] = set()
        self._stale_batches: set[str] = set()
        #: batches an advance may have changed, and each batch's summary when its
        #: jobs were last listed: an unchanged summary needs no listing
        self._advanced_batches: set[str] = set()
        self._batch_summaries: dict[str, dict[str, Any]] = {}
        self._stale_crons: set[str] = set()
        #: jobs a call changed, made or named (refused ones too), whose projects need
        #: not be listed whole: each is read again through the listing, on its page
        self._reread: set[str] = set()
        #: project id -> its jobs' ids, newest first, as last listed whole
        self._order: dict[str, list[str]] = {}
        #: job id -> when the machine first saw it (0, 1, ...)
        self._made: dict[str, int] = {}
        #: the invariants (of _CHECKS) due to look at everything next time
        self._sweep: set[str] = set(_CHECKS)
        self._runs: Counter[str] = Counter()
        #: targets with no behaviour: their jobs are driven by hand, and modelled
        self.manual_targets: set[str] = set()
        #: the model of each job driven by hand (:class:`jobsim.testing.model.ManualJob`)
        self.manual: dict[str, ManualJob] = {}
        #: successful calls that could change state: pages fetched with none between
        #: them must fit together exactly (SPEC section 7's page_info)
        self._changes = 0
        #: cron id -> its states (since, status, concurrency_policy), oldest first
        self._cron_history: dict[str, list[CronState]] = {}
        #: jobs made by trigger_cron_job (pause and policy do not apply to them)
        self._manual_runs: set[str] = set()
        #: scheduled cron runs already checked against their cron job's history
        self._checked_runs: set[str] = set()

    # -- helpers for rules --------------------------------------------------------

    def call(self, tool: str, /, **arguments: Any) -> dict[str, Any]:
        """Call ``tool``; check its output against the output schema (a sample of a
        listing's items) and every job record in it against the lifecycle rules;
        then tell :meth:`observe`. ``tool`` is positional-only, so a tool's own
        argument named ``tool`` (``sim_inject_fault``'s) passes through."""
        try:
            out = self.sim.call(tool, arguments)
        except ToolError:
            self._touched(tool, arguments, None)
            raise
        self._touched(tool, arguments, out)
        for record in self._checked_output(tool, out):
            self._track(record)
        self._follow(tool, arguments, out)
        self._compare_with_model(_job_records(tool, out))
        self.observe(tool, arguments, out)
        return out

    def _checked_output(self, tool: str, out: dict[str, Any]) -> list[dict[str, Any]]:
        """Check ``out`` against the output schema; return the job records in it that
        differ from the last record seen of their job (:meth:`_track` checks those in
        full). A job record equal to the last one seen was checked then: a listing's
        check is cut to its first and last other items (validating every item of
        every page is the slow part), and a single record equal to the last one seen
        of that job, or to this tool's last output of that record, needs none."""
        if tool not in _JOB_LISTINGS:
            if self._known(out):
                return []
            key = (tool, out.get("id"))
            if isinstance(key[1], str) and self._outputs.get(key) == out:
                return []  # the same record as this tool's last output of it: checked then
            check(schema_problems(tool, _sample(out, "entries", "data")), f"{tool} output")
            if isinstance(key[1], str):
                self._outputs[key] = out
            return _job_records(tool, out)
        items = out.get("data")
        if not isinstance(items, list):
            check(schema_problems(tool, out), f"{tool} output")
            return []
        fresh = [item for item in items if not self._known(item)]
        check(schema_problems(tool, _sample({**out, "data": fresh}, "data")), f"{tool} output")
        return fresh

    def _known(self, record: Any) -> bool:
        """True for a job record equal to the one last seen of its job."""
        job = record.get("id") if isinstance(record, dict) else None
        return isinstance(job, str) and self.seen.get(job) == record

    def _follow(self, tool: str, arguments: Mapping[str, Any], out: Mapping[str, Any]) -> None:
        """Move the models (jobs driven by hand, cron histories) along with a call."""
        if tool == "sim_define_target" and arguments.get("behavior") is not None:
            self.manual_targets.discard(arguments["name"])  # its new jobs run by themselves
        elif tool == "create_job" and out["target"] in self.manual_targets:
            self.manual[out["id"]] = ManualJob(
                timeout_ms=out["timeout_seconds"] * 1000,
                attempts=out["backoff_limit"] + 1,
                updated_ms=ms(out["created_at"]),
            )
        elif tool in ("create_cron_job", "update_cron_job", "delete_cron_job"):
            state = (ms(self.sim.now), out["status"], out["concurrency_policy"])
            self._cron_history.setdefault(out["id"], []).append(state)
        elif tool == "trigger_cron_job":
            self._manual_runs.add(out["id"])
        elif tool == "sim_advance_clock" and arguments["seconds"] > 0:
            for cron, status in self.cron_state.items():  # deleted ones are now gone
                if status == CRON_DELETING:
                    self.cron_state[cron] = "gone"
        elif (model := self.manual.get(out.get("id", ""))) is not None:
            now = ms(self.sim.now)
            model.settle(now)
            if tool == "sim_start_job":
                model.start(now)
            elif tool == "sim_finish_job":
                model.finish(now, arguments["exit_code"])
            elif tool == "cancel_job":
                model.cancel(now)

    def _compare_with_model(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Each record of a job driven by hand against its model."""
        now = None
        for record in records:
            model = self.manual.get(record["id"])
            if model is None:
                continue
            if now is None:
                now = ms(self.sim.now)
            model.settle(now)
            check(model.problems(record), f"job {record['id']} (driven by hand)")

    def expect_error(self, code: str, tool: str, /, **arguments: Any) -> ToolError:
        """Call ``tool`` and assert it is refused with ``code``; return the error."""
        try:
            out = self.sim.call(tool, arguments)
        except ToolError as error:
            refused = error
        else:
            raise AssertionError(f"{tool}({arguments}) returned {out!r}; expected {code}")
        finally:  # a refusal changes nothing: the invariants make sure of it
            self._touched(tool, arguments, None)
        if refused.code != code:
            raise AssertionError(f"{tool} refused with {refused.code}, expected {code}: {refused}")
        return refused

    def observe(self, tool: str, arguments: dict[str, Any], result: dict[str, Any]) -> None:
        """Called after every successful :meth:`call`; does nothing. Override it to
        feed your own code (a cache, a client model) with what the service returned."""

    def ref(self, project: str) -> str:
        """The project's slug (``project_reference`` accepts ids and slugs alike)."""
        return self.slugs[project]

    def job(self, job_id: str) -> dict[str, Any]:
        """The current record of a job the machine knows."""
        return self.call("get_job", project_reference=self.owner[job_id], job_id=job_id)

    def all_jobs(self, project: str, **filters: Any) -> list[dict[str, Any]]:
        """Every job of ``project`` matching ``filters``, paging ``list_jobs`` by ``next``;
        checks that no page repeats an item."""
        return self._all("list_jobs", project_reference=project, **filters)

    def _all(self, tool: str, **arguments: Any) -> list[dict[str, Any]]:
        pages = self._pages(tool, _LARGEST_PAGE, **arguments)
        items = [item for page in pages for item in page["data"]]
        ids = [i["id"] for i in items]
        assert len(ids) == len(set(ids)), f"{tool}: paging by next returned an item twice"
        return items

    def _pages(self, tool: str, limit: int, **arguments: Any) -> Iterator[dict[str, Any]]:
        """The pages of a listing, following ``next``, each checked by ``page_problems``.
        The caller may call tools between pages: the next page is fetched on demand.

        When nothing changed since the previous page, ``next`` was right to be set: an
        item follows. When nothing changed since the walk began, ``prev`` is the cursor
        of the page before the previous one (null up to the second page). A cursor
        followed twice, or more pages than items, fails at once: a walk never loops."""
        cursors: list[str | None] = [None]
        items = 0
        changes: int | None = None
        first = self._changes
        while True:
            cursor = cursors[-1]
            extra: dict[str, Any] = {} if cursor is None else {"cursor": cursor}
            page = self.call(tool, limit=limit, **arguments, **extra)
            check(page_problems(page, cursor=cursor, limit=limit), f"{tool} page")
            data, info = page["data"], page["page_info"]
            assert cursor not in {item["id"] for item in data}, (
                f"{tool}: the page after cursor {cursor!r} holds the cursor's own item"
            )
            if changes == self._changes:  # nothing changed since the previous page
                assert data, f"{tool}: page_info.next was set, but no item followed it"
            if first == self._changes:  # nothing changed since the walk began
                expected = cursors[-2] if len(cursors) > 2 else None
                assert info["prev"] == expected, (
                    f"{tool}: page_info.prev of page {len(cursors)} is {info['prev']!r}; "
                    f"expected {expected!r}, the cursor of the page before the previous one"
                )
            items += len(data)
            changes = self._changes  # as of this page; the caller may change things now
            yield page
            nxt = info["next"]
            if nxt is None:
                return
            assert nxt not in cursors, (
                f"{tool}: page_info.next {nxt!r} was already followed; the walk would loop"
            )
            assert len(cursors) <= items, f"{tool}: more pages than items; the walk would loop"
            cursors.append(nxt)

    def _touched(self, tool: str, arguments: dict[str, Any], out: dict[str, Any] | None) -> None:
        """Note what a call (``out`` None if refused) may have changed, for the invariants."""
        if tool in _READS:
            return
        if out is None:
            self._refused(arguments)
            return
        self._changes += 1
        if tool == _ADVANCE:
            self._advanced()
            return
        if tool in _FAULTS_ONLY:
            return
        foreign = "project_reference" in arguments and (
            self._project_id(arguments["project_reference"]) is None
        )
        if tool not in _LOCAL or foreign:  # a project the machine did not make: look everywhere
            self._sweep.update(_CHECKS)
            return
        # A local tool changes the records it names: the job, batch and cron job of its
        # arguments, and the jobs its output holds (:meth:`_track` marks those when new
        # or changed). Projects, environments and branches are in no listing checked
        # (a new project is listed by the next sweep).
        job = arguments.get("job_id")
        if isinstance(job, str) and job in self.seen:
            self._stale_of(self.seen[job])
        batch = arguments.get("batch_id")
        if isinstance(batch, str):
            self._stale_batches.add(batch)
        cron = arguments.get("cron_job_id")
        if isinstance(cron, str):
            self._stale_crons.add(cron)
        if tool == "create_cron_job":
            self._stale_crons.add(out["id"])

    def _refused(self, arguments: Mapping[str, Any]) -> None:
        """A refused call changes nothing (SPEC section 11): the invariants read again
        the job (on its page of the listing) and the cron job it names, not whole
        listings; the periodic sweep and :meth:`teardown` list everything."""
        job = arguments.get("job_id")
        if isinstance(job, str) and job in self.seen:
            self._reread.add(job)
        cron = arguments.get("cron_job_id")
        if isinstance(cron, str):
            self._stale_crons.add(cron)

    def _advanced(self) -> None:
        """Mark what an advance of the clock can change: every job not yet finished
        (scripted attempts, backoffs, deadlines), its project, batch (listed again if
        its summary moved) and cron job, and every cron job not gone and its project
        (fires, and deleted ones going). Jobs last seen finished, and submitted jobs of
        targets with no behaviour (only a call starts them), stay as they were; the
        periodic sweep and :meth:`teardown` make sure."""
        for job in self._unfinished:
            record = self.seen[job]
            if record["status"] != SUBMITTED or record["target"] not in self.manual_targets:
                self._stale_projects.add(record["project_id"])
                if record["batch_id"] is not None:
                    self._advanced_batches.add(record["batch_id"])
                if record["cron_job_id"] is not None:
                    self._stale_crons.add(record["cron_job_id"])
        for cron, state in self.cron_state.items():
            if state != "gone":
                self._stale_crons.add(cron)
                self._stale_projects.add(self.owner[cron])

    def _project_id(self, reference: Any) -> str | None:
        if reference in self.slugs:
            return str(reference)
        if len(self._by_slug) != len(self.slugs):  # a project was made since
            self._by_slug = {slug: project for project, slug in self.slugs.items()}
        return self._by_slug.get(reference) if isinstance(reference, str) else None

    def _stale_of(self, record: Mapping[str, Any]) -> None:
        """Mark a job record's job (read again on its page of the listing), batch and
        cron job for the invariants."""
        self._reread.add(record["id"])
        if record["batch_id"] is not None:
            self._stale_batches.add(record["batch_id"])
        if record["cron_job_id"] is not None:
            self._stale_crons.add(record["cron_job_id"])

    def _due(self, check: str) -> bool:
        """Count a run of invariant ``check``; True if it must look at everything."""
        self._runs[check] += 1
        if check in self._sweep or self._runs[check] % _SWEEP_EVERY == 0:
            self._sweep.discard(check)
            return True
        return False

    def teardown(self) -> None:
        """Check every job, batch and cron job one last time (unless the run failed)."""
        if sys.exc_info()[0] is None:
            self._sweep.update(_CHECKS)
            self.jobs_keep_the_lifecycle_rules()
            self.batch_counts_match_listed_jobs()
            self.cron_jobs_keep_their_rules()
        super().teardown()

    def _track(self, record: dict[str, Any]) -> None:
        before = self.seen.get(record["id"])
        if before is not None and record == before:
            return  # checked when first seen, and nothing changed since
        check(job_record_problems(record), f"job {record.get('id')}")
        self._stale_of(record)
        if before is not None:
            for key in (
                "project_id",
                "batch_id",
                "cron_job_id",
                "name",
                "target",
                "config",
                "created_at",
                "timeout_seconds",
                "backoff_limit",
            ):
                assert record[key] == before[key], f"job {record['id']}: {key} changed"
            assert record["updated_at"] >= before["updated_at"], "updated_at went backwards"
            if before["status"] in TERMINAL:
                assert record == before, f"terminal job {record['id']} changed"
            if before["status"] == WORKING:
                assert record["status"] != SUBMITTED, "a working job went back to submitted"
        else:
            self._made[record["id"]] = len(self._made)
            self._jobs_of.setdefault(record["project_id"], set()).add(record["id"])
            if record["batch_id"] is not None:
                self._batch_jobs.setdefault(record["batch_id"], set()).add(record["id"])
        if record["status"] in TERMINAL:
            self._unfinished.discard(record["id"])
        else:
            self._unfinished.add(record["id"])
        self.seen[record["id"]] = record
        self.owner.setdefault(record["id"], record["project_id"])

    # -- invariants -----------------------------------------------------------------

    @invariant()
    def jobs_keep_the_lifecycle_rules(self) -> None:
        """Every job of every project, paged by ``next``: each exactly once, each
        keeping the lifecycle rules and only moving forward, none lost, and any
        job the machine did not create made by one of the project's cron jobs.

        Reads again, each on its page of the listing, the jobs the step's calls made,
        changed or named; lists whole the projects an advance may have changed, or
        all of them (see the class)."""
        reread: dict[str, list[str]] = {}
        for job in self._reread:
            reread.setdefault(self.seen[job]["project_id"], []).append(job)
        for project, jobs in reread.items():
            if project not in self._order or len(jobs) > _LARGEST_PAGE:
                self._stale_projects.add(project)  # never listed whole yet: list it whole
        if self._due("jobs"):
            projects = list(self.slugs)
        else:
            projects = [p for p in self.slugs if p in self._stale_projects]
        now = self.sim.now
        for project in projects:
            known = set(self._jobs_of.get(project, ()))  # a copy: the listing adds to it
            every = self.all_jobs(project)
            listed = {j["id"]: j for j in every}
            assert known <= set(listed), f"jobs disappeared: {sorted(known - set(listed))}"
            for job in set(listed) - known:
                cron = listed[job]["cron_job_id"]
                assert cron in self.cron_state, f"job {job} appeared from nowhere"
                assert self.owner[cron] == project, f"job {job} of another project's cron"
            for record in every:
                _still_in_time(record, now)
            self._check_cron_runs(every[::-1])
            self._order[project] = [record["id"] for record in every]
        for project, jobs in reread.items():
            if project in self.slugs and project not in projects:
                self._reread_in_listing(project, jobs, now)
        self._reread.clear()
        self._stale_projects.difference_update(projects)

    def _reread_in_listing(self, project: str, jobs: list[str], now: str) -> None:
        """Read ``jobs`` of ``project`` again where the listing shows them, not the
        whole listing: jobs made since it was last listed whole are its first page,
        newest first; any other job is the one item after the job listed before it.
        Each record goes through :meth:`call` (schema, lifecycle, model)."""
        order = self._order[project]
        placed = set(order)
        new = sorted((j for j in jobs if j not in placed), key=self._made.__getitem__)[::-1]
        pages: list[tuple[str | None, list[str]]] = [(None, new)] if new else []
        at = {job: n for n, job in enumerate(order)}
        for job in sorted((j for j in jobs if j in placed), key=at.__getitem__):
            n = at[job]
            before = order[n - 1] if n else (new[-1] if new else None)
            pages.append((before, [job]))
        for cursor, expected in pages:
            extra: dict[str, Any] = {} if cursor is None else {"cursor": cursor}
            limit = len(expected)
            page = self.call("list_jobs", project_reference=project, limit=limit, **extra)
            check(page_problems(page, cursor=cursor, limit=limit), "list_jobs page")
            got = [item["id"] for item in page["data"]]
            assert got == expected, (
                f"list_jobs after {cursor!r} (limit {limit}) lists {got}, not {expected}: "
                "the jobs made since, newest first, or the job listed after that cursor"
            )
            for record in page["data"]:
                _still_in_time(record, now)
        self._order[project] = new + order

    def _check_cron_runs(self, oldest_first: list[dict[str, Any]]) -> None:
        """Each scheduled cron run, once, against its cron job's history (SPEC section 8)."""
        for n, run in enumerate(oldest_first):
            cron, job = run["cron_job_id"], run["id"]
            history = self._cron_history.get(cron)
            if history is None or job in self._manual_runs or job in self._checked_runs:
                continue
            self._checked_runs.add(job)
            earlier = (other for other in oldest_first[:n] if other["cron_job_id"] == cron)
            check(cron_run_problems(run, earlier, history), f"cron job {cron}")

    @invariant()
    def batch_counts_match_listed_jobs(self) -> None:
        """For every batch: ``job_count`` = sum of counts = the jobs listed, by status.

        Looks at the batches the step may have changed, or all of them (see the class)."""
        sweep = self._due("batches")
        stale = self._stale_batches
        for batch in self.batch_owner:
            if not (sweep or batch in stale or batch in self._advanced_batches):
                continue
            project = self.batch_owner[batch]
            summary = self.call("get_job_batch", project_reference=project, batch_id=batch)
            if not (sweep or batch in stale) and summary == self._batch_summaries.get(batch):
                continue  # the advance changed none of its jobs (any it did, _track marks)
            listed = self._all("list_job_batch_jobs", project_reference=project, batch_id=batch)
            check(batch_problems(summary, listed), f"batch {batch}")
            members = self._batch_jobs.get(batch, set())
            assert members == {j["id"] for j in listed}, "the batch lists other jobs"
            self._batch_summaries[batch] = summary
        stale.clear()
        self._advanced_batches.clear()

    @invariant()
    def cron_jobs_keep_their_rules(self) -> None:
        """Cron records keep SPEC section 8; a deleted one is gone after the next advance.

        Looks at the cron jobs the step may have changed, or all of them (see the class)."""
        if self._due("crons"):
            crons = list(self.cron_state)
        else:
            crons = [c for c in self.cron_state if c in self._stale_crons]
        for cron in crons:
            state = self.cron_state[cron]
            args = {"project_reference": self.owner[cron], "cron_job_id": cron}
            if state == "gone":
                self.expect_error("not_found", "get_cron_job", **args)
                continue
            out = self.call("get_cron_job", **args)
            if out != self._crons_checked.get(cron):  # else: checked, and unchanged since
                check(cron_record_problems(out), f"cron job {cron}")
                self._crons_checked[cron] = out
            assert out["status"] == state, f"cron job {cron} is {out['status']}, not {state}"
        self._stale_crons.clear()

    def sim_option(self, name: str, default: Any) -> Any:
        """The value of a simulator knob as this machine configured it."""
        return self.simulator_options.get(name, default)


def _still_in_time(record: Mapping[str, Any], now: str) -> None:
    """A working job's deadline (``started_at + timeout_seconds``) is still ahead."""
    if record["status"] == WORKING:
        deadline = ms(record["started_at"]) + record["timeout_seconds"] * 1000
        assert deadline > ms(now), (
            f"job {record['id']} is still working at {now}, past its deadline "
            f"started_at + timeout_seconds ({record['timeout_seconds']}s)"
        )


def _sample(output: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``output`` with its list under the first of ``keys`` it has cut to the first
    and last items."""
    for key in keys:
        items = output.get(key)
        if isinstance(items, list):
            return {**output, key: items[:1] + items[-1:]} if len(items) > 2 else output
    return output


def _job_records(tool: str, output: dict[str, Any]) -> list[dict[str, Any]]:
    if tool in _JOB_LISTINGS:
        return list(output["data"])
    if "failed_reason" in output:
        return [output]
    return []
