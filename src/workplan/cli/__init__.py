"""The `workplan` command. Each pipeline stage contributes its own commands; this module only
assembles them and turns :class:`WorkplanError` into a clear message and a non-zero exit.

Start-up stays fast: a stage's command module is imported only when that command runs (see
:class:`LazyGroup`), and commands import heavy libraries (WeasyPrint, matplotlib, tantivy,
jieba, rich, python-docx, pypdf) inside their functions, so `workplan --help` and `workplan
validate` load none of them.
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from ..errors import Problem, WorkplanError
from ..formats import DEFAULT_PDF_ENGINE, PDF_ENGINES
from .options import archive_option, format_option, lang_option, program_resolver, say, user_option


def echo_err(msg: str) -> None:
    say(msg, err=True)  # control characters escaped: messages quote users' files


def expand_inputs(paths: tuple[str, ...]) -> list[Path]:
    """Files as given; folders expand to the data files inside them (*.yaml / *.yml / *.json, not
    a JSON Schema kept beside them: that one is skipped with a note)."""
    from ..model.datafiles import folder_data_files
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found, notes = folder_data_files(path)
            for note in notes:
                echo_err(f"note: {note}")
            if not found:
                raise WorkplanError(Problem("no .yaml, .yml or .json files in this folder", file=p))
            out.extend(found)
        else:
            out.append(path)
    return out


def check_output(path: str | Path, force: bool) -> Path:
    """A named output file: refused if it exists (unless ``force``), like ``cp -n``; a folder never."""
    p = Path(path)
    if p.is_dir():
        raise WorkplanError(Problem("the output is a folder", file=str(p), hint="give a file name"))
    if (p.exists() or p.is_symlink()) and not force:
        raise WorkplanError(Problem("the output file exists; nothing was written", file=str(p),
                                    hint="choose another name, or pass --force to replace it"))
    return p


def os_problem(e: OSError, what: str = "write", hint: str | None = None) -> WorkplanError:
    """An OSError on a user's path as the user's problem: which file, what failed, what to do."""
    where = e.filename if e.filename is not None else None
    return WorkplanError(Problem(f"cannot {what} here: {e.strerror or e}", file=str(where) if where else None,
                                 hint=hint or "choose a place you can write to (an existing folder, not a file, "
                                              "not /proc or /sys), with enough free space"))


def progress(items, label: str, total: int | None = None):
    """A progress bar on stderr when it is a terminal and there is more than one item."""
    items = list(items) if total is None else items
    total = total if total is not None else len(items)
    if total <= 1 or not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=total)
        for it in items:
            yield it
            bar.advance(task)


#: Commands that live in their own module of this package, imported when first used:
#: name -> (module, attribute, the first sentence of its help for `workplan --help`).
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "archive": ("archive", "archive", "Keep creation files (创建档案) with archival codes, fixity checks and an audit "
                                      "trail."),
    "compile": ("compile", "compile_cmd", "Compile a year's archived documents into one volume (年度汇编)."),
    "import": ("importer", "importer", "Import Word (.docx), PDF and text (.txt) documents as data files."),
    "lint": ("lint", "lint", "Check data files, and Word/PDF/text documents, for defects before they are issued."),
    "search": ("search", "search", "Full-text search of the archive, in Chinese and English."),
    "serve": ("serve", "serve_cmd", "Serve the archive as a web site for auditors and reviewers."),
    "user": ("users", "user", "Manage the archive's accounts (people and their roles)."),
    "worker": ("worker", "worker_cmd", "Run the archive's queued jobs (a PostgreSQL archive's job queue)."),
    "jobs": ("worker", "jobs_cmd", "What the archive's queued jobs are doing or did."),
}


class LazyGroup(click.Group):
    """A group whose commands in :data:`LAZY_COMMANDS` are imported only when they run (or their
    own help is asked for); `workplan --help` lists them from the table."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        cmd = super().get_command(ctx, name)
        if cmd is None and name in LAZY_COMMANDS:
            module, attr, _ = LAZY_COMMANDS[name]
            cmd = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
            self.add_command(cmd, name)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        limit = formatter.width - 6 - max(len(n) for n in self.list_commands(ctx))
        for name in self.list_commands(ctx):
            cmd = super().get_command(ctx, name)
            if cmd is not None:
                if not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(limit)))
            else:
                rows.append((name, click.Command(name, help=LAZY_COMMANDS[name][2]).get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="workplan")
@user_option
def cli() -> None:
    """Turn structured work-program data into official bilingual documents.

    \b
    Typical use:
      workplan validate corpus/                    check data files
      workplan build corpus/ -o out --lang zh-en   DOCX + PDF per GB/T 9704-2012
      workplan archive init && workplan archive add corpus/winter-fire-safety.yaml
      workplan search 消防 --year 2023
      workplan compile --year 2023 -o volume.pdf
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@archive_option
def validate(files: tuple[str, ...], archive_path: str | None) -> None:
    """Check data files (YAML or JSON) against the model.

    Every problem is reported with file:line:column, the field path, and a hint. Exit code 1
    if any file has a problem. A progress report whose program is archived
    (`program: {archive: CODE}`) is checked against the archive of --archive.
    """
    from ..lint import lint_document
    from ..model.load import load_document_data, read_data
    resolver = program_resolver(archive_path)
    bad = 0
    for f in expand_inputs(files):
        try:
            data, positions = read_data(f)  # once: the letterhead check below is located with its positions
            doc = load_document_data(f, data, positions, program_resolver=resolver)
            for w in lint_document(doc, f, positions=positions, select=["letterhead", "import-mark"]):
                echo_err("warning: " + w.format())
            say(f"{f}: ok")
        except WorkplanError as e:
            bad += 1
            echo_err(e.format())
    if bad:
        echo_err(f"{bad} file(s) with problems")
        sys.exit(1)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def schema(output: str | None, force: bool) -> None:
    """Print the JSON Schema of data files (for editor validation and completion).

    \b
    Example:
      workplan schema -o workplan.schema.json
    """
    from ..model import schema_json
    text = schema_json() + "\n"
    if output:
        out = check_output(output, force)
        from ..render import atomic_write
        try:
            atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError as e:
            raise os_problem(e) from None
    else:
        click.echo(text, nl=False)


def _build_one(args) -> tuple[Path, list[str], int, bool]:
    """Check, lint and render one data file into every language and format asked for, reading
    it once (runs in a worker process with --jobs). Nothing is written for a file that fails
    validation, a translation check or (without --force) an error-level lint rule. Returns the
    source, the messages for standard error in order, the number of outputs written and whether
    the file failed."""
    from ..lint import errors_of, lint_document
    from ..render import build_file, load_source
    source, outdir, langs, formats, template, allow_missing, resolver, pdf_engine, force = args
    messages: list[str] = []
    try:
        loaded = load_source(source, resolver)
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
    except Exception as e:  # a bug of ours: name the file and the error, and let the other files go on
        if isinstance(e, OSError) and e.errno is not None:  # an unwritable output, a full disk: the user's
            p = os_problem(e).problems[0]
            p.file = p.file or str(outdir)
            p.message = f"{p.message} (building {Path(source).name})"
            return source, messages + [WorkplanError(p).format()], 0, True
        return source, messages + [WorkplanError(Problem(
            f"internal error while building: {type(e).__name__}: {e}", file=str(source),
            hint="this is a bug in workplan; please report it with this file")).format()], 0, True


@cli.command()
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
        import stat
        try:
            regular = stat.S_ISREG(os.stat(template).st_mode)
        except OSError as e:
            raise os_problem(e, "read") from None
        if not regular:  # a FIFO or a device would block or never end
            raise WorkplanError(Problem("the template is not a regular file", file=str(template),
                                        hint="give a .docx file saved on disk"))
        # --template styles the Word file; say what it does not do, rather than fall back silently
        if "docx" in formats_l:
            from ..render.docx.template import template_notes
            for note in template_notes(Path(template)):
                echo_err(f"note: {template}: {note}")
        if "pdf" in formats_l:
            echo_err("note: --template styles the Word files only; the PDFs keep the standard GB/T 9704 look "
                     "(letterhead text and colours from the data file and layout.py)")
    sources = expand_inputs(files)
    try:
        Path(outdir).mkdir(parents=True, exist_ok=True)
        if not os.access(outdir, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied", outdir)
    except OSError as e:
        raise os_problem(e if e.filename else OSError(e.errno, e.strerror, outdir),
                         hint="choose an output folder you can write to with -o DIR "
                              "(not below a file, not in /proc or /sys)") from None
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


def _register() -> None:
    """Attach each stage's commands (they live beside their stage): the modules named in
    :data:`LAZY_COMMANDS` are imported when their command is used."""


_register()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        echo_err("aborted")
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except WorkplanError as e:
        echo_err(e.format())
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        echo_err("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as e:  # a file the user named cannot be read or written: theirs to fix, not a traceback
        if e.errno is None:  # not the operating system's (e.g. a template missing from the package): a bug
            raise
        echo_err(os_problem(e, "read or write").format())
        sys.exit(1)
    except SystemExit:
        raise
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()
