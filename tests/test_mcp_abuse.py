"""The MCP server under abuse: ``jobsim serve`` as a real subprocess on 127.0.0.1.

Malformed JSON, bodies that are no JSON-RPC message, unknown methods, parameters of
the wrong type, every tool with wrong arguments, oversized requests, bad session
and header use, and then ``CONCURRENT_SESSIONS`` SDK sessions doing mixed calls at
once while garbage keeps arriving: every request is answered (a JSON-RPC error, an
HTTP error status, or a tool result), the server stays up, and nothing is lost.

The request size limit is the MCP SDK's (``DEFAULT_MAX_REQUEST_BODY_SIZE``, 4 MiB,
answered 413 before parsing); jobsim does not configure it. Every loop has a fixed
number of rounds; every wait is bounded; all traffic stays on loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import mcp_types as types
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from mcp_types.version import LATEST_PROTOCOL_VERSION, OLDEST_SUPPORTED_VERSION

from jobsim import ERROR_CODES, Simulator
from jobsim.bounds import MAX_DEPTH
from jobsim.mcp.client import negotiate
from jobsim.pytest_plugin import serve_subprocess
from jobsim.registry import TOOLS

TIMEOUT = 120  # seconds: a bound on every wait, never an expectation
CONCURRENT_SESSIONS = 20
CALLS_PER_SESSION = 12  # two rounds of the six kinds of step
GARBAGE_POSTS = 100
VERSION = "2025-06-18"
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": VERSION,
        "capabilities": {},
        "clientInfo": {"name": "abuse", "version": "0"},
    },
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_subprocess(["--control", "--seed", "3"]) as url:
        yield url


def _message(response: httpx2.Response) -> dict[str, Any]:
    """The one JSON-RPC message of a response, plain JSON or one server-sent event."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        data = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        assert len(data) == 1, response.text
        message: dict[str, Any] = json.loads(data[0])
        return message
    message = response.json()
    return message


class Raw:
    """One hand-made streamable HTTP session."""

    def __init__(self, http: httpx2.Client, url: str) -> None:
        self.http, self.url, self.next_id = http, url, 100
        response = http.post(url, json=INIT, headers=ACCEPT)
        assert response.status_code == 200, response.text
        self.headers = {
            **ACCEPT,
            "mcp-session-id": response.headers["mcp-session-id"],
            "mcp-protocol-version": VERSION,
        }
        ok = self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert ok.status_code == 202

    def post(self, body: Any, **headers: str) -> httpx2.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        merged = httpx2.Headers(self.headers)
        merged.update(headers)  # case-insensitively: content-type replaces Content-Type
        return self.http.post(self.url, content=content, headers=merged)

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            body["params"] = params
        response = self.post(body)
        assert response.status_code == 200, response.text
        message = _message(response)
        assert message["id"] == self.next_id
        return message

    def call(self, tool: str, arguments: Any) -> dict[str, Any]:
        return self.request("tools/call", {"name": tool, "arguments": arguments})

    def alive(self) -> None:
        tools = self.request("tools/list")["result"]["tools"]
        assert [t["name"] for t in tools] == Simulator.tools()


@pytest.fixture
def raw(server: str) -> Iterator[Raw]:
    with httpx2.Client(timeout=TIMEOUT) as http:
        session = Raw(http, server)
        yield session
        session.alive()  # after any abuse, the same session is still served


