"""The log is the authority: no catalogue edit decides a disposal, no bag the log does
not know is adopted, a cut log stays a finding, and every reader checks what it hands out against
the log. Each test is one attack of the audit, on a real archive in a temporary folder."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from test_archive import (_no_search_hook, arc, flip_byte, make_docs, prebuild, root, run,  # noqa: F401 - fixtures
                          tiny, write_doc)
from workplan.archive import open_archive
from workplan.errors import WorkplanError
from workplan.ingest import add_data_file


def kinds(rep) -> set[str]:
    return {f.kind for f in rep.findings}


def sql(root: Path, statement: str, params=()) -> None:
    db = sqlite3.connect(root / "catalogue.sqlite")
    db.execute(statement, params)
    db.commit()
    db.close()


def payload(bag: Path) -> dict[str, bytes]:
    return {p.relative_to(bag).as_posix(): p.read_bytes() for p in sorted(bag.rglob("*")) if p.is_file()}


def rehash(bag: Path, name: str) -> None:
    """A careful forger: fix the manifest line of ``name`` and the tagmanifest line of the manifest."""
    for man, target in (("manifest-sha256.txt", name), ("tagmanifest-sha256.txt", "manifest-sha256.txt")):
        mp = bag / man
        os.chmod(mp, 0o644)
        h = hashlib.sha256((bag / target).read_bytes()).hexdigest()
        mp.write_text("".join(f"{h}  {target}\n" if line.split(None, 1)[1].strip() == target else line
                              for line in mp.read_text().splitlines(keepends=True)))


def forge_row(root: Path, bag: Path, code: str, version: int) -> None:
    """... and the catalogue's tagmanifest hash and file hashes of that version."""
    h = hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    man = {line.split(None, 1)[1].strip(): line.split()[0]
           for line in (bag / "manifest-sha256.txt").read_text().splitlines()}
    db = sqlite3.connect(root / "catalogue.sqlite")
    files = json.loads(db.execute("SELECT files FROM records WHERE code = ? AND version = ?", (code, version)).fetchone()[0])
    for f in files.values():
        f["sha256"] = man.get(f["path"], f["sha256"])
    db.execute("UPDATE records SET tagmanifest = ?, files = ? WHERE code = ? AND version = ?",
               (h, json.dumps(files, ensure_ascii=False), code, version))
    db.commit()
    db.close()


# --- 1. a catalogue edit never decides a disposal -------------------------------------------------------------
def test_a_catalogue_edit_cannot_make_a_permanent_record_disposable(arc, root, tmp_path):
    forever = add_data_file(arc, write_doc(tmp_path / "y.yaml", serial=1, retention="Y"), formats=(), reason="a test")
    recent = add_data_file(arc, write_doc(tmp_path / "r.yaml", serial=2, retention="D10"), formats=(), reason="a test")
    before = {c: payload(root / "bags" / c) for c in (forever.code, recent.code)}
    arc.close()
    for rec in (forever, recent):
        sql(root, "UPDATE records SET retention = 'D10', date = '2000-01-01' WHERE code = ?", (rec.code,))
        r = run("archive", "--archive", str(root), "dispose", rec.code, "--confirm")
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "nothing was disposed" in r.stderr and "catalogue's" in r.stderr
    for c, files in before.items():
        assert payload(root / "bags" / c) == files
    with open_archive(root) as a:
        rep = a.verify(record_event=False)
        assert "catalogue-mismatch" in kinds(rep)
        assert not any(e.type == "disposal" for e in a.log()[0])
        # the row is derived data: repair rewrites it from the bag the log proves; still not disposable
        assert a.verify(repair=True, record_event=False).ok
        with pytest.raises(WorkplanError, match="kept permanently"):
            a.dispose(forever.code, reason="a test")
        with pytest.raises(WorkplanError, match="runs until"):
            a.dispose(recent.code, reason="a test")


# --- 2. a planted bag is never adopted -------------------------------------------------------------------------
TINY: list = []


@pytest.fixture(autouse=True)
def _tiny(tiny):
    TINY[:] = [tiny]


