"""Read-only checks: safe against a production project.

They make only read calls (``list_*``, ``get_*``) and calls that must be refused (a
made-up id, arguments the schema forbids), so they change nothing.
"""

from __future__ import annotations

from typing import Any

from jobsim.verify.contract import (
    TERMINAL,
    batch_problems,
    cron_record_problems,
    job_record_problems,
    page_problems,
    schema_problems,
)
from jobsim.verify.suite import (
    MADE_UP_SLUG,
    MADE_UP_UUID,
    CheckFn,
    Context,
    Fail,
    Skip,
    check,
)

__all__: list[str] = []

#: The page size of the walks: small, so that a few dozen items make several pages.
_WALK_LIMIT = 3


def _valid(tool: str, output: Any, what: str) -> None:
    problems = schema_problems(tool, output)
    if problems:
        raise Fail(f"{what} breaks the {tool} output schema: {'; '.join(problems[:4])}", output)


def _records(problems_of: Any, records: list[dict[str, Any]], what: str) -> None:
    for record in records:
        problems = problems_of(record)
        if problems:
            raise Fail(f"{what} {record.get('id')!r}: {'; '.join(problems[:4])}", record)


def _walk_problems(pages: list[Any], limit: int) -> list[str]:
    """What breaks SPEC section 7 across the pages of one walk."""
    problems: list[str] = []
    cursor: str | None = None
    seen: set[str] = set()
    for number, page in enumerate(pages, 1):
        problems += [f"page {number}: {p}" for p in page_problems(page, cursor=cursor, limit=limit)]
        for item in page["data"]:
            if item["id"] in seen:
                problems.append(f"page {number}: item {item['id']} was already seen")
            seen.add(item["id"])
        cursor = page["page_info"]["next"]
        if number > 1:
            prev, before = page["page_info"]["prev"], pages[number - 2]["page_info"]["self"]
            if prev != before:
                problems.append(
                    f"page {number}: page_info.prev is {prev!r}, not {before!r} "
                    "(the cursor of the previous page)"
                )
    stamps = [item["created_at"] for page in pages for item in page["data"]]
    if stamps != sorted(stamps, reverse=True):
        problems.append("the walk is not newest first across pages")
    return problems


async def _walk(ctx: Context, tool: str, arguments: dict[str, Any], total: int) -> list[Any]:
    if total <= _WALK_LIMIT:
        raise Skip(f"needs more than {_WALK_LIMIT} items to page through; found {total}")
    pages = await ctx.walk(tool, arguments, _WALK_LIMIT)
    for number, page in enumerate(pages, 1):
        _valid(tool, page, f"page {number}")
    problems = _walk_problems(pages, _WALK_LIMIT)
    if problems:
        raise Fail("; ".join(problems[:4]), *pages[:6])
    return pages


def _missed(walked: list[Any], everything: list[dict[str, Any]]) -> list[str]:
    """Ids of ``everything`` (one big page) that lie within the walk's span but that the
    walk did not see. Items created meanwhile only come before the span, so this holds
    while the listing changes."""
    ids = [item["id"] for page in walked for item in page["data"]]
    order = [item["id"] for item in everything]
    inside = [i for i in ids if i in order]
    if not inside:
        return []
    span = order[order.index(inside[0]) : order.index(inside[-1]) + 1]
    seen = set(ids)
    return [i for i in span if i not in seen]


# -- outputs validate -----------------------------------------------------------------


@check("read", "list_jobs_schema", "list_jobs output validates against the published schema")
async def _list_jobs_schema(ctx: Context) -> str | None:
    page = await ctx.ok("list_jobs", {"project_reference": ctx.project, "limit": 100})
    _valid("list_jobs", page, "the first page")
    return f"{len(page['data'])} jobs on the first page"


@check("read", "job_records", "every listed job record keeps the lifecycle invariants")
async def _job_records(ctx: Context) -> str | None:
    jobs = await ctx.some_jobs()
    _records(job_record_problems, jobs, "job")
    return f"{len(jobs)} jobs"


