"""DOCX writer: RenderDoc → .docx in the GB/T 9704-2012 layout.

How a document is made:

1. The Word template (the package's ``templates/gbt9704.docx`` or the user's ``--template``) is
   prepared once per process and rendered with docxtpl when it has Jinja tags (:mod:`.template`).
2. The body is generated as WordprocessingML in one pass and put in place of the ``{{ body }}``
   marker (:mod:`.body`), with the GB/T styles of :mod:`.styles` over the XML layer :mod:`.oxml`.
3. Core properties are set and the package is saved with fixed zip timestamps, so the same input
   gives byte-identical output.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx.oxml.ns import qn

from ..ir import Letterhead, RenderDoc
from . import oxml as X
from . import styles as S
from .body import Body, even_page_imprint, joint_issuer_mark, scale_issuer_mark, splice_body
from .template import BODY_MARKER, open_template, prepare


def _core_properties(document, rdoc: RenderDoc) -> None:
    cp = document.core_properties
    cp.title = rdoc.title or ""
    cp.author = rdoc.author or ""
    cp.last_modified_by = rdoc.author or ""
    cp.subject = rdoc.subject or ""
    cp.keywords = "; ".join(k for k in rdoc.keywords if k)
    cp.comments = ""
    cp.category = ""
    cp.revision = 1
    when = dt.datetime.combine(rdoc.date, dt.time())
    cp.created = when
    cp.modified = when
    cp.language = rdoc.language_tag


def build_document(rdoc: RenderDoc, template: Path | None = None):
    """The finished python-docx Document (not saved)."""
    prepared = prepare(template)
    document = open_template(prepared, rdoc)
    ids = prepared.ids
    S.page_setup(document)
    body_el = document.element.body
    anchor = None
    if prepared.jinja:
        for p in body_el.iterchildren(qn("w:p")):
            if BODY_MARKER in "".join(t.text or "" for t in p.iter(qn("w:t"))):
                anchor = p
                break
    builder = Body(ids, document, draw_letterhead=not prepared.letterhead)
    builder.doc_lang = rdoc.lang
    from ..paginate import pagination_of
    builder.pagination = pagination = pagination_of(rdoc)
    builder.tight = not pagination.signature_gaps
    builder.build(rdoc.blocks)
    document = splice_body(document, anchor, builder)
    joint_issuer_mark(document.element.body, ids, next((b for b in rdoc.blocks if isinstance(b, Letterhead)), None))
    scale_issuer_mark(document.element.body, ids)
    if builder.imprint_section:
        even_page_imprint(document, unnumbered=pagination.imprint_blank_before)
    _core_properties(document, rdoc)
    return document


def write_docx(rdoc: RenderDoc, out: Path, template: Path | None = None) -> None:
    """Render ``rdoc`` to ``out`` (.docx). ``template``: a Word file whose styles, 版头 and
    footers are used (default: the built-in gbt9704.docx). Raises WorkplanError for a bad template."""
    document = build_document(rdoc, template)
    X.save_docx(document, str(out))
