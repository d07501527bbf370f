"""Fuzzing every tool through ``Simulator.call`` (SPEC sections 11 and 12).

Each call runs against a simulator pre-populated with two projects,
environments, branches, scripted and manual targets (one with an input schema),
batches holding jobs in every status (one in a retry backoff), cron jobs that are
active, paused and being deleted, and pending events. The arguments are

- any JSON value at all, as the whole arguments (a list, a string, ``null``...),
- an object of the tool's own keys with arbitrary JSON values, and
- near misses: the right keys with real ids of the other project, unknown and
  non-UUID ids, cursors of other listings, boundary, huge, negative, fractional
  and non-finite numbers, empty strings, cron expressions that fit the schema's
  pattern but are no valid schedule, unknown time zones, bad JSON Schemas...

The only outcomes allowed: an output that validates against the tool's output
schema (checked by ``jobsim.checkers.schema_problems``, the library's fast path), or a
:class:`ToolError` whose code is in ``ERROR_CODES``. A refused call must leave the
state as it was (its fingerprint, ``simstate.fingerprint``: everything
``snapshot()`` holds, and the listing indexes) apart from exactly one appended
error entry in the transcript; so must a successful read (``get_*``, ``list_*``).
A second test runs random sequences of such calls, so that state left by an odd but
accepted call (a target with a strange schema, a cron job in a far zone, a queued
fault) is fuzzed too.

Volume: ``EXAMPLES_PER_TOOL`` (150) Hypothesis examples of ``CALLS`` (10) calls each
= 1,500 fuzzed calls for each tool of the registry (about a quarter succeed), plus
``SEQUENCES`` (200) sequences of up to 12 mixed calls. Derandomised with no example
database: CI runs the very same inputs every time. Measured on a 2-core machine
during the whole suite's run: 48-55 s of CPU (untraced, see ``conftest.py``).
``.ci/run`` sets ``JOBSIM_FUZZ_EXAMPLES=300``; any N runs N examples per tool for a
deeper search.
"""

from __future__ import annotations

import functools
import json
import math
import os
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobsim import ERROR_CODES, Simulator, ToolError
from jobsim.checkers import check, schema_problems
from jobsim.registry import TOOLS
from jobsim.simulator import READ_ONLY_TOOLS
from jobsim.transcript import UNRECORDED, thaw_entry

from simstate import fingerprint, frozen, frozen_transcript, thaw

#: Hypothesis examples per tool; ``JOBSIM_FUZZ_EXAMPLES`` raises it for a deeper run.
EXAMPLES_PER_TOOL = int(os.environ.get("JOBSIM_FUZZ_EXAMPLES", "150"))
CALLS = 10  # calls per Hypothesis example: one draw feeds several independent calls
SEQUENCES = 200

