"""Batch offers for whole portfolios: ``negotiator batch INPUT OUTPUT --policy NAME``.

The job streams a portfolio (CSV, JSON Lines or Parquet; one row per
account, the flattened fields of a quote request) through the same array
engine as single quotes, chunk by chunk, and writes one row per account and
visible option. Every input row is accounted for: it is either offered (one
or more output rows, or one row with no option and the reasons why) or
rejected (one record per bad field in the rejects file).

:func:`process` is the chunk function: an Arrow table, record batch or
pandas frame in, Arrow tables out, so Dask's ``map_partitions`` or Spark's
``mapInPandas`` can run it unchanged (:func:`process_pandas`,
:func:`map_in_pandas`, :func:`dask_offers`). :func:`run` is the job on one
machine; :func:`main` the command-line entry. Column names, output columns
and exit codes are in ``docs/batch.md``.

Exit codes: 0 the run completed (rejected rows are reported, not fatal);
2 the input or output cannot be used at all (missing file, unknown suffix or
columns, colliding paths, bad ``--as-of`` or ``--chunk-size``); 3 unknown
policy; 4 invalid policy file; 5 the run failed part-way (the input changed
while read, an output could not be written; nothing written); 6 more rows
rejected than ``--max-reject-rate`` allows (rejects written, offers not); 7 another job holds the lock
of an output (:class:`negotiator.batch.io.OutputLock`);
130 interrupted, 143 SIGTERM, 129 SIGHUP (nothing written); 1 anything
unexpected (nothing written).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from negotiator.batch.dupes import Duplicates
from negotiator.batch.io import (
    DEFAULT_CHUNK_BYTES,
    BatchInputError,
    Chunk,
    OutputLock,
    Sink,
    check_columns,
    check_paths,
    default_manifest_path,
    file_format,
    id_text,
    read_chunks,
    write_manifest,
)
from negotiator.batch.parse import INPUT_COLUMNS, present, to_accounts
from negotiator.core.dates import first_payment_date
from negotiator.engine import compiled
from negotiator.engine.affordability import assess
from negotiator.engine.decide import decide
from negotiator.engine.options import ORDER, TIERS, build
from negotiator.engine.render import format_effective_rate
from negotiator.policy import Policy

EXIT_OK, EXIT_UNEXPECTED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_TOO_MANY_REJECTS = 6   # exit 5 (the run failed part-way) is BatchRunError.exit_code
#: The command's ``--max-reject-rate``: a run that rejects more than half its rows fails.
DEFAULT_MAX_REJECT_RATE = 0.5


def _or(value, default):
    return default if value is None else value

MONEY = pa.string()
#: Output columns, one row per account and visible option (see docs/batch.md).
OFFER_SCHEMA = pa.schema([
    ("row_number", pa.int64()), ("account_id", pa.string()), ("currency", pa.string()),
    ("option_type", pa.string()), ("recommended", pa.bool_()), ("nearest", pa.bool_()),
    ("monthly_payment", MONEY), ("term_months", pa.int64()), ("apr", pa.string()), ("all_in_apr", pa.string()),
    ("interest_rate", pa.string()),
    ("first_payment_date", pa.string()), ("total_payable", MONEY), ("total_interest", MONEY), ("total_fees", MONEY),
    ("fees_waived", MONEY), ("principal_forgiven", MONEY), ("concession_value", MONEY), ("lender_npv", MONEY),
    ("approval", pa.string()), ("affordable", pa.bool_()), ("within_policy", pa.bool_()),
    ("regular_payment", MONEY), ("holiday_months", pa.int64()), ("holiday_payment", MONEY),
    ("disposable_income", MONEY), ("affordable_payment", MONEY), ("declined", pa.string()),
    # provenance: what made the row (the same on every row of a run)
    ("policy", pa.string()), ("policy_version", pa.string()), ("as_of", pa.string()), ("channel", pa.string()),
])
#: Rejects: one record per (row, bad field).
REJECT_SCHEMA = pa.schema([("row_number", pa.int64()), ("account_id", pa.string()), ("field", pa.string()),
                           ("reason", pa.string())])
#: What :func:`process_pandas` returns: offers and rejects in one frame, told apart by ``record``.
COMBINED_SCHEMA = pa.schema([("record", pa.string()), *OFFER_SCHEMA, REJECT_SCHEMA.field("field"),
                             REJECT_SCHEMA.field("reason")])


# ----------------------------------------------------------------------------- formatting

def format_minor_array(values: np.ndarray, digits: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Decimal strings of minor-unit amounts, as :func:`negotiator.core.money.format_minor`.

    >>> format_minor_array(np.array([123450, -5, 700]), np.array([2, 2, 0])).to_pylist()
    ['1234.50', '-0.05', '700']
    """
    out = _decimal_texts(values, digits, False)
    if valid is not None and not valid.all():
        out = pc.if_else(pa.array(valid), out, pa.scalar(None, pa.string()))
    return out


def format_rate_array(ppm: np.ndarray) -> pa.Array:
    """Rates in ppm as decimal fractions, as :func:`negotiator.core.money.format_rate`.

    >>> format_rate_array(np.array([180000, 72500, 0, 1000000])).to_pylist()
    ['0.18', '0.0725', '0', '1']
    """
    ppm = np.asarray(ppm, dtype=np.int64)
    return _decimal_texts(ppm, np.full(len(ppm), 6), True)


