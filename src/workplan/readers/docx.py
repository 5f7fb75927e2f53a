"""Word .docx: body paragraphs and tables in order, with alignment, bold, size, Heading/Title
styles and the numbers Word draws for automatically numbered paragraphs."""
from __future__ import annotations

import io
import zipfile

from .. import limits
from ..i18n import roman, zh_number
from .errors import ImportFailed
from .lines import Extracted, Line, rejoin

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def cn_number(n: int) -> str:
    """A Chinese list number as Word draws it (一 … 九十九; beyond, the digits)."""
    return zh_number(n) if 0 <= n < 100 else str(n)


def _roman(n: int) -> str:
    return roman(n) if 0 < n < 4000 else str(n)  # no Roman numeral: Word draws the number


def _small_int(value: str | None, default: int, high: int) -> int:
    """A numbering attribute (w:ilvl, w:start) as Word reads it: a whole number from 0 to ``high``;
    anything else (1e9, -5, x, 10 digits) is the default, so that no count runs away."""
    if value is None:
        return default
    v = value.strip()
    if not v.isascii() or not v.isdigit() or len(v) > 6:
        return default
    n = int(v)
    return n if n <= high else default


def _fmt(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional",
               "taiwaneseCounting", "taiwaneseCountingThousand", "japaneseCounting"):
        return cn_number(n)
    if fmt == "lowerLetter":
        return chr(96 + (n - 1) % 26 + 1)
    if fmt == "upperLetter":
        return chr(64 + (n - 1) % 26 + 1)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if n <= 20 else str(n)
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Counters for Word's automatic numbering, to recover the labels it draws."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn
        self.qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(qn("w:abstractNum")):
            lv = {}
            for l in an.findall(qn("w:lvl")):
                ilvl = _small_int(l.get(qn("w:ilvl")), 0, 8)
                fmt = l.find(qn("w:numFmt"))
                txt = l.find(qn("w:lvlText"))
                start = l.find(qn("w:start"))
                lv[ilvl] = (fmt.get(qn("w:val")) if fmt is not None else "decimal",
                            txt.get(qn("w:val")) if txt is not None else f"%{ilvl + 1}.",
                            _small_int(start.get(qn("w:val")), 1, limits.NUMBERING_START_MAX)
                            if start is not None else 1)
            abstract[an.get(qn("w:abstractNumId"))] = lv
        for num in root.findall(qn("w:num")):
            a = num.find(qn("w:abstractNumId"))
            if a is not None:
                self.levels[num.get(qn("w:numId"))] = abstract.get(a.get(qn("w:val")), {})

    def label(self, num_id: str, ilvl: int) -> str | None:
        lv = self.levels.get(num_id)
        if not lv or ilvl not in lv:
            return None
        fmt, text, start = lv[ilvl]
        if fmt == "bullet":
            return None
        ctr = self.counters.setdefault(self._abstract_key(num_id), {})
        ctr[ilvl] = ctr.get(ilvl, start - 1) + 1
        for deeper in [k for k in ctr if k > ilvl]:
            del ctr[deeper]
        out = text
        for k in range(9):
            if f"%{k + 1}" in out:
                f, _, st = lv.get(k, ("decimal", "", 1))
                out = out.replace(f"%{k + 1}", _fmt(ctr.get(k, st), f))
        return out

    def _abstract_key(self, num_id: str) -> str:
        return str(id(self.levels.get(num_id)))


def _style_heading(style) -> int | None:
    name = ""
    s = style
    while s is not None and not name:
        n = (s.name or "").strip()
        low = n.lower()
        if low in ("title", "标题") or low.startswith("title"):
            return 0
        for prefix in ("heading ", "标题 ", "標題 "):
            if low.startswith(prefix) and low[len(prefix):].strip().isdigit():
                return int(low[len(prefix):].strip())
        s = s.base_style
        name = ""
        if s is None:
            break
    return None


