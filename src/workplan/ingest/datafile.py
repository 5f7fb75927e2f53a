"""Ingesting a data file: check it, render it (or take its pre-built renditions), derive the
record's metadata from the document, and hand the staged record to the archive."""
from __future__ import annotations

import dataclasses
import os
import weakref
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..archive import Archive, Prepared, Record
from ..archive.bag import METADATA_NAME, Staging
from ..archive.codes import check_retention, org_code
from ..archive.fsutil import copy_durable, crash_point, sha256_bytes, sha256_file
from ..archive.pdfinfo import pdf_info
from ..errors import Problem, WorkplanError
from ..formats import FORMATS, RENDITION_RE  # the one table of formats
from ..render import output_name

DATA_SUFFIXES = (".yaml", ".yml", ".json")

# check_data_file results per open archive, so that `add` does not validate twice
_CHECKED: "weakref.WeakKeyDictionary[Archive, dict]" = weakref.WeakKeyDictionary()


def load_data_file(arc: Archive, path: str | os.PathLike):
    """Read and validate a data file, resolving a report's ``program: {archive: CODE}`` in ``arc``."""
    return _load_data_file(arc, path).doc


def _load_data_file(arc: Archive, path: str | os.PathLike):
    """:func:`load_data_file` keeping the bytes read (a :class:`workplan.render.Loaded`)."""
    from ..archive.programs import ArchivePrograms
    from ..render import load_source
    return load_source(Path(path), ArchivePrograms(arc))


def _slim(loaded):
    """What is kept of a file read (and sent to a worker): its bytes and its document."""
    return dataclasses.replace(loaded, data=None, positions=None)


def check_data_file(arc: Archive, path: str | os.PathLike, *, retention: str | None = None,
                    langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                    prebuilt: str | os.PathLike | None = None, allow_missing: bool = False,
                    on_warning: "Callable[[Problem], None] | None" = None):
    """Everything that can go wrong with the input, checked before anything is written.
    Returns (document, metadata). ``allow_missing``: a missing translation falls back to the
    other language (as ``workplan build --allow-missing``) instead of refusing the file; each
    fallback is passed to ``on_warning``."""
    loaded, meta = _check_data_file(arc, path, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                                    allow_missing=allow_missing, on_warning=on_warning)
    return loaded.doc, meta


def _check_data_file(arc: Archive, path: str | os.PathLike, *, retention: str | None = None,
                     langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                     prebuilt: str | os.PathLike | None = None, allow_missing: bool = False,
                     on_warning: "Callable[[Problem], None] | None" = None):
    """:func:`check_data_file`, returning the file as read (bytes and document) and the metadata."""
    path = Path(path)
    checked = _CHECKED.setdefault(arc, {})
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size, retention, tuple(langs), tuple(formats),
               str(prebuilt), allow_missing)
    except OSError:
        key = None
    if key is not None and key in checked:
        loaded, meta = checked[key]
        arc.precheck_identity(meta)
        return loaded, dict(meta)
    loaded = _load_data_file(arc, path)
    doc = loaded.doc
    retention = check_retention(retention or doc.retention or arc.config.default_retention, where=str(path))
    langs = tuple(dict.fromkeys(langs))
    formats = tuple(dict.fromkeys(formats))
    from ..i18n import OUTPUT_LANGS
    for lg in langs:
        if lg not in OUTPUT_LANGS:
            raise WorkplanError(Problem(f"unknown language {lg!r}", file=str(path),
                                        hint=f"use {', '.join(OUTPUT_LANGS)}"))
    for f in formats:
        if f not in FORMATS:
            raise WorkplanError(Problem(f"unknown format {f!r}", file=str(path),
                                        hint=f"use {' and/or '.join(FORMATS)}"))
    meta = doc_metadata(arc, doc, path, retention, langs)
    if prebuilt is not None:
        pdir = Path(prebuilt)
        for lg in langs:
            for fmt in formats:
                p = pdir / output_name(path, lg, fmt)
                if not p.is_file():
                    raise WorkplanError(Problem(f"the pre-built {fmt.upper()} is missing", file=str(p),
                                                hint=f"build it first: workplan build {path} -o {pdir} --lang {lg}"))
    elif formats:
        from ..render import build_ir
        for lg in langs:
            # raises MissingTranslation before anything is written
            rdoc = build_ir(doc, lg, file=str(path), allow_missing=allow_missing, draw=False)
            for w in rdoc.warnings:
                if on_warning is not None:
                    on_warning(w)
    arc.precheck_identity(meta)
    loaded = _slim(loaded)
    if key is not None:
        checked[key] = (loaded, dict(meta))
    return loaded, meta


