"""The borrower's pages' words added with the GOV.UK patterns, the contact block and the honest plan
(issue 20), in English, Simplified and Traditional Chinese; :mod:`negotiator.web.text` adds them to its table.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    # errors (the GOV.UK error summary and the message beside each field)
    "error_prefix": {"en": "Error: ", "zh-CN": "错误：", "zh-TW": "錯誤："},
    "problem_title": {"en": "There is a problem", "zh-CN": "有些内容需要修改", "zh-TW": "有些內容需要修改"},
    "noun_monthly_income": {"en": "the money coming in each month", "zh-CN": "每月收入", "zh-TW": "每月收入"},
    "noun_monthly_expenses": {"en": "your essential spending each month", "zh-CN": "每月必要支出",
                              "zh-TW": "每月必要支出"},
    "noun_other_debt_payments": {"en": "your payments to other debts", "zh-CN": "每月偿还其他债务的金额",
                                 "zh-TW": "每月償還其他債務的金額"},
    "noun_lump_sum_available": {"en": "the sum you could pay now", "zh-CN": "可一次性支付的金额",
                                "zh-TW": "可一次性支付的金額"},
    "err_empty": {"en": "Enter {noun}", "zh-CN": "请填写{noun}", "zh-TW": "請填寫{noun}"},
    "err_invalid": {"en": "Enter {noun} as an amount, like 1,200.50", "zh-CN": "请用数字填写{noun}，例如 1,200.50",
                    "zh-TW": "請用數字填寫{noun}，例如 1,200.50"},
    "err_negative": {"en": "Enter {noun} as 0 or more", "zh-CN": "{noun}不能小于 0", "zh-TW": "{noun}不能小於 0"},
    "err_too_large": {"en": "Check {noun}: the amount is larger than we can take", "zh-CN": "请检查{noun}：金额过大",
                      "zh-TW": "請檢查{noun}：金額過大"},
    "err_places": {"en": "Enter {noun} with no more than {digits} digits after the decimal point",
                   "zh-CN": "{noun}最多保留 {digits} 位小数", "zh-TW": "{noun}最多保留 {digits} 位小數"},
    "err_check": {"en": "Check {noun}", "zh-CN": "请检查{noun}", "zh-TW": "請檢查{noun}"},
    "err_household_empty": {"en": "Enter how many people live in your household, including you",
                            "zh-CN": "请填写家庭人数（包括您本人）", "zh-TW": "請填寫家庭人數（包括您本人）"},
    "err_household_invalid": {"en": "Enter the number of people as a whole number, like 3",
                              "zh-CN": "请用整数填写家庭人数，例如 3", "zh-TW": "請用整數填寫家庭人數，例如 3"},
    "err_household_range": {"en": "Enter a number of people from {low} to {high}",
                            "zh-CN": "家庭人数应在 {low} 到 {high} 之间", "zh-TW": "家庭人數應在 {low} 到 {high} 之間"},
    "err_payment_day": {"en": "Choose the date of your first payment from the list",
                        "zh-CN": "请从列表中选择首次还款日期", "zh-TW": "請從列表中選擇首次還款日期"},
    # the way through
    "back": {"en": "Back", "zh-CN": "返回", "zh-TW": "返回"},
    "change_answers": {"en": "Change your answers", "zh-CN": "修改您填写的信息", "zh-TW": "修改您填寫的資料"},
    "payment_day": {"en": "Date of your first payment", "zh-CN": "首次还款日期", "zh-TW": "首次還款日期"},
    "payment_day_help": {"en": "Choose a date up to {last}. Later payments fall on the same day each month.",
                         "zh-CN": "可选择最晚至 {last} 的日期。之后每月同一天还款。",
                         "zh-TW": "可選擇最晚至 {last} 的日期。之後每月同一天還款。"},
    # who to call (every page)
    "contact_title": {"en": "Talk to us", "zh-CN": "联系我们", "zh-TW": "聯絡我們"},
    "contact_call": {"en": "Call {name}", "zh-CN": "致电{name}", "zh-TW": "致電{name}"},
    "contact_hours": {"en": "Lines are open {hours}", "zh-CN": "服务时间：{hours}", "zh-TW": "服務時間：{hours}"},
    "contact_web": {"en": "Help online", "zh-CN": "在线帮助", "zh-TW": "線上協助"},
    "from_lender": {"en": "From {name}", "zh-CN": "来自{name}", "zh-TW": "來自{name}"},
    # nothing affordable, in deficit
    "nothing_title": {"en": "We need to talk this through with you", "zh-CN": "我们需要和您一起商量",
                      "zh-TW": "我們需要和您一起商量"},
    "nothing_text": {"en": "The plans we can offer online need more each month than you have to spare just now. "
                           "That is not the end of it: please call us, and we will look at what is possible "
                           "together. Free, independent debt advice can help too.",
                     "zh-CN": "目前可在线办理的方案所需的月还款额，超过了您现在每月能够负担的金额。"
                              "这并不意味着没有办法："
                              "请致电我们，我们会和您一起商量可行的安排。免费、独立的债务咨询机构也可以帮助您。",
                     "zh-TW": "目前可線上辦理的方案所需的月還款額，超過了您現在每月能夠負擔的金額。"
                              "這並不表示沒有辦法："
                              "請致電我們，我們會和您一起商量可行的安排。免費、獨立的債務諮詢機構也可以協助您。"},
    "deficit_text": {"en": "From what you told us, your essential spending and other debts come to more than the "
                           "money coming in just now. Please call us before you pay anything: we will look at what "
                           "is possible together. Free, independent debt advice can help too.",
                     "zh-CN": "根据您填写的信息，您目前的必要支出和其他债务还款超过了收入。请先致电我们，再决定还款："
                              "我们会和您一起商量可行的安排。免费、独立的债务咨询机构也可以帮助您。",
                     "zh-TW": "根據您填寫的資料，您目前的必要支出和其他債務還款超過了收入。請先致電我們，再決定還款："
                              "我們會和您一起商量可行的安排。免費、獨立的債務諮詢機構也可以協助您。"},
    # an honest plan
    "afford_explained": {
        "en": "After your essential spending and other debts you have {left} left each month. We suggest plans of "
              "up to {afford} a month, so that you keep the rest for the unexpected.",
        "zh-CN": "扣除必要支出和其他债务还款后，您每月结余 {left}。我们建议每月还款在 {afford} 以内，"
                 "其余留作应急之用。",
        "zh-TW": "扣除必要支出和其他債務還款後，您每月結餘 {left}。我們建議每月還款在 {afford} 以內，"
                 "其餘留作應急之用。"},
    "catch_up_note": {
        "en": "Each payment of {payment} is your regular payment of {regular} plus {extra} towards the overdue "
              "amount. After the last payment of this plan you will still owe {after}, paid by your regular "
              "payments as before.",
        "zh-CN": "每期还款 {payment}，包括常规还款 {regular} 和偿还逾期部分 {extra}。本方案最后一期还款后，"
                 "您仍欠 {after}，按原来的常规还款继续偿还。",
        "zh-TW": "每期還款 {payment}，包括常規還款 {regular} 和償還逾期部分 {extra}。本方案最後一期還款後，"
                 "您仍欠 {after}，按原來的常規還款繼續償還。"},
    "still_owed_after": {"en": "Still owed after this plan", "zh-CN": "本方案结束后仍欠", "zh-TW": "本方案結束後仍欠"},
    "regular_payment": {"en": "Regular payment", "zh-CN": "常规还款", "zh-TW": "常規還款"},
    "towards_overdue": {"en": "Towards the overdue amount", "zh-CN": "偿还逾期部分", "zh-TW": "償還逾期部分"},
    "towards_balance": {"en": "Towards what you owe", "zh-CN": "偿还本金", "zh-TW": "償還本金"},
    "first_last": {"en": "First and last payments", "zh-CN": "首期和末期还款", "zh-TW": "首期和末期還款"},
    "show_all": {"en": "Show all {n} payments", "zh-CN": "显示全部 {n} 期", "zh-TW": "顯示全部 {n} 期"},
    "more_rows": {"en": "{n} more payments", "zh-CN": "另有 {n} 期", "zh-TW": "另有 {n} 期"},
    # the confirmation
    "your_reference": {"en": "Your reference", "zh-CN": "您的参考编号", "zh-TW": "您的參考編號"},
    "reference_help": {"en": "Give this reference when you call or pay us.", "zh-CN": "致电或还款时请提供此编号。",
                       "zh-TW": "致電或還款時請提供此編號。"},
    "pay_title": {"en": "How and when to pay", "zh-CN": "如何及何时还款", "zh-TW": "如何及何時還款"},
    "pay_text": {"en": "Pay {amount} on or before each date in the schedule, starting on {date}. Pay the way you "
                       "usually pay us, and give your reference {ref} so that we can match your payment.",
                 "zh-CN": "请在还款计划表中的每个日期当天或之前还款 {amount}，首期为 {date}。请按您平时的方式还款，"
                          "并注明参考编号 {ref}，以便我们核对。",
                 "zh-TW": "請在還款計劃表中的每個日期當天或之前還款 {amount}，首期為 {date}。請按您平時的方式還款，"
                          "並註明參考編號 {ref}，以便我們核對。"},
    "missed_title": {"en": "If you miss a payment", "zh-CN": "如果错过还款", "zh-TW": "如果錯過還款"},
    "missed_text": {"en": "Call us as soon as you can, before the date if possible. A payment made within {grace} "
                          "days of its date counts as on time. If payments are missed and we cannot agree a way "
                          "forward, the plan can end and the arrears be due again.",
                    "zh-CN": "请尽快致电我们，最好在还款日之前。在还款日后 {grace} 天内还款仍视为按时。"
                             "如果错过还款且我们未能商定解决办法，本方案可能终止，逾期款项将再次到期。",
                    "zh-TW": "請盡快致電我們，最好在還款日之前。在還款日後 {grace} 天內還款仍視為準時。"
                             "如果錯過還款且我們未能商定解決辦法，本方案可能終止，逾期款項將再次到期。"},
    "keep_address": {"en": "This page's address keeps working after your invitation link has expired: bookmark it "
                           "or save the page.",
                     "zh-CN": "邀请链接过期后，本页地址仍然有效：请收藏或保存本页。",
                     "zh-TW": "邀請連結過期後，本頁網址仍然有效：請加入書籤或儲存本頁。"},
    "ended_help": {"en": "Please call us about what you owe now. Free, independent debt advice can help too.",
                   "zh-CN": "请就目前的欠款致电我们。免费、独立的债务咨询机构也可以帮助您。",
                   "zh-TW": "請就目前的欠款致電我們。免費、獨立的債務諮詢機構也可以協助您。"},
    "plan_link_invalid_title": {"en": "This address does not work", "zh-CN": "此地址无效", "zh-TW": "此網址無效"},
    "plan_link_invalid": {"en": "This plan's address does not work. Please call us and we will help.",
                          "zh-CN": "此方案地址无效。请致电我们，我们会协助您。",
                          "zh-TW": "此方案網址無效。請致電我們，我們會協助您。"},
}
