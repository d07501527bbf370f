"""jobsim's pytest plugin, run inside pytester sessions (loaded by its pytest11 entry point)."""

from __future__ import annotations

import json
import re
import socket
import sys
from pathlib import Path

import pytest

from jobsim import Simulator
from jobsim.pytest_plugin import TRANSCRIPT_SECTION, format_transcript

from inner_runs import OPTIONS

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*OPTIONS, *args)


def test_the_jobsim_fixture_is_a_fresh_simulator_configured_by_the_marker(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from jobsim import Simulator, ToolError

        def test_default(jobsim):
            assert isinstance(jobsim, Simulator)
            assert (jobsim.seed, jobsim.now) == (0, "2026-01-01T00:00:00.000Z")
            jobsim.call("sim_create_project", {"slug": "acme"})

        def test_fresh(jobsim):
            jobsim.call("sim_create_project", {"slug": "acme"})  # no conflict: a new one

        @pytest.mark.jobsim(seed=3, start="2030-05-01T12:00:00Z", cancel_terminal="return")
        def test_knobs(jobsim):
            assert jobsim.seed == 3
            assert jobsim.now == "2030-05-01T12:00:00.000Z"
            jobsim.call("sim_create_project", {"slug": "acme"})
            job = jobsim.call(
                "create_job", {"project_reference": "acme", "name": "n", "target": "t"}
            )
            ref = {"project_reference": "acme", "job_id": job["id"]}
            jobsim.call("cancel_job", ref)
            assert jobsim.call("cancel_job", ref)["status"] == "canceled"  # "return"

        @pytest.mark.jobsim(seed=9)
        class TestClass:
            def test_class_marker(self, jobsim):
                assert jobsim.seed == 9

            @pytest.mark.jobsim(seed=10)
            def test_closest_marker_wins(self, jobsim):
                assert jobsim.seed == 10
        """
    )
    run(pytester).assert_outcomes(passed=5)


def test_a_bad_marker_fails_the_test_saying_why(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.jobsim(flavour="vanilla")
        def test_unknown_knob(jobsim):
            pass

        @pytest.mark.jobsim(3)
        def test_positional(jobsim):
            pass

        @pytest.mark.jobsim(start="soon")
        def test_bad_start(jobsim):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.jobsim: *unexpected keyword argument 'flavour'*",
            "*@pytest.mark.jobsim takes keyword arguments only*",
            "*@pytest.mark.jobsim: start 'soon' is not an ISO 8601 timestamp*",
        ]
    )


def test_a_failing_test_gets_the_transcript_in_its_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from jobsim import ToolError

        def test_fails(jobsim):
            jobsim.call("sim_create_project", {"slug": "acme"})
            try:
                jobsim.call("sim_create_project", {"slug": "acme"})
            except ToolError:
                pass
            assert False, "boom"

        def test_passes(jobsim):
            jobsim.call("sim_create_project", {"slug": "quiet"})

        def test_fails_without_jobsim():
            assert False
        """
    )
    reports = pytester.inline_run(*OPTIONS)
    by_name = {r.nodeid.split("::")[-1]: r for r in reports.getreports("pytest_runtest_logreport")
               if r.when == "call"}  # fmt: skip
    sections = {name: dict(report.sections) for name, report in by_name.items()}
    transcript = sections["test_fails"][TRANSCRIPT_SECTION]
    first, second = transcript.splitlines()
    assert first.startswith(
        '2026-01-01T00:00:00.000Z sim_create_project {"slug": "acme"} -> {"id": '
    )
    assert second.endswith("!! conflict: project slug 'acme' is already in use; choose another")
    assert TRANSCRIPT_SECTION not in sections["test_passes"]
    assert TRANSCRIPT_SECTION not in sections["test_fails_without_jobsim"]
    # ... and pytest prints it with the failure.
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*- jobsim transcript -*", "*sim_create_project*conflict*"])


def test_format_transcript_keeps_the_latest_calls_and_cuts_long_values() -> None:
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "acme"})
    for _ in range(3):
        sim.call("sim_define_target", {"name": "t", "description": "x" * 3000})
    text = format_transcript(sim.transcript, limit=2, value_chars=100)
    lines = text.splitlines()
    assert lines[0] == "... 2 earlier call(s) not shown (--jobsim-full-transcript shows every call)"
    assert len(lines) == 3
    assert all("more characters)" in line for line in lines[1:])
    assert all(len(line) < 400 for line in lines[1:])
    whole = format_transcript(sim.transcript, limit=None, value_chars=None)
    assert len(whole.splitlines()) == 4
    assert "more characters" not in whole
    assert format_transcript([]) == "(no calls)"


