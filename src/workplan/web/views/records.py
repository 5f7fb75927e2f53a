"""A record: its page and JSON twin (``workplan archive show --json``), the fixity check, and
file downloads. Files are found only through the catalogue; no part of a URL is ever joined onto
a file-system path."""
from __future__ import annotations

import mimetypes
import re
from typing import Any

from flask import Response, abort, current_app, g, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from ...errors import WorkplanError
from .. import params
from ..errors import error, workplan_error
from ..related import related
from ..security import check_csrf, client_key, require, too_many
from ..site import site
from ..templating import local_time, safe_name
from ..terms import term

CONTENT_TYPES = {".pdf": "application/pdf",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".yaml": "text/plain; charset=utf-8", ".yml": "text/plain; charset=utf-8",
                 ".json": "application/json", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml"}
# Which files a record page previews, best first ({ui}: the reader's language): the renditions,
# then an imported original that is a PDF. A rendition made at import for an imported Word
# record (role "preview") is shown as soon as a record has one.
PREVIEW_ORDER = ("pdf:{ui}", "pdf:zh", "pdf:zh-en", "pdf:en", "preview", "original")
PREVIEWABLE = (".pdf",)
RECENT_EVENTS = 20   # audit events shown on a record page until the reader asks for all
PREVIEW_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
DOWNLOAD_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def twin(value: str) -> tuple[str, bool]:
    """A URL part without its ".json" suffix, and whether it had one (the page's JSON twin)."""
    if value.endswith(".json"):
        g.json = True
        return value[:-5], True
    return value, False


def record_page(code: str) -> ResponseReturnValue:
    code, as_json = twin(code)
    return show(params.code(code), as_json)


def _not_found(code: str, e: WorkplanError) -> Response:
    """A 404 for an unknown code, in the reader's language, with the archive's nearest code."""
    hint = e.problems[0].hint if e.problems else None
    near = re.search(r"did you mean (\S+)\?", hint or "")
    problems = [{"message": term("record.notfound", g.ui, code=code),
                 "hint": term("record.didyoumean", g.ui, code=near[1]) if near else term("record.notfound_hint", g.ui)}]
    return error(404, problems[0]["message"], problems)


def _shown_version(data: dict) -> dict:
    """The version whose files the preview shows: ``?version=N``, else the current one."""
    n = params.whole("version", 0, 0, 100000)
    return next((v for v in data["versions"] if v["version"] == n), data["record"]) if n else data["record"]


def show(code: str, as_json: bool) -> ResponseReturnValue:
    from ...archive.views import show_dict
    s = site()
    try:
        data = show_dict(s.archive(), code, events=s.events_of)
    except WorkplanError as e:
        return _not_found(code, e)
    if as_json:  # what `archive show --json` prints; the links are in /search.json (program, ?program=)
        return jsonify(data)
    rec = data["record"]
    shown = _shown_version(data)
    links = related(code, shown["version"], rec["kind"])
    pdfs = [f["role"] for f in shown["files"] if f["path"].lower().endswith(PREVIEWABLE)]
    want = request.args.get("preview", "")
    preferred = [want, *(r.format(ui=g.ui) for r in PREVIEW_ORDER)]
    preview = next((r for r in preferred if r in pdfs), None)
    events = list(reversed(data["events"]))
    cut = request.args.get("events") != "all" and len(events) > RECENT_EVENTS
    checked = params.whole("checked", 0, 0, 10**12)
    if checked:  # the links of a check's result page (the language switch) lead to the record itself
        g.here_args = {k: v for k, v in request.args.items() if k not in ("ui", "checked")}
    fixity = data["fixity"]
    return render_template("record.html", d=data, rec=rec, pdfs=pdfs, preview=preview, fixity=fixity,
                           just_checked=bool(checked and fixity and fixity["event"] == checked),
                           events=events[:RECENT_EVENTS] if cut else events, events_cut=cut,
                           back=params.back_to_search(), shown=shown, links=links, names_en=links["names_en"])


def diff_page(code: str) -> ResponseReturnValue:
    """What changed between two versions (``?from=&to=``; default the previous and the current)."""
    from ...archive.diff import diff_versions
    params.code(code)
    v1 = params.whole("from", 0, 0, 100000) or None
    v2 = params.whole("to", 0, 0, 100000) or None
    arc = site().archive()
    try:
        arc.get(code)
    except WorkplanError as e:
        return _not_found(code, e)
    try:
        d = diff_versions(arc, code, v1, v2)
        if params.whole("text", 0, 0, 1):  # the rendered text side by side (reads both PDFs: on request)
            from ...archive.diff import text_diff
            d["text"] = text_diff(arc, d["code"], d["from"], d["to"])
    except WorkplanError as e:
        return workplan_error(e, 409 if "not what was archived" in e.format() else 400)
    if request.path.endswith(".json"):
        return jsonify(d)
    return render_template("diff.html", d=d, back=url_for("record_page", code=d["code"]))


@require("verify")
def verify_page(code: str) -> ResponseReturnValue:
    params.code(code)
    check_csrf(site().guard.secret)
    wait = site().guard.fixity.take(client_key())
    if wait:
        raise too_many(wait, "fixity")
    from ...archive.verify import check_record
    arc = site().acting_archive()
    try:
        arc.get(code)
    except WorkplanError as e:
        return workplan_error(e, 404)
    try:
        found, ev = check_record(arc, code, via="web")
    except WorkplanError as e:
        return workplan_error(e, 500)
    finally:
        arc.act_as(None)  # this thread's archive serves the next person next
    result = {"code": code, "ok": not found, "findings": [f.as_dict() for f in found],
              "event": ev.as_dict() if ev is not None else None}
    if request.path.endswith(".json"):
        return jsonify(result)
    # the result is a page of its own (reloading it shows it again, never runs the check again); no
    # fragment: the page's script puts the focus on the result (a fragment would take it away again)
    checked = ev.id if ev is not None else None
    return redirect(url_for("record_page", code=code, checked=checked), 303)


def _version(arc: Any, code: str) -> Any:
    version = params.whole("version", 0, 0, 100000)
    versions = arc.versions(code)
    return next((v for v in versions if v.version == version), None) if version else \
        next((v for v in versions if v.current), versions[-1])


@require("download")
def file_download(code: str, role: str) -> Response:
    params.code(code)
    params.role(role)
    inline = params.whole("inline", 0, 0, 1) == 1
    arc = site().archive()
    try:
        rec = _version(arc, code)
        if rec is None or rec.file_entry(role) is None:
            abort(404)
        real = arc.file(rec, role)
    except WorkplanError as e:
        return workplan_error(e, 404)
    check = arc.catalogue.fixity_of([rec.code]).get(rec.code)
    if check is not None and not check["ok"]:  # never handed out silently: the warning names the finding
        problems = [{"message": term("fixity.withheld", g.ui, when=local_time(check["checked_at"],
                                                                               current_app.config.get("WP_TZ")),
                                     event=check["event_id"]), "hint": None}]
        problems += [{"message": m, "hint": None} for m in check["findings"]]
        return error(409, problems[0]["message"], problems)
    try:  # checked against the log, never through a link, only a regular file
        fh = arc.open_checked(rec, role)
    except WorkplanError as e:
        return workplan_error(e, 409)
    suffix = real.suffix.lower()
    ctype = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(real.name)[0] or "application/octet-stream"
    as_inline = inline and suffix == ".pdf"
    lang = role.split(":", 1)[1] if ":" in role else ""
    name = f"{rec.code} {rec.title}" + (f".{lang}" if lang else "") + (f".v{rec.version}" if not rec.current else "") \
        + suffix
    entry = rec.file_entry(role)
    # served from the very file that was checked (its open descriptor), not from its path again
    resp = send_file(f"/proc/self/fd/{fh.fileno()}", mimetype=ctype, as_attachment=not as_inline, download_name=safe_name(name),
                     conditional=True, max_age=0, etag=entry.sha256 if entry else False)
    resp.call_on_close(fh.close)
    # the PDF viewer runs as a plugin: only frame it on this site
    resp.headers["Content-Security-Policy"] = PREVIEW_CSP if as_inline else DOWNLOAD_CSP
    return resp


