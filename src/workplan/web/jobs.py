"""Annual volumes made in the background for the site: one thread per job, the volume written
into the site's own temporary folder (never into the archive), progress kept for the status page.

Each job's state is also written to ``<folder>/<id>/job.json``, so that with several worker
processes (``serve --workers``, sharing the folder) any of them can show a job's status page and
hand out its volume, whichever process makes it."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, WorkplanError

MAX_RUNNING = 2      # volumes made at once (each is CPU-heavy)
MAX_KEPT = 20        # finished jobs kept (their files are deleted beyond that)


@dataclass
class Job:
    id: str
    options: dict
    state: str = "queued"          # queued | running | done | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    created: float = field(default_factory=time.time)
    finished: float | None = None
    output: Path | None = None
    documents: int = 0
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.id, "state": self.state, "options": self.options, "stage": self.stage,
                "done": self.done, "total": self.total, "documents": self.documents, "pages": self.pages,
                "warnings": self.warnings, "problems": self.problems,
                "filename": self.output.name if self.output else None}

    def state_dict(self) -> dict:
        """Everything, as written to the job's ``job.json``."""
        return self.as_dict() | {"created": self.created, "finished": self.finished,
                                 "output": str(self.output) if self.output else None}

    @classmethod
    def from_state(cls, d: dict) -> "Job":
        return cls(id=d["id"], options=d["options"], state=d["state"], stage=d["stage"], done=d["done"],
                   total=d["total"], created=d["created"], finished=d["finished"],
                   output=Path(d["output"]) if d.get("output") else None, documents=d["documents"],
                   pages=d["pages"], warnings=list(d["warnings"]), problems=list(d["problems"]))


class Busy(Exception):
    """Too many volumes are being made."""


class Jobs:
    def __init__(self, archive_root: Path, workdir: Path, opener: Any = None, *, shared: bool = False) -> None:
        """``shared``: the folder belongs to several worker processes (whoever made it removes it)."""
        from ..archive import open_archive
        self.root, self.shared = archive_root, shared
        self.opener = opener or (lambda: open_archive(archive_root))
        self.dir = workdir
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def get(self, job_id: str) -> Job | None:
        """A job of this process, else one another worker process wrote to the shared folder."""
        with self.lock:
            job = self.jobs.get(job_id)
        if job is not None or not job_id.isalnum():
            return job
        try:
            return Job.from_state(json.loads((self.dir / job_id / "job.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save(self, job: Job) -> None:
        folder = self.dir / job.id
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / ".job.json.tmp"
        tmp.write_text(json.dumps(job.state_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / "job.json")

    def start(self, options: dict) -> Job:
        with self.lock:
            running = sum(j.state in ("queued", "running") for j in self.jobs.values())
            if running >= MAX_RUNNING:
                raise Busy()
            job = Job(id=secrets.token_hex(8), options=dict(options))
            self.jobs[job.id] = job
            self._prune()
        self._save(job)
        t = threading.Thread(target=self._run, args=(job,), name=f"volume-{job.id}", daemon=True)
        self.threads.append(t)
        t.start()
        return job

    def _prune(self) -> None:
        finished = sorted((j for j in self.jobs.values() if j.finished), key=lambda j: j.finished or 0)
        for j in finished[:-MAX_KEPT] if len(finished) > MAX_KEPT else []:
            shutil.rmtree(self.dir / j.id, ignore_errors=True)
            del self.jobs[j.id]

    def _run(self, job: Job) -> None:
        from ..compile.volume import compile_volume
        o = job.options
        out_dir = self.dir / job.id
        out_dir.mkdir(parents=True, exist_ok=True)
        out = out_dir / f"volume-{o['year']}.{o['format']}"

        saved = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total
            if time.monotonic() - saved[0] > 0.5:  # the other worker processes see it twice a second
                saved[0] = time.monotonic()
                self._save(job)

        job.state = "running"
        self._save(job)
        arc: Any = None
        try:
            arc = self.opener()
            queue = _queue_with_worker(arc)
            if queue is not None:  # a worker takes the volume; this thread only follows its report
                _through_queue(queue, job, out, progress)
            else:
                res = compile_volume(arc, out, year=o["year"], unit=o.get("unit") or None,
                                     kind=o.get("kind") or None, fmt=o["format"], lang=o["lang"], progress=progress)
                job.output, job.documents, job.pages = res.output, res.documents, res.pages
                job.warnings = list(res.warnings)
            job.state = "done"
        except WorkplanError as e:
            job.problems = [{"message": p.message, "file": p.file, "hint": p.hint} for p in e.problems]
            job.state = "failed"
        except Exception as e:  # noqa: BLE001 - reported on the status page, logged by the caller
            import traceback
            traceback.print_exc()
            job.problems = [{"message": f"unexpected error: {type(e).__name__}", "file": None, "hint": None}]
            job.state = "failed"
        finally:
            if arc is not None:
                arc.close()
            job.finished = time.time()
            self._save(job)

    def close(self) -> None:
        for t in self.threads:
            t.join(timeout=30)
        if not self.shared:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- a PostgreSQL archive's volumes on the job queue ---------------------------------------------
QUEUE_POLL_S = 0.5
QUEUE_WAIT_S = 3600.0  # a volume the worker has not finished in an hour is reported as failed


def _queue_with_worker(arc: Any) -> Any:
    """The archive's job queue when it has one (PostgreSQL) and a worker is alive to take the
    volume; else None, and the volume is made by the site itself."""
    if not getattr(arc.config, "catalogue", None):
        return None
    from ..jobs import queue_of
    try:
        queue = queue_of(arc)
        return queue if queue.worker_alive() else None
    except WorkplanError:
        return None  # no queue to be had (procrastinate missing, say): made here, as on SQLite


def _through_queue(queue: Any, job: Job, out: Path, progress: Any) -> None:
    """Queue the volume as a ``compile`` job written to ``out`` (the site's job folder, which the
    worker must reach: one machine, or a shared folder) as the person who asked, and follow its
    report until the worker has done it."""
    o = job.options
    job_id = queue.enqueue("compile", person=o.get("person"), year=o["year"], output=str(out.absolute()),
                           unit=o.get("unit") or None, kind=o.get("kind") or None, fmt=o["format"], lang=o["lang"])
    job.stage = f"queue job {job_id}"
    progress(job.stage, 0, 0)
    deadline = time.monotonic() + QUEUE_WAIT_S
    while time.monotonic() < deadline:
        report = (queue.reports([job_id]) or [{}])[0]
        if report.get("state") == "done":
            result = report.get("result") or {}
            job.output, job.documents, job.pages = Path(result["output"]), result["documents"], result["pages"]
            job.warnings = list(result.get("warnings", []))
            return
        if report.get("state") == "failed":
            raise WorkplanError(Problem(f"the worker could not make the volume (queue job {job_id}): "
                                        f"{report.get('error') or 'no reason given'}"))
        progress(report.get("progress") or job.stage, 0, 0)
        time.sleep(QUEUE_POLL_S)
    raise WorkplanError(Problem(f"the worker has not made the volume within an hour (queue job {job_id})",
                                hint="see `workplan jobs` on a machine of the archive"))

