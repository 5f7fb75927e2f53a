#!/usr/bin/env python
"""Search benchmark: latency as the archive grows, the code of a baseline revision against this
code, in one run.

Builds N synthetic records (default 10,000; e.g. ``--records 50000,200000``) of realistic
length (~3,000 characters: about 2,200 Chinese characters and 800 of English) whose words are
drawn, Zipf-like, from the vocabulary of the corpus documents, so the term statistics look like
real work programs. The index is written directly from the synthetic records through the
backend (the archive's add path would take hours at these sizes; what is measured is the
index, not the archive). For each size it prints index time and size, and p50/p95 latency of
two-word, phrase and filtered queries (through the same API the CLI uses, with and without
snippets) for:

- ``before (REV)``: the code of each revision in ``--baseline-rev`` (default ``main``; several
  with commas, e.g. ``9e7ef45,main`` for the code before the pairs field and the last merged
  code), extracted with ``git archive`` and run in its own process;
- ``after``: this code (top page only; totals exact up to 1,000, estimated beyond);
- ``after, exact count``: this code with ``exact_count=True``.

Targets (tantivy): index ≤ 15 s per 10,000 records; p95 < 10 ms at 50,000 records and < 20 ms
at 200,000, snippets included. ``--backends tantivy,whoosh`` also runs whoosh (this code only).

    .venv/bin/python bench/bench_search.py                          # 10,000 records
    .venv/bin/python bench/bench_search.py --records 50000,200000
    .venv/bin/python bench/bench_search.py --records 2000 --backends tantivy,whoosh
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _baseline import baseline_src  # noqa: E402
# a worker process runs the code of another revision: its src/ comes first
sys.path.insert(0, os.environ.get("BENCH_SEARCH_SRC") or str(ROOT / "src"))

from workplan.search import open_index  # noqa: E402
from workplan.search.backends import backend_class  # noqa: E402
from workplan.search.extract import IndexDoc, document_texts  # noqa: E402
from workplan.search.index import SCHEMA_VERSION  # noqa: E402

TARGET_INDEX_S = 15.0


def target_p95(records: int) -> float:
    return 10.0 if records <= 50_000 else 20.0
KINDS = ("program", "program", "program", "standards", "report")
RETENTIONS = ("Y", "D30", "D30", "D10")
_FALLBACK_ZH = ("消防 安全 检查 隐患 排查 整治 社区 居民 宣传 教育 工作 方案 领导 小组 责任 落实 巡逻 防控 "
                "治安 平安 创建 网格 物业 志愿者 服务 电动自行车 充电 燃气 用电 演练 疏散 应急 预案 督查 考核").split()
_FALLBACK_EN = ("fire safety inspection hazard community residents publicity education work program leading group "
                "responsibility patrol prevention security peace creation grid property volunteer service "
                "electric bicycle charging gas electricity drill evacuation emergency plan supervision assessment").split()


def corpus_vocabulary() -> tuple[list[str], list[str]]:
    """Chinese words (jieba) and English words of the corpus documents, most frequent first."""
    import collections
    import logging
    import re

    import jieba
    jieba.setLogLevel(logging.WARNING)
    from workplan.model import load_document
    zh_count: collections.Counter = collections.Counter()
    en_count: collections.Counter = collections.Counter()
    for f in sorted((ROOT / "corpus").glob("*.yaml")):
        try:
            texts = document_texts(load_document(f))
        except Exception:
            continue
        for w in jieba.cut(texts.get("zh", "")):
            if re.fullmatch(r"[\u4e00-\u9fff]+", w):
                zh_count[w] += 1
        for w in re.findall(r"[A-Za-z]+", texts.get("en", "")):
            en_count[w.lower()] += 1
    zh = [w for w, _ in zh_count.most_common()] or _FALLBACK_ZH
    en = [w for w, _ in en_count.most_common()] or _FALLBACK_EN
    return zh, en


class Synth:
    def __init__(self, zh: list[str], en: list[str], seed: int = 20240601) -> None:
        self.rng = random.Random(seed)
        self.zh, self.en = zh, en
        # Zipf-like weights: frequent words are much more frequent
        self.zw = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(zh))))
        self.ew = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(en))))

    def zh_text(self, n_chars: int) -> str:
        out, size = [], 0
        while size < n_chars:
            words = self.rng.choices(self.zh, cum_weights=self.zw, k=self.rng.randint(6, 16))
            s = "".join(words) + self.rng.choice("，。；。。")
            out.append(s)
            size += len(s)
            if self.rng.random() < 0.15:
                out.append("\n")
        return "".join(out)

    def en_text(self, n_chars: int) -> str:
        out, size = [], 0
        while size < n_chars:
            words = self.rng.choices(self.en, cum_weights=self.ew, k=self.rng.randint(8, 20))
            s = " ".join(words).capitalize() + ". "
            out.append(s)
            size += len(s)
        return "".join(out)

    def doc(self, i: int) -> IndexDoc:
        r = self.rng
        year = r.randint(2015, 2025)
        units = r.sample(self.zh[:400], 4)
        unit_names = [u + r.choice(("局", "办公室", "社区居委会", "派出所", "大队", "中心")) for u in units]
        title = "".join(r.choices(self.zh[:300], k=4)) + "工作方案"
        return IndexDoc(
            code=f"J001-WS·{year}-D30-SYN-{i:05d}", title=title, title_en=self.en_text(60).strip(),
            date=f"{year}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", year=year,
            kind=r.choice(KINDS), retention=r.choice(RETENTIONS), issuer=unit_names[0],
            doc_number=f"合成发〔{year}〕{i}号", identity=f"syn-{i}", version=1, current=True,
            units=unit_names, unit_ids=[f"u{r.randint(0, 300)}" for _ in units], langs=["zh", "en"],
            text_zh=self.zh_text(2200), text_en=self.en_text(800))


def queries(synth: Synth, docs: list[IndexDoc], n: int) -> dict[str, list[str]]:
    r = random.Random(7)
    mid_zh = synth.zh[20:600] or synth.zh
    mid_en = synth.en[20:400] or synth.en
    two = [f"{r.choice(mid_zh)} {r.choice(mid_zh)}" if i % 3 else f"{r.choice(mid_zh)} {r.choice(mid_en)}"
           for i in range(n)]
    phrase = []
    for _ in range(n):
        t = r.choice(docs).text_zh.replace("\n", "")
        k = r.randint(4, 8)
        s = r.randrange(0, max(1, len(t) - k))
        phrase.append(f'"{t[s:s + k]}"')
    filtered = [f"{r.choice(mid_zh)} year:{r.randint(2015, 2025)} kind:{r.choice(KINDS)}" for _ in range(n)]
    return {"two-word": two, "phrase": phrase, "filtered": filtered}


def _cpu() -> float:
    """CPU seconds used by this process and its threads (less disturbed by other load than wall time)."""
    t = os.times()
    return t.user + t.system


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def run_backend(name: str, docs: list[IndexDoc], qsets: dict[str, list[str]], workdir: Path,
                modes: tuple[str, ...] = ("default",)) -> dict:
    root = workdir / name
    build = root / "index" / "build-bench"
    cls = backend_class(name)
    load_index = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), _cpu()
    be = cls(build, create=True)
    for i in range(0, len(docs), 5000):
        be.add(docs[i:i + 5000])
    be.commit()
    be.close()
    index_s, index_cpu = time.perf_counter() - t0, _cpu() - c0
    (root / "index" / "meta.json").write_text(json.dumps(
        {"schema_version": SCHEMA_VERSION, "backend": name, "build": "build-bench", "records": len(docs)}))
    ix = open_index(root)
    out = {"backend": name, "records": len(docs), "index_s": index_s, "index_cpu": index_cpu,
           "size_mb": dir_size(build) / 1e6, "load_index": load_index, "load": os.getloadavg()[0], "runs": {}}
    for mode in modes:
        opts = {"exact_count": True} if mode == "exact" else {}
        lat, cpu, hits, exact = {}, {}, {}, {}
        for kind, qs in qsets.items():
            for snip in (False, True):
                ix.search(qs[0], limit=10, snippets=snip, **opts)  # warm
                times, cpus, n, n_exact = [], [], 0, 0
                for q in qs:
                    t, c = time.perf_counter(), time.process_time()
                    res = ix.search(q, limit=10, snippets=snip, **opts)
                    times.append((time.perf_counter() - t) * 1000)
                    cpus.append((time.process_time() - c) * 1000)
                    n += res.total
                    n_exact += getattr(res, "total_is_exact", True)
                key = f"{kind}{' +snip' if snip else ''}"
                lat[key] = (pct(times, 50), pct(times, 95))
                cpu[key] = (pct(cpus, 50), pct(cpus, 95))
                hits[kind] = n / len(qs)
                exact[kind] = n_exact / len(qs)
        out["runs"][mode] = {"latency": lat, "cpu": cpu, "hits": hits, "exact": exact}
    ix.close()
    shutil.rmtree(root, ignore_errors=True)
    return out


def worker(data: Path, out: Path, backend: str, modes: tuple[str, ...]) -> None:
    """Build and query one index from pickled records (run in its own process per code revision)."""
    with open(data, "rb") as f:
        docs, qsets = pickle.load(f)
    work = Path(tempfile.mkdtemp(prefix="wp-bench-search-w-"))
    try:
        res = run_backend(backend, docs, qsets, work, modes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.write_text(json.dumps(res))


def in_process(code_src: Path | None, data: Path, backend: str, modes: tuple[str, ...]) -> dict:
    out = data.with_suffix(f".{backend}.{code_src.parent.name if code_src else 'now'}.json")
    env = dict(os.environ)
    if code_src:
        env["BENCH_SEARCH_SRC"] = str(code_src)
        env["PYTHONPATH"] = str(code_src)
    else:
        env.pop("BENCH_SEARCH_SRC", None)
    r = subprocess.run([sys.executable, __file__, "--worker", str(data), "--out", str(out), "--backends", backend,
                        "--modes", ",".join(modes)], env=env, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"the {'baseline' if code_src else 'current'} worker failed ({r.returncode})")
    return json.loads(out.read_text())


def print_size(n: int, rows: list[tuple[str, dict, str]]) -> None:
    print(f"\n### {n:,} records\n")
    first = rows[0][1]
    keys = list(first["runs"][rows[0][2]]["latency"])
    print("| code | index time (s/10k) | index CPU s/10k | load (index, queries) | size | "
          + " | ".join(f"{k} p50/p95 ms" for k in keys) + " |")
    print("|---" * (5 + len(keys)) + "|")
    for label, r, mode in rows:
        run = r["runs"][mode]
        cells = [f"{a:.2f} / {b:.2f}" for a, b in run["latency"].values()]
        print(f"| {label} | {r['index_s']:.1f} ({r['index_s'] * 10_000 / n:.1f}) | {r['index_cpu'] * 10_000 / n:.1f} | "
              f"{r.get('load_index', float('nan')):.1f}, {r['load']:.1f} | {r['size_mb']:.0f} MB | "
              + " | ".join(cells) + " |")
    print("\naverage matches per query: " + ", ".join(
        f"{k} {v:,.0f}" for k, v in rows[-1][1]["runs"][rows[-1][2]]["hits"].items()))
    if len(rows) > 1:
        base = rows[0][1]["runs"][rows[0][2]]["latency"]
        for label, r, mode in rows[1:]:
            lat = r["runs"][mode]["latency"]
            print(f"ratio {label} / {rows[0][0]}: index time {r['index_s'] / rows[0][1]['index_s']:.2f}; p95 " +
                  ", ".join(f"{k} {lat[k][1] / base[k][1]:.2f}" for k in keys))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", default="10000", help="synthetic records, several with commas (default 10000)")
    ap.add_argument("--queries", type=int, default=200, help="queries per type (default 200)")
    ap.add_argument("--backends", default="tantivy", help="comma-separated (default tantivy; whoosh: this code only)")
    ap.add_argument("--baseline-rev", default="main",
                    help="revisions whose code is the baseline, with commas; the first is the reference of the ratios "
                         "('' for none)")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--modes", default="default", help=argparse.SUPPRESS)
    args = ap.parse_args()
    names = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.worker:
        worker(args.worker, args.out, names[0], tuple(args.modes.split(",")))
        return

    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} at start")
    work = Path(tempfile.mkdtemp(prefix="wp-bench-search-"))
    try:
        bases = []
        for rev in [r.strip() for r in args.baseline_rev.split(",") if r.strip()]:
            (work / f"rev-{len(bases)}").mkdir()
            src = baseline_src(rev, work / f"rev-{len(bases)}")
            if src is not None:
                bases.append((rev, src))
        zh, en = corpus_vocabulary()
        summary = []
        for n in [int(x) for x in args.records.split(",")]:
            t = time.perf_counter()
            synth = Synth(zh, en)
            docs = [synth.doc(i) for i in range(n)]
            avg = statistics.mean(len(d.text_zh) + len(d.text_en) for d in docs)
            qsets = queries(synth, docs, args.queries)
            data = work / f"records-{n}.pkl"
            with open(data, "wb") as f:
                pickle.dump((docs, qsets), f, protocol=pickle.HIGHEST_PROTOCOL)
            del docs
            print(f"\n{n:,} synthetic records, {avg:,.0f} characters each on average (vocabulary {len(zh)} zh / "
                  f"{len(en)} en words); generated in {time.perf_counter() - t:.1f} s; load "
                  f"{os.getloadavg()[0]:.2f}", flush=True)
            for name in names:
                rows = []
                for rev, src in (bases if name == "tantivy" else []):
                    print(f"[{name}] before ({rev})…", flush=True)
                    rows.append((f"before ({rev})", in_process(src, data, name, ("default",)), "default"))
                print(f"[{name}] after…", flush=True)
                now = in_process(None, data, name, ("default", "exact") if name == "tantivy" else ("default",))
                rows.append(("after", now, "default"))
                if "exact" in now["runs"]:
                    rows.append(("after, exact count", now, "exact"))
                print(f"\n[{name}]", end="")
                print_size(n, rows)
                summary.append((name, n, now))
            data.unlink()
        print("\n## targets")
        for name, n, r in summary:
            if name != "tantivy":
                continue
            per10k = r["index_s"] * 10_000 / n
            worst = max(b for a, b in r["runs"]["default"]["latency"].values())
            tgt = target_p95(n)
            print(f"{n:,} records: index {per10k:.1f} s per 10,000 (target ≤ {TARGET_INDEX_S:.0f}): "
                  f"{'met' if per10k <= TARGET_INDEX_S else 'MISSED'}; worst p95 {worst:.2f} ms (target < {tgt:.0f}): "
                  f"{'met' if worst < tgt else 'MISSED'}")
        print(f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
