"""`jobsim verify` against jobsim itself: over HTTP, over stdio and in process, both modes.

Every check passes, or is skipped for a stated reason; a read-only run changes nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from jobsim import Simulator, verify
from jobsim.cli import main
from jobsim.mcp import create_server, load_world
from jobsim.pytest_plugin import serve_subprocess
from jobsim.verify import CHECKS, MODES, CheckResult, run

WORLD = Path(__file__).parent / "data" / "verify_world.json"
JOBSIM = [sys.executable, "-m", "jobsim.cli"]
TIMEOUT = 30.0


def failures(results: list[CheckResult]) -> dict[str, str]:
    return {r.name: r.reason for r in results if r.outcome == "failed"}


def skips(results: list[CheckResult]) -> dict[str, str]:
    return {r.name: r.reason for r in results if r.outcome == "skipped"}


def world_sim(**knobs: Any) -> Simulator:
    sim = Simulator(seed=5, **knobs)
    load_world(sim, WORLD)
    return sim


@pytest.fixture(scope="module")
def http_url() -> Any:
    args = ["--control", "--world", str(WORLD), "--token", "s3cret=acme", "--token", "other=beta"]
    with serve_subprocess(args) as url:
        yield url


@pytest.fixture(scope="module")
def over_http(http_url: str) -> dict[str, list[CheckResult]]:
    # read-only first: the full run adds jobs, which read-only checks do not mind either
    return {
        mode: run(
            http_url,
            token="s3cret",
            project="acme",
            other_project="beta",
            mode=mode,
            timeout=TIMEOUT,
        )
        for mode in MODES
    }


@pytest.fixture(scope="module")
def over_stdio() -> dict[str, list[CheckResult]]:
    command = [*JOBSIM, "serve", "--control", "--world", str(WORLD)]
    return {mode: run(stdio=command, project="acme", mode=mode, timeout=TIMEOUT) for mode in MODES}


def test_the_public_face_is_pinned_and_every_name_resolves() -> None:
    assert verify.__all__ == [
        "CHECKS",
        "DEFAULT_TIMEOUT",
        "MODES",
        "Answer",
        "CheckResult",
        "CheckSpec",
        "run",
        "run_async",
    ]
    for name in verify.__all__:
        assert getattr(verify, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = verify.nope


def test_there_are_at_least_25_checks_each_described_in_one_line() -> None:
    assert len(CHECKS) >= 25
    for spec in CHECKS.values():
        assert spec.description
        assert "\n" not in spec.description
        assert spec.name.startswith(spec.group + ".")


@pytest.mark.parametrize("mode", list(MODES))
def test_over_http_every_check_passes_or_is_skipped_for_a_reason(
    over_http: dict[str, list[CheckResult]], mode: str
) -> None:
    results = over_http[mode]
    assert [r.name for r in results] == [r.name for r in over_http["full"]]
    assert len(results) == len(CHECKS)
    assert failures(results) == {}
    assert all(reason for reason in skips(results).values())


@pytest.mark.parametrize("mode", list(MODES))
def test_over_stdio_every_check_passes_or_is_skipped_for_a_reason(
    over_stdio: dict[str, list[CheckResult]], mode: str
) -> None:
    assert failures(over_stdio[mode]) == {}
    assert all(reason for reason in skips(over_stdio[mode]).values())


def test_a_full_run_on_a_simulator_passes_every_check_but_the_second_project(
    over_http: dict[str, list[CheckResult]], over_stdio: dict[str, list[CheckResult]]
) -> None:
    assert skips(over_http["full"]) == {}
    assert list(skips(over_stdio["full"])) == ["read.other_project"]


def test_a_read_only_run_skips_the_full_checks_saying_how_to_run_them(
    over_http: dict[str, list[CheckResult]],
) -> None:
    skipped = skips(over_http["read-only"])
    assert set(skipped) == {name for name in CHECKS if name.startswith("full.")}
    assert set(skipped.values()) == {"runs only with --mode full"}


def test_a_project_the_token_cannot_reach_answers_like_a_missing_one(
    over_http: dict[str, list[CheckResult]],
) -> None:
    (result,) = [r for r in over_http["read-only"] if r.name == "read.other_project"]
    assert result.outcome == "passed"


def test_a_read_only_run_makes_only_read_calls_and_calls_that_are_refused() -> None:
    sim = world_sim()
    before = len(sim.transcript)
    server = create_server(sim, control=True, project="acme")  # as a token scoped to acme
    results = run(server=server, project="acme", other_project="beta")
    assert failures(results) == {}
    calls = list(sim.transcript)[before:]
    reads = [c for c in calls if c["tool"].startswith(("list_", "get_"))]
    others = [c for c in calls if c not in reads]
    assert reads
    assert others  # the made-up ids and bad arguments
    assert [c for c in others if "error" not in c] == []
    assert {c["tool"] for c in others} == {"cancel_job", "update_cron_job"}


def test_an_empty_project_skips_what_it_lacks_and_fails_nothing() -> None:
    sim = Simulator(seed=1)
    sim.call("sim_create_project", {"slug": "empty"})
    results = run(server=create_server(sim), project="empty")
    assert failures(results) == {}
    skipped = skips(results)
    assert skipped["read.job_records"] == "project 'empty' has no jobs"
    assert skipped["read.cron_records"] == "project 'empty' has no cron jobs"
    assert skipped["read.get_job_batch"] == (
        "none of the first 100 jobs of project 'empty' is in a batch"
    )
    assert skipped["read.list_jobs_walk"] == "needs more than 3 items to page through; found 0"


def test_without_control_tools_the_full_checks_are_skipped_saying_so() -> None:
    results = run(server=create_server(world_sim(), control=False), project="acme", mode="full")
    assert failures(results) == {}
    full = {name: reason for name, reason in skips(results).items() if name.startswith("full.")}
    assert len(full) == len([n for n in CHECKS if n.startswith("full.")])
    assert set(full.values()) == {"the endpoint has no sim_* control tools (it is no simulator)"}


def test_only_runs_the_checks_named() -> None:
    names = ["read.unknown_project", "catalogue.handshake"]
    results = run(server=create_server(world_sim()), project="acme", only=names)
    assert [r.name for r in results] == ["catalogue.handshake", "read.unknown_project"]


def test_unknown_check_names_and_modes_are_refused_saying_what_is_accepted() -> None:
    server = create_server(Simulator(seed=1))
    with pytest.raises(ValueError, match="unknown check"):
        run(server=server, project="x", only=["read.nope"])
    with pytest.raises(ValueError, match="read-only, full"):
        run(server=server, project="x", mode="everything")


# -- the command -------------------------------------------------------------------------


def test_list_prints_every_check_with_its_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(CHECKS)
    for line, spec in zip(lines, CHECKS.values(), strict=False):
        assert line.split()[0] in CHECKS
        assert spec.description in "\n".join(lines)


def test_help_explains_modes_tokens_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["verify", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for words in (
        "read-only",
        "full",
        "Authorization: Bearer",
        "exit status",
        "0  no check failed",
    ):
        assert words in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["verify", "--project", "acme"], "either URL or --stdio"),
        (["verify", "http://127.0.0.1:1/mcp"], "--project"),
        (["verify", "--stdio", "x", "--token", "t", "--project", "a"], "needs an HTTP URL"),
        (["verify", "--stdio", "x", "--project", "a", "--check", "no.such"], "unknown check"),
    ],
)
def test_usage_errors_exit_2_saying_what_is_wrong(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert says in capsys.readouterr().err


def test_the_command_writes_junit_and_json_and_exits_0_when_nothing_failed(
    http_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, report = tmp_path / "verify.xml", tmp_path / "verify.json"
    argv = ["verify", http_url, "--token", "s3cret", "--project", "acme", "--project", "beta"]
    assert main([*argv, "--junit", str(junit), "--json", str(report)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"{len(CHECKS)} checks: 34 passed, 0 failed, 10 skipped"
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("tests") == str(len(CHECKS))
    assert suite.get("failures") == "0"
    assert len(suite.findall("testcase/skipped")) == 10
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["counts"] == {"passed": 34, "failed": 0, "skipped": 10}
    assert doc["project"] == "acme"
    assert {r["name"] for r in doc["results"]} == set(CHECKS)


def test_a_wrong_token_fails_every_check_with_the_reason_and_exits_1(
    http_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", http_url, "--token", "wrong", "--project", "acme"]) == 1
    out = capsys.readouterr().out
    assert "could not connect" in out
    assert out.splitlines()[-1] == f"{len(CHECKS)} checks: 0 passed, 34 failed, 10 skipped"


def test_the_jobsim_command_builds_without_importing_the_mcp_extra() -> None:
    probe = (
        "import sys, jobsim.cli; jobsim.cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_report_that_cannot_be_written_exits_2_saying_so(
    http_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = tmp_path / "missing" / "verify.json"
    argv = ["verify", http_url, "--token", "s3cret", "--project", "acme", "--json", str(nowhere)]
    assert main([*argv, "--check", "read.unknown_project"]) == 2
    assert "could not write a report" in capsys.readouterr().err
