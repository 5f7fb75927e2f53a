"""The layout-neutral IR: numbering, glossary, dates, translations, annexes, zh-en interleaving."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import CORPUS, corpus_files
from workplan.errors import MissingTranslation
from workplan.i18n import format_date, heading_number, typographic_quotes
from workplan.model import Document, load_document, load_source
from workplan.render.ir import AttachmentStart, Heading, Paragraph, Signature, Table, Title
from workplan.render.resolve import build_ir


def doc_from(tmp_path, text: str, name: str = "doc.yaml") -> Document:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_document(p)


NESTED = """\
kind: program
title: {zh: 测试工作方案, en: Test Work Program}
units:
  - {id: office, zh: 测试办公室, en: Test Office}
issuers: [office]
date: 2023-03-05
sections:
  - type: ideology
    paragraphs: [{zh: 坚持预防为主。, en: Prevention comes first.}]
  - type: requirements
    items:
      - title: {zh: 甲, en: Alpha}
        items:
          - title: {zh: 乙, en: Beta}
            items:
              - {title: {zh: 丙, en: Gamma}}
              - {title: {zh: 丁, en: Delta}}
      - title: {zh: 戊, en: Epsilon}
"""


def headings(rdoc) -> list[tuple[int, str, str]]:
    return [(b.level, b.number, b.text) for b in rdoc.blocks if isinstance(b, Heading)]


# --- numbering ----------------------------------------------------------------------------------
def test_english_numbering_levels(tmp_path):
    doc = doc_from(tmp_path, NESTED)
    assert headings(build_ir(doc, "en")) == [
        (1, "I. ", "Guiding Ideology"), (1, "II. ", "Work Requirements"),
        (2, "(I) ", "Alpha"), (3, "1. ", "Beta"), (4, "(1) ", "Gamma"), (4, "(2) ", "Delta"), (2, "(II) ", "Epsilon")]
    assert headings(build_ir(doc, "zh")) == [
        (1, "一、", "指导思想"), (1, "二、", "工作要求"),
        (2, "（一）", "甲"), (3, "1.", "乙"), (4, "（1）", "丙"), (4, "（2）", "丁"), (2, "（二）", "戊")]


@pytest.mark.parametrize("level,n,en,zh", [
    (1, 4, "IV. ", "四、"), (1, 9, "IX. ", "九、"), (1, 12, "XII. ", "十二、"), (2, 14, "(XIV) ", "（十四）"),
    (2, 20, "(XX) ", "（二十）"), (3, 11, "11. ", "11."), (4, 3, "(3) ", "（3）")])
def test_heading_number(level, n, en, zh):
    assert heading_number(level, n, "en") == en
    assert heading_number(level, n, "zh") == zh


def test_twelve_tasks_are_numbered_to_xii():
    doc = load_document(CORPUS / "safe-community-creation.yaml")
    en = build_ir(doc, "en")
    tasks_h1 = [b for b in en.blocks if isinstance(b, Heading) and b.level == 1 and b.text == "Main Tasks"][0]
    i = en.blocks.index(tasks_h1)
    level2 = [b.number for b in en.blocks[i + 1:] if isinstance(b, Heading) and b.level == 2]
    assert level2[:12] == [f"({r}) " for r in "I II III IV V VI VII VIII IX X XI XII".split()]


# --- glossary -------------------------------------------------------------------------------------
def test_section_titles_come_from_the_glossary(winter_file):
    doc = load_document(winter_file)
    en = [h[2] for h in headings(build_ir(doc, "en")) if h[0] == 1]
    zh = [h[2] for h in headings(build_ir(doc, "zh")) if h[0] == 1]
    assert en == ["Guiding Ideology", "Objectives", "Organization and Leadership", "Main Tasks",
                  "Implementation Steps", "Work Requirements", "Inspection and Assessment"]
    assert zh == ["指导思想", "工作目标", "组织领导", "工作任务", "实施步骤", "工作要求", "检查考核"]


def test_more_glossary_titles_and_override():
    doc = load_document(CORPUS / "safe-community-creation.yaml")
    en = [h[2] for h in headings(build_ir(doc, "en")) if h[0] == 1]
    assert en == ["Guiding Ideology", "Basic Principles", "Objectives", "Organization and Leadership", "Main Tasks",
                  "Implementation Steps", "Safeguard Measures", "Inspection and Assessment", "Rewards"]
    doc = load_document(CORPUS / "home-safety-promotion.yaml")
    en = [h[2] for h in headings(build_ir(doc, "en")) if h[0] == 1]
    assert "Sub-projects and Tasks" in en                       # the section's own title wins
    assert "Evaluation and Continuous Improvement" in en
    assert "Main Tasks" not in en


# --- dates ----------------------------------------------------------------------------------------
def test_dates_have_no_zero_padding(tmp_path):
    assert format_date(dt.date(2023, 3, 5), "en") == "March 5, 2023"
    assert format_date(dt.date(2023, 3, 5), "zh") == "2023年3月5日"
    assert format_date(dt.date(2024, 12, 31), "zh") == "2024年12月31日"
    doc = doc_from(tmp_path, NESTED)
    (sig_en,) = [b for b in build_ir(doc, "en").blocks if isinstance(b, Signature)]
    (sig_zh,) = [b for b in build_ir(doc, "zh").blocks if isinstance(b, Signature)]
    assert sig_en.date == "March 5, 2023" and sig_en.names == ["Test Office"]
    assert sig_zh.date == "2023年3月5日" and sig_zh.names == ["测试办公室"]


def test_phase_and_deadline_dates(winter_file):
    doc = load_document(winter_file)
    zh, en = build_ir(doc, "zh").plain_text(), build_ir(doc, "en").plain_text()
    assert "（二）排查整治阶段（2023年11月16日—2024年2月29日）" in zh
    assert "(II) Inspection and Rectification (November 16, 2023 – February 29, 2024)" in en
    assert "完成时限：2023年12月15日前" in zh and "Deadline: by December 15, 2023" in en
    assert "2023年11月06日" not in zh and "November 06" not in en


# --- missing translations ----------------------------------------------------------------------------
PARTIAL = NESTED.replace("title: {zh: 乙, en: Beta}", "title: 乙") \
                .replace("paragraphs: [{zh: 坚持预防为主。, en: Prevention comes first.}]", "paragraphs: [坚持预防为主。]") \
                .replace("{id: office, zh: 测试办公室, en: Test Office}", "{id: office, zh: 测试办公室, en: Test Office}\n"
                         "recipients: [{zh: 各网格}]")


def test_missing_translation_lists_every_field(tmp_path):
    doc = doc_from(tmp_path, PARTIAL, "partial.yaml")
    build_ir(doc, "zh")                                         # Chinese is complete
    for lang in ("en", "zh-en"):
        with pytest.raises(MissingTranslation) as e:
            build_ir(doc, lang, file="partial.yaml")
        probs = e.value.problems
        assert sorted(p.path for p in probs) == ["recipients[0]", "sections[0].paragraphs[0]",
                                                 "sections[1].items[0].items[0].title"]
        assert all(p.file == "partial.yaml" and "no en text" in p.message for p in probs)
        assert "sections[1].items[0].items[0].title" in e.value.format()


def test_allow_missing_falls_back_with_one_warning_per_field(tmp_path):
    doc = doc_from(tmp_path, PARTIAL, "partial.yaml")
    rdoc = build_ir(doc, "en", allow_missing=True, file="partial.yaml")
    assert sorted(w.path for w in rdoc.warnings) == ["recipients[0]", "sections[0].paragraphs[0]",
                                                     "sections[1].items[0].items[0].title"]
    text = rdoc.plain_text()
    assert "坚持预防为主。" in text and "各网格" in text          # the Chinese stands in
    assert (3, "1. ", "乙") in headings(rdoc)
    assert build_ir(doc, "zh", allow_missing=True).warnings == []


# --- the corpus ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_has_every_translation(path):
    doc = load_document(path)
    rdoc = build_ir(doc, "zh-en", file=str(path))               # builds zh and en; raises on any gap
    assert rdoc.warnings == []
    assert rdoc.plain_text()


def _programs_with_tasks():
    out = []
    for p in corpus_files():
        d = load_document(p)
        if isinstance(d, Document) and d.all_tasks():
            out.append(pytest.param(p, id=p.name))
    return out


@pytest.mark.parametrize("path", _programs_with_tasks())
def test_task_matrix_rows_are_the_tasks_with_units(path):
    doc = load_document(path)
    tasks = [t for t in doc.all_tasks() if t.lead or t.cooperating or t.responsible]
    assert tasks == doc.all_tasks()            # the corpus gives every task its units
    for lang in ("zh", "en"):
        rdoc = build_ir(doc, lang)
        (matrix,) = [b for b in rdoc.blocks if isinstance(b, Table) and b.kind == "task_matrix"]
        assert len(matrix.rows) == len(tasks)
        for row, t in zip(matrix.rows, tasks):
            title = t.title if t.title is not None else t.text
            typeset = typographic_quotes if lang == "en" else str   # English gets ’ “ ” (see test_content.py)
            assert row[1] == typeset(getattr(title, lang) if not isinstance(title, str) else title)
            assert row[2] == typeset((", " if lang == "en" else "、").join(doc.unit_name(u, lang) for u in t.lead))
        # numbering of sub-tasks follows their parent: 2, 2.1, 2.2, 3 ...
        assert [r[0] for r in matrix.rows][0] == "1"
        assert all(r[0].replace(".", "").isdigit() for r in matrix.rows)


def test_sub_tasks_numbered_under_their_parent_in_matrix():
    doc = load_document(CORPUS / "safe-community-creation.yaml")
    (matrix,) = [b for b in build_ir(doc, "zh").blocks if isinstance(b, Table) and b.kind == "task_matrix"]
    nos = [r[0] for r in matrix.rows]
    assert nos[:5] == ["1", "2", "2.1", "2.2", "3"]
    assert len(nos) == 20


# --- zh-en -----------------------------------------------------------------------------------------
def test_zh_en_interleaves_block_by_block(winter_file):
    doc = load_document(winter_file)
    zh, en, both = build_ir(doc, "zh"), build_ir(doc, "en"), build_ir(doc, "zh-en")
    paired = [(a, b) for a, b in zip(zh.blocks, en.blocks) if isinstance(a, (Title, Heading, Paragraph))]
    texts = [(b.text if not isinstance(b, Heading) else b.label, b.lang) for b in both.blocks
             if isinstance(b, (Title, Heading, Paragraph))]
    expected = []
    for a, b in paired:
        expected += [((a.label if isinstance(a, Heading) else a.text), "zh"),
                     ((b.label if isinstance(b, Heading) else b.text), "en")]
    assert texts == expected
    # tables carry both languages in each cell; annex labels are joined
    (matrix,) = [b for b in both.blocks if isinstance(b, Table) and b.kind == "task_matrix"]
    assert matrix.header[1] == "工作任务\nTask"
    assert matrix.rows[0][1] == "开展火灾隐患排查\nInspect for fire hazards"
    starts = [b for b in both.blocks if isinstance(b, AttachmentStart)]
    assert starts[0].label == "附件1 Annex 1"
    (sig,) = [b for b in both.blocks if isinstance(b, Signature)]
    assert sig.date == "2023年11月6日\nNovember 6, 2023"


def test_long_chinese_titles_break_into_balanced_lines_at_word_boundaries():
    from workplan.layout import TITLE_CHARS_PER_LINE
    from workplan.render.ir import _units, balance_title
    short = "云溪区安全社区创建工作实施方案"
    assert balance_title(short, TITLE_CHARS_PER_LINE) == short
    t = balance_title("青岚县2024年“平安六创”创建标准及责任分工", TITLE_CHARS_PER_LINE)
    assert t == "青岚县2024年“平安六创”\n创建标准及责任分工"  # not "……责任分\n工"
    long = "关于进一步加强和改进全县城乡社区安全防范工作推进平安建设的实施意见和具体方案"
    lines = balance_title(long, TITLE_CHARS_PER_LINE).split("\n")
    assert "".join(lines) == long and len(lines) == 2
    assert all(_units(x) <= TITLE_CHARS_PER_LINE for x in lines)
    assert abs(_units(lines[0]) - _units(lines[1])) <= 2
    assert lines[1].startswith("工作")  # 安全防范 stays whole
    # never inside a number, never before a closing mark
    t = balance_title("关于印发2024年度全县城乡社区“平安六创”工作考核细则的通知（试行）", TITLE_CHARS_PER_LINE)
    for a, b in zip(t.split("\n"), t.split("\n")[1:]):
        assert not (a[-1].isdigit() and b[0].isdigit()) and b[0] not in "”）》，。"


# --- issue 10 item 2: translations checked in both directions -----------------------------------------
ENGLISH_SOURCE = """\
kind: program
source_lang: en
title: Test Work Program
units:
  - {id: grids, zh: 各网格, en: All grids}
  - {id: units, zh: 各单位, en: units}
