"""`workplan archive ...` commands."""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import click

from ..errors import Problem, WorkplanError
from ..archive.codes import RETENTION_LABELS, RETENTIONS
from ..archive.record import KINDS
from .helpers import expand_inputs, progress_callback
from .options import archive_option as _archive_option, say
from .options import archive_root, format_option, lang_option, open_archive_at, user_option

_META = "workplan.archive"


class _Retention(click.ParamType):
    """Y, D30 or D10 (any case)."""

    name = "Y|D30|D10"

    def convert(self, value, param, ctx):
        v = str(value).strip().upper()
        if v not in RETENTIONS:
            self.fail(f"{value!r} is not a retention code: use Y (永久, permanent), D30 (30 years) or D10 (10 years)",
                      param, ctx)
        return v


_RET = _Retention()


def _open(archive_path: str | None, action: str | None = None):
    ctx = click.get_current_context()
    return open_archive_at(archive_path or ctx.meta.get(_META), action)


def _duration(text: str) -> float:
    """``90s``, ``10m``, ``2h`` (or plain seconds) in seconds; a usage error otherwise."""
    m = re.fullmatch(r"\s*(\d{1,6})\s*([smh]?)\s*", text or "")
    if not m or int(m[1]) == 0:
        raise click.BadParameter(f"{text!r} is not a duration: use e.g. 90s, 10m or 2h", param_hint="--budget")
    return int(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600}[m[2]]


def _err(msg: str) -> None:
    say(msg, err=True)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _table(headers: list[str], rows: list[list[str]], max_last: int = 60) -> str:
    rows = [[("" if c is None else str(c)) for c in r] for r in rows]
    for r in rows:
        last = r[-1]
        if _width(last) > max_last:
            out = ""
            for ch in last:
                if _width(out + ch) > max_last - 1:
                    break
                out += ch
            r[-1] = out + "…"
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = []
    for r in [headers, *rows]:
        cells = [c + " " * (widths[i] - _width(c)) if i < len(r) - 1 else c for i, c in enumerate(r)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _record_dict(arc, r) -> dict:
    from ..archive.views import record_dict
    return record_dict(arc, r)


@click.group()
@_archive_option
@user_option
@click.pass_context
def archive(ctx: click.Context, archive_path: str | None) -> None:
    """Keep creation files (创建档案) with archival codes, fixity checks and an audit trail.

    Each archived document (件) gets an archival code (档号, DA/T 22-2015), e.g.
    J001-WS·2024-D30-BGS-0001, and is stored as a BagIt bag with SHA-256 manifests: the data
    file, its DOCX and PDF, and a metadata file. Nothing is ever overwritten: archiving the same
    document again (same issuer and document number, or the same `id:`) adds a version.

    \b
    The archive folder is --archive PATH, else $WORKPLAN_ARCHIVE, else ./archive.
    Typical use:
      workplan archive init --fonds J001 --name "青松社区居委会"
      workplan archive add corpus/winter-fire-safety.yaml --lang zh,en
      workplan archive list --year 2023
      workplan archive verify
      workplan archive export --year 2023 -o transfer-2023.zip
    """
    ctx.meta[_META] = archive_path


@archive.command("init")
@click.argument("directory", required=False, type=click.Path())
@click.option("--fonds", default="J001", show_default=True, help="Fonds code (全宗号): uppercase letters and digits.")
@click.option("--name", help="Fonds name (全宗名称), e.g. the office's name. Default: 全宗<code>.")
@click.option("--name-en", help="The fonds' English name: the English site's name and the compiler of English volumes.")
@click.option("--category", default="WS", show_default=True, help="Category code (门类代码); WS = 文书.")
@click.option("--retention", "default_retention", default="D30", show_default=True, type=_RET,
              help="Retention used when neither the command line nor the document gives one.")
@click.option("--org-code", "org_codes", multiple=True, metavar="UNIT=CODE",
              help="Organization code for a unit whose abbreviation is not ASCII (by abbr, unit id or name); "
                   "repeatable, e.g. --org-code 消防=XF.")
@click.option("--catalogue", metavar="postgresql://USER@HOST[:PORT]/DB",
              help="Keep the catalogue and the event log in this PostgreSQL database (an empty one) instead of "
                   "catalogue.sqlite and events.jsonl: many writers on many machines, the folder (bags) shared. "
                   "Remembered in archive.json; no password in the URL (use ~/.pgpass or $PGPASSWORD).")
@_archive_option
def init_cmd(directory, fonds, name, name_en, category, default_retention, org_codes, catalogue, archive_path) -> None:
    """Create an archive in DIRECTORY (default: --archive, $WORKPLAN_ARCHIVE or ./archive).

    Writes archive.json (fonds code and name, category, default retention, organization codes),
    an empty catalogue (catalogue.sqlite), the event log (events.jsonl) and bags/. The fonds code
    is part of every archival code and cannot change once records exist. With --catalogue the
    catalogue and the log are made in that PostgreSQL database instead.
    """
    from ..archive.create import init_archive
    mapping = {}
    for item in org_codes:
        if "=" not in item:
            raise click.BadParameter(f"{item!r}: write UNIT=CODE", param_hint="--org-code")
        k, v = item.split("=", 1)
        mapping[k.strip()] = v.strip().upper()
    ctx = click.get_current_context()
    root = archive_root(directory or archive_path or ctx.meta.get(_META))
    arc = init_archive(root, fonds=fonds, name=name or f"全宗{fonds.strip().upper()}", category=category,
                       default_retention=default_retention.upper(), org_codes=mapping, name_en=name_en or "",
                       catalogue=catalogue)
    say(f"created an archive in {arc.root} (fonds {arc.config.fonds_code} {arc.config.fonds_name}, "
               f"category {arc.config.category}, default retention {arc.config.default_retention})"
        + (f"; catalogue and event log in {arc.config.catalogue}" if arc.config.catalogue else ""))
    if not name:
        _err(f"note: the fonds name is {arc.config.fonds_name!r}; set \"fonds_name\" in {arc.root / 'archive.json'}")


@archive.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--retention", type=_RET, help="Y (永久), D30 or D10. Default: the document's `retention`, else the "
                                             "archive's default.")
