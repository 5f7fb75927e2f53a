"""Lint: each defect real documents carry is found, located and named by its rule; the corpus
is clean; the command exits 1 on problems and prints JSON on request."""
from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from conftest import ROOT, corpus_files
from workplan.cli import cli
from workplan.lint import RULES, lint_document, lint_file
from workplan.model import load_document, load_source

HEAD = """\
kind: program
title: {zh: 测试社区防汛工作方案, en: Test Community Flood Prevention Program}
units:
  - {id: office, zh: 测试办公室, en: Test Office}
  - {id: police, zh: 测试派出所, en: Test Police Station}
issuers: [office, police]
date: 2023-05-06
"""


def lint_yaml(tmp_path, body: str, name: str = "t.yaml", **kw):
    p = tmp_path / name
    p.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return lint_file(p, **kw)


def para(zh: str, en: str) -> str:
    return f"""\
sections:
  - type: ideology
    paragraphs:
      - zh: "{zh}"
        en: "{en}"
"""


def rules_of(problems) -> list[str]:
    return [p.rule for p in problems]


def test_clean_snippet_is_clean(tmp_path):
    assert lint_yaml(tmp_path, para("坚持预防为主，防治结合。", "Prevention comes first, combined with control.")) == []


# --- placeholder -----------------------------------------------------------------------------------
@pytest.mark.parametrize("zh,en", [
    ("由___X同志任组长。", "Comrade Wang is the head."),
    ("力争20__年全部达标。", "All meet the standard by 2025."),
    ("XX街道负责组织实施。", "The subdistrict organizes the work."),
    ("xx综委发文件要求。", "As the committee's document requires."),
    ("到年，争取两个村达标。", "By 2025, two villages meet the standard."),
    ("于年3月前完成。", "Done by March 2025."),
    ("××社区负责。", "The community is responsible."),
    ("由某某同志负责。", "Comrade Wang is responsible."),
    ("成文于年月日。", "Written on May 6, 2023."),
    ("坚持预防为主。", "Comrade ___ is in charge."),
    ("坚持预防为主。", "The XX Community leads."),
    ("坚持预防为主。", "Report by [date]."),
])
def test_placeholder(tmp_path, zh, en):
    probs = lint_yaml(tmp_path, para(zh, en))
    assert rules_of(probs) == ["placeholder"], [p.format() for p in probs]
    p = probs[0]
    assert p.path.startswith("sections[0].paragraphs[0].")
    assert p.line in (11, 12) and p.column is not None


@pytest.mark.parametrize("zh", ["到年底全部完成。", "每年3月开展一次。", "年度考核结果。", "二〇二三年三月五日印发。",
                                "全年不少于4次。", "每月日常巡查。"])
def test_placeholder_no_false_alarm(tmp_path, zh):
    assert lint_yaml(tmp_path, para(zh, "A clean English sentence.")) == []


# --- numbering written into texts ---------------------------------------------------------------------
@pytest.mark.parametrize("zh,en,bad", [
    ("一、坚持预防为主。", "Prevention comes first.", "zh"),
    ("（二）坚持预防为主。", "Prevention comes first.", "zh"),
    ("3.坚持预防为主。", "Prevention comes first.", "zh"),
    ("（4）坚持预防为主。", "Prevention comes first.", "zh"),
    ("坚持预防为主。", "(ii) Prevention comes first.", "en"),
    ("坚持预防为主。", "II. Prevention comes first.", "en"),
    ("坚持预防为主。", "(C) Prevention comes first.", "en"),
    ("坚持预防为主。", "One, prevention comes first.", "en"),
    ("坚持预防为主。", "2. Prevention comes first.", "en"),
])
def test_numbering_in_text(tmp_path, zh, en, bad):
    probs = lint_yaml(tmp_path, para(zh, en))
    assert rules_of(probs) == ["numbering-in-text"], [p.format() for p in probs]
    assert probs[0].path == f"sections[0].paragraphs[0].{bad}"
    assert "numbering" in probs[0].message


@pytest.mark.parametrize("zh,en", [
    ("一是加强领导，二是落实责任。", "First, leadership is strengthened; second, duties are assigned."),
    ("2023年起每年开展。", "1.5 million residents are covered."),
    ("十分重要。", "It is important."),
])
def test_numbering_no_false_alarm(tmp_path, zh, en):
    assert lint_yaml(tmp_path, para(zh, en)) == []


