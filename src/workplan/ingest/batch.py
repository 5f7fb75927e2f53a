"""Archiving many data files at once — what `workplan archive add`, the site and the job queue
call. Every file is checked before anything is written; then they are staged and stored in
batches (the fsyncs and catalogue transactions shared), each record atomic on its own. What
happens to each file is told through callbacks, never printed here."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from ..archive import Archive, Prepared, Record
from ..errors import Problem, WorkplanError
from ..formats import FORMATS
from .datafile import CheckedFile, check_data_file, prepare_data_files

#: files prepared and stored together (one lock, one set of fsyncs and transactions)
BATCH_SIZE = 25


class NothingArchived(WorkplanError):
    """The check of a batch found problems: nothing was written."""


@dataclass
class AddOutcome:
    """What became of a call to :func:`add_data_files`."""

    given: int
    records: list[Record] = field(default_factory=list)  # archived (a new record or a new version)
    skipped: list[Record] = field(default_factory=list)  # already archived identically (see ``again``)
    failed: list[WorkplanError] = field(default_factory=list)
    failures: int = 0  # files not archived

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.records]


@dataclass
class _Callbacks:
    on_record: Callable[[Record, bool], None] | None
    on_problem: Callable[[WorkplanError], None] | None
    on_progress: Callable[[int, int], None] | None

    def problem(self, outcome: AddOutcome, e: WorkplanError, files: int) -> None:
        outcome.failed.append(e)
        outcome.failures += files
        if self.on_problem is not None:
            self.on_problem(e)


def check_data_files(arc: Archive, paths: Iterable[str | os.PathLike], *, retention: str | None = None,
                     langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                     prebuilt: str | os.PathLike | None = None, allow_missing: bool = False,
                     on_warning: Callable[[Problem], None] | None = None) -> list[CheckedFile]:
    """:func:`check_data_file` for every file; raises :class:`NothingArchived` with the problems
    of all of them if any is refused."""
    checked: list[CheckedFile] = []
    problems: list[Problem] = []
    for p in paths:
        try:
            checked.append(check_data_file(arc, p, retention=retention, langs=langs, formats=formats,
                                           prebuilt=prebuilt, allow_missing=allow_missing, on_warning=on_warning))
        except WorkplanError as e:
            problems.extend(e.problems)
    if problems:
        raise NothingArchived(problems)
    return checked


def add_data_files(arc: Archive, paths: Iterable[str | os.PathLike], *, retention: str | None = None,
                   langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                   prebuilt: str | os.PathLike | None = None, allow_missing: bool = False,
                   reason: str | None = None, again: bool = True, jobs: int = 1, notify: bool = True,
                   on_record: Callable[[Record, bool], None] | None = None,
                   on_problem: Callable[[WorkplanError], None] | None = None,
                   on_progress: Callable[[int, int], None] | None = None,
                   on_warning: Callable[[Problem], None] | None = None) -> AddOutcome:
    """Archive data files (YAML/JSON) with their renditions (see :func:`add_data_file`).

    All files are checked first: if any is refused, :class:`NothingArchived` is raised naming
    every problem, and nothing is written. Then they are archived in batches; a file that fails
    then (or a batch the archive refuses) is passed to ``on_problem`` and the others go on —
    without ``on_problem``, a WorkplanError naming them all is raised at the end.
    ``on_record(record, skipped)``: each record archived, or (``skipped``) already archived
    identically (only when not ``again``); ``on_progress(done, total)`` after each batch;
    ``on_warning``: a translation fallen back on (``allow_missing``). ``jobs`` > 1 builds the
    renditions in that many processes. The validated documents go to the change listeners
    with the codes (the search index takes them instead of parsing each source again)."""
    paths = list(paths)
    checked = check_data_files(arc, paths, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                               allow_missing=allow_missing, on_warning=on_warning)
    outcome = AddOutcome(given=len(paths))
    calls = _Callbacks(on_record, on_problem, on_progress)
    documents: dict[str, Any] = {}
    size = 1 if len(checked) == 1 else BATCH_SIZE
    with ExitStack() as stack:
        pool = None
        if jobs > 1 and formats and prebuilt is None and len(checked) > 1:
            pool = ProcessPoolExecutor(max_workers=min(jobs, len(checked)))
            stack.callback(pool.shutdown, cancel_futures=True)
        for i in range(0, len(checked), size):
            chunk = checked[i:i + size]
            staging = arc.new_staging(shared=True)
            try:
                preps = prepare_data_files(arc, chunk, staging=staging, pool=pool)
                _store(arc, chunk, preps, outcome, calls, documents, reason=reason, again=again)
            finally:
                staging.cleanup()
            if on_progress is not None:
                on_progress(i + len(chunk), len(checked))
    if notify:
        arc.notify_changed(outcome.codes, documents=documents)
    if outcome.failed and on_problem is None:
        raise WorkplanError([p for e in outcome.failed for p in e.problems])
    return outcome


def _store(arc: Archive, chunk: list[CheckedFile], preps: list[Prepared | WorkplanError], outcome: AddOutcome,
           calls: _Callbacks, documents: dict[str, Any], *, reason: str | None, again: bool) -> None:
    """Store one batch's prepared records; each file's fate goes to the outcome and the callbacks."""
    batch: list[Prepared] = []
    for c, prep in zip(chunk, preps):
        if isinstance(prep, WorkplanError):
            calls.problem(outcome, prep, 1)
            continue
        batch.append(prep)
        documents[prep.files["source"]["sha256"]] = c.doc
    if not batch:
        return
    same: list[Record] = []
    try:
        recs = arc.store(batch, notify=False, skip_identical=not again, skipped=same, reason=reason)
    except WorkplanError as e:
        archived = getattr(e, "archived", [])
        outcome.records.extend(arc.get(code) for code in archived)
        if not archived:
            e.problems.append(Problem(f"{len(outcome.records)} record(s) archived before this; these {len(batch)} "
                                      "were not", file=str(arc.root), hint="add these files again"))
        calls.problem(outcome, e, len(batch) - len(archived))
        return
    for rec in recs:
        skipped = any(rec is x for x in same)
        (outcome.skipped if skipped else outcome.records).append(rec)
        if calls.on_record is not None:
            calls.on_record(rec, skipped)
