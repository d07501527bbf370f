"""The MCP adapter: one low-level SDK ``Server`` in front of one :class:`~jobsim.Simulator`.

``tools/list`` publishes the registry's schemas as they are; ``tools/call`` runs
:meth:`Simulator.call`. A :class:`~jobsim.ToolError` becomes a tool result with
``isError: true`` (its text is ``"<code>: <message>"``, its ``_meta["jobsim/error"]``
the error's :meth:`~jobsim.ToolError.to_dict`); any other exception becomes an
``internal`` error result, so no Python exception reaches the transport. A tool the
server does not publish (an unknown name, or a ``sim_*`` tool while control is off)
is a JSON-RPC error (``-32602``), not a tool result.

The SDK's low-level server does not validate tool arguments or outputs itself (only
the high-level ``MCPServer`` does), so every argument reaches jobsim, whose own
``invalid_arguments`` errors are the ones a client sees.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.context import CallNext, HandlerResult
from mcp.shared.exceptions import MCPError

import jobsim
from jobsim.errors import ToolError, not_found
from jobsim.registry import TOOLS
from jobsim.simulator import Simulator

__all__ = ["ERROR_META_KEY", "ProjectScope", "create_server", "error_result", "success_result"]

logger = logging.getLogger("jobsim.mcp")

#: The ``_meta`` key of an error result that carries ``ToolError.to_dict()``.
ERROR_META_KEY = "jobsim/error"

#: What a call naming a project outside its token's scope is run with instead: a
#: string that can be neither a project id (a UUID) nor a slug (its pattern), so the
#: simulator answers exactly as it does for any project that does not exist.
_OUT_OF_SCOPE = "(a project outside this token's scope)"

#: The SDK's refusal of a request that comes before ``initialize``: (code, message, data).
_BEFORE_INITIALIZE = (types.INVALID_PARAMS, "Invalid request parameters", "")

_INSTRUCTIONS = (
    "jobsim: a deterministic, in-memory simulator of a Jobs API. Every tool's input and "
    "output schema is the published one. Time is virtual: it moves only when "
    "sim_advance_clock is called (the sim_* control tools are listed only when the server "
    "runs with control enabled). A refused call is a result with isError true whose text "
    "is '<code>: <message>'."
)


class ProjectScope:
    """The one project a bearer token (or an in-process connection) may see.

    ``project`` is the slug or id it was configured with. A ``project_reference``
    is in scope when it names that project by either its slug or its id; the pair is
    looked up the first time a reference other than ``project`` is
    met, and kept once the project exists: a project's id and slug never change.
    """

    def __init__(self, project: str) -> None:
        if not project:
            raise ValueError("a project scope needs a project slug or id")
        self.project = project
        self._names: frozenset[str] | None = None

    def allows(self, sim: Simulator, reference: str) -> bool:
        """Whether ``reference`` names this scope's project in ``sim``."""
        if reference == self.project:
            return True
        if self._names is None:
            self._names = _project_names(sim, self.project)
        return self._names is not None and reference in self._names


def _project_names(sim: Simulator, reference: str) -> frozenset[str] | None:
    found = sim.find_project(reference)
    return None if found is None else frozenset((found["id"], found["slug"]))


def success_result(output: dict[str, Any]) -> types.CallToolResult:
    """A tool's output as a result: ``structuredContent`` plus the same JSON as text."""
    return types.CallToolResult(
        content=[types.TextContent(text=json.dumps(output, ensure_ascii=False))],
        structured_content=output,
    )


def error_result(error: ToolError) -> types.CallToolResult:
    """A refused call as a result with ``isError: true``; its text is ``str(error)``."""
    return types.CallToolResult(
        content=[types.TextContent(text=str(error))],
        is_error=True,
        _meta={ERROR_META_KEY: error.to_dict()},
    )