FUZZ = settings(
    max_examples=EXAMPLES_PER_TOOL,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BATCH_A = "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"
BATCH_B = "1c9f5a5f-9e5d-4d9b-8e1b-7a2a3c4d5e6f"
BETA_ID = "5e5e5e5e-0000-4000-8000-000000000001"
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


# -- the pre-populated world ---------------------------------------------------------


def _populate() -> tuple[Simulator, dict[str, list[Any]], dict[str, list[dict[str, Any]]]]:
    """A simulator with something of everything; the real values found in it; and,
    per tool, argument objects that are right (a near miss is one of them, changed)."""
    sim = Simulator(seed=7)

    def c(tool: str, **args: Any) -> dict[str, Any]:
        return sim.call(tool, args)

    alpha = c("sim_create_project", slug="alpha")["id"]
    c("sim_create_project", slug="beta", id=BETA_ID)
    env_a, env_b = (
        c("sim_create_environment", project_reference=r, name="prod")["id"]
        for r in ("alpha", "beta")
    )
    br_a, br_b = (
        c("sim_create_branch", project_reference=r, name="main")["id"] for r in ("alpha", "beta")
    )
    c(
        "sim_define_target",
        name="task:ok",
        behavior={"start_after_seconds": 1, "run_seconds": 2, "events": ["hello"]},
    )
    c("sim_define_target", name="task:flaky", behavior={"run_seconds": 5, "exit_codes": [1, 0]})
    c("sim_define_target", name="task:fail", behavior={"run_seconds": 1, "exit_codes": [7]})
    c("sim_define_target", name="task:slow", behavior={"run_seconds": 100000})
    c(
        "sim_define_target",
        name="schema:strict",
        description="needs n",
        input_schema={
            "type": "object",
            "required": ["n"],
            "properties": {"n": {"type": "integer"}},
        },
        output_schema={"type": "object"},
    )
    # Sparse schedules only, and few runs: an advance by the largest amount allowed (to
    # the year 9999) must stay cheap, and every tick of every cron job is an event.
    yearly = c(
        "create_cron_job",
        project_reference="alpha",
        name="yearly",
        target="img:x",
        schedule="0 0 1 1 *",
        concurrency_policy="Forbid",
        environment_id=env_a,
    )["id"]
    leap = c(
        "create_cron_job",
        project_reference="beta",
        name="leap",
        target="img:x",
        schedule="0 12 29 2 *",
        timezone="Europe/Berlin",
        concurrency_policy="Allow",
    )["id"]
    jobs: dict[str, list[str]] = {"alpha": [], "beta": []}

    def job(ref: str, batch: str | None, target: str, **kw: Any) -> str:
        args = {"project_reference": ref, "name": f"job {len(jobs[ref])}", "target": target, **kw}
        if batch:
            args["batch_id"] = batch
        jobs[ref].append(sim.call("create_job", args)["id"])
        return jobs[ref][-1]

    for target in ("task:ok", "task:flaky", "task:fail", "task:slow", "img:x"):
        job("alpha", BATCH_A, target, backoff_limit=1, timeout_seconds=600)
    job("alpha", None, "task:ok", environment_id=env_a, branch_id=br_a)
    job("beta", BATCH_B, "task:ok", config={"k": [1, 2.5, None, True, "s"]})
    c("sim_advance_clock", seconds=400 * 86400)  # the yearly cron fires once
    manual = [job("alpha", BATCH_A, "img:y", backoff_limit=0) for _ in range(6)]
    for job_id in manual[1:5]:
        c("sim_start_job", project_reference="alpha", job_id=job_id)
    c("sim_finish_job", project_reference="alpha", job_id=manual[1], exit_code=0)
    c("sim_finish_job", project_reference="alpha", job_id=manual[2], exit_code=3)
    c("cancel_job", project_reference="alpha", job_id=manual[3])
    retry = job("alpha", BATCH_A, "img:z", backoff_limit=2)
    c("sim_start_job", project_reference="alpha", job_id=retry)
    c("sim_finish_job", project_reference="alpha", job_id=retry, exit_code=1)  # in a backoff
    job("beta", BATCH_B, "task:flaky")
    job("beta", None, "schema:strict", config={"n": 1})
    for _ in range(5):
        job("alpha", None, "img:many")
    paused = c(
        "create_cron_job",
        project_reference="alpha",
        name="paused",
        target="task:ok",
        schedule="30 6 1 7 *",
        timezone="America/New_York",
        concurrency_policy="Replace",
    )["id"]
    c("update_cron_job", project_reference="alpha", cron_job_id=paused, status="paused")
    jobs["alpha"].append(c("trigger_cron_job", project_reference="alpha", cron_job_id=paused)["id"])
    c("sim_advance_clock", seconds=3)
    dying = c(
        "create_cron_job",
        project_reference="beta",
        name="dying",
        target="img:x",
        schedule="0 0 1 1 *",
    )["id"]
    c("delete_cron_job", project_reference="beta", cron_job_id=dying)

    page = c("list_jobs", project_reference="alpha", limit=3)["page_info"]["next"]
    cron_page = c("list_cron_jobs", project_reference="alpha", limit=1)["page_info"]["next"]
    batch_page = c("list_job_batch_jobs", project_reference="alpha", batch_id=BATCH_A, limit=2)
    batch_next = batch_page["page_info"]["next"]
    backward = c("get_job_events", project_reference="alpha", job_id=retry, limit=2)["next_cursor"]
    forward = c(
        "get_job_events", project_reference="alpha", job_id=retry, limit=2, direction="forward"
    )["next_cursor"]

    values: dict[str, list[Any]] = {
        "projects": ["alpha", "beta", alpha, BETA_ID],
        "jobs": jobs["alpha"] + jobs["beta"],
        "crons": [yearly, paused, leap, dying],
        "batches": [BATCH_A, BATCH_B],
        "scoped": [env_a, env_b, br_a, br_b],
        "cursors": [page, cron_page, batch_next, backward, forward],
        "targets": ["task:ok", "task:flaky", "task:fail", "task:slow", "schema:strict", "img:x"],
    }
    pairs = [("alpha", j) for j in jobs["alpha"]] + [(BETA_ID, j) for j in jobs["beta"]]
    running = [
        (p, j)
        for p, j in pairs
        if c("get_job", project_reference=p, job_id=j)["status"] == "working" and j != retry
    ]
    assert running
    statuses = {j: c("get_job", project_reference=p, job_id=j)["status"] for p, j in pairs}
    active = [(p, j) for p, j in pairs if statuses[j] in ("submitted", "working")]
    finished = [(p, j) for p, j in pairs if statuses[j] not in ("submitted", "working")]
    crons = [("alpha", yearly), (alpha, paused), ("beta", leap), ("beta", dying)]
    new_batch = "2d0a6b60-0f6e-4ac0-9c2c-8b3b4c5d6e7f"
    rich_cron = {
        "project_reference": "beta",
        "name": "rich",
        "target": "schema:strict",
        "schedule": "15 4 * * 1-5",
        "timezone": "Europe/Berlin",
        "environment_id": env_b,
        "branch_id": br_b,
        "config": {"n": 2},
        "timeout_seconds": 60,
        "backoff_limit": 0,
        "concurrency_policy": "Replace",
    }
    valid: dict[str, list[dict[str, Any]]] = {
        "cancel_job": [{"project_reference": p, "job_id": j} for p, j in active + finished[:2]],
        "get_job": [{"project_reference": p, "job_id": j} for p, j in pairs],
        "sim_start_job": [{"project_reference": p, "job_id": j} for p, j in pairs[-8:]],
        "sim_finish_job": [
            {"project_reference": p, "job_id": j, "exit_code": code}
            for p, j in running
            for code in (0, 1, 255)
        ]
        + [{"project_reference": "alpha", "job_id": retry, "exit_code": 0}],  # in a backoff
        "get_job_events": [{"project_reference": p, "job_id": j} for p, j in pairs]
        + [
            {"project_reference": "alpha", "job_id": retry, "cursor": backward, "limit": 2},
            {
                "project_reference": "alpha",
                "job_id": retry,
                "cursor": forward,
                "direction": "forward",
                "limit": 1000,
            },
        ],
        "create_job": [
            {"project_reference": "alpha", "name": "n", "target": "img:x"},
            {
                "project_reference": "alpha",
                "name": "n",
                "target": "task:flaky",
                "batch_id": BATCH_A,
                "environment_id": env_a,
                "branch_id": br_a,
                "timeout_seconds": 60,
                "backoff_limit": 0,
                "config": {"a": [1, {"b": None}]},
            },
            {
                "project_reference": BETA_ID,
                "name": "n",
                "target": "schema:strict",
                "config": {"n": 3},
                "batch_id": new_batch,
            },
        ],
        "list_jobs": [
            {"project_reference": "alpha"},
            {"project_reference": "alpha", "status": "working", "limit": 5},
            {"project_reference": "alpha", "cursor": page, "limit": 3},
            {"project_reference": alpha, "batch_id": BATCH_A, "environment_id": env_a},
            {"project_reference": "beta", "cron_job_id": leap, "status": "submitted"},
        ],
        "list_job_batch_jobs": [
            {"project_reference": "alpha", "batch_id": BATCH_A},
            {"project_reference": "alpha", "batch_id": BATCH_A, "cursor": batch_next, "limit": 2},
            {"project_reference": "beta", "batch_id": BATCH_B, "status": "submitted", "limit": 100},
        ],
        "get_job_batch": [
            {"project_reference": "alpha", "batch_id": BATCH_A},
            {"project_reference": BETA_ID, "batch_id": BATCH_B},
        ],
        "create_cron_job": [
            {"project_reference": "alpha", "name": "c", "target": "img:x", "schedule": "0 0 1 1 *"},
            rich_cron,
        ],
        "get_cron_job": [{"project_reference": p, "cron_job_id": i} for p, i in crons],
        "delete_cron_job": [{"project_reference": p, "cron_job_id": i} for p, i in crons],
        "trigger_cron_job": [{"project_reference": p, "cron_job_id": i} for p, i in crons],
        "list_cron_jobs": [
            {"project_reference": "alpha"},
            {"project_reference": "alpha", "cursor": cron_page, "limit": 1},
            {"project_reference": "beta", "status": "deleting"},
            {"project_reference": alpha, "environment_id": env_a, "status": "active"},
        ],
        "update_cron_job": [
            {"project_reference": "alpha", "cron_job_id": yearly, "name": "renamed"},
            {
                "project_reference": "alpha",
                "cron_job_id": paused,
                "status": "active",
                "schedule": "0 0 1 1 *",
            },
            {
                "project_reference": "beta",
                "cron_job_id": leap,
                "timezone": "UTC",
                "config": {},
                "timeout_seconds": 10,
                "backoff_limit": 1,
                "concurrency_policy": "Allow",
            },
        ],
        "get_job_target": [
            {"project_reference": "alpha", "target_name": "task:ok"},
            {
                "project_reference": "beta",
                "target_name": "schema:strict",
                "runtime_target_kind": "production",
                "target_environment_id": env_b,
                "target_branch_id": None,
                "source_target_kind": "project",
            },
        ],
        "sim_create_project": [{"slug": "gamma"}, {"slug": "gamma", "id": new_batch}],
        "sim_create_environment": [{"project_reference": "alpha", "name": "staging"}],
        "sim_create_branch": [{"project_reference": BETA_ID, "name": "feature"}],
        "sim_define_target": [
            {"name": "new:target"},
            {
                "name": "task:ok",
                "description": "redefined",
                "input_schema": {"type": "object"},
                "output_schema": {"type": "object"},
                "behavior": {
                    "start_after_seconds": 0,
                    "run_seconds": 0.5,
                    "exit_codes": [2, 0],
                    "events": ["go"],
                },
            },
        ],
        "sim_advance_clock": [
            {"seconds": 0},
            {"seconds": 1},
            {"seconds": 60.5},
            {"seconds": 86400 * 40},
        ],
        "sim_inject_fault": [
            {"tool": "get_job", "code": "internal"},
            {"tool": "cancel_job", "code": "rate_limited", "message": "slow down", "times": 3},
        ],
        "sim_get_transcript": [
            {},
            {"limit": 2, "before_index": 5},
            {"from_index": 3, "limit": 1000},
        ],
    }
    assert set(valid) == set(TOOLS)
    return sim, values, valid


_BASE_SIM, VALUES, VALID = _populate()
_BASE = _BASE_SIM.snapshot()
_BASE["transcript"] = []  # each restored copy starts with an empty transcript


# -- strategies ------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Lists and objects (empty ones too) of ``inner``."""
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


_NESTED_JSON = JSON_SCALARS | _containers(
    JSON_SCALARS | _containers(JSON_SCALARS | _containers(JSON_SCALARS))
)


@st.composite
def _any_json(draw: st.DrawFn) -> Any:
    # A composite is one branch of a ``one_of``; the ``|`` above, used directly, would
    # be flattened into its seven branches and crowd out the near misses.
    return draw(_NESTED_JSON)


#: Any JSON value, up to three containers deep. Not ``st.recursive``: drawing from it
#: cost about three times as much (most of a fuzz example's generation), and no
#: tool's input schema looks deeper than this.
ANY_JSON = _any_json()

NUMBERS = (
    st.sampled_from(
        [
            *(0, 1, -1, 2, 3, 3.0, 0.5, -0.0, 1.5, 20, 99, 100, 101, 254, 255, 256, 999, 1000),
            *(1001, 2**31, 2**53 + 1, 2**63, 10**30, -(10**30), 1e15, 1e308, -1e308, 5e-324),
            *(math.nan, math.inf, -math.inf, 251635075199.999, 86400 * 365 * 100),
        ]
    )
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
)

STRINGS = st.sampled_from(
    [
        *("", " ", "\n", "\t ", "a", "alpha", "ALPHA", "beta\n", "x" * 300, "é", "\x00", "null"),
        *("0", "-1", "true", "../etc/passwd", "task:", ":", UNKNOWN_UUID, UNKNOWN_UUID.upper()),
        *(BATCH_A + "\n", " " + BATCH_A, BATCH_A[:-1], "not-a-uuid", "{}", "[]"),
    ]
) | st.text(max_size=12)

IDS = (
    st.sampled_from(
        VALUES["projects"]
        + VALUES["jobs"]
        + VALUES["crons"]
        + VALUES["batches"]
        + VALUES["scoped"]
        + VALUES["cursors"]
    )
    | STRINGS
)

SCHEDULES = st.sampled_from(
    [
        *("*/5 * * * *", "0 0 1 1 *", "0 0 30 2 *", "0 0 31 4 *", "61 * * * *", "* 24 * * *"),
        *("* * 0 * *", "* * * 13 *", "* * * * 8", "a b c d e", "*/0 * * * *", "5-1 * * * *"),
        *("* * * * * *", "* * * *", "@daily", "0 0 L * *", "0 0 * * MON#6", "1,,2 * * * *"),
        *("0 3 * * 0", "30 2 * 3 0", "0 0 29 2 1", "-1 * * * *", "\u0661 * * * *"),
    ]
)
ZONES = st.sampled_from(
    [
        *("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Nope/Zone", "", "utc"),
        *("localtime", "../../etc/passwd", "/etc/localtime", "Etc/GMT+14", "posixrules", "\x00"),
        *("Europe/../Europe/Berlin", "a" * 300),
    ]
)
SCHEMAS = (
    st.sampled_from(
        [
            {},
            {"type": "object"},
            {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}},
            {"type": "nope"},
            {"$ref": "#/definitions/missing"},
            {"properties": {"n": {"$ref": "#/definitions/missing"}}},
            {"$ref": "http://127.0.0.1:9/schema.json"},
            {"pattern": "("},
            {"minimum": math.nan},
            {"enum": []},
            {"not": {}},
            {"format": "email"},
        ]
    )
    | ANY_JSON
)
CONFIGS = st.sampled_from(
    [{}, {"n": 1}, {"n": "x"}, {"n": math.nan}, {"a": {"b": [math.inf]}}, {"": None}]
) | st.dictionaries(st.text(max_size=5), ANY_JSON, max_size=3)
BEHAVIORS = (
    st.fixed_dictionaries(
        {},
        optional={
            "start_after_seconds": NUMBERS,
            "run_seconds": NUMBERS,
            "exit_codes": st.lists(NUMBERS, max_size=3) | ANY_JSON,
            "events": st.lists(STRINGS, max_size=3) | ANY_JSON,
            "extra": ANY_JSON,
        },
    )
    | ANY_JSON
)

