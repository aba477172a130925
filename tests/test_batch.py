"""Batch offers (issue 4): parity with single quotes, reconciliation, determinism, atomicity."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import io
import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from negotiator.batch import job as batch
from negotiator.batch.io import BatchInputError
from negotiator.batch.parse import AMOUNTS, INTEGERS, NO_DATES, NOT_DATE_CELL, NOT_DATE_LIST
from negotiator.core.errors import ValidationError
from negotiator.engine.quote import quote
from negotiator.policy import PolicyRegistry

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 23)
_spec = importlib.util.spec_from_file_location("make_portfolio", ROOT / "examples" / "make_portfolio.py")
make_portfolio = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_portfolio)


@pytest.fixture(scope="module")
def registry():
    return PolicyRegistry.load()


@pytest.fixture(scope="module")
def policy(registry):
    return registry.get("default")


@pytest.fixture(scope="module")
def sample():
    """800 rows, 15% bad, as text cells (None for empty) with each row's bad kind."""
    cols, kind = make_portfolio.portfolio(800, seed=11, bad_share=0.15, as_of=AS_OF)
    return cols, kind


@pytest.fixture(scope="module")
def result(sample, policy):
    cols, _ = sample
    return batch.process(make_portfolio.to_table(cols), policy, AS_OF)


# ----------------------------------------------------------------------------- the request a row stands for

_INT_COLS = {c for c, *_ in INTEGERS}
_AMOUNT_COLS = {c for c, *_ in AMOUNTS}


def request_for(cells: dict[str, str | None]) -> dict:
    """The JSON request body a portfolio row means (the mapping docs/batch.md documents)."""
    account, finances, history, hardship = {}, {}, {}, {}
    income_lines, expense_lines = [], []
    for col, text in cells.items():
        if text is None or text == "" or col == "account_id":
            continue
        value = int(text) if col in _INT_COLS and re.fullmatch(r"-?[0-9]+", text) else text
        if col in ("opened_on", "consecutive_payments"):
            history[col] = value
        elif col in ("reage_dates", "arrangement_dates"):
            history[col] = [] if text == NO_DATES else text.split(";")
        elif col == "hardship_reason":
            hardship["reason"] = value
        elif col == "hardship_expected_months":
            hardship["expected_months"] = value
        elif col.startswith("income_"):
            income_lines.append({"category": col[7:], "amount": value})
        elif col.startswith("expense_"):
            expense_lines.append({"category": col[8:], "amount": value})
        elif col in ("monthly_income", "monthly_expenses", "other_debt_payments", "household_size",
                     "lump_sum_available"):
            finances[col] = value
        else:
            account[col] = value
    assert set(cells) - {"account_id"} <= _AMOUNT_COLS | _INT_COLS | {
        "currency", "apr", "product", "opened_on", "reage_dates", "arrangement_dates", "hardship_reason",
        *(c for c in cells if c.startswith(("income_", "expense_")))}
    if history:
        account["history"] = history
    if hardship:
        finances["hardship"] = hardship
    if income_lines:
        finances["income_lines"] = income_lines
    if expense_lines:
        finances["expense_lines"] = expense_lines
    return {"policy": "default", "as_of": AS_OF.isoformat(), "account": account, "finances": finances,
            "schedules": "none"}


def _cells(cols, i):
    return {c: v[i] for c, v in cols.items()}


def _column_of(path: str, body: dict) -> str:
    """A wire path of a quote error as the portfolio column it names."""
    parts = path.split(".")
    if parts[1] in ("income_lines", "expense_lines"):
        if len(parts) > 2:
            return f"{parts[1][:-6]}_{body['finances'][parts[1]][int(parts[2])]['category']}"
        return parts[1]
    if parts[-1] == "expected_months":
        return "hardship_expected_months"
    if parts[-2:] == ["hardship", "reason"]:
        return "hardship_reason"
    if parts[1] == "history" and parts[-1].isdigit():
        return parts[2]
    return parts[-1]


# ----------------------------------------------------------------------------- parity with single quotes

