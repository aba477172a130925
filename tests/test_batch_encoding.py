"""Portfolio files as they really arrive (issue 24): encodings, float ids, one writer per output, small points."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.csv as pacsv
import pytest
from conftest import load_make_portfolio

from negotiator.batch import io as batch_io
from negotiator.batch import job as batch
from negotiator.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 23)
make_portfolio = load_make_portfolio()


def _args(inp, out, **kw):
    base = dict(input=str(inp), output=str(out), policy="default", as_of=AS_OF.isoformat(), rejects=None,
                chunk_size=100_000, channel="batch", quiet=True)
    base.update(kw)
    return argparse.Namespace(**base)


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ----------------------------------------------------------------------------- 1. encodings

#: Hardship reasons and account-id prefixes in each encoding's own script (every one encodable in it).
TEXTS = {
    "gb18030": (["失业", "因公司裁员而失业，正在找新工作", "家人生病住院，医疗费用增加", "生意失败，收入减少"], "薛史"),
    "gbk": (["失业", "离婚后独自抚养两个孩子", "车祸受伤，暂时无法工作"], "王"),
    "big5": (["因公司裁員而失業，目前正在尋找新工作", "家人生病住院，醫療費用支出增加", "生意失敗，收入大幅減少"],
             "陳"),
    "shift_jis": (["会社の倒産により失業しました", "病気で入院しています", "収入が大幅に減少しました"], "山田"),
    "cp1252": (["Arbeitslosigkeit nach Kündigung", "Krankheit – Spitalaufenthalt", "séparation, réduction d'activité"],
               "Müller"),
}
#: What charset detection suggests for each, without --encoding (cp932 is Windows' superset of Shift_JIS).
SUGGESTED = {"gb18030": {"gb18030"}, "gbk": {"gb18030"}, "big5": {"big5"}, "shift_jis": {"shift_jis", "cp932"},
             "cp1252": {"cp1252"}}


def _portfolio_text(rows: int, encoding: str, fmt: str = "csv") -> str:
    """A portfolio with values in ``encoding``'s script, as text (written in any encoding by the caller)."""
    reasons, prefix = TEXTS[encoding]
    cols, _ = make_portfolio.portfolio(rows, seed=24, bad_share=0.0, as_of=AS_OF)
    cols["hardship_reason"] = [reasons[k % len(reasons)] if r else r for k, r in enumerate(cols["hardship_reason"])]
    cols["account_id"] = [f"{prefix}-6222{k:012d}" for k in range(rows)]
    table = make_portfolio.to_table(cols)
    if fmt == "jsonl":
        return make_portfolio.jsonl_records(table).decode("utf-8")
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(quoting_style="needed"))
    return buf.getvalue().decode("utf-8")


