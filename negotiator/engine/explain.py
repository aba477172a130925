"""Reason codes and their messages, in English and Simplified Chinese.

Every option, decline and affordability flag carries ``{code, message}``.
Messages are plain and never pressure the borrower. Templates take named
parameters that the caller formats (amounts already as strings with the
currency). ``PORTAL_SAFE`` codes carry no internal figures.
"""

from __future__ import annotations

import re

from negotiator.kinds import messages as kind_messages

MESSAGES: dict[str, dict[str, str]] = {
    # affordability
    "negative_surplus": {
        "en": "Your essential spending and other debts are more than your income, by {amount} a month.",
        "zh-CN": "您的必要支出和其他债务还款每月超出收入 {amount}。"},
    "no_surplus": {
        "en": "After essential spending and other debts, nothing is left over each month.",
        "zh-CN": "扣除必要支出和其他债务还款后，每月没有结余。"},
    "capped_by_income": {
        "en": "The affordable payment is limited to {share} of income.",
        "zh-CN": "可负担还款额以收入的 {share} 为上限。"},
    "payment_to_income_high": {
        "en": "The contractual payment of {amount} is more than {share} of income.",
        "zh-CN": "合同约定的还款额 {amount} 超过收入的 {share}。"},
    "below_minimum_payment": {
        "en": "The affordable payment of {amount} is below the smallest plan payment of {minimum}.",
        "zh-CN": "可负担还款额 {amount} 低于最低计划还款额 {minimum}。"},
    "apr_above_flag_limit": {
        "en": "The account's rate of {apr} a year is above {limit}, the limit the policy flags (e.g. the rate "
              "courts protect); interest above it may not be recoverable: review the plan before agreeing it.",
        "zh-CN": "该账户年利率 {apr} 高于政策提示线 {limit}（如司法保护上限）；超出部分的利息可能不受法律支持，"
                 "请在确定方案前复核。"},
    "expense_above_guideline": {
        "en": "Spending on {category} of {amount} is above the usual range for your household; please check it.",
        "zh-CN": "{category} 支出 {amount} 高于同等家庭的常见范围，请核实。"},
    "expense_below_guideline": {
        "en": "Spending on {category} of {amount} is below the usual range for your household; please check it.",
        "zh-CN": "{category} 支出 {amount} 低于同等家庭的常见范围，请核实。"},
    "no_affordable_option": {
        "en": "No plan fits what you can afford; the nearest needs {shortfall} a month more.",
        "zh-CN": "目前没有与您的还款能力相符的方案；最接近的方案每月还需多付 {shortfall}。"},
    # A borrower whose budget has nothing to spare is pressed for no figure on the portal (issue 18).
    "no_affordable_option_deficit": {
        "en": "No plan fits your budget at the moment.",
        "zh-CN": "目前没有与您的预算相符的方案。"},
    "negative_surplus_portal": {
        "en": "Your essential spending and other debts are more than your income at the moment.",
        "zh-CN": "您目前的必要支出和其他债务还款超过了收入。"},
    "not_affordable_deficit": {
        "en": "This plan asks for more than your budget allows at the moment.",
        "zh-CN": "该方案的还款额超出您目前的预算。"},
    "proposal_above_capacity_deficit": {
        "en": "Your budget has nothing to spare at the moment, so we would not ask you to commit to this payment.",
        "zh-CN": "您目前的预算没有结余，我们不会要求您承诺按此金额还款。"},
    # signposting: the policy's intro, where it gives one (policy `advice`), else these words
    "debt_advice": {
        "en": "If you are finding it hard to pay, you can get help from:",
        "zh-CN": "如果您还款有困难，可以通过以下渠道获得帮助："},
    # what options do (each kind's own messages are in its module: negotiator/kinds/)
    "flat_fee_pricing": {
        "en": "A fee of {fee} is charged each month on the original amount ({fees} in all); the annualised rate "
              "of this plan, fees included, is {apr}.",
        "zh-CN": "每期按本金收取分期手续费 {fee}（手续费合计 {fees}）；计入手续费后的年化利率为 {apr}。"},
    "rate_reduced": {
        "en": "The interest rate is lowered from {from_apr} to {apr} a year for this plan.",
        "zh-CN": "本方案的年利率由 {from_apr} 下调至 {apr}。"},
    "fee_rate_reduced": {
        "en": "The monthly instalment fee is lowered from {from_rate} to {rate} of the original amount.",
        "zh-CN": "每期分期手续费率由本金的 {from_rate} 下调至 {rate}。"},
    "fees_waived": {
        "en": "{amount} of fees and charges are waived.",
        "zh-CN": "减免罚息、违约金及其他费用共 {amount}。"},
    "annual_rate_disclosed": {
        "en": "Annualised rate of this plan: {apr}. Total interest: {interest}.",
        "zh-CN": "本方案年化利率：{apr}；利息合计：{interest}。"},
    "affordable": {
        "en": "The monthly payment of {payment} is within what you can afford ({affordable}).",
        "zh-CN": "每月还款 {payment} 在您的还款能力（{affordable}）以内。"},
    "not_affordable": {
        "en": "The monthly payment of {payment} is {shortfall} more than you can afford ({affordable}).",
        "zh-CN": "每月还款 {payment} 超出您的还款能力（{affordable}）{shortfall}。"},
    "affordable_per_payment": {
        "en": "Each payment of {payment} is within what you can afford for that period ({affordable}).",
        "zh-CN": "每期还款 {payment} 在您该期的还款能力（{affordable}）以内。"},
    "not_affordable_per_payment": {
        "en": "Each payment of {payment} is {shortfall} more than you can afford for that period ({affordable}).",
        "zh-CN": "每期还款 {payment} 超出您该期的还款能力（{affordable}）{shortfall}。"},
    "payments_weekly": {
        "en": "You pay every week: {count} payments of {payment}.",
        "zh-CN": "每周还款一次，共 {count} 期，每期 {payment}。"},
    "payments_fortnightly": {
        "en": "You pay every two weeks: {count} payments of {payment}.",
        "zh-CN": "每两周还款一次，共 {count} 期，每期 {payment}。"},
    "monthly_only": {
        "en": "This option is paid monthly only.",
        "zh-CN": "此方案仅支持按月还款。"},
    "term_at_maximum": {
        "en": "This is already the longest term allowed ({months} months).",
        "zh-CN": "已是允许的最长期限（{months} 个月）。"},
    "rate_at_floor": {
        "en": "The rate cannot be lowered further.",
        "zh-CN": "利率已无法进一步下调。"},
    "approval_agent": {
        "en": "An agent must approve this plan.",
        "zh-CN": "本方案需经客服专员批准。"},
    "approval_supervisor": {
        "en": "A supervisor must approve this plan.",
        "zh-CN": "本方案需经主管批准。"},
    "beyond_authority": {
        "en": "The concession is above every approval limit of the policy.",
        "zh-CN": "减免金额超过政策规定的所有审批权限。"},
    # Outside the policy for another reason than the concession (issue 18: each its own words).
    "term_beyond_policy": {
        "en": "This plan needs {months} months, longer than the {max_months} months the policy allows.",
        "zh-CN": "该方案需 {months} 个月，超过政策允许的最长期限 {max_months} 个月。"},
    "term_below_policy": {
        "en": "A plan over {months} months is shorter than the {min_months} months the policy asks for.",
        "zh-CN": "{months} 个月的方案短于政策规定的最短期限 {min_months} 个月。"},
    "below_policy_minimum": {
        "en": "The payment of {payment} is below the smallest payment the policy accepts ({minimum}).",
        "zh-CN": "每期还款 {payment} 低于政策规定的最低还款额 {minimum}。"},
    "recommended": {
        "en": "Recommended: affordable, within policy, and recovers the most.",
        "zh-CN": "推荐方案：在还款能力和政策范围内，回收金额最高。"},
    "recommended_until_review": {
        "en": "Suggested while your hardship lasts: the payments it holds fit what you can pay now, and on {date} "
              "we look at your situation again with you before any higher payment is asked.",
        "zh-CN": "困难期间的建议方案：缓冲期内的还款在您目前的还款能力之内；{date} 我们将与您重新评估，"
                 "在此之前不会要求更高的还款。"},
    "held_until_review": {
        "en": "No plan fits what you can pay for the whole of your hardship ({months} months); a break held until "
              "a review is the answer for now.",
        "zh-CN": "目前没有方案能在您整个困难期（{months} 个月）内都符合您的还款能力；现阶段的方案是暂缓还款，"
                 "到期后重新评估。"},
    "recommended_borrower": {
        "en": "Suggested for you: it fits what you can afford.",
        "zh-CN": "建议方案：在您的还款能力范围内。"},
    # hardship and moratoria
    "moratorium_in_force": {
        "en": "A breathing space (or other moratorium) is in place: no payment is asked and no interest or "
              "charges are added while it lasts.",
        "zh-CN": "您目前处于法定暂缓期：期间无需还款，也不会产生利息或费用。"},
    "hardship_budget": {
        "en": "During your hardship ({months} months) you can pay about {amount} a month; plans starting now "
              "are sized to that.",
        "zh-CN": "困难期间（{months} 个月）您每月约可还款 {amount}；现在开始的方案按此金额计算。"},
    "contract_fits": {
        "en": "Your account can be repaid on its current terms at a payment you can afford; no new plan is needed.",
        "zh-CN": "按现有合同约定，您可以在还款能力范围内按期还款，无需新的还款方案。"},
    "contract_affordable": {
        "en": "Your account is up to date and its regular payment fits what you can afford, so no new plan is "
              "needed.",
        "zh-CN": "您的账户没有逾期，合同约定的还款额在您的还款能力范围内，无需新的还款方案。"},
    "no_option_available": {
        "en": "No plan can be offered here at the moment; please talk to us about your situation.",
        "zh-CN": "目前无法在此提供还款方案，请与我们联系说明您的情况。"},
    "review_date": {
        "en": "We will look at your situation again on {date}.",
        "zh-CN": "我们将于 {date} 与您一起重新评估情况。"},
    # declines
    "option_disabled": {"en": "The policy does not offer this option.", "zh-CN": "当前政策不提供此方案。"},
    "product_not_eligible": {
        "en": "This option is not available for this kind of account.",
        "zh-CN": "此类账户不适用该方案。"},
    "dpd_out_of_range": {
        "en": "This option is not available at the account's current stage of arrears.",
        "zh-CN": "账户当前的逾期阶段不适用该方案。"},
    "no_extension_needed": {
        "en": "The loan can be repaid within its current term.",
        "zh-CN": "贷款可在现有期限内还清。"},
    "no_hardship_declared": {
        "en": "Offered when a temporary hardship is reported.",
        "zh-CN": "仅在申报临时困难时提供。"},
    "lesser_concession_affordable": {
        "en": "An option that asks less of the lender is already affordable.",
        "zh-CN": "已有减免更少且可负担的方案。"},
    "history_required": {
        "en": "Needs the account's history (opening date, earlier re-ages, payments made) to check eligibility.",
        "zh-CN": "需提供账户历史（开户日期、以往通过还款安排重新计算逾期状态的记录、连续还款次数）以核实资格。"},
    "account_too_new": {
        "en": "The account must be open at least {months} months.",
        "zh-CN": "账户开立须满 {months} 个月。"},
    "insufficient_payments": {
        "en": "Needs {count} consecutive payments first.",
        "zh-CN": "须先连续还款 {count} 期。"},
    "reaged_recently": {
        "en": "An arrangement already reset this account's arrears status too recently (at most once in 12 months, "
              "twice in 5 years).",
        "zh-CN": "该账户近期已通过还款安排重新计算过逾期状态（12 个月内至多一次，5 年内至多两次）。"},
    "broken_arrangements": {
        "en": "Earlier arrangements on this account did not last: a new plan needs a conversation with us first, "
              "so we can find one that will.",
        "zh-CN": "此前的还款安排未能履行：新的方案需要先与我们沟通，以便找到您能够坚持的方案。"},
    "broken_arrangements_agent": {
        "en": "{count} arrangements on this account broke in the last 12 months: under the policy this plan needs "
              "an agent's approval.",
        "zh-CN": "此账户过去 12 个月内有 {count} 次还款安排未履行：按政策，本方案需经坐席批准。"},
    "broken_arrangements_supervisor": {
        "en": "{count} arrangements on this account broke in the last 12 months: under the policy this plan needs "
              "a supervisor's approval.",
        "zh-CN": "此账户过去 12 个月内有 {count} 次还款安排未履行：按政策，本方案需经主管批准。"},
    "requires_agent": {
        "en": "Please talk to one of our team about this option.",
        "zh-CN": "如需了解此方案，请联系我们的工作人员。"},
    "portal_debt_too_high": {
        "en": "Please talk to one of our team: this balance needs a personal review.",
        "zh-CN": "该余额需人工审核，请联系我们的工作人员。"},
    "portal_disabled": {
        "en": "Please talk to one of our team.",
        "zh-CN": "请联系我们的工作人员。"},
    # what-if
    "proposal_within_policy": {
        "en": "Your proposal can be accepted under the policy.",
        "zh-CN": "您的方案符合政策，可以接受。"},
    "proposal_term_too_long": {
        "en": "At this payment the debt would take {months} months, longer than the {max_months} allowed.",
        "zh-CN": "按此还款额需 {months} 个月还清，超过允许的 {max_months} 个月。"},
    "proposal_term_longer": {
        "en": "A plan over {months} months is longer than the {max_months} months the policy allows.",
        "zh-CN": "{months} 个月的方案超过政策允许的 {max_months} 个月。"},
    "proposal_term_longer_portal": {
        "en": "A plan over {months} months can't be set up online.",
        "zh-CN": "{months} 个月的方案无法在线办理。"},
    "proposal_never_repays": {
        "en": "This payment does not cover the interest, so the debt would never be repaid.",
        "zh-CN": "该还款额不足以覆盖利息，欠款将无法还清。"},
    "proposal_term_too_short": {
        "en": "The term must be at least {min_months} months.",
        "zh-CN": "期限至少为 {min_months} 个月。"},
    "proposal_discount_too_high": {
        "en": "A settlement of {amount} would need a discount above what the policy allows.",
        "zh-CN": "以 {amount} 结清所需的减免超出政策允许范围。"},
    "proposal_settlement_not_available": {
        "en": "A settlement is not available for this account now.",
        "zh-CN": "该账户目前不适用一次性结清。"},
    "proposal_full_payment": {
        "en": "This pays the account in full.",
        "zh-CN": "该金额可全额结清账户。"},
    "proposal_below_capacity": {
        "en": "You can afford about {affordable} a month; a plan at that amount needs less help from us than "
              "{payment} would, so that is what we can offer.",
        "zh-CN": "您每月约可负担 {affordable}；按此金额还款所需的减免比按 {payment} 还款更少，"
                 "因此我们提供按此金额的方案。"},
    "proposal_above_capacity": {
        "en": "A payment of {payment} is more than you can afford ({affordable}); please consider a smaller "
              "payment so the plan can last.",
        "zh-CN": "每月还款 {payment} 超出您的还款能力（{affordable}）；建议选择较低的还款额，以便方案能够持续。"},
    "proposal_not_available_online": {
        "en": "We can't set this up online; please talk to our team about it.",
        "zh-CN": "此方案无法在线办理，请联系我们的工作人员。"},
    "proposal_term_too_long_portal": {
        "en": "A plan over {months} months can't be set up online.",
        "zh-CN": "{months} 个月的方案无法在线办理。"},
    "counter_offer_term": {
        "en": "The nearest plan we can offer: {months} months at {payment} a month.",
        "zh-CN": "我们可提供的最接近方案：共 {months} 个月，每月 {payment}。"},
    "below_minimum_payment_portal": {
        "en": "What you can afford now is too little for a plan we can set up online; please talk to our team.",
        "zh-CN": "您目前的还款能力不足以在线办理还款方案，请联系我们的工作人员。"},
    "payment_to_income_high_portal": {
        "en": "Your contractual payment of {amount} is a large share of your income.",
        "zh-CN": "您的合同还款额 {amount} 占收入的比例较高。"},
    "counter_offer": {
        "en": "The plan we can offer instead: {payment} a month for {months} months.",
        "zh-CN": "我们可以为您提供的方案：每月 {payment}，共 {months} 个月。"},
    "counter_offer_settlement": {
        "en": "The smallest settlement the policy allows is {amount}.",
        "zh-CN": "政策允许的最低结清金额为 {amount}。"},
}
#: The all-in annualised cost (issue 18): every charge a plan repays counted, carried fees included.
MESSAGES.update({
    "all_in_rate_disclosed": {
        "en": "All-in annualised cost of this plan, every charge in it counted (carried fees included): {apr}.",
        "zh-CN": "计入方案内全部费用（含挂账的罚息、违约金等）的综合年化利率：{apr}。"},
    "charges_waived_to_cap": {
        "en": "Waived so that this plan's all-in annualised cost, every charge counted, stays within {limit}: "
            "{charges}.",
        "zh-CN": "为使本方案计入全部费用的综合年化利率不超过 {limit}，减免：{charges}。"},
    "all_in_above_cap": {
        "en": "Even with every carried charge waived, this plan's all-in annualised cost ({apr}) is above {limit}.",
        "zh-CN": "即使减免全部挂账费用，本方案的综合年化利率（{apr}）仍超过 {limit}。"},
})
MESSAGES.update(kind_messages())

