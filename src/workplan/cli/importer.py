"""`workplan import`: Word, PDF and text documents → data files of the model."""
from __future__ import annotations

from collections import Counter

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from .options import say

from ..errors import Problem, WorkplanError


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_one(src: Path, outdir: Path, lang: str | None, force: bool, keep: list | None = None,
               name: str | None = None) -> dict:
    """Import one file, write DIR/<stem>.yaml (or DIR/``name``) and check that it loads; returns the report."""
    from ..model import load_document
    from ..readers import ImportFailed, read_file
    from ..readers.yamlout import dump
    out = outdir / (name or src.stem + ".yaml")
    if out.exists() and not force:
        raise ImportFailed(f"{out} exists", str(src), hint="pass --force to overwrite it, or choose another folder with -o")
    result = read_file(src, lang=lang)
    text = dump(result.data, result.report)
    load_document(out, text)  # the written file must validate: check the very text first
    _write_atomic(out, text)
    rep = dict(result.report)
    rep["output"] = str(out)
    if keep is not None:
        keep.append(result.data)
    return rep


def archive_one(arc, src: Path, rep: dict, data: dict, *, title: str | None, issuer: str | None, date: str | None,
                org: str | None, retention: str | None) -> str:
    """Add the original file and its imported data file as one legacy record; returns its code.
    Metadata the document does not state must be given (never guessed)."""
    from ..errors import Problem
    from ..ingest import add_files
    units = {u["id"]: u for u in data.get("units", [])}
    found_issuer = next((units[u]["zh"] for u in data.get("issuers", []) if u in units), None)
    issuer = issuer or found_issuer
    date = date or rep.get("date")
    title = title or (rep["title"] if rep.get("title") not in ("（无标题）", "(untitled)") else None)
    missing = [(opt, what) for opt, what, v in (("--title", "title (题名)", title), ("--issuer", "issuing unit (责任者)", issuer),
                                                  ("--date", "date (成文日期)", date)) if not v]
    if missing or not (title and issuer and date):
        raise WorkplanError(Problem("cannot archive: the document does not state its "
                                    + ", ".join(w for _, w in missing), file=str(src),
                                    hint="give " + ", ".join(f"{o} …" for o, _ in missing)
                                    + " (the data file was written; the record was not)"))
    rec = add_files(arc, [src, Path(rep["output"])], title=title, issuer=issuer, date=date, kind="legacy",
                    doc_number=rep.get("doc_number"), retention=retention, issuer_abbr=org,
                    langs=[rep.get("lang") or "zh"])
    return rec.code


def _print_report(rep: dict) -> None:
    say(f"{rep['file']} → {rep['output']}")
    say(f"  title: {rep['title']}")
    if rep.get("doc_number"):
        say(f"  number: {rep['doc_number']}")
    say(f"  characters kept: {rep['coverage'] * 100:.1f} % of {rep['characters']['source']}"
               f" ({rep['format']}, {rep['lang']}, headings from {rep['headings_from'] or 'none'})")
    for s in rep["sections"]:
        say(f"  - {s['type']:<12} {s['title']}" + (f"  ({s['items']} items)" if s["items"] else ""))
    if rep["unclassified"]:
        say("  not classified (kept as free sections): " + "; ".join(rep["unclassified"]))
    for w in rep["warnings"]:
        say("  warning: " + w, err=True)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "outdir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the data files, named <file stem>.yaml (<stem>-<ext>.yaml when "
                 "files of one name but different types are imported together).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the document (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON (one list) on stdout.")
@click.option("--force", is_flag=True, help="Overwrite existing data files.")
@click.option("--archive", "archive_path", is_flag=False, flag_value="", default=None, metavar="[PATH]",
              help="Also add each file to the archive as a legacy record (the original file and the "
                   "imported data file): PATH, else $WORKPLAN_ARCHIVE, else ./archive. Put it after the files.")
@click.option("--org", help="With --archive: the issuer's organization code (e.g. BGS), when the archive "
                            "configuration has none for it.")
