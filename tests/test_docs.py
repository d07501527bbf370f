import json
from pathlib import Path

from jobsim.docs import render_markdown
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
    rows: dict[str, list[str]] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0] in {"documented", "platform", "control"}:
            rows[cells[0]] = [t.strip(" `") for t in cells[1].split(",")]
    registry: dict[str, list[str]] = {}
    for name, spec in TOOLS.items():
        registry.setdefault(spec.family, []).append(name)
    assert {f: sorted(names) for f, names in rows.items()} == registry
    assert all(len(names) == len(set(names)) for names in rows.values())


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
