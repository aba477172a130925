"""A portfolio file cut into pieces that read, one by one and anywhere, exactly as the command reads it.

The command reads a CSV or JSON Lines file as a stream of blocks of whole
records (:func:`negotiator.batch.io.read_chunks`): a record with quoted line
breaks is never split, a line too long for a chunk is read past, a last line
without its line break is rejected, and every row is numbered by its line.
:func:`plan` runs that very chunker over the file once, on one machine, and
notes where each block starts and ends in the file's bytes, which row number
its first line has, which lines it read past, and whether it ends the file:
a :class:`Piece`. :func:`read_piece` then reads one piece, on any machine
that sees the file, with the command's own block reader
(:func:`~negotiator.batch.io.csv_chunk`, :func:`~negotiator.batch.io.jsonl_chunk`),
so its rows, values, rejects and row numbers are the command's. A Parquet
file's pieces are its row groups.

The Spark and Dask readers (:mod:`negotiator.batch.cluster`) hand the
pieces to their tasks; nothing here imports either.
"""

from __future__ import annotations

import base64
import codecs
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa

from negotiator.batch import io as bio
from negotiator.batch.io import BatchInputError, BatchRunError, Chunk

#: The command's chunk when none is given (one worker): the pieces are the command's chunks.
DEFAULT_PIECE_ROWS = 100_000


@dataclass(frozen=True)
class Piece:
    """One block of a portfolio file, as the command's chunker cut it.

    CSV and JSON Lines: bytes ``start`` to ``end`` of the file (as stored,
    in ``encoding``), whose first line is row ``first``; ``skipped`` are the
    byte spans of lines the chunker read past (each stands as one
    too-long line); ``at_end``: the block ends the file. Parquet: row group
    ``start`` (``end`` unused), read in batches of ``batch_rows``.
    ``size`` and ``mtime_ns`` are the file's when planned: a piece of a file
    that has changed since is refused.
    """

    path: str
    format: str
    first: int
    start: int
    end: int
    names: tuple[str, ...]
    encoding: str = "utf-8"
    header: bytes = b""
    skipped: tuple[tuple[int, int], ...] = ()
    at_end: bool = False
    batch_rows: int = DEFAULT_PIECE_ROWS
    delimiter: str = ","
    size: int = 0
    mtime_ns: int = 0

    def to_json(self) -> str:
        """The piece as text, to ship to a task (:meth:`from_json` reads it back).

        >>> p = Piece("p.csv", "csv", 1, 10, 20, ("account_id",), header=b"account_id\\n", skipped=((12, 15),))
        >>> Piece.from_json(p.to_json()) == p
        True
        """
        doc = asdict(self)
        doc["header"] = base64.b64encode(self.header).decode("ascii")
        return json.dumps(doc, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Piece:
        doc = json.loads(text)
        doc["header"] = base64.b64decode(doc["header"])
        doc["names"] = tuple(doc["names"])
        doc["skipped"] = tuple(tuple(s) for s in doc["skipped"])
        return cls(**doc)


def plan(path: str, encoding: str = "utf-8", chunk_size: int = DEFAULT_PIECE_ROWS,
         chunk_bytes: int = bio.DEFAULT_CHUNK_BYTES, delimiter: str = ",") -> tuple[list[Piece], list[str]]:
    """The pieces of a portfolio file and its column names, refusing what the command refuses.

    The same checks as the command, before any piece: the suffix, the
    columns, the encoding (the whole file), the Parquet column types. A file
    with no rows has one empty piece, so that a reader always has a part.
    """
    fmt = bio.file_format(path)
    encoding = bio.encoding_name(encoding)
    delimiter = bio.check_delimiter(delimiter, fmt, path)
    if chunk_size < 1:
        raise BatchInputError(f"chunk size must be at least 1, not {chunk_size}")
    if chunk_bytes < 1024:
        raise BatchInputError(f"chunk bytes must be at least 1024, not {chunk_bytes}")
    if fmt == "parquet":
        return _plan_parquet(path, encoding, chunk_size, chunk_bytes)
    try:
        with open(path, "rb") as fh:
            snap = bio._Snapshot(fh, path)
            bio.check_encoding(fh, path, encoding)
            fh.seek(0)
            header, names = b"", list(bio.INPUT_COLUMNS)
            src = bio._Source(fh, encoding)
            if fmt == "csv":
                header = bio._read_header(src, path)
                names = bio._header(header, path, delimiter)
                fh.seek(0)
                src = bio._Source(fh, encoding)
                src.skip(len(header))
            first_line = 1 if fmt == "csv" else 0       # the file's line (from 0) of the first block's first line
            blocks = []     # (first line, lines, lines read past (from the block's first), at the end)
            line = first_line
            for block, pos in bio._line_blocks(src, chunk_size, chunk_bytes, names if fmt == "csv" else None,
                                                delimiter):
                snap.check()
                starts, lengths = bio._line_starts(block)
                past = bio._too_long_lines(block, starts, lengths)
                blocks.append((line, len(starts), past, src.at_end(pos, snap.key[2])))
                line += len(starts)
            snap.check(consumed=src.consumed())
            offsets = _line_offsets(fh, sorted({b[0] for b in blocks} | {line}
                                               | {b[0] + k + d for b in blocks for k in b[2] for d in (0, 1)}))
    except OSError as exc:
        raise BatchInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    size, mtime = snap.key[2], snap.key[3]
    row = (lambda ln: ln) if fmt == "csv" else (lambda ln: ln + 1)

    def span(ln: int) -> tuple[int, int]:
        """A line read past: from its start to its line break (to the end of the file if it has none)."""
        return offsets[ln], (offsets[ln + 1] - 1 if ln + 1 in offsets else size)

    pieces = [Piece(path, fmt, row(ln), offsets[ln], offsets.get(ln + n, size), tuple(names), encoding, header,
                    tuple(span(ln + k) for k in past), at_end, delimiter=delimiter, size=size, mtime_ns=mtime)
              for ln, n, past, at_end in blocks]
    if not pieces:
        pieces = [Piece(path, fmt, row(first_line), size, size, tuple(names), encoding, header, (), True,
                        size=size, mtime_ns=mtime)]
    return pieces, names


def _line_offsets(fh, lines: list[int]) -> dict[int, int]:
    """The byte offset where each of ``lines`` (counted from 0) starts, by one pass over the line breaks
    (in every encoding the job reads, byte 0x0A is a line break and nothing else). Lines that no line
    break starts are left out."""
    want = np.array(sorted(set(lines)), dtype=np.int64)
    out: dict[int, int] = {}
    fh.seek(0)
    seen, offset = 0, 0         # line breaks before this piece, bytes before it
    k = 0
    if len(want) and want[0] == 0:
        out[0] = 0
        k = 1
    while k < len(want):
        raw = fh.read(bio._PIECE)
        if not raw:
            break
        nl = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 10)
        # line L starts after line break number L (1-based): in this piece if seen < L <= seen + len(nl)
        j = int(np.searchsorted(want, seen + len(nl), side="right"))
        for ln in want[k:j].tolist():
            out[ln] = offset + int(nl[ln - seen - 1]) + 1
        k = j
        seen += len(nl)
        offset += len(raw)
    return out


