"""The portal rate limit: moving windows per key, in a store every worker (and every machine) shares.

A limit is one or more windows, ``"60/minute;10/second"``: a request is let
through when, in each window, fewer than its limit of requests were let
through in the last window-length of time; then it counts in every window.
Refused requests do not count, so a client that waits as told gets in.

When a request is refused, the wait returned is exact: the time until enough
of the requests counted in every full window have aged out of it, over all
the windows (a spent minute budget is waited out even when the second's is
free). The service sends it rounded up to whole seconds as ``Retry-After``,
only on 429s.

Every check also says what is left of each window (:class:`Usage`): the
service answers it on every limited request as ``RateLimit-Policy`` and
``RateLimit`` (IETF draft-ietf-httpapi-ratelimit-headers, structured fields,
RFC 8941), see :func:`Usage.headers`.

Stores, chosen by ``NEGOTIATOR_RATE_LIMIT_STORAGE``:

- ``redis://host:port/db`` (or ``rediss://``): one Redis for every machine;
  each check is one Lua script, atomic, on the Redis server's clock.
- ``sqlite:///path/file.db``: a file every worker of one machine opens; each
  check is one ``BEGIN IMMEDIATE`` transaction. The default under
  ``negotiator serve``, in the folder the workers share.
- ``memory://``: this process only (tests, ``serve --dev``).

>>> windows = parse("3/second;5 per 2 minutes")
>>> [(w.limit, w.seconds) for w in windows]
[(3, 1), (5, 120)]
>>> store = MemoryStore(clock=iter([0.0, 0.1, 0.2, 0.3, 1.05]).__next__)
>>> [store.hit("k", windows) for _ in range(5)]
[0.0, 0.0, 0.0, 0.7, 0.0]
>>> store = MemoryStore(clock=iter([0.0, 0.25]).__next__)
>>> store.take("k", windows)
Usage(wait=0.0, remaining=(2, 4), reset=(1.0, 120.0))
>>> store.take("k", windows).headers(windows)
{'RateLimit-Policy': '"second";q=3;w=1, "2-minutes";q=5;w=120', 'RateLimit': '"second";r=1;t=1, "2-minutes";r=3;t=120'}
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_WINDOW_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d+\s*)?(second|minute|hour|day)s?\s*$")


class StoreUnavailable(RuntimeError):
    """The shared store cannot be reached; the request is refused (503), not let through unlimited."""


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int
    text: str
    #: The window's name in ``RateLimit-Policy`` and ``RateLimit`` ("minute", "2-minutes").
    name: str = ""


@dataclass(frozen=True)
class Usage:
    """One check: the wait (0.0 when let through, and then counted), and for each window the requests left in it
    and the seconds until its oldest counted request leaves it (a unit of quota comes back; 0.0 when none is
    counted)."""

    wait: float
    remaining: tuple[int, ...]
    reset: tuple[float, ...]

    def headers(self, windows: tuple[Window, ...]) -> dict[str, str]:
        """``RateLimit-Policy`` (each window's quota ``q`` and length ``w`` in seconds) and ``RateLimit`` (what
        is left, ``r``, and the seconds until a unit returns, ``t``, rounded up), as structured-field lists."""
        policy = ", ".join(f'"{w.name}";q={w.limit};w={w.seconds}' for w in windows)
        left = ", ".join(f'"{w.name}";r={r};t={math.ceil(t - 1e-9) if t > 0 else 0}'
                         for w, r, t in zip(windows, self.remaining, self.reset, strict=True))
        return {"RateLimit-Policy": policy, "RateLimit": left}


def _usage(wait: float, windows: tuple[Window, ...], counts: list[int], oldest: list[float | None],
           now: float) -> Usage:
    """A :class:`Usage` from each window's count (after this request, when it was let through) and oldest stamp."""
    return Usage(max(wait, 0.0), tuple(max(0, w.limit - n) for w, n in zip(windows, counts, strict=True)),
                 tuple(0.0 if o is None else max(0.0, o + w.seconds - now)
                       for w, o in zip(windows, oldest, strict=True)))


