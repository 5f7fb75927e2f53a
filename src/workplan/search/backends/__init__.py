"""Search backends behind one small interface (see :mod:`.base`).

``tantivy`` (default, a core dependency) and ``whoosh`` (``pip install workplan[whoosh]``).
Both index the same tokens (see :mod:`workplan.search.text`) and pass the same conformance tests.
"""
from __future__ import annotations

from ...errors import EnvironmentProblem, Problem, WorkplanError
from .base import Backend, Hit

BACKENDS = ("tantivy", "whoosh")


def backend_class(name: str) -> type:
    """The backend class called ``name``; a clear message if it is unknown or not installed."""
    if name == "tantivy":
        from .tantivy_backend import TantivyBackend
        return TantivyBackend
    if name == "whoosh":
        try:
            import whoosh  # noqa: F401
        except ImportError:
            raise EnvironmentProblem(Problem(
                "the whoosh search backend is not installed",
                hint="pip install 'workplan[whoosh]' (whoosh-reloaded), or use --backend tantivy")) from None
        from .whoosh_backend import WhooshBackend
        return WhooshBackend
    raise WorkplanError(Problem(f"unknown search backend {name!r}", hint="backends: " + ", ".join(BACKENDS)))


__all__ = ["BACKENDS", "Backend", "Hit", "backend_class"]
