"""Form fields to request bodies: what a person typed, in the shape the engine's schemas read.

Nothing is judged here: an empty field is left out, a whole number is sent
as a number (the schemas refuse numbers as strings) and anything else is
sent as typed, so the engine's own checks name the field and the reason.
"""

from __future__ import annotations

import json
import re

from flask import request
from werkzeug.exceptions import HTTPException

from negotiator.core.errors import FieldError, ValidationError
from negotiator.policy import EXPENSE_CATEGORIES, INCOME_CATEGORIES
from negotiator.wire import strict_json


def asked_lang() -> str | None:
    """The ``lang`` a form or query asks for; the query's alone when the body cannot be read (an error page
    for a form too large must not read it again)."""
    try:
        return request.values.get("lang")
    except HTTPException:
        return request.args.get("lang")


ACCOUNT_TEXT = ("account_id", "currency", "balance", "arrears", "fees", "apr", "product", "contractual_payment")
ACCOUNT_INTS = ("days_past_due", "remaining_term_months")
FINANCE_TEXT = ("monthly_income", "monthly_expenses", "other_debt_payments", "lump_sum_available")
FINANCE_INTS = ("household_size",)
_INT = re.compile(r"^[0-9]{1,9}$")


def value(raw: str | None):
    """A trimmed field: None when empty, an int when it is a plain whole number, else the text."""
    if raw is None:
        return None
    raw = raw.strip()
    if not raw:
        return None
    return int(raw) if _INT.match(raw) else raw


def _text(raw: str | None):
    raw = (raw or "").strip()
    return raw or None


def pick(form, names, ints=()) -> dict:
    out = {}
    for name in names:
        v = _text(form.get(name))
        if v is not None:
            out[name] = v
    for name in ints:
        v = value(form.get(name))
        if v is not None:
            out[name] = v
    return out


def finances(form) -> dict:
    """Totals, itemised lines (``income_<category>``, ``expense_<category>``) and a hardship, as typed."""
    out = pick(form, FINANCE_TEXT, FINANCE_INTS)
    for key, cats, prefix in (("income_lines", INCOME_CATEGORIES, "income_"),
                              ("expense_lines", EXPENSE_CATEGORIES, "expense_")):
        lines = [{"category": c, "amount": v} for c in cats if (v := _text(form.get(prefix + c))) is not None]
        if lines:
            out[key] = lines
    hardship = {k: v for k, v in (("kind", _text(form.get("hardship_kind"))),
                                  ("expected_months", value(form.get("hardship_months"))),
                                  ("reason", _text(form.get("hardship_reason")))) if v is not None}
    if hardship:
        out["hardship"] = hardship
    return out


def pasted(text: str | None) -> dict:
    """A pasted quote request or account object (JSON); ``{}`` when nothing was pasted."""
    text = (text or "").strip()
    if not text:
        return {}
    try:
        data = strict_json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError([FieldError("paste", f"Not valid JSON: {exc.msg} (line {exc.lineno}).")]) from None
    except (ValueError, RecursionError) as exc:     # NaN, huge numbers, a key given twice: the API's own rule
        raise ValidationError([FieldError("paste", f"Not valid JSON: {str(exc)[:120]}.")]) from None
    if not isinstance(data, dict):
        raise ValidationError([FieldError("paste", "Must be a JSON object: a quote request or an account.")])
    return data if "account" in data else {"account": data}


def quote_request(form, lang: str) -> dict:
    """The console's quote request: the fields typed, with a pasted request or account over them."""
    body: dict = {"locale": lang, "schedules": "all"}
    for name in ("policy", "as_of"):
        v = _text(form.get(name))
        if v:
            body[name] = v
    body["account"] = pick(form, ACCOUNT_TEXT, ACCOUNT_INTS)
    body["finances"] = finances(form)
    extra = pasted(form.get("paste"))
    for key, v in extra.items():
        if key in ("account", "finances") and isinstance(v, dict):
            body[key] = {**body[key], **v}
        elif key not in ("locale", "schedules"):
            body[key] = v
    return body


def form_values(body: dict) -> dict:
    """Flat form values from a request body, to fill the console's fields again."""
    out: dict = {k: body.get(k) for k in ("policy", "as_of")}
    acc, fin = body.get("account"), body.get("finances")
    acc = acc if isinstance(acc, dict) else {}
    fin = fin if isinstance(fin, dict) else {}
    out.update({k: acc.get(k) for k in ACCOUNT_TEXT + ACCOUNT_INTS})
    out.update({k: fin.get(k) for k in FINANCE_TEXT + FINANCE_INTS})
    for key, prefix in (("income_lines", "income_"), ("expense_lines", "expense_")):
        for line in fin.get(key) or []:
            if isinstance(line, dict) and isinstance(line.get("category"), str):
                out[prefix + line["category"]] = line.get("amount")
    hardship = fin.get("hardship")
    hardship = hardship if isinstance(hardship, dict) else {}
    out.update(hardship_kind=hardship.get("kind"), hardship_months=hardship.get("expected_months"),
               hardship_reason=hardship.get("reason"))
    return {k: ("" if v is None else str(v)) for k, v in out.items()}
