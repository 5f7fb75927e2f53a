"""Integrity you can see, on the command line: `workplan archive verify --sweep --budget`
checks the records verified longest ago first, its results are events and each record's last
check is kept (what the site shows)."""
from __future__ import annotations

import json

from .conftest import WINTER
from .test_accounts import events, run


def test_a_sweep_checks_the_longest_unverified_first_within_its_budget(archive_copy):
    from workplan.archive import open_archive
    from workplan.archive.verify import check_record, sweep
    with open_archive(archive_copy) as arc:
        codes = [r.code for r in arc.records()]
        assert len(codes) == 3 and WINTER in codes
        check_record(arc, WINTER)  # checked just now: last in line
        ticks = iter(range(0, 1000, 10))
        rep = sweep(arc, 15, clock=lambda: next(ticks))  # 0, 10: two records begun within 15 s
        assert [c["code"] for c in rep.checked] == [c for c in codes if c != WINTER]
        assert rep.remaining == 1 and rep.ok
        assert arc.catalogue.least_recently_checked(3)[0] == WINTER  # now the longest unverified
    # damage a file of the winter program: the next sweep reaches it first and says so
    d = json.loads(run("archive", "show", WINTER, "--json", "--archive", str(archive_copy)).output)
    pdf = archive_copy / d["record"]["bag_dir"] / next(f["path"] for f in d["record"]["files"] if f["role"] == "pdf:zh")
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0xFF
    pdf.write_bytes(bytes(data))
    n = len(events(archive_copy))
    r = run("archive", "verify", "--sweep", "--budget", "10m", "--json", "--archive", str(archive_copy))
    assert r.exit_code == 1
    rep = json.loads(r.output)
    assert [c["code"] for c in rep["checked"]][0] == WINTER and rep["remaining"] == 0
    assert rep["checked"][0]["ok"] is False and pdf.name in rep["checked"][0]["findings"][0]["message"]
    new = events(archive_copy)[n:]
    assert [(e["type"], e["object"], e["outcome"], e["detail"]["via"]) for e in new][0] == \
        ("fixity-check", WINTER, "failure", "sweep")
    assert len(new) == 3
    # the record keeps its last result (the site's flag), also through a rebuild of the catalogue
    def last_check() -> dict:
        with open_archive(archive_copy) as arc:
            return arc.catalogue.fixity_of([WINTER])[WINTER]
    assert last_check()["ok"] is False and last_check()["event_id"] == new[0]["id"]
    assert pdf.name in last_check()["findings"][0]
    assert run("archive", "rebuild-catalogue", "--archive", str(archive_copy)).exit_code == 0
    assert last_check()["ok"] is False and last_check()["event_id"] == new[0]["id"]
    # a budget that is not a duration is a usage error, before anything is checked
    r = run("archive", "verify", "--sweep", "--budget", "ten minutes", "--archive", str(archive_copy))
    assert r.exit_code == 2 and "is not a duration" in r.output
    assert len(events(archive_copy)) == n + 3 + 1  # the sweep's three checks and the rebuild


def test_a_whole_verify_names_the_damaged_records_so_a_rebuild_keeps_their_flag(archive_copy):
    """The whole-archive check's event lists the records it found damaged: the catalogue rebuilt
    from the bags and the log still flags them (and the others as checked and intact)."""
    from workplan.archive import open_archive
    d = json.loads(run("archive", "show", WINTER, "--json", "--archive", str(archive_copy)).output)
    pdf = archive_copy / d["record"]["bag_dir"] / next(f["path"] for f in d["record"]["files"] if f["role"] == "pdf:zh")
    pdf.write_bytes(pdf.read_bytes() + b"%")
    assert run("archive", "verify", "--archive", str(archive_copy)).exit_code != 0
    last = events(archive_copy)[-1]
    assert last["type"] == "fixity-check" and WINTER in last["detail"]["damaged"]
    run("archive", "rebuild-catalogue", "--archive", str(archive_copy))
    with open_archive(archive_copy) as arc:
        codes = [r.code for r in arc.records()]
        checks = arc.catalogue.fixity_of(codes)
        assert arc.catalogue.damaged_codes() == [WINTER]
        assert all(checks[c]["ok"] for c in codes if c != WINTER) and checks[WINTER]["findings"]