def _safe(fn, default=None):
    """python-docx raises on values it has no enum for (jc="start" from LibreOffice/strict OOXML):
    a style hint is never worth losing a document over."""
    try:
        return fn()
    except (ValueError, KeyError, AttributeError, TypeError):
        return default


def _jc(el) -> str | None:
    from docx.oxml.ns import qn
    ppr = el.find(qn("w:pPr")) if el is not None else None
    jc = ppr.find(qn("w:jc")) if ppr is not None else None
    return jc.get(qn("w:val")) if jc is not None else None


def _para_line(p, idx: int, numbering: _Numbering) -> Line | None:
    text = p.text.strip(" \t\u3000\u00a0\r\n") if p.text else ""
    if not text:
        return None
    style = _safe(lambda: p.style)
    align = _jc(p._p)
    s = style
    while align is None and s is not None:
        align = _jc(s.element)
        s = _safe(lambda: s.base_style)
    centered = align in ("center", "distribute")
    runs = [r for r in p.runs if r.text and r.text.strip()]
    style_bold = False
    s = style
    while s is not None:
        b = _safe(lambda: s.font.bold)
        if b is not None:
            style_bold = bool(b)
            break
        s = _safe(lambda: s.base_style)
    bold = bool(runs) and all((_safe(lambda: r.bold) if _safe(lambda: r.bold) is not None else style_bold) for r in runs)
    sizes = [sz.pt for r in runs if (sz := _safe(lambda: r.font.size)) is not None]
    if not sizes:
        s = style
        while s is not None:
            sz = _safe(lambda: s.font.size)
            if sz is not None:
                sizes = [sz.pt]
                break
            s = _safe(lambda: s.base_style)
    heading = _safe(lambda: _style_heading(style)) if style is not None else None
    list_level = label = None
    pPr = p._p.pPr
    numPr = pPr.numPr if pPr is not None else None
    if numPr is None:  # numbering can come from the style
        s = style
        while s is not None and numPr is None:
            sp = s.element.pPr
            numPr = sp.numPr if sp is not None else None
            s = _safe(lambda: s.base_style)
    if numPr is not None and numPr.numId is not None:
        list_level = _safe(lambda: numPr.ilvl.val if numPr.ilvl is not None else 0, 0)
        label = _safe(lambda: numbering.label(str(numPr.numId.val), list_level))
        if label and not text.startswith(label):
            text = label + ("" if label[-1] in "、）)．.　" else " ") + text
    return Line(text, idx, bold=bold, centered=centered, size=max(sizes) if sizes else None,
                heading=heading, list_level=list_level, list_label=label)


def _check_package(z: zipfile.ZipFile, file: str) -> None:
    """Inflate every part once, counting the bytes it really unpacks to (a zip's headers may lie
    about sizes): refuse a package of more than DOCX_PARTS parts, an XML part over DOCX_XML_BYTES
    or a total over DOCX_UNZIPPED, at the part that crosses the line, in constant memory."""
    infos = z.infolist()
    if len(infos) > limits.DOCX_PARTS:
        raise ImportFailed(f"the .docx package holds {len(infos):,} parts (at most {limits.DOCX_PARTS:,})", file,
                           hint="open it in Word or WPS and save it again as .docx")
    total = 0
    for info in infos:
        xml = info.filename.endswith((".xml", ".rels"))
        body = info.filename == "word/document.xml"
        part = paragraphs = 0
        tail = b""
        with z.open(info) as f:  # the CRC is checked at the end of each part
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                part += len(chunk)
                total += len(chunk)
                if body:  # paragraphs (<w:p> or <w:p ...>) and table rows, across chunk boundaries too
                    joined = tail + chunk
                    paragraphs += joined.count(b"<w:p>") + joined.count(b"<w:p ") + joined.count(b"<w:tr")
                    tail = chunk[-5:]
                    paragraphs -= tail.count(b"<w:p>") + tail.count(b"<w:p ") + tail.count(b"<w:tr")
                    if paragraphs > limits.DOCX_PARAGRAPHS:
                        raise ImportFailed(f"the Word document has more than {limits.DOCX_PARAGRAPHS:,} paragraphs and "
                                           "table rows: too long to import as one document", file,
                                           hint="split it into its parts (one document each) and import those")
                if xml and part > limits.DOCX_XML_BYTES:
                    raise ImportFailed(f"the part {info.filename} of the .docx unpacks to more than "
                                       f"{limits.DOCX_XML_BYTES >> 20} MB (at most {limits.DOCX_XML_BYTES >> 20} MB "
                                       "of text and markup per part)", file,
                                       hint="a document this large is not one document; split it")
                if total > limits.DOCX_UNZIPPED:
                    raise ImportFailed(f"the .docx unpacks to more than {limits.DOCX_UNZIPPED >> 20} MB (at the part "
                                       f"{info.filename}); refusing to read it", file,
                                       hint="save it without embedded media, or split it")


