"""The borrower's page (``/portal/<token>``): what is owed, income and spending, the plans, the agreement.

The token is a signed invitation (:mod:`.invitations`): the account's
figures come from it alone, never from the form. The borrower's income and
spending are quoted by :func:`negotiator.engine.quote.quote` on the portal channel,
so only plans that need no approval are shown, without internal figures;
choosing one is :meth:`Records.accept <negotiator.store.records.Records.accept>`
on the portal channel, for a quote of this account only. The confirmation
shows the whole schedule, to print or save. An invitation books one plan:
once used, its link leads to that plan (see :func:`_plans`). Errors under
``/portal`` (an unknown page, a wrong method, a form too large, a failure
of ours) are plain pages too (:func:`error_page`).
"""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from negotiator.app.access import Access
from negotiator.core.errors import RecordError, UnknownPolicyError, ValidationError
from negotiator.engine.quote import quote
from negotiator.web import forms
from negotiator.web.headers import page_headers
from negotiator.web.invitations import TOKEN_RE, Invitation, InvitationExpired, InvitationInvalid, verify
from negotiator.web.text import accepted_lang, error_words, helpers, lang_of, t

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates")
bp.after_request(page_headers)

BORROWER_FIELDS = ("monthly_income", "monthly_expenses", "other_debt_payments", "household_size",
                   "lump_sum_available")
#: The store's refusals in the borrower's words (the codes of :class:`~negotiator.core.errors.RecordError`).
REFUSALS = {"arrangement_exists": "not_taken_exists", "idempotency_key_reused": "not_taken_exists",
            "quote_expired": "not_taken_expired", "incomplete_form": "form_expired"}


#: The plan page's heading and sentence by the plan's status: "agreed, thank you" only while it is in place.
AGREED = ("confirm_title", "confirm_text")
PLAN_WORDS = {"cancelled": ("ended_title", "ended_text"), "superseded": ("ended_title", "ended_text"),
              "rejected": ("ended_title", "ended_text"), "broken": ("ended_title", "ended_text"),
              "completed": ("done_title", "done_text"), "pending_approval": ("waiting_title", "waiting_text")}


def _state() -> dict:
    return current_app.extensions["negotiator"]


def _lang(inv: Invitation | None = None, locale: str | None = None) -> str:
    """The language asked for (``lang``), else the invitation's (or ``locale``), else the browser's, else English."""
    asked = lang_of(forms.asked_lang(), "")
    if asked:
        return asked
    own = inv.locale if inv else locale
    return lang_of(own, "") or accepted_lang(request.accept_languages) or "en"


def _page(template: str, status: int = 200, inv: Invitation | None = None, lang: str | None = None,
          token: str | None = None, **ctx):
    lang = lang or _lang(inv)
    token = token or (request.view_args or {}).get("token")
    return render_template(template, **helpers(lang), inv=inv, token=token, **ctx), status


def _refused(kind: str, status: int, locale: str | None = None):
    lang = _lang(None, locale)
    return _page("portal/message.html", status, lang=lang, title=t(f"{kind}_title", lang), text=t(kind, lang))


def error_page(exc: HTTPException):
    """An error under ``/portal`` as a plain page in the borrower's language, with the pages' headers.

    Says nothing of the cause (an unknown plan, another account's, the
    store off, no such address; a form too large; a failure of ours): one
    sentence for each kind.
    """
    inv, token, locale = (g.invitation, None, None) if g.get("invitation") else _from_path()
    lang = _lang(inv, locale)
    title, text = error_words(exc.code or 500)
    body, status = _page("portal/message.html", exc.code or 500, inv, lang, token if inv else None,
                         title=t(title, lang), text=t(text, lang))
    resp = page_headers(make_response(body, status))
    if exc.code == 405 and (allowed := getattr(exc, "valid_methods", None)):
        resp.headers["Allow"] = ", ".join(sorted(allowed))
    return resp


