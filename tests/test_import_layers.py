"""The import graph keeps the architecture of docs/architecture.md: read from the source, not from imports.

Parsing instead of importing sees every import, including those inside functions and those of
modules no test happens to load.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "assist", "actions", "knowledge", "cases", "triage", "rasa_components", "cunfa", "notify")
#: Which of our packages (and ``rasa``) each package may import. Nothing imports ``api`` or ``actions``.
ALLOWED = {
    "triage": set(),
    "cases": {"triage"},
    "knowledge": {"triage", "cunfa"},
    "assist": {"cases", "knowledge", "triage"},
    "actions": {"cases", "knowledge", "triage", "cunfa"},
    "api": {"assist", "cases", "knowledge", "triage", "cunfa", "notify"},
    "rasa_components": {"triage", "cases", "cunfa", "rasa"},
    # the CLI and the supervisor (in a child process), and ``cunfa eval nlu`` (rasa in-process)
    "cunfa": {"knowledge", "cases", "triage", "rasa", "notify"},
    # staff notifications: the outbox and channel table, the settings; api and the CLI call it
    "notify": {"cases", "cunfa", "triage"},
}
#: The offline pipeline of the knowledge package; the serving core never imports it.
LEARN = "knowledge.learn"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(name: str, path: Path) -> Iterator[tuple[str, bool]]:
    """(imported module, imported inside a function) for every import statement of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested.update(id(inner) for inner in ast.walk(node) if inner is not node)
    for node in ast.walk(tree):
        in_function = id(node) in nested
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, in_function
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule if submodule in MODULES else base), in_function


def _ours(target: str) -> str | None:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    return {
        name: {dep for target, _ in _imports(name, path) if (dep := _ours(target)) and dep != name}
        for name, path in MODULES.items()
    }


def test_the_scan_sees_the_packages() -> None:
    assert {"knowledge.base", "knowledge.learn.index_build", "api.main", "cases.store"} <= set(MODULES)
    assert "knowledge.index" in _graph()["knowledge.base"]


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_the_architecture_allows(package: str) -> None:
    bad = []
    for name, path in MODULES.items():
        if name.split(".")[0] != package:
            continue
        for target, _ in _imports(name, path):
            top = target.split(".")[0]
            if top in (*PACKAGES, "rasa", "rasa_sdk") and top != package:
                allowed = ALLOWED[package] | ({"rasa_sdk"} if package == "actions" else set())
                if top not in allowed:
                    bad.append(f"{name} imports {target}")
    assert not bad, "\n".join(bad)


def test_the_knowledge_serving_core_never_imports_the_offline_pipeline() -> None:
    graph = _graph()
    bad = [
        f"{name} imports {dep}"
        for name, deps in graph.items()
        if name.startswith("knowledge") and not name.startswith(LEARN)
        for dep in deps
        if dep.startswith(LEARN)
    ]
    assert not bad, "\n".join(bad)


def test_knowledge_imports_its_own_modules_at_the_top() -> None:
    """An import hidden in a function is how a circle stays unnoticed."""
    bad = [
        f"{name} imports {target} inside a function"
        for name, path in MODULES.items()
        if name.startswith("knowledge")
        for target, in_function in _imports(name, path)
        if in_function and _ours(target)
    ]
    assert not bad, "\n".join(bad)


def test_no_module_imports_itself_through_a_circle() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for dep in graph[node]:
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    assert not circles, circles
