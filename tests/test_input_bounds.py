"""Hostile and careless input: every bad file gets a located message and a
non-zero exit, bounded in time and memory; never a traceback, never a silent acceptance.

The fuzz test at the end feeds a few hundred generated bad inputs to the loader in a child
process whose address space is capped with ``resource.setrlimit(RLIMIT_AS)``."""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, corpus_files
from test_model import GOOD as MODEL_GOOD
from test_model import problems_of
from workplan.model import load_document

# the model tests' sample, with a unit named in cc
GOOD = MODEL_GOOD.replace("date: 2024-05-06\n", "date: 2024-05-06\ncc: [police]\n")


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workplan.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env=dict(os.environ, PYTHONIOENCODING="utf-8"))


def test_the_good_sample_is_good(tmp_path):
    load_document(write(tmp_path, "good.yaml", GOOD))


# --- 5. alias bombs, deep nesting, size -------------------------------------------------------------
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8))


def test_alias_bomb_is_refused_quickly_with_a_located_error(tmp_path):
    p = write(tmp_path, "bomb.yaml", "title: t\ndate: 2024-01-01\n" + BOMB)
    assert len(p.read_bytes()) < 600
    t0 = time.perf_counter()
    (prob,) = problems_of(p)
    assert time.perf_counter() - t0 < 5
    assert "alias" in prob.message and prob.line is not None and prob.line >= 5 and prob.column
    # a few honest aliases are fine
    ok = GOOD.replace("lead: [police]", "lead: &l [police]\n        cooperating: *l")
    load_document(write(tmp_path, "ok.yaml", ok))


def test_deep_nesting_and_huge_files_are_refused(tmp_path):
    (prob,) = problems_of(write(tmp_path, "deep.yaml", "title: " + "[" * 500 + "]" * 500 + "\n"))
    assert "nested more than" in prob.message and prob.line == 1 and prob.column
    (prob,) = problems_of(write(tmp_path, "deeper.yaml", "title: " + "[" * 50000 + "]" * 50000 + "\n"))
    assert "nesting" in prob.message and prob.line == 1 and prob.column
    big = write(tmp_path, "big.yaml", b"title: t\n" + b"# " + b"x" * (11 << 20) + b"\n")
    (prob,) = problems_of(big)
    assert "MB" in prob.message and prob.file == str(big)


# --- 6. duplicate keys --------------------------------------------------------------------------------
def test_duplicate_keys_name_both_lines(tmp_path):
    p = write(tmp_path, "dup.yaml", GOOD.replace("date: 2024-05-06\n", "date: 2024-05-06\ncc: []\ndate: 2024-07-01\n"))
    probs = problems_of(p)
    by_line = {x.line: x for x in probs}
    assert 9 in by_line and "'date'" in by_line[9].message and "line 7" in by_line[9].message
    assert 10 in by_line and "'cc'" in by_line[10].message and "line 8" in by_line[10].message
    r = run("validate", str(p))
    assert r.returncode == 1 and f"{p}:9:1:" in r.stderr


# --- 7. typed values ------------------------------------------------------------------------------------
@pytest.mark.parametrize("old,new,where", [
    ("cc: [police]", "cc: [no_such_unit]", "cc[0]"),
    ("deadline: 2024-06-30", "deadline: 20__-01-01", "deadline"),
    ("deadline: 2024-06-30", "deadline: 99999-01-01", "deadline"),
    ("deadline: 2024-06-30", "deadline: 2024年13月1日", "deadline"),
    ("deadline: 2024-06-30", "deadline: XX月XX日前", "deadline"),
    ("deadline: 2024-06-30", "deadline: {zh: 整个冬季, en: TBD}", "deadline"),
])
def test_unknown_units_and_placeholder_deadlines_are_errors(tmp_path, old, new, where):
    probs = problems_of(write(tmp_path, "f.yaml", GOOD.replace(old, new)))
    assert any(where in (x.path or "") and x.line for x in probs), [x.format() for x in probs]


