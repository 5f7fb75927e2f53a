"""The one table of writers (workplan.formats) and what derives from it."""
from __future__ import annotations

import json

import pytest

from conftest import CORPUS


def test_every_format_list_derives_from_the_table():
    from workplan import formats, ingest, render
    from workplan.archive import record
    from workplan.ingest import datafile

    assert render.FORMATS == formats.FORMATS == tuple(formats.WRITERS) == ("docx", "pdf")
    assert datafile.FORMATS == formats.FORMATS
    assert record.ROLE_ORDER[1:1 + len(formats.rendition_roles())] == formats.rendition_roles()
    assert record.ROLE_ORDER[-3:] == ("original", record.PREVIEW_ROLE, "metadata")
    m = ingest.RENDITION_RE.match("winter.zh-en.pdf")
    assert m and m["stem"] == "winter" and m["lang"] == "zh-en" and m["fmt"] == "pdf"
    assert not ingest.RENDITION_RE.match("winter.zh.odt")
    for w in formats.WRITERS.values():
        assert w.extension == "." + w.name and "/" in w.media_type
        for engine in w.engines.values():
            assert callable(engine.load())
            assert set(engine.options) <= set(formats.WRITE_OPTIONS)


@pytest.mark.parametrize("child", ["forked", "fork server"])
def test_a_second_pdf_engine_is_one_table_entry(tmp_path, monkeypatch, child):
    from workplan import formats, render
    from workplan.render import build_file

    # after Typst ran in this process the layout child comes from a fork server started earlier,
    # which knows only what it imports: the engine chosen here must reach it all the same
    monkeypatch.setattr(render, "_typst_ran_here", lambda: child == "fork server")

    # the writer runs in the capped layout child: it is named by module and leaves its calls in a file
    monkeypatch.setitem(formats.PDF_ENGINES, "fake", formats.Engine(
        "fake", "fake_engines:write_pdf", ("source_name", "source_bytes")))
    src = CORPUS / "winter-fire-safety.yaml"
    r = build_file(src, tmp_path, formats=["pdf"], pdf_engine="fake")
    assert json.loads((tmp_path / "calls.json").read_text()) == ["zh", src.name, src.stat().st_size]
    assert r.outputs == [tmp_path / "winter-fire-safety.zh.pdf"]
    assert r.outputs[0].read_bytes().startswith(b"%PDF-1.7 fake")


def test_unknown_format_or_engine_is_refused_before_writing(tmp_path):
    from workplan.errors import WorkplanError
    from workplan.render import build_file

    src = CORPUS / "winter-fire-safety.yaml"
    with pytest.raises(WorkplanError, match="unknown format 'odt'") as e:
        build_file(src, tmp_path, formats=["docx", "odt"])
    assert "docx or pdf" in e.value.format()
    with pytest.raises(WorkplanError, match="unknown pdf engine 'latex'") as e:
        build_file(src, tmp_path, formats=["docx", "pdf"], pdf_engine="latex")
    assert "weasyprint" in e.value.format()
    assert not list(tmp_path.iterdir())


def test_table_cell_padding_is_one_number_for_docx_and_pdf(tmp_path):
    """DOCX cell margins and the PDF's cell padding both come from layout.TABLE_CELL_PADDING_MM."""
    from docx import Document
    from docx.oxml.ns import qn

    from workplan import layout as L
    from workplan.render import build_file
    from workplan.render.weasyprint import engine

    out = build_file(CORPUS / "winter-fire-safety.yaml", tmp_path, formats=["docx"]).outputs[0]
    style = Document(str(out)).styles["WP Table"].element
    mar = style.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
    got = {side: int(mar.find(qn(f"w:{side}")).get(qn("w:w"))) for side in ("top", "left", "bottom", "right")}
    v_mm, h_mm = L.TABLE_CELL_PADDING_MM
    assert got == {"top": L.mm_to_twips(v_mm), "bottom": L.mm_to_twips(v_mm),
                   "left": L.mm_to_twips(h_mm), "right": L.mm_to_twips(h_mm)}
    assert f"padding: {v_mm}mm {h_mm}mm;" in engine().css_text
