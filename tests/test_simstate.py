"""The fuzz harness's helpers (``tests/simstate.py``): the fingerprint changes whenever
the snapshot does, and a thawed copy is the simulator it was frozen from.

The fuzz suite trusts ``fingerprint`` instead of a snapshot to say "this call changed
nothing", so the property must hold for every part of the state, not only for what a
transcript would show (the fingerprint leaves the transcript out):

- along random programs of calls (``test_snapshot``'s ``Driver``: jobs, batches, cron
  jobs, clock advances, faults, reads and refusals), no two states whose snapshots
  differ (transcript left out) share a fingerprint, with and without the faults;
- one changed leaf of a busy simulator's snapshot, anywhere (a job's log, a pending
  event, the id source, a fault, a cron job's anchor...), changes the fingerprint of
  the restored simulator unless it restores to the same snapshot.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jobsim import Simulator
from jobsim.snapshot import SnapshotError
from jobsim.transcript import thaw_entry

from simstate import fingerprint, frozen, frozen_transcript, thaw

# The snapshot tests' program driver and leaf changes (one way to write a program).
from test_snapshot import OPS, Driver, _busy, _mutate, leaf_changes

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _snapshot_text(sim: Simulator, *, faults: bool = True) -> str:
    snap = sim.snapshot()
    del snap["transcript"]
    if not faults:
        del snap["faults"]
    return json.dumps(snap, sort_keys=True)


def test_states_with_different_snapshots_never_share_a_fingerprint() -> None:
    changed: set[str] = set()  # top-level snapshot parts seen to change, over all examples
    unchanged_steps = 0  # steps that left the fingerprint as it was (reads, refusals)

    @settings(SETTINGS, max_examples=60)
    @given(program=st.lists(OPS, max_size=60))
    @example(program=[("cron", 0, 1), ("delete", 0, 0), ("advance", 3, 0), ("target", 4, 1)])
    def run(program: list[tuple[str, int, int]]) -> None:
        nonlocal unchanged_steps
        driver = Driver(Simulator(seed=5))
        driver.setup()
        texts: dict[tuple[bytes, bool], str] = {}
        before = driver.sim.snapshot()
        previous = fingerprint(driver.sim)
        for op in program:
            driver.run(op)
            for faults in (True, False):
                text = _snapshot_text(driver.sim, faults=faults)
                key = (fingerprint(driver.sim, faults=faults), faults)
                assert texts.setdefault(key, text) == text, f"after {op}"
            now = driver.sim.snapshot()
            changed.update(k for k in now if k != "transcript" and now[k] != before[k])
            unchanged_steps += fingerprint(driver.sim) == previous
            before, previous = now, fingerprint(driver.sim)

    run()
    # The programs change every part of the state, and leave it alone often enough.
    assert changed >= {
        *("clock_ms", "ids", "seq", "behaviors", "jobs", "batches", "cron_jobs"),
        *("deleting", "queue", "faults"),
    }
    assert unchanged_steps > 100


BUSY = _busy().sim
BUSY_SNAPSHOT = BUSY.snapshot()
BUSY_SNAPSHOT["transcript"] = []
BUSY_TEXT = _snapshot_text(Simulator.from_snapshot(BUSY_SNAPSHOT))
BUSY_FINGERPRINT = fingerprint(Simulator.from_snapshot(BUSY_SNAPSHOT))


@settings(SETTINGS, max_examples=300)
@given(change=leaf_changes(BUSY_SNAPSHOT, skip=frozenset({"transcript"})))
def test_one_changed_leaf_anywhere_changes_the_fingerprint(
    change: tuple[tuple[Any, ...], Any, bool],
) -> None:
    path, new, drop = change
    value = copy.deepcopy(BUSY_SNAPSHOT)
    _mutate(value, path, new, drop)
    try:
        sim = Simulator.from_snapshot(value)
    except SnapshotError:
        return  # refused: no state to compare
    if _snapshot_text(sim) != BUSY_TEXT:
        assert fingerprint(sim) != BUSY_FINGERPRINT, path


def test_a_thawed_copy_has_the_original_state_and_continues_alike() -> None:
    original = _busy()
    twin = Driver(thaw(frozen(original.sim)))
    twin.jobs, twin.crons = list(original.jobs), list(original.crons)
    assert twin.sim.snapshot() == original.sim.snapshot()
    assert fingerprint(twin.sim) == fingerprint(original.sim)
    for op in [("create", 1, 2), ("advance", 5, 0), ("cancel", 2, 0), ("fault", 1, 1)]:
        assert twin.run(op) == original.run(op), op
    assert twin.sim.snapshot() == original.sim.snapshot()
    # Independent: a call on one leaves the other alone.
    twin.run(("create", 0, 0))
    assert twin.sim.snapshot() != original.sim.snapshot()


def test_the_frozen_transcript_is_the_transcript_in_sealed_chunks_and_under_a_limit() -> None:
    """``frozen_transcript`` reads the transcript's own bytes: thawed, they are exactly
    ``sim.transcript``, when entries sit in sealed chunks and when the oldest were
    forgotten under a limit (so the fuzz harness compares the same thing, cheaper)."""
    for limit in (None, 7):
        sim = Simulator(seed=1, transcript_limit=limit)
        sim.call("sim_create_project", {"slug": "acme"})
        for n in range(12):  # about 40 KB each: several sealed chunks
            sim.call("sim_create_environment", {"project_reference": "acme", "name": f"e{n}"})
            sim.call(
                "create_job", {"project_reference": "acme", "name": "x" * 40_000, "target": "t"}
            )
        assert sim._world.transcript._sealed, "the entries should fill sealed chunks"
        entries = frozen_transcript(sim)
        assert [thaw_entry(entry) for entry in entries] == sim.transcript
        assert len(entries) == (25 if limit is None else limit)
