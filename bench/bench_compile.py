#!/usr/bin/env python
"""Annual compilation benchmark: a volume from 500 archived documents (about 5,000 pages).

Set-up (not timed): the corpus programs are rendered to PDF once (zh), and 500 records are
archived from copies of those PDFs (``workplan.ingest.add_files``: each a BagIt bag with its own hash)
with varied titles, issuers (12 units), kinds and dates across the year, choosing documents so
that the volume has about 10 pages per document.

Measured, each in its own process (wall time and peak RSS of that process, from ``wait4``):

- ``compile``: ``workplan compile --year 2024 -o volume.pdf`` end to end: fixity check of every
  record, front matter (cover, contents, statistics, catalogue) laid out by WeasyPrint, every
  archived page copied, volume page numbers stamped, bookmarks, written atomically;
- ``baseline``: the same PDFs concatenated with a bare pypdf ``PdfWriter`` (no checks, no
  front matter, no stamps, no bookmarks) — the floor for any pypdf-based assembly.

Targets: compile under 60 s and under 1 GB peak memory on this machine.

    .venv/bin/python bench/bench_compile.py [--docs 500] [--pages-per-doc 10] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TIME_TARGET_S = 60.0
MEMORY_TARGET_MB = 1024.0
YEAR = 2024
UNITS = [("青松社区居委会", "QSSQ"), ("东湖街道办事处", "DHJD"), ("东湖派出所", "DHPCS"), ("东湖消防救援站", "DHXF"),
         ("柳岸社区居委会", "LASQ"), ("南湖街道办事处", "NHJD"), ("南湖派出所", "NHPCS"), ("区应急管理局", "YJJ"),
         ("区教育局", "JYJ"), ("区民政局", "MZJ"), ("区司法局", "SFJ"), ("区卫生健康局", "WJJ")]
KINDS = ("program", "program", "standards", "legacy")


def render_corpus(work: Path) -> list[tuple[Path, int]]:
    """Each corpus program's zh PDF and its page count (rendered once)."""
    from pypdf import PdfReader

    from workplan.render import build_file
    out = work / "rendered"
    pdfs = []
    for src in sorted((ROOT / "corpus").glob("*.yaml")):
        if src.name.startswith("report-"):
            continue
        res = build_file(src, out, langs=["zh"], formats=["pdf"])
        pdf = res.outputs[0]
        pdfs.append((pdf, len(PdfReader(str(pdf)).pages)))
    return pdfs


def choose(pdfs: list[tuple[Path, int]], n: int, per_doc: float) -> list[tuple[Path, int]]:
    """n documents whose pages average about ``per_doc``: greedily keep the running mean near it."""
    chosen: list[tuple[Path, int]] = []
    total = 0
    for i in range(n):
        want = per_doc * (i + 1) - total
        best = min(pdfs, key=lambda p: (abs(p[1] - want), str(p[0])))
        # rotate among equally good documents so the volume is not one document 500 times
        ties = [p for p in pdfs if abs(p[1] - want) <= abs(best[1] - want) + 2]
        pick = ties[i % len(ties)]
        chosen.append(pick)
        total += pick[1]
    return chosen


def build_archive(root: Path, work: Path, docs: int, per_doc: float) -> tuple[int, int, list[Path]]:
    from workplan.archive import init_archive
    from workplan.ingest import add_files
    t0 = time.perf_counter()
    pdfs = render_corpus(work)
    t_render = time.perf_counter() - t0
    arc = init_archive(root, fonds="J001", name="东湖街道办事处")
    chosen = choose(pdfs, docs, per_doc)
    files = []
    t0 = time.perf_counter()
    for i, (pdf, _pages) in enumerate(chosen):
        unit, abbr = UNITS[i % len(UNITS)]
        d = work / "copies" / f"{i:04d}"
        d.mkdir(parents=True)
        f = d / f"doc{i:04d}.zh.pdf"
        shutil.copyfile(pdf, f)
        month, day = 1 + (i * 7) % 12, 1 + (i * 11) % 28
        add_files(arc, [f], title=f"{unit}关于{YEAR}年第{i + 1}项工作的{'方案' if i % 4 != 3 else '通知'}",
                      issuer=unit, issuer_abbr=abbr, date=f"{YEAR}-{month:02d}-{day:02d}", kind=KINDS[i % len(KINDS)],
                      doc_number=f"{abbr}发〔{YEAR}〕{i + 1}号", notify=False)
        files.append(f)
    print(f"set-up: rendered {len(pdfs)} corpus PDFs in {t_render:.1f} s; archived {docs} records "
          f"({sum(p for _, p in chosen)} pages) in {time.perf_counter() - t0:.1f} s")
    return docs, sum(p for _, p in chosen), files


