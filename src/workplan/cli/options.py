"""The options every command shares, defined once: ``--archive``, ``--lang``, ``--format``.

``--archive PATH`` is the archive folder: the option, else ``$WORKPLAN_ARCHIVE``, else
``./archive``. ``--index DIR`` is this machine's search index folder: the option, else
``$WORKPLAN_INDEX``, else ``<archive>/index`` (machines sharing one archive folder each keep
their own). This is the only place these environment variables are read; the core takes paths
and objects.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import click

ENV_ARCHIVE = "WORKPLAN_ARCHIVE"
ENV_USER = "WORKPLAN_USER"
USER_META = "workplan.user"
USER_HELP = (f"Act as this account (default: ${ENV_USER}). An archive with accounts requires it for every command "
             "that changes it or logs an event; the OS user is recorded beside it.")
DEFAULT_ARCHIVE = "archive"
ARCHIVE_HELP = f"The archive folder (default: ${ENV_ARCHIVE}, else ./{DEFAULT_ARCHIVE})."
ENV_INDEX = "WORKPLAN_INDEX"
INDEX_HELP = (f"This machine's search index folder (default: ${ENV_INDEX}, else the archive's index/); "
              "each machine writing into a shared archive keeps its own.")
_INDEX_META = "workplan.index"


def archive_root(value: str | os.PathLike | None = None) -> Path:
    """The archive folder: ``value``, else $WORKPLAN_ARCHIVE, else ./archive."""
    if value is None or str(value) == "":
        value = os.environ.get(ENV_ARCHIVE) or DEFAULT_ARCHIVE
    return Path(value).expanduser().absolute()


def index_root(value: str | os.PathLike | None = None) -> Path | None:
    """This machine's index folder: ``value``, else $WORKPLAN_INDEX, else None (the archive's)."""
    if value is None or str(value) == "":
        value = os.environ.get(ENV_INDEX) or None
    return None if value is None else Path(value).expanduser().absolute()


def _remember_index(ctx: click.Context, _param, value):
    if value:
        ctx.meta[_INDEX_META] = value  # shared by every context of the command line
    return value


def archive_option(f):
    """``--archive PATH`` (passed to the command as ``archive_path``, None when not given), and
    ``--index DIR`` (remembered for :func:`open_archive_at`)."""
    f = click.option("--index", type=click.Path(file_okay=False), default=None, metavar="DIR", expose_value=False,
                     callback=_remember_index, help=INDEX_HELP)(f)
    return click.option("--archive", "archive_path", type=click.Path(), default=None, metavar="PATH",
                        help=ARCHIVE_HELP)(f)


def user_option(f):
    """``--user NAME``: who acts (kept for the commands below it; see :func:`acting_user`)."""
    def remember(ctx, _param, value):
        if value:
            ctx.meta[USER_META] = value
        return value
    return click.option("--user", "user_name", default=None, metavar="NAME", expose_value=False, is_eager=True,
                        callback=remember, help=USER_HELP)(f)


def acting_user() -> str | None:
    """The account named by ``--user`` (on any command of the line), else $WORKPLAN_USER."""
    ctx = click.get_current_context(silent=True)
    name = ctx.meta.get(USER_META) if ctx is not None else None
    return (name or os.environ.get(ENV_USER) or "").strip() or None


def open_archive_at(archive_path: str | os.PathLike | None = None, action: str | None = None):
    """Open the archive of ``--archive`` (see :func:`archive_root`), with the search index
    registered as its change listener, so that adds and disposals keep the index current.
    ``action`` (see :mod:`workplan.archive.accounts`): where the archive requires accounts, the
    acting user (``--user``/$WORKPLAN_USER) must be an enabled account whose role allows it; the
    events the command writes name that person."""
    from ..archive import open_archive
    from ..search import keep_index_current
    ctx = click.get_current_context(silent=True)
    arc = open_archive(archive_root(archive_path),
                       index_dir=index_root(ctx.meta.get(_INDEX_META) if ctx is not None else None))
    try:
        person = acting_user()
        if action is not None:
            arc.accounts.acting(person, action)
        arc.act_as(person)
    except BaseException:
        arc.close()
        raise
    keep_index_current(arc)
    return arc


def program_resolver(archive_path: str | os.PathLike | None = None):
    """The resolver of a report's program for commands that read data files: next to the report,
    else in the archive of ``--archive`` (opened only if a report names its program by code)."""
    from ..archive.programs import ArchivePrograms
    return ArchivePrograms(root=archive_root(archive_path))


def split_choices(value: str | None, choices: Sequence[str], option: str, *, lower: bool = False) -> list[str]:
    """``a,b`` → [a, b], each one of ``choices`` (else a usage error naming the option)."""
    items = [v.strip().lower() if lower else v.strip() for v in (value or "").split(",") if v.strip()]
    for item in items:
        if item not in choices:
            raise click.BadParameter(f"'{item}' is not one of {', '.join(choices)}", param_hint=option)
    return items


def lang_option(*, default: str | None = "zh", choices: Sequence[str] | None = None, multiple: bool = True,
                help: str | None = None):
    """``--lang``: a language of ``choices`` (default: the output languages zh, en, zh-en); with
    ``multiple``, several with commas (the command gets a list; [] when not given)."""
    if choices is None:
        from ..i18n import OUTPUT_LANGS
        choices = OUTPUT_LANGS
    choices = tuple(choices)

    def convert(_ctx, _param, value):
        if value is None:
            return [] if multiple else None
        items = split_choices(value, choices, "--lang")
        if not multiple:
            if len(items) != 1:
                raise click.BadParameter(f"give one of {', '.join(choices)}", param_hint="--lang")
            return items[0]
        return items

    text = help or ("Languages: " + ", ".join(choices) + (" (several with commas)." if multiple else "."))
    return click.option("--lang", "langs" if multiple else "lang", default=default, show_default=default is not None,
                        callback=convert, metavar="|".join(choices) if not multiple else "LANGS", help=text)


def format_option(*, default: str | None = None, choices: Sequence[str] | None = None, multiple: bool = True,
                  allow_none: bool = False, help: str | None = None):
    """``--format``: output formats of ``choices`` (default: every format of
    :data:`workplan.formats.FORMATS`, the writer registry); with ``multiple``, several with commas
    (a list); ``allow_none``: ``none`` means no format ([])."""
    from ..formats import FORMATS  # the format table (a leaf: no rendering code is imported)
    choices = tuple(choices) if choices is not None else tuple(FORMATS)
    if default is None and multiple:
        default = ",".join(choices)

    def convert(_ctx, _param, value):
        if value is None:
            return [] if multiple else None
        if allow_none and value.strip().lower() in ("none", ""):
            return []
        items = split_choices(value, choices + (("none",) if allow_none else ()), "--format", lower=True)
        if "none" in items:
            raise click.BadParameter("'none' cannot be combined with a format", param_hint="--format")
        if not multiple:
            if len(items) != 1:
                raise click.BadParameter(f"give one of {', '.join(choices)}", param_hint="--format")
            return items[0]
        return items

    text = help or ("Formats: " + ", ".join(choices) + (", several with commas" if multiple else "")
                    + (", or none" if allow_none else "") + ".")
    return click.option("--format", "formats" if multiple else "fmt", default=default,
                        show_default=default is not None, callback=convert,
                        metavar="FORMATS" if multiple else "|".join(choices), help=text)


__all__ = ["ARCHIVE_HELP", "ENV_ARCHIVE", "archive_option", "archive_root", "format_option", "lang_option",
           "open_archive_at", "program_resolver", "split_choices"]


def say(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print to the terminal with every control character escaped (:func:`workplan.limits.printable`):
    titles, file names and messages come from users' files, and an escape sequence in one must not
    retitle the window, move the cursor or reorder the line."""
    from ..limits import printable
    click.echo(printable(message), err=err, nl=nl)
