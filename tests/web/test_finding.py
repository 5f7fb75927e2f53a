"""What auditors type: an archival code, a document number or a title goes straight to the record;
a query that cannot be read comes back on the search page with the query kept, the problem in the
reader's language and a query that works; fields take the labels the site shows."""
from __future__ import annotations

import html as htmllib
import re
from urllib.parse import quote, unquote

import pytest

from workplan.web import create_app

from .conftest import WINTER, cli_json

STANDARDS = "J001-WS·2024-D30-QLZFW-0001"
REPORT = "J001-WS·2024-D30-QSSQ-0001"


@pytest.fixture(scope="module")
def client(web_archive):
    return create_app(web_archive).test_client()


@pytest.mark.parametrize("typed, code", [
    (WINTER, WINTER),
    ("  " + WINTER + " ", WINTER),
    (WINTER.replace("·", "."), WINTER),           # typed with a full stop
    (WINTER.replace("·", "・"), WINTER),           # pasted with a katakana middle dot
    (WINTER.replace("·", "").lower(), WINTER),     # without the dot, in lower case
    ("青社发〔2024〕5号", REPORT),                    # a document number
    ("青社发[2024]5号", REPORT),                     # … typed with square brackets
    ("青社发（2023）12号", WINTER),                   # … full-width parentheses; v1 and v2 share the code
    ("青岚县2024年“平安六创”创建标准及责任分工", STANDARDS),   # a title
    ("Qingsong Community Report on Winter Fire Safety 2023–2024", REPORT),  # an English title
    ("qingsong community report on winter fire safety 2023–2024", REPORT),
])
def test_a_code_number_or_title_goes_straight_to_the_record(client, typed, code):
    r = client.get("/search", query_string={"q": typed})
    assert r.status_code == 303, (typed, r.status_code)
    assert unquote(r.headers["Location"]) == f"/records/{code}"


@pytest.mark.parametrize("typed", ["青松社区2023年冬季防火工作方案", "J001-WS·2023-D30-QSSQ-0999", "冬季防火"])
def test_other_queries_list_results(client, typed):
    r = client.get("/search", query_string={"q": typed})
    assert r.status_code == 200, typed  # an old title (v1), an unknown code, words: a result list


def test_the_json_twin_still_answers_like_the_cli(client, web_archive):
    want = cli_json("search", WINTER, "--json", "--archive", str(web_archive))
    got = client.get("/search.json", query_string={"q": WINTER}).get_json()
    for d in (want, got):
        d.pop("milliseconds")
    assert got == want


def test_a_filter_or_a_later_page_is_a_search(client):
    assert client.get("/search", query_string={"q": WINTER, "kind": "program"}).status_code == 200
    assert client.get("/search", query_string={"q": WINTER, "page": "2"}).status_code == 200


@pytest.mark.parametrize("q, ui, message, suggestion", [
    ('"冬季防火', "zh", "引号不成对", "冬季防火"),
    ('"冬季防火', "en", "unbalanced quote", "冬季防火"),
    ("kind:工作 消防", "zh", "没有 '工作' 这个类别", "工作 消防"),
    ("消防 OR", "zh", "右边没有词", "消防"),
    ("year:20x3 消防", "en", "is not a year", "20x3 消防"),
])
def test_a_bad_query_comes_back_with_the_query_and_a_fix(client, q, ui, message, suggestion):
    r = client.get("/search", query_string={"q": q, "ui": ui})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'id="query-problem"' in page and 'role="alert"' in page
    assert message in htmllib.unescape(page), page[page.find("query-problem"):][:600]
    kept = re.search(r'<input type="search" name="q" value="([^"]*)"', page)[1]
    assert htmllib.unescape(kept) == q
    link = re.search(r'<a id="suggestion" href="([^"]+)">(.*?)</a>', page)
    assert link and htmllib.unescape(re.sub(r"<[^>]+>", "", link[2])) == suggestion
    assert client.get(htmllib.unescape(link[1])).status_code == 200
    if ui == "zh":
        start = page.find("<h2>", page.find('id="query-problem"'))
        text = re.sub(r"<[^>]+>", " ", page[start:page.find("</div>", start)])
        assert not re.search(r"\b(unknown|quote|query|not a|write)\b", text), text


@pytest.mark.parametrize("label, value", [("kind:工作方案", "kind:program"), ("类别:工作方案", "kind:program"),
                                          ("类别：工作总结", "kind:report"), ('kind:"Progress report"', "kind:report"),
                                          ("保管期限:30年", "retention:D30"), ("语种:英文", "lang:en"),
                                          ("年度:2023", "year:2023")])
def test_fields_take_the_labels_the_site_shows(client, label, value):
    a = client.get("/search.json", query_string={"q": label}).get_json()
    b = client.get("/search.json", query_string={"q": value}).get_json()
    assert a["total"] == b["total"] >= 1 and [h["code"] for h in a["results"]] == [h["code"] for h in b["results"]]


def test_text_before_a_chinese_colon_is_still_text(client):
    r = client.get("/search.json", query_string={"q": "通知：消防"})
    assert r.status_code == 200


