"""The state of one simulator, and the few mutations that keep it consistent.

Handlers (the tool modules) read the state freely but add jobs only through
:meth:`World.add_job` and change a job's status only through :meth:`World.step`, which
keep every index, batch count and cron summary in line with the records.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from jobsim.clock import Clock
from jobsim.errors import not_found
from jobsim.ids import IdSource
from jobsim.lifecycle import COMPLETED, TERMINAL, transition
from jobsim.pagination import Index
from jobsim.records import Batch, CronJob, Job, Project, Scoped, Target
from jobsim.scheduler import EventQueue
from jobsim.transcript import Transcript

__all__ = ["World"]


class World:
    """Everything a simulator knows. Not thread-safe: :class:`~jobsim.Simulator` locks."""

    def __init__(
        self,
        *,
        seed: int,
        start_ms: int,
        cancel_terminal: str,
        strict_targets: bool,
    ) -> None:
        self.cancel_terminal = cancel_terminal
        self.strict_targets = strict_targets
        self.clock = Clock(start_ms)
        self.ids = IdSource(seed)
        self.queue = EventQueue()
        self.seq = 0  # creation counter shared by jobs and cron jobs
        self.projects: dict[str, Project] = {}
        self.slugs: dict[str, Project] = {}
        self.jobs: dict[str, Job] = {}
        self.by_seq: dict[int, Job | CronJob] = {}
        self.batches: dict[str, Batch] = {}
        self.environments: dict[str, Scoped] = {}
        self.branches: dict[str, Scoped] = {}
        self.targets: dict[str, Target] = {}
        self.crons: dict[str, CronJob] = {}
        self.deleting: set[str] = set()  # crons to drop at the next advance > 0
        self.faults: dict[str, deque[dict[str, Any]]] = {}
        # Every call the simulator saw; Simulator.call writes it, sim_get_transcript reads it.
        self.transcript = Transcript()

    @property
    def now(self) -> int:
        return self.clock.now_ms

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # -- lookups: a foreign id is worded exactly like a missing one -----------------

    def project(self, ref: str) -> Project:
        """``project_reference``: the id first, then the slug."""
        found = self.projects.get(ref) or self.slugs.get(ref)
        if found is None:
            raise not_found("project", ref)
        return found

    def job(self, project: Project, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None or job.project_id != project.id:
            raise not_found("job", job_id)
        return job

    def batch(self, project: Project, batch_id: str) -> Batch:
        batch = self.batches.get(batch_id)
        if batch is None or batch.project_id != project.id:
            raise not_found("batch", batch_id)
        return batch

    def cron(self, project: Project, cron_id: str) -> CronJob:
        cron = self.crons.get(cron_id)
        if cron is None or cron.project_id != project.id:
            raise not_found("cron job", cron_id)
        return cron

    def scoped(self, project: Project, kind: str, ident: str | None) -> None:
        """Check that environment/branch ``ident`` (if given) belongs to ``project``."""
        if ident is None:
            return
        table = self.environments if kind == "environment" else self.branches
        found = table.get(ident)
        if found is None or found.project_id != project.id:
            raise not_found(kind, ident)

    def index_cron(self, cron: CronJob) -> None:
        """Add a cron job to its project's listing indexes."""
        project = self.projects[cron.project_id]
        project.crons.add(cron.seq, cron.status)
        if cron.environment_id is not None:
            group = project.cron_groups.get(("env", cron.environment_id))
            if group is None:
                group = project.cron_groups[("env", cron.environment_id)] = Index()
            group.add(cron.seq, cron.status)

    def drop_cron(self, cron_id: str) -> None:
        """Forget a deleted cron job (its jobs stay, ``cron_job_id`` intact)."""
        cron = self.crons.pop(cron_id)
        del self.by_seq[cron.seq]
        project = self.projects[cron.project_id]
        project.crons.remove(cron.seq, cron.status)
        if cron.environment_id is not None:
            project.cron_groups[("env", cron.environment_id)].remove(cron.seq, cron.status)

    # -- job mutations --------------------------------------------------------------

    def add_job(self, job: Job) -> None:
        """Record a new job (status ``submitted``) in every index it belongs to."""
        project = self.projects[job.project_id]
        self.jobs[job.id] = job
        self.by_seq[job.seq] = job
        for index in self.job_indexes(project, job):
            index.add(job.seq, job.status)
        if job.batch_id is not None:
            batch = self.batches.get(job.batch_id)
            if batch is None:
                batch = Batch(
                    job.batch_id, job.project_id, job.target, job.created_ms, job.created_ms
                )
                self.batches[job.batch_id] = batch
            elif batch.target != job.target:
                batch.target = None
                batch.mixed_targets = True
            batch.counts[job.status] += 1
            batch.updated_ms = job.created_ms
        self.log(job, "info", "job created")

    def step(self, job: Job, event: str, exit_code: int | None = None) -> None:
        """Move ``job`` through the lifecycle table and update everything that counts it."""
        before = transition(job, event, self.now, exit_code)
        after = job.status
        if before != after:
            project = self.projects[job.project_id]
            for index in self.job_indexes(project, job):
                index.move(job.seq, before, after)
            if job.batch_id is not None:
                counts = self.batches[job.batch_id].counts
                counts[before] -= 1
                counts[after] += 1
        if after in TERMINAL:
            job.running = False
            job.epoch += 1  # nothing queued for a finished job may run
            if after == COMPLETED and job.cron_job_id is not None:
                cron = self.crons.get(job.cron_job_id)
                # completed_ms only grows, so the latest completion is this one
                if cron is not None:
                    cron.last_successful_ms = job.completed_ms
        self._touch_batch(job)

    def _touch_batch(self, job: Job) -> None:
        if job.batch_id is not None:
            self.batches[job.batch_id].updated_ms = self.now

    def log(self, job: Job, level: str, message: str) -> None:
        """Append an entry to the job's event log, at the current time."""
        job.log.append((self.now, level, message, job.status, job.attempt))

    def job_indexes(self, project: Project, job: Job) -> list[Index]:
        groups = project.job_groups
        out = [project.jobs]
        for kind, ident in (
            ("batch", job.batch_id),
            ("cron", job.cron_job_id),
            ("env", job.environment_id),
        ):
            if ident is not None:
                index = groups.get((kind, ident))
                if index is None:
                    index = groups[(kind, ident)] = Index()
                out.append(index)
        return out
