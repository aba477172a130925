"""Store benchmarks: what keeping records costs, on the embedded SQLite and on PostgreSQL.

Three measurements (loopback only; PostgreSQL is a throwaway server started
from the ``pgserver`` wheel in a temporary folder):

``quotes``
    ``POST /v1/quotes`` under gunicorn (sync workers, 2 by default) with
    storage off, on SQLite and on PostgreSQL, in the same run, with ``wrk``
    at 8 connections. Every request carries a new ``account.account_id``, so
    every quote is new and stored (no deduplication helps).
``chain``
    accept + one payment + read (``POST /v1/arrangements``, ``POST
    .../payments``, ``GET /v1/arrangements/{id}``) by 8 client threads, on
    quotes made beforehand; requests/s of the three together.
``review``
    ``negotiator arrangements review`` over N arrangements (1,000,000 by
    default) of 6 instalments each, with payments on about two thirds of
    them, generated straight into a SQLite file; the wall time of the
    set-wise review and what it moved.

``inprocess``
    the same quotes through the app in one process (Flask's test client,
    no HTTP): milliseconds a quote with storage off, on SQLite and on
    PostgreSQL, alternated over rounds (steadier than HTTP on a shared
    machine).

    .venv/bin/python benchmarks/bench_store.py [quotes] [chain] [review] [inprocess] [--duration 10]
        [--arrangements 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT, PORTAL = "dev-agent-key", "dev-portal-key"
REQUEST = json.loads((ROOT / "examples" / "requests" / "card_cny.json").read_text(encoding="utf-8"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, workers: int, extra: dict) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEGOTIATOR_")}
    env.update(NEGOTIATOR_PORT=str(port), NEGOTIATOR_WORKERS=str(workers), NEGOTIATOR_DEV="1",
               NEGOTIATOR_PORTAL_RATE_LIMIT="off", **extra)
    proc = subprocess.Popen([sys.executable, "-m", "negotiator.cli", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited ({proc.returncode}) with {extra}") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


class Backends:
    """Storage off, a fresh embedded SQLite folder, a fresh PostgreSQL database: each migrated, as env vars."""

    def __init__(self, tmp: Path):
        import warnings

        from negotiator.store import resolve_url, upgrade
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
        self.pg = pgserver.get_server(str(tmp / "pg"), cleanup_mode="stop")
        pg_url = f"postgresql+psycopg://postgres@/postgres?host={tmp / 'pg'}"
        sqlite_dir = tmp / "sqlite"
        upgrade(resolve_url("", str(sqlite_dir)))
        upgrade(pg_url)
        self.envs = {"off": {"NEGOTIATOR_STORE": "0"}, "sqlite": {"NEGOTIATOR_DATA_DIR": str(sqlite_dir)},
                     "postgresql": {"NEGOTIATOR_DATABASE_URL": pg_url}}

    def close(self):
        self.pg.cleanup()


def _wrk_quotes(url: str, connections: int, duration: int, tmp: Path, tag: str) -> dict:
    body = json.dumps({**REQUEST, "account": {**REQUEST["account"], "account_id": "ACCOUNT_ID"}})
    script = tmp / f"quotes-{tag}.lua"
    script.write_text(
        "local counter = 0\nlocal n = 0\n"
        "setup = function(thread) n = n + 1; thread:set('id', n) end\n"
        f"local template = {json.dumps(body)}\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        f"  local b = string.gsub(template, 'ACCOUNT_ID', '{tag}-' .. (id or 0) .. '-' .. counter)\n"
        f"  return wrk.format('POST', nil, {{['Content-Type'] = 'application/json', ['X-API-Key'] = '{AGENT}'}}, b)\n"
        "end\n"
        "done = function(summary, latency, requests)\n"
        "  local e = summary.errors\n"
        "  io.write(string.format('STATUS non2xx=%d errors=%d\\n', e.status,\n"
        "    e.connect + e.read + e.write + e.timeout))\n"
        "end\n")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {m.group(1): float(m.group(2)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(3)]
           for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    status = re.search(r"STATUS non2xx=(\d+) errors=(\d+)", out)
    return {"rps": rps, "p50_ms": lat["50"], "p99_ms": lat["99"], "errors": int(status.group(1)) + int(status.group(2))}


def bench_quotes(backends: Backends, tmp: Path, duration: int, workers: int, connections: int,
                 rounds: int) -> list[dict]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    results = []
    for rnd in range(rounds):       # alternate the backends: the machine's speed drifts
        for name, env in backends.envs.items():
            port = _port()
            proc = _serve(port, workers, env)
            try:
                r = _wrk_quotes(f"http://127.0.0.1:{port}/v1/quotes", connections, duration, tmp, f"{name}{rnd}")
            finally:
                proc.terminate()
                proc.wait(timeout=40)
            results.append({"bench": "quotes", "store": name, "round": rnd, "connections": connections, **r})
    return results


def bench_inprocess(backends: Backends, rounds: int, n: int = 200) -> list[dict]:
    """The same quotes through the app in this process (no HTTP, one worker): the store's own cost per quote."""
    import logging

    from negotiator.service import Config, create_app
    logging.getLogger("negotiator.access").disabled = True
    keys = "agent:bench-agent-key-0123456789"
    apps = {}
    for name, env in backends.envs.items():
        over = {"store": False} if name == "off" else (
            {"data_dir": env["NEGOTIATOR_DATA_DIR"]} if name == "sqlite" else {"database_url": env[
                "NEGOTIATOR_DATABASE_URL"]})
        apps[name] = create_app(Config(api_keys=keys, portal_rate_limit="off", **over)).test_client()
    out = []
    for rnd in range(rounds):
        for name, client in apps.items():
            t0 = time.perf_counter()
            for i in range(n):
                body = {**REQUEST, "account": {**REQUEST["account"], "account_id": f"IP-{name}-{rnd}-{i}"}}
                r = client.post("/v1/quotes", json=body, headers={"X-API-Key": "bench-agent-key-0123456789"})
                assert r.status_code == 201   # kept: 201 with its Location
            out.append({"bench": "inprocess", "store": name, "round": rnd,
                        "ms_per_quote": round((time.perf_counter() - t0) / n * 1000, 3)})
    return out


