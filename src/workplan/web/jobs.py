"""Annual volumes made in the background for the site: one thread per job, the volume written
into the site's own temporary folder (never into the archive), progress kept for the status page."""
from __future__ import annotations

import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import WorkplanError

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


class Busy(Exception):
    """Too many volumes are being made."""


class Jobs:
    def __init__(self, archive_root: Path, workdir: Path, opener: Any = None) -> None:
        from ..archive import open_archive
        self.root = archive_root
        self.opener = opener or (lambda: open_archive(archive_root))
        self.dir = workdir
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def start(self, options: dict) -> Job:
        with self.lock:
            running = sum(j.state in ("queued", "running") for j in self.jobs.values())
            if running >= MAX_RUNNING:
                raise Busy()
            job = Job(id=secrets.token_hex(8), options=dict(options))
            self.jobs[job.id] = job
            self._prune()
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

        def progress(stage: str, done: int, total: int) -> None:
            job.stage, job.done, job.total = stage, done, total

        job.state = "running"
        arc: Any = None
        try:
            arc = self.opener()
            res = compile_volume(arc, out, year=o["year"], unit=o.get("unit") or None, kind=o.get("kind") or None,
                                 fmt=o["format"], lang=o["lang"], progress=progress)
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

    def close(self) -> None:
        for t in self.threads:
            t.join(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)
