"""PDF writers: build the corpus to PDF/A-3b and read the files back with pypdf.

Every test runs once per PDF engine (typst and weasyprint: the same IR and layout numbers, so
the same checks). Each corpus file is built once per engine (zh, en and zh-en) by a
module-scoped fixture; the tests then check the page geometry, the fonts, the text, the
outline, the PDF/A identification and the embedded source file of every one of them.
"""
from __future__ import annotations

import ctypes.util
import logging
import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import corpus_files
from workplan.errors import EnvironmentProblem
from workplan.i18n import term
from workplan.layout import CHARS_PER_LINE, LINE_PITCH_PT, LINES_PER_PAGE, MARGIN_BOTTOM_MM, MM_PER_PT
from workplan.render import PDF_ENGINES, build_file, output_name
from workplan.render.fonts import check_pdf_environment
from workplan.render.ir import AttachmentList, AttachmentStart, Heading, Signature

LANGS = ("zh", "en", "zh-en")
FILES = corpus_files()
A4 = (595.28, 841.89)


# --- building -------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=PDF_ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def built(corpus_build, engine):
    """``built(source, lang)`` → (pdf path, PdfReader, RenderDoc) of the session's corpus build."""
    out, results = corpus_build(engine)
    readers: dict[tuple[Path, str], tuple[Path, PdfReader, object]] = {}

    def get(source: Path, lang: str):
        if (source, lang) not in readers:
            pdf = out / output_name(source, lang, "pdf")
            assert pdf in results[source].outputs
            # the IR build_file made (what the writer was given): charts are slow to redo
            readers[(source, lang)] = (pdf, PdfReader(pdf), results[source].rdocs[lang])
        return readers[(source, lang)]

    return get


_PAGES: dict[int, tuple[PdfReader, list[str]]] = {}


def _pages(reader: PdfReader) -> list[str]:
    """The text of each page (extracted once per file: pypdf is slow on CJK fonts)."""
    if id(reader) not in _PAGES or _PAGES[id(reader)][0] is not reader:  # an id is reused once its reader is gone
        _PAGES[id(reader)] = (reader, [p.extract_text() or "" for p in reader.pages])
    return _PAGES[id(reader)][1]


def _text(reader: PdfReader) -> str:
    return "\n".join(_pages(reader))


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _level1_titles(rdoc, body_only: bool = False) -> list[str]:
    """Labels of the level-1 headings (``body_only``: before the first attachment, whose own
    headings start again at 一、/ I.)."""
    out = []
    for b in rdoc.blocks:
        if body_only and isinstance(b, AttachmentStart):
            break
        if isinstance(b, Heading) and b.level == 1:
            out.append(b.label)
    return out


def _in_order(haystack: str, needles: list[str]) -> list[str]:
    """The needles not found in order in haystack (whitespace ignored)."""
    hay, pos, missing = _squash(haystack), 0, []
    for n in needles:
        i = hay.find(_squash(n), pos)
        if i < 0:
            missing.append(n)
        else:
            pos = i + len(_squash(n))
    return missing


def _face(name: str) -> str:
    """A font name without separators or case (engines spell PostScript names differently:
    Noto-Serif-CJK-SC-Bold, NotoSerifCJKsc-Bold)."""
    return re.sub(r"[^a-z]", "", name.lower())


def _font_dicts(reader: PdfReader):
    """(name, descriptor) of every font used on any page (Type0 fonts: their CID font)."""
    seen = {}
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            desc_font = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            name = str(desc_font.get("/BaseFont", font.get("/BaseFont")))
            seen[name] = desc_font.get("/FontDescriptor").get_object()
    return seen


def _lines(page) -> list[tuple[float, float, str]]:
    """(baseline y, x, text) of every text run on the page, in PDF points from the bottom."""
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((round(y, 2), round(x, 2), text))

    page.extract_text(visitor_text=visit)
    return runs


needs_corpus = pytest.mark.skipif(not FILES, reason="no corpus files")
ids = [f.stem for f in FILES]


