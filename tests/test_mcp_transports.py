"""``jobsim serve`` as a real subprocess: stdio, streamable HTTP on 127.0.0.1, tokens, CLI.

Every wait is bounded and every subprocess is stopped; all traffic stays on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp_types as types
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.shared.memory import create_client_server_memory_streams
from mcp_types.version import LATEST_PROTOCOL_VERSION, OLDEST_SUPPORTED_VERSION

from jobsim import Simulator
from jobsim.cli import main
from jobsim.extras import served_url
from jobsim.mcp import MCP_PATH, create_server, http_app, load_world
from jobsim.mcp.client import negotiate
from jobsim.mcp.transports import ProjectTokens, listen
from jobsim.pytest_plugin import serve_subprocess

#: Every wait in this module is bounded by this many seconds.
TIMEOUT = 60
VERSIONS = [LATEST_PROTOCOL_VERSION, OLDEST_SUPPORTED_VERSION]
SERVE = [sys.executable, "-m", "jobsim.cli", "serve"]

WORLD: dict[str, Any] = {
    "projects": [{"slug": "acme", "environments": ["production"]}, {"slug": "beta"}],
    "calls": [
        {
            "tool": "create_job",
            "arguments": {"project_reference": "beta", "name": "secret", "target": "t"},
        }
    ],
}


@pytest.fixture(scope="module")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world") / "world.json"
    path.write_text(json.dumps(WORLD), encoding="utf-8")
    return path


def text_of(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


# -- stdio ---------------------------------------------------------------------------------


@asynccontextmanager
async def stdio_session(
    args: list[str], version: str, errlog: Path
) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=sys.executable, args=[*SERVE[1:], *args])
    with anyio.fail_after(TIMEOUT), errlog.open("w", encoding="utf-8") as log:
        async with (
            stdio_client(params, errlog=log) as (read_stream, write_stream),
            ClientSession(read_stream, write_stream, read_timeout_seconds=TIMEOUT) as session,
        ):
            await negotiate(session, version)
            yield session


@pytest.mark.anyio
@pytest.mark.parametrize("version", VERSIONS)
async def test_stdio_serves_the_world_file_without_control(
    version: str, world_file: Path, tmp_path: Path
) -> None:
    args = ["--seed", "4", "--world", str(world_file)]
    async with stdio_session(args, version, tmp_path / "stderr.txt") as session:
        assert session.protocol_version == version
        names = [tool.name for tool in (await session.list_tools()).tools]
        assert names == Simulator.tools(control=False)
        listed = await session.call_tool("list_jobs", {"project_reference": "beta"})
        (job,) = listed.structured_content["data"]
        missing = await session.call_tool("get_job", {"project_reference": "acme", "job_id": "x"})
        with pytest.raises(MCPError) as caught:
            await session.call_tool("sim_advance_clock", {"seconds": 1})
    # The same seed and world give the same ids as in this process.
    twin = Simulator(seed=4)
    load_world(twin, WORLD)
    assert job == twin.call("list_jobs", {"project_reference": "beta"})["data"][0]
    assert missing.is_error
    assert text_of(missing) == "not_found: job 'x' not found"
    assert caught.value.code == types.INVALID_PARAMS


def raw_handshake(request_id: int) -> list[dict[str, Any]]:
    """The ``initialize`` request (with ``request_id``) and ``initialized`` notification
    a raw JSON-RPC client sends first, at the oldest protocol version."""
    return [
        {
            "jsonrpc": "2.0",
            "id": request_id,
            "method": "initialize",
            "params": {
                "protocolVersion": OLDEST_SUPPORTED_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
    ]


@pytest.mark.anyio
async def test_stdio_stdout_carries_nothing_but_protocol(tmp_path: Path) -> None:
    messages = [
        *raw_handshake(request_id=1),
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "sim_create_project", "arguments": {"slug": "acme"}},
        },
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "nope"}},
    ]
    replies: list[dict[str, Any]] = []
    with anyio.fail_after(TIMEOUT):
        async with await anyio.open_process(
            [*SERVE, "--control"], stderr=subprocess.DEVNULL
        ) as process:
            assert process.stdin is not None
            assert process.stdout is not None
            buffer = b""
            for message in messages:
                await process.stdin.send(json.dumps(message).encode() + b"\n")
                if "id" not in message:
                    continue
                while b"\n" not in buffer:
                    buffer += await process.stdout.receive()
                line, buffer = buffer.split(b"\n", 1)
                replies.append(json.loads(line))  # every line is JSON
            await process.stdin.aclose()
            rest = b""
            async for chunk in process.stdout:
                rest += chunk
            assert await process.wait() == 0
    assert buffer + rest == b""
    assert all(reply["jsonrpc"] == "2.0" for reply in replies)
    assert [reply["id"] for reply in replies] == [1, 2, 3, 4]
    assert len(replies[1]["result"]["tools"]) == len(Simulator.tools())
    assert replies[2]["result"]["structuredContent"]["slug"] == "acme"
    assert replies[3]["error"]["code"] == types.INVALID_PARAMS


def test_stdio_answers_every_request_when_stdin_closes_at_once() -> None:
    # A client that writes all its requests and closes stdin without waiting: the
    # server must not stop at the end of stdin while answers are still on their way.
    calls = {  # ids 1 to 200: created, refused by the simulator, or not a tool
        i: [
            ("sim_create_project", {"slug": f"p{i}"}),
            ("get_job", {"project_reference": "nowhere", "job_id": f"j{i}"}),
            ("nope", {}),
        ][i % 3]
        for i in range(1, 201)
    }
    messages = raw_handshake(request_id=0)
    for i, (name, arguments) in calls.items():
        params = {"name": name, "arguments": arguments}
        messages.append({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params})
    messages.append({"jsonrpc": "2.0", "id": 201, "method": "jobs/teleport"})
    done = subprocess.run(
        [*SERVE, "--control"],
        input="".join(json.dumps(message) + "\n" for message in messages),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    replies = [json.loads(line) for line in done.stdout.splitlines()]  # every line is JSON
    ids = [reply["id"] for reply in replies]
    assert sorted(ids) == list(range(202))  # each request answered exactly once
    by_id = {reply["id"]: reply for reply in replies}
    assert by_id[0]["result"]["protocolVersion"] == OLDEST_SUPPORTED_VERSION
    for i, (name, _) in calls.items():
        if name == "nope":
            assert by_id[i]["error"]["code"] == types.INVALID_PARAMS
        elif name == "get_job":
            assert by_id[i]["result"]["isError"] is True
            assert by_id[i]["result"]["content"][0]["text"] == (
                "not_found: project 'nowhere' not found"
            )
        else:
            assert by_id[i]["result"]["structuredContent"]["slug"] == f"p{i}"
    assert by_id[201]["error"]["code"] == types.METHOD_NOT_FOUND


def serve_stdio_lines(lines: list[str], *args: str) -> tuple[list[dict[str, Any]], str]:
    """Feed ``lines`` to ``jobsim serve ARGS`` over stdio; its replies and its stderr."""
    done = subprocess.run(
        [*SERVE, *args],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def test_stdio_answers_a_line_that_is_not_json_rpc_with_an_error_of_null_id() -> None:
    # The replies are exactly these four: one per line but the blank one.
    handshake = [json.dumps(message) for message in raw_handshake(request_id=1)]
    replies, _ = serve_stdio_lines(
        [
            "this is not JSON",
            "   ",  # a blank line is no message: no answer
            *handshake,
            '{"jsonrpc": "2.0", "note": "JSON, but not JSON-RPC"}',
            json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        ]
    )
    parse, initialized, invalid, listed = replies
    assert parse["id"] is None
    assert parse["error"]["code"] == types.PARSE_ERROR
    assert parse["error"]["message"].startswith("Parse error: the line is not JSON (")
    assert initialized["id"] == 1  # the server carried on
    assert invalid["id"] is None
    assert invalid["error"]["code"] == types.INVALID_REQUEST
    assert "send one JSON-RPC 2.0 message per line" in invalid["error"]["message"]
    assert listed["id"] == 2
    assert "tools" in listed["result"]


def test_stdio_a_request_before_initialize_says_what_to_send_first() -> None:
    (reply,), _ = serve_stdio_lines(
        [json.dumps({"jsonrpc": "2.0", "id": 7, "method": "tools/list"})]
    )
    assert reply["id"] == 7
    assert reply["error"]["code"] == types.INVALID_PARAMS
    assert reply["error"]["message"].startswith(
        "tools/list was sent before the session was initialized: send initialize first"
    )
    assert reply["error"]["data"] == {"method": "tools/list"}


def test_stdio_a_client_that_leaves_while_answers_are_owed_ends_it_quietly() -> None:
    messages = raw_handshake(request_id=0)
    for i in range(1, 2000):
        params = {"name": "sim_create_project", "arguments": {"slug": f"p{i}"}}
        messages.append({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params})
    process = subprocess.Popen(
        [*SERVE, "--control"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # the client is gone before the first answer
    with contextlib.suppress(BrokenPipeError):  # the server may be gone first
        process.stdin.write("".join(json.dumps(m) + "\n" for m in messages).encode())
    with contextlib.suppress(BrokenPipeError):  # closes the pipe even when its flush fails
        process.stdin.close()
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait(timeout=TIMEOUT) == 0
    assert stderr.splitlines() == [
        "jobsim WARNING jobsim.mcp: the client closed stdout before every answer was written; "
        "stopping"
    ]


# -- streamable HTTP ----------------------------------------------------------------------

TOKENS = {"tok-acme": "acme", "tok-beta": "beta"}


@pytest.fixture(scope="module")
def scoped_server(world_file: Path) -> Iterator[str]:
    """``jobsim serve --http`` with the world file and one token per project."""
    args = ["--control", "--seed", "4", "--world", str(world_file)]
    for token, project in TOKENS.items():
        args += ["--token", f"{token}={project}"]
    with serve_subprocess(args) as url:
        yield url


@pytest.fixture(scope="module")
def open_server() -> Iterator[str]:
    """``jobsim serve --http`` with no option but a seed: no tokens, no control. Its
    tests only read, so they share it."""
    with serve_subprocess(["--seed", "1"]) as url:
        yield url


@asynccontextmanager
async def http_session(
    url: str, version: str, token: str | None = None
) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    with anyio.fail_after(TIMEOUT):
        async with (
            httpx2.AsyncClient(headers=headers, timeout=TIMEOUT) as http,
            streamable_http_client(url, http_client=http) as (read_stream, write_stream),
            ClientSession(read_stream, write_stream, read_timeout_seconds=TIMEOUT) as session,
        ):
            await negotiate(session, version)
            yield session


@pytest.mark.anyio
@pytest.mark.parametrize("version", VERSIONS)
async def test_http_token_sees_its_own_project(scoped_server: str, version: str) -> None:
    async with http_session(scoped_server, version, "tok-beta") as session:
        assert session.protocol_version == version
        assert len((await session.list_tools()).tools) == len(Simulator.tools())
        result = await session.call_tool("list_jobs", {"project_reference": "beta"})
        jobs = result.structured_content["data"]
        by_id = await session.call_tool("list_jobs", {"project_reference": jobs[0]["project_id"]})
    assert "secret" in [job["name"] for job in jobs]  # from the world file
    assert by_id.structured_content["data"] == jobs


@pytest.mark.anyio
@pytest.mark.parametrize("version", VERSIONS)
async def test_http_another_projects_data_is_not_found_as_if_missing(
    scoped_server: str, version: str
) -> None:
    async with http_session(scoped_server, version, "tok-beta") as session:
        listed = await session.call_tool("list_jobs", {"project_reference": "beta"})
        job = next(j for j in listed.structured_content["data"] if j["name"] == "secret")
    async with http_session(scoped_server, version, "tok-acme") as session:
        texts = []
        for reference in ("beta", job["project_id"], "nowhere"):
            for tool, arguments in (
                ("list_jobs", {}),
                ("get_job", {"job_id": job["id"]}),
                ("cancel_job", {"job_id": job["id"]}),
            ):
                result = await session.call_tool(
                    tool, {"project_reference": reference, **arguments}
                )
                assert result.is_error
                texts.append(text_of(result))
        # Its own project does not see beta's job either (the core's own isolation).
        own = await session.call_tool("get_job", {"project_reference": "acme", "job_id": job["id"]})
    assert texts == [
        f"not_found: project {reference!r} not found"
        for reference in ("beta", job["project_id"], "nowhere")
        for _ in range(3)
    ]
    assert text_of(own) == f"not_found: job {job['id']!r} not found"
    async with http_session(scoped_server, version, "tok-beta") as session:
        again = await session.call_tool(
            "get_job", {"project_reference": "beta", "job_id": job["id"]}
        )
    assert again.structured_content["status"] == "submitted"  # cancel_job did nothing


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer tok-unknown"}, {"Authorization": "Basic tok-acme"}],
    ids=["no-token", "unknown-token", "not-bearer"],
)
async def test_http_refuses_a_missing_or_unknown_token_with_401(
    scoped_server: str, headers: dict[str, str]
) -> None:
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    accept = {"Accept": "application/json, text/event-stream"}
    with anyio.fail_after(TIMEOUT):
        async with httpx2.AsyncClient(timeout=TIMEOUT) as http:
            response = await http.post(scoped_server, json=request, headers={**accept, **headers})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert response.json()["error"] == "invalid_token"


@pytest.mark.anyio
@pytest.mark.parametrize("version", VERSIONS)
async def test_http_sdk_client_without_a_token_cannot_connect(
    scoped_server: str, version: str
) -> None:
    # The SDK's transport turns the 401 into an error of the request that met it.
    with pytest.raises(BaseExceptionGroup) as caught:
        async with http_session(scoped_server, version, token=None):
            pass  # pragma: no cover
    assert caught.group_contains(MCPError)


@pytest.mark.anyio
async def test_http_concurrent_sessions_share_one_simulator(scoped_server: str) -> None:
    created: list[str] = []

    async def client(version: str, token: str, project: str) -> None:
        async with http_session(scoped_server, version, token) as session:
            for i in range(5):
                result = await session.call_tool(
                    "create_job", {"project_reference": project, "name": f"c{i}", "target": "t"}
                )
                created.append(result.structured_content["id"])

    with anyio.fail_after(TIMEOUT):
        async with anyio.create_task_group() as group:
            for version in VERSIONS:
                for token, project in TOKENS.items():
                    group.start_soon(client, version, token, project)
    assert len(set(created)) == 20


@pytest.mark.anyio
@pytest.mark.parametrize("version", VERSIONS)
async def test_http_without_tokens_is_open_and_control_is_off_by_default(
    open_server: str, version: str
) -> None:
    async with http_session(open_server, version) as session:
        names = [tool.name for tool in (await session.list_tools()).tools]
        result = await session.call_tool("list_jobs", {"project_reference": "acme"})
    assert names == Simulator.tools(control=False)
    assert text_of(result) == "not_found: project 'acme' not found"


# -- streamable HTTP in process (the same app, through httpx2's ASGI transport) ----------


@asynccontextmanager
async def asgi_session(
    sim: Simulator, version: str, token: str, **options: Any
) -> AsyncIterator[ClientSession]:
    app = http_app(sim, **options)
    base = "http://127.0.0.1:8000"
    with anyio.fail_after(TIMEOUT):
        async with (
            app.router.lifespan_context(app),
            httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app),
                base_url=base,
                headers={"Authorization": f"Bearer {token}"},
            ) as http,
            streamable_http_client(base + MCP_PATH, http_client=http) as (read, write),
            ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
        ):
            await negotiate(session, version)
            yield session


@pytest.mark.anyio
async def test_http_streams_carry_no_event_ids_since_resumption_is_off() -> None:
    # docs/decisions.md: no event store (it would be shared by every session), so no
    # SSE event ids: a client must not expect to resume a stream with Last-Event-ID.
    app = http_app(Simulator())
    accept = {"Accept": "application/json, text/event-stream"}
    with anyio.fail_after(TIMEOUT):
        async with (
            app.router.lifespan_context(app),
            httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
            ) as http,
        ):
            opened = await http.post(MCP_PATH, json=raw_handshake(1)[0], headers=accept)
    assert opened.headers["content-type"].startswith("text/event-stream")
    events = opened.text.splitlines()
    assert any(line.startswith("data: ") for line in events)
    assert not any(line.startswith("id:") for line in events)


@pytest.mark.anyio
async def test_http_a_call_in_progress_does_not_hold_up_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first sim_advance_clock blocks in the simulator until another session has
    # connected, pinged and listed the tools. Run on the event loop, it would block all
    # of that (and the release) for good, and the bounded waits would fail the test.
    # Tool calls themselves wait their turn: the simulator runs one call at a time.
    sim = Simulator()
    entered, release = threading.Event(), threading.Event()
    call = sim.call

    def blocking_call(name: str, arguments: Any = None) -> dict[str, Any]:
        if name == "sim_advance_clock":
            entered.set()
            assert release.wait(TIMEOUT), "never released"
        return call(name, arguments)

    monkeypatch.setattr(sim, "call", blocking_call)
    app = http_app(sim, control=True)
    base = "http://127.0.0.1:8000"

    @asynccontextmanager
    async def session() -> AsyncIterator[ClientSession]:
        async with (
            httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=base) as http,
            streamable_http_client(base + MCP_PATH, http_client=http) as (read, write),
            ClientSession(read, write, read_timeout_seconds=TIMEOUT) as connected,
        ):
            await connected.initialize()
            yield connected

    results: dict[str, Any] = {}

    async def slow(connected: ClientSession) -> None:
        results["slow"] = await connected.call_tool("sim_advance_clock", {"seconds": 60})

    with anyio.fail_after(TIMEOUT):
        async with (
            app.router.lifespan_context(app),
            session() as first,
            anyio.create_task_group() as group,
        ):
            group.start_soon(slow, first)
            await anyio.to_thread.run_sync(entered.wait, TIMEOUT)
            async with session() as second:  # all while the first call runs
                await second.send_ping()
                tools = (await second.list_tools()).tools
                assert "slow" not in results
                release.set()
                created = await second.call_tool("sim_create_project", {"slug": "acme"})
    assert len(tools) == len(Simulator.tools())
    assert results["slow"].structured_content["now"] == "2026-01-01T00:01:00.000Z"
    assert created.structured_content["slug"] == "acme"


@pytest.mark.anyio
@pytest.mark.parametrize("version", VERSIONS)
async def test_http_app_scopes_each_token_to_its_project(version: str) -> None:
    sim = Simulator()
    load_world(sim, WORLD)
    async with asgi_session(sim, version, "tok-acme", tokens=TOKENS, control=True) as session:
        own = await session.call_tool("list_jobs", {"project_reference": "acme"})
        other = await session.call_tool("list_jobs", {"project_reference": "beta"})
        names = [tool.name for tool in (await session.list_tools()).tools]
    assert own.structured_content["data"] == []
    assert text_of(other) == "not_found: project 'beta' not found"
    assert names == Simulator.tools()


@pytest.mark.anyio
async def test_project_tokens_verify_known_tokens_only() -> None:
    verifier = ProjectTokens(TOKENS)
    known = await verifier.verify_token("tok-beta")
    assert known is not None
    assert (known.token, known.client_id, known.subject) == ("tok-beta", "project:beta", "token-1")
    assert await verifier.verify_token("tok-bet") is None
    assert await verifier.verify_token("") is None


@pytest.mark.anyio
async def test_a_token_server_without_a_verified_token_refuses_calls() -> None:
    # Only the HTTP app verifies tokens; reached any other way, a token-scoped server
    # refuses every call rather than serve it unscoped.
    server = create_server(Simulator(), tokens=TOKENS)
    with anyio.fail_after(TIMEOUT):
        async with (
            create_client_server_memory_streams() as (client, served),
            anyio.create_task_group() as group,
        ):
            group.start_soon(lambda: server.run(*served, server.create_initialization_options()))
            async with ClientSession(*client, read_timeout_seconds=TIMEOUT) as session:
                await session.initialize()
                with pytest.raises(MCPError) as caught:
                    await session.call_tool("list_jobs", {"project_reference": "acme"})
            group.cancel_scope.cancel()
    assert caught.value.code == types.INVALID_REQUEST
    assert caught.value.message == "a valid bearer token is required"


def test_a_server_takes_a_project_or_tokens_not_both() -> None:
    with pytest.raises(ValueError, match="either one project scope or tokens"):
        create_server(Simulator(), project="acme", tokens=TOKENS)


# -- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--token", "t=acme"], "--token needs --http"),
        (["--http", "--token", "nope"], "expected TOKEN=PROJECT"),
        (["--http", "--token", "=acme"], "expected TOKEN=PROJECT"),
        (["--http", "--token", "t=a", "--token", "t=b"], "the same token is given twice"),
        (["--http", "--port", "70000"], "--port 70000: expected 0 (a free port) to 65535"),
        (["--http", "--port", "-1"], "--port -1: expected 0 (a free port) to 65535"),
        (["--start", "yesterday"], "start 'yesterday' is not an ISO 8601 timestamp"),
        (["--world", "/nonexistent/world.json"], "world error: world file"),
    ],
)
def test_serve_refuses_bad_options(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def serve_refused(*args: str) -> str:
    """Run ``jobsim serve ARGS``, which must refuse to start (exit 2, nothing on
    stdout); its stderr."""
    done = subprocess.run(
        [*SERVE, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    return done.stderr


def test_a_bad_world_file_stops_the_server_before_it_serves(tmp_path: Path) -> None:
    world = tmp_path / "world.json"
    world.write_text(json.dumps({"calls": [{"tool": "get_job", "arguments": {}}]}))
    stderr = serve_refused("--world", str(world))
    assert "world error: world: calls[0] (get_job): invalid_arguments" in stderr


def test_the_core_works_without_mcp_and_serve_says_what_is_missing() -> None:
    script = """
