"""DOCX writer: RenderDoc → .docx (docxtpl letterhead template + python-docx body)."""
from __future__ import annotations

from pathlib import Path

from .ir import RenderDoc


def write_docx(rdoc: RenderDoc, out: Path, template: Path | None = None) -> None:
    raise NotImplementedError("DOCX writer not written yet")
