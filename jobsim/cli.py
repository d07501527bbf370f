"""The ``jobsim`` command: ``demo``, and the subcommands of the optional extras."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
from collections.abc import Sequence

from jobsim import __version__
from jobsim.extras import missing_mcp_extra
from jobsim.timeline import MAX_ROWS
from jobsim.transcript import SERVER_LIMIT

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    from jobsim.demo import run_demo

    sim = run_demo(seed=args.seed)
    if args.timeline is not None:
        from jobsim.timeline import write

        print(f"timeline written to {write(sim, args.timeline)}")
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from jobsim.snapshot import SnapshotError
    from jobsim.timeline import load_snapshot, write

    try:
        if args.max_rows < 1:
            raise ValueError(f"--max-rows {args.max_rows}: expected N >= 1")
        snapshot = load_snapshot(args.snapshot)
        path = write(snapshot, args.out, max_rows=args.max_rows, project=args.project)
    except (OSError, ValueError, SnapshotError) as error:  # JSONDecodeError is a ValueError
        print(f"jobsim timeline: {error}", file=sys.stderr)
        return 2
    print(f"timeline written to {path}")
    return 0


def _add_timeline(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    timeline = sub.add_parser(
        "timeline", help="draw a snapshot's jobs over virtual time (self-contained HTML or SVG)"
    )
    timeline.add_argument("snapshot", metavar="SNAPSHOT.json", help="Simulator.snapshot() as JSON")
    timeline.add_argument(
        "-o", "--out", required=True, metavar="FILE", help="FILE.html (a page) or FILE.svg"
    )
    timeline.add_argument(
        "--max-rows", type=int, default=MAX_ROWS, metavar="N", help=f"default: {MAX_ROWS}"
    )
    timeline.add_argument("--project", metavar="PROJECT", help="only this project (slug or id)")
    timeline.set_defaults(run=_timeline)


def _serve(args: argparse.Namespace) -> int:
    missing = missing_mcp_extra("jobsim serve")
    if missing is not None:
        print(missing, file=sys.stderr)
        return 2
    from jobsim.mcp.cli import run_serve

    return run_serve(args)


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="serve the simulator over MCP (stdio, or streamable HTTP)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the id source (default: 0)")
    serve.add_argument("--start", help="virtual start time, ISO 8601 with an offset")
    serve.add_argument("--world", metavar="FILE", help="load projects, targets and calls from FILE")
    serve.add_argument(
        "--control",
        action="store_true",
        help="publish the sim_* control tools (and, over HTTP, POST /sim/reset)",
    )
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP, not stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP host (default: 127.0.0.1)")
    serve.add_argument(
        "--port",
        type=int,
        default=8000,
        help="HTTP port (default: 8000; 0 for a free one, reported on stderr once bound)",
    )
    serve.add_argument(
        "--token",
        action="append",
        metavar="TOKEN=PROJECT",
        help="HTTP: require bearer tokens; each sees one project (repeatable)",
    )
    serve.add_argument(
        "--transcript-limit",
        type=int,
        default=SERVER_LIMIT,
        metavar="N",
        help=f"keep the latest N calls in the transcript; 0 keeps all (default: {SERVER_LIMIT})",
    )
    serve.set_defaults(run=_serve)


def _fixtures(args: argparse.Namespace) -> int:
    from jobsim.fixtures import run

    return run(args.seed, args.out, args.scenario, args.quiet)


def _add_fixtures(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from jobsim.fixtures import HELP, add_arguments

    fixtures = sub.add_parser("fixtures", help=HELP)
    add_arguments(fixtures)
    fixtures.set_defaults(run=_fixtures)


def _add_verify(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from jobsim.verify.cli import add_parser

    add_parser(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobsim", description="A simulator of a Jobs API.")
    parser.add_argument("--version", action="version", version=f"jobsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="run a short scenario and print its timeline")
    demo.add_argument("--seed", type=int, default=0, help="seed of the id source (default: 0)")
    demo.add_argument("--timeline", metavar="FILE", help="also write its timeline (.html or .svg)")
    demo.set_defaults(run=_demo)
    _add_serve(sub)
    _add_timeline(sub)
    _add_fixtures(sub)
    _add_verify(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``jobsim`` command with ``argv`` (default: the process's); returns the
    exit status."""
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


def console() -> None:  # pragma: no cover - runs as a process entry point only
    """The ``jobsim`` console script (and ``python -m jobsim.cli``): :func:`main`, then
    exit without the interpreter's teardown.

    Tearing down the MCP SDK's modules (thousands of pydantic models) took 0.3 to 1 s
    after ``jobsim serve`` had already stopped, time every ``jobsim_server`` test paid.
    The exit handlers still run (logging, coverage's data file), and so do the flushes
    of stdout and stderr; nothing else is left open by then.
    """
    try:
        code = main()
    except SystemExit as stop:  # --help, --version, a usage error
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
        if stop.code is not None and not isinstance(stop.code, int):
            print(stop.code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone, a stream closed
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