class _Adapter:
    """The handlers of one server; holds the simulator, the published tools and scopes."""

    def __init__(
        self,
        sim: Simulator,
        *,
        control: bool,
        project: str | None,
        tokens: Mapping[str, str] | None,
        offload: bool,
    ) -> None:
        self.sim = sim
        # One worker thread at a time: the simulator runs one call at a time anyway,
        # and a queue in arrival order keeps a session's calls in the order it sent them.
        self.limiter = anyio.CapacityLimiter(1) if offload else None
        self.tools = {
            spec.name: types.Tool(
                name=spec.name,
                description=spec.description,
                input_schema=copy.deepcopy(spec.input_schema),
                output_schema=copy.deepcopy(spec.output_schema),
            )
            for spec in TOOLS.values()
            if control or spec.family != "control"
        }
        self.scope = ProjectScope(project) if project is not None else None
        # One scope object per project, shared by every token of that project.
        by_project: dict[str, ProjectScope] = {}
        self.token_scopes = {
            token: by_project.setdefault(name, ProjectScope(name))
            for token, name in (tokens or {}).items()
        }

    async def list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=list(self.tools.values()))

    def input_schema(self, name: str) -> Mapping[str, Any] | None:
        tool = self.tools.get(name)
        return tool.input_schema if tool is not None else None

    async def call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        name = params.name
        if name not in self.tools:
            spec = TOOLS.get(name)
            hint = (
                f"; {name} is a control tool, published only when the server runs with "
                "control on (jobsim serve --control)"
                if spec is not None and spec.family == "control"
                else ""
            )
            raise MCPError(
                code=types.INVALID_PARAMS,
                message=f"Unknown tool: {name}{hint}",
                data={"tool": name, "known": list(self.tools)},
            )
        scope = self._scope_of(ctx)
        try:
            if self.limiter is None:
                return success_result(self._run(name, params.arguments, scope))
            output = await anyio.to_thread.run_sync(
                self._run, name, params.arguments, scope, limiter=self.limiter
            )
            return success_result(output)
        except ToolError as error:
            return error_result(error)
        except Exception as exc:  # a bug in jobsim: report it, never crash the transport
            logger.exception("tool %s raised", name)
            return error_result(
                ToolError(
                    "internal",
                    f"jobsim raised {type(exc).__name__} while running {name}: {exc}",
                    {"exception": type(exc).__name__},
                )
            )

    def _scope_of(self, ctx: ServerRequestContext[Any]) -> ProjectScope | None:
        if self.scope is not None:
            return self.scope
        if not self.token_scopes:
            return None
        # The HTTP app only lets requests with a known bearer token through; the
        # Starlette request of this message carries the verified token.
        request = ctx.request
        user = getattr(request, "scope", {}).get("user") if request is not None else None
        if isinstance(user, AuthenticatedUser):
            scope = self.token_scopes.get(user.access_token.token)
            if scope is not None:
                return scope
        raise MCPError(code=types.INVALID_REQUEST, message="a valid bearer token is required")

    def _run(self, name: str, arguments: Any, scope: ProjectScope | None) -> dict[str, Any]:
        reference = arguments.get("project_reference") if isinstance(arguments, dict) else None
        if scope is None or not isinstance(reference, str) or scope.allows(self.sim, reference):
            return self.sim.call(name, arguments)
        # Another project: run the call as if it named a project that does not exist,
        # so every check before the project lookup (and its order) is the simulator's.
        try:
            return self.sim.call(name, {**arguments, "project_reference": _OUT_OF_SCOPE})
        except ToolError as error:
            if error.code == "not_found" and error.details.get("id") == _OUT_OF_SCOPE:
                raise not_found("project", reference) from None
            raise


def create_server(
    sim: Simulator,
    *,
    control: bool = False,
    project: str | None = None,
    tokens: Mapping[str, str] | None = None,
    offload: bool = False,
) -> Server[Any]:
    """A low-level MCP ``Server`` that serves ``sim``'s tools.

    ``offload`` runs each simulator call in a worker thread (one at a time), so that
    one long call (a long ``sim_advance_clock``) does not hold up pings and other
    sessions on the event loop; the transports of ``jobsim serve`` turn it on. An
    in-process :func:`~jobsim.mcp.connect` has one session and runs calls inline.

    ``control`` publishes the ``sim_*`` tools (hidden and uncallable otherwise).
    ``project`` scopes every call to one project (by slug or id); ``tokens`` maps
    bearer tokens to projects for the HTTP transport (see
    :func:`jobsim.mcp.transports.http_app`), each request scoped to its token's
    project. A ``project_reference`` outside the scope is ``not_found``, worded
    exactly as for a project that does not exist.
    """
    if project is not None and tokens:
        raise ValueError("give either one project scope or tokens, not both")
    adapter = _Adapter(sim, control=control, project=project, tokens=tokens, offload=offload)
    server: Server[Any] = Server(
        "jobsim",
        version=jobsim.__version__,
        title="jobsim",
        description="A deterministic, in-memory simulator of a Jobs API",
        instructions=_INSTRUCTIONS,
        get_tool_input_schema=adapter.input_schema,
        on_list_tools=adapter.list_tools,
        on_call_tool=adapter.call_tool,
    )
    server.middleware.append(_explain_requests_before_initialize)
    return server


async def _explain_requests_before_initialize(
    ctx: ServerRequestContext[Any], call_next: CallNext
) -> HandlerResult:
    """Give the SDK's refusal of a request sent before ``initialize`` (``-32602`` with
    the bare message "Invalid request parameters" and empty data) a message that
    says what to do."""
    try:
        return await call_next(ctx)
    except MCPError as error:
        if (error.code, error.message, error.data) != _BEFORE_INITIALIZE:
            raise
        raise MCPError(
            code=types.INVALID_PARAMS,
            message=(
                f"{ctx.method} was sent before the session was initialized: send "
                "initialize first (then notifications/initialized), or use server/discover "
                "with a per-request protocol version"
            ),
            data={"method": ctx.method},
        ) from None
