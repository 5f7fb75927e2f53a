"""Every page type in Chromium, in both languages, at 1280 and 375 px (and 320 px for sideways
scrolling): axe-core reports no serious or critical violation; every page has one <h1> and a skip
link first in the tab order; nothing refreshes itself; no page scrolls sideways; the Chinese pages
show no English interface words and the English pages no Chinese ones outside data texts marked
``lang="zh-CN"``; after a fixity check the focus is on its result.

axe-core is the npm package, installed into .venv/axe by scripts/setup (or named by $WORKPLAN_AXE)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from workplan.web import create_app
from workplan.web.jobs import Job

from .conftest import WINTER, needs_chromium, running

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("WORKPLAN_AXE") or ROOT / ".venv/axe/node_modules/axe-core/axe.min.js")

pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not installed at {AXE}: run scripts/setup (needs npm)"),
]

RUNNING_JOB = "0123456789abcdef"
PAGES = {"search": "/search?q=%E6%B6%88%E9%98%B2", "browse": "/search", "record": f"/records/{quote(WINTER)}",
         "compile": "/compile", "job": f"/compile/jobs/{RUNNING_JOB}", "notfound": "/records/J001-WS%C2%B72023-D30-QSSQ-0999",
         "badquery": "/search?q=%22%E6%B6%88%E9%98%B2", "login": "/login",
         "version": f"/records/{quote(WINTER)}/versions/new", "dispose": f"/records/{quote(WINTER)}/dispose"}
# words the interface may show in either language (formats, units, a hash's name) and data that is not text
ANY_LANGUAGE = {"PDF", "JSON", "SHA", "DOCX", "Word", "KB", "MB", "English", "workplan", "OR"}
INTERFACE_TEXT = """(() => {
  const page = document.documentElement.lang.slice(0, 2);
  const skip = "code, time, .code, .json, .hash, .agent, a.download, .subtitle, input, option, select";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest(skip) || el.closest("script")) continue;
    const lang = (el.closest("[lang]") || document.documentElement).lang.slice(0, 2);
    if (lang === page && el.offsetParent !== null) out.push(walker.currentNode.textContent);
  }
  return out.join(" ");
})()"""


@pytest.fixture(scope="module")
def sites(web_archive, tmp_path_factory):
    """Two servers over a copy of the archive: without a token, and with one (for the sign-in page)."""
    root = tmp_path_factory.mktemp("a11y") / "archive"
    shutil.copytree(web_archive, root, symlinks=True)
    app = create_app(root, workdir=tmp_path_factory.mktemp("jobs"))
    app.config["WP_JOBS"].jobs[RUNNING_JOB] = Job(id=RUNNING_JOB, options={"year": 2024, "format": "pdf", "lang": "zh"},
                                                 state="running", stage="documents", done=3, total=10)
    locked = create_app(root, token="s3cret-token", workdir=tmp_path_factory.mktemp("jobs"))
    with running(app) as port, running(locked) as locked_port:
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{locked_port}"


def _url(sites, name: str, ui: str) -> str:
    base = sites[1] if name == "login" else sites[0]
    url = PAGES[name]
    return base + url + ("&" if "?" in url else "?") + "ui=" + ui


@pytest.mark.parametrize("ui", ["zh", "en"])
@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_passes_axe_and_reads_in_one_language(sites, browser, ui, width):
    axe = AXE.read_text(encoding="utf-8")
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    failures = []
    try:
        for name in PAGES:
            page.goto(_url(sites, name, ui))
            found = page.evaluate(axe + "\n;axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                                        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                                        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))")
            failures += [f"{name}: {v}" for v in found]
            if page.locator("h1").count() != 1:
                failures.append(f"{name}: {page.locator('h1').count()} h1 elements")
            if page.locator('meta[http-equiv="refresh"]').count():
                failures.append(f"{name}: refreshes itself")
            if page.evaluate("document.documentElement.scrollWidth") > width:
                failures.append(f"{name}: scrolls sideways at {width} px")
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.className") != "skip":
                failures.append(f"{name}: the first Tab does not reach the skip link")
            text = page.evaluate(INTERFACE_TEXT)
            if ui == "zh":
                words = set(re.findall(r"[A-Za-z]{3,}", text)) - ANY_LANGUAGE
                words = {w for w in words if not re.fullmatch(r"[A-Z]{2,}\d*", w)}  # codes: QSSQ, WS, D30
            else:
                words = set(re.findall(r"[\u4e00-\u9fff]+", text))
            if words:
                failures.append(f"{name}: words of the other language outside marked data: {sorted(words)[:8]}")
    finally:
        ctx.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("ui", ["zh", "en"])
def test_no_page_scrolls_sideways_at_320_px(sites, browser, ui):
    ctx = browser.new_context(viewport={"width": 320, "height": 700})
    page = ctx.new_page()
    try:
        wide = []
        for name in PAGES:
            page.goto(_url(sites, name, ui))
            if page.evaluate("document.documentElement.scrollWidth") > 320:
                wide.append(name)
        assert not wide
    finally:
        ctx.close()


def test_after_a_fixity_check_the_focus_is_on_its_result(sites, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(_url(sites, "record", "zh"))
        page.click("#fixity-button")
        page.wait_for_selector("#fixity-result")
        assert page.evaluate("document.activeElement.id") == "fixity-result"
        assert page.get_attribute("#fixity-result", "role") == "status"
    finally:
        ctx.close()


def test_the_status_page_updates_itself_without_reloading(sites, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(_url(sites, "job", "zh"))
        page.evaluate("window.__marker = 1")
        with page.expect_response(re.compile(r"/compile/jobs/.*\.json$"), timeout=10_000):
            pass
        page.wait_for_timeout(300)
        assert page.evaluate("window.__marker") == 1  # the same document: not reloaded
        assert page.inner_text("#job-stage").strip() == "3 / 10"
    finally:
        ctx.close()
