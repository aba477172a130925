"""Duplicate account ids in bounded memory (negotiator.batch.dupes): the same answer as counting the texts."""

from __future__ import annotations

import collections

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.batch.dupes import Duplicates, id_hashes

IDS = st.one_of(st.none(), st.just(""), st.sampled_from(["A1", "A2", "b", "é", "x" * 64, "x" * 65, "x" * 200]),
                st.text(min_size=0, max_size=80))


def _reference(ids: list[str | None], sample: int = 10) -> tuple[int, list[int]]:
    counts = collections.Counter(v for v in ids if v)
    dup = {v for v, n in counts.items() if n > 1}
    return len(dup), sorted(k + 1 for k, v in enumerate(ids) if v in dup)[:sample]


def _run(ids: list[str | None], chunk: int, in_memory: int, tmp_path) -> tuple[int, list[int]]:
    d = Duplicates(in_memory=in_memory, folder=str(tmp_path))
    try:
        for start in range(0, len(ids), chunk):
            part = pa.array(ids[start:start + chunk], type=pa.string())
            d.add(part, np.arange(start + 1, start + 1 + len(part), dtype=np.int64))
        return d.result()
    finally:
        d.close()


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(IDS, max_size=120), chunk=st.integers(1, 50), in_memory=st.sampled_from([1, 7, 1 << 19]))
def test_duplicates_match_a_count_of_the_texts(ids, chunk, in_memory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ids")
    assert _run(ids, chunk, in_memory, tmp) == _reference(ids)
    assert not any(tmp.iterdir())       # the spill folder is gone


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(IDS, min_size=1, max_size=60), cut=st.integers(0, 59))
def test_equal_texts_hash_equal_whatever_the_layout(ids, cut):
    """Whatever its neighbours (shorter, longer, past the column-wise width) and its place in the buffers."""
    whole = pa.array(ids, type=pa.string())
    cut = min(cut, len(ids))
    h, keep = id_hashes(whole)
    h_sliced, keep_sliced = id_hashes(whole.slice(cut))       # an offset into shared buffers
    h_large, keep_large = id_hashes(whole.cast(pa.large_string()))
    h_chunked, _ = id_hashes(pa.chunked_array([whole.slice(0, cut), whole.slice(cut)], type=pa.string()))
    assert keep.tolist() == [bool(v) for v in ids]
    assert keep_sliced.tolist() == keep.tolist()[cut:] == keep_large.tolist()[cut:]
    assert h_large.tolist() == h.tolist() == h_chunked.tolist()
    assert h_sliced.tolist() == h[keep[:cut].sum():].tolist()
    kept = [v for v in ids if v]
    for i, a in enumerate(kept):
        for j, b in enumerate(kept):
            if a == b:
                assert h[i] == h[j]


def test_distinct_ids_of_a_large_portfolio_rarely_share_a_hash(tmp_path):
    ids = [f"ACC{k:09d}" for k in range(200_000)] + ["ACC000000007", "ACC000199999"]
    assert _run(ids, 5_000, 50_000, tmp_path) == (2, [8, 200_000, 200_001, 200_002])


def test_spill_keeps_memory_bounded(tmp_path):
    d = Duplicates(in_memory=1000, folder=str(tmp_path))
    for start in range(0, 20_000, 700):
        d.add(pa.array([str(k % 15_000) for k in range(start, start + 700)]), np.arange(start + 1, start + 701))
        assert d.held <= 1000 + 700
    assert d.spill is not None and any(d.spill.iterdir())
    n, rows = d.result()
    d.close()
    assert n == 5_300     # ids 0..4999 on rows 1..5000 and 15001..20000; rows 20001..20300 repeat 5000..5299
    assert rows == list(range(1, 11))
    assert not any(tmp_path.iterdir())
