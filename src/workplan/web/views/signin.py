"""Signing in with the site's token, and out. The session is issued new at each sign-in and
forgotten at sign-out; failed attempts back off per client."""
from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request, url_for

from .. import params
from ..security import check_csrf, client_key, sign_in, sign_out, too_many
from ..site import site


def _next() -> str:
    nxt = params.param("next", 1000)
    if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        nxt = url_for("search_page")
    return nxt


def login() -> Response:
    nxt = _next()
    guard = site().guard
    if not guard.token:
        return redirect(nxt, 303)
    wrong = False
    if request.method == "POST":
        check_csrf(guard.secret)
        client = client_key()
        wait = guard.logins.wait(client)
        if wait:
            raise too_many(wait, "login")
        sent = params.param("token", 500, source=request.form)
        if guard.token_matches(sent):
            guard.logins.succeeded(client)
            return sign_in(guard, redirect(nxt, 303), "token")
        guard.logins.failed(client)
        wrong = True
    resp = make_response(render_template("login.html", next=nxt, wrong=wrong))
    if wrong:
        resp.status_code = 401
    return resp


def logout() -> Response:
    check_csrf(site().guard.secret)
    return sign_out(site().guard, redirect(url_for("login"), 303))


def home() -> Response:
    return redirect(url_for("search_page"), 302)
