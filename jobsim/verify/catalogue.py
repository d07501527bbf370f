"""Checks of the catalogue: the handshake, and the tools the endpoint lists."""

from __future__ import annotations

from typing import Any

from jobsim.verify.contract import (
    DOCUMENTED,
    PLATFORM,
    SEED_TOOLS,
    input_schema,
    output_schema,
)
from jobsim.verify.suite import Context, Fail, Skip, check

__all__ = ["schema_diff"]

#: Differences shown per tool at most.
_MAX_DIFFS = 6


def schema_diff(published: Any, listed: Any, at: str = "") -> list[str]:
    """Where ``listed`` differs from ``published``, one readable line per difference."""
    where = at or "(root)"
    if isinstance(published, dict) and isinstance(listed, dict):
        lines: list[str] = []
        for key in sorted(set(published) | set(listed)):
            path = f"{at}.{key}" if at else key
            if key not in listed:
                lines.append(f"{path}: missing (published {_short(published[key])})")
            elif key not in published:
                lines.append(f"{path}: not published (listed {_short(listed[key])})")
            else:
                lines.extend(schema_diff(published[key], listed[key], path))
        return lines
    if published != listed:
        return [f"{where}: published {_short(published)}, listed {_short(listed)}"]
    return []


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _diffs(ctx: Context, names: tuple[str, ...], which: str) -> str | None:
    problems: list[str] = []
    for name in names:
        tool = ctx.tools[name]
        listed: Any = tool.input_schema if which == "input" else tool.output_schema
        published = input_schema(name) if which == "input" else output_schema(name)
        lines = schema_diff(published, listed)
        if lines:
            shown = "; ".join(lines[:_MAX_DIFFS])
            more = f" (+{len(lines) - _MAX_DIFFS} more)" if len(lines) > _MAX_DIFFS else ""
            problems.append(f"{name}: {shown}{more}")
    return " | ".join(problems) or None


def _listed(ctx: Context, names: tuple[str, ...]) -> tuple[str, ...]:
    found = tuple(n for n in names if n in ctx.tools)
    if not found:
        raise Skip(f"the endpoint lists none of {', '.join(names)}")
    return found


@check("catalogue", "handshake", "the endpoint completes the MCP handshake and offers tools")
async def _handshake(ctx: Context) -> str | None:
    said = ctx.endpoint.server
    if said is None or said.capabilities.tools is None:
        raise Fail("the server's initialize result declares no tools capability", _dump(said))
    info = said.server_info
    return f"{info.name} {info.version}, protocol {said.protocol_version}"


@check("catalogue", "documented_tools_listed", "every documented Jobs tool is in tools/list")
async def _documented_listed(ctx: Context) -> str | None:
    missing = [name for name in DOCUMENTED if name not in ctx.tools]
    if missing:
        raise Fail(f"not listed: {', '.join(missing)}", sorted(ctx.tools))
    return f"{len(DOCUMENTED)} tools"


@check("catalogue", "input_schemas", "each documented tool's input schema equals the published one")
async def _input_schemas(ctx: Context) -> str | None:
    problems = _diffs(ctx, _listed(ctx, DOCUMENTED), "input")
    if problems:
        raise Fail(problems)
    return None


@check("catalogue", "output_schemas", "each documented tool publishes an output schema")
async def _output_schemas(ctx: Context) -> str | None:
    missing = [n for n in _listed(ctx, DOCUMENTED) if not ctx.tools[n].output_schema]
    if missing:
        raise Fail(f"no output schema: {', '.join(missing)}")
    return None


@check(
    "catalogue",
    "seed_output_schemas",
    "cancel_job and list_job_batch_jobs publish exactly the seed output schemas",
)
async def _seed_output_schemas(ctx: Context) -> str | None:
    problems = _diffs(ctx, _listed(ctx, SEED_TOOLS), "output")
    if problems:
        raise Fail(problems)
    return None


@check(
    "catalogue",
    "platform_input_schemas",
    "platform tools (create_job, get_job, ...), where listed, take the published input",
)
async def _platform_schemas(ctx: Context) -> str | None:
    problems = _diffs(ctx, _listed(ctx, PLATFORM), "input")
    if problems:
        raise Fail(problems)
    return None


def _dump(value: Any) -> Any:
    return None if value is None else value.model_dump(mode="json", exclude_none=True)
