"""Progress reports (工作总结 / 工作纪实): what a program achieved, as data.

A report names the program it reports on (a data file, or an archival code), the period and
the report date, and gives the *facts*: the actual value of each measurable target, the
status of each task, the completion of each phase. Everything derived from the facts
(attainment, completion rate, overdue tasks, late phases) is computed by
:mod:`workplan.model.progress`, never typed.

Targets, tasks and phases are referred to by the ``id`` they carry in the program.

Loading (:func:`load_report`) validates the file like :func:`workplan.model.load_document`
does (file:line:column, field path, hint), resolves the program, inherits its units and
issuers when the report gives none, and cross-checks the report against the program.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Union

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..errors import Problem, ProgramNotFound, ValidationFailed, WorkplanError
from .load import (_problems_from_validation, check_data_shape, check_top_mapping, format_path, read_data,
                   unknown_text_units, validate_document)
from .document import (_ID, Attachment, Date, Number, DocumentCommon, DocNumber, DocNumberText, Document, FreeSection, Phase, Point, PrintInfo,
                        Strict, Target, Task, Text, UPWARD_DESCRIPTION, Unit, UnitRef, parse_doc_number, text_in)


REPORT_SECTION_TYPES = ("overview", "achievements", "practices", "problems", "next_steps", "free")
# The usual order of a 工作总结: 基本情况 / 主要工作及成效, 主要做法, 存在的问题, 下一步工作打算.
NARRATIVE_ORDER = ("overview", "achievements", "practices", "problems", "next_steps")
TASK_STATUSES = ("done", "in_progress", "not_started")


# --- what the report refers to -------------------------------------------------------------
class ProgramRef(Strict):
    """The program a report is about: a data file, or an archived record by its archival code."""

    file: str | None = Field(None, description="Path of the program data file, relative to the report file")
    archive: str | None = Field(None, description="Archival code of the archived program, e.g. J001-WS·2023-D30-QSSQ-0001")
    version: int | None = Field(None, ge=1, description="The archived version reported on (default: the current one)")
    accept_superseded: bool = Field(False, description="Report on this version even though a newer version exists")

    @model_validator(mode="after")
    def _one(self) -> "ProgramRef":
        if bool(self.file) == bool(self.archive):
            raise ValueError("give exactly one of 'file' (a program data file) or 'archive' (an archival code)")
        if self.version is not None and not self.archive:
            raise ValueError("'version' goes with 'archive' (the version of an archived program)")
        return self


class Period(Strict):
    """The period the report covers."""

    start: Date
    end: Date

    @model_validator(mode="after")
    def _order(self) -> "Period":
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self

    def __contains__(self, d: dt.date) -> bool:
        return self.start <= d <= self.end


# --- the facts -----------------------------------------------------------------------------
class TargetResult(Strict):
    """The actual value reached for one measurable target of the program."""

    id: str = Field(..., pattern=_ID, description="The target's id in the program")
    actual: Number | None = Field(None, description="The value reached, in the target's unit (e.g. 96.5 for 96.5 %)")
    note: Text | None = Field(None, description="How it was measured, or why it fell short")


class TaskStatus(Strict):
    """Where one task of the program stands."""

    id: str = Field(..., pattern=_ID, description="The task's id in the program")
    status: Literal["done", "in_progress", "not_started"]
    completed: Date | None = Field(None, description="Completion date (required when status is done)")
    evidence: Text | None = Field(None, description="A short evidence note: ledger, minutes, photos, numbers")


class PhaseResult(Strict):
    """Whether one phase of the program is completed (true/false, or the completion date)."""

    id: str = Field(..., pattern=_ID, description="The phase's id in the program")
    completed: Date | bool = Field(False, union_mode="left_to_right",
                                      description="true, false, or the date the phase was completed")
    note: Text | None = None

    @property
    def done(self) -> bool:
        return self.completed is not False

    @property
    def completed_on(self) -> dt.date | None:
        return self.completed if isinstance(self.completed, dt.date) else None


class ImageRef(Strict):
    """A photo or scan shown in the report (PNG, JPEG, GIF, BMP, WebP)."""

    file: str = Field(..., description="Image path, relative to the report file")
    caption: Text
    width_mm: float | None = Field(None, gt=10, description="Printed width; default and maximum: the type area width")


# --- narrative -----------------------------------------------------------------------------
class NarrativeSection(Strict):
    """One of the usual parts of a 工作总结. Computed progress goes into ``achievements``
    (or ``overview`` when there is no achievements section)."""

    type: Literal["overview", "achievements", "practices", "problems", "next_steps"]
    title: Text | None = Field(None, description="Override the standard title of this section")
    paragraphs: list[Text] = Field(default_factory=list)
    items: list[Point] = Field(default_factory=list)


ReportSection = Annotated[Union[NarrativeSection, FreeSection], Field(discriminator="type")]


# --- the report ----------------------------------------------------------------------------
class Report(DocumentCommon, Strict):
    """A progress report (工作总结 / 工作纪实 / 年度总结) on a work program."""

    schema_: str | None = Field(None, alias="$schema")
    kind: Literal["report"] = "report"
    id: str | None = Field(None, pattern=_ID, description="Explicit identity for the archive (otherwise issuer + document number)")
    source_lang: Literal["zh", "en"] = "zh"
    title: Text
    subtitle: Text | None = None
    # A plain string is shorthand for {file: ...}; listed in the type so the JSON Schema admits it.
    program: ProgramRef | str = Field(..., description="A program data file path (relative to this file) or {archive: CODE}")
    period: Period
    date: Date = Field(..., description="Report date (成文日期)")

    units: list[Unit] = Field(default_factory=list, description="Units; those of the program are inherited")
    issuers: list[UnitRef] = Field(default_factory=list, description="Issuing unit(s); default: the program's issuers")
    issuer_mark: Text | None = None
    doc_number: DocNumber | DocNumberText | None = None
    letterhead: bool | None = Field(
        None, description="Print the 版头 (red issuer mark, document number, red rule). Default: when an issuer_mark "
                          "or a doc_number is given; false leaves it out (the document number is then not printed)")
    signatory: Text | None = Field(None, description="签发人 (for documents sent upward)")
    upward: bool | None = Field(None, description=UPWARD_DESCRIPTION)
    recipients: list[Text] = Field(default_factory=list)
    cc: list[Text] = Field(default_factory=list)
    printed: PrintInfo | None = None
    signature: list[Text] = Field(default_factory=list)
    keywords: list[Text] = Field(default_factory=list)
    retention: Literal["Y", "D30", "D10"] | None = None

    preamble: list[Text] = Field(default_factory=list)
    sections: list[ReportSection] = Field(default_factory=list)
    closing: list[Text] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    note: Text | None = None

    targets: list[TargetResult] = Field(default_factory=list, description="The actual value of every target of the program")
    tasks: list[TaskStatus] = Field(default_factory=list, description="The status of every task (with an id) of the program")
    phases: list[PhaseResult] = Field(default_factory=list, description="Completion of the program's phases")
    images: list[ImageRef] = Field(default_factory=list)
    charts: bool = Field(True, description="Draw the attainment bar chart and the phase timeline")

    _program: Document | None = PrivateAttr(None)
    _program_path: Path | None = PrivateAttr(None)
    _program_record: Any = PrivateAttr(None)
    _base_dir: Path | None = PrivateAttr(None)

    @field_validator("program", mode="before")
    @classmethod
    def _program_shorthand(cls, v):
        return {"file": v} if isinstance(v, str) else v

    @field_validator("doc_number", mode="before")
    @classmethod
    def _parse_doc_number(cls, v):
        return parse_doc_number(v)

    # -- the program -------------------------------------------------------------------
    @property
    def program_doc(self) -> Document:
        if self._program is None:
            raise WorkplanError("the report's program is not loaded; read reports with load_report()")
        return self._program

    @property
    def program_path(self) -> Path | None:
        return self._program_path

    @property
    def program_record(self) -> Any:
        """The archived record (a :class:`workplan.archive.Record`) the program came from, or None."""
        return self._program_record

    @property
    def base_dir(self) -> Path:
        return self._base_dir or Path(".")

    # -- the helpers renderers, archive and search use on a Document (and DocumentCommon) --------
    def all_tasks(self) -> list[Task]:
        """The program's tasks (a report names them in its task table)."""
        return self._program.all_tasks() if self._program is not None else []

    def all_targets(self) -> list[Target]:
        return self._program.all_targets() if self._program is not None else []

    def unit_ids_used(self) -> list[str]:
        """Issuers, then the lead units of reported tasks, in first-use order."""
        seen: dict[str, None] = dict.fromkeys(self.issuers)
        reported = {t.id for t in self.tasks}
        if self._program is not None:
            for key, _, t in program_tasks(self._program):
                if key in reported:
                    for uid in (*t.lead, *t.responsible, *t.cooperating):
                        seen.setdefault(uid)
        return [u for u in seen if any(x.id == u for x in self.units)]



