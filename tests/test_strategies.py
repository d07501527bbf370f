import builtins
import importlib
import sys
from datetime import UTC, datetime

import pytest
from cronsim import CronSim
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from jobsim import Simulator, ToolError
from jobsim import strategies as js
from jobsim.lifecycle import STATUSES
from jobsim.registry import TOOLS
from jobsim.testing import (
    batch_problems,
    cron_record_problems,
    job_record_problems,
    page_problems,
)

JOB = TOOLS["get_job"].output_validator
CRON = TOOLS["get_cron_job"].output_validator
BATCH = TOOLS["get_job_batch"].output_validator
JOB_PAGE = TOOLS["list_jobs"].output_validator
CRON_PAGE = TOOLS["list_cron_jobs"].output_validator

# The rule whose keyword jsonschema reports for each kind of violation (a value
# inside an anyOf is reported as anyOf).
EXPECTED_RULE = {
    "unknown_key": {"additionalProperties"},
    "missing_required": {"required"},
    "wrong_type": {"type", "anyOf"},
    "enum": {"enum", "anyOf"},
    "range": {"minimum", "maximum"},
    "pattern": {"pattern"},
    "min_length": {"minLength"},
}
TOOL_KINDS = [(tool, kind) for tool in TOOLS for kind in js.violation_kinds(tool)]


def schema_errors(validator, value):
    return [e.message for e in validator.iter_errors(value)]


# -- job records ----------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(js.job_records())
def test_every_job_record_fits_the_get_job_output_schema(record):
    assert schema_errors(JOB, record) == []
    assert list(record) == list(TOOLS["get_job"].output_schema["properties"])


@settings(max_examples=200, deadline=None)
@given(js.job_records())
def test_every_job_record_keeps_the_lifecycle_rules(record):
    assert job_record_problems(record) == []