ENUMS = st.sampled_from(
    [
        *("submitted", "working", "completed", "failed", "canceled", "active", "paused"),
        *("deleting", "Allow", "Forbid", "Replace", "forward", "backward", "production"),
        *("environment", "preview_branch", "project", "allow", "Active", ""),
        *ERROR_CODES,
        *("unknown_code", "ToolError"),
    ]
)

#: key -> strategy of near-miss values (anything may also be any JSON value).
NEAR: dict[str, st.SearchStrategy[Any]] = {
    "project_reference": IDS,
    "job_id": IDS,
    "cron_job_id": IDS,
    "batch_id": IDS,
    "environment_id": IDS,
    "branch_id": IDS,
    "target_environment_id": IDS | st.none(),
    "target_branch_id": IDS | st.none(),
    "id": IDS,
    "cursor": IDS,
    "target": STRINGS,
    "target_name": STRINGS,
    "name": STRINGS,
    "slug": STRINGS,
    "description": STRINGS,
    "message": STRINGS,
    "tool": STRINGS,
    "code": ENUMS,
    "status": ENUMS,
    "direction": ENUMS,
    "concurrency_policy": ENUMS,
    "runtime_target_kind": ENUMS | st.none(),
    "source_target_kind": ENUMS,
    "schedule": SCHEDULES | STRINGS,
    "timezone": ZONES | STRINGS,
    "config": CONFIGS,
    "input_schema": SCHEMAS,
    "output_schema": SCHEMAS,
    "behavior": BEHAVIORS,
}


