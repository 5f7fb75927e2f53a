"""Ingesting a data file: check it, render it (or take its pre-built renditions), derive the
record's metadata from the document, and hand the staged record to the archive."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path

from ..archive import Archive, Prepared, Record
from ..archive.bag import METADATA_NAME, Staging
from ..archive.codes import check_retention, org_code
from ..archive.fsutil import copy_durable, crash_point, sha256_bytes, sha256_file
from ..archive.pdfinfo import pdf_info
from ..archive.programs import ArchivePrograms
from ..errors import Problem, WorkplanError
from ..formats import FORMATS, RENDITION_RE  # the one table of formats
from ..i18n import OUTPUT_LANGS
from ..model import DataDocument, load_source
from ..model import Source as Loaded
from ..render import build_file, build_ir, output_name


@dataclasses.dataclass(frozen=True)
class CheckedFile:
    """A data file that passed :func:`check_data_file`: its bytes and document as read (kept to
    be staged and built: the archived copy must have these very bytes), the record's metadata,
    and the options it was checked for."""

    path: Path
    loaded: Loaded
    meta: dict
    formats: tuple[str, ...]
    prebuilt: Path | None
    allow_missing: bool

    @property
    def doc(self) -> DataDocument:
        return self.loaded.doc


def load_data_file(arc: Archive, path: str | os.PathLike) -> DataDocument:
    """Read and validate a data file, resolving a report's ``program: {archive: CODE}`` in ``arc``."""
    return _load_data_file(arc, path).doc


def _load_data_file(arc: Archive, path: str | os.PathLike) -> Loaded:
    """:func:`load_data_file` keeping the bytes read."""
    return load_source(Path(path), program_resolver=ArchivePrograms(arc))


def _slim(loaded: Loaded) -> Loaded:
    """What is kept of a file read (and sent to a worker): its bytes and its document."""
    return dataclasses.replace(loaded, data=None, positions=None)


def check_data_file(arc: Archive, path: str | os.PathLike, *, retention: str | None = None,
                    langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                    prebuilt: str | os.PathLike | None = None, allow_missing: bool = False,
                    on_warning: Callable[[Problem], None] | None = None) -> CheckedFile:
    """Everything that can go wrong with the input, checked before anything is written: the
    file as checked, to hand to :func:`prepare_checked` (or :func:`add_data_file`).
    ``allow_missing``: a missing translation falls back to the other language (as ``workplan
    build --allow-missing``) instead of refusing the file; each fallback is passed to
    ``on_warning``."""
    path = Path(path)
    loaded = _load_data_file(arc, path)
    doc = loaded.doc
    retention = check_retention(retention or doc.retention or arc.config.default_retention, where=str(path))
    langs = tuple(dict.fromkeys(langs))
    formats = tuple(dict.fromkeys(formats))
    _check_options(path, langs, formats)
    meta = doc_metadata(arc, doc, path, retention, langs)
    if prebuilt is not None:
        _check_prebuilt(path, Path(prebuilt), langs, formats)
    elif formats:
        for lg in langs:
            # raises MissingTranslation before anything is written
            rdoc = build_ir(doc, lg, file=str(path), allow_missing=allow_missing, draw=False,
                            positions=loaded.positions)
            for w in rdoc.warnings:
                if on_warning is not None:
                    on_warning(w)
    arc.precheck_identity(meta)
    return CheckedFile(path, _slim(loaded), meta, formats, None if prebuilt is None else Path(prebuilt),
                       allow_missing)


def _check_options(path: Path, langs: tuple[str, ...], formats: tuple[str, ...]) -> None:
    for lg in langs:
        if lg not in OUTPUT_LANGS:
            raise WorkplanError(Problem(f"unknown language {lg!r}", file=str(path),
                                        hint=f"use {', '.join(OUTPUT_LANGS)}"))
    for f in formats:
        if f not in FORMATS:
            raise WorkplanError(Problem(f"unknown format {f!r}", file=str(path),
                                        hint=f"use {' and/or '.join(FORMATS)}"))


def _check_prebuilt(path: Path, pdir: Path, langs: tuple[str, ...], formats: tuple[str, ...]) -> None:
    for lg in langs:
        for fmt in formats:
            p = pdir / output_name(path, lg, fmt)
            if not p.is_file():
                raise WorkplanError(Problem(f"the pre-built {fmt.upper()} is missing", file=str(p),
                                            hint=f"build it first: workplan build {path} -o {pdir} --lang {lg}"))


