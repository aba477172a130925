"""Account ids seen on more than one input row, in memory that does not grow with the portfolio.

Each non-empty id is kept as a 64-bit hash of its UTF-8 bytes and its row
number (16 bytes a row). Up to :data:`IN_MEMORY` (524,288) of those pairs stay in
memory; past that they are spilled to :data:`BUCKETS` files in a temporary
folder, split by the hash's top bits, so that working out the result reads
one bucket at a time: 10 million rows hold about 2.5 MiB at once, not
160 MiB. The hash is computed column-wise from the Arrow buffers (no Python
string per row); two different ids sharing a hash (about one chance in
10^7 for 10^6 ids) would be counted as one duplicate, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Pairs (hash, row) kept in memory before they are spilled to disk (8 MiB).
IN_MEMORY = 1 << 19
#: Spill files, chosen by the top bits of the hash.
BUCKETS = 64
_BUCKET_SHIFT = np.uint64(64 - 6)
assert BUCKETS == 1 << 6
#: Ids up to this many bytes are hashed column-wise; longer ones (rare) one by one.
_WIDE = 64
_SLICE = 1 << 14
_M1, _M2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (every input bit reaches every output bit)."""
    h = (h ^ (h >> np.uint64(30))) * _M2
    h = (h ^ (h >> np.uint64(27))) * _M3
    return h ^ (h >> np.uint64(31))


def id_hashes(ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, keep)``: a 64-bit hash of each non-empty cell's UTF-8 bytes (as uint64), for the cells ``keep``
    (neither null nor empty). Equal texts have equal hashes, whatever the chunk or the column's layout.

    >>> h, keep = id_hashes(pa.array(["A1", None, "", "A1", "B2"]))
    >>> keep.tolist(), bool(h[0] == h[1]), bool(h[0] == h[2])
    ([True, False, False, True, True], True, False)
    """
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if pa.types.is_large_string(ids.type) or pa.types.is_large_binary(ids.type):
        ids = ids.cast(pa.large_string())
        width: type[np.signedinteger] = np.int64
    else:
        if not (pa.types.is_string(ids.type) or pa.types.is_binary(ids.type)):
            ids = pc.cast(ids, pa.string())
        width = np.int32
    n = len(ids)
    bufs = ids.buffers()
    offsets = np.frombuffer(bufs[1], dtype=width, count=n + 1, offset=ids.offset * np.dtype(width).itemsize) \
        if n else np.zeros(1, dtype=width)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    starts = offsets[:-1].astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    keep = lengths > 0
    if ids.null_count:
        keep &= pc.is_valid(ids).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(keep)
    out = np.zeros(len(rows), dtype=np.uint64)
    if not len(rows):
        return out, keep
    s, ln = starts[rows], lengths[rows]
    short = np.flatnonzero(ln <= _WIDE)
    for a in range(0, len(short), _SLICE):      # in slices: the byte matrix stays small
        part = short[a:a + _SLICE]
        out[part] = _hash_short(data, s[part], ln[part])
    long_rows = np.flatnonzero(ln > _WIDE)
    for k in long_rows.tolist():      # ids longer than _WIDE bytes: a digest each (deterministic)
        a, b = int(s[k]), int(ln[k])
        out[k] = int.from_bytes(hashlib.blake2b(data[a:a + b].tobytes(), digest_size=8).digest(), "little")
    return out, keep


def _hash_short(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Hashes of cells of at most :data:`_WIDE` bytes: each cell's bytes as little-endian 64-bit words, zero padded,
    mixed in one after the other onto its length (the padding of the last word is zeros)."""
    words = -(-int(lengths.max()) // 8)
    at = np.arange(words * 8, dtype=np.int64)
    inside = at[None, :] < lengths[:, None]
    raw = data[np.where(inside, starts[:, None] + at[None, :], 0)]
    raw[~inside] = 0
    mat = raw.view("<u8").reshape(len(starts), words)
    h = _mix(lengths.astype(np.uint64) * _M1)
    for w in range(words):      # only a cell's own words: its hash does not depend on its neighbours' lengths
        h = np.where(lengths > 8 * w, _mix((h ^ mat[:, w]) * _M1), h)
    return h


class Duplicates:
    """Account ids on more than one row: :meth:`add` each chunk's ids, then :meth:`result`; :meth:`close` always."""

    def __init__(self, in_memory: int = IN_MEMORY, folder: str | None = None):
        self.in_memory: float = in_memory
        self.folder = folder
        self.hashes: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.held = 0
        self.spill: Path | None = None

    def add(self, ids: pa.Array, rows: np.ndarray) -> None:
        h, keep = id_hashes(ids)
        self.hashes.append(h)
        self.rows.append(np.asarray(rows, dtype=np.int64)[keep])
        self.held += len(h)
        if self.held > self.in_memory:
            self._spill()

    def _spill(self) -> None:
        """Append the pairs held to their bucket files and forget them."""
        if self.spill is None:
            try:
                self.spill = Path(tempfile.mkdtemp(prefix="negotiator-batch-ids-", dir=self.folder))
            except OSError:         # nowhere to spill: keep counting in memory
                self.in_memory = float("inf")
                return
        h, r = np.concatenate(self.hashes), np.concatenate(self.rows)
        self.hashes, self.rows, self.held = [], [], 0
        bucket = (h >> _BUCKET_SHIFT).astype(np.int64)
        order = np.argsort(bucket, kind="stable")
        h, r, bucket = h[order], r[order], bucket[order]
        edges = np.searchsorted(bucket, np.arange(BUCKETS + 1))
        for b in range(BUCKETS):
            lo, hi = edges[b], edges[b + 1]
            if lo == hi:
                continue
            pairs = np.empty((hi - lo, 2), dtype=np.int64)
            pairs[:, 0] = h[lo:hi].view(np.int64)
            pairs[:, 1] = r[lo:hi]
            with open(self.spill / f"{b:02d}.bin", "ab") as fh:
                fh.write(pairs.tobytes())

    @staticmethod
    def _count(h: np.ndarray, r: np.ndarray, sample: int) -> tuple[int, np.ndarray]:
        values, counts = np.unique(h, return_counts=True)
        dup = counts > 1
        return int(dup.sum()), np.sort(r[np.isin(h, values[dup])])[:sample]

    def result(self, sample: int = 10) -> tuple[int, list[int]]:
        """How many ids appear on more than one row, and the first ``sample`` rows holding one."""
        if self.spill is None:
            if not self.hashes:
                return 0, []
            n, rows = self._count(np.concatenate(self.hashes), np.concatenate(self.rows), sample)
            return n, rows.tolist()
        if self.held:
            self._spill()
        total, best = 0, np.zeros(0, dtype=np.int64)
        for b in range(BUCKETS):
            path = self.spill / f"{b:02d}.bin"
            if not path.exists():
                continue
            pairs = np.fromfile(path, dtype=np.int64).reshape(-1, 2)
            n, rows = self._count(pairs[:, 0], pairs[:, 1], sample)
            total += n
            best = np.sort(np.concatenate([best, rows]))[:sample]
        return total, best.tolist()

    def close(self) -> None:
        """Remove the spill files, if any."""
        if self.spill is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.spill)
            self.spill = None
