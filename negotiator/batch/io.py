"""Reading portfolios and writing offers in chunks: CSV, JSON Lines, Parquet.

Readers yield :class:`Chunk` objects: the known columns as Arrow string
arrays, each row's number in the input, and the rows that could not even be
read as a record (a CSV line with the wrong number of fields, a line that is
not a JSON object), which are rejected with their row number so that no row
vanishes.

Row numbers are 1-based: for CSV the data line (the line after the header is
row 1, so row ``k`` is line ``k + 1`` of the file); for JSON Lines the line;
for Parquet the row. Blank lines are skipped but keep their number.

Writers write to a hidden temporary file beside the target (``.NAME.part``)
and rename it over the target only on :meth:`Sink.commit`; a crash or an
interruption never leaves a complete-looking file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import os
import socket
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from glob import escape as glob_escape
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from negotiator.batch.parse import (
    AMOUNTS,
    DATE_SEPARATOR,
    INPUT_COLUMNS,
    INTEGERS,
    NOT_DATE,
    NOT_INTEGER,
    NOT_NUMBER,
    REQUIRED_COLUMNS,
)
from negotiator.core.errors import NegotiatorError
from negotiator.wire import strict_json

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
_KNOWN = frozenset(INPUT_COLUMNS)


class BatchInputError(NegotiatorError):
    """An input or output the job cannot use at all (exit code 2)."""

    title = "Unusable batch input"


class BatchRunError(BatchInputError):
    """A run that cannot finish: the input changed while being read, an output cannot be written (exit 5)."""

    title = "Batch run failed"
    exit_code = 5


class _Snapshot:
    """The identity, size and modification time of an open input, to tell whether it changed while read."""

    def __init__(self, fh, path: str, expected: tuple | None = None):
        st = os.fstat(fh.fileno())
        self.fh, self.path = fh, path
        self.key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if expected is not None and expected != self.key:
            raise BatchRunError(f"{path}: the input changed between its check and its reading; nothing written: "
                                "run again on a finished file")

    def check(self, consumed: int | None = None) -> None:
        """Raise :class:`BatchRunError` if the file changed, moved, or (at the end) was not read to its size."""
        st = os.fstat(self.fh.fileno())
        now = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if now != self.key:
            how = "shrank" if now[2] < self.key[2] else "grew" if now[2] > self.key[2] else "was modified"
            raise BatchRunError(f"{self.path}: the input {how} while being read ({self.key[2]:,} bytes at the "
                                f"start, {now[2]:,} now); nothing written: run again on a finished file")
        try:
            named = os.stat(self.path)
        except OSError:
            raise BatchRunError(f"{self.path}: the input was removed or renamed while being read; nothing written") \
                from None
        if (named.st_dev, named.st_ino) != self.key[:2]:
            raise BatchRunError(f"{self.path}: the input was replaced by another file while being read; "
                                "nothing written")
        if consumed is not None and consumed != self.key[2]:
            raise BatchRunError(f"{self.path}: read {consumed:,} of {self.key[2]:,} bytes; nothing written")


def file_format(path: str | Path) -> str:
    """The format a file's suffix names.

    >>> file_format("offers.csv"), file_format("in.JSONL"), file_format("x.parquet")
    ('csv', 'jsonl', 'parquet')
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise BatchInputError(f"{path}: unknown format {suffix or '(no suffix)'}; use one of "
                              f"{', '.join(sorted(FORMATS))}")
    return FORMATS[suffix]


@dataclass
class Chunk:
    """Up to ``chunk_size`` input rows, as text."""

    columns: dict[str, pa.Array]          # known column -> string array
    row_numbers: np.ndarray               # int64, 1-based, one per row of ``columns``
    unreadable: list[tuple[int, str | None, str, str]] = field(default_factory=list)  # rejects
    bytes_read: int = 0                   # progress: input consumed so far (bytes or rows)

    def __len__(self) -> int:
        return len(self.row_numbers)


def check_paths(input_path: str, output_path: str, rejects_path: str, summary_path: str | None = None) -> None:
    """Refuse, before a row is read, any pair of files that are one file, and outputs that cannot be files.

    Input, offers and rejects must be three different files (compared by
    device and inode when they exist, by resolved path otherwise, so links
    count); an output must not be a folder and its folder must exist and be
    writable. ``-`` (standard output) is never a collision.

    >>> check_paths("in.csv", "in.csv", "r.csv")
    Traceback (most recent call last):
    ...
    negotiator.batch.io.BatchInputError: OUTPUT in.csv is the input file in.csv: refusing to overwrite the portfolio
    """
    named: tuple[tuple[str, str], ...] = (("input", input_path), ("OUTPUT", output_path), ("--rejects", rejects_path))
    if summary_path:
        named += (("--summary-json", summary_path),)
    for k, (what, path) in enumerate(named):
        if path == "-":
            continue
        for other, other_path in named[:k]:
            if other_path != "-" and _same_file(path, other_path):
                hint = "refusing to overwrite the portfolio" if other == "input" else "they would be written as one"
                raise BatchInputError(f"{what} {path} is the {other} file {other_path}: {hint}")
    if input_path != "-" and os.path.isdir(input_path):
        raise BatchInputError(f"input {input_path} is a folder, not a file")
    for what, path in named[1:]:
        if path == "-":
            continue
        if os.path.isdir(path):
            raise BatchInputError(f"{what} {path} is a folder; name a file")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise BatchInputError(f"{what} {path}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise BatchInputError(f"{what} {path}: folder {folder} is not writable")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:     # one of them does not exist yet
        return os.path.realpath(a) == os.path.realpath(b)


def check_columns(names: list[str], path: str, delimiter: str = ",") -> None:
    """Unknown, duplicate or missing required columns make the file unusable."""
    dup = sorted({c for c in names if names.count(c) > 1})
    unknown = [c for c in names if c not in _KNOWN]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    problems = []
    if dup:
        problems.append(f"duplicate columns {', '.join(dup)}")
    if unknown:
        shown = [f"column {k + 1} (empty name)" if not c.strip() else c for k, c in enumerate(names) if c not in _KNOWN]
        problems.append(f"unknown columns {', '.join(shown)}")
        if any(not c.strip() for c in unknown) and not names[-1].strip():
            problems[-1] += " (a delimiter at the end of the header line?)"
        problems[-1] += _delimiter_hint(unknown, delimiter)
    if missing:
        problems.append(f"missing required columns {', '.join(missing)}")
    if problems:
        raise BatchInputError(f"{path}: {'; '.join(problems)} (see docs/batch.md for the columns)")


#: The field delimiters ``--delimiter`` takes: the comma (RFC 4180), and the semicolon (European spreadsheets,
#: whose comma is the decimal mark), tab and ``|`` that other exports use.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def delimiter_char(delimiter: str) -> str:
    r"""The delimiter ``--delimiter`` names (the character, or ``tab``), or :class:`BatchInputError`.

    >>> delimiter_char(";"), delimiter_char("tab"), delimiter_char("\t"), delimiter_char("|")
    (';', '\t', '\t', '|')
    """
    d = _DELIMITER_NAMES.get(delimiter, delimiter)
    if d not in DELIMITERS:
        raise BatchInputError(f"--delimiter {delimiter!r}: not a delimiter the job reads; use one of "
                              "',' (the default), ';', tab, '|'")
    return d


def check_delimiter(delimiter: str, fmt: str, path: str) -> str:
    """:func:`delimiter_char`, refusing a delimiter other than the comma for JSON Lines and Parquet."""
    d = delimiter_char(delimiter)
    if fmt != "csv" and d != ",":
        raise BatchInputError(f"{path}: --delimiter applies to CSV input, not {fmt}")
    return d


def _delimiter_name(d: str) -> str:
    return "tab" if d == "\t" else repr(d)


def _delimiter_hint(names: list[str], delimiter: str = ",") -> str:
    """A hint when header names look split by another delimiter than ``delimiter`` (``;`` from European
    spreadsheets, tabs, ``|``, or commas), else nothing."""
    for sep in DELIMITERS:
        if sep == delimiter:
            continue
        if sum(p.strip('"') in _KNOWN for c in names for p in c.split(sep)) >= 2 and any(sep in c for c in names):
            return (f" (the header looks delimited by {_delimiter_name(sep)}, not {_delimiter_name(delimiter)}: "
                    f"run again with --delimiter {_delimiter_name(sep)}; amounts still need '.' as the decimal "
                    "point)")
    return ""


#: Input bytes per chunk, whatever the rows: a chunk of wide rows is cut short (memory is bounded by bytes).
DEFAULT_CHUNK_BYTES = 16 << 20


def read_chunks(path: str, chunk_size: int, chunk_bytes: int = DEFAULT_CHUNK_BYTES,
                encoding: str = "utf-8", delimiter: str = ",") -> tuple[Iterator[Chunk], int]:
    """An iterator of chunks of at most ``chunk_size`` rows and about ``chunk_bytes`` input bytes
    (a single longer row is a chunk of its own; a line longer than ``chunk_bytes`` is rejected unread),
    and the size progress is measured against (bytes or rows).

    CSV and JSON Lines are read in ``encoding`` (see :data:`ENCODINGS`): the
    whole file is checked first, in pieces, and refused (:class:`BatchInputError`,
    naming the first bad line and the likely encoding) unless every byte is
    valid in it; a file in another encoding than UTF-8 is then transcoded
    to UTF-8 piece by piece as it is read. CSV fields are separated by
    ``delimiter`` (see :data:`DELIMITERS`).
    """
    fmt = file_format(path)
    encoding = encoding_name(encoding)
    delimiter = check_delimiter(delimiter, fmt, path)
    if chunk_size < 1:
        raise BatchInputError(f"chunk size must be at least 1, not {chunk_size}")
    if chunk_bytes < 1024:
        raise BatchInputError(f"chunk bytes must be at least 1024, not {chunk_bytes}")
    if fmt == "parquet" and encoding != "utf-8":
        raise BatchInputError(f"{path}: --encoding {encoding} applies to CSV and JSON Lines; Parquet text is "
                              "always UTF-8")
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq
            fh = open(path, "rb")  # noqa: SIM115  (closed by the chunk iterator)
            try:
                pf = pq.ParquetFile(fh)
                check_columns(pf.schema_arrow.names, path)
                check_parquet_types(pf.schema_arrow, path)
            except BaseException:
                fh.close()
                raise
            return _parquet_chunks(pf, fh, path, _parquet_batch_rows(pf, chunk_size, chunk_bytes)), \
                pf.metadata.num_rows
        with open(path, "rb") as fh:
            key = _Snapshot(fh, path).key
            check_encoding(fh, path, encoding)
            fh.seek(0)
            if fmt == "csv":
                header = _read_header(_Source(fh, encoding), path)
    except OSError as exc:
        raise BatchInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except pa.ArrowException as exc:
        raise BatchInputError(f"cannot read {path}: {exc}") from None
    total = key[2]
    if fmt == "csv":
        names = _header(header, path, delimiter)
        return _csv_chunks(path, header, names, chunk_size, chunk_bytes, encoding, key, delimiter), total
    return _jsonl_chunks(path, chunk_size, chunk_bytes, encoding, key), total


# ----------------------------------------------------------------------------- encodings

#: The encodings ``--encoding`` accepts (Python's codec names; aliases such as ``utf8``, ``windows-1252``,
#: ``sjis`` or ``cp936`` name the same codecs): UTF-8, the Chinese GB18030 and its subset GBK, Big5
#: (traditional Chinese), Shift_JIS and Windows' cp932 (Japanese), and Windows' Western cp1252.
ENCODINGS = ("utf-8", "gb18030", "gbk", "big5", "shift_jis", "cp932", "cp1252")
#: What charset detection may call an encoding, as the ``--encoding`` to suggest (a superset where one exists).
_SUGGEST = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "utf_8": "utf-8", "big5hkscs": "big5",
            "euc_jis_2004": "shift_jis", "shift_jis_2004": "shift_jis", "shift_jisx0213": "shift_jis",
            "cp1252": "cp1252", "latin_1": "cp1252", "iso8859_15": "cp1252"}


