"""`workplan compile` command."""
import click


@click.command("compile")
def compile_cmd() -> None:
    """Compile a year's archived documents into one volume (年度汇编)."""
    raise click.ClickException("compile is not built yet")
