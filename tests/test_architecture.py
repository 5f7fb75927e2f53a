"""The stages import one way (see ARCHITECTURE.md): no import cycle between stage packages, none
between modules (inside a stage too), and nothing below the front ends imports them. Imports
inside functions count (they are cycles all the same, only deferred); relative imports are
resolved. The import graph is built once for the whole session.

And ARCHITECTURE.md names every entry of every registry (formats, PDF engines, storages, search
backends, commands, readers, site routes, finding kinds): adding a row without a word about it fails."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest
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

# Edges allowed to close a cycle between stages for now, each with its reason. The orchestrator
# removes an entry once the work it waits for has landed; a new entry needs an issue.
KNOWN_CYCLE_EDGES: dict[tuple[str, str], str] = {}

# Module-level cycles that exist today behind imports deferred into functions, each being opened
# by other work; the list only shrinks (a new cycle fails, and so does an entry that is gone).
KNOWN_MODULE_CYCLES: tuple[frozenset[str], ...] = ()  # none: a new cycle fails the test below


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


def _parse_imports(path: Path) -> list[tuple[str, tuple[str, ...], int]]:
    """(absolute module named, names imported from it (``from X import a, b``; empty for
    ``import X``), line) of every import in the file, at any depth."""
    module, is_pkg = _module_name(path)
    package = module if is_pkg else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _type_checking_nodes(tree)
    out: list[tuple[str, tuple[str, ...], int]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.extend((a.name, (), node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[:-(node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, tuple(a.name for a in node.names), node.lineno))
    return out


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "workplan" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in STAGES else None


@dataclass
class ImportGraph:
    """Every import of the package, parsed once: module → [(imported module, "file:line")]. An
    import of a name from a package counts as an import of that package's module of that name
    when there is one (``from . import errors``), else of the package."""

    modules: dict[str, Path] = field(default_factory=dict)
    imports: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls) -> ImportGraph:
        g = cls()
        for path in sorted(SRC.rglob("*.py")):
            g.modules[_module_name(path)[0]] = path
        for module, path in g.modules.items():
            for target, names, line in _parse_imports(path):
                where = f"{path.relative_to(ROOT)}:{line}"
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in g.modules]
                if not subs or len(subs) < len(names):
                    g.imports[module].append((target, where))
                g.imports[module].extend((s, where) for s in subs)
        return g

    def stage_edges(self) -> dict[tuple[str, str], list[str]]:
        """(from stage, to stage) → where (file:line) the imports are."""
        edges: dict[tuple[str, str], list[str]] = defaultdict(list)
        for module, imports in self.imports.items():
            src = stage_of(module)
            for target, where in imports:
                dst = stage_of(target)
                if src is not None and dst is not None and dst != src and where not in edges[src, dst]:
                    edges[src, dst].append(where)
        return edges

    def module_edges(self) -> dict[tuple[str, str], list[str]]:
        """(module, module it imports) → where, between the package's own modules."""
        edges: dict[tuple[str, str], list[str]] = defaultdict(list)
        for module, imports in self.imports.items():
            for target, where in imports:
                if target in self.modules and target != module:
                    edges[module, target].append(where)
        return edges


@pytest.fixture(scope="session")
def graph() -> ImportGraph:
    return ImportGraph.build()


