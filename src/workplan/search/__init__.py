"""Full-text search of the archive, in Chinese and English.

Public API::

    from workplan.search import search, reindex, on_records_changed, keep_index_current, open_index
    keep_index_current(arc)         # adds and disposals through arc update the index
    result = search(arc, '消防 "安全检查" -演练', year="2023", unit="消防大队")
    for hit in result.hits: hit.code, hit.title, hit.score, hit.snippets

Chinese is indexed one character per token, so any substring a user types matches exactly
(消防 inside 消防安全, single characters too); English is also indexed stemmed. The index is
derived data under ``<archive root>/index/`` (see :mod:`.index`); searching never modifies the
archive. Backends: tantivy (default) and whoosh (``pip install workplan[whoosh]``).
"""
from __future__ import annotations

import difflib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ..errors import Problem, WorkplanError
from ..i18n import Said
from .backends import BACKENDS
from .backends.base import NEWEST, SCORE, SORTS
from .index import (DEFAULT_BACKEND, REINDEX_HINT, SCHEMA_VERSION, BuildReport, IndexCorrupt, IndexManager,
                    IndexMissing)
from .query import And, Filter, Node, Not, Or, Query, Text, make_filter, parse
from .snippets import Snippet, make_snippets
from .text import has_han

__all__ = ["search", "reindex", "on_records_changed", "keep_index_current", "open_index", "index_status", "build_query",
           "SearchResult", "SearchHit", "Query", "Text",
           "SCHEMA_VERSION", "BACKENDS", "DEFAULT_BACKEND", "IndexMissing", "IndexCorrupt", "parse"]


@dataclass
class SearchHit:
    code: str
    title: str
    date: str
    issuer: str
    score: float
    title_en: str | None = None
    doc_number: str | None = None
    kind: str = ""
    retention: str = ""
    version: int = 1
    current: bool = True
    snippets: list[Snippet] = field(default_factory=list)
    names_en: dict[str, str] = field(default_factory=dict)  # English forms of the Chinese names above
    program: str | None = None                              # a report's program (archival code)

    def to_json(self) -> dict:
        return {"code": self.code, "title": self.title, "title_en": self.title_en, "date": self.date,
                "issuer": self.issuer, "doc_number": self.doc_number, "kind": self.kind,
                "retention": self.retention, "version": self.version, "current": self.current,
                "score": round(self.score, 4), "snippets": [s.to_json() for s in self.snippets],
                "names_en": self.names_en, "program": self.program}


@dataclass
class SearchResult:
    query: str
    backend: str
    total: int                      # exact, or an estimate when ``total_is_exact`` is False
    hits: list[SearchHit]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    total_is_exact: bool = True

    def total_text(self) -> str:
        """The total as people read it: "12" or "about 34,000"."""
        return f"{self.total:,}" if self.total_is_exact else f"about {about(self.total):,}"

    @property
    def codes(self) -> list[str]:
        return [h.code for h in self.hits]

    def to_json(self) -> dict:
        return {"query": self.query, "backend": self.backend, "total": self.total,
                "total_is_exact": self.total_is_exact, "returned": len(self.hits), "milliseconds": round(self.seconds * 1000, 2),
                "warnings": self.warnings, "results": [h.to_json() for h in self.hits]}


