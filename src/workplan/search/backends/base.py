"""The interface every search backend implements.

A backend stores :class:`~workplan.search.extract.IndexDoc` records in a folder and answers a
parsed query tree (:mod:`workplan.search.query`) whose unit filters are already resolved to
exact unit names. Snippets, unit resolution, locking and the index life cycle live outside the
backends, so they behave the same on every backend.

Fields (same names in every backend):

===========  ==========================================================  =================
field        contents                                                    analysis
===========  ==========================================================  =================
code         archival code (shared by the versions of a document)        exact
text         full text (Chinese, then English), then a header: title,    chars (tantivy:
             issuer, document number, unit names (stored, for snippets)  ``units`` + ``pairs``)
title        Chinese and English titles (``title:``, ranking boost)      chars
issuer       issuer name and abbreviation (``issuer:``)                  chars
stem         English title and text                                      stem (Snowball)
year         year (integer); datenum (yyyymmdd, for sorting by date)     numeric
kind, retention, lang, unit (names and ids), current ("1"/"0")           exact
program      a report's program (its archival code)                      exact
info         display metadata as JSON (stored only)                      —
===========  ==========================================================  =================

A word or phrase matches a document when its ``chars`` tokens occur consecutively in
``text`` or (English) its stems in ``stem``; a match in the title adds to the score.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Protocol

from ..extract import IndexDoc
from ..query import And


@dataclass
class Hit:
    code: str
    score: float
    info: dict[str, Any] = field(default_factory=dict)   # display metadata (title, date, issuer, ...)
    text: str = ""                                       # the stored full text, for snippets


class Backend(Protocol):
    name: str

    def __init__(self, path: Path, *, create: bool = False, writable: bool = False) -> None: ...

    def add(self, docs: Iterable[IndexDoc]) -> int: ...

    def delete(self, codes: Iterable[str]) -> None: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...

    def search(self, root: And, *, limit: int, sort: str = "score",
               exact_count: bool = False) -> tuple[list[Hit], int, bool]:
        """Hits (best first; newest or oldest first when ``sort`` is :data:`NEWEST` or
        :data:`OLDEST`, ties in any order), the number of documents
        matching, and whether that number is exact (a backend may estimate large totals unless
        ``exact_count``; it is exact whenever fewer than ``limit`` documents match)."""
        ...

    def unit_terms(self) -> list[str]:
        """Every value of the exact unit field (unit names and ids)."""
        ...

    def doc_count(self) -> int: ...


#: the orders of hits a backend gives: by score, or by date either way
SCORE, NEWEST, OLDEST = "score", "newest", "oldest"
SORTS = (SCORE, NEWEST, OLDEST)

INFO_KEYS = ("code", "title", "title_en", "date", "year", "issuer", "doc_number", "kind", "retention",
             "version", "current", "status", "identity", "langs", "units", "names_en", "program")


def info_json(d: IndexDoc) -> str:
    """The display metadata (:data:`INFO_KEYS`) as JSON: read straight from the record (no copy of
    its texts, as ``dataclasses.asdict`` would make)."""
    data = {}
    for k in INFO_KEYS:
        v = getattr(d, k)
        data[k] = list(v) if isinstance(v, list) else v
    return json.dumps(data, ensure_ascii=False)
