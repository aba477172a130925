"""Spark and Dask read a messy portfolio exactly as the command does (issue 24, item 3):
:mod:`negotiator.batch.pieces` (the file cut where the command's chunker cuts it) and
:mod:`negotiator.batch.cluster` (the pieces read by Spark and Dask tasks)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from conftest import load_make_portfolio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negotiator.batch
from negotiator.batch import io as batch_io
from negotiator.batch import job as batch
from negotiator.batch import pieces
from negotiator.batch.io import BatchInputError
from negotiator.engine.options import ORDER

AS_OF = dt.date(2026, 11, 23)
make_portfolio = load_make_portfolio()
#: Small chunks, so that a file of a few hundred rows is many pieces, and 4 KiB lines are too long.
CHUNK_ROWS, CHUNK_BYTES = 37, 4096


def messy_csv(rows: int = 400, seed: int = 5, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A portfolio CSV as lenders' systems export it: BOM and CRLF, multi-line quoted fields with doubled
    quotes, quotes inside fields, extra fields, lines with a quote that never closes, lines longer than a
    4 KiB chunk, Chinese values, blank lines in the middle and at the end, no final line break (and a
    share of rows with bad values, from examples/make_portfolio.py)."""
    cols, _ = make_portfolio.portfolio(rows, seed=seed, bad_share=0.1, as_of=AS_OF)
    buf = io.BytesIO()
    pacsv.write_csv(make_portfolio.to_table(cols), buf, pacsv.WriteOptions(quoting_style="needed"))
    header, *body = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8"))))
    reason = header.index("hardship_reason")
    rnd = random.Random(seed)
    lines = []
    for fields in body:
        r = rnd.random()
        if r < 0.06:
            fields[reason] = 'lost job\nsays "call me after 6"\r\nsecond break'     # multi-line, doubled quotes
        elif r < 0.09:
            fields[reason] = 'He said "call me", twice'
        elif r < 0.11:
            fields.append("extra")
        elif r < 0.12:
            fields[reason] = "x" * 20000                                             # longer than a chunk
        elif r < 0.14:
            fields[reason] = "因公司裁员而失业，正在找新工作"
        elif r < 0.15:
            lines.append("")
        out = io.StringIO()
        csv.writer(out, lineterminator="", delimiter=delimiter).writerow(fields)
        line = out.getvalue()
        if 0.15 <= r < 0.16:
            line = '"' + line                                                        # a quote never closed
        lines.append(line)
    text = "\r\n".join([delimiter.join(header), *lines]) + "\r\n\r\n\r\n" + lines[7]       # blank lines; no last break
    return (b"\xef\xbb\xbf" if encoding == "utf-8" else b"") + text.encode(encoding)


def messy_jsonl(rows: int = 300, seed: int = 6) -> bytes:
    cols, _ = make_portfolio.portfolio(rows, seed=seed, bad_share=0.1, as_of=AS_OF)
    lines = make_portfolio.jsonl_records(make_portfolio.to_table(cols)).split(b"\n")
    rnd = random.Random(seed)
    for k in range(len(lines)):
        r = rnd.random()
        if r < 0.03:
            lines[k] = lines[k][:-7]                                        # cut short
        elif r < 0.05:
            lines[k] = b'{"account_id": 6222020000000001.0, "account_id": "x"}'
        elif r < 0.07:
            lines[k] = b'{"account_id": "A", "note": "' + b"y" * 20000 + b'"}'
        elif r < 0.08:
            lines[k] = b"[1, 2]"
        elif r < 0.09:
            lines[k] = b""
    return b"\n".join(lines)


