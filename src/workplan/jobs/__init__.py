"""Batch work on a job queue kept in the archive's own PostgreSQL database (procrastinate: no
other server). ``workplan worker`` runs the jobs; ``workplan archive add --queue`` and
``workplan jobs`` queue them and report on them.

Each kind of job is a row of :data:`TASKS`: a function ``(arc, progress, **options) -> result``
calling the core (ingest, render, search, compile, archive) and nothing else. A job runs in the
worker against the archive folder it names, as the person who queued it; what it did (its
progress, its result or the problem that stopped it) is written to the database's
``job_reports`` table, beside the queue's own status of the job. A job that fails is failed
once, not retried: the problem is the user's to fix (a bad file, a missing reason), and an add
repeated after a lost worker is refused record by record where its identity is archived already
(a new version needs a reason).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, WorkplanError

if TYPE_CHECKING:
    from ..archive.catalogue_pg import PgCatalogue
    from ..archive.store import Archive

QUEUE = "workplan"
QUEUE_ABOVE = 200  # data files in one `archive add` queued without --queue when a worker is alive
Progress = Callable[[str], None]


# --- the jobs ---------------------------------------------------------------------------------
def add_paths(arc: Archive, paths: list[str], *, progress: Progress, retention: str | None = None,
              langs: tuple[str, ...] = ("zh",), formats: tuple[str, ...] = ("docx", "pdf"),
              prebuilt: str | None = None, reason: str | None = None) -> dict:
    """Archive data files through the core's batch ingest (:func:`workplan.ingest.add_data_files`):
    every file is checked before anything is written; then each batch is atomic on its own. A file
    refused stops the job naming it, and the records archived before it are said."""
    from ..ingest import add_data_files
    outcome = add_data_files(arc, paths, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                             reason=reason, again=False,  # a job run again skips what its first run archived
                             on_progress=lambda done, total: progress(f"{done} of {total} file(s) archived"))
    return {"codes": outcome.codes + [r.code for r in outcome.skipped]}  # skipped: archived by an earlier run


def _add(arc: Archive, progress: Progress, *, paths: list[str], **options: Any) -> dict:
    return add_paths(arc, paths, progress=progress, **options)


def _build(arc: Archive, progress: Progress, *, sources: list[str], outdir: str,
           langs: tuple[str, ...] = ("zh",), formats: tuple[str, ...] = ("docx", "pdf")) -> dict:
    from ..render import build_file
    written: list[str] = []
    for i, src in enumerate(sources):
        res = build_file(src, outdir, langs=langs, formats=formats)
        written.extend(str(p) for p in res.outputs)
        progress(f"{i + 1} of {len(sources)} built")
    return {"outputs": written}


def _catch_up(arc: Archive, progress: Progress) -> dict:
    """This machine's search index (the worker's ``--index``) brought up to the log's head."""
    from ..search.index import IndexManager
    n = IndexManager.of(arc).update(arc, ())
    return {"indexed": n, "index": str(IndexManager.of(arc).dir)}


def _reindex(arc: Archive, progress: Progress) -> dict:
    from ..search import reindex
    rep = reindex(arc)
    return {"indexed": rep.records, "index": str(rep.path)}


def _compile(arc: Archive, progress: Progress, *, year: int, output: str, unit: str | None = None,
             kind: str | None = None, fmt: str | None = None, lang: str = "zh") -> dict:
    from ..compile.volume import compile_volume
    res = compile_volume(arc, output, year=year, unit=unit, kind=kind, fmt=fmt, lang=lang,
                         progress=lambda stage, done, total: progress(f"{stage} {done}/{total}"))
    return {"output": str(res.output), "documents": res.documents, "pages": res.pages,
            "warnings": [str(w) for w in res.warnings]}


def _fixity(arc: Archive, progress: Progress, *, budget: float = 600.0) -> dict:
    from ..archive.verify import sweep
    rep = sweep(arc, budget, progress=lambda done, total: progress(f"{done} of {total} record(s) checked"))
    return {"ok": rep.ok, "checked": len(rep.checked), "remaining": rep.remaining,
            "damaged": [c["code"] for c in rep.checked if not c["ok"]]}


@dataclass(frozen=True)
class Task:
    run: Callable[..., dict]
    action: str | None  # what the acting person must be allowed (workplan.archive.accounts); None: reading
    changes: bool       # whether it writes to the archive (the worker's index catches up after it)


#: The kinds of job: name -> what runs it.
TASKS: dict[str, Task] = {
    "add": Task(_add, "add", True),
    "build": Task(_build, None, False),
    "catch-up": Task(_catch_up, None, False),
    "reindex": Task(_reindex, None, False),
    "compile": Task(_compile, "compile", False),
    "fixity": Task(_fixity, "verify", True),
}


