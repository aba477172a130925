"""Vectorised reading of a portfolio chunk: text cells to :class:`~negotiator.engine.accounts.Accounts`.

A portfolio row is the flattened form of a quote request (see
:data:`INPUT_COLUMNS`), every cell read as text, an empty cell meaning the
field is absent. The parsers here agree exactly with the single-quote path
(:func:`negotiator.core.money.parse_decimal`, :func:`~negotiator.core.money.to_minor`,
the marshmallow schema and :func:`negotiator.engine.accounts.from_records`): the
common spellings (``1234.50``, ``45``, ``2024-03-01``) go through Arrow
kernels, anything else through the very functions the single quote calls,
one cell at a time.

Errors are reported in three stages, as the single quote does: shape and
type errors (the schema); when a row has none, conversion errors (too many
decimals, dates after the as-of date, totals that disagree with their
lines) and then the domain rules of :func:`negotiator.engine.accounts.check`, the
one copy of those rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from negotiator import kernels
from negotiator.core.limits import LIMITS
from negotiator.core.money import CURRENCIES, MAX_AMOUNT, AmountError, rate_to_ppm, read_amount, to_minor
from negotiator.engine import compiled
from negotiator.engine.accounts import FIELD_PATHS, UNKNOWN, Accounts, check
from negotiator.policy import EXPENSE_CATEGORIES, INCOME_CATEGORIES, PRODUCTS, Policy
from negotiator.wire.schemas import MAX_DATE, MAX_LINES, MAX_TEXT, MIN_DATE

# ----------------------------------------------------------------------------- columns

#: Amount columns: (column, wire path, required, default when absent).
AMOUNTS = (
    ("balance", "account.balance", True),
    ("arrears", "account.arrears", True),
    ("fees", "account.fees", False),
    ("contractual_payment", "account.contractual_payment", True),
    ("monthly_income", "finances.monthly_income", False),
    ("monthly_expenses", "finances.monthly_expenses", False),
    ("other_debt_payments", "finances.other_debt_payments", False),
    ("lump_sum_available", "finances.lump_sum_available", False),
)
#: Integer columns: (column, wire path, LIMITS key, required).
INTEGERS = (
    ("days_past_due", "account.days_past_due", "dpd", True),
    ("remaining_term_months", "account.remaining_term_months", "remaining_term", False),
    ("consecutive_payments", "account.history.consecutive_payments", "consecutive", False),
    ("household_size", "finances.household_size", "household", False),
    ("hardship_expected_months", "finances.hardship.expected_months", "hardship_months", False),
)
INCOME_LINES = tuple(f"income_{c}" for c in INCOME_CATEGORIES)
EXPENSE_LINES = tuple(f"expense_{c}" for c in EXPENSE_CATEGORIES)

#: Every column a portfolio may carry, in documentation order.
INPUT_COLUMNS = (
    "account_id", "currency", "balance", "arrears", "fees", "apr", "days_past_due", "product",
    "contractual_payment", "remaining_term_months", "opened_on", "reage_dates", "arrangement_dates",
    "broken_arrangement_dates",
    "consecutive_payments", "monthly_income", "monthly_expenses", "other_debt_payments", "household_size",
    "lump_sum_available", "hardship_reason", "hardship_expected_months", *INCOME_LINES, *EXPENSE_LINES,
)
#: Columns that must be present in the file (each row must also fill them).
REQUIRED_COLUMNS = ("account_id", "currency", "balance", "arrears", "apr", "days_past_due", "product",
                    "contractual_payment")
#: Marker for an empty list of dates (an empty cell means "not known").
NO_DATES = "none"
DATE_SEPARATOR = ";"

#: Wire path of a request field -> the column that holds it.
COLUMN_OF_PATH = {
    **{path: col for col, path, *_ in AMOUNTS}, **{path: col for col, path, *_ in INTEGERS},
    "account.currency": "currency", "account.apr": "apr", "account.product": "product",
    "account.history.opened_on": "opened_on", "account.history.reage_dates": "reage_dates",
    "account.history.arrangement_dates": "arrangement_dates",
    "account.history.broken_arrangement_dates": "broken_arrangement_dates",
    "finances.hardship.reason": "hardship_reason",
    "finances.income_lines": "income_lines", "finances.expense_lines": "expense_lines",
}
_COLUMN_RANK = {c: k for k, c in enumerate(INPUT_COLUMNS)}

MISSING = "Missing data for required field."
NOT_NUMBER = "Not a valid number (a decimal string or a JSON number)."
NOT_INTEGER = "Not a valid integer."
NOT_DATE = "Not a valid date."
#: The batch's words for a date it cannot read: the quote's, with the format a file must use.
NOT_DATE_CELL = "Not a valid date: expected YYYY-MM-DD (e.g. 2026-11-23)."
NOT_DATE_LIST = "Not a valid date: expected dates YYYY-MM-DD separated by ';' (or none)."
DATE_RANGE = f"Must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}."   # the schema's words
NEGATIVE = "Must not be negative."
#: An account id like ``6.222020000000001e+16``: a number's text, whose digits a program reading ids as numbers lost.
ID_EXPONENT = ("Is a number in exponent form, not an account id: its digits were lost where the ids were read "
               "as numbers; write account ids as text.")
_EXPONENT = r"^-?[0-9](\.[0-9]+)?[eE][+-][0-9]{1,3}$"      # as programs print floats; not ids like 12E45

OK, ABSENT, INVALID, NEG, TOO_LARGE, TOO_PRECISE, OUT_OF_RANGE = range(7)
assert (kernels.CELL_OK, kernels.CELL_ABSENT, kernels.CELL_INVALID, kernels.CELL_TOO_LARGE, kernels.CELL_TOO_PRECISE,
        kernels.CELL_OUT_OF_RANGE) == (OK, ABSENT, INVALID, TOO_LARGE, TOO_PRECISE, OUT_OF_RANGE)



def _np_bool(arr) -> np.ndarray:
    """A boolean Arrow array as numpy, nulls as False."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def present(arr: pa.Array) -> np.ndarray:
    """Cells that hold something (neither null nor empty)."""
    return _np_bool(pc.greater(pc.binary_length(arr), 0))


