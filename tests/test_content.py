"""Issuable content: what a clerk would otherwise fix by hand, measured on real outputs of data files
unlike the corpus (tests/data/content-*.yaml): a 工作专班 program with two task sections, an
upward report, an English-source program.

DOCX outputs are read with python-docx (and laid out by LibreOffice where the layout matters:
title lines, loose English lines); PDFs with pdfplumber (tests/content_checks.py).
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import layout_checks as C
from conftest import CORPUS, ROOT
from workplan.errors import MissingTranslation
from workplan.i18n import NBSP, phones_kept_together, typographic_quotes
from workplan.lint import lint_file
from workplan.model import load_document
from workplan.render import build_file
from workplan.render.ir import (AttachmentStart, Heading, Letterhead, Paragraph, Table, Title, UNSIGNED_ROOM,
                                balance_title)
from workplan.render.resolve import build_ir

sys.path.insert(0, str(Path(__file__).parent))
from content_checks import loose_lines, straight_quotes, title_lines  # noqa: E402

DATA = ROOT / "tests" / "data"
TASK_FORCE = DATA / "content-task-force.yaml"
UPWARD = DATA / "content-upward-report.yaml"
ENGLISH = DATA / "content-english-source.yaml"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each content file built once: DOCX and Typst PDF (zh; en for the English-source one), the
    WeasyPrint PDF of the English one."""
    out = tmp_path_factory.mktemp("content")
    for src in (TASK_FORCE, UPWARD):
        build_file(src, out, langs=["zh", "en"], formats=["docx", "pdf"])
    build_file(ENGLISH, out, langs=["en"], formats=["docx", "pdf"])
    (out / "weasy").mkdir()
    build_file(ENGLISH, out / "weasy", langs=["en"], formats=["pdf"], pdf_engine="weasyprint")
    build_file(UPWARD, out / "weasy", langs=["zh"], formats=["pdf"], pdf_engine="weasyprint")
    return out