# --- loading -------------------------------------------------------------------------------
def load_report(path: str | Path, text: str | None = None, *, program_resolver: "ProgramResolver | None" = None,
                allow_superseded: bool = False) -> Report:
    """Read, validate and cross-check one report file. Raises ValidationFailed listing every problem.

    ``program_resolver`` finds the program (see :data:`ProgramResolver`); the default,
    :func:`resolve_program_path`, finds a program file next to the report and no archived one
    (pass :class:`workplan.archive.programs.ArchivePrograms` for ``program: {archive: CODE}``).
    ``allow_superseded`` reads a report on a superseded program version without complaint
    (for reading archived reports, e.g. in a compilation).
    """
    data, pos = read_data(path, text)
    return load_report_data(path, data, pos, program_resolver=program_resolver, allow_superseded=allow_superseded)


def load_report_data(path: str | Path, data: Any, pos: Any, *, program_resolver: "ProgramResolver | None" = None,
                     program: Document | None = None, allow_superseded: bool = False) -> Report:
    """Validate already-parsed report data (used by :func:`workplan.model.load_document`)."""
    file = str(path)
    check_top_mapping(data, file, example="corpus/report-*.yaml")
    schema_problems: list[Problem] = []
    kept: dict[str, list[int]] = {}     # list field -> original indices of the items kept
    pruned_ids: set[str] = set()
    try:
        report = Report.model_validate(data)
    except ValidationError as e:
        problems = _problems_from_validation(e, data, pos, file)
        if isinstance(data.get("program"), dict):
            # `program` is typed ProgramRef | str (the string shorthand, for the JSON Schema); a bad
            # mapping would only say "expected a text": report what is wrong with the mapping instead
            try:
                ProgramRef.model_validate(data["program"])
            except ValidationError as pe:
                own = _problems_from_validation(pe, data["program"], _Sub(pos, ("program",)), file)
                for q in own:
                    q.path = "program" + ("" if q.path in (None, "(document)") else "." + q.path)
                    if q.message.startswith("unknown field"):
                        key = q.message.split("'")[1]
                        close = difflib.get_close_matches(key, list(ProgramRef.model_fields), n=1)
                        q.hint = (f"did you mean '{close[0]}'? " if close else "") + \
                            "program takes: file, or archive (with version, accept_superseded)"
                problems = [q for q in problems if not (q.path or "").startswith("program")] + own
        for p in problems:
            if p.message.startswith(("unknown section type", "section has no 'type'")):
                given = p.message.split("'")[1] if "'" in p.message else ""
                guess = difflib.get_close_matches(given, REPORT_SECTION_TYPES, n=1) if given else []
                p.hint = (f"did you mean '{guess[0]}'? " if guess else "") + \
                    "report section types: " + ", ".join(REPORT_SECTION_TYPES)
        # report every problem at once: leave out what is broken and cross-check the rest
        pruned = _validate_pruned(data, problems, kept, pruned_ids)
        if pruned is None:
            raise ValidationFailed(problems) from None
        report = pruned
        schema_problems = problems
    report._base_dir = Path(path).resolve().parent

    def at(p: tuple, msg: str, hint: str | None = None, key: bool = False) -> Problem:
        if p and p[0] in kept and len(p) > 1 and isinstance(p[1], int) and p[1] < len(kept[p[0]]):
            p = (p[0], kept[p[0]][p[1]], *p[2:])    # back to the item's place in the file
        lc = pos.find(p, key=key)
        return Problem(msg, file=file, path=format_path(p), line=lc[0] if lc else None,
                       column=lc[1] if lc else None, hint=hint)

    # the program
    if program is None:
        try:
            program = _resolve_program(report, at, program_resolver or resolve_program_path, allow_superseded)
        except ValidationFailed as e:
            raise ValidationFailed(schema_problems + e.problems) from None
    report._program = program
    _inherit(report, program)
    problems = [q for q in cross_check(report, program, at)
                if not any(f"'{pid}'" in q.message for pid in pruned_ids)]   # no echo of a broken item
    problems = schema_problems + problems
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda q: (q.line or 1 << 30, q.column or 0)))
    return report


