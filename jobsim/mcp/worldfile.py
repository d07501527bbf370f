"""The world-file loader's old import path: it lives in :mod:`jobsim.worldfile`, which
imports without the ``mcp`` extra."""

from __future__ import annotations

from jobsim.worldfile import WorldFileError, load_world, read_world

__all__ = ["WorldFileError", "load_world", "read_world"]
