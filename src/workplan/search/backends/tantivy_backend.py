"""The default backend: tantivy-py (Rust).

Words and phrases of two or more tokens are matched on the ``pairs`` field (every two
consecutive tokens as one term, see :func:`workplan.search.text.pair_tokens`): the same matches
as a phrase of single characters, but the posting lists read are those of rare pairs, not of
characters that occur in nearly every document, so a query stays fast as the archive grows.
Single tokens are matched on the ``units`` field (each distinct token of a document once).

Ranking: BM25 of the pair terms of each word or phrase (and of its stems), plus a boost for
matches in the title; the positions (is it really a phrase?) only decide whether a document
matches, never its score. So the same documents rank the same way whichever of the two ways
below found them.

Checking positions is what costs (tantivy reads them for every document that holds all the
pairs of a phrase), so a query whose words hold more than one pair is answered in two steps
when many documents match: the best :data:`CANDIDATES` documents holding all the pairs (no
positions read: a superset of the matches, ranked as above), then the exact query run on those
candidates only (found by their ``uid``). When enough of them match, they are the top page;
otherwise the exact query runs on the whole index. Queries whose words are single pairs or
single characters need no positions and run once.

The total is counted while collecting the top page (it costs nothing more) whenever the whole
index is searched: always for queries without positions, when the rarest required term occurs
in at most :data:`EXACT_UP_TO` documents, when the exact matches in a fixed 1/:data:`SAMPLE_BUCKETS`
sample of the documents suggest at most twice that many, or when asked. Otherwise (the two
steps) it is that sample's estimate (``about N``, as web search engines do).
"""
from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path
from typing import Iterable

import tantivy

from ...errors import Problem, WorkplanError
from ..extract import IndexDoc
from ..query import And, Filter, Node, Not, Or, Text
from ..text import CHARS_TOKENIZER, PAIRS_TOKENIZER, STEM_TOKENIZER, analyzer, pairs_text, units_and_pairs
from .base import NEWEST, SCORE, Hit, info_json

