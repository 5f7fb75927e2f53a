"""The data model as a user meets it: the corpus validates, the JSON Schema describes the
files, and every kind of bad input gets a located, actionable message — never a traceback."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, corpus_files
from workplan.cli import cli
from workplan.errors import ValidationFailed
from workplan.model import Document, load_document, read_data

CORPUS = corpus_files()


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems_of(path: Path) -> list:
    with pytest.raises(ValidationFailed) as e:
        load_document(path)
    return e.value.problems


GOOD = """\
kind: program
title: {zh: 测试工作方案, en: Test Work Program}
units:
  - {id: office, zh: 测试办公室, en: Test Office}
  - {id: police, zh: 测试派出所, en: Test Police Station}
issuers: [office]
date: 2024-05-06
sections:
  - type: objectives
    targets:
      - {indicator: {zh: 整改率, en: Rectification rate}, target: 95, unit: "%"}
  - type: tasks
    tasks:
      - title: {zh: 排查隐患, en: Inspect for hazards}
        lead: [police]
        deadline: 2024-06-30
"""


# --- the corpus ------------------------------------------------------------------------------
def test_corpus_is_rich_enough_for_filters():
    """Search and compilation filter by year and unit: the corpus must give them a choice."""
    docs = [load_document(p) for p in CORPUS]
    programs = [d for d in docs if isinstance(d, Document)]
    assert len(programs) >= 6
    assert {d.date.year for d in programs} >= {2022, 2023, 2024}
    assert len({d.unit_name(d.issuers[0], "zh") for d in programs if d.issuers}) >= 5
    assert {d.kind for d in programs} >= {"program", "standards"}
    assert any(d.issuer_mark and d.doc_number and d.cc and d.printed for d in programs)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_file_validates(path):
    doc = load_document(path)
    assert doc.title is not None
    # via the command too, as a user checks a file
    r = run_cli("validate", str(path))
    assert r.exit_code == 0, r.output
    assert f"{path}: ok" in r.output


def test_validate_folder_reports_every_file():
    r = run_cli("validate", str(ROOT / "corpus"))
    assert r.exit_code == 0, r.output
    assert r.output.count(": ok") == len(CORPUS) + len(list((ROOT / "corpus").glob("*.json")))


# --- the JSON Schema ------------------------------------------------------------------------------
def _schema() -> dict:
    r = run_cli("schema")
    assert r.exit_code == 0
    return json.loads(r.output)


_TYPES = {"string": str, "number": (int, float), "integer": int, "boolean": bool, "array": list,
          "object": dict, "null": type(None)}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _mini_validate(schema: dict, root: dict, data, path: str = "") -> list[str]:
    """A small JSON Schema (2020-12 subset) validator, used when `jsonschema` is not installed.
    Covers what pydantic emits: $ref, type, properties, required, additionalProperties, items,
    anyOf/oneOf/allOf, enum, const, pattern, minimum/maximum, format: date."""
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return _mini_validate(root["$defs"][ref.split("/")[-1]], root, data, path)
    errs: list[str] = []
    for key in ("anyOf", "oneOf"):
        if key in schema:
            ok = [not _mini_validate(s, root, data, path) for s in schema[key]]
            if (key == "anyOf" and not any(ok)) or (key == "oneOf" and sum(ok) != 1):
                errs.append(f"{path}: matches {sum(ok)} of the {key} branches")
    for s in schema.get("allOf", []):
        errs += _mini_validate(s, root, data, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        good = any(isinstance(data, _TYPES[t]) and not (t in ("number", "integer") and isinstance(data, bool))
                   for t in types)
        if not good:
            return errs + [f"{path}: expected {types}, got {type(data).__name__}"]
    if "enum" in schema and data not in schema["enum"]:
        errs.append(f"{path}: {data!r} not in {schema['enum']}")
    if "const" in schema and data != schema["const"]:
        errs.append(f"{path}: {data!r} != {schema['const']!r}")
    if isinstance(data, str):
        if "pattern" in schema and not re.search(schema["pattern"], data):
            errs.append(f"{path}: {data!r} does not match {schema['pattern']}")
        if schema.get("format") == "date" and not _DATE.match(data):
            errs.append(f"{path}: {data!r} is not a date")
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        if "minimum" in schema and data < schema["minimum"]:
            errs.append(f"{path}: {data} < {schema['minimum']}")
        if "maximum" in schema and data > schema["maximum"]:
            errs.append(f"{path}: {data} > {schema['maximum']}")
    if isinstance(data, dict):
        props = schema.get("properties", {})
        for req in schema.get("required", []):
            if req not in data:
                errs.append(f"{path}: missing {req}")
        for k, v in data.items():
            if k in props:
                errs += _mini_validate(props[k], root, v, f"{path}.{k}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}: unexpected {k}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += _mini_validate(schema["additionalProperties"], root, v, f"{path}.{k}")
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(data):
            errs += _mini_validate(schema["items"], root, v, f"{path}[{i}]")
    return errs


def _schema_errors(schema: dict, data) -> list[str]:
    try:
        import jsonschema
    except ImportError:
        return _mini_validate(schema, schema, data)
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(data)]


def test_schema_is_valid_json_schema():
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    doc = schema["$defs"]["Document"]
    assert {r["$ref"] for r in schema["anyOf"]} == {"#/$defs/Document", "#/$defs/Report"}
    assert doc["type"] == "object" and {"title", "date"} <= set(doc["required"])
    assert doc["additionalProperties"] is False
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    if jsonschema is not None:
        jsonschema.Draft202012Validator.check_schema(schema)
    # structurally: every $ref resolves, every type name is a JSON Schema type
    text = json.dumps(schema)
    for ref in re.findall(r'"\$ref": "([^"]+)"', text):
        assert ref.startswith("#/$defs/") and ref.split("/")[-1] in schema["$defs"], ref
    for t in re.findall(r'"type": "([^"]+)"', text):
        assert t in _TYPES, t


def _schema_params():
    return [pytest.param(p, id=p.name) for p in CORPUS]


@pytest.mark.parametrize("path", _schema_params())
def test_schema_accepts_corpus_file(path):
    data, _ = read_data(path)
    assert _schema_errors(_schema(), data) == []


def test_schema_rejects_what_the_model_rejects(tmp_path):
    import yaml
    schema = _schema()
    data = yaml.safe_load(GOOD.replace("2024-05-06", "'2024-05-06'").replace("2024-06-30", "'2024-06-30'"))
    assert _schema_errors(schema, data) == []
    assert _schema_errors(schema, {**data, "titel": "x"})                       # unknown field
    bad = json.loads(json.dumps(data))
    bad["sections"][0]["targets"][0]["target"] = "abc"                          # wrong type
    assert _schema_errors(schema, bad)
    bad = json.loads(json.dumps(data))
    bad["sections"][1]["type"] = "taks"                                         # unknown section type
    assert _schema_errors(schema, bad)


# --- bad input → located messages ------------------------------------------------------------------
def _python_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "workplan.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_yaml_syntax_error_gives_file_line_column(tmp_path):
    p = write(tmp_path, "broken.yaml", GOOD.replace("title: {zh: 排查隐患, en: Inspect for hazards}",
                                                   "title: {zh: 排查隐患, en: Inspect for hazards"))
    line = GOOD.splitlines().index("      - title: {zh: 排查隐患, en: Inspect for hazards}") + 1
    r = _python_cli("validate", str(p), cwd=tmp_path)       # the real entry point, as a user runs it
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert "Traceback" not in out
    m = re.search(r"broken\.yaml:(\d+):(\d+): not valid YAML", out)
    assert m, out
    assert line <= int(m.group(1)) <= line + 1
    assert "hint:" in out


def test_type_error_gives_line_and_field_path(tmp_path):
    p = write(tmp_path, "t.yaml", GOOD.replace("target: 95", 'target: "abc"'))
    r = run_cli("validate", str(p))
    assert r.exit_code == 1
    line = GOOD.splitlines().index('      - {indicator: {zh: 整改率, en: Rectification rate}, target: 95, unit: "%"}') + 1
    assert f"t.yaml:{line}:" in r.output
    assert "sections[0].targets[0].target" in r.output
    assert "expected a number" in r.output and "'abc'" in r.output


def test_bad_date_gives_line_path_and_hint(tmp_path):
    p = write(tmp_path, "d.yaml", GOOD.replace("date: 2024-05-06", "date: 2024-02-30"))
    (prob,) = problems_of(p)
    assert (prob.line, prob.path) == (7, "date")
    assert "YYYY-MM-DD" in (prob.hint or "")
    p = write(tmp_path, "d2.yaml", GOOD.replace('unit: "%"}', 'unit: "%", due: 2024-13-01}'))
    (prob,) = problems_of(p)
    assert prob.path == "sections[0].targets[0].due" and prob.line == 11


def test_unknown_field_gets_did_you_mean(tmp_path):
    p = write(tmp_path, "u.yaml", GOOD.replace("issuers: [office]", "isuers: [office]"))
    r = run_cli("validate", str(p))
    assert r.exit_code == 1
    assert "u.yaml:6:1:" in r.output
    assert "unknown field 'isuers'" in r.output and "did you mean 'issuers'?" in r.output


def test_unknown_unit_reported_with_path(tmp_path):
    p = write(tmp_path, "r.yaml", GOOD.replace("lead: [police]", "lead: [polise]"))
    (prob,) = problems_of(p)
    assert prob.path == "sections[1].tasks[0].lead[0]"
    assert "unknown unit 'polise'" in prob.message
    assert "police" in (prob.hint or "")
    assert prob.line == GOOD.splitlines().index("        lead: [police]") + 1


def test_all_problems_of_a_file_reported_at_once(tmp_path):
    text = (GOOD.replace("issuers: [office]", "isuers: [office]")
                .replace("target: 95", 'target: "abc"')
                .replace("date: 2024-05-06", "date: 2024-02-30")
                .replace("type: tasks", "type: taks"))
    p = write(tmp_path, "many.yaml", text)
    probs = problems_of(p)
    assert len(probs) >= 4
    r = run_cli("validate", str(p))
    assert r.exit_code == 1
    for needle in ("isuers", "targets[0].target", "date", "unknown section type 'taks'"):
        assert needle in r.output, needle
    # and the unit check runs on files that are otherwise valid: two bad references, both reported
    p = write(tmp_path, "refs.yaml", GOOD.replace("lead: [police]", "lead: [polise, ofice]"))
    assert [q.path for q in problems_of(p)] == ["sections[1].tasks[0].lead[0]", "sections[1].tasks[0].lead[1]"]


def test_missing_file_folder_and_non_utf8(tmp_path):
    r = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert r.exit_code == 1 and "nope.yaml: file not found" in r.output
    (prob,) = problems_of(tmp_path)                      # a folder given where a file is expected
    assert "folder" in prob.message
    p = tmp_path / "gbk.yaml"
    p.write_bytes("title: 冬季防火\n".encode("gbk"))
    r = run_cli("validate", str(p))
    assert r.exit_code == 1
    assert "gbk.yaml:1: the file is not UTF-8 text" in r.output and "UTF-8" in r.output
    empty = tmp_path / "empty"
    empty.mkdir()
    r = _python_cli("validate", str(empty), cwd=tmp_path)  # raised outside the command: handled by main()
    assert r.returncode == 1
    assert "no .yaml, .yml or .json files" in r.stderr and "Traceback" not in r.stderr


def test_date_like_deadline_must_be_a_real_date(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text(GOOD.replace("deadline: 2024-06-30", "deadline: 2024-06-31"), encoding="utf-8")
    assert "deadline: 2024-06-31" in f.read_text(encoding="utf-8")
    with pytest.raises(ValidationFailed) as e:
        load_document(f)
    (p,) = e.value.problems
    assert p.path.endswith(".deadline") and p.line is not None
    assert "looks like a date but is not one" in p.message


def test_yaml_line_folding_inside_chinese_leaves_no_space(tmp_path):
    f = tmp_path / "fold.yaml"
    f.write_text("kind: program\ntitle: 测试\ndate: 2024-01-02\npreamble:\n"
                 "  - 为切实做好今冬明春火灾\n    防控工作，制定本方案。\n"
                 "  - {zh: \"消防\\n  安全\", en: \"fire\\nsafety\"}\n", encoding="utf-8")
    doc = load_document(f)
    assert doc.preamble[0] == "为切实做好今冬明春火灾防控工作，制定本方案。"
    assert doc.preamble[1].zh == "消防安全"
    assert doc.preamble[1].en == "fire\nsafety"  # English keeps its whitespace


def test_task_target_and_phase_ids_must_be_unique(tmp_path):
    """Reports refer to these ids: a duplicate would silently merge two items' progress."""
    text = (GOOD.replace("{indicator: {zh: 整改率", "{id: rate, indicator: {zh: 整改率")
                .replace("target: 95, unit: \"%\"}", "target: 95, unit: \"%\"}\n"
                         "      - {id: rate, indicator: {zh: 覆盖率, en: Coverage}, target: 90}")
                .replace("      - title: {zh: 排查隐患", "      - id: inspect\n        title: {zh: 排查隐患")
            + "        items:\n          - {id: inspect, title: {zh: 复查, en: Re-inspect}}\n"
            + "  - type: phases\n    phases:\n      - {id: p, name: {zh: 部署, en: Launch}}\n"
            + "      - {id: p, name: {zh: 总结, en: Review}}\n")
    p = write(tmp_path, "dup.yaml", text)
    probs = problems_of(p)
    assert [(q.path, q.message) for q in probs] == [
        ("sections[0].targets[1].id", "target id 'rate' is used twice (also sections[0].targets[0])"),
        ("sections[1].tasks[0].items[0].id", "task id 'inspect' is used twice (also sections[1].tasks[0])"),
        ("sections[2].phases[1].id", "phase id 'p' is used twice (also sections[2].phases[0])"),
    ]
    lines = text.splitlines()
    assert probs[0].line == next(i for i, ln in enumerate(lines, 1) if "覆盖率" in ln)
    assert probs[2].line == next(i for i, ln in enumerate(lines, 1) if "总结" in ln)


