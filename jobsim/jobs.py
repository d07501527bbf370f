"""Jobs: ``create_job``, ``get_job``, ``cancel_job``, ``list_jobs`` (SPEC sections 3, 5, 7)."""

from __future__ import annotations

from typing import Any

from jobsim import runtime
from jobsim.arguments import NonBlank, Rule, Uuid, Whole
from jobsim.bounds import MAX_SECONDS
from jobsim.errors import conflict, invalid, not_found
from jobsim.lifecycle import MAX_BACKOFF, TERMINAL
from jobsim.pagination import Index, listing, owner_lookup, resolve_cursor
from jobsim.records import Job, Project
from jobsim.registry import handler
from jobsim.serialize import copy_json, job_dict
from jobsim.world import World

__all__ = ["JOB_RULES", "check_config", "new_job", "placement"]

#: The rules of the arguments a job and a cron job share (the cron tools' schemas
#: state no ranges; create_job's state the same ones).
JOB_RULES: dict[str, Rule] = {
    "name": NonBlank(),
    "target": NonBlank(),
    "timeout_seconds": Whole(1, MAX_SECONDS),
    "backoff_limit": Whole(0, MAX_BACKOFF),
}


def check_config(world: World, args: dict[str, Any]) -> dict[str, Any]:
    """``config`` (JSON, by its rule), valid against the target's ``input_schema`` if any."""
    config: dict[str, Any] = args.get("config", {})
    target = world.targets.get(args["target"])
    if target is not None and target.validator is not None:
        # jsonschema (and its referencing) came with the validator: see registry._draft7
        from referencing.exceptions import Unresolvable

        try:
            error = next(
                iter(sorted(target.validator.iter_errors(config), key=lambda e: list(e.path))),
                None,
            )
        except Unresolvable as e:  # a $ref of the schema that points nowhere
            raise invalid(
                "target",
                f"the input_schema of target {target.name!r} has a $ref that cannot be "
                f"resolved ({e}); redefine the target with a self-contained schema",
                target=target.name,
            ) from None
        except RecursionError:  # a cycle the definition could not see (relative $ids)
            raise invalid(
                "target",
                f"the input_schema of target {target.name!r} refers to itself without end; "
                "redefine the target without a $ref cycle",
                target=target.name,
            ) from None
        if error is not None:
            where = ".".join(map(str, ["config", *error.absolute_path]))
            raise invalid(
                where,
                f"{error.message}; target {target.name!r} accepts configs that match "
                "its input_schema",
                target=target.name,
            )
    return config


def placement(world: World, args: dict[str, Any]) -> tuple[Project, dict[str, Any]]:
    """What ``create_job`` and ``create_cron_job`` check alike, in this order: the
    ``config`` (against the target's ``input_schema``), the project, the environment and
    branch (of that project), and under ``strict_targets`` that the target exists.
    Returns the project and the checked config."""
    config = check_config(world, args)
    project = world.project(args["project_reference"])
    world.scoped(project, "environment", args.get("environment_id"))
    world.scoped(project, "branch", args.get("branch_id"))
    if world.strict_targets and args["target"] not in world.targets:
        raise not_found("target", args["target"])
    return project, config


def new_job(world: World, project: Project, **fields: Any) -> Job:
    """Create a job now, index it, and queue its scripted start if its target has a behaviour."""
    target = world.targets.get(fields["target"])
    job = Job(
        id=world.ids.next(),
        seq=world.next_seq(),
        project_id=project.id,
        created_ms=world.now,
        updated_ms=world.now,
        behavior=target.behavior if target is not None else None,
        **fields,
    )
    world.add_job(job)
    runtime.schedule_start(world, job)
    return job


@handler("create_job", effect="local", args={**JOB_RULES, "batch_id": Uuid()})
def create_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    name, target, batch_id = args["name"], args["target"], args.get("batch_id")
    project, config = placement(world, args)
    if batch_id is not None:
        batch = world.batches.get(batch_id)
        if batch is not None and batch.project_id != project.id:
            raise conflict(
                f"batch id {batch_id!r} is already in use; choose a new UUID for a new batch",
                batch_id=batch_id,
            )
    job = new_job(
        world,
        project,
        name=name,
        target=target,
        config=copy_json(config),
        timeout_seconds=args["timeout_seconds"],
        backoff_limit=args["backoff_limit"],
        batch_id=batch_id,
        environment_id=args.get("environment_id"),
        branch_id=args.get("branch_id"),
    )
    return job_dict(job)


@handler("get_job", effect="read")
def get_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    project = world.project(args["project_reference"])
    return job_dict(world.job(project, args["job_id"]))


@handler("cancel_job", effect="local")
def cancel_job(world: World, args: dict[str, Any]) -> dict[str, Any]:
    project = world.project(args["project_reference"])
    job = world.job(project, args["job_id"])
    if job.status in TERMINAL:
        if world.cancel_terminal == "return":
            return job_dict(job)
        raise conflict(
            f"job {job.id} is already {job.status}; only submitted or working jobs can be canceled",
            job_id=job.id,
            status=job.status,
        )
    runtime.cancel(world, job)
    return job_dict(job)


# list_jobs filters, narrowest index first: (argument, group kind, record field)
_GROUP_FILTERS = (
    ("batch_id", "batch", "batch_id"),
    ("cron_job_id", "cron", "cron_job_id"),
    ("environment_id", "env", "environment_id"),
)


@handler("list_jobs", effect="read", args={"limit": Whole()})
def list_jobs(world: World, args: dict[str, Any]) -> dict[str, Any]:
    size: int = args["limit"]
    cursor: str | None = args.get("cursor")
    with owner_lookup(cursor):
        project = world.project(args["project_reference"])
    cursor_seq = resolve_cursor(world.jobs, cursor, lambda j: j.project_id == project.id)
    index: Index | None = project.jobs
    residual: list[tuple[str, str]] = []
    for arg, kind, field_name in _GROUP_FILTERS:
        value = args.get(arg)
        if value is None:
            continue
        if index is project.jobs:
            # Filters never check that the id exists: an unknown one matches nothing.
            index = project.job_groups.get((kind, value))
        else:
            residual.append((field_name, value))
    keep = None
    if residual:
        by_seq = world.by_seq

        def keep(seq: int) -> bool:
            job = by_seq[seq]
            return all(getattr(job, f) == v for f, v in residual)

    return listing(
        world.by_seq, index, args.get("status"), cursor, cursor_seq, size, keep, job_dict
    )
