"""Typst PDF writer: RenderDoc → JSON data + the GB/T 9704 Typst template → PDF/A-3b.

The default PDF engine (``--pdf-engine typst``), beside the WeasyPrint writer
(:mod:`workplan.render.weasyprint.writer`). Both draw the same IR blocks with the same layout
numbers: the Typst source is

    preamble   generated here from workplan/layout.py (page, grid, gaps, rules, font stacks)
    template   templates/gbt9704.typ in this package: one function per IR block kind

and the document arrives as data (``sys.inputs.doc``, the JSON of the blocks), so no text of a
document is ever written into markup and nothing needs escaping. The block views (bookmark
labels, issuer-mark size, centred columns, 版记 groups) and the derived layout values (tracking
for the 28-character line, gaps in lines) come from :mod:`workplan.render.pagemodel`, which the
WeasyPrint writer uses too, so the two engines cannot drift apart.

The font book (FandolFang/Kai/Hei/Song, Noto Serif CJK SC Bold, Liberation Serif, and nothing
from the system) is loaded once per process and shared by the compiler of each layout; Typst
memoises what did not change between documents (the template, the fonts' glyphs). A document is
laid out once and its block marks are read (a query); only where a page would end early is it
laid out again (:func:`render_pdf_bytes`), and the PDF is exported from the last layout.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ... import layout as L
from ...errors import EnvironmentProblem, Problem, WorkplanError
from ..ir import Paragraph, RenderDoc, Table
from ..paginate import CARRIED_LINES, pagination_of, row_height_pt, signature_columns
from ..pagemodel import HAN, block_views, page_metrics

log = logging.getLogger("workplan.typst")

TEMPLATE = "gbt9704.typ"
PDF_STANDARDS = ["a-3b"]
MAX_SQUEEZED_PAGES = 4      # pages of one document whose lines may be set closer (layout.MIN_LINE_PITCH_FACTOR);
                            # with at most 3 layouts each, a document is laid out at most 15 times
# Where the baseline sits in a line box: CSS puts half the leading above the face's ascent;
# with 0.84 em the first baseline of a page falls where WeasyPrint puts it with FandolFang
# (within 0.05 pt). Only positions depend on it; the pitch is layout.LINE_PITCH_PT whatever the faces.
ASCENT_EM = 0.84
SOURCE_DESCRIPTION = "Source data of this document"
MIME = {".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json"}


# --- the preamble: layout.py as Typst values ----------------------------------------------------
@dataclass(frozen=True)
class _Len:
    value: float
    unit: str = "pt"


def _lit(v: Any) -> str:
    """A Typst literal for a Python value (lengths as _Len)."""
    if isinstance(v, _Len):
        return f"{round(v.value, 4)}{v.unit}"
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(round(v, 4) if isinstance(v, float) else v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, dict):
        return "(" + ", ".join(f'"{k}": {_lit(x)}' for k, x in v.items()) + ("" if v else ":") + ")"
    if isinstance(v, (list, tuple)):
        return "(" + "".join(_lit(x) + ", " for x in v) + ")"
    raise TypeError(f"no Typst literal for {type(v).__name__}")


def _font_dirs() -> list[str]:
    """The folders of the layout's font files (Typst takes folders, and only these)."""
    return sorted({str(Path(path).parent) for path, _pkg in L.FONT_FILES.values()})


def _family_names(fonts: Any) -> dict[str, tuple[str, int]]:
    """layout.FONT_FILES key → (Typst family name, weight) of that file's face. Typst names
    faces by their own tables ("FandolFang R"); in a TTC collection take the SC face."""
    by_path: dict[str, list[Any]] = {}
    for info in fonts.fonts():
        by_path.setdefault(str(info.path), []).append(info)
    out = {}
    for fam, (path, _pkg) in L.FONT_FILES.items():
        faces = by_path.get(path, [])
        sc = [f for f in faces if f.family.endswith(" SC")]
        face = (sc or faces or [None])[0]
        if face is not None:
            out[fam] = (face.family, int(face.weight))
    return out