# --- every corpus file ----------------------------------------------------------------------
@needs_corpus
@pytest.mark.parametrize("source", FILES, ids=ids)
def test_pages_are_a4_and_numbered(built, source):
    for lang in LANGS:
        path, reader, _ = built(source, lang)
        assert len(reader.pages) >= 1
        for page in reader.pages:
            w, h = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1, (path.name, w, h)
        assert "— 1 —" in _pages(reader)[0], path.name
        if len(reader.pages) > 1:
            assert "— 2 —" in _pages(reader)[1], path.name


@needs_corpus
@pytest.mark.parametrize("source", FILES, ids=ids)
def test_fonts_are_embedded_subsets_of_the_free_faces(built, source):
    for lang in LANGS:
        path, reader, _ = built(source, lang)
        fonts = _font_dicts(reader)
        assert fonts, path.name
        for name, desc in fonts.items():
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{path.name}: {name} not embedded"
            assert re.match(r"/[A-Z]{6}\+", name), f"{path.name}: {name} is not a subset"
        names = _face(" ".join(fonts))
        if lang != "en":
            assert "fandolfang" in names, (path.name, names)  # the 仿宋 body face
            assert "fandolhei" in names, (path.name, names)   # the 黑体 level-1 headings
            assert "notoserifcjkscbold" in names, (path.name, names)  # the 小标宋 title
        else:
            assert "liberationserif" in names, (path.name, names)


@needs_corpus
@pytest.mark.parametrize("source", FILES, ids=ids)
def test_level1_titles_appear_in_order(built, source):
    for lang in LANGS:
        path, reader, rdoc = built(source, lang)
        titles = _level1_titles(rdoc)
        assert not _in_order(_text(reader), titles), f"{path.name}: missing or out of order: {_in_order(_text(reader), titles)}"
        # the outline (bookmarks) holds the title and every level-1 heading, no letterhead junk
        outline = _outline_titles(reader.outline)
        assert outline and _squash(rdoc.title) in _squash(outline[0])
        for t in titles:
            assert any(_squash(t) in _squash(o) for o in outline), (path.name, t)


def _outline_titles(outline) -> list[str]:
    out: list[str] = []
    for item in outline:
        if isinstance(item, list):
            out += _outline_titles(item)
        else:
            out.append(item.title)
    return out


@needs_corpus
@pytest.mark.parametrize("source", FILES, ids=ids)
def test_pdfa3b_with_the_source_file_attached(built, source):
    data = source.read_bytes()
    for lang in LANGS:
        path, reader, rdoc = built(source, lang)
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r'pdfaid:part(="|>)3', xmp), path.name
        assert re.search(r'pdfaid:conformance(="|>)B', xmp), path.name
        assert reader.attachments[source.name] == [data], path.name
        root = reader.trailer["/Root"]
        af = [ref.get_object() for ref in root["/AF"]]
        assert len(af) == 1 and af[0]["/AFRelationship"] == "/Source", path.name
        assert root["/Lang"] == ("en" if lang == "en" else "zh-CN")
        meta = reader.metadata
        assert meta.title == rdoc.title and meta.author == rdoc.author


# --- English and bilingual ------------------------------------------------------------------
ROMAN = ["I.", "II.", "III.", "IV.", "V.", "VI.", "VII.", "VIII.", "IX.", "X."]


@needs_corpus
@pytest.mark.parametrize("source", FILES, ids=ids)
def test_english_numbering_and_bilingual_text(built, source):
    _, en_reader, en = built(source, "en")
    _, _, zh = built(source, "zh")
    _, both_reader, _ = built(source, "zh-en")
    en_titles, zh_titles = _level1_titles(en), _level1_titles(zh)
    if not en_titles:
        pytest.skip("no level-1 headings")
    en_text = _text(en_reader)
    numbers = [t.split(" ", 1)[0] for t in _level1_titles(en, body_only=True)]
    assert numbers == ROMAN[:len(numbers)]
    assert not _in_order(en_text, en_titles)
    both = _text(both_reader)
    interleaved = [t for pair in zip(zh_titles, en_titles) for t in pair]
    assert not _in_order(both, interleaved), _in_order(both, interleaved)


