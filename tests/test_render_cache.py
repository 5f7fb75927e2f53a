"""The rendering cache (render/cache.py): charts and title breaks are computed once, then read
back byte for byte; a broken or read-only cache only means computing again."""
from __future__ import annotations

import pytest

from workplan.model import load_document
from workplan.render import cache, charts
from workplan.render.ir import Figure, balance_title
from workplan.render.resolve import build_ir

TITLE = "关于进一步加强和改进全县城乡社区安全防范工作推进平安建设的实施意见和具体方案"


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "workplan"


def _figures(report, draw):
    return [b for b in build_ir(load_document(report), "zh", draw=draw).blocks if isinstance(b, Figure)]


def test_charts_are_drawn_once_then_read_back(cache_home, corpus_dir, monkeypatch):
    report = corpus_dir / "report-winter-fire-safety.yaml"
    first = _figures(report, ("svg",))
    assert first and all(f.svg and f.svg.startswith(b"<?xml") and f.png is None for f in first)
    assert len(list((cache_home / "charts").glob("*.svg"))) == len(first)

    def no_drawing(*a, **k):
        raise AssertionError("drawn again")
    monkeypatch.setattr(charts, "attainment_chart", no_drawing)
    monkeypatch.setattr(charts, "gantt_chart", no_drawing)
    again = _figures(report, ("svg",))
    assert [f.svg for f in again] == [f.svg for f in first]
    # a format not drawn yet is drawn (and the drawing code is called for it)
    with pytest.raises(AssertionError, match="drawn again"):
        _figures(report, ("png",))


def test_cached_chart_equals_a_fresh_drawing(cache_home, corpus_dir, monkeypatch):
    report = corpus_dir / "report-winter-fire-safety.yaml"
    cached = _figures(report, ("svg", "png"))
    cached = _figures(report, ("svg", "png"))          # read back
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home.parent / "elsewhere"))
    fresh = _figures(report, ("svg", "png"))
    assert [(f.svg, f.png) for f in cached] == [(f.svg, f.png) for f in fresh]


def test_title_breaks_are_cached(cache_home, monkeypatch):
    from workplan.render import ir
    broken = balance_title(TITLE, 20)
    assert "\n" in broken and len(list((cache_home / "title-words").glob("*.json"))) == 1
    monkeypatch.setattr(ir, "_jieba_boundaries", lambda text: (_ for _ in ()).throw(AssertionError("jieba again")))
    assert balance_title(TITLE, 20) == broken


def test_unwritable_or_corrupt_cache_only_means_computing_again(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))      # workplan/ cannot be created under a file
    assert "\n" in balance_title(TITLE, 20)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    broken = balance_title(TITLE, 20)
    (entry,) = (tmp_path / "c" / "workplan" / "title-words").glob("*.json")
    entry.write_text("{not json")
    assert balance_title(TITLE, 20) == broken


def test_a_change_of_the_code_is_a_new_key():
    a = cache.key_of("charts", ["attainment", {"x": 1}], "workplan.render.charts")
    b = cache.key_of("charts", ["attainment", {"x": 1}], "workplan.render.charts", "workplan.render.report_ir")
    c = cache.key_of("charts", ["attainment", {"x": 2}], "workplan.render.charts")
    assert len({a, b, c}) == 3
