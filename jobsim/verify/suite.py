"""The suite: named checks by group, the context they share, and the loop that runs them.

A check is an async function of a :class:`Context`, registered with :func:`check`. It
passes by returning (optionally a note), is skipped by raising :class:`Skip` with the
reason (what it needs and the endpoint lacks), and fails by raising :class:`Fail`
with a one-line reason and the raw answers that show it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import mcp_types as types

from jobsim.verify.answers import Answer
from jobsim.verify.connection import Endpoint

__all__ = [
    "CHECKS",
    "GROUPS",
    "MODES",
    "OUTCOMES",
    "CheckFn",
    "CheckResult",
    "CheckSpec",
    "Context",
    "Fail",
    "Skip",
    "check",
    "ordered",
    "run_checks",
]

#: The groups of checks, in the order they run.
GROUPS = ("catalogue", "read", "full")

#: The groups each mode runs. ``read-only`` makes only read calls and calls that must
#: be refused, so it is safe against a production project; ``full`` drives jobs with
#: the ``sim_*`` control tools, so it needs a simulator.
MODES: dict[str, tuple[str, ...]] = {"read-only": ("catalogue", "read"), "full": GROUPS}

#: What a check can come to.
OUTCOMES = ("passed", "failed", "skipped")

#: How many pages a walk through a listing follows at most.
MAX_PAGES = 50

#: Ids and names no endpoint should know.
MADE_UP_UUID = "7e57c0de-0000-4000-8000-00000000f00d"
MADE_UP_SLUG = "jobsim-verify-no-such-project"


class Skip(Exception):
    """The check cannot run here; the message says what it needs."""


class Fail(Exception):
    """The endpoint broke the contract; ``raw`` holds the answers that show it."""

    def __init__(self, reason: str, *raw: Any) -> None:
        super().__init__(reason)
        self.raw = [r.raw if isinstance(r, Answer) else r for r in raw]


CheckFn = Callable[["Context"], Awaitable[str | None]]


@dataclass(frozen=True)
class CheckSpec:
    """One named check: its group, its one-line description, and its function."""

    name: str
    group: str
    description: str
    fn: CheckFn = field(repr=False)


@dataclass(frozen=True)
class CheckResult:
    """What one check came to: ``outcome`` is one of :data:`OUTCOMES`."""

    name: str
    group: str
    description: str
    outcome: str
    reason: str
    raw: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``--json``)."""
        return {
            "name": self.name,
            "group": self.group,
            "description": self.description,
            "outcome": self.outcome,
            "reason": self.reason,
            "raw": self.raw,
        }


#: Every check, by name.
CHECKS: dict[str, CheckSpec] = {}


def ordered() -> list[CheckSpec]:
    """Every check in the order they run: group by group, as registered within one."""
    return sorted(CHECKS.values(), key=lambda spec: GROUPS.index(spec.group))