def _symbols_as_text(body, qn) -> None:
    """A symbol-font glyph (<w:sym w:font="Wingdings" w:char="F0FE"/>: a ticked box, a bullet) has
    no text of its own, so a reader of the text drops it. Each becomes the text Word means by it:
    its private-use character (U+F000 + the font's code), which ``glyphs`` then maps to a real
    character (☑ □ ●) or reports; a code that is a real character already stays as it is."""
    from lxml import etree
    for sym in list(body.iter(qn("w:sym"))):
        try:
            code = int(sym.get(qn("w:char")) or "", 16)
        except ValueError:
            code = 0xF000   # no code: reported as an unknown symbol, never dropped
        if code < 0x100:
            code += 0xF000
        t = etree.Element(qn("w:t"))
        t.text = chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else chr(0xF000)
        sym.getparent().replace(sym, t)


def read_docx(data: bytes, file: str) -> Extracted:
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise ImportFailed("this is an old binary Word (.doc) file or an encrypted .docx", file,
                           hint="open it in Word or WPS and save it as .docx (Word document), then import that")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        _check_package(z, file)
        if "word/document.xml" not in z.namelist():
            raise ImportFailed("this zip file is not a Word document (no word/document.xml)", file,
                               hint="save it from Word or WPS as .docx")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, OSError) as e:
        raise ImportFailed(f"not a valid .docx file (a damaged zip package: {e})", file,
                           hint="open it in Word or WPS and save it as .docx") from None
    import docx
    from docx.text.paragraph import Paragraph
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many kinds for broken packages
        raise ImportFailed(f"cannot open the Word document: {type(e).__name__}: {e}", file,
                           hint="open it in Word or WPS and save it again as .docx") from None
    numbering = _Numbering(document)
    from docx.oxml.ns import qn
    _symbols_as_text(document.element.body, qn)
    lines: list[Line] = []
    idx = 0

    def cell_text(tc) -> str:
        # every paragraph of the cell, nested tables included
        paras = ("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))
        return " ".join(x.strip() for x in paras if x.strip())

    def walk(parent) -> None:
        nonlocal idx
        for child in parent.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                idx += 1
                ln = _para_line(Paragraph(child, document), idx, numbering)
                if ln:
                    lines.append(ln)
                # text boxes anchored in the paragraph (a 版记 at the foot of the page): their
                # paragraphs and tables, once (not again from a VML fallback copy)
                for box in child.iter(qn("w:txbxContent")):
                    if not any(a.tag.endswith("}Fallback") for a in box.iterancestors()):
                        walk(box)
            elif tag == "tbl":
                for tr in child.iterchildren(qn("w:tr")):
                    idx += 1
                    cells = [cell_text(tc) for tc in tr.iterchildren(qn("w:tc"))]
                    if any(cells):
                        lines.append(Line("；".join(c for c in cells if c), idx, table=True, meta={"cells": cells}))
            elif tag in ("sdt", "sdtContent", "customXml", "ins", "smartTag"):  # content controls, tracked inserts
                walk(child)

    walk(document.element.body)
    # a document pasted from a PDF keeps one paragraph per printed line: join those again
    return Extracted(rejoin(lines, only_if_wrapped=True), "docx")
