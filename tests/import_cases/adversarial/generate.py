"""Render the adversarial import cases (cases.py here) as TXT, DOCX and PDF with the layouts real
offices use (黑体 headings by run font, Word automatic numbering, a letterhead layout table, a
table of contents, running headers and "— N —" footers, GBK/CRLF/UTF-16 text...), and write each
case's expected outline beside them. The outputs are committed:

    .venv/bin/python tests/import_cases/adversarial/generate.py     # needs libreoffice for the PDFs
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from generate import _font, _sentence, add_table, write_cases  # noqa: E402
from generate import expected as _expected  # noqa: E402

def _load_cases() -> dict:
    import importlib.util
    spec = importlib.util.spec_from_file_location("adversarial_cases", HERE / "cases.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.CASES


CASES = _load_cases()
DATES = {"parts_with_dun_inside": "2024-03-12", "colon_heading_next_line": "2024-05-06",
         "heiti_font_headings": "2024-03-20", "word_autonumbering": "2024-02-27",
         "letterhead_layout_table": "2024-06-03", "three_line_title_issuer_first": "2024-06-20",
         "notice_with_attachment_program": "2024-04-15", "toc_document": "2024-03-01",
         "mt_numbered_en": "2024-04-08", "fullwidth_digit_headings": "2024-01-22",
         "unicode_roman_headings": "2024-04-18", "yishi_paragraphs_and_lists": "2024-02-05",
         "furniture_two_line_title_pdf": "2024-03-28", "gbk_crlf_indented": "2024-06-01",
         "bold_headings_no_vocab": "2024-03-05", "chapters_articles_en": "2024-01-10",
         "utf16_nobom_runin": "2024-05-15", "soft_line_breaks_docx": "2024-03-18",
         "traditional_financial_numerals": "2024-02-19", "paren_top_level": "2024-05-28",
         "outline_level_headings": "2024-08-26", "decimal_sections_en": "2024-03-04",
         "bracket_headings_blank_lines": "2024-05-30", "slogan_headings": "2023-11-20",
         "alpha_paren_en": "2023-10-09", "attachment_roster_after_date": "2024-02-29"}


def txt_lines(case: dict) -> list[str]:
    lang = case["lang"]
    ind = "\u3000\u3000" if case.get("indent") else ""
    out: list[str] = []
    for b in case["blocks"]:
        k = b[0]
        if k in ("title", "line"):
            out.append(b[1])
        elif k in ("para", "runs"):
            if case.get("wrap"):
                out.extend(textwrap.wrap(b[1], case["wrap"]))
            else:
                out.append(ind + b[1])
        elif k == "h1":
            _, _t, label, heading, runin = b[:5]
            out.append(f"{label}{heading}{runin}")
        elif k in ("h2", "h3"):
            _, label, heading, text = b
            out.append(ind + f"{label}{_sentence(heading, lang) if text else heading}{text}")
        elif k == "table":
            out.extend("\t".join(r) for r in b[1])
        elif k == "toc":
            out.append("目  录")
            out.extend(e.replace("\t", "………………") for e in b[1])
        elif k == "letterhead":
            for row in b[1]:
                out.extend(c for c in row if c)
    return out


def write_txt(case: dict, path: Path) -> None:
    nl = "\r\n" if case.get("crlf") else "\n"
    if case.get("blank_lines"):  # copied from a web page: an empty line after every line
        nl = nl * 2
    enc = case.get("txt_encoding", "utf-8")
    path.write_bytes((nl.join(txt_lines(case)) + nl).encode(enc))


def _numbering(doc) -> tuple[str, str]:
    """An abstract numbering 一、/（一） (chineseCounting) and its num id; returns (numId, '')."""
    part = doc.part.numbering_part
    root = part.element
    aid = "77"
    an = OxmlElement("w:abstractNum")
    an.set(qn("w:abstractNumId"), aid)
    for ilvl, text in ((0, "%1、"), (1, "（%2）")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, val in (("w:start", "1"), ("w:numFmt", "chineseCounting"), ("w:lvlText", text), ("w:lvlJc", "left")):
            e = OxmlElement(tag)
            e.set(qn("w:val"), val)
            lvl.append(e)
        an.append(lvl)
    first_num = root.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(an)
    else:
        root.append(an)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "77")
    a = OxmlElement("w:abstractNumId")
    a.set(qn("w:val"), aid)
    num.append(a)
    root.append(num)
    return "77", ""


def _set_num(p, num_id: str, ilvl: int) -> None:
    ppr = p._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    il = OxmlElement("w:ilvl")
    il.set(qn("w:val"), str(ilvl))
    ni = OxmlElement("w:numId")
    ni.set(qn("w:val"), num_id)
    numpr.append(il)
    numpr.append(ni)
    ppr.append(numpr)


def _field(run, instr: str) -> None:
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, None), ("end", None)):
        if kind:
            e = OxmlElement("w:fldChar")
            e.set(qn("w:fldCharType"), kind)
            run._r.append(e)
        elif text:
            e = OxmlElement("w:instrText")
            e.set(qn("xml:space"), "preserve")
            e.text = text
            run._r.append(e)


def _no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    b = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "nil")
        b.append(e)
    tblpr.append(b)


def write_docx(case: dict, path: Path) -> None:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(14)
    lang = case["lang"]
    num_id = _numbering(doc)[0] if case.get("autonum") else None
    if case.get("furniture"):
        sec = doc.sections[0]
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(hp.add_run(case["furniture"]), 10.5)
        fp = sec.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(fp.add_run("— "), 14)
        _field(fp.add_run(), "PAGE")
        _font(fp.add_run(" —"), 14)
    after_body = False
    for b in case["blocks"]:
        k = b[0]
        if k == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(b[1]), 22 if lang == "zh" else 18, lang == "en", "FZXiaoBiaoSong-B05S")
        elif k == "line":
            p = doc.add_paragraph()
            if after_body and not b[1].startswith(("附件", "抄送")):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run(b[1]))
        elif k in ("para", "runs"):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            if case.get("justify"):
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if case.get("softbreaks"):  # pasted from a PDF: a manual line break (Shift+Enter) every N characters
                n = case["softbreaks"]
                for j in range(0, len(b[1]), n):
                    r = p.add_run(b[1][j:j + n])
                    _font(r)
                    if j + n < len(b[1]):
                        r.add_break()
                continue
            _font(p.add_run(b[1]))
        elif k == "h1":
            after_body = True
            _, _t, label, heading, runin = b[:5]
            p = doc.add_paragraph()
            if num_id:
                _set_num(p, num_id, 0)
                label = ""
            font = case.get("h1_font", "SimHei")
            r = p.add_run(label + heading)
            _font(r, None, bool(case.get("bold_h1")), font)
            if case.get("h1_font"):
                r.font.name = font
            if case.get("outline_h1"):  # WPS/Word "大纲级别 1" without a Heading style, 16 pt, not bold
                ol = OxmlElement("w:outlineLvl")
                ol.set(qn("w:val"), "0")
                p._p.get_or_add_pPr().append(ol)
                r.font.size = Pt(16)
            if runin:
                _font(p.add_run(runin))
        elif k in ("h2", "h3"):
            _, label, heading, text = b
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            if num_id and k == "h2" and label.startswith("（"):
                _set_num(p, num_id, 1)
                label = ""
            _font(p.add_run(label + (_sentence(heading, lang) if text else heading)), None, False, "KaiTi")
            if text:
                _font(p.add_run(text))
        elif k == "table":
            add_table(doc, b[1])
        elif k == "toc":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run("目  录"), 16, True, "SimHei")
            for e in b[1]:
                _font(doc.add_paragraph().add_run(e))
            doc.add_page_break()
        elif k == "letterhead":
            rows = b[1]
            t = doc.add_table(rows=len(rows), cols=2)
            _no_borders(t)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    cp = t.cell(r, c).paragraphs[0]
                    cp.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.RIGHT
                    _font(cp.add_run(cell), 16 if r == 0 and c == 0 else None, r == 0 and c == 0)
    doc.save(path)


def expected(case: dict, name: str) -> dict:
    exp = _expected(case, name)
    titles = [b[1] for b in case["blocks"] if b[0] == "title"]
    if len(titles) > 1 and titles[0].startswith("关于") and titles[0].endswith("通知"):
        exp["title"] = titles[-1]  # a notice around its attachment: the program is the document
    exp["title"] = case.get("expect_title") or exp["title"]
    exp["date"] = DATES.get(name)
    return exp


def main() -> None:
    write_cases(CASES, HERE, write_txt, write_docx, expected)

if __name__ == "__main__":
    main()