@pytest.mark.parametrize("url, zh, en", [
    ("/search?year=abc", "一个年份或范围", "a year or a range"),
    ("/search?page=0", "之间的整数", "a whole number"),
    ("/search?kind=memo", "应为以下之一", "one of"),
    ("/records/not-a-code", "不是档号", "not an archival code"),
    ("/no/such/page", "没有这个页面", "There is no such page"),
])
def test_refusals_speak_the_readers_language(web_archive, url, zh, en):
    c = create_app(web_archive).test_client()
    for ui, want, other in (("zh", zh, en), ("en", en, zh)):
        sep = "&" if "?" in url else "?"
        body = c.get(url + sep + "ui=" + ui).get_data(as_text=True)
        assert want in body and other not in body, (url, ui)


def test_security_refusals_speak_the_readers_language(web_archive):
    c = create_app(web_archive).test_client()
    zh = c.get("/search?ui=zh", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "不接受这个主机名" in zh
    en = c.get("/search?ui=en", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "does not answer to that host name" in en and "不接受" not in en
    en = c.post("/compile.json?ui=en", json={"year": 2024}, headers={"Origin": "http://evil.example"}).get_json()
    assert en["error"]["message"].startswith("the form did not come from this site")
    zh = c.post("/compile?ui=zh", data={"csrf": "0" * 32, "year": "2024"}).get_data(as_text=True)
    assert "表单已过期" in zh


def test_superseded_versions_on_request_and_the_way_back_to_the_results(web_archive):
    client = create_app(web_archive).test_client()
    old_title = "青松社区2023年冬季防火工作方案"
    page = client.get("/search", query_string={"q": "冬季防火 方案"}).get_data(as_text=True)
    assert 'class="tag old"' not in page
    page = client.get("/search", query_string={"q": "冬季防火 方案", "all_versions": "1"}).get_data(as_text=True)
    assert 'class="tag old"' in page and 'name="all_versions" value="1" checked' in page
    assert old_title + "<" in page  # version 1's own title is listed
    link = re.search(r'<h3><a href="(/records/[^"]+back=[^"]+)"', page)[1]
    record = client.get(htmllib.unescape(link)).get_data(as_text=True)
    back = re.search(r'<p class="crumbs"><a href="([^"]+)">返回检索结果</a>', record)[1]
    assert htmllib.unescape(back).startswith("/search?q=") and "all_versions=1" in htmllib.unescape(back)
    for evil in ("//evil.example/search", "https://evil.example/", "/records/x", "/search\\x"):
        html = client.get(f"/records/{quote(WINTER)}", query_string={"back": evil}).get_data(as_text=True)
        assert 'href="/search">检索</a>' in html, evil


def test_a_result_list_exports_as_a_list_of_archived_files(web_archive):
    import csv
    import io

    from openpyxl import load_workbook
    c = create_app(web_archive).test_client()
    page = c.get("/search", query_string={"q": "冬季"}).get_data(as_text=True)
    csv_url = htmllib.unescape(re.search(r'href="([^"]+format=csv)"', page)[1])
    r = c.get(csv_url)
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.headers["Cache-Control"] == "no-store"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0] == ["档号", "文号", "责任者", "题名", "日期", "页数", "保管期限", "备注"]
    want = c.get("/search.json", query_string={"q": "冬季", "limit": 1000}).get_json()
    assert [row[0] for row in rows[1:]] == [h["code"] for h in want["results"]]
    winter = next(row for row in rows if row[0] == WINTER)
    assert winter[1] == "青社发〔2023〕12号" and winter[4] == "20231106" and winter[5] == "6" and "第2版" in winter[7]
    x = c.get(csv_url.replace("format=csv", "format=xlsx"))
    ws = load_workbook(io.BytesIO(x.data)).active
    assert ws.title == "归档文件目录" and [cell.value for cell in ws[1]][0] == "档号" and ws.max_row == len(rows)
    old = c.get("/search/export", query_string={"q": "冬季", "all_versions": "1"}).data.decode("utf-8-sig")
    assert "已被第2版替代" in old
    assert c.get("/search/export?q=冬季&format=exe").status_code == 400


def test_every_version_can_be_previewed(web_archive):
    c = create_app(web_archive).test_client()
    page = c.get(f"/records/{quote(WINTER)}").get_data(as_text=True)
    assert f'src="/records/{quote(WINTER)}/files/pdf:zh?inline=1"' in page
    link = re.search(r'href="(/records/[^"]+version=1)#preview-h"', page)[1]
    old = c.get(htmllib.unescape(link)).get_data(as_text=True)
    src = htmllib.unescape(re.search(r'<iframe id="preview" class="pdf" src="([^"]+)"', old)[1])
    assert "version=1" in src and "已被替代" in old
    pdf = c.get(src)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    current = c.get(f"/records/{quote(WINTER)}/files/pdf:zh?inline=1").data
    assert pdf.data != current  # version 1's own rendition
    assert "preview=pdf:en" in old and "preview=pdf:en" not in page  # version 1 was built in English too
