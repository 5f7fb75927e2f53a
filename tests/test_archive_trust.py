"""The archive as evidence (issue 9, items 1–3 and 14, and the tamper matrix): no audit event is
ever lost, every kind of tampering is caught by ``verify``, stored files are never followed out
of the archive, and the catalogue is replaced safely under open readers. Each test works on a real
archive in a temporary folder."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from test_archive import (_no_search_hook, arc, flip_byte, make_docs, root, run, tiny,  # noqa: F401 - fixtures
                          tree_state, write_doc)
from workplan.archive import open_archive
from workplan.errors import WorkplanError


def kinds(rep) -> set[str]:
    return {f.kind for f in rep.findings}


# --- 1. a log without its final newline loses nothing ----------------------------------------------------
def test_log_missing_its_final_newline_loses_no_event(root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    a = ["archive", "--archive", str(root)]
    run(*a, "add", str(docs[0]), "--from", str(pre), check=True)
    log = root / "events.jsonl"
    os.truncate(log, log.stat().st_size - 1)  # a torn write or a careless edit: the last newline is gone
    before = log.read_bytes()
    with open_archive(root) as arc_:
        rep = arc_.verify(record_event=False)
        assert [(f.kind, f.file, f.line) for f in rep.findings] == [("log-incomplete", "events.jsonl", 2)]
        assert "newline" in rep.findings[0].message
    run(*a, "add", str(docs[1]), "--from", str(pre), check=True)
    after = log.read_bytes()
    assert after.startswith(before)  # not one byte dropped
    with open_archive(root) as arc_:
        assert arc_.verify(record_event=False).ok
        events = arc_.log()[0]
        assert [e.type for e in events] == ["init", "ingestion", "repair", "ingestion"]
        assert [e.id for e in events] == [1, 2, 3, 4]
    # a torn write: part of an entry; kept as evidence, acknowledged by the next entry
    fragment = b'{"id":5,"type":"ingest'
    with open(log, "ab") as f:
        f.write(fragment)
    before = log.read_bytes()
    with open_archive(root) as arc_:
        rep = arc_.verify(record_event=False)
        assert [(f.kind, f.line) for f in rep.findings] == [("log-incomplete", 5)]
    run(*a, "add", str(docs[2]), "--from", str(pre), check=True)
    assert log.read_bytes().startswith(before)
    with open_archive(root) as arc_:
        assert arc_.verify(record_event=False).ok
        events = arc_.log()[0]
        assert [e.type for e in events][-2:] == ["repair", "ingestion"] and events[-1].id == 6
        assert events[-2].detail["fragment"]["line"] == 5 and events[-2].detail["fragment"]["bytes"] == len(fragment)
        assert sum(e.type == "ingestion" for e in events) == 3
    # verify --repair keeps the evidence the same way
    with open(log, "ab") as f:
        f.write(fragment)
    before = log.read_bytes()
    with open_archive(root) as arc_:
        assert arc_.verify(repair=True).ok
    assert log.read_bytes().startswith(before)


# --- 2. verify reconciles the log with the bags and the catalogue, both ways ------------------------------
def test_deleting_the_newest_record_or_version_is_caught(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    recs = [arc.add_data_file(p, prebuilt=pre) for p in docs]
    v2 = arc.add_data_file(docs[0], prebuilt=pre)
    assert arc.verify(record_event=False).ok

    def delete_row(code, version=None):
        db = sqlite3.connect(root / "catalogue.sqlite")
        if version is None:
            db.execute("DELETE FROM records WHERE code = ?", (code,))
        else:
            db.execute("DELETE FROM records WHERE code = ? AND version = ?", (code, version))
            db.execute("UPDATE records SET status = 'active', current = 1 WHERE code = ? AND version = ?",
                       (code, version - 1))
        db.commit()
        db.close()

    saved = tmp_path / "saved"
    shutil.copytree(root, saved, symlinks=True)
    # the newest record: its bag and its row
    shutil.rmtree(root / "bags" / recs[2].code)
    delete_row(recs[2].code)
    rep = arc.verify(record_event=False)
    lost = [f for f in rep.findings if f.kind == "lost-record"]
    assert [(f.code, f.version) for f in lost] == [(recs[2].code, 1)] and not lost[0].repairable
    assert "#4" in lost[0].message  # the log entry that records it
    assert not arc.verify(repair=True, record_event=False).ok
    # the newest version of a record
    arc.close()
    shutil.rmtree(root)
    shutil.copytree(saved, root, symlinks=True)
    shutil.rmtree(v2.bag_dir)
    delete_row(v2.code, 2)
    rep = arc.verify(record_event=False)
    assert (v2.code, 2) in {(f.code, f.version) for f in rep.findings if f.kind == "lost-record"}
    assert not arc.verify(repair=True, record_event=False).ok


# --- 3. stored files are regular files inside the archive -------------------------------------------------
def test_symlinks_are_damage_and_never_followed(arc, root, tmp_path, tiny):
    (src,), pre = make_docs(tmp_path, tiny, [1])
    rec = arc.add_data_file(src, prebuilt=pre)
    target = arc.file(rec, "pdf:zh")
    rel = target.relative_to(root).as_posix()
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(target.read_bytes())  # same bytes: the hashes alone would not see it
    target.unlink()
    target.symlink_to(outside)
    rep = arc.verify(record_event=False)
    assert ("symlink", rel) in {(f.kind, f.file) for f in rep.findings}
    assert any(f.kind == "symlink" for f in arc.verify_record(rec.code))
    with pytest.raises(WorkplanError, match="symbolic link"):
        arc.export(tmp_path / "t.zip", year=2024)
    # export never follows one, even if the check before it was passed (a race)
    arc.verify_record = lambda code: []
    with pytest.raises(WorkplanError, match="symbolic link"):
        arc.export(tmp_path / "t.zip", year=2024)
    assert not (tmp_path / "t.zip").exists()
    del arc.verify_record
    target.unlink()
    shutil.copyfile(outside, target)
    os.chmod(target, 0o444)
    assert arc.verify(record_event=False).ok
    # a tmp/ that points elsewhere: damage, and no writer stages outside the archive
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    arc.close()  # its staging folder lives in tmp/
    shutil.rmtree(root / "tmp")
    (root / "tmp").symlink_to(elsewhere)
    rep = arc.verify(record_event=False)
    assert ("symlink", "tmp") in {(f.kind, f.file) for f in rep.findings}
    doc2 = write_doc(tmp_path / "src" / "d2.yaml", serial=2)
    with pytest.raises(WorkplanError, match="symbolic link"):
        arc.add_data_file(doc2, formats=())
    assert not any(elsewhere.iterdir())
    (root / "tmp").unlink()
    (root / "tmp").mkdir()
    # a version folder that is a link to a copy
    copy = tmp_path / "v1copy"
    shutil.copytree(rec.bag_dir, copy)
    shutil.rmtree(rec.bag_dir)
    rec.bag_dir.symlink_to(copy)
    rep = arc.verify(record_event=False)
    assert ("symlink", rec.bag_dir.relative_to(root).as_posix()) in {(f.kind, f.file) for f in rep.findings}


# --- 14. rebuild-catalogue under open readers --------------------------------------------------------------
def test_rebuild_catalogue_is_safe_for_open_readers(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    for p in docs[:2]:
        arc.add_data_file(p, prebuilt=pre)
    arc.close()
    cat = root / "catalogue.sqlite"
    reader = sqlite3.connect(cat)
    assert reader.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 2
    a = ["archive", "--archive", str(root)]
    run(*a, "rebuild-catalogue", check=True)
    run(*a, "add", str(docs[2]), "--from", str(pre), check=True)  # committed into the WAL
    # the reader that was open all along sees the current catalogue, not a deleted file
    assert reader.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 3
    reader.close()  # the last connection of a replaced file would checkpoint and delete the live WAL
    db = sqlite3.connect(cat)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 3
    db.close()
    with open_archive(root) as arc_:
        assert arc_.verify(record_event=False).ok
    # a damaged catalogue is still replaced (and kept aside as evidence)
    cat.write_bytes(b"not a database" * 100)
    Path(f"{cat}-wal").unlink(missing_ok=True)
    r = run(*a, "rebuild-catalogue")
    assert r.returncode == 0, r.stderr
    with open_archive(root) as arc_:
        assert len(arc_.records()) == 3 and arc_.verify(record_event=False).ok
