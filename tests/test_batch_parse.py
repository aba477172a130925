"""Vectorised parsing and formatting agree with the single quote's scalar functions (Hypothesis)."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError as MmValidationError

from negotiator.batch.job import format_effective_array, format_minor_array, format_rate_array
from negotiator.batch.parse import (
    ABSENT,
    INVALID,
    NEG,
    OK,
    OUT_OF_RANGE,
    TOO_LARGE,
    TOO_PRECISE,
    parse_amounts,
    parse_dates,
    parse_integers,
)
from negotiator.core.money import MAX_AMOUNT, format_minor, format_rate, rate_to_ppm, to_minor
from negotiator.engine import compiled
from negotiator.engine.render import format_effective_rate
from negotiator.wire.schemas import Amount

decimal_text = st.one_of(
    st.integers(0, 5).flatmap(lambda p: st.decimals(min_value=-10**10, max_value=10**10, allow_nan=False,
                                                    places=p)).map(str),
    st.from_regex(r"\A-?[0-9]{0,11}(\.[0-9]{0,7})?\Z"),
    st.from_regex(r"\A[0-9 .eE+_-]{1,12}\Z"),
    st.sampled_from(["NaN", "Infinity", "-0", "1e3", "1E-2", ".5", "5.", ".", "", " 5", "1_000", "١٢", "0x10",
                     "1000000000", "1000000000.01", "999999999.999", "9" * 41]),
    st.text(max_size=12),
)


def scalar(text: str, digits: int, maximum: Decimal = MAX_AMOUNT, rate: bool = False) -> tuple[int, int]:
    """What the single quote makes of a cell: schema (Amount) then conversion (from_records)."""
    if text == "":
        return 0, ABSENT
    try:
        d = Amount(maximum=maximum).deserialize(text)
    except MmValidationError as exc:
        message = exc.messages[0]
        return 0, (NEG if "negative" in message else TOO_LARGE if "at most" in message else INVALID)
    try:
        return (rate_to_ppm(d) if rate else to_minor(d, digits)), OK
    except ValueError:
        return 0, TOO_PRECISE


@contextmanager
def kernels_run(way: str):
    """The kernels as plain Python or compiled by numba, for the block."""
    old = compiled.MODE
    compiled.MODE = way
    try:
        yield
    finally:
        compiled.MODE = old


@pytest.mark.parametrize("way", ["python", "compiled"])
@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.tuples(decimal_text, st.sampled_from([0, 2, 3])), min_size=1, max_size=20),
       sliced=st.booleans())
def test_amounts_agree_with_parse_decimal_and_to_minor(way, cells, sliced):
    texts = [t for t, _ in cells]
    digits = np.array([d for _, d in cells])
    arr = pa.array(texts, type=pa.string())
    if sliced:      # a column that is a slice of a larger one: its offsets do not start at 0
        arr = pa.array(["7.25", *texts, "x"], type=pa.large_string()).slice(1, len(texts))
    with kernels_run(way):
        values, status = parse_amounts(arr, digits)
    assert [(int(v), int(s)) for v, s in zip(values, status)] == [scalar(t, int(d)) for t, d in cells]


@pytest.mark.parametrize("way", ["python", "compiled"])
@settings(max_examples=200, deadline=None)
@given(texts=st.lists(decimal_text, min_size=1, max_size=20))
def test_rates_agree_with_rate_to_ppm(way, texts):
    with kernels_run(way):
        values, status = parse_amounts(pa.array(texts, type=pa.string()), np.full(len(texts), 6), Decimal(1),
                                       rate=True)
    assert [(int(v), int(s)) for v, s in zip(values, status)] == [scalar(t, 6, Decimal(1), True) for t in texts]


@pytest.mark.parametrize("way", ["python", "compiled"])
@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.tuples(st.integers(-10**15, 10**15), st.sampled_from([0, 2, 3, 6])), min_size=0,
                      max_size=20))
def test_money_formatting_agrees_with_format_minor(way, cells):
    v = np.array([m for m, _ in cells], dtype=np.int64)
    d = np.array([k for _, k in cells], dtype=np.int64)
    with kernels_run(way):
        assert format_minor_array(v, d).to_pylist() == [format_minor(m, k) for m, k in cells]


@pytest.mark.parametrize("way", ["python", "compiled"])
@settings(max_examples=200, deadline=None)
@given(ppm=st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=20))
def test_rate_formatting_agrees_with_format_rate(way, ppm):
    with kernels_run(way):
        assert format_rate_array(np.array(ppm)).to_pylist() == [format_rate(p) for p in ppm]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.floats(0, 2), st.integers(0, 2_000_000).map(lambda k: (k + 0.5) / 1e6)),
                min_size=1, max_size=20))
def test_effective_rate_formatting_agrees_with_the_quote(xs):
    assert format_effective_array(np.array(xs, dtype=float)).to_pylist() == [format_effective_rate(x) for x in xs]


@pytest.mark.parametrize("way", ["python", "compiled"])
@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(st.from_regex(r"\A-?0{0,3}[0-9]{1,20}\Z"), st.text(max_size=6)), min_size=1,
                      max_size=20))
def test_integers_read_as_strict_json_integers(way, texts):
    with kernels_run(way):
        values, status = parse_integers(pa.array(texts, type=pa.string()))
    for t, v, s in zip(texts, values, status):
        if t == "":
            assert s == ABSENT
        elif t.isascii() and t.lstrip("-").isdigit() and t.count("-") <= 1 and not t.endswith("-") \
                and (t[0] == "-" or t[0].isdigit()):
            assert (s == OK and v == int(t)) if abs(int(t)) < 10**18 else s == OUT_OF_RANGE
        else:
            assert s == INVALID


@pytest.mark.parametrize("way", ["python", "compiled"])
@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(st.dates().map(str), st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
                                st.text(max_size=10), st.sampled_from(["0000-01-01", "1899-12-31", "1900-01-01",
                                                                       "2199-12-31", "2200-01-01", "2000-02-29",
                                                                       "1900-02-29", "2026-04-31", "２０２６-01-01"])),
                      min_size=1, max_size=20))
def test_dates_read_as_the_schema_reads_them(way, texts):
    """The oracle is the wire schema's own date field (IsoDate): one rule for batch and single quotes."""
    import datetime as dt

    from marshmallow import ValidationError as MmError

    from negotiator.wire.schemas import IsoDate
    field = IsoDate()
    with kernels_run(way):
        days, status = parse_dates(pa.array(texts, type=pa.string()))
    for t, d, s in zip(texts, days, status):
        if not t:
            assert s == ABSENT
            continue
        try:
            want = (field.deserialize(t) - dt.date(1970, 1, 1)).days
        except MmError as exc:
            assert s == (OUT_OF_RANGE if "between" in str(exc.messages) else INVALID), t
            continue
        assert s == OK and d == want, t
