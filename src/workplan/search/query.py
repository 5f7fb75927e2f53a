"""The query language, parsed into a backend-neutral tree.

::

    消防 演练              both words (AND is the default)
    "消防安全 工作"         an exact phrase (“中文引号” work too); spaces and line breaks
                           in the document do not matter, punctuation is ignored
    消防 OR 防火           either word (OR binds adjacent words: a b OR c = a AND (b OR c))
    -演练  -"fire drill"   exclude documents containing the word or phrase
    year:2023  year:2021-2023  unit:消防大队  unit:fire_station  kind:standards
    retention:D30  lang:en  code:J001-…  title:防火  issuer:社区
    消防 inspection        Chinese and English mixed in one query

Chinese is matched character by character, so any substring a user types is found exactly;
English words are also matched by their stem (inspection finds inspections).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import Problem, WorkplanError
from .text import chars_tokens, is_stemmable, pair_tokens, pair_units, stem_tokens

KINDS = ("program", "standards", "report", "legacy")
RETENTIONS = ("Y", "D30", "D10")
LANGS = ("zh", "en")
#: field name -> what it takes (for messages and --help)
FIELDS = {
    "year": "a year or a range: year:2023, year:2021-2023",
    "unit": "a unit id or (part of) its Chinese name: unit:fire_station, unit:消防大队",
    "kind": "one of " + ", ".join(KINDS),
    "retention": "one of Y (永久), D30, D10",
    "lang": "zh or en: documents that have text in that language",
    "code": "an archival code, exactly",
    "title": "words or a phrase in the title: title:防火",
    "issuer": "words in the issuer's name: issuer:社区",
}
_TEXT_FIELDS = ("title", "issuer")
_QUOTES = {'"': '"', "“": "”", "”": "”", "「": "」"}
_EXAMPLES = 'e.g. 消防  |  "消防安全"  |  消防 -演练  |  消防 year:2023  |  inspection OR 检查'


# --- the tree --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """A word or an exact phrase, matched in the document's text (or only in ``field``)."""

    value: str
    phrase: bool = False
    field: str | None = None  # None = anywhere; "title" | "issuer"

    @cached_property
    def tokens(self) -> list[str]:
        return chars_tokens(self.value)

    @cached_property
    def units(self) -> list[str]:
        """The tokens as the tantivy backend's ``units`` field holds them (see :func:`~workplan.search.text.pair_units`)."""
        return pair_units(self.value)

    @cached_property
    def pairs(self) -> list[str]:
        """Consecutive tokens joined in pairs (see :func:`~workplan.search.text.pair_tokens`)."""
        return pair_tokens(self.value)

    @cached_property
    def stems(self) -> list[str]:
        """Stemmed English tokens, when the text is English (no Han characters)."""
        return stem_tokens(self.value) if is_stemmable(self.value) else []


@dataclass(frozen=True)
class Filter:
    """A field filter: year (lo, hi), unit (names, after resolution), kind, retention, lang, code, current."""

    field: str
    value: object
    raw: str = ""


@dataclass(frozen=True)
class Not:
    item: "Node"


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


@dataclass(frozen=True)
class And:
    items: tuple["Node", ...] = ()


Node = Text | Filter | Not | Or | And


@dataclass
class Query:
    """A parsed query: the tree plus what the user typed."""

    root: And
    source: str = ""
    warnings: list[str] = field(default_factory=list)

    def texts(self) -> list[Text]:
        """The positive (not excluded) words and phrases, for highlighting."""
        out: list[Text] = []

        def walk(n: Node) -> None:
            if isinstance(n, Text):
                out.append(n)
            elif isinstance(n, (And, Or)):
                for it in n.items:
                    walk(it)
        walk(self.root)
        return out

    def has_text(self) -> bool:
        return bool(self.texts())

    def with_filters(self, filters: list[Filter]) -> "Query":
        return Query(And(self.root.items + tuple(filters)), self.source, list(self.warnings))


# --- errors ---------------------------------------------------------------------------------
def _bad(message: str, query: str, hint: str | None = None, at: int | None = None) -> WorkplanError:
    where = f"query {query!r}" + (f", at character {at + 1}" if at is not None else "")
    return WorkplanError(Problem(message, file=where, hint=hint or _EXAMPLES))


# --- values of field filters ------------------------------------------------------------------
_YEAR_RE = re.compile(r"^(\d{4})(?:\s*(?:-|–|~|\.\.|至|到)\s*(\d{4}))?$")


def parse_year(value: str, query: str = "") -> tuple[int, int]:
    m = _YEAR_RE.match(value.strip())
    if not m:
        raise _bad(f"{value!r} is not a year", query or value, hint="write a year (2023) or a range (2021-2023)")
    lo = int(m[1])
    hi = int(m[2]) if m[2] else lo
    if hi < lo:
        raise _bad(f"the year range {value!r} ends before it starts", query or value, hint=f"write {hi}-{lo}")
    return lo, hi