def messy_parquet(path: Path, rows: int = 300, seed: int = 7) -> None:
    """Pandas-style Parquet: a float64 id column with a blank and an inexact id, a binary column with a
    cell that is not UTF-8, timestamps for dates, several row groups."""
    cols, _ = make_portfolio.portfolio(rows, seed=seed, bad_share=0.1, as_of=AS_OF)
    t = make_portfolio.to_table(cols)
    ids = [float(6222020000000000 + k) for k in range(rows)]
    ids[3], ids[5] = None, 6.222020000000001e16
    t = t.set_column(0, "account_id", pa.array(ids, type=pa.float64()))
    k = t.schema.get_field_index("hardship_reason")
    reasons = [None if v is None else v.encode() for v in t.column(k).to_pylist()]
    reasons[9] = b"\xff\xfe"
    t = t.set_column(k, "hardship_reason", pa.array(reasons, type=pa.binary()))
    pq.write_table(t, path, row_group_size=70)


def _write(tmp_path: Path, fmt: str, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path = tmp_path / f"messy.{fmt}"
    if fmt == "csv":
        path.write_bytes(messy_csv(encoding=encoding, delimiter=delimiter))
    elif fmt == "jsonl":
        path.write_bytes(messy_jsonl())
    else:
        messy_parquet(path)
    return path


def _flat(chunks) -> tuple[list, list]:
    """Rows (row number, every column) and unreadable lines of some chunks."""
    rows, unreadable = [], []
    for c in chunks:
        cols = {k: v.to_pylist() for k, v in c.columns.items()}
        rows += [(int(n), {k: v[i] for k, v in cols.items()}) for i, n in enumerate(c.row_numbers)]
        unreadable += c.unreadable
    return rows, unreadable


def _command(path: Path, tmp_path: Path, registry, encoding: str = "utf-8",
             delimiter: str = ",") -> tuple[list[dict], list[dict]]:
    """What the command writes for ``path`` (in the test's small chunks): offers and rejects as dicts."""
    out, rej = tmp_path / "cli.parquet", tmp_path / "cli_rejects.parquet"
    summary = batch.run(str(path), str(out), registry.get("default"), AS_OF, str(rej), chunk_size=CHUNK_ROWS,
                        chunk_bytes=CHUNK_BYTES, encoding=encoding, delimiter=delimiter)
    assert summary.balanced and summary.read > 0
    return pq.read_table(out).to_pylist(), pq.read_table(rej).to_pylist()


def _split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """Combined records as the command's offers (in its order) and rejects (sorted)."""
    rank = {t: k for k, t in enumerate(ORDER)}
    offers = sorted((r for r in records if r["record"] != "reject"),
                    key=lambda r: (r["row_number"], rank.get(r["option_type"], -1)))
    rejects = [r for r in records if r["record"] == "reject"]
    return ([{k: r[k] for k in batch.OFFER_SCHEMA.names} for r in offers],
            _sorted([{k: r[k] for k in batch.REJECT_SCHEMA.names} for r in rejects]))


def _sorted(rejects: list[dict]) -> list[dict]:
    return sorted(rejects, key=lambda r: (r["row_number"], r["field"], r["reason"]))


# ----------------------------------------------------------------------------- pieces

@pytest.mark.parametrize("fmt,encoding", [("csv", "utf-8"), ("csv", "gb18030"), ("jsonl", "utf-8"),
                                          ("parquet", "utf-8")])
def test_pieces_read_the_rows_and_rejects_the_command_reads(tmp_path, fmt, encoding):
    path = _write(tmp_path, fmt, encoding)
    want = _flat(batch_io.read_chunks(str(path), CHUNK_ROWS, CHUNK_BYTES, encoding)[0])
    planned, names = pieces.plan(str(path), encoding, CHUNK_ROWS, CHUNK_BYTES)
    assert len(planned) > 3
    got = _flat(c for p in planned for c in pieces.read_piece(pieces.Piece.from_json(p.to_json())))
    assert got == want
    reasons = " ".join(u[3] for u in want[1])
    if fmt == "csv":        # the file holds what it says it holds
        assert all(s in reasons for s in ("longer than a chunk", "unbalanced quote", "fields; the header has",
                                          "has no line break"))
        assert any("\n" in r[1]["hardship_reason"] and '"call me after 6"' in r[1]["hardship_reason"]
                   for r in want[0])
        assert any(r[1]["hardship_reason"] == "因公司裁员而失业，正在找新工作" for r in want[0])


def test_the_command_reads_the_same_rows_whatever_the_chunk_size(tmp_path):
    """A line with a quote that never closes, before a record with quoted line breaks, once made a chunk
    end inside that record (the quotes were counted from the chunk's start), splitting it in two."""
    path = _write(tmp_path, "csv")
    whole = _flat(batch_io.read_chunks(str(path), 100_000)[0])
    for rows in (1, 2, 7, 37):
        assert _flat(batch_io.read_chunks(str(path), rows)[0]) == whole


#: Lines of every kind the chunker must not be thrown by (``{r}``: the other required fields).
_LINE_KINDS = {
    "record": 'A{k},USD,1{k}.50{r}',
    "quoted": '"A{k}","US""D",2{r}',
    "multi_line": '"A{k}\nsecond ""line""\r\nthird",USD,3{r}',
    "unclosed": '"A{k},USD,4{r}',
    "ragged": 'A{k},USD,5{r},extra',
    "short": 'A{k}',
    "blank": '',
    "long": 'A{k},USD,' + "9" * 3000 + '{r}',
    "crlf": 'A{k},USD,6{r}\r',
    "bare_cr": 'A{k},US\rD,7{r}',
}
_MIX_HEADER = "account_id,currency,balance,arrears,apr,days_past_due,product,contractual_payment\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(sorted(_LINE_KINDS)), min_size=1, max_size=40),
       final_break=st.booleans(), rows=st.integers(1, 12), kib=st.integers(1, 8), d=st.sampled_from(",;\t"))
