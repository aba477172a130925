"""Accounts and finances as arrays, and the domain rules every input must keep.

One row per account; every amount in integer minor units, rates in parts per
million. The rules in :func:`check` run on whole arrays, so a single quote
(one row) and a portfolio chunk (a million rows) are judged by the same code.
Errors are ``(row, field, message)`` with the field as its wire path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import numpy as np

from negotiator.core.limits import LIMITS
from negotiator.core.money import CURRENCIES, MAX_AMOUNT, rate_to_ppm, to_minor
from negotiator.core.vocabulary import FEE_PARTS, FREQUENCIES, HARDSHIP_KINDS, MORATORIUM_KINDS
from negotiator.policy import EXPENSE_CATEGORIES, Policy

UNKNOWN = -1
EPOCH = dt.date(1970, 1, 1)


#: Wire path of each array that holds an input field (for error messages).
FIELD_PATHS = {
    "balance": "account.balance", "arrears": "account.arrears", "fees": "account.fees",
    "apr_ppm": "account.apr", "dpd": "account.days_past_due", "product": "account.product",
    "contractual": "account.contractual_payment", "remaining_term": "account.remaining_term_months",
    "currency": "account.currency", "age_months": "account.history.opened_on",
    "consecutive": "account.history.consecutive_payments",
    "reages_12m": "account.history.reage_dates", "reages_5y": "account.history.reage_dates",
    "income": "finances.monthly_income", "expenses": "finances.monthly_expenses",
    "other_debt": "finances.other_debt_payments", "household": "finances.household_size",
    "lump_sum": "finances.lump_sum_available", "hardship_months": "finances.hardship.expected_months",
}


@dataclass
class Accounts:
    """Column arrays, one element per account."""

    currency: np.ndarray            # ISO code, str
    digits: np.ndarray              # minor-unit digits
    balance: np.ndarray             # minor units
    arrears: np.ndarray
    fees: np.ndarray
    contractual: np.ndarray
    apr_ppm: np.ndarray
    dpd: np.ndarray
    is_loan: np.ndarray             # bool
    remaining_term: np.ndarray      # months, 0 for cards
    income: np.ndarray
    expenses: np.ndarray
    other_debt: np.ndarray
    household: np.ndarray
    lump_sum: np.ndarray
    hardship_months: np.ndarray     # 0 when no hardship is declared
    age_months: np.ndarray          # UNKNOWN when no history
    consecutive: np.ndarray
    reages_12m: np.ndarray
    reages_5y: np.ndarray
    broken_12m: np.ndarray = None           # type: ignore[assignment]  # arrangements broken in 12 months
    expense_lines: dict[str, np.ndarray] = field(default_factory=dict)   # category -> minor units
    hardship_kind: np.ndarray = None        # type: ignore[assignment]  # index into HARDSHIP_KINDS, -1 none
    income_during: np.ndarray = None        # type: ignore[assignment]  # income during the hardship, minor
    first_due_days: np.ndarray = None       # type: ignore[assignment]  # chosen first payment, days after as-of; 0 none
    fee_parts: np.ndarray = None            # type: ignore[assignment]  # (n, 3) minor units by FEE_PARTS; -1 unknown
    ppy: np.ndarray = None                  # type: ignore[assignment]  # payments a year the borrower asks for
    as_of_day: np.ndarray = None            # type: ignore[assignment]  # the plans' start (as_of), days from 1970-01-01

    def __post_init__(self):
        n = len(self.balance)
        if self.hardship_kind is None:
            self.hardship_kind = np.where(self.hardship_months > 0, HARDSHIP_KINDS.index("other"), -1)
        if self.income_during is None:
            self.income_during = self.income.copy()
        if self.first_due_days is None:
            self.first_due_days = np.zeros(n, dtype=np.int64)
        if self.fee_parts is None:
            self.fee_parts = np.full((n, len(FEE_PARTS)), -1, dtype=np.int64)
        if self.ppy is None:
            self.ppy = np.full(n, 12, dtype=np.int64)
        if self.broken_12m is None:
            self.broken_12m = np.zeros(n, dtype=np.int64)
        if self.as_of_day is None:
            self.as_of_day = np.zeros(n, dtype=np.int64)

    @property
    def fee_parts_known(self) -> np.ndarray:
        return self.fee_parts[:, 0] >= 0

    def fees_of(self, parts: tuple[str, ...]) -> np.ndarray:
        """The fees in ``parts`` (all fees where the account gave no breakdown)."""
        cols = [FEE_PARTS.index(p) for p in parts]
        return np.where(self.fee_parts_known, self.fee_parts[:, cols].sum(axis=1), self.fees)

    def __len__(self) -> int:
        return len(self.balance)

    def take(self, idx) -> Accounts:
        """The rows at ``idx`` (an index or boolean array)."""
        cols = {f.name: getattr(self, f.name)[idx] for f in fields(self) if f.name != "expense_lines"}
        return Accounts(**cols, expense_lines={k: v[idx] for k, v in self.expense_lines.items()})

    @property
    def in_moratorium(self) -> np.ndarray:
        """A breathing space or other moratorium: no payment may be asked, interest and charges frozen."""
        cached = self.__dict__.get("_in_moratorium")
        if cached is None or len(cached) != len(self.hardship_kind):
            cached = (self.hardship_kind >= 0) & (self.hardship_kind < len(MORATORIUM_KINDS))
            self.__dict__["_in_moratorium"] = cached
        return cached

    def currency_groups(self) -> list[tuple[str, np.ndarray | None]]:
        """``(currency, rows)`` for each currency present; ``rows`` is None when every account has it.

        Worked out once per set of accounts (a portfolio is mostly one currency).
        """
        cached = self.__dict__.get("_currency_groups")
        if cached is None or cached[0] != len(self.currency):
            cur = self.currency
            if len(cur) == 0:
                groups: list = []
            elif (first := cur[0]) is not None and bool((cur == first).all()):
                groups = [(str(first), None)]
            else:
                groups = [(str(c), np.flatnonzero(cur == c)) for c in np.unique(cur.astype(str))]
            cached = (len(cur), groups)
            self.__dict__["_currency_groups"] = cached
        return cached[1]

    @property
    def unit(self) -> np.ndarray:
        """10 ** digits: one major unit in minor units."""
        return 10 ** self.digits.astype(np.int64)

    def row(self, i: int) -> Row:
        """Account ``i``'s figures as numpy scalars, for rules judged on one account (:func:`check`)."""
        return Row(self, i)


