"""The gunicorn side of the service: its worker class and its logger.

``negotiator/gunicorn_conf.py`` names these classes; nothing here is used
when the app runs under another WSGI server.

**Worker.** :class:`Worker` is gunicorn's gevent worker: each connection is a
greenlet, so a connection that sends its request slowly costs a few
kilobytes, not a worker. Reading a request's line and headers is bounded by
gunicorn's ``keepalive`` seconds in total (gunicorn's ``timeout_ctx``), after
which the connection is closed; each connection carries one request; up to ``worker_connections`` connections are
held per worker. The engine's work is CPU-bound and runs one request at a
time per worker, as with sync workers.

**Errors gunicorn answers itself** (a request line or header it cannot
parse, 400; a request line over ``limit_request_line``, 414; too many or too
large header fields, 431; an unsupported transfer coding, 501) are written
as ``application/problem+json`` like the app's, with a request id, instead
of gunicorn's HTML page. Their log line names the error's class only: the
message would quote the request.
"""

from __future__ import annotations

import gc
import json
import logging
import uuid

from gunicorn import util
from gunicorn.glogging import Logger
from gunicorn.http import errors as http_errors
from gunicorn.workers.ggevent import GeventWorker

from negotiator.app.problems import PROBLEM_TYPE, problem_body
from negotiator.service.logs import JsonFormatter

access = logging.getLogger("negotiator.access")

#: gunicorn's own client errors: status, reason, problem slug and the detail a client gets.
_BAD = (400, "Bad Request", "bad_request", "The request line or a header could not be parsed.")
GUNICORN_ERRORS: list[tuple[type, tuple[int, str, str, str]]] = [
    (http_errors.LimitRequestLine, (414, "URI Too Long", "uri_too_long", "The request line is too long.")),
    (http_errors.LimitRequestHeaders, (431, "Request Header Fields Too Large", "headers_too_large",
                                       "Too many header fields, or a header field too large.")),
    (http_errors.UnsupportedTransferCoding, (501, "Not Implemented", "unsupported_transfer_coding",
                                             "Transfer-Encoding must be chunked (or absent).")),
    (http_errors.ExpectationFailed, (417, "Expectation Failed", "expectation_failed",
                                     "Only 'Expect: 100-continue' is supported.")),
    (http_errors.ForbiddenProxyRequest, (403, "Forbidden", "forbidden", "Proxy requests are not allowed.")),
    (http_errors.InvalidChunkSize, (400, "Bad Request", "malformed_body", "The body's chunked framing is broken.")),
    (http_errors.ChunkMissingTerminator, (400, "Bad Request", "malformed_body",
                                          "The body's chunked framing is broken.")),
    (http_errors.ParseException, _BAD),
]


def classify(exc: BaseException) -> tuple[int, str, str, str] | None:
    """``(status, reason, slug, detail)`` for an error of the client's making; None for one of ours (500).

    >>> classify(http_errors.LimitRequestLine(9000, 4094))[:2]
    (414, 'URI Too Long')
    >>> classify(ValueError("x")) is None
    True
    """
    for cls, answer in GUNICORN_ERRORS:
        if isinstance(exc, cls):
            return answer
    return None


def problem_bytes(status: int, reason: str, slug: str, detail: str, request_id: str) -> bytes:
    """A complete HTTP/1.1 response carrying a problem document; the connection is closed after it."""
    status, doc = problem_body(slug, detail, request_id=request_id)
    body = json.dumps(doc).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\nX-Request-ID: {request_id}\r\nX-Content-Type-Options: nosniff\r\n\r\n")
    return head.encode("latin-1") + body


class ProblemErrors:
    """Mixin for a gunicorn worker: its own error answers as problem+json, logged without the request's words."""

    def handle_error(self, req, client, addr, exc):
        answer = classify(exc)
        rid = uuid.uuid4().hex
        if answer is None:
            self.log.exception("error handling a request", extra={"request_id": rid})
            answer = (500, "Internal Server Error", "internal",
                      "The service failed to answer; the error is logged under this request id.")
        access.info("request", extra={"request_id": rid, "method": "OTHER", "route": "(unparsed)",
                                      "status": answer[0],
                                      "remote_addr": (addr or ("",))[0] or None})
        try:
            util.write_nonblock(client, problem_bytes(*answer, rid))
        except Exception:   # noqa: BLE001 - the client may be gone
            self.log.debug("could not send the error answer")


class Worker(ProblemErrors, GeventWorker):
    """gunicorn's gevent worker, answering its own errors as problem+json, one request per connection.

    Closing after each answer (as sync workers do) keeps the two workers
    evenly loaded: a worker busy with a quote does not accept, so the next
    connection goes to the idle one, whereas kept-alive connections stay
    with whichever worker accepted them first.

    The objects of the app the master built (``preload_app``: the modules,
    the compiled kernels' wrappers, the policies, some 150,000 objects) are
    frozen out of the garbage collector's reach just before the fork
    (:func:`gc.freeze`, made in the master, where gunicorn makes the worker):
    a worker's full collection then looks only at what it made itself,
    instead of stopping every request of the worker for 0.1-0.2 s to look
    at the app it never frees (issue 22), and does not write to (copy) the
    pages it shares with the master.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        gc.freeze()   # in the master, just before gunicorn forks this worker

    def handle_request(self, listener_name, req, sock, addr):
        req.must_close = True
        return super().handle_request(listener_name, req, sock, addr)


class JsonLogger(Logger):
    """gunicorn's error log as JSON lines, exception messages withheld (they can quote a request)."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
