"""JSON answers as the service and the pages give them: finite numbers only, and the portal's view.

The text is orjson's (about a tenth of the standard library's time on a
quote's answer): compact, UTF-8 as is, keys in the payload's order, the same
JSON the standard library writes with ``separators=(",", ":")`` and
``ensure_ascii=False``. orjson writes a NaN or an infinity as ``null``
rather than refusing it, so an answer whose text holds ``null`` anywhere
(most do) has its floats looked at (:func:`finite`, a third of the standard
library's time): a non-finite number stays a bug of ours, answered as a
logged 500. A payload
orjson does not take (a key that is not a string, an integer beyond 64 bits)
is written by the standard library alone.

>>> portal_view({"options": [{"type": "instalment", "lender_npv": "1.00"}]})
{'options': [{'type': 'instalment'}]}
>>> dumps({"a": "CN¥1", "b": [1, True, None]}), dumps({1: "x"})
('{"a":"CN¥1","b":[1,true,null]}', '{"1":"x"}')
>>> dumps({"a": float("nan")})
Traceback (most recent call last):
...
RuntimeError: response holds a non-finite number
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

import orjson
from flask import Response

#: Keys a portal response must never carry, wherever an option appears.
INTERNAL_KEYS = ("lender_npv", "concession_value")


def _standard(payload) -> str:
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:
        raise RuntimeError("response holds a non-finite number") from exc


def finite(value) -> bool:
    """Whether every float in ``value`` (dicts, lists and tuples, nested) is finite.

    >>> finite({"a": [1, "x", None, {"b": 2.5}]}), finite({"a": [{"b": float("inf")}]}), finite(float("nan"))
    (True, False, False)
    """
    stack = [value]
    while stack:
        container = stack.pop()
        items: Iterable
        if isinstance(container, dict):
            items = container.values()
        elif isinstance(container, (list, tuple)):
            items = container
        else:
            items = (container,)
        for x in items:
            kind = type(x)
            if kind is str or kind is int or x is None or kind is bool:
                continue
            if isinstance(x, (dict, list, tuple)):
                stack.append(x)
            elif isinstance(x, float) and not math.isfinite(x):
                return False
    return True


def dumps_bytes(payload) -> bytes:
    """``payload`` as UTF-8 JSON text (see the module: orjson, checked for non-finite numbers)."""
    try:
        out = orjson.dumps(payload)
    except TypeError:   # orjson.JSONEncodeError: a non-string key, an integer beyond 64 bits, an unknown type
        return _standard(payload).encode()
    if b"null" in out and not finite(payload):   # orjson wrote a NaN or an infinity as null
        raise RuntimeError("response holds a non-finite number")
    return out


def dumps(payload) -> str:
    """``payload`` as the service writes it (its ETag is of this text); a non-finite number is a bug of ours."""
    return dumps_bytes(payload).decode()


def json_response(payload: dict, status: int = 200) -> Response:
    """Serialise ``payload``; a non-finite number is a bug of ours, answered as a logged 500."""
    return Response(dumps_bytes(payload), status=status, mimetype="application/json")


def portal_view(result: dict) -> dict:
    """Drop internal figures from every option of a response (the engine omits them already)."""
    for opt in [*result.get("options", ()), result.get("plan"), result.get("counter_offer")]:
        if isinstance(opt, dict):
            for k in INTERNAL_KEYS:
                opt.pop(k, None)
    return result