@check("read", "list_cron_jobs_schema", "list_cron_jobs output validates against the schema")
async def _list_cron_jobs_schema(ctx: Context) -> str | None:
    page = await ctx.ok("list_cron_jobs", {"project_reference": ctx.project, "limit": 100})
    _valid("list_cron_jobs", page, "the first page")
    return f"{len(page['data'])} cron jobs on the first page"


@check("read", "cron_records", "every listed cron job record keeps the cron invariants")
async def _cron_records(ctx: Context) -> str | None:
    crons = await ctx.crons()
    if not crons:
        raise Skip(f"project {ctx.project!r} has no cron jobs")
    _records(cron_record_problems, crons, "cron job")
    return f"{len(crons)} cron jobs"


@check("read", "get_job_batch", "get_job_batch validates, and job_count is the sum of its counts")
async def _get_job_batch(ctx: Context) -> str | None:
    batch = await ctx.batch_id()
    summary = await ctx.ok("get_job_batch", {"project_reference": ctx.project, "batch_id": batch})
    _valid("get_job_batch", summary, f"batch {batch}")
    problems = batch_problems(summary)
    if problems:
        raise Fail(f"batch {batch}: {'; '.join(problems)}", summary)
    return None


@check("read", "list_job_batch_jobs", "list_job_batch_jobs validates and lists only that batch")
async def _list_job_batch_jobs(ctx: Context) -> str | None:
    batch = await ctx.batch_id()
    args = {"project_reference": ctx.project, "batch_id": batch, "limit": 100}
    page = await ctx.ok("list_job_batch_jobs", args)
    _valid("list_job_batch_jobs", page, f"batch {batch}'s first page")
    strays = [job["id"] for job in page["data"] if job.get("batch_id") != batch]
    if strays:
        raise Fail(f"jobs of another batch listed in {batch}: {', '.join(strays)}", page)
    _records(job_record_problems, page["data"], "job")
    return None


@check("read", "batch_counts", "a batch's summary agrees with every job listed in it")
async def _batch_counts(ctx: Context) -> str | None:
    batch = await ctx.batch_id()
    summary = await ctx.ok("get_job_batch", {"project_reference": ctx.project, "batch_id": batch})
    pages = await ctx.walk(
        "list_job_batch_jobs", {"project_reference": ctx.project, "batch_id": batch}, 100
    )
    jobs = [job for page in pages for job in page["data"]]
    problems = batch_problems(summary, jobs)
    if problems:
        raise Fail(f"batch {batch}: {'; '.join(problems)}", summary)
    return f"{len(jobs)} jobs"


@check("read", "get_job_events", "get_job_events validates and tells of the job asked for")
async def _get_job_events(ctx: Context) -> str | None:
    job = (await ctx.some_jobs())[0]["id"]
    out = await ctx.ok("get_job_events", {"project_reference": ctx.project, "job_id": job})
    _valid("get_job_events", out, f"the events of job {job}")
    strays = [e for e in out["entries"] if e["metadata"]["job_id"] != job]
    if strays:
        raise Fail(f"entries of another job among job {job}'s events", strays[0])
    return f"{len(out['entries'])} entries"


@check("read", "job_events_directions", "a finished job's events backward are forward reversed")
async def _job_events_directions(ctx: Context) -> str | None:
    finished = [j["id"] for j in await ctx.some_jobs() if j.get("status") in TERMINAL]
    if not finished:
        raise Skip("no finished job among the first 100 (a running job's log still grows)")
    args = {"project_reference": ctx.project, "job_id": finished[0], "limit": 1000}
    forward = await ctx.ok("get_job_events", {**args, "direction": "forward"})
    backward = await ctx.ok("get_job_events", {**args, "direction": "backward"})
    if forward["next_cursor"] is not None or backward["next_cursor"] is not None:
        raise Skip(f"job {finished[0]} has more than 1000 events")
    if backward["entries"] != forward["entries"][::-1]:
        raise Fail(f"job {finished[0]}: backward is not forward reversed", forward, backward)
    return None


