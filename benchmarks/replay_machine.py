"""The state machine's own cost, without Hypothesis: record the rule steps of the
floor benchmark's examples once, then replay them on fresh machines.

    python benchmarks/replay_machine.py record /tmp/steps.pkl
    python benchmarks/replay_machine.py replay /tmp/steps.pkl --rounds 8

``record`` runs ``JobsStateMachine`` as ``test_state_machine_against_its_floor`` does
(seeds 1-5, 20 examples of up to 50 steps each) and pickles each example's rules and
their arguments. ``replay`` calls the same rules with the same arguments on a fresh
machine per example, each invariant after each step (once the initialize rules have
run, as Hypothesis does), and teardown at the end, and
prints the CPU time per 50 steps (best and every round): what the machine's rules,
invariants and simulator calls cost, with nothing of Hypothesis's drawing in it. The
simulator is seeded, so the ids match the recording as long as the machine makes the
same calls; a recording is for the machine's code it was made with (``replay`` stops
at the first step that no longer fits). Run ``replay`` with another checkout's
``jobsim`` first on ``PYTHONPATH`` to compare the two on the same steps.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from hypothesis import seed, stateful

from jobsim.testing import JobsStateMachine

#: The invariants, in the order Hypothesis runs them (by name).
INVARIANTS = sorted(
    name
    for name in dir(JobsStateMachine)
    if getattr(getattr(JobsStateMachine, name), stateful.INVARIANT_MARKER, None) is not None
)


def _initializers() -> set[str]:
    return {
        name
        for name in dir(JobsStateMachine)
        if getattr(getattr(JobsStateMachine, name), stateful.INITIALIZE_RULE_MARKER, None)
    }


def _rules() -> dict[str, Any]:
    """Each rule's (and initialize rule's) Hypothesis marker, by method name."""
    rules = {}
    for name in dir(JobsStateMachine):
        function = getattr(JobsStateMachine, name)
        marker = getattr(function, stateful.RULE_MARKER, None) or getattr(
            function, stateful.INITIALIZE_RULE_MARKER, None
        )
        if marker is not None:
            rules[name] = marker
    return rules


def record(path: Path) -> None:
    import test_integrations

    examples: list[list[tuple[str, dict[str, Any]]]] = []
    for name, marker in _rules().items():

        def logged(self: Any, _rule: Any = marker.function, _name: str = name, **kw: Any) -> Any:
            self._steps.append((_name, kw))
            return _rule(self, **kw)

        marker.function = logged

    class Recorded(JobsStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self._steps: list[tuple[str, dict[str, Any]]] = []
            examples.append(self._steps)

    counts = {"steps": 0}
    for n in range(1, 6):
        test_integrations._run(seed(n)(Recorded), counts)
    path.write_bytes(pickle.dumps(examples))
    print(f"{len(examples)} examples, {sum(map(len, examples))} steps -> {path}")


def replay(path: Path, rounds: int) -> None:
    examples = pickle.loads(path.read_bytes())
    steps = sum(map(len, examples))
    rules = {name: marker.function for name, marker in _rules().items()}
    initializers = _initializers()

    def run() -> None:
        for steps_of_example in examples:
            machine = JobsStateMachine()
            # as Hypothesis does: no invariant until every initialize rule has run
            pending = sum(name in initializers for name, _ in steps_of_example)
            for name, arguments in steps_of_example:
                rules[name](machine, **arguments)
                pending -= name in initializers
                if not pending:
                    for invariant in INVARIANTS:
                        getattr(machine, invariant)()
            machine.teardown()

    per_50: list[float] = []
    for _ in range(rounds):
        t0 = time.process_time()
        run()
        per_50.append((time.process_time() - t0) / steps * 50 * 1e3)
    every = ", ".join(f"{ms:.2f}" for ms in per_50)
    print(f"{steps} steps; ms per 50 steps: best {min(per_50):.2f} (rounds: {every})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["record", "replay"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.mode == "record":
        record(args.path)
    else:
        replay(args.path, args.rounds)


if __name__ == "__main__":
    main()
