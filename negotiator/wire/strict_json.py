"""Strict JSON reading: the one rule every edge applies (the HTTP body, the command line's request files).

Beyond :func:`json.loads`: ``NaN``, ``Infinity`` and ``-Infinity`` are not
JSON; a number too large for a float, or an integer literal of more than
:data:`MAX_INT_DIGITS` digits, is refused before Python converts it; an
object that holds the same key twice is refused rather than silently
keeping the last value. Every refusal is a :class:`ValueError` whose text
says which (a :class:`json.JSONDecodeError` for broken syntax).

>>> loads('{"a": 1, "b": [2.5]}')
{'a': 1, 'b': [2.5]}
>>> loads('{"a": 1, "a": 2}')
Traceback (most recent call last):
...
ValueError: duplicate key "a"
"""

from __future__ import annotations

import json
import math

#: Longest integer literal read; longer ones are refused before Python converts them.
MAX_INT_DIGITS = 40


def reject_constant(name: str):
    """``parse_constant`` for :func:`json.loads`: NaN and the infinities are not JSON."""
    raise ValueError(f"{name} is not valid JSON")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number is too large")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _pairs(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {json.dumps(k[:40], ensure_ascii=False)}")
        out[k] = v
    return out


def loads(text: str):
    """The JSON value of ``text``, strictly read (see the module's rules)."""
    return json.loads(text, parse_constant=reject_constant, parse_float=_float, parse_int=_int,
                      object_pairs_hook=_pairs)
