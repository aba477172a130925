"""A booked plan's own address and its short reference (issue 20, item 5).

An invitation link expires (72 hours by default); the plan it booked must
stay readable for as long as the borrower pays it. :func:`sign` makes the
plan's address: the arrangement, its account, the policy and the language,
signed with the service's secret under a salt used for nothing else (so it
stands in for no invitation, form token or session), with no expiry. It is
revocable: a plan that ends (cancelled, replaced, rejected, broken) shows
no schedule any more at its address, only who can help; rotating the
secret revokes every address at once.

:func:`reference` is what a person reads aloud on the phone: eight
characters of Crockford's base 32 (no I, L, O or U), in two groups of four,
from a hash of the arrangement id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer

SALT = "negotiator.portal.plan.v1"
#: Crockford's base 32: digits and capitals without I, L, O and U, so nothing is misheard or misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class PlanLink:
    arrangement_id: str
    account_id: str
    policy: str
    locale: str


class PlanLinkInvalid(Exception):
    """An address altered, cut short or never ours."""


def sign(arr: dict, policy: str, locale: str, secret: str) -> str:
    """The token of the plan ``arr``'s address."""
    return URLSafeSerializer(secret, salt=SALT).dumps(
        {"a": arr["arrangement_id"], "c": arr["account_id"], "p": policy, "l": locale})


def verify(token: str, secret: str) -> PlanLink:
    """The plan an address names; :class:`PlanLinkInvalid` otherwise."""
    if not 20 <= len(token) <= 2000:
        raise PlanLinkInvalid()
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(token)
        return PlanLink(str(data["a"]), str(data["c"]), str(data["p"]), str(data["l"]))
    except (BadData, KeyError, TypeError, ValueError):
        raise PlanLinkInvalid() from None


def reference(arr: dict) -> str:
    """A short reference to read aloud: 40 bits of the arrangement id's SHA-256, in Crockford's base 32.

    Unique among an account's arrangements (two of them sharing one is a
    chance of one in a trillion); an agent finds the plan by the account
    first, then the reference.

    >>> reference({"arrangement_id": "a_0123456789abcdef0123"})
    '7NTZ-3VYD'
    >>> all(c in ALPHABET + "-" for c in reference({"arrangement_id": "a_x"}))
    True
    """
    n = int.from_bytes(hashlib.sha256(arr["arrangement_id"].encode()).digest()[:5], "big")
    chars = "".join(ALPHABET[(n >> shift) & 31] for shift in range(35, -1, -5))
    return chars[:4] + "-" + chars[4:]