def about(n: int) -> int:
    """``n`` rounded to two significant digits (an estimate shows no false precision)."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return round(n / step) * step


# --- unit resolution ------------------------------------------------------------------------------
def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(c in it for c in needle)


def resolve_unit(value: str, terms: list[str]) -> list[str]:
    """Unit names/ids in the index matching what the user typed: exactly (id or name, any case),
    else as a part of the name, else (Chinese) as characters in order: 消防大队 → 县消防救援大队."""
    v = value.strip()
    exact = [t for t in terms if t == v or t.lower() == v.lower()]
    if exact:
        return exact
    part = [t for t in terms if v.lower() in t.lower()]
    if part:
        return part
    if has_han(v) and len(v) >= 2:
        return [t for t in terms if has_han(t) and _subsequence(v, t)]
    return []


FACET_FIELDS = ("year", "kind", "retention", "lang", "unit")


# --- an opened index ------------------------------------------------------------------------------
class OpenIndex:
    """A search index opened read-only, for one or many searches."""

    def __init__(self, manager: IndexManager, meta: dict, stale: str | None = None) -> None:
        self.manager = manager
        self.meta = meta
        self.stale = stale  # why the index is behind the archive (None: it is current)
        self.backend_name = meta["backend"]
        self.backend = manager.open(meta)
        self._units: list[str] | None = None
        self._names_en: dict[str, str | None] = {}

    def unit_terms(self) -> list[str]:
        if self._units is None:
            self._units = self.backend.unit_terms()
        return self._units

    def versions_info(self, code: str) -> dict[int, dict]:
        """What the index holds of each version of a record (its display metadata), by version."""
        root = And((Filter("code", code),))
        hits, _, _ = self.backend.search(root, limit=1000, sort=NEWEST)
        return {int(h.info.get("version") or 1): h.info for h in hits}

    def names_en(self, names: list[str]) -> dict[str, str]:
        """The English forms the data gives for these Chinese unit names (those it has), read from
        a record that names each unit; remembered while this index stays open."""
        known = self._names_en
        for name in names:
            if name not in known:
                hits, _, _ = self.backend.search(And((Filter("unit", (name,)),)), limit=1, sort=NEWEST)
                known[name] = next((h.info.get("names_en", {}).get(name) for h in hits), None)
        return {n: v for n in names if (v := known.get(n))}

    def _resolve(self, node, warnings: list[str]):
        if isinstance(node, Filter) and node.field == "unit":
            terms = self.unit_terms()
            names = resolve_unit(str(node.value), terms)
            if not names:
                named = sorted(t for t in terms if has_han(t))
                close = difflib.get_close_matches(str(node.value), named, n=3, cutoff=0.3)
                warnings.append(Said("search.warn.no_unit_close", value=repr(node.value), close=", ".join(close))
                                if close else Said("search.warn.no_unit", value=repr(node.value)))
            return Filter("unit", tuple(names), node.raw)
        if isinstance(node, Not):
            return Not(self._resolve(node.item, warnings))
        if isinstance(node, Or):
            return Or(tuple(self._resolve(x, warnings) for x in node.items))
        if isinstance(node, And):
            return And(tuple(self._resolve(x, warnings) for x in node.items))
        return node

    def search(self, query: str | Query = "", *, year: FilterValue = None, unit: FilterValue = None,
               kind: FilterValue = None, retention: FilterValue = None, lang: FilterValue = None,
               program: FilterValue = None, all_versions: bool = False, limit: int = 10, offset: int = 0,
               snippets: bool = True, exact_count: bool = False, sort: str | None = None) -> SearchResult:
        """The best ``limit`` documents after skipping the best ``offset`` (pages of results), with
        snippets, and how many match: exactly up to a threshold, else an estimate
        (``total_is_exact`` False) unless ``exact_count``. A filter given several values matches
        any of them. ``sort``: "score" (the default when the query has words), "newest" (the
        default without words) or "oldest"."""
        if limit < 1:
            raise WorkplanError(Problem("--limit must be at least 1", file="query"))
        if offset < 0:
            raise WorkplanError(Problem("the offset must not be negative", file="query"))
        t0 = time.perf_counter()
        q = build_query(query, year=year, unit=unit, kind=kind, retention=retention, lang=lang, program=program,
                        all_versions=all_versions)
        if sort is not None and sort not in SORTS:
            raise WorkplanError(Problem(f"cannot sort by {sort!r}", file="query", hint=f"use one of {', '.join(SORTS)}"))
        order = sort or (SCORE if q.has_text() else NEWEST)
        warnings = list(q.warnings)
        if self.stale:
            warnings.append(Said("search.warn.stale", why=self.stale))
        root = self._resolve(q.root, warnings)
        try:
            raw_hits, total, exact = self.backend.search(root, limit=limit + offset, sort=order,
                                                         exact_count=exact_count)
        except WorkplanError:
            raise
        except Exception as e:  # damaged segment files surface here
            raise IndexCorrupt(Problem(f"the search index is damaged: {e}", file=str(self.manager.dir),
                                       hint=REINDEX_HINT)) from None
        texts = q.texts()
        if order == SCORE:  # equal scores: newest first, then by code, whatever the segment layout
            raw_hits.sort(key=lambda h: (-round(h.score, 5), _neg_date(h.info.get("date")), h.code,
                                         int(h.info.get("version") or 1)))
        else:  # equal dates: by code and version, whatever the segment layout
            raw_hits.sort(key=lambda h: (_neg_date(h.info.get("date")) * (1 if order == NEWEST else -1), h.code,
                                         int(h.info.get("version") or 1)))
        hits = []
        for h in raw_hits[offset:]:
            i = h.info
            sn = make_snippets(h.text, [t for t in texts if t.field is None]) if snippets else []
            hits.append(SearchHit(code=h.code, title=i.get("title") or "", title_en=i.get("title_en"),
                                  date=i.get("date") or "", issuer=i.get("issuer") or "", score=h.score,
                                  doc_number=i.get("doc_number"), kind=i.get("kind") or "",
                                  retention=i.get("retention") or "", version=int(i.get("version") or 1),
                                  current=bool(i.get("current", True)), snippets=sn,
                                  names_en=dict(i.get("names_en") or {}), program=i.get("program")))
        return SearchResult(q.source, self.backend_name, total, hits, warnings, time.perf_counter() - t0, exact)

    def facets(self, query: str | Query = "", *, year=None, unit=None, kind=None, retention=None, lang=None,
               program=None, all_versions: bool = False, size: int = 50) -> dict[str, list[tuple]]:
        """For the documents a search matches: how many have each year, kind, retention, language
        and unit (Chinese unit names), most frequent first (years newest first). One aggregation
        over the index, so it costs about as much as the search itself; plus one per filtered
        field, counted without that field's own filter (so that its other values can be added:
        several years at once)."""
        given = {"year": year, "unit": unit, "kind": kind, "retention": retention, "lang": lang}

        def counts(fields: tuple[str, ...], without: str | None = None) -> dict[str, dict]:
            values = {k: (None if k == without else v) for k, v in given.items()}
            blank = without and not isinstance(query, Query) and not (query or "").strip()
            q = build_query(Query(And(()), "") if blank else query, **values, program=program,
                            all_versions=all_versions)
            root = self._resolve(q.root, [])
            try:
                return self.backend.facets(root, fields, size=size * 4)  # room for unit ids, dropped below
            except WorkplanError:
                raise
            except Exception as e:
                raise IndexCorrupt(Problem(f"the search index is damaged: {e}", file=str(self.manager.dir),
                                           hint=REINDEX_HINT)) from None
        filtered = tuple(f for f in FACET_FIELDS if _values(given[f]))
        raw = counts(tuple(f for f in FACET_FIELDS if f not in filtered))
        for f in filtered:
            raw.update(counts((f,), without=f))
        out: dict[str, list[tuple]] = {}
        for f in FACET_FIELDS:
            items: Iterable[tuple[Any, int]] = raw.get(f, {}).items()
            if f == "unit":
                items = [(k, n) for k, n in items if has_han(k)]  # names, not unit ids
            key = (lambda kv: -kv[0]) if f == "year" else (lambda kv: (-kv[1], _facet_order(f, kv[0])))  # noqa: B023 - used at once
            out[f] = sorted(items, key=key)[:size]
        return out

    def close(self) -> None:
        self.backend.close()


def _facet_order(field: str, value) -> tuple:
    """Ties in the facet counts: kinds, retentions and languages in their usual order, others by name."""
    from .query import KINDS, LANGS, RETENTIONS
    order = {"kind": KINDS, "retention": RETENTIONS, "lang": LANGS}.get(field, ())
    return (order.index(value) if value in order else len(order), str(value))


def _neg_date(date: str | None) -> int:
    try:
        return -int((date or "0").replace("-", "")[:8])
    except ValueError:
        return 0


FilterValue = str | int | list | tuple | None


def _values(value: FilterValue) -> list[str]:
    """The values a filter option was given: one, or several (a list), blanks left out."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(v).strip() for v in items if v is not None and str(v).strip() != ""]


