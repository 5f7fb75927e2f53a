"""`workplan archive ...` commands."""
import click


@click.group()
def archive() -> None:
    """Keep creation files (创建档案) with archival codes, fixity checks and an audit trail."""
