"""What an archivist takes on the record by a decision of their own, each logged with its reason:
adopting a bag the log does not know, and accepting a log that lost entries from its end. Nothing
else ever records a bag the log does not know or lets writes resume over a cut log."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Problem, WorkplanError
from .adding import version_event
from .codes import normalize_code
from .events import LOG_NAME

if TYPE_CHECKING:
    from .record import Record
    from .store import Archive


def adopt(arc: Archive, code: str, version: int, *, reason: str) -> Record:
    """An archivist's decision: record a bag the log does not know (with its hashes, and why)
    as an ``adoption`` event, then in the catalogue. Nothing else ever adopts a bag."""
    from .reading import read_log
    code = normalize_code(code)
    if not (reason or "").strip():
        raise WorkplanError(Problem("adopting a record needs a reason", file=code,
                                    hint='pass --reason "..." (who found it, where it comes from)'))
    with arc.write_lock():
        arc.require_log_intact()
        log = read_log(arc)
        if (code, version) in log.versions:
            raise WorkplanError(Problem(f"the log already records {code} v{version} (entry "
                                        f"#{log.versions[(code, version)].id}): nothing to adopt", file=code))
        bag = arc.root / arc.rel(code, version)
        if bag.is_symlink() or not bag.is_dir():
            raise WorkplanError(Problem(f"there is no bag {arc.rel(code, version)}", file=str(bag)))
        from .bag import check_bag
        res = check_bag(bag, arc.rel(code, version), code)
        if res.findings:
            raise WorkplanError([*res.findings, Problem("a damaged bag is never adopted", file=str(bag))])
        md, row = arc.read_bag_row(code, version)
        if md["code"] != code or md["version"] != version:
            raise WorkplanError(Problem(f"the bag's metadata says {md['code']} v{md['version']}", file=str(bag)))
        detail = version_event(code, version, md, row["tagmanifest"])[2]
        detail.update({"reason": reason.strip(), "adopted": True})
        ev = arc.events.append("adoption", code, detail)
        arc.catalogue.note_event(ev)
        arc.record_logged(code)
    return next(r for r in arc.versions(code) if r.version == version)


def accept_log(arc: Archive, *, reason: str) -> dict[str, Any]:
    """An archivist's acknowledgement that the log lost entries (a cut restored from nothing):
    logged as a ``log-accepted`` event naming the head that was recorded, after which writes
    resume. Bags whose entries were lost stay findings until each is adopted."""
    if not (reason or "").strip():
        raise WorkplanError(Problem("accepting a cut log needs a reason", file=LOG_NAME,
                                    hint='pass --reason "..." (what happened, what was checked)'))
    with arc.write_lock():
        cut = arc.events.check_head()
        if cut is None:
            raise WorkplanError(Problem("the log holds its recorded head: nothing to accept", file=LOG_NAME))
        try:
            recorded = arc.events.read_head()
        except WorkplanError:
            recorded = None
        try:
            cat_head = arc._catalogue_head()
        except WorkplanError:
            cat_head = None
        ev = arc.events.append("log-accepted", "archive", {
            "reason": reason.strip(), "finding": cut.message, "recorded_head": recorded,
            "catalogue_head": list(cat_head) if cat_head else None}, accept_head=True)
        try:
            with arc.catalogue.transaction() as db:
                arc.catalogue.set_log_head(db, ev.id, ev.hash, force=True)
        except WorkplanError:
            pass  # a missing catalogue is rebuilt later
    return ev.as_dict()


__all__ = ["accept_log", "adopt"]
