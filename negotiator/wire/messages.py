"""A request's error messages in English and Simplified Chinese, both kept together under one key.

Every message a quote or what-if request can be refused with (marshmallow's
own for the wire schemas, the schemas' in :mod:`negotiator.wire.schemas`, the
domain rules' in :mod:`negotiator.engine.accounts` and the what-if's) is one
entry of :data:`ERRORS`: ``code -> {"en": template, "zh-CN": template}``. The
English text is what the rules write (the schemas take theirs from here);
:func:`translate` reads an English message back against the templates and
writes it in the request's ``locale``, the field named by its path as
before. A message without an entry stays English (a test holds that every
message the requests can meet has one).

>>> translate("Must be one of: credit_card, loan.", "zh-CN")
'必须是以下之一：credit_card, loan。'
>>> translate("Has more than 2 decimal places.", "zh-CN"), translate("Has more than 2 decimal places.", "en")
('小数位数超过 2 位。', 'Has more than 2 decimal places.')
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from negotiator.core.errors import FieldError, ValidationError
from negotiator.core.vocabulary import LOCALES

ERRORS: dict[str, dict[str, str]] = {
    # marshmallow's own messages (marshmallow 3 and 4 word them alike)
    "required": {"en": "Missing data for required field.", "zh-CN": "缺少必填字段。"},
    "null": {"en": "Field may not be null.", "zh-CN": "不能为 null。"},
    "validator_failed": {"en": "Invalid value.", "zh-CN": "取值无效。"},
    "unknown_field": {"en": "Unknown field.", "zh-CN": "未知字段。"},
    "invalid_input_type": {"en": "Invalid input type.", "zh-CN": "输入类型无效。"},
    "invalid_type": {"en": "Invalid type.", "zh-CN": "类型无效。"},
    "not_string": {"en": "Not a valid string.", "zh-CN": "不是有效的字符串。"},
    "not_utf8": {"en": "Not a valid utf-8 string.", "zh-CN": "不是有效的 UTF-8 字符串。"},
    "not_integer": {"en": "Not a valid integer.", "zh-CN": "不是有效的整数。"},
    "not_number_plain": {"en": "Not a valid number.", "zh-CN": "不是有效的数字。"},
    "number_too_large": {"en": "Number too large.", "zh-CN": "数值过大。"},
    "not_date": {"en": "Not a valid date.", "zh-CN": "不是有效的日期。"},
    "not_list": {"en": "Not a valid list.", "zh-CN": "不是有效的列表。"},
    "not_mapping": {"en": "Not a valid mapping type.", "zh-CN": "不是有效的对象。"},
    "not_boolean": {"en": "Not a valid boolean.", "zh-CN": "不是有效的布尔值。"},
    "one_of": {"en": "Must be one of: {choices}.", "zh-CN": "必须是以下之一：{choices}。"},
    "pattern": {"en": "String does not match expected pattern.", "zh-CN": "格式不符合要求。"},
    "range": {"en": "Must be greater than or equal to {min} and less than or equal to {max}.",
              "zh-CN": "必须大于或等于 {min}，且小于或等于 {max}。"},
    "range_min": {"en": "Must be greater than or equal to {min}.", "zh-CN": "必须大于或等于 {min}。"},
    "range_max": {"en": "Must be less than or equal to {max}.", "zh-CN": "必须小于或等于 {max}。"},
    "length": {"en": "Length must be between {min} and {max}.", "zh-CN": "长度必须在 {min} 到 {max} 之间。"},
    "length_min": {"en": "Shorter than minimum length {min}.", "zh-CN": "长度不得少于 {min}。"},
    "length_max": {"en": "Longer than maximum length {max}.", "zh-CN": "长度不得超过 {max}。"},
    "length_equal": {"en": "Length must be {equal}.", "zh-CN": "长度必须为 {equal}。"},
    # the wire schemas' own (negotiator.wire.schemas)
    "not_json_object": {"en": "Must be a JSON object.", "zh-CN": "必须是 JSON 对象。"},
    "not_number": {"en": "Not a valid number (a decimal string or a JSON number).",
                   "zh-CN": "不是有效的数字（应为十进制字符串或 JSON 数字）。"},
    "negative": {"en": "Must not be negative.", "zh-CN": "不能为负数。"},
    "zero": {"en": "Must be more than zero.", "zh-CN": "必须大于零。"},
    "too_large": {"en": "Must be at most {maximum}.", "zh-CN": "不得超过 {maximum}。"},
    "date_range": {"en": "Must be between {lo} and {hi}.", "zh-CN": "必须在 {lo} 至 {hi} 之间。"},
    "account_id": {"en": "Must be 1 to 64 letters, digits or . _ : @ -.",
                   "zh-CN": "须为 1 至 64 个字母、数字或 . _ : @ - 字符。"},
    # reading amounts exactly (negotiator.engine.accounts.from_records)
    "too_precise": {"en": "Has more than {digits} decimal places.", "zh-CN": "小数位数超过 {digits} 位。"},
    "absurd": {"en": "Must be at most {maximum} (absurd for consumer debt)",
               "zh-CN": "不得超过 {maximum}（消费债务不可能如此之大）"},
    "rate_not_rate": {"en": "Rate is not a rate (a decimal fraction, 0.18 for 18%).",
                      "zh-CN": "不是利率（应为小数，0.18 表示 18%）。"},
    "rate_too_precise": {"en": "Rate has more than {digits} decimal places.",
                         "zh-CN": "利率的小数位数超过 {digits} 位。"},
    "term_only_loans": {"en": "Only for loans; a credit card has no term.", "zh-CN": "仅适用于贷款；信用卡没有期限。"},
    "term_required": {"en": "Required for loans.", "zh-CN": "贷款必须填写。"},
    "after_as_of": {"en": "Is after the as-of date.", "zh-CN": "晚于计算日期（as_of）。"},
    "date_after_as_of": {"en": "A date is after the as-of date.", "zh-CN": "其中有日期晚于计算日期（as_of）。"},
    "total_or_lines": {"en": "Required: give {total} or {lines}.", "zh-CN": "必填：请提供 {total} 或 {lines}。"},
    "total_not_sum": {"en": "Does not equal the sum of {lines}.", "zh-CN": "与 {lines} 的合计不一致。"},
    "above_income": {"en": "Must not exceed monthly_income.", "zh-CN": "不得超过 monthly_income。"},
    "fees_sum": {"en": "Must add up to account.fees.", "zh-CN": "各项之和必须等于 account.fees。"},
    # the domain rules (negotiator.engine.accounts.check)
    "line_negative": {"en": "Amount for {category} must not be negative.", "zh-CN": "{category} 的金额不能为负数。"},
    "nothing_owed": {"en": "Must be more than zero: there is nothing to negotiate.",
                     "zh-CN": "必须大于零：没有需要协商的欠款。"},
    "above_balance": {"en": "Must not exceed the balance.", "zh-CN": "不得超过欠款余额（balance）。"},
    "above_balance_fees": {"en": "Must not exceed the balance plus fees.",
                           "zh-CN": "不得超过欠款余额与费用之和（balance + fees）。"},
    "apr_above_policy": {"en": "Must be at most {max_apr} under policy {policy}.",
                         "zh-CN": "按政策 {policy}，不得超过 {max_apr}。"},
    "current_with_arrears": {"en": "Is 0 but there are arrears: an account in arrears is past due.",
                             "zh-CN": "为 0，但有逾期金额：有逾期欠款的账户即已逾期。"},
    "past_due_no_arrears": {"en": "Is 0 but days_past_due is above 0: a past-due account has arrears.",
                            "zh-CN": "为 0，但 days_past_due 大于 0：已逾期的账户必有逾期金额。"},
    "frequency": {"en": "Policy {policy} offers {frequencies} payments.",
                  "zh-CN": "政策 {policy} 提供的还款频率为：{frequencies}。"},
    "first_payment_window": {"en": "Must be between 1 and {days} days after as_of.",
                             "zh-CN": "必须在 as_of 之后 1 至 {days} 天之内。"},
    "no_exchange_rate": {"en": "Policy {policy} has no exchange rate for this currency (its limits are in "
                               "{currency}).",
                         "zh-CN": "政策 {policy} 没有该币种的汇率（其限额以 {currency} 计）。"},
    "currency_not_accepted": {"en": "Policy {policy} accepts only {currencies}.",
                              "zh-CN": "政策 {policy} 仅接受 {currencies}。"},
    "outside_service": {"en": "Is outside what this service can quote; please talk to our team.",
                        "zh-CN": "超出本服务可以报价的范围，请联系我们的工作人员。"},
    # the contact log, preferences, window and follow-ups (negotiator.wire.contacts, negotiator.store.contacts)
    "not_aware": {"en": "Not a valid aware datetime.", "zh-CN": "不是带时区偏移的有效日期时间。"},
    "not_datetime": {"en": "Not a valid datetime.", "zh-CN": "不是有效的日期时间。"},
    "at_offset": {"en": "Not a date-time with its UTC offset (2027-01-04T20:59:00-05:00).",
                  "zh-CN": "不是带 UTC 偏移的日期时间（如 2027-01-04T20:59:00-05:00）。"},
    "at_years": {"en": "Must be between the years 1900 and 2200.", "zh-CN": "必须在 1900 年至 2200 年之间。"},
    "at_future": {"en": "Must not be more than a day after the server's clock.",
                  "zh-CN": "不得晚于服务器时间一天以上。"},
    "at_past": {"en": "Must be within {days} days before today.", "zh-CN": "必须在今天之前 {days} 天以内。"},
    "utc_offset": {"en": "The UTC offset must be within 18 hours.", "zh-CN": "UTC 偏移必须在 18 小时以内。"},
    "policy_name": {"en": "Not a policy name.", "zh-CN": "不是政策名称。"},
    "unknown_policy": {"en": "Unknown policy.", "zh-CN": "未知的政策。"},
    "hhmm": {"en": "Not a time (HH:MM).", "zh-CN": "不是时间（HH:MM）。"},
    "time_zone": {"en": "Not an IANA time zone.", "zh-CN": "不是 IANA 时区。"},
    "time_zone_required": {"en": "Required: the borrower's IANA time zone (none is stored in their preferences).",
                           "zh-CN": "必填：借款人的 IANA 时区（其偏好中未存有时区）。"},
    "portal_inbound": {"en": "The borrower's page records only inbound contact.",
                       "zh-CN": "借款人页面只能记录借款人主动联系（inbound）。"},
    "portal_borrower": {"en": "The borrower's page records only the borrower's contact.",
                        "zh-CN": "借款人页面只能记录与借款人本人的联系。"},
    "cursor": {"en": "Not a cursor this service gave.", "zh-CN": "不是本服务给出的游标（cursor）。"},
    "page_limit": {"en": "A whole number from 1 to {maximum}.", "zh-CN": "须为 1 至 {maximum} 的整数。"},
    # the what-if (negotiator.engine.proposals)
    "one_proposal": {"en": "Give exactly one of monthly_payment, term_months, lump_sum.",
                     "zh-CN": "monthly_payment、term_months、lump_sum 三项须填写且只能填写一项。"},
    "at_least_one": {"en": "Must be at least 1.", "zh-CN": "至少为 1。"},
}

#: A refused request's problem detail, in its locale (the ``errors`` name each field).
DETAIL = {"invalid": {"en": "The request has invalid fields; see errors.",
                      "zh-CN": "请求中有无效字段，详见 errors。"},
          "unknown": {"en": "Fields not in the contract: {names}.", "zh-CN": "接口约定中没有以下字段：{names}。"},
          "more": {"en": "{names} and {more} more", "zh-CN": "{names} 等（另有 {more} 个）"},
          "not_shown": {"en": "{count} more errors not shown.", "zh-CN": "另有 {count} 个错误未列出。"}}


def detail(key: str, locale: str = "en", **params) -> str:
    """A problem's detail ``key`` in ``locale`` (English where it has none).

    >>> detail("unknown", "zh-CN", names="account.surprise")
    '接口约定中没有以下字段：account.surprise。'
    """
    texts = DETAIL[key]
    return texts.get(locale, texts["en"]).format(**params)


def text(code: str, locale: str = "en", **params) -> str:
    """Message ``code`` in ``locale`` (English where it has none), ``params`` filled in."""
    texts = ERRORS[code]
    return texts.get(locale, texts["en"]).format(**params)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[int, re.Pattern, str]]:
    """Each English template as a pattern (its fields as named groups), the most literal first."""
    out = []
    for code, texts in ERRORS.items():
        parts, literal = [], 0
        for lit, name, _spec, _conv in string.Formatter().parse(texts["en"]):
            parts.append(re.escape(lit))
            literal += len(lit)
            if name is not None:
                parts.append(f"(?P<{name}>.+?)")
        out.append((literal, re.compile("".join(parts), re.DOTALL), code))
    return sorted(out, key=lambda p: -p[0])


def code_of(message: str) -> tuple[str, dict[str, str]] | None:
    """The entry an English ``message`` was written from, and its parameters (None: no entry).

    >>> code_of("Must be at most 0.36 under policy us-card.")
    ('apr_above_policy', {'max_apr': '0.36', 'policy': 'us-card'})
    """
    for _, pattern, code in _patterns():
        m = pattern.fullmatch(message)
        if m:
            return code, m.groupdict()
    return None


def translate(message: str, locale: str) -> str:
    """An English ``message`` in ``locale``; unchanged in English or where it has no entry."""
    if locale == "en":
        return message
    found = code_of(message)
    if found is None:
        return message
    return text(found[0], locale, **found[1])


def is_message(message: str, code: str) -> bool:
    """Whether ``message`` is entry ``code`` in any locale (``unknown_field`` in English or Chinese)."""
    return any(message == t for t in ERRORS[code].values())


def locale_of(body: object) -> str:
    """A request body's ``locale`` where it names one the service speaks, else English."""
    asked = body.get("locale") if isinstance(body, dict) else None
    return asked if isinstance(asked, str) and asked in LOCALES else "en"


def translated(exc: ValidationError, locale: str) -> ValidationError:
    """``exc`` with every message in ``locale`` (the fields named by their paths, as before)."""
    return ValidationError([FieldError(e.field, translate(e.message, locale)) for e in exc.errors], locale=locale)


@contextmanager
def errors_in(body: object) -> Iterator[str]:
    """Validation errors raised inside speak the request's language (its ``locale``); yields it."""
    locale = locale_of(body)
    try:
        yield locale
    except ValidationError as exc:
        if locale == "en":
            raise
        raise translated(exc, locale) from None
