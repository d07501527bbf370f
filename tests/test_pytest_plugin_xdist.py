"""jobsim's pytest plugin under pytest-xdist: a client suite run on 2 or 4 workers, in
every distribution mode, sees what it sees in one process.

The client suite uses all four fixtures. Each of its tests writes what it saw (ids,
results, the whole transcript) to a file; one failing test shows its transcript
section. A test's simulator depends only on its marker, never on the worker that runs
it or on the tests that ran before it there, so every file, and the section, must
equal the serial run's.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from jobsim.pytest_plugin import TRANSCRIPT_SECTION

from inner_runs import OPTIONS

pytest_plugins = ["pytester"]


CLIENT = """
import json
import pathlib

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

OUT = pathlib.Path({out!r})


def record(name, value):
    (OUT / (name + ".json")).write_text(json.dumps(value, sort_keys=True))


@pytest.mark.jobsim(seed=3)
@pytest.mark.parametrize("n", range(8))
def test_sim(jobsim, n):
    jobsim.call("sim_define_target", {{"name": "t", "behavior": {{"run_seconds": n}}}})
    jobsim.call("sim_create_project", {{"slug": "acme"}})
    for i in range(n + 1):
        jobsim.call("create_job", {{"project_reference": "acme", "name": str(i), "target": "t"}})
    jobsim.call("sim_advance_clock", {{"seconds": 1.5}})
    record(f"sim-{{n}}", jobsim.transcript)


@pytest.mark.anyio
@pytest.mark.jobsim(seed=4, start="2030-01-01T00:00:00Z")
@pytest.mark.parametrize("n", range(4))
async def test_mcp(jobsim, jobsim_mcp, n):
    await jobsim_mcp.call_tool("sim_create_project", {{"slug": f"p{{n}}"}})
    result = await jobsim_mcp.call_tool(
        "create_job", {{"project_reference": f"p{{n}}", "name": "j", "target": "x"}}
    )
    record(f"mcp-{{n}}", [result.structured_content, jobsim.transcript])


async def server_calls(url):
    with anyio.fail_after(60):
        async with (
            httpx2.AsyncClient(timeout=30) as http,
            streamable_http_client(url, http_client=http) as (r, w),
            ClientSession(r, w, read_timeout_seconds=30) as session,
        ):
            await session.discover()
            project = await session.call_tool("sim_create_project", {{"slug": "acme"}})
            job = await session.call_tool(
                "create_job", {{"project_reference": "acme", "name": "j", "target": "x"}}
            )
    return [project.structured_content, job.structured_content]


@pytest.mark.anyio
@pytest.mark.jobsim(seed=5)
async def test_server(jobsim_server):
    record("server", await server_calls(jobsim_server))


@pytest.mark.anyio
@pytest.mark.jobsim(seed=5)
@pytest.mark.parametrize("n", range(2))
async def test_shared_server(jobsim_shared_server, n):
    record(f"shared-{{n}}", await server_calls(jobsim_shared_server))


@pytest.mark.jobsim(seed=6)
def test_fails(jobsim):
    jobsim.call("sim_create_project", {{"slug": "acme"}})
    job = jobsim.call("create_job", {{"project_reference": "acme", "name": "j", "target": "x"}})
    jobsim.call("cancel_job", {{"project_reference": "acme", "job_id": job["id"]}})
    assert False, "the transcript section follows"
"""


def _section(lines: list[str]) -> list[str]:
    """The lines of the failing test's transcript section in pytest's output."""
    header = re.compile(rf"^-+ {TRANSCRIPT_SECTION} -+$")
    start = next(i for i, line in enumerate(lines) if header.match(line))
    end = next(
        i for i, line in enumerate(lines[start + 1 :], start + 1) if re.match(r"^[-=_]{5}", line)
    )
    return lines[start + 1 : end]


def _run(pytester: pytest.Pytester, name: str, *args: str) -> tuple[dict[str, Any], list[str]]:
    """Run the client suite with ``args``; what each test saw, and the transcript section.

    Not under coverage (which follows every Python subprocess of this suite): the inner
    run is about the plugin's behaviour, and measuring its workers costs far more."""
    with pytest.MonkeyPatch.context() as env:
        for name_ in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START"):
            env.delenv(name_, raising=False)
        return _run_bare(pytester, name, *args)


def _run_bare(pytester: pytest.Pytester, name: str, *args: str) -> tuple[dict[str, Any], list[str]]:
    out = pytester.path / name
    out.mkdir()
    pytester.makepyfile(test_client=CLIENT.format(out=str(out)))
    result = pytester.runpytest_subprocess(*OPTIONS, *args, timeout=300)
    result.assert_outcomes(passed=15, failed=1)
    seen = {path.stem: json.loads(path.read_text()) for path in sorted(out.iterdir())}
    assert len(seen) == 15
    return seen, _section(result.stdout.lines)


_SERIAL: dict[str, tuple[dict[str, Any], list[str]]] = {}


def _serial(pytester: pytest.Pytester) -> tuple[dict[str, Any], list[str]]:
    """The serial run's outcome (run once per process: it never changes)."""
    if "run" not in _SERIAL:
        _SERIAL["run"] = _run(pytester, "serial", "-p", "no:xdist")
    return _SERIAL["run"]


#: Every distribution mode, on 2 workers or 4. ``worksteal`` on 2 (our own default)
#: runs in every suite; the others where JOBSIM_ALL_XDIST_MODES is set (``.ci/run``
#: sets it): each run costs about 7 s of CPU, and the client suite is one file
#: without ``xdist_group`` marks, so ``loadscope`` and ``loadfile`` run it all on one
#: worker and ``loadgroup`` spreads it as ``load`` does.
MODES = [
    ("2", "worksteal"),
    ("4", "load"),
    ("2", "loadscope"),
    ("2", "loadfile"),
    ("2", "loadgroup"),
]
EVERY_SUITE = {"worksteal"}


@pytest.mark.parametrize(("workers", "mode"), MODES)
def test_a_client_suite_sees_the_same_ids_and_transcripts_under_xdist(
    pytester: pytest.Pytester, workers: str, mode: str
) -> None:
    if mode not in EVERY_SUITE and not os.environ.get("JOBSIM_ALL_XDIST_MODES"):
        pytest.skip(f"--dist {mode} runs where JOBSIM_ALL_XDIST_MODES=1 (as in .ci/run)")
    seen, section = _run(pytester, "xdist", "-n", workers, "--dist", mode)
    serial_seen, serial_section = _serial(pytester)
    assert seen == serial_seen
    assert section == serial_section


def test_serially_each_test_gets_a_fresh_simulator_and_fails_with_its_section(
    pytester: pytest.Pytester,
) -> None:
    seen, section = _serial(pytester)
    # Each parametrized test started from a fresh simulator: its first call's time is
    # the marker's start, and jobs get the seed's first ids whatever ran before.
    first_ids = {key: value[1]["result"]["id"] for key, value in seen.items() if key[:4] == "sim-"}
    assert len(set(first_ids.values())) == 1
    assert seen["mcp-0"][1][0]["at"] == "2030-01-01T00:00:00.000Z"
    # The shared server, reset before each test, shows what a server of its own does.
    assert seen["shared-0"] == seen["shared-1"] == seen["server"]
    assert section[0].startswith("2026-01-01T00:00:00.000Z sim_create_project")
    assert section[-1].split(" ", 2)[1] == "cancel_job"
