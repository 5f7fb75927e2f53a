"""Annual compilation (年度汇编): a year's archived documents as one volume.

:func:`compile_volume` selects archived records (year, unit, kind), refuses any whose files fail
their fixity check, and writes one PDF (or DOCX) with:

1. a cover (title, year, compiling unit, date),
2. a table of contents with the volume page where each document starts,
3. a statistics page (documents by kind and by unit; for progress reports, target attainment
   and task completion, computed from the archived report data),
4. the archive catalogue (归档文件目录) of the included records,
5. every document's archived PDF pages, unchanged, ordered by unit, then date, then code.

PDF volumes get one bookmark per document, grouped under one bookmark per unit, and volume
page numbers (档案页号) stamped in the top margin; the documents' own "— n —" numbers at the
bottom stay as they are. See :mod:`.pdfvol` and :mod:`.docxvol`.
"""
from __future__ import annotations

import datetime as dt
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..archive.anchor import log_head
from ..errors import Problem, WorkplanError
from ..i18n import Said

from .plan import DOCX_ROLES, Entry, Progress, VolumePlan, VolumeResult


# --- selection ------------------------------------------------------------------------------
def describe_filters(year: int, unit: str | None, kind: str | None) -> str:
    parts = [f"year={year}"]
    if unit:
        parts.append(f"unit={unit}")
    if kind:
        parts.append(f"kind={kind}")
    return " ".join(parts)


def select_records(arc: Any, year: int, unit: str | None = None, kind: str | None = None) -> list[Any]:
    """Current records of the year (and unit, kind), ordered by unit (first issuer), date, code."""
    recs = arc.records(current_only=True, year=year, unit=unit, kind=kind)
    recs = [r for r in recs if getattr(r, "status", "active") != "disposed"]
    if not recs:
        raise WorkplanError(Problem(
            Said("compile.refuse.no_records", filters=describe_filters(year, unit, kind)),
            file=str(getattr(arc, "root", "")) or None, hint=Said("compile.refuse.no_records.hint")))
    return sorted(recs, key=lambda r: (r.issuer or "", r.date, r.code))


def check_fixity(arc: Any, records: list[Any], progress: Progress | None = None) -> None:
    """Refuse the whole volume if any record's files fail their fixity check, naming each."""
    bad: list[Problem] = []
    log = arc.read_log() if hasattr(arc, "read_log") else None  # checked against the log, read once
    for i, r in enumerate(records, 1):
        found = arc.verify_record(r.code, log=log) if log is not None else arc.verify_record(r.code)
        for p in found:
            bad.append(Problem(Said("compile.refuse.fixity", code=r.code, title=r.title, problem=p.message),
                               file=p.file, hint=None))
        if progress:
            progress("checking fixity", i, len(records))
    if bad:
        bad.append(Problem(Said("compile.refuse.not_written"), hint=Said("compile.refuse.not_written.hint")))
        raise WorkplanError(bad)


def _main_file(arc: Any, rec: Any, fmt: str, lang: str) -> tuple[Path | None, str | None]:
    if fmt == "pdf":
        role = rec.main_pdf_role
        if lang == "en" and "pdf:en" in rec.roles:
            role = "pdf:en"
    else:
        role = next((r for r in DOCX_ROLES[lang] if r in rec.roles), None)
        if role is None and "original" in rec.roles:
            p = arc.file(rec, "original")
            if p.suffix.lower() == ".docx":
                return p, "original"
    if role is None:
        return None, None
    return arc.file(rec, role), role


def _report_progress(arc: Any, rec: Any) -> tuple[Any, str | None]:
    """The computed progress of an archived report, from its archived data file."""
    if "source" not in rec.roles:
        return None, Said("compile.warn.no_report_data", code=rec.code)
    from ..model.progress import compute_progress
    from ..archive.programs import ArchivePrograms
    from ..model.report import Report, load_report
    try:
        report = load_report(arc.file(rec, "source"), program_resolver=ArchivePrograms(arc), allow_superseded=True)
    except WorkplanError as e:
        return None, Said("compile.warn.report_unreadable", code=rec.code, problem=e.problems[0].message)
    if not isinstance(report, Report):
        return None, None
    return compute_progress(report), None


def default_compiler(arc: Any, records: list[Any], unit: str | None, lang: str = "zh") -> str:
    """The compiling unit: the one issuer of the records, else the fonds (the archive's name; in
    English its English name, which also stands for an issuer that is the fonds itself)."""
    issuers = list(dict.fromkeys(r.issuer for r in records if r.issuer))
    cfg = getattr(arc, "config", None)
    name = getattr(cfg, "fonds_name", None)
    name_en = getattr(cfg, "fonds_name_en", None)
    if lang == "en" and name_en and (len(issuers) != 1 or issuers[0] == name):
        return name_en
    if len(issuers) == 1:
        return issuers[0]
    if name:
        return name
    return unit or ""


def _has_chinese(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text or "")


def default_title(compiler: str, year: int, lang: str) -> str:
    if lang == "en":
        return f"{compiler + ': ' if compiler else ''}Compilation of Documents, {year}"
    return f"{compiler}{year}年度文件汇编"


