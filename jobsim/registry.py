"""The tool registry: every operation declared once — name, schemas, handler.

The schemas are package data (``jobsim/schemas/<tool>.json``); a handler module
binds its function to a tool with :func:`handler`. ``Simulator.call``, the MCP
adapter, the Hypothesis strategies and the docs all read :data:`TOOLS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

from jsonschema import Draft7Validator

from jobsim.errors import ToolError
from jobsim.fastcheck import Check, compile_check, compile_json_check

if TYPE_CHECKING:
    from jobsim.world import World

__all__ = ["TOOLS", "Handler", "ToolSpec", "get", "handler", "tool_names"]

Handler = Callable[["World", dict[str, Any]], dict[str, Any]]


@dataclass(eq=False)
class ToolSpec:
    """One tool: its published name and schemas, and the function that runs it.

    ``family`` is ``documented`` (a published MCP tool), ``platform`` (the REST
    API has it, jobsim wrote its schema) or ``control`` (a ``sim_*`` tool that only
    exists in the simulator).
    """

    name: str
    family: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    handler: Handler | None = field(default=None, repr=False)

    @cached_property
    def input_validator(self) -> Draft7Validator:
        """A compiled validator of the input schema (built once, on first use)."""
        return Draft7Validator(self.input_schema)

    @cached_property
    def output_validator(self) -> Draft7Validator:
        """A compiled validator of the output schema (built once, on first use)."""
        return Draft7Validator(self.output_schema)

    @cached_property
    def input_check(self) -> Check:
        """The input schema as a fast predicate (:mod:`jobsim.fastcheck`): the accept
        path for any Python value; jsonschema still words every refusal."""
        return compile_check(self.input_schema)

    @cached_property
    def output_check(self) -> Check:
        """The output schema as a fast predicate for JSON values (the simulator's own
        outputs, decoded JSON): the accept path of ``validate_outputs`` and of the
        checkers; ``output_validator`` says why not."""
        return compile_json_check(self.output_schema)

    def run(self, world: World, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check ``arguments`` against the input schema, then run the handler."""
        if not self.input_check(arguments):  # the fast check never raises
            errors = sorted(self.input_validator.iter_errors(arguments), key=_error_rank)
            if errors:
                raise schema_error(self, errors[0])
        if self.handler is None:  # pragma: no cover - every shipped tool has a handler
            raise NotImplementedError(f"tool {self.name} has no handler")
        return self.handler(world, arguments)


def _error_rank(error: Any) -> tuple[int, str]:
    # Report the shallowest problem first, and deterministically.
    return (len(error.absolute_path), "/".join(map(str, error.absolute_path)))


def schema_error(spec: ToolSpec, error: Any) -> ToolError:
    """Turn a jsonschema error into an ``invalid_arguments`` that says what is accepted."""
    path = list(error.absolute_path)
    where = ".".join(str(p) for p in path) or "arguments"
    props = spec.input_schema.get("properties", {})
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return ToolError(
            "invalid_arguments",
            f"{where}: unknown key(s) {', '.join(map(repr, extra))}; "
            f"accepted keys are {', '.join(allowed)}",
            {"field": where, "unknown": extra, "accepted": allowed},
        )
    if kind == "required":
        missing = [r for r in error.validator_value if r not in error.instance]
        return ToolError(
            "invalid_arguments",
            f"{where}: missing required key(s) {', '.join(map(repr, missing))}",
            {"field": where, "missing": missing},
        )
    expected = _describe(error.schema)
    top = str(path[0]) if path else ""
    if top in props and not expected:
        expected = _describe(props[top])
    return ToolError(
        "invalid_arguments",
        f"{where}: {error.message}; expected {expected or 'a value the schema accepts'}",
        {"field": where, "rule": kind, "expected": expected},
    )


def _describe(schema: dict[str, Any]) -> str:
    parts: list[str] = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(map(repr, schema["enum"])))
    elif "type" in schema:
        t = schema["type"]
        names = {
            "integer": "a whole number",
            "number": "a number",
            "string": "a string",
            "object": "an object",
            "array": "an array",
            "boolean": "true or false",
            "null": "null",
        }
        types = t if isinstance(t, list) else [t]
        parts.append(" or ".join(names.get(str(x), str(x)) for x in types))
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"from {schema['minimum']} to {schema['maximum']}")
    elif "minimum" in schema:
        parts.append(f">= {schema['minimum']}")
    elif "maximum" in schema:
        parts.append(f"<= {schema['maximum']}")
    if schema.get("minLength") == 1:
        parts.append("non-empty")
    if "pattern" in schema:
        parts.append(f"matching {schema['pattern']}")
    return " ".join(parts)


def _load() -> dict[str, ToolSpec]:
    tools: dict[str, ToolSpec] = {}
    folder = resources.files("jobsim") / "schemas"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        doc = json.loads(entry.read_text(encoding="utf-8"))
        tools[doc["name"]] = ToolSpec(
            name=doc["name"],
            family=doc["family"],
            description=doc["description"],
            input_schema=doc["input_schema"],
            output_schema=doc["output_schema"],
        )
    return tools


#: Every tool, by name, in name order.
TOOLS: dict[str, ToolSpec] = _load()


def handler(name: str) -> Callable[[Handler], Handler]:
    """Bind the decorated function as the handler of tool ``name``."""

    def bind(fn: Handler) -> Handler:
        spec = TOOLS[name]
        if spec.handler is not None:
            raise RuntimeError(f"tool {name} already has a handler")
        spec.handler = fn
        return fn

    return bind


def get(name: str) -> ToolSpec:
    """The tool called ``name``; an unknown name is ``invalid_arguments`` listing the known ones."""
    try:
        return TOOLS[name]
    except (KeyError, TypeError):
        raise ToolError(
            "invalid_arguments",
            f"unknown tool {name!r}; known tools are {', '.join(TOOLS)}",
            {"field": "tool", "accepted": list(TOOLS)},
        ) from None


def tool_names(*, control: bool = True) -> Iterator[str]:
    """Names of the tools, optionally without the ``sim_*`` control tools."""
    return (n for n, s in TOOLS.items() if control or s.family != "control")
