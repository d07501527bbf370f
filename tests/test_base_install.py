"""What works with only the base install (no ``hypothesis``, no ``mcp`` extra).

Each check runs in a fresh interpreter whose import system refuses the extras, as a
venv with only ``pip install .`` would.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BLOCK_EXTRAS = """
import importlib.abc, sys

class NoExtras(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("hypothesis", "mcp"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoExtras())
"""


def run_without_extras(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_EXTRAS + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_blocker_really_refuses_the_extras():
    done = run_without_extras("import hypothesis")
    assert done.returncode != 0
    assert "No module named 'hypothesis'" in done.stderr


def test_the_checkers_work_without_hypothesis_or_mcp():
    done = run_without_extras(
        """
        from jobsim import Simulator
        from jobsim.checkers import check, job_record_problems

        sim = Simulator()
        sim.call("sim_create_project", {"slug": "acme"})
        job = sim.call("create_job", {"project_reference": "acme", "name": "n", "target": "t"})
        check(job_record_problems(job), "job")
        assert job_record_problems({**job, "exit_code": 3}), "a broken record passes"
        extras = sorted(m for m in sys.modules if m.split(".")[0] in ("hypothesis", "mcp"))
        assert not extras, extras
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_world_file_loader_imports_without_mcp():
    done = run_without_extras("from jobsim.worldfile import load_world; print('ok')")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("module", ["jobsim.testing", "jobsim.strategies"])
def test_the_hypothesis_toolkit_says_which_extra_to_install(module):
    done = run_without_extras(f"import {module}")
    assert done.returncode != 0
    assert "pip install 'jobsim[hypothesis]'" in done.stderr


def test_the_readme_demo_and_the_fixtures_command_run_without_extras(tmp_path):
    done = run_without_extras(
        f"""
        from jobsim.cli import main
        assert main(["demo"]) == 0
        assert main(["fixtures", "--out", {str(tmp_path)!r}, "--scenario",
                     "batch-every-status", "--quiet"]) == 0
        """
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "batch-every-status" / "calls.json").is_file()
