"""A dialler that asks the service before every call, standard library only (issue 21).

Usage::

    python examples/dialler.py demo                  # one account: calls until the policy says no more
    python examples/dialler.py follow-ups [--as-of DATE] [--timezone ZONE]   # today's work, each call asked first

Before each call the dialler asks ``GET /v1/accounts/{id}/contact-window?channel=call``; it dials only when
the answer is ``allowed``, and records every attempt with ``POST /v1/contacts`` (the count the next answer
reads). A refusal says why (each reason's code and message) and when the next call is allowed, which the
dialler would schedule. ``--url`` (default ``$NEGOTIATOR_URL`` or http://127.0.0.1:8080) and ``--key``
(default ``$NEGOTIATOR_KEY`` or the development agent key) say where and as whom.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import uuid
import zoneinfo
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from client import ApiError, Client  # noqa: E402 - the example client beside this file


def may_we_call(api: Client, account_id: str, policy: str, timezone: str | None, at: dt.datetime) -> dict:
    """The service's answer for a call to ``account_id`` at ``at`` (``timezone``: the borrower's, or None to
    use the one in their stored preferences)."""
    query = f"channel=call&policy={policy}&at={quote(at.isoformat())}"
    if timezone:
        query += f"&timezone={quote(timezone)}"
    return api._call("GET", f"/v1/accounts/{quote(account_id)}/contact-window?{query}")


def record_call(api: Client, account_id: str, policy: str, at: dt.datetime, outcome: str) -> dict:
    return api._call("POST", "/v1/contacts", {"account_id": account_id, "policy": policy, "channel": "call",
                                              "direction": "outbound", "at": at.isoformat(), "outcome": outcome})


def dial(api: Client, account_id: str, policy: str, timezone: str | None, outcome: str = "no_answer") -> bool:
    """Ask, then call only if allowed; ``True`` when the call was made (and recorded)."""
    now = dt.datetime.now(zoneinfo.ZoneInfo(timezone)) if timezone else dt.datetime.now(dt.UTC)
    answer = may_we_call(api, account_id, policy, timezone, now)
    if not answer["allowed"]:
        for reason in answer["reasons"]:
            print(f"  {account_id}: no call: [{reason['code']}] {reason['message']}")
        print(f"  {account_id}: next allowed at {answer['next_allowed_at'] or 'no time (facts must change)'}")
        return False
    record_call(api, account_id, policy, now, outcome)     # the dialler's real call would happen here
    print(f"  {account_id}: called at {now.isoformat(timespec='minutes')} ({outcome}), recorded")
    return True


def daytime_zone() -> str:
    """A zone where it is now between 09:00 and 19:00, so the demo is not stopped by the hours."""
    for name in ("America/New_York", "Europe/London", "Asia/Shanghai", "America/Los_Angeles", "Asia/Kolkata",
                 "Pacific/Auckland", "America/Sao_Paulo", "Asia/Tokyo", "Pacific/Honolulu"):
        if 9 <= dt.datetime.now(zoneinfo.ZoneInfo(name)).hour < 19:
            return name
    return "UTC"


def demo(api: Client) -> int:
    """Calls to one new us-card account until Regulation F's presumption stops them (the 8th in 7 days)."""
    account_id, zone = "DIAL-" + uuid.uuid4().hex[:8], daytime_zone()
    print(f"account {account_id}, borrower in {zone}, policy us-card")
    made = 0
    for _ in range(8):
        made += dial(api, account_id, "us-card", zone)
    print(f"{made} calls made; the 8th was refused" if made == 7 else f"{made} calls made")
    return 0 if made == 7 else 1


def follow_ups(api: Client, as_of: str | None, timezone: str) -> int:
    """Today's follow-ups: one call per account, each asked before it is made."""
    query = f"?timezone={quote(timezone)}&limit=100" + (f"&as_of={as_of}" if as_of else "")
    items, cursor = [], None
    while True:   # a page at a time, following next_cursor to the last page
        page = api._call("GET", f"/v1/follow-ups{query}" + (f"&cursor={quote(cursor)}" if cursor else ""))
        items += page["follow_ups"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    done: set[str] = set()
    for item in items:
        if item["account_id"] in done or item["channel"] != "call":
            continue
        done.add(item["account_id"])
        print(f"{item['account_id']}: {item['kind']} instalment {item['instalment']['number']} "
              f"({item['instalment']['due_date']})")
        try:    # the borrower's zone as stored in their preferences, else the one given here
            dial(api, item["account_id"], item["policy"]["name"], None)
        except ApiError as exc:
            if exc.status != 422:
                raise
            dial(api, item["account_id"], item["policy"]["name"], timezone)
    print(f"{len(items)} items, {len(done)} accounts")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=os.environ.get("NEGOTIATOR_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--key", default=os.environ.get("NEGOTIATOR_KEY", "dev-agent-key"))
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("demo")
    p = sub.add_parser("follow-ups")
    p.add_argument("--as-of", dest="as_of")
    p.add_argument("--timezone", default="UTC")
    args = ap.parse_args(argv)
    api = Client(args.url, args.key)
    try:
        return demo(api) if args.command == "demo" else follow_ups(api, args.as_of, args.timezone)
    except ApiError as exc:
        print(f"dialler: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
