"""The search page and its JSON twin (``workplan search --json``)."""
from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, g, jsonify, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...errors import WorkplanError
from ...i18n import said, term
from ..errors import workplan_error
from ..params import MAX_LIMIT, MAX_PAGE, PER_PAGE, choice, search_params, whole
from ..site import site
from ..templating import safe_name

FILTERS = ("year", "unit", "kind", "retention", "lang", "program")
#: the site's names of the orders (?sort=) → the index's
SORT_ORDERS = {"relevance": "score", "newest": "newest", "oldest": "oldest"}


def _sort(p: dict) -> str | None:
    return SORT_ORDERS[p["sort"]] if p["sort"] else None


def _search_json(ix: Any, query: Any, filters: dict, sort: str | None) -> Response:
    limit = whole("limit", 10, 1, MAX_LIMIT)
    page = whole("page", 1, 1, MAX_PAGE)
    all_versions = whole("all_versions", 0, 0, 1) == 1
    try:
        res = ix.search(query, all_versions=all_versions, limit=limit, offset=(page - 1) * limit, sort=sort,
                        **filters)
        from ...archive.views import with_fixity
        out = with_fixity(site().archive(), res.to_json())
        if whole("_facets", 0, 0, 1):
            out["facets"] = {k: [[v, n] for v, n in vals]
                             for k, vals in ix.facets(query, all_versions=all_versions, **filters).items()}
    except WorkplanError as e:
        return workplan_error(e)
    return jsonify(out)


def _looks_up(p: dict) -> bool:
    """Whether the query alone may name one record (no filters, first page, current versions)."""
    return bool(p["q"]) and not any(p[k] for k in FILTERS) and not request.args.get("page") \
        and not p["all_versions"]


def _code_named(p: dict) -> str | None:
    """The record whose archival code is the whole query, if it is in the archive."""
    from ...search.lookup import code_named
    code = code_named(p["q"]) if _looks_up(p) else None
    return code if code and site().archive().catalogue.versions_of(code) else None


def _bad_query(p: dict, e: WorkplanError) -> Response:
    """The search page again, the query kept, with what is wrong and a query that would work."""
    from ...search.query import QueryError, suggest
    if isinstance(e, QueryError):
        problem = {"message": e.message(g.ui), "hint": e.hint(g.ui),
                   "at": term("query.at", g.ui, at=e.at + 1) if e.at is not None else None}
    else:
        first = e.problems[0] if e.problems else None
        problem = {"message": said(first.message, g.ui) if first else "",
                   "hint": said(first.hint, g.ui) if first and first.hint else None, "at": None}
    resp = make_response(render_template("search.html", p=p, res=None, facets={}, page=1, pages=1, first=1,
                                         browsing=False, json_url=None, problem=problem, suggestion=suggest(p["q"])))
    resp.status_code = 400
    return resp


def _export_urls() -> dict[str, str]:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "ui", "format")]
    return {fmt: url_for("search_export") + "?" + urlencode([*args, ("format", fmt)]) for fmt in EXPORT_TYPES}


def _fixity(codes: list) -> dict:
    """The last fixity check of each of these records (a damaged one is flagged in the results)."""
    try:
        return site().archive().catalogue.fixity_of([c for c in codes if isinstance(c, str)])
    except WorkplanError:
        return {}


