"""The agent console (``/console``): quote mid-call, try the borrower's proposal, book a plan, read the trail.

Each step is one form post answered by one page: a quote
(:func:`negotiator.engine.quote.quote` on the agent channel, stored as the API
stores it), a what-if (:func:`negotiator.engine.proposals.propose`, with the quote
beside it), booking an option (:meth:`Records.accept
<negotiator.store.records.Records.accept>`, so a supervisor's plan waits for
approval), and an account's arrangements with their events.

Access: off unless ``NEGOTIATOR_CONSOLE_AGENT_HEADER`` names the header the
lender's sign-on proxy sets to the agent's id (a request without a sane id is
refused), or in development mode, where the agent is ``dev-agent``.
"""

from __future__ import annotations

import json
import re
import uuid

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from negotiator.app.access import Access
from negotiator.core.errors import RecordError, UnknownPolicyError, ValidationError
from negotiator.core.money import CURRENCIES
from negotiator.engine.quote import quote
from negotiator.policy import EXPENSE_CATEGORIES, INCOME_CATEGORIES, PRODUCTS
from negotiator.store.records import offered
from negotiator.web import forms
from negotiator.web.headers import page_headers
from negotiator.web.switches import console_on
from negotiator.web.text import error_words, helpers, lang_of, t
from negotiator.wire import strict_json
from negotiator.wire.examples import EXAMPLE_QUOTE
from negotiator.wire.records import ID_PATTERN

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
bp.after_request(page_headers)

DEV_AGENT = "dev-agent"
_ID_RE = re.compile(ID_PATTERN)
HARDSHIP_KINDS = ("unemployment", "illness", "reduced_income", "breathing_space", "mental_health_crisis",
                  "moratorium", "other")


def _state() -> dict:
    return current_app.extensions["negotiator"]


def _lang() -> str:
    return lang_of(forms.asked_lang())


@bp.before_request
def _sign_on():
    """Who the agent is: the sign-on proxy's header, or the development agent; POSTs need the form's token."""
    cfg = _state()["config"]
    if not console_on(cfg):
        abort(404)
    if cfg.console_oidc_issuer:
        from negotiator.web.signin import signed_in
        agent = signed_in()
        if agent is None:
            return _signin_needed()
    elif cfg.console_agent_header:
        agent = request.headers.get(cfg.console_agent_header, "")
        if not _ID_RE.match(agent) or not from_proxy(cfg):
            return _page("console/message.html", 401, title=t("signon_title", _lang()), text=t("signon", _lang()))
    else:
        agent = DEV_AGENT
    g.agent, g.channel, g.key_id, g.principal = agent, "agent", "console", f"console:{agent}"
    if request.method == "POST":
        current_app.extensions["csrf_protect"].protect()
    return None


def _signin_needed():
    """Not signed in (or the sign-in expired): a page is sent to the provider, anything else is refused."""
    from negotiator.web.signin import SIGNIN_ENDPOINTS
    if request.endpoint in SIGNIN_ENDPOINTS:
        g.agent = None
        return None
    if request.method == "GET":
        return redirect(url_for("console.login", next=request.full_path if request.query_string else request.path))
    return _page("console/message.html", 401, title=t("signon_title", _lang()), text=t("signon", _lang()))


def from_proxy(cfg) -> bool:
    """True when this request's peer is one of NEGOTIATOR_TRUSTED_PROXIES: only the sign-on proxy may say who
    the agent is (a client that reaches the service directly and sends the header is not signed in)."""
    import ipaddress
    try:
        peer = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
    except ValueError:
        return False
    mapped = peer.ipv4_mapped if isinstance(peer, ipaddress.IPv6Address) else None
    return any(address in net for address in (peer, mapped) if address is not None for net in _proxies(cfg))


def _proxies(cfg):
    nets = _state().get("proxies")
    if nets is None:
        nets = _state()["proxies"] = cfg.proxies
    return nets


