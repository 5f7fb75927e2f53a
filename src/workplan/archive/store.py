"""The archive: opening it, adding records and versions, disposal, catalogue rebuild.

How ``add`` stays atomic and gap-free (every step below is a named crash point for tests):

1. outside any lock, the payload (source, renditions) is written and fsynced in a private
   staging folder ``<root>/tmp/add-*`` (locked with flock while this process lives);
2. under the archive's write lock (``<root>/.lock``, flock), pending rows left by killed
   writers are resolved, then in one ``BEGIN IMMEDIATE`` transaction the identity is looked up
   (same identity → new version of the same code) or the next item number is allocated, and a
   *pending* row reserves it (``allocated``);
3. ``metadata.json`` is written and the folder made into a BagIt bag, fsynced (``bagged``);
4. the bag is renamed into ``bags/<code>/v<n>`` — the commit point: from here the record exists
   (``placed``);
5. the ingestion / new-version event is appended to the hash-chained log (``logged``);
6. the row becomes active (and the previous version superseded) in a second transaction
   (``committed``).

A process killed before 4 leaves a staging folder and possibly a pending row without a bag: the
row is dropped by the next writer or ``verify --repair`` (the number was never issued, so it is
reused and no gap appears); the folder is removed by ``verify --repair``. Killed after 4, the
bag is complete; the next writer or ``verify --repair`` logs the missing event and activates
the row.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import os
import re
import sys
from contextlib import contextmanager

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..errors import Problem, WorkplanError
from .bag import (METADATA_FORMAT, METADATA_NAME, TAGMANIFEST, TOMBSTONE_DIR, TOMBSTONE_FORMAT, Staging, Workspace,
                  build_bag, parse_metadata, read_manifest, row_from_metadata, rows_for_code, scan_bags)
from .catalogue import CATALOGUE_NAME, Catalogue, install_catalogue, row_to_record
from .codes import (RETENTION_LABELS, check_retention, expiry_date, format_code, normalize_code, org_code,
                    parse_code)
from .config import CONFIG_NAME, INIT_HINT, ArchiveConfig, load_config
from .events import LOG_NAME, EventLog
from .fsutil import (atomic_replace, copy_durable, crash_point, file_lock, fsync_many, fsync_path, fsync_trees, now_iso,
                     sha256_bytes, sha256_file, write_durable)
from .record import KINDS, Record, role_sort_key

ENV = "WORKPLAN_ARCHIVE"
DEFAULT_DIR = "archive"
DATA_SUFFIXES = (".yaml", ".yml", ".json")
FORMATS = ("docx", "pdf")
_RENDITION_RE = re.compile(r"^(?P<stem>.+)\.(?P<lang>zh|en|zh-en)\.(?P<fmt>docx|pdf)$", re.IGNORECASE)

logging.getLogger("pypdf").setLevel(logging.ERROR)
logging.getLogger("bagit").setLevel(logging.ERROR)


def resolve_root(path: str | os.PathLike | None = None) -> Path:
    """The archive folder: ``path``, else $WORKPLAN_ARCHIVE, else ./archive."""
    if path is None or str(path) == "":
        path = os.environ.get(ENV) or DEFAULT_DIR
    return Path(path).expanduser().absolute()


def open_archive(path: str | os.PathLike | None = None) -> "Archive":
    """Open an existing archive. Raises WorkplanError (with the hint to run `workplan archive
    init`) if it does not exist, lacks its configuration, or is unreadable."""
    root = resolve_root(path)
    if not root.exists():
        raise WorkplanError(Problem("no archive here: the folder does not exist", file=str(root), hint=INIT_HINT))
    if not root.is_dir():
        raise WorkplanError(Problem("not an archive: this is a file, not a folder", file=str(root), hint=INIT_HINT))
    if not os.access(root, os.R_OK | os.X_OK):
        raise WorkplanError(Problem("cannot read the archive folder (permission denied)", file=str(root),
                                    hint="check the folder's permissions"))
    config = load_config(root)
    return Archive(root, config)


def init_archive(path: str | os.PathLike | None = None, *, fonds: str, name: str, category: str = "WS",
                 default_retention: str = "D30", org_codes: dict[str, str] | None = None) -> "Archive":
    """Create an archive: configuration, empty catalogue, event log, bags/ and tmp/."""
    root = resolve_root(path)
    if root.exists() and not root.is_dir():
        raise WorkplanError(Problem("cannot create an archive here: it is a file", file=str(root)))
    if (root / CONFIG_NAME).exists():
        raise WorkplanError(Problem("an archive already exists here", file=str(root / CONFIG_NAME),
                                    hint="use it as it is, or choose another folder"))
    for leftover in ("bags", CATALOGUE_NAME, LOG_NAME):
        if (root / leftover).exists():
            raise WorkplanError(Problem(f"this folder holds an archive's {leftover} but no {CONFIG_NAME}",
                                        file=str(root), hint=f"restore {CONFIG_NAME} from a backup instead of "
                                                             "creating a new archive over the old one"))
    cfg = ArchiveConfig(fonds_code=(fonds or "").strip().upper(), fonds_name=(name or "").strip(),
                        category=(category or "").strip().upper(),
                        default_retention=(default_retention or "").strip().upper(),
                        org_codes=dict(org_codes or {}), created_at=now_iso())
    problems = cfg.problems()
    if not cfg.fonds_name:
        problems.append(Problem("the fonds needs a name (全宗名称)", hint='pass --name "..."'))
    if problems:
        raise WorkplanError(problems)
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / "bags").mkdir(exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        (root / ".lock").touch()
        cat = Catalogue(root / CATALOGUE_NAME, create=True)
        log = EventLog(root / LOG_NAME)
        ev = log.append("init", "archive", {"fonds_code": cfg.fonds_code, "fonds_name": cfg.fonds_name,
                                            "category": cfg.category})
        cat.note_event(ev)
        cat.close()
        # the configuration is written last: an interrupted init leaves no half archive behind it
        atomic_replace(root / CONFIG_NAME, cfg.to_json().encode("utf-8"))
    except OSError as e:
        raise WorkplanError(Problem(f"cannot create the archive: {e.strerror}", file=str(root))) from None
    return Archive(root, cfg)


def pdf_info(path: Path, source: Path | None = None) -> tuple[int | None, str | None]:
    """(page count, problem): the page count of a PDF, and whether it embeds a different version
    of ``source`` than the one given (PDF/A-3 documents carry their source data file)."""
    from .pdfinfo import pdf_facts
    pages, attached = pdf_facts(path, source.name if source is not None else None)
    if attached is not None and attached != source.read_bytes():
        return pages, f"{path.name} embeds a different version of {source.name}"
    return pages, None


def _parse_date(value: dt.date | str, what: str = "date", file: str | None = None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y.%m.%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    m = re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise WorkplanError(Problem(f"cannot read the {what} {value!r}", file=file,
                                hint="write it as YYYY-MM-DD, e.g. 2024-03-05"))


class _Collision(Exception):
    pass


@dataclass
class _Prepared:
    staging: "Staging | Workspace"  # the record's own folder (.dir, .bag, .cleanup())
    files: dict[str, dict]  # role → {"path": "data/<name>", "size", "sha256"}
    meta: dict  # identity, title, ..., everything of the record except code/version/archival fields


class Archive:
    """An open archive. Use :func:`open_archive` or :func:`init_archive`."""

    def __init__(self, root: Path, config: ArchiveConfig):
        self.root = root
        self.config = config
        self.bags = root / "bags"
        self.tmp = root / "tmp"
        self.events = EventLog(root / LOG_NAME)
        self._cat: Catalogue | None = None
        self._lock_mode: str | None = None
        self._checked: dict = {}  # check_data_file results, so `add` does not validate twice
        self._shared_staging: Staging | None = None

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"

    # --- plumbing -------------------------------------------------------------------------
    @property
    def catalogue(self) -> Catalogue:
        if self._cat is None:
            self._cat = Catalogue(self.root / CATALOGUE_NAME)
        return self._cat

    def close(self) -> None:
        if self._cat is not None:
            self._cat.close()
            self._cat = None
        if self._shared_staging is not None:
            self._shared_staging.cleanup()
            self._shared_staging = None

    def _staging(self) -> Staging:
        """This object's staging folder, kept while it is open (one record's workspace each)."""
        if self._shared_staging is None or not self._shared_staging.dir.is_dir():
            self._shared_staging = Staging(self.tmp, "add-", shared=True)
            import atexit
            import weakref
            ref = weakref.ref(self)
            atexit.register(lambda: ref() is not None and ref().close())
        return self._shared_staging

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write_lock(self, *, shared: bool = False):
        """The archive's writer lock (exclusive for writers; verify holds it shared). Re-entrant
        within one Archive object."""
        if self._lock_mode is not None:
            if self._lock_mode == "ex" or shared:
                yield
                return
            raise RuntimeError("cannot take the archive's write lock while holding it shared")
        try:
            with file_lock(self.root / ".lock", shared=shared):
                self._lock_mode = "sh" if shared else "ex"
                try:
                    yield
                finally:
                    self._lock_mode = None
        except PermissionError:
            raise WorkplanError(Problem("cannot lock the archive (permission denied)", file=str(self.root / ".lock"),
                                        hint="you need write access to the archive folder")) from None

    def rel(self, code: str, version: int | None) -> str:
        return f"bags/{code}/{TOMBSTONE_DIR if version is None else f'v{version}'}"

    def _notify(self, codes: list[str]) -> None:
        """Tell the search index (derived data) which records changed."""
        if not codes:
            return
        try:
            from ..search import on_records_changed  # type: ignore[attr-defined]
        except ImportError:
            return
        try:
            on_records_changed(self, codes)
        except WorkplanError as e:
            print(f"warning: the search index was not updated ({e.format()}); "
                  "run `workplan search reindex`", file=sys.stderr)
        except Exception as e:  # noqa: BLE001 - the archive write already succeeded
            print(f"warning: the search index was not updated ({type(e).__name__}: {e}); "
                  "run `workplan search reindex`", file=sys.stderr)

    # --- reading ----------------------------------------------------------------------------
    def records(self, *, current_only: bool = True, year: int | None = None, unit: str | None = None,
                kind: str | None = None, retention: str | None = None) -> list[Record]:
        """Records from the catalogue, ordered by code then version. ``current_only`` gives the
        newest version of each document (including disposed ones: check ``status``)."""
        where = ["status != 'pending'"]
        params: list = []
        if current_only:
            where.append("current = 1")
        if year is not None:
            where.append("year = ?")
            params.append(int(year))
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if retention is not None:
            where.append("retention = ?")
            params.append(check_retention(retention, where="retention"))
        rows = self.catalogue.rows("WHERE " + " AND ".join(where) + " ORDER BY code, version", tuple(params))
        out = [row_to_record(r, self.root) for r in rows]
        if unit:
            out = [r for r in out if _matches_unit(r, unit)]
        return out

    def _code_rows(self, code: str) -> list[dict]:
        return self.catalogue.rows("WHERE code = ? AND status != 'pending' ORDER BY version", (code,))

    def get(self, code: str) -> Record:
        """The current version of the record with this archival code."""
        c = normalize_code(code)
        rows = self._code_rows(c)
        if not rows:
            raise self._unknown(code)
        return row_to_record(rows[-1], self.root)

    def _unknown(self, what: str) -> WorkplanError:
        codes = [r["code"] for r in self.catalogue.query("SELECT DISTINCT code FROM records WHERE status != 'pending'")]
        close = difflib.get_close_matches(normalize_code(what), codes, n=1)
        hint = f"did you mean {close[0]}?" if close else "see `workplan archive list`"
        return WorkplanError(Problem(f"no record with the archival code or identity {what!r}", file=str(self.root),
                                     hint=hint))

    def versions(self, code_or_identity: str) -> list[Record]:
        """Every version (oldest first) of a document, by archival code or identity."""
        rows = self._code_rows(normalize_code(code_or_identity))
        if not rows:
            rows = self.catalogue.rows("WHERE identity = ? AND status != 'pending' ORDER BY code, version",
                                       (code_or_identity,))
        if not rows:
            raise self._unknown(code_or_identity)
        return [row_to_record(r, self.root) for r in rows]

    def file(self, record: Record, role: str) -> Path:
        """Absolute path of a payload file of ``record``."""
        entry = record.file_entry(role)
        if entry is None:
            if record.status == "disposed":
                raise WorkplanError(Problem(f"disposed on {record.disposed_at}: only its tombstone metadata is kept",
                                            file=record.code, hint="its files no longer exist"))
            raise WorkplanError(Problem(f"version {record.version} has no {role!r} file", file=record.code,
                                        hint=f"it has: {', '.join(record.roles)}"))
        return record.bag_dir / entry.path

    def verify_record(self, code: str) -> list[Problem]:
        """Recompute the hashes of every version of one record; [] when intact."""
        from .verify import verify_code
        return verify_code(self, normalize_code(code))

    def log(self, code: str | None = None):
        """(events, chain problems); events filtered to one record when ``code`` is given."""
        events, findings = self.events.read()
        if code:
            c = normalize_code(code)
            events = [e for e in events if e.object == c]
        return events, findings

    # --- adding -------------------------------------------------------------------------------
    def add_data_file(self, path: str | os.PathLike, *, retention: str | None = None,
                      langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                      prebuilt: str | os.PathLike | None = None, notify: bool = True) -> Record:
        """Archive a data file (YAML/JSON) with its renditions: built now with
        :func:`workplan.render.build_file`, or taken from ``prebuilt`` (a folder holding
        ``<stem>.<lang>.<fmt>`` files made by `workplan build`). Same identity as an archived
        document → a new version of it."""
        prep = self.prepare_data_file(path, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                                      staging=self._staging())
        return self._ingest(prep, notify=notify)

    def check_data_file(self, path: str | os.PathLike, *, retention: str | None = None,
                        langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                        prebuilt: str | os.PathLike | None = None):
        """Everything that can go wrong with the input, checked before anything is written.
        Returns (document, metadata)."""
        path = Path(path)
        try:
            st = path.stat()
            key = (str(path.resolve()), st.st_mtime_ns, st.st_size, retention, tuple(langs), tuple(formats),
                   str(prebuilt))
        except OSError:
            key = None
        if key is not None and key in self._checked:
            doc, meta = self._checked[key]
            self._precheck_identity(meta)
            return doc, dict(meta)
        doc = self.load_data_file(path)
        retention = check_retention(retention or doc.retention or self.config.default_retention, where=str(path))
        langs = tuple(dict.fromkeys(langs))
        formats = tuple(dict.fromkeys(formats))
        from ..i18n import OUTPUT_LANGS
        for lg in langs:
            if lg not in OUTPUT_LANGS:
                raise WorkplanError(Problem(f"unknown language {lg!r}", file=str(path),
                                            hint=f"use {', '.join(OUTPUT_LANGS)}"))
        for f in formats:
            if f not in FORMATS:
                raise WorkplanError(Problem(f"unknown format {f!r}", file=str(path), hint="use docx and/or pdf"))
        meta = self._doc_metadata(doc, path, retention, langs)
        if prebuilt is not None:
            from ..render import output_name
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
                build_ir(doc, lg, file=str(path))  # raises MissingTranslation before anything is written
        self._precheck_identity(meta)
        if key is not None:
            self._checked[key] = (doc, dict(meta))
        return doc, meta

    def _read_metadata(self, rec: Record) -> dict:
        """A version's metadata.json; a missing or damaged one is named, with the way out."""
        path = rec.bag_dir / "data" / METADATA_NAME
        try:
            return json.loads(path.read_bytes())
        except (OSError, ValueError) as e:
            raise WorkplanError(Problem(f"cannot read the record's metadata: {e}", file=str(path),
                                        hint="run `workplan archive verify` to see what is damaged")) from None

    def _precheck_identity(self, meta: dict) -> None:
        """A new version must keep the archived document's code fields (checked before writing)."""
        rows = self.catalogue.query(
            "SELECT code, status, year, retention, org FROM records WHERE identity = ? AND status != 'pending' "
            "ORDER BY version DESC LIMIT 1", (meta["identity"],))
        if rows:
            r = rows[0]
            self._check_new_version(r["code"], r["status"], (r["year"], r["retention"], r["org"]), meta)

    def load_data_file(self, path: Path):
        """Read and validate a data file, resolving a report's ``program: {archive: CODE}`` in this archive."""
        from ..model import load_document
        return load_document(path, archive=self)

    def prepare_data_file(self, path, *, retention=None, langs=("zh",), formats=FORMATS, prebuilt=None,
                          staging: Staging | None = None) -> _Prepared:
        """Check a data file and stage its payload (outside the write lock). ``staging``: a shared
        staging folder (see :meth:`add_data_files`)."""
        path = Path(path)
        _doc, meta = self.check_data_file(path, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt)
        langs = tuple(meta["langs"])
        formats = tuple(dict.fromkeys(formats))
        staging = staging.workspace() if staging is not None else Staging(self.tmp, "add-")
        try:
            files: dict[str, dict] = {}
            src_name = path.name if path.name != METADATA_NAME else f"source-{path.name}"
            staged_src = staging.bag / src_name
            h, size = copy_durable(path, staged_src, sync=False)
            files["source"] = {"path": f"data/{src_name}", "size": size, "sha256": h}
            if prebuilt is not None:
                from ..render import output_name
                for lg in langs:
                    for fmt in formats:
                        name = output_name(path, lg, fmt)
                        h, size = copy_durable(Path(prebuilt) / name, staging.bag / name, sync=False)
                        files[f"{fmt}:{lg}"] = {"path": f"data/{name}", "size": size, "sha256": h}
            elif formats:
                from ..render import build_file
                try:
                    # built from the file as given, so that a report finds its program beside it
                    with _default_archive(self.root):
                        result = build_file(path, staging.bag, langs=list(langs), formats=list(formats))
                    if sha256_file(path)[0] != h:
                        raise WorkplanError(Problem("the file changed while it was being archived", file=str(path),
                                                    hint="archive it again"))
                except NotImplementedError as e:
                    raise WorkplanError(Problem(
                        f"cannot build {'/'.join(f.upper() for f in formats)} with this version of workplan ({e})",
                        file=str(path), hint="archive pre-built files with --from DIR, or only the data file with "
                                             "--format none")) from None
                for out in result.outputs:
                    m = _RENDITION_RE.match(out.name)
                    role = f"{m['fmt'].lower()}:{m['lang']}"
                    h, size = sha256_file(out)
                    files[role] = {"path": f"data/{out.name}", "size": size, "sha256": h}
            pages = None
            for role in ("pdf:zh", "pdf:zh-en", "pdf:en"):
                if role in files:
                    pdf = staging.bag / files[role]["path"][5:]
                    pages, problem = pdf_info(pdf, path if prebuilt is not None else None)
                    if problem:
                        raise WorkplanError(Problem(problem, file=str(Path(prebuilt) / pdf.name),
                                                    hint=f"rebuild it: workplan build {path} -o {prebuilt}"))
                    break
            meta["pages"] = pages
            crash_point("staged")
            return _Prepared(staging, files, meta)
        except BaseException:
            staging.cleanup()
            raise

    def _doc_metadata(self, doc, path: Path, retention: str, langs: tuple[str, ...]) -> dict:
        from ..model import text_any, text_in
        if not doc.issuers:
            raise WorkplanError(Problem("the document names no issuer; the archival code needs one", file=str(path),
                                        path="issuers", hint="add `issuers: [<unit id>]`"))
        u = doc.unit(doc.issuers[0])
        org = _located(lambda: org_code(abbr=u.abbr, unit_id=u.id, name=u.zh, mapping=self.config.org_codes),
                       str(path))
        title = text_in(doc.title, "zh", doc.source_lang) or text_any(doc.title, "zh")
        title_en = text_in(doc.title, "en", doc.source_lang)
        doc_number = doc.doc_number.render("zh") if doc.doc_number else None
        unit_ids = doc.unit_ids_used()
        names = []
        for uid in unit_ids:
            try:
                names.append(doc.unit(uid).zh)
            except KeyError:
                pass
        if doc.id:
            identity = doc.id
        elif doc_number:
            identity = f"{u.zh}|{doc_number}"
        else:
            identity = f"{u.zh}|{title}|{doc.date.year}"
        return {"identity": identity, "title": title, "title_en": title_en,
                "kind": doc.kind, "issuer": u.zh, "issuer_abbr": u.abbr or org, "doc_number": doc_number,
                "date": doc.date.isoformat(), "year": doc.date.year, "retention": retention, "org": org,
                "units": list(dict.fromkeys(names)), "unit_ids": list(unit_ids), "langs": list(langs),
                "pages": None}

    def add_files(self, paths: Iterable[str | os.PathLike], *, title: str, issuer: str, date: dt.date | str,
                  kind: str = "program", doc_number: str | None = None, retention: str | None = None,
                  identity: str | None = None, issuer_abbr: str | None = None, title_en: str | None = None,
                  langs: Sequence[str] = ("zh",), units: Sequence[str] = (), notify: bool = True) -> Record:
        """Archive a document that exists only as files (a legacy PDF/DOCX: role "original"),
        with the metadata given here. Files named ``<stem>.<lang>.<pdf|docx>`` become renditions
        and a .yaml/.json file the source."""
        prep = self.prepare_files(paths, title=title, issuer=issuer, date=date, kind=kind, doc_number=doc_number,
                                  retention=retention, identity=identity, issuer_abbr=issuer_abbr,
                                  title_en=title_en, langs=langs, units=units, staging=self._staging())
        return self._ingest(prep, notify=notify)

    def check_files(self, paths, *, title, issuer, date, kind="program", doc_number=None, retention=None,
                    identity=None, issuer_abbr=None, title_en=None, langs=("zh",), units=()):
        """Validate the inputs of :meth:`add_files`; returns (roles → path, metadata)."""
        paths = [Path(p) for p in paths]
        if not paths:
            raise WorkplanError("no files given")
        roles: dict[str, Path] = {}
        names: set[str] = set()
        for p in paths:
            if not p.exists():
                raise WorkplanError(Problem("file not found", file=str(p), hint="check the path"))
            if not p.is_file():
                raise WorkplanError(Problem("not a file", file=str(p)))
            if not os.access(p, os.R_OK):
                raise WorkplanError(Problem("cannot read the file (permission denied)", file=str(p)))
            if p.name in names:
                raise WorkplanError(Problem("two files with the same name", file=str(p), hint="rename one of them"))
            names.add(p.name)
            m = _RENDITION_RE.match(p.name)
            if p.suffix.lower() in DATA_SUFFIXES:
                role = "source"
            elif m:
                role = f"{m['fmt'].lower()}:{m['lang']}"
            else:
                role = "original"
            if role in roles:
                raise WorkplanError(Problem(f"two files for the role {role!r}: {roles[role].name} and {p.name}",
                                            file=str(p), hint="archive one original per record"))
            roles[role] = p
        title = (title or "").strip()
        issuer = (issuer or "").strip()
        if not title:
            raise WorkplanError(Problem("the record needs a title (题名)", file=str(paths[0]), hint="pass --title"))
        if not issuer:
            raise WorkplanError(Problem("the record needs an issuer (责任者)", file=str(paths[0]), hint="pass --issuer"))
        d = _parse_date(date, file=str(paths[0]))
        if kind not in KINDS:
            raise WorkplanError(Problem(f"unknown kind {kind!r}", file=str(paths[0]), hint=f"use {', '.join(KINDS)}"))
        retention = check_retention(retention or self.config.default_retention, where=str(paths[0]))
        org = _located(lambda: org_code(abbr=issuer_abbr, unit_id=None, name=issuer, mapping=self.config.org_codes),
                       str(paths[0]))
        doc_number = (doc_number or "").strip() or None
        identity = (identity or "").strip() or (f"{issuer}|{doc_number}" if doc_number else f"{issuer}|{title}|{d.year}")
        meta = {"identity": identity, "title": title, "title_en": (title_en or None), "kind": kind, "issuer": issuer,
                "issuer_abbr": issuer_abbr or org, "doc_number": doc_number, "date": d.isoformat(), "year": d.year,
                "retention": retention, "org": org, "units": list(dict.fromkeys([issuer, *units])), "unit_ids": [],
                "langs": list(dict.fromkeys(langs)), "pages": None}
        self._precheck_identity(meta)
        return roles, meta

    def prepare_files(self, paths, *, staging: Staging | None = None, **kw) -> _Prepared:
        roles, meta = self.check_files(paths, **kw)
        staging = staging.workspace() if staging is not None else Staging(self.tmp, "add-")
        try:
            files: dict[str, dict] = {}
            for role, p in sorted(roles.items(), key=lambda kv: role_sort_key(kv[0])):
                name = p.name if p.name != METADATA_NAME else f"{role.replace(':', '-')}-{p.name}"
                h, size = copy_durable(p, staging.bag / name, sync=False)
                files[role] = {"path": f"data/{name}", "size": size, "sha256": h}
            for role in ("pdf:zh", "pdf:zh-en", "pdf:en", "original"):
                if role in files and files[role]["path"].lower().endswith(".pdf"):
                    meta["pages"], _ = pdf_info(staging.bag / files[role]["path"][5:])
                    break
            crash_point("staged")
            return _Prepared(staging, files, meta)
        except BaseException:
            staging.cleanup()
            raise

    # --- the write path -----------------------------------------------------------------------
    def _ingest(self, prep: _Prepared, *, notify: bool = True) -> Record:
        return self._ingest_many([prep], notify=notify)[0]

    def _allocate(self, preps: list[_Prepared]) -> list[tuple[str, int]]:
        """Codes and versions for a batch, reserved by pending rows in one BEGIN IMMEDIATE
        transaction. Call with the write lock held (so every pending row present is ours)."""
        cfg = self.config
        cat = self.catalogue
        for _attempt in range(1000):
            out: list[tuple[str, int]] = []
            collision = None
            try:
                with cat.transaction() as db:
                    for prep in preps:
                        meta = prep.meta
                        prev = db.execute(
                            "SELECT code, version, status, year, retention, org FROM records "
                            "WHERE identity = ? ORDER BY version DESC LIMIT 1", (meta["identity"],)).fetchone()
                        if prev is not None:
                            code, pv, pstatus, pyear, pret, porg = prev
                            self._check_new_version(code, pstatus, (pyear, pret, porg), meta)
                            version = pv + 1
                        else:
                            item = db.execute(
                                "SELECT COALESCE(MAX(item), 0) FROM records WHERE fonds = ? AND category = ? "
                                "AND year = ? AND retention = ? AND org = ?",
                                (cfg.fonds_code, cfg.category, meta["year"], meta["retention"], meta["org"])
                            ).fetchone()[0]
                            code = format_code(cfg.fonds_code, cfg.category, meta["year"], meta["retention"],
                                               meta["org"], item + 1)
                            version = 1
                        target = self.root / self.rel(code, version)
                        if target.exists() or (version == 1 and target.parent.exists()):
                            collision = code
                            raise _Collision()  # rolls back everything of this attempt
                        cat.insert(db, self._row(code, version, meta, prep.files, status="pending", md_entry=None,
                                                 tag=None))
                        out.append((code, version))
            except _Collision:
                pass
            if collision is None:
                return out
            # a bag the catalogue does not know (e.g. its last commits were lost in a power cut):
            # record it from the bag, then allocate again
            self.adopt_code(collision)
        raise WorkplanError("cannot allocate an archival code: too many unrecorded bags; run "
                            "`workplan archive verify --repair`")

    def _ingest_many(self, preps: list[_Prepared], *, notify: bool = True) -> list[Record]:
        """Archive prepared records, atomically each (see the module docstring), sharing the
        lock, the fsyncs and the catalogue transactions of the batch."""
        cat = self.catalogue
        alloc: list[tuple[str, int]] = []
        placed: set[tuple[str, int]] = set()
        try:
            with self.write_lock():
                self.resolve_pending()
                crash_point("locked")
                alloc = self._allocate(preps)
                crash_point("allocated")

                mds, entries, tags, trees = [], [], [], []
                for prep, (code, version) in zip(preps, alloc):
                    md = self._metadata(code, version, prep.meta, prep.files)
                    md_bytes = (json.dumps(md, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
                    write_durable(prep.staging.bag / METADATA_NAME, md_bytes, sync=False)
                    build_bag(prep.staging.bag, self._bag_info(md), sync=False)  # fsynced below, all at once
                    tags.append(sha256_file(prep.staging.bag / TAGMANIFEST)[0])
                    entries.append({"path": f"data/{METADATA_NAME}", "size": len(md_bytes),
                                    "sha256": sha256_bytes(md_bytes)})
                    mds.append(md)
                    if version == 1:  # v1 travels inside a folder named by the code
                        holder = prep.staging.dir / code
                        holder.mkdir()
                        os.rename(prep.staging.bag, holder / "v1")
                        trees.append(holder)
                    else:
                        trees.append(prep.staging.bag)
                fsync_trees(trees)
                crash_point("bagged")

                parents: dict[Path, None] = {}
                self.bags.mkdir(exist_ok=True)
                for tree, (code, version) in zip(trees, alloc):
                    # the commit point of each record: the rename of its finished bag into place
                    if version == 1:
                        os.rename(tree, self.bags / code)
                        parents[self.bags] = None
                    else:
                        os.rename(tree, self.bags / code / f"v{version}")
                        parents[self.bags / code] = None
                    placed.add((code, version))
                fsync_many(list(parents))
                crash_point("placed")

                evs = self.events.append_many([self._version_event(code, version, md, tag)
                                               for (code, version), md, tag in zip(alloc, mds, tags)])
                crash_point("logged")

                with cat.transaction() as db:
                    for (code, version), md, entry, tag in zip(alloc, mds, entries, tags):
                        self._activate(db, row_from_metadata(md, bag_dir=self.rel(code, version), md_entry=entry,
                                                             tagmanifest=tag, status="active", current=True))
                    cat.set_log_head(db, evs[-1].id, evs[-1].hash)
                crash_point("committed")
        except BaseException:
            unplaced = [cv for cv in alloc if cv not in placed]
            if unplaced:
                try:
                    with cat.transaction() as db:
                        for code, version in unplaced:
                            db.execute("DELETE FROM records WHERE code = ? AND version = ? AND status = 'pending'",
                                       (code, version))
                except WorkplanError:
                    pass
            raise
        finally:
            for prep in preps:
                prep.staging.cleanup()
        codes = list(dict.fromkeys(code for code, _ in alloc))
        if notify:
            self._notify(codes)
        rows = {}
        for code in codes:
            for r in self.versions(code):
                rows[(r.code, r.version)] = r
        return [rows[cv] for cv in alloc]

    def add_data_files(self, paths: Iterable[str | os.PathLike], *, retention: str | None = None,
                       langs: Sequence[str] = ("zh",), formats: Sequence[str] = FORMATS,
                       prebuilt: str | os.PathLike | None = None, notify: bool = True) -> list[Record]:
        """Archive several data files as one batch (faster than one by one: the fsyncs and
        transactions are shared); each record is still atomic on its own."""
        shared = Staging(self.tmp, "add-", shared=True)
        try:
            preps = [self.prepare_data_file(p, retention=retention, langs=langs, formats=formats, prebuilt=prebuilt,
                                            staging=shared) for p in paths]
            return self._ingest_many(preps, notify=notify) if preps else []
        finally:
            shared.cleanup()

    def _check_new_version(self, code: str, status: str, old: tuple, meta: dict) -> None:
        if status == "disposed":
            raise WorkplanError(Problem(f"(identity {meta['identity']!r}) was disposed; a disposed record "
                                        "cannot get new versions", file=code,
                                        hint="give the document another identity (an explicit `id:`) to archive it "
                                             "as a new record"))
        new = (meta["year"], meta["retention"], meta["org"])
        names = ("year", "retention", "organization code")
        diffs = [f"{n} {o} → {v}" for n, o, v in zip(names, old, new) if o != v]
        if diffs:
            raise WorkplanError(Problem(
                f"this is a new version of {code}, but its {', '.join(diffs)}; an archival code never changes",
                file=code,
                hint="keep the year, retention and issuer of the archived document, or give the document another "
                     "identity (an explicit `id:`) to archive it as a new record"))

    def _metadata(self, code: str, version: int, meta: dict, files: dict) -> dict:
        parts = parse_code(code)
        return {
            "format": METADATA_FORMAT, "code": code, "version": version,
            "supersedes": version - 1 if version > 1 else None, "identity": meta["identity"],
            "fonds": parts.fonds, "fonds_name": self.config.fonds_name, "category": parts.category,
            "year": parts.year, "retention": parts.retention, "org": parts.org, "item": parts.item,
            "title": meta["title"], "title_en": meta["title_en"], "kind": meta["kind"], "issuer": meta["issuer"],
            "issuer_abbr": meta["issuer_abbr"], "doc_number": meta["doc_number"], "date": meta["date"],
            "units": meta["units"], "unit_ids": meta["unit_ids"], "langs": meta["langs"], "pages": meta["pages"],
            "roles": sorted([*files, "metadata"], key=role_sort_key), "status": "active",
            "archived_at": now_iso(), "files": {k: files[k] for k in sorted(files, key=role_sort_key)},
        }

    def _bag_info(self, md: dict) -> dict:
        return {
            "Source-Organization": md["issuer"], "External-Identifier": md["code"],
            "External-Description": md["title"], "Archival-Code": md["code"], "Record-Version": md["version"],
            "Supersedes-Version": md["supersedes"], "Identity": md["identity"], "Title": md["title"],
            "Title-EN": md["title_en"], "Issuer": md["issuer"], "Issuer-Abbr": md["issuer_abbr"],
            "Document-Number": md["doc_number"], "Document-Date": md["date"], "Year": md["year"],
            "Retention": f"{md['retention']} ({RETENTION_LABELS[md['retention']]})", "Kind": md["kind"],
            "Languages": ", ".join(md["langs"]), "Pages": md["pages"], "Fonds-Code": md["fonds"],
            "Fonds-Name": md["fonds_name"], "Archived-At": md["archived_at"], "Record-Status": md["status"],
        }

    def _row(self, code, version, meta, files, *, status, md_entry, tag) -> dict:
        parts = parse_code(code)
        f = dict(files)
        if md_entry:
            f["metadata"] = md_entry
        return {"code": code, "version": version, "status": status, "current": 0, "identity": meta["identity"],
                "fonds": parts.fonds, "category": parts.category, "year": parts.year, "retention": parts.retention,
                "org": parts.org, "item": parts.item, "title": meta["title"], "title_en": meta["title_en"],
                "kind": meta["kind"], "issuer": meta["issuer"], "issuer_abbr": meta["issuer_abbr"],
                "doc_number": meta["doc_number"], "date": meta["date"], "units": meta["units"],
                "unit_ids": meta["unit_ids"], "langs": meta["langs"], "pages": meta["pages"],
                "roles": sorted(f, key=role_sort_key), "files": f, "tagmanifest": tag,
                "bag_dir": self.rel(code, version), "archived_at": now_iso(), "disposed_at": None}

    def _version_event(self, code: str, version: int, md: dict, tag: str | None,
                       note: str | None = None) -> tuple[str, str, dict]:
        detail = {"version": version, "identity": md["identity"], "title": md["title"],
                  "files": {r: f["sha256"] for r, f in md["files"].items()}, "tagmanifest": tag}
        if version > 1:
            detail["supersedes"] = version - 1
        if note:
            detail["note"] = note
        return ("ingestion" if version == 1 else "new-version", code, detail)

    def _log_version_event(self, code: str, version: int, md: dict, tag: str | None, note: str | None = None):
        return self.events.append(*self._version_event(code, version, md, tag, note))

    def _activate(self, db, row: dict) -> None:
        code, version = row["code"], row["version"]
        db.execute("DELETE FROM records WHERE code = ? AND version = ?", (code, version))
        self.catalogue.insert(db, dict(row, status="active", current=1))
        db.execute("UPDATE records SET status = 'superseded', current = 0 "
                   "WHERE code = ? AND version < ? AND status IN ('active', 'superseded')", (code, version))

    def read_bag_row(self, code: str, version: int) -> tuple[dict, dict]:
        """(metadata, catalogue row) of a bag on disk."""
        bag = self.root / self.rel(code, version)
        md_bytes = (bag / "data" / METADATA_NAME).read_bytes()
        md, problem = parse_metadata(md_bytes, str(bag), code)
        if problem:
            raise WorkplanError(problem)
        manifest = read_manifest(bag / "manifest-sha256.txt")
        tag, _ = sha256_file(bag / TAGMANIFEST)
        entry = {"path": f"data/{METADATA_NAME}", "size": len(md_bytes), "sha256": manifest.get(f"data/{METADATA_NAME}", "")}
        return md, row_from_metadata(md, bag_dir=self.rel(code, version), md_entry=entry, tagmanifest=tag,
                                     status="active", current=True)

    def adopt_code(self, code: str, note: str = "logged when the bag was found unrecorded") -> list[dict]:
        """Record a document in the catalogue from its bags (logging any missing event). Call with
        the write lock held."""
        cdir = self.bags / code
        events, _ = self.events.read()
        if (cdir / TOMBSTONE_DIR).is_dir():
            rows = self.tombstone_rows(code)
            if not any(e.type == "disposal" and e.object == code for e in events):
                ev = self.events.append("disposal", code, {"versions": [r["version"] for r in rows], "note": note})
                self.catalogue.note_event(ev)
        else:
            vs = {}
            for p in cdir.iterdir():
                m = re.match(r"^v([1-9][0-9]*)$", p.name)
                if m:
                    md, row = self.read_bag_row(code, int(m[1]))
                    vs[int(m[1])] = (md, row["files"]["metadata"], row["tagmanifest"])
                    if not any(e.object == code and e.type in ("ingestion", "new-version")
                               and isinstance(e.detail, dict) and e.detail.get("version") == int(m[1])
                               for e in events):
                        ev = self._log_version_event(code, int(m[1]), md, row["tagmanifest"], note=note)
                        self.catalogue.note_event(ev)
            rows, problems = rows_for_code(code, vs, None, self.rel)
            if problems:
                raise WorkplanError(problems)
        with self.catalogue.transaction() as db:
            db.execute("DELETE FROM records WHERE code = ? AND status != 'pending'", (code,))
            for r in rows:
                self.catalogue.insert(db, r)
        return rows

    def resolve_pending(self) -> list[str]:
        """Finish or drop the reservations of writers that were killed. Call with the write lock held."""
        done: list[str] = []
        cat = self.catalogue
        pending = cat.rows("WHERE status = 'pending' ORDER BY code, version")
        if not pending:
            return done
        events = None
        for p in pending:
            code, version = p["code"], p["version"]
            bag = self.root / p["bag_dir"]
            if (bag / "data" / METADATA_NAME).is_file() and (bag / TAGMANIFEST).is_file():
                md, row = self.read_bag_row(code, version)
                if events is None:
                    events, _ = self.events.read()
                ev = next((e for e in events if e.object == code and e.type in ("ingestion", "new-version")
                           and isinstance(e.detail, dict) and e.detail.get("version") == version), None)
                if ev is None:
                    ev = self._log_version_event(code, version, md, row["tagmanifest"],
                                                 note="logged after an interrupted add")
                with cat.transaction() as db:
                    self._activate(db, row)
                    cat.set_log_head(db, ev.id, ev.hash)
                done.append(f"completed the interrupted add of {code} v{version}")
            else:
                with cat.transaction() as db:
                    db.execute("DELETE FROM records WHERE code = ? AND version = ? AND status = 'pending'",
                               (code, version))
                done.append(f"dropped the reservation of {code} v{version} left by an interrupted add "
                            "(nothing was archived under it)")
        return done

    # --- disposal ---------------------------------------------------------------------------------
    def dispose(self, code: str, *, today: dt.date | None = None, reason: str | None = None,
                notify: bool = True) -> Record:
        """Dispose of a record whose retention period has expired: every version's payload is
        removed; a tombstone bag keeps the metadata and hashes of what was destroyed."""
        today = today or dt.date.today()
        code = normalize_code(code)
        with self.write_lock():
            self.resolve_pending()
            rec = self.get(code)
            if rec.status == "disposed":
                raise WorkplanError(Problem(f"already disposed on {rec.disposed_at}", file=code))
            end = expiry_date(rec.date, rec.retention)
            if end is None:
                raise WorkplanError(Problem("kept permanently (retention Y, 永久): never disposed", file=code))
            if not end < today:
                raise WorkplanError(Problem(file=code, message=
                    f"the retention period ({rec.retention}, {RETENTION_LABELS[rec.retention]}, from "
                    f"{rec.date.isoformat()}) runs until {end.isoformat()}; it cannot be disposed before then"))
            versions = self.versions(code)
            staging = Staging(self.tmp, "dispose-")
            try:
                mds = [self._read_metadata(v) for v in versions]
                disposed_at = now_iso()
                tomb = {"format": TOMBSTONE_FORMAT, "code": code, "status": "disposed", "disposed_at": disposed_at,
                        "disposed_by": self.events.agent, "reason": reason, "retention": rec.retention,
                        "expired_on": end.isoformat(), "versions": mds}
                md_bytes = (json.dumps(tomb, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
                write_durable(staging.bag / METADATA_NAME, md_bytes)
                info = self._bag_info(dict(mds[-1], status="disposed"))
                info.update({"Record-Status": "disposed", "Disposed-At": disposed_at,
                             "Record-Version": ", ".join(str(m["version"]) for m in mds)})
                build_bag(staging.bag, info)
                os.rename(staging.bag, self.bags / code / TOMBSTONE_DIR)
                fsync_path(self.bags / code)
                crash_point("placed")
                ev = self.events.append("disposal", code, {
                    "versions": [m["version"] for m in mds], "retention": rec.retention,
                    "expired_on": end.isoformat(), "reason": reason,
                    "destroyed": {f"v{m['version']}": {r: f["sha256"] for r, f in m["files"].items()} for m in mds}})
                crash_point("logged")
                self._finish_disposal(code, staging)
                with self.catalogue.transaction() as db:
                    self.catalogue.set_log_head(db, ev.id, ev.hash)
                crash_point("committed")
            finally:
                staging.cleanup()
        if notify:
            self._notify([code])
        return self.get(code)

    def tombstone_rows(self, code: str) -> list[dict]:
        tdir = self.bags / code / TOMBSTONE_DIR
        md_bytes = (tdir / "data" / METADATA_NAME).read_bytes()
        tmd = json.loads(md_bytes)
        manifest = read_manifest(tdir / "manifest-sha256.txt")
        tag, _ = sha256_file(tdir / TAGMANIFEST)
        entry = {"path": f"data/{METADATA_NAME}", "size": len(md_bytes), "sha256": manifest.get(f"data/{METADATA_NAME}", "")}
        rows, _ = rows_for_code(code, {}, (tmd, entry, tag), self.rel)
        return rows

    def _finish_disposal(self, code: str, staging: Staging | None = None) -> None:
        """After the tombstone is in place: catalogue rows from it, then remove the version bags."""
        rows = self.tombstone_rows(code)
        with self.catalogue.transaction() as db:
            db.execute("DELETE FROM records WHERE code = ?", (code,))
            for r in rows:
                self.catalogue.insert(db, r)
        trash = Staging(self.tmp, "trash-") if staging is None else staging
        try:
            for p in sorted((self.bags / code).iterdir()):
                if p.name != TOMBSTONE_DIR:
                    os.rename(p, trash.dir / p.name)
            fsync_path(self.bags / code)
        finally:
            if staging is None:
                trash.cleanup()

    # --- catalogue rebuild ------------------------------------------------------------------------
    def rebuild_catalogue(self) -> tuple[int, list[Problem]]:
        """Rebuild the SQLite catalogue from the bags (the truth). Returns (rows, problems with bags
        that could not be read)."""
        with self.write_lock():
            self.close()
            scan = scan_bags(self.bags)
            rows: list[dict] = []
            problems: list[Problem] = []
            for code in sorted(set(scan.versions) | set(scan.tombstones)):
                try:
                    if code in scan.tombstones:
                        rows.extend(self.tombstone_rows(code))
                        continue
                    vs = {}
                    for v in sorted(scan.versions[code]):
                        md, row = self.read_bag_row(code, v)
                        vs[v] = (md, row["files"]["metadata"], row["tagmanifest"])
                    code_rows, findings = rows_for_code(code, vs, None, self.rel)
                    rows.extend(code_rows)
                    problems.extend(findings)
                except (OSError, ValueError, KeyError, WorkplanError) as e:
                    msg = e.format() if isinstance(e, WorkplanError) else str(e)
                    problems.append(Problem(f"skipped {code}: its bag cannot be read ({msg})",
                                            file=str(self.bags / code), hint="run `workplan archive verify`"))
            self.tmp.mkdir(exist_ok=True)
            new = self.tmp / f"catalogue-{os.getpid()}.sqlite"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{new}{suffix}").unlink(missing_ok=True)
            cat = Catalogue(new, create=True)
            try:
                events, _ = self.events.read()
                with cat.transaction() as db:
                    for r in rows:
                        cat.insert(db, r)
                    if events:
                        cat.set_log_head(db, events[-1].id, events[-1].hash, force=True)
                cat.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                cat.close()
            fsync_path(new)
            aside = install_catalogue(new, self.root / CATALOGUE_NAME, self.root)
            fsync_path(self.root)
            ev = self.events.append("rebuild-catalogue", "archive",
                                    {"rows": len(rows), "documents": len({r['code'] for r in rows}),
                                     "skipped": [p.message for p in problems]}
                                    | ({"replaced": aside.relative_to(self.root).as_posix()} if aside else {}))
            self.catalogue.note_event(ev)
        return len(rows), problems

    # --- verify / export ---------------------------------------------------------------------------
    def verify(self, *, repair: bool = False, progress=None, workers: int | None = None, record_event: bool = True):
        from .verify import verify_archive
        return verify_archive(self, repair=repair, progress=progress, workers=workers, record_event=record_event)

    def export(self, output: str | os.PathLike, *, year: int, unit: str | None = None, kind: str | None = None,
               retention: str | None = None, all_versions: bool = False, progress=None, force: bool = False):
        from .export import export_transfer
        return export_transfer(self, Path(output), year=year, unit=unit, kind=kind, retention=retention,
                               all_versions=all_versions, progress=progress, force=force)


@contextmanager
def _default_archive(root: Path):
    """Let code that opens "the default archive" (a report's ``{archive: CODE}``) open this one."""
    old = os.environ.get(ENV)
    os.environ[ENV] = str(root)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = old


def _located(fn, file: str):
    """Run ``fn``; give the problems of a WorkplanError it raises this file as their place."""
    try:
        return fn()
    except WorkplanError as e:
        for p in e.problems:
            p.file = p.file or file
        raise WorkplanError(e.problems) from None


def _matches_unit(r: Record, unit: str) -> bool:
    u = unit.strip()
    if not u:
        return True
    up = u.upper()
    if up in {x.upper() for x in (*r.unit_ids, r.issuer_abbr, r.org)}:
        return True
    return any(u in name for name in (*r.units, r.issuer))
