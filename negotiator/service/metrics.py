"""Prometheus metrics, hand-rolled: request counts and latency histograms per route, method and status.

One :class:`Metrics` per process. Under gunicorn, where each worker is a
process, each worker also writes a snapshot of its figures into a shared
folder (from a background thread, once a second when something changed, and
when it exits); ``GET /metrics`` adds up
every worker's latest snapshot, with its own live figures, so a scrape sees
the whole server whichever worker answers it. Snapshots of workers that have
exited are kept, so counters never go backwards.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict
from pathlib import Path

#: Histogram bucket upper bounds, in seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self, directory: str = "", flush_every: float = 1.0):
        self.lock = threading.Lock()
        self.counts: dict[tuple, int] = defaultdict(int)
        self.sums: dict[tuple, float] = defaultdict(float)
        self.buckets: dict[tuple, list[int]] = {}
        self.directory = Path(directory) if directory else None
        self.flush_every = flush_every
        self._dirty = False
        self._flusher_pid = None
        self.started = time.time()

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, str(status))
        with self.lock:
            self.counts[key] += 1
            self.sums[key] += seconds
            b = self.buckets.get(key)
            if b is None:
                b = self.buckets[key] = [0] * len(BUCKETS)
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    b[i] += 1
            self._dirty = True
        if self.directory is not None and self._flusher_pid != os.getpid():
            self._start_flusher()

    def _start_flusher(self) -> None:
        # Started lazily, in the worker process (threads do not survive gunicorn's fork).
        self._flusher_pid = os.getpid()

        def loop():
            while True:
                time.sleep(self.flush_every)
                if self._dirty:
                    self.flush()

        threading.Thread(target=loop, name="metrics-flush", daemon=True).start()

    # -- sharing between gunicorn workers
    def _snapshot(self) -> dict:
        with self.lock:
            return {"series": [[list(k), self.counts[k], self.sums[k], self.buckets[k]] for k in self.counts]}

    def flush(self) -> None:
        """Write this process's figures to ``<dir>/metrics-<pid>.json`` (atomically)."""
        if self.directory is None:
            return
        self._dirty = False
        path = self.directory / f"metrics-{os.getpid()}.json"
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(self._snapshot()), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass   # metrics must never fail a request

    def _merged(self) -> tuple[dict, dict, dict]:
        counts: dict[tuple, int] = defaultdict(int)
        sums: dict[tuple, float] = defaultdict(float)
        buckets: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        snaps = []
        own = f"metrics-{os.getpid()}.json"
        if self.directory is not None:
            for p in self.directory.glob("metrics-*.json"):
                if p.name == own:
                    continue
                try:
                    snaps.append(json.loads(p.read_text(encoding="utf-8")))
                except (OSError, ValueError):
                    continue
        snaps.append(self._snapshot())
        for snap in snaps:
            for key, n, s, b in snap["series"]:
                key = tuple(key)
                counts[key] += n
                sums[key] += s
                buckets[key] = [x + y for x, y in zip(buckets[key], b)]
        return counts, sums, buckets

    def render(self, extra: dict[str, float] | None = None) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        counts, sums, buckets = self._merged()
        out = ["# HELP negotiator_http_requests_total HTTP requests answered, by route, method and status.",
               "# TYPE negotiator_http_requests_total counter"]
        for (route, method, status), n in sorted(counts.items()):
            out.append(f"negotiator_http_requests_total{{{_labels(route, method, status)}}} {n}")
        out += ["# HELP negotiator_http_request_duration_seconds Time to answer an HTTP request.",
                "# TYPE negotiator_http_request_duration_seconds histogram"]
        for key in sorted(counts):
            labels = _labels(*key)
            for bound, c in zip(BUCKETS, buckets[key]):
                out.append(f'negotiator_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {c}')
            out.append(f'negotiator_http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {counts[key]}')
            out.append(f"negotiator_http_request_duration_seconds_sum{{{labels}}} {sums[key]:.6f}")
            out.append(f"negotiator_http_request_duration_seconds_count{{{labels}}} {counts[key]}")
        for name, (help_text, value) in (extra or {}).items():
            out += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value}"]
        return "\n".join(out) + "\n"


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(route: str, method: str, status: str) -> str:
    return f'route="{_escape(route)}",method="{_escape(method)}",status="{status}"'
