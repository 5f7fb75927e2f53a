"""The render stage's own seams: no circle between its modules (imports inside functions count),
and no writer package importing another writer (they share render/pagemodel.py instead)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

RENDER = Path(__file__).resolve().parents[1] / "src" / "workplan" / "render"
WRITERS = ("docx", "typst", "weasyprint")


def _module(path: Path) -> str:
    rel = path.relative_to(RENDER.parent.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every workplan.render module ``path`` imports, at module level or inside a function."""
    here = _module(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            target, names = "", [a.name for a in node.names]
        else:
            continue
        for name in [target, *names]:
            if name.startswith("workplan.render"):
                out.add(name)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in RENDER.rglob("*.py") if "templates" not in p.parts}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        # "from .ir import Table" names workplan.render.ir.Table: keep the modules only
        edges[name] = {m for m in _imports(path) if m in modules and m != name}
    return edges


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_no_import_circle_in_render(graph):
    # a package importing its own __init__ (writer.py ← __init__.py re-exports) is not a circle
    edges = {n: {m for m in ms if not n.startswith(m + ".")} for n, ms in graph.items()}
    assert _cycle(edges) is None, " → ".join(_cycle(edges) or [])


def test_the_document_ir_does_not_call_up_to_the_report_ir(graph):
    assert "workplan.render.report_ir" not in graph["workplan.render.ir"]
    assert "workplan.render.resolve" not in graph["workplan.render.ir"]
    assert "workplan.render.ir" in graph["workplan.render.report_ir"]


@pytest.mark.parametrize("writer", WRITERS)
def test_no_writer_imports_another(graph, writer):
    mine = f"workplan.render.{writer}"
    others = [f"workplan.render.{w}" for w in WRITERS if w != writer]
    bad = sorted((n, m) for n, ms in graph.items() if n == mine or n.startswith(mine + ".")
                 for m in ms if any(m == o or m.startswith(o + ".") for o in others))
    assert not bad, f"{writer} imports another writer: {bad}"


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
