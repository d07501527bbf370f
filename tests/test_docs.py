import json
from pathlib import Path

from jobsim.docs import render_families, render_markdown, update_readme
from jobsim.registry import TOOLS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "tools.md"


def test_committed_tool_reference_is_current():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/tools.md is stale: run `python -m jobsim.docs > docs/tools.md`"
    )


def test_tool_reference_documents_every_tool_and_argument():
    text = render_markdown()
    for name, spec in TOOLS.items():
        assert f"### `{name}`" in text
        for arg in spec.input_schema.get("properties", {}):
            assert f"| `{arg}` |" in text


README = DOCS.parent.parent / "README.md"


def test_the_readme_tools_table_lists_each_family_as_the_registry_does():
    text = README.read_text(encoding="utf-8")
    assert render_families() in text, (
        "the README's tools table is stale: run `python -m jobsim.docs --readme README.md`"
    )
    assert update_readme(text) == text


def test_the_families_table_names_every_tool_once_under_its_family():
    rows = {}
    for line in render_families().splitlines()[2:]:
        family, names = (c.strip() for c in line.strip("|").split("|"))
        rows[family] = [n.strip(" `") for n in names.split(",")]
    assert sorted(n for names in rows.values() for n in names) == sorted(TOOLS)
    assert all(TOOLS[n].family == family for family, names in rows.items() for n in names)


def test_tool_reference_shows_effects_defaults_rules_and_nested_objects():
    text = render_markdown()
    for spec in TOOLS.values():
        section = text.split(f"### `{spec.name}`")[1].split("### ")[0]
        assert f"Effect: **{spec.effect}**" in section
        for path, value in spec.defaults.items():
            assert f"| `{path}` |" in section
            assert f"`{json.dumps(value)}`" in section
        for path, rule in spec.rules.items():
            assert rule.summary in section, (spec.name, path)
    for nested in ("`behavior.run_seconds`", "`entries[]`", "`page_info`", "`stats`"):
        assert nested in text