def _roles(names: dict[str, tuple[str, int]], tracking_pt: float) -> dict[str, dict[str, dict[str, Any]]]:
    """Font stack, size, weight, style and tracking of every layout role, in Chinese and English
    (the rules of the WeasyPrint stylesheet: 黑体 roles keep their own Latin glyphs in Chinese;
    English text is Liberation Serif, bold and italic as layout.english_emphasis says)."""
    latin = names["WP Latin"][0]
    grid_roles = {"body", "h1", "h2", "h3", "h4"}     # the roles set on the 28-character grid
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for role, fr in L.FONTS.items():
        cjk, weight = names[fr.pdf_family]
        sans = "Hei" in cjk or "Sans" in cjk
        # 黑体 keeps its own Latin glyphs, and so do the page numbers (半角宋体 digits, 7.5)
        zh_font = [cjk] if sans or role == "page_number" else [{"name": latin, "covers": "latin-in-cjk"}, cjk]
        en_bold, en_italic = L.english_emphasis(role)
        out[role] = {
            "zh": {"font": zh_font, "size": _Len(fr.size_pt), "weight": weight, "style": "normal",
                   "tracking": _Len(tracking_pt if role in grid_roles else 0.0)},
            "en": {"font": [latin, cjk], "size": _Len(fr.size_pt), "weight": 700 if en_bold else weight,
                   "style": "italic" if en_italic else "normal", "tracking": _Len(0.0)},
        }
    return out


def _edges(line_pt: float, size_pt: float) -> tuple[float, float]:
    """(top, bottom) text edges that make every line box ``line_pt`` high with the baseline
    where CSS puts it for a ``size_pt`` face: lines mixing faces keep the pitch."""
    top = (line_pt - size_pt) / 2 + ASCENT_EM * size_pt
    return top, line_pt - top


def _grid_tracking() -> float:
    """Tracking (pt, negative) that puts layout.CHARS_PER_LINE body characters on a line of the
    type area. Typst adds tracking between characters, not after the last one (CSS letter-spacing
    follows every character), so n characters take n × size + (n - 1) × tracking; rounded away
    from zero on the hundredth of a point so that they always fit."""
    n, size = L.CHARS_PER_LINE, L.FONTS["body"].size_pt
    width = L.TEXT_WIDTH_MM / L.MM_PER_PT
    return -math.ceil((n * size - width) / (n - 1) * 100) / 100


def layout_values(names: dict[str, tuple[str, int]]) -> dict[str, Any]:
    """Every number the template uses, from workplan/layout.py (through the WeasyPrint writer's
    derivations, so both engines compute tracking, indents and gaps the same way)."""
    d = page_metrics()
    pitch = L.LINE_PITCH_PT
    top, bottom = _edges(pitch, L.FONTS["body"].size_pt)
    cell_size = L.FONTS["table"].size_pt
    cell_top, cell_bottom = _edges(L.TABLE_CELL_LINE_HEIGHT * cell_size, cell_size)
    imp_top, imp_bottom = _edges(d["imprint_line_pt"], L.FONTS["imprint"].size_pt)
    mm = lambda x: _Len(x, "mm")  # noqa: E731
    return {
        "page-width": mm(L.PAGE_WIDTH_MM), "page-height": mm(L.PAGE_HEIGHT_MM),
        "margin-top": mm(L.MARGIN_TOP_MM), "margin-bottom": mm(L.MARGIN_BOTTOM_MM),
        "margin-left": mm(L.MARGIN_LEFT_MM), "margin-right": mm(L.MARGIN_RIGHT_MM),
        "pitch": _Len(pitch), "char": _Len(d["char_pt"]), "indent": _Len(d["indent_pt"]),
        "ascent": ASCENT_EM, "top-edge": _Len(top), "bottom-edge": _Len(bottom),
        "red": L.RED, "red-rule": mm(L.RED_RULE_MM), "red-rule-gap": mm(L.RED_RULE_GAP_MM),
        "issuer-mark-top": mm(d["issuer_mark_top_mm"]),
        "joint-mark-gap": L.JOINT_MARK_GAP_EM, "joint-line-height": L.JOINT_MARK_LINE_HEIGHT, "doc-number-gap": _Len(d["doc_number_gap_pt"]),
        "attachment-title-gap": _Len(d["attachment_title_gap_pt"]),
        "signature-right": _Len(d["signature_right_pt"]),
        "page-number-drop": mm(L.PAGE_NUMBER_DROP_MM), "page-number-inset": _Len(d["page_number_inset_pt"]),
        "table-rule": mm(L.TABLE_RULE_MM), "cell-pad-v": mm(L.TABLE_CELL_PADDING_MM[0]),
        "cell-pad-h": mm(L.TABLE_CELL_PADDING_MM[1]),
        "cell-top-edge": _Len(cell_top), "cell-bottom-edge": _Len(cell_bottom),
        "imprint-inset": _Len(d["imprint_inset_pt"]), "imprint-thick": mm(L.IMPRINT_RULE_THICK_MM),
        "imprint-thin": mm(L.IMPRINT_RULE_THIN_MM),
        "imprint-top-edge": _Len(imp_top), "imprint-bottom-edge": _Len(imp_bottom),
        "roles": _roles(names, _grid_tracking()),
        "en-tracking-limits": {"min": _Len(L.ENGLISH_JUSTIFY_TRACKING_EM[0], "em"),
                               "max": _Len(L.ENGLISH_JUSTIFY_TRACKING_EM[1], "em")},
    }


