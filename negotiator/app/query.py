"""Query parameters a ``/v1`` read takes, and the refusal of any other (issue 23).

A view declares the parameters it reads with :func:`takes`; :func:`refuse_unknown` (run before every ``/v1``
GET) answers 400 ``unknown_parameters`` naming each parameter the operation does not take, so a misspelt
``limt=5`` or an unsupported ``?page=2`` is never silently ignored. A view that declares nothing takes no
parameters.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from negotiator.app.problems import Problem, echo


def takes(*names: str) -> Callable:
    """Declare the query parameters a view reads.

    >>> @takes("limit", "cursor")
    ... def view(): ...
    >>> sorted(view.query_parameters)
    ['cursor', 'limit']
    """
    def mark(view):
        view.query_parameters = frozenset(names)
        return view
    return mark


def refuse_unknown() -> None:
    """400 ``unknown_parameters`` when this request's query names a parameter its view does not take."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return
    allowed: frozenset[str] = getattr(view, "query_parameters", frozenset())
    unknown = sorted({k for k in request.args if k not in allowed})
    if unknown:
        names = [echo(k) for k in unknown[:20]]
        raise Problem(400, "Unknown query parameters", f"Not parameters of this operation: {', '.join(names)}.",
                      "unknown_parameters",
                      errors=[{"field": n, "message": "Not a parameter of this operation."} for n in names])
