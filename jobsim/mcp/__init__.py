"""jobsim over MCP: serve a :class:`~jobsim.Simulator` with the official MCP Python SDK.

Needs the ``mcp`` extra (``pip install 'jobsim[mcp]'``); the rest of jobsim works
without it.

- :func:`create_server` — a low-level SDK ``Server`` publishing the simulator's tools.
- :func:`connect` — an in-process, connected ``ClientSession`` on a simulator (tests).
- :func:`serve_stdio`, :func:`serve_http`, :func:`http_app` — the transports behind
  ``jobsim serve``.
- :func:`load_world` — replay a world file (``jobsim serve --world FILE``).
"""

from jobsim.mcp.client import connect
from jobsim.mcp.server import ERROR_META_KEY, ProjectScope, create_server
from jobsim.mcp.transports import MCP_PATH, http_app, serve_http, serve_stdio
from jobsim.worldfile import WorldFileError, load_world, read_world

__all__ = [
    "ERROR_META_KEY",
    "MCP_PATH",
    "ProjectScope",
    "WorldFileError",
    "connect",
    "create_server",
    "http_app",
    "load_world",
    "read_world",
    "serve_http",
    "serve_stdio",
]
