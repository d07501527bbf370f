"""Regenerate ``jobsim/schemas/*.json`` from the published documents.

Run from the repository root with the shared spec beside it::

    python scripts/build_schemas.py ../shared

The seeds are taken verbatim; the other documented tools keep every published
key and are completed as SPEC section 1 says (draft-07, ``additionalProperties:
false``, every added property required, nullable as ``["T", "null"]``). The tools
jobsim adds itself are written here in the same style. The output is committed:
the package never reads the spec at run time.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

DRAFT7 = "http://json-schema.org/draft-07/schema#"
STATUSES = ["submitted", "working", "completed", "failed", "canceled"]
CODES = ["invalid_arguments", "not_found", "conflict", "rate_limited", "unavailable", "internal"]


def seed_schemas(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two JSON objects of a seed page: input schema, output schema."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    pos = 0
    while len(found) < 2:
        pos = text.index("{", pos)
        obj, end = decoder.raw_decode(text, pos)
        found.append(obj)
        pos = end
    return found[0], found[1]


def s(type_: str | list[str], description: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_, **extra, "description": description}


def obj(
    props: dict[str, Any], required: list[str], description: str, top: bool = True
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
        "description": description,
    }
    if top:
        out["$schema"] = DRAFT7
    return out


def merge_published(full: dict[str, Any], published: dict[str, Any] | None) -> dict[str, Any]:
    """``full`` with every key that was published put back verbatim (recursively)."""
    if not published:
        return full
    out = copy.deepcopy(full)
    for key, value in published.items():
        if key == "properties" and isinstance(value, dict):
            props = out.setdefault("properties", {})
            for name, sub in value.items():
                props[name] = merge_published(props.get(name, {}), sub) if name in props else sub
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_published(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def strip_top(schema: dict[str, Any]) -> dict[str, Any]:
    out = dict(schema)
    out.pop("$schema", None)
    return out


def main(shared: Path) -> None:
    spec = shared / "spec" / "veryfront"
    docs = {p.stem: json.loads(p.read_text()) for p in spec.glob("*.json")}
    seeds = [seed_schemas(p.read_text()) for p in sorted((shared / "seeds").glob("*.txt"))]
    cancel_in, job_out = seeds[0]
    list_in, list_out = seeds[1]
    assert cancel_in["description"].startswith("Input schema for the cancel_job")
    assert list_in["description"].startswith("Input schema for the list_job_batch_jobs")

    page_info = list_out["properties"]["page_info"]
    project_ref = {"type": "string", "description": "Project ID or slug"}

    def job_ref(
        tool: str, extra: dict[str, Any] | None = None, req: list[str] | None = None
    ) -> dict[str, Any]:
        props = {"project_reference": project_ref, "job_id": s("string", "Job ID")}
        props.update(extra or {})
        return obj(
            props,
            ["project_reference", "job_id", *(req or [])],
            f"Input schema for the {tool} tool.",
        )

    def cron_ref(tool: str) -> dict[str, Any]:
        return obj(
            {"project_reference": project_ref, "cron_job_id": s("string", "Cron job ID")},
            ["project_reference", "cron_job_id"],
            f"Input schema for the {tool} tool.",
        )

    cron_props = {
        "id": s("string", "Cron job identifier."),
        "project_id": s("string", "Project identifier that owns the cron job."),
        "environment_id": s(
            ["string", "null"], "Environment identifier used when scheduled runs execute."
        ),
        "branch_id": s(
            ["string", "null"], "Branch identifier whose source snapshot the cron job uses."
        ),
        "name": s("string", "Human-readable cron job name."),
        "status": s("string", "Lifecycle status of the cron job, such as active or paused."),
        "target": s("string", "Execution target invoked on each schedule."),
        "schedule": s("string", "Cron expression that defines when the job can run."),
        "timezone": s("string", "Timezone applied when evaluating the cron schedule."),
        "config": {
            "type": "object",
            "additionalProperties": {
                "description": "Additional structured values associated with this result."
            },
            "description": "Configuration payload passed to each scheduled run.",
        },
        "timeout_seconds": s("number", "Execution timeout for each run in seconds."),
        "backoff_limit": s("number", "Maximum retry count for each run."),
        "concurrency_policy": s(
            "string", "What a tick does while a run is active: Allow, Forbid or Replace."
        ),
        "last_scheduled_at": s(
            ["string", "null"], "Timestamp of the latest scheduled run, or null."
        ),
        "last_successful_at": s(
            ["string", "null"], "Timestamp when the latest successful run completed, or null."
        ),
        "created_at": s("string", "Timestamp when the cron job was created."),
        "updated_at": s("string", "Timestamp when the cron job was last updated."),
    }
    cron_record = obj(cron_props, list(cron_props), "Cron job record returned by MCP job tools.")
    published_cron_item = docs["list_cron_jobs"]["output_schema"]["properties"]["data"]["items"]
    cron_item = merge_published(strip_top(cron_record), published_cron_item)
    cron_list = obj(
        {
            "data": {
                "type": "array",
                "items": cron_item,
                "description": "Cron job records for the requested page.",
            },
            "page_info": page_info,
        },
        ["data", "page_info"],
        "Paginated list of cron jobs for a project.",
    )

    target_record = obj(
        {
            "target": s("string", "Target name."),
            "family": s("string", "Target family: the part of the name before the first ':'."),
            "description": s(["string", "null"], "What the target does, or null."),
            "input_schema": s(
                ["object", "null"], "JSON Schema that job configs must satisfy, or null."
            ),
            "output_schema": s(["object", "null"], "JSON Schema of the target's result, or null."),
        },
        ["target", "family", "description", "input_schema", "output_schema"],
        "Contract of a job target.",
    )

    counts = docs["get_job_batch"]["output_schema"]["properties"]["status_counts"]
    batch = merge_published(
        obj(
            {
                "id": {},
                "project_id": {},
                "target": {},
                "job_count": {},
                "status_counts": counts,
                "created_at": s("string", "Timestamp when the first job of the batch was created."),
                "updated_at": s(
                    "string", "Timestamp of the latest change to any job of the batch."
                ),
                "result": s(
                    ["object", "null"],
                    "Aggregate result of the batch; null while none is produced.",
                ),
            },
            [
                "id",
                "project_id",
                "target",
                "job_count",
                "status_counts",
                "created_at",
                "updated_at",
                "result",
            ],
            "Aggregate details of a batch of jobs.",
        ),
        docs["get_job_batch"]["output_schema"],
    )

    events_pub = docs["get_job_events"]["output_schema"]
    events = merge_published(
        obj(
            {
                "entries": {},
                "next_cursor": s(
                    ["string", "null"],
                    "Opaque cursor for the next entries in the same direction, or null at the end.",
                ),
                "stats": obj(
                    {
                        "bytes_processed": s(
                            "integer", "Bytes of the entries returned.", minimum=0
                        ),
                        "lines_processed": s("integer", "Number of entries returned.", minimum=0),
                        "query_time_ms": s(
                            "number", "Time the query took, in milliseconds.", minimum=0
                        ),
                    },
                    ["bytes_processed", "lines_processed", "query_time_ms"],
                    "Query statistics.",
                    top=False,
                ),
            },
            ["entries", "next_cursor", "stats"],
            "Events of one job.",
        ),
        events_pub,
    )

    def complete_input(doc: dict[str, Any], name: str) -> dict[str, Any]:
        schema = copy.deepcopy(doc["input_schema"])
        schema.setdefault("description", f"Input schema for the {name} tool.")
        schema.setdefault("$schema", DRAFT7)
        return schema

    whole = lambda desc, **kw: s("integer", desc, **kw)  # noqa: E731
    job_create_props = {
        "project_reference": project_ref,
        "name": s("string", "Job name", minLength=1),
        "target": s("string", "Target to run (e.g. container image or script path)", minLength=1),
        "config": {
            "type": "object",
            "additionalProperties": {
                "description": "Additional structured values supplied to the tool."
            },
            "description": "Job configuration / environment variables",
        },
        "batch_id": s(
            "string", "Batch ID (a UUID chosen by the caller) to group this job with others"
        ),
        "environment_id": s("string", "Environment ID to scope this job to"),
        "branch_id": s("string", "Branch ID for the project source snapshot (omit for main)"),
        "timeout_seconds": whole("Timeout in seconds over all attempts (default: 300)", minimum=1),
        "backoff_limit": whole("Number of retries on failure (default: 3)", minimum=0, maximum=100),
    }
    named = lambda tool: obj(  # noqa: E731
        {"project_reference": project_ref, "name": s("string", "Name")},
        ["project_reference", "name"],
        f"Input schema for the {tool} tool.",
    )
    scoped = obj(
        {
            "id": s("string", "Identifier."),
            "project_id": s("string", "Project identifier that owns it."),
            "name": s("string", "Name."),
        },
        ["id", "project_id", "name"],
        "An environment or branch of a project.",
    )

    tools: list[dict[str, Any]] = [
        # documented: the seeds verbatim
        dict(
            name="cancel_job",
            family="documented",
            description=docs["cancel_job"]["title"],
            input_schema=cancel_in,
            output_schema=job_out,
        ),
        dict(
            name="list_job_batch_jobs",
            family="documented",
            description=docs["list_job_batch_jobs"]["title"],
            input_schema=list_in,
            output_schema=list_out,
        ),
        # documented: published inputs verbatim, outputs completed
        dict(
            name="list_jobs",
            family="documented",
            description=docs["list_jobs"]["title"],
            input_schema=complete_input(docs["list_jobs"], "list_jobs"),
            output_schema=list_out,
        ),
        dict(
            name="get_job_batch",
            family="documented",
            description=docs["get_job_batch"]["title"],
            input_schema=complete_input(docs["get_job_batch"], "get_job_batch"),
            output_schema=batch,
        ),
        dict(
            name="get_job_events",
            family="documented",
            description=docs["get_job_events"]["title"],
            input_schema=complete_input(docs["get_job_events"], "get_job_events"),
            output_schema=events,
        ),
        dict(
            name="get_job_target",
            family="documented",
            description=docs["get_job_target"]["title"],
            input_schema=complete_input(docs["get_job_target"], "get_job_target"),
            output_schema=target_record,
        ),
        dict(
            name="create_cron_job",
            family="documented",
            description=docs["create_cron_job"]["title"],
            input_schema=complete_input(docs["create_cron_job"], "create_cron_job"),
            output_schema=cron_record,
        ),
        dict(
            name="list_cron_jobs",
            family="documented",
            description=docs["list_cron_jobs"]["title"],
            input_schema=complete_input(docs["list_cron_jobs"], "list_cron_jobs"),
            output_schema=cron_list,
        ),
        dict(
            name="update_cron_job",
            family="documented",
            description=docs["update_cron_job"]["title"],
            input_schema=complete_input(docs["update_cron_job"], "update_cron_job"),
            output_schema=merge_published(cron_record, docs["update_cron_job"]["output_schema"]),
        ),
        # platform tools: the REST API has them, no MCP page was found
        dict(
            name="create_job",
            family="platform",
            description="Create a job in a project",
            input_schema=obj(
                job_create_props,
                ["project_reference", "name", "target"],
                "Input schema for the create_job tool.",
            ),
            output_schema=job_out,
        ),
        dict(
            name="get_job",
            family="platform",
            description="Get one job of a project",
            input_schema=job_ref("get_job"),
            output_schema=job_out,
        ),
        dict(
            name="get_cron_job",
            family="platform",
            description="Get one cron job of a project",
            input_schema=cron_ref("get_cron_job"),
            output_schema=cron_record,
        ),
        dict(
            name="delete_cron_job",
            family="platform",
            description="Delete a cron job (it turns 'deleting', then disappears)",
            input_schema=cron_ref("delete_cron_job"),
            output_schema=cron_record,
        ),
        dict(
            name="trigger_cron_job",
            family="platform",
            description="Run a cron job once, now",
            input_schema=cron_ref("trigger_cron_job"),
            output_schema=job_out,
        ),
        # simulation control
        dict(
            name="sim_create_project",
            family="control",
            description="Create a project",
            input_schema=obj(
                {
                    "slug": s(
                        "string", "Project slug", pattern="^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
                    ),
                    "id": s(
                        "string",
                        "Project id (a UUID); drawn from the seeded id source when omitted",
                    ),
                },
                ["slug"],
                "Input schema for the sim_create_project tool.",
            ),
            output_schema=obj(
                {"id": s("string", "Project identifier."), "slug": s("string", "Project slug.")},
                ["id", "slug"],
                "A project.",
            ),
        ),
        dict(
            name="sim_create_environment",
            family="control",
            description="Create an environment in a project",
            input_schema=named("sim_create_environment"),
            output_schema=scoped,
        ),
        dict(
            name="sim_create_branch",
            family="control",
            description="Create a branch in a project",
            input_schema=named("sim_create_branch"),
            output_schema=scoped,
        ),
        dict(
            name="sim_define_target",
            family="control",
            description="Define (or redefine) a job target and how its jobs behave",
            input_schema=obj(
                {
                    "name": s(
                        "string", "Target name, for example task:knowledge-ingest", minLength=1
                    ),
                    "description": s("string", "What the target does"),
                    "input_schema": s(
                        "object", "JSON Schema (draft-07) that job configs must satisfy"
                    ),
                    "output_schema": s("object", "JSON Schema of the target's result"),
                    "behavior": obj(
                        {
                            "start_after_seconds": s(
                                "number",
                                "Seconds from creation to the first attempt (default: 0)",
                                minimum=0,
                            ),
                            "run_seconds": s(
                                "number", "Seconds each attempt runs (default: 1)", minimum=0
                            ),
                            "exit_codes": {
                                "type": "array",
                                "items": {"type": "integer", "minimum": 0, "maximum": 255},
                                "minItems": 1,
                                "description": "Exit code of each attempt; the last one repeats (default: [0])",
                            },
                            "events": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "Messages logged when each attempt starts",
                            },
                        },
                        [],
                        "How jobs of this target progress as the clock moves",
                        top=False,
                    ),
                },
                ["name"],
                "Input schema for the sim_define_target tool.",
            ),
            output_schema=target_record,
        ),
        dict(
            name="sim_advance_clock",
            family="control",
            description="Move the virtual clock forward, running every event that falls due",
            input_schema=obj(
                {
                    "seconds": s(
                        "number", "Seconds to advance (rounded to the millisecond)", minimum=0
                    )
                },
                ["seconds"],
                "Input schema for the sim_advance_clock tool.",
            ),
            output_schema=obj(
                {"now": s("string", "The virtual time after the advance.")}, ["now"], "The clock."
            ),
        ),
        dict(
            name="sim_start_job",
            family="control",
            description="Start a submitted job's first attempt now",
            input_schema=job_ref("sim_start_job"),
            output_schema=job_out,
        ),
        dict(
            name="sim_finish_job",
            family="control",
            description="End a job's running attempt with an exit code",
            input_schema=job_ref(
                "sim_finish_job",
                {"exit_code": whole("Exit code of the attempt", minimum=0, maximum=255)},
                ["exit_code"],
            ),
            output_schema=job_out,
        ),
        dict(
            name="sim_inject_fault",
            family="control",
            description="Make the next calls of a tool fail with an error code",
            input_schema=obj(
                {
                    "tool": s("string", "Tool whose next calls fail"),
                    "code": s("string", "Error code to fail with", enum=CODES),
                    "message": s("string", "Error message (a default names the fault)"),
                    "times": whole("How many calls fail (default: 1)", minimum=1),
                },
                ["tool", "code"],
                "Input schema for the sim_inject_fault tool.",
            ),
            output_schema=obj(
                {
                    "tool": s("string", "Tool whose next calls fail."),
                    "code": s("string", "Error code."),
                    "message": s("string", "Error message."),
                    "times": s("integer", "How many calls fail.", minimum=1),
                    "pending": s(
                        "integer", "Injected failures now queued for this tool.", minimum=1
                    ),
                },
                ["tool", "code", "message", "times", "pending"],
                "An injected fault.",
            ),
        ),
    ]
    out_dir = Path(__file__).resolve().parent.parent / "jobsim" / "schemas"
    for old in out_dir.glob("*.json"):
        old.unlink()
    for tool in tools:
        (out_dir / f"{tool['name']}.json").write_text(json.dumps(tool, indent=2) + "\n")
    print(f"wrote {len(tools)} tool documents to {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared"))
