"""The kernels (plans, kinds, ladder) compiled by numba; and the choice of way.

:func:`way` chooses, for ``n`` items, between the kernels as plain Python
(a quote: a handful of plans, no compiler in the process) and the same
kernels compiled with numba (the array path and the batch). The compiled
functions are made from the very code objects of the plain ones, re-bound
so that a kernel calls the compiled version of another: there is one source.

``NEGOTIATOR_KERNELS`` (read at start-up, :data:`MODE`) chooses the way for every call: ``auto`` (default:
compiled from :data:`COMPILE_FROM` items, if numba imports), ``python`` or
``compiled`` (the equivalence tests run both).

Compiling needs no C compiler (numba brings LLVM in its wheel). The machine
code is cached on disk so later processes load it in milliseconds: in a
``__pycache__`` beside this package when that is writable, else in the
user's cache folder (``~/.cache/numba``), or wherever ``NUMBA_CACHE_DIR``
says; a read-only install works (see ``tests/test_kernels.py``). With no
writable folder at all, each process compiles in memory (a warning says so).
A cold compile of every kernel takes some seconds, once; a cached load,
about half a second (numba's own import included).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
import types

import numpy as np

from negotiator import kernels

#: From how many items an array call runs compiled (below it, plain Python is faster than a call into numba).
COMPILE_FROM = 48
_lock = threading.Lock()
_compiled: types.SimpleNamespace | None = None
_failed: str | None = None


def mode() -> str:
    """``auto``, ``python`` or ``compiled``, from ``NEGOTIATOR_KERNELS``."""
    value = os.environ.get("NEGOTIATOR_KERNELS", "auto").strip().lower() or "auto"
    if value not in ("auto", "python", "compiled"):
        raise ValueError(f"NEGOTIATOR_KERNELS must be auto, python or compiled, not {value!r}")
    return value


#: The way chosen at start-up; tests set it to run both ways in one process.
MODE = mode()


def way(n: int) -> tuple[types.SimpleNamespace | types.ModuleType, bool]:
    """``(kernels, plain)`` to run ``n`` items with: ``plain`` says they take Python lists, else arrays."""
    m = MODE
    if m == "python" or (m == "auto" and n < COMPILE_FROM):
        return kernels, True
    c = load(required=m == "compiled")
    return (kernels, True) if c is None else (c, False)


def run(driver: str, n: int, args, outs) -> list[np.ndarray]:
    """The kernel driver ``driver`` (of :mod:`.kernels` or :mod:`.ladder`) over ``n`` items, as :func:`way` picks.

    ``args`` go in order: numpy arrays become Python lists for the plain way
    and contiguous arrays for compiled code; numbers and flags pass as they
    are. ``outs`` are the ``(shape, dtype)`` of the outputs the driver fills,
    made as zeroed lists or arrays; they come back as arrays.

    >>> run("payment_many", 2, [np.array([10000.0, 1200.0]), np.array([0.01, 0.0]), np.array([36.0, 12.0])],
    ...     [(2, np.float64)])[0].round(2).tolist()
    [332.14, 100.0]
    """
    k, plain = way(n)
    filled: list
    if plain:
        fn = _PLAIN.get(driver) or _plain(driver)
        given = [a.tolist() if isinstance(a, np.ndarray) else a for a in args]
        filled = [_zeros_list(shape, dtype) for shape, dtype in outs]
    else:
        fn = getattr(k, driver)
        given = [np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a for a in args]
        filled = [np.zeros(shape, dtype=dtype) for shape, dtype in outs]
    fn(*given, *filled)
    return [np.asarray(f, dtype=dtype) if not isinstance(shape, tuple) else np.asarray(f, dtype=dtype).reshape(shape)
            for f, (shape, dtype) in zip(filled, outs)]


_PLAIN: dict = {}


def _plain(driver: str):
    """The plain Python driver of that name, looked up once."""
    fn = getattr(kernels, driver, None)
    if fn is None:
        from negotiator.engine import ladder
        fn = getattr(ladder, driver)
    _PLAIN[driver] = fn
    return fn


def _zeros_list(shape, dtype) -> list:
    zero = False if dtype is np.bool_ else 0.0 if dtype is np.float64 else 0
    if isinstance(shape, tuple) and len(shape) == 2:
        return [[zero] * shape[1] for _ in range(shape[0])]
    return [zero] * (shape[0] if isinstance(shape, tuple) else shape)


def _zeros_int(n):
    return np.zeros(n, dtype=np.int64)


def _zeros_float(n):
    return np.zeros(n, dtype=np.float64)


def _bind(numba, cache: bool) -> types.SimpleNamespace:
    """Every kernel compiled lazily (on first call), each calling the compiled versions of the others.

    A kernel is re-made from its code object over a copy of its module's
    globals in which every other kernel is replaced by its compiled twin
    (matched by identity, so a kernel imported under another name, as the
    kinds' dispatch does, is found too).

    Two choices keep the compiled calls cheap and the compile short:

    - :func:`negotiator.kernels.unowned` gives a view of an array that numba does not count references to:
      the ladder hands those down, as every array it is given lives in its caller for the whole call, and
      counting each array in and out of every call (an atomic add and subtract a time) cost more than the
      plan maths;
    - a kernel is compiled once for the types of its arguments, never once more for each constant a caller
      passes (numba would otherwise compile, say, ``work_out`` again for the payoff kind's literal number).
    """
    plain = _kernels()
    if cache:
        numba.config.CACHE_DIR = _cache_dir(plain)
    jit = numba.njit(cache=cache, nogil=True)
    spaces: dict[str, dict] = {}
    twins: dict[int, object] = {}
    for f in plain:
        ns = spaces.setdefault(f.__module__, {})
        twins[id(f)] = _no_literals(numba, jit(types.FunctionType(f.__code__, ns, f.__name__, f.__defaults__)))
    for name, ns in spaces.items():
        ns.update({k: twins.get(id(v), v) if callable(v) else v for k, v in vars(sys.modules[name]).items()})
    rows = {id(kernels.int_row): jit(_zeros_int), id(kernels.float_row): jit(_zeros_float),
            id(kernels.unowned): _unowned(numba)}
    for ns in spaces.values():
        ns.update({k: rows[id(v)] for k, v in ns.items() if id(v) in rows})
    from negotiator.engine import ladder
    return types.SimpleNamespace(**{n: twins[id(getattr(m, n))] for m in (kernels, ladder) for n in m.KERNELS})


def _unowned(numba):
    """The compiled :func:`negotiator.kernels.unowned`: the array's view with no owner (numba counts no references
    to it, and never frees it)."""
    from numba.core import cgutils
    from numba.extending import intrinsic

    @intrinsic
    def unowned(typingctx, arr):
        def codegen(context, builder, sig, args):
            src = context.make_array(arr)(context, builder, value=args[0])
            dst = context.make_array(arr)(context, builder)
            for field in ("nitems", "itemsize", "data", "shape", "strides"):
                setattr(dst, field, getattr(src, field))
            dst.meminfo = cgutils.get_null_value(dst.meminfo.type)
            dst.parent = cgutils.get_null_value(dst.parent.type)
            return dst._getvalue()
        return arr(arr), codegen

    return unowned


def _no_literals(numba, dispatcher):
    """``dispatcher``, typed at each call from compiled code by its arguments' types, constants as their type."""
    unliteral = numba.core.types.unliteral
    template = dispatcher.get_call_template

    def get_call_template(args, kws):
        return template(tuple(unliteral(a) for a in args), {k: unliteral(v) for k, v in kws.items()})

    dispatcher.get_call_template = get_call_template
    return dispatcher


def _cache_dir(plain: list[types.FunctionType]) -> str:
    """The folder the compiled kernels are cached in, named for the source of every kernel module.

    numba checks a cached function against its own file only; a kernel reads
    constants of other modules (the layout of ``negotiator.kinds.kernel``, a
    kind's decline numbers), so a change there must not load stale machine
    code. The folder is ``NUMBA_CACHE_DIR``, else ``__pycache__`` beside this
    package when it is writable, else the user's cache (``~/.cache/numba``),
    with a subfolder per digest of those sources.
    """
    modules = sorted({f.__module__ for f in plain} | {__name__})     # this module: how they are compiled
    digest = hashlib.sha256()
    for name in modules:
        with open(sys.modules[name].__file__ or "", "rb") as fh:
            digest.update(name.encode() + b"\0" + fh.read())
    base = os.environ.get("NUMBA_CACHE_DIR", "")
    if not base:
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        base = os.path.join(package, "__pycache__", "numba") if os.access(package, os.W_OK) else \
            os.path.join(os.path.expanduser("~"), ".cache", "numba")
    return os.path.join(base, f"negotiator-{digest.hexdigest()[:16]}")


def _kernels() -> list[types.FunctionType]:
    """Every plain kernel: the plan kernels, the ladder's, the kinds' shared ones, the dispatch and each kind's own
    (every function a kind module defines)."""
    from negotiator import kinds
    from negotiator.engine import ladder
    from negotiator.kinds import dispatch, kernel
    found = [getattr(m, n) for m in (kernels, kernel, dispatch, ladder) for n in m.KERNELS]
    for m in kinds.MODULES:
        found += [f for f in vars(m).values() if isinstance(f, types.FunctionType) and f.__module__ == m.__name__]
    return found


def load(required: bool = False) -> types.SimpleNamespace | None:
    """The compiled kernels (compiled or loaded from the cache on first use), or None when numba is missing."""
    global _compiled, _failed
    if _compiled is not None:
        return _compiled
    with _lock:
        if _compiled is None and _failed is None:
            try:
                import numba
            except ImportError as exc:             # pragma: no cover - numba is a dependency
                _failed = str(exc)
            else:
                try:
                    _compiled = _bind(numba, cache=True)
                except RuntimeError as exc:          # no folder to cache in: compile in memory, each process
                    logging.getLogger("negotiator").warning("compiled kernels are not cached: %s", exc)
                    _compiled = _bind(numba, cache=False)
    if _compiled is None and required:
        raise RuntimeError(f"NEGOTIATOR_KERNELS=compiled, but numba cannot be imported: {_failed}")
    return _compiled
