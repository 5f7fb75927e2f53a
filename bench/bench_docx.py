#!/usr/bin/env python
"""DOCX writer benchmark: time per document against plain python-docx, measured in this run.

For each corpus file and language, the IR is built once; then, after a warm-up, the median of
``--repeat`` runs is taken for

- ``baseline``: plain python-docx (``Document()``, one ``add_paragraph`` per text block, one
  ``add_table`` per table, ``save``) — the ≈55 ms floor the brief measured for a document;
- ``workplan``: ``write_docx`` (template from cache, docxtpl letterhead, styles, body, save).

and the ratio workplan/baseline is printed. Target: a 10-page program under 0.1 s
(safe-community-creation.zh is the largest corpus program, 16 pages in LibreOffice).

    .venv/bin/python bench/bench_docx.py [--repeat 7] [--lang zh,zh-en]
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workplan.model import load_document  # noqa: E402
from workplan.render.docx import write_docx  # noqa: E402
from workplan.render.ir import Table  # noqa: E402
from workplan.render.resolve import build_ir  # noqa: E402

TARGET_S = 0.1


def baseline(rdoc) -> bytes:
    from docx import Document
    doc = Document()
    for b in rdoc.blocks:
        if isinstance(b, Table):
            t = doc.add_table(rows=1 + len(b.rows), cols=len(b.header))
            for r, row in enumerate([b.header] + b.rows):
                cells = t.rows[r].cells
                for c, text in enumerate(row[:len(cells)]):
                    cells[c].text = text
        else:
            text = getattr(b, "text", None) or getattr(b, "label", None) or ""
            doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def ours(rdoc, out: Path) -> None:
    write_docx(rdoc, out)


def median_time(fn, repeat: int) -> float:
    fn()  # warm-up (imports, template cache)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--lang", default="zh,en,zh-en")
    args = ap.parse_args()
    out = Path("/tmp") / "bench_docx.docx"
    print(f"{'document':34} {'lang':6} {'blocks':>6} {'baseline ms':>11} {'workplan ms':>11} {'ratio':>6}")
    worst = 0.0
    for src in sorted((ROOT / "corpus").glob("*.yaml")):
        doc = load_document(src)
        for lang in args.lang.split(","):
            rdoc = build_ir(doc, lang, allow_missing=True)
            b = median_time(lambda: baseline(rdoc), args.repeat)
            w = median_time(lambda: ours(rdoc, out), args.repeat)
            worst = max(worst, w)
            print(f"{src.stem:34} {lang:6} {len(rdoc.blocks):6d} {b * 1000:11.1f} {w * 1000:11.1f} {w / b:6.2f}")
    # scaling: a synthetic document and one four times its size (a long table included);
    # the time ratio should stay near 4 (linear), not 16 (quadratic)
    import datetime as dt
    from workplan.render.ir import Heading, Paragraph, RenderDoc, Title

    def synthetic(n: int) -> RenderDoc:
        blocks = [Title("规模测试")]
        for i in range(n):
            blocks += [Heading(2, f"（{i}）", "标题。", body="正文内容" * 20), Paragraph("段落文字，“引号”——破折号。" * 5)]
        blocks.append(Table("generic", ["序号", "内容", "备注"], [[str(i), "文字" * 10, ""] for i in range(n)],
                            (20.0, 100.0, 36.0)))
        return RenderDoc("zh", blocks, "规模测试", "测试", "", [], dt.date(2024, 1, 1))
    small, big = synthetic(500), synthetic(2000)
    ts = median_time(lambda: ours(small, out), max(3, args.repeat // 2))
    tb = median_time(lambda: ours(big, out), max(3, args.repeat // 2))
    print(f"scaling: 500 sections {ts * 1000:.0f} ms, 2000 sections {tb * 1000:.0f} ms, ratio {tb / ts:.1f} "
          f"(4.0 = linear)")
    verdict = "OK" if worst < TARGET_S else "SLOWER THAN TARGET"
    print(f"slowest document: {worst * 1000:.1f} ms (target < {TARGET_S * 1000:.0f} ms per 10-page program): {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
