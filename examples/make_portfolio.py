"""Write a realistic synthetic portfolio for ``negotiator batch`` (tests, demos, benchmarks).

A mix of currencies (mostly CNY and USD), cards and loans, every delinquency
bucket, incomes and spending, account histories, hardship, itemised expense
lines on some rows, and a share of bad rows of every kind the job must
reject (see ``BAD_KINDS``; in CSV also lines that are not records at all).

    python examples/make_portfolio.py --rows 1000000 --seed 7 portfolio.csv

The format follows the output's suffix (.csv, .jsonl, .parquet); ``-`` or no
path writes CSV to stdout. The same rows, seed and as-of date give the same
bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from negotiator.batch.io import file_format
from negotiator.batch.job import format_minor_array
from negotiator.batch.parse import DATE_SEPARATOR, INTEGERS, NO_DATES

AS_OF = dt.date(2026, 11, 23)
CURRENCIES = np.array(["CNY", "USD", "GBP", "JPY"])
CURRENCY_SHARE = [0.6, 0.3, 0.05, 0.05]
DIGITS = np.array([2, 2, 2, 0])
SCALE = np.array([1.0, 0.14, 0.11, 20.0])       # CNY -> currency, roughly
BUCKETS = [(0, 0), (1, 30), (31, 60), (61, 90), (91, 120), (121, 150), (151, 180), (181, 720)]
BUCKET_SHARE = [0.05, 0.30, 0.20, 0.15, 0.10, 0.08, 0.07, 0.05]
REASONS = np.array(["reduced working hours", "job loss", "illness", "divorce", "business closure"])

#: Kinds of bad rows, each a rule the job must enforce (the reject it should give in brackets).
BAD_KINDS = (
    "not_a_number",          # balance "1.2.3"
    "negative_amount",       # arrears "-50.00"
    "too_many_decimals",     # balance with three decimals
    "not_finite",            # fees "NaN"
    "too_large",             # balance 2,000,000,000
    "missing_required",      # balance empty
    "bad_currency",          # "XYZ"
    "bad_product",           # "mortgage"
    "dpd_out_of_range",      # 5000
    "dpd_not_integer",       # "45.5"
    "arrears_but_current",   # days_past_due 0 with arrears
    "arrears_over_balance",
    "fees_over_balance",
    "contractual_too_high",
    "apr_over_policy",       # 0.75 (default policy max 0.60)
    "apr_too_precise",       # 0.1234567
    "card_with_term",
    "loan_without_term",
    "bad_date",              # opened_on 2023-02-30
    "opened_in_future",
    "hardship_without_months",
    "household_out_of_range",
    "lines_disagree",        # monthly_expenses differs from its lines
    "no_income",             # neither monthly_income nor income lines
    "padded_number",         # " 100.00"
    "missing_account_id",
    "bad_reage_date",        # "2024-01-01;later"
)
#: CSV only: lines that are not a record (wrong field count, a stray quote). Bytes that are not UTF-8 are not
#: among them: such a file is refused whole (it may be in another encoding: see --encoding in docs/batch.md).
RAW_KINDS = ("ragged_line", "stray_quote")


def _money(minor: np.ndarray, digits: np.ndarray) -> np.ndarray:
    return np.array(format_minor_array(minor, digits).to_pylist(), dtype=object)


def portfolio(rows: int, seed: int, bad_share: float = 0.05, as_of: dt.date = AS_OF
              ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Columns of text (None for an empty cell) and each row's bad kind ('' when good)."""
    rng = np.random.default_rng(seed)
    n = rows
    cur_i = rng.choice(len(CURRENCIES), n, p=CURRENCY_SHARE)
    digits, scale = DIGITS[cur_i], SCALE[cur_i]
    unit = 10 ** digits
    is_loan = rng.random(n) < 0.35
    bucket = rng.choice(len(BUCKETS), n, p=BUCKET_SHARE)
    lo = np.array([b[0] for b in BUCKETS])[bucket]
    hi = np.array([b[1] for b in BUCKETS])[bucket]
    dpd = rng.integers(lo, hi + 1)

    def major(x):   # CNY major units -> this row's currency, minor units
        return np.round(x * scale * unit).astype(np.int64)

    balance = np.maximum(major(np.exp(rng.normal(9.0, 0.9, n))), 100 * unit)
    term = np.where(is_loan, rng.integers(6, 73, n), 0)
    contractual = np.where(is_loan, balance * 11 // (10 * np.maximum(term, 1)),
                           np.maximum(balance * 3 // 100, 50 * unit))
    contractual = np.minimum(contractual, balance)
    months_late = np.ceil(dpd / 30).astype(np.int64)
    arrears = np.where(dpd > 0, np.minimum(contractual * np.maximum(months_late, 1), balance), 0)
    fees = np.where(dpd > 0, balance * rng.integers(0, 7, n) // 100, 0)
    apr_ppm = np.where(is_loan, rng.integers(10, 49, n) * 5000, rng.integers(24, 73, n) * 5000)
    income = major(np.exp(rng.normal(9.1, 0.6, n)))
    expenses = income * rng.integers(45, 110, n) // 100
    other_debt = income * rng.integers(0, 16, n) // 100
    lump = np.where(rng.random(n) < 0.3, balance * rng.integers(5, 61, n) // 100, -1)
    household = rng.integers(1, 7, n)
    hardship = rng.random(n) < 0.15
    h_months = rng.integers(1, 13, n)
    age = rng.integers(3, 181, n)
    as_of64 = np.datetime64(as_of.isoformat())
    opened = (as_of64.astype("datetime64[M]") - age).astype("datetime64[D]") + rng.integers(0, 28, n)
    opened = np.minimum(opened, as_of64)
    reage_kind = rng.choice(3, n, p=[0.8, 0.15, 0.05])      # none, one date, unknown
    reage = (as_of64 - rng.integers(180, 2100, n)).astype(str)
    lines = rng.random(n) < 0.1
    split = np.stack([expenses * 40 // 100, expenses * 30 // 100, expenses * 10 // 100])
    split = np.vstack([split, expenses - split.sum(axis=0)])

    cols: dict[str, np.ndarray] = {
        "account_id": np.char.add("ACC", np.char.zfill(np.arange(1, n + 1).astype(str), 9)).astype(object),
        "currency": CURRENCIES[cur_i].astype(object),
        "balance": _money(balance, digits), "arrears": _money(arrears, digits), "fees": _money(fees, digits),
        "apr": np.array([f"{v / 1e6:.4f}".rstrip("0").rstrip(".") for v in apr_ppm], dtype=object),
        "days_past_due": dpd.astype(str).astype(object),
        "product": np.where(is_loan, "loan", "credit_card").astype(object),
        "contractual_payment": _money(contractual, digits),
        "remaining_term_months": np.where(is_loan, term.astype(str), None).astype(object),
        "opened_on": np.where(rng.random(n) < 0.92, opened.astype(str), None).astype(object),
        "reage_dates": np.select([reage_kind == 0, reage_kind == 1], ["none", reage], None).astype(object),
        "consecutive_payments": np.where(rng.random(n) < 0.9, rng.integers(0, 25, n).astype(str), None)
        .astype(object),
        "monthly_income": _money(income, digits),
        "monthly_expenses": np.where(lines & (rng.random(n) < 0.5), None, _money(expenses, digits)).astype(object),
        "other_debt_payments": _money(other_debt, digits),
        "household_size": household.astype(str).astype(object),
        "lump_sum_available": np.where(lump >= 0, _money(np.maximum(lump, 0), digits), None).astype(object),
        "hardship_reason": np.where(hardship, REASONS[rng.integers(0, len(REASONS), n)], None).astype(object),
        "hardship_expected_months": np.where(hardship, h_months.astype(str), None).astype(object),
    }
    for k, cat in enumerate(("housing", "food", "utilities", "transport")):
        cols[f"expense_{cat}"] = np.where(lines, _money(split[k], digits), None).astype(object)
    cols["monthly_expenses"] = np.where(lines, cols["monthly_expenses"], _money(expenses, digits)).astype(object)

    kind = np.full(n, "", dtype=object)
    bad = np.flatnonzero(rng.random(n) < bad_share)
    kinds = np.array(BAD_KINDS, dtype=object)[rng.integers(0, len(BAD_KINDS), len(bad))]
    kind[bad] = kinds
    _spoil(cols, kind, is_loan, rng)
    return cols, kind


def _spoil(cols, kind, is_loan, rng) -> None:
    """Turn the rows marked in ``kind`` into bad rows of that kind."""
    def at(k):
        return np.flatnonzero(kind == k)

    def put(col, rows, value):
        cols[col][rows] = value

    put("balance", at("not_a_number"), "1.2.3")
    put("arrears", at("negative_amount"), "-50.00")
    r = at("too_many_decimals")
    put("balance", r, "12345.678")
    cols["currency"][r] = "CNY"
    put("fees", at("not_finite"), "NaN")
    put("balance", at("too_large"), "2000000000")
    put("balance", at("missing_required"), None)
    put("currency", at("bad_currency"), "XYZ")
    put("product", at("bad_product"), "mortgage")
    put("days_past_due", at("dpd_out_of_range"), "5000")
    put("days_past_due", at("dpd_not_integer"), "45.5")
    r = at("arrears_but_current")
    put("days_past_due", r, "0")
    put("arrears", r, cols["contractual_payment"][r])
    r = at("arrears_over_balance")
    put("arrears", r, np.array([_bump(b) for b in cols["balance"][r]], dtype=object))
    r = at("fees_over_balance")
    put("fees", r, np.array([_bump(b) for b in cols["balance"][r]], dtype=object))
    r = at("contractual_too_high")
    put("contractual_payment", r, np.array([_bump(b, 10) for b in cols["balance"][r]], dtype=object))
    put("fees", r, "0")
    put("apr", at("apr_over_policy"), "0.75")
    put("apr", at("apr_too_precise"), "0.1234567")
    r = at("card_with_term")
    put("product", r, "credit_card")
    put("remaining_term_months", r, "12")
    r = at("loan_without_term")
    put("product", r, "loan")
    put("remaining_term_months", r, None)
    put("opened_on", at("bad_date"), "2023-02-30")
    put("opened_on", at("opened_in_future"), "2030-01-01")
    r = at("hardship_without_months")
    put("hardship_reason", r, "illness")
    put("hardship_expected_months", r, None)
    put("household_size", at("household_out_of_range"), "0")
    r = at("lines_disagree")
    put("expense_food", r, "1.00")
    put("monthly_expenses", r, "5000.00")
    cols["currency"][r] = "CNY"
    put("monthly_income", at("no_income"), None)
    r = at("padded_number")
    put("balance", r, np.char.add(" ", cols["balance"][r].astype(str)).astype(object))
    put("account_id", at("missing_account_id"), None)
    put("reage_dates", at("bad_reage_date"), "2024-01-01;later")
    del is_loan, rng


def _bump(text: str, times: int = 1) -> str:
    """A decimal string a little (or ``times``) above ``text``, same decimals."""
    whole, _, frac = text.partition(".")
    return f"{int(whole) * times + 1}.{frac}" if frac else str(int(whole) * times + 1)


def to_table(cols: dict[str, np.ndarray]) -> pa.Table:
    return pa.table({k: pa.array(v, type=pa.string()) for k, v in cols.items()})


def write(path: str | None, rows: int, seed: int, bad_share: float = 0.05, chunk: int = 200_000) -> dict:
    """Write the portfolio; return counts by kind (raw CSV faults included)."""
    fmt = "csv" if path in (None, "-") else file_format(path)
    out = sys.stdout.buffer if path in (None, "-") else open(path, "wb")  # noqa: SIM115
    counts: dict[str, int] = {}
    rng_raw = np.random.default_rng(seed + 1)
    writer = None
    try:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            cols, kind = portfolio(n, seed * 1_000_003 + start, bad_share)
            cols["account_id"] = np.where(
                kind == "missing_account_id", None,
                np.char.add("ACC", np.char.zfill(np.arange(start + 1, start + n + 1).astype(str), 9))).astype(object)
            table = to_table(cols)
            for k in kind[kind != ""]:
                counts[k] = counts.get(k, 0) + 1
            if fmt == "csv":
                buf = pa.BufferOutputStream()
                pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=start == 0, quoting_style="none"))
                data = buf.getvalue().to_pybytes()
                out.write(_raw_faults(data, start == 0, bad_share, rng_raw, counts))
            elif fmt == "jsonl":
                out.write(jsonl_records(table))
            else:
                import pyarrow.parquet as pq
                if writer is None:
                    writer = pq.ParquetWriter(out, table.schema)
                writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
        if out is not sys.stdout.buffer:
            out.close()
    return counts


_INTEGER_COLUMNS = {c for c, *_ in INTEGERS}


def jsonl_records(table: pa.Table) -> bytes:
    """JSON Lines with JSON types, as a quote request has them: integers as numbers, date lists as lists.

    A cell that is not a valid integer or list stays text, so the bad row
    kinds are still bad (the job rejects an integer column given as a string).
    """
    lines = []
    for row in table.to_pylist():
        rec = {}
        for k, v in row.items():
            if v is None:
                continue
            if k in _INTEGER_COLUMNS and re.fullmatch(r"-?[0-9]{1,18}", v):
                v = int(v)
            elif k in ("reage_dates", "arrangement_dates"):
                v = [] if v == NO_DATES else v.split(DATE_SEPARATOR)
            rec[k] = v
        lines.append(json.dumps(rec, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode() if lines else b""


def _raw_faults(data: bytes, has_header: bool, bad_share: float, rng, counts: dict) -> bytes:
    """Break a few CSV lines beyond repair (and add a blank line, which is no row)."""
    lines = data.split(b"\n")
    first = 1 if has_header else 0
    body = len(lines) - 1 - first
    picks = np.flatnonzero(rng.random(body) < bad_share / 10) + first
    for k, i in enumerate(picks):
        kind = RAW_KINDS[k % len(RAW_KINDS)]
        if kind == "ragged_line":
            lines[i] = lines[i].rsplit(b",", 1)[0]
        else:
            lines[i] = lines[i].replace(b",", b',"', 1)
        counts[kind] = counts.get(kind, 0) + 1
    if body > 2:
        lines.insert(first + body // 2, b"")
    return b"\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", nargs="?", default="-", help="file (.csv, .jsonl, .parquet) or - for CSV on stdout")
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bad-share", type=float, default=0.05, help="share of bad rows (default 0.05)")
    args = ap.parse_args(argv)
    counts = write(args.output, args.rows, args.seed, args.bad_share)
    if args.output != "-":
        print(f"{args.rows:,} rows to {args.output}; bad rows by kind: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
