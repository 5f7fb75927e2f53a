"""A PostgreSQL archive with a streaming standby (scripts/pg-cluster --standby): the site served
from the standby (reads work, writes refused with a clear message), then the primary killed
(SIGKILL) and the standby promoted: every acknowledged event is there, the chain whole."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from pg_fixture import PG_CLUSTER, PGBIN

pytestmark = [pytest.mark.pg, pytest.mark.slow, pytest.mark.skipif(
    os.environ.get("WORKPLAN_PG_STANDBY") != "1",
    reason="a second server with a standby takes ~30 s more than the CI budget allows: run with WORKPLAN_PG_STANDBY=1")]

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "winter-fire-safety.yaml"


@pytest.fixture(scope="module")
def pair():
    """(primary URL, standby URL, base folder) of a primary with a synchronous standby."""
    if not (PGBIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 is not installed ({PGBIN}/initdb is missing)")
    pytest.importorskip("psycopg", reason='psycopg is not installed: pip install -e ".[pg]"')
    r = subprocess.run(["bash", str(PG_CLUSTER), "start", "--standby"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    try:
        yield out["URL"], out["STANDBY_URL"], Path(out["BASE"])
    finally:
        subprocess.run(["bash", str(PG_CLUSTER), "remove", out["BASE"]], capture_output=True, timeout=120)


def wait_replayed(primary: str, standby: str, timeout: float = 60) -> None:
    import psycopg
    with psycopg.connect(primary) as p:
        lsn = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.time() + timeout
    with psycopg.connect(standby, autocommit=True) as s:
        while time.time() < deadline:
            if s.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(lsn),)).fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("the standby did not replay the primary's WAL in time")


def test_pg_site_from_standby_then_failover(pair, tmp_path):
    import psycopg

    from workplan.archive import open_archive
    from workplan.errors import WorkplanError
    from workplan.web import create_app
    primary, standby, base = pair
    root = tmp_path / "arc"
    env = {k: v for k, v in os.environ.items() if k not in ("WORKPLAN_ARCHIVE", "WORKPLAN_INDEX")}
    wp = [sys.executable, "-m", "workplan.cli"]
    r = subprocess.run([*wp, "archive", "init", str(root), "--name", "青松社区居委会", "--catalogue", primary],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    src = tmp_path / "src"
    src.mkdir()
    text = SOURCE.read_text(encoding="utf-8")
    for i in range(1, 4):
        (src / f"d{i}.yaml").write_text(re.sub(r"doc_number: .*", f"doc_number: 青社发〔2023〕{i}号", text, count=1),
                                        encoding="utf-8")
    r = subprocess.run([*wp, "archive", "add", str(src), "--format", "none", "--archive", str(root)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    codes = r.stdout.split()
    wait_replayed(primary, standby)

    # the site, reading the standby (and this machine's index, built beside the shared folder)
    app = create_app(root, open_options={"catalogue": standby})
    client = app.test_client()
    res = client.get("/search.json", query_string={"q": "冬季防火"})
    assert res.status_code == 200, res.data[:500]
    assert {x["code"] for x in res.get_json()["results"]} == set(codes)
    res = client.get(f"/records/{quote(codes[0])}.json")
    assert res.status_code == 200 and res.get_json()["record"]["code"] == codes[0]
    with open_archive(root, catalogue=standby) as arc:  # writing through a standby: refused, said plainly
        with pytest.raises(WorkplanError, match="read-only"):
            arc.events.append("fixity-check", "archive", {})

    # the trap of a synchronous standby: with it down, a commit would wait for ever; it waits
    # SYNC_WAIT, stands on the primary, and the writer is told
    def ctl(*args):
        cmd = [str(PGBIN / "pg_ctl"), "-D", str(base / "standby"), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr

    ctl("-m", "fast", "-w", "stop")
    (src / "d4.yaml").write_text(re.sub(r"doc_number: .*", "doc_number: 青社发〔2023〕4号", text, count=1),
                                 encoding="utf-8")
    t = time.perf_counter()
    r = subprocess.run([*wp, "archive", "add", str(src / "d4.yaml"), "--format", "none", "--archive", str(root)],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "synchronous standby did not confirm" in r.stderr and time.perf_counter() - t < 60
    ctl("-l", str(base / "standby.log"), "-w", "start")
    wait_replayed(primary, standby)

    # the primary killed; the standby promoted: nothing acknowledged is lost, the chain is whole
    with psycopg.connect(primary) as db:
        acked = db.execute("SELECT count(*) FROM events").fetchone()[0]
    pid = int((base / "primary" / "postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)
    r = subprocess.run(["runuser", "-u", "postgres", "--", str(PGBIN / "pg_ctl"), "-D", str(base / "standby"), "-w",
                        "promote"] if os.geteuid() == 0 else [str(PGBIN / "pg_ctl"), "-D", str(base / "standby"),
                                                              "-w", "promote"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cfg = json.loads((root / "archive.json").read_text(encoding="utf-8"))
    cfg["catalogue"] = standby  # the archive follows the new primary
    (root / "archive.json").write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    with open_archive(root) as arc:
        events, findings = arc.events.read()
        assert findings == [] and len(events) >= acked
        assert arc.verify().ok
    r = subprocess.run([*wp, "archive", "add", str(src / "d1.yaml"), "--again", "--reason", "added again", "--format", "none", "--archive",
                        str(root)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr  # the promoted server takes writes
