"""Regenerate ``jobsim/schemas/*.json`` from the documents under ``schemas/``.

Run from anywhere in a clone (no argument needed)::

    python scripts/build_schemas.py

Two kinds of source, both in the repository:

``schemas/published/``
    The platform's documents, vendored verbatim: ``veryfront/<tool>.json`` (each
    documented tool's page as read: title and schemas, some partial) and
    ``seeds/*.txt`` (two tool pages whose schemas are complete).
``schemas/jobsim/``
    What jobsim writes itself: ``<tool>.json`` for every tool, and ``parts/<name>.json``
    for the records several tools share.

The rules (docs/spec.md section 1): a tool with a published page is ``documented``;
its description is the page's title, its input schema the published one (a seed's
when there is one) completed with a description and ``$schema``, and its output
schema jobsim's, with every key the page publishes put back verbatim. A tool without
a page (``platform`` or ``control``) is its ``schemas/jobsim`` document as written.
In jobsim's documents ``{"$part": name, ...}`` stands for ``parts/<name>.json`` and
``{"$published": "tool/pointer/path"}`` for a piece of a published schema; other
keys beside ``$part`` are added to the part. Adding a tool is adding its document;
nothing here names a tool. The output is committed: the package never reads
``schemas/`` at run time, and ``tests/test_build_schemas.py`` checks it is current.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "schemas"
OUT = ROOT / "jobsim" / "schemas"
DRAFT7 = "http://json-schema.org/draft-07/schema#"


def seed_schemas(text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two JSON objects of a seed page: input schema, output schema."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    pos = 0
    while len(found) < 2:
        pos = text.index("{", pos)
        obj, end = decoder.raw_decode(text, pos)
        found.append(obj)
        pos = end
    return found[0], found[1]


def published_tools(folder: Path) -> dict[str, dict[str, Any]]:
    """Every published page by tool name, a seed's complete schemas replacing the page's."""
    pages = {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("veryfront/*.json"))}
    for path in sorted(folder.glob("seeds/*.txt")):
        schema_in, schema_out = seed_schemas(path.read_text())
        name = schema_in["description"].removeprefix("Input schema for the ").split()[0]
        pages[name] = {**pages[name], "input_schema": schema_in, "output_schema": schema_out}
    return pages


def merge_published(full: Any, published: Any) -> Any:
    """``full`` with every key that was published put back verbatim (recursively)."""
    if not published:
        return full
    out = copy.deepcopy(full)
    for key, value in published.items():
        if key == "properties" and isinstance(value, dict):
            props = out.setdefault("properties", {})
            for name, sub in value.items():
                props[name] = merge_published(props.get(name, {}), sub) if name in props else sub
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_published(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class Resolver:
    """Expands ``$part`` and ``$published`` in jobsim's documents."""

    def __init__(self, parts: dict[str, Any], published: dict[str, dict[str, Any]]) -> None:
        self.parts = parts
        self.published = published

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "$published" in value:
            tool, *path = value["$published"].split("/")
            found: Any = self.published[tool]
            for key in path:
                found = found[key]
            return copy.deepcopy(found)
        out: dict[str, Any] = {}
        if "$part" in value:
            out = self(self.parts[value["$part"]])
        for key, sub in value.items():
            if key != "$part":
                out[key] = self(sub)
        return out


def build(sources: Path = SOURCES) -> dict[str, str]:
    """File name -> text of every tool document, as ``jobsim/schemas/`` should hold them."""
    published = published_tools(sources / "published")
    parts = {
        p.stem: json.loads(p.read_text()) for p in (sources / "jobsim" / "parts").glob("*.json")
    }
    resolve = Resolver(parts, published)
    files: dict[str, str] = {}
    for path in sorted((sources / "jobsim").glob("*.json")):
        own = json.loads(path.read_text())
        name = own["name"]
        page = published.get(name)
        if page is None:
            tool = resolve(own)
        else:
            schema_in = copy.deepcopy(page["input_schema"])
            schema_in.setdefault("description", f"Input schema for the {name} tool.")
            schema_in.setdefault("$schema", DRAFT7)
            tool = {
                "name": name,
                "family": "documented",
                "description": page["title"],
                "input_schema": schema_in,
                "output_schema": merge_published(
                    resolve(own["output_schema"]), page["output_schema"]
                ),
            }
        files[f"{name}.json"] = json.dumps(tool, indent=2) + "\n"
    return files


def main() -> None:
    files = build()
    for old in OUT.glob("*.json"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (OUT / name).write_text(text)
    print(f"wrote {len(files)} tool documents to {OUT}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit("build_schemas.py takes no arguments; it reads schemas/ of this repository")
    main()
