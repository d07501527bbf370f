"""How `jobsim verify` classifies an endpoint's answers into jobsim's error codes."""

from __future__ import annotations

import mcp_types as types
import pytest
from mcp.shared.exceptions import MCPError

from jobsim.verify.answers import classify_error, classify_result
from jobsim.verify.catalogue import schema_diff


def error_result(text: str, meta: dict[str, object] | None = None) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True, _meta=meta)


def test_a_success_is_its_structured_content() -> None:
    result = types.CallToolResult(content=[], structured_content={"a": 1})
    answer = classify_result(result)
    assert answer.ok
    assert answer.output == {"a": 1}


def test_a_success_with_only_text_is_the_json_of_the_text() -> None:
    result = types.CallToolResult(content=[types.TextContent(text='{"a": 2}')])
    assert classify_result(result).output == {"a": 2}


def test_jobsims_error_meta_gives_the_code() -> None:
    meta = {"jobsim/error": {"code": "conflict", "message": "job J is already completed"}}
    answer = classify_result(error_result("whatever the text says", meta))
    assert (answer.code, answer.message) == ("conflict", "job J is already completed")


def test_a_code_prefix_in_the_text_gives_the_code() -> None:
    answer = classify_result(error_result("not_found: job 'x' not found"))
    assert (answer.code, answer.message) == ("not_found", "job 'x' not found")
    assert answer.raw["isError"] is True


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Job 123 was not found", "not_found"),
        ("HTTP 404", "not_found"),
        ("Job is already canceled", "conflict"),
        ("Validation failed: limit must be <= 100", "invalid_arguments"),
        ("Too many requests", "rate_limited"),
        ("Service Unavailable", "unavailable"),
        ("something odd happened", "unclassified"),
    ],
)
def test_other_error_text_is_classified_by_its_words(text: str, code: str) -> None:
    assert classify_result(error_result(text)).code == code


@pytest.mark.parametrize(
    ("rpc", "code"),
    [
        (types.INVALID_PARAMS, "invalid_arguments"),
        (types.METHOD_NOT_FOUND, "not_found"),
        (types.INTERNAL_ERROR, "internal"),
        (types.REQUEST_TIMEOUT, "timeout"),
        (types.CONNECTION_CLOSED, "connection_closed"),
    ],
)
def test_json_rpc_errors_map_by_code(rpc: int, code: str) -> None:
    answer = classify_error(MCPError(rpc, "message"))
    assert answer.code == code
    assert answer.raw == {"code": rpc, "message": "message"}


def test_an_unknown_json_rpc_error_is_classified_by_its_words() -> None:
    assert classify_error(MCPError(-31000, "project not found")).code == "not_found"


def test_a_timeout_says_how_long_was_waited_and_anything_else_is_a_closed_connection() -> None:
    assert classify_error(TimeoutError(), 2.5).message == "no answer within 2.5 s"
    closed = classify_error(ConnectionResetError("peer went away"))
    assert (closed.code, closed.message) == (
        "connection_closed",
        "ConnectionResetError: peer went away",
    )


def test_schema_diff_names_each_difference_by_path() -> None:
    published = {"type": "object", "properties": {"a": {"maximum": 100}, "b": {}}}
    listed = {"type": "object", "properties": {"a": {"maximum": 50}, "c": {}}}
    assert schema_diff(published, listed) == [
        "properties.a.maximum: published 100, listed 50",
        "properties.b: missing (published {})",
        "properties.c: not published (listed {})",
    ]
