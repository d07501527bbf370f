"""The ``jobsim`` command's own surface: ``--version``, help texts, and refusals that
name what would be accepted instead of a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

import jobsim
from jobsim.cli import main
from jobsim.fixtures import SCENARIOS


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"jobsim {jobsim.__version__}\n"


def test_fixtures_help_lists_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["fixtures", "--help"])
    out = capsys.readouterr().out
    for name in SCENARIOS:
        assert f"  {name}: " in out


@pytest.mark.parametrize(
    ("make_out", "reason"),
    [
        (lambda tmp: tmp / "taken", "File exists"),
        (lambda tmp: tmp / "taken" / "below", "Not a directory"),
    ],
    ids=["an-existing-file", "below-a-file"],
)
def test_fixtures_out_that_cannot_be_written_is_one_clear_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_out: object, reason: str
) -> None:
    (tmp_path / "taken").write_text("not a directory")
    out = make_out(tmp_path)  # type: ignore[operator]
    assert main(["fixtures", "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith(f"jobsim fixtures: cannot write {tmp_path / 'taken'}")
    assert reason in line
    assert "--out expects a directory" in line
    assert (tmp_path / "taken").read_text() == "not a directory"  # left as it was
