"""Fixtures for the HTTP service: an app with one key per channel, its test client, a live gunicorn."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from negotiator.service import Config, create_app

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "examples" / "requests"
AGENT_KEY = "agent-key-0123456789abcdef"
PORTAL_KEY = "portal-key-0123456789abcdef"
PORTAL_KEY_2 = "portal-key-2-0123456789abcdef"
BATCH_KEY = "batch-key-0123456789abcdef"
KEYS = f"agent:{AGENT_KEY},portal:{PORTAL_KEY},portal:{PORTAL_KEY_2},batch:{BATCH_KEY}"


def headers(key: str = AGENT_KEY, **extra) -> dict:
    return {"X-API-Key": key, **extra}


def quote_body() -> dict:
    return json.loads((REQUESTS / "card_cny.json").read_text(encoding="utf-8"))


def proposal_body(**proposal) -> dict:
    body = json.loads((REQUESTS / "proposal_payment.json").read_text(encoding="utf-8"))
    if proposal:
        body["proposal"] = proposal
    return copy.deepcopy(body)


def make_config(**over) -> Config:
    values = {"api_keys": KEYS, "portal_rate_limit": "10000/minute", "cors_origins": "https://portal.example.com"}
    values.update(over)
    return Config(**values)


@pytest.fixture
def app():
    return create_app(make_config())


@pytest.fixture
def client(app):
    return app.test_client()


class LogCapture:
    """The JSON lines the service's loggers write, captured in memory."""

    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        from negotiator.service.logs import JsonFormatter
        self.handler.setFormatter(JsonFormatter())

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self, logger: str | None = None) -> list[dict]:
        out = [json.loads(line) for line in self.text.splitlines() if line.strip()]
        return [r for r in out if logger is None or r["logger"] == logger]


@pytest.fixture
def logs():
    cap = LogCapture()
    loggers = [logging.getLogger(n) for n in ("negotiator.access", "negotiator.service")]
    for lg in loggers:
        lg.addHandler(cap.handler)
    yield cap
    for lg in loggers:
        lg.removeHandler(cap.handler)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not become ready")


@contextlib.contextmanager
def serve(log: Path, **env_over: str):
    """``negotiator serve`` (gunicorn) on a free loopback port, its output in ``log``; stopped on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEGOTIATOR_")}
    env.update(NEGOTIATOR_PORT=str(port), NEGOTIATOR_WORKERS="2", NEGOTIATOR_PORTAL_RATE_LIMIT="off")
    env.update(env_over)
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "negotiator.cli", "serve"], cwd=ROOT, env=env,
                                stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, proc)
        yield {"url": url, "port": port, "proc": proc, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=35)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """``negotiator serve`` (gunicorn, 2 workers) on a free loopback port in development mode."""
    with serve(tmp_path_factory.mktemp("live") / "serve.log") as server:
        yield server
