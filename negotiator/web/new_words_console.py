"""The agent console's own words (issue 20, item 7), in English, Simplified and Traditional Chinese.

Merged into :data:`negotiator.web.text.WORDS` (read with ``t(key, lang, **params)``) until the pages' texts
move to gettext catalogs; each key is the catalog entry it becomes. Event names, products, channels and the
fields of a concession are keyed ``event_<type>``, ``product_<code>``, ``channel_<code>``, ``conc_<field>``.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    # finding an account
    "find_title": {"en": "Find an account", "zh-CN": "查找账户", "zh-TW": "查找帳戶"},
    "find": {"en": "Find", "zh-CN": "查找", "zh-TW": "查找"},
    "record_title": {"en": "What the record knows", "zh-CN": "已存档的账户信息", "zh-TW": "已存檔的帳戶資訊"},
    "last_quoted": {"en": "From the last quote, {when}", "zh-CN": "来自最近一次报价（{when}）",
                    "zh-TW": "來自最近一次報價（{when}）"},
    "never_quoted": {"en": "This account has no stored quote: type its figures in the form below.",
                     "zh-CN": "该账户没有已存档的报价：请在下方表单中填写账户数据。",
                     "zh-TW": "該帳戶沒有已存檔的報價：請在下方表單中填寫帳戶資料。"},
    "quote_stored": {"en": "Quote with these figures", "zh-CN": "按这些数据报价", "zh-TW": "按這些資料報價"},
    "change_figures": {"en": "Change the figures first", "zh-CN": "先修改数据", "zh-TW": "先修改資料"},
    "live_plan": {"en": "Live plan", "zh-CN": "当前有效方案", "zh-TW": "目前有效方案"},
    "no_live_plan": {"en": "No live plan on this account.", "zh-CN": "该账户没有有效方案。",
                     "zh-TW": "該帳戶沒有有效方案。"},
    "history": {"en": "History", "zh-CN": "历史记录", "zh-TW": "歷史記錄"},
    "figures_title": {"en": "Account and finances", "zh-CN": "账户与收支", "zh-TW": "帳戶與收支"},
    "quote_for": {"en": "Quote for {account}", "zh-CN": "账户 {account} 的报价", "zh-TW": "帳戶 {account} 的報價"},
    "quoted_at": {"en": "Quoted {when}; valid until {until}", "zh-CN": "报价时间 {when}；有效期至 {until}",
                  "zh-TW": "報價時間 {when}；有效期至 {until}"},
    # booking
    "needs_supervisor": {"en": "Needs a supervisor's approval", "zh-CN": "需主管审批", "zh-TW": "需主管審批"},
    "send_for_approval": {"en": "Send for supervisor approval", "zh-CN": "提交主管审批", "zh-TW": "提交主管審批"},
    "replace_title": {"en": "This account has a live plan",
                      "zh-CN": "该账户已有有效方案", "zh-TW": "該帳戶已有有效方案"},
    "replace_help": {"en": "Booking a plan replaces it. Say why; the reason is kept in the account's history.",
                     "zh-CN": "登记新方案将替换现有方案。请填写原因；原因将记入账户历史。",
                     "zh-TW": "登記新方案將取代現有方案。請填寫原因；原因將記入帳戶歷史。"},
    "replace_reason": {"en": "Reason for replacing the live plan", "zh-CN": "替换现有方案的原因",
                       "zh-TW": "取代現有方案的原因"},
    "replace_book": {"en": "Replace the live plan with this one", "zh-CN": "以此方案替换现有方案",
                     "zh-TW": "以此方案取代現有方案"},
    "reason_needed": {"en": "Give a reason.", "zh-CN": "请填写原因。", "zh-TW": "請填寫原因。"},
    "reason_too_long": {"en": "At most 200 characters.", "zh-CN": "最多 200 个字符。", "zh-TW": "最多 200 個字元。"},
    "booked_pending": {"en": "Sent for a supervisor's approval: {id}.", "zh-CN": "已提交主管审批：{id}。",
                       "zh-TW": "已提交主管審批：{id}。"},
    # cancel
    "cancel_title": {"en": "Cancel this plan", "zh-CN": "取消此方案", "zh-TW": "取消此方案"},
    "cancel_reason": {"en": "Reason for cancelling", "zh-CN": "取消原因", "zh-TW": "取消原因"},
    "cancel": {"en": "Cancel the plan", "zh-CN": "取消方案", "zh-TW": "取消方案"},
    "cancelled_notice": {"en": "Cancelled: {id}.", "zh-CN": "已取消：{id}。", "zh-TW": "已取消：{id}。"},
    # the supervisors' queue
    "queue_title": {"en": "Plans waiting for approval", "zh-CN": "待审批方案", "zh-TW": "待審批方案"},
    "queue_empty": {"en": "No plan is waiting for approval.",
                    "zh-CN": "没有待审批的方案。", "zh-TW": "沒有待審批的方案。"},
    "approve": {"en": "Approve", "zh-CN": "批准", "zh-TW": "核准"},
    "reject": {"en": "Reject", "zh-CN": "拒绝", "zh-TW": "拒絕"},
    "decision_reason": {"en": "Reason (required to reject)", "zh-CN": "原因（拒绝时必填）",
                        "zh-TW": "原因（拒絕時必填）"},
    "decided_notice": {"en": "{id}: {status}.", "zh-CN": "{id}：{status}。", "zh-TW": "{id}：{status}。"},
    "own_booking": {"en": "You booked this plan: another supervisor decides it.",
                    "zh-CN": "此方案由您登记，需由其他主管审批。", "zh-TW": "此方案由您登記，需由其他主管審批。"},
    "supervisors_only_title": {"en": "For supervisors only", "zh-CN": "仅限主管", "zh-TW": "僅限主管"},
    "supervisors_only": {"en": "Only a supervisor approves or rejects plans. Ask a supervisor to look at the queue.",
                         "zh-CN": "只有主管可以批准或拒绝方案。请联系主管查看待审批队列。",
                         "zh-TW": "只有主管可以核准或拒絕方案。請聯絡主管查看待審批佇列。"},
    "booked_by": {"en": "Booked by {agent}, {when}",
                  "zh-CN": "{agent} 于 {when} 登记", "zh-TW": "{agent} 於 {when} 登記"},
    # invitations
    "invite": {"en": "Send the borrower an invitation",
               "zh-CN": "向借款人发送邀请链接", "zh-TW": "向借款人發送邀請連結"},
    "invite_link": {"en": "Invitation for {account}, valid until {until}: read or send this link.",
                    "zh-CN": "账户 {account} 的邀请链接，有效期至 {until}：请发送此链接。",
                    "zh-TW": "帳戶 {account} 的邀請連結，有效期至 {until}：請發送此連結。"},
    "portal_off": {"en": "Invitations are switched off (no secret key).", "zh-CN": "邀请功能已关闭（未配置密钥）。",
                   "zh-TW": "邀請功能已關閉（未設定金鑰）。"},
    # a lost session
    "session_lost_title": {"en": "Your session has ended", "zh-CN": "您的会话已结束", "zh-TW": "您的工作階段已結束"},
    "session_lost": {"en": "You were signed out, or the page was open too long. Nothing from the last form was "
                           "saved: sign in again and repeat it.",
                     "zh-CN": "您已退出登录或页面打开时间过长，上一张表单未被保存：请重新登录后再操作一次。",
                     "zh-TW": "您已登出或頁面開啟時間過長，上一張表單未被儲存：請重新登入後再操作一次。"},
    "sign_in_again": {"en": "Sign in again", "zh-CN": "重新登录", "zh-TW": "重新登入"},
    # the what-if, in the agent's words
    "whatif_why": {"en": "Why not as proposed", "zh-CN": "为何不能按提议办理", "zh-TW": "為何不能按提議辦理"},
    "needless_concession": {
        "en": "The borrower can afford {affordable} a month. At {payment} the plan needs a concession worth "
              "{value} ({kind}); at what they can afford it needs {best_value}. The policy gives the least "
              "concession the borrower can afford, so offer the counter-offer, or record a hardship that lowers "
              "what they can afford.",
        "zh-CN": "借款人每月可负担 {affordable}。按 {payment} 还款，方案需价值 {value} 的让步（{kind}）；按其可负担"
                 "金额只需 {best_value}。政策只给予借款人可负担范围内最少的让步，请提供还价方案，或登记降低其还款能力的"
                 "困难情况。",
        "zh-TW": "借款人每月可負擔 {affordable}。按 {payment} 還款，方案需價值 {value} 的讓步（{kind}）；按其可負擔"
                 "金額只需 {best_value}。政策只給予借款人可負擔範圍內最少的讓步，請提供還價方案，或登記降低其還款能力的"
                 "困難情況。"},
    # field labels of a concession
    "conc_term_months": {"en": "Term: {value} months", "zh-CN": "期限：{value} 个月", "zh-TW": "期限：{value} 個月"},
    "conc_months": {"en": "For {value} months", "zh-CN": "为期 {value} 个月", "zh-TW": "為期 {value} 個月"},
    "conc_months_added": {"en": "{value} months added", "zh-CN": "延长 {value} 个月", "zh-TW": "延長 {value} 個月"},
    "conc_from_apr": {"en": "Rate from {value}", "zh-CN": "原利率 {value}", "zh-TW": "原利率 {value}"},
    "conc_rate_change": {"en": "Rate from {old} to {new}", "zh-CN": "利率由 {old} 降至 {new}",
                         "zh-TW": "利率由 {old} 降至 {new}"},
    "conc_apr": {"en": "Rate {value}", "zh-CN": "利率 {value}", "zh-TW": "利率 {value}"},
    "conc_amount": {"en": "Amount {value}", "zh-CN": "金额 {value}", "zh-TW": "金額 {value}"},
    "conc_principal_forgiven": {"en": "Principal forgiven {value}", "zh-CN": "减免本金 {value}",
                                "zh-TW": "減免本金 {value}"},
    # event names
    "event_quote_issued": {"en": "Quote issued", "zh-CN": "已出具报价", "zh-TW": "已出具報價"},
    "event_accepted": {"en": "Plan booked", "zh-CN": "方案已登记", "zh-TW": "方案已登記"},
    "event_approved": {"en": "Approved", "zh-CN": "已批准", "zh-TW": "已核准"},
    "event_rejected": {"en": "Rejected", "zh-CN": "已拒绝", "zh-TW": "已拒絕"},
    "event_payment_recorded": {"en": "Payment recorded", "zh-CN": "已记录还款", "zh-TW": "已記錄還款"},
    "event_instalment_missed": {"en": "Instalment missed", "zh-CN": "未按期还款", "zh-TW": "未按期還款"},
    "event_broken": {"en": "Plan broken", "zh-CN": "方案违约", "zh-TW": "方案違約"},
    "event_completed": {"en": "Plan completed", "zh-CN": "方案已结清", "zh-TW": "方案已結清"},
    "event_cancelled": {"en": "Plan cancelled", "zh-CN": "方案已取消", "zh-TW": "方案已取消"},
    "event_superseded": {"en": "Plan replaced", "zh-CN": "方案已被替换", "zh-TW": "方案已被取代"},
    "event_reaged": {"en": "Account re-aged", "zh-CN": "账户逾期状态已重置", "zh-TW": "帳戶逾期狀態已重設"},
    "became": {"en": "now {status}", "zh-CN": "变为{status}", "zh-TW": "變為{status}"},
    "reason": {"en": "Reason", "zh-CN": "原因", "zh-TW": "原因"},
    # products and channels
    "product_credit_card": {"en": "Credit card", "zh-CN": "信用卡", "zh-TW": "信用卡"},
    "product_loan": {"en": "Loan", "zh-CN": "贷款", "zh-TW": "貸款"},
    "channel_agent": {"en": "Agent", "zh-CN": "坐席", "zh-TW": "坐席"},
    "channel_supervisor": {"en": "Supervisor", "zh-CN": "主管", "zh-TW": "主管"},
    "channel_portal": {"en": "Borrower online", "zh-CN": "借款人在线", "zh-TW": "借款人線上"},
    "channel_batch": {"en": "Batch", "zh-CN": "批量", "zh-TW": "批次"},
    "channel_system": {"en": "System", "zh-CN": "系统", "zh-TW": "系統"},
    "instalment_paid": {"en": "Paid", "zh-CN": "已还", "zh-TW": "已還"},
    "instalment_part_paid": {"en": "Part paid", "zh-CN": "部分已还", "zh-TW": "部分已還"},
    "instalment_due": {"en": "Due", "zh-CN": "待还", "zh-TW": "待還"},
    "instalment_overdue": {"en": "Overdue", "zh-CN": "逾期", "zh-TW": "逾期"},
    "instalment_missed": {"en": "Missed", "zh-CN": "未还", "zh-TW": "未還"},
    "supervisor_queue": {"en": "Approval queue", "zh-CN": "审批队列", "zh-TW": "審批佇列"},
    "months_n": {"en": "{n} months", "zh-CN": "{n} 个月", "zh-TW": "{n} 個月"},
}
