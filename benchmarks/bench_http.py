"""HTTP benchmark: POST /v1/quotes under gunicorn against a minimal Flask+marshmallow echo endpoint.

Both servers run with the same gunicorn settings (``negotiator/gunicorn_conf.py``,
gevent workers since issue 9, 2 by default) on 127.0.0.1; the load comes from ``wrk`` (Debian
package ``wrk``) for a bounded time at each connection count. Reported: requests
per second, p50 and p99 latency, and quote throughput as a share of the echo
endpoint's. Loopback only; nothing leaves the machine. Each server first
takes ``--warmup`` seconds of the same load, not counted: a worker's first
requests (a quarter of a second each, its first connections and lazy imports)
would otherwise be the 99th percentile of a short run.

    .venv/bin/python benchmarks/bench_http.py [--duration 10] [--connections 8 64] [--workers 2] [--warmup 2]

The echo endpoint validates the same request body with the same marshmallow
schema (``QuoteRequestSchema``, one instance) and echoes it as JSON: the cost of
Flask, gunicorn and validation without the engine.

``--in-process`` measures instead, without gunicorn or wrk, the CPU time
(``time.process_time``) a quote costs the app called as gunicorn calls it (the
WSGI app, store on, the same body), with the engine replaced by its answer
(the engine's own cost is bench_engine.py's), then again with each part of the
path switched off in turn: the difference is that part's cost. Figures are
the best of ``--rounds`` interleaved rounds; run it on two trees with
``PYTHONPATH`` to compare (the parts a tree does not have cost it nothing).

    .venv/bin/python benchmarks/bench_http.py --in-process [--requests 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = "dev-agent-key"


def echo_app():
    """The baseline: Flask + marshmallow validation + JSON echo, nothing else."""
    from flask import Flask, Response, request

    from negotiator.wire.schemas import QuoteRequestSchema

    schema = QuoteRequestSchema()
    app = Flask("echo")

    @app.post("/echo")
    def echo():
        body = request.get_json()
        errors = schema.validate(body)
        if errors:
            return Response(json.dumps({"errors": errors}), status=422, mimetype="application/json")
        return Response(json.dumps(body), mimetype="application/json")

    @app.get("/readyz")
    def ready():
        return "ok"

    return app


PARTS = ("telemetry", "metrics", "access log", "store write", "compress", "session")


def in_process(requests: int, rounds: int) -> dict:
    """CPU µs per quote of the app without its engine, and of each part of the path (see the module)."""
    import io
    import logging
    import time

    from werkzeug.test import EnvironBuilder

    import negotiator.service.quotes as quotes
    import negotiator.service.telemetry as telemetry
    from negotiator.service import create_app
    from negotiator.service.metrics import Metrics
    from negotiator.store.records import Records

    data = tempfile.TemporaryDirectory()
    os.environ.update(NEGOTIATOR_DEV="1", NEGOTIATOR_PORTAL_RATE_LIMIT="off", NEGOTIATOR_DATA_DIR=data.name)
    subprocess.run([str(Path(sys.executable).with_name("negotiator")), "db", "upgrade"], check=True,
                   capture_output=True)
    body = (ROOT / "examples" / "requests" / "card_cny.json").read_bytes()
    environ = EnvironBuilder(path="/v1/quotes", method="POST", data=body,
                             headers={"Content-Type": "application/json", "X-API-Key": KEY}).get_environ()
    real, answer = quotes.quote, {}

    def engine(req, registry, channel="agent", today=None):   # the engine's answer, made once
        if not answer:
            answer["text"] = json.dumps(real(req, registry, channel=channel, today=today))
        return json.loads(answer["text"])

    quotes.quote = engine
    kept = {"instrument": telemetry.instrument_app, "headers": telemetry.answer_headers,
            "observe": Metrics.observe, "keep": Records.keep_quote}

    def build(off: str):
        telemetry.instrument_app = (lambda app, t: None) if off == "telemetry" else kept["instrument"]
        telemetry.answer_headers = (lambda h: None) if off == "telemetry" else kept["headers"]
        import negotiator.service.compression as compression
        plain = compression.compress
        if off == "compress":
            compression.compress = lambda resp, *a: resp
        try:
            app = create_app()
        finally:
            compression.compress = plain
        if off == "session":
            from flask.sessions import SessionInterface

            class Null(SessionInterface):
                def open_session(self, app, request):
                    return self.make_null_session(app)

                def save_session(self, *a):
                    pass
            app.session_interface = Null()
        return app

    def switch(off: str) -> None:   # the parts switched off per call, not per app
        Metrics.observe = (lambda *a: None) if off == "metrics" else kept["observe"]  # type: ignore[method-assign]
        Records.keep_quote = (lambda *a: None) if off == "store write" else kept["keep"]  # type: ignore
        logging.getLogger("negotiator.access").setLevel("WARNING" if off == "access log" else "INFO")

    def call(app) -> None:
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(body)
        status = []
        out = app(env, lambda s, h, e=None: status.append(s))
        b"".join(out)
        getattr(out, "close", lambda: None)()
        if not status[0].startswith(("200", "201")):
            raise SystemExit(f"in-process quote answered {status[0]}")

    import contextlib
    # The access lines are formatted and written, to nowhere.
    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
        try:
            apps = {off: build(off) for off in ("", *PARTS)}
            best = dict.fromkeys(apps, float("inf"))
            for off, app in apps.items():
                switch(off)
                for _ in range(200):
                    call(app)
            for _ in range(rounds):
                for off, app in apps.items():
                    switch(off)
                    t0 = time.process_time()
                    for _ in range(requests):
                        call(app)
                    best[off] = min(best[off], (time.process_time() - t0) / requests * 1e6)
            t0 = time.process_time()
            for _ in range(requests):
                engine(None, None)
            stub = (time.process_time() - t0) / requests * 1e6
        finally:
            switch("")
            data.cleanup()
    total = best[""] - stub
    return {"cpu_us_per_quote_without_engine": total,
            "parts_us": {part: best[""] - best[part] for part in PARTS},
            "rest_us": total - sum(best[""] - best[part] for part in PARTS)}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(cmd: list[str], port: int, workers: int, data_dir: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEGOTIATOR_")}
    env.update(NEGOTIATOR_PORT=str(port), NEGOTIATOR_WORKERS=str(workers), NEGOTIATOR_DEV="1",
               NEGOTIATOR_PORTAL_RATE_LIMIT="off", NEGOTIATOR_DATA_DIR=data_dir,
               PYTHONPATH=os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(ROOT / "benchmarks")) if p))
    # The service keeps every quote in its store (issue 8): an embedded one, migrated as scripts/run does.
    # From the current folder: gunicorn puts it first on sys.path, so the negotiator measured is the one
    # PYTHONPATH and the folder name (benchmarks/same_run.py runs an earlier tree this way).
    subprocess.run([str(Path(sys.executable).with_name("negotiator")), "db", "upgrade"], cwd=os.getcwd(), env=env,
                   check=True, capture_output=True)
    proc = subprocess.Popen(cmd, cwd=os.getcwd(), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server on port {port} did not start: {' '.join(cmd)}")


def _wrk(url: str, body: str, connections: int, duration: int, tmp: Path) -> dict:
    script = tmp / "post.lua"
    script.write_text('wrk.method = "POST"\n'
                      f"wrk.body = {json.dumps(body)}\n"
                      'wrk.headers["Content-Type"] = "application/json"\n'
                      f'wrk.headers["X-API-Key"] = "{KEY}"\n'
                      "done = function(summary, latency, requests)\n"
                      '  local e = summary.errors\n'
                      '  io.write(string.format("STATUS non2xx=%d errors=%d\\n", e.status,'
                      " e.connect + e.read + e.write + e.timeout))\n"
                      "end\n")
    threads = min(2, connections)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script),
                          url], capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pattern = r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$"
    lat = {m.group(1): _ms(m.group(2), m.group(3)) for m in re.finditer(pattern, out, re.M)}
    status = re.search(r"STATUS non2xx=(\d+) errors=(\d+)", out)
    return {"rps": rps, "p50_ms": lat["50"], "p99_ms": lat["99"], "non2xx": int(status.group(1)),
            "socket_errors": int(status.group(2))}


def _worker_class() -> str:
    from negotiator import gunicorn_conf
    return gunicorn_conf.worker_class.rsplit(".", 1)[-1] + " workers"


def _worker_rss_mib(master: int) -> list[float]:
    """Resident memory (VmRSS) of each worker process of the gunicorn whose master is ``master``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master) and "VmRSS" in fields:
            out.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(out)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    ap.add_argument("--connections", type=int, nargs="+", default=[8, 64])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-class", default=None,
                    help="gunicorn worker class for both servers (default: negotiator/gunicorn_conf.py's); "
                         "'sync' gives the figures of before issue 9")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--warmup", type=int, default=2,
                    help="seconds of load on each server before measuring, not counted (default 2; 0: none)")
    ap.add_argument("--in-process", action="store_true",
                    help="CPU per quote of the app called in-process, engine excluded, and of each part of the path")
    ap.add_argument("--requests", type=int, default=1000, help="requests per round (--in-process)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds, the best kept (--in-process)")
    args = ap.parse_args(argv)
    if args.in_process:
        figures = in_process(args.requests, args.rounds)
        print(f"in-process, engine excluded: {figures['cpu_us_per_quote_without_engine']:.0f} µs CPU per quote")
        for part, us in figures["parts_us"].items():
            print(f"  {part:<14}{us:>7.0f} µs")
        print(f"  {'the rest':<14}{figures['rest_us']:>7.0f} µs (Flask, werkzeug, body, JSON, hooks, auth)")
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
        return 0
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    request = json.loads((ROOT / "examples" / "requests" / "card_cny.json").read_text(encoding="utf-8"))
    bodies = {"quote (schedules: all)": json.dumps(request),
              "quote (schedules: recommended)": json.dumps({**request, "schedules": "recommended"})}
    qport, eport = _port(), _port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    klass = ["-k", args.worker_class] if args.worker_class else []
    conf = [gunicorn, "-c", "python:negotiator.gunicorn_conf", *klass]
    data = tempfile.TemporaryDirectory()
    servers = [_start([*conf, "negotiator.service:create_app()"], qport, args.workers, data.name),
               _start([*conf, "bench_http:echo_app()"], eport, args.workers, data.name)]
    results: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.warmup:   # each worker's first requests (its connections, lazy imports) are not measured
                _wrk(f"http://127.0.0.1:{eport}/echo", bodies["quote (schedules: all)"], 8, args.warmup, Path(tmp))
                _wrk(f"http://127.0.0.1:{qport}/v1/quotes", bodies["quote (schedules: all)"], 8, args.warmup,
                     Path(tmp))
            for c in args.connections:
                echo = _wrk(f"http://127.0.0.1:{eport}/echo", bodies["quote (schedules: all)"], c, args.duration,
                            Path(tmp))
                results.append({"endpoint": "echo (Flask + marshmallow)", "connections": c, **echo})
                for name, body in bodies.items():
                    r = _wrk(f"http://127.0.0.1:{qport}/v1/quotes", body, c, args.duration, Path(tmp))
                    results.append({"endpoint": name, "connections": c, **r, "ratio": r["rps"] / echo["rps"]})
        worker_mib = _worker_rss_mib(servers[0].pid)
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait(timeout=40)
        data.cleanup()
    print(f"gunicorn workers={args.workers} ({args.worker_class or _worker_class()}), "
          f"{args.duration}s per row, wrk on 127.0.0.1, "
          f"{os.cpu_count()} CPUs, body {len(bodies['quote (schedules: all)'])} bytes")
    print(f"{'endpoint':<32}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs echo':>9}{'non-2xx':>9}")
    for r in results:
        ratio = f"{r['ratio']:.0%}" if "ratio" in r else "-"
        print(f"{r['endpoint']:<32}{r['connections']:>6}{r['rps']:>10.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
              f"{ratio:>9}{r['non2xx'] + r['socket_errors']:>9}")
    print("resident memory per quote worker after the run: " + ", ".join(f"{m:.0f} MiB" for m in worker_mib))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": results, "worker_rss_mib": worker_mib}, indent=2),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