def preamble(names: dict[str, tuple[str, int]]) -> str:
    return "// generated by workplan/render/typst/writer.py from workplan/layout.py\n#let L = " \
        + _lit(layout_values(names)) + "\n"


# --- the engine: compiler and fonts, built once per process ------------------------------------
@dataclass
class Engine:
    source: bytes            # preamble + template
    fonts: Any               # typst.Fonts
    pid: int


_engine: Engine | None = None
_engine_lock = threading.Lock()


@lru_cache(maxsize=1)
def check_environment() -> None:
    """Fail with a clear message if a font file is missing (Typst needs no system library)."""
    problems = [Problem(f"font file for {family} not found: {path}",
                        hint=f"run scripts/install-system-deps.sh, or apt-get install {pkg}")
                for family, path, pkg in L.missing_font_files()]
    if problems:
        raise EnvironmentProblem(problems)


def engine() -> Engine:
    """The process-wide Typst source and font book (created on first use, rebuilt after fork);
    each layout gets a compiler of its own (:func:`_compiler`), so threads may render at once."""
    global _engine
    if _engine is not None and _engine.pid == os.getpid():
        return _engine
    with _engine_lock:
        if _engine is None or _engine.pid != os.getpid():
            check_environment()
            import typst
            fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=_font_dirs())
            names = _family_names(fonts)
            missing = [f for f in L.FONT_FILES if f not in names]
            if missing:
                raise EnvironmentProblem(Problem(
                    "Typst cannot read the font files of " + ", ".join(missing),
                    hint="reinstall them: run scripts/install-system-deps.sh"))
            template = resources.files(__package__).joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
            source = (preamble(names) + template).encode("utf-8")
            _engine = Engine(source, fonts, os.getpid())
    return _engine


def typst_source() -> str:
    """The whole Typst source (generated preamble + template), for reading or debugging with
    the typst command line: ``typst compile --input doc="$(cat doc.json)" main.typ``."""
    return engine().source.decode("utf-8")


# --- IR → data ----------------------------------------------------------------------------------
def _runs(text: str | None, lang: str) -> list[list[Any]]:
    """``text`` as lines, each [line, is_english]: in Chinese or bilingual blocks a line with
    Latin letters and no Han character is English (its own face and spacing)."""
    if not text:
        return []
    return [[p, lang != "en" and not HAN.search(p) and bool(re.search(r"[A-Za-z]", p))]
            for p in str(text).split("\n")]


def _gap_before(prev: Any, b: Any, d: dict[str, Any]) -> float:
    """The space above ``b`` (pt) after ``prev``: the vertical margins of the stylesheet."""
    kind, pkind = type(b).__name__, type(prev).__name__
    if kind == "Title":
        return d["title_gap_pt"] if pkind == "Letterhead" else 0.0
    if kind == "Recipients":
        return 0.0 if pkind == "Recipients" else d["recipients_gap_pt"]
    if kind in ("Paragraph", "Heading"):
        return d["recipients_gap_pt"] if pkind == "Title" else 0.0
    if kind == "Table":
        caption = isinstance(prev, Paragraph) and prev.align == "center"
        return 0.0 if caption or pkind == "AttachmentStart" else d["line_pt"]
    if kind == "AttachmentList":
        return 0.0 if pkind == "AttachmentList" else d["attachment_list_gap_pt"]
    if kind == "Signature":
        return d["signature_gap_pt"]
    return 0.0


