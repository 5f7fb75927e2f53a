"""The search index after a crash: an index behind the archive is detected
through the archive's log head, caught up from the events logged since, or reported as stale
with the fix; `search status` and `archive verify` say so too. Also: totals beyond the exact
threshold are estimates, and --exact-count counts them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workplan.archive import init_archive, open_archive
from workplan.ingest import add_data_file
from workplan.search import index_status, keep_index_current, search
from workplan.search.index import IndexManager, changed_since

ROOT = Path(__file__).resolve().parents[1]
WORKPLAN = [sys.executable, "-m", "workplan.cli"]

from test_search import MARKET  # noqa: E402  (the night-market program, version by version)


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ, PYTHONIOENCODING="utf-8")
    e.pop("WORKPLAN_ARCHIVE", None)
    e.update(env or {})
    return subprocess.run([*WORKPLAN, *args], capture_output=True, text=True, cwd=ROOT, env=e, timeout=300)


def market(folder: Path, v: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"market-v{v}.yaml"
    p.write_text(MARKET.format(v=v, date=f"2022-0{5 + v}-01", clause="旧版摊位登记条款" if v == 1 else "修订后的摊位登记办法",
                               clause_en="stall registration"), encoding="utf-8")
    return p


@pytest.fixture
def arc_v1(tmp_path):
    """An archive holding version 1 of the night-market program, indexed by the add hook."""
    root = tmp_path / "archive"
    arc = init_archive(root, fonds="J001", name="测试全宗")
    keep_index_current(arc)
    add_data_file(arc, market(tmp_path / "src", 1), formats=(), reason="a test")
    arc.close()
    return root


def current_versions(root: Path, query: str = "夜市") -> list[tuple[int, bool]]:
    with open_archive(root) as arc:
        res = search(arc, query, all_versions=True)
    return sorted((h.version, h.current) for h in res.hits)


@pytest.mark.parametrize("step", ["logged", "committed"])
def test_new_version_killed_before_the_index_update_is_caught_up(arc_v1, tmp_path, step):
    assert current_versions(arc_v1) == [(1, True)]
    r = run("archive", "--archive", str(arc_v1), "add", str(market(tmp_path / "src", 2)), "--format", "none",
            "--reason", "revised", env={"WORKPLAN_ARCHIVE_CRASH_AT": step})
    assert r.returncode == -9, r.stderr
    if step == "logged":  # the catalogue never saw v2: verify --repair completes it (the index is caught up too)
        r = run("archive", "--archive", str(arc_v1), "verify", "--repair")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "search index: up to date" in r.stdout
    else:  # committed in the archive, never in the index: detectable without searching
        st = run("search", "status", "--archive", str(arc_v1))
        assert st.returncode == 0, st.stderr
        assert "archive:  behind" in st.stdout and "1 document(s) changed" in st.stdout
        with open_archive(arc_v1) as arc:
            assert "1 document(s) changed since" in index_status(arc)
        v = run("archive", "--archive", str(arc_v1), "verify")
        assert "search index: the index reflects the archive at event" in v.stdout
        assert "workplan search reindex" in v.stdout
    # the search catches up: v1 is superseded, v2 current, the old clause is not found as current
    assert current_versions(arc_v1) == [(1, False), (2, True)]
    with open_archive(arc_v1) as arc:
        assert [h.version for h in search(arc, "旧版摊位").hits] == []
        res = search(arc, "修订后")
        assert [h.version for h in res.hits] == [2] and not res.warnings
        assert index_status(arc) is None
    st = run("search", "status", "--archive", str(arc_v1))
    assert "archive:  up to date" in st.stdout


def test_added_without_the_hook_is_caught_up(arc_v1, tmp_path):
    with open_archive(arc_v1) as arc:
        add_data_file(arc, market(tmp_path / "src", 2), formats=(), notify=False, reason="a test")
        assert "1 document(s) changed" in index_status(arc)
    r = run("search", "修订后", "--json", "--archive", str(arc_v1))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [x["version"] for x in out["results"]] == [2] and out["results"][0]["current"]
    assert out["total"] == 1 and out["total_is_exact"] is True


def test_a_later_add_also_catches_up_what_a_crash_left_behind(arc_v1, tmp_path):
    with open_archive(arc_v1) as arc:
        add_data_file(arc, market(tmp_path / "src", 2), formats=(), notify=False, reason="a test")  # missed by the index
        other = tmp_path / "src" / "other.yaml"
        other.write_text(MARKET.replace("heping-night-market", "other-market").replace("夜市", "早市")
                         .format(v=1, date="2022-09-01", clause="早市条款", clause_en="morning market"), encoding="utf-8")
        keep_index_current(arc)
        add_data_file(arc, other, formats=(), reason="a test")  # its hook updates the index: v2 must come along
        meta = IndexManager(arc.root).read_meta()
        assert meta["archive_head"] == list(arc.catalogue.log_head())
    # straight from the index, without the search's own catch-up
    mgr = IndexManager(arc_v1)
    be = mgr.open()
    try:
        from workplan.search import build_query
        hits, total, exact = be.search(build_query("夜市", all_versions=True).root, limit=10)
        assert sorted((h.info["version"], h.info["current"]) for h in hits) == [(1, False), (2, True)]
    finally:
        be.close()


def test_stale_index_that_cannot_be_caught_up_is_reported(arc_v1, tmp_path):
    with open_archive(arc_v1) as arc:
        add_data_file(arc, market(tmp_path / "src", 2), formats=(), notify=False, reason="a test")
        mgr = IndexManager(arc.root)
        meta = mgr.read_meta()
        meta["archive_head"] = [meta["archive_head"][0], "0" * 64]  # an event the log does not hold
        mgr._write_meta(meta)
        assert changed_since(arc.root / "events.jsonl", meta["archive_head"]) is None
        res = search(arc, "夜市")
        assert any("behind the archive" in w and "workplan search reindex" in w for w in res.warnings)
        assert "cannot be told" in index_status(arc)
    r = run("search", "夜市", "--archive", str(arc_v1))
    assert r.returncode == 0 and "workplan search reindex" in r.stderr
    v = run("archive", "--archive", str(arc_v1), "verify")
    assert v.returncode == 0 and "search index: " in v.stdout and "cannot be told" in v.stdout
    assert run("search", "reindex", "--archive", str(arc_v1)).returncode == 0
    assert current_versions(arc_v1) == [(1, False), (2, True)]
    with open_archive(arc_v1) as arc:
        assert index_status(arc) is None


def test_events_that_change_no_record_leave_the_index_current(arc_v1):
    r = run("archive", "--archive", str(arc_v1), "verify")  # logs a fixity check: the head moves
    assert r.returncode == 0 and "search index: up to date" in r.stdout
    with open_archive(arc_v1) as arc:
        assert index_status(arc) is None
        before = IndexManager(arc.root).read_meta()["updated_at"]
        assert not search(arc, "夜市").warnings
        assert IndexManager(arc.root).read_meta()["archive_head"] == list(arc.catalogue.log_head())
        assert IndexManager(arc.root).read_meta()["updated_at"] == before  # nothing re-indexed


# --- totals -----------------------------------------------------------------------------------------
def test_large_totals_are_estimated_unless_exact_count(tmp_path, monkeypatch):
    """With the exact threshold lowered to 5, 120 matching documents: the total is an estimate
    from the sample (about 120), --exact-count counts them, small totals stay exact."""
    import workplan.search.backends.tantivy_backend as tb
    from workplan.search.backends import backend_class
    from workplan.search.extract import IndexDoc
    from workplan.search.index import SCHEMA_VERSION
    from workplan.search import open_index
    build = tmp_path / "index" / "build-x"
    be = backend_class("tantivy")(build, create=True)
    docs = [IndexDoc(code=f"J001-WS·2023-D30-TST-{i:04d}", title=f"测试方案{i}", date="2023-05-01", year=2023,
                     kind="program", retention="D30", langs=["zh"],
                     text_zh=("消防安全检查" if i < 120 else "防汛抗旱") + f"。第{i}号。") for i in range(400)]
    be.add(docs)
    be.commit()
    be.close()
    (tmp_path / "index" / "meta.json").write_text(json.dumps(
        {"schema_version": SCHEMA_VERSION, "backend": "tantivy", "build": "build-x", "records": 400}))
    monkeypatch.setattr(tb, "EXACT_UP_TO", 5)
    ix = open_index(tmp_path)
    try:
        est = ix.search("消防安全", limit=10)
        assert len(est.hits) == 10 and not est.total_is_exact
        assert 20 <= est.total <= 600 and est.total_text().startswith("about ")
        exact = ix.search("消防安全", limit=10, exact_count=True)
        assert exact.total == 120 and exact.total_is_exact and exact.total_text() == "120"
        assert {h.code for h in exact.hits} == {h.code for h in est.hits}  # the same top page
        few = ix.search("防汛", limit=300)
        assert few.total == 280 and few.total_is_exact and len(few.hits) == 280  # fewer than the limit: exact
        assert ix.search('"第7号"').total == 1
    finally:
        ix.close()
    monkeypatch.setattr(tb, "EXACT_UP_TO", 1000)
    ix = open_index(tmp_path)
    try:
        assert ix.search("消防安全", limit=10).total == 120  # below the threshold: exact
        assert ix.search("消防安全", limit=10).total_is_exact
    finally:
        ix.close()


def _synthetic_index(root: Path, texts: list[str]) -> None:
    """An index of one document per text (written through the tantivy backend directly)."""
    from workplan.search.backends import backend_class
    from workplan.search.extract import IndexDoc
    from workplan.search.index import SCHEMA_VERSION
    be = backend_class("tantivy")(root / "index" / "build-x", create=True)
    be.add([IndexDoc(code=f"J001-WS·2023-D30-TST-{i:04d}", title=f"测试方案{i}", date="2023-05-01", year=2023,
                     kind="program", retention="D30", langs=["zh"], text_zh=t) for i, t in enumerate(texts)])
    be.commit()
    be.close()
    (root / "index" / "meta.json").write_text(json.dumps(
        {"schema_version": SCHEMA_VERSION, "backend": "tantivy", "build": "build-x", "records": len(texts)}))


@pytest.mark.parametrize("decoys_first", [False, True])
def test_two_step_search_finds_what_the_exact_query_finds(tmp_path, monkeypatch, decoys_first):
    """Phrases of several pairs are answered from candidates holding every pair, then checked
    exactly. Documents holding all the pairs of 消防安全 but not the phrase (decoys) are never
    found; the top page is the one the exact query gives, whether the best candidates are real
    matches (checked and kept) or decoys (then the exact query runs on the whole index)."""
    import workplan.search.backends.tantivy_backend as tb
    from workplan.search import open_index
    real = "消防安全检查" * (1 if decoys_first else 3)
    decoy = "消防。防安全。" * (3 if decoys_first else 1)  # 消防 防安 安全, never 消防安全 in a row
    texts = [f"{real}第{i}号。" for i in range(60)] + [f"{decoy}第{i}号。" for i in range(60, 100)]
    texts += [f"防汛抗旱第{i}号。" for i in range(100, 140)]
    _synthetic_index(tmp_path, texts)
    steps = []
    real_matching = tb.TantivyBackend._matching
    monkeypatch.setattr(tb.TantivyBackend, "_matching", lambda self, *a: steps.append(1) or real_matching(self, *a))
    monkeypatch.setattr(tb, "EXACT_UP_TO", 0)  # every query with a phrase takes the two steps
    ix = open_index(tmp_path)
    try:
        for q, limit in (("消防安全", 10), ("消防安全", 70), ('"全检"', 5), ("消防安全 -第7号", 10),
                         ("防安全 OR 防汛", 10)):
            got = ix.search(q, limit=limit, snippets=False)
            exact = ix.search(q, limit=limit, snippets=False, exact_count=True)
            assert [(h.code, round(h.score, 4)) for h in got.hits] == [(h.code, round(h.score, 4)) for h in exact.hits], q
            assert all(int(h.code[-4:]) < 60 for h in got.hits if "防汛" not in q), q  # no decoy
        assert ix.search("消防安全", limit=70, exact_count=True).total == 60
        assert ix.search("消防安全", limit=70).total == 60  # fewer than the limit: exact
    finally:
        ix.close()
    assert steps  # the candidates were checked


# --- archive add hands its validated documents to the index -----------------------------------------
def test_archive_add_indexes_without_parsing_the_sources_again(tmp_path, monkeypatch):
    """`workplan archive add` validated every file before archiving it; the index update takes
    those documents (matched by the source's SHA-256) instead of loading the archived copies."""
    import workplan.search.extract as ex
    from workplan.cli import main
    root = tmp_path / "archive"
    init_archive(root, fonds="J001", name="测试全宗").close()
    src = tmp_path / "src"
    market(src, 1)
    other = src / "other.yaml"
    other.write_text(MARKET.replace("heping-night-market", "other-market").replace("夜市", "早市")
                     .format(v=1, date="2022-09-01", clause="早市条款", clause_en="morning market"), encoding="utf-8")
    loads = []
    real = ex.load_source
    monkeypatch.setattr(ex, "load_source", lambda path, **kw: loads.append(path) or real(path, **kw))
    monkeypatch.setattr(sys, "argv", ["workplan", "archive", "--archive", str(root), "add", str(src),
                                      "--format", "none"])
    try:
        main()
    except SystemExit as e:
        assert not e.code, e.code
    assert loads == []
    with open_archive(root) as arc:
        assert [h.title for h in search(arc, "早市").hits] == ["和平街道早市秩序整治工作方案"]
        assert [h.version for h in search(arc, "旧版摊位").hits] == [1]
        assert index_status(arc) is None
    # a reindex has no documents handed over: it reads the archived sources
    assert run("search", "reindex", "--archive", str(root)).returncode == 0


def test_the_site_says_when_its_index_is_behind(arc_v1, tmp_path):
    from workplan.web import create_app
    with open_archive(arc_v1) as arc:  # no index listener: as if the process died before updating it
        add_data_file(arc, market(tmp_path / "src", 2), formats=(), reason="a test")
    page = create_app(arc_v1).test_client().get("/search?q=夜市")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "检索索引落后于档案" in text and "workplan search reindex" in text  # in the reader's language
    with open_archive(arc_v1) as arc:
        search(arc, "夜市")  # a search through the archive catches the index up
    assert "behind" not in create_app(arc_v1).test_client().get("/search?q=夜市").get_data(as_text=True)


def test_an_update_skips_records_the_index_head_covers(arc_v1):
    """A writer's index update names its own records; when another writer on the same machine
    already caught the index up past them (its head is the log's), they are not indexed again."""
    with open_archive(arc_v1) as arc:
        code = arc.records()[0].code
        mgr = IndexManager.of(arc)
        assert mgr.update(arc, [code]) == 0
        assert mgr.staleness(arc) is None


def test_a_new_version_of_a_damaged_record_is_indexed_and_the_damage_left_out(arc_v1, tmp_path, capsys):
    """The next ordinary add after a stored file was altered: the new version is archived and
    found; the altered version stays out of the index, and the warning says the index was
    updated except for it (not that it was not updated)."""
    with open_archive(arc_v1) as arc:
        source = next(f for f in (arc.get(arc.records()[0].code).bag_dir / "data").iterdir() if f.suffix == ".yaml")
    source.write_bytes(source.read_bytes().replace("旧版".encode(), "新版".encode(), 1))  # altered in place
    with open_archive(arc_v1) as arc:
        keep_index_current(arc)
        add_data_file(arc, market(tmp_path / "src", 2), formats=(), reason="a test")
    err = capsys.readouterr().err
    assert "leaves out what failed its check" in err and "hash mismatch" in err and "not updated" not in err, err
    assert current_versions(arc_v1, "修订后") == [(2, True)]  # the new version is found
    assert current_versions(arc_v1, "新版") == []  # the altered text is never served as archived
    with open_archive(arc_v1) as arc:
        assert index_status(arc) is not None  # one version short, and nothing says why yet
        assert not arc.verify(record_event=True).ok  # the check records the damage
        assert index_status(arc) is None  # the version left out is the damaged record's: not a stale index
