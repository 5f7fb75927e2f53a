"""Score the importer on hand-annotated real documents (``*.truth.yaml`` beside ``*.txt/.docx/.pdf``).

A truth file gives, annotated by hand before any import: ``title`` (null when the document has
none), ``sections`` (each ``heading`` as written, with its numbering, and ``level2``: the number
of items directly under it) and ``formats``. Scores per case and format:

- section recall / precision: a found top-level entry matches an annotated heading when their
  texts (numbering, spaces and punctuation aside, simplified) are equal, or one begins the other
  (at least 2 characters: a standards item's or a run-in heading is its first sentence); an empty annotated
  heading matches by its number;
- level-2 recall: min(found, annotated) items under each matched heading;
- title: equal texts; an annotated null title is met by the importer's "no title" placeholder;
- honest: the claimed coverage is not >= 99 % when less than 80 % of the source's characters
  are in the data (counted here, independently of the importer's own count).

Held-out cases (chosen before any import): those whose number is a multiple of 3, and every case whose
truth says ``held_out: true`` (the second batch, ``batch: 2``, reported on its own as well).

    python tests/import_cases/real_score.py /work/shared_cases [--json out.json]
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

from workplan.readers.lines import match_form

PLACEHOLDER_TITLES = ("（无标题）", "(untitled)")


def norm(s: str | None) -> str:
    return re.sub(r"[\s\W_]+", "", match_form(s or ""))


def _strip_num(h: str) -> tuple[int | None, str]:
    from workplan.readers.numbering import numbering
    h = (h or "").strip().lstrip("#").strip()
    n = numbering(h)
    return (n.value, h[n.end:]) if n else (None, h)


def held_out(name: str, truth: dict | None = None) -> bool:
    if (truth or {}).get("held_out"):
        return True
    m = re.match(r"(\d+)", name)
    return bool(m) and int(m[1]) % 3 == 0


def _found_entries(report: dict) -> list[dict]:
    """The importer's top-level entries: its ``outline`` when it reports one, else its sections."""
    if report.get("outline") is not None:
        return report["outline"]
    return [{"title": s["title"], "items": s["items"], "num": None} for s in report["sections"]]


def _match(tkey: str, tnum: int | None, f: dict) -> bool:
    fkey = norm(f.get("title"))
    if not tkey:
        return tnum is not None and f.get("num") == tnum
    if tkey == fkey:
        return True
    short, long_ = sorted((tkey, fkey), key=len)
    return len(short) >= 2 and long_.startswith(short)


def _data_chars(x, out: list[str]) -> None:
    if isinstance(x, dict):
        for k, v in x.items():
            if k not in ("id", "type", "kind", "source_lang"):
                _data_chars(v, out)
    elif isinstance(x, list):
        for v in x:
            _data_chars(v, out)
    elif isinstance(x, str):
        out.append(x)
    elif x is not None:
        out.append(str(x))


def _chars(s: str) -> Counter:
    return Counter(c for c in s if "\u3400" <= c <= "\u9fff")


def true_share(source_text: str, data: dict) -> float:
    """Share of the source's Chinese characters present in the data (units named by their names)."""
    strings: list[str] = []
    _data_chars(data, strings)
    src, dat = _chars(source_text), _chars("".join(strings))
    total = sum(src.values())
    return sum(min(c, dat[ch]) for ch, c in src.items()) / total if total else 1.0


def score_case(truth: dict, report: dict, data: dict, source_text: str) -> dict:
    found = _found_entries(report)
    used: set[int] = set()
    hits = l2_exp = l2_got = 0
    for ts in truth.get("sections") or []:
        tnum, rest = _strip_num(ts.get("heading") or "")
        tkey = norm(rest)
        l2_exp += int(ts.get("level2") or 0)
        for j, f in enumerate(found):
            if j not in used and _match(tkey, tnum, f):
                used.add(j)
                hits += 1
                l2_got += min(int(f.get("items") or 0), int(ts.get("level2") or 0))
                break
    t = truth.get("title")
    got = report.get("title")
    title_ok = (got in PLACEHOLDER_TITLES or not got) if not t else norm(got) == norm(t)
    share = true_share(source_text, data)
    return {"sections": len(truth.get("sections") or []), "found": len(found), "hits": hits,
            "l2": l2_exp, "l2_hits": l2_got, "title_ok": title_ok, "claimed": report["coverage"],
            "true_share": round(share, 4), "honest": not (report["coverage"] >= 0.99 and share < 0.80)}


