"""``scripts/_venv.sh``: the project folder comes from the script's own path, sourced or run."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fake_project(tmp_path: Path) -> Path:
    """A project folder with scripts/_venv.sh and a .venv already installed (stamp present: no pip run)."""
    proj = tmp_path / "proj"
    (proj / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "_venv.sh", proj / "scripts" / "_venv.sh")
    (proj / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (proj / ".venv" / "bin").mkdir(parents=True)
    (proj / ".venv" / "bin" / "python").symlink_to(sys.executable)
    digest = hashlib.sha256((proj / "pyproject.toml").read_bytes()).hexdigest()[:16]
    (proj / ".venv" / f".installed-{digest}-dev").touch()
    return proj


def test_sourced_from_another_folder_uses_the_project_folder(tmp_path):
    proj, elsewhere = fake_project(tmp_path), tmp_path / "elsewhere"
    elsewhere.mkdir()
    p = subprocess.run(["bash", "-c", f"source {proj}/scripts/_venv.sh && pwd"], cwd=elsewhere,
                       capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHON": "false"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == str(proj)
    assert not (elsewhere / ".venv").exists()


def test_sourcing_does_not_change_the_callers_shell_options(tmp_path):
    proj = fake_project(tmp_path)
    p = subprocess.run(["bash", "-c", f"source {proj}/scripts/_venv.sh; false; echo still-here; echo $-"],
                       capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert "still-here" in p.stdout and "e" not in p.stdout.split()[-1]


def test_a_failed_set_up_fails_the_script(tmp_path):
    proj = fake_project(tmp_path)
    shutil.rmtree(proj / ".venv")
    (proj / "scripts" / "test").write_text('#!/usr/bin/env bash\nset -euo pipefail\n'
                                           'source "$(dirname "$0")/_venv.sh" dev\necho ran-tests\n')
    p = subprocess.run(["bash", str(proj / "scripts" / "test")], capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "PYTHON": "false"})
    assert p.returncode != 0 and "ran-tests" not in p.stdout


# ---------------------------------------------------------------- scripts/lint-contract (issue 23, item 7)

def _bin(tmp_path: Path, npx: str | None) -> dict:
    """A PATH with only what the script needs, and a stand-in npx printing ``npx`` (none when None)."""
    bin_ = tmp_path / "bin"
    bin_.mkdir(parents=True)
    for tool in ("dirname", "cat"):
        (bin_ / tool).symlink_to(shutil.which(tool))
    (bin_ / "python3").symlink_to(sys.executable)
    if npx is not None:
        (bin_ / "npx").write_text(f"#!{shutil.which('bash')}\ncat <<'JSON'\n{npx}\nJSON\n")
        (bin_ / "npx").chmod(0o755)
    return {"PATH": str(bin_)}


def _lint(tmp_path: Path, npx: str | None) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("bash"), str(ROOT / "scripts" / "lint-contract")], env=_bin(tmp_path, npx),
                          capture_output=True, text=True, timeout=60)


def test_lint_contract_skips_and_says_why_without_npx(tmp_path):
    p = _lint(tmp_path, None)
    assert p.returncode == 0 and "npx not found; skipping the Redocly lint" in p.stderr


def test_lint_contract_fails_on_a_warning_and_passes_a_clean_report(tmp_path):
    warned = _lint(tmp_path / "a", '{"totals": {"errors": 0, "warnings": 1, "ignored": 5}}')
    assert warned.returncode == 1 and "(errors, warnings: 0 1)" in warned.stderr
    clean = _lint(tmp_path / "b", '{"totals": {"errors": 0, "warnings": 0, "ignored": 5}}')
    assert clean.returncode == 0 and "passes Redocly's recommended rules" in clean.stdout
