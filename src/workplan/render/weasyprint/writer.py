"""PDF writer: RenderDoc → Jinja2 HTML + CSS → WeasyPrint → PDF/A-3b with the source attached.

The page is drawn by two templates in this package's ``templates/``: ``document.html.j2`` (structure, one
macro per IR block in ``blocks.html.j2``) and ``gbt9704.css.j2`` (GB/T 9704 geometry and type).
The CSS template gets every layout number (margins, sizes, pitch, fonts, colours, rules, gaps)
from :mod:`workplan.layout`, through :func:`_derived` where a value is computed from them.

Costly set-up (fontconfig with the two Fandol faces, the parsed stylesheet, the compiled
templates) happens once per process in :func:`engine`.

Reuse for other pages (compilation cover, table of contents)::

    html = engine().env.get_template("my-cover.html.j2").render(...)  # may import blocks.html.j2
    render_html_to_pdf(html, out)          # same fonts, same page rules, PDF/A-3b

and :func:`html_for` gives the HTML of one document.
"""
from __future__ import annotations

import datetime as dt
import atexit
import os
import re
import threading
from importlib import resources
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from markupsafe import Markup, escape

from ... import layout as L
from ..fonts import check_pdf_environment
from ...i18n import language_tag
from ..ir import RenderDoc
from ..pagemodel import HAN, block_views, page_metrics
from ..paginate import CARRIED_LINES, pagination_of

if TYPE_CHECKING:
    import jinja2

# The templates are package data (src/workplan/render/weasyprint/templates/), read through
# importlib.resources so an installed (non-editable) package finds them.
TEMPLATES_PACKAGE = "workplan.render.weasyprint"
TEMPLATES = resources.files(TEMPLATES_PACKAGE) / "templates"
DOCUMENT_TEMPLATE = "document.html.j2"
STYLESHEET_TEMPLATE = "gbt9704.css.j2"
PDF_VARIANT = "pdf/a-3b"
GENERATOR = "workplan"

# In Chinese text only these code points take the Latin face (Liberation Serif): ASCII, Latin-1,
# Latin Extended-A/B. Everything else (“”‘’—…·, full-width punctuation) stays in the CJK face,
# so Chinese quotation marks and dashes keep their full width. English text uses the Latin face
# for everything it has.
LATIN_IN_CJK_RANGE = "U+0000-00B6, U+00B8-024F"



# --- derived layout values ------------------------------------------------------------------
def _face_name(layout_family: str) -> str:
    """The CSS family we declare for a font file: the file's own family name (FandolFang-Regular.otf
    → FandolFang), so pdffonts and auditors see the real face in the PDF."""
    return Path(L.FONT_FILES[layout_family][0]).stem.split("-")[0]


# English text takes Liberation Serif straight from fontconfig; Chinese text a copy of it
# limited to LATIN_IN_CJK_RANGE.
LATIN_FAMILY = {"en": "Liberation Serif", "zh": "Liberation Serif Latin"}


def _css_family(pdf_family: str) -> tuple[str, int]:
    """CSS family name and weight for a layout font family (TTC faces go by their fontconfig
    name; single-face files by the name of their @font-face rule)."""
    if pdf_family in L.PDF_FONTCONFIG_FAMILIES:
        name, weight = L.PDF_FONTCONFIG_FAMILIES[pdf_family]
        return name, weight
    return _face_name(pdf_family), _file_weight(pdf_family)


def _file_weight(layout_family: str) -> int:
    return 700 if "Bold" in Path(L.FONT_FILES[layout_family][0]).stem else 400


def _role_css(role: str, lang: str) -> str:
    fr = L.FONTS[role]
    cjk, weight = _css_family(fr.pdf_family)
    sans = "Sans" in cjk or "Hei" in cjk     # 黑体: Noto Sans CJK SC, FandolHei
    latin = LATIN_FAMILY["en" if lang == "en" else "zh"]
    # In Chinese, 黑体 roles keep the sans face's own Latin glyphs; everything else (and every
    # English role, as in the DOCX, where Latin text is Times New Roman) gets Liberation Serif.
    stack = f'"{cjk}"' if sans and lang != "en" else f'"{latin}", "{cjk}"'
    # FandolFang has no bold face and WeasyPrint does not embolden, so a bold 仿宋 role stays
    # regular in Chinese (the standard prescribes no bold); its English text is bold.
    style = "normal"
    if lang == "en":
        # English stand-ins for the Chinese faces' roles: 黑体 → bold sans, 楷体 → italic
        bold, italic = L.english_emphasis(role)
        if bold:
            weight = 700
        if italic:
            style = "italic"
    return f"font-family: {stack}; font-size: {fr.size_pt}pt; font-weight: {weight}; font-style: {style};"


