"""World files: the projects, targets and calls a server starts with (``--world FILE``).

A world file is a JSON object; every key is optional::

    {
      "projects": [
        {"slug": "acme", "id": "<uuid, optional>",
         "environments": ["production"], "branches": ["main"]}
      ],
      "targets": [
        {"name": "img:build", "behavior": {"run_seconds": 30}}
      ],
      "calls": [
        {"tool": "create_job",
         "arguments": {"project_reference": "acme", "name": "build", "target": "img:build"}}
      ]
    }

Everything is replayed through :meth:`Simulator.call`, in this order: each project
(``sim_create_project``), then its environments and branches
(``sim_create_environment``/``sim_create_branch`` by name), then each target
(``sim_define_target`` with the object as its arguments), then each call. Control
tools may be used whether or not the server publishes them. Ids come from the
simulator's seeded source, so for a given ``--seed`` they are always the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jobsim.errors import ToolError
from jobsim.simulator import Simulator

__all__ = ["WorldFileError", "load_world", "read_world"]

_TOP = ("projects", "targets", "calls")
_PROJECT = ("slug", "id", "environments", "branches")


class WorldFileError(ValueError):
    """A world file that cannot be loaded; the message says where and why."""


def read_world(path: str | Path) -> dict[str, Any]:
    """Read and parse the world file at ``path`` (its shape is checked by :func:`load_world`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise WorldFileError(
            f"world file {str(path)!r}: cannot read it: {error.strerror}"
        ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise WorldFileError(f"world file {str(path)!r}: not JSON: {error}") from None
    if not isinstance(value, dict):
        raise WorldFileError(f"world file {str(path)!r}: expected a JSON object at the top")
    return value


def load_world(sim: Simulator, world: dict[str, Any] | str | Path) -> int:
    """Replay a world (a parsed world file, or the path of one) into ``sim``.

    Returns the number of calls made. Raises :class:`WorldFileError` naming the
    offending entry (``projects[0].environments[1]``, ``calls[3]``) on a malformed
    world or a refused call; calls before it have been made.
    """
    if not isinstance(world, dict):
        world = read_world(world)
    unknown = sorted(set(world) - set(_TOP))
    if unknown:
        raise WorldFileError(
            f"world: unknown key(s) {', '.join(map(repr, unknown))}; accepted keys are "
            + ", ".join(_TOP)
        )
    made = 0

    def call(where: str, tool: str, arguments: dict[str, Any]) -> None:
        nonlocal made
        try:
            sim.call(tool, arguments)
        except ToolError as error:
            raise WorldFileError(f"world: {where} ({tool}): {error}") from None
        made += 1

    for i, project in enumerate(_list(world, "projects")):
        where = f"projects[{i}]"
        entry = _object(project, where, _PROJECT)
        if not isinstance(entry.get("slug"), str):
            raise WorldFileError(f"world: {where}.slug: expected a string")
        created: dict[str, Any] = {k: entry[k] for k in ("slug", "id") if k in entry}
        call(where, "sim_create_project", created)
        for kind in ("environments", "branches"):
            for j, name in enumerate(_list(entry, kind, where)):
                tool = "sim_create_environment" if kind == "environments" else "sim_create_branch"
                call(
                    f"{where}.{kind}[{j}]",
                    tool,
                    {"project_reference": entry["slug"], "name": name},
                )
    for i, target in enumerate(_list(world, "targets")):
        call(f"targets[{i}]", "sim_define_target", _object(target, f"targets[{i}]"))
    for i, item in enumerate(_list(world, "calls")):
        where = f"calls[{i}]"
        entry = _object(item, where, ("tool", "arguments"))
        name = entry.get("tool")
        if not isinstance(name, str):
            raise WorldFileError(f"world: {where}.tool: expected a tool name")
        call(where, name, _object(entry.get("arguments", {}), f"{where}.arguments"))
    return made


def _list(value: dict[str, Any], key: str, where: str = "") -> list[Any]:
    items = value.get(key, [])
    if not isinstance(items, list):
        raise WorldFileError(f"world: {where + '.' if where else ''}{key}: expected an array")
    return items


def _object(value: Any, where: str, keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WorldFileError(f"world: {where}: expected an object")
    if keys is not None:
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise WorldFileError(
                f"world: {where}: unknown key(s) {', '.join(map(repr, unknown))}; "
                f"accepted keys are {', '.join(keys)}"
            )
    return value
