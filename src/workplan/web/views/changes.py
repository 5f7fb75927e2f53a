"""The forms that change the archive, each with a required reason: a new version of a record
(uploading its changed data file: clerks and archivists) and a disposal (archivists). Each is a
CSRF-protected POST that redirects to the record page; the JSON twins take
``{"reason": …, "file_name": …, "content": …}`` and ``{"reason": …, "confirm": true}``. The work is
the core's (:func:`workplan.ingest.version.add_version`, ``Archive.dispose``), through an archive
acting as the signed-in person, so that the events name them and the reason."""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from flask import Response, g, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as Redirect

from ...errors import WorkplanError
from ...i18n import said
from .. import params
from ..errors import error
from ..security import MAX_UPLOAD, check_csrf, require
from ..site import site
from ..terms import term

DATA_SUFFIXES = (".yaml", ".yml", ".json")


def _record(code: str) -> Any:
    """The record's current version, or a 404 response (unknown) or 409 (disposed of)."""
    from .records import _not_found
    try:
        rec = site().archive().get(params.code(code))
    except WorkplanError as e:
        return _not_found(code, e)
    if rec.status != "active":
        return error(409, term("change.not_active", g.ui))
    return rec


def _expiry(rec: Any) -> dict:
    """When the record's retention period ends (None: kept permanently) and whether it has."""
    from ...archive.codes import expiry_date
    end = expiry_date(rec.date, rec.retention)
    return {"end": end.isoformat() if end else None, "expired": end is not None and end < dt.date.today()}


def _form(kind: str, rec: Any, problems: list[dict] | None = None, status: int = 200) -> Response:
    """The form again (with what was wrong), or its refusal as JSON for a twin."""
    if problems and request.path.endswith(".json"):
        return error(status, problems[0]["message"], problems)
    resp = make_response(render_template("change.html", kind=kind, rec=rec, problems=problems or [],
                                         reason=request.form.get("reason", ""), expiry=_expiry(rec),
                                         upload_kb=MAX_UPLOAD // 1024))
    resp.status_code = status
    return resp


def _problems(e: WorkplanError) -> list[dict]:
    return [{"message": said(p.message, g.ui), "hint": said(p.hint, g.ui) if p.hint else None} for p in e.problems]


def _said(key: str) -> list[dict]:
    return [{"message": term("change.refused", g.ui) + " " + term(key, g.ui), "hint": None}]


@require("version")
def version_form(code: str) -> Response:
    rec = _record(code)
    return rec if isinstance(rec, Response) else _form("version", rec)


def _upload() -> tuple[str, str, bytes]:
    """(reason, file name, content) from the form or the JSON twin's body."""
    if request.path.endswith(".json"):
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        content = body.get("content")
        return (str(body.get("reason") or ""), str(body.get("file_name") or "upload.yaml"),
                content.encode("utf-8") if isinstance(content, str) else b"")
    f = request.files.get("file")
    return request.form.get("reason", ""), (f.filename or "") if f else "", f.read(MAX_UPLOAD + 1) if f else b""


@require("version")
def version_add(code: str) -> Response | Redirect:
    """A new version from an uploaded data file (``add_version``: same document, same renditions)."""
    from ...ingest.version import add_version
    from ...search import keep_index_current
    rec = _record(code)
    if isinstance(rec, Response):
        return rec
    check_csrf(site().guard.secret)
    reason, name, content = _upload()
    if not content:
        return _form("version", rec, _said("change.no_file"), 400)
    if not reason.strip():
        return _form("version", rec, _said("change.no_reason"), 400)
    suffix = Path(name).suffix.lower()  # the name the person gave is never part of a path
    arc = site().acting_archive()
    keep_index_current(arc)
    try:
        with tempfile.TemporaryDirectory(prefix="upload-", dir=arc.tmp) as tmp:
            path = Path(tmp) / ("upload" + (suffix if suffix in DATA_SUFFIXES else ".bin"))
            path.write_bytes(content)
            new = add_version(arc, rec.code, path, reason=reason, name=Path(name).name or "upload")
    except WorkplanError as e:
        return _form("version", rec, _problems(e), 400)
    finally:
        arc.act_as(None)  # this thread's archive serves the next person next
    if request.path.endswith(".json"):
        return make_response(jsonify({"code": new.code, "version": new.version, "reason": reason.strip()}), 201)
    return redirect(url_for("record_page", code=new.code, changed="version"), 303)


@require("dispose")
def dispose_form(code: str) -> Response:
    rec = _record(code)
    return rec if isinstance(rec, Response) else _form("dispose", rec)


@require("dispose")
def dispose(code: str) -> Response | Redirect:
    """Dispose of a record whose retention period has ended (``Archive.dispose``), with a reason."""
    from ...search import keep_index_current
    rec = _record(code)
    if isinstance(rec, Response):
        return rec
    check_csrf(site().guard.secret)
    if request.path.endswith(".json"):
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        reason, confirmed = str(body.get("reason") or ""), body.get("confirm") is True
    else:
        reason, confirmed = request.form.get("reason", ""), request.form.get("confirm") == "1"
    if not confirmed:
        return _form("dispose", rec, _said("change.no_confirm"), 400)
    if not reason.strip():
        return _form("dispose", rec, _said("change.no_reason"), 400)
    arc = site().acting_archive()
    keep_index_current(arc)
    try:
        arc.dispose(rec.code, reason=reason)
    except WorkplanError as e:
        return _form("dispose", rec, _problems(e), 409)
    finally:
        arc.act_as(None)
    if request.path.endswith(".json"):
        return jsonify({"code": rec.code, "status": "disposed", "reason": reason.strip()})
    return redirect(url_for("record_page", code=rec.code, changed="disposal"), 303)