@pytest.mark.parametrize("deadline", ["整个冬季", "长期", "{zh: 长期坚持, en: Ongoing}", "{zh: 全年, en: All year}",
                                      "2024年6月底前", "6月30日前", "2024-06-30"])
def test_real_deadline_phrases_are_accepted(tmp_path, deadline):
    load_document(write(tmp_path, "f.yaml", GOOD.replace("deadline: 2024-06-30", f"deadline: {deadline}")))


# --- 8. absurd text lengths; title balancing stays fast -----------------------------------------------
def test_absurd_text_lengths_are_located_errors(tmp_path):
    p = write(tmp_path, "long.yaml", GOOD.replace("title: {zh: 测试工作方案, en: Test Work Program}",
                                                  "title: " + "很长的标题" * 200_000))
    t0 = time.perf_counter()
    (prob,) = problems_of(p)
    assert time.perf_counter() - t0 < 10
    assert prob.line == 2 and prob.path == "title" and "characters" in prob.message


# the one-pass constructor of plain documents (model/load.py _construct_plain) must read every file as
# the YAML library's own constructor does, and leave to it what it does not handle
_READS = ["a: 0x1F\nb: 0o17\nc: 1_000\nd: -0b101\ne: 190:20:30\nf: +12\ng: 012",
          "c: 1.5e3\nd: 6.8523015e+5\ne: 190:20:30.15\nf: -1.0",  # (.inf and .nan: refused, not read)
          "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: ~\ng: null\nh:\ni: Null",
          "- a\n- [b, {c: d}]\n- {}\n- []\n- ''", "'quoted': \"text\"\nplain: 2023-01-05\nt: 2001-12-14t21:59:43.10-05:00",
          "a: !!str 12\nb: !!int '12'\nc: !!float 1\nd: ! 12", "1: a\n2.5: b\nnull: c", "text", "- 1\n- 2",
          # left to the full constructor: aliases, merge keys, other tags, keys that read alike
          "x: &a [1, 2]\ny: *a", "base: &b {a: 1}\nc: {<<: *b, d: 2}", "- !!set {a, b}",
          "a: !!omap [x: 1]", "yes: 1\ntrue: 2", "1: a\ntrue: b"]


@pytest.mark.parametrize("text", _READS + [p.read_text(encoding="utf-8") for p in corpus_files()[:4]])
def test_plain_documents_read_as_the_yaml_library_reads_them(text):
    import math

    from workplan.model.load import _UNUSUAL, _construct_plain, _Loader, read_data

    def same(a, b):
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        return (math.isnan(a) and math.isnan(b)) if isinstance(a, float) and a != a else a == b

    loader = _Loader(text)
    node = loader.get_single_node()
    expected = loader.construct_document(node)
    loader.dispose()
    loader = _Loader(text)
    fast, dups, _ = _construct_plain(loader.get_single_node(), loader)
    loader.dispose()
    assert not dups
    unusual = text in _READS[_READS.index("x: &a [1, 2]\ny: *a"):]
    assert (fast is _UNUSUAL) == unusual
    assert same(read_data("t.yaml", text)[0], expected)
    if not unusual:
        assert same(fast, expected)


@pytest.mark.parametrize("where,limit", [("title: X", 200), ("title: {zh: X, en: a}", 200), ("subtitle: [X]", 200),
                                         ("units: [{id: a, name: X}]", 500), ("x: {unit: {zh: X}}", 500),
                                         ("sections: [{paragraphs: [{zh: X}]}]", 20_000), ("0: {title: X}", 500),
                                         ("X", 20_000), ("- {title: X}", 500)])
