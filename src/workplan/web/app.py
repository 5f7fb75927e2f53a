"""The Flask application: pages and their JSON twins over one archive (read-only).

Every page's data comes from the same core functions the CLI prints with ``--json``:
``/search.json`` is ``workplan search --json``, ``/records/<code>.json`` is
``workplan archive show <code> --json``. Files are served only by looking them up in the
catalogue; no part of a URL is ever joined onto a file-system path.
"""
from __future__ import annotations

import atexit
import hashlib
import hmac
import math
import mimetypes
import re
import secrets
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (Flask, Response, abort, g, jsonify, make_response, redirect, render_template, request,
                   send_file, url_for)
from jinja2 import PackageLoader
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from ..errors import WorkplanError
from .jobs import Busy, Jobs
from .terms import DEFAULT_UI, UI_LANGS, has_term, term

PER_PAGE = 10
MAX_PAGE = 100
MAX_LIMIT = 1000
MAX_URL = 2048
MAX_BODY = 16 * 1024

LANG_COOKIE = "wp_ui"
AUTH_COOKIE = "wp_auth"
CSRF_COOKIE = "wp_csrf"

KINDS = ("program", "standards", "report", "legacy")
RETENTIONS = ("Y", "D30", "D10")
DOC_LANGS = ("zh", "en")
VOLUME_FORMATS = ("pdf", "docx")