class Row:
    """One account of :class:`Accounts` read as numpy scalars (``np.int64``, ``np.bool_``), with the attributes
    :func:`check`'s rules read. The same expressions then give ``np.bool_`` instead of one-element arrays:
    one set of rules, judged without building an array per rule for a single quote."""

    digits: Any
    balance: Any
    arrears: Any
    fees: Any
    contractual: Any
    apr_ppm: Any
    dpd: Any
    is_loan: Any
    remaining_term: Any
    income: Any
    expenses: Any
    other_debt: Any
    household: Any
    lump_sum: Any
    hardship_months: Any
    consecutive: Any
    ppy: Any
    first_due_days: Any

    def __init__(self, acc: Accounts, i: int):
        for f in _ROW_FIELDS:
            setattr(self, f, getattr(acc, f)[i])
        self.currency = str(acc.currency[i])
        self.expense_lines = {k: v[i] for k, v in acc.expense_lines.items()}
        self.unit = np.int64(10) ** self.digits

    def __len__(self) -> int:
        return 1


_ROW_FIELDS = ("digits", "balance", "arrears", "fees", "contractual", "apr_ppm", "dpd", "is_loan", "remaining_term",
               "income", "expenses", "other_debt", "household", "lump_sum", "hardship_months", "consecutive", "ppy",
               "first_due_days")

