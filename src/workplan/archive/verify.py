"""``verify``: recompute every hash and cross-check bags, catalogue and event log.

Findings (each names the file or record):

* hash-mismatch / missing-file / orphan-file / unreadable — inside a bag (tampering, damage);
* bag-without-record / record-without-bag / catalogue-mismatch — catalogue vs bags;
* gap — a hole in the item numbers of a (fonds, category, year, retention, organization) group;
* log-chain / log-truncated / log-incomplete / missing-event — the event log;
* lost-record — the log records a version (or a disposal) whose bag (or tombstone) is gone;
* log-mismatch — a bag no longer hashes to what its event recorded when it was archived;
* symlink / not-a-file — a symbolic link or a non-regular file where the archive's files belong;
* interrupted-add / interrupted-disposal / leftover — what a killed process left behind;
* catalogue — the catalogue is missing or unreadable;
* stray — something under bags/ that is not a bag.

``repair`` fixes what an interrupted operation leaves (leftovers, reservations, unrecorded
bags, missing events, half-done disposals, a missing catalogue, an unfinished last log line —
kept as evidence and closed by a repair entry, never cut), never touching a bag: tampering and
damage are reported, not "repaired".
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import WorkplanError
from .bag import (METADATA_NAME, TAGMANIFEST, check_bag, parse_metadata, rows_for_code,
                  scan_bags)
from .catalogue import CATALOGUE_NAME, COLUMNS
from .codes import format_code
from .events import LOG_NAME, Event
from .fsutil import remove_tree, try_lock_dir
from .record import Finding

_BAG_KINDS = {"hash-mismatch", "missing-file", "orphan-file", "unreadable", "bag-mismatch"}
_NEW_STAGING_GRACE = 600  # seconds: a ".new-*" staging folder younger than this may be in use


@dataclass
class VerifyReport:
    findings: list[Finding] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    documents: int = 0
    versions: int = 0
    files: int = 0
    bytes: int = 0
    events: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict:
        return {"ok": self.ok, "documents": self.documents, "versions": self.versions, "files": self.files,
                "bytes": self.bytes, "events": self.events, "seconds": round(self.seconds, 3),
                "findings": [f.as_dict() for f in self.findings], "repaired": self.repaired}


@dataclass
class _State:
    findings: list[Finding] = field(default_factory=list)
    derived: dict[tuple[str, int], dict] = field(default_factory=dict)
    derived_by_code: dict[str, list[dict]] = field(default_factory=dict)
    damaged: set[str] = field(default_factory=set)  # codes with a damaged bag
    catalogue_ok: bool = True
    chain_ok: bool = True
    logged: set = field(default_factory=set)  # (code, version) the log records
    unlogged: set = field(default_factory=set)  # (code, version) of bags the log does not record
    files: int = 0
    bytes: int = 0
    events: int = 0


def _links(arc) -> list[Finding]:
    """The archive's own files and folders must be what they seem: a symbolic link would make
    writers stage outside the archive, or verify and export read what was never archived."""
    out = []
    for name in ("bags", "tmp", CATALOGUE_NAME, LOG_NAME, "archive.json", ".lock"):
        p = arc.root / name
        if p.is_symlink():
            out.append(Finding(f"{name} is a symbolic link (to {os.readlink(p)}): the archive's files must be inside "
                               "it", file=name, kind="symlink",
                               hint=f"replace the link with the real {'folder' if name in ('bags', 'tmp') else 'file'}"
                                    " (for tmp: an empty folder); it is never followed or repaired"))
    return out


def _leftovers(arc) -> list[Finding]:
    out: list[Finding] = []
    tmp = arc.tmp
    if tmp.is_symlink() or not tmp.is_dir():  # a linked tmp/ is reported by _links, never cleaned
        return out
    now = time.time()
    for e in sorted(os.scandir(tmp), key=lambda e: e.name):
        rel = f"tmp/{e.name}"
        if e.is_dir(follow_symlinks=False):
            if e.name.startswith(".new-"):
                try:
                    if now - e.stat(follow_symlinks=False).st_mtime < _NEW_STAGING_GRACE:
                        continue
                except OSError:
                    continue
            fd = try_lock_dir(Path(e.path))
            if fd is None:
                continue  # a live process is working in it
            os.close(fd)
        out.append(Finding(f"leftover of an interrupted operation: {rel}", file=rel, kind="leftover",
                           repairable=True, hint="`workplan archive verify --repair` removes it"))
    return out


def _check(arc, progress: Callable[[int, int], None] | None, workers: int | None) -> _State:
    st = _State()
    f = st.findings
    # 1. the catalogue
    cat_rows: list[dict] = []
    try:
        cat_rows = arc.catalogue.all_rows()
    except WorkplanError as e:
        st.catalogue_ok = False
        arc.close()
        f.append(Finding(e.problems[0].message, file=CATALOGUE_NAME, kind="catalogue", repairable=True,
                         hint="`workplan archive verify --repair` (or rebuild-catalogue) rebuilds it from the bags"))
    # 2. the event log
    events, log_findings = arc.events.read()
    cut = arc.events.check_head()
    if cut is not None:
        log_findings.append(cut)
        for x in log_findings:
            if x.kind == "log-incomplete":
                x.repairable = False  # nothing is written to a cut log
    st.events = len(events)
    f.extend(log_findings)
    st.chain_ok = not any(x.kind in ("log-chain", "log-missing", "log-truncated") for x in log_findings)
    if st.catalogue_ok and events is not None:
        head = arc.catalogue.log_head()
        if head is not None:
            hid, hhash = head
            ev = next((e for e in reversed(events) if e.id == hid), None)
            if ev is None:
                last = events[-1].id if events else 0
                if last < hid:
                    f.append(Finding(f"the event log ends at entry #{last}, but entry #{hid} was written: entries "
                                     "were removed from its end", file=LOG_NAME, kind="log-truncated",
                                     hint="restore events.jsonl from a backup"))
                    st.chain_ok = False
            elif ev.hash != hhash:
                f.append(Finding(f"entry #{hid} (line {ev.line}) was changed after it was written", file=LOG_NAME,
                                 line=ev.line, kind="log-chain", hint="restore events.jsonl from a backup"))
                st.chain_ok = False
    for ev in events:
        if ev.type in ("ingestion", "new-version", "adoption") and isinstance(ev.detail, dict) \
                and isinstance(ev.detail.get("version"), int):
            st.logged.add((ev.object, ev.detail["version"]))
    # the configuration is what the log's init entry recorded (a fonds code edit would relabel every record)
    init = next((e for e in events if e.type == "init"), None)
    if init is not None and isinstance(init.detail, dict):
        cfg = {"fonds_code": arc.config.fonds_code, "fonds_name": arc.config.fonds_name,
               "category": arc.config.category}
        wrong = [k for k, v in cfg.items() if k in init.detail and init.detail[k] != v]
        if wrong:
            f.append(Finding(f"archive.json's {', '.join(wrong)} differ(s) from what the log recorded when the "
                             f"archive was created (entry #{init.id})", file="archive.json", kind="config-mismatch",
                             hint="restore archive.json from a backup"))
    # 3. links where the archive's own files belong; leftovers of killed processes
    f.extend(_links(arc))
    f.extend(_leftovers(arc))
    # 4. the bags
    scan = scan_bags(arc.bags)
    for p in scan.links:
        rel = p.relative_to(arc.root).as_posix()
        parts = rel.split("/")
        f.append(Finding(f"{rel} is a symbolic link (to {os.readlink(p)}): a record's folder must be inside the "
                         "archive", file=rel, kind="symlink", code=parts[1] if len(parts) > 1 else None,
                         hint="never followed; put the real bag back from a backup"))
        if len(parts) > 2:
            st.damaged.add(parts[1])
    for p in scan.strays:
        rel = p.relative_to(arc.root).as_posix()
        f.append(Finding(f"unexpected {'folder' if p.is_dir() else 'file'} under bags/: {rel}", file=rel,
                         kind="stray", hint="it is not a bag written by workplan; inspect it and remove it by hand"))
    tasks: list[tuple[str, int | None, Path]] = []
    for code, vs in scan.versions.items():
        for v, p in vs.items():
            tasks.append((code, v, p))
    for code, p in scan.tombstones.items():
        tasks.append((code, None, p))
    tasks.sort(key=lambda t: (t[0], t[1] or 0))
    total = len(tasks)
    done = 0

    def work(t):
        code, v, p = t
        return t, check_bag(p, arc.rel(code, v), code)

    workers = workers or min(8, 2 * (os.cpu_count() or 1))
    per_code: dict[str, dict] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for (code, v, _p), res in pool.map(work, tasks):
            done += 1
            if progress:
                progress(done, total)
            st.files += res.files
            st.bytes += res.bytes
            if res.findings:
                f.extend(res.findings)
                st.damaged.add(code)
            md, problem = parse_metadata(res.metadata, f"{arc.rel(code, v)}/data/{METADATA_NAME}", code)
            if problem:
                if code not in st.damaged:
                    f.append(problem)
                st.damaged.add(code)
                continue
            entry = {"path": f"data/{METADATA_NAME}", "size": len(res.metadata),
                     "sha256": res.manifest.get(f"data/{METADATA_NAME}", "")}
            slot = per_code.setdefault(code, {"versions": {}, "tombstone": None})
            if v is not None and (code, v) not in st.logged:
                # a bag the log does not know: a finding (below), never a row, not even a derived one
                st.unlogged.add((code, v))
                st.damaged.add(code)
                continue
            if v is None:
                slot["tombstone"] = (md, entry, res.tagmanifest_sha256)
            else:
                slot["versions"][v] = (md, entry, res.tagmanifest_sha256)
    for code in sorted(per_code):
        slot = per_code[code]
        if slot["tombstone"] is not None and scan.versions.get(code):
            # finished only when the log records the disposal: a planted tombstone never destroys a record
            logged_disposal = any(e.type == "disposal" and e.object == code for e in events)
            for v in sorted(scan.versions[code]):
                rel = arc.rel(code, v)
                if logged_disposal:
                    f.append(Finding(f"interrupted disposal: {code} was disposed but {rel} is still there", file=rel,
                                     kind="interrupted-disposal", code=code, repairable=st.chain_ok,
                                     hint="`workplan archive verify --repair` finishes the disposal"))
                else:
                    f.append(Finding(f"{code} has a tombstone the log does not record, beside {rel}: nothing is "
                                     "disposed on its word", file=arc.rel(code, None), kind="missing-event",
                                     code=code, hint="remove the tombstone (planted, or its log entry was deleted)"))
                    st.damaged.add(code)
        rows, problems = rows_for_code(code, slot["versions"], slot["tombstone"], arc.rel)
        f.extend(problems)
        if problems:
            st.damaged.add(code)
        st.derived_by_code[code] = rows
        for r in rows:
            st.derived[(r["code"], r["version"])] = r
    # 5. the log vs the bags: every version the log says was archived is there (or was disposed)
    f.extend(_lost_records(arc, st, events, scan, cat_rows))
    # 6. catalogue vs bags
    if st.catalogue_ok:
        cat = {(r["code"], r["version"]): r for r in cat_rows if r["status"] != "pending"}
        for r in cat_rows:
            if r["status"] != "pending":
                continue
            key = (r["code"], r["version"])
            if key in st.derived:
                f.append(Finding(f"interrupted add: the bag of {r['code']} v{r['version']} is in place but not "
                                 "recorded as finished", file=r["bag_dir"], kind="interrupted-add", code=r["code"],
                                 repairable=True, hint="`workplan archive verify --repair` finishes it"))
            elif key in st.logged:
                f.append(Finding(f"interrupted add: the log records {r['code']} v{r['version']}, but its bag is not "
                                 "in place yet", file=r["bag_dir"], kind="interrupted-add", code=r["code"],
                                 repairable=True, hint="`workplan archive verify --repair` puts the staged bag the "
                                                       "log records in place"))
            else:
                f.append(Finding(f"interrupted add: {r['code']} v{r['version']} was reserved but its bag never "
                                 "arrived (nothing was archived under it)", file=CATALOGUE_NAME,
                                 kind="interrupted-add", code=r["code"], repairable=True,
                                 hint="`workplan archive verify --repair` drops the reservation"))
        pending = {(r["code"], r["version"]) for r in cat_rows if r["status"] == "pending"}
        for key, d in sorted(st.derived.items()):
            code, v = key
            row = cat.get(key)
            if (row is not None and row.get("tagmanifest") and row.get("bag_dir") == d["bag_dir"]
                    and row["tagmanifest"] != d.get("tagmanifest")):
                # the tagmanifest is the one file no manifest covers: its hash is in the catalogue
                f.append(Finding(f"hash mismatch: {d['bag_dir']}/{TAGMANIFEST} has changed since it was archived",
                                 file=f"{d['bag_dir']}/{TAGMANIFEST}", kind="hash-mismatch", code=code,
                                 hint="the stored file is no longer what was archived; restore it from a backup"))
                st.damaged.add(code)
            if code in st.damaged:
                continue
            if row is None:
                if key not in pending and key in st.logged:
                    f.append(Finding(f"bag without a record: {d['bag_dir']} is not in the catalogue",
                                     file=d["bag_dir"], kind="bag-without-record", code=code,
                                     repairable=st.chain_ok and all(k in st.logged for k in
                                                                    st.derived if k[0] == code),
                                     hint="`workplan archive verify --repair` records it from the bag (the log "
                                          "records it)"))
                continue
            if key not in st.logged and row.get("status") != "disposed":
                st.damaged.add(code)
                continue  # reported as missing-event: never "repaired" into the catalogue
            diff = [c for c in COLUMNS if row.get(c) != d.get(c)]
            if diff:
                f.append(Finding(f"the catalogue disagrees with the bag of {code} v{v} ({', '.join(diff)})",
                                 file=d["bag_dir"], kind="catalogue-mismatch", code=code, repairable=True,
                                 hint="`workplan archive verify --repair` rewrites the row from the bag"))
        for key, row in sorted(cat.items()):
            if key not in st.derived and row["code"] not in st.damaged:
                f.append(Finding(f"record without a bag: {row['code']} v{row['version']} is in the catalogue but "
                                 f"{row['bag_dir']} is missing", file=row["bag_dir"], kind="record-without-bag",
                                 code=row["code"], hint="restore the bag from a backup or a transfer package"))
    # 7. gaps in item numbers (from the bags: the truth)
    groups: dict[tuple[str, str, int, str, str], set[int]] = {}
    for _code, rows in st.derived_by_code.items():
        for r in rows[:1]:
            groups.setdefault((r["fonds"], r["category"], r["year"], r["retention"], r["org"]), set()).add(r["item"])
    for g, items in sorted(groups.items()):
        for missing in sorted(set(range(1, max(items) + 1)) - items):
            code = format_code(*g, missing)
            f.append(Finding(f"gap in item numbers: {code} is missing", file=f"bags/{code}", kind="gap", code=code,
                             hint="a record was removed from the archive; restore its bag from a backup"))
    # 8. every version and disposal has its event
    seen: set[tuple[str, str, int | None]] = set()
    for ev in events:
        if isinstance(ev.detail, dict) and ev.type in ("ingestion", "new-version", "adoption"):
            logged_v = ev.detail.get("version")
            seen.add(("ingestion" if logged_v == 1 else "new-version", ev.object, logged_v))
        elif ev.type == "disposal":
            seen.add(("disposal", ev.object, None))
    for code, v in sorted(st.unlogged):
        t = "ingestion" if v == 1 else "new-version"
        f.append(Finding(f"{code} v{v} is not in the event log: no {t} event records it (a bag the log does not "
                         "know is a finding, never a record)", file=arc.rel(code, v), kind="missing-event", code=code,
                         version=v, hint="planted, or its log entry was deleted; an archivist removes it, or records "
                                         f"it with `workplan archive adopt {code} --version {v} --reason ...`"))
    for code, rows in sorted(st.derived_by_code.items()):
        for r in rows:
            t = "ingestion" if r["version"] == 1 else "new-version"
            if (t, code, r["version"]) not in seen and (code, r["version"]) not in st.unlogged:
                f.append(Finding(f"{code} v{r['version']} is not in the event log: no {t} event records it (a bag "
                                 "the log does not know is a finding, never a record)", file=r["bag_dir"],
                                 kind="missing-event", code=code, version=r["version"],
                                 hint="planted, or its log entry was deleted; an archivist removes it, or records it "
                                      f"with `workplan archive adopt {code} --version {r['version']} --reason ...`"))
        if per_code.get(code, {}).get("tombstone") and ("disposal", code, None) not in seen:
            f.append(Finding(f"the log has no disposal event for {code}: its tombstone is not in the event log",
                             file=arc.rel(code, None), kind="missing-event", code=code,
                             hint="planted, or its log entry was deleted; restore the record and the log from a "
                                  "backup"))
    return st


def _lost_records(arc, st: _State, events, scan, cat_rows: list[dict]) -> list[Finding]:
    """Reconcile the log with the bags: each ingestion / new version the log records has its bag,
    or a tombstone when its record was disposed; each disposal has its tombstone. A version whose
    bag and catalogue row are both gone (the newest record deleted) is caught only this way.
    (A version whose row is still there is reported as record-without-bag.)"""
    out: list[Finding] = []
    rows = {(r["code"], r["version"]) for r in cat_rows} if st.catalogue_ok else set()
    logged: dict[tuple[str, int], int] = {}
    disposed: dict[str, int] = {}
    for e in events:
        if e.type in ("ingestion", "new-version", "adoption") and isinstance(e.detail, dict) \
                and isinstance(e.detail.get("version"), int):
            logged.setdefault((e.object, e.detail["version"]), e.id)
        elif e.type == "disposal":
            disposed.setdefault(e.object, e.id)
    # each bag is what the log recorded when it was archived: its tagmanifest (which covers the
    # manifest, which covers every payload file and metadata.json) and its files' hashes. A forger
    # who rewrites a file, both manifests and the catalogue still cannot rewrite the chained log.
    by_version: dict[tuple[str, Any], Event] = {}
    for e in events:
        if e.type in ("ingestion", "new-version", "adoption") and isinstance(e.detail, dict):
            by_version.setdefault((e.object, e.detail.get("version")), e)
    for (code, v), row in sorted(st.derived.items()):
        e = by_version.get((code, v))
        if e is None or row["status"] == "disposed" or code in st.damaged:
            continue
        logged_files = e.detail.get("files") if isinstance(e.detail.get("files"), dict) else {}
        diff = [role for role, h in logged_files.items() if (row["files"].get(role) or {}).get("sha256") != h]
        if e.detail.get("tagmanifest") and e.detail["tagmanifest"] != row.get("tagmanifest"):
            diff.append(TAGMANIFEST)
        if diff:
            out.append(Finding(f"{row['bag_dir']} is not what was archived: {', '.join(diff)} differ(s) from the "
                               f"hashes the log recorded when it was archived (entry #{e.id}, {e.time})",
                               file=row["bag_dir"], kind="log-mismatch", code=code, version=v,
                               hint="the bag was rewritten (with its manifests); restore it from a backup or a "
                                    "transfer package"))
            st.damaged.add(code)
    present = {(c, v) for c, vs in scan.versions.items() for v in vs}
    linked = {p.relative_to(arc.bags).as_posix().split("/")[0] for p in scan.links}
    for (code, v), eid in sorted(logged.items()):
        if (code, v) in present or code in scan.tombstones or code in linked or (code, v) in rows:
            continue
        t = "ingestion" if v == 1 else "new version"
        out.append(Finding(f"lost record: the log records the {t} of {code} v{v} (entry #{eid}), but its bag, its "
                           "catalogue row and any tombstone are gone", file=arc.rel(code, v), kind="lost-record",
                           code=code, version=v, hint="restore the bag from a backup or a transfer package"))
        st.damaged.add(code)
    disposal_events: dict[str, Event] = {}
    for e in events:
        if e.type == "disposal":
            disposal_events.setdefault(e.object, e)
    for code, eid in sorted(disposed.items()):
        if code not in scan.tombstones and code not in linked and scan.versions.get(code) \
                and arc._find_staged(disposal_events[code]) is not None:
            out.append(Finding(f"interrupted disposal: the log records the disposal of {code} (entry #{eid}); its "
                               "tombstone is still in the staging folder", file=arc.rel(code, None),
                               kind="interrupted-disposal", code=code, repairable=True,
                               hint="`workplan archive verify --repair` puts it in place and finishes the disposal"))
            continue
        if code not in scan.tombstones and code not in linked:
            out.append(Finding(f"lost record: the log records the disposal of {code} (entry #{eid}), but its "
                               "tombstone is gone", file=arc.rel(code, None), kind="lost-record", code=code,
                               hint="restore the tombstone bag from a backup"))
            st.damaged.add(code)
    return out


def _repair(arc, st: _State) -> list[str]:
    """Restore only what the log proves: a missing newline, a staged bag or tombstone the log
    records, a catalogue row derived from a bag the log records; remove leftovers."""
    done: list[str] = []
    kinds = {x.kind for x in st.findings if x.repairable}
    if "log-incomplete" in kinds:
        evs = arc.events.seal()
        if evs:
            if st.catalogue_ok:
                arc.catalogue.note_event(evs[-1])
            done.extend(e.detail["note"] for e in evs)
    if "catalogue" in kinds:
        n, _problems = arc.rebuild_catalogue()
        done.append(f"rebuilt the catalogue from the bags the log records ({n} rows)")
        return done  # check again from the new catalogue
    # before leftovers are removed: a killed writer's staged bag that the log records goes into place
    if "interrupted-add" in kinds:
        done.extend(arc.resolve_pending())
    events = None
    for code in sorted({x.code for x in st.findings if x.kind == "interrupted-disposal" and x.code}):
        tomb = arc.bags / code / "tombstone"
        if not tomb.is_dir():
            events = events or arc.read_log()
            ev = events.disposals.get(code)
            if ev is None or not arc.place_logged_tombstone(code, ev):
                continue
            done.append(f"put the tombstone of {code} in place from the staging folder (the log recorded it: "
                        f"entry #{ev.id})")
        arc.finish_disposal(code)
        done.append(f"finished the disposal of {code}")
    for x in st.findings:
        if x.kind == "leftover":
            p = arc.root / x.file
            if not p.exists() and not p.is_symlink():
                continue
            fd = try_lock_dir(p) if p.is_dir() else None
            try:
                remove_tree(p)
            finally:
                if fd is not None:
                    os.close(fd)
            done.append(f"removed {x.file}")
    fix = sorted({x.code for x in st.findings if x.kind in ("bag-without-record", "catalogue-mismatch")
                  and x.repairable and x.code and x.code not in st.damaged})
    if fix and st.catalogue_ok and st.chain_ok:
        cat = arc.catalogue
        with cat.transaction() as db:
            for code in fix:
                cat.replace_code(db, code, st.derived_by_code[code])
        done.extend(f"recorded {code} in the catalogue from its bag (the log records it)" for code in fix)
    return done


def verify_archive(arc, *, repair: bool = False, progress=None, workers: int | None = None,
                   record_event: bool = True) -> VerifyReport:
    t0 = time.perf_counter()
    repaired: list[str] = []
    if repair:
        with arc.write_lock():
            st = _check(arc, progress, workers)
            for _round in range(3):
                if not any(x.repairable for x in st.findings):
                    break
                try:
                    actions = _repair(arc, st)
                except WorkplanError as e:  # e.g. the log was cut meanwhile: nothing more is written
                    st.findings.append(Finding(f"repair stopped: {e.problems[0].message}", file=e.problems[0].file,
                                               kind="repair-stopped", hint=e.problems[0].hint))
                    break
                repaired.extend(actions)
                st = _check(arc, progress, workers)
                if not actions:
                    break
    else:
        with arc.write_lock(shared=True):
            st = _check(arc, progress, workers)
    rep = VerifyReport(findings=st.findings, repaired=repaired, documents=len(st.derived_by_code),
                       versions=len(st.derived), files=st.files, bytes=st.bytes, events=st.events,
                       seconds=time.perf_counter() - t0)
    if record_event and not arc.read_only:  # a read-only archive is checked, not written to
        detail = {"documents": rep.documents, "versions": rep.versions, "files": rep.files, "bytes": rep.bytes,
                  "findings": len(rep.findings), "problems": [x.message for x in rep.findings[:20]]}
        if repaired:
            detail["repaired"] = repaired
        # each damaged record with its first findings: the log alone then says which records this
        # check found damaged (a rebuilt catalogue's last fixity results come from it)
        detail["damaged"] = {code: msgs[:5] for code, msgs in list(_damaged(rep).items())[:1000]}
        try:
            ev = arc.events.append("fixity-check", "archive", detail, outcome="success" if rep.ok else "failure")
            if st.catalogue_ok or repaired:
                _note_every_record(arc, rep, ev)
        except (OSError, WorkplanError) as e:
            rep.findings.append(Finding(f"could not record the fixity check in the event log: {e}", file=LOG_NAME,
                                        kind="unreadable"))
    return rep


def _damaged(rep: VerifyReport) -> dict[str, list[str]]:
    """code → the messages of the findings about that record."""
    bad: dict[str, list[str]] = {}
    for f in rep.findings:
        code = f.code or _code_of_file(f.file)
        if code:
            bad.setdefault(code, []).append(f.message)
    return bad


def _note_every_record(arc, rep: VerifyReport, ev) -> None:
    """After a whole verify: each current record's result (its own findings) in the catalogue."""
    cat = arc.catalogue
    bad = _damaged(rep)
    with cat.transaction() as tx:
        for r in cat.select():
            if r["status"] == "active":
                cat.note_fixity(tx, r["code"], ev.time, r["code"] not in bad, ev.id, bad.get(r["code"], []))
        cat.set_log_head(tx, ev.id, ev.hash)


