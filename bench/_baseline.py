"""Shared by the benchmarks: the code of another revision, to measure against in the same run."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def baseline_src(rev: str, work: Path) -> Path | None:
    """``src/`` of revision ``rev`` extracted (``git archive``) under ``work``; put it first on
    PYTHONPATH to run that revision's code. None (with a note) when git cannot give it."""
    try:
        tar = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    except subprocess.CalledProcessError as e:
        print(f"(no baseline: git archive {rev} failed: {e.stderr.decode().strip()})")
        return None
    subprocess.run(["tar", "-x", "-C", str(work)], input=tar, check=True)
    return work / "src"