def _plan_parquet(path: str, encoding: str, chunk_size: int, chunk_bytes: int) -> tuple[list[Piece], list[str]]:
    import pyarrow.parquet as pq
    if encoding != "utf-8":
        raise BatchInputError(f"{path}: --encoding {encoding} applies to CSV and JSON Lines; Parquet text is "
                              "always UTF-8")
    try:
        fh = open(path, "rb")  # noqa: SIM115  (closed below)
    except OSError as exc:
        raise BatchInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with fh:
        st = os.fstat(fh.fileno())
        try:
            pf = pq.ParquetFile(fh)
        except pa.ArrowException as exc:
            raise BatchInputError(f"cannot read {path}: {exc}") from None
        names = pf.schema_arrow.names
        bio.check_columns(names, path)
        bio.check_parquet_types(pf.schema_arrow, path)
        rows = bio._parquet_batch_rows(pf, chunk_size, chunk_bytes)
        first, pieces = 1, []
        for g in range(pf.metadata.num_row_groups):
            pieces.append(Piece(path, "parquet", first, g, g, tuple(names), batch_rows=rows, size=st.st_size,
                                mtime_ns=st.st_mtime_ns))
            first += pf.metadata.row_group(g).num_rows
    if not pieces:
        pieces = [Piece(path, "parquet", 1, -1, -1, tuple(names), size=st.st_size, mtime_ns=st.st_mtime_ns)]
    return pieces, names


