"""Charts for progress reports: an attainment bar chart and a phase timeline (Gantt).

Drawn with matplotlib (Agg, no display needed; figures made directly, without pyplot, whose
import costs more than a chart) in a CJK face registered from :data:`workplan.layout.FONT_FILES`.
Each chart is returned as SVG (vector, with text as outlines so it looks the same everywhere;
for the PDF) and PNG (for the DOCX), or only the one asked for with ``formats``: each format is
a full draw. Output is deterministic: the same data gives the same bytes (no dates or random ids
in the files).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.artist import Artist

import datetime as dt
import io
import textwrap
from dataclasses import dataclass
from functools import lru_cache

from ..errors import EnvironmentProblem, Problem
from ..layout import FONT_FILES, RED, TEXT_WIDTH_MM

# Chart geometry (printed size) and colours. The width is the type area's; heights grow with rows.
CHART_WIDTH_MM = TEXT_WIDTH_MM
BAR_ROW_MM = 11.0          # one target or phase per row
CHART_MARGIN_MM = 22.0     # axes, ticks and legend
CHART_FONT_PT = 9.0
PNG_DPI = 200
COLOR_OK = "#2F5597"       # met / done
COLOR_BAD = "#" + RED      # not met / late
COLOR_OPEN = "#A6A6A6"     # not started / in progress
COLOR_DONE_LATE = "#D08B2C"
COLOR_NOT_DUE = "#8FAADC"  # a target not yet due: progress so far
LABEL_LINE_MM = CHART_FONT_PT * 1.25 * 25.4 / 72   # one line of a tick label
LABEL_WRAP = 22            # label width in half-width characters
BAR_CAP = 1.5              # bars longer than 150 % are drawn at 150 % (the label shows the value)

_FAMILIES = ("WP HeiTi", "WP FangSong")   # preferred chart faces, from layout.FONT_FILES


IMAGE_FORMATS = ("svg", "png")


@dataclass(frozen=True)
class Chart:
    svg: bytes | None
    png: bytes | None
    width_mm: float
    height_mm: float


@lru_cache(maxsize=1)
def _font_names() -> tuple[str, ...]:
    """Register the CJK faces with matplotlib; return their family names, best first."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    from matplotlib import font_manager
    from pathlib import Path
    names: list[str] = []
    for fam in _FAMILIES:
        path = FONT_FILES[fam][0]
        if not Path(path).exists():
            continue
        font_manager.fontManager.addfont(path)
        added = [f.name for f in font_manager.fontManager.ttflist if f.fname == path]
        # a TTC registers every face (JP, KR, SC, TC): take the Simplified Chinese one
        sc = [n for n in added if n.endswith(" SC")]
        pick = sc[0] if sc else (added[0] if added else None)
        if pick and pick not in names:
            names.append(pick)
    if not names:
        raise EnvironmentProblem(Problem(
            "no CJK font for charts: " + ", ".join(FONT_FILES[f][0] for f in _FAMILIES),
            hint="run scripts/install-system-deps.sh (fonts-noto-cjk, texlive-lang-chinese)"))
    return tuple(names)


def _rc() -> dict:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [*_font_names(), "DejaVu Sans"],
        "font.size": CHART_FONT_PT,
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "workplan",
        "axes.spines.top": False,
        "axes.spines.right": False,
        # no background: a white figure would cover the bottom rule of a table just above it
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
    }


