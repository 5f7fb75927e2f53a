"""Batch work on the job queue of a PostgreSQL archive (procrastinate in the archive's own
database), against a real server (tests/pg_fixture.py): adds queued with `archive add --queue`,
run by `workplan worker`, their records, events and search visible; a job stopped by a bad file
reported clearly; a fixity sweep as a job; a large add sent to a running worker; writers that
leave the index to the machine's catch-up."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from test_pg_archive import init, variants, wp

pytestmark = pytest.mark.pg


@contextmanager
def running_worker(root: Path, index: Path) -> Iterator[Any]:
    """A `workplan worker` process on the archive (until interrupted), once the queue sees it
    alive; yields the archive's queue. Stopped with SIGINT after, cleanly (no traceback)."""
    from workplan.archive import open_archive
    from workplan.jobs import queue_of
    env = {k: v for k, v in os.environ.items() if k not in ("WORKPLAN_ARCHIVE", "WORKPLAN_INDEX")}
    worker = subprocess.Popen([sys.executable, "-m", "workplan.cli", "worker", "--archive", str(root), "--index",
                               str(index)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        with open_archive(root) as arc:
            queue = queue_of(arc)
            deadline = time.monotonic() + 60
            while not queue.worker_alive():
                assert time.monotonic() < deadline and worker.poll() is None, "the worker did not start"
                time.sleep(0.2)
            yield queue
    finally:
        worker.send_signal(signal.SIGINT)
        _out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0 and "Traceback" not in err, err


def test_pg_jobs_queued_run_by_the_worker_and_reported(pg_server, tmp_path):
    root, idx = tmp_path / "arc", tmp_path / "machine-a"
    init(pg_server, root)
    variants(tmp_path / "in", 1, 3)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")

    r = wp("archive", "add", str(tmp_path / "in"), "--queue", "--format", "none", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    good = int(r.stdout.split()[-1])
    assert "queued 3 file(s)" in r.stderr
    r = wp("archive", "add", str(bad), "--queue", "--format", "none", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    failing = int(r.stdout.split()[-1])
    from workplan.archive import open_archive
    from workplan.jobs import queue_of
    with open_archive(root) as arc:
        sweep = queue_of(arc).enqueue("fixity", budget=60)
        assert arc.records() == []  # nothing done before a worker runs

    r = wp("jobs", "--archive", str(root))
    assert r.returncode == 0 and f"job {good}: add queued" in r.stdout, r.stdout + r.stderr

    r = wp("worker", "--until-empty", "--archive", str(root), "--index", str(idx))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert f"job {good}: add done" in r.stderr and f"job {sweep}: fixity done" in r.stderr
    assert f"job {failing}: add failed: {bad / 'broken.yaml'}" in r.stderr  # said once, naming the file
    assert r.stderr.count("broken.yaml") == 1, r.stderr

    r = wp("jobs", "--json", "--archive", str(root))
    assert r.returncode == 1  # one of them failed
    reports = {j["job_id"]: j for j in json.loads(r.stdout)["jobs"]}
    assert reports[good]["state"] == "done" and reports[good]["queue_status"] == "succeeded"
    codes = reports[good]["result"]["codes"]
    assert [c.rsplit("-", 1)[1] for c in codes] == ["0001", "0002", "0003"]
    assert reports[failing]["state"] == "failed" and reports[failing]["queue_status"] == "failed"
    assert str(bad / "broken.yaml") in reports[failing]["error"] and "not valid YAML" in reports[failing]["error"]
    assert reports[sweep]["result"] == {"ok": True, "checked": 3, "remaining": 0, "damaged": []}
    r = wp("jobs", str(good), "999999", "--archive", str(root))
    assert r.returncode == 1 and "job 999999: no such job" in r.stderr and "3 record(s) archived" in r.stdout

    with open_archive(root) as arc:
        events = arc.events.read()[0]
        assert sorted(e.object for e in events if e.type == "ingestion") == codes
        assert all("worker" in (e.agent or "") for e in events if e.type == "ingestion")
        assert sum(e.type == "fixity-check" for e in events) == 3
        assert arc.verify(record_event=False).ok
    # the worker brought its machine's index up to date after the add: found without catching up
    assert (idx / "meta.json").exists() or any(idx.iterdir())
    r = wp("search", "冬季防火", "--json", "--exact-count", "--archive", str(root), "--index", str(idx))
    assert r.returncode == 0 and json.loads(r.stdout)["total"] == 3, r.stdout + r.stderr
    assert "building it" not in r.stderr


def test_the_queue_needs_a_postgresql_archive(tmp_path):
    root = tmp_path / "arc"
    assert wp("archive", "init", str(root), "--name", "青松社区居委会").returncode == 0
    variants(tmp_path / "in", 1, 1)
    for args in (["archive", "add", str(tmp_path / "in"), "--queue"], ["worker", "--until-empty"], ["jobs"]):
        r = wp(*args, "--archive", str(root))
        assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
        assert "SQLite" in r.stderr and "workplan archive migrate" in r.stderr, r.stderr


def test_a_large_add_goes_to_a_running_worker(pg_server, tmp_path):
    """Above the threshold ($WORKPLAN_QUEUE_ABOVE here, 200 by default) and with a worker alive,
    `archive add` queues instead of archiving inline; the worker (until interrupted) runs it."""
    root = tmp_path / "arc"
    init(pg_server, root)
    variants(tmp_path / "in", 1, 3)
    # no worker yet: archived here, as always; and not indexed by the writer (each machine's index
    # catches up once for every writer's records: machine b's first search, at the end)
    other = tmp_path / "machine-b"
    r = wp("archive", "add", str(tmp_path / "in" / "doc-0001.yaml"), "--format", "none", "--archive", str(root),
           "--index", str(other), env={"WORKPLAN_QUEUE_ABOVE": "0"})
    assert r.returncode == 0 and r.stdout.strip().endswith("-0001"), r.stdout + r.stderr
    assert not other.exists() and "not updated" not in r.stderr
    with running_worker(root, tmp_path / "idx") as queue:
        (tmp_path / "in" / "doc-0001.yaml").unlink()
        r = wp("archive", "add", str(tmp_path / "in"), "--format", "none", "--archive", str(root),
               env={"WORKPLAN_QUEUE_ABOVE": "1"})
        assert r.returncode == 0 and "queued for the archive's worker" in r.stderr, r.stdout + r.stderr
        job = int(r.stdout.split()[-1])
        deadline = time.monotonic() + 120
        while queue.reports([job])[0]["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, queue.reports([job])
            time.sleep(0.2)
        assert queue.reports([job])[0]["result"]["codes"][-1].endswith("-0003")
    r = wp("search", "冬季防火", "--json", "--exact-count", "--archive", str(root), "--index", str(other))
    assert r.returncode == 0 and json.loads(r.stdout)["total"] == 3, r.stdout + r.stderr
    assert "building it" in r.stderr


def test_the_site_catches_its_machine_index_up(pg_server, tmp_path):
    """Writers into a PostgreSQL archive leave the index to each machine: the site builds its
    machine's index on the first search and catches it up when the log's head moved."""
    from workplan.archive import open_archive
    from workplan.ingest import add_data_files
    from workplan.web import create_app
    root = tmp_path / "arc"
    init(pg_server, root)
    files = variants(tmp_path / "in", 1, 3)
    with open_archive(root) as arc:
        add_data_files(arc, files[:2], formats=())
    client = create_app(root).test_client()

    def found() -> set[str]:
        res = client.get("/search.json", query_string={"q": "冬季防火"})
        assert res.status_code == 200, res.data[:500]
        return {x["code"].rsplit("-", 1)[1] for x in res.get_json()["results"]}

    assert found() == {"0001", "0002"}
    with open_archive(root) as arc:
        add_data_files(arc, files[2:], formats=())
    assert found() == {"0001", "0002", "0003"}


def test_pg_batch_allocation_counts_on_within_the_batch(pg_server, tmp_path):
    """A batch's identities are looked up at once and its item numbers counted on: a second file
    of the same identity in the batch is version 2 of the first, the next new one the next item."""
    import re

    from workplan.archive import open_archive
    from workplan.ingest import add_data_files
    root = tmp_path / "arc"
    init(pg_server, root)
    a, c = variants(tmp_path / "in", 1, 2)
    b = tmp_path / "b.yaml"
    b.write_text(a.read_text(encoding="utf-8").replace("冬季", "冬季冬季", 1), encoding="utf-8")
    assert re.search("doc_number", b.read_text(encoding="utf-8"))
    with open_archive(root) as arc:
        recs = add_data_files(arc, [a, b, c], formats=(), reason="the title changed").records
        assert [(r.code.rsplit("-", 1)[1], r.version, r.status) for r in recs] == \
            [("0001", 1, "superseded"), ("0001", 2, "active"), ("0002", 1, "active")]
        assert arc.verify(record_event=False).ok


def test_the_sites_volume_is_made_by_the_worker(pg_server, tmp_path):
    """On a PostgreSQL archive with a worker alive, the site's compile page queues the volume; the
    worker makes it (as the person who asked) and the site's job page follows the queue's report
    to the download. With no worker, the site makes it itself (the other web tests)."""
    from workplan.archive import open_archive
    from workplan.ingest import add_data_files
    from workplan.web import create_app
    root = tmp_path / "arc"
    init(pg_server, root)
    with open_archive(root) as arc:
        add_data_files(arc, variants(tmp_path / "in", 1, 1), formats=("pdf",))
    app = create_app(root)
    try:
        with running_worker(root, tmp_path / "idx") as queue:
            client = app.test_client()
            r = client.post("/compile.json", json={"year": 2023})
            assert r.status_code == 202, r.data[:500]
            job = r.get_json()["id"]
            deadline = time.monotonic() + 180
            while (d := client.get(f"/compile/jobs/{job}.json").get_json())["state"] in ("queued", "running"):
                assert time.monotonic() < deadline, d
                time.sleep(0.2)
            assert d["state"] == "done" and d["documents"] == 1, d
            reports = [j for j in queue.reports() if j["task"] == "compile"]
            assert len(reports) == 1 and reports[0]["state"] == "done"  # the worker made it, not the site
            assert reports[0]["result"]["output"].endswith("volume-2023.pdf")
            r = client.get(f"/compile/jobs/{job}/download")
            assert r.status_code == 200 and r.data.startswith(b"%PDF")
    finally:
        app.config["WP_JOBS"].close()
