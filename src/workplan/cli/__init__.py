"""The `workplan` command: the group, the table of its commands (:data:`LAZY_COMMANDS`: name, the
module of `workplan.cli` that defines it, its one-line help) and :func:`main`, which turns a
:class:`WorkplanError` into a clear message and a non-zero exit. The commands' logic lives in the
core stages; a command module parses options, calls the core and reports.

Start-up stays fast: a stage's command module is imported only when that command runs (see
:class:`LazyGroup`), and commands import heavy libraries (WeasyPrint, matplotlib, tantivy,
jieba, rich, python-docx, pypdf) inside their functions, so `workplan --help` and `workplan
validate` load none of them.
"""
from __future__ import annotations

import importlib
import logging
import sys

import click

from ..errors import WorkplanError
from .helpers import echo_err, os_problem
from .options import user_option

#: Commands that live in their own module of this package, imported when first used:
#: name -> (module, attribute, the first sentence of its help for `workplan --help`).
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("build", "build", "Build DOCX and PDF documents (GB/T 9704-2012 layout) from data files."),
    "validate": ("validate", "validate", "Check data files (YAML or JSON) against the model."),
    "schema": ("schema", "schema", "Print the JSON Schema of data files (for editor validation and completion)."),
    "archive": ("archive", "archive", "Keep creation files (创建档案) with archival codes, fixity checks and an audit "
                                      "trail."),
    "compile": ("compile", "compile_cmd", "Compile a year's archived documents into one volume (年度汇编)."),
    "import": ("importer", "importer", "Import Word (.docx), PDF and text (.txt) documents as data files."),
    "lint": ("lint", "lint", "Check data files, and Word/PDF/text documents, for defects before they are issued."),
    "search": ("search", "search", "Full-text search of the archive, in Chinese and English."),
    "serve": ("serve", "serve_cmd", "Serve the archive as a web site for auditors and reviewers."),
    "user": ("users", "user", "Manage the archive's accounts (people and their roles)."),
    "worker": ("worker", "worker_cmd", "Run the archive's queued jobs: adds, builds, index catch-ups and rebuilds, "
                                       "compiles and fixity sweeps."),
    "jobs": ("worker", "jobs_cmd", "What the archive's queued jobs are doing or did (the given ones, else the "
                                 "newest 50): queued, running (with its progress), done (with its result) or "
                                 "failed (with the problem)."),
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
    # pypdf reports every oddity of a damaged PDF through logging; the commands say what matters
    logging.getLogger("pypdf").setLevel(logging.ERROR)


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
