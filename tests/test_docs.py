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
