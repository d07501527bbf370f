"""Keyset pagination, newest first (SPEC section 7).

Items are keyed by their creation sequence number. Creation order is also
``created_at`` order (the clock never moves backwards), so ``(created_at, creation
order)`` descending is simply ``seq`` descending. An :class:`Index` keeps the keys of
one collection (a project's jobs, a batch's, a cron job's, ...) overall and per
status, each in a sorted list, so a page is two ``O(log n)`` seeks plus the items
on it, whatever the size of the collection.

This module also owns what the three item listings (``list_jobs``,
``list_job_batch_jobs``, ``list_cron_jobs``) share: resolving a cursor to its
position, the wording of a bad cursor, and the published ``{data, page_info}`` shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, Protocol, TypeVar

from sortedcontainers import SortedList

from jobsim.errors import ToolError, invalid

__all__ = ["Index", "Page", "bad_cursor", "listing", "owner_lookup", "page", "resolve_cursor"]


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


class _Item(Protocol):
    @property
    def seq(self) -> int: ...


_T = TypeVar("_T", bound=_Item)


def resolve_cursor(
    items: Mapping[str, _T], cursor: str | None, member: Callable[[_T], bool]
) -> int | None:
    """The position (seq) of ``cursor``: the id of one of ``items`` for which ``member`` holds.

    Anything else is ``invalid_arguments``, worded the same whether the id is
    unknown, foreign or of another listing, so a cursor leaks nothing.
    """
    if cursor is None:
        return None
    item = items.get(cursor)
    if item is None or not member(item):
        raise bad_cursor(cursor)
    return item.seq


class owner_lookup:
    """Around the lookup of what a listing belongs to (project, batch): when that is
    missing, any cursor is the first error, since no cursor can be an item of it.
    Without a cursor the ``not_found`` stands. (A class, not ``@contextmanager``: every
    listing call enters it, and a generator-based one costs a microsecond a call.)"""

    __slots__ = ("cursor",)

    def __init__(self, cursor: str | None) -> None:
        self.cursor = cursor

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: object, tb: object) -> None:
        if kind is not None and issubclass(kind, ToolError) and self.cursor is not None:
            raise bad_cursor(self.cursor) from None


def bad_cursor(cursor: str) -> ToolError:
    return invalid(
        "cursor",
        f"{cursor!r} is not the id of an item of this listing; pass page_info.next "
        "of the previous page, or omit cursor for the first page",
        value=cursor,
    )


_NO_ITEMS = Index()


def listing(
    by_seq: Mapping[int, Any],
    index: Index | None,
    status: str | None,
    cursor: str | None,
    cursor_seq: int | None,
    size: int,
    keep: Callable[[int], bool] | None,
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One page of ``index`` (``None``: no items) as the published ``{data, page_info}``
    output; ``by_seq`` maps a key to its record, ``render`` a record to its output."""
    if index is None:
        index = _NO_ITEMS
    found = page(index.keys(status), cursor_seq, size, keep)
    return {
        "data": [render(by_seq[k]) for k in found.keys],
        "page_info": {
            "self": cursor,
            "first": None,
            "next": None if found.next is None else by_seq[found.next].id,
            "prev": None if found.prev is None else by_seq[found.prev].id,
        },
    }
