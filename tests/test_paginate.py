"""The pagination step (render/paginate.py): one set of page decisions that every writer follows."""
from __future__ import annotations

from pathlib import Path

import pytest

from workplan import layout as L
from workplan.model import load_document
from workplan.render.ir import Table
from workplan.render.resolve import build_ir
from workplan.render.paginate import Pagination, pagination_of, plan, row_height_pt, signature_columns

DATA = Path(__file__).parent / "data" / "layout"
GIANT = "很长的一段任务说明，" * 400          # one cell taller than a page


@pytest.fixture()
def rdoc():
    r = build_ir(load_document(DATA / "short-notice.yaml"), "zh", draw=())
    widths = (20.0, 136.0)
    r.blocks.insert(3, Table("generic", ["序号", "内容"], [["1", "短"], ["2", GIANT], ["3", "短"]], widths))
    return r


def test_rows_split_only_when_taller_than_a_page(rdoc):
    p = plan(rdoc)
    i = next(k for k, b in enumerate(rdoc.blocks) if isinstance(b, Table))
    assert p.row_splits[i] == [False, True, False]
    assert row_height_pt(["1", "短"], (20.0, 136.0)) < 40
    assert rdoc.pagination is p and pagination_of(rdoc) is p


def test_every_writer_follows_the_row_policy(rdoc, tmp_path):
    from docx import Document
    from workplan.render.docx.writer import write_docx
    from workplan.render.weasyprint.writer import html_for
    from workplan.render.typst.writer import document_data
    write_docx(rdoc, tmp_path / "t.docx")
    rows = [tbl for tbl in Document(str(tmp_path / "t.docx")).tables if "序号" in tbl.rows[0].cells[0].text][0].rows
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    cant = [tr._tr.find(f"{w}trPr/{w}cantSplit") is not None for tr in rows]
    assert cant == [True, True, False, True]          # header, short, giant (splits), short
    html = html_for(rdoc)
    assert html.count('<tr class="split">') == 1
    table = next(b for b in document_data(rdoc)["blocks"] if b["kind"] == "Table")
    assert table["splits"] == [False, True, False]


def test_joint_signatures_side_by_side():
    assert signature_columns(["江北县司法局"]) == 0
    assert signature_columns(["江北县司法局", "江北县公安局"]) == 2
    assert signature_columns(["江北县司法局", "江北县公安局", "江北县民政局"]) == 3
    assert signature_columns(["江北县司法局"] * 4) == 2
    # a name too wide for its column: stacked (each with a seal's room)
    assert signature_columns(["中共青岚县委政法委员会", "青岚县平安建设领导小组办公室"]) == 0


def test_a_long_joint_name_breaks_after_a_body_to_stand_beside_the_other():
    """The IR breaks a name too wide for its column onto two lines (after 县/委/组/建设…, the most
    even break that fits), so the two 署名 stand side by side, each seal on its own name; names that
    cannot be broken to fit are left whole (stacked), and English names are never broken."""
    from workplan.render.ir import break_joint_names
    names = break_joint_names(["中共青岚县委政法委员会", "青岚县平安建设领导小组办公室"])
    assert names == ["中共青岚县委政法委员会", "青岚县平安建设\n领导小组办公室"]
    assert signature_columns(names) == 2
    three = ["中共江北县委政法委员会", "江北县社会治安综合治理委员会办公室", "江北县平安建设领导小组办公室"]
    assert break_joint_names(three) == three and signature_columns(three) == 0
    english = ["Political and Legal Affairs Commission of the CPC Qinglan County Committee", "Qinglan County Office"]
    assert break_joint_names(english) == english
    assert break_joint_names(["江北县司法局", "江北县公安局"]) == ["江北县司法局", "江北县公安局"]


def test_the_docx_sets_a_two_line_name_beside_the_other(rdoc):
    """Side by side in the DOCX: a paragraph per line of the row, each name's line on its column's
    centre tab, the date under the last name."""
    from workplan.render.docx.writer import build_document
    from workplan.render.ir import Signature
    rdoc.blocks = [b for b in rdoc.blocks if not isinstance(b, (Table, Signature))]
    rdoc.blocks.append(Signature(["中共青岚县委政法委员会", "青岚县平安建设\n领导小组办公室"], "2024年4月12日"))
    texts = [p.text for p in build_document(rdoc).paragraphs]
    k = texts.index("\t中共青岚县委政法委员会\t青岚县平安建设")
    assert texts[k + 1:k + 3] == ["\t\t领导小组办公室", "2024年4月12日"]


@pytest.mark.parametrize("blank_before", [True, False])
def test_the_docx_follows_what_the_pdf_engine_measured(rdoc, blank_before):
    """A 版记 the PDF engine moved to a new even page is a section of its own in the DOCX that
    starts on an even page (Word and LibreOffice add the blank page where their own text ends on
    an even page); after a blank page its footers carry no page number (7.5), otherwise the
    document's footers go on; the DOCX's signature keeps its blank lines."""
    from workplan.render.docx.writer import build_document
    p = pagination_of(rdoc)
    p.record("typst", carry_lines=2, signature_gaps=True, imprint_new_page=True, imprint_blank_before=blank_before)
    rdoc.blocks = [b for b in rdoc.blocks if not isinstance(b, Table)]
    from workplan.render.ir import Imprint
    rdoc.blocks.append(Imprint(cc="县政府办公室。", printer="县司法局", printed_date="2024年3月20日"))
    document = build_document(rdoc)
    body = document.element.body
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert not [p for p in body.iter(f"{w}p") if p.find(f"{w}pPr/{w}pageBreakBefore") is not None]
    text, imprint = document.sections
    assert imprint._sectPr.find(f"{w}type").get(f"{w}val") == "evenPage"
    assert text._sectPr.find(f"{w}type") is None
    # the section break sits right before the 版记 (the text's last paragraph ends its section)
    breaks = [p for p in body.iter(f"{w}p") if p.find(f"{w}pPr/{w}sectPr") is not None]
    assert len(breaks) == 1 and "县政府办公室" in "".join(t.text or "" for t in breaks[0].getnext().iter(f"{w}t"))

    def numbered(footer) -> bool:
        return "PAGE" in "".join(t.text or "" for t in footer._element.iter(f"{w}instrText")) \
            or any("PAGE" in (f.get(f"{w}instr") or "") for f in footer._element.iter(f"{w}fldSimple"))
    assert numbered(text.footer) and numbered(text.even_page_footer)
    assert numbered(imprint.footer) is not blank_before and numbered(imprint.even_page_footer) is not blank_before
    assert Pagination().signature_gaps and L.SIGNATURE_GAP_LINES == 2
