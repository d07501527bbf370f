"""``jobsim serve``: build the simulator the command line describes and serve it."""

from __future__ import annotations

import argparse
import functools
import logging
import sys
from typing import Any

import anyio

from jobsim.mcp.transports import listen, serve_http, serve_stdio
from jobsim.simulator import Simulator
from jobsim.worldfile import WorldFileError, load_world

__all__ = ["parse_tokens", "run_serve"]


def parse_tokens(values: list[str]) -> dict[str, str]:
    """``TOKEN=PROJECT`` pairs as a dict; raises ``ValueError`` saying which one is wrong."""
    tokens: dict[str, str] = {}
    for value in values:
        token, sep, project = value.partition("=")
        if not sep or not token or not project:
            raise ValueError(f"--token {value!r}: expected TOKEN=PROJECT (a project slug or id)")
        if token in tokens:
            raise ValueError(f"--token: the same token is given twice (for {tokens[token]!r})")
        tokens[token] = project
    return tokens


def run_serve(args: argparse.Namespace) -> int:
    """Run ``jobsim serve`` with the parsed ``args``; returns the exit status.

    Logs and errors go to stderr; over stdio, stdout carries nothing but protocol.
    """
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.WARNING,
        format="jobsim %(levelname)s %(name)s: %(message)s",
    )
    try:
        tokens = parse_tokens(args.token or [])
        if tokens and not args.http:
            raise ValueError("--token needs --http: bearer tokens only exist over HTTP")
        if not 0 <= args.port <= 65535:
            raise ValueError(f"--port {args.port}: expected 0 (a free port) to 65535")
        if args.transcript_limit < 0:
            raise ValueError(f"--transcript-limit {args.transcript_limit}: expected N >= 0")
        fresh = functools.partial(_simulator, args)
        sim = fresh(args.seed, args.start)
    except (ValueError, TypeError) as error:  # WorldFileError is a ValueError
        kind = "world" if isinstance(error, WorldFileError) else "usage"
        print(f"jobsim serve: {kind} error: {error}", file=sys.stderr)
        return 2
    if args.http:
        try:
            sock = listen(args.host, args.port)
        except OSError as error:
            print(
                f"jobsim serve: cannot listen on {args.host}:{args.port}: "
                f"{error.strerror or error}; choose another --port, or --port 0 for a free one",
                file=sys.stderr,
            )
            return 2
        _warn_of_missing_projects(sim, tokens)
        serve_http(sim, control=args.control, tokens=tokens, sock=sock, fresh=fresh)
    else:
        anyio.run(functools.partial(serve_stdio, sim, control=args.control))
    return 0


def _simulator(args: argparse.Namespace, seed: int, start: str | None) -> Simulator:
    """The simulator the command line describes, with ``seed`` and ``start``: the one
    served at start-up, and the one each ``POST /sim/reset`` builds afresh."""
    knobs: dict[str, Any] = {} if start is None else {"start": start}
    sim = Simulator(seed, transcript_limit=args.transcript_limit or None, **knobs)
    if args.world is not None:
        load_world(sim, args.world)
    return sim


def _warn_of_missing_projects(sim: Simulator, tokens: dict[str, str]) -> None:
    """Say at start-up which tokens name a project the simulator does not hold (yet):
    every call with such a token is ``not_found`` until the project is created."""
    for token_project in sorted({p for p in tokens.values() if sim.find_project(p) is None}):
        print(
            f"jobsim serve: note: --token names project {token_project!r}, which does not "
            "exist yet; its calls are not_found until it is created (--world FILE, or "
            "sim_create_project with --control)",
            file=sys.stderr,
        )
