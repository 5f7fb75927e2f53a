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
from workplan.model import load_document

HEAD = """\
kind: program
title: {zh: 测试社区防汛工作方案, en: Test Community Flood Prevention Program}
units:
  - {id: office, zh: 测试办公室, en: Test Office}
  - {id: police, zh: 测试派出所, en: Test Police Station}
issuers: [office]
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
              - {title: {zh: 子任务二, en: Sub-task 2}, lead: [office], deadline: {zh: 2023-13-01, en: 2023-13-01}}
    """
    probs = lint_yaml(tmp_path, body)
    got = [(p.rule, p.path) for p in probs]
    assert got == [("dates", "printed.date"),
                   ("dates", "sections[0].targets[0].due"),
                   ("dates", "sections[1].tasks[0].deadline"),
                   ("dates", "sections[1].tasks[1].items[0].deadline"),
                   ("dates", "sections[1].tasks[1].items[1].deadline.zh"),
                   ("dates", "sections[1].tasks[1].items[1].deadline.en")]
    msgs = [p.message for p in probs]
    assert "before the document date May 6, 2023" in msgs[2]
    assert "after its parent task's deadline August 1, 2023" in msgs[3]
    assert "not a valid one" in msgs[4]


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
    (prob,) = lint_document(doc, p)                 # the file gives line and column
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
    assert set(data[0]) == {"file", "line", "column", "path", "rule", "message", "hint"}
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
    assert set(RULES) == {"placeholder", "numbering-in-text", "punctuation", "translation", "dates", "letterhead"}
    r = CliRunner().invoke(cli, ["lint", "--help"])
    for rule in RULES:
        assert rule in r.output
