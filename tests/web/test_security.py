"""The site's defences against a real waitress server on 127.0.0.1 (with the settings `workplan
serve` uses): DNS rebinding (a foreign Host), cross-site posts, oversized bodies, slow
connections, sessions and CSRF, throttles, caching, malformed JSON, codes with a trailing newline.
Every loop is bounded and every server stops by itself."""
from __future__ import annotations

import os
import re
import socket
import time
from urllib.parse import quote

import pytest

from workplan.web import create_app
from workplan.web.routes import ROUTES
from workplan.web.security import Backoff, RateLimit

from .conftest import WINTER, Browserish, running

TOKEN = "s3cret-token"
W = quote(WINTER)


@pytest.fixture(scope="module")
def site(web_archive, tmp_path_factory):
    """A token-less server over a private copy of the archive: (port, app)."""
    import shutil
    root = tmp_path_factory.mktemp("sec") / "archive"
    shutil.copytree(web_archive, root, symlinks=True)
    app = create_app(root, workdir=tmp_path_factory.mktemp("jobs"))
    with running(app) as port:
        yield port, app
    app.config["WP_JOBS"].close()


@pytest.fixture(scope="module")
def locked(web_archive, tmp_path_factory):
    """A server that needs the token: (port, app)."""
    app = create_app(web_archive, token=TOKEN, workdir=tmp_path_factory.mktemp("jobs"))
    with running(app) as port:
        yield port, app
    app.config["WP_JOBS"].close()


def _urls() -> list[tuple[str, str]]:
    out = []
    for r in ROUTES:
        for rule in (r.rule, r.json) if r.json else (r.rule,):
            url = rule.replace("<code>", W).replace("<job_id>", "0123456789abcdef").replace("<role>", "pdf:zh")
            out += [(m, url) for m in r.methods]
    return out + [("GET", "/static/site.css"), ("GET", "/no-such-page")]


# --- 14: DNS rebinding --------------------------------------------------------------------------------
def test_a_foreign_host_is_refused_on_every_route(site):
    port, app = site
    evil = Browserish(port, host=f"evil.example:{port}")
    good = Browserish(port)
    for method, url in _urls():
        status, _, body = evil.request(method, url, js={"year": 2023} if method == "POST" else None)
        assert status == 421, (method, url, status)
        assert b"fonds" not in body and b"%PDF" not in body
        assert good.request(method, url, js={"year": 2023} if method == "POST" else None)[0] != 421, url
    status, _, _ = evil.post("/compile.json", js={"year": 1990})
    assert status == 421 and not [j for j in app.config["WP_JOBS"].jobs.values() if j.options["year"] == 1990]


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:1", "localhost.:{port}", "127.0.0.1:{port}@evil.example",
                                  "127.0.0.2:{port}", "[::2]:{port}", "", "127.0.0.1:{port}/x", "LOCALHOST:{port}0"])
def test_other_hosts_and_ports_are_refused(site, host):
    port, _ = site
    status, _, _ = Browserish(port, host=host.format(port=port)).get("/search.json?q=x")
    assert status == 421


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "[::1]:{port}"])
def test_loopback_names_on_the_served_port_are_served(site, host):
    port, _ = site
    assert Browserish(port, host=host.format(port=port)).get("/search.json?q=x")[0] == 200


def test_configured_names_are_served(web_archive):
    c = create_app(web_archive, allow_hosts=["archive.office.lan"]).test_client()
    assert c.get("/search.json?q=x", headers={"Host": "archive.office.lan"}).status_code == 200
    assert c.get("/search.json?q=x", headers={"Host": "archive.office.lan:8443"}).status_code == 200
    assert c.get("/search.json?q=x", headers={"Host": "other.office.lan"}).status_code == 421


# --- 17: cross-site posts ------------------------------------------------------------------------------
def test_posts_from_another_origin_are_refused(site):
    port, app = site
    b = Browserish(port)
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": f"http://127.0.0.1:{port + 1}"},
                    {"Referer": "http://evil.example/page"}, {"Origin": f"http://evil.example:{port}"}):
        assert b.post("/compile.json", js={"year": 1991}, headers=headers)[0] == 403, headers
        assert b.post(f"/records/{W}/verify.json", js={}, headers=headers)[0] == 403, headers
    assert not [j for j in app.config["WP_JOBS"].jobs.values() if j.options["year"] == 1991]


