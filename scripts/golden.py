"""Golden answers: every example request and a seeded grid, answered and kept, to show a restructuring changes nothing.

Usage::

    python scripts/golden.py write     # answer every request and keep the answers in tests/data/golden/
    python scripts/golden.py check     # answer again and list every request whose answer differs (exit 1)

The requests: each file of ``examples/requests`` (a quote, or a what-if where
it holds a ``proposal``) on the agent and portal channels; and a grid drawn
from a fixed seed over every preset, channel (agent, portal), frequency
(monthly, fortnightly, weekly), product, delinquency, hardship, lump sum and
account history, each quoted and each also asked as three what-ifs (a
monthly payment, a term, a lump sum). Values are drawn around the policies'
boundaries (re-age counts, approval limits, term caps) as well as at random.
An answer that is an error is kept as its field errors. Schedules are kept
in full: a schedule that changes is a changed answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden" / "answers.jsonl.gz"
TODAY = dt.date(2026, 11, 23)
SEED = 20261204
PER_CELL = 30

PRESETS = {"default": ("USD", "EUR", "CNY", "JPY", "KWD"), "cn-card": ("CNY",), "cn-loan": ("CNY",),
           "us-card": ("USD",), "uk-conc": ("GBP",)}
DIGITS = {"USD": 2, "EUR": 2, "CNY": 2, "GBP": 2, "JPY": 0, "KWD": 3}
HARDSHIPS = ("unemployment", "illness", "reduced_income", "breathing_space", "mental_health_crisis", "other")


def _amount(minor: int, digits: int) -> str:
    s = str(minor).rjust(digits + 1, "0")
    return s if digits == 0 else f"{s[:-digits]}.{s[-digits:]}"


def _request(rng: random.Random, policy: str, frequency: str) -> dict:
    cur = rng.choice(PRESETS[policy])
    digits = DIGITS[cur]
    unit = 10 ** digits
    scale = {"JPY": 150, "CNY": 7, "KWD": 1}.get(cur, 1)
    balance = rng.choice([rng.randint(50, 3_000), rng.randint(1_000, 30_000), rng.randint(20_000, 200_000)]) \
        * scale * unit + rng.randint(0, unit - 1)
    dpd = rng.choice([0, 0, rng.randint(1, 29), rng.randint(30, 89), rng.randint(90, 179), rng.randint(180, 400)])
    arrears = 0 if dpd == 0 else rng.randint(1, max(balance // 4, 1))
    fees = rng.choice([0, 0, rng.randint(1, max(balance // 20, 1))])
    apr = rng.choice([0, 99_900, 120_000, 180_000, 240_000, 299_000, rng.randint(0, 360_000)])
    product = rng.choice(["credit_card", "credit_card", "loan"])
    contractual = max(balance // rng.choice([20, 30, 48]), unit)
    account = {"currency": cur, "balance": _amount(balance, digits), "arrears": _amount(arrears, digits),
               "fees": _amount(fees, digits), "apr": f"{apr / 1_000_000:.6f}", "days_past_due": dpd,
               "product": product, "contractual_payment": _amount(contractual, digits)}
    if product == "loan":
        account["remaining_term_months"] = rng.choice([1, 6, 12, 24, 36, 48, 59, 60, 120])
    if policy == "us-card" or rng.random() < 0.3:
        hist: dict = {}
        if rng.random() < 0.8:
            days = rng.choice([100, 270, 364, 365, 366, 400, 2000])
            hist["opened_on"] = (TODAY - dt.timedelta(days=days)).isoformat()
        if rng.random() < 0.8:
            hist["consecutive_payments"] = rng.choice([0, 1, 2, 3, 4, 6])
        if rng.random() < 0.6:
            hist["reage_dates"] = sorted((TODAY - dt.timedelta(days=d)).isoformat()
                                         for d in rng.sample([30, 200, 364, 365, 366, 700, 1500, 1824, 1826, 2500],
                                                             rng.randint(0, 3)))
        account["history"] = hist
    income = rng.choice([rng.randint(500, 3_000), rng.randint(2_000, 9_000)]) * scale * unit
    expenses = int(income * rng.choice([0.5, 0.7, 0.85, 0.95, 1.0, 1.2]))
    finances: dict = {"monthly_income": _amount(income, digits), "monthly_expenses": _amount(expenses, digits)}
    if rng.random() < 0.3:
        finances["other_debt_payments"] = _amount(rng.randint(0, income // 5), digits)
    if rng.random() < 0.3:
        finances["household_size"] = rng.randint(1, 6)
    if rng.random() < 0.35:
        finances["lump_sum_available"] = _amount(
            rng.choice([rng.randint(0, balance // 2), balance + fees, balance + fees + unit * 10]), digits)
    if rng.random() < 0.4:
        hardship: dict = {"kind": rng.choice(HARDSHIPS), "expected_months": rng.choice([1, 3, 6, 9, 12, 18, 24])}
        if rng.random() < 0.7:
            hardship["income_during"] = _amount(income * rng.choice([0, 1, 2, 3]) // 4, digits)
        finances["hardship"] = hardship
    req = {"policy": policy, "as_of": TODAY.isoformat(), "locale": rng.choice(["en", "zh-CN"]),
           "account": account, "finances": finances}
    if frequency != "monthly":
        req["frequency"] = frequency
    return req


def _what_ifs(rng: random.Random, req: dict) -> list[dict]:
    digits = DIGITS[req["account"]["currency"]]
    out = []
    for kind in ("monthly_payment", "term_months", "lump_sum"):
        body = json.loads(json.dumps(req))
        body.pop("frequency", None)
        body["schedules"] = "none"
        if kind == "term_months":
            value: object = rng.choice([3, 12, 24, 36, 60, 72])
        else:
            value = _amount(rng.randint(1, 20_000) * 10 ** digits, digits)
        body["proposal"] = {kind: value}
        out.append(body)
    return out


def requests() -> list[tuple[str, str, dict]]:
    """(name, channel, body) of every golden request, in a fixed order."""
    out = []
    for path in sorted((ROOT / "examples" / "requests").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        for channel in ("agent", "portal"):
            out.append((f"example/{path.stem}", channel, body))
    rng = random.Random(SEED)
    for policy in PRESETS:
        for channel in ("agent", "portal"):
            for frequency in ("monthly", "fortnightly", "weekly"):
                for j in range(PER_CELL):
                    req = _request(rng, policy, frequency)
                    name = f"grid/{policy}/{channel}/{frequency}/{j}"
                    out.append((name, channel, req))
                    if frequency == "monthly":
                        out += [(f"{name}/what-if-{k}", channel, b) for k, b in enumerate(_what_ifs(rng, req))]
    return out


def answer(body: dict, channel: str) -> object:
    """The engine's answer to one body on one channel, or its errors."""
    from negotiator.core.errors import ValidationError
    from negotiator.engine.proposals import propose
    from negotiator.engine.quote import quote
    registry = _registry()
    try:
        if "proposal" in body:
            return propose(body, registry, channel=channel, today=TODAY)
        return quote(body, registry, channel=channel, today=TODAY)
    except ValidationError as exc:
        return {"errors": [[e.field, e.message] for e in exc.errors]}