def test_english_glossary_titles(built, winter_file):
    _, reader, _ = built(winter_file, "en")
    text = _text(reader)
    for key in ("ideology", "objectives", "leadership", "tasks", "task_matrix", "roster"):
        assert _squash(term(key, "en")) in _squash(text), term(key, "en")
    assert "Annex 1" in text and "cc:" in text


def test_zh_en_has_both_languages_on_page_one(built, winter_file):
    _, reader, _ = built(winter_file, "zh-en")
    first = _squash(_pages(reader)[0])
    assert "青松社区2023年冬季防火工作方案" in first
    assert _squash("Qingsong Community Work Program for Winter Fire Safety 2023") in first


# --- layout on the page ---------------------------------------------------------------------
def test_imprint_sits_at_the_bottom_of_the_last_page(built, winter_file):
    for lang, word in (("zh", "印发"), ("en", "Issued")):
        _, reader, _ = built(winter_file, lang)
        runs = _lines(reader.pages[-1])
        ys = [y for y, _, t in runs if word in t]
        assert ys, lang
        bottom_of_text_area = MARGIN_BOTTOM_MM / MM_PER_PT
        # the 印发 line is the last line of the 版心: its baseline within one line of the bottom
        assert bottom_of_text_area < ys[0] < bottom_of_text_area + LINE_PITCH_PT, (lang, ys[0])


@needs_corpus
@pytest.mark.parametrize("source", FILES, ids=ids)
def test_signature_never_starts_a_page(built, source):
    """7.3.5: the page with the signature and date also shows the text just before them."""
    path, reader, rdoc = built(source, "zh")
    blocks = rdoc.blocks
    (i,) = [k for k, b in enumerate(blocks) if isinstance(b, Signature)]
    before = blocks[i - 1]
    tail = _squash(before.items[-1] if isinstance(before, AttachmentList) else
                   (before.body or before.label) if isinstance(before, Heading) else before.text)[-6:]
    signature = _squash("".join(blocks[i].names) + blocks[i].date)    # the names, then the date
    pages = [_squash(t) for t in _pages(reader)]
    on = [n for n, t in enumerate(pages) if signature in t]
    assert on, (path.name, signature)
    assert tail in pages[on[0]], (path.name, tail, on[0])


@needs_corpus
@pytest.mark.parametrize("lang", ["en", "zh-en"])
def test_long_signature_lines_stay_inside_the_type_area(built, lang):
    """six-peace-standards is signed by "Political and Legal Affairs Commission of the CPC
    Qinglan County Committee", wider than the type area: it wraps inside it (it ran 70 pt into
    the right margin with both engines)."""
    import pdfplumber
    src = next(f for f in FILES if f.stem == "six-peace-standards")
    path, _reader, _rdoc = built(src, lang)
    right = (210 - 26) / MM_PER_PT + 2.0          # the right edge of the type area, and 2 pt
    with pdfplumber.open(path) as pdf:
        over = [c["text"] for page in pdf.pages for c in page.chars
                if c["x1"] > right and c["text"].strip() and c["text"] not in "，。、；：）,.;:)-"]  # hanging punctuation
        text = _squash("".join(page.extract_text() or "" for page in pdf.pages))
    assert over == [], over
    assert _squash("Political and Legal Affairs Commission of the CPC Qinglan County Committee") in text


def test_page_number_sides(built, winter_file):
    _, reader, _ = built(winter_file, "zh")
    def number_x(page, n):
        return [x for y, x, t in _lines(page) if f"{n}" in t and "—" in t][0]
    odd, even = number_x(reader.pages[0], 1), number_x(reader.pages[1], 2)
    assert odd > A4[0] / 2 > even    # odd pages right, even pages left


