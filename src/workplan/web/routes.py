"""The site's route table: every URL, its view, its methods and its JSON twin.

A page with data has a JSON twin returning what the CLI's ``--json`` prints: either a rule of its
own (``/search.json``) or the same rule with ``.json`` after the last part (``/records/CODE.json``,
which the view recognises). Rows without a twin say why. To add a page: write its view in
``views/``, add a row here, name its URL in ARCHITECTURE.md ("Where to add a web page").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .security import MAX_UPLOAD
from .views import changes, records, search, signin, volumes


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    view: Callable
    methods: tuple[str, ...] = ("GET",)
    json: str | None = None            # the JSON twin's URL pattern
    json_rule: bool = False            # the twin is a rule of its own (else the view reads the suffix)
    no_json: str = ""                  # why there is no twin
    public: bool = False               # reachable before signing in
    action: str = "read"               # what the person must be allowed (archive.accounts.ACTIONS); "" for none
    max_body: int = 0                  # the largest request body it takes, when more than security.MAX_BODY


ROUTES: tuple[Route, ...] = (
    Route("/", "home", signin.home, no_json="a redirect to /search"),
    Route("/search", "search_page", search.search_page, json="/search.json", json_rule=True),
    Route("/search/export", "search_export", search.export_results,
          no_json="a file: the results as a list of archived files (CSV or XLSX); /search.json has them as data"),
    Route("/records/<code>", "record_page", records.record_page, json="/records/<code>.json"),
    Route("/records/<code>/verify", "verify_page", records.verify_page, ("POST",),
          json="/records/<code>/verify.json", json_rule=True, action="verify"),
    Route("/records/<code>/diff", "diff_page", records.diff_page, json="/records/<code>/diff.json", json_rule=True),
    Route("/records/<code>/files/<role>", "file_download", records.file_download, action="download",
          no_json="a file of the record (its hash is in /records/<code>.json)"),
    Route("/records/<code>/versions/new", "version_form", changes.version_form, action="version",
          no_json="the form; its data is POSTed to /records/<code>/versions.json"),
    Route("/records/<code>/versions", "version_add", changes.version_add, ("POST",),
          json="/records/<code>/versions.json", json_rule=True, action="version", max_body=MAX_UPLOAD),
    Route("/records/<code>/dispose", "dispose_form", changes.dispose_form, action="dispose",
          no_json="the form; its data is POSTed to /records/<code>/disposal.json"),
    Route("/records/<code>/disposal", "dispose", changes.dispose, ("POST",), json="/records/<code>/disposal.json",
          json_rule=True, action="dispose"),
    Route("/compile", "compile_page", volumes.compile_page, json="/compile.json", json_rule=True, action="compile"),
    Route("/compile", "compile_start", volumes.compile_start, ("POST",), json="/compile.json", json_rule=True,
          action="compile"),
    Route("/compile/jobs/<job_id>", "job_page", volumes.job_page, json="/compile/jobs/<job_id>.json",
          action="compile"),
    Route("/compile/jobs/<job_id>/download", "job_download", volumes.job_download, action="compile",
          no_json="the volume file (its name is in /compile/jobs/<job_id>.json)"),
    Route("/login", "login", signin.login, ("GET", "POST"), public=True, action="",
          no_json="the browser's sign-in form; in single-user mode other clients send `Authorization: Bearer "
                  "TOKEN`"),
    Route("/logout", "logout", signin.logout, ("POST",), action="", no_json="the browser's sign-out button"),
)

PUBLIC_ENDPOINTS = frozenset({"static"} | {r.endpoint for r in ROUTES if r.public})


def _json_endpoint(r: Route) -> str:
    names = {"search_page": "search_json", "verify_page": "verify_json", "compile_page": "compile_json",
             "compile_start": "compile_start_json"}
    return names.get(r.endpoint, r.endpoint + "_json")


def actions() -> dict[str, str]:
    """endpoint (and JSON twin's endpoint) → the action a person must be allowed."""
    out: dict[str, str] = {}
    for r in ROUTES:
        out[r.endpoint] = r.action
        if r.json and r.json_rule:
            out[_json_endpoint(r)] = r.action
    return out


ACTIONS = actions()


def body_limits() -> dict[str, int]:
    """endpoint (and JSON twin's endpoint) → the largest request body it takes (uploads)."""
    out: dict[str, int] = {}
    for r in ROUTES:
        if r.max_body:
            out[r.endpoint] = r.max_body
            if r.json and r.json_rule:
                out[_json_endpoint(r)] = r.max_body
    return out


def register(app) -> None:
    for r in ROUTES:
        app.add_url_rule(r.rule, r.endpoint, r.view, methods=list(r.methods))
        if r.json and r.json_rule:
            app.add_url_rule(r.json, _json_endpoint(r), r.view, methods=list(r.methods))
