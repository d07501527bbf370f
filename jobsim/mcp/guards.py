"""The checks the served pages other than ``/mcp`` share with it: the ``Host`` guard
against DNS rebinding, and the bearer token of ``--token TOKEN=PROJECT``.

The SDK guards ``/mcp`` itself; the dashboard and the reset route
(:mod:`jobsim.mcp.reset`) answer as it does, with these.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

__all__ = ["KnownTokens", "foreign_host", "missing_token"]


class KnownTokens:
    """The server's bearer tokens (token → project slug or id), compared in constant time."""

    def __init__(self, tokens: Mapping[str, str] | None) -> None:
        self._known = [(token.encode(), project) for token, project in (tokens or {}).items()]

    def __bool__(self) -> bool:
        return bool(self._known)

    def project_of(self, request: Request) -> str | None:
        """The project of the request's bearer token, or ``None`` if it has no known one."""
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        found = None
        for token, project in self._known:  # every token compared, in constant time each
            if scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token):
                found = project
        return found


def foreign_host(request: Request, hosts: Sequence[str] | None, what: str) -> Response | None:
    """``421`` when ``hosts`` (the loopback names, when served on one) does not name the
    request's ``Host`` (a page elsewhere reaching ``what`` by DNS rebinding); else ``None``."""
    if hosts is None:
        return None
    given = request.headers.get("host", "")
    name = given[1 : given.find("]")] if given.startswith("[") else given.partition(":")[0]
    if name in hosts:
        return None
    return PlainTextResponse(f"421: {what} answers to {', '.join(hosts)} only", status_code=421)


def missing_token() -> Response:
    """``401``: the request carries no known bearer token."""
    return PlainTextResponse(
        "401: a known bearer token is required (Authorization: Bearer TOKEN)",
        status_code=401,
        headers={"WWW-Authenticate": "Bearer"},
    )
