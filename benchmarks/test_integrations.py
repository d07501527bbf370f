"""Benchmarks of the parts other engineers write: the Hypothesis state machine
(``jobsim.testing.JobsStateMachine``) and the in-process MCP server
(``jobsim.mcp.connect``). Each is skipped, saying why, when its module or its
extra (``hypothesis``, ``mcp``) is missing."""

from __future__ import annotations

import importlib
import importlib.util
import json
import statistics
import time
from typing import Any

import pytest
import workloads

STEPS = 50
EXAMPLES = 20


def _module(name: str) -> Any:
    try:
        found = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # its parent package is missing
        found = None
    if found is None:
        pytest.skip(f"{name} does not exist yet (it is being written elsewhere)")
    try:
        return importlib.import_module(name)
    except ImportError as error:
        pytest.skip(f"{name} cannot be imported: {error}")


def _options() -> Any:
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


def _run(machine: Any, counts: dict[str, int]) -> tuple[float, int]:
    """Seconds and steps of one run of ``machine`` (its invariant counts the steps)."""
    from hypothesis.stateful import run_state_machine_as_test

    counts["steps"] = 0
    t0 = time.perf_counter()
    run_state_machine_as_test(machine, settings=_options())
    return time.perf_counter() - t0, max(counts["steps"], 1)


def _per_step(machine: Any, counts: dict[str, int]) -> float:
    """Seconds per step of one run of ``machine`` (its invariant counts the steps)."""
    seconds, steps = _run(machine, counts)
    return seconds / steps


def _per_example_of_50_steps(benchmark: Any, machine: Any, counts: dict[str, int]) -> float:
    """Run ``machine`` (whose invariant counts steps in ``counts``) for a few rounds;
    return the median cost per step times 50, in seconds."""
    per_step: list[float] = []
    benchmark.pedantic(
        lambda: per_step.append(_per_step(machine, counts)), rounds=3, warmup_rounds=1
    )
    return statistics.median(per_step) * STEPS


def test_state_machine_against_its_floor(benchmark, report):
    """One example of JobsStateMachine (time per step, invariants included, x 50)
    against its floor: the same rules, strategies, bundles, preconditions and
    invariants with empty bodies, i.e. what Hypothesis alone costs to choose and
    draw this machine's steps. Both run in turn in each round, so a busy machine
    slows both alike; the target is the ratio, at most 1.2.

    Each round runs both with the same seed, a new one each round: what an example
    costs depends on the example (how many jobs its steps make), far more than
    timing noise, so each figure is the time per step over all the rounds' examples
    (100), not one seed's 20 again and again. Hypothesis chooses how many steps an
    example takes (up to ``stateful_step_count``), so the steps are counted and each
    figure is the cost of 50 of them, plus each example's setup spread over its
    steps. The floor is built from Hypothesis's rule markers (``hypothesis.stateful``
    internals), so it is skipped, saying why, if a Hypothesis release renames them.
    """
    testing = _module("jobsim.testing")
    from hypothesis import seed, stateful

    counts = {"steps": 0}

    class Counted(testing.JobsStateMachine):  # type: ignore[misc, name-defined]
        @stateful.invariant()
        def count_steps(self) -> None:
            counts["steps"] += 1

    try:
        hollow = _hollow_copy(testing.JobsStateMachine, stateful, counts)
    except AttributeError as error:
        pytest.skip(f"hypothesis.stateful internals changed: {error}")
    runs: list[tuple[tuple[float, int], tuple[float, int]]] = []

    def both() -> None:
        seeded = seed(len(runs))  # the warm-up round is seed 0
        runs.append((_run(seeded(Counted), counts), _run(seeded(hollow), counts)))

    benchmark.pedantic(both, rounds=5, warmup_rounds=1)
    measured = runs[1:]
    example = sum(m[0] for m, _ in measured) / sum(m[1] for m, _ in measured) * STEPS
    empty = sum(f[0] for _, f in measured) / sum(f[1] for _, f in measured) * STEPS
    ratio = example / empty
    by_round = [round((m[0] / m[1]) / (f[0] / f[1]), 3) for m, f in measured]
    benchmark.extra_info.update(
        {"per_example_s": example, "floor_s": empty, "ratio": ratio, "ratio_by_round": by_round}
    )
    report("JobsStateMachine example, 50 steps", example * 1e3, "ms", "(context)")
    report("JobsStateMachine examples of 50 steps", 1 / example, "per s", "(context)")
    report("Hypothesis alone: same rules, empty bodies", empty * 1e3, "ms", "(the floor)")
    report("  its examples of 50 steps", 1 / empty, "per s", "(context)")
    report("JobsStateMachine / its floor", ratio, "x", "<= 1.2x", ratio <= 1.2)


