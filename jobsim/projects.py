"""Projects, environments and branches: the ``sim_create_*`` tools (SPEC section 2)."""

from __future__ import annotations

from typing import Any

from jobsim.arguments import NonBlank, Uuid
from jobsim.errors import conflict
from jobsim.records import Project, Scoped
from jobsim.registry import handler
from jobsim.serialize import scoped_dict
from jobsim.world import World


@handler("sim_create_project", effect="local", args={"id": Uuid()})
def create_project(world: World, args: dict[str, Any]) -> dict[str, Any]:
    slug: str = args["slug"]
    given: str | None = args.get("id")
    # An id and a slug share one namespace (project_reference matches either), so
    # neither may shadow an existing id or slug.
    for value, what in ((slug, "slug"), (given, "id")):
        if value is not None and (value in world.projects or value in world.slugs):
            raise conflict(
                f"project {what} {value!r} is already in use; choose another",
                field=what,
                value=value,
            )
    ident = given
    while ident is None or ident in world.projects or ident in world.slugs:
        ident = world.ids.next()  # never reuse an id a caller already gave
    project = Project(id=ident, slug=slug)
    world.projects[project.id] = project
    world.slugs[slug] = project
    return {"id": project.id, "slug": project.slug}


def _create_scoped(world: World, args: dict[str, Any], table: dict[str, Scoped]) -> dict[str, Any]:
    name: str = args["name"]
    project = world.project(args["project_reference"])
    item = Scoped(id=world.ids.next(), project_id=project.id, name=name)
    table[item.id] = item
    return scoped_dict(item)


@handler("sim_create_environment", effect="local", args={"name": NonBlank()})
def create_environment(world: World, args: dict[str, Any]) -> dict[str, Any]:
    return _create_scoped(world, args, world.environments)


@handler("sim_create_branch", effect="local", args={"name": NonBlank()})
def create_branch(world: World, args: dict[str, Any]) -> dict[str, Any]:
    return _create_scoped(world, args, world.branches)
