#!/usr/bin/env bash
# Installs the test dependencies into .venv and runs every check: ruff (lint, complexity and format), mypy,
# the whole pytest suite (--profile=thorough: the slow real-server groups and the ci hypothesis profile; the
# live tests when run as root), then the quick tests at the lowest declared dependency versions on Python 3.10
# (scripts/test-mindeps.sh). This is the README's test command and what .ci/run runs. Arguments go to the
# first pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# The real Kubernetes components of the tests, from pinned Go modules into build/ (reused when unchanged).
bash scripts/build-kube.sh
export PATH="$PWD/.venv/bin:$PATH"
# node, the ECMA regex engine that tests/units/test_schema_check.py compares the schema's patterns in; under
# CI=true that test fails without it instead of skipping.
if ! command -v node >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs
fi
# nft, with which tests/live/test_network_policy.py enforces the rendered NetworkPolicy. The live tests run
# only as root, and as root they fail without it.
if [ "$(id -u)" = 0 ] && ! command -v nft >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables
fi
ruff check .
ruff format --check .
mypy
pytest --profile=thorough "$@"
bash scripts/test-mindeps.sh