def parse(spec: str) -> tuple[Window, ...]:
    """``"60/minute;10/second"`` (also ``"5 per 2 minutes"``) as windows; ValueError when malformed."""
    out = []
    for part in spec.split(";"):
        m = _WINDOW_RE.match(part)
        if not m or int(m.group(1)) < 1 or (m.group(2) is not None and int(m.group(2)) < 1):
            raise ValueError(f"not a rate limit: {part.strip()!r}")
        n = int(m.group(2) or 1)
        unit = m.group(3) + ("s" if n > 1 else "")
        out.append(Window(int(m.group(1)), n * _UNITS[m.group(3)],
                          f"{m.group(1)} per {unit}" if n == 1 else f"{m.group(1)} per {n} {unit}",
                          unit if n == 1 else f"{n}-{unit}"))
    return tuple(out)


def retry_after(wait: float) -> int:
    """Whole seconds to tell a refused client: the wait rounded up, at least 1.

    >>> retry_after(0.01), retry_after(1.0), retry_after(59.2)
    (1, 1, 60)
    """
    return max(1, math.ceil(wait - 1e-9))


def _wait(stamps: list[float], limit: int, seconds: int, now: float) -> float:
    """Seconds until fewer than ``limit`` of ``stamps`` (ascending, all inside the window) remain in it."""
    if len(stamps) < limit:
        return 0.0
    return stamps[len(stamps) - limit] + seconds - now


class MemoryStore:
    """This process only."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self.lock = threading.Lock()
        self.hits: dict[tuple[str, int], deque] = defaultdict(deque)

    def hit(self, key: str, windows: tuple[Window, ...]) -> float:
        return self.take(key, windows).wait

    def take(self, key: str, windows: tuple[Window, ...]) -> Usage:
        now = self.clock()
        with self.lock:
            wait = 0.0
            queues = [self.hits[(key, i)] for i in range(len(windows))]
            for q, w in zip(queues, windows, strict=True):
                while q and q[0] <= now - w.seconds:
                    q.popleft()
                wait = max(wait, _wait(list(q), w.limit, w.seconds, now))
            if wait <= 0:
                for q in queues:
                    q.append(now)
            return _usage(wait, windows, [len(q) for q in queues], [q[0] if q else None for q in queues], now)

    def ping(self) -> None:
        return None


class SQLiteStore:
    """A file shared by the worker processes of one machine."""

    def __init__(self, path: str | Path, clock=time.time):
        self.path, self.clock = str(path), clock
        self.local = threading.local()
        with self._db() as db:
            db.execute("CREATE TABLE IF NOT EXISTS hits (k TEXT NOT NULL, w INTEGER NOT NULL, t REAL NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS hits_kwt ON hits (k, w, t)")

    def _db(self) -> sqlite3.Connection:
        """This thread's connection; a forked worker opens its own (a connection must not cross a fork)."""
        db = getattr(self.local, "db", None)
        if db is None or getattr(self.local, "pid", None) != os.getpid():
            self.local.pid = os.getpid()
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            self.local.db = db
        return db

    def hit(self, key: str, windows: tuple[Window, ...]) -> float:
        return self.take(key, windows).wait

    def take(self, key: str, windows: tuple[Window, ...]) -> Usage:
        try:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                now = self.clock()
                wait = 0.0
                seen = []
                for i, w in enumerate(windows):
                    db.execute("DELETE FROM hits WHERE k = ? AND w = ? AND t <= ?", (key, i, now - w.seconds))
                    stamps = [r[0] for r in db.execute("SELECT t FROM hits WHERE k = ? AND w = ? ORDER BY t",
                                                       (key, i))]
                    seen.append(stamps)
                    wait = max(wait, _wait(stamps, w.limit, w.seconds, now))
                if wait <= 0:
                    db.executemany("INSERT INTO hits VALUES (?, ?, ?)", [(key, i, now) for i in range(len(windows))])
                    seen = [[*stamps, now] for stamps in seen]
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"rate-limit file: {type(exc).__name__}") from None
        return _usage(wait, windows, [len(x) for x in seen], [x[0] if x else None for x in seen], now)

    def ping(self) -> None:
        try:
            self._db().execute("SELECT count(*) FROM hits WHERE k = ''").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"rate-limit file: {type(exc).__name__}") from None


