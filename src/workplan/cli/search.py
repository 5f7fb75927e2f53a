"""`workplan search ...`: search the archive; `workplan search reindex` / `status` manage the index."""
from __future__ import annotations

import json
import sys

import click

from ..errors import Problem, WorkplanError
from ..search.backends import BACKENDS
from ..limits import printable
from .options import archive_option, lang_option, say
from ..search.query import FIELDS, KINDS, LANGS, RETENTIONS

_SPECIAL = ("reindex", "status")


def _open_archive(path: str | None):
    from .options import open_archive_at
    return open_archive_at(path)


def _err(msg: str) -> None:
    say(msg, err=True)


def _fields_help() -> str:
    return "\n".join(f"  {name + ':':<11}{what}" for name, what in FIELDS.items())


@click.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"], "max_content_width": 100},
    epilog="Fields:\n\n\b\n" + _fields_help(),
)
@click.argument("query", nargs=-1, type=click.UNPROCESSED)
@click.option("--year", metavar="YEAR|FROM-TO", help="Only documents of this year or range, e.g. 2023 or 2021-2023.")
@click.option("--unit", metavar="ID|NAME", help="Only documents naming this unit (id, or part of its Chinese name).")
@click.option("--kind", type=click.Choice(KINDS, case_sensitive=False), help="Only this kind of document.")
@click.option("--retention", type=click.Choice(RETENTIONS, case_sensitive=False), help="Only this retention period.")
@lang_option(default=None, choices=LANGS, multiple=False, help="Only documents with text in this language.")
@click.option("--all-versions", is_flag=True, help="Also search superseded versions (default: newest only).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 10000), help="Show at most this many results.")
@click.option("--exact-count", is_flag=True,
              help="Count every match (slower on a big archive); by default totals above 1,000 are estimated.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts (matches marked [[like this]]).")
@click.option("--backend", type=click.Choice(BACKENDS),
              help="reindex: the backend to build with (default tantivy). search: must match the index.")
@archive_option
def search(query, year, unit, kind, retention, lang, all_versions, limit, exact_count, as_json, backend,
           archive_path) -> None:
    """Full-text search of the archive, in Chinese and English.

    \b
    workplan search QUERY [--year 2023|2021-2023] [--unit ID|NAME] [--kind K] [--retention R]
                          [--lang zh|en] [--all-versions] [--limit N] [--exact-count] [--json]
    workplan search reindex [--backend tantivy|whoosh]   rebuild the index from the archive
    workplan search status                                show what the index holds

    \b
    Query language:
      消防 演练              documents with both words (AND is the default)
      "消防安全 工作"         an exact phrase (line breaks and punctuation in the text don't matter)
      消防 OR 防火           either word
      消防 -演练             exclude a word (also -"a phrase", -kind:report)
      year:2023 unit:消防大队 kind:standards   field filters (list below)
      消防 inspection        Chinese and English in one query

    Chinese matches exactly any characters you type (消防 is found inside 消防安全, a single
    character finds every document containing it); English words also match other forms
    (inspection finds inspections). Totals above 1,000 are estimated ("about 34,000");
    --exact-count counts every match. Results show the archival code, title, date, issuer, score
    and up to two snippets with the matches in 【】. Only the newest version of each document is
    searched unless --all-versions. To search for the words "reindex" or "status" themselves,
    put them in quotes: workplan search '"reindex"'.
    """
    words = list(query)
    if words == ["-h"]:
        click.echo(click.get_current_context().get_help())
        return
    if words and words[0] in _SPECIAL:
        extra = [n for n, v in (("--year", year), ("--unit", unit), ("--kind", kind), ("--retention", retention),
                                ("--lang", lang), ("--all-versions", all_versions), ("--json", as_json),
                                ("--exact-count", exact_count))
                 if v] + words[1:]
        if extra:
            raise click.UsageError(f"`workplan search {words[0]}` does not take {' '.join(map(str, extra))}")
        if words[0] == "reindex":
            _reindex(archive_path, backend)
        else:
            _status(archive_path)
        return

    text = " ".join(words)
    from ..search import IndexMissing, open_index
    arc = _open_archive(archive_path)
    try:
        ix = open_index(arc, backend=backend, notify=_err)
    except IndexMissing:
        if not arc.records():   # nothing archived: say so, not "run reindex"
            from ..errors import Problem, WorkplanError
            raise WorkplanError(Problem("the archive is empty: there is nothing to search", file=str(arc.root),
                                        hint="archive documents first: workplan archive add FILE.yaml")) from None
        raise
    try:
        result = ix.search(text, year=year, unit=unit, kind=kind, retention=retention, lang=lang,
                           all_versions=all_versions, limit=limit, exact_count=exact_count)
    finally:
        ix.close()
    if as_json:
        from ..archive.views import with_fixity
        say(json.dumps(with_fixity(arc, result.to_json()), ensure_ascii=False, indent=2))
        return
    for w in result.warnings:
        _err("warning: " + w)
    _print_plain(result, text, all_versions)


def _print_plain(result, text: str, all_versions: bool) -> None:
    from ..search.snippets import snippet_plain
    what = f"“{text}”" if text else "the filters"
    scope = "all versions" if all_versions else "newest versions"
    if not result.hits:
        say(f"no documents match {what} ({scope}, {result.backend})")
        return
    shown = len(result.hits)
    more = f", showing {shown} (use --limit for more)" if result.total > shown else ""
    say(f"{result.total_text()} document(s) match {what} ({scope}, {result.backend}){more}\n")
    tty = sys.stdout.isatty()
    for i, h in enumerate(result.hits, 1):
        title = click.style(printable(h.title), bold=True) if tty else printable(h.title)
        click.echo(f"{i:>2}. {title}")  # escaped above
        facts = [h.code, h.date, h.issuer]
        if h.doc_number:
            facts.append(h.doc_number)
        if all_versions:
            facts.append(f"version {h.version}" + ("" if h.current else f" ({'superseded'})"))
        if h.score:
            facts.append(f"score {h.score:.2f}")
        say("    " + " · ".join(f for f in facts if f))
        for sn in h.snippets:
            say("    " + snippet_plain(sn))
        say("")


def _reindex(archive_path: str | None, backend: str | None) -> None:
    from .helpers import progress
    from ..search import DEFAULT_BACKEND, reindex
    arc = _open_archive(archive_path)

    def bar(items, label, total):
        return progress(items, label, total=total)
    report = reindex(arc, backend or DEFAULT_BACKEND, progress=bar)
    for w in report.warnings:
        _err("warning: " + w.format())
    say(f"indexed {report.records} record(s) with {report.backend} in {report.seconds:.1f} s → {report.path}")


def _status(archive_path: str | None) -> None:
    from ..search.index import REINDEX_HINT, SCHEMA_VERSION, IndexManager
    arc = _open_archive(archive_path)
    mgr = IndexManager.of(arc)
    meta = mgr.read_meta()
    stale = mgr.staleness(arc, meta)
    if stale is None:  # it also must open and hold what the catalogue holds
        from ..search import index_status
        stale = index_status(arc)
    head = meta.get("archive_head")
    path = mgr.build_path(meta)
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0
    ok = meta["schema_version"] == SCHEMA_VERSION
    say(f"index:    {path}\nbackend:  {meta['backend']}\nrecords:  {meta.get('records', '?')}\n"
               f"schema:   {meta['schema_version']}" + ("" if ok else f" (this workplan uses {SCHEMA_VERSION}: "
                                                              "the next search rebuilds it)") +
               f"\nbuilt:    {meta.get('built_at', '?')}\nupdated:  {meta.get('updated_at', '?')}\n"
               f"size:     {size / 1e6:.1f} MB\n"
               f"archive:  " + (f"behind: {stale} (the next search catches up, or {REINDEX_HINT})" if stale
                               else f"up to date (event #{head[0]})" if head else "up to date"))
    if not path.exists():
        raise WorkplanError(Problem("the index files are missing", file=str(path),
                                    hint=REINDEX_HINT))
