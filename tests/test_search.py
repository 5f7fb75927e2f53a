"""Search conformance suite: known queries with known answers, on both backends.

The archive is built once per session from corpus files plus three small test documents
written here (folded YAML strings put line breaks inside phrases; two versions of one
document). Every answer is an exact set of documents (named by their source file).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workplan.errors import WorkplanError
from workplan.ingest import add_data_file, add_files
from workplan.search import (BACKENDS, IndexCorrupt, IndexMissing, SCHEMA_VERSION, keep_index_current, on_records_changed, open_index,
                             reindex, search)
from workplan.search.extract import extract
from workplan.search.index import IndexManager

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
CORPUS_STEMS = ["winter-fire-safety", "holiday-security", "home-safety-promotion", "safe-community-creation",
                "security-patrol", "six-peace-standards"]

RIVER = """\
# Test document: folded strings put line breaks inside Chinese and English phrases.
kind: program
id: baisha-river-2021
title: {zh: 白沙社区2021年夏季防溺水工作方案, en: Baisha Community Work Program for Drowning Prevention in Summer 2021}
units:
  - {id: baisha, zh: 白沙社区居委会, en: Baisha Community Residents' Committee, abbr: BSSQ}
  - {id: water_bureau, zh: 区水务局, en: District Water Bureau, abbr: SWJ}
  - {id: rescue_team, zh: 县消防救援大队白沙中队, en: Baisha Squad of the County Fire Brigade, abbr: XFZD}
issuers: [baisha]
date: 2021-05-10
retention: D10
preamble:
  - zh: >-
      为切实做好夏季防溺水工作，组织开展河塘巡
      查守护行动，做好消防安全检查，制定本方案。
    en: >-
      This program organises riverbank patrols and
      guarding against drowning, and fire-safety checks, in summer.
closing:
  - zh: |-
      各单位要加强汛期值班值
      守，确保信息畅通。
    en: "Every unit keeps watch during the flood season."
sections:
  - type: tasks
    tasks:
      - title: {zh: 设置警示标志, en: Put up warning signs}
        text: {zh: 在危险水域设置警示牌和救生圈。, en: "Put up warning boards and lifebuoys at dangerous waters."}
        lead: [water_bureau]
        cooperating: [rescue_team]
        deadline: 2021-06-01
"""

MARKET = """\
# Test document, version {v} (the two versions share the id).
kind: program
id: heping-night-market
title: {{zh: 和平街道夜市秩序整治工作方案, en: Heping Subdistrict Work Program for Order at the Night Market}}
units:
  - {{id: heping, zh: 和平街道办事处, en: Heping Subdistrict Office, abbr: HPJD}}
issuers: [heping]
date: {date}
retention: D30
preamble:
  - {{zh: 为规范夜市摊位管理，落实{clause}，制定本方案。, en: "This program regulates stalls at the night market under the {clause_en}."}}
"""


def _test_documents(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for stem, text in (
        ("river", RIVER),
        ("market-v1", MARKET.format(v=1, date="2022-06-01", clause="旧版摊位登记条款",
                                    clause_en="original stall registration clause")),
        ("market-v2", MARKET.format(v=2, date="2022-07-15", clause="修订后的摊位登记办法",
                                    clause_en="revised stall registration rules")),
    ):
        p = folder / f"{stem}.yaml"
        p.write_text(text, encoding="utf-8")
        out.append(p)
    return out


LEGACY = """\
# Test document for a legacy record: only its PDF is archived (role "original").
kind: program
title: {zh: 石桥村2020年森林防火巡护工作方案}
units:
  - {id: shiqiao, zh: 石桥村村民委员会, abbr: SQC}
  - {id: forestry, zh: 镇林业工作站, abbr: LYZ}
issuers: [shiqiao]
date: 2020-02-10
preamble:
  - 为切实做好春季森林防火工作，严防山林火灾发生，组织护林员开展山林巡护和野外用火管控，制定本方案。
sections:
  - type: tasks
    tasks:
      - title: 落实山林巡护
        text: 护林员每日沿防火通道巡护，劝阻野外用火，发现火情立即报告镇林业工作站。
        lead: [forestry]
"""


def _copy_archive(arc, root: Path):
    from workplan.archive import open_archive
    shutil.copytree(arc.root, root)
    copy = open_archive(root)
    keep_index_current(copy)  # as the command line does: adds and disposals update the index
    return copy


def _make_archive(root: Path, files: list[Path], legacy_pdf: Path):
    """A real archive: data files archived without renditions (fast), one legacy PDF."""
    from workplan.archive import init_archive
    arc = init_archive(root, fonds="J001", name="测试全宗")
    keep_index_current(arc)
    names = {}
    for f in files:
        rec = add_data_file(arc, f, formats=(), reason="a test")
        names[(rec.code, rec.version)] = f.stem
    rec = add_files(arc, [legacy_pdf], title="石桥村2020年森林防火巡护工作方案", issuer="石桥村村民委员会",
                        date="2020-02-10", kind="legacy", retention="D10", units=["镇林业工作站"], issuer_abbr="SQC", reason="a test")
    names[(rec.code, rec.version)] = "legacy"
    return arc, names


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One archive (and its tantivy index, made by the archive's add hook) for the whole session."""
    from workplan.render import build_file
    base = tmp_path_factory.mktemp("search")
    files = [CORPUS / f"{s}.yaml" for s in CORPUS_STEMS] + _test_documents(base / "docs")
    (base / "legacy").mkdir()
    src = base / "legacy" / "shiqiao.yaml"
    src.write_text(LEGACY, encoding="utf-8")
    (pdf,) = build_file(src, base / "legacy", langs=["zh"], formats=["pdf"]).outputs
    pdf = pdf.rename(base / "legacy" / "shiqiao-2020.pdf")
    arc, names = _make_archive(base / "archive-tantivy", files, pdf)
    return base, arc, names


@pytest.fixture(scope="session", params=BACKENDS)
def env(request, built):
    """(archive, (code, version) -> source-file name, backend) with the index built by that backend."""
    base, arc, names = built
    backend = request.param
    if backend == "whoosh":
        pytest.importorskip("whoosh")
        root = base / "archive-whoosh"
        if root not in env.cache:
            arc2 = _copy_archive(arc, root)
            reindex(arc2, "whoosh")
            env.cache[root] = arc2
        arc = env.cache[root]
    return arc, names, backend


env.cache = {}


def find(env, query="", **opts) -> set[str]:
    arc, names, _ = env
    res = search(arc, query, limit=100, **opts)
    assert res.total == len(res.hits)
    return {names[h.code, h.version] for h in res.hits}


def first(env, query="", **opts) -> str:
    arc, names, _ = env
    h = search(arc, query, **opts).hits[0]
    return names[h.code, h.version]


ALL = set(CORPUS_STEMS) | {"river", "market-v2", "legacy"}


# --- Chinese matching -------------------------------------------------------------------------------
def test_index_was_built_by_the_requested_backend(env):
    arc, names, backend = env
    meta = IndexManager(arc.root).read_meta()
    assert meta["backend"] == backend and meta["schema_version"] == SCHEMA_VERSION
    assert meta["records"] == len(names)


def test_single_chinese_character(env):
    # 溺 appears only in 溺水 (drowning)
    assert find(env, "溺") == {"river", "home-safety-promotion", "safe-community-creation", "six-peace-standards"}
    assert find(env, "燃") == {"winter-fire-safety", "holiday-security", "home-safety-promotion",
                               "safe-community-creation"}


def test_two_character_word_inside_compounds(env):
    # in river.yaml 消防 occurs only inside 消防安全 and 县消防救援大队: word segmentation would miss it
    assert "river" in find(env, "消防")
    assert find(env, "消防") == ALL - {"market-v2", "legacy"}
    assert find(env, "消防安全") == {"winter-fire-safety", "safe-community-creation", "river"}
    # a pair that straddles two words (防 | 溺水)
    assert find(env, "防溺") == {"river", "home-safety-promotion", "safe-community-creation", "six-peace-standards"}


def test_phrase_across_a_line_break_in_the_source(env):
    source = RIVER
    assert "河塘巡\n" in source and "patrols and\n" in source  # the test documents really break there
    assert find(env, "巡查守护") == {"river"}
    assert find(env, '"河塘巡查守护"') == {"river"}
    assert "值班值\n" in source  # a literal block
    assert find(env, "汛期值班值守") == {"river"}
    # (line breaks that reach the indexed text, as in PDF text, are covered by the legacy test)
    assert find(env, '"patrols and guarding"') == {"river"}
    assert find(env, '"guarding patrols"') == set()


def test_legacy_pdf_text_is_searchable_across_its_line_breaks(env):
    # the PDF text breaks lines inside 护|林员 and 野|外用火
    assert find(env, "组织护林员") == {"legacy"}
    assert find(env, '"劝阻野外用火"') == {"legacy"}
    assert find(env, "kind:legacy") == {"legacy"}
    assert find(env, "森林防火", unit="林业") == {"legacy"}
    arc, names, _ = env
    rec = next(r for r in arc.records() if names[r.code, r.version] == "legacy")
    text = extract(rec, arc).text_zh
    breaks = re.findall(r"[\u4e00-\u9fff]{3}\n[\u4e00-\u9fff]{3}", text)
    assert len(breaks) >= 2  # the PDF text really breaks lines inside sentences
    for b in breaks:
        assert "legacy" in find(env, b.replace("\n", ""))
    hit = search(arc, "野外用火").hits[0]
    assert hit.title == "石桥村2020年森林防火巡护工作方案" and hit.issuer == "石桥村村民委员会"
    assert any("【野 外用火】" in s.marked() or "【野外用火】" in s.marked() for s in hit.snippets)


def test_phrase_is_exact_and_ignores_spaces_and_punctuation(env):
    assert find(env, '"消防 安全"') == find(env, "消防安全")
    assert find(env, '"消防，安全"') == find(env, "消防安全")
    assert find(env, '"安全消防"') == set()
    assert find(env, "“摊位登记”") == {"market-v2"}


def test_substrings_match_exactly_like_a_text_search(env):
    """Random Chinese substrings of the documents: the results are exactly the documents whose
    text (spaces and punctuation removed) contains the substring."""
    arc, names, _ = env
    texts = {}
    for rec in arc.records():
        d = extract(rec, arc)
        texts[names[rec.code, rec.version]] = re.sub(r"[\W_]+", "", "\n".join([d.body, d.title_all, d.meta_text, d.issuer]))
    rng = random.Random(4)
    han_runs = [m.group(0) for t in texts.values() for m in re.finditer(r"[\u4e00-\u9fff]{2,}", t)]
    for _ in range(40):
        run = rng.choice(han_runs)
        k = rng.randint(1, min(6, len(run)))
        s = rng.randrange(0, len(run) - k + 1)
        sub = run[s:s + k]
        expected = {n for n, t in texts.items() if sub in t}
        assert find(env, sub) == expected, sub


# --- English -----------------------------------------------------------------------------------------
def test_english_stems(env):
    expected = {"winter-fire-safety", "holiday-security", "home-safety-promotion", "safe-community-creation",
                "security-patrol"}
    assert find(env, "inspection") == expected
    assert find(env, "inspections") == expected
    assert find(env, "INSPECTED") == expected
    assert find(env, "drowning") == find(env, "drowned") == {"river", "home-safety-promotion",
                                                             "safe-community-creation", "six-peace-standards"}


def test_mixed_chinese_and_english(env):
    assert find(env, "燃气 inspection") == {"winter-fire-safety", "holiday-security", "home-safety-promotion",
                                          "safe-community-creation"}
    assert find(env, "夜市 stalls") == {"market-v2"}


# --- operators and filters -----------------------------------------------------------------------
def test_exclusion(env):
    assert find(env, "消防 -巡逻") == {"winter-fire-safety", "home-safety-promotion", "safe-community-creation", "river"}
    assert find(env, '消防 -"消防安全"') == {"holiday-security", "home-safety-promotion", "security-patrol",
                                          "six-peace-standards"}
    assert find(env, "-消防") == {"market-v2", "legacy"}


def test_or(env):
    assert find(env, "溺水 OR 燃气") == {"winter-fire-safety", "holiday-security", "home-safety-promotion",
                                     "safe-community-creation", "six-peace-standards", "river"}
    assert find(env, "溺水 OR 燃气 year:2021") == {"river"}


def test_field_filters_in_the_query(env):
    assert find(env, "year:2022") == {"holiday-security", "home-safety-promotion", "market-v2"}
    assert find(env, "year:2021-2022") == {"holiday-security", "home-safety-promotion", "market-v2", "river"}
    assert find(env, "kind:standards") == {"six-peace-standards"}
    assert find(env, "retention:D10") == {"holiday-security", "security-patrol", "river", "legacy"}
    assert find(env, "unit:water_bureau") == {"river"}
    assert find(env, "title:防溺水") == {"river"}
    assert find(env, "issuer:白沙") == {"river"}
    assert find(env, "-kind:program") == {"six-peace-standards", "legacy"}


def test_filters_combined_with_words(env):
    assert find(env, "消防 year:2023") == {"winter-fire-safety", "safe-community-creation"}
    assert find(env, "消防", year="2023") == {"winter-fire-safety", "safe-community-creation"}
    assert find(env, "消防", year="2021-2023", retention="D10") == {"holiday-security", "river"}
    assert find(env, "巡逻", kind="standards") == {"six-peace-standards"}
    assert find(env, "消防 inspection", lang="en", year="2022") == {"holiday-security", "home-safety-promotion"}


def test_unit_filter_by_partial_chinese_name(env):
    # 消防大队 is not a substring of 县消防救援大队, but its characters are, in order
    assert find(env, "", unit="消防大队") == {"safe-community-creation", "six-peace-standards", "river"}
    assert find(env, "unit:消防大队 巡逻") == {"six-peace-standards"}
    assert find(env, "", unit="白沙中队") == {"river"}
    arc, _, _ = env
    res = search(arc, "消防", unit="不存在的单位")
    assert res.hits == [] and any("no unit" in w for w in res.warnings)


def test_current_only_unless_all_versions(env):
    arc, names, _ = env
    assert find(env, "夜市") == {"market-v2"}
    assert find(env, "夜市", all_versions=True) == {"market-v1", "market-v2"}
    assert find(env, "旧版摊位登记条款") == set()
    assert find(env, "旧版摊位登记条款", all_versions=True) == {"market-v1"}
    res = search(arc, "夜市", all_versions=True)
    versions = {names[h.code, h.version]: (h.version, h.current) for h in res.hits}
    assert versions == {"market-v1": (1, False), "market-v2": (2, True)}


# --- results ------------------------------------------------------------------------------------------
def test_results_carry_metadata_and_marked_snippets(env):
    arc, names, _ = env
    res = search(arc, "巡查守护 guarding")
    assert [names[h.code, h.version] for h in res.hits] == ["river"]
    hit = res.hits[0]
    assert hit.title == "白沙社区2021年夏季防溺水工作方案"
    assert hit.date == "2021-05-10" and hit.issuer == "白沙社区居委会" and hit.score > 0
    marked = [s.marked() for s in hit.snippets]
    assert 1 <= len(marked) <= 2
    assert any("【巡 查守护】" in m or "【巡查守护】" in m for m in marked), marked
    assert any("【guarding】" in m for m in marked), marked
    js = hit.to_json()
    assert any("[[guarding]]" in s["marked"] for s in js["snippets"])
    for s in js["snippets"]:
        for a, b in s["spans"]:
            assert s["text"][a:b].replace(" ", "") in ("巡查守护", "guarding")


def test_snippet_marks_stem_matches_and_single_characters(env):
    arc, names, _ = env
    hit = search(arc, "inspections", year="2023").hits[0]
    assert any(re.search(r"【[Ii]nspect\w*】", s.marked()) for s in hit.snippets)
    hit = next(h for h in search(arc, "消防").hits if names[h.code, h.version] == "river")
    assert any("【消防】安全" in s.marked() or "【消防】救援" in s.marked() for s in hit.snippets)


def test_ranking_puts_title_matches_first(env):
    arc, names, _ = env
    res = search(arc, "防溺水")
    assert names[res.hits[0].code, res.hits[0].version] == "river"  # the only document with 防溺水 in its title


def test_limit_and_total(env):
    arc, _, _ = env
    res = search(arc, "消防", limit=3)
    assert len(res.hits) == 3 and res.total == len(ALL) - 2


def test_filters_only_lists_newest_first(env):
    arc, names, _ = env
    res = search(arc, "", year="2022")
    assert [names[h.code, h.version] for h in res.hits] == ["holiday-security", "market-v2", "home-safety-promotion"]


# --- malformed queries -----------------------------------------------------------------------------
@pytest.mark.parametrize("query, words", [
    ("", "empty"),
    ("   ", "empty"),
    ('"消防安全', "unbalanced quote"),
    ('消防 ""', "empty phrase"),
    ("消防 -", "lone '-'"),
    ("OR 消防", "OR at the start"),
    ("消防 OR", "OR at the end"),
    ("消防 OR OR 防火", "two ORs"),
    ("foo:bar", "unknown field 'foo'"),
    ("year:abc", "not a year"),
    ("year:2024-2020", "ends before it starts"),
    ("kind:memo", "unknown kind"),
    ("retention:D5", "unknown retention"),
    ("lang:fr", "unknown language"),
    ("消防 OR -演练", "exclusion"),
    ("，。", "nothing to search for"),
    ("消防 --yeer 2023", "not an option"),
])
def test_malformed_query_gets_a_helpful_message(env, query, words):
    arc, _, _ = env
    with pytest.raises(WorkplanError) as e:
        search(arc, query)
    msg = e.value.format()
    assert words in msg
    assert "hint:" in msg


# --- the index's life cycle ----------------------------------------------------------------------------
QUERIES = ["消防", "溺", "巡查守护", "inspection", "消防 -巡逻", "溺水 OR 燃气", "消防 year:2023", "unit:消防大队",
           "夜市 stalls", "kind:standards"]


def _tree_hash(root: Path, skip_index: bool = True) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if skip_index and (rel == "index" or rel.startswith("index/")):
            continue
        h.update(rel.encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def _copy(env, tmp_path):
    return _copy_archive(env[0], tmp_path / "arc")


def _answers(arc):
    out = []
    for q in QUERIES:
        r = search(arc, q, limit=100)
        out.append([(h.code, h.version, round(h.score, 4), [s.marked() for s in h.snippets]) for h in r.hits])
    return out


def test_search_does_not_modify_the_archive_or_the_index(env):
    arc, _, _ = env
    before = _tree_hash(arc.root, skip_index=False)
    for q in QUERIES:
        search(arc, q, all_versions=True)
    assert _tree_hash(arc.root, skip_index=False) == before


def _sets(arc):
    return [sorted((h.code, h.version) for h in search(arc, q, limit=100).hits) for q in QUERIES]


def test_reindex_after_deleting_the_index_gives_identical_results(env, tmp_path):
    arc = _copy(env, tmp_path)
    incremental = _sets(arc)  # the session index was built record by record by the add hook
    reindex(arc, env[2])
    before = _answers(arc)
    assert _sets(arc) == incremental
    archive_hash = _tree_hash(arc.root)
    shutil.rmtree(arc.root / "index")
    with pytest.raises(IndexMissing) as e:
        search(arc, "消防")
    assert "workplan search reindex" in e.value.format()
    report = reindex(arc, env[2])
    assert report.records == len(env[1]) and not report.warnings
    assert _answers(arc) == before  # same hits, order, scores and snippets
    assert _tree_hash(arc.root) == archive_hash


def test_reindex_is_atomic_and_removes_the_old_build(env, tmp_path):
    arc = _copy(env, tmp_path)
    mgr = IndexManager(arc.root)
    old = mgr.build_path(mgr.read_meta())
    ix = open_index(arc)  # a reader opened before the rebuild keeps working during it
    reindex(arc, env[2])
    new = mgr.build_path(mgr.read_meta())
    assert new != old and new.exists() and not old.exists()
    assert [p.name for p in (arc.root / "index").iterdir() if p.name.startswith("build-")] == [new.name]
    assert not list((arc.root / "index").glob("*.tmp"))
    ix.close()


def test_interrupted_reindex_leaves_the_old_index_usable(env, tmp_path, monkeypatch):
    arc = _copy(env, tmp_path)
    before = _answers(arc)
    import workplan.search.index as index_mod

    def boom(record, arc, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(index_mod, "extract", boom)
    with pytest.raises(KeyboardInterrupt):
        reindex(arc, env[2])
    monkeypatch.undo()
    assert _answers(arc) == before
    assert not list((arc.root / "index").glob("build-*.tmp"))


def test_damaged_index_gives_a_clear_message(env, tmp_path):
    arc = _copy(env, tmp_path)
    mgr = IndexManager(arc.root)
    meta_text = mgr.meta_path.read_text()
    mgr.meta_path.write_text("{not json")
    with pytest.raises(IndexCorrupt) as e:
        search(arc, "消防")
    assert "damaged" in e.value.format() and "workplan search reindex" in e.value.format()
    mgr.meta_path.write_text(meta_text)
    build = mgr.build_path(json.loads(meta_text))
    for p in build.iterdir():
        if p.is_file():
            p.write_bytes(b"\0garbage" * 10)
    with pytest.raises(WorkplanError) as e:
        search(arc, "消防")
    assert "workplan search reindex" in e.value.format()
    shutil.rmtree(build)
    with pytest.raises(WorkplanError) as e:
        search(arc, "消防")
    assert "workplan search reindex" in e.value.format()
    reindex(arc, env[2])
    assert find((arc, env[1], env[2]), "巡查守护") == {"river"}


def test_schema_mismatch_rebuilds_with_a_message(env, tmp_path):
    arc = _copy(env, tmp_path)
    mgr = IndexManager(arc.root)
    meta = mgr.read_meta()
    meta["schema_version"] = SCHEMA_VERSION - 1
    mgr.meta_path.write_text(json.dumps(meta))
    messages = []
    res = search(arc, "巡查守护", notify=messages.append)
    assert [env[1][h.code, h.version] for h in res.hits] == ["river"]
    assert len(messages) == 1 and "rebuilding" in messages[0]
    assert mgr.read_meta()["schema_version"] == SCHEMA_VERSION
    assert mgr.read_meta()["build"] != meta["build"]


def test_other_backend_asked_for_explains_how_to_switch(env):
    arc, _, backend = env
    other = next(b for b in BACKENDS if b != backend)
    with pytest.raises(WorkplanError) as e:
        search(arc, "消防", backend=other)
    assert f"workplan search reindex --backend {other}" in e.value.format()


def test_writer_lock_serialises_updates(env, tmp_path):
    arc = _copy(env, tmp_path)
    mgr = IndexManager(arc.root)
    with mgr.lock():
        with pytest.raises(WorkplanError) as e:
            with IndexManager(arc.root).lock(timeout=0.2):
                pass
        assert "another process" in e.value.format()
    with IndexManager(arc.root).lock(timeout=0.2):  # free again
        pass


def test_incremental_update_on_add(env, tmp_path):
    arc = _copy(env, tmp_path)
    names = dict(env[1])
    doc = tmp_path / "extra.yaml"
    doc.write_text(RIVER.replace("baisha-river-2021", "qingshui-river-2021").replace("白沙社区2021", "清水社区2021")
                   .replace("河塘巡", "水库巡"), encoding="utf-8")
    build_before = IndexManager(arc.root).read_meta()["build"]
    rec = add_data_file(arc, doc, formats=(), reason="a test")  # the archive calls on_records_changed
    names[rec.code, rec.version] = "extra"
    meta = IndexManager(arc.root).read_meta()
    assert meta["build"] == build_before and meta["records"] == len(names)
    e = (arc, names, env[2])
    assert find(e, "水库巡查") == {"extra"}
    assert find(e, "巡查守护") == {"river", "extra"}



def test_incremental_update_indexes_the_readable_records_and_names_the_others(env, tmp_path):
    """A record whose files cannot be read is skipped, as in a rebuild: the other changed
    records are still indexed, and the error names the skipped one."""
    arc = _copy(env, tmp_path)
    names = dict(env[1])
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(RIVER.replace("baisha-river-2021", "qingshui-river-2021").replace("白沙社区2021", "清水社区2021")
                    .replace("河塘巡", "水库巡"), encoding="utf-8")
    bad.write_text(RIVER.replace("baisha-river-2021", "heishui-river-2021").replace("白沙社区2021", "黑水社区2021")
                   .replace("河塘巡", "水渠巡"), encoding="utf-8")
    g = add_data_file(arc, good, formats=(), notify=False, reason="a test")
    b = add_data_file(arc, bad, formats=(), notify=False, reason="a test")
    names[g.code, g.version] = "good"
    src = arc.file(b, "source")
    os.chmod(src.parent, 0o755)
    src.unlink()
    with pytest.raises(WorkplanError) as e:
        on_records_changed(arc, [g.code, b.code])
    assert f"{b.code}: not indexed" in e.value.format()
    e = (arc, names, env[2])
    assert find(e, "水库巡查") == {"good"} and find(e, "水渠巡查") == set()
    assert IndexManager(arc.root).read_meta()["records"] == len(names)

# --- the command line ---------------------------------------------------------------------------------
def _cli(monkeypatch, capsys, arc, *args) -> tuple[int, str, str]:
    """Run `workplan search ARGS --archive ROOT` in this process, as the installed command does."""
    from workplan.cli import main
    monkeypatch.setattr(sys, "argv", ["workplan", "search", *args, "--archive", str(arc.root)])
    rc = 0
    try:
        main()
    except SystemExit as e:
        rc = e.code or 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


def test_cli_plain_output(env, monkeypatch, capsys):
    arc, names, backend = env
    rc, out, err = _cli(monkeypatch, capsys, arc, "消防", "-巡逻", "--year", "2023")
    assert rc == 0, err
    assert out.startswith(f"2 document(s) match “消防 -巡逻” (newest versions, {backend})")
    for (code, _), stem in names.items():
        assert (code in out) == (stem in ("winter-fire-safety", "safe-community-creation"))
    assert "青松社区2023年冬季防火工作方案" in out and "2023-11-06" in out and "青松社区居委会" in out
    assert "【消防】" in out and "score " in out


def test_cli_json_output(env, monkeypatch, capsys):
    arc, names, backend = env
    rc, out, _ = _cli(monkeypatch, capsys, arc, "巡查守护", "--json", "--unit", "白沙")
    assert rc == 0
    data = json.loads(out)
    assert data["backend"] == backend and data["total"] == 1
    (hit,) = data["results"]
    assert names[hit["code"], hit["version"]] == "river" and hit["date"] == "2021-05-10" and hit["issuer"] == "白沙社区居委会"
    assert any("[[" in s["marked"] and "]]" in s["marked"] for s in hit["snippets"])


def test_cli_all_versions_and_filters(env, monkeypatch, capsys):
    arc, names, _ = env
    rc, out, _ = _cli(monkeypatch, capsys, arc, "夜市", "--all-versions", "--kind", "program", "--retention", "D30")
    assert rc == 0 and out.startswith("2 document(s)") and "version 1 (superseded)" in out


def test_cli_malformed_query_and_empty_query(env, monkeypatch, capsys):
    arc = env[0]
    rc, out, err = _cli(monkeypatch, capsys, arc, '"消防')
    assert rc == 1 and "unbalanced quote" in err and "hint:" in err
    rc, out, err = _cli(monkeypatch, capsys, arc)
    assert rc == 1 and "the query is empty" in err
    rc, out, err = _cli(monkeypatch, capsys, arc, "reindex", "--year", "2020")
    assert rc == 2 and "does not take --year" in err


def test_cli_reindex_status_and_missing_index(env, monkeypatch, capsys, tmp_path):
    arc = _copy(env, tmp_path)
    backend = env[2]
    shutil.rmtree(arc.root / "index")
    rc, out, err = _cli(monkeypatch, capsys, arc, "消防")
    assert rc == 1 and "no search index" in err and "workplan search reindex" in err
    rc, out, err = _cli(monkeypatch, capsys, arc, "reindex", "--backend", backend)
    assert rc == 0 and f"indexed {len(env[1])} record(s) with {backend}" in out
    rc, out, err = _cli(monkeypatch, capsys, arc, "status")
    assert rc == 0 and f"backend:  {backend}" in out and f"records:  {len(env[1])}" in out
    rc, out, err = _cli(monkeypatch, capsys, arc, "-h")
    assert rc == 0 and "Query language" in out and "reindex" in out


def test_disposal_removes_the_record_from_the_index(env, tmp_path):
    import datetime as dt
    arc = _copy(env, tmp_path)
    names = env[1]
    code = next(c for (c, v), stem in names.items() if stem == "river")
    assert find((arc, names, env[2]), "巡查守护") == {"river"}
    arc.dispose(code, today=dt.date(2040, 1, 1), reason="test")  # the archive calls on_records_changed
    assert find((arc, names, env[2]), "巡查守护") == set()
    assert find((arc, names, env[2]), "巡查守护", all_versions=True) == set()
    assert IndexManager(arc.root).read_meta()["records"] == len(names) - 1
    reindex(arc, env[2])  # a rebuild leaves disposed records out too
    assert find((arc, names, env[2]), "巡查守护", all_versions=True) == set()


def test_query_tree():
    from workplan.search.query import And, Filter, Not, Or, Text, parse
    q = parse('消防 演练 OR drill -"fire lane" year:2021-2023 unit:消防大队 title:防火')
    assert q.root == And((Text("消防"), Or((Text("演练"), Text("drill"))), Not(Text("fire lane", phrase=True)),
                          Filter("year", (2021, 2023), "2021-2023"), Filter("unit", "消防大队", "消防大队"),
                          Text("防火", phrase=True, field="title")))
    assert [t.value for t in q.texts()] == ["消防", "演练", "drill", "防火"]
    assert Text("消防安全").tokens == ["消", "防", "安", "全"]
    assert Text("Inspections 2023年").tokens == ["inspections", "2023", "年"]
    assert Text("fire inspections").stems == ["fire", "inspect"] and Text("消防").stems == []


def test_cli_as_a_separate_process(built):
    """The installed command end to end: results, and a damaged index → message, exit 1, no traceback."""
    base, arc, names = built
    root = base / "archive-cli"
    if not root.exists():
        shutil.copytree(arc.root, root)
    cmd = [sys.executable, "-m", "workplan.cli", "search"]
    env = dict(os.environ, WORKPLAN_ARCHIVE=str(root))
    r = subprocess.run(cmd + ["组织护林员", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert [names[h["code"], h["version"]] for h in json.loads(r.stdout)["results"]] == ["legacy"]
    (root / "index" / "meta.json").write_text("garbage", encoding="utf-8")
    r = subprocess.run(cmd + ["组织护林员"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and "damaged" in r.stderr and "workplan search reindex" in r.stderr
    assert "Traceback" not in r.stderr


def test_archive_verify_ignores_the_index(env, tmp_path):
    arc = _copy(env, tmp_path)
    assert (arc.root / "index" / "meta.json").exists()
    report = arc.verify(record_event=False)
    about_index = [f.format() for f in report.findings if "index" in f.format()]
    assert about_index == [] and report.documents == len({c for c, _ in env[1]})


def test_progress_report_is_indexed_with_its_computed_text(tmp_path):
    """A report's text comes from its IR (program looked up in the same archive): 未达标 (target
    not met) is computed when the document is built and is not in the data file."""
    from workplan.archive import init_archive
    report = CORPUS / "report-winter-fire-safety.yaml"
    assert "未达标" not in report.read_text(encoding="utf-8")
    arc = init_archive(tmp_path / "arc", fonds="J001", name="测试全宗")
    keep_index_current(arc)
    prog = add_data_file(arc, CORPUS / "winter-fire-safety.yaml", formats=(), reason="a test")
    rep = add_data_file(arc, report, formats=(), reason="a test")
    names = {(prog.code, prog.version): "program", (rep.code, rep.version): "report"}
    e = (arc, names, "tantivy")
    assert find(e, "未达标") == {"report"}
    assert find(e, "kind:report 隐患") == {"report"}
    assert find(e, "隐患 inspection") == {"program", "report"}


def test_search_in_an_empty_archive_says_it_is_empty(tmp_path):
    # says the archive is empty, not "no search index… run reindex"
    from click.testing import CliRunner

    from workplan.cli import cli
    runner = CliRunner()
    assert runner.invoke(cli, ["archive", "init", "--archive", str(tmp_path / "arc")]).exit_code == 0
    r = runner.invoke(cli, ["search", "消防", "--archive", str(tmp_path / "arc")])
    assert r.exit_code == 1
    msg = r.exception.format()
    assert "the archive is empty" in msg and "reindex" not in msg
