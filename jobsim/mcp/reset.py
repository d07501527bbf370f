"""``POST /sim/reset`` of ``jobsim serve --http --control``: a fresh simulator, and a
fresh server around it, without starting a new process.

The body is a JSON object ``{"seed": N, "start": "ISO 8601 time"}`` (both keys
optional: seed 0 and the simulator's default start; an empty body is ``{}``). The
reset asks ``fresh`` for the simulator the command line describes with that seed and
start (its ``--transcript-limit``, its ``--world``), builds a new MCP server and HTTP
app around it (their own session manager, token scopes and dashboard), serves every
later request with them, and ends the old ones: every open MCP session is closed and
its id unknown from then on (``404``), so nothing of the previous simulator stays
reachable. It answers once the old sessions have ended: ``200`` with
``{"seed": N, "now": "..."}``.

A refused reset leaves the server as it was: ``400`` for a body that is not such an
object (or a seed or start the simulator refuses), ``413`` for one over
:data:`MAX_BODY` bytes. The route is guarded as ``/mcp`` is: ``421`` for a foreign
``Host`` on loopback, ``401`` without a known bearer token when the server has
tokens. It exists only when control is on (:func:`jobsim.mcp.transports.serve_http`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup, TaskStatus
from mcp.server import Server
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from jobsim.extras import RESET_PATH
from jobsim.mcp.guards import KnownTokens, foreign_host, missing_token
from jobsim.simulator import Simulator

__all__ = ["MAX_BODY", "Fresh", "ResettableApp", "end_sessions"]

#: The largest reset body taken, in bytes (a seed and a start need far less).
MAX_BODY = 4096

#: Builds the simulator a reset serves: ``fresh(seed, start)`` (``start`` ``None``:
#: the default); raises ``ValueError`` or ``TypeError`` for a seed or start it refuses.
Fresh = Callable[[int, "str | None"], Simulator]

_ACCEPTED = 'expected a JSON object {"seed": N, "start": "ISO 8601 time"}, both keys optional'


class _Generation:
    """One simulator with the MCP server and HTTP app that serve it."""

    def __init__(self, sim: Simulator, server: Server[Any], app: Starlette) -> None:
        self.sim = sim
        self.server = server
        self.app = app
        self.leave: anyio.Event | None = None  # set: end its sessions and its lifespan
        self.gone: anyio.Event | None = None  # set once its lifespan has ended


class ResettableApp:
    """An ASGI app serving one :class:`_Generation` at a time; ``POST``
    :data:`~jobsim.extras.RESET_PATH` replaces it with a fresh one.

    ``build(sim)`` makes the MCP server and the HTTP app of a simulator (the same
    as :func:`~jobsim.mcp.transports.http_app`'s). Every request other than a reset
    goes, unchanged, to the current app, whose lifespan (the SDK's session manager)
    runs in a task of this app's own lifespan until the next reset or the shutdown.
    """

    def __init__(
        self,
        sim: Simulator,
        build: Callable[[Simulator], tuple[Server[Any], Starlette]],
        fresh: Fresh,
        *,
        tokens: KnownTokens,
        hosts: Sequence[str] | None,
    ) -> None:
        self._build = build
        self._fresh = fresh
        self._tokens = tokens
        self._hosts = hosts
        self._current = _Generation(sim, *build(sim))
        self._tasks: TaskGroup | None = None  # while serving: runs each generation's lifespan
        self._lock: anyio.Lock | None = None  # one reset at a time
        #: Serves the reset route and this app's lifespan (``router.lifespan_context``).
        self.router = Router(
            [Route(RESET_PATH, self._reset, methods=["POST"])],
            redirect_slashes=False,
            lifespan=self._lifespan,
        )

    @property
    def sim(self) -> Simulator:
        """The simulator served now."""
        return self._current.sim

    @property
    def session_manager(self) -> Any:
        """The SDK's session manager of the current server (its open MCP sessions)."""
        return self._current.server.session_manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or scope.get("path") == RESET_PATH:
            await self.router(scope, receive, send)
        else:
            await self._current.app(scope, receive, send)

    @asynccontextmanager
    async def _lifespan(self, app: object) -> AsyncIterator[None]:
        self._lock = anyio.Lock()
        async with anyio.create_task_group() as tasks:
            await tasks.start(self._hold, self._current)
            self._tasks = tasks
            try:
                yield
            finally:
                with anyio.CancelScope(shield=True):
                    async with self._lock:  # a reset under way finishes first
                        self._tasks = None
                        await _leave(self._current)

    async def _hold(
        self, generation: _Generation, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Run ``generation``'s lifespan until it is told to leave."""
        generation.leave, generation.gone = anyio.Event(), anyio.Event()
        try:
            async with generation.app.router.lifespan_context(generation.app):
                task_status.started()
                await generation.leave.wait()
        finally:
            generation.gone.set()

    async def _reset(self, request: Request) -> Response:
        if refused := foreign_host(request, self._hosts, "this server"):
            return refused
        if self._tokens and self._tokens.project_of(request) is None:
            return missing_token()
        body = await _bounded_body(request)
        if body is None:
            return PlainTextResponse(
                f"413: a reset body is at most {MAX_BODY} bytes; {_ACCEPTED}", status_code=413
            )
        try:
            seed, start = reset_arguments(body)
        except ValueError as error:
            return _refused(str(error))
        assert self._lock is not None, "the app's lifespan runs before any request"
        async with self._lock:
            if self._tasks is None:
                return PlainTextResponse("503: the server is stopping", status_code=503)
            try:
                # In a worker thread, as every simulator call is: a --world may take a while.
                sim = await anyio.to_thread.run_sync(self._fresh, seed, start)
            except (ValueError, TypeError) as error:  # WorldFileError is a ValueError
                return _refused(f"the simulator refused it: {error}")
            new = _Generation(sim, *self._build(sim))
            await self._tasks.start(self._hold, new)
            old, self._current = self._current, new
            await _leave(old)
        return JSONResponse({"seed": seed, "now": sim.now})


async def _leave(generation: _Generation) -> None:
    """End ``generation``'s sessions, then its lifespan, and wait until it is gone."""
    await end_sessions(generation.server.session_manager)
    assert generation.leave is not None, "its lifespan was started"
    assert generation.gone is not None, "its lifespan was started"
    generation.leave.set()
    await generation.gone.wait()


async def end_sessions(sessions: Any) -> None:
    """End every open MCP session of the SDK's session manager ``sessions``: close each
    open SSE stream (its response finishes normally), then terminate the session."""
    # The SDK has no public way to list its sessions or their open streams.
    transports = getattr(sessions, "_server_instances", {})
    for transport in list(transports.values()):
        for stream in list(getattr(transport, "_sse_stream_writers", ())):
            transport.close_sse_stream(stream)
        await transport.terminate()


async def _bounded_body(request: Request) -> bytes | None:
    """The request's body, or ``None`` once it is over :data:`MAX_BODY` bytes."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def reset_arguments(body: bytes) -> tuple[int, str | None]:
    """(seed, start) of a reset's body; ``ValueError`` saying what is wrong and what is
    accepted."""
    if not body.strip():
        return 0, None
    try:
        value = json.loads(body)
    except ValueError:  # not JSON, not UTF-8, or an integer past Python's digit limit
        raise ValueError(f"the body is not JSON; {_ACCEPTED}") from None
    if not isinstance(value, dict):
        raise ValueError(f"the body is a JSON {type(value).__name__}; {_ACCEPTED}")
    unknown = sorted(set(value) - {"seed", "start"})
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}; {_ACCEPTED}")
    seed = value.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be a whole number, not {json.dumps(seed)}; {_ACCEPTED}")
    start = value.get("start")
    if start is not None and not isinstance(start, str):
        raise ValueError(f"start must be a string, not {json.dumps(start)}; {_ACCEPTED}")
    return seed, start


def _refused(reason: str) -> Response:
    return PlainTextResponse(f"400: reset refused: {reason}", status_code=400)
