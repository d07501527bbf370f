"""The connection to the endpoint under test: the official MCP client, every wait bounded.

:func:`open_endpoint` connects over streamable HTTP (a URL, with an optional bearer
token), over stdio (a command started as a subprocess) or in-process (an SDK
``Server``), does the ``initialize`` handshake and yields an :class:`Endpoint`. Each
request waits at most ``timeout`` seconds; once one times out or the connection
ends, the endpoint counts as lost and every later call answers at once with the
same code, so a hanging or vanished server costs one timeout, not one per check.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TextIO

import anyio
import httpx2
import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.server import Server
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.memory import create_client_server_memory_streams

import jobsim
from jobsim.verify.answers import Answer, classify_error, classify_result

__all__ = ["ConnectError", "Endpoint", "open_endpoint"]

#: Pages of ``tools/list`` followed at most (a server whose cursor never ends).
_MAX_TOOL_PAGES = 20

_CLIENT_INFO = types.Implementation(name="jobsim-verify", version=jobsim.__version__)


class ConnectError(Exception):
    """The endpoint could not be reached or did not complete the MCP handshake."""


class _Session(ClientSession):
    """The SDK session, minus its own output validation: verify checks every output
    against the *published* schema itself, and must see outputs the SDK would reject."""

    async def validate_tool_result(self, name: str, result: types.CallToolResult) -> None:
        return None


class Endpoint:
    """A connected endpoint: ``list_tools`` and ``call``, each answer classified."""

    def __init__(self, session: ClientSession, timeout: float) -> None:
        self._session = session
        self._timeout = timeout
        #: What the server said in the handshake (set by :func:`open_endpoint`).
        self.server: types.InitializeResult | None = None
        #: The answer that lost the connection (a timeout, or the stream ending).
        self.lost: Answer | None = None

    async def list_tools(self) -> list[types.Tool] | Answer:
        """Every tool the endpoint lists (following its cursor), or the failing answer."""
        tools: list[types.Tool] = []
        cursor: str | None = None
        for _ in range(_MAX_TOOL_PAGES):
            params = None if cursor is None else types.PaginatedRequestParams(cursor=cursor)
            outcome = await self._bounded(self._session.list_tools(params=params))
            if isinstance(outcome, Answer):
                return outcome
            tools.extend(outcome.tools)
            cursor = outcome.next_cursor
            if cursor is None:
                return tools
        return Answer("unclassified", None, f"tools/list went on for {_MAX_TOOL_PAGES} pages", None)

    async def call(self, name: str, arguments: dict[str, Any]) -> Answer:
        """Call tool ``name``; the answer classified (:mod:`jobsim.verify.answers`)."""
        outcome = await self._bounded(self._session.call_tool(name, arguments))
        return outcome if isinstance(outcome, Answer) else _result_answer(outcome)

    async def _bounded(self, request: Any) -> Any:
        if self.lost is not None:
            request.close()  # never awaited: the connection is gone
            return Answer(
                self.lost.code,
                None,
                f"not sent: the connection was lost ({self.lost.message})",
                None,
            )
        try:
            with anyio.fail_after(self._timeout):  # wall-clock ok: bound a network wait
                return await request
        except Exception as error:  # every way a request can fail, classified in one place
            answer = classify_error(_lone(error), self._timeout)
            if answer.code in ("timeout", "connection_closed"):
                self.lost = answer
            return answer


def _result_answer(result: Any) -> Answer:
    if isinstance(result, types.CallToolResult):
        return classify_result(result)
    return Answer("unclassified", None, f"not a tool result: {type(result).__name__}", repr(result))


def _lone(error: BaseException) -> Exception:
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error if isinstance(error, Exception) else RuntimeError(repr(error))


@asynccontextmanager
async def open_endpoint(
    *,
    url: str | None = None,
    stdio: str | Sequence[str] | None = None,
    server: Server[Any] | None = None,
    token: str | None = None,
    timeout: float = 30.0,
) -> AsyncIterator[Endpoint]:
    """Connect to exactly one of ``url``, ``stdio`` (a command line) or ``server``.

    Raises :class:`ConnectError` saying why when the endpoint cannot be reached or the
    handshake does not finish within ``timeout`` seconds.
    """
    if sum(x is not None for x in (url, stdio, server)) != 1:
        raise ValueError("give exactly one of url, stdio (a command) or server")
    if token is not None and url is None:
        raise ValueError("a bearer token needs an HTTP url")
    if not timeout > 0:
        raise ValueError(f"timeout {timeout!r}: expected a number of seconds above 0")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
        failure: Answer | None = None
        try:
            async with AsyncExitStack() as stack:
                try:
                    read, write = await _streams(stack, url, stdio, server, token, timeout, errlog)
                    session = await stack.enter_async_context(
                        _Session(
                            read, write, read_timeout_seconds=timeout, client_info=_CLIENT_INFO
                        )
                    )
                    # The streams' task groups are entered above, outside this scope:
                    # a cancel scope may not straddle them.
                    with anyio.fail_after(timeout):  # wall-clock ok: bound the handshake
                        server_said = await session.initialize()
                except Exception as error:
                    failure = classify_error(_lone(error), timeout)
                if failure is None:
                    endpoint = Endpoint(session, timeout)
                    endpoint.server = server_said
                    yield endpoint
                    return
        except Exception:  # closing a connection that never worked went wrong too
            if failure is None:
                raise
        raise ConnectError(_connect_message(failure, errlog))


async def _streams(
    stack: AsyncExitStack,
    url: str | None,
    stdio: str | Sequence[str] | None,
    server: Server[Any] | None,
    token: str | None,
    timeout: float,
    errlog: TextIO,
) -> tuple[Any, Any]:
    if url is not None:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else None
        # Every HTTP wait bounded by ``timeout`` too, also the session's closing DELETE
        # (the SDK's default lets a stream idle 300 s); the idle GET stream, which jobsim
        # never uses, then reconnects a few times and gives up, which costs nothing.
        client = create_mcp_http_client(headers=headers, timeout=httpx2.Timeout(timeout))
        await stack.enter_async_context(client)
        streams = await stack.enter_async_context(streamable_http_client(url, http_client=client))
        return streams[0], streams[1]
    if stdio is not None:
        words = shlex.split(stdio) if isinstance(stdio, str) else list(stdio)
        if not words:
            raise ValueError("the stdio command is empty")
        params = StdioServerParameters(command=words[0], args=words[1:])
        streams = await stack.enter_async_context(stdio_client(params, errlog=errlog))
        return streams[0], streams[1]
    assert server is not None
    return await stack.enter_async_context(_in_process(server))


@asynccontextmanager
async def _in_process(server: Server[Any]) -> AsyncIterator[tuple[Any, Any]]:
    async with create_client_server_memory_streams() as (client_streams, server_streams):
        server_read, server_write = server_streams
        async with anyio.create_task_group() as group:

            async def run_server() -> None:
                await server.run(server_read, server_write, server.create_initialization_options())

            group.start_soon(run_server)
            try:
                yield client_streams
            finally:
                group.cancel_scope.cancel()


def _connect_message(answer: Answer, errlog: TextIO) -> str:
    errlog.seek(0)
    said = errlog.read()[-600:].strip()
    text = f"could not connect ({answer.code}): {answer.message}"
    return f"{text}; the server's stderr ends: {said}" if said else text