def build_query(query: str | Query = "", *, year=None, unit=None, kind=None, retention=None, lang=None,
                program=None, all_versions: bool = False) -> Query:
    """The query tree for a query text plus the option filters (AND-ed; an option with several
    values matches any of them)."""
    filters: list[Node] = []
    for name, value in (("year", year), ("unit", unit), ("kind", kind), ("retention", retention), ("lang", lang),
                        ("program", program)):
        alts = [make_filter(name, v, f"--{name} {v}") for v in dict.fromkeys(_values(value))]
        if alts:
            filters.append(alts[0] if len(alts) == 1 else Or(tuple(alts)))
    if isinstance(query, Query):
        q = query
    elif (query or "").strip():
        q = parse(query)
    elif filters:
        q = Query(And(()), "")
    else:
        q = parse("")  # raises the "empty query" message
    if not all_versions:
        filters.append(Filter("current", "1"))
    return q.with_filters(filters)


def open_index(arc, *, backend: str | None = None, notify: Callable[[str], None] | None = None,
               index_dir: Path | None = None) -> OpenIndex:
    """Open the archive's search index read-only.

    A missing or damaged index raises a WorkplanError naming `workplan search reindex`. An index
    of another schema version is rebuilt first (``notify`` gets a message), when ``arc`` is an
    archive; ``backend`` (if given) must be the one the index was built with. When ``arc`` is an
    archive whose log has moved past the state the index reflects (a crash after the archive's
    commit, ``verify --repair``), the changed records are re-indexed first; if that cannot be
    done the searches carry a warning naming ``workplan search reindex``.
    """
    mgr = IndexManager.of(arc) if index_dir is None else IndexManager(getattr(arc, "root", arc), index_dir)
    if not getattr(getattr(arc, "storage", None), "index_on_write", True) and not mgr.meta_path.exists():
        # writers leave the index to each machine (see _index_listener): this machine's is made here
        if notify:
            notify(f"this machine has no search index for the archive yet ({mgr.dir}): building it…")
        mgr.update(arc, ())
    meta = mgr.read_meta()
    if meta["schema_version"] != SCHEMA_VERSION:
        if not hasattr(arc, "records"):
            raise IndexCorrupt(Problem(f"the search index has schema version {meta['schema_version']}, "
                                       f"this workplan needs {SCHEMA_VERSION}", file=str(mgr.dir), hint=REINDEX_HINT))
        if notify:
            notify(f"the search index was built with schema version {meta['schema_version']}; this workplan "
                   f"uses {SCHEMA_VERSION}: rebuilding it from the archive…")
        mgr.rebuild(arc, meta["backend"])
        meta = mgr.read_meta()
    if backend and backend != meta["backend"]:
        raise WorkplanError(Problem(f"the search index was built with the {meta['backend']} backend, not {backend}",
                                    file=str(mgr.dir),
                                    hint=f"run `workplan search reindex --backend {backend}` to switch, "
                                         "or leave out --backend"))
    stale = None
    if hasattr(arc, "catalogue"):
        stale = mgr.catch_up(arc)
        meta = mgr.read_meta()
    return OpenIndex(mgr, meta, stale)


