"""Progress reports: the model and its cross-checks, computed progress, and the rendered
documents (PDF text, DOCX tables and images) carrying exactly the computed numbers."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS

from workplan.errors import ValidationFailed
from workplan.model import load_document
from workplan.model.progress import attainment, compute_progress, format_pct
from workplan.model.report import Report, load_report
from workplan.archive.programs import ArchivePrograms
from workplan.ingest import add_data_file
from workplan.render.ir import Figure, Table
from workplan.render.resolve import build_ir

WINTER_REPORT = CORPUS / "report-winter-fire-safety.yaml"
HOLIDAY_REPORT = CORPUS / "report-holiday-security.yaml"


# --- formulas ---------------------------------------------------------------------------------
@pytest.mark.parametrize("op, target, actual, ratio, met", [
    (">=", 100, 97.5, 0.975, False),
    (">=", 90, 93.2, 93.2 / 90, True),
    (">=", 0, 0, 1.0, True),
    (">", 90, 90, 1.0, False),
    ("<=", 0, 0, 1.0, True),          # fatal fires: none → met
    ("<=", 0, 2, 0.0, False),         # fatal fires: two → 0 %
    ("<=", 5, 4, 1.0, True),
    ("<=", 5, 8, 5 / 8, False),       # over the cap: target / actual
    ("<", 5, 5, 1.0, False),
    ("=", 100, 100, 1.0, True),
    ("=", 100, 90, 0.9, False),
    ("=", 0, 3, 0.0, False),
])
def test_attainment_formulas(op, target, actual, ratio, met):
    got, got_met = attainment(op, target, actual)
    assert got == pytest.approx(ratio)
    assert got_met is met


def test_format_pct():
    assert format_pct(0.975) == "97.5%"
    assert format_pct(93.2 / 90) == "103.6%"
    assert format_pct(None) == "—"


# --- the corpus reports -----------------------------------------------------------------------------
def test_corpus_report_loads_as_report_with_inherited_units():
    r = load_document(WINTER_REPORT)
    assert isinstance(r, Report) and r.kind == "report"
    assert r.issuers == ["community"]  # inherited from the program
    assert r.unit_name("fire_station", "en") == "Donghu Fire and Rescue Station"
    assert r.program_doc.doc_number.render("zh") == "青社发〔2023〕12号"
    assert r.identity() == "青社发〔2024〕5号" and r.year == 2024


def test_winter_progress_numbers():
    p = compute_progress(load_document(WINTER_REPORT))
    assert [(t.key, format_pct(t.attainment), t.met) for t in p.targets] == [
        ("hazard_fix", "97.5%", False), ("fires", "100.0%", True), ("awareness", "103.6%", True)]
    assert format_pct(p.target_attainment) == "99.2%"          # (97.5 + 100 + 100) / 3, capped
    assert (p.tasks_done, len(p.tasks), format_pct(p.completion_rate)) == (3, 4, "75.0%")
    assert [t.key for t in p.tasks if t.done_late] == ["corridors"]   # done 2024-01-08, due 2023-12-31
    assert p.overdue_tasks == []                                      # 'patrol' has no dated deadline
    assert [(ph.key, ph.state) for ph in p.phases] == [("phase1", "done"), ("phase2", "done_late"), ("phase3", "late")]


def test_holiday_progress_overdue_task():
    p = compute_progress(load_document(HOLIDAY_REPORT))
    assert [t.key for t in p.overdue_tasks] == ["care"]   # in progress, due 2022-10-07, report 2022-10-12
    assert [t.key for t in p.tasks if t.done_late] == ["hazards"]
    assert p.late_phases == []


# --- validation ---------------------------------------------------------------------------------------
BAD = """\
kind: report
title: 测试总结
program: prog.yaml
period: {start: 2023-11-06, end: 2024-03-15}
date: 2024-03-20
targets:
  - {id: hazard_fix}
  - {id: fires, actual: 0}
  - {id: awarenes, actual: 93}
