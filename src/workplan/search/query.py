"""The query language, parsed into a backend-neutral tree.

::

    消防 演练              both words (AND is the default)
    "消防安全 工作"         an exact phrase (“中文引号” work too); spaces and line breaks
                           in the document do not matter, punctuation is ignored
    消防 OR 防火           either word (OR binds adjacent words: a b OR c = a AND (b OR c))
    -演练  -"fire drill"   exclude documents containing the word or phrase
    year:2023  year:2021-2023  unit:消防大队  unit:fire_station  kind:standards
    retention:D30  lang:en  code:J001-…  title:防火  issuer:社区  program:J001-… (its reports)
    类别:工作方案  保管期限:永久  语种:英文   the labels the site shows work as fields and values
    消防 inspection        Chinese and English mixed in one query

Chinese is matched character by character, so any substring a user types is found exactly;
English words are also matched by their stem (inspection finds inspections).
"""
from __future__ import annotations

import re
from typing import Any
from dataclasses import dataclass, field
from functools import cached_property

from ..archive.codes import RETENTIONS as RETENTION_YEARS
from ..archive.record import KINDS
from ..errors import Problem, WorkplanError
from ..i18n import TERMS, term
from .text import chars_tokens, is_stemmable, pair_tokens, pair_units, stem_tokens

RETENTIONS = tuple(RETENTION_YEARS)
LANGS = ("zh", "en")
#: field name -> what it takes (for messages and --help; the text is the language table's)
FIELDS = {name: term(f"query.field.{name}", "en").split(": ", 1)[1]
          for name in ("year", "unit", "kind", "retention", "lang", "code", "title", "issuer", "program")}
_TEXT_FIELDS = ("title", "issuer")


def _labels(prefix: str, values: tuple[str, ...]) -> dict[str, str]:
    """Each value's labels in the language table (both languages, lower-case) → the value."""
    out: dict[str, str] = {}
    for v in values:
        for label in TERMS.get(prefix + v, ()):
            out[label.strip().lower()] = v
    return out


#: the labels the site shows for fields (both languages) → the field
FIELD_LABELS: dict[str, str] = {**_labels("web.facet.", ("year", "unit", "kind", "retention", "lang")),
                                **_labels("web.field.", ("code", "title", "issuer", "kind", "retention")),
                                "language": "lang", "语种": "lang", "文种": "lang", "年份": "year", "方案": "program"}
#: the labels the site shows for values of the vocabulary fields → the value
VALUE_LABELS: dict[str, dict[str, str]] = {"kind": _labels("web.kind.", KINDS),
                                           "retention": {k.upper(): v for k, v in
                                                         _labels("web.retention.", RETENTIONS).items()},
                                           "lang": _labels("web.lang.", LANGS)}
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
    """A field filter: year (lo, hi), unit (names, after resolution), kind, retention, lang, code, current,
    program (a report's program, by its archival code)."""

    field: str
    value: Any   # (lo, hi) years, names, or a string: as the field says
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

    def with_filters(self, filters: "list[Node]") -> "Query":
        return Query(And(self.root.items + tuple(filters)), self.source, list(self.warnings))


# --- errors ---------------------------------------------------------------------------------
class QueryError(WorkplanError):
    """A query that does not parse: its message and hint are the ``query.<key>`` terms of the
    language table (the CLI prints the English; the site shows the reader's language)."""

    def __init__(self, key: str, hint_key: str, query: str, at: int | None, values: dict) -> None:
        self.key, self.hint_key, self.query, self.at, self.values = key, hint_key, query, at, values
        where = f"query {query!r}" + (f", at character {at + 1}" if at is not None else "")
        super().__init__(Problem(self.message("en"), file=where, hint=self.hint("en")))

    def message(self, lang: str) -> str:
        return term("query." + self.key, lang, **self.values)

    def hint(self, lang: str) -> str:
        return term("query." + self.hint_key, lang, **self.values)


def _bad(key: str, query: str, at: int | None = None, *, hint: str | None = None, **values: object) -> QueryError:
    return QueryError(key, hint or key + ".hint", query, at, values)


# --- values of field filters ------------------------------------------------------------------
_YEAR_RE = re.compile(r"^(\d{4})(?:\s*(?:-|–|~|\.\.|至|到)\s*(\d{4}))?$")


def parse_year(value: str, query: str = "") -> tuple[int, int]:
    m = _YEAR_RE.match(value.strip())
    if not m:
        raise _bad("not_year", query or value, value=repr(value))
    lo = int(m[1])
    hi = int(m[2]) if m[2] else lo
    if hi < lo:
        raise _bad("year_backwards", query or value, value=repr(value), hi=hi, lo=lo)
    return lo, hi