@lang_option(help="Languages to build (zh, en, zh-en; several with commas); for other files, their language.")
@format_option(allow_none=True, help="Renditions to build: docx, pdf, both, or none (the data file alone).")
@click.option("--from", "prebuilt", type=click.Path(file_okay=False), metavar="DIR",
              help="Take the renditions from DIR (<stem>.<lang>.<fmt>, as written by `workplan build -o DIR`) "
                   "instead of building them.")
@click.option("--title", help="Other files: the title (题名).")
@click.option("--title-en", help="Other files: the English title.")
@click.option("--issuer", help="Other files: the issuing unit (责任者).")
@click.option("--org", "issuer_abbr", help="Other files: the issuer's organization code, e.g. BGS.")
@click.option("--date", "date_", help="Other files: the document's date, YYYY-MM-DD.")
@click.option("--doc-number", help="Other files: the document number (文号), e.g. 青社发〔2023〕12号.")
@click.option("--kind", type=click.Choice(KINDS), default="legacy",
              show_default=True, help="Other files: the kind of document.")
@click.option("--id", "identity", help="Other files: an explicit identity (archiving the same identity again makes "
                                       "a new version).")
@click.option("--allow-missing", is_flag=True,
              help="Data files: fall back to the other language where a translation is missing (warns), as build does.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Data files: build their renditions in this many processes.")
@click.option("--again", is_flag=True, help="Archive a data file even when its current version has the same content "
                                            "(by default an identical one is skipped, so a retried add is harmless).")
@click.option("--reason", metavar="TEXT", help="Why: required when a file makes a new version of an archived "
                                               "record (what changed and why); kept in the log.")
@click.option("--queue/--no-queue", default=None,
              help="Data files, PostgreSQL archive: queue them as one job for `workplan worker` and print its id, "
                   "instead of archiving them here (default: queued when more than 200 and a worker is running).")