def test_hypothesis_floor_trivial_machine_of_50_steps(benchmark, report):
    """The same run with a two-rule machine that does nothing: what Hypothesis's
    stateful engine alone costs per 50 steps on this machine (no target; context
    for the figures above)."""
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        Bundle,
        RuleBasedStateMachine,
        invariant,
        rule,
    )

    counts = {"steps": 0}

    class Trivial(RuleBasedStateMachine):
        items: Bundle[int] = Bundle("items")

        @rule(target=items, x=st.integers())
        def add(self, x: int) -> int:
            return x

        @rule(x=items, y=st.text(max_size=5))
        def use(self, x: int, y: str) -> None:
            pass

        @invariant()
        def count_steps(self) -> None:
            counts["steps"] += 1

    example = _per_example_of_50_steps(benchmark, Trivial, counts)
    report("Hypothesis alone: trivial machine, 50 steps", example * 1e3, "ms", "(context)")


def _hollow_copy(machine: Any, stateful: Any, counts: dict[str, int]) -> Any:
    """A RuleBasedStateMachine with ``machine``'s rules (same names, arguments, targets
    and preconditions) whose bodies return a fresh token for their target bundle."""
    bundles = {name: b for name, b in vars(machine).items() if isinstance(b, stateful.Bundle)}
    by_bundle_name = {b.name: b for b in bundles.values()}
    made = [0]
    body_of: dict[str, Any] = {}
    for name in dir(machine):
        function = getattr(machine, name)
        invariant = getattr(function, stateful.INVARIANT_MARKER, None)
        if invariant is not None:  # Hypothesis runs each invariant after each step

            def nothing(self: Any) -> None:
                pass

            nothing.__name__ = name
            wrapped = stateful.invariant(check_during_init=invariant.check_during_init)(nothing)
            for condition in invariant.preconditions:
                wrapped = stateful.precondition(condition)(wrapped)
            body_of[name] = wrapped
        for marker_name, decorator in (
            (stateful.RULE_MARKER, stateful.rule),
            (stateful.INITIALIZE_RULE_MARKER, stateful.initialize),
        ):
            marker = getattr(function, marker_name, None)
            if marker is None:
                continue

            def body(self: Any, _targets: Any = marker.targets, **_: Any) -> Any:
                made[0] += 1
                return f"token-{made[0]}" if _targets else None

            body.__name__ = name
            kwargs = dict(marker.arguments)
            if marker.targets:
                kwargs["target"] = by_bundle_name[marker.targets[0]]
            wrapped = decorator(**kwargs)(body)
            for condition in getattr(marker, "preconditions", ()) or ():
                wrapped = stateful.precondition(condition)(wrapped)
            body_of[name] = wrapped

    def count_steps(self: Any) -> None:
        counts["steps"] += 1

    namespace: dict[str, Any] = {
        **bundles,
        **body_of,
        "count_steps": stateful.invariant()(count_steps),
        # what the preconditions read: no job was ever seen in an empty machine
        "seen": {},
        "manual": {},
        "_with_status": lambda self, status: [],
    }
    return type(f"Hollow{machine.__name__}", (stateful.RuleBasedStateMachine,), namespace)


CALLS = 300
ROUNDS = 7


@pytest.mark.parametrize(
    "tool", ["get_job", "sim_advance_clock"], ids=["get_job", "sim_advance_clock-0s"]
)
def test_mcp_in_process_tools_call(benchmark, report, tool):
    """Sequential ``tools/call`` over ``jobsim.mcp.connect`` (SDK client and server
    in one process, memory streams); calls per second of the median round."""
    mcp = _module("jobsim.mcp")
    import anyio

    from jobsim import Simulator

    rounds: list[float] = []

    async def session_rounds() -> None:
        sim = Simulator(seed=0)
        sim.call("sim_create_project", {"slug": workloads.PROJECT})
        job = sim.call("create_job", workloads.create_args())
        args: dict[str, Any] = (
            {"project_reference": workloads.PROJECT, "job_id": job["id"]}
            if tool == "get_job"
            else {"seconds": 0}
        )
        async with mcp.connect(sim) as session:
            for _ in range(30):  # warm-up: tool list cached, validators built
                await session.call_tool(tool, args)
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                for _ in range(CALLS):
                    result = await session.call_tool(tool, args)
                rounds.append((time.perf_counter() - t0) / CALLS)
                assert not result.is_error

    benchmark.pedantic(lambda: anyio.run(session_rounds), rounds=1, iterations=1)
    rate = 1 / statistics.median(rounds)
    benchmark.extra_info["calls_per_second"] = rate
    report(f"MCP in-process tools/call ({tool})", rate, "calls/s", ">= 2,500 calls/s", rate >= 2500)


