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

import re
import uuid

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, session, url_for
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
    g.agent = None
    return _session_lost(401)


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
    """A form whose token the session does not hold: the session ended (signed out, expired, a new browser)."""
    return _session_lost(400)


def _session_lost(status: int):
    lang = _lang()
    again = url_for("console.login", lang=lang) if _state()["config"].console_oidc_issuer \
        else url_for("console.index", lang=lang)
    return _page("console/message.html", status, title=t("session_lost_title", lang), text=t("session_lost", lang),
                 link=again, link_text=t("sign_in_again", lang))


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
    from negotiator.web.console_view import helpers as console_helpers
    from negotiator.web.console_view import zone
    lang = ctx.pop("lang", None) or _lang()
    cfg = _state()["config"]
    ctx.setdefault("agent", g.get("agent"))
    ctx.setdefault("same_page", same_page)
    ctx.setdefault("signs_in", bool(cfg.console_oidc_issuer))
    ctx.setdefault("supervisor", is_supervisor())
    return render_template(template, **helpers(lang), **console_helpers(lang, zone(cfg.console_timezone)),
                           **ctx), status


def is_supervisor() -> bool:
    """Whether the signed-in agent is one of NEGOTIATOR_CONSOLE_SUPERVISORS (in development mode, the
    development agent is)."""
    agent = g.get("agent")
    if not agent:
        return False
    cfg = _state()["config"]
    listed = {a.strip() for a in cfg.console_supervisors.split(",") if a.strip()}
    return agent in listed or (agent == DEV_AGENT and cfg.dev)


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
    """The quote form: empty, the example account (``?example=1``), or what the record of ``account_id`` knows."""
    values = example_form() if request.args.get("example") else {}
    account_id = request.args.get("account_id", "").strip()
    if account_id and _ID_RE.match(account_id) and _state().get("records") is not None:
        last = Access.of_request().last_quote(account_id)
        values = forms.form_values(last["request"]) if last else {"account_id": account_id}
        values.pop("as_of", None)
    return _page("console/index.html", values=values, **_choices())


def _form_errors(exc: Exception, values: dict, status: int = 422):
    return _page("console/index.html", status, values=values, errors=_errors(exc), **_choices())


@bp.post("/quote")
def make_quote():
    """Affordability, flags and the ladder of options for the account typed, pasted, or as last stored
    (``from_quote``): stored, then shown at its own address (post/redirect/get)."""
    lang = _lang()
    from_quote = request.form.get("from_quote", "").strip()
    try:
        if from_quote:
            stored = Access.of_request().stored_quote(from_quote[:40])
            body = {k: v for k, v in stored["request"].items() if k not in ("as_of", "proposal")}
            body.update(locale=lang, schedules="all")
        else:
            body = forms.quote_request(request.form, lang)
    except ValidationError as exc:
        return _form_errors(exc, forms.form_values({}) | {"paste": request.form.get("paste", "")})
    try:
        result = _quote(body)
    except (ValidationError, UnknownPolicyError) as exc:
        return _form_errors(exc, forms.form_values(body))
    return redirect(url_for("console.quote_page", quote_id=result["quote_id"], lang=lang), 303)


def _live(account_id: str | None) -> dict | None:
    if not account_id or _state().get("records") is None:
        return None
    return Access.of_request().plans(account_id)[0]


def _show_quote(quote_id: str, status: int = 200, whatif_id: str | None = None, **ctx):
    """The quote page: results and the what-if side by side, the figures to change below."""
    access = Access.of_request()
    stored = access.stored_quote(quote_id)
    result, body = stored["response"], stored["request"]
    if "options" not in result:
        abort(404)
    whatif = None
    if whatif_id:
        asked = access.stored_quote(whatif_id[:40])
        if asked["account_id"] == stored["account_id"] and "proposal" in asked["response"]:
            whatif = asked["response"]
            prop = whatif.get("proposal") or {}
            ctx.setdefault("proposal", {k: str(v) for k, v in prop.items()})
            ctx["whatif_offer"] = [o["option_id"] for o in offered(whatif)]
    invite = session.get("console_invite")
    return _page("console/quote.html", status, values=forms.form_values(body), result=result,
                 options=_ordered(result), whatif=whatif, stored=stored, live=_live(stored["account_id"]),
                 idem=uuid.uuid4().hex, invite=invite if invite and invite.get("quote_id") == quote_id else None,
                 **_choices(), **ctx)


