"""The option kinds: one module each, and the registry that derives everything else from them.

Each module here (``catch_up.py``, ``instalment.py``, ...) holds one option
``type`` of the contract: a :class:`~negotiator.kinds.base.Kind` with its
flags, policy keys, figures and words, and its kernels (see
:mod:`negotiator.kinds.kernel`). Code elsewhere never asks which kind it
holds; it reads this registry:

- :data:`KINDS` and :data:`ORDER`: every kind, in display order (least concession first);
- :data:`LADDER` and :data:`BESIDE`: the ladder's rungs, and the kinds offered beside it;
- :data:`REAGING`: the kinds whose booked plans count toward the re-age limits;
- :data:`OPTION_SCHEMAS`: the policy's ``options`` section, one schema per kind;
- :func:`messages` and :func:`names`: the kinds' words in every locale;
- :mod:`negotiator.kinds.dispatch`: the kernels' widths and dispatch by kind number,
  generated from this registry (``python -m negotiator.kinds`` writes it; a test checks it is current).

Adding a kind is one new module here (with ``KIND``, ``build`` and the hooks it
needs), then ``python -m negotiator.kinds``, its preset keys, examples and tests.

>>> ORDER[:3], LADDER[-1], "step_up" in REAGING
(('catch_up', 'term_extension', 'instalment'), 'settlement', True)
"""

from __future__ import annotations

import importlib
import pkgutil
import types
from typing import Any

from negotiator.core import i18n
from negotiator.kinds.base import Kind
from negotiator.kinds.kernel import DECLINES, K_OWN, O_OWN

#: Modules of this package that are not option kinds.
_NOT_KINDS = {"base", "kernel", "dispatch"}
#: The hooks a kind module may define (else :mod:`negotiator.kinds.kernel`'s ``default_*``), with their arguments.
HOOKS = {
    "build": "decline, P, KP, kp, X, x, OI, b, st",
    "fit": "P, KP, kp, X, x, OI, b, st",
    "adjust": "P, KP, kp, X, x, OI, b, st",
    "forgone": "P, PF, X, x, OI, b, st",
    "approve": "tier, P, KP, kp, X, x, OI, b, st",
    "inside": "P, KP, kp, X, x, OI, b, st",
    "affordable": "monthly, max_pay, level, hold_pay, hold, lump, lump_funded, a_now, a_after, hardship, moratorium",
    "npv": "P, PF, X, x, OI, b, st",
    "disclose": "P, X, x, OI, b, st",
}


def _modules() -> list[types.ModuleType]:
    found = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)
             if m.name not in _NOT_KINDS and not m.name.startswith("_")]
    return sorted(found, key=lambda m: m.KIND.rank)


MODULES: tuple[types.ModuleType, ...] = tuple(_modules())
KINDS: dict[str, Kind] = {m.KIND.name: m.KIND for m in MODULES}
#: Display order: least concession first, the hardship plans beside the re-age (the kernels number kinds by it).
ORDER: tuple[str, ...] = tuple(KINDS)
#: The ladder's kinds, least concession first.
LADDER: tuple[str, ...] = tuple(k.name for k in sorted((k for k in KINDS.values() if k.rung is not None),
                                                       key=lambda k: k.rung or 0))
#: Offered beside the ladder when the borrower's situation calls for them.
BESIDE: tuple[str, ...] = tuple(k.name for k in KINDS.values() if k.rung is None)
#: Kinds that re-age the account: the re-age rules apply to them, and their booked plans count toward them.
REAGING: tuple[str, ...] = tuple(k.name for k in KINDS.values() if k.reages)
#: The policy's section of each kind (``options.<name>``).
OPTION_SCHEMAS = {k.name: k.schema for k in KINDS.values()}

assert [k.rank for k in KINDS.values()] == list(range(len(KINDS))), "ranks number the kinds 0, 1, ..."
assert [KINDS[k].rung for k in LADDER] == list(range(len(LADDER))), "rungs number the ladder 0, 1, ..."


