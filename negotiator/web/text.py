"""The pages' own words, in English and Simplified Chinese, and the formatting of figures for people.

Explanations of options, flags and refusals come from the engine already in
the page's language (:mod:`negotiator.engine.explain`); this module holds only the
labels, headings and guidance of the pages. Amounts are formatted by
:func:`negotiator.engine.explain.money` from the decimal strings of the wire, never
through a float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from negotiator.engine.explain import money
from negotiator.kinds import names as kind_names

LANGS = ("en", "zh-CN")

#: Option types in plain words (the portal and the console), from each kind's module.
OPTION_NAMES = {lang: kind_names(lang) for lang in LANGS}

STATUS_NAMES = {
    "en": {"active": "Active", "pending_approval": "Waiting for a supervisor", "broken": "Broken",
           "completed": "Completed", "cancelled": "Cancelled", "superseded": "Replaced", "rejected": "Rejected"},
    "zh-CN": {"active": "生效中", "pending_approval": "待主管审批", "broken": "已违约", "completed": "已结清",
              "cancelled": "已取消", "superseded": "已被替换", "rejected": "已拒绝"},
}

WORDS: dict[str, dict[str, str]] = {
    # shared
    "skip": {"en": "Skip to the main content", "zh-CN": "跳到主要内容"},
    "language": {"en": "Language", "zh-CN": "语言"},
    "other_lang": {"en": "中文", "zh-CN": "English"},
    "errors_title": {"en": "Please correct these fields", "zh-CN": "请修改以下各项"},
    "field": {"en": "Field", "zh-CN": "字段"},
    "monthly_amount": {"en": "Each month", "zh-CN": "每月还款"},
    "months": {"en": "Number of months", "zh-CN": "期数（月）"},
    "apr": {"en": "Annualised rate", "zh-CN": "年化利率"},
    "total_cost": {"en": "Total you pay", "zh-CN": "还款总额"},
    "first_payment": {"en": "First payment", "zh-CN": "首次还款日"},
    "schedule": {"en": "Payment schedule", "zh-CN": "还款计划表"},
    "show_schedule": {"en": "Show the payment schedule", "zh-CN": "查看还款计划表"},
    "no": {"en": "No.", "zh-CN": "期次"},
    "due_date": {"en": "Due date", "zh-CN": "还款日"},
    "payment": {"en": "Payment", "zh-CN": "还款额"},
    "interest": {"en": "Interest", "zh-CN": "利息"},
    "principal": {"en": "Principal", "zh-CN": "本金"},
    "fees": {"en": "Fees", "zh-CN": "费用"},
    "balance_after": {"en": "Left to pay after", "zh-CN": "剩余欠款"},
    "status": {"en": "Status", "zh-CN": "状态"},
    "print": {"en": "Print or save this page", "zh-CN": "打印或保存本页"},
    "not_found_title": {"en": "Page not found", "zh-CN": "未找到该页面"},
    "not_found": {"en": "We could not find this page. Please use the link exactly as you received it, or ask us "
                        "for a new one.",
                  "zh-CN": "未找到该页面。请使用您收到的原始链接，或联系我们获取新链接。"},
    "wrong_way_title": {"en": "This page cannot be opened this way", "zh-CN": "无法以这种方式打开此页面"},
    "wrong_way": {"en": "Please go back to the start of your link and try again.",
                  "zh-CN": "请返回链接的首页后重试。"},
    "unreadable_title": {"en": "We could not read what was sent", "zh-CN": "无法读取提交的内容"},
    "our_fault_title": {"en": "Something went wrong on our side", "zh-CN": "我们这边出了问题"},
    "our_fault": {"en": "Please try again in a few minutes. If it happens again, please contact us.",
                  "zh-CN": "请几分钟后重试。如果问题仍然存在，请联系我们。"},
    "form_expired": {"en": "This form has expired. Please go back, reload the page and try again.",
                     "zh-CN": "表单已过期，请返回并刷新页面后重试。"},
    # portal
    "portal_title": {"en": "Your repayment options", "zh-CN": "您的还款方案"},
    "owed_title": {"en": "What you owe", "zh-CN": "您的欠款"},
    "balance": {"en": "Balance", "zh-CN": "欠款余额"},
    "arrears": {"en": "Of which overdue", "zh-CN": "其中逾期金额"},
    "charges": {"en": "Fees and charges", "zh-CN": "费用及罚息"},
    "total_owed": {"en": "Total owed", "zh-CN": "欠款合计"},
    "finances_title": {"en": "Your income and spending", "zh-CN": "您的收入与支出"},
    "finances_help": {
        "en": "Tell us about a normal month. Use the amounts after tax, in {currency}. We use them only to work out "
              "a plan you can keep up with.",
        "zh-CN": "请按一个普通月份填写税后金额（单位：{currency}）。这些信息仅用于为您计算能够负担的还款方案。"},
    "income": {"en": "Money coming in each month", "zh-CN": "每月收入"},
    "income_help": {"en": "Wages, benefits, pension and any other regular income, added together.",
                    "zh-CN": "工资、补贴、养老金等固定收入的合计。"},
    "spending": {"en": "Essential spending each month", "zh-CN": "每月必要支出"},
    "spending_help": {"en": "Rent or mortgage, bills, food, travel, childcare and other essentials.",
                      "zh-CN": "房租或房贷、水电燃气、食品、交通、育儿等必要开支。"},
    "other_debts": {"en": "Payments to other debts each month", "zh-CN": "每月偿还其他债务"},
    "other_debts_help": {"en": "Other loans and cards. Leave it empty if there are none.",
                         "zh-CN": "其他贷款或信用卡的还款；没有可不填。"},
    "household": {"en": "People in your household", "zh-CN": "家庭人数"},
    "household_help": {"en": "Including you.", "zh-CN": "包括您本人。"},
    "lump_sum": {"en": "A sum you could pay now", "zh-CN": "现在可以一次性支付的金额"},
    "lump_sum_help": {"en": "Only if you have one. Leave it empty otherwise.", "zh-CN": "如有可填写，没有可不填。"},
    "see_options": {"en": "See my options", "zh-CN": "查看我的方案"},
    "left_over": {"en": "Left over each month after your spending and other debts: {amount}.",
                  "zh-CN": "扣除支出和其他债务还款后，每月结余：{amount}。"},
    "options_title": {"en": "Plans you can choose now", "zh-CN": "您现在可以选择的方案"},
    "choose": {"en": "Choose this plan", "zh-CN": "选择此方案"},
    "suggested": {"en": "Suggested for you", "zh-CN": "为您推荐"},
    "advice_title": {"en": "Help with your situation", "zh-CN": "获取帮助"},
    "no_options": {"en": "We cannot offer a plan online for this situation. Please contact us and we will help "
                         "you find one.",
                   "zh-CN": "根据您的情况，我们暂时无法在线提供方案。请联系我们，我们会协助您。"},
    "confirm_title": {"en": "Your plan is agreed", "zh-CN": "您的还款方案已确认"},
    "confirm_text": {"en": "Thank you. Keep this page: it shows every payment and its date.",
                     "zh-CN": "谢谢。请保存本页：其中列明了每一期的还款日期和金额。"},
    "ended_title": {"en": "This plan has ended", "zh-CN": "此还款方案已终止"},
    "ended_text": {"en": "This plan is no longer in place ({status}). Please contact us about what you owe now.",
                   "zh-CN": "此还款方案已不再有效（{status}）。请就目前的欠款与我们联系。"},
    "done_title": {"en": "This plan is paid", "zh-CN": "此还款方案已还清"},
    "done_text": {"en": "Every payment of this plan is made. Thank you.", "zh-CN": "此方案的每一期均已还清。谢谢。"},
    "waiting_title": {"en": "Your plan is waiting for our answer", "zh-CN": "您的方案正在等待审核"},
    "waiting_text": {"en": "We will tell you when it is in place.", "zh-CN": "方案生效后我们会通知您。"},
    "reference": {"en": "Reference", "zh-CN": "参考编号"},
    "already_title": {"en": "You already have a plan", "zh-CN": "您已有还款方案"},
    "see_plan": {"en": "See your plan", "zh-CN": "查看您的方案"},
    "link_invalid_title": {"en": "This link does not work", "zh-CN": "此链接无效"},
    "link_invalid": {"en": "The link is not complete or has been changed. Please use the link exactly as you "
                           "received it, or ask us for a new one.",
                     "zh-CN": "该链接不完整或已被修改。请使用您收到的原始链接，或联系我们获取新链接。"},
    "link_expired_title": {"en": "This link has expired", "zh-CN": "此链接已过期"},
    "link_expired": {"en": "For your security, links work for a short time only. Please ask us for a new one.",
                     "zh-CN": "为保障您的安全，链接仅在短时间内有效。请联系我们获取新链接。"},
    "not_taken_title": {"en": "This plan could not be set up", "zh-CN": "无法办理此方案"},
    "not_taken": {"en": "This plan cannot be set up online just now. Please contact us and we will help you.",
                  "zh-CN": "此方案暂时无法在线办理。请联系我们，我们会协助您。"},
    "not_taken_exists": {"en": "You already have a plan for this account.", "zh-CN": "该账户已有还款方案。"},
    "not_taken_expired": {"en": "These plans were worked out a while ago. Please enter your figures again to see "
                                "them as they are today.",
                          "zh-CN": "这些方案已超过有效时间。请重新填写您的信息，查看最新方案。"},
    "busy_title": {"en": "Please wait a moment", "zh-CN": "请稍候"},
    "busy": {"en": "There have been many requests from this link. Please try again in {seconds} seconds.",
             "zh-CN": "此链接的请求过于频繁，请在 {seconds} 秒后重试。"},
    # console
    "console_title": {"en": "Agent console", "zh-CN": "坐席工作台"},
    "signed_in": {"en": "Signed in as {agent}", "zh-CN": "当前坐席：{agent}"},
    "account_title": {"en": "Account", "zh-CN": "账户"},
    "account_id": {"en": "Account id", "zh-CN": "账户编号"},
    "currency": {"en": "Currency", "zh-CN": "币种"},
    "c_balance": {"en": "Balance", "zh-CN": "欠款余额"},
    "c_arrears": {"en": "Arrears", "zh-CN": "逾期金额"},
    "c_fees": {"en": "Fees", "zh-CN": "费用及罚息"},
    "c_apr": {"en": "APR (0.18 is 18%)", "zh-CN": "年利率（0.18 即 18%）"},
    "dpd": {"en": "Days past due", "zh-CN": "逾期天数"},
    "product": {"en": "Product", "zh-CN": "产品"},
    "contractual": {"en": "Contractual payment", "zh-CN": "合同月还款额"},
    "remaining_term": {"en": "Remaining term, months (loans)", "zh-CN": "剩余期限（月，贷款）"},
    "policy": {"en": "Policy", "zh-CN": "政策"},
    "as_of": {"en": "As of (YYYY-MM-DD, empty = today)", "zh-CN": "计算日期（YYYY-MM-DD，空为今天）"},
    "paste": {"en": "Or paste a request or account (JSON)", "zh-CN": "或粘贴请求或账户（JSON）"},
    "paste_help": {"en": "A quote request, or just its account object; it replaces the fields above that it holds.",
                   "zh-CN": "可粘贴完整报价请求或其中的 account 对象，其中的字段将替换上面的输入。"},
    "c_finances": {"en": "Income and spending (totals)", "zh-CN": "收入与支出（合计）"},
    "c_income": {"en": "Monthly income", "zh-CN": "月收入"},
    "c_expenses": {"en": "Monthly essential spending", "zh-CN": "月必要支出"},
    "c_other_debts": {"en": "Other debt payments", "zh-CN": "其他债务月还款"},
    "c_lump": {"en": "Lump sum available", "zh-CN": "可一次性支付金额"},
    "itemised": {"en": "Itemised income and spending (instead of totals)", "zh-CN": "分项收入与支出（代替合计）"},
    "income_lines": {"en": "Income by category", "zh-CN": "分项收入"},
    "expense_lines": {"en": "Spending by category", "zh-CN": "分项支出"},
    "hardship": {"en": "Hardship", "zh-CN": "困难情况"},
    "hardship_kind": {"en": "Kind", "zh-CN": "类型"},
    "hardship_months": {"en": "Expected months", "zh-CN": "预计持续月数"},
    "hardship_reason": {"en": "Reason (borrower's words)", "zh-CN": "原因（借款人陈述）"},
    "none_option": {"en": "(none)", "zh-CN": "（无）"},
    "quote": {"en": "Quote", "zh-CN": "报价"},
    "affordability": {"en": "Affordability", "zh-CN": "还款能力"},
    "disposable": {"en": "Disposable income", "zh-CN": "可支配收入"},
    "affordable_payment": {"en": "Affordable payment", "zh-CN": "可负担还款额"},
    "flags": {"en": "Flags", "zh-CN": "提示"},
    "no_flags": {"en": "No flags.", "zh-CN": "无提示。"},
    "ladder": {"en": "Options (recommended first)", "zh-CN": "方案（推荐在前）"},
    "recommended": {"en": "Recommended", "zh-CN": "推荐"},
    "approval": {"en": "Approval", "zh-CN": "审批"},
    "approval_none": {"en": "none", "zh-CN": "无需审批"},
    "approval_agent": {"en": "agent", "zh-CN": "坐席审批"},
    "approval_supervisor": {"en": "supervisor", "zh-CN": "主管审批"},
    "concessions": {"en": "Concessions", "zh-CN": "让步"},
    "interest_rate": {"en": "Interest rate", "zh-CN": "利率"},
    "fees_waived": {"en": "Fees waived", "zh-CN": "减免费用"},
    "forgiven": {"en": "Principal forgiven", "zh-CN": "减免本金"},
    "concession_value": {"en": "Concession value", "zh-CN": "让步价值"},
    "npv": {"en": "Lender NPV", "zh-CN": "贷方净现值"},
    "affordable": {"en": "Affordable", "zh-CN": "可负担"},
    "within_policy": {"en": "Within policy", "zh-CN": "符合政策"},
    "yes": {"en": "yes", "zh-CN": "是"},
    "no_word": {"en": "no", "zh-CN": "否"},
    "why": {"en": "Why", "zh-CN": "说明"},
    "book": {"en": "Book this plan", "zh-CN": "登记此方案"},
    "declined": {"en": "Not offered", "zh-CN": "未提供的方案"},
    "whatif_title": {"en": "Borrower's proposal (what-if)", "zh-CN": "借款人提议（试算）"},
    "whatif_help": {"en": "Fill in one of the three.", "zh-CN": "三项中填写一项。"},
    "p_payment": {"en": "A monthly payment", "zh-CN": "每月还款额"},
    "p_term": {"en": "A term in months", "zh-CN": "期数（月）"},
    "p_lump": {"en": "A lump sum", "zh-CN": "一次性还款额"},
    "try": {"en": "Try it", "zh-CN": "试算"},
    "plan": {"en": "The plan it implies", "zh-CN": "对应方案"},
    "acceptable": {"en": "Can be agreed as proposed", "zh-CN": "可按提议达成"},
    "counter": {"en": "Counter-offer", "zh-CN": "还价方案"},
    "no_plan": {"en": "No plan fits this proposal.", "zh-CN": "没有与该提议相符的方案。"},
    "lookup_title": {"en": "Arrangements of an account", "zh-CN": "账户的还款安排"},
    "lookup": {"en": "Look up", "zh-CN": "查询"},
    "booked": {"en": "Booked: {id} ({status}).", "zh-CN": "已登记：{id}（{status}）。"},
    "no_arrangements": {"en": "No arrangements for this account.", "zh-CN": "该账户没有还款安排。"},
    "events": {"en": "Events", "zh-CN": "事件记录"},
    "older_arrangements": {"en": "Older arrangements", "zh-CN": "更早的还款安排"},
    "event_type": {"en": "Event", "zh-CN": "事件"},
    "at": {"en": "At", "zh-CN": "时间"},
    "channel": {"en": "Channel", "zh-CN": "渠道"},
    "actor": {"en": "By", "zh-CN": "操作人"},
    "signed_in_as": {"en": "Signed in as", "zh-CN": "认证身份"},
    "sign_out": {"en": "Sign out", "zh-CN": "退出登录"},
    "change": {"en": "Status change", "zh-CN": "状态变化"},
    "instalments": {"en": "Instalments", "zh-CN": "分期明细"},
    "amount": {"en": "Amount", "zh-CN": "金额"},
    "paid": {"en": "Paid", "zh-CN": "已还"},
    "state": {"en": "State", "zh-CN": "状态"},
    "outstanding": {"en": "Outstanding", "zh-CN": "未还"},
    "new_quote": {"en": "New quote", "zh-CN": "新报价"},
    "signon_title": {"en": "Sign-on required", "zh-CN": "需要登录"},
    "signon": {"en": "The console is reached through the lender's sign-on; no agent was named.",
               "zh-CN": "请通过机构的统一登录访问工作台；未识别到坐席身份。"},
    "store_off": {"en": "The store is switched off: plans cannot be booked or looked up.",
                  "zh-CN": "存储已关闭：无法登记或查询还款安排。"},
}
from negotiator.web.new_words_console import WORDS as _CONSOLE_WORDS  # noqa: E402

WORDS.update(_CONSOLE_WORDS)

from negotiator.web.new_words_portal import WORDS as _PORTAL_WORDS  # noqa: E402

WORDS.update(_PORTAL_WORDS)


#: Income categories in Chinese (spending categories are :data:`negotiator.engine.explain.CATEGORY_NAMES`).
INCOME_NAMES = {"zh-CN": {"salary": "工资", "self_employment": "经营收入", "benefits": "补贴", "pension": "养老金",
                          "other": "其他"}}


from negotiator.web.new_words_contact import WORDS as _CONTACT_WORDS  # noqa: E402 - after the tables it joins

WORDS.update(_CONTACT_WORDS)

def category_name(kind: str, category: str, lang: str) -> str:
    """An income or spending category in ``lang`` (its code in English)."""
    from negotiator.engine.explain import CATEGORY_NAMES
    names = (INCOME_NAMES if kind == "income" else CATEGORY_NAMES).get(lang, {})
    return names.get(category, category)


def t(key: str, lang: str, **params) -> str:
    """The page text ``key`` in ``lang`` (English when missing), with ``params`` filled in."""
    texts = WORDS[key]
    text = texts.get(lang, texts["en"])
    return text.format(**params) if params else text


def lang_of(value: str | None, default: str = "en") -> str:
    """A supported language from a query or form value; anything else is the default."""
    return value if value in LANGS else default


def amount(value: str | None, currency: str, lang: str) -> str:
    """A wire amount for people ("CNY 1,350.00", "1,350.00 元"); empty for None."""
    return "" if value is None else money(str(value), currency, lang)


def percent(rate: str | None, exact: bool = False) -> str:
    """A decimal-fraction rate as a percentage with two decimals ("0.106283" -> "10.63%", an annualised rate
    as disclosed); ``exact``: every decimal the rate has, two at least (a rate the plan is priced at, "0.000592"
    -> "0.0592%", never rounded to "0.06%").

    >>> percent("0.106283"), percent("0.18"), percent("0"), percent("0.000592", exact=True), percent("0.18", True)
    ('10.63%', '18.00%', '0.00%', '0.0592%', '18.00%')
    """
    if rate is None:
        return ""
    try:
        pct = Decimal(str(rate)) * 100
        if exact and pct == pct.quantize(Decimal("0.01")):
            exact = False
        return f"{pct.normalize():f}%" if exact else f"{pct.quantize(Decimal('0.01'))}%"
    except InvalidOperation:
        return str(rate)


def positive(value: str | None) -> bool:
    """Whether a wire amount is above zero (a page says what is "left over" only then).

    >>> positive("12.50"), positive("0.00"), positive("-350.00"), positive(None)
    (True, False, False, False)
    """
    try:
        return value is not None and Decimal(str(value)) > 0
    except InvalidOperation:
        return False


def option_name(kind: str, lang: str) -> str:
    return OPTION_NAMES.get(lang, OPTION_NAMES["en"]).get(kind, kind)


def status_name(status: str, lang: str) -> str:
    return STATUS_NAMES.get(lang, STATUS_NAMES["en"]).get(status, status)


def helpers(lang: str) -> dict:
    """What every template is given: the language and its text and formatting functions."""
    return {"lang": lang, "t": lambda key, **p: t(key, lang, **p), "other_lang": "zh-CN" if lang == "en" else "en",
            "money": lambda v, cur: amount(v, cur, lang), "percent": percent, "positive": positive,
            "option_name": lambda k: option_name(k, lang), "status_name": lambda s: status_name(s, lang),
            "category_name": lambda kind, c: category_name(kind, c, lang)}


#: An error page's title and sentence by status (the sentence says nothing of the cause).
ERROR_WORDS = {404: ("not_found_title", "not_found"), 405: ("wrong_way_title", "wrong_way"),
               400: ("unreadable_title", "wrong_way"), 413: ("unreadable_title", "wrong_way"),
               500: ("our_fault_title", "our_fault")}


def error_words(code: int) -> tuple[str, str]:
    """The text keys of an error page: its status's own, else those of its class.

    >>> error_words(404), error_words(431), error_words(503)
    (('not_found_title', 'not_found'), ('unreadable_title', 'wrong_way'), ('our_fault_title', 'our_fault'))
    """
    return ERROR_WORDS.get(code) or ERROR_WORDS[500 if code >= 500 else 400]
