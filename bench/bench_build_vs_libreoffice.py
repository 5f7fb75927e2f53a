#!/usr/bin/env python
"""Whole-process PDF build against LibreOffice, in one run.

Times, as separate processes with their start-up included:

* ``soffice --headless --convert-to pdf`` of the corpus's Chinese DOCX files, all in one call
  (the baseline: what an office's usual tool costs). It runs with a fresh user profile
  (``-env:UserInstallation=file:///tmp/...``) that is warmed once by an untimed conversion
  first, since LibreOffice builds its profile on the first start;
* ``workplan build corpus/ --lang zh --format pdf --jobs 1`` with each PDF engine
  (``--pdf-engine typst`` and ``weasyprint``), and the same with ``--jobs 2``. Each command is
  run once first too (Python byte-code, page cache), like the LibreOffice profile. workplan
  runs with a private, initially empty rendering cache (``XDG_CACHE_HOME``, see
  render/cache.py: charts and title breaks); those first runs are timed and reported apart as
  "cold" — what the very first build of new documents costs — and the rounds after them show
  a rebuild (matplotlib keeps its usual font cache: only workplan's own cache starts empty).

A build of 8 documents takes about a second with Typst, so start-up (Python, imports, the
check of every file, each worker's first compile) is most of it and a second process cannot
halve it. ``--jobs`` scaling is therefore also measured on the bigger build the corpus makes
in every language (``--lang zh,en,zh-en``, 24 PDFs), per engine.

Rounds are interleaved (LibreOffice, then every workplan command, then again) so that a busy
machine slows all of them alike; the median of ``--repeat`` rounds is reported, with wall and
CPU time (user + system of the process and its children), the pages written, the ratio
ours / LibreOffice (goal: ≤ 1.0), the speed-up of --jobs 2 over --jobs 1 (goal: ≥ 1.6) and the
1-minute load average before and after each round.

    .venv/bin/python bench/bench_build_vs_libreoffice.py
    .venv/bin/python bench/bench_build_vs_libreoffice.py --repeat 5 --engines typst
    git archive 9e7ef45 | tar -x -C /tmp/before       # an older tree, to time "before"
    .venv/bin/python bench/bench_build_vs_libreoffice.py --before /tmp/before

Results are also written as JSON to bench/results/build-vs-libreoffice-<time>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKPLAN = Path(sys.executable).with_name("workplan")
TARGET_RATIO = 1.0
TARGET_JOBS_SPEEDUP = 1.6


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Wall and CPU seconds (this child and its own children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def pages(folder: Path) -> int:
    from pypdf import PdfReader
    return sum(len(PdfReader(str(p)).pages) for p in folder.glob("*.pdf"))


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--repeat", type=int, default=3, help="rounds (median reported; default 3)")
    ap.add_argument("--engines", default="typst,weasyprint", help="PDF engines to time (default: both)")
    ap.add_argument("--scaling-engines", default="typst",
                    help="engines whose --jobs scaling is also timed on the 3-language build (default: typst)")
    ap.add_argument("--soffice", default=shutil.which("soffice") or "soffice")
    ap.add_argument("--before", type=Path, help="a workplan source tree (with src/) to time too, as 'before': "
                                                  "its build --lang zh --format pdf --jobs 1, run by this Python")
    args = ap.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not shutil.which(args.soffice):
        print("soffice not found: apt-get install libreoffice-writer-nogui", file=sys.stderr)
        return 2
    corpus = args.corpus.resolve()
    work = Path(tempfile.mkdtemp(prefix="bench-lo-"))
    try:
        # the same documents as DOCX, for LibreOffice (not timed)
        docx = work / "docx"
        run([str(WORKPLAN), "build", str(corpus), "--lang", "zh", "--format", "docx", "-o", str(docx)], ROOT)
        files = sorted(str(p) for p in docx.glob("*.docx"))
        profile = work / "lo-profile"
        lo_cmd = lambda out: [args.soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",  # noqa: E731
                              "--convert-to", "pdf", "--outdir", str(out), *files]
        ours = {(e, j, langs): (lambda out, e=e, j=j, langs=langs: [
                    str(WORKPLAN), "build", str(corpus), "--lang", langs, "--format", "pdf", "--jobs", str(j),
                    "--pdf-engine", e, "-o", str(out)])
                for langs in ("zh", "zh,en,zh-en") for e in engines for j in (1, 2)
                if langs == "zh" or e in args.scaling_engines.split(",")}
        label = {k: f"{k[0]} --jobs {k[1]}" + ("" if k[2] == "zh" else " (3 langs)") for k in ours}
        if args.before:
            before_src = (args.before / "src").resolve()
            ours["before"] = lambda out: ["env", f"PYTHONPATH={before_src}", sys.executable, "-c",
                                          "import sys; from workplan.cli import main; sys.argv[0] = 'workplan'; main()",
                                          "build", str(corpus), "--lang", "zh", "--format", "pdf", "--jobs", "1",
                                          "-o", str(out)]
            label["before"] = f"before ({args.before.name}) --jobs 1"
        import matplotlib
        env = {**os.environ, "XDG_CACHE_HOME": str(fresh(work / "cache")), "MPLCONFIGDIR": matplotlib.get_cachedir()}
        print(f"{len(files)} documents; {os.cpu_count()} cores; warming up: LibreOffice creates its fresh "
              f"profile in {profile} with one (untimed) conversion; each workplan command runs once with an "
              f"empty rendering cache in {env['XDG_CACHE_HOME']} (timed as 'cold')")
        run([args.soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(fresh(work / "warm")), files[0]], ROOT)
        cold = {}
        for k, cmd in ours.items():
            if k != "before" and k[1] == 1 and k[2] == "zh":   # each engine's first zh --jobs 1 run: empty cache
                shutil.rmtree(work / "cache" / "workplan", ignore_errors=True)
            cold[label[k]] = run(cmd(fresh(work / "warm")), ROOT, env)
        times: dict[str, list[dict]] = {"libreoffice": []}
        times.update({label[k]: [] for k in ours})
        loads: list[tuple[float, float]] = []
        npages: dict[str, int] = {}
        for r in range(args.repeat):
            load0 = os.getloadavg()[0]
            out = fresh(work / "lo")
            times["libreoffice"].append(run(lo_cmd(out), ROOT))
            npages["libreoffice"] = pages(out)
            for k, cmd in ours.items():
                out = fresh(work / "ours")
                times[label[k]].append(run(cmd(out), ROOT, env))
                npages[label[k]] = pages(out)
            loads.append((load0, os.getloadavg()[0]))
            print(f"round {r + 1}/{args.repeat}: load average {load0:.2f} → {loads[-1][1]:.2f}")

        med = {k: {m: statistics.median(x[m] for x in v) for m in ("wall", "cpu")} for k, v in times.items()}
        lo = med["libreoffice"]
        print()
        print(f"{'command':34s} {'pages':>5s} {'wall s':>7s} {'CPU s':>7s} {'wall/LO':>8s} {'CPU/LO':>7s}")
        for k, m in med.items():
            print(f"{k:34s} {npages[k]:5d} {m['wall']:7.2f} {m['cpu']:7.2f} {m['wall'] / lo['wall']:8.2f} "
                  f"{m['cpu'] / lo['cpu']:7.2f}")
        for k, m in cold.items():
            if k.endswith("--jobs 1") and not k.startswith("before"):
                print(f"{k + ' cold':34s} {'':5s} {m['wall']:7.2f} {m['cpu']:7.2f} {m['wall'] / lo['wall']:8.2f} "
                      f"{m['cpu'] / lo['cpu']:7.2f}   (first run, empty cache; load differs)")
        print()
        summary = {}
        for e in engines:
            ratio = med[f"{e} --jobs 1"]["wall"] / lo["wall"]
            speedup = med[f"{e} --jobs 1"]["wall"] / med[f"{e} --jobs 2"]["wall"]
            big = (med[f"{e} --jobs 1 (3 langs)"]["wall"] / med[f"{e} --jobs 2 (3 langs)"]["wall"]
                   if f"{e} --jobs 1 (3 langs)" in med else None)
            summary[e] = {"ratio_jobs1_vs_libreoffice": ratio, "jobs2_speedup": speedup, "jobs2_speedup_3_langs": big}
            print(f"{e:10s} --jobs 1 / LibreOffice = {ratio:.2f} (goal ≤ {TARGET_RATIO}: "
                  f"{'met' if ratio <= TARGET_RATIO else 'NOT met'});  --jobs 2 speed-up {speedup:.2f}×"
                  + (f" (3 languages: {big:.2f}×)" if big else "") + f"; goal ≥ {TARGET_JOBS_SPEEDUP}")
        print("load average (1 min) before → after each round: "
              + ", ".join(f"{a:.2f}→{b:.2f}" for a, b in loads))
        results = ROOT / "bench" / "results"
        results.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = results / f"build-vs-libreoffice-{stamp}.json"
        path.write_text(json.dumps({"runs": times, "cold": cold, "median": med, "pages": npages, "summary": summary,
                                    "loadavg": loads, "cores": os.cpu_count()}, indent=2), encoding="utf-8")
        print(f"results: {path.relative_to(ROOT)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