_REG: list = []


def _registry():
    if not _REG:
        from negotiator.policy import PolicyRegistry
        _REG.append(PolicyRegistry.load())
    return _REG[0]


def answers(part: int = 0, parts: int = 1) -> list[dict]:
    """The answers to the golden requests, or to every ``parts``-th one from ``part``."""
    return [{"name": n, "channel": c, "answer": answer(b, c)} for n, c, b in requests()[part::parts]]


def _canon(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def write() -> int:
    rows = answers()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(GOLDEN, "wb", mtime=0) as f:
        for row in rows:
            f.write((_canon(row) + "\n").encode())
    print(f"{len(rows)} golden answers written to {GOLDEN.relative_to(ROOT)}")
    return 0


@functools.lru_cache(maxsize=1)
def _kept() -> dict[tuple[str, str], str]:
    """Every kept answer, canonical, by (name, channel)."""
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        return {(row["name"], row["channel"]): _canon(row["answer"]) for row in map(json.loads, f)}


def kept_names() -> set[tuple[str, str]]:
    """(name, channel) of every kept answer."""
    return set(_kept())


def differences(part: int = 0, parts: int = 1) -> list[str]:
    """The names of the golden requests (every ``parts``-th from ``part``) whose answer differs from the one kept."""
    kept = _kept()
    now = answers(part, parts)
    diff = [f"{r['name']} ({r['channel']})" for r in now if kept.get((r["name"], r["channel"])) != _canon(r["answer"])]
    if parts == 1 and len(now) != len(kept):
        diff.append(f"{len(now)} requests now, {len(kept)} kept")
    return diff


def main(argv: list[str]) -> int:
    if argv[1:] == ["write"]:
        return write()
    if argv[1:] == ["check"]:
        diff = differences()
        for d in diff:
            print("differs:", d)
        print(f"{len(diff)} answers differ")
        return 1 if diff else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