@bp.get("/quotes/<quote_id>")
def quote_page(quote_id: str):
    """A stored quote (``?whatif=`` a what-if asked on it): what the agent sees after quoting or trying."""
    if _state().get("records") is None:
        return _page("console/message.html", 503, title=t("errors_title", _lang()), text=t("store_off", _lang()))
    return _show_quote(quote_id[:40], whatif_id=request.args.get("whatif") or None)


@bp.post("/propose")
def make_proposal():
    """The what-if answer to the borrower's payment, term or lump sum on a stored quote's figures, stored and
    shown beside the quote (post/redirect/get)."""
    lang = _lang()
    quote_id = request.form.get("quote_id", "")[:40]
    stored = Access.of_request().stored_quote(quote_id)
    body = {k: v for k, v in stored["request"].items() if k != "proposal"}
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
        whatif = _propose({**body, "proposal": proposal})
    except (ValidationError, UnknownPolicyError) as exc:
        return _show_quote(quote_id, 422, proposal=typed, whatif_errors=_errors(exc))
    return redirect(url_for("console.quote_page", quote_id=quote_id, whatif=whatif["quote_id"], lang=lang), 303)


def _reason(name: str, required: bool) -> str | None:
    """A reason typed in a form: trimmed, at most 200 characters; a RecordError naming the field otherwise."""
    text = " ".join(request.form.get(name, "").split())
    if not text:
        if required:
            raise RecordError(422, "reason_required", name, t("reason_needed", _lang()))
        return None
    if len(text) > 200:
        raise RecordError(422, "reason_too_long", name, t("reason_too_long", _lang()))
    return text


@bp.post("/book")
def book():
    """Book a quoted option for the borrower: active, or pending a supervisor's approval; over a live plan,
    its replacement, with the reason the agent gives."""
    lang = _lang()
    records = _state().get("records")
    if records is None:
        return _page("console/message.html", 503, title=t("errors_title", lang), text=t("store_off", lang))
    key = request.form.get("idem", "")
    accept = {"quote_id": request.form.get("quote_id", ""), "option_id": request.form.get("option_id", ""),
              "accepted_by": g.agent}
    try:
        if not re.fullmatch(r"[A-Za-z0-9]{32}", key):
            raise RecordError(400, "idempotency_key_invalid", "idem", "The form is incomplete; quote again.")
        replaces = request.form.get("replaces", "").strip()
        if replaces:
            accept["replaces"] = replaces[:40]
            accept["reason"] = _reason("reason", required=True)
        _, answer, _ = Access.of_request().accept(accept, "console-" + key, f"console:{g.agent}",
                                                  keep_refusals=False)
    except (RecordError, ValidationError) as exc:
        status = exc.status if isinstance(exc, RecordError) else 422
        return _page("console/message.html", status, title=t("errors_title", lang), errors=_errors(exc),
                     back=request.form.get("back"))
    return redirect(url_for("console.account", account_id=answer["account_id"], booked=answer["arrangement_id"],
                            lang=lang), 303)


@bp.post("/cancel")
def cancel():
    """Cancel the account's live plan, with the agent's reason; back to the account (post/redirect/get)."""
    lang = _lang()
    arrangement_id = request.form.get("arrangement_id", "")[:40]
    try:
        reason = _reason("reason", required=True)
        done = Access.of_request().cancel(arrangement_id, {"cancelled_by": g.agent, "reason": reason})
    except (RecordError, ValidationError) as exc:
        status = exc.status if isinstance(exc, RecordError) else 422
        return _page("console/message.html", status, title=t("errors_title", lang), errors=_errors(exc))
    return redirect(url_for("console.account", account_id=done["account_id"], cancelled=arrangement_id,
                            lang=lang), 303)


def _supervisor_access() -> Access:
    """The store as a supervisor uses it: the ``supervisor`` channel of the rights table, as this agent."""
    return Access(_state().get("records"), "supervisor", f"console:{g.agent}", g.get("request_id"))


