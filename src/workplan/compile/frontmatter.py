"""Front matter of a PDF volume: cover, contents, statistics, archive catalogue (归档文件目录).

Jinja2 HTML laid out by WeasyPrint through the PDF writer's :func:`render_html_to_pdf` (same
fonts, same engine), with this module's stylesheet for the volume pages. All sizes come from
:mod:`workplan.layout`. The contents give volume page numbers, which depend on how long the
front matter itself is, so it is laid out until its page count is stable (twice, usually).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2

from .. import layout as L
from ..errors import Problem, WorkplanError
from ..i18n import format_date, term
from ..model.progress import format_pct
from .plan import VolumePlan



def label(key: str, lang: str, **kw: Any) -> str:
    """A label of the volume (``volume.<key>`` in :data:`workplan.i18n.TERMS`)."""
    return term(f"volume.{key}", lang, **kw)


_HEAD = """<!DOCTYPE html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}"><head><meta charset="utf-8">
<title>{{ plan.title }}</title><meta name="author" content="{{ plan.compiler }}"></head><body>
"""
_TAIL = "</body></html>"

COVER = _HEAD + """
<section class="cover">
  <h1 class="cover-title">{{ plan.title }}</h1>
  <p class="cover-year">{{ lbl('year', year=plan.year) }}</p>
  <div class="cover-meta">
    {% if plan.compiler %}<p>{{ lbl('compiled_by') }}{{ plan.compiler }}</p>{% endif %}
    <p>{{ lbl('compiled_on') }}{{ date(plan.date) }}</p>
    <p>{{ lbl('extent', n=plan.entries|length, pages=total_pages) }}</p>
  </div>
</section>""" + _TAIL

TOC = _HEAD + """
<section class="toc">
  <h2 class="vol-heading">{{ lbl('contents') }}</h2>
  <p class="toc-entry front"><span class="tt">{{ lbl('statistics')|replace('　', '') }}</span><span class="pg">{{ stats_page }}</span></p>
  <p class="toc-entry front"><span class="tt">{{ lbl('catalogue') }}</span><span class="pg">{{ catalogue_page }}</span></p>
  {% for unit, entries in plan.groups() %}
  <h3 class="toc-unit">{{ unit }}</h3>
  {% for e in entries %}
  <p class="toc-entry doc"><span class="tt">{{ e.title(lang) }}</span><span class="pg">{{ e.start if e.pages else '—' }}</span></p>
  {% endfor %}
  {% endfor %}
  <p class="toc-note">{{ lbl('page_note') }}</p>
</section>""" + _TAIL

STATS = _HEAD + """
<section class="stats">
  <h2 class="vol-heading">{{ lbl('statistics') }}</h2>
  <h3 class="stats-heading">{{ lbl('by_kind') }}</h3>
  <table class="grid">
    <thead><tr><th>{{ lbl('kind') }}</th><th class="num">{{ lbl('docs') }}</th><th class="num">{{ lbl('pages') }}</th></tr></thead>
    <tbody>
    {% for name, n, p in plan.by_kind() %}<tr><td>{{ name }}</td><td class="num">{{ n }}</td><td class="num">{{ p }}</td></tr>{% endfor %}
    <tr class="total"><td>{{ lbl('total') }}</td><td class="num">{{ plan.entries|length }}</td><td class="num">{{ doc_pages }}</td></tr>
    </tbody>
  </table>
  <h3 class="stats-heading">{{ lbl('by_unit') }}</h3>
  <table class="grid">
    <thead><tr><th>{{ lbl('unit') }}</th><th class="num">{{ lbl('docs') }}</th><th class="num">{{ lbl('pages') }}</th></tr></thead>
    <tbody>
    {% for name, n, p in plan.by_unit() %}<tr><td>{{ name }}</td><td class="num">{{ n }}</td><td class="num">{{ p }}</td></tr>{% endfor %}
    <tr class="total"><td>{{ lbl('total') }}</td><td class="num">{{ plan.entries|length }}</td><td class="num">{{ doc_pages }}</td></tr>
    </tbody>
  </table>
  {% if reports %}
  <h3 class="stats-heading">{{ lbl('reports') }}</h3>
  <table class="grid reports">
    <thead><tr><th>{{ lbl('title') }}</th><th class="num">{{ lbl('targets_met') }}</th><th class="num">{{ lbl('attainment') }}</th>
      <th class="num">{{ lbl('tasks_done') }}</th><th class="num">{{ lbl('completion') }}</th></tr></thead>
    <tbody>
    {% for e in reports %}
    {% set p = e.progress %}
    <tr><td>{{ e.title(lang) }}</td>
    {% if p %}<td class="num">{{ p.targets_met }}/{{ p.targets_due|length }}</td><td class="num">{{ pct(p.target_attainment) }}</td>
      <td class="num">{{ p.tasks_done }}/{{ p.tasks|length }}</td><td class="num">{{ pct(p.completion_rate) }}</td>
    {% else %}<td class="num">—</td><td class="num">—</td><td class="num">—</td><td class="num">—</td>{% endif %}</tr>
    {% endfor %}
    <tr class="total"><td>{{ lbl('overall') }}</td><td class="num">{{ totals.targets_met }}/{{ totals.targets }}</td>
      <td class="num">{{ pct(totals.target_attainment) }}</td><td class="num">{{ totals.tasks_done }}/{{ totals.tasks }}</td>
      <td class="num">{{ pct(totals.completion_rate) }}</td></tr>
    </tbody>
  </table>
  <p class="note">{{ lbl('reports_note') }}</p>
  {% endif %}
