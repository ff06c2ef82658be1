"""The handler's import graph, read from its source: no cycle.

Imports inside functions count too (a lazy import that closes a circle is still a circle):
every `import` statement of a module is an edge. `python -m tests.test_import_graph` prints
the graph.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

HANDLER = Path(__file__).resolve().parent.parent / "handler"
PACKAGE = "custom_channel"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((HANDLER / PACKAGE).rglob("*.py")):
        parts = path.relative_to(HANDLER).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    yield f"{source}.{alias.name}"  # a submodule
                elif source in known:
                    yield source


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(_imported(name, path, known)) - {name} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def closure(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for child in edges[todo.pop()]:
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_handler_has_no_import_cycle():
    """Before: config imported the adapters (load_adapter), and the adapters and templating
    imported config (EnvReader, the URL and header checks, body encodings, template limits):
    six modules in one circle, held together by imports inside functions."""
    assert cycles(graph()) == []


#: What Lambda runs: the function's handler, and the webhook receiver's (main.tf's `handler`).
ENTRY_POINTS = ("custom_channel.lambda_function", "custom_channel.receiver")
OPERATOR_TOOLS = "custom_channel.operator"


def test_the_lambda_entry_points_import_no_operator_tool():
    """Before: the operator's commands (__main__, resend, local, connect_integration) sat
    beside the runtime and shipped in every zip."""
    edges = graph()
    for entry in ENTRY_POINTS:
        reached = closure(edges, entry)
        assert not [name for name in reached if name.startswith(OPERATOR_TOOLS)], entry


def test_the_runtime_never_imports_the_operator_tools():
    """One way only: custom_channel.operator imports the runtime, never the reverse."""
    edges = graph()
    runtime = {name for name in edges if not name.startswith(OPERATOR_TOOLS)}
    assert {
        (name, imported)
        for name in runtime
        for imported in edges[name]
        if imported.startswith(OPERATOR_TOOLS)
    } == set()
    assert any(name.startswith(OPERATOR_TOOLS + ".") for name in edges)  # the tools exist


def test_every_module_is_found():
    edges = graph()
    assert {"custom_channel.lambda_function", "custom_channel.env", "custom_channel.config"} <= set(
        edges
    )
    assert "custom_channel.env" in edges["custom_channel.adapters.http"]


if __name__ == "__main__":
    for module, imports in sorted(graph().items()):
        print(module, "->", ", ".join(sorted(imports)) or "-")
