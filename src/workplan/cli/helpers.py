"""What the commands share: messages on stderr, the data files named on a command line, output
files, OS errors as a user's problem, and the one progress bar."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ..errors import Problem, WorkplanError
from .options import say

T = TypeVar("T")


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


@contextmanager
def progress_callback(label: str, total: int) -> Iterator[Callable[[int, int], None] | None]:
    """The one progress bar: on stderr, only when it is a terminal and there is more than one
    item. Yields ``update(done, total)`` (None when no bar is shown)."""
    if total <= 1 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, tot: bar.update(task, completed=done, total=tot)


def progress(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """``items`` with the progress bar advancing as each is taken."""
    seq = list(items) if total is None else items
    n = total if total is not None else len(seq)  # type: ignore[arg-type]
    with progress_callback(label, n) as update:
        for i, it in enumerate(seq, 1):
            yield it
            if update is not None:
                update(i, n)