def _planted(tmp_path: Path, root: Path, doc: Path, pre: Path, *, code_dir: str | None = None) -> Path:
    """A consistent bag made with workplan on a copy of the archive, dropped into the real one."""
    prebuild(pre, doc, TINY[0])
    side = tmp_path / "side"
    shutil.copytree(root, side)
    with open_archive(side) as s:
        rec = add_data_file(s, doc, prebuilt=pre, notify=False, reason="a test")
    src = side / "bags" / rec.code / f"v{rec.version}"
    dest = root / "bags" / rec.code / f"v{rec.version}"
    dest.parent.mkdir(exist_ok=True)
    shutil.copytree(src, dest)
    shutil.rmtree(side)
    return dest


def test_a_planted_bag_is_adopted_by_nothing_but_an_archivist(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    genuine = add_data_file(arc, docs[0], prebuilt=pre, reason="a test")
    arc.close()
    forged_doc = write_doc(tmp_path / "src" / "forged.yaml", serial=2, title="伪造文件")
    planted = _planted(tmp_path, root, forged_doc, pre)
    code = planted.parent.name
    a = ["archive", "--archive", str(root)]
    # the next add in that group
    r = run(*a, "add", str(docs[2]), "--from", str(pre))
    assert r.returncode == 1 and "does not record it" in r.stderr and "Traceback" not in r.stderr
    # verify --repair
    r = run(*a, "verify", "--repair")
    assert r.returncode == 1 and "not in the event log" in r.stderr
    # rebuild-catalogue: exits non-zero and leaves it out
    r = run(*a, "rebuild-catalogue")
    assert r.returncode == 1 and f"skipped {code} v1" in r.stderr
    with open_archive(root) as x:
        assert code not in {rec.code for rec in x.records()}
        assert not any(e.object == code for e in x.log()[0])
    r = run(*a, "show", code)
    assert r.returncode == 1 and "伪造文件" not in r.stdout
    # an archivist's decision, with a reason, logged as its own event
    r = run(*a, "adopt", code, "--version", "1")
    assert r.returncode == 2 and "--reason" in r.stderr
    r = run(*a, "adopt", code, "--version", "1", "--reason", "found on the old file server; checked by hand")
    assert r.returncode == 0, r.stderr
    with open_archive(root) as x:
        ev = [e for e in x.log()[0] if e.object == code]
        assert [e.type for e in ev] == ["adoption"] and "old file server" in ev[0].detail["reason"]
        assert x.get(code).title == "伪造文件" and x.verify(record_event=False).ok
        assert x.check_for_reading(code) == []
    # a planted next version of a genuine record: re-adding the genuine document does not adopt it
    planted2 = _planted(tmp_path, root, docs[0], pre)  # v2 of genuine.code, made on a copy
    assert planted2.name == "v2" and planted2.parent.name == genuine.code
    with open_archive(root) as x:
        with pytest.raises(WorkplanError, match="does not record it"):
            add_data_file(x, docs[0], prebuilt=pre, reason="a test")
        assert [v.version for v in x.versions(genuine.code)] == [1]
        assert ("missing-event", genuine.code) in {(f.kind, f.code) for f in x.verify(record_event=False).findings}
        assert not x.verify(repair=True, record_event=False).ok
        assert [v.version for v in x.versions(genuine.code)] == [1]


def test_a_planted_bag_and_row_are_not_served(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1])
    add_data_file(arc, docs[0], prebuilt=pre, reason="a test")
    arc.close()
    planted = _planted(tmp_path, root, write_doc(tmp_path / "src" / "f.yaml", serial=5, title="伪造文件"), pre)
    code = planted.parent.name
    with open_archive(root) as x:  # a row inserted for it, as it would be derived from the bag
        md, row = x.read_bag_row(code, 1)
        with x.catalogue.transaction() as db:
            x.catalogue.replace_code(db, code, [row])
        found = x.check_for_reading(code)
        assert [f.kind for f in found] == ["not-in-log"]
        with pytest.raises(WorkplanError, match="not in the event log"):
            x.open_checked(x.get(code), "pdf:zh")
        with pytest.raises(WorkplanError, match="fixity check|not in the event log"):
            x.export(tmp_path / "t.zip", year=2024)
        assert not (tmp_path / "t.zip").exists()
        assert "missing-event" in kinds(x.verify(record_event=False))


