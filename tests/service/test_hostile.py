"""The hostile audit of issue 9, against a live gunicorn with real keys, and the log grep that closes it.

Every hostile body carries marker amounts and a marker hardship reason; the
last test reads the server's whole log and finds none of them.
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
import urllib.request

import pytest

from .conftest import AGENT_KEY, KEYS, headers, proposal_body, quote_body
from .test_errors import assert_problem

#: Values no log line may hold: amounts and words from the hostile bodies.
MARKERS = ("98765.43", "87654.32", "76543.21", "SECRET-HARDSHIP-REASON")
#: Seconds the hostile server gives a client to send its request line and headers.
HEADER_TIMEOUT = 3


def marked_quote() -> dict:
    body = quote_body()
    body["account"].update(balance="98765.43", arrears="7654.00", fees="0")
    body["finances"].update(monthly_income="87654.32", monthly_expenses="76543.21")
    body["finances"]["hardship"]["reason"] = "SECRET-HARDSHIP-REASON"
    return body


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from .conftest import serve
    with serve(tmp_path_factory.mktemp("hostile") / "serve.log", NEGOTIATOR_API_KEYS=KEYS,
               NEGOTIATOR_HEADER_TIMEOUT=str(HEADER_TIMEOUT)) as s:
        yield s


def exchange(server, raw: bytes, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Send raw bytes, read until the server closes: status, headers (lower-case names), body."""
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=timeout) as s:
        s.sendall(raw)
        data = b""
        while True:
            try:
                part = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not part:
                break
            data += part
            head, sep, rest = data.partition(b"\r\n\r\n")
            if sep:
                hdrs = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:])
                hdrs = {k.lower(): v for k, v in hdrs.items()}
                if "content-length" in hdrs and len(rest) >= int(hdrs["content-length"]):
                    break
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    return status, {k.lower(): v for k, v in (x.split(": ", 1) for x in lines[1:])}, body


def chunked_post(path: str, chunks: bytes, key: str = AGENT_KEY) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode() + chunks


def problem_of(status: int, hdrs: dict, body: bytes, expect: int) -> dict:
    assert status == expect, body[:300]
    assert hdrs["content-type"] == "application/problem+json"
    p = json.loads(body)
    assert p["status"] == expect and p["type"].startswith("urn:negotiator:problem:")
    return p


# ---------------------------------------------------------------- 3. broken chunked bodies, year-9999 dates

def _body_bytes() -> bytes:
    return json.dumps(marked_quote()).encode()


@pytest.mark.parametrize("chunks", [
    b"zz\r\n" + _body_bytes() + b"\r\n0\r\n\r\n",                       # not hex
    b"-5\r\n" + _body_bytes() + b"\r\n0\r\n\r\n",                       # negative
    b"10\r\n" + _body_bytes()[:16] + b"XX" + _body_bytes()[16:] + b"\r\n0\r\n\r\n",  # no terminator
    b"%x\r\n" % 100 + _body_bytes()[:100] + b"\r\nzz" + _body_bytes()[100:] + b"\r\n0\r\n\r\n",  # bad second size
    b"%x\r\n" % (len(_body_bytes()) + 50) + _body_bytes(),              # cut short (client half-closes)
], ids=["zz", "negative", "no-terminator", "bad-second-size", "cut-short"])
def test_malformed_chunked_body_is_400_problem(server, chunks):
    raw = chunked_post("/v1/quotes", chunks)
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=10) as s:
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while part := s.recv(65536):
            data += part
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {k.lower(): v for k, v in (x.split(": ", 1) for x in lines[1:])}
    p = problem_of(int(lines[0].split()[1]), hdrs, body, 400)
    assert p["errors"] == [{"field": "(body)", "pointer": "", "message": "The body could not be read."}]
    assert not any(m.encode() in body for m in MARKERS)


def test_broken_chunked_body_in_process_is_400(client):
    """The same refusal when the WSGI server's reader raises (here: a stream that fails mid-read)."""
    from gunicorn.http.errors import InvalidChunkSize

    class Broken:
        def read(self, *a):
            raise InvalidChunkSize(b"zz" + _body_bytes())

        readline = read

    r = client.post("/v1/quotes", headers=headers(**{"Content-Type": "application/json",
                                                     "Transfer-Encoding": "chunked"}),
                    environ_overrides={"wsgi.input": Broken(), "wsgi.input_terminated": True})
    p = assert_problem(r, 400)
    assert "98765" not in r.get_data(as_text=True) and p["errors"][0]["field"] == "(body)"


