"""Serving a simulator: over stdio, or over streamable HTTP with project-scoped tokens."""

from __future__ import annotations

import hmac
import logging
import sys
from collections.abc import Mapping

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.stdio import stdio_server
from pydantic import AnyHttpUrl
from starlette.applications import Starlette

from jobsim.mcp.server import create_server
from jobsim.simulator import Simulator

__all__ = ["MCP_PATH", "ProjectTokens", "http_app", "serve_http", "serve_stdio"]

logger = logging.getLogger("jobsim.mcp")

#: Where the streamable HTTP endpoint lives.
MCP_PATH = "/mcp"

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


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
    server = create_server(sim, control=control, tokens=tokens)
    if not tokens:
        return server.streamable_http_app(streamable_http_path=MCP_PATH, host=host)
    authority = f"[{host}]" if ":" in host else host
    auth = AuthSettings(
        issuer_url=AnyHttpUrl(f"http://{authority}:{port}"),
        resource_server_url=None,
    )
    return server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        host=host,
        auth=auth,
        token_verifier=ProjectTokens(tokens),
    )


def serve_http(
    sim: Simulator,
    *,
    control: bool = False,
    tokens: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Serve ``sim`` over streamable HTTP until interrupted (SIGINT or SIGTERM)."""
    import uvicorn

    app = http_app(sim, control=control, tokens=tokens, host=host, port=port)
    if host not in _LOOPBACK:
        logger.warning("serving on %s, which is not a loopback address", host)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # keep the process's logging: everything on stderr
        access_log=False,
        timeout_graceful_shutdown=3,  # wall-clock ok: real connections get 3 s to close
    )
    authority = f"[{host}]" if ":" in host else host
    print(
        f"jobsim: serving MCP over streamable HTTP at http://{authority}:{port}{MCP_PATH}",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.Server(config).run()


async def serve_stdio(sim: Simulator, *, control: bool = False) -> None:
    """Serve ``sim`` over this process's stdin and stdout until stdin closes."""
    server = create_server(sim, control=control)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