</section>""" + _TAIL

CATALOGUE = _HEAD + """
<section class="catalogue">
  <h2 class="vol-heading">{{ lbl('catalogue') }}</h2>
  <table class="grid cat">
    <colgroup>{% for w in cat_widths %}<col style="width: {{ w }}mm">{% endfor %}</colgroup>
    <thead><tr>{% for k in ('no', 'code', 'doc_number', 'issuer', 'title', 'date', 'pages', 'remarks') %}<th>{{ lbl(k) }}</th>{% endfor %}</tr></thead>
    <tbody>
    {% for e in plan.entries %}
    <tr><td class="c">{{ e.seq }}</td><td>{{ e.record.code }}</td><td>{{ e.record.doc_number or '' }}</td>
      <td>{{ e.record.issuer }}</td><td>{{ e.title(lang) }}</td><td class="c">{{ e.record.date.strftime('%Y%m%d') }}</td>
      <td class="c">{{ e.pages or '' }}</td><td>{{ e.note }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
</section>""" + _TAIL


def stylesheet_text(landscape: bool = False) -> str:
    """The volume pages' stylesheet, on top of the documents' (whose @font-face rules it uses)."""
    from ..render.weasyprint import LATIN_FAMILY, css_family
    fang, hei = css_family("WP FangSong"), css_family("WP HeiTi")
    song, xbs = css_family("WP SongTi"), css_family("WP XiaoBiaoSong")
    latin = LATIN_FAMILY["zh"]
    body = L.FONTS["body"].size_pt
    mt, mr, mb, ml = L.MARGIN_TOP_MM, L.MARGIN_RIGHT_MM, L.MARGIN_BOTTOM_MM, L.MARGIN_LEFT_MM
    if landscape:
        size = f"{L.PAGE_HEIGHT_MM}mm {L.PAGE_WIDTH_MM}mm"
        margin = " ".join(f"{x}mm" for x in L.VOLUME_CATALOGUE_MARGIN_MM)
    else:
        size = f"{L.PAGE_WIDTH_MM}mm {L.PAGE_HEIGHT_MM}mm"
        margin = f"{mt}mm {mr}mm {mb}mm {ml}mm"
    return f"""
@page {{
  size: {size};
  margin: {margin};
}}
@page :left {{ @bottom-left {{ content: none; }} @top-left {{ content: none; }} }}
@page :right {{ @bottom-right {{ content: none; }} @top-right {{ content: none; }} }}
@page :first {{ @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
html {{
  font-family: "{latin}", "{fang}", "{song}", serif;
  font-size: {body}pt; line-height: 1.5; letter-spacing: 0; color: black;
}}
body {{ margin: 0; }}
section.cover {{ text-align: center; }}
h1, h2, h3, p, table {{ margin: 0; bookmark-level: none; }}
.cover-title {{ font-family: "{xbs}"; font-weight: 700; font-size: {L.VOLUME_COVER_TITLE_PT}pt; line-height: 1.4;
  margin-top: {L.VOLUME_COVER_TITLE_TOP_MM}mm; }}
.cover-year {{ font-family: "{hei}"; font-size: {L.SIZE_PT["三号"]}pt; margin-top: 12mm; }}
.cover-meta {{ margin-top: {L.VOLUME_COVER_META_GAP_MM}mm; }}
.cover-meta p {{ font-size: {L.SIZE_PT["三号"]}pt; line-height: 2; }}
.vol-heading {{ font-family: "{xbs}"; font-weight: 700; font-size: {L.VOLUME_HEADING_PT}pt; text-align: center;
  margin-bottom: 8mm; }}
.toc-unit {{ font-family: "{hei}"; font-weight: 400; font-size: {L.VOLUME_TOC_PT}pt; margin-top: 4mm; break-after: avoid; }}
.toc-entry {{ font-size: {L.VOLUME_TOC_PT}pt; line-height: 1.6; padding-left: 2em; text-indent: -1em;
  padding-right: 2.5em; position: relative; }}
.toc-entry.front {{ padding-left: 1em; }}
.toc-entry .tt::after {{ content: leader('.'); }}
.toc-entry .pg {{ position: absolute; right: 0; bottom: 0; text-indent: 0; }}
.toc-note, .note {{ font-size: {L.VOLUME_TABLE_PT}pt; margin-top: 6mm; }}
.stats-heading {{ font-family: "{hei}"; font-weight: 400; font-size: {L.SIZE_PT["三号"]}pt; margin: 6mm 0 3mm; }}
table.grid {{ width: 100%; border-collapse: collapse; font-size: {L.VOLUME_TABLE_PT}pt; line-height: 1.35; }}
table.grid th, table.grid td {{ border: {L.TABLE_RULE_MM}mm solid black;
  padding: 1mm 1.5mm; vertical-align: middle; overflow-wrap: anywhere; }}
table.grid th {{ font-family: "{hei}"; font-weight: 400; text-align: center; }}
table.grid td.num, table.grid th.num {{ text-align: right; width: 24mm; }}
table.grid td.c, table.grid th {{ text-align: center; white-space: nowrap; }}
table.grid tr.total td {{ font-family: "{hei}"; }}
table.cat {{ table-layout: fixed; }}
"""


_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_templates = {name: _env.from_string(t) for name, t in
              (("cover", COVER), ("toc", TOC), ("stats", STATS), ("catalogue", CATALOGUE))}


def section_html(name: str, plan: VolumePlan, **extra: Any) -> str:
    lang = plan.lang
    return _templates[name].render(
        plan=plan, lang=lang, lbl=lambda k, **kw: label(k, lang, **kw), date=lambda d: format_date(d, lang),
        pct=format_pct, reports=plan.reports(), totals=plan.report_totals(),
        doc_pages=sum(e.pages for e in plan.entries), total_pages=plan.total_pages,
        cat_widths=L.VOLUME_CATALOGUE_COLUMNS_MM, **extra)


@functools.lru_cache(maxsize=2)
def _stylesheet(landscape: bool) -> Any:
    from weasyprint import CSS
    return CSS(string=stylesheet_text(landscape))


def _render(html: str, out: Path, landscape: bool = False) -> int:
    from ..render.weasyprint import render_html_to_pdf
    return render_html_to_pdf(html, out, stylesheets=[_stylesheet(landscape)], pdf_variant=None)


def _toc_pages_estimate(plan: VolumePlan) -> int:
    """A first guess of the contents' length (lines of the 4号 entries over the type area)."""
    line_mm = L.VOLUME_TOC_PT * 1.6 / 72 * 25.4
    per_line = max(1, int((L.TEXT_WIDTH_MM - 6 * L.VOLUME_TOC_PT / 72 * 25.4) / (L.VOLUME_TOC_PT / 72 * 25.4)))
    lines = 6 + 2  # heading, front entries
    for _unit, entries in plan.groups():
        lines += 2
        for e in entries:
            lines += 1 + len(e.title(plan.lang)) // (per_line if plan.lang != "en" else per_line * 2)
    return max(1, -(-int(lines * line_mm) // int(L.TEXT_HEIGHT_MM)))


def render_front_matter(plan: VolumePlan, folder: Path, progress: Any = None) -> list[Path]:
    """Lay out cover, contents, statistics and catalogue into PDFs in ``folder`` (in volume
    order); set ``plan.front_pages`` and each entry's start page. Statistics and catalogue do not
    depend on page numbers and are laid out once; the contents are laid out again only if their
    first length estimate was wrong (their layout does not depend on the numbers' digits)."""
    paths = {name: folder / f"{name}.pdf" for name in ("cover", "toc", "stats", "catalogue")}
    step = (lambda k: progress("front matter", k, 4)) if progress else (lambda k: None)
    step(0)
    s = _render(section_html("stats", plan), paths["stats"])
    step(1)
    c = _render(section_html("catalogue", plan), paths["catalogue"], landscape=True)
    step(2)
    t = _toc_pages_estimate(plan)
    for _ in range(4):
        plan.front_pages = 1 + t + s + c
        _assign_starts(plan)
        got = _render(section_html("toc", plan, stats_page=2 + t, catalogue_page=2 + t + s), paths["toc"])
        if got == t:
            break
        t = got
    else:
        raise WorkplanError(Problem("the volume's contents do not settle on a page count",
                                    hint="this is a bug; please report it with the command you ran"))
    step(3)
    if _render(section_html("cover", plan), paths["cover"]) != 1:
        raise WorkplanError(Problem("the volume's cover does not fit on one page", path="--title",
                                    hint="use a shorter --title"))
    step(4)
    return [paths["cover"], paths["toc"], paths["stats"], paths["catalogue"]]


def _assign_starts(plan: VolumePlan) -> None:
    page = plan.front_pages + 1
    for e in plan.entries:
        e.start = page if e.pages else 0
        page += e.pages


__all__ = ["render_front_matter", "section_html", "stylesheet_text"]
