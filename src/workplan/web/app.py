"""The Flask application: pages and their JSON twins over one archive (read, and changed only
through the forms of :mod:`.views.changes` and the fixity check).

``create_app`` only wires: the route table (:mod:`.routes`, views in :mod:`.views`), the
defences (:mod:`.security`), the error pages (:mod:`.errors`) and the templates' helpers
(:mod:`.templating`). Every page's data comes from the same core functions the CLI prints with
``--json``: ``/search.json`` is ``workplan search --json``, ``/records/<code>.json`` is
``workplan archive show <code> --json``.
"""
from __future__ import annotations

import atexit
import tempfile
from pathlib import Path
from typing import Any, Iterable

from flask import Flask, abort, g, redirect, request, url_for
from jinja2 import PackageLoader

from . import errors, routes, security, templating
from .jobs import Jobs
from .security import FileSessions, Guard, HostPolicy, host_names
from .site import EXTENSION, Site
from .terms import LANG_COOKIE, UI_LANGS, reader_language

def _language_and_access() -> Any:
    """The reader's language (``?ui=`` then the cookie), then: signed in, or sent to sign in."""
    g.json = request.path.endswith(".json")
    ui = request.args.get("ui", "")
    g.ui_from_url = ui if ui in UI_LANGS else None
    g.ui = reader_language()
    if "\x00" in request.path or "\\" in request.path:
        abort(400)
    if g.person is None and request.endpoint not in routes.PUBLIC_ENDPOINTS:
        if g.json or request.headers.get("Authorization"):
            abort(401)
        return redirect(url_for("login", next=request.full_path.rstrip("?")), 303)
    action = routes.ACTIONS.get(request.endpoint or "", "read")
    if action and g.person is not None:
        security.check_allowed(action)  # 403 naming the roles that may, also for JSON twins and files
    return None


def _remember_language(resp: Any) -> Any:
    if g.get("ui_from_url"):
        resp.set_cookie(LANG_COOKIE, g.ui_from_url, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp


def time_zone(name: str | None) -> Any:
    """The ``ZoneInfo`` of an IANA time zone name (None: the server's own). A name that is not
    one is a WorkplanError naming the fix."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    from ..errors import Problem, WorkplanError
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise WorkplanError(Problem(f"{name!r} is not a time zone", path="timezone",
                                    hint="give an IANA name such as Asia/Shanghai or Europe/Berlin")) from None


def create_app(archive_root: str | Path, token: str | None = None, *, secret_key: bytes | None = None,
               workdir: str | Path | None = None, allow_hosts: Iterable[str] = (), port: int | None = None,
               https: bool = False, timezone: str | None = None, open_options: dict | None = None,
               shared_dir: str | Path | None = None) -> Flask:
    """The site over the archive at ``archive_root``. With ``token``, every request must carry it
    (``Authorization: Bearer TOKEN`` or the session the sign-in form opens). The site answers to
    the loopback names and ``allow_hosts`` (on ``port`` when given); ``https`` marks it as reached
    over HTTPS (Secure cookies, HSTS). Volumes are made in ``workdir`` (default: a new temporary
    folder, removed at exit). Times are shown in ``timezone`` (an IANA name such as
    Asia/Shanghai; default: the server's). ``open_options``: how to open the archive
    (``open_archive``'s ``index_dir``: this machine's index; ``catalogue``: a standby server to read from).
    ``shared_dir``: a folder several worker processes of one site share (``serve --workers``): the
    signed-in sessions and the volumes are kept there, so that any process serves any request (give
    them the same ``secret_key`` too, for the forms' tokens)."""
    import functools

    from ..archive import open_archive
    root = Path(archive_root).expanduser().absolute()
    opener = functools.partial(open_archive, root, **(open_options or {}))
    opener().close()  # a clear WorkplanError now if it is not an archive
    shared = Path(shared_dir) if shared_dir else None
    if shared:
        work = shared / "volumes"
    else:
        work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="workplan-web-"))
    jobs = Jobs(root, work, opener, shared=shared is not None)
    atexit.register(jobs.close)
    guard = Guard(token=token or None, hosts=HostPolicy(host_names(tuple(allow_hosts)), port), https=https)
    if shared:
        guard.sessions = FileSessions(shared / "sessions")
    if secret_key:
        guard.secret = secret_key

    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.jinja_loader = PackageLoader("workplan.web", "templates")
    app.url_map.merge_slashes = False  # "a//b" is not found, not redirected
    app.config.update(MAX_CONTENT_LENGTH=security.MAX_UPLOAD, WP_ROOT=root, WP_TOKEN=guard.token, WP_JOBS=jobs,
                      WP_TZ=time_zone(timezone))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION] = site = Site(root, jobs, guard, opener)
    guard.accounts = site.accounts
    guard.body_limits = routes.body_limits()

    security.install(app, guard, errors.refused)   # host, size and session first
    app.before_request(_language_and_access)
    app.after_request(_remember_language)
    errors.install(app)
    templating.install(app)
    routes.register(app)
    return app