def run_measured(cmd: list[str]) -> tuple[float, float, int, str, str]:
    """(wall seconds, peak RSS MB, exit code, stdout, stderr) of one child process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _pid, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024, p.returncode, out.read().decode(), err.read().decode()


BASELINE = r"""
import sys
from pypdf import PdfReader, PdfWriter
w = PdfWriter()
for line in open(sys.argv[1], encoding="utf-8"):
    for page in PdfReader(line.strip()).pages:
        w.add_page(page)
w.write(sys.argv[2])
print(len(w.pages))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--pages-per-doc", type=float, default=10.0)
    ap.add_argument("--keep", type=Path, help="Keep the work folder here (archive, volume); reuse it if it exists.")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-compile-"))
    work.mkdir(parents=True, exist_ok=True)
    root = work / "archive"
    try:
        if (root / "archive.json").exists():
            from workplan.archive import open_archive
            arc = open_archive(root)
            recs = arc.records(year=YEAR)
            files = [arc.file(r, r.main_pdf_role) for r in recs]
            docs, pages = len(recs), sum(r.pages or 0 for r in recs)
            print(f"set-up: reusing {root} ({docs} records, {pages} pages)")
        else:
            docs, pages, files = build_archive(root, work, args.docs, args.pages_per_doc)

        listing = work / "files.txt"
        listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
        b_wall, b_rss, b_rc, b_out, b_err = run_measured([sys.executable, "-c", BASELINE, str(listing),
                                                          str(work / "baseline.pdf")])
        if b_rc != 0:
            sys.exit(f"baseline failed:\n{b_err}")

        volume = work / "volume.pdf"
        c_wall, c_rss, c_rc, c_out, c_err = run_measured([sys.executable, "-m", "workplan.cli", "compile",
                                                          "--year", str(YEAR), "--archive", str(root),
                                                          "-o", str(volume), "--date", "2025-01-10"])
        if c_rc != 0:
            sys.exit(f"compile failed:\n{c_err}")
        from pypdf import PdfReader
        vol = PdfReader(str(volume))
        vol_pages = len(vol.pages)
        bookmarks = sum(len(o) for o in vol.outline if isinstance(o, list))
        print(c_out.strip())
        print()
        print(f"{'':22}{'wall s':>9}{'peak MB':>10}")
        print(f"{'baseline (bare pypdf)':22}{b_wall:9.1f}{b_rss:10.0f}   {int(b_out.strip())} pages")
        print(f"{'workplan compile':22}{c_wall:9.1f}{c_rss:10.0f}   {vol_pages} pages, {bookmarks} bookmarks, "
              f"{volume.stat().st_size / 1e6:.0f} MB file")
        print(f"{'ratio compile/baseline':22}{c_wall / b_wall:9.2f}{c_rss / b_rss:10.2f}")
        print()
        ok_t, ok_m = c_wall < TIME_TARGET_S, c_rss < MEMORY_TARGET_MB
        print(f"target: under {TIME_TARGET_S:.0f} s: {'PASS' if ok_t else 'FAIL'} ({c_wall:.1f} s, "
              f"{pages / c_wall:.0f} pages/s); under {MEMORY_TARGET_MB:.0f} MB: {'PASS' if ok_m else 'FAIL'} "
              f"({c_rss:.0f} MB)")
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / "bench_compile.json").write_text(json.dumps({
            "docs": docs, "pages": pages, "volume_pages": vol_pages, "bookmarks": bookmarks,
            "compile_s": round(c_wall, 2), "compile_peak_mb": round(c_rss), "baseline_s": round(b_wall, 2),
            "baseline_peak_mb": round(b_rss), "targets": {"s": TIME_TARGET_S, "mb": MEMORY_TARGET_MB},
            "pass": ok_t and ok_m}, indent=2), encoding="utf-8")
        if not (ok_t and ok_m):
            sys.exit(1)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
