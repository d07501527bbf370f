"""``POST /sim/reset`` of ``jobsim serve --http --control``, and the
``jobsim_shared_server`` fixture built on it: one server per pytest process, reset
before each test to what ``jobsim_server`` would have started.

The route's behaviour is tested in process (the ASGI app through httpx2); the
command line's part (``--control``, ``--world``, ``--transcript-limit``) and the
fixture serially, with real subprocesses. Under pytest-xdist the fixture is in the
client suite of ``tests/test_pytest_plugin_xdist.py``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from jobsim import Simulator
from jobsim.extras import RESET_PATH
from jobsim.mcp import MCP_PATH, http_app
from jobsim.mcp.reset import MAX_BODY
from jobsim.mcp.transports import resettable_http_app
from jobsim.pytest_plugin import serve_subprocess
from jobsim.transcript import SERVER_LIMIT

from inner_runs import OPTIONS

pytest_plugins = ["pytester"]

#: Every wait in this module is bounded by this many seconds.
TIMEOUT = 60
BASE = "http://127.0.0.1:8000"
START = "2030-01-01T00:00:00Z"


def fresh(seed: int, start: str | None) -> Simulator:
    return Simulator(seed) if start is None else Simulator(seed, start=start)


@asynccontextmanager
async def serving(app: Any, token: str | None = None) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client of ``app`` in this process, its lifespan running."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    with anyio.fail_after(TIMEOUT):
        async with (
            app.router.lifespan_context(app),
            httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app), base_url=BASE, headers=headers
            ) as http,
        ):
            yield http


@asynccontextmanager
async def session_on(http: httpx2.AsyncClient) -> AsyncIterator[ClientSession]:
    async with (
        streamable_http_client(BASE + MCP_PATH, http_client=http) as (read, write),
        ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
    ):
        await session.initialize()
        yield session


def acme_and_a_job(sim: Simulator) -> list[dict[str, Any]]:
    """What each test below does, on a simulator of its own: the ids it gets back."""
    project = sim.call("sim_create_project", {"slug": "acme"})
    job = sim.call("create_job", {"project_reference": "acme", "name": "j", "target": "t"})
    return [project, job]


async def acme_and_a_job_over(session: ClientSession) -> list[dict[str, Any]]:
    project = await session.call_tool("sim_create_project", {"slug": "acme"})
    job = await session.call_tool(
        "create_job", {"project_reference": "acme", "name": "j", "target": "t"}
    )
    return [project.structured_content, job.structured_content]


# -- the route, in process --------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_reset_serves_the_simulator_fresh_would_build_with_its_seed_and_start() -> None:
    app = resettable_http_app(Simulator(0), fresh)
    async with serving(app) as http:
        async with session_on(http) as session:
            await acme_and_a_job_over(session)
        answer = await http.post(RESET_PATH, json={"seed": 3, "start": START})
        async with session_on(http) as session:
            seen = await acme_and_a_job_over(session)
    expected = Simulator(3, start=START)
    assert (answer.status_code, answer.json()) == (200, {"seed": 3, "now": expected.now})
    assert seen == acme_and_a_job(expected)
    assert app.sim.transcript == expected.transcript  # nothing from before the reset


@pytest.mark.anyio
async def test_an_empty_reset_body_means_seed_0_and_the_default_start() -> None:
    app = resettable_http_app(Simulator(9, start=START), fresh)
    async with serving(app) as http:
        answer = await http.post(RESET_PATH)
    assert answer.json() == {"seed": 0, "now": Simulator(0).now}
    assert (app.sim.seed, app.sim.now) == (0, Simulator(0).now)


@pytest.mark.anyio
async def test_a_reset_ends_every_session_opened_before_it() -> None:
    app = resettable_http_app(Simulator(0), fresh)
    async with serving(app) as http, session_on(http) as before:
        await before.call_tool("sim_create_project", {"slug": "acme"})
        assert (await http.post(RESET_PATH, json={"seed": 0})).status_code == 200
        with pytest.raises(MCPError, match="Session not found"):
            await before.call_tool("sim_create_project", {"slug": "acme"})
        async with session_on(http) as after:
            result = await after.call_tool("sim_create_project", {"slug": "acme"})
    assert not result.is_error  # a new session sees the new simulator: acme is new there


@pytest.mark.anyio
async def test_a_reset_gives_each_token_a_fresh_scope_for_its_project() -> None:
    # The scope of a token learns its project's id on first use; after a reset with
    # another seed the project of the same slug has another id, which must be in scope.
    app = resettable_http_app(Simulator(0), fresh, tokens={"tok": "acme"})
    async with serving(app, token="tok") as http:
        async with session_on(http) as session:
            before = (
                await session.call_tool("sim_create_project", {"slug": "acme"})
            ).structured_content
            await session.call_tool("list_jobs", {"project_reference": before["id"]})
        await http.post(RESET_PATH, json={"seed": 1})
        async with session_on(http) as session:
            after = (
                await session.call_tool("sim_create_project", {"slug": "acme"})
            ).structured_content
            listed = await session.call_tool("list_jobs", {"project_reference": after["id"]})
    assert before["id"] != after["id"]
    assert not listed.is_error, listed.content


@pytest.mark.anyio
async def test_resets_sent_at_once_run_one_after_the_other() -> None:
    app = resettable_http_app(Simulator(0), fresh)
    answers: dict[int, httpx2.Response] = {}
    async with serving(app) as http:

        async def reset(seed: int) -> None:
            answers[seed] = await http.post(RESET_PATH, json={"seed": seed})

        async with anyio.create_task_group() as group:
            for seed in (1, 2, 3):
                group.start_soon(reset, seed)
        async with session_on(http) as session:
            result = await session.call_tool("sim_create_project", {"slug": "acme"})
    assert [answers[seed].status_code for seed in (1, 2, 3)] == [200, 200, 200]
    # The last reset to run won: the server serves its simulator, and only it.
    assert result.structured_content == Simulator(app.sim.seed).call(
        "sim_create_project", {"slug": "acme"}
    )
    assert app.sim.seed in (1, 2, 3)


REFUSED = [
    (b"not json", 400, "the body is not JSON"),
    (b"[1]", 400, "the body is a JSON list"),
    (b'{"seed": "1"}', 400, 'seed must be a whole number, not "1"'),
    (b'{"seed": true}', 400, "seed must be a whole number, not true"),
    (b'{"start": 5}', 400, "start must be a string, not 5"),
    (b'{"seed": 1, "world": {}}', 400, "unknown key(s) 'world'"),
    (b'{"start": "soon"}', 400, "the simulator refused it: start 'soon' is not an ISO 8601"),
    (b" " * (MAX_BODY + 1), 413, f"a reset body is at most {MAX_BODY} bytes"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("body", "status", "says"), REFUSED)
async def test_a_refused_reset_says_why_and_leaves_the_server_as_it_was(
    body: bytes, status: int, says: str
) -> None:
    sim = Simulator(0)
    app = resettable_http_app(sim, fresh)
    async with serving(app) as http, session_on(http) as session:
        await session.call_tool("sim_create_project", {"slug": "acme"})
        before = sim.snapshot()
        answer = await http.post(RESET_PATH, content=body)
        again = await session.call_tool("sim_create_project", {"slug": "acme"})
    assert answer.status_code == status
    assert says in answer.text
    assert 'expected a JSON object {"seed": N, "start": "ISO 8601 time"}' in answer.text or (
        "expected e.g." in answer.text  # the simulator's own words about a start
    )
    assert app.sim is sim
    assert before["projects"] == sim.snapshot()["projects"]
    assert again.is_error  # the session still works, on the same simulator: acme exists


@pytest.mark.anyio
async def test_the_reset_route_is_guarded_as_mcp_is() -> None:
    app = resettable_http_app(Simulator(0), fresh, tokens={"tok": "acme"})
    async with serving(app) as http:
        foreign = await http.post(RESET_PATH, json={}, headers={"Host": "evil.example"})
        bare = await http.post(RESET_PATH, json={})
        wrong = await http.post(RESET_PATH, json={}, headers={"Authorization": "Bearer nope"})
        right = await http.post(RESET_PATH, json={}, headers={"Authorization": "Bearer tok"})
        read = await http.get(RESET_PATH, headers={"Authorization": "Bearer tok"})
    assert foreign.status_code == 421
    assert "this server answers to 127.0.0.1" in foreign.text
    assert (bare.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert read.status_code == 405


@pytest.mark.anyio
async def test_the_http_app_without_a_fresh_simulator_has_no_reset_route() -> None:
    app = http_app(Simulator(0), control=True)
    async with serving(app) as http:
        answer = await http.post(RESET_PATH, json={})
    assert answer.status_code == 404


# -- jobsim serve -----------------------------------------------------------------------------


def post_reset(url: str, body: dict[str, Any]) -> tuple[int, str]:
    request = urllib.request.Request(
        url.replace(MCP_PATH, RESET_PATH), data=json.dumps(body).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def test_jobsim_serve_takes_a_reset_only_with_control() -> None:
    with serve_subprocess([]) as url:
        status, _ = post_reset(url, {})
    assert status == 404


@pytest.mark.anyio
async def test_jobsim_serve_resets_to_its_world_and_transcript_limit(tmp_path: Path) -> None:
    world = tmp_path / "world.json"
    world.write_text(json.dumps({"projects": [{"slug": "acme"}]}))
    args = ["--control", "--seed", "7", "--world", str(world), "--transcript-limit", "2"]
    expected = Simulator(7, transcript_limit=2)
    expected.call("sim_create_project", {"slug": "acme"})
    with serve_subprocess(args) as url:
        status, answer = post_reset(url, {"seed": 7})
        assert (status, json.loads(answer)) == (200, {"seed": 7, "now": expected.now})
        with anyio.fail_after(TIMEOUT):
            async with (
                httpx2.AsyncClient(timeout=TIMEOUT) as http,
                streamable_http_client(url, http_client=http) as (read, write),
                ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
            ):
                await session.initialize()
                for _ in range(3):
                    await session.call_tool("list_jobs", {"project_reference": "acme"})
                transcript = await session.call_tool("sim_get_transcript", {})
    for _ in range(3):
        expected.call("list_jobs", {"project_reference": "acme"})
    assert transcript.structured_content == expected.call("sim_get_transcript", {})


# -- the fixture ------------------------------------------------------------------------------


CLIENT = """
import json
import pathlib

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

