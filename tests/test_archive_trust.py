"""The archive as evidence, and the tamper matrix: no audit event is
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
                          write_doc)
from workplan.archive import open_archive
from workplan.errors import WorkplanError
from workplan.ingest import add_data_file


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


@pytest.mark.parametrize("step", ["placed", "logged"])
def test_killed_writer_over_a_torn_log_loses_no_byte(root, tmp_path, tiny, step):
    docs, pre = make_docs(tmp_path, tiny, [1, 2])
    a = ["archive", "--archive", str(root)]
    run(*a, "add", str(docs[0]), "--from", str(pre), check=True)
    log = root / "events.jsonl"
    os.truncate(log, log.stat().st_size - 1)
    before = log.read_bytes()
    r = run(*a, "add", str(docs[1]), "--from", str(pre), env={"WORKPLAN_ARCHIVE_CRASH_AT": step})
    assert r.returncode == -9
    assert log.read_bytes().startswith(before)
    with open_archive(root) as arc_:
        rep = arc_.verify(record_event=False)
        assert all(f.repairable for f in rep.findings), [f.format() for f in rep.findings]
        assert arc_.verify(repair=True).ok
        assert sum(e.type == "ingestion" for e in arc_.log()[0]) == 2 and len(arc_.records()) == 2
    assert log.read_bytes().startswith(before)


# --- 2. verify reconciles the log with the bags and the catalogue, both ways ------------------------------
def test_deleting_the_newest_record_or_version_is_caught(arc, root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1, 2, 3])
    recs = [add_data_file(arc, p, prebuilt=pre, reason="a test") for p in docs]
    v2 = add_data_file(arc, docs[0], prebuilt=pre, reason="a test")
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
    rec = add_data_file(arc, src, prebuilt=pre, reason="a test")
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
    arc.verify_record = lambda code, **kw: []
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
        add_data_file(arc, doc2, formats=(), reason="a test")
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
        add_data_file(arc, p, prebuilt=pre, reason="a test")
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


# --- the tamper matrix: every kind of tampering, on every target, is caught by verify ---------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory, tiny):
    from workplan.archive import init_archive
    base = tmp_path_factory.mktemp("tamper")
    arc_ = init_archive(base / "arc", fonds="J001", name="测试全宗")
    docs, pre = make_docs(base, tiny, [1, 2, 3])
    for p in docs:
        add_data_file(arc_, p, prebuilt=pre, notify=False, reason="a test")
    add_data_file(arc_, docs[0], prebuilt=pre, notify=False, reason="a test")  # v2 of the first
    assert arc_.verify(record_event=False).ok
    arc_.close()
    return base / "arc"


def _sql(root: Path, sql: str, params=()) -> None:
    db = sqlite3.connect(root / "catalogue.sqlite")
    db.execute(sql, params)
    db.commit()
    db.close()


def _rehash(bag: Path, name: str) -> None:
    """What a careful forger does after editing a payload file: fix both manifests."""
    import hashlib
    for man, target in (("manifest-sha256.txt", name), ("tagmanifest-sha256.txt", "manifest-sha256.txt")):
        mp = bag / man
        os.chmod(mp, 0o644)
        h = hashlib.sha256((bag / target).read_bytes()).hexdigest()
        mp.write_text("".join(f"{h}  {target}\n" if line.split(None, 1)[1].strip() == target else line
                              for line in mp.read_text().splitlines(keepends=True)))


def _tampers(root: Path) -> list[tuple[str, str, callable]]:
    """(kind, target, mutation) for every kind of tampering and every place it can hit."""
    out = []
    bags = sorted(p for p in (root / "bags").glob("*/v*"))
    payload = sorted(p for b in bags for p in (b / "data").iterdir())
    log_lines = (root / "events.jsonl").read_bytes().split(b"\n")[:-1]
    db = sqlite3.connect(root / "catalogue.sqlite")
    rows = db.execute("SELECT code, version FROM records ORDER BY code, version").fetchall()
    db.close()

    def rel(p):
        return p.relative_to(root).as_posix()

    def writable(p):
        os.chmod(p, 0o644)
        return p

    for p in payload:
        out.append(("payload byte flip", rel(p), lambda r, q=rel(p): flip_byte(r / q)))
        out.append(("payload delete", rel(p), lambda r, q=rel(p): (r / q).unlink()))

        def link(r, q=rel(p)):
            copy = r.parent / ("outside-" + q.replace("/", "_"))
            copy.write_bytes((r / q).read_bytes())
            (r / q).unlink()
            (r / q).symlink_to(copy)
        out.append(("payload symlink", rel(p), link))
    for b in bags:
        for name in ("manifest-sha256.txt", "tagmanifest-sha256.txt", "bag-info.txt", "bagit.txt"):
            def edit(r, q=rel(b / name)):
                data = writable(r / q).read_bytes()
                (r / q).write_bytes(data.replace(b"a", b"b", 1) if b"a" in data else data + b"x")
            out.append(("manifest/tag file edit", rel(b / name), edit))

        def md_edit(r, q=rel(b)):
            p = writable(r / q / "data" / "metadata.json")
            p.write_bytes(p.read_bytes().replace("测试工作方案".encode(), "伪造工作方案".encode()))
        out.append(("metadata edit", rel(b), md_edit))

        def md_forge(r, q=rel(b)):  # edit, then fix both manifests
            md_edit(r, q)
            _rehash(r / q, "data/metadata.json")
        out.append(("metadata edit + rehashed manifests", rel(b), md_forge))

        def full_forge(r, q=rel(b)):  # ... and the catalogue's tagmanifest hash too
            md_forge(r, q)
            import hashlib
            h = hashlib.sha256((r / q / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
            code, v = q.split("/")[1], int(q.split("/")[2][1:])
            _sql(r, "UPDATE records SET tagmanifest = ? WHERE code = ? AND version = ?", (h, code, v))
        out.append(("metadata forged + manifests + catalogue", rel(b), full_forge))

        def payload_forge(r, q=rel(b)):  # replace the PDF, fix the manifests and the catalogue
            import hashlib
            pdf = next((r / q / "data").glob("*.pdf"))
            writable(pdf).write_bytes(pdf.read_bytes() + b"%forged\n")
            _rehash(r / q, f"data/{pdf.name}")
            h = hashlib.sha256((r / q / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
            code, v = q.split("/")[1], int(q.split("/")[2][1:])
            _sql(r, "UPDATE records SET tagmanifest = ? WHERE code = ? AND version = ?", (h, code, v))
        out.append(("payload forged + manifests + catalogue", rel(b), payload_forge))
        out.append(("bag delete", rel(b), lambda r, q=rel(b): shutil.rmtree(r / q)))

    def set_log(r, lines):
        (r / "events.jsonl").write_bytes(b"".join(x + b"\n" for x in lines))
    for i, _line in enumerate(log_lines):
        def ledit(r, i=i):
            ls = list(log_lines)
            ls[i] = ls[i].replace(b'"success"', b'"failure"') if b'"success"' in ls[i] else ls[i] + b" "
            set_log(r, ls)
        out.append(("log line edit", f"line {i + 1}", ledit))
        out.append(("log line delete", f"line {i + 1}", lambda r, i=i: set_log(r, log_lines[:i] + log_lines[i + 1:])))
        if i + 1 < len(log_lines):
            def swap(r, i=i):
                ls = list(log_lines)
                ls[i], ls[i + 1] = ls[i + 1], ls[i]
                set_log(r, ls)
            out.append(("log reorder", f"lines {i + 1}-{i + 2}", swap))
    for k in (1, 2, 3):
        out.append(("log truncate", f"last {k} line(s)", lambda r, k=k: set_log(r, log_lines[:-k])))
    out.append(("log truncate", "mid-entry", lambda r: os.truncate(r / "events.jsonl",
                                                                   (r / "events.jsonl").stat().st_size - 40)))
    for code, v in rows:
        out.append(("catalogue row delete", f"{code} v{v}", lambda r, c=code, v=v: _sql(
            r, "DELETE FROM records WHERE code = ? AND version = ?", (c, v))))
        out.append(("catalogue row edit", f"{code} v{v}", lambda r, c=code, v=v: _sql(
            r, "UPDATE records SET title = '伪造' WHERE code = ? AND version = ?", (c, v))))
    newest = max(rows)

    def newest_delete(r):
        shutil.rmtree(r / "bags" / newest[0])
        _sql(r, "DELETE FROM records WHERE code = ?", (newest[0],))
    out.append(("newest record delete", newest[0], newest_delete))
    newest_v = max(rows, key=lambda x: x[1])

    def newest_version_delete(r):
        shutil.rmtree(r / "bags" / newest_v[0] / f"v{newest_v[1]}")
        _sql(r, "DELETE FROM records WHERE code = ? AND version = ?", newest_v)
        _sql(r, "UPDATE records SET status = 'active', current = 1 WHERE code = ? AND version = ?",
             (newest_v[0], newest_v[1] - 1))
    out.append(("newest version delete", f"{newest_v[0]} v{newest_v[1]}", newest_version_delete))
    return out


def test_tamper_matrix_every_kind_is_detected(template, tmp_path, capsys):
    matrix: dict[str, list[int]] = {}
    missed = []
    for n, (kind, target, mutate) in enumerate(_tampers(template)):
        root_ = tmp_path / f"t{n}" / "arc"
        shutil.copytree(template, root_, symlinks=True)
        mutate(root_)
        with open_archive(root_) as a:
            rep = a.verify(record_event=False)
            repaired = a.verify(repair=True, record_event=False)
        caught = not rep.ok and not repaired.ok or (not rep.ok and kind.startswith(("catalogue row", "log truncate")))
        matrix.setdefault(kind, [0, 0])[0 if caught else 1] += 1
        if not caught:
            missed.append((kind, target, [f.format() for f in rep.findings]))
        shutil.rmtree(root_.parent)
    with capsys.disabled():
        total = sum(sum(v) for v in matrix.values())
        print(f"\ntamper matrix: {len(matrix)} kinds, {total} mutations, "
              f"{sum(v[0] for v in matrix.values())} detected: "
              + json.dumps({k: f"{v[0]}/{sum(v)}" for k, v in matrix.items()}, ensure_ascii=False))
    assert not missed, missed[:5]


# --- the tamper matrix, then the next ordinary command: nothing laundered, nothing damaged served ----------------
_DERIVED = ("catalogue row",)  # the catalogue is derived data: repair rightly rewrites it from what the log proves


def test_tamper_matrix_then_the_next_ordinary_command(template, tmp_path, tiny):
    import datetime as dt
    import re
    import zipfile
    from workplan.archive.reading import check_for_reading
    from test_archive import prebuild, write_doc
    good = {p.relative_to(template).as_posix(): p.read_bytes() for p in template.rglob("*")
            if p.is_file() and "bags" in p.relative_to(template).parts}
    with open_archive(template) as t:
        good_rows = {(r.code, r.version): r for r in t.records(current_only=False)}
    picked: dict[str, int] = {}
    cases = []
    for kind, target, mutate in _tampers(template):
        if picked.get(kind, 0) < 2:
            picked[kind] = picked.get(kind, 0) + 1
            cases.append((kind, target, mutate))
    (tmp_path / "next").mkdir()
    new_doc = write_doc(tmp_path / "next" / "doc0099.yaml", serial=99)
    pre = prebuild(tmp_path / "nextpre", new_doc, tiny)
    failures = []
    for n, (kind, target, mutate) in enumerate(cases):
        root_ = tmp_path / f"n{n}" / "arc"
        shutil.copytree(template, root_, symlinks=True)
        mutate(root_)
        m = re.search(r"J001-WS·\d{4}-\w+-\w+-\d{4}", target)
        code = m[0] if m else sorted(c for c, _ in good_rows)[0]

        def bad(what):
            failures.append((kind, target, what))

        def served_as_archived(a, c) -> None:
            """A record a reader would hand out must be exactly the archived one."""
            try:
                found = check_for_reading(a, c)
            except WorkplanError:
                return
            if found:
                return
            for r in a.versions(c):
                if r.status == "disposed":
                    continue
                g = good_rows.get((r.code, r.version))
                if g is None or (r.title, r.date, r.retention, r.identity) != (g.title, g.date, g.retention, g.identity):
                    bad(f"show: {c} v{r.version} served with the catalogue's values")
                for f in r.files:
                    rel = f"bags/{c}/v{r.version}/{f.path}"
                    if (root_ / rel).is_symlink() or (root_ / rel).read_bytes() != good.get(rel):
                        bad(f"show: {rel} served but not what was archived")

        with open_archive(root_) as a:
            if a.verify(record_event=False).ok:
                bad("not detected")
            for c in sorted({c for c, _ in good_rows}):  # show / the site
                served_as_archived(a, c)
            out = root_.parent / "t.zip"
            try:  # export
                a.export(out, year=2024)
                with zipfile.ZipFile(out) as z:
                    for name in z.namelist():
                        if name.startswith("bags/") and z.read(name) != good.get(name):
                            bad(f"export: {name} is not what was archived")
            except WorkplanError:
                pass
            for step in ("add", "repair", "rebuild", "dispose"):
                try:
                    if step == "add":
                        add_data_file(a, new_doc, prebuilt=pre, notify=False, reason="a test")
                    elif step == "repair":
                        a.verify(repair=True, record_event=False)
                    elif step == "rebuild":
                        a.rebuild_catalogue()
                    else:
                        try:
                            before = check_for_reading(a, code)
                        except WorkplanError:
                            before = None
                        a.dispose(code, today=dt.date(2100, 1, 1), notify=False, reason="a test")
                        if before:
                            bad(f"dispose: {code} was disposed although it failed its check")
                except WorkplanError:
                    pass
                except Exception as e:  # noqa: BLE001 - any other exception is a defect
                    bad(f"{step}: {type(e).__name__}: {e}")
            for c in sorted({c for c, _ in good_rows}):
                served_as_archived(a, c)
            if not kind.startswith(_DERIVED) and a.verify(record_event=False).ok:
                bad("laundered: verify is clean after the ordinary commands")
        shutil.rmtree(root_.parent)
    assert not failures, failures[:8]
