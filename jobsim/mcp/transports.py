"""Serving a simulator: over stdio, or over streamable HTTP with project-scoped tokens."""

from __future__ import annotations

import contextlib
import contextvars
import hmac
import logging
import signal
import socket
import sys
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol, Self

import anyio
import mcp_types as types
from mcp.server import Server
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.stdio import stdio_server
from mcp.shared.dispatcher import coerce_request_id
from mcp.shared.jsonrpc_dispatcher import cancelled_request_id_from_params
from mcp.shared.message import SessionMessage
from mcp_types import RequestId
from pydantic import AnyHttpUrl, ValidationError
from starlette.applications import Starlette

from jobsim.extras import SERVING
from jobsim.mcp.dashboard import dashboard_routes
from jobsim.mcp.guards import KnownTokens
from jobsim.mcp.reset import Fresh, ResettableApp, end_sessions
from jobsim.mcp.server import create_server
from jobsim.simulator import Simulator

__all__ = [
    "MCP_PATH",
    "ProjectTokens",
    "http_app",
    "listen",
    "resettable_http_app",
    "serve_http",
    "serve_stdio",
]

logger = logging.getLogger("jobsim.mcp")

#: Where the streamable HTTP endpoint lives.
MCP_PATH = "/mcp"

_LOOPBACK = ("127.0.0.1", "localhost", "::1")

#: Connections the kernel queues before the server accepts them (uvicorn's default).
_BACKLOG = 2048

#: The signals that stop ``jobsim serve --http`` gracefully.
_SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: How long ``serve_stdio`` waits, once stdin has ended, for the answers still owed.
_DRAIN_GRACE_SECONDS = 60.0


class ProjectTokens:
    """The SDK ``TokenVerifier`` for ``--token TOKEN=PROJECT``: known tokens only.

    A verified token's ``client_id`` is ``project:<PROJECT>`` and its ``subject`` names
    the token (by position, never by value), so the SDK binds each HTTP session to the
    token that opened it.
    """

    def __init__(self, tokens: Mapping[str, str]) -> None:
        self._tokens = [(token.encode(), token, project) for token, project in tokens.items()]

    async def verify_token(self, token: str) -> AccessToken | None:
        """The access info of ``token``, or ``None`` (the SDK answers 401) if unknown."""
        given = token.encode()
        found: AccessToken | None = None
        for position, (known, raw, project) in enumerate(self._tokens):
            # Compare with every token, in constant time per token.
            if hmac.compare_digest(given, known):
                found = AccessToken(
                    token=raw,
                    client_id=f"project:{project}",
                    scopes=[],
                    subject=f"token-{position}",
                )
        return found


