"""What a volume holds: its plan (entries, groups, statistics), shared by :mod:`.volume`, which
makes it, and the writers that draw it (:mod:`.pdfvol`, :mod:`.docxvol`, :mod:`.frontmatter`),
so that none of them imports another's module in a loop."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..archive.record import KINDS

from ..i18n import TERMS, term

Progress = Callable[[str, int, int], None]   # (stage, done, total)

KIND_ORDER = KINDS
DOCX_ROLES = {"zh": ("docx:zh", "docx:zh-en", "docx:en"), "en": ("docx:en", "docx:zh-en", "docx:zh")}


@dataclass
class Entry:
    """One document of the volume."""

    record: Any                  # workplan.archive.Record
    seq: int                     # 件号 in the volume, 1-based
    unit: str                    # the group it is filed under: its first issuer
    file: Path | None            # the PDF (or DOCX) whose pages go into the volume
    role: str | None
    pages: int = 0               # pages in the volume
    start: int = 0               # volume page where it starts (1-based; 0 when it has no pages)
    progress: Any = None         # workplan.model.progress.Progress, for reports whose data could be read
    note: str = ""               # 备注 in the catalogue

    @property
    def end(self) -> int:
        return self.start + self.pages - 1 if self.pages else 0

    def title(self, lang: str) -> str:
        r = self.record
        return (r.title_en or r.title) if lang == "en" else r.title


@dataclass
class VolumePlan:
    year: int
    title: str
    compiler: str
    date: dt.date
    lang: str
    entries: list[Entry]
    unit_filter: str | None = None
    kind_filter: str | None = None
    front_pages: int = 0
    warnings: list[str] = field(default_factory=list)
    log_head: dict | None = None  # {"event", "hash"}: the archive's log when the volume was compiled

    def log_head_text(self) -> str:
        h = self.log_head or {}
        return f"workplan event log head #{h.get('event')} sha256:{h.get('hash')}" if h.get("hash") else ""

    def groups(self) -> list[tuple[str, list[Entry]]]:
        out: dict[str, list[Entry]] = {}
        for e in self.entries:
            out.setdefault(e.unit, []).append(e)
        return list(out.items())

    @property
    def total_pages(self) -> int:
        return self.front_pages + sum(e.pages for e in self.entries)

    def kind_label(self, kind: str) -> str:
        return term(f"kind.{kind}", self.lang) if f"kind.{kind}" in TERMS else kind

    def by_kind(self) -> list[tuple[str, int, int]]:
        rows = []
        for k in [*KIND_ORDER, *sorted({e.record.kind for e in self.entries} - set(KIND_ORDER))]:
            es = [e for e in self.entries if e.record.kind == k]
            if es:
                rows.append((self.kind_label(k), len(es), sum(e.pages for e in es)))
        return rows

    def by_unit(self) -> list[tuple[str, int, int]]:
        return [(u, len(es), sum(e.pages for e in es)) for u, es in self.groups()]

    def reports(self) -> list[Entry]:
        return [e for e in self.entries if e.record.kind == "report"]

    def report_totals(self) -> dict:
        """Over every report whose data could be read: targets met, mean attainment (each target
        capped at 100 %), tasks done and the completion rate."""
        progs = [e.progress for e in self.reports() if e.progress is not None]
        targets = [t for p in progs for t in p.targets_due]   # targets not yet due are not judged
        tasks = [t for p in progs for t in p.tasks]
        return {
            "reports": len(self.reports()), "with_data": len(progs),
            "targets": len(targets), "targets_met": sum(t.met for t in targets),
            "target_attainment": (sum(min(t.attainment, 1.0) for t in targets) / len(targets)) if targets else None,
            "tasks": len(tasks), "tasks_done": sum(t.status == "done" for t in tasks),
            "completion_rate": (sum(t.status == "done" for t in tasks) / len(tasks)) if tasks else None,
        }


@dataclass
class VolumeResult:
    output: Path
    format: str
    documents: int
    pages: int
    front_pages: int
    entries: list[Entry]
    warnings: list[str]