OUT = pathlib.Path({out!r})


async def seen_by(url, name):
    with anyio.fail_after(60):
        async with (
            httpx2.AsyncClient(timeout=30) as http,
            streamable_http_client(url, http_client=http) as (r, w),
            ClientSession(r, w, read_timeout_seconds=30) as session,
        ):
            await session.initialize()
            behavior = {{"run_seconds": 2}}
            await session.call_tool("sim_define_target", {{"name": "t", "behavior": behavior}})
            project = await session.call_tool("sim_create_project", {{"slug": "acme"}})
            job = await session.call_tool(
                "create_job", {{"project_reference": "acme", "name": "j", "target": "t"}}
            )
            await session.call_tool("sim_advance_clock", {{"seconds": 5}})
            transcript = await session.call_tool("sim_get_transcript", {{}})
    seen = [project.structured_content, job.structured_content, transcript.structured_content]
    (OUT / (name + ".json")).write_text(json.dumps({{"url": url, "seen": seen}}))


@pytest.mark.anyio
@pytest.mark.jobsim(seed=5)
@pytest.mark.parametrize("n", range(3))
async def test_shared(jobsim_shared_server, n):
    await seen_by(jobsim_shared_server, f"shared-{{n}}")


@pytest.mark.anyio
@pytest.mark.jobsim(seed=5)
async def test_own(jobsim_server):
    await seen_by(jobsim_server, "own")


