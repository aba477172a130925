"""Batch offers on a collections team's real files (issue 10): collisions, injection, signals, truncation."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
from pathlib import Path

import pytest

from negotiator.batch import job as batch
from negotiator.cli import main as cli
from negotiator.policy import PolicyRegistry

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 23)
_spec = importlib.util.spec_from_file_location("make_portfolio", ROOT / "examples" / "make_portfolio.py")
make_portfolio = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_portfolio)


@pytest.fixture(scope="module")
def registry():
    return PolicyRegistry.load()


@pytest.fixture()
def portfolio(tmp_path):
    path = tmp_path / "portfolio.csv"
    make_portfolio.write(str(path), 40, seed=2, bad_share=0.1)
    return path


def _args(inp, out, **kw):
    base = dict(input=str(inp), output=str(out), policy="default", as_of=AS_OF.isoformat(), rejects=None,
                chunk_size=100_000, channel="batch", quiet=True)
    base.update(kw)
    return argparse.Namespace(**base)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ----------------------------------------------------------------------------- 1. path collisions

@pytest.mark.parametrize("case", ["output_is_input", "rejects_is_input", "rejects_is_output", "output_link_to_input",
                                  "output_hard_link_to_input", "output_is_folder", "rejects_is_folder",
                                  "output_folder_missing", "summary_is_input"])
def test_colliding_paths_are_refused_before_a_row_is_read(portfolio, tmp_path, case, monkeypatch, capsys):
    inp = portfolio
    out, rej = tmp_path / "offers.csv", None
    if case == "output_is_input":
        out = inp
    elif case == "rejects_is_input":
        rej = inp
    elif case == "rejects_is_output":
        rej = out
    elif case == "output_link_to_input":
        out = tmp_path / "link.csv"
        out.symlink_to(inp)
    elif case == "output_hard_link_to_input":
        out = tmp_path / "hard.csv"
        os.link(inp, out)
    elif case == "output_is_folder":
        out = tmp_path / "folder.csv"
        out.mkdir()
    elif case == "rejects_is_folder":
        rej = tmp_path / "rejects.csv"
        rej.mkdir()
    elif case == "output_folder_missing":
        out = tmp_path / "nowhere" / "offers.csv"
    summary = inp if case == "summary_is_input" else None
    before = _snapshot(tmp_path)

    def no_reading(*a, **kw):
        raise AssertionError("a row was read")

    monkeypatch.setattr(batch, "read_chunks", no_reading)
    argv = ["batch", str(inp), str(out), "--as-of", AS_OF.isoformat(), "--quiet"]
    if rej is not None:
        argv += ["--rejects", str(rej)]
    if summary is not None:
        argv += ["--summary-json", str(summary)]
    assert cli(argv) == 2
    assert "negotiator:" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before                 # the portfolio and every other file untouched


# ----------------------------------------------------------------------------- 2. formula injection

HOSTILE = ["=HYPERLINK(\"http://x.test\",\"click\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd", "\t=1+1",
           "\r=1+1", "＝1+1"]


def _hostile_portfolio(tmp_path: Path, suffix: str) -> Path:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    cols, kind = make_portfolio.portfolio(30, seed=4, bad_share=0.0, as_of=AS_OF)
    ids = list(cols["account_id"])
    for k, h in enumerate(HOSTILE):
        ids[k] = h
    cols["account_id"] = ids
    cols["balance"] = ["x" if k == 1 else v for k, v in enumerate(cols["balance"])]   # a rejected hostile id
    table = make_portfolio.to_table(cols)
    path = tmp_path / f"hostile{suffix}"
    if suffix == ".csv":
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))
    else:
        pq.write_table(table, path)
    return path


def test_csv_outputs_neutralise_formulas_and_other_formats_keep_the_value(tmp_path, registry):
    import csv
    import json

    import pyarrow.parquet as pq
    inp = _hostile_portfolio(tmp_path, ".csv")
    assert batch.main(_args(inp, tmp_path / "o.csv"), registry) == 0
    assert batch.main(_args(inp, tmp_path / "o.jsonl", rejects=str(tmp_path / "r.jsonl")), registry) == 0
    assert batch.main(_args(inp, tmp_path / "o.parquet", rejects=str(tmp_path / "r.parquet")), registry) == 0
    with open(tmp_path / "o.csv", newline="", encoding="utf-8") as fh:
        offers = list(csv.DictReader(fh))
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    written = {r["account_id"] for r in offers} | {r["account_id"] for r in rejects}
    assert {"'" + h for h in HOSTILE} <= written
    for cell in (v for r in offers + rejects for v in r.values()):
        assert not cell or cell[0] not in "=+@\t\r＝" and not (cell[0] == "-" and not cell[1:2].isdigit()), cell
    assert any(r["disposable_income"].startswith("-") for r in offers)   # negative amounts stay numbers
    jsonl = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    jsonl += [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    parquet = pq.read_table(tmp_path / "o.parquet").to_pylist() + pq.read_table(tmp_path / "r.parquet").to_pylist()
    for rows in (jsonl, parquet):
        assert set(HOSTILE) <= {r["account_id"] for r in rows}


# ----------------------------------------------------------------------------- 3. signals

def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parents.items() if p in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(p)
    return alive


def _wait_for(predicate, timeout: float, what: str):
    import time
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def long_portfolio(tmp_path_factory):
    """60,000 rows: long enough to be caught mid-run with two workers and small chunks."""
    folder = tmp_path_factory.mktemp("signals")
    small = folder / "small.csv"
    make_portfolio.write(str(small), 2000, seed=6, bad_share=0.0)
    header, *rows = small.read_bytes().splitlines(keepends=True)
    body = b"".join(r for r in rows if r.strip())
    path = folder / "long.csv"
    path.write_bytes(header + body * 30)
    return path


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT", "SIGKILL"])
def test_a_signalled_run_leaves_no_processes_and_no_parts(long_portfolio, tmp_path, signum):
    import signal
    import subprocess
    import sys
    sig = getattr(signal, signum)
    out = tmp_path / "offers.csv"
    out.write_text("yesterday's offers\n")
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "negotiator.cli", "batch", str(long_portfolio),
                             str(out),
                             "--as-of", AS_OF.isoformat(), "--workers", "2", "--chunk-size", "500", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        parts = lambda: [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # noqa: E731
        _wait_for(lambda: len(_children(proc.pid)) >= 2 and any(p.stat().st_size > 0 for p in parts()), 120,
                  "two workers and a part file with offers in it")
        workers = _children(proc.pid)
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)                            # faulthandler: every thread's stack
            _, err = proc.communicate(timeout=30)
            raise AssertionError(f"no exit 60 s after {signum}:\n{err.decode(errors='replace')}") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _wait_for(lambda: not _alive(workers), 30, f"workers {workers} to die with their parent")
    assert out.read_text() == "yesterday's offers\n"
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        return
    assert proc.returncode == (143 if sig == signal.SIGTERM else 130), err
    assert b"no output written" in err and b"Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offers.csv"]


# ----------------------------------------------------------------------------- 4. truncated or changing input

def _change(path: Path, how: str) -> None:
    if how == "emptied":
        path.write_bytes(b"")
    elif how == "cut":
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size // 2)
    elif how == "appended":
        with open(path, "ab") as fh:
            fh.write(path.read_bytes().splitlines(keepends=True)[-1])
    elif how == "replaced":
        other = path.with_name("other" + path.suffix)
        other.write_bytes(path.read_bytes())
        os.replace(other, path)
    elif how == "rewritten":        # same size, new content
        data = bytearray(path.read_bytes())
        data[-5] = data[-5] ^ 1
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize("how", ["emptied", "cut", "appended", "replaced", "rewritten"])
def test_an_input_that_changes_while_read_fails_and_writes_nothing(tmp_path, monkeypatch, capsys, how, suffix):
    inp = tmp_path / f"portfolio{suffix}"
    make_portfolio.write(str(inp), 3000, seed=8, bad_share=0.05)
    out = tmp_path / "offers.csv"
    out.write_text("yesterday's offers\n")
    real, calls = batch.process, []

    def change_after_the_first_chunk(*a, **kw):
        calls.append(1)
        if len(calls) == 1:
            _change(inp, how)
        return real(*a, **kw)

    monkeypatch.setattr(batch, "process", change_after_the_first_chunk)
    assert cli(["batch", str(inp), str(out), "--as-of", AS_OF.isoformat(), "--quiet", "--chunk-size", "200"]) == 5
    err = capsys.readouterr().err
    assert "while being read" in err or "cannot read" in err, err
    assert "nothing written" in err
    assert out.read_text() == "yesterday's offers\n"
    assert not any(p.name.endswith(".part") or "rejects" in p.name for p in tmp_path.iterdir())


def test_a_last_line_without_line_break_is_rejected_not_offered(tmp_path, registry):
    import csv
    inp = tmp_path / "portfolio.csv"
    make_portfolio.write(str(inp), 20, seed=9, bad_share=0.0)
    data = inp.read_bytes().rstrip(b"\n")
    last = data.rsplit(b"\n", 1)[1]
    inp.write_bytes(data[:-3])                      # "3488.15" becomes "348": cut mid-record, no line break
    out = tmp_path / "offers.csv"
    assert batch.main(_args(inp, out), registry) == 0
    n = data.count(b"\n")                           # the cut line's row number
    with open(tmp_path / "offers.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(int(r["row_number"]), r["field"]) for r in rejects] == [(n, "(row)")]
    assert "no line break" in rejects[0]["reason"]
    assert rejects[0]["account_id"] == last.split(b",")[0].decode()
    with open(out, newline="", encoding="utf-8") as fh:
        assert n not in {int(r["row_number"]) for r in csv.DictReader(fh)}
    inp.write_bytes(data + b"\n")                   # the same file, complete: every row offered
    assert batch.main(_args(inp, out), registry) == 0
    assert (tmp_path / "offers.rejects.csv").read_text().count("\n") == 1


def test_a_truncated_parquet_file_is_refused(tmp_path):
    inp = tmp_path / "portfolio.parquet"
    make_portfolio.write(str(inp), 50, seed=8, bad_share=0.0)
    inp.write_bytes(inp.read_bytes()[:-100])
    assert cli(["batch", str(inp), str(tmp_path / "o.csv"), "--quiet"]) == 2


# ----------------------------------------------------------------------------- 6. messages, not tracebacks

def _table(n=40, seed=12):
    cols, _ = make_portfolio.portfolio(n, seed=seed, bad_share=0.0, as_of=AS_OF)
    return make_portfolio.to_table(cols)


def test_cr_only_line_endings_are_named(portfolio, tmp_path, capsys):
    inp = tmp_path / "mac.csv"
    inp.write_bytes(portfolio.read_bytes().replace(b"\n", b"\r"))
    assert cli(["batch", str(inp), str(tmp_path / "o.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "CR alone" in err and "Traceback" not in err


def test_parquet_column_of_an_unreadable_type_is_named(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq
    t = _table()
    k = t.schema.get_field_index("hardship_reason")
    t = t.set_column(k, "hardship_reason", pa.array([{"why": "job"}] * t.num_rows))
    pq.write_table(t, tmp_path / "in.parquet")
    assert cli(["batch", str(tmp_path / "in.parquet"), str(tmp_path / "o.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "hardship_reason (struct<why: string>)" in err


def test_parquet_timestamps_at_midnight_are_dates(tmp_path, registry):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    t = _table()
    k = t.schema.get_field_index("opened_on")
    dates = pc.cast(pc.cast(t.column("opened_on"), pa.date32()), pa.timestamp("ns"))   # what pandas writes
    pq.write_table(t.set_column(k, "opened_on", dates), tmp_path / "ts.parquet")
    pq.write_table(t, tmp_path / "text.parquet")
    for name in ("ts", "text"):
        assert batch.main(_args(tmp_path / f"{name}.parquet", tmp_path / f"{name}.out.parquet"), registry) == 0
    assert pq.read_table(tmp_path / "ts.out.parquet") == pq.read_table(tmp_path / "text.out.parquet")
    assert (tmp_path / "ts.out.rejects.csv").read_text().count("\n") == 1      # the header alone
    noon = pc.add(dates, pa.scalar(12 * 3600 * 10**9, pa.duration("ns")))
    pq.write_table(t.set_column(k, "opened_on", noon), tmp_path / "noon.parquet")
    assert batch.main(_args(tmp_path / "noon.parquet", tmp_path / "noon.csv", max_reject_rate=1), registry) == 0
    rejects = (tmp_path / "noon.rejects.csv").read_text().replace('"', "")
    assert "opened_on,Not a valid date: expected YYYY-MM-DD" in rejects


def test_binary_column_with_bad_utf8_rejects_the_row_naming_the_column(tmp_path, registry):
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq
    t = _table()
    k = t.schema.get_field_index("currency")
    cells = [c.encode() for c in t.column("currency").to_pylist()]
    cells[3] = b"\xff\xfeUSD"
    pq.write_table(t.set_column(k, "currency", pa.array(cells, pa.binary())), tmp_path / "in.parquet")
    assert batch.main(_args(tmp_path / "in.parquet", tmp_path / "o.csv"), registry) == 0
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["row_number"], r["account_id"], r["field"], r["reason"]) for r in rejects] == [
        ("4", t.column("account_id")[3].as_py(), "currency", "Is not valid UTF-8.")]


def test_a_full_disk_is_a_message_and_exit_5(portfolio, tmp_path):
    import subprocess
    import sys
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "negotiator.cli", "batch", str(portfolio), "-", "--rejects",
                               str(tmp_path / "r.csv"), "--as-of", AS_OF.isoformat(), "--quiet"],
                              stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert proc.returncode == 5, proc.stderr
    assert b"No space left on device" in proc.stderr and b"Traceback" not in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["portfolio.csv"]


def test_a_file_size_limit_mid_run_is_a_message_and_leaves_no_part(portfolio, tmp_path):
    import resource
    import subprocess
    import sys
    big = tmp_path / "big.csv"
    header, *rows = portfolio.read_bytes().splitlines(keepends=True)
    big.write_bytes(header + b"".join(r for r in rows if r.strip()) * 50)
    out = tmp_path / "offers.csv"
    out.write_text("yesterday's offers\n")

    def limit():        # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))

    proc = subprocess.run([sys.executable, "-m", "negotiator.cli", "batch", str(big), str(out), "--chunk-size", "100",
                           "--as-of", AS_OF.isoformat(), "--quiet"], stderr=subprocess.PIPE, timeout=120,
                          preexec_fn=limit)
    assert proc.returncode == 5, proc.stderr
    assert b"File too large" in proc.stderr and b"Traceback" not in proc.stderr
    assert out.read_text() == "yesterday's offers\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "offers.csv", "portfolio.csv"]


# ----------------------------------------------------------------------------- standard output, BOM

def test_dash_streams_the_offers_to_standard_output(portfolio, tmp_path):
    import subprocess
    import sys
    out = tmp_path / "offers.csv"
    assert cli(["batch", str(portfolio), str(out), "--as-of", AS_OF.isoformat(), "--quiet"]) == 0
    for fmt in ("csv", "jsonl"):
        proc = subprocess.run([sys.executable, "-m", "negotiator.cli", "batch", str(portfolio), "-", "--format", fmt,
                               "--rejects", str(tmp_path / f"r.{fmt}"), "--as-of", AS_OF.isoformat(), "--quiet"],
                              capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        if fmt == "csv":
            assert proc.stdout == out.read_bytes()
            assert (tmp_path / "r.csv").read_bytes() == (tmp_path / "offers.rejects.csv").read_bytes()
        else:
            assert proc.stdout.count(b"\n") == out.read_bytes().count(b"\n") - 1
    assert cli(["batch", str(portfolio), "-", "--quiet"]) == 2          # where would the rejects go?


def test_bom_option_starts_csv_files_with_a_byte_order_mark(portfolio, tmp_path):
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"
    assert cli(["batch", str(portfolio), str(plain), "--as-of", AS_OF.isoformat(), "--quiet"]) == 0
    assert cli(["batch", str(portfolio), str(marked), "--as-of", AS_OF.isoformat(), "--quiet", "--bom"]) == 0
    for name in ("marked.csv", "marked.rejects.csv"):
        twin = (tmp_path / name.replace("marked", "plain")).read_bytes()
        assert (tmp_path / name).read_bytes() == b"\xef\xbb\xbf" + twin


# ----------------------------------------------------------------------------- 8. reject-rate threshold

def test_a_run_rejecting_more_than_the_threshold_exits_6_and_keeps_the_old_offers(tmp_path, capsys):
    inp = tmp_path / "bad.csv"
    make_portfolio.write(str(inp), 60, seed=3, bad_share=0.0)
    lines = inp.read_text().splitlines(keepends=True)
    k = lines[0].split(",").index('"currency"')
    bad = [",".join("XXX" if j == k else c for j, c in enumerate(line.split(","))) if i % 3 else line
           for i, line in enumerate(lines[1:], 1)]
    inp.write_text(lines[0] + "".join(bad))          # two rows in three rejected
    out = tmp_path / "offers.csv"
    out.write_text("yesterday's offers\n")
    base = ["batch", str(inp), str(out), "--as-of", AS_OF.isoformat(), "--quiet"]
    assert cli(base) == 6                                            # default threshold: half the rows
    err = capsys.readouterr().err
    assert "more than --max-reject-rate 0.5" in err and "offers not written" in err
    assert out.read_text() == "yesterday's offers\n"
    assert (tmp_path / "offers.rejects.csv").read_text().count("Must be one of") == 40
    assert cli([*base, "--max-reject-rate", "0.7"]) == 0
    assert out.read_text() != "yesterday's offers\n"
    assert cli([*base, "--max-reject-rate", "0.6"]) == 6
    assert cli([*base, "--max-reject-rate", "1.5"]) == 2


# ----------------------------------------------------------------------------- 9. one parsing rule

_FLAT = {"account_id": "A1", "currency": "USD", "balance": "1000", "arrears": "100", "apr": "0.18",
         "days_past_due": 40, "product": "credit_card", "contractual_payment": "50", "monthly_income": "3000",
         "monthly_expenses": "2000"}
_WIRE = {"currency": ("account", "currency"), "balance": ("account", "balance"), "apr": ("account", "apr"),
         "days_past_due": ("account", "days_past_due"), "product": ("account", "product"),
         "opened_on": ("account", "history", "opened_on"), "reage_dates": ("account", "history", "reage_dates"),
         "household_size": ("finances", "household_size"), "monthly_income": ("finances", "monthly_income"),
         "monthly_expenses": ("finances", "monthly_expenses")}


def _quote_errors(column, value, registry):
    from negotiator.core.errors import ValidationError
    from negotiator.engine.quote import quote
    body = {"as_of": AS_OF.isoformat(), "account": {}, "finances": {}}
    for c, v in {**_FLAT, column: value}.items():
        if c == "account_id":
            continue
        where = body
        for key in _WIRE.get(c, ("account", c))[:-1]:
            where = where.setdefault(key, {})
        where[_WIRE.get(c, ("account", c))[-1]] = v
    try:
        quote(body, registry, channel="batch")
    except ValidationError as exc:
        return {e.message for e in exc.errors}
    return set()


@pytest.mark.parametrize(("column", "value"), [
    ("reage_dates", [20200101]), ("reage_dates", "2020-01-01"), ("reage_dates", [None]), ("opened_on", 20200101),
    ("currency", 840), ("product", True), ("days_past_due", "40"), ("days_past_due", 40.0), ("days_past_due", True),
    ("balance", True), ("balance", [1]), ("apr", {"a": 1}), ("household_size", 2.5), ("monthly_income", False),
])
def test_jsonl_values_of_the_wrong_type_are_refused_as_a_single_quote_refuses_them(tmp_path, registry, column, value):
    import csv
    import json
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps(_FLAT) + "\n" + json.dumps({**_FLAT, "account_id": "A2", column: value}) + "\n")
    assert batch.main(_args(inp, tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    expected = _quote_errors(column, value, registry)
    assert expected, "the single quote refuses it"
    assert [(r["row_number"], r["account_id"], r["field"]) for r in rejects] == [("2", "A2", column)]
    assert {r["reason"] for r in rejects} == expected
    assert _quote_errors("days_past_due", 40, registry) == set()          # the base record is valid


def test_jsonl_duplicate_keys_are_refused(tmp_path, registry):
    import csv
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"account_id": "A1", "currency": "USD", "balance": "1000", "arrears": "100", "apr": "0.18", '
                   '"days_past_due": 40, "product": "credit_card", "contractual_payment": "50", '
                   '"monthly_income": "3000", "monthly_expenses": "2000", "balance": "10"}\n')
    assert batch.main(_args(inp, tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["row_number"], r["account_id"], r["field"]) for r in rejects] == [("1", "A1", "balance")]
    assert "more than once" in rejects[0]["reason"]


def _csv_with_line_breaks(tmp_path: Path, newline: bytes = b"\n") -> tuple[Path, Path, set[int]]:
    """A portfolio whose hardship reasons hold quoted line breaks, and the same with spaces instead."""
    import pyarrow.csv as pacsv
    cols, _ = make_portfolio.portfolio(60, seed=21, bad_share=0.0, as_of=AS_OF)
    reasons = list(cols["hardship_reason"])
    broken = {k for k, r in enumerate(reasons) if r}
    assert len(broken) >= 5
    marker = "\x1f"
    cols["hardship_reason"] = [f"{r}{marker}second line{marker}third" if r else r for r in reasons]
    table = make_portfolio.to_table(cols)
    path, flat = tmp_path / "breaks.csv", tmp_path / "flat.csv"
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="all_valid"))
    data = path.read_bytes()
    path.write_bytes(data.replace(marker.encode(), newline))
    flat.write_bytes(data.replace(marker.encode(), b" "))
    return path, flat, broken


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
@pytest.mark.parametrize("chunk_size", [3, 100_000])
def test_quoted_line_breaks_make_one_record(tmp_path, registry, newline, chunk_size):
    import csv
    path, flat, broken = _csv_with_line_breaks(tmp_path, newline)
    assert batch.main(_args(path, tmp_path / "o.csv", chunk_size=chunk_size), registry) == 0
    assert batch.main(_args(flat, tmp_path / "f.csv"), registry) == 0
    with open(tmp_path / "o.csv", newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    with open(tmp_path / "f.csv", newline="", encoding="utf-8") as fh:
        want = list(csv.DictReader(fh))
    assert (tmp_path / "o.rejects.csv").read_text().count("\n") == 1           # nothing rejected
    # row k starts on line k + 1: each record with line breaks pushes the later numbers on by two
    lines = path.read_bytes().split(b"\n")
    for g in got:
        assert lines[int(g["row_number"])].startswith(f'"{g["account_id"]}"'.encode())
    strip = [{k: v for k, v in r.items() if k != "row_number"} for r in got]
    assert strip == [{k: v for k, v in r.items() if k != "row_number"} for r in want]
    assert len({r["account_id"] for r in got}) == 60


def test_the_slow_path_reads_quoted_line_breaks_as_the_fast_one(tmp_path):
    from negotiator.batch import io as batch_io
    path, _, _ = _csv_with_line_breaks(tmp_path)
    header, names = None, None
    with open(path, "rb") as fh:
        header = batch_io._read_header(fh, str(path))
        names = batch_io._header(header, str(path))
        fh.seek(len(header))
        block = fh.read()
    starts, lengths = batch_io._line_starts(block)
    fast = batch_io._csv_block(header, names, block, starts, lengths, 1, 0)
    slow = batch_io._csv_block_slowly(names, block, starts, lengths, 1, 0)
    assert fast.row_numbers.tolist() == slow.row_numbers.tolist()
    assert {c: a.to_pylist() for c, a in fast.columns.items()} == {c: a.to_pylist() for c, a in slow.columns.items()}
    assert fast.unreadable == slow.unreadable == []


def test_unreadable_lines_keep_their_account_id_where_it_can_be_read(tmp_path, registry):
    import csv
    inp = tmp_path / "p.csv"
    make_portfolio.write(str(inp), 12, seed=2, bad_share=0.0)
    header, *rows = inp.read_bytes().splitlines(keepends=True)
    rows = [r for r in rows if r.strip()]
    rows[1] = rows[1].rsplit(b",", 1)[0] + b"\n"                       # ragged
    rows[3] = rows[3].replace(b",", b',"', 1)                          # a quote that never closes
    inp.write_bytes(header + b"".join(rows))
    assert batch.main(_args(inp, tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        got = [(r["row_number"], r["account_id"], r["field"], r["reason"].split(" (")[0]) for r in csv.DictReader(fh)]
    ids = [r.split(b",")[0].strip(b'"').decode("utf-8", "replace") for r in rows]
    n = header.count(b",") + 1
    assert got == [("2", ids[1], "(row)", f"Has {n - 1} fields; the header has {n}."),
                   ("4", ids[3], "(row)", "Is not a valid CSV record")]


# ----------------------------------------------------------------------------- 7. memory bounded by bytes

def _wide_portfolio(tmp_path: Path, rows: int, cell: int) -> Path:
    small = tmp_path / "small.csv"
    make_portfolio.write(str(small), 5, seed=2, bad_share=0.0)
    header, first = small.read_bytes().splitlines()[:2]
    names = header.decode().replace('"', "").split(",")
    cells = first.decode().split(",")
    cells[names.index("hardship_reason")] = "x" * cell            # too long: each row is rejected
    cells[names.index("hardship_expected_months")] = "3"
    path = tmp_path / "wide.csv"
    with open(path, "wb") as fh:
        fh.write(header + b"\n")
        line = (",".join(cells) + "\n").encode()
        for _ in range(rows):
            fh.write(line)
    return path


def _peak_mib(argv: list[str], cwd: Path) -> tuple[int, str]:
    import subprocess
    import sys
    code = ("import resource, runpy, sys\nsys.argv = ['negotiator'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('negotiator.cli', run_name='__main__')\nexcept SystemExit as e:\n"
            "    code = e.code\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, code)\n")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd, timeout=300)
    peak, rc = proc.stdout.split()
    assert rc in ("0", "None"), proc.stderr
    return int(peak), proc.stderr


def test_memory_is_bounded_by_bytes_on_wide_rows(tmp_path):
    peaks = []
    for rows in (200, 600):                                          # 20 MB, then 60 MB of 100 KB cells
        folder = tmp_path / str(rows)
        folder.mkdir()
        path = _wide_portfolio(folder, rows, 100_000)
        peak, err = _peak_mib(["batch", str(path), "o.csv", "--as-of", AS_OF.isoformat(), "--quiet",
                               "--max-reject-rate", "1", "--chunk-mib", "1"], folder)
        assert f"{rows:,} rows read = 0 offered + {rows:,} rejected (balanced)" in err
        peaks.append(peak)
    # bounded by the chunk's bytes, three times the file costs (almost) nothing more; bounded by rows
    # alone (one chunk for the file), it cost about six times the extra 40 MB
    assert peaks[1] < peaks[0] + 40, peaks


def test_a_line_longer_than_a_chunk_is_rejected_unread(tmp_path, registry):
    import csv
    path = tmp_path / "p.csv"
    make_portfolio.write(str(path), 8, seed=2, bad_share=0.0)
    header, *rows = path.read_bytes().splitlines(keepends=True)
    rows = [r for r in rows if r.strip()]
    rows[4] = rows[4][:-1] + b"y" * (3 << 20) + b"\n"               # 3 MiB on one line
    path.write_bytes(header + b"".join(rows))
    assert batch.main(_args(path, tmp_path / "o.csv", chunk_mib=1, chunk_size=3), registry) == 0
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["row_number"], r["field"]) for r in rejects] == [("5", "(row)")]
    assert "--chunk-bytes" in rejects[0]["reason"] or "chunk" in rejects[0]["reason"]
    with open(tmp_path / "o.csv", newline="", encoding="utf-8") as fh:
        assert {int(r["row_number"]) for r in csv.DictReader(fh)} == {1, 2, 3, 4, 6, 7, 8}


def test_blocks_hold_at_most_the_bytes_asked_unless_one_line_is_longer(tmp_path):
    import io as _io

    from negotiator.batch import io as batch_io
    lines = [b"a" * n + b"\n" for n in (10, 3000, 5, 5000, 7, 20000, 2000, 2000, 1)]
    data = b"".join(lines)
    blocks = list(batch_io._line_blocks(_io.BytesIO(data), chunk_size=100, chunk_bytes=4096))
    assert b"".join(b for b, _ in blocks).count(b"\n") == len(lines)
    for b, _ in blocks:
        assert len(b) <= 4096 or b.count(b"\n") == 1
    assert sum(b.count(batch_io.TOO_LONG + b"\n") for b, _ in blocks) == 1     # the 20,000-byte line, unread
    assert b"a" * 5000 + b"\n" in [b for b, _ in blocks]                         # longer than asked: alone
    assert blocks[-1][1] == len(data)                                   # offsets are the file's


def test_parquet_batches_shrink_for_wide_rows(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from negotiator.batch import io as batch_io
    t = _table(200)
    k = t.schema.get_field_index("hardship_reason")
    wide = pa.array([f"{i:05d}" + "x" * 50_000 for i in range(200)])
    pq.write_table(t.set_column(k, "hardship_reason", wide), tmp_path / "w.parquet", use_dictionary=False,
                   compression="none")
    pq.write_table(t, tmp_path / "n.parquet")
    assert batch_io._parquet_batch_rows(pq.ParquetFile(tmp_path / "w.parquet"), 100_000, 1 << 20) <= 21
    assert batch_io._parquet_batch_rows(pq.ParquetFile(tmp_path / "n.parquet"), 100_000, 1 << 20) > 1000
    chunks, _ = batch_io.read_chunks(str(tmp_path / "w.parquet"), 100_000, 1 << 20)
    sizes = [len(c) for c in chunks]
    assert sum(sizes) == 200 and max(sizes) <= 21


# ----------------------------------------------------------------------------- 5. Spark, local mode

# The ``spark`` fixture (local mode, several partitions and Arrow batches) is in conftest.py.


# PySpark 4 warns that it does not fully support pandas 3 (what dask pulls in here): the test runs on
# pandas 3 on purpose, to show that the offers' frames convert (text columns handed over as objects).
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_offers_equal_the_commands_offers(spark, tmp_path, registry):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from negotiator.engine.options import ORDER
    cols, kind = make_portfolio.portfolio(700, seed=31, bad_share=0.1, as_of=AS_OF)
    table = make_portfolio.to_table(cols)
    inp = tmp_path / "portfolio.csv"
    pacsv.write_csv(table, inp, pacsv.WriteOptions(quoting_style="needed"))
    assert batch.main(_args(inp, tmp_path / "cli.parquet", rejects=str(tmp_path / "cli_rejects.parquet")),
                      registry) == 0
    want_offers = pq.read_table(tmp_path / "cli.parquet").to_pylist()
    want_rejects = pq.read_table(tmp_path / "cli_rejects.parquet").to_pylist()

    df = spark.read.csv(str(inp), header=True)                # every column as text, as the command reads it
    assert df.rdd.getNumPartitions() > 1
    out = batch.spark_offers(df, registry.get("default"), AS_OF)
    rows = [r.asDict() for r in out.collect()]
    rank = {t: k for k, t in enumerate(ORDER)}
    offers = sorted((r for r in rows if r["record"] != "reject"),
                    key=lambda r: (r["row_number"], rank.get(r["option_type"], -1)))
    rejects = sorted((r for r in rows if r["record"] == "reject"), key=lambda r: (r["row_number"], r["field"]))
    names = batch.OFFER_SCHEMA.names
    assert [{k: r[k] for k in names} for r in offers] == want_offers          # row numbers are global
    assert [{k: r[k] for k in batch.REJECT_SCHEMA.names} for r in rejects] == \
        sorted(want_rejects, key=lambda r: (r["row_number"], r["field"]))
    assert len({r["row_number"] for r in offers}) == int((kind == "").sum())


# ----------------------------------------------------------------------------- what a data engineer would miss

def test_help_lists_the_formats_and_every_exit_code(capsys):
    with pytest.raises(SystemExit):
        cli(["batch", "--help"])
    text = capsys.readouterr().out
    for needle in ("formats:", ".jsonl", ".parquet", "standard output", "exit codes:", "--max-reject-rate",
                   "--chunk-mib", "--summary-json", "--bom"):
        assert needle in text
    for code in (0, 1, 2, 3, 4, 5, 6, 130, 143, 129):
        assert f"  {code} " in text


def test_json_summary_counts_by_option_and_carries_provenance(portfolio, tmp_path, capsys):
    import json

    import pyarrow.parquet as pq
    out, summary = tmp_path / "o.parquet", tmp_path / "summary.json"
    assert cli(["batch", str(portfolio), str(out), "--as-of", AS_OF.isoformat(), "--quiet",
                "--summary-json", str(summary)]) == 0
    doc = json.loads(summary.read_text())
    offers = pq.read_table(out)
    assert doc["read"] == doc["offered"] + doc["rejected"] and doc["balanced"] and doc["exit_code"] == 0
    assert doc["offer_rows"] == offers.num_rows == sum(doc["offer_rows_by_option"].values()) + doc["no_option"]
    types = [t for t in offers.column("option_type").to_pylist() if t]
    assert doc["offer_rows_by_option"] == {t: types.count(t) for t in dict.fromkeys(
        t for t in batch.ORDER if t in types)}
    # A row with no option (a current account whose contract fits, say) has no recommended flag (null).
    assert sum(doc["recommended_by_option"].values()) == sum(1 for v in offers.column("recommended").to_pylist() if v)
    policy = PolicyRegistry.load().get("default")
    want = {"policy": "default", "policy_version": str(policy.version), "as_of": AS_OF.isoformat(),
            "channel": "batch", "input": portfolio.name}
    assert want.items() <= doc["provenance"].items()
    for column in ("policy", "policy_version", "as_of", "channel"):            # and on every offer row
        assert set(offers.column(column).to_pylist()) == {want[column]}
    meta = {k.decode(): v.decode() for k, v in pq.read_schema(out).metadata.items()}
    assert {f"negotiator.{k}": v for k, v in want.items()}.items() <= meta.items()
    assert "recommended by option:" in capsys.readouterr().err


def test_duplicate_account_ids_are_a_warning(portfolio, tmp_path, capsys):
    import json
    header, *rows = portfolio.read_bytes().splitlines(keepends=True)
    rows = [r for r in rows if r.strip()]
    dup = tmp_path / "dup.csv"
    dup.write_bytes(header + b"".join(rows) + rows[0] + rows[2])     # rows 1 and 3 again, at the end
    n = len(rows)
    assert cli(["batch", str(dup), str(tmp_path / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet",
                "--summary-json", str(tmp_path / "s.json")]) == 0
    err = capsys.readouterr().err
    doc = json.loads((tmp_path / "s.json").read_text())
    assert doc["duplicate_account_ids"] == 2
    assert doc["duplicate_rows_sample"] == [1, 3, n + 1, n + 2]
    assert "warning: 2 account ids appear on more than one row" in err


def test_progress_bar_redraws_on_a_timer_between_chunks():
    import io as _io
    import time
    buf = _io.StringIO()
    bar = batch.Progress(100, enabled=True, stream=buf, interval=0.02)
    try:
        bar.update(10, 5)                           # one chunk done, then nothing for a while
        end = time.monotonic() + 10
        while buf.getvalue().count("\r[") < 3 and time.monotonic() < end:
            time.sleep(0.01)
    finally:
        bar.close()
    assert buf.getvalue().count("\r[") >= 3
    after = buf.getvalue()
    time.sleep(0.1)
    assert buf.getvalue() == after                  # closed: no more drawing


def test_parts_left_by_a_killed_job_are_removed_by_the_next_run(portfolio, tmp_path, registry):
    import subprocess
    import sys
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)                                       # a process that has exited
    stale = tmp_path / f".offers.csv.{dead_pid}.part"
    alive = tmp_path / f".offers.csv.{os.getppid()}.part"             # another job still running
    stale.write_text("half a file")
    alive.write_text("being written")
    assert batch.main(_args(portfolio, tmp_path / "offers.csv"), registry) == 0
    assert not stale.exists() and alive.read_text() == "being written"
