"""The tool registry: every operation declared once — name, schemas, handler.

The schemas are package data (``jobsim/schemas/<tool>.json``), published verbatim.
A handler module binds its function to a tool with :func:`handler`, and declares
there what jobsim adds to the schema: the tool's effect and its argument rules
(:mod:`jobsim.arguments`). Defaults are read from the schema. ``Simulator.call``,
the MCP adapter, the Hypothesis strategies and the docs all read :data:`TOOLS`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

from jobsim.arguments import Anchored, Json, Rule, Uuid
from jobsim.bounds import is_plain_json, json_problem
from jobsim.errors import ToolError, invalid
from jobsim.fastcheck import Check, compile_check, compile_json_check

if TYPE_CHECKING:
    from jsonschema import Draft7Validator

    from jobsim.world import World

__all__ = ["EFFECTS", "TOOLS", "Handler", "ToolSpec", "get", "handler", "tool_names"]

Handler = Callable[["World", dict[str, Any]], dict[str, Any]]

#: What a tool may change, by effect: ``read`` nothing; ``local`` only the project,
#: job, batch and cron job its arguments and output name; ``global`` anything (the
#: clock, targets, faults — and through them every record).
EFFECTS = {
    "read": "changes nothing",
    "local": "changes only the records its arguments and output name",
    "global": "may change anything: the clock, targets, faults",
}


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
    #: One of :data:`EFFECTS`, declared with the handler.
    effect: str = "global"
    #: Argument rules by dotted path (``"behavior.run_seconds"``): those the handler
    #: declared, with ranges the schema states filled in, and those the schema implies
    #: (``format: uuid``, free JSON objects).
    rules: dict[str, Rule] = field(default_factory=dict, repr=False)

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """Each argument's default by dotted path, as the schema states it: its
        ``default`` keyword, else ``(default: X)`` in its description."""
        found: dict[str, Any] = {}
        for path, prop in _properties(self.input_schema):
            if "default" in prop:
                found[path] = prop["default"]
            elif (m := _STATED_DEFAULT.search(str(prop.get("description", "")))) is not None:
                try:
                    found[path] = json.loads(m.group(1))
                except ValueError:  # a bare word: UTC, Forbid
                    found[path] = m.group(1)
        return found

    @cached_property
    def input_validator(self) -> Draft7Validator:
        """A compiled validator of the input schema (built once, on first use)."""
        return _draft7(self.input_schema)

    @cached_property
    def output_validator(self) -> Draft7Validator:
        """A compiled validator of the output schema (built once, on first use)."""
        return _draft7(self.output_schema)

    @cached_property
    def input_check(self) -> Check:
        """The input schema as a fast predicate (:mod:`jobsim.fastcheck`): the accept
        path for any Python value; jsonschema still words every refusal."""
        return compile_check(self.input_schema)

    @cached_property
    def _input_json_check(self) -> Check:
        # input_check without its plain-JSON walk, for arguments the bounds walk vouched for
        return compile_json_check(self.input_schema)

    @cached_property
    def output_check(self) -> Check:
        """The output schema as a fast predicate for JSON values (the simulator's own
        outputs, decoded JSON): the accept path of ``validate_outputs`` and of the
        checkers; ``output_validator`` says why not."""
        return compile_json_check(self.output_schema)

    def run(self, world: World, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check ``arguments`` against the bounds and the input schema, apply the
        argument rules and defaults, then run the handler with the normalised copy."""
        plain = is_plain_json(arguments, level=0)  # first: no check may choke on them
        if not plain:
            for key, value in arguments.items():
                bound = json_problem(value, path=str(key))
                if bound is None:
                    continue
                if bound.deep and bound.path != key:  # name the argument, not a path 64 deep
                    raise invalid(str(key), f"{bound.what} (at {bound.path})", path=bound.path)
                raise invalid(bound.path, bound.what)
        # -- the input schema (plain JSON needs no second walk: the JSON-only check) --
        check = self._input_json_check if plain else self.input_check
        if not check(arguments):  # the fast check never raises
            errors = sorted(self.input_validator.iter_errors(arguments), key=_error_rank)
            if errors:
                raise schema_error(self, errors[0])
        # -- jobsim's argument rules and the schema's defaults --
        if self.handler is None:  # pragma: no cover - every shipped tool has a handler
            raise NotImplementedError(f"tool {self.name} has no handler")
        return self.handler(world, self.normalise(arguments))

    def normalise(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """A copy of schema-valid ``arguments`` with every rule applied (or
        ``invalid_arguments``) and every stated default filled in."""
        plan = self._plan
        if not plan:
            return arguments
        args = dict(arguments)
        for head, steps in plan:
            holder = args
            if head:
                inner = args.get(head)
                if not isinstance(inner, dict):
                    continue  # a nested rule or default applies only when its object is given
                holder = args[head] = dict(inner)
            for key, path, rule, default in steps:
                if key in holder:
                    if rule is not None:
                        holder[key] = rule.apply(path, holder[key])
                elif default is not _NONE:
                    holder[key] = default if type(default) in _IMMUTABLE else copy.deepcopy(default)
        return args

    @cached_property
    def _plan(self) -> list[tuple[str, list[tuple[str, str, Rule | None, Any]]]]:
        # normalise's work, grouped by the object it is in (``""``: the arguments):
        # (key, dotted path, rule or None, default or _NONE), top level first
        groups: dict[str, list[tuple[str, str, Rule | None, Any]]] = {}
        for path in [*self.rules, *(p for p in self.defaults if p not in self.rules)]:
            head, _, key = path.rpartition(".")
            step = (key, path, self.rules.get(path), self.defaults.get(path, _NONE))
            groups.setdefault(head, []).append(step)
        return sorted(groups.items(), key=lambda group: group[0] != "")


def _draft7(schema: dict[str, Any]) -> Draft7Validator:
    # jsonschema only words refusals (the fast checks accept): importing it on first
    # use keeps ~45 ms off every start, `jobsim serve`'s included (benchmarks/README.md).
    from jsonschema import Draft7Validator

    return Draft7Validator(schema)


# Defaults that can be shared rather than copied.
_IMMUTABLE = frozenset({str, int, float, bool, type(None)})
_NONE = object()  # no default


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


_STATED_DEFAULT = re.compile(r"\(default: ([^),]+)\)")


def _properties(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """``(dotted path, schema)`` of each property, and of those of nested objects."""
    for key, prop in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        yield path, prop
        if "properties" in prop:
            yield from _properties(prop, f"{path}.")


def _formats(schema: dict[str, Any]) -> set[str]:
    """The ``format`` keywords a property states, alternatives (``anyOf``) included."""
    found = {schema["format"]} if "format" in schema else set()
    for alt in schema.get("anyOf", []):
        found |= _formats(alt)
    return found


#: Rules the published schemas imply, by ``format``: honoured, not just annotations.
_FORMAT_RULES: dict[str, Rule] = {"uuid": Uuid()}


def _resolve(spec: ToolSpec, declared: dict[str, Rule]) -> dict[str, Rule]:
    """The declared rules with the ranges the schema states, plus the implied ones."""
    props = dict(_properties(spec.input_schema))
    rules: dict[str, Rule] = {}
    for path, prop in props.items():
        for fmt in sorted(_formats(prop)):
            if fmt not in _FORMAT_RULES:
                raise RuntimeError(f"{spec.name}.{path}: format {fmt!r} has no rule")
            rules[path] = _FORMAT_RULES[fmt]
        if "pattern" in prop:
            rules[path] = Anchored(pattern=prop["pattern"])
        if prop.get("type") == "object" and "properties" not in prop:
            rules[path] = Json()  # free JSON: config, a target's schemas
    for path, rule in declared.items():
        if path not in props:
            raise RuntimeError(f"{spec.name}: a rule for {path!r}, which the schema lacks")
        for bound, keyword in (("lo", "minimum"), ("hi", "maximum")):
            stated, own = props[path].get(keyword), getattr(rule, bound)
            if own is None:
                rule = replace(rule, **{bound: stated})
            elif stated is not None and stated != own:
                raise RuntimeError(
                    f"{spec.name}.{path}: the rule's {keyword} {own} is not the schema's {stated}"
                )
        rules[path] = rule
    return rules


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


def handler(
    name: str, *, effect: str | None = None, args: dict[str, Rule] | None = None
) -> Callable[[Handler], Handler]:
    """Bind the decorated function as the handler of tool ``name``, with its effect
    (one of :data:`EFFECTS`, required) and the rules of its arguments by dotted path; a range a
    rule leaves open is the schema's, and one that contradicts the schema is an error."""

    def bind(fn: Handler) -> Handler:
        spec = TOOLS[name]
        if spec.handler is not None:
            raise RuntimeError(f"tool {name} already has a handler")
        if effect not in EFFECTS:
            raise RuntimeError(f"tool {name}: declare its effect, one of {', '.join(EFFECTS)}")
        spec.rules = _resolve(spec, args or {})
        spec.effect = effect
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