def check(group: str, name: str, description: str) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as check ``<group>.<name>``."""
    if group not in GROUPS:  # pragma: no cover - a programming error
        raise ValueError(f"unknown group {group!r}; expected one of {', '.join(GROUPS)}")

    def register(fn: CheckFn) -> CheckFn:
        full = f"{group}.{name}"
        if full in CHECKS:  # pragma: no cover - a programming error
            raise RuntimeError(f"check {full} is registered twice")
        CHECKS[full] = CheckSpec(full, group, description, fn)
        return fn

    return register


class Context:
    """What the checks share: the endpoint, the projects, and what was found in them."""

    def __init__(
        self,
        endpoint: Endpoint,
        tools: dict[str, types.Tool],
        project: str,
        other_project: str | None,
    ) -> None:
        self.endpoint = endpoint
        self.tools = tools
        self.project = project
        self.other_project = other_project
        self._found: dict[str, Any] = {}

    def require(self, *names: str) -> None:
        """Skip unless the endpoint lists every tool in ``names``."""
        missing = [n for n in names if n not in self.tools]
        if missing:
            raise Skip(f"the endpoint does not list {', '.join(missing)}")

    async def call(self, tool: str, arguments: dict[str, Any]) -> Answer:
        """Call ``tool`` (it must be listed: skipped otherwise)."""
        self.require(tool)
        return await self.endpoint.call(tool, arguments)

    async def ok(self, tool: str, arguments: dict[str, Any]) -> Any:
        """The output of a call that must succeed; :class:`Fail` with its answer if not."""
        answer = await self.call(tool, arguments)
        if not answer.ok:
            raise Fail(f"{tool} {_args(arguments)} was refused: {answer.brief()}", answer)
        return answer.output

    async def refused(self, tool: str, arguments: dict[str, Any], code: str) -> Answer:
        """Check that a call is refused with ``code``; :class:`Fail` with the answer if not."""
        answer = await self.call(tool, arguments)
        if answer.code != code:
            got = "it succeeded" if answer.ok else f"it answered {answer.brief()}"
            raise Fail(f"{tool} {_args(arguments)}: expected {code}, but {got}", answer)
        return answer

    async def walk(self, tool: str, arguments: dict[str, Any], limit: int) -> list[Any]:
        """Every page of a listing by ``next``, from the first (at most :data:`MAX_PAGES`)."""
        pages: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            args = {**arguments, "limit": limit}
            if cursor is not None:
                args["cursor"] = cursor
            page = await self.ok(tool, args)
            pages.append(page)
            cursor = _next_of(page)
            if cursor is None:
                break
        return pages

    async def once(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """``make()``'s value, computed once per run (what later checks can reuse)."""
        if key not in self._found:
            self._found[key] = await make()
        return self._found[key]

    async def jobs(self) -> list[dict[str, Any]]:
        """The first 100 jobs of the project (the first page of ``list_jobs``)."""

        async def first_page() -> list[dict[str, Any]]:
            page = await self.ok("list_jobs", {"project_reference": self.project, "limit": 100})
            return _items(page)

        found: list[dict[str, Any]] = await self.once("jobs", first_page)
        return found

    async def some_jobs(self) -> list[dict[str, Any]]:
        """:meth:`jobs`, skipping the check when there are none."""
        jobs = await self.jobs()
        if not jobs:
            raise Skip(f"project {self.project!r} has no jobs")
        return jobs

    async def batch_id(self) -> str:
        """The id of a batch that one of the first 100 jobs belongs to."""
        for job in await self.jobs():
            if isinstance(job.get("batch_id"), str):
                return str(job["batch_id"])
        raise Skip(f"none of the first 100 jobs of project {self.project!r} is in a batch")

    async def crons(self) -> list[dict[str, Any]]:
        """The first 100 cron jobs of the project."""

        async def first_page() -> list[dict[str, Any]]:
            page = await self.ok(
                "list_cron_jobs", {"project_reference": self.project, "limit": 100}
            )
            return _items(page)

        found: list[dict[str, Any]] = await self.once("crons", first_page)
        return found


def _items(page: Any) -> list[dict[str, Any]]:
    data = page.get("data") if isinstance(page, dict) else None
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _next_of(page: Any) -> str | None:
    info = page.get("page_info") if isinstance(page, dict) else None
    nxt = info.get("next") if isinstance(info, dict) else None
    return nxt if isinstance(nxt, str) else None


def _args(arguments: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return "{" + (text if len(text) <= 120 else text[:117] + "...") + "}"


async def run_checks(
    endpoint: Endpoint | None,
    *,
    project: str,
    other_project: str | None,
    mode: str,
    only: Iterable[str] | None = None,
    unreachable: str | None = None,
) -> list[CheckResult]:
    """Run the checks of ``mode`` (or ``only`` those named) on a connected endpoint; with
    no endpoint, fail each of them saying why it is ``unreachable``."""
    groups = MODES[mode]
    chosen = set(CHECKS) if only is None else set(only)
    results: list[CheckResult] = []
    lost = f"not run: {unreachable}"
    ctx: Context | None = None
    if endpoint is not None:
        listed = await endpoint.list_tools()
        if isinstance(listed, Answer):
            lost = f"not run: tools/list failed: {listed.brief()}"
        else:
            ctx = Context(endpoint, {tool.name: tool for tool in listed}, project, other_project)
    for spec in ordered():
        if spec.name not in chosen:
            continue
        if spec.group not in groups:
            results.append(_result(spec, "skipped", f"runs only with --mode {_mode_of(spec)}"))
            continue
        if endpoint is not None and endpoint.lost is not None:
            ctx, lost = None, f"not run: the connection was lost ({endpoint.lost.message})"
        if ctx is None:
            results.append(_result(spec, "failed", lost))
            continue
        results.append(await _run_one(spec, ctx))
    return results


def _mode_of(spec: CheckSpec) -> str:
    return next(mode for mode, groups in MODES.items() if spec.group in groups)


async def _run_one(spec: CheckSpec, ctx: Context) -> CheckResult:
    try:
        note = await spec.fn(ctx)
    except Skip as skip:
        return _result(spec, "skipped", str(skip))
    except Fail as fail:
        return _result(spec, "failed", str(fail), fail.raw)
    except Exception as error:  # an answer shaped so oddly that the check itself choked
        return _result(spec, "failed", f"unexpected answer: {type(error).__name__}: {error}")
    return _result(spec, "passed", note or "")


def _result(
    spec: CheckSpec, outcome: str, reason: str, raw: list[Any] | None = None
) -> CheckResult:
    return CheckResult(spec.name, spec.group, spec.description, outcome, reason, raw or [])
