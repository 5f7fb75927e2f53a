"""The DOCX writer's WordprocessingML layer (render/docx/oxml.py) on its own: small XML in, XML
out, as python-docx tests its oxml classes — no document is built."""
from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from workplan.render.docx import oxml
from workplan.render.docx.oxml import NSDECL


def _children(xml: str) -> list[str]:
    return [c.tag.split("}")[1] for c in parse_xml(xml.replace("<w:pPr>", f"<w:pPr {NSDECL}>", 1)
                                                   .replace("<w:rPr>", f"<w:rPr {NSDECL}>", 1))]


def test_ppr_writes_its_children_in_schema_order_whatever_order_they_are_given():
    xml = oxml.ppr(jc='<w:jc w:val="center"/>', spacing=oxml.spacing(560, before=0),
                   keepNext="<w:keepNext/>", ind=oxml.ind_xml(first=(200, 640)))
    assert xml == ('<w:pPr><w:keepNext/><w:spacing w:before="0" w:line="560" w:lineRule="exact"/>'
                   '<w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="center"/></w:pPr>')
    assert _children(xml) == ["keepNext", "spacing", "ind", "jc"]


def test_empty_parts_write_no_element_and_an_unknown_child_is_refused():
    assert oxml.ppr(jc="", ind="") == ""
    assert oxml.rpr(**oxml.size(16)) == '<w:rPr><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr>'
    with pytest.raises(ValueError, match="unknown pPr children: \\['colour'\\]"):
        oxml.ppr(colour="<w:color/>")


@pytest.mark.parametrize("existing, new, expected", [
    (["pStyle", "jc"], "spacing", ["pStyle", "spacing", "jc"]),
    (["pStyle"], "jc", ["pStyle", "jc"]),               # nothing after it: appended
    (["spacing", "rPr"], "keepNext", ["keepNext", "spacing", "rPr"]),
    ([], "kinsoku", ["kinsoku"]),
])
def test_insert_ordered_puts_a_child_at_its_schema_place(existing, new, expected):
    ppr = parse_xml(f"<w:pPr {NSDECL}>" + "".join(f"<w:{n}/>" for n in existing) + "</w:pPr>")
    oxml.insert_ordered(ppr, parse_xml(f"<w:{new} {NSDECL}/>"))
    assert [c.tag.split("}")[1] for c in ppr] == expected


def test_a_run_turns_newlines_and_tabs_into_breaks_and_tabs_and_drops_what_xml_forbids():
    xml = oxml.run("甲\t乙\n<丙>&\x01", '<w:rPr><w:b/></w:rPr>')
    assert xml == ('<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">甲</w:t><w:tab/>'
                   '<w:t xml:space="preserve">乙</w:t><w:br/><w:t xml:space="preserve">&lt;丙&gt;&amp;</w:t></w:r>')
    r = parse_xml(xml.replace("<w:r>", f"<w:r {NSDECL}>", 1))
    assert "".join(t.text for t in r.iter(qn("w:t"))) == "甲乙<丙>&"
    assert oxml.run("") == ""


def test_indents_are_given_in_characters_and_twips_and_plain_twips_zero_the_characters():
    assert oxml.ind_xml(left=(200, 640), hanging=(100, 320), first=(200, 640)) == \
        '<w:ind w:leftChars="200" w:left="640" w:hangingChars="100" w:hanging="320"/>'  # hanging wins
    assert oxml.ind_tw(first=480) == '<w:ind w:firstLineChars="0" w:firstLine="480"/>'
    assert oxml.ind_xml() == ""


def test_units():
    assert (oxml.half_points(10.5), oxml.twips(28.95), oxml.eighths(0.35)) == (21, 579, 8)
    assert oxml.eighths(0.01) == 2  # Word's thinnest border


def test_a_saved_document_is_the_same_bytes_twice_with_fixed_zip_times():
    doc = Document()
    doc.add_paragraph("同一份文件")
    first, second = oxml.docx_bytes(doc), oxml.docx_bytes(doc)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {oxml.FIXED_ZIP_TIME}