@pytest.mark.anyio
@pytest.mark.jobsim(seed=6, start="2030-01-01T00:00:00Z")
async def test_other_seed(jobsim_shared_server):
    await seen_by(jobsim_shared_server, "other")


@pytest.mark.jobsim(validate_outputs=True)
def test_other_knobs(jobsim_shared_server):
    pass


@pytest.mark.jobsim(start="soon")
def test_a_start_refused(jobsim_shared_server):
    pass
"""


def run_client_suite(pytester: pytest.Pytester, name: str, *args: str) -> dict[str, Any]:
    """Run the client suite with ``args`` (its servers not under coverage: the inner
    run is about the fixture's behaviour); what each test saw, by name."""
    out = pytester.path / name
    out.mkdir()
    pytester.makepyfile(test_client=CLIENT.format(out=str(out)))
    with pytest.MonkeyPatch.context() as env:
        for variable in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START"):
            env.delenv(variable, raising=False)
        # in this process: no interpreter, pytest and SDK to start again
        result = pytester.runpytest(*OPTIONS, *args)
    result.assert_outcomes(passed=5, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*jobsim_shared_server takes only seed and start*validate_outputs*",
            "*jobsim_shared_server: the reset was refused: 400: reset refused: the simulator "
            "refused it: start 'soon' is not an ISO 8601 timestamp*",
        ]
    )
    return {path.stem: json.loads(path.read_text()) for path in sorted(out.iterdir())}


def seen_in_process(seed: int, start: str | None = None) -> list[Any]:
    """What a client suite's test sees, from a simulator like ``jobsim serve``'s."""
    knobs: dict[str, Any] = {} if start is None else {"start": start}
    sim = Simulator(seed, transcript_limit=SERVER_LIMIT, **knobs)
    sim.call("sim_define_target", {"name": "t", "behavior": {"run_seconds": 2}})
    project = sim.call("sim_create_project", {"slug": "acme"})
    job = sim.call("create_job", {"project_reference": "acme", "name": "j", "target": "t"})
    sim.call("sim_advance_clock", {"seconds": 5})
    return [project, job, sim.call("sim_get_transcript", {})]


def test_the_shared_server_shows_each_test_what_its_own_server_would(
    pytester: pytest.Pytester,
) -> None:
    seen = run_client_suite(pytester, "serial", "-p", "no:xdist")
    own, other = seen.pop("own"), seen.pop("other")
    # One server for the whole run, reset before each test: every test with the same
    # marker sees what a server of its own shows it, whatever ran there before.
    assert {entry["url"] for entry in seen.values()} == {other["url"]}
    assert own["url"] != other["url"]
    assert own["seen"] == seen_in_process(5)
    assert [entry["seen"] for entry in seen.values()] == [own["seen"]] * 3
    assert other["seen"] == seen_in_process(6, START)