def _far(body: dict, path: str, value) -> dict:
    *parents, leaf = path.split(".")
    node = body
    for k in parents:
        node = node.setdefault(k, {})
    node[leaf] = value
    return body


@pytest.mark.parametrize("endpoint,path,value,field", [
    ("/v1/quotes", "as_of", "9999-12-31", "as_of"),
    ("/v1/quotes", "as_of", "9990-01-01", "as_of"),
    ("/v1/quotes", "as_of", "0001-01-01", "as_of"),
    ("/v1/quotes", "account.history.opened_on", "9999-12-31", "account.history.opened_on"),
    ("/v1/quotes", "account.history.reage_dates", ["9999-12-31"], "account.history.reage_dates.0"),
    ("/v1/proposals", "as_of", "9990-01-01", "as_of"),
])
def test_dates_near_the_year_9999_are_422(server, logs, client, endpoint, path, value, field):
    body = marked_quote() if endpoint == "/v1/quotes" else {**proposal_body(term_months=600)}
    body = _far(body, path, value)
    for r in (client.post(endpoint, json=body, headers=headers()),):
        p = assert_problem(r, 422)
        assert field in [e["field"] for e in p["errors"]]
    raw = json.dumps(body).encode()
    req = (f"POST {endpoint} HTTP/1.1\r\nHost: x\r\nX-API-Key: {AGENT_KEY}\r\nContent-Type: application/json\r\n"
           f"Content-Length: {len(raw)}\r\nConnection: close\r\n\r\n").encode() + raw
    problem_of(*exchange(server, req), 422)
    assert logs.records("negotiator.service") == []


def test_the_last_plan_date_of_the_latest_as_of_fits(client):
    """The engine plans from the contract's last day; the service no longer takes it (dates are the server's)."""
    from negotiator.engine.proposals import propose
    from negotiator.policy import PolicyRegistry
    body = proposal_body(term_months=600)
    body["as_of"] = "2199-12-31"
    assert propose(body, PolicyRegistry.load())["as_of"] == "2199-12-31"
    r = client.post("/v1/proposals", json=body, headers=headers())
    assert r.status_code == 422 and [e["field"] for e in r.get_json()["errors"]] == ["as_of"]


def test_error_log_lines_withhold_exception_messages(logs, monkeypatch):
    from negotiator.service import create_app

    from .conftest import make_config

    def boom(req, *a, **k):
        raise ValueError(f"cannot read {req['account']['balance']} for {req['finances']['hardship']['reason']}")

    monkeypatch.setattr("negotiator.service.quotes.quote", boom)
    r = create_app(make_config()).test_client().post("/v1/quotes", json=marked_quote(), headers=headers())
    assert r.status_code == 500
    line = logs.records("negotiator.service")[-1]
    assert line["error"] == "ValueError" and "message withheld" in line["traceback"]
    assert not any(m in logs.text for m in MARKERS)


# ---------------------------------------------------------------- the log grep (keep last in this module)

def test_zz_server_log_of_the_hostile_suite_holds_no_body_or_amount(server):
    """Runs after every test above that hit the live server: its log never holds a marker or a key."""
    text = server["log"].read_text(encoding="utf-8", errors="replace")
    assert '"status": 400' in text or '"status":400' in text.replace(" ", ""), "the suite's requests were not logged"
    for marker in (*MARKERS, AGENT_KEY):
        assert marker not in text, f"{marker} found in the server log"
    for line in text.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            assert "traceback" not in record or "message withheld" in record["traceback"]


# ---------------------------------------------------------------- 5. loose parsing

#: Words of Python's own messages that must not reach a client.
PYTHONISMS = ("set_int_max_str_digits", "utf-8-sig", "Decimal", "InvalidOperation", "int()", "float(", "Traceback",
              "fromisoformat", "decode using")


def _no_python(r) -> None:
    text = r.get_data(as_text=True)
    assert not any(w in text for w in PYTHONISMS), text


@pytest.mark.parametrize("value", ["１２０００", "12_000", "1_2000.00", "1e4", "+12000", " 12000", "12000 ", "0x2EE0",
                                   "١٢٠٠٠", "12,000", ".", "", "Infinity", "NaN", "12000\n"])
def test_amounts_are_ascii_decimal_strings_or_numbers(client, value):
    body = quote_body()
    body["account"]["balance"] = value
    p = assert_problem(client.post("/v1/quotes", json=body, headers=headers()), 422)
    assert p["errors"] == [{"field": "account.balance", "pointer": "/account/balance",
                            "message": "Not a valid number (a decimal string or a JSON number)."}]