OPTION_FIELDS = ("monthly_payment", "term_months", "apr", "all_in_apr", "interest_rate", "first_payment_date",
                 "total_payable", "total_interest", "total_fees", "fees_waived", "principal_forgiven", "affordable",
                 "within_policy", "approval", "lender_npv", "concession_value", "regular_payment", "holiday_months",
                 "holiday_payment")


def test_offers_equal_single_quotes(sample, result, registry):
    cols, kind = sample
    offers = result.offers.to_pylist()
    by_row: dict[int, list[dict]] = {}
    for r in offers:
        by_row.setdefault(r["row_number"], []).append(r)
    good = np.flatnonzero(kind == "")
    rng = np.random.default_rng(5)
    checked = 0
    for i in rng.choice(good, 60, replace=False):
        cells = _cells(cols, i)
        q = quote(request_for(cells), registry, channel="batch")
        rows = by_row[int(i) + 1]
        assert rows[0]["account_id"] == cells["account_id"]
        assert {r["currency"] for r in rows} == {q["currency"]}
        for r in rows:
            assert r["disposable_income"] == q["affordability"]["disposable_income"]
            assert r["affordable_payment"] == q["affordability"]["affordable_payment"]
        if not q["options"]:
            assert len(rows) == 1 and rows[0]["option_type"] is None
            assert rows[0]["declined"] == ";".join(f"{d['type']}:{d['reasons'][0]['code']}" for d in q["declined"])
            continue
        assert [r["option_type"] for r in rows] == [o["type"] for o in q["options"]]
        for r, o in zip(rows, q["options"]):
            for f in OPTION_FIELDS:
                assert r[f] == o.get(f), (i, o["type"], f)
            assert r["recommended"] == (q["recommended_option_id"] == o["type"])
            assert r["nearest"] == (q["nearest_option_id"] == o["type"])
            checked += 1
    assert checked > 100


def test_rejects_equal_single_quote_errors(sample, result, registry):
    cols, kind = sample
    got: dict[int, set] = {}
    for r in result.rejects.to_pylist():
        got.setdefault(r["row_number"], set()).add((r["field"], r["reason"]))
    bad = np.flatnonzero(kind != "")
    assert len(set(kind[bad])) == len(make_portfolio.BAD_KINDS)      # every kind is in the sample
    for i in bad:
        cells = _cells(cols, i)
        body = request_for(cells)
        expected = set()
        if not cells["account_id"]:
            expected.add(("account_id", "Missing data for required field."))
        try:
            quote(body, registry, channel="batch")
        except ValidationError as exc:
            expected |= {(_column_of(e.field, body), e.message) for e in exc.errors}
        # the batch names the format a date cell must have (the quote: "Not a valid date.")
        expected = {(f, (NOT_DATE_CELL if f == "opened_on" else NOT_DATE_LIST) if m == "Not a valid date." else m)
                    for f, m in expected}
        # the quote names a bad line amount's conversion by list, the batch by column
        mapped = {(f if f not in ("expense_lines", "income_lines") else f, m) for f, m in got.get(int(i) + 1, set())}
        loose = {(("expense_lines" if f.startswith("expense_") and "decimal" in m else f), m) for f, m in mapped}
        assert expected in (mapped, loose), (i, kind[i], cells)


def test_every_row_is_accounted_for(result, sample):
    cols, kind = sample
    offered = set(result.offers.column("row_number").to_pylist())
    rejected = set(result.rejects.column("row_number").to_pylist())
    assert offered.isdisjoint(rejected)
    assert offered | rejected == set(range(1, len(kind) + 1))
    assert rejected == {int(i) + 1 for i in np.flatnonzero(kind != "")}
    assert result.read == result.offered + result.rejected == len(kind)


# ----------------------------------------------------------------------------- the job

def _args(inp, out, **kw):
    base = dict(input=str(inp), output=str(out), policy="default", as_of=AS_OF.isoformat(), rejects=None,
                chunk_size=100_000, channel="batch", quiet=True)
    base.update(kw)
    return argparse.Namespace(**base)


@pytest.fixture(scope="module")
def portfolio_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch") / "portfolio.csv"
    counts = make_portfolio.write(str(path), 1500, seed=3, bad_share=0.2)
    return path, counts


