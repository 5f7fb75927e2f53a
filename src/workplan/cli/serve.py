"""`workplan serve`: the web site over the archive (search, read, verify, download, compile)."""
from __future__ import annotations

import ipaddress
import signal
import sys

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


@click.command("serve")
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--token", envvar="WORKPLAN_TOKEN", metavar="TOKEN",
              help="Require this access token on every request (header `Authorization: Bearer TOKEN`, or the "
                   "login form). Default: $WORKPLAN_TOKEN.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def serve_cmd(archive_path, host, port, token, threads) -> None:
    """Serve the archive as a web site for auditors and reviewers.

    Search (with filters and facet counts), read a record (metadata, versions, files with
    SHA-256, audit trail, PDF preview), run a fixity check, download files and compile annual
    volumes in the browser, in Chinese (default) or English. Every page has a JSON twin
    (/search.json, /records/CODE.json, /compile.json) returning what the CLI's --json prints.
    The site never changes the archive; a fixity check only appends its event to the log.

    \b
    Examples:
      workplan serve --archive archive                 # http://127.0.0.1:8000/
      workplan serve --port 8080
      WORKPLAN_TOKEN=s3cret workplan serve --host 0.0.0.0   # on the office network

    Stop it with Ctrl-C.
    """
    if not is_loopback(host) and not token:
        raise WorkplanError(Problem(f"refusing to listen on {host} without an access token",
                                    hint="pass --token TOKEN (or set WORKPLAN_TOKEN): every request must then "
                                         "carry it; or keep the default --host 127.0.0.1"))
    if token is not None and len(token) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--token")
    import waitress

    from ..archive import open_archive
    from ..search import open_index
    from ..web import create_app
    arc = open_archive(archive_root(archive_path))
    try:  # bring an index of an older schema up to date now, not in the first request
        open_index(arc, notify=lambda m: click.echo(m, err=True)).close()
    except WorkplanError as e:
        click.echo(f"warning: search is unavailable until the index is built: {e.problems[0].message}\n"
                   f"    hint: {e.problems[0].hint or 'run `workplan search reindex`'}", err=True)
    root = arc.root
    arc.close()
    app = create_app(root, token=token)
    try:
        server = waitress.create_server(app, host=host, port=port, threads=threads, ident="workplan",
                                        clear_untrusted_proxy_headers=True)
    except OSError as e:
        raise WorkplanError(Problem(f"cannot listen on {host}:{port}: {e.strerror or e}",
                                    hint="choose another --port, or stop what is using it")) from None
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {root} at http://{shown}:{server.effective_port}/  (Ctrl-C to stop)")
    sys.stdout.flush()

    def _stop(_sig, _frame):
        raise KeyboardInterrupt
    # Ctrl-C and SIGTERM stop the server, also when the parent started us with SIGINT ignored
    # (then Python itself would leave it ignored)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.config["WP_JOBS"].close()
    click.echo("stopped", err=True)
