"""An in-process MCP client on a simulator, for tests: :func:`connect`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from mcp.client.session import ClientSession
from mcp.server import Server
from mcp.shared.memory import create_client_server_memory_streams
from mcp_types.version import (
    HANDSHAKE_PROTOCOL_VERSIONS,
    LATEST_PROTOCOL_VERSION,
    MODERN_PROTOCOL_VERSIONS,
)

import jobsim
from jobsim.fastcheck import Check
from jobsim.mcp.server import create_server
from jobsim.registry import TOOLS
from jobsim.simulator import Simulator

__all__ = ["connect", "negotiate"]

#: How long the server may take to wind down after the client leaves.
_SHUTDOWN_GRACE_SECONDS = 5.0

_CLIENT_INFO = types.Implementation(name="jobsim-tests", version=jobsim.__version__)


@asynccontextmanager
async def connect(
    sim: Simulator,
    *,
    control: bool = True,
    project: str | None = None,
    protocol_version: str = LATEST_PROTOCOL_VERSION,
    read_timeout_seconds: float | None = 30.0,
) -> AsyncIterator[ClientSession]:
    """Connect an SDK ``ClientSession`` to a server on ``sim``, in this process.

    The session is connected (``initialize`` or ``server/discover`` done) at
    ``protocol_version``: the newest the SDK speaks by default, or any of the
    SDK's handshake versions (``mcp_types.version.HANDSHAKE_PROTOCOL_VERSIONS``).
    ``control`` (on by default here, unlike ``jobsim serve``) publishes the
    ``sim_*`` tools; ``project`` scopes every call to one project, as a bearer
    token does over HTTP. Use it under any anyio backend::

        async with connect(Simulator(seed=1)) as session:
            result = await session.call_tool("sim_create_project", {"slug": "acme"})
    """
    if protocol_version not in (*HANDSHAKE_PROTOCOL_VERSIONS, *MODERN_PROTOCOL_VERSIONS):
        raise ValueError(
            f"protocol_version {protocol_version!r} is not one the SDK speaks; expected one of "
            + ", ".join((*HANDSHAKE_PROTOCOL_VERSIONS, *MODERN_PROTOCOL_VERSIONS))
        )
    server = create_server(sim, control=control, project=project)
    try:
        async with _session(server, protocol_version, read_timeout_seconds) as session:
            yield session
    except BaseExceptionGroup as group:
        # The task groups wrap whatever the body raised (an assertion, say); hand a
        # lone exception back as itself.
        lone = _lone(group)
        if lone is None:
            raise
        raise lone from None


@asynccontextmanager
async def _session(
    server: Server[Any], protocol_version: str, read_timeout_seconds: float | None
) -> AsyncIterator[ClientSession]:
    async with create_client_server_memory_streams() as (client_streams, server_streams):
        client_read, client_write = client_streams
        server_read, server_write = server_streams
        done = anyio.Event()

        async def run_server() -> None:
            try:
                await server.run(server_read, server_write, server.create_initialization_options())
            finally:
                done.set()

        async with anyio.create_task_group() as group:
            group.start_soon(run_server)
            try:
                async with _Session(
                    client_read,
                    client_write,
                    read_timeout_seconds=read_timeout_seconds,
                    client_info=_CLIENT_INFO,
                ) as session:
                    await negotiate(session, protocol_version)
                    yield session
            finally:
                # End of input lets the server finish by itself; cancel it only if it
                # has not within the grace period.
                await client_write.aclose()
                await server_write.aclose()
                grace = _SHUTDOWN_GRACE_SECONDS
                with anyio.move_on_after(grace):  # wall-clock ok: bounded wait for the server
                    await done.wait()
                group.cancel_scope.cancel()


class _Session(ClientSession):
    """The SDK's session, checking the results of jobsim's tools with jobsim's fast
    output checks (:mod:`jobsim.fastcheck`, equivalent to jsonschema) when the server
    published the registry's output schema. Anything they do not accept goes to the
    SDK's own jsonschema validation, which words the error; so does the first call of
    each tool, which lists the tools as before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._jobsim_checks: dict[str, Check] = {}

    async def list_tools(
        self, *, params: types.PaginatedRequestParams | None = None
    ) -> types.ListToolsResult:
        result = await super().list_tools(params=params)
        for tool in result.tools:
            spec = TOOLS.get(tool.name)
            if spec is not None and tool.output_schema == spec.output_schema:
                self._jobsim_checks[tool.name] = spec.output_check
            else:
                self._jobsim_checks.pop(tool.name, None)
        return result

    async def validate_tool_result(self, name: str, result: types.CallToolResult) -> None:
        check = self._jobsim_checks.get(name)
        content = result.structured_content
        if check is not None and content is not None and check(content):  # decoded JSON
            return
        await super().validate_tool_result(name, result)


def _lone(group: BaseExceptionGroup[BaseException]) -> Exception | None:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error if isinstance(error, Exception) and not isinstance(error, ExceptionGroup) else None


async def negotiate(session: ClientSession, protocol_version: str) -> None:
    """Connect ``session`` at ``protocol_version``: ``server/discover`` for a modern
    version, the ``initialize`` handshake (proposing exactly that version) otherwise."""
    if protocol_version in MODERN_PROTOCOL_VERSIONS:
        await session.discover()
        if session.protocol_version != protocol_version:  # pragma: no cover - one modern version
            raise RuntimeError(f"server chose {session.protocol_version}, not {protocol_version}")
        return
    result = await session.send_request(
        types.InitializeRequest(
            params=types.InitializeRequestParams(
                protocol_version=protocol_version,
                capabilities=types.ClientCapabilities(),
                client_info=_CLIENT_INFO,
            )
        ),
        types.InitializeResult,
    )
    if result.protocol_version != protocol_version:
        raise RuntimeError(
            f"server answered protocol version {result.protocol_version}, not {protocol_version}"
        )
    session.adopt(result)
    await session.send_notification(types.InitializedNotification())
