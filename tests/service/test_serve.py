"""``negotiator serve`` under gunicorn, the gunicorn settings, and the example scripts against a live server."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest

from negotiator import gunicorn_conf
from negotiator.serve import banner, prepare_environment
from negotiator.service import ConfigError

from .conftest import ROOT


def test_gunicorn_settings():
    assert gunicorn_conf.worker_class == "negotiator.service.server.Worker"
    assert gunicorn_conf.worker_connections >= 100 and 1 <= gunicorn_conf.keepalive <= 10
    assert gunicorn_conf.workers == gunicorn_conf.cores()
    assert gunicorn_conf.preload_app is True
    assert 0 < gunicorn_conf.timeout <= 60 and 0 < gunicorn_conf.graceful_timeout <= 60
    assert gunicorn_conf.bind == ["127.0.0.1:8080"] or os.environ.get("NEGOTIATOR_PORT")
    assert gunicorn_conf.wsgi_app == "negotiator.service:create_app()"


def test_each_instance_has_its_own_control_socket():
    """gunicorn 27 puts its control socket at one path per machine: two instances overwrote each other's."""
    a, b = gunicorn_conf.control_path(8080, {}), gunicorn_conf.control_path(8081, {})
    assert a != b and a.endswith("negotiator-8080.ctl")
    assert gunicorn_conf.control_path(8080, {"NEGOTIATOR_CONTROL_SOCKET": "/srv/n.ctl"}) == "/srv/n.ctl"
    assert gunicorn_conf.control_path(8080, {"NEGOTIATOR_CONTROL_SOCKET": "OFF"}) is None
    assert getattr(gunicorn_conf, "control_socket", None) == gunicorn_conf.control_path(
        gunicorn_conf.port, dict(os.environ)) or getattr(gunicorn_conf, "control_socket_disable", False)


def _args(**kw):
    return SimpleNamespace(**{"host": None, "port": None, "workers": None, "policy_dir": None, "dev": False, **kw})


def test_no_keys_on_loopback_is_development_mode():
    env: dict = {}
    host, port, dev = prepare_environment(_args(), env)
    assert (host, port, dev) == ("127.0.0.1", 8080, True)
    assert env["NEGOTIATOR_DEV"] == "1"


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "::"])
def test_no_keys_off_loopback_refuses_to_start(host):
    with pytest.raises(ConfigError, match="NEGOTIATOR_API_KEYS"):
        prepare_environment(SimpleNamespace(host=host, port=None, workers=None, policy_dir=None), {})
    with pytest.raises(ConfigError, match="NEGOTIATOR_DEV"):
        prepare_environment(SimpleNamespace(host=host, port=None, workers=None, policy_dir=None),
                            {"NEGOTIATOR_DEV": "1"})


def test_with_keys_any_host():
    env = {"NEGOTIATOR_API_KEYS": "agent:0123456789abcdefgh"}
    assert prepare_environment(_args(host="0.0.0.0", port=9000), env) == ("0.0.0.0", 9000, False)
    assert "NEGOTIATOR_DEV" not in env


def test_bad_port_names_the_variable():
    with pytest.raises(ConfigError, match="NEGOTIATOR_PORT"):
        prepare_environment(_args(), {"NEGOTIATOR_PORT": "http"})


def test_banner_says_where_and_how():
    text = banner("127.0.0.1", 8080, True, 2)
    assert "http://127.0.0.1:8080" in text and "dev-agent-key" in text and "DEVELOPMENT MODE" in text
    assert "curl" in text and "/v1/quotes" in text
    assert "dev-agent-key" not in banner("127.0.0.1", 8080, False, 2)


def test_serve_fails_fast_naming_the_variable(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEGOTIATOR_")},
           "NEGOTIATOR_DEV": "1", "NEGOTIATOR_MAX_BODY_BYTES": "huge"}
    p = subprocess.run([sys.executable, "-m", "negotiator.cli", "serve"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2
    assert "NEGOTIATOR_MAX_BODY_BYTES" in p.stderr


def test_live_server_prints_banner_and_serves(live_server):
    url = live_server["url"]
    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        assert json.load(r) == {"status": "ok"}
    text = live_server["log"].read_text()
    assert f"serving on {url}" in text and "dev-agent-key" in text


def test_live_chunked_body_over_the_limit_is_413(live_server):
    host, port = live_server["url"].removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    raw = json.dumps({"x": "y" * 70_000}).encode()
    body = (raw[i:i + 8192] for i in range(0, len(raw), 8192))
    conn.request("POST", "/v1/quotes", body=body, encode_chunked=True,
                 headers={"X-API-Key": "dev-agent-key", "Content-Type": "application/json",
                          "Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    assert r.status == 413
    assert r.getheader("Content-Type") == "application/problem+json"


def test_live_metrics_add_up_across_workers(live_server):
    url = live_server["url"]
    for _ in range(20):
        urllib.request.urlopen(url + "/readyz", timeout=5).read()
    time.sleep(2.5)   # each worker writes its figures once a second
    with urllib.request.urlopen(url + "/metrics", timeout=5) as r:
        text = r.read().decode()
    line = next(x for x in text.splitlines() if x.startswith('negotiator_http_requests_total{route="/readyz"'))
    assert float(line.rsplit(" ", 1)[1]) >= 20


def test_python_client_demo(live_server):
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "client.py"), "--url", live_server["url"], "demo"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "health: ok | ready: ready" in out
    assert "policies: cn-card, cn-loan, default, uk-conc, us-card" in out
    assert "recommended catch_up" in out
    assert "proposal: plan " in out
    assert "invalid request: 422" in out
    assert "openapi: 3.1.0" in out


def test_python_client_reports_problems(live_server):
    p = subprocess.run([sys.executable, str(ROOT / "examples" / "client.py"), "--url", live_server["url"],
                        "--key", "wrong-key-0123456789", "policies"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "401" in p.stderr


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("script,args,expect", [
    ("quote.sh", [], '"recommended_option_id":"catch_up"'),
    ("proposal.sh", [], '"within_policy":true'),
    ("policies.sh", [], '"name":"default"'),
    ("policies.sh", ["uk-conc"], '"name":"uk-conc"'),
    ("ops.sh", [], "openapi: 3.1.0"),
])
def test_curl_scripts(live_server, script, args, expect):
    env = {**os.environ, "NEGOTIATOR_URL": live_server["url"]}
    p = subprocess.run(["bash", str(ROOT / "examples" / "curl" / script), *args], capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode == 0, p.stderr + p.stdout
    assert expect in p.stdout


def test_curl_script_fails_on_a_problem(live_server):
    env = {**os.environ, "NEGOTIATOR_URL": live_server["url"], "NEGOTIATOR_KEY": "wrong-key-0123456789"}
    p = subprocess.run(["bash", str(ROOT / "examples" / "curl" / "policies.sh")], capture_output=True, text=True,
                       env=env, timeout=60)
    assert p.returncode != 0 and "urn:negotiator:problem:unauthorized" in p.stdout


def test_live_server_stops_gracefully(tmp_path):
    from .conftest import free_port, wait_ready
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEGOTIATOR_")}, "NEGOTIATOR_PORT": str(port),
           "NEGOTIATOR_WORKERS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "negotiator.cli", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}", proc)
        proc.terminate()
        out, _ = proc.communicate(timeout=40)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Shutting down" in out
