"""Import quality and speed: section recall, item recall, title accuracy and character
coverage per format over tests/import_cases/, the reference .txt files, and the speed of a
10-page DOCX and PDF (built from a corpus file) against reading the same file's bytes.

    .venv/bin/python bench/bench_import.py [--reference /work/shared/reference]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "import_cases"
sys.path.insert(0, str(CASES))

from score import score  # noqa: E402

from workplan.readers import read_file  # noqa: E402
from workplan.model import Document  # noqa: E402


def quality() -> None:
    rows = {}
    details = []
    for exp_file in sorted(CASES.glob("*.expected.yaml")):
        name = exp_file.name.removesuffix(".expected.yaml")
        exp = yaml.safe_load(exp_file.read_text(encoding="utf-8"))
        for fmt in ("txt", "docx", "pdf"):
            src = CASES / f"{name}.{fmt}"
            if not src.exists():
                continue
            r = read_file(src)
            Document.model_validate(r.data)
            s = score(r.report, exp)
            s["seconds"] = r.report["seconds"]
            rows.setdefault(fmt, []).append(s)
            if s["section_hits"] < s["sections"] or not s["title_ok"] or s["item_hits"] < s["items"]:
                details.append(f"  {name}.{fmt}: sections {s['section_hits']}/{s['sections']}, items "
                               f"{s['item_hits']}/{s['items']}, title {'ok' if s['title_ok'] else repr(r.report['title'])}")
    print(f"{'format':<6} {'files':>5} {'section recall':>15} {'type accuracy':>14} {'item recall':>12} "
          f"{'title acc.':>10} {'coverage':>9} {'extra secs':>10}")
    for fmt, ss in rows.items():
        n = sum(s["sections"] for s in ss)
        h = sum(s["section_hits"] for s in ss)
        t = sum(s["type_hits"] for s in ss)
        it = sum(s["items"] for s in ss)
        ih = sum(s["item_hits"] for s in ss)
        print(f"{fmt:<6} {len(ss):>5} {h / n:>14.1%} {t / max(h, 1):>14.1%} {ih / max(it, 1):>12.1%} "
              f"{sum(s['title_ok'] for s in ss) / len(ss):>10.1%} {statistics.mean(s['coverage'] for s in ss):>9.1%} "
              f"{sum(s['extra_sections'] for s in ss):>10}")
    if details:
        print("misses:")
        print("\n".join(details))


def reference(folder: Path) -> None:
    print(f"\nreference documents ({folder}):")
    for f in sorted(folder.glob("*.txt")):
        r = read_file(f)
        Document.model_validate(r.data)
        rep = r.report
        secs = ", ".join(f"{s['type']}:{s['title'][:18]}" for s in rep["sections"][:8])
        more = f" … +{len(rep['sections']) - 8}" if len(rep["sections"]) > 8 else ""
        print(f"  {f.name}: {rep['lang']}, title {rep['title']!r:.40}, {len(rep['sections'])} sections, "
              f"coverage {rep['coverage']:.1%}, {rep['seconds']:.2f} s\n    {secs}{more}")


def speed() -> None:
    """A long program (the largest corpus file, bilingual) built by `workplan build` as DOCX and PDF,
    then imported; the baseline is the bare library read of the same file in the same run
    (python-docx opening the package and walking its paragraphs; pypdf extracting the text)."""
    import docx
    from pypdf import PdfReader
    src = ROOT / "corpus" / "safe-community-creation.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        wp = Path(sys.executable).parent / "workplan"
        subprocess.run([str(wp), "build", str(src), "-o", tmp, "--lang", "zh-en", "--force"], capture_output=True)
        pdf = next(Path(tmp).glob("*.pdf"))
        pages = len(PdfReader(pdf).pages)
        baselines = {"docx": lambda f: [p.text for p in docx.Document(f).paragraphs],
                     "pdf": lambda f: [p.extract_text() for p in PdfReader(f).pages]}
        for fmt in ("docx", "pdf"):
            f = next(Path(tmp).glob(f"*.{fmt}"))

            def best(fn) -> float:
                times = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    fn(f)
                    times.append(time.perf_counter() - t0)
                return min(times)
            t_imp, t_base = best(read_file), best(baselines[fmt])
            print(f"  {fmt}: {pages} pages: import {t_imp:.3f} s = {t_imp / pages * 10:.3f} s per 10 pages "
                  f"(target < 1 s); bare library read {t_base:.3f} s; ratio {t_imp / t_base:.2f}")


def engines() -> None:
    """pypdf (used) against pdfplumber (if installed) on the case PDFs and a built corpus PDF:
    extraction time and the share of the case's text found (characters of the TXT twin)."""
    from collections import Counter

    from pypdf import PdfReader
    try:
        import pdfplumber
    except ImportError:
        pdfplumber = None
    pdfs = sorted(CASES.glob("*.pdf"))

    def chars(s: str) -> Counter:
        return Counter(c for c in s if not c.isspace())

    for name, fn in (("pypdf", lambda f: [p.extract_text() or "" for p in PdfReader(f).pages]),
                     ("pdfplumber", (lambda f: _plumber(pdfplumber, f)) if pdfplumber else None)):
        if fn is None:
            print(f"  {name}: not installed (pip install pdfplumber to compare)")
            continue
        t0 = time.perf_counter()
        got = tot = 0
        for f in pdfs:
            text = "".join(fn(f))
            want = chars(f.with_suffix(".txt").read_text(encoding="utf-8"))
            have = chars(text)
            got += sum(min(c, have[k]) for k, c in want.items())
            tot += sum(want.values())
        print(f"  {name}: {len(pdfs)} PDFs in {time.perf_counter() - t0:.3f} s; text found {got / tot:.1%}")


def _plumber(pdfplumber, f):
    with pdfplumber.open(f) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", default="/work/shared/reference")
    args = ap.parse_args()
    print("load average:", Path("/proc/loadavg").read_text().split()[:3] if os.path.exists("/proc/loadavg") else "?")
    quality()
    if Path(args.reference).is_dir():
        reference(Path(args.reference))
    print("\nPDF text engines:")
    engines()
    print("\nspeed:")
    speed()


if __name__ == "__main__":
    main()