@functools.cache
def near_value(key: str) -> st.SearchStrategy[Any]:
    """A plausible but probably wrong value of ``key``, or any number or JSON value.
    Built once per key: Hypothesis validates every new strategy on its first draw."""
    return st.one_of(NEAR.get(key, NUMBERS | STRINGS), NUMBERS, ANY_JSON)


_CHANGES = st.sampled_from([0, 1, 1, 1, 2, 2])
_DROP = st.sampled_from([True, False, False, False])


@functools.cache
def _valid_and_keys(tool: str) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[str]]:
    keys = [*TOOLS[tool].input_schema.get("properties", {}), "extra"]
    return st.sampled_from(VALID[tool]), st.sampled_from(keys)


@st.composite
def near_miss_arguments(draw: st.DrawFn, tool: str) -> dict[str, Any]:
    """A right argument object of ``tool``, with none, one or two keys changed (a near
    miss, or a different value), dropped, or added."""
    valid, keys = _valid_and_keys(tool)
    args = dict(draw(valid))
    for _ in range(draw(_CHANGES)):
        key = draw(keys)
        if key in args and draw(_DROP):
            del args[key]
        else:
            args[key] = draw(near_value(key))
    return args


def _same(x: Any) -> Any:
    return x


@functools.cache
def arguments_for(tool: str) -> st.SearchStrategy[Any]:
    """Arguments of ``tool``: mostly near misses, or its own keys with any values, or
    any JSON value at all. Built once per tool (see :func:`near_value`)."""
    keys = list(TOOLS[tool].input_schema.get("properties", {}))
    own_keys_any_values = st.dictionaries(st.sampled_from(keys), ANY_JSON, max_size=len(keys))
    near = near_miss_arguments(tool)
    return st.sampled_from([near, near, near, near, own_keys_any_values, ANY_JSON]).flatmap(_same)


