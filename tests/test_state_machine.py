"""The stateful test of the simulator, and proof that users can extend it."""

import ast
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule, run_state_machine_as_test

import jobsim.batches
import jobsim.testing
import jobsim.world
from jobsim.lifecycle import TERMINAL, transition
from jobsim.registry import TOOLS
from jobsim.serialize import batch_dict
from jobsim.testing import JobsStateMachine

THOROUGH = settings(max_examples=100, stateful_step_count=30, deadline=None)
QUICK = settings(max_examples=15, stateful_step_count=20, deadline=None, derandomize=True)
# Looking for a planted bug: the same examples every run, no shrinking, no database.
HUNT = settings(
    max_examples=100,
    derandomize=True,
    stateful_step_count=30,
    deadline=None,
    database=None,
    phases=[Phase.generate],
)


def test_the_simulator_keeps_every_invariant_under_random_call_sequences():
    run_state_machine_as_test(JobsStateMachine, settings=THOROUGH)


def test_the_machine_runs_with_other_simulator_knobs():
    class ReturningMachine(JobsStateMachine):
        simulator_options: ClassVar[dict[str, Any]] = {
            "seed": 7,
            "record": False,
            "cancel_terminal": "return",
        }

    run_state_machine_as_test(ReturningMachine, settings=QUICK)


# -- a user's job-status cache, tested against the simulator --------------------------


class JobStatusCache:
    """What a user might write: remembers each job's last known status, refreshes from
    list_jobs, and never lets a finished job look active again."""

    def __init__(self, fetch_page: Any) -> None:
        self.fetch_page = fetch_page
        self.status: dict[str, str] = {}

    def remember(self, record: dict[str, Any]) -> None:
        if self.status.get(record["id"]) not in TERMINAL:
            self.status[record["id"]] = record["status"]

    def refresh(self, project: str) -> None:
        cursor = None
        while True:
            page = self.fetch_page(project, cursor)
            for record in page["data"]:
                self.remember(record)
            cursor = page["page_info"]["next"]
            if cursor is None:
                return


class ForgetfulCache(JobStatusCache):
    """A bug: the last page is dropped when the listing has more than one."""

    def refresh(self, project: str) -> None:
        page = self.fetch_page(project, None)
        while page["page_info"]["next"] is not None:
            for record in page["data"]:
                self.remember(record)
            page = self.fetch_page(project, page["page_info"]["next"])


class CachedJobs(JobsStateMachine):
    """The user's subclass: a cache that polls list_jobs, fed also by the records
    get_job returns, checked against the simulator after every step."""

    cache_class: type[JobStatusCache] = JobStatusCache

    def __init__(self) -> None:
        super().__init__()
        self.cache = self.cache_class(self.fetch_page)
        self.at_refresh: dict[str, set[str]] = {}  # project -> its jobs when refreshed

    def fetch_page(self, project: str, cursor: str | None) -> dict[str, Any]:
        extra = {} if cursor is None else {"cursor": cursor}
        return self.call("list_jobs", project_reference=project, limit=3, **extra)

    def observe(self, tool: str, arguments: dict[str, Any], result: dict[str, Any]) -> None:
        if tool == "get_job":
            self.cache.remember(result)

    @rule(project=JobsStateMachine.projects)
    def refresh_cache(self, project: str) -> None:
        self.cache.refresh(project)
        self.at_refresh[project] = {j["id"] for j in self.all_jobs(project)}

    @rule(job=JobsStateMachine.jobs)
    def a_finished_job_never_looks_active_again(self, job: str) -> None:
        cached = self.cache.status.get(job)
        if cached in TERMINAL:
            assert self.job(job)["status"] == cached

    @invariant()
    def a_refreshed_project_is_fully_cached(self) -> None:
        for jobs in self.at_refresh.values():
            missing = jobs - set(self.cache.status)
            assert not missing, f"the cache lost jobs of a refreshed project: {sorted(missing)}"


def test_a_subclass_can_add_rules_and_invariants_for_a_users_cache():
    run_state_machine_as_test(CachedJobs, settings=QUICK)


def test_the_subclass_catches_a_cache_that_drops_the_last_page():
    class Forgetful(CachedJobs):
        cache_class = ForgetfulCache

    with pytest.raises(AssertionError, match="lost jobs"):
        run_state_machine_as_test(Forgetful, settings=HUNT)


# -- the machine has teeth: planted simulator bugs are found ---------------------------


def test_the_machine_catches_a_batch_count_that_is_off_by_one(monkeypatch):
    def miscounted(batch: Any) -> dict[str, Any]:
        out = batch_dict(batch)
        if out["status_counts"]["canceled"]:
            out["job_count"] += 1
        return out

    monkeypatch.setattr(jobsim.batches, "batch_dict", miscounted)
    with pytest.raises(AssertionError, match="job_count"):
        run_state_machine_as_test(JobsStateMachine, settings=HUNT)


def test_the_machine_catches_a_cancel_that_forgets_completed_at(monkeypatch):
    def sloppy(job: Any, event: str, now_ms: int, exit_code: int | None = None) -> str:
        before = transition(job, event, now_ms, exit_code)
        if event == "cancel":
            job.completed_ms = None
        return before

    monkeypatch.setattr(jobsim.world, "transition", sloppy)
    with pytest.raises(AssertionError, match="completed_at"):
        run_state_machine_as_test(JobsStateMachine, settings=HUNT)


def test_rules_can_draw_from_the_bundles_in_a_subclass():
    drawn: list[str] = []

    class Counting(JobsStateMachine):
        @rule(job=JobsStateMachine.jobs, note=st.just("seen"))
        def note_job(self, job: str, note: str) -> None:
            drawn.append(job)

    run_state_machine_as_test(Counting, settings=QUICK)
    assert drawn, "the subclass rule never ran"


def test_the_documented_subclass_example_runs(monkeypatch):
    """docs/hypothesis.md's example, run as written against the cache above."""
    docs = Path(__file__).resolve().parent.parent / "docs" / "hypothesis.md"
    text = docs.read_text(encoding="utf-8")
    section = text[text.index("### Extending it") :]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    myapp = types.ModuleType("myapp")
    cache = types.ModuleType("myapp.cache")
    cache.JobStatusCache = JobStatusCache  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "myapp", myapp)
    monkeypatch.setitem(sys.modules, "myapp.cache", cache)
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(code, str(docs), "exec"), namespace)
    run_state_machine_as_test(namespace["CachedJobs"], settings=QUICK)


def _tools_the_machine_calls() -> set[str]:
    """Tool names the toolkit passes to ``call`` / ``expect_error`` (read from its source:
    which rules Hypothesis picks in a run is a matter of chance)."""
    folder = Path(jobsim.testing.__file__).parent
    called: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            position = {"call": 0, "expect_error": 1, "_pages": 0, "_all": 0}.get(node.func.attr)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    called.add(argument.value)
    return called


def test_every_tool_has_a_rule_in_the_machine():
    """A tool the machine never calls is a tool its invariants never watch: adding a
    tool to the registry fails here until JobsStateMachine gets a rule for it."""
    missing = sorted(set(TOOLS) - _tools_the_machine_calls())
    assert not missing, f"JobsStateMachine never calls {missing}: give each a rule"


def test_the_rule_finder_sees_calls_and_refusals():
    called = _tools_the_machine_calls()
    assert {"sim_inject_fault", "get_job_target", "sim_get_transcript"} <= called
    assert "invalid_arguments" not in called  # expect_error's code is not a tool
