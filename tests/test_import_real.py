"""The importer on the shapes of real documents: tables of contents, honest coverage, run-in
text, flat standards lists, tables, forwarding notices, marks for unsure decisions."""
from __future__ import annotations

from workplan.readers import read_file
from workplan.readers.lines import Line, strip_toc


def _lines(texts):
    return [Line(t, i + 1) for i, t in enumerate(texts)]


def test_toc_without_page_numbers_stops_where_the_body_starts():
    body = ["一、指导思想", "坚持安全第一。", "二、工作目标", "事故下降。", "三、主要任务", "抓好排查。",
            "四、工作要求", "加强领导。"]
    lines = _lines(["某镇安全生产工作方案", "目录", "一、指导思想", "二、工作目标", "三、主要任务", "四、工作要求"] + body)
    kept, toc = strip_toc(lines)
    assert [ln.text for ln in kept] == ["某镇安全生产工作方案"] + body
    assert toc[0] == "目录" and len(toc) == 5


def test_toc_with_page_numbers_keeps_short_body_paragraphs():
    body = ["一、指导思想", "坚持安全第一。", "二、工作目标", "事故下降。"]
    lines = _lines(["方案", "目  录", "一、指导思想……1", "二、工作目标……2"] + body)
    kept, toc = strip_toc(lines)
    assert [ln.text for ln in kept] == ["方案"] + body


def test_a_contents_word_followed_by_text_removes_nothing():
    lines = _lines(["方案", "目录", "本方案共五部分，内容如下。", "一、指导思想", "坚持安全第一。"])
    kept, toc = strip_toc(lines)
    assert toc == [] and len(kept) == 5


def test_coverage_counts_a_left_out_table_of_contents(tmp_path):
    f = tmp_path / "toc.txt"
    f.write_text("某镇安全生产工作方案\n目录\n一、指导思想……1\n二、工作目标……2\n一、指导思想\n坚持安全第一，预防为主。\n"
                 "二、工作目标\n全年事故起数下降。\n某镇人民政府\n2024年3月1日\n", encoding="utf-8")
    r = read_file(f)
    ch = r.report["characters"]
    assert ch["left_out"] > 0 and r.report["coverage"] < 0.99
    assert ch["kept"] >= ch["source"] - ch["left_out"] - 1
    assert any("line 2: a table of contents" in w for w in r.report["warnings"])
    assert [s["title"] for s in r.report["sections"]] == ["指导思想", "工作目标"]
