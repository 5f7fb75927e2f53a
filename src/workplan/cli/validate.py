"""`workplan validate`: check data files against the model."""
from __future__ import annotations

import sys

import click

from ..errors import WorkplanError
from .helpers import echo_err, expand_inputs
from .options import archive_option, program_resolver, say


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@archive_option
def validate(files: tuple[str, ...], archive_path: str | None) -> None:
    """Check data files (YAML or JSON) against the model.

    Every problem is reported with file:line:column, the field path, and a hint. Exit code 1
    if any file has a problem. A progress report whose program is archived
    (`program: {archive: CODE}`) is checked against the archive of --archive.
    """
    from ..lint import lint_document
    from ..model import load_source
    resolver = program_resolver(archive_path)
    bad = 0
    for f in expand_inputs(files):
        try:
            src = load_source(f, program_resolver=resolver)  # once: the letterhead check is located with its positions
            for w in lint_document(src.doc, f, positions=src.positions, select=["letterhead", "import-mark"]):
                echo_err("warning: " + w.format())
            say(f"{f}: ok")
        except WorkplanError as e:
            bad += 1
            echo_err(e.format())
    if bad:
        echo_err(f"{bad} file(s) with problems")
        sys.exit(1)
