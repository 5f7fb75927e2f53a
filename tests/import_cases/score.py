"""Compare an import with a case's expected outline (used by the tests and bench/bench_import.py)."""
from __future__ import annotations

import re

from workplan.readers.lines import match_form


def norm(s: str | None) -> str:
    return re.sub(r"[\s\W_]+", "", match_form(s or ""))


def score(report: dict, expected: dict) -> dict:
    found = report["sections"]
    ftitles = [norm(s["title"]) for s in found]
    hits = types = items_exp = items_got = 0
    for es in expected["sections"]:
        key = norm(es["title"])
        if key in ftitles:
            hits += 1
            fs = found[ftitles.index(key)]
            types += fs["type"] == es["type"]
            items_got += min(fs["items"], es["items"])
        items_exp += es["items"]
    n = len(expected["sections"])
    return {
        "sections": n, "section_hits": hits, "type_hits": types, "extra_sections": max(0, len(found) - hits),
        "items": items_exp, "item_hits": items_got,
        "title_ok": norm(report["title"]) == norm(expected["title"]),
        "coverage": report["coverage"],
    }


def check_case(folder, name: str, fmt: str):
    """Import ``folder/name.fmt`` and assert what every case must meet: the data validates, the
    title, the top-level headings and their types are the expected ones, and nearly every
    character of the source is kept. Returns (result, expected, score) for further checks."""
    from pathlib import Path

    import yaml

    from workplan.model import Document
    from workplan.readers import read_file
    folder = Path(folder)
    exp = yaml.safe_load((folder / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    r = read_file(folder / f"{name}.{fmt}")
    Document.model_validate(r.data)
    s = score(r.report, exp)
    assert s["title_ok"], (r.report["title"], exp["title"])
    assert [norm(x["title"]) for x in r.report["sections"]] == [norm(x["title"]) for x in exp["sections"]]
    assert [x["type"] for x in r.report["sections"]] == [x["type"] for x in exp["sections"]]
    ch = r.report["characters"]
    # what was left out on purpose (a table of contents) counts as not kept: the rest is all kept
    assert ch["kept"] >= 0.97 * (ch["source"] - ch["left_out"]), r.report["missing_sample"]
    return r, exp, s


def run_workplan(*args: str, cwd=None):
    """The `workplan` command in a subprocess, as a user runs it."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "workplan.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)
