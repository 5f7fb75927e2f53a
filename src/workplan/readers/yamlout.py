"""Readable YAML for imported data: block style, Chinese unescaped, a header that says where
the data came from and what to check."""
from __future__ import annotations

import datetime as dt

import yaml

from ..limits import printable


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, s: str):
    if "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


_Dumper.add_representer(str, _str)


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
        if line.startswith("date: ") and any("`date` set to the import date" in w for w in report.get("warnings", [])):
            line += "  # NOT IN THE SOURCE: the import date; replace it with the document's date"
        out.append(line)
    return "\n".join(head) + "\n" + "\n".join(out) + "\n"


__all__ = ["dump", "dt"]
