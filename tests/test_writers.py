"""The one table of writers (workplan.formats) and what derives from it."""
from __future__ import annotations

import pytest

from conftest import CORPUS


def test_every_format_list_derives_from_the_table():
    from workplan import formats, render
    from workplan.archive import record, store

    assert render.FORMATS == formats.FORMATS == tuple(formats.WRITERS) == ("docx", "pdf")
    assert store.FORMATS == formats.FORMATS
    assert record.ROLE_ORDER[1:-2] == formats.rendition_roles()
    m = store._RENDITION_RE.match("winter.zh-en.pdf")
    assert m and m["stem"] == "winter" and m["lang"] == "zh-en" and m["fmt"] == "pdf"
    assert not store._RENDITION_RE.match("winter.zh.odt")
    for w in formats.WRITERS.values():
        assert w.extension == "." + w.name and "/" in w.media_type
        for engine in w.engines.values():
            assert callable(engine.load())
            assert set(engine.options) <= set(formats.WRITE_OPTIONS)


def test_a_second_pdf_engine_is_one_table_entry(tmp_path, monkeypatch):
    from workplan import formats
    from workplan.render import build_file

    calls = []

    def write_pdf(rdoc, out, *, source_name, source_bytes):
        calls.append((rdoc.lang, source_name, len(source_bytes)))
        out.write_bytes(b"%PDF-1.7 fake\n")

    import workplan.render.pdf as pdf
    monkeypatch.setattr(pdf, "fake_write_pdf", write_pdf, raising=False)
    monkeypatch.setitem(formats.PDF_ENGINES, "fake", formats.Engine(
        "fake", "workplan.render.pdf:fake_write_pdf", ("source_name", "source_bytes")))
    src = CORPUS / "winter-fire-safety.yaml"
    r = build_file(src, tmp_path, formats=["pdf"], pdf_engine="fake")
    assert calls == [("zh", src.name, src.stat().st_size)]
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
