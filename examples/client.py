"""A small client for the negotiator HTTP service, standard library only.

Usage::

    python examples/client.py demo                       # every endpoint once
    python examples/client.py arrangement-demo           # quote on the portal, accept, pay twice, read, events
    python examples/client.py quote examples/requests/card_cny.json
    python examples/client.py propose examples/requests/proposal_payment.json
    python examples/client.py policies [NAME]

``--url`` (default ``$NEGOTIATOR_URL`` or http://127.0.0.1:8080) and
``--key`` (default ``$NEGOTIATOR_KEY`` or the development agent key) say
where and as whom. Errors arrive as :class:`ApiError` holding the
``application/problem+json`` body.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent


class ApiError(Exception):
    """A non-2xx answer: ``status`` and the problem document (``title``, ``detail``, ``errors``)."""

    def __init__(self, status: int, problem: dict):
        self.status, self.problem = status, problem
        fields = "; ".join(f"{e['field']}: {e['message']}" for e in problem.get("errors", []))
        text = f"{status} {problem.get('title')}: {problem.get('detail')}"
        super().__init__(text + (f" [{fields}]" if fields else ""))


class Client:
    def __init__(self, url: str, key: str, timeout: float = 10.0):
        self.url, self.key, self.timeout = url.rstrip("/"), key, timeout
        self.last_request_id: str | None = None

    def _call(self, method: str, path: str, body: dict | None = None, auth: bool = True, key: str | None = None,
              headers: dict | None = None):
        headers = {"Accept": "application/json", "X-Request-ID": uuid.uuid4().hex, **(headers or {})}
        if auth:
            headers["X-API-Key"] = key or self.key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                self.last_request_id = resp.headers.get("X-Request-ID")
                raw = resp.read().decode()
                return json.loads(raw) if resp.headers.get_content_type().endswith("json") else raw
        except urllib.error.HTTPError as exc:
            raw = exc.read().decode()
            try:
                problem = json.loads(raw)
            except ValueError:
                problem = {"title": exc.reason, "detail": raw[:200]}
            raise ApiError(exc.code, problem) from None

    def quote(self, request: dict) -> dict:
        return self._call("POST", "/v1/quotes", request)

    def propose(self, request: dict) -> dict:
        return self._call("POST", "/v1/proposals", request)

    def policies(self) -> list[dict]:
        return self._call("GET", "/v1/policies")["policies"]

    def policy(self, name: str) -> dict:
        return self._call("GET", f"/v1/policies/{name}")

    def health(self) -> dict:
        return self._call("GET", "/healthz", auth=False)

    def ready(self) -> dict:
        return self._call("GET", "/readyz", auth=False)

    def metrics(self) -> str:
        return self._call("GET", "/metrics", auth=False)

    def openapi(self) -> dict:
        return self._call("GET", "/openapi.json", auth=False)

    # Stored records (issue 8). ``key`` overrides the client's key for one call (e.g. a portal key).
    def stored_quote(self, quote_id: str, key: str | None = None) -> dict:
        return self._call("GET", f"/v1/quotes/{quote_id}", key=key)

    def accept(self, quote_id: str, option_id: str, accepted_by: str, idempotency_key: str | None = None,
               replaces: str | None = None, key: str | None = None) -> dict:
        """Accept an option. Keep ``idempotency_key`` to retry safely: the same key and body answer the same."""
        body = {"quote_id": quote_id, "option_id": option_id, "accepted_by": accepted_by}
        if replaces:
            body["replaces"] = replaces
        return self._call("POST", "/v1/arrangements", body, key=key,
                          headers={"Idempotency-Key": idempotency_key or uuid.uuid4().hex})

    def decide(self, arrangement_id: str, decision: str, decided_by: str, key: str | None = None) -> dict:
        return self._call("POST", f"/v1/arrangements/{arrangement_id}/decision",
                          {"decision": decision, "decided_by": decided_by}, key=key)

    def pay(self, arrangement_id: str, reference: str, amount: str, paid_on: str, as_of: str | None = None,
            key: str | None = None) -> dict:
        body = {"reference": reference, "amount": amount, "paid_on": paid_on, **({"as_of": as_of} if as_of else {})}
        return self._call("POST", f"/v1/arrangements/{arrangement_id}/payments", body, key=key)

    def arrangement(self, arrangement_id: str, as_of: str | None = None, key: str | None = None) -> dict:
        query = f"?as_of={as_of}" if as_of else ""
        return self._call("GET", f"/v1/arrangements/{arrangement_id}{query}", key=key)

    def events(self, arrangement_id: str, key: str | None = None) -> list[dict]:
        return self._call("GET", f"/v1/arrangements/{arrangement_id}/events", key=key)["events"]

    def account_arrangements(self, account_id: str, as_of: str | None = None, key: str | None = None) -> list[dict]:
        query = f"?as_of={as_of}" if as_of else ""
        return self._call("GET", f"/v1/accounts/{account_id}/arrangements{query}", key=key)["arrangements"]


def _load(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def demo(c: Client) -> None:
    """Call every endpoint once and print one line for each."""
    print("health:", c.health()["status"], "| ready:", c.ready()["status"])
    names = [p["name"] for p in c.policies()]
    print("policies:", ", ".join(names))
    p = c.policy("default")
    print(f"policy default: version {p['version']}, {len(p)} fields")
    q = c.quote(_load(HERE / "requests" / "card_cny.json"))
    print(f"quote {q['quote_id']}: {len(q['options'])} options, recommended {q['recommended_option_id']}")
    for o in q["options"]:
        print(f"  {o['type']:<20} {o['monthly_payment']:>10} x {o['term_months']:>3}  approval {o['approval']}")
    w = c.propose(_load(HERE / "requests" / "proposal_payment.json"))
    plan = w["plan"]["type"] if w["plan"] else None
    print(f"proposal: plan {plan}, within policy {w['within_policy']}, approval {w['approval']}")
    try:
        c.quote({"account": {}, "finances": {}})
    except ApiError as exc:
        print(f"invalid request: {exc.status}, {len(exc.problem['errors'])} field errors")
    print("metrics:", sum(1 for line in c.metrics().splitlines() if line.startswith("negotiator_http_requests_total")),
          "series | openapi:", c.openapi()["openapi"])


def arrangement_demo(c: Client, portal_key: str) -> None:
    """The borrower's path: quote on the portal, accept the first option, pay twice, read back, see it break.

    The portal quotes as of the server's day (an ``as_of`` other than today is refused), and payments are
    recorded on the day they are made: both are today's here, made early; the reads then look ahead.
    """
    request = _load(HERE / "requests" / "card_cny.json")
    request.pop("as_of", None)
    request["account"]["account_id"] = account = f"DEMO-{uuid.uuid4().hex[:8]}"
    q = c.quote(request) if portal_key is None else c._call("POST", "/v1/quotes", request, key=portal_key)
    first = q["options"][0]
    print(f"portal quote {q['quote_id']} for {account}: first option {first['type']} "
          f"{first['monthly_payment']} x {first['term_months']}")
    a = c.accept(q["quote_id"], first["option_id"], "borrower", key=portal_key)
    aid, dues = a["arrangement_id"], a["instalments"]
    print(f"accepted: {aid} {a['status']}, {len(dues)} instalments from {a['first_payment_date']}")
    today = a["as_of"]     # the plan starts the day it is agreed (the server's day)
    c.pay(aid, "PAY-1", dues[0]["amount"], today)          # the lender's payment feed (an agent or batch key)
    c.pay(aid, "PAY-2", "100.00", today)
    now = c.arrangement(aid, as_of=dues[1]["due_date"], key=portal_key)
    print(f"as of {now['as_of']}: {now['status']}, paid {now['paid']}, outstanding {now['outstanding']}, "
          f"next due {now['next_due_date']}")
    for i in now["instalments"]:
        print(f"  #{i['number']} {i['due_date']} {i['amount']:>10} paid {i['paid']:>10}  {i['state']}")
    late = c.arrangement(aid, as_of=dues[-1]["due_date"], key=portal_key)
    late_day = late["as_of"]
    later = (dt.date.fromisoformat(dues[-1]["due_date"]) + dt.timedelta(days=late["grace_days"] + 1)).isoformat()
    after = c.arrangement(aid, as_of=later, key=portal_key)
    print(f"as of {late_day}: {late['status']}; as of {later}: {after['status']} "
          f"({sum(1 for i in after['instalments'] if i['state'] == 'missed')} missed, "
          f"{after['missed_instalments_allowed']} allowed; `negotiator arrangements review --as-of {later}` "
          "records it)")
    print("events:", ", ".join(e["type"] for e in c.events(aid, key=portal_key)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("NEGOTIATOR_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--key", default=os.environ.get("NEGOTIATOR_KEY", "dev-agent-key"))
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("demo")
    sub.add_parser("arrangement-demo").add_argument(
        "--portal-key", default=os.environ.get("NEGOTIATOR_PORTAL_KEY", "dev-portal-key"))
    for name in ("quote", "propose"):
        sub.add_parser(name).add_argument("request")
    sub.add_parser("policies").add_argument("name", nargs="?")
    args = ap.parse_args(argv)
    c = Client(args.url, args.key)
    try:
        if args.cmd == "demo":
            demo(c)
            return 0
        if args.cmd == "arrangement-demo":
            arrangement_demo(c, args.portal_key)
            return 0
        if args.cmd == "quote":
            out = c.quote(_load(args.request))
        elif args.cmd == "propose":
            out = c.propose(_load(args.request))
        else:
            out = c.policy(args.name) if args.name else c.policies()
    except ApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
