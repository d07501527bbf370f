"""The event queue of the discrete-event simulation.

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

__all__ = ["EVENT_KINDS", "Event", "EventQueue", "on_event"]


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
