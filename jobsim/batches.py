"""Batches: ``get_job_batch`` and ``list_job_batch_jobs`` (SPEC section 6).

A batch has no create call: :meth:`World.add_job` opens it with its first job and
keeps its counts live as its jobs change.
"""

from __future__ import annotations

from typing import Any

from jobsim.arguments import Whole
from jobsim.pagination import listing, owner_lookup, resolve_cursor
from jobsim.registry import handler
from jobsim.serialize import batch_dict, job_dict
from jobsim.world import World


@handler("get_job_batch", effect="read")
def get_job_batch(world: World, args: dict[str, Any]) -> dict[str, Any]:
    project = world.project(args["project_reference"])
    return batch_dict(world.batch(project, args["batch_id"]))


@handler("list_job_batch_jobs", effect="read", args={"limit": Whole()})
def list_job_batch_jobs(world: World, args: dict[str, Any]) -> dict[str, Any]:
    size: int = args["limit"]
    cursor: str | None = args.get("cursor")
    with owner_lookup(cursor):
        project = world.project(args["project_reference"])
        batch = world.batch(project, args["batch_id"])
    cursor_seq = resolve_cursor(world.jobs, cursor, lambda j: j.batch_id == batch.id)
    index = project.job_groups[("batch", batch.id)]
    return listing(
        world.by_seq, index, args.get("status"), cursor, cursor_seq, size, None, job_dict
    )