def _read_cells(arr: pa.Array, has: np.ndarray, kernel: str, *args) -> tuple[np.ndarray, np.ndarray]:
    """``(values, status)`` of a string column's cells by a text kernel (``kernels.<kernel>``) over its bytes.

    A sliced column's offsets are its own (they need not start at zero).
    ``args`` are the kernel's own (per-row arrays or numbers).
    """
    n = len(arr)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    offsets = offsets[arr.offset: arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    values, status = compiled.run(kernel, n, [data, offsets, has, *args], [(n, np.int64), (n, np.int8)])
    return values, status


def _slow_strings(arr: pa.Array, rows: np.ndarray) -> list[str]:
    return pc.take(arr, pa.array(rows, type=pa.int64())).to_pylist()


# ----------------------------------------------------------------------------- amounts

def parse_amounts(arr: pa.Array, digits: np.ndarray, maximum: Decimal = MAX_AMOUNT,
                  rate: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Decimal text to integer minor units, exactly as a single quote reads it.

    Parameters
    ----------
    arr : pyarrow string array
        One cell per row; null or empty means absent.
    digits : ndarray of int
        Minor-unit digits of each row's currency (6 for a rate in ppm).
    maximum : Decimal
        Largest value accepted, in major units.
    rate : bool
        Convert with :func:`~negotiator.core.money.rate_to_ppm` (ppm) instead of
        :func:`~negotiator.core.money.to_minor`.

    Returns
    -------
    values : ndarray of int64
        Minor units; 0 wherever the status is not ``OK`` (as
        :func:`~negotiator.engine.accounts.from_records` leaves a bad amount).
    status : ndarray of int8
        ``OK``, ``ABSENT``, ``INVALID`` (not a number), ``NEG``,
        ``TOO_LARGE`` or ``TOO_PRECISE`` (more decimals than ``digits``).

    Examples
    --------
    >>> v, s = parse_amounts(pa.array(["12.50", "1.505", "-1", "x", None, "3.100"]), np.full(6, 2))
    >>> v.tolist(), s.tolist()
    ([1250, 0, 0, 0, 0, 310], [0, 5, 3, 2, 1, 0])
    """
    n = len(arr)
    digits = np.asarray(digits, dtype=np.int64)
    values = np.zeros(n, dtype=np.int64)
    status = np.full(n, ABSENT, dtype=np.int8)
    has = present(arr)
    if not has.any():
        return values, status
    # Plain digits[.digits] text is read by a kernel over the column's bytes; anything else (a sign,
    # an exponent, spaces, 13 or more digits) by the single quote's own functions, cell by cell.
    values, cell = _read_cells(arr, has, "decimal_many", digits, int(maximum), int(maximum) == maximum)
    fast = cell != kernels.CELL_SLOW
    status = np.where(fast, cell, status).astype(np.int8)
    slow = np.flatnonzero(has & ~fast)
    if len(slow):
        for row, text in zip(slow, _slow_strings(arr, slow)):
            values[row], status[row] = _slow_amount(text, int(digits[row]), maximum, rate)
    return values, status


def _slow_amount(text: str, digits: int, maximum: Decimal, rate: bool) -> tuple[int, int]:
    """One cell through the single quote's own functions (schema, then conversion)."""
    try:
        d = read_amount(text, maximum)
    except AmountError as exc:
        return 0, {"invalid": INVALID, "negative": NEG, "too_large": TOO_LARGE}[exc.kind]
    try:
        return (rate_to_ppm(d) if rate else to_minor(d, digits)), OK
    except ValueError:
        return 0, TOO_PRECISE


# ----------------------------------------------------------------------------- integers and dates

def parse_integers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Integer text (``-?[0-9]+``) to int64; ``INVALID`` otherwise, ``OUT_OF_RANGE`` if huge.

    >>> v, s = parse_integers(pa.array(["45", "-1", "4.0", None, "9" * 30]))
    >>> v.tolist(), s.tolist()
    ([45, -1, 0, 0, 0], [0, 0, 2, 1, 6])
    """
    n = len(arr)
    has = present(arr)
    values = np.zeros(n, dtype=np.int64)
    status = np.where(has, INVALID, ABSENT).astype(np.int8)
    if not has.any():
        return values, status
    return _read_cells(arr, has, "integer_many")


def parse_dates(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """ISO dates to days since 1970-01-01, by the wire schema's rule (:class:`negotiator.wire.schemas.IsoDate`).

    Only ``YYYY-MM-DD`` in ASCII digits, a real calendar day, between
    1900-01-01 and 2199-12-31 (``OUT_OF_RANGE`` outside); ``20261123`` and
    week dates are not dates here either.

    >>> d, s = parse_dates(pa.array(["1970-01-02", "2020-02-30", "20200301", None, "9999-12-31"]))
    >>> d.tolist()[:1], s.tolist()
    ([1], [0, 2, 2, 1, 6])
    """
    n = len(arr)
    has = present(arr)
    days = np.zeros(n, dtype=np.int64)
    status = np.where(has, INVALID, ABSENT).astype(np.int8)
    if not has.any():
        return days, status
    lo, hi = ((d - dt.date(1970, 1, 1)).days for d in (MIN_DATE, MAX_DATE))
    return _read_cells(arr, has, "date_many", lo, hi)


def months_between(earlier: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Whole months between day numbers, as :func:`negotiator.engine.accounts.months_between`.

    >>> e = (np.datetime64("2026-01-15") - np.datetime64("1970-01-01")).astype(int)
    >>> l = (np.datetime64("2026-11-14") - np.datetime64("1970-01-01")).astype(int)
    >>> months_between(np.array([e]), np.array([l])).tolist()
    [9]
    """
    e = np.asarray(earlier).astype("datetime64[D]")
    lt = np.asarray(later).astype("datetime64[D]")
    em, lm = e.astype("datetime64[M]"), lt.astype("datetime64[M]")
    eday = (e - em).astype(np.int64)
    lday = (lt - lm).astype(np.int64)
    return lm.astype(np.int64) - em.astype(np.int64) - (lday < eday)


def parse_date_lists(arr: pa.Array, as_of_day: int):
    """``;``-separated date lists: counts within 12 and 60 months, and errors per row.

    Returns ``(present, n12, n5y, invalid, too_long, future, out_of_range)``;
    ``none`` is an empty list.
    """
    n = len(arr)
    has = present(arr)
    n12 = np.zeros(n, dtype=np.int64)
    n5y = np.zeros(n, dtype=np.int64)
    invalid = np.zeros(n, dtype=bool)
    too_long = np.zeros(n, dtype=bool)
    future = np.zeros(n, dtype=bool)
    out_of_range = np.zeros(n, dtype=bool)
    if not has.any():
        return has, n12, n5y, invalid, too_long, future, out_of_range
    cells = pc.if_else(pa.array(has & ~_np_bool(pc.equal(arr, NO_DATES))), arr, pa.scalar(None, pa.string()))
    lists = pc.split_pattern(cells, DATE_SEPARATOR)
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    too_long = lengths > MAX_LINES
    flat = pc.list_flatten(lists)
    if len(flat):
        parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        days, st = parse_dates(flat)
        bad = st != OK
        invalid = np.bincount(parents[st == INVALID], minlength=n) > 0
        out_of_range = np.bincount(parents[st == OUT_OF_RANGE], minlength=n) > 0
        ok = ~bad
        months = months_between(days[ok], np.full(int(ok.sum()), as_of_day))
        p = parents[ok]
        future = np.bincount(p[days[ok] > as_of_day], minlength=n) > 0
        n12 = np.bincount(p[months < 12], minlength=n).astype(np.int64)
        n5y = np.bincount(p[months < 60], minlength=n).astype(np.int64)
    return has, n12, n5y, invalid, too_long, future, out_of_range


# ----------------------------------------------------------------------------- a whole chunk

class Errors:
    """Per-row errors by stage: ``schema`` first; the others count only without it."""

    def __init__(self, n: int):
        self.n = n
        self.schema: list[tuple[np.ndarray, str, str]] = []
        self.convert: list[tuple[np.ndarray, str, str]] = []

    def add(self, stage: str, mask: np.ndarray, column: str, message: str) -> None:
        if mask.any():
            getattr(self, stage).append((np.flatnonzero(mask), column, message))

    def rows(self, stage: str) -> np.ndarray:
        bad = np.zeros(self.n, dtype=bool)
        for rows, _, _ in getattr(self, stage):
            bad[rows] = True
        return bad


def _text(cols: dict[str, pa.Array], name: str, n: int) -> pa.Array:
    a = cols.get(name)
    return pa.nulls(n, pa.string()) if a is None else a


def to_accounts(cols: dict[str, pa.Array], n: int, as_of: dt.date, policy: Policy
                ) -> tuple[Accounts, list[tuple[int, str, str]]]:
    """Accounts arrays and every error ``(row, column, message)`` of a chunk.

    ``cols`` maps input column names to Arrow string arrays of length ``n``
    (a missing column counts as all absent). Rows with an error keep
    placeholder values in the arrays and must not be quoted.
    """
    err = Errors(n)
    get = lambda name: _text(cols, name, n)  # noqa: E731

    def required(name, has):
        err.add("schema", ~has, name, MISSING)

    # account id: carried through, at most MAX_TEXT characters
    aid = get("account_id")
    has_id = present(aid)
    required("account_id", has_id)
    err.add("schema", has_id & _np_bool(pc.greater(pc.utf8_length(aid), MAX_TEXT)), "account_id",
            f"Length must be between 1 and {MAX_TEXT}.")
    err.add("schema", has_id & _np_bool(pc.match_substring_regex(aid, _EXPONENT)), "account_id", ID_EXPONENT)

    cur = get("currency")
    cur_codes = sorted(CURRENCIES)
    cur_idx = pc.index_in(cur, pa.array(cur_codes)).to_numpy(zero_copy_only=False)
    has_cur = present(cur)
    cur_ok = has_cur & ~np.isnan(cur_idx.astype(float))
    required("currency", has_cur)
    err.add("schema", has_cur & ~cur_ok, "currency", f"Must be one of: {', '.join(cur_codes)}.")
    digit_table = np.array([CURRENCIES[c] for c in cur_codes], dtype=np.int64)
    cidx = np.where(cur_ok, np.nan_to_num(cur_idx.astype(float), nan=0).astype(np.int64), 0)
    digits = np.where(cur_ok, digit_table[cidx], 2)
    currency = np.array(cur_codes, dtype=object)[cidx]

    prod = get("product")
    has_prod = present(prod)
    prod_ok = _np_bool(pc.is_in(prod, pa.array(PRODUCTS)))
    required("product", has_prod)
    err.add("schema", has_prod & ~prod_ok, "product", f"Must be one of: {', '.join(PRODUCTS)}.")
    is_loan = _np_bool(pc.equal(prod, "loan"))

    amounts: dict[str, np.ndarray] = {}
    bad_amount: dict[str, np.ndarray] = {}

    def amount_errors(name, st, d):
        err.add("schema", st == INVALID, name, NOT_NUMBER)
        err.add("schema", st == NEG, name, NEGATIVE)
        err.add("schema", st == TOO_LARGE, name, f"Must be at most {MAX_AMOUNT:,}.")
        if isinstance(d, int):
            err.add("convert", st == TOO_PRECISE, name, f"Rate has more than {d} decimal places.")
        else:
            for k in np.unique(d[st == TOO_PRECISE]):
                err.add("convert", (st == TOO_PRECISE) & (d == k), name, f"Has more than {k} decimal places.")

    for name, _path, req in AMOUNTS:
        v, st = parse_amounts(get(name), digits)
        if req:
            required(name, st != ABSENT)
        amount_errors(name, st, digits)
        amounts[name], bad_amount[name] = v, st
    apr_arr = get("apr")
    apr, st = parse_amounts(apr_arr, np.full(n, 6), maximum=Decimal(1), rate=True)
    required("apr", st != ABSENT)
    err.add("schema", st == INVALID, "apr", NOT_NUMBER)
    err.add("schema", st == NEG, "apr", NEGATIVE)
    err.add("schema", st == TOO_LARGE, "apr", "Must be at most 1.")
    err.add("convert", st == TOO_PRECISE, "apr", "Rate has more than 6 decimal places.")

    ints: dict[str, np.ndarray] = {}
    int_given: dict[str, np.ndarray] = {}
    for name, _path, key, req in INTEGERS:
        v, st = parse_integers(get(name))
        lo, hi = LIMITS[key]
        if req:
            required(name, st != ABSENT)
        err.add("schema", st == INVALID, name, NOT_INTEGER)
        err.add("schema", (st == OUT_OF_RANGE) | ((st == OK) & ((v < lo) | (v > hi))), name,
                f"Must be greater than or equal to {lo} and less than or equal to {hi}.")
        ints[name], int_given[name] = v, st != ABSENT

    # hardship: the expected months whenever a reason is given (the reason itself is optional)
    reason = get("hardship_reason")
    has_reason = present(reason)
    has_months = int_given["hardship_expected_months"]
    err.add("schema", has_reason & ~has_months, "hardship_expected_months", MISSING)
    err.add("schema", has_reason & _np_bool(pc.greater(pc.utf8_length(reason), MAX_TEXT)), "hardship_reason",
            f"Length must be between 1 and {MAX_TEXT}.")

    # history
    as_of_day = (as_of - dt.date(1970, 1, 1)).days
    opened, st = parse_dates(get("opened_on"))
    err.add("schema", st == INVALID, "opened_on", NOT_DATE_CELL)
    err.add("schema", st == OUT_OF_RANGE, "opened_on", DATE_RANGE)
    has_opened = st == OK
    err.add("convert", has_opened & (opened > as_of_day), "opened_on", "Is after the as-of date.")
    age = np.where(has_opened, months_between(opened, np.full(n, as_of_day)), UNKNOWN)
    reage_has, n12, n5y, invalid, too_long, future, far = parse_date_lists(get("reage_dates"), as_of_day)
    err.add("schema", invalid, "reage_dates", NOT_DATE_LIST)
    err.add("schema", far, "reage_dates", DATE_RANGE)
    err.add("schema", too_long, "reage_dates", f"Longer than maximum length {MAX_LINES}.")
    err.add("convert", future, "reage_dates", "A date is after the as-of date.")
    _, _, _, a_invalid, a_long, _, a_far = parse_date_lists(get("arrangement_dates"), as_of_day)
    err.add("schema", a_invalid, "arrangement_dates", NOT_DATE_LIST)
    err.add("schema", a_far, "arrangement_dates", DATE_RANGE)
    err.add("schema", a_long, "arrangement_dates", f"Longer than maximum length {MAX_LINES}.")
    broken_has, broken_12m, _, b_invalid, b_long, b_future, b_far = parse_date_lists(get("broken_arrangement_dates"),
                                                                                     as_of_day)
    err.add("schema", b_invalid, "broken_arrangement_dates", NOT_DATE_LIST)
    err.add("schema", b_far, "broken_arrangement_dates", DATE_RANGE)
    err.add("schema", b_long, "broken_arrangement_dates", f"Longer than maximum length {MAX_LINES}.")
    err.add("convert", b_future, "broken_arrangement_dates", "A date is after the as-of date.")

    # itemised lines: a column per category
    line_values: dict[str, dict[str, np.ndarray]] = {"income": {}, "expense": {}}
    line_given = {"income": np.zeros(n, dtype=bool), "expense": np.zeros(n, dtype=bool)}
    line_read = {"income": np.ones(n, dtype=bool), "expense": np.ones(n, dtype=bool)}
    for kind, names in (("income", INCOME_LINES), ("expense", EXPENSE_LINES)):
        for name in names:
            if name not in cols:
                continue
            v, st = parse_amounts(cols[name], digits)
            amount_errors(name, st, digits)
            line_values[kind][name.split("_", 1)[1]] = v
            line_given[kind] |= st != ABSENT
            line_read[kind] &= (st == OK) | (st == ABSENT)

    # totals: given, or the sum of the lines, or both and equal
    totals = {}
    for kind, total in (("income", "monthly_income"), ("expense", "monthly_expenses")):
        summed = sum(line_values[kind].values(), np.zeros(n, dtype=np.int64))
        given = bad_amount[total] != ABSENT
        lines = line_given[kind]
        err.add("convert", ~given & ~lines, total, f"Required: give {total} or {kind}_lines.")
        # Compared only where the total and every line were read (one unreadable amount, one error).
        read = (bad_amount[total] == OK) & line_read[kind]
        err.add("convert", given & lines & read & (summed != amounts[total]), total,
                f"Does not equal the sum of {kind}_lines.")
        totals[kind] = np.where(given, amounts[total], summed)

    term = ints["remaining_term_months"]
    has_term = int_given["remaining_term_months"]
    err.add("convert", has_term & ~is_loan, "remaining_term_months", "Only for loans; a credit card has no term.")
    err.add("convert", ~has_term & is_loan, "remaining_term_months", "Required for loans.")

    any_lines = line_given["expense"].any()
    acc = Accounts(
        currency=currency, digits=digits, balance=amounts["balance"], arrears=amounts["arrears"],
        fees=amounts["fees"], contractual=amounts["contractual_payment"], apr_ppm=apr,
        dpd=ints["days_past_due"], is_loan=is_loan, remaining_term=np.where(has_term, term, 0),
        income=totals["income"], expenses=totals["expense"], other_debt=amounts["other_debt_payments"],
        household=np.where(int_given["household_size"], ints["household_size"], 1),
        lump_sum=amounts["lump_sum_available"],
        hardship_months=np.where(has_months, ints["hardship_expected_months"], 0),
        age_months=age, consecutive=np.where(int_given["consecutive_payments"], ints["consecutive_payments"], UNKNOWN),
        reages_12m=np.where(reage_has, n12, UNKNOWN), reages_5y=np.where(reage_has, n5y, UNKNOWN),
        broken_12m=np.where(broken_has, broken_12m, 0),
        expense_lines={c: line_values["expense"].get(f"expense_{c}", np.zeros(n, dtype=np.int64))
                       for c in EXPENSE_CATEGORIES} if any_lines else {},
        as_of_day=np.full(n, as_of_day, dtype=np.int64),
    )
    return acc, _merge(err, acc, policy)


def _merge(err: Errors, acc: Accounts, policy: Policy) -> list[tuple[int, str, str]]:
    """Errors in the single quote's order of stages, one per (row, column, message)."""
    schema_bad = err.rows("schema")
    out: set[tuple[int, str, str]] = set()
    for rows, col, msg in err.schema:
        out.update((int(r), col, msg) for r in rows)
    unparsed: dict[int, set[str]] = {}
    for rows, col, msg in err.convert:
        for r in rows[~schema_bad[rows]]:
            out.add((int(r), col, msg))
            unparsed.setdefault(int(r), set()).add(col)
    # The rules that compare with a value that could not be read are not judged (as for a single quote).
    paths = {r: {p for p, c in COLUMN_OF_PATH.items() if c in cols} for r, cols in unparsed.items()}
    for r, path, msg in check(acc, policy, paths):
        if schema_bad[r]:
            continue
        col = COLUMN_OF_PATH.get(path, path)
        if col not in unparsed.get(r, ()):
            out.add((r, col, msg))
    return sorted(out, key=lambda e: (e[0], _COLUMN_RANK.get(e[1], len(_COLUMN_RANK)), e[2]))


assert set(FIELD_PATHS.values()) <= set(COLUMN_OF_PATH), "every checked field has a column"
