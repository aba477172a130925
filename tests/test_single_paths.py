"""The single quote's fast paths give what the general ones give (issue 22).

- the compiled request load (:mod:`negotiator.wire.fastload`) returns marshmallow's load of every body it
  accepts, and hands every other body to marshmallow (so errors stay marshmallow's);
- the cached money formats (:class:`negotiator.core.formats.MoneyFormat`) write what Babel writes;
- :func:`negotiator.engine.accounts.check` of one account (its rules on scalars) finds what the array rules
  find for that account among many.
"""

from __future__ import annotations

import copy
import datetime as dt
import glob
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import requests

from negotiator.core import formats
from negotiator.core.money import CURRENCIES, format_minor
from negotiator.core.vocabulary import LOCALES
from negotiator.engine.accounts import Accounts, check
from negotiator.engine.proposals import _SCHEMA as PROPOSAL_SCHEMA
from negotiator.policy import PolicyRegistry
from negotiator.wire import fastload, schemas

ROOT = Path(__file__).resolve().parent.parent
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
QUOTE = schemas._QUOTE_REQUEST


def _same_load(schema, body) -> None:
    """The compiled load returns marshmallow's result, or gives up where marshmallow may refuse."""
    fast = fastload.loader(schema)
    assert fast is not None
    try:
        want = schema.load(body)
    except schemas.ValidationError:
        want = None
    try:
        got = fast(body)
    except fastload.Slow:
        got = None
    if got is not None:
        assert want is not None, "the compiled load accepted a body marshmallow refuses"
        assert got == want
        assert list(got) == list(want)


def _examples():
    for path in sorted(glob.glob(str(ROOT / "examples/requests/*.json"))):
        yield json.loads(Path(path).read_text())


@pytest.mark.parametrize("body", list(_examples()))
def test_fast_load_of_the_examples_is_marshmallows(body):
    schema = PROPOSAL_SCHEMA if "proposal" in body else QUOTE
    assert fastload.loader(schema)(body) == schema.load(body)


@PROPS
@given(requests())
def test_fast_load_of_valid_requests_is_marshmallows(body):
    _same_load(QUOTE, body)
    assert fastload.loader(QUOTE)(body) == QUOTE.load(body)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


ODD_VALUES = [None, True, False, 0, 1, -1, 1.5, "", "x", "-1", "1e3", "12.345", "2026-13-01", "20261123", [], {},
              [None], ["x"], {"x": 1}, "NaN", "９", 10**30]


@PROPS
@given(requests(), st.data())
def test_fast_load_of_broken_requests_agrees(body, data):
    """A value replaced by an odd one, a key removed or an unknown key added: never a different answer."""
    paths = list(_paths(body))
    path = data.draw(st.sampled_from(paths))
    how = data.draw(st.sampled_from(["replace", "delete", "unknown"]))
    broken = copy.deepcopy(body)
    node = broken
    for k in path[:-1]:
        node = node[k]
    if how == "replace":
        node[path[-1]] = data.draw(st.sampled_from(ODD_VALUES))
    elif how == "delete":
        del node[path[-1]]
    elif isinstance(node, dict):
        node["surprise"] = 1
    _same_load(QUOTE, broken)
    _same_load(PROPOSAL_SCHEMA, {**broken, "proposal": {"monthly_payment": data.draw(st.sampled_from(ODD_VALUES))}})


def test_schemas_the_fast_load_cannot_compile_are_left_to_marshmallow():
    from marshmallow import Schema, fields, post_load

    class Hooked(Schema):
        x = fields.String()

        @post_load
        def shout(self, data, **kwargs):
            return {k: v.upper() for k, v in data.items()}

    assert fastload.loader(Hooked()) is None
    assert schemas.load_request({"x": "a"}, Hooked()) == {"x": "A"}


# --------------------------------------------------------------------------- money as people read it

LANGS = [*LOCALES, "fr"]


