"""Where a single quote's time goes: cProfile over many quotes, and each stage's median on its own.

The requests: every example under ``examples/requests`` that is a quote request, and the engine
benchmark's two (the example card with the recommended schedule, and the same card with nothing
affordable). Run:

    .venv/bin/python benchmarks/profile_quote.py [--rounds 200] [--top 30] [--only card|hard|examples]

Prints the stages' medians (load, prepare, assess, build, decide, quote id, render) in microseconds,
then the profile's top functions by own time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import nothing_affordable  # noqa: E402

from negotiator.engine import quote as Q  # noqa: E402
from negotiator.policy import PolicyRegistry  # noqa: E402


def bodies(only: str | None) -> list[dict]:
    card = json.loads((ROOT / "examples/requests/card_cny.json").read_text())
    card["schedules"] = "recommended"
    chosen = {"card": [card], "hard": [nothing_affordable(card)]}
    if only in chosen:
        return chosen[only]
    out = [json.loads(p.read_text()) for p in sorted((ROOT / "examples/requests").glob("*.json"))]
    out = [b for b in out if "proposal" not in b]
    return out if only == "examples" else [*out, card, nothing_affordable(card)]


def stages(body: dict, registry: PolicyRegistry, rounds: int) -> dict[str, float]:
    """Each stage of :func:`negotiator.engine.quote.quote`'s work, timed on its own (median, microseconds)."""
    times: dict[str, list[float]] = {k: [] for k in ("load", "prepare", "assess", "build", "decide", "quote_id",
                                                     "render", "total")}
    for _ in range(rounds):
        t0 = time.perf_counter()
        with Q.errors_in(body):
            req = Q.load_request(body)
            t1 = time.perf_counter()
            policy, as_of, acc = Q.prepare(req, registry, None, "agent")
        t2 = time.perf_counter()
        asked = req.get("options")
        types = tuple(t for t in Q.ORDER if t in set(asked)) if asked else None
        a = Q.assess(acc, policy, "agent")
        t3 = time.perf_counter()
        sets = Q.build(acc, a, policy, "agent", types)
        t4 = time.perf_counter()
        decision = Q.decide(acc, sets, a.now, policy, "agent")
        t5 = time.perf_counter()
        qid = Q.quote_id(req, policy, "agent", as_of)
        t6 = time.perf_counter()
        Q.Renderer(acc, a, policy, "agent", req["locale"], as_of).quote(qid, sets, decision, req["schedules"])
        t7 = time.perf_counter()
        for k, v in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6, t7 - t0)):
            times[k].append(v)
    return {k: statistics.median(v) * 1e6 for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=200, help="quotes of each request (default 200)")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--only", choices=["card", "hard", "examples"])
    args = ap.parse_args()
    registry = PolicyRegistry.load()
    chosen = bodies(args.only)
    for body in chosen:
        Q.quote(body, registry)
    for key, name in (("card", "card"), ("hard", "nothing affordable")):
        body = bodies(key)[0]
        if args.only in (None, "examples", key):
            figures = stages(body, registry, args.rounds)
            print(f"{name}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()) + " (us, medians)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.rounds):
        for body in chosen:
            Q.quote(body, registry)
    profile.disable()
    print(f"\n{args.rounds * len(chosen)} quotes of {len(chosen)} requests")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