#: KEYS: one sorted set per window; ARGV: limit and seconds per window, then a unique member.
#: Returns "<wait> <now>" then, per window, " <count> <oldest stamp or -1>": the wait is 0 when let through (and
#: counted, the counts including it).
_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local span = tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  local n = redis.call('ZCARD', key)
  if n >= limit then
    local e = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
    local w = tonumber(e[2]) + span - now
    if w > wait then wait = w end
  end
end
if wait <= 0 then
  for i, key in ipairs(KEYS) do
    redis.call('ZADD', key, now, ARGV[#ARGV])
    redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 * i]) * 1000))
  end
end
local out = string.format('%.6f %.6f', wait, now)
for i, key in ipairs(KEYS) do
  local n = redis.call('ZCARD', key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  out = out .. string.format(' %d %s', n, first[2] or '-1')
end
return out
"""


class RedisStore:
    """One Redis shared by every machine (keys ``negotiator:rl:{<key>}:<window>``)."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0,
                                          health_check_interval=30)
        self.script = self.redis.register_script(_LUA)
        self.errors = (redis.RedisError, OSError)

    def hit(self, key: str, windows: tuple[Window, ...]) -> float:
        return self.take(key, windows).wait

    def take(self, key: str, windows: tuple[Window, ...]) -> Usage:
        keys = [f"negotiator:rl:{{{key}}}:{w.limit}/{w.seconds}" for w in windows]
        args = [x for w in windows for x in (w.limit, w.seconds)] + [uuid.uuid4().hex]
        try:
            raw = self.script(keys=keys, args=args)
        except self.errors as exc:
            raise StoreUnavailable(f"rate-limit Redis: {type(exc).__name__}") from None
        parts = (raw.decode() if isinstance(raw, bytes) else str(raw)).split()
        wait, now = float(parts[0]), float(parts[1])
        counts = [int(x) for x in parts[2::2]]
        oldest = [None if float(x) < 0 else float(x) for x in parts[3::2]]
        return _usage(wait, windows, counts, oldest, now)

    def ping(self) -> None:
        try:
            self.redis.ping()
        except self.errors as exc:
            raise StoreUnavailable(f"rate-limit Redis: {type(exc).__name__}") from None


def open_store(uri: str, shared_dir: str = ""):
    """The store a ``NEGOTIATOR_RATE_LIMIT_STORAGE`` value names ("" = a file in ``shared_dir``, else memory)."""
    if not uri:
        return SQLiteStore(Path(shared_dir) / "ratelimit.sqlite3") if shared_dir else MemoryStore()
    if uri == "memory://":
        return MemoryStore()
    if uri.startswith("sqlite:///"):
        return SQLiteStore(uri.removeprefix("sqlite://"))
    return RedisStore(uri)


class RateLimiter:
    """The configured windows over a store; :meth:`check` answers ``(allowed, retry_after_seconds)``,
    :meth:`take` the whole :class:`Usage`."""

    def __init__(self, spec: str, store):
        self.windows, self.store = parse(spec), store

    def take(self, key: str) -> Usage:
        return self.store.take(key, self.windows)

    def check(self, key: str) -> tuple[bool, int]:
        wait = self.take(key).wait
        return (True, 0) if wait <= 0 else (False, retry_after(wait))

    def headers(self, usage: Usage) -> dict[str, str]:
        """``RateLimit-Policy`` and ``RateLimit`` of ``usage`` (see :meth:`Usage.headers`)."""
        return usage.headers(self.windows)

    @property
    def text(self) -> str:
        return "; ".join(w.text for w in self.windows)
