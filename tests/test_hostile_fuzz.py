"""Seeded fuzzing of the readers with hostile values and documents, in a child process capped at
2 GB of address space and a timeout: 0 tracebacks, 0 hangs, every refusal naming its file (and,
for data files, a line), no surely-bad input accepted. About 30 s."""
from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

from conftest import ROOT
from minipdf import make_pdf as _pdf
from test_input_bounds import GOOD

CAP = 2048 << 20

_DRIVER = r'''
import json, resource, sys, time, traceback, logging
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
logging.disable(logging.CRITICAL)
from workplan.errors import WorkplanError
from workplan.model import load_document
from workplan.lint import lint_file
from workplan.readers import read_file
out = []
for path in json.load(open(sys.argv[1])):
    for what in (("load",) if path.endswith(".yaml") else ("import", "lint")):
        t0 = time.perf_counter()
        try:
            if what == "load":
                load_document(path)
                r = {"outcome": "accepted"}
            elif what == "import":
                read_file(path)
                r = {"outcome": "accepted"}
            else:
                probs = lint_file(path)
                bad = [p for p in probs if getattr(p, "rule", "") == "invalid"]
                r = {"outcome": "refused" if bad else "accepted", "file": bad[0].file if bad else None,
                     "line": bad[0].line if bad else None}
        except WorkplanError as e:
            p = e.problems[0]
            r = {"outcome": "refused", "file": p.file, "line": p.line, "message": e.format()[:300]}
        except BaseException as e:  # noqa: BLE001 - what the test looks for
            r = {"outcome": "traceback", "message": traceback.format_exc()[-1500:]}
        r.update(path=path, what=what, seconds=time.perf_counter() - t0)
        out.append(r)
print(json.dumps({"results": out, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
'''

# hostile values: (text, where it is surely refused: "any" slot, "number" (the target) only, "" nowhere)
_VALUES = [
    ("a" + "\u0301" * 3000, "any"), ("ก" + "\u0e49" * 500, "any"), ("👨" + "\u200d👨" * 300, "any"),
    ("x" + "\ufe0f" * 100, "any"), ("ᄀ" * 200, "any"), ("\u1ab0" * 50, "any"), ('"\\0"', "any"),
    ('"\\e]0;t\\a"', "any"), ('"\\x85x"', "any"), ('"\\u202e"', "any"), ("!!binary aGk=", "any"),
    ("9" * 5000, "any"), ("0x" + "f" * 600, "any"), (".nan", "any"), (".inf", "any"), ("1e400", "number"),
    ("NaN", "number"), ("0", ""), ("😀", "any"), ("ภาษาไทย", "any"), ("W" * 5000, "any"), ("'普通文本'", ""),
    ("二〇二四年十三月一日", ""), ("-1", ""), ('"\\ud83d"', "any"), ("*nosuch", "any"), ("&a [*a]", "any"),
]
_SLOTS = [("title: {zh: 测试工作方案, en: Test Work Program}", "title: {zh: V, en: Test}", "title"),
          ("{indicator: {zh: 整改率, en: Rectification rate}, target: 95", "{indicator: {zh: 整改率, en: E}, target: V",
           "target"),
          ("title: {zh: 排查隐患, en: Inspect for hazards}", "title: {zh: V, en: x}", "task"),
          ("deadline: 2024-06-30", "deadline: V", "deadline"), ("date: 2024-05-06", "date: V", "date")]


def _values(rnd: random.Random) -> list[tuple[str, bytes, bool]]:
    out = []
    for _ in range(120):
        value, where = rnd.choice(_VALUES)
        old, new, slot = rnd.choice(_SLOTS)
        text = GOOD.replace(old, new.replace("V", value))
        surely = where == "any" or (where == "number" and slot == "target")
        out.append((f"value-{slot}", text.encode(), surely))
    big = "长" * 20_000
    for n in (10, 200, 2000):
        out.append(("alias-text", (GOOD + f"notes: &n {big}\nx: [" + ", ".join(["*n"] * n) + "]\n").encode(), n > 100))
    return out