def _validate_pruned(data: dict, problems: list[Problem], kept: dict[str, list[int]],
                     pruned_ids: set[str]) -> "Report | None":
    """The report without the parts that failed validation (each bad list item, each bad optional
    top-level field), so the rest can still be cross-checked; None when a required part is broken.
    ``kept`` gets, per pruned list, the original indices of the items kept."""
    import copy
    data = copy.deepcopy(data)
    drop_items: dict[str, set[int]] = {}
    drop_keys: set[str] = set()
    for q in problems:
        parts = re.findall(r"([^.\[\]]+)|\[(\d+)\]", q.path or "")
        if not parts or q.path == "(document)":
            return None
        top = parts[0][0]
        if len(parts) > 1 and parts[1][1] and isinstance(data.get(top), list):
            drop_items.setdefault(top, set()).add(int(parts[1][1]))
        else:
            drop_keys.add(top)
    required = {n for n, f in Report.model_fields.items() if f.is_required()} | {"program", "period", "date", "title"}
    if drop_keys & required:
        return None
    for k in drop_keys:
        data.pop(k, None)
    for k, idx in drop_items.items():
        items = data[k]
        for i in idx:
            if i < len(items) and isinstance(items[i], dict) and isinstance(items[i].get("id"), str):
                pruned_ids.add(items[i]["id"])
        kept[k] = [i for i in range(len(items)) if i not in idx]
        data[k] = [items[i] for i in kept[k]]
    try:
        return Report.model_validate(data)
    except ValidationError:
        return None


