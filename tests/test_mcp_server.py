"""The MCP adapter, in process: the SDK's own client against ``jobsim.mcp.create_server``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp.client.session import ClientSession
from mcp.shared.exceptions import MCPError
from mcp_types.version import (
    KNOWN_PROTOCOL_VERSIONS,
    LATEST_PROTOCOL_VERSION,
    OLDEST_SUPPORTED_VERSION,
)

from jobsim import Simulator, ToolError
from jobsim.mcp import ERROR_META_KEY, WorldFileError, connect, load_world
from jobsim.registry import TOOLS

pytestmark = pytest.mark.anyio

#: Every wait in this module is bounded by this many seconds.
TIMEOUT = 30

CURRENT_AND_LEGACY = [LATEST_PROTOCOL_VERSION, OLDEST_SUPPORTED_VERSION]
SEED_TOOLS = ["cancel_job", "list_job_batch_jobs"]
#: The two seed tool pages, as vendored for scripts/build_schemas.py.
SEEDS_DIR = Path(__file__).resolve().parent.parent / "schemas" / "published" / "seeds"


@asynccontextmanager
async def session_on(sim: Simulator, **options: Any) -> AsyncIterator[ClientSession]:
    with anyio.fail_after(TIMEOUT):
        async with connect(sim, **options) as session:
            yield session


def text_of(result: types.CallToolResult) -> str:
    assert len(result.content) == 1
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


def structured(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    value: dict[str, Any] = result.structured_content
    assert json.loads(text_of(result)) == value
    return value


def direct_error(sim: Simulator, tool: str, arguments: dict[str, Any] | None) -> ToolError:
    with pytest.raises(ToolError) as caught:
        sim.call(tool, arguments)
    return caught.value


def seed_schemas() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """tool -> (input schema, output schema), parsed from the vendored seed pages."""
    decoder = json.JSONDecoder()
    seeds = {}
    for page in sorted(SEEDS_DIR.glob("*.txt")):
        text = page.read_text(encoding="utf-8")
        name = text.split("\nName", 1)[1].split("\n", 1)[0].strip()
        found = []
        for marker in ("Input schema\n\nInput schema\n", "Output schema\n\nOutput schema\n"):
            start = text.index("{", text.index(marker))
            found.append(decoder.raw_decode(text, start)[0])
        seeds[name] = (found[0], found[1])
    return seeds


def shipped(tool: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (resources.files("jobsim") / "schemas" / f"{tool}.json").read_text(encoding="utf-8")
    )
    return doc


# -- tools/list ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", KNOWN_PROTOCOL_VERSIONS)
async def test_tools_list_publishes_every_registry_schema_as_is(version: str) -> None:
    async with session_on(Simulator(), protocol_version=version) as session:
        assert session.protocol_version == version
        listed = (await session.list_tools()).tools
    assert [tool.name for tool in listed] == Simulator.tools()
    for tool in listed:
        spec = TOOLS[tool.name]
        assert tool.description == spec.description
        assert tool.input_schema == spec.input_schema
        assert tool.output_schema == spec.output_schema


@pytest.mark.parametrize("version", CURRENT_AND_LEGACY)
@pytest.mark.parametrize("name", SEED_TOOLS)
async def test_seed_tools_equal_the_shipped_schema_files_and_the_seeds(
    name: str, version: str
) -> None:
    async with session_on(Simulator(), protocol_version=version) as session:
        (tool,) = [t for t in (await session.list_tools()).tools if t.name == name]
    seed_input, seed_output = seed_schemas()[name]
    doc = shipped(name)
    for published, expected in (
        (tool.input_schema, doc["input_schema"]),
        (tool.output_schema, doc["output_schema"]),
        (tool.input_schema, seed_input),
        (tool.output_schema, seed_output),
    ):
        assert published == expected


async def test_control_is_off_unless_asked_for_sim_tools_are_hidden_and_uncallable() -> None:
    sim = Simulator()
    async with session_on(sim, control=False) as session:
        names = [tool.name for tool in (await session.list_tools()).tools]
        assert names == Simulator.tools(control=False)
        assert not any(name.startswith("sim_") for name in names)
        with pytest.raises(MCPError) as caught:
            await session.call_tool("sim_create_project", {"slug": "acme"})
    assert caught.value.code == types.INVALID_PARAMS
    assert caught.value.message == (
        "Unknown tool: sim_create_project; sim_create_project is a control tool, published "
        "only when the server runs with control on (jobsim serve --control)"
    )
    assert sim.transcript == []  # never reached the simulator


# -- tools/call ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", KNOWN_PROTOCOL_VERSIONS)
async def test_unknown_tool_is_a_json_rpc_error_not_a_tool_result(version: str) -> None:
    sim = Simulator()
    async with session_on(sim, protocol_version=version) as session:
        with pytest.raises(MCPError) as caught:
            await session.call_tool("launch_rockets", {})
        # The session survives a protocol error.
        assert len((await session.list_tools()).tools) == len(TOOLS)
    assert caught.value.code == types.INVALID_PARAMS
    assert caught.value.message == "Unknown tool: launch_rockets"
    assert sim.transcript == []


@pytest.mark.parametrize("version", KNOWN_PROTOCOL_VERSIONS)
async def test_results_carry_structured_content_and_the_same_json_as_text(version: str) -> None:
    over_mcp, direct = Simulator(seed=7), Simulator(seed=7)
    calls: list[tuple[str, dict[str, Any]]] = [
        ("sim_create_project", {"slug": "acme"}),
        ("create_job", {"project_reference": "acme", "name": "build", "target": "img:build"}),
        ("list_jobs", {"project_reference": "acme"}),
        ("sim_advance_clock", {"seconds": 1.5}),
    ]
    async with session_on(over_mcp, protocol_version=version) as session:
        for tool, arguments in calls:
            result = await session.call_tool(tool, arguments)
            assert structured(result) == direct.call(tool, arguments)
    assert over_mcp.transcript == direct.transcript


@pytest.mark.parametrize("version", CURRENT_AND_LEGACY)
async def test_a_tool_error_is_an_error_result_with_code_and_message(version: str) -> None:
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "acme"})
    job = sim.call("create_job", {"project_reference": "acme", "name": "n", "target": "t"})
    ref = {"project_reference": "acme", "job_id": job["id"]}
    sim.call("sim_start_job", ref)
    sim.call("sim_finish_job", {**ref, "exit_code": 0})
    async with session_on(sim, protocol_version=version) as session:
        result = await session.call_tool("cancel_job", ref)
        assert result.is_error
        assert text_of(result) == (
            f"conflict: job {job['id']} is already completed; "
            "only submitted or working jobs can be canceled"
        )
        assert result.structured_content is None
        assert result.meta is not None
        assert result.meta[ERROR_META_KEY] == direct_error(sim, "cancel_job", ref).to_dict()
        # Nothing changed.
        after = structured(await session.call_tool("get_job", ref))
    assert after["status"] == "completed"


BAD_CALLS: list[tuple[str, dict[str, Any] | None]] = [
    ("create_job", None),  # no arguments at all
    ("create_job", {"project_reference": "acme", "name": "n", "target": "t", "bogus": 1}),
    ("create_job", {"project_reference": "acme", "name": "", "target": "t"}),
    ("create_job", {"project_reference": "acme", "name": "n", "target": "t", "backoff_limit": 2.5}),
    ("list_jobs", {"project_reference": "acme", "limit": "ten"}),
    ("list_jobs", {"project_reference": "acme", "limit": 0}),
    ("list_jobs", {"project_reference": "acme", "status": "sleeping"}),
    ("list_jobs", {"project_reference": "nowhere"}),
    ("get_job", {"project_reference": "acme", "job_id": "nope"}),
    ("create_cron_job", {"project_reference": "acme", "name": "c", "target": "t", "schedule": "x"}),
]


@pytest.mark.parametrize(("tool", "arguments"), BAD_CALLS)
async def test_jobsim_checks_the_arguments_not_the_sdk(
    tool: str, arguments: dict[str, Any] | None
) -> None:
    sim, twin = Simulator(), Simulator()
    for each in (sim, twin):
        each.call("sim_create_project", {"slug": "acme"})
    expected = direct_error(twin, tool, arguments)
    async with session_on(sim) as session:
        result = await session.call_tool(tool, arguments)
    assert result.is_error
    assert text_of(result) == str(expected)
    assert result.meta is not None
    assert result.meta[ERROR_META_KEY] == expected.to_dict()


async def test_an_injected_fault_is_an_error_result() -> None:
    async with session_on(Simulator()) as session:
        injected = await session.call_tool(
            "sim_inject_fault", {"tool": "list_jobs", "code": "unavailable", "message": "down"}
        )
        assert not injected.is_error
        result = await session.call_tool("list_jobs", {"project_reference": "acme"})
    assert result.is_error
    assert text_of(result) == "unavailable: down"


async def test_no_python_exception_reaches_the_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    sim = Simulator()

    def explode(tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        raise RuntimeError("boom")

    async with session_on(sim) as session:
        monkeypatch.setattr(sim, "call", explode)
        result = await session.call_tool("list_jobs", {"project_reference": "acme"})
        assert result.is_error
        assert (
            text_of(result) == "internal: jobsim raised RuntimeError while running list_jobs: boom"
        )
        monkeypatch.undo()
        # The connection still works.
        assert structured(await session.call_tool("sim_create_project", {"slug": "acme"}))


async def test_calls_over_mcp_are_in_the_transcript() -> None:
    sim = Simulator()
    async with session_on(sim) as session:
        await session.call_tool("sim_create_project", {"slug": "acme"})
        await session.call_tool("get_job", {"project_reference": "acme", "job_id": "nope"})
    first, second = sim.transcript
    assert first["tool"] == "sim_create_project"
    assert second["error"]["code"] == "not_found"


async def test_concurrent_sessions_share_one_simulator() -> None:
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "acme"})
    created: list[str] = []

    async def client(n: int) -> None:
        async with session_on(sim) as session:
            for i in range(10):
                result = await session.call_tool(
                    "create_job", {"project_reference": "acme", "name": f"{n}-{i}", "target": "t"}
                )
                created.append(structured(result)["id"])

    with anyio.fail_after(TIMEOUT):
        async with anyio.create_task_group() as group:
            for n in range(4):
                group.start_soon(client, n)
    assert len(set(created)) == 40
    listed = sim.call("list_jobs", {"project_reference": "acme", "limit": 100})["data"]
    assert sorted(job["id"] for job in listed) == sorted(created)


async def test_an_error_in_the_body_comes_out_as_itself() -> None:
    with pytest.raises(AssertionError, match="inner"):
        async with session_on(Simulator()):
            raise AssertionError("inner")
    with pytest.raises(ExceptionGroup) as caught:  # several: left grouped
        async with session_on(Simulator()):
            raise ExceptionGroup("two", [ValueError("a"), KeyError("b")])
    assert caught.group_contains(ValueError)
    assert caught.group_contains(KeyError)


async def test_connect_refuses_a_version_the_sdk_does_not_speak() -> None:
    with pytest.raises(ValueError, match="1999-01-01"):
        async with connect(Simulator(), protocol_version="1999-01-01"):
            pass  # pragma: no cover


# -- project scope (what a bearer token gets over HTTP) -----------------------------------


def two_projects() -> tuple[Simulator, dict[str, Any], dict[str, Any]]:
    sim = Simulator(seed=3)
    acme = sim.call("sim_create_project", {"slug": "acme"})
    beta = sim.call("sim_create_project", {"slug": "beta"})
    job = sim.call("create_job", {"project_reference": "beta", "name": "secret", "target": "t"})
    return sim, acme, {**beta, "job": job}


@pytest.mark.parametrize("version", CURRENT_AND_LEGACY)
async def test_a_scope_sees_its_project_by_slug_or_id(version: str) -> None:
    sim, acme, _ = two_projects()
    async with session_on(sim, project="acme", protocol_version=version) as session:
        for reference in ("acme", acme["id"]):
            result = await session.call_tool("list_jobs", {"project_reference": reference})
            assert structured(result)["data"] == []


@pytest.mark.parametrize("version", CURRENT_AND_LEGACY)
async def test_another_project_is_not_found_exactly_like_a_missing_one(version: str) -> None:
    sim, _, beta = two_projects()
    job_id = beta["job"]["id"]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("list_jobs", {}),
        ("get_job", {"job_id": job_id}),
        ("cancel_job", {"job_id": job_id}),
        ("get_job_events", {"job_id": job_id}),
        ("create_job", {"name": "sneaky", "target": "t"}),
        ("list_cron_jobs", {}),
        ("get_job_batch", {"batch_id": "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"}),
        ("sim_create_environment", {"name": "prod"}),
        ("sim_start_job", {"job_id": job_id}),
    ]
    async with session_on(sim, project="acme", protocol_version=version) as session:
        for tool, arguments in calls:
            texts = []
            for reference in ("beta", beta["id"], "missing"):
                result = await session.call_tool(
                    tool, {"project_reference": reference, **arguments}
                )
                assert result.is_error
                assert result.meta is not None
                assert result.meta[ERROR_META_KEY] == {
                    "code": "not_found",
                    "message": f"project {reference!r} not found",
                    "details": {"kind": "project", "id": reference},
                }
                texts.append(text_of(result))
            assert texts == [
                f"not_found: project {r!r} not found" for r in ("beta", beta["id"], "missing")
            ]
    # beta is untouched: its job is still submitted, and no environment was made.
    assert (
        sim.call("get_job", {"project_reference": "beta", "job_id": job_id})["status"]
        == "submitted"
    )


async def test_a_foreign_project_keeps_the_order_of_checks_of_a_missing_one() -> None:
    sim, twin = two_projects()[0], Simulator(seed=3)
    bad = {"project_reference": "beta", "name": "", "target": "t"}  # empty name, then project
    expected = direct_error(twin, "create_job", bad)
    assert expected.code == "invalid_arguments"
    async with session_on(sim, project="acme") as session:
        result = await session.call_tool("create_job", bad)
    assert text_of(result) == str(expected)


async def test_a_scope_for_a_project_created_later_learns_its_id() -> None:
    sim = Simulator()
    async with session_on(sim, project="late") as session:
        for reference in ("late", "other"):
            missing = await session.call_tool("list_jobs", {"project_reference": reference})
            assert text_of(missing) == f"not_found: project {reference!r} not found"
        created = structured(await session.call_tool("sim_create_project", {"slug": "late"}))
        by_id = await session.call_tool("list_jobs", {"project_reference": created["id"]})
        assert structured(by_id)["data"] == []


# -- world files --------------------------------------------------------------------------

WORLD: dict[str, Any] = {
    "projects": [
        {"slug": "acme", "environments": ["production", "staging"], "branches": ["main"]},
        {"slug": "beta", "id": "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"},
    ],
    "targets": [{"name": "img:build", "behavior": {"run_seconds": 5}}],
    "calls": [
        {
            "tool": "create_job",
            "arguments": {"project_reference": "acme", "name": "b", "target": "img:build"},
        },
        {"tool": "sim_advance_clock", "arguments": {"seconds": 10}},
    ],
}


def test_a_world_is_replayed_through_simulator_call(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text(json.dumps(WORLD), encoding="utf-8")
    sim = Simulator(seed=5)
    assert load_world(sim, path) == 8
    tools = [entry["tool"] for entry in sim.transcript]
    assert tools == [
        "sim_create_project",
        "sim_create_environment",
        "sim_create_environment",
        "sim_create_branch",
        "sim_create_project",
        "sim_define_target",
        "create_job",
        "sim_advance_clock",
    ]
    (job,) = sim.call("list_jobs", {"project_reference": "acme"})["data"]
    assert job["status"] == "completed"
    assert sim.call("list_jobs", {"project_reference": WORLD["projects"][1]["id"]})["data"] == []
    # Same seed, same world: the same ids.
    again = Simulator(seed=5)
    load_world(again, WORLD)
    assert again.transcript == sim.transcript[:8]


@pytest.mark.parametrize(
    ("world", "message"),
    [
        (
            {"project": []},
            "world: unknown key(s) 'project'; accepted keys are projects, targets, calls",
        ),
        ({"projects": {}}, "world: projects: expected an array"),
        ({"projects": [{"name": "x"}]}, "world: projects[0]: unknown key(s) 'name'"),
        ({"projects": [{}]}, "world: projects[0].slug: expected a string"),
        (
            {"projects": [{"slug": "a", "environments": "prod"}]},
            "world: projects[0].environments: expected an array",
        ),
        ({"projects": [{"slug": "a", "branches": [""]}]}, "world: projects[0].branches[0] (sim_"),
        ({"projects": [{"slug": "Bad Slug"}]}, "world: projects[0] (sim_create_project): invalid_"),
        ({"targets": ["t"]}, "world: targets[0]: expected an object"),
        ({"calls": [{"arguments": {}}]}, "world: calls[0].tool: expected a tool name"),
        ({"calls": [{"tool": "get_job", "arguments": []}]}, "world: calls[0].arguments: expected"),
        (
            {"calls": [{"tool": "list_jobs", "arguments": {"project_reference": "x"}}]},
            "world: calls[0] (list_jobs): not_found: project 'x' not found",
        ),
    ],
)
def test_a_bad_world_says_where(world: dict[str, Any], message: str) -> None:
    with pytest.raises(WorldFileError) as caught:
        load_world(Simulator(), world)
    assert str(caught.value).startswith(message)


def test_a_world_file_that_is_not_a_json_object_is_refused(tmp_path: Path) -> None:
    for name, text, message in [
        ("list.json", "[]", "expected a JSON object at the top"),
        ("broken.json", "{", "not JSON"),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(WorldFileError, match=message):
            load_world(Simulator(), path)
    with pytest.raises(WorldFileError, match="cannot read it"):
        load_world(Simulator(), tmp_path / "absent.json")
