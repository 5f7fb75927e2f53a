"""The site for an English reader and the finding tools: English names from the data wherever
the data has them (a walk over the English pages flags any Chinese text that is not a marked
data text without an English form), the site's and the volume's English names, program ↔
report links both ways, sorting by date either way or by relevance, several values of one
filter at once — each page with its JSON twin."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import pytest

from workplan.web import create_app

from .conftest import WINTER, cli_json

STANDARDS = "J001-WS·2024-D30-QLZFW-0001"
REPORT = "J001-WS·2024-D30-QSSQ-0001"
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def app(web_archive):
    return create_app(web_archive)


@pytest.fixture
def client(app):
    return app.test_client()  # a fresh cookie jar: the language chosen by one test stays there


@pytest.fixture(scope="module")
def english_forms(app) -> dict[str, str]:
    client = app.test_client()
    """Every Chinese data text the archive gives an English form for (names, numbers, titles)."""
    hits = client.get("/search.json", query_string={"limit": "100", "all_versions": "1"}).get_json()["results"]
    forms: dict[str, str] = {}
    for h in hits:
        forms.update(h["names_en"])
        if h["title_en"]:
            forms[h["title"]] = h["title_en"]
    return forms


class ChineseOutsideMarkedData(HTMLParser):
    """The Chinese texts of an English page: those outside an element marked ``lang="zh…"`` (the
    interface speaking Chinese), and those inside one (data shown untranslated)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.unmarked: list[str] = []
        self.marked: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        zh = (a.get("lang") or "").startswith("zh") if "lang" in a else (self.stack[-1][1] if self.stack else False)
        self.stack.append((tag, zh))
        if tag in ("script", "style", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t in ("script", "style", "title"):
                self.skip -= 1
            if t == tag:
                break

    def handle_data(self, data):
        if self.skip or not HAN.search(data):
            return
        (self.marked if self.stack and self.stack[-1][1] else self.unmarked).append(data.strip())


def _chinese(html: str) -> ChineseOutsideMarkedData:
    p = ChineseOutsideMarkedData()
    p.feed(html)
    return p


ENGLISH_PAGES = ["/search?q=%E6%B6%88%E9%98%B2", "/search", f"/records/{quote(WINTER)}",
                 f"/records/{quote(REPORT)}", f"/records/{quote(STANDARDS)}", f"/records/{quote(WINTER)}?version=1",
                 "/search?q=%E6%B6%88%E9%98%B2&kind=program&kind=report&sort=oldest", "/compile"]


@pytest.mark.parametrize("url", ENGLISH_PAGES)
def test_english_pages_show_english_wherever_the_data_has_it(client, english_forms, url):
    r = client.get(url + ("&" if "?" in url else "?") + "ui=en")
    assert r.status_code == 200
    found = _chinese(r.get_data(as_text=True))
    # the interface never speaks Chinese unmarked (the language switch is marked lang="zh-CN")
    assert not found.unmarked, found.unmarked[:5]
    # a Chinese data text is shown only when the data gives it no English form (or beside its
    # English form, as the Chinese title under the English one)
    shown_english = set(english_forms.values())
    untranslated = [t for t in found.marked if t in english_forms and english_forms[t] not in shown_english]
    assert not [t for t in found.marked if t in english_forms and t not in _besides(r.get_data(as_text=True))], \
        untranslated


def _besides(html: str) -> set[str]:
    """Chinese texts shown as the subtitle beside their English form (the record's title)."""
    return set(re.findall(r'<p class="subtitle" lang="zh-CN">([^<]+)</p>', html))


def test_the_record_page_names_issuer_units_and_number_in_english(client):
    html = client.get(f"/records/{quote(WINTER)}?ui=en").get_data(as_text=True)
    assert "Qingsong Community Residents&#39; Committee (QSSQ)" in html
    assert "Donghu Fire and Rescue Station" in html and "Qing She Fa [2023] No. 12" in html
    assert "青社发" not in html and "东湖消防救援站" not in html
    # the same page in Chinese keeps the Chinese names
    html = client.get(f"/records/{quote(WINTER)}?ui=zh").get_data(as_text=True)
    assert "青社发〔2023〕12号" in html and "东湖消防救援站" in html and "Donghu" not in html


def test_the_english_facets_and_hits_use_the_english_names(client):
    html = client.get("/search?q=%E6%B6%88%E9%98%B2&ui=en").get_data(as_text=True)
    unit_facet = re.search(r'data-facet="unit">(.*?)</section>', html, re.S).group(1)
    assert "Donghu Police Station" in unit_facet and "东湖派出所" not in unit_facet
    hit = re.search(r'<li class="hit">.*?</li>', html, re.S).group(0)
    assert "Qingsong Community Residents&#39; Committee" in hit


def test_the_site_and_the_english_volume_carry_the_archives_english_name(client, archive_copy):
    html = client.get("/search?ui=en").get_data(as_text=True)
    assert "<title>Search · Qingsong Community Residents&#39; Committee Archive Reader</title>" in html
    from workplan.archive import open_archive
    from workplan.compile.volume import plan_volume
    plan = plan_volume(open_archive(archive_copy), year=2024, lang="en")
    assert plan.compiler == "Qingsong Community Residents' Committee"
    assert plan.title == "Qingsong Community Residents' Committee: Compilation of Documents, 2024"


def test_volume_warnings_speak_both_languages():
    from workplan.i18n import Said, said
    w = Said("compile.warn.no_rendition", code=WINTER, title="青松社区", what="PDF")
    assert w == f"{WINTER} (青松社区) has no PDF rendition; it is listed but its pages are not included"
    assert said(w, "zh") == f"{WINTER}（青松社区）没有PDF文本：列入目录，但不收入正文页"
    assert said("plain", "zh") == "plain"


# --- program ↔ report ----------------------------------------------------------------------------
def test_a_report_links_to_its_program_and_the_program_to_its_reports(client):
    html = client.get(f"/records/{quote(REPORT)}?ui=en").get_data(as_text=True)
    link = re.search(r'id="program-link"><a href="([^"]+)">([^<]+)</a>', html)
    assert unquote(link[1]) == f"/records/{WINTER}"
    assert link[2] == "Qingsong Community Work Program for Winter Fire Safety 2023"
    html = client.get(f"/records/{quote(WINTER)}?ui=zh").get_data(as_text=True)
    reports = re.search(r'id="report-links">(.*?)</dd>', html, re.S).group(1)
    assert [unquote(u) for u in re.findall(r'href="([^"]+)"', reports)] == [f"/records/{REPORT}"]
    assert "青松社区2023—2024年度冬季防火工作总结" in reports
    # the standards are a program too, without reports: no list; a report lists no reports
    assert 'id="report-links"' not in client.get(f"/records/{quote(STANDARDS)}").get_data(as_text=True)
    assert 'id="report-links"' not in client.get(f"/records/{quote(REPORT)}").get_data(as_text=True)


def test_the_links_have_json_twins(client, web_archive):
    got = client.get("/search.json", query_string={"program": WINTER}).get_json()
    assert [h["code"] for h in got["results"]] == [REPORT]
    assert got["results"][0]["program"] == WINTER
    # the query language says the same, as the CLI does
    want = cli_json("search", f"program:{WINTER}", "--json", "--archive", str(web_archive))
    assert [h["code"] for h in want["results"]] == [REPORT]
    assert client.get("/search.json", query_string={"program": "not-a-code"}).status_code == 400


# --- sorting -------------------------------------------------------------------------------------
def _codes(client, **params) -> list[str]:
    return [h["code"] for h in client.get("/search.json", query_string=params).get_json()["results"]]


def test_results_sort_by_date_either_way_or_by_relevance(client):
    assert _codes(client, q="消防", sort="newest") == [STANDARDS, REPORT, WINTER]
    assert _codes(client, q="消防", sort="oldest") == [WINTER, REPORT, STANDARDS]
    assert _codes(client, sort="oldest") == [WINTER, REPORT, STANDARDS]
    assert _codes(client) == [STANDARDS, REPORT, WINTER]          # no words: newest first
    by_score = client.get("/search.json", query_string={"q": "冬季防火", "sort": "relevance"}).get_json()["results"]
    assert [h["score"] for h in by_score] == sorted((h["score"] for h in by_score), reverse=True)
    assert client.get("/search.json", query_string={"sort": "size"}).status_code == 400


def test_the_search_page_offers_the_orders_and_keeps_the_chosen_one(client):
    html = client.get("/search?q=消防&sort=oldest&ui=en").get_data(as_text=True)
    codes = re.findall(r'<span class="code">([^<]+)</span>', html)
    assert codes == [WINTER, REPORT, STANDARDS]
    assert re.search(r'id="sort-oldest" aria-current="true">Oldest first<', html)
    newest = re.search(r'href="([^"]+)" id="sort-newest"', html)[1].replace("&amp;", "&")
    assert dict(parse_qsl(urlsplit(newest).query)) == {"q": "消防", "sort": "newest"}
    assert '<input type="hidden" name="sort" value="oldest">' in html  # a new query keeps the order
    # the export lists the results in the order shown
    csv = client.get("/search/export?q=消防&sort=oldest&format=csv").get_data(as_text=True)
    assert [c for c in (WINTER, REPORT, STANDARDS)] == sorted((WINTER, REPORT, STANDARDS), key=csv.index)


# --- several values of one filter ----------------------------------------------------------------
def test_a_filter_takes_several_values_at_once(client):
    assert sorted(_codes(client, q="消防", kind=["program", "report"])) == sorted([WINTER, REPORT])
    assert sorted(_codes(client, year=["2023", "2024"])) == sorted([WINTER, REPORT, STANDARDS])
    assert _codes(client, year=["2023"], kind=["program", "standards"]) == [WINTER]
    assert client.get("/search.json", query_string={"year": ["2023"] * 21}).status_code == 400


def test_facet_links_add_and_remove_one_value(client):
    html = client.get("/search?q=消防&kind=program").get_data(as_text=True)
    kinds = re.search(r'data-facet="kind">(.*?)</section>', html, re.S).group(1)
    # the other kinds are still offered, counted as if they were chosen too
    links = {unquote(re.sub(r"<[^>]+>", "", text)).strip(): href.replace("&amp;", "&")
             for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', kinds, re.S)}
    assert set(links) == {"工作方案", "创建标准", "工作总结"}
    added = parse_qsl(urlsplit(links["工作总结"]).query)
    assert added == [("q", "消防"), ("kind", "program"), ("kind", "report")]
    removed = parse_qsl(urlsplit(links["工作方案"]).query)
    assert removed == [("q", "消防")]
    html = client.get(links["工作总结"]).get_data(as_text=True)
    assert "共 2 件" in html and html.count('aria-current="true"') >= 2


def test_facets_json_counts_each_field_without_its_own_filter(client):
    got = client.get("/search.json", query_string={"q": "消防", "kind": "program", "_facets": "1"}).get_json()
    assert dict(map(tuple, got["facets"]["kind"])) == {"program": 1, "standards": 1, "report": 1}
    assert dict(map(tuple, got["facets"]["year"])) == {2023: 1}


# --- messages the core says, in the reader's language ---------------------------------------------
def test_search_warnings_speak_the_readers_language(client):
    html = client.get("/search", query_string={"q": "消防", "unit": "没有这个单位", "ui": "zh"}).get_data(as_text=True)
    assert "索引中没有与 &#39;没有这个单位&#39; 相符的单位" in html and "no unit" not in html
    html = client.get("/search", query_string={"q": "消防", "unit": "没有这个单位", "ui": "en"}).get_data(as_text=True)
    assert "no unit in the index matches" in html
    # the CLI and the JSON twin keep the English
    got = client.get("/search.json", query_string={"q": "消防", "unit": "没有这个单位"}).get_json()
    assert got["warnings"] == ["no unit in the index matches '没有这个单位'"]


def test_a_refused_volume_is_explained_in_the_readers_language(app):
    import pickle
    import time
    c = app.test_client()
    job = c.post("/compile.json", json={"year": 2019}).get_json()["id"]
    deadline = time.monotonic() + 30
    while c.get(f"/compile/jobs/{job}.json").get_json()["state"] not in ("failed", "done"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    d = c.get(f"/compile/jobs/{job}.json").get_json()
    assert d["state"] == "failed" and d["problems"][0]["message"].startswith("no archived records match year=2019")
    html = c.get(f"/compile/jobs/{job}?ui=zh").get_data(as_text=True)
    assert "没有符合条件（year=2019）的归档文件" in html and "请核对年度、单位和类别" in html
    assert "no archived records" not in html
    # a message said in two languages survives pickling (a refusal from a child process)
    from workplan.i18n import Said
    w = pickle.loads(pickle.dumps(Said("compile.refuse.fixity", code="X", title="T", problem="P")))
    assert isinstance(w, Said) and w.say("zh") == "X（T）未通过完整性检查：P"


def test_a_year_range_form_narrows_the_results(client):
    assert _codes(client, from_year="2024") == [STANDARDS, REPORT]
    assert _codes(client, to_year="2023", q="消防") == [WINTER]
    assert _codes(client, from_year="2023", to_year="2023") == [WINTER]
    assert client.get("/search.json", query_string={"from_year": "20x4"}).status_code == 400
    html = client.get("/search", query_string={"q": "消防", "kind": "program", "from_year": "2024", "ui": "zh"}
                      ).get_data(as_text=True)
    form = re.search(r'<form class="facet years".*?</form>', html, re.S).group(0)
    # the form keeps the query and the other filters, and shows the range it applied
    assert '<input type="hidden" name="q" value="消防">' in form and 'name="kind" value="program"' in form
    assert 'id="from_year" name="from_year"' in form and 'value="2024"' in form
    assert "共 0 件" in html or "没有符合条件的文件" in html  # the program is from 2023


def test_an_english_query_says_what_it_cannot_find(archive_copy, tmp_path):
    from workplan.archive import open_archive
    from workplan.ingest import add_files
    from workplan.search import keep_index_current
    note = tmp_path / "notice.txt"
    note.write_text("关于做好冬季消防安全工作的通知\n各网格：请做好消防安全检查。\n", encoding="utf-8")
    arc = open_archive(archive_copy)
    keep_index_current(arc)
    add_files(arc, [note], title="关于做好冬季消防安全工作的通知", issuer="青松社区居委会", date="2023-12-01",
              kind="legacy", issuer_abbr="QSSQ", langs=["zh"])
    arc.close()
    c = create_app(archive_copy).test_client()
    html = c.get("/search", query_string={"q": "fire safety", "ui": "en"}).get_data(as_text=True)
    assert re.search(r'id="chinese-only">1 document\(s\) have no English text', html)
    html = c.get("/search", query_string={"q": "消防安全", "ui": "en"}).get_data(as_text=True)
    assert 'id="chinese-only"' not in html  # Chinese words find it


def test_the_link_survives_a_reindex_after_the_program_got_a_version_from_another_file(archive_copy):
    from .conftest import cli
    # the shared archive's program has a second version archived from winter-v2.yaml; the report
    # names winter-fire-safety.yaml: read from its bag, it is the version of that name
    cli("search", "reindex", "--archive", str(archive_copy))
    c = create_app(archive_copy).test_client()
    assert _codes(c, program=WINTER) == [REPORT]
    html = c.get(f"/records/{quote(REPORT)}?ui=zh").get_data(as_text=True)
    assert unquote(re.search(r'id="program-link"><a href="([^"]+)"', html)[1]) == f"/records/{WINTER}"
