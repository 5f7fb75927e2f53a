#!/usr/bin/env python
"""Search benchmark: both backends on the same synthetic archive, in one run.

Builds N synthetic records (default 10,000) of realistic length (~3,000 characters: about
2,200 Chinese characters and 800 of English) whose words are drawn, Zipf-like, from the
vocabulary of the corpus documents, so the term statistics look like real work programs.
For each backend it prints index time, index size, and p50/p95 latency of two-word, phrase
and filtered queries (through the same API the CLI uses, with and without snippets), then the
ratio tantivy/whoosh. Targets for tantivy: 10,000 records in under 15 s; p95 under 10 ms.

    .venv/bin/python bench/bench_search.py                    # 10,000 records, both backends
    .venv/bin/python bench/bench_search.py --records 2000     # quicker
    .venv/bin/python bench/bench_search.py --backends tantivy
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workplan.search import open_index  # noqa: E402
from workplan.search.backends import backend_class  # noqa: E402
from workplan.search.extract import IndexDoc, document_texts  # noqa: E402
from workplan.search.index import SCHEMA_VERSION  # noqa: E402

TARGET_INDEX_S = 15.0
TARGET_P95_MS = 10.0
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


def run_backend(name: str, docs: list[IndexDoc], qsets: dict[str, list[str]], workdir: Path) -> dict:
    root = workdir / name
    build = root / "index" / "build-bench"
    cls = backend_class(name)
    t0, c0 = time.perf_counter(), _cpu()
    be = cls(build, create=True)
    be.add(docs)
    be.commit()
    be.close()
    index_s, index_cpu = time.perf_counter() - t0, _cpu() - c0
    (root / "index" / "meta.json").write_text(json.dumps(
        {"schema_version": SCHEMA_VERSION, "backend": name, "build": "build-bench", "records": len(docs)}))
    ix = open_index(root)
    out = {"backend": name, "records": len(docs), "index_s": index_s, "index_cpu": index_cpu,
           "size_mb": dir_size(build) / 1e6, "latency": {}, "cpu": {}, "hits": {}}
    for kind, qs in qsets.items():
        for snip in (False, True):
            ix.search(qs[0], limit=10, snippets=snip)  # warm
            times, cpus, hits = [], [], 0
            for q in qs:
                t, c = time.perf_counter(), time.process_time()
                res = ix.search(q, limit=10, snippets=snip)
                times.append((time.perf_counter() - t) * 1000)
                cpus.append((time.process_time() - c) * 1000)
                hits += res.total
            out["latency"][(kind, snip)] = (pct(times, 50), pct(times, 95))
            out["cpu"][(kind, snip)] = (pct(cpus, 50), pct(cpus, 95))
            out["hits"][kind] = hits / len(qs)
    ix.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=10_000, help="synthetic records (default 10000)")
    ap.add_argument("--queries", type=int, default=200, help="queries per type (default 200)")
    ap.add_argument("--backends", default="tantivy,whoosh", help="comma-separated (default tantivy,whoosh)")
    ap.add_argument("--keep", type=Path, help="build the indexes in this folder and keep them")
    args = ap.parse_args()
    names = [b.strip() for b in args.backends.split(",") if b.strip()]

    t = time.perf_counter()
    zh, en = corpus_vocabulary()
    synth = Synth(zh, en)
    docs = [synth.doc(i) for i in range(args.records)]
    avg = statistics.mean(len(d.text_zh) + len(d.text_en) for d in docs)
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} at start"
          + ("  (busy: wall times are inflated; CPU times are steadier)" if load > 0.5 * (os.cpu_count() or 1) else ""))
    print(f"{len(docs)} synthetic records, {avg:,.0f} characters each on average "
          f"(vocabulary {len(zh)} zh / {len(en)} en words); generated in {time.perf_counter() - t:.1f} s")
    qsets = queries(synth, docs, args.queries)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="wp-bench-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        for name in names:
            print(f"\n[{name}] indexing…", flush=True)
            results[name] = r = run_backend(name, docs, qsets, workdir)
            print(f"[{name}] index time {r['index_s']:.2f} s (CPU {r['index_cpu']:.2f} s), "
                  f"index size {r['size_mb']:.1f} MB")
            for (kind, snip), (p50, p95) in r["latency"].items():
                c50, c95 = r["cpu"][kind, snip]
                label = f"{kind}{' + snippets' if snip else ''}"
                print(f"[{name}] {label:<24} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   "
                      f"(CPU p50 {c50:6.2f} p95 {c95:6.2f} ms; avg matches {r['hits'][kind]:.0f})")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\n| backend | index time | size | " + " | ".join(
        f"{k}{' +snip' if s else ''} p50/p95" for k, s in next(iter(results.values()))["latency"]) + " |")
    for name, r in results.items():
        cells = [f"{p50:.2f}/{p95:.2f} ms" for p50, p95 in r["latency"].values()]
        print(f"| {name} | {r['index_s']:.1f} s | {r['size_mb']:.0f} MB | " + " | ".join(cells) + " |")
    if "tantivy" in results and "whoosh" in results:
        a, b = results["tantivy"], results["whoosh"]
        print(f"\nratio tantivy/whoosh: index time {a['index_s'] / b['index_s']:.3f}, size {a['size_mb'] / b['size_mb']:.2f}")
        for key in a["latency"]:
            (a50, a95), (b50, b95) = a["latency"][key], b["latency"][key]
            label = key[0] + (" + snippets" if key[1] else "")
            print(f"  {label:<22} p50 {a50 / b50:.3f}  p95 {a95 / b95:.3f}")
    if "tantivy" in results:
        r = results["tantivy"]
        scale = 10_000 / max(1, r["records"])
        ok_index = r["index_s"] * scale < TARGET_INDEX_S
        worst = max(p95 for p50, p95 in r["latency"].values())
        print(f"\ntantivy targets: index {r['index_s']:.1f} s for {r['records']} records "
              f"(target < {TARGET_INDEX_S:.0f} s per 10,000{'' if scale == 1 else f'; scaled ×{scale:.1f}'}): "
              f"{'met' if ok_index else 'MISSED'}; worst p95 {worst:.2f} ms (target < {TARGET_P95_MS:.0f} ms): "
              f"{'met' if worst < TARGET_P95_MS else 'MISSED'}; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
