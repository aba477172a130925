"""Run a benchmark on this tree and on an earlier commit, alternately, in the same run; print both and the ratio.

The earlier engine is checked out into a git worktree in the temporary folder (kept for later runs, so
its cached compiled kernels are too; ``git worktree remove`` it when done) and run from
there (``PYTHONPATH`` points at it), with this tree's interpreter, packages
and benchmark script, so the two differ only in negotiator's own code. Each side runs
``--repeat`` times, interleaved, and the median of each figure is kept.

    .venv/bin/python benchmarks/same_run.py --ref 651cfe2 engine -- --runs 1000
    .venv/bin/python benchmarks/same_run.py --ref 651cfe2 batch -- --rows 1000000 --skip-profile
    .venv/bin/python benchmarks/same_run.py --ref 651cfe2 http -- --duration 10 --connections 8

The figures compared: ``engine`` (bench_engine.py) single-quote median and p99 ms, the nothing-affordable
median where both trees measure it, and the array path's accounts/s; ``batch`` (bench_batch.py) rows/s;
``http`` (bench_http.py) requests/s and p99 of each endpoint, and the quote's share of the echo.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = {"engine": "bench_engine.py", "batch": "bench_batch.py", "http": "bench_http.py"}


def _engine(out: str, _: Path) -> dict:
    data = json.loads(out.strip().splitlines()[-1])
    figures = {"single quote median ms": data["single"]["median_ms"], "single quote p99 ms": data["single"]["p99_ms"],
               "array path accounts/s": data["array"]["accounts_per_s"]}
    if "nothing_affordable" in data:
        figures["nothing affordable median ms"] = data["nothing_affordable"]["median_ms"]
    return figures


def _batch(out: str, _: Path) -> dict:
    data = json.loads(out[out.index("{"):])
    rate = re.search(r"([\d,]+) rows/s", data["summary"])
    return {"batch rows/s (job's own clock)": float(rate.group(1).replace(",", "")) if rate else float("nan"),
            "batch accounts/s (wall, start-up included)": data["accounts_per_s"],
            "batch peak RSS MiB (all processes)": data["peak_tree_rss_mib"]}


def _http(_: str, json_path: Path) -> dict:
    data = json.loads(json_path.read_text())
    rows = data["rows"] if isinstance(data, dict) else data
    figures = {}
    for r in rows:
        name = f"{r['endpoint']} c={r['connections']}"
        figures[f"{name} req/s"] = r["rps"]
        figures[f"{name} p99 ms"] = r["p99_ms"]
        if "ratio" in r:
            figures[f"{name} share of echo"] = r["ratio"]
    return figures


EXTRACT = {"engine": _engine, "batch": _batch, "http": _http}


def _run(tree: Path, which: str, extra: list[str], tmp: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    json_path = tmp / f"http-{os.getpid()}-{len(os.listdir(tmp))}.json"
    args = [*extra, "--json", str(json_path)] if which == "http" else extra
    # This tree's benchmark script for both sides (the same measurement), importing each side's negotiator.
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / SCRIPTS[which]), *args], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{SCRIPTS[which]} failed in {tree}:\n{done.stderr[-3000:]}")
    return EXTRACT[which](done.stdout, json_path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="651cfe2", help="the earlier commit (default: the engine before issue 11)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each side, interleaved (default 3)")
    ap.add_argument("which", choices=sorted(SCRIPTS))
    ap.add_argument("extra", nargs=argparse.REMAINDER, help="arguments for the benchmark, after --")
    args = ap.parse_args(argv)
    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    # The earlier commit's worktree is kept between runs (in the temporary folder, named for the commit), so
    # the compiled kernels numba caches beside its package survive: a fresh checkout would compile them all
    # again on every run (tens of seconds of CPU), which is not what either tree costs once installed.
    old = Path(tempfile.gettempdir()) / f"negotiator-bench-{args.ref}"
    if not (old / "negotiator").is_dir():
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(old), args.ref], cwd=ROOT, check=True,
                       capture_output=True)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        if args.which == "batch":
            # One small run of each side first, not counted: it compiles (or loads) every kernel into the cache.
            for tree in (ROOT, old):
                _run(tree, "batch", ["--rows", "2000", "--skip-profile"], tmp)
        runs: dict[str, list[dict]] = {"this tree": [], args.ref: []}
        for _ in range(args.repeat):
            runs["this tree"].append(_run(ROOT, args.which, extra, tmp))
            runs[args.ref].append(_run(old, args.which, extra, tmp))
    med = {side: {k: statistics.median(r[k] for r in rs if k in r) for k in rs[0]} for side, rs in runs.items()}
    print(f"{SCRIPTS[args.which]} {' '.join(extra)}: median of {args.repeat} interleaved runs each")
    print(f"{'figure':<58}{'this tree':>14}{args.ref:>14}{'speed-up':>10}")
    for k, new in med["this tree"].items():
        prev = med[args.ref].get(k)
        # Times (ms) and memory (MiB) improve downwards, rates and shares upwards: a speed-up reads one way.
        ratio = "" if not prev or not new else f"{(prev / new if k.endswith('ms') or 'MiB' in k else new / prev):.2f}x"
        print(f"{k:<58}{new:>14,.3f}{'' if prev is None else format(prev, ',.3f'):>14}{ratio:>10}")
    print(json.dumps({"ref": args.ref, "which": args.which, "extra": extra, "medians": med}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
