"""The second backend: whoosh (``pip install workplan[whoosh]``, whoosh-reloaded).

Chinese exactness comes from the same per-character tokens as the tantivy backend (computed
by :mod:`workplan.search.text`), fed into whoosh with their token positions. A ``words`` field
holds jieba's segmentation with *token* positions (jieba's own ChineseTokenizer stores
character offsets as positions, which breaks phrase queries); it only adds to the ranking
of results, it never decides whether a document matches.
"""
from __future__ import annotations

import json
import logging
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ...errors import Problem, WorkplanError
from ..extract import IndexDoc
from ..query import And, Filter, Node, Not, Or, Text
from ..text import CHARS_TOKENIZER, STEM_TOKENIZER, analyzer
from .base import NEWEST, SCORE, Hit, info_json

_INDEX_NAME = "workplan"
TITLE_BOOST = 2.0



def _whole(t, value, positions: bool, chars: bool, start_pos: int, start_char: int):
    """The whole value as one token (whoosh asks for this with tokenize=False)."""
    t.original = t.text = value
    t.boost = 1.0
    if positions:
        t.pos = start_pos
    if chars:
        t.startchar, t.endchar = start_char, start_char + len(value)
    return t

class TantivyAnalyzerTokenizer(Tokenizer):
    """Whoosh tokenizer yielding the tokens (and positions) of a workplan analyzer (see text.py)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.name == self.name

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield _whole(t, value, positions, chars, start_pos, start_char)
            return
        for tok in analyzer(self.name).pre_tokenize(value).tokens:
            t.text = tok.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + tok.position
            if chars:
                t.startchar, t.endchar = start_char + tok.char_offset_from, start_char + tok.char_offset_to
            yield t


@lru_cache(maxsize=1)
def _jieba():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


class JiebaTokenizer(Tokenizer):
    """jieba words with consecutive *token* positions (so phrase queries work), lowercased;
    whitespace and punctuation are dropped."""

    def __eq__(self, other) -> bool:
        return type(other) is type(self)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield _whole(t, value, positions, chars, start_pos, start_char)
            return
        pos = start_pos
        for word, s, e in _jieba().tokenize(value):
            if not any(c.isalnum() for c in word):
                continue
            t.text = word.lower()
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + s, start_char + e
            pos += 1
            yield t


def jieba_words(text: str) -> list[str]:
    return [t.text for t in JiebaTokenizer()(text)]


def _schema() -> Schema:
    chars = TantivyAnalyzerTokenizer(CHARS_TOKENIZER)
    return Schema(
        code=ID(stored=True, unique=True),
        text=TEXT(analyzer=chars, stored=True, phrase=True),
        title=TEXT(analyzer=chars, phrase=True),
        issuer=TEXT(analyzer=chars, phrase=True),
        stem=TEXT(analyzer=TantivyAnalyzerTokenizer(STEM_TOKENIZER), phrase=True),
        words=TEXT(analyzer=JiebaTokenizer(), phrase=True),
        year=NUMERIC(int, bits=32, signed=False),
        datenum=NUMERIC(int, bits=32, signed=False, sortable=True),
        kind=ID, retention=ID, current=ID, program=ID,
        lang=KEYWORD(commas=True, lowercase=False, scorable=False),
        unit=KEYWORD(commas=True, lowercase=False, scorable=False),
        info=STORED,
    )


class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: Path, *, create: bool = False, writable: bool = False, procs: int = 1) -> None:
        self.path = Path(path)
        self._writer = None
        self._writable = writable or create
        self._procs = procs
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if create:
                    self.path.mkdir(parents=True, exist_ok=True)
                    self.ix = windex.create_in(str(self.path), _schema(), indexname=_INDEX_NAME)
                else:
                    if not windex.exists_in(str(self.path), indexname=_INDEX_NAME):
                        raise WorkplanError(Problem("the search index files are missing", file=str(self.path)))
                    self.ix = windex.open_dir(str(self.path), indexname=_INDEX_NAME, readonly=not writable)
        except WorkplanError:
            raise
        except Exception as e:  # whoosh raises many types for damaged files
            raise WorkplanError(Problem(f"cannot open the search index: {e}", file=str(self.path))) from None
        self.schema = self.ix.schema

    # --- writing --------------------------------------------------------------------------
    def _w(self):
        if self._writer is None:
            if not self._writable:
                raise RuntimeError("index opened read-only")
            if self._procs > 1:
                self._writer = self.ix.writer(procs=self._procs, limitmb=128, multisegment=True)
            else:
                self._writer = self.ix.writer(limitmb=256)
        return self._writer

    def add(self, docs: Iterable[IndexDoc]) -> int:
        w = self._w()
        n = 0
        for d in docs:
            w.add_document(
                code=d.code, text=d.search_text, title=d.title_all,
                issuer="\n".join(x for x in (d.issuer, d.issuer_abbr) if x),
                stem=d.stem_text, words="\n".join((d.title_all, d.body)),
                year=d.year, datenum=d.datenum, kind=d.kind, retention=d.retention,
                current="1" if d.current else "0", program=d.program or "",
                lang=",".join(d.langs), unit=",".join(u.replace(",", " ") for u in d.unit_terms),
                info=info_json(d),
            )
            n += 1
        return n

    def delete(self, codes: Iterable[str]) -> None:
        w = self._w()
        for c in codes:
            w.delete_by_term("code", c)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer = None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None

    # --- reading ----------------------------------------------------------------------------
    def doc_count(self) -> int:
        return self.ix.doc_count()

    def unit_terms(self) -> list[str]:
        with self.ix.searcher() as s:
            return [t.decode("utf-8") if isinstance(t, bytes) else t for t in s.lexicon("unit")]

    def search(self, root: And, *, limit: int, sort: str = SCORE,
               exact_count: bool = False) -> tuple[list[Hit], int, bool]:
        """The top hits and the total, always counted exactly (whoosh has no cheaper way)."""
        q = self._compile(root)
        sort_by_date = sort != SCORE
        with self.ix.searcher() as s:
            if sort_by_date:
                res = s.search(q, limit=limit, sortedby="datenum", reverse=sort == NEWEST)
            else:
                res = s.search(q, limit=limit)
            # whoosh's count under a limit can fall short (seen with AndMaybe): count exactly
            total = res.scored_length() if res.scored_length() < limit else sum(1 for _ in s.docs_for_query(q))
            hits = []
            for h in res:
                info = json.loads(h["info"])
                hits.append(Hit(code=info["code"], score=0.0 if sort_by_date else float(h.score),
                                info=info, text=h.get("text", "")))
        return hits, total, True

    def facets(self, root: And, fields: tuple[str, ...], *, size: int = 50) -> dict[str, dict]:
        """Counts of the documents matching ``root`` by each value of ``fields`` (from the stored
        display metadata of every match: slower than tantivy's aggregation, same numbers)."""
        keys = {"year": "year", "kind": "kind", "retention": "retention", "lang": "langs", "unit": "units",
                "current": "current"}
        out: dict[str, dict] = {f: {} for f in fields}
        q = self._compile(root)
        with self.ix.searcher() as s:
            for docnum in s.docs_for_query(q):
                info = json.loads(s.stored_fields(docnum)["info"])
                for f in fields:
                    v = info.get(keys[f])
                    for x in (v if isinstance(v, list) else [v]):
                        if x is None:
                            continue
                        x = ("1" if x else "0") if f == "current" else (int(x) if f == "year" else str(x))
                        out[f][x] = out[f].get(x, 0) + 1
        return {f: dict(sorted(c.items(), key=lambda kv: -kv[1])[:size]) for f, c in out.items()}

    # --- query compilation ------------------------------------------------------------------
    @staticmethod
    def _tokens_query(field: str, toks: list[str], boost: float = 1.0) -> wq.Query:
        if len(toks) == 1:
            return wq.Term(field, toks[0], boost=boost)
        return wq.Phrase(field, toks, boost=boost)

    def _text(self, t: Text) -> wq.Query:
        """Whether a word or phrase occurs (scored); jieba words and the title only add to the
        score (see _compile)."""
        toks = t.tokens
        if t.field in ("title", "issuer"):
            return self._tokens_query(t.field, toks)
        q = self._tokens_query("text", toks)
        stems = t.stems
        if stems:
            q = wq.Or([q, self._tokens_query("stem", stems)])
        return q

    def _boost(self, t: Text) -> wq.Query | None:
        """Optional clauses for ranking: the title, and jieba's words (with token positions)."""
        opts = [self._tokens_query("title", t.tokens, TITLE_BOOST)]
        words = jieba_words(t.value)
        if words and any(len(w) > 1 for w in words):
            opts.append(self._tokens_query("words", words))
        return wq.Or(opts)

    def _filter(self, f: Filter) -> wq.Query:
        if f.field == "year":
            lo, hi = f.value
            q = wq.NumericRange("year", lo, hi)
        elif f.field == "unit":
            names = list(f.value)
            q = wq.Or([wq.Term("unit", n) for n in names]) if names else wq.NullQuery
        elif f.field in ("kind", "retention", "lang", "code", "current", "program"):
            q = wq.Term(f.field, str(f.value))
        else:
            raise ValueError(f"unknown filter {f.field}")
        return wq.ConstantScoreQuery(q, 0.0) if q is not wq.NullQuery else q

    def _compile(self, n: Node) -> wq.Query:
        if isinstance(n, Text):
            return self._text(n)
        if isinstance(n, Filter):
            return self._filter(n)
        if isinstance(n, Or):
            return wq.Or([self._compile(x) for x in n.items])
        if isinstance(n, And):
            pos = [self._compile(x) for x in n.items if not isinstance(x, Not)]
            neg = [self._compile(x.item) for x in n.items if isinstance(x, Not)]
            opt = [self._boost(x) for x in n.items if isinstance(x, Text) and x.field is None]
            base = (pos[0] if len(pos) == 1 else wq.And(pos)) if pos else wq.Every()
            if opt:
                base = wq.AndMaybe(base, opt[0] if len(opt) == 1 else wq.Or(opt))
            if neg:
                return wq.AndNot(base, neg[0] if len(neg) == 1 else wq.Or(neg))
            return base
        if isinstance(n, Not):
            return wq.AndNot(wq.Every(), self._compile(n.item))
        raise TypeError(n)
