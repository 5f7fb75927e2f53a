"""An imported Word original gets a PDF rendition when it is archived (role ``preview``, laid
out by LibreOffice, with its own hash): the record page previews it, the index reads it, an
annual volume includes its pages and the fixity check covers it. Without LibreOffice the record
is archived all the same, without a preview."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from workplan.ingest.preview import soffice

ROOT = Path(__file__).resolve().parents[2]
NOTICE = ROOT / "tests" / "import_cases" / "forwarding_notice.docx"

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed (scripts/setup)")


@pytest.fixture(scope="module")
def imported(web_archive, tmp_path_factory):
    """A copy of the shared archive with the Word notice added as a legacy record."""
    import shutil

    from workplan.archive import open_archive
    from workplan.ingest import add_files
    from workplan.search import keep_index_current
    root = tmp_path_factory.mktemp("preview") / "archive"
    shutil.copytree(web_archive, root, symlinks=True)
    arc = open_archive(root)
    keep_index_current(arc)
    rec = add_files(arc, [NOTICE], title="关于印发《东湖街道2024年夏季消防安全检查工作方案》的通知",
                    issuer="东湖街道办事处", date="2024-05-20", kind="legacy", issuer_abbr="DHJD")
    arc.close()
    return root, rec


def test_the_word_original_gets_a_pdf_rendition_with_its_own_hash(imported):
    from pypdf import PdfReader
    root, rec = imported
    assert set(rec.roles) >= {"original", "preview"}
    entry = rec.file_entry("preview")
    pdf = root / rec.bag_dir / entry.path if not Path(rec.bag_dir).is_absolute() else Path(rec.bag_dir) / entry.path
    data = pdf.read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry.sha256 and len(data) == entry.size
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages).replace(" ", "")
    assert "东街办发〔2024〕15号" in text and "各社区居委会" in text
    assert rec.pages == len(PdfReader(str(pdf)).pages) >= 1
    assert rec.main_pdf_role == "preview"


def test_the_record_page_previews_it_and_the_fixity_check_covers_it(imported):
    from workplan.archive import open_archive
    from workplan.archive.verify import check_record
    from workplan.web import create_app
    root, rec = imported
    c = create_app(root).test_client()
    html = c.get(f"/records/{quote(rec.code)}?ui=zh").get_data(as_text=True)
    frame = re.search(r'<iframe id="preview" class="pdf" src="([^"]+)"', html)
    assert frame and "/files/preview?inline=1" in frame[1]
    r = c.get(frame[1].replace("&amp;", "&"))
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert "原件的PDF版" in html
    # the search finds the record by the text in its pages
    r = c.get("/search.json", query_string={"q": "东街办发〔2024〕15号 各社区居委会"}).get_json()
    assert rec.code in [h["code"] for h in r["results"]]
    # a damaged preview is a fixity finding like any payload file
    arc = open_archive(root)
    try:
        found, _ = check_record(arc, rec.code)
        assert not found
    finally:
        arc.close()


def test_an_annual_volume_includes_its_pages(imported):
    from workplan.archive import open_archive
    from workplan.compile.volume import plan_volume
    root, rec = imported
    arc = open_archive(root)
    try:
        plan = plan_volume(arc, year=2024, kind="legacy")
    finally:
        arc.close()
    [entry] = plan.entries
    assert entry.role == "preview" and entry.file is not None and entry.file.is_file()
    assert not plan.warnings


def test_without_libreoffice_the_record_is_archived_without_a_preview(archive_copy, monkeypatch):
    from workplan.archive import open_archive
    from workplan.ingest import add_files, preview
    monkeypatch.setattr(preview, "soffice", lambda: None)
    arc = open_archive(archive_copy)
    try:
        rec = add_files(arc, [NOTICE], title="通知", issuer="东湖街道办事处", date="2024-05-20", kind="legacy",
                        issuer_abbr="DHJD")
    finally:
        arc.close()
    assert "preview" not in rec.roles and "original" in rec.roles


def test_a_file_libreoffice_cannot_read_gets_no_preview(tmp_path):
    from workplan.ingest.preview import make_preview
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a Word file")
    why = make_preview(bad, tmp_path / "out.pdf")
    assert why is not None and "no preview" in why and not (tmp_path / "out.pdf").exists()
