"""Keyset pagination (jobsim.pagination; SPEC section 7) and the paged job listings."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from jobsim import Simulator, ToolError
from jobsim.pagination import Index, page

B1 = "3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
B2 = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
UNKNOWN = "11111111-2222-4333-8444-555555555555"
EMPTY_INFO = {"self": None, "first": None, "next": None, "prev": None}


def cursor_message(cursor: str) -> str:
    return (
        f"cursor: {cursor!r} is not the id of an item of this listing; pass page_info.next "
        "of the previous page, or omit cursor for the first page"
    )


# -- the Index and page() ------------------------------------------------------------


def test_index_keeps_keys_overall_and_per_status():
    index = Index()
    for seq, status in ((1, "submitted"), (2, "working"), (3, "submitted")):
        index.add(seq, status)
    assert list(index.keys()) == [1, 2, 3]
    assert list(index.keys("submitted")) == [1, 3]
    assert list(index.keys("failed")) == []
    assert (len(index), index.count(), index.count("working")) == (3, 3, 1)
    index.move(1, "submitted", "canceled")
    assert list(index.keys("submitted")) == [3]
    assert list(index.keys("canceled")) == [1]
    assert list(index.keys()) == [1, 2, 3]
    index.remove(2, "working")
    assert list(index.keys()) == [1, 3]
    assert index.count("working") == 0


def test_page_without_cursor_is_the_newest_keys():
    index = Index()
    for seq in range(1, 8):
        index.add(seq, "submitted")
    first = page(index.keys(), None, 3)
    assert (first.keys, first.next, first.prev) == ([7, 6, 5], 5, None)


def test_page_after_a_cursor_and_its_prev():
    keys = Index()
    for seq in range(1, 8):
        keys.add(seq, "submitted")
    second = page(keys.keys(), 5, 3)
    assert (second.keys, second.next, second.prev) == ([4, 3, 2], 2, None)
    third = page(keys.keys(), 2, 3)
    assert (third.keys, third.next, third.prev) == ([1], None, 5)


def test_page_exactly_full_has_no_next():
    keys = Index()
    for seq in range(1, 4):
        keys.add(seq, "working")
    assert page(keys.keys(), None, 3).next is None
    assert page(keys.keys(), None, 2).next == 2


def test_page_with_keep_filter_skips_non_matching_keys():
    keys = Index()
    for seq in range(1, 11):
        keys.add(seq, "submitted")
    even = page(keys.keys(), None, 2, keep=lambda k: k % 2 == 0)
    assert (even.keys, even.next, even.prev) == ([10, 8], 8, None)
    # the cursor need not match the filter: position decides
    after_7 = page(keys.keys(), 7, 2, keep=lambda k: k % 2 == 0)
    assert (after_7.keys, after_7.next, after_7.prev) == ([6, 4], 4, None)
    after_3 = page(keys.keys(), 3, 2, keep=lambda k: k % 2 == 0)
    # the previous page is [6, 4]; the matching key just before it is 8
    assert (after_3.keys, after_3.next, after_3.prev) == ([2], None, 8)


def test_page_of_empty_keys_is_empty():
    result = page(Index().keys(), None, 5)
    assert (result.keys, result.next, result.prev) == ([], None, None)


# -- the reference model of SPEC section 7 -----------------------------------------


def reference_page(
    order: list[str], matches: Callable[[str], bool], cursor: str | None, limit: int
) -> dict[str, Any]:
    """A page computed straight from the spec's words. ``order`` is newest first."""
    start = 0 if cursor is None else order.index(cursor) + 1
    after = [x for x in order[start:] if matches(x)]
    data = after[:limit]
    nxt = data[-1] if len(after) > limit else None
    prev = None
    if cursor is not None:
        # matching items up to and including the cursor's position, newest first;
        # the previous page is the last `limit` of them, prev the one just before it
        before = [x for x in order[:start] if matches(x)]
        prev = before[-(limit + 1)] if len(before) > limit else None
    return {"ids": data, "page_info": {"self": cursor, "first": None, "next": nxt, "prev": prev}}


def page_ids(out: dict[str, Any]) -> dict[str, Any]:
    return {"ids": [j["id"] for j in out["data"]], "page_info": out["page_info"]}


# -- exact page_info semantics ----------------------------------------------------------


@pytest.fixture
def seven(sim: Simulator, make_job: Callable[..., dict[str, Any]]) -> list[str]:
    """Seven jobs a1..a7 of batch B1, newest first: [a7, ..., a1]."""
    made = [make_job(name=f"a{i}", batch_id=B1)["id"] for i in range(1, 8)]
    return made[::-1]


