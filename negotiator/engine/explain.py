"""Reason codes and their messages, in every language the service speaks.

Every option, decline and affordability flag carries ``{code, message}``.
The messages are the ``reason`` context of the message catalogs
(:mod:`negotiator.core.i18n`, docs/i18n.md), the kinds' own included.
Messages are plain and never pressure the borrower. Templates take named
parameters that the caller formats (amounts already as strings with the
currency). ``PORTAL_HIDDEN`` codes name internal figures.
"""

from __future__ import annotations

from negotiator.core import formats
from negotiator.core.i18n import Table, name, text

#: Every reason message (the kinds' own included), read from the catalogs: ``MESSAGES[code][locale]``.
MESSAGES = Table("reason")

def charges(parts: dict[str, str], locale: str = "en") -> str:
    """Named charges and their amounts (amounts already written with the currency), as a borrower reads them.

    >>> charges({"penalty_interest": "CN¥380.00", "late_fees": "CN¥140.00"})
    'penalty interest CN¥380.00, late fees CN¥140.00'
    >>> charges({"penalty_interest": "380.00 元", "late_fees": "140.00 元"}, "zh-CN")
    '罚息 380.00 元、违约金 140.00 元'
    """
    return ("、" if locale.startswith("zh") else ", ").join(f"{fee_part(p, locale)} {a}" for p, a in parts.items())


def fee_part(part: str, locale: str = "en") -> str:
    """A part of ``account.fees`` as a borrower reads it (``""``: the fees and charges as a whole)."""
    return text("fee_part", part or "all", locale)

#: Codes a self-service portal never shows: they name internal limits or
#: concessions the lender weighs. Portal declines with these codes are left out.
#: ``apr_above_flag_limit`` is a note for the agent: it names the policy's flag line and
#: asks for a legal review of the plan, which a self-service borrower cannot act on.
PORTAL_HIDDEN = {"apr_above_flag_limit", "beyond_authority", "term_beyond_policy", "term_below_policy",
                 "below_policy_minimum", "discount_beyond_policy", "broken_arrangements_agent",
                 "broken_arrangements_supervisor", "approval_agent", "approval_supervisor",
                 "capped_by_income", "lesser_concession_affordable", "term_at_maximum", "counter_offer_settlement",
                 "proposal_discount_too_high"}

#: Codes a portal reads in other words: the same fact without a limit or a lender motive in it.
PORTAL_WORDING = {"recommended": "recommended_borrower", "below_minimum_payment": "below_minimum_payment_portal",
                  "negative_surplus": "negative_surplus_portal",
                  "payment_to_income_high": "payment_to_income_high_portal",
                  "proposal_term_too_long": "proposal_term_too_long_portal",
                  "proposal_term_longer": "proposal_term_longer_portal"}

#: Codes a portal reads in other words when the borrower's budget has nothing to spare: no shortfall, no
#: amount "more" pressed on a borrower already in deficit (CONC 7.3.10R's spirit; issue 18). The agent's
#: channel keeps its figures.
DEFICIT_WORDING = {"no_affordable_option": "no_affordable_option_deficit", "not_affordable": "not_affordable_deficit",
                   "not_affordable_per_payment": "not_affordable_deficit",
                   "proposal_above_capacity": "proposal_above_capacity_deficit"}

def money(amount: str, currency: str, locale: str = "en") -> str:
    """An amount (a wire decimal string) as people read it, by CLDR (:func:`negotiator.core.formats.money`).

    >>> money("49200.00", "CNY", "zh-CN"), money("49200.00", "CNY"), money("-1234567", "JPY", "zh-CN")
    ('49,200.00 元', 'CN¥49,200.00', '-1,234,567 日元')
    """
    return formats.money(amount, currency, locale)


def message(code: str, locale: str = "en", **params) -> str:
    """The message for ``code`` in ``locale`` (English when the locale lacks it).

    >>> message("no_fees", "zh-CN")
    '没有可减免的费用。'
    >>> message("arrears_spread", "en", arrears="CN¥1,500.00", months=1, regular="CN¥600.00")
    'Your arrears of CN¥1,500.00 are spread over 1 month, on top of your regular payment of CN¥600.00.'
    """
    if "category" in params:
        params["category"] = name("category", params["category"], locale)
    return text("reason", code, locale, **params)


def reason(code: str, locale: str = "en", **params) -> dict[str, str]:
    """``{code, message}``, the shape every explanation takes on the wire."""
    return {"code": code, "message": message(code, locale, **params)}