@_archive_option
def add_cmd(files, retention, langs, formats, prebuilt, title, title_en, issuer, issuer_abbr, date_, doc_number, kind,
            identity, allow_missing, jobs, again, reason, archive_path, queue=None) -> None:
    """Archive documents; prints each archival code.

    \b
    Data files (.yaml, .yml, .json; folders are expanded): each is validated, built into the
    asked languages and formats (or taken pre-built with --from DIR), and archived with its
    metadata. All files are checked before anything is written.
    Other files (a legacy PDF or DOCX): archived as one record, with the metadata given by
    --title, --issuer, --date (and --doc-number, --org, --kind, --id).

    Archiving a document with the same identity again (issuer + document number, or `id:`)
    makes a new version under the same code (it needs --reason); the old version is kept,
    marked superseded.

    \b
    Examples:
      workplan archive add corpus/winter-fire-safety.yaml --lang zh,en
      workplan build corpus -o out && workplan archive add corpus --from out
      workplan archive add scan.pdf --title 关于开展冬季防火工作的通知 --issuer 青松社区居委会 \\
          --org QSSQ --date 2019-11-02 --doc-number 青社发〔2019〕8号 --retention D10
    """
    archive_path = archive_path or click.get_current_context().meta.get(_META)
    if queue is None and len(files) > 0 and not title:
        from .worker import queue_by_default
        queue = queue_by_default(files, archive_path)
    if queue:
        from .worker import enqueue_add
        return enqueue_add(files, retention=retention, langs=langs or ["zh"], formats=formats, prebuilt=prebuilt,
                           reason=reason, archive_path=archive_path)
    from ..ingest import DATA_SUFFIXES, add_files
    langs_l = langs or ["zh"]
    arc = _open(archive_path, "add")
    paths = [Path(f) for f in files]
    data = [p for p in paths if p.is_dir() or p.suffix.lower() in DATA_SUFFIXES]
    other = [p for p in paths if p not in data]
    legacy_opts = {"--title": title, "--title-en": title_en, "--issuer": issuer, "--org": issuer_abbr,
                   "--date": date_, "--doc-number": doc_number, "--id": identity}
    if data and other:
        raise WorkplanError(Problem("mixing data files and other files", file=str(other[0]),
                                    hint="archive data files and legacy files with separate commands"))
    if data:
        given = [k for k, v in legacy_opts.items() if v]
        if given:
            raise WorkplanError(Problem(f"{', '.join(given)} only apply to files that are not data files",
                                        file=str(data[0]), hint="data files carry their own metadata"))
        _add_data(arc, data, retention=retention, langs=langs_l, formats=formats, prebuilt=prebuilt,
                  allow_missing=allow_missing, jobs=jobs, again=again, reason=reason)
        return
    missing = [k for k, v in (("--title", title), ("--issuer", issuer), ("--date", date_)) if not v]
    for p in other:
        if not p.exists():
            raise WorkplanError(Problem("file not found", file=str(p), hint="check the path"))
    if missing:
        raise WorkplanError(Problem(f"archiving a file that is not a data file needs {', '.join(missing)}",
                                    file=str(other[0]), hint="see `workplan archive add --help`"))
    rec = add_files(arc, other, title=title, issuer=issuer, date=date_, kind=kind, doc_number=doc_number,
                        retention=retention, identity=identity, issuer_abbr=issuer_abbr, title_en=title_en,
                        langs=langs_l, reason=reason)
    say(rec.code)
    if rec.version > 1:
        _err(f"  version {rec.version} of {rec.code}; version {rec.version - 1} is kept, marked superseded")


def _add_data(arc, data: list[Path], *, retention: str | None, langs: list[str], formats: list[str],
              prebuilt: str | None, allow_missing: bool, jobs: int, again: bool, reason: str | None) -> None:
    """`archive add` of data files: :func:`workplan.ingest.add_data_files`, told on the terminal."""
    from ..ingest import NothingArchived, add_data_files
    inputs = expand_inputs(tuple(str(p) for p in data))

    def on_record(rec, skipped: bool) -> None:
        if skipped:
            _err(f"  already archived identically as {rec.code} v{rec.version}: skipped (pass --again to "
                 "archive it once more as a new version)")
            return
        say(rec.code)
        if rec.version > 1:
            _err(f"  version {rec.version} of {rec.code}; version {rec.version - 1} is kept, marked superseded")

    try:
        with progress_callback("archiving", len(inputs)) as update:
            outcome = add_data_files(arc, inputs, retention=retention, langs=langs, formats=formats,
                                     prebuilt=prebuilt, allow_missing=allow_missing, reason=reason, again=again,
                                     jobs=jobs, on_record=on_record, on_problem=lambda e: _err(e.format()),
                                     on_progress=update, on_warning=lambda w: _err("warning: " + w.format()))
    except NothingArchived as e:
        _err(e.format())
        _err(f"nothing was archived ({len(inputs)} file(s) given)")
        sys.exit(1)
    if outcome.failures:
        _err(f"{outcome.failures} of {len(inputs)} file(s) were not archived")
        sys.exit(1)