def http_app(
    sim: Simulator,
    *,
    control: bool = False,
    tokens: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> Starlette:
    """The ASGI app serving ``sim`` over streamable HTTP at :data:`MCP_PATH`.

    With ``tokens`` (bearer token → project slug or id), every request must carry
    one of them (the SDK's bearer middleware answers 401 otherwise) and sees only
    its project. ``host``/``port`` name the address the app is served on: a loopback
    host turns on the SDK's DNS-rebinding protection, and the pair is the issuer
    the SDK's auth settings require.
    """
    server = create_server(sim, control=control, tokens=tokens, offload=True)
    return _http_app(server, sim, tokens, host, port)


def resettable_http_app(
    sim: Simulator,
    fresh: Fresh,
    *,
    tokens: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> ResettableApp:
    """:func:`http_app` with control on, plus ``POST /sim/reset``, which replaces ``sim``
    (and every session on it) with ``fresh(seed, start)`` (:mod:`jobsim.mcp.reset`)."""

    def build(new: Simulator) -> tuple[Server[Any], Starlette]:
        server = create_server(new, control=True, tokens=tokens, offload=True)
        return server, _http_app(server, new, tokens, host, port)

    hosts = _LOOPBACK if host in _LOOPBACK else None
    return ResettableApp(sim, build, fresh, tokens=KnownTokens(tokens), hosts=hosts)


def _http_app(
    server: Server[Any], sim: Simulator, tokens: Mapping[str, str] | None, host: str, port: int
) -> Starlette:
    # The read-only page at /, with the same tokens and the same guard as /mcp.
    dashboard = dashboard_routes(sim, tokens, hosts=_LOOPBACK if host in _LOOPBACK else None)
    if not tokens:
        return server.streamable_http_app(
            streamable_http_path=MCP_PATH, host=host, custom_starlette_routes=dashboard
        )
    auth = AuthSettings(
        issuer_url=AnyHttpUrl(f"http://{_authority(host)}:{port}"),
        resource_server_url=None,
    )
    return server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        host=host,
        auth=auth,
        token_verifier=ProjectTokens(tokens),
        custom_starlette_routes=dashboard,
    )


def _authority(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def listen(host: str = "127.0.0.1", port: int = 8000) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` and listening (``port`` 0: a free one).

    Raises ``OSError`` if it cannot (a busy port, say); :func:`serve_http` serves on
    it, so the address is held from here on and there is no window for a clash.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # sockets that say they are TCP, and accepted connections inherit this one's
    # protocol. With Nagle on, the end of every answer on a kept-alive connection
    # waited ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # As uvicorn does: a restart may reuse a port in TIME_WAIT (a port some other
        # process listens on is still refused).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(_BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def serve_http(
    sim: Simulator,
    *,
    control: bool = False,
    tokens: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    sock: socket.socket | None = None,
    fresh: Fresh | None = None,
) -> None:
    """Serve ``sim`` over streamable HTTP until SIGINT or SIGTERM, then stop gracefully.

    Serves on ``sock`` (from :func:`listen`) or binds ``host``:``port`` itself. Once
    serving, it writes ``jobsim: serving MCP over streamable HTTP at URL`` (the bound
    port in the URL, see :data:`jobsim.extras.SERVING`) to stderr. On a signal it
    ends every open MCP session (their SSE streams close normally) and returns.
    With ``control`` and ``fresh``, ``POST /sim/reset`` serves a fresh simulator
    (:func:`resettable_http_app`).
    """
    import uvicorn

    if sock is None:
        sock = listen(host, port)
    host, port = sock.getsockname()[:2]
    app: Any
    sessions: Callable[[], Any]  # the session manager of the server serving now
    if control and fresh is not None:
        resettable = resettable_http_app(sim, fresh, tokens=tokens, host=host, port=port)
        app, sessions = resettable, lambda: resettable.session_manager
    else:
        server = create_server(sim, control=control, tokens=tokens, offload=True)
        app, sessions = _http_app(server, sim, tokens, host, port), lambda: server.session_manager
    if host not in _LOOPBACK:
        logger.warning("serving on %s, which is not a loopback address", host)
    config = uvicorn.Config(
        app,
        log_config=None,  # keep the process's logging: everything on stderr
        access_log=False,
        timeout_graceful_shutdown=3,  # wall-clock ok: real connections get 3 s to close
    )
    url = f"http://{_authority(host)}:{port}{MCP_PATH}"
    with sock:
        _uvicorn_server(config, sessions, url).run(sockets=[sock])


def _uvicorn_server(config: Any, sessions: Callable[[], Any], url: str) -> Any:
    """uvicorn's ``Server``, announcing ``url`` once serving and stopping quietly
    (a function so that importing this module does not import uvicorn)."""
    import uvicorn
    from sse_starlette.sse import AppStatus

    # sse-starlette cuts every open stream (mid-response) when uvicorn sees a signal;
    # the shutdown below ends them normally instead.
    AppStatus.disable_automatic_graceful_drain()  # type: ignore[no-untyped-call]

    class _Uvicorn(uvicorn.Server):
        """uvicorn's server, announcing its URL once serving and stopping quietly.

        uvicorn re-raises a SIGTERM or SIGINT after its graceful shutdown (so the process
        ends with status 143 or 130); ``jobsim serve`` has shut down as asked and exits 0.
        It also waits for open connections before the app's lifespan ends, so an open SSE
        stream would be cut off after the grace period; ending the MCP sessions first lets
        every stream finish normally.
        """

        def __init__(self, config: Any, sessions: Callable[[], Any], url: str) -> None:
            super().__init__(config)
            self._sessions = sessions
            self._url = url

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            print(SERVING.format(url=self._url), file=sys.stderr, flush=True)

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield  # pragma: no cover - signals reach the main thread only
                return
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in _SIGNALS}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            await end_sessions(self._sessions())
            await super().shutdown(sockets)

    return _Uvicorn(config, sessions, url)


class _Receiver(Protocol):
    """What :func:`stdio_server` reads from: a context-carrying receive stream."""

    @property
    def last_context(self) -> contextvars.Context | None: ...
    async def receive(self) -> SessionMessage | Exception: ...
    async def aclose(self) -> None: ...


class _Sender(Protocol):
    """What :func:`stdio_server` writes to."""

    async def send(self, item: SessionMessage, /) -> None: ...
    async def aclose(self) -> None: ...


class _Unanswered:
    """The requests read from a client and not answered yet, by id (a count per id).

    A request counts from the moment it is read until its answer (a response or an
    error with its id) has been handed to the transport's writer, or until the client
    cancels it (``notifications/cancelled``: the server then owes it no answer). Ids
    are keyed as the SDK correlates them, so ``"7"`` and ``7`` are one id.
    """

    def __init__(self) -> None:
        self._count: Counter[RequestId] = Counter()
        self._none_left: anyio.Event | None = None

    def read(self, item: SessionMessage | Exception) -> None:
        """Note a message read from the client."""
        if not isinstance(item, SessionMessage):
            return  # a line that is not JSON-RPC: no id, and the SDK answers nothing
        message = item.message
        if isinstance(message, types.JSONRPCRequest):
            self._count[coerce_request_id(message.id)] += 1
        elif (
            isinstance(message, types.JSONRPCNotification)
            and message.method == "notifications/cancelled"
        ):
            cancelled = cancelled_request_id_from_params(message.params)
            if cancelled is not None:
                self._settle(cancelled)

    def written(self, item: SessionMessage) -> None:
        """Note a message the server handed to the transport's writer."""
        message = item.message
        if not isinstance(message, (types.JSONRPCResponse, types.JSONRPCError)):
            return  # a notification, or (never from jobsim) a request to the client
        if message.id is not None:  # None: an error about no request in particular
            self._settle(message.id)

    def _settle(self, request_id: RequestId) -> None:
        key = coerce_request_id(request_id)
        if self._count[key] > 1:
            self._count[key] -= 1
        else:
            self._count.pop(key, None)
        if not self._count and self._none_left is not None:
            self._none_left.set()

    async def wait_for_none(self) -> None:
        """Return once every request read so far has been answered (or cancelled)."""
        while self._count:
            self._none_left = anyio.Event()
            await self._none_left.wait()


class _HeldReadStream:
    """A read stream that ends only once every request read from it has been answered.

    The SDK's dispatcher cancels its in-flight handlers as soon as its read stream
    ends, and an answer is still in flight until the stdio writer has taken it off
    the unbuffered write stream; holding the end back until then keeps every answer.
    (A handler that waited on the client would hold it for good, but jobsim's tool
    handlers never ask the client anything.)
    """

    def __init__(
        self,
        inner: _Receiver,
        unanswered: _Unanswered,
        refuse: Callable[[Exception], Awaitable[None]],
    ) -> None:
        self._inner = inner
        self._unanswered = unanswered
        self._refuse = refuse

    @property
    def last_context(self) -> contextvars.Context | None:
        """The sender's context of the last message (the SDK looks for this attribute)."""
        return self._inner.last_context

    async def receive(self) -> SessionMessage | Exception:
        while True:
            try:
                item = await self._inner.receive()
            except anyio.EndOfStream:
                # Bounded, so that a request the SDK never answers (none is known) cannot
                # keep the process alive after its client has gone.
                with anyio.move_on_after(_DRAIN_GRACE_SECONDS):  # wall-clock ok: bounded
                    await self._unanswered.wait_for_none()
                raise
            if not isinstance(item, Exception):
                self._unanswered.read(item)
                return item
            # A line that is not a JSON-RPC message: the SDK would drop it silently;
            # JSON-RPC answers it with an error whose id is null. A blank line is no
            # message at all (a stray newline), so it gets none.
            if not _blank_line(item):
                await self._refuse(item)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _AnsweringWriteStream:
    """A write stream that tells :class:`_Unanswered` which answers have been handed on."""

    def __init__(self, inner: _Sender, unanswered: _Unanswered) -> None:
        self._inner = inner
        self._unanswered = unanswered

    async def send(self, item: SessionMessage, /) -> None:
        await self._inner.send(item)
        self._unanswered.written(item)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def serve_stdio(sim: Simulator, *, control: bool = False) -> None:
    """Serve ``sim`` over this process's stdin and stdout until stdin closes.

    Every request read gets its answer on stdout, even when the client writes all its
    requests and closes stdin at once: the server sees the end of stdin only once
    every request read has been answered (or cancelled by the client). A line that
    is not JSON gets ``-32700 Parse error`` (JSON that is not a JSON-RPC message,
    ``-32600 Invalid Request``), with ``"id": null``. A client that goes away while
    answers are owed (stdout closed) ends the server quietly, with one log line.
    """
    server = create_server(sim, control=control, offload=True)
    try:
        async with stdio_server() as (read_stream, write_stream):
            unanswered = _Unanswered()
            answers = _AnsweringWriteStream(write_stream, unanswered)

            async def refuse(error: Exception) -> None:
                await answers.send(SessionMessage(unreadable_line_error(error)))

            await server.run(
                _HeldReadStream(read_stream, unanswered, refuse),
                answers,
                server.create_initialization_options(),
            )
    except* BrokenPipeError:
        logger.warning("the client closed stdout before every answer was written; stopping")


def _blank_line(error: Exception) -> bool:
    """Whether the line the SDK could not read was empty or only whitespace."""
    if not isinstance(error, ValidationError):
        return False
    line = error.errors()[0].get("input") if error.errors() else None
    return isinstance(line, (str, bytes)) and not line.strip()


def unreadable_line_error(error: Exception) -> types.JSONRPCError:
    """The JSON-RPC error answering a line the transport could not read as a message:
    ``-32700`` if it is not JSON, ``-32600`` if it is JSON but not JSON-RPC."""
    problems = error.errors() if isinstance(error, ValidationError) else []
    if any(problem["type"] == "json_invalid" for problem in problems):
        code, message = types.PARSE_ERROR, "Parse error: the line is not JSON"
    else:
        code = types.INVALID_REQUEST
        message = "Invalid Request: the line is JSON but not a JSON-RPC 2.0 message"
    first = problems[0]["msg"] if problems else str(error)
    return types.JSONRPCError(
        jsonrpc="2.0",
        id=None,
        error=types.ErrorData(
            code=code,
            message=f"{message} ({first}); send one JSON-RPC 2.0 message per line",
        ),
    )
