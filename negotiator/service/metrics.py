"""Prometheus metrics, hand-rolled: request counts and latency histograms per route, method and status.

One :class:`Metrics` per process. Under gunicorn, where each worker is a
process, each worker keeps its figures in a file of the shared folder,
``metrics-<pid>.bin``, mapped into memory: each request's count goes into
the file's pages as it is made, so a worker killed with SIGKILL loses
nothing (the kernel keeps what was written into a shared mapping), where a
snapshot written once a second lost up to a second of counts.
``GET /metrics`` adds up every worker's file, so a scrape sees the whole
server whichever worker answers it. Files of workers that have exited are
kept, so counters never go backwards.

A file is a header (magic and the number of series) and fixed slots, one
per series: the series' labels, its count, its sum of seconds and its
bucket counts. A slot is filled before the header counts it, so a reader
never sees half a series.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
import time
from bisect import bisect_left
from collections import defaultdict
from pathlib import Path

#: Histogram bucket upper bounds, in seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

_MAGIC = b"NGM1"
_HEADER = struct.Struct("<4sI")
_LABELS = 120
_SLOT = struct.Struct(f"<{_LABELS}sQd{len(BUCKETS)}Q")
#: Series a worker's file holds (routes x methods x statuses stays far below); more are kept in memory only.
MAX_SERIES = 512
_SIZE = _HEADER.size + MAX_SERIES * _SLOT.size


def _encode(key: tuple[str, str, str]) -> bytes | None:
    raw = "\x1f".join(key).encode("utf-8")
    return raw if len(raw) <= _LABELS else None


#: The figures of one slot after its labels: count, sum of seconds, bucket counts.
_FIGURES = struct.Struct(f"<Qd{len(BUCKETS)}Q")


class _Series:
    """One label set's figures, and where they go in the worker's file (None: in memory only).

    Made once per label set: a request adds to its series and writes its figures (not its labels) into the
    slot, without building a key or a dict.
    """

    __slots__ = ("count", "total", "buckets", "offset")

    def __init__(self) -> None:
        self.count, self.total, self.buckets = 0, 0.0, [0] * len(BUCKETS)
        self.offset: int | None = None


class Metrics:
    def __init__(self, directory: str = "", flush_every: float = 1.0):
        self.lock = threading.Lock()
        self.directory = Path(directory) if directory else None
        self.flush_every = flush_every     # kept for callers; figures are written as they are made
        self._pid: int | None = None
        self._map: mmap.mmap | None = None
        self._series: dict[tuple[str, str, int], _Series] = {}
        self._used = 0   # slots of the file in use
        self.started = time.time()

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self.lock:
            if self.directory is not None and self._pid != os.getpid():
                self._open()
            series = self._series.get((route, method, status))
            if series is None:
                series = self._series[(route, method, status)] = self._new(route, method, status)
            series.count += 1
            series.total += seconds
            b = series.buckets
            for i in range(bisect_left(BUCKETS, seconds), len(b)):   # cumulative: every bound at or above
                b[i] += 1
            if series.offset is not None and self._map is not None:
                _FIGURES.pack_into(self._map, series.offset, series.count, series.total, *b)

    def _new(self, route: str, method: str, status: int) -> _Series:
        """A label set's series, given a slot of the file when there is one free (its labels written there)."""
        series = _Series()
        labels = _encode((route, method, str(status)))
        if self._map is not None and labels is not None and self._used < MAX_SERIES:
            offset = _HEADER.size + self._used * _SLOT.size
            _SLOT.pack_into(self._map, offset, labels, 0, 0.0, *series.buckets)
            self._used += 1
            _HEADER.pack_into(self._map, 0, _MAGIC, self._used)   # the slot is filled before the header counts it
            series.offset = offset + _LABELS
        return series

    # -- the worker's file
    def _open(self) -> None:
        """Map this process's file (after a fork the parent's figures and mapping are not ours)."""
        self._pid = os.getpid()
        self._series = {}
        self._used = 0
        self._map = None
        assert self.directory is not None   # observe() opens a file only when there is a folder
        try:
            path = self.directory / f"metrics-{self._pid}.bin"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.ftruncate(fd, _SIZE)
                self._map = mmap.mmap(fd, _SIZE)
            finally:
                os.close(fd)
            _HEADER.pack_into(self._map, 0, _MAGIC, 0)
        except OSError:
            self._map = None   # metrics must never fail a request: this worker's figures stay in memory

    def flush(self) -> None:
        """Nothing to do: the figures are in the mapped file as soon as they are counted."""

    def _merged(self) -> tuple[dict, dict, dict]:
        counts: dict[tuple, int] = defaultdict(int)
        sums: dict[tuple, float] = defaultdict(float)
        buckets: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))

        def add(key, n, total, b):
            counts[key] += n
            sums[key] += total
            buckets[key] = [x + y for x, y in zip(buckets[key], b)]

        with self.lock:
            # This process's series not in a file: it has none, or they are beyond the file's slots.
            own = [((r, m, str(st)), x.count, x.total, list(x.buckets)) for (r, m, st), x in self._series.items()
                   if x.offset is None or self._map is None]
        if self.directory is not None:
            for path in self.directory.glob("metrics-*.bin"):
                for key, n, total, b in read_file(path):
                    add(key, n, total, b)
        for key, n, total, b in own:
            add(key, n, total, b)
        return counts, sums, buckets

    def render(self, extra: dict[str, tuple[str, float]] | None = None) -> str:
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


def read_file(path: Path) -> list[tuple[tuple, int, float, list[int]]]:
    """The series of one worker's file; an unreadable or foreign file gives none."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if len(data) < _HEADER.size:
        return []
    magic, used = _HEADER.unpack_from(data, 0)
    if magic != _MAGIC or _HEADER.size + used * _SLOT.size > len(data):
        return []
    out = []
    for i in range(used):
        labels, n, total, *b = _SLOT.unpack_from(data, _HEADER.size + i * _SLOT.size)
        parts = labels.rstrip(b"\0").decode("utf-8", "replace").split("\x1f")
        if len(parts) == 3:
            out.append((tuple(parts), n, total, list(b)))
    return out


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(route: str, method: str, status: str) -> str:
    return f'route="{_escape(route)}",method="{_escape(method)}",status="{status}"'
