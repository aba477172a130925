"""The borrower's pages (``/portal/<token>``): what is owed, income and spending, the plans, the agreement.

The token is a signed invitation (:mod:`.invitations`): the account's
figures come from it alone, never from the form. The borrower's income and
spending are quoted by :func:`negotiator.engine.quote.quote` on the portal channel,
so only plans that need no approval are shown, without internal figures;
choosing one is :meth:`Records.accept <negotiator.store.records.Records.accept>`
on the portal channel, for a quote of this account only. An invitation books
one plan: once used, its link leads to that plan (see :func:`_plans`). Errors
under ``/portal`` (an unknown page, a wrong method, a form too large, a
failure of ours) are plain pages too (:func:`error_page`).

The way through follows the GOV.UK Design System's patterns (issue 20):

- every form is post/redirect/get: the answers (``POST /portal/<token>``) are
  kept in the signed session cookie and the plans are their own page
  (``GET /portal/<token>/options``), the booked plan too, so Back and reload
  never ask to send a form again, and the language link of any page keeps
  the page and the answers;
- the answers are read forgivingly (:mod:`.amounts`: "1,200", "１２００",
  "1200元"); what is still unreadable is an error summary at the top linking
  to each field, the message beside the field in the borrower's words, and
  "Error:" in the title;
- every page names the lender and how to reach them (``NEGOTIATOR_LENDER_*``),
  and where no plan fits, a link expired, a plan ended or the borrower told
  us of a hardship (an optional question, sent as the quote's ``hardship``),
  points to the policy's free debt advice (its ``advice`` block, as the
  engine's answers do);
- the booked plan has its own signed address (:mod:`.plan_links`) that
  outlives the invitation, with a short reference to read aloud.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from negotiator.app.access import Access
from negotiator.core import formats
from negotiator.core.errors import RecordError, UnknownPolicyError, ValidationError
from negotiator.core.limits import LIMITS
from negotiator.core.money import CURRENCIES
from negotiator.core.vocabulary import HARDSHIP_KINDS
from negotiator.engine.quote import quote
from negotiator.web import forms, plan_links
from negotiator.web.amounts import Unreadable, read_typed, whole_number
from negotiator.web.headers import page_headers
from negotiator.web.invitations import TOKEN_RE, Invitation, InvitationExpired, InvitationInvalid, verify
from negotiator.web.text import accepted_lang, error_words, helpers, lang_of, t

bp = Blueprint("portal", __name__, url_prefix="/portal", template_folder="templates")
bp.after_request(page_headers)

MONEY_FIELDS = ("monthly_income", "monthly_expenses", "other_debt_payments", "lump_sum_available")
REQUIRED = ("monthly_income", "monthly_expenses")
BORROWER_FIELDS = (*MONEY_FIELDS, "household_size", "first_payment_date", "hardship_kind", "hardship_months")
#: The answers to "Has something made it hard to pay?": each kind of hardship the engine knows (in the catalogs'
#: ``hardship_kind_*`` words), the everyday ones first, then "no" and "prefer not to say" (neither is a hardship).
HARDSHIP_CHOICES = ("unemployment", "illness", "reduced_income", "mental_health_crisis", "breathing_space",
                    "moratorium", "other", "none", "prefer_not")
#: A hardship declared without how long it may last is sent as the shortest the engine takes (one month): no
#: plan is sized on a longer relief than the borrower told us of; the free advice shown covers the rest.
UNKNOWN_HARDSHIP_MONTHS = LIMITS["hardship_months"][0]
#: The store's refusals in the borrower's words (the codes of :class:`~negotiator.core.errors.RecordError`).
REFUSALS = {"arrangement_exists": "not_taken_exists", "idempotency_key_reused": "not_taken_exists",
            "quote_expired": "not_taken_expired", "incomplete_form": "form_expired"}
#: Flags the options page leaves out: the advice (shown as its own block) and a shortfall ("needs 459.28 a month
#: more"), never pressed on a borrower no plan fits; the page says so kindly instead (CONC 7.3.10R's spirit).
UNSHOWN_FLAGS = {"debt_advice", "no_affordable_option", "no_affordable_option_deficit"}

#: The plan page's heading and sentence by the plan's status: "agreed, thank you" only while it is in place.
AGREED = ("confirm_title", "confirm_text")
PLAN_WORDS = {"cancelled": ("ended_title", "ended_text"), "superseded": ("ended_title", "ended_text"),
              "rejected": ("ended_title", "ended_text"), "broken": ("ended_title", "ended_text"),
              "completed": ("done_title", "done_text"), "pending_approval": ("waiting_title", "waiting_text")}
#: A plan in one of these is no longer in place: its address shows no schedule, only who can help.
ENDED = frozenset({"cancelled", "superseded", "rejected", "broken"})


def _state() -> dict:
    return current_app.extensions["negotiator"]


def _lang(inv: Invitation | None = None, locale: str | None = None) -> str:
    """The language asked for (``lang``), else the invitation's (or ``locale``), else the browser's, else English."""
    asked = lang_of(forms.asked_lang(), "")
    if asked:
        return asked
    own = inv.locale if inv else locale
    return lang_of(own, "") or accepted_lang(request.accept_languages) or "en"


def contact(lang: str) -> dict:
    """The lender's name and how to reach them (``NEGOTIATOR_LENDER_*``, the hours in ``lang``): on every
    borrower page."""
    cfg = _state()["config"]
    return {"name": cfg.lender_name, "phone": cfg.lender_phone, "hours": cfg.lender_hours_in(lang),
            "url": cfg.lender_url}


def advice_of(policy: str | None, lang: str) -> dict | None:
    """The policy's free debt-advice signposting in ``lang`` (its ``advice`` block, placeholders left out), for a
    page that has no quote to carry it; None when the policy is unknown or gives none."""
    if not policy:
        return None
    try:
        block = _state()["registry"].get(policy).advice_in(lang)
    except UnknownPolicyError:
        return None
    if block is None:
        return None
    return {"intro": block.intro, "entries": [dict(e) for e in block.entries]}


def _quote_advice(result: dict) -> dict | None:
    """The signposting a quote carries (its ``debt_advice`` flag and ``advice`` entries); None when it has none."""
    intro = [f["message"] for f in result["affordability"]["flags"] if f["code"] == "debt_advice"]
    if not intro and not result.get("advice"):
        return None
    return {"intro": intro[0] if intro else None, "entries": result.get("advice") or []}


def day(iso: str | None, lang: str) -> str:
    """A date as people read it in ``lang`` (CLDR's long format, :func:`negotiator.core.formats.date`)."""
    return formats.date(str(iso)[:10], lang) if iso else ""


def _page(template: str, status: int = 200, inv: Invitation | None = None, lang: str | None = None,
          token: str | None = None, **ctx):
    lang = lang or _lang(inv)
    token = token or (request.view_args or {}).get("token")
    ctx.setdefault("advice", None)
    ctx.setdefault("back", None)
    same = template != "portal/message.html"
    return render_template(template, **helpers(lang), inv=inv, token=token, contact=contact(lang),
                           day=lambda iso: day(iso, lang), switch_url=lambda code: _here(code, token, same),
                           **ctx), status


def _here(other: str, token: str | None, same_page: bool) -> str | None:
    """The address of this page in language ``other``: the same page (its GET address: the answers are kept, so
    the options page in 中文 is the options page), or for a message, the start of the link (None without one)."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    if same_page and endpoint in ("portal.start", "portal.answers", "portal.options", "portal.done", "portal.plan"):
        return url_for("portal.start" if endpoint == "portal.answers" else endpoint, **args, lang=other)
    return url_for("portal.start", token=token, lang=other) if token else None


def _refused(kind: str, status: int, locale: str | None = None, policy: str | None = None):
    lang = _lang(None, locale)
    return _page("portal/message.html", status, lang=lang, title=t(f"{kind}_title", lang), text=t(kind, lang),
                 advice=advice_of(policy, lang))


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
    """Every portal page needs a genuine, unexpired invitation (a plan's own address, its signed plan link);
    POSTs need the form's token too."""
    secret = _state().get("secret")
    if not secret:
        abort(404)
    if request.endpoint == "portal.plan":
        return _plan_link(secret)
    token = (request.view_args or {}).get("token", "")
    if not TOKEN_RE.match(token):
        return _refused("link_invalid", 400)
    try:
        g.invitation = verify(token, secret)
    except InvitationExpired as exc:
        return _refused("link_expired", 410, exc.locale, exc.policy)
    except InvitationInvalid:
        return _refused("link_invalid", 400)
    g.channel, g.key_id, g.policy = "portal", g.invitation.invitation_id, g.invitation.policy
    g.principal = f"portal:{g.invitation.invitation_id}"
    if request.method == "POST":
        current_app.extensions["csrf_protect"].protect()
    return _limit("invitation:" + g.invitation.invitation_id, g.invitation)   # every page counts in its budget


def _plan_link(secret: str):
    link = (request.view_args or {}).get("link", "")
    try:
        g.plan_link = plan_links.verify(link, secret)
    except plan_links.PlanLinkInvalid:
        return _refused("plan_link_invalid", 404)
    g.channel, g.key_id, g.policy = "portal", "plan", g.plan_link.policy
    g.principal = f"portal:plan:{g.plan_link.arrangement_id}"
    return _limit("plan:" + g.plan_link.arrangement_id, None, g.plan_link.locale)


def _limit(key: str, inv: Invitation | None, locale: str | None = None):
    """The portal's rate limit (``NEGOTIATOR_PORTAL_RATE_LIMIT``), one budget per invitation (or plan address)."""
    from negotiator.app.ratelimit import StoreUnavailable, retry_after
    limiter = _state().get("limiter")
    if limiter is None:
        return None
    lang = _lang(inv, locale)
    try:
        usage = limiter.take(key)
    except StoreUnavailable:
        return _page("portal/message.html", 503, inv, lang, title=t("busy_title", lang),
                     text=t("busy", lang, seconds=60))
    g.rate_limit = limiter.headers(usage)   # RateLimit and RateLimit-Policy on the page (negotiator.service)
    if usage.wait <= 0:
        return None
    wait = retry_after(usage.wait)
    body, status = _page("portal/message.html", 429, inv, lang, title=t("busy_title", lang),
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
    acc = inv.account
    fees = acc.get("fees") or "0"
    total = Decimal(str(acc["balance"])) + Decimal(str(fees))
    return {"currency": acc["currency"], "balance": acc["balance"], "arrears": acc["arrears"], "fees": fees,
            "total": str(total)}


# -- the answers: kept in the session, read forgivingly, refused in the borrower's words
def _kept(inv: Invitation) -> dict:
    """The answers this invitation's borrower gave last (the signed session cookie), or ``{}``."""
    kept = session.get("portal_answers")
    return dict(kept["values"]) if isinstance(kept, dict) and kept.get("invitation") == inv.invitation_id else {}


def _keep(inv: Invitation, values: dict) -> None:
    session["portal_answers"] = {"invitation": inv.invitation_id, "values": values}


def payment_days(policy_name: str) -> tuple[list[dt.date], dt.date]:
    """The dates the first payment may fall on (the policy's window: 1 to ``first_payment_max_days`` after
    today, the server's) and the policy's usual one (``first_payment_offset_days`` after today)."""
    from negotiator.app.dates import today
    policy = _state()["registry"].get(policy_name)
    start = today()
    days = [start + dt.timedelta(days=n) for n in range(1, policy.first_payment_max_days + 1)]
    usual = start + dt.timedelta(days=min(policy.first_payment_offset_days, policy.first_payment_max_days))
    return days, usual


def read_answers(values: dict, lang: str, choices: list[dt.date], currency: str) -> tuple[dict, list[dict]]:
    """``(finances, errors)``: the typed answers as the engine's finances (and the chosen first payment date under
    ``first_payment_date``), or errors: ``{"field", "message"}`` in the borrower's words, in the form's order."""
    fin: dict = {}
    errors: list[dict] = []
    digits = CURRENCIES.get(currency, 2)
    for name in MONEY_FIELDS:
        raw = values.get(name, "")
        noun = t(f"noun_{name}", lang)
        try:
            fin[name] = read_typed(raw)
        except Unreadable as exc:
            if exc.kind == "empty" and name not in REQUIRED:
                continue
            errors.append({"field": name, "message": t(f"err_{exc.kind}", lang, noun=noun)})
        else:
            exponent = Decimal(fin[name]).as_tuple().exponent
            if isinstance(exponent, int) and -exponent > digits:
                errors.append({"field": name, "message": t("err_places", lang, noun=noun, digits=digits)})
        if name == "other_debt_payments":
            low, high = LIMITS["household"]
            try:
                fin["household_size"] = whole_number(values.get("household_size"), low, high)
            except Unreadable as exc:
                key = {"empty": "err_household_empty", "invalid": "err_household_invalid"}.get(
                    exc.kind, "err_household_range")
                errors.append({"field": "household_size", "message": t(key, lang, low=low, high=high)})
    chosen = values.get("first_payment_date") or ""
    if chosen:
        if chosen not in {d.isoformat() for d in choices}:
            errors.append({"field": "first_payment_date", "message": t("err_payment_day", lang)})
        else:
            fin["first_payment_date"] = chosen
    hardship, wrong = read_hardship(values, lang)
    errors.extend(wrong)
    if hardship:
        fin["hardship"] = hardship
    return fin, errors


def read_hardship(values: dict, lang: str) -> tuple[dict | None, list[dict]]:
    """``(hardship, errors)``: the answer to "Has something made it hard to pay?" as the engine's ``hardship``
    block (None for no answer, "no" and "prefer not to say"), or errors beside the fields.

    How long it may last is optional (:data:`UNKNOWN_HARDSHIP_MONTHS` when not given: no plan assumes a longer
    relief than the borrower told us of); a length past the longest the engine plans for is not cut short
    silently: the message beside the field asks for that longest and says the plan is looked at again before it
    ends.

    >>> read_hardship({"hardship_kind": "illness", "hardship_months": "３"}, "en")
    ({'kind': 'illness', 'expected_months': 3}, [])
    >>> read_hardship({"hardship_kind": "unemployment", "hardship_months": ""}, "en")[0]
    {'kind': 'unemployment', 'expected_months': 1}
    >>> read_hardship({"hardship_kind": "prefer_not", "hardship_months": "x"}, "en"), read_hardship({}, "en")
    ((None, []), (None, []))
    >>> [e["field"] for e in read_hardship({"hardship_kind": "bankrupt", "hardship_months": "0"}, "en")[1]]
    ['hardship_kind', 'hardship_months']
    >>> read_hardship({"hardship_kind": "illness", "hardship_months": "36"}, "en")[1][0]["message"][:45]
    'If you expect it to last longer than 24 month'
    """
    kind = values.get("hardship_kind") or ""
    errors: list[dict] = []
    if kind and kind not in HARDSHIP_CHOICES:
        errors.append({"field": "hardship_kind", "message": t("err_hardship_kind", lang)})
    declared = kind in HARDSHIP_KINDS
    months = UNKNOWN_HARDSHIP_MONTHS
    if kind and kind not in ("none", "prefer_not"):     # a forged kind's months are checked too
        low, high = LIMITS["hardship_months"]
        try:
            months = whole_number(values.get("hardship_months"), low, high)
        except Unreadable as exc:
            if exc.kind == "too_large":
                errors.append({"field": "hardship_months", "message": t("err_hardship_months_long", lang,
                                                                         months=high)})
            elif exc.kind != "empty":
                errors.append({"field": "hardship_months", "message": t("err_hardship_months", lang)})
    if errors or not declared:
        return None, errors
    return {"kind": kind, "expected_months": months}, []


def engine_errors(exc: ValidationError, lang: str) -> list[dict]:
    """The engine's refusals of the answers in the borrower's words: the field it names, "Check …" beside it."""
    out, seen = [], set()
    for e in exc.errors:
        name = e.field.rsplit(".", 1)[-1]
        if name in seen:
            continue
        seen.add(name)
        if name in MONEY_FIELDS:
            out.append({"field": name, "message": t("err_check", lang, noun=t(f"noun_{name}", lang))})
        elif name == "household_size":
            out.append({"field": name, "message": t("err_household_invalid", lang)})
        elif name == "first_payment_date":
            out.append({"field": name, "message": t("err_payment_day", lang)})
        elif e.field.startswith("finances.hardship."):
            field = "hardship_kind" if name == "kind" else "hardship_months"
            out.append({"field": field, "message": t(f"err_{field}", lang)})
    return out


def _start_page(inv: Invitation, status: int = 200, values: dict | None = None, errors: list | None = None):
    live, used = _plans(inv)
    days, usual = payment_days(inv.policy)
    values = dict(values if values is not None else _kept(inv))
    values.setdefault("first_payment_date", usual.isoformat())
    lang = _lang(inv)
    return _page("portal/start.html", status, inv, owed=_owed(inv), live=used or live, used=used, values=values,
                 cur=inv.account["currency"], errors=errors or [],
                 days=[(d.isoformat(), day(d.isoformat(), lang)) for d in days],
                 last_day=day(days[-1].isoformat(), lang), hardship_choices=[
                     (c, t(f"hardship_kind_{c}" if c in HARDSHIP_KINDS else f"hardship_{c}", lang))
                     for c in HARDSHIP_CHOICES])


@bp.get("/<token>")
def start(token: str):
    """What is owed, and the questions about income and spending (the answers given before, to change)."""
    return _start_page(g.invitation)


@bp.post("/<token>")
def answers(token: str):
    """The answers: kept, then the plans at their own address (post/redirect/get); errors beside their fields."""
    inv = g.invitation
    lang = _lang(inv)
    used = _plans(inv)[1]
    if used:
        return _to_plan(token, used, lang)
    values = {k: request.form.get(k, "")[:200] for k in BORROWER_FIELDS}
    _keep(inv, values)      # kept even when wrong: the language link and Back show what was typed
    _, errors = read_answers(values, lang, payment_days(inv.policy)[0], inv.account["currency"])
    if errors:
        return _start_page(inv, 422, values, errors)
    return redirect(url_for("portal.options", token=token, lang=lang), 303)


@bp.get("/<token>/options")
def options(token: str):
    """The plans open to the borrower online, from the answers kept (none kept: the questions)."""
    inv = g.invitation
    lang = _lang(inv)
    used = _plans(inv)[1]
    if used:
        return _to_plan(token, used, lang)
    values = _kept(inv)
    if not values:
        return redirect(url_for("portal.start", token=token, lang=lang), 303)
    fin, errors = read_answers(values, lang, payment_days(inv.policy)[0], inv.account["currency"])
    if errors:      # a day since passed, or answers kept by an older page: the questions, with the reasons
        return _start_page(inv, 422, values, errors)
    first = fin.pop("first_payment_date", None)
    body = {"policy": inv.policy, "locale": lang, "schedules": "all", "account": dict(inv.account), "finances": fin}
    if first:
        body["first_payment_date"] = first
    try:
        result = Access.of_request().issue(quote, body, "quote", _state()["registry"])
    except ValidationError as exc:
        return _start_page(inv, 422, values, engine_errors(exc, lang) or [
            {"field": "monthly_income", "message": t("err_check", lang, noun=t("noun_monthly_income", lang))}])
    except UnknownPolicyError:
        return _refused("link_invalid", 400)
    recommended = result.get("recommended_option_id")
    # Only what the borrower can take here: the portal's options (no approval needed) that fit their budget.
    shown = sorted((o for o in result["options"] if o["affordable"] and o["within_policy"]),
                   key=lambda o: o["option_id"] != recommended)
    flags = [f for f in result["affordability"]["flags"] if f["code"] not in UNSHOWN_FLAGS]
    hardship = "hardship" in fin    # declared: who helps for free, whatever the quote carries
    advice = _quote_advice(result) or (advice_of(inv.policy, lang) if hardship else None)
    return _page("portal/options.html", 200, inv, result=result, options=shown, flags=flags,
                 idem=uuid.uuid4().hex, can_accept=_state().get("records") is not None, hardship=hardship,
                 advice=advice, back=url_for("portal.start", token=token, lang=lang))


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
                                     "portal-" + key, f"portal:{inv.invitation_id}", keep_refusals=False)
    except RecordError as exc:
        live, used = _plans(inv)
        if used:    # a request of this link booked it meanwhile
            return _to_plan(token, used, lang)
        return _page("portal/message.html", exc.status, inv, title=t("not_taken_title", lang),
                     text=t(REFUSALS.get(exc.code, "not_taken"), lang), live=live,
                     back=url_for("portal.options", token=token, lang=lang))
    except ValidationError:
        return _page("portal/message.html", 422, inv, title=t("not_taken_title", lang), text=t("not_taken", lang),
                     back=url_for("portal.options", token=token, lang=lang))
    return _to_plan(token, answer, lang)


def _plan_page(arr: dict, lang: str, inv: Invitation | None, policy: str, back: str | None):
    access = Access.of_request()
    plan = stored = None
    try:
        stored = access.get_quote(arr["quote_id"])
        plan = next((o for o in stored["options"] if o["option_id"] == arr["option_id"]), None)
    except RecordError:
        pass
    ended = arr["status"] in ENDED
    secret = _state()["secret"]
    address = url_for("portal.plan", link=plan_links.sign(arr, policy, lang, secret), lang=lang)
    return _page("portal/done.html", 200, inv, lang, arr=arr, plan=None if ended else plan, stored=stored,
                 ended=ended, words=PLAN_WORDS.get(arr["status"], AGREED), reference=plan_links.reference(arr),
                 address=address, back=back,
                 advice=advice_of(policy, lang) if ended else (_quote_advice(stored) if stored else None))


@bp.get("/<token>/plans/<arrangement_id>")
def done(token: str, arrangement_id: str):
    """The agreed plan with its full schedule, to print or save, and its own lasting address."""
    inv = g.invitation
    if _state().get("records") is None or len(arrangement_id) > 40:
        abort(404)
    try:
        arr = Access.of_request().arrangement(arrangement_id)
    except RecordError:
        abort(404)
    if arr["account_id"] != inv.account_id:
        abort(404)
    lang = _lang(inv)
    return _plan_page(arr, lang, inv, inv.policy, url_for("portal.start", token=token, lang=lang))


@bp.get("/plan/<link>")
def plan(link: str):
    """A booked plan at its signed address (:mod:`.plan_links`): reachable after the invitation expired; a plan
    that ended shows no schedule any more, only who can help."""
    pl = g.plan_link
    if _state().get("records") is None:
        abort(404)
    try:
        arr = Access.of_request().arrangement(pl.arrangement_id)
    except RecordError:
        abort(404)
    if arr["account_id"] != pl.account_id:
        abort(404)
    return _plan_page(arr, _lang(None, pl.locale), None, pl.policy, None)