# --- punctuation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("zh,ch", [("坚持预防为主,防治结合。", ","), ("排查隐患;整改到位。", ";"),
                                   ("联系电话:0731-8456。", ":"), ("县综治办(牵头)负责。", "("),
                                   ("是否安全?请检查。", "?")])
def test_half_width_punctuation_in_chinese(tmp_path, zh, ch):
    probs = lint_yaml(tmp_path, para(zh, "A clean English sentence."))
    assert rules_of(probs) == ["punctuation"], [p.format() for p in probs]
    assert f"half-width “{ch}”" in probs[0].message
    assert probs[0].path == "sections[0].paragraphs[0].zh"


def test_chinese_punctuation_in_english(tmp_path):
    probs = lint_yaml(tmp_path, para("坚持预防为主。", "Prevention first，combined with control."))
    assert rules_of(probs) == ["punctuation"]
    assert probs[0].path == "sections[0].paragraphs[0].en"


def test_punctuation_no_false_alarm(tmp_path):
    assert lint_yaml(tmp_path, para("按1,500元标准补助，时间为8:00至20:00（含节假日）。",
                                    "A grant of 1,500 yuan; hours are 8:00 to 20:00 (holidays included) — “safe”.")) == []


# --- translation ----------------------------------------------------------------------------------------
def test_english_text_with_chinese(tmp_path):
    probs = lint_yaml(tmp_path, para("坚持预防为主。", "Prevention first at 社区 level."))
    assert rules_of(probs) == ["translation"]
    assert "Chinese characters" in probs[0].message and probs[0].path.endswith(".en")


def test_chinese_identical_to_english(tmp_path):
    probs = lint_yaml(tmp_path, para("Prevention comes first.", "Prevention comes first."))
    assert rules_of(probs) == ["translation"]
    assert "identical" in probs[0].message and probs[0].path.endswith(".zh")
    # numbers and codes may be the same in both languages
    assert lint_yaml(tmp_path, para("110", "110")) == []


def test_missing_translation_in_bilingual_document(tmp_path):
    body = """\
    sections:
      - type: ideology
        paragraphs:
          - {zh: 坚持预防为主。, en: Prevention comes first.}
          - 只有中文的一段。
      - type: tasks
        tasks:
          - {title: {zh: 排查, en: Inspect}, lead: [police], deadline: {zh: 长期坚持}}
    """
    probs = lint_yaml(tmp_path, body)
    assert [(p.rule, p.path) for p in probs] == [("translation", "sections[0].paragraphs[1]"),
                                                 ("translation", "sections[1].tasks[0].deadline")]
    assert all(p.message == "no English text" for p in probs)
    # a document written only in Chinese is not asked for English, unless the caller says so
    p = tmp_path / "zh.yaml"
    p.write_text(HEAD.replace("title: {zh: 测试社区防汛工作方案, en: Test Community Flood Prevention Program}", "title: 仅中文方案")
                 .replace(", en: Test Office", "").replace(", en: Test Police Station", ""), encoding="utf-8")
    assert lint_file(p) == []
    assert {q.path for q in lint_file(p, langs=["zh", "en"])} == {"title", "units[0].en", "units[1].en"}


def test_unit_without_english_name(tmp_path):
    p = tmp_path / "u.yaml"
    p.write_text(HEAD.replace(", en: Test Police Station", "") + para("坚持预防为主。", "Prevention comes first."),
                 encoding="utf-8")
    probs = lint_file(p)
    assert [(q.rule, q.path, q.line) for q in probs] == [("translation", "units[1].en", 5)]
    assert "测试派出所" in probs[0].message


# --- dates ----------------------------------------------------------------------------------------------
def test_doc_number_year_differs(tmp_path):
    probs = lint_yaml(tmp_path, "doc_number: 测社发〔2022〕3号\n")
    assert [(p.rule, p.path, p.line) for p in probs] == [("dates", "doc_number", 8)]
    assert "2022" in probs[0].message and "2023" in probs[0].message