# -- the check -------------------------------------------------------------------------


def _state(sim: Simulator, *, faults: bool = True) -> tuple[bytes, list[bytes]]:
    """The state's fingerprint (without the transcript, and unless ``faults``, without
    the queued faults, which a refused call consumes), and the transcript's entries as
    the bytes it holds (compared without thawing; :func:`thaw_entry` thaws one)."""
    return fingerprint(sim, faults=faults), frozen_transcript(sim)


def _far(arguments: Any) -> bool:
    seconds = arguments.get("seconds") if isinstance(arguments, dict) else None
    return isinstance(seconds, int | float) and not seconds < 30 * 86400


_BASE_COPY = frozen(Simulator.from_snapshot(_BASE))  # each of the harness's copies is thawed
BASE_STATE = _state(thaw(_BASE_COPY))[0]


class Harness:
    """A restored copy of the populated world, renewed after any call that succeeded
    (a refused call must change nothing, so the same copy serves the next example)."""

    def __init__(self) -> None:
        self.calls = 0
        self.refused = 0
        self.succeeded = 0
        self._renew()

    def _renew(self) -> None:
        self.sim = thaw(_BASE_COPY)
        self.state, self.transcript = BASE_STATE, []

    def check(self, tool: str, arguments: Any) -> dict[str, Any] | ToolError:
        """Call ``tool`` and assert the outcome is one of the two allowed ones: the
        output, or the error (returned, not raised)."""
        self.calls += 1
        if len(self.transcript) > 12:  # keep the snapshots small
            self._renew()
        sim = self.sim
        try:
            outcome = _call(sim, tool, arguments)
        except BaseException:
            self._renew()  # the next example starts from an intact copy
            raise
        if isinstance(outcome, ToolError):
            self.refused += 1
            state, transcript = _state(sim)
            assert state == self.state, f"refused {tool} changed the state: {outcome}"
            if isinstance(tool, str) and tool in UNRECORDED:
                assert transcript == self.transcript, f"refused {tool} was recorded"
                return outcome
            assert transcript[:-1] == self.transcript
            assert len(transcript) == len(self.transcript) + 1
            entry = thaw_entry(transcript[-1])
            assert entry["tool"] == tool
            assert entry["error"] == outcome.to_dict()
            assert "result" not in entry
            self.transcript = transcript
            return outcome
        self.succeeded += 1
        if tool in READ_ONLY_TOOLS:
            # A read changes nothing either: the same copy serves the next example.
            state, transcript = _state(sim)
            assert state == self.state, f"{tool} changed the state"
            if tool in UNRECORDED:
                assert transcript == self.transcript, f"{tool} was recorded"
                return outcome
            assert transcript[:-1] == self.transcript
            assert thaw_entry(transcript[-1])["result"] == outcome
            self.transcript = transcript
        else:
            self._renew()
        return outcome


