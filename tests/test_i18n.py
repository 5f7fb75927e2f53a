"""The one language table (workplan.i18n.TERMS)."""
from __future__ import annotations

import ast
import string
from pathlib import Path

from conftest import ROOT


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_term_has_zh_and_en_with_the_same_fields():
    from workplan.i18n import SEPARATORS, TERMS, term
    assert len(TERMS) > 100 and SEPARATORS <= set(TERMS)
    for key, pair in TERMS.items():
        assert isinstance(pair, tuple) and len(pair) == 2, key
        zh, en = pair
        # only separators may be blank (no space after a Chinese colon)
        assert (zh.strip() and en.strip()) or key in SEPARATORS, key
        assert isinstance(zh, str) and isinstance(en, str), key
        assert _fields(zh) == _fields(en), key
    assert term("colon", "zh") == "：" and term("colon", "en") == ":" and term("colon", "zh-en") == "："
    assert term("volume.extent", "zh", n=3, pages=12) == "共收录文件3件，12页"
    assert term("caption_figure", "en", n=2) == "Figure 2"


def test_no_key_is_written_twice():
    """A dict literal keeps the last of two equal keys silently: the table must not rely on that."""
    tree = ast.parse((ROOT / "src/workplan/i18n.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "TERMS":
            keys = [k.value for k in node.value.keys]
            assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
            return
    raise AssertionError("TERMS not found")


def test_the_other_glossaries_are_gone():
    """report, volume and kind terms are read from the one table."""
    from workplan.compile import frontmatter, volume
    from workplan.compile.frontmatter import label
    from workplan.i18n import TERMS
    from workplan.render import report_ir
    for mod, name in ((report_ir, "TERMS"), (frontmatter, "LABELS"), (volume, "KIND_LABELS")):
        assert getattr(mod, name, TERMS) is TERMS, f"{mod.__name__}.{name} is a glossary of its own"
    assert report_ir.rterm("overview", "en") == "Overview" and report_ir.rterm("lead_unit", "zh") == "牵头单位"
    assert label("contents", "zh") == "目　录"
    src = Path(ROOT / "src/workplan/render")
    for p in [*src.glob("docx/*.py"), *src.glob("pdf/*.py")]:
        text = p.read_text(encoding="utf-8")
        assert '"："' not in text and "'：'" not in text, f"{p.name} decides punctuation by language"
        assert '"en" if rdoc.lang' not in text, p.name