def _code_of_file(file: str | None) -> str | None:
    parts = (file or "").split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "bags" else None


def verify_code(arc, code: str, *, log=None) -> list[Finding]:
    """Check every version of one record against its manifests, the event log and the catalogue
    (the check every reader makes: :func:`.reading.check_for_reading`)."""
    from .reading import check_for_reading
    return check_for_reading(arc, code, log=log)


def check_record(arc, code: str, *, via: str | None = None) -> tuple[list[Finding], Any]:
    """Fixity check of one record (every version), logged as a ``fixity-check`` event of that
    record; returns (findings, the event). Nothing else in the archive changes."""
    from .codes import normalize_code
    c = normalize_code(code)
    with arc.write_lock(shared=True):
        found = verify_code(arc, c)
    if arc.read_only:
        return found, None  # checked; a read-only archive records nothing
    detail = {"findings": len(found), "problems": [x.message for x in found[:20]]}
    if via:
        detail["via"] = via
    ev = arc.events.append("fixity-check", c, detail, outcome="success" if not found else "failure")
    try:
        with arc.catalogue.transaction() as tx:
            arc.catalogue.note_fixity(tx, c, ev.time, not found, ev.id, [x.message for x in found])
            arc.catalogue.set_log_head(tx, ev.id, ev.hash)
    except WorkplanError:
        pass  # the catalogue's log head and fixity are derived; verify --repair brings them up to date
    return found, ev


