"""Archival codes (档号) per DA/T 22-2015 and the rules around them.

A code reads ``全宗号-门类代码·年度-保管期限-机构(问题)代码-件号``, e.g.
``J001-WS·2024-D30-BGS-0001``:

* fonds code (全宗号) and category (门类代码, default WS = 文书) come from the archive's
  configuration;
* the year (年度) is the document's year;
* retention (保管期限) is Y (永久, permanent), D30 (30 years) or D10 (10 years);
* the organization code (机构代码) comes from the issuing unit (see :func:`org_code`);
* the item number (件号) has at least 4 digits and is sequential within (fonds, category,
  year, retention, organization): allocated once, never reused, never changed.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import Problem, WorkplanError

RETENTIONS: dict[str, int | None] = {"Y": None, "D30": 30, "D10": 10}
RETENTION_LABELS = {"Y": "永久", "D30": "30年", "D10": "10年"}
MIDDLE_DOT = "\u00b7"  # the "·" between category and year

_CODE_RE = re.compile(
    r"^(?P<fonds>[A-Z0-9]+)-(?P<category>[A-Z]+)" + MIDDLE_DOT
    + r"(?P<year>\d{4})-(?P<retention>Y|D30|D10)-(?P<org>[A-Z0-9]+)-(?P<item>\d{4,})$")
FONDS_RE = re.compile(r"^[A-Z0-9]{1,12}$")
CATEGORY_RE = re.compile(r"^[A-Z]{1,6}$")
ORG_RE = re.compile(r"^[A-Z0-9]{1,16}$")


@dataclass(frozen=True)
class CodeParts:
    fonds: str
    category: str
    year: int
    retention: str
    org: str
    item: int

    def group(self) -> tuple[str, str, int, str, str]:
        return (self.fonds, self.category, self.year, self.retention, self.org)

    def __str__(self) -> str:
        return format_code(self.fonds, self.category, self.year, self.retention, self.org, self.item)


def format_code(fonds: str, category: str, year: int, retention: str, org: str, item: int) -> str:
    return f"{fonds}-{category}{MIDDLE_DOT}{year:04d}-{retention}-{org}-{item:04d}"


def parse_code(code: str) -> CodeParts | None:
    """The parts of a well-formed code, else None."""
    m = _CODE_RE.match(code.strip())
    if not m:
        return None
    return CodeParts(m["fonds"], m["category"], int(m["year"]), m["retention"], m["org"], int(m["item"]))


def code_parts(code: str) -> CodeParts:
    """The parts of a code the archive made or already checked (a malformed one is a bug: ValueError)."""
    parts = parse_code(code)
    if parts is None:
        raise ValueError(f"not an archival code: {code!r}")
    return parts


def normalize_code(code: str) -> str:
    """Accept the codes people type: '.' or '-' or '_' instead of '·', lower case."""
    c = code.strip().upper()
    m = re.match(r"^([A-Z0-9]+)-([A-Z]+)[\u00b7.\-_\u30fb\u2022](\d{4}-.*)$", c)
    if m:
        c = f"{m[1]}-{m[2]}{MIDDLE_DOT}{m[3]}"
    return c


def check_retention(value: str | None, *, where: str | None = None) -> str:
    """A valid retention code, or a WorkplanError saying which ones exist."""
    v = (value or "").strip().upper()
    if v in RETENTIONS:
        return v
    raise WorkplanError(Problem(
        f"unknown retention code {value!r}", file=where,
        hint="use Y (永久, permanent), D30 (30 years) or D10 (10 years)"))


def _ascii_code(text: str | None) -> str | None:
    """Uppercase letters and digits of an ASCII text; None if the text is not ASCII or empty."""
    if not text or not text.isascii():
        return None
    code = re.sub(r"[^A-Z0-9]", "", text.upper())
    return code or None


def org_code(*, abbr: str | None, unit_id: str | None, name: str | None,
             mapping: dict[str, str] | None = None) -> str:
    """The organization code (机构代码) of the issuing unit.

    Rules, in order:

    1. the unit's ``abbr`` when it is ASCII (``qssq`` → ``QSSQ``; characters other than
       letters and digits are dropped, since ``-`` separates the parts of a code);
    2. otherwise the archive configuration's ``org_codes`` mapping, looked up by the
       abbreviation, the unit id, then the unit's Chinese name;
    3. otherwise the unit id, uppercased (``street_office`` → ``STREETOFFICE``);
    4. otherwise the issuer's name when it is ASCII.

    Raises WorkplanError when none of them gives a code.
    """
    code = _ascii_code(abbr)
    if code is None and mapping:
        for key in (abbr, unit_id, name):
            if key and key in mapping:
                code = _ascii_code(mapping[key])
                break
    if code is None:
        code = _ascii_code(unit_id) or _ascii_code(name)
    if code is None or not ORG_RE.match(code):
        raise WorkplanError(Problem(
            f"no organization code for the issuer {name or unit_id or abbr!r}",
            hint="give the unit an ASCII 'abbr' (e.g. BGS), add it to \"org_codes\" in the archive's "
                 "archive.json, or pass --org CODE"))
    return code


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def expiry_date(date: dt.date, retention: str) -> dt.date | None:
    """The day the retention period ends (None: permanent)."""
    years = RETENTIONS[retention]
    return None if years is None else add_years(date, years)