@bp.errorhandler(CSRFError)
def _csrf(exc):
    return _page("console/message.html", 400, title=t("errors_title", _lang()), text=t("form_expired", _lang()))


@bp.errorhandler(RecordError)
def _refused(exc: RecordError):
    """A refusal of the rights table or the records not caught by a view: a page with its status and field."""
    return _page("console/message.html", exc.status, title=t("errors_title", _lang()), errors=_errors(exc))


def error_page(exc):
    """An error under ``/console`` (while the console is on) as a console page, with the pages' headers."""
    title = t(error_words(exc.code or 500)[0], _lang())
    resp = page_headers(make_response(*_page("console/message.html", exc.code or 500, title=title)))
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        resp.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return resp


def same_page(lang: str) -> str:
    """This page's address in another language: its own path and query, ``lang`` replaced. Not ``url_for``,
    whose own keywords (``_method``, ``_external``, ...) a query may carry: ``?_method=POST`` was a 500."""
    from urllib.parse import urlencode
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", lang)]
    return request.path + "?" + urlencode(query)


def _page(template: str, status: int = 200, **ctx):
    lang = ctx.pop("lang", None) or _lang()
    ctx.setdefault("agent", g.get("agent"))
    ctx.setdefault("same_page", same_page)
    ctx.setdefault("signs_in", bool(_state()["config"].console_oidc_issuer))
    return render_template(template, **helpers(lang), **ctx), status


def _choices() -> dict:
    return {"currencies": sorted(CURRENCIES), "products": PRODUCTS, "policies": _state()["registry"].names(),
            "income_categories": INCOME_CATEGORIES, "expense_categories": EXPENSE_CATEGORIES,
            "hardship_kinds": HARDSHIP_KINDS, "store_on": _state().get("records") is not None}


def example_form() -> dict:
    """The example account of the README and the API document, to start from."""
    body = {**EXAMPLE_QUOTE, "account": {"account_id": "ACC-1001", **EXAMPLE_QUOTE["account"]}}
    return forms.form_values(body)


def _errors(exc: Exception) -> list[dict]:
    if isinstance(exc, ValidationError):
        return [e.as_dict() for e in exc.errors]
    if isinstance(exc, UnknownPolicyError):
        return [{"field": "policy", "message": "Unknown policy."}]
    assert isinstance(exc, RecordError)
    return [{"field": exc.field, "message": exc.message}]


def _ordered(result: dict) -> list[dict]:
    """The options with the recommended (else the nearest) first, the ladder's order after it."""
    first = result.get("recommended_option_id") or result.get("nearest_option_id")
    return sorted(result["options"], key=lambda o: o["option_id"] != first)


def _quote(body: dict) -> dict:
    """The quote for a request, as ``POST /v1/quotes`` gives it to an agent, stored when the store is on."""
    return _issued(body, quote, "quote")


def _propose(body: dict) -> dict:
    """The what-if for a request, as ``POST /v1/proposals`` gives it to an agent, stored when the store is on."""
    from negotiator.engine.proposals import propose
    return _issued(body, propose, "what_if")


def _issued(body: dict, engine, action: str) -> dict:
    return Access.of_request().issue(engine, body, action, _state()["registry"])


def _quote_page(body: dict, status: int = 200, **ctx):
    return _page("console/index.html", status, values=forms.form_values(body),
                 request_json=json.dumps(body, ensure_ascii=False), idem=uuid.uuid4().hex, **_choices(), **ctx)


@bp.get("/login")
def login():
    """To the OpenID provider (404 unless the console signs in with OpenID Connect)."""
    from negotiator.web import signin
    if not _state()["config"].console_oidc_issuer:
        abort(404)
    return signin.start(request.args.get("next", "/console/"))


@bp.get("/auth")
def auth():
    """Back from the provider: the agent is signed in, or told the sign-in failed."""
    from negotiator.web import signin
    if not _state()["config"].console_oidc_issuer:
        abort(404)
    try:
        return redirect(signin.finish(), 303)
    except ValueError:
        return _page("console/message.html", 401, title=t("signon_title", _lang()), text=t("signon", _lang()))


