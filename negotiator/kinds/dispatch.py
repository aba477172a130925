"""The kernels' dispatch by kind number, generated from the registry by ``python -m negotiator.kinds``.

Do not edit: add or change a kind in its own module and generate this again
(``tests/test_kinds.py`` checks it is current).
"""

# ruff: noqa
from __future__ import annotations

from .kernel import default_adjust, default_affordable, default_approve, default_disclose, default_fit, default_forgone, default_inside, default_npv
from .catch_up import build as catch_up__build, forgone as catch_up__forgone, npv as catch_up__npv, disclose as catch_up__disclose
from .term_extension import build as term_extension__build, adjust as term_extension__adjust
from .instalment import build as instalment__build, inside as instalment__inside
from .payment_arrangement import build as payment_arrangement__build, forgone as payment_arrangement__forgone
from .payment_holiday import build as payment_holiday__build, fit as payment_holiday__fit, approve as payment_holiday__approve, affordable as payment_holiday__affordable
from .step_up import build as step_up__build, fit as step_up__fit, affordable as step_up__affordable
from .hardship_programme import build as hardship_programme__build, fit as hardship_programme__fit, inside as hardship_programme__inside, affordable as hardship_programme__affordable
from .token_payment import build as token_payment__build, fit as token_payment__fit, forgone as token_payment__forgone
from .interest_reduction import build as interest_reduction__build, fit as interest_reduction__fit
from .fee_waiver import build as fee_waiver__build, fit as fee_waiver__fit
from .interest_free_instalment import build as interest_free_instalment__build, affordable as interest_free_instalment__affordable
from .settlement import build as settlement__build, fit as settlement__fit, forgone as settlement__forgone, approve as settlement__approve, inside as settlement__inside, affordable as settlement__affordable

#: Integers per kind in ``KP``: the common ones and the most any kind has of its own.
NK = 18
#: Integers per option in ``OI``: the common ones and the most any kind has of its own.
NO = 33
#: Kinds by number, in display order.
ORDER = ('catch_up', 'term_extension', 'instalment', 'payment_arrangement', 'payment_holiday', 'step_up', 'hardship_programme', 'token_payment', 'interest_reduction', 'fee_waiver', 'interest_free_instalment', 'settlement')
#: The ladder's rungs by kind number, least concession first; the kinds beside it.
LADDER_IDS = (0, 1, 2, 3, 8, 9, 10, 11)
BESIDE_IDS = (4, 5, 6, 7)
#: The kind that a lump sum covering what is owed turns into a payoff (-1: none).
PAYOFF = 11


def build(k, decline, P, KP, X, x, OI, b, st):
    """Kind ``k``'s ``build``."""
    if k == 0:
        return catch_up__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 1:
        return term_extension__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 2:
        return instalment__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 3:
        return payment_arrangement__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 4:
        return payment_holiday__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 5:
        return step_up__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 6:
        return hardship_programme__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 7:
        return token_payment__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 8:
        return interest_reduction__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 9:
        return fee_waiver__build(decline, P, KP, k * NK, X, x, OI, b, st)
    elif k == 10:
        return interest_free_instalment__build(decline, P, KP, k * NK, X, x, OI, b, st)
    else:
        return settlement__build(decline, P, KP, k * NK, X, x, OI, b, st)


def fit(k, P, KP, X, x, OI, b, st):
    """Kind ``k``'s ``fit``."""
    if k == 0:
        return default_fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 1:
        return default_fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 2:
        return default_fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 3:
        return default_fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 4:
        return payment_holiday__fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 5:
        return step_up__fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 6:
        return hardship_programme__fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 7:
        return token_payment__fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 8:
        return interest_reduction__fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 9:
        return fee_waiver__fit(P, KP, k * NK, X, x, OI, b, st)
    elif k == 10:
        return default_fit(P, KP, k * NK, X, x, OI, b, st)
    else:
        return settlement__fit(P, KP, k * NK, X, x, OI, b, st)


