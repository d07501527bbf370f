"""The dashboard and the timeline in headless Chromium, against a real ``jobsim serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jobsim import Simulator, timeline
from jobsim.pytest_plugin import serve_subprocess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips (or fails in CI) saying why
    expect = None

pytest_plugins = ["pytester"]
TIMEOUT = 30

FLAKY = {"name": "flaky", "behavior": {"run_seconds": 5, "exit_codes": [1, 2, 0]}}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``jobsim serve --http --control``: the URL of its /mcp endpoint."""
    with serve_subprocess(["--control"]) as url:
        yield url


def root(url: str) -> str:
    return url.removesuffix("/mcp") + "/"


def flaky_job(call: Any, slug: str, name: str, seconds: float | None = None) -> dict[str, Any]:
    """A project ``slug`` with one job of the flaky target, the clock advanced ``seconds``."""
    calls = [
        ("sim_create_project", {"slug": slug}),
        ("sim_define_target", FLAKY),
        ("create_job", {"project_reference": slug, "name": name, "target": "flaky"}),
    ]
    if seconds is not None:
        calls.append(("sim_advance_clock", {"seconds": seconds}))
    return call(*calls)[2]


def job_row(page: Any, job_id: str) -> Any:
    return page.locator(f'tr[data-open-job="{job_id}"]')


def test_jobs_created_over_mcp_appear_with_their_names_and_statuses(page, server, mcp_caller):
    call = mcp_caller(server)
    call(("sim_create_project", {"slug": "appear"}))
    page.goto(root(server))
    (made,) = call(
        ("create_job", {"project_reference": "appear", "name": "fresh job", "target": "t"})
    )
    row = job_row(page, made["id"])
    expect(row).to_contain_text("fresh job", timeout=2000)
    expect(row.locator(".status")).to_have_text("submitted")


def test_a_status_changes_on_the_page_within_2s_of_an_advance_without_reload(
    page, server, mcp_caller
):
    call = mcp_caller(server)
    made = flaky_job(call, "live", "watched")
    page.goto(root(server))
    status = job_row(page, made["id"]).locator(".status")
    expect(status).to_have_text("submitted")
    page.evaluate("window.__sameDocument = true")
    call(("sim_advance_clock", {"seconds": 1}))
    expect(status).to_have_text("working", timeout=2000)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened


def test_the_timeline_has_one_bar_per_attempt_of_a_job_that_retried(page, server, mcp_caller):
    made = flaky_job(mcp_caller(server), "bars", "retrier", seconds=300)
    page.goto(root(server))
    bars = page.locator(f'svg g.job[data-job="{made["id"]}"] rect.attempt')
    expect(bars).to_have_count(3)
    assert bars.evaluate_all("bars => bars.map(b => b.getAttribute('class'))") == [
        "attempt retried",
        "attempt retried",
        "attempt completed",
    ]


def test_a_jobs_events_open_when_its_row_is_clicked(page, server, mcp_caller):
    made = flaky_job(mcp_caller(server), "events", "chatty", seconds=8)
    page.goto(root(server))
    job_row(page, made["id"]).click()
    events = page.locator("#events")
    expect(events.locator(f'[data-events-of="{made["id"]}"]')).to_contain_text("chatty")
    expect(events).to_contain_text("attempt 1 exited with code 1; retrying")


def test_with_a_token_the_page_refuses_without_one_and_shows_only_its_project(page, mcp_caller):
    tokens = ["--token", "tok-a=alpha", "--token", "tok-b=bravo"]
    with serve_subprocess(["--control", *tokens]) as url:
        call = mcp_caller(url, token="tok-a")
        call(
            ("sim_create_project", {"slug": "alpha"}),
            ("sim_create_project", {"slug": "bravo"}),
            ("create_job", {"project_reference": "alpha", "name": "alpha job", "target": "t"}),
        )
        mcp_caller(url, token="tok-b")(
            ("create_job", {"project_reference": "bravo", "name": "bravo job", "target": "t"})
        )
        page.goto(root(url))
        expect(page.locator("#token-form")).to_be_visible()
        expect(page.locator("#view")).to_contain_text("needs a token")
        page.fill("#token", "wrong")
        page.click("#token-form button")
        expect(page.locator("#view")).to_contain_text("Token refused")
        page.fill("#token", "tok-b")
        page.click("#token-form button")
        expect(page.locator("tr[data-open-job]")).to_have_count(1)
        expect(page.locator("tr[data-open-job]")).to_contain_text("bravo job")
        assert "alpha" not in page.locator("#view").inner_text()


def test_a_timeline_file_opens_offline_with_a_tooltip_per_attempt(page, tmp_path):
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "file"})
    sim.call("sim_define_target", FLAKY)
    made = sim.call("create_job", {"project_reference": "file", "name": "r", "target": "flaky"})
    sim.call("sim_advance_clock", {"seconds": 300})
    path = timeline.write(sim, tmp_path / "t.html")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    bars = page.locator(f'g.job[data-job="{made["id"]}"] rect.attempt')
    expect(bars).to_have_count(3)
    assert "attempt 3 of 4 · exit 0" in bars.nth(2).locator("title").text_content()
    assert requests == [path.as_uri()]  # nothing else fetched


def test_a_failing_browser_test_saves_a_screenshot(browser, pytester: pytest.Pytester):
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(
        """
        def test_fails(page):
            page.set_content("<h1>shown when it failed</h1>")
            assert False
        """
    )
    out = pytester.path / "artifacts"
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--jobsim-artifacts", str(out), timeout=TIMEOUT * 4
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*- browser screenshot -*", "screenshot of the page: *.png"])
    (shot,) = out.rglob("page-call.png")
    assert shot.read_bytes().startswith(b"\x89PNG")