@check("read", "get_job_target", "get_job_target of a job's target validates and names it")
async def _get_job_target(ctx: Context) -> str | None:
    names = list(dict.fromkeys(str(j["target"]) for j in await ctx.some_jobs()))[:3]
    for name in names:
        args = {"project_reference": ctx.project, "target_name": name}
        answer = await ctx.call("get_job_target", args)
        if answer.code == "not_found":
            continue
        if not answer.ok:
            raise Fail(f"get_job_target {name!r} was refused: {answer.brief()}", answer)
        _valid("get_job_target", answer.output, f"target {name!r}")
        if answer.output["target"] != name:
            raise Fail(f"asked for target {name!r}, got {answer.output['target']!r}", answer)
        return name
    raise Skip(f"no job's target is known to get_job_target (tried {', '.join(names)})")


# -- pagination ----------------------------------------------------------------------


@check("read", "list_jobs_walk", "paging list_jobs by next sees each job once, newest first")
async def _list_jobs_walk(ctx: Context) -> str | None:
    return await _walk_all(ctx, "list_jobs", await ctx.jobs())


@check("read", "list_cron_jobs_walk", "paging list_cron_jobs by next sees each cron job once")
async def _list_cron_jobs_walk(ctx: Context) -> str | None:
    return await _walk_all(ctx, "list_cron_jobs", await ctx.crons())


async def _walk_all(ctx: Context, tool: str, everything: list[dict[str, Any]]) -> str:
    """Walk ``tool``'s listing of the project and compare it with ``everything`` (its
    first 100 items, one page)."""
    pages = await _walk(ctx, tool, {"project_reference": ctx.project}, len(everything))
    missed = _missed(pages, everything)
    if missed:
        raise Fail(f"the walk skipped {', '.join(missed)}", *pages[:6])
    return f"{len(pages)} pages of {_WALK_LIMIT}"


@check("read", "list_jobs_filters", "list_jobs with a status or batch filter lists only matches")
async def _list_jobs_filters(ctx: Context) -> str | None:
    job = (await ctx.some_jobs())[0]
    filters = [("status", job["status"])]
    if isinstance(job.get("batch_id"), str):
        filters.append(("batch_id", job["batch_id"]))
    for key, value in filters:
        args = {"project_reference": ctx.project, key: value, "limit": 100}
        page = await ctx.ok("list_jobs", args)
        strays = [item["id"] for item in page["data"] if item.get(key) != value]
        if strays or job["id"] not in [item["id"] for item in page["data"]]:
            raise Fail(f"list_jobs {key}={value!r} lists {strays or 'without ' + job['id']}", page)
    return None


@check("read", "foreign_cursor", "a job outside a batch is refused as that batch's cursor")
async def _foreign_cursor(ctx: Context) -> str | None:
    batch = await ctx.batch_id()
    outside = [j["id"] for j in await ctx.jobs() if j.get("batch_id") != batch]
    if not outside:
        raise Skip(f"every job of the first 100 is in batch {batch}")
    args = {"project_reference": ctx.project, "batch_id": batch, "cursor": outside[0]}
    await ctx.refused("list_job_batch_jobs", args, "invalid_arguments")
    return None


@check("read", "job_id_as_cron_cursor", "a job's id is refused as a list_cron_jobs cursor")
async def _job_as_cron_cursor(ctx: Context) -> str | None:
    job = (await ctx.some_jobs())[0]["id"]
    args = {"project_reference": ctx.project, "cursor": job}
    await ctx.refused("list_cron_jobs", args, "invalid_arguments")
    return None