def _decimal_texts(values: np.ndarray, digits: np.ndarray, trim: bool) -> pa.Array:
    """A string column of :func:`negotiator.kernels.minor_text`: lengths first, then one buffer written."""
    values = np.asarray(values, dtype=np.int64)
    digits = np.asarray(digits, dtype=np.int64)
    n = len(values)
    lengths = compiled.run("minor_text_lens", n, [values, digits, trim], [(n, np.int64)])[0]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] >= 2**31:
        raise ValueError("a column of more than 2 GiB of text: use smaller chunks")
    raw = compiled.run("minor_text_many", n, [values, digits, trim, offsets], [(int(offsets[-1]), np.uint8)])[0]
    body = pa.py_buffer(raw)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets.astype(np.int32)), body])


def format_effective_array(x: np.ndarray) -> pa.Array:
    """Float annual rates as six-place decimal strings, exactly as the single quote renders them.

    Rates in [0, 1e6) away from a rounding tie are rounded with numpy; the
    rest (ties, negatives, non-finite) go through the single quote's own
    formatter.

    >>> format_effective_array(np.array([0.1856, 0.0, 0.12345649, np.nan])).to_pylist()
    ['0.1856', '0', '0.123456', '0']
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        y = x * 1e6
        frac = y - np.floor(y)
        fast = np.isfinite(x) & (x >= 0) & ~np.signbit(x) & (x < 1e6) & (np.abs(frac - 0.5) > 1e-6)
    k = np.where(fast, np.rint(np.where(fast, y, 0)), 0).astype(np.int64)
    out = format_rate_array(k)
    slow = np.flatnonzero(~fast)
    if len(slow):
        full = np.array(out.to_pylist(), dtype=object)
        full[slow] = [format_effective_rate(float(v)) for v in x[slow]]
        out = pa.array(full, type=pa.string())
    return out


# ----------------------------------------------------------------------------- the chunk function

@dataclass
class ChunkResult:
    """Offers and rejects of one chunk, with its reconciliation counts."""

    offers: pa.Table
    rejects: pa.Table
    read: int            # rows in
    offered: int         # rows quoted (each has one or more offer rows)
    rejected: int        # rows with one or more reject records
    no_option: int       # offered rows that have no visible option

    def combined(self) -> pa.Table:
        """Offers and rejects in one table (``record``: offer, no_option or reject)."""
        kind = pc.if_else(pc.is_null(self.offers.column("option_type")), "no_option", "offer")
        offers = self.offers.append_column("field", pa.nulls(self.offers.num_rows, pa.string())) \
                            .append_column("reason", pa.nulls(self.offers.num_rows, pa.string())) \
                            .add_column(0, "record", kind)
        n = self.rejects.num_rows
        rej = {name: pa.nulls(n, COMBINED_SCHEMA.field(name).type) for name in COMBINED_SCHEMA.names}
        rej["record"] = pa.array(["reject"] * n, type=pa.string())
        for name in REJECT_SCHEMA.names:
            rej[name] = self.rejects.column(name)
        return pa.concat_tables([offers.cast(COMBINED_SCHEMA), pa.table(rej, schema=COMBINED_SCHEMA)])


def _columns(frame) -> tuple[dict[str, pa.Array], int, np.ndarray | None, dict[int, str]]:
    """Known columns as string arrays, the row count, a ``row_number`` column if any, and the rows whose
    account id is a number that cannot be read back to its digits (:func:`negotiator.batch.io.id_text`)."""
    if isinstance(frame, dict):
        frame = pa.table(frame)
    elif not isinstance(frame, (pa.Table, pa.RecordBatch)):
        frame = pa.Table.from_pandas(frame, preserve_index=False)
    names = [c for c in frame.schema.names if c != "row_number"]
    check_columns(names, "frame")
    cols = {}
    refused: dict[int, str] = {}
    for name in names:
        col = frame.column(name)
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if name == "account_id":
            col, refused = id_text(col)
        elif not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        cols[name] = col
    rn = None
    if "row_number" in frame.schema.names:
        rn = np.asarray(frame.column("row_number").to_numpy(zero_copy_only=False), dtype=np.int64)
    return cols, frame.num_rows, rn, refused


def process(frame, policy: Policy, as_of: dt.date, channel: str = "batch",
            row_numbers: np.ndarray | None = None) -> ChunkResult:
    """Offers and rejects for a chunk of accounts.

    Parameters
    ----------
    frame : pyarrow.Table, pyarrow.RecordBatch, pandas.DataFrame or dict of arrays
        Input columns (see :data:`negotiator.batch.parse.INPUT_COLUMNS`),
        any type (read as text; empty or null is absent). An optional
        ``row_number`` column numbers the rows; otherwise they are 1..n.
    policy, as_of, channel
        As for a single quote (channel ``batch`` or ``agent``).
    row_numbers : ndarray, optional
        Overrides the row numbers.

    Returns
    -------
    ChunkResult
        ``offers`` (:data:`OFFER_SCHEMA`) sorted by row then option order,
        ``rejects`` (:data:`REJECT_SCHEMA`) sorted by row then column.
    """
    cols, n, rn, refused = _columns(frame)
    if row_numbers is None:
        row_numbers = rn if rn is not None else np.arange(1, n + 1, dtype=np.int64)
    row_numbers = np.asarray(row_numbers, dtype=np.int64)
    acc, errors = to_accounts(cols, n, as_of, policy)
    if refused:     # a float id: the reason replaces "Missing data" for its (null) cell
        errors = sorted([e for e in errors if not (e[0] in refused and e[1] == "account_id")]
                        + [(k, "account_id", why) for k, why in refused.items()], key=lambda e: e[0])
    aid = cols.get("account_id", pa.nulls(n, pa.string()))
    aid = pc.if_else(pa.array(present(aid)), aid, pa.scalar(None, pa.string()))
    bad = np.zeros(n, dtype=bool)
    if errors:
        rows = np.fromiter((e[0] for e in errors), dtype=np.int64, count=len(errors))
        bad[rows] = True
        rejects = pa.table({"row_number": pa.array(row_numbers[rows]), "account_id": pc.take(aid, rows),
                            "field": pa.array([e[1] for e in errors], type=pa.string()),
                            "reason": pa.array([e[2] for e in errors], type=pa.string())}, schema=REJECT_SCHEMA)
    else:
        rejects = REJECT_SCHEMA.empty_table()
    good = np.flatnonzero(~bad)
    offers, no_option = _offers(acc.take(good), pc.take(aid, good), row_numbers[good], policy, as_of, channel)
    return ChunkResult(offers, rejects, n, len(good), int(bad.sum()), no_option)


def _offers(acc, account_id: pa.Array, row_numbers: np.ndarray, policy: Policy, as_of: dt.date,
            channel: str) -> tuple[pa.Table, int]:
    """Output rows for valid accounts: assess, build, decide, then render column-wise."""
    n = len(acc)
    if n == 0:
        return OFFER_SCHEMA.empty_table(), 0
    a = assess(acc, policy, channel)
    sets = build(acc, a, policy, channel)
    d = decide(acc, sets, a.now, policy, channel)

    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "pos", "type", "monthly", "term", "apr", "eff", "all_in", "total", "interest", "plan_fees", "waived",
        "forgiven", "value", "npv", "tier", "affordable", "within", "regular", "hold", "hold_payment")}
    for k, t in enumerate(ORDER):
        if t not in sets:
            continue
        s = sets[t]
        r = np.flatnonzero(d.visible[t])
        if not len(r):
            continue
        p, sv = s.plans, s.solved
        term = sv.term[r]
        total = s.total[r]
        parts["pos"].append(r)
        parts["type"].append(np.full(len(r), k))
        parts["monthly"].append(s.monthly_payment[r])
        parts["term"].append(term)
        parts["apr"].append(s.plan_apr[r])
        parts["eff"].append(s.effective_apr[r])
        parts["all_in"].append(s.all_in_apr[r])
        parts["total"].append(total)
        parts["interest"].append(s.total_interest[r])
        parts["plan_fees"].append(s.total_fees[r])
        parts["waived"].append(s.fees_waived[r] + s.fees_capped[r])
        parts["forgiven"].append(s.principal_forgiven[r])
        parts["value"].append(s.value[r])
        parts["npv"].append(s.npv[r])
        parts["tier"].append(np.minimum(s.tier[r], 2))
        parts["affordable"].append(s.affordable[r])
        parts["within"].append(s.within_policy[r])
        parts["regular"].append(s.regular[r])
        parts["hold"].append(p.hold[r])
        parts["hold_payment"].append(p.hold_payment[r])
    has_option = np.zeros(n, dtype=bool)
    for r in parts["pos"]:
        has_option[r] = True
    lonely = np.flatnonzero(~has_option)
    m = sum(len(r) for r in parts["pos"]) + len(lonely)
    cat = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in parts.items()}
    pos = np.concatenate([cat["pos"], lonely]).astype(np.int64)
    tidx = np.concatenate([cat["type"], np.full(len(lonely), -1)]).astype(np.int64)
    order = np.lexsort((tidx, pos))
    pos, tidx = pos[order], tidx[order]
    is_opt = tidx >= 0

    def col(name, fill=0):
        v = np.concatenate([cat[name], np.full(len(lonely), fill, dtype=cat[name].dtype)])
        return v[order]

    digits = acc.digits[pos]
    money = lambda name, valid=is_opt: format_minor_array(col(name), digits, valid)  # noqa: E731
    npv = col("npv", 0.0)
    npv_ok = is_opt & np.isfinite(npv)
    regular, hold = col("regular"), col("hold")
    rec_idx, near_idx = d.recommended[pos], d.nearest[pos]
    null = pa.scalar(None, pa.string())
    first_due = first_payment_date(as_of, policy.first_payment_offset_days).isoformat()
    opt_mask = pa.array(is_opt)

    def nullable_bool(v):
        return pa.array(v, mask=~is_opt)

    def nullable_int(v, valid):
        return pa.array(v, type=pa.int64(), mask=~valid)

    declined = pa.nulls(m, pa.string())
    if len(lonely):
        codes = []
        for t in ORDER:
            if t in sets:
                c = d.decline[t][lonely]
                codes.append(pa.array([f"{t}:{x}" if x is not None else None for x in c], type=pa.string()))
        joined = pc.binary_join_element_wise(*codes, ";", null_handling="skip")
        at = np.full(m, -1)
        at[np.flatnonzero(~is_opt)] = np.arange(len(lonely))   # lonely rows are in pos order already
        full = pc.take(joined, pa.array(np.where(at >= 0, at, 0)))
        declined = pc.if_else(pa.array(at >= 0), full, null)

    table = pa.table({
        "row_number": pa.array(row_numbers[pos]),
        "account_id": pc.take(account_id, pa.array(pos)),
        "currency": _currency_column(acc, pos),
        "option_type": pc.if_else(opt_mask, pc.take(pa.array(ORDER), pa.array(np.maximum(tidx, 0))), null),
        "recommended": nullable_bool(rec_idx == tidx),
        "nearest": nullable_bool(near_idx == tidx),
        "monthly_payment": money("monthly"),
        "term_months": nullable_int(col("term"), is_opt),
        "apr": pc.if_else(opt_mask, format_effective_array(col("eff", 0.0)), null),
        "all_in_apr": pc.if_else(opt_mask, format_effective_array(col("all_in", 0.0)), null),
        "interest_rate": pc.if_else(opt_mask, format_rate_array(col("apr")), null),
        "first_payment_date": pc.if_else(opt_mask, first_due, null),
        "total_payable": money("total"),
        "total_interest": money("interest"),
        "total_fees": money("plan_fees"),
        "fees_waived": money("waived"),
        "principal_forgiven": money("forgiven"),
        "concession_value": money("value"),
        "lender_npv": format_minor_array(np.rint(np.where(npv_ok, npv, 0)).astype(np.int64), digits, npv_ok),
        "approval": pc.if_else(opt_mask, pc.take(pa.array(TIERS), pa.array(col("tier"))), null),
        "affordable": nullable_bool(col("affordable", False)),
        "within_policy": nullable_bool(col("within", False)),
        "regular_payment": format_minor_array(regular, digits, is_opt & (regular != 0)),
        "holiday_months": nullable_int(hold, is_opt & (hold != 0)),
        "holiday_payment": format_minor_array(col("hold_payment"), digits, is_opt & (hold != 0)),
        "disposable_income": format_minor_array(a.disposable[pos], digits),
        "affordable_payment": format_minor_array(a.affordable[pos], digits),
        "declined": declined,
        "policy": pa.repeat(policy.name, m),
        "policy_version": pa.repeat(str(policy.version), m),
        "as_of": pa.repeat(as_of.isoformat(), m),
        "channel": pa.repeat(channel, m),
    }, schema=OFFER_SCHEMA)
    return table, len(lonely)


def _currency_column(acc, pos: np.ndarray) -> pa.Array:
    """Each output row's currency code, taken from the few codes the chunk holds (not one string per row)."""
    groups = acc.currency_groups()
    codes = np.zeros(len(acc), dtype=np.int32)
    for k, (_, rows) in enumerate(groups):
        if rows is not None:
            codes[rows] = k
    return pc.take(pa.array([c for c, _ in groups], type=pa.string()), pa.array(codes[pos]))