# --- the queue ----------------------------------------------------------------------------------
class JobQueue:
    """The job queue of a PostgreSQL archive (its catalogue's database)."""

    def __init__(self, arc: Archive) -> None:
        if not getattr(arc.config, "catalogue", None):
            raise WorkplanError(Problem("this archive keeps its catalogue in the folder (SQLite): there is no job "
                                        "queue; the work runs in the command itself", file=str(arc.root),
                                        hint="move it to PostgreSQL with `workplan archive migrate --to "
                                             "postgresql://…` to run jobs on workers"))
        try:
            import procrastinate
        except ImportError:
            raise WorkplanError(Problem("the job queue needs procrastinate, which is not installed",
                                        hint='pip install -e ".[pg]" (scripts/setup does)')) from None
        self.root = arc.root
        self.catch_up_after = False  # a worker's own index caught up after each job that wrote to the archive
        self.say: Callable[[str], None] = lambda text: None  # the worker's one line per finished job
        self.index_dir: Path | None = None  # the worker's machine's search index folder (else the job's)
        self.catalogue: PgCatalogue = arc.catalogue  # type: ignore[assignment]  # checked above: a database archive
        self.url = arc.config.catalogue
        self.app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=self.url))
        self.tasks = {name: self.app.task(name=f"workplan.{name}", queue=QUEUE, pass_context=True)(
            _runner(self, name)) for name in TASKS}
        self.catalogue.ensure_queue(self.app.schema_manager.get_schema())

    def enqueue(self, name: str, *, person: str | None = None, index: str | None = None, **options: Any) -> int:
        """Queue a job; its id. ``options`` are the job function's (JSON values); the worker
        opens the archive with ``index`` as its machine's index folder when given."""
        if name not in TASKS:
            raise WorkplanError(Problem(f"unknown job {name!r}", hint=f"one of {', '.join(TASKS)}"))
        with self.app.open():
            job_id = int(self.tasks[name].defer(archive=str(self.root), person=person, index=index, options=options))
        self.catalogue.note_job(job_id, name, "queued")
        return job_id

    def run_worker(self, *, concurrency: int = 1, until_empty: bool = False) -> None:
        """Run jobs (``until_empty``: until none is left, else until interrupted)."""
        self.app.run_worker(queues=[QUEUE], concurrency=concurrency, wait=not until_empty,
                            install_signal_handlers=not until_empty, delete_jobs="never")

    def worker_alive(self) -> bool:
        """Whether a worker has reported itself alive in the last half minute."""
        return self.catalogue.live_workers() > 0

    def reports(self, job_ids: list[int] | None = None) -> list[dict]:
        return self.catalogue.job_reports(job_ids)


def _runner(queue: JobQueue, name: str) -> Callable[..., None]:
    """The procrastinate task of one row of :data:`TASKS`: the archive opened as the person who
    queued the job, the job's progress, result or problem written to its report."""
    task = TASKS[name]

    def run(context: Any, archive: str, person: str | None, index: str | None, options: dict) -> None:
        from ..archive import open_archive
        job_id = int(context.job.id)
        note = queue.catalogue.note_job
        note(job_id, name, "running")
        arc = None
        try:
            arc = open_archive(archive, index_dir=queue.index_dir or index or None)
            if task.action is not None:
                arc.accounts.acting(person, task.action)
            arc.act_as(person, via="worker")
            result = task.run(arc, lambda text: note(job_id, name, "running", progress=text), **options)
            if task.changes and queue.catch_up_after:
                _catch_up(arc, lambda text: None)
        except WorkplanError as e:
            note(job_id, name, "failed", error=e.format())
            queue.say(f"job {job_id}: {name} failed: {e.format()}")
            raise JobFailed(e.format()) from None
        except Exception as e:
            note(job_id, name, "failed", error=f"unexpected error: {type(e).__name__}: {e}")
            queue.say(f"job {job_id}: {name} failed: unexpected error: {type(e).__name__}: {e}")
            raise
        finally:
            if arc is not None:
                arc.close()
        note(job_id, name, "done", result=result)
        queue.say(f"job {job_id}: {name} done")

    run.__name__ = f"workplan_{name.replace('-', '_')}"
    return run


class JobFailed(Exception):
    """A job stopped by a problem (written to its report); the queue marks the job failed."""


def queue_of(arc: Archive) -> JobQueue:
    return JobQueue(arc)


def absolute(paths: list[str | os.PathLike]) -> list[str]:
    """Paths as the worker will need them (it runs elsewhere: from another current folder)."""
    return [str(Path(p).absolute()) for p in paths]


__all__ = ["QUEUE", "TASKS", "JobFailed", "JobQueue", "Task", "absolute", "add_paths", "queue_of"]
