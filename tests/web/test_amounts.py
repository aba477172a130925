"""The forgiving reading of typed amounts (:mod:`negotiator.web.amounts`): every way a person writes an amount
reads back as that amount; anything else is a kind of refusal, never a guess or a clamp."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negotiator.core.money import MAX_AMOUNT, read_amount
from negotiator.web.amounts import CURRENCY_MARKS, Unreadable, read_typed, whole_number

AMOUNTS = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def written(d: Decimal, grouping: str, full_width: bool, mark: str, before: bool, space: str) -> str:
    text = f"{d:,.2f}".replace(",", grouping)
    if full_width:
        text = text.translate(FULL_WIDTH)
    if mark:
        text = mark + space + text if before else text + space + mark
    return text


@given(d=AMOUNTS, grouping=st.sampled_from([",", " ", "\u00a0", ""]), full_width=st.booleans(),
       mark=st.sampled_from(("",) + CURRENCY_MARKS), before=st.booleans(), space=st.sampled_from(["", " "]))
def test_an_amount_written_any_way_a_person_writes_it_reads_back_as_itself(d, grouping, full_width, mark, before,
                                                                           space):
    assert Decimal(read_typed(written(d, grouping, full_width, mark, before, space))) == d


@given(st.text(max_size=30))
def test_any_text_is_an_amount_the_engine_reads_or_a_named_refusal(text):
    try:
        out = read_typed(text)
    except Unreadable as exc:
        assert exc.kind in {"empty", "invalid", "negative", "too_large"}
    else:
        assert read_amount(out) >= 0      # what is returned passes the wire's own rule unchanged


@given(AMOUNTS)
def test_a_plain_amount_is_returned_as_typed(d):
    assert read_typed(str(d)) == str(d)


@pytest.mark.parametrize("typed", ["1,5", "12,00", "1,2345", "12.000,50", "1..2", "one hundred", "5-"])
def test_an_ambiguous_or_foreign_amount_is_refused_not_guessed(typed):
    with pytest.raises(Unreadable) as exc:
        read_typed(typed)
    assert exc.value.kind == "invalid"


@pytest.mark.parametrize(("typed", "kind"), [("-1", "negative"), ("−1,200", "negative"), ("1000000000.01", "too_large"),
                                             ("", "empty")])
def test_out_of_range_is_refused_never_clamped(typed, kind):
    with pytest.raises(Unreadable) as exc:
        read_typed(typed)
    assert exc.value.kind == kind


@given(st.integers(min_value=1, max_value=20), st.booleans())
def test_a_count_reads_in_full_width_too(n, full_width):
    assert whole_number(str(n).translate(FULL_WIDTH) if full_width else str(n), 1, 20) == n