MALFORMED = {
    "truncated json": b'{"jsonrpc": "2.0", "id": 1, "method": "tools/li',
    "empty body": b"",
    "not utf-8": b"\xff\xfe\xfd",
    "a number": b"5",
    "a string": b'"tools/list"',
    "null": b"null",
    "an empty list": b"[]",
    "a batch": json.dumps([{"jsonrpc": "2.0", "id": 3, "method": "tools/list"}]).encode(),
    "no jsonrpc key": json.dumps({"id": 4, "method": "tools/list"}).encode(),
    "wrong jsonrpc version": json.dumps({"jsonrpc": "1.0", "id": 4, "method": "x"}).encode(),
    "method not a string": json.dumps({"jsonrpc": "2.0", "id": 4, "method": 7}).encode(),
    "nested 100k deep": b"[" * 100_000 + b"]" * 100_000,
    "nul bytes": b'{"jsonrpc": "2.0", "id": 1, "method": "\x00"}',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_body_gets_a_json_rpc_error_and_the_session_lives_on(
    raw: Raw, name: str
) -> None:
    response = raw.post(MALFORMED[name])
    assert response.status_code == 400, response.text
    error = _message(response)["error"]
    assert error["code"] in (types.PARSE_ERROR, types.INVALID_REQUEST, types.INVALID_PARAMS)


def test_unknown_methods_and_parameters_of_the_wrong_type_get_json_rpc_errors(raw: Raw) -> None:
    cases: list[tuple[str, dict[str, Any] | None, int]] = [
        ("nope/nope", None, types.METHOD_NOT_FOUND),
        ("tools/nope", {}, types.METHOD_NOT_FOUND),
        ("tools/call", {"name": 5}, types.INVALID_PARAMS),
        ("tools/call", {"name": "list_jobs", "arguments": [1, 2]}, types.INVALID_PARAMS),
        ("tools/call", {"name": "list_jobs", "arguments": "x"}, types.INVALID_PARAMS),
        ("tools/call", {"arguments": {}}, types.INVALID_PARAMS),
        ("tools/call", {"name": "no_such_tool", "arguments": {}}, types.INVALID_PARAMS),
        ("tools/list", {"cursor": 5}, types.INVALID_PARAMS),
    ]
    for method, params, code in cases:
        message = raw.request(method, params)
        assert message["error"]["code"] == code, (method, params, message)


ABUSIVE_ARGUMENTS: list[Any] = [
    {},
    {"project_reference": 5, "job_id": None},
    {"project_reference": "x" * 100_000},
    {"project_reference": "nowhere", "unknown_key": {"deep": [[[[[]]]]]}},
    {"seconds": -1, "limit": 10**40, "exit_code": 1.5, "times": 0},
    {"schedule": "61 * * * *", "timezone": "Mars/Olympus", "batch_id": "not-a-uuid"},
    {"config": {"a": [1e308, -1e308, 5e-324, "\u0000", "\ud7ff"]}},
]


def test_every_tool_with_wrong_arguments_answers_with_a_tool_error(raw: Raw) -> None:
    answered = 0
    for tool in TOOLS:
        for arguments in ABUSIVE_ARGUMENTS:
            result = raw.call(tool, arguments)["result"]
            answered += 1
            if result.get("isError"):
                code, _, message = result["content"][0]["text"].partition(": ")
                assert code in ERROR_CODES
                assert message
                assert result["_meta"]["jobsim/error"]["code"] == code
            else:  # a few are valid calls: e.g. sim_create_environment is not
                assert TOOLS[tool].output_validator.is_valid(result["structuredContent"])
    assert answered == len(TOOLS) * len(ABUSIVE_ARGUMENTS)


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def test_a_config_at_the_nesting_limit_is_served_and_one_past_it_is_invalid(raw: Raw) -> None:
    raw.call("sim_create_project", {"slug": "nesting"})
    job = {"project_reference": "nesting", "name": "n", "target": "t"}
    made = raw.call("create_job", {**job, "config": _nested(MAX_DEPTH)})["result"]
    assert made["structuredContent"]["config"] == _nested(MAX_DEPTH)
    listed = raw.call("list_jobs", {"project_reference": "nesting"})["result"]
    assert listed["structuredContent"]["data"] == [made["structuredContent"]]
    over = raw.call("create_job", {**job, "config": _nested(MAX_DEPTH + 1)})["result"]
    assert over["isError"]
    assert over["content"][0]["text"].startswith(
        f"invalid_arguments: config: nested more than {MAX_DEPTH} levels deep"
    )


def test_a_huge_integer_is_a_tool_error_or_a_json_rpc_error_never_internal(raw: Raw) -> None:
    for digits in (400, 5000):
        raw.next_id += 1
        body = (
            f'{{"jsonrpc": "2.0", "id": {raw.next_id}, "method": "tools/call", "params": '
            f'{{"name": "sim_advance_clock", "arguments": {{"seconds": 1{"0" * digits}}}}}}}'
        )
        message = _message(raw.post(body.encode()))
        if "error" in message:  # the SDK's parser may refuse such a number itself
            assert message["error"]["code"] in (types.PARSE_ERROR, types.INVALID_PARAMS)
        else:
            text = message["result"]["content"][0]["text"]
            assert text.startswith("invalid_arguments: seconds: a whole number of about")


def test_a_request_over_the_size_limit_gets_413_and_one_under_it_is_served(raw: Raw) -> None:
    def create_job(padding: int) -> bytes:
        arguments = {"project_reference": "acme", "name": "n" * padding, "target": "t"}
        body = {"jsonrpc": "2.0", "id": 7, "method": "tools/call"}
        body["params"] = {"name": "create_job", "arguments": arguments}  # type: ignore[assignment]
        return json.dumps(body).encode()

    overhead = len(create_job(0))
    over = raw.post(create_job(DEFAULT_MAX_REQUEST_BODY_SIZE - overhead + 1))
    assert over.status_code == 413
    twice = raw.post(create_job(2 * DEFAULT_MAX_REQUEST_BODY_SIZE))
    assert twice.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        body = create_job(DEFAULT_MAX_REQUEST_BODY_SIZE)
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    streamed = raw.http.post(raw.url, content=chunks(), headers=raw.headers)
    assert streamed.status_code == 413
    under = raw.post(create_job(DEFAULT_MAX_REQUEST_BODY_SIZE - overhead))
    assert under.status_code == 200
    result = _message(under)["result"]
    assert result["isError"]  # project 'acme' does not exist: answered, not dropped
    assert result["_meta"]["jobsim/error"]["code"] == "not_found"


def test_session_and_header_abuse_is_refused_with_http_errors(raw: Raw, server: str) -> None:
    listing = {"jsonrpc": "2.0", "id": 9, "method": "tools/list"}
    http = raw.http
    assert http.post(server, json=listing, headers=ACCEPT).status_code == 400  # no session
    unknown = {**raw.headers, "mcp-session-id": "0" * 32}
    assert http.post(server, json=listing, headers=unknown).status_code == 404
    assert raw.post(listing, **{"content-type": "text/plain"}).status_code == 400
    assert raw.post(listing, host="evil.example").status_code == 421  # DNS rebinding guard
    get_plain = http.get(server, headers={**raw.headers, "Accept": "text/plain"})
    assert get_plain.status_code == 406
    assert http.put(server, json=listing, headers=raw.headers).status_code == 405
    assert http.post(server.replace("/mcp", "/other"), json=listing).status_code == 404
    # A second session can be opened and closed; its id is then unknown.
    other = Raw(http, server)
    assert http.delete(server, headers=other.headers).status_code == 200
    assert other.post(listing).status_code == 404


# -- many sessions at once ----------------------------------------------------------------


@asynccontextmanager
async def sdk_session(url: str, version: str) -> AsyncIterator[ClientSession]:
    async with (
        httpx2.AsyncClient(timeout=TIMEOUT) as http,
        streamable_http_client(url, http_client=http) as (read_stream, write_stream),
        ClientSession(read_stream, write_stream, read_timeout_seconds=TIMEOUT) as session,
    ):
        await negotiate(session, version)
        yield session


def _batch_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.mark.anyio
async def test_concurrent_sessions_get_every_answer_and_lose_nothing(server: str) -> None:
    requests = [0]
    answers = [0]
    created: dict[str, str] = {}  # job id -> batch id
    canceled: set[str] = set()
    garbage_answers: list[int] = []

    async def call(session: ClientSession, tool: str, arguments: dict[str, Any]) -> Any:
        requests[0] += 1
        result = await session.call_tool(tool, arguments)
        answers[0] += 1
        if result.is_error:
            text = result.content[0]
            assert isinstance(text, types.TextContent)
            assert text.text.split(":")[0] in ERROR_CODES
            return None
        return result.structured_content

    async def worker(n: int) -> None:
        version = LATEST_PROTOCOL_VERSION if n % 2 else OLDEST_SUPPORTED_VERSION
        batch = _batch_id(n)
        mine: list[str] = []
        async with sdk_session(server, version) as session:
            for i in range(CALLS_PER_SESSION):
                step = i % 6
                if step in (0, 1):
                    job = await call(
                        session,
                        "create_job",
                        {
                            "project_reference": "load",
                            "name": f"s{n}-{i}",
                            "target": "task:ok",
                            "batch_id": batch,
                        },
                    )
                    assert job is not None
                    created[job["id"]] = batch
                    mine.append(job["id"])
                elif step == 2 and mine:
                    out = await call(
                        session, "cancel_job", {"project_reference": "load", "job_id": mine[-1]}
                    )
                    if out is not None:
                        assert out["status"] == "canceled"
                        canceled.add(out["id"])
                elif step == 3:
                    await call(session, "list_jobs", {"project_reference": "load", "limit": 7})
                elif step == 4:
                    await call(session, "sim_advance_clock", {"seconds": 1})
                else:
                    await call(
                        session, "get_job_batch", {"project_reference": "load", "batch_id": batch}
                    )
                    await call(session, "get_job", {"project_reference": "load", "job_id": "nope"})

    async def garbage() -> None:
        async with httpx2.AsyncClient(timeout=TIMEOUT) as http:
            for i in range(GARBAGE_POSTS):
                body = list(MALFORMED.values())[i % len(MALFORMED)]
                response = await http.post(server, content=body, headers=ACCEPT)
                garbage_answers.append(response.status_code)

    with anyio.fail_after(TIMEOUT):
        async with sdk_session(server, LATEST_PROTOCOL_VERSION) as admin:
            await admin.call_tool("sim_create_project", {"slug": "load"})
            await admin.call_tool(
                "sim_define_target",
                {"name": "task:ok", "behavior": {"start_after_seconds": 1, "run_seconds": 2}},
            )
        async with anyio.create_task_group() as group:
            for n in range(CONCURRENT_SESSIONS):
                group.start_soon(worker, n)
            group.start_soon(garbage)

        assert answers[0] == requests[0] >= CONCURRENT_SESSIONS * CALLS_PER_SESSION
        assert len(garbage_answers) == GARBAGE_POSTS
        assert set(garbage_answers) <= {400}  # a missing session id is the first refusal

        # Nothing lost: one more session sees every job, once, in its batch.
        async with sdk_session(server, LATEST_PROTOCOL_VERSION) as check:
            seen: list[dict[str, Any]] = []
            cursor: str | None = None
            while True:
                args: dict[str, Any] = {"project_reference": "load", "limit": 100}
                if cursor:
                    args["cursor"] = cursor
                page = (await check.call_tool("list_jobs", args)).structured_content
                seen += page["data"]
                cursor = page["page_info"]["next"]
                if cursor is None:
                    break
            for n in range(CONCURRENT_SESSIONS):
                batch = (
                    await check.call_tool(
                        "get_job_batch", {"project_reference": "load", "batch_id": _batch_id(n)}
                    )
                ).structured_content
                assert batch["job_count"] == sum(1 for b in created.values() if b == _batch_id(n))
            tools = (await check.list_tools()).tools
    ids = [job["id"] for job in seen]
    assert len(ids) == len(set(ids)) == len(created)
    assert set(ids) == set(created)
    for job in seen:
        assert job["batch_id"] == created[job["id"]]
        if job["id"] in canceled:
            assert job["status"] == "canceled"
    assert canceled
    assert [t.name for t in tools] == Simulator.tools()


# -- stdio --------------------------------------------------------------------------------


def test_stdio_answers_every_request_after_garbage_lines() -> None:
    """A line that is no JSON-RPC message gets an error with id null (a blank line gets
    nothing); every real request after them is answered, while stdin stays open."""
    garbage = [line for line in MALFORMED.values() if line.strip()] + [b"[" * 200_000]
    lines = [
        json.dumps(INIT).encode(),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}).encode(),
        *MALFORMED.values(),
        b"[" * 200_000,
        json.dumps({"jsonrpc": "2.0", "id": 2, "method": "nope"}).encode(),
        json.dumps(
            {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": 5}}
        ).encode(),
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 4,
                "method": "tools/call",
                "params": {"name": "list_jobs", "arguments": {"project_reference": "x" * 10**6}},
            }
        ).encode(),
        json.dumps({"jsonrpc": "2.0", "id": 5, "method": "tools/list"}).encode(),
    ]
    answers: dict[Any, dict[str, Any]] = {}
    refusals: list[dict[str, Any]] = []
    with subprocess.Popen(
        [sys.executable, "-m", "jobsim.cli", "serve", "--seed", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        watchdog = threading.Timer(TIMEOUT, process.kill)  # a bound on the reads below
        watchdog.start()
        try:
            process.stdin.write(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
            process.stdin.flush()
            while len(answers) < 5:  # five requests have ids: read until all are answered
                line = process.stdout.readline()
                assert line, "the server closed stdout"
                message = json.loads(line)
                if message["id"] is None:
                    refusals.append(message)
                else:
                    answers[message["id"]] = message
            process.stdin.close()
            assert process.wait(timeout=TIMEOUT) == 0
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
    assert len(refusals) == len(garbage)
    codes = {refusal["error"]["code"] for refusal in refusals}
    assert codes <= {types.PARSE_ERROR, types.INVALID_REQUEST}
    assert sorted(answers) == [1, 2, 3, 4, 5]
    assert answers[2]["error"]["code"] == types.METHOD_NOT_FOUND
    assert answers[3]["error"]["code"] == types.INVALID_PARAMS
    assert answers[4]["result"]["isError"]
    assert [t["name"] for t in answers[5]["result"]["tools"]] == Simulator.tools(control=False)
