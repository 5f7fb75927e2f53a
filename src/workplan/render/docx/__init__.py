"""The DOCX writer: RenderDoc → .docx in the GB/T 9704-2012 layout (python-docx + docxtpl)."""
from .template import DEFAULT_TEMPLATE, build_default_template, prepare_template
from .writer import build_document, write_docx

__all__ = ["DEFAULT_TEMPLATE", "build_default_template", "build_document", "prepare_template", "write_docx"]
