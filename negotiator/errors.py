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


class NegotiatorError(Exception):
    """Base class of every error negotiator raises deliberately."""

    status = 400
    title = "Bad request"


class ValidationError(NegotiatorError):
    """Input that breaks one or more rules; ``errors`` lists all of them."""

    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[FieldError]):
        self.errors = list(errors)
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
