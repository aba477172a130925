"""money: parsing, exact minor units, formatting, rounding rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import ISO_DIGITS

from negotiator.core.money import (
    CURRENCIES,
    exponent,
    format_minor,
    format_rate,
    parse_decimal,
    rate_to_ppm,
    to_minor,
)


@pytest.mark.parametrize("code, digits", sorted(ISO_DIGITS.items()))
def test_exponent_follows_iso_4217(code, digits):
    """Minor-unit digits from the ISO 4217 list (written out in tests/strategies.py)."""
    assert exponent(code) == digits
    assert CURRENCIES[code] == digits


@pytest.mark.parametrize("value, expected", [
    ("12.50", Decimal("12.50")), (3, Decimal(3)), (0.1, Decimal("0.1")), ("0", Decimal(0)),
    (Decimal("7.25"), Decimal("7.25")), ("-4.5", Decimal("-4.5")),
])
def test_parse_decimal_reads_numbers_and_strings(value, expected):
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", [True, False, None, "abc", "", " 1", "1 ", "NaN", "nan", "Infinity", "-inf",
                                   float("nan"), float("inf"), [], {}, "1,000", "0x10"])
def test_parse_decimal_refuses_non_numbers(value):
    with pytest.raises(ValueError):
        parse_decimal(value)


@pytest.mark.parametrize("amount, digits, minor", [
    ("12.5", 2, 1250), ("1000", 0, 1000), ("0.001", 3, 1), ("1.10", 2, 110), ("0", 2, 0),
])
def test_to_minor_is_exact(amount, digits, minor):
    assert to_minor(Decimal(amount), digits) == minor


@pytest.mark.parametrize("amount, digits", [("12.345", 2), ("0.5", 0), ("1.0001", 3)])
def test_to_minor_never_rounds_silently(amount, digits):
    with pytest.raises(ValueError, match="decimal places"):
        to_minor(Decimal(amount), digits)


@pytest.mark.parametrize("minor, digits, text", [
    (123450, 2, "1234.50"), (-5, 2, "-0.05"), (700, 0, "700"), (1, 3, "0.001"), (0, 2, "0.00"), (5, 2, "0.05"),
])
def test_format_minor(minor, digits, text):
    assert format_minor(minor, digits) == text


@settings(max_examples=300)
@given(st.integers(-10**15, 10**15), st.sampled_from([0, 2, 3]))
def test_format_and_parse_round_trip(minor, digits):
    text = format_minor(minor, digits)
    assert to_minor(parse_decimal(text), digits) == minor
    if digits:
        assert len(text.split(".")[1]) == digits


@pytest.mark.parametrize("rate, ppm", [("0.18", 180000), ("0.0725", 72500), ("0", 0), ("1", 1_000_000),
                                       ("0.000001", 1)])
def test_rate_to_ppm_and_back(rate, ppm):
    assert rate_to_ppm(Decimal(rate)) == ppm
    assert Decimal(format_rate(ppm)) == Decimal(rate)


def test_rate_with_more_than_six_decimals_is_refused():
    with pytest.raises(ValueError):
        rate_to_ppm(Decimal("0.1234567"))


# Python's Decimal quantize is the independent reference for each rule.
_DECIMAL_MODES = {"half_up": "ROUND_HALF_UP", "half_even": "ROUND_HALF_EVEN", "down": "ROUND_DOWN"}


@settings(max_examples=300, deadline=None)     # the first example compiles the kernel
@given(st.lists(st.integers(0, 10**17), min_size=1, max_size=20), st.integers(1, 10**7),
       st.sampled_from(sorted(_DECIMAL_MODES)))
def test_rounding_matches_decimal_quantize_both_ways(nums, den, mode):
    """The kernels' one rounding rule, as plain Python and compiled, against Decimal's."""
    from negotiator import kernels
    from negotiator.engine import compiled
    fast = compiled.load(required=True)
    want = [int((Decimal(n) / Decimal(den)).quantize(Decimal(1), rounding=_DECIMAL_MODES[mode])) for n in nums]
    assert [kernels.rdiv(n, den, kernels.MODES[mode]) for n in nums] == want
    assert [fast.rdiv(n, den, kernels.MODES[mode]) for n in nums] == want
