"""Reference documentation of every tool, rendered from the registry.

``python -m jobsim.docs > docs/tools.md`` regenerates the committed page, and
``python -m jobsim.docs --readme README.md`` the README's table of the tools by
family; tests check that both are current, so the docs can never drift from the
schemas, the effects, the defaults or the argument rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from jobsim.bounds import MAX_DEPTH
from jobsim.registry import EFFECTS, TOOLS, ToolSpec

__all__ = ["render_families", "render_markdown", "update_readme"]

_FAMILIES = {
    "documented": "Documented Jobs tools (published MCP schemas)",
    "platform": "Platform tools (REST API; schema written by jobsim)",
    "control": "Simulation control (only in the simulator)",
}


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    t = schema.get("type", "any")
    text = " or ".join(t) if isinstance(t, list) else str(t)
    if text == "array" and isinstance(schema.get("items"), dict):
        text = f"array of {_type(schema['items'])}"
    if "enum" in schema:
        text += " (" + ", ".join(f"`{v}`" for v in schema["enum"]) + ")"
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum") if k in schema]
    if bounds:
        text += " [" + ", ".join(bounds) + "]"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    return f"`{json.dumps(value)}`"


def _arguments(spec: ToolSpec) -> list[str]:
    lines = [
        "| argument | type | required | default | jobsim's rule | description |",
        "|---|---|---|---|---|---|",
    ]

    def rows(schema: dict[str, Any], prefix: str) -> Iterator[str]:
        required = set(schema.get("required", []))
        for arg, sub in schema.get("properties", {}).items():
            path = f"{prefix}{arg}"
            rule = spec.rules.get(path)
            default = _code(spec.defaults[path]) if path in spec.defaults else ""
            cells = [
                f"`{path}`",
                _type(sub),
                "yes" if arg in required else "",
                default,
                rule.summary if rule is not None else "",
                str(sub.get("description", "")),
            ]
            yield "| " + " | ".join(_cell(c) for c in cells) + " |"
            if "properties" in sub:
                yield from rows(sub, f"{path}.")

    lines += rows(spec.input_schema, "")
    return lines


def _nested_objects(
    schema: dict[str, Any], prefix: str = ""
) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(path, object schema)`` of each object with properties below the top."""
    for key, sub in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
            path, sub = f"{path}[]", sub["items"]
        if "properties" in sub:
            yield path, sub
            yield from _nested_objects(sub, f"{path}.")


def _returns(spec: ToolSpec) -> list[str]:
    out = spec.output_schema
    keys = ", ".join(f"`{k}`" for k in out.get("properties", {}))
    summary = _cell(str(out.get("description", "an object")))
    lines = [f"Returns: {summary} ({keys})."]
    for path, obj in _nested_objects(out):
        what = _cell(str(obj.get("description", "")))
        lines += ["", f"`{path}`" + (f": {what}" if what else ""), ""]
        lines += ["| field | type | description |", "|---|---|---|"]
        for key, sub in obj["properties"].items():
            cells = [f"`{key}`", _type(sub), str(sub.get("description", ""))]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def render_markdown() -> str:
    """The tool reference as Markdown."""
    lines = [
        "# Tool reference",
        "",
        "Generated from `jobsim/schemas/` and the handler declarations (`jobsim.registry`)",
        "by `python -m jobsim.docs`; do not edit by hand.",
        "",
        "Each tool has an effect:",
        "",
        *(f"- **{name}**: {words}." for name, words in EFFECTS.items()),
        "",
        "A default is the one the schema states. *jobsim's rule* is what jobsim checks",
        "beyond the schema, before anything is looked up. Every argument that holds JSON",
        f"(objects and arrays) nests at most {MAX_DEPTH} levels, and no number anywhere is",
        "larger in magnitude than a double can hold (`jobsim/bounds.py`).",
        "",
    ]
    for family, title in _FAMILIES.items():
        lines += [f"## {title}", ""]
        for name, spec in TOOLS.items():
            if spec.family != family:
                continue
            lines += [f"### `{name}`", "", spec.description + ".", ""]
            lines += [f"Effect: **{spec.effect}** — {EFFECTS[spec.effect]}.", ""]
            lines += _arguments(spec)
            lines += ["", *_returns(spec), ""]
    return "\n".join(lines)


#: The first line of the README's table of tools by family.
_FAMILIES_HEAD = "| family | tools |"


def render_families() -> str:
    """The README's table of the tools by family, each family in name order."""
    rows = [_FAMILIES_HEAD, "|---|---|"]
    for family in _FAMILIES:
        names = ", ".join(f"`{name}`" for name, spec in TOOLS.items() if spec.family == family)
        rows.append(f"| {family} | {names} |")
    return "\n".join(rows) + "\n"


def update_readme(text: str) -> str:
    """``text`` (a README) with its table of tools by family replaced by
    :func:`render_families`: the lines from ``| family | tools |`` to the table's end."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(_FAMILIES_HEAD))
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "".join([*lines[:start], render_families(), *lines[end:]])


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    if sys.argv[1:2] == ["--readme"]:
        readme = Path(sys.argv[2])
        readme.write_text(update_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(render_markdown(), end="")
