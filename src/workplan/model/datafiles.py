"""Which files of a folder are data files: what ``build``, ``validate``, ``lint`` and ``archive add``
take when given a folder.

Data files are the ``.yaml``/``.yml``/``.json`` files beside each other; the JSON Schema an editor
uses (``workplan schema > workplan.schema.json``, as the README suggests, or any ``*.schema.json``)
lives there too and is not one: it is skipped with a note instead of failing the whole folder.
"""
from __future__ import annotations

from pathlib import Path

DATA_SUFFIXES = (".yaml", ".yml", ".json")
_SCHEMA_PEEK_BYTES = 4096   # a JSON Schema says so in its first keys; data files are read in full later


def not_a_data_file(path: Path) -> str | None:
    """Why ``path`` (a file found in a folder) is not a data file, or None when it is one."""
    name = path.name.lower()
    if name.endswith(".schema.json"):
        return "a JSON Schema (for editors), not a data file"
    if path.suffix.lower() != ".json":
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(_SCHEMA_PEEK_BYTES)
            size = f.seek(0, 2)
            f.seek(max(len(head), size - _SCHEMA_PEEK_BYTES))
            tail = f.read(_SCHEMA_PEEK_BYTES)   # json.dumps(sort_keys) puts "$schema" after "$defs"
    except OSError:
        return None   # reading it later reports the problem
    text = (head + b"\n" + tail).decode("utf-8", "replace")
    # a schema declares the JSON Schema dialect ("$schema": "https://json-schema.org/...") and
    # defines types; a data file's "$schema", if any, points at the workplan schema
    if "json-schema.org" in text and any(k in text for k in ('"$defs"', '"properties"', '"definitions"')):
        return "a JSON Schema (for editors), not a data file"
    return None


def folder_data_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The data files of ``folder`` (sorted), and a note for each file skipped."""
    found, notes = [], []
    for x in sorted(folder.iterdir()):
        if x.suffix.lower() not in DATA_SUFFIXES or not x.is_file():
            continue
        why = not_a_data_file(x)
        if why:
            notes.append(f"{x}: skipped: {why}")
        else:
            found.append(x)
    return found, notes