# --- 3/4. a cut log is a finding until an archivist acts; a deleted catalogue does not launder it ----------------
@pytest.mark.parametrize("cut", ["tail", "delete-log-and-head"])
def test_a_cut_log_never_becomes_repairable(root, tmp_path, tiny, cut):
    docs, pre = make_docs(tmp_path, tiny, range(1, 8))
    a = ["archive", "--archive", str(root)]
    for p in docs[:3]:
        run(*a, "add", str(p), "--from", str(pre), check=True)
    log = root / "events.jsonl"
    lines = log.read_bytes().split(b"\n")[:-1]
    if cut == "tail":
        log.write_bytes(b"".join(x + b"\n" for x in lines[:-2]))  # the last two ingestions
    else:
        log.unlink()
        if cut == "delete-log-and-head":
            (root / "events.head").unlink()
    # the ordinary commands that follow (nightly verifies, adds) never wear the finding away
    r = run(*a, "add", str(docs[3]), "--from", str(pre))
    assert r.returncode == 1 and "removed" in r.stderr and "Traceback" not in r.stderr, r.stderr
    with open_archive(root) as x:
        for p in docs[3:6] * 5:  # more than the 4-13 events after which a cut used to look repairable
            with pytest.raises(WorkplanError, match="removed|no longer holds"):
                add_data_file(x, p, prebuilt=pre, notify=False, reason="a test")
            assert "log-truncated" in kinds(x.verify())
    r = run(*a, "verify", "--repair")
    assert r.returncode == 1 and ("log-truncated" in r.stderr or "removed" in r.stderr or "no longer" in r.stderr)
    with open_archive(root) as x:
        assert len(x.records()) == 3  # nothing was added over the cut
        assert "log-truncated" in kinds(x.verify(record_event=False))
        # every reader refuses while the log is cut
        assert any(f.kind == "log-untrusted" for f in x.check_for_reading(x.records()[0].code))
    # the archivist acknowledges the loss; the records whose entries were lost stay findings
    r = run(*a, "accept-log", "--reason", "the disk failed; no backup of the log exists")
    assert r.returncode == 0, r.stderr
    with open_archive(root) as x:
        rep = x.verify(repair=True, record_event=False)
        lost = {f.code for f in rep.findings if f.kind == "missing-event"}
        assert len(lost) == (2 if cut == "tail" else 3) and not rep.ok
        assert any(e.type == "log-accepted" for e in x.log()[0])
    r = run(*a, "add", str(docs[6]), "--from", str(pre))
    assert r.returncode == 0, r.stderr  # writing resumes


