"""The :class:`Simulator`: one world, one lock, one entry point (:meth:`Simulator.call`)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

# The tool modules register their handlers with the registry on import.
from jobsim import (  # noqa: F401
    batches,
    cron,
    events,
    faults,
    jobs,
    projects,
    runtime,
    snapshot,
    targets,
    transcript_tool,
)
from jobsim.clock import DEFAULT_START, format_ms, parse_start
from jobsim.errors import ToolError, json_safe
from jobsim.registry import TOOLS, get
from jobsim.transcript import UNRECORDED, Transcript
from jobsim.world import World

__all__ = ["READ_ONLY_TOOLS", "Simulator"]

#: The tools that only read the state (effect ``read`` in the registry):
#: :meth:`Simulator.peek` runs these and no other.
READ_ONLY_TOOLS = frozenset(name for name, spec in TOOLS.items() if spec.effect == "read")

_CANCEL_TERMINAL = ("conflict", "return")


def _recorded(tool: object) -> bool:
    # A refused call's tool may be anything the caller passed, a list included.
    return not (isinstance(tool, str) and tool in UNRECORDED)


class Simulator:
    """An in-memory Jobs platform with a virtual clock.

    >>> sim = Simulator(seed=1)
    >>> project = sim.call("sim_create_project", {"slug": "demo"})
    >>> job = sim.call("create_job", {"project_reference": "demo", "name": "n", "target": "t"})
    >>> job["status"]
    'submitted'

    Knobs (SPEC section 14):

    ``seed``
        Seeds the id source: the same seed and calls give the same outputs.
    ``start``
        The clock's start, an ISO 8601 string with an offset or an aware datetime.
    ``cancel_terminal``
        ``"conflict"`` (default) refuses to cancel a finished job; ``"return"``
        returns its record unchanged.
    ``strict_targets``
        When true, jobs and cron jobs must name a target defined with
        ``sim_define_target`` (``not_found`` otherwise).
    ``validate_outputs``
        When true, every output is checked against its tool's output schema
        before it is returned (the fast check of :mod:`jobsim.fastcheck`: a page
        of 100 costs about 1.2x; jsonschema words a failure). The ``jobsim``
        pytest fixture turns it on.
    ``record``
        When false, :attr:`transcript` stays empty (for very long runs).
    ``transcript_limit``
        Keep only the latest this many transcript entries (``None``: all of them),
        so that a long-running server's memory stays flat.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        start: str | datetime = DEFAULT_START,
        cancel_terminal: str = "conflict",
        strict_targets: bool = False,
        validate_outputs: bool = False,
        record: bool = True,
        transcript_limit: int | None = None,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, not {type(seed).__name__}")
        if cancel_terminal not in _CANCEL_TERMINAL:
            raise ValueError(
                f"cancel_terminal must be one of {', '.join(map(repr, _CANCEL_TERMINAL))}, "
                f"not {cancel_terminal!r}"
            )
        self.seed = seed
        self.validate_outputs = validate_outputs
        self.record = record
        self._world = World(
            seed=seed,
            start_ms=parse_start(start),
            cancel_terminal=cancel_terminal,
            strict_targets=bool(strict_targets),
        )
        self._world.transcript = Transcript(limit=transcript_limit)
        self._lock = threading.RLock()
        self._calls = 0

    # -- the one entry point ----------------------------------------------------------

    def call(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run ``tool`` with ``arguments`` and return its output, a fresh JSON-able dict.

        Raises :class:`~jobsim.ToolError` when the call is refused; a refused call
        changes nothing but the transcript (and an injected fault's counter).
        """
        with self._lock:
            self._calls += 1
            world = self._world
            now = world.now
            try:
                spec = get(tool)
                fault = faults.take_fault(world, tool)
                if fault is not None:
                    raise fault
                if not isinstance(arguments, dict):
                    arguments = {} if arguments is None else arguments
                    if not isinstance(arguments, dict):
                        raise ToolError(
                            "invalid_arguments",
                            f"arguments must be a JSON object, not {type(arguments).__name__}",
                            {"field": "arguments"},
                        )
                result = spec.run(world, arguments)
            except ToolError as error:
                if self.record and _recorded(tool):
                    world.transcript.append(
                        {
                            "at": format_ms(now),
                            "tool": json_safe(tool),
                            "arguments": json_safe(arguments),
                            "error": error.to_dict(),  # its details are JSON already
                        }
                    )
                raise
            if self.validate_outputs and not spec.output_check(result):
                # the fast check refused it (or the output is not plain JSON): jsonschema
                # decides, and words what is wrong
                errors = list(spec.output_validator.iter_errors(result))
                if errors:  # pragma: no cover - a bug in jobsim if ever hit
                    raise AssertionError(f"{tool} output breaks its schema: {errors[0].message}")
            if self.record and spec.name not in UNRECORDED:
                world.transcript.append(
                    {"at": format_ms(now), "tool": tool, "arguments": arguments, "result": result}
                )
            return result

    # -- snapshots ----------------------------------------------------------------------

    def snapshot(self, *, transcript: bool = True) -> dict[str, Any]:
        """The whole state as a fresh JSON-able value: clock, id source, records,
        pending events, targets, faults and transcript (an empty list with
        ``transcript=False``, for readers such as :mod:`jobsim.timeline`)."""
        with self._lock:
            world = self._world
            value = snapshot.dump(world, world.transcript.entries() if transcript else [])
            value["simulator"] = {
                "seed": self.seed,
                "validate_outputs": self.validate_outputs,
                "record": self.record,
            }
            return value

    @classmethod
    def from_snapshot(cls, value: dict[str, Any]) -> Simulator:
        """A simulator that continues exactly where the snapshotted one was.

        A damaged snapshot raises :class:`jobsim.snapshot.SnapshotError` (a
        ``ValueError``) saying what is wrong; nothing half-restored is returned.
        """
        world, transcript = snapshot.load(value)
        meta = value.get("simulator")
        if not isinstance(meta, dict) or not all(
            isinstance(meta.get(k), t)
            for k, t in (("seed", int), ("validate_outputs", bool), ("record", bool))
        ):
            raise snapshot.SnapshotError(
                "damaged snapshot at .simulator: expected {seed: int, validate_outputs: bool, "
                "record: bool}"
            )
        sim = cls(
            seed=meta["seed"], validate_outputs=meta["validate_outputs"], record=meta["record"]
        )
        world.transcript = Transcript(transcript)
        sim._world = world
        return sim

    # -- conveniences -----------------------------------------------------------------

    @property
    def now(self) -> str:
        """The virtual time, as an ISO string."""
        return format_ms(self._world.now)

    @property
    def transcript(self) -> list[dict[str, Any]]:
        """Every call so far: ``{at, tool, arguments, result | error}`` (a fresh copy)."""
        with self._lock:
            return self._world.transcript.entries()

    @property
    def calls(self) -> int:
        """How many calls :meth:`call` has taken, refused ones included: a reader can
        tell from it that nothing changed since it last looked."""
        return self._calls

    @property
    def transcript_limit(self) -> int | None:
        """How many transcript entries are kept at most (``None``: all of them)."""
        return self._world.transcript.limit

    def peek(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Run a read-only tool (:data:`READ_ONLY_TOOLS`) as :meth:`call` would, but with
        no transcript entry and no injected fault: for adapters that show the state
        (the dashboard) without becoming part of the simulation they show.

        Raises :class:`~jobsim.ToolError` as :meth:`call` does; ``ValueError`` for a
        tool that is not read-only.
        """
        if tool not in READ_ONLY_TOOLS:
            raise ValueError(
                f"peek runs read-only tools only ({', '.join(sorted(READ_ONLY_TOOLS))}), "
                f"not {tool!r}"
            )
        with self._lock:
            return get(tool).run(self._world, arguments)

    def projects(self) -> list[dict[str, str]]:
        """``{id, slug}`` of every project, oldest first (a read with no transcript entry)."""
        with self._lock:
            return [{"id": p.id, "slug": p.slug} for p in self._world.projects.values()]

    def find_project(self, reference: str) -> dict[str, str] | None:
        """``{id, slug}`` of the project ``reference`` names (id first, then slug), or
        ``None``. A read with no transcript entry, for adapters that scope access."""
        with self._lock:
            world = self._world
            found = world.projects.get(reference) or world.slugs.get(reference)
            return None if found is None else {"id": found.id, "slug": found.slug}

    @staticmethod
    def tools(*, control: bool = True) -> list[str]:
        """Names of the tools, optionally without the ``sim_*`` control tools."""
        return [n for n, s in TOOLS.items() if control or s.family != "control"]

    def __repr__(self) -> str:
        w = self._world
        return (
            f"<Simulator seed={self.seed} now={format_ms(w.now)} projects={len(w.projects)} "
            f"jobs={len(w.jobs)} cron_jobs={len(w.crons)} pending_events={len(w.queue)}>"
        )