def make_filter(name: str, value: str, query: str = "") -> Filter:
    """A field filter from its name and the text typed for it; raises WorkplanError if invalid."""
    name = FIELD_LABELS.get(name.lower(), name.lower())
    value = value.strip()
    labelled = VALUE_LABELS.get(name, {})
    value = labelled.get(value.upper() if name == "retention" else value.lower(), value)
    if name not in FIELDS:
        raise _bad("unknown_field", query or name, name=name, fields=", ".join(FIELDS))
    if not value:
        raise _bad("needs_value", query or name, hint="field." + name, name=name)
    if name == "year":
        return Filter("year", parse_year(value, query), value)
    if name == "kind":
        v = value.lower()
        if v not in KINDS:
            raise _bad("unknown_kind", query or value, value=repr(value))
        return Filter("kind", v, value)
    if name == "retention":
        v = value.upper()
        if v not in RETENTIONS:
            raise _bad("unknown_retention", query or value, value=repr(value))
        return Filter("retention", v, value)
    if name == "lang":
        v = value.lower()
        if v not in LANGS:
            raise _bad("unknown_lang", query or value, value=repr(value))
        return Filter("lang", v, value)
    if name == "unit":
        return Filter("unit", value, value)  # resolved against the index's unit names at search time
    if name in ("code", "program"):
        return Filter(name, value, value)
    raise _bad("unknown_field", query or name, name=name, fields=", ".join(FIELDS))


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
                raise _bad("lone_minus", q, start)
            if q[i] in "-－":
                end = i
                while end < n and not q[end].isspace():
                    end += 1
                raise _bad("not_option", q, start, option=q[start:end])
        fld = None
        # field:value or field:"value"
        m = re.match(r"([A-Za-z]+|[^\x00-\x7f\s:：\"“”「」]{1,6})[:：]", q[i:])
        if m and (m[1].isascii() or m[1].lower() in FIELD_LABELS):  # 通知：… is text, 类别：… a field
            fld = FIELD_LABELS.get(m[1].lower(), m[1].lower())
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
                raise _bad("unbalanced_quote", q, i)
            phrase = q[i + 1:j]
            if not phrase.strip():
                raise _bad("empty_phrase", q, i)
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
        assert tok.field is not None  # the tokenizer names the field of every field token
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
        raise _bad("only_punctuation", q, at, value=repr(value))
    return t


def suggest(query: str) -> str | None:
    """A query near ``query`` that parses, for one that does not (None when none is found): its
    quotes dropped, unknown ``field:`` prefixes read as words, a lone '-' or a dangling OR dropped."""
    q = (query or "").strip()
    unquoted = re.sub(r'["“”「」]', " ", q)
    def as_words(m: re.Match) -> str:  # a known field's bad value: its words; an unknown field: all words
        name = m[1].lower()
        return " " if name in FIELDS or name in FIELD_LABELS else m[1] + " "
    prefix = re.compile(r"(?:(?<=\s)|^)-?([^\s:：]{1,20})[:：]")
    unfielded = prefix.sub(as_words, q)
    no_minus = re.sub(r"(?:(?<=\s)|^)[-－]+(?=\s|$)", " ", q)
    no_or = re.sub(r"^\s*(?:OR\s+)+|(?:\s+OR)+\s*$", " ", q)
    everything = re.sub(r"^\s*(?:OR\s+)+|(?:\s+OR)+\s*$", " ",
                        re.sub(r"(?:(?<=\s)|^)[-－]+(?=\s|$)", " ", prefix.sub(as_words, unquoted)))
    for cand in (unquoted, unfielded, no_minus, no_or, everything):
        cand = " ".join(cand.split())
        if not cand or cand == q:
            continue
        try:
            parse(cand)
        except WorkplanError:
            continue
        return cand
    return None


def parse(query: str) -> Query:
    """Parse the query language. Raises WorkplanError with a helpful message if malformed."""
    q = (query or "").strip()
    if not q:
        raise WorkplanError(Problem("the query is empty", file="query", hint="give words to search for, " + _EXAMPLES))
    toks = _lex(q)
    if not toks:
        raise WorkplanError(Problem("the query is empty", file="query", hint=_EXAMPLES))
    if toks[0].kind == "or":
        raise _bad("or_start", q, toks[0].at, hint="or.hint")
    if toks[-1].kind == "or":
        raise _bad("or_end", q, toks[-1].at, hint="or.hint")
    groups: list[list[Node]] = []
    pending_or = False
    for _k, tok in enumerate(toks):
        if tok.kind == "or":
            if pending_or:
                raise _bad("or_or", q, tok.at, hint="or.hint")
            pending_or = True
            continue
        node = _term(tok, q)
        if pending_or:
            if isinstance(node, Not) or any(isinstance(x, Not) for x in groups[-1]):
                raise _bad("or_not", q, tok.at)
            groups[-1].append(node)
            pending_or = False
        else:
            groups.append([node])
    items: list[Node] = [g[0] if len(g) == 1 else Or(tuple(g)) for g in groups]
    return Query(And(tuple(items)), q)