def encoding_name(encoding: str) -> str:
    """The codec name of an accepted ``--encoding``, or :class:`BatchInputError`.

    >>> encoding_name("GB18030"), encoding_name("utf8"), encoding_name("windows-1252"), encoding_name("cp936")
    ('gb18030', 'utf-8', 'cp1252', 'gbk')
    """
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = None
    if name not in ENCODINGS:
        raise BatchInputError(f"--encoding {encoding}: not an encoding the job reads; use one of "
                              f"{', '.join(ENCODINGS)}")
    return name


#: Bytes read at a time when checking an encoding and when transcoding.
_PIECE = 1 << 22


def check_encoding(fh, path: str, encoding: str) -> None:
    """Read the file once, in pieces, and refuse it at the first byte not valid in ``encoding``.

    The message names the line (counted in the file, from 1: the header of
    a CSV is line 1) and the encoding charset detection
    (``charset-normalizer``) finds likely, so that nothing is half read in
    the wrong encoding: a line of GB18030 bytes can be valid UTF-8 by
    chance (``失业`` read as ``ʧҵ``), so one bad line puts every line in doubt.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    offset = 0
    while True:
        raw = fh.read(_PIECE)
        try:
            decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            at = max(exc.start - (len(exc.object) - len(raw)), 0)       # the decoder's pending bytes come first
            line = lines + raw.count(b"\n", 0, at) + 1
            bad = raw[at:at + 1] or exc.object[exc.start:exc.start + 1]
            raise BatchInputError(_encoding_message(fh, path, encoding, line, offset + at, bad)) from None
        if not raw:
            return
        lines += raw.count(b"\n")
        offset += len(raw)


def _encoding_message(fh, path: str, encoding: str, line: int, offset: int, bad: bytes) -> str:
    what = f"{path}: line {line:,} is not valid {encoding} (byte 0x{bad.hex()} at offset {offset:,})"
    guess = likely_encoding(fh, offset, encoding)
    if guess is None:
        hint = f"name its encoding with --encoding (one of {', '.join(ENCODINGS)}) or convert it to UTF-8"
    elif guess == encoding:
        hint = "the file may be damaged (bytes that are in no encoding the job reads)"
    elif guess in ENCODINGS:
        hint = f"it looks like {guess}: run again with --encoding {guess}"
    else:
        hint = f"it looks like {guess}, which the job does not read: convert it to UTF-8"
    return f"{what}; nothing read: {hint}"


def likely_encoding(fh, offset: int, declared: str = "utf-8", size: int = 1 << 16) -> str | None:
    """The encoding charset detection (``charset-normalizer``) finds most likely for the file's lines that hold
    non-ASCII bytes, from the line holding ``offset`` on, as an ``--encoding`` name (None when it cannot tell).

    Only such lines are looked at (a portfolio is mostly ASCII digits, which
    tell nothing), and the detection chooses among the encodings the job
    reads that decode them all; when none does, among every encoding it knows.
    """
    from charset_normalizer import from_bytes
    fh.seek(max(offset - 4096, 0))
    near = fh.read(size * 16)
    start = near.rfind(b"\n", 0, min(offset, 4096)) + 1
    lines = near[start:].split(b"\n")
    if len(near) == size * 16:
        lines.pop()         # cut short by the read: may end mid-character
    picked: list[bytes] = []
    for line in lines:
        if max(line, default=0) >= 0x80 and sum(map(len, picked)) < size:
            picked.append(line)
    sample = b"\n".join(picked)
    if not sample:
        return None
    fits = [e for e in ENCODINGS if e != declared and _decodes(sample, e)]
    best = from_bytes(sample, cp_isolation=fits or None).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    return _SUGGEST.get(best.encoding, _SUGGEST.get(name, name))


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


class _Source:
    """An input's bytes as UTF-8, read in pieces: the file itself, or transcoded from ``encoding``
    (never the whole file in memory). ``tell`` counts UTF-8 bytes handed out."""

    def __init__(self, fh, encoding: str = "utf-8"):
        self.fh, self.encoding = fh, encoding
        self.decoder = None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)("strict")
        self.pending = b""
        self.out = 0
        self.ended = False

    def read(self, n: int) -> bytes:
        if self.decoder is None and not self.pending:
            data = self.fh.read(n)
        else:
            while len(self.pending) < n and not self.ended:
                raw = self.fh.read(max(n - len(self.pending), 1 << 16))
                self.ended = not raw
                if self.decoder is None:
                    self.pending += raw
                    continue
                try:
                    self.pending += self.decoder.decode(raw, final=self.ended).encode("utf-8")
                except UnicodeDecodeError:
                    raise BatchRunError(f"{self.fh.name}: no longer valid {self.encoding} (changed while being "
                                        "read?); nothing written") from None
            data, self.pending = self.pending[:n], self.pending[n:]
        self.out += len(data)
        return data

    def skip(self, n: int) -> None:
        """Hand out ``n`` bytes to no one (the header, read before)."""
        while n > 0:
            got = len(self.read(min(n, _PIECE)))
            if not got:
                return
            n -= got

    def tell(self) -> int:
        return self.out

    def at_end(self, pos: int, size: int) -> bool:
        """Whether UTF-8 offset ``pos`` is the end of the input (of ``size`` bytes as stored)."""
        if self.decoder is None:
            return pos == size
        return self.ended and not self.pending and pos == self.out

    def consumed(self) -> int:
        """Bytes of the file read so far (as stored), for progress and the final size check."""
        return self.fh.tell() - (len(self.pending) if self.decoder is None else 0)


# ----------------------------------------------------------------------------- line blocks

#: Lines one CSV record may span (quoted line breaks); a quote left open longer is a broken line.
MAX_RECORD_LINES = 100


#: What a line too long to hold is replaced by (it is rejected; its bytes are never kept).
TOO_LONG = b"\x00negotiator: line too long\x00"


def _line_blocks(fh, chunk_size: int, chunk_bytes: int = DEFAULT_CHUNK_BYTES,
                 names: list[str] | None = None, delimiter: str = ",") -> Iterator[tuple[bytes, int]]:
    """Blocks of about ``chunk_size`` whole lines or ``chunk_bytes`` bytes, and their byte offset past the block.

    CSV (``names``, the header's): a block never ends inside a record with
    quoted line breaks that the block reader reads as one
    (:func:`_multiline_records`, within :data:`MAX_RECORD_LINES` lines), so
    the rows do not depend on the chunk size. A line still open ``chunk_bytes`` past its
    start (give or take one read) is read past, not kept, and stands as
    :data:`TOO_LONG`.
    """
    step = min(1 << 22, chunk_bytes)
    buf = b""
    pos = fh.tell()
    eof = False
    while not eof or buf:
        while not eof and buf.count(b"\n") < chunk_size + MAX_RECORD_LINES and len(buf) < chunk_bytes + step:
            more = fh.read(step)
            if not more:
                eof = True
                break
            buf += more
            tail = len(buf) - buf.rfind(b"\n") - 1
            if tail > chunk_bytes:       # one line longer than a chunk: skip to its end
                buf, skipped, eof = _skip_line(fh, buf, len(buf) - tail, step)
                pos += skipped
        if not buf:
            break
        arr = np.frombuffer(buf, dtype=np.uint8)
        nl = np.flatnonzero(arr == 10)
        lines = min(chunk_size, max(int(np.searchsorted(nl, chunk_bytes, side="left")), 1))
        if eof and len(nl) + (not buf.endswith(b"\n")) <= chunk_size and len(buf) <= chunk_bytes:
            cut = len(buf)          # the rest of the file, last line with or without its line break
        elif len(nl) >= lines:
            cut = _record_end(buf, nl, lines - 1, names, delimiter)
        elif eof:
            cut = len(buf)
        else:       # pragma: no cover  (the loop above reads until enough lines, bytes or EOF)
            continue
        block, buf = buf[:cut], buf[cut:]
        pos += len(block)
        yield block, pos


def _skip_line(fh, buf: bytes, start: int, step: int) -> tuple[bytes, int, bool]:
    """Drop the line that starts at ``start`` up to its line break (reading on); return the buffer with
    :data:`TOO_LONG` in its place, the bytes dropped beyond the marker, and whether the file ended."""
    dropped = len(buf) - start
    eof = False
    while True:
        more = fh.read(step)
        if not more:
            eof = True
            rest = b""
            break
        nl = more.find(b"\n")
        if nl >= 0:
            dropped += nl
            rest = more[nl:]
            break
        dropped += len(more)
    return buf[:start] + TOO_LONG + rest, dropped - len(TOO_LONG), eof


def _record_end(buf: bytes, nl: np.ndarray, k: int, names: list[str] | None, delimiter: str = ",") -> int:
    """The end of line ``k``, or of the record with quoted line breaks that spans it.

    The records are paired as the block reader pairs them, from the block's
    first line (:func:`_multiline_records`): so a cut here is where the
    reader of the whole file would find no record open, and each block
    pairs the same lines as one block holding the whole file would (a
    quote parity counted from the block's start would be thrown off by an
    earlier line with an unbalanced quote, and split a record in two).
    """
    cut = int(nl[k]) + 1
    if names is None:
        return cut
    last = min(k + MAX_RECORD_LINES, len(nl)) - 1        # the lines a record from line k could reach
    region = buf[:int(nl[last]) + 1]
    starts, lengths = _line_starts(region)
    records, _ = _multiline_records(region, starts, lengths, names, delimiter)
    for first, (end, _) in records.items():
        if first <= k < end:
            return int(nl[end]) + 1
    return cut


def _line_starts(block: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start offset and length (without the line break) of each line of a block."""
    if not block:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    nl = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    ends = nl if block.endswith(b"\n") else np.append(nl, len(block))
    starts = np.concatenate([[0], nl + 1])[:len(ends)]
    lengths = ends - starts
    cr = np.zeros(len(ends), dtype=bool)
    if len(ends):
        arr = np.frombuffer(block, dtype=np.uint8)
        last = np.maximum(ends - 1, 0)
        cr = (lengths > 0) & (arr[last] == 13)
    return starts, lengths - cr


MAX_HEADER = 1 << 20


def _read_header(fh, path: str) -> bytes:
    """The first line, read in pieces (never the whole file), with its line break."""
    head = b""
    while b"\n" not in head and len(head) <= MAX_HEADER:
        more = fh.read(1 << 16)
        if not more:
            break
        head += more
    if b"\n" not in head:
        if b"\r" in head:
            raise BatchInputError(f"{path}: lines end with CR alone (old Mac line endings); convert the file to "
                                  "LF or CRLF line endings")
        if len(head) > MAX_HEADER:
            raise BatchInputError(f"{path}: no line break in the first {MAX_HEADER:,} bytes: not a CSV file?")
        return head
    line = head[:head.index(b"\n") + 1]
    if b"\r" in line[:-2]:
        raise BatchInputError(f"{path}: the header line holds a CR alone (old Mac line endings?); convert the "
                              "file to LF or CRLF line endings")
    return line


def _header(line: bytes, path: str, delimiter: str = ",") -> list[str]:
    try:
        text = line.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise BatchInputError(f"{path}: the header is not UTF-8") from None
    if not text:
        raise BatchInputError(f"{path}: empty file or no header line")
    try:
        names = next(csv.reader([text], strict=True, delimiter=delimiter))
    except csv.Error as exc:
        raise BatchInputError(f"{path}: the header is not a CSV record ({exc}){_delimiter_hint([text], delimiter)}") \
            from None
    check_columns(names, path, delimiter)
    return names


NO_LINE_END = ("Is the last line and has no line break: the file may have been cut short mid-record "
               "(end a complete file with a line break).")


def _csv_chunks(path: str, header: bytes, names: list[str], chunk_size: int,
                chunk_bytes: int = DEFAULT_CHUNK_BYTES, encoding: str = "utf-8",
                key: tuple | None = None, delimiter: str = ",") -> Iterator[Chunk]:
    first = 1
    with open(path, "rb") as fh:
        snap = _Snapshot(fh, path, key)
        src = _Source(fh, encoding)
        src.skip(len(header))
        for block, pos in _line_blocks(src, chunk_size, chunk_bytes, names, delimiter):
            snap.check()
            chunk, nlines = csv_chunk(header, names, block, first, src.at_end(pos, snap.key[2]), src.consumed(),
                                      delimiter)
            yield chunk
            first += nlines
        snap.check(consumed=src.consumed())


def csv_chunk(header: bytes, names: list[str], block: bytes, first: int, at_end: bool,
              pos: int = 0, delimiter: str = ",") -> tuple[Chunk, int]:
    """The rows and unreadable lines of a block of whole CSV lines (UTF-8) whose first line is row ``first``,
    and the block's line count; ``at_end``: the block ends the file (a last line without its line break is
    rejected). The one reading of a block, by the command and by :mod:`negotiator.batch.pieces`."""
    header = header if header.endswith(b"\n") else header + b"\n"
    starts, lengths = _line_starts(block)
    nlines = len(starts)
    cut = None
    if at_end and not block.endswith(b"\n") and nlines and lengths[-1] > 0:   # the last line
        cut = (first + nlines - 1,
               _account_id_line(block[starts[-1]:starts[-1] + lengths[-1]], names, delimiter))
        block, starts, lengths = block[:starts[-1]], starts[:-1], lengths[:-1]
    chunk = _csv_block(header, names, block, starts, lengths, first, pos, delimiter)
    if cut is not None:
        chunk.unreadable.append((*cut, "(row)", NO_LINE_END))
    return chunk, nlines


def _csv_block(header: bytes, names: list[str], block: bytes, starts, lengths, first: int, pos: int,
               delimiter: str = ",") -> Chunk:
    nlines = len(starts)
    blank = lengths == 0
    bad: dict[int, str] = {}
    ids: dict[int, str | None] = {}

    def handler(row):
        if row.number is None:      # cannot place it: the block is read line by line instead
            raise ValueError("row without a number")
        bad[row.number - 2] = f"Has {row.actual_columns} fields; the header has {row.expected_columns}."
        ids[row.number - 2] = _account_id_text(row.text, names, delimiter)
        return "skip"

    opts = dict(
        # Single-threaded: only then does Arrow give an invalid row its line number (the
        # reader thread overlaps this with the engine anyway).
        read_options=pacsv.ReadOptions(use_threads=False, block_size=max(1 << 20, len(header) + len(block) + 1)),
        # Empty lines are kept as rows (and dropped below) so Arrow's line numbers count them.
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=handler, newlines_in_values=False,
                                         ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    original = block
    # Records with quoted line breaks are read by Python's csv module and their lines emptied (Arrow
    # then skips them); so are lines Arrow cannot be trusted with: a quote left open, or not UTF-8.
    records, broken = _multiline_records(block, starts, lengths, names, delimiter)
    # A CR inside a line (not the CR of its CRLF) is a line end to Arrow, which would number every later
    # row of the block one too far: such lines are read alone by the csv module as well.
    inside = {k for s_, (e, _) in records.items() for k in range(s_, e + 1)} | set(broken)
    for k in _bare_cr_lines(block, starts, lengths):
        if k not in inside:
            records[k] = (k, _line_record(block[int(starts[k]):int(starts[k] + lengths[k])], names, delimiter))
    spanned = [k for s_, (e, _) in records.items() for k in range(s_, e + 1)]
    too_long_lines = _too_long_lines(block, starts, lengths)
    block, not_utf8 = _blank_lines(block, starts, lengths,
                                   sorted(set(spanned) | set(broken) | set(too_long_lines)))
    for k in broken:
        bad[k] = UNBALANCED
    for k in too_long_lines:
        bad[k] = too_long(first + k + 1)        # row k of the block is line k + 1 of the file (the header)
        ids[k] = None
    for k in not_utf8:
        bad[k] = NOT_UTF8
    for k, (_, fields) in records.items():
        if isinstance(fields, str):
            bad[k] = fields
    emptied = np.isin(np.arange(nlines), list(bad) + spanned)      # rows of empty cells in Arrow's table
    try:
        table = pacsv.read_csv(io.BytesIO(header + block), **opts)
        rows = np.flatnonzero(emptied | ~np.isin(np.arange(nlines), list(bad)))
        if len(rows) != table.num_rows:
            raise ValueError("row count mismatch")
        skip = (blank | emptied)[rows]
        keep = rows[~skip]
        if skip.any():
            table = table.take(pa.array(np.flatnonzero(~skip)))
    except (pa.ArrowException, ValueError):
        return _csv_block_slowly(names, original, starts, lengths, first, pos, records, delimiter)
    cols = {c: table.column(c).combine_chunks() for c in names}
    numbers = first + keep
    good = {k: f for k, (_, f) in records.items() if not isinstance(f, str)}
    if good:
        numbers, cols = _with_records(numbers, cols, names, good, first)
    for k in set(bad) - set(ids):
        ids[k] = _account_id_line(original[int(starts[k]):int(starts[k] + lengths[k])], names, delimiter)
    unreadable = [(first + k, ids.get(k), "(row)", msg) for k, msg in sorted(bad.items())]
    return Chunk(cols, numbers, unreadable, pos)


def _bare_cr_lines(block: bytes, starts, lengths) -> list[int]:
    """Lines holding a CR that is not the CR of their CRLF line break."""
    cr = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 13)
    if not len(cr):
        return []
    line = np.searchsorted(starts, cr, side="right") - 1
    inside = cr < np.asarray(starts)[line] + np.asarray(lengths)[line]
    return sorted({int(k) for k in line[inside]})


def _line_record(raw: bytes, names: list[str], delimiter: str = ",") -> list[str] | str:
    """One line read by the csv module, strictly: its fields, or why it is no record."""
    try:
        fields = next(csv.reader([raw.decode("utf-8")], strict=True, delimiter=delimiter))
    except UnicodeDecodeError:
        return NOT_UTF8
    except csv.Error as exc:
        return BARE_CR if "new-line character" in str(exc) else f"Is not a valid CSV record ({exc})."
    if len(fields) != len(names):
        return f"Has {len(fields)} fields; the header has {len(names)}."
    return fields


def too_long(line: int) -> str:
    """The reason for a line longer than a chunk's bytes (read past, never kept)."""
    return (f"Line {line:,} is longer than a chunk's bytes (--chunk-mib, default 16 MiB), so it was not read; "
            "raise --chunk-mib to read it.")


def _too_long_lines(block: bytes, starts, lengths) -> list[int]:
    maybe = np.flatnonzero(lengths == len(TOO_LONG))
    return [int(k) for k in maybe if block[int(starts[k]):int(starts[k]) + len(TOO_LONG)] == TOO_LONG]


def _multiline_records(block: bytes, starts, lengths, names: list[str], delimiter: str = ","):
    """Records spanning lines (quoted line breaks), by first line: ``{first: (last, fields or message)}``,
    and the lines whose quote never closes (within :data:`MAX_RECORD_LINES`) or closes on a broken record.

    A line with an odd number of quotes opens a quoted field that the next
    such line closes; the lines between are read as one record by Python's
    csv module, strictly. If that is not exactly one record with the
    header's number of fields, the first line alone is broken and the
    search goes on from the next odd line.
    """
    nlines = len(starts)
    odd = np.flatnonzero(_quotes_per_line(block, starts, nlines) % 2 == 1).tolist()
    records: dict[int, tuple[int, list[str] | str]] = {}
    broken: list[int] = []
    i = 0
    while i < len(odd):
        s_ = odd[i]
        if i + 1 < len(odd) and odd[i + 1] - s_ < MAX_RECORD_LINES:
            e = odd[i + 1]
            raw = block[int(starts[s_]):int(starts[e] + lengths[e])]
            text = raw.decode("utf-8", errors="replace")
            try:
                parsed = list(csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter))
            except csv.Error:
                parsed = []
            if len(parsed) == 1 and len(parsed[0]) == len(names):
                records[s_] = (e, parsed[0] if "\ufffd" not in text or _utf8(raw) else NOT_UTF8)
                i += 2
                continue
        broken.append(s_)
        i += 1
    return records, broken


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _with_records(numbers: np.ndarray, cols: dict[str, pa.Array], names: list[str], good: dict, first: int):
    """Rows read by Arrow and records read by the csv module, in line order."""
    extra = np.array([first + k for k in good], dtype=np.int64)
    both = np.concatenate([numbers, extra])
    order = pa.array(np.argsort(both, kind="stable"))
    out = {}
    for j, c in enumerate(names):
        more = pa.array([f[j] for f in good.values()], type=pa.string())
        out[c] = pc.take(pa.concat_arrays([cols[c], more]), order)
    return both[np.argsort(both, kind="stable")], out