# ----------------------------------------------------------------------------- other engines

def process_pandas(df, policy: Policy, as_of: dt.date, channel: str = "batch"):
    """pandas in, pandas out: :meth:`ChunkResult.combined` of :func:`process`.

    The shape ``map_partitions`` and ``mapInPandas`` expect. Row numbers
    come from a ``row_number`` column when the frame has one, else 1..n
    within the frame.
    """
    return process(df, policy, as_of, channel).combined().to_pandas()


def map_in_pandas(frames: Iterable, policy: Policy, as_of: dt.date, channel: str = "batch") -> Iterator:
    """For Spark's ``DataFrame.mapInPandas``: an iterator of pandas frames in, out (:data:`COMBINED_SCHEMA`).

    Row numbers come from the frames' ``row_number`` column (see
    :func:`spark_offers`, which adds a global one); without it they count
    on from 1 across all the frames of one call (one Spark partition), not
    per Arrow batch.
    """
    done = 0
    for df in frames:
        numbers = None if "row_number" in df.columns else np.arange(done + 1, done + len(df) + 1, dtype=np.int64)
        done += len(df)
        yield _plain_pandas(process(df, policy, as_of, channel, numbers).combined())


def _plain_pandas(table: pa.Table):
    """A pandas frame with plain object columns for text (pandas 3 makes Arrow-backed ones, which an
    earlier PySpark refused: "Cannot convert ChunkedArray to Array")."""
    import pandas as pd
    df = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("python")}.get)
    return df.astype({f.name: object for f in table.schema if pa.types.is_string(f.type)})


