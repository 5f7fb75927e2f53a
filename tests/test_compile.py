"""Annual compilation: a real archive (data files built into PDF/DOCX, legacy PDFs) compiled into
one volume, then read back with pypdf / python-docx."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT

from workplan.errors import WorkplanError
from workplan.ingest import add_data_file, add_files

YEAR = 2024
LEGACY = [  # (title, issuer, date, pages)
    ("东湖派出所2024年第一季度治安巡逻工作方案", "东湖派出所", "2024-01-10", 1),
    ("东湖派出所关于加强春节期间值班备勤的通知", "东湖派出所", "2024-02-02", 3),
    ("东湖街道办事处2024年平安建设工作要点", "东湖街道办事处", "2024-03-01", 2),
]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def _legacy_pdf(path: Path, title: str, pages: int) -> None:
    from workplan.render.weasyprint import render_html_to_pdf
    body = "".join(f"<p style='break-before: page'>第{i + 1}页正文。</p>" if i else "<p>正文第一页。</p>"
                   for i in range(pages))
    render_html_to_pdf(f"<html lang='zh-CN'><body><h1>{title}</h1>{body}</body></html>", path, pdf_variant=None)


@pytest.fixture(scope="module")
def arc(tmp_path_factory):
    from workplan.archive import init_archive
    tmp = tmp_path_factory.mktemp("compile")
    a = init_archive(tmp / "arc", fonds="J001", name="青松社区居委会")
    src = tmp / "src"
    src.mkdir()
    # the program the corpus report refers to (2023: not in the 2024 volume)
    shutil.copy(CORPUS / "winter-fire-safety.yaml", src / "winter-fire-safety.yaml")
    add_data_file(a, src / "winter-fire-safety.yaml", formats=(), notify=False, reason="a test")
    # a 2024 program, built to PDF and DOCX
    spring = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    spring = spring.replace("青松社区2023年冬季防火工作方案", "青松社区2024年春季防火工作方案") \
        .replace("date: 2023-11-06", "date: 2024-01-05")
    spring = re.sub(r"(?m)^doc_number:.*$", "doc_number: {prefix: 青社发, year: 2024, serial: 1, prefix_en: Qing She Fa}",
                    spring)
    (src / "spring.yaml").write_text(spring, encoding="utf-8")
    add_data_file(a, src / "spring.yaml", formats=("pdf", "docx"), notify=False, reason="a test")
    # the corpus report (2024), its program found in the archive by its file name
    add_data_file(a, CORPUS / "report-winter-fire-safety.yaml", formats=("pdf", "docx"), notify=False, reason="a test")
    for i, (title, issuer, date, pages) in enumerate(LEGACY):
        f = src / f"legacy{i}.pdf"
        _legacy_pdf(f, title, pages)
        add_files(a, [f], title=title, issuer=issuer, date=date, kind="legacy", issuer_abbr=f"LG{i}", notify=False, reason="a test")
    return a


@pytest.fixture(scope="module")
def volume(arc, tmp_path_factory):
    from workplan.compile.volume import compile_volume
    out = tmp_path_factory.mktemp("vol") / "volume.pdf"
    stages = []
    result = compile_volume(arc, out, year=YEAR, date=dt.date(2025, 1, 10),
                            progress=lambda stage, done, total: stages.append(stage))
    return result, out, stages


def _reader(path):
    from pypdf import PdfReader
    return PdfReader(str(path))


def _unstamped(reader) -> list[str]:
    """Each volume page's text without its stamped volume page number (drawn last)."""
    out = []
    for n, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        if n > 1:
            head, _, last = text.rstrip().rpartition("\n")
            assert last == str(n), (n, last)
            text = head
        out.append(text)
    return out


def test_volume_has_every_document_in_unit_then_date_order(volume):
    result, out, stages = volume
    assert result.documents == 5
    units = [e.unit for e in result.entries]
    assert units == sorted(units)  # grouped by unit
    for u in set(units):
        dates = [e.record.date for e in result.entries if e.unit == u]
        assert dates == sorted(dates)
    assert len(_reader(out).pages) == result.pages == result.front_pages + sum(e.pages for e in result.entries)
    assert {"checking fixity", "front matter", "copying documents", "writing"} <= set(stages)
    # the volume carries the archive's log head (event number and hash) when it was compiled
    head = _reader(out).metadata["/WorkplanLogHead"]
    assert head.startswith("workplan event log head #") and len(head.rsplit("sha256:", 1)[1]) == 64


def test_bookmarks_one_per_document_grouped_by_unit(volume):
    result, out, _ = volume
    r = _reader(out)
    outline = r.outline
    parents = [o for o in outline if not isinstance(o, list)]
    children = [c for o in outline if isinstance(o, list) for c in o]
    assert len(children) == result.documents
    assert [p.title for p in parents] == list(dict.fromkeys(e.unit for e in result.entries))
    assert [c.title for c in children] == [e.record.title for e in result.entries]
    assert [r.get_destination_page_number(c) + 1 for c in children] == [e.start for e in result.entries]
    for c in children:  # each bookmark opens the page that shows the document's title
        assert _squash(c.title) in _squash(r.pages[r.get_destination_page_number(c)].extract_text())