tasks:
  - {id: inspect, status: done}
  - {id: corridors, status: done, completed: 2024-04-08}
  - {id: publicity, status: done, completed: 2024-01-02}
  - {id: patrl, status: in_progress}
phases:
  - {id: phase9, completed: true}
sections:
  - {type: problems}
  - {type: achievements}
"""


@pytest.fixture
def program_dir(tmp_path):
    shutil.copy(CORPUS / "winter-fire-safety.yaml", tmp_path / "prog.yaml")
    return tmp_path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as ei:
        load_document(path)
    return [p.format() for p in ei.value.problems]


def test_cross_check_errors_are_located(program_dir):
    f = program_dir / "bad.yaml"
    f.write_text(BAD, encoding="utf-8")
    msgs = "\n".join(_problems(f))
    assert "bad.yaml:7:5: targets[0]: target 'hazard_fix' has no actual value" in msgs
    assert "target 'awareness' (居民消防知识知晓率) has no actual value" in msgs
    assert "bad.yaml:9:10: targets[2].id: the program has no target with id 'awarenes'" in msgs
    assert "did you mean 'awareness'?" in msgs
    assert "bad.yaml:14:10: tasks[3].id: the program has no task with id 'patrl'" in msgs
    assert "task 'inspect' is done but has no completion date" in msgs
    assert ("tasks[1].completed: completion date of task 'corridors' 2024-04-08 falls outside the report period "
            "2023-11-06 – 2024-03-15") in msgs
    assert "task 'patrol' of the program has no status in the report" in msgs
    assert "phases[0].id: the program has no phase with id 'phase9'" in msgs
    assert "the 'achievements' section comes after 'problems'" in msgs


def test_schema_errors_name_report_section_types(program_dir):
    f = program_dir / "bad.yaml"
    f.write_text(BAD.replace("{type: achievements}", "{type: achievments}").replace(
        "status: in_progress}", "status: finished}"), encoding="utf-8")
    msgs = "\n".join(_problems(f))
    assert "unknown section type 'achievments'" in msgs
    assert "did you mean 'achievements'? report section types: overview, achievements" in msgs
    assert "bad.yaml:14:" in msgs and "tasks[3].status" in msgs


def test_bad_program_reference_is_explained(program_dir):
    f = program_dir / "r.yaml"
    f.write_text(BAD.replace("program: prog.yaml", "program: {file: prog.yaml, archive: J001}"), encoding="utf-8")
    assert any("r.yaml:3:10: program: give exactly one of 'file'" in m for m in _problems(f))
    f.write_text(BAD.replace("program: prog.yaml", "program: {archve: J001}"), encoding="utf-8")
    msgs = "\n".join(_problems(f))
    assert "r.yaml:3:11: program.archve: unknown field 'archve'" in msgs and "did you mean 'archive'?" in msgs


def test_missing_program_file(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text(BAD, encoding="utf-8")
    msgs = "\n".join(_problems(f))
    assert "r.yaml:3:10: program: program file 'prog.yaml' not found" in msgs


def test_report_as_program_is_refused(program_dir):
    shutil.copy(WINTER_REPORT, program_dir / "other.yaml")
    f = program_dir / "r.yaml"
    f.write_text(BAD.replace("program: prog.yaml", "program: other.yaml"), encoding="utf-8")
    assert "'other.yaml' is a report, not a program" in "\n".join(_problems(f))


def test_superseded_program_version_says_so(tmp_path):
    from workplan.archive import init_archive
    arc = init_archive(tmp_path / "arc", fonds="J001", name="青松社区居委会")
    prog = tmp_path / "prog.yaml"
    shutil.copy(CORPUS / "winter-fire-safety.yaml", prog)
    v1 = add_data_file(arc, prog, formats=(), notify=False, reason="a test")
    prog.write_text(prog.read_text(encoding="utf-8").replace("全力确保", "确保"), encoding="utf-8")
    v2 = add_data_file(arc, prog, formats=(), notify=False, reason="a test")
    assert (v1.code, v2.version) == (v2.code, 2)
    text = WINTER_REPORT.read_text(encoding="utf-8").replace(
        "program: winter-fire-safety.yaml", f"program: {{archive: '{v1.code}', version: 1}}")
    rep = tmp_path / "rep.yaml"
    rep.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as ei:
        load_report(rep, program_resolver=ArchivePrograms(arc))
    msg = ei.value.format()
    assert f"the program {v1.code} version 1 has been superseded by version 2" in msg
    assert "rep.yaml:10:" in msg
    # reading an archived report later (e.g. for a compilation) still works
    assert load_report(rep, program_resolver=ArchivePrograms(arc), allow_superseded=True).program_record.version == 1
    # without a version the current one is used
    rep.write_text(text.replace(", version: 1", ""), encoding="utf-8")
    assert load_report(rep, program_resolver=ArchivePrograms(arc)).program_record.version == 2


# --- IR -------------------------------------------------------------------------------------------------
def test_ir_tables_carry_computed_numbers():
    r = load_document(WINTER_REPORT)
    p = compute_progress(r)
    rdoc = build_ir(r, "zh")
    targets = next(b for b in rdoc.blocks if isinstance(b, Table) and b.kind == "targets")
    assert targets.header == ["序号", "指标", "目标值", "实际值", "完成度", "状态"]
    assert [row[4] for row in targets.rows] == [format_pct(t.attainment) for t in p.targets]
    assert targets.rows[1][2:] == ["≤0起", "0起", "100.0%", "达标"]
    tasks = [b for b in rdoc.blocks if isinstance(b, Table) and b.kind == "generic"][0]
    # grouped by lead unit, every row naming its unit (a group's rows may fall on two pages)
    assert [row[0] for row in tasks.rows] == ["青松社区居委会", "青松社区居委会", "东湖派出所", "青松物业服务中心"]
    assert tasks.rows[3][3] == "逾期完成（2024年1月8日）"
    figs = [b for b in rdoc.blocks if isinstance(b, Figure)]
    assert [f.caption for f in figs] == ["图1 目标完成度", "图2 阶段推进时间轴"]
    assert all(f.svg.startswith(b"<?xml") and f.png.startswith(b"\x89PNG") for f in figs)


def test_zh_en_draws_each_chart_once_with_both_languages():
    rdoc = build_ir(load_document(HOLIDAY_REPORT), "zh-en")
    figs = [b for b in rdoc.blocks if isinstance(b, Figure)]
    assert [f.caption for f in figs] == ["图1 目标完成度\nFigure 1 Attainment of targets",
                                         "图2 阶段推进时间轴\nFigure 2 Timeline of phases"]
    text = rdoc.plain_text()
    assert "截至报告日期，1项任务逾期未完成：5.做好重点人群服务管理。" in text
    assert "One task is overdue at the report date: 5. Care for and keep in contact with key groups." in text


def test_images_and_missing_image(program_dir):
    from PIL import Image
    Image.new("RGB", (800, 400), (200, 30, 30)).save(program_dir / "drill.jpg")
    text = WINTER_REPORT.read_text(encoding="utf-8").replace("program: winter-fire-safety.yaml", "program: prog.yaml")
    text += "images:\n  - {file: drill.jpg, caption: {zh: 疏散演练现场, en: The evacuation drill}}\n"
    f = program_dir / "r.yaml"
    f.write_text(text, encoding="utf-8")
    figs = [b for b in build_ir(load_document(f), "en").blocks if isinstance(b, Figure)]
    assert figs[-1].caption == "Figure 3 The evacuation drill"
    assert figs[-1].png.startswith(b"\x89PNG") and figs[-1].svg is None
    f.write_text(text.replace("drill.jpg", "nope.png"), encoding="utf-8")
    assert any("images[0].file: image file 'nope.png' not found" in m for m in _problems(f))


# --- rendered documents ---------------------------------------------------------------------------------
def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from workplan.render import build_file
    out = tmp_path_factory.mktemp("report-out")
    build_file(WINTER_REPORT, out, langs=("zh", "en"), formats=("pdf", "docx"))
    return out


def test_pdf_text_has_the_computed_attainment(built):
    from pypdf import PdfReader
    p = compute_progress(load_document(WINTER_REPORT))
    text = _squash("\n".join(pg.extract_text() for pg in PdfReader(built / "report-winter-fire-safety.zh.pdf").pages))
    for t in p.targets:
        ind = t.target.indicator.zh
        # the table row: indicator, target, actual, attainment, status
        m = re.search(re.escape(ind) + r"[≥≤=<>][\d.]+\D*?[\d.]+\D*?(\d+\.\d%)(达标|未达标)", text)
        assert m, ind
        assert m.group(1) == format_pct(t.attainment)
        assert m.group(2) == ("达标" if t.met else "未达标")
    assert f"目标平均完成度{format_pct(p.target_attainment)}" in text
    assert f"任务完成率{format_pct(p.completion_rate)}" in text
    # (pages 1-2: the 版头 with the document number now opens page 1, issue 10 item 1)
    en = _squash("".join(p.extract_text() for p in PdfReader(built / "report-winter-fire-safety.en.pdf").pages[:2]))
    assert _squash(f"average attainment of {format_pct(p.target_attainment)}") in en


def test_docx_tables_and_charts(built):
    import docx
    p = compute_progress(load_document(WINTER_REPORT))
    d = docx.Document(str(built / "report-winter-fire-safety.zh.docx"))
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[0] == ["序号", "指标", "目标值", "实际值", "完成度", "状态"]
    assert [r[4] for r in rows[1:]] == [format_pct(t.attainment) for t in p.targets]
    assert len(d.inline_shapes) == 2  # the bar chart and the timeline, as PNG
    blobs = [d.part.related_parts[s._inline.graphic.graphicData.pic.blipFill.blip.embed].blob for s in d.inline_shapes]
    assert all(b.startswith(b"\x89PNG") for b in blobs)


def test_validate_cli_accepts_reports():
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "workplan.cli", "validate", str(WINTER_REPORT), str(HOLIDAY_REPORT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(": ok") == 2


def test_report_dates(program_dir):
    f = program_dir / "r.yaml"
    text = WINTER_REPORT.read_text(encoding="utf-8").replace("program: winter-fire-safety.yaml", "program: prog.yaml")
    f.write_text(text.replace("date: 2024-03-20", "date: 2023-11-01"), encoding="utf-8")
    msgs = "\n".join(_problems(f))
    assert "the report date 2023-11-01 is before the period starts (2023-11-06)" in msgs
    assert "is after the report date 2023-11-01" in msgs


# --- issue 10: targets not yet due, sub-items of tasks -------------------------------------------------
def test_a_target_not_yet_due_is_not_judged(program_dir):
    prog = program_dir / "prog.yaml"
    prog.write_text(prog.read_text(encoding="utf-8").replace("due: 2024-02-29", "due: 2025-12-31"), encoding="utf-8")
    f = program_dir / "r.yaml"
    f.write_text(WINTER_REPORT.read_text(encoding="utf-8").replace("program: winter-fire-safety.yaml", "program: prog.yaml"),
                 encoding="utf-8")
    r = load_document(f)
    p = compute_progress(r)
    assert [(t.key, t.state) for t in p.targets] == [("hazard_fix", "not_due"), ("fires", "met"), ("awareness", "met")]
    assert p.targets_met == 2 and format_pct(p.target_attainment) == "100.0%"   # hazard_fix (97.5 %) left out
    rdoc = build_ir(r, "zh")
    targets = next(b for b in rdoc.blocks if isinstance(b, Table) and b.kind == "targets")
    assert targets.rows[0][4:] == ["97.5%", "未到期"]                             # progress so far, status not yet due
    text = rdoc.plain_text()
    assert "已到期的2项有2项达标" in text and "火灾隐患整改率尚未到期" in text and "未达标" not in text.split("表1")[0]
    en = build_ir(r, "en")
    assert next(b for b in en.blocks if isinstance(b, Table) and b.kind == "targets").rows[0][5] == "Not yet due"
    assert "2 of the 2 targets due were met" in en.plain_text()


SUB_ITEMS = """\
        items:
          - title: {zh: 重点时段巡查, en: Patrols at key hours}
          - title: {zh: 节假日值班, en: Holiday duty}
            deadline: 2024-02-20
