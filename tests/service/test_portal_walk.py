"""Issue 9.1 (the lead's engine change): the portal view is the same on every endpoint.

Walks every endpoint with a portal key over requests that reach every kind of answer (each example
request, a tight budget where nothing is affordable, proposals of payments, terms and lump sums
stepped down to where approvals and floors begin, invalid input) and checks each answer: only
options needing no approval, no internal figures, and no limit, floor or threshold in any message.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re

from .conftest import PORTAL_KEY, REQUESTS, headers, make_config

#: Keys that are internal wherever they appear.
INTERNAL = {"lender_npv", "concession_value"}
#: Words of messages that state a policy's limit, floor or threshold (issue 9.1's examples).
LIMIT_WORDS = re.compile(
    r"smallest plan payment|more than \d+(\.\d+)?\s*% of income|longer than the \d+|policy allows|"
    r"at most [\d.]+ under policy|maximum|minimum|limit|floor|threshold|allowed|上限|下限|最低|最高|不超过|至少",
    re.IGNORECASE)




def _bodies() -> list[dict]:
    out = []
    for path in sorted(REQUESTS.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        body.pop("proposal", None)
        out.append(body)
        tight = copy.deepcopy(body)                     # nothing affordable
        tight["finances"] = {"monthly_income": "1000", "monthly_expenses": "990"}
        out.append(tight)
        lump = copy.deepcopy(body)                      # a settlement from a lump sum
        lump["finances"]["lump_sum_available"] = lump["account"]["balance"]
        out.append(lump)
    return out


def _proposals(body: dict) -> list[dict]:
    owed = float(body["account"]["balance"]) + float(body["account"].get("fees", 0))
    out = [{"monthly_payment": p} for p in ("1", "50", "150", "300", "600", "1200")]
    out += [{"term_months": t} for t in (6, 24, 36, 60, 120, 600)]
    out += [{"lump_sum": f"{owed * share:.2f}"} for share in (1.0, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.3, 0.1)]
    return out


def _options(answer: dict) -> list[dict]:
    return [o for o in [*answer.get("options", ()), answer.get("plan"), answer.get("counter_offer")]
            if isinstance(o, dict)]


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in ([v] if k in ("message", "detail") and isinstance(v, str)
                                                        else _messages(v))]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    return []


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _check(where: str, answer: dict, problems: list[str]) -> None:
    for opt in _options(answer):
        if opt.get("approval") != "none":
            problems.append(f"{where}: option {opt.get('type')} needs approval {opt.get('approval')}")
    if answer.get("approval") not in (None, "none"):
        problems.append(f"{where}: proposal verdict needs approval {answer['approval']}")
    for k in _keys(answer) & INTERNAL:
        problems.append(f"{where}: internal figure {k}")
    for m in _messages(answer):
        if LIMIT_WORDS.search(m):
            problems.append(f"{where}: message states a limit: {m}")


def test_portal_walk_every_endpoint_and_message():
    from negotiator.service import create_app
    client = create_app(make_config(portal_rate_limit="off")).test_client()
    problems: list[str] = []
    stored = 0

    def read_back(where: str, answer: dict) -> None:
        """Each quote and what-if is kept: read back, it is the same portal view."""
        nonlocal stored
        if "quote_id" in answer:
            r = client.get(f"/v1/quotes/{answer['quote_id']}", headers=headers(PORTAL_KEY))
            assert r.status_code == 200, (where, r.get_json())
            _check(f"stored {where}", r.get_json(), problems)
            stored += 1

    clock = client.application.extensions["negotiator"]["clock"]
    for i, body in enumerate(_bodies()):
        if "as_of" in body:     # the portal quotes as of today: the server's day is the example's
            clock.set(dt.date.fromisoformat(body["as_of"]))
        r = client.post("/v1/quotes", json=body, headers=headers(PORTAL_KEY))
        _check(f"quote {i} ({r.status_code})", r.get_json(), problems)
        read_back(f"quote {i}", r.get_json())
        for prop in _proposals(body):
            r = client.post("/v1/proposals", json={**body, "proposal": prop}, headers=headers(PORTAL_KEY))
            _check(f"proposal {i} {prop} ({r.status_code})", r.get_json(), problems)
            read_back(f"proposal {i} {prop}", r.get_json())
    assert stored > 20
    for bad in ({"proposal": {"lump_sum": "1"}}, {"account": {"apr": "0.99"}}):
        body = _bodies()[0]
        for k, v in bad.items():
            body[k] = {**body.get(k, {}), **v}
        for path in ("/v1/quotes", "/v1/proposals"):
            r = client.post(path, json=body, headers=headers(PORTAL_KEY))
            _check(f"{path} {bad} ({r.status_code})", r.get_json(), problems)
    listing = client.get("/v1/policies", headers=headers(PORTAL_KEY)).get_json()
    _check("policies", listing, problems)
    for p in listing["policies"]:
        _check(f"policy {p['name']}", client.get(f"/v1/policies/{p['name']}", headers=headers(PORTAL_KEY)).get_json(),
               problems)
    uniq = sorted({re.sub(r"[0-9][0-9,.]*", "N", p.split(": ", 1)[1]) for p in problems})
    assert not problems, f"{len(problems)} portal leaks, e.g.:\n" + "\n".join(uniq[:60])