def _call(base: str, method: str, path: str, body=None, key=AGENT, headers=None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "X-API-Key": key, "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _chain_on(base: str, name: str, duration: int, threads: int, n_quotes: int) -> tuple[int, float]:
    """Quotes made beforehand (not timed), then accept + pay + read by ``threads`` threads for ``duration`` s."""
    quotes: list[dict] = []

    def make(t: int):
        for i in range(t, n_quotes, threads):
            body = {**REQUEST, "schedules": "recommended",
                    "account": {**REQUEST["account"], "account_id": f"CHAIN-{name}-{i}"}}
            quotes.append(_call(base, "POST", "/v1/quotes", body, key=PORTAL))

    _run_threads(make, threads)
    lock, done, stop = threading.Lock(), [0], time.monotonic() + duration

    def work(t: int):
        while time.monotonic() < stop:
            with lock:
                if not quotes:
                    return
                q = quotes.pop()
            a = _call(base, "POST", "/v1/arrangements", {
                "quote_id": q["quote_id"], "option_id": q["options"][0]["option_id"], "accepted_by": "borrower"},
                key=PORTAL, headers={"Idempotency-Key": f"bench-{q['quote_id']}"})
            first = a["instalments"][0]
            _call(base, "POST", f"/v1/arrangements/{a['arrangement_id']}/payments",
                  {"reference": "P1", "amount": first["amount"], "paid_on": first["due_date"],
                   "as_of": first["due_date"]})
            _call(base, "GET", f"/v1/arrangements/{a['arrangement_id']}?as_of={first['due_date']}")
            with lock:
                done[0] += 1

    t0 = time.monotonic()
    _run_threads(work, threads)
    return done[0], time.monotonic() - t0


def _run_threads(fn, n: int) -> None:
    pool = [threading.Thread(target=fn, args=(t,)) for t in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def bench_chain(backends: Backends, duration: int, workers: int, threads: int, n_quotes: int = 1200) -> list[dict]:
    results = []
    for name in ("sqlite", "postgresql"):
        port = _port()
        proc = _serve(port, workers, backends.envs[name])
        try:
            chains, elapsed = _chain_on(f"http://127.0.0.1:{port}", name, duration, threads, n_quotes)
        finally:
            proc.terminate()
            proc.wait(timeout=40)
        results.append({"bench": "chain", "store": name, "threads": threads, "chains": chains,
                        "seconds": round(elapsed, 2), "chains_per_s": round(chains / elapsed, 1),
                        "requests_per_s": round(3 * chains / elapsed, 1)})
    return results


def generate_arrangements(path: Path, n: int, seed: int = 7) -> None:
    """N active arrangements of 6 monthly instalments of 100.00 from 2026-01-15, payments on about 2/3 of them."""
    from negotiator.store import resolve_url, upgrade
    upgrade(resolve_url("", str(path.parent)))
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now = "2026-01-01 00:00:00.000000"
    con.execute("INSERT INTO quotes VALUES ('q_bench', 'agent', NULL, 'default', '1', 'CNY', '2026-01-01', '{}', "
                "'{}', ?, ?)", (now, now))
    dues = [dt.date(2026, 1 + k, 15) for k in range(6)]
    grace = [(d + dt.timedelta(days=14)).isoformat() for d in dues]
    dues_s = [d.isoformat() for d in dues]
    chunk = 50_000
    for start in range(0, n, chunk):
        arr, inst, pays = [], [], []
        for i in range(start, min(n, start + chunk)):
            aid = f"a_{i:020d}"
            arr.append((aid, f"ACC{i}", "q_bench", "instalment", "instalment", "none", "agent", "bench", "active",
                        "CNY", 2, "default", "1", "2026-01-01", dues_s[0], dues_s[-1], 10000, 60000, 0, 6, 14, 1,
                        None, None, now, now))
            for k in range(6):
                inst.append((aid, k + 1, dues_s[k], grace[k], 10000, 10000 * (k + 1)))
            paid = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 6])
            if paid:
                pays.append((aid, "P1", 10000 * paid, dues_s[0], "agent", now))
        con.executemany("INSERT INTO arrangements (arrangement_id, account_id, quote_id, option_id, option_type, "
                        "approval, channel, accepted_by, status, currency, digits, policy_name, policy_version, "
                        "starts_on, first_due, last_due, monthly_payment, total_payable, paid_total, term_months, "
                        "grace_days, missed_allowed, replaces, decided_by, created_at, updated_at) VALUES "
                        "(" + ",".join("?" * 26) + ")", arr)
        con.executemany("INSERT INTO instalments VALUES (?,?,?,?,?,?)", inst)
        con.executemany("INSERT INTO payments (arrangement_id, reference, amount, paid_on, channel, recorded_at) "
                        "VALUES (?,?,?,?,?,?)", pays)
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def bench_review(tmp: Path, n: int) -> list[dict]:
    from negotiator.policy import PolicyRegistry
    from negotiator.store.db import Database
    from negotiator.store.records import Records
    path = tmp / "review" / "negotiator.sqlite3"
    path.parent.mkdir()
    t0 = time.perf_counter()
    generate_arrangements(path, n)
    made = time.perf_counter() - t0
    db = Database.open(f"sqlite:///{path}", pool_size=1)
    records = Records(db, PolicyRegistry.load())
    out = []
    for as_of in ("2026-03-01", "2026-08-01"):
        t0 = time.perf_counter()
        result = records.review(dt.date.fromisoformat(as_of))
        out.append({"bench": "review", "store": "sqlite", "arrangements": n,
                    "seconds": round(time.perf_counter() - t0, 2), "generation_seconds": round(made, 1), **result})
    db.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("which", nargs="*", default=["quotes", "chain", "review"])
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--arrangements", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3, help="quotes: rounds over the three backends (default 3)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    results: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        if {"quotes", "chain", "inprocess"} & set(args.which):
            backends = Backends(tmp)
            try:
                if "inprocess" in args.which:
                    results += bench_inprocess(backends, args.rounds)
                if "quotes" in args.which:
                    results += bench_quotes(backends, tmp, args.duration, args.workers, args.connections,
                                            args.rounds)
                if "chain" in args.which:
                    results += bench_chain(backends, args.duration, args.workers, args.connections)
            finally:
                backends.close()
        if "review" in args.which:
            results += bench_review(tmp, args.arrangements)
    print(f"{os.cpu_count()} CPUs, gunicorn sync workers={args.workers}")
    for r in results:
        print(json.dumps(r))
    quotes = [r for r in results if r["bench"] == "quotes"]
    if quotes:
        stores = ("off", "sqlite", "postgresql")
        rps = {st: [r["rps"] for r in quotes if r["store"] == st] for st in stores}
        mean = {st: statistics.median(v) for st, v in rps.items()}
        ratios = {st: statistics.median(a / b for a, b in zip(rps[st], rps["off"])) for st in stores[1:]}
        print(f"same-round ratios to storage off (median): sqlite {ratios['sqlite']:.0%}, "
              f"postgresql {ratios['postgresql']:.0%}")
        print(f"quotes/s (median of {args.rounds} rounds): off {mean['off']:.0f}, sqlite {mean['sqlite']:.0f} "
              f"({mean['sqlite'] / mean['off'] - 1:+.0%}), postgresql {mean['postgresql']:.0f} "
              f"({mean['postgresql'] / mean['off'] - 1:+.0%})")
    inproc = [r for r in results if r["bench"] == "inprocess"]
    if inproc:
        med = {st: statistics.median(r["ms_per_quote"] for r in inproc if r["store"] == st)
               for st in ("off", "sqlite", "postgresql")}
        print(f"in process, ms a quote (median of {args.rounds} rounds): off {med['off']:.2f}, sqlite "
              f"{med['sqlite']:.2f} ({med['sqlite'] / med['off'] - 1:+.0%}), postgresql {med['postgresql']:.2f} "
              f"({med['postgresql'] / med['off'] - 1:+.0%})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
