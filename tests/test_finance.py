"""finance: the numpy-financial adapter, against numpy-financial itself and textbook values.

Sources: numpy-financial 1.0.0's own docstring examples (pmt, nper, pv, npv)
and tests (rate); the textbook annuity 10,000 at 12% a year over 36 months,
332.14; the edges numpy-financial leaves open are each shown below.
"""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiator.engine import finance


# --------------------------------------------------------------------------- payment
def test_payment_textbook_annuity():
    """10,000 at 1% a month over 36 months: 332.14 (any annuity table)."""
    assert round(float(finance.payment(10000, 0.01, 36)), 2) == 332.14


def test_payment_numpy_financial_docstring_example():
    """npf.pmt docstring: 200,000 over 15 years at 7.5% a year is 1,854.02 a month."""
    got = float(finance.payment(200000, 0.075 / 12, 12 * 15))
    assert got == pytest.approx(1854.0247200054619, rel=1e-12)
    assert got == pytest.approx(-npf.pmt(0.075 / 12, 12 * 15, 200000), rel=1e-12)


def test_payment_zero_rate_is_principal_over_term():
    assert float(finance.payment(1200, 0.0, 12)) == 100.0
    assert float(npf.pmt(0.0, 12, -1200)) == 100.0          # the same sign-flipped


@pytest.mark.parametrize("rate", [1e-9, 1e-12, 1e-16, 1e-20, 0.0])
def test_payment_tiny_rates_stay_finite_and_near_the_zero_rate_limit(rate):
    """Edge: npf.pmt loses precision below 1e-9 and returns -inf near 1e-16."""
    got = float(finance.payment(1_000_000, rate, 36))
    assert np.isfinite(got)
    assert got == pytest.approx(1_000_000 / 36, rel=1e-6)


def _decimal_payment(p, r, n):
    getcontext().prec = 50
    p, r = Decimal(p), Decimal(r)
    return float(p * r / (1 - (1 + r) ** -n))


@pytest.mark.parametrize("rate", [1e-8, 1e-7, 1e-6, 1e-4])
def test_payment_small_rates_match_high_precision_decimal(rate):
    """The closed form in 50-digit decimal arithmetic is the reference."""
    assert float(finance.payment(1_000_000, rate, 360)) == pytest.approx(
        _decimal_payment(1_000_000, rate, 360), rel=1e-9)


@settings(max_examples=200)
@given(st.floats(1, 1e9), st.floats(1e-6, 0.2), st.integers(1, 600))
def test_payment_matches_numpy_financial_pmt(p, r, n):
    assert float(finance.payment(p, r, n)) == pytest.approx(-npf.pmt(r, n, p), rel=1e-9)