def test_deadlines_before_document_date_and_after_parent(tmp_path):
    body = """\
    printed: {office: office, date: 2023-05-01}
    sections:
      - type: objectives
        targets:
          - {indicator: {zh: 整改率, en: Rectification rate}, target: 95, unit: "%", due: 2023-01-01}
      - type: tasks
        tasks:
          - title: {zh: 排查, en: Inspect}
            lead: [police]
            deadline: 2023-04-01
          - title: {zh: 宣传, en: Publicity}
            lead: [office]
            deadline: 2023-08-01
            items:
              - {title: {zh: 子任务, en: Sub-task}, lead: [office], deadline: 2023-09-01}
    """
    probs = lint_yaml(tmp_path, body)
    got = [(p.rule, p.path) for p in probs]
    assert got == [("dates", "printed.date"),
                   ("dates", "sections[0].targets[0].due"),
                   ("dates", "sections[1].tasks[0].deadline"),
                   ("dates", "sections[1].tasks[1].items[0].deadline")]
    # a text deadline holding an impossible date is a validation error now (issue 9), not a lint finding
    msgs = [p.message for p in probs]
    assert "before the document date May 6, 2023" in msgs[2]
    assert "after its parent task's deadline August 1, 2023" in msgs[3]


def test_phases_out_of_order_and_overlapping(tmp_path):
    body = """\
    sections:
      - type: phases
        phases:
          - {name: {zh: 动员, en: Mobilization}, start: 2023-05-10, end: 2023-06-30}
          - {name: {zh: 实施, en: Implementation}, start: 2023-06-15, end: 2023-07-30}
          - {name: {zh: 总结, en: Review}, start: 2023-05-01, end: 2023-05-20}
          - {name: {zh: 验收, en: Acceptance}, start: 2022-08-01, end: 2022-08-30}
    """
    probs = lint_yaml(tmp_path, body)
    paths = [p.path for p in probs]
    assert paths == ["sections[0].phases[1].start", "sections[0].phases[2].start",
                     "sections[0].phases[3].start", "sections[0].phases[3].end"]
    assert "while the previous phase runs until June 30, 2023" in probs[0].message
    assert probs[1].message.startswith("phases out of order")
    assert probs[2].message.startswith("phases out of order")
    assert "before the document date" in probs[3].message
    assert all(p.rule == "dates" for p in probs)
    # adjacent phases (next starts the day after) are fine
    ok = body.replace("start: 2023-06-15", "start: 2023-07-01").replace(
        "          - {name: {zh: 总结, en: Review}, start: 2023-05-01, end: 2023-05-20}\n", "").replace(
        "          - {name: {zh: 验收, en: Acceptance}, start: 2022-08-01, end: 2022-08-30}\n", "")
    assert lint_yaml(tmp_path, ok, name="ok.yaml") == []


# --- the corpus and the command -------------------------------------------------------------------------
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_lints_clean(path):
    assert [p.format() for p in lint_file(path)] == []