def _from_path() -> tuple[Invitation | None, str | None, str | None]:
    """``(invitation, token, locale)`` of an address no view answered (``/portal/<token>/...``), where genuine."""
    secret = _state().get("secret")
    parts = request.path.split("/")     # "", "portal", token, ...
    token = parts[2] if len(parts) > 2 else ""
    if not secret or not TOKEN_RE.match(token):
        return None, None, None
    try:
        return verify(token, secret), token, None
    except InvitationExpired as exc:
        return None, None, exc.locale
    except InvitationInvalid:
        return None, None, None


@bp.before_request
def _invitation():
    """Every portal page needs a genuine, unexpired invitation; POSTs need the form's token too."""
    secret = _state().get("secret")
    if not secret:
        abort(404)
    token = (request.view_args or {}).get("token", "")
    if not TOKEN_RE.match(token):
        return _refused("link_invalid", 400)
    try:
        g.invitation = verify(token, secret)
    except InvitationExpired as exc:
        return _refused("link_expired", 410, exc.locale)
    except InvitationInvalid:
        return _refused("link_invalid", 400)
    g.channel, g.key_id, g.policy = "portal", g.invitation.invitation_id, g.invitation.policy
    g.principal = f"portal:{g.invitation.invitation_id}"
    if request.method == "POST":
        current_app.extensions["csrf_protect"].protect()
    return _limit(g.invitation)     # every page, read or posted, counts in the invitation's budget


def _limit(inv: Invitation):
    """The portal's rate limit (``NEGOTIATOR_PORTAL_RATE_LIMIT``), one budget per invitation, on every page."""
    from negotiator.app.ratelimit import StoreUnavailable
    limiter = _state().get("limiter")
    if limiter is None:
        return None
    lang = _lang(inv)
    try:
        allowed, wait = limiter.check("invitation:" + inv.invitation_id)
    except StoreUnavailable:
        return _page("portal/message.html", 503, inv, title=t("busy_title", lang), text=t("busy", lang, seconds=60))
    if allowed:
        return None
    body, status = _page("portal/message.html", 429, inv, title=t("busy_title", lang),
                         text=t("busy", lang, seconds=wait))
    return body, status, {"Retry-After": str(wait)}


@bp.errorhandler(RecordError)
def _refused_here(exc: RecordError):
    """A refusal of the rights table (or the records) not caught by a view: a plain page, saying nothing more."""
    lang = _lang(g.get("invitation"))
    title, text = error_words(exc.status)
    return _page("portal/message.html", exc.status, g.get("invitation"), title=t(title, lang), text=t(text, lang))


@bp.errorhandler(CSRFError)
def _csrf(exc):
    return _page("portal/message.html", 400, g.get("invitation"), title=t("errors_title", _lang()),
                 text=t("form_expired", _lang()))


def _plans(inv: Invitation) -> tuple[dict | None, dict | None]:
    """``(live, used)``: the account's live plan made through the portal, and the plan this invitation agreed.

    An invitation books one plan. Its quotes are kept with the actor
    ``portal:<invitation_id>``, so its plan is the arrangement whose quote
    it issued (whatever the plan's status since). A quote is stored once
    under its id: if two invitations with the same figures quote the same
    finances on the same day, the quote is the first one's.
    """
    if _state().get("records") is None:
        return None, None
    return Access.of_request().plans(inv.account_id)     # two indexed statements, whatever the history


def _to_plan(token: str, arr: dict, lang: str):
    return redirect(url_for("portal.done", token=token, arrangement_id=arr["arrangement_id"], lang=lang), 303)


def _owed(inv: Invitation) -> dict:
    from decimal import Decimal
    acc = inv.account
    fees = acc.get("fees") or "0"
    total = Decimal(str(acc["balance"])) + Decimal(str(fees))
    return {"currency": acc["currency"], "balance": acc["balance"], "arrears": acc["arrears"], "fees": fees,
            "total": str(total)}


def _start_page(inv: Invitation, status: int = 200, **ctx):
    live, used = _plans(inv)
    return _page("portal/start.html", status, inv, owed=_owed(inv), live=used or live, used=used, **ctx)


