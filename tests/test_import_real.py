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


def test_marks_sit_above_their_field_and_leave_the_data_unchanged(tmp_path):
    import yaml

    from workplan.readers.yamlout import MARK, dump, yaml_paths
    f = tmp_path / "untitled.txt"
    f.write_text("为做好防汛工作，制定本方案。\n组织领导\n成立防汛领导小组，统一指挥。\n工作要求\n"
                 "各网格加强值守，及时上报险情。\n值班安排\n实行二十四小时值班，确保联络畅通。\n", encoding="utf-8")
    r = read_file(f)
    text = dump(r.data, r.report)
    assert yaml.safe_load(text) == yaml.safe_load(dump(r.data, {**r.report, "marks": []}))
    lines = text.splitlines()
    paths = yaml_paths(text)
    marked = [m["path"] for m in r.report["marks"]]
    assert "date" in marked and "sections[0].title" in marked
    for path in ("date", "sections[0].title"):
        i = paths.index(path)
        assert lines[i - 1].strip().startswith(MARK), (path, lines[i - 1])
    assert any("line 2:" in w and "section heading" in w for w in r.report["warnings"])