def volume_format(output: Path, fmt: str | None) -> str:
    """``fmt`` if given, else the format named by the output's suffix (.pdf or .docx)."""
    if fmt is None:
        fmt = {".pdf": "pdf", ".docx": "docx"}.get(output.suffix.lower())
        if fmt is None:
            raise WorkplanError(Problem("cannot tell the volume's format from its file name", file=str(output),
                                        hint="name it .pdf or .docx, or give --format pdf|docx"))
    if fmt not in ("pdf", "docx"):
        raise WorkplanError(Problem(f"unknown volume format '{fmt}'", hint="use pdf or docx"))
    return fmt


def plan_volume(arc: Any, *, year: int, unit: str | None = None, kind: str | None = None, fmt: str = "pdf",
                title: str | None = None, compiler: str | None = None, date: dt.date | None = None,
                lang: str = "zh", progress: Progress | None = None) -> VolumePlan:
    records = select_records(arc, year, unit, kind)
    check_fixity(arc, records, progress)
    compiler = compiler if compiler is not None else default_compiler(arc, records, unit, lang)
    if lang == "en" and title is None and _has_chinese(compiler):
        # like a missing translation in a document: an English volume does not print Chinese
        raise WorkplanError(Problem(Said("compile.refuse.no_english_name", compiler=compiler),
                                    hint=Said("compile.refuse.no_english_name.hint")))
    plan = VolumePlan(year=year, title=title or default_title(compiler, year, lang), compiler=compiler,
                      date=date or dt.date.today(), lang=lang, entries=[], unit_filter=unit, kind_filter=kind,
                      log_head=log_head(arc))
    for i, rec in enumerate(records, 1):
        f, role = _main_file(arc, rec, fmt, lang)
        e = Entry(record=rec, seq=i, unit=rec.issuer or "", file=f, role=role)
        if f is None:
            what = "PDF" if fmt == "pdf" else "Word (DOCX)"
            e.note = {("pdf", "zh"): "无PDF", ("pdf", "en"): "no PDF", ("docx", "zh"): "无Word版",
                      ("docx", "en"): "no DOCX"}[(fmt, lang)]
            plan.warnings.append(Said("compile.warn.no_rendition", code=rec.code, title=rec.title, what=what))
        if rec.version and rec.version > 1:
            e.note = (e.note + " " if e.note else "") + (f"v{rec.version}" if lang == "en" else f"第{rec.version}版")
        if rec.kind == "report":
            e.progress, warn = _report_progress(arc, rec)
            if warn:
                plan.warnings.append(warn)
        plan.entries.append(e)
        if progress:
            progress("reading records", i, len(records))
    return plan


def compile_volume(arc: Any, output: str | Path, *, year: int, unit: str | None = None, kind: str | None = None,
                   fmt: str | None = None, title: str | None = None, compiler: str | None = None,
                   date: dt.date | None = None, lang: str = "zh", progress: Progress | None = None) -> VolumeResult:
    """Build the volume for ``year`` into ``output`` (written atomically). See the module docstring."""
    output = Path(output)
    fmt = volume_format(output, fmt)
    if lang not in ("zh", "en"):
        raise WorkplanError(Problem(f"unknown volume language '{lang}'", hint="use zh or en"))
    if output.is_dir():
        raise WorkplanError(Problem("is a folder: give the volume's file name", file=str(output),
                                    hint=f"e.g. -o {output / f'volume-{year}.{fmt}'}"))
    existing = next((d for d in output.absolute().parents if d.exists()), None)
    if existing is not None and not existing.is_dir():
        raise WorkplanError(Problem(f"cannot write the volume: {existing} is a file, not a folder", file=str(output)))
    with _interrupted_by_signals():  # SIGTERM/SIGHUP unwind like Ctrl-C: temporary files are removed
        return _compile(arc, output, year=year, unit=unit, kind=kind, fmt=fmt, title=title, compiler=compiler,
                        date=date, lang=lang, progress=progress)


@contextmanager
def _interrupted_by_signals():
    """While compiling, SIGTERM and SIGHUP raise KeyboardInterrupt (as SIGINT does), so every
    ``finally`` runs: the ``.part`` output and the temporary folders are removed, not left behind
    by a killed compile. Only in the main thread (signal handlers can be set nowhere else)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            old[sig] = signal.signal(sig, interrupt)
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _compile(arc: Any, output: Path, *, year, unit, kind, fmt, title, compiler, date, lang, progress) -> VolumeResult:
    plan = plan_volume(arc, year=year, unit=unit, kind=kind, fmt=fmt, title=title, compiler=compiler, date=date,
                       lang=lang, progress=progress)
    try:
        if fmt == "pdf":
            from .pdfvol import write_pdf_volume
            write_pdf_volume(plan, output, progress=progress)
        else:
            from .docxvol import write_docx_volume
            write_docx_volume(plan, output, progress=progress)
    except OSError as e:
        raise WorkplanError(Problem(f"cannot write the volume: {e.strerror or e}", file=str(output),
                                    hint="check that the folder exists and is writable, and that there is disk space")) from None
    return VolumeResult(output=output, format=fmt, documents=len(plan.entries), pages=plan.total_pages,
                        front_pages=plan.front_pages, entries=plan.entries, warnings=plan.warnings)


__all__ = ["Entry", "VolumePlan", "VolumeResult", "compile_volume", "plan_volume", "select_records", "volume_format"]
