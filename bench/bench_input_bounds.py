"""Each reader of user input against the size of its input: time and peak memory at 1×, 2×,
4× and 8× a base size, and the ratio of the largest to the smallest (linear: time ratio near 8,
not 64). Every measurement runs in a fresh process (peak memory is that process's maximum
resident size, the interpreter included).

    .venv/bin/python bench/bench_input_bounds.py [--quick]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
kind: program
title: {zh: 测试工作方案, en: Test Work Program}
units:
  - {id: office, zh: 测试办公室, en: Test Office}
  - {id: police, zh: 测试派出所, en: Test Police Station}
UNITS
issuers: [office]
date: 2024-05-06
sections:
  - type: tasks
    tasks:
TASKS
"""

# name → (base size, code that makes the input in `d` (a folder) for size `n` and measures reading it)
CASES: dict[str, tuple[int, str]] = {
    "validate: tasks": (1_000, """
        tasks = "".join(f"      - {{title: {{zh: 排查隐患{i}, en: Inspect {i}}}, lead: [police], deadline: 2024-06-30}}\\n"
                        for i in range(n))
        p = d / "f.yaml"; p.write_text(GOOD.replace("UNITS\\n", "").replace("TASKS\\n", tasks), encoding="utf-8")
        start()
        load_document(p)"""),
    "validate: unknown unit ids": (1_000, """
        units = "".join(f"  - {{id: unit{i}, zh: 单位{i}, en: Unit {i}}}\\n" for i in range(n))
        tasks = "".join(f"      - {{title: 任务{i}, lead: [nosuch{i}]}}\\n" for i in range(n))
        p = d / "f.yaml"; p.write_text(GOOD.replace("UNITS\\n", units).replace("TASKS\\n", tasks), encoding="utf-8")
        start()
        try:
            load_document(p)
        except WorkplanError:
            pass"""),
    "validate: aliases": (2_500, """
        text = GOOD.replace("UNITS\\n", "").replace("TASKS\\n", "      - {title: t, lead: [&p police], cooperating: ["
                            + ", ".join(["*p"] * n) + "]}\\n")
        p = d / "f.yaml"; p.write_text(text, encoding="utf-8")
        start()
        load_document(p)"""),
    "validate: stacked marks": (250_000, """
        text = GOOD.replace("UNITS\\n", "").replace("TASKS\\n", "      - {title: t, lead: [police]}\\n")
        text += "preamble: [" + ", ".join(["a\\u0301 e\\u0302"] * n) + "]\\n"
        p = d / "f.yaml"; p.write_text(text, encoding="utf-8")
        start()
        try:
            load_document(p)
        except WorkplanError:
            pass"""),
    "import: text": (2_000, """
        p = d / "f.txt"
        p.write_text("关于做好冬季防火工作的通知\\n" + "".join(f"{i}. 各单位要对辖区开展全面排查，确保辖区火灾形势稳定。\\n" for i in range(n)),
                     encoding="utf-8")
        start()
        extract(p)"""),
    "import: docx paragraphs": (1_000, """
        import docx
        doc = docx.Document()
        for i in range(n):
            doc.add_paragraph(f"各单位要对辖区开展全面排查，确保辖区火灾形势稳定。第{i}条")
        p = d / "f.docx"; doc.save(p)
        start()
        extract(p)"""),
    "import: pdf runs on one line": (1_000, """
        p = pdf(d / "f.pdf", runs=n)
        start()
        extract(p)"""),
    "import: pdf pages": (100, """
        p = pdf(d / "f.pdf", pages=n)
        start()
        extract(p)"""),
}

DRIVER = textwrap.dedent('''
    import json, resource, sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from workplan.errors import WorkplanError
    from workplan.model import load_document
    from workplan.readers import extract
    from bench_input_bounds import GOOD
    sys.path.insert(0, str(Path(sys.argv[4]).parent / "tests"))
    from minipdf import make_pdf as pdf
    import warnings, logging
    logging.disable(logging.CRITICAL)
    d = Path(sys.argv[1]); n = int(sys.argv[2])
    t = [0.0]
    def start():
        t[0] = time.perf_counter()
''')


def measure(code: str, n: int) -> tuple[float, float]:
    body = DRIVER + textwrap.dedent(code) + textwrap.dedent('''
        seconds = time.perf_counter() - t[0]
        print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    ''')
    with tempfile.TemporaryDirectory() as d:
        script = Path(d) / "driver.py"
        script.write_text(body, encoding="utf-8")
        r = subprocess.run([sys.executable, str(script), d, str(n), "", str(ROOT / "bench")], capture_output=True,
                           text=True, cwd=ROOT, timeout=600)
        if r.returncode:
            raise SystemExit(r.stderr[-3000:])
        out = json.loads(r.stdout.strip().splitlines()[-1])
        return out["seconds"], out["rss_mb"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1× and 4× only")
    args = ap.parse_args()
    factors = (1, 4) if args.quick else (1, 2, 4, 8)
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'reader':<30} {'size':>9} " + " ".join(f"{f}× s / MB".rjust(16) for f in factors) + "  time ratio")
    for name, (base, code) in CASES.items():
        cells, times = [], []
        for f in factors:
            s, mb = measure(code, base * f)
            times.append(s)
            cells.append(f"{s:7.3f} / {mb:5.0f}".rjust(16))
        ratio = times[-1] / max(times[0], 1e-3)
        print(f"{name:<30} {base:>9,} " + " ".join(cells) + f"  {ratio:5.1f} (size ×{factors[-1]})")


if __name__ == "__main__":
    main()