def test_reconciliation_with_bad_rows_of_every_kind(portfolio_csv, registry, tmp_path, capsys):
    path, counts = portfolio_csv
    assert set(counts) == set(make_portfolio.BAD_KINDS) | set(make_portfolio.RAW_KINDS)
    out = tmp_path / "offers.csv"
    assert batch.main(_args(path, out, chunk_size=400), registry) == 0
    err = capsys.readouterr().err
    m = re.search(r"([\d,]+) rows read = ([\d,]+) offered \+ ([\d,]+) rejected \(balanced\)", err)
    read, offered, rejected = (int(g.replace(",", "")) for g in m.groups())
    assert read == offered + rejected == 1500
    offers = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    rejects = list(csv.DictReader(io.StringIO((tmp_path / "offers.rejects.csv").read_text(encoding="utf-8"))))
    o_rows = {int(r["row_number"]) for r in offers}
    r_rows = {int(r["row_number"]) for r in rejects}
    assert len(o_rows) == offered and len(r_rows) == rejected and o_rows.isdisjoint(r_rows)
    lines = path.read_bytes().split(b"\n")[1:]
    blank = {k + 1 for k, line in enumerate(lines) if not line.strip()}
    assert o_rows | r_rows | blank >= set(range(1, 1501 + len(blank)))
    raw = {r["reason"].split(" ")[0] for r in rejects if r["field"] == "(row)"}
    assert raw == {"Has", "Is"}


def test_output_is_deterministic_whatever_the_chunk_size(portfolio_csv, registry, tmp_path):
    path, _ = portfolio_csv
    outputs = []
    for k, size in enumerate((97, 100_000)):
        out = tmp_path / f"o{k}.csv"
        assert batch.main(_args(path, out, chunk_size=size), registry) == 0
        outputs.append((out.read_bytes(), (tmp_path / f"o{k}.rejects.csv").read_bytes()))
    assert outputs[0] == outputs[1]


def test_worker_processes_give_the_same_bytes(portfolio_csv, registry, tmp_path):
    path, _ = portfolio_csv
    outputs = []
    for k, workers in enumerate((1, 2)):
        out = tmp_path / f"w{k}.csv"
        assert batch.main(_args(path, out, chunk_size=97, workers=workers), registry) == 0
        outputs.append((out.read_bytes(), (tmp_path / f"w{k}.rejects.csv").read_bytes()))
    assert outputs[0] == outputs[1]


def test_workers_out_of_range_is_a_usage_error(portfolio_csv, registry, tmp_path):
    path, _ = portfolio_csv
    with pytest.raises(BatchInputError):
        batch.run(str(path), str(tmp_path / "o.csv"), registry.get("default"), AS_OF, workers=0)
    assert not list(tmp_path.glob("o*"))


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_other_formats_give_the_same_offers(portfolio_csv, registry, tmp_path, suffix, sample):
    cols, kind = sample
    inp = tmp_path / f"in{suffix}"
    make_portfolio.write(str(inp), 300, seed=5, bad_share=0.1)
    ref = tmp_path / "ref.csv"
    make_portfolio.write(str(ref), 300, seed=5, bad_share=0.1)
    out, out_ref = tmp_path / f"out{suffix}", tmp_path / "out_ref.parquet"
    assert batch.main(_args(inp, out, rejects=str(tmp_path / f"rej{suffix}")), registry) == 0
    assert batch.main(_args(ref, out_ref), registry) == 0
    got = pq.read_table(out) if suffix == ".parquet" else [json.loads(x) for x in out.read_text().splitlines()]
    got = got.to_pylist() if suffix == ".parquet" else got
    want = pq.read_table(out_ref).to_pylist()
    # The CSV has a blank line and unreadable lines the other formats cannot hold: compare by account.
    for rows in (got, want):
        for r in rows:
            r.pop("row_number")
    both = {r["account_id"] for r in got} & {r["account_id"] for r in want} - {None}
    assert len(both) > 250
    assert [r for r in got if r["account_id"] in both] == [r for r in want if r["account_id"] in both]


