"""Error responses: one friendly page (or JSON object for a ``.json`` URL) for every refusal,
in the reader's language, never a traceback."""
from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import WorkplanError
from .params import BadParam
from .security import MAX_BODY, Refused
from .terms import has_term, reader_language, term


def _ui() -> str:
    return g.get("ui") or reader_language()


def error(status: int, message: str | None = None, problems: list[dict] | None = None,
          headers: dict[str, str] | None = None) -> Response:
    title = term(f"error.{status}", _ui()) if has_term(f"error.{status}") else HTTPStatus(status).phrase
    if g.get("json", request.path.endswith(".json")):
        resp = jsonify({"error": {"status": status, "title": title, "message": message or title,
                                  "problems": problems or []}})
    else:
        resp = make_response(render_template("error.html", status=status, title=title, message=message,
                                             problems=problems or []))
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="workplan"'
    resp.headers.update(headers or {})
    return resp


def workplan_error(e: WorkplanError, status: int = 400) -> Response:
    problems = [{"message": p.message, "hint": p.hint} for p in e.problems]
    return error(status, e.problems[0].message if e.problems else None, problems)


def refused(e: Refused) -> Response:
    return error(e.status, e.message(_ui()), headers=e.headers)


def _http(e: HTTPException) -> Response:
    status = e.code or 500
    msg = None
    if status == 404:
        msg = term("error.notfound", _ui())
    elif status == 413:
        msg = term("refused.body", _ui(), kb=MAX_BODY // 1024)
    elif status == 400 and e.description and "browser (or proxy)" not in e.description:
        msg = e.description
    return error(status, msg)


def install(app: Flask) -> None:
    def _unexpected(e: Exception) -> Response:
        app.logger.exception("unexpected error on %s", request.path)
        return error(500, term("error.internal", _ui()))

    app.register_error_handler(BadParam, lambda e: error(400, e.message(_ui())))
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