def _account_id_text(text: str | None, names: list[str], delimiter: str = ",") -> str | None:
    """The ``account_id`` field of a line that is not a record, where it can be read."""
    if not text or "account_id" not in names:
        return None
    try:
        fields = next(csv.reader([text.rstrip("\r\n").replace("\r", " ")], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return None
    k = names.index("account_id")
    return fields[k] if k < len(fields) and fields[k] else None


def _account_id_line(raw: bytes, names: list[str], delimiter: str = ",") -> str | None:
    aid = _account_id_text(raw.decode("utf-8", errors="replace"), names, delimiter)
    return None if aid is None or "\ufffd" in aid else aid


UNBALANCED = "Is not a valid CSV record (unbalanced quote)."
BARE_CR = ("Holds a bare CR (carriage return) inside a field that is not quoted, which CSV reads as a line "
           "end: quote the field (RFC 4180) or remove the CR.")
NOT_UTF8 = "Is not valid UTF-8."


def _quotes_per_line(block: bytes, starts, nlines: int) -> np.ndarray:
    q = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 34)
    return np.bincount(np.searchsorted(starts, q, side="right") - 1, minlength=nlines)


def _blank_lines(block: bytes, starts, lengths, drop: list[int]) -> tuple[bytes, list[int]]:
    """The block with the lines in ``drop`` and every line that is not UTF-8 emptied; the latter lines."""
    bad: list[int] = []
    if drop:    # newlines are kept, so line numbers hold; only the offsets move
        block = _empty(block, starts, lengths, drop)
        starts, lengths = _line_starts(block)
    ends = np.asarray(starts) + np.asarray(lengths)
    # decode in runs of lines of about 1 MiB; look line by line only inside a run that fails
    runs = np.unique(np.searchsorted(starts, np.arange(0, len(block), 1 << 20), side="right") - 1)
    runs = np.append(runs[runs >= 0], len(starts))
    for i, j in zip(runs[:-1].tolist(), (runs[1:] - 1).tolist()):
        if j < i:
            continue
        try:
            block[int(starts[i]):int(ends[j])].decode("utf-8")
        except UnicodeDecodeError:
            for k in range(i, j + 1):
                try:
                    block[int(starts[k]):int(ends[k])].decode("utf-8")
                except UnicodeDecodeError:
                    bad.append(k)
    if not bad:
        return block, bad
    return _empty(block, starts, lengths, bad), bad


def _empty(block: bytes, starts, lengths, lines: list[int]) -> bytes:
    parts, at = [], 0
    for line in sorted(lines):
        parts.append(block[at:int(starts[line])])
        at = int(starts[line] + lengths[line])
    parts.append(block[at:])
    return b"".join(parts)


def _csv_block_slowly(names, block: bytes, starts, lengths, first: int, pos: int, records=None,
                      delimiter: str = ",") -> Chunk:
    """A block Arrow refused (bad UTF-8, a stray quote): line by line with the csv module."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    unreadable = []
    if records is None:
        records = _multiline_records(block, starts, lengths, names, delimiter)[0]
    k = 0
    while k < len(starts):
        s_, ln = int(starts[k]), int(lengths[k])
        if k in records:
            e, fields = records[k]
            if isinstance(fields, str):
                unreadable.append((first + k, _account_id_line(block[s_:s_ + ln], names, delimiter), "(row)",
                                   fields))
            else:
                rows.append(fields)
                numbers.append(first + k)
            k = e + 1
            continue
        k += 1
        if ln == 0:
            continue
        raw = block[s_:s_ + ln]
        row = first + k - 1
        if raw == TOO_LONG:
            unreadable.append((row, None, "(row)", too_long(row + 1)))
            continue
        aid = _account_id_line(raw, names, delimiter)
        if raw.count(b'"') % 2:
            unreadable.append((row, aid, "(row)", UNBALANCED))
            continue
        try:
            fields = next(csv.reader([raw.decode("utf-8")], strict=True, delimiter=delimiter))
        except UnicodeDecodeError:
            unreadable.append((row, aid, "(row)", NOT_UTF8))
            continue
        except csv.Error as exc:
            why = BARE_CR if "new-line character" in str(exc) else f"Is not a valid CSV record ({exc})."
            unreadable.append((row, aid, "(row)", why))
            continue
        if len(fields) != len(names):
            unreadable.append((row, aid, "(row)", f"Has {len(fields)} fields; the header has {len(names)}."))
            continue
        rows.append(fields)
        numbers.append(row)
    cols = {c: pa.array([r[j] for r in rows], type=pa.string()) for j, c in enumerate(names)}
    return Chunk(cols, np.array(numbers, dtype=np.int64), unreadable, pos)


# ----------------------------------------------------------------------------- JSON Lines

def _json_cell(value, column: str = "") -> str | None:
    """A JSON value as the cell text a CSV would hold (see docs/batch.md)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and column == "account_id":
        return str(int(value))      # an exact integer (json_type_error refused the others)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return DATE_SEPARATOR.join(str(v) for v in value) if value else "none"
    return json.dumps(value)


#: What JSON type each column takes in a JSON Lines record: the quote schema's rule for the same field.
_JSON_KINDS = {
    **{c: "amount" for c, *_ in AMOUNTS}, "apr": "amount",
    **{c: "amount" for c in INPUT_COLUMNS if c.startswith(("income_", "expense_"))},
    **{c: "integer" for c, *_ in INTEGERS},
    "account_id": "string", "currency": "string", "product": "string", "hardship_reason": "string",
    "opened_on": "date", "reage_dates": "dates", "arrangement_dates": "dates",
    "broken_arrangement_dates": "dates",
}
assert set(_JSON_KINDS) == set(INPUT_COLUMNS), "every column has a JSON kind"
NOT_STRING, NOT_LIST, NOT_NULL = "Not a valid string.", "Not a valid list.", "Field may not be null."


def json_type_error(column: str, value) -> str | None:
    """The quote schema's message when a JSON value has the wrong type for its column, else None.

    >>> json_type_error("reage_dates", [20200101]), json_type_error("days_past_due", "45")
    ('Not a valid date.', 'Not a valid integer.')
    >>> json_type_error("balance", 12.5), json_type_error("currency", 840)
    (None, 'Not a valid string.')
    """
    if value is None:
        return None
    kind = _JSON_KINDS[column]
    if column == "account_id" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_id(value)[1]
    if kind == "string":
        return None if isinstance(value, str) else NOT_STRING
    if kind == "amount":
        return None if isinstance(value, (str, int, float)) and not isinstance(value, bool) else NOT_NUMBER
    if kind == "integer":
        return None if isinstance(value, int) and not isinstance(value, bool) else NOT_INTEGER
    if kind == "date":
        return None if isinstance(value, str) else NOT_DATE
    if not isinstance(value, list):
        return NOT_LIST
    for v in value:
        if v is None:
            return NOT_NULL
        if not isinstance(v, str):
            return NOT_DATE
    return None


class _DuplicateKeys(ValueError):
    def __init__(self, keys: list[str], pairs: list):
        super().__init__(", ".join(keys))
        self.keys, self.pairs = keys, pairs


def _unique_keys(pairs: list) -> dict:
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise _DuplicateKeys(sorted({k for k, _ in pairs if sum(1 for k2, _ in pairs if k2 == k) > 1}), pairs)
        seen[k] = v
    return seen


def _jsonl_chunks(path: str, chunk_size: int, chunk_bytes: int = DEFAULT_CHUNK_BYTES, encoding: str = "utf-8",
                  key: tuple | None = None) -> Iterator[Chunk]:
    first = 1
    with open(path, "rb") as fh:
        snap = _Snapshot(fh, path, key)
        src = _Source(fh, encoding)
        for block, _ in _line_blocks(src, chunk_size, chunk_bytes):
            snap.check()
            chunk, nlines = jsonl_chunk(block, first, src.consumed())
            yield chunk
            first += nlines
        snap.check(consumed=src.consumed())


def jsonl_chunk(block: bytes, first: int, pos: int = 0) -> tuple[Chunk, int]:
    """The records and rejected lines of a block of whole JSON Lines lines whose first line is row ``first``,
    and the block's line count (the one reading of a block, as :func:`csv_chunk`)."""
    starts, lengths = _line_starts(block)
    values: dict[str, list] = {c: [] for c in INPUT_COLUMNS}
    numbers: list[int] = []
    unreadable: list[tuple[int, str | None, str, str]] = []
    for k, (s, ln) in enumerate(zip(starts, lengths)):
        if ln == 0:
            continue
        row = first + k
        if ln == len(TOO_LONG) and block[s:s + ln] == TOO_LONG:
            unreadable.append((row, None, "(row)", too_long(row)))
            continue
        try:
            rec = json.loads(block[s:s + ln], parse_constant=strict_json.reject_constant,
                             object_pairs_hook=_unique_keys)
        except _DuplicateKeys as exc:
            aid = next((v for k2, v in exc.pairs if k2 == "account_id" and isinstance(v, str)), None)
            unreadable += [(row, aid, k2, "Appears more than once in the record.") for k2 in exc.keys]
            continue
        except (ValueError, UnicodeDecodeError) as exc:
            unreadable.append((row, None, "(row)", f"Is not valid JSON ({exc})."))
            continue
        if not isinstance(rec, dict):
            unreadable.append((row, None, "(row)", "Must be a JSON object."))
            continue
        aid = rec.get("account_id")
        aid = aid if isinstance(aid, str) else None
        bad = [(k2, "Unknown field.") for k2 in sorted(k2 for k2 in rec if k2 not in _KNOWN)]
        bad += [(c, m) for c in INPUT_COLUMNS if c in rec and (m := json_type_error(c, rec[c]))]
        if bad:
            unreadable += [(row, aid, k2, m) for k2, m in bad]
            continue
        numbers.append(row)
        for c in INPUT_COLUMNS:
            values[c].append(_json_cell(rec.get(c), c))
    cols = {c: pa.array(v, type=pa.string()) for c, v in values.items()}
    return Chunk(cols, np.array(numbers, dtype=np.int64), unreadable, pos), len(starts)


# ----------------------------------------------------------------------------- Parquet

def _parquet_batch_rows(pf, chunk_size: int, chunk_bytes: int) -> int:
    """Rows per batch: ``chunk_size``, fewer when the file's rows are wide (uncompressed bytes per row)."""
    md = pf.metadata
    rows = md.num_rows
    size = sum(md.row_group(k).total_byte_size for k in range(md.num_row_groups))
    per_row = size / rows if rows else 1
    return max(1, min(chunk_size, int(chunk_bytes // max(per_row, 1))))


def _parquet_chunks(pf, fh, path: str, chunk_size: int) -> Iterator[Chunk]:
    with fh:
        snap = _Snapshot(fh, path)
        batches = pf.iter_batches(batch_size=chunk_size)
        first = 1
        while True:
            try:
                batch = next(batches, None)
            except (pa.ArrowException, OSError) as exc:
                snap.check()
                raise BatchRunError(f"cannot read {path} after row {first - 1:,}: {exc}; nothing written") from None
            snap.check()
            if batch is None:
                break
            yield _parquet_chunk(batch, first)
            first += batch.num_rows


_LIST_COLUMNS = ("reage_dates", "arrangement_dates", "broken_arrangement_dates")


def _scalar_type_ok(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        return _scalar_type_ok(t.value_type)
    return (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)
            or pa.types.is_large_binary(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
            or pa.types.is_decimal(t) or pa.types.is_date(t) or pa.types.is_timestamp(t)
            or pa.types.is_boolean(t) or pa.types.is_null(t))


def check_parquet_types(schema: pa.Schema, path: str) -> None:
    """Column types the job can read as text; anything else (structs, maps, nested lists) names the column."""
    bad = []
    for f in schema:
        t = f.type
        if f.name in _LIST_COLUMNS and (pa.types.is_list(t) or pa.types.is_large_list(t)):
            t = t.value_type
        if not _scalar_type_ok(t):
            bad.append(f"{f.name} ({f.type})")
    if bad:
        raise BatchInputError(f"{path}: column types the job cannot read as text: {', '.join(bad)} (use text, "
                              "numbers, dates or booleans; a list of dates only for reage_dates and "
                              "arrangement_dates, broken_arrangement_dates)")


def _as_text(col: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """A Parquet column as text cells, and the rows whose bytes are not UTF-8.

    Timestamps at midnight are dates (what pandas writes for a date);
    any other time of day keeps its time, so a date field rejects it.
    """
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    t = col.type
    bad = np.zeros(len(col), dtype=bool)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        values, vbad = _as_text(col.values)
        lists = type(col).from_arrays(col.offsets, values, mask=col.is_null())
        text = pc.binary_join(lists, DATE_SEPARATOR)
        if vbad.any():      # a list with a bad value: its row
            starts, ends = col.offsets.to_numpy()[:-1], col.offsets.to_numpy()[1:]
            where = np.flatnonzero(vbad)
            bad = (np.searchsorted(where, starts) < np.searchsorted(where, ends))
        return text, bad
    if pa.types.is_timestamp(t):
        midnight = pc.fill_null(pc.equal(pc.floor_temporal(col, unit="day"), col), False)
        return pc.if_else(midnight, pc.strftime(col, format="%Y-%m-%d"), pc.cast(col, pa.string())), bad
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        try:
            return pc.cast(col, pa.string()), bad
        except pa.ArrowInvalid:
            cells = col.to_pylist()
            for k, v in enumerate(cells):
                if v is not None:
                    try:
                        v.decode("utf-8")
                    except UnicodeDecodeError:
                        bad[k] = True
            text = pc.cast(pc.if_else(pa.array(bad), pa.scalar(None, col.type), col), pa.string())
            return text, bad
    if pa.types.is_string(t):
        return col, bad
    return pc.cast(col, pa.string()), bad


#: Integers a float64 holds exactly: every one below 2**53 in magnitude (a larger one may be another's rounding).
EXACT_FLOAT_INTEGER = 2**53


def number_id(value: float | int) -> tuple[str | None, str | None]:
    """An account id given as a number: its exact digits, or the reason it is refused.

    An id is text; a number is read back to its digits only when they are
    certain: an integer below 2**53 in magnitude. Above, a float64 cannot
    hold every integer (``62220200000000012`` and ``...13`` are one float),
    so the id may already be another account's; a fraction is no id.

    >>> number_id(6222020000000001.0), number_id(12345)
    (('6222020000000001', None), ('12345', None))
    >>> number_id(6.222020000000001e16)[1][:40]
    'Is a number (6.222020000000001e+16), not'
    """
    if isinstance(value, float) and not value.is_integer():
        return None, f"Is a number with a fraction ({value!r}), not an account id: write account ids as text."
    if abs(value) >= EXACT_FLOAT_INTEGER:
        return None, (f"Is a number ({value!r}), not text: above 2**53 a number read as floating point may have "
                      "lost digits and become another account's id; write account ids as text.")
    return str(int(value)), None


def id_text(col: pa.Array) -> tuple[pa.Array, dict[int, str]]:
    """An account-id column as text, and the rows refused with their reason (see :func:`number_id`).

    Integer columns keep every digit; float columns (pandas writes an id
    column with a blank as float64) are read back to their digits where
    exact; other types are read as text like any column.
    """
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if not pa.types.is_floating(col.type):
        return (col if pa.types.is_string(col.type) else pc.cast(col, pa.string())), {}
    values = col.to_numpy(zero_copy_only=False).astype(np.float64)
    valid = ~np.isnan(values)
    exact = valid & (np.abs(values) < EXACT_FLOAT_INTEGER) & (values == np.floor(values))
    text = pc.cast(pa.array(np.where(exact, values, 0).astype(np.int64)), pa.string())
    text = pc.if_else(pa.array(exact), text, pa.scalar(None, pa.string()))
    refused = {int(k): number_id(float(values[k]))[1] or "" for k in np.flatnonzero(valid & ~exact)}
    return text, refused


def _parquet_chunk(batch: pa.RecordBatch, first: int) -> Chunk:
    cols = {}
    bad_cells: dict[str, np.ndarray] = {}
    reasons: dict[tuple[str, int], str] = {}
    n = batch.num_rows
    for name in batch.schema.names:
        if name == "account_id":
            cols[name], refused = id_text(batch.column(name))
            bad = np.zeros(n, dtype=bool)
            bad[list(refused)] = True
            reasons.update({(name, k): why for k, why in refused.items()})
        else:
            cols[name], bad = _as_text(batch.column(name))
        if bad.any():
            bad_cells[name] = bad
    numbers = np.arange(first, first + n, dtype=np.int64)
    unreadable = []
    if bad_cells:
        bad_row = np.logical_or.reduce(list(bad_cells.values()))
        ids = cols.get("account_id", pa.nulls(n, pa.string())).to_pylist()
        for k in np.flatnonzero(bad_row):
            unreadable += [(int(numbers[k]), ids[k] or None, name, reasons.get((name, int(k)), NOT_UTF8))
                           for name, bad in bad_cells.items() if bad[k]]
        keep = pa.array(np.flatnonzero(~bad_row))
        cols = {c: pc.take(a, keep) for c, a in cols.items()}
        numbers = numbers[~bad_row]
    return Chunk(cols, numbers, unreadable, first + n - 1)


# ----------------------------------------------------------------------------- one writer per output

class BatchBusyError(BatchInputError):
    """Another job holds the lock of an output this job would write (exit 7)."""

    title = "Output locked by another job"
    exit_code = 7


def lock_path(path: str | Path) -> Path:
    """``offers.csv`` -> ``.offers.csv.lock`` beside it."""
    p = Path(path)
    return p.with_name(f".{p.name}.lock")


def _process_start(pid: int) -> str | None:
    """When a process started (clock ticks since boot, from ``/proc``), to tell a reused PID; None if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:     # someone else's: alive
        return True
    now = _process_start(pid)
    return started is None or now is None or now == started


class OutputLock:
    """Exclusive locks beside the outputs, so that one job at a time writes them.

    Each lock is a file ``.NAME.lock`` made with ``O_CREAT | O_EXCL`` (so
    one creator wins, also on NFS v3 and later) holding the owner's PID,
    host and process start time, and removed when the job ends, whatever
    the end. A lock left by a job that was killed (SIGKILL, power loss) is
    stale when its host is this one and its PID is no longer running (or
    runs another program, told by the start time): it is then removed and
    taken. A lock from another host cannot be checked and is never broken:
    delete it by hand once no job runs there.
    """

    def __init__(self, paths: Iterable[str]):
        self.paths = [lock_path(p) for p in paths if p != "-"]
        self.held: list[Path] = []
        self.me = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                              "started": _process_start(os.getpid())}, sort_keys=True).encode()

    def __enter__(self) -> OutputLock:
        try:
            for p in self.paths:
                self._take(p)
        except BaseException:
            self.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _take(self, path: Path) -> None:
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner(path)
                if owner is not None and self._break_stale(path, owner):
                    continue
                raise BatchBusyError(self._busy(path, owner)) from None
            except OSError as exc:
                raise BatchInputError(f"cannot create the lock {path}: {exc.strerror or exc}") from None
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.me + b"\n")
            self.held.append(path)
            return
        raise BatchBusyError(self._busy(path, self._owner(path)))

    @staticmethod
    def _owner(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _break_stale(self, path: Path, owner: bytes) -> bool:
        """Remove ``path`` if ``owner`` (its content) is a dead job of this host; whether it was removed."""
        try:
            info = json.loads(owner)
            pid, host, started = int(info["pid"]), info["host"], info.get("started")
        except (ValueError, KeyError, TypeError):
            return False
        if host != socket.gethostname() or _alive(pid, started):
            return False
        # Move it aside first and look again: if another job broke it and took the lock meanwhile, what
        # was moved is that job's lock, and goes back.
        aside = path.with_name(f"{path.name}.{os.getpid()}.stale")
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return True
        if aside.read_bytes() == owner:
            aside.unlink()
            return True
        with contextlib.suppress(OSError):
            os.link(aside, path)
        aside.unlink(missing_ok=True)
        return False

    @staticmethod
    def _busy(path: Path, owner: bytes | None) -> str:
        target = path.with_name(path.name[1:-len(".lock")])
        try:
            info = json.loads(owner or b"")
            who = f"job {info['pid']} on {info['host']}"
        except (ValueError, KeyError, TypeError):
            who = "another job"
        return (f"{target} is being written by {who} (lock {path}); not starting a second writer. If no job "
                "is running, delete the lock file and run again")

    def release(self) -> None:
        """Remove the locks this job holds (only if still its own)."""
        for p in self.held:
            if self._owner(p) == self.me + b"\n":
                p.unlink(missing_ok=True)
        self.held = []


# ----------------------------------------------------------------------------- writers

def _remove_stale_parts(path: Path) -> None:
    """Delete ``.NAME.PID.part`` files beside ``path`` left by a job that was killed (its PID is gone)."""
    for part in path.parent.glob(f".{glob_escape(path.name)}.*.part"):
        pid = part.name[len(path.name) + 2:-len(".part")]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            part.unlink(missing_ok=True)
        except PermissionError:     # alive, someone else's
            pass


#: Rows per Parquet row group of an output, fixed so that the bytes do not depend on the chunk size.
ROW_GROUP_ROWS = 65_536


class Sink:
    """Writes Arrow tables to ``path`` through a hidden temporary file (``-``: streamed to standard output).

    ``fmt`` names the format of ``-`` (csv or jsonl); ``bom`` starts a CSV
    with a UTF-8 byte-order mark, for spreadsheets that need one to read
    UTF-8. ``metadata`` goes into a Parquet file's key-value metadata, each
    key prefixed with ``negotiator.``.
    """

    def __init__(self, path: str, schema: pa.Schema, fmt: str | None = None, bom: bool = False,
                 metadata: dict[str, str] | None = None):
        self.streaming = path == "-"
        self.path = Path(path)
        self.format = (fmt or "csv") if self.streaming else file_format(path)
        if self.streaming and self.format not in ("csv", "jsonl"):
            raise BatchInputError(f"standard output takes csv or jsonl, not {self.format} (Parquet needs a file)")
        self.schema = schema
        self.tmp = None if self.streaming else self.path.with_name(f".{self.path.name}.{os.getpid()}.part")
        self.rows = 0
        self.size, self.sha256 = 0, ""      # of the committed file
        self.waiting: list[pa.Table] = []   # Parquet rows not yet in a row group
        self.waiting_rows = 0
        if self.streaming:
            self.fh = sys.stdout.buffer
        else:
            _remove_stale_parts(self.path)
            assert self.tmp is not None   # a file (not standard output) is written through its temporary file
            try:
                self.fh = open(self.tmp, "xb")  # noqa: SIM115
            except OSError as exc:
                raise BatchInputError(f"cannot write {path}: {exc.strerror or exc}") from None
        self.writer = None
        try:
            with self._writing():
                if self.format == "csv":
                    if bom:
                        self.fh.write(b"\xef\xbb\xbf")
                    self.writer = pacsv.CSVWriter(self.fh, schema,
                                                  write_options=pacsv.WriteOptions(quoting_style="needed"))
                elif self.format == "parquet":
                    import pyarrow.parquet as pq
                    meta = {f"negotiator.{k}": v for k, v in (metadata or {}).items()}
                    self.writer = pq.ParquetWriter(self.fh, schema.with_metadata(meta), compression="zstd")
        except BaseException:
            self.abort()
            raise

    def write(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        with self._writing():
            if self.format == "jsonl":
                if table.num_rows:
                    self.fh.write(jsonl_bytes(table))
            elif self.format == "csv":
                assert self.writer is not None   # __init__ makes a writer for csv and parquet
                self.writer.write_table(neutralise_formulas(table))
            else:
                self._row_groups(table)

    def _row_groups(self, table: pa.Table | None) -> None:
        """Parquet: rows gathered into row groups of :data:`ROW_GROUP_ROWS` (the rest at the end, ``None``),
        whatever the chunks, so that the file's bytes do not depend on the chunk size."""
        assert self.writer is not None
        if table is not None:
            self.waiting.append(table)
            self.waiting_rows += table.num_rows
        while self.waiting_rows >= ROW_GROUP_ROWS or (table is None and self.waiting_rows):
            rows = pa.concat_tables(self.waiting).combine_chunks()
            group = rows.slice(0, ROW_GROUP_ROWS)
            self.writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
            rest = rows.slice(group.num_rows)
            self.waiting, self.waiting_rows = ([rest] if rest.num_rows else []), rest.num_rows

    def commit(self) -> None:
        """Finish the file and move it into place."""
        with self._writing():
            if self.format == "parquet":
                self._row_groups(None)
            if self.writer is not None:
                self.writer.close()
            self.fh.flush()
            if self.streaming:
                return
            os.fsync(self.fh.fileno())
            self.fh.close()
            assert self.tmp is not None
            self.size, self.sha256 = _digest(self.tmp)
            os.replace(self.tmp, self.path)

    @contextlib.contextmanager
    def _writing(self):
        """A failed write (full disk, quota, I/O error) as a message naming the file, not a traceback."""
        try:
            yield
        except BrokenPipeError:
            raise       # the reader of standard output went away (e.g. `head`): not the job's failure
        except OSError as exc:
            where = "standard output" if self.streaming else str(self.path)
            done = "the output is incomplete" if self.streaming else "nothing written"
            raise BatchRunError(f"cannot write {where}: {exc.strerror or exc}; {done}") from None

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was (standard output: stop writing)."""
        if self.streaming:
            return
        try:
            if self.writer is not None:
                self.writer.close()
        except Exception:  # noqa: BLE001, S110  (best effort on the way out)
            pass
        self.fh.close()
        assert self.tmp is not None
        self.tmp.unlink(missing_ok=True)


def _digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a written file, read back in pieces."""
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while piece := fh.read(_PIECE):
            h.update(piece)
            size += len(piece)
    return size, h.hexdigest()


def default_manifest_path(output: str) -> str:
    """``offers.csv`` -> ``offers.manifest.json``: names the offers and rejects of one run (see docs/batch.md)."""
    p = Path(output)
    return str(p.with_name(f"{p.stem if p.suffix else p.name}.manifest.json"))


def write_manifest(path: str, sinks: dict[str, Sink | None], extra: dict) -> None:
    """The manifest, written last and renamed into place: each file's name, bytes and SHA-256 (None: not
    written by this run), and ``extra``; nothing time-dependent, so the same run gives the same bytes."""
    files = {k: None if s is None else {"path": s.path.name, "bytes": s.size, "sha256": s.sha256}
             for k, s in sinks.items()}
    doc = json.dumps({"files": files, **extra}, indent=2, sort_keys=True) + "\n"
    tmp = Path(path).with_name(f".{Path(path).name}.{os.getpid()}.part")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(doc)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BatchRunError(f"cannot write {path}: {exc.strerror or exc}") from None


#: A cell a spreadsheet would take for a formula starts with one of these: OWASP's leading characters
#: (= + - @ tab CR), and LF, NUL and the full-width forms (＝＋－＠) that East Asian spreadsheets accept.
_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(c) for c in "=+-@\t\r\n\x00"]] = True
_FULL_WIDTH_LAST = np.zeros(256, dtype=bool)      # U+FF1D U+FF0B U+FF0D U+FF20 are EF BC xx in UTF-8
_FULL_WIDTH_LAST[[0x9D, 0x8B, 0x8D, 0xA0]] = True


def _formula_like(col: pa.Array) -> np.ndarray:
    """Cells whose first character starts a formula, from the first bytes (no string is copied)."""
    n = len(col)
    offsets = np.frombuffer(col.buffers()[1], dtype=np.int32, count=n + 1, offset=col.offset * 4)
    data = col.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    starts, lengths = offsets[:-1], np.diff(offsets)
    if not len(data):
        return np.zeros(n, dtype=bool)
    last = len(data) - 1
    b0 = data[np.minimum(starts, last)]
    hit = (lengths > 0) & _FORMULA_BYTES[b0]
    wide = np.flatnonzero((lengths >= 3) & (b0 == 0xEF))
    if len(wide):
        s = starts[wide]
        hit[wide] = (data[np.minimum(s + 1, last)] == 0xBC) & _FULL_WIDTH_LAST[data[np.minimum(s + 2, last)]]
    if col.null_count:
        hit &= _np_valid(col)
    return hit


def _np_valid(col: pa.Array) -> np.ndarray:
    return pc.is_valid(col).to_numpy(zero_copy_only=False)
#: ... unless it is a plain negative number, as the job writes amounts (``-12.50``).
_NEGATIVE_NUMBER = r"^-[0-9]+(\.[0-9]+)?$"


def neutralise_formulas(table: pa.Table) -> pa.Table:
    r"""Text cells a spreadsheet would evaluate, prefixed with ``'`` (the OWASP rule for CSV files).

    Every string column is checked, whatever its name, so new columns are
    covered. Parquet and JSON Lines keep the true value.

    >>> t = pa.table({"id": ["=HYPERLINK(1)", "@SUM(1+1)", "-2+3+cmd", "\t=1+1", "A-1", "-12.50", None]})
    >>> neutralise_formulas(t).column("id").to_pylist()
    ["'=HYPERLINK(1)", "'@SUM(1+1)", "'-2+3+cmd", "'\t=1+1", 'A-1', '-12.50', None]
    """
    for k, name in enumerate(table.schema.names):
        if not pa.types.is_string(table.schema.field(name).type):
            continue
        col = table.column(name).combine_chunks()
        risky = _formula_like(col)
        if not risky.any():
            continue
        rows = np.flatnonzero(risky)
        number = pc.fill_null(pc.match_substring_regex(pc.take(col, pa.array(rows)), _NEGATIVE_NUMBER), False)
        risky[rows[number.to_numpy(zero_copy_only=False)]] = False
        if risky.any():
            mask = pa.array(risky)
            table = table.set_column(k, name, pc.if_else(mask, pc.binary_join_element_wise("'", col, ""), col))
    return table


_NEEDS_ESCAPE = r'["\\\x00-\x1f\x7f]'


def jsonl_bytes(table: pa.Table) -> bytes:
    """One JSON object per row, built column-wise (nulls as ``null``)."""
    parts = []
    for k, name in enumerate(table.schema.names):
        col = table.column(name).combine_chunks()
        t = col.type
        if pa.types.is_string(t):
            esc = pc.fill_null(pc.match_substring_regex(col, _NEEDS_ESCAPE), False).to_numpy(zero_copy_only=False)
            text = pc.binary_join_element_wise('"', col, '"', "")
            if esc.any():
                rows = np.flatnonzero(esc)
                fixed = [json.dumps(v, ensure_ascii=False) for v in pc.take(col, pa.array(rows)).to_pylist()]
                full = np.array(text.to_pylist(), dtype=object)
                full[rows] = fixed
                text = pa.array(full, type=pa.string())
        elif pa.types.is_boolean(t):
            text = pc.if_else(col, "true", "false")
        else:
            text = pc.cast(col, pa.string())
        text = pc.fill_null(text, "null")
        prefix = ("{" if k == 0 else ",") + json.dumps(name) + ":"
        parts.append(pc.binary_join_element_wise(prefix, text, ""))
    lines = pc.binary_join_element_wise(*parts, "}\n", "")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    data = lines.buffers()[2]
    return data.to_pybytes()[offsets[0]:offsets[-1]]