def test_deleting_the_catalogue_does_not_launder_a_cut(root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    a = ["archive", "--archive", str(root)]
    for p in docs:
        run(*a, "add", str(p), "--from", str(pre), check=True)
    with open_archive(root) as x:
        newest = x.records()[-1].code
    shutil.rmtree(root / "bags" / newest)
    log = root / "events.jsonl"
    lines = log.read_bytes().split(b"\n")[:-1]
    log.write_bytes(b"".join(x + b"\n" for x in lines[:-1]))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{root / 'catalogue.sqlite'}{suffix}").unlink(missing_ok=True)
    r = run(*a, "verify", "--repair")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = run(*a, "rebuild-catalogue")
    assert r.returncode == 1
    # half a catalogue (cut to its header) is no better
    (root / "catalogue.sqlite").write_bytes(b"SQLite format 3\x00")
    r = run(*a, "verify", "--repair")
    assert r.returncode == 1


# --- 5/6. readers check against the log, and a tagmanifest line never overrides the manifest ----------------------
def test_a_forged_bag_with_manifests_and_row_is_refused_by_every_reader(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    rec = add_data_file(arc, docs[0], prebuilt=pre, reason="a test")
    add_data_file(arc, docs[1], prebuilt=pre, reason="a test")
    pdf = arc.file(rec, "pdf:zh")
    os.chmod(pdf, 0o644)
    pdf.write_bytes(pdf.read_bytes() + b"%forged\n")
    rehash(rec.bag_dir, f"data/{pdf.name}")
    forge_row(root, rec.bag_dir, rec.code, 1)
    found = arc.verify_record(rec.code)
    assert "log-mismatch" in {f.kind for f in found}
    from workplan.archive.verify import check_record
    found, ev = check_record(arc, rec.code, via="web")  # the site's fixity button
    assert found and ev.outcome == "failure"
    with pytest.raises(WorkplanError, match="not what was archived"):
        arc.open_checked(arc.get(rec.code), "pdf:zh")
    with pytest.raises(WorkplanError):
        arc.export(tmp_path / "t.zip", year=2024)
    assert not (tmp_path / "t.zip").exists()
    arc.close()
    r = run("archive", "--archive", str(root), "show", rec.code)
    assert r.returncode == 1 and "not what was archived" in r.stderr


def test_a_tagmanifest_line_cannot_override_the_manifest(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1])
    rec = add_data_file(arc, docs[0], prebuilt=pre, reason="a test")
    pdf = arc.file(rec, "pdf:zh")
    os.chmod(pdf, 0o644)
    pdf.write_bytes(pdf.read_bytes() + b"%forged\n")
    tm = rec.bag_dir / "tagmanifest-sha256.txt"
    os.chmod(tm, 0o644)
    h = hashlib.sha256(pdf.read_bytes()).hexdigest()
    tm.write_text(tm.read_text() + f"{h} data/{pdf.name}\n")
    from workplan.archive.bag import check_bag
    assert any(f.kind == "hash-mismatch" and pdf.name in f.file for f in check_bag(rec.bag_dir, "b", rec.code).findings)
    assert arc.verify_record(rec.code)
    assert not arc.verify(record_event=False).ok


# --- 7. edited titles and codes are not served ------------------------------------------------------------------
def test_edited_catalogue_title_or_code_is_not_served(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    recs = [add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs]
    arc.close()
    sql(root, "UPDATE records SET title = '伪造标题' WHERE code = ?", (recs[0].code,))
    a = ["archive", "--archive", str(root)]
    r = run(*a, "show", recs[0].code)
    assert r.returncode == 1 and "title" in r.stderr and "伪造标题" not in r.stdout
    r = run(*a, "export", "--year", "2024", "-o", str(tmp_path / "t.zip"))
    assert r.returncode == 1 and not (tmp_path / "t.zip").exists()
    run(*a, "verify", "--repair")  # derived data: rewritten from the bag the log proves
    sql(root, "UPDATE records SET code = 'J001-WS·2024-D30-BGS-0009' WHERE code = ?", (recs[1].code,))
    r = run(*a, "export", "--year", "2024", "-o", str(tmp_path / "t.zip"))
    assert r.returncode == 1 and not (tmp_path / "t.zip").exists()
    assert "not in the event log" in r.stderr or "catalogue" in r.stderr


# --- 8. links are never followed by readers or writers ----------------------------------------------------------
def test_an_in_bag_symlink_is_not_downloaded_and_a_linked_log_is_not_written(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    a_, b_ = (add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs)
    target = arc.file(a_, "pdf:zh")
    target.unlink()
    target.symlink_to(arc.file(b_, "pdf:zh"))  # another record's PDF, inside bags/
    from workplan.web.app import create_app
    c = create_app(root).test_client()
    r = c.get(f"/records/{a_.code}/files/pdf:zh")
    assert r.status_code == 409 and b"%PDF" not in r.data
    assert c.get(f"/records/{b_.code}/files/pdf:zh").status_code == 200
    # a log that is a link to a file outside the archive: nothing is written through it
    outside = tmp_path / "outside.jsonl"
    shutil.copyfile(root / "events.jsonl", outside)
    (root / "events.jsonl").unlink()
    (root / "events.jsonl").symlink_to(outside)
    size = outside.stat().st_size
    with pytest.raises(WorkplanError, match="symbolic link|not a regular file"):
        arc.events.append("fixity-check", "archive", {})
    assert outside.stat().st_size == size


# --- 10. one malformed metadata.json never stops verify ------------------------------------------------------------
@pytest.mark.parametrize("edit", ["no-title", "title-not-text", "bad-date", "not-json", "files-not-dict"])
def test_a_malformed_metadata_json_is_a_finding_and_the_report_is_complete(arc, root, tmp_path, tiny, edit):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    recs = [add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs]
    mdp = recs[0].bag_dir / "data" / "metadata.json"
    md = json.loads(mdp.read_text())
    if edit == "no-title":
        del md["title"]
    elif edit == "title-not-text":
        md["title"] = ["x"]
    elif edit == "bad-date":
        md["date"] = "2024-13-45"
    elif edit == "files-not-dict":
        md["files"] = {"pdf:zh": "x"}
    os.chmod(mdp, 0o644)
    mdp.write_text("{not json" if edit == "not-json" else json.dumps(md, ensure_ascii=False))
    rehash(recs[0].bag_dir, "data/metadata.json")  # even with consistent manifests
    flip_byte(recs[1].bag_dir / "bag-info.txt")  # and damage elsewhere is still reported
    rep = arc.verify(record_event=False)
    assert {f.code for f in rep.findings} >= {recs[0].code, recs[1].code}
    arc.close()
    a = ["archive", "--archive", str(root)]
    for cmd in (["verify"], ["list"], ["rebuild-catalogue"], ["list", "--all-versions"], ["verify", "--repair"]):
        r = run(*a, *cmd)
        assert "Traceback" not in r.stderr, (cmd, r.stderr)
    r = run(*a, "rebuild-catalogue")
    assert r.returncode == 1 and recs[0].code in r.stderr


# --- 9. a FIFO or a link in place of a stored file never hangs or leaks a reader ------------------------------------
def test_a_fifo_or_link_in_place_of_a_source_is_not_indexed_and_never_hangs(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    recs = [add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs]
    src0 = arc.file(recs[0], "source")
    src1 = arc.file(recs[1], "source")
    arc.close()
    src0.unlink()
    os.mkfifo(src0)
    outside = tmp_path / "outside.yaml"
    outside.write_text(src1.read_text(encoding="utf-8").replace("任务一", "外部秘密文字"), encoding="utf-8")
    src1.unlink()
    src1.symlink_to(outside)
    a = ["--archive", str(root)]
    r = run("search", "reindex", *a)  # (run's timeout is the hang guard)
    assert "Traceback" not in r.stderr
    assert recs[0].code in r.stderr and recs[1].code in r.stderr  # named as not indexed
    r = run("search", "外部秘密文字", *a, "--json")
    assert json.loads(r.stdout)["total"] == 0
    # a FIFO given to `add` is refused, not waited on
    fifo = tmp_path / "in.pdf"
    os.mkfifo(fifo)
    r = run("archive", *a, "add", str(fifo), "--title", "t", "--issuer", "测试办公室", "--org", "BGS",
            "--date", "2024-01-01")
    assert r.returncode != 0 and "Traceback" not in r.stderr


# --- 12. a read-only archive can be read ------------------------------------------------------------------------------
@pytest.fixture
def read_only_copy(root, tmp_path, tiny):
    import subprocess
    with open_archive(root) as a:
        docs, pre = make_docs(tmp_path, tiny, [1, 2])
        for p in docs:
            add_data_file(a, p, prebuilt=pre, reason="a test")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    ok = subprocess.run(["mount", "--bind", str(root), str(mnt)], capture_output=True).returncode == 0 and \
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mnt)], capture_output=True).returncode == 0
    if not ok:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        pytest.skip("cannot make a read-only mount here")
    yield mnt
    import gc
    gc.collect()  # the site's archive connection, before the mount goes
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)  # lazy: never left mounted


