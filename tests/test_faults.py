"""Fault injection (SPEC section 13): ``sim_inject_fault {tool, code, message?, times}``.

The next ``times`` calls of the tool fail with the code before their arguments are
read (invalid arguments, even arguments that are no object, get the fault);
injections for one tool queue up, oldest first; a fault changes nothing but the
fault queue and the transcript, where it is visible; an unknown tool or code is
refused. A Hypothesis test checks all of it against a model of the queues.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobsim import ERROR_CODES, Simulator, ToolError
from jobsim.registry import TOOLS

JOIN_TIMEOUT = 120.0  # seconds; only a guard against a hang


def _sim() -> Simulator:
    sim = Simulator(seed=4)
    sim.call("sim_create_project", {"slug": "p"})
    sim.call("sim_define_target", {"name": "task:ok", "behavior": {"run_seconds": 1}})
    job = sim.call("create_job", {"project_reference": "p", "name": "j", "target": "task:ok"})
    sim.call("sim_advance_clock", {"seconds": 0.5})
    sim.call(
        "create_cron_job",
        {"project_reference": "p", "name": "c", "target": "img", "schedule": "*/10 * * * *"},
    )
    assert job["status"] == "submitted"
    return sim


def _state(sim: Simulator) -> dict[str, Any]:
    """The snapshot without what a fault may change: its queue and the transcript."""
    snap = sim.snapshot()
    del snap["faults"], snap["transcript"]
    return snap


def _refusal(sim: Simulator, tool: Any, arguments: Any) -> ToolError:
    with pytest.raises(ToolError) as caught:
        sim.call(tool, arguments)
    return caught.value


def _job_id(sim: Simulator) -> str:
    job_id: str = sim.call("list_jobs", {"project_reference": "p"})["data"][0]["id"]
    return job_id


def test_a_fault_fails_the_next_calls_of_its_tool_and_then_stops() -> None:
    sim = _sim()
    job_id = _job_id(sim)
    out = sim.call("sim_inject_fault", {"tool": "get_job", "code": "unavailable", "times": 2})
    assert out == {
        "tool": "get_job",
        "code": "unavailable",
        "message": "injected fault: get_job failed with unavailable",
        "times": 2,
        "pending": 2,
    }
    assert TOOLS["sim_inject_fault"].output_validator.is_valid(out)
    args = {"project_reference": "p", "job_id": job_id}
    for _ in range(2):
        error = _refusal(sim, "get_job", args)
        assert error.code == "unavailable"
        assert error.message == "injected fault: get_job failed with unavailable"
        assert error.details == {"injected": True, "tool": "get_job"}
    assert sim.call("get_job", args)["id"] == job_id


def test_other_tools_are_not_affected() -> None:
    sim = _sim()
    sim.call("sim_inject_fault", {"tool": "cancel_job", "code": "internal"})
    job_id = _job_id(sim)
    assert sim.call("get_job", {"project_reference": "p", "job_id": job_id})["id"] == job_id
    assert sim.call("list_jobs", {"project_reference": "p"})["data"]
    assert _refusal(sim, "cancel_job", {"project_reference": "p", "job_id": job_id}).code == (
        "internal"
    )


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"project_reference": 5},
        {"unknown": "key"},
        None,
        [],
        "not an object",
        7,
        {"project_reference": "p", "job_id": "00000000-0000-4000-8000-000000000000"},
    ],
)
def test_a_fault_fires_before_the_arguments_are_read(arguments: Any) -> None:
    sim = _sim()
    sim.call("sim_inject_fault", {"tool": "cancel_job", "code": "rate_limited", "message": "m"})
    error = _refusal(sim, "cancel_job", arguments)
    assert (error.code, error.message) == ("rate_limited", "m")
    # used up: the same arguments now get their own answer
    after = _refusal(sim, "cancel_job", arguments)
    assert after.code in ("invalid_arguments", "not_found")
    assert not after.details.get("injected")


def test_injections_queue_per_tool_oldest_first() -> None:
    sim = _sim()
    args = {"project_reference": "p"}
    for code, times in (("internal", 2), ("not_found", 1), ("conflict", 3)):
        out = sim.call("sim_inject_fault", {"tool": "list_jobs", "code": code, "times": times})
        assert out["times"] == times
    assert out["pending"] == 6
    seen = [_refusal(sim, "list_jobs", args).code for _ in range(6)]
    assert seen == ["internal", "internal", "not_found", "conflict", "conflict", "conflict"]
    assert sim.call("list_jobs", args)["data"]


def test_every_error_code_can_be_injected_and_is_raised_as_is() -> None:
    sim = _sim()
    for code in ERROR_CODES:
        sim.call("sim_inject_fault", {"tool": "sim_advance_clock", "code": code, "message": code})
        error = _refusal(sim, "sim_advance_clock", {"seconds": 1})
        assert error.code == code
        assert str(error) == f"{code}: {code}"


def test_a_fault_changes_nothing_but_its_queue_and_the_transcript() -> None:
    sim = _sim()
    job_id = _job_id(sim)
    calls: list[tuple[str, Any]] = [
        ("create_job", {"project_reference": "p", "name": "n", "target": "task:ok"}),
        ("cancel_job", {"project_reference": "p", "job_id": job_id}),
        ("sim_advance_clock", {"seconds": 3600}),
        ("sim_create_project", {"slug": "q"}),
        ("sim_define_target", {"name": "task:ok"}),
        ("sim_inject_fault", {"tool": "get_job", "code": "internal"}),
    ]
    for tool, args in calls:
        sim.call("sim_inject_fault", {"tool": tool, "code": "unavailable"})
        before = _state(sim)
        transcript = sim.transcript
        error = _refusal(sim, tool, args)
        assert error.code == "unavailable"
        assert _state(sim) == before, f"a fault of {tool} changed the state"
        after = sim.transcript
        assert after[:-1] == transcript
        assert after[-1] == {
            "at": sim.now,
            "tool": tool,
            "arguments": args,
            "error": {
                "code": "unavailable",
                "message": f"injected fault: {tool} failed with unavailable",
                "details": {"injected": True, "tool": tool},
            },
        }
        assert sim.snapshot()["faults"] == {}
        sim.call(tool, args)  # and the call itself still works afterwards


def test_a_fault_on_sim_inject_fault_itself_fails_the_next_injection() -> None:
    sim = _sim()
    sim.call("sim_inject_fault", {"tool": "sim_inject_fault", "code": "internal"})
    before = sim.snapshot()["faults"]
    error = _refusal(sim, "sim_inject_fault", {"tool": "get_job", "code": "internal"})
    assert error.code == "internal"
    assert sim.snapshot()["faults"] == {} != before
    assert sim.call("sim_inject_fault", {"tool": "get_job", "code": "internal"})["pending"] == 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"tool": "no_such_tool", "code": "internal"}, "tool"),
        ({"tool": "", "code": "internal"}, "tool"),
        ({"tool": "get_job", "code": "exploded"}, "code"),
        ({"tool": "get_job", "code": "INTERNAL"}, "code"),
        ({"tool": "get_job", "code": "internal", "times": 0}, "times"),
        ({"tool": "get_job", "code": "internal", "times": -1}, "times"),
        ({"tool": "get_job", "code": "internal", "times": 1.5}, "times"),
        ({"tool": "get_job", "code": "internal", "extra": 1}, "extra"),
        ({"tool": "get_job"}, "code"),
        ({"code": "internal"}, "tool"),
    ],
)
def test_an_injection_of_an_unknown_tool_or_code_is_refused_and_changes_nothing(
    arguments: dict[str, Any], field: str
) -> None:
    sim = _sim()
    before = sim.snapshot()
    error = _refusal(sim, "sim_inject_fault", arguments)
    assert error.code == "invalid_arguments"
    assert field in error.message
    after = sim.snapshot()
    assert after["faults"] == before["faults"] == {}
    assert after["transcript"][:-1] == before["transcript"]
    del after["transcript"], before["transcript"]
    assert after == before


def test_pending_faults_survive_a_snapshot() -> None:
    sim = _sim()
    sim.call("sim_inject_fault", {"tool": "get_job", "code": "conflict", "times": 2})
    sim.call("sim_inject_fault", {"tool": "get_job", "code": "internal", "message": "late"})
    twin = Simulator.from_snapshot(json.loads(json.dumps(sim.snapshot())))
    args = {"project_reference": "p", "job_id": _job_id(sim)}
    for s in (sim, twin):
        assert [_refusal(s, "get_job", args).code for _ in range(3)] == [
            "conflict",
            "conflict",
            "internal",
        ]
        assert s.call("get_job", args)["id"] == args["job_id"]


def test_each_injected_failure_fires_exactly_once_across_threads(
    run_threads: Callable[..., list[Any]],
) -> None:
    sim = _sim()
    times = 500
    sim.call("sim_inject_fault", {"tool": "list_jobs", "code": "rate_limited", "times": times})
    failures = [0] * 8
    successes = [0] * 8
    codes: list[set[str]] = [set() for _ in range(8)]

    def work(i: int) -> None:
        for _ in range(100):
            try:
                sim.call("list_jobs", {"project_reference": "p", "limit": 1})
            except ToolError as error:
                codes[i].add(error.code)
                failures[i] += 1
            else:
                successes[i] += 1

    run_threads([partial(work, i) for i in range(8)], timeout=JOIN_TIMEOUT)
    assert sum(failures) == times
    assert set().union(*codes) == {"rate_limited"}
    assert sum(successes) == 800 - times
    assert sim.snapshot()["faults"] == {}


# -- against a model ------------------------------------------------------------------

FAULTABLE = ("get_job", "list_jobs", "create_job", "sim_advance_clock", "get_cron_job")
Step = tuple[str, str, str, int]  # ("inject", tool, code, times) or ("call", tool, "", valid)

STEPS = st.one_of(
    st.tuples(
        st.just("inject"),
        st.sampled_from(FAULTABLE),
        st.sampled_from(ERROR_CODES),
        st.integers(1, 4),
    ),
    st.tuples(st.just("call"), st.sampled_from(FAULTABLE), st.just(""), st.integers(0, 1)),
)


def _arguments(sim: Simulator, tool: str, valid: bool) -> dict[str, Any]:
    if not valid:
        return {"bogus": True}
    if tool == "get_job":
        return {"project_reference": "p", "job_id": _job_id_no_fault(sim)}
    if tool == "get_cron_job":
        snap_crons = sim.snapshot()["cron_jobs"]
        return {"project_reference": "p", "cron_job_id": snap_crons[0]["id"]}
    return {
        "list_jobs": {"project_reference": "p", "limit": 2},
        "create_job": {"project_reference": "p", "name": "m", "target": "task:ok"},
        "sim_advance_clock": {"seconds": 30},
    }[tool]


def _job_id_no_fault(sim: Simulator) -> str:
    job_id: str = sim.snapshot()["jobs"][0]["id"]  # snapshot() is no tool: never faulted
    return job_id


FAULTS_SURVIVED = [0]


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(steps=st.lists(STEPS, min_size=5, max_size=40))
def test_faults_follow_a_model_of_one_queue_per_tool(steps: list[Step]) -> None:
    sim = _sim()
    model: dict[str, deque[list[Any]]] = {}
    for kind, tool, code, n in steps:
        if kind == "inject":
            message = f"{code} x{n}"
            out = sim.call(
                "sim_inject_fault", {"tool": tool, "code": code, "times": n, "message": message}
            )
            model.setdefault(tool, deque()).append([code, message, n])
            assert out["pending"] == sum(f[2] for f in model[tool])
            continue
        arguments = _arguments(sim, tool, bool(n))
        queue = model.get(tool)
        before = _state(sim)
        try:
            sim.call(tool, arguments)
        except ToolError as caught:
            error = caught
        else:
            assert not queue, f"{tool} should have failed with a queued fault"
            assert n, "invalid arguments cannot succeed"
            continue
        if queue:
            code_, message_, _ = queue[0]
            assert (error.code, error.message) == (code_, message_)
            assert error.details == {"injected": True, "tool": tool}
            assert _state(sim) == before
            FAULTS_SURVIVED[0] += 1
            queue[0][2] -= 1
            if queue[0][2] == 0:
                queue.popleft()
        else:
            assert error.code == "invalid_arguments"
            assert not n
    pending = {t: sum(f[2] for f in q) for t, q in model.items() if q}
    snap_faults = sim.snapshot()["faults"]
    assert {t: sum(f["remaining"] for f in q) for t, q in snap_faults.items()} == pending
