"""Errors a user can act on.

Every failure that reaches the command line is a :class:`WorkplanError` (or a subclass):
it names the file, the place in it, what is wrong and how to fix it. The CLI prints these
and exits non-zero; it never shows a traceback for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with one input."""

    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str | None = None  # field path inside the document, e.g. sections[2].items[0].lead
    hint: str | None = None

    def location(self) -> str:
        loc = self.file or "<input>"
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def format(self) -> str:
        out = f"{self.location()}: "
        if self.path:
            out += f"{self.path}: "
        out += self.message
        if self.hint:
            out += f"\n    hint: {self.hint}"
        return out


class WorkplanError(Exception):
    """An error with one or more problems a user can fix. Exit code defaults to 1."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem | str, *, exit_code: int | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(self.format())

    def format(self) -> str:
        return "\n".join(p.format() for p in self.problems)

    def __reduce__(self):  # pickled whole (problems, exit code), whatever the subclass's __init__
        return (_rebuild_error, (type(self), self.problems, self.exit_code))


def _rebuild_error(cls: type[WorkplanError], problems: list[Problem], exit_code: int) -> WorkplanError:
    e = cls.__new__(cls)
    WorkplanError.__init__(e, problems, exit_code=exit_code)
    return e


class ValidationFailed(WorkplanError):
    """The input file does not describe a valid document."""


class MissingTranslation(WorkplanError):
    """A text lacks the language asked for."""


class EnvironmentProblem(WorkplanError):
    """Something the machine lacks (fonts, libraries)."""

    exit_code = 3


@dataclass
class Warnings:
    """Collects warnings (e.g. translation fallbacks) during a build."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)


class ProgramNotFound(Exception):
    """Raised by a program resolver (see :func:`workplan.model.report.resolve_program_path`): a
    report's program cannot be found. ``field``: the key under ``program`` the problem is about
    (``"archive"``, ``"version"``), or None for ``program`` itself."""

    def __init__(self, message: str, hint: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message, self.hint, self.field = message, hint, field
