"""jobsim.timeline: attempts read off the event logs, and the picture drawn of them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from jobsim import Simulator, timeline
from jobsim.cli import main
from jobsim.snapshot import SnapshotError

SVG = "{http://www.w3.org/2000/svg}"


def scenario() -> tuple[Simulator, dict[str, str]]:
    """Jobs that end every way an attempt can end, and a cron job that fired."""
    sim = Simulator(seed=2)
    sim.call("sim_create_project", {"slug": "acme"})
    sim.call("sim_create_project", {"slug": "other"})
    sim.call(
        "sim_define_target",
        {"name": "flaky", "behavior": {"run_seconds": 5, "exit_codes": [1, 2, 0]}},
    )
    sim.call("sim_define_target", {"name": "slow", "behavior": {"run_seconds": 600}})

    def job(name: str, **extra: object) -> str:
        args = {"project_reference": "acme", "name": name, "target": "plain", **extra}
        return sim.call("create_job", args)["id"]

    batch = "3f1d2c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
    ids = {
        "flaky": job('flaky <b>&"x"', target="flaky", batch_id=batch),
        "deadline": job("deadline", target="slow", timeout_seconds=20),
        "cut": job("cut"),
        "backoff": job("backoff"),
        "running": job("running"),
        "waiting": job("waiting"),
    }
    sim.call("create_job", {"project_reference": "other", "name": "elsewhere", "target": "t"})
    for name in ("cut", "backoff", "running"):
        sim.call("sim_start_job", {"project_reference": "acme", "job_id": ids[name]})
    sim.call("sim_advance_clock", {"seconds": 3})
    sim.call("cancel_job", {"project_reference": "acme", "job_id": ids["cut"]})
    sim.call(
        "sim_finish_job", {"project_reference": "acme", "job_id": ids["backoff"], "exit_code": 4}
    )
    sim.call("sim_advance_clock", {"seconds": 1})
    sim.call("cancel_job", {"project_reference": "acme", "job_id": ids["backoff"]})
    sim.call(
        "create_cron_job",
        {"project_reference": "acme", "name": "tick", "target": "flaky", "schedule": "* * * * *"},
    )
    sim.call("sim_advance_clock", {"seconds": 150})
    return sim, ids


@pytest.fixture(scope="module")
def made() -> tuple[Simulator, dict[str, str]]:
    return scenario()


def rows_by_id(sim: Simulator) -> dict[str, timeline.JobRow]:
    return {row.id: row for row in timeline.job_rows(sim.snapshot(transcript=False))}


def test_a_retried_job_has_one_attempt_per_run_with_exit_codes_and_backoffs(made):
    sim, ids = made
    row = rows_by_id(sim)[ids["flaky"]]
    got = [(a.number, a.exit_code, a.outcome) for a in row.attempts]
    assert got == [(1, 1, "retried"), (2, 2, "retried"), (3, 0, "completed")]
    first, second, _ = row.attempts
    assert first.end_ms - first.start_ms == 5000
    assert second.start_ms > first.end_ms  # the backoff between them
    assert row.status == "completed"


def test_deadline_cancel_backoff_running_and_waiting_jobs(made):
    sim, ids = made
    rows = rows_by_id(sim)
    deadline = rows[ids["deadline"]]
    assert [a.outcome for a in deadline.attempts] == ["deadline"]
    assert deadline.attempts[0].end_ms == deadline.deadline_ms
    cut = rows[ids["cut"]]
    assert [a.outcome for a in cut.attempts] == ["canceled"]
    assert cut.attempts[0].end_ms == cut.canceled_ms
    backoff = rows[ids["backoff"]]
    assert [(a.outcome, a.exit_code) for a in backoff.attempts] == [("retried", 4)]
    assert backoff.canceled_ms > backoff.attempts[0].end_ms  # canceled in its backoff
    running = rows[ids["running"]]
    assert [(a.outcome, a.end_ms) for a in running.attempts] == [("running", None)]
    assert rows[ids["waiting"]].attempts == []


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def job_group(root: ET.Element, job_id: str) -> ET.Element:
    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("data-job") == job_id]
    return group


def test_the_svg_draws_one_bar_per_attempt_with_a_tooltip_naming_it(made):
    sim, ids = made
    root = parse(timeline.render_svg(sim))
    bars = list(job_group(root, ids["flaky"]).iter(f"{SVG}rect"))
    assert [b.get("data-attempt") for b in bars] == ["1", "2", "3"]
    assert [b.get("class") for b in bars] == [
        "attempt retried",
        "attempt retried",
        "attempt completed",
    ]
    tip = bars[1].find(f"{SVG}title").text
    assert 'job flaky <b>&"x"' in tip  # escaped in the file, plain text once parsed
    assert "attempt 2 of 4 · exit 2 · retried" in tip  # backoff_limit 3: 4 attempts at most
    deadline = job_group(root, ids["deadline"])
    assert "DeadlineExceeded" in deadline.find(f"{SVG}rect/{SVG}title").text
    running = job_group(root, ids["running"]).find(f"{SVG}text/{SVG}title").text
    assert "· working · deadline 2026-01-01T00:05:00.000Z" in running  # 300 s after its start
    assert deadline.find(f"{SVG}line[@class='deadline']") is not None
    assert job_group(root, ids["cut"]).find(f"{SVG}path[@class='cancel']") is not None
    assert job_group(root, ids["backoff"]).find(f"{SVG}line[@class='backoff']") is not None


def test_groups_cron_fires_and_the_current_time(made):
    sim, _ = made
    svg = timeline.render_svg(sim)
    root = parse(svg)
    heads = [t.itertext() for t in root.iter(f"{SVG}text") if t.get("class") == "head"]
    labels = ["".join(parts) for parts in heads]
    assert any("acme · cron tick" in label for label in labels)
    assert any("acme · batch 3f1d2c4b" in label for label in labels)
    assert any("other · jobs" in label for label in labels)
    fires = [p for p in root.iter(f"{SVG}path") if p.get("class") == "fire"]
    assert len(fires) >= 2 + 1  # two fires in 150 s, plus the legend's mark
    now = [line for line in root.iter(f"{SVG}line") if line.get("class") == "now"]
    assert len(now) == 1
    assert root.get("data-now") == sim.now


def test_a_project_filter_keeps_only_its_jobs(made):
    sim, _ = made
    root = parse(timeline.render_svg(sim, project="other"))
    names = [g.get("data-job") for g in root.iter(f"{SVG}g") if g.get("data-job")]
    assert len(names) == 1
    assert "acme" not in timeline.render_svg(sim, project="other")


def test_the_picture_fetches_nothing_when_viewed(made):
    sim, _ = made
    page = timeline.render_html(sim)
    assert page.count("http") == page.count('xmlns="http://www.w3.org/2000/svg"')
    for fetching in ("<script", "href=", "src=", "@import", "url("):
        assert fetching not in page


def test_rows_past_the_cap_are_counted_in_a_visible_note():
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "p"})
    for i in range(30):
        sim.call("create_job", {"project_reference": "p", "name": f"j{i}", "target": "t"})
    root = parse(timeline.render_svg(sim, max_rows=11))
    assert len([g for g in root.iter(f"{SVG}g") if g.get("data-job")]) == 10
    (note,) = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "note"]
    assert note.startswith("20 more job(s)")
    assert "max_rows=11" in note


def test_groups_past_the_cap_are_counted_too():
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "p"})
    for i in range(6):
        batch = f"{i:08d}-0000-4000-8000-000000000000"
        for _ in range(3):
            args = {"project_reference": "p", "name": f"b{i}", "target": "t", "batch_id": batch}
            sim.call("create_job", args)
    root = parse(timeline.render_svg(sim, max_rows=6))
    heads = [t for t in root.iter(f"{SVG}text") if t.get("class") == "head"]
    assert len(heads) == 2  # a header and 2 jobs, twice
    (note,) = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "note"]
    assert note.startswith("14 more job(s) in 4 more group(s)")


@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
def test_a_bad_row_cap_is_refused(bad):
    with pytest.raises(ValueError, match="max_rows"):
        timeline.render_svg(Simulator(), max_rows=bad)


def test_an_empty_simulation_says_so():
    root = parse(timeline.render_svg(Simulator()))
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "note"] == ["no jobs yet"]


def test_a_snapshot_draws_the_same_picture_as_its_simulator(made):
    sim, _ = made
    snapshot = json.loads(json.dumps(sim.snapshot()))
    assert timeline.render_svg(snapshot) == timeline.render_svg(sim)


def test_a_damaged_snapshot_is_refused_saying_where():
    with pytest.raises(SnapshotError, match="damaged snapshot"):
        timeline.render_svg({"format": "nope"})


def test_write_picks_svg_or_html_by_suffix(made, tmp_path: Path):
    sim, _ = made
    svg = timeline.write(sim, tmp_path / "t.svg").read_text()
    page = timeline.write(sim, tmp_path / "t.html").read_text()
    assert svg.startswith("<svg")
    assert page.startswith("<!doctype html>")
    assert svg in page


# -- the command line --------------------------------------------------------------------------


def test_cli_timeline_draws_a_snapshot_file(made, tmp_path: Path, capsys):
    sim, _ = made
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(sim.snapshot()))
    assert main(["timeline", str(snap), "-o", str(tmp_path / "t.svg")]) == 0
    assert (tmp_path / "t.svg").read_text() == timeline.render_svg(sim)
    assert "timeline written to" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file"),
        ("not json", "Expecting value"),
        ("[1]", "a snapshot is a JSON object"),
        ('{"format": "x"}', "damaged snapshot"),
    ],
)
def test_cli_timeline_refuses_a_bad_snapshot_file(content, message, tmp_path: Path, capsys):
    snap = tmp_path / "snap.json"
    if content is not None:
        snap.write_text(content)
    assert main(["timeline", str(snap), "-o", str(tmp_path / "t.html")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "t.html").exists()


def test_cli_demo_writes_its_timeline(tmp_path: Path, capsys):
    assert main(["demo", "--timeline", str(tmp_path / "demo.html")]) == 0
    page = (tmp_path / "demo.html").read_text()
    assert "nightly report" in page
    assert 'class="attempt retried"' in page
    assert f"timeline written to {tmp_path / 'demo.html'}" in capsys.readouterr().out


def test_cli_timeline_refuses_a_row_cap_below_one(made, tmp_path: Path, capsys):
    sim, _ = made
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(sim.snapshot()))
    assert main(["timeline", str(snap), "-o", str(tmp_path / "t.svg"), "--max-rows", "0"]) == 2
    assert "--max-rows 0: expected N >= 1" in capsys.readouterr().err


def test_cli_timeline_draws_one_project(made, tmp_path: Path):
    sim, _ = made
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(sim.snapshot()))
    out = tmp_path / "t.svg"
    assert main(["timeline", str(snap), "-o", str(out), "--project", "other"]) == 0
    assert out.read_text() == timeline.render_svg(sim, project="other")


def test_a_long_simulation_keeps_about_ten_time_ticks():
    sim = Simulator()
    sim.call("sim_create_project", {"slug": "p"})
    sim.call("create_job", {"project_reference": "p", "name": "old", "target": "t"})
    sim.call("sim_advance_clock", {"seconds": 86_400 * 365 * 50})
    root = parse(timeline.render_svg(sim))
    ticks = [line for line in root.iter(f"{SVG}line") if line.get("class") == "grid"]
    assert 5 <= len(ticks) <= 11
