"""Hostile input, second round: every reader of a user's file bounded by the named limits of
``workplan/limits.py``, every refusal located, layout in a capped child process, one bad file
never losing a batch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from minipdf import make_pdf
from test_input_bounds import GOOD, run, write
from test_model import problems_of
from workplan import limits
from workplan.errors import WorkplanError
from workplan.model import load_document

TITLE = "title: {zh: 测试工作方案, en: Test Work Program}"


def refused(tmp_path: Path, text: str, name: str = "f.yaml", seconds: float = 10) -> list:
    p = write(tmp_path, name, text)
    t0 = time.perf_counter()
    probs = problems_of(p)
    assert time.perf_counter() - t0 < seconds
    assert all(x.file == str(p) for x in probs)
    return probs


# --- 1. combining marks, joiners, selectors: any script -------------------------------------------------
@pytest.mark.parametrize("stack", [
    "a" + "\u0301" * 10_000,                 # Latin acute
    "e" + "\u1ab0" * 40,                     # combining diacritical marks extended
    "x" + "\u20d0" * 40,                     # marks for symbols
    "o" + "\ufe20" * 40,                     # half marks
    "ก" + "\u0e48\u0e49" * 20,               # Thai tone marks
    "क" + "\u093f\u0947" * 20,               # Devanagari vowel signs
    "👨" + "\u200d👨" * 20,                  # a zero-width-joiner sequence
    "a" + "\ufe0f" * 40,                     # variation selectors
    "a" + "\U000e0100" * 40,                 # supplementary variation selectors
    "ᄀ" * 40,                                # conjoining jamo
])
def test_stacked_marks_are_refused_at_their_line(tmp_path, stack):
    (prob,) = refused(tmp_path, GOOD.replace("排查隐患", "排查" + stack + "隐患"))
    assert prob.line == 15 and prob.column and f"more than {limits.MARKS_PER_CHAR}" in prob.message


@pytest.mark.parametrize("ok", ["Zoë Ångström", "naïve café", "ภาษาไทย ก่", "हिन्दी क्षत्रिय", "👨‍👩‍👧‍👦 👩🏽‍🤝‍👨🏻",
                                "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "a" + "\u0301" * limits.MARKS_PER_CHAR, "한국어"])
def test_real_text_of_any_script_is_no_stack(tmp_path, ok):
    assert limits.joining_run(ok) is None


@pytest.mark.parametrize("ok", ["Zoë Ångström", "naïve café", "Ωμέγα Щука", "★☆√①→°×", "a" + "\u0301" * 3, "한국어"])
def test_text_the_fonts_have_passes(tmp_path, ok):
    load_document(write(tmp_path, "f.yaml", GOOD.replace("排查隐患", "排查" + ok)))


@pytest.mark.parametrize("bad", ["😀", "ภาษาไทย", "हिन्दी", "🚒"])
def test_characters_no_font_has_are_refused_at_their_line(tmp_path, bad):
    (prob,) = refused(tmp_path, GOOD.replace("排查隐患", "排查" + bad))
    assert prob.line == 15 and "cannot be printed" in prob.message


def test_marks_check_is_linear():
    t0 = time.perf_counter()
    for text in ("中文测试" * 500_000, "😀" * 1_000_000, "a\u0301" * 1_000_000):
        assert limits.joining_run(text) is None
    assert time.perf_counter() - t0 < 5


# --- 2. aliases counted in characters after expansion ----------------------------------------------------
def test_an_aliased_long_text_is_refused_by_its_expanded_size(tmp_path):
    big = "长" * 20_000
    text = GOOD + f"notes: &n {big}\nx: [" + ", ".join(["*n"] * 2_000) + "]\n"
    (prob,) = refused(tmp_path, text, seconds=5)
    assert "characters of text" in prob.message and "alias" in prob.message and prob.line == 19


def test_twenty_thousand_aliases_of_a_small_value_validate_quickly(tmp_path):
    text = GOOD.replace("lead: [police]", "lead: [&p police]\n        cooperating: [" + ", ".join(["*p"] * 20_000) + "]")
    p = write(tmp_path, "f.yaml", text)
    t0 = time.perf_counter()
    doc = load_document(p)
    assert time.perf_counter() - t0 < 10
    assert len(doc.sections[1].tasks[0].cooperating) == 20_000


# --- 3. unknown unit ids: linear --------------------------------------------------------------------------
def test_unknown_unit_ids_are_checked_in_linear_time(tmp_path):
    def make(n):
        units = "".join(f"  - {{id: unit{i}, zh: 单位{i}, en: Unit {i}}}\n" for i in range(n))
        tasks = "".join(f"      - {{title: 任务{i}, lead: [nosuch{i}]}}\n" for i in range(n))
        return (GOOD.replace("units:\n", "units:\n" + units)) + tasks

    times = {}
    for n in (1_000, 4_000):
        p = write(tmp_path, f"u{n}.yaml", make(n))
        t0 = time.perf_counter()
        probs = problems_of(p)
        times[n] = time.perf_counter() - t0
        assert len(probs) == limits.PROBLEMS_SHOWN + 1 and "more references" in probs[-1].message
        assert probs[0].line and "nosuch" in probs[0].message
    assert times[4_000] < 20 and times[4_000] < 8 * times[1_000] + 2, times


# --- 4. numbers of absurd size ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["9" * 5_000, "0x" + "f" * 5_000, "-" + "1" * 4_400, "0" + "7" * 100,
                                   "1" + "0" * 30 + ".5"])
def test_huge_numbers_are_refused_with_a_message(tmp_path, value):
    (prob,) = refused(tmp_path, GOOD.replace("target: 95", f"target: {value}"))
    assert prob.line == 12 and ("digits" in prob.message or "too large" in prob.message)


def test_huge_numbers_in_json_are_refused(tmp_path):
    data = {"kind": "program", "title": "t", "date": "2024-01-01", "units": [], "sections": [
        {"type": "objectives", "targets": [{"indicator": "x", "target": 0}]}]}
    text = json.dumps(data).replace('"target": 0', '"target": ' + "7" * 5_000)
    (prob,) = refused(tmp_path, text, "f.json")
    assert prob.line == 1 and "digits" in prob.message
    r = run("validate", str(tmp_path / "f.json"))
    assert r.returncode == 1 and "Traceback" not in r.stderr


# --- 5. control characters after escapes; !!binary -------------------------------------------------------
@pytest.mark.parametrize("escaped", ['"测试\\0方案"', '"\\e]0;X\\a"', '"a\\x9bb"', '"a\\u202eb"', '"\\N"', "a\u202eb",
                                    '"a\\u2066b"', "!!binary aGVsbG8="])
def test_control_characters_from_escapes_are_refused_located(tmp_path, escaped):
    (prob,) = refused(tmp_path, GOOD.replace("title: {zh: 排查隐患, en: Inspect for hazards}",
                                             f"title: {{zh: 排查隐患, en: {escaped}}}"))
    assert prob.line == 15 and prob.column


def test_terminal_output_is_escaped(tmp_path):
    assert limits.printable("a\x1b]0;X\x07b\u202ec\x9bd\ne") == "a\\u001b]0;X\\u0007b\\u202ec\\u009bd\ne"
    p = write(tmp_path, "t\x1b]0;pwned\x07.yaml", "title: [")
    r = run("validate", str(p))
    assert r.returncode == 1 and "\x1b" not in r.stderr and "\x07" not in r.stderr and "\\u001b]0;pwned" in r.stderr


# --- 6. numbers that are not finite ---------------------------------------------------------------------
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", ".nan", ".inf", "-.Inf", "nan", "1e16"])
def test_not_finite_or_absurd_targets_are_refused(tmp_path, value):
    (prob,) = refused(tmp_path, GOOD.replace("target: 95", f"target: {value}"))
    assert prob.line == 12


# --- 8. dates, deadlines, serials, special files, JSON escapes, paths in messages ------------------------
@pytest.mark.parametrize("old,new", [("date: 2024-05-06", "date: 0"), ("date: 2024-05-06", "date: 1900-01-01"),
                                     ("date: 2024-05-06", "date: 20240506"),
                                     ("deadline: 2024-06-30", "deadline: ２０２４年１３月１日前"),
                                     ("deadline: 2024-06-30", "deadline: 二〇二四年十三月一日前"),
                                     ("deadline: 2024-06-30", "deadline: 二〇二四年二月三十日"),
                                     ("deadline: 2024-06-30", "deadline: ２０２４－０２－３０"),
                                     ("deadline: 2024-06-30", "deadline: 1900-01-01")])
def test_impossible_dates_are_refused(tmp_path, old, new):
    probs = refused(tmp_path, GOOD.replace(old, new))
    assert any(p.line for p in probs), [p.format() for p in probs]


@pytest.mark.parametrize("deadline", ["二〇二四年十二月三十一日前", "２０２４年６月底前", "1949-10-01"])
def test_real_deadlines_in_any_digits_pass(tmp_path, deadline):
    load_document(write(tmp_path, "f.yaml", GOOD.replace("deadline: 2024-06-30", f"deadline: {deadline}")))


def test_a_word_no_line_can_hold_is_refused(tmp_path):
    (prob,) = refused(tmp_path, GOOD.replace("date: 2024-05-06", "date: 2024-05-06\npreamble: [" + "Feuerwehr" * 2_200 + "]"))
    assert prob.line == 8 and "without a space" in prob.message


def test_a_huge_serial_is_refused(tmp_path):
    for number in ["{prefix: 测试发, year: 2024, serial: " + "9" * 4_000 + "}", "测试发〔2024〕" + "9" * 4_000 + "号"]:
        probs = refused(tmp_path, GOOD.replace("date: 2024-05-06", f"date: 2024-05-06\ndoc_number: {number}"))
        assert probs[0].line == 8


def test_special_files_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    report = (ROOT / "corpus" / "report-winter-fire-safety.yaml").read_text(encoding="utf-8")
    rep = write(tmp_path, "r.yaml", report.replace("program: winter-fire-safety.yaml", "program: fifo.yaml"))
    r = run("validate", str(fifo), str(zero), str(rep), timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "named pipe (FIFO)" in r.stderr and "a device" in r.stderr
    assert r.stderr.count("FIFO") >= 2  # the report's program too
    r = run("import", str(tmp_path / "zero.txt"), "-o", str(tmp_path / "o"), timeout=60) if (
        (tmp_path / "zero.txt").symlink_to("/dev/zero") or True) else None
    assert r.returncode == 1 and "a device" in r.stderr and "Traceback" not in r.stderr
    r = run("lint", str(fifo), timeout=60)
    assert r.returncode == 1 and "FIFO" in r.stderr


def test_json_with_surrogate_pair_escapes_is_read(tmp_path):
    data = {"kind": "program", "title": {"zh": "测试𠮷方案", "en": "Test 𠮷"}, "date": "2024-01-01",
            "units": [{"id": "a", "zh": "甲", "en": "A"}], "issuers": ["a"], "sections": []}
    text = json.dumps(data)
    assert "\\ud842\\udfb7" in text  # 𠮷 (U+20BB7, beyond U+FFFF) as JSON writes it
    doc = load_document(write(tmp_path, "f.json", text))
    assert doc.title.zh == "测试𠮷方案"


def test_program_path_never_echoes_the_file(tmp_path):
    report = (ROOT / "corpus" / "report-winter-fire-safety.yaml").read_text(encoding="utf-8")
    secret = write(tmp_path, "secret.txt", "root:x:0:0:TOPSECRET:/root:/bin/bash\n" * 20)
    rep = write(tmp_path, "r.yaml", report.replace("program: winter-fire-safety.yaml", f"program: {secret}"))
    r = run("validate", str(rep))
    assert r.returncode == 1 and "TOPSECRET" not in r.stderr and "root:x" not in r.stderr


def test_a_key_yaml_reads_as_a_boolean_is_located_at_its_line(tmp_path):
    probs = refused(tmp_path, GOOD.replace("date: 2024-05-06", "date: 2024-05-06\nyes: 1"))
    assert [(p.line, p.column) for p in probs] == [(8, 1)] and "'yes'" in probs[0].message


def test_a_bad_date_does_not_hide_an_unknown_unit(tmp_path):
    probs = refused(tmp_path, GOOD.replace("date: 2024-05-06", "date: 2024-02-30").replace("lead: [police]",
                                                                                           "lead: [polcie]"))
    assert {p.line for p in probs} >= {7, 16}, [p.format() for p in probs]


def test_an_emoji_title_and_a_long_word_build_or_are_refused_cleanly(tmp_path):
    p = write(tmp_path, "e.yaml", GOOD.replace(TITLE, "title: {zh: 测试😀工作方案🚒, en: Test 😀 Program}"))
    r = run("build", str(p), "-o", str(tmp_path / "out"), timeout=300)
    assert r.returncode == 1 and "e.yaml:2:" in r.stderr and "cannot be printed" in r.stderr, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and "bug in" not in r.stderr and not (tmp_path / "out").exists() or \
        not any((tmp_path / "out").iterdir())
    p = write(tmp_path, "e.yaml", GOOD.replace("date: 2024-05-06", "date: 2024-05-06\npreamble: [" + "Feuerwehr" * 100
                                               + ", 防火" + "隐" * 19_000 + "]").replace("排查隐患", "排查隐患★\u200d√"))
    r = run("build", str(p), "-o", str(tmp_path / "out"), "--format", "pdf", timeout=300)
    assert "Traceback" not in r.stderr and "bug in" not in r.stderr, r.stderr[-2000:]
    assert r.returncode == 0 and (tmp_path / "out" / "e.zh.pdf").stat().st_size > 1000, r.stderr[-2000:]


# --- the capped child process: layout that exceeds its caps is a message; the batch goes on ------------
def _allocate(n: int) -> int:
    return len(bytearray(n))


def _sleep(s: float) -> None:
    time.sleep(s)


def _abort() -> None:
    os.abort()


def _fail() -> None:
    raise WorkplanError("a located failure")


@pytest.mark.parametrize("runner", ["_run_forked", "_run_served"])
def test_the_capped_child_reports_memory_time_and_crashes(runner):
    run_in = getattr(limits, runner)
    assert run_in(_allocate, (10 << 20,), 2048 << 20, 60) == 10 << 20
    with pytest.raises(limits.CapExceeded) as e:
        run_in(_allocate, (8 << 30,), 1024 << 20, 60)  # the cap is 1 GiB beyond what the child inherits
    assert "memory" in str(e.value)
    t0 = time.perf_counter()
    with pytest.raises(limits.CapExceeded) as e:
        run_in(_sleep, (60,), 1024 << 20, 1)
    assert "longer than" in str(e.value) and time.perf_counter() - t0 < 20
    with pytest.raises(limits.CapExceeded) as e:
        run_in(_abort, (), 1024 << 20, 60)
    assert "SIGABRT" in str(e.value)
    with pytest.raises(WorkplanError, match="a located failure"):
        run_in(_fail, (), 1024 << 20, 60)


_CRASHING = textwrap.dedent('''
    import os, sys
    import workplan.render as r
    real = r._write_language
    def crashing(doc, lang, order, outs, rdoc, source, *rest):
        if "bad" in source.name:
            os.abort()  # what Typst does when an allocation fails under the cap
        return real(doc, lang, order, outs, rdoc, source, *rest)
    r._write_language = crashing
    from workplan.cli import main
    sys.argv = ["workplan", *sys.argv[1:]]
    main()
''')


def test_one_crashing_layout_never_loses_the_batch(tmp_path):
    """build --jobs and archive add of several files: the file whose layout dies is named with a
    clear message, every other file is built and archived, exit 1, no traceback."""
    driver = write(tmp_path, "driver.py", _CRASHING)
    srcs = [write(tmp_path, f"{n}.yaml", GOOD.replace("测试工作方案", f"测试工作方案{n}")) for n in ("good1", "bad", "good2")]

    def cli(*args):
        return subprocess.run([sys.executable, str(driver), *args], capture_output=True, text=True, cwd=ROOT,
                              timeout=300, env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    r = cli("build", *map(str, srcs), "-o", str(tmp_path / "out"), "--jobs", "2", "--format", "pdf")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "bad.yaml" in r.stderr and "crashed (signal SIGABRT)" in r.stderr and "bug in" not in r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good1.zh.pdf", "good2.zh.pdf"]
    arc = tmp_path / "arc"
    assert cli("archive", "--archive", str(arc), "init").returncode == 0
    r = cli("archive", "--archive", str(arc), "add", *map(str, srcs), "--format", "pdf", "--jobs", "2")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "bad.yaml" in r.stderr, r.stderr
    listed = cli("archive", "--archive", str(arc), "list", "--json")
    assert sorted(x["title"] for x in json.loads(listed.stdout)) == ["测试工作方案good1", "测试工作方案good2"]


# --- 9. file names never written into YAML unquoted --------------------------------------------------------
def test_a_file_name_cannot_inject_yaml(tmp_path):
    name = "notes\nretention: Y\nnote: injected\nletterhead: false\n#.txt"
    src = tmp_path / name
    src.write_text("关于做好冬季防火工作的通知\n一、工作目标\n全面排查火灾隐患，确保辖区火灾形势稳定。\n二、工作措施\n"
                   "（一）开展隐患排查。各单位要对辖区开展全面排查。\n", encoding="utf-8")
    for other in ("cr\rretention: Y\r#.txt", "nel\x85retention: Y\x85#.txt", "ls\u2028retention: Y\u2028#.txt"):
        (tmp_path / other).write_bytes(src.read_bytes())
    out = tmp_path / "o"
    r = run("import", str(src), *(str(tmp_path / o) for o in ("cr\rretention: Y\r#.txt", "nel\x85retention: Y\x85#.txt",
                                                              "ls\u2028retention: Y\u2028#.txt")), "-o", str(out))
    assert "Traceback" not in r.stderr
    import yaml
    written = sorted(out.glob("*.yaml"))
    assert len(written) == 4, (r.stderr, written)
    for f in written:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert "retention" not in data and "note" not in data and "letterhead" not in data, f


# --- 10-13. documents: one error boundary, streaming zips, numbering, PDFs --------------------------------
def _docx(path: Path, document: bytes, numbering: bytes | None = None, *, lie: bool = False) -> Path:
    src = ROOT / "tests" / "import_cases"
    good = next(src.rglob("*.docx"))
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "word/document.xml":
                data = document
            elif info.filename == "word/numbering.xml" and numbering is not None:
                data = numbering
            out.writestr(info, data, zipfile.ZIP_DEFLATED)
    if lie:  # rewrite the sizes in the headers: 1,000 bytes declared
        raw = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("word/document.xml")
        import struct
        lh = info.header_offset
        struct.pack_into("<I", raw, lh + 22, 1000)
        i = 0
        while True:
            i = raw.find(b"PK\x01\x02", i)
            if i < 0:
                break
            n = struct.unpack_from("<H", raw, i + 28)[0]
            if raw[i + 46: i + 46 + n] == b"word/document.xml":
                struct.pack_into("<I", raw, i + 24, 1000)
            i += 4
        path.write_bytes(bytes(raw))
    return path


_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_a_zip_whose_headers_lie_is_refused_while_inflating(tmp_path):
    body = b"<w:document " + _W + b"><w:body>" + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 1_200_000 + b"</w:body></w:document>"
    p = _docx(tmp_path / "lie.docx", body, lie=True)
    assert p.stat().st_size < 3 << 20
    code = ("import resource,sys; resource.setrlimit(resource.RLIMIT_AS, (1<<30, 1<<30))\n"
            "from workplan.readers import read_file\nfrom workplan.errors import WorkplanError\n"
            "try:\n    read_file(sys.argv[1])\nexcept WorkplanError as e:\n    print(e.format())\n")
    r = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith(str(p)), r.stderr[-2000:]
    assert "unpacks to more than" in r.stdout or "damaged zip package" in r.stdout, r.stdout


def test_numbering_starts_are_bounded(tmp_path):
    numbering = (b"<w:numbering " + _W + b"><w:abstractNum w:abstractNumId=\"0\"><w:lvl w:ilvl=\"0\">"
                 b"<w:start w:val=\"START\"/><w:numFmt w:val=\"upperRoman\"/><w:lvlText w:val=\"%1.\"/></w:lvl>"
                 b"</w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>")
    para = (b"<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>"
            b"<w:r><w:t>\xe5\xb7\xa5\xe4\xbd\x9c\xe7\x9b\xae\xe6\xa0\x87</w:t></w:r></w:p>")
    body = b"<w:document " + _W + b"><w:body>" + para * 50 + b"</w:body></w:document>"
    for start in (b"1000000000", b"1e9", b"-5", b"99999999999999999999"):
        p = _docx(tmp_path / "n.docx", body, numbering.replace(b"START", start))
        t0 = time.perf_counter()
        r = run("lint", str(p))
        assert time.perf_counter() - t0 < 60 and "Traceback" not in r.stderr and "internal error" not in r.stderr
    from workplan.readers.docx import _roman
    assert _roman(1994) == "MCMXCIV" and _roman(10 ** 9) == str(10 ** 9)


def test_pdf_limits_refuse_early_and_runs_stay_linear(tmp_path):
    t0 = time.perf_counter()
    r = run("import", str(make_pdf(tmp_path / "long.pdf", pages=limits.PDF_PAGES + 500)), "-o", str(tmp_path / "o"))
    assert r.returncode == 1 and f"{limits.PDF_PAGES + 500:,} pages" in r.stderr and time.perf_counter() - t0 < 60
    from workplan.readers import extract
    times = {}
    for n in (2_000, 8_000):
        p = make_pdf(tmp_path / f"runs{n}.pdf", runs=n)
        t0 = time.perf_counter()
        extract(p)
        times[n] = time.perf_counter() - t0
    assert times[8_000] < 8 * times[2_000] + 2, times
    with pytest.raises(WorkplanError, match="pieces of text"):
        extract(make_pdf(tmp_path / "runs40k.pdf", runs=40_000))


@pytest.mark.parametrize("make", ["self_length", "flate_bomb", "many_contents", "garbage_stream"])
def test_lint_and_import_share_one_error_boundary(tmp_path, make):
    if make == "self_length":
        data = make_pdf(tmp_path / "x.pdf").read_bytes().replace(b"<< /Length ", b"<< /Length 4 0 R /X ", 1)
        data = data.replace(b"4 0 obj\n<< /Length 4 0 R", b"4 0 obj\n<< /Length 4 0 R", 1)
    elif make == "flate_bomb":
        import zlib
        bomb = zlib.compress(b"\0" * (256 << 20), 9)
        data = make_pdf(tmp_path / "x.pdf").read_bytes().replace(
            b"<< /Length ", b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb) + bomb
            + b"\nendstream\nendobj\n99 0 obj\n<< /Length ", 1)
    elif make == "many_contents":
        data = make_pdf(tmp_path / "x.pdf").read_bytes().replace(b"/Contents 5 0 R", b"/Contents [" + b"5 0 R " * 20_000 + b"]")
    else:
        data = make_pdf(tmp_path / "x.pdf").read_bytes().replace(b"BT /F1", b"\xff\xfe(((( BT /F1 <<<<", 1)
    p = write(tmp_path, f"{make}.pdf", data)
    for cmd in (("lint", str(p)), ("import", str(p), "-o", str(tmp_path / "o"), "--force")):
        r = run(*cmd, timeout=120)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr and "please report" not in r.stderr, \
            (cmd, r.stderr[-2000:])
        assert r.returncode in (0, 1)


def test_archive_list_and_show_escape_what_a_record_holds(tmp_path):
    from pypdf import PdfWriter
    w = PdfWriter()
    w.add_blank_page(595, 842)
    pdf = tmp_path / "legacy.pdf"
    w.write(str(pdf))
    arc = tmp_path / "arc"
    assert run("archive", "--archive", str(arc), "init").returncode == 0
    r = run("archive", "--archive", str(arc), "add", str(pdf), "--title", "通知\x1b]0;pwned\x07\u202e", "--issuer",
            "某单位", "--org", "MDW", "--date", "2019-11-02")
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip()
    for args in (("list",), ("show", code), ("list", "--json")):
        out = run("archive", "--archive", str(arc), *args)
        assert out.returncode == 0, out.stderr
        text = out.stdout + out.stderr
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, args
        assert "pwned" in text
    assert "通知\x1b]0;pwned\x07\u202e" in json.loads(run("archive", "--archive", str(arc), "list", "--json").stdout)[0]["title"]
