"""Search backends behind one small interface (see :mod:`.base`).

``tantivy`` (default, a core dependency) and ``whoosh`` (``pip install workplan[whoosh]``).
Both index the same tokens (see :mod:`workplan.search.text`) and pass the same conformance tests.

Adding a backend: a module here with a :class:`.base.Backend` subclass, and one row in
:data:`REGISTRY` (the name users type, the module, the class, the package it needs and how to
install it). Every list of backend names derives from that table; the module is imported only
when the backend is used.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from ...errors import EnvironmentProblem, Problem, WorkplanError
from .base import Backend, Hit


@dataclass(frozen=True)
class BackendEntry:
    module: str  # relative to this package
    cls: str
    requires: str | None = None  # a package that must be importable (an optional extra)
    install: str | None = None  # how to install it


REGISTRY: dict[str, BackendEntry] = {
    "tantivy": BackendEntry(".tantivy_backend", "TantivyBackend"),
    "whoosh": BackendEntry(".whoosh_backend", "WhooshBackend", requires="whoosh",
                           install="pip install 'workplan[whoosh]' (whoosh-reloaded)"),
}

BACKENDS = tuple(REGISTRY)


def backend_class(name: str) -> type:
    """The backend class called ``name``; a clear message if it is unknown or not installed."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise WorkplanError(Problem(f"unknown search backend {name!r}", hint="backends: " + ", ".join(BACKENDS)))
    if entry.requires:
        try:
            importlib.import_module(entry.requires)
        except ImportError:
            others = ", ".join(f"--backend {b}" for b in BACKENDS if b != name)
            raise EnvironmentProblem(Problem(
                f"the {name} search backend is not installed",
                hint=f"{entry.install}, or use {others}")) from None
    return getattr(importlib.import_module(entry.module, __name__), entry.cls)


__all__ = ["BACKENDS", "Backend", "BackendEntry", "Hit", "REGISTRY", "backend_class"]
