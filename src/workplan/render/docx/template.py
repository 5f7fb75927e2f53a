"""The Word template of the DOCX writer: the built-in GB/T 9704 template or the user's --template.

The template is read once per process and *prepared*: theme fonts stripped, every ``WP …`` style
the template lacks created (styles it has are kept: that is how a user restyles), odd/even
page-number footers added unless the template has its own PAGE field, A4 page setup from
:mod:`workplan.layout`. The prepared bytes are cached, keyed by the template's path, size and
modification time. A template whose body holds Jinja tags is rendered with **docxtpl** (the
default template draws the 版头 from ``{{ issuer_mark }}``, ``{{ doc_number }}``,
``{{ signatory }}`` and marks the body's place with ``{{ body }}``); one without tags gives its
styles, page setup and footers only.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from docx.oxml import parse_xml
from docx.oxml.ns import qn

from ... import layout as L
from ...errors import Problem, WorkplanError
from ..ir import Letterhead, RenderDoc
from . import oxml as X
from . import styles as S

# Package data (src/workplan/render/docx/templates/), found through importlib.resources so an
# installed (non-editable) package has it too.
DEFAULT_TEMPLATE = Path(str(resources.files("workplan.render.docx") / "templates" / "gbt9704.docx"))
BODY_MARKER = "WORKPLAN-BODY-GOES-HERE"
_TEMPLATE_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@dataclass(frozen=True)
class _Prepared:
    data: bytes                 # the prepared template package
    jinja: bool                 # its body has Jinja tags: render with docxtpl
    letterhead: bool            # the template draws the 版头 itself ({{ issuer_mark }})
    ids: dict                   # WP style name -> styleId
    path: str


_PREPARED: dict[tuple, _Prepared] = {}


def _template_problem(path: Path, message: str, hint: str | None = None) -> WorkplanError:
    return WorkplanError(Problem(message, file=str(path), hint=hint or (
        "give a Word .docx (or .dotx) file, or leave out --template to use the built-in GB/T 9704 template")))


def _as_document_package(raw: bytes, path: Path) -> bytes:
    """Check the bytes are a Word package; turn a .dotx into a .docx by its content type."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        ct = zf.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError) as e:
        raise _template_problem(path, f"the template is not a Word .docx file ({e})") from None
    if _TEMPLATE_CT.encode() not in ct:
        return raw
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in zf.infolist():
            data = zf.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(_TEMPLATE_CT.encode(), _DOCUMENT_CT.encode())
            new.writestr(item, data)
    return out.getvalue()


def _xml_parts(document):
    """The document, header, footer and numbering parts' root elements."""
    yield document.element
    for rel in document.part.rels.values():
        if rel.is_external:
            continue
        part = rel.target_part
        el = getattr(part, "element", None)
        if el is not None and (rel.reltype.endswith("/header") or rel.reltype.endswith("/footer")
                               or rel.reltype.endswith("/numbering")):
            yield el


def prepare_template(document) -> dict[str, str]:
    """Make any Word document fit to be a GB/T 9704 template (in place); returns style ids."""
    styles_root = document.styles.element
    S.strip_theme_fonts(styles_root)
    for el in _xml_parts(document):
        S.strip_theme_fonts(el)
    S.fix_doc_defaults(styles_root)
    ids = S.ensure_styles(styles_root)
    S.page_setup(document)
    S.ensure_footers(document, ids)
    S.ensure_font_table(document)
    S.auto_hyphenation(document)
    return ids