@archive.command("list")
@click.option("--year", type=int, help="Only this year (年度).")
@click.option("--unit", help="Only records naming this unit (Chinese name or part of it, unit id, or abbreviation).")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option("--retention", type=_RET, help="Only this retention.")
@click.option("--all-versions", is_flag=True, help="Include superseded versions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_archive_option
def list_cmd(year, unit, kind, retention, all_versions, as_json, archive_path) -> None:
    """List archived records (current versions, ordered by archival code)."""
    arc = _open(archive_path)
    recs = arc.records(current_only=not all_versions, year=year, unit=unit, kind=kind,
                       retention=retention.upper() if retention else None)
    if as_json:
        say(json.dumps([_record_dict(arc, r) for r in recs], ensure_ascii=False, indent=2))
        return
    if not recs:
        _err("no records")
        return
    rows = [[r.code, f"v{r.version}", r.status, r.date.isoformat(), RETENTION_LABELS[r.retention],
             r.doc_number or "—", r.title] for r in recs]
    say(_table(["档号 code", "ver", "status", "date", "保管期限", "文号", "题名 title"], rows))
    say(f"{len(recs)} record(s)")


@archive.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_archive_option
def show_cmd(code, as_json, archive_path) -> None:
    """Show one record: metadata, versions, files with sizes and hashes, events."""
    arc = _open(archive_path)
    rec = arc.get(code)
    found = arc.check_for_reading(rec.code)
    if found:  # what the catalogue says is not shown as the record when it is not what the log recorded
        raise WorkplanError([*found, Problem("not shown: the record is not what was archived", file=rec.code,
                                             hint="run `workplan archive verify`")])
    if as_json:
        from ..archive.views import show_dict
        say(json.dumps(show_dict(arc, code), ensure_ascii=False, indent=2))
        return
    versions = arc.versions(rec.code)
    events, _ = arc.log(rec.code)
    fields = [("档号 code", rec.code), ("题名 title", rec.title), ("title (en)", rec.title_en),
              ("文号 number", rec.doc_number), ("责任者 issuer", f"{rec.issuer} ({rec.issuer_abbr})"),
              ("日期 date", rec.date.isoformat()), ("保管期限 retention", f"{rec.retention} {RETENTION_LABELS[rec.retention]}"),
              ("kind", rec.kind), ("identity", rec.identity), ("status", f"{rec.status}, version {rec.version} of "
                                                                          f"{len(versions)}"),
              ("languages", ", ".join(rec.langs)), ("pages", rec.pages), ("units", "、".join(rec.units)),
              ("archived", rec.archived_at), ("disposed", rec.disposed_at)]
    for k, v in fields:
        if v not in (None, ""):
            say(f"{k + ':':<22}{v}")
    say("\nversions:")
    say(_table(["ver", "status", "archived", "bag"],
                      [[f"v{v.version}", v.status, v.archived_at, v.bag_dir.relative_to(arc.root).as_posix()]
                       for v in versions]))
    for v in versions:
        say(f"\nfiles of v{v.version}:")
        say(_table(["role", "size", "sha256", "file"],
                          [[f.role, f"{f.size:,}", f.sha256, f.path] for f in v.files]))
    say("\nevents:")
    for e in events:
        say(f"  #{e.id}  {e.time}  {e.type}  {e.outcome}  {e.agent}")


@archive.command("verify")
@click.option("--repair", is_flag=True, help="Also clean up what interrupted commands left behind (never touches "
                                             "good records; damage and tampering are only reported).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, hidden=True)
@click.option("--sweep", is_flag=True, help="Check whole records, those verified longest ago (or never) first, "
                                            "until --budget is spent; each check is an event of its record. For a "
                                            "schedule (e.g. nightly).")
@click.option("--budget", default="10m", show_default=True, metavar="TIME",
              help="With --sweep: how long to check, e.g. 90s, 10m, 2h.")
@click.option("--anchors", "anchor_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Also prove that the log extends every anchor in DIR (written by `workplan archive anchor`): "
                   "a log rewritten whole, chain and head recomputed, is caught.")
@click.option("--tsa-ca", type=click.Path(dir_okay=False), metavar="FILE",
              help="With --anchors: check the anchors' timestamps against this TSA certificate (PEM).")
@_archive_option
def verify_cmd(repair, as_json, workers, sweep, budget, anchor_dir, tsa_ca, archive_path) -> None:
    """Recompute every file's hash and cross-check bags, catalogue and event log.

    Reports changed, missing and orphan files; records in the catalogue without a bag and bags
    without a record; gaps in item numbers; a broken event chain; and leftovers of interrupted
    commands. Exits 1 when it finds anything, naming each. The check is logged as an event.
    """
    if sweep:
        if repair:
            raise click.BadParameter("--sweep only checks; run --repair on its own", param_hint="--repair")
        seconds = _duration(budget)
        arc = _open(archive_path, "verify")
        from ..archive.verify import sweep as run_sweep
        with progress_callback("verifying", 2) as update:
            rep_ = run_sweep(arc, seconds, progress=update)
        if as_json:
            say(json.dumps(rep_.as_dict(), ensure_ascii=False, indent=2))
        else:
            for c in rep_.checked:
                if not c["ok"]:
                    for f in c["findings"]:
                        _err(f"{c['code']}: {f['message']}")
            bad = sum(not c["ok"] for c in rep_.checked)
            say(f"checked {len(rep_.checked)} record(s) in {rep_.seconds:.1f} s" +
                (": all intact" if not bad else f": {bad} damaged") +
                (f"; {rep_.remaining} left for the next sweep" if rep_.remaining else ""))
        if not rep_.ok:
            sys.exit(1)
        return
    arc = _open(archive_path, "repair" if repair else "verify")
    with progress_callback("verifying", 2) as update:
        rep = arc.verify(repair=repair, progress=update, workers=workers)
    if anchor_dir:
        from ..archive.anchor import check_anchors
        found, n_anchors = check_anchors(arc, Path(anchor_dir), tsa_ca=tsa_ca)
        rep.findings.extend(found)
        if not as_json and not found:
            say(f"anchors: the log extends all {n_anchors} anchor(s) in {anchor_dir}")
    index = _search_index_status(arc, catch_up=repair)
    if as_json:
        say(json.dumps(rep.as_dict() | {"search_index": index}, ensure_ascii=False, indent=2))
    else:
        for action in rep.repaired:
            say(f"repaired: {action}")
        for f in rep.findings:
            _err(f.format())
        summary = (f"checked {rep.documents} document(s), {rep.versions} version(s), {rep.files} file(s) "
                   f"({rep.bytes / 1e6:.1f} MB) and {rep.events} event(s) in {rep.seconds:.2f} s")
        say(summary + (": all intact" if rep.ok else f": {len(rep.findings)} problem(s)"))
        say("search index: " + ("up to date" if index["current"] else
                                       f"{index['problem']} (derived data: run `workplan search reindex`)"))
    if not rep.ok:
        sys.exit(1)


def _search_index_status(arc, *, catch_up: bool) -> dict:
    """Whether the search index (derived data, not part of the verdict) reflects the archive;
    with --repair it is first brought up to date with what the repairs changed."""
    from ..search import index_status, on_records_changed
    from ..search.index import IndexManager
    if catch_up and IndexManager.of(arc).meta_path.exists():
        try:
            on_records_changed(arc, [])
        except WorkplanError as e:
            _err("warning: the search index was not brought up to date: " + e.format())
    problem = index_status(arc)
    return {"current": problem is None, "problem": problem}


@archive.command("anchor")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="The folder to write the anchor into: outside the archive (another disk or machine).")
@click.option("--tsa", metavar="URL", help="Timestamp the anchor at this RFC 3161 time-stamping authority.")
@click.option("--tsa-command", metavar="CMD",
              help="Timestamp it with this command instead (an offline authority): it gets {query} and {reply} "
                   "file names, e.g. \"openssl ts -reply -queryfile {query} -out {reply} ...\".")
@_archive_option
def anchor_cmd(out_dir, tsa, tsa_command, archive_path) -> None:
    """Write the event log's head (event number and hash) to a file outside the archive.

    Kept elsewhere, anchors let `workplan archive verify --anchors DIR` prove that the log still
    extends them: a log rewritten whole, with every hash and the archive's head recomputed, no
    longer holds the anchored entry. With --tsa (or --tsa-command) the anchor gets an RFC 3161
    timestamp, so its date is proven too. Run it on a schedule (e.g. after each day's work).
    """
    from ..archive.anchor import write_anchor
    arc = _open(archive_path, "verify")
    out = write_anchor(arc, Path(out_dir), tsa=tsa, tsa_command=tsa_command)
    say(f"anchored event #{out['event']} ({out['hash'][:16]}…) in {out['anchor']}"
        + (f", timestamped: {out['timestamp']}" if out["timestamp"] else ""))


@archive.command("diff")
@click.argument("code")
@click.argument("versions", nargs=-1, type=click.IntRange(1, 100000), metavar="[V1 V2]")
@click.option("--json", "as_json", is_flag=True, help="Print the difference as JSON.")
@click.option("--text", "with_text", is_flag=True,
              help="Also compare the rendered text (the PDF rendition both versions have), line by line.")
@_archive_option
def diff_cmd(code, versions, as_json, with_text, archive_path) -> None:
    """What changed between two versions of a record (default: the previous and the current).

    The data files are compared as data: items are matched by their id, so a change reads
    e.g. "task inspect «开展火灾隐患排查»: deadline 2023-12-15 → 2024-01-10". Files whose
    hashes differ are listed too. Both versions are checked against the log first.
    """
    if len(versions) not in (0, 2):
        raise click.BadParameter("give two versions, or none (the previous and the current)", param_hint="V1 V2")
    from ..archive.diff import diff_versions, text_diff
    arc = _open(archive_path)
    d = diff_versions(arc, code, *(versions or (None, None)))
    if with_text:
        d["text"] = text_diff(arc, d["code"], d["from"], d["to"])
    if as_json:
        say(json.dumps(d, ensure_ascii=False, indent=2))
        return
    say(f"{d['code']}: v{d['from']} → v{d['to']}")
    for line in d["lines"]:
        say("  " + line)
    if not d["data"]:
        say("  (no data file in both versions: only the files are compared)")
    elif not d["changes"]:
        say("  the data is the same")
    for f in d["files"]:
        say(f"  file {f['role']}: {f['change']}")
    text = d.get("text")
    if text is not None:
        if text["role"] is None:
            say("  text: no PDF rendition in both versions to compare")
        elif text["same"]:
            say(f"  text ({text['role']}): the same")
        else:
            say(f"  text ({text['role']}):")
            for r in text["rows"]:
                if r["op"] == "gap":
                    say("    …")
                elif r["op"] == "equal":
                    say(f"      {r['old']}")
                else:
                    if r["old"] is not None:
                        say(f"    - {r['old']}")
                    if r["new"] is not None:
                        say(f"    + {r['new']}")


@archive.command("log")
@click.argument("code", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.option("--export", "export_to", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the whole log, byte for byte as events.jsonl holds it (also from a PostgreSQL archive), "
                   "to FILE instead of showing it.")
@_archive_option
def log_cmd(code, as_json, export_to, archive_path) -> None:
    """Show the audit trail (all events, or those of one record)."""
    arc = _open(archive_path)
    if export_to:
        from ..archive.fsutil import atomic_replace
        if code:
            raise click.UsageError("--export writes the whole log: leave out the CODE")
        data = arc.events.export_bytes()
        atomic_replace(Path(export_to), data)
        n = data.count(b"\n")
        say(f"wrote {n} event(s) ({len(data)} bytes) to {export_to}")
        return
    if code:
        arc.get(code)  # a clear error for an unknown code
    events, problems = arc.log(code)
    for e in events:
        if as_json:
            say(json.dumps(e.as_dict(), ensure_ascii=False))
        else:
            detail = e.detail
            if isinstance(detail, dict):
                detail = ", ".join(f"{k}={v}" for k, v in detail.items()
                                   if k in ("version", "title", "note", "file", "documents", "findings", "rows",
                                            "versions", "fonds_code", "supersedes"))
            say(f"#{e.id}  {e.time}  {e.type:<17} {e.object:<28} {e.outcome:<8} {e.agent}"
                       + (f"  {detail}" if detail else ""))
    for p in problems:
        _err("warning: " + p.format())


@archive.command("export")
@click.option("--year", type=int, required=True, help="The year (年度) to transfer.")
@click.option("--unit", help="Only records naming this unit.")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option("--retention", type=_RET, help="Only this retention.")
@click.option("--all-versions", is_flag=True, help="Include superseded versions (default: current versions only).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The zip file to write.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@_archive_option
def export_cmd(year, unit, kind, retention, all_versions, output, force, archive_path) -> None:
    """Write a transfer package (移交): the bags of the selected records plus the catalogue of
    archived files (归档文件目录) as catalogue.csv and catalogue.xlsx, in one zip.

    Every record is verified first; a damaged record stops the export before anything is written.
    """
    arc = _open(archive_path, "export")
    res = arc.export(output, year=year, unit=unit, kind=kind, retention=retention.upper() if retention else None,
                     all_versions=all_versions, force=force)
    say(f"{res.path}: {res.records} record(s) of {res.documents} document(s), {res.files} file(s), "
               f"{res.size / 1e6:.1f} MB, sha256 {res.sha256}")


@archive.command("dispose")
@click.argument("code")
@click.option("--confirm", is_flag=True, help="Required: disposal destroys the record's files.")
@click.option("--reason", help="Required: why (e.g. the appraisal decision), kept in the tombstone and the log.")
@_archive_option
def dispose_cmd(code, confirm, reason, archive_path) -> None:
    """Dispose of a record whose retention period has expired (D10/D30 after its date; Y never).

    The files of every version are removed; a tombstone bag keeps the metadata and the hashes
    of what was destroyed, and the disposal is logged.
    """
    arc = _open(archive_path, "dispose")
    rec = arc.get(code)
    if not confirm:
        raise WorkplanError(Problem("disposal destroys the record's files", file=rec.code,
                                    hint=f"pass --confirm: workplan archive dispose {rec.code} --confirm"))
    rec = arc.dispose(rec.code, reason=reason)
    say(f"disposed of {rec.code} ({rec.title}); its tombstone is {rec.bag_dir.relative_to(arc.root).as_posix()}")


@archive.command("migrate")
@click.option("--to", "to", required=True, metavar="postgresql://USER@HOST[:PORT]/DB",
              help="An empty PostgreSQL database to move the catalogue and the event log into.")
@_archive_option
def migrate_cmd(to, archive_path) -> None:
    """Move a folder archive's catalogue and event log into a PostgreSQL database.

    Every log line is moved exactly as it is and every catalogue row field for field; both are
    read back and compared before archive.json is switched to the database. The old
    catalogue.sqlite and events.jsonl are kept in migrated-<time>/. The bags stay where they are.
    """
    from ..archive.migrate import migrate_to_postgresql
    arc = _open(archive_path)
    res = migrate_to_postgresql(arc, to)
    say(f"moved {res['events']} event(s) and {res['rows']} catalogue row(s) into {arc.config.catalogue}; both read "
        f"back equal (log SHA-256 {res['log_sha256'][:16]}…); the old files are kept in {res['kept'].name}/")


@archive.command("rebuild-catalogue")
@_archive_option
def rebuild_cmd(archive_path) -> None:
    """Rebuild the catalogue (catalogue.sqlite) from the bags, which are the truth."""
    arc = _open(archive_path, "repair")
    n, problems = arc.rebuild_catalogue()
    for p in problems:
        _err(p.format())
    say(f"rebuilt the catalogue from the bags the log records: {n} row(s)")
    if problems:
        _err(f"{len(problems)} problem(s): what could not be read, or what the log does not record, was left out")
        sys.exit(1)


@archive.command("adopt")
@click.argument("code")
@click.option("--version", "version", type=click.IntRange(1, None), required=True, help="The version's bag (vN).")
@click.option("--reason", required=True, help="Why this bag is genuine (who found it, where it comes from).")
@_archive_option
def adopt_cmd(code, version, reason, archive_path) -> None:
    """Record a bag the event log does not know (an archivist's decision, logged with its reason).

    Nothing else ever records such a bag: `add`, `verify --repair` and `rebuild-catalogue`
    report it and leave it alone.
    """
    arc = _open(archive_path, "repair")
    rec = arc.adopt(code, version, reason=reason)
    say(f"adopted {rec.code} v{rec.version} ({rec.title}); logged with its hashes and the reason")


@archive.command("accept-log")
@click.option("--reason", required=True, help="What happened to the log, and what was checked.")
@_archive_option
def accept_log_cmd(reason, archive_path) -> None:
    """Acknowledge that the event log lost entries from its end (an archivist's decision).

    Writes stop while the log is shorter than its recorded head. This logs the loss (the head
    that was recorded, and the reason) so that writing can resume; bags whose entries were lost
    remain findings until each is adopted or removed.
    """
    arc = _open(archive_path, "repair")
    ev = arc.accept_log(reason=reason)
    say(f"logged as entry #{ev['id']}: {ev['detail']['finding']}")
