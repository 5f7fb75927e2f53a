"""`workplan compile`: a year's archived documents as one volume (年度汇编)."""
from __future__ import annotations

import datetime as dt
import sys

import click
from rich.progress import TaskID

from ..archive.record import KINDS
from ..i18n import LANGS
from ..limits import EARLIEST_YEAR, LATEST_DOCUMENT_YEAR
from .options import archive_option, format_option, lang_option, open_archive_at, say


class _Bar:
    """A rich progress bar per stage on stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        self.progress = None
        self.tasks: dict[str, TaskID] = {}
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            self.progress = Progress(TextColumn("[bold]{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=False)

    def __enter__(self) -> "_Bar":
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress:
            self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.progress:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=done, total=max(total, 1))


def _parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write it as YYYY-MM-DD") from None


@click.command("compile")
@click.option("--year", required=True, type=click.IntRange(EARLIEST_YEAR, LATEST_DOCUMENT_YEAR), help="The year of the documents (their date).")
@click.option("--unit", help="Only documents naming this unit (name, id or abbreviation), as in `workplan archive list`.")
@click.option("--kind", type=click.Choice(KINDS), help="Only documents of this kind.")
@archive_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The volume file to write (.pdf or .docx).")
@format_option(multiple=False, help="pdf (archived PDF pages) or docx (archived Word files, one document) "
                                    "[default: from -o].")
@click.option("--title", help="Volume title [default: <compiling unit><year>年度文件汇编].")
@click.option("--compiler", help="Compiling unit shown on the cover [default: the common issuer, else the fonds name].")
@click.option("--date", "date", callback=_parse_date, metavar="YYYY-MM-DD", help="Date on the cover, YYYY-MM-DD [default: today].")
@lang_option(choices=LANGS, multiple=False,
             help="Language of the volume's own pages (cover, contents, statistics, catalogue).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def compile_cmd(year, unit, kind, archive_path, output, fmt, title, compiler, date, lang, force) -> None:
    """Compile a year's archived documents into one volume (年度汇编).

    The volume has a cover, a table of contents (with the volume page where each document
    starts), a statistics page (documents by kind and unit; for progress reports, target
    attainment and task completion), the archive catalogue (归档文件目录), then every
    document's archived PDF pages, unchanged, ordered by unit, then date.

    PDF volumes get one bookmark per document, grouped by unit, and volume page numbers
    (档案页号) stamped in the top margin: the documents keep their own page numbers.
    Every record's files are checked against their stored hashes first; if one fails,
    nothing is written and the record is named.

    \b
    Examples:
      workplan compile --year 2024 -o volume-2024.pdf
      workplan compile --year 2024 --unit 青松社区 --kind report -o reports-2024.pdf
      workplan compile --year 2024 --format docx -o volume-2024.docx
    """
    from ..compile.volume import compile_volume, volume_format
    from .helpers import check_output
    out = check_output(output, force)
    fmt = volume_format(out, fmt)
    if fmt == "pdf":
        from ..render.fonts import check_pdf_environment
        check_pdf_environment()
    arc = open_archive_at(archive_path, "compile")
    with _Bar() as bar:
        result = compile_volume(arc, out, year=year, unit=unit, kind=kind, fmt=fmt, title=title, compiler=compiler,
                                date=date, lang=lang, progress=bar)
    for w in result.warnings:
        say(f"warning: {w}", err=True)
    if fmt == "pdf":
        say(f"{out}: {result.documents} document(s), {result.pages} page(s) "
                   f"({result.front_pages} front page(s))")
    else:
        say(f"{out}: {result.documents} document(s)")