def _call(sim: Simulator, tool: str, arguments: Any) -> dict[str, Any] | ToolError:
    """The outcome of one call, asserted to be one of the two allowed ones."""
    try:
        result = sim.call(tool, arguments)
    except ToolError as caught:
        error = caught
    else:
        check(schema_problems(tool, result), f"{tool} output breaks its schema")
        json.dumps(result, allow_nan=False)
        return result
    assert error.code in ERROR_CODES
    assert error.message
    assert error.message in str(error)
    json.dumps(error.to_dict())
    return error


HARNESS = Harness()


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_any_arguments_give_a_valid_output_or_a_tool_error_that_changes_nothing(
    tool: str,
) -> None:
    seen = {"ok": 0, "refused": 0}

    @FUZZ
    @given(batch=st.lists(arguments_for(tool), min_size=CALLS, max_size=CALLS))
    def run(batch: list[Any]) -> None:
        for arguments in batch:
            out = HARNESS.check(tool, arguments)
            seen["refused" if isinstance(out, ToolError) else "ok"] += 1

    run()
    # The strategies reach both outcomes for every tool (or they test little).
    assert seen["refused"] > 0
    assert seen["ok"] > 0, f"no {tool} call succeeded: the near misses are too far"


def _kinds(value: Any, depth: int = 0) -> set[tuple[str, int]]:
    """(type name, container depth) of ``value`` and of everything in it."""
    kinds = {(type(value).__name__, depth)}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        kinds |= {("empty", depth)} if not value else set()
        for item in value:
            kinds |= _kinds(item, depth + 1)
    return kinds


