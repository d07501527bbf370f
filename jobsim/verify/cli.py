"""``jobsim verify``: the command line (this module imports nothing of the ``mcp`` extra
until the command runs, so the ``jobsim`` parser builds without it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_parser", "run_verify"]

_EPILOG = """\
modes:
  read-only  (default) safe against a production project: only read calls
             (list_*, get_*) and calls that must be refused (a made-up id, arguments
             the schema forbids), so nothing changes.
  full       also the lifecycle checks (cancel, retries and backoff, deadlines,
             batch counts, cron fire times). They create jobs in --project and move
             the virtual clock with the sim_* control tools, so they need a
             simulator (jobsim serve --control, or another fake); without those
             tools they are skipped, saying so.

tokens:
  --token TOKEN is sent as "Authorization: Bearer TOKEN" over HTTP. Give the
  project the token may use as the first --project; a second --project naming a
  project the token cannot reach checks that it answers exactly like a missing one.

results:
  each check passes, fails (with a one-line reason and the raw answer), or is
  skipped with the reason (what it needs and the endpoint lacks: no batch yet, one
  project only). Every request waits at most --timeout seconds; a server that hangs
  or closes the connection fails the checks left at once.

exit status:
  0  no check failed (skipped checks do not fail a run)
  1  at least one check failed, or the endpoint could not be reached
  2  usage error, an unwritable --junit/--json file, or the mcp extra is missing

examples:
  jobsim verify https://example.com/mcp --token "$TOKEN" --project acme
  jobsim verify --stdio "jobsim serve --control --world world.json" --project acme --mode full
  jobsim verify --list
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``verify`` subcommand to ``jobsim``'s subparsers."""
    verify = sub.add_parser(
        "verify",
        help="check any Jobs MCP endpoint against jobsim's contract",
        description="Run the named checks of jobsim's contract against a Jobs MCP endpoint "
        "(streamable HTTP at URL, or a server started with --stdio) and print a table.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("url", nargs="?", help="the endpoint's streamable HTTP URL")
    verify.add_argument(
        "--stdio", metavar="COMMAND", help="start COMMAND and speak MCP on its stdio"
    )
    verify.add_argument("--token", help="HTTP: bearer token to send")
    verify.add_argument(
        "--project",
        action="append",
        metavar="REF",
        help="project slug or id to use; a second one: a project the token cannot reach",
    )
    verify.add_argument("--mode", choices=("read-only", "full"), default="read-only")
    verify.add_argument("--junit", metavar="FILE", help="also write JUnit XML to FILE")
    verify.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    verify.add_argument("--timeout", type=float, default=30.0, help="seconds per request (30)")
    verify.add_argument(
        "--check", action="append", metavar="NAME", help="run only this check (repeatable)"
    )
    verify.add_argument("--list", action="store_true", help="list every check and exit")
    verify.set_defaults(run=run_verify)


def _usage(message: str) -> int:
    print(f"jobsim verify: usage error: {message}", file=sys.stderr)
    return 2


def run_verify(args: argparse.Namespace) -> int:
    """Run ``jobsim verify``; returns the exit status described in ``--help``."""
    try:
        from jobsim.verify import api, report, suite
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in ("mcp", "mcp_types", "httpx2", "anyio"):
            raise
        print(
            f"jobsim verify needs the mcp extra: pip install 'jobsim[mcp]' ({error})",
            file=sys.stderr,
        )
        return 2
    if args.list:
        print(report.check_list(suite.ordered()))
        return 0
    if (args.url is None) == (args.stdio is None):
        return _usage("give either URL or --stdio COMMAND")
    projects = args.project or []
    if not 1 <= len(projects) <= 2:
        return _usage("give --project REF once (twice: a second one the token cannot reach)")
    if args.token is not None and args.url is None:
        return _usage("--token needs an HTTP URL")
    try:
        results = api.run(
            args.url,
            stdio=args.stdio,
            project=projects[0],
            other_project=projects[1] if len(projects) == 2 else None,
            token=args.token,
            mode=args.mode,
            timeout=args.timeout,
            only=args.check,
        )
    except ValueError as error:
        return _usage(str(error))
    print(report.table(results))
    about = {"endpoint": args.url or args.stdio, "project": projects[0], "mode": args.mode}
    try:
        if args.junit:
            Path(args.junit).write_text(report.to_junit(results), encoding="utf-8")
        if args.json:
            Path(args.json).write_text(report.to_json(results, **about), encoding="utf-8")
    except OSError as error:
        print(f"jobsim verify: could not write a report: {error}", file=sys.stderr)
        return 2
    return 1 if any(r.outcome == "failed" for r in results) else 0
