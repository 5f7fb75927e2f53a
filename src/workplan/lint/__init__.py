"""Lint: find the defects real documents carry, which schema validation cannot see.

``lint_document(doc, file)`` returns a list of :class:`LintProblem` (a :class:`~workplan.errors.Problem`
with a ``rule`` id), located by data path and, when the file's text is available, by line and
column. ``lint_file(path)`` reads, validates and lints one data file (a file that does not
validate yields its validation problems under the rule ``invalid``). The rules are described
in :mod:`workplan.lint.rules`; ``workplan lint`` is the command.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pydantic import BaseModel

from ..errors import Problem, WorkplanError
from ..model.load import _Positions, format_path, read_data
from .rules import (RULES, TEXT_CHECKS, LintProblem, check_dates, check_letterhead, langs_present,
                    missing_translations)
from .walk import iter_texts

__all__ = ["RULES", "LintProblem", "lint_document", "lint_file"]


def lint_document(doc: BaseModel, file: str | Path | None = None, *, positions: _Positions | None = None,
                  langs: Iterable[str] | None = None, select: Iterable[str] | None = None,
                  ignore: Iterable[str] = ()) -> list[LintProblem]:
    """Every lint problem of a validated document (program, standards or report).

    ``langs``: the languages the document must have; default: those its texts use (a document
    that has any English must have all of it). ``select``/``ignore``: rule ids to run or skip.
    ``positions``: the line/column map from :func:`read_data`; read from ``file`` when omitted.
    """
    name = str(file) if file is not None else None
    if positions is None and file is not None and Path(file).is_file():
        try:
            _, positions = read_data(file)
        except WorkplanError:
            positions = None
    rules = set(select) if select else set(RULES)
    rules -= set(ignore)
    out: list[LintProblem] = []

    def add(rule: str, path: tuple, message: str, hint: str | None) -> None:
        lc = positions.find(path) if positions is not None else None
        out.append(LintProblem(message, file=name, line=lc[0] if lc else None, column=lc[1] if lc else None,
                               path=format_path(path), hint=hint, rule=rule))

    for t in iter_texts(doc):
        for rule, check in TEXT_CHECKS:
            if rule in rules:
                for message, hint in check(t):
                    add(rule, t.path, message, hint)
    if "translation" in rules:
        required = set(langs) if langs is not None else langs_present(doc)
        if len(required) > 1 or langs is not None:
            for path, message, hint in missing_translations(doc, required):
                add("translation", path, message, hint)
    if "dates" in rules:
        for path, message, hint in check_dates(doc):
            add("dates", path, message, hint)
    if "letterhead" in rules:
        for path, message, hint in check_letterhead(doc):
            add("letterhead", path, message, hint)
    # document order: by line when known, then path
    out.sort(key=lambda p: (p.line if p.line is not None else 1 << 30, p.column or 0))
    return _dedupe(out)


def _dedupe(problems: list[LintProblem]) -> list[LintProblem]:
    seen: set[tuple] = set()
    out = []
    for p in problems:
        key = (p.rule, p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def lint_file(path: str | Path, **kw) -> list[Problem]:
    """Load and lint one file. Validation failures come back as problems with rule ``invalid``."""
    from ..model.load import load_document_data
    try:
        data, positions = read_data(path)
        doc = load_document_data(path, data, positions)
    except WorkplanError as e:
        return [LintProblem(p.message, file=p.file or str(path), line=p.line, column=p.column, path=p.path,
                            hint=p.hint, rule="invalid") for p in e.problems]
    return lint_document(doc, path, positions=positions, **kw)
