"""Batch benchmark (issue 4): a synthetic portfolio from CSV to CSV.

Reports wall time, accounts per second and peak memory (max RSS of the job,
run in a child process so the generator's memory does not count), a profile
of where one chunk's time goes (reading, parsing + rules, engine, rendering,
writing), and the per-account loop over the single-quote function for a
sample, as a ratio.

Run: .venv/bin/python benchmarks/bench_batch.py [--rows 1000000] [--chunk-size N] [--workers 1] [--sample 2000]
       [--skip-profile]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 23)
_spec = importlib.util.spec_from_file_location("make_portfolio", ROOT / "examples" / "make_portfolio.py")
make_portfolio = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_portfolio)


def _tree_rss(pid: int, own: bool = True) -> int:
    """Resident bytes of a process and all its descendants (from /proc); ``own=False`` leaves the process out."""
    parents, rss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(stat[1])
            rss[int(entry.name)] = int(stat[21]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {pid}, {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - tree
        tree |= frontier
    return sum(rss.get(p, 0) for p in tree if own or p != pid)


# A fresh, small interpreter starts the job and reports the job's own peak RSS (wait4's ru_maxrss:
# its largest process, workers included). Started straight from this process instead, the job would
# inherit this benchmark's high-water mark: Linux carries the parent's peak across fork/vfork + exec.
_LAUNCH = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
print(f"maxrss_kib={usage.ru_maxrss}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_job(inp: Path, out: Path, chunk: int | None, workers: int = 1) -> dict:
    """The CLI in a child process: wall time, its peak RSS and the whole process tree's (sampled)."""
    cmd = [sys.executable, "-m", "negotiator.cli", "batch", str(inp), str(out), "--as-of", AS_OF.isoformat(),
           "--workers", str(workers), "--quiet"] + (["--chunk-size", str(chunk)] if chunk else [])
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCH, *cmd], stderr=subprocess.PIPE, text=True)
    tree = 0
    while proc.poll() is None:
        tree = max(tree, _tree_rss(proc.pid, own=False))  # the job's processes, not the launcher
        time.sleep(0.05)
    err = proc.stderr.read()
    wall = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"batch failed ({proc.returncode}): {err}")
    lines = err.strip().splitlines()
    peak_kib = int(lines.pop().split("=", 1)[1])
    return {"seconds": wall, "peak_rss_mib": peak_kib / 1024, "peak_tree_rss_mib": tree / 2**20,
            "summary": "\n".join(lines)}


def profile_chunk(inp: Path, chunk: int) -> dict:
    """Time each stage on the first chunk."""
    from negotiator.batch import job as batch
    from negotiator.batch.io import Sink, read_chunks
    from negotiator.batch.parse import to_accounts
    from negotiator.engine.affordability import assess
    from negotiator.engine.decide import decide
    from negotiator.engine.options import build
    from negotiator.policy import PolicyRegistry

    policy = PolicyRegistry.load().get("default")
    times = {}
    t = time.perf_counter()
    chunks, _ = read_chunks(str(inp), chunk)
    c = next(iter(chunks))
    times["read_csv"] = time.perf_counter() - t
    t = time.perf_counter()
    acc, errors = to_accounts(c.columns, len(c), AS_OF, policy)
    times["parse_and_rules"] = time.perf_counter() - t
    bad = np.zeros(len(c), dtype=bool)
    bad[[e[0] for e in errors]] = True
    good = acc.take(np.flatnonzero(~bad))
    t = time.perf_counter()
    a = assess(good, policy, "batch")
    sets = build(good, a, policy, "batch")
    decide(good, sets, a.now, policy, "batch")
    times["engine"] = time.perf_counter() - t
    t = time.perf_counter()
    res = batch.process(c.columns, policy, AS_OF, "batch", c.row_numbers)
    whole = time.perf_counter() - t
    times["render"] = max(whole - times["parse_and_rules"] - times["engine"], 0.0)
    with tempfile.TemporaryDirectory() as d:
        sink = Sink(str(Path(d) / "o.csv"), batch.OFFER_SCHEMA)
        t = time.perf_counter()
        sink.write(res.offers)
        sink.commit()
        times["write_csv"] = time.perf_counter() - t
    total = sum(times.values())
    return {"rows": len(c), "offer_rows": res.offers.num_rows,
            "seconds": {k: round(v, 3) for k, v in times.items()},
            "share": {k: round(v / total, 3) for k, v in times.items()},
            "us_per_account": {k: round(v / len(c) * 1e6, 2) for k, v in times.items()}}


def single_quote_loop(inp: Path, sample: int) -> float:
    """Accounts per second through engine.quote, one request at a time (valid rows only)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_batch import request_for  # the documented row -> request mapping

    from negotiator.engine.quote import quote
    from negotiator.policy import PolicyRegistry
    registry = PolicyRegistry.load()
    cols, kind = make_portfolio.portfolio(sample, seed=99, bad_share=0.0, as_of=AS_OF)
    bodies = [request_for({c: v[i] for c, v in cols.items()}) for i in range(sample)]
    t = time.perf_counter()
    for b in bodies:
        quote(b, registry, channel="batch")
    return sample / (time.perf_counter() - t)


def _default_chunk(workers: int) -> int:
    """The command's default chunk for that many workers, from the tree imported (before or after issue 22)."""
    from negotiator.batch.job import default_chunk_size
    return default_chunk_size(workers)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--chunk-size", type=int, default=None, help="default: the command's (default_chunk_size)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--skip-profile", action="store_true", help="only the job: no chunk profile, no quote loop")
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--dir", default=None, help="work folder (default a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        inp, out = Path(d) / "portfolio.csv", Path(d) / "offers.csv"
        t = time.perf_counter()
        make_portfolio.write(str(inp), args.rows, seed=7, bad_share=0.05)
        gen = time.perf_counter() - t
        job = run_job(inp, out, args.chunk_size, args.workers)
        prof = None if args.skip_profile else profile_chunk(inp, args.chunk_size or _default_chunk(args.workers))
        loop = None if args.skip_profile else single_quote_loop(inp, args.sample)
        result = {
            "rows": args.rows, "chunk_size": args.chunk_size, "workers": args.workers,
            "input_mib": inp.stat().st_size / 2**20,
            "output_mib": out.stat().st_size / 2**20, "generate_s": round(gen, 1),
            "wall_s": round(job["seconds"], 2), "accounts_per_s": round(args.rows / job["seconds"]),
            "peak_rss_mib": round(job["peak_rss_mib"]), "peak_tree_rss_mib": round(job["peak_tree_rss_mib"]),
            "summary": job["summary"].splitlines()[0],
            "profile_first_chunk": prof, "single_quote_loop_accounts_per_s": round(loop) if loop else None,
            "batch_vs_loop": round(args.rows / job["seconds"] / loop, 1) if loop else None,
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
