"""`workplan build`: data files → DOCX and PDF documents."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import Problem, WorkplanError
from ..formats import DEFAULT_PDF_ENGINE, PDF_ENGINES
from .helpers import echo_err, expand_inputs, os_problem, progress
from .options import archive_option, format_option, lang_option, program_resolver, say


def _build_one(args) -> tuple[Path, list[str], int, bool]:
    """Check, lint and render one data file into every language and format asked for, reading
    it once (runs in a worker process with --jobs). Nothing is written for a file that fails
    validation, a translation check or (without --force) an error-level lint rule. Returns the
    source, the messages for standard error in order, the number of outputs written and whether
    the file failed."""
    from ..lint import errors_of, lint_document
    from ..model import load_source
    from ..render import build_file
    source, outdir, langs, formats, template, allow_missing, resolver, pdf_engine, force = args
    messages: list[str] = []
    try:
        loaded = load_source(source, program_resolver=resolver)
        # the lint rules of severity error: a document with a blank or an impossible number is
        # not issued unless the user insists
        lint_errors = errors_of(lint_document(loaded.doc, source, positions=loaded.positions,
                                              raw=loaded.data if isinstance(loaded.data, dict) else None))
        messages += [p.format() for p in lint_errors]
        if lint_errors and not force:
            messages.append(f"{source}: not built: {len(lint_errors)} lint error(s); fix them, or build anyway with --force")
            return source, messages, 0, True
        # every language is resolved before the first file is written (a missing translation writes nothing)
        r = build_file(source, outdir, langs=langs, formats=formats, template=template, allow_missing=allow_missing,
                       program_resolver=resolver, keep_going=True, pdf_engine=pdf_engine, loaded=loaded)
        messages += ["warning: " + w.format() for w in r.warnings]
        messages += [e.format() for e in r.failures]         # a failed format does not hide the outputs written
        return source, messages, len(r.outputs), bool(r.failures)
    except WorkplanError as e:
        return source, messages + [e.format()], 0, True
    except Exception as e:  # noqa: BLE001 - a bug of ours: name the file and the error, and let the other files go on
        if isinstance(e, OSError) and e.errno is not None:  # an unwritable output, a full disk: the user's
            p = os_problem(e).problems[0]
            p.file = p.file or str(outdir)
            p.message = f"{p.message} (building {Path(source).name})"
            return source, messages + [WorkplanError(p).format()], 0, True
        return source, messages + [WorkplanError(Problem(
            f"internal error while building: {type(e).__name__}: {e}", file=str(source),
            hint="this is a bug in workplan; please report it with this file")).format()], 0, True


@click.command("build")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "outdir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the documents, named <file>.<lang>.<format>.")
@lang_option(help="zh, en or zh-en (Chinese then English, block by block); several with commas.")
@format_option(help="The formats to write (docx, pdf), several with commas.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Build in this many processes.")
@click.option("--template", type=click.Path(exists=True, dir_okay=False),
              help="Your own .docx template (styles, letterhead) for the Word output.")
@click.option("--allow-missing", is_flag=True, help="Fall back to the other language where a translation is missing (warns).")
@click.option("--force", is_flag=True,
              help="Issue documents even when lint finds errors in them (placeholders, impossible rates, "
                   "contradictory dates); the errors are still printed.")
@archive_option
@click.option("--pdf-engine", type=click.Choice(list(PDF_ENGINES)), default=DEFAULT_PDF_ENGINE, show_default=True,
              help="Typesetter of the PDFs (the same layout numbers either way): typst (the default, "
                   "4-5x faster) or weasyprint (HTML + CSS).")
def build(files, outdir, langs, formats, jobs, template, allow_missing, force, archive_path, pdf_engine) -> None:
    """Build DOCX and PDF documents (GB/T 9704-2012 layout) from data files.

    Each file is validated first, then checked by the error-level lint rules (see `workplan
    lint --help`); nothing is written for a file with problems unless --force is given for lint
    errors. PDFs are PDF/A-3b and carry their source data file as an embedded attachment.

    The output folder holds the tool's own products, <file>.<lang>.<format> (a name too long
    for the file system is shortened with a hash): building again replaces them, each
    atomically; no other file in the folder is touched.

    \b
    Examples:
      workplan build corpus/winter-fire-safety.yaml
      workplan build corpus/ -o out --lang zh,en,zh-en --jobs 2
      workplan build corpus/ --format pdf --pdf-engine weasyprint

    Two PDF engines draw the same layout: typst (the default, fast) and weasyprint (HTML/CSS).
    With --jobs N, N processes build one file each at a time (largest first).
    """
    from ..render import check_pdf_engine
    langs_l, formats_l = langs, formats
    resolver = program_resolver(archive_path)
    if "pdf" in formats_l:
        check_pdf_engine(pdf_engine)
    if template:
        _check_template(Path(template), formats_l)
    sources = expand_inputs(files)
    _prepare_outdir(outdir)
    # One task per file: each reads its file once, checks it in every language, runs the
    # error-level lint rules and writes its outputs (nothing for a file with problems); the other
    # files go on. With --jobs, largest first, so that every worker stays busy to the end.
    from ..lint import lint_document  # noqa: F401  (imported before the workers fork: they inherit it)
    from ..render import build_file  # noqa: F401
    if jobs > 1:
        sources = sorted(sources, key=lambda p: p.stat().st_size if p.is_file() else 0, reverse=True)
    tasks = [(s, outdir, langs_l, formats_l, Path(template) if template else None, allow_missing, resolver,
              pdf_engine, force) for s in sources]
    failed: set[Path] = set()
    n_out = 0

    def report(source, messages, outputs, bad):
        nonlocal n_out
        for m in messages:
            echo_err(m)
        if bad:
            failed.add(source)
        n_out += outputs

    if jobs == 1 or len(tasks) <= 1:
        for t in progress(tasks, "building"):
            report(*_build_one(t))
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            futures = [pool.submit(_build_one, t) for t in tasks]
            for fut in progress(as_completed(futures), "building", total=len(futures)):
                report(*fut.result())
    say(f"{n_out} document(s) written to {outdir}/" + (f"; {len(failed)} file(s) failed" if failed else ""))
    if failed:
        sys.exit(1)


def _check_template(template: Path, formats: list[str]) -> None:
    """--template: a regular .docx file; notes on what it does not change."""
    import stat
    try:
        regular = stat.S_ISREG(os.stat(template).st_mode)
    except OSError as e:
        raise os_problem(e, "read") from None
    if not regular:  # a FIFO or a device would block or never end
        raise WorkplanError(Problem("the template is not a regular file", file=str(template),
                                    hint="give a .docx file saved on disk"))
    # --template styles the Word file; say what it does not do, rather than fall back silently
    if "docx" in formats:
        from ..render.docx.template import template_notes
        for note in template_notes(template):
            echo_err(f"note: {template}: {note}")
    if "pdf" in formats:
        echo_err("note: --template styles the Word files only; the PDFs keep the standard GB/T 9704 look "
                 "(letterhead text and colours from the data file and layout.py)")


def _prepare_outdir(outdir: str) -> None:
    """The output folder, made if missing; refused (naming the fix) when it cannot be written to."""
    try:
        Path(outdir).mkdir(parents=True, exist_ok=True)
        if not os.access(outdir, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied", outdir)
    except OSError as e:
        raise os_problem(e if e.filename else OSError(e.errno, e.strerror, outdir),
                         hint="choose an output folder you can write to with -o DIR "
                              "(not below a file, not in /proc or /sys)") from None