#: The parts of ``account.fees`` as a borrower reads them (``fee_breakdown``), and the whole where none is given.
FEE_PART_NAMES = {
    "en": {"penalty_interest": "penalty interest", "late_fees": "late fees", "other_charges": "other charges",
           "": "fees and charges"},
    "zh-CN": {"penalty_interest": "罚息", "late_fees": "违约金", "other_charges": "其他费用",
              "": "罚息、违约金及其他费用"},
}


def charges(parts: dict[str, str], locale: str = "en") -> str:
    """Named charges and their amounts (amounts already written with the currency), as a borrower reads them.

    >>> charges({"penalty_interest": "CNY 380.00", "late_fees": "CNY 140.00"})
    'penalty interest CNY 380.00, late fees CNY 140.00'
    >>> charges({"penalty_interest": "380.00 元", "late_fees": "140.00 元"}, "zh-CN")
    '罚息 380.00 元、违约金 140.00 元'
    """
    names = FEE_PART_NAMES.get(locale, FEE_PART_NAMES["en"])
    return ("、" if locale == "zh-CN" else ", ").join(f"{names[p]} {a}" for p, a in parts.items())

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

CURRENCY_NAMES = {"zh-CN": {"CNY": "元", "USD": "美元", "GBP": "英镑", "EUR": "欧元", "JPY": "日元", "HKD": "港元",
                            "TWD": "新台币", "SGD": "新加坡元", "AUD": "澳元", "CAD": "加元"}}