@PROPS
@given(st.sampled_from(sorted(CURRENCIES)), st.sampled_from(LANGS),
       st.one_of(st.integers(-10**15, 10**15), st.integers(-1000, 1000)))
def test_money_minor_is_babels(currency, lang, minor):
    digits = CURRENCIES[currency]
    text = format_minor(minor, digits)
    assert formats.money_minor(minor, digits, currency, lang) == formats.babel_money(Decimal(text), currency, lang)
    assert formats.money(text, currency, lang) == formats.babel_money(Decimal(text), currency, lang)


@PROPS
@given(st.sampled_from(sorted(CURRENCIES)), st.sampled_from(LANGS),
       st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**12, max_value=10**12, places=4))
def test_money_of_any_decimal_is_babels(currency, lang, value):
    assert formats.money(value, currency, lang) == formats.babel_money(value, currency, lang)


def test_money_of_every_currency_and_language_is_cached():
    for currency in CURRENCIES:
        for lang in LOCALES:
            assert formats._money_format(currency, lang) is not None, (currency, lang)


def test_long_dates_are_babels():
    from babel.dates import format_date
    for lang in LANGS:
        for day in (dt.date(2027, 1, 3), dt.date(2026, 12, 31), dt.date(2199, 2, 28)):
            assert formats.date(day, lang) == format_date(day, format="long", locale=formats.cldr(lang))


# --------------------------------------------------------------------------- the rules, one account or many

def _accounts(n: int, seed: int) -> Accounts:
    """Accounts with every figure drawn wide, many of them breaking a rule or several."""
    rng = np.random.default_rng(seed)

    def ints(lo, hi):
        return rng.integers(lo, hi, n)

    currency = rng.choice(np.array(["CNY", "USD", "GBP", "JPY", "KWD", "EUR"], dtype=object), n)
    digits = np.array([CURRENCIES[c] for c in currency])
    balance = np.where(rng.random(n) < 0.05, 0, ints(-1000, 10**6))
    huge = rng.random(n) < 0.03
    balance = np.where(huge, 10**9 * 10**digits + ints(1, 10), balance)
    lines = {"food": ints(-100, 10**5)} if seed % 2 else {}
    return Accounts(
        currency=currency, digits=digits, balance=balance, arrears=ints(-10, 10**6), fees=ints(-10, 10**5),
        contractual=ints(-10, 10**6), apr_ppm=ints(-10, 2_000_000), dpd=rng.choice([0, 1, 45, 200, 5000, -1], n),
        is_loan=rng.random(n) < 0.5, remaining_term=ints(-1, 700), income=ints(-10, 10**6),
        expenses=ints(-10, 10**6), other_debt=ints(-10, 10**5), household=ints(0, 30),
        lump_sum=ints(-10, 10**5), hardship_months=rng.choice([0, 1, 24, 25, -1], n), age_months=ints(-1, 100),
        consecutive=ints(-1, 500), reages_12m=ints(-1, 3), reages_5y=ints(-1, 5), expense_lines=lines,
        ppy=rng.choice([12, 26, 52, 7], n), first_due_days=rng.choice([0, 0, 1, 30, 90, -3], n))


@pytest.mark.parametrize("policy", ["default", "cn-card", "us-card", "uk-conc"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_check_of_one_account_is_its_row_of_the_arrays(policy, seed):
    pol = PolicyRegistry.load().get(policy)
    acc = _accounts(120, seed)
    whole = check(acc, pol)
    assert whole, "the drawn accounts break some rules"
    for i in range(len(acc)):
        unread = {0: {"account.balance"}} if i % 7 == 0 else None
        alone = check(acc.take([i]), pol, unread)
        among = check(acc, pol, {i: unread[0]} if unread else None)
        assert alone == [(0, f, m) for r, f, m in among if r == i], i
    assert [e for e in whole if e[0] == 5] == [(5, f, m) for _, f, m in check(acc.take([5]), pol)]