def test_length_limits_follow_the_nearest_key(where, limit):
    """A text just at its limit passes, one character more is a located error, whatever the
    path to it (the one-pass reading only looks; _check_lengths names the problem)."""
    from workplan.errors import ValidationFailed
    from workplan.model.load import read_data
    read_data("t.yaml", where.replace("X", "长" * limit))
    with pytest.raises(ValidationFailed) as e:
        read_data("t.yaml", where.replace("X", "长" * (limit + 1)))
    (prob,) = e.value.problems
    assert f"at most {limit:,}" in prob.message and prob.line == 1


def test_title_balancing_is_not_quadratic():
    from workplan.render.ir import balance_title
    title = "关于进一步加强冬季防火工作的实施方案"
    assert balance_title(title, 16) == "关于进一步加强冬季\n防火工作的实施方案"
    t0 = time.perf_counter()
    out = balance_title("防火安全" * 5000, 22)  # 20,000 characters
    assert time.perf_counter() - t0 < 10  # was cubic: more than an hour
    assert out.count("\n") >= 900 and max(len(x) for x in out.split("\n")) <= 22


# --- 9. NUL and other control bytes ------------------------------------------------------------------------
def test_nul_byte_gets_line_and_column(tmp_path):
    p = write(tmp_path, "nul.yaml", GOOD.replace("测试派出所", "测试\x00派出所"))
    (prob,) = problems_of(p)
    assert (prob.line, prob.column) == (5, 24) and "position" not in prob.message


# --- the fuzz test ------------------------------------------------------------------------------------------
FUZZ_MEMORY = 1536 << 20  # address-space cap of the child process (RLIMIT_AS)

