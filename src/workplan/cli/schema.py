"""`workplan schema`: the JSON Schema of data files."""
from __future__ import annotations

from pathlib import Path

import click

from .helpers import check_output, os_problem


@click.command("schema")
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
            atomic_write(out, lambda tmp: _write(tmp, text))
        except OSError as e:
            raise os_problem(e) from None
    else:
        click.echo(text, nl=False)


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