@bp.get("/<token>")
def start(token: str):
    """What is owed, and the questions about income and spending."""
    return _start_page(g.invitation, values={})


@bp.post("/<token>")
def options(token: str):
    """The plans open to the borrower online, from the income and spending given."""
    inv = g.invitation
    lang = _lang(inv)
    used = _plans(inv)[1]
    if used:
        return _to_plan(token, used, lang)
    fin = forms.pick(request.form, ("monthly_income", "monthly_expenses", "other_debt_payments",
                                    "lump_sum_available"), ("household_size",))
    body = {"policy": inv.policy, "locale": lang, "schedules": "all", "account": dict(inv.account), "finances": fin}
    values = {k: request.form.get(k, "") for k in BORROWER_FIELDS}
    try:
        result = Access.of_request().issue(quote, body, "quote", _state()["registry"])
    except ValidationError as exc:
        errors = [e.as_dict() for e in exc.errors]
        return _start_page(inv, 422, values=values, errors=errors, invalid={e["field"] for e in errors})
    except UnknownPolicyError:
        return _refused("link_invalid", 400)
    records = _state().get("records")
    first = result.get("recommended_option_id")
    # Only what the borrower can take here: the portal's options (no approval needed) that fit their budget.
    shown = sorted((o for o in result["options"] if o["affordable"] and o["within_policy"]),
                   key=lambda o: o["option_id"] != first)
    return _page("portal/options.html", 200, inv, result=result, options=shown, values=values,
                 idem=uuid.uuid4().hex, can_accept=records is not None)


@bp.post("/<token>/accept")
def accept(token: str):
    """The borrower agrees to a plan of a quote of this account: an arrangement through the portal."""
    inv = g.invitation
    lang = _lang(inv)
    records = _state().get("records")
    if records is None:
        abort(404)
    used = _plans(inv)[1]
    if used:    # this link has booked its plan: the same form again, or another plan, shows it
        return _to_plan(token, used, lang)
    quote_id, option_id, key = (request.form.get(k, "") for k in ("quote_id", "option_id", "idem"))

    try:
        if not re.fullmatch(r"[A-Za-z0-9]{32}", key):
            raise RecordError(400, "incomplete_form", "idem", t("form_expired", lang))
        access = Access.of_request()
        stored = access.get_quote(quote_id[:40])
        if stored.get("account_id") != inv.account_id:
            raise RecordError(404, "unknown_quote", "quote_id", "No quote with this id.")
        _, answer, _ = access.accept({"quote_id": quote_id, "option_id": option_id, "accepted_by": "borrower"},
                                     "portal-" + key, f"portal:{inv.invitation_id}")
    except RecordError as exc:
        live, used = _plans(inv)
        if used:    # a request of this link booked it meanwhile
            return _to_plan(token, used, lang)
        return _page("portal/message.html", exc.status, inv, title=t("not_taken_title", lang),
                     text=t(REFUSALS.get(exc.code, "not_taken"), lang), live=live)
    except ValidationError:
        return _page("portal/message.html", 422, inv, title=t("not_taken_title", lang), text=t("not_taken", lang))
    return _to_plan(token, answer, lang)


@bp.get("/<token>/plans/<arrangement_id>")
def done(token: str, arrangement_id: str):
    """The agreed plan with its full schedule, to print or save."""
    inv = g.invitation
    records = _state().get("records")
    if records is None or len(arrangement_id) > 40:
        abort(404)
    access = Access.of_request()
    try:
        arr = access.arrangement(arrangement_id)
    except RecordError:
        abort(404)
    if arr["account_id"] != inv.account_id:
        abort(404)
    plan = stored = None
    try:
        stored = access.get_quote(arr["quote_id"])
        plan = next((o for o in stored["options"] if o["option_id"] == arr["option_id"]), None)
    except RecordError:
        pass
    return _page("portal/done.html", 200, inv, arr=arr, plan=plan, stored=stored,
                 words=PLAN_WORDS.get(arr["status"], AGREED))
