"""Schema checks on the shipped schemas, library by library, and what output validation
costs a call.

Three checks (issue 11): ``create_job``'s input, one job record (``cancel_job``'s
output) and a page of 100 (``list_job_batch_jobs``' output), each a value the schema
accepts (the common case: refusals go to jsonschema anyway). Checked by jsonschema-rs
alone, by jobsim's fast check (jsonschema-rs with Python's ``re`` for ``pattern``,
plus the plain-JSON walk where a caller's Python value is checked), by fastjsonschema
(the ``bench`` extra; skipped without it) and by jsonschema, the reference.

Then ``list_job_batch_jobs``, page of 100 from a batch of 1k jobs, with
``validate_outputs`` off and on in the same run; the ratio is reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import pytest
import workloads
from jsonschema import Draft7Validator
from workloads import median_of

from jobsim.fastcheck import compile_check, compile_json_check
from jobsim.registry import TOOLS


def _values() -> dict[str, tuple[dict[str, Any], Any]]:
    sim = workloads.new_sim(record=False)
    ids = workloads.fill_batch(sim, 200)
    job = sim.call("cancel_job", {"project_reference": workloads.PROJECT, "job_id": ids[0]})
    page = sim.call("list_job_batch_jobs", workloads.page_args(ids[150]))
    assert len(page["data"]) == 100
    return {
        "create_job input": (TOOLS["create_job"].input_schema, workloads.create_args()),
        "job record": (TOOLS["cancel_job"].output_schema, job),
        "page of 100": (TOOLS["list_job_batch_jobs"].output_schema, page),
    }


VALUES = _values()


def _fastjsonschema(schema: dict[str, Any]) -> Callable[[Any], Any]:
    fastjsonschema = pytest.importorskip("fastjsonschema", reason="pip install -e '.[bench]'")
    return fastjsonschema.compile(schema, use_formats=False)  # type: ignore[no-any-return]


LIBRARIES: dict[str, Callable[[dict[str, Any]], Callable[[Any], Any]]] = {
    "jsonschema-rs": lambda schema: jsonschema_rs.Draft7Validator(schema).is_valid,
    "jobsim fast check": compile_check,
    "jobsim fast check, JSON only": compile_json_check,
    "fastjsonschema": _fastjsonschema,
    "jsonschema": lambda schema: Draft7Validator(schema).is_valid,
}


@pytest.mark.parametrize("library", list(LIBRARIES))
@pytest.mark.parametrize("case", list(VALUES))
def test_schema_check(benchmark, report, case, library):
    schema, value = VALUES[case]
    check = LIBRARIES[library](schema)
    rounds = 20 if library == "jsonschema" and case == "page of 100" else 200
    result = benchmark.pedantic(check, args=(value,), rounds=rounds, iterations=10)
    assert result in (True, None, value)  # fastjsonschema returns the value it accepts
    if (m := median_of(benchmark)) is not None:
        report(f"{case}: {library}", m * 1e6, "us", "(comparison)")


SIZE = 1_000
PAGE_MEDIANS: dict[bool, float] = {}


@pytest.mark.parametrize("validate", [False, True], ids=["unchecked", "validate_outputs"])
def test_page_of_100_with_and_without_output_validation(benchmark, report, batches, validate):
    sim, ids = batches(SIZE)
    pages = itertools.cycle([workloads.page_args(c) for c in workloads.cursors(ids)])
    sim.record, sim.validate_outputs = True, validate  # as a user's test suite calls it
    try:
        page = benchmark.pedantic(
            sim.call,
            setup=lambda: (("list_job_batch_jobs", next(pages)), {}),
            rounds=2_000,
            warmup_rounds=workloads.POSITIONS,
        )
    finally:
        sim.record, sim.validate_outputs = False, False
        sim._transcript.clear()  # keep the shared simulator small
    assert len(page["data"]) == 100
    if (m := median_of(benchmark)) is not None:
        PAGE_MEDIANS[validate] = m
        if len(PAGE_MEDIANS) == 2:
            ratio = PAGE_MEDIANS[True] / PAGE_MEDIANS[False]
            report("page of 100, validate_outputs / off", ratio, "x", "<= 1.3x", ratio <= 1.3)
