"""A new version of one archived record from a data file someone hands in (the site's form for
clerks): the file must describe the same document, its renditions are built in the languages and
formats the current version has, and the change carries a reason."""
from __future__ import annotations

import os
from pathlib import Path

from ..archive import Archive, Record
from ..errors import Problem, WorkplanError
from ..formats import FORMATS
from ..i18n import Said
from ..model.datafiles import DATA_SUFFIXES
from .datafile import add_data_file, check_data_file


def renditions_of(rec: Record) -> tuple[list[str], list[str]]:
    """The languages and formats of a record's renditions (roles ``pdf:zh``, ``docx:en`` …)."""
    langs: list[str] = []
    formats: list[str] = []
    for role in rec.roles:
        fmt, _, lang = role.partition(":")
        if fmt in FORMATS and lang:
            langs += [lang] if lang not in langs else []
            formats += [fmt] if fmt not in formats else []
    return langs or list(rec.langs) or ["zh"], formats


def add_version(arc: Archive, code: str, path: str | os.PathLike, *, reason: str, name: str | None = None) -> Record:
    """Archive the data file at ``path`` as the next version of the record ``code``, with
    ``reason``. Refused (nothing written) when the reason is empty, the file is not a data file,
    it does not pass the checks of ``workplan archive add``, or it is another document (another
    identity: it would be a new record, not a version of this one). ``name``: the file's name as
    the person gave it (for the messages)."""
    shown = name or Path(path).name
    rec = arc.get(code)
    if rec.status != "active":
        raise WorkplanError(Problem(Said("version.not_active", code=rec.code), file=rec.code))
    if not (reason or "").strip():
        raise WorkplanError(Problem(Said("version.no_reason"), file=rec.code, hint=Said("version.no_reason_hint")))
    if Path(shown).suffix.lower() not in DATA_SUFFIXES or Path(path).suffix.lower() not in DATA_SUFFIXES:
        raise WorkplanError(Problem(Said("version.not_data", name=shown), file=shown,
                                    hint=Said("version.not_data_hint")))
    langs, formats = renditions_of(rec)
    try:
        checked = check_data_file(arc, path, retention=rec.retention, langs=langs, formats=formats)
    except WorkplanError as e:
        for p in e.problems:
            p.file = shown if not p.file or p.file == str(path) else p.file
        raise
    meta = checked.meta
    if meta["identity"] != rec.identity:
        raise WorkplanError(Problem(Said("version.other_document", name=shown, title=meta["title"], code=rec.code),
                                    file=shown, hint=Said("version.other_document_hint")))
    return add_data_file(arc, checked, reason=reason.strip())  # the bytes checked are the bytes archived


__all__ = ["add_version", "renditions_of"]
