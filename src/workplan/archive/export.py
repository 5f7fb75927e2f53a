"""Transfer packages (移交): a zip of the selected records' bags plus the catalogue of archived
files (归档文件目录) as CSV (UTF-8 with BOM, for Excel) and XLSX, and a SHA-256 manifest of
everything in the package. Written atomically; every record is verified before it is packed.

Zip layout::

    bags/<code>/v<n>/...        the bags, exactly as stored
    catalogue.csv               档号, 文号, 责任者, 题名, 日期 (YYYYMMDD), 页数, 保管期限, 备注
    catalogue.xlsx              the same, one sheet 归档文件目录
    log-head.json               the archive's event log head when the package was made (event, hash)
    manifest-sha256.txt         sha256 of every other file in the package
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, WorkplanError
from .codes import RETENTION_LABELS
from .fsutil import NotRegular, fsync_path, now_iso, open_regular
from .record import Record

CATALOGUE_COLUMNS = ("档号", "文号", "责任者", "题名", "日期", "页数", "保管期限", "备注")


@dataclass
class ExportResult:
    path: Path
    records: int
    documents: int
    files: int
    size: int
    sha256: str


def catalogue_rows(records: list[Record], latest: dict[str, int]) -> list[list]:
    rows = []
    for r in records:
        notes = []
        if r.version > 1:
            notes.append(f"第{r.version}版，替代第{r.version - 1}版")
        if latest.get(r.code, r.version) > r.version:
            notes.append(f"已被第{latest[r.code]}版替代")
        if r.kind == "legacy":
            notes.append("原件归档")
        rows.append([r.code, r.doc_number or "", r.issuer, r.title, r.date.strftime("%Y%m%d"),
                     r.pages if r.pages is not None else "", RETENTION_LABELS[r.retention], "；".join(notes)])
    return rows


def catalogue_csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CATALOGUE_COLUMNS)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def catalogue_xlsx(rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    wb = Workbook()
    ws = wb.active
    ws.title = "归档文件目录"
    ws.append(list(CATALOGUE_COLUMNS))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center")
    for r in rows:
        ws.append(r)
    widths = (30, 22, 22, 50, 11, 6, 9, 24)
    for i, wdt in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = wdt
    ws.freeze_panes = "A2"
    wb.properties.title = title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _stored_files(base: Path):
    """(path, bytes) of every file of a stored bag, read without following a symbolic link; a link or
    any other non-regular entry stops the export (``verify`` names it as damage)."""
    for dirpath, dirs, files in os.walk(base):
        for name in sorted(dirs):
            if os.path.islink(os.path.join(dirpath, name)):
                raise NotRegular(0, "is a symbolic link", os.path.join(dirpath, name))
        for name in sorted(files):
            p = Path(dirpath) / name
            with open_regular(p) as f:
                yield p, f.read()


def export_transfer(arc, output: Path, *, year: int, unit: str | None = None, kind: str | None = None,
                    retention: str | None = None, all_versions: bool = False, progress=None,
                    force: bool = False) -> ExportResult:
    if output.exists() and output.is_dir():
        raise WorkplanError(Problem("the output is a folder", file=str(output), hint="give a file name, e.g. transfer.zip"))
    if (output.exists() or output.is_symlink()) and not force:
        raise WorkplanError(Problem("the output file exists; nothing was exported", file=str(output),
                                    hint="choose another name, or pass --force to replace it"))
    if not output.parent.is_dir():
        raise WorkplanError(Problem("the output's folder does not exist", file=str(output.parent)))
    records = arc.records(current_only=not all_versions, year=year, unit=unit, kind=kind, retention=retention)
    records = [r for r in records if r.status != "disposed"]
    if not records:
        filters = ", ".join(f"{k} {v}" for k, v in (("unit", unit), ("kind", kind), ("retention", retention)) if v)
        raise WorkplanError(Problem(f"nothing to export: no records of {year}" + (f" with {filters}" if filters else ""),
                                    file=str(arc.root), hint="see `workplan archive list --year YEAR`"))
    codes = sorted({r.code for r in records})
    problems: list[Problem] = []
    log = arc.read_log()  # every record is checked against the log (read once), not only its manifests
    for code in codes:
        problems.extend(arc.verify_record(code, log=log))
    if problems:
        problems.append(Problem("nothing was exported: these records failed their fixity check", file=str(output),
                                hint="run `workplan archive verify` and restore the damaged files first"))
        raise WorkplanError(problems)
    latest: dict[str, int] = {}
    for code in codes:
        latest[code] = max(v.version for v in arc.versions(code))
    rows = catalogue_rows(records, latest)
    tmp = output.parent / f".{output.name}.{os.getpid()}.part"
    manifest: list[tuple[str, str]] = []
    n_files = 0
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for i, r in enumerate(records, 1):
                base = r.bag_dir
                if base.is_symlink():
                    raise NotRegular(0, "is a symbolic link", str(base))
                for p, data in _stored_files(base):
                    arcname = f"{Path(r.bag_dir).relative_to(arc.root).as_posix()}/{p.relative_to(base).as_posix()}"
                    z.writestr(arcname, data)
                    manifest.append((hashlib.sha256(data).hexdigest(), arcname))
                    n_files += 1
                if progress:
                    progress(i, len(records))
            title = f"{arc.config.fonds_name} {year}年度 归档文件目录"
            from .anchor import log_head
            head = (json.dumps({"fonds_code": arc.config.fonds_code, **log_head(arc)}, ensure_ascii=False, indent=2)
                    + "\n").encode("utf-8")
            for name, data in (("catalogue.csv", catalogue_csv(rows)), ("catalogue.xlsx", catalogue_xlsx(rows, title)),
                               ("log-head.json", head)):
                z.writestr(name, data)
                manifest.append((hashlib.sha256(data).hexdigest(), name))
            z.writestr("manifest-sha256.txt", "".join(f"{h}  {n}\n" for h, n in manifest))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, output)
        else:
            os.link(tmp, output)  # fails if a file of that name appeared meanwhile: never overwritten
            tmp.unlink()
        fsync_path(output.parent)
    except NotRegular as e:
        tmp.unlink(missing_ok=True)
        raise WorkplanError(Problem(f"{e.filename} {e.strerror}: stored files must be regular files inside the "
                                    "archive; nothing was exported", file=str(output),
                                    hint="run `workplan archive verify` and restore the damaged record")) from None
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise WorkplanError(Problem("the output file exists; nothing was exported", file=str(output),
                                    hint="choose another name, or pass --force to replace it")) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    h = hashlib.sha256()
    with open(output, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    size = output.stat().st_size
    if arc.read_only:  # a read-only archive (an auditor's copy) is exported from, not written to
        return ExportResult(output, len(records), len(codes), n_files, size, h.hexdigest())
    ev = arc.events.append("export", "archive", {
        "file": output.name, "sha256": h.hexdigest(), "size": size, "year": year,
        "filters": {"unit": unit, "kind": kind, "retention": retention, "all_versions": all_versions},
        "records": [f"{r.code} v{r.version}" for r in records], "exported_at": now_iso()})
    arc.catalogue.note_event(ev)
    return ExportResult(output, len(records), len(codes), n_files, size, h.hexdigest())