_SPARK_TYPES = {pa.string(): "STRING", pa.int64(): "BIGINT", pa.int32(): "INT", pa.bool_(): "BOOLEAN",
                pa.float64(): "DOUBLE"}


def spark_ddl(schema: pa.Schema | None = None) -> str:
    """An Arrow schema (default :data:`COMBINED_SCHEMA`) as a Spark DDL string, the schema ``mapInPandas`` takes.

    >>> spark_ddl(pa.schema([("record", pa.string()), ("row_number", pa.int64()), ("affordable", pa.bool_())]))
    '`record` STRING, `row_number` BIGINT, `affordable` BOOLEAN'
    """
    schema = COMBINED_SCHEMA if schema is None else schema
    return ", ".join(f"`{f.name}` {_SPARK_TYPES[f.type]}" for f in schema)


def with_row_numbers(df):
    """A Spark DataFrame with a ``row_number`` column: 1-based, global, in the frame's order.

    Spark numbers nothing by itself (``monotonically_increasing_id`` has
    gaps); this is ``zipWithIndex``, one extra pass over the data.
    """
    from pyspark.sql.types import LongType, StructField, StructType
    schema = StructType([*df.schema.fields, StructField("row_number", LongType(), False)])
    return df.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 1)).toDF(schema)


def spark_offers(df, policy: Policy, as_of: dt.date, channel: str = "batch"):
    """Offers and rejects of a Spark DataFrame of portfolio rows (lazily), as :func:`process_pandas` gives them.

    Adds a global ``row_number`` (:func:`with_row_numbers`) unless the
    frame has one, then runs :func:`map_in_pandas` with :func:`spark_ddl`.
    Read CSV input with every column as text (no ``inferSchema``) so the
    cells mean what they mean to the command.
    """
    import functools
    if "row_number" not in df.columns:
        df = with_row_numbers(df)
    return df.mapInPandas(functools.partial(map_in_pandas, policy=policy, as_of=as_of, channel=channel),
                          spark_ddl())