@bp.get("/queue")
def queue():
    """The supervisors' queue: plans waiting for approval, the longest waiting first."""
    lang = _lang()
    if not is_supervisor():
        return _page("console/message.html", 403, title=t("supervisors_only_title", lang),
                     text=t("supervisors_only", lang))
    if _state().get("records") is None:
        return _page("console/message.html", 503, title=t("errors_title", lang), text=t("store_off", lang))
    decided = request.args.get("decided")
    done = None
    if decided:
        try:
            done = _supervisor_access().arrangement(decided[:40])
        except RecordError:
            done = None
    return _page("console/queue.html", waiting=_supervisor_access().pending(), done=done)


@bp.post("/decide")
def decide():
    """Approve or reject a waiting plan (a reason is required to reject); back to the queue."""
    lang = _lang()
    if not is_supervisor():
        return _page("console/message.html", 403, title=t("supervisors_only_title", lang),
                     text=t("supervisors_only", lang))
    arrangement_id = request.form.get("arrangement_id", "")[:40]
    decision = request.form.get("decision", "")
    access = _supervisor_access()
    try:
        if decision not in ("approve", "reject"):
            raise RecordError(422, "decision_required", "decision", "Approve or reject.")
        reason = _reason("reason", required=decision == "reject")
        if access.arrangement(arrangement_id)["accepted_by"] == g.agent:
            raise RecordError(403, "own_booking", "arrangement_id", t("own_booking", lang))
        body = {"decision": decision, "decided_by": g.agent, **({"reason": reason} if reason else {})}
        access.decide(arrangement_id, body)
    except (RecordError, ValidationError) as exc:
        status = exc.status if isinstance(exc, RecordError) else 422
        return _page("console/message.html", status, title=t("errors_title", lang), errors=_errors(exc))
    return redirect(url_for("console.queue", decided=arrangement_id, lang=lang), 303)


@bp.post("/invite")
def invite():
    """A portal invitation for the quoted account (as ``POST /v1/invitations`` makes one), shown on the quote."""
    import datetime as dt
    import time

    from negotiator.app import rights
    from negotiator.web import invitations
    lang = _lang()
    quote_id = request.form.get("quote_id", "")[:40]
    secret = _state().get("secret")
    try:
        rights.require("agent", "invite", f"console:{g.agent}")
        if not secret:
            raise RecordError(503, "portal_off", "quote_id", t("portal_off", lang))
        stored = Access.of_request().stored_quote(quote_id)
        req = invitations.load({"account": stored["request"]["account"],
                                "policy": stored["request"].get("policy", "default"), "locale": lang})
        invitations.check_account(req, _state()["registry"])
    except (RecordError, ValidationError) as exc:
        status = exc.status if isinstance(exc, RecordError) else 422
        return _page("console/message.html", status, title=t("errors_title", lang), errors=_errors(exc))
    expires = int(time.time()) + _state()["config"].invitation_hours * 3600
    inv = invitations.Invitation("i_" + uuid.uuid4().hex[:20], invitations._wire(req["account"]), req["policy"],
                                 req["locale"], expires)
    session["console_invite"] = {"quote_id": quote_id, "url": invitations.portal_url(invitations.sign(inv, secret)),
                                 "account_id": inv.account_id,
                                 "expires_at": dt.datetime.fromtimestamp(expires, dt.UTC).isoformat()}
    return redirect(url_for("console.quote_page", quote_id=quote_id, lang=lang), 303)


@bp.get("/accounts")
def account():
    """Find an account: what its record knows (the last quote's figures), its live plan and its history (a page
    of arrangements with their events, newest first; ``before`` continues to older ones)."""
    lang = _lang()
    account_id = request.args.get("account_id", "").strip()
    records = _state().get("records")
    ctx: dict = {"account_id": account_id, "booked": request.args.get("booked"),
                 "cancelled": request.args.get("cancelled")}
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
    last = access.last_quote(account_id) if not before else None
    live = next((a for a in page["arrangements"] if a["status"] in ("active", "at_risk", "pending_approval")),
                None) if not before else None
    return _page("console/account.html", arrangements=page["arrangements"], older=older, last=last,
                 live=live or (None if before else _live(account_id)), idem=uuid.uuid4().hex, **ctx)


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