class _Defaults:
    """A kind's policy section at its schema's defaults, read as attributes (to count its own figures)."""

    def __init__(self, data: dict[str, Any]):
        self.__dict__.update(data)


def own_widths() -> tuple[int, int]:
    """(most own policy figures, most own output figures) of any kind: the kernels' row widths beyond the common."""
    params = max(len(k.params(_Defaults(k.schema().load({})))) for k in KINDS.values())
    figures = max(len(k.figures) for k in KINDS.values())
    return params, figures


def messages() -> tuple[str, ...]:
    """The codes of every kind's own messages (their words are in the catalogs' ``reason`` context)."""
    return tuple(code for k in KINDS.values() for code in k.messages)


def names(locale: str) -> dict[str, str]:
    """Every kind's name as a borrower reads it, in ``locale`` (English where the kind has none in it)."""
    return {k.name: i18n.name("kind", k.name, locale) for k in KINDS.values()}


def decline_codes(kind: Kind) -> tuple[str | None, ...]:
    """The kind's decline reasons by the number its kernels write: None for offered, the common ones, its own."""
    return (None, *DECLINES[1:], *kind.declines)


def dispatch_source() -> str:
    """The source of :mod:`negotiator.kinds.dispatch`, derived from the registry."""
    own_params, own_figures = own_widths()
    hooks_of = {m.KIND.name: [h for h in HOOKS if isinstance(getattr(m, h, None), types.FunctionType)]
                for m in MODULES}
    lines = ['"""The kernels\' dispatch by kind number, generated from the registry by ``python -m negotiator.kinds``.',
             "",
             "Do not edit: add or change a kind in its own module and generate this again",
             "(``tests/test_kinds.py`` checks it is current).",
             '"""', "", "# ruff: noqa", "from __future__ import annotations", ""]
    defaults = sorted({f"default_{h}" for h in HOOKS if h != "build"})
    lines.append(f"from .kernel import {', '.join(defaults)}")
    for m in MODULES:
        name = m.KIND.name
        imports = ", ".join(f"{h} as {name}__{h}" for h in hooks_of[name])
        lines.append(f"from .{m.__name__.rsplit('.', 1)[1]} import {imports}")
    payoff = [k.rank for k in KINDS.values() if k.pays_off]
    lines += ["", "#: Integers per kind in ``KP``: the common ones and the most any kind has of its own.",
              f"NK = {K_OWN + own_params}",
              "#: Integers per option in ``OI``: the common ones and the most any kind has of its own.",
              f"NO = {O_OWN + own_figures}",
              "#: Kinds by number, in display order.", f"ORDER = {ORDER!r}",
              "#: The ladder's rungs by kind number, least concession first; the kinds beside it.",
              f"LADDER_IDS = {tuple(KINDS[k].rank for k in LADDER)!r}",
              f"BESIDE_IDS = {tuple(KINDS[k].rank for k in BESIDE)!r}",
              "#: The kind that a lump sum covering what is owed turns into a payoff (-1: none).",
              f"PAYOFF = {payoff[0] if payoff else -1}", ""]
    for hook, args in HOOKS.items():
        call_args = args.replace("KP, kp", "KP, k * NK") if "kp" in args else args
        sig = "k, " + args.replace(", kp", "")
        lines += ["", f"def {hook}({sig}):", f'    """Kind ``k``\'s ``{hook}``."""']
        kinds = list(KINDS)
        for i, name in enumerate(kinds):
            fn = f"{name}__{hook}" if hook in hooks_of[name] else f"default_{hook}"
            test = "if" if i == 0 else "elif"
            if i == len(kinds) - 1:
                lines += ["    else:", f"        return {fn}({call_args})"]
            else:
                lines += [f"    {test} k == {i}:", f"        return {fn}({call_args})"]
        lines.append("")
    lines += ["", "#: Every kernel here: what :mod:`negotiator.engine.compiled` compiles.",
              f"KERNELS = {tuple(HOOKS)!r}", ""]
    return "\n".join(lines)