def _font_faces() -> list[dict[str, Any]]:
    """@font-face rules: the Fandol faces (not known to fontconfig) and the range-limited Latin."""
    faces, seen = [], set()
    # every CJK face given as a file (FandolFang, FandolKai; any face layout moves out of
    # PDF_FONTCONFIG_FAMILIES), declared under its own family name and weight
    for family, (path, _pkg) in L.FONT_FILES.items():
        if family in L.PDF_FONTCONFIG_FAMILIES or family.startswith("WP Latin"):
            continue
        key = (_face_name(family), _file_weight(family))
        if key not in seen:
            seen.add(key)
            faces.append({"family": key[0], "url": Path(path).as_uri(), "weight": key[1], "unicode_range": None})
    for latin, weight in (("WP Latin", 400), ("WP Latin Bold", 700)):
        faces.append({"family": LATIN_FAMILY["zh"], "url": Path(L.FONT_FILES[latin][0]).as_uri(),
                      "weight": weight, "unicode_range": LATIN_IN_CJK_RANGE})
    return faces


def font_face_css() -> str:
    """The @font-face rules of every face the layout names, for other stylesheets (the
    compilation's front matter) that must use exactly the faces the documents use."""
    out = []
    for f in _font_faces():
        rng = f" unicode-range: {f['unicode_range']};" if f["unicode_range"] else ""
        out.append(f'@font-face {{ font-family: "{f["family"]}"; src: url("{f["url"]}"); '
                   f'font-weight: {f["weight"]}; font-style: normal;{rng} }}')
    return "\n".join(out)


def css_family(layout_family: str) -> str:
    """The CSS family name under which a layout font family (layout.FONT_FILES key) is known."""
    return _css_family(layout_family)[0]


def _derived() -> dict[str, Any]:
    """The stylesheet's values: the writers' shared page metrics (:func:`..pagemodel.page_metrics`)
    and the CSS of the fonts."""
    # containers first, so a role nested in another wins the cascade tie
    order = ["body", "table", "imprint"] + [r for r in L.FONTS if r not in ("body", "table", "imprint")]
    pn = L.FONTS["page_number"]
    pn_family, pn_weight = _css_family(pn.pdf_family)
    return {
        "font_face_css": font_face_css(),
        "roles": {r: {"zh": _role_css(r, "zh"), "en": _role_css(r, "en")} for r in order},
        **page_metrics(),
        "page_number_font": f'font-family: "{pn_family}"; font-size: {pn.size_pt}pt; font-weight: {pn_weight}; '
                            f"letter-spacing: 0;",
    }


# --- the engine: templates, fonts and stylesheet, built once per process ---------------------
@dataclass
class Engine:
    env: jinja2.Environment
    font_config: Any            # weasyprint.text.fonts.FontConfiguration
    stylesheet: Any             # weasyprint.CSS
    css_text: str
    pid: int                    # the process that built it (see engine())


_engine: Engine | None = None
_engine_lock = threading.Lock()


# A number keeps its unit ("28日前", "2024年", "98%"): never broken between them.
_NUMBER_UNIT = re.compile(r"\d+(?:\.\d+)?(?:日前|日止|个月|年|月|日|号|时|天|%|％)")


def _keep_units(m: Markup) -> Markup:
    return Markup(_NUMBER_UNIT.sub(lambda x: f'<span class="nobr">{x.group()}</span>', str(m)))


def _lines(text: str | None, lang: str = "zh") -> Markup:
    """Escape ``text``; "\\n" becomes a line break and, in Chinese or bilingual blocks, a line
    without Han characters is marked English (so it gets the English font stack and spacing)."""
    if not text:
        return Markup("")
    parts = str(text).split("\n")
    if len(parts) == 1:
        return _keep_units(escape(parts[0]))
    out = []
    for p in parts:
        if lang != "en" and not HAN.search(p) and re.search(r"[A-Za-z]", p):
            out.append(Markup('<span class="en" lang="en">{}</span>').format(p))
        else:
            out.append(_keep_units(escape(p)))
    return Markup("<br>").join(out)


def _t(content: Any) -> Markup:
    """Wrap a run of text in ``span.t`` (see the line-pitch note in the stylesheet)."""
    return Markup('<span class="t">{}</span>').format(content)


def _loader() -> jinja2.BaseLoader:
    """The package's templates, read with importlib.resources (Jinja2's PackageLoader)."""
    import jinja2   # here, not at import: the Typst writer uses this module's views without Jinja
    return jinja2.PackageLoader(TEMPLATES_PACKAGE, "templates")