_CODE_RE = re.compile(r"^[A-Z0-9]{1,12}-[A-Z]{1,6}\u00b7\d{4}-(?:Y|D30|D10)-[A-Z0-9]{1,16}-\d{4,6}$")
_ROLE_RE = re.compile(r"^[a-z]{1,10}(?::[a-z]{2}(?:-[a-z]{2})?)?$")
_YEAR_RE = re.compile(r"^\d{4}(?:-\d{4})?$")
_JOB_RE = re.compile(r"^[0-9a-f]{16}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

CONTENT_TYPES = {".pdf": "application/pdf",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".yaml": "text/plain; charset=utf-8", ".yml": "text/plain; charset=utf-8",
                 ".json": "application/json", ".txt": "text/plain; charset=utf-8", ".xml": "application/xml"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


class BadParam(Exception):
    """A request parameter that is too long or malformed (→ 400 with this message)."""


# --- parameters -----------------------------------------------------------------------------------
def _param(name: str, max_len: int, *, source=None) -> str:
    v = (source if source is not None else request.args).get(name, "")
    if len(v) > max_len:
        raise BadParam(f"{name}: at most {max_len} characters")
    if _CONTROL_RE.search(v):
        raise BadParam(f"{name}: control characters are not allowed")
    return v.strip()


def _choice(name: str, choices: tuple[str, ...], *, upper: bool = False, source=None) -> str | None:
    v = _param(name, 20, source=source)
    if not v:
        return None
    v = v.upper() if upper else v.lower()
    if v not in choices:
        raise BadParam(f"{name}: one of {', '.join(choices)}")
    return v


def _int(name: str, default: int, lo: int, hi: int, *, source=None) -> int:
    v = _param(name, 10, source=source)
    if not v:
        return default
    if not v.isdigit() or not lo <= int(v) <= hi:
        raise BadParam(f"{name}: a whole number from {lo} to {hi}")
    return int(v)


def _search_params() -> dict:
    year = _param("year", 9)
    if year and not _YEAR_RE.match(year):
        raise BadParam("year: a year or a range, e.g. 2023 or 2021-2023")
    return {"q": _param("q", 500), "year": year or None, "unit": _param("unit", 100) or None,
            "kind": _choice("kind", KINDS), "retention": _choice("retention", RETENTIONS, upper=True),
            "lang": _choice("lang", DOC_LANGS)}


def _check_code(code: str) -> str:
    if len(code) > 64 or not _CODE_RE.match(code):
        raise BadParam("not an archival code (e.g. J001-WS·2024-D30-BGS-0001)")
    return code


# --- the application --------------------------------------------------------------------------------
class _EventsByRecord:
    """The audit events grouped by record, re-read only when the log file changes (it is
    append-only), so a record page does not parse the whole log each time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stamp: tuple | None = None
        self.by_code: dict[str, list] = {}

    def __call__(self, arc: Any, code: str) -> list:
        from ..archive.events import LOG_NAME
        try:
            st = (arc.root / LOG_NAME).stat()
            stamp: tuple | None = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = None
        with self.lock:
            if stamp is None or stamp != self.stamp:
                events, _ = arc.log()
                by: dict[str, list] = {}
                for e in events:
                    by.setdefault(e.object, []).append(e)
                self.by_code, self.stamp = by, stamp
            return list(self.by_code.get(code, []))


class _Handles(threading.local):
    arc: Any = None
    ix: Any = None
    ix_stamp: Any = None


def create_app(archive_root: str | Path, token: str | None = None, *, secret_key: bytes | None = None,
               workdir: str | Path | None = None) -> Flask:
    """The site over the archive at ``archive_root``. With ``token``, every request must carry it
    (``Authorization: Bearer TOKEN`` or the cookie set by the login form). Volumes are made in
    ``workdir`` (default: a new temporary folder, removed at exit)."""
    from ..archive import open_archive
    root = Path(archive_root).expanduser().absolute()
    arc0 = open_archive(root)  # a clear WorkplanError now if it is not an archive
    arc0.close()
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="workplan-web-"))
    jobs = Jobs(root, work)
    atexit.register(jobs.close)

    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.jinja_loader = PackageLoader("workplan.web", "templates")
    app.url_map.merge_slashes = False  # "a//b" is not found, not redirected
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, JSON_AS_ASCII=False, WP_ROOT=root, WP_TOKEN=token or None,
                      WP_JOBS=jobs)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    secret = secret_key or secrets.token_bytes(32)
    handles = _Handles()
    events_of = _EventsByRecord()

    def archive():
        if handles.arc is None:
            handles.arc = open_archive(root)
        return handles.arc

    def index():
        """This thread's open index (reopened when the index was rebuilt or updated)."""
        from ..search import open_index
        from ..search.index import IndexManager
        meta = IndexManager(root).meta_path
        try:
            st = meta.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if handles.ix is None or handles.ix_stamp != stamp:
            if handles.ix is not None:
                handles.ix.close()
                handles.ix = None
            handles.ix = open_index(root)  # a path: never rebuilds (the site changes nothing)
            handles.ix_stamp = stamp
        return handles.ix

    def auth_value() -> str:
        return hmac.new(secret, (token or "").encode("utf-8"), hashlib.sha256).hexdigest()

    # --- request plumbing --------------------------------------------------------------------
    @app.before_request
    def _before() -> Any:
        g.json = request.path.endswith(".json")
        ui = request.args.get("ui", "")
        g.ui_from_url = ui if ui in UI_LANGS else None
        cookie_ui = request.cookies.get(LANG_COOKIE, "")
        g.ui = g.ui_from_url or (cookie_ui if cookie_ui in UI_LANGS else DEFAULT_UI)
        cs = request.cookies.get(CSRF_COOKIE, "")
        g.csrf_new = not re.fullmatch(r"[0-9a-f]{32}", cs)
        g.csrf = secrets.token_hex(16) if g.csrf_new else cs
        if len(request.full_path) > MAX_URL:
            abort(414)
        if "\x00" in request.path or "\\" in request.path:
            abort(400)
        g.authed = _authorized()
        if not g.authed and request.endpoint not in ("login", "static"):
            if g.json or request.headers.get("Authorization"):
                abort(401)
            return redirect(url_for("login", next=request.full_path.rstrip("?")), 303)
        return None

    def _authorized() -> bool:
        if not token:
            return True
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return hmac.compare_digest(header[7:].strip().encode("utf-8"), token.encode("utf-8"))
        return hmac.compare_digest(request.cookies.get(AUTH_COOKIE, ""), auth_value())

    @app.after_request
    def _after(resp: Response) -> Response:
        h = resp.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "SAMEORIGIN"
        h.setdefault("Cache-Control", "no-store")
        if g.get("ui_from_url"):
            resp.set_cookie(LANG_COOKIE, g.ui_from_url, max_age=365 * 86400, samesite="Lax", httponly=True)
        if g.get("csrf_new") and resp.mimetype == "text/html":
            resp.set_cookie(CSRF_COOKIE, g.csrf, samesite="Strict", httponly=True)
        return resp

    def _check_csrf() -> None:
        if request.is_json and request.path.endswith(".json"):
            return  # a JSON body cannot be sent cross-site without a CORS preflight, which we never allow
        sent = request.form.get("csrf", "")
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not hmac.compare_digest(sent.encode("utf-8"), cookie.encode("utf-8")):
            raise BadParam("the form has expired or did not come from this site: reload the page and try again")

    # --- templates' helpers ---------------------------------------------------------------------
    @app.context_processor
    def _context() -> dict:
        ui = g.get("ui", DEFAULT_UI)

        def t(key: str, **kw) -> str:
            return term(key, ui, **kw)

        def here(**changes) -> str:
            """This page's URL with some query parameters changed (None removes one)."""
            args = {k: v for k, v in request.args.items() if k != "ui"}
            for k, v in changes.items():
                if v is None:
                    args.pop(k, None)
                else:
                    args[k] = str(v)
            qs = urlencode(args)
            return g.get("page_path", request.path) + ("?" + qs if qs else "")

        other = "en" if ui == "zh" else "zh"
        return {"t": t, "ui": ui, "here": here, "csrf": g.get("csrf", ""),
                "switch_url": here(ui=other), "has_token": bool(token), "authed": g.get("authed", True),
                "kind_label": lambda k: t("kind." + k) if k in KINDS else k,
                "retention_label": lambda r: t("retention." + r) if r in RETENTIONS else r,
                "lang_label": lambda lg: t("lang." + lg) if lg in ("zh", "en", "zh-en") else lg,
                "size": _human_size, "marked": _marked,
                "term_or": lambda key, default: t(key) if has_term(key) else default}

    # --- errors -----------------------------------------------------------------------------------
    def _error(status: int, message: str | None = None, problems: list[dict] | None = None) -> Response:
        from http import HTTPStatus
        title = term(f"error.{status}", g.get("ui", DEFAULT_UI)) if has_term(f"error.{status}") else \
            HTTPStatus(status).phrase
        if g.get("json", request.path.endswith(".json")):
            resp = jsonify({"error": {"status": status, "title": title, "message": message or title,
                                      "problems": problems or []}})
        else:
            resp = make_response(render_template("error.html", status=status, title=title, message=message,
                                                 problems=problems or []))
        resp.status_code = status
        if status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="workplan"'
        return resp

    @app.errorhandler(BadParam)
    def _bad_param(e: BadParam) -> Response:
        return _error(400, str(e))

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Response:
        status = e.code or 500
        msg = None
        if status == 404:
            msg = term("error.notfound", g.get("ui", DEFAULT_UI))
        elif status == 413:
            msg = f"at most {MAX_BODY // 1024} KB"
        elif status == 400 and e.description and "browser (or proxy)" not in e.description:
            msg = e.description
        return _error(status, msg)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> Response:
        app.logger.exception("unexpected error on %s", request.path)
        return _error(500, term("error.internal", g.get("ui", DEFAULT_UI)))

    def _workplan_error(e: WorkplanError, status: int = 400) -> Response:
        problems = [{"message": p.message, "hint": p.hint} for p in e.problems]
        return _error(status, e.problems[0].message if e.problems else None, problems)

    # --- pages --------------------------------------------------------------------------------------
    @app.get("/")
    def home() -> Response:
        return redirect(url_for("search_page"), 302)

    @app.get("/search.json", endpoint="search_json")
    @app.get("/search")
    def search_page() -> Response:
        p = _search_params()
        from ..search import IndexCorrupt, IndexMissing  # noqa: F401
        from ..search.query import And, Query
        filters = {k: p[k] for k in ("year", "unit", "kind", "retention", "lang")}
        query: Any = p["q"] if p["q"] or any(filters.values()) else Query(And(()), "")
        try:
            ix = index()
        except WorkplanError as e:
            return _workplan_error(e, 503)
        if g.json:
            limit = _int("limit", 10, 1, MAX_LIMIT)
            page = _int("page", 1, 1, MAX_PAGE)
            all_versions = _int("all_versions", 0, 0, 1) == 1
            try:
                res = ix.search(query, all_versions=all_versions, limit=limit, offset=(page - 1) * limit, **filters)
                out = res.to_json()
                if _int("_facets", 0, 0, 1):
                    out["facets"] = {k: [[v, n] for v, n in vals]
                                     for k, vals in ix.facets(query, all_versions=all_versions, **filters).items()}
            except WorkplanError as e:
                return _workplan_error(e)
            return jsonify(out)
        page = _int("page", 1, 1, MAX_PAGE)
        try:
            res = ix.search(query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, **filters)
            facets = ix.facets(query, **filters)
        except WorkplanError as e:
            return _workplan_error(e)
        pages = min(MAX_PAGE, max(1, math.ceil(res.total / PER_PAGE)))
        json_url = url_for("search_json", **{k: v for k, v in request.args.items() if k not in ("page", "ui")})
        return render_template("search.html", p=p, res=res, facets=facets, page=page, pages=pages, json_url=json_url,
                               first=(page - 1) * PER_PAGE + 1, browsing=not isinstance(query, str))

    def _twin(value: str) -> tuple[str, bool]:
        """A URL part without its ".json" suffix, and whether it had one (the page's JSON twin)."""
        if value.endswith(".json"):
            g.json = True
            return value[:-5], True
        return value, False

    @app.get("/records/<code>")
    def record_page(code: str) -> Response:
        code, as_json = _twin(code)
        _check_code(code)
        return _record(code, as_json)

    def _record(code: str, as_json: bool, fixity: dict | None = None) -> Response:
        from ..archive.views import show_dict
        arc = archive()
        try:
            data = show_dict(arc, code, events=lambda c: events_of(arc, c))
        except WorkplanError as e:
            return _workplan_error(e, 404)
        if as_json:
            return jsonify(data)
        rec = data["record"]
        pdfs = [f["role"] for f in rec["files"] if f["path"].lower().endswith(".pdf")]
        want = request.args.get("preview", "")
        preferred = [want, f"pdf:{g.ui}", "pdf:zh", "pdf:zh-en", "pdf:en", "original"]
        preview = next((r for r in preferred if r in pdfs), None)
        return render_template("record.html", d=data, rec=rec, pdfs=pdfs, preview=preview, fixity=fixity)

    @app.post("/records/<code>/verify.json", endpoint="verify_json")
    @app.post("/records/<code>/verify")
    def verify_page(code: str) -> Response:
        _check_code(code)
        _check_csrf()
        from ..archive.verify import check_record
        arc = archive()
        try:
            arc.get(code)
        except WorkplanError as e:
            return _workplan_error(e, 404)
        try:
            found, ev = check_record(arc, code, via="web")
        except WorkplanError as e:
            return _workplan_error(e, 500)
        result = {"code": code, "ok": not found, "findings": [f.as_dict() for f in found], "event": ev.as_dict() if ev is not None else None}
        if request.path.endswith(".json"):
            return jsonify(result)
        g.page_path = url_for("record_page", code=code)  # links on the result page (the language switch)
        return _record(code, False, fixity=result)

    @app.get("/records/<code>/files/<role>")
    def file_download(code: str, role: str) -> Response:
        _check_code(code)
        if not _ROLE_RE.match(role):
            raise BadParam("not a file role (e.g. pdf:zh)")
        version = _int("version", 0, 0, 100000)
        inline = _int("inline", 0, 0, 1) == 1
        arc = archive()
        try:
            versions = arc.versions(code)
        except WorkplanError as e:
            return _workplan_error(e, 404)
        rec = next((v for v in versions if v.version == version), None) if version else \
            next((v for v in versions if v.current), versions[-1])
        if rec is None or rec.file_entry(role) is None:
            abort(404)
        try:
            real = arc.file(rec, role)
        except WorkplanError as e:
            return _workplan_error(e, 404)
        try:  # checked against the log, never through a link, only a regular file
            fh = arc.open_checked(rec, role)
        except WorkplanError as e:
            return _workplan_error(e, 409)
        suffix = real.suffix.lower()
        ctype = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        as_inline = inline and suffix == ".pdf"
        lang = role.split(":", 1)[1] if ":" in role else ""
        name = f"{rec.code} {rec.title}" + (f".{lang}" if lang else "") + (f".v{rec.version}" if not rec.current else "") \
            + suffix
        entry = rec.file_entry(role)
        # served from the very file that was checked (its open descriptor), not from its path again
        resp = send_file(f"/proc/self/fd/{fh.fileno()}", mimetype=ctype, as_attachment=not as_inline, download_name=_safe_name(name),
                         conditional=True, max_age=0, etag=entry.sha256 if entry else False)
        resp.call_on_close(fh.close)
        if as_inline:  # the PDF viewer runs as a plugin: only frame it on this site
            resp.headers["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
        else:
            resp.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
        return resp

    # --- compile -------------------------------------------------------------------------------------
    def _years_units() -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
        cat = archive().catalogue
        return sorted(cat.counts("year"), reverse=True), cat.counts("issuer")[:200]

    @app.get("/compile.json", endpoint="compile_json")
    @app.get("/compile")
    def compile_page() -> Response:
        years, units = _years_units()
        if g.json:
            return jsonify({"years": [{"year": y, "records": n} for y, n in years],
                            "issuers": [{"issuer": u, "records": n} for u, n in units],
                            "kinds": list(KINDS), "formats": list(VOLUME_FORMATS), "langs": list(DOC_LANGS)})
        return render_template("compile.html", years=years, units=units, kinds=KINDS)

    @app.post("/compile.json", endpoint="compile_start_json")
    @app.post("/compile")
    def compile_start() -> Response:
        _check_csrf()
        src = request.get_json(silent=True) if request.is_json else request.form
        if not isinstance(src, dict) and src is not request.form:
            raise BadParam("send the options as a JSON object")
        src = {k: str(v) for k, v in src.items()}
        year = _int("year", 0, 1949, 2100, source=src)
        if not year:
            raise BadParam("year: required")
        options = {"year": year, "unit": _param("unit", 100, source=src) or None,
                   "kind": _choice("kind", KINDS, source=src),
                   "format": _choice("format", VOLUME_FORMATS, source=src) or "pdf",
                   "lang": _choice("lang", DOC_LANGS, source=src) or "zh"}
        try:
            job = jobs.start(options)
        except Busy:
            return _error(503, "two volumes are being made already: wait for one to finish")
        if request.path.endswith(".json"):
            resp = jsonify(job.as_dict())
            resp.status_code = 202
            resp.headers["Location"] = url_for("job_page", job_id=job.id + ".json")
            return resp
        return redirect(url_for("job_page", job_id=job.id), 303)

    def _job(job_id: str):
        if not _JOB_RE.match(job_id):
            raise BadParam("not a job id")
        job = jobs.get(job_id)
        if job is None:
            abort(404)
        return job

    @app.get("/compile/jobs/<job_id>")
    def job_page(job_id: str) -> Response:
        job_id, as_json = _twin(job_id)
        job = _job(job_id)
        if as_json:
            return jsonify(job.as_dict())
        return render_template("job.html", job=job)

    @app.get("/compile/jobs/<job_id>/download")
    def job_download(job_id: str) -> Response:
        job = _job(job_id)
        if job.state != "done" or job.output is None or not job.output.is_file():
            abort(404)
        o = job.options
        ctype = CONTENT_TYPES[job.output.suffix.lower()]
        name = f"{o['year']}年度文件汇编" if o["lang"] == "zh" else f"volume-{o['year']}"
        resp = send_file(job.output, mimetype=ctype, as_attachment=True,
                         download_name=_safe_name(name + job.output.suffix), max_age=0)
        resp.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
        return resp

    # --- token ---------------------------------------------------------------------------------------
    @app.route("/login", methods=["GET", "POST"])
    def login() -> Response:
        nxt = _param("next", 1000)
        if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
            nxt = url_for("search_page")
        if not token:
            return redirect(nxt, 303)
        wrong = False
        if request.method == "POST":
            _check_csrf()
            sent = _param("token", 500, source=request.form)
            if hmac.compare_digest(sent.encode("utf-8"), token.encode("utf-8")):
                resp = redirect(nxt, 303)
                resp.set_cookie(AUTH_COOKIE, auth_value(), httponly=True, samesite="Strict",
                                secure=request.is_secure)
                return resp
            wrong = True
        resp = make_response(render_template("login.html", next=nxt, wrong=wrong))
        if wrong:
            resp.status_code = 401
        return resp

    @app.post("/logout")
    def logout() -> Response:
        _check_csrf()
        resp = redirect(url_for("login"), 303)
        resp.delete_cookie(AUTH_COOKIE)
        return resp

    return app


# --- helpers ---------------------------------------------------------------------------------------
def _safe_name(name: str) -> str:
    """A download name without path separators or control characters (the header encodes the rest)."""
    return re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "_", name)[:180]


def _human_size(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _marked(snippet) -> Markup:
    """A snippet as HTML: every character escaped, then the matches wrapped in <mark>."""
    out, last = [], 0
    text = snippet.text
    for s, e in snippet.spans:
        out.append(str(escape(text[last:s])))
        out.append("<mark>" + str(escape(text[s:e])) + "</mark>")
        last = e
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)