def build_default_template():
    """The default template as a python-docx Document (used by render/docx/templates/make_docx_template.py,
    and in memory when the .docx file is missing)."""
    from docx import Document
    doc = Document()
    # python-docx's base package carries Word 2010 leftovers: drop what only adds weight.
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "thumbnail", "customXml"):
                del rels[rid]
                rels.related_parts.pop(rid, None)
    styles_root = doc.styles.element
    keep = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid"}
    for st in styles_root.findall(qn("w:style")):
        if st.get(qn("w:styleId")) not in keep:
            styles_root.remove(st)
    dd = styles_root.find(qn("w:docDefaults"))
    ppr_default = dd.find(qn("w:pPrDefault")) if dd is not None else None
    if ppr_default is not None:
        dd.remove(ppr_default)
    dd.append(parse_xml(f'<w:pPrDefault {X.NSDECL}><w:pPr><w:spacing w:after="0" w:line="240" '
                        'w:lineRule="auto"/></w:pPr></w:pPrDefault>'))
    # 3号 by default (5.2.2): the document grid's character pitch is reckoned from it
    rpr_default = dd.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for tag in ("sz", "szCs"):
        el = rpr_default.find(qn(f"w:{tag}"))
        if el is not None:
            el.set(qn("w:val"), str(X.half_points(L.FONTS["body"].size_pt)))
    normal = doc.styles.element.find(f"{qn('w:style')}[@{qn('w:styleId')}='Normal']")
    if normal is not None:  # LibreOffice reckons the character grid from Normal's own size
        for old in normal.findall(qn("w:rPr")):
            normal.remove(old)
        normal.append(parse_xml(X.rpr(**S.role_rpr_parts("body")).replace("<w:rPr>", f"<w:rPr {X.NSDECL}>", 1)))
    ids = prepare_template(doc)
    settings = doc.settings.element
    tfl = settings.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:eastAsia"), "zh-CN")

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)

    def tag(text: str) -> str:
        return f'<w:p {X.NSDECL}><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'

    body_style = f'<w:pStyle w:val="{ids[S.BODY]}"/>'
    body_marker = f'<w:p {X.NSDECL}>{X.ppr(pStyle=body_style)}<w:r><w:t>{{{{ body }}}}</w:t></w:r></w:p>'
    lh_plain = S.letterhead_paragraphs(ids, "{{ issuer_mark }}", "{{ doc_number }}")
    lh_up = S.letterhead_paragraphs(ids, "{{ issuer_mark }}", "{{ doc_number }}", "{{ signatory }}",
                                    "{{ signatory_label }}")
    # mark and blank lines, then the number line (with 签发人 when upward), then the red rule
    paragraphs = ([tag("{%p if issuer_mark %}")] + lh_plain[:-2]
                  + [tag("{%p if signatory %}"), lh_up[-2], tag("{%p else %}"), lh_plain[-2], tag("{%p endif %}")]
                  + lh_plain[-1:] + [tag("{%p endif %}"), body_marker])
    sect = body.find(qn("w:sectPr"))
    for xml in paragraphs:
        sect.addprevious(parse_xml(xml))

    cp = doc.core_properties
    cp.title = "GB/T 9704-2012 公文模板 (workplan)"
    cp.subject = "Template: edit the WP styles and the 版头 in Word; the body tag marks where the text goes"
    cp.author = "workplan"
    cp.last_modified_by = "workplan"
    cp.keywords = "GB/T 9704-2012; workplan"
    cp.comments = ""
    cp.revision = 1
    cp.created = cp.modified = dt.datetime(2024, 1, 1)
    cp.language = "zh-CN"
    return doc


def prepare(template: Path | None) -> _Prepared:
    from docx import Document

    path = Path(template) if template is not None else DEFAULT_TEMPLATE
    try:
        st = path.stat()
        key: tuple[str | int, ...] = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError as e:
        if template is None:  # the default template file is missing: make it in memory
            key = ("<built-in>",)
        else:
            raise _template_problem(path, f"cannot read the template: {e.strerror or e}",
                                    "check the --template path") from None
    got = _PREPARED.get(key)
    if got is not None:
        return got
    if key == ("<built-in>",):
        doc = build_default_template()
    else:
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise _template_problem(path, f"cannot read the template: {e.strerror or e}") from None
        raw = _as_document_package(raw, path)
        try:
            doc = Document(io.BytesIO(raw))
        except Exception as e:  # python-docx raises KeyError/ValueError/lxml errors for broken packages
            raise _template_problem(path, f"the template cannot be opened as a Word document ({e})") from None
        prepare_template(doc)
    body = doc.element.body
    texts = ["".join(t.text or "" for t in el.iter(qn("w:t"))) for el in _xml_parts(doc)]
    jinja = any("{{" in t or "{%" in t for t in texts)   # tags in the body, a header or a footer
    letterhead = jinja and "issuer_mark" in texts[0]
    if not jinja:  # a plain document: keep its styles and page furniture, not its text
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
    all_ids = S.style_ids(doc.styles.element)
    ids = {name: all_ids[name] for name in S.ALL_STYLE_NAMES}
    prepared = _Prepared(X.docx_bytes(doc), jinja, letterhead, ids, str(path))
    if len(_PREPARED) > 16:
        _PREPARED.clear()
    _PREPARED[key] = prepared
    return prepared