@click.option("--issuer", help="With --archive: the issuing unit, when the document does not name it.")
@click.option("--date", "date_", help="With --archive: the document's date (YYYY-MM-DD), when it states none.")
@click.option("--title", help="With --archive: the title, when the document has none.")
@click.option("--retention", type=click.Choice(["Y", "D30", "D10"], case_sensitive=False),
              help="With --archive: the retention period (default: the archive's).")
def importer(files, outdir, lang, as_json, force, archive_path, org, issuer, date_, title, retention) -> None:
    """Import Word (.docx), PDF and text (.txt) documents as data files.

    Finds the title, document number, recipients, preamble, the numbered sections (typed by
    their headings: 指导思想 → ideology, 主要任务 → tasks, 实施步骤 → phases …, the heading kept
    as written), leading-group rosters, lead/cooperating units, phases with dates, targets,
    signature and date. Text it cannot classify is kept in free sections. Each written file
    passes `workplan validate`; a file that cannot be imported is reported and the others
    go on (exit code 1).

    \b
    Examples:
      workplan import old/2015-平安创建方案.docx -o data/
      workplan import scans/*.pdf notes.txt -o data/ --json > import-report.json
      workplan import program.docx -o data/ --force && workplan build data/program.yaml
      workplan import 2019/*.pdf -o data/ --archive       (legacy records: original + data)
    """
    from . import echo_err, progress
    from ..readers import SUPPORTED
    if archive_path and Path(archive_path).suffix.lower() in SUPPORTED + (".doc", ".wps"):
        raise click.BadParameter(f"{archive_path!r} looks like a document, not an archive folder: put --archive "
                                 "after the files, or give the archive folder", param_hint="--archive")
    arc = None
    if archive_path is not None:
        from .options import open_archive_at
        arc = open_archive_at(archive_path or None, "add")
    srcs = [Path(f) for f in files]
    # a.docx and a.pdf in one run: a-docx.yaml and a-pdf.yaml, not one overwriting the other
    stems = Counter(p.stem for p in srcs)
    names = {p: (f"{p.stem}-{p.suffix.lstrip('.').lower()}.yaml" if stems[p.stem] > 1 else None) for p in srcs}
    reports, failed = [], 0
    for src in progress(srcs, "importing"):
        try:
            kept: list = []
            rep = import_one(src, Path(outdir), lang, force, kept, names[src])
            reports.append(rep)
            if not as_json:
                _print_report(rep)
            if not rep["structured"]:
                # nothing was recognised: the text is kept (written as one free section), but the
                # file is not a structured document until someone adds its headings
                rep["error"] = (f"{src}: no recognisable structure (no section headings found); the text is kept "
                                f"as one free section in {rep['output']}")
                raise WorkplanError(Problem(
                    "no recognisable structure: no section headings were found, so the text was kept as one free "
                    f"section in {rep['output']}", file=str(src),
                    hint="check that this is a work program; add numbered headings (一、…) to the source, or edit "
                         "the data file, then run workplan validate"))
            if arc is not None:
                try:
                    rep["archived"] = archive_one(arc, src, rep, kept[0], title=title, issuer=issuer, date=date_,
                                                  org=org, retention=retention.upper() if retention else None)
                except WorkplanError as e:
                    rep["archive_error"] = e.format()
                    raise
                if not as_json:
                    say(f"  archived as {rep['archived']}")
        except WorkplanError as e:
            failed += 1
            echo_err(e.format())
            if not (reports and reports[-1].get("file") == str(src)):
                reports.append({"file": str(src), "error": e.format()})
        except Exception as e:  # a bug of ours: name the file, let the others go on
            failed += 1
            msg = f"{src}: internal error while importing: {type(e).__name__}: {e} (please report it with this file)"
            echo_err(msg)
            reports.append({"file": str(src), "error": msg})
    if as_json:
        say(json.dumps(reports, ensure_ascii=False, indent=2))
    if failed:
        echo_err(f"{failed} of {len(srcs)} file(s) could not be imported" + (" or archived" if arc is not None else ""))
        sys.exit(1)
