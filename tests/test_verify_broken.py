"""`jobsim verify` against deliberately broken servers: each fails the check that names
its fault, and no other; a server that hangs or goes away fails clearly, in bounded time."""

from __future__ import annotations

import copy
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from jobsim import Simulator, ToolError
from jobsim.mcp import create_server, load_world
from jobsim.registry import TOOLS
from jobsim.verify import CheckResult, report, run

WORLD = Path(__file__).parent / "data" / "verify_world.json"
FAKE = Path(__file__).parent / "data" / "verify_fake_server.py"


def failures(results: list[CheckResult]) -> dict[str, str]:
    return {r.name: r.reason for r in results if r.outcome == "failed"}


def verify(sim: Simulator, mode: str = "read-only", **server: Any) -> dict[str, str]:
    load_world(sim, WORLD)
    served = create_server(sim, control=True, project="acme", **server)
    return failures(run(server=served, project="acme", other_project="beta", mode=mode))


class DropsAnItem(Simulator):
    """Every list_jobs page after the first loses its second item."""

    def call(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        out = super().call(tool, arguments)
        if tool == "list_jobs" and (arguments or {}).get("cursor") and len(out["data"]) > 1:
            del out["data"][1]
        return out


class BatchWithoutResult(Simulator):
    """get_job_batch leaves out the required key ``result``."""

    def call(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        out = super().call(tool, arguments)
        if tool == "get_job_batch":
            del out["result"]
        return out


class ConflictForAMissingJob(Simulator):
    """cancel_job of a job that does not exist answers conflict, not not_found."""

    def call(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            return super().call(tool, arguments)
        except ToolError as error:
            if tool == "cancel_job" and error.code == "not_found":
                raise ToolError("conflict", "job cannot be canceled") from None
            raise


class ForwardEventsUnsorted(Simulator):
    """get_job_events forward gives the entries newest first, like backward."""

    def call(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        args = dict(arguments or {})
        if tool == "get_job_events" and args.get("direction") == "forward":
            args["direction"] = "backward"
        return super().call(tool, args)


@pytest.mark.parametrize("mode", ["read-only", "full"])
def test_the_same_world_unbroken_fails_nothing(mode: str) -> None:
    assert verify(Simulator(seed=5), mode=mode) == {}


def test_a_page_that_drops_an_item_fails_the_walk() -> None:
    found = verify(DropsAnItem(seed=5))
    assert found == {
        "read.list_jobs_walk": "page 2: page_info.next is set on a page that is not full"
    }


def test_cancel_of_a_completed_job_that_succeeds_fails_cancel_finished() -> None:
    found = verify(Simulator(seed=5, cancel_terminal="return"), mode="full")
    assert list(found) == ["full.cancel_finished"]
    assert "expected conflict, but it succeeded" in found["full.cancel_finished"]


def test_an_output_missing_a_required_key_fails_its_schema_check() -> None:
    found = verify(BatchWithoutResult(seed=5))
    assert list(found) == ["read.get_job_batch"]
    assert "'result' is a required property" in found["read.get_job_batch"]


def test_a_wrong_error_code_for_a_missing_job_fails_cancel_unknown_job() -> None:
    found = verify(ConflictForAMissingJob(seed=5))
    assert list(found) == ["read.cancel_unknown_job"]
    assert "expected not_found, but it answered conflict" in found["read.cancel_unknown_job"]


def test_a_failure_shows_the_raw_answer_in_the_table_and_in_junit() -> None:
    sim = ConflictForAMissingJob(seed=5)
    load_world(sim, WORLD)
    served = create_server(sim, project="acme")
    results = run(server=served, project="acme", only=["read.cancel_unknown_job"])
    lines = report.table(results).splitlines()
    assert lines[0].startswith("read.cancel_unknown_job  FAIL  cancel_job {")
    assert lines[1].lstrip().startswith("raw: {")
    assert '"text": "conflict: job cannot be canceled"' in lines[1]
    failure = ElementTree.fromstring(report.to_junit(results)).find("testcase/failure")
    assert failure is not None
    assert "expected not_found" in failure.get("message", "")
    assert "conflict: job cannot be canceled" in (failure.text or "")


def test_events_in_the_wrong_direction_fail_job_events_directions() -> None:
    found = verify(ForwardEventsUnsorted(seed=5))
    assert list(found) == ["read.job_events_directions"]


def test_a_published_schema_changed_in_tools_list_fails_input_schemas_with_a_diff(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = Simulator(seed=5)
    load_world(sim, WORLD)
    changed = copy.deepcopy(TOOLS["list_jobs"].input_schema)
    changed["properties"]["limit"]["maximum"] = 50
    with monkeypatch.context() as patch:  # the server copies the schemas it publishes
        patch.setattr(TOOLS["list_jobs"], "input_schema", changed)
        served = create_server(sim, control=True, project="acme")
    found = failures(run(server=served, project="acme", other_project="beta"))
    assert found == {
        "catalogue.input_schemas": "list_jobs: properties.limit.maximum: published 100, listed 50"
    }


def test_a_token_that_reaches_another_project_fails_other_project() -> None:
    sim = Simulator(seed=5)
    load_world(sim, WORLD)
    served = create_server(sim, control=True)  # no scope: every project is reachable
    found = failures(run(server=served, project="acme", other_project="beta"))
    assert list(found) == ["read.other_project"]


# -- servers that hang or go away: the command, in a subprocess that must end -----------------


def verify_command(mode: str) -> subprocess.CompletedProcess[str]:
    return verify_endpoint("--stdio", f"{sys.executable} {FAKE} {mode}")


def verify_endpoint(*endpoint: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "jobsim.cli", "verify", *endpoint, "--project", "acme"]
    # A hang would raise TimeoutExpired here: far above the one-second waits it may take.
    return subprocess.run(
        [*argv, "--timeout", "1"], capture_output=True, text=True, timeout=120, check=False
    )


def test_an_http_server_that_accepts_and_never_answers_fails_every_check_clearly() -> None:
    with socket.socket() as listener:  # the kernel accepts connections; nobody answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        done = verify_endpoint(f"http://127.0.0.1:{port}/mcp")
    assert done.returncode == 1
    assert "not run: could not connect (timeout): no answer within 1 s" in done.stdout


def test_a_server_that_never_answers_the_handshake_fails_every_check_clearly() -> None:
    done = verify_command("silent")
    assert done.returncode == 1
    assert "not run: could not connect (timeout): no answer within 1 s" in done.stdout
    assert done.stdout.splitlines()[-1] == "44 checks: 0 passed, 34 failed, 10 skipped"


def test_a_server_that_hangs_mid_run_fails_the_checks_left_without_waiting_for_each() -> None:
    done = verify_command("hang")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    first = next(line for line in lines if " FAIL " in line)
    assert first.split()[0] == "read.list_jobs_schema"
    assert "timeout: no answer within 1 s" in first
    assert "not run: the connection was lost (no answer within 1 s)" in done.stdout
    assert lines[-1] == "44 checks: 6 passed, 28 failed, 10 skipped"


def test_a_server_that_closes_the_connection_mid_run_fails_the_checks_left() -> None:
    done = verify_command("close")
    assert done.returncode == 1
    first = next(line for line in done.stdout.splitlines() if " FAIL " in line)
    assert first.split()[0] == "read.list_jobs_schema"
    assert "connection_closed" in first
    assert "not run: the connection was lost" in done.stdout