def _documents(rnd: random.Random, tmp: Path) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    base_pdf = _pdf(tmp / "base.pdf", pages=3).read_bytes()
    for i in range(20):  # byte-level damage to a PDF
        b = bytearray(base_pdf)
        for _ in range(rnd.randrange(1, 20)):
            j = rnd.randrange(len(b))
            b[j] = rnd.randrange(256)
        if i % 5 == 0:
            b = b[: rnd.randrange(len(b))]
        out.append(("pdf-damaged.pdf", bytes(b)))
    bomb = zlib.compress(b"\0" * (64 << 20), 9)
    out += [("pdf-self-length.pdf", base_pdf.replace(b"<< /Length ", b"<< /Length 4 0 R /X ", 1)),
            ("pdf-flate.pdf", base_pdf.replace(b"<< /Length ", b"<< /Filter /FlateDecode /Length %d >>\nstream\n"
                                               % len(bomb) + bomb + b"\nendstream\nendobj\n98 0 obj\n<< /Length ", 1)),
            ("pdf-contents.pdf", base_pdf.replace(b"/Contents 5 0 R", b"/Contents [" + b"5 0 R " * 20_000 + b"]")),
            ("pdf-runs.pdf", _pdf(tmp / "runs.pdf", runs=10_500).read_bytes()),
            ("pdf-pages.pdf", _pdf(tmp / "pages.pdf", pages=1_200).read_bytes())]
    good_docx = next((ROOT / "tests" / "import_cases").rglob("*.docx"))
    with zipfile.ZipFile(good_docx) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    for i in range(16):  # damaged XML and numbering in a real .docx
        mutated = dict(parts)
        name = rnd.choice([n for n in parts if n.endswith(".xml")])
        data = bytearray(mutated[name])
        k = i % 3
        if k == 0:
            for _ in range(rnd.randrange(1, 10)):
                j = rnd.randrange(len(data))
                data[j] = rnd.choice(b"<>&\"'/ \x00\xff")
        elif k == 1:
            data = data.replace(b'w:val="', b'w:val="' + rnd.choice([b"1e9", b"-7", b"9" * 30, b"x"]), 3)
        else:
            data = data[: rnd.randrange(len(data))]
        mutated[name] = bytes(data)
        path = tmp / f"d{i}.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in mutated.items():
                z.writestr(n, d)
        out.append(("docx-damaged.docx", path.read_bytes()))
    for _ in range(10):  # text files of hostile bytes
        n = rnd.choice([0, 5, 500, 50_000])
        out.append(("txt-bytes.txt", bytes(rnd.randrange(256) for _ in range(n))))
    out += [("txt-controls.txt", "一、总则\n\x1b]0;pwned\x07正文\u202e内容\x00\n".encode() * 50),
            ("txt-longline.txt", ("很长的一行" * 40_000).encode()),
            ("zip-not-docx.docx", b"PK\x03\x04" + bytes(200)), ("empty.pdf", b"%PDF-1.4\n")]
    return out


def test_fuzz_hostile_values_and_documents_bounded(tmp_path, capsys):
    rnd = random.Random(20)
    paths, surely_bad = [], {}
    for i, (kind, data, bad) in enumerate(_values(rnd)):
        p = tmp_path / f"v{i:03d}-{kind}.yaml"
        p.write_bytes(data)
        paths.append(str(p))
        surely_bad[str(p)] = bad
    for i, (name, data) in enumerate(_documents(rnd, tmp_path)):
        p = tmp_path / f"doc{i:03d}-{name}"
        p.write_bytes(data)
        paths.append(str(p))
    (tmp_path / "list.json").write_text(json.dumps(paths))
    (tmp_path / "driver.py").write_text(_DRIVER)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, str(tmp_path / "driver.py"), str(tmp_path / "list.json"), str(CAP)],
                       capture_output=True, text=True, cwd=ROOT, timeout=240)
    wall = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout)
    results = report["results"]
    tracebacks = [x for x in results if x["outcome"] == "traceback"]
    unlocated = [x for x in results if x["outcome"] == "refused" and (
        x["file"] != x["path"] or (x["path"].endswith(".yaml") and not x["line"]))]
    accepted_bad = [x for x in results if x["outcome"] == "accepted" and surely_bad.get(x["path"])]
    worst = max(results, key=lambda x: x["seconds"])
    with capsys.disabled():
        print("\nhostile fuzz:", json.dumps({
            "inputs": len(paths), "runs": len(results), "tracebacks": len(tracebacks),
            "refused": sum(x["outcome"] == "refused" for x in results), "accepted_surely_bad": len(accepted_bad),
            "unlocated": len(unlocated), "worst_seconds": round(worst["seconds"], 2),
            "worst": Path(worst["path"]).name + ":" + worst["what"], "peak_rss_mb": report["maxrss_kb"] // 1024,
            "cap_mb": CAP >> 20, "wall_seconds": round(wall, 1)}))
    assert not tracebacks, "\n\n".join(f"{x['path']} {x['what']}\n{x['message']}" for x in tracebacks[:3])
    assert not accepted_bad, [Path(x["path"]).name for x in accepted_bad]
    assert not unlocated, [(Path(x["path"]).name, x.get("message")) for x in unlocated[:5]]
    assert worst["seconds"] < 30 and wall < 200
