"""Finding a report's program in an archive: the program resolver that ingest, search, compile
and the command line pass to :func:`workplan.model.load_document`.

A resolver is called as ``resolver(ref, base_dir=..., allow_superseded=...)`` with a report's
``program`` reference and returns ``(path of the program's data file, archived record or
None)``, or None to let the model look for the file next to the report, or raises :class:`workplan.errors.ProgramNotFound`. This module only looks records up;
it never loads or validates a document (the model does, with what is returned).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ProgramNotFound, WorkplanError
from .record import PROGRAM_KINDS



def _enclosing(base_dir: Path) -> Path | None:
    return next((d for d in base_dir.parents if (d / "archive.json").is_file()), None)


class ArchivePrograms:
    """Resolve ``program: file.yaml`` next to the report, then (inside an archive) by the name of
    an archived program's source; ``program: {archive: CODE, version: N}`` in the archive.

    ``archive``: an open :class:`~workplan.archive.Archive`; or ``root``: the folder of one, opened
    only when an archival code is looked up (so a report that names its program by path needs no
    archive). Picklable (for ``build --jobs``): the archive's folder is sent, not the open archive.
    """

    def __init__(self, archive: Any = None, *, root: str | os.PathLike | None = None):
        self._arc = archive
        self.root = Path(root) if root is not None else None

    def __getstate__(self):
        # an open archive does not travel to another process: its folder does
        root = self.root if self.root is not None or self._arc is None else self._arc.root
        return {"_arc": None, "root": root}

    def _archive(self, ref) -> Any:
        if self._arc is None:
            from .store import open_archive
            try:
                self._arc = open_archive(self.root)
            except WorkplanError as e:
                raise ProgramNotFound(f"cannot open the archive to find {ref.archive}: {e.problems[0].message}",
                                      field="archive",
                                      hint="pass --archive PATH (or set $WORKPLAN_ARCHIVE), or run from the folder "
                                           "that holds ./archive") from None
        return self._arc

    def __call__(self, ref, *, base_dir: Path, allow_superseded: bool = False) -> tuple[Path, Any] | None:
        if ref.file:
            target = base_dir / ref.file
            if target.exists():
                return target, None
            return self._by_name(base_dir, Path(ref.file).name)  # None: the model says what is missing
        return self._by_code(self._archive(ref), ref, allow_superseded)

    def _by_name(self, base_dir: Path, name: str) -> tuple[Path, Any] | None:
        """A report archived from a data file keeps ``program: file.yaml`` as written; inside the
        archive that path means the archived program whose source file has that name. Used only
        when the path does not exist next to the report (e.g. reading the report from its bag)."""
        arc = self._arc
        if arc is None:
            root = _enclosing(base_dir)
            if root is None:
                return None
            try:
                from .store import open_archive
                arc = open_archive(root)
            except WorkplanError:
                return None
        try:
            candidates = self._named(arc, name, current_only=True)
            if not candidates:  # the program has a newer version from a file of another name: the version
                older = self._named(arc, name, current_only=False)     # the report was written against
                if len({r.code for r in older}) == 1:
                    candidates = [max(older, key=lambda r: r.version)]
        except WorkplanError:
            return None
        if len(candidates) != 1:
            return None
        return arc.file(candidates[0], "source"), candidates[0]

    @staticmethod
    def _named(arc, name: str, *, current_only: bool) -> list:
        """Archived programs (kept, with a data file) whose data file has the name ``name``."""
        return [r for r in arc.records(current_only=current_only)
                if "source" in r.roles and r.kind in PROGRAM_KINDS and r.status != "disposed"
                and arc.file(r, "source").name == name]

    @staticmethod
    def _by_code(arc, ref, allow_superseded: bool) -> tuple[Path, Any]:
        try:
            rec = arc.get(ref.archive)
            if ref.version is not None and rec.version != ref.version:
                rec = next((v for v in arc.versions(rec.code) if v.version == ref.version), None)
                if rec is None:
                    known = ", ".join(str(v.version) for v in arc.versions(ref.archive))
                    raise ProgramNotFound(f"{ref.archive} has no version {ref.version}", field="version",
                                          hint=f"its versions: {known}")
        except WorkplanError:
            raise ProgramNotFound(f"no archived record has the code {ref.archive!r}", field="archive",
                                  hint="check the code with `workplan archive list`") from None
        if rec.status == "disposed":
            raise ProgramNotFound(f"archived record {rec.code} has been disposed of", field="archive",
                                  hint="a report needs a program that is still kept")
        if (not rec.current or rec.status == "superseded") and not (ref.accept_superseded or allow_superseded):
            newer = [v for v in arc.versions(rec.code) if v.current]
            by = f" by version {newer[0].version} (archived {str(newer[0].archived_at)[:10]})" if newer else ""
            raise ProgramNotFound(f"the program {rec.code} version {rec.version} has been superseded{by}",
                                  field="archive",
                                  hint=(f"report on the current version (version: {newer[0].version}); "
                                        if newer else "")
                                  + "or add 'accept_superseded: true' if this report covers the earlier version")
        if rec.kind not in PROGRAM_KINDS:
            raise ProgramNotFound(f"archived record {rec.code} is a {rec.kind}, not a program", field="archive")
        if "source" not in rec.roles:
            raise ProgramNotFound(f"archived record {rec.code} has no data file", field="archive",
                                  hint="a report needs a program archived from its data file "
                                       "(workplan archive add FILE.yaml)")
        return arc.file(rec, "source"), rec


__all__ = ["ArchivePrograms", "PROGRAM_KINDS"]
