"""Signing in and out. An archive with accounts signs people in by name and password; one
without is in single-user mode (the site's shared token, or nothing to sign in to on the loopback
machine). The session is issued new at each sign-in and forgotten at sign-out; failed attempts
back off per client and per account (a growing delay), and every sign-in, failure and sign-out is
an event of the archive's log."""
from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...errors import WorkplanError
from .. import params
from ..security import check_csrf, client_key, current_account, sign_in, sign_out, too_many
from ..site import site


def _next() -> str:
    nxt = params.param("next", 1000)
    if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
        nxt = url_for("search_page")
    return nxt


def _log(person: str | None, event: str, detail: dict, outcome: str = "success") -> None:
    """A sign-in event (never a reason to refuse the sign-in itself when the log cannot take it)."""
    arc = site().archive()
    if arc.read_only:
        return
    try:
        ev = arc.act_as(person, via="web").events.append(event, "archive", detail, outcome=outcome)
        arc.catalogue.note_event(ev)
    except WorkplanError:
        pass
    finally:
        arc.act_as(None)


def login() -> ResponseReturnValue:
    nxt = _next()
    guard = site().guard
    accounts = guard.accounts_mode()
    if not accounts and not guard.token:
        return redirect(nxt, 303)
    wrong = False
    name = ""
    if request.method == "POST":
        check_csrf(guard.secret)
        client = client_key()
        name = params.param("name", 64, source=request.form).strip().lower() if accounts else ""
        keys = [client] + ([f"account:{name}"] if name else [])
        wait = max(guard.logins.wait(k) for k in keys)
        if wait:
            raise too_many(wait, "login")
        if accounts:
            password = params.param("password", 1000, source=request.form)
            acct = site().archive().accounts.authenticate(name, password)
            if acct is not None:
                for k in keys:
                    guard.logins.succeeded(k)
                _log(acct.name, "sign-in", {"account": acct.name, "role": acct.role, "client": client})
                return sign_in(guard, redirect(nxt, 303), acct.name)
            for k in keys:
                guard.logins.failed(k)
            _log(None, "sign-in-failed", {"account": name[:64], "client": client}, outcome="failure")
        else:
            sent = params.param("token", 500, source=request.form)
            if guard.token_matches(sent):
                guard.logins.succeeded(client)
                return sign_in(guard, redirect(nxt, 303), "token")
            guard.logins.failed(client)
        wrong = True
    resp = make_response(render_template("login.html", next=nxt, wrong=wrong, accounts=accounts, name=name))
    if wrong:
        resp.status_code = 401
    return resp


def logout() -> ResponseReturnValue:
    check_csrf(site().guard.secret)
    acct = current_account()
    if acct is not None:
        _log(acct.name, "sign-out", {"account": acct.name})
    return sign_out(site().guard, redirect(url_for("login"), 303))


def home() -> ResponseReturnValue:
    return redirect(url_for("search_page"), 302)
