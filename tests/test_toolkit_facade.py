"""The toolkit's facades keep every documented name, and each name is one object."""

from __future__ import annotations

import jobsim.checkers
import jobsim.strategies
import jobsim.testing
import jobsim.testing.strategies
import jobsim.worldfile

TESTING = [
    "JobsStateMachine",
    "batch_problems",
    "check",
    "cron_record_problems",
    "job_record_problems",
    "page_problems",
    "schema_problems",
]
STRATEGIES = [
    "CRON_PATTERN",
    "SLUG_PATTERN",
    "VIOLATION_KINDS",
    "batch_summaries",
    "configs",
    "cron_records",
    "cron_schedules",
    "invalid_tool_arguments",
    "job_records",
    "json_values",
    "names",
    "page_sequences",
    "pages",
    "schema_values",
    "slugs",
    "targets",
    "timestamps",
    "timezones",
    "tool_arguments",
    "uuids",
    "violation_kinds",
]


def test_jobsim_testing_keeps_its_names_and_the_checkers_are_jobsim_checkers():
    assert jobsim.testing.__all__ == TESTING
    for name in TESTING[1:]:
        assert getattr(jobsim.testing, name) is getattr(jobsim.checkers, name)


def test_jobsim_strategies_is_the_toolkit_facade_by_its_documented_name():
    assert jobsim.strategies.__all__ == STRATEGIES
    assert jobsim.testing.strategies.__all__ == STRATEGIES
    for name in STRATEGIES:
        assert getattr(jobsim.strategies, name) is getattr(jobsim.testing.strategies, name)
    assert jobsim.strategies.SearchStrategy is jobsim.testing.strategies.SearchStrategy


def test_the_world_file_loader_keeps_its_mcp_import_paths():
    import jobsim.mcp
    import jobsim.mcp.worldfile

    for name in ("WorldFileError", "load_world", "read_world"):
        assert getattr(jobsim.mcp, name) is getattr(jobsim.worldfile, name)
        assert getattr(jobsim.mcp.worldfile, name) is getattr(jobsim.worldfile, name)