def adjust(k, P, KP, X, x, OI, b, st):
    """Kind ``k``'s ``adjust``."""
    if k == 0:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 1:
        return term_extension__adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 2:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 3:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 4:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 5:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 6:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 7:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 8:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 9:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    elif k == 10:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)
    else:
        return default_adjust(P, KP, k * NK, X, x, OI, b, st)


def forgone(k, P, PF, X, x, OI, b, st):
    """Kind ``k``'s ``forgone``."""
    if k == 0:
        return catch_up__forgone(P, PF, X, x, OI, b, st)
    elif k == 1:
        return default_forgone(P, PF, X, x, OI, b, st)
    elif k == 2:
        return default_forgone(P, PF, X, x, OI, b, st)
    elif k == 3:
        return payment_arrangement__forgone(P, PF, X, x, OI, b, st)
    elif k == 4:
        return default_forgone(P, PF, X, x, OI, b, st)
    elif k == 5:
        return default_forgone(P, PF, X, x, OI, b, st)
    elif k == 6:
        return default_forgone(P, PF, X, x, OI, b, st)
    elif k == 7:
        return token_payment__forgone(P, PF, X, x, OI, b, st)
    elif k == 8:
        return default_forgone(P, PF, X, x, OI, b, st)
    elif k == 9:
        return default_forgone(P, PF, X, x, OI, b, st)
    elif k == 10:
        return default_forgone(P, PF, X, x, OI, b, st)
    else:
        return settlement__forgone(P, PF, X, x, OI, b, st)


def approve(k, tier, P, KP, X, x, OI, b, st):
    """Kind ``k``'s ``approve``."""
    if k == 0:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 1:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 2:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 3:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 4:
        return payment_holiday__approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 5:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 6:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 7:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 8:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 9:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    elif k == 10:
        return default_approve(tier, P, KP, k * NK, X, x, OI, b, st)
    else:
        return settlement__approve(tier, P, KP, k * NK, X, x, OI, b, st)


def inside(k, P, KP, X, x, OI, b, st):
    """Kind ``k``'s ``inside``."""
    if k == 0:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 1:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 2:
        return instalment__inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 3:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 4:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 5:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 6:
        return hardship_programme__inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 7:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 8:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 9:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    elif k == 10:
        return default_inside(P, KP, k * NK, X, x, OI, b, st)
    else:
        return settlement__inside(P, KP, k * NK, X, x, OI, b, st)


def affordable(k, monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium):
    """Kind ``k``'s ``affordable``."""
    if k == 0:
        return default_affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 1:
        return default_affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 2:
        return default_affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 3:
        return default_affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 4:
        return payment_holiday__affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 5:
        return step_up__affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 6:
        return hardship_programme__affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 7:
        return default_affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 8:
        return default_affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 9:
        return default_affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    elif k == 10:
        return interest_free_instalment__affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)
    else:
        return settlement__affordable(monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium)


def npv(k, P, PF, X, x, OI, b, st):
    """Kind ``k``'s ``npv``."""
    if k == 0:
        return catch_up__npv(P, PF, X, x, OI, b, st)
    elif k == 1:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 2:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 3:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 4:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 5:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 6:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 7:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 8:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 9:
        return default_npv(P, PF, X, x, OI, b, st)
    elif k == 10:
        return default_npv(P, PF, X, x, OI, b, st)
    else:
        return default_npv(P, PF, X, x, OI, b, st)


def disclose(k, P, X, x, OI, b, st):
    """Kind ``k``'s ``disclose``."""
    if k == 0:
        return catch_up__disclose(P, X, x, OI, b, st)
    elif k == 1:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 2:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 3:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 4:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 5:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 6:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 7:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 8:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 9:
        return default_disclose(P, X, x, OI, b, st)
    elif k == 10:
        return default_disclose(P, X, x, OI, b, st)
    else:
        return default_disclose(P, X, x, OI, b, st)


#: Every kernel here: what :mod:`negotiator.engine.compiled` compiles.
KERNELS = ('build', 'fit', 'adjust', 'forgone', 'approve', 'inside', 'affordable', 'npv', 'disclose')