def test_unit_ids_used_includes_the_office_staff_units(tmp_path):
    text = (GOOD.replace("  - {id: police", "  - {id: fire, zh: 测试消防站, en: Test Fire Station}\n"
                                             "  - {id: gov, zh: 测试街道, en: Test Street}\n  - {id: police")
            + "  - type: leadership\n    office:\n      unit: office\n"
            + "      director: {name: 张三, unit: fire}\n      deputy_directors: [{name: 李四, unit: gov}]\n")
    doc = load_document(write(tmp_path, "office.yaml", text))
    assert doc.unit_ids_used() == ["office", "police", "fire", "gov"]


def test_unquoted_comma_in_a_flow_mapping_says_to_quote(tmp_path):
    # issue 10 item 13: {title: a, text: b, c} gave "unknown field 'c'"
    f = tmp_path / "flow.yaml"
    f.write_text("kind: program\ntitle: 测试\ndate: 2023-03-05\nsections:\n  - type: requirements\n    items:\n"
                 "      - {title: 甲, text: 加强巡查, 及时整改}\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["validate", str(f)])
    assert r.exit_code == 1
    assert "flow.yaml:7:32: sections[0].items[0].及时整改: '及时整改' after a comma was read as a field" in r.output
    assert 'quote the text: text: "…, 及时整改"' in r.output
    assert "unknown field" not in r.output


def test_validate_warns_when_the_document_number_is_not_printed(tmp_path):
    # issue 10 item 1: letterhead: false drops the 版头 and with it the document number
    src = (Path(__file__).parents[1] / "corpus" / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    f = tmp_path / "w.yaml"
    f.write_text(src + "letterhead: false\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["validate", str(f)])
    assert r.exit_code == 0
    assert "the document number will not be printed" in r.output
    r = CliRunner().invoke(cli, ["lint", str(f)])
    assert "[letterhead] warning: the document number will not be printed" in r.output