def test_any_json_reaches_every_kind_of_value_three_containers_deep() -> None:
    """The bounded ``ANY_JSON`` still makes every JSON type, empty containers, and
    values nested in three containers (what the fuzz tests' input schemas can see)."""
    seen: set[tuple[str, int]] = set()

    @settings(FUZZ, max_examples=300)
    @given(value=ANY_JSON)
    def run(value: Any) -> None:
        seen.update(_kinds(value))

    run()
    kinds = {kind for kind, _ in seen}
    assert {"NoneType", "bool", "int", "float", "str", "list", "dict", "empty"} <= kinds
    assert max(depth for _, depth in seen) == 3


def test_arguments_of_the_wrong_shape_are_refused_as_invalid_arguments() -> None:
    for tool in TOOLS:
        for arguments in ([], "x", 1, 2.5, True, [{"project_reference": "alpha"}]):
            error = HARNESS.check(tool, arguments)
            assert isinstance(error, ToolError)
            assert error.code == "invalid_arguments"
            assert "arguments" in error.message


def test_an_unknown_tool_name_is_refused_and_changes_nothing() -> None:
    for name in ("nope", "", "CANCEL_JOB", " cancel_job", None, 3, ["cancel_job"]):
        error = HARNESS.check(name, {})  # type: ignore[arg-type]
        assert isinstance(error, ToolError)
        assert error.code == "invalid_arguments"
        assert "unknown tool" in error.message


@st.composite
def call_sequences(draw: st.DrawFn) -> list[tuple[str, Any]]:
    tools = st.sampled_from(sorted(TOOLS))
    n = draw(st.integers(1, 12))
    return [(tool := draw(tools), draw(arguments_for(tool))) for _ in range(n)]


