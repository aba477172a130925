"""The OpenAPI operations of the contact log, the preferences, the contact window and the follow-ups (issue 21).

Called by :func:`negotiator.service.openapi.build_spec`; the shapes are the marshmallow schemas of
:mod:`negotiator.wire.contacts`.
"""

from __future__ import annotations

from negotiator.core.vocabulary import CONTACT_CHANNELS, LOCALES, PERSONS
from negotiator.wire.contacts import (
    ContactListSchema,
    ContactRequestSchema,
    ContactSchema,
    ContactWindowSchema,
    FollowUpListSchema,
    PreferencesRequestSchema,
    PreferencesSchema,
)
from negotiator.wire.records import ID_PATTERN

EXAMPLE_CONTACT = {"account_id": "ACC-1001", "policy": "us-card", "channel": "call", "direction": "outbound",
                   "at": "2027-01-04T10:00:00-05:00", "outcome": "no_answer", "person": "borrower"}
EXAMPLE_WINDOW = {"allowed": False, "reasons": [{"code": "outside_hours", "message": "Outside the hours contact may "
                  "be made (08:00 to 21:00, the borrower's local time)."}],
                  "next_allowed_at": "2027-01-05T08:00:00-05:00"}
_ACCOUNT = {"name": "account_id", "in": "path", "required": True, "example": "ACC-1001",
            "schema": {"type": "string", "pattern": ID_PATTERN, "maxLength": 64}}
_LOCALE = {"name": "locale", "in": "query", "required": False, "description": "The reasons' language.",
           "schema": {"type": "string", "enum": list(LOCALES)}}
_ZONE = {"type": "string", "maxLength": 64, "example": "America/New_York"}