def _block(kind: str, b: Any, x: dict[str, Any], files: "_Files") -> dict[str, Any]:
    lang = b.lang
    out: dict[str, Any] = {"kind": kind, "lang": lang}
    if "bm_label" in x:
        label = x["bm_label"]
        out["bm"] = None if label is None else " / ".join(s.strip() for s in label.split("\n") if s.strip())
    if kind == "Letterhead":
        out.update(issuer_mark=b.issuer_mark, doc_number=b.doc_number, signatory=b.signatory,
                   signatory_label=b.signatory_label, mark_size=x["mark_size_pt"],
                   issuer_names=list(b.issuer_names), mark_word=b.mark_word)
    elif kind == "Title":
        out.update(text=_runs(b.text, lang), subtitle=_runs(b.subtitle, lang) if b.subtitle else None)
    elif kind == "Recipients":
        out.update(text=b.text)
    elif kind == "Paragraph":
        out.update(text=_runs(b.text, lang), indent=b.indent, align=b.align)
    elif kind == "Heading":
        out.update(level=b.level, label=b.label, body=b.body, joiner=b.joiner, role=x["role"],
                   keep=b.keep_with_next and not b.body)
    elif kind == "Table":
        out.update(header=[_runs(h, lang) for h in b.header], rows=[[_runs(c, lang) for c in r] for r in b.rows],
                   widths=list(b.widths_mm), centred=sorted(x["centred"]), repeat_header=b.repeat_header)
    elif kind == "AttachmentList":
        out.update(label=x["label"], items=[_runs(i, lang) for i in b.items], numbered=x["numbered"],
                   num_space=x["num_space"])
    elif kind == "Signature":
        out.update(names=[_runs(n, lang) for n in b.names], date=_runs(b.date, lang),
                   columns=signature_columns(b.names))
    elif kind == "Note":
        out.update(text=x["text"])
    elif kind == "AttachmentStart":
        out.update(label=_runs(b.label, lang), title=_runs(b.title, lang))
    elif kind == "Imprint":
        out.update(groups=[[{k: v for k, v in row.items() if k != "lang_attr"} for row in g] for g in x["groups"]])
    elif kind == "Figure":
        svg, file, fmt = None, None, None
        if b.svg:
            svg, fmt = b.svg.decode("utf-8"), "svg"
        elif b.png:
            file, fmt = files.add(b.png, "png"), "png"
        out.update(svg=svg, file=file, format=fmt, width_mm=b.width_mm, caption=_runs(b.caption, lang),
                   caption_text=b.caption.replace("\n", " "))
    return out


