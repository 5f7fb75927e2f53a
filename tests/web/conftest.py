"""The archive the web tests share: built once per session (a few corpus documents, PDF only,
one of them in two versions), plus helpers to run the CLI on it in-process."""
from __future__ import annotations

import http.client
import json
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
WINTER = "J001-WS·2023-D30-QSSQ-0001"
# Debian's chromium, driven by Playwright (scripts/setup installs it for the tests)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed (scripts/setup installs it for the tests)")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a test module."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def cli(*args: str) -> str:
    """Run `workplan ARGS` in-process; its stdout (asserting exit code 0)."""
    from workplan.cli import cli as group
    res = CliRunner().invoke(group, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def cli_json(*args: str):
    return json.loads(cli(*args))


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("web") / "archive"
    cli("archive", "--archive", str(root), "init", "--fonds", "J001", "--name", "青松社区居委会",
        "--name-en", "Qingsong Community Residents' Committee")
    files = [CORPUS / "winter-fire-safety.yaml", CORPUS / "six-peace-standards.yaml",
             CORPUS / "report-winter-fire-safety.yaml"]
    cli("archive", "add", "--archive", str(root), *map(str, files[:1]), "--format", "pdf", "--lang", "zh,en")
    cli("archive", "add", "--archive", str(root), *map(str, files[1:]), "--format", "pdf")
    # a second version of the winter program (same document number, new title)
    v2 = root.parent / "winter-v2.yaml"
    text = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    v2.write_text(text.replace("  zh: 青松社区2023年冬季防火工作方案\n", "  zh: 青松社区2023年冬季防火工作方案（修订）\n", 1),
                  encoding="utf-8")
    cli("archive", "add", "--archive", str(root), str(v2), "--format", "pdf", "--reason", "the title was corrected")
    return root


@pytest.fixture
def archive_copy(web_archive, tmp_path) -> Path:
    """A private copy of the shared archive (for tests that damage it or log events)."""
    dst = tmp_path / "archive"
    shutil.copytree(web_archive, dst, symlinks=True)
    return dst


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([0-9a-f]{32})"', html)
    assert m, "no CSRF field in the form"
    return m.group(1)


@contextmanager
def running(app, **options):
    """``app`` served by waitress with the settings `workplan serve` uses, on a free loopback port
    (yields the port; the server stops when the block ends)."""
    import waitress

    from workplan.web.security import WAITRESS
    srv = waitress.create_server(app, host="127.0.0.1", port=0, threads=4, **{**WAITRESS, **options})
    port = int(srv.effective_port)
    app.extensions["workplan"].guard.hosts.port = port
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    try:
        yield port
    finally:
        srv.close()
        t.join(timeout=10)


class Browserish:
    """A minimal HTTP client over one loopback port with a cookie jar and a chosen Host header."""

    def __init__(self, port: int, host: str | None = None) -> None:
        self.port, self.host = port, host if host is not None else f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, *, form: dict | None = None, js=None, body: bytes | None = None,
                headers: dict | None = None):
        h = {"Host": self.host}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body, h["Content-Type"] = urlencode(form).encode(), "application/x-www-form-urlencoded"
        if js is not None:
            body, h["Content-Type"] = json.dumps(js).encode(), "application/json"
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request(method, url, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        for v in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = v.partition("=")
            if "Max-Age=0" in v or "1970" in v:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = rest.split(";")[0]
        return r.status, r.headers, data

    def get(self, url: str, **kw):
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw):
        return self.request("POST", url, **kw)