def test_a_read_only_archive_is_readable_and_refuses_writes_clearly(read_only_copy, tmp_path):
    ro = read_only_copy
    a = ["archive", "--archive", str(ro)]
    r = run(*a, "list")
    assert r.returncode == 0 and "测试工作方案1" in r.stdout, r.stderr
    code = r.stdout.split()[r.stdout.split().index("J001-WS·2024-D30-BGS-0001")]
    for cmd in (["show", code], ["log"], ["verify"], ["export", "--year", "2024", "-o", str(tmp_path / "t.zip")]):
        r = run(*a, *cmd)
        assert r.returncode == 0 and "Traceback" not in r.stderr, (cmd, r.stderr)
    assert (tmp_path / "t.zip").exists()
    r = run(*a, "dispose", code, "--confirm")
    assert r.returncode == 1 and "read-only" in r.stderr and "rebuild" not in r.stderr
    with open_archive(ro) as x:
        from workplan.web.app import create_app
        c = create_app(ro).test_client()
        assert c.get(f"/records/{code}").status_code == 200
        assert c.get(f"/records/{code}/files/pdf:zh").status_code == 200
        assert x.verify().ok


# --- 14. operator slips ---------------------------------------------------------------------------------------------
def test_a_retried_add_skips_what_is_archived_identically_and_leaves_no_staging(root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, range(1, 6))
    a = ["archive", "--archive", str(root)]
    r = run(*a, "add", *map(str, docs[:3]), "--from", str(pre), check=True)
    first = r.stdout.split()
    r = run(*a, "add", *map(str, docs), "--from", str(pre), check=True)  # the retry, after an interruption
    assert len(r.stdout.split()) == 2 and r.stderr.count("already archived identically") == 3
    with open_archive(root) as x:
        assert len(x.records()) == 5 and all(v.version == 1 for v in x.records(current_only=False))
    r = run(*a, "add", str(docs[0]), "--from", str(pre), "--again", "--reason", "archived once more", check=True)
    assert r.stdout.split() == first[:1]
    with open_archive(root) as x:
        assert [v.version for v in x.versions(first[0])] == [1, 2]
    # a legacy file's add leaves nothing in tmp/, so the next verify is clean
    run(*a, "add", str(tiny["pdf"]), "--title", "旧文件", "--issuer", "测试办公室", "--org", "BGS",
        "--date", "2001-01-01", check=True)
    assert not any((root / "tmp").iterdir())
    assert run(*a, "verify").returncode == 0


