"""Mutation check: break one rule of jobsim at a time and see whether the tests notice.

    .venv/bin/python scripts/mutation.py                 # every mutant, whole suite
    .venv/bin/python scripts/mutation.py --stateful      # the semantic mutants, stateful/property files only
    .venv/bin/python scripts/mutation.py --only backoff  # mutants whose name contains 'backoff'
    .venv/bin/python scripts/mutation.py --list          # the mutant set, one line each

Mutants live in ``scripts/mutants.py``: each says what rule it breaks, the exact text
it changes and the text it puts there. A mutant is found by its text anywhere under
``jobsim/`` (not by file and line), so it keeps working while code moves between
modules; when its text is gone or appears twice, the run stops and says which mutant
to update — the set is kept up to date with the code, never silently shrunk.

Each mutant is applied to a scratch copy of the repository (the checkout is never
touched). The tests that cover the mutated line run first (from a coverage run with
per-test contexts, cached under ``.mutation/`` by the hash of ``jobsim/`` and
``tests/``), selected by exact node id (``scripts/mutation_select.py``); if they all
pass, the rest of the selected tests run. A test run that exceeds ``--timeout`` seconds
counts as killed but is reported as a hang: a mutant must make a test fail, never hang.
A test run that pytest itself refuses (a usage or internal error, exit 3 or 4) is no
verdict: the mutant is reported as ``error``, unscored, and the script exits non-zero.
A collection error caused by the mutant (exit 2) is a kill. Before any mutant, the
selection must pass unmutated, run exactly as the mutants are (else every mutant would
be "killed" by a test that fails anyway).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutants import MUTANTS, Mutant
from mutation_select import IDS_ENV, SKIP_ENV

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".mutation"
#: The files whose tests make up the "stateful and property" half of the suite.
STATEFUL = ("tests/test_state_machine.py", "tests/test_properties_lifecycle.py")
#: The test toolkit models the contract on its own: mutants break the simulator, not it.
TOOLKIT = ("jobsim/testing", "jobsim/strategies")
#: Fuzz depth while hunting mutants: the fuzz tests still run, just shallower.
#: JOBSIM_MUTATION loads tests/conftest.py's "mutation" Hypothesis profile (no shrinking).
#: JOBSIM_TRACE_ALL: tests/conftest.py then leaves the Hypothesis tests traced (the map
#: needs their lines; and its no_cover marker breaks a --no-cov run under pytest-cov).
ENV = {
    **os.environ,
    "JOBSIM_FUZZ_EXAMPLES": os.environ.get("JOBSIM_FUZZ_EXAMPLES", "20"),
    "JOBSIM_MUTATION": "1",
    "JOBSIM_TRACE_ALL": "1",
}
PYTEST = [sys.executable, "-m", "pytest", "-q", "-x", "--no-cov", "-p", "no:cacheprovider"]


@dataclass
class Located:
    mutant: Mutant
    path: Path  # relative to ROOT
    line: int  # first line of the changed text


@dataclass
class Outcome:
    mutant: Mutant
    module: str
    verdict: str  # killed | survived | hang | error | equivalent
    by: str  # the first failing test, or why
    seconds: float


def locate(mutant: Mutant) -> Located:
    """Where ``mutant.find`` occurs: exactly once under jobsim/ (the toolkit aside), or
    a clear error."""
    hits = []
    for path in sorted((ROOT / "jobsim").rglob("*.py")):
        if any(path.relative_to(ROOT).as_posix().startswith(t) for t in TOOLKIT):
            continue
        text = path.read_text(encoding="utf-8")
        start = 0
        while (at := text.find(mutant.find, start)) != -1:
            hits.append((path.relative_to(ROOT), text.count("\n", 0, at) + 1))
            start = at + 1
    if len(hits) != 1:
        where = ", ".join(f"{p}:{n}" for p, n in hits) or "nowhere"
        raise SystemExit(
            f"mutant {mutant.name!r}: its text is found {len(hits)} times ({where}); "
            "update scripts/mutants.py so it names exactly one place"
        )
    return Located(mutant, *hits[0])


def _digest() -> str:
    h = hashlib.sha256()
    for folder in ("jobsim", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def coverage_map(tests: list[str]) -> dict[str, dict[int, set[str]]]:
    """{file: {line: test node ids}} from one coverage run with per-test contexts."""
    key = hashlib.sha256((_digest() + " ".join(tests)).encode()).hexdigest()[:16]
    cached = CACHE / f"test-ids-{key}.json"
    if cached.exists():
        raw = json.loads(cached.read_text())
        return {f: {int(n): set(t) for n, t in lines.items()} for f, lines in raw.items()}
    CACHE.mkdir(exist_ok=True)
    data_file = CACHE / f"coverage-{key}"
    if not data_file.exists():
        _map_run(tests, data_file)
    from coverage import CoverageData

    data = CoverageData(basename=str(data_file))
    data.read()
    out: dict[str, dict[int, set[str]]] = {}
    for measured in data.measured_files():
        rel = str(Path(measured).resolve().relative_to(ROOT))
        lines: dict[int, set[str]] = defaultdict(set)
        for line, contexts in data.contexts_by_lineno(measured).items():
            for context in contexts:
                if context:  # "<node id>|run": a node id may hold "|" itself
                    lines[line].add(context.rsplit("|", 1)[0])
        out[rel] = lines
    cached.write_text(
        json.dumps({f: {n: sorted(t) for n, t in ls.items()} for f, ls in out.items()})
    )
    return out


def _map_run(tests: list[str], data_file: Path) -> None:
    print(f"mapping tests to lines (one coverage run of {' '.join(tests)}) ...", flush=True)
    done = subprocess.run(
        [
            *[a for a in PYTEST if a not in ("-x", "--no-cov")],  # a map needs every test
            *tests,
            "--cov=jobsim",
            "--cov-context=test",
            "--cov-report=",
        ],
        cwd=ROOT,
        env={**ENV, "COVERAGE_FILE": str(data_file)},
        check=False,
    )
    if done.returncode != 0:  # every mutant would be "killed" by a test that fails anyway
        data_file.unlink(missing_ok=True)
        raise SystemExit(
            f"the selected tests fail without any mutant (pytest exit {done.returncode}); "
            "fix them before measuring"
        )


def _scratch() -> Path:
    """A copy of the repository to mutate (code, tests and config; no venv, no git)."""
    dest = Path(tempfile.mkdtemp(prefix="jobsim-mutant-"))
    for name in ("jobsim", "jobsim_pytest", "tests", "fixtures", "docs", "schemas", "scripts"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):  # the tests read all three
        shutil.copy2(ROOT / name, dest / name)
    return dest


def _run(
    cwd: Path,
    tests: list[str],
    timeout: float,
    *,
    serial: bool = False,
    ids: bool = False,
    skip: Sequence[str] = (),
) -> tuple[str, str]:
    """('passed' | 'failed' | 'hang' | 'error', first failing test or why). ``serial``
    runs in one process: for a few covering tests, xdist's worker start-up costs more
    than they do. ``ids``: ``tests`` are node ids, run exactly those; ``skip``: node ids
    not to run again (both through the ``mutation_select`` plugin: the ids' files go on
    the command line, the ids themselves in a file)."""
    if not tests:
        return "passed", ""
    # the scratch copy, not the installed checkout; scripts/ for the selecting plugin
    env = {**ENV, "PYTHONPATH": os.pathsep.join((str(cwd), str(cwd / "scripts")))}
    args = ["-p", "mutation_select", *tests]
    for variable, listed, name in (
        (IDS_ENV, tests if ids else [], "ids"),
        (SKIP_ENV, skip, "skip"),
    ):
        if listed:
            path = cwd / f".mutation-{name}"
            path.write_text("\n".join(listed) + "\n", encoding="utf-8")
            env[variable] = str(path)
    if ids:
        args = ["-p", "mutation_select", *sorted({t.split("::")[0] for t in tests})]
    # its own process group, so that a hang's xdist workers are stopped with it
    with subprocess.Popen(
        [*PYTEST, *(["-n", "0"] if serial else []), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "hang", f"no result after {timeout:.0f} s"
    done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    if done.returncode == 0:
        return "passed", ""
    if done.returncode == 5:  # no tests collected
        return "passed", ""
    if done.returncode in (3, 4):  # pytest's internal or usage error: no verdict
        lines = (done.stderr + done.stdout).strip().splitlines()
        why = next((ln for ln in lines if "error" in ln.lower()), lines[-1] if lines else "")
        return "error", f"pytest exit {done.returncode}: {why.strip()}"
    # a test whose fixture fails is an ERROR: the mutant broke it all the same
    # ("FAILED <node id> - <why>": a node id may hold spaces)
    failed = [
        ln.split(" ", 1)[1].split(" - ", 1)[0]
        for ln in done.stdout.splitlines()
        if ln.startswith(("FAILED ", "ERROR "))
    ]
    return "failed", (failed[0] if failed else done.stdout.strip().splitlines()[-1:][0])


def check(
    located: Located, cover: dict[str, dict[int, set[str]]], tests: list[str], timeout: float
) -> Outcome:
    mutant = located.mutant
    module = located.path.stem
    if mutant.equivalent:
        return Outcome(mutant, module, "equivalent", mutant.equivalent, 0.0)
    began = time.perf_counter()  # wall time of a dev script, not of jobsim
    scratch = _scratch()
    try:
        target = scratch / located.path
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace(mutant.find, mutant.replace, 1), encoding="utf-8")
        span = range(located.line, located.line + mutant.find.count("\n") + 1)
        lines = cover.get(str(located.path), {})
        first = sorted({t for n in span for t in lines.get(n, ())} & _selected(tests, cover))
        verdict, by = _run(scratch, first, timeout, serial=len(first) < 200, ids=True)
        if verdict == "passed":
            # the rest of the selection (the covering tests passed); -x stops at the
            # first failure
            verdict, by = _run(scratch, tests, timeout, skip=first)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.perf_counter() - began
    return Outcome(
        mutant,
        module,
        {"failed": "killed", "passed": "survived"}.get(verdict, verdict),
        by,
        seconds,
    )


def baseline(tests: list[str], timeout: float) -> None:
    """Stop unless the selection passes with no mutant, run exactly as the mutants are:
    a test that fails anyway would 'kill' every mutant."""
    scratch = _scratch()
    try:
        verdict, by = _run(scratch, tests, timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if verdict != "passed":
        raise SystemExit(f"the selected tests do not pass without a mutant ({verdict}: {by})")


def _selected(tests: list[str], cover: dict[str, dict[int, set[str]]]) -> set[str]:
    every = {t for lines in cover.values() for ts in lines.values() for t in ts}
    return {t for t in every if any(t.startswith(s) for s in tests)}


def report(outcomes: list[Outcome]) -> int:
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in outcomes:
        table[o.module][o.verdict] += 1
    print(
        f"\n{'module':<14} {'mutants':>7} {'killed':>6} {'hang':>4} {'survived':>8}"
        f" {'error':>5} {'equiv':>5}"
    )
    total: dict[str, int] = defaultdict(int)
    for module in sorted(table):
        row = table[module]
        n = sum(row.values())
        print(
            f"{module:<14} {n:>7} {row['killed']:>6} {row['hang']:>4} {row['survived']:>8}"
            f" {row['error']:>5} {row['equivalent']:>5}"
        )
        for k, v in row.items():
            total[k] += v
    scored = total["killed"] + total["hang"] + total["survived"]
    score = 100 * (total["killed"] + total["hang"]) / scored if scored else 100.0
    print(
        f"{'all':<14} {sum(total.values()):>7} {total['killed']:>6} {total['hang']:>4}"
        f" {total['survived']:>8} {total['error']:>5} {total['equivalent']:>5}"
    )
    print(f"\nscore: {score:.1f}% ({total['killed'] + total['hang']} of {scored})")
    for o in outcomes:
        if o.verdict in ("survived", "hang", "error"):
            print(f"  {o.verdict.upper()} {o.mutant.name}: {o.mutant.breaks} ({o.by})")
    if total["error"]:
        print(f"{total['error']} mutant(s) unmeasured: pytest refused the run (see ERROR above)")
    return 0 if not (total["survived"] or total["hang"] or total["error"]) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--stateful",
        action="store_true",
        help="run only " + ", ".join(STATEFUL) + ", on the semantic mutants",
    )
    parser.add_argument(
        "--all-kinds", action="store_true", help="with --stateful, the non-semantic mutants too"
    )
    parser.add_argument(
        "--only", default="", help="mutants whose name contains one of these comma-separated texts"
    )
    parser.add_argument("--list", action="store_true", help="print the mutant set and stop")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per test run")
    args = parser.parse_args(argv)
    wanted = args.only.split(",")
    chosen = [
        m
        for m in MUTANTS
        if any(w in m.name for w in wanted) and (m.semantic or not args.stateful or args.all_kinds)
    ]
    located = [locate(m) for m in chosen]  # every mutant must still find its text
    if args.list:
        for loc in located:
            kind = "semantic" if loc.mutant.semantic else "-"
            print(f"{loc.mutant.name:<40} {kind:<8} {loc.path}:{loc.line}  {loc.mutant.breaks}")
        return 0
    tests = list(STATEFUL) if args.stateful else ["tests"]
    cover = coverage_map(tests)
    baseline(tests, args.timeout)
    outcomes = []
    for i, loc in enumerate(located, 1):
        outcome = check(loc, cover, tests, args.timeout)
        print(
            f"[{i}/{len(located)}] {outcome.verdict:<10} {loc.mutant.name} ({outcome.seconds:.1f} s) {outcome.by}",
            flush=True,
        )
        outcomes.append(outcome)
    return report(outcomes)


if __name__ == "__main__":
    raise SystemExit(main())