def test_grid_of_22_lines_of_28_characters(tmp_path, engine):
    # two-line paragraphs of plain hanzi: 26 after the 2-character indent, then a full line of 28
    para = "测" * (CHARS_PER_LINE - 2 + CHARS_PER_LINE)
    src = tmp_path / "grid.yaml"
    src.write_text(yaml.safe_dump({"kind": "program", "title": "版心测试", "date": "2024-01-02",
                                   "preamble": [para] * 40}, allow_unicode=True), encoding="utf-8")
    build_file(src, tmp_path, langs=["zh"], formats=["pdf"], pdf_engine=engine)
    reader = PdfReader(tmp_path / "grid.zh.pdf")
    page = reader.pages[1]   # a page of body text only
    body = [(y, x, t.strip()) for y, x, t in _lines(page) if "测" in t]
    baselines = sorted({y for y, _, _ in body}, reverse=True)
    assert len(baselines) == LINES_PER_PAGE
    pitches = {round(a - b, 2) for a, b in zip(baselines, baselines[1:])}
    assert all(abs(p - LINE_PITCH_PT) < 0.02 for p in pitches), pitches
    full_lines = [t for _, _, t in body if len(t) == CHARS_PER_LINE]
    assert len(full_lines) == LINES_PER_PAGE // 2, [len(t) for _, _, t in body]


def test_letterhead_renders_the_red_issuer_mark(tmp_path, winter_file, engine):
    data = yaml.safe_load(winter_file.read_text(encoding="utf-8"))
    data["issuer_mark"] = {"zh": "青松社区居民委员会文件", "en": "Qingsong Community Residents' Committee"}
    data["signatory"] = {"zh": "林晓华", "en": "Lin Xiaohua"}
    src = tmp_path / "letterhead.yaml"
    src.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_file(src, tmp_path, langs=["zh", "en"], formats=["pdf"], pdf_engine=engine)
    for lang, mark in (("zh", "青松社区居民委员会文件"), ("en", "Qingsong Community Residents’ Committee")):
        reader = PdfReader(tmp_path / f"letterhead.{lang}.pdf")
        first = reader.pages[0]
        text = first.extract_text()
        assert _squash(mark) in _squash(text)
        assert ("签发人" if lang == "zh" else "Signed by") in text
        # layout.RED = C00000 → 0.75 0 0 as the fill colour of the mark and the rule (DeviceRGB
        # or, from Typst, the sRGB colour space: scn)
        assert re.search(rb"0\.75\d* 0 0 (rg|RG|scn|SCN)", first.get_contents().get_data())
        outline = _outline_titles(reader.outline)
        assert not any(_squash(mark) in _squash(o) for o in outline)    # no letterhead bookmark


def test_same_input_gives_the_same_bytes(tmp_path, built, winter_file, engine):
    first, _, _ = built(winter_file, "zh")
    build_file(winter_file, tmp_path, langs=["zh"], formats=["pdf"], pdf_engine=engine)
    assert (tmp_path / first.name).read_bytes() == first.read_bytes()


def test_no_weasyprint_warnings(tmp_path, caplog, winter_file, engine):
    if engine != "weasyprint":
        pytest.skip("WeasyPrint only")
    from weasyprint import CSS

    from workplan.render.weasyprint import engine as weasyprint_engine
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        e = weasyprint_engine()
        CSS(string=e.css_text, font_config=e.font_config)   # ignored declarations, bad fonts
        build_file(winter_file, tmp_path, langs=["zh-en"], formats=["pdf"], pdf_engine=engine)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")], caplog.text


def test_no_typst_warnings(tmp_path, caplog, engine):
    """Typst warns about unknown font families, missing glyphs and layout it gave up on."""
    if engine != "typst":
        pytest.skip("Typst only")
    with caplog.at_level(logging.WARNING, logger="workplan.typst"):
        for source in FILES:
            build_file(source, tmp_path, langs=["zh-en"], formats=["pdf"], pdf_engine=engine)
    assert not [r for r in caplog.records if r.name.startswith("workplan.typst")], caplog.text