def test_init_refuses_an_unusable_path_and_can_be_retried(tmp_path):
    long = tmp_path.joinpath(*["a" * 100] * 5)
    r = run("archive", "init", str(long), "--fonds", "J001", "--name", "x")
    assert r.returncode == 1 and "too long" in r.stderr and "Traceback" not in r.stderr
    assert not long.exists()
    # a half-made init (killed before its configuration) does not block a retry
    half = tmp_path / "half"
    (half / "bags").mkdir(parents=True)
    (half / "tmp").mkdir()
    r = run("archive", "init", str(half), "--fonds", "J001", "--name", "x")
    assert r.returncode == 0, r.stderr


def test_a_config_edit_and_a_hard_link_are_findings(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1])
    rec = add_data_file(arc, docs[0], prebuilt=pre, reason="a test")
    os.link(arc.file(rec, "pdf:zh"), tmp_path / "outside.pdf")
    assert "hard-link" in kinds(arc.verify(record_event=False))
    assert arc.verify_record(rec.code)
    (tmp_path / "outside.pdf").unlink()
    assert arc.verify(record_event=False).ok
    cfg = json.loads((root / "archive.json").read_text())
    cfg["fonds_code"] = "J999"
    (root / "archive.json").write_text(json.dumps(cfg))
    with open_archive(root) as x:
        assert "config-mismatch" in kinds(x.verify(record_event=False))


# --- 11. the index reports its own health -------------------------------------------------------------------------------
def test_verify_and_search_status_see_a_damaged_or_planted_index(arc, root, tmp_path, tiny):
    from workplan.search import index_status, reindex
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    for p in docs:
        add_data_file(arc, p, prebuilt=pre, reason="a test")
    reindex(arc)
    assert index_status(arc) is None
    # a planted index: another archive's, its meta rewritten to this archive's head
    other = tmp_path / "other"
    from workplan.archive import init_archive
    with init_archive(other, fonds="J001", name="x") as o:
        add_data_file(o, docs[0], prebuilt=pre, reason="a test")
        reindex(o)
    meta = json.loads((root / "index" / "meta.json").read_text())
    shutil.rmtree(root / "index")
    shutil.copytree(other / "index", root / "index")
    pmeta = json.loads((root / "index" / "meta.json").read_text())
    pmeta["archive_head"] = meta["archive_head"]
    (root / "index" / "meta.json").write_text(json.dumps(pmeta))
    assert "holds 1" in index_status(arc)
    # a damaged index
    reindex(arc)
    meta = json.loads((root / "index" / "meta.json").read_text())
    for p in (root / "index" / meta["build"]).rglob("*"):
        if p.is_file():
            p.write_bytes(b"\0garbage" * 10)
    assert "cannot be read" in index_status(arc) or "damaged" in index_status(arc)
    arc.close()
    r = run("archive", "--archive", str(root), "verify")
    assert "search index: up to date" not in r.stdout


# --- 13. a full disk: said plainly, nothing lost, completed after space is freed -------------------------------------
@pytest.mark.parametrize("free_kb", [30])
def test_a_full_disk_is_said_plainly_and_nothing_is_lost(tmp_path, tiny, free_kb):
    import subprocess
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here")
    try:
        root_ = mnt / "arc"
        a = ["archive", "--archive", str(root_)]
        run("archive", "init", str(root_), "--fonds", "J001", "--name", "x", check=True)
        docs, pre = make_docs(tmp_path, tiny, range(1, 6))
        st = os.statvfs(mnt)
        filler = mnt / "filler"
        filler.write_bytes(b"\0" * max(0, st.f_bavail * st.f_frsize - free_kb * 1024))
        r = run(*a, "add", *map(str, docs), "--from", str(pre))
        assert "Traceback" not in r.stderr, r.stderr
        if r.returncode:
            assert "disk is full" in r.stderr or "No space left" in r.stderr, r.stderr
        filler.unlink()
        r = run(*a, "verify", "--repair")
        assert "Traceback" not in r.stderr
        r = run(*a, "verify")
        assert r.returncode == 0, r.stdout + r.stderr
        r = run(*a, "add", *map(str, docs), "--from", str(pre))  # the retry archives the rest, once each
        assert r.returncode == 0, r.stderr
        with open_archive(root_) as x:
            assert len(x.records()) == 5 and all(v.version == 1 for v in x.records(current_only=False))
            assert x.verify(record_event=False).ok
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


