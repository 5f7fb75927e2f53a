"""The default backend: tantivy-py (Rust).

Words and phrases of two or more tokens are matched on the ``pairs`` field (every two
consecutive tokens as one term, see :func:`workplan.search.text.pair_tokens`): the same matches
as a phrase of single characters, but the posting lists read are those of rare pairs, not of
characters that occur in nearly every document, so a query stays fast as the archive grows.
Single tokens are matched on the ``units`` field (each distinct token of a document once).

Only the top page is collected. The total is exact when fewer documents than asked for match,
when the rarest required term occurs in at most :data:`EXACT_UP_TO` documents, or when asked;
otherwise it is estimated from a fixed 1/:data:`SAMPLE_BUCKETS` sample of the documents
(``about N``, as web search engines do).
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Iterable

import tantivy

from ...errors import Problem, WorkplanError
from ..extract import IndexDoc
from ..query import And, Filter, Node, Not, Or, Text
from ..text import CHARS_TOKENIZER, PAIRS_TOKENIZER, STEM_TOKENIZER, analyzer, pairs_text, units_and_pairs
from .base import Hit, info_json

TITLE_BOOST = 2.0
#: Totals up to this many are always exact.
EXACT_UP_TO = 1000
#: Documents fall in this many buckets by their code; one bucket is the sample for estimates.
SAMPLE_BUCKETS = 16


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("code", stored=True, tokenizer_name="raw")
    sb.add_bytes_field("body", stored=True, indexed=False)  # the full text, for snippets
    sb.add_text_field("units", tokenizer_name=PAIRS_TOKENIZER, index_option="basic")
    sb.add_text_field("pairs", tokenizer_name=PAIRS_TOKENIZER)
    sb.add_text_field("title", tokenizer_name=CHARS_TOKENIZER, index_option="freq")
    sb.add_text_field("tpairs", tokenizer_name=PAIRS_TOKENIZER)
    sb.add_text_field("issuer", tokenizer_name=CHARS_TOKENIZER)
    sb.add_text_field("stem", tokenizer_name=STEM_TOKENIZER)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("datenum", indexed=False, fast=True)
    sb.add_integer_field("sample", indexed=True)
    for name in ("kind", "retention", "lang", "unit", "current"):  # fast: facet counts (aggregations)
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_bytes_field("info", stored=True, indexed=False)
    return sb.build()


def sample_bucket(code: str) -> int:
    return zlib.crc32(code.encode("utf-8")) % SAMPLE_BUCKETS


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
        for name in (CHARS_TOKENIZER, STEM_TOKENIZER, PAIRS_TOKENIZER):
            self.index.register_tokenizer(name, analyzer(name))
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
            text = d.search_text
            td.add_bytes("body", text.encode("utf-8"))
            units, pairs = units_and_pairs(text)
            td.add_text("units", units)
            td.add_text("pairs", pairs)
            td.add_text("title", d.title_all)
            td.add_text("tpairs", pairs_text(d.title_all))
            td.add_text("issuer", "\n".join(x for x in (d.issuer, d.issuer_abbr) if x))
            if d.stem_text:
                td.add_text("stem", d.stem_text)
            td.add_integer("year", d.year)
            td.add_integer("datenum", d.datenum)
            td.add_integer("sample", sample_bucket(d.code))
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

    def search(self, root: And, *, limit: int, sort_by_date: bool = False,
               exact_count: bool = False) -> tuple[list[Hit], int, bool]:
        """The top ``limit`` hits, the total and whether the total is exact (see the module)."""
        q = self._compile(root)
        s = self.index.searcher()
        order = {"order_by_field": "datenum", "order": tantivy.Order.Desc} if sort_by_date else {}
        count = exact_count or self._rarest(s, root) <= EXACT_UP_TO
        res = s.search(q, limit, count=count, **order)
        hits = []
        for score, addr in res.hits:
            doc = s.doc(addr)
            info = json.loads(bytes(doc.get_first("info")).decode("utf-8"))
            hits.append(Hit(code=info["code"], score=float(score) if not sort_by_date else 0.0,
                            info=info, text=bytes(doc.get_first("body") or b"").decode("utf-8")))
        if count:
            return hits, int(res.count), True
        if len(hits) < limit:
            return hits, len(hits), True
        # many matches: count them in the sample, exactly if that suggests only a few
        sampled = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, q),
            (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "sample", 0))])
        estimate = s.search(sampled, 1, count=True).count * SAMPLE_BUCKETS
        if estimate <= 2 * EXACT_UP_TO:
            return hits, int(s.search(q, 1, count=True).count), True
        return hits, max(estimate, len(hits)), False

    def _rarest(self, s, root: And) -> int:
        """An upper bound of the matches: the fewest documents holding one required term."""
        best = s.num_docs
        for x in root.items:
            if isinstance(x, Text) and x.field is None and not x.stems:
                terms = [("pairs", p) for p in x.pairs] or [("units", u) for u in x.units]
                for field, term in terms:
                    best = min(best, s.doc_freq(field, term))
        return best

    def facets(self, root: And, fields: tuple[str, ...], *, size: int = 50) -> dict[str, dict]:
        """Counts of the documents matching ``root`` by each value of ``fields`` (one aggregation)."""
        s = self.index.searcher()
        aggs = {f: {"terms": {"field": f, "size": size}} for f in fields}
        res = s.aggregate(self._compile(root), aggs)
        return {f: {(str(b["key"]) if f != "year" else int(b["key"])): int(b["doc_count"])
                    for b in res.get(f, {}).get("buckets", [])} for f in fields}

    # --- query compilation ------------------------------------------------------------------
    def _tokens_query(self, field: str, toks: list[str]) -> tantivy.Query:
        if len(toks) == 1:
            return tantivy.Query.term_query(self.schema, field, toks[0])
        return tantivy.Query.phrase_query(self.schema, field, toks)

    def _title(self, t: Text) -> tantivy.Query:
        if t.pairs:
            return self._tokens_query("tpairs", t.pairs)
        if len(t.tokens) == 1:
            return tantivy.Query.term_query(self.schema, "title", t.tokens[0])
        # Python and Rust split exotic characters differently: every token, anywhere in the title
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "title", x))
                                            for x in t.tokens])

    def _text(self, t: Text) -> tantivy.Query:
        """Whether a word or phrase occurs (scored). Title matches are boosted separately
        (see _compile): an optional clause costs far less than a disjunction here."""
        if t.field == "title":
            return self._title(t)
        if t.field == "issuer":
            return self._tokens_query("issuer", t.tokens)
        if t.pairs:
            q = self._tokens_query("pairs", t.pairs)
        elif t.units:
            q = tantivy.Query.term_query(self.schema, "units", t.units[0])
        else:  # only characters Python does not count as word characters
            q = tantivy.Query.empty_query()
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
                elif isinstance(x, Filter) and x.field == "current" and x.value == "1":
                    # "not superseded": excluding the few old versions reads a short posting list;
                    # requiring "current" would read one that covers almost every document
                    clauses.append((tantivy.Occur.MustNot, Q.term_query(self.schema, "current", "0")))
                else:
                    clauses.append((tantivy.Occur.Must, self._compile(x)))
                    positive = True
                    if isinstance(x, Text) and x.field is None:  # ranking: the title matters more
                        clauses.append((tantivy.Occur.Should, Q.boost_query(self._title(x), TITLE_BOOST)))
            if not positive:
                clauses.append((tantivy.Occur.Must, Q.all_query()))
            return Q.boolean_query(clauses)
        if isinstance(n, Not):
            return Q.boolean_query([(tantivy.Occur.Must, Q.all_query()), (tantivy.Occur.MustNot, self._compile(n.item))])
        raise TypeError(n)
