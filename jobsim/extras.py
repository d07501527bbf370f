"""The optional extras: one place that says which one a module needs and how to get
it (checked, for the ``mcp`` extra, without importing it), and what ``jobsim serve
--http`` says once it is serving and where it takes a reset.

``jobsim serve``, the ``jobsim_mcp`` and ``jobsim_server`` fixtures and anything else
behind the ``mcp`` extra ask :func:`missing_mcp_extra` first, so a user without it
gets one line naming the install command instead of a traceback about whichever
module happened to be imported first.
"""

from __future__ import annotations

import importlib.util

__all__ = [
    "MCP_EXTRA_MODULES",
    "RESET_PATH",
    "SERVING",
    "missing_mcp_extra",
    "need_hypothesis",
    "served_url",
]

#: The top-level modules the ``mcp`` extra brings and jobsim's MCP code imports.
MCP_EXTRA_MODULES = ("mcp", "mcp_types", "anyio", "pydantic", "starlette", "uvicorn")


def need_hypothesis(module: str) -> None:
    """Raise an :class:`ImportError` saying how to install the ``hypothesis`` extra, if
    Hypothesis is missing; ``module`` is the module that needs it."""
    try:
        import hypothesis  # noqa: F401
    except ImportError as error:
        raise ImportError(
            f"{module} needs Hypothesis; install the extra with: pip install 'jobsim[hypothesis]'"
        ) from error


#: The stderr line ``jobsim serve --http`` writes once it is bound and serving (its URL
#: names the bound port, which ``--port 0`` leaves to the system). The
#: ``jobsim_server`` fixture waits for it; other tools may too.
SERVING = "jobsim: serving MCP over streamable HTTP at {url}"


#: Where ``jobsim serve --http --control`` takes ``POST {"seed": N, "start": "..."}``
#: and replaces its simulator, and every session on it, with a fresh one
#: (:mod:`jobsim.mcp.reset`); the ``jobsim_shared_server`` fixture calls it.
RESET_PATH = "/sim/reset"


def served_url(line: str) -> str | None:
    """The URL in a :data:`SERVING` line, or ``None`` for any other line."""
    prefix = SERVING.format(url="")
    return line[len(prefix) :].strip() or None if line.startswith(prefix) else None


def missing_mcp_extra(what: str) -> str | None:
    """``None`` if the ``mcp`` extra is installed, else one line saying that ``what``
    (e.g. ``"jobsim serve"``) needs it and how to install it."""
    missing = [name for name in MCP_EXTRA_MODULES if not _importable(name)]
    if not missing:
        return None
    return (
        f"{what} needs the mcp extra: pip install 'jobsim[mcp]' "
        f"(not installed: {', '.join(missing)})"
    )


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, say
        return False
