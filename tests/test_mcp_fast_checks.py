"""connect()'s session checks jobsim's results with the compiled output checks and
leaves everything they do not accept to the SDK's jsonschema validation."""

from __future__ import annotations

import anyio
import mcp_types as types
import pytest
from mcp.client.session import ClientSession

from jobsim import Simulator
from jobsim.mcp import connect
from jobsim.registry import TOOLS

pytestmark = pytest.mark.anyio

TIMEOUT = 30


async def test_results_are_checked_by_the_compiled_checks_once_the_tools_are_listed():
    sim = Simulator(seed=1)
    with anyio.fail_after(TIMEOUT):
        async with connect(sim) as session:
            assert session._jobsim_checks == {}  # nothing listed yet
            created = await session.call_tool("sim_create_project", {"slug": "acme"})
            assert not created.is_error
            # the first call listed the tools, as the SDK always does
            assert set(session._jobsim_checks) == set(TOOLS)
            assert session._jobsim_checks["get_job"] is TOOLS["get_job"].output_check
            job = await session.call_tool(
                "create_job", {"project_reference": "acme", "name": "n", "target": "t"}
            )
            assert job.structured_content is not None
            assert job.structured_content["status"] == "submitted"


@pytest.mark.parametrize(
    "content",
    [{"id": "not a job"}, {"now": 1j}, None],
    ids=["breaks the schema", "not JSON", "missing"],
)
async def test_what_the_checks_do_not_accept_goes_to_the_sdk(content):
    sim = Simulator(seed=1)
    with anyio.fail_after(TIMEOUT):
        async with connect(sim) as session:
            await session.call_tool("sim_create_project", {"slug": "acme"})
            bad = types.CallToolResult(content=[], structured_content=content)
            with pytest.raises(RuntimeError, match="sim_advance_clock"):
                await session.validate_tool_result("sim_advance_clock", bad)


async def test_a_tool_published_with_another_schema_is_left_to_the_sdk(monkeypatch):
    sim = Simulator(seed=1)
    with anyio.fail_after(TIMEOUT):
        async with connect(sim) as session:
            listed = await session.list_tools()
            assert "get_job" in session._jobsim_checks
            changed = listed.tools[0].model_copy(update={"output_schema": {"type": "object"}})

            async def relisted(self, *, params=None):
                return types.ListToolsResult(tools=[changed])

            monkeypatch.setattr(ClientSession, "list_tools", relisted)
            await session.list_tools()
            assert changed.name not in session._jobsim_checks
