#!/usr/bin/env python
"""Archive benchmark, measured in this run against baselines measured in the same run.

1. **Adds per second for pre-rendered documents.** A real corpus document is rendered once
   (DOCX + PDF, zh); N variants of its data file (different document numbers, so each is a new
   record) are archived with those renditions (``--from DIR`` style: source + DOCX + PDF +
   metadata, a BagIt bag each, fsynced, logged, catalogued):

   - ``single``: ``workplan.ingest.add_data_file`` one by one (each add takes the lock, fsyncs, logs);
   - ``batch``: ``workplan.ingest.add_data_files`` in batches of 25, as ``workplan archive add`` does
     (each record still atomic on its own; fsyncs and transactions shared);
   - ``cli``: ``workplan archive add DIR --from PRE`` end to end (process start-up and the
     search-index hook, i.e. search's own indexing, included), on a separate archive.

   Target: ≥ 50 records/s.

2. **`workplan archive add DIR --format none` through the command line** (the data files
   alone: start-up, validation, bags, fsyncs, log, catalogue and the search-index update, into
   an archive whose index exists), this code against the code of ``--baseline-rev`` (default
   ``main``, extracted with ``git archive`` and put first on PYTHONPATH), alternating
   ``--repeat`` runs of ``--none`` records each, each into a fresh archive (all removed at the
   end: removing one between runs slows the next run's file creations). Target: ≥ 50 records/s.

3. **verify for 1,000 records against sha256sum.** ``verify`` recomputes every hash (payload and
   tag files) and cross-checks catalogue, bags and event log; the baseline is GNU ``sha256sum``
   over exactly the files verify hashes (via ``xargs``), page cache warm for both, median of
   ``--repeat`` alternating runs. Target: verify within 1.5× of sha256sum.

4. **Many writers on PostgreSQL against the SQLite single writer** (``--parts 4``, with
   ``--catalogue postgresql://USER@HOST:PORT/DB`` naming a server the bench may create databases
   on, or ``--catalogue start`` to start a throwaway one with scripts/pg-cluster): in the same
   run, ``workplan archive add DIR --format none`` of ``--writer-records`` records into a
   SQLite archive (one writer), then 4 such commands at once into one PostgreSQL archive (4
   writers as ``--machines`` "machines", default 2: each with its own ``--index`` folder, one
   shared bag folder), ``--repeat`` times alternating. The SQLite writer updates its index as it
   adds; PostgreSQL writers leave it to each machine's own catch-up by the log's head, timed
   after the adds (one search per machine, which must find all 4 writers' records: on one box
   2 machines cost twice the indexing of 1) and reported beside them. Checked after each
   PostgreSQL run: codes gap-free, `verify` clean, every machine's search finds every record.
   Target: the 4 writers together ≥ 1.3× the records per second of the single writer.

    .venv/bin/python bench/bench_archive.py [--records 1000] [--repeat 3] [--keep] [--parts 1,2,3] [--workdir DIR]
    .venv/bin/python bench/bench_archive.py --parts 4 --catalogue start [--writer-records 200] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import re
import resource
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
sys.path.insert(0, str(ROOT / "src"))

from workplan.archive import init_archive  # noqa: E402
from workplan.ingest import add_data_file, add_data_files  # noqa: E402

ADD_TARGET = 50.0
PG_TARGET = 1.3  # 4 PostgreSQL writers together against the SQLite single writer
VERIFY_TARGET = 1.5
SOURCE = ROOT / "corpus" / "winter-fire-safety.yaml"


def render_once(work: Path) -> tuple[Path, Path]:
    """The real zh DOCX and PDF of the corpus document (synthetic stand-ins if rendering fails)."""
    out = work / "rendered"
    try:
        from workplan.render import build_file
        res = build_file(SOURCE, out, langs=["zh"], formats=["docx", "pdf"])
        docx = next(p for p in res.outputs if p.suffix == ".docx")
        pdf = next(p for p in res.outputs if p.suffix == ".pdf")
        return docx, pdf
    except Exception as e:  # noqa: BLE001
        print(f"(rendering failed: {e}; using synthetic files)")
        import docx as python_docx
        from pypdf import PdfWriter
        out.mkdir(parents=True, exist_ok=True)
        w = PdfWriter()
        for _ in range(6):
            w.add_blank_page(595, 842)
        w.write(str(out / "x.pdf"))
        d = python_docx.Document()
        d.add_paragraph("测试" * 2000)
        d.save(str(out / "x.docx"))
        return out / "x.docx", out / "x.pdf"


def make_variants(work: Path, n: int, docx: Path, pdf: Path, start: int = 1) -> tuple[Path, Path]:
    src_dir, pre = work / f"src-{start}", work / f"pre-{start}"
    src_dir.mkdir(parents=True)
    pre.mkdir(parents=True)
    text = SOURCE.read_text(encoding="utf-8")
    for i in range(start, start + n):
        stem = f"bench-{i:05d}"
        (src_dir / f"{stem}.yaml").write_text(
            re.sub(r"doc_number: .*", f"doc_number: 青社发〔2023〕{i}号", text, count=1), encoding="utf-8")
        shutil.copyfile(docx, pre / f"{stem}.zh.docx")
        shutil.copyfile(pdf, pre / f"{stem}.zh.pdf")
    return src_dir, pre


def sha256sum_baseline(files: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(["xargs", "-0", "sha256sum"], input="\0".join(files).encode(), stdout=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - t


def cli_none(args) -> None:
    """Part 2: `workplan archive add DIR --format none`, this code against the baseline's."""
    work = Path(tempfile.mkdtemp(prefix="bench-archive-none-", dir=args.workdir))
    try:
        base = baseline_src(args.baseline_rev, work)
        src = work / "src-none"
        src.mkdir()
        text = SOURCE.read_text(encoding="utf-8")
        for i in range(1, args.none + 1):
            (src / f"none-{i:05d}.yaml").write_text(
                re.sub(r"doc_number: .*", f"doc_number: 青社发〔2023〕{i}号", text, count=1), encoding="utf-8")
        runs: dict[str, list[float]] = {"now": [], args.baseline_rev: []}
        cpu: dict[str, list[float]] = {"now": [], args.baseline_rev: []}  # records per CPU second
        codes = {"now": None, args.baseline_rev: base}
        env0 = dict(os.environ)
        env0.pop("WORKPLAN_ARCHIVE", None)
        for k in range(args.repeat):
            for label, code in codes.items():
                if label != "now" and code is None:
                    continue
                env = dict(env0, PYTHONPATH=str(code)) if code else dict(env0)
                root = work / f"arc-{label}-{k}"
                wp = [sys.executable, "-m", "workplan.cli"]
                subprocess.run([*wp, "archive", "init", "--archive", str(root), "--fonds", "J001", "--name", "基准"],
                               env=env, cwd=ROOT, check=True, capture_output=True)
                subprocess.run([*wp, "search", "reindex", "--archive", str(root)], env=env, cwd=ROOT, check=True,
                               capture_output=True)
                t, ru = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
                r = subprocess.run([*wp, "archive", "--archive", str(root), "add", str(src), "--format", "none"],
                                   env=env, cwd=ROOT, capture_output=True, text=True)
                dt_run = time.perf_counter() - t
                ru2 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[label].append(args.none / (ru2.ru_utime - ru.ru_utime + ru2.ru_stime - ru.ru_stime))
                if r.returncode != 0:
                    raise SystemExit(f"`archive add` ({label}) failed: {r.stderr[-2000:]}")
                if "not updated" in r.stderr:
                    raise SystemExit(f"the search index was not updated ({label}): {r.stderr[-2000:]}")
                runs[label].append(args.none / dt_run)
                # the archives are removed at the end, not between runs: on ext4 without a journal
                # (this machine's), the inodes of files removed in the last minutes are skipped one by
                # one when new ones are allocated, so each run would pay for the previous run's removal
        print(f"\n`workplan archive add DIR --format none`, {args.none} records per run, {args.repeat} runs each "
              "(start-up, validation, bags, fsyncs, log, catalogue, search index):")
        for label, rates in runs.items():
            if rates:
                print(f"  {label:<10} {statistics.median(rates):6.1f} records/s wall (median; runs: "
                      f"{', '.join(f'{x:.1f}' for x in rates)}); {statistics.median(cpu[label]):6.1f} records per "
                      "CPU second (user+sys of the process: what an idle core would give)")
        if runs[args.baseline_rev]:
            b = args.baseline_rev
            print(f"  ratio now/{b}: wall {statistics.median(runs['now']) / statistics.median(runs[b]):.2f}, "
                  f"per CPU second {statistics.median(cpu['now']) / statistics.median(cpu[b]):.2f}")
        now = statistics.median(runs["now"])
        print(f"  target ≥ {ADD_TARGET:.0f}/s: {'met' if now >= ADD_TARGET else 'NOT met'}; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _pg_server(args, work: Path):
    """(server URL without database, a stop function): the server named, or a throwaway one."""
    if args.catalogue != "start":
        return args.catalogue.rsplit("/", 1)[0], lambda: None
    r = subprocess.run(["bash", str(ROOT / "scripts" / "pg-cluster"), "start"], capture_output=True, text=True,
                       check=True)
    out = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    return out["URL"].rsplit("/", 1)[0], lambda: subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg-cluster"), "remove", out["BASE"]], capture_output=True)


def pg_writers(args) -> None:
    """Part 4: 4 CLI writers into a PostgreSQL archive against 1 CLI writer into a SQLite one."""
    import json as _json

    import psycopg
    work = Path(tempfile.mkdtemp(prefix="bench-archive-pg-", dir=args.workdir))
    server, stop = _pg_server(args, work)
    n = args.writer_records
    try:
        text = SOURCE.read_text(encoding="utf-8")
        srcs = []
        for k in range(4):
            d = work / f"src-{k}"
            d.mkdir()
            for i in range(k * n + 1, (k + 1) * n + 1):
                (d / f"w{i:05d}.yaml").write_text(
                    re.sub(r"doc_number: .*", f"doc_number: 青社发〔2023〕{i}号", text, count=1), encoding="utf-8")
            srcs.append(d)
        env = dict(os.environ)
        env.pop("WORKPLAN_ARCHIVE", None)
        env.pop("WORKPLAN_INDEX", None)
        wp = [sys.executable, "-m", "workplan.cli"]
        sqlite_rates, pg_rates, loads, catch_up = [], [], [], []
        for k in range(args.repeat):
            root = work / f"sqlite-{k}"
            subprocess.run([*wp, "archive", "init", str(root), "--name", "基准"], env=env, check=True,
                           capture_output=True)
            subprocess.run([*wp, "search", "reindex", "--archive", str(root)], env=env, check=True, capture_output=True)
            t = time.perf_counter()
            r = subprocess.run([*wp, "archive", "add", str(srcs[0]), "--format", "none", "--archive", str(root)],
                               env=env, capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit(f"SQLite `archive add` failed: {r.stderr[-2000:]}")
            sqlite_rates.append(n / (time.perf_counter() - t))

            db = f"bench_{os.getpid()}_{k}"
            with psycopg.connect(server + "/postgres", autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{db}"')
            root = work / f"pg-{k}"
            subprocess.run([*wp, "archive", "init", str(root), "--name", "基准", "--catalogue", f"{server}/{db}"],
                           env=env, check=True, capture_output=True)
            idx = [work / f"pg-{k}-machine-{m}" for m in "abcd"[:args.machines]]
            for i in idx:
                subprocess.run([*wp, "search", "reindex", "--archive", str(root), "--index", str(i)], env=env,
                               check=True, capture_output=True)
            t = time.perf_counter()
            procs = [subprocess.Popen([*wp, "archive", "add", str(srcs[w]), "--format", "none", "--archive", str(root),
                                       "--index", str(idx[w % len(idx)])], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for w in range(4)]
            outs = [p.communicate() for p in procs]
            took = time.perf_counter() - t
            loads.append(os.getloadavg()[0])
            for p, (_o, e) in zip(procs, outs):
                if p.returncode != 0:
                    raise SystemExit(f"PostgreSQL `archive add` failed: {e[-2000:]}")
            pg_rates.append(4 * n / took)
            codes = [ln.strip() for o, _e in outs for ln in o.splitlines() if ln.strip()]
            items = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
            if items != list(range(1, 4 * n + 1)):
                raise SystemExit(f"PostgreSQL run {k}: the codes are not gap-free ({len(items)} codes)")
            t = time.perf_counter()
            for i in idx:  # each machine's index catches up (the first search there)
                r = subprocess.run([*wp, "search", "防火", "--json", "--exact-count", "--limit", "1", "--archive",
                                    str(root), "--index", str(i)], env=env, capture_output=True, text=True)
                found = _json.loads(r.stdout)["total"] if r.returncode == 0 else None
                if found != 4 * n:
                    raise SystemExit(f"PostgreSQL run {k}: machine {i.name} found {found} of {4 * n}: {r.stderr[-2000:]}")
            catch_up.append(time.perf_counter() - t)
            v = subprocess.run([*wp, "archive", "verify", "--json", "--archive", str(root)], env=env,
                               capture_output=True, text=True)
            if v.returncode != 0 or not _json.loads(v.stdout)["ok"]:
                raise SystemExit(f"PostgreSQL run {k}: verify found problems: {v.stdout[-2000:]}")
            with psycopg.connect(server + "/postgres", autocommit=True) as c:
                c.execute(f'DROP DATABASE "{db}"')
        s_med, p_med = statistics.median(sqlite_rates), statistics.median(pg_rates)
        print(f"\n`workplan archive add DIR --format none`, {n} records per writer, {args.repeat} runs each, "
              "alternating (start-up, validation, bags, fsyncs, log, catalogue; SQLite: and its search index):")
        print("| writers | catalogue | records/s (median) | runs | load average (1 min) |")
        print("|---|---|---|---|---|")
        print(f"| 1 | SQLite | {s_med:.1f} | {', '.join(f'{x:.1f}' for x in sqlite_rates)} | |")
        print(f"| 4 ({args.machines} machine index(es)) | PostgreSQL | {p_med:.1f} | {', '.join(f'{x:.1f}' for x in pg_rates)} | "
              f"{', '.join(f'{x:.2f}' for x in loads)} |")
        print(f"  then the {args.machines} machines' indexes caught up with all {4 * n} records (first search on each, "
              f"one after the other): {', '.join(f'{x:.1f}' for x in catch_up)} s; adds and catch-up together "
              f"{statistics.median(4 * n / (4 * n / r + c) for r, c in zip(pg_rates, catch_up)):.1f} records/s")
        print(f"  ratio {p_med / s_med:.2f} (target ≥ {PG_TARGET}: {'met' if p_med / s_med >= PG_TARGET else 'NOT met'});"
              f" every PostgreSQL run gap-free and verified clean; load average now "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--single", type=int, default=100, help="how many of them to add one by one")
    ap.add_argument("--cli", type=int, default=200, help="records for the end-to-end CLI measurement (0: skip)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the temporary archive")
    ap.add_argument("--none", type=int, default=200, help="records per `add --format none` run (part 2)")
    ap.add_argument("--baseline-rev", default="main", help="the baseline code of part 2 (default main)")
    ap.add_argument("--parts", default="1,2,3", help="which parts to run (default 1,2,3; 4 needs --catalogue)")
    ap.add_argument("--catalogue", default=None, metavar="postgresql://…|start",
                    help="part 4: a PostgreSQL server the bench may create databases on, or `start` for a "
                         "throwaway one (scripts/pg-cluster)")
    ap.add_argument("--writer-records", type=int, default=200, help="part 4: records per writer")
    ap.add_argument("--machines", type=int, default=2, choices=(1, 2, 4),
                    help="part 4: search index folders the 4 writers share out (each \"machine\" indexes every "
                         "record: on one box, 2 machines do twice the indexing work of 1)")
    ap.add_argument("--workdir", default=None,
                    help="where the archives are made (default: the system's temporary folder). On ext4 without a "
                         "journal, new files cost more in a folder where many files were removed in the last "
                         "minutes, as /tmp is on a machine running test suites: an archive's own folder is not")
    args = ap.parse_args()
    parts = {int(x) for x in args.parts.split(",") if x.strip()}
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"archives in {args.workdir or tempfile.gettempdir()}")
    if 2 in parts:
        cli_none(args)
    if 4 in parts or args.catalogue:
        if not args.catalogue:
            raise SystemExit("part 4 needs --catalogue postgresql://… (or --catalogue start)")
        pg_writers(args)
    if not parts & {1, 3}:
        return

    work = Path(tempfile.mkdtemp(prefix="bench-archive-", dir=args.workdir))
    try:
        docx, pdf = render_once(work)
        print(f"pre-rendered document: {SOURCE.name}: DOCX {docx.stat().st_size:,} B, PDF {pdf.stat().st_size:,} B")
        src_dir, pre = make_variants(work, args.records, docx, pdf)
        sources = sorted(src_dir.glob("*.yaml"))
        arc = init_archive(work / "archive", fonds="J001", name="基准测试")

        # 1. adds/s (after a warm-up of 10 records: imports, caches, the first fsyncs)
        for p in sources[:10]:
            add_data_file(arc, p, prebuilt=pre, notify=False)
        n1 = min(args.single, len(sources) - 10)
        t = time.perf_counter()
        for p in sources[10:10 + n1]:
            add_data_file(arc, p, prebuilt=pre, notify=False)
        single = n1 / (time.perf_counter() - t)
        rest = sources[10 + n1:]
        t = time.perf_counter()
        for i in range(0, len(rest), 25):
            add_data_files(arc, rest[i:i + 25], prebuilt=pre, notify=False)
        batch = len(rest) / (time.perf_counter() - t) if rest else float("nan")
        print(f"adds, one by one (API):          {single:7.1f} records/s  ({n1} records)")
        print(f"adds, batches of 25 (API):       {batch:7.1f} records/s  ({len(rest)} records)")
        cli_rate = None
        if args.cli:
            csrc, cpre = make_variants(work, args.cli, docx, pdf, start=100001)
            init_archive(work / "cli-archive", fonds="J001", name="基准测试").close()
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "workplan.cli", "archive", "--archive", str(work / "cli-archive"),
                                "add", str(csrc), "--from", str(cpre)], capture_output=True, text=True, cwd=ROOT)
            dt_cli = time.perf_counter() - t
            if r.returncode != 0:
                print("CLI add failed:", r.stderr[-2000:])
            else:
                cli_rate = args.cli / dt_cli
                print(f"adds, `workplan archive add` (CLI, start-up and search hook included): "
                      f"{cli_rate:7.1f} records/s  ({args.cli} records in {dt_cli:.2f} s)")
        print(f"  target ≥ {ADD_TARGET:.0f}/s: one by one {'met' if single >= ADD_TARGET else 'NOT met'}, "
              f"batched {'met' if batch >= ADD_TARGET else 'NOT met'}")

        # 3. verify vs sha256sum
        files = [str(p) for p in sorted((arc.root / "bags").rglob("*")) if p.is_file()]
        size = sum(os.path.getsize(f) for f in files)
        n_records = len(arc.records())
        print(f"\nverify: {n_records} records, {len(files)} files, {size / 1e6:.1f} MB")
        sha256sum_baseline(files)  # warm the page cache
        base, api, cli = [], [], []
        for _ in range(args.repeat):
            base.append(sha256sum_baseline(files))
            rep = arc.verify(record_event=False)
            assert rep.ok, [f.format() for f in rep.findings[:5]]
            assert rep.files == len(files), (rep.files, len(files))
            api.append(rep.seconds)
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "workplan.cli", "archive", "--archive", str(arc.root), "verify"],
                               capture_output=True, text=True, cwd=ROOT)
            cli.append(time.perf_counter() - t)
            assert r.returncode == 0, r.stderr[-2000:]
        b, a, c = statistics.median(base), statistics.median(api), statistics.median(cli)
        print(f"sha256sum over the same files:   {b:6.3f} s")
        print(f"verify (in process):             {a:6.3f} s   ratio {a / b:.2f}×")
        print(f"`workplan archive verify` (CLI): {c:6.3f} s   ratio {c / b:.2f}×  (process start-up included)")
        print(f"  target ≤ {VERIFY_TARGET}× sha256sum: {'met' if a / b <= VERIFY_TARGET else 'NOT met'} in process, "
              f"{'met' if c / b <= VERIFY_TARGET else 'NOT met'} from the command line")
        arc.close()
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