def make_filter(name: str, value: str, query: str = "") -> Filter:
    """A field filter from its name and the text typed for it; raises WorkplanError if invalid."""
    name = name.lower()
    value = value.strip()
    if name not in FIELDS:
        raise _bad(f"unknown field '{name}'", query or name,
                   hint="fields: " + ", ".join(FIELDS) + "; to search for the text literally, put it in quotes")
    if not value:
        raise _bad(f"'{name}:' needs a value", query or name, hint=f"{name}: {FIELDS.get(name, '')}")
    if name == "year":
        return Filter("year", parse_year(value, query), value)
    if name == "kind":
        v = value.lower()
        if v not in KINDS:
            raise _bad(f"unknown kind {value!r}", query or value, hint="kinds: " + ", ".join(KINDS))
        return Filter("kind", v, value)
    if name == "retention":
        v = value.upper()
        if v not in RETENTIONS:
            raise _bad(f"unknown retention {value!r}", query or value, hint="retention: Y (永久), D30 or D10")
        return Filter("retention", v, value)
    if name == "lang":
        v = value.lower()
        if v not in LANGS:
            raise _bad(f"unknown language {value!r}", query or value, hint="lang: zh or en")
        return Filter("lang", v, value)
    if name == "unit":
        return Filter("unit", value, value)  # resolved against the index's unit names at search time
    if name == "code":
        return Filter("code", value, value)
    raise _bad(f"unknown field '{name}'", query or name,
               hint="fields: " + ", ".join(FIELDS) + "; to search for the text literally, put it in quotes")


# --- lexer + parser -------------------------------------------------------------------------
@dataclass
class _Tok:
    kind: str          # word | phrase | or
    value: str
    neg: bool
    at: int
    field: str | None = None


_FIELD_RE = re.compile(r"^([A-Za-z]+)[:：](.*)$", re.S)


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        start = i
        neg = False
        if c in "-－":
            neg = True
            i += 1
            if i >= n or q[i].isspace():
                raise _bad("a lone '-' excludes nothing", q, at=start,
                           hint="write -word to exclude a word (no space after the minus), e.g. 消防 -演练")
            if q[i] in "-－":
                end = i
                while end < n and not q[end].isspace():
                    end += 1
                raise _bad(f"'{q[start:end]}' is not an option here", q, at=start,
                           hint="options go before or after the query words: --year, --unit, --kind, "
                                "--retention, --lang, --all-versions, --limit, --json")
        fld = None
        # field:value or field:"value"
        m = re.match(r"([A-Za-z]+)[:：]", q[i:])
        if m:
            fld = m[1].lower()
            i += m.end()
            if i < n and q[i] in _QUOTES:
                pass  # the value is a quoted phrase, read below
            else:
                end = i
                while end < n and not q[end].isspace():
                    end += 1
                toks.append(_Tok("field", q[i:end], neg, start, fld))
                i = end
                continue
        if i < n and q[i] in _QUOTES:
            close = _QUOTES[q[i]]
            j = i + 1
            while j < n and q[j] not in (close, '"', "”", "」"):
                j += 1
            if j >= n:
                raise _bad("unbalanced quote: a phrase is opened but never closed", q, at=i,
                           hint='close the phrase with a matching quote, e.g. "消防安全"')
            phrase = q[i + 1:j]
            if not phrase.strip():
                raise _bad("empty phrase \"\"", q, at=i, hint='put the words between the quotes, e.g. "消防安全"')
            if fld:
                toks.append(_Tok("field", phrase, neg, start, fld))
            else:
                toks.append(_Tok("phrase", phrase, neg, start))
            i = j + 1
            continue
        end = i
        while end < n and not q[end].isspace() and q[end] not in '"“':
            end += 1
        word = q[i:end]
        if word == "OR" and not neg:
            toks.append(_Tok("or", word, False, start))
        else:
            toks.append(_Tok("word", word, neg, start))
        i = end
    return toks


def _term(tok: _Tok, q: str) -> Node:
    if tok.kind == "field":
        if tok.field in _TEXT_FIELDS and tok.value.strip():
            node: Node = _text(tok.value, True, q, tok.at, tok.field)
        else:
            node = make_filter(tok.field, tok.value, q)
    else:
        node = _text(tok.value, tok.kind == "phrase", q, tok.at)
    return Not(node) if tok.neg else node


def _text(value: str, phrase: bool, q: str, at: int, fld: str | None = None) -> Text:
    t = Text(value, phrase=phrase, field=fld)
    if not t.tokens:
        raise _bad(f"{value!r} has nothing to search for (only punctuation)", q, at=at,
                   hint="search for words or characters; punctuation and spaces are ignored")
    return t


def parse(query: str) -> Query:
    """Parse the query language. Raises WorkplanError with a helpful message if malformed."""
    q = (query or "").strip()
    if not q:
        raise WorkplanError(Problem("the query is empty", file="query", hint="give words to search for, " + _EXAMPLES))
    toks = _lex(q)
    if not toks:
        raise WorkplanError(Problem("the query is empty", file="query", hint=_EXAMPLES))
    if toks[0].kind == "or":
        raise _bad("OR at the start of the query has nothing on its left", q, at=toks[0].at,
                   hint="write OR between two words: 消防 OR 防火")
    if toks[-1].kind == "or":
        raise _bad("OR at the end of the query has nothing on its right", q, at=toks[-1].at,
                   hint="write OR between two words: 消防 OR 防火")
    groups: list[list[Node]] = []
    pending_or = False
    for k, tok in enumerate(toks):
        if tok.kind == "or":
            if pending_or:
                raise _bad("OR OR: two ORs in a row", q, at=tok.at, hint="write OR between two words: 消防 OR 防火")
            pending_or = True
            continue
        node = _term(tok, q)
        if pending_or:
            if isinstance(node, Not) or any(isinstance(x, Not) for x in groups[-1]):
                raise _bad("an exclusion (-word) cannot be one side of OR", q, at=tok.at,
                           hint="exclude it on its own: 消防 OR 防火 -演练")
            groups[-1].append(node)
            pending_or = False
        else:
            groups.append([node])
    items: list[Node] = [g[0] if len(g) == 1 else Or(tuple(g)) for g in groups]
    return Query(And(tuple(items)), q)
