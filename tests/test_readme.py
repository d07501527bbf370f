"""The user-facing docs: their Python examples run as written, and none of them checks
a refusal in a way that passes when nothing is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
#: ``except ToolError ...:`` whose body asserts: passes silently when nothing is raised.
ASSERT_IN_EXCEPT = re.compile(r"except ToolError\b[^\n]*:\n\s+assert\b")


def python_blocks(path: Path) -> list[str]:
    return PYTHON_BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", DOCS, ids=lambda path: path.name)
def test_no_example_checks_a_refusal_with_try_except_assert(path: Path) -> None:
    for block in python_blocks(path):
        assert not ASSERT_IN_EXCEPT.search(block), (
            f"{path.name}: use pytest.raises (an assert inside except passes when nothing "
            f"is raised):\n{block}"
        )


def test_the_readme_python_example_runs_as_written() -> None:
    (block,) = [b for b in python_blocks(ROOT / "README.md") if "Simulator(seed=0)" in b]
    exec(compile(block, "README.md", "exec"), {})


def test_the_license_file_is_the_mit_license_pyproject_declares() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 jobsim developers\n")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "MIT"\nlicense-files = ["LICENSE"]\n' in pyproject
