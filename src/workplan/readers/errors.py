"""The one error every reader raises for a file it cannot import."""
from __future__ import annotations

from ..errors import Problem, WorkplanError


class ImportFailed(WorkplanError):
    """This file cannot be imported (unreadable, encrypted, scanned, wrong format, empty, too big)."""

    def __init__(self, message: str, file: str | None, *, hint: str | None = None, line: int | None = None):
        super().__init__(Problem(message, file=file, hint=hint, line=line))
