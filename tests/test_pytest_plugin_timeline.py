"""The plugin writes a failing test's timeline picture and names it in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobsim.pytest_plugin import TIMELINE_SECTION

from inner_runs import OPTIONS

pytest_plugins = ["pytester"]


TESTS = """
def test_fails(jobsim):
    jobsim.call("sim_create_project", {"slug": "acme"})
    jobsim.call("create_job", {"project_reference": "acme", "name": "lost job", "target": "t"})
    assert False, "boom"

def test_fails_with_tmp_path(jobsim, tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    assert False

def test_passes(jobsim):
    jobsim.call("sim_create_project", {"slug": "quiet"})

def test_fails_without_jobsim():
    assert False
"""


def sections_by_test(pytester: pytest.Pytester, *args: str) -> dict[str, dict[str, str]]:
    pytester.makepyfile(TESTS)
    reports = pytester.inline_run(*OPTIONS, *args).getreports("pytest_runtest_logreport")
    return {r.nodeid.split("::")[-1]: dict(r.sections) for r in reports if r.when == "call"}


def named_path(section: str) -> Path:
    prefix = "timeline of the simulation: "
    assert section.startswith(prefix), section
    return Path(section.removeprefix(prefix))


def test_a_failing_test_names_its_timeline_written_under_its_temporary_directory(
    pytester: pytest.Pytester,
) -> None:
    sections = sections_by_test(pytester)
    path = named_path(sections["test_fails"][TIMELINE_SECTION])
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "lost job" in page
    assert path.is_relative_to(pytester.path.parent)  # pytest's base temp, not the cwd
    own = named_path(sections["test_fails_with_tmp_path"][TIMELINE_SECTION])
    assert (own.parent / "mine.txt").exists()  # the test's own tmp_path
    assert TIMELINE_SECTION not in sections["test_passes"]
    assert TIMELINE_SECTION not in sections["test_fails_without_jobsim"]


def test_jobsim_artifacts_puts_the_timeline_in_the_given_folder(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    out = tmp_path / "artifacts"
    sections = sections_by_test(pytester, "--jobsim-artifacts", str(out))
    path = named_path(sections["test_fails"][TIMELINE_SECTION])
    assert path.parent.parent == out
    assert path.parent.name.endswith("test_fails")
    assert path.name == "timeline-call.html"
    assert "lost job" in path.read_text(encoding="utf-8")


def test_the_path_is_printed_with_the_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest(*OPTIONS)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(["*- jobsim timeline -*", "timeline of the simulation: *.html"])


def test_a_timeline_that_cannot_be_written_is_said_not_raised(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    sections = sections_by_test(pytester, "--jobsim-artifacts", str(blocker))
    assert sections["test_fails"][TIMELINE_SECTION].startswith("could not write the timeline: ")