def test_toc_page_numbers_are_where_each_title_appears(volume):
    result, out, _ = volume
    texts = [_squash(t) for t in _unstamped(_reader(out))]
    toc = "".join(texts[1:result.front_pages])
    assert "目录" in toc
    for e in result.entries:
        m = re.search(re.escape(_squash(e.record.title)) + r"\.+(\d+)", toc)
        assert m, e.record.title
        printed = int(m.group(1))
        first = next(i + 1 for i in range(result.front_pages, len(texts)) if _squash(e.record.title) in texts[i])
        assert printed == first == e.start


def test_original_pages_are_unchanged(volume, arc):
    from workplan.compile.pdfvol import original_streams
    result, out, _ = volume
    vol = _reader(out)
    for e in result.entries:
        orig = _reader(arc.file(e.record, e.record.main_pdf_role))
        assert len(orig.pages) == e.pages
        for k, op in enumerate(orig.pages):
            n = e.start + k
            vp = vol.pages[n - 1]
            # the same content streams, byte for byte (the stamp is added around them) ...
            contents = op.get_contents()
            assert original_streams(vp) == [contents.get_data()] if contents is not None else []
            # ... and the same text, plus the volume page number drawn last
            vt, ot = vp.extract_text(), op.extract_text()
            assert vt.startswith(ot)
            assert vt[len(ot):].strip() == str(n)


def test_volume_numbers_sit_in_the_top_margin(volume):
    from workplan import layout as L
    result, out, _ = volume
    vol = _reader(out)
    e = result.entries[-1]
    page = vol.pages[e.start - 1]
    stamp = page["/Contents"][-1].get_object().get_data().decode()
    m = re.search(r"([-\d.]+) ([-\d.]+) Tm \((\d+)\) Tj", stamp)
    x, y, n = float(m.group(1)), float(m.group(2)), int(m.group(3))
    height = float(page.mediabox.height)
    assert n == e.start
    assert y > height - L.MARGIN_TOP_MM / 25.4 * 72  # above the type area, far from "— n —" at the bottom
    width = float(page.mediabox.width)
    assert (x > width / 2) == (n % 2 == 1)  # odd pages top right, even pages top left
    assert "— 1 —" in page.extract_text()  # the document's own number is still there


def test_statistics_page_has_the_reports_computed_numbers(volume):
    from workplan.model import load_document
    from workplan.model.progress import compute_progress, format_pct
    result, out, _ = volume
    p = compute_progress(load_document(CORPUS / "report-winter-fire-safety.yaml"))
    front = _squash("".join(_unstamped(_reader(out))[:result.front_pages]))
    row = (f"{p.targets_met}/{len(p.targets_due)}{format_pct(p.target_attainment)}"
           f"{p.tasks_done}/{len(p.tasks)}{format_pct(p.completion_rate)}")
    assert row in front
    assert "按文种" in front and "其他文件3" in front and "工作方案1" in front and "工作总结1" in front


def test_catalogue_lists_every_record(volume):
    result, out, _ = volume
    front = "".join(_unstamped(_reader(out))[:result.front_pages])
    assert "归档文件目录" in front
    for e in result.entries:
        assert e.record.code in _squash(front)
        assert e.record.date.strftime("%Y%m%d") in front


def test_unit_and_kind_filters(arc, tmp_path):
    from workplan.compile.volume import compile_volume
    r = compile_volume(arc, tmp_path / "v.pdf", year=YEAR, unit="东湖派出所")
    # every document naming the unit (as issuer, or e.g. as a task's lead unit), grouped by issuer
    titles = [e.record.title for e in r.entries]
    assert titles[:2] == [t for t, u, _, _ in LEGACY if u == "东湖派出所"]
    assert set(titles[2:]) == {"青松社区2024年春季防火工作方案", "青松社区2023—2024年度冬季防火工作总结"}
    assert all("东湖派出所" in e.record.units for e in r.entries)
    r = compile_volume(arc, tmp_path / "v.pdf", year=YEAR, kind="report")
    assert [e.record.kind for e in r.entries] == ["report"]


def test_empty_selection_is_explained(arc, tmp_path):
    from workplan.compile.volume import compile_volume
    with pytest.raises(WorkplanError) as ei:
        compile_volume(arc, tmp_path / "v.pdf", year=2019, unit="青松")
    assert "no archived records match year=2019 unit=青松 (see `workplan archive list`)" in ei.value.format()
    assert not (tmp_path / "v.pdf").exists()