@pytest.mark.parametrize("status", STATUSES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_job_records_of_one_status_have_that_status(status, data):
    record = data.draw(js.job_records(status))
    assert record["status"] == status
    assert job_record_problems(record) == []


@settings(max_examples=40, deadline=None)
@given(js.job_records(exit_code=3))
def test_pinning_a_nonzero_exit_code_gives_a_backoff_limit_failure(record):
    assert record["status"] == "failed"
    assert record["failed_reason"] == "BackoffLimitExceeded"
    assert record["exit_code"] == 3
    assert job_record_problems(record) == []


@settings(max_examples=40, deadline=None)
@given(js.job_records("failed", failed_reason="DeadlineExceeded", timeout_seconds=60))
def test_deadline_failures_end_exactly_timeout_seconds_after_the_start(record):
    started = datetime.fromisoformat(record["started_at"])
    completed = datetime.fromisoformat(record["completed_at"])
    assert (completed - started).total_seconds() == 60
    assert record["exit_code"] is None


@settings(max_examples=40, deadline=None)
@given(
    js.job_records(
        created_at="2026-03-01T12:00:00.000Z",
        batch_id="7d444840-9dc0-41d1-b245-5ffdce74fad2",
        project_id="0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e",
    )
)
def test_pinned_fields_are_kept_and_the_timeline_starts_at_a_pinned_created_at(record):
    assert record["created_at"] == "2026-03-01T12:00:00.000Z"
    assert record["batch_id"] == "7d444840-9dc0-41d1-b245-5ffdce74fad2"
    assert record["project_id"] == "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e"
    assert job_record_problems(record) == []


@settings(max_examples=40, deadline=None)
@given(js.job_records(completed_at="2026-02-01T00:00:00.000Z"))
def test_a_pinned_completed_at_anchors_the_earlier_timestamps(record):
    assert record["status"] in ("completed", "failed", "canceled")
    assert record["created_at"] <= record["completed_at"] == record["updated_at"]
    assert job_record_problems(record) == []


@pytest.mark.parametrize(
    ("status", "pins"),
    [
        ("completed", {"exit_code": 1}),
        ("submitted", {"started_at": "2026-01-01T00:00:00.000Z"}),
        ("working", {"failed_reason": "DeadlineExceeded"}),
        ("canceled", {"exit_code": 0}),
        (None, {"failed_reason": "OutOfMemory", "exit_code": 0}),
        (None, {"colour": "blue"}),
        (None, {"created_at": "yesterday"}),
        ("paused", {}),
        (("failed",), {"backoff_limit": 10, "timeout_seconds": 5, "exit_code": 1}),
    ],
)
def test_pins_that_no_valid_record_has_are_refused_at_once(status, pins):
    with pytest.raises(InvalidArgument):
        js.job_records(status, **pins)


def test_job_records_shrink_to_a_fresh_submitted_record():
    record = find(js.job_records(), lambda r: True)
    assert record["status"] == "submitted"
    assert record["config"] == {}
    assert record["created_at"] == record["updated_at"] == "2026-01-01T00:00:00.000Z"
    assert record["timeout_seconds"] == 300
    assert record["backoff_limit"] == 3
    for key in ("environment_id", "branch_id", "cron_job_id", "batch_id", "exit_code"):
        assert record[key] is None


def test_job_records_shrink_toward_simple_failures_too():
    record = find(js.job_records(), lambda r: r["status"] == "failed")
    assert record["config"] == {}
    assert record["started_at"] == "2026-01-01T00:00:00.000Z"
    assert record["batch_id"] is None


FAILED_AFTER_RETRIES = {
    "id": "7d444840-9dc0-41d1-b245-5ffdce74fad2",
    "project_id": "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e",
    "environment_id": None,
    "branch_id": None,
    "cron_job_id": None,
    "batch_id": None,
    "name": "backup database",
    "status": "failed",
    "target": "script:backup-db",
    "config": {},
    "timeout_seconds": 300,
    "backoff_limit": 3,  # backoffs of 10 + 20 + 40 s: at least 70 s from start to failure
    "exit_code": 137,
    "failed_reason": "BackoffLimitExceeded",
    "started_at": "2026-01-01T00:00:00.000Z",
    "completed_at": "2026-01-01T00:01:30.000Z",
    "created_at": "2026-01-01T00:00:00.000Z",
    "updated_at": "2026-01-01T00:01:30.000Z",
}
BROKEN = [
    ("completed with exit code 1", {"status": "completed", "exit_code": 1}),
    ("submitted but started", {"status": "submitted", "started_at": "2026-01-01T00:00:00.000Z"}),
    ("working but finished", {"status": "working", "completed_at": "2026-01-01T00:00:01.000Z"}),
    ("failed without a reason", {"status": "failed", "failed_reason": None}),
    ("canceled with a reason", {"status": "canceled", "failed_reason": "DeadlineExceeded"}),
    ("deadline with an exit code", {"failed_reason": "DeadlineExceeded", "exit_code": 1}),
    ("started before created", {"started_at": "2025-12-31T23:59:59.999Z"}),
    ("updated before completed", {"updated_at": "2026-01-01T00:00:00.500Z"}),
    ("seconds, not milliseconds", {"created_at": "2026-01-01T00:00:00Z"}),
    ("an uppercase id", {"id": "7D444840-9DC0-41D1-B245-5FFDCE74FAD2"}),
    ("an unknown status", {"status": "running"}),
    ("a fractional timeout", {"timeout_seconds": 1.5}),
    (
        "retries faster than backoffs allow",
        {"completed_at": "2026-01-01T00:01:00.000Z", "updated_at": "2026-01-01T00:01:00.000Z"},
    ),
    (
        "completed after its deadline",
        {"status": "completed", "exit_code": 0, "failed_reason": None, "timeout_seconds": 60},
    ),
    ("deadline too early", {"exit_code": None, "failed_reason": "DeadlineExceeded"}),
]


@pytest.mark.parametrize(("why", "change"), BROKEN, ids=[b[0] for b in BROKEN])
def test_the_lifecycle_checker_catches_records_the_schema_accepts(why, change):
    record = dict(FAILED_AFTER_RETRIES)
    assert job_record_problems(record) == []
    record.update(change)
    assert schema_errors(JOB, record) == []
    assert job_record_problems(record) != []


# -- cron records, batches, pages ----------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(js.cron_records())
def test_every_cron_record_fits_its_schema_and_rules(record):
    assert schema_errors(CRON, record) == []
    assert cron_record_problems(record) == []


@settings(max_examples=40, deadline=None)
@given(js.cron_records("active", timezone="Asia/Kolkata", schedule="0 * * * *"))
def test_last_scheduled_at_is_a_real_fire_time_of_the_schedule(record):
    if record["last_scheduled_at"] is None:
        return
    fired = datetime.fromisoformat(record["last_scheduled_at"])
    assert fired.astimezone(UTC).minute == 30  # xx:00 in Kolkata is xx:30 UTC
    assert (fired.second, fired.microsecond) == (0, 0)
    assert fired > datetime.fromisoformat(record["created_at"])


@settings(max_examples=100, deadline=None)
@given(js.batch_summaries())
def test_batch_summaries_count_their_jobs(summary):
    assert schema_errors(BATCH, summary) == []
    assert batch_problems(summary) == []
    assert summary["job_count"] == sum(summary["status_counts"].values()) >= 1


@settings(max_examples=40, deadline=None)
@given(js.pages(max_items=8))
def test_pages_fit_the_listing_schema_and_paging_rules(page):
    assert schema_errors(JOB_PAGE, page) == []
    cursor = page["page_info"]["self"]
    assert page_problems(page, cursor=cursor) == []


@settings(max_examples=30, deadline=None)
@given(js.pages(js.cron_records(), max_items=5, limit=2))
def test_pages_of_cron_records_fit_the_cron_listing_schema(page):
    assert schema_errors(CRON_PAGE, page) == []
    assert len(page["data"]) <= 2


@settings(max_examples=40, deadline=None)
@given(js.page_sequences(max_items=10, limit=st.integers(1, 3)))
def test_page_sequences_hold_every_item_exactly_once_with_prev_cursors(pages):
    ids = [item["id"] for page in pages for item in page["data"]]
    assert len(ids) == len(set(ids))
    for k, page in enumerate(pages):
        assert page_problems(page, cursor=pages[k - 1]["page_info"]["next"] if k else None) == []
        expected_prev = pages[k - 2]["data"][-1]["id"] if k >= 2 else None
        assert page["page_info"]["prev"] == expected_prev


# -- tool arguments -------------------------------------------------------------------


@pytest.mark.parametrize("tool", list(TOOLS))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_tool_arguments_pass_the_input_schema(tool, data):
    arguments = data.draw(js.tool_arguments(tool))
    assert schema_errors(TOOLS[tool].input_validator, arguments) == []


@pytest.mark.parametrize("tool", list(TOOLS))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_invalid_tool_arguments_are_refused_by_jsonschema_and_the_simulator(tool, data):
    arguments = data.draw(js.invalid_tool_arguments(tool))
    assert schema_errors(TOOLS[tool].input_validator, arguments) != []
    with pytest.raises(ToolError) as refused:
        Simulator().call(tool, arguments)
    assert refused.value.code == "invalid_arguments"


@pytest.mark.parametrize(("tool", "kind"), TOOL_KINDS, ids=[f"{t}-{k}" for t, k in TOOL_KINDS])
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_each_violation_kind_breaks_the_rule_it_names(tool, kind, data):
    arguments = data.draw(js.invalid_tool_arguments(tool, kind))
    rules = {e.validator for e in TOOLS[tool].input_validator.iter_errors(arguments)}
    assert rules & EXPECTED_RULE[kind], (kind, rules)
    with pytest.raises(ToolError, match=r"invalid_arguments"):
        Simulator().call(tool, arguments)


def test_every_violation_kind_occurs_in_some_tool_schema():
    found = {kind for tool in TOOLS for kind in js.violation_kinds(tool)}
    assert found == set(js.VIOLATION_KINDS)


def test_a_violation_kind_the_schema_cannot_have_is_refused():
    with pytest.raises(InvalidArgument, match="enum"):
        js.invalid_tool_arguments("get_job", "enum")


@settings(max_examples=30, deadline=None)
@given(js.tool_arguments("create_job", project_reference="acme", backoff_limit=0))
def test_pinned_tool_arguments_are_always_present(arguments):
    assert arguments["project_reference"] == "acme"
    assert arguments["backoff_limit"] == 0


@pytest.mark.parametrize(
    ("tool", "pins"),
    [("create_job", {"colour": "blue"}), ("create_job", {"backoff_limit": 101}), ("nope", {})],
)
def test_tool_argument_pins_must_be_arguments_the_schema_accepts(tool, pins):
    with pytest.raises(InvalidArgument):
        js.tool_arguments(tool, **pins)


@settings(max_examples=40, deadline=None)
@given(js.tool_arguments("create_cron_job"))
def test_cron_schedules_drawn_for_the_pattern_are_real_cron_expressions(arguments):
    CronSim(arguments["schedule"], datetime(2026, 1, 1, tzinfo=UTC))


def test_schema_values_refuse_keywords_they_do_not_understand():
    with pytest.raises(NotImplementedError, match="oneOf"):
        js.schema_values({"oneOf": [{"type": "string"}]})


def test_importing_the_strategies_without_hypothesis_says_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_hypothesis(name, *args, **kwargs):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    for module in ("jobsim.strategies", "jobsim.testing"):
        monkeypatch.delitem(sys.modules, module)
        monkeypatch.setattr(builtins, "__import__", no_hypothesis)
        with pytest.raises(ImportError, match=r"jobsim\[hypothesis\]"):
            importlib.import_module(module)
        monkeypatch.setattr(builtins, "__import__", real_import)


# -- more pins, building blocks and the other checkers --------------------------------


@settings(max_examples=30, deadline=None)
@given(js.timestamps())
def test_timestamps_have_the_exact_millisecond_format(stamp):
    assert len(stamp) == 24
    assert stamp.endswith("Z")
    assert datetime.fromisoformat(stamp) >= datetime(2026, 1, 1, tzinfo=UTC)


def test_a_pin_of_the_wrong_type_is_refused():
    with pytest.raises(InvalidArgument, match="exit_code"):
        js.job_records(exit_code="3")


@settings(max_examples=30, deadline=None)
@given(js.job_records("failed", failed_reason="BackoffLimitExceeded", backoff_limit=6))
def test_a_pinned_backoff_limit_gets_a_timeout_long_enough_for_its_retries(record):
    assert record["backoff_limit"] == 6
    assert record["timeout_seconds"] > 10 + 20 + 40 + 80 + 160 + 320
    assert job_record_problems(record) == []


@settings(max_examples=30, deadline=None)
@given(
    js.cron_records(
        status="paused",
        last_scheduled_at=None,
        last_successful_at="2026-01-02T00:00:00.000Z",
        created_at="2026-01-01T00:00:00.000Z",
    )
)
def test_cron_records_keep_their_pins(record):
    assert record["status"] == "paused"
    assert record["last_scheduled_at"] is None
    assert record["last_successful_at"] == "2026-01-02T00:00:00.000Z"
    assert cron_record_problems(record) == []


@pytest.mark.parametrize(
    ("status", "pins"), [("running", {}), ("active", {"timezone": 5}), (None, {"x": 1})]
)
def test_cron_pins_that_cannot_hold_are_refused(status, pins):
    with pytest.raises(InvalidArgument):
        js.cron_records(status, **pins)


@settings(max_examples=20, deadline=None)
@given(js.batch_summaries(status_counts={**dict.fromkeys(STATUSES, 0), "failed": 4}))
def test_pinned_batch_counts_give_their_sum(summary):
    assert summary["job_count"] == 4
    assert batch_problems(summary) == []


def test_batch_job_count_cannot_be_pinned_apart_from_the_counts():
    with pytest.raises(InvalidArgument, match="status_counts"):
        js.batch_summaries(job_count=3)


@pytest.mark.parametrize(
    ("schema", "check"),
    [
        ({"const": "x"}, lambda v: v == "x"),
        ({"type": "boolean"}, lambda v: isinstance(v, bool)),
        ({"type": ["integer", "null"], "maximum": 5}, lambda v: v is None or v <= 5),
        ({"type": "string", "pattern": "^v[0-9]$"}, lambda v: len(v) == 2 and v[0] == "v"),
        ({"type": "object", "additionalProperties": False}, lambda v: v == {}),
        ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, lambda v: len(v) >= 2),
        ({"anyOf": [{"enum": ["a"]}, {"type": "null"}]}, lambda v: v in ("a", None)),
    ],
)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_schema_values_follow_the_keywords_they_understand(schema, check, data):
    assert check(data.draw(js.schema_values(schema)))


