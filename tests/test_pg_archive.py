"""The archive with its catalogue and event log in PostgreSQL, against a real server started by
scripts/pg-cluster (tests/pg_fixture.py): many writers on two "machines" (separate processes and
search index folders, one shared bag folder), a writer killed inside its transaction, a server
restarted during adds, the log's append-only guard, and clear refusals."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workplan.archive.events import EventLog

pytestmark = pytest.mark.pg

ROOT = Path(__file__).resolve().parents[1]
WRITER = Path(__file__).with_name("pg_writer.py")
SOURCE = ROOT / "corpus" / "winter-fire-safety.yaml"
CODE_RE = re.compile(r"^J001-WS·2023-D30-QSSQ-(\d{4})$")


def wp(*args, env: dict | None = None, timeout: float = 120):
    e = dict(os.environ)
    e.pop("WORKPLAN_ARCHIVE", None)
    e.pop("WORKPLAN_INDEX", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "workplan.cli", *args], capture_output=True, text=True, env=e,
                          timeout=timeout)


def variants(folder: Path, start: int, n: int) -> list[Path]:
    """n data files, each a new record of the same group (another document number)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SOURCE.read_text(encoding="utf-8")
    out = []
    for i in range(start, start + n):
        p = folder / f"doc-{i:04d}.yaml"
        p.write_text(re.sub(r"doc_number: .*", f"doc_number: 青社发〔2023〕{i}号", text, count=1), encoding="utf-8")
        out.append(p)
    return out


def init(pg_server, root: Path) -> str:
    url = pg_server.new_database()
    r = wp("archive", "init", str(root), "--name", "青松社区居委会", "--catalogue", url)
    assert r.returncode == 0, r.stderr
    return url


def items_of(codes) -> list[int]:
    out = []
    for c in codes:
        m = CODE_RE.match(c)
        assert m, c
        out.append(int(m.group(1)))
    return sorted(out)


def catalogue_codes(root: Path) -> list[str]:
    from workplan.archive import open_archive
    with open_archive(root) as arc:
        return [r.code for r in arc.records()]


def verify_clean(root: Path, *, repair: bool = False) -> None:
    """In this process (the command line's verify is run by test_pg_archive_init_add_verify_export)."""
    from workplan.archive import open_archive
    with open_archive(root) as arc:
        if repair:
            arc.verify(repair=True)
        rep = arc.verify()
    assert rep.ok, [f.message for f in rep.findings]


