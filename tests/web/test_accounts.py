"""People and roles: accounts on the command line (`workplan user`, `--user`), every event naming
a person, reasons for new versions and disposals, and the site signing four people in, each
allowed exactly what the role allows (403 with a clear page otherwise, for JSON twins and
downloads too)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from .conftest import CORPUS, WINTER, Browserish, needs_chromium, running

PASSWORDS = {"admin": "admin-pass-0001", "clara": "clerk-pass-0002", "arno": "archivist-pass-3",
             "audrey": "auditor-pass-0004"}
ROLES = {"admin": "administrator", "clara": "clerk", "arno": "archivist", "audrey": "auditor"}


class Ran:
    def __init__(self, exit_code: int, output: str) -> None:
        self.exit_code, self.output = exit_code, output


def run(*args: str, input: str | None = None, env: dict | None = None) -> Ran:
    """`workplan ARGS` in-process, as `main` ends it: a WorkplanError is its message and exit 1."""
    from workplan.cli import cli as group
    from workplan.errors import WorkplanError
    res = CliRunner().invoke(group, list(args), input=input, env={"WORKPLAN_USER": None, **(env or {})})
    if isinstance(res.exception, WorkplanError):
        return Ran(1, res.output + res.exception.format())
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return Ran(res.exit_code, res.output)


def events(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "events.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def people_archive(web_archive, tmp_path_factory) -> Path:
    """The shared archive with four accounts, one per role (made with `workplan user add`)."""
    root = tmp_path_factory.mktemp("people") / "archive"
    shutil.copytree(web_archive, root, symlinks=True)
    pw = root.parent / "pw"
    for name in PASSWORDS:
        pw.write_text(PASSWORDS[name] + "\n", encoding="utf-8")
        r = run("--user", "admin", "user", "add", name, "--role", ROLES[name], "--archive", str(root),
                "--password-file", str(pw))
        assert r.exit_code == 0, r.output
    pw.unlink()
    return root


# --- the command line ----------------------------------------------------------------------------------------
def test_user_commands_roles_and_events(archive_copy, tmp_path):
    a = ["--archive", str(archive_copy)]
    pw = tmp_path / "pw"
    pw.write_text("correct horse battery\n", encoding="utf-8")
    # the first account must be an administrator; a password is never an argument
    r = run("user", "add", "wang", "--role", "clerk", *a, "--password-file", str(pw))
    assert r.exit_code == 1 and "first account must be an administrator" in r.output
    r = run("user", "add", "boss", "--role", "administrator", *a, "--password", "x")
    assert r.exit_code == 2 and "No such option" in r.output
    r = run("user", "add", "boss", "--role", "administrator", *a, input="short\nshort\n")
    assert r.exit_code == 1 and "too short" in r.output
    r = run("user", "add", "boss", "--role", "administrator", *a, input="a long passphrase\na long passphrase\n")
    assert r.exit_code == 0, r.output
    # from now on the archive requires accounts
    r = run("user", "add", "wang", "--role", "clerk", *a, "--password-file", str(pw))
    assert r.exit_code == 1 and "requires accounts" in r.output and "--user" in r.output
    r = run("--user", "boss", "user", "add", "wang", "--role", "clerk", *a, "--password-file", str(pw))
    assert r.exit_code == 0, r.output
    r = run("--user", "wang", "user", "set-role", "wang", "archivist", *a)
    assert r.exit_code == 1 and "wang (clerk) may not manage accounts" in r.output
    r = run("user", "set-role", "wang", "auditor", *a, env={"WORKPLAN_USER": "boss"})
    assert r.exit_code == 0 and "wang is now auditor" in r.output
    r = run("--user", "boss", "user", "disable", "boss", *a)
    assert r.exit_code == 1 and "only enabled administrator" in r.output
    r = run("user", "list", "--json", *a)
    listed = {u["name"]: u for u in json.loads(r.output)}
    assert listed["wang"]["role"] == "auditor" and "password" not in r.output
    # a role allows exactly its actions: an auditor verifies, but does not add
    r = run("archive", "--user", "wang", "verify", *a)
    assert r.exit_code == 0, r.output
    r = run("archive", "--user", "wang", "add", str(CORPUS / "six-peace-standards.yaml"), "--format", "none", *a)
    assert r.exit_code == 1 and "may not add records" in r.output and "clerk or archivist" in r.output
    r = run("--user", "boss", "user", "disable", "wang", *a)
    assert r.exit_code == 0
    r = run("archive", "--user", "wang", "verify", *a)
    assert r.exit_code == 1 and "disabled" in r.output
    r = run("archive", "--user", "nobody", "verify", *a)
    assert r.exit_code == 1 and "no account named 'nobody'" in r.output
    # every change is an event naming the person (and the OS user beside them); no hash in the log
    evs = events(archive_copy)
    kinds = [(e["type"], e["detail"].get("account")) for e in evs if e["type"].startswith("account")]
    assert kinds == [("account-added", "boss"), ("account-added", "wang"), ("account-role", "wang"),
                     ("account-disabled", "wang")]
    role_ev = next(e for e in evs if e["type"] == "account-role")
    assert role_ev["detail"] == {"account": "wang", "role": "auditor", "was": "clerk"}
    assert re.fullmatch(r"boss \(workplan/\S+ \S+@\S+\)", role_ev["agent"])
    verify_ev = [e for e in evs if e["type"] == "fixity-check"][-1]
    assert verify_ev["agent"].startswith("wang (workplan/")
    assert "argon2" not in (archive_copy / "events.jsonl").read_text(encoding="utf-8")
    import sqlite3
    db = sqlite3.connect(archive_copy / "catalogue.sqlite")
    (stored,) = db.execute("SELECT password FROM accounts WHERE name = 'wang'").fetchone()
    db.close()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    # the accounts survive a rebuild of the catalogue (they are not in the bags)
    r = run("archive", "--user", "boss", "rebuild-catalogue", *a)
    assert r.exit_code == 1 and "may not repair" in r.output
    r = run("--user", "boss", "user", "set-role", "wang", "archivist", *a)
    r = run("--user", "boss", "user", "enable", "wang", *a)
    r = run("archive", "--user", "wang", "rebuild-catalogue", *a)
    assert r.exit_code == 0, r.output
    assert {u["name"] for u in json.loads(run("user", "list", "--json", *a).output)} == {"boss", "wang"}


def test_new_versions_and_disposals_need_a_reason(archive_copy, tmp_path):
    a = ["--archive", str(archive_copy)]
    v3 = tmp_path / "winter-v3.yaml"
    text = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    v3.write_text(text.replace("  zh: 青松社区2023年冬季防火工作方案\n", "  zh: 青松社区2023年冬季防火工作方案（第三稿）\n", 1),
                  encoding="utf-8")
    before = sorted(p.name for p in (archive_copy / "bags" / WINTER).iterdir())
    r = run("archive", "add", str(v3), "--format", "none", *a)
    assert r.exit_code == 1 and "a new version needs a reason" in r.output and "--reason" in r.output
    assert sorted(p.name for p in (archive_copy / "bags" / WINTER).iterdir()) == before
    r = run("archive", "--user", "li.clerk", "add", str(v3), "--format", "none", "--reason", "第三稿：修改截止日期", *a)
    assert r.exit_code == 0, r.output
    ev = events(archive_copy)[-1]
    assert ev["type"] == "new-version" and ev["detail"]["reason"] == "第三稿：修改截止日期"
    assert ev["agent"].startswith("li.clerk (workplan/")  # no accounts: the name is recorded as given
    # the JSON twin of the record page (= archive show --json) names who and why
    shown = json.loads(run("archive", "show", WINTER, "--json", *a).output)
    last = shown["events"][-1]
    assert last["person"] == "li.clerk" and last["reason"] == "第三稿：修改截止日期"
    from workplan.archive import open_archive
    from workplan.errors import WorkplanError
    import datetime as dt
    with open_archive(archive_copy) as arc:
        with pytest.raises(WorkplanError, match="a disposal needs a reason"):
            arc.dispose(WINTER, today=dt.date(2100, 1, 1))
        assert arc.get(WINTER).status == "active"


# --- the site ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def people_site(people_archive, tmp_path_factory):
    from workplan.web import create_app
    app = create_app(people_archive, workdir=tmp_path_factory.mktemp("jobs"), timezone="Asia/Shanghai")
    try:
        with running(app) as port:
            yield port, app
    finally:
        app.config["WP_JOBS"].close()


def sign_in(port: int, name: str, password: str | None = None) -> tuple[Browserish, int]:
    b = Browserish(port)
    html = b.get("/login")[2].decode()
    csrf = re.search(r'name="csrf" value="([0-9a-f]{32})"', html).group(1)
    status = b.post("/login", form={"csrf": csrf, "name": name, "password": password or PASSWORDS[name]})[0]
    return b, status


def csrf_from(b: Browserish, url: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]{32})"', b.get(url)[2].decode()).group(1)


RECORD = "/records/" + quote(WINTER)
FILE = RECORD + "/files/pdf:zh"
# (what, method, url) → the roles that may
MATRIX = [
    ("search", "GET", "/search?q=" + quote("消防"), set(ROLES.values())),
    ("search twin", "GET", "/search.json?q=" + quote("消防"), set(ROLES.values())),
    ("record", "GET", RECORD, set(ROLES.values())),
    ("record twin", "GET", RECORD + ".json", set(ROLES.values())),
    ("download", "GET", FILE, {"auditor", "archivist"}),
    ("old version download", "GET", FILE + "?version=1", {"auditor", "archivist"}),
    ("verify twin", "POST", RECORD + "/verify.json", {"auditor", "archivist"}),
    ("compile", "GET", "/compile", {"archivist"}),
    ("compile twin", "GET", "/compile.json", {"archivist"}),
]


def test_four_people_each_do_exactly_what_their_role_allows(people_site, people_archive):
    port, app = people_site
    app.extensions["workplan"].guard.fixity.count = 1000
    for name, role in ROLES.items():
        b, status = sign_in(port, name)
        assert status == 303, name
        page = b.get("/search")[2].decode()
        assert f'id="signed-in">{name}' in page
        for what, method, url, allowed in MATRIX:
            kw = {"js": {}} if method == "POST" else {}
            status, headers, body = b.request(method, url, **kw)
            if role in allowed:
                assert status == 200, (name, what, status, body[:300])
            else:
                assert status == 403, (name, what, status)
                text = body.decode()
                if url.endswith(".json") or ".json?" in url:
                    err = json.loads(text)["error"]
                    assert err["status"] == 403 and name in err["message"] and "档案员" in err["message"]
                else:
                    assert "无权" in text and name in text and "请联系管理员" in text, text[:500]
        # what the role may not do is not offered on its pages
        record = b.get(RECORD)[2].decode()
        assert ('id="fixity-button"' in record) == (role in {"auditor", "archivist"})
        assert ('class="download"' in record) == (role in {"auditor", "archivist"})
    # the sign-ins are events naming each person
    signins = [e for e in events(people_archive) if e["type"] == "sign-in"]
    assert {e["detail"]["account"] for e in signins} >= set(ROLES)
    assert all(e["agent"].startswith(e["detail"]["account"] + " (workplan/") for e in signins)
    checks = [e for e in events(people_archive) if e["type"] == "fixity-check" and e["object"] == WINTER]
    assert {e["agent"].split(" ")[0] for e in checks[-2:]} == {"audrey", "arno"}


def test_a_role_change_or_a_disabled_account_takes_effect_at_once(people_site, people_archive):
    port, _ = people_site
    b, _ = sign_in(port, "clara")
    assert b.get(FILE)[0] == 403
    from workplan.archive import open_archive
    with open_archive(people_archive) as arc:
        arc.act_as("admin").accounts.set_role("clara", "auditor")
    assert b.get(FILE)[0] == 200
    with open_archive(people_archive) as arc:
        arc.act_as("admin").accounts.set_role("clara", "clerk")
        arc.accounts.disable("clara")
    assert b.get("/search.json")[0] == 401 and b.get("/search")[0] == 303
    assert sign_in(port, "clara")[1] == 401  # a disabled account cannot sign in
    with open_archive(people_archive) as arc:
        arc.act_as("admin").accounts.enable("clara")


def test_twenty_wrong_passwords_do_not_get_in_and_slow_the_next(people_site, people_archive):
    port, app = people_site
    guard = app.extensions["workplan"].guard
    guard.logins = type(guard.logins)()  # a fresh start (other tests failed from this client)
    n_before = len(events(people_archive))
    statuses = [sign_in(port, "audrey", f"guess-{i:04d}-wrong")[1] for i in range(20)]
    assert set(statuses) <= {401, 429} and statuses[:3] == [401, 401, 401] and statuses[-1] == 429
    b, status = sign_in(port, "audrey")  # the right password now waits out the delay
    assert status == 429 and "wp_auth" not in b.cookies
    failed = [e for e in events(people_archive)[n_before:] if e["type"] == "sign-in-failed"]
    assert len(failed) == 3 and all(e["outcome"] == "failure" and e["detail"]["account"] == "audrey"
                                    for e in failed)
    # the delay grows per account too: another computer cannot go on guessing this account's password
    assert guard.logins.wait("account:audrey") > 0
    guard.logins = type(guard.logins)()  # forget, for the other tests


def test_the_record_page_says_who_when_what_and_why(people_site, people_archive):
    port, _ = people_site
    b, _ = sign_in(port, "audrey")
    html = b.get(RECORD + "?ui=en&events=all")[2].decode()
    rows = re.findall(r"<tr><td class=\"num\">\d+</td>(.*?)</tr>", html, re.S)
    new_version = next(r for r in rows if "new version" in r)
    assert "the title was corrected" in new_version  # why
    assert re.search(r'<td class="agent person" title="[^"]+">\S+</td>', new_version)  # who
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', new_version)
    iso, shown = times[0]
    import datetime as dt
    from zoneinfo import ZoneInfo
    want = dt.datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S")
    assert shown == want and "." not in shown  # the configured time zone, to the second


# --- in a real browser ----------------------------------------------------------------------------------------------
@pytest.mark.slow
@needs_chromium
def test_four_people_in_chromium(people_site, tmp_path, browser):
    """Each of four people signs in with the form, sees who they are, and meets a clear 403 page
    where their role stops them; the clerk cannot fetch a file by its URL either; sign-out ends it."""
    port, app = people_site
    app.extensions["workplan"].guard.logins = type(app.extensions["workplan"].guard.logins)()
    base = f"http://127.0.0.1:{port}"
    refused = {"clara": FILE, "audrey": "/compile", "admin": FILE, "arno": None}
    for name, url in refused.items():
        ctx = browser.new_context(viewport={"width": 1100, "height": 800})
        page = ctx.new_page()
        page.goto(base + "/search?ui=en")
        assert "/login" in page.url  # sent to sign in first
        page.fill("#name", name)
        page.fill("#password", PASSWORDS[name])
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/search" in page.url
        assert page.inner_text("#signed-in") == f"{name} ({ROLES[name]})"
        # the compile link only for whom may compile
        assert (page.locator("nav a[href='/compile']").count() == 1) == (ROLES[name] == "archivist")
        if url is not None:
            resp = page.goto(base + url)
            assert resp.status == 403
            text = page.inner_text("main")
            assert f"{name} ({ROLES[name]}) may not" in text and "Ask an administrator" in text
            page.screenshot(path=str(tmp_path / f"403-{name}.png"))
        else:  # the archivist may compile
            resp = page.goto(base + "/compile")
            assert resp.status == 200
        page.goto(base + "/search")
        page.click("text=Sign out")
        page.wait_for_load_state()
        assert "/login" in page.url
        assert page.goto(base + "/search.json").status == 401
        ctx.close()


def test_serve_with_two_worker_processes_shares_sign_ins_forms_and_sign_outs(people_archive):
    """`serve --workers 2`: two processes accept on one port; a session opened by one is known to
    the other, a form token made by one is accepted by the other, a sign-out ends the session in
    both, and stopping the parent stops the workers."""
    import signal
    import subprocess
    import sys
    p = subprocess.Popen([sys.executable, "-m", "workplan.cli", "serve", "--archive", str(people_archive), "--port", "0",
                          "--workers", "2", "--threads", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/.*2 worker processes", line)
        assert m, line + p.stderr.read()
        port = int(m.group(1))
        ps = subprocess.run(["ps", "--ppid", str(p.pid), "-ww", "-o", "pid=,args="], capture_output=True, text=True).stdout
        kids = [line.split()[0] for line in ps.splitlines() if "multiprocessing.spawn" in line]
        assert len(kids) == 2, ps
        b, status = sign_in(port, "arno")  # the form from one request, the POST in another: either process
        assert status == 303 and "wp_auth" in b.cookies
        assert {b.get("/search.json?q=" + quote("消防"))[0] for _ in range(12)} == {200}
        for _ in range(4):  # a form token of one process is good in the other
            csrf = csrf_from(b, RECORD)
            assert b.post(RECORD + "/verify", form={"csrf": csrf}, headers={"Origin": f"http://127.0.0.1:{port}"})[0] == 303
        assert b.post("/logout", form={"csrf": csrf_from(b, "/search")})[0] == 303
        old = b.cookies.get("wp_auth")
        b.cookies["wp_auth"] = old or "gone"
        assert {b.get("/search.json")[0] for _ in range(8)} == {401}
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0 and "stopped" in err and "Traceback" not in err, err
        gone = subprocess.run(["ps", "-o", "pid=", "-p", ",".join(kids)], capture_output=True, text=True).stdout
        assert gone.strip() == ""
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_the_workers_of_a_killed_server_stop_too(people_archive):
    """A `serve --workers` parent killed outright (SIGKILL: no chance to stop its workers) leaves
    no worker serving the port: each notices and stops within seconds."""
    import subprocess
    import sys
    import time
    p = subprocess.Popen([sys.executable, "-m", "workplan.cli", "serve", "--archive", str(people_archive), "--port", "0",
                          "--workers", "2", "--threads", "1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
    try:
        assert "2 worker processes" in p.stdout.readline()
        ps = subprocess.run(["ps", "--ppid", str(p.pid), "-ww", "-o", "pid=,args="], capture_output=True,
                            text=True).stdout
        kids = [line.split()[0] for line in ps.splitlines() if "multiprocessing.spawn" in line]
        assert len(kids) == 2, ps
    finally:
        p.kill()
        p.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        alive = subprocess.run(["ps", "-o", "pid=", "-p", ",".join(kids)], capture_output=True, text=True).stdout
        if not alive.strip():
            break
        time.sleep(0.3)
    assert not alive.strip(), f"workers still running: {alive.split()}"


# --- changing the archive from the site: a new version and a disposal, each with a reason ----------------------
OLD_NOTICE = {"title": "关于做好2010年春季防火工作的通知", "date": "2010-03-01"}


def _new_version_text(title: str) -> str:
    text = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    return text.replace("  zh: 青松社区2023年冬季防火工作方案\n", f"  zh: {title}\n", 1)


@pytest.fixture(scope="module")
def change_site(people_archive, tmp_path_factory):
    """A copy of the four people's archive with a record whose retention ended (D10 from 2010),
    served: (port, app, root, the old record's code)."""
    from workplan.web import create_app
    root = tmp_path_factory.mktemp("changes") / "archive"
    shutil.copytree(people_archive, root, symlinks=True)
    scan = root.parent / "notice.txt"
    scan.write_text("关于做好2010年春季防火工作的通知（正文）\n", encoding="utf-8")
    r = run("archive", "--user", "arno", "add", str(scan), "--title", OLD_NOTICE["title"], "--issuer", "青松社区居委会",
            "--org", "QSSQ", "--date", OLD_NOTICE["date"], "--retention", "D10", "--doc-number", "青社发〔2010〕3号",
            "--archive", str(root))
    assert r.exit_code == 0, r.output
    old = r.output.strip().splitlines()[-1]
    app = create_app(root, workdir=tmp_path_factory.mktemp("jobs"))
    try:
        with running(app) as port:
            yield port, app, root, old
    finally:
        app.config["WP_JOBS"].close()


def test_changes_need_the_role_the_reason_and_the_same_document(change_site):
    port, _, root, old = change_site
    versions, disposal = RECORD + "/versions.json", f"/records/{quote(old)}/disposal.json"
    upload = {"file_name": "winter.yaml", "content": _new_version_text("青松社区2023年冬季防火工作方案（第三稿）"),
              "reason": "第三稿：调整了检查时间"}
    # who may not: a clear 403, on the forms, the posts and their JSON twins
    for name, allowed in (("audrey", set()), ("clara", {"version"}), ("admin", set())):
        b, _ = sign_in(port, name)
        for action, url, post in (("version", RECORD + "/versions/new", versions),
                                  ("dispose", f"/records/{quote(old)}/dispose", disposal)):
            if action in allowed:
                assert b.get(url)[0] == 200, (name, url)
                continue
            status, _, body = b.get(url)
            assert status == 403 and "无权" in body.decode() and name in body.decode(), (name, url, status)
            status, _, body = b.post(post, js=upload | {"confirm": True})
            assert status == 403 and json.loads(body)["error"]["status"] == 403, (name, post)
        page = b.get(RECORD)[2].decode()
        assert ('id="version-link"' in page) == ("version" in allowed) and 'id="dispose-link"' not in page
    b, _ = sign_in(port, "clara")
    # no reason, another document, a form without its token: refused, nothing written
    n = len(events(root))
    status, _, body = b.post(versions, js=upload | {"reason": "  "})
    assert status == 400 and "原因" in json.loads(body)["error"]["message"]
    other = upload | {"content": (CORPUS / "six-peace-standards.yaml").read_text(encoding="utf-8")}
    status, _, body = b.post(versions, js=other)
    assert status == 400 and f"不是 {WINTER} 的新版本" in json.loads(body)["error"]["message"]
    assert b.post(RECORD + "/versions", form={"reason": "x"})[0] == 400  # no form token
    assert len(events(root)) == n
    # the clerk's new version: an event naming her and the reason; the search finds the new title
    status, _, body = b.post(versions, js=upload)
    assert status == 201 and json.loads(body)["version"] == 3, body[:300]
    ev = events(root)[-1]
    assert ev["type"] == "new-version" and ev["detail"]["reason"] == "第三稿：调整了检查时间"
    assert ev["agent"].startswith("clara (workplan/")
    hits = json.loads(b.get("/search.json?q=" + quote("第三稿"))[2])["results"]
    assert [(h["code"], h["version"]) for h in hits] == [(WINTER, 3)]
    # the archivist: a record still within its retention is not disposed of; no confirmation, no disposal
    a, _ = sign_in(port, "arno")
    status, _, body = a.post(RECORD + "/disposal.json", js={"reason": "到期", "confirm": True})
    assert status == 409 and "2053" in json.loads(body)["error"]["message"]
    assert a.post(disposal, js={"reason": "到期鉴定"})[0] == 400
    assert "id=\"not-disposable\"" in a.get(RECORD + "/dispose")[2].decode()
    assert not [e for e in events(root) if e["type"] == "disposal"]


@pytest.mark.slow
@needs_chromium
def test_a_clerk_adds_a_version_and_an_archivist_disposes_in_chromium(change_site, tmp_path, browser):
    """The forms as people use them: the clerk uploads the changed data file with a reason (in
    English), the archivist disposes of an expired record with a reason and a confirmation (in
    Chinese); each lands on the record page with the result announced and the audit trail naming
    them and why. The forms fit a 320 px phone."""
    port, app, root, old = change_site
    app.extensions["workplan"].guard.logins = type(app.extensions["workplan"].guard.logins)()
    base = f"http://127.0.0.1:{port}"
    shots = Path(__import__("os").environ.get("WP_SHOTS", str(tmp_path)))

    def person(name: str, width: int = 1280):
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        page = ctx.new_page()
        page.goto(base + "/login")
        page.fill("#name", name)
        page.fill("#password", PASSWORDS[name])
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return ctx, page

    def no_sideways_scroll(page) -> None:
        page.set_viewport_size({"width": 320, "height": 700})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320

    ctx, page = person("clara")
    page.goto(base + RECORD + "?ui=en")
    page.click("#version-link")
    assert page.inner_text("h1") == "Add a new version"
    data = tmp_path / "winter-fire-safety.yaml"
    data.write_text(_new_version_text("青松社区2023年冬季防火工作方案（第四稿）"), encoding="utf-8")
    page.set_input_files("#file", str(data))
    page.fill("#reason", "fourth draft: the inspection moved to December")
    page.screenshot(path=str(shots / "version-form-1280.png"), full_page=True)
    page.click("#change-button")
    page.wait_for_load_state()
    assert page.inner_text("#changed").endswith("was added.")
    assert page.evaluate("document.activeElement.id") == "changed"  # the result is announced and focused
    row = page.locator("table.events tbody tr").first.inner_text()
    assert "clara" in row and "fourth draft: the inspection moved to December" in row and "new version" in row
    page.goto(base + RECORD + "/versions/new")
    no_sideways_scroll(page)
    page.screenshot(path=str(shots / "version-form-320.png"), full_page=True)
    ctx.close()

    ctx, page = person("arno", 375)
    page.goto(base + f"/records/{quote(old)}?ui=zh")
    page.click("#dispose-link")
    assert page.inner_text("h1") == "销毁档案" and "2020-03-01" in page.inner_text("#expiry")
    page.fill("#reason", "保管期限届满，经鉴定小组2025年第2次会议决定销毁")
    page.click("#change-button")  # the box is not ticked: the browser does not send the form
    assert "/dispose" in page.url
    page.check("#confirm")
    page.screenshot(path=str(shots / "dispose-form-375.png"), full_page=True)
    no_sideways_scroll(page)
    page.click("#change-button")
    page.wait_for_load_state()
    assert page.inner_text("#changed") == "✔ 已销毁。"
    assert page.locator("#change-links").count() == 0  # a disposed record offers no more changes
    row = page.locator("table.events tbody tr").first.inner_text()
    assert "arno" in row and "销毁" in row and "第2次会议" in row
    no_sideways_scroll(page)
    ctx.close()
    ev = events(root)[-1]
    assert ev["type"] == "disposal" and ev["agent"].startswith("arno (") and "第2次会议" in ev["detail"]["reason"]