def read_piece(piece: Piece) -> Iterator[Chunk]:
    """The chunks of one piece, read as the command reads them (same rows, values, rejects, numbers)."""
    try:
        fh = open(piece.path, "rb")  # noqa: SIM115  (closed below)
    except OSError as exc:
        raise BatchRunError(f"cannot read {piece.path}: {exc.strerror or exc}") from None
    with fh:
        st = os.fstat(fh.fileno())
        if (st.st_size, st.st_mtime_ns) != (piece.size, piece.mtime_ns):
            raise BatchRunError(f"{piece.path}: the input changed after it was planned ({piece.size:,} bytes "
                                f"then, {st.st_size:,} now); read it again from the start")
        if piece.format == "parquet":
            if piece.start < 0:
                return
            import pyarrow.parquet as pq
            first = piece.first
            for batch in pq.ParquetFile(fh).iter_batches(batch_size=piece.batch_rows, row_groups=[piece.start]):
                yield bio._parquet_chunk(batch, first)
                first += batch.num_rows
            return
        block = _block(fh, piece)
    if not block:
        return
    if piece.format == "csv":
        yield bio.csv_chunk(piece.header, list(piece.names), block, piece.first, piece.at_end, 0,
                            piece.delimiter)[0]
    else:
        yield bio.jsonl_chunk(block, piece.first)[0]


def _block(fh, piece: Piece) -> bytes:
    """The piece's bytes as the chunker handed them out: in UTF-8, each line read past as one marker."""
    parts, at = [], piece.start
    for s, e in piece.skipped:
        parts += [_utf8(fh, piece, at, s), bio.TOO_LONG]
        at = e
    parts.append(_utf8(fh, piece, at, piece.end))
    return b"".join(parts)


def _utf8(fh, piece: Piece, start: int, end: int) -> bytes:
    """Bytes ``start`` to ``end`` of the file (whole lines, or up to a line break) in UTF-8."""
    fh.seek(start)
    raw = fh.read(end - start)
    if len(raw) != end - start:
        raise BatchRunError(f"{piece.path}: read {len(raw):,} of {end - start:,} bytes at offset {start:,}")
    if piece.encoding == "utf-8":
        return raw
    try:
        return codecs.decode(raw, piece.encoding).encode("utf-8")
    except UnicodeDecodeError:
        raise BatchRunError(f"{piece.path}: no longer valid {piece.encoding}") from None


# ----------------------------------------------------------------------------- as tables

def rows_schema(names: list[str] | tuple[str, ...]) -> pa.Schema:
    """The rows of a piece: the file's columns as text and the command's ``row_number``."""
    return pa.schema([*((n, pa.string()) for n in names), ("row_number", pa.int64())])


#: What :func:`piece_table` returns: rows and unreadable lines in one table, told apart by ``record``.
def piece_schema(names: list[str] | tuple[str, ...]) -> pa.Schema:
    return pa.schema([("record", pa.string()), *rows_schema(names), ("field", pa.string()),
                      ("reason", pa.string())])


def chunk_tables(chunk: Chunk, names: list[str] | tuple[str, ...]) -> tuple[pa.Table, pa.Table]:
    """A chunk as a rows table (:func:`rows_schema`) and a rejects table (the command's reject columns)."""
    n = len(chunk)
    rows = pa.table({**{c: chunk.columns.get(c, pa.nulls(n, pa.string())) for c in names},
                     "row_number": pa.array(chunk.row_numbers, type=pa.int64())}, schema=rows_schema(names))
    u = chunk.unreadable
    rejects = pa.table({"row_number": pa.array([r[0] for r in u], type=pa.int64()),
                        "account_id": pa.array([r[1] for r in u], type=pa.string()),
                        "field": pa.array([r[2] for r in u], type=pa.string()),
                        "reason": pa.array([r[3] for r in u], type=pa.string())})
    return rows, rejects


def piece_tables(piece: Piece) -> tuple[pa.Table, pa.Table]:
    """A whole piece as a rows table and a rejects table."""
    parts = [chunk_tables(c, piece.names) for c in read_piece(piece)]
    if not parts:
        return chunk_tables(Chunk({}, np.zeros(0, dtype=np.int64)), piece.names)
    return pa.concat_tables([p[0] for p in parts]), pa.concat_tables([p[1] for p in parts])


def piece_table(piece: Piece) -> pa.Table:
    """A whole piece as one table (:func:`piece_schema`): ``record`` ``row`` or ``reject``; a reject's
    ``account_id`` is the reject's, its other input columns empty."""
    rows, rejects = piece_tables(piece)
    schema = piece_schema(piece.names)
    a = {c: rows.column(c) for c in rows.schema.names}
    a.update(record=pa.array(["row"] * rows.num_rows, type=pa.string()),
             field=pa.nulls(rows.num_rows, pa.string()), reason=pa.nulls(rows.num_rows, pa.string()))
    b = {c: pa.nulls(rejects.num_rows, schema.field(c).type) for c in schema.names}
    b.update({c: rejects.column(c) for c in rejects.schema.names})
    b["record"] = pa.array(["reject"] * rejects.num_rows, type=pa.string())
    return pa.concat_tables([pa.table(a, schema=schema), pa.table(b, schema=schema)])