class _Sub:
    """The position map of a sub-tree (so problems found in it keep their place in the file)."""

    def __init__(self, pos: Any, prefix: tuple):
        self.pos, self.prefix = pos, prefix

    def find(self, path: tuple, *, key: bool = False):
        return self.pos.find(self.prefix + tuple(path), key=key)

    @property
    def flow(self) -> set:
        n = len(self.prefix)
        return {p[n:] for p in self.pos.flow if p[:n] == self.prefix}


# A program resolver finds the program a report is about:
#     resolver(ref: ProgramRef, *, base_dir: Path, allow_superseded: bool) -> (path, record or None) | None
# where ``path`` is the program's data file and ``record`` the archived record it came from (None
# for a file next to the report); None: not found there, fall back to :func:`resolve_program_path`. It raises :class:`workplan.errors.ProgramNotFound` with the
# message and hint to show; the loader locates it in the report file.
ProgramResolver = Callable[..., "tuple[Path, Any] | None"]


def enclosing_archive(base_dir: Path) -> Path | None:
    """The archive folder (holding archive.json) a report was read from, if any."""
    return next((d for d in base_dir.parents if (d / "archive.json").is_file()), None)


def resolve_program_path(ref: ProgramRef, *, base_dir: Path, allow_superseded: bool = False) -> tuple[Path, None]:
    """The default program resolver: a program data file relative to the report; no archive."""
    if ref.file:
        target = base_dir / ref.file
        if target.exists():
            return target, None
        if enclosing_archive(base_dir) is not None:
            raise ProgramNotFound(f"program file '{ref.file}' is not in the archive",
                                  hint="archive the program before the report (workplan archive add "
                                       f"{ref.file}), or refer to it by code: program: {{archive: CODE}}")
        raise ProgramNotFound(f"program file '{ref.file}' not found (looked in {base_dir})",
                              hint="give the program's path relative to the report file, or {archive: CODE}")
    raise ProgramNotFound(f"no archive is open to look up the archival code {ref.archive}", field="archive",
                          hint="pass the archive (workplan ... --archive PATH, or $WORKPLAN_ARCHIVE), or refer "
                               "to the program's data file instead: program: path/to/program.yaml")


def _resolve_program(report: Report, at, resolver: ProgramResolver, allow_superseded: bool = False) -> Document:
    ref = report.program
    assert isinstance(ref, ProgramRef)  # the string shorthand is made a ProgramRef on validation
    try:
        found = resolver(ref, base_dir=report.base_dir, allow_superseded=allow_superseded)
        path, record = found if found is not None else resolve_program_path(ref, base_dir=report.base_dir)
    except ProgramNotFound as e:
        raise ValidationFailed(at(("program",) + ((e.field,) if e.field else ()), e.message, hint=e.hint)) from None
    data, pos = read_data(path)
    if is_report_data(data):
        if record is None:
            raise ValidationFailed(at(("program",), f"'{ref.file}' is a report, not a program",
                                      hint="point 'program' at the program (方案) this report is about"))
        raise ValidationFailed(at(("program", "archive"), f"archived record {record.code} is not a program"))
    check_data_shape(data, pos, str(path))
    doc = validate_document(path, data, pos)
    report._program_path = path
    report._program_record = record
    return doc