# --- environment ----------------------------------------------------------------------------
def test_missing_harfbuzz_subset_is_a_clear_environment_problem(tmp_path, monkeypatch, winter_file, engine):
    if engine != "weasyprint":
        pytest.skip("WeasyPrint only: Typst subsets fonts itself")
    real = ctypes.util.find_library
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if "harfbuzz-subset" in name else real(name))
    check_pdf_environment.cache_clear()
    try:
        with pytest.raises(EnvironmentProblem) as err:
            build_file(winter_file, tmp_path, langs=["zh"], formats=["pdf"], pdf_engine=engine)
        assert err.value.exit_code != 0
        message = err.value.format()
        assert "libharfbuzz-subset0" in message and "install" in message
        assert not list(tmp_path.iterdir())          # nothing written, no .part left behind
    finally:
        monkeypatch.undo()
        check_pdf_environment.cache_clear()
    check_pdf_environment()   # the real machine is fine again


# --- text that looks like markup, engines, environment -----------------------------------------
MARKUP = "#set page(width: 1mm) $x^2$ *bold* _it_ [a] \\ <lab> @ref // not a comment & <b>html</b> {{ x }}"


def test_markup_characters_in_texts_are_printed_as_written(tmp_path, engine):
    """Texts reach Typst as data and WeasyPrint as escaped HTML: nothing in them is markup."""
    src = tmp_path / "markup.yaml"
    src.write_text(yaml.safe_dump({"kind": "program", "title": "标记字符测试 " + MARKUP, "date": "2024-01-02",
                                   "preamble": [MARKUP, "第二段：" + MARKUP]}, allow_unicode=True), encoding="utf-8")
    build_file(src, tmp_path, langs=["zh"], formats=["pdf"], pdf_engine=engine)
    reader = PdfReader(tmp_path / "markup.zh.pdf")
    text = _squash(_text(reader))
    assert text.count(_squash(MARKUP)) == 3, text
    assert _squash(MARKUP) in _squash(_outline_titles(reader.outline)[0])
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - A4[0]) <= 1


def test_cli_pdf_engine_option(tmp_path, winter_file):
    from click.testing import CliRunner

    from workplan.cli import cli
    for engine in PDF_ENGINES:
        out = tmp_path / engine
        r = CliRunner().invoke(cli, ["build", str(winter_file), "--format", "pdf", "--pdf-engine", engine, "-o", str(out)])
        assert r.exit_code == 0, r.output
        creator = PdfReader(out / "winter-fire-safety.zh.pdf").metadata.get("/Creator", "") or ""
        producer = PdfReader(out / "winter-fire-safety.zh.pdf").metadata.get("/Producer", "") or ""
        assert engine.lower() in (creator + producer).lower(), (creator, producer)
    r = CliRunner().invoke(cli, ["build", str(winter_file), "--format", "pdf", "--pdf-engine", "latex", "-o", str(tmp_path)])
    assert r.exit_code != 0 and "latex" in r.output


def test_typst_missing_font_file_is_a_clear_environment_problem(tmp_path, monkeypatch, winter_file):
    from workplan import layout
    from workplan.render.typst import writer
    fonts = dict(layout.FONT_FILES)
    fonts["WP FangSong"] = ("/nonexistent/FandolFang-Regular.otf", "texlive-lang-chinese")
    monkeypatch.setattr(layout, "FONT_FILES", fonts)
    monkeypatch.setattr(writer, "_engine", None)
    writer.check_environment.cache_clear()
    try:
        with pytest.raises(EnvironmentProblem) as err:
            build_file(winter_file, tmp_path, langs=["zh"], formats=["pdf"], pdf_engine="typst")
        message = err.value.format()
        assert "FandolFang-Regular.otf" in message and "texlive-lang-chinese" in message
        assert not list(tmp_path.iterdir())
    finally:
        monkeypatch.undo()
        writer.check_environment.cache_clear()
        writer._engine = None


