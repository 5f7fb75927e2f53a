"""End-to-end behaviour of the `workplan` command as a user runs it (real subprocesses)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, corpus_files

WORKPLAN = [sys.executable, "-m", "workplan.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([*WORKPLAN, *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=300)


def test_build_whole_corpus_in_parallel(tmp_path):
    out = tmp_path / "out"
    r = run("build", str(ROOT / "corpus"), "-o", str(out), "--lang", "zh,en", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    files = corpus_files() + sorted((ROOT / "corpus").glob("*.json"))
    expected = {f"{f.stem}.{lang}.{fmt}" for f in files for lang in ("zh", "en") for fmt in ("docx", "pdf")}
    assert {p.name for p in out.iterdir()} == expected
    assert "Traceback" not in r.stderr
    assert f"{len(expected)} document(s) written" in r.stdout
    # no temporary files left behind
    assert not list(out.glob(".*.part"))


def test_bad_file_among_good_ones_writes_nothing_for_it(tmp_path, winter_file):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.yaml").write_bytes(winter_file.read_bytes())
    (src / "broken.yaml").write_text("kind: program\ntitle: [unclosed\n", encoding="utf-8")
    out = tmp_path / "out"
    r = run("build", str(src), "-o", str(out), "--format", "docx")
    assert r.returncode == 1
    assert "broken.yaml:3:1: not valid YAML" in r.stderr and "started at line 2, column 8" in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["good.zh.docx"]


MINIMAL = """\
kind: program
title: {zh: 测试工作方案, en: Test Work Program}
units:
  - {id: office, zh: 测试办公室, en: Test Office}
issuers: [office]
date: 2024-05-06
sections:
  - type: ideology
    paragraphs:
      - {zh: 坚持预防为主。, en: Prevention comes first.}
  - type: inspection
    paragraphs:
      - 督查结果纳入年度考核。
      - {zh: 每月通报一次。}
"""


def test_missing_translation_lists_paths_and_writes_nothing(tmp_path):
    f = tmp_path / "zh-only.yaml"
    f.write_text(MINIMAL, encoding="utf-8")
    out = tmp_path / "out"
    r = run("build", str(f), "-o", str(out), "--lang", "zh,en", "--format", "docx")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "sections[1].paragraphs[0]: no en text" in r.stderr
    assert "sections[1].paragraphs[1]: no en text" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists() or not list(out.iterdir())  # not even the zh file
    r = run("build", str(f), "-o", str(out), "--lang", "en", "--format", "docx", "--allow-missing")
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("warning:") == 2
    assert (out / "zh-only.en.docx").exists()


@pytest.mark.parametrize("args, needle", [
    (("build", "does-not-exist.yaml"), "does-not-exist.yaml: file not found"),
    (("validate", "does-not-exist.yaml"), "does-not-exist.yaml: file not found"),
    (("build", "corpus", "--lang", "fr"), "'fr' is not one of zh, en, zh-en"),
    (("build", "corpus", "--format", "odt"), "'odt' is not one of docx, pdf"),
])
def test_bad_invocations_are_explained(args, needle):
    r = run(*args)
    assert r.returncode != 0
    assert needle in r.stderr
    assert "Traceback" not in r.stderr


def test_schema_is_json_schema():
    r = run("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    kinds = {ref["$ref"].split("/")[-1] for ref in schema["anyOf"]}
    assert kinds == {"Document", "Report"}
    assert {"title", "date", "sections", "units"} <= set(schema["$defs"]["Document"]["properties"])


def test_help_teaches():
    r = run("build", "--help")
    assert r.returncode == 0
    for word in ("--lang", "--jobs", "--template", "--allow-missing", "Examples"):
        assert word in r.stdout


def test_archive_add_accepts_allow_missing(tmp_path):
    # archive add falls back like build --allow-missing, with a warning naming the language
    import subprocess
    import sys
    from conftest import CORPUS
    src = (CORPUS / "winter-fire-safety.yaml").read_text(encoding="utf-8")
    f = tmp_path / "w.yaml"
    f.write_text(src.replace("  en: Qingsong Community Work Program for Winter Fire Safety 2023\n", "", 1),
                 encoding="utf-8")
    arc = tmp_path / "arc"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "workplan.cli", *args, "--archive", str(arc)],
                              capture_output=True, text=True)
    assert run("archive", "init").returncode == 0
    r = run("archive", "add", str(f), "--lang", "en", "--format", "docx")
    assert r.returncode == 1 and "title: no en text" in r.stderr and "nothing was archived" in r.stderr
    r = run("archive", "add", str(f), "--lang", "en", "--format", "docx", "--allow-missing")
    assert r.returncode == 0, r.stderr
    assert "warning:" in r.stderr and "no English (en) text; using the Chinese text" in r.stderr
    assert r.stdout.strip().startswith("J001-")


def test_build_with_a_template_says_what_it_changes(tmp_path):
    # --template changes only the DOCX, and says so; a template without the WP styles is named
    # with what it lacks
    import subprocess
    import sys
    from docx import Document
    from conftest import CORPUS
    tpl = tmp_path / "plain.docx"
    Document().save(str(tpl))
    r = subprocess.run([sys.executable, "-m", "workplan.cli", "build", str(CORPUS / "winter-fire-safety.yaml"),
                        "-o", str(tmp_path / "out"), "--template", str(tpl)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "the template lacks the styles WP Body," in r.stderr and "WP Heading 2" in r.stderr
    assert "--template styles the Word files only; the PDFs keep the standard GB/T 9704 look" in r.stderr


def test_validate_reads_each_data_file_once(tmp_path, monkeypatch):
    """`validate` parses each file once: the letterhead check is located with the positions of
    that reading (it used to parse the file a second time for them)."""
    from click.testing import CliRunner

    import workplan.model.load as load
    import workplan.model.source as source
    from workplan.cli import cli
    src = tmp_path / "src"
    src.mkdir()
    for name in ("a.yaml", "b.yaml"):
        (src / name).write_text(MINIMAL, encoding="utf-8")
    reads: list[str] = []  # every parse of a data file goes through read_data
    real = load.read_data
    counted = lambda p, text=None: reads.append(Path(p).name) or real(p, text)  # noqa: E731
    monkeypatch.setattr(load, "read_data", counted)
    monkeypatch.setattr(source, "read_data", counted)
    r = CliRunner().invoke(cli, ["validate", str(src)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert sorted(reads) == ["a.yaml", "b.yaml"]
