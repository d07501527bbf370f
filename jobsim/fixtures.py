"""``jobsim fixtures``: deterministic JSON fixtures from scripted scenarios.

Each scenario drives a fresh :class:`~jobsim.Simulator` through a story (a batch
in every status, retries and timeouts, a busy cron hour, a large batch paged
through) and writes, under ``OUT/<scenario>/``:

- ``calls.json`` — every call in order: ``{at, tool, arguments, result | error}``
  (the simulator's transcript, refused calls included);
- ``records.json`` — the final state: projects, every job, batch and cron job.

The same seed gives byte-identical files (sorted keys, two-space indent, a final
newline); another seed gives other ids, since every id comes from the seeded id
source (the caller-chosen batch ids are derived from the seed too).

    jobsim fixtures --seed 0 --out fixtures [--scenario NAME ...] [--quiet]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from jobsim.errors import ToolError
from jobsim.simulator import Simulator

__all__ = [
    "HELP",
    "SCENARIOS",
    "add_arguments",
    "describe_scenarios",
    "dump_json",
    "generate",
    "main",
    "run_scenario",
]


def dump_json(value: Any) -> str:
    """The one JSON layout of every fixture file: sorted keys, two-space indent, UTF-8
    characters as they are, and a final newline."""
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Script:
    """A scenario's handle on its simulator: calls, expected refusals, and the ids it
    needs to collect the final records."""

    def __init__(self, seed: int, scenario: str) -> None:
        self.seed = seed
        self.scenario = scenario
        self.sim = Simulator(seed=seed)
        self.projects: dict[str, str] = {}  # project id -> slug
        self.batches: dict[str, str] = {}  # batch id -> project id
        self._drawn = 0

    def call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """Call ``tool``; a refusal here is a bug in the scenario."""
        return self.sim.call(tool, arguments)

    def refused(self, code: str, tool: str, **arguments: Any) -> ToolError:
        """Call ``tool`` expecting it to be refused with ``code`` (it is recorded too)."""
        try:
            out = self.sim.call(tool, arguments)
        except ToolError as error:
            if error.code != code:
                raise RuntimeError(f"{self.scenario}: {tool} refused with {error}") from error
            return error
        raise RuntimeError(f"{self.scenario}: {tool} returned {out!r}; expected {code}")

    def project(self, slug: str) -> str:
        out = self.call("sim_create_project", slug=slug)
        self.projects[out["id"]] = slug
        return str(out["id"])

    def batch_id(self) -> str:
        """A caller-chosen batch id: a UUID derived from the seed, the scenario and a
        counter, so fixtures of another seed differ here too."""
        raw = bytearray(
            hashlib.blake2b(
                f"jobsim-fixtures:{self.seed}:{self.scenario}:{self._drawn}".encode(),
                digest_size=16,
            ).digest()
        )
        self._drawn += 1
        raw[6] = (raw[6] & 0x0F) | 0x40
        raw[8] = (raw[8] & 0x3F) | 0x80
        h = raw.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def job(self, project: str, name: str, target: str, **fields: Any) -> str:
        out = self.call("create_job", project_reference=project, name=name, target=target, **fields)
        if out["batch_id"] is not None:
            self.batches.setdefault(out["batch_id"], project)
        return str(out["id"])

    def page_all(self, tool: str, limit: int, **arguments: Any) -> list[dict[str, Any]]:
        """Every page of a listing, by ``next``."""
        pages = [self.call(tool, limit=limit, **arguments)]
        while pages[-1]["page_info"]["next"] is not None:
            cursor = pages[-1]["page_info"]["next"]
            pages.append(self.call(tool, limit=limit, cursor=cursor, **arguments))
        return pages

    def final_records(self) -> dict[str, Any]:
        """Projects, jobs, batches and cron jobs as they are now (newest first)."""
        jobs: list[dict[str, Any]] = []
        crons: list[dict[str, Any]] = []
        for project in self.projects:
            for page in self.page_all("list_jobs", 100, project_reference=project):
                jobs.extend(page["data"])
            for page in self.page_all("list_cron_jobs", 100, project_reference=project):
                crons.extend(page["data"])
        projects = [{"id": p, "slug": slug} for p, slug in self.projects.items()]
        batches = [
            self.call("get_job_batch", project_reference=project, batch_id=batch)
            for batch, project in self.batches.items()
        ]
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "now": self.sim.now,
            "projects": projects,
            "jobs": jobs,
            "batches": batches,
            "cron_jobs": crons,
        }


# -- scenarios ----------------------------------------------------------------------


def batch_every_status(s: Script) -> None:
    """One batch whose jobs end up in every status and failure reason, a scripted job
    that retries once and completes, refusals, and the batch paged through."""
    acme = s.project("acme")
    s.project("globex")
    s.call("sim_create_environment", project_reference=acme, name="production")
    s.call(
        "sim_define_target",
        name="task:knowledge-ingest",
        description="fails its first attempt, then succeeds",
        behavior={
            "start_after_seconds": 2,
            "run_seconds": 5,
            "exit_codes": [1, 0],
            "events": ["reading the handbook"],
        },
    )
    batch = s.batch_id()
    ref = {"batch_id": batch}
    stays_submitted = s.job(acme, "resize 1 (submitted)", "img:resize", **ref)
    working = s.job(acme, "resize 2 (working)", "img:resize", **ref)
    completed = s.job(acme, "resize 3 (completed)", "img:resize", **ref)
    exhausted = s.job(acme, "resize 4 (no retries)", "img:resize", backoff_limit=0, **ref)
    deadline = s.job(acme, "resize 5 (30 s timeout)", "img:resize", timeout_seconds=30, **ref)
    canceled_queued = s.job(acme, "resize 6 (canceled queued)", "img:resize", **ref)
    canceled_running = s.job(acme, "resize 7 (canceled running)", "img:resize", **ref)
    scripted = s.job(
        acme, "ingest handbook", "task:knowledge-ingest", config={"source": "handbook"}, **ref
    )
    s.refused("conflict", "create_job", project_reference="globex", name="x", target="t", **ref)

    def on(job: str) -> dict[str, Any]:
        return {"project_reference": acme, "job_id": job}

    for job in (working, completed, exhausted, deadline, canceled_running):
        s.call("sim_start_job", **on(job))
    s.call("sim_advance_clock", seconds=1.5)
    s.call("sim_finish_job", **on(completed), exit_code=0)
    s.call("sim_finish_job", **on(exhausted), exit_code=2)
    s.call("cancel_job", **on(canceled_queued))
    s.call("cancel_job", **on(canceled_running))
    s.refused("conflict", "cancel_job", **on(completed))
    s.refused("conflict", "sim_start_job", **on(working))
    s.refused("conflict", "sim_finish_job", **on(stays_submitted), exit_code=0)
    s.call("sim_advance_clock", seconds=30)
    for job in (stays_submitted, working, deadline, scripted):
        s.call("get_job", **on(job))
    s.call("get_job_batch", project_reference=acme, batch_id=batch)
    s.page_all("list_job_batch_jobs", 3, project_reference=acme, batch_id=batch)
    s.call("list_job_batch_jobs", project_reference=acme, batch_id=batch, status="failed")
    s.call("list_jobs", project_reference=acme, status="canceled")
    s.call("get_job_events", **on(scripted), direction="forward")
    s.refused("not_found", "get_job_batch", project_reference="globex", batch_id=batch)


def retries_and_timeouts(s: Script) -> None:
    """Attempts, Kubernetes-style backoffs (10 s, 20 s, 40 s, ...), a retry that
    succeeds, retries that run out, and deadlines that cut a run or a retry loop short."""
    acme = s.project("acme")
    s.call(
        "sim_define_target",
        name="etl:sync-crm",
        behavior={"start_after_seconds": 1, "run_seconds": 4, "exit_codes": [1, 1, 0]},
    )
    s.call(
        "sim_define_target",
        name="script:backup-db",
        behavior={"run_seconds": 2, "exit_codes": [137], "events": ["dumping tables"]},
    )
    s.call("sim_define_target", name="report:nightly", behavior={"run_seconds": 600})
    s.call("sim_define_target", name="ml:embed-documents", behavior={"exit_codes": [1]})
    succeeds = s.job(acme, "sync contacts", "etl:sync-crm")
    exhausts = s.job(acme, "backup database", "script:backup-db", backoff_limit=2)
    too_slow = s.job(acme, "nightly report", "report:nightly", timeout_seconds=120)
    loop_cut = s.job(
        acme, "embed documents", "ml:embed-documents", backoff_limit=6, timeout_seconds=100
    )
    manual = s.job(acme, "resize image", "img:resize", backoff_limit=1)

    def on(job: str) -> dict[str, Any]:
        return {"project_reference": acme, "job_id": job}

    s.call("sim_start_job", **on(manual))
    s.call("sim_finish_job", **on(manual), exit_code=1)
    s.refused("conflict", "sim_finish_job", **on(manual), exit_code=0)  # in its backoff
    for seconds in (0, 1, 5, 10, 15, 30, 60, 60, 120):
        s.call("sim_advance_clock", seconds=seconds)
        for job in (succeeds, exhausts, too_slow, loop_cut, manual):
            s.call("get_job", **on(job))
        if seconds == 10:  # the manual job's second attempt started at 10 s
            s.call("sim_finish_job", **on(manual), exit_code=0)
    for job in (succeeds, exhausts, too_slow, loop_cut, manual):
        s.call("get_job_events", **on(job), direction="forward")
    s.call("list_jobs", project_reference=acme, status="failed")
    s.refused("conflict", "cancel_job", **on(too_slow))


def busy_cron_hour(s: Script) -> None:
    """An hour of cron jobs: every concurrency policy against runs longer than the
    interval, a time zone half an hour off UTC, a pause and resume, a manual trigger,
    a schedule change, a deletion, and the runs listed per cron job."""
    acme = s.project("acme")
    env = s.call("sim_create_environment", project_reference=acme, name="production")["id"]
    s.call("sim_define_target", name="img:thumbnail", behavior={"run_seconds": 400})
    s.call("sim_define_target", name="report:nightly", behavior={"run_seconds": 120})
    s.call("sim_define_target", name="task:heartbeat", behavior={"run_seconds": 1})

    def cron(name: str, schedule: str, target: str, **extra: Any) -> str:
        out = s.call(
            "create_cron_job",
            project_reference=acme,
            name=name,
            target=target,
            schedule=schedule,
            environment_id=env,
            **extra,
        )
        return str(out["id"])

    long_runs = {"timeout_seconds": 900}  # 400 s runs outlast the 5 minute interval
    allow = cron(
        "thumbnails (Allow)",
        "*/5 * * * *",
        "img:thumbnail",
        concurrency_policy="Allow",
        **long_runs,
    )
    forbid = cron("thumbnails (Forbid)", "*/5 * * * *", "img:thumbnail", **long_runs)
    replace = cron(
        "thumbnails (Replace)",
        "*/5 * * * *",
        "img:thumbnail",
        concurrency_policy="Replace",
        **long_runs,
    )
    kolkata = cron(
        "hourly report (Kolkata)", "0 * * * *", "report:nightly", timezone="Asia/Kolkata"
    )
    paused = cron("quarter-hourly", "*/15 * * * *", "task:heartbeat")
    minutely = cron("heartbeat", "* * * * *", "task:heartbeat", concurrency_policy="Allow")
    s.refused(
        "invalid_arguments",
        "create_cron_job",
        project_reference=acme,
        name="never",
        target="task:heartbeat",
        schedule="0 0 30 2 *",
    )

    def on(cron_id: str) -> dict[str, Any]:
        return {"project_reference": acme, "cron_job_id": cron_id}

    s.call("update_cron_job", **on(paused), status="paused")
    for minute in range(5, 65, 5):
        s.call("sim_advance_clock", seconds=300)
        if minute == 10:
            s.call("trigger_cron_job", **on(forbid))
        if minute == 20:
            s.call("delete_cron_job", **on(minutely))
            s.refused("conflict", "trigger_cron_job", **on(minutely))
        if minute == 25:
            s.refused("not_found", "get_cron_job", **on(minutely))
        if minute == 30:
            s.call("update_cron_job", **on(paused), status="active")
        if minute == 40:
            s.call("update_cron_job", **on(allow), schedule="*/20 * * * *")
            s.call("update_cron_job", **on(allow), schedule="*/20 * * * *")  # no change
    for cron_id in (allow, forbid, replace, kolkata, paused):
        s.call("get_cron_job", **on(cron_id))
        s.call("list_jobs", project_reference=acme, cron_job_id=cron_id, limit=100)
    s.call("list_jobs", project_reference=acme, cron_job_id=minutely, limit=100)
    s.call("list_cron_jobs", project_reference=acme, status="active")
    s.call("list_cron_jobs", project_reference=acme, environment_id=env, limit=2)


def large_batch_pagination(s: Script) -> None:
    """A batch of 105 jobs in mixed statuses, paged by ``next`` and ``prev`` with
    filters, while jobs are created and canceled between pages."""
    acme = s.project("acme")
    batch = s.batch_id()
    jobs = [
        s.job(
            acme,
            f"thumbnail {n:03d}",
            "img:thumbnail" if n % 10 else "img:resize",
            batch_id=batch,
            config={"page": n},
        )
        for n in range(1, 106)
    ]

    def on(job: str) -> dict[str, Any]:
        return {"project_reference": acme, "job_id": job}

    for n, job in enumerate(jobs, 1):
        if n % 3 == 0:
            s.call("sim_start_job", **on(job))
            if n % 2 == 0:
                s.call("sim_finish_job", **on(job), exit_code=0)
        elif n % 7 == 0:
            s.call("cancel_job", **on(job))
    s.call("sim_advance_clock", seconds=60)
    args = {"project_reference": acme, "batch_id": batch}
    s.call("get_job_batch", **args)
    s.page_all("list_job_batch_jobs", 20, **args)
    s.page_all("list_job_batch_jobs", 10, **args, status="working")
    s.page_all("list_jobs", 100, project_reference=acme)

    # Paging while the batch changes: nothing twice, nothing new, nothing skipped.
    first = s.call("list_job_batch_jobs", **args, limit=25)
    s.job(acme, "thumbnail 106 (late)", "img:thumbnail", batch_id=batch)
    cursor = first["page_info"]["next"]
    second = s.call("list_job_batch_jobs", **args, limit=25, cursor=cursor)
    later = second["data"][-1]["id"]
    s.call("cancel_job", **on(second["data"][0]["id"]))
    third = s.call("list_job_batch_jobs", **args, limit=25, cursor=later)
    prev = third["page_info"]["prev"]
    s.call("list_job_batch_jobs", **args, limit=25, cursor=prev)
    s.refused("invalid_arguments", "list_job_batch_jobs", **args, cursor=batch)
    s.call("get_job_batch", **args)


#: Every scenario, by the name ``--scenario`` takes.
SCENARIOS: dict[str, Callable[[Script], None]] = {
    "batch-every-status": batch_every_status,
    "retries-and-timeouts": retries_and_timeouts,
    "busy-cron-hour": busy_cron_hour,
    "large-batch-pagination": large_batch_pagination,
}


def run_scenario(name: str, seed: int = 0) -> dict[str, Any]:
    """Run scenario ``name`` on a fresh simulator: ``{"calls": [...], "records": {...}}``."""
    script = Script(seed, name)
    SCENARIOS[name](script)
    calls = script.sim.transcript
    return {"calls": calls, "records": script.final_records()}


def _readme(seed: int, names: Sequence[str]) -> str:
    lines = [
        "# jobsim fixtures",
        "",
        f"Generated by `jobsim fixtures --seed {seed} --out <this directory>`; do not edit.",
        "Regenerating with the same seed gives byte-identical files.",
        "",
        "Each scenario directory holds `calls.json` (every call in order: `at`, `tool`,",
        "`arguments`, and `result` or `error`) and `records.json` (the final projects,",
        "jobs, batches and cron jobs).",
        "",
    ]
    lines.extend(f"- `{name}`: {_summary(name)}" for name in names)
    return "\n".join(lines) + "\n"


def _summary(name: str) -> str:
    """The first paragraph of a scenario's docstring, on one line."""
    return " ".join((SCENARIOS[name].__doc__ or "").split("\n\n")[0].split())