def combined_meta():
    """An empty pandas frame with the columns and dtypes of :func:`process_pandas`."""
    return COMBINED_SCHEMA.empty_table().to_pandas()


def dask_offers(ddf, policy: Policy, as_of: dt.date, channel: str = "batch"):
    """Run :func:`process_pandas` on every partition of a Dask DataFrame (lazily)."""
    return ddf.map_partitions(process_pandas, policy, as_of, channel, meta=combined_meta())


# ----------------------------------------------------------------------------- the job

@dataclass
class Summary:
    read: int = 0
    offered: int = 0
    rejected: int = 0
    no_option: int = 0
    offer_rows: int = 0
    reject_records: int = 0
    seconds: float = 0.0
    max_reject_rate: float = 1.0
    offers_written: bool = True
    by_option: dict[str, int] = field(default_factory=dict)      # offer rows by option type
    recommended: dict[str, int] = field(default_factory=dict)    # accounts by recommended option type
    duplicate_ids: int = 0                                       # account ids on more than one row
    duplicate_rows: list[int] = field(default_factory=list)      # the first few rows holding one
    provenance: dict[str, str] = field(default_factory=dict)

    def count(self, offers: pa.Table) -> None:
        """Add a chunk's offer rows to the counts by option type."""
        for column, into in (("option_type", self.by_option), ("recommended", self.recommended)):
            types = offers.column("option_type")
            if column == "recommended":
                types = types.filter(pc.fill_null(offers.column("recommended"), False))
            for item in pc.value_counts(types.drop_null()).to_pylist():
                into[item["values"]] = into.get(item["values"], 0) + item["counts"]

    def as_dict(self) -> dict:
        """The machine-readable summary (``--summary-json``)."""
        return {"read": self.read, "offered": self.offered, "rejected": self.rejected, "balanced": self.balanced,
                "no_option": self.no_option, "offer_rows": self.offer_rows, "reject_records": self.reject_records,
                "reject_rate": round(self.reject_rate, 6), "max_reject_rate": self.max_reject_rate,
                "too_many_rejects": self.too_many_rejects, "offers_written": self.offers_written,
                "offer_rows_by_option": dict(sorted(self.by_option.items(), key=lambda kv: _rank(kv[0]))),
                "recommended_by_option": dict(sorted(self.recommended.items(), key=lambda kv: _rank(kv[0]))),
                "duplicate_account_ids": self.duplicate_ids, "duplicate_rows_sample": self.duplicate_rows,
                "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.read / self.seconds) if self.seconds > 0 else None,
                "provenance": self.provenance}

    @property
    def balanced(self) -> bool:
        return self.read == self.offered + self.rejected

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.read if self.read else 0.0

    @property
    def too_many_rejects(self) -> bool:
        return self.reject_rate > self.max_reject_rate

    def line(self) -> str:
        rate = self.read / self.seconds if self.seconds > 0 else 0.0
        return (f"negotiator batch: {self.read:,} rows read = {self.offered:,} offered + {self.rejected:,} rejected"
                f" ({'balanced' if self.balanced else 'NOT BALANCED'}); {self.offer_rows:,} offer rows"
                f" ({self.no_option:,} accounts with no option), {self.reject_records:,} reject records;"
                f" {self.seconds:.1f} s, {rate:,.0f} rows/s")

    def option_line(self) -> str:
        recommended = ", ".join(f"{t} {n:,}" for t, n in sorted(self.recommended.items(), key=lambda kv: _rank(kv[0])))
        return f"  recommended by option: {recommended or 'none'}"


def _rank(option_type: str) -> int:
    return ORDER.index(option_type) if option_type in ORDER else len(ORDER)


