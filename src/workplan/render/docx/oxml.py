"""The WordprocessingML layer of the DOCX writer: namespaces, units, element order, builders.

WordprocessingML is a sequence schema: Word rejects a ``w:pPr``/``w:rPr``/``w:sectPr`` whose
children are out of order. As python-docx's ``CT_PPr`` declares its children with their
successors once, :data:`CHILD_ORDER` declares the order of each parent's children once; both the
string builders (:func:`ppr`, :func:`rpr`) and the tree edits (:func:`insert_ordered`) read it.

Nothing here knows GB/T 9704 or the IR: the styles (:mod:`.styles`), the template handling
(:mod:`.template`) and the body (:mod:`.body`) are built on it.

Units: Word counts lengths in twips (1/20 pt), font sizes in half points, border widths in
eighths of a point.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

from docx.oxml.ns import qn

from ... import layout as L

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NSDECL = f'xmlns:w="{W_NS}"'
# the namespaces a generated body fragment declares
BODY_NSDECL = (f'xmlns:w="{W_NS}" xmlns:r="{R_NS}" '
               'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
               'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"')
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- units -----------------------------------------------------------------------------------
def half_points(pt: float) -> int:
    return round(pt * 2)


def twips(pt: float) -> int:
    return round(pt * 20)


def eighths(mm: float) -> int:
    """Border width in eighths of a point (Word's w:sz for borders)."""
    return max(2, round(mm / L.MM_PER_PT * 8))


# --- element order, declared once --------------------------------------------------------------
CHILD_ORDER: dict[str, tuple[str, ...]] = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"),
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
            "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
            "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"),
    "sectPr": ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
               "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"),
}


def ordered(tag: str, **parts: str) -> str:
    """``<w:tag>`` from child fragments keyed by element name, written in schema order
    (empty fragments are left out; no children, no element)."""
    order = CHILD_ORDER[tag]
    unknown = set(parts) - set(order)
    if unknown:
        raise ValueError(f"unknown {tag} children: {sorted(unknown)}")
    body = "".join(parts[k] for k in order if parts.get(k))
    return f"<w:{tag}>{body}</w:{tag}>" if body else ""


def ppr(**parts: str) -> str:
    """``<w:pPr>`` from element fragments keyed by element name, written in schema order."""
    return ordered("pPr", **parts)


def rpr(**parts: str) -> str:
    return ordered("rPr", **parts)


def insert_ordered(parent, child) -> None:
    """Insert ``child`` into the parsed ``parent`` at its schema position (:data:`CHILD_ORDER`)."""
    order = CHILD_ORDER[parent.tag.split("}")[1]]
    name = child.tag.split("}")[1]
    later = {qn(f"w:{n}") for n in order[order.index(name) + 1:]}
    for i, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(i, child)
            return
    parent.append(child)


# --- element builders --------------------------------------------------------------------------
def spacing(line_tw: int | None = None, rule: str = "exact", before: int | None = None,
            after: int | None = None) -> str:
    a = ""
    if before is not None:
        a += f' w:before="{before}"'
    if after is not None:
        a += f' w:after="{after}"'
    if line_tw is not None:
        a += f' w:line="{line_tw}" w:lineRule="{rule}"'
    return f"<w:spacing{a}/>"

Indent = tuple[int, int] | None   # (hundredths of a character, twips)


def ind_xml(left: Indent = None, right: Indent = None, first: Indent = None, hanging: Indent = None) -> str:
    """``<w:ind>`` with each side given both as ``*Chars`` (Word, WPS: follows the grid) and as
    twips (others); a hanging indent wins over a first-line one."""
    a = ""
    for name, v in (("left", left), ("right", right)):
        if v is not None:
            a += f' w:{name}Chars="{v[0]}" w:{name}="{v[1]}"'
    if hanging is not None:
        a += f' w:hangingChars="{hanging[0]}" w:hanging="{hanging[1]}"'
    elif first is not None:
        a += f' w:firstLineChars="{first[0]}" w:firstLine="{first[1]}"'
    return f"<w:ind{a}/>" if a else ""


def ind_tw(left: int | None = None, right: int | None = None, first: int | None = None,
           hanging: int | None = None) -> str:
    """Indents in plain twips; the ``*Chars`` forms are zeroed so a style's chars do not win."""
    def tw(v: int | None) -> tuple[int, int] | None:
        return None if v is None else (0, v)
    return ind_xml(tw(left), tw(right), tw(first), tw(hanging))


def size(pt: float) -> dict[str, str]:
    return {"sz": f'<w:sz w:val="{half_points(pt)}"/>', "szCs": f'<w:szCs w:val="{half_points(pt)}"/>'}


def border(side: str, sz: int, color: str = "000000", space: int = 0, val: str = "single") -> str:
    return f'<w:{side} w:val="{val}" w:sz="{sz}" w:space="{space}" w:color="{color}"/>'


def no_grid() -> str:
    return '<w:snapToGrid w:val="0"/>'


# --- text ---------------------------------------------------------------------------------------
def esc(s: str) -> str:
    """Text for an XML text node or attribute: escaped, characters XML forbids dropped."""
    return _xml_escape(_INVALID_XML.sub("", s))


def run(text: str, rpr_xml: str = "") -> str:
    """One run; "\\n" becomes a line break and "\\t" a tab."""
    if not text:
        return ""
    inner = []
    for i, line in enumerate(text.split("\n")):
        if i:
            inner.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                inner.append("<w:tab/>")
            if piece:
                inner.append(f'<w:t xml:space="preserve">{esc(piece)}</w:t>')
    return f"<w:r>{rpr_xml}{''.join(inner)}</w:r>"


# --- deterministic saving --------------------------------------------------------------------
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def save_docx(document, target) -> None:
    """Save like ``Document.save`` but with fixed zip timestamps, so the same input gives the
    same bytes (archives compare checksums). Falls back to python-docx's own save."""
    try:
        from docx.opc.pkgwriter import PackageWriter
        pkg = document.part.package
        for part in pkg.parts:
            part.before_marshal()
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            writer = _FixedTimeZip(zf)
            PackageWriter._write_content_types_stream(writer, pkg.parts)
            PackageWriter._write_pkg_rels(writer, pkg.rels)
            PackageWriter._write_parts(writer, pkg.parts)  # type: ignore[arg-type]  # a zip writer with fixed times in place of python-docx's
    except AttributeError:  # pragma: no cover - python-docx internals changed
        if hasattr(target, "seek"):
            target.seek(0)
            target.truncate()
        document.save(target)


@dataclass
class _FixedTimeZip:
    zf: zipfile.ZipFile

    def write(self, pack_uri, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=FIXED_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.zf.writestr(info, blob)


def docx_bytes(document) -> bytes:
    buf = io.BytesIO()
    save_docx(document, buf)
    return buf.getvalue()