CORE_PROPERTIES_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def _docxtpl():
    """docxtpl's DocxTemplate. Importing it imports docxcompose, which rebinds python-docx's ``cp``
    prefix (core properties) to the custom-properties namespace for the whole process: every
    core property written afterwards (keywords, last modified by, revision, category) would land
    in a foreign namespace that Word ignores. The binding is put back."""
    from docxtpl import DocxTemplate
    from docx.oxml.ns import nsmap
    nsmap["cp"] = CORE_PROPERTIES_NS
    return DocxTemplate


def open_template(prepared: _Prepared, rdoc: RenderDoc):
    """The template as a python-docx Document, its Jinja tags rendered for this document."""
    from docx import Document

    if not prepared.jinja:
        return Document(io.BytesIO(prepared.data))
    import jinja2
    DocxTemplate = _docxtpl()

    lh = next((b for b in rdoc.blocks if isinstance(b, Letterhead)), None)
    context = {
        "issuer_mark": lh.issuer_mark if lh else "",
        "doc_number": (lh.doc_number or "") if lh else "",
        "signatory": (lh.signatory or "") if lh else "",
        "signatory_label": lh.signatory_label if lh else "",
        "body": BODY_MARKER,
        "title": rdoc.title, "author": rdoc.author, "subject": rdoc.subject,
        "keywords": rdoc.keywords, "date": rdoc.date_text, "lang": rdoc.lang,
    }
    tpl = DocxTemplate(io.BytesIO(prepared.data))
    try:
        tpl.render(context, jinja_env=jinja2.Environment(autoescape=True), autoescape=True)
    except jinja2.TemplateError as e:
        raise WorkplanError(Problem(f"the template's Jinja tags do not render: {e}", file=prepared.path,
                                    hint="fix the {{ … }} / {%p … %} tags in the template (docxtpl syntax), "
                                         "or leave out --template")) from None
    except Exception as e:  # docxtpl on a template it cannot digest
        raise WorkplanError(Problem(f"the template cannot be rendered by docxtpl ({type(e).__name__}: {e})",
                                    file=prepared.path, hint="remove the Jinja tags from the template, "
                                    "or start again from the default template (workplan/render/docx/templates/gbt9704.docx)")) from None
    return tpl.docx


def template_notes(template: Path) -> list[str]:
    """What a user's template lacks, for the build to say (nothing silently falls back): the
    WP styles it does not define (they are added with the standard GB/T 9704 look)."""
    from docx import Document

    path = Path(template)
    try:
        doc = Document(io.BytesIO(_as_document_package(path.read_bytes(), path)))
    except WorkplanError:
        raise
    except Exception as e:  # noqa: BLE001 - the same message prepare() gives
        raise _template_problem(path, f"the template cannot be opened as a Word document ({e})") from None
    have = set(S.style_ids(doc.styles.element))
    missing = [name for name in S.ALL_STYLE_NAMES if name not in have]
    if not missing:
        return []
    return [f"the template lacks the styles {', '.join(missing)}; they are added with the standard GB/T 9704 "
            "look (define them in the template, e.g. starting from the built-in template, to restyle them)"]

