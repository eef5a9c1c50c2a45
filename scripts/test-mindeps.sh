#!/usr/bin/env bash
# The quick tests again at the lowest versions pyproject.toml declares for the package's own dependencies
# (each `name>=floor` pinned to `name==floor`), on the lowest Python it declares (3.10), in build/venv-mindeps.
# That venv is kept: a later run reinstalls only when pyproject.toml or the floors change.
# scripts/test.sh runs this after the main suite; alone it needs .venv (scripts/test.sh makes it; uv is in
# the test extra). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=build/venv-mindeps
mkdir -p build

# pyenv's python3.10 shim fails unless 3.10 is selected, so ask pyenv for the interpreter itself first.
python310=""
# pyenv's root, even where the pyenv command is not on PATH (a non-interactive shell without its init).
pyenv_root=$( (command -v pyenv >/dev/null && pyenv root) || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for candidate in "$pyenv_root"/versions/3.10*/bin/python3.10; do
    [ -x "$candidate" ] && python310=$candidate
done
if [ -z "$python310" ] && command -v python3.10 >/dev/null; then
    python310=$(command -v python3.10)
fi
if [ -z "$python310" ] || ! "$python310" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "scripts/test-mindeps.sh: no Python 3.10, the lowest that pyproject.toml's requires-python allows;" \
        "install one (pyenv install 3.10) or raise requires-python" >&2
    exit 1
fi

# The floors, from pyproject.toml: a dependency without one fails here, so every floor is a tested one.
.venv/bin/python - >build/mindeps-floors.txt <<'PYTHON'
import re
import sys
import tomllib

with open("pyproject.toml", "rb") as file:
    dependencies = tomllib.load(file)["project"]["dependencies"]
for dependency in dependencies:
    floor = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([^,;\s]+)(,[^;]*)?", dependency.replace(" ", ""))
    if floor is None:
        sys.exit(f"scripts/test-mindeps.sh: {dependency!r} has no `>=` floor to test")
    print(f"{floor[1]}=={floor[2]}")
PYTHON

stamp=$( (cat pyproject.toml build/mindeps-floors.txt; "$python310" -VV) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$venv"
    .venv/bin/uv venv --quiet --python "$python310" "$venv"
    # --override, not a constraint: some test tools ask for more than the package's floors (cloudcoil for
    # pyyaml>=6.0.2, kubernetes-validate for jsonschema>=4.23); the package's floors are what is tested here.
    .venv/bin/uv pip install --quiet --python "$venv/bin/python" --override build/mindeps-floors.txt -e '.[test]'
    echo "$stamp" >"$venv/.stamp"
fi
echo "minimum versions: $("$venv/bin/python" -V),"$(
    sed 's/==/ /' build/mindeps-floors.txt | while read -r name version; do
        echo -n " $name $("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('$name'))")"
    done
)

# What the floors can change: units (PyYAML's nodes and resolver in the writer, jsonschema's messages,
# deepmerge), golden (whole renders, checked by the real tools), plugins (the commands are click's) and hostile
# (the reader's limits count PyYAML's nodes). tests/servers and tests/live hold the renderer to real servers,
# which the dependency versions do not change; the main run covers them.
# One case left out: under PyYAML 6.0.1's libyaml a flow list 100,000 deep is refused by the renderer's own
# depth limit (error[input-limit], exit 1) before libyaml's (error[yaml-syntax], which the case expects and
# which only the libyaml of PyYAML 6.0.4's wheels has). Refused cleanly either way, so the floor stays.
PATH="$PWD/$venv/bin:$PATH" "$venv/bin/python" -m pytest --profile=quick \
    --deselect 'tests/hostile/test_hostile_corpus.py::test_attack_is_refused_cleanly[yaml-syntax/deep-flow-nesting]' \
    tests/units tests/golden tests/plugins tests/hostile "$@"