class _Files:
    """Binary data the template reads as files (photos, a source that is not UTF-8): written
    into a private folder that is the Typst root of this one compilation. Text travels in the
    JSON (an array of numbers per byte would cost seconds for a photo)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def add(self, data: bytes, ext: str) -> str:
        name = f"/file-{len(self.data) + 1}.{ext}"
        self.data[name] = data
        return name


def document_data(rdoc: RenderDoc, source_bytes: bytes | None = None, source_name: str | None = None,
                  files: _Files | None = None, squeeze: dict[int, float] | None = None,
                  carry: dict[int, int] | None = None, whole: set[int] | frozenset[int] = frozenset(),
                  unnumbered_from: int | None = None) -> dict[str, Any]:
    """What the template draws: metadata, the source file to attach, the blocks and the page
    decisions (``rdoc.pagination``: the signature's blank lines, the 版记's page, the table row
    policy). Binary data goes to ``files`` (see :class:`_Files`). ``carry`` (block index → lines)
    and ``whole`` (block indexes) are the body text that goes with the signature to its page,
    ``squeeze`` the pages set closer, ``unnumbered_from`` the first page without a number (a
    blank page before the 版记), all measured by :func:`render_pdf_bytes`."""
    files = files if files is not None else _Files()
    pg = pagination_of(rdoc)
    d = page_metrics()
    blocks: list[dict[str, Any]] = []
    prev = None
    index = {id(b): i for i, b in enumerate(rdoc.blocks)}
    for kind, b, x in block_views(rdoc):
        data = _block(kind, b, x, files)
        if isinstance(b, Table):
            data["splits"] = list(pg.row_splits.get(index[id(b)], []))
            # what must fit where the table starts: its header and its first row (whole)
            data["lead_pt"] = (row_height_pt(b.header, b.widths_mm) if b.header else 0.0) \
                + (row_height_pt(b.rows[0], b.widths_mm) if b.rows else 0.0)
        data["before"] = _gap_before(prev, b, d)
        data["sticky"] = False
        if blocks and kind in _KEPT and blocks[-1]["kind"] in _KEPT:
            blocks[-1]["sticky"] = True      # the 附件说明 stays with the signature
        data["i"] = len(blocks)
        blocks.append(data)
        prev = b
    for i in whole:
        blocks[i]["sticky"] = True
    for i, n in (carry or {}).items():
        blocks[i]["sticky"] = True
        blocks[i]["carry"] = n
    for data in blocks:     # kept with the next block: decided once, for the template and _squeeze_for
        kind = data["kind"]
        data["sticks"] = (kind == "Title" or (kind == "Heading" and data["keep"])
                          or (kind == "Paragraph" and data["align"] == "center") or data["sticky"])
    source = None
    if source_bytes is not None:
        name = source_name or "source.yaml"
        try:
            text, file = source_bytes.decode("utf-8"), None   # bytes(str) in Typst gives the same bytes back
        except UnicodeDecodeError:
            text, file = None, files.add(source_bytes, "bin")
        source = {"name": name, "text": text, "file": file, "description": SOURCE_DESCRIPTION,
                  "mime": MIME.get(Path(name).suffix.lower(), "application/octet-stream")}
    title_lang = "en" if rdoc.lang == "en" else "zh"
    return {
        "lang": title_lang,
        "gaps": pg.signature_gaps,
        "imprint_new_page": pg.imprint_new_page,
        "unnumbered_from": unnumbered_from,
        "squeeze": {str(i): f for i, f in (squeeze or {}).items()},
        "meta": {"title": rdoc.title, "authors": [a for a in (rdoc.author,) if a],
                 "keywords": [k for k in rdoc.keywords if k],
                 "date": [rdoc.date.year, rdoc.date.month, rdoc.date.day] if rdoc.date else None},
        "source": source,
        "blocks": blocks,
    }


# --- PDF ------------------------------------------------------------------------------------------
_KEPT = ("Signature", "AttachmentList")
_PAGE = re.compile(rb"/Type\s*/Page\b")


# Block kinds whose lines are set on the text pitch (a squeezed page sets them closer); tables,
# figures, the letterhead and the 版记 keep their own heights.
_SCALABLE = frozenset({"Title", "Recipients", "Paragraph", "Heading", "AttachmentList", "Signature", "Note"})
# Blocks that start a page by rule, or may leave one short (a figure that does not fit): a page
# before them is never squeezed.
_PAGE_STARTS = frozenset({"AttachmentStart", "PageBreak", "Imprint", "Figure", "Letterhead"})


@dataclass
class _Marks:
    """Where each block starts and ends: block index → (page, y in pt), from the template's <wp-m>."""
    starts: dict[int, tuple[int, float]]
    ends: dict[int, tuple[int, float]]
    # where a floating block (the 版记) landed; None given is made {} by __post_init__
    floats: dict[int, tuple[int, float]] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.floats = self.floats if self.floats is not None else {}

    @property
    def pages(self) -> int:
        return max((p for p, _y in (*self.ends.values(), *self.floats.values())), default=0)


def _compiler(e: Engine, data: str, root: str) -> Any:
    """A compiler of one layout of one document: the query of its block marks and the PDF
    compiled from it share its memoised layout (a query through another compiler, or
    typst.query, lays the document out again: about twice the time)."""
    import typst
    return typst.Compiler(input=e.source, root=root, font_paths=e.fonts, ignore_system_fonts=True,
                          sys_inputs={"doc": data})


def _marks(compiler: Any) -> _Marks:
    """Lay the document out and read its block marks."""
    found = json.loads(compiler.query("<wp-m>", field="value", format="json") or "[]")
    m = _Marks({}, {})
    for i, k, page, y in found:
        {"s": m.starts, "e": m.ends, "f": m.floats}[k][i] = (page, float(y))
    return m


