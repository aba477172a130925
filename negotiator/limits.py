"""The wire's and the engine's outer limits on an account's figures, shared by the layers above.

>>> MAX_TERM, MAX_DPD
(600, 3650)
"""

#: Days past due accepted (ten years).
MAX_DPD = 3650
#: Longest term, in months, of a loan or a plan the engine works out.
MAX_TERM = 600
#: Largest household a budget is judged for.
MAX_HOUSEHOLD = 20
#: Longest declared hardship, in months.
MAX_HARDSHIP_MONTHS = 24