def test_interruption_leaves_no_complete_looking_output(portfolio_csv, registry, tmp_path, monkeypatch):
    path, _ = portfolio_csv
    out = tmp_path / "offers.csv"
    out.write_text("yesterday's file\n")
    real = batch.process
    calls = []

    def flaky(*a, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*a, **kw)

    monkeypatch.setattr(batch, "process", flaky)
    assert batch.main(_args(path, out, chunk_size=200), registry) == batch.EXIT_INTERRUPTED
    assert out.read_text() == "yesterday's file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offers.csv"]

    def broken(*a, **kw):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(batch, "process", broken)
    with pytest.raises(RuntimeError):
        batch.main(_args(path, tmp_path / "other.csv"), registry)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offers.csv"]


def test_unusable_inputs_exit_with_code_2(tmp_path):
    from negotiator.cli import main as cli
    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,balance,colour\nA,1,red\n")
    out = tmp_path / "o.csv"
    assert cli(["batch", str(bad), str(out), "--quiet"]) == 2
    assert cli(["batch", str(tmp_path / "missing.csv"), str(out)]) == 2
    assert cli(["batch", str(bad), str(tmp_path / "o.txt")]) == 2
    good = tmp_path / "good.csv"
    make_portfolio.write(str(good), 5, seed=1, bad_share=0)
    assert cli(["batch", str(good), str(out), "--as-of", "someday"]) == 2
    assert cli(["batch", str(good), str(out), "--policy", "nope"]) == 3
    assert cli(["batch", str(good), str(out), "--as-of", "2026-11-23"]) == 0
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_chunk_function_takes_pandas_or_arrow(sample, policy, result):
    pd = pytest.importorskip("pandas", reason="pandas is not installed (pip install negotiator[dask])")
    cols, _ = sample
    df = make_portfolio.to_table(cols).to_pandas()
    frame = batch.process_pandas(df, policy, AS_OF)
    assert list(frame.columns) == batch.COMBINED_SCHEMA.names
    assert (frame["record"] == "reject").sum() == result.rejects.num_rows
    assert (frame["record"] != "reject").sum() == result.offers.num_rows
    assert isinstance(frame, pd.DataFrame)


def test_dask_runs_the_chunk_function_in_local_mode(sample, policy, result):
    dd = pytest.importorskip("dask.dataframe", reason="dask is not installed: pip install 'negotiator[dask]'")
    import dask
    cols, _ = sample
    table = make_portfolio.to_table(cols)
    table = table.append_column("row_number", pa.array(np.arange(1, table.num_rows + 1)))
    ddf = dd.from_pandas(table.to_pandas(), npartitions=3)
    with dask.config.set(scheduler="synchronous"):
        got = batch.dask_offers(ddf, policy, AS_OF).compute()
    offers = got[got["record"] != "reject"].drop(columns=["record", "field", "reason"])

    def norm(df):   # partitions may differ in dtype (an int column with nulls is float)
        return [{k: None if pd.isna(v) else int(v) if isinstance(v, float) else v for k, v in r.items()}
                for r in df.to_dict("records")]

    import pandas as pd
    assert norm(offers) == norm(result.offers.to_pandas())
    assert (got["record"] == "reject").sum() == result.rejects.num_rows


def test_progress_bar_only_on_a_terminal():
    buf = io.StringIO()
    p = batch.Progress(100, enabled=False, stream=buf)
    p.last -= 1
    p.update(50, 10)
    p.close()
    assert buf.getvalue() == ""
    p = batch.Progress(100, enabled=True, stream=buf)
    p.last -= 1
    p.update(50, 10)
    assert "50%" in buf.getvalue()


def test_bad_lines_do_not_send_a_block_down_the_slow_path(portfolio_csv, monkeypatch):
    from negotiator.batch import io as batch_io

    def refuse(*a, **kw):
        raise AssertionError("a whole block was read line by line")

    monkeypatch.setattr(batch_io, "_csv_block_slowly", refuse)
    path, counts = portfolio_csv
    chunks, _ = batch_io.read_chunks(str(path), 1000)
    got = list(chunks)
    unreadable = sum(len({u[0] for u in c.unreadable}) for c in got)
    assert unreadable == sum(counts[k] for k in make_portfolio.RAW_KINDS)
    assert sum(len(c) for c in got) + unreadable == 1500