def _type_area() -> tuple[float, float, float]:
    """Top and bottom of the type area and the line pitch, in pt."""
    return (L.MARGIN_TOP_MM / L.MM_PER_PT, (L.PAGE_HEIGHT_MM - L.MARGIN_BOTTOM_MM) / L.MM_PER_PT,
            L.LINE_PITCH_PT)


def _first_kept(doc: dict[str, Any]) -> int | None:
    return next((i for i, b in enumerate(doc["blocks"]) if b["kind"] in _KEPT), None)


def _stranded(doc: dict[str, Any], m: _Marks) -> bool:
    """Whether the 附件说明 or signature (whichever comes first) has fewer than two lines of text
    above it on its page (not the first): a page with the signature and no text, or with one
    line stranded before it (GB/T 9704 7.3.5, 7.3.5.1; the WeasyPrint writer's
    stranded_before_signature)."""
    i = _first_kept(doc)
    if i is None or i not in m.starts:
        return False
    top, _bottom, line = _type_area()
    page, y = m.starts[i]
    return page > 1 and y <= top + (CARRIED_LINES - 1) * line + 1.0


def _carried(doc: dict[str, Any], m: _Marks) -> tuple[dict[int, int], set[int]]:
    """The body text that goes with the signature to its page: CARRIED_LINES lines, from the
    paragraph before it (split there) or, when that one is shorter, whole blocks before it."""
    i = _first_kept(doc)
    blocks, line = doc["blocks"], _type_area()[2]
    whole: set[int] = set()
    need, j = CARRIED_LINES, (i or 0) - 1
    while j >= 0 and need > 0:
        b = blocks[j]
        if b["kind"] not in ("Paragraph", "Heading", "Recipients", "Note") or j not in m.starts or j not in m.ends:
            break
        (ps, ys), (pe, ye) = m.starts[j], m.ends[j]
        lines = round((ye - ys) / line) if ps == pe else need + 1
        splittable = (b["kind"] == "Paragraph" and len(b["text"]) == 1 and b["align"] == "justify") \
            or (b["kind"] == "Heading" and b["body"] is not None)
        if splittable and lines > need:
            return {j: need}, whole
        whole.add(j)
        need -= max(lines, 1)
        j -= 1
    return {}, whole


def _squeeze_for(doc: dict[str, Any], m: _Marks, skip: set[int]) -> tuple[int, int, int, float] | None:
    """The first page that ends more than layout.PAGE_END_MAX_BLANK_LINES above the bottom
    because what follows moved whole to the next page, and the line-height factor that brings
    it back: (first block of the page, block that moved, last block kept with it, factor).
    None when no page ends early, or when the factor would be below layout.MIN_LINE_PITCH_FACTOR."""
    top, bottom, line = _type_area()
    blocks = doc["blocks"]
    for k in range(1, len(blocks)):
        if k in skip or k not in m.starts or k - 1 not in m.ends:
            continue
        if blocks[k]["kind"] in _PAGE_STARTS or blocks[k - 1]["kind"] in _PAGE_STARTS:
            continue
        (pk, _yk), (pe, ye) = m.starts[k], m.ends[k - 1]
        if pk != pe + 1 or bottom - ye <= L.PAGE_END_MAX_BLANK_LINES * line:
            continue
        j = k - 1                            # the blocks wholly on the page that ends early
        while j > 0 and m.starts.get(j - 1, (0, 0))[0] == pe and m.ends.get(j - 1, (0, 0))[0] == pe:
            j -= 1
        if m.starts.get(j, (0, 0))[0] != pe or any(blocks[i]["kind"] in ("PageBreak", "Imprint") for i in range(j, k)):
            continue
        c = k                                # what moved with block k: the blocks kept with it
        while c < len(blocks) - 1 and blocks[c]["sticks"] and c + 1 in m.starts:
            c += 1
        fixed = sum(m.ends[i][1] - m.starts[i][1] for i in range(j, k) if blocks[i]["kind"] not in _SCALABLE)
        scalable = ye - m.starts[j][1] - fixed     # its lines and the blank lines between blocks
        for i in range(k, c + 1):
            b, (ps, ys) = blocks[i], m.starts[i]
            pe_i, ye_i = m.ends.get(i, (0, 0.0))
            if pe_i == ps and (i < c or b["kind"] not in ("Table", "Paragraph", "Heading")):
                need = ye_i - ys                   # moved whole: all of it
            elif b["kind"] == "Table":             # may break: its header and first row (rows stay whole)
                need = b.get("lead_pt", 2 * line)
            else:                                  # may break: its first line
                need = line
            if b["kind"] in _SCALABLE:
                scalable += need
            else:
                fixed += need
            if i > k or b["kind"] not in ("Signature", "AttachmentList"):
                scalable += b["before"]            # the space above it (a kept block's is inside it)
        if scalable <= 0:
            continue
        f = min((bottom - m.starts[j][1] - fixed) / scalable - 0.002, 0.995)
        if f < L.MIN_LINE_PITCH_FACTOR:
            skip.add(k)
            continue
        return j, k, c, f
    return None


