"""`workplan worker` (runs the archive's queued jobs) and `workplan jobs` (what they did); the
queueing side of `workplan archive add --queue`. The queue is the archive's PostgreSQL database
(see :mod:`workplan.jobs`)."""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import Problem, WorkplanError
from ..limits import printable
from .options import archive_option, open_archive_at, say, user_option


def _queue(archive_path: str | None, action: str | None = None) -> Any:
    from ..jobs import queue_of
    arc = open_archive_at(archive_path, action)
    return arc, queue_of(arc)


@click.command("worker")
@click.option("--concurrency", "-c", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Jobs run at once (each in its own thread).")
@click.option("--until-empty", is_flag=True, help="Stop when no job is left (else run until interrupted).")
@click.option("--no-catch-up", is_flag=True,
              help="Do not bring this machine's search index (--index) up to date after each job that wrote to "
                   "the archive.")
@user_option
@archive_option
def worker_cmd(concurrency: int, until_empty: bool, no_catch_up: bool, archive_path: str | None) -> None:
    """Run the archive's queued jobs: adds, builds, index catch-ups and rebuilds, compiles and
    fixity sweeps. The archive must keep its catalogue on PostgreSQL (the queue lives there);
    run one worker on each machine that writes into the archive, with that machine's --index.

    \b
    Examples:
      workplan archive add incoming/ --queue      # prints the job's id
      workplan worker --index /srv/index          # runs jobs until interrupted
      workplan jobs                               # what the jobs did
    """
    _quiet_queue_log()
    arc, queue = _queue(archive_path)
    try:
        queue.catch_up_after = not no_catch_up
        queue.say = lambda text: say(text, err=True)
        queue.index_dir = getattr(arc, "index_dir", None)
        say(f"worker: running the jobs of {arc.root} (queue in {arc.catalogue.path}; "
            f"{'until none is left' if until_empty else 'Ctrl-C to stop'})", err=True)
        queue.run_worker(concurrency=concurrency, until_empty=until_empty)
    finally:
        arc.close()


class _NoTraceback(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return "worker: " + printable(record.getMessage())


def _quiet_queue_log() -> None:
    """The queue's own log on stderr without tracebacks: a failed job's problem is said by the
    worker in one line (and kept in its report), a lost database connection in the queue's."""
    from ..jobs import JobFailed
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_NoTraceback())
    # a job stopped by a problem is said once, by the worker (the queue would say it again)
    handler.addFilter(lambda r: not (r.exc_info and isinstance(r.exc_info[1], JobFailed)))
    log = logging.getLogger("procrastinate")
    log.handlers[:] = [handler]
    log.setLevel(logging.WARNING)
    log.propagate = False


def _describe(r: dict) -> str:
    line = f"job {r['job_id']}: {r['task']} {r['state']}"
    if r.get("progress") and r["state"] in ("running", "queued"):
        line += f" ({r['progress']})"
    if r["state"] == "done" and isinstance(r.get("result"), dict):
        res = r["result"]
        if "codes" in res:
            line += f": {len(res['codes'])} record(s) archived" + (f" ({res['codes'][0]} … {res['codes'][-1]})"
                                                                   if res["codes"] else "")
        elif "output" in res:
            line += f": {res['output']}"
    if r["state"] == "failed" and r.get("error"):
        line += ":\n  " + str(r["error"]).replace("\n", "\n  ")
    return line


@click.command("jobs")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@user_option
@archive_option
def jobs_cmd(job_ids: tuple[int, ...], as_json: bool, archive_path: str | None) -> None:
    """What the archive's queued jobs are doing or did (the given ones, else the newest 50):
    queued, running (with its progress), done (with its result) or failed (with the problem).
    Exits 1 when one of them failed."""
    arc, queue = _queue(archive_path)
    try:
        reports = queue.reports(list(job_ids) or None)
    finally:
        arc.close()
    missing = sorted(set(job_ids) - {r["job_id"] for r in reports})
    if as_json:
        say(json.dumps({"jobs": reports, "unknown": missing}, ensure_ascii=False, indent=2, default=str))
    else:
        for r in reports:
            say(_describe(r))
        for m in missing:
            say(f"job {m}: no such job in this archive's queue", err=True)
    if missing or any(r["state"] == "failed" for r in reports):
        sys.exit(1)


def queue_by_default(files: tuple[str, ...], archive_path: str | None) -> bool:
    """Whether `archive add` queues its data files although --queue was not given: more than
    :data:`~workplan.jobs.QUEUE_ABOVE` (or $WORKPLAN_QUEUE_ABOVE) of them, into a PostgreSQL archive whose queue has a live
    worker (without one, the add runs here as always)."""
    from ..archive.config import load_config
    from ..jobs import QUEUE_ABOVE
    from ..model.datafiles import folder_data_files
    from .options import archive_root
    try:
        if not load_config(archive_root(archive_path)).catalogue:
            return False
    except WorkplanError:
        return False  # said by the add itself
    from ..ingest import DATA_SUFFIXES
    if any(not Path(f).is_dir() and Path(f).suffix.lower() not in DATA_SUFFIXES for f in files):
        return False  # other files are archived as one record, here
    n = sum(len(folder_data_files(Path(f))[0]) if Path(f).is_dir() else 1 for f in files)
    above = int(os.environ.get("WORKPLAN_QUEUE_ABOVE") or QUEUE_ABOVE)
    if n <= above:
        return False
    arc, queue = _queue(archive_path, "add")
    try:
        alive = queue.worker_alive()
    finally:
        arc.close()
    if alive:
        say(f"{n} data files: queued for the archive's worker (more than {above}; `workplan archive add --no-queue` "
            "archives them here)", err=True)
    return alive


def enqueue_add(files: tuple[str, ...], *, retention: str | None, langs: list[str], formats: list[str],
                prebuilt: str | None, reason: str | None, archive_path: str | None) -> None:
    """`archive add --queue`: the data files (folders expanded) queued as one add job; prints its id."""
    from ..ingest import DATA_SUFFIXES
    from ..jobs import absolute
    from .helpers import expand_inputs
    inputs = expand_inputs(files)
    for p in inputs:
        if p.suffix.lower() not in DATA_SUFFIXES:
            raise WorkplanError(Problem("only data files can be queued", file=str(p),
                                        hint="archive other files without --queue"))
        if not p.is_file():
            raise WorkplanError(Problem("file not found", file=str(p), hint="check the path"))
    arc, queue = _queue(archive_path, "add")
    try:
        job_id = queue.enqueue("add", person=arc.person, paths=absolute(list(inputs)), retention=retention,
                               langs=list(langs), formats=list(formats),
                               prebuilt=str(Path(prebuilt).absolute()) if prebuilt else None, reason=reason)
    finally:
        arc.close()
    say(f"job {job_id}")
    say(f"queued {len(inputs)} file(s) as job {job_id}: a worker archives them (`workplan worker`); "
        f"`workplan jobs {job_id}` says how far it got", err=True)


__all__ = ["enqueue_add", "jobs_cmd", "queue_by_default", "worker_cmd"]
