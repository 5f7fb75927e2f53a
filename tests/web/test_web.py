"""The web site through Flask's test client: every route, status codes, JSON twins equal to the
CLI's --json, traversal attempts on every route taking a parameter, the token, the headers."""
from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from workplan.web import create_app

from .conftest import WINTER, cli, cli_json, csrf_of

STANDARDS = "J001-WS·2024-D30-QLZFW-0001"
REPORT = "J001-WS·2024-D30-QSSQ-0001"


@pytest.fixture(scope="module")
def client(web_archive):
    app = create_app(web_archive)
    return app.test_client()


def _tree(root: Path) -> dict[str, str]:
    """Every file of the archive but the event log (and its head) and the catalogue, with its hash."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "index" not in p.relative_to(root).parts
            and p.name not in ("events.jsonl", "events.head", ".lock") and not p.name.startswith("catalogue.sqlite")}


def _catalogue_rows(root: Path) -> list[tuple]:
    import sqlite3
    db = sqlite3.connect(root / "catalogue.sqlite")
    try:
        return db.execute("SELECT * FROM records ORDER BY code, version").fetchall()
    finally:
        db.close()


# --- JSON twins == CLI --json -------------------------------------------------------------------
@pytest.mark.parametrize("args, params", [
    (["消防"], {"q": "消防"}),
    (["消防 -溺水"], {"q": "消防 -溺水"}),
    (['"冬季防火"'], {"q": '"冬季防火"'}),
    (["fire"], {"q": "fire"}),
    (["消防", "--year", "2023"], {"q": "消防", "year": "2023"}),
    (["安全", "--kind", "report"], {"q": "安全", "kind": "report"}),
    (["安全", "--unit", "青松社区"], {"q": "安全", "unit": "青松社区"}),
    (["工作", "--retention", "D30", "--lang", "en", "--limit", "2"],
     {"q": "工作", "retention": "D30", "lang": "en", "limit": "2"}),
    (["防火", "--all-versions"], {"q": "防火", "all_versions": "1"}),
])
def test_search_json_is_the_cli_json(client, web_archive, args, params):
    want = cli_json("search", *args, "--json", "--archive", str(web_archive))
    r = client.get("/search.json", query_string=params)
    assert r.status_code == 200 and r.mimetype == "application/json"
    got = r.get_json()
    for d in (want, got):
        d.pop("milliseconds")
    assert got == want
    assert got["total"] >= 1


def test_record_json_is_the_cli_json(client, web_archive):
    for code in (WINTER, STANDARDS):
        want = cli_json("archive", "show", code, "--json", "--archive", str(web_archive))
        r = client.get(f"/records/{quote(code)}.json")
        assert r.status_code == 200
        assert r.get_json() == want
    assert [v["version"] for v in want["versions"]] == [1]


def test_search_json_facets_on_request(client):
    r = client.get("/search.json", query_string={"q": "消防", "_facets": "1"})
    facets = r.get_json()["facets"]
    assert dict(map(tuple, facets["year"])) == {2023: 1, 2024: 2}
    assert sum(n for _, n in facets["kind"]) == r.get_json()["total"] == 3


def test_compile_json_lists_years_and_issuers(client):
    d = client.get("/compile.json").get_json()
    assert {y["year"]: y["records"] for y in d["years"]} == {2024: 2, 2023: 1}
    assert {"issuer": "青松社区居委会", "records": 2} in d["issuers"]


# --- search page ------------------------------------------------------------------------------------
def test_search_page_shows_hits_snippets_facets_and_total(client):
    r = client.get("/search?q=消防")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "共 3 件" in html
    assert "<mark>消防</mark>" in html
    assert html.count('class="hit"') == 3
    # facet counts beside each value, with links that add the filter to the query in the URL
    year_facet = re.search(r'data-facet="year">(.*?)</section>', html, re.S).group(1)
    assert re.search(r'href="/search\?q=%E6%B6%88%E9%98%B2&amp;year=2024">2024</a> <span class="count">2</span>',
                     year_facet)
    # the archival code's middle dot survives the round trip through the links
    assert f'href="/records/{quote(WINTER)}?back=' in html  # the record page links back to this search
    assert client.get(f"/records/{quote(WINTER)}").status_code == 200


def test_search_filter_narrows_results(client):
    html = client.get("/search?q=消防&year=2023").get_data(as_text=True)
    assert "共 1 件" in html and WINTER in html and STANDARDS not in html.split('class="results"')[1]
    html = client.get("/search?q=消防&kind=standards").get_data(as_text=True)
    assert "共 1 件" in html and STANDARDS in html


def test_search_without_query_lists_the_archive_newest_first(client):
    html = client.get("/search").get_data(as_text=True)
    assert "共 3 件" in html
    codes = re.findall(r'<span class="code">([^<]+)</span>', html)
    assert codes == [STANDARDS, REPORT, WINTER]


def test_search_pagination(client, web_archive, monkeypatch):
    import workplan.web.views.search as webapp
    monkeypatch.setattr(webapp, "PER_PAGE", 2)
    c = create_app(web_archive).test_client()
    p1 = c.get("/search?q=消防").get_data(as_text=True)
    p2 = c.get("/search?q=消防&page=2").get_data(as_text=True)
    assert "第 1 / 2 页" in p1 and 'rel="next"' in p1 and "第 1–2 件" in p1
    assert "第 2 / 2 页" in p2 and 'rel="prev"' in p2 and "第 3–3 件" in p2
    first = re.findall(r'<span class="code">([^<]+)</span>', p1)
    second = re.findall(r'<span class="code">([^<]+)</span>', p2)
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)


def test_snippets_escape_everything_then_mark():
    from workplan.search.snippets import Snippet
    from workplan.web.templating import marked
    html = str(marked(Snippet(text='<img src=x onerror=alert(1)>消防"&', spans=[(28, 30)])))
    assert html == '&lt;img src=x onerror=alert(1)&gt;<mark>消防</mark>&#34;&amp;'


def test_hostile_query_is_escaped(client):
    r = client.get("/search", query_string={"q": '"<script>alert(1)</script>"'})
    html = r.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("qs", ["page=0", "page=abc", "page=101", "year=20x3", "kind=memo", "retention=D5",
                                "lang=fr", "q=" + "消" * 501, "unit=" + "x" * 101, "q=%00", "q=a%0Db"])
def test_search_rejects_bad_parameters(client, qs):
    for path in ("/search", "/search.json"):
        r = client.get(f"{path}?{qs}")
        assert r.status_code == 400, (path, qs)
        assert "Traceback" not in r.get_data(as_text=True)
    assert client.get("/search.json?q=a&limit=0").status_code == 400


def test_bad_query_syntax_is_a_400_with_the_message(client):
    r = client.get("/search.json?q=year:abc")
    assert r.status_code == 400
    assert "year" in r.get_json()["error"]["message"]


# --- record page, files ---------------------------------------------------------------------------
def test_record_page(client, web_archive):
    d = cli_json("archive", "show", WINTER, "--json", "--archive", str(web_archive))
    html = client.get(f"/records/{quote(WINTER)}").get_data(as_text=True)
    assert d["record"]["title"] in html and d["record"]["doc_number"] in html
    for f in d["record"]["files"]:
        assert f["sha256"] in html
    assert "现行版本" in html
    assert f'src="/records/{quote(WINTER)}/files/pdf:zh?inline=1"' in html
    assert 'href="/records/%s/files/pdf:zh?version=1"' % quote(WINTER) in html
    for e in d["events"]:
        assert f'<td class="num">{e["id"]}</td>' in html
    assert 'action="/records/%s/verify"' % quote(WINTER) in html


def test_record_with_two_versions_marks_the_current_one(client, web_archive):
    d = cli_json("archive", "show", REPORT, "--json", "--archive", str(web_archive))
    assert len(d["versions"]) == 1
    codes = [c for c in (WINTER, STANDARDS, REPORT)
             if len(cli_json("archive", "show", c, "--json", "--archive", str(web_archive))["versions"]) == 2]
    assert codes, "the fixture archives a second version of one document"
    html = client.get(f"/records/{quote(codes[0])}").get_data(as_text=True)
    assert html.count('class="version current"') == 1 and html.count('class="version"') == 1
    assert "已被替代" in html


def test_download_pdf_has_the_archived_bytes_and_an_rfc6266_name(client, web_archive):
    d = cli_json("archive", "show", WINTER, "--json", "--archive", str(web_archive))
    entry = next(f for f in d["record"]["files"] if f["role"] == "pdf:zh")
    r = client.get(f"/records/{quote(WINTER)}/files/pdf:zh")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert hashlib.sha256(r.data).hexdigest() == entry["sha256"]
    cd = r.headers["Content-Disposition"]
    assert cd.startswith("attachment;")
    assert "filename*=UTF-8''" + quote(f"{WINTER} {d['record']['title']}.zh.pdf", safe="") in cd
    cd.encode("latin-1")  # the header itself is plain ASCII
    assert len(PdfReader(io.BytesIO(r.data)).pages) == d["record"]["pages"]
    r = client.get(f"/records/{quote(WINTER)}/files/pdf:zh?inline=1")
    assert r.headers["Content-Disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]


def test_download_other_roles_and_versions(client, web_archive):
    d = cli_json("archive", "show", WINTER, "--json", "--archive", str(web_archive))
    src = next(f for f in d["versions"][0]["files"] if f["role"] == "source")
    r = client.get(f"/records/{quote(WINTER)}/files/source?version=1")
    assert r.status_code == 200 and hashlib.sha256(r.data).hexdigest() == src["sha256"]
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/records/{quote(WINTER)}/files/docx:zh").status_code == 404  # built as PDF only
    assert client.get(f"/records/{quote(WINTER)}/files/pdf:zh?version=9").status_code == 404
    assert client.get(f"/records/{quote(WINTER)}/files/pdf:zh?inline=1&version=x").status_code == 400


def test_unknown_and_malformed_codes(client):
    r = client.get("/records/J001-WS·2023-D30-QSSQ-0999")
    assert r.status_code == 404 and "未找到" in r.get_data(as_text=True)
    assert client.get("/records/J001-WS·2023-D30-QSSQ-0999.json").get_json()["error"]["status"] == 404
    assert client.get("/records/not-a-code").status_code == 400
    assert client.get("/records/J001-WS.2023-D30-QSSQ-0001").status_code == 400  # a dot is not the middle dot


# --- traversal attempts on every route that takes a parameter ----------------------------------------
ATTACKS = ["../", "..%2F..%2Farchive.json", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%2Fetc%2Fpasswd", "/etc/passwd",
           "..%5C..%5Carchive.json", "..\\..\\archive.json", "C:%5CWindows%5Cwin.ini", "%00", "a%00b",
           "bags%2FJ001-WS%C2%B72023-D30-QSSQ-0001%2Fv1%2Fdata%2Fwinter-fire-safety.zh.pdf", "....//....//etc/passwd",
           "%252e%252e%252f"]


def _routes(attack: str) -> list[tuple[str, str]]:
    w = quote(WINTER)
    return [("GET", f"/records/{attack}"), ("GET", f"/records/{attack}.json"),
            ("GET", f"/records/{attack}/files/pdf:zh"), ("GET", f"/records/{w}/files/{attack}"),
            ("GET", f"/records/{w}/files/pdf:zh?version={attack}"), ("GET", f"/records/{w}?preview={attack}"),
            ("POST", f"/records/{attack}/verify"), ("POST", f"/records/{attack}/verify.json"),
            ("GET", f"/compile/jobs/{attack}"), ("GET", f"/compile/jobs/{attack}.json"),
            ("GET", f"/compile/jobs/{attack}/download"), ("GET", f"/static/{attack}"),
            ("GET", f"/search?q={attack}"), ("GET", f"/search.json?q={attack}&unit={attack}"),
            ("GET", f"/login?next={attack}")]


@pytest.mark.parametrize("attack", ATTACKS)
def test_traversal_attempts_never_reach_a_file(client, attack):
    for method, url in _routes(attack):
        r = client.open(url, method=method)
        body = r.get_data()
        assert r.status_code in (200, 302, 303, 400, 404, 405), (url, r.status_code)
        assert b"%PDF" not in body[:8] and b"root:" not in body and b"fonds_code" not in body, url
        assert b"Traceback" not in body, url
        if r.status_code == 200:  # only pages that treat the text as text: search terms, a preview choice
            assert url.startswith(("/search", f"/records/{quote(WINTER)}?")), url
        if r.status_code in (302, 303):
            assert r.headers["Location"].startswith("/") and not r.headers["Location"].startswith("//"), url


def test_login_next_never_leaves_the_site(web_archive):
    c = create_app(web_archive, token="correct horse").test_client()
    for nxt in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        html = c.get("/login", query_string={"next": nxt}).get_data(as_text=True)
        r = c.post("/login", query_string={"next": nxt}, data={"csrf": csrf_of(html), "token": "correct horse"})
        assert r.status_code == 303 and r.headers["Location"] == "/search", nxt


# --- fixity check ----------------------------------------------------------------------------------
def test_fixity_check_needs_the_form_token(client):
    r = client.post(f"/records/{quote(WINTER)}/verify", data={"csrf": "0" * 32})
    assert r.status_code == 400


def test_fixity_check_runs_and_only_appends_its_event(archive_copy):
    c = create_app(archive_copy).test_client()
    before, rows = _tree(archive_copy), _catalogue_rows(archive_copy)
    events_before = (archive_copy / "events.jsonl").read_bytes()
    page = c.get(f"/records/{quote(WINTER)}").get_data(as_text=True)
    r = c.post(f"/records/{quote(WINTER)}/verify", data={"csrf": csrf_of(page)})
    # a POST that redirects to its result: reloading the result never runs the check again
    assert r.status_code == 303 and "checked=" in r.headers["Location"]
    for _ in range(2):
        html = c.get(r.headers["Location"]).get_data(as_text=True)
        assert 'id="fixity-result"' in html and "完整（审计记录 #" in html
    assert _tree(archive_copy) == before and _catalogue_rows(archive_copy) == rows
    after = (archive_copy / "events.jsonl").read_bytes()
    assert after.startswith(events_before)
    new = [json.loads(x) for x in after[len(events_before):].splitlines()]
    assert [(e["type"], e["object"], e["outcome"]) for e in new] == [("fixity-check", WINTER, "success")]
    log = cli("archive", "log", WINTER, "--json", "--archive", str(archive_copy)).splitlines()
    assert json.loads(log[-1])["type"] == "fixity-check"
    cli("archive", "verify", "--archive", str(archive_copy))  # the chain is intact


def test_fixity_check_reports_a_damaged_file(archive_copy):
    d = cli_json("archive", "show", WINTER, "--json", "--archive", str(archive_copy))
    pdf = archive_copy / d["record"]["bag_dir"] / next(f["path"] for f in d["record"]["files"] if f["role"] == "pdf:zh")
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0xFF
    pdf.write_bytes(bytes(data))
    c = create_app(archive_copy).test_client()
    r = c.post(f"/records/{quote(WINTER)}/verify.json", json={})
    assert r.status_code == 200
    res = r.get_json()
    assert res["ok"] is False and any(pdf.name in f["message"] for f in res["findings"])
    assert res["event"]["outcome"] == "failure"
    page = c.get(f"/records/{quote(WINTER)}").get_data(as_text=True)
    r = c.post(f"/records/{quote(WINTER)}/verify", data={"csrf": csrf_of(page)})
    html = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "未通过最近一次完整性检查" in html and pdf.name in html
    # flagged everywhere it appears: its page (banner, no preview), the JSON twin, search results
    assert 'id="damaged"' in html and '<iframe id="preview"' not in html
    twin = c.get(f"/records/{quote(WINTER)}.json").get_json()
    assert twin["fixity"]["ok"] is False and any(pdf.name in m for m in twin["fixity"]["findings"])
    hits = c.get("/search.json?q=" + quote("冬季防火")).get_json()["results"]
    assert any(h["code"] == WINTER and h["fixity"]["ok"] is False for h in hits)
    results = c.get("/search?q=" + quote("冬季防火")).get_data(as_text=True)
    assert 'class="tag damaged"' in results
    # its files are not handed out silently: a warning naming the finding, for every file of it
    for role in ("pdf:zh", "source"):
        r = c.get(f"/records/{quote(WINTER)}/files/{role}")
        body = r.get_data(as_text=True)
        assert r.status_code == 409 and "不予提供" in body and pdf.name in body


# --- compile ---------------------------------------------------------------------------------------
def _wait(c, job_url: str, timeout: float = 180) -> dict:
    t0 = time.time()
    while time.time() - t0 < timeout:
        d = c.get(job_url).get_json()
        if d["state"] in ("done", "failed"):
            return d
        time.sleep(0.3)
    raise AssertionError("the volume was not made in time")


def test_compile_makes_a_volume_outside_the_archive(archive_copy, tmp_path):
    c = create_app(archive_copy, workdir=tmp_path / "jobs").test_client()
    before = _tree(archive_copy)
    form = c.get("/compile").get_data(as_text=True)
    assert '<option value="2024">2024 (2)</option>' in form
    r = c.post("/compile", data={"csrf": csrf_of(form), "year": "2024", "format": "pdf", "lang": "zh"})
    assert r.status_code == 303
    job_url = r.headers["Location"]
    page = c.get(job_url).get_data(as_text=True)
    assert 'data-state=' in page
    d = _wait(c, job_url + ".json")
    assert d["state"] == "done", d
    assert d["documents"] == 2
    html = c.get(job_url).get_data(as_text=True)
    assert "下载汇编" in html and 'http-equiv="refresh"' not in html
    r = c.get(job_url + "/download")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "filename*=UTF-8''2024%E5%B9%B4%E5%BA%A6" in r.headers["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(r.data)).pages) == d["pages"]
    assert _tree(archive_copy) == before
    assert list((tmp_path / "jobs").rglob("*.pdf"))


def test_another_worker_process_shows_the_volume_and_hands_it_out(archive_copy, tmp_path, monkeypatch):
    """`serve --workers`: the processes share a folder; a volume made by one has its status page
    and its download in every other (its state is written to the folder as it goes)."""
    from workplan.web.jobs import Jobs

    def quick_volume(self, job):  # the volume itself is under test above
        out = self.dir / job.id / "volume-2024.pdf"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"%PDF-1.4 a volume")
        job.output, job.state, job.documents, job.finished = out, "done", 2, 1.0
        self._save(job)
    monkeypatch.setattr(Jobs, "_run", quick_volume)
    one = create_app(archive_copy, shared_dir=tmp_path / "shared", secret_key=b"k" * 32)
    other = create_app(archive_copy, shared_dir=tmp_path / "shared", secret_key=b"k" * 32)
    job = one.test_client().post("/compile.json", json={"year": 2024}).get_json()["id"]
    c = other.test_client()
    assert job not in other.config["WP_JOBS"].jobs
    deadline = time.monotonic() + 20  # the job runs on the first app's thread; the second reads the folder
    while (d := c.get(f"/compile/jobs/{job}.json").get_json())["state"] in ("queued", "running") \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert d["state"] == "done" and d["documents"] == 2 and d["filename"] == "volume-2024.pdf"
    r = c.get(f"/compile/jobs/{job}/download")
    assert r.status_code == 200 and r.data == b"%PDF-1.4 a volume"
    assert c.get("/compile/jobs/0123456789abcdef.json").status_code == 404
    for app in (one, other):
        app.config["WP_JOBS"].close()
    assert (tmp_path / "shared" / "volumes" / job / "job.json").is_file()  # the folder is its maker's to remove


def test_compile_refuses_a_damaged_record_like_the_cli(archive_copy, tmp_path):
    d = cli_json("archive", "show", STANDARDS, "--json", "--archive", str(archive_copy))
    pdf = archive_copy / d["record"]["bag_dir"] / next(f["path"] for f in d["record"]["files"] if f["role"] == "pdf:zh")
    pdf.write_bytes(pdf.read_bytes() + b"tampered")
    c = create_app(archive_copy, workdir=tmp_path / "jobs").test_client()
    r = c.post("/compile.json", json={"year": 2024})
    assert r.status_code == 202
    d = _wait(c, r.headers["Location"])
    assert d["state"] == "failed"
    assert any("failed its fixity check" in p["message"] and STANDARDS in p["message"] for p in d["problems"])
    assert c.get(f"/compile/jobs/{d['id']}/download").status_code == 404
    assert not list((tmp_path / "jobs").rglob("*.pdf"))


def test_compile_rejects_bad_options(client):
    form = client.get("/compile").get_data(as_text=True)
    tok = csrf_of(form)
    for data in ({"year": "1800"}, {"year": "abc"}, {}, {"year": "2024", "kind": "memo"},
                 {"year": "2024", "format": "exe"}, {"year": "2024", "unit": "x" * 101}):
        assert client.post("/compile", data={"csrf": tok, **data}).status_code == 400, data
    assert client.post("/compile", data={"year": "2024"}).status_code == 400  # no CSRF token
    assert client.get("/compile/jobs/0123456789abcdef").status_code == 404


def test_request_body_too_large_is_413(client):
    r = client.post("/compile", data={"csrf": "x", "unit": "x" * 40000})
    assert r.status_code == 413 and "请求过大" in r.get_data(as_text=True)


# --- errors, headers, language ----------------------------------------------------------------------
def test_error_pages_are_friendly(client, web_archive, monkeypatch):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "返回检索" in r.get_data(as_text=True)
    assert client.get("/search?" + "q=" + "a" * 3000).status_code == 414
    assert client.put("/search").status_code == 405
    import workplan.archive.views as views

    def boom(*a, **k):
        raise RuntimeError("secret internals")
    monkeypatch.setattr(views, "show_dict", boom)
    app = create_app(web_archive)
    app.logger.disabled = True
    r = app.test_client().get(f"/records/{quote(WINTER)}")
    body = r.get_data(as_text=True)
    assert r.status_code == 500 and "服务器内部错误" in body
    assert "Traceback" not in body and "secret internals" not in body and "RuntimeError" not in body
    r = app.test_client().get(f"/records/{quote(WINTER)}.json")
    assert r.status_code == 500 and r.get_json()["error"]["status"] == 500


@pytest.mark.parametrize("url", ["/search?q=消防", f"/records/{quote(WINTER)}", "/compile", "/no-such-page",
                                 "/search.json?q=消防"])
def test_security_headers(client, url):
    r = client.get(url)
    h = r.headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    if r.mimetype == "text/html":
        html = r.get_data(as_text=True)
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
        assert scripts and all(not body.strip() for body in scripts)  # scripts only from files of this site
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/site.js" defer>']
        assert " style=" not in html and "<style" not in html  # nothing inline
        assert not re.search(r"<[^>]+\son[a-z]+=", html)  # no event-handler attributes


def test_static_css_is_served(client):
    r = client.get("/static/site.css")
    assert r.status_code == 200 and r.mimetype == "text/css" and b"Noto Sans CJK SC" in r.data


def test_ui_language_from_url_then_cookie(web_archive):
    c = create_app(web_archive).test_client()
    assert "检索" in c.get("/search").get_data(as_text=True)
    r = c.get("/search?q=消防&ui=en")
    html = r.get_data(as_text=True)
    assert "3 document(s)" in html and "Qingsong Community Residents&#39; Committee Archive Reader" in html \
        and 'lang="en"' in html
    assert "wp_ui=en" in r.headers["Set-Cookie"]
    html = c.get(f"/records/{quote(WINTER)}").get_data(as_text=True)  # the cookie keeps it
    assert "Fixity check" in html and "Audit trail" in html
    assert "中文" in html  # the switch back
    assert "年度汇编" in c.get("/compile?ui=zh").get_data(as_text=True)


def test_root_redirects_to_search(client):
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/search")


# --- token ---------------------------------------------------------------------------------------------
def test_token_via_header_or_login_cookie(web_archive):
    c = create_app(web_archive, token="s3cret-token").test_client()
    r = c.get("/search?q=消防")
    assert r.status_code == 303 and r.headers["Location"].startswith("/login?next=")
    assert c.get("/search.json?q=消防").status_code == 401
    assert c.get(f"/records/{quote(WINTER)}/files/pdf:zh").status_code == 303
    assert c.get("/search.json?q=消防", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = c.get("/search.json?q=消防", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200 and ok.get_json()["total"] == 3
    assert c.get("/static/site.css").status_code == 200
    form = c.get("/login?next=/compile").get_data(as_text=True)
    assert c.post("/login?next=/compile", data={"csrf": csrf_of(form), "token": "wrong"}).status_code == 401
    r = c.post("/login?next=/compile", data={"csrf": csrf_of(form), "token": "s3cret-token"})
    assert r.status_code == 303 and r.headers["Location"] == "/compile"
    cookie = [v for v in r.headers.getlist("Set-Cookie") if v.startswith("wp_auth=")][0]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "s3cret-token" not in cookie
    assert c.get("/compile").status_code == 200
    assert c.post("/login", data={"token": "s3cret-token"}).status_code == 400  # login form needs its CSRF token
    r = c.post("/logout", data={"csrf": csrf_of(c.get("/compile").get_data(as_text=True))})
    assert r.status_code == 303
    assert c.get("/compile").status_code == 303


# --- workplan serve -------------------------------------------------------------------------------------
def test_serve_refuses_a_public_address_without_a_token(web_archive):
    from click.testing import CliRunner

    from workplan.cli import main  # noqa: F401
    from workplan.cli.serve import is_loopback
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.5.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")
    r = subprocess.run([sys.executable, "-m", "workplan.cli", "serve", "--archive", str(web_archive), "--host",
                        "0.0.0.0"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "without an access token" in r.stderr and "Traceback" not in r.stderr
    del CliRunner


def test_serve_prints_the_url_serves_and_stops_on_ctrl_c(web_archive):
    import signal
    import urllib.request
    # started with SIGINT ignored, as a parent (a shell's background job, a test runner) may leave
    # it: Ctrl-C must stop the server all the same
    p = subprocess.Popen([sys.executable, "-m", "workplan.cli", "serve", "--archive", str(web_archive), "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        line = p.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, line + p.stderr.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{m.group(1)}/search.json?q=%E6%B6%88%E9%98%B2", timeout=30) as r:
            assert json.load(r)["total"] == 3
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)   # reads the pipes while waiting: a full pipe cannot block the exit
        assert p.returncode == 0, err
        assert "stopped" in err and "Traceback" not in err
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_facets_agree_between_backends(web_archive, tmp_path):
    """The facet counts are the same whichever backend built the index (tantivy aggregates,
    whoosh counts the stored metadata)."""
    import shutil as sh

    from workplan.archive import open_archive
    from workplan.search import open_index, reindex
    pytest.importorskip("whoosh")
    root = tmp_path / "a"
    sh.copytree(web_archive, root, symlinks=True)
    got = {}
    for backend in ("tantivy", "whoosh"):
        arc = open_archive(root)
        reindex(arc, backend)
        ix = open_index(root)
        try:
            got[backend] = [ix.facets(q, **f) for q, f in (("消防", {}), ("安全", {"year": "2024"}), ("", {"kind": "program"}))]
        finally:
            ix.close()
            arc.close()
    for a, b in zip(got["tantivy"], got["whoosh"]):
        for k in a:
            assert a[k] == b[k], (k, a[k], b[k])
    assert dict(got["tantivy"][0]["year"]) == {2024: 2, 2023: 1}
    assert ("青松社区居委会", 2) in got["tantivy"][0]["unit"]


def test_without_an_index_search_says_how_to_build_it_and_records_still_work(archive_copy):
    import shutil as sh
    sh.rmtree(archive_copy / "index")
    c = create_app(archive_copy).test_client()
    r = c.get("/search?q=消防")
    assert r.status_code == 503 and "workplan search reindex" in r.get_data(as_text=True)
    assert c.get("/search.json?q=消防").get_json()["error"]["status"] == 503
    assert c.get(f"/records/{quote(WINTER)}").status_code == 200
    assert not (archive_copy / "index").exists()  # the site did not build it: it changes nothing


def test_other_http_errors_get_the_friendly_page_too(client):
    r = client.get(f"/records/{quote(WINTER)}/files/pdf:zh", headers={"Range": "bytes=99999999-"})
    assert r.status_code == 416 and "Range Not Satisfiable" in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)
