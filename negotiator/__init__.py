"""negotiator: repayment-plan negotiation calculator for consumer-debt collections.

The public face, each name loaded on first use (so ``import negotiator`` stays cheap):

- :func:`quote` (one request body in, every option and the recommendation out) and
  :func:`propose` (a what-if: the plan a payment, term or lump sum implies);
- :class:`PolicyRegistry` (the shipped policies and any folder of one's own);
- :func:`create_app` (the HTTP service's app factory) and :data:`KINDS` (the option kinds);
- :class:`ValidationError` (every bad field of a request at once).

>>> import negotiator
>>> sorted(negotiator.__all__)[:3]
['KINDS', 'PolicyRegistry', 'ValidationError']

The package is layered, every import pointing down (the import-linter
contract in ``pyproject.toml``, described in ``docs/architecture.md``).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "quote": "negotiator.engine.quote",
    "propose": "negotiator.engine.proposals",
    "PolicyRegistry": "negotiator.policy",
    "create_app": "negotiator.service",
    "KINDS": "negotiator.kinds",
    "ValidationError": "negotiator.core.errors",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'negotiator' has no attribute {name!r}")