def add_contact_operations(spec, ok, problem, secured) -> None:
    """Register the schemas and paths; ``ok``/``problem`` build responses as the rest of the document does."""
    for name, schema in (("ContactRequest", ContactRequestSchema), ("Contact", ContactSchema),
                         ("ContactList", ContactListSchema), ("PreferencesRequest", PreferencesRequestSchema),
                         ("Preferences", PreferencesSchema), ("ContactWindow", ContactWindowSchema),
                         ("FollowUpList", FollowUpListSchema)):
        spec.components.schema(name, schema=schema)

    def body(schema: str, example: dict) -> dict:
        return {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"}, "example": example}}}

    def p(status: int, description: str) -> dict:
        return problem(status, description)

    base = {401: p(401, "No API key, or an unknown one."),
            429: p(429, "Rate limit of a portal key exceeded; retry after `Retry-After` seconds."),
            503: p(503, "The store is switched off.")}
    writes = {400: p(400, "Malformed body or unknown fields."), 413: p(413, "Body larger than the limit."),
              415: p(415, "Content-Type is not application/json.")}

    def responses(*pairs, more=None):
        out = {str(k): v for k, v in pairs}
        out.update({str(k): v for k, v in {**base, **(more or {})}.items()})
        return out

    spec.path(path="/v1/contacts", operations={"post": {
        "operationId": "recordContact", "summary": "Record a contact with a borrower or a third party",
        "tags": ["contact"], "security": secured,
        "description": "The contact log is append-only. Agent, supervisor and batch keys record any contact; a "
                       "portal key only the borrower's own inbound contact (`direction: inbound`, `person: "
                       "borrower`). Every bad field is named.",
        "requestBody": body("ContactRequest", EXAMPLE_CONTACT),
        "responses": responses((201, ok("Contact", "Recorded.")), more={
            **writes, 403: p(403, "This key's channel cannot record contacts."),
            422: p(422, "Invalid input: `errors` names every bad field.")})}})
    spec.path(path="/v1/accounts/{account_id}/contacts", operations={"get": {
        "operationId": "listAccountContacts", "summary": "An account's contact log, a page at a time",
        "tags": ["contact"], "security": secured,
        "description": "Newest first, in the caller's view (a portal key: the contacts the portal recorded).",
        "parameters": [_ACCOUNT],
        "responses": responses((200, ok("ContactList", "Newest first.")), more={
            403: p(403, "This key's channel cannot list contacts."),
            422: p(422, "`limit` not 1 to 100, or a bad account id.")})}})
    spec.path(path="/v1/accounts/{account_id}/contact-preferences", operations={"post": {
        "operationId": "setContactPreferences", "summary": "Record the borrower's contact preferences",
        "tags": ["contact"], "security": secured,
        "description": "Channels refused, times not to be contacted, a preferred channel, a language, the "
                       "borrower's time zone and a moratorium in force. A new record replaces the rules in force "
                       "(the old one is kept).",
        "parameters": [_ACCOUNT],
        "requestBody": body("PreferencesRequest", {"refused": ["sms"], "quiet": [{"start": "12:00", "end": "14:00"}],
                                                   "preferred": "email", "language": "en",
                                                   "timezone": "America/New_York"}),
        "responses": responses((201, ok("Preferences", "Recorded; these are now in force.")), more={
            **writes, 403: p(403, "This key's channel cannot record preferences."),
            422: p(422, "Invalid input: `errors` names every bad field.")})}})
    spec.path(path="/v1/accounts/{account_id}/contact-window", operations={"get": {
        "operationId": "getContactWindow", "summary": "May we contact the borrower now? If not, when next?",
        "tags": ["contact"], "security": secured,
        "description": "The policy's `contact` block applied to the account's stored log and preferences: hours "
                       "in the borrower's local time, call counts per person, the days after a conversation, "
                       "refused channels, third parties and a moratorium. The same rule answers the console and "
                       "the follow-ups. Ask before each contact.",
        "parameters": [_ACCOUNT,
                       {"name": "channel", "in": "query", "required": True,
                        "schema": {"type": "string", "enum": list(CONTACT_CHANNELS)}},
                       {"name": "at", "in": "query", "required": False, "description": "A date-time with its UTC "
                        "offset (default: the server's time).", "schema": {"type": "string", "format": "date-time"}},
                       {"name": "timezone", "in": "query", "required": False, "description": "The borrower's IANA "
                        "time zone (default: the one in their preferences; 422 when neither).", "schema": _ZONE},
                       {"name": "policy", "in": "query", "required": False, "description": "Default `default`.",
                        "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$"}},
                       {"name": "person", "in": "query", "required": False, "description": "Default `borrower`.",
                        "schema": {"type": "string", "enum": list(PERSONS)}}, _LOCALE],
        "responses": responses((200, ok("ContactWindow", "The answer.", EXAMPLE_WINDOW)), more={
            403: p(403, "This key's channel cannot ask (portal keys)."),
            404: p(404, "No policy with this name."),
            422: p(422, "Invalid input: `errors` names every bad parameter.")})}})
    spec.path(path="/v1/follow-ups", operations={"get": {
        "operationId": "listFollowUps", "summary": "The day's reminders and follow-ups with re-plan quotes",
        "tags": ["contact"], "security": secured,
        "description": "A reminder for each unpaid instalment due within the policy's `contact.reminder_days`, and "
                       "a follow-up for each overdue or missed instalment with the account's re-plan quote (kept, "
                       "so it can be accepted with `replaces`), each with its contact window.",
        "parameters": [{"name": "as_of", "in": "query", "required": False, "description": "The day (default "
                        "today); within NEGOTIATOR_AS_OF_DAYS (400) of today.",
                        "schema": {"type": "string", "format": "date"}},
                       {"name": "timezone", "in": "query", "required": False, "description": "The zone of "
                        "borrowers without one in their preferences (default UTC).", "schema": _ZONE}, _LOCALE],
        "responses": responses((200, ok("FollowUpList", "The day's work, by account.")), more={
            403: p(403, "This key's channel cannot read follow-ups (portal keys)."),
            422: p(422, "Invalid input: `errors` names every bad parameter.")})}})
    spec.tag({"name": "contact", "description": "The contact log, the borrower's preferences, whether contact is "
                                                "allowed now, and the day's follow-ups."})
