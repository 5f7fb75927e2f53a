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
