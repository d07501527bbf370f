"""Pages of a listing, and every page of one collection, as the simulator pages
them (SPEC section 7).
"""

from __future__ import annotations

from typing import Any, cast

from hypothesis import strategies as st

from jobsim.testing.strategies.jobs import job_records

__all__ = ["page_sequences", "pages"]

SearchStrategy = st.SearchStrategy


def _newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Creation order is the drawing order: created_at descending, then that, descending.
    ranked = sorted(enumerate(items), key=lambda p: (p[1]["created_at"], p[0]), reverse=True)
    return [item for _, item in ranked]


def _page(ordered: list[dict[str, Any]], limit: int, position: int) -> dict[str, Any]:
    """The page after the item at ``position`` (-1: the first page), as the simulator
    computes it (SPEC section 7)."""
    data = ordered[position + 1 : position + 1 + limit]
    more = position + 1 + limit < len(ordered)
    prev = ordered[position - limit]["id"] if position >= 0 and position - limit >= 0 else None
    return {
        "data": data,
        "page_info": {
            "self": ordered[position]["id"] if position >= 0 else None,
            "first": None,
            "next": data[-1]["id"] if more and data else None,
            "prev": prev,
        },
    }


def _collections(
    items: SearchStrategy[dict[str, Any]] | None, min_items: int, max_items: int
) -> SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        job_records() if items is None else items,
        min_size=min_items,
        max_size=max_items,
        unique_by=lambda r: cast(str, r["id"]),
    ).map(_newest_first)


def _limits(limit: int | SearchStrategy[int] | None) -> SearchStrategy[int]:
    if limit is None:
        return st.integers(1, 100)
    if isinstance(limit, int):
        return st.just(limit)
    return limit


@st.composite
def _one_page(
    draw: st.DrawFn,
    items: SearchStrategy[dict[str, Any]] | None,
    limit: int | SearchStrategy[int] | None,
    min_items: int,
    max_items: int,
) -> dict[str, Any]:
    ordered = draw(_collections(items, min_items, max_items))
    size = draw(_limits(limit))
    position = draw(st.integers(-1, len(ordered) - 1)) if ordered else -1
    return _page(ordered, size, position)


def pages(
    items: SearchStrategy[dict[str, Any]] | None = None,
    *,
    limit: int | SearchStrategy[int] | None = None,
    min_items: int = 0,
    max_items: int = 30,
) -> SearchStrategy[dict[str, Any]]:
    """One page of a listing (``list_jobs``, ``list_job_batch_jobs``; pass
    ``items=cron_records()`` for ``list_cron_jobs``): the items after some cursor of a
    drawn collection, newest first, with the ``page_info`` the simulator would give."""
    return _one_page(items, limit, min_items, max_items)


@st.composite
def _sequence(
    draw: st.DrawFn,
    items: SearchStrategy[dict[str, Any]] | None,
    limit: int | SearchStrategy[int] | None,
    min_items: int,
    max_items: int,
) -> list[dict[str, Any]]:
    ordered = draw(_collections(items, min_items, max_items))
    size = draw(_limits(limit))
    out = [_page(ordered, size, -1)]
    while out[-1]["page_info"]["next"] is not None:
        out.append(_page(ordered, size, len(out) * size - 1))
    return out


def page_sequences(
    items: SearchStrategy[dict[str, Any]] | None = None,
    *,
    limit: int | SearchStrategy[int] | None = None,
    min_items: int = 0,
    max_items: int = 30,
) -> SearchStrategy[list[dict[str, Any]]]:
    """Every page of one drawn collection, first to last by ``next``: what a client
    paging a listing sees. Each item is on exactly one page."""
    return _sequence(items, limit, min_items, max_items)
