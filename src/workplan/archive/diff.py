"""What changed between two versions of a record: a structured difference of their data files.

The data files (role ``source``) of both versions are read through the log-checked path
(:meth:`Archive.open_checked`: a file that is not what was archived is never compared) and
compared as data, not as lines: items of a list are matched by their ``id`` (else their ``type``,
when unique; else their position), so a moved deadline reads "task inspect «开展火灾隐患排查»:
deadline 2023-12-15 → 2024-01-10" wherever the task sits. Versions without a data file (legacy
records) are compared by their files' hashes.

:func:`text_diff` sets the rendered text of both versions side by side: the lines of the same
PDF rendition (the Chinese one first, else the bilingual, the English or an import's preview),
read through the same checked path, and the runs of lines that differ with a line of context.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import Problem, WorkplanError

MAX_SOURCE = 8 * 1024 * 1024   # bytes of a data file compared
MAX_PDF = 50 * 1024 * 1024     # bytes of a rendition whose text is compared
MAX_TEXT_PAGES = 300           # pages of it read
MAX_TEXT_ROWS = 3000           # rows of a side-by-side text difference shown
TEXT_ROLES = ("pdf:zh", "pdf:zh-en", "pdf:en", "preview")   # which rendition's text is compared
MAX_CHANGES = 2000
# a list's name → what one of its items is called
ITEM_NAMES = {"tasks": "task", "targets": "target", "sections": "section", "units": "unit", "members": "member",
              "deputies": "deputy", "measures": "measure", "standards": "standard", "items": "item",
              "keywords": "keyword", "recipients": "recipient", "paragraphs": "paragraph", "rows": "row"}
LABEL_FIELDS = ("title", "indicator", "name")


def _plain(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _label(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    for f in LABEL_FIELDS:
        v = item.get(f)
        if isinstance(v, dict):
            v = v.get("zh") or v.get("en") or (v.get("name") if isinstance(v.get("name"), str) else None)
        if isinstance(v, str) and v:
            return v
    return ""


def _keys(items: list) -> tuple[str | None, list]:
    for k in ("id", "type"):
        ks = [it.get(k) if isinstance(it, dict) else None for it in items]
        if items and all(isinstance(x, (str, int)) for x in ks) and len(set(ks)) == len(ks):
            return k, ks
    return None, list(range(len(items)))


def diff_data(old: Any, new: Any) -> list[dict]:
    """The changes from ``old`` to ``new`` (plain data): ``{"path", "what", "field", "change"
    (changed|added|removed), "old", "new"}``, in document order."""
    out: list[dict] = []
    _walk(_plain(old), _plain(new), "", "", "", out)
    return out[:MAX_CHANGES]


def _walk(a: Any, b: Any, path: str, what: str, field: str, out: list[dict]) -> None:
    if len(out) >= MAX_CHANGES or a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict) and not _is_text(a) and not _is_text(b):
        for k in list(a) + [k for k in b if k not in a]:
            p = f"{path}.{k}" if path else str(k)
            f = f"{field}.{k}" if field else str(k)
            if k not in b:
                out.append(_change(p, what, f, "removed", a[k], None))
            elif k not in a:
                out.append(_change(p, what, f, "added", None, b[k]))
            else:
                _walk(a[k], b[k], p, what, f, out)
        return
    if isinstance(a, list) and isinstance(b, list):
        ka, keys_a = _keys(a)
        kb, keys_b = _keys(b)
        if ka is None or ka != kb:
            ka, keys_a, keys_b = None, list(range(len(a))), list(range(len(b)))
        item = ITEM_NAMES.get(field.split(".")[-1] if field else path.rsplit(".", 1)[-1], "item")
        by_a = dict(zip(keys_a, a))
        by_b = dict(zip(keys_b, b))
        for key in keys_a + [k for k in keys_b if k not in by_a]:
            p = f"{path}[{ka}={key}]" if ka else f"{path}[{key}]"
            label = _label(by_b.get(key, by_a.get(key)))
            name = f"{item} {key}" if ka else f"{item} {key + 1 if isinstance(key, int) else key}"
            w = f"{name} «{label}»" if label else name
            if key not in by_b:
                out.append(_change(p, w, "", "removed", by_a[key], None))
            elif key not in by_a:
                out.append(_change(p, w, "", "added", None, by_b[key]))
            else:
                _walk(by_a[key], by_b[key], p, w, "", out)
        return
    out.append(_change(path, what, field or path, "changed", a, b))


def _is_text(d: dict) -> bool:
    """A bilingual text {zh, en} is one value, not two fields."""
    return bool(d) and set(d) <= {"zh", "en"}


def _change(path: str, what: str, field: str, change: str, old: Any, new: Any) -> dict:
    return {"path": path, "what": what, "field": field, "change": change, "old": old, "new": new}


def describe(c: dict) -> str:
    """One change as a line: ``task inspect «…»: deadline 2023-12-15 → 2024-01-10``."""
    def show(v: Any) -> str:
        if isinstance(v, dict) and _is_text(v):
            return v.get("zh") or v.get("en") or ""
        if isinstance(v, (dict, list)):
            import json
            s = json.dumps(v, ensure_ascii=False)
            return s if len(s) <= 120 else s[:119] + "…"
        return str(v)
    where = c["what"] or c["path"]
    if c["change"] == "added":
        return f"{where}: added {c['field'] + ' ' if c['field'] else ''}{show(c['new'])}".rstrip()
    if c["change"] == "removed":
        return f"{where}: removed {c['field'] + ' ' if c['field'] else ''}{show(c['old'])}".rstrip()
    return f"{where}: {c['field']} {show(c['old'])} → {show(c['new'])}"


def diff_versions(arc: Any, code: str, v1: int | None = None, v2: int | None = None) -> dict:
    """The difference between two versions of a record (default: the one before the current and
    the current): ``{"code", "from", "to", "data": bool, "changes": [...], "files": [...]}``."""
    versions = arc.versions(code)
    code = versions[-1].code
    nums = [v.version for v in versions]
    if v1 is None and v2 is None:
        if len(nums) < 2:
            raise WorkplanError(Problem(f"{code} has one version only: nothing to compare", file=code,
                                        hint="a difference needs two versions"))
        v1, v2 = nums[-2], nums[-1]
    elif v1 is None or v2 is None:
        raise WorkplanError(Problem("give two versions, or none (the previous and the current)", file=code))
    for v in (v1, v2):
        if v not in nums:
            raise WorkplanError(Problem(f"{code} has no version {v}", file=code,
                                        hint=f"its versions: {', '.join(map(str, nums))}"))
    a = next(r for r in versions if r.version == v1)
    b = next(r for r in versions if r.version == v2)
    fa = {f.role: f.sha256 for f in a.files if f.role != "metadata"}
    fb = {f.role: f.sha256 for f in b.files if f.role != "metadata"}
    files = [{"role": r, "change": "added" if r not in fa else "removed" if r not in fb else "changed",
              "old": fa.get(r), "new": fb.get(r)} for r in sorted(set(fa) | set(fb)) if fa.get(r) != fb.get(r)]
    meta = [_change(f"record.{k}", "record", k, "changed", getattr(a, k), getattr(b, k))
            for k in ("title", "title_en", "doc_number", "date", "pages") if getattr(a, k) != getattr(b, k)]
    for c in meta:
        c["old"], c["new"] = _plain(c["old"]), _plain(c["new"])
    data = "source" in fa and "source" in fb
    changes: list[dict] = []
    if data:
        changes = diff_data(_load(arc, a), _load(arc, b))
    return {"code": code, "from": v1, "to": v2, "data": data, "record": meta, "changes": changes,
            "lines": [describe(c) for c in meta + changes], "files": files}


def _load(arc: Any, rec: Any) -> Any:
    import yaml
    with arc.open_checked(rec, "source") as fh:
        raw = fh.read(MAX_SOURCE + 1)
    if len(raw) > MAX_SOURCE:
        raise WorkplanError(Problem(f"the data file of {rec.code} v{rec.version} is larger than "
                                    f"{MAX_SOURCE // (1024 * 1024)} MB: not compared", file=rec.code))
    try:
        return yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        raise WorkplanError(Problem(f"the data file of {rec.code} v{rec.version} cannot be read as data ({e})",
                                    file=rec.code)) from None


def text_diff(arc: Any, code: str, v1: int, v2: int, *, context: int = 1) -> dict:
    """The rendered text of two versions side by side: ``{"role", "rows": [{"op", "old", "new",
    "old_line", "new_line"}], "same": bool}``; ``op`` is equal, replace, delete, insert or gap
    (lines left out between runs of changes). ``role`` is None where the versions have no PDF
    rendition in common."""
    import difflib
    import itertools
    versions = {r.version: r for r in arc.versions(code)}
    a, b = versions[v1], versions[v2]
    ra, rb = {f.role for f in a.files}, {f.role for f in b.files}
    role = next((r for r in TEXT_ROLES if r in ra and r in rb), None)
    if role is None:
        return {"role": None, "rows": [], "same": False}
    old, new = _pdf_lines(arc, a, role), _pdf_lines(arc, b, role)
    rows: list[dict] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for n, group in enumerate(matcher.get_grouped_opcodes(context)):
        if n:
            rows.append({"op": "gap", "old": None, "new": None, "old_line": None, "new_line": None})
        for op, i1, i2, j1, j2 in group:
            pairs = itertools.zip_longest(range(i1, i2), range(j1, j2))
            for i, j in pairs:
                rows.append({"op": op if op != "replace" else ("replace" if i is not None and j is not None
                                                               else "delete" if j is None else "insert"),
                             "old": old[i] if i is not None else None, "new": new[j] if j is not None else None,
                             "old_line": i + 1 if i is not None else None, "new_line": j + 1 if j is not None else None})
            if len(rows) >= MAX_TEXT_ROWS:
                break
        if len(rows) >= MAX_TEXT_ROWS:
            break
    return {"role": role, "rows": rows[:MAX_TEXT_ROWS], "same": old == new, "cut": len(rows) >= MAX_TEXT_ROWS}


def _pdf_lines(arc: Any, rec: Any, role: str) -> list[str]:
    """The text lines of a version's rendition (page-number lines left out)."""
    import io
    import re

    from pypdf import PdfReader
    with arc.open_checked(rec, role) as fh:
        raw = fh.read(MAX_PDF + 1)
    if len(raw) > MAX_PDF:
        raise WorkplanError(Problem(f"the {role} file of {rec.code} v{rec.version} is larger than "
                                    f"{MAX_PDF // (1024 * 1024)} MB: its text is not compared", file=rec.code))
    try:
        reader = PdfReader(io.BytesIO(raw))
        lines: list[str] = []
        for page in reader.pages[:MAX_TEXT_PAGES]:
            for line in (page.extract_text() or "").splitlines():
                line = line.strip()
                if line and not re.fullmatch(r"[—–\-\s]*\d+[—–\-\s]*|Page \d+( of \d+)?", line):
                    lines.append(line)
        return lines
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        raise WorkplanError(Problem(f"the text of {rec.code} v{rec.version} ({role}) cannot be read ({e})",
                                    file=rec.code)) from None
