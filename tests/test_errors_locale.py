"""Issue 18, item 10: a request's errors speak its language, and one bad amount is one error.

A ``zh-CN`` request (its ``locale``, the language its answer is in) is
refused in Simplified Chinese, each field still named by its wire path; an
``en`` request as before. A balance that cannot be read (or that breaks its
own rule) is reported once: the rules that compare the arrears, the fees and
the contractual payment with it are not judged against its placeholder.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

import pyarrow as pa
import pytest
from conftest import BASE_BODY

from negotiator.batch.parse import to_accounts
from negotiator.core.errors import ValidationError
from negotiator.engine.proposals import propose
from negotiator.engine.quote import quote
from negotiator.wire import messages
from negotiator.wire.messages import ERRORS, code_of, translate

CJK = re.compile(r"[\u4e00-\u9fff]")


def _errors(body, registry, fn=quote, channel="agent") -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as exc:
        fn(body, registry, channel=channel)
    return [(e.field, e.message) for e in exc.value.errors]


def _body(locale: str = "zh-CN", **account) -> dict:
    body = copy.deepcopy(BASE_BODY)
    body["locale"] = locale
    body["account"].update(account)
    return body


def test_a_zh_cn_request_with_a_bad_amount_is_refused_in_chinese(registry):
    """The issue's case: an amount with more decimals than the currency has, on a Chinese request."""
    assert _errors(_body(balance="12000.001"), registry) == [("account.balance", "小数位数超过 2 位。")]
    assert _errors(_body(balance="十二"), registry) == [
        ("account.balance", "不是有效的数字（应为十进制字符串或 JSON 数字）。")]
    # The same request in English, as before.
    assert _errors(_body("en", balance="12000.001"), registry) == [
        ("account.balance", "Has more than 2 decimal places.")]


@pytest.mark.parametrize("balance", ["12000.001", "-5", "0", "1000000001", "abc", None])
def test_a_single_bad_balance_gives_exactly_one_error(registry, balance):
    """Before: 12000.001 read as 0 and three more errors followed (arrears, fees, contractual payment above
    "the balance"); so did a balance of 0, which breaks its own rule."""
    body = _body("en", balance=balance)
    if balance is None:
        del body["account"]["balance"]
    errors = _errors(body, registry)
    assert len(errors) == 1 and errors[0][0] == "account.balance", errors


def test_the_cross_field_rules_still_hold_when_both_sides_are_read(registry):
    errors = _errors(_body("en", balance="1000.00", arrears="1500.00", fees="1200.00"), registry)
    assert ("account.arrears", "Must not exceed the balance.") in errors
    assert ("account.fees", "Must not exceed the balance.") in errors
    assert ("account.contractual_payment", "Must not exceed the balance plus fees.") not in errors   # 600 <= 2200


def test_unreadable_fees_and_income_do_not_cascade(registry):
    body = _body("en", fees="300.001", fee_breakdown={"penalty_interest": "200.00", "late_fees": "100.00"})
    assert _errors(body, registry) == [("account.fees", "Has more than 2 decimal places.")]
    body = _body("en")
    body["finances"].update(monthly_income="8000.001", income_lines=[{"category": "salary", "amount": "8000"}])
    body["finances"]["hardship"]["income_during"] = "100.00"
    assert _errors(body, registry) == [("finances.monthly_income", "Has more than 2 decimal places.")]


def test_the_batch_reports_one_error_for_one_bad_balance(registry):
    cells = {"account_id": "A-1", "currency": "CNY", "balance": "12000.001", "arrears": "1500.00",
             "fees": "300.00", "apr": "0.18", "days_past_due": "45", "product": "credit_card",
             "contractual_payment": "600.00", "monthly_income": "8000.00", "monthly_expenses": "5200.00"}
    cols = {k: pa.array([v], pa.string()) for k, v in cells.items()}
    _, errors = to_accounts(cols, 1, dt.date(2026, 11, 23), registry.get("default"))
    assert errors == [(0, "balance", "Has more than 2 decimal places.")]