def test_photo_and_binary_source_are_embedded_byte_for_byte(tmp_path, engine):
    """A report's photo (PNG from the IR) is drawn; a source that is not UTF-8 is attached unchanged."""
    from PIL import Image

    from workplan.formats import PDF_ENGINES as TABLE
    from workplan.render.ir import Figure, Paragraph, RenderDoc
    import datetime as dt
    import io
    buf = io.BytesIO()
    Image.new("RGB", (640, 320), (200, 30, 30)).save(buf, format="PNG")
    rdoc = RenderDoc(lang="zh", title="照片测试", author="测试", subject="", keywords=[], date=dt.date(2024, 1, 2),
                     blocks=[Paragraph("正文。"), Figure("图1 演练现场", width_mm=100, png=buf.getvalue())])
    data = bytes(range(256)) * 4
    out = tmp_path / "photo.pdf"
    pages = TABLE[engine].load()(rdoc, out, source_bytes=data, source_name="source.bin")
    reader = PdfReader(out)
    assert pages == len(reader.pages) == 1
    assert reader.attachments["source.bin"] == [data]
    images = [img for p in reader.pages for img in p.images]
    assert images and images[0].image.size == (640, 320)
    assert "演练现场" in _pages(reader)[0]


# --- Typst: pages before a block that moved whole (GB/T 9704 7.3.5.1, 调整行距) -----------------
def _blk(kind, before=0.0, sticky=False, **kw):
    return {"kind": kind, "before": before, "sticky": sticky, "keep": False, "align": "justify", "sticks": False, **kw}


def test_typst_squeezes_a_page_only_as_far_as_the_layout_allows():
    from workplan import layout as L
    from workplan.render.typst.writer import _Marks, _squeeze_for, _type_area
    top, bottom, line = _type_area()
    doc = {"keep": False, "blocks": [_blk("Paragraph"), _blk("Paragraph", sticky=True),
                                     _blk("Signature", before=2 * line), _blk("Imprint")]}

    def marks(body_lines):   # the body fills `body_lines` lines of page 2; the signature (4 lines) moved to page 3
        y = top + body_lines * line
        return _Marks(starts={0: (1, top), 1: (2, top), 2: (3, top), 3: (3, top + 6 * line)},
                      ends={0: (2, top), 1: (2, y), 2: (3, top + 6 * line), 3: (3, bottom)})

    # 17 lines + 2 blank + 4 of signature = 23 lines on a 22-line page: closer lines fit them
    j, k, c, f = _squeeze_for(doc, marks(17), set())
    assert (j, k, c) == (1, 2, 2)
    assert L.MIN_LINE_PITCH_FACTOR <= f < 1 and f * (17 + 2 + 4) * line <= bottom - top
    # 19 + 6 = 25 lines would need 0.88 of the pitch: still allowed; 21 + 6 = 27 is not
    assert _squeeze_for(doc, marks(19), set()) is not None
    assert _squeeze_for(doc, marks(21), set()) is None
    # a page that ends no more than two blank lines early is left alone
    assert _squeeze_for(doc, marks(20), set()) is None


@needs_corpus
def test_typst_squeezed_page_keeps_caption_and_table_header_with_the_text(tmp_path):
    """report-holiday-security, zh-en: the caption of table 2 stays with its header and its first
    row, which never splits (render/paginate.py): where they do not fit on page 4 even with its
    lines set closer, they start page 5 together; no page is set closer than
    layout.MIN_LINE_PITCH_FACTOR of the pitch."""
    from workplan import layout as L
    from workplan.render import build_file
    src = Path(__file__).resolve().parents[1] / "corpus" / "report-holiday-security.yaml"
    build_file(src, tmp_path, langs=["zh-en"], formats=["pdf"], pdf_engine="typst")
    reader = PdfReader(str(tmp_path / "report-holiday-security.zh-en.pdf"))
    texts = [_squash(p.extract_text()) for p in reader.pages]
    page = next(i for i, t in enumerate(texts) if _squash("表2任务推进情况表") in t)
    assert _squash("Lead Unit") in texts[page] and _squash("开展节前安全隐患排查") in texts[page]
    for pg in reader.pages:
        ys = sorted({round(y, 1) for y, _x, t in _lines(pg) if re.search(r"[\u4e00-\u9fff]{6}", t)})
        gaps = [b - a for a, b in zip(ys, ys[1:]) if b - a > 5]
        assert not gaps or min(gaps) >= L.MIN_LINE_PITCH_FACTOR * L.LINE_PITCH_PT - 0.5, gaps