def test_english_volume_needs_an_english_compiling_unit(arc, tmp_path):
    # the English title was "江北县…: Compilation of Documents" with no message
    from workplan.compile.volume import compile_volume
    with pytest.raises(WorkplanError) as ei:
        compile_volume(arc, tmp_path / "v.pdf", year=YEAR, lang="en")
    assert "no English name for the compiling unit" in ei.value.format() and "--compiler" in ei.value.format()
    assert not (tmp_path / "v.pdf").exists()


def test_tampered_pdf_is_refused_naming_the_record(arc, tmp_path):
    from workplan.compile.volume import compile_volume
    rec = next(r for r in arc.records(year=YEAR) if r.kind == "legacy")
    f = arc.file(rec, rec.main_pdf_role)
    good = f.read_bytes()
    try:
        f.write_bytes(good.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in good else good + b"%")
        with pytest.raises(WorkplanError) as ei:
            compile_volume(arc, tmp_path / "v.pdf", year=YEAR)
        msg = ei.value.format()
        assert f"record {rec.code} ({rec.title}) failed its fixity check" in msg
        assert "the volume was not written" in msg
        assert not (tmp_path / "v.pdf").exists()
    finally:
        f.write_bytes(good)


def test_docx_volume(arc, tmp_path):
    import docx
    from workplan.archive.anchor import log_head
    from docx.oxml.ns import qn
    from workplan.compile.volume import compile_volume
    out = tmp_path / "volume.docx"
    result = compile_volume(arc, out, year=YEAR)
    assert result.format == "docx"
    d = docx.Document(str(out))
    body = d.element.body
    marks = [b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart")) if b.get(qn("w:name")).startswith("_wpVol")]
    assert marks == [f"_wpVolDoc{e.seq}" for e in result.entries]
    instr = [t.text.strip() for t in body.iter(qn("w:instrText"))]
    with_docx = [e for e in result.entries if e.file is not None]
    assert [i for i in instr if i.startswith("PAGEREF")] == [f"PAGEREF _wpVolDoc{e.seq} \\h" for e in with_docx]
    assert {e.record.kind for e in with_docx} == {"program", "report"}
    # legacy PDFs have no Word rendition: listed, with a warning, not silently dropped
    assert len(result.warnings) == 3 and all("no Word (DOCX) rendition" in w for w in result.warnings)
    text = "\n".join(p.text for p in d.paragraphs)
    assert text.index("青松社区2024年春季防火工作方案") < text.index("青松社区2023—2024年度冬季防火工作总结")
    assert d.settings.element.find(qn("w:updateFields")) is not None
    assert d.core_properties.comments == f"workplan event log head #{log_head(arc)['event']} sha256:{log_head(arc)['hash']}"
    # the report's own tables came along
    assert any(c.text == "完成度" for t in d.tables for c in t.rows[0].cells)


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "workplan.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {})), timeout=300)


def test_cli_compiles_and_explains(arc, tmp_path):
    out = tmp_path / "v.pdf"
    r = _cli("compile", "--year", str(YEAR), "--unit", "东湖街道办事处", "--archive", str(arc.root), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"{out}: 1 document(s)" in r.stdout and out.exists()
    r = _cli("compile", "--year", "2019", "-o", str(tmp_path / "none.pdf"), env={"WORKPLAN_ARCHIVE": str(arc.root)})
    assert r.returncode == 1
    assert "no archived records match year=2019" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "none.pdf").exists()
    r = _cli("compile", "--year", "2024", "-o", str(tmp_path / "x.pdf"), "--archive", str(tmp_path / "missing"))
    assert r.returncode != 0 and "workplan archive init" in r.stderr and "Traceback" not in r.stderr
    # a volume named neither .pdf nor .docx is refused (it used to get PDF bytes silently)
    r = _cli("compile", "--year", str(YEAR), "--archive", str(arc.root), "-o", str(tmp_path / "v.txt"))
    assert r.returncode == 1 and "cannot tell the volume's format" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "v.txt").exists()
    r = _cli("compile", "--year", str(YEAR), "--unit", "东湖街道办事处", "--archive", str(arc.root),
             "--format", "pdf", "-o", str(tmp_path / "v.bin"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "v.bin").read_bytes().startswith(b"%PDF-")


def test_cli_help_teaches():
    r = _cli("compile", "--help")
    assert r.returncode == 0
    for word in ("--year", "--unit", "--kind", "--archive", "--format", "归档文件目录", "Examples"):
        assert word in r.stdout


def test_a_terminated_compile_leaves_no_part_file_or_temporary_folder(arc, tmp_path, monkeypatch):
    import os
    import signal
    import tempfile
    from workplan.compile.volume import compile_volume
    tmp_root = tmp_path / "tmp"
    tmp_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_root))
    out = tmp_path / "out" / "v.pdf"
    out.parent.mkdir()

    def progress(stage, done, total):
        if stage == "front matter" and done == 2:  # inside its temporary folder: SIGTERM, as `kill` sends
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(KeyboardInterrupt):
        compile_volume(arc, out, year=YEAR, progress=progress)
    assert list(out.parent.iterdir()) == [] and list(tmp_root.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored
