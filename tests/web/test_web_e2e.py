"""End to end in a real browser: Debian's headless Chromium driven by Playwright, against a real
waitress server on 127.0.0.1. Search in Chinese, filter, open a record, run a fixity check,
download the PDF, switch to English, compile a volume; every step's screenshot must not be blank.

Screenshots are kept in ``$WORKPLAN_SHOTS`` if set, else in the test's temporary folder."""
from __future__ import annotations

import io
import re
import os
import shutil
import statistics
from pathlib import Path
from urllib.parse import quote

import pytest

from .conftest import WINTER, needs_chromium, running

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def server(web_archive, tmp_path_factory):
    """A waitress server (with serve's settings and defences) on a free loopback port, over a
    private copy of the archive."""
    from workplan.web import create_app
    root = tmp_path_factory.mktemp("e2e") / "archive"
    shutil.copytree(web_archive, root, symlinks=True)
    app = create_app(root, workdir=tmp_path_factory.mktemp("jobs"))
    try:
        with running(app) as port:
            yield f"http://127.0.0.1:{port}"
    finally:
        app.config["WP_JOBS"].close()


@pytest.fixture
def shots(tmp_path) -> Path:
    d = Path(os.environ["WORKPLAN_SHOTS"]) if os.environ.get("WORKPLAN_SHOTS") else tmp_path / "shots"
    d.mkdir(parents=True, exist_ok=True)
    return d


def snap(page, shots: Path, name: str) -> Path:
    """A full-page screenshot, checked not to be blank (its pixels vary)."""
    from PIL import Image
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    img = Image.open(path).convert("L")
    px = list(img.resize((200, max(1, 200 * img.height // img.width))).tobytes())
    assert statistics.pstdev(px) > 10, f"{path} looks blank"
    dark = sum(v < 128 for v in px) / len(px)
    assert 0.002 < dark < 0.6, f"{path}: {dark:.1%} dark pixels"
    return path


def test_search_filter_record_fixity_download_english(server, browser, shots):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(server + "/")
        assert page.title().endswith("青松社区居委会档案查阅")  # the archive's fonds name
        page.fill("#q", "消防")
        page.press("#q", "Enter")
        page.wait_for_url("**/search?q=*")
        assert page.inner_text("#total") == "共 3 件"
        assert page.locator("mark").first.inner_text() == "消防"
        snap(page, shots, "search-zh")

        page.click('[data-facet="year"] a:has-text("2023")')
        page.wait_for_url("**year=2023*")
        assert page.inner_text("#total") == "共 1 件"
        assert page.locator('[data-facet="year"] li.selected').count() == 1
        snap(page, shots, "search-zh-filtered")

        page.click(".hit h3 a")
        page.wait_for_url("**/records/**")
        assert page.inner_text("#code") == WINTER
        assert page.locator("iframe#preview").count() == 1
        page.wait_for_timeout(1000)  # let the PDF viewer paint
        snap(page, shots, "record-zh")

        page.click("#fixity-button")
        page.wait_for_selector("#fixity-result")
        assert "完整" in page.inner_text("#fixity-result")
        assert page.locator("table.events td", has_text="完整性检查").count() >= 1
        page.wait_for_timeout(1000)  # let the PDF viewer paint
        snap(page, shots, "record-zh-fixity")

        with page.expect_download() as dl:
            page.click('.version.current a.download:has-text(".zh.pdf")')
        d = dl.value
        assert d.suggested_filename.startswith(WINTER) and d.suggested_filename.endswith(".zh.pdf")
        assert "青松社区" in d.suggested_filename
        data = Path(d.path()).read_bytes()
        assert data.startswith(b"%PDF")
        from pypdf import PdfReader
        assert len(PdfReader(io.BytesIO(data)).pages) >= 1

        page.locator("#ui-switch").scroll_into_view_if_needed()
        # (keyboard: in headless Chromium a mouse click far above a framed PDF plugin can go astray)
        page.locator("#ui-switch").press("Enter")
        page.wait_for_url(re.compile(r"/records/[^/?]+\?ui=en$"))
        assert page.get_attribute("html", "lang") == "en"
        assert "Fixity check" in page.inner_text("body")
        page.wait_for_timeout(1000)  # let the PDF viewer paint
        snap(page, shots, "record-en")
        page.goto(server + "/search?q=" + quote("消防"))  # the cookie keeps English
        assert page.inner_text("#total") == "3 document(s)"
        snap(page, shots, "search-en")
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        ctx.close()


def test_compile_in_the_browser(server, browser, shots):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    try:
        for ui in ("en", "zh"):
            page.goto(f"{server}/compile?ui={ui}")
            snap(page, shots, f"compile-{ui}")
        page.select_option("#year", "2024")
        page.click("#compile-button")
        page.wait_for_url("**/compile/jobs/*")
        page.wait_for_selector('#job[data-state="done"], #job[data-state="failed"]', timeout=180_000)
        assert page.get_attribute("#job", "data-state") == "done"
        snap(page, shots, "compile-done-zh")
        with page.expect_download() as dl:
            page.click("#job-download")
        assert dl.value.suggested_filename == "2024年度文件汇编.pdf"
        assert Path(dl.value.path()).read_bytes().startswith(b"%PDF")
    finally:
        ctx.close()