def search_page() -> ResponseReturnValue:
    from ...search.query import And, Query
    p = search_params()
    filters = {k: p[k] for k in FILTERS}
    query: Any = p["q"] if p["q"] or any(filters.values()) else Query(And(()), "")
    if not g.json and (code := _code_named(p)):
        return redirect(url_for("record_page", code=code), 303)
    try:
        ix = site().index()
    except WorkplanError as e:
        return workplan_error(e, 503)
    if g.json:
        return _search_json(ix, query, filters, _sort(p))
    page = whole("page", 1, 1, MAX_PAGE)
    from ...search.lookup import hit_named
    try:
        res, facets = _results(ix, query, p, filters, page)
        if _looks_up(p) and (code := hit_named(res.hits, p["q"])):
            return redirect(url_for("record_page", code=code), 303)
    except WorkplanError as e:
        return _bad_query(p, e)
    pages = min(MAX_PAGE, max(1, math.ceil(res.total / PER_PAGE)))
    return render_template("search.html", p=p, res=res, facets=facets, page=page, pages=pages,
                           json_url=_twin_url(), first=(page - 1) * PER_PAGE + 1, browsing=not isinstance(query, str),
                           this_search=request.full_path.rstrip("?"), exports=_export_urls(),
                           sorts=tuple(SORT_ORDERS), sort=p["sort"] or ("relevance" if res.query else "newest"),
                           names_en=_names_en(ix, res, facets), chinese_only=_chinese_only(ix, p),
                           fixity=_fixity([h.code for h in res.hits]))


def _results(ix: Any, query: Any, p: dict, filters: dict, page: int) -> tuple[Any, dict]:
    """A page of hits and the facet counts, asked of the index once per index generation."""
    def ask() -> tuple[Any, dict]:
        res = ix.search(query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, all_versions=p["all_versions"],
                        sort=_sort(p), **filters)
        return res, ix.facets(query, all_versions=p["all_versions"], **filters)
    asked = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(p.items())) + (("page", page),)
    key = (site().index_generation(), asked, str(query))
    return site().results.get(key, ask)


def _chinese_only(ix: Any, p: dict) -> int:
    """How many documents words without Chinese characters cannot find (they have no English
    text), so that an English query does not miss them silently; 0 for other queries."""
    from ...search.query import And, Filter, Not, Query
    from ...search.text import has_han
    if not p["q"] or has_han(p["q"]):
        return 0
    no_english = Query(And((Not(Filter("lang", "en")),)), "")
    return ix.search(no_english, limit=1, snippets=False, all_versions=p["all_versions"]).total


def _twin_url() -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "ui")]
    return url_for("search_json") + ("?" + urlencode(args) if args else "")


def _names_en(ix: Any, res: Any, facets: dict) -> dict[str, str]:
    """The English forms of the data's Chinese names on this page (English interface only)."""
    if g.ui != "en":
        return {}
    names: dict[str, str] = {}
    for h in res.hits:
        names.update(h.names_en)
    units = [u for u, _ in facets.get("unit", ()) if u not in names]
    names.update(ix.names_en(units))
    return names


EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_results() -> Response:
    """The results of a search (up to MAX_LIMIT, current versions unless asked) as a list of
    archived files (归档文件目录: 档号, 文号, 责任者, 题名, 日期, 页数, 保管期限, 备注), CSV or XLSX."""
    from ...archive.export import catalogue_csv, catalogue_rows, catalogue_xlsx
    from ...search.query import And, Query
    p = search_params()
    fmt = choice("format", tuple(EXPORT_TYPES)) or "csv"
    filters = {k: p[k] for k in FILTERS}
    query: Any = p["q"] if p["q"] or any(filters.values()) else Query(And(()), "")
    try:
        res = site().index().search(query, limit=MAX_LIMIT, all_versions=p["all_versions"], snippets=False,
                                    sort=_sort(p), **filters)
    except WorkplanError as e:
        return workplan_error(e)
    arc = site().archive()
    records, latest = [], {}
    for h in res.hits:
        versions = arc.versions(h.code)
        latest[h.code] = max(v.version for v in versions)
        records += [v for v in versions if v.version == h.version]
    rows = catalogue_rows(records, latest)
    body = catalogue_csv(rows) if fmt == "csv" else catalogue_xlsx(rows, term("web.search.export_name", g.ui))
    resp = make_response(body)
    resp.mimetype = EXPORT_TYPES[fmt].split(";")[0]
    resp.headers["Content-Type"] = EXPORT_TYPES[fmt]
    name = safe_name(term("web.search.export_name", g.ui) + "." + fmt)
    resp.headers["Content-Disposition"] = f"attachment; filename=results.{fmt}; filename*=UTF-8''{quote(name)}"
    return resp