class Progress:
    """A one-line progress bar on stderr, redrawn on a timer (every ``interval`` seconds, so elapsed time
    and the ETA move while a long chunk is worked out) and when a chunk is done (at most five times a second).
    """

    def __init__(self, total: int, enabled: bool, stream=None, interval: float = 1.0):
        self.total, self.enabled = max(total, 1), enabled
        self.stream = stream or sys.stderr
        self.start = self.last = time.perf_counter()
        self.done = self.rows = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._timer = None
        if enabled:
            self._timer = threading.Thread(target=self._tick, args=(interval,), name="batch-progress", daemon=True)
            self._timer.start()

    def _tick(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._draw(time.perf_counter())

    def update(self, done: int, rows: int) -> None:
        self.done, self.rows = done, rows
        now = time.perf_counter()
        if self.enabled and now - self.last >= 0.2:
            self._draw(now)

    def _draw(self, now: float) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self.last = now
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            elapsed = max(now - self.start, 1e-9)
            rate = self.rows / elapsed
            eta = f"ETA {elapsed * (1 - share) / share:,.0f}s" if share > 0 else "ETA -"
            self.stream.write(f"\r[{bar:<30}] {share:4.0%} {self.rows:,} rows {rate:,.0f}/s {elapsed:,.0f}s {eta} ")
            self.stream.flush()

    def close(self) -> None:
        with self._lock:
            self._stop.set()
        if self._timer is not None:
            self._timer.join()
        if self.enabled:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


def _prefetch(chunks: Iterator[Chunk], depth: int = 1) -> Iterator[Chunk]:
    """Read the next chunk in a thread while this one is quoted (Arrow parsing drops the GIL)."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def offer(item) -> bool:
        """Hand ``item`` to the consumer unless it has stopped listening (never blocks for good)."""
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work():
        try:
            for c in chunks:
                if not offer(c):
                    return
            offer(done)
        except BaseException as exc:  # noqa: BLE001  (re-raised in the consumer)
            offer(exc)

    t = threading.Thread(target=work, name="batch-reader", daemon=True)
    t.start()
    try:
        while True:
            try:
                item = q.get(timeout=0.1)
            except queue.Empty:
                check_stop()
                continue
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def _merge_rejects(res: ChunkResult, chunk: Chunk) -> pa.Table:
    if not chunk.unreadable:
        return res.rejects
    extra = pa.table({"row_number": pa.array([u[0] for u in chunk.unreadable], type=pa.int64()),
                      "account_id": pa.array([u[1] for u in chunk.unreadable], type=pa.string()),
                      "field": pa.array([u[2] for u in chunk.unreadable], type=pa.string()),
                      "reason": pa.array([u[3] for u in chunk.unreadable], type=pa.string())}, schema=REJECT_SCHEMA)
    both = pa.concat_tables([res.rejects, extra])
    idx = np.argsort(both.column("row_number").to_numpy(), kind="stable")
    return both.take(pa.array(idx))


def default_rejects_path(output: str) -> str:
    """``offers.csv`` -> ``offers.rejects.csv`` (the rejects are CSV unless named otherwise)."""
    return f"{output}.rejects.csv" if "." not in output.rsplit("/", 1)[-1] else \
        output.rsplit(".", 1)[0] + ".rejects.csv"


class Terminated(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived: the run unwinds (parts removed, earlier output kept)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_stop: dict[str, int] = {}


def check_stop() -> None:
    """Raise :class:`Terminated` if a stop signal arrived (called between steps, where unwinding is safe)."""
    if _stop:
        raise Terminated(_stop["signum"])


def _wait(fut: Future):
    """``fut.result()``, looking for a stop signal every tenth of a second."""
    while True:
        try:
            return fut.result(timeout=0.1)
        except TimeoutError:
            check_stop()


@contextlib.contextmanager
def terminate_as_interrupt():
    """While inside, SIGINT, SIGTERM and SIGHUP stop the run at the next safe point (see :func:`check_stop`).

    The handler only records the signal: raising from inside a signal
    handler could interrupt a lock held by the worker pool or a queue and
    hang the shutdown. Later signals of the same run are ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, frame):
        _stop.setdefault("signum", signum)

    _stop.clear()
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        previous[s] = signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        _stop.clear()


_PR_SET_PDEATHSIG = 1