issuers: [grids]
recipients: [All grids, All units]
date: 2023-03-05
sections:
  - type: objectives
    targets:
      - {indicator: Cases of fire, op: "<=", target: 10, unit: cases}
  - type: requirements
    paragraphs: [Prevention comes first., "110"]
    items:
      - {title: Alpha, text: Do this.}
"""


def test_english_source_needs_chinese_for_a_chinese_build(tmp_path):
    doc = doc_from(tmp_path, ENGLISH_SOURCE, "en.yaml")
    build_ir(doc, "en")                                          # English is complete
    with pytest.raises(MissingTranslation) as e:  # located by the positions of the one reading
        build_ir(doc, "zh", file=str(tmp_path / "en.yaml"), positions=load_source(tmp_path / "en.yaml").positions)
    probs = e.value.problems
    paths = [p.path for p in probs]
    assert "sections[1].paragraphs[0]" in paths and "title" in paths and "sections[0].targets[0].unit" in paths
    assert "sections[1].paragraphs[1]" not in paths              # "110" serves every language
    assert len(paths) == len(set(paths))                         # each field once
    p = next(p for p in probs if p.path == "sections[1].paragraphs[0]")
    assert (p.line, p.column) == (15, 18) and "no zh text" in p.message   # file:line:column like validate


def test_fallback_text_keeps_its_own_punctuation(tmp_path):
    doc = doc_from(tmp_path, ENGLISH_SOURCE, "en.yaml")
    rdoc = build_ir(doc, "zh", allow_missing=True, file="en.yaml")
    assert any("no Chinese (zh) text; using the English text" in w.message for w in rdoc.warnings)
    text = rdoc.plain_text()
    assert "All grids, All units:" in text.split("\n")[1]       # not "All grids、All units："
    assert "10cases" not in text and "Cases of fire: at most 10 cases." in text
    assert "（一）Alpha. Do this." in text


def test_english_source_needs_no_chinese_unit_names_for_english(tmp_path):
    # issue 10 item 2: no invented Chinese unit names unless a Chinese version is asked for
    text = ENGLISH_SOURCE.replace("{id: grids, zh: 各网格, en: All grids}", "{id: grids, en: All grids}")
    doc = doc_from(tmp_path, text, "en.yaml")
    assert "All grids" in build_ir(doc, "en").plain_text()
    with pytest.raises(MissingTranslation) as e:
        build_ir(doc, "zh", file="en.yaml")
    assert "units[0].zh" in [p.path for p in e.value.problems]


def test_text_only_ir_skips_measuring_tables_and_keeps_the_text(winter_file, monkeypatch):
    """draw=False (search, validation) gives the same text and blocks, with the tables at their
    design widths; only an IR for a writer measures every cell (table_widths.column_widths)."""
    doc = load_document(winter_file)
    import workplan.render.table_widths as tw
    calls = []
    real = tw.column_widths
    monkeypatch.setattr(tw, "column_widths", lambda *a, **k: calls.append(1) or real(*a, **k))
    for lang in ("zh", "en", "zh-en"):
        calls.clear()
        full = build_ir(doc, lang, draw=("svg",))
        measured = len(calls)
        calls.clear()
        text_only = build_ir(doc, lang, draw=False)
        assert calls == []
        tables = [b for b in full.blocks if isinstance(b, Table)]
        assert tables and measured == len(tables)
        assert text_only.plain_text() == full.plain_text()
        assert [type(b) for b in text_only.blocks] == [type(b) for b in full.blocks]
        plain = [b for b in text_only.blocks if isinstance(b, Table)]
        assert [(t.header, t.rows) for t in plain] == [(t.header, t.rows) for t in tables]
        # the measured widths differ from the design widths the text-only IR keeps
        assert any(a.widths_mm != b.widths_mm for a, b in zip(plain, tables))


def test_roster_and_task_table_cells_read_as_written(tmp_path):
    """The roster's unit column is "unit + post" in Chinese and "post, unit" in English, never
    naming the unit twice; a sub-task without units or deadline shows its parent's."""
    from workplan.model import load_document
    from workplan.render.ir import Table
    from workplan.render.resolve import build_ir
    src = tmp_path / "p.yaml"
    src.write_text("""kind: program
title: {zh: 测试方案, en: Test Program}
units:
  - {id: police, zh: 县公安局, en: County Public Security Bureau}
  - {id: team, zh: 社区巡逻队, en: Community Patrol Team}
issuers: [police]
date: 2024-03-01
sections:
  - type: leadership
    group_name: {zh: 工作专班, en: Task Force}
    head: {name: {zh: 王一, en: Wang Yi}, title: {zh: 县公安局副局长, en: Deputy Director}, unit: police}
    members:
      - {name: {zh: 李二, en: Li Er}, title: {zh: 队长, en: Team Leader}, unit: team}
  - type: tasks
    tasks:
      - id: a
        title: {zh: 主任务, en: Main task}
        lead: [police]
        cooperating: [team]
        deadline: 2024-06-28
        items:
          - {id: a1, title: {zh: 子任务, en: Sub-task}}
""", encoding="utf-8")
    doc = load_document(src)
    zh = {b.kind: b for b in build_ir(doc, "zh", draw=()).blocks if isinstance(b, Table)}
    en = {b.kind: b for b in build_ir(doc, "en", draw=()).blocks if isinstance(b, Table)}
    assert [r[3] for r in zh["roster"].rows] == ["县公安局副局长", "社区巡逻队队长"]
    assert [r[3] for r in en["roster"].rows][1] == "Team Leader, Community Patrol Team"
    main, sub = zh["task_matrix"].rows
    assert sub[0] == "1.1" and sub[2:] == main[2:] and sub[2] == "县公安局" and sub[4].startswith("2024年6月28日")
