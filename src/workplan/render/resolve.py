"""One entry to the IR for every kind of data file: a program document (:mod:`.ir`) or a
report on one (:mod:`.report_ir`, whose builder extends the document's). It sits above both so
that neither imports the other's caller."""
from __future__ import annotations

from ..model import Document
from ..model.load import Positions
from ..model.report import Report
from .ir import RenderDoc, build_document_ir
from .report_ir import build_report_ir


def build_ir(doc: Document | Report, lang: str = "zh", *, allow_missing: bool = False, file: str | None = None,
             draw: bool | tuple[str, ...] = True, positions: Positions | None = None) -> RenderDoc:
    """Resolve the document for one output language (zh, en or zh-en).

    Raises MissingTranslation listing every field path that lacks the language, unless
    ``allow_missing`` (then each fallback is a warning in ``RenderDoc.warnings``). ``draw=False``
    leaves charts undrawn (captions only) and tables at their design widths (cells are not
    measured): for callers that want only the text, such as search and validation;
    ``draw=("svg",)`` or ``("png",)`` draws only the image format a writer needs.
    """
    if isinstance(doc, Report):
        return build_report_ir(doc, lang, allow_missing=allow_missing, file=file, draw=draw, positions=positions)
    return build_document_ir(doc, lang, allow_missing=allow_missing, file=file, draw=draw, positions=positions)


__all__ = ["build_ir"]
