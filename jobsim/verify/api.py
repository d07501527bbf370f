"""The Python face of verify: :func:`run` and :func:`run_async` (see :mod:`jobsim.verify`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import anyio
from mcp.server import Server

from jobsim.verify import catalogue, full, readonly  # noqa: F401 - they register the checks
from jobsim.verify.connection import ConnectError, open_endpoint
from jobsim.verify.suite import CHECKS, MODES, CheckResult, run_checks

__all__ = ["DEFAULT_TIMEOUT", "run", "run_async"]

#: Seconds each request (and the connection) may take before it counts as lost.
DEFAULT_TIMEOUT = 30.0


def run(
    url: str | None = None,
    *,
    project: str,
    other_project: str | None = None,
    token: str | None = None,
    mode: str = "read-only",
    stdio: str | Sequence[str] | None = None,
    server: Server[Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    only: Iterable[str] | None = None,
) -> list[CheckResult]:
    """Run the suite against one endpoint and return one :class:`CheckResult` per check.

    The endpoint is ``url`` (streamable HTTP, ``token`` sent as a bearer token),
    ``stdio`` (a command line started as a subprocess) or ``server`` (an SDK
    ``Server``, in this process). ``project`` is the project the checks use;
    ``other_project`` one the token cannot reach. ``mode`` is a key of :data:`MODES`;
    ``only`` limits the run to the named checks. Every request waits at most
    ``timeout`` seconds; a lost connection fails the checks left, it never hangs.
    """
    return anyio.run(
        lambda: run_async(
            url,
            project=project,
            other_project=other_project,
            token=token,
            mode=mode,
            stdio=stdio,
            server=server,
            timeout=timeout,
            only=only,
        )
    )


async def run_async(
    url: str | None = None,
    *,
    project: str,
    other_project: str | None = None,
    token: str | None = None,
    mode: str = "read-only",
    stdio: str | Sequence[str] | None = None,
    server: Server[Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    only: Iterable[str] | None = None,
) -> list[CheckResult]:
    """:func:`run`, for callers already in an event loop."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    chosen = list(CHECKS) if only is None else list(only)
    unknown = [name for name in chosen if name not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; see jobsim verify --list")
    results: list[CheckResult] | None = None
    try:
        async with open_endpoint(
            url=url, stdio=stdio, server=server, token=token, timeout=timeout
        ) as endpoint:
            results = await run_checks(
                endpoint, project=project, other_project=other_project, mode=mode, only=chosen
            )
        return results
    except Exception as error:
        if results is not None:  # the checks ran; only closing the connection went wrong
            return results
        if not isinstance(error, ConnectError):
            raise
        return await run_checks(
            None,
            project=project,
            other_project=other_project,
            mode=mode,
            only=chosen,
            unreachable=str(error),
        )
