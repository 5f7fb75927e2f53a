#!/usr/bin/env python
"""Start-up benchmark: `workplan --help` and `workplan validate FILE`, whole processes, timed
hyperfine-style (warm-up runs, then N runs; mean ± sd, median, min), against in the same run:

- ``python -c pass`` (the interpreter's own start-up: the floor), and
- the same commands run from the code of a baseline revision (default ``main``; its ``src/``
  is extracted with ``git archive`` into a temporary folder and put first on PYTHONPATH).

Also prints what `python -X importtime` says the slowest imports of ``import workplan.cli`` are.
Target: both commands under 0.5 s.

    .venv/bin/python bench/bench_startup.py [--runs 15] [--baseline-rev main]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baseline import baseline_src  # noqa: E402
TARGET_S = 0.5
FILE = "corpus/winter-fire-safety.yaml"


def timed(cmd: list[str], env: dict, runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - t)
    return out


def show(label: str, ts: list[float], floor: float | None) -> None:
    mean, sd = statistics.mean(ts), statistics.stdev(ts) if len(ts) > 1 else 0.0
    ratio = f"   {statistics.median(ts) / floor:5.1f}× python -c pass" if floor else ""
    print(f"{label:<44} {mean * 1000:7.1f} ± {sd * 1000:5.1f} ms  median {statistics.median(ts) * 1000:7.1f}"
          f"  min {min(ts) * 1000:7.1f}{ratio}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--baseline-rev", default="main", help="git revision whose code is the baseline (default main)")
    args = ap.parse_args()
    py = sys.executable
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        base = baseline_src(args.baseline_rev, work)
        run_cli = [py, "-c", "from workplan.cli import main; main()"]
        cases = {"--help": ["--help"], f"validate {Path(FILE).name}": ["validate", FILE]}
        floor_ts = timed([py, "-c", "pass"], env, args.runs)
        floor = statistics.median(floor_ts)
        show("python -c pass", floor_ts, None)
        results = {}
        for label, argv in cases.items():
            now = timed(run_cli + argv, env, args.runs)
            show(f"workplan {label}", now, floor)
            before = None
            if base is not None:
                before = timed(run_cli + argv, dict(env, PYTHONPATH=str(base)), args.runs)
                show(f"workplan {label}  [{args.baseline_rev}]", before, floor)
                print(f"{'':<44} now/{args.baseline_rev}: {statistics.median(now) / statistics.median(before):.2f}")
            results[label] = (now, before)
        print("\nslowest imports of `import workplan.cli` (cumulative, one run):")
        r = subprocess.run([py, "-X", "importtime", "-c", "import workplan.cli"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
        rows = []
        for line in r.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                rows.append((int(parts[1]), parts[2].rstrip()))
        for us, name in sorted(rows, reverse=True)[:8]:
            print(f"  {us / 1000:7.1f} ms  {name}")
        print(f"\ntarget < {TARGET_S} s: " + ", ".join(
            f"{label} {'met' if statistics.median(now) < TARGET_S else 'MISSED'} ({statistics.median(now):.3f} s)"
            for label, (now, _) in results.items()) + f"; load average now {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
