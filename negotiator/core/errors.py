"""The one exception hierarchy of negotiator.

Every error the engine raises on purpose is a :class:`NegotiatorError`; the
CLI turns them into a non-zero exit and the HTTP service into
``application/problem+json``. Validation errors carry every bad field at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One bad input: the dotted path of the field and the reason."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def flatten_messages(messages, prefix: str = "", root: str = "(body)") -> list[tuple[str, str]]:
    """marshmallow's nested error messages as ``(dotted.path, message)`` pairs.

    Errors of a whole object (marshmallow's ``_schema`` key) take the
    object's own path, or ``root`` at the top.

    >>> flatten_messages({"account": {"balance": ["Not a valid number."], "_schema": ["Bad."]}})
    [('account.balance', 'Not a valid number.'), ('account', 'Bad.')]
    """
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            out += flatten_messages(value, path, root)
    elif isinstance(messages, list):
        for m in messages:
            out += flatten_messages(m, prefix, root) if isinstance(m, (dict, list)) else [(prefix or root, str(m))]
    else:
        out.append((prefix or root, str(messages)))
    return out


class NegotiatorError(Exception):
    """Base class of every error negotiator raises deliberately."""

    status = 400
    title = "Bad request"


class ValidationError(NegotiatorError):
    """Input that breaks one or more rules; ``errors`` lists all of them."""

    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[FieldError], locale: str = "en"):
        self.errors = list(errors)
        #: The language of the messages (the request's ``locale``; see :mod:`negotiator.wire.messages`).
        self.locale = locale
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class UnknownPolicyError(NegotiatorError):
    """A policy name that no loaded policy carries."""

    status = 404
    title = "Unknown policy"

    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = known
        super().__init__(f"unknown policy {name!r}; known: {', '.join(known)}")


class PolicyError(NegotiatorError):
    """A policy file that is malformed; names the file and the key."""

    title = "Invalid policy"

    def __init__(self, source: str, key: str, message: str):
        self.source = source
        self.key = key
        super().__init__(f"{source}: {key}: {message}")


class RecordError(NegotiatorError):
    """A request the stored records refuse: unknown or expired quote, conflict, wrong channel.

    ``code`` is stable and machine-readable (``quote_expired``,
    ``arrangement_exists``, ...); ``field`` names the input at fault.
    Nothing is written when one is raised.
    """

    title = "Refused"

    #: True when the refusal is an Idempotency-Key's stored answer given again.
    replayed = False

    def __init__(self, status: int, code: str, field: str, message: str):
        self.status, self.code, self.field, self.message = status, code, field, message
        super().__init__(f"{field}: {message}")


class StoreError(RuntimeError):
    """The store cannot be used as configured (bad URL, unreachable, schema not at head)."""


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message starts with the variable's name."""

    def __init__(self, variable: str, message: str):
        self.variable = variable
        super().__init__(f"{variable}: {message}")
