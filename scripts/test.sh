#!/usr/bin/env bash
# Installs the test dependencies into .venv and runs every check: ruff, mypy, the whole pytest suite
# (live tests included when run as root). This is the README's test command and what .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# The real Kubernetes components of the tests, from pinned Go modules into build/ (reused when unchanged).
bash scripts/build-kube.sh
export PATH="$PWD/.venv/bin:$PATH"
ruff check .
mypy
pytest "$@"
