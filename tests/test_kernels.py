"""The kernels' two ways in real processes: where compiled code lives, and who never loads the compiler."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from negotiator.engine import compiled
from negotiator.engine import plans as P

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
PROBE = """
import json, sys
from negotiator.engine import compiled, plans as P
plans = P.Plans.build(principal=[1_000_000, 500_000, 77_777], fees=[0, 25_000, 1_000], apr_ppm=[120_000, 0, 299_000],
                      flat_fee=[0, 3_000, 0], term=[36, 24, 18], hold=[0, 0, 2], hold_payment=[0, 0, 500])
s = P.solve(plans)
print(json.dumps({"level": s.level.tolist(), "final": s.final.tolist(), "term": s.term.tolist(),
                  "rate": P.disclosed_rate(plans, s).tolist(), "way": compiled.MODE,
                  "numba": "numba" in sys.modules, "file": P.__file__}))
"""


def _in_process(mode: str) -> dict:
    old = compiled.MODE
    compiled.MODE = mode
    try:
        plans = P.Plans.build(principal=[1_000_000, 500_000, 77_777], fees=[0, 25_000, 1_000],
                              apr_ppm=[120_000, 0, 299_000], flat_fee=[0, 3_000, 0], term=[36, 24, 18],
                              hold=[0, 0, 2], hold_payment=[0, 0, 500])
        s = P.solve(plans)
        return {"level": s.level.tolist(), "final": s.final.tolist(), "term": s.term.tolist(),
                "rate": P.disclosed_rate(plans, s).tolist()}
    finally:
        compiled.MODE = old


def _as_nobody(cmd: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def open_dir():
    """A folder every user can reach (pytest's own tmp_path sits under a folder only root may enter)."""
    d = Path(tempfile.mkdtemp(prefix="negotiator-ro-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_a_read_only_install_compiles_into_the_users_cache_and_agrees(open_dir):
    """An installed package folder nobody may write to: the compiled kernels go to the user's cache, same answers."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the probe as an unprivileged user")
    site, home = open_dir / "site", open_dir / "home"
    shutil.copytree(ROOT / "negotiator", site / "negotiator",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc"))
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    # -S: no site hooks, so the development checkout's editable install cannot shadow the copy;
    # the interpreter's own packages come from PYTHONPATH after it.
    packages = [p for p in sys.path if p.endswith("site-packages")]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(site), *packages]),
           "NEGOTIATOR_KERNELS": "compiled", "PYTHONDONTWRITEBYTECODE": "1"}
    python = [sys.executable, "-S"]
    # The precondition, checked rather than assumed: the unprivileged user cannot write the package folder.
    probe = _as_nobody([*python, "-c", f"open({str(site / 'negotiator' / 'x')!r}, 'w')"], env, home)
    if probe.returncode == 0 or "ermission" not in probe.stderr:
        pytest.skip(f"this machine lets the unprivileged user write the copy ({probe.stderr[-200:]!r})")
    first = _as_nobody([*python, "-c", PROBE], env, home)
    assert first.returncode == 0, first.stderr[-2000:]
    got = json.loads(first.stdout)
    assert got["way"] == "compiled" and got["numba"] and got["file"].startswith(str(site))
    want = _in_process("python")
    assert {k: got[k] for k in want} == want
    assert not list((site / "negotiator").rglob("*.nbi")), "nothing is written into the installed package"
    cached = list((home / ".cache").rglob("*.nbi"))
    assert cached, "the compiled kernels are cached under the user's home"
    # A second process loads them from that cache instead of compiling again.
    again = _as_nobody([*python, "-c", PROBE], env, home)
    assert again.returncode == 0 and json.loads(again.stdout)["level"] == want["level"]


def test_a_single_quote_never_loads_the_compiler():
    """One account is a handful of plans: plain Python, so a CLI quote pays no compiler start-up."""
    body = (ROOT / "examples" / "requests" / "card_cny.json").read_text()
    code = ("import json, sys\nfrom negotiator.engine.quote import quote\n"
            "from negotiator.policy import PolicyRegistry\n"
            f"quote(json.loads({body!r}), PolicyRegistry.load())\nprint('numba' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "NEGOTIATOR_KERNELS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"


def test_compiled_and_plain_agree_on_the_probe():
    assert _in_process("compiled") == _in_process("python")


def test_the_way_follows_the_size_in_auto_mode(monkeypatch):
    monkeypatch.setattr(compiled, "MODE", "auto")
    assert compiled.way(compiled.COMPILE_FROM - 1)[1] is True
    assert compiled.way(compiled.COMPILE_FROM)[1] is False
    monkeypatch.setattr(compiled, "MODE", "python")
    assert compiled.way(10**6)[1] is True


def test_an_unknown_way_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("NEGOTIATOR_KERNELS", "fast")
    with pytest.raises(ValueError, match="NEGOTIATOR_KERNELS must be auto, python or compiled"):
        compiled.mode()


def test_plan_results_do_not_depend_on_the_batch_they_ride_in():
    """A plan solved alone (plain Python) equals the same plan solved among many (compiled)."""
    rng = np.random.default_rng(3)
    n = 500
    plans = P.Plans.build(principal=rng.integers(10_000, 10**8, n), fees=rng.integers(0, 10**5, n),
                          apr_ppm=rng.integers(0, 400_000, n), term=rng.integers(2, 84, n))
    many = P.solve(plans)
    for i in rng.choice(n, 25, replace=False):
        one = P.solve(plans.take([i]))
        assert (one.level[0], one.final[0], one.term[0]) == (many.level[i], many.final[i], many.term[i])


def test_a_kernel_called_with_constants_compiles_once_per_argument_types():
    """``compiled._no_literals`` replaces a numba internal (``Dispatcher.get_call_template``) so a kernel called
    from compiled code with constants (``kind=1``, ``kind=2``...) is compiled once, for ``int64``, not once per
    constant. Without it numba compiles an overload per literal value, which is what made the cold compile long;
    a numba upgrade that changes the internal fails here rather than silently compiling more."""
    numba = pytest.importorskip("numba")

    def build(wrap: bool):
        @numba.njit
        def inner(x, k):
            return x * k
        if wrap:
            inner = compiled._no_literals(numba, inner)

        @numba.njit
        def outer(x):
            return inner(x, 1) + inner(x, 2) + inner(x, 3)

        assert outer(1.5) == 9.0
        return inner

    assert len(build(wrap=False).overloads) == 3        # numba's own way: one per constant
    assert [str(t) for t in build(wrap=True).overloads] == ["(float64, int64)"]
