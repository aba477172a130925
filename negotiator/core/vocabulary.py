"""The contract's words: the enumerations the wire, the engine and the store share.

>>> FREQUENCIES["fortnightly"], MORATORIUM_KINDS
(26, ('breathing_space', 'mental_health_crisis', 'moratorium'))
"""

#: The languages a request may ask for (``locale``): its answer's reasons and its errors are in it. Each is a
#: message catalog (negotiator/locales, docs/i18n.md).
LOCALES = ("en", "zh-CN", "zh-TW")
#: What a declared hardship is. A moratorium (the UK's breathing space or
#: mental-health crisis breathing space, or another legal moratorium) freezes
#: interest and charges and forbids asking for payment.
HARDSHIP_KINDS = ("breathing_space", "mental_health_crisis", "moratorium", "unemployment", "illness",
                  "reduced_income", "other")
MORATORIUM_KINDS = HARDSHIP_KINDS[:3]     # the moratoria come first
#: Contact with a borrower (issue 21): how, which way, what came of it, with whom.
CONTACT_CHANNELS = ("call", "sms", "email", "letter", "visit")
CONTACT_DIRECTIONS = ("outbound", "inbound")
CONTACT_OUTCOMES = ("no_answer", "message_left", "conversation", "promise_to_pay", "refused", "wrong_party")
CONTACT_PERSONS = ("borrower", "third_party")
#: Payment frequencies and their payments a year.
FREQUENCIES = {"monthly": 12, "fortnightly": 26, "weekly": 52}
#: What ``account.fees`` may be made of, in the order a waiver takes them: 罚息, 违约金, 其他费用.
FEE_PARTS = ("penalty_interest", "late_fees", "other_charges")
#: An arrangement's statuses, and an instalment's states.
ALL_STATUSES = ("pending_approval", "active", "at_risk", "broken", "completed", "cancelled", "superseded",
                "rejected")
INSTALMENT_STATES = ("paid", "part_paid", "due", "overdue", "missed")
#: What the trail records.
EVENT_TYPES = ("quote_issued", "accepted", "approved", "rejected", "payment_recorded", "instalment_missed",
               "broken", "completed", "cancelled", "superseded", "reaged")
#: The contact log's words (issue 21): how, which way, what came of it, with whom.
CONTACT_CHANNELS = ("call", "sms", "email", "letter", "visit")
DIRECTIONS = ("outbound", "inbound")
OUTCOMES = ("no_answer", "message_left", "conversation", "promise_to_pay", "refused", "wrong_party")
PERSONS = ("borrower", "third_party")
