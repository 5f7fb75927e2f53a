"""What every reader checks before it hands a record out: the record against the event log.

The log is the authority. A version exists when the log records its ingestion, new version or
an archivist's adoption (``VERSION_EVENTS``), with the SHA-256 of its tagmanifest and of its
payload files; the catalogue and the bags are checked against that, never the other way round.
:func:`check_for_reading` is the one check behind ``show``, ``export``, ``compile``, the site's
downloads and its fixity button (``verify`` does the same for the whole archive, and more).
:func:`open_checked` opens one stored file for a reader: never through a link, only a regular
file, and only when its bytes hash to what the log recorded.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, WorkplanError
from .bag import METADATA_NAME, TAGMANIFEST, check_bag, parse_metadata, row_from_metadata
from .events import LOG_NAME, Event
from .fsutil import NotRegular, open_regular
from .findings import Finding
from .record import Record

VERSION_EVENTS = ("ingestion", "new-version", "adoption")
_UNTRUSTED = ("log-chain", "log-missing", "log-truncated")
# the catalogue's columns a reader shows or decides by: each must be what the authenticated bag says
CHECKED_COLUMNS = ("code", "version", "identity", "fonds", "category", "year", "retention", "org", "item", "title",
                   "title_en", "kind", "issuer", "issuer_abbr", "doc_number", "date", "units", "unit_ids", "langs",
                   "pages", "roles", "files", "tagmanifest", "bag_dir", "archived_at")


@dataclass
class LogView:
    """The event log, read once: its events, what is wrong with it, and what it records."""

    events: list[Event] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    versions: dict[tuple[str, int], Event] = field(default_factory=dict)
    disposals: dict[str, Event] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return not any(f.kind in _UNTRUSTED for f in self.findings)

    def versions_of(self, code: str) -> list[int]:
        return sorted(v for (c, v) in self.versions if c == code)


def read_log(arc) -> LogView:
    """Read and index the log (chain problems, and a log shorter than its recorded head)."""
    events, findings = arc.events.read()
    cut = arc.events.check_head()
    if cut is not None:
        findings.append(cut)
    view = LogView(events, findings)
    for e in events:
        if e.type in VERSION_EVENTS and isinstance(e.detail, dict) and isinstance(e.detail.get("version"), int) \
                and not isinstance(e.detail.get("version"), bool):
            view.versions.setdefault((e.object, e.detail["version"]), e)
        elif e.type == "disposal":
            view.disposals.setdefault(e.object, e)
    return view


def logged_hashes(ev: Event) -> tuple[dict[str, str], str | None]:
    """(role → SHA-256, tagmanifest SHA-256) as the event recorded them."""
    d = ev.detail if isinstance(ev.detail, dict) else {}
    files = d["files"] if isinstance(d.get("files"), dict) else {}
    tag = d.get("tagmanifest") if isinstance(d.get("tagmanifest"), str) else None
    return {str(k): v for k, v in files.items() if isinstance(v, str)}, tag


def check_version(arc, code: str, v: int, ev: Event | None, row: dict | None, *, current: bool) -> tuple[list[Finding], dict | None]:
    """Check one stored version against its log event (and the catalogue row, when given).
    Returns (findings, the row derived from the authenticated bag or None)."""
    rel = arc.rel(code, v)
    out: list[Finding] = []
    if ev is None:
        out.append(Finding(f"{code} v{v} is not in the event log: it was never archived here (a bag the log does not "
                           "know is never served or adopted)", file=rel, kind="not-in-log", code=code, version=v,
                           hint="an archivist who knows where it comes from may record it with `workplan archive "
                                "adopt CODE --version N --reason ...`; otherwise remove it"))
        return out, None
    bag = arc.root / rel
    if bag.is_symlink() or (bag.parent.is_symlink()):
        out.append(Finding(f"{rel} is a symbolic link: never followed", file=rel, kind="symlink", code=code, version=v,
                           hint="put the real bag back from a backup"))
        return out, None
    if not bag.is_dir():
        out.append(Finding(f"record without a bag: {rel} is missing (the log records it: entry #{ev.id})", file=rel,
                           kind="record-without-bag", code=code, version=v,
                           hint="restore the bag from a backup or a transfer package"))
        return out, None
    res = check_bag(bag, rel, code)
    out.extend(res.findings)
    files, tag = logged_hashes(ev)
    diff = []
    if tag and res.tagmanifest_sha256 is not None and res.tagmanifest_sha256 != tag:
        out.append(Finding(f"hash mismatch: {rel}/{TAGMANIFEST} has changed since it was archived (the log recorded "
                           f"its hash: entry #{ev.id})", file=f"{rel}/{TAGMANIFEST}", kind="hash-mismatch", code=code,
                           version=v, hint="the stored file is no longer what was archived; restore it from a backup"))
    md, problem = parse_metadata(res.metadata, f"{rel}/data/{METADATA_NAME}", code)
    derived = None
    if problem is not None:
        out.append(problem)
    elif md is not None and res.metadata is not None:  # (no problem: both read)
        try:
            entry = {"path": f"data/{METADATA_NAME}", "size": len(res.metadata),
                     "sha256": res.manifest.get(f"data/{METADATA_NAME}", "")}
            derived = row_from_metadata(md, bag_dir=rel, md_entry=entry, tagmanifest=res.tagmanifest_sha256,
                                        status="active" if current else "superseded", current=current)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            out.append(Finding(f"data/{METADATA_NAME} cannot be read ({e!r})", file=f"{rel}/data/{METADATA_NAME}",
                               kind="bag-mismatch", code=code, version=v))
    if derived is not None:
        for role, h in files.items():
            f = derived["files"].get(role)
            if f is None or res.manifest.get(f["path"]) != h or f["sha256"] != h:
                diff.append(role)
        if derived["code"] != code or derived["version"] != v:
            diff.append("code/version")
        d = ev.detail
        for key in ("identity", "title"):
            if key in d and d[key] != derived[key]:
                diff.append(key)
    if diff:
        out.append(Finding(f"{rel} is not what was archived: {', '.join(sorted(set(diff)))} differ(s) from what the "
                           f"log recorded (entry #{ev.id}, {ev.time})", file=rel, kind="log-mismatch", code=code,
                           version=v, hint="restore the bag from a backup or a transfer package"))
    if row is not None and derived is not None and not diff:
        wrong = [c for c in CHECKED_COLUMNS if row.get(c) != derived.get(c)]
        if row.get("status") not in (("active",) if current else ("superseded",)) or bool(row.get("current")) != current:
            wrong.append("status")
        if wrong:
            out.append(Finding(f"the catalogue's {', '.join(wrong)} of {code} v{v} disagree(s) with the archived record "
                               f"(its bag, checked against log entry #{ev.id})", file=rel, kind="catalogue-mismatch",
                               code=code, version=v, repairable=True,
                               hint="`workplan archive verify --repair` rewrites the row from the checked bag"))
    return out, derived


def check_for_reading(arc, code: str, version: int | None = None, *, log: LogView | None = None) -> list[Finding]:
    """Everything wrong with what a reader would hand out of record ``code`` (one version, or
    every version): [] when each version is exactly what the log recorded and the catalogue says
    so too. Raises WorkplanError for an unknown code."""
    from .codes import normalize_code
    code = normalize_code(code)
    rows = arc.catalogue.versions_of(code)
    if not rows:
        raise arc.unknown(code)
    log = log or read_log(arc)
    out: list[Finding] = []
    if not log.intact:
        out.append(Finding("the event log is damaged or cut, so no record can be checked against it: "
                           + "; ".join(f.message for f in log.findings if f.kind in _UNTRUSTED)[:500],
                           file=LOG_NAME, kind="log-untrusted", code=code,
                           hint="run `workplan archive verify`; restore events.jsonl from a backup"))
    logged = log.versions_of(code)
    disposal = log.disposals.get(code)
    by_v = {r["version"]: r for r in rows}
    if disposal is not None:
        if any(r["status"] != "disposed" for r in rows):
            out.append(Finding(f"the log records the disposal of {code} (entry #{disposal.id}), but the catalogue "
                               "shows it as held", file=code, kind="catalogue-mismatch", code=code,
                               hint="run `workplan archive verify`"))
        return out
    if any(r["status"] == "disposed" for r in rows):
        out.append(Finding(f"the catalogue shows {code} as disposed, but the log records no disposal", file=code,
                           kind="catalogue-mismatch", code=code, hint="run `workplan archive verify`"))
        return out
    hidden = sorted(set(logged) - set(by_v))
    if hidden:
        out.append(Finding(f"the log records version(s) {', '.join(f'v{v}' for v in hidden)} of {code}, which the "
                           "catalogue does not list", file=code, kind="catalogue-mismatch", code=code,
                           hint="run `workplan archive verify`"))
    top = max([*logged, *by_v])
    for v in sorted(by_v):
        if version is not None and v != version:
            continue
        found, _ = check_version(arc, code, v, log.versions.get((code, v)), by_v[v], current=v == top)
        out.extend(found)
    return out


def authenticated(arc, code: str, *, log: LogView | None = None) -> tuple[list[dict], list[Finding]]:
    """The rows of every version of ``code`` derived from its bags, each checked against the log
    (what ``dispose`` decides by); findings when any is not what the log recorded."""
    log = log or read_log(arc)
    out: list[Finding] = [] if log.intact else [Finding("the event log is damaged or cut", file=LOG_NAME,
                                                       kind="log-untrusted", code=code)]
    logged = log.versions_of(code)
    rows = []
    for v in logged:
        found, derived = check_version(arc, code, v, log.versions[(code, v)], None, current=v == logged[-1])
        out.extend(found)
        if derived is not None:
            rows.append(derived)
    return rows, out


def open_checked(arc, rec: Record, role: str, *, log: LogView | None = None):
    """Open one stored file of a record for a reader: the whole record is checked against the log
    (:func:`check_for_reading`), the file is opened without following links, must be a regular
    file, and its bytes must hash to what the log recorded. Returns a binary file object at its
    start; raises WorkplanError naming what is wrong."""
    found = check_for_reading(arc, rec.code, rec.version, log=log)
    if found:
        raise WorkplanError([*found, Problem("nothing was handed out: the record is not what was archived",
                                             file=rec.code, hint="run `workplan archive verify`")])
    log = log or read_log(arc)
    ev = log.versions.get((rec.code, rec.version))
    files, _tag = logged_hashes(ev) if ev else ({}, None)
    entry = rec.file_entry(role)
    if entry is None:
        raise WorkplanError(Problem(f"version {rec.version} has no {role!r} file", file=rec.code))
    path: Path = arc.root / arc.rel(rec.code, rec.version) / entry.path
    try:
        f = open_regular(path)
        h = hashlib.sha256()
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    except NotRegular as e:
        raise WorkplanError(Problem(f"{entry.path} {e.strerror}: not handed out", file=rec.code,
                                    hint="run `workplan archive verify`")) from None
    except OSError as e:
        raise WorkplanError(Problem(f"cannot read {entry.path}: {e.strerror}", file=rec.code)) from None
    want = files.get(role) or entry.sha256
    if h.hexdigest() != want:
        f.close()
        raise WorkplanError(Problem(f"{entry.path} is not what was archived (its hash differs from the log's): not "
                                    "handed out", file=rec.code, hint="run `workplan archive verify`"))
    f.seek(0)
    return f


__all__ = ["LogView", "VERSION_EVENTS", "authenticated", "check_for_reading", "check_version", "logged_hashes",
           "open_checked", "read_log"]