def describe_scenarios() -> str:
    """Every scenario, one per line with its summary (for ``jobsim fixtures --help``)."""
    return "\n".join(f"  {name}: {_summary(name)}" for name in SCENARIOS)


def generate(
    seed: int,
    out: str | Path,
    scenarios: Sequence[str] | None = None,
    progress: TextIO | None = None,
) -> list[Path]:
    """Write the fixtures of ``scenarios`` (default: all) for ``seed`` under ``out``;
    return the files written. With ``progress``, write a line per scenario to it."""
    names = list(SCENARIOS) if not scenarios else list(dict.fromkeys(scenarios))
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario {unknown[0]!r}; expected one of {', '.join(SCENARIOS)}")
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for number, name in enumerate(names, 1):
        result = run_scenario(name, seed)
        folder = root / name
        folder.mkdir(exist_ok=True)
        for key in ("calls", "records"):
            path = folder / f"{key}.json"
            path.write_text(dump_json(result[key]), encoding="utf-8", newline="\n")
            written.append(path)
        if progress is not None:
            calls = result["calls"]
            refused = sum(1 for c in calls if "error" in c)
            progress.write(
                f"[{number}/{len(names)}] {name}: {len(calls)} calls ({refused} refused), "
                f"{len(result['records']['jobs'])} jobs\n"
            )
            progress.flush()
    readme = root / "README.md"
    readme.write_text(_readme(seed, names), encoding="utf-8", newline="\n")
    written.append(readme)
    return written


