"""`workplan serve`: the web site over the archive (search, read, verify, download, compile)."""
from __future__ import annotations

import ipaddress
import signal
import sys
from typing import Any

import click

from ..errors import Problem, WorkplanError
from .options import archive_option, archive_root


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1 or localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


WILDCARDS = ("0.0.0.0", "::", "[::]", "")


def _allowed_hosts(host: str, names: tuple[str, ...]) -> list[str]:
    """The host names the site answers to besides the loopback names: the address it listens on
    (when it is one address) and the --allow-host names."""
    out = [n.strip() for n in names if n.strip()]
    bad = [n for n in out if any(c in n for c in "/:@ ") and not n.startswith("[")]
    if bad:
        raise click.BadParameter(f"{bad[0]!r} is not a host name (give the name without a scheme or port)",
                                 param_hint="--allow-host")
    if host.strip() in WILDCARDS:
        if not out:
            raise WorkplanError(Problem(f"listening on every address ({host}) needs the names people use to "
                                        f"reach the site",
                                        hint="add --allow-host NAME (e.g. --allow-host archive.office.lan "
                                             "--allow-host 192.168.1.20): requests naming any other host are "
                                             "refused, so other web pages cannot reach the archive"))
    elif host.strip().lower().strip("[]") not in ("127.0.0.1", "localhost", "::1"):
        out.append(host.strip())
    return out


@click.command("serve")
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs accounts or --token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--token", envvar="WORKPLAN_TOKEN", metavar="TOKEN",
              help="Single-user mode (an archive without accounts): require this one shared access token on every "
                   "request (header `Authorization: Bearer TOKEN`, or the login form). Default: $WORKPLAN_TOKEN.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="A host name (or address) people use to reach the site, e.g. archive.example.org; "
                   "repeatable. The loopback names are always allowed; any other Host is refused.")
@click.option("--https", is_flag=True,
              help="The site is reached over HTTPS (through a proxy in front): cookies are marked Secure.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Threads in each worker process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Worker processes sharing the port (one per core is a good start: one Python process runs on "
                   "one core at a time). They share the signed-in sessions and the volumes being made; each keeps "
                   "its own count of wrong passwords and fixity checks.")
@click.option("--timezone", metavar="ZONE", help="Show times in this time zone (e.g. Asia/Shanghai). Default: the "
                                                 "server's.")
@click.option("--catalogue", metavar="postgresql://…",
              help="A PostgreSQL archive: read its catalogue and log from this server instead of the one archive.json "
                   "names, e.g. a streaming standby (the site then only reads: a fixity check is refused).")
def serve_cmd(archive_path, host, port, token, allow_hosts, https, threads, workers, timezone, catalogue) -> None:
    """Serve the archive as a web site for auditors and reviewers.

    Search (with filters and facet counts), read a record (metadata, versions, files with
    SHA-256, audit trail, PDF preview), run a fixity check, download files, add new versions,
    dispose of records whose retention has ended and compile annual
    volumes in the browser, in Chinese (default) or English. Every page has a JSON twin
    (/search.json, /records/CODE.json, /compile.json) returning what the CLI's --json prints.
    The site changes the archive only through its forms, as the signed-in person: a fixity
    check appends its event; a new version (a clerk uploads the changed data file) and a
    disposal (an archivist) each need a reason and go through the same core as the CLI.

    \b
    Examples:
      workplan serve --archive archive                 # http://127.0.0.1:8000/
      workplan serve --port 8080 --workers 2
      WORKPLAN_TOKEN=s3cret workplan serve --host 0.0.0.0 --allow-host archive.office.lan

    Stop it with Ctrl-C.
    """
    from ..archive import open_archive
    from .options import _INDEX_META, index_root
    ctx = click.get_current_context()
    options = {"index_dir": index_root(ctx.meta.get(_INDEX_META)), "catalogue": catalogue}
    arc = open_archive(archive_root(archive_path), **options)
    try:
        accounts = arc.accounts.required()
    except WorkplanError:
        arc.close()
        raise
    if accounts and token:
        click.echo("note: this archive has accounts: people sign in with their own, and --token (for "
                   "single-user mode) is not used", err=True)
        token = None
    if not is_loopback(host) and not token and not accounts:
        arc.close()
        raise WorkplanError(Problem(f"refusing to listen on {host} without an access token (single-user mode)",
                                    hint="add accounts (`workplan user add --help`): people then sign in with "
                                         "their own; or pass --token TOKEN (or set WORKPLAN_TOKEN): every request "
                                         "must then carry it; or keep the default --host 127.0.0.1"))
    allowed = _allowed_hosts(host, allow_hosts)
    if token is not None and len(token) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--token")
    import waitress

    from ..search import open_index
    from ..web import create_app
    from ..web.security import WAITRESS
    try:  # bring an index of an older schema up to date now, not in the first request
        open_index(arc, notify=lambda m: click.echo(m, err=True)).close()
    except WorkplanError as e:
        click.echo(f"warning: search is unavailable until the index is built: {e.problems[0].message}\n"
                   f"    hint: {e.problems[0].hint or 'run `workplan search reindex`'}", err=True)
    root = arc.root
    arc.close()
    site_options = {"token": token, "allow_hosts": allowed, "https": https, "timezone": timezone,
                    "open_options": options}
    if workers > 1:
        _serve_workers(root, host, port, workers, threads, site_options)
        return
    app = create_app(root, **site_options)
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, **WAITRESS)
    except OSError as e:
        raise _cannot_listen(host, port, e) from None
    app.extensions["workplan"].guard.hosts.port = int(server.effective_port)  # loopback names on this port only
    _say_serving(root, host, int(server.effective_port))
    _stop_on_signals()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.config["WP_JOBS"].close()
    click.echo("stopped", err=True)