def search(arc, query: str | Query = "", *, backend: str | None = None,
           notify: Callable[[str], None] | None = None, **options) -> SearchResult:
    """Search the archive's index once (see :meth:`OpenIndex.search` for the options)."""
    ix = open_index(arc, backend=backend, notify=notify)
    try:
        return ix.search(query, **options)
    finally:
        ix.close()


def reindex(arc, backend: str = DEFAULT_BACKEND, *, progress=None) -> BuildReport:
    """Rebuild the archive's index from scratch (atomically; the old one serves until the switch)."""
    return IndexManager.of(arc).rebuild(arc, backend, progress=progress)


def on_records_changed(arc, codes: list[str], *, documents: Mapping[str, Any] | None = None) -> None:
    """Update the index incrementally after adds, new versions and disposals, under the writer
    lock (creating it if missing), together with anything else the archive changed since the
    index's last update (a crash may have left some behind). Raises on failure (see
    :func:`keep_index_current`). ``documents``: the validated documents of new sources (see
    :meth:`workplan.archive.Archive.on_change`)."""
    IndexManager.of(arc).update(arc, codes, documents=documents)


def _index_listener(arc, codes: list[str], *, documents: Mapping[str, Any]) -> None:
    """The archive's change listener: the archive write already succeeded, so a failure to
    update the index is a warning naming the way out. An archive whose storage leaves the
    index to each machine's own catch-up (many writers on a database) is not indexed here:
    the index catches up by the log's head when it is next opened or caught up."""
    if not getattr(getattr(arc, "storage", None), "index_on_write", True):
        return
    from .index import PartlyIndexed
    try:
        on_records_changed(arc, codes, documents=documents)
    except PartlyIndexed as e:  # the index was updated; only these versions are left out of it
        print(f"warning: the search index leaves out what failed its check ({e.format()}); "
              "`workplan archive verify` reports it, and the index takes it once it is restored",
              file=sys.stderr)
    except WorkplanError as e:
        print(f"warning: the search index was not updated ({e.format()}); "
              "run `workplan search reindex`", file=sys.stderr)
    except Exception as e:  # noqa: BLE001
        print(f"warning: the search index was not updated ({type(e).__name__}: {e}); "
              "run `workplan search reindex`", file=sys.stderr)


