"""Reference documentation of every tool, rendered from the registry.

``python -m jobsim.docs > docs/tools.md`` regenerates the committed page; a test
checks that it is current, so the docs can never drift from the schemas.
"""

from __future__ import annotations

from typing import Any

from jobsim.registry import TOOLS

__all__ = ["render_markdown"]

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
    if "enum" in schema:
        text += " (" + ", ".join(f"`{v}`" for v in schema["enum"]) + ")"
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum") if k in schema]
    if bounds:
        text += " [" + ", ".join(bounds) + "]"
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    """The tool reference as Markdown."""
    lines = [
        "# Tool reference",
        "",
        "Generated from `jobsim/schemas/` by `python -m jobsim.docs`; do not edit by hand.",
        "",
    ]
    for family, title in _FAMILIES.items():
        lines += [f"## {title}", ""]
        for name, spec in TOOLS.items():
            if spec.family != family:
                continue
            schema = spec.input_schema
            required = set(schema.get("required", []))
            lines += [f"### `{name}`", "", spec.description + ".", ""]
            lines += ["| argument | type | required | description |", "|---|---|---|---|"]
            for arg, sub in schema.get("properties", {}).items():
                desc = _cell(str(sub.get("description", "")))
                req = "yes" if arg in required else ""
                lines.append(f"| `{arg}` | {_cell(_type(sub))} | {req} | {desc} |")
            out = spec.output_schema
            keys = ", ".join(f"`{k}`" for k in out.get("properties", {}))
            summary = _cell(str(out.get("description", "an object")))
            lines += ["", f"Returns: {summary} ({keys}).", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(render_markdown(), end="")
