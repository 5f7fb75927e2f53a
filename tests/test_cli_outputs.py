"""Users' files and messages: named outputs are never overwritten without
--force, long file names and unwritable outputs are the user's problem, named as such, and a
search index that is a plain file is explained. Real commands on real files."""
from __future__ import annotations

import pytest

from test_archive import _no_search_hook, make_docs, root, run, tiny, write_doc  # noqa: F401 - fixtures


def no_traceback(r) -> None:
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr and "this is a bug" not in r.stderr, r.stderr


# --- 10. no overwriting without --force ----------------------------------------------------------------------
def test_named_outputs_are_not_overwritten_without_force(root, tmp_path, tiny):
    docs, pre = make_docs(tmp_path, tiny, [1])
    a = ["archive", "--archive", str(root)]
    run(*a, "add", str(docs[0]), "--from", str(pre), check=True)
    for args, name in [((*a, "export", "--year", "2024"), "t.zip"), (("schema",), "s.json"),
                       (("compile", "--archive", str(root), "--year", "2024", "--format", "docx"), "v.docx")]:
        out = tmp_path / name
        out.write_bytes(b"the user's own file")
        r = run(*args, "-o", str(out))
        assert r.returncode == 1 and "exists" in r.stderr and "--force" in r.stderr, (args, r.stderr)
        no_traceback(r)
        assert out.read_bytes() == b"the user's own file"
        r = run(*args, "-o", str(out), "--force")
        assert r.returncode == 0, (args, r.stderr)
        assert out.read_bytes() != b"the user's own file"


# --- 11. long file names ------------------------------------------------------------------------------------
BILINGUAL = """\
title: {{zh: 测试工作方案{n}, en: Test Work Program {n}}}
units:
  - {{id: office, zh: 测试办公室, en: Test Office, abbr: BGS}}
issuers: [office]
date: 2024-03-05
doc_number: 测办发〔2024〕{n}号
sections:
  - type: tasks
    tasks:
      - {{title: {{zh: 任务一, en: Task one}}, lead: [office]}}
"""


def test_a_248_character_file_name_is_shortened_safely(root, tmp_path):
    name = "a" * 243 + ".yaml"  # 248 characters: <stem>.zh-en.docx would be 254 bytes, .zh-en.pdf fits
    src = tmp_path / name
    src.write_text(BILINGUAL.format(n=1), encoding="utf-8")
    assert len(name) == 248
    out = tmp_path / "out"
    r = run("build", str(src), "-o", str(out), "--lang", "zh-en", "--format", "docx")
    assert r.returncode == 0, r.stderr
    no_traceback(r)
    (made,) = list(out.iterdir())
    assert len(made.name.encode()) <= 255 and made.name.endswith(".zh-en.docx")
    # the longest name a file can have: the outputs' names are shortened, keeping them apart
    src3 = tmp_path / ("b" * 250 + ".yaml")
    src3.write_text(BILINGUAL.format(n=3), encoding="utf-8")
    out3 = tmp_path / "out3"
    r = run("build", str(src3), "-o", str(out3), "--lang", "zh,zh-en", "--format", "docx")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out3.iterdir())
    assert len(names) == 2 and all(len(n.encode()) <= 255 and n.startswith("bbbbbbbb") for n in names)
    # two long names that differ only at the end stay two files
    src2 = tmp_path / ("a" * 249 + "b.yaml")
    src2.write_text(BILINGUAL.format(n=2), encoding="utf-8")
    src4 = tmp_path / ("a" * 250 + ".yaml")
    src4.write_text(BILINGUAL.format(n=4), encoding="utf-8")
    for s in (src2, src4):
        r = run("build", str(s), "-o", str(out), "--lang", "zh-en", "--format", "docx")
        assert r.returncode == 0, r.stderr
    assert len(list(out.iterdir())) == 3
    # archived with a built zh-en rendition: no traceback, no staging left behind, verify clean
    r = run("archive", "--archive", str(root), "add", str(src), "--lang", "zh-en", "--format", "docx")
    assert r.returncode == 0, r.stderr
    no_traceback(r)
    assert not any((root / "tmp").iterdir())
    r = run("archive", "--archive", str(root), "verify")
    assert r.returncode == 0, r.stderr


# --- 12. unwritable outputs -------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["below-a-file", "/proc/workplan-out", "/sys/workplan-out"])
def test_unwritable_output_is_the_users_problem(tmp_path, where):
    src = write_doc(tmp_path / "d.yaml")
    if where == "below-a-file":
        (tmp_path / "afile").write_text("x")
        where = str(tmp_path / "afile" / "out")
    r = run("build", str(src), "-o", where, "--format", "docx")
    assert r.returncode == 1
    no_traceback(r)
    assert "cannot write" in r.stderr and where.split("/")[1] in r.stderr and "hint" in r.stderr, r.stderr


# --- 13. a plain file where the search index belongs ---------------------------------------------------------------
def test_index_that_is_a_plain_file_is_explained(root, tmp_path):
    (root / "index").write_text("not an index")
    for args in (("search", "--archive", str(root), "消防"), ("search", "reindex", "--archive", str(root))):
        r = run(*args)
        assert r.returncode != 0
        no_traceback(r)
        assert "is a file" in r.stderr and "remove" in r.stderr and "no search index yet" not in r.stderr, r.stderr
        assert "check permissions" not in r.stderr and "check its permissions" not in r.stderr
    assert (root / "index").read_text() == "not an index"  # the user's file is left alone
