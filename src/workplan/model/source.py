"""The one loader of data files: a file → its bytes, its data, the line and column of every
field, and the validated document (a program or standards document, or a progress report).

Every stage that reads a data file calls :func:`load_source` (or :func:`load_document` when only
the document is wanted): the renderer, lint, validate, ingest and the search index. Parsing
and positions are :mod:`.load`'s; reports are validated by :mod:`.report`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union

from .document import Document
from .load import Positions, check_data_shape, read_data, read_file, validate_document
from .report import ProgramResolver, Report, load_report_data

#: what a data file holds: a program or standards document, or a progress report on a program
DataDocument = Union[Document, Report]  # noqa: UP007 - a runtime alias pydantic reads


@dataclass(frozen=True)
class Source:
    """One data file read once: its bytes (what the PDF embeds and the archive keeps), the data
    the YAML parser gave, the positions of its fields (what lint and the IR locate problems
    with), and the validated document."""

    raw: bytes
    data: Any
    positions: Positions | None
    doc: DataDocument


def load_source(path: str | Path, text: str | None = None, *,
                program_resolver: ProgramResolver | None = None) -> Source:
    """Read and validate a data file once. Raises a WorkplanError naming the file, line and fix.
    ``text``: the file's text when it is not to be read from ``path`` (``path`` then names it).
    ``program_resolver`` finds a report's program (default: a path next to the report;
    :class:`workplan.archive.programs.ArchivePrograms` also looks in an archive)."""
    if text is None:
        raw, text = read_file(path)  # a regular file, opened without blocking, bounded; else a located error
    else:
        raw = text.encode("utf-8")
    data, positions = read_data(path, text)
    return Source(raw, data, positions, load_document_data(path, data, positions, program_resolver=program_resolver))


def load_document_data(path: str | Path, data: Any, pos: Positions, *,
                       program_resolver: ProgramResolver | None = None) -> DataDocument:
    """The validated document of what :func:`read_data` returned."""
    check_data_shape(data, pos, str(path))
    if data.get("kind") == "report":
        return load_report_data(path, data, pos, program_resolver=program_resolver)
    return validate_document(path, data, pos)


def load_document(path: str | Path, text: str | None = None, *,
                  program_resolver: ProgramResolver | None = None) -> DataDocument:
    """Read and validate one data file (see :func:`load_source`): its document only. Raises
    ValidationFailed listing every problem."""
    return load_source(path, text, program_resolver=program_resolver).doc


def document_schema() -> dict:
    """JSON Schema of every data file kind: programs/standards (Document) and reports (Report)."""
    from pydantic import Field, TypeAdapter
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[DataDocument, Field(union_mode="left_to_right")])
    schema = adapter.json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "workplan data file"
    schema["description"] = ("A work program or creation standards document (kind: program | standards), "
                             "or a progress report on a program (kind: report).")
    return schema


def schema_json() -> str:
    return json.dumps(document_schema(), ensure_ascii=False, indent=2)
