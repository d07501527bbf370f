"""Keyset pagination, newest first (SPEC section 7).

Items are keyed by their creation sequence number. Creation order is also
``created_at`` order (the clock never moves backwards), so ``(created_at, creation
order)`` descending is simply ``seq`` descending. An :class:`Index` keeps the keys of
one collection (a project's jobs, a batch's, a cron job's, ...) overall and per
status, each in a sorted list, so a page is two ``O(log n)`` seeks plus the items
on it, whatever the size of the collection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from sortedcontainers import SortedList

__all__ = ["Index", "Page", "page"]


class Index:
    """The keys of one collection: all of them, and those of each status."""

    __slots__ = ("all", "by_status")

    def __init__(self) -> None:
        self.all: SortedList = SortedList()
        self.by_status: dict[str, SortedList] = {}

    def add(self, seq: int, status: str) -> None:
        self.all.add(seq)
        bucket = self.by_status.get(status)
        if bucket is None:
            bucket = self.by_status[status] = SortedList()
        bucket.add(seq)

    def move(self, seq: int, old: str, new: str) -> None:
        self.by_status[old].remove(seq)
        self.add_status(seq, new)

    def add_status(self, seq: int, status: str) -> None:
        bucket = self.by_status.get(status)
        if bucket is None:
            bucket = self.by_status[status] = SortedList()
        bucket.add(seq)

    def remove(self, seq: int, status: str) -> None:
        self.all.remove(seq)
        self.by_status[status].remove(seq)

    def keys(self, status: str | None = None) -> SortedList:
        """The sorted keys, all or of one status."""
        if status is None:
            return self.all
        return self.by_status.get(status) or _EMPTY

    def count(self, status: str | None = None) -> int:
        return len(self.keys(status))

    def __len__(self) -> int:
        return len(self.all)


_EMPTY = SortedList()


@dataclass(frozen=True, slots=True)
class Page:
    """Keys of one page, newest first, and the cursors around it (as keys)."""

    keys: list[int]
    next: int | None
    prev: int | None


def page(
    keys: SortedList,
    cursor: int | None,
    limit: int,
    keep: Callable[[int], bool] | None = None,
) -> Page:
    """The ``limit`` keys strictly older than ``cursor`` (all, if ``None``) that ``keep``.

    ``keys`` must already hold only the keys that match the indexed filters; ``keep``
    is for any further filter, checked item by item. ``next`` is the last key when
    more follow; ``prev`` is the key whose page is the ``limit`` matching keys just
    newer than this page, or ``None`` when that page is the first one.
    """
    older = keys.irange(maximum=cursor, inclusive=(True, False), reverse=True)
    if keep is not None:
        older = filter(keep, older)
    found = list(islice(older, limit + 1))
    more = len(found) > limit
    found = found[:limit]
    nxt = found[-1] if more and found else None
    prev = None
    if cursor is not None:
        # The previous page is the `limit` matching keys at or after the cursor's
        # position (the cursor item itself, if it matches, was on it).
        newer = keys.irange(minimum=cursor)
        if keep is not None:
            newer = filter(keep, newer)
        before = list(islice(newer, limit + 1))
        prev = before[limit] if len(before) > limit else None
    return Page(found, nxt, prev)