def test_a_cut_page_still_shows_its_page_info() -> None:
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "acme"})
    for i in range(30):
        sim.call("create_job", {"project_reference": "acme", "name": f"job-{i}", "target": "t"})
    page = sim.call("list_jobs", {"project_reference": "acme", "limit": 25})
    (line,) = format_transcript(sim.transcript, limit=1, value_chars=200).splitlines()[1:]
    assert "more characters)" in line
    assert line.endswith(f" page_info: {json.dumps(page['page_info'])}")


#: A failing test whose transcript is long, with big pages (the case of issue 12).
PAGES_TEST = """
def test_pages(jobsim):
    jobsim.call("sim_create_project", {"slug": "acme"})
    for i in range(60):
        jobsim.call("create_job", {"project_reference": "acme", "name": f"j{i}", "target": "t"})
    page = {"page_info": {"next": None}}
    for _ in range(40):
        page = jobsim.call("list_jobs", {"project_reference": "acme", "limit": 50})
    assert False, "boom"
"""


def transcript_section(result: pytest.RunResult) -> list[str]:
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "- jobsim transcript -" in line)
    end = next(  # the next section's header, or the summary's
        i for i in range(start + 1, len(lines)) if re.match(r"(=+|-+ .+ -+)$", lines[i])
    )
    return lines[start + 1 : end]


