"""Make the README's pictures with the browser the tests use: the demo's timeline
(``docs/img/timeline.png``) and the dashboard of a served demo (``docs/img/dashboard.png``).

Run from the repository root (needs the dev extra and the OS's Chromium)::

    python scripts/screenshots.py
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from jobsim import Simulator, timeline
from jobsim.demo import run_demo
from jobsim.mcp import http_app

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def demo() -> Simulator:
    sim = run_demo(out=lambda line: None)
    sim.call(
        "sim_define_target",
        {"name": "task:sync", "behavior": {"run_seconds": 20, "exit_codes": [1, 0]}},
    )
    sim.call("create_cron_job", {"project_reference": "acme", "name": "sync every minute",
                                 "target": "task:sync", "schedule": "* * * * *"})  # fmt: skip
    sim.call("sim_advance_clock", {"seconds": 200})
    return sim


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sim = demo()
    with tempfile.TemporaryDirectory() as folder:
        page_file = timeline.write(sim, Path(folder) / "timeline.html")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(http_app(sim, port=port), port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
                page = browser.new_page(viewport={"width": 1300, "height": 800})
                page.goto(page_file.as_uri())
                page.locator("svg").screenshot(path=str(OUT / "timeline.png"))
                page.goto(f"http://127.0.0.1:{port}/")
                page.locator("tr[data-open-job]").nth(3).click()
                page.wait_for_timeout(1000)
                page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    print(f"wrote {OUT / 'timeline.png'} and {OUT / 'dashboard.png'}")


if __name__ == "__main__":
    main()
