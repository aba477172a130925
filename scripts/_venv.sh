# Make .venv in the project folder and install the project into it (again only when pyproject.toml
# changes), then move to the project folder. Sourced by scripts/run and scripts/test; from a shell:
#   source scripts/_venv.sh [extra]      # extra: the optional dependencies to install (default: dev)
# The folder comes from this file's own path (BASH_SOURCE), not from $0, which is the shell when sourced.
_negotiator_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_negotiator_venv() (
  set -euo pipefail
  cd "$_negotiator_root"
  py=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-$1"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -U pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$1]"
    rm -f .venv/.installed-* && touch "$stamp"
  fi
)

_negotiator_venv "${1:-dev}" && cd "$_negotiator_root"
