"""The one core ingest function, `workplan.ingest.add_data_files`: what the command line, the
site and the job queue call. Data files only (no renditions), so the module stays fast."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_archive import write_doc

from workplan.archive import init_archive, open_archive
from workplan.errors import WorkplanError
from workplan.ingest import (
    NothingArchived,
    add_data_files,
    add_imported,
    check_data_file,
)


@pytest.fixture
def arc(tmp_path):
    init_archive(tmp_path / "arc", fonds="J001", name="测试全宗").close()
    with open_archive(tmp_path / "arc") as a:
        yield a


def docs(tmp_path: Path, serials) -> list[Path]:
    (tmp_path / "src").mkdir(exist_ok=True)
    return [write_doc(tmp_path / "src" / f"d{s}.yaml", serial=s) for s in serials]


def test_each_file_is_told_through_the_callbacks(arc, tmp_path):
    paths = docs(tmp_path, [1, 2, 3])
    heard, progress = [], []
    out = add_data_files(arc, paths, formats=(), reason="a test", on_record=lambda r, s: heard.append((r.code, s)),
                         on_progress=lambda done, total: progress.append((done, total)))
    assert [c for c, _ in heard] == out.codes and len(set(out.codes)) == 3
    assert not any(s for _, s in heard) and out.failures == 0 and progress[-1] == (3, 3)
    assert sorted(r.title for r in arc.records()) == ["测试工作方案1", "测试工作方案2", "测试工作方案3"]
    # again=False: an identical file is skipped and said so; nothing new is archived
    heard.clear()
    again = add_data_files(arc, paths[:1], formats=(), reason="a test", again=False,
                           on_record=lambda r, s: heard.append((r.code, s)))
    assert heard == [(out.codes[0], True)] and again.records == [] and len(again.skipped) == 1
    assert arc.get(out.codes[0]).version == 1


def test_a_refused_file_stops_the_batch_before_anything_is_written(arc, tmp_path):
    good, other = docs(tmp_path, [1, 2])
    broken = tmp_path / "src" / "broken.yaml"
    broken.write_text("title: {zh: 坏}\nunits: [\n", encoding="utf-8")
    missing = tmp_path / "src" / "missing.yaml"
    with pytest.raises(NothingArchived) as e:
        add_data_files(arc, [good, broken, other, missing], formats=(), reason="a test",
                       on_record=lambda r, s: pytest.fail("nothing may be archived"))
    files = {Path(p.file).name for p in e.value.problems}
    assert files == {"broken.yaml", "missing.yaml"}, e.value.format()
    assert arc.records() == []


def test_a_file_failing_after_the_check_goes_to_on_problem_and_the_others_are_archived(arc, tmp_path,
                                                                                        monkeypatch):
    from workplan.ingest import batch
    a, b, c = docs(tmp_path, [1, 2, 3])
    changed = {b, c}

    def check_then_change(arc_, path, **kw):  # the file is edited after its check: its copy is refused
        checked = check_data_file(arc_, path, **kw)
        if Path(path) in changed:
            path.write_text(path.read_text(encoding="utf-8").replace("方案", "计划"), encoding="utf-8")
        return checked
    monkeypatch.setattr(batch, "check_data_file", check_then_change)
    problems: list[WorkplanError] = []
    out = add_data_files(arc, [a, b], formats=(), reason="a test", on_problem=problems.append)
    assert [r.title for r in out.records] == ["测试工作方案1"] and out.failures == 1
    assert len(problems) == 1 and "changed while it was being archived" in problems[0].format()
    # without on_problem, the files not archived are raised at the end
    with pytest.raises(WorkplanError, match="changed while it was being archived"):
        add_data_files(arc, [c], formats=(), reason="a test")
    assert len(arc.records()) == 1


def test_the_validated_documents_go_to_the_change_listeners_and_the_index_takes_them(arc, tmp_path, monkeypatch):
    """The index does not parse an archived source again when the writer hands it the document
    it validated (passed explicitly with the codes, not kept in a module)."""
    from workplan.search import extract as ex
    paths = docs(tmp_path, [1, 2])
    heard: list = []
    arc.on_change(lambda a, codes, *, documents: heard.append((codes, documents)))
    out = add_data_files(arc, paths, formats=(), reason="a test")
    ((codes, documents),) = heard
    assert codes == out.codes
    shas = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in paths}
    assert set(documents) == set(shas)
    assert {d.title.zh for d in documents.values()} == {"测试工作方案1", "测试工作方案2"}

    def no_parsing(*a, **k):
        raise AssertionError("the source was parsed again")
    monkeypatch.setattr(ex, "load_source", no_parsing)
    rec = arc.get(out.codes[0])
    doc = ex.extract(rec, arc, documents=documents)
    assert "测试工作方案" in doc.text_zh
    with pytest.raises(AssertionError, match="parsed again"):
        ex.extract(rec, arc)  # without them it reads the archived source


def test_an_imported_document_without_a_date_is_refused_naming_the_option(arc, tmp_path):
    src = tmp_path / "old.txt"
    src.write_text("关于开展冬季防火工作的通知\n", encoding="utf-8")
    data_file = tmp_path / "old.yaml"
    data_file.write_text("title: {zh: 通知}\n", encoding="utf-8")
    data = {"units": [{"id": "o", "zh": "测试办公室"}], "issuers": ["o"]}
    with pytest.raises(WorkplanError, match="does not state its date") as e:
        add_imported(arc, src, data_file, {"title": "通知"}, data)
    assert "--date" in e.value.format() and arc.records() == []
    rec = add_imported(arc, src, data_file, {"title": "通知"}, data, date="2019-11-02", org="BGS")
    assert (rec.issuer, rec.kind, rec.date.isoformat()) == ("测试办公室", "legacy", "2019-11-02")


def test_positions_of_the_one_reading_locate_a_missing_translation(tmp_path, monkeypatch):
    """The IR is given the positions of the file as read once; it never parses the YAML again."""
    from workplan.errors import MissingTranslation
    from workplan.model import load, load_source
    from workplan.render import build_ir
    p = write_doc(tmp_path / "zh.yaml")
    p.write_text(p.read_text(encoding="utf-8").replace("{title: 任务一,", "{title: {zh: 任务一},"), encoding="utf-8")
    src = load_source(p)
    monkeypatch.setattr(load, "read_data", lambda *a, **k: pytest.fail("the file was parsed again"))
    with pytest.raises(MissingTranslation) as e:
        build_ir(src.doc, "en", file=str(p), positions=src.positions, draw=False)
    located = {p.path: p.line for p in e.value.problems}
    assert located["sections[0].tasks[0].title"] == 12 and located["units[0].en"] == 3, e.value.format()
    with pytest.raises(MissingTranslation) as e:
        build_ir(src.doc, "en", file=str(p), draw=False)
    assert e.value.problems[0].line is None  # no positions given: the field path only
