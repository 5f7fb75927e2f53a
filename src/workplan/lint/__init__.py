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

from pydantic import BaseModel, ValidationError

from ..errors import Problem, WorkplanError
from ..model import Positions, load_source
from ..model.datafiles import DATA_SUFFIXES
from ..model.load import format_path
from .config import DEFAULT, LintConfig, find_config, load_config
from .rules import (RULES, SEVERITY, TEXT_CHECKS, LintProblem, OutlineItem, check_dates, check_doc_number_text,
                    check_import_marks, check_letterhead, check_outline, check_period, check_signatory,
                    check_target_numbers, check_target_values, check_unused_units, langs_present, missing_translations)
from .walk import iter_texts

__all__ = ["RULES", "SEVERITY", "LintConfig", "LintProblem", "OutlineItem", "errors_of", "find_config",
           "lint_document", "lint_file", "load_config"]

_DOC_CHECKS = [("dates", check_dates), ("period", check_period), ("percent", check_target_values),
               ("unit-unused", check_unused_units), ("target-number", check_target_numbers),
               ("letterhead", check_letterhead), ("signatory", check_signatory)]


def lint_document(doc: BaseModel, file: str | Path | None = None, *, positions: Positions | None = None,
                  langs: Iterable[str] | None = None, select: Iterable[str] | None = None,
                  ignore: Iterable[str] = (), config: LintConfig | None = None, raw: dict | None = None,
                  outline: list[OutlineItem] | None = None) -> list[LintProblem]:
    """Every lint problem of a validated document (program, standards or report).

    ``langs``: the languages the document must have; default: those its texts use (a document
    that has any English must have all of it). ``select``/``ignore``: rule ids to run or skip.
    ``positions``: the line/column map of the file read (:attr:`workplan.model.Source.positions`);
    without it, problems name the field path only.
    ``config``: rule choice and severities (default: the nearest workplan.toml above ``file``).
    ``raw``: the data as written (for checks of what the model normalises, e.g. the document
    number's brackets). ``outline``: the numbered headings of an imported source document.
    """
    name = str(file) if file is not None else None
    if config is None:
        config = find_config(file) if file is not None else DEFAULT
    rules = config.rules(select, ignore)
    out: list[LintProblem] = []

    def add(rule: str, path: tuple, message: str, hint: str | None, line: int | None = None) -> None:
        lc = positions.find(path) if positions is not None and line is None else None
        out.append(LintProblem(message, file=name, line=line if line is not None else (lc[0] if lc else None),
                               column=lc[1] if lc and line is None else None,
                               path=format_path(path) if path else None, hint=hint, rule=rule,
                               severity=config.severity_of(rule)))

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
    for rule, doc_check in _DOC_CHECKS:
        if rule in rules:
            for path, message, hint in doc_check(doc):
                add(rule, path, message, hint)
    if "doc-number" in rules:
        written = raw.get("doc_number") if isinstance(raw, dict) else None
        if isinstance(written, str):
            found = check_doc_number_text(written)
            if found:
                add("doc-number", ("doc_number",), *found)
    if "import-mark" in rules and name and Path(name).suffix.lower() in DATA_SUFFIXES and Path(name).is_file():
        try:
            text = Path(name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        for line, message, hint in check_import_marks(text):
            add("import-mark", (), message, hint, line=line)
    if "numbering" in rules and outline:
        for item, message, hint in check_outline(outline):
            add("numbering", item.path, message, hint, line=item.line)
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


def lint_file(path: str | Path, *, program_resolver=None, **kw) -> list[LintProblem]:
    """Load and lint one file. Validation failures come back as problems with rule ``invalid``.
    ``program_resolver``: finds a report's program (see :func:`workplan.model.load_document`).
    A Word, PDF or text document is read through the importer (:mod:`workplan.readers`) and its
    problems are located by the source's own lines; its numbering as written is checked too."""
    if Path(path).suffix.lower() not in DATA_SUFFIXES:
        return _lint_source_document(path, **kw)
    try:
        src = load_source(path, program_resolver=program_resolver)
    except WorkplanError as e:
        return _invalid(e, path)
    return lint_document(src.doc, path, positions=src.positions, raw=src.data if isinstance(src.data, dict) else None,
                         **kw)


def _invalid(e: WorkplanError, path: str | Path) -> list[LintProblem]:
    return [LintProblem(p.message, file=p.file or str(path), line=p.line, column=p.column, path=p.path,
                        hint=p.hint, rule="invalid", severity="error") for p in e.problems]


def _lint_source_document(path: str | Path, **kw) -> list[LintProblem]:
    """Lint a .docx/.pdf/.txt document as the importer reads it, each finding at its source line."""
    from ..model.document import Document
    from ..readers import read_file, source_line
    try:
        result = read_file(path)
        doc = Document.model_validate(result.data)
    except WorkplanError as e:
        return _invalid(e, path)
    except ValidationError as e:  # what the importer made does not validate: say so, at the file
        return _invalid(WorkplanError(Problem(
            f"the document read does not make a valid data file: {e.error_count()} problem(s), first: "
            f"{e.errors()[0]['msg']} at {'.'.join(str(x) for x in e.errors()[0]['loc'])}", file=str(path),
            hint="import it with `workplan import` and check the data file it writes")), path)
    outline = [OutlineItem(level, style, number, label, line) for level, style, number, label, line in result.numbered()]
    raw = {"doc_number": result.report.get("doc_number")}
    problems = lint_document(doc, path, positions=Positions(), raw=raw, outline=outline, **kw)
    for p in problems:
        if p.line is None and p.path:
            ref = source_line(result.source_map, p.path)
            if ref is not None:
                p.line = ref.line
    problems.sort(key=lambda p: (p.line if p.line is not None else 1 << 30))
    return problems


def errors_of(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that stop a build: severity ``error``."""
    return [p for p in problems if getattr(p, "severity", "error") == "error"]
