#!/usr/bin/env python
"""Archive benchmark, measured in this run against baselines measured in the same run.

1. **Adds per second for pre-rendered documents.** A real corpus document is rendered once
   (DOCX + PDF, zh); N variants of its data file (different document numbers, so each is a new
   record) are archived with those renditions (``--from DIR`` style: source + DOCX + PDF +
   metadata, a BagIt bag each, fsynced, logged, catalogued):

   - ``single``: ``workplan.ingest.add_data_file`` one by one (each add takes the lock, fsyncs, logs);
   - ``batch``: ``workplan.ingest.add_data_files`` in batches of 25, as ``workplan archive add`` does
     (each record still atomic on its own; fsyncs and transactions shared);
   - ``cli``: ``workplan archive add DIR --from PRE`` end to end (process start-up and the
     search-index hook, i.e. search's own indexing, included), on a separate archive.

   Target: ≥ 50 records/s.

2. **verify for 1,000 records against sha256sum.** ``verify`` recomputes every hash (payload and
   tag files) and cross-checks catalogue, bags and event log; the baseline is GNU ``sha256sum``
   over exactly the files verify hashes (via ``xargs``), page cache warm for both, median of
   ``--repeat`` alternating runs. Target: verify within 1.5× of sha256sum.

    .venv/bin/python bench/bench_archive.py [--records 1000] [--repeat 3] [--keep]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workplan.archive import init_archive  # noqa: E402
from workplan.ingest import add_data_file, add_data_files  # noqa: E402

ADD_TARGET = 50.0
VERIFY_TARGET = 1.5
SOURCE = ROOT / "corpus" / "winter-fire-safety.yaml"


def render_once(work: Path) -> tuple[Path, Path]:
    """The real zh DOCX and PDF of the corpus document (synthetic stand-ins if rendering fails)."""
    out = work / "rendered"
    try:
        from workplan.render import build_file
        res = build_file(SOURCE, out, langs=["zh"], formats=["docx", "pdf"])
        docx = next(p for p in res.outputs if p.suffix == ".docx")
        pdf = next(p for p in res.outputs if p.suffix == ".pdf")
        return docx, pdf
    except Exception as e:  # noqa: BLE001
        print(f"(rendering failed: {e}; using synthetic files)")
        import docx as python_docx
        from pypdf import PdfWriter
        out.mkdir(parents=True, exist_ok=True)
        w = PdfWriter()
        for _ in range(6):
            w.add_blank_page(595, 842)
        w.write(str(out / "x.pdf"))
        d = python_docx.Document()
        d.add_paragraph("测试" * 2000)
        d.save(str(out / "x.docx"))
        return out / "x.docx", out / "x.pdf"


def make_variants(work: Path, n: int, docx: Path, pdf: Path, start: int = 1) -> tuple[Path, Path]:
    src_dir, pre = work / f"src-{start}", work / f"pre-{start}"
    src_dir.mkdir(parents=True)
    pre.mkdir(parents=True)
    text = SOURCE.read_text(encoding="utf-8")
    for i in range(start, start + n):
        stem = f"bench-{i:05d}"
        (src_dir / f"{stem}.yaml").write_text(
            re.sub(r"doc_number: .*", f"doc_number: 青社发〔2023〕{i}号", text, count=1), encoding="utf-8")
        shutil.copyfile(docx, pre / f"{stem}.zh.docx")
        shutil.copyfile(pdf, pre / f"{stem}.zh.pdf")
    return src_dir, pre


def sha256sum_baseline(files: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(["xargs", "-0", "sha256sum"], input="\0".join(files).encode(), stdout=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--single", type=int, default=100, help="how many of them to add one by one")
    ap.add_argument("--cli", type=int, default=200, help="records for the end-to-end CLI measurement (0: skip)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the temporary archive")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    try:
        docx, pdf = render_once(work)
        print(f"pre-rendered document: {SOURCE.name}: DOCX {docx.stat().st_size:,} B, PDF {pdf.stat().st_size:,} B")
        src_dir, pre = make_variants(work, args.records, docx, pdf)
        sources = sorted(src_dir.glob("*.yaml"))
        arc = init_archive(work / "archive", fonds="J001", name="基准测试")

        # 1. adds/s (after a warm-up of 10 records: imports, caches, the first fsyncs)
        for p in sources[:10]:
            add_data_file(arc, p, prebuilt=pre, notify=False)
        n1 = min(args.single, len(sources) - 10)
        t = time.perf_counter()
        for p in sources[10:10 + n1]:
            add_data_file(arc, p, prebuilt=pre, notify=False)
        single = n1 / (time.perf_counter() - t)
        rest = sources[10 + n1:]
        t = time.perf_counter()
        for i in range(0, len(rest), 25):
            add_data_files(arc, rest[i:i + 25], prebuilt=pre, notify=False)
        batch = len(rest) / (time.perf_counter() - t) if rest else float("nan")
        print(f"adds, one by one (API):          {single:7.1f} records/s  ({n1} records)")
        print(f"adds, batches of 25 (API):       {batch:7.1f} records/s  ({len(rest)} records)")
        cli_rate = None
        if args.cli:
            csrc, cpre = make_variants(work, args.cli, docx, pdf, start=100001)
            init_archive(work / "cli-archive", fonds="J001", name="基准测试").close()
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "workplan.cli", "archive", "--archive", str(work / "cli-archive"),
                                "add", str(csrc), "--from", str(cpre)], capture_output=True, text=True, cwd=ROOT)
            dt_cli = time.perf_counter() - t
            if r.returncode != 0:
                print("CLI add failed:", r.stderr[-2000:])
            else:
                cli_rate = args.cli / dt_cli
                print(f"adds, `workplan archive add` (CLI, start-up and search hook included): "
                      f"{cli_rate:7.1f} records/s  ({args.cli} records in {dt_cli:.2f} s)")
        print(f"  target ≥ {ADD_TARGET:.0f}/s: one by one {'met' if single >= ADD_TARGET else 'NOT met'}, "
              f"batched {'met' if batch >= ADD_TARGET else 'NOT met'}")

        # 2. verify vs sha256sum
        files = [str(p) for p in sorted((arc.root / "bags").rglob("*")) if p.is_file()]
        size = sum(os.path.getsize(f) for f in files)
        n_records = len(arc.records())
        print(f"\nverify: {n_records} records, {len(files)} files, {size / 1e6:.1f} MB")
        sha256sum_baseline(files)  # warm the page cache
        base, api, cli = [], [], []
        for _ in range(args.repeat):
            base.append(sha256sum_baseline(files))
            rep = arc.verify(record_event=False)
            assert rep.ok, [f.format() for f in rep.findings[:5]]
            assert rep.files == len(files), (rep.files, len(files))
            api.append(rep.seconds)
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "workplan.cli", "archive", "--archive", str(arc.root), "verify"],
                               capture_output=True, text=True, cwd=ROOT)
            cli.append(time.perf_counter() - t)
            assert r.returncode == 0, r.stderr[-2000:]
        b, a, c = statistics.median(base), statistics.median(api), statistics.median(cli)
        print(f"sha256sum over the same files:   {b:6.3f} s")
        print(f"verify (in process):             {a:6.3f} s   ratio {a / b:.2f}×")
        print(f"`workplan archive verify` (CLI): {c:6.3f} s   ratio {c / b:.2f}×  (process start-up included)")
        print(f"  target ≤ {VERIFY_TARGET}× sha256sum: {'met' if a / b <= VERIFY_TARGET else 'NOT met'} in process, "
              f"{'met' if c / b <= VERIFY_TARGET else 'NOT met'} from the command line")
        arc.close()
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