def _figure(height_mm: float):
    """A constrained-layout figure the width of the type area, and its axes."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(CHART_WIDTH_MM / 25.4, height_mm / 25.4), layout="constrained")
    return fig, fig.subplots()


def _save(fig, width_mm: float, height_mm: float, formats=IMAGE_FORMATS) -> Chart:
    svg = png = None
    if "svg" in formats:
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        svg = buf.getvalue()
    if "png" in formats:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
        png = buf.getvalue()
    return Chart(svg, png, width_mm, height_mm)


def _wrap(label: str, width: int) -> str:
    """Wrap a label: by characters for Chinese, by words for English (keeps existing newlines)."""
    out = []
    for line in label.split("\n"):
        if any("\u3400" <= c <= "\u9fff" for c in line):
            out += [line[i:i + width // 2] for i in range(0, len(line), width // 2)] or [""]
        else:
            out += textwrap.wrap(line, width) or [""]
    return "\n".join(out)


def _row_mm(wrapped: list[str]) -> float:
    """Height of one bar row: room for the tallest wrapped label, so labels never overlap."""
    lines = max((w.count("\n") + 1 for w in wrapped), default=1)
    return max(BAR_ROW_MM, lines * LABEL_LINE_MM + 3.0)


def attainment_chart(labels: list[str], values: list[float], met: list[bool], *, value_labels: list[str],
                     target_label: str, met_label: str, not_met_label: str, states: list[str] | None = None,
                     not_due_label: str | None = None, formats=IMAGE_FORMATS) -> Chart:
    """Horizontal bars of attainment (1.0 = 100 %), a dashed line at 100 %, values at the bar ends.
    ``states`` (met | not_met | not_due) colours targets not yet due apart."""
    import matplotlib
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    n = len(labels)
    states = states or ["met" if m else "not_met" for m in met]
    wrapped = [_wrap(label, LABEL_WRAP) for label in labels]
    row = _row_mm(wrapped)
    height_mm = CHART_MARGIN_MM + row * n
    with matplotlib.rc_context(_rc()):
        fig, ax = _figure(height_mm)
        ys = list(range(n))[::-1]
        shown = [min(v, BAR_CAP) * 100 for v in values]
        colors = [{"met": COLOR_OK, "not_met": COLOR_BAD, "not_due": COLOR_NOT_DUE}[st] for st in states]
        ax.barh(ys, shown, color=colors, height=0.55)
        for y, x, text in zip(ys, shown, value_labels):
            ax.text(x + 1.5, y, text, va="center", ha="left")
        right = max(120.0, max(shown, default=0) + 25)
        ax.set_xlim(0, right)
        ax.axvline(100, color="#404040", linestyle="--", linewidth=0.8)
        ax.set_yticks(ys, wrapped)
        ax.set_ylim(-0.6, n - 0.4)
        ax.xaxis.set_major_formatter(lambda x, _pos: f"{x:.0f}%")
        ax.set_xticks([t for t in range(0, int(right) + 1, 25)])
        ax.tick_params(axis="y", length=0)
        handles: list[Artist] = [Patch(color=COLOR_OK, label=met_label), Patch(color=COLOR_BAD, label=not_met_label)]
        if "not_due" in states and not_due_label:
            handles.append(Patch(color=COLOR_NOT_DUE, label=not_due_label))
        handles.append(Line2D([], [], color="#404040", linestyle="--", linewidth=0.8, label=target_label))
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(handles), frameon=False)
        return _save(fig, CHART_WIDTH_MM, height_mm, formats)


@dataclass(frozen=True)
class GanttRow:
    label: str
    start: dt.date
    end: dt.date
    state: str                 # done | done_late | late | in_progress | not_started | undated
    completed_on: dt.date | None = None


def gantt_chart(rows: list[GanttRow], report_date: dt.date, *, report_label: str, state_labels: dict[str, str],
                month_format, completed_label: str | None = None, formats=IMAGE_FORMATS) -> Chart:
    """Phases as bars on a time axis, coloured by state, with the report date marked."""
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    n = len(rows)
    wrapped = [_wrap(r.label, LABEL_WRAP) for r in rows]
    row = _row_mm(wrapped)
    height_mm = CHART_MARGIN_MM + 6 + row * n
    colors = {"done": COLOR_OK, "done_late": COLOR_DONE_LATE, "late": COLOR_BAD,
              "in_progress": COLOR_OPEN, "not_started": "#D9D9D9", "undated": "#D9D9D9"}
    with matplotlib.rc_context(_rc()):
        fig, ax = _figure(height_mm)
        ys = list(range(n))[::-1]
        for y, r in zip(ys, rows):
            start = mdates.date2num(r.start)
            width = max(mdates.date2num(r.end + dt.timedelta(days=1)) - start, 0.8)
            ax.barh(y, width, left=start, height=0.5, color=colors.get(r.state, COLOR_OPEN))
            if r.completed_on:
                ax.plot([mdates.date2num(r.completed_on)], [y], marker="v", color="#262626", markersize=5)
        lo = min([r.start for r in rows] + [report_date])
        hi = max([r.end for r in rows] + [report_date])
        pad = max(2, (hi - lo).days // 20)
        ax.set_xlim(mdates.date2num(lo - dt.timedelta(days=pad)), mdates.date2num(hi + dt.timedelta(days=pad + 1)))
        ax.axvline(mdates.date2num(report_date), color=COLOR_BAD, linewidth=1.2)
        left, right = ax.get_xlim()
        frac = (mdates.date2num(report_date) - left) / (right - left)
        ax.annotate(report_label, xy=(mdates.date2num(report_date), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2), textcoords="offset points", va="bottom", color=COLOR_BAD,
                    ha="right" if frac > 0.7 else ("left" if frac < 0.3 else "center"))
        ax.set_yticks(ys, wrapped)
        ax.set_ylim(-0.6, n - 0.4)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(lambda x, _pos: month_format(mdates.num2date(x).date()))
        ax.tick_params(axis="y", length=0)
        present = list(dict.fromkeys(r.state for r in rows))
        handles: list[Artist] = [Patch(color=colors[s], label=state_labels[s]) for s in present if s in state_labels]
        if completed_label and any(r.completed_on for r in rows):
            handles.append(Line2D([], [], linestyle="none", marker="v", color="#262626", markersize=5,
                                      label=completed_label))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=min(len(handles), 6),
                  frameon=False)
        return _save(fig, CHART_WIDTH_MM, height_mm, formats)


__all__ = ["Chart", "GanttRow", "IMAGE_FORMATS", "attainment_chart", "gantt_chart"]
