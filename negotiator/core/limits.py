"""The wire's and the engine's outer limits on an account's figures, shared by the layers above.

>>> MAX_TERM, MAX_DPD
(600, 3650)
"""

#: Rows on a page of any list the service pages (``limit``), by default and at most.
PAGE, MAX_PAGE = 20, 100
#: Days past due accepted (ten years).
MAX_DPD = 3650
#: Longest term, in months, of a loan or a plan the engine works out.
MAX_TERM = 600
#: Largest household a budget is judged for.
MAX_HOUSEHOLD = 20
#: Longest declared hardship, in months.
MAX_HARDSHIP_MONTHS = 24

#: Inclusive ranges of the integer inputs, the one table both the wire schema
#: and the engine's checks read.
LIMITS = {
    "dpd": (0, MAX_DPD),
    "remaining_term": (1, MAX_TERM),
    "household": (1, MAX_HOUSEHOLD),
    "hardship_months": (1, MAX_HARDSHIP_MONTHS),
    "consecutive": (0, MAX_TERM),
}