@bp.post("/logout")
def logout():
    from negotiator.web import signin
    signin.end()
    return redirect(url_for("console.index"), 303)


@bp.get("/")
def index():
    """The empty console, or the example account filled in (``?example=1``)."""
    values = example_form() if request.args.get("example") else {}
    return _page("console/index.html", values=values, idem=uuid.uuid4().hex, **_choices())


@bp.post("/quote")
def make_quote():
    """Affordability, flags and the ladder of options for the account typed or pasted."""
    lang = _lang()
    try:
        body = forms.quote_request(request.form, lang)
    except ValidationError as exc:
        return _page("console/index.html", 422, values=forms.form_values({}) | {"paste": request.form.get("paste", "")},
                     errors=_errors(exc), idem=uuid.uuid4().hex, **_choices())
    try:
        result = _quote(body)
    except (ValidationError, UnknownPolicyError) as exc:
        return _quote_page(body, 422, errors=_errors(exc))
    return _quote_page(body, result=result, options=_ordered(result))


@bp.post("/propose")
def make_proposal():
    """The what-if answer to the borrower's payment, term or lump sum, with the quote beside it."""
    lang = _lang()
    try:
        body = strict_json.loads(request.form.get("request", ""))
        if not isinstance(body, dict):
            raise ValueError
    except (ValueError, RecursionError):
        return _page("console/message.html", 400, title=t("errors_title", lang), text=t("form_expired", lang))
    body["locale"] = lang
    proposal = {k: v for k, v in (("monthly_payment", forms.value(request.form.get("p_payment"))),
                                  ("term_months", forms.value(request.form.get("p_term"))),
                                  ("lump_sum", forms.value(request.form.get("p_lump")))) if v is not None}
    for k in ("monthly_payment", "lump_sum"):
        if isinstance(proposal.get(k), int):
            proposal[k] = str(proposal[k])
    typed = {k: request.form.get(n, "") for k, n in (("monthly_payment", "p_payment"), ("term_months", "p_term"),
                                                     ("lump_sum", "p_lump"))}
    try:
        result = _quote(body)
    except (ValidationError, UnknownPolicyError) as exc:
        return _quote_page(body, 422, errors=_errors(exc))
    try:
        whatif = _propose({**body, "proposal": proposal})
    except (ValidationError, UnknownPolicyError) as exc:
        return _quote_page(body, 422, result=result, options=_ordered(result), proposal=typed,
                           whatif_errors=_errors(exc))
    # The plan when it is acceptable, else the counter-offer: booked from the what-if itself.
    offer = [o["option_id"] for o in offered(whatif)]
    return _quote_page(body, result=result, options=_ordered(result), whatif=whatif, proposal=typed,
                       whatif_offer=offer)


@bp.post("/book")
def book():
    """Book a quoted option for the borrower: active, or pending a supervisor's approval."""
    lang = _lang()
    records = _state().get("records")
    if records is None:
        return _page("console/message.html", 503, title=t("errors_title", lang), text=t("store_off", lang))
    key = request.form.get("idem", "")
    accept = {"quote_id": request.form.get("quote_id", ""), "option_id": request.form.get("option_id", ""),
              "accepted_by": g.agent}

    try:
        if not re.fullmatch(r"[A-Za-z0-9]{32}", key):
            raise RecordError(400, "idempotency-key", "idem", "The form is incomplete; quote again.")
        _, answer, _ = Access.of_request().accept(accept, "console-" + key, f"console:{g.agent}")
    except (RecordError, ValidationError) as exc:
        status = exc.status if isinstance(exc, RecordError) else 422
        return _page("console/message.html", status, title=t("errors_title", lang), errors=_errors(exc))
    return redirect(url_for("console.account", account_id=answer["account_id"], booked=answer["arrangement_id"],
                            lang=lang), 303)