_DRIVER = r'''
import json, resource, sys, time, traceback
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
from workplan.errors import WorkplanError
from workplan.model import load_document
out = []
for path in json.load(open(sys.argv[1])):
    t0 = time.perf_counter()
    try:
        load_document(path)
        r = {"outcome": "accepted"}
    except WorkplanError as e:
        p = e.problems[0]
        r = {"outcome": "refused", "message": e.format(), "file": p.file, "line": p.line}
    except BaseException as e:  # noqa: BLE001 - what the test looks for
        r = {"outcome": "traceback", "message": traceback.format_exc()}
    r.update(path=path, seconds=time.perf_counter() - t0)
    out.append(r)
print(json.dumps({"results": out, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''

FILE_LEVEL = ("the file is empty", "larger than", "expected a mapping of fields at the top")


def _mutants(rnd: random.Random) -> list[tuple[str, bytes, bool]]:
    """(kind, bytes, surely bad) — about 330 inputs."""
    corpus = [p.read_bytes() for p in corpus_files()]
    out: list[tuple[str, bytes, bool]] = []

    def lines_of(b: bytes) -> list[bytes]:
        return b.split(b"\n")
    for _ in range(250):  # mutated corpus files: may happen to stay valid
        src = rnd.choice(corpus)
        ls = lines_of(src)
        k = rnd.randrange(10)
        j = rnd.randrange(len(ls))
        if k == 0:
            del ls[j]
        elif k == 1:
            ls.insert(j, ls[rnd.randrange(len(ls))])  # often a duplicate key
        elif k == 2:
            ls[j] = ls[j][: rnd.randrange(len(ls[j]) + 1)]
        elif k == 3:
            ls[j] = b"\t" + ls[j]
        elif k == 4:
            ls.insert(j, bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 8))))
        elif k == 5:
            ls[j] = ls[j].replace(b": ", b": [", 1)
        elif k == 6:
            ls[j] = ls[j].replace(b": ", b": \x00", 1)
        elif k == 7:
            ls = ls[: j]
        elif k == 8:
            ls[j] = re.sub(rb"\d{4}-\d\d-\d\d", b"20__-13-45", ls[j])
        else:
            ls[j] = re.sub(rb"\[([a-z_]+)\]", b"[no_such_unit]", ls[j]) if b"[" in ls[j] else ls[j] + b" {"
        data = b"\n".join(ls)
        # a NUL, a placeholder date or an unknown unit id that made it in is surely an error
        out.append((f"mutated-{k}", data, data != src and (k in (6, 8) or b"no_such_unit" in data)))
    for n in (0, 1, 7, 100, 4096, 65536):  # random bytes
        for _ in range(5):
            out.append(("random-bytes", bytes(rnd.randrange(256) for _ in range(n)) if n else b"", True))
    for n in (99, 101, 500, 999, 5000, 100_000):  # deep nesting
        out += [("deep-list", b"title: " + b"[" * n + b"]" * n + b"\n", True),
                ("deep-map", b"title: t\nx: " + b"{a: " * n + b"1" + b"}" * n + b"\n", True),
                ("deep-block", b"title: t\n" + b"".join(b"  " * i + b"- \n" for i in range(min(n, 3000))), True)]
    for size in (600, 30_000, 1 << 20, 9 << 20, 11 << 20):  # huge scalars
        bad = size > 600  # 600 bytes: a long but acceptable control
        out += [("huge-title", b"title: " + "长".encode() * (size // 3) + b"\ndate: 2024-01-01\n", bad),
                ("huge-paragraph", b"title: t\ndate: 2024-01-01\npreamble: [" + b"x" * size + b"]\n", bad),
                ("huge-key", b"title: t\ndate: 2024-01-01\n" + b"k" * size + b": 1\n", True)]
    for width, depth in ((10, 9), (100, 4), (2, 40), (1000, 2), (5, 12)):  # alias bombs
        text = "title: t\ndate: 2024-01-01\nb0: &a0 [" + ", ".join(["x"] * width) + "]\n"
        for d in range(1, depth):
            text += f"b{d}: &a{d} [" + ", ".join([f"*a{d - 1}"] * width) + "]\n"
        out.append(("alias-bomb", text.encode(), True))
    out += [("alias-self", b"title: t\ndate: 2024-01-01\na: &a [1, *a]\n", True),
            ("alias-undefined", b"title: *nope\n", True),
            ("alias-map-self", b"title: t\ndate: 2024-01-01\na: &a {b: *a}\n", True)]
    good = GOOD.encode()
    for old, new in [(b"date: 2024-05-06", b"date: [2024]"), (b"date: 2024-05-06", b"date: 20240506"),
                     (b"kind: program", b"kind: [program]"), (b"issuers: [office]", b"issuers: office: x"),
                     (b"sections:", b"sections: 5\nx:"), (b"cc: [police]", b"cc: {a: b}"),
                     (b"cc: [police]", b"cc: [[[police]]]"), (b"lead: [police]", b"lead: 3.5"),
                     (b"title: {zh:", b"title: {zz:"), (b"units:", b"units: null\nu:"),
                     (b"kind: program", b"kind: !!python/object:os.system [echo]"),
                     (b"kind: program", b"kind: !!binary aGVsbG8="), (b"deadline: 2024-06-30", b"deadline: 9999999"),
                     (b"deadline: 2024-06-30", b"deadline: .nan"), (b"date: 2024-05-06", b"date: 2024-02-30")]:
        out.append(("wrong-type", good.replace(old, new, 1), True))
    out += [("top-level", t, True) for t in (b"- a\n- b\n", b"just text\n", b"42\n", b"null\n", b"---\n...\n",
                                             b"\xef\xbb\xbf", b"[1, 2", b"{", b"--- a\n--- b\n", b"%YAML 9.9\n---\n")]
    return out


def test_fuzz_no_traceback_located_messages_bounded_memory(tmp_path, capsys):
    rnd = random.Random(9)
    cases = _mutants(rnd)
    paths, surely_bad = [], {}
    for i, (kind, data, bad) in enumerate(cases):
        p = tmp_path / f"f{i:04d}-{kind}.yaml"
        p.write_bytes(data)
        paths.append(str(p))
        surely_bad[str(p)] = bad
    (tmp_path / "list.json").write_text(json.dumps(paths))
    (tmp_path / "driver.py").write_text(_DRIVER)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, str(tmp_path / "driver.py"), str(tmp_path / "list.json"), str(FUZZ_MEMORY)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    wall = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout)
    results = report["results"]
    tracebacks = [x for x in results if x["outcome"] == "traceback"]
    accepted = [x for x in results if x["outcome"] == "accepted"]
    refused = [x for x in results if x["outcome"] == "refused"]
    unlocated = [x for x in refused if not (x["file"] == x["path"] and (x["line"] or any(
        s in x["message"] for s in FILE_LEVEL)))]
    worst = max(results, key=lambda x: x["seconds"])
    summary = {"inputs": len(results), "surely_bad": sum(surely_bad.values()), "tracebacks": len(tracebacks), "refused": len(refused),
               "accepted": len(accepted), "accepted_surely_bad": sum(surely_bad[x["path"]] for x in accepted),
               "unlocated": len(unlocated), "worst_seconds": round(worst["seconds"], 3),
               "worst_input": Path(worst["path"]).name, "peak_rss_mb": round(report["maxrss_kb"] / 1024),
               "address_space_cap_mb": FUZZ_MEMORY >> 20, "wall_seconds": round(wall, 1)}
    by_kind: dict[str, list[int]] = {}
    for x in results:
        k = Path(x["path"]).stem.split("-", 1)[1]
        by_kind.setdefault(k, [0, 0])[x["outcome"] == "accepted"] += 1
    with capsys.disabled():
        print("\nfuzz:", json.dumps(summary))
        print("fuzz by kind [refused, accepted]:", json.dumps(by_kind))
    assert len(results) >= 300
    assert not tracebacks, "\n".join(x["path"] + "\n" + x["message"][-600:] for x in tracebacks)
    assert summary["accepted_surely_bad"] == 0, [Path(x["path"]).name for x in accepted if surely_bad[x["path"]]]
    assert not unlocated, [(Path(x["path"]).name, x["message"][:200]) for x in unlocated[:5]]
    assert worst["seconds"] < 10 and wall < 120
    # the command line on a sample: one non-zero exit, every bad file named, no traceback
    sample = [p for p in paths if surely_bad[p]][::6]
    r = subprocess.run([sys.executable, "-m", "workplan.cli", "validate", *sample], capture_output=True, text=True,
                       cwd=ROOT, timeout=300, env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert all(f"{p}" in r.stderr for p in sample)


def test_the_longest_title_allowed_builds(tmp_path):
    """The title limit stays below what the writers accept (DOCX core properties: 255 characters)."""
    from workplan.model.load import MAX_TITLE_CHARS
    title = ("关于进一步加强冬季防火工作的实施方案" * 20)[:MAX_TITLE_CHARS]
    src = write(tmp_path, "t.yaml", GOOD.replace("title: {zh: 测试工作方案, en: Test Work Program}",
                                                 f"title: {{zh: {title}, en: Test}}"))
    r = run("build", str(src), "-o", str(tmp_path / "out"), "--format", "docx", "--allow-missing")
    assert r.returncode == 0, r.stderr
    (prob,) = problems_of(write(tmp_path, "t2.yaml", GOOD.replace("测试工作方案", title + "长")))
    assert prob.path == "title.zh" and prob.line == 2 and f"at most {MAX_TITLE_CHARS}" in prob.message


def test_unknown_unit_in_a_reports_cc_is_an_error(tmp_path):
    corpus = ROOT / "corpus"
    (tmp_path / "winter-fire-safety.yaml").write_bytes((corpus / "winter-fire-safety.yaml").read_bytes())
    text = (corpus / "report-winter-fire-safety.yaml").read_text(encoding="utf-8")
    assert "cc: [fire_station]" in text
    p = write(tmp_path, "r.yaml", text.replace("cc: [fire_station]", "cc: [fire_statoin]"))
    (prob,) = problems_of(p)
    assert prob.path == "cc[0]" and prob.line and "fire_statoin" in prob.message and "fire_station" in prob.hint
