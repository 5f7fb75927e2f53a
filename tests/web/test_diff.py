"""What changed between versions: `workplan archive diff` and the site's page, a structured
difference of the data (a moved deadline, a changed target), items matched by their id."""
from __future__ import annotations

import json
from urllib.parse import quote

from .conftest import CORPUS, WINTER
from .test_accounts import run


def test_a_moved_deadline_and_a_changed_target_on_the_command_line_and_the_site(archive_copy, tmp_path):
    from workplan.web import create_app
    a = ["--archive", str(archive_copy)]
    text = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    text = text.replace("  zh: 青松社区2023年冬季防火工作方案\n", "  zh: 青松社区2023年冬季防火工作方案（修订）\n", 1)
    moved = text.replace("deadline: 2023-12-15", "deadline: 2024-01-10").replace("target: 90,", "target: 95,")
    # the tasks in another order: matched by id, not by position
    i, j = moved.index("      - id: corridors"), moved.index("      - id: publicity")
    moved = moved[:i] + moved[j:moved.index("  - type:", j)] + moved[i:j] + moved[moved.index("  - type:", j):] \
        if "  - type:" in moved[j:] else moved
    v3 = tmp_path / "winter-v3.yaml"
    v3.write_text(moved, encoding="utf-8")
    r = run("archive", "add", str(v3), "--format", "none", "--reason", "检查推迟到元旦后", *a)
    assert r.exit_code == 0, r.output
    r = run("archive", "diff", WINTER, *a)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == f"{WINTER}: v2 → v3"
    assert "  task inspect «开展火灾隐患排查»: deadline 2023-12-15 → 2024-01-10" in lines
    assert "  target awareness «居民消防知识知晓率»: target 90 → 95" in lines
    assert not any("corridors" in x or "publicity" in x for x in lines)  # reordered, not changed
    d = json.loads(run("archive", "diff", WINTER, "2", "3", "--json", *a).output)
    moved_c = next(c for c in d["changes"] if c["field"] == "deadline")
    assert moved_c["path"] == "sections[type=tasks].tasks[id=inspect].deadline"
    assert (moved_c["old"], moved_c["new"], moved_c["change"]) == ("2023-12-15", "2024-01-10", "changed")
    assert {f["role"] for f in d["files"]} >= {"source"}
    r = run("archive", "diff", WINTER, "1", "9", *a)
    assert r.exit_code == 1 and "has no version 9" in r.output
    r = run("archive", "diff", WINTER, "2", *a)
    assert r.exit_code == 2
    # the site: the page and its twin say the same; older versions link to it
    c = create_app(archive_copy).test_client()
    record = c.get(f"/records/{quote(WINTER)}").get_data(as_text=True)
    assert "diff-link" in record and "from=2&amp;to=3" in record
    page = c.get(f"/records/{quote(WINTER)}/diff?from=2&to=3&ui=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "task inspect «开展火灾隐患排查»" in html
    assert "2023-12-15" in html and "2024-01-10" in html and "version 2 → version 3" in html
    twin = c.get(f"/records/{quote(WINTER)}/diff.json?from=2&to=3").get_json()
    assert twin == d
    assert c.get(f"/records/{quote(WINTER)}/diff.json?from=2&to=9").status_code == 400


def test_the_rendered_text_side_by_side(archive_copy, tmp_path):
    """Beside the data, the text as rendered: the lines of the same PDF rendition of both versions,
    the changed ones paired (the CLI's --text, the site's ?text=1 and its twin)."""
    from workplan.web import create_app
    a = ["--archive", str(archive_copy)]
    text = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    v3 = tmp_path / "winter-v3.yaml"
    v3.write_text(text.replace("deadline: 2023-12-15", "deadline: 2024-01-10"), encoding="utf-8")
    r = run("archive", "add", str(v3), "--format", "pdf", "--reason", "检查推迟", *a)
    assert r.exit_code == 0, r.output
    r = run("archive", "diff", WINTER, "--text", *a)
    assert r.exit_code == 0, r.output
    out = r.output
    assert "text (pdf:zh):" in out
    old = [x for x in out.splitlines() if x.startswith("    - ")]
    new = [x for x in out.splitlines() if x.startswith("    + ")]
    assert any("12月15日" in x for x in old) and any("2024年1月10日" in x or "1月10日" in x for x in new), out
    c = create_app(archive_copy).test_client()
    page = c.get(f"/records/{quote(WINTER)}/diff").get_data(as_text=True)
    assert 'id="text-link"' in page and "text-diff" not in page          # read on request only
    page = c.get(f"/records/{quote(WINTER)}/diff?text=1&ui=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="text-diff"' in html and "The text side by side" in html
    assert '<tr class="replace">' in html and "12月15日" in html
    twin = c.get(f"/records/{quote(WINTER)}/diff.json?text=1").get_json()
    assert twin["text"]["role"] == "pdf:zh" and not twin["text"]["same"]
    assert any(r["op"] == "replace" and "12月15日" in (r["old"] or "") for r in twin["text"]["rows"])