def test_csrf_tokens_are_signed_and_bound_to_the_browser(site):
    port, _ = site
    alice, mallory = Browserish(port), Browserish(port)
    token_of = {}
    for who in (alice, mallory):
        html = who.get("/compile")[2].decode()
        token_of[id(who)] = re.search(r'name="csrf" value="([0-9a-f]{32})"', html).group(1)
    assert token_of[id(alice)] != token_of[id(mallory)]
    # mallory's own (valid) token does not work in alice's browser
    assert alice.post("/compile", form={"csrf": token_of[id(mallory)], "year": "2023"})[0] == 400
    # a cookie tossed in from elsewhere with a matching unsigned value does not work either
    tossed = Browserish(port)
    tossed.cookies["wp_csrf"] = "a" * 32
    assert tossed.post("/compile", form={"csrf": "a" * 32, "year": "2023"})[0] == 400
    status, headers, _ = alice.post("/compile", form={"csrf": token_of[id(alice)], "year": "1992"},
                                    headers={"Origin": f"http://127.0.0.1:{port}"})
    assert status == 303 and "/compile/jobs/" in headers["Location"]


# --- 15: bodies over the limit ---------------------------------------------------------------------------
def _temp_files() -> set[str]:
    """The unnamed temporary files this process holds open (waitress buffers a big body in one,
    made by ``tempfile.TemporaryFile``)."""
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if re.search(r"/#\d+ \(deleted\)$", target):  # an unnamed file (O_TMPFILE), as TemporaryFile makes
            out.add(target)
    return out


