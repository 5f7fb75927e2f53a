"""The importer on what the second blind batch of real documents showed: titles (a repeated page
title, a page number glued on, a lost first character, a notice without a title, forwarding
notices written differently), task and roster tables wherever they stand, regulations with
chapters and articles, and Word's symbol-font glyphs."""
from __future__ import annotations

import datetime as dt

import pytest

from workplan.readers import read_file
from workplan.readers.lines import Line, rejoin, strip_toc


def _imp(tmp_path, text, name="doc.txt"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return read_file(f)


def _units(r):
    return {u["id"]: u["zh"] for u in r.data.get("units", [])}


# --- titles --------------------------------------------------------------------------------
def test_a_page_title_repeated_above_the_documents_own_is_one_title(tmp_path):
    r = _imp(tmp_path, "XX镇2023年上半年工作总结及2023年下半年工作设想\n\nXX镇2023年上半年工作总结及2023年下半年工作设想\n"
             "    2023年，我镇在县委、县政府的正确领导下，认真贯彻上级精神，促进了经济社会的全面发展。\n"
             "    一、2023年工作情况\n    一年来，我镇全力推进招商引资。\n    （一）抓住中心，谋划发展\n    工业化发展步伐加快。\n")
    assert r.report["title"] == "XX镇2023年上半年工作总结及2023年下半年工作设想"
    assert not any(m["path"] == "title" for m in r.report["marks"])   # a title, not a guess


def test_a_page_number_copied_from_a_pdf_is_furniture_not_title(tmp_path):
    r = _imp(tmp_path, "认真贯彻执行。\n某区委办公室\n2019 年 4 月 16 日\n— — — 2 —\n某区贯彻落实《关于加强新时代\n"
             "街道工作的意见》的任务分解方案\n为贯彻落实会议精神，制定如下任务分解方案。\n一、提高基层党建工作水平\n"
             "1.完善街道党工委的领导体制机制。\n— — — 3 —\n2.以区域化党建为重点，构建四级党建体系。\n")
    assert r.report["title"] == "某区贯彻落实《关于加强新时代街道工作的意见》的任务分解方案"
    assert "— — — 2 —" in r.report["dropped"] and "— — — 3 —" in r.report["dropped"]
    assert "—" not in str(r.data["sections"])
    # the page starts in the tail of the forwarding notice: its issuer and date are the document's
    assert str(r.data["date"]) == "2019-04-16" and [_units(r)[u] for u in r.data["issuers"]] == ["某区委办公室"]
    assert r.data["note"] == "认真贯彻执行。" and not r.data["preamble"][0].startswith("认真")


def test_a_character_lost_before_the_title_does_not_hide_it(tmp_path):
    r = _imp(tmp_path, "?东山街道乡村治理试点示范工作实施方案\n为深入贯彻会议精神，制定本方案。\n一、指导思想\n坚持以人民为中心。\n"
             "二、总体目标\n到2021年形成一批经验。\n")
    assert r.report["title"] == "东山街道乡村治理试点示范工作实施方案"


def test_a_copying_sites_chunk_number_before_the_title_is_left_out_and_marked(tmp_path):
    r = _imp(tmp_path, "1、XX街道美丽街区示范创建实施方案\n一、目标任务\n创成主干道2条。\n二、进度要求\n"
             "（一）前期筹备阶段。全面排查。\n（二）全面实施阶段。强化指导。\n")
    assert r.report["title"] == "XX街道美丽街区示范创建实施方案"
    assert any(m["path"] == "title" and "page-chunk number" in m["message"] for m in r.report["marks"])
    assert [s["title"] for s in r.report["sections"]] == ["目标任务", "进度要求"]


def test_a_notice_without_a_title_line_gets_none_not_its_signature(tmp_path):
    r = _imp(tmp_path, "各镇人民政府，区政府各部门：\n为全面完成《政府工作报告》确定的各项任务，现将《任务分解表》印发给你们，"
             "请各牵头单位严格按照任务分工抓好落实。\n附件：《政府工作报告》任务分解表\n盘锦市大洼区人民政府办公室\n"
             "2021年1月25日\n（此件公开发布）\n")
    assert r.report["title"] in ("（无标题）", None)
    assert any(m["path"] == "title" for m in r.report["marks"])
    assert str(r.data["date"]) == "2021-01-25"


def test_a_forwarding_notice_naming_its_report_a_little_differently(tmp_path):
    r = _imp(tmp_path, "国务院办公厅转发国家地震局\n关于我国地震重点监视防御区的确定和\n加强防震减灾工作意见报告的通知\n"
             "国办发〔1996〕2号\n各省、自治区、直辖市人民政府：\n国家地震局的报告已经国务院同意，现转发给你们，请认真贯彻执行。\n"
             "国务院办公厅\n一九九六年二月五日\n关于我国地震重点监视防御区的确定\n和加强防震减灾工作意见的报告\n国务院：\n"
             "近年来地震活动进入活跃期。\n一、关于我国地震重点监视防御区的确定\n确定了重点监视防御区。\n"
             "二、关于进一步加强防震减灾工作的意见\n加强监测预报。\n")
    assert r.report["title"] == "关于我国地震重点监视防御区的确定和加强防震减灾工作意见的报告"
    assert str(r.data["date"]) == "1996-02-05" and "转发国家地震局" in r.data["note"]
    assert [s["title"] for s in r.report["sections"]][:2] == ["关于我国地震重点监视防御区的确定", "关于进一步加强防震减灾工作的意见"]


def test_a_forwarding_notice_in_traditional_characters_with_pinyin_glosses(tmp_path):
    r = _imp(tmp_path, "絳縣人民政府辦公室 關于印發(fā)絳縣促進專業(yè)鎮(zhèn)高質量發(fā)展 實施方案的通知\n"
             "各鄉(xiāng)(鎮(zhèn))人民政府,縣直各有關單位:\n《絳縣促進專業鎮高質量發展實施方案》已經縣人民政府同意,現印發給你們。\n"
             "絳縣人民政府辦公室\n2023年9月1日\n(此件公開發布)\n絳縣促進專業(yè)鎮(zhèn)高質量發(fā)展實施方案\n"
             "為促進全縣專業鎮高質量發展,制定本實施方案。\n一、指導思想\n以新時代思想為指導。\n二、工作目標\n培育一批專業鎮。\n")
    assert r.report["title"] == "絳縣促進專業(yè)鎮(zhèn)高質量發(fā)展實施方案"
    assert str(r.data["date"]) == "2023-09-01"
    assert [_units(r)[u] for u in r.data["issuers"]] == ["絳縣人民政府辦公室"]


def test_the_next_heading_glued_to_a_paragraphs_end_is_split_off(tmp_path):
    r = _imp(tmp_path, "某县精品街道创建实施方案\n一、总体要求\n全力开展精品街道创建工作。\n二、创建任务\n"
             "完成两条精品街道的创建。我县创建精品街道为城东街。 三、工作步骤\n（一）前期准备阶段。制定方案。\n"
             "（二）工作实施阶段。落实责任。三、四月份完成一半。\n")
    assert [(s["title"], s["items"]) for s in r.report["sections"]] == [("总体要求", 0), ("创建任务", 0), ("工作步骤", 2)]
    assert "三、四月份完成一半" in str(r.data)   # a list of months is no heading


def test_a_tocs_last_entry_on_a_page_keeps_the_next_pages_first_line_apart():
    lines = [Line("（三）严格监管执法" + "." * 40 + "18", 1, page=2), Line("（四）强化宣传引导" + "." * 40 + "18", 2, page=2),
             Line("国务院办公厅关于印发“无废城市”建设", 3, page=3), Line("试点工作方案的通知", 4, page=3)]
    assert [ln.text[:5] for ln in rejoin(lines)] == ["（三）严格", "（四）强化", "国务院办公", "试点工作方"]


def test_a_toc_entry_wrapped_before_its_leader_is_one_entry():
    toc = ["目  录", "一、总体要求" + "." * 30 + "4", "（一）实施工业绿色生产，推动大宗工业固体废物贮存处置", "总量趋零增长" + "." * 30,
           "（二）推行农业绿色生产" + "." * 20 + "10", "二、主要任务" + "." * 30 + "7"]
    body = ["一、总体要求", "（一）实施工业绿色生产，推动大宗工业固体废物贮存处置总量趋零增长。推进试点。",
            "（二）推行农业绿色生产。促进废弃物利用。", "二、主要任务", "强化顶层设计。"]
    kept, left = strip_toc([Line(t, i + 1) for i, t in enumerate(["某方案"] + toc + body)])
    assert [ln.text for ln in kept] == ["某方案"] + body and left == toc


# --- task and roster tables ----------------------------------------------------------------
def _docx(path, blocks):
    import docx
    d = docx.Document()
    for b in blocks:
        if isinstance(b, list):
            t = d.add_table(rows=len(b), cols=len(b[0]))
            for i, row in enumerate(b):
                for j, v in enumerate(row):
                    t.cell(i, j).text = v
        else:
            d.add_paragraph(b)
    d.save(path)
    return path


def test_a_task_table_under_any_heading_becomes_tasks_with_units_and_deadlines(tmp_path):
    f = _docx(tmp_path / "t.docx", [
        "某街道2024年老旧小区改造实施方案", "为改善居住条件，制定本方案。", "一、改造安排", "今年改造小区五个，分工如下。",
        [["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
         ["1", "完成小区摸底调查", "街道城建办", "各社区居委会", "2024年3月31日"],
         ["2", "雨污分流管网改造", "区住建局", "街道城建办、区水务局", "2024年9月底"],
         ["3", "建立长效管理机制", "街道党工委", "各社区", "长期坚持"]],
        "二、工作要求", "各单位要按时完成。", "某街道办事处", "2024年1月5日"])
    r = read_file(f)
    sec = r.data["sections"][0]
    names = _units(r)
    assert sec["type"] == "tasks" and sec["title"] == "改造安排"
    got = [(t["title"], [names[u] for u in t["lead"]], [names[u] for u in t.get("responsible", [])], t.get("deadline"))
           for t in sec["tasks"]]
    assert got == [("完成小区摸底调查", ["街道城建办"], ["各社区居委会"], dt.date(2024, 3, 31)),
                   ("雨污分流管网改造", ["区住建局"], ["街道城建办", "区水务局"], dt.date(2024, 9, 30)),
                   ("建立长效管理机制", ["街道党工委"], ["各社区"], "长期坚持")]
    assert r.report["coverage"] >= 0.99


def test_items_followed_by_lead_and_assisting_unit_lines_are_tasks(tmp_path):
    r = _imp(tmp_path, "某区任务分解方案\n为贯彻落实会议精神，制定本方案。\n一、加强基层党建\n1.完善街道党工委领导体制机制。\n"
             "牵头单位:区委组织部\n协办单位:区委编办、区民政局\n2.构建四级联动的党建工作体系。\n牵头单位:区委组织部\n"
             "协办单位:各街道党工委\n二、保障措施\n加强督查。\n")
    sec = r.data["sections"][0]
    names = _units(r)
    assert sec["type"] == "tasks"
    assert [([names[u] for u in t["lead"]], [names[u] for u in t["cooperating"]]) for t in sec["tasks"]] == [
        (["区委组织部"], ["区委编办", "区民政局"]), (["区委组织部"], ["各街道党工委"])]
    assert "牵头单位" not in str(sec)


ROSTER = ("组　长：韩　正　　国务院副总理\n副组长：丁学东　　国务院副秘书长\n　　　　李干杰　　生态环境部部长\n"
          "成　员：郭卫民　　中央宣传部副部长\n　　　　张　勇　　发展改革委副主任\n")


def test_roster_lines_in_a_notice_without_sections_are_the_leading_group(tmp_path):
    r = _imp(tmp_path, "国务院办公厅关于调整普查领导小组组成人员的通知\n各省、自治区、直辖市人民政府：\n"
             "国务院决定对国务院第二次全国污染源普查领导小组组成人员进行调整。现将调整后的名单通知如下：\n" + ROSTER
             + "领导小组办公室设在生态环境部。\n国务院办公厅\n2018年11月5日\n")
    (sec,) = r.data["sections"]
    assert r.report["structured"] and any("read as leadership" in w for w in r.report["warnings"])
    assert sec["type"] == "leadership" and sec["group_name"] == "国务院第二次全国污染源普查领导小组"
    assert sec["head"] == {"name": "韩正", "title": "国务院副总理"}
    assert [p["name"] for p in sec["deputies"]] == ["丁学东", "李干杰"]
    assert sec["members"] == [{"name": "郭卫民", "title": "中央宣传部副部长"}, {"name": "张勇", "title": "发展改革委副主任"}]
    assert "韩" not in " ".join(sec.get("paragraphs", []))


def test_a_roster_table_is_the_leading_group(tmp_path):
    f = _docx(tmp_path / "r.docx", [
        "某镇防汛工作方案", "一、工作目标", "确保安全度汛。", "二、组织领导", "成立镇防汛工作领导小组：",
        [["组　长", "张建国", "镇长"], ["副组长", "李明", "副镇长"], ["", "王芳", "武装部长"],
         ["成　员", "赵强", "派出所所长"], ["", "孙丽", "卫生院院长"]],
        "领导小组办公室设在镇应急办。", "三、工作要求", "各村落实责任。"])
    r = read_file(f)
    sec = r.data["sections"][1]
    assert sec["type"] == "leadership" and sec["group_name"] == "镇防汛工作领导小组"
    assert sec["head"] == {"name": "张建国", "title": "镇长"}
    assert [(p["name"], p["title"]) for p in sec["deputies"]] == [("李明", "副镇长"), ("王芳", "武装部长")]
    assert [p["name"] for p in sec["members"]] == ["赵强", "孙丽"]


def test_name_and_post_rows_under_a_heading_naming_the_role_are_members(tmp_path):
    f = _docx(tmp_path / "m.docx", [
        "关于调整某县教材委员会组成人员的通知", "现将调整后的名单通知如下：", "（一）部门委员",
        [["梁言顺", "县委宣传部副部长"], ["王作安", "县统战部副部长、宗教局局长"]],
        "（二）专家委员（按姓氏笔划为序）", [["马　敏", "教授、县师范学校原党委书记"], ["马志明", "研究员"]],
        "委员会办公室设在县教育局。", "某县人民政府办公厅", "2024年5月6日"])
    r = read_file(f)
    assert [(s["type"], [(p["name"], p["title"]) for p in s["members"]]) for s in r.data["sections"]] == [
        ("leadership", [("梁言顺", "县委宣传部副部长"), ("王作安", "县统战部副部长、宗教局局长")]),
        ("leadership", [("马敏", "教授、县师范学校原党委书记"), ("马志明", "研究员")])]


def test_a_blank_roster_template_stays_text(tmp_path):
    r = _imp(tmp_path, "某方案\n一、工作步骤\n成立整治工作领导小组：\n组长:\n副组长:\n成员:\n领导小组下设办公室。\n二、工作要求\n抓好落实。\n")
    sec = r.data["sections"][0]
    assert "head" not in sec and "组长:" in str(sec)


# --- regulations: chapters and articles ----------------------------------------------------
REGULATION = ("县政工作细则\n第一章总则\n第一条为促进县政府工作规范化，制定本细则。\n第二条县政府工作坚持依法行政。\n"
              "第二章组成人员及其职责\n第三条县政府由县长、副县长组成。\n第四条县政府实行县长负责制。县长领导县政府工作。\n"
              "（一）副县长协助县长工作；\n（二）常务副县长主持日常工作。\n某县人民政府\n2024年3月1日\n")


def test_chapters_and_articles_are_kept_as_such(tmp_path):
    r = _imp(tmp_path, REGULATION)
    assert r.data["numbering"] == "articles"
    assert [(s["type"], s["title"], len(s["items"])) for s in r.data["sections"]] == [
        ("free", "总则", 2), ("free", "组成人员及其职责", 2)]
    assert len(r.data["sections"][1]["items"][1]["items"]) == 2


@pytest.mark.slow
def test_articles_are_built_as_articles_numbered_through_the_chapters(tmp_path):
    from pypdf import PdfReader

    from workplan.readers.yamlout import dump
    from workplan.render import build_file
    r = _imp(tmp_path, REGULATION)
    (tmp_path / "reg.yaml").write_text(dump(r.data, r.report), encoding="utf-8")
    res = build_file(tmp_path / "reg.yaml", tmp_path / "out", formats=["pdf"])
    (pdf,) = [p for p in res.outputs if str(p).endswith(".pdf")]
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace(" ", "").replace("\u3000", "")
    for label in ("第一章", "第二章", "第一条", "第三条", "第四条", "（一）副县长"):
        assert label in text, label
    assert "（一）为促进" not in text   # articles are not renumbered as （一）（二）


# --- Word symbol fonts ---------------------------------------------------------------------
def test_word_symbol_glyphs_are_mapped_or_reported_never_dropped(tmp_path):
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    d = docx.Document()
    for t in ("某社区消防检查方案", "一、检查内容"):
        d.add_paragraph(t)

    def sym(run, code):
        s = OxmlElement("w:sym")
        s.set(qn("w:font"), "Wingdings")
        s.set(qn("w:char"), code)
        run._r.append(s)
    for code, text in (("F0FE", "消防通道畅通。"), ("F0A8", "灭火器有效。"), ("F021", "其他。")):
        p = d.add_paragraph()
        sym(p.add_run(), code)
        p.add_run(" " + text)
    d.add_paragraph("二、工作要求")
    t = d.add_table(rows=1, cols=2)
    sym(t.cell(0, 0).paragraphs[0].add_run(), "F0FE")
    t.cell(0, 1).text = "已整改"
    d.save(tmp_path / "sym.docx")
    r = read_file(tmp_path / "sym.docx")
    text = str(r.data)
    assert "☑ 消防通道畅通" in text and "□ 灭火器有效" in text and "☑" in str(r.data["sections"][1])
    assert any("U+F021" in w and "line 5" in w for w in r.report["warnings"])
    assert not any(0xE000 <= ord(c) <= 0xF8FF for c in text)