INT_COLUMNS = ("digits", "balance", "arrears", "fees", "contractual", "apr_ppm", "dpd", "remaining_term",
               "income", "expenses", "other_debt", "household", "lump_sum", "hardship_months", "age_months",
               "consecutive", "reages_12m", "reages_5y", "broken_12m")


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later`` (negative if ``earlier`` is later).

    >>> months_between(dt.date(2026, 1, 31), dt.date(2026, 2, 28))
    0
    >>> months_between(dt.date(2026, 1, 15), dt.date(2026, 11, 14))
    9
    """
    m = (later.year - earlier.year) * 12 + later.month - earlier.month
    return m - (later.day < earlier.day)


def _minor(value: Decimal | None, digits: int, path: str, errors: list, row: int) -> int:
    if value is None:
        return 0
    try:
        if abs(value) > MAX_AMOUNT:
            raise ValueError(f"must be at most {MAX_AMOUNT:,} (absurd for consumer debt)")
        return to_minor(value, digits)
    except ValueError as exc:
        text = str(exc)
        errors.append((row, path, text[0].upper() + text[1:] + ("" if text.endswith(")") else ".")))
        return 0


def from_records(records: list[dict], as_of: dt.date) -> tuple[Accounts, list[tuple[int, str, str]]]:
    """Arrays from loaded request bodies (``account`` and ``finances`` dicts).

    Converts exactly; an amount with too many decimals for its currency, a
    rate with more than six decimals, or an absurd size is an error for that
    row (reported, never rounded). Call :func:`check` for the domain rules.
    """
    n = len(records)
    # Every integer column is a row of one block: one allocation, not one per column (a quote has one record).
    cols = dict(zip(INT_COLUMNS, np.zeros((len(INT_COLUMNS), n), dtype=np.int64)))
    currency = np.empty(n, dtype=object)
    is_loan = np.zeros(n, dtype=bool)
    lines = dict(zip(EXPENSE_CATEGORIES, np.zeros((len(EXPENSE_CATEGORIES), n), dtype=np.int64)))
    has_lines = False
    kind = np.full(n, -1, dtype=np.int64)
    during = np.zeros(n, dtype=np.int64)
    parts = np.full((n, len(FEE_PARTS)), -1, dtype=np.int64)
    ppy = np.full(n, 12, dtype=np.int64)
    first_days = np.zeros(n, dtype=np.int64)
    errors: list[tuple[int, str, str]] = []
    for i, rec in enumerate(records):
        a, f = rec["account"], rec["finances"]
        cur = a["currency"]
        digits = CURRENCIES[cur]
        currency[i] = cur
        cols["digits"][i] = digits
        for col, key in (("balance", "balance"), ("arrears", "arrears"), ("fees", "fees"),
                         ("contractual", "contractual_payment")):
            cols[col][i] = _minor(a.get(key), digits, f"account.{key}", errors, i)
        apr = a["apr"]
        try:
            if abs(apr) > 10:
                raise ValueError("is not a rate (a decimal fraction, 0.18 for 18%)")
            cols["apr_ppm"][i] = rate_to_ppm(apr)
        except ValueError as exc:
            errors.append((i, "account.apr", f"Rate {exc}."))
        cols["dpd"][i] = a["days_past_due"]
        is_loan[i] = a["product"] == "loan"
        if "remaining_term_months" in a:
            cols["remaining_term"][i] = a["remaining_term_months"]
            if not is_loan[i]:
                errors.append((i, "account.remaining_term_months", "Only for loans; a credit card has no term."))
        elif is_loan[i]:
            errors.append((i, "account.remaining_term_months", "Required for loans."))
        hist = a.get("history") or {}
        opened = hist.get("opened_on")
        cols["age_months"][i] = months_between(opened, as_of) if opened else UNKNOWN
        if opened and opened > as_of:
            errors.append((i, "account.history.opened_on", "Is after the as-of date."))
        reages = hist.get("reage_dates")
        if reages is None:
            cols["reages_12m"][i] = cols["reages_5y"][i] = UNKNOWN
        else:
            if any(d > as_of for d in reages):
                errors.append((i, "account.history.reage_dates", "A date is after the as-of date."))
            cols["reages_12m"][i] = sum(months_between(d, as_of) < 12 for d in reages)
            cols["reages_5y"][i] = sum(months_between(d, as_of) < 60 for d in reages)
        cols["consecutive"][i] = hist.get("consecutive_payments", UNKNOWN)
        broken = hist.get("broken_arrangement_dates") or ()
        if any(d > as_of for d in broken):
            errors.append((i, "account.history.broken_arrangement_dates", "A date is after the as-of date."))
        cols["broken_12m"][i] = sum(months_between(d, as_of) < 12 for d in broken)

        unread = len(errors)
        total_income = _total(f, "monthly_income", "income_lines", "finances.monthly_income", digits, errors, i)
        income_read = len(errors) == unread
        total_exp = _total(f, "monthly_expenses", "expense_lines", "finances.monthly_expenses", digits, errors, i)
        cols["income"][i], cols["expenses"][i] = total_income, total_exp
        for line in f.get("expense_lines") or ():
            has_lines = True
            lines[line["category"]][i] += _minor(line["amount"], digits, "finances.expense_lines", errors, i)
        cols["other_debt"][i] = _minor(f.get("other_debt_payments"), digits, "finances.other_debt_payments",
                                       errors, i)
        cols["lump_sum"][i] = _minor(f.get("lump_sum_available"), digits, "finances.lump_sum_available", errors, i)
        cols["household"][i] = f.get("household_size", 1)
        hardship = f.get("hardship")
        cols["hardship_months"][i] = hardship["expected_months"] if hardship else 0
        kind[i] = HARDSHIP_KINDS.index(hardship.get("kind", "other")) if hardship else -1
        during[i] = total_income
        if hardship and hardship.get("income_during") is not None:
            during[i] = _minor(hardship["income_during"], digits, "finances.hardship.income_during", errors, i)
            if income_read and during[i] > total_income:
                errors.append((i, "finances.hardship.income_during", "Must not exceed monthly_income."))
        breakdown = a.get("fee_breakdown")
        if breakdown is not None:
            before = len(errors)
            for j, part in enumerate(FEE_PARTS):
                parts[i, j] = _minor(breakdown.get(part), digits, f"account.fee_breakdown.{part}", errors, i)
            # Compared only where every part and the fees were read (one unreadable amount, one error).
            fees_read = not any(r == i and f == "account.fees" for r, f, _ in errors)
            if len(errors) == before and fees_read and int(parts[i].sum()) != cols["fees"][i]:
                errors.append((i, "account.fee_breakdown", "Must add up to account.fees."))
        ppy[i] = FREQUENCIES[rec.get("frequency", "monthly")]
        first = rec.get("first_payment_date")
        if first is not None:
            first_days[i] = (first - as_of).days
    acc = Accounts(currency=currency, is_loan=is_loan, **cols,
                   expense_lines={k: v for k, v in lines.items() if has_lines},
                   hardship_kind=kind, income_during=during, first_due_days=first_days, fee_parts=parts, ppy=ppy,
                   as_of_day=np.full(n, (as_of - EPOCH).days, dtype=np.int64))
    return acc, errors


def _total(f, total_key, lines_key, path, digits, errors, row) -> int:
    """A total given directly, as itemised lines, or both (then they must agree)."""
    lines = f.get(lines_key)
    summed = None
    before = len(errors)
    if lines is not None:
        summed = sum(_minor(x["amount"], digits, f"finances.{lines_key}", errors, row) for x in lines)
    if f.get(total_key) is None:
        if summed is None:
            errors.append((row, path, f"Required: give {total_key} or {lines_key}."))
            return 0
        return summed
    total = _minor(f[total_key], digits, path, errors, row)
    # Compared only where the total and every line were read (one unreadable amount, one error).
    if summed is not None and len(errors) == before and summed != total:
        errors.append((row, path, f"Does not equal the sum of {lines_key}."))
    return total


def _outside(values: np.ndarray, key: str) -> np.ndarray:
    lo, hi = LIMITS[key]
    return (values < lo) | (values > hi)


def _between(key: str) -> str:
    lo, hi = LIMITS[key]
    return f"Must be greater than or equal to {lo} and less than or equal to {hi}."


def check(acc: Accounts, policy: Policy, unread: dict[int, set[str]] | None = None) -> list[tuple[int, str, str]]:
    """Every domain rule, on whole arrays: ``(row, field, message)`` for each breach.

    Amounts must be non-negative and at most one billion; arrears at most
    the balance; fees at most the balance; rates within zero and the
    policy's maximum; days past due and terms in range; arrears and days
    past due consistent; the currency one the policy accepts.

    ``unread``: per row, the wire paths that could not be read (:func:`from_records`' errors, which leave a
    placeholder 0); a rule on one of them is not judged. Nor is a rule comparing its field with one that
    could not be read or broke a rule of its own (a rule's fourth element names those): one bad balance is
    one error, not three more about the arrears, fees and contractual payment compared with it (issue 18).
    """
    n = len(acc)
    one: Accounts | Row = acc.row(0) if n == 1 else acc      # one account: the rules on its scalars
    return _judge(_rules(one, policy), n, unread)


def _rules(acc: Accounts | Row, policy: Policy) -> list[tuple]:
    """:func:`check`'s rules, ``(breached, field, message[, the fields it compares with])``; ``breached`` an
    array over the accounts, or one ``np.bool_`` for a :class:`Row`."""
    max_minor = int(MAX_AMOUNT) * acc.unit
    rules: list[tuple] = []     # (breached, field, message[, the fields it compares with])
    for col in ("balance", "arrears", "fees", "contractual", "income", "expenses", "other_debt", "lump_sum"):
        v = getattr(acc, col)
        rules.append((v < 0, FIELD_PATHS[col], "Must not be negative."))
        rules.append((v > max_minor, FIELD_PATHS[col], f"Must be at most {MAX_AMOUNT:,}."))
    for cat, v in acc.expense_lines.items():
        rules.append((v < 0, "finances.expense_lines", f"Amount for {cat} must not be negative."))
    rules += [
        (acc.balance == 0, "account.balance", "Must be more than zero: there is nothing to negotiate."),
        (acc.arrears > acc.balance, "account.arrears", "Must not exceed the balance.", ("account.balance",)),
        (acc.fees > acc.balance, "account.fees", "Must not exceed the balance.", ("account.balance",)),
        (acc.contractual > acc.balance + acc.fees, "account.contractual_payment",
         "Must not exceed the balance plus fees.", ("account.balance", "account.fees")),
        (acc.apr_ppm < 0, "account.apr", "Must not be negative."),
        (acc.apr_ppm > policy.max_apr_ppm, "account.apr",
         f"Must be at most {policy.max_apr} under policy {policy.name}."),
        (_outside(acc.dpd, "dpd"), "account.days_past_due", _between("dpd")),
        ((acc.dpd == 0) & (acc.arrears > 0), "account.days_past_due",
         "Is 0 but there are arrears: an account in arrears is past due.", ("account.arrears",)),
        ((acc.dpd > 0) & (acc.arrears == 0), "account.arrears",
         "Is 0 but days_past_due is above 0: a past-due account has arrears."),
        (acc.is_loan & _outside(acc.remaining_term, "remaining_term"), "account.remaining_term_months",
         _between("remaining_term")),
        (_outside(acc.household, "household"), "finances.household_size", _between("household")),
        ((acc.hardship_months != 0) & _outside(acc.hardship_months, "hardship_months"),
         "finances.hardship.expected_months", _between("hardship_months")),
        ((acc.consecutive != UNKNOWN) & _outside(acc.consecutive, "consecutive"),
         "account.history.consecutive_payments", _between("consecutive")),
    ]
    allowed = _any_of(acc.ppy, [FREQUENCIES[f] for f in policy.frequencies])
    rules.append((~allowed, "frequency", f"Policy {policy.name} offers {', '.join(policy.frequencies)} payments."))
    chosen = acc.first_due_days != 0
    rules.append((chosen & ((acc.first_due_days < 1) | (acc.first_due_days > policy.first_payment_max_days)),
                  "first_payment_date", f"Must be between 1 and {policy.first_payment_max_days} days after as_of."))
    if not policy.currencies:
        rules.append((~_currency_in(acc, policy.by_currency), "account.currency",
                      f"Policy {policy.name} has no exchange rate for this currency (its limits are in "
                      f"{policy.amounts_currency})."))
    if policy.currencies:
        rules.append((~_currency_in(acc, policy.currencies), "account.currency",
                      f"Policy {policy.name} accepts only {', '.join(policy.currencies)}."))
    return rules


def _currency_in(acc: Accounts | Row, currencies) -> Any:
    """Where the account's currency is one of ``currencies`` (by currency group: a portfolio is mostly one)."""
    if isinstance(acc, Row):
        return np.bool_(acc.currency in currencies)
    known = np.zeros(len(acc), dtype=bool)
    for cur, rows in acc.currency_groups():
        if cur in currencies:
            known[slice(None) if rows is None else rows] = True
    return known


def _judge(rules: list[tuple], n: int, unread: dict[int, set[str]] | None) -> list[tuple[int, str, str]]:
    """The breaches of :func:`_rules`, by row and then in the rules' order, less those not judged."""
    if n == 1:
        breaches = [(0, k) for k, rule in enumerate(rules) if rule[0]]
    else:
        rows, which = np.nonzero(np.stack([rule[0] for rule in rules], axis=1))
        breaches = list(zip(rows.tolist(), which.tolist()))
    failed: dict[int, set[str]] = {r: set(f) for r, f in (unread or {}).items()}
    for r, k in breaches:      # a field that breaks a rule of its own has failed too
        if len(rules[k]) == 3:
            failed.setdefault(r, set()).add(rules[k][1])
    out = []
    for r, k in breaches:
        field, message, *uses = rules[k][1:]
        if unread and field in unread.get(r, ()):
            continue
        if uses and any(u in failed.get(r, ()) for u in uses[0]):
            continue
        out.append((int(r), field, message))
    return out


def _any_of(values: np.ndarray, choices) -> np.ndarray:
    """Where ``values`` is one of a few ``choices`` (np.isin's sorting costs more for a handful)."""
    out = np.zeros(np.shape(values), dtype=bool)
    for c in choices:
        out = out | (values == c)
    return out