@pytest.fixture(scope="module")
def laid_out(built):
    """The DOCX files as LibreOffice lays them out (one conversion for all)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice not installed")
    lo = built / "lo"
    files = [str(built / f) for f in ("content-task-force.zh.docx", "content-english-source.en.docx",
                                      "content-task-force.en.docx")]
    # a profile of its own: another test process may be running LibreOffice at the same time
    C.docx_to_pdf(files, lo)
    return lo


def _pdf_text(path: Path) -> str:
    import pdfplumber
    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def _docx(path: Path):
    from docx import Document
    return Document(str(path))


# --- item 8: the DOCX as the PDF ----------------------------------------------------------------
def test_a_title_that_fills_its_line_is_balanced_not_left_with_one_character():
    # 20 字 with digits: Word and LibreOffice put a little space between 江北县 and 2024, so on one
    # line it wrapped with "案" alone; it is now balanced over two lines in every writer
    title = build_ir(load_document(TASK_FORCE), "zh", draw=False).blocks[1]
    assert isinstance(title, Title)
    assert title.text == "江北县2024年城镇燃气\n安全专项整治工作方案"
    for corpus_title in ("柳岸社区2022年国庆节期间安全稳定工作方案", "柳岸社区2022年国庆节期间安全稳定工作总结"):
        lines = balance_title(corpus_title, 20).split("\n")
        assert len(lines) == 2 and min(len(x) for x in lines) > 5
    # a quoted name is not split when a break outside it fits
    assert balance_title("青岚县2024年“平安六创”创建标准及责任分工", 20) == "青岚县2024年“平安六创”\n创建标准及责任分工"


def test_docx_title_lines_as_libreoffice_lays_them_out(laid_out):
    lines = title_lines(laid_out / "content-task-force.zh.pdf")
    assert lines[:2] == ["江北县2024年城镇燃气", "安全专项整治工作方案"], lines


def test_docx_subtitle_is_set_like_the_title(tmp_path):
    from workplan.layout import FONTS
    from workplan.render.docx import write_docx
    from workplan.model.document import LangText
    doc = load_document(TASK_FORCE).model_copy(update={"subtitle": LangText(zh="（征求意见稿）", en="(Draft)")})
    write_docx(build_ir(doc, "zh"), tmp_path / "s.docx")
    d = _docx(tmp_path / "s.docx")
    (sub,) = [p for p in d.paragraphs if p.text == "（征求意见稿）"]
    style = d.styles[sub.style.name]
    assert style.font.size.pt == FONTS["title"].size_pt                       # 2号
    rfonts = style.element.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == FONTS["title"].docx_name


# --- item 9: upward documents -------------------------------------------------------------------
def test_upward_report_gets_the_upward_letterhead_in_every_writer(built):
    lh = build_ir(load_document(UPWARD), "zh", draw=False).blocks[0]
    assert isinstance(lh, Letterhead) and lh.signatory == "许文"
    d = _docx(built / "content-upward-report.zh.docx")
    assert any(p.text == "江建发〔2024〕31号\t签发人：许文" for p in d.paragraphs)
    import pdfplumber
    for pdf in (built / "content-upward-report.zh.pdf", built / "weasy" / "content-upward-report.zh.pdf"):
        with pdfplumber.open(str(pdf)) as f:
            words = f.pages[0].extract_words()
        number = next(w for w in words if w["text"].startswith("江建发"))
        signed = next(w for w in words if "签发人" in w["text"])
        assert number["x0"] < 120 < 300 < signed["x0"], (pdf, number, signed)     # number left, 签发人 right
        assert abs(number["bottom"] - signed["bottom"]) < 2                       # on one line


def _report_without(tmp_path: Path, **change) -> Path:
    data = yaml.safe_load(UPWARD.read_text(encoding="utf-8"))
    data.pop("signatory")
    data.update(change)
    data["program"] = str(TASK_FORCE)
    p = tmp_path / "up.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_lint_asks_for_the_signatory_of_an_upward_document(tmp_path):
    (p,) = [x for x in lint_file(_report_without(tmp_path)) if x.rule == "signatory"]
    assert p.severity == "error" and "签发人" in p.message and "signatory:" in p.hint
    assert not [x for x in lint_file(_report_without(tmp_path, upward=False)) if x.rule == "signatory"]
    # a program is sent down unless it says otherwise; a 请示 says upward: true
    data = yaml.safe_load(TASK_FORCE.read_text(encoding="utf-8"))
    data["upward"] = True
    prog = tmp_path / "ask.yaml"
    prog.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [x for x in lint_file(prog) if x.rule == "signatory"]
    assert not [x for x in lint_file(TASK_FORCE) if x.rule == "signatory"]


def test_unsigned_upward_document_leaves_room_for_the_name(tmp_path):
    lh = build_ir(load_document(_report_without(tmp_path)), "zh", draw=False).blocks[0]
    assert lh.signatory == UNSIGNED_ROOM and lh.signatory_label == "签发人："


# --- item 10: English typesetting -----------------------------------------------------------------
def test_typographic_quotes():
    assert typographic_quotes("Liu'an Residents' Committee's \"Safe Home\" ('90s) 'x'") == \
        "Liu’an Residents’ Committee’s “Safe Home” (’90s) ‘x’"


def test_english_text_has_typographic_quotes_in_every_writer(built):
    text = build_ir(load_document(ENGLISH), "en", draw=False).plain_text()
    assert "'" not in text and '"' not in text
    assert "Residents’ Committee" in text and "“Safe Home”" in text and "don’t" in text
    for pdf in (built / "content-english-source.en.pdf", built / "weasy" / "content-english-source.en.pdf"):
        assert straight_quotes(pdf) == 0 and "“Safe Home”" in _pdf_text(pdf)
    d = _docx(built / "content-english-source.en.docx")
    assert "don’t" in "\n".join(p.text for p in d.paragraphs)


def test_docx_hyphenates_english_body_text(built):
    from docx.oxml.ns import qn
    d = _docx(built / "content-english-source.en.docx")
    assert d.settings.element.find(qn("w:autoHyphenation")) is not None
    runs = [r for p in d.paragraphs if p.style.name == "WP Body" for r in p.runs if r.text.strip()]
    assert runs and all(r._element.find(f"{qn('w:rPr')}/{qn('w:lang')}").get(qn("w:val")) == "en-US" for r in runs)

    def suppressed(name: str) -> str | None:
        el = d.styles[name].element.find(f"{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}")
        return None if el is None else el.get(qn("w:val"), "1")
    assert suppressed("WP Body") == "0"                                      # body text hyphenates
    assert suppressed("WP Title") == "1" and suppressed("WP Signature") == "1"   # names and titles do not


def test_loose_english_lines_at_most_five_percent(built, laid_out):
    for pdf in (built / "content-english-source.en.pdf", built / "weasy" / "content-english-source.en.pdf",
                laid_out / "content-english-source.en.pdf"):
        loose, justified, examples = loose_lines(pdf)
        assert justified >= 15 and loose <= 0.05 * justified, (pdf, loose, justified, examples)
    # LibreOffice hyphenates the DOCX's English (a line ends with a broken word)
    assert re.search(r"[a-z]-\n[a-z]", _pdf_text(laid_out / "content-english-source.en.pdf"))


def test_typst_text_layer_keeps_hard_hyphens(built):
    text = _pdf_text(built / "content-task-force.en.pdf")
    assert "\xad" not in text and "Urban-Rural" in text.replace("\n", "")


def test_report_sentences_read_as_prose():
    text = build_ir(load_document(CORPUS / "report-winter-fire-safety.yaml"), "en", draw=False).plain_text()
    assert "Two of the three targets were met; the rate of fire hazards rectified fell short." in text
    assert "Of the four tasks, three are done and one is in progress" in text
    assert "Not met:" not in text and " 0 not started" not in text


# --- item 11: content and consistency -------------------------------------------------------------
def test_a_unit_without_the_built_language_is_a_missing_translation():
    with pytest.raises(MissingTranslation) as e:
        build_ir(load_document(ENGLISH), "zh", draw=False)
    assert "units[1].zh" in {p.path for p in e.value.problems}
    data = yaml.safe_load(TASK_FORCE.read_text(encoding="utf-8"))
    del data["units"][2]["en"]
    from workplan.model import Document
    with pytest.raises(MissingTranslation) as e:
        build_ir(Document.model_validate(data), "en", draw=False)
    assert "units[2].en" in {p.path for p in e.value.problems}


def test_folder_with_a_json_schema_builds_its_data_files(tmp_path):
    from workplan.cli import cli
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(CORPUS / "winter-fire-safety.yaml", folder)
    schema = CliRunner().invoke(cli, ["schema"]).output
    (folder / "workplan.schema.json").write_text(schema, encoding="utf-8")
    (folder / "schema-copy.json").write_text(schema, encoding="utf-8")   # not named *.schema.json
    r = CliRunner().invoke(cli, ["validate", str(folder)])
    assert r.exit_code == 0, r.output
    assert "workplan.schema.json: skipped" in r.output and "schema-copy.json: skipped" in r.output
    r = CliRunner().invoke(cli, ["build", str(folder), "-o", str(tmp_path / "out"), "--format", "docx"])
    assert r.exit_code == 0, r.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["winter-fire-safety.zh.docx"]


@pytest.mark.parametrize("written", ["2024/02/24", "2024年2月24日", "2024.2.24"])
def test_one_date_rule_in_validate(tmp_path, written):
    from workplan.cli import cli
    text = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8").replace(
        "deadline: 2023-12-15", f'deadline: "{written}"', 1)
    p = tmp_path / "d.yaml"
    p.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(cli, ["validate", str(p)])
    assert r.exit_code == 1 and "write it 2024-02-24" in r.output and "YYYY-MM-DD" in r.output
    # a phrase holding a date is still a deadline
    p.write_text(text.replace(f'deadline: "{written}"', 'deadline: "2024年6月底前"'), encoding="utf-8")
    assert CliRunner().invoke(cli, ["validate", str(p)]).exit_code == 0


# --- item 12: the content parts -------------------------------------------------------------------
def test_fixed_wording_uses_the_groups_own_name():
    doc = load_document(TASK_FORCE)
    zh = build_ir(doc, "zh", draw=False)
    text = zh.plain_text()
    assert "工作专班下设办公室" in text and "领导小组" not in text
    assert "工作专班成员名单" in [b.title for b in zh.blocks if isinstance(b, AttachmentStart)]
    en = build_ir(doc, "en", draw=False).plain_text()
    assert "The Office of the Task Force" in en and "Members of the Task Force" in en and "Leading Group" not in en


def test_phone_numbers_are_kept_on_one_line(built):
    assert phones_kept_together("联系电话：0571 8888 1234。") == f"联系电话：0571{NBSP}8888{NBSP}1234。"
    assert phones_kept_together("共 12 项 34 人") == "共 12 项 34 人"
    assert f"0571{NBSP}8888{NBSP}1234" in build_ir(load_document(TASK_FORCE), "zh", draw=False).plain_text()
    lines = _pdf_text(built / "content-task-force.zh.pdf").split("\n")
    assert any(re.search(r"0571\s?8888\s?1234", ln) for ln in lines)


def test_report_task_table_shows_a_sub_items_own_lead_unit():
    rd = build_ir(load_document(UPWARD), "zh", draw=False)
    (table,) = [b for b in rd.blocks if isinstance(b, Table) and b.kind == "generic"]
    rows = {r[1].split(".", 2)[-1][:6]: r[0] for r in table.rows}
    assert rows["检查餐饮场所"] == "县市场监督管理局"        # its own lead, not its task's
    assert rows["排查老旧管网"] == "县住房和城乡建设局"      # back to the task's unit after it


def test_second_task_section_numbers_on_in_the_task_matrix():
    rd = build_ir(load_document(TASK_FORCE), "zh", draw=False)
    (matrix,) = [b for b in rd.blocks if isinstance(b, Table) and b.kind == "task_matrix"]
    assert [r[0] for r in matrix.rows] == ["1", "1.1", "1.2", "2", "3", "4"]


def test_untitled_attachment_items_are_body_text_not_headings():
    blocks = build_ir(load_document(TASK_FORCE), "zh", draw=False).blocks
    i = next(k for k, b in enumerate(blocks) if isinstance(b, AttachmentStart))
    items = blocks[i + 1:i + 3]
    assert all(isinstance(b, Paragraph) and not isinstance(b, Heading) for b in items)
    assert items[0].text.startswith("1.燃气表")


def test_english_imprint_keeps_office_and_date_apart(built, laid_out):
    d = _docx(built / "content-task-force.en.docx")
    from docx.oxml.ns import qn
    from docx.table import Table
    # the 版记 sits in a text box at the foot of the type area
    boxed = [Table(t, d) for box in d.element.body.iter(qn("w:txbxContent")) for t in box.iter(qn("w:tbl"))]
    cells = [p.text for t in [*d.tables, *boxed] for row in t.rows for c in row.cells for p in c.paragraphs]
    (line,) = [t for t in cells if "Issued" in t]
    assert "Office\n\tIssued March 19, 2024" in line          # the date on a line of its own
    for pdf in (built / "content-task-force.en.pdf", laid_out / "content-task-force.en.pdf"):
        text = _pdf_text(pdf)
        assert "Issued March 19, 2024" in text and not re.search(r"[A-Za-z]Issued", text), pdf