import sys
for name in ("mcp", "mcp_types", "anyio"):  # as if the mcp extra were not installed
    sys.modules[name] = None
import jobsim, jobsim.cli, jobsim.pytest_plugin
assert not any(name.split(".")[0] in ("mcp", "mcp_types", "anyio")
               and sys.modules[name] is not None
               for name in sys.modules), "jobsim imported the MCP SDK"
sim = jobsim.Simulator()
sim.call("sim_create_project", {"slug": "acme"})
assert jobsim.cli.main(["demo"]) == 0
sys.exit(jobsim.cli.main(["serve"]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "jobsim serve needs the mcp extra: pip install 'jobsim[mcp]' "
        "(not installed: mcp, mcp_types, anyio)\n"
    )


# -- starting and stopping over HTTP --------------------------------------------------------


def test_a_busy_port_is_one_clear_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        stderr = serve_refused("--http", "--port", str(port))
    (line,) = stderr.splitlines()  # no "serving" line before it, no traceback
    assert line.startswith(f"jobsim serve: cannot listen on 127.0.0.1:{port}: ")
    assert line.endswith("choose another --port, or --port 0 for a free one")


def test_connections_to_a_listening_socket_have_nagle_off() -> None:
    """Regression: ``listen()`` made a socket of protocol 0, which asyncio (as uvicorn
    serves it) leaves with Nagle's algorithm on; each answer on a kept-alive connection
    then waited ~40 ms for the client's delayed ACK, about 20 times the call itself."""
    nodelay: list[int] = []

    async def serve_one() -> None:
        seen = asyncio.Event()

        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()
            seen.set()

        server = await asyncio.start_server(accepted, sock=listen("127.0.0.1", 0))
        async with server:
            _, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
            await asyncio.wait_for(seen.wait(), TIMEOUT)
            writer.close()

    asyncio.run(serve_one())
    assert nodelay == [1]


@contextmanager
def running_server(*args: str) -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    """``jobsim serve --http --port 0 ARGS``; yields the process, its URL once served,
    and the stderr lines read up to that point. Killed if the test leaves it running."""
    process = subprocess.Popen(
        [*SERVE, "--http", "--port", "0", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        lines: list[str] = []
        url = None
        while url is None:
            line = process.stderr.readline()  # the server writes its URL, or exits
            assert line, f"jobsim serve exited before serving: {lines}"
            lines.append(line.rstrip("\n"))
            url = served_url(line)
        yield process, url, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=TIMEOUT)
        if process.stderr is not None:
            process.stderr.close()


def test_serve_subprocess_quotes_the_servers_stderr_when_it_does_not_start() -> None:
    with pytest.raises(RuntimeError) as caught, serve_subprocess(["--start", "soon"]):
        pass  # pragma: no cover - it never serves
    message = str(caught.value)
    assert message.startswith("jobsim serve exited with status 2 before serving:\n")
    assert "start 'soon' is not an ISO 8601 timestamp" in message


def test_port_0_serves_on_a_free_port_and_reports_it_once_bound() -> None:
    with running_server("--seed", "3") as (process, url, lines):
        assert lines[-1] == f"jobsim: serving MCP over streamable HTTP at {url}"
        port = int(url.removeprefix("http://127.0.0.1:").removesuffix(MCP_PATH))
        assert port > 0
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT):
            pass  # it is listening there
        process.terminate()
        assert process.wait(timeout=TIMEOUT) == 0


def test_tokens_naming_missing_projects_are_noted_at_start_up(world_file: Path) -> None:
    args = ["--world", str(world_file), "--token", "a=acme", "--token", "g=ghost"]
    with running_server(*args) as (process, _, lines):
        process.terminate()
        assert process.wait(timeout=TIMEOUT) == 0
    (note,) = [line for line in lines if "note:" in line]
    assert "'ghost', which does not exist yet" in note  # acme is in the world file


@pytest.mark.anyio
async def test_sigterm_ends_open_streams_and_exits_0() -> None:
    accept = {"Accept": "application/json, text/event-stream"}
    with running_server("--control") as (process, url, _):
        with anyio.fail_after(TIMEOUT):
            async with httpx2.AsyncClient(timeout=TIMEOUT, headers=accept) as http:
                opened = await http.post(url, json=raw_handshake(request_id=1)[0])
                session = {"mcp-session-id": opened.headers["mcp-session-id"]}
                await http.post(url, json=raw_handshake(1)[1], headers=session)
                get = {**session, "Accept": "text/event-stream"}
                async with http.stream("GET", url, headers=get) as stream:
                    assert stream.status_code == 200  # the standalone SSE stream is open
                    process.terminate()
                    async for _ in stream.aiter_bytes():
                        pass  # ends normally once the server ends the session
            code = await anyio.to_thread.run_sync(process.wait)
        assert process.stderr is not None
        rest = process.stderr.read()
    assert code == 0
    assert "Traceback" not in rest
    assert "ASGI" not in rest
    assert "ERROR" not in rest


# -- the MCP Inspector (opt-in: JOBSIM_INSPECTOR=1 and npx on PATH) -----------------------

NPX = shutil.which("npx")
inspector = pytest.mark.skipif(
    NPX is None or os.environ.get("JOBSIM_INSPECTOR") != "1",
    reason="the MCP Inspector smoke test needs npx and JOBSIM_INSPECTOR=1",
)
INSPECTOR_SECONDS = 300  # the first run fetches the package from the npm registry


def run_inspector(*target_and_options: str) -> dict[str, Any]:
    assert NPX is not None
    done = subprocess.run(
        [NPX, "-y", "@modelcontextprotocol/inspector", "--cli", *target_and_options],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=INSPECTOR_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@inspector
def test_inspector_lists_and_calls_tools_over_stdio() -> None:
    listed = run_inspector(*SERVE, "--control", "--method", "tools/list")
    assert [tool["name"] for tool in listed["tools"]] == Simulator.tools()
    created = run_inspector(
        *SERVE, "--control", "--method", "tools/call",
        "--tool-name", "sim_create_project", "--tool-arg", "slug=acme",
    )  # fmt: skip
    assert created["structuredContent"]["slug"] == "acme"
    refused = run_inspector(
        *SERVE, "--method", "tools/call",
        "--tool-name", "cancel_job", "--tool-arg", "project_reference=acme", "job_id=j1",
    )  # fmt: skip
    assert refused["isError"] is True
    assert refused["content"][0]["text"] == "not_found: project 'acme' not found"


@inspector
def test_inspector_lists_tools_over_http(open_server: str) -> None:
    listed = run_inspector(open_server, "--method", "tools/list")
    assert [tool["name"] for tool in listed["tools"]] == Simulator.tools(control=False)