@pytest.mark.parametrize("tool", ["list_jobs", "list_job_batch_jobs"])
def test_page_info_self_next_prev_first_walking_forward(sim, seven, tool):
    a7, a6, a5, a4, a3, a2, a1 = seven
    base = {"project_reference": "acme", "batch_id": B1, "limit": 3}
    if tool == "list_jobs":
        del base["batch_id"]
    p1 = sim.call(tool, base)
    assert page_ids(p1) == {
        "ids": [a7, a6, a5],
        "page_info": {"self": None, "first": None, "next": a5, "prev": None},
    }
    p2 = sim.call(tool, {**base, "cursor": a5})
    # the previous page is the first page: prev is null
    assert page_ids(p2) == {
        "ids": [a4, a3, a2],
        "page_info": {"self": a5, "first": None, "next": a2, "prev": None},
    }
    p3 = sim.call(tool, {**base, "cursor": a2})
    assert page_ids(p3) == {
        "ids": [a1],
        "page_info": {"self": a2, "first": None, "next": None, "prev": a5},
    }
    # prev returns the previous `limit` items
    assert sim.call(tool, {**base, "cursor": p3["page_info"]["prev"]})["data"] == p2["data"]


def test_prev_walks_back_page_by_page(sim, make_job):
    made = [make_job(name=f"j{i}")["id"] for i in range(10)][::-1]  # newest first
    base = {"project_reference": "acme", "limit": 2}
    pages = [sim.call("list_jobs", base)]
    while pages[-1]["page_info"]["next"] is not None:
        pages.append(sim.call("list_jobs", {**base, "cursor": pages[-1]["page_info"]["next"]}))
    assert [j["id"] for p in pages for j in p["data"]] == made
    assert len(pages) == 5
    # from the last page, prev leads back through every page to the second
    current = pages[-1]
    for expected in reversed(pages[1:-1]):
        assert current["page_info"]["prev"] is not None
        current = sim.call("list_jobs", {**base, "cursor": current["page_info"]["prev"]})
        assert current["data"] == expected["data"]
    assert current["page_info"]["prev"] is None  # its previous page is the first


def test_last_page_ending_exactly_at_the_end_has_no_next(sim, make_job):
    for _ in range(4):
        make_job()
    p1 = sim.call("list_jobs", {"project_reference": "acme", "limit": 2})
    p2 = sim.call(
        "list_jobs", {"project_reference": "acme", "limit": 2, "cursor": p1["data"][-1]["id"]}
    )
    assert len(p2["data"]) == 2
    assert p2["page_info"]["next"] is None


def test_cursor_that_no_longer_matches_the_filter_still_marks_the_position(sim, make_job):
    made = [make_job(name=f"j{i}")["id"] for i in range(6)][::-1]  # newest first
    base = {"project_reference": "acme", "status": "submitted", "limit": 2}
    p1 = sim.call("list_jobs", base)
    assert [j["id"] for j in p1["data"]] == made[:2]
    sim.call("cancel_job", {"project_reference": "acme", "job_id": made[1]})  # the cursor item
    p2 = sim.call("list_jobs", {**base, "cursor": p1["page_info"]["next"]})
    assert [j["id"] for j in p2["data"]] == made[2:4]
    assert p2["page_info"]["prev"] is None


def test_limit_one_and_one_hundred_are_the_bounds(sim, make_job):
    for _ in range(101):
        make_job()
    assert len(sim.call("list_jobs", {"project_reference": "acme", "limit": 1})["data"]) == 1
    full = sim.call("list_jobs", {"project_reference": "acme", "limit": 100})
    assert len(full["data"]) == 100
    assert full["page_info"]["next"] == full["data"][-1]["id"]


# -- paging while things change -----------------------------------------------------