def make_env(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    import jinja2
    env = jinja2.Environment(
        loader=loader or _loader(),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.filters["lines"] = _lines
    env.filters["t"] = _t
    return env


def _release_engine() -> None:
    """Drop the engine while the interpreter is still whole: WeasyPrint's FontConfiguration
    cleans up in ``__del__`` and fails noisily if it runs during interpreter teardown."""
    global _engine
    _engine = None
    import gc
    gc.collect()


def engine() -> Engine:
    """The process-wide WeasyPrint set-up (thread-safe, created on first use)."""
    global _engine
    if _engine is not None and _engine.pid != os.getpid():
        # Inherited through fork (build --jobs): Pango/fontconfig state is not safe to share,
        # and the parent's FontConfiguration would delete its font folder when collected here.
        _engine.font_config._folder = None
        _engine = None
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from weasyprint import CSS
                from weasyprint.text.fonts import FontConfiguration

                env = make_env()
                import jinja2
                css_env = jinja2.Environment(loader=_loader(),
                                             undefined=jinja2.StrictUndefined, autoescape=False)
                css_text = css_env.get_template(STYLESHEET_TEMPLATE).render(L=L, d=_derived())
                font_config = FontConfiguration()
                stylesheet = CSS(string=css_text, font_config=font_config)
                _engine = Engine(env, font_config, stylesheet, css_text, os.getpid())
                atexit.register(_release_engine)
    return _engine


def _meta(rdoc: RenderDoc) -> dict[str, Any]:
    authors = [a for a in (rdoc.author,) if a]
    return {
        "lang": language_tag(rdoc.lang),
        "title": rdoc.title,
        "authors": authors,
        "subject": rdoc.subject,
        "keywords": [k.replace(",", " ") for k in rdoc.keywords if k],
        "generator": GENERATOR,
        "created": rdoc.date.isoformat() if rdoc.date else None,
    }


def html_for(rdoc: RenderDoc) -> str:
    """The HTML WeasyPrint lays out for one document (styled by :func:`engine`'s stylesheet)."""
    return engine().env.get_template(DOCUMENT_TEMPLATE).render(views=block_views(rdoc), meta=_meta(rdoc))


# --- PDF ------------------------------------------------------------------------------------
def render_html_to_pdf(html: str, out: Path | str | Any, *, attachments: Iterable[Any] | None = None,
                       pdf_variant: str | None = PDF_VARIANT, stylesheets: Iterable[Any] = (),
                       base_url: str | None = None, relayout: Any = None) -> int:
    """Lay out ``html`` with the GB/T 9704 stylesheet (plus ``stylesheets``) and write a PDF to
    ``out`` (path or binary file). Returns the number of pages.

    ``attachments``: ``weasyprint.Attachment`` objects (use :func:`source_attachment`).
    ``relayout(document)``: CSS texts to lay the document out again with (none: keep it).
    """
    check_pdf_environment()
    from weasyprint import CSS, HTML

    e = engine()
    options: dict[str, Any] = {"stylesheets": [e.stylesheet, *stylesheets], "pdf_variant": pdf_variant,
               "attachments": list(attachments or [])}
    html_doc = HTML(string=html, base_url=base_url or _base_url())
    doc = html_doc.render(font_config=e.font_config, **options)
    extra = relayout(doc) if relayout is not None else []
    if extra:
        options["stylesheets"] = options["stylesheets"] + [CSS(string=x, font_config=e.font_config) for x in extra]
        doc = html_doc.render(font_config=e.font_config, **options)
    doc.write_pdf(out, finisher=_dedupe_associated_files, **options)
    return len(doc.pages)


def _base_url() -> str | None:
    """Relative URLs in the HTML resolve against the templates folder (when it is one on disk)."""
    return TEMPLATES.as_uri() + "/" if isinstance(TEMPLATES, Path) else None


def _dedupe_associated_files(document: Any, pdf: Any) -> None:
    """WeasyPrint 70 lists each PDF/A-3 associated file twice in the catalog's /AF array."""
    af = pdf.catalog.get("AF")
    if af:
        seen: list[Any] = []
        for ref in af:
            if ref not in seen:
                seen.append(ref)
        af[:] = seen


def source_attachment(data: bytes, name: str, when: dt.date | dt.datetime | None = None) -> Any:
    """The source data file as a PDF/A-3 associated file (relationship Source).

    Its dates are fixed to ``when`` (the document date), so the same input gives the same bytes.
    """
    from weasyprint import Attachment

    if isinstance(when, dt.datetime):
        stamp = when
    elif isinstance(when, dt.date):
        stamp = dt.datetime(when.year, when.month, when.day, tzinfo=dt.timezone.utc)
    else:
        stamp = None
    return Attachment(string=data, name=name, relationship="Source",
                      description="Source data of this document", created=stamp, modified=stamp)


# GB/T 9704 7.3.5: never a signature page without body text, nor with one line of it: when the
# first layout strands the 附件说明/signature, the second carries the body's last two lines
# (paginate.CARRIED_LINES) with it, the blank lines above it kept.
CARRY_CSS = """
.before-sig { widows: 2; }
"""
# 7.4.1: the 版记 on an even page. Where the first layout put it on an odd page, it starts the next
# even (left) page; a blank page forced in between and the 版记's page after it are not numbered (7.5).
IMPRINT_EVEN_CSS = """
.imprint-anchor { break-before: left; }
"""
# 7.3.3: page 1 shows body text. Where a long title and its recipients fill it, they are set closer.
PAGE_ONE_CSS = """
.title, .recipients {{ line-height: {line}pt; }}
.recipients, .title + .para, .title + .heading {{ margin-top: {gap}pt; }}
.recipients + .recipients {{ margin-top: 0; }}
"""
IMPRINT_UNNUMBERED_CSS = """
.imprint-anchor { page: imprint-alone; }
"""


def _page_of(doc: Any, cls: str, last: bool = False) -> int | None:
    """The first (``last``: the last) 1-based page whose boxes hold an element of class ``cls``."""
    pages = list(enumerate(doc.pages, 1))
    for n, page in (reversed(pages) if last else pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            el = getattr(box, "element", None)
            if el is not None and cls in (el.get("class") or "").split():
                return n
            stack.extend(getattr(box, "children", []) or [])
    return None


def _text_end(doc: Any) -> int:
    """The last page holding text other than the 版记."""
    last = 1
    for n, page in enumerate(doc.pages, 1):
        if _top_blocks(page):
            last = n
    return last


def _top_blocks(page: Any) -> list[Any]:
    """The body's block boxes laid out on one page."""
    stack = [page._page_box]
    while stack:
        box = stack.pop(0)
        if getattr(box, "element_tag", None) == "body":
            return list(getattr(box, "children", []) or [])
        stack.extend(getattr(box, "children", []) or [])
    return []


def _line_count(box: Any) -> int:
    from weasyprint.formatting_structure.boxes import LineBox
    if isinstance(box, LineBox):
        return 1
    return sum(_line_count(c) for c in getattr(box, "children", []) or [])


def stranded_before_signature(doc: Any) -> bool:
    """Whether the page that holds the signature starts with a single line of the body (the
    end of a paragraph carried over) and nothing else before the 附件说明/signature."""
    for i, page in enumerate(doc.pages):
        blocks = _top_blocks(page)
        classes = [(b, (b.element.get("class") or "") if getattr(b, "element", None) is not None else "")
                   for b in blocks]
        k = next((j for j, (_b, c) in enumerate(classes) if "signature" in c.split()
                  or "att-list" in c.split()), None)
        if k is None:
            continue
        if i == 0:
            return False
        before = [b for b, _c in classes[:k]]
        return sum(_line_count(b) for b in before) <= 1 and all(
            {"para", "heading"} & set(c.split()) for _b, c in classes[:k])
    return False


def write_pdf(rdoc: RenderDoc, out: Path, source_bytes: bytes | None = None, source_name: str | None = None) -> int:
    """Write ``rdoc`` as a PDF/A-3b file with ``source_bytes`` embedded as ``source_name``.

    Returns the number of pages. Raises EnvironmentProblem when libharfbuzz-subset or a font
    file is missing.
    """
    check_pdf_environment()
    attachments = []
    if source_bytes is not None:
        attachments.append(source_attachment(source_bytes, source_name or "source.yaml", rdoc.date))
    pg = pagination_of(rdoc)

    def relayout(doc: Any) -> list[str]:
        carry = stranded_before_signature(doc)
        extra = [CARRY_CSS] if carry else []
        imp = _page_of(doc, "imprint", last=True)    # a footnote that did not fit moves on
        new_page = blank = False
        if imp is not None and imp % 2:
            new_page = True
            blank = _text_end(doc) % 2 == 0 and _text_end(doc) < imp
            extra += [IMPRINT_EVEN_CSS] + ([IMPRINT_UNNUMBERED_CSS] if blank else [])
        page_one = None
        first = _page_of(doc, "para")
        if first is not None and first > 1 and _page_of(doc, "title") == 1:
            page_one = L.PAGE_ONE_MIN_FACTOR
            extra.append(PAGE_ONE_CSS.format(line=round(L.LINE_PITCH_PT * page_one, 3),
                                             gap=round(L.RECIPIENTS_GAP_LINES * L.LINE_PITCH_PT * page_one, 3)))
        pg.record("weasyprint", carry_lines=CARRIED_LINES if carry else 0, signature_gaps=True,
                  imprint_new_page=new_page, imprint_blank_before=blank, page_one_factor=page_one)
        return extra

    return render_html_to_pdf(html_for(rdoc), out, attachments=attachments, relayout=relayout)


__all__ = ["Engine", "engine", "html_for", "make_env", "render_html_to_pdf", "source_attachment", "write_pdf"]
