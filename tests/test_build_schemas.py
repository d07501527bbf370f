"""scripts/build_schemas.py: the shipped schemas are what it builds from schemas/ in the repo."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from jobsim.registry import TOOLS

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_schemas.py"
SHIPPED = ROOT / "jobsim" / "schemas"


def shipped() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(SHIPPED.glob("*.json"))}


def test_a_copy_of_the_repo_builds_schemas_byte_identical_to_the_shipped_ones(tmp_path):
    # Only the script and its sources: nothing outside the repository is read.
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts")
    out = tmp_path / "jobsim" / "schemas"
    out.mkdir(parents=True)
    (out / "stale_tool.json").write_text("{}")  # a tool that is gone is removed
    done = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "build_schemas.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built = {p.name: p.read_bytes() for p in sorted(out.glob("*.json"))}
    assert built == shipped()


def test_every_tool_has_its_own_source_document():
    sources = {p.stem for p in (ROOT / "schemas" / "jobsim").glob("*.json")}
    assert sources == set(TOOLS)


def test_the_script_names_no_tool_so_adding_one_needs_no_edit_there():
    text = SCRIPT.read_text()
    named = sorted(name for name in TOOLS if name in text)
    assert named == []
