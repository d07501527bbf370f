"""Every "SPEC section N" cited in the repository is a section of docs/spec.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "docs" / "spec.md"
#: "SPEC section 4", "SPEC sections 3, 5, 7", "SPEC sections 3-4", "SPEC sections 4 and 9",
#: "SPEC 11"
CITATION = re.compile(r"\bSPEC\s+(?:sections?\s+)?(\d+(?:\s*(?:,|-|\u2013|and)\s*\d+)*)")
SEARCHED = ("README.md", ".ci", "docs", "jobsim", "scripts", "tests", "benchmarks")


def cited_files() -> list[Path]:
    files: list[Path] = []
    for name in SEARCHED:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return [p for p in files if p.suffix in {".py", ".md", ""} and "__pycache__" not in p.parts]


def sections() -> set[int]:
    return {int(n) for n in re.findall(r"^## (\d+)\. ", SPEC.read_text(), re.MULTILINE)}


def test_the_spec_keeps_the_fourteen_sections_the_code_cites():
    assert sections() == set(range(1, 15))


def test_every_spec_section_cited_in_the_repo_exists_in_docs_spec_md():
    cited: dict[int, list[str]] = {}
    for path in cited_files():
        for match in CITATION.finditer(path.read_text(encoding="utf-8")):
            for number in re.findall(r"\d+", match.group(1)):
                cited.setdefault(int(number), []).append(str(path.relative_to(ROOT)))
    assert len(cited) >= 10, "the pattern finds the citations"
    missing = {n: where for n, where in cited.items() if n not in sections()}
    assert missing == {}


def test_nothing_points_at_a_spec_file_outside_the_repo():
    for path in cited_files():
        if path == Path(__file__).resolve():
            continue  # names them, to look for them
        text = path.read_text(encoding="utf-8")
        assert "SPEC.md" not in text, path
        assert "../shared" not in text, path
