"""Request parameters: every value a request brings in is read here, bounded and checked, or
refused with :class:`BadParam` (a 400 naming the parameter and the form it should take)."""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Collection, Mapping

from flask import request

from ..archive.codes import RETENTIONS
from ..archive.record import KINDS
from ..limits import EARLIEST_YEAR, LATEST_DOCUMENT_YEAR
from .terms import term

DOC_LANGS = ("zh", "en")
VOLUME_FORMATS = ("pdf", "docx")
#: the orders of a result list (?sort=): relevance (the default with words), newest or oldest first
SORTS = ("relevance", "newest", "oldest")
MAX_VALUES = 20   # values of one filter (?year=2023&year=2024…)
YEAR_MIN, YEAR_MAX = EARLIEST_YEAR, LATEST_DOCUMENT_YEAR   # a year range open at one end

PER_PAGE = 10
MAX_PAGE = 100
MAX_LIMIT = 1000
MAX_JSON_DEPTH = 8
EXAMPLE = '{"year": 2024}'  # a JSON body, in messages

# every pattern is matched in full (``fullmatch``): a trailing newline ("%0A") is no match
CODE_RE = re.compile(r"[A-Z0-9]{1,12}-[A-Z]{1,6}\u00b7\d{4}-(?:Y|D30|D10)-[A-Z0-9]{1,16}-\d{4,6}")
ROLE_RE = re.compile(r"[a-z]{1,10}(?::[a-z]{2}(?:-[a-z]{2})?)?")
YEAR_RE = re.compile(r"\d{4}(?:-\d{4})?")
JOB_RE = re.compile(r"[0-9a-f]{16}")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class BadParam(Exception):
    """A request parameter that is too long or malformed: a 400 whose message is the
    ``web.param.<key>`` term in the reader's language (``str()`` of it is the English)."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key, self.values = key, values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return term("param." + self.key, lang, **self.values)


def param(name: str, max_len: int, *, source: Mapping[str, Any] | None = None) -> str:
    """The text parameter ``name`` (query string by default), stripped; '' when absent."""
    v = (source if source is not None else request.args).get(name, "")
    if not isinstance(v, str):
        raise BadParam("text", name=name)
    if len(v) > max_len:
        raise BadParam("too_long", name=name, n=max_len)
    if CONTROL_RE.search(v):
        raise BadParam("control", name=name)
    return v.strip()


def choice(name: str, choices: Collection[str], *, upper: bool = False,
           source: Mapping[str, Any] | None = None) -> str | None:
    v = param(name, 20, source=source)
    if not v:
        return None
    v = v.upper() if upper else v.lower()
    if v not in choices:
        raise BadParam("choice", name=name, choices=", ".join(choices))
    return v


def whole(name: str, default: int, lo: int, hi: int, *, source: Mapping[str, Any] | None = None) -> int:
    v = param(name, 10, source=source)
    if not v:
        return default
    if not (v.isascii() and v.isdigit()) or not lo <= int(v) <= hi:
        raise BadParam("whole", name=name, lo=lo, hi=hi)
    return int(v)


def several(name: str, read: Callable[[Mapping[str, Any]], Any]) -> list:
    """Every value of a parameter given several times (``?year=2023&year=2024``), each read by
    ``read`` from a one-value mapping; at most MAX_VALUES, blanks and repeats left out."""
    values = request.args.getlist(name)
    if len(values) > MAX_VALUES:
        raise BadParam("too_many", name=name, n=MAX_VALUES)
    out = [read({name: v}) for v in values]
    return list(dict.fromkeys(v for v in out if v))


def _year(src: Mapping[str, Any]) -> str:
    year = param("year", 9, source=src)
    if year and not YEAR_RE.fullmatch(year):
        raise BadParam("year")
    return year


def _year_range() -> list[str]:
    """The years from ``from_year`` to ``to_year`` (the search page's range form; either may be
    left empty) as one year filter "lo-hi"."""
    lo, hi = param("from_year", 4), param("to_year", 4)
    for name, v in (("from_year", lo), ("to_year", hi)):
        if v and not (v.isascii() and v.isdigit() and len(v) == 4):
            raise BadParam("year_of", name=name)
    return [f"{lo or YEAR_MIN}-{hi or YEAR_MAX}"] if lo or hi else []


def _program(src: Mapping[str, Any]) -> str:
    v = param("program", 64, source=src)
    return code(v) if v else ""


def search_params() -> dict:
    """The search's parameters: the query, the filters (each a list: several values match any of
    them), the order and whether superseded versions count."""
    return {"q": param("q", 500), "year": several("year", _year) + _year_range(),
            "unit": several("unit", lambda src: param("unit", 100, source=src)),
            "kind": several("kind", lambda src: choice("kind", KINDS, source=src)),
            "retention": several("retention", lambda src: choice("retention", RETENTIONS, upper=True, source=src)),
            "lang": several("lang", lambda src: choice("lang", DOC_LANGS, source=src)),
            "program": several("program", _program),
            "sort": choice("sort", SORTS), "all_versions": whole("all_versions", 0, 0, 1) == 1}


def back_to_search(name: str = "back") -> str | None:
    """A link back to the search a record was opened from (only ever a /search URL of this site)."""
    v = param(name, 1000)
    return v if v.startswith("/search") and "//" not in v and "\\" not in v else None


def code(value: str) -> str:
    if len(value) > 64 or not CODE_RE.fullmatch(value):
        raise BadParam("code")
    return value


def role(value: str) -> str:
    if not ROLE_RE.fullmatch(value):
        raise BadParam("role")
    return value


def job_id(value: str) -> str:
    if not JOB_RE.fullmatch(value):
        raise BadParam("job")
    return value


def _depth(v: Any, limit: int) -> int:
    """How deeply ``v`` nests (iteratively, so no depth can exhaust the stack)."""
    deepest, todo = 0, [(v, 1)]
    while todo:
        x, d = todo.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            break
        if isinstance(x, dict):
            todo.extend((y, d + 1) for y in x.values())
        elif isinstance(x, list):
            todo.extend((y, d + 1) for y in x)
    return deepest


def json_object() -> dict[str, str]:
    """The request's JSON body as a flat object of strings; any malformed body (bad syntax, bad
    encoding, nesting of any depth, not an object) is a 400, never a 500."""
    raw = request.get_data(cache=True)
    try:
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise BadParam("json", example=EXAMPLE) from None
    if not isinstance(value, dict):
        raise BadParam("json_object", example=EXAMPLE)
    if _depth(value, MAX_JSON_DEPTH) > 2:
        raise BadParam("json_flat")
    return {str(k): str(v) for k, v in value.items()}


def form_or_json() -> Mapping[str, Any]:
    """A POST's parameters: its JSON object when it is JSON, else its form fields."""
    return json_object() if request.is_json else request.form
