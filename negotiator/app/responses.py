"""JSON answers as the service and the pages give them: finite numbers only, and the portal's view.

>>> portal_view({"options": [{"type": "instalment", "lender_npv": "1.00"}]})
{'options': [{'type': 'instalment'}]}
"""

from __future__ import annotations

import json

from flask import Response

#: Keys a portal response must never carry, wherever an option appears.
INTERNAL_KEYS = ("lender_npv", "concession_value")


def dumps(payload: dict) -> str:
    """``payload`` as the service writes it (its ETag is of this text); a non-finite number is a bug of ours."""
    try:
        return json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:
        raise RuntimeError("response holds a non-finite number") from exc


def json_response(payload: dict, status: int = 200) -> Response:
    """Serialise ``payload``; a non-finite number is a bug of ours, answered as a logged 500."""
    return Response(dumps(payload), status=status, mimetype="application/json")


def portal_view(result: dict) -> dict:
    """Drop internal figures from every option of a response (the engine omits them already)."""
    for opt in [*result.get("options", ()), result.get("plan"), result.get("counter_offer")]:
        if isinstance(opt, dict):
            for k in INTERNAL_KEYS:
                opt.pop(k, None)
    return result
