"""`workplan search ...` command."""
import click


@click.command()
@click.argument("query", required=False)
def search(query) -> None:
    """Full-text search of the archive (Chinese and English)."""
    raise click.ClickException("search is not built yet")
