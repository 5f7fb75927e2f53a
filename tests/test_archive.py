"""The archive: archival codes, bags, versions, catalogue, audit trail, and each guarantee of
the issue tested for real (tampering, log edits, kills, concurrent writers, rebuild, bad input).

Most tests use small pre-made files (a 2-page PDF, a tiny DOCX, short data files) so the
whole module stays fast; one test builds a real corpus document.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import bagit
import pytest

from conftest import ROOT
from workplan.archive import init_archive, open_archive, parse_code
from workplan.archive.codes import (check_retention, expiry_date, format_code, normalize_code, org_code)
from workplan.errors import WorkplanError
from workplan.ingest import add_data_file, add_files

WORKPLAN = [sys.executable, "-m", "workplan.cli"]
CODE_2024 = "J001-WS\u00b72024-D30-BGS-{:04d}"


# --- helpers ---------------------------------------------------------------------------------
def run(*args: str, env: dict | None = None, check: bool = False) -> subprocess.CompletedProcess:
    e = dict(os.environ, PYTHONIOENCODING="utf-8")
    e.pop("WORKPLAN_ARCHIVE", None)
    e.update(env or {})
    r = subprocess.run([*WORKPLAN, *args], capture_output=True, text=True, cwd=ROOT, env=e, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def write_doc(path: Path, *, serial: int = 1, year: int = 2024, retention: str | None = "D30", abbr: str | None = "BGS",
              unit_id: str = "office", name: str = "测试办公室", doc_id: str | None = None, date: str | None = None,
              title: str | None = None, doc_number: bool = True) -> Path:
    lines = [f"title: {{zh: {title or f'测试工作方案{serial}'}, en: Test Work Program {serial}}}",
             "units:",
             f"  - {{id: {unit_id}, zh: {name}" + (f", abbr: {abbr}" if abbr else "") + "}",
             "  - {id: police, zh: 东湖派出所, abbr: PCS}",
             f"issuers: [{unit_id}]",
             f"date: {date or f'{year}-03-05'}"]
    if doc_number:
        lines.append(f"doc_number: 测办发〔{year}〕{serial}号")
    if retention:
        lines.append(f"retention: {retention}")
    if doc_id:
        lines.append(f"id: {doc_id}")
    lines += ["sections:", "  - type: tasks", "    tasks:",
              f"      - {{title: 任务一, lead: [{unit_id}], cooperating: [police]}}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> dict[str, Path]:
    """A 2-page PDF and a small DOCX (stand-ins for rendered or legacy documents)."""
    import docx
    from pypdf import PdfWriter
    d = tmp_path_factory.mktemp("tiny")
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.add_blank_page(595, 842)
    w.write(str(d / "tiny.pdf"))
    doc = docx.Document()
    doc.add_paragraph("测试文件")
    doc.save(str(d / "tiny.docx"))
    return {"pdf": d / "tiny.pdf", "docx": d / "tiny.docx"}


def prebuild(pre: Path, src: Path, tiny: dict, langs=("zh",)) -> Path:
    pre.mkdir(exist_ok=True)
    for lang in langs:
        for fmt in ("pdf", "docx"):
            shutil.copyfile(tiny[fmt], pre / f"{src.stem}.{lang}.{fmt}")
    return pre


def make_docs(tmp: Path, tiny: dict, serials, **kw) -> tuple[list[Path], Path]:
    src = tmp / "src"
    pre = tmp / "pre"
    src.mkdir(parents=True, exist_ok=True)
    out = []
    for s in serials:
        p = write_doc(src / f"doc{s:04d}.yaml", serial=s, **kw)
        prebuild(pre, p, tiny)
        out.append(p)
    return out, pre


@pytest.fixture
def root(tmp_path) -> Path:
    arc = init_archive(tmp_path / "arc", fonds="J001", name="测试全宗")
    arc.close()
    return tmp_path / "arc"


@pytest.fixture
def arc(root):
    from workplan.search import keep_index_current
    a = open_archive(root)
    keep_index_current(a)  # as the command line does: adds and disposals notify the search index
    yield a
    a.close()


@pytest.fixture(autouse=True)
def _no_search_hook(monkeypatch):
    """In-process adds do not touch the search index (its own tests cover the hook's effect)."""
    import workplan.search as search
    calls: list = []
    monkeypatch.setattr(search, "on_records_changed", lambda arc, codes, **_: calls.append(list(codes)),
                        raising=False)
    return calls


def tree_state(root: Path) -> dict[str, str]:
    """Every file's hash (the catalogue by its logical content); not the search index, locks or
    SQLite's WAL side files."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_dir() or rel.startswith("index/") or rel == ".lock" or rel.endswith(("-wal", "-shm")):
            continue
        if rel == "catalogue.sqlite":
            try:
                db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
                data = "\n".join(db.iterdump()).encode()
                db.close()
            except sqlite3.DatabaseError:
                data = p.read_bytes()
        else:
            data = p.read_bytes()
        out[rel] = hashlib.sha256(data).hexdigest()
    return out


def items(arc, **kw) -> list[int]:
    return sorted(parse_code(r.code).item for r in arc.records(**kw))


def flip_byte(p: Path) -> bytes:
    data = p.read_bytes()
    os.chmod(p, 0o644)
    i = len(data) // 2
    p.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
    return data


# --- codes -----------------------------------------------------------------------------------
def test_archival_codes_and_their_rules():
    code = format_code("J001", "WS", 2024, "D30", "BGS", 1)
    assert code == "J001-WS·2024-D30-BGS-0001"
    p = parse_code(code)
    assert (p.fonds, p.category, p.year, p.retention, p.org, p.item) == ("J001", "WS", 2024, "D30", "BGS", 1)
    assert parse_code("J001-WS·2024-D5-BGS-0001") is None
    assert normalize_code("j001-ws.2024-d30-bgs-0001") == code
    assert check_retention("d10") == "D10"
    with pytest.raises(WorkplanError, match="unknown retention code 'D5'"):
        check_retention("D5")
    # organization code: ASCII abbr, else the configured mapping, else the unit id
    assert org_code(abbr="qssq", unit_id="community", name="青松社区居委会") == "QSSQ"
    assert org_code(abbr="消防", unit_id="fire_station", name="消防站", mapping={"消防": "XF"}) == "XF"
    assert org_code(abbr="消防", unit_id="fire_station", name="消防站") == "FIRESTATION"
    with pytest.raises(WorkplanError, match="no organization code"):
        org_code(abbr=None, unit_id=None, name="青松社区居委会")
    assert expiry_date(dt.date(2000, 2, 29), "D10") == dt.date(2010, 2, 28)
    assert expiry_date(dt.date(2000, 1, 1), "Y") is None


# --- adding ------------------------------------------------------------------------------------
def test_add_prebuilt_document_makes_a_valid_bag_with_full_metadata(arc, tmp_path, tiny, _no_search_hook):
    (src,), pre = make_docs(tmp_path, tiny, [12])
    rec = add_data_file(arc, src, prebuilt=pre, reason="a test")
    assert rec.code == CODE_2024.format(1)
    assert (rec.version, rec.current, rec.status) == (1, True, "active")
    assert rec.identity == "测试办公室|测办发〔2024〕12号"
    assert (rec.title, rec.title_en) == ("测试工作方案12", "Test Work Program 12")
    assert (rec.issuer, rec.issuer_abbr, rec.doc_number) == ("测试办公室", "BGS", "测办发〔2024〕12号")
    assert (rec.date, rec.year, rec.retention, rec.kind) == (dt.date(2024, 3, 5), 2024, "D30", "program")
    assert rec.units == ("测试办公室", "东湖派出所") and rec.unit_ids == ("office", "police")
    assert rec.langs == ("zh",) and rec.pages == 2
    assert rec.roles == ("source", "docx:zh", "pdf:zh", "metadata")
    assert rec.main_pdf_role == "pdf:zh"
    assert _no_search_hook == [[rec.code]]
    # the source is kept byte for byte; renditions as given
    assert arc.file(rec, "source").read_bytes() == src.read_bytes()
    assert arc.file(rec, "pdf:zh").read_bytes() == tiny["pdf"].read_bytes()
    with pytest.raises(WorkplanError, match="no 'pdf:en' file"):
        arc.file(rec, "pdf:en")
    # a standard BagIt bag, checked by the bagit library itself
    bag = bagit.Bag(str(rec.bag_dir))
    bag.validate()
    assert "sha256" in bag.algorithms
    assert bag.info["Archival-Code"] == rec.code and bag.info["Document-Number"] == "测办发〔2024〕12号"
    assert bag.info["Title"] == "测试工作方案12" and bag.info["Issuer"] == "测试办公室"
    assert bag.info["Document-Date"] == "2024-03-05"
    # metadata.json: every Record field plus the hashes of the other files
    md = json.loads(arc.file(rec, "metadata").read_bytes())
    assert md["code"] == rec.code and md["identity"] == rec.identity and md["pages"] == 2
    for role in ("source", "docx:zh", "pdf:zh"):
        f = md["files"][role]
        assert f["sha256"] == hashlib.sha256((rec.bag_dir / f["path"]).read_bytes()).hexdigest()
    assert arc.verify_record(rec.code) == []


def test_a_batch_leaves_ordinary_folders_and_nothing_in_tmp(arc, root, tmp_path, tiny):
    """A record's folder is its staging workspace moved into place: it gets the permissions of any
    folder made here (not a private temporary folder's 0700), every bag checks, and neither the
    first versions nor a new version leave anything behind in tmp/."""
    from workplan.ingest import add_data_files
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    recs = add_data_files(arc, docs, prebuilt=pre, reason="a test").records
    (tmp_path / "probe").mkdir()
    usual = (tmp_path / "probe").stat().st_mode & 0o7777
    for rec in recs:
        for d in (root / "bags" / rec.code, rec.bag_dir, rec.bag_dir / "data"):
            assert d.stat().st_mode & 0o7777 == usual, d
        assert sorted(p.name for p in (root / "bags" / rec.code).iterdir()) == ["v1"]
        bagit.Bag(str(rec.bag_dir)).validate()
    assert not any((root / "tmp").iterdir())
    docs[0].write_text(docs[0].read_text(encoding="utf-8") + "keywords: [修订]\n", encoding="utf-8")
    (v2,) = add_data_files(arc, docs[:1], prebuilt=pre, reason="a test").records
    assert (v2.code, v2.version) == (recs[0].code, 2)
    assert v2.bag_dir.stat().st_mode & 0o7777 == usual
    assert not any((root / "tmp").iterdir())
    assert arc.verify(record_event=False).ok


def test_a_file_changed_between_check_and_copy_is_refused(arc, root, tmp_path, tiny):
    """The metadata (and renditions) come from the bytes checked; a file that changed before its
    copy was staged (even keeping its size and time) is refused, and nothing is archived."""
    from workplan.ingest import check_data_file
    (src,), pre = make_docs(tmp_path, tiny, [5])
    checked = check_data_file(arc, src, prebuilt=pre)
    st = src.stat()
    src.write_text(src.read_text(encoding="utf-8").replace("测试工作方案5", "测试工作方案6"), encoding="utf-8")
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert src.stat().st_size == st.st_size
    with pytest.raises(WorkplanError, match="changed while it was being archived"):
        add_data_file(arc, checked, reason="a test")
    assert arc.records() == []
    rec = add_data_file(arc, src, prebuilt=pre, retention="D10", reason="a test")  # checked again: archived
    assert rec.title == "测试工作方案6"


def test_item_numbers_are_sequential_within_their_group(arc, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    other_ret = write_doc(tmp_path / "src" / "y.yaml", serial=4, retention="Y")
    other_year = write_doc(tmp_path / "src" / "old.yaml", serial=5, year=2023)
    other_org = write_doc(tmp_path / "src" / "pcs.yaml", serial=6, abbr="消防", unit_id="fire_station")
    codes = [add_data_file(arc, p, prebuilt=pre, reason="a test").code for p in docs]
    codes += [add_data_file(arc, p, formats=(), reason="a test").code for p in (other_ret, other_year, other_org)]
    assert codes == [CODE_2024.format(1), CODE_2024.format(2), CODE_2024.format(3),
                     "J001-WS·2024-Y-BGS-0001", "J001-WS·2023-D30-BGS-0001", "J001-WS·2024-D30-FIRESTATION-0001"]
    assert [r.code for r in arc.records()] == sorted(codes)
    assert [r.code for r in arc.records(year=2024, retention="D30", unit="BGS")] == codes[:3]
    assert [r.code for r in arc.records(unit="派出所")] == sorted(codes)  # named in every document's tasks


def test_same_identity_makes_a_new_version_and_keeps_the_old(arc, tmp_path, tiny):
    (src,), pre = make_docs(tmp_path, tiny, [7])
    v1 = add_data_file(arc, src, prebuilt=pre, reason="a test")
    v1_state = tree_state(v1.bag_dir)
    src.write_text(src.read_text(encoding="utf-8").replace("任务一", "任务一（修订）"), encoding="utf-8")
    v2 = add_data_file(arc, src, prebuilt=pre, reason="a test")
    assert v2.code == v1.code and v2.version == 2 and v2.current and v2.status == "active"
    assert v2.bag_dir == v1.bag_dir.parent / "v2"
    vs = arc.versions(v1.code)
    assert [(v.version, v.status, v.current) for v in vs] == [(1, "superseded", False), (2, "active", True)]
    assert [v.version for v in arc.versions(v1.identity)] == [1, 2]
    assert tree_state(v1.bag_dir) == v1_state  # never overwritten
    assert arc.file(vs[0], "source").read_bytes() != arc.file(vs[1], "source").read_bytes()
    assert arc.get(v1.code).version == 2
    assert len(arc.records()) == 1 and len(arc.records(current_only=False)) == 2
    assert bagit.Bag(str(v2.bag_dir)).info["Supersedes-Version"] == "1"
    # an explicit id is an identity too
    a = add_data_file(arc, write_doc(tmp_path / "a.yaml", serial=8, doc_id="winter-2024"), formats=(), reason="a test")
    b = add_data_file(arc, write_doc(tmp_path / "b.yaml", serial=9, doc_id="winter-2024"), formats=(), reason="a test")
    assert (a.code, a.version, b.version) == (b.code, 1, 2) and b.identity == "winter-2024"


def test_new_version_may_not_change_the_archival_code(arc, tmp_path, root):
    p = write_doc(tmp_path / "d.yaml", serial=3)
    add_data_file(arc, p, formats=(), reason="a test")
    before = tree_state(root)
    write_doc(p, serial=3, retention="Y")
    with pytest.raises(WorkplanError, match="retention D30 → Y; an archival code never changes"):
        add_data_file(arc, p, formats=(), reason="a test")
    assert tree_state(root) == before


def test_legacy_file_with_metadata_from_the_command_line(root, tiny):
    args = ["archive", "--archive", str(root), "add", str(tiny["pdf"]), "--title", "关于开展冬季防火工作的通知",
            "--issuer", "青松社区居委会", "--org", "QSSQ", "--date", "2019-11-02", "--doc-number",
            "青社发〔2019〕8号", "--retention", "D10", "--reason", "a clearer scan"]
    r = run(*args, check=True)
    code = r.stdout.strip()
    assert code == "J001-WS·2019-D10-QSSQ-0001"
    r2 = run(*args, check=True)
    assert r2.stdout.strip() == code and "version 2" in r2.stderr
    with open_archive(root) as arc:
        rec = arc.get(code)
        assert (rec.version, rec.kind, rec.pages, rec.roles) == (2, "legacy", 2, ("original", "metadata"))
        assert rec.main_pdf_role == "original"
        assert rec.identity == "青松社区居委会|青社发〔2019〕8号" and rec.issuer_abbr == "QSSQ"
        assert arc.file(rec, "original").read_bytes() == tiny["pdf"].read_bytes()
    r = run("archive", "--archive", str(root), "show", code)
    assert r.returncode == 0 and "superseded" in r.stdout and hashlib.sha256(
        tiny["pdf"].read_bytes()).hexdigest() in r.stdout


def test_real_corpus_document_is_built_and_archived(arc, winter_file, tmp_path):
    import docx
    from pypdf import PdfReader
    rec = add_data_file(arc, winter_file, langs=("zh",), reason="a test")
    assert rec.roles == ("source", "docx:zh", "pdf:zh", "metadata")
    assert rec.code == "J001-WS·2023-D30-QSSQ-0001" and rec.doc_number == "青社发〔2023〕12号"
    assert arc.file(rec, "source").read_bytes() == winter_file.read_bytes()
    reader = PdfReader(str(arc.file(rec, "pdf:zh")))
    assert rec.pages == len(reader.pages) > 0
    text = "\n".join(p.text for p in docx.Document(str(arc.file(rec, "docx:zh"))).paragraphs)
    assert "冬季防火工作方案" in text
    assert arc.verify_record(rec.code) == []


def test_add_jobs_builds_renditions_in_worker_processes(root, tmp_path):
    """`archive add --jobs 2` builds the renditions in two processes: the same records as one
    process makes (codes in the order given, each bag complete and valid, its PDF's page count
    recorded)."""
    src = tmp_path / "src"
    src.mkdir()
    for s in (1, 2, 3):
        write_doc(src / f"d{s}.yaml", serial=s)
    r = run("archive", "--archive", str(root), "add", str(src), "--jobs", "2", "--format", "docx,pdf")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [CODE_2024.format(n) for n in (1, 2, 3)]
    arc = open_archive(root)
    recs = arc.records()
    assert [r.doc_number for r in recs] == [f"测办发〔2024〕{s}号" for s in (1, 2, 3)]
    for rec in recs:
        assert rec.roles == ("source", "docx:zh", "pdf:zh", "metadata") and rec.pages >= 1
        assert arc.file(rec, "source").read_bytes() == (src / f"d{rec.item}.yaml").read_bytes()
        bagit.Bag(str(rec.bag_dir)).validate()
    assert arc.verify(record_event=False).ok
    assert not any((root / "tmp").iterdir())
    arc.close()


# --- verify: tampering, missing, orphan, catalogue vs bags ----------------------------------------
def test_changing_one_byte_of_any_stored_file_is_detected_and_named(arc, root, tmp_path, tiny):
    (src,), pre = make_docs(tmp_path, tiny, [1])
    rec = add_data_file(arc, src, prebuilt=pre, reason="a test")
    files = sorted(p for p in rec.bag_dir.rglob("*") if p.is_file())
    assert len(files) == 8  # 4 payload files + bagit.txt, bag-info.txt, manifest, tagmanifest
    for p in files:
        rel = p.relative_to(root).as_posix()
        original = flip_byte(p)
        rep = arc.verify(record_event=False)
        assert not rep.ok, rel
        assert rel in {f.file for f in rep.findings}, (rel, [f.format() for f in rep.findings])
        assert any(f.file == rel for f in arc.verify_record(rec.code))
        p.write_bytes(original)
        assert arc.verify(record_event=False).ok
    # the command line: exit 1, the file named
    target = arc.file(rec, "pdf:zh")
    flip_byte(target)
    r = run("archive", "--archive", str(root), "verify")
    assert r.returncode == 1
    assert target.relative_to(root).as_posix() in r.stderr and "hash mismatch" in r.stderr
    r = run("archive", "--archive", str(root), "verify", "--json")
    report = json.loads(r.stdout)
    assert report["ok"] is False and report["findings"][0]["kind"] == "hash-mismatch"
    # --repair does not "fix" tampering
    assert not arc.verify(repair=True).ok


def test_missing_orphan_unrecorded_and_lost_bags(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    recs = [add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs]
    assert arc.verify().ok
    # missing payload file
    docx_path = arc.file(recs[0], "docx:zh")
    saved = docx_path.read_bytes()
    docx_path.unlink()
    rep = arc.verify(record_event=False)
    assert [(f.kind, f.file) for f in rep.findings] == [("missing-file", docx_path.relative_to(root).as_posix())]
    docx_path.write_bytes(saved)
    # orphan file inside a bag
    stray = recs[0].bag_dir / "data" / "extra.txt"
    stray.write_text("not archived")
    rep = arc.verify(record_event=False)
    assert [(f.kind, f.file) for f in rep.findings] == [("orphan-file", stray.relative_to(root).as_posix())]
    stray.unlink()
    # a bag the catalogue does not know: repairable from the bag
    db = sqlite3.connect(root / "catalogue.sqlite")
    db.execute("DELETE FROM records WHERE code = ?", (recs[1].code,))
    db.commit()
    db.close()
    rep = arc.verify(record_event=False)
    assert [(f.kind, f.repairable) for f in rep.findings] == [("bag-without-record", True)]
    rep = arc.verify(repair=True)
    assert rep.ok and rep.repaired
    assert arc.get(recs[1].code).title == recs[1].title
    # a record whose bag is gone: named, a gap, and nothing "repaired" away
    shutil.rmtree(root / "bags" / recs[1].code)
    rep = arc.verify(repair=True)
    kinds = {(f.kind, f.code) for f in rep.findings}
    assert ("record-without-bag", recs[1].code) in kinds and ("gap", recs[1].code) in kinds
    assert all(not f.repairable for f in rep.findings)
    assert arc.verify_record(recs[0].code) == [] and arc.verify_record(recs[2].code) == []


def test_edited_or_deleted_log_entries_break_the_chain(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    for p in docs:
        add_data_file(arc, p, prebuilt=pre, reason="a test")
    log = root / "events.jsonl"
    original = log.read_bytes()
    lines = original.split(b"\n")
    assert len(lines) == 5 and lines[-1] == b""  # init + 3 ingestions
    for e in (json.loads(x) for x in lines[:-1]):
        assert set(e) == {"id", "type", "time", "agent", "object", "outcome", "detail", "prev"}
        assert e["agent"].startswith("workplan/") and "@" in e["agent"] and e["time"].endswith("+00:00")
    assert arc.verify(record_event=False).ok

    def findings_after(data: bytes):
        log.write_bytes(data)
        return [f for f in arc.verify(record_event=False).findings]

    # edit one character of entry #2 (a title)
    edited = lines[1].replace("测试工作方案1".encode(), "测试工作方案9".encode())
    assert edited != lines[1]
    fs = findings_after(b"\n".join([lines[0], edited, *lines[2:]]))
    assert any(f.kind == "log-chain" and f.file == "events.jsonl" and f.line == 3 for f in fs)
    # delete entry #3 from the middle
    fs = findings_after(b"\n".join([*lines[:2], *lines[3:]]))
    assert any(f.kind == "log-chain" and "#3 is missing" in f.message for f in fs)
    # delete the last entry: caught against the catalogue's log head (and the record lost its event)
    fs = findings_after(b"\n".join([*lines[:3], b""]))
    assert {"log-truncated", "missing-event"} <= {f.kind for f in fs}
    # edit the last entry
    last = json.loads(lines[3])
    last["outcome"] = "failure"
    fs = findings_after(b"\n".join([*lines[:3], json.dumps(last, ensure_ascii=False, separators=(",", ":")).encode(), b""]))
    assert any(f.kind == "log-chain" and f.line == 4 for f in fs)
    # none of it is "repaired" away
    assert not arc.verify(repair=True, record_event=False).ok
    log.write_bytes(original)
    assert arc.verify().ok
    # putting back an older copy of the log is caught too
    log.write_bytes(original)
    assert any(f.kind == "log-truncated" for f in arc.verify(record_event=False).findings)


def test_incomplete_last_log_line_and_leftovers_are_repaired(arc, root, tmp_path, tiny):
    (src,), pre = make_docs(tmp_path, tiny, [1])
    add_data_file(arc, src, prebuilt=pre, reason="a test")
    good = tree_state(root / "bags")
    with open(root / "events.jsonl", "ab") as f:
        f.write(b'{"id":3,"type":"ingest')
    (root / "tmp" / "add-leftover").mkdir()
    (root / "tmp" / "add-leftover" / "x.pdf").write_bytes(b"%PDF")
    rep = arc.verify(record_event=False)
    assert {(f.kind, f.file) for f in rep.findings} == {("log-incomplete", "events.jsonl"),
                                                       ("leftover", "tmp/add-leftover")}
    assert all(f.repairable for f in rep.findings)
    rep = arc.verify(repair=True)
    assert rep.ok, [f.format() for f in rep.findings]
    assert not (root / "tmp" / "add-leftover").exists()
    assert tree_state(root / "bags") == good
    assert (root / "events.jsonl").read_bytes().endswith(b"\n")


# --- catalogue rebuild -------------------------------------------------------------------------
def test_rebuild_catalogue_after_deleting_it_gives_identical_lists(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    for p in docs:
        add_data_file(arc, p, prebuilt=pre, reason="a test")
    add_data_file(arc, docs[0], prebuilt=pre, reason="a test")  # v2
    add_data_file(arc, write_doc(tmp_path / "old.yaml", serial=9, year=2000, retention="D10"), formats=(), reason="a test")
    add_files(arc, [tiny["docx"]], title="旧文件", issuer="测试办公室", issuer_abbr="BGS", date="2001-01-01", kind="legacy", reason="a test")
    arc.dispose("J001-WS·2000-D10-BGS-0001", reason="a test")
    arc.close()
    cmds = [["list"], ["list", "--all-versions", "--json"], ["list", "--year", "2024", "--unit", "BGS"]]
    before = [run("archive", "--archive", str(root), *c, check=True).stdout for c in cmds]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{root / 'catalogue.sqlite'}{suffix}").unlink(missing_ok=True)
    r = run("archive", "--archive", str(root), "list")
    assert r.returncode == 1 and "catalogue is missing" in r.stderr and "rebuild-catalogue" in r.stderr
    r = run("archive", "--archive", str(root), "rebuild-catalogue", check=True)
    assert "6 row(s)" in r.stdout
    after = [run("archive", "--archive", str(root), *c, check=True).stdout for c in cmds]
    assert after == before
    assert "J001-WS·2000-D10-BGS-0001" in before[0] and "disposed" in before[0]
    with open_archive(root) as a:
        assert a.verify().ok
        assert [e.type for e in a.log()[0]][-2:] == ["rebuild-catalogue", "fixity-check"]


# --- crashes --------------------------------------------------------------------------------------
STEPS = ["staged", "locked", "allocated", "bagged", "placed", "logged", "committed"]


def test_killed_at_each_step_of_add_leaves_no_half_record(root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, range(1, len(STEPS) + 2))
    expected: list[int] = []
    for i, step in enumerate(STEPS):
        good = tree_state(root / "bags")
        r = run("archive", "--archive", str(root), "add", str(docs[i]), "--from", str(pre),
                env={"WORKPLAN_ARCHIVE_CRASH_AT": step})
        assert r.returncode == -9, (step, r.stderr)
        with open_archive(root) as arc:
            listed = [x.code for x in arc.records()]
            rep = arc.verify(record_event=False)
            assert rep.ok or all(f.repairable for f in rep.findings), (step, [f.format() for f in rep.findings])
            rep = arc.verify(repair=True)
            assert rep.ok, (step, [f.format() for f in rep.findings])
            made_it = step in ("placed", "logged", "committed")
            if made_it:
                expected.append(len(expected) + 1)
            assert items(arc) == expected, step
            codes = [x.code for x in arc.records()]
            assert set(listed) <= set(codes)  # what was listed stays; nothing half-made was listed
            if made_it:
                assert arc.verify_record(codes[-1]) == []
                assert arc.get(codes[-1]).title == f"测试工作方案{i + 1}"
            assert not any((root / "tmp").iterdir())
            after = tree_state(root / "bags")
            assert {k: after.get(k) for k in good} == good  # good records untouched
    with open_archive(root) as arc:
        add_data_file(arc, docs[-1], prebuilt=pre, reason="a test")
        assert items(arc) == list(range(1, len(expected) + 2))  # gap-free
        types = [e.type for e in arc.log()[0]]
        assert types.count("ingestion") == len(expected) + 1


def test_killed_at_random_moments_verify_and_repair(root, tmp_path, tiny):
    """SIGKILL at a random moment once the writer has started staging files."""
    rnd = random.Random(7)
    counts = []
    for round_ in range(3):
        docs, pre = make_docs(tmp_path / f"r{round_}", tiny, range(round_ * 100 + 1, round_ * 100 + 61))
        p = subprocess.Popen([*WORKPLAN, "archive", "--archive", str(root), "add", str(docs[0].parent),
                              "--from", str(pre)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        before = len(list((root / "bags").iterdir()))
        # round 0: soon after staging starts; later rounds: after the first batch is in place
        ready = (lambda: any((root / "tmp").iterdir())) if round_ == 0 else \
            (lambda: len(list((root / "bags").iterdir())) > before)
        deadline = time.monotonic() + 60
        while not ready() and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rnd.uniform(0.0, 0.8))
        p.kill()
        p.wait()
        with open_archive(root) as arc:
            rep = arc.verify(record_event=False)
            assert rep.ok or all(f.repairable for f in rep.findings), [f.format() for f in rep.findings]
            assert arc.verify(repair=True).ok
            n = len(arc.records())
            assert items(arc) == list(range(1, n + 1))
            counts.append(n)
    assert counts[-1] < 180  # the kills did interrupt the writers
    with open_archive(root) as arc:
        for r in arc.records():
            assert arc.verify_record(r.code) == []


def test_killed_during_disposal_is_finished_by_repair(arc, root, tmp_path):
    rec = add_data_file(arc, write_doc(tmp_path / "old.yaml", serial=1, year=2001, retention="D10"), formats=(), reason="a test")
    arc.close()
    r = run("archive", "--archive", str(root), "dispose", rec.code, "--confirm", "--reason", "expired",
            env={"WORKPLAN_ARCHIVE_CRASH_AT": "placed"})
    assert r.returncode == -9
    with open_archive(root) as a:
        rep = a.verify(record_event=False)
        kinds = {f.kind for f in rep.findings}
        assert "interrupted-disposal" in kinds and all(f.repairable for f in rep.findings)
        assert a.verify(repair=True).ok
        assert a.get(rec.code).status == "disposed"
        assert sorted(p.name for p in (root / "bags" / rec.code).iterdir()) == ["tombstone"]


# --- concurrency -----------------------------------------------------------------------------------
def test_two_writers_adding_50_each_get_100_unique_gap_free_numbers(root, tmp_path, tiny):
    procs = []
    for w in range(2):
        docs, pre = make_docs(tmp_path / f"w{w}", tiny, range(w * 50 + 1, w * 50 + 51))
        procs.append(subprocess.Popen([*WORKPLAN, "archive", "--archive", str(root), "add", str(docs[0].parent),
                                       "--from", str(pre)], cwd=ROOT, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    printed = [line for o in outs for line in o[0].split()]
    assert len(printed) == len(set(printed)) == 100
    with open_archive(root) as arc:
        assert items(arc) == list(range(1, 101))
        assert sorted(r.code for r in arc.records()) == sorted(printed)
        assert arc.verify().ok
        assert sum(e.type == "ingestion" for e in arc.log()[0]) == 100


# --- disposal and export ----------------------------------------------------------------------------
def test_disposal_only_after_retention_expires_and_keeps_a_tombstone(arc, root, tmp_path, tiny):
    old = add_data_file(arc, write_doc(tmp_path / "old.yaml", serial=1, year=2001, retention="D10"), formats=(), reason="a test")
    add_data_file(arc, write_doc(tmp_path / "old.yaml", serial=1, year=2001, retention="D10"), formats=(), reason="a test")  # v2
    forever = add_data_file(arc, write_doc(tmp_path / "y.yaml", serial=2, retention="Y"), formats=(), reason="a test")
    recent = add_data_file(arc, write_doc(tmp_path / "new.yaml", serial=3), formats=(), reason="a test")
    with pytest.raises(WorkplanError, match="kept permanently"):
        arc.dispose(forever.code, reason="a test")
    with pytest.raises(WorkplanError, match="runs until 2054-03-05"):
        arc.dispose(recent.code, reason="a test")
    arc.close()
    r = run("archive", "--archive", str(root), "dispose", old.code)
    assert r.returncode == 1 and "--confirm" in r.stderr
    r = run("archive", "--archive", str(root), "dispose", old.code, "--confirm", "--reason", "鉴定销毁")
    assert r.returncode == 0, r.stderr
    with open_archive(root) as a:
        rec = a.get(old.code)
        assert rec.status == "disposed" and rec.disposed_at and rec.roles == ("metadata",)
        assert [v.status for v in a.versions(old.code)] == ["disposed", "disposed"]
        assert sorted(p.name for p in (root / "bags" / old.code).iterdir()) == ["tombstone"]
        tomb = json.loads(a.file(rec, "metadata").read_bytes())
        assert tomb["status"] == "disposed" and tomb["reason"] == "鉴定销毁" and len(tomb["versions"]) == 2
        assert tomb["versions"][0]["files"]["source"]["sha256"]  # evidence of what was destroyed
        bagit.Bag(str(rec.bag_dir)).validate()
        with pytest.raises(WorkplanError, match="disposed"):
            a.file(rec, "source")
        with pytest.raises(WorkplanError, match="already disposed"):
            a.dispose(old.code, reason="a test")
        with pytest.raises(WorkplanError, match="cannot get new versions"):
            add_data_file(a, tmp_path / "old.yaml", formats=(), reason="a test")
        assert [e.type for e in a.log(old.code)[0]] == ["ingestion", "new-version", "disposal"]
        assert a.verify().ok
        assert items(a, year=2001) == [1]  # the number is never reused


def test_export_transfer_package(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    recs = [add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs]
    add_data_file(arc, docs[0], prebuilt=pre, reason="a test")  # v2 of the first
    add_data_file(arc, write_doc(tmp_path / "o.yaml", serial=3, year=2023), formats=(), reason="a test")  # another year
    out = tmp_path / "transfer.zip"
    res = arc.export(out, year=2024)
    assert (res.records, res.documents) == (2, 2)
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert f"bags/{recs[0].code}/v2/bagit.txt" in names and f"bags/{recs[1].code}/v1/data/metadata.json" in names
        assert not any("/v1/" in n for n in names if recs[0].code in n)  # current versions only
        raw = z.read("catalogue.csv")
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = [line.split(",") for line in raw.decode("utf-8-sig").splitlines()]
        assert rows[0] == ["档号", "文号", "责任者", "题名", "日期", "页数", "保管期限", "备注"]
        assert rows[1] == [recs[0].code, "测办发〔2024〕1号", "测试办公室", "测试工作方案1", "20240305", "2", "30年",
                           "第2版，替代第1版"]
        from openpyxl import load_workbook
        ws = load_workbook(io.BytesIO(z.read("catalogue.xlsx"))).active
        assert ws.title == "归档文件目录"
        assert [c.value for c in ws[1]] == rows[0] and ws.cell(3, 1).value == recs[1].code
        for line in z.read("manifest-sha256.txt").decode().splitlines():
            h, name = line.split("  ", 1)
            assert hashlib.sha256(z.read(name)).hexdigest() == h
    ev = arc.log()[0][-1]
    assert ev.type == "export" and ev.detail["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    res = arc.export(tmp_path / "all.zip", year=2024, all_versions=True)
    assert res.records == 3
    # a damaged record stops the export before anything is written
    flip_byte(arc.file(recs[1], "pdf:zh"))
    with pytest.raises(WorkplanError, match="failed their fixity check"):
        arc.export(tmp_path / "bad.zip", year=2024)
    assert not (tmp_path / "bad.zip").exists() and not list(tmp_path.glob(".bad.zip*"))


# --- bad input ---------------------------------------------------------------------------------------
def test_bad_input_gets_a_clear_message_and_changes_nothing(root, tmp_path, tiny):
    (good,), pre = make_docs(tmp_path, tiny, [1])
    run("archive", "--archive", str(root), "add", str(good), "--from", str(pre), check=True)
    before = tree_state(root)
    broken = tmp_path / "src" / "broken.yaml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    second = write_doc(tmp_path / "src" / "second.yaml", serial=2)
    prebuild(pre, second, tiny)
    a = ["archive", "--archive", str(root)]
    cases = [
        ([*a, "add", str(second), "--from", str(pre), "--retention", "D5"], "'D5' is not a retention code"),
        ([*a, "add", str(tmp_path / "nope.yaml")], "nope.yaml: file not found"),
        ([*a, "add", str(tmp_path / "nope.pdf"), "--title", "t", "--issuer", "i", "--date", "2024-01-01"],
         "nope.pdf: file not found"),
        ([*a, "add", str(second), str(broken), "--from", str(pre)], "broken.yaml:2:"),
        ([*a, "add", str(second), "--lang", "en"], "nothing was archived"),  # a translation is missing
        ([*a, "add", str(tiny["pdf"])], "needs --title, --issuer, --date"),
        ([*a, "add", str(tiny["pdf"]), "--title", "t", "--issuer", "某单位", "--date", "2024-01-01"],
         "no organization code"),
        ([*a, "add", str(tiny["pdf"]), "--title", "t", "--issuer", "i", "--org", "I", "--date", "yesterday"],
         "cannot read the date 'yesterday'"),
        ([*a, "add", str(second), "--from", str(tmp_path)], "the pre-built DOCX is missing"),
        ([*a, "show", "J001-WS·2024-D30-BGS-0009"], "no record with the archival code"),
        ([*a, "dispose", CODE_2024.format(1), "--confirm"], "cannot be disposed before then"),
        ([*a, "export", "--year", "1999", "-o", str(tmp_path / "x.zip")], "nothing to export"),
        (["archive", "--archive", str(tmp_path / "missing"), "list"], "run `workplan archive init"),
        (["archive", "--archive", str(good), "list"], "not an archive"),
    ]
    for args, message in cases:
        r = run(*args)
        assert r.returncode != 0, args
        assert message in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.stderr, r.stderr
        assert tree_state(root) == before, args
    assert not (tmp_path / "x.zip").exists()
    # a broken or missing configuration, a damaged catalogue
    cfg = root / "archive.json"
    saved = cfg.read_bytes()
    cfg.write_text("{ not json", encoding="utf-8")
    r = run(*a, "list")
    assert r.returncode == 1 and "archive.json:1:3: the configuration is not valid JSON" in r.stderr
    cfg.unlink()
    r = run(*a, "add", str(second), "--from", str(pre))
    assert r.returncode == 1 and "configuration is missing" in r.stderr and "archive init" in r.stderr
    cfg.write_bytes(saved)
    assert tree_state(root) == before
    cat = root / "catalogue.sqlite"
    saved_cat = cat.read_bytes()
    cat.write_bytes(b"this is not a database" * 100)
    r = run(*a, "list")
    assert r.returncode == 1 and "cannot use the catalogue" in r.stderr and "rebuild-catalogue" in r.stderr
    assert "Traceback" not in r.stderr
    cat.write_bytes(saved_cat)
    r = run(*a, "init")
    assert r.returncode == 1 and "already exists" in r.stderr
    assert tree_state(root) == before
    if os.geteuid() != 0:  # permissions do not bind root
        os.chmod(root, 0)
        try:
            r = run(*a, "list")
            assert r.returncode == 1 and "permission denied" in r.stderr
        finally:
            os.chmod(root, 0o755)


# --- the public API -----------------------------------------------------------------------------------
def test_open_archive_resolution_and_errors(root, tmp_path, monkeypatch):
    from workplan.cli.options import archive_root  # --archive, else $WORKPLAN_ARCHIVE, else ./archive
    monkeypatch.setenv("WORKPLAN_ARCHIVE", str(root))
    assert open_archive(archive_root()).root == root
    monkeypatch.delenv("WORKPLAN_ARCHIVE")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "archive").symlink_to(root)
    assert open_archive(archive_root()).root == tmp_path / "archive"
    with pytest.raises(WorkplanError, match="workplan archive init"):
        open_archive(tmp_path / "elsewhere")
    with open_archive(root) as arc:
        with pytest.raises(WorkplanError, match="no record with the archival code or identity 'J001'"):
            arc.get("J001")
        with pytest.raises(WorkplanError):
            arc.versions("nobody|nothing")


def test_search_hook_failure_is_a_warning(arc, tmp_path, monkeypatch, capsys):
    import workplan.search as search

    def broken(_arc, _codes, **_):
        raise WorkplanError("index is locked")
    monkeypatch.setattr(search, "on_records_changed", broken)
    rec = add_data_file(arc, write_doc(tmp_path / "d.yaml"), formats=(), reason="a test")
    assert "warning: the search index was not updated" in capsys.readouterr().err
    assert arc.get(rec.code).status == "active"


def test_change_listeners_hear_adds_and_disposals(root, tmp_path, capsys):
    """The archive tells its listeners which records changed (it imports no stage above it);
    a listener is registered once; a failing one is a warning, the record is archived."""
    heard: list = []

    def listener(a, codes, *, documents):
        heard.append((a, list(codes)))
    with open_archive(root) as a:
        a.on_change(listener)
        a.on_change(listener)
        rec = add_data_file(a, write_doc(tmp_path / "old.yaml", serial=1, year=2001, retention="D10"), formats=(), reason="a test")
        assert heard == [(a, [rec.code])]
        add_data_file(a, write_doc(tmp_path / "quiet.yaml", serial=2), formats=(), notify=False, reason="a test")
        assert len(heard) == 1
        a.dispose(rec.code, today=dt.date(2040, 1, 1), reason="a test")
        assert heard[-1] == (a, [rec.code]) and len(heard) == 2

        def broken(_a, _codes, **_):
            raise RuntimeError("listener down")
        a.on_change(broken)
        other = add_data_file(a, write_doc(tmp_path / "new.yaml", serial=3), formats=(), reason="a test")
        err = capsys.readouterr().err
        assert f"warning: after archiving {other.code}: RuntimeError: listener down" in err
        assert a.get(other.code).status == "active" and heard[-1] == (a, [other.code])
