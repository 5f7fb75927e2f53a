"""Readable YAML for imported data: block style, Chinese unescaped, a header that says where
the data came from and what to check."""
from __future__ import annotations

import datetime as dt
import re

import yaml

from ..limits import printable


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, s: str):
    if "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


_Dumper.add_representer(str, _str)


MARK = "# CHECK:"  # an import decision to confirm; `validate` and `lint` show it until it is deleted

_KEY = re.compile(r"^([A-Za-z_$][\w$-]*):(?:\s(.*))?$")


def yaml_paths(text: str) -> list[str | None]:
    """The data path each line of block-style YAML (as :func:`dump` writes it) starts, e.g.
    ``sections[2].title`` or ``sections[1].tasks[0]``; None for continuation lines."""
    out: list[str | None] = []
    container: dict[int, str] = {0: ""}
    list_of: dict[int, str] = {}
    count: dict[str, int] = {}
    scalar_col: int | None = None   # lines indented deeper than this continue a scalar
    for raw in text.splitlines():
        stripped = raw.lstrip(" ")
        col = len(raw) - len(stripped)
        if not stripped or stripped.startswith("#"):
            out.append(None)
            continue
        if scalar_col is not None and col > scalar_col:
            out.append(None)
            continue
        scalar_col = None
        path = None
        rest = stripped
        while rest.startswith("- ") or rest == "-":
            lp = list_of.get(col, "")
            i = count.get(lp, 0)
            count[lp] = i + 1
            path = path or f"{lp}[{i}]"
            item = f"{lp}[{i}]"
            col += 2
            container[col] = item
            rest = rest[2:]
            if not rest.startswith("- "):
                break
        m = _KEY.match(rest)
        if m:
            base = container.get(col, "")
            kp = f"{base}.{m[1]}" if base else m[1]
            path = path or kp
            val = (m[2] or "").strip()
            if not val or val.startswith("#"):
                container[col + 2] = kp
                list_of[col] = kp   # an indentless list under this key
                list_of[col + 2] = kp
                count[kp] = 0
            else:
                scalar_col = col
        elif rest:
            scalar_col = col - 2 if path else col
        out.append(path)
    return out


def add_marks(text: str, marks: list[tuple[str, str]]) -> str:
    """Put each mark (data path, message) as a ``# CHECK:`` comment line above the line of that
    path (or of its nearest parent that is written)."""
    if not marks:
        return text
    lines = text.splitlines()
    paths = yaml_paths(text)
    at: dict[str, int] = {}
    for i, p in enumerate(paths):
        if p is not None:
            at.setdefault(p, i)
    above: dict[int, list[str]] = {}
    for path, msg in marks:
        p = path
        while p and p not in at:
            cut = max(p.rfind("."), p.rfind("["))
            p = p[:cut] if cut > 0 else ""
        i = at.get(p, at.get("title", 0))
        above.setdefault(i, []).append(msg)
    out = []
    for i, ln in enumerate(lines):
        ind = " " * (len(ln) - len(ln.lstrip(" ")))
        for msg in above.get(i, []):
            out.append(f"{ind}{MARK} {msg.replace(chr(10), ' ')}")
        out.append(ln)
    return "\n".join(out) + "\n"


def dump(data: dict, report: dict) -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=100, indent=2)
    # the header is comments: whatever a file name or a warning holds (a line feed, a carriage
    # return, NEL, U+2028: line breaks to YAML) is escaped, so that it cannot end the comment
    head = [f"# Imported by `workplan import` from {printable(report['file'], newlines=False)} ({report['format']}).",
            f"# Characters of the source kept: {report['coverage'] * 100:.1f} %. Check the structure against the original."]
    for w in report.get("warnings", []):
        head.append("# warning: " + printable(w.replace("\n", " "), newlines=False))
    out = []
    for line in body.splitlines():
        out.append(line)
    text = "\n".join(out) + "\n"
    text = add_marks(text, [(m["path"], m["message"]) for m in report.get("marks", [])])
    if report.get("marks"):
        head.append(f"# {len(report['marks'])} place(s) marked '{MARK}' below: check each against the source, "
                    "then delete the mark (`workplan validate` lists those left).")
    return "\n".join(head) + "\n" + text


__all__ = ["dump", "add_marks", "yaml_paths", "MARK", "dt"]