def _page_one_squeeze(doc: dict[str, Any], m: _Marks) -> tuple[int, int, float] | None:
    """GB/T 9704 7.3.3: page 1 shows body text. When the first body block starts on page 2 (a
    long bilingual title, several recipients), the lines from the title down are set closer so
    that its first line fits on page 1: (title block, first body block, factor), or None."""
    blocks = doc["blocks"]
    j = next((i for i, b in enumerate(blocks) if b["kind"] == "Title"), None)
    k = next((i for i, b in enumerate(blocks) if b["kind"] in ("Paragraph", "Heading") and i > (j or 0)), None)
    if j is None or k is None or k not in m.starts or j not in m.starts or m.starts[k][0] == 1:
        return None
    if any(blocks[i]["kind"] not in _SCALABLE for i in range(j, k)) or m.starts[j][0] != 1:
        return None
    top, bottom, line = _type_area()
    ys = m.starts[j][1]
    def height(i: int) -> float:          # a block that runs over to page 2 counts both parts
        (ps, ys_), (pe, ye) = m.starts[i], m.ends.get(i, m.starts[i])
        return ye - ys_ if ps == pe else (bottom - ys_) + (ye - top)
    need = sum(height(i) for i in range(j, k)) + sum(blocks[i]["before"] for i in range(j + 1, k + 1)) + line
    f = (bottom - ys) / need - 0.002
    return (j, k, f) if f >= L.PAGE_ONE_MIN_FACTOR else None


def _pt(length: Any) -> float:
    """A Typst length as JSON ("56.69pt" or a number) in points."""
    return float(str(length).removesuffix("pt"))


