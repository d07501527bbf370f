"""What a test pays for a served simulator (issue 13 item 2): where ``jobsim serve``'s
start goes (``python -X importtime`` of its modules), and what the
``jobsim_shared_server`` fixture costs a test instead (one reset of a running
server). The start itself, from ``Popen`` to the served URL, is
``test_integrations.py::test_jobsim_server_start``. Skipped without the ``mcp`` extra."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict

import pytest

from jobsim.extras import RESET_PATH, missing_mcp_extra

RESETS = 20

#: The top-level packages ``jobsim serve --http`` imports, by whom they belong to.
SDK = ("mcp", "mcp_types", "pydantic", "pydantic_core", "starlette", "uvicorn", "anyio")
SDK += ("sse_starlette", "httpx", "httpx2", "httpcore", "opentelemetry", "jwt", "cryptography")


@pytest.fixture(autouse=True)
def _needs_mcp() -> None:
    if (missing := missing_mcp_extra("these benchmarks")) is not None:
        pytest.skip(missing)


def _import_times() -> dict[str, float]:
    """Seconds of ``import jobsim.cli`` then ``jobsim.mcp.cli`` (what ``python -m
    jobsim.cli serve --http`` imports before it serves), by top-level package."""
    code = "import jobsim.cli, jobsim.mcp.cli"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    by_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():  # the header line says "self [us]"
            by_package[name.strip().split(".")[0]] += int(own) / 1e6
    return by_package


def test_jobsim_serve_import_time(benchmark, report):
    """``python -X importtime`` of the serve path (median of a few runs): all of it,
    the SDK and its dependencies, jobsim, and jsonschema (imported on first use since
    issue 13: it only words refusals)."""
    runs: list[dict[str, float]] = []
    benchmark.pedantic(lambda: runs.append(_import_times()), rounds=5, iterations=1)

    def median(packages: tuple[str, ...] | None) -> float:
        return statistics.median(
            sum(s for name, s in run.items() if packages is None or name in packages)
            for run in runs
        )

    total, sdk = median(None), median(SDK)
    jobsim = median(("jobsim",))
    schema = median(
        ("jsonschema", "jsonschema_specifications", "referencing", "rpds", "attr", "attrs")
    )
    benchmark.extra_info.update(total=total, sdk=sdk, jobsim=jobsim, jsonschema=schema)
    report("jobsim serve imports: all", total, "s", "(none)")
    report("jobsim serve imports: SDK and deps", sdk, "s", "(none)")
    report("jobsim serve imports: jobsim", jobsim, "s", "(none)")
    report("jobsim serve imports: jsonschema", schema, "s", "0 (lazy)", schema == 0)


def test_jobsim_shared_server_reset(benchmark, report):
    """What ``jobsim_shared_server`` costs a test once its server runs: one
    ``POST /sim/reset`` (a fresh simulator, a fresh MCP server, the old one's
    sessions ended); median of a few."""
    from jobsim.pytest_plugin import serve_subprocess

    times: list[float] = []
    with serve_subprocess(["--control"]) as url:
        reset = url.replace("/mcp", RESET_PATH)

        def one() -> None:
            request = urllib.request.Request(reset, data=json.dumps({"seed": 3}).encode())
            t0 = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 200
            times.append(time.perf_counter() - t0)

        benchmark.pedantic(one, rounds=RESETS, iterations=1, warmup_rounds=1)
    reset_seconds = statistics.median(times[1:])  # the first is the warm-up
    benchmark.extra_info["reset_seconds"] = reset_seconds
    report("jobsim_shared_server: reset", reset_seconds, "s", "(none)")