@pytest.mark.parametrize("value", ["300", "300.00", 300, 300.5, "0.5", "0"])
def test_plain_amounts_still_read(client, value):
    body = quote_body()
    body["account"]["fees"] = value
    assert client.post("/v1/quotes", json=body, headers=headers()).status_code == 201


@pytest.mark.parametrize("value", ["20261123", "2026-11-23T00:00:00", "2026-W48-1", "2026-327", "２０２６-11-23",
                                   "2026-11-23 ", "26-11-23", "2026-1-23", "2026-02-30", 20261123])
def test_dates_are_iso_yyyy_mm_dd_only(client, value):
    body = quote_body()
    body["as_of"] = value
    p = assert_problem(client.post("/v1/quotes", json=body, headers=headers()), 422)
    assert p["errors"] == [{"field": "as_of", "pointer": "/as_of", "message": "Not a valid date."}]


@pytest.mark.parametrize("raw,needle", [
    (b'{"a": ' + b"9" * 5000 + b"}", "more than 40 digits"),
    (b'{"a": -' + b"9" * 41 + b"}", "more than 40 digits"),
    (b'{"a": ' + b"9" * 400 + b".5}", "too large"),
    (b"\xef\xbb\xbf" + json.dumps(quote_body()).encode(), "byte order mark"),
    ('{"é": 1, "é": 2}'.encode(), 'duplicate key "é"'),
])
def test_body_messages_speak_of_the_request_not_python(client, raw, needle):
    r = client.post("/v1/quotes", data=raw, headers=headers(**{"Content-Type": "application/json"}))
    p = assert_problem(r, 400)
    assert needle in p["detail"]
    _no_python(r)


def test_long_integer_in_an_amount_field_is_a_field_error(client):
    body = quote_body()
    body["account"]["balance"] = 10**39
    p = assert_problem(client.post("/v1/quotes", json=body, headers=headers()), 422)
    assert p["errors"] == [{"field": "account.balance", "pointer": "/account/balance",
                            "message": "Must be at most 1,000,000,000."}]


# ---------------------------------------------------------------- 6. echo and format

def test_unknown_field_names_are_capped_and_sanitised(client):
    body = quote_body()
    body["x" * 60_000] = 1
    body["<script>alert(1)</script>"] = 2
    r = client.post("/v1/quotes", json=body, headers=headers())
    p = assert_problem(r, 400)
    assert len(r.data) < 2_000, len(r.data)
    assert "<script>" not in r.get_data(as_text=True)
    fields = {e["field"] for e in p["errors"]}
    assert "?script?alert(1)??script?" in fields and ("x" * 64 + "…") in fields


def test_many_unknown_fields_list_twenty_and_count_the_rest(client):
    body = quote_body()
    body["account"].update({f"k{i}": i for i in range(500)})
    r = client.post("/v1/quotes", json=body, headers=headers())
    p = assert_problem(r, 400)
    assert len(p["errors"]) == 21 and p["errors"][-1] == {"field": "(more)", "message": "480 more errors not shown."}
    assert p["detail"].endswith(" and 480 more.")
    assert len(r.data) < 4_000


def test_unknown_policy_name_is_capped(client):
    r = client.get("/v1/policies/" + "<b>" * 5000, headers=headers())
    p = assert_problem(r, 404)
    assert "<b>" not in p["detail"] and len(r.data) < 1_000


@pytest.mark.parametrize("path", ["/v1/quotes", "/v1/policies", "/healthz", "/nowhere"])
def test_options_answers_have_no_html(client, path):
    r = client.options(path, headers=headers())
    assert r.mimetype != "text/html"
    if r.status_code < 400:
        assert r.status_code == 204 and r.data == b"" and "Allow" in r.headers
    else:
        assert_problem(r, r.status_code)


