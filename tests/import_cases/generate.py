"""Render the import test cases (cases.py) as TXT, DOCX and PDF, and write each case's expected
outline beside them. Run after changing cases.py; the outputs are committed:

    .venv/bin/python tests/import_cases/generate.py      # needs libreoffice for the PDFs
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from cases import CASES  # noqa: E402


def _sentence(h: str, lang: str) -> str:
    if not h:
        return ""
    return h + ("。" if lang == "zh" else ". ")


def lines_of(case: dict) -> list[tuple[str, str]]:
    """(block kind, text as typed) in order."""
    lang = case["lang"]
    out = []
    for b in case["blocks"]:
        k = b[0]
        if k in ("title", "line", "para"):
            out.append((k, b[1]))
        elif k == "h1":
            _, _t, label, heading, runin = b[:5]
            out.append((k, f"{label}{heading}{runin}"))
        elif k in ("h2", "h3"):
            _, label, heading, text = b
            out.append((k, f"{label}{_sentence(heading, lang) if text else heading}{text}"))
        elif k == "table":
            for row in b[1]:
                out.append(("row", "\t".join(row)))
    return out


def write_txt(case: dict, path: Path) -> None:
    path.write_text("\n".join(t for _, t in lines_of(case)) + "\n", encoding="utf-8")


def _font(run, size: float | None = None, bold: bool = False, east_asia: str = "SimSun") -> None:
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    rpr = run._r.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)


def write_docx(case: dict, path: Path) -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(14)
    lang = case["lang"]
    blocks = case["blocks"]
    after_body = False
    for b in blocks:
        k = b[0]
        if k == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(b[1]), 20, True)
        elif k == "line":
            p = doc.add_paragraph()
            # recipients and numbers at the left; signature and date at the right after the body
            if after_body:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run(b[1]))
        elif k == "para":
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            _font(p.add_run(b[1]))
        elif k == "h1":
            after_body = True
            _, _t, label, heading, runin = b[:5]
            if case.get("heading_style"):
                p = doc.add_paragraph(style="Heading 1")
                _font(p.add_run(label + heading), 16)
                if runin:
                    doc.add_paragraph(runin)
            else:
                p = doc.add_paragraph()
                _font(p.add_run(label + heading), None, bool(case.get("bold_h1")), "SimHei")
                if runin:
                    _font(p.add_run(runin))
        elif k in ("h2", "h3"):
            _, label, heading, text = b
            if case.get("heading_style") and k == "h2" and heading:
                p = doc.add_paragraph(style="Heading 2")
                _font(p.add_run(label + heading), 15)
                if text:
                    doc.add_paragraph(text)
                continue
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            _font(p.add_run(label + (_sentence(heading, lang) if text else heading)), None, False, "KaiTi")
            if text:
                _font(p.add_run(text))
        elif k == "table":
            add_table(doc, b[1])
    doc.save(path)


def add_table(doc, rows: list[list[str]]) -> None:
    """A bordered table holding ``rows`` of cell texts."""
    t = doc.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            t.cell(r, c).text = cell


# the date each case is signed with (written out here, not parsed by the code under test)
DATES = {"runin_headings": "2024-02-26", "machine_translation_en": "2024-05-10", "forwarding_notice": "2024-05-20",
         "traditional": "2024-03-08", "hard_breaks_long": "2024-03-25", "bold_headings": "2024-01-15",
         "heading_styles_table": "2024-02-02", "multiline_title_halfwidth": "2024-03-08",
         "roman_alpha_en": "2024-02-28", "parts_and_articles": "2024-04-02", "red_header_official": "2023-02-14",
         "ordinal_headings_en": "2023-12-01"}


def expected(case: dict, name: str = "") -> dict:
    titles = [b[1] for b in case["blocks"] if b[0] == "title"]
    sep = "" if case["lang"] == "zh" else " "
    notice = titles and ("关于印发" in titles[0] or titles[0].lower().startswith("notice"))
    title = titles[-1] if notice else sep.join(titles)
    sections = []
    for b in case["blocks"]:
        if b[0] == "h1":
            sections.append({"title": b[3].rstrip("：:"), "type": b[1], "items": b[5] if len(b) > 5 else 0})
        elif b[0] == "h2" and sections:
            sections[-1]["items"] += 1
    return {"title": title, "lang": case["lang"], "date": DATES.get(name), "sections": sections}


def write_cases(cases: dict, out: Path, write_txt, write_docx, expected) -> None:
    """Each case as TXT, DOCX (and PDF, from the DOCX) with its expected outline beside it."""
    docx_files = []
    for name, case in cases.items():
        write_txt(case, out / f"{name}.txt")
        write_docx(case, out / f"{name}.docx")
        docx_files.append(out / f"{name}.docx")
        (out / f"{name}.expected.yaml").write_text(
            f"# expected outline of {name} (written from cases.py; the tests and bench/bench_import.py compare "
            "the import with it)\n" + yaml.safe_dump(expected(case, name), allow_unicode=True, sort_keys=False),
            encoding="utf-8")
    if to_pdf(docx_files, out):
        print(f"{len(cases)} cases written to {out}")


def main() -> None:
    write_cases(CASES, HERE, write_txt, write_docx, expected)


def to_pdf(docx_files: list[Path], out: Path) -> bool:
    """PDFs of the DOCX files, made by LibreOffice as offices make them (False without it)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("libreoffice not found: PDFs not made", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), *map(str, docx_files)], check=True, capture_output=True, timeout=600)
    return True


if __name__ == "__main__":
    main()
