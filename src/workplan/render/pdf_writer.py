"""PDF writer: RenderDoc → Jinja2 HTML + CSS → WeasyPrint → PDF/A-3b with the source attached."""
from __future__ import annotations

from pathlib import Path

from .ir import RenderDoc


def write_pdf(rdoc: RenderDoc, out: Path, source_bytes: bytes | None = None, source_name: str | None = None) -> None:
    raise NotImplementedError("PDF writer not written yet")
