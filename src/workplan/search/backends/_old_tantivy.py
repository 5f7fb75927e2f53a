"""The default backend: tantivy-py (Rust), with a per-Han-character regex tokenizer."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import tantivy

from ...errors import Problem, WorkplanError
from ..extract import IndexDoc
from ..query import And, Filter, Node, Not, Or, Text
from ..text import CHARS_TOKENIZER, STEM_TOKENIZER, analyzer
from .base import Hit, info_json

TITLE_BOOST = 2.0


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("code", stored=True, tokenizer_name="raw")
    sb.add_text_field("text", stored=True, tokenizer_name=CHARS_TOKENIZER)
    sb.add_text_field("title", tokenizer_name=CHARS_TOKENIZER)
    sb.add_text_field("issuer", tokenizer_name=CHARS_TOKENIZER)
    sb.add_text_field("stem", tokenizer_name=STEM_TOKENIZER)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("datenum", indexed=False, fast=True)
    for name in ("kind", "retention", "lang", "unit", "current"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field("info", stored=True, indexed=False)
    return sb.build()


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: Path, *, create: bool = False, writable: bool = False) -> None:
        self.path = Path(path)
        self._writer = None
        self._writable = writable or create
        try:
            if create:
                self.path.mkdir(parents=True, exist_ok=True)
                self.index = tantivy.Index(_schema(), path=str(self.path), reuse=False)
            else:
                if not tantivy.Index.exists(str(self.path)):
                    raise WorkplanError(Problem("the search index files are missing", file=str(self.path)))
                self.index = tantivy.Index.open(str(self.path))
        except WorkplanError:
            raise
        except Exception as e:  # tantivy raises ValueError/OSError variants for damaged files
            raise WorkplanError(Problem(f"cannot open the search index: {e}", file=str(self.path))) from None
        self.index.register_tokenizer(CHARS_TOKENIZER, analyzer(CHARS_TOKENIZER))
        self.index.register_tokenizer(STEM_TOKENIZER, analyzer(STEM_TOKENIZER))
        self.schema = self.index.schema

    # --- writing --------------------------------------------------------------------------
    def _w(self):
        if self._writer is None:
            if not self._writable:
                raise RuntimeError("index opened read-only")
            self._writer = self.index.writer(heap_size=200_000_000)
        return self._writer

    def add(self, docs: Iterable[IndexDoc]) -> int:
        w = self._w()
        n = 0
        for d in docs:
            td = tantivy.Document()
            td.add_text("code", d.code)
            td.add_text("text", d.search_text)
            td.add_text("title", d.title_all)
            td.add_text("issuer", "\n".join(x for x in (d.issuer, d.issuer_abbr) if x))
            if d.stem_text:
                td.add_text("stem", d.stem_text)
            td.add_integer("year", d.year)
            td.add_integer("datenum", d.datenum)
            td.add_text("kind", d.kind)
            td.add_text("retention", d.retention)
            for lg in d.langs:
                td.add_text("lang", lg)
            for u in d.unit_terms:
                td.add_text("unit", u)
            td.add_text("current", "1" if d.current else "0")
            td.add_bytes("info", info_json(d).encode("utf-8"))
            w.add_document(td)
            n += 1
        return n

    def delete(self, codes: Iterable[str]) -> None:
        w = self._w()
        for c in codes:
            w.delete_documents_by_term("code", c)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
            # tantivy writes its file list owner-only; readers of a shared archive need it too
            managed = self.path / ".managed.json"
            try:
                if managed.exists():
                    managed.chmod(0o644)
            except OSError:
                pass
        self.index.reload()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    # --- reading ----------------------------------------------------------------------------
    def doc_count(self) -> int:
        return self.index.searcher().num_docs

    def unit_terms(self) -> list[str]:
        return [t for t, _ in self.index.searcher().terms_with_prefix("unit", "")]

    def search(self, root: And, *, limit: int, sort_by_date: bool = False) -> tuple[list[Hit], int]:
        q = self._compile(root)
        s = self.index.searcher()
        if sort_by_date:
            res = s.search(q, limit, count=True, order_by_field="datenum", order=tantivy.Order.Desc)
        else:
            res = s.search(q, limit, count=True)
        hits = []
        for score, addr in res.hits:
            doc = s.doc(addr)
            info = json.loads(bytes(doc.get_first("info")).decode("utf-8"))
            hits.append(Hit(code=info["code"], score=float(score) if not sort_by_date else 0.0,
                            info=info, text=doc.get_first("text") or ""))
        return hits, int(res.count)

    # --- query compilation ------------------------------------------------------------------
    def _tokens_query(self, field: str, toks: list[str]) -> tantivy.Query:
        if len(toks) == 1:
            return tantivy.Query.term_query(self.schema, field, toks[0])
        return tantivy.Query.phrase_query(self.schema, field, toks)

    def _text(self, t: Text) -> tantivy.Query:
        """Whether a word or phrase occurs (scored). Title matches are boosted separately
        (see _compile): an optional clause costs far less than a disjunction here."""
        toks = t.tokens
        if t.field in ("title", "issuer"):
            return self._tokens_query(t.field, toks)
        q = self._tokens_query("text", toks)
        stems = t.stems
        if stems:
            q = tantivy.Query.boolean_query([(tantivy.Occur.Should, q),
                                             (tantivy.Occur.Should, self._tokens_query("stem", stems))])
        return q

    def _filter(self, f: Filter) -> tantivy.Query:
        Q = tantivy.Query
        if f.field == "year":
            lo, hi = f.value
            q = Q.range_query(self.schema, "year", tantivy.FieldType.Integer, lo, hi)
        elif f.field == "unit":
            names = list(f.value)
            q = Q.term_set_query(self.schema, "unit", names) if names else Q.empty_query()
        elif f.field in ("kind", "retention", "lang", "code", "current"):
            q = Q.term_query(self.schema, f.field, str(f.value))
        else:
            raise ValueError(f"unknown filter {f.field}")
        return Q.const_score_query(q, 0.0)

    def _compile(self, n: Node) -> tantivy.Query:
        Q = tantivy.Query
        if isinstance(n, Text):
            return self._text(n)
        if isinstance(n, Filter):
            return self._filter(n)
        if isinstance(n, Or):
            return Q.boolean_query([(tantivy.Occur.Should, self._compile(x)) for x in n.items])
        if isinstance(n, And):
            clauses = []
            positive = False
            for x in n.items:
                if isinstance(x, Not):
                    clauses.append((tantivy.Occur.MustNot, self._compile(x.item)))
                else:
                    clauses.append((tantivy.Occur.Must, self._compile(x)))
                    positive = True
                    if isinstance(x, Text) and x.field is None:  # ranking: the title matters more
                        clauses.append((tantivy.Occur.Should,
                                        Q.boost_query(self._tokens_query("title", x.tokens), TITLE_BOOST)))
            if not positive:
                clauses.append((tantivy.Occur.Must, Q.all_query()))
            return Q.boolean_query(clauses)
        if isinstance(n, Not):
            return Q.boolean_query([(tantivy.Occur.Must, Q.all_query()), (tantivy.Occur.MustNot, self._compile(n.item))])
        raise TypeError(n)
