"""`jobsim fixtures`: the committed corpus is what seed 0 generates, byte for byte."""

import json
from collections import Counter
from pathlib import Path

import pytest

from jobsim import fixtures
from jobsim.cli import main
from jobsim.registry import TOOLS
from jobsim.testing import (
    batch_problems,
    cron_record_problems,
    job_record_problems,
    schema_problems,
)

CORPUS = Path(__file__).resolve().parent.parent / "fixtures"


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def seed_0(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed0")
    fixtures.generate(0, out)
    return out


def test_regenerating_seed_0_reproduces_the_committed_corpus_byte_for_byte(seed_0):
    committed, fresh = tree(CORPUS), tree(seed_0)
    assert sorted(committed) == sorted(fresh), (
        "regenerate with: jobsim fixtures --seed 0 --out fixtures"
    )
    for name, content in fresh.items():
        assert committed[name] == content, f"fixtures/{name} is stale; regenerate it"


def test_the_same_seed_gives_identical_files_twice(seed_0, tmp_path):
    fixtures.generate(0, tmp_path, ["busy-cron-hour"])
    name = "busy-cron-hour/calls.json"
    assert (tmp_path / name).read_bytes() == (seed_0 / name).read_bytes()


def test_another_seed_gives_other_ids(seed_0, tmp_path):
    fixtures.generate(1, tmp_path, ["batch-every-status"])
    for name in ("calls.json", "records.json"):
        assert (tmp_path / "batch-every-status" / name).read_bytes() != (
            seed_0 / "batch-every-status" / name
        ).read_bytes()
    ours = json.loads((seed_0 / "batch-every-status/records.json").read_text())
    theirs = json.loads((tmp_path / "batch-every-status/records.json").read_text())
    assert {j["id"] for j in ours["jobs"]}.isdisjoint({j["id"] for j in theirs["jobs"]})
    assert ours["batches"][0]["id"] != theirs["batches"][0]["id"]


def test_files_are_sorted_two_space_json_with_a_final_newline(seed_0):
    for path in seed_0.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert text.endswith("}\n") or text.endswith("]\n")
        assert fixtures.dump_json(json.loads(text)) == text


def test_every_recorded_output_fits_its_schema_and_every_record_keeps_the_rules():
    for scenario in fixtures.SCENARIOS:
        calls = json.loads((CORPUS / scenario / "calls.json").read_text())
        assert calls, scenario
        for call in calls:
            if "result" not in call:
                continue
            assert schema_problems(call["tool"], call["result"]) == [], (scenario, call["tool"])
        records = json.loads((CORPUS / scenario / "records.json").read_text())
        for job in records["jobs"]:
            assert job_record_problems(job) == [], (scenario, job["id"])
        for cron in records["cron_jobs"]:
            assert cron_record_problems(cron) == [], (scenario, cron["id"])
        for batch in records["batches"]:
            members = [j for j in records["jobs"] if j["batch_id"] == batch["id"]]
            assert batch_problems(batch, members) == [], (scenario, batch["id"])


def test_refused_calls_are_recorded_with_their_error():
    calls = json.loads((CORPUS / "batch-every-status/calls.json").read_text())
    refused = [c for c in calls if "error" in c]
    assert {c["error"]["code"] for c in refused} == {"conflict", "not_found"}
    assert all(c["tool"] in TOOLS and "result" not in c for c in refused)


def test_the_batch_scenario_has_every_status_and_both_failure_reasons():
    records = json.loads((CORPUS / "batch-every-status/records.json").read_text())
    (batch,) = records["batches"]
    assert all(count > 0 for count in batch["status_counts"].values())
    reasons = {j["failed_reason"] for j in records["jobs"] if j["status"] == "failed"}
    assert reasons == {"BackoffLimitExceeded", "DeadlineExceeded"}


def test_the_cron_hour_shows_each_concurrency_policy():
    records = json.loads((CORPUS / "busy-cron-hour/records.json").read_text())
    by_cron = {c["name"]: c["id"] for c in records["cron_jobs"]}
    runs = Counter(
        (j["cron_job_id"], j["status"]) for j in records["jobs"] if j["cron_job_id"] is not None
    )
    assert runs[(by_cron["thumbnails (Replace)"], "canceled")] > 0
    forbid = sum(n for (cron, _), n in runs.items() if cron == by_cron["thumbnails (Forbid)"])
    allow = sum(n for (cron, _), n in runs.items() if cron == by_cron["thumbnails (Allow)"])
    assert forbid < allow


def test_the_large_batch_is_paged_exactly_once_by_next():
    calls = json.loads((CORPUS / "large-batch-pagination/calls.json").read_text())
    pages = [
        c["result"]
        for c in calls
        if c["tool"] == "list_job_batch_jobs"
        and "result" in c
        and c["arguments"].get("limit") == 20
        and "status" not in c["arguments"]
    ]
    ids = [job["id"] for page in pages for job in page["data"]]
    assert len(ids) == len(set(ids)) == 105


def test_the_command_shows_a_progress_line_per_scenario(tmp_path, capsys):
    code = main(
        [
            "fixtures",
            "--seed",
            "3",
            "--out",
            str(tmp_path),
            "--scenario",
            "batch-every-status",
            "--scenario",
            "retries-and-timeouts",
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "[1/2] batch-every-status:" in err
    assert "[2/2] retries-and-timeouts:" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "batch-every-status",
        "retries-and-timeouts",
    ]


def test_quiet_writes_nothing_to_stderr(tmp_path, capsys):
    assert (
        fixtures.main(["--out", str(tmp_path), "--scenario", "batch-every-status", "--quiet"]) == 0
    )
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ""
    assert (tmp_path / "batch-every-status" / "calls.json").is_file()


def test_an_unknown_scenario_is_refused_with_the_known_ones(tmp_path, capsys):
    assert main(["fixtures", "--out", str(tmp_path), "--scenario", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'nope'" in err
    assert "busy-cron-hour" in err