def _walk_with_churn(
    tool: str,
    status: str | None,
    limit: int,
    seed: int,
    residual: bool = False,
) -> None:
    """Page through a listing by ``next`` while jobs are created, started and canceled
    between pages; check every page against the reference model and the guarantees."""
    rng = random.Random(seed)
    sim = Simulator(seed=seed)
    sim.call("sim_create_project", {"slug": "acme"})
    sim.call("sim_create_project", {"slug": "other"})
    env = sim.call("sim_create_environment", {"project_reference": "acme", "name": "e"})["id"]
    order: list[str] = []  # every job of acme, newest first
    info: dict[str, dict[str, Any]] = {}  # id -> status, batch, env

    def create() -> None:
        fields = {"batch_id": rng.choice((B1, B1, B2)), "environment_id": rng.choice((env, None))}
        fields = {k: v for k, v in fields.items() if v is not None}
        job = sim.call(
            "create_job", {"project_reference": "acme", "name": "n", "target": "t", **fields}
        )
        order.insert(0, job["id"])
        info[job["id"]] = {
            "status": "submitted",
            "batch_id": job["batch_id"],
            "env": env if "environment_id" in fields else None,
        }
        # noise in another project: never listed
        sim.call("create_job", {"project_reference": "other", "name": "n", "target": "t"})

    def churn() -> None:
        active = [j for j in order if info[j]["status"] in ("submitted", "working")]
        for _ in range(rng.randint(0, 3)):
            create()
        for job_id in rng.sample(active, min(len(active), rng.randint(0, 3))):
            args = {"project_reference": "acme", "job_id": job_id}
            if info[job_id]["status"] == "submitted" and rng.random() < 0.5:
                sim.call("sim_start_job", args)
                info[job_id]["status"] = "working"
            else:
                sim.call("cancel_job", args)
                info[job_id]["status"] = "canceled"

    filters: dict[str, Any] = {"batch_id": B1, "environment_id": env} if residual else {}
    if tool == "list_job_batch_jobs":
        filters["batch_id"] = B1
    if status is not None:
        filters["status"] = status

    def matches(job_id: str) -> bool:
        row = info[job_id]
        if status is not None and row["status"] != status:
            return False
        if "batch_id" in filters and row["batch_id"] != filters["batch_id"]:
            return False
        return "environment_id" not in filters or row["env"] == filters["environment_id"]

    def collection() -> list[str]:
        if tool == "list_job_batch_jobs":
            return [j for j in order if info[j]["batch_id"] == B1]
        return order

    for _ in range(40):
        create()
    for i, job_id in enumerate(rng.sample(order, 15)):
        args = {"project_reference": "acme", "job_id": job_id}
        if i % 3:
            sim.call("sim_start_job", args)
            info[job_id]["status"] = "working"
        else:
            sim.call("cancel_job", args)
            info[job_id]["status"] = "canceled"

    at_start = set(order)
    matching_at_start = sum(1 for j in collection() if matches(j))
    still_matching = {j for j in order if matches(j)}  # shrinks as items stop matching
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        args = {"project_reference": "acme", "limit": limit, **filters}
        if cursor is not None:
            args["cursor"] = cursor
        out = sim.call(tool, args)
        pages += 1
        assert page_ids(out) == reference_page(collection(), matches, cursor, limit)
        for job in out["data"]:
            assert matches(job["id"])
            assert job["id"] in at_start, "an item created after the first page was listed"
        seen += [job["id"] for job in out["data"]]
        cursor = out["page_info"]["next"]
        if cursor is None:
            break
        churn()
        still_matching = {j for j in still_matching if matches(j)}
    assert len(seen) == len(set(seen)), "an item was returned twice"
    assert still_matching <= set(seen), "an item that matched throughout was skipped"
    assert pages >= min(3, -(-matching_at_start // limit))


@pytest.mark.parametrize("tool", ["list_jobs", "list_job_batch_jobs"])
@pytest.mark.parametrize("status", [None, "submitted", "working", "canceled"])
@pytest.mark.parametrize("limit", [1, 3, 7])
def test_paging_by_next_returns_every_item_once_while_jobs_change(tool, status, limit):
    _walk_with_churn(tool, status, limit, seed=limit * 31 + len(status or ""))


@pytest.mark.parametrize("status", [None, "submitted"])
def test_paging_with_a_residual_filter_returns_every_item_once_while_jobs_change(status):
    _walk_with_churn("list_jobs", status, 2, seed=5, residual=True)


# -- cursors that are not items of the listing ----------------------------------------


def refuse(sim: Simulator, tool: str, args: dict[str, Any]) -> ToolError:
    with pytest.raises(ToolError) as info:
        sim.call(tool, args)
    return info.value


@pytest.fixture
def two_projects(sim: Simulator) -> dict[str, str]:
    """acme: jobs in batch B1, in batch B2 and outside batches; other: one job in batch B2x."""
    sim.call("sim_create_project", {"slug": "acme"})
    sim.call("sim_create_project", {"slug": "other"})

    def job(project: str, **fields: Any) -> str:
        args = {"project_reference": project, "name": "n", "target": "t", **fields}
        return str(sim.call("create_job", args)["id"])

    other_batch = "5c4b3a29-1807-4f6e-9d5c-4b3a29180706"
    return {
        "b1": job("acme", batch_id=B1),
        "b1_second": job("acme", batch_id=B1),
        "b2": job("acme", batch_id=B2),
        "loose": job("acme"),
        "foreign": job("other", batch_id=other_batch),
        "cron": sim.call(
            "create_cron_job",
            {"project_reference": "acme", "name": "c", "target": "t", "schedule": "* * * * *"},
        )["id"],
    }


@pytest.mark.parametrize("which", ["foreign", "cron"])
def test_list_jobs_cursor_that_is_no_job_of_the_project_is_invalid_like_an_unknown_id(
    sim, two_projects, which
):
    bad = two_projects[which]
    error = refuse(sim, "list_jobs", {"project_reference": "acme", "cursor": bad})
    unknown = refuse(sim, "list_jobs", {"project_reference": "acme", "cursor": UNKNOWN})
    assert error.code == unknown.code == "invalid_arguments"
    assert error.message == cursor_message(bad)
    assert unknown.message == cursor_message(UNKNOWN)
    assert error.details == {"field": "cursor", "value": bad}


@pytest.mark.parametrize("which", ["foreign", "b2", "loose", "cron"])
def test_batch_listing_cursor_outside_the_batch_is_invalid_like_an_unknown_id(
    sim, two_projects, which
):
    bad = two_projects[which]
    args = {"project_reference": "acme", "batch_id": B1}
    error = refuse(sim, "list_job_batch_jobs", {**args, "cursor": bad})
    unknown = refuse(sim, "list_job_batch_jobs", {**args, "cursor": UNKNOWN})
    assert error.code == unknown.code == "invalid_arguments"
    assert error.message.replace(bad, "C") == unknown.message.replace(UNKNOWN, "C")
    assert error.message == cursor_message(bad)


@pytest.mark.parametrize("tool", ["list_jobs", "list_job_batch_jobs"])
def test_cursor_with_an_unknown_project_is_invalid_whether_or_not_the_id_exists(
    sim, two_projects, tool
):
    args = {"project_reference": "nope", "batch_id": B1}
    if tool == "list_jobs":
        del args["batch_id"]
    foreign = refuse(sim, tool, {**args, "cursor": two_projects["foreign"]})
    unknown = refuse(sim, tool, {**args, "cursor": UNKNOWN})
    assert foreign.code == unknown.code == "invalid_arguments"
    assert foreign.message == cursor_message(two_projects["foreign"])
    # without a cursor the project itself is the problem
    assert refuse(sim, tool, args).message == "project 'nope' not found"


def test_batch_listing_cursor_with_an_unknown_batch_is_invalid(sim, two_projects):
    args = {"project_reference": "acme", "batch_id": UNKNOWN}
    for cursor in (two_projects["b1"], two_projects["foreign"], UNKNOWN):
        error = refuse(sim, "list_job_batch_jobs", {**args, "cursor": cursor})
        assert (error.code, error.message) == ("invalid_arguments", cursor_message(cursor))
    error = refuse(sim, "list_job_batch_jobs", args)
    assert (error.code, error.message) == ("not_found", f"batch '{UNKNOWN}' not found")


def test_list_jobs_cursor_may_be_any_job_of_the_project_whatever_the_filters(sim, two_projects):
    # The collection of list_jobs is the project: a cursor outside the batch filter
    # still marks a position.
    out = sim.call(
        "list_jobs",
        {"project_reference": "acme", "batch_id": B1, "cursor": two_projects["b2"]},
    )
    assert [j["id"] for j in out["data"]] == [two_projects["b1_second"], two_projects["b1"]]
    assert out["page_info"]["self"] == two_projects["b2"]


def test_batch_listing_cursor_of_the_batch_pages_on(sim, two_projects):
    out = sim.call(
        "list_job_batch_jobs",
        {"project_reference": "acme", "batch_id": B1, "cursor": two_projects["b1_second"]},
    )
    assert [j["id"] for j in out["data"]] == [two_projects["b1"]]


# -- filters that match nothing -----------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "failed"},
        {"cron_job_id": UNKNOWN},
        {"environment_id": UNKNOWN},
        {"batch_id": UNKNOWN},
        {"batch_id": B2, "status": "completed"},
    ],
)
def test_list_jobs_filter_matching_nothing_gives_an_empty_page(sim, two_projects, filters):
    out = sim.call("list_jobs", {"project_reference": "acme", **filters})
    assert out == {"data": [], "page_info": EMPTY_INFO}
    with_cursor = sim.call(
        "list_jobs", {"project_reference": "acme", "cursor": two_projects["b2"], **filters}
    )
    assert with_cursor == {"data": [], "page_info": {**EMPTY_INFO, "self": two_projects["b2"]}}


def test_batch_listing_status_matching_nothing_gives_an_empty_page(sim, two_projects):
    out = sim.call(
        "list_job_batch_jobs", {"project_reference": "acme", "batch_id": B1, "status": "working"}
    )
    assert out == {"data": [], "page_info": EMPTY_INFO}


def test_cron_job_id_of_another_project_matches_nothing(sim, two_projects):
    sim.call("sim_advance_clock", {"seconds": 60})  # the cron fires once in acme
    cron = two_projects["cron"]
    assert (
        len(sim.call("list_jobs", {"project_reference": "acme", "cron_job_id": cron})["data"]) == 1
    )
    out = sim.call("list_jobs", {"project_reference": "other", "cron_job_id": cron})
    assert out == {"data": [], "page_info": EMPTY_INFO}