@settings(FUZZ, max_examples=SEQUENCES)
@given(calls=call_sequences())
def test_sequences_of_fuzzed_calls_keep_every_outcome_allowed(
    calls: list[tuple[str, Any]],
) -> None:
    """State left by a strange but accepted call (a target with an odd schema, a cron
    in an odd zone) must not break later calls: each outcome is still allowed, and the
    final state round-trips through a snapshot."""
    sim = Simulator.from_snapshot(_BASE)
    dense_crons = False
    for tool, arguments in calls:
        if dense_crons and tool == "sim_advance_clock" and _far(arguments):
            continue  # every tick of a cron is an event: years of minutes take too long
        before, transcript = _state(sim, faults=False)
        outcome = _call(sim, tool, arguments)
        if isinstance(outcome, ToolError):
            after, transcript_after = _state(sim, faults=False)
            assert after == before
            kept = transcript_after if tool in UNRECORDED else transcript_after[:-1]
            assert kept == transcript
        else:
            dense_crons = dense_crons or tool in ("create_cron_job", "update_cron_job")
    snap = sim.snapshot()
    again = Simulator.from_snapshot(json.loads(json.dumps(snap)))
    assert json.dumps(again.snapshot()) == json.dumps(snap)


LAST = "9999-12-31T23:59:59.999Z"  # timestamps end with the year 9999


def _seconds_until(sim: Simulator, stamp: str) -> float:
    def parse(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return (parse(stamp) - parse(sim.now)).total_seconds()


def test_cron_jobs_near_the_end_of_time_neither_crash_nor_half_apply_an_advance() -> None:
    """Regression: a cron job's next fire time past the year 9999 raised OverflowError
    in the middle of ``sim_advance_clock`` (the clock and earlier fires already applied)
    and in ``create_cron_job``. A cron job with no fire time left simply stops.

    A world of its own, moved to the year 9998 before its cron jobs exist: from the
    populated world's, the same advance fires its cron jobs for eight thousand years."""
    sim = Simulator(seed=7)
    sim.call("sim_create_project", {"slug": "alpha"})
    sim.call("sim_advance_clock", {"seconds": _seconds_until(sim, "9998-06-01T00:00:00.000Z")})

    def make_cron(name: str, schedule: str, zone: str) -> str:
        made = sim.call(
            "create_cron_job",
            {
                "project_reference": "alpha",
                "name": name,
                "target": f"img:{name}",
                "schedule": schedule,
                "timezone": zone,
                "concurrency_policy": "Allow",
            },
        )
        return str(made["id"])

    # A zone ahead of UTC: its local wall clock reaches the year 10000 first.
    tokyo = make_cron("tokyo", "59 23 31 12 *", "Asia/Tokyo")
    yearly = make_cron("yearly", "0 0 1 1 *", "UTC")
    assert _call(sim, "sim_advance_clock", {"seconds": _seconds_until(sim, LAST)}) == {"now": LAST}

    def runs(cron_job_id: str) -> list[str]:
        listed = sim.call("list_jobs", {"project_reference": "alpha", "cron_job_id": cron_job_id})
        return [job["created_at"] for job in listed["data"]]

    # Every fire before the end applied, newest first; 23:59 in Tokyo is 14:59 UTC.
    assert runs(tokyo) == ["9999-12-31T14:59:00.000Z", "9998-12-31T14:59:00.000Z"]
    assert runs(yearly) == ["9999-01-01T00:00:00.000Z"]
    # Nothing can fire any more, but every cron tool still works.
    for zone in ("UTC", "Asia/Tokyo", "Pacific/Kiritimati", "America/Adak"):
        cron = _call(
            sim,
            "create_cron_job",
            {
                "project_reference": "alpha",
                "name": zone,
                "target": "img:x",
                "schedule": "* * * * *",
                "timezone": zone,
            },
        )
        assert not isinstance(cron, ToolError), cron
        updated = _call(
            sim,
            "update_cron_job",
            {"project_reference": "alpha", "cron_job_id": cron["id"], "schedule": "0 0 1 1 *"},
        )
        assert not isinstance(updated, ToolError), updated
    assert _call(sim, "sim_advance_clock", {"seconds": 0}) == {"now": LAST}
    state, transcript = _state(sim)
    refused = _call(sim, "sim_advance_clock", {"seconds": 0.001})
    assert isinstance(refused, ToolError)
    assert refused.code == "invalid_arguments"
    assert _state(sim)[0] == state
    assert len(_state(sim)[1]) == len(transcript) + 1
    snap = sim.snapshot()
    assert Simulator.from_snapshot(json.loads(json.dumps(snap))).snapshot() == snap
