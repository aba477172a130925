"""gunicorn settings for the negotiator service (``gunicorn -c python:negotiator.gunicorn_conf``).

gevent workers (``negotiator.service.server.Worker``), as many as cores,
the app built once in the master and forked (``preload_app``), bounded
timeouts, and a graceful shutdown that lets requests in flight finish. Each
connection is a greenlet, so slow clients cannot tie up a worker (issue 9:
two slow sockets used to stop both sync workers); a client has
``NEGOTIATOR_HEADER_TIMEOUT`` seconds to send its request line and headers;
one request per connection keeps the workers evenly loaded. Throughput
measured the same as sync workers' within the shared machine's noise.

Every setting can be overridden by a ``NEGOTIATOR_*`` variable:
``NEGOTIATOR_HOST`` / ``NEGOTIATOR_PORT`` (bind), ``NEGOTIATOR_WORKERS``,
``NEGOTIATOR_TIMEOUT``, ``NEGOTIATOR_GRACEFUL_TIMEOUT``, ``NEGOTIATOR_HEADER_TIMEOUT``,
``NEGOTIATOR_WORKER_CONNECTIONS``, ``NEGOTIATOR_CONTROL_SOCKET`` (a path, or ``off``).
"""

from __future__ import annotations

import os
import shutil
import tempfile


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"negotiator: {name}: must be a whole number, not {raw!r}") from None
    if not lo <= value <= hi:
        raise SystemExit(f"negotiator: {name}: must be between {lo} and {hi}")
    return value


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:   # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


host = os.environ.get("NEGOTIATOR_HOST", "127.0.0.1").strip() or "127.0.0.1"
port = _int("NEGOTIATOR_PORT", 8080, 1, 65535)
bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
workers = _int("NEGOTIATOR_WORKERS", cores(), 1, 64)
# gevent workers (a greenlet per connection) with problem+json for gunicorn's own errors: slow clients
# cost a greenlet each, not a worker (issue 9.2). See negotiator/service/server.py.
worker_class = "negotiator.service.server.Worker"
worker_connections = _int("NEGOTIATOR_WORKER_CONNECTIONS", 1000, 10, 100000)   # per worker
preload_app = True
timeout = _int("NEGOTIATOR_TIMEOUT", 30, 1, 600)              # a worker silent this long is restarted
graceful_timeout = _int("NEGOTIATOR_GRACEFUL_TIMEOUT", 30, 1, 600)   # SIGTERM: finish requests in flight
# gevent workers bound the reading of each request's line and headers by this many seconds in all
# (and an idle kept-alive connection by the same): a client that sends its headers slowly is cut off.
keepalive = _int("NEGOTIATOR_HEADER_TIMEOUT", 5, 1, 60)
backlog = 2048
max_requests = 20000            # recycle workers now and then (bounded memory), staggered by the jitter
max_requests_jitter = 2000
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
accesslog = None                # the app writes its own JSON access log (negotiator.access)
errorlog = "-"
logger_class = "negotiator.service.server.JsonLogger"   # JSON lines; no exception message (it may quote a body)
loglevel = os.environ.get("NEGOTIATOR_LOG_LEVEL", "info").lower()
proc_name = "negotiator"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "negotiator.service:create_app()"


def control_path(port: int, env: dict) -> str | None:
    """gunicorn's control socket (``gunicornc``): one per instance, named for its port, never gunicorn's one
    path per machine that a second instance overwrites (issue 19). ``NEGOTIATOR_CONTROL_SOCKET`` names it;
    ``off`` turns it off (None).

    >>> control_path(8081, {"XDG_RUNTIME_DIR": "/run/user/1000"})
    '/run/user/1000/negotiator-8081.ctl'
    >>> control_path(8081, {"NEGOTIATOR_CONTROL_SOCKET": "off"}) is None
    True
    """
    chosen = env.get("NEGOTIATOR_CONTROL_SOCKET", "").strip()
    if chosen.lower() == "off":
        return None
    return chosen or os.path.join(env.get("XDG_RUNTIME_DIR") or tempfile.gettempdir(), f"negotiator-{port}.ctl")


_control = control_path(port, dict(os.environ))
if _control is None:
    control_socket_disable = True
else:
    control_socket = _control

# A folder the workers share, made when this file is read: before the app is built (preload_app builds
# it in the master, before any server hook runs). It holds each worker's metrics file (written as
# requests are counted, so a killed worker loses nothing) and the rate limit's file.
_metrics_dir: list[str] = []
if not os.environ.get("NEGOTIATOR_METRICS_DIR"):
    _metrics_dir.append(tempfile.mkdtemp(prefix="negotiator-metrics-"))
    os.environ["NEGOTIATOR_METRICS_DIR"] = _metrics_dir[0]


def on_exit(server):
    for d in _metrics_dir:
        shutil.rmtree(d, ignore_errors=True)
