"""The site's defences, each a small piece the app wires in :func:`install`:

- **Host allow-list** (DNS rebinding): every request must name an allowed host — the loopback
  names by default (with the served port when it is known), the ``--allow-host`` names otherwise;
  anything else is a 421 on every route, before anything is read or looked up.
- **Body limit before the body is read**: a declared ``Content-Length`` over the limit is a 413
  before authentication (waitress refuses it too, before buffering: ``serve`` passes
  ``max_request_body_size``).
- **Sessions**: a signed-in session is a random id kept on the server (in memory, or in a folder
  the worker processes of ``serve --workers`` share), issued new at login (rotation) and
  forgotten at logout; cookies are HttpOnly, SameSite=Strict, and Secure over HTTPS.
- **CSRF**: a form's token is an HMAC of the browser's session id under the site's secret, and
  every POST's ``Origin`` (or ``Referer``) must be this site.
- **Throttles**: failed sign-ins back off per client (a growing delay), fixity checks are
  limited per client per minute.
- **Headers**: CSP, nosniff, frame and referrer policies; ``no-store`` on every page and download.

People and roles: :func:`current_person` names who makes the request, :func:`allowed` says whether
they may do an action (:mod:`workplan.archive.accounts`), :func:`require` guards a view by action.
An archive with accounts signs people in one by one (name and password; the session holds the
account's name, and its role is looked up on every request, so a changed role or a disabled
account takes effect at once); an archive without accounts is in *single-user mode* (one shared
token, or none on the loopback machine) and whoever is signed in holds every role.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from flask import Flask, Response, abort, g, request
from werkzeug.wrappers import Response as BaseResponse

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
MAX_BODY = 16 * 1024            # bytes in a request body (forms and JSON options are small)
MAX_UPLOAD = 256 * 1024         # bytes in an upload (a data file; routes with ``max_body``); waitress keeps
                                # a body this small in memory (it buffers to disk beyond 512 KiB)
MAX_URL = 2048
SESSION_COOKIE = "wp_auth"      # a signed-in session's id
BROWSER_COOKIE = "wp_csrf"      # an anonymous browser's id (binds its form tokens)
SESSION_SECONDS = 12 * 3600
MAX_SESSIONS = 10_000
MAX_CLIENTS = 10_000            # clients remembered by each throttle
LOGIN_FREE_FAILURES = 3         # failed sign-ins before the delay starts
LOGIN_MAX_DELAY = 15 * 60       # seconds
FIXITY_PER_MINUTE = 20

# waitress, hardened (``workplan serve``): a body over the limit is refused from its declared length
# before it is read (never buffered to disk); idle or slow connections are dropped after
# ``channel_timeout`` seconds, and many of them cannot exhaust the server (a high connection limit,
# polled rather than select()ed, while worker threads only ever see complete requests).
WAITRESS = {"ident": "workplan", "clear_untrusted_proxy_headers": True, "max_request_body_size": MAX_UPLOAD + 1,
            "max_request_header_size": 64 * 1024, "connection_limit": 1000, "channel_timeout": 30,
            "cleanup_interval": 5, "asyncore_use_poll": True}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


class Refused(Exception):
    """A request refused by a defence: HTTP ``status``, the ``web.refused.<key>`` term as its
    message (in the reader's language; ``str()`` is the English), optional extra headers."""

    def __init__(self, status: int, key: str, headers: dict[str, str] | None = None, **values: Any) -> None:
        self.status, self.key, self.values, self.headers = status, key, values, headers or {}
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        from .terms import term
        return term("refused." + self.key, lang, **self.values)


# --- hosts and origins ------------------------------------------------------------------------------
def _split_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` as (lower-case name, port), or None when malformed."""
    value = value.strip().lower()
    if not value or any(c in value for c in "/\\@ \t?#"):
        return None
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else (None if not rest else "x")
    else:
        name, _, port = value.partition(":") if value.count(":") == 1 else (value, "", "")
        port = port or None
    if port is not None and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        return None
    return name, int(port) if port else None


@dataclass
class HostPolicy:
    """The names the site answers to. A loopback name must carry the served ``port`` (when it is
    known); a configured name (``--allow-host``, e.g. the name a proxy in front passes on) may
    carry any port or none."""
    names: tuple[str, ...] = LOOPBACK_NAMES
    port: int | None = None

    def allows(self, host: str) -> bool:
        parts = _split_host(host)
        if parts is None:
            return False
        name, port = parts
        if name not in self.names:
            return False
        return name not in LOOPBACK_NAMES or self.port is None or port == self.port


def host_names(extra: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The loopback names plus the configured ones (lower-case, brackets of IPv6 removed)."""
    out = list(LOOPBACK_NAMES)
    for n in extra:
        n = n.strip().lower().strip("[]")
        if n and n not in out:
            out.append(n)
    return tuple(out)


def check_host(policy: HostPolicy) -> None:
    host = request.headers.get("Host", "")
    if not policy.allows(host):
        raise Refused(421, "host")


def check_origin() -> None:
    """A POST must come from a page of this site: its Origin (or, without one, its Referer) names
    the host the request was sent to. A request with neither is not from a browser's page."""
    here = request.headers.get("Host", "").strip().lower()
    origin = request.headers.get("Origin")
    source = origin if origin is not None else request.headers.get("Referer")
    if source is None:
        return
    parts = urlsplit(source.strip()) if source.strip().lower() != "null" else None
    if parts is None or parts.scheme not in ("http", "https") or parts.netloc.lower() != here:
        raise Refused(403, "origin")


# --- sessions and CSRF ---------------------------------------------------------------------------------
@dataclass
class Sessions:
    """Signed-in sessions kept on the server: id → (person, expiry). Bounded (oldest dropped)."""
    lifetime: float = SESSION_SECONDS
    cap: int = MAX_SESSIONS
    _by_id: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, person: str) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._by_id[sid] = (person, time.monotonic() + self.lifetime)
            while len(self._by_id) > self.cap:
                self._by_id.popitem(last=False)
        return sid

    def person(self, sid: str) -> str | None:
        if not sid or len(sid) > 64:
            return None
        with self._lock:
            entry = self._by_id.get(sid)
            if entry is None:
                return None
            if entry[1] < time.monotonic():
                del self._by_id[sid]
                return None
            return entry[0]

    def close(self, sid: str) -> None:
        with self._lock:
            self._by_id.pop(sid, None)


class FileSessions:
    """Signed-in sessions kept in a folder the site's worker processes share (``serve --workers``):
    one small file per session, named by the SHA-256 of its id (the id itself is never written),
    holding the person and the expiry. Same interface as :class:`Sessions`; bounded (the oldest
    files go when there are more than ``cap``)."""

    def __init__(self, folder: Path, lifetime: float = SESSION_SECONDS, cap: int = MAX_SESSIONS) -> None:
        self.dir, self.lifetime, self.cap = folder, lifetime, cap
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._opened = 0

    def _path(self, sid: str) -> Path:
        return self.dir / hashlib.sha256(sid.encode("utf-8")).hexdigest()

    def open(self, person: str) -> str:
        sid = secrets.token_urlsafe(32)
        tmp = self.dir / f".{secrets.token_hex(8)}.tmp"
        tmp.write_text(f"{person}\n{time.time() + self.lifetime:.0f}\n", encoding="utf-8")
        os.replace(tmp, self._path(sid))
        self._opened += 1
        if self._opened % 100 == 0:
            self._prune()
        return sid

    def _prune(self) -> None:
        files = sorted((f for f in self.dir.iterdir() if not f.name.startswith(".")),
                       key=lambda f: f.stat().st_mtime if f.exists() else 0.0)
        for f in files[:max(0, len(files) - self.cap)]:
            f.unlink(missing_ok=True)

    def person(self, sid: str) -> str | None:
        if not sid or len(sid) > 64:
            return None
        path = self._path(sid)
        try:
            person, expiry = path.read_text(encoding="utf-8").split("\n")[:2]
        except (OSError, ValueError):
            return None
        if float(expiry) < time.time():
            path.unlink(missing_ok=True)
            return None
        return person

    def close(self, sid: str) -> None:
        if sid and len(sid) <= 64:
            self._path(sid).unlink(missing_ok=True)


def csrf_token(secret: bytes, browser_id: str) -> str:
    """The form token of a browser session: an HMAC of its id (32 hex digits)."""
    return hmac.new(secret, b"csrf\0" + browser_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def check_csrf(secret: bytes) -> None:
    """A POST from a form carries the token of this browser's session; a JSON POST needs none (a
    page of another site cannot send one without a CORS preflight, which is never allowed)."""
    check_origin()
    if request.is_json and request.path.endswith(".json"):
        return
    sent = request.form.get("csrf", "")
    bound = g.get("session_id") or ""
    if not bound or not hmac.compare_digest(sent.encode("utf-8"), csrf_token(secret, bound).encode("utf-8")):
        raise Refused(400, "csrf")


# --- throttles -------------------------------------------------------------------------------------------
class Backoff:
    """Failures per client: after ``free`` of them, each further attempt waits 2, 4, 8 … seconds
    (at most ``cap``) after the last failure. A success forgets the client."""

    def __init__(self, free: int = LOGIN_FREE_FAILURES, cap: float = LOGIN_MAX_DELAY,
                 clients: int = MAX_CLIENTS) -> None:
        self.free, self.cap, self.clients = free, cap, clients
        self._state: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds this client must still wait before its next attempt (0: go ahead)."""
        with self._lock:
            fails, last = self._state.get(client, (0, 0.0))
        if fails < self.free:
            return 0.0
        return max(0.0, last + min(self.cap, 2.0 ** (fails - self.free + 1)) - time.monotonic())

    def failed(self, client: str) -> None:
        with self._lock:
            fails, _ = self._state.pop(client, (0, 0.0))
            self._state[client] = (fails + 1, time.monotonic())
            while len(self._state) > self.clients:
                self._state.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._state.pop(client, None)


class RateLimit:
    """At most ``count`` events per client in any ``per`` seconds."""

    def __init__(self, count: int = FIXITY_PER_MINUTE, per: float = 60.0, clients: int = MAX_CLIENTS) -> None:
        self.count, self.per, self.clients = count, per, clients
        self._times: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Record an event; 0 when allowed, else the seconds until one is."""
        now = time.monotonic()
        with self._lock:
            q = self._times.pop(client, None) or deque()
            self._times[client] = q
            while q and q[0] <= now - self.per:
                q.popleft()
            if len(q) >= self.count:
                return q[0] + self.per - now
            q.append(now)
            while len(self._times) > self.clients:
                self._times.popitem(last=False)
            return 0.0


def client_key() -> str:
    return request.remote_addr or "-"


def too_many(wait: float, key: str) -> Refused:
    seconds = max(1, int(wait + 0.999))
    return Refused(429, key, {"Retry-After": str(seconds)}, s=seconds)


# --- people and roles ----------------------------------------------------------------------------------------
def current_person() -> str | None:
    """Who makes this request: the signed-in account's name; in single-user mode ``"local"`` on a
    site without a token, ``"token"`` with one; None before signing in."""
    return g.get("person")


def current_account() -> Any:
    """The signed-in account (None in single-user mode or before signing in)."""
    return g.get("account")


def allowed(action: str) -> bool:
    """Whether the person making this request may do ``action`` (every action in single-user mode)."""
    if current_person() is None:
        return False
    acct = current_account()
    return acct is None or acct.may(action)


class RoleRefused(Refused):
    """403: the signed-in person's role does not allow an action (said with the roles that do)."""

    def __init__(self, person: str, role: str, action: str) -> None:
        self.person, self.role, self.action = person, role, action
        super().__init__(403, "role")

    def message(self, lang: str) -> str:
        from ..archive.accounts import action_words, roles_for
        from .terms import has_term, term

        def role_name(r: str) -> str:
            return term("role." + r, lang) if has_term("role." + r) else r
        action = term("action." + self.action, lang) if has_term("action." + self.action) \
            else action_words(self.action)
        sep = "、" if lang == "zh" else ", "
        return term("refused.role", lang, person=self.person, role=role_name(self.role), action=action,
                    roles=sep.join(role_name(r) for r in roles_for(self.action)))


def refuse_role(action: str) -> Refused:
    """The 403 for an action the signed-in person's role does not allow, naming the roles that do."""
    acct = current_account()
    return RoleRefused(getattr(acct, "name", "?"), getattr(acct, "role", "?"), action)


def check_allowed(action: str) -> None:
    if current_person() is None:
        abort(401)
    if not allowed(action):
        raise refuse_role(action)


def require(action: str) -> Callable:
    """Guard a view: only a person whose role allows ``action`` may call it (401 before signing
    in, 403 naming the roles that may otherwise)."""
    def wrap(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*a: Any, **k: Any) -> Any:
            check_allowed(action)
            return view(*a, **k)
        guarded.required_action = action  # type: ignore[attr-defined]
        return guarded
    return wrap


# --- headers -----------------------------------------------------------------------------------------------
def secure_headers(resp: Response, https: bool) -> Response:
    h = resp.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["X-Frame-Options"] = "SAMEORIGIN"
    if request.endpoint != "static":  # pages, JSON and downloads are never kept by a browser or a proxy
        h["Cache-Control"] = "no-store"
        h.pop("Expires", None)
    if https:
        h["Strict-Transport-Security"] = "max-age=31536000"
    return resp


@dataclass
class Guard:
    """The site's security settings and state (one per app)."""
    token: str | None = None
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    hosts: HostPolicy = field(default_factory=HostPolicy)
    https: bool = False
    sessions: Sessions | FileSessions = field(default_factory=Sessions)
    logins: Backoff = field(default_factory=Backoff)
    fixity: RateLimit = field(default_factory=RateLimit)
    # endpoint → the largest body it takes, where more than MAX_BODY (uploads)
    body_limits: dict[str, int] = field(default_factory=dict)
    # the archive's accounts: an object with ``required() -> bool`` and ``get(name) -> Account | None``
    # (None: single-user mode always)
    accounts: Any = None

    def accounts_mode(self) -> bool:
        """Whether people sign in with their own accounts (the archive has accounts)."""
        return self.accounts is not None and self.accounts.required()

    def secure_cookies(self) -> bool:
        return self.https or request.is_secure

    def token_matches(self, sent: str) -> bool:
        return bool(self.token) and hmac.compare_digest(sent.encode("utf-8"), (self.token or "").encode("utf-8"))


def identify(guard: Guard) -> None:
    """Set ``g.person`` and ``g.session_id`` (the id form tokens are bound to) for this request."""
    g.browser_id_new = None
    g.account = None
    if guard.accounts_mode():
        name = guard.sessions.person(request.cookies.get(SESSION_COOKIE, ""))
        acct = guard.accounts.get(name) if name else None
        if acct is not None and not acct.disabled:
            g.person, g.account = acct.name, acct
            g.session_id = request.cookies.get(SESSION_COOKIE)
            return
        g.person = None
    elif not guard.token:
        g.person = "local"
    else:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            g.person = "token" if guard.token_matches(header[7:].strip()) else None
            g.session_id = None
            return
        g.person = guard.sessions.person(request.cookies.get(SESSION_COOKIE, ""))
        if g.person is not None:
            g.session_id = request.cookies.get(SESSION_COOKIE)
            return
    browser = request.cookies.get(BROWSER_COOKIE, "")
    if not (20 <= len(browser) <= 64 and browser.replace("-", "").replace("_", "").isalnum()):
        browser = g.browser_id_new = secrets.token_urlsafe(24)
    g.session_id = browser


def sign_in(guard: Guard, resp: BaseResponse, person: str) -> BaseResponse:
    """A new session for ``person`` (a fresh id: never one the browser had before)."""
    old = request.cookies.get(SESSION_COOKIE, "")
    if old:
        guard.sessions.close(old)
    sid = guard.sessions.open(person)
    resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Strict", secure=guard.secure_cookies())
    return resp


def sign_out(guard: Guard, resp: BaseResponse) -> BaseResponse:
    guard.sessions.close(request.cookies.get(SESSION_COOKIE, ""))
    resp.delete_cookie(SESSION_COOKIE, httponly=True, samesite="Strict", secure=guard.secure_cookies())
    return resp


def install(app: Flask, guard: Guard, on_refused: Callable[[Refused], Response]) -> None:
    """Wire the defences into ``app``: host and size checks first, then who is asking."""
    @app.before_request
    def _guard() -> Any:
        g.guard = guard
        try:
            check_host(guard.hosts)
            limit = guard.body_limits.get(request.endpoint or "", MAX_BODY)
            request.max_content_length = limit  # also for a body sent without a declared length
            if (request.content_length or 0) > limit:
                raise Refused(413, "body", kb=limit // 1024)
            if len(request.full_path) > MAX_URL:
                raise Refused(414, "url")
        except Refused as e:
            return on_refused(e)
        identify(guard)
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        if g.get("browser_id_new") and resp.mimetype == "text/html":
            resp.set_cookie(BROWSER_COOKIE, g.browser_id_new, httponly=True, samesite="Strict",
                            secure=guard.secure_cookies())
        return secure_headers(resp, guard.https)

    app.register_error_handler(Refused, on_refused)