def test_a_what_if_is_refused_in_its_language(registry):
    body = _body() | {"proposal": {"monthly_payment": "300.00", "term_months": 12}}
    assert _errors(body, registry, propose) == [
        ("proposal", "monthly_payment、term_months、lump_sum 三项须填写且只能填写一项。")]
    body = _body() | {"proposal": {"monthly_payment": "300.001"}}
    assert _errors(body, registry, propose) == [("proposal.monthly_payment", "小数位数超过 2 位。")]


def test_marshmallow_and_domain_messages_are_translated(registry):
    body = _body(currency="XXX", product="mortgage", days_past_due=True, surprise=1)
    body["finances"]["household_size"] = 99
    errors = dict(_errors(body, registry))
    assert errors["account.currency"].startswith("必须是以下之一：")
    assert errors["account.product"] == "必须是以下之一：credit_card, loan。"
    assert errors["account.days_past_due"] == "不是有效的整数。"
    assert errors["account.surprise"] == "未知字段。"
    assert errors["finances.household_size"] == "必须大于或等于 1，且小于或等于 20。"
    errors = dict(_errors(_body(days_past_due=0), registry))
    assert errors == {"account.days_past_due": "为 0，但有逾期金额：有逾期欠款的账户即已逾期。"}
    errors = dict(_errors(_body(apr="0.7"), registry))
    assert errors == {"account.apr": "按政策 default，不得超过 0.60。"}
    # A portal caller is told no limit, in its language too.
    assert dict(_errors(_body(apr="0.7"), registry, channel="portal")) == {
        "account.apr": "超出本服务可以报价的范围，请联系我们的工作人员。"}


def test_every_message_the_rules_can_write_has_every_language():
    """Each entry's English reads back to it; each has a Chinese text in both scripts with the same fields."""
    import string
    for code, texts in ERRORS.items():
        assert set(texts) == {"en", "zh-CN", "zh-TW"}, code
        assert CJK.search(texts["zh-CN"]) and CJK.search(texts["zh-TW"]), code
        names = [{n for _, n, _, _ in string.Formatter().parse(t) if n} for t in texts.values()]
        assert names[0] == names[1] == names[2], code
        sample = texts["en"].format(**{n: f"<{n}>" for n in names[0]})
        assert code_of(sample) == (code, {n: f"<{n}>" for n in names[0]}), code


def test_the_wire_schemas_messages_all_have_entries():
    """marshmallow's messages for every field and validator of the request schemas are in the catalogue (each
    validator made to refuse a value, so its message is the one a request meets)."""
    from marshmallow import ValidationError as Refused
    from marshmallow import fields as mf
    from marshmallow import validate

    from negotiator.wire.schemas import ProposalRequestSchema
    seen: set[str] = set()

    def refuse(v, *values):
        for value in values:
            try:
                v(value)
            except Refused as exc:
                seen.update(exc.messages)

    def walk(schema):
        seen.update(schema.error_messages.values())
        for field in schema.fields.values():
            for f in (field, field.inner) if isinstance(field, mf.List) else (field,):
                seen.update(m for m in f.error_messages.values() if "{" not in m)
                for v in f.validators:
                    if isinstance(v, validate.Range):
                        refuse(v, *(x for x in (v.min - 1 if v.min is not None else None,
                                                v.max + 1 if v.max is not None else None) if x is not None))
                    elif isinstance(v, validate.Length):
                        refuse(v, [], ["x"] * 10_000)
                    else:
                        refuse(v, "\u0000 not a choice")
                if isinstance(f, mf.Nested):
                    walk(f.schema)

    walk(ProposalRequestSchema())
    missing = sorted(m for m in seen if translate(m, "zh-CN") == m)
    assert not missing, missing
    assert len(seen) > 20


def test_a_request_without_a_known_locale_is_refused_in_english(registry):
    for locale in ("fr", 7, None):
        body = _body()
        body["locale"] = locale
        assert messages.locale_of(body) == "en"
        errors = dict(_errors(body, registry))   # the shape is checked first: the locale's own error, in English
        assert errors["locale"] in ("Must be one of: en, zh-CN, zh-TW.", "Not a valid string.",
                                    "Field may not be null.")