def test_any_mix_of_lines_reads_the_same_whatever_the_chunks_and_by_pieces(tmp_path, kinds, final_break, rows,
                                                                           kib, d):
    path = tmp_path / "mix.csv"
    body = "\n".join(_LINE_KINDS[kind].format(k=k, r=",1,0.1,30,loan,5") for k, kind in enumerate(kinds))
    path.write_bytes((_MIX_HEADER + body + ("\n" if final_break else "")).replace(",", d).encode())
    whole = _flat(batch_io.read_chunks(str(path), 100_000, delimiter=d)[0])
    assert _flat(batch_io.read_chunks(str(path), rows, delimiter=d)[0]) == whole     # rows do not follow chunks
    want = _flat(batch_io.read_chunks(str(path), rows, kib << 10, delimiter=d)[0])
    planned, _ = pieces.plan(str(path), chunk_size=rows, chunk_bytes=kib << 10, delimiter=d)
    assert _flat(c for p in planned for c in pieces.read_piece(p)) == want   # pieces read as the command reads


def test_pieces_refuse_what_the_command_refuses(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(messy_csv(encoding="gb18030"))
    for read in (lambda p: batch_io.read_chunks(p, 10), lambda p: pieces.plan(p)):
        with pytest.raises(BatchInputError, match=r"line \d+ is not valid utf-8.*--encoding gb18030"):
            read(str(bad))
    numbered = tmp_path / "numbered.csv"            # a row_number column: the readers number the rows
    numbered.write_text("row_number,account_id,currency,balance,arrears,apr,days_past_due,product,"
                        "contractual_payment\n1,A,USD,1,0,0.1,0,loan,1\n")
    for read in (lambda p: batch_io.read_chunks(p, 10), lambda p: pieces.plan(p)):
        with pytest.raises(BatchInputError, match="unknown columns row_number"):
            read(str(numbered))


def test_a_piece_of_a_file_changed_since_it_was_planned_is_refused(tmp_path):
    path = _write(tmp_path, "csv")
    planned, _ = pieces.plan(str(path), chunk_size=CHUNK_ROWS)
    with open(path, "ab") as fh:
        fh.write(b"\r\n")
    with pytest.raises(batch_io.BatchRunError, match="changed after it was planned"):
        list(pieces.read_piece(planned[0]))


def test_the_readers_are_exported_from_the_package():
    from negotiator.batch import cluster
    assert negotiator.batch.spark_read_portfolio is cluster.spark_read_portfolio
    assert negotiator.batch.dask_read_portfolio is cluster.dask_read_portfolio
    with pytest.raises(AttributeError):
        negotiator.batch.nothing_here  # noqa: B018


# ----------------------------------------------------------------------------- --delimiter

@pytest.mark.parametrize("delimiter,name", [(";", ";"), ("\t", "tab"), ("|", "|")])
def test_a_file_in_another_delimiter_gives_the_offers_of_its_comma_twin(tmp_path, registry, delimiter, name):
    """A semicolon (tab, pipe) export read with --delimiter: the same offers and rejects, byte for byte, as
    the same messy file with commas; commas inside fields are then plain text."""
    comma, other = tmp_path / "comma.csv", tmp_path / "other.csv"
    comma.write_bytes(messy_csv())
    other.write_bytes(messy_csv(delimiter=delimiter))
    assert b"," in other.read_bytes().split(b"\n", 1)[1] and other.read_bytes() != comma.read_bytes()
    policy = registry.get("default")
    for path, d in ((comma, ","), (other, name)):
        batch.run(str(path), str(tmp_path / f"{path.stem}.offers.csv"), policy, AS_OF, chunk_size=CHUNK_ROWS,
                  delimiter=d)
    assert (tmp_path / "comma.offers.csv").read_bytes() == (tmp_path / "other.offers.csv").read_bytes()

    def rejects(stem: str, d: str) -> list[dict]:     # a line with an unclosed quote is its own account id
        rows = list(csv.DictReader(io.StringIO((tmp_path / f"{stem}.offers.rejects.csv").read_text())))
        return [{**r, "account_id": r["account_id"].replace(d, ",")} if r["reason"] == batch_io.UNBALANCED else r
                for r in rows]
    assert rejects("comma", ",") == rejects("other", delimiter)
    cli_out = tmp_path / "cli.csv"
    from negotiator.cli import main as cli
    assert cli(["batch", str(other), str(cli_out), "--as-of", AS_OF.isoformat(), "--quiet", "--chunk-size",
                str(CHUNK_ROWS), "--delimiter", name]) == 0
    assert cli_out.read_bytes() == (tmp_path / "comma.offers.csv").read_bytes()
    want = _flat(batch_io.read_chunks(str(other), CHUNK_ROWS, delimiter=delimiter)[0])
    planned, _ = pieces.plan(str(other), chunk_size=CHUNK_ROWS, delimiter=name)
    assert _flat(c for p in planned for c in pieces.read_piece(p)) == want


def test_a_delimiter_the_job_does_not_read_or_on_other_formats_is_refused(tmp_path, capsys):
    from negotiator.cli import main as cli
    path = _write(tmp_path, "csv")
    assert cli(["batch", str(path), str(tmp_path / "o.csv"), "--quiet", "--delimiter", ":"]) == 2
    assert "--delimiter ':': not a delimiter the job reads" in capsys.readouterr().err
    jsonl = _write(tmp_path, "jsonl")
    assert cli(["batch", str(jsonl), str(tmp_path / "o.csv"), "--quiet", "--delimiter", ";"]) == 2
    assert "--delimiter applies to CSV input, not jsonl" in capsys.readouterr().err
    semicolon = tmp_path / "semi.csv"
    semicolon.write_bytes(messy_csv(delimiter=";"))
    with pytest.raises(BatchInputError, match="delimited by ';', not ',': run again with --delimiter ';'"):
        pieces.plan(str(semicolon))
    with pytest.raises(BatchInputError, match="delimited by ',', not tab: run again with --delimiter ','"):
        pieces.plan(str(path), delimiter="tab")


# ----------------------------------------------------------------------------- Dask

def _frame_records(df) -> list[dict]:
    """A pandas frame of COMBINED_SCHEMA rows as dicts with the command's types (an int column with nulls
    comes back from pandas as float)."""
    table = pa.Table.from_pandas(df.reset_index(drop=True), schema=batch.COMBINED_SCHEMA, preserve_index=False)
    return table.to_pylist()


@pytest.mark.parametrize("fmt,encoding,delimiter", [("csv", "utf-8", ","), ("csv", "gb18030", ","),
                                                    ("csv", "utf-8", ";"), ("jsonl", "utf-8", ","),
                                                    ("parquet", "utf-8", ",")])
def test_dask_offers_and_rejects_equal_the_commands_row_by_row(tmp_path, registry, fmt, encoding, delimiter):
    pytest.importorskip("dask.dataframe", reason="dask is not installed: pip install 'negotiator[dask]'")
    import dask
    path = _write(tmp_path, fmt, encoding, delimiter)
    want_offers, want_rejects = _command(path, tmp_path, registry, encoding, delimiter)
    portfolio = negotiator.batch.dask_read_portfolio(path, encoding, delimiter=delimiter, chunk_size=CHUNK_ROWS,
                                                     chunk_mib=CHUNK_BYTES / 2**20)
    assert portfolio.rows.npartitions == portfolio.pieces > 3
    with dask.config.set(scheduler="synchronous"):
        got = portfolio.offers(registry.get("default"), AS_OF).compute()
        rows = portfolio.rows.compute()
    offers, rejects = _split(_frame_records(got))
    assert offers == want_offers
    assert rejects == _sorted(want_rejects)
    assert rows["row_number"].tolist() == sorted(set(rows["row_number"]))       # in file order, unique


# ----------------------------------------------------------------------------- Spark

def test_every_extra_with_pyspark_pins_pandas_below_3():
    """PySpark 4 warns on every run that it does not fully support pandas 3; dask[dataframe] alone would
    pull pandas 3 into the development environment."""
    import tomllib

    from packaging.requirements import Requirement
    extras = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())[
        "project"]["optional-dependencies"]
    for name, reqs in extras.items():
        parsed = {r.name: r for r in map(Requirement, reqs)}
        if "pyspark" in parsed:
            assert "pandas" in parsed and not parsed["pandas"].specifier.contains("3.0"), name
            assert parsed["pandas"].specifier.contains("2.3.3"), name