def _send_big(port: int, declared: int, send: int) -> tuple[bytes, set[str]]:
    """POST a body declaring ``declared`` bytes: the server's first answer (within 2 s of the
    headers), and the temporary files that appeared while up to ``send`` bytes of the body were sent."""
    before = _temp_files()
    seen: set[str] = set()
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    reply = b""
    try:
        s.sendall(f"POST /compile.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {declared}\r\n\r\n".encode())
        try:
            reply = s.recv(4096)
        except socket.timeout:
            pass  # no answer yet: the server waits for the body
        chunk = b"[" * 65536
        try:
            for _ in range(send // len(chunk)):
                s.sendall(chunk)
                seen |= _temp_files() - before
        except OSError:
            pass  # the server closed the connection: it reads no more
        time.sleep(0.3)
        seen |= _temp_files() - before
    finally:
        s.close()
    return reply, seen


def test_an_oversized_body_is_refused_before_it_is_stored(site, web_archive):
    port, _ = site
    reply, temp = _send_big(port, declared=300 * 1024 * 1024, send=4 * 1024 * 1024)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert not temp, temp
    # the check above can see waitress's buffer file: with waitress's own default limit (1 GB)
    # the same request is buffered into one
    app = create_app(web_archive)
    with running(app, max_request_body_size=1024 ** 3) as other:
        _, temp = _send_big(other, declared=300 * 1024 * 1024, send=2 * 1024 * 1024)
    assert temp, "waitress buffered no file: the check cannot see one"


def test_a_declared_length_over_the_limit_is_413_before_authentication(web_archive):
    c = create_app(web_archive, token=TOKEN).test_client()
    r = c.post("/compile.json", data=b"{}", content_type="application/json",
               environ_overrides={"CONTENT_LENGTH": str(300 * 1024 * 1024)})
    assert r.status_code == 413


# --- 16: slow connections ------------------------------------------------------------------------------------
def _slow_then_ask(port: int, n: int, wait: float) -> int | None:
    """Open ``n`` connections that send half a request each, then ask for a page: its status, or
    None when no answer came within ``wait`` seconds."""
    slow = []
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(f"GET /search HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode())
            slow.append(s)
        time.sleep(0.5)
        ask = socket.create_connection(("127.0.0.1", port), timeout=wait)
        try:
            ask.sendall(f"GET /search.json?q=x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                        .encode())
            head = ask.recv(64)
            return int(head.split()[1]) if head else None
        except socket.timeout:
            return None
        finally:
            ask.close()
    finally:
        for s in slow:
            s.close()


def test_the_site_answers_while_200_slow_connections_are_open(site, web_archive):
    port, _ = site
    assert _slow_then_ask(port, 200, wait=15) == 200
    # with waitress's default connection limit (100) the same visitor gets no answer
    app = create_app(web_archive)
    with running(app, connection_limit=100) as other:
        assert _slow_then_ask(other, 200, wait=2) is None


# --- 18: sessions, throttles, caching, JSON, codes ---------------------------------------------------------
def _login(b: Browserish, token: str = TOKEN) -> int:
    html = b.get("/login")[2].decode()
    csrf = re.search(r'name="csrf" value="([0-9a-f]{32})"', html).group(1)
    return b.post("/login", form={"csrf": csrf, "token": token})[0]


def test_sessions_are_new_at_each_login_and_dead_after_logout(locked):
    port, _ = locked
    b = Browserish(port)
    assert _login(b) == 303
    first = b.cookies["wp_auth"]
    assert TOKEN not in first and b.get("/compile")[0] == 200
    assert _login(b) == 303
    second = b.cookies["wp_auth"]
    assert second != first
    stale = Browserish(port)
    stale.cookies["wp_auth"] = first
    assert stale.get("/compile")[0] == 303  # the replaced session is gone
    html = b.get("/compile")[2].decode()
    csrf = re.search(r'name="csrf" value="([0-9a-f]{32})"', html).group(1)
    assert b.post("/logout", form={"csrf": csrf})[0] == 303
    replay = Browserish(port)
    replay.cookies["wp_auth"] = second
    assert replay.get("/compile")[0] == 303 and replay.get("/search.json")[0] == 401


def test_session_cookie_flags(web_archive):
    for https, secure in ((False, False), (True, True)):
        c = create_app(web_archive, token=TOKEN, https=https).test_client()
        html = c.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf" value="([0-9a-f]{32})"', html).group(1)
        r = c.post("/login", data={"csrf": csrf, "token": TOKEN})
        cookie = next(v for v in r.headers.getlist("Set-Cookie") if v.startswith("wp_auth="))
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert ("Secure" in cookie) == secure, cookie
        assert ("Strict-Transport-Security" in r.headers) == https


def test_failed_logins_back_off(locked):
    port, app = locked
    guard = app.extensions["workplan"].guard
    guard.logins = Backoff(free=3, cap=1.0)
    b = Browserish(port)
    assert [_login(b, "wrong-token") for _ in range(3)] == [401, 401, 401]
    status = _login(b, "wrong-token")
    assert status == 429
    assert _login(b) == 429  # even the right token waits out the delay
    time.sleep(1.1)
    assert _login(b) == 303
    assert [_login(Browserish(port), "wrong-token") for _ in range(3)] == [401, 401, 401]  # forgotten on success


def test_fixity_checks_are_limited_per_client(site):
    port, app = site
    guard = app.extensions["workplan"].guard
    saved, guard.fixity = guard.fixity, RateLimit(count=3, per=60)
    try:
        b = Browserish(port)
        got = [b.post(f"/records/{W}/verify.json", js={})[0] for _ in range(5)]
        assert got == [200, 200, 200, 429, 429]
        status, headers, _ = b.post(f"/records/{W}/verify.json", js={})
        assert status == 429 and int(headers["Retry-After"]) >= 1
    finally:
        guard.fixity = saved


def test_pages_and_downloads_are_not_stored(site):
    port, _ = site
    b = Browserish(port)
    for url in ("/search?q=x", f"/records/{W}", f"/records/{W}/files/pdf:zh", f"/records/{W}/files/pdf:zh?inline=1",
                f"/records/{W}.json", "/compile"):
        status, headers, _ = b.get(url)
        assert status == 200 and headers["Cache-Control"] == "no-store", (url, headers["Cache-Control"])


@pytest.mark.parametrize("body", [b"[" * 10_000, b'{"a":' * 2500 + b"1" + b"}" * 2500, b'{"year": [[[[[[[[[2023]]]]]]]]]}',
                                  b"\xff\xfe{}", b'{"year": 2023', b"[2023]", b"null", b'"x"'])
def test_malformed_json_of_any_depth_is_400(site, body):
    port, _ = site
    status, _, data = Browserish(port).post("/compile.json", body=body, headers={"Content-Type": "application/json"})
    assert status == 400 and b"Traceback" not in data, (body[:20], status)


@pytest.mark.parametrize("suffix", ["%0A", "%0D%0A", "%0A.json", "%20", "%00"])
def test_codes_are_matched_in_full(site, suffix):
    port, _ = site
    b = Browserish(port)
    for url in (f"/records/{W}{suffix}", f"/records/{W}{suffix}/files/pdf:zh", f"/records/{W}/files/pdf:zh{suffix}"):
        status, _, data = b.get(url)
        assert status in (400, 404) and b"%PDF" not in data[:8], (url, status)


def test_serve_on_every_address_needs_the_names_people_use(web_archive):
    import subprocess
    import sys
    base = [sys.executable, "-m", "workplan.cli", "serve", "--archive", str(web_archive), "--token", TOKEN]
    r = subprocess.run(base + ["--host", "0.0.0.0"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "--allow-host" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(base + ["--allow-host", "http://x.example/"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "not a host name" in r.stderr and "Traceback" not in r.stderr
