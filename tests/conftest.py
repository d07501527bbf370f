"""Shared fixtures. Keep this small: no autouse fixtures."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from coverage import Coverage
from hypothesis import Phase, is_hypothesis_test, settings

from jobsim import Simulator

# scripts/mutation.py sets JOBSIM_MUTATION: one failing example is enough to kill a
# mutant, so nothing is shrunk (shrinking a stateful failure can take minutes), and
# the same examples run every time.
settings.register_profile(
    "mutation",
    phases=[Phase.explicit, Phase.generate],
    database=None,
    derandomize=True,
)
if os.environ.get("JOBSIM_MUTATION"):
    settings.load_profile("mutation")

#: Set by scripts/mutation.py's coverage map, which must see every test's lines.
TRACE_ALL = bool(os.environ.get("JOBSIM_TRACE_ALL"))
#: The files that test the Hypothesis toolkit (``jobsim.testing``): there, drawing
#: examples is the code under test, so their tests stay traced.
TOOLKIT_TESTS = frozenset({"test_state_machine.py", "test_strategies.py"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Hypothesis tests of the simulator run without coverage's tracer: it doubles or
    triples their cost (Python 3.11 has no cheap tracing), and the lines they reach
    are the directed tests' to cover. Their worth is the bugs they catch, which
    scripts/mutation.py measures (docs/mutation.md), not lines."""
    coverage = config.pluginmanager.get_plugin("_cov")
    if TRACE_ALL or getattr(coverage, "cov_controller", None) is None:
        return  # not measuring (--no-cov, -p no:cov): pytest-cov's marker would fail
    for item in items:
        draws = is_hypothesis_test(getattr(item, "function", None))
        if draws and item.path.name not in TOOLKIT_TESTS:
            item.add_marker(pytest.mark.no_cover)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything collection made (modules, test items, strategies) out of the
    garbage collector's sight: it lives to the end of the run, and each full
    collection scanned all of it again (about 36 in a worker, 0.18 s each)."""
    gc.collect()
    gc.freeze()


def pytest_configure(config: pytest.Config) -> None:
    """In an xdist worker, stop every coverage already running when the worker
    configures: the one ``patch = ["subprocess"]`` starts with the process (a worker
    is a subprocess of a measured pytest) and the one pytest-cov 7.1 starts before it
    knows it is in a worker. pytest-cov starts the worker's own at session start, on
    top of them, and only that one is saved. Left running, they would take over
    whenever pytest-cov pauses for a ``no_cover`` test, which would be traced all the
    same, for nothing. The worker's own coverage measures the ``jobsim serve``
    processes its tests start."""
    if not hasattr(config, "workerinput"):
        return
    while (running := Coverage.current()) is not None:
        running.stop()  # stopping one makes the one beneath it current


@pytest.fixture
def sim() -> Simulator:
    """A fresh simulator (seed 0) that checks every output against its schema."""
    return Simulator(seed=0, validate_outputs=True)


@pytest.fixture
def project(sim: Simulator) -> dict[str, Any]:
    """A project with slug ``acme`` in ``sim``."""
    return sim.call("sim_create_project", {"slug": "acme"})


@pytest.fixture
def make_job(sim: Simulator, project: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """``make_job(**fields)`` creates a job in ``acme`` (name ``job``, target ``t``)."""

    def make(**fields: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"project_reference": "acme", "name": "job", "target": "t"}
        args.update(fields)
        return sim.call("create_job", args)

    return make


def _run_threads(
    workers: Sequence[Callable[[], Any]],
    *,
    timeout: float = 300.0,
    alongside: Callable[[threading.Event], object] | None = None,
) -> list[Any]:
    """Run each of ``workers`` in a thread of its own and return their results, in order.

    The workers start together: each waits on a ``threading.Barrier`` before it runs.
    ``alongside``, if given, runs in one more thread (not behind the barrier) from the
    start until every worker has finished, when the event it is passed is set.
    ``timeout`` bounds the barrier wait and each join: a guard against a hang, not a
    timing assertion. A thread still alive after its join fails the test.

    Why: an exception raised in a thread does not fail a test by itself; it just ends
    that thread. So every exception is caught, aborts the barrier (the others stop
    waiting), and the first one is raised here, noting which thread raised it.
    """
    barrier = threading.Barrier(len(workers))
    stop = threading.Event()
    results: list[Any] = [None] * len(workers)
    errors: list[tuple[str, BaseException]] = []  # in the order they happened

    def guarded(name: str, run: Callable[[], Any]) -> threading.Thread:
        def target() -> None:
            try:
                run()
            except BaseException as error:
                errors.append((name, error))
                barrier.abort()

        return threading.Thread(target=target, name=name, daemon=True)

    def worker(index: int) -> Callable[[], None]:
        def run() -> None:
            barrier.wait(timeout=timeout)
            results[index] = workers[index]()

        return run

    threads = [guarded(f"worker {i}", worker(i)) for i in range(len(workers))]
    watcher = None
    if alongside is not None:
        watcher = guarded("alongside", lambda: alongside(stop))
    for t in threads:
        t.start()
    if watcher is not None:
        watcher.start()
    for t in threads:
        t.join(timeout=timeout)
    stop.set()
    if watcher is not None:
        watcher.join(timeout=timeout)
        threads.append(watcher)
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        pytest.fail(
            f"{len(alive)} thread(s) still running after a {timeout} s join (a hang?): "
            f"{alive}; errors so far: {errors}"
        )
    if errors:
        name, error = errors[0]
        note = f"raised in thread {name!r} (run_threads, {len(workers)} workers)"
        if len(errors) > 1:
            note += f"; {len(errors) - 1} more thread(s) failed after it: {errors[1:]}"
        error.add_note(note)
        raise error
    return results


@pytest.fixture
def run_threads() -> Callable[..., list[Any]]:
    """``run_threads(workers, *, timeout=300.0, alongside=None)``: see ``_run_threads``."""
    return _run_threads
