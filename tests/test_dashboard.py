"""The dashboard's server side: Simulator.peek, the rendered panels, and the HTTP routes
(through the ASGI app, no socket). The page in a real browser: tests/browser/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest

from jobsim import Simulator, ToolError
from jobsim.mcp import http_app
from jobsim.mcp.dashboard import VIEW_PATH, render_view
from jobsim.simulator import READ_ONLY_TOOLS

BATCH = "7d444840-9dc0-41d1-b245-5ffdce74fad2"
TOKENS = {"tok-acme": "acme", "tok-beta": "beta"}


def world() -> tuple[Simulator, dict[str, Any]]:
    sim = Simulator(seed=5)
    sim.call("sim_create_project", {"slug": "acme"})
    sim.call("sim_create_project", {"slug": "beta"})
    sim.call("sim_define_target", {"name": "flaky", "behavior": {"exit_codes": [1, 0]}})
    made = {
        "batched": sim.call(
            "create_job",
            {
                "project_reference": "acme",
                "name": "<i>batched</i>",
                "target": "flaky",
                "batch_id": BATCH,
            },
        ),
        "plain": sim.call(
            "create_job", {"project_reference": "acme", "name": "plain", "target": "t"}
        ),
        "secret": sim.call(
            "create_job", {"project_reference": "beta", "name": "beta secret", "target": "t"}
        ),
        "cron": sim.call(
            "create_cron_job",
            {
                "project_reference": "acme",
                "name": "minutely",
                "target": "flaky",
                "schedule": "* * * * *",
            },
        ),
    }
    sim.call("sim_advance_clock", {"seconds": 61})
    return sim, made


# -- Simulator.peek -------------------------------------------------------------------------------


def test_peek_reads_like_call_but_leaves_no_trace_and_takes_no_fault():
    sim, made = world()
    sim.call("sim_inject_fault", {"tool": "get_job", "code": "internal"})
    before = sim.snapshot()
    args = {"project_reference": "acme", "job_id": made["plain"]["id"]}
    assert sim.peek("get_job", args)["name"] == "plain"
    assert sim.snapshot() == before  # transcript and the queued fault included
    with pytest.raises(ToolError) as caught:
        sim.call("get_job", args)
    assert caught.value.code == "internal"


def test_peek_refuses_a_tool_that_changes_anything():
    sim, _ = world()
    for tool in sorted(set(Simulator.tools()) - READ_ONLY_TOOLS):
        with pytest.raises(ValueError, match="read-only tools only"):
            sim.peek(tool, {})


def test_peek_refuses_bad_arguments_as_call_does():
    sim, _ = world()
    with pytest.raises(ToolError) as caught:
        sim.peek("list_jobs", {"project_reference": "acme", "status": "lost"})
    assert caught.value.code == "invalid_arguments"


def test_projects_lists_every_project_without_a_transcript_entry():
    sim, _ = world()
    calls = len(sim.transcript)
    assert [p["slug"] for p in sim.projects()] == ["acme", "beta"]
    assert len(sim.transcript) == calls


# -- the panels -----------------------------------------------------------------------------------


def test_the_view_shows_every_panel_with_names_escaped():
    sim, _ = world()
    html = render_view(sim, {})
    for panel in ("Clock", "Projects", "Jobs", "Batches", "Cron jobs", "Events", "Latest calls"):
        assert f"<h2>{panel}</h2>" in html
    assert sim.now in html
    assert "&lt;i&gt;batched&lt;/i&gt;" in html
    assert "<i>batched" not in html
    assert "beta secret" in html
    assert "minutely" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="jobsim-timeline"' in html


@pytest.mark.parametrize(
    ("filters", "shown", "hidden"),
    [
        ({"status": "completed"}, ["batched"], ["plain", "beta secret"]),
        ({"batch": BATCH}, ["batched"], ["plain", "beta secret"]),
        ({"project": "beta"}, ["beta secret"], ["plain"]),
    ],
)
def test_filters_narrow_the_jobs_panel(filters, shown, hidden):
    sim, _ = world()
    jobs = render_view(sim, filters).split('<section class="jobs">')[1].split("</section>")[0]
    for name in shown:
        assert name in jobs
    for name in hidden:
        assert f"<td>{name}</td>" not in jobs


def test_a_cron_filter_shows_its_runs_only():
    sim, made = world()
    jobs = render_view(sim, {"cron": made["cron"]["id"]}).split('<section class="jobs">')[1]
    jobs = jobs.split("</section>")[0]
    assert jobs.count("data-open-job=") == 1
    assert "<td>minutely</td>" in jobs


def test_a_refused_filter_is_said_in_the_panel():
    sim, _ = world()
    html = render_view(sim, {"status": "lost"})
    assert "filter refused: invalid_arguments: status" in html


def test_a_jobs_events_open_in_the_events_panel():
    sim, made = world()
    html = render_view(sim, {"job": made["batched"]["id"]})
    events = html.split('id="events"')[1].split("</section>")[0]
    assert "attempt 1 exited with code 1" in events
    assert "job completed" in events
    assert "No job nope here." in render_view(sim, {"job": "nope"})


def test_a_scope_shows_one_project_only():
    sim, made = world()
    html = render_view(sim, {"job": made["plain"]["id"]}, scope="beta")
    assert "beta secret" in html
    for other in ("plain", "batched", "minutely", BATCH, "acme"):
        assert other not in html


# -- over HTTP ------------------------------------------------------------------------------------


@asynccontextmanager
async def client(sim: Simulator, **options: Any) -> AsyncIterator[httpx2.AsyncClient]:
    app = http_app(sim, **options)
    with anyio.fail_after(30):
        async with (
            app.router.lifespan_context(app),
            httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
            ) as http,
        ):
            yield http


@pytest.mark.anyio
async def test_the_page_is_served_at_root_rendered_and_self_contained():
    sim, _ = world()
    async with client(sim) as http:
        page = await http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "beta secret" in page.text
    assert f'data-version="{sim.calls}"' in page.text
    assert page.text.count("http") == page.text.count('xmlns="http://www.w3.org/2000/svg"')
    assert "<script src" not in page.text


@pytest.mark.anyio
async def test_the_view_answers_204_until_the_simulator_takes_a_call():
    sim, _ = world()
    async with client(sim) as http:
        first = await http.get(VIEW_PATH)
        version = first.headers["x-jobsim-version"]
        same = await http.get(VIEW_PATH, params={"since": version})
        sim.call("sim_advance_clock", {"seconds": 1})
        changed = await http.get(VIEW_PATH, params={"since": version})
    assert first.status_code == 200
    assert same.status_code == 204
    assert changed.status_code == 200
    assert changed.headers["x-jobsim-version"] != version
    assert sim.now in changed.text


@pytest.mark.anyio
async def test_looking_at_the_dashboard_changes_nothing():
    sim, made = world()
    before = sim.snapshot()
    async with client(sim) as http:
        await http.get("/")
        await http.get(VIEW_PATH, params={"job": made["plain"]["id"], "status": "working"})
    assert sim.snapshot() == before


@pytest.mark.anyio
async def test_with_tokens_the_page_asks_for_one_and_the_view_refuses_without():
    sim, _ = world()
    async with client(sim, tokens=TOKENS) as http:
        page = await http.get("/")
        bare = await http.get(VIEW_PATH)
        wrong = await http.get(VIEW_PATH, headers={"Authorization": "Bearer tok-acm"})
        beta = await http.get(VIEW_PATH, headers={"Authorization": "Bearer tok-beta"})
    assert page.status_code == 200
    assert 'data-needs-token="1"' in page.text
    assert "beta secret" not in page.text
    assert "needs a token" in page.text
    assert (bare.status_code, wrong.status_code) == (401, 401)
    assert "beta secret" not in bare.text + wrong.text
    assert beta.status_code == 200
    assert "beta secret" in beta.text
    assert "plain" not in beta.text


@pytest.mark.anyio
async def test_pages_polling_the_same_state_share_one_rendering(monkeypatch):
    from jobsim.mcp import dashboard

    sim, _ = world()
    rendered = []

    def counting(*args: Any) -> str:
        rendered.append(args[1])
        return render_view(*args)

    monkeypatch.setattr(dashboard, "render_view", counting)
    async with client(sim) as http:
        first = await http.get(VIEW_PATH, params={"status": "working"})
        again = await http.get(VIEW_PATH, params={"status": "working"})
        other = await http.get(VIEW_PATH, params={"status": "failed"})
        sim.call("sim_advance_clock", {"seconds": 1})
        later = await http.get(VIEW_PATH, params={"status": "working"})
    assert first.text == again.text
    assert other.text != first.text
    assert sim.now in later.text
    assert rendered == [{"status": "working"}, {"status": "failed"}, {"status": "working"}]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("served_on", "host", "status"),
    [
        ("127.0.0.1", "127.0.0.1:8000", 200),
        ("127.0.0.1", "localhost:8000", 200),
        ("127.0.0.1", "[::1]:8000", 200),
        ("127.0.0.1", "evil.example:8000", 421),
        ("0.0.0.0", "evil.example:8000", 200),  # not on loopback: no name to insist on
    ],
)
async def test_on_loopback_only_loopback_host_names_are_answered(served_on, host, status):
    sim, _ = world()
    async with client(sim, host=served_on) as http:
        page = await http.get("/", headers={"Host": host})
        view = await http.get(VIEW_PATH, headers={"Host": host})
    assert (page.status_code, view.status_code) == (status, status)
    if status == 421:
        assert "beta secret" not in page.text + view.text
