"""The search page and its JSON twin (``workplan search --json``)."""
from __future__ import annotations

import math
from typing import Any

from flask import Response, g, jsonify, render_template, request, url_for

from ...errors import WorkplanError
from ..errors import workplan_error
from ..params import MAX_LIMIT, MAX_PAGE, PER_PAGE, search_params, whole
from ..site import site

FILTERS = ("year", "unit", "kind", "retention", "lang")


def _search_json(ix: Any, query: Any, filters: dict) -> Response:
    limit = whole("limit", 10, 1, MAX_LIMIT)
    page = whole("page", 1, 1, MAX_PAGE)
    all_versions = whole("all_versions", 0, 0, 1) == 1
    try:
        res = ix.search(query, all_versions=all_versions, limit=limit, offset=(page - 1) * limit, **filters)
        out = res.to_json()
        if whole("_facets", 0, 0, 1):
            out["facets"] = {k: [[v, n] for v, n in vals]
                             for k, vals in ix.facets(query, all_versions=all_versions, **filters).items()}
    except WorkplanError as e:
        return workplan_error(e)
    return jsonify(out)


def search_page() -> Response:
    from ...search.query import And, Query
    p = search_params()
    filters = {k: p[k] for k in FILTERS}
    query: Any = p["q"] if p["q"] or any(filters.values()) else Query(And(()), "")
    try:
        ix = site().index()
    except WorkplanError as e:
        return workplan_error(e, 503)
    if g.json:
        return _search_json(ix, query, filters)
    page = whole("page", 1, 1, MAX_PAGE)
    try:
        res = ix.search(query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, **filters)
        facets = ix.facets(query, **filters)
    except WorkplanError as e:
        return workplan_error(e)
    pages = min(MAX_PAGE, max(1, math.ceil(res.total / PER_PAGE)))
    json_url = url_for("search_json", **{k: v for k, v in request.args.items() if k not in ("page", "ui")})
    return render_template("search.html", p=p, res=res, facets=facets, page=page, pages=pages, json_url=json_url,
                           first=(page - 1) * PER_PAGE + 1, browsing=not isinstance(query, str))