def _first_line_not_utf8(data: bytes) -> int:
    for k, line in enumerate(data.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return k
    raise AssertionError("every line is UTF-8")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_gb18030_input_is_offered_with_its_encoding_and_refused_without(tmp_path, registry, capsys, fmt):
    text = _portfolio_text(300, "gb18030", fmt)
    assert "失业" in text
    utf8, gb = tmp_path / "utf8" / f"p.{fmt}", tmp_path / "gb" / f"p.{fmt}"
    utf8.parent.mkdir()
    gb.parent.mkdir()
    utf8.write_bytes(text.encode("utf-8"))
    gb.write_bytes(text.encode("gb18030"))
    assert cli(["batch", str(utf8), str(utf8.parent / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet"]) == 0
    assert cli(["batch", str(gb), str(gb.parent / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet",
                "--encoding", "gb18030", "--chunk-size", "7"]) == 0
    want = (utf8.parent / "o.csv").read_bytes()
    assert (gb.parent / "o.csv").read_bytes() == want             # the same offers, byte for byte, in UTF-8
    assert (gb.parent / "o.rejects.csv").read_bytes() == (utf8.parent / "o.rejects.csv").read_bytes()
    assert "薛史-6222".encode() in want
    chunks, _ = batch_io.read_chunks(str(gb), 50, encoding="gb18030")      # the Python API reads it the same
    reasons = {r for c in chunks for r in c.columns["hardship_reason"].to_pylist()}
    assert set(TEXTS["gb18030"][0]) <= reasons
    capsys.readouterr()

    # without --encoding: refused before anything is written, naming the first bad line and the encoding
    folder = gb.parent
    for name in ("o.csv", "o.rejects.csv", "o.manifest.json"):
        (folder / name).unlink()
    assert cli(["batch", str(gb), str(folder / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet"]) == 2
    err = capsys.readouterr().err
    line = _first_line_not_utf8(gb.read_bytes())
    assert f"line {line:,} is not valid utf-8" in err
    assert "--encoding gb18030" in err
    assert _files(folder) == {gb.name}                             # no offers, no rejects, no part files


def test_a_file_not_valid_in_its_encoding_is_refused_even_when_streaming(tmp_path, capsysbinary):
    text = _portfolio_text(40, "gb18030")
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode("gb18030"))
    code = cli(["batch", str(path), "-", "--rejects", str(tmp_path / "r.csv"), "--as-of", AS_OF.isoformat(),
                "--quiet"])
    out = capsysbinary.readouterr()
    assert code == 2
    assert out.out == b""                                          # not one offer streamed
    assert b"--encoding gb18030" in out.err
    assert _files(tmp_path) == {"p.csv"}


def test_one_bad_byte_in_a_utf8_file_names_its_line(tmp_path, capsys):
    text = _portfolio_text(30, "gb18030")
    lines = text.encode("utf-8").split(b"\n")
    lines[17] = lines[17].replace(b"6222", b"62\xff22", 1)
    path = tmp_path / "p.csv"
    path.write_bytes(b"\n".join(lines))
    assert cli(["batch", str(path), str(tmp_path / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "line 18 is not valid utf-8 (byte 0xff" in err
    assert _files(tmp_path) == {"p.csv"}


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_each_encoding_reads_as_its_utf8_twin(tmp_path, registry, encoding):
    text = _portfolio_text(60, encoding)
    utf8, other = tmp_path / "u.csv", tmp_path / "e.csv"
    utf8.write_bytes(text.encode("utf-8"))
    other.write_bytes(text.encode(encoding))
    assert batch.main(_args(utf8, tmp_path / "u_out.csv"), registry) == 0
    assert batch.main(_args(other, tmp_path / "e_out.csv", encoding=encoding, chunk_size=5), registry) == 0
    assert (tmp_path / "e_out.csv").read_bytes() == (tmp_path / "u_out.csv").read_bytes()


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_without_encoding_each_is_refused_with_a_suggestion(tmp_path, capsys, encoding):
    text = _portfolio_text(200, encoding)
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode(encoding))
    assert cli(["batch", str(path), str(tmp_path / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"line {_first_line_not_utf8(path.read_bytes()):,} is not valid utf-8" in err
    assert any(f"it looks like {e}: run again with --encoding {e}" in err for e in SUGGESTED[encoding]), err
    assert _files(tmp_path) == {"p.csv"}


def test_a_wrong_declared_encoding_is_refused_too(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_bytes(_portfolio_text(40, "cp1252").encode("cp1252"))
    assert cli(["batch", str(path), str(tmp_path / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet",
                "--encoding", "gb18030"]) == 2
    err = capsys.readouterr().err
    assert "is not valid gb18030" in err and "--encoding cp1252" in err
    assert _files(tmp_path) == {"p.csv"}


def test_unknown_encodings_and_encodings_on_parquet_are_usage_errors(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_bytes(_portfolio_text(5, "cp1252").encode("utf-8"))
    assert cli(["batch", str(path), str(tmp_path / "o.csv"), "--quiet", "--encoding", "utf-16"]) == 2
    assert "not an encoding the job reads" in capsys.readouterr().err
    pq_path = tmp_path / "p.parquet"
    import pyarrow.parquet as pq
    pq.write_table(pacsv.read_csv(path), pq_path)
    assert cli(["batch", str(pq_path), str(tmp_path / "o.csv"), "--quiet", "--encoding", "gbk"]) == 2
    assert "Parquet text is always UTF-8" in capsys.readouterr().err


def test_transcoding_reads_in_pieces_whatever_the_cuts():
    text = "account_id,hardship_reason\n" + "".join(f"薛{k},失业{k}\n" for k in range(5000))
    raw = text.encode("gb18030")
    src = batch_io._Source(io.BytesIO(raw), "gb18030")
    got = []
    while piece := src.read(7):            # cuts through two- and four-byte characters
        got.append(piece)
    assert b"".join(got) == text.encode("utf-8")
    assert src.at_end(src.tell(), len(raw)) and src.consumed() == len(raw)


def test_the_suggestion_is_the_detected_encoding():
    data = _portfolio_text(200, "gb18030").encode("gb18030")
    assert batch_io.likely_encoding(io.BytesIO(data), 1000) == "gb18030"
    assert batch_io.likely_encoding(io.BytesIO(b"plain ASCII\n"), 0) is None
    data = json.dumps({"reason": "失業 病気で入院 収入減少 " * 50}, ensure_ascii=False).encode("shift_jis")
    assert batch_io.likely_encoding(io.BytesIO(data), 10) in ("shift_jis", "cp932")


# ----------------------------------------------------------------------------- 2. account ids as text

def _ids_portfolio(rows: int = 6):
    cols, _ = make_portfolio.portfolio(rows, seed=5, bad_share=0.0, as_of=AS_OF)
    return make_portfolio.to_table(cols).to_pandas()


#: 17-digit ids, two of which a float64 rounds to the same value, and a 16-digit id it holds exactly.
IDS_17 = [62220200000000012, 62220200000000013, 62220200000000100]
ID_16 = 6222020000000001


def test_pandas_float_ids_in_parquet_are_read_exactly_or_rejected(tmp_path, registry):
    import csv

    import numpy as np
    df = _ids_portfolio(6)
    df["account_id"] = [float(IDS_17[0]), float(IDS_17[1]), np.nan, float(ID_16), 12345.0, float(IDS_17[2])]
    assert df["account_id"].dtype == "float64"
    assert float(IDS_17[0]) == float(IDS_17[1])                    # float64 has already collapsed two accounts
    path = tmp_path / "p.parquet"
    df.to_parquet(path, index=False)
    assert batch.main(_args(path, tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    with open(tmp_path / "o.csv", newline="", encoding="utf-8") as fh:
        offered = {(r["row_number"], r["account_id"]) for r in csv.DictReader(fh)}
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = [(r["row_number"], r["account_id"], r["field"], r["reason"]) for r in csv.DictReader(fh)]
    assert offered == {("4", str(ID_16)), ("5", "12345")}        # exact digits, never 6.2e+15
    assert [r[:3] for r in rejects] == [("1", "", "account_id"), ("2", "", "account_id"), ("3", "", "account_id"),
                                        ("6", "", "account_id")]
    assert repr(float(IDS_17[0])) in rejects[0][3] and "write account ids as text" in rejects[0][3]
    assert rejects[2][3] == "Missing data for required field."
    assert not any("e+" in a for _, a in offered)


def test_integer_and_text_ids_in_parquet_keep_every_digit(tmp_path, registry):
    import csv
    df = _ids_portfolio(3)
    df["account_id"] = IDS_17
    df.to_parquet(tmp_path / "p.parquet", index=False)
    assert batch.main(_args(tmp_path / "p.parquet", tmp_path / "o.csv"), registry) == 0
    with open(tmp_path / "o.csv", newline="", encoding="utf-8") as fh:
        assert {r["account_id"] for r in csv.DictReader(fh)} == {str(i) for i in IDS_17}


def test_json_number_ids_are_read_exactly_or_rejected(tmp_path, registry):
    import csv
    cols, _ = make_portfolio.portfolio(5, seed=5, bad_share=0.0, as_of=AS_OF)
    recs = [json.loads(x) for x in make_portfolio.jsonl_records(make_portfolio.to_table(cols)).decode().splitlines()]
    ids = [IDS_17[0], float(IDS_17[1]), ID_16, 12345.0, 1.5]
    for rec, i in zip(recs, ids):
        rec["account_id"] = i
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    assert repr(float(IDS_17[1])) in path.read_text()
    assert batch.main(_args(path, tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    with open(tmp_path / "o.csv", newline="", encoding="utf-8") as fh:
        offered = {(r["row_number"], r["account_id"]) for r in csv.DictReader(fh)}
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = [(r["row_number"], r["field"], r["reason"]) for r in csv.DictReader(fh)]
    assert offered == {("3", str(ID_16)), ("4", "12345")}
    assert [r[:2] for r in rejects] == [("1", "account_id"), ("2", "account_id"), ("5", "account_id")]
    assert str(IDS_17[0]) in rejects[0][2] and repr(float(IDS_17[1])) in rejects[1][2]
    assert "fraction" in rejects[2][2]


def test_ids_in_exponent_form_are_rejected_in_csv_and_frames(tmp_path, registry):
    import csv
    df = _ids_portfolio(3)
    df["account_id"] = ["6.222020000000001e+16", "6222020000000001", "12E45"]
    df.to_csv(tmp_path / "p.csv", index=False)
    assert batch.main(_args(tmp_path / "p.csv", tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    with open(tmp_path / "o.rejects.csv", newline="", encoding="utf-8") as fh:
        rejects = [(r["row_number"], r["account_id"], r["field"]) for r in csv.DictReader(fh)]
    assert rejects == [("1", "6.222020000000001e+16", "account_id")]
    # the chunk function (Dask, Spark, pandas) reads a float id column by the same rule
    frame = _ids_portfolio(3)
    frame["account_id"] = [float(IDS_17[0]), float(ID_16), 7.0]
    res = batch.process(frame, registry.get("default"), AS_OF)
    assert set(res.offers.column("account_id").to_pylist()) == {str(ID_16), "7"}
    assert res.rejects.column("row_number").to_pylist() == [1]
    assert "write account ids as text" in res.rejects.column("reason")[0].as_py()


# ----------------------------------------------------------------------------- 3. one writer per output

def _sha(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_concurrent_jobs_on_one_output_one_is_refused(tmp_path):
    import subprocess
    import sys
    import time
    inp = tmp_path / "p.csv"
    make_portfolio.write(str(inp), 30_000, seed=3, bad_share=0.0)
    argv = [sys.executable, "-m", "negotiator.cli", "batch", str(inp), str(tmp_path / "o.csv"), "--as-of",
            AS_OF.isoformat(), "--quiet", "--chunk-size", "2000"]
    first = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    lock = tmp_path / ".o.csv.lock"
    deadline = time.monotonic() + 120
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lock.exists(), "the first job never held the lock"
    second = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 7
    assert f"{tmp_path / 'o.csv'} is being written by job {first.pid}" in second.stderr
    assert "delete the lock file" in second.stderr
    assert not lock.exists() and not (tmp_path / ".o.rejects.csv.lock").exists()
    manifest = json.loads((tmp_path / "o.manifest.json").read_text())
    for key, name in (("offers", "o.csv"), ("rejects", "o.rejects.csv")):
        assert manifest["files"][key] == {"path": name, "bytes": (tmp_path / name).stat().st_size,
                                          "sha256": _sha(tmp_path / name)}
    assert manifest["rows"] == {"read": 30_000, "offered": 30_000, "rejected": 0}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".part", ".stale"))]


def test_threads_on_the_same_rejects_file_are_refused_too(tmp_path, registry):
    import threading
    inp = tmp_path / "p.csv"
    make_portfolio.write(str(inp), 50, seed=3, bad_share=0.0)
    held = batch_io.OutputLock([str(tmp_path / "shared.rejects.csv")])
    with held, pytest.raises(batch_io.BatchBusyError, match="shared.rejects.csv is being written by job"):
        batch.run(str(inp), str(tmp_path / "a.csv"), registry.get("default"), AS_OF,
                  rejects_path=str(tmp_path / "shared.rejects.csv"))
    assert not (tmp_path / "a.csv").exists()
    results = []

    def job(name):
        try:
            batch.run(str(inp), str(tmp_path / name), registry.get("default"), AS_OF,
                      rejects_path=str(tmp_path / "shared.rejects.csv"))
            results.append("ok")
        except batch_io.BatchBusyError:
            results.append("busy")

    threads = [threading.Thread(target=job, args=(f"{k}.csv",)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "ok" in results and set(results) <= {"ok", "busy"}
    assert not list(tmp_path.glob(".*.lock"))


def test_a_stale_lock_of_a_dead_job_is_taken_and_one_of_another_host_is_not(tmp_path, capsys):
    import subprocess
    import sys
    inp = tmp_path / "p.csv"
    make_portfolio.write(str(inp), 20, seed=3, bad_share=0.0)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / ".o.csv.lock"
    lock.write_text(json.dumps({"pid": dead.pid, "host": batch_io.socket.gethostname(), "started": "1"}))
    argv = ["batch", str(inp), str(tmp_path / "o.csv"), "--as-of", AS_OF.isoformat(), "--quiet"]
    assert cli(argv) == 0
    assert not lock.exists()
    lock.write_text(json.dumps({"pid": 1, "host": "elsewhere.example", "started": "1"}))
    before = (tmp_path / "o.csv").read_bytes()
    assert cli(argv) == 7
    assert "being written by job 1 on elsewhere.example" in capsys.readouterr().err
    assert lock.exists() and (tmp_path / "o.csv").read_bytes() == before


def test_the_manifest_names_the_pair_and_says_when_offers_were_not_written(tmp_path, registry):
    inp = tmp_path / "p.csv"
    make_portfolio.write(str(inp), 40, seed=3, bad_share=0.9)
    summary = batch.run(str(inp), str(tmp_path / "o.parquet"), registry.get("default"), AS_OF,
                        max_reject_rate=0.5)
    assert summary.too_many_rejects
    manifest = json.loads((tmp_path / "o.manifest.json").read_text())
    assert manifest["files"]["offers"] is None
    assert manifest["files"]["rejects"]["sha256"] == _sha(tmp_path / "o.rejects.csv")


# ----------------------------------------------------------------------------- 4. the smaller points

def _small_csv(tmp_path: Path, rows: int = 8) -> tuple[Path, bytes, list[bytes]]:
    path = tmp_path / "p.csv"
    make_portfolio.write(str(path), rows, seed=2, bad_share=0.0)
    header, *lines = path.read_bytes().splitlines(keepends=True)
    return path, header, [r for r in lines if r.strip()]


def _rejects(path: Path) -> list[dict]:
    import csv
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_line_longer_than_a_chunk_names_its_line_and_the_real_option(tmp_path, registry, fmt):
    path, header, rows = _small_csv(tmp_path)
    if fmt == "jsonl":
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={c: "string" for c in header.decode().strip().replace('"', "").split(",")}))
        header, rows = b"", [x + b"\n" for x in make_portfolio.jsonl_records(table).splitlines()]
        path = tmp_path / "p.jsonl"
        rows[4] = rows[4][:-2] + b', "hardship_reason": "' + b"y" * (3 << 20) + b'"}\n'
    else:
        rows[4] = rows[4][:-1] + b"y" * (3 << 20) + b"\n"
    path.write_bytes(header + b"".join(rows))
    assert batch.main(_args(path, tmp_path / "o.csv", chunk_mib=1, chunk_size=3, max_reject_rate=1), registry) == 0
    rejects = [r for r in _rejects(tmp_path / "o.rejects.csv") if r["row_number"] == "5"]
    line = 6 if fmt == "csv" else 5
    assert [(r["row_number"], r["account_id"], r["field"]) for r in rejects] == [("5", "", "(row)")]
    assert rejects[0]["reason"].startswith(f"Line {line} is longer than a chunk's bytes (--chunk-mib")
    assert "--chunk-bytes" not in rejects[0]["reason"] and "\x00" not in (tmp_path / "o.rejects.csv").read_text()


def test_an_empty_column_name_is_named_by_its_position(tmp_path, capsys):
    path, header, rows = _small_csv(tmp_path)
    path.write_bytes(header.rstrip(b"\r\n") + b",\n" + b"".join(r.rstrip(b"\r\n") + b",\n" for r in rows))
    n = header.count(b",") + 2
    assert cli(["batch", str(path), str(tmp_path / "o.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"unknown columns column {n} (empty name) (a delimiter at the end of the header line?)" in err


def test_a_semicolon_delimited_file_gets_a_hint(tmp_path, capsys):
    path, header, rows = _small_csv(tmp_path)
    path.write_bytes(b"".join(r.replace(b",", b";") for r in [header, *rows]))
    assert cli(["batch", str(path), str(tmp_path / "o.csv"), "--quiet"]) == 2
    assert "the header looks delimited by ';', not ',': run again with --delimiter ';'" in capsys.readouterr().err


def test_a_bare_cr_outside_quotes_names_itself_and_the_account(tmp_path, registry):
    path, header, rows = _small_csv(tmp_path)
    names = header.decode().strip().replace('"', "").split(",")
    cells = rows[2].decode().rstrip("\n").split(",")
    cells[names.index("hardship_reason")] = "lost job\rsick"
    cells[names.index("hardship_expected_months")] = "3"
    rows[2] = ",".join(cells).encode() + b"\n"
    path.write_bytes(header + b"".join(rows))
    assert batch.main(_args(path, tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    rejects = _rejects(tmp_path / "o.rejects.csv")
    assert [(r["row_number"], r["account_id"], r["field"]) for r in rejects] == [("3", cells[0].strip('"'), "(row)")]
    assert rejects[0]["reason"].startswith("Holds a bare CR (carriage return)")


def test_dates_in_another_format_say_which_is_expected(tmp_path, registry):
    path, header, rows = _small_csv(tmp_path)
    names = header.decode().strip().replace('"', "").split(",")
    cells = rows[1].decode().rstrip("\n").split(",")
    cells[names.index("opened_on")] = "2019/11/23"
    rows[1] = ",".join(cells).encode() + b"\n"
    path.write_bytes(header + b"".join(rows))
    assert batch.main(_args(path, tmp_path / "o.csv", max_reject_rate=1), registry) == 0
    rejects = _rejects(tmp_path / "o.rejects.csv")
    assert [(r["row_number"], r["field"], r["reason"]) for r in rejects] == [
        ("2", "opened_on", "Not a valid date: expected YYYY-MM-DD (e.g. 2026-11-23).")]


def test_parquet_output_is_byte_identical_whatever_the_chunk_size(tmp_path, registry):
    path = tmp_path / "p.csv"
    make_portfolio.write(str(path), 3000, seed=6, bad_share=0.05)
    for size in (7, 1000, 100_000):
        assert batch.main(_args(path, tmp_path / f"o{size}.parquet", chunk_size=size,
                                rejects=str(tmp_path / f"r{size}.parquet"), max_reject_rate=1), registry) == 0
    for name in ("o", "r"):
        assert (tmp_path / f"{name}7.parquet").read_bytes() == (tmp_path / f"{name}1000.parquet").read_bytes() \
            == (tmp_path / f"{name}100000.parquet").read_bytes()