def test_the_failure_report_is_short_by_default_and_sized_by_ini_options(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(PAGES_TEST)
    default = transcript_section(run(pytester))
    assert len(default) == 21  # the note, then the latest 20 calls
    assert default[0].startswith("... 81 earlier call(s) not shown")
    assert len("\n".join(default)) < 20_000
    assert all('page_info: {"' in line for line in default[1:])
    sized = transcript_section(
        run(pytester, "-o", "jobsim_transcript_calls=3", "-o", "jobsim_transcript_value_chars=50")
    )
    assert len(sized) == 4
    assert all(len(line) < 400 for line in sized)
    full = transcript_section(run(pytester, "--jobsim-full-transcript"))
    assert len(full) == 101  # every call
    assert not any("more characters" in line for line in full)


def test_a_bad_transcript_size_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")
    result = run(pytester, "-o", "jobsim_transcript_calls=lots")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*jobsim_transcript_calls = 'lots': expected a whole number*"])


def test_the_jobsim_mcp_fixture_is_a_session_on_the_same_simulator(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        @pytest.mark.jobsim(seed=2)
        async def test_session(jobsim, jobsim_mcp):
            result = await jobsim_mcp.call_tool("sim_create_project", {"slug": "acme"})
            assert not result.is_error
            assert result.structured_content == jobsim.transcript[0]["result"]
            assert jobsim.call("list_jobs", {"project_reference": "acme"})["data"] == []

        async def test_without_the_anyio_mark(jobsim_mcp):
            tools = (await jobsim_mcp.list_tools()).tools
            assert any(tool.name == "sim_advance_clock" for tool in tools)

        @pytest.mark.anyio
        async def test_fails_over_mcp(jobsim_mcp):
            await jobsim_mcp.call_tool("get_job", {"project_reference": "x", "job_id": "y"})
            assert False
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*- jobsim transcript -*", "*get_job*!! not_found: project 'x'*"])


def test_the_jobsim_server_fixture_runs_a_real_server_and_stops_it(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    seen = tmp_path / "url.txt"
    pytester.makepyfile(
        f"""
        import pathlib

        import anyio
        import httpx2
        import pytest
        from mcp.client.session import ClientSession
        from mcp.client.streamable_http import streamable_http_client
        from jobsim import Simulator

        @pytest.mark.anyio
        @pytest.mark.jobsim(seed=5)
        async def test_server(jobsim_server):
            pathlib.Path({str(seen)!r}).write_text(jobsim_server)
            assert jobsim_server.startswith("http://127.0.0.1:")
            with anyio.fail_after(30):
                async with (
                    httpx2.AsyncClient(timeout=30) as http,
                    streamable_http_client(jobsim_server, http_client=http) as (r, w),
                    ClientSession(r, w, read_timeout_seconds=30) as session,
                ):
                    await session.discover()
                    result = await session.call_tool("sim_create_project", {{"slug": "acme"}})
            expected = Simulator(seed=5).call("sim_create_project", {{"slug": "acme"}})
            assert result.structured_content == expected

        @pytest.mark.jobsim(validate_outputs=True)
        def test_server_refuses_other_knobs(jobsim_server):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*jobsim_server takes only seed and start*validate_outputs*"])
    url = seen.read_text()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass  # pragma: no cover - the server is gone


def test_the_jobsim_fixture_validates_outputs_unless_the_marker_turns_it_off(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        from jobsim.registry import TOOLS

        @pytest.fixture
        def broken_clock(monkeypatch):
            spec = TOOLS["sim_advance_clock"]
            monkeypatch.setattr(spec, "handler", lambda world, args: {"now": 5})

        def test_on_by_default(jobsim, broken_clock):
            assert jobsim.validate_outputs is True
            with pytest.raises(AssertionError, match="sim_advance_clock output breaks its schema"):
                jobsim.call("sim_advance_clock", {"seconds": 1})

        @pytest.mark.jobsim(validate_outputs=False)
        def test_off(jobsim, broken_clock):
            assert jobsim.call("sim_advance_clock", {"seconds": 1}) == {"now": 5}
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_the_plugin_is_loaded_by_its_entry_point_and_can_be_disabled(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        def test_uses_it(jobsim):
            assert jobsim.transcript == []
        """
    )
    run(pytester).assert_outcomes(passed=1)
    # Named as well (in a fresh process: this one imported it already): registered once.
    pytester.runpytest_subprocess(*OPTIONS, "-p", "jobsim.pytest_plugin").assert_outcomes(passed=1)
    disabled = run(pytester, "-p", "no:jobsim")
    disabled.assert_outcomes(errors=1)
    disabled.stdout.fnmatch_lines(["*fixture 'jobsim' not found*"])


def test_the_marker_is_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers", "-p", "no:asyncio")
    result.stdout.fnmatch_lines(["@pytest.mark.jobsim(seed=0, start=..., **knobs):*"])


#: Inner runs with pytest-asyncio on (the dev extra installs it), its loop scope set as
#: its deprecation warning asks.
WITH_ASYNCIO = (*OPTIONS[:-2], "-o", "asyncio_default_fixture_loop_scope=function")

#: An inner test's body: it fails fast (rather than after the session's 30 s read timeout)
#: if the session is not on the event loop that runs the test.
SESSION_BODY = """
    with anyio.fail_after(10):
        result = await jobsim_mcp.call_tool("sim_create_project", {"slug": "acme"})
    assert result.structured_content == jobsim.transcript[0]["result"]
"""


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_jobsim_mcp_works_under_pytest_asyncio(pytester: pytest.Pytester, mode: str) -> None:
    marked = "@pytest.mark.asyncio\n" if mode == "strict" else ""
    pytester.makepyfile(
        "import anyio\nimport pytest\n\n"
        f"{marked}async def test_function_loop(jobsim, jobsim_mcp):{SESSION_BODY}\n"
        '@pytest.mark.asyncio(loop_scope="module")\n'
        f"async def test_module_loop(jobsim, jobsim_mcp):{SESSION_BODY}"
    )
    result = pytester.runpytest(*WITH_ASYNCIO, "-o", f"asyncio_mode={mode}")
    result.assert_outcomes(passed=2)


def test_jobsim_mcp_claimed_by_both_async_plugins_fails_at_once(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        @pytest.mark.asyncio
        async def test_both(jobsim_mcp):
            pass
        """
    )
    result = pytester.runpytest(*WITH_ASYNCIO)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*jobsim_mcp: this test is run by pytest-asyncio*keep one*"])


def test_without_the_mcp_extra_the_fixtures_say_what_to_install(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("mcp", "mcp_types"):  # as if the mcp extra were not installed
        monkeypatch.setitem(sys.modules, name, None)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.anyio
        async def test_mcp(jobsim_mcp):
            pass

        def test_server(jobsim_server):
            pass

        def test_shared_server(jobsim_shared_server):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=3)
    lines = result.stdout.lines
    for fixture in ("jobsim_mcp", "jobsim_server", "jobsim_shared_server"):
        expected = (
            f"the {fixture} fixture needs the mcp extra: pip install 'jobsim[mcp]' "
            "(not installed: mcp, mcp_types)"
        )
        assert expected in lines
