#!/usr/bin/env python
"""PDF writer benchmark: ms per document and pages/s, against bare WeasyPrint in the same run.

For each document it times ``write_pdf`` (HTML from the templates, layout, PDF/A-3b with the
source attached, fonts subsetted) several times in one warm process and keeps the best and
the median. The baseline is the same text as plain ``<p>`` paragraphs in one system CJK face,
laid out and written by WeasyPrint with no stylesheet of ours, no PDF/A and no attachment:
what any WeasyPrint document of that length costs. Target: a 10-page program in under 0.5 s.

Documents: every corpus file in Chinese (and bilingual with --bilingual), plus "ten-page", the
winter fire-safety program with its body repeated until it fills about ten pages.

    .venv/bin/python bench/bench_pdf.py
    .venv/bin/python bench/bench_pdf.py --repeat 7 --bilingual
"""
from __future__ import annotations

import argparse
import html
import io
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workplan.model import load_document  # noqa: E402
from workplan.render.weasyprint import writer as pdf_writer  # noqa: E402
from workplan.render.ir import AttachmentList, Heading, RenderDoc, Signature  # noqa: E402
from workplan.render.resolve import build_ir  # noqa: E402

TARGET_10_PAGES_S = 0.5
BASELINE_CSS = "@page { size: A4; margin: 2cm } body { font-family: 'Noto Serif CJK SC'; font-size: 16pt }"


def scaled(rdoc: RenderDoc, times: int) -> RenderDoc:
    """The document with its body (first heading up to the annex list) repeated."""
    blocks = rdoc.blocks
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading))
    end = next(i for i, b in enumerate(blocks) if isinstance(b, (AttachmentList, Signature)))
    body = blocks[start:end]
    return replace(rdoc, blocks=blocks[:start] + body * times + blocks[end:])


def baseline_html(rdoc: RenderDoc) -> str:
    paras = "".join(f"<p>{html.escape(line)}</p>" for line in rdoc.plain_text().splitlines())
    return f"<!DOCTYPE html><html lang='zh-CN'><body>{paras}</body></html>"


def timed(fn, repeat: int) -> tuple[float, float, float, int]:
    """Best and median wall time, best CPU time of this process (robust when others load the
    machine), and the page count."""
    runs, cpu, pages = [], [], 0
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        pages = fn()
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(runs), statistics.median(runs), min(cpu), pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per document (best and median kept)")
    ap.add_argument("--bilingual", action="store_true", help="also time the zh-en documents")
    args = ap.parse_args()

    from weasyprint import CSS, HTML

    t = time.perf_counter()
    eng = pdf_writer.engine()
    setup = time.perf_counter() - t
    base_css = CSS(string=BASELINE_CSS, font_config=eng.font_config)
    print(f"engine set-up (templates, fonts, stylesheet; once per process): {setup * 1000:.0f} ms")

    winter = ROOT / "corpus" / "winter-fire-safety.yaml"
    docs: list[tuple[str, RenderDoc, bytes, str]] = []
    for path in sorted((ROOT / "corpus").glob("*.yaml")):
        doc = load_document(path)
        for lang in (("zh", "zh-en") if args.bilingual else ("zh",)):
            docs.append((f"{path.stem}.{lang}", build_ir(doc, lang, file=str(path)), path.read_bytes(), path.name))
    # a ten-page program: repeat the winter program's body until it reaches ten pages
    wdoc = build_ir(load_document(winter), "zh")
    for times in range(1, 8):
        candidate = scaled(wdoc, times)
        if pdf_writer.write_pdf(candidate, io.BytesIO()) >= 10:
            docs.append(("ten-page (winter body x%d).zh" % times, candidate, winter.read_bytes(), winter.name))
            break

    print(f"\n{'document':40} {'pages':>5} {'best ms':>8} {'median':>7} {'cpu ms':>7} {'pages/s':>8} "
          f"{'bare ms':>8} {'ratio':>6}")
    total_pages = total_s = 0.0
    for name, rdoc, data, src_name in docs:
        def ours() -> int:
            return pdf_writer.write_pdf(rdoc, io.BytesIO(), data, src_name)

        def bare() -> int:
            d = HTML(string=baseline_html(rdoc)).render(font_config=eng.font_config, stylesheets=[base_css])
            d.write_pdf(io.BytesIO())
            return len(d.pages)

        ours()  # warm this document's fonts and glyph caches
        best, median, cpu, pages = timed(ours, args.repeat)
        bare_best, _, _, _ = timed(bare, max(2, args.repeat // 2))
        total_pages += pages
        total_s += median
        flag = ""
        if name.startswith("ten-page"):
            flag = "  OK" if best < TARGET_10_PAGES_S else f"  SLOW (target {TARGET_10_PAGES_S * 1000:.0f} ms)"
        print(f"{name:40} {pages:5d} {best * 1000:8.0f} {median * 1000:7.0f} {cpu * 1000:7.0f} {pages / best:8.1f} "
              f"{bare_best * 1000:8.0f} {best / bare_best:6.2f}{flag}")
    print(f"\nall documents: {total_pages:.0f} pages in {total_s:.2f} s (medians) = {total_pages / total_s:.1f} pages/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
