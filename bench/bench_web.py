#!/usr/bin/env python
"""Web benchmark: 20 concurrent search and record requests against `workplan serve` on a
10,000-record archive, against a baseline measured in the same run.

1. **Archive.** N records (default 10,000) made cheaply, without rendering: each a small text
   file holding the Chinese text of one of the corpus documents, archived through the archive
   API in batches (bags, manifests, catalogue, event log: real records) with varied years,
   issuers, kinds and retention; the search index is built from the same texts. Reused with
   ``--archive DIR`` if it already holds the records.
2. **Server.** ``workplan serve --port 0 --workers 2`` (``--workers``/``--threads``: 2 processes
   of 8 waitress threads by default) on 127.0.0.1.
3. **Load.** A bounded local load generator (at most ``--requests`` requests and
   ``--seconds`` seconds; loopback only) keeps ``--concurrency`` (20) requests in flight:
   half search pages (``/search?q=…``, a Chinese word or two, a third of them with a year or
   kind filter: hits, snippets and facet counts), half record pages (``/records/<code>``).
4. **Baseline.** The same requests through the Python API directly, one at a time, in this
   process (``OpenIndex.search`` + ``facets`` for a search; ``show_dict`` with the site's
   per-record view of the log for a record): what the core costs without HTTP, templates or
   concurrency. The site is also measured one request at a time (its service time).

Prints p50/p95 per kind and overall, the ratio to the baseline, throughput and the load
average. Target: p95 under 100 ms for the site.

    .venv/bin/python bench/bench_web.py                       # 10,000 records in a temp dir
    .venv/bin/python bench/bench_web.py --archive /tmp/a10k   # build once, then reuse
    .venv/bin/python bench/bench_web.py --records 2000 --requests 1000
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workplan.archive import init_archive, open_archive  # noqa: E402

TARGET_P95_MS = 100.0
SOURCES = ["winter-fire-safety", "holiday-security", "home-safety-promotion", "safe-community-creation",
           "security-patrol", "six-peace-standards"]
WORDS = ["消防", "安全", "检查", "隐患", "社区", "宣传", "巡逻", "治安", "平安", "演练", "责任", "志愿者",
         "电动自行车", "燃气", "应急", "督查", "居民", "物业", "节日", "防火"]


ISSUERS = [("青松社区居委会", "QSSQ"), ("东湖街道办事处", "DHJD"), ("东湖消防救援站", "XFZ"), ("东湖派出所", "PCS"),
           ("青岚县公安局", "GAJ"), ("青岚县应急管理局", "YJJ"), ("柳岸社区居委会", "LASQ"), ("桃源街道办事处", "TYJD"),
           ("云溪镇人民政府", "YXZ"), ("枫林社区居委会", "FLSQ"), ("中共青岚县委政法委员会", "ZFW"), ("青岚县教育局", "JYJ")]
KINDS = ("program", "program", "program", "standards", "report")
RETENTIONS = ("Y", "D30", "D30", "D10")


def corpus_texts() -> list[dict]:
    """Title and Chinese/English text of each corpus program and standards document."""
    from workplan.model import load_document
    from workplan.search.extract import document_texts
    out = []
    for s in SOURCES:
        doc = load_document(ROOT / "corpus" / f"{s}.yaml")
        t = document_texts(doc)
        title = doc.title
        out.append({"title": getattr(title, "zh", None) or str(title), "title_en": getattr(title, "en", None),
                    "zh": t.get("zh", ""), "en": t.get("en", "")})
    return out


def build_archive(root: Path, n: int, batch: int = 250) -> None:
    """Records through the archive API (a small text file each: the document's Chinese text, as
    a legacy record), in batches as `workplan archive add` does; then the search index built
    straight from the same texts (no file is parsed twice)."""
    from workplan.archive.bag import Staging
    from workplan.ingest.files import prepare_files
    from workplan.search.backends import backend_class
    from workplan.search.extract import IndexDoc
    from workplan.search.index import SCHEMA_VERSION, IndexManager
    work = Path(tempfile.mkdtemp(prefix="bench-web-src-"))
    rng = random.Random(20240601)
    try:
        arc = init_archive(root, fonds="J001", name="青岚县档案馆")
        texts = corpus_texts()
        t0 = time.perf_counter()
        docs: list[IndexDoc] = []
        done = 0
        while done < n:
            staging = Staging(arc.tmp, "add-", shared=True)
            preps, metas = [], []
            for i in range(done, min(n, done + batch)):
                src = texts[i % len(texts)]
                year = rng.randint(2015, 2025)
                issuer, abbr = rng.choice(ISSUERS)
                units = [issuer] + [u for u, _ in rng.sample(ISSUERS, 2) if u != issuer]
                meta = {"title": f"{src['title']}（第{i}号）", "title_en": src["title_en"], "issuer": issuer,
                        "issuer_abbr": abbr, "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        "kind": rng.choice(KINDS), "doc_number": f"青岚发〔{year}〕{i}号",
                        "retention": rng.choice(RETENTIONS), "units": units, "langs": ["zh", "en"]}
                p = work / f"doc-{i:05d}.txt"
                p.write_text(src["zh"], encoding="utf-8")
                preps.append(prepare_files(arc, [p], staging=staging, **meta))
                metas.append((meta, src))
            recs = arc.store(preps, notify=False)  # one batch, as `workplan archive add` does
            staging.cleanup()
            for rec, (_meta, src) in zip(recs, metas):
                docs.append(IndexDoc(code=rec.code, title=rec.title, title_en=rec.title_en, date=rec.date.isoformat(),
                                     year=rec.year, kind=rec.kind, retention=rec.retention, issuer=rec.issuer,
                                     issuer_abbr=rec.issuer_abbr, doc_number=rec.doc_number, identity=rec.identity,
                                     units=list(rec.units), langs=["zh", "en"], text_zh=src["zh"], text_en=src["en"]))
            for f in work.iterdir():
                f.unlink()
            done += len(recs)
            print(f"\r  archived {done}/{n} ({done / (time.perf_counter() - t0):.0f}/s)", end="", file=sys.stderr,
                  flush=True)
        print(file=sys.stderr)
        t1 = time.perf_counter()
        mgr = IndexManager(root)
        be = backend_class("tantivy")(mgr.dir / "build-bench", create=True)
        be.add(docs)
        be.commit()
        be.close()
        mgr._write_meta({"schema_version": SCHEMA_VERSION, "backend": "tantivy", "build": "build-bench",
                         "records": len(docs)})
        print(f"  indexed {len(docs)} records in {time.perf_counter() - t1:.1f} s", file=sys.stderr)
        arc.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def count_records(root: Path) -> int:
    try:
        arc = open_archive(root)
    except Exception:  # noqa: BLE001
        return -1
    try:
        return sum(n for _, n in arc.catalogue.counts("year"))
    finally:
        arc.close()


def make_requests(root: Path, count: int, seed: int = 11) -> list[tuple[str, dict]]:
    """(kind, params): half searches (some filtered), half record pages (random codes)."""
    arc = open_archive(root)
    codes = arc.catalogue.codes()
    years = [y for y, _ in arc.catalogue.counts("year")]
    arc.close()
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if i % 2 == 0:
            q = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
            p = {"q": q}
            r = rng.random()
            if r < 0.2:
                p["year"] = str(rng.choice(years))
            elif r < 0.33:
                p["kind"] = rng.choice(("program", "standards"))
            out.append(("search", p))
        else:
            out.append(("record", {"code": rng.choice(codes)}))
    return out


def url_of(kind: str, p: dict) -> str:
    if kind == "search":
        return "/search?" + urlencode(p)
    return "/records/" + quote(p["code"])


def baseline(root: Path, reqs: list[tuple[str, dict]]) -> dict[str, list[float]]:
    """The same work through the Python API, one request at a time."""
    from workplan.archive.views import show_dict
    from workplan.search import open_index
    from workplan.web.site import EventsByRecord as _EventsByRecord  # the site's per-record view of the log
    events_of = _EventsByRecord()
    arc = open_archive(root)
    ix = open_index(root)
    times: dict[str, list[float]] = {"search": [], "record": []}
    try:
        for kind, p in reqs:
            t = time.perf_counter()
            if kind == "search":
                f = {k: v for k, v in p.items() if k != "q"}
                ix.search(p["q"], limit=10, **f)
                ix.facets(p["q"], **f)
            else:
                show_dict(arc, p["code"], events=lambda c: events_of(arc, c))
            times[kind].append((time.perf_counter() - t) * 1000)
    finally:
        ix.close()
        arc.close()
    return times


def start_server(root: Path, workers: int = 1, threads: int = 8) -> tuple[subprocess.Popen, int]:
    cmd = [sys.executable, "-m", "workplan.cli", "serve", "--archive", str(root), "--host", "127.0.0.1",
           "--port", "0", "--threads", str(threads), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, int(m.group(1))


def load(port: int, reqs: list[tuple[str, dict]], concurrency: int, seconds: float) -> tuple[dict, float, int]:
    """Keep ``concurrency`` requests in flight until the list is used up or time runs out."""
    lock = threading.Lock()
    it = iter(reqs)
    times: dict[str, list[float]] = {"search": [], "record": []}
    errors = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.monotonic() < deadline:
                with lock:
                    nxt = next(it, None)
                if nxt is None:
                    return
                kind, p = nxt
                t = time.perf_counter()
                try:
                    conn.request("GET", url_of(kind, p))
                    resp = conn.getresponse()
                    resp.read()
                    ok = resp.status == 200
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ok = False
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if ok:
                        times[kind].append(ms)
                    else:
                        errors[0] += 1
        finally:
            conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, time.perf_counter() - t0, errors[0]


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--archive", type=Path, help="build here once and reuse (default: a temporary folder)")
    ap.add_argument("--requests", type=int, default=2000, help="at most this many requests (default 2000)")
    ap.add_argument("--seconds", type=float, default=120.0, help="and at most this long (default 120 s)")
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2, help="`serve --workers` (default 2: one per core here)")
    ap.add_argument("--threads", type=int, default=8, help="`serve --threads` (default 8)")
    a = ap.parse_args()
    tmp = None
    root = a.archive
    if root is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
        root = tmp / "archive"
    try:
        have = count_records(root)
        if have != a.records:
            if have >= 0:
                raise SystemExit(f"{root} holds {have} records, not {a.records}: use another --archive")
            print(f"building a {a.records}-record archive in {root} …", file=sys.stderr)
            t = time.perf_counter()
            build_archive(root, a.records)
            print(f"  built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        reqs = make_requests(root, a.requests)
        warm = make_requests(root, 40, seed=5)
        base = baseline(root, warm + reqs[:400])  # a few warm-up requests, then a sample of the same mix
        base = {k: v[10:] for k, v in base.items()}
        proc, port = start_server(root, a.workers, a.threads)
        try:
            load(port, warm, 4, 30)  # warm every server thread's index handle
            seq, seq_wall, _ = load(port, reqs[-200:], 1, 60)  # one at a time: the service time
            times, wall, errors = load(port, reqs, a.concurrency, a.seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        loadavg = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
        done = sum(len(v) for v in times.values())
        print(f"\nweb benchmark: {a.records} records, {done} requests ({errors} errors) in {wall:.1f} s "
              f"with {a.concurrency} concurrent on {a.workers} worker process(es) × {a.threads} threads → {done / wall:.0f} requests/s; load average {' '.join(loadavg)}")
        seq_all = seq["search"] + seq["record"]
        print(f"one request at a time: p50 {pct(seq_all, .5):.1f} ms, p95 {pct(seq_all, .95):.1f} ms "
              f"(search p50 {pct(seq['search'], .5):.1f}, record p50 {pct(seq['record'], .5):.1f}) → "
              f"{len(seq_all) / seq_wall:.0f} requests/s")
        print(f"{'':<10}{'site p50':>10}{'site p95':>10}{'API p50':>10}{'API p95':>10}{'p95 ratio':>11}")
        allt = times["search"] + times["record"]
        allb = base["search"] + base["record"]
        for name, s, b in (("search", times["search"], base["search"]), ("record", times["record"], base["record"]),
                           ("all", allt, allb)):
            print(f"{name:<10}{pct(s, .5):>9.1f} {pct(s, .95):>9.1f} {pct(b, .5):>9.1f} {pct(b, .95):>9.1f} "
                  f"{pct(s, .95) / max(pct(b, .95), 1e-9):>10.1f}×")
        p95 = pct(allt, .95)
        print(f"site p95 {p95:.1f} ms: {'within' if p95 < TARGET_P95_MS else 'OVER'} the {TARGET_P95_MS:.0f} ms target"
              f" (the API baseline is sequential: the ratio includes HTTP, templates and {a.concurrency}-way "
              f"queueing on {os.cpu_count()} cores)")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