def _inherit(report: Report, program: Document) -> None:
    """Units and issuers come from the program unless the report gives its own."""
    own = {u.id for u in report.units}
    report.units = list(report.units) + [u for u in program.units if u.id not in own]
    if not report.issuers:
        report.issuers = list(program.issuers)
    if report.retention is None:
        report.retention = program.retention


def program_targets(program: Document) -> list[tuple[str, Target]]:
    """(key, target): the key is the target's id, or ``target<n>`` (its position) when it has none."""
    return [(t.id or f"target{i}", t) for i, t in enumerate(program.all_targets(), 1)]


def program_task_tree(program: Document) -> list[tuple[str, str, Task, str | None]]:
    """(key, number, task, parent key) for every task and sub-item, numbered as in the task
    matrix (1, 2, 2.1, …). The key is the task's id, or ``task<number>`` when it has none
    (``task4.1`` is the first item of the fourth task); the parent key is None for a task."""
    out: list[tuple[str, str, Task, str | None]] = []

    def walk(ts: list[Task], prefix: str, parent: str) -> None:
        for i, t in enumerate(ts, 1):
            no = f"{prefix}{i}"
            key = t.id or f"task{no}"
            out.append((key, no, t, parent))
            walk(t.items, f"{no}.", key)
    n = 0
    for s in program.sections_of("tasks"):
        for t in s.tasks:
            n += 1
            key = t.id or f"task{n}"
            out.append((key, str(n), t, None))
            walk(t.items, f"{n}.", key)
    return out


def program_tasks(program: Document) -> list[tuple[str, str, Task]]:
    """(key, number, task) for every task and sub-item; see :func:`program_task_tree`."""
    return [(key, no, t) for key, no, t, _parent in program_task_tree(program)]


def program_phases(program: Document) -> list[tuple[str, Phase]]:
    """(key, phase): the phase's id, or ``phase<n>`` (its position) when it has none."""
    phases = [ph for s in program.sections_of("phases") for ph in s.phases]
    return [(ph.id or f"phase{i}", ph) for i, ph in enumerate(phases, 1)]


