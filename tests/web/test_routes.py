"""The site's route table: every route is documented in ARCHITECTURE.md, has its JSON twin (or says
why not), and the web package stays in small functions."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from workplan.web import create_app
from workplan.web.routes import ROUTES

from .conftest import WINTER

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "workplan" / "web"


def test_every_route_is_documented_in_architecture():
    doc = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = doc[doc.index("**A web page.**"):]
    for r in ROUTES:
        assert f"`{r.rule}`" in section or f"`{r.rule}` (" in section, f"{r.rule} is not in ARCHITECTURE.md"
        assert r.view.__name__ in section, f"the view {r.view.__name__} is not in ARCHITECTURE.md"
        if r.json:
            assert f"`{r.json}`" in section, f"the JSON twin {r.json} is not in ARCHITECTURE.md"


def test_every_search_parameter_is_documented_in_architecture(web_archive):
    from workplan.web.params import search_params
    doc = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `/search` "))
    with create_app(web_archive).test_request_context("/search"):
        names = set(search_params())
    assert names and all(f"`{n}=" in row for n in names), sorted(n for n in names if f"`{n}=" not in row)


def test_every_route_has_a_json_twin_or_says_why_not():
    for r in ROUTES:
        assert bool(r.json) != bool(r.no_json), r.rule


def test_the_app_serves_exactly_the_route_table(web_archive):
    app = create_app(web_archive)
    served = {(rule.rule, m) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for m in rule.methods - {"HEAD", "OPTIONS"}}
    table = {(r.rule, m) for r in ROUTES for m in r.methods}
    table |= {(r.json, m) for r in ROUTES if r.json and r.json_rule for m in r.methods}
    assert served == table


def _fill(pattern: str, job: str) -> str:
    return pattern.replace("<code>", quote(WINTER)).replace("<job_id>", job).replace("<role>", "pdf:zh")


def test_every_json_twin_answers_json(archive_copy, tmp_path, monkeypatch):
    from workplan.web.jobs import Jobs

    def no_volume(self, job):  # the twin's shape is under test here, not the volume (test_web makes one)
        job.state = "done"
    monkeypatch.setattr(Jobs, "_run", no_volume)
    app = create_app(archive_copy, workdir=tmp_path / "jobs")
    c = app.test_client()
    job = c.post("/compile.json", json={"year": 2023}).get_json()["id"]
    for r in ROUTES:
        if not r.json:
            continue
        url = _fill(r.json, job)
        res = c.open(url, method=r.methods[0], json={"year": 2023} if "POST" in r.methods else None)
        assert res.mimetype == "application/json", url
        if r.action in ("version", "dispose"):  # a change needs its reason: refused, in JSON, with the fix
            assert res.status_code == 400 and res.get_json()["error"]["message"], (url, res.status_code)
            continue
        assert res.status_code in (200, 202, 503), (url, res.status_code, res.get_data(as_text=True)[:200])
        assert "error" not in res.get_json() or res.status_code == 503, url
    app.config["WP_JOBS"].close()


@pytest.mark.parametrize("path", sorted(WEB.rglob("*.py")), ids=lambda p: p.relative_to(WEB).as_posix())
def test_no_function_in_web_over_80_lines(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines)" for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > 80]
    assert not long, long


def test_create_app_only_wires():
    tree = ast.parse((WEB / "app.py").read_text(encoding="utf-8"))
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "create_app")
    inner = [n.name for n in ast.walk(fn) if isinstance(n, ast.FunctionDef) and n is not fn]
    assert not inner, f"create_app defines views or hooks inside itself: {inner}"
    assert not re.search(r"@app\.(get|post|route)", (WEB / "app.py").read_text(encoding="utf-8"))