@dataclass
class SweepReport:
    """What ``verify --sweep`` checked within its budget (records verified longest ago first)."""
    checked: list[dict]          # {"code", "ok", "findings", "event"}
    remaining: int               # records left for the next sweep
    seconds: float

    @property
    def ok(self) -> bool:
        return all(c["ok"] for c in self.checked)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "checked": self.checked, "remaining": self.remaining, "seconds": round(self.seconds, 3)}


def sweep(arc, budget: float, *, progress: Callable[[int, int], None] | None = None,
          clock: Callable[[], float] = time.monotonic) -> SweepReport:
    """Fixity checks of whole records, those never checked or checked longest ago first, until
    ``budget`` seconds are spent (a record begun is finished). Each check is an event of the
    record and its result is remembered in the catalogue."""
    start = clock()
    codes = arc.catalogue.least_recently_checked(1_000_000)
    checked: list[dict] = []
    for i, code in enumerate(codes):
        if checked and clock() - start >= budget:
            break
        found, ev = check_record(arc, code, via="sweep")
        checked.append({"code": code, "ok": not found, "findings": [f.as_dict() for f in found],
                        "event": ev.id if ev is not None else None})
        if progress:
            progress(i + 1, len(codes))
    return SweepReport(checked, len(codes) - len(checked), clock() - start)


__all__ = ["SweepReport", "VerifyReport", "check_record", "sweep", "verify_archive", "verify_code"]