def test_cors_preflight_is_a_204_without_body(client):
    r = client.options("/v1/quotes", headers={"Origin": "https://portal.example.com",
                                              "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "X-API-Key, Content-Type"})
    assert r.status_code == 204 and r.data == b"" and "Content-Type" not in r.headers
    assert r.headers["Access-Control-Allow-Origin"] == "https://portal.example.com"


def _raw_request(head: str) -> bytes:
    return head.encode("latin-1") + b"\r\n\r\n"


@pytest.mark.parametrize("raw,status", [
    (_raw_request("GET /" + "a" * 5000 + " HTTP/1.1\r\nHost: x"), 414),
    (_raw_request("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b" * 9000), 431),
    (_raw_request("GET /healthz HTTP/1.1\r\nHost: x\r\n" + "".join(f"X-H{i}: 1\r\n" for i in range(120))).replace(
        b"\r\n\r\n\r\n", b"\r\n\r\n"), 431),
    (b"GARBAGE\r\n\r\n", 400),
    (_raw_request("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1"), 400),
    (_raw_request("GET /healthz HTTP/9.9\r\nHost: x"), 400),
    (_raw_request("POST /v1/quotes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: bogus"), 501),
    (_raw_request("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6"), 400),
], ids=["414-line", "431-field-size", "431-field-count", "400-garbage", "400-header-name", "400-version",
        "501-coding", "400-two-lengths"])
def test_gunicorn_own_errors_are_problem_json(server, raw, status):
    st, hdrs, body = exchange(server, raw)
    p = problem_of(st, hdrs, body, status)
    assert hdrs["x-request-id"] == p["request_id"]
    assert b"<html" not in body.lower()


def test_live_options_is_a_204(server):
    st, hdrs, body = exchange(server, _raw_request("OPTIONS /v1/quotes HTTP/1.1\r\nHost: x\r\nConnection: close"))
    assert st == 204 and body == b"" and "content-type" not in hdrs


# ---------------------------------------------------------------- 2. slow clients

class SlowClients:
    """``n`` connections that each send a request a byte at a time, reconnecting when the server cuts them off.

    Half dribble their headers (slowloris), half send complete headers and then dribble the body.
    ``cut`` records how long the server let each slow-header connection live.
    """

    def __init__(self, port: int, n: int, every: float = 0.5):
        self.port, self.n, self.every = port, n, every
        self.stop = threading.Event()
        self.cut: list[float] = []
        self.open = 0
        self.threads = [threading.Thread(target=self._run, args=(i % 2 == 0,), daemon=True) for i in range(n)]

    def _run(self, headers_slowly: bool) -> None:
        body = json.dumps(marked_quote()).encode()
        head = (f"POST /v1/quotes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"X-API-Key: {AGENT_KEY}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        while not self.stop.is_set():
            # The clock starts before connecting: the server's header clock cannot start earlier, so a
            # measured life is never shorter than the server's own, however long this thread then waits
            # for the GIL among 50 others (it once read 2.49 s for a 3 s timeout when started afterwards).
            t0 = time.monotonic()
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=self.every)
            except OSError:
                continue
            data = head if headers_slowly else body
            if not headers_slowly:
                s.sendall(head)
            try:
                for i in range(len(data)):
                    if self.stop.is_set():
                        break
                    s.sendall(data[i:i + 1])
                    try:
                        if s.recv(1024) == b"":
                            raise ConnectionResetError
                    except TimeoutError:
                        pass   # nothing from the server yet: still held open
            except OSError:
                if headers_slowly:
                    self.cut.append(time.monotonic() - t0)
            finally:
                s.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=5)


def _timed(url: str, data: bytes | None = None) -> float:
    req = urllib.request.Request(url, data=data, headers={"X-API-Key": AGENT_KEY, "Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
        assert r.status == (200 if data is None else 201)   # a quote is kept: 201
    return time.perf_counter() - t0


def test_fifty_slow_clients_leave_health_and_quotes_answering(server):
    """Issue 9.2: two slow connections used to block both sync workers (/healthz took 30.5 s).

    With 50 slow connections held open for twice the header timeout, /healthz and quotes still answer in
    their normal time (bounds generous for a shared 2-core machine), and the server cuts off every
    connection that dribbles its headers once the header timeout has passed.
    """
    url, body = server["url"], json.dumps(quote_body()).encode()
    base_h = [_timed(url + "/healthz") for _ in range(5)]
    base_q = [_timed(url + "/v1/quotes", body) for _ in range(5)]
    with SlowClients(server["port"], 50) as slow:
        time.sleep(1.0)
        under_h, under_q = [], []
        deadline = time.monotonic() + 2 * HEADER_TIMEOUT
        while time.monotonic() < deadline:
            under_h.append(_timed(url + "/healthz"))
            under_q.append(_timed(url + "/v1/quotes", body))
            time.sleep(0.1)
    print(f"healthz median {statistics.median(base_h) * 1000:.1f} -> {statistics.median(under_h) * 1000:.1f} ms, "
          f"quote median {statistics.median(base_q) * 1000:.1f} -> {statistics.median(under_q) * 1000:.1f} ms, "
          f"slow-header connections cut after {min(slow.cut or [0]):.1f}-{max(slow.cut or [0]):.1f} s")
    assert max(under_h) < 1.0 and max(under_q) < 2.0
    assert statistics.median(under_q) < 5 * statistics.median(base_q) + 0.1
    assert slow.cut, "the server never cut off a connection that dribbled its headers"
    assert all(HEADER_TIMEOUT - 0.5 <= c <= HEADER_TIMEOUT + 2.5 for c in slow.cut), slow.cut


# ---------------------------------------------------------------- 7. contract gaps: the document says what is enforced

def _doc_errors(doc: dict, name: str, body: dict) -> list[str]:
    from jsonschema import Draft202012Validator
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return [e.message for e in Draft202012Validator(schema).iter_errors(body)]


@pytest.fixture(scope="module")
def doc():
    from negotiator.service.openapi import build_spec
    return json.loads(json.dumps(build_spec()))


def _loan() -> dict:
    body = quote_body()
    body["account"].update(product="loan", remaining_term_months=24)
    return body


@pytest.mark.parametrize("name,endpoint,make,field", [
    ("ProposalRequest", "/v1/proposals", lambda: proposal_body(monthly_payment=0), "proposal.monthly_payment"),
    ("ProposalRequest", "/v1/proposals", lambda: proposal_body(monthly_payment="0.00"), "proposal.monthly_payment"),
    ("QuoteRequest", "/v1/quotes", lambda: _far(quote_body(), "finances.income_lines", []), "finances.income_lines"),
    ("QuoteRequest", "/v1/quotes", lambda: _far(quote_body(), "finances.expense_lines", []),
     "finances.expense_lines"),
    ("QuoteRequest", "/v1/quotes", lambda: _far(quote_body(), "account.remaining_term_months", 24),
     "account.remaining_term_months"),
    ("QuoteRequest", "/v1/quotes", lambda: {k: v for k, v in _loan().items()} | {
        "account": {k: v for k, v in _loan()["account"].items() if k != "remaining_term_months"}},
     "account.remaining_term_months"),
], ids=["payment-0", "payment-0.00", "income-lines-empty", "expense-lines-empty", "term-on-card", "loan-no-term"])
def test_what_the_server_refuses_the_document_refuses(client, doc, name, endpoint, make, field):
    body = make()
    assert _doc_errors(doc, name, body), "the document accepts a body the server refuses"
    p = assert_problem(client.post(endpoint, json=body, headers=headers()), 422)
    assert field in [e["field"] for e in p["errors"]]


@pytest.mark.parametrize("name,endpoint,make", [
    ("ProposalRequest", "/v1/proposals", lambda: proposal_body(monthly_payment="0.01")),
    ("QuoteRequest", "/v1/quotes", _loan),
    ("QuoteRequest", "/v1/quotes", quote_body),
])
def test_what_the_document_accepts_the_server_accepts(client, doc, name, endpoint, make):
    body = make()
    assert _doc_errors(doc, name, body) == []
    assert client.post(endpoint, json=body, headers=headers()).status_code == 201


# ---------------------------------------------------------------- 8. metrics survive a killed worker

def _workers(master: int) -> list[int]:
    from pathlib import Path
    text = Path(f"/proc/{master}/task/{master}/children").read_text()
    return [int(x) for x in text.split()]


def test_metrics_lose_nothing_when_workers_are_killed(tmp_path):
    """Count 40 requests, SIGKILL every worker at once (no time to write anything), scrape: still 40."""
    import os
    import signal

    from .conftest import serve
    with serve(tmp_path / "serve.log", NEGOTIATOR_API_KEYS=KEYS) as s:
        for _ in range(40):
            urllib.request.urlopen(s["url"] + "/healthz", timeout=10).read()
        old = _workers(s["proc"].pid)
        assert len(old) == 2
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(s["url"] + "/metrics", timeout=5) as r:
                    text = r.read().decode()
                if not set(old) & set(_workers(s["proc"].pid)):
                    break
            except OSError:
                time.sleep(0.2)
        line = next(x for x in text.splitlines()
                    if x.startswith('negotiator_http_requests_total{route="/healthz",method="GET",status="200"}'))
        assert float(line.rsplit(" ", 1)[1]) == 40
        # gunicorn loses a SIGTERM that reaches a worker still booting (it then waits out the graceful
        # timeout, 30 s): let the new workers finish booting before the server is stopped.
        time.sleep(1.5)
