"""jobsim's import graph has no cycle, function-level imports included.

import-linter (``lint-imports``, contracts in pyproject.toml) checks the layers, but it
reads only module-level imports; this test reads every import statement with ``ast``,
wherever it is, except those under ``if TYPE_CHECKING:`` (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import jobsim

ROOT = Path(jobsim.__file__).parent


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[tuple[str, str | None, int]]:
    """(module, imported name or None, relative level) of every import that can run."""
    found: list[tuple[str, str | None, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, None, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.extend((node.module or "", alias.name, node.level) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the jobsim modules it imports (not counting the parent packages that
    Python runs first: every module would otherwise depend on ``jobsim/__init__``)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for module, imported, level in _imports(ast.parse(path.read_text("utf-8"))):
            if level:
                base = package.rsplit(".", level - 1)[0] if level > 1 else package
                module = f"{base}.{module}" if module else base
            candidates = [f"{module}.{imported}", module] if imported else [module]
            for candidate in candidates:
                # ``import a.b.c`` runs a.b.c; the longest jobsim module named is the edge
                while candidate and candidate not in files:
                    candidate = candidate.rpartition(".")[0]
                if candidate:
                    edges.add(candidate)
                    break
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(found)


def test_no_module_of_jobsim_is_part_of_an_import_cycle():
    found = cycles(import_graph())
    assert found == [], "import cycles (function-level imports included): " + "; ".join(
        " <-> ".join(c) for c in found
    )


def test_the_graph_sees_function_level_and_relative_imports(tmp_path):
    pkg = tmp_path / "jobsim"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from jobsim import b\n")
    (pkg / "b.py").write_text("from . import a\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jobsim import a\n"
        "from ..b import thing\n"
    )
    graph = import_graph(pkg)
    assert graph["jobsim.a"] == {"jobsim.b"}
    assert graph["jobsim.b"] == {"jobsim.a"}
    assert graph["jobsim.sub.c"] == {"jobsim.b"}  # the TYPE_CHECKING import never runs
    assert cycles(graph) == [["jobsim.a", "jobsim.b"]]


@pytest.mark.parametrize(
    ("importer", "imported"),
    [("jobsim.strategies", "jobsim.testing.strategies"), ("jobsim.cli", "jobsim.fixtures")],
)
def test_the_graph_has_the_edges_the_code_has(importer, imported):
    assert imported in import_graph()[importer]
