"""What a reader sees (issue 17), measured on laid-out pages of documents unlike the corpus.

The data files of ``tests/data/layout/`` (a joint three-bureau program, a 46-row task table, an
upward report, a short notice, a signature that falls at a page break, four heading levels) are
built once — Typst in zh, en and zh-en, WeasyPrint in zh, and the Chinese DOCX as LibreOffice lays
it out — and :func:`layout_checks.check_reader` measures the 28-character grid, the blank line
before the 附件说明 and the seal's room, the signature never stranded, the 版记 on the last (even)
page with its last rule on the bottom edge of the type area, blank pages unnumbered, no table
cell split across pages, body text on page 1 and no invisible characters.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import layout_checks as C

DATA = Path(__file__).parent / "data" / "layout"
FILES = sorted(DATA.glob("*.yaml"))
TYPST_LANGS = ("zh", "en", "zh-en")
READER_CHECKS = {"grid", "attachment_gap", "seal_room", "stranded", "imprint", "blank_page_number", "row_split",
                 "page1_body", "invisible", "page_number", "doc_number", "table_hyphen", "letterhead"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """engine → folder of ``<stem>.<lang>.pdf`` (for "docx": LibreOffice's renderings)."""
    from workplan.render import build_file
    typst = tmp_path_factory.mktemp("reader-typst")
    weasy = tmp_path_factory.mktemp("reader-weasy")
    for f in FILES:
        build_file(f, typst, langs=TYPST_LANGS, formats=("docx", "pdf"), pdf_engine="typst")
        build_file(f, weasy, langs=("zh",), formats=("pdf",), pdf_engine="weasyprint")
    out = {"typst": typst, "weasyprint": weasy}
    if C.soffice() is not None:
        lo = tmp_path_factory.mktemp("reader-lo")
        C.docx_to_pdf([typst / f"{f.stem}.zh.docx" for f in FILES], lo)
        out["docx"] = lo
    return out


_FOUND: dict[tuple[str, str, str], list[str]] = {}


def _findings(built: dict[str, Path], engine: str, source: Path, lang: str) -> list[str]:
    key = (engine, source.stem, lang)
    if key not in _FOUND:
        from workplan.model import load_document
        from workplan.render.resolve import build_ir
        pdf = built[engine] / f"{source.stem}.{lang}.pdf"
        pages = C.pdf_pages(pdf)
        exp = C.expectations(build_ir(load_document(source), lang, file=str(source), draw=()))
        found = C.check_pdf(pdf, doc_number=C.expected_doc_number(source, "en" if lang == "en" else "zh"),
                            lang=lang, pages=pages, from_docx=engine == "docx",
                            source_text=source.read_text(encoding="utf-8"))
        found += C.check_reader(pages, exp)
        _FOUND[key] = [str(f) for f in found if f.check in READER_CHECKS]
    return _FOUND[key]


CASES = [("typst", f, lg) for f in FILES for lg in TYPST_LANGS] + [("weasyprint", f, "zh") for f in FILES]


@pytest.mark.parametrize("engine, source, lang", CASES, ids=[f"{e}-{f.stem}.{lg}" for e, f, lg in CASES])
def test_pdf_reads_as_issued(built, engine, source, lang):
    assert _findings(built, engine, source, lang) == []


@pytest.mark.parametrize("source", FILES, ids=[f.stem for f in FILES])
def test_docx_as_libreoffice_lays_it_out(built, source):
    if "docx" not in built:
        pytest.skip("LibreOffice is not installed")
    assert _findings(built, "docx", source, "zh") == []


def test_the_cases_exercise_what_they_claim(built):
    """The signature of signature-at-break.yaml does fall at a page break (its body lines are
    carried, or its page squeezed), the 46-row table spans pages, and joint-three-bureaus.yaml
    prints its three 署名 side by side on one line."""
    from workplan.render.paginate import signature_columns
    pages = C.pdf_pages(built["typst"] / "long-task-table.zh.pdf")
    assert sum(1 for pg in pages if pg["cells"]) >= 4
    assert signature_columns(["江北县司法局", "江北县公安局", "江北县民政局"]) == 3
    joint = C.pdf_pages(built["typst"] / "joint-three-bureaus.zh.pdf")
    lines = [ln.text for pg in joint for ln in pg["body"]]
    assert any("江北县司法局" in t and "江北县民政局" in t for t in lines), lines[-8:]
