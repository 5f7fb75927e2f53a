"""The annual volume: the options page, starting a job, its status page and its download."""
from __future__ import annotations

from flask import Response, abort, g, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from ...errors import WorkplanError
from .. import params
from ..errors import error
from ..jobs import Busy, Job
from ..params import DOC_LANGS, KINDS, VOLUME_FORMATS, BadParam
from ..security import check_csrf, require
from ..site import site
from ..templating import safe_name
from ..terms import term
from .records import CONTENT_TYPES, DOWNLOAD_CSP, twin


def _years_units() -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
    cat = site().archive().catalogue
    return sorted(cat.counts("year"), reverse=True), cat.counts("issuer")[:200]


def compile_page() -> ResponseReturnValue:
    years, units = _years_units()
    if g.json:
        return jsonify({"years": [{"year": y, "records": n} for y, n in years],
                        "issuers": [{"issuer": u, "records": n} for u, n in units],
                        "kinds": list(KINDS), "formats": list(VOLUME_FORMATS), "langs": list(DOC_LANGS)})
    return render_template("compile.html", years=years, units=units, kinds=KINDS, names_en=_names_en(units))


def _names_en(units: list[tuple[str, int]]) -> dict[str, str]:
    """The issuers' English names from the data (English interface; none without an index)."""
    if g.ui != "en":
        return {}
    try:
        return site().index().names_en([u for u, _ in units])
    except WorkplanError:
        return {}


def _options() -> dict:
    src = params.form_or_json()
    year = params.whole("year", 0, params.YEAR_MIN, params.YEAR_MAX, source=src)
    if not year:
        raise BadParam("required", name="year")
    return {"year": year, "unit": params.param("unit", 100, source=src) or None,
            "kind": params.choice("kind", KINDS, source=src),
            "format": params.choice("format", VOLUME_FORMATS, source=src) or "pdf",
            "lang": params.choice("lang", DOC_LANGS, source=src) or "zh"}


@require("compile")
def compile_start() -> ResponseReturnValue:
    check_csrf(site().guard.secret)
    options = _options()
    account = g.get("account")
    options["person"] = account.name if account is not None else None  # who asked (a queued volume runs as them)
    try:
        job = site().jobs.start(options)
    except Busy:
        return error(503, term("refused.busy", g.ui))
    if request.path.endswith(".json"):
        resp = jsonify(job.as_dict())
        resp.status_code = 202
        resp.headers["Location"] = url_for("job_page", job_id=job.id + ".json")
        return resp
    return redirect(url_for("job_page", job_id=job.id), 303)


def _job(job_id: str) -> Job:
    job = site().jobs.get(params.job_id(job_id))
    if job is None:
        abort(404)
    return job


def job_page(job_id: str) -> ResponseReturnValue:
    job_id, as_json = twin(job_id)
    job = _job(job_id)
    if as_json:
        return jsonify(job.as_dict())
    return render_template("job.html", job=job)


def job_download(job_id: str) -> Response:
    job = _job(job_id)
    if job.state != "done" or job.output is None or not job.output.is_file():
        abort(404)
    o = job.options
    ctype = CONTENT_TYPES[job.output.suffix.lower()]
    name = f"{o['year']}年度文件汇编" if o["lang"] == "zh" else f"volume-{o['year']}"
    resp = send_file(job.output, mimetype=ctype, as_attachment=True,
                     download_name=safe_name(name + job.output.suffix), max_age=0)
    resp.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    return resp