def test_payment_is_vectorised():
    got = finance.payment([10000, 1200, 200000], [0.01, 0.0, 0.075 / 12], [36, 12, 180])
    want = [-npf.pmt(0.01, 36, 10000), 100.0, -npf.pmt(0.075 / 12, 180, 200000)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


# --------------------------------------------------------------------------- periods
def test_periods_numpy_financial_docstring_example():
    """npf.nper docstring: 150 a month on 8,000 at 7% a year takes 64.07 months."""
    got = float(finance.periods(8000, 0.07 / 12, 150))
    assert got == pytest.approx(64.07334877066185, rel=1e-12)


def test_periods_textbook_round_trip():
    assert float(finance.periods(10000, 0.01, float(finance.payment(10000, 0.01, 36)))) == pytest.approx(36)


def test_periods_zero_rate_has_the_right_sign():
    """Edge: npf.nper with a zero rate returns the wrong sign (-12 here)."""
    assert float(finance.periods(1200, 0.0, 100)) == 12.0


def test_periods_one_zero_rate_does_not_spoil_the_others():
    """Edge: if any rate in the array is 0, npf.nper uses the zero-rate formula for all."""
    got = finance.periods([1000, 1000, 8000], [0.0, 0.01, 0.07 / 12], [100, 100, 150])
    assert got[0] == 10.0
    assert got[1] == pytest.approx(npf.nper(0.01, -100, 1000), rel=1e-12)
    assert got[2] == pytest.approx(64.07334877066185, rel=1e-12)


@pytest.mark.parametrize("p, r, a", [(1000, 0.01, 10), (1000, 0.01, 5), (1000, 0.01, 0), (1000, 0.0, 0),
                                     (1000, 0.02, -5)])
def test_periods_never_repaying_is_infinite_without_warning(p, r, a):
    """A payment at or below the interest: npf gives NaN with a warning (pytest makes warnings errors)."""
    assert float(finance.periods(p, r, a)) == np.inf


def test_periods_nothing_owed_is_zero():
    assert float(finance.periods(0, 0.01, 100)) == 0.0


@settings(max_examples=200)
@given(st.floats(100, 1e8), st.floats(1e-6, 0.1), st.floats(1.01, 50))
def test_periods_matches_numpy_financial_nper(p, r, over):
    pay = p * r * over
    assert float(finance.periods(p, r, pay)) == pytest.approx(npf.nper(r, -pay, p), rel=1e-9)


# --------------------------------------------------------------------------- solve_rate
def test_solve_rate_where_numpy_financial_rate_diverges():
    """Edge: 10 payments of 3,500 on 10,000. npf.rate from its default guess (0.1) runs off
    to a negative rate; from a guess of 0.3 it finds the root, and pmt confirms it."""
    got = float(finance.solve_rate(10000, 3500, 10))
    assert npf.rate(10, -3500, 10000, 0) < 0
    assert got == pytest.approx(npf.rate(10, -3500, 10000, 0, guess=0.3), rel=1e-9)
    assert -npf.pmt(got, 10, 10000) == pytest.approx(3500, rel=1e-12)


def test_solve_rate_textbook():
    assert float(finance.solve_rate(10000, 332.1431, 36)) == pytest.approx(0.01, abs=1e-7)


def test_solve_rate_zero_when_payments_just_repay():
    assert float(finance.solve_rate(1200, 100, 12)) == pytest.approx(0.0, abs=1e-12)


def test_solve_rate_infeasible_is_nan():
    assert np.isnan(finance.solve_rate(1000, 10, 12))


@settings(max_examples=150)
@given(st.floats(100, 1e7), st.floats(1e-4, 0.1), st.integers(2, 360))
def test_solve_rate_matches_numpy_financial_rate(p, r, n):
    pay = -npf.pmt(r, n, p)
    got = float(finance.solve_rate(p, pay, n))
    assert got == pytest.approx(npf.rate(n, -pay, p, 0), abs=1e-6)     # npf.rate's own tolerance
    assert got == pytest.approx(r, rel=1e-6)


def test_solve_rate_one_bad_element_does_not_spoil_the_array():
    """Edge: npf.rate can return all-NaN when one element fails."""
    got = finance.solve_rate([10000, 1000, 1200], [332.1431, 10, 100], [36, 12, 12])
    assert got[0] == pytest.approx(0.01, abs=1e-7)
    assert np.isnan(got[1])
    assert got[2] == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------- annuity_factor, discount, npv
def test_annuity_factor_numpy_financial_pv_docstring_example():
    """npf.pv docstring: saving 100 a month for 10 years at 5%/12 to reach 15,692.93 needs an
    initial investment of 100.00 (pv = -100.00067131625819 in its sign convention)."""
    r, n = 0.05 / 12, 120
    pv = float(finance.annuity_factor(r, n)) * 100 - 15692.93 * float(finance.discount(r, n))
    assert pv == pytest.approx(-100.00067131625819, rel=1e-9)


@settings(max_examples=200)
@given(st.floats(1e-6, 0.2), st.integers(0, 600))
def test_annuity_factor_matches_pv(r, n):
    assert float(finance.annuity_factor(r, n)) == pytest.approx(npf.pv(r, n, -1), rel=1e-9, abs=1e-12)


def test_annuity_factor_edges():
    assert float(finance.annuity_factor(0.0, 5)) == 5.0
    assert float(finance.annuity_factor(0.01, 0)) == 0.0
    assert float(finance.annuity_factor(0.01, 36)) == pytest.approx(10000 / 332.1431, rel=1e-6)


def test_discount():
    assert float(finance.discount(0.01, 12)) == pytest.approx(1 / 1.01**12, rel=1e-15)
    assert float(finance.discount(0.0, 12)) == 1.0


def test_npv_numpy_financial_docstring_example():
    """npf.npv docstring: 0.08, [-40000, 5000, 8000, 12000, 30000] -> 3065.22267 at time zero.

    The adapter puts the first flow one period away, so it is that value discounted once.
    """
    got = finance.npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000])
    assert got * 1.08 == pytest.approx(3065.22267, abs=1e-5)


def test_npv_of_level_payments_is_the_annuity():
    assert finance.npv(0.01, [100] * 36) == pytest.approx(100 * float(finance.annuity_factor(0.01, 36)), rel=1e-12)
    assert finance.npv(0.0, [100, 100, 100]) == 300.0