def test_lint_document_without_positions(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(HEAD + para("一、坚持预防为主。", "Prevention comes first."), encoding="utf-8")
    doc = load_document(p)
    (prob,) = lint_document(doc)                    # no file: paths only
    assert (prob.rule, prob.path, prob.line, prob.file) == ("numbering-in-text", "sections[0].paragraphs[0].zh", None, None)
    assert lint_document(doc, p)[0].line is None    # the file is not parsed again for positions
    (prob,) = lint_document(doc, p, positions=load_source(p).positions)  # the positions give line and column
    assert (prob.line, prob.column) == (11, 13)
    assert lint_document(doc, p, ignore=["numbering-in-text"]) == []
    assert lint_document(doc, p, select=["dates"]) == []


def test_cli_exit_codes_and_json(tmp_path):
    runner = CliRunner()
    r = runner.invoke(cli, ["lint", str(ROOT / "corpus")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert r.output.count(": clean") == len(corpus_files()) + len(list((ROOT / "corpus").glob("*.json")))

    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "doc_number: 测社发〔2022〕3号\n" + para("XX社区,负责。", "The XX Community leads."), encoding="utf-8")
    r = runner.invoke(cli, ["lint", str(bad)], catch_exceptions=False)
    assert r.exit_code == 1
    assert f"{bad}:8:13: doc_number: [dates]" in r.output
    assert "[placeholder]" in r.output and "[punctuation]" in r.output
    assert "problem(s) in 1 of 1 file(s)" in r.output

    r = runner.invoke(cli, ["lint", "--json", str(bad)], catch_exceptions=False)
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert {d["rule"] for d in data} == {"dates", "placeholder", "punctuation"}
    assert set(data[0]) == {"file", "line", "column", "path", "rule", "severity", "message", "hint"}
    assert all(d["file"] == str(bad) for d in data)

    r = runner.invoke(cli, ["lint", "--json", "--select", "dates", str(bad)], catch_exceptions=False)
    assert [d["rule"] for d in json.loads(r.stdout)] == ["dates"]
    r = runner.invoke(cli, ["lint", "--ignore", "dates,placeholder,punctuation", str(bad)], catch_exceptions=False)
    assert r.exit_code == 0
    r = runner.invoke(cli, ["lint", "--select", "nonsense", str(bad)])
    assert r.exit_code == 2 and "not a rule" in r.output


def test_cli_reports_invalid_files(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: program\ntitle: [unclosed\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["lint", "--json", str(broken)], catch_exceptions=False)
    assert r.exit_code == 1
    (d,) = json.loads(r.stdout)
    assert d["rule"] == "invalid" and d["line"] == 3 and "not valid YAML" in d["message"]


def test_every_rule_is_documented():
    assert set(RULES) == {"placeholder", "numbering-in-text", "punctuation", "translation", "dates", "period",
                          "percent", "unit-unused", "target-number", "doc-number", "date-format", "numbering",
                          "letterhead", "import-mark", "signatory"}
    r = CliRunner().invoke(cli, ["lint", "--help"])
    for rule in RULES:
        assert rule in r.output


# --- rules for documents before they are issued (issue 11) ----------------------------------------------
def test_rates_outside_0_100_are_errors(tmp_path):
    (p,) = lint_yaml(tmp_path, para("群众满意率达到120%以上。", "Public satisfaction reaches over 120%."))
    assert p.rule == "percent" and p.severity == "error" and "120%" in p.message
    # growth may exceed 100 %; a rate may not
    assert lint_yaml(tmp_path, para("投入比上年增长120%。", "Spending grows by 120% over last year.")) == []
    assert rules_of(lint_yaml(tmp_path, para("覆盖率达到百分之一百二十。", "Coverage reaches 100%."))) == ["percent"]


def test_percent_targets_outside_0_100(tmp_path):
    problems = lint_yaml(tmp_path, """\
sections:
  - type: objectives
    targets:
      - {indicator: {zh: 入户检查覆盖率, en: Home check coverage}, target: 105, baseline: 80, unit: "%"}
      - {indicator: {zh: 火灾起数, en: Fires}, target: 105, unit: {zh: 起, en: cases}, op: "<="}
""")
    (p,) = problems
    assert (p.rule, p.path, p.severity) == ("percent", "sections[0].targets[0].target", "error")
    assert p.line == 11


def test_deadline_after_the_last_phase(tmp_path):
    problems = lint_yaml(tmp_path, """\
sections:
  - type: tasks
    tasks:
      - {title: {zh: 排查隐患, en: Check hazards}, lead: [office], deadline: 2023-12-31}
      - {title: {zh: 整改, en: Fix hazards}, lead: [police], deadline: 2023-09-30}
  - type: phases
    phases:
      - {name: {zh: 动员部署, en: Mobilisation}, start: 2023-05-10, end: 2023-06-30}
      - {name: {zh: 集中整治, en: Rectification}, start: 2023-07-01, end: 2023-10-31}
""")
    (p,) = problems
    assert p.rule == "period" and p.path == "sections[0].tasks[0].deadline" and "October 31, 2023" in p.message


def test_declared_units_never_used(tmp_path):
    p = tmp_path / "u.yaml"
    p.write_text(HEAD.replace("issuers: [office, police]", "issuers: [office]")
                 + para("坚持预防为主。", "Prevention first."), encoding="utf-8")
    (prob,) = lint_file(p)
    assert (prob.rule, prob.severity, prob.path) == ("unit-unused", "warning", "units[1].id")
    assert "police" in prob.message and prob.line == 5


def test_objective_without_a_number(tmp_path):
    problems = lint_yaml(tmp_path, """\
sections:
  - type: objectives
    items:
      - {text: {zh: 火灾事故明显下降，群众安全感进一步提高。, en: Fires fall markedly and people feel safer.}}
      - {text: {zh: 可防性案件下降10%以上。, en: Preventable cases fall by more than 10%.}}
      - {text: {zh: 确保不发生重大火灾事故。, en: Ensure no major fire occurs.}}
""")
    assert [(p.rule, p.path) for p in problems] == [("target-number", "sections[0].items[0].text.zh")]
    # measurable targets given: the paragraphs only introduce them
    assert lint_yaml(tmp_path, """\
sections:
  - type: objectives
    paragraphs: [{zh: 居民安全意识明显提高。, en: Residents become more aware of safety.}]
    targets:
      - {indicator: {zh: 知晓率, en: Awareness}, target: 90, unit: "%"}
""") == []


@pytest.mark.parametrize("written,fixed", [
    ("测社发[2023]3号", "测社发〔2023〕3号"),
    ("测社发（2023）3号", "测社发〔2023〕3号"),
    ("测社发〔2023〕第3号", "测社发〔2023〕3号"),
    ("测社发〔2023〕03号", "测社发〔2023〕3号"),
])
def test_document_number_form(tmp_path, written, fixed):
    (p,) = lint_yaml(tmp_path, f"doc_number: {written}\n" + para("坚持预防为主。", "Prevention first."))
    assert p.rule == "doc-number" and p.severity == "warning" and fixed in p.hint and p.line == 8
    assert lint_yaml(tmp_path, "doc_number: 测社发〔2023〕3号\n" + para("坚持预防为主。", "Prevention first.")) == []


def test_zero_padded_dates(tmp_path):
    (p,) = lint_yaml(tmp_path, para("于2023年06月05日前完成。", "Done by June 5, 2023."))
    assert p.rule == "date-format" and "2023年6月5日" in p.hint
    assert lint_yaml(tmp_path, para("于2023年6月5日前完成，10月底总结。", "Done by June 5, 2023.")) == []


def test_outline_numbering_gaps_repeats_and_mixed_styles():
    from workplan.lint import OutlineItem
    from workplan.lint.rules import check_outline
    o = [OutlineItem(1, "zh-num", 1, "一、", 3), OutlineItem(2, "zh-paren", 1, "（一）", 4),
         OutlineItem(2, "zh-paren", 1, "（一）", 6), OutlineItem(2, "zh-paren", 3, "（三）", 8),
         OutlineItem(1, "zh-num", 2, "二、", 10), OutlineItem(2, "zh-paren", 1, "（一）", 11),   # restarts: fine
         OutlineItem(2, "arabic", 2, "2.", 12), OutlineItem(1, "zh-num", 4, "四、", 14)]
    found = [(it.line, msg.split("“")[0].strip()) for it, msg, _ in check_outline(o)]
    assert found == [(6, "numbering"), (8, "numbering skips from"), (12, "numbering"), (14, "numbering skips from")]
    msgs = {it.line: msg for it, msg, _ in check_outline(o)}
    assert "repeats" in msgs[6] and "mixes styles" in msgs[12]


def test_config_file_switches_rules_off_and_changes_severity(tmp_path):
    body = para("于2023年06月05日前完成，XX社区负责。", "Done by June 5, 2023 by the community.")
    assert set(rules_of(lint_yaml(tmp_path, body))) == {"date-format", "placeholder"}
    (tmp_path / "workplan.toml").write_text('[lint]\nignore = ["placeholder"]\n[lint.severity]\ndate-format = "error"\n',
                                            encoding="utf-8")
    from workplan.lint.config import load_config
    load_config.cache_clear()
    (p,) = lint_yaml(tmp_path, body)
    assert (p.rule, p.severity) == ("date-format", "error")
    # a config file below a folder applies to the files in that folder and below, not to its siblings
    sub = tmp_path / "sub"
    sub.mkdir()
    assert set(rules_of(lint_yaml(sub, body))) == {"date-format"}


def test_bad_config_file_is_named(tmp_path):
    (tmp_path / "workplan.toml").write_text('[lint]\nignore = ["no-such-rule"]\n', encoding="utf-8")
    p = tmp_path / "t.yaml"
    p.write_text(HEAD + para("坚持预防为主。", "Prevention first."), encoding="utf-8")
    import subprocess
    import sys
    run = lambda: subprocess.run([sys.executable, "-m", "workplan.cli", "lint", str(p)],  # noqa: E731
                                 capture_output=True, text=True)
    r = run()
    assert r.returncode == 1 and "workplan.toml" in r.stderr and "no-such-rule" in r.stderr
    assert "Traceback" not in r.stderr
    (tmp_path / "workplan.toml").write_text('[lint\n', encoding="utf-8")
    r = run()
    assert r.returncode == 1 and "not valid TOML" in r.stderr and "Traceback" not in r.stderr


def test_warnings_alone_exit_0_errors_exit_1(tmp_path):
    warn = tmp_path / "warn.yaml"
    warn.write_text(HEAD + para("于2023年06月05日前完成。", "Done by June 5, 2023."), encoding="utf-8")
    r = CliRunner().invoke(cli, ["lint", str(warn)], catch_exceptions=False)
    assert r.exit_code == 0 and "[date-format] warning:" in r.output and "0 error(s), 1 warning(s)" in r.output
    r = CliRunner().invoke(cli, ["lint", "--format", "json", str(warn)], catch_exceptions=False)
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["severity"] == "warning"


def test_build_refuses_lint_errors_unless_forced(tmp_path):
    bad = tmp_path / "blank.yaml"
    bad.write_text(HEAD + para("由___X同志任组长。", "Comrade Wang is the head."), encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(bad), "-o", str(out), "--format", "docx"], catch_exceptions=False)
    assert r.exit_code == 1 and "[placeholder] error:" in r.output and "--force" in r.output
    assert not out.exists() or not any(out.iterdir())
    r = CliRunner().invoke(cli, ["build", str(bad), "-o", str(out), "--format", "docx", "--force"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    from docx import Document as Docx
    assert any("___X" in p.text for p in Docx(out / "blank.zh.docx").paragraphs)


# --- Word, PDF and text documents are linted through the importer ---------------------------------------
SOURCE_TXT = """\
青松社区2024年防汛工作方案

为做好今年防汛工作，确保群众生命财产安全，结合我社区实际，制定本方案。

一、指导思想
坚持人民至上、生命至上，立足防大汛、抢大险。
二、工作目标
到年，社区防汛设施全部达标，群众满意率达到120%。
四、工作措施
（一）开展隐患排查。各网格于2024年05月10日前完成排查。
（二）加强值班值守。汛期实行24小时值班。
（二）做好物资储备。储备沙袋、水泵等物资。

青松社区居委会
2024年4月8日
"""


def test_lint_reads_word_and_text_documents_through_the_importer(tmp_path):
    txt = tmp_path / "flood.txt"
    txt.write_text(SOURCE_TXT, encoding="utf-8")
    from docx import Document as Docx
    d = Docx()
    for line in SOURCE_TXT.splitlines():
        d.add_paragraph(line)
    docx = tmp_path / "flood.docx"
    d.save(docx)
    for path in (txt, docx):
        problems = lint_file(path)
        found = {(p.rule, p.line) for p in problems}
        lines = SOURCE_TXT.splitlines()
        line_of = lambda s: next(i for i, l in enumerate(lines, 1) if l.startswith(s))  # noqa: E731
        assert ("placeholder", line_of("到年")) in found, (path, found)
        assert ("percent", line_of("到年")) in found
        assert ("numbering", line_of("四、")) in found                      # 二、 → 四、 skips
        assert ("numbering", line_of("（二）做好")) in found                 # （二） twice
        assert ("date-format", line_of("（一）")) in found
        assert all(p.file == str(path) for p in problems)
    r = CliRunner().invoke(cli, ["lint", "--format", "json", str(docx)], catch_exceptions=False)
    assert r.exit_code == 1
    assert {"placeholder", "numbering"} <= {d["rule"] for d in json.loads(r.stdout)}


def test_lint_of_an_unreadable_document_is_an_invalid_finding(tmp_path):
    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    for path, says in ((bad, ""), (doc, "save it as .docx")):
        r = CliRunner().invoke(cli, ["lint", "--format", "json", str(path)], catch_exceptions=False)
        assert r.exit_code == 1
        (d,) = json.loads(r.stdout)
        assert d["rule"] == "invalid" and d["severity"] == "error" and d["file"] == str(path)
        assert says in (d["message"] + " " + (d["hint"] or ""))
