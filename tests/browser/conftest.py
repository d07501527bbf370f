"""Fixtures of the browser tests: headless Chromium (the OS's, driven by Playwright),
a real ``jobsim serve --http`` subprocess, and a synchronous MCP client for it.

Outside CI these tests skip, with one line, only when no browser can be had; in CI
(``CI`` set, as ``.ci/run`` runs) a missing browser fails them. A failing test's
page is saved as a screenshot beside its timeline (``--jobsim-artifacts DIR``, or
the test's temporary directory) and named in its report.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from jobsim.pytest_plugin import artifact_path

#: Every wait of these tests is bounded by this many seconds.
TIMEOUT = 30

#: Flags that work on this kind of machine (root, no GPU, no network but loopback).
#: Playwright adds --headless and a fresh --user-data-dir of its own to each launch.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_PAGE = pytest.StashKey[Any]()
SCREENSHOT_SECTION = "browser screenshot"


def chromium_path() -> str | None:
    """The OS's Chromium: ``$JOBSIM_CHROMIUM``, else the first on PATH."""
    named = os.environ.get("JOBSIM_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


def _no_browser(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must have it (.ci/run installs chromium)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for this module (closed with it, so the Playwright loop never
    overlaps another module's async tests)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _no_browser("no browser driver: pip install -e '.[dev]' (playwright)")
    executable = chromium_path()
    if executable is None:
        _no_browser("no Chromium on PATH: apt-get install -y chromium")
    with sync_playwright() as driver:
        try:
            launched = driver.chromium.launch(
                executable_path=executable, args=CHROMIUM_FLAGS, timeout=TIMEOUT * 1000
            )
        except Error as error:
            _no_browser(f"Chromium at {executable} does not start: {error.message.splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    """A fresh page (its own context), screenshotted if the test fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT * 1000)
    opened = context.new_page()
    request.node.stash[_PAGE] = opened
    try:
        yield opened
    finally:
        del request.node.stash[_PAGE]
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Save the page of a failing test as a PNG and name it in the report."""
    report = yield
    opened = item.stash.get(_PAGE, None)
    if report.failed and opened is not None:
        try:
            path = artifact_path(item, f"page-{report.when}.png")
            opened.screenshot(path=str(path), full_page=True)
            report.sections.append((SCREENSHOT_SECTION, f"screenshot of the page: {path}"))
        except Exception as error:  # the report must not fail for its screenshot
            report.sections.append((SCREENSHOT_SECTION, f"no screenshot: {error}"))
    return report


McpCall = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def mcp_caller() -> Callable[..., McpCall]:
    """``mcp_caller(url, token=None)``: see :func:`make_caller`."""
    return make_caller


def make_caller(url: str, token: str | None = None) -> McpCall:
    """``call((tool, arguments), ...)``: make the calls in order over MCP at ``url`` and
    return their structured results. Each batch runs in a thread with its own event
    loop, away from the Playwright loop of the test's thread."""

    async def run(calls: tuple[tuple[str, dict[str, Any]], ...]) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        out = []
        with anyio.fail_after(TIMEOUT):
            async with (
                httpx2.AsyncClient(headers=headers, timeout=TIMEOUT) as http,
                streamable_http_client(url, http_client=http) as (read, write),
                ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
            ):
                await session.initialize()
                for tool, arguments in calls:
                    result = await session.call_tool(tool, arguments)
                    assert not result.is_error, (tool, result.content)
                    out.append(result.structured_content)
        return out

    def call(*calls: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        with ThreadPoolExecutor(1) as worker:
            return worker.submit(anyio.run, run, calls).result(timeout=TIMEOUT)

    return call