# PySpark 4 warns that it does not fully support pandas 3, where the shared environment has it.
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
@pytest.mark.parametrize("fmt,encoding", [("csv", "utf-8"), ("csv", "gb18030"), ("jsonl", "utf-8"),
                                          ("parquet", "utf-8")])
def test_spark_offers_and_rejects_equal_the_commands_row_by_row(spark, tmp_path, registry, fmt, encoding):
    path = _write(tmp_path, fmt, encoding)
    want_offers, want_rejects = _command(path, tmp_path, registry, encoding)
    portfolio = negotiator.batch.spark_read_portfolio(spark, path, encoding, chunk_size=CHUNK_ROWS,
                                                      chunk_mib=CHUNK_BYTES / 2**20)
    assert portfolio.rows.rdd.getNumPartitions() == portfolio.pieces > 3
    got = [r.asDict() for r in portfolio.offers(registry.get("default"), AS_OF).collect()]
    offers, rejects = _split(got)
    assert offers == want_offers
    assert rejects == _sorted(want_rejects)
    numbers = [r["row_number"] for r in portfolio.rows.select("row_number").collect()]
    assert numbers == sorted(set(numbers))                                       # in file order, unique


def test_spark_refuses_a_file_the_command_refuses(spark, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(messy_csv(encoding="gb18030"))
    with pytest.raises(BatchInputError, match="--encoding gb18030"):
        negotiator.batch.spark_read_portfolio(spark, bad)


def test_json_of_a_piece_round_trips():
    p = pieces.Piece("p.csv", "csv", 3, 10, 90, ("account_id", "currency"), "gb18030", b"\xef\xbb\xbfa,b\r\n",
                     ((20, 30), (40, 50)), True, 5, 100, 123)
    assert pieces.Piece.from_json(p.to_json()) == p
    assert json.loads(p.to_json())["first"] == 3
