"""The stages import one way (see ARCHITECTURE.md): no import cycle between stage packages, and
nothing below the front ends imports them. Imports inside functions count (they are cycles all
the same, only deferred); relative imports are resolved."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from conftest import ROOT

SRC = ROOT / "src" / "workplan"
STAGES = ("errors", "limits", "layout", "i18n", "formats", "model", "lint", "readers", "render", "ingest", "archive", "search",
          "compile", "jobs", "web", "cli")
FRONT_ENDS = ("cli", "web")
_CORE = ("errors", "limits", "layout", "i18n", "formats", "model", "lint", "readers", "render", "ingest", "archive", "search", "compile")
# What each stage may import (the table of ARCHITECTURE.md; keep the two in step).
ALLOWED: dict[str, tuple[str, ...]] = {
    "errors": (),
    "limits": ("errors",),
    "layout": ("errors",),
    "i18n": ("errors", "layout"),
    "formats": ("errors", "i18n", "layout"),  # the table of output formats (names, roles; writers by name)
    "model": ("errors", "limits", "i18n", "layout"),
    "lint": ("errors", "limits", "i18n", "layout", "model", "readers"),
    "readers": ("errors", "limits", "i18n", "layout", "model"),
    "render": ("errors", "limits", "i18n", "layout", "formats", "model"),
    "ingest": ("errors", "limits", "i18n", "layout", "formats", "model", "render", "archive"),
    "archive": ("errors", "limits", "formats"),
    "search": ("errors", "limits", "i18n", "layout", "formats", "model", "render", "archive"),
    "compile": ("errors", "limits", "i18n", "layout", "formats", "model", "render", "archive", "search"),
    "jobs": _CORE,  # batch work on the queue: calls the core's functions
    "web": _CORE + ("jobs",),
    "cli": _CORE + ("web", "jobs"),
}

# Edges allowed to close a cycle for now, each with its reason. The orchestrator removes an entry
# once the work it waits for has landed; a new entry needs an issue.
KNOWN_CYCLE_EDGES: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts), is_pkg


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Imports under ``if TYPE_CHECKING:`` are for annotations only: not followed."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                for n in ast.walk(sub):
                    skip.add(id(n))
    return skip


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import in the file, at any depth."""
    module, is_pkg = _module_name(path)
    package = module if is_pkg else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _type_checking_nodes(tree)
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[:-(node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node.lineno))
            for a in node.names:  # `from .. import errors`: the names may be modules
                out.append((f"{target}.{a.name}", node.lineno))
    return out


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "workplan" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in STAGES else None


def stage_graph() -> dict[tuple[str, str], list[str]]:
    """(from stage, to stage) → where (file:line) the imports are."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(SRC.rglob("*.py")):
        src = stage_of(_module_name(path)[0])
        if src is None:
            continue
        for target, line in imported_modules(path):
            dst = stage_of(target)
            if dst is not None and dst != src:
                where = f"{path.relative_to(ROOT)}:{line}"
                if where not in edges[src, dst]:
                    edges[src, dst].append(where)
    return edges


def cycles(edges) -> list[list[str]]:
    """Strongly connected components of more than one stage (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_walker_sees_imports_inside_functions_and_relative_imports(tmp_path):
    """The checker itself: an import deferred into a function and a relative import both count."""
    edges = stage_graph()
    # search/extract.py imports the archive's resolver inside load_source(); cli/compile.py the
    # compile stage inside the command; both relative
    assert any(w.startswith("src/workplan/search/extract.py") for w in edges["search", "archive"])
    assert any(w.startswith("src/workplan/cli/compile.py") for w in edges["cli", "compile"])
    assert ("archive", "errors") in edges  # `from ..errors import ...`
    assert cycles({("a", "b"): [], ("b", "c"): [], ("c", "a"): [], ("c", "d"): []}) == [["a", "b", "c"]]


def test_no_import_cycle_between_stages():
    edges = stage_graph()
    kept = {e: w for e, w in edges.items() if e not in KNOWN_CYCLE_EDGES}
    found = cycles(kept)
    detail = []
    for comp in found:
        for (a, b), where in sorted(kept.items()):
            if a in comp and b in comp:
                detail.append(f"  {a} → {b}: {', '.join(where[:3])}")
    assert not found, "import cycles between stages " + "; ".join(" ↔ ".join(c) for c in found) + \
        " (see ARCHITECTURE.md for what each stage may import):\n" + "\n".join(detail)


def test_known_cycle_edges_are_still_needed():
    """An exception that no longer matches a real import is removed from the list."""
    edges = stage_graph()
    stale = [e for e in KNOWN_CYCLE_EDGES if e not in edges]
    assert not stale, f"remove these from KNOWN_CYCLE_EDGES: {stale}"


def test_no_stage_imports_a_front_end():
    edges = stage_graph()
    bad = {(a, b): w for (a, b), w in edges.items() if b in FRONT_ENDS and a not in FRONT_ENDS}
    assert not bad, "stages import a front end: " + "; ".join(f"{a} → {b} ({w[0]})" for (a, b), w in bad.items())


def test_the_archive_knows_nothing_of_rendering_or_the_model():
    """errors, and the table of format names (which rendition roles exist), nothing else."""
    edges = stage_graph()
    bad = {b: w for (a, b), w in edges.items() if a == "archive" and b not in ("errors", "formats")}
    assert not bad, "the archive imports " + "; ".join(f"{b} ({w[0]})" for b, w in bad.items())


def test_each_stage_imports_only_what_the_architecture_allows():
    edges = stage_graph()
    bad = [f"{a} → {b} ({w[0]})" for (a, b), w in sorted(edges.items()) if b not in ALLOWED[a]]
    assert not bad, "imports the table of ARCHITECTURE.md does not allow: " + "; ".join(bad)
