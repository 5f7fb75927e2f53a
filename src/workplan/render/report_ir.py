"""IR for progress reports: a :class:`~workplan.model.report.Report` → the same blocks programs use.

Layout of a report (工作总结), GB/T 9704 like a program:

    [letterhead] title, recipients, preamble
    一、主要工作及成效 (or 基本情况)   the author's paragraphs and points, then, computed:
        （n）目标完成情况   summary, target attainment table, bar chart of attainment
        （n）任务推进情况   summary (overdue tasks), task status table grouped by lead unit
        （n）阶段推进情况   summary (late phases), timeline of phases with the report date
        photos with captions
    二、主要做法 三、存在的问题 四、下一步工作打算 (and free sections), closing, signature, annexes

Both writers render it unchanged: tables are :class:`Table`, charts are :class:`Figure` with SVG
(PDF) and PNG (DOCX) bytes. In ``zh-en`` each chart is drawn once with two-language labels.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import Problem, ValidationFailed
from ..i18n import TERMS, heading_number, list_join, quantity, term
from ..layout import REPORT_TARGET_TABLE_COLUMNS_MM, REPORT_TASK_TABLE_COLUMNS_MM, TEXT_HEIGHT_MM, TEXT_WIDTH_MM
from ..model.load import Positions
from ..model.progress import Progress, compute_progress, format_pct
from ..model.report import NarrativeSection, Report
from .ir import Block, Figure, Heading, Paragraph, RenderDoc, Table, _Builder, _num, assemble, run_builders



def rterm(key: str, lang: str) -> str:
    """A report term (``report.<key>`` in :data:`workplan.i18n.TERMS`, else the shared ``<key>``)."""
    return term(f"report.{key}" if f"report.{key}" in TERMS else key, lang)


_OP_SIGN = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


def _caption(kind: str, n: int, text: str, lang: str) -> str:
    return f"{term('caption_' + kind, lang, n=n)} {text}"


@dataclass
class _ChartSpec:
    """What a chart shows, in one language; charts are drawn after the languages are combined."""
    kind: str                  # attainment | gantt | image
    data: dict


class _ReportBuilder(_Builder):
    def __init__(self, report: Report, lang: str, allow_missing: bool, file: str | None, progress: Progress):
        super().__init__(report, lang, allow_missing, file)  # type: ignore[arg-type]
        self.report = report
        self.program = report.program_doc
        self.progress = progress
        self.charts: list[tuple[Figure, _ChartSpec]] = []
        self.n_fig = 0
        self.n_tab = 0

    def rt(self, key: str) -> str:
        return rterm(key, self.lang)

    # program texts: missing translations name the program's item, not a path in the report
    def pt(self, value, what: str) -> str:
        return self.t(value, f"program: {what}", self.program.source_lang)

    def punit(self, uid: str) -> str:
        try:
            return self.unit(uid)
        except KeyError:
            return uid

    # --- whole document: front and back matter as for programs (ir._Builder) ------------
    def body(self) -> None:
        d = self.report
        host = next((s for s in d.sections if s.type == "achievements"), None) \
            or next((s for s in d.sections if s.type == "overview"), None)
        n = 0
        if host is None:
            n += 1
            self.add(Heading(1, heading_number(1, n, self.lang), self.rt("achievements")))
            self.progress_blocks(0)
        for i, s in enumerate(d.sections):
            n += 1
            self.section_r(s, n, f"sections[{i}]", host=s is host)
        for i, p in enumerate(d.closing):
            self.add(Paragraph(self.t(p, f"closing[{i}]")))

    def annexes(self) -> list[tuple[str, Any]]:
        return self.attachment_annexes(self.report.attachments)

    def section_r(self, s: Any, n: int, path: str, host: bool) -> None:
        if s.title is not None:
            title = self.t(s.title, f"{path}.title")
        elif isinstance(s, NarrativeSection):
            title = self.rt(s.type)
        else:  # FreeSection always has a title
            title = self.t(s.title, f"{path}.title")
        self.add(Heading(1, heading_number(1, n, self.lang), title))
        for i, p in enumerate(s.paragraphs):
            self.add(Paragraph(self.t(p, f"{path}.paragraphs[{i}]")))
        if host:
            self.add(Paragraph(self.overall_sentence()))
        for i, pt in enumerate(s.items):
            self.point(pt, 2, i + 1, f"{path}.items[{i}]")
        if host:
            self.progress_blocks(len(s.items), overall=False)

    # --- computed parts -------------------------------------------------------------------
    def overall_sentence(self) -> str:
        p, r = self.progress, self.report
        period = self.period(r.period.start, r.period.end)
        if self.lang == "en":
            parts = [f"In the period under review ({period})"]
            if p.targets_due:
                parts.append(f"{p.targets_met} of the {len(p.targets_due)} targets due were met, "
                             f"with an average attainment of {format_pct(p.target_attainment)}"
                             if p.targets_not_due else
                             f"{p.targets_met} of the {len(p.targets)} targets were met, "
                             f"with an average attainment of {format_pct(p.target_attainment)}")
            if p.targets_not_due:
                parts.append(f"{len(p.targets_not_due)} target{'s are' if len(p.targets_not_due) > 1 else ' is'} "
                             "not yet due")
            if p.tasks:
                parts.append(f"{p.tasks_done} of the {len(p.tasks)} tasks were completed "
                             f"(completion rate {format_pct(p.completion_rate)})")
            return parts[0] + (", " + "; ".join(parts[1:]) if len(parts) > 1 else "") + "."
        parts = [f"报告期内（{period}）"]
        if p.targets_due:
            if p.targets_not_due:
                parts.append(f"方案确定的{len(p.targets)}项目标中，已到期的{len(p.targets_due)}项有{p.targets_met}项达标，"
                             f"目标平均完成度{format_pct(p.target_attainment)}，另有{len(p.targets_not_due)}项尚未到期")
            else:
                parts.append(f"方案确定的{len(p.targets)}项目标中{p.targets_met}项达标，目标平均完成度{format_pct(p.target_attainment)}")
        elif p.targets:
            parts.append(f"方案确定的{len(p.targets)}项目标均未到期")
        if p.tasks:
            parts.append(f"{len(p.tasks)}项任务已完成{p.tasks_done}项，任务完成率{format_pct(p.completion_rate)}")
        return parts[0] + ("，" + "；".join(parts[1:]) if len(parts) > 1 else "") + "。"

    def progress_blocks(self, after: int, overall: bool = True) -> None:
        if overall:
            self.add(Paragraph(self.overall_sentence()))
        k = after
        if self.progress.targets:
            k += 1
            self.add(Heading(2, heading_number(2, k, self.lang), self.rt("targets_progress")))
            self.targets_part()
        if self.progress.tasks:
            k += 1
            self.add(Heading(2, heading_number(2, k, self.lang), self.rt("tasks_progress")))
            self.tasks_part()
        if self.progress.phases:
            k += 1
            self.add(Heading(2, heading_number(2, k, self.lang), self.rt("phases_progress")))
            self.phases_part()
        for i, im in enumerate(self.report.images):
            self.image(im, i)

    def target_value(self, tg, value: float) -> str:
        unit = self.pt(tg.unit, f"target '{tg.id}' unit") if tg.unit is not None else ""
        return quantity(_num(value), unit, self.lang)

    def targets_part(self) -> None:
        rows, labels = [], []
        for i, tp in enumerate(self.progress.targets, 1):
            tg = tp.target
            ind = self.pt(tg.indicator, f"target '{tp.key}' indicator")
            labels.append(ind)
            rows.append([str(i), ind, _OP_SIGN[tg.op] + self.target_value(tg, tg.target),
                         self.target_value(tg, tp.actual), format_pct(tp.attainment),
                         {"met": self.term("met"), "not_met": self.term("not_met"),
                          "not_due": self.rt("not_due")}[tp.state]])
        missed = [r[1] for r, tp in zip(rows, self.progress.targets) if tp.state == "not_met"]
        pending = [r[1] for r, tp in zip(rows, self.progress.targets) if tp.state == "not_due"]
        n_due = len(rows) - len(pending)
        if self.lang == "en":
            met = self.progress.targets_met
            due = "due " if pending else ""
            if n_due and met == n_due:
                head = "The target due was met." if n_due == 1 else f"All {_count(n_due)} targets {due}were met."
            elif n_due:
                head = (f"{_count(met, capital=True)} of the {_count(n_due)} targets {due}"
                        f"{'was' if met == 1 else 'were'} met; {_phrase_list(missed)} fell short.")
            else:
                head = ""
            txt = (head
                   + (f" {_phrase_list(pending, capital=True)} {'is' if len(pending) == 1 else 'are'} not yet due: "
                      "the table shows the progress so far, which does not count towards the attainment." if pending else "")
                   + " Attainment is the actual value against the target; a target to keep under (≤) counts as "
                     "100% when it is met.").strip()
        else:
            if pending:
                head = (f"{len(rows)}项目标中，已到期的{n_due}项有{self.progress.targets_met}项达标"
                        + (f"，未达标的是{list_join(missed, 'zh')}" if missed else "") + "；"
                        + f"{list_join(pending, 'zh')}尚未到期，表中为截至报告日期的进展，不计入平均完成度。")
            else:
                head = (f"{len(rows)}项目标中{self.progress.targets_met}项达标"
                        + (f"，未达标的是{list_join(missed, 'zh')}。" if missed else "，全部达标。"))
            txt = head + "完成度为实际值与目标值之比；“≤”类指标（如事故起数）以不超过目标值为达标，达标计100%。"
        self.add(Paragraph(txt))
        notes = [(r[1], self.t(tp.result.note, f"targets[{self.report.targets.index(tp.result)}].note"))
                 for r, tp in zip(rows, self.progress.targets) if tp.result.note is not None]
        for ind, note in notes:
            self.add(Paragraph(ind + self.colon() + note))
        self.n_tab += 1
        self.add(Paragraph(_caption("table", self.n_tab, self.rt("tab_targets"), self.lang), indent=False,
                           align="center"))
        self.add(Table("targets", [self.term(k) for k in ("no", "indicator", "target", "actual", "attainment", "status")],
                       rows, REPORT_TARGET_TABLE_COLUMNS_MM))
        if self.report.charts:
            self.chart("attainment", self.rt("fig_attainment"), {
                "labels": labels,
                "values": [tp.attainment for tp in self.progress.targets],
                "met": [tp.met for tp in self.progress.targets],
                "states": [tp.state for tp in self.progress.targets],
                "not_due_label": self.rt("not_due"),
                "value_labels": [format_pct(tp.attainment) for tp in self.progress.targets],
                "target_label": self.rt("target_line"), "met_label": self.term("met"),
                "not_met_label": self.term("not_met")})

    def status_cell(self, tp) -> str:
        en = self.lang == "en"
        if tp.status == "done":
            label = self.rt("done_late") if tp.done_late else self.term("done")
            return f"{label} ({self.date(tp.completed)})" if en else f"{label}（{self.date(tp.completed)}）"
        label = self.term(tp.status)
        if tp.overdue:
            label += (", " + self.term("overdue").lower()) if en else ("，" + self.term("overdue"))
        return label

    def tasks_part(self) -> None:
        p = self.progress
        groups: dict[str, list] = {}
        order = {u.id: i for i, u in enumerate(self.report.units)}
        for tp in sorted(p.tasks, key=lambda t: order.get(t.lead[0], 10**6) if t.lead else 10**7):
            key = "|".join(tp.lead)
            groups.setdefault(key, []).append(tp)
        subs: dict[str, list] = {}
        for sp in p.subtasks:   # sub-items reported on their own: shown under their task, not counted
            top = sp.parent
            while top is not None and not any(t.key == top for t in p.tasks):
                top = next((x.parent for x in p.subtasks if x.key == top), None)
            if top is not None:
                subs.setdefault(top, []).append(sp)
        rows = []

        def row(tp, name: str) -> list[str]:
            t = tp.task
            what = self.pt(t.title, f"task '{tp.key}' title") if t.title is not None else \
                self.pt(t.text, f"task '{tp.key}' text")
            deadline = self.deadline(tp.deadline, f"program task '{tp.key}'") if tp.deadline is not None else (
                self.deadline(t.deadline, f"program task '{tp.key}'") if t.deadline is not None else "")
            ri = next((i for i, r in enumerate(self.report.tasks) if r.id == tp.key), None)
            evidence = self.t(tp.evidence, f"tasks[{ri}].evidence") if tp.evidence is not None else ""
            return [name, f"{tp.number}. {what}" if self.lang == "en" else f"{tp.number}.{what}",
                    deadline, self.status_cell(tp), evidence]

        def lead_name(units: list[str]) -> str:
            return list_join([self.punit(u) for u in units], self.lang) if units else self.rt("no_lead")
        for key, tps in groups.items():
            name = lead_name(key.split("|") if key else [])
            for tp in tps:
                # every row names its lead unit (a group's rows may fall on two pages); a sub-item
                # led by another unit names its own
                rows.append(row(tp, name))
                for sp in subs.get(tp.key, []):
                    unit = lead_name(sp.task.lead) if sp.task.lead and "|".join(sp.task.lead) != key else name
                    rows.append(row(sp, unit))
        overdue = [f"{tp.number}." + (" " if self.lang == "en" else "")
                   + (self.pt(tp.task.title, f"task '{tp.key}' title") if tp.task.title is not None else tp.key)
                   for tp in p.overdue_tasks]
        late_done = [tp for tp in p.tasks if tp.done_late]
        if self.lang == "en":
            states = [f"{_count(n)} {'is' if n == 1 else 'are'} {what}"
                      for n, what in ((p.tasks_done, "done"), (p.tasks_in("in_progress"), "in progress"),
                                      (p.tasks_in("not_started"), "not started")) if n]
            txt = (f"Of the {_count(len(p.tasks))} task{'s' if len(p.tasks) != 1 else ''}, {_phrase_list(states)} "
                   f"(completion rate {format_pct(p.completion_rate)}). "
                   + (f"{_count(len(overdue), capital=True)} {'task is' if len(overdue) == 1 else 'tasks are'} "
                      f"overdue at the report date: {'; '.join(overdue)}." if overdue
                      else "No task is overdue at the report date.")
                   + (f" {_count(len(late_done), capital=True)} {'task was' if len(late_done) == 1 else 'tasks were'} "
                      "completed after the deadline." if late_done else ""))
        else:
            txt = (f"{len(p.tasks)}项任务中，已完成{p.tasks_done}项，推进中{p.tasks_in('in_progress')}项，"
                   f"未开始{p.tasks_in('not_started')}项，任务完成率{format_pct(p.completion_rate)}。"
                   + (f"截至报告日期，{len(overdue)}项任务逾期未完成：{'；'.join(overdue)}。" if overdue
                      else "截至报告日期，没有逾期未完成的任务。")
                   + (f"另有{len(late_done)}项任务逾期完成。" if late_done else ""))
        self.add(Paragraph(txt))
        self.n_tab += 1
        self.add(Paragraph(_caption("table", self.n_tab, self.rt("tab_tasks"), self.lang), indent=False, align="center"))
        self.add(Table("generic", [self.term("lead_unit"), self.term("task"), self.term("deadline"),
                                   self.rt("completion"), self.rt("evidence")], rows, REPORT_TASK_TABLE_COLUMNS_MM))

    def phases_part(self) -> None:
        p = self.progress
        names = {pp.key: self.pt(pp.phase.name, f"phase '{pp.key}' name") for pp in p.phases}
        done = [pp for pp in p.phases if pp.done]
        late = [pp for pp in p.phases if pp.late]
        for pp in p.phases:
            when = self.period(pp.phase.start, pp.phase.end)
            state = {"done": self.term("done"), "done_late": self.rt("done_late"), "late": self.rt("late"),
                     "in_progress": self.term("in_progress"), "not_started": self.term("not_started"),
                     "undated": self.rt("undated")}[pp.state]
            if pp.completed_on:
                state += self.enclose(self.date(pp.completed_on))
            self.add(Paragraph(f"{names[pp.key]}" + (self.enclose(when) if when else "") + self.colon() + state
                               + self.term("full_stop")))
        if self.lang == "en":
            txt = (f"{len(done)} of {len(p.phases)} phases are completed. "
                   + (f"Behind schedule: {'; '.join(names[pp.key] for pp in late)}." if late else "No phase is behind schedule."))
        else:
            txt = (f"{len(p.phases)}个阶段中已完成{len(done)}个。"
                   + (f"滞后的阶段：{'、'.join(names[pp.key] for pp in late)}。" if late else "各阶段均按计划推进。"))
        self.add(Paragraph(txt))
        dated = [pp for pp in p.phases if pp.phase.start or pp.phase.end]
        if self.report.charts and dated:
            rows = []
            for pp in dated:
                start = pp.phase.start or pp.phase.end
                end = pp.phase.end or pp.phase.start
                rows.append((names[pp.key], start, end, pp.state, pp.completed_on))
            self.chart("gantt", self.rt("fig_phases"), {
                "rows": rows,
                "report_label": f"{self.rt('report_date')} {self.date(self.report.date)}",
                "completed_label": self.rt("completed_on"),
                "state_labels": {"done": self.term("done"), "done_late": self.rt("done_late"), "late": self.rt("late"),
                                 "in_progress": self.term("in_progress"), "not_started": self.term("not_started"),
                                 "undated": self.rt("undated")}})

    def chart(self, kind: str, caption: str, data: dict) -> None:
        self.n_fig += 1
        fig = Figure(_caption("figure", self.n_fig, caption, self.lang), width_mm=TEXT_WIDTH_MM)
        self.add(fig)
        self.charts.append((fig, _ChartSpec(kind, data)))

    def image(self, im, i: int) -> None:
        self.n_fig += 1
        cap = self.t(im.caption, f"images[{i}].caption")
        fig = Figure(_caption("figure", self.n_fig, cap, self.lang),
                     width_mm=min(im.width_mm or TEXT_WIDTH_MM, TEXT_WIDTH_MM))
        self.add(fig)
        self.charts.append((fig, _ChartSpec("image", {"file": self.report.base_dir / im.file, "index": i,
                                                      "width_mm": fig.width_mm})))


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int, capital: bool = False) -> str:
    """A count as English prose writes it: words up to ten, digits above."""
    w = _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)
    return w[:1].upper() + w[1:] if capital else w


def _phrase_list(items: list[str], capital: bool = False) -> str:
    """"a", "a and b", "a, b and c", each item as it reads inside a sentence ("Rate of…" → "the rate
    of…", unless the item starts with a name or an abbreviation)."""
    def inside(x: str) -> str:
        if len(x) > 1 and x[0].isupper() and x[1].islower() and not capital:
            return "the " + x[0].lower() + x[1:]
        return x
    words = [inside(x) for x in items]
    if capital and words:
        w = words[0]
        words[0] = ("The " + w[0].lower() + w[1:]) if len(w) > 1 and w[0].isupper() and w[1].islower() else w
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --- drawing --------------------------------------------------------------------------------
def _month_format(lang: str) -> Callable[[dt.date], str]:
    if lang == "en":
        return lambda d: d.strftime("%b %Y") if d.day == 1 and d.month == 1 else (
            d.strftime("%b %-d") if d.day != 1 else d.strftime("%b"))
    return lambda d: (f"{d.year}年{d.month}月" if d.month == 1 and d.day == 1 else
                      (f"{d.month}月" if d.day == 1 else f"{d.month}月{d.day}日"))


def _join(a: Any, b: Any) -> Any:
    """Combine a zh and an en value for a bilingual chart."""
    if isinstance(a, str) and isinstance(b, str):
        return a if a == b else f"{a}\n{b}"
    if isinstance(a, list) and isinstance(b, list):
        return [_join(x, y) for x, y in zip(a, b)]
    if isinstance(a, tuple) and isinstance(b, tuple):
        return tuple(_join(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _join(a[k], b[k]) for k in a}
    return a


def _draw(spec: _ChartSpec, lang: str, file: str | None, formats: tuple[str, ...] = ("svg", "png")
          ) -> tuple[bytes | None, bytes | None, float]:
    """(svg, png, width) of a chart or photo. Charts come from the rendering cache (render/cache.py)
    when the same chart was drawn before with the same code: no matplotlib at all then."""
    if spec.kind in ("attainment", "gantt"):
        from .cache import cached_files
        from .charts import CHART_WIDTH_MM

        def make() -> tuple[bytes, ...]:
            svg, png, _w = _draw_now(spec, lang, file, formats)
            drawn = {"svg": svg, "png": png}
            out: list[bytes] = []
            for f in formats:
                data = drawn[f]
                if data is None:  # every format asked for is drawn
                    raise RuntimeError(f"no {f} drawing of the {spec.kind} chart")
                out.append(data)
            return tuple(out)
        got = dict(zip(formats, cached_files("charts", [spec.kind, spec.data, lang], ("workplan.render.charts",
                                                                                       "workplan.render.report_ir"),
                                             formats, make)))
        return got.get("svg"), got.get("png"), CHART_WIDTH_MM
    return _draw_now(spec, lang, file, formats)


def _draw_now(spec: _ChartSpec, lang: str, file: str | None, formats: tuple[str, ...]
              ) -> tuple[bytes | None, bytes | None, float]:
    from . import charts
    d = spec.data
    if spec.kind == "attainment":
        c = charts.attainment_chart(d["labels"], d["values"], d["met"], value_labels=d["value_labels"],
                                    target_label=d["target_label"], met_label=d["met_label"],
                                    not_met_label=d["not_met_label"], states=d.get("states"),
                                    not_due_label=d.get("not_due_label"), formats=formats)
        return c.svg, c.png, c.width_mm
    if spec.kind == "gantt":
        rows = [charts.GanttRow(*r) for r in d["rows"]]
        c = charts.gantt_chart(rows, d["report_date"], report_label=d["report_label"],
                               state_labels=d["state_labels"], month_format=_month_format("zh" if lang != "en" else "en"),
                               completed_label=d["completed_label"], formats=formats)
        return c.svg, c.png, c.width_mm
    return None, _image_png(d["file"], d["index"], file), d["width_mm"]


def _image_png(path, index: int, file: str | None) -> bytes:
    """The image as PNG (converted and scaled down if needed); errors name the report field."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as opened:
            opened.load()
            im: Image.Image = opened
            if im.mode not in ("RGB", "RGBA", "L", "LA"):
                im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
            if max(im.size) > 2400:
                im.thumbnail((2400, 2400))
            out = io.BytesIO()
            im.save(out, format="PNG", optimize=False)
            return out.getvalue()
    except (UnidentifiedImageError, OSError) as e:
        raise ValidationFailed(Problem(f"cannot read the image {path}: {e}", file=file, path=f"images[{index}].file",
                                       hint="use a PNG, JPEG, GIF, BMP or WebP file")) from None


def _image_width(png: bytes | None, width_mm: float) -> float:
    """Keep tall photos within 60 % of the type area's height."""
    if png is None:
        return width_mm
    from PIL import Image
    with Image.open(io.BytesIO(png)) as im:
        w, h = im.size
    return min(width_mm, 0.6 * TEXT_HEIGHT_MM * w / h) if h else width_mm


def _finish_figures(builders: list[_ReportBuilder], blocks: list[Block], lang: str, file: str | None,
                    formats: tuple[str, ...] = ("svg", "png")) -> list[Block]:
    """Draw every chart once for the output language (in the image ``formats`` asked for); in
    zh-en merge each zh/en figure pair."""
    if len(builders) == 1:
        b = builders[0]
        for fig, spec in b.charts:
            if spec.kind == "gantt":
                spec.data["report_date"] = b.report.date
            fig.svg, fig.png, w = _draw(spec, lang, file, formats)
            fig.width_mm = _image_width(fig.png, w) if spec.kind == "image" else w
        return blocks
    zh, en = builders
    pairs = {id(fz): (fz, sz, fe, se) for (fz, sz), (fe, se) in zip(zh.charts, en.charts)}
    out: list[Block] = []
    skip: set[int] = set()
    for blk in blocks:
        if id(blk) in skip:
            continue
        if isinstance(blk, Figure) and id(blk) in pairs:
            fz, sz, fe, se = pairs[id(blk)]
            skip.add(id(fe))
            spec = _ChartSpec(sz.kind, _join(sz.data, se.data) if sz.kind != "image" else sz.data)
            if spec.kind == "gantt":
                spec.data["report_date"] = zh.report.date
            svg, png, w = _draw(spec, "zh-en", file, formats)
            out.append(Figure(f"{fz.caption}\n{fe.caption}", width_mm=_image_width(png, w) if spec.kind == "image" else w,
                              svg=svg, png=png, lang="zh-en"))
            continue
        out.append(blk)
    return out


def build_report_ir(report: Report, lang: str = "zh", *, allow_missing: bool = False, file: str | None = None,
                    draw: bool | tuple[str, ...] = True, positions: Positions | None = None) -> RenderDoc:
    """Resolve a report for one output language (zh, en or zh-en); see :func:`workplan.render.ir.build_document_ir`.
    ``draw=False`` skips drawing the charts (about a second each) and measuring table cells when
    only the text is wanted;
    a tuple of image formats (``("svg",)`` for PDF, ``("png",)`` for DOCX) draws only those."""
    progress = compute_progress(report)
    builders, blocks = run_builders(lambda lg: _ReportBuilder(report, lg, allow_missing, file, progress), lang, file,
                                    measure=bool(draw), positions=positions)
    if draw:
        blocks = _finish_figures(builders, blocks, lang, file, ("svg", "png") if isinstance(draw, bool) else tuple(draw))
    return assemble(report, lang, builders, blocks)


__all__ = ["build_report_ir", "rterm"]