@bp.get("/accounts")
def account():
    """A page of an account's arrangements (each with its instalments and events), newest first; ``before``
    continues to older ones (the page's cost does not grow with the account's history)."""
    lang = _lang()
    account_id = request.args.get("account_id", "").strip()
    records = _state().get("records")
    ctx: dict = {"account_id": account_id, "booked": request.args.get("booked")}
    if not account_id:
        return _page("console/account.html", **ctx)
    if records is None:
        return _page("console/message.html", 503, title=t("errors_title", lang), text=t("store_off", lang))
    if not _ID_RE.match(account_id):
        return _page("console/account.html", 422, errors=[
            {"field": "account_id", "message": "Must be 1 to 64 letters, digits or . _ : @ -."}], **ctx)
    access = Access.of_request()
    before = request.args.get("before") or None
    try:
        page = access.account(account_id, before=before[:40] if before else None)
    except RecordError as exc:
        return _page("console/account.html", exc.status, errors=_errors(exc), **ctx)
    for arr in page["arrangements"]:
        arr["events"] = access.events(arr["arrangement_id"])["events"]
    older = url_for("console.account", account_id=account_id, before=page["next_before"], lang=lang) \
        if page["next_before"] else None
    return _page("console/account.html", arrangements=page["arrangements"], older=older, **ctx)


# ------------------------------------------------------------------ contact and follow-up (issue 21)
@bp.get("/accounts/<account_id>/contact")
def contact(account_id: str):
    """An account's contacts (a page, newest first), its preferences, whether a call is allowed now and when
    next (the API's one rule: :func:`negotiator.app.contacts.ask`), and its follow-ups due today."""
    lang = _lang()
    if _state().get("records") is None:
        return _page("console/message.html", 503, title=t("errors_title", lang), text=t("store_off", lang))
    if not _ID_RE.match(account_id):
        abort(404)
    access = Access.of_request()
    registry = _state()["registry"]
    try:
        page = access.contacts(account_id, cursor=(request.args.get("cursor") or None))
    except ValidationError as exc:
        return _page("console/_contact.html", 422, account_id=account_id, errors=_errors(exc), contacts=[])
    prefs = access.preferences(account_id)
    policy = request.args.get("policy") or (page["contacts"][0]["policy"] if page["contacts"] else "default")
    if policy not in registry.names():
        policy = "default"
    zone = (request.args.get("timezone") or "").strip() or None
    ctx: dict = {"account_id": account_id, "contacts": page["contacts"], "prefs": prefs, "policy": policy,
                 "policies": registry.names(), "timezone": zone or prefs["timezone"] or ""}
    if page["next_cursor"]:
        ctx["older"] = url_for("console.contact", account_id=account_id, cursor=page["next_cursor"], lang=lang)
    try:
        ctx["window"] = access.contact_window(registry, account_id, "call", _state()["clock"](), zone, policy,
                                              locale=lang)
        ctx["items"] = access.follow_ups(registry, _state()["clock"].today(), zone or prefs["timezone"] or "UTC",
                                         lang, account_id=account_id)["follow_ups"]
    except ValidationError as exc:
        return _page("console/_contact.html", 422, errors=_errors(exc), **ctx)
    return _page("console/_contact.html", **ctx)


@bp.get("/follow-ups")
def follow_ups():
    """The follow-ups due today over the whole book, each with its contact window and re-plan quote."""
    lang = _lang()
    if _state().get("records") is None:
        return _page("console/message.html", 503, title=t("errors_title", lang), text=t("store_off", lang))
    zone = (request.args.get("timezone") or "UTC").strip()
    try:
        items = Access.of_request().follow_ups(_state()["registry"], _state()["clock"].today(), zone,
                                               lang)["follow_ups"]
    except ValidationError as exc:
        return _page("console/_contact.html", 422, errors=_errors(exc), book=True, items=[], timezone=zone)
    return _page("console/_contact.html", book=True, items=items, timezone=zone)