def prepare_data_file(arc: Archive, path, *, retention=None, langs=("zh",), formats=FORMATS, prebuilt=None,
                      staging: Staging | None = None, allow_missing: bool = False) -> Prepared:
    """Check a data file and stage its payload (outside the write lock). ``staging``: a shared
    staging folder (see :func:`add_data_files`)."""
    path = Path(path)
    loaded, meta = _check_data_file(arc, path, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                                    allow_missing=allow_missing)
    formats = tuple(dict.fromkeys(formats))
    ws, files = _stage_source(arc, path, loaded, staging)
    try:
        outputs = None
        if prebuilt is None and formats:
            from ..archive.programs import ArchivePrograms
            outputs = _render(path, ws.bag, tuple(meta["langs"]), formats, allow_missing, loaded,
                              ArchivePrograms(arc))
        return _finish(path, ws, files, meta, formats, prebuilt, outputs)
    except BaseException:
        ws.cleanup()
        raise


def prepare_data_files(arc: Archive, paths: Sequence[str | os.PathLike], *, retention=None, langs=("zh",),
                       formats=FORMATS, prebuilt=None, staging: Staging, allow_missing: bool = False,
                       pool=None) -> "list[Prepared | WorkplanError]":
    """:func:`prepare_data_file` for several files, each one's Prepared or the WorkplanError that
    stopped it. With ``pool`` (a ``concurrent.futures.ProcessPoolExecutor``), the renditions of
    all of them are built in its worker processes at once (each from the document checked, sent
    to the worker), while this process stages and finishes them in order."""
    if pool is None or prebuilt is not None or not formats:
        out: list = []
        for p in paths:
            try:
                out.append(prepare_data_file(arc, p, retention=retention, langs=langs, formats=formats,
                                             prebuilt=prebuilt, staging=staging, allow_missing=allow_missing))
            except WorkplanError as e:
                out.append(e)
        return out
    formats = tuple(dict.fromkeys(formats))
    started: list = []
    try:
        for p in paths:
            p = Path(p)
            try:
                loaded, meta = _check_data_file(arc, p, retention=retention, langs=langs, formats=formats,
                                                prebuilt=None, allow_missing=allow_missing)
                ws, files = _stage_source(arc, p, loaded, staging)
            except WorkplanError as e:
                started.append(e)
                continue
            # the document travels with its program resolved: the worker needs no resolver
            fut = pool.submit(_render, p, ws.bag, tuple(meta["langs"]), formats, allow_missing,
                              _slim(loaded), None)
            started.append((p, ws, files, meta, fut))
        out = []
        for item in started:
            if isinstance(item, WorkplanError):
                out.append(item)
                continue
            p, ws, files, meta, fut = item
            try:
                out.append(_finish(p, ws, files, meta, formats, None, fut.result()))
            except WorkplanError as e:
                ws.cleanup()
                out.append(e)
        return out
    except BaseException:
        for item in started:
            if not isinstance(item, WorkplanError):
                item[4].cancel()
                try:
                    item[4].exception()  # the worker is done writing into the workspace before it goes
                except BaseException:  # noqa: BLE001
                    pass
                item[1].cleanup()
        raise


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
    from ..render import build_file
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
            raise ValueError(f"not a rendition's file name: {out.name}")  # build_file names them so
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


def add_data_file(arc: Archive, path: str | os.PathLike, *, retention: str | None = None,
                  langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                  prebuilt: str | os.PathLike | None = None, notify: bool = True,
                  allow_missing: bool = False, reason: str | None = None) -> Record:
    """Archive a data file (YAML/JSON) with its renditions: built now with
    :func:`workplan.render.build_file`, or taken from ``prebuilt`` (a folder holding
    ``<stem>.<lang>.<fmt>`` files made by `workplan build`). Same identity as an archived
    document → a new version of it."""
    prep = prepare_data_file(arc, path, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                             staging=arc.shared_staging(), allow_missing=allow_missing)
    return arc.store([prep], notify=notify, reason=reason)[0]


def add_data_files(arc: Archive, paths: Iterable[str | os.PathLike], *, retention: str | None = None,
                   langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                   prebuilt: str | os.PathLike | None = None, notify: bool = True,
                   allow_missing: bool = False, reason: str | None = None) -> list[Record]:
    """Archive several data files as one batch (faster than one by one: the fsyncs and
    transactions are shared); each record is still atomic on its own."""
    shared = arc.new_staging(shared=True)
    try:
        preps = [prepare_data_file(arc, p, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                                   staging=shared, allow_missing=allow_missing) for p in paths]
        return arc.store(preps, notify=notify, reason=reason) if preps else []
    finally:
        shared.cleanup()


def located(fn, file: str):
    """Run ``fn``; give the problems of a WorkplanError it raises this file as their place."""
    try:
        return fn()
    except WorkplanError as e:
        for p in e.problems:
            p.file = p.file or file
        raise WorkplanError(e.problems) from None