def is_scan(pdf: Path) -> bool:
    """A PDF without a text layer on its first page (read by OCR: slow, scored by the script)."""
    from pypdf import PdfReader
    try:
        return not (PdfReader(pdf).pages[0].extract_text() or "").strip()
    except Exception:  # noqa: BLE001
        return False


def run(folder: str | Path, *, scans: bool = True) -> list[dict]:
    from workplan.model import Document
    from workplan.readers import ImportFailed, read_file
    folder = Path(folder)
    rows = []
    for tf in sorted(folder.glob("*.truth.yaml")):
        name = tf.name[: -len(".truth.yaml")]
        try:
            truth = yaml.safe_load(tf.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            rows.append({"case": name, "fmt": "-", "error": f"truth unreadable: {str(e).splitlines()[0]}"})
            continue
        txt = folder / f"{name}.txt"
        source_text = txt.read_text(encoding="utf-8", errors="replace") if txt.exists() else ""
        for fmt in truth.get("formats") or ["txt"]:
            f = folder / f"{name}.{fmt}"
            if not f.exists() or (not scans and fmt == "pdf" and is_scan(f)):
                continue
            row = {"case": name, "fmt": fmt, "held_out": held_out(name, truth), "kind": truth.get("kind"),
                   "batch": int(truth.get("batch") or 1)}
            try:
                r = read_file(f)
            except ImportFailed as e:
                row["error"] = f"refused: {e}"
                rows.append(row)
                continue
            except Exception as e:  # noqa: BLE001 - a crash is a result here
                row["error"] = f"crash: {type(e).__name__}: {e}"
                rows.append(row)
                continue
            try:
                Document.model_validate(r.data)
                row["valid"] = True
            except Exception:  # noqa: BLE001
                row["valid"] = False
            row.update(score_case(truth, r.report, r.data, source_text or "\n".join(ln.text for ln in r.lines)))
            row["got_title"] = r.report.get("title")
            row["got_kind"] = r.data.get("kind")
            rows.append(row)
    return rows


def summary(rows: list[dict]) -> dict:
    out = {}
    groups: dict[str, list[dict]] = {}
    for r in rows:
        if "error" in r and "sections" not in r:
            groups.setdefault("errors", []).append(r)
            continue
        groups.setdefault(r["fmt"] + (" held-out" if r["held_out"] else ""), []).append(r)
        groups.setdefault("all" + (" held-out" if r["held_out"] else " seen"), []).append(r)
        if r["held_out"]:
            groups.setdefault(f"held-out batch {r.get('batch', 1)}", []).append(r)
    for g, rs in sorted(groups.items()):
        if g == "errors":
            out[g] = len(rs)
            continue
        hits, truth, found = sum(r["hits"] for r in rs), sum(r["sections"] for r in rs), sum(r["found"] for r in rs)
        l2, l2h = sum(r["l2"] for r in rs), sum(r["l2_hits"] for r in rs)
        out[g] = {"files": len(rs), "recall": round(hits / truth, 3) if truth else 1.0,
                  "precision": round(hits / found, 3) if found else 0.0,
                  "level2": round(l2h / l2, 3) if l2 else 1.0,
                  "titles": f"{sum(r['title_ok'] for r in rs)}/{len(rs)}",
                  "valid": f"{sum(r['valid'] for r in rs)}/{len(rs)}",
                  "dishonest": sum(not r["honest"] for r in rs)}
    return out


if __name__ == "__main__":
    import json
    rows = run(sys.argv[1])
    for r in rows:
        if "sections" in r:
            flag = "" if r["hits"] == r["sections"] == r["found"] and r["title_ok"] else "  <--"
            print(f"{r['case'][:44]:<44} {r['fmt']:<4} {'H' if r['held_out'] else ' '} sec {r['hits']}/{r['sections']} "
                  f"found {r['found']} l2 {r['l2_hits']}/{r['l2']} title {'ok' if r['title_ok'] else 'NO'} "
                  f"cov {r['claimed']:.2f}/{r['true_share']:.2f}{flag}  [{r['got_title']}]")
        else:
            print(r["case"], r.get("fmt"), r["error"])
    s = summary(rows)
    print(json.dumps(s, ensure_ascii=False, indent=1))
    if len(sys.argv) > 3 and sys.argv[2] == "--json":
        Path(sys.argv[3]).write_text(json.dumps({"rows": rows, "summary": s}, ensure_ascii=False, indent=1, default=str))