# --- fresh variants (not in the audit) ------------------------------------------------------------------------------------
def test_a_planted_tombstone_never_destroys_a_record(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1])
    rec = add_data_file(arc, docs[0], prebuilt=pre, reason="a test")
    side = tmp_path / "side"
    shutil.copytree(root, side)
    with open_archive(side) as s:  # a genuine-looking tombstone, made on a copy
        s.dispose(rec.code, today=__import__("datetime").date(2100, 1, 1), notify=False, reason="a test")
    shutil.copytree(side / "bags" / rec.code / "tombstone", root / "bags" / rec.code / "tombstone")
    before = payload(root / "bags" / rec.code / "v1")
    rep = arc.verify(repair=True, record_event=False)
    assert not rep.ok and payload(root / "bags" / rec.code / "v1") == before
    assert arc.get(rec.code).status == "active"


def test_catalogue_paths_and_values_never_lead_a_reader_astray(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    a_, b_ = (add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs)
    # a row pointing at another record's bag
    sql(root, "UPDATE records SET bag_dir = ? WHERE code = ?", (f"bags/{b_.code}/v1", a_.code))
    assert arc.check_for_reading(a_.code)
    with pytest.raises(WorkplanError):
        arc.open_checked(arc.get(a_.code), "pdf:zh")
    arc.verify(repair=True, record_event=False)
    assert arc.check_for_reading(a_.code) == []
    # a file path climbing out of the bag
    files = json.loads(sqlite3.connect(root / "catalogue.sqlite").execute(
        "SELECT files FROM records WHERE code = ?", (a_.code,)).fetchone()[0])
    files["pdf:zh"]["path"] = f"../../{b_.code}/v1/data/{Path(files['pdf:zh']['path']).name}"
    sql(root, "UPDATE records SET files = ? WHERE code = ?", (json.dumps(files), a_.code))
    with pytest.raises(WorkplanError):
        arc.open_checked(arc.get(a_.code), "pdf:zh")
    arc.verify(repair=True, record_event=False)
    # an unreadable value in a row: a message, never a traceback
    sql(root, "UPDATE records SET date = 'yesterday' WHERE code = ?", (b_.code,))
    arc.close()
    r = run("archive", "--archive", str(root), "list")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "verify --repair" in r.stderr
    sql(root, "UPDATE records SET units = '{not json' WHERE code = ?", (b_.code,))
    r = run("archive", "--archive", str(root), "list")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = run("archive", "--archive", str(root), "verify", "--repair")
    assert "Traceback" not in r.stderr
    # the head file as a link: never followed, writes refused until it is a file again
    head = root / "events.head"
    outside = tmp_path / "head"
    shutil.copyfile(head, outside)
    head.unlink()
    head.symlink_to(outside)
    r = run("archive", "--archive", str(root), "add", str(docs[0]), "--from", str(pre), "--again")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert outside.read_bytes() == head.read_bytes()


def test_a_disposal_killed_after_logging_is_finished_from_the_log(arc, root, tmp_path):
    rec = add_data_file(arc, write_doc(tmp_path / "old.yaml", serial=1, year=2001, retention="D10"), formats=(), reason="a test")
    arc.close()
    r = run("archive", "--archive", str(root), "dispose", rec.code, "--confirm", "--reason", "expired",
            env={"WORKPLAN_ARCHIVE_CRASH_AT": "logged"})
    assert r.returncode == -9
    with open_archive(root) as a:
        rep = a.verify(record_event=False)
        assert "interrupted-disposal" in kinds(rep) and all(f.repairable for f in rep.findings), \
            [f.format() for f in rep.findings]
        assert a.verify(repair=True).ok
        assert a.get(rec.code).status == "disposed"
        assert sorted(p.name for p in (root / "bags" / rec.code).iterdir()) == ["tombstone"]