def start_writers(root: Path, jobs: list[tuple[Path, list[Path]]], out: Path, *, retries: int = 0,
                  listeners: tuple[int, ...] | None = None):
    """One process per job (its machine's index folder, its files); ``listeners``: the writers
    that update their index after each add (default all; the others leave it to catch up)."""
    procs = []
    for k, (index, files) in enumerate(jobs):
        env = dict(os.environ)
        env.pop("WORKPLAN_ARCHIVE", None)
        quiet = [] if listeners is None or k in listeners else ["--no-listener"]
        procs.append(subprocess.Popen([sys.executable, str(WRITER), str(root), str(index), str(out / f"w{k}.json"),
                                       *map(str, files), "--retries", str(retries), *quiet], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return procs


def results(out: Path, n: int) -> list[dict]:
    return [json.loads((out / f"w{k}.json").read_text()) for k in range(n)]


def search_count(root: Path, index: Path, query: str) -> int:
    r = wp("search", query, "--json", "--limit", "1000", "--exact-count", "--archive", str(root), "--index", str(index))
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads(r.stdout)
    return data["total"]


# --- one archive, one writer: the whole surface ----------------------------------------------------
def test_pg_archive_init_add_verify_export(pg_server, tmp_path):
    root = tmp_path / "arc"
    url = init(pg_server, root)
    cfg = json.loads((root / "archive.json").read_text(encoding="utf-8"))
    assert cfg["catalogue"] == url
    assert not (root / "catalogue.sqlite").exists() and not (root / "events.jsonl").exists()
    files = variants(tmp_path / "src", 1, 3)
    r = wp("archive", "add", *map(str, files), "--format", "none", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    assert items_of(r.stdout.split()) == [1, 2, 3]
    # a new version of the first: same code, v2, on the same database
    files[0].write_text(files[0].read_text(encoding="utf-8").replace("冬季防火", "冬季防火（修订）", 1),
                        encoding="utf-8")
    r = wp("archive", "add", str(files[0]), "--format", "none", "--archive", str(root), "--reason", "the title corrected")
    assert r.returncode == 0, r.stderr
    r = wp("archive", "verify", "--archive", str(root))
    assert r.returncode == 0 and "all intact" in r.stdout, r.stdout + r.stderr
    # the log exported byte for byte as events.jsonl: the folder archive's reader finds it whole
    r = wp("archive", "log", "--export", str(tmp_path / "events.jsonl"), "--archive", str(root))
    assert r.returncode == 0, r.stderr
    events, findings = EventLog(tmp_path / "events.jsonl").read()
    assert findings == []
    assert [e.type for e in events] == ["init", "ingestion", "ingestion", "ingestion", "new-version",
                                        "fixity-check"]
    import psycopg
    with psycopg.connect(url) as db:
        lines = [bytes(r[0]) for r in db.execute("SELECT line FROM events ORDER BY id")]
    assert (tmp_path / "events.jsonl").read_bytes() == b"".join(x + b"\n" for x in lines)
    # search on this machine's index finds them
    assert search_count(root, root / "index", "冬季防火") == 3

    # a second archive cannot take the same database; a password is never written to archive.json
    r = wp("archive", "init", str(tmp_path / "other"), "--name", "x", "--catalogue", url)
    assert r.returncode != 0 and "already holds an archive" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "other" / "archive.json").exists()
    pw = url.replace("wp@", "wp:secret@")
    r = wp("archive", "init", str(tmp_path / "pw"), "--name", "x", "--catalogue", pw)
    assert r.returncode != 0 and "password" in r.stderr and "Traceback" not in r.stderr

    # a server that cannot be reached: a clear message, nothing written
    away = tmp_path / "away"
    away.mkdir()
    cfg["catalogue"] = re.sub(r":\d+/", ":1/", cfg["catalogue"])  # nothing listens on port 1
    (away / "archive.json").write_text(json.dumps(cfg), encoding="utf-8")
    (away / "bags").mkdir()
    r = wp("archive", "add", str(variants(tmp_path / "src2", 9, 1)[0]), "--format", "none", "--archive", str(away))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "catalogue database" in r.stderr and "running" in r.stderr, r.stderr
    assert not list((away / "bags").iterdir())


def test_pg_log_is_append_only_and_the_catalogue_rebuilt_from_the_bags(pg_server, tmp_path):
    import psycopg
    root = tmp_path / "arc"
    url = init(pg_server, root)
    r = wp("archive", "add", str(variants(tmp_path / "src", 1, 1)[0]), "--format", "none", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    for sql in ("UPDATE events SET type = 'x'", "DELETE FROM events", "TRUNCATE events",
                "UPDATE event_head SET id = 1", "DELETE FROM event_head"):
        with psycopg.connect(url) as db:  # the owner (a superuser here) is refused too
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only|only moves forward"):
                db.execute(sql)
    # a forged catalogue row is found, and the catalogue is rebuilt from the bags in the database
    with psycopg.connect(url) as db:
        db.execute("UPDATE records SET title = 'forged'")
    from workplan.archive import open_archive
    with open_archive(root) as arc:
        rep = arc.verify(record_event=False)
    assert not rep.ok and any(f.kind == "catalogue-mismatch" for f in rep.findings)
    r = wp("archive", "rebuild-catalogue", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    assert not (root / "catalogue.sqlite").exists() and not (root / "events.jsonl").exists()
    verify_clean(root)


# --- many writers, two machines ------------------------------------------------------------------------
def test_pg_four_writers_on_two_machines(pg_server, tmp_path):
    root = tmp_path / "shared"  # the shared bag folder (NFS in production)
    init(pg_server, root)
    per = int(os.environ.get("WORKPLAN_PG_TEST_RECORDS", "12"))  # each writer's; bench/: 200
    machines = [tmp_path / "machine-a-index", tmp_path / "machine-b-index"]
    jobs = [(machines[k % 2], variants(tmp_path / f"src{k}", 1 + k * per, per)) for k in range(4)]
    out = tmp_path / "out"
    out.mkdir()
    for index in machines:  # each machine's index, made before the writers start
        r = wp("search", "reindex", "--archive", str(root), "--index", str(index))
        assert r.returncode == 0, r.stderr
    t = time.perf_counter()
    # one writer per machine keeps its index current after each add (two processes updating one
    # index folder); the other two leave theirs to catch up from the events table when searched
    procs = start_writers(root, jobs, out, listeners=(0, 1))
    for p in procs:
        _o, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        assert "warning" not in err, err  # e.g. a record the index could not check against the log
    took = time.perf_counter() - t
    acked = [c for r in results(out, 4) for c in r["codes"]]
    assert len(acked) == 4 * per
    assert items_of(acked) == list(range(1, 4 * per + 1))  # gap-free, no number twice
    verify_clean(root)  # chain unbroken, every bag what the log recorded
    from workplan.archive import open_archive
    with open_archive(root) as arc:
        events, findings = arc.events.read()
    assert findings == [] and [e.id for e in events] == list(range(1, len(events) + 1))
    assert sum(e.type == "ingestion" for e in events) == 4 * per
    for index in machines:  # each machine's own index catches up from the events table
        assert search_count(root, index, "冬季防火") == 4 * per
    print(f"4 writers × {per} adds: {took:.1f} s, load {os.getloadavg()}")


# --- a writer killed inside its transaction ---------------------------------------------------------------
def test_pg_writer_killed_inside_its_transaction(pg_server, tmp_path):
    import psycopg
    root = tmp_path / "arc"
    url = init(pg_server, root)
    files = variants(tmp_path / "src", 1, 5)
    assert wp("archive", "add", str(files[0]), "--format", "none", "--archive", str(root)).returncode == 0
    # killed after its events were inserted, then after its bag was renamed into place: both
    # inside the transaction that would have committed them
    for step, crashed, nxt, item in (("logged", files[1], files[2], 2), ("placed", files[3], files[4], 3)):
        r = wp("archive", "add", str(crashed), "--format", "none", "--archive", str(root),
               env={"WORKPLAN_ARCHIVE_CRASH_AT": step})
        assert r.returncode == -signal.SIGKILL, (step, r.stderr)
        with psycopg.connect(url) as db:  # nothing half-made: the killed add's events were never committed
            assert db.execute("SELECT count(*) FROM events WHERE type = 'ingestion'").fetchone()[0] == item - 1
        # the lock went with the dead writer's session: the next add goes through at once
        t = time.perf_counter()
        r = wp("archive", "add", str(nxt), "--format", "none", "--archive", str(root))
        assert r.returncode == 0, r.stderr
        assert time.perf_counter() - t < 30
        assert items_of(r.stdout.split()) == [item], step  # the killed add's number was never issued: no gap
    # the bag placed by the writer killed before its commit was taken out again (kept in tmp/)
    assert [p.name for p in (root / "tmp").iterdir() if p.name.startswith("uncommitted-J001-WS·2023-D30-QSSQ-0003")]
    verify_clean(root, repair=True)


def test_pg_writer_killed_from_outside_mid_batch(pg_server, tmp_path):
    root = tmp_path / "arc"
    init(pg_server, root)
    out = tmp_path / "out"
    out.mkdir()
    files = variants(tmp_path / "src", 1, 40)
    (p,) = start_writers(root, [(tmp_path / "index", files)], out, listeners=())
    deadline = time.time() + 120
    while time.time() < deadline:  # let it archive a few, then kill -9 wherever it is
        try:
            if len(json.loads((out / "w0.json").read_text())["codes"]) >= 3:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    acked = json.loads((out / "w0.json").read_text())["codes"]
    r = wp("archive", "add", str(files[-1]), "--format", "none", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    verify_clean(root, repair=True)
    codes = catalogue_codes(root)
    assert set(acked) <= set(codes)  # nothing acknowledged is lost
    assert items_of(codes) == list(range(1, len(codes) + 1))  # and no gap


# --- the server restarted during adds -------------------------------------------------------------------
def test_pg_server_restart_during_adds(pg_server, tmp_path):
    root = tmp_path / "arc"
    init(pg_server, root)
    out = tmp_path / "out"
    out.mkdir()
    jobs = [(tmp_path / "index", variants(tmp_path / f"src{k}", 1 + k * 15, 15)) for k in range(2)]
    procs = start_writers(root, jobs, out, retries=40, listeners=())
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if sum(len(json.loads((out / f"w{k}.json").read_text())["codes"]) for k in range(2)) >= 4:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    pg_server.restart()
    for p in procs:
        _o, err = p.communicate(timeout=600)
        assert p.returncode == 0, err  # every add got through, some after a retry
    res = results(out, 2)
    acked = [c for r in res for c in r["codes"]]
    assert any(r["errors"] for r in res)  # the restart was felt, and got through by retrying
    for msg in (m for r in res for m in r["errors"]):  # what a writer was told while the server was away
        assert "catalogue database" in msg and "Traceback" not in msg, msg
    verify_clean(root, repair=True)
    codes = catalogue_codes(root)
    assert sorted(acked) == sorted(codes) and len(codes) == 30  # nothing lost, nothing twice
    assert items_of(codes) == list(range(1, 31))


# --- a folder archive moved into PostgreSQL ---------------------------------------------------------
def test_pg_migrate_folder_archive_proves_equal(pg_server, tmp_path):
    from workplan.archive import open_archive
    root = tmp_path / "arc"
    r = wp("archive", "init", str(root), "--name", "青松社区居委会")
    assert r.returncode == 0, r.stderr
    files = variants(tmp_path / "src", 1, 3)
    assert wp("archive", "add", *map(str, files), "--format", "none", "--archive", str(root)).returncode == 0
    before = (root / "events.jsonl").read_bytes()
    with open_archive(root) as arc:
        rows = {(r.code, r.version): r for r in arc.records(current_only=False)}
    url = pg_server.new_database()
    r = wp("archive", "migrate", "--to", url, "--archive", str(root))
    assert r.returncode == 0, r.stderr
    assert "read back equal" in r.stdout
    (kept,) = root.glob("migrated-*")
    assert (kept / "events.jsonl").read_bytes() == before and (kept / "catalogue.sqlite").exists()
    assert not (root / "events.jsonl").exists()
    with open_archive(root) as arc:
        assert arc.config.catalogue == url
        after = arc.events.export_bytes()
        assert after.startswith(before) and after[len(before):].count(b"\n") == 1  # + the migration event
        assert {(r.code, r.version): r for r in arc.records(current_only=False)} == rows
        assert arc.verify().ok
    # the moved archive takes writes; a second migration is refused, plainly
    r = wp("archive", "add", str(variants(tmp_path / "src2", 4, 1)[0]), "--format", "none", "--archive", str(root))
    assert r.returncode == 0 and items_of(r.stdout.split()) == [4], r.stderr
    r = wp("archive", "migrate", "--to", url, "--archive", str(root))
    assert r.returncode != 0 and "already in" in r.stderr and "Traceback" not in r.stderr


# --- people and fixity on the database -------------------------------------------------------------
def test_pg_archive_keeps_accounts_and_fixity_results(pg_server, tmp_path):
    """The accounts and each record's last fixity check live in the PostgreSQL catalogue as in a
    folder archive's: an account is required once one exists, events name the person, a failed
    check flags the record, and a rebuild keeps the accounts and recomputes the checks."""
    root = tmp_path / "arc"
    init(pg_server, root)
    pw = tmp_path / "pw.txt"
    pw.write_text("a long enough passphrase 42\n", encoding="utf-8")
    r = wp("user", "add", "admin", "--role", "administrator", "--password-file", str(pw), "--archive", str(root))
    assert r.returncode == 0, r.stderr
    r = wp("--user", "admin", "user", "add", "wang.li", "--role", "archivist", "--password-file", str(pw),
           "--archive", str(root))
    assert r.returncode == 0, r.stderr
    files = variants(tmp_path / "src", 1, 2)
    r = wp("archive", "add", *map(str, files), "--format", "none", "--archive", str(root))
    assert r.returncode != 0 and "--user" in r.stderr + r.stdout    # an account is required now
    r = wp("--user", "wang.li", "archive", "add", *map(str, files), "--format", "none", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    codes = r.stdout.split()
    from workplan.archive import open_archive
    with open_archive(root) as arc:
        assert [a["name"] for a in arc.catalogue.accounts()] == ["admin", "wang.li"]
        ingest = [e for e in arc.events.read()[0] if e.type == "ingestion"]
        assert ingest and all(e.agent.startswith("wang.li ") for e in ingest)
        bag = root / arc.rel(codes[0], 1)
    victim = next(p for p in (bag / "data").rglob("*") if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"#")
    r = wp("--user", "wang.li", "archive", "verify", "--archive", str(root))
    assert r.returncode != 0
    with open_archive(root) as arc:
        checks = arc.catalogue.fixity_of(codes)
        assert checks[codes[0]]["ok"] is False and checks[codes[0]]["findings"]
        assert arc.catalogue.damaged_codes() == [codes[0]]
        assert arc.catalogue.least_recently_checked(10)[:1] in ([codes[0]], [codes[1]])
    r = wp("--user", "wang.li", "archive", "rebuild-catalogue", "--archive", str(root))
    with open_archive(root) as arc:
        assert [a["name"] for a in arc.catalogue.accounts()] == ["admin", "wang.li"]
        assert arc.catalogue.damaged_codes() == [codes[0]]