HTTP_CALLS = 210


@pytest.mark.parametrize("client", ["sdk", "plain"])
def test_mcp_http_tools_call_on_one_connection(benchmark, report, client):
    """Sequential ``tools/call`` (``get_job``) over streamable HTTP to ``jobsim serve
    --http`` in a subprocess, on one session and one kept-alive connection: through the
    SDK's client (``sdk``, as a test using ``jobsim_server`` makes them) or a plain
    synchronous HTTP client posting JSON-RPC (``plain``, as a non-Python or scripted
    client would); calls per second of the median round. Before the listening socket
    said it was TCP, Nagle's algorithm held the end of every answer until the client's
    delayed ACK: ~40 ms a call for the plain client."""
    _module("jobsim.mcp")
    from jobsim.pytest_plugin import serve_subprocess

    rounds: list[float] = []
    per_round = HTTP_CALLS // ROUNDS

    def timed(call: Any) -> None:
        for _ in range(10):  # warm-up
            call()
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            for _ in range(per_round):
                call()
            rounds.append((time.perf_counter() - t0) / per_round)

    with serve_subprocess(["--control"]) as url:
        run = _sdk_calls if client == "sdk" else _plain_calls
        benchmark.pedantic(lambda: run(url, timed), rounds=1, iterations=1)
    rate = 1 / statistics.median(rounds)
    benchmark.extra_info["calls_per_second"] = rate
    report(f"MCP over HTTP tools/call (get_job), {client} client", rate, "calls/s", "(context)")


def _sdk_calls(url: str, timed: Any) -> None:
    """``timed(call)`` with ``call`` a ``get_job`` through one SDK client session."""
    import anyio
    import httpx2
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def main() -> None:
        async with (
            httpx2.AsyncClient(timeout=60) as http,
            streamable_http_client(url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            await session.call_tool("sim_create_project", {"slug": workloads.PROJECT})
            job = await session.call_tool("create_job", workloads.create_args())
            args = {"project_reference": workloads.PROJECT, "job_id": job.structured_content["id"]}
            results: list[Any] = []

            async def call() -> None:
                results.append(await session.call_tool("get_job", args))

            # the timing loop is synchronous: run each call to its end from a thread
            await anyio.to_thread.run_sync(timed, lambda: anyio.from_thread.run(call))
            assert not any(r.is_error for r in results)

    anyio.run(main)


def _plain_calls(url: str, timed: Any) -> None:
    """``timed(call)`` with ``call`` a ``get_job`` POSTed by a synchronous client."""
    import httpx2

    accept = {"Accept": "application/json, text/event-stream"}
    with httpx2.Client(timeout=60, headers=accept) as http:
        hello = {"protocolVersion": "2025-06-18", "capabilities": {}}
        hello["clientInfo"] = {"name": "bench", "version": "0"}
        opened = http.post(
            url, json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": hello}
        )
        http.headers["mcp-session-id"] = opened.headers["mcp-session-id"]
        http.headers["mcp-protocol-version"] = "2025-06-18"
        http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"})

        def tool(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
            body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call"}
            body["params"] = {"name": name, "arguments": arguments}
            answer = http.post(url, json=body)
            data = next(line for line in answer.text.splitlines() if line.startswith("data:"))
            result: dict[str, Any] = json.loads(data[5:])["result"]
            assert not result.get("isError"), result
            return result

        tool("sim_create_project", {"slug": workloads.PROJECT})
        job = tool("create_job", workloads.create_args())["structuredContent"]
        timed(
            lambda: tool("get_job", {"project_reference": workloads.PROJECT, "job_id": job["id"]})
        )


SERVER_STARTS = 5


def test_jobsim_server_start(benchmark, report):
    """What the ``jobsim_server`` fixture costs a test: start ``jobsim serve --http
    --control`` in a subprocess, until its URL is ready, then stop it (median of a few
    starts). No target; README's figure before the fixture learnt the bound port was
    about 2 s."""
    _module("jobsim.mcp")
    from jobsim.pytest_plugin import serve_subprocess

    starts: list[float] = []
    stops: list[float] = []

    def start_and_stop() -> None:
        t0 = time.perf_counter()
        with serve_subprocess(["--control"]):
            t1 = time.perf_counter()
        starts.append(t1 - t0)
        stops.append(time.perf_counter() - t1)

    benchmark.pedantic(start_and_stop, rounds=SERVER_STARTS, iterations=1)
    start, stop = statistics.median(starts), statistics.median(stops)
    benchmark.extra_info.update(start_seconds=start, stop_seconds=stop)
    report("jobsim_server fixture: start", start, "s", "(none; was ~2 s)")
    report("jobsim_server fixture: stop", stop, "s", "(none)")