def cycles(edges) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in sorted(edges):
        succ[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(succ):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on.add(v)
            nexts = succ[v]
            if i < len(nexts):
                work.append((v, i + 1))
                w = nexts[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
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
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def _detail(found: list[list[str]], edges: dict[tuple[str, str], list[str]]) -> str:
    lines = []
    for comp in found:
        for (a, b), where in sorted(edges.items()):
            if a in comp and b in comp:
                lines.append(f"  {a} → {b}: {', '.join(where[:3])}")
    return "\n".join(lines)


def test_the_walker_sees_imports_inside_functions_and_relative_imports(graph):
    """The checker itself: an import deferred into a function and a relative import both count."""
    edges = graph.stage_edges()
    # search/extract.py imports the archive's resolver inside load_source(); cli/compile.py the
    # compile stage inside the command; both relative
    assert any(w.startswith("src/workplan/search/extract.py") for w in edges["search", "archive"])
    assert any(w.startswith("src/workplan/cli/compile.py") for w in edges["cli", "compile"])
    assert ("archive", "errors") in edges  # `from ..errors import ...`
    mods = graph.module_edges()
    assert ("workplan.archive.verify", "workplan.archive.bag") in mods  # `from .bag import check_bag, ...`
    assert ("workplan.archive", "workplan.archive.store") in mods      # a package's __init__ re-exporting
    assert cycles({("a", "b"): [], ("b", "c"): [], ("c", "a"): [], ("c", "d"): []}) == [["a", "b", "c"]]
    assert cycles({("a", "b"): [], ("b", "a"): [], ("b", "c"): [], ("c", "d"): [], ("d", "c"): []}) \
        == [["c", "d"], ["a", "b"]]
    assert cycles({("a", "b"): [], ("b", "c"): []}) == []


def test_no_import_cycle_between_stages(graph):
    edges = graph.stage_edges()
    kept = {e: w for e, w in edges.items() if e not in KNOWN_CYCLE_EDGES}
    found = cycles(kept)
    assert not found, "import cycles between stages " + "; ".join(" ↔ ".join(c) for c in found) + \
        " (see ARCHITECTURE.md for what each stage may import):\n" + _detail(found, kept)


def test_no_import_cycle_between_modules(graph):
    """Inside a stage too: two modules that need each other are one module, or share a third
    below both. An import deferred into a function still counts."""
    edges = graph.module_edges()
    found = cycles(edges)
    new = [c for c in found if frozenset(c) not in KNOWN_MODULE_CYCLES]
    assert not new, "import cycles between modules " + "; ".join(" ↔ ".join(c) for c in new) + ":\n" + \
        _detail(new, edges)
    gone = [sorted(c) for c in KNOWN_MODULE_CYCLES if sorted(c) not in found]
    assert not gone, f"these cycles are gone: remove them from KNOWN_MODULE_CYCLES: {gone}"


def test_known_cycle_edges_are_still_needed(graph):
    """An exception that no longer matches a real import is removed from the list."""
    edges = graph.stage_edges()
    stale = [e for e in KNOWN_CYCLE_EDGES if e not in edges]
    assert not stale, f"remove these from KNOWN_CYCLE_EDGES: {stale}"


def test_no_stage_imports_a_front_end(graph):
    edges = graph.stage_edges()
    bad = {(a, b): w for (a, b), w in edges.items() if b in FRONT_ENDS and a not in FRONT_ENDS}
    assert not bad, "stages import a front end: " + "; ".join(f"{a} → {b} ({w[0]})" for (a, b), w in bad.items())


def test_the_archive_knows_nothing_of_rendering_or_the_model(graph):
    """errors, and the table of format names (which rendition roles exist), nothing else."""
    edges = graph.stage_edges()
    bad = {b: w for (a, b), w in edges.items() if a == "archive" and b not in ("errors", "formats")}
    assert not bad, "the archive imports " + "; ".join(f"{b} ({w[0]})" for b, w in bad.items())


def test_each_stage_imports_only_what_the_architecture_allows(graph):
    edges = graph.stage_edges()
    bad = [f"{a} → {b} ({w[0]})" for (a, b), w in sorted(edges.items()) if b not in ALLOWED[a]]
    assert not bad, "imports the table of ARCHITECTURE.md does not allow: " + "; ".join(bad)


# --- every registry entry is named in ARCHITECTURE.md ---------------------------------------------
def registries() -> dict[str, list[str]]:
    """Each registry's entries, as ARCHITECTURE.md must name them (in backquotes)."""
    from workplan import formats
    from workplan.archive.catalogue import Catalogue
    from workplan.archive.findings import FindingKind
    from workplan.archive.storage import STORAGES
    from workplan.cli import LAZY_COMMANDS
    from workplan.readers import SUPPORTED
    from workplan.search.backends import REGISTRY
    from workplan.web.routes import ROUTES
    return {
        "format (formats.WRITERS)": list(formats.WRITERS),
        "PDF engine (formats.PDF_ENGINES)": list(formats.PDF_ENGINES),
        "writer engine (formats.WRITERS[...].engines)": sorted({e for w in formats.WRITERS.values() for e in w.engines}),
        "storage (archive/storage.STORAGES)": list(STORAGES),
        "search backend (search/backends.REGISTRY)": list(REGISTRY),
        "command (cli/__init__.LAZY_COMMANDS)": list(LAZY_COMMANDS),
        "reader's file type (readers.SUPPORTED)": list(SUPPORTED),
        "site route (web/routes.ROUTES)": sorted({r.rule for r in ROUTES}),
        "site view (web/routes.ROUTES)": sorted({f"{r.view.__module__.rpartition('.')[2]}.{r.view.__name__}"
                                                 for r in ROUTES}),
        "finding kind (archive/findings.FindingKind)": [k.value for k in FindingKind],
        "catalogue operation (archive/catalogue.Catalogue)": sorted(n for n in vars(Catalogue) if not n.startswith("_")),
    }


def undocumented(text: str, regs: dict[str, list[str]]) -> list[str]:
    quoted = set(re.findall(r"`([^`\n]+)`", text))
    return [f"{what}: `{name}`" for what, names in regs.items() for name in names if name not in quoted]


def test_every_registry_entry_is_named_in_architecture_md():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    regs = registries()
    assert all(regs.values()), {k: v for k, v in regs.items() if not v}
    missing = undocumented(text, regs)
    assert not missing, ("ARCHITECTURE.md does not name these registry entries (in `backquotes`); say what "
                         "each is where its registry is described:\n  " + "\n  ".join(missing))


def test_the_registry_docs_check_fails_on_an_undocumented_entry():
    regs = registries()
    text = "A table: " + ", ".join(f"`{n}`" for names in regs.values() for n in names) + "."
    assert undocumented(text, regs) == []
    regs["format (formats.WRITERS)"] = [*regs["format (formats.WRITERS)"], "odt"]
    assert undocumented(text, regs) == ["format (formats.WRITERS): `odt`"]
    assert "finding kind (archive/findings.FindingKind): `hash-mismatch`" in \
        undocumented(text.replace("`hash-mismatch`", "hash-mismatch"), regs)
