"""The importer against documents laid out as real offices and machine translations lay them
out (tests/import_cases/adversarial/, made by its generate.py): parts with 一、 inside, headings
with a trailing colon, 黑体 headings by run font, Word automatic numbering, a letterhead layout
table, a table of contents, an issuer-first three-line title, a notice wrapping its attachment,
full-width digits, Ⅰ、, 一是… paragraphs, page headers and "— N —" footers, GBK/CRLF, UTF-16
without BOM, headings that are only short lines, Chapter/Article. And hostile inputs on the CLI."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT

CASES = ROOT / "tests" / "import_cases"
ADV = CASES / "adversarial"
sys.path.insert(0, str(CASES))
from score import check_case, run_workplan  # noqa: E402

from workplan.readers import read_file  # noqa: E402

NAMES = sorted(p.name.removesuffix(".expected.yaml") for p in ADV.glob("*.expected.yaml"))


def run(*args: str) -> subprocess.CompletedProcess:
    return run_workplan(*args, cwd=ROOT)


def test_there_are_enough_adversarial_cases():
    assert len(NAMES) >= 15
    for n in NAMES:
        for fmt in ("txt", "docx", "pdf"):
            assert (ADV / f"{n}.{fmt}").exists(), f"{n}.{fmt}: run tests/import_cases/adversarial/generate.py"


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
@pytest.mark.parametrize("name", NAMES)
def test_adversarial_case(name, fmt):
    r, exp, s = check_case(ADV, name, fmt)
    assert s["item_hits"] == s["items"]
    assert r.report["date"] == exp["date"]


def test_table_of_contents_is_left_out_and_reported():
    r = read_file(ADV / "toc_document.docx")
    assert any("table of contents" in w for w in r.report["warnings"])
    assert "目  录" in r.report["dropped"]
    heads = [s["title"] for s in r.data["sections"]]
    assert len(heads) == len(set(heads)) == 5


def test_word_numbers_not_in_the_text_are_read():
    import docx
    d = docx.Document(ADV / "word_autonumbering.docx")
    assert not any(p.text.startswith(("一、", "二、")) for p in d.paragraphs)  # Word draws them
    r = read_file(ADV / "word_autonumbering.docx")
    assert r.report["headings_from"] == "numbering"
    assert [s["title"] for s in r.data["sections"]] == ["总体思路", "重点工作", "督导考核"]


def test_yishi_paragraphs_stay_paragraphs():
    d = read_file(ADV / "yishi_paragraphs_and_lists.txt").data
    tasks = next(s for s in d["sections"] if s["title"] == "重点工作")
    texts = [t.get("title", "") + t.get("text", "") for t in tasks["tasks"]]
    assert len(texts) == 3 and not any(t.startswith(("一是", "二是")) for t in texts)
    assert any("一是加强农村集体聚餐管理" in p for p in tasks.get("paragraphs", []))


def test_utf16_without_bom_and_gbk_crlf():
    r = read_file(ADV / "utf16_nobom_runin.txt")
    assert r.report["encoding"] == "utf-16-le"
    assert (ADV / "gbk_crlf_indented.txt").read_bytes().count(b"\r\n") > 5
    r = read_file(ADV / "gbk_crlf_indented.txt")
    assert r.report["encoding"] in ("gb18030", "gbk")
    assert not any(p.startswith("\u3000") for s in r.data["sections"] for p in s.get("paragraphs", []))


def test_hostile_inputs_on_the_command_line(tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<x/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(400):
                f.write(b"<a/>" * (1 << 18))
    pdf = (CASES / "runin_headings.pdf").read_bytes()
    i = pdf.rfind(b"xref")
    (tmp_path / "xref.pdf").write_bytes(pdf[:i] + b"xref\ngarbage\n" + pdf[i + 200:])
    (tmp_path / "zero.txt").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    good = ADV / "utf16_nobom_runin.txt"
    r = run("import", str(bomb), str(tmp_path / "xref.pdf"), str(tmp_path / "zero.txt"), str(tmp_path / "folder"),
            str(good), "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    assert "unpacks to more than" in r.stderr and "cannot read the PDF" in r.stderr and "empty" in r.stderr
    assert "folder, not a document" in r.stderr
    assert "4 of 5 file(s) could not be imported" in r.stderr
    assert (tmp_path / "out" / "utf16_nobom_runin.yaml").exists()


def test_same_name_in_two_formats_both_written(tmp_path):
    r = run("import", str(ADV / "mt_numbered_en.docx"), str(ADV / "mt_numbered_en.pdf"), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == ["mt_numbered_en-docx.yaml", "mt_numbered_en-pdf.yaml"]
    assert run("validate", str(tmp_path / "mt_numbered_en-pdf.yaml")).returncode == 0


def test_help_teaches_with_examples():
    r = run("import", "--help")
    assert r.returncode == 0 and "Examples:" in r.stdout and "workplan import" in r.stdout