"""


def _with_sub_items(program_dir, statuses: str) -> Path:
    prog = program_dir / "prog.yaml"
    text = prog.read_text(encoding="utf-8")
    anchor = "        deadline: {zh: 整个冬季, en: Throughout the winter}\n"
    prog.write_text(text.replace(anchor, anchor + SUB_ITEMS), encoding="utf-8")
    rep = WINTER_REPORT.read_text(encoding="utf-8").replace("program: winter-fire-safety.yaml", "program: prog.yaml")
    start = rep.index("  - id: patrol")
    end = rep.index("\n", rep.index("evidence", start)) + 1
    f = program_dir / "r.yaml"
    f.write_text(rep[:start] + statuses + rep[end:], encoding="utf-8")
    return f


def test_sub_items_need_no_status_of_their_own(program_dir):
    f = _with_sub_items(program_dir, "  - {id: patrol, status: in_progress}\n")
    p = compute_progress(load_document(f))
    assert len(p.tasks) == 4 and format_pct(p.completion_rate) == "75.0%"     # not 6 tasks
    assert p.subtasks == []
    rows = [b for b in build_ir(load_document(f), "zh").blocks if isinstance(b, Table) and b.kind == "generic"][0].rows
    assert "未明确牵头单位" not in [r[0] for r in rows]


def test_a_task_rolls_up_from_its_items(program_dir):
    f = _with_sub_items(program_dir, "  - {id: task4.1, status: done, completed: 2024-02-01}\n"
                                     "  - {id: task4.2, status: done, completed: 2024-02-25}\n")
    r = load_document(f)
    p = compute_progress(r)
    patrol = next(t for t in p.tasks if t.key == "patrol")
    assert (patrol.status, patrol.completed, patrol.rolled_up) == ("done", dt.date(2024, 2, 25), True)
    assert (len(p.tasks), p.tasks_done) == (4, 4)
    sub = {t.key: t for t in p.subtasks}
    assert sub["task4.1"].lead == ("police",) and sub["task4.2"].done_late          # inherits the lead unit
    rows = [b for b in build_ir(r, "zh").blocks if isinstance(b, Table) and b.kind == "generic"][0].rows
    i = next(i for i, row in enumerate(rows) if row[1].startswith("4.强化"))
    assert [row[1][:3] for row in rows[i + 1:i + 3]] == ["4.1", "4.2"]            # items under their task
    assert rows[i][0] == "东湖派出所" and rows[i][3].startswith("已完成")
    assert "未明确牵头单位" not in [row[0] for row in rows]


def test_a_task_without_status_names_its_items(program_dir):
    f = _with_sub_items(program_dir, "  - {id: task4.1, status: done, completed: 2024-02-01}\n")
    msgs = "\n".join(_problems(f))
    assert "task 'patrol' of the program has no status in the report" in msgs
    assert "task4.1, task4.2" in msgs


def test_every_problem_of_a_report_at_once(program_dir):
    # issue 10 item 11: schema problems and cross-check problems come out together
    text = WINTER_REPORT.read_text(encoding="utf-8").replace("program: winter-fire-safety.yaml", "program: prog.yaml")
    text = text.replace("\ndate: 2024-03-20\n", "\ndate: 2024-03-20\ncolour: red\n").replace("  - id: patrol", "  - id: patrl")
    text = text.replace("  - id: publicity\n    status: done", "  - id: publicity\n    status: finished")
    f = program_dir / "r.yaml"
    f.write_text(text, encoding="utf-8")
    msgs = "\n".join(_problems(f))
    assert "colour: unknown field 'colour'" in msgs
    assert re.search(r"r\.yaml:\d+:\d+: tasks\[2\]\.status: ", msgs)             # the bad status, in place
    assert "the program has no task with id 'patrl'" in msgs                       # cross-checked as well
    assert "task 'patrol' of the program has no status" in msgs
    assert "task 'publicity' of the program has no status" not in msgs            # no echo of the broken item


def test_long_chart_labels_get_rows_tall_enough():
    from workplan.render import charts
    labels = ["Share of households given a gas safety check at home by the end of the year",
              "Recorded falls at home among the elderly in the year under review", "Short"]
    c = charts.attainment_chart(labels, [0.9, 1.0, 1.1], [False, True, True], value_labels=["90%", "100%", "110%"],
                                target_label="Target", met_label="Met", not_met_label="Not met")
    lines = max(charts._wrap(x, charts.LABEL_WRAP).count("\n") + 1 for x in labels)
    assert lines >= 3
    assert c.height_mm >= charts.CHART_MARGIN_MM + len(labels) * lines * charts.LABEL_LINE_MM


def test_program_resolver_is_passed_in_and_no_environment_variable_is_read(tmp_path, monkeypatch):
    """A report names its archived program by code: the loader finds it only through the resolver
    it is given — $WORKPLAN_ARCHIVE pointing at the archive changes nothing — and the command
    line passes one for --archive (or $WORKPLAN_ARCHIVE, read by the CLI alone)."""
    import pickle
    import subprocess
    import sys
    from workplan.archive import init_archive
    arc = init_archive(tmp_path / "arc", fonds="J001", name="青松社区居委会")
    prog = tmp_path / "prog.yaml"
    shutil.copy(CORPUS / "winter-fire-safety.yaml", prog)
    rec = add_data_file(arc, prog, formats=(), notify=False, reason="a test")
    rep = tmp_path / "elsewhere" / "rep.yaml"
    rep.parent.mkdir()
    rep.write_text(WINTER_REPORT.read_text(encoding="utf-8").replace(
        "program: winter-fire-safety.yaml", f"program: {{archive: '{rec.code}'}}"), encoding="utf-8")
    monkeypatch.setenv("WORKPLAN_ARCHIVE", str(arc.root))
    with pytest.raises(ValidationFailed) as ei:
        load_document(rep)
    assert f"no archive is open to look up the archival code {rec.code}" in ei.value.format()
    assert "rep.yaml:10:" in ei.value.format()
    assert load_document(rep, program_resolver=ArchivePrograms(arc)).program_record.code == rec.code
    # by root, opened only when needed, and picklable (build --jobs sends it to worker processes)
    lazy = pickle.loads(pickle.dumps(ArchivePrograms(root=arc.root)))
    assert load_document(rep, program_resolver=lazy).program_record.code == rec.code
    assert load_document(prog, program_resolver=ArchivePrograms(root=tmp_path / "none")).kind == "program"
    cli = [sys.executable, "-m", "workplan.cli", "validate", str(rep)]
    ok = subprocess.run([*cli, "--archive", str(arc.root)], capture_output=True, text=True, timeout=120,
                        env={k: v for k, v in __import__("os").environ.items() if k != "WORKPLAN_ARCHIVE"})
    assert ok.returncode == 0, ok.stderr
    by_env = subprocess.run(cli, capture_output=True, text=True, timeout=120)  # $WORKPLAN_ARCHIVE, read by the CLI
    assert by_env.returncode == 0, by_env.stderr
    missing = subprocess.run([*cli, "--archive", str(tmp_path / "none")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and f"cannot open the archive to find {rec.code}" in missing.stderr
