"""The event queue of the discrete-event simulation, and the one place time moves.

:func:`advance` is the only caller of :meth:`Clock.advance_to
<jobsim.clock.Clock.advance_to>` (a restored snapshot starts a new clock): it runs
the checks and hooks registered for an advance, then every event due, in order.

Events are ordered by (due time, scheduling order): two events due at the same
millisecond run in the order they were scheduled. An event names its kind, the id
of the record it concerns and the record's ``epoch`` when it was scheduled; a record
voids its queued events by bumping its epoch, so nothing is ever removed from the
middle of the heap.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from jobsim.world import World

__all__ = [
    "ADVANCE_CHECKS",
    "ADVANCE_HOOKS",
    "EVENT_KINDS",
    "Event",
    "EventQueue",
    "advance",
    "advance_check",
    "before_advance",
    "on_event",
]


class Event(NamedTuple):
    due_ms: int
    order: int
    kind: str
    key: str
    epoch: int


#: kind -> the function that runs it (registered by the modules that schedule them).
EVENT_KINDS: dict[str, Callable[[World, Event], None]] = {}


def on_event(
    kind: str,
) -> Callable[[Callable[[World, Event], None]], Callable[[World, Event], None]]:
    """Register the function that runs events of ``kind``."""

    def bind(fn: Callable[[World, Event], None]) -> Callable[[World, Event], None]:
        EVENT_KINDS[kind] = fn
        return fn

    return bind


#: Run first by an advance that moves the clock forward, with ``(world, until_ms)``:
#: each may refuse the advance by raising a ``ToolError`` and must change nothing.
ADVANCE_CHECKS: list[Callable[[World, int], None]] = []
#: Run next (after every check passed), before any event: tidying that belongs to
#: "time moved on", such as forgetting deleted cron jobs.
ADVANCE_HOOKS: list[Callable[[World, int], None]] = []


def advance_check(fn: Callable[[World, int], None]) -> Callable[[World, int], None]:
    """Register a check run before an advance (see :data:`ADVANCE_CHECKS`)."""
    ADVANCE_CHECKS.append(fn)
    return fn


def before_advance(fn: Callable[[World, int], None]) -> Callable[[World, int], None]:
    """Register a hook run before an advance's events (see :data:`ADVANCE_HOOKS`)."""
    ADVANCE_HOOKS.append(fn)
    return fn


def advance(world: World, until_ms: int) -> None:
    """Run every event due up to and including ``until_ms``, in order; then set the clock.

    When the clock moves forward, the registered checks run first (a refusal leaves
    everything as it was), then the hooks.
    """
    if until_ms > world.now:
        for check in ADVANCE_CHECKS:
            check(world, until_ms)
        for hook in ADVANCE_HOOKS:
            hook(world, until_ms)
    queue, clock = world.queue, world.clock
    while (event := queue.pop_due(until_ms)) is not None:
        clock.advance_to(event.due_ms)
        EVENT_KINDS[event.kind](world, event)
    clock.advance_to(until_ms)


class EventQueue:
    __slots__ = ("_heap", "scheduled")

    def __init__(self) -> None:
        self._heap: list[Event] = []
        self.scheduled = 0  # events ever scheduled: the tie-breaker

    def push(self, due_ms: int, kind: str, key: str, epoch: int) -> None:
        heapq.heappush(self._heap, Event(due_ms, self.scheduled, kind, key, epoch))
        self.scheduled += 1

    def pop_due(self, until_ms: int) -> Event | None:
        """The earliest event due at or before ``until_ms``, removed; else ``None``."""
        if self._heap and self._heap[0].due_ms <= until_ms:
            return heapq.heappop(self._heap)
        return None

    def pending(self) -> list[Event]:
        """Every queued event, in the order they will run."""
        return sorted(self._heap)

    def restore(self, events: list[Event], scheduled: int) -> None:
        self._heap = list(events)
        heapq.heapify(self._heap)
        self.scheduled = scheduled

    def __len__(self) -> int:
        return len(self._heap)