def _cannot_listen(host: str, port: int, e: OSError) -> WorkplanError:
    return WorkplanError(Problem(f"cannot listen on {host}:{port}: {e.strerror or e}",
                                 hint="choose another --port, or stop what is using it"))


def _say_serving(root, host: str, port: int, workers: int = 1) -> None:
    shown = f"[{host}]" if ":" in host else host
    more = f", {workers} worker processes" if workers > 1 else ""
    click.echo(f"serving {root} at http://{shown}:{port}/  (Ctrl-C to stop{more})")
    sys.stdout.flush()


def _stop_on_signals() -> None:
    def _stop(_sig, _frame):
        raise KeyboardInterrupt
    # Ctrl-C and SIGTERM stop the server, also when the parent started us with SIGINT ignored
    # (then Python itself would leave it ignored)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def _serve_workers(root, host: str, port: int, workers: int, threads: int, site_options: dict) -> None:
    """``workers`` processes, each a site with ``threads`` threads accepting on one shared socket;
    they share a folder (sessions, volumes) and the forms' secret. Started fresh (spawned, not
    forked: a fork of a process with native threads can deadlock). Stopping this process stops
    them; one that dies stops the rest (the service manager restarts the whole)."""
    import multiprocessing
    import os
    import secrets
    import shutil
    import socket
    import tempfile
    from pathlib import Path
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host.strip("[]"), port), family=family, backlog=1024)
    except OSError as e:
        raise _cannot_listen(host, port, e) from None
    port = sock.getsockname()[1]
    shared = Path(tempfile.mkdtemp(prefix="workplan-web-"))
    options = site_options | {"secret_key": secrets.token_bytes(32), "shared_dir": shared}
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(sock, root, port, threads, options, os.getpid()), daemon=True)
             for _ in range(workers)]
    try:
        for proc in procs:
            proc.start()
        _say_serving(root, host, port, workers)
        _stop_on_signals()
        try:
            from multiprocessing.connection import wait
            wait([proc.sentinel for proc in procs])  # until one worker ends (or a signal stops us)
        except KeyboardInterrupt:
            pass
    finally:
        for proc in procs:
            if proc.pid is not None and proc.exitcode is None:
                proc.terminate()
        for proc in procs:
            if proc.pid is not None:
                proc.join(timeout=30)
        sock.close()
        shutil.rmtree(shared, ignore_errors=True)
    click.echo("stopped", err=True)


def _worker(sock, root, port: int, threads: int, site_options: dict, parent: int) -> None:
    """One worker process of ``serve --workers``: its own site over the shared socket."""
    _exit_with_parent(parent)
    sys.exit(_run_worker(sock, root, port, threads, site_options))


def _exit_with_parent(parent: int) -> None:
    """Stop this worker (as SIGTERM does) when ``parent``, the process that started it, is gone,
    even killed outright (also before this worker got going): no orphan goes on serving the port."""
    import os
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _run_worker(sock, root, port: int, threads: int, site_options: dict) -> int:
    import waitress

    from ..web import create_app
    from ..web.security import WAITRESS
    _stop_on_signals()
    app: Any = None
    try:
        app = create_app(root, port=port, **site_options)
        server = waitress.create_server(app, sockets=[sock], threads=threads, **WAITRESS)
        try:
            server.run()
        finally:
            server.close()
    except KeyboardInterrupt:
        return 0
    except Exception:  # noqa: BLE001 - reported, and the parent stops the others
        import traceback
        traceback.print_exc()
        return 1
    finally:
        if app is not None:
            app.config["WP_JOBS"].close()
    return 0