CRON_BASE = {
    "id": "7d444840-9dc0-41d1-b245-5ffdce74fad2",
    "project_id": "0b8e4f4e-8d4c-4c8a-9d0a-6f1f2b3c4d5e",
    "environment_id": None,
    "branch_id": None,
    "name": "hourly report",
    "status": "active",
    "target": "report:nightly",
    "schedule": "0 * * * *",
    "timezone": "UTC",
    "config": {},
    "timeout_seconds": 300,
    "backoff_limit": 3,
    "concurrency_policy": "Forbid",
    "last_scheduled_at": "2026-01-01T01:00:00.000Z",
    "last_successful_at": "2026-01-01T01:00:05.000Z",
    "created_at": "2026-01-01T00:30:00.000Z",
    "updated_at": "2026-01-01T01:00:00.000Z",
}
BROKEN_CRONS = [
    ("a schedule of four fields", {"schedule": "0 * * *"}),
    ("a schedule cron rejects", {"schedule": "61 * * * *"}),
    ("an unknown zone", {"timezone": "Mars/Olympus"}),
    ("an unknown policy", {"concurrency_policy": "Queue"}),
    ("status running", {"status": "running"}),
    ("a fire at creation", {"last_scheduled_at": "2026-01-01T00:30:00.000Z"}),
    ("a fire after the last update", {"updated_at": "2026-01-01T00:59:00.000Z"}),
    ("a success before creation", {"last_successful_at": "2026-01-01T00:00:00.000Z"}),
    ("an empty name", {"name": " "}),
    ("a missing key", {"config": None}),
]