def render_pdf_bytes(rdoc: RenderDoc, source_bytes: bytes | None = None, source_name: str | None = None) -> bytes:
    """The PDF/A-3b bytes of ``rdoc`` (same input, same bytes: the creation date is the
    document date).

    The document is laid out and its block marks read; it is laid out again only where a page
    goes wrong, and the PDF is exported from the last layout. What it decides is recorded in
    ``rdoc.pagination`` (:class:`workplan.render.paginate.Pagination`), which the DOCX follows:

    - when a page would end more than layout.PAGE_END_MAX_BLANK_LINES early because what follows
      moved whole (the signature with its 附件说明, a caption with its table, a heading with its
      line), with that page's lines set closer, down to layout.MIN_LINE_PITCH_FACTOR of the
      pitch (7.3.5.1: 调整行距), for at most MAX_SQUEEZED_PAGES pages;
    - GB/T 9704 7.3.5: when the 附件说明/signature still starts a page or follows a single line,
      the body's last lines (paginate.CARRIED_LINES) go with it, the blank lines above it kept;
    - 7.4.1: the 版记 on the last page, an even one: when it lands on an odd page it starts an
      even page of its own (a blank page between when the text ends on an even page), and the
      blank page and the 版记's are not numbered (7.5)."""
    import typst
    e = engine()
    pg = pagination_of(rdoc)
    when = dt.datetime(rdoc.date.year, rdoc.date.month, rdoc.date.day, tzinfo=dt.timezone.utc) if rdoc.date \
        else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    try:
        with tempfile.TemporaryDirectory(prefix="workplan-typst-") as root:
            written: set[str] = set()
            state: dict[str, Any] = {"carry": {}, "whole": set(), "unnumbered_from": None}

            def layout(squeeze: dict[int, float]) -> tuple[dict[str, Any], str, Any, _Marks]:
                files = _Files()
                doc = document_data(rdoc, source_bytes, source_name, files, squeeze=squeeze, **state)
                for name, blob in files.data.items():
                    if name not in written:
                        Path(root, name.lstrip("/")).write_bytes(blob)
                        written.add(name)
                data = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
                compiler = _compiler(e, data, root)
                return doc, data, compiler, _marks(compiler)

            squeeze: dict[int, float] = {}
            pg.imprint_new_page = pg.imprint_blank_before = False
            pg.signature_gaps = True
            doc, data, cc, m = layout(squeeze)
            first, page_one = _page_one_squeeze(doc, m), None
            if first is not None:
                j, k, f = first
                trial = {i: round(f, 4) for i in range(j, k + 1)}
                doc2, data2, cc2, m2 = layout(trial)
                if m2.starts.get(k, (0, 0))[0] == 1:
                    squeeze, doc, data, cc, m, page_one = trial, doc2, data2, cc2, m2, round(f, 4)
            skip: set[int] = set()
            for _ in range(MAX_SQUEEZED_PAGES):
                found = _squeeze_for(doc, m, skip)
                if found is None:
                    break
                j, k, c, f = found
                page = m.ends[k - 1][0]
                # the estimate, then up to two closer pitches (a table's first row may need more)
                for f in (f, f - 0.02, f - 0.04):  # noqa: B020 - the tuple is made from the estimate first
                    if f < L.MIN_LINE_PITCH_FACTOR:
                        break
                    trial = {**squeeze, **{i: round(f, 4) for i in range(j, c + 1)}}
                    doc2, data2, cc2, m2 = layout(trial)
                    if m2.starts.get(k, (0, 0))[0] == page and m2.pages <= m.pages \
                            and (_stranded(doc2, m2) <= _stranded(doc, m)):
                        squeeze, doc, data, cc, m = trial, doc2, data2, cc2, m2
                        log.debug("%s: page %d set at %.3f of the line pitch (blocks %d-%d)", rdoc.title, page, f, j, c)
                        break
                skip.add(k)
            if _stranded(doc, m):      # no closer pitch brought it back: the body's last lines go with it
                state["carry"], state["whole"] = _carried(doc, m)
                doc, data, cc, m = layout(squeeze)
            imp = next((b["i"] for b in doc["blocks"] if b["kind"] == "Imprint"), None)
            if imp is not None and imp in m.floats and m.floats[imp][0] % 2:
                text_end = max((p for i, (p, _y) in m.ends.items() if i < imp), default=1)
                pg.imprint_new_page = True
                pg.imprint_blank_before = text_end % 2 == 0
                if pg.imprint_blank_before:
                    state["unnumbered_from"] = text_end + 1
                doc, data, cc, m = layout(squeeze)
            pg.record("typst", carry_lines=CARRIED_LINES if state["carry"] or state["whole"] else 0,
                      signature_gaps=pg.signature_gaps, imprint_new_page=pg.imprint_new_page,
                      imprint_blank_before=pg.imprint_blank_before, page_one_factor=page_one)
            pdf, warnings = cc.compile_with_warnings(
                input=e.source, format="pdf", sys_inputs={"doc": data}, pdf_standards=PDF_STANDARDS,
                timestamp=when, root=root)
    except typst.TypstError as err:
        log.debug("Typst error: %s\n%s", err.diagnostic, "\n".join(err.trace or []))
        raise WorkplanError(Problem(f"the Typst engine could not lay out '{rdoc.title}': {err.message}",
                                    hint="this is a bug in workplan's Typst template; please report it, and "
                                         "use --pdf-engine weasyprint meanwhile")) from None
    for w in warnings:
        log.warning("%s: %s", rdoc.title, getattr(w, "message", w))
    return pdf


def write_pdf(rdoc: RenderDoc, out: Path, source_bytes: bytes | None = None, source_name: str | None = None) -> int:
    """Write ``rdoc`` as a PDF/A-3b file with ``source_bytes`` embedded as ``source_name``
    (relationship Source). Returns the number of pages."""
    pdf = render_pdf_bytes(rdoc, source_bytes, source_name)
    if hasattr(out, "write"):
        out.write(pdf)
    else:
        Path(out).write_bytes(pdf)
    return len(_PAGE.findall(pdf))


__all__ = ["Engine", "check_environment", "document_data", "engine", "layout_values", "render_pdf_bytes",
           "typst_source", "write_pdf"]