TITLE_BOOST = 2.0
#: Totals up to this many are always exact.
EXACT_UP_TO = 1000
#: Documents fall in this many buckets by their code; one bucket is the sample for estimates.
SAMPLE_BUCKETS = 16
#: Candidates checked for exact matches in the two-step search: ``limit * 2 + 10``.
CANDIDATES = (2, 10)
#: Memory of the index writer: for a build of the whole index, and for updates.
WRITER_HEAP_BUILD = 1_000_000_000
WRITER_HEAP = 200_000_000
EXACT, RELAXED, MATCH = "exact", "relaxed", "match"  # query compilation modes (see _compile)


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
    sb.add_integer_field("uid", indexed=True, fast=True)  # finds the candidates of the two-step search
    for name in ("kind", "retention", "lang", "unit", "current"):  # fast: facet counts (aggregations)
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_text_field("program", tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field("info", stored=True, indexed=False)
    return sb.build()


def sample_bucket(code: str) -> int:
    return zlib.crc32(code.encode("utf-8")) % SAMPLE_BUCKETS


def doc_uid(d: IndexDoc) -> int:
    """A 63-bit number for one indexed record (a collision costs nothing but a wasted check:
    candidates are matched by their address, the uid only narrows the exact query to them)."""
    h = hashlib.blake2b(f"{d.code}\x00{d.version}\x00{d.identity}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "big") >> 1


def _phrase(toks: list[str]) -> list[str | tuple[int, str]]:
    """Tokens as tantivy's phrase query takes them (each at the next position)."""
    return list(toks)


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: Path, *, create: bool = False, writable: bool = False) -> None:
        self.path = Path(path)
        self._writer = None
        self._writable = writable or create
        self._create = create
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
            # a big heap for a build (memory is taken as used) makes few segments, so few merges
            # and fewer segments to search; tantivy picks the number of threads
            heap = WRITER_HEAP_BUILD if self._create else WRITER_HEAP
            self._writer = self.index.writer(heap_size=heap)
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
            td.add_integer("uid", doc_uid(d))
            td.add_text("kind", d.kind)
            td.add_text("retention", d.retention)
            for lg in d.langs:
                td.add_text("lang", lg)
            for u in d.unit_terms:
                td.add_text("unit", u)
            td.add_text("current", "1" if d.current else "0")
            if d.program:
                td.add_text("program", d.program)
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

    def search(self, root: And, *, limit: int, sort: str = SCORE,
               exact_count: bool = False) -> tuple[list[Hit], int, bool]:
        """The top ``limit`` hits, the total and whether the total is exact (see the module)."""
        s = self.index.searcher()
        if (sort != SCORE or exact_count or not self._needs_positions(root)
                or self._rarest(s, root) <= EXACT_UP_TO):
            return self._exact(s, root, limit, sort)
        # positions to check in many documents: first how many match, from the sample
        match = self._compile(root, MATCH)
        sampled = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, match),
            (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "sample", 0))])
        estimate = s.search(sampled, 1, count=True).count * SAMPLE_BUCKETS  # type: ignore[attr-defined]  # not in tantivy's stub
        if estimate <= 2 * EXACT_UP_TO:  # maybe only a few: count them exactly
            return self._exact(s, root, limit)
        # many: the best candidates holding every pair, then which of them match exactly
        cand = s.search(self._compile(root, RELAXED), limit * CANDIDATES[0] + CANDIDATES[1], count=False)
        found = self._matching(s, match, cand.hits)
        if len(found) < limit:  # too few of the candidates match: the whole index
            return self._exact(s, root, limit)
        return self._hits(s, found[:limit]), max(estimate, len(found)), False

    def _exact(self, s, root: And, limit: int, sort: str = SCORE) -> tuple[list[Hit], int, bool]:
        """One search of the whole index: the top hits, every match counted on the way."""
        order = {} if sort == SCORE else \
            {"order_by_field": "datenum", "order": tantivy.Order.Desc if sort == NEWEST else tantivy.Order.Asc}
        res = s.search(self._compile(root), limit, count=True, **order)
        return self._hits(s, res.hits, sort != SCORE), int(res.count), True

    def _matching(self, s, match: tantivy.Query, cands: list) -> list:
        """Those of the candidates (score, address) that the query ``match`` matches, in order:
        ``match`` runs on the candidates only (found by their uid)."""
        if not cands:
            return []
        Q = tantivy.Query
        uids = s.fast_field_values("uid", [a for _, a in cands])
        only = Q.boolean_query([(tantivy.Occur.Should, Q.term_query(self.schema, "uid", u)) for u in set(uids)])
        res = s.search(Q.boolean_query([(tantivy.Occur.Must, match),
                                        (tantivy.Occur.Must, Q.const_score_query(only, 0.0))]),
                       2 * len(cands), count=False)  # room for a document sharing a uid
        ok = {(a.segment_ord, a.doc) for _, a in res.hits}
        return [(sc, a) for sc, a in cands if (a.segment_ord, a.doc) in ok]

    def _hits(self, s, found, sort_by_date: bool = False) -> list[Hit]:
        hits = []
        for score, addr in found:
            doc = s.doc(addr)
            info = json.loads(bytes(doc.get_first("info")).decode("utf-8"))
            hits.append(Hit(code=info["code"], score=float(score) if not sort_by_date else 0.0,
                            info=info, text=bytes(doc.get_first("body") or b"").decode("utf-8")))
        return hits

    @staticmethod
    def _needs_positions(root: And) -> bool:
        """Whether a word or phrase that counts towards the matches (not an excluded one) is
        more than one pair or stem: only those read positions."""
        def walk(n) -> bool:
            if isinstance(n, Text):
                return n.field is None and (len(n.pairs) > 1 or len(n.stems) > 1)
            if isinstance(n, (And, Or)):
                return any(walk(x) for x in n.items)
            return False
        return walk(root)

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
    # Modes: EXACT (the results: exact matches, scored by terms), RELAXED (the superset: every
    # pair anywhere, scored alike), MATCH (exact matches, for counting and checking: not scored
    # alike, cheaper).
    def _tokens_query(self, field: str, toks: list[str]) -> tantivy.Query:
        if len(toks) == 1:
            return tantivy.Query.term_query(self.schema, field, toks[0])
        return tantivy.Query.phrase_query(self.schema, field, _phrase(toks))

    def _words(self, field: str, toks: list[str], mode: str) -> list[tantivy.Query]:
        """Consecutive tokens, as queries all of which must match (see the modes above)."""
        Q = tantivy.Query
        if len(toks) == 1 or mode == MATCH:
            return [self._tokens_query(field, toks)]
        parts = [Q.term_query(self.schema, field, t) for t in dict.fromkeys(toks)]
        if mode == EXACT:
            parts.append(Q.const_score_query(Q.phrase_query(self.schema, field, _phrase(toks)), 0.0))
        return parts

    def _title(self, t: Text) -> tantivy.Query:
        if t.pairs:
            return self._tokens_query("tpairs", t.pairs)
        if len(t.tokens) == 1:
            return tantivy.Query.term_query(self.schema, "title", t.tokens[0])
        # Python and Rust split exotic characters differently: every token, anywhere in the title
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "title", x))
                                            for x in t.tokens])

    @staticmethod
    def _all(parts: list[tantivy.Query]) -> tantivy.Query:
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, p) for p in parts])

    def _text(self, t: Text, mode: str = EXACT) -> list[tantivy.Query]:
        """Whether a word or phrase occurs, as queries all of which must match (the caller puts
        them in its own conjunction: tantivy intersects one flat list fastest). Title matches
        are boosted separately (see _compile): an optional clause costs far less than a
        disjunction here."""
        if t.field == "title":
            return [self._title(t)]
        if t.field == "issuer":
            return [self._tokens_query("issuer", t.tokens)]
        if t.pairs:
            parts = self._words("pairs", t.pairs, mode)
        elif t.units:
            parts = [tantivy.Query.term_query(self.schema, "units", t.units[0])]
        else:  # only characters Python does not count as word characters
            parts = [tantivy.Query.empty_query()]
        stems = t.stems
        if stems:
            return [tantivy.Query.boolean_query([(tantivy.Occur.Should, self._all(parts)),
                                                 (tantivy.Occur.Should, self._all(self._words("stem", stems, mode)))])]
        return parts

    def _filter(self, f: Filter) -> tantivy.Query:
        Q = tantivy.Query
        if f.field == "year":
            lo, hi = f.value
            q = Q.range_query(self.schema, "year", tantivy.FieldType.Integer, lo, hi)
        elif f.field == "unit":
            names = list(f.value)
            q = Q.term_set_query(self.schema, "unit", names) if names else Q.empty_query()
        elif f.field in ("kind", "retention", "lang", "code", "current", "program"):
            q = Q.term_query(self.schema, f.field, str(f.value))
        else:
            raise ValueError(f"unknown filter {f.field}")
        return Q.const_score_query(q, 0.0)

    def _compile(self, n: Node, mode: str = EXACT) -> tantivy.Query:
        """The tantivy query of a tree (see the modes above); excluded words are always exact."""
        Q = tantivy.Query
        if isinstance(n, Text):
            return self._all(self._text(n, mode))
        if isinstance(n, Filter):
            return self._filter(n)
        if isinstance(n, Or):
            return Q.boolean_query([(tantivy.Occur.Should, self._compile(x, mode)) for x in n.items])
        if isinstance(n, And):
            clauses = []
            positive = False
            for x in n.items:
                if isinstance(x, Not):
                    clauses.append((tantivy.Occur.MustNot, self._compile(x.item, MATCH)))
                elif isinstance(x, Filter) and x.field == "current" and x.value == "1":
                    # "not superseded": excluding the few old versions reads a short posting list;
                    # requiring "current" would read one that covers almost every document
                    clauses.append((tantivy.Occur.MustNot, Q.term_query(self.schema, "current", "0")))
                elif isinstance(x, Text):
                    clauses += [(tantivy.Occur.Must, p) for p in self._text(x, mode)]
                    positive = True
                    if x.field is None and mode != MATCH:  # ranking: the title matters more
                        clauses.append((tantivy.Occur.Should, Q.boost_query(self._title(x), TITLE_BOOST)))
                else:
                    clauses.append((tantivy.Occur.Must, self._compile(x, mode)))
                    positive = True
            if not positive:
                clauses.append((tantivy.Occur.Must, Q.all_query()))
            return Q.boolean_query(clauses)
        if isinstance(n, Not):
            return Q.boolean_query([(tantivy.Occur.Must, Q.all_query()),
                                    (tantivy.Occur.MustNot, self._compile(n.item, MATCH))])
        raise TypeError(n)