def prepare_data_file(arc: Archive, path: str | os.PathLike, *, retention: str | None = None,
                      langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                      prebuilt: str | os.PathLike | None = None, staging: Staging | None = None,
                      allow_missing: bool = False) -> Prepared:
    """Check a data file and stage its payload (outside the write lock). ``staging``: a shared
    staging folder (see :func:`add_data_files`)."""
    return prepare_checked(arc, check_data_file(arc, path, retention=retention, langs=langs, formats=formats,
                                                prebuilt=prebuilt, allow_missing=allow_missing), staging)


def prepare_checked(arc: Archive, checked: CheckedFile, staging: Staging | None = None) -> Prepared:
    """Stage a checked data file's payload: its source (the bytes checked), its renditions built
    from the document checked (or taken pre-built)."""
    arc.precheck_identity(checked.meta)  # the archive may have changed since the check
    ws, files = _stage_source(arc, checked.path, checked.loaded, staging)
    try:
        outputs = None
        if checked.prebuilt is None and checked.formats:
            outputs = _render(checked.path, ws.bag, tuple(checked.meta["langs"]), checked.formats,
                              checked.allow_missing, checked.loaded, ArchivePrograms(arc))
        return _finish(checked.path, ws, files, dict(checked.meta), checked.formats, checked.prebuilt, outputs)
    except BaseException:
        ws.cleanup()
        raise


def prepare_data_files(arc: Archive, checked: Sequence[CheckedFile], *, staging: Staging,
                       pool: Executor | None = None) -> list[Prepared | WorkplanError]:
    """:func:`prepare_checked` for several checked files, each one's Prepared or the
    WorkplanError that stopped it. With ``pool`` (a ``concurrent.futures.ProcessPoolExecutor``),
    the renditions of all of them are built in its worker processes at once (each from the
    document checked, sent to the worker), while this process stages and finishes them in order."""
    if pool is None:
        out: list[Prepared | WorkplanError] = []
        for c in checked:
            try:
                out.append(prepare_checked(arc, c, staging))
            except WorkplanError as e:
                out.append(e)
        return out
    started: list = []
    try:
        for c in checked:
            if c.prebuilt is not None or not c.formats:
                started.append(_prepared_or_error(arc, c, staging))
                continue
            try:
                arc.precheck_identity(c.meta)
                ws, files = _stage_source(arc, c.path, c.loaded, staging)
            except WorkplanError as e:
                started.append(e)
                continue
            # the document travels with its program resolved: the worker needs no resolver
            fut = pool.submit(_render, c.path, ws.bag, tuple(c.meta["langs"]), c.formats, c.allow_missing,
                              c.loaded, None)
            started.append((c, ws, files, fut))
        return [_finish_started(item) for item in started]
    except BaseException:
        for item in started:
            if isinstance(item, tuple):
                item[3].cancel()
                try:
                    item[3].exception()  # the worker is done writing into the workspace before it goes
                except BaseException:  # noqa: BLE001, S110 - its failure is not this one's cause
                    pass
                item[1].cleanup()
        raise


def _prepared_or_error(arc: Archive, c: CheckedFile, staging: Staging) -> Prepared | WorkplanError:
    try:
        return prepare_checked(arc, c, staging)
    except WorkplanError as e:
        return e


def _finish_started(item: Prepared | WorkplanError | tuple) -> Prepared | WorkplanError:
    """A record whose renditions a worker is building: finished when they are built."""
    if not isinstance(item, tuple):
        return item
    c, ws, files, fut = item
    try:
        return _finish(c.path, ws, files, dict(c.meta), c.formats, None, fut.result())
    except WorkplanError as e:
        ws.cleanup()
        return e


def _stage_source(arc: Archive, path: Path, loaded, staging: Staging | None):
    """A workspace for the record holding a copy of the source: (workspace, files)."""
    ws = staging.workspace() if staging is not None else arc.new_staging()
    try:
        src_name = path.name if path.name != METADATA_NAME else f"source-{path.name}"
        h, size = copy_durable(path, ws.bag / src_name, sync=False)
        if h != sha256_bytes(loaded.raw):  # the metadata and renditions come from the bytes checked
            raise WorkplanError(Problem("the file changed while it was being archived", file=str(path),
                                        hint="archive it again"))
        return ws, {"source": {"path": f"data/{src_name}", "size": size, "sha256": h}}
    except BaseException:
        ws.cleanup()
        raise


def _render(path: Path, outdir: Path, langs: tuple[str, ...], formats: tuple[str, ...], allow_missing: bool,
            loaded, program_resolver) -> list[Path]:
    """The renditions of the checked document, written into ``outdir`` (in a worker process with
    ``archive add --jobs``): the paths written."""
    try:
        # built from the document checked (its program found beside it or in the archive), not
        # read again; its bytes are the staged source's (compared when it was staged)
        return build_file(path, outdir, langs=list(langs), formats=list(formats), program_resolver=program_resolver,
                          allow_missing=allow_missing, loaded=loaded).outputs
    except NotImplementedError as e:
        raise WorkplanError(Problem(
            f"cannot build {'/'.join(f.upper() for f in formats)} with this version of workplan ({e})",
            file=str(path), hint="archive pre-built files with --from DIR, or only the data file with "
                                 "--format none")) from None