def cross_check(report: Report, program: Document, at) -> list[Problem]:
    """Problems between a report and its program: references, missing actuals, dates."""
    problems: list[Problem] = []
    unit_ids = [u.id for u in report.units]
    for i, uid in enumerate(report.issuers):
        if uid not in unit_ids:
            close = difflib.get_close_matches(uid, unit_ids, n=1)
            problems.append(at(("issuers", i), f"unknown unit '{uid}'",
                               hint=f"did you mean '{close[0]}'?" if close else "declare it under 'units:'"))

    for path, uid in unknown_text_units(report):
        close = difflib.get_close_matches(uid, unit_ids, n=1)
        problems.append(at(path, f"unknown unit '{uid}'", hint=f"did you mean '{close[0]}'?" if close else
                           "declare it under 'units:', or write the unit's name"))

    period = report.period
    if report.date < period.start:
        problems.append(at(("date",), f"the report date {report.date} is before the period starts ({period.start})",
                           hint="a report is dated within or after its period"))

    def check_date(d: dt.date, p: tuple, what: str) -> None:
        if d not in period:
            problems.append(at(p, f"{what} {d} falls outside the report period {period.start} – {period.end}",
                               hint="check the date, or widen 'period'"))
        elif d > report.date:
            problems.append(at(p, f"{what} {d} is after the report date {report.date}",
                               hint="a report can only record what was done by its date"))

    def matched(field: str, noun: str, results: list, known: dict) -> tuple[list[tuple[int, Any, bool]], dict]:
        """The report's results for ``field`` with duplicates and unknown ids reported:
        (index, result, known to the program) for each first mention, and the ids seen."""
        out: list[tuple[int, Any, bool]] = []
        seen: dict[str, int] = {}
        for i, r in enumerate(results):
            if r.id in seen:
                problems.append(at((field, i, "id"), f"{noun} '{r.id}' is reported twice (also {field}[{seen[r.id]}])"))
                continue
            seen[r.id] = i
            if r.id not in known:
                problems.append(at((field, i, "id"), f"the program has no {noun} with id '{r.id}'",
                                   hint=_known_hint(r.id, list(known), field)))
            out.append((i, r, r.id in known))
        return out, seen

    # targets
    targets = dict(program_targets(program))
    results, seen = matched("targets", "target", report.targets, targets)
    for i, r, known in results:
        if known and r.actual is None:
            problems.append(at(("targets", i), f"target '{r.id}' has no actual value",
                               hint="add 'actual: <number>' (the value reached, in the target's unit)"))
    for tid, t in targets.items():
        if tid not in seen:
            ind = text_in(t.indicator, "zh", program.source_lang) or text_in(t.indicator, "en", program.source_lang)
            problems.append(at(("targets",), f"target '{tid}' ({ind}) has no actual value",
                               hint=f"add '- {{id: {tid}, actual: <number>}}' under 'targets:'", key=True))

    # tasks
    tasks = {key: t for key, _, t in program_tasks(program)}
    results, seen = matched("tasks", "task", report.tasks, tasks)
    for i, r, _known in results:
        if r.status == "done" and r.completed is None:
            problems.append(at(("tasks", i, "status"), f"task '{r.id}' is done but has no completion date",
                               hint="add 'completed: YYYY-MM-DD'"))
        if r.status != "done" and r.completed is not None:
            problems.append(at(("tasks", i, "completed"), f"task '{r.id}' has a completion date but its status is {r.status}",
                               hint="set 'status: done', or remove 'completed'"))
        if r.completed is not None:
            check_date(r.completed, ("tasks", i, "completed"), f"completion date of task '{r.id}'")
    # every task needs a status: its own, or one for each of its items (the task's status then
    # rolls up from them); the items of a task that has a status need none
    children: dict[str | None, list[str]] = {}
    for key, _no, _t, parent in program_task_tree(program):
        children.setdefault(parent, []).append(key)

    def covered(key: str) -> bool:
        return key in seen or (bool(children.get(key)) and all(covered(c) for c in children[key]))
    for tid in children.get(None, []):
        if not covered(tid):
            items = children.get(tid)
            problems.append(at(("tasks",), f"task '{tid}' of the program has no status in the report",
                               hint=f"add '- {{id: {tid}, status: done|in_progress|not_started}}' under 'tasks:'"
                               + (f" (or a status for each of its items: {', '.join(items)})" if items else ""),
                               key=True))

    # phases
    phases = dict(program_phases(program))
    results, _seen = matched("phases", "phase", report.phases, phases)
    for i, r, _known in results:
        if r.completed_on is not None:
            check_date(r.completed_on, ("phases", i, "completed"), f"completion date of phase '{r.id}'")

    # images
    for i, im in enumerate(report.images):
        f = report.base_dir / im.file
        if not f.is_file():
            problems.append(at(("images", i, "file"), f"image file '{im.file}' not found (looked in {report.base_dir})",
                               hint="give the image path relative to the report file"))
    # narrative order
    last: str | None = None
    seen_types: set[str] = set()
    for i, s in enumerate(report.sections):
        if s.type == "free":
            continue
        if s.type in seen_types:
            problems.append(at(("sections", i, "type"), f"there is already a '{s.type}' section",
                               hint="put all of it in one section (use items for sub-parts)"))
        elif last is not None and NARRATIVE_ORDER.index(s.type) < NARRATIVE_ORDER.index(last):
            problems.append(at(("sections", i, "type"), f"the '{s.type}' section comes after '{last}'",
                               hint="the usual order is " + " → ".join(NARRATIVE_ORDER)))
        seen_types.add(s.type)
        last = s.type if last is None or NARRATIVE_ORDER.index(s.type) > NARRATIVE_ORDER.index(last) else last
    return problems


def _known_hint(given: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(given, known, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if not known:
        return f"the program has no {what}"
    return f"the program's {what}: " + ", ".join(known[:12]) + (" …" if len(known) > 12 else "")


def is_report_data(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "report"


__all__ = ["ImageRef", "NarrativeSection", "Period", "PhaseResult", "ProgramRef", "Report", "TargetResult",
           "TaskStatus", "REPORT_SECTION_TYPES", "is_report_data", "load_report", "load_report_data",
           "program_phases", "program_targets", "program_task_tree", "program_tasks", "ProgramResolver",
           "enclosing_archive", "resolve_program_path"]