def _worker_init(parent: int) -> None:
    """In each worker: die with the parent (Linux ``PR_SET_PDEATHSIG``), leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:      # the parent died before the line above took effect
        os._exit(1)
    use_system_allocator()


def provenance(policy: Policy, as_of: dt.date, channel: str, input_path: str) -> dict[str, str]:
    """What made the output: stored in Parquet metadata and the JSON summary (nothing time-dependent, so
    the same run gives the same bytes)."""
    from negotiator import __version__
    return {"negotiator_version": __version__, "policy": policy.name, "policy_version": str(policy.version),
            "as_of": as_of.isoformat(), "channel": channel, "input": os.path.basename(input_path)}


def default_chunk_size(workers: int) -> int:
    """Rows per chunk when none is given: 5,000, whatever the number of workers (each holds one chunk).

    A process's peak is a floor of about 270 MiB (numba and the compiled
    kernels, loaded from the cache) plus what a chunk needs at its peak (the
    engine's arrays for every option, the input and output columns) and what
    the C allocator keeps of earlier chunks. Measured on 1,000,000 rows
    (2026-12-05, one worker, busy machine): 100,000-row chunks peaked at
    1.2 GiB, 10,000-row chunks at 406-438 MiB, 8,000 at 397 MiB, 5,000 at
    365 MiB, for the same output. CPU time a row is lowest from 10,000 to
    25,000 rows a chunk; 5,000-row chunks cost some 5-10 % more, 100,000-row
    ones as much (page faults). The peak does not grow with the rows.

    >>> default_chunk_size(1), default_chunk_size(2), default_chunk_size(8)
    (5000, 5000, 5000)
    """
    return 5_000


def _process_chunk(chunk: Chunk, policy: Policy, as_of: dt.date, channel: str) -> ChunkResult:
    return process(chunk.columns, policy, as_of, channel, chunk.row_numbers)


def use_system_allocator() -> None:
    """Arrow's memory from the C library's malloc, for the command and its workers (not for a library caller).

    Arrow's default pool (mimalloc) keeps the pages a chunk freed for the
    next one; with small chunks that retention was a good part of the peak.
    Measured on 200,000 rows with 10,000-row chunks, in one process: peak
    406-410 MiB against 435-440, and the same CPU (3.8 s user + system
    against 3.9). ``ARROW_DEFAULT_MEMORY_POOL``, when set, still decides.
    """
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        with contextlib.suppress(Exception):
            pa.set_memory_pool(pa.system_memory_pool())


def _results(chunks: Iterator[Chunk], policy: Policy, as_of: dt.date, channel: str,
             workers: int) -> Generator[tuple[Chunk, ChunkResult], None, None]:
    """Each chunk with its result, in input order; with ``workers`` > 1, worked out in
    that many processes with at most ``workers + 1`` chunks in flight (bounded memory)."""
    if workers <= 1:
        for chunk in chunks:
            check_stop()
            yield chunk, _process_chunk(chunk, policy, as_of, channel)
        return
    # spawn: the workers are children of this process (no fork of a process with threads, no forkserver
    # left behind), started from the main thread, which they watch with PR_SET_PDEATHSIG.
    ctx = multiprocessing.get_context("spawn")
    procs = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                initargs=(os.getpid(),))
    flight: collections.deque = collections.deque()
    finished = False
    try:
        for k, chunk in enumerate(chunks):
            flight.append((chunk, procs.submit(_process_chunk, chunk, policy, as_of, channel)))
            if k == 0:
                # The pool starts a worker per submission: the first chunk alone, so that one worker loads the
                # compiled kernels (or, on a machine with no cache yet, compiles them into it, once) and the
                # others start after it and load them from the cache, rather than all compiling at once.
                _wait(flight[0][1])
            if len(flight) > workers:
                done, fut = flight.popleft()
                yield done, _wait(fut)
        while flight:
            done, fut = flight.popleft()
            yield done, _wait(fut)
        finished = True
    finally:
        if finished:
            procs.shutdown(wait=True)
        else:
            # An error or a signal: stop the workers now rather than let them finish their chunks, and do
            # not wait on the pool's bookkeeping (it can stall on a killed worker); wait on the processes.
            live = list(getattr(procs, "_processes", {}).values())
            for p in live:
                with contextlib.suppress(Exception):
                    p.kill()
            procs.shutdown(wait=False, cancel_futures=True)
            for p in live:
                with contextlib.suppress(Exception):
                    p.join(timeout=10)
            # A worker killed while sending its chunk's result leaves half a message in the result pipe, and
            # the pool's manager thread can wait for the rest for ever (the interpreter joins it at exit).
            # With every worker gone, closing this process's own copy of the write end lets that read end
            # in EOF, which the pool handles as broken. This did not cure every case under load; the
            # command itself leaves with os._exit after an interrupted run (negotiator.cli.main).
            with contextlib.suppress(Exception):
                writer = getattr(procs._result_queue, "_writer", None)   # private, so not in typeshed's SimpleQueue
                if writer is not None:
                    writer.close()


def run(input_path: str, output_path: str, policy: Policy, as_of: dt.date, rejects_path: str | None = None,
        chunk_size: int | None = None, channel: str = "batch", progress: bool = False, workers: int = 1, *,
        output_format: str | None = None, bom: bool = False, max_reject_rate: float = 1.0,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES, summary_path: str | None = None,
        encoding: str = "utf-8", delimiter: str = ",") -> Summary:
    """The whole job on one machine; writes both files or (on any error) neither.

    ``workers`` processes work chunks out in parallel (the output is the same).
    Chunks hold at most ``chunk_size`` rows (default :func:`default_chunk_size`)
    and about ``chunk_bytes`` input bytes.
    ``output_path`` ``-`` streams the offers to standard output in
    ``output_format`` (csv or jsonl); ``bom`` starts CSV files with a UTF-8
    byte-order mark. When more than ``max_reject_rate`` of the rows read
    are rejected, the rejects are written but the offers are not (the
    summary's ``too_many_rejects``). CSV and JSON Lines input is read in
    ``encoding`` (``utf-8`` by default; see :data:`negotiator.batch.io.ENCODINGS`):
    a file not valid in it is refused before any output is opened. CSV
    input's fields are separated by ``delimiter`` (``,``, ``;``, tab or ``|``;
    see :data:`negotiator.batch.io.DELIMITERS`).
    """
    if not 0 <= max_reject_rate <= 1:
        raise BatchInputError(f"--max-reject-rate must be between 0 and 1, not {max_reject_rate}")
    if workers < 1 or workers > 64:
        raise BatchInputError(f"--workers must be between 1 and 64, not {workers}")
    if channel not in ("batch", "agent"):
        raise BatchInputError(f"channel must be batch or agent, not {channel!r}")
    if output_path == "-" and not rejects_path:
        raise BatchInputError("with OUTPUT - (standard output) name the rejects file with --rejects")
    if output_format is not None and output_format not in ("csv", "jsonl"):
        raise BatchInputError(f"--format must be csv or jsonl, not {output_format!r}")
    rejects_path = rejects_path or default_rejects_path(output_path)
    for path in (output_path, rejects_path):
        if path != "-":
            file_format(path)
    check_paths(input_path, output_path, rejects_path, summary_path)
    manifest = None if output_path == "-" else default_manifest_path(output_path)
    if manifest is not None:
        check_paths(input_path, manifest, rejects_path)
    chunk_size = default_chunk_size(workers) if chunk_size is None else chunk_size
    lock = OutputLock([output_path, rejects_path])      # one job at a time writes these files
    lock.__enter__()
    try:
        chunks, total = read_chunks(input_path, chunk_size, chunk_bytes, encoding, delimiter)
    except BaseException:
        lock.release()
        raise
    summary = Summary(provenance=provenance(policy, as_of, channel, input_path))
    duplicates = Duplicates()
    started = time.perf_counter()
    bar = Progress(total, progress)
    sinks: list[Sink] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
    pending: Future | None = None
    results = None
    try:
        out = Sink(output_path, OFFER_SCHEMA, output_format, bom, summary.provenance)
        sinks.append(out)
        rej = Sink(rejects_path, REJECT_SCHEMA, output_format, bom, summary.provenance)
        sinks.append(rej)
        results = _results(_prefetch(chunks), policy, as_of, channel, workers)
        for chunk, res in results:
            if "account_id" in chunk.columns:
                duplicates.add(chunk.columns["account_id"], chunk.row_numbers)
            summary.count(res.offers)
            rejects = _merge_rejects(res, chunk)
            unreadable_rows = len({u[0] for u in chunk.unreadable})
            summary.read += res.read + unreadable_rows
            summary.offered += res.offered
            summary.rejected += res.rejected + unreadable_rows
            summary.no_option += res.no_option
            summary.offer_rows += res.offers.num_rows
            summary.reject_records += rejects.num_rows
            if pending is not None:
                _wait(pending)
            check_stop()
            pending = pool.submit(_write_both, out, res.offers, rej, rejects)
            bar.update(chunk.bytes_read, summary.read)
            del chunk, res, rejects         # the writer holds what it needs; the rest can go now
        if pending is not None:
            _wait(pending)
        check_stop()
        summary.max_reject_rate = max_reject_rate
        summary.duplicate_ids, summary.duplicate_rows = duplicates.result()
        if summary.too_many_rejects and not out.streaming:
            rej.commit()    # the rejects say what went wrong; earlier offers stay as they were
            out.abort()
            summary.offers_written = False
        else:
            for sink in ((out, rej) if out.streaming else (rej, out)):
                sink.commit()   # the offers file last: its appearing means the run is complete
        if manifest is not None:    # last: names the pair this run wrote, with their sizes and SHA-256
            write_manifest(manifest, {"offers": out if summary.offers_written else None, "rejects": rej},
                           {"input": os.path.basename(input_path), "provenance": summary.provenance,
                            "rows": {"read": summary.read, "offered": summary.offered,
                                     "rejected": summary.rejected}})
    except BaseException:
        if results is not None:
            results.close()         # stop the workers (and the reader) before anything else
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):   # the original error is what matters
                pending.result()
        for s in sinks:
            s.abort()
        raise
    finally:
        pool.shutdown(wait=True)
        bar.close()
        duplicates.close()
        lock.release()
    summary.seconds = time.perf_counter() - started
    return summary


def _write_both(out: Sink, offers: pa.Table, rej: Sink, rejects: pa.Table) -> None:
    out.write(offers)
    rej.write(rejects)


def main(args, registry) -> int:
    """``negotiator batch``: see the module docstring for the exit codes."""
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except ValueError:
        raise BatchInputError(f"--as-of must be a date (YYYY-MM-DD), not {args.as_of!r}") from None
    policy = registry.get(args.policy)
    use_system_allocator()
    show = not args.quiet and sys.stderr.isatty()
    try:
        with terminate_as_interrupt():
            summary = run(args.input, args.output, policy, as_of, args.rejects, args.chunk_size, args.channel,
                          show, getattr(args, "workers", 1), output_format=getattr(args, "format", None),
                          bom=getattr(args, "bom", False),
                          chunk_bytes=int(_or(getattr(args, "chunk_mib", None), DEFAULT_CHUNK_BYTES / 2**20) * 2**20),
                          summary_path=getattr(args, "summary_json", None),
                          encoding=getattr(args, "encoding", None) or "utf-8",
                          delimiter=getattr(args, "delimiter", None) or ",",
                          max_reject_rate=_or(getattr(args, "max_reject_rate", None), DEFAULT_MAX_REJECT_RATE))
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Terminated) else signal.SIGINT
        what = "interrupted" if signum == signal.SIGINT else f"terminated ({exc.args[0]})"
        print(f"negotiator batch: {what}; no output written, earlier files left as they were", file=sys.stderr)
        return EXIT_INTERRUPTED if signum == signal.SIGINT else 128 + signum
    print(summary.line(), file=sys.stderr)
    print(summary.option_line(), file=sys.stderr)
    print(f"  policy {policy.name} {policy.version}, as of {as_of.isoformat()}, channel {args.channel}; "
          f"offers {args.output}, rejects {args.rejects or default_rejects_path(args.output)}", file=sys.stderr)
    if summary.duplicate_ids:
        print(f"negotiator batch: warning: {summary.duplicate_ids:,} account ids appear on more than one row "
              f"(rows {', '.join(map(str, summary.duplicate_rows))}{', ...' if summary.duplicate_ids > 1 else ''});"
              " each row was offered on its own", file=sys.stderr)
    code = EXIT_OK
    if not summary.balanced:
        code = EXIT_UNEXPECTED
    elif summary.too_many_rejects:
        offers = "not written" if not summary.offers_written else "already streamed"
        print(f"negotiator batch: {summary.reject_rate:.1%} of rows rejected, more than --max-reject-rate "
              f"{summary.max_reject_rate:g}: offers {offers}; see the rejects file", file=sys.stderr)
        code = EXIT_TOO_MANY_REJECTS
    target = getattr(args, "summary_json", None)
    if target:
        doc = json.dumps({**summary.as_dict(), "exit_code": code, "output": args.output,
                          "rejects": args.rejects or default_rejects_path(args.output)}, indent=2) + "\n"
        if target == "-":
            sys.stdout.write(doc)
        else:
            tmp = f"{target}.{os.getpid()}.part"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(doc)
            os.replace(tmp, target)
    return code


__all__ = ["process", "process_pandas", "map_in_pandas", "spark_offers", "spark_ddl", "with_row_numbers",
           "dask_offers", "run", "main", "OFFER_SCHEMA",
           "REJECT_SCHEMA", "COMBINED_SCHEMA", "INPUT_COLUMNS", "Summary"]