def _finish(path: Path, ws, files: dict, meta: dict, formats: tuple[str, ...], prebuilt, outputs) -> Prepared:
    """The renditions taken (pre-built) or hashed (``outputs``, built), the page count: the record staged."""
    langs = tuple(meta["langs"])
    if prebuilt is not None:
        for lg in langs:
            for fmt in formats:
                name = output_name(path, lg, fmt)
                h, size = copy_durable(Path(prebuilt) / name, ws.bag / name, sync=False)
                files[f"{fmt}:{lg}"] = {"path": f"data/{name}", "size": size, "sha256": h}
    for out in outputs or ():
        m = RENDITION_RE.match(out.name)
        if m is None:
            raise WorkplanError(Problem("a rendition was written under an unexpected name", file=str(out)))
        role = f"{m['fmt'].lower()}:{m['lang']}"
        h, size = sha256_file(ws.bag / out.name)
        files[role] = {"path": f"data/{out.name}", "size": size, "sha256": h}
    pages = None
    for role in ("pdf:zh", "pdf:zh-en", "pdf:en"):
        if role in files:
            pdf = ws.bag / files[role]["path"][5:]
            pages, problem = pdf_info(pdf, path if prebuilt is not None else None)
            if problem:
                where = Path(prebuilt) / pdf.name if prebuilt is not None else path
                raise WorkplanError(Problem(problem, file=str(where),
                                            hint=f"rebuild it: workplan build {path} -o {prebuilt or 'DIR'}"))
            break
    meta["pages"] = pages
    crash_point("staged")
    return Prepared(ws, files, meta)


def doc_metadata(arc: Archive, doc, path: Path, retention: str, langs: tuple[str, ...]) -> dict:
    """The record's metadata (identity, title, issuer, organization code, …) from the document."""
    from ..model import text_any, text_in
    if not doc.issuers:
        raise WorkplanError(Problem("the document names no issuer; the archival code needs one", file=str(path),
                                    path="issuers", hint="add `issuers: [<unit id>]`"))
    u = doc.unit(doc.issuers[0])
    org = located(lambda: org_code(abbr=u.abbr, unit_id=u.id, name=u.name, mapping=arc.config.org_codes), str(path))
    title = text_in(doc.title, "zh", doc.source_lang) or text_any(doc.title, "zh")
    title_en = text_in(doc.title, "en", doc.source_lang)
    doc_number = doc.doc_number.render("zh") if doc.doc_number else None
    unit_ids = doc.unit_ids_used()
    names = []
    for uid in unit_ids:
        try:
            names.append(doc.unit(uid).name)
        except KeyError:
            pass
    if doc.id:
        identity = doc.id
    elif doc_number:
        identity = f"{u.name}|{doc_number}"
    else:
        identity = f"{u.name}|{title}|{doc.date.year}"
    return {"identity": identity, "title": title, "title_en": title_en,
            "kind": doc.kind, "issuer": u.name, "issuer_abbr": u.abbr or org, "doc_number": doc_number,
            "date": doc.date.isoformat(), "year": doc.date.year, "retention": retention, "org": org,
            "units": list(dict.fromkeys(names)), "unit_ids": list(unit_ids), "langs": list(langs),
            "pages": None}


def add_data_file(arc: Archive, path: str | os.PathLike | CheckedFile, *, retention: str | None = None,
                  langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                  prebuilt: str | os.PathLike | None = None, notify: bool = True,
                  allow_missing: bool = False, reason: str | None = None) -> Record:
    """Archive a data file (YAML/JSON) with its renditions: built now with
    :func:`workplan.render.build_file`, or taken from ``prebuilt`` (a folder holding
    ``<stem>.<lang>.<fmt>`` files made by `workplan build`). Same identity as an archived
    document → a new version of it. ``path`` may be a file already checked (then the options
    it was checked with apply)."""
    checked = path if isinstance(path, CheckedFile) else check_data_file(
        arc, path, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt, allow_missing=allow_missing)
    prep = prepare_checked(arc, checked, arc.shared_staging())
    return arc.store([prep], notify=notify, reason=reason)[0]


def located(fn, file: str):
    """Run ``fn``; give the problems of a WorkplanError it raises this file as their place."""
    try:
        return fn()
    except WorkplanError as e:
        for p in e.problems:
            p.file = p.file or file
        raise WorkplanError(e.problems) from None