def money(amount: str, currency: str, locale: str = "en") -> str:
    """An amount as people write it: thousands grouped; "元" after the figure in Chinese.

    >>> money("49200.00", "CNY", "zh-CN"), money("49200.00", "CNY"), money("-1234567", "JPY", "zh-CN")
    ('49,200.00 元', 'CNY 49,200.00', '-1,234,567 日元')
    """
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    whole, _, frac = digits.partition(".")
    grouped = sign + f"{int(whole):,}" + (f".{frac}" if frac else "")
    if locale == "zh-CN":
        return f"{grouped} {CURRENCY_NAMES['zh-CN'].get(currency, currency)}"
    return f"{currency} {grouped}"

CATEGORY_NAMES = {
    "zh-CN": {"housing": "住房", "utilities": "水电燃气", "food": "食品", "transport": "交通",
              "childcare": "育儿", "insurance": "保险", "communications": "通讯", "health": "医疗",
              "education": "教育", "other": "其他"},
}


def message(code: str, locale: str = "en", **params) -> str:
    """The message for ``code`` in ``locale`` (English when the locale lacks it).

    >>> message("no_fees", "zh-CN")
    '没有可减免的费用。'
    >>> message("arrears_spread", "en", arrears="CNY 1,500.00", months=1, regular="CNY 600.00")
    'Your arrears of CNY 1,500.00 are spread over 1 month, on top of your regular payment of CNY 600.00.'
    """
    texts = MESSAGES[code]
    if "category" in params:
        params["category"] = CATEGORY_NAMES.get(locale, {}).get(params["category"], params["category"])
    text = texts.get(locale, texts["en"]).format(**params)
    return re.sub(r"\b1 months\b", "1 month", text) if locale == "en" and "1 months" in text else text


def reason(code: str, locale: str = "en", **params) -> dict[str, str]:
    """``{code, message}``, the shape every explanation takes on the wire."""
    return {"code": code, "message": message(code, locale, **params)}