def keep_index_current(arc) -> None:
    """Register the search index as a change listener of ``arc`` (the front ends call this on the
    archives they open), so that adds and disposals update the index."""
    arc.on_change(_index_listener)


def index_status(arc) -> str | None:
    """None when the archive's search index is current; else what is wrong with it (missing,
    damaged, another schema, behind the archive), for `archive verify` and `search status`."""
    mgr = IndexManager.of(arc)
    try:
        meta = mgr.read_meta()
    except WorkplanError as e:
        return e.problems[0].message
    if meta["schema_version"] != SCHEMA_VERSION:
        return f"the search index has schema version {meta['schema_version']}; this workplan uses {SCHEMA_VERSION}"
    stale = mgr.staleness(arc, meta)
    if stale is not None:
        return stale
    # it must open, and hold what the catalogue holds (a planted or damaged index is not "up to date")
    try:
        be = mgr.open(meta)
        try:
            held = be.doc_count()
        finally:
            be.close()
    except Exception as e:  # noqa: BLE001 - any failure to read it is the finding
        msg = e.problems[0].message if isinstance(e, WorkplanError) else f"{type(e).__name__}: {e}"
        return f"the search index cannot be read ({msg})"
    try:
        rows = [r for r in arc.records(current_only=False) if getattr(r, "status", "active") != "disposed"]
        damaged = set(arc.catalogue.damaged_codes()) if hasattr(arc.catalogue, "damaged_codes") else set()
    except WorkplanError:
        return None
    want = len(rows)
    # versions of records whose last fixity check failed may be left out: the index never takes
    # a file that fails its check (verify reports those records on their own)
    may_lack = sum(1 for r in rows if r.code in damaged)
    if not want - may_lack <= held <= want:
        return (f"the search index holds {held} record version(s), the catalogue {want}: it does not reflect the "
                "archive")
    return None