@check("read", "other_project", "a second --project the token cannot reach answers as missing")
async def _other_project(ctx: Context) -> str | None:
    other = ctx.other_project
    if other is None:
        raise Skip("needs a second --project (one the token cannot reach)")
    missing = await ctx.refused("list_jobs", {"project_reference": MADE_UP_SLUG}, "not_found")
    answer = await ctx.refused("list_jobs", {"project_reference": other}, "not_found")
    if answer.message.replace(other, "<P>") != missing.message.replace(MADE_UP_SLUG, "<P>"):
        raise Fail(
            f"project {other!r} is worded unlike a missing one: {answer.message!r} "
            f"vs {missing.message!r}",
            answer,
            missing,
        )
    return None


# -- calls that must be refused ------------------------------------------------------------

#: Leaves a key out of a call's arguments.
_OMIT = object()

#: Checks that are calls which must be refused: name, description, the code, the calls.
#: Each call's arguments get ``project_reference`` (the ``--project``) unless they set it.
_REFUSALS: tuple[tuple[str, str, str, tuple[tuple[str, dict[str, Any]], ...]], ...] = (
    (
        "made_up_cursor",
        "a made-up cursor is refused as invalid_arguments",
        "invalid_arguments",
        (("list_jobs", {"cursor": MADE_UP_UUID}),),
    ),
    (
        "unknown_project",
        "list_jobs of a made-up project is not_found",
        "not_found",
        (("list_jobs", {"project_reference": MADE_UP_SLUG}),),
    ),
    (
        "unknown_job_events",
        "get_job_events of a made-up job id is not_found",
        "not_found",
        (("get_job_events", {"job_id": MADE_UP_UUID}),),
    ),
    (
        "unknown_batch",
        "get_job_batch and list_job_batch_jobs of a made-up id: not_found",
        "not_found",
        (
            ("get_job_batch", {"batch_id": MADE_UP_UUID}),
            ("list_job_batch_jobs", {"batch_id": MADE_UP_UUID}),
        ),
    ),
    (
        "cancel_unknown_job",
        "cancel_job of a made-up job id is refused as not_found",
        "not_found",
        (("cancel_job", {"job_id": MADE_UP_UUID}),),
    ),
    (
        "update_unknown_cron",
        "update_cron_job of a made-up id is refused as not_found",
        "not_found",
        (("update_cron_job", {"cron_job_id": MADE_UP_UUID, "name": "verify"}),),
    ),
    (
        "unknown_keys",
        "an unknown argument key is refused as invalid_arguments",
        "invalid_arguments",
        (("list_jobs", {"colour": "red"}),),
    ),
    (
        "missing_required",
        "a call without a required argument is invalid_arguments",
        "invalid_arguments",
        (("list_jobs", {"project_reference": _OMIT}), ("get_job_batch", {})),
    ),
    (
        "wrong_types",
        "arguments of the wrong type are refused as invalid_arguments",
        "invalid_arguments",
        (("list_jobs", {"limit": "ten"}), ("get_job_batch", {"batch_id": 7})),
    ),
    (
        "bad_enum",
        "a status outside the schema's enum is refused as invalid_arguments",
        "invalid_arguments",
        (("list_jobs", {"status": "running"}),),
    ),
    (
        "limit_out_of_range",
        "list_jobs limit 0, 101 and 2.5 are invalid_arguments",
        "invalid_arguments",
        tuple(("list_jobs", {"limit": limit}) for limit in (0, 101, 2.5)),
    ),
    (
        "events_limit_out_of_range",
        "get_job_events limit 1001 is invalid_arguments",
        "invalid_arguments",
        (("get_job_events", {"job_id": MADE_UP_UUID, "limit": 1001}),),
    ),
)


def _refusal(code: str, calls: tuple[tuple[str, dict[str, Any]], ...]) -> CheckFn:
    async def refusal(ctx: Context) -> str | None:
        for tool, arguments in calls:
            given = {"project_reference": ctx.project, **arguments}
            await ctx.refused(tool, {k: v for k, v in given.items() if v is not _OMIT}, code)
        return None

    return refusal


for _name, _description, _code, _calls in _REFUSALS:
    check("read", _name, _description)(_refusal(_code, _calls))