@pytest.mark.parametrize(("why", "change"), BROKEN_CRONS, ids=[b[0] for b in BROKEN_CRONS])
def test_the_cron_checker_catches_broken_records(why, change):
    assert cron_record_problems(CRON_BASE) == []
    assert cron_record_problems({**CRON_BASE, **change}) != []


def test_the_batch_checker_compares_the_summary_with_its_jobs():
    job = dict(FAILED_AFTER_RETRIES, batch_id="11111111-1111-4111-8111-111111111111")
    summary = {
        "id": job["batch_id"],
        "project_id": job["project_id"],
        "target": job["target"],
        "job_count": 1,
        "status_counts": {**dict.fromkeys(STATUSES, 0), "failed": 1},
        "created_at": job["created_at"],
        "updated_at": job["updated_at"],
        "result": None,
    }
    assert batch_problems(summary, [job]) == []
    assert batch_problems({**summary, "job_count": 2}, [job]) != []
    assert batch_problems({**summary, "target": None}, [job]) != []
    assert batch_problems({**summary, "updated_at": job["created_at"]}, [job]) != []
    assert batch_problems(summary, [{**job, "status": "completed"}]) != []
    assert batch_problems(summary, [{**job, "batch_id": None}]) != []


def test_the_page_checker_catches_broken_page_info():
    items = [
        dict(FAILED_AFTER_RETRIES, id=f"7d444840-9dc0-41d1-b245-5ffdce74fad{n}") for n in range(3)
    ]
    page = {
        "data": items[:2],
        "page_info": {"self": None, "first": None, "next": items[1]["id"], "prev": None},
    }
    assert page_problems(page, limit=2) == []
    assert page_problems({**page, "page_info": {**page["page_info"], "next": items[0]["id"]}})
    assert page_problems({**page, "page_info": {**page["page_info"], "first": "x"}})
    assert page_problems({**page, "page_info": {**page["page_info"], "prev": "x"}})
    assert page_problems(page, cursor=items[2]["id"])
    assert page_problems(page, limit=1)
    assert page_problems({**page, "data": [items[0], items[0]]})