def run(seed: int, out: str, scenarios: Sequence[str] | None, quiet: bool) -> int:
    """The ``jobsim fixtures`` command, once its arguments are parsed."""
    try:
        written = generate(seed, out, scenarios, progress=None if quiet else sys.stderr)
    except ValueError as error:
        sys.stderr.write(f"jobsim fixtures: {error}\n")
        return 2
    except OSError as error:  # an existing file, an unwritable place, a full disk
        reason = error.strerror or str(error)
        where = error.filename if error.filename is not None else out
        sys.stderr.write(
            f"jobsim fixtures: cannot write {where}: {reason}; --out expects a directory "
            "that exists or can be created, and that you can write to\n"
        )
        return 2
    if not quiet:
        sys.stderr.write(f"wrote {len(written)} files under {out}\n")
    return 0


#: What ``jobsim fixtures`` does, in ``jobsim --help``.
HELP = "write deterministic JSON fixtures of scenarios"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``jobsim fixtures`` (and of ``python -m jobsim.fixtures``); its
    help lists the scenarios."""
    parser.epilog = "scenarios:\n" + describe_scenarios()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--seed", type=int, default=0, help="seed of the id source (default: 0)")
    parser.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    parser.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help="a scenario to write (repeatable; default: all of them)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jobsim.fixtures ARGS`` is ``jobsim fixtures ARGS``."""
    parser = argparse.ArgumentParser(prog="jobsim fixtures", description=HELP)
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args.seed, args.out, args.scenario, args.quiet)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
