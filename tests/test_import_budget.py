"""The import budget of a plain render (README, "Performance"): what `nats-render` loads to render the seed
example is a known list, so a heavy import creeping onto the render path fails here and gets reviewed.

Not timed: the modules are compared by name, in a fresh process without site (as bench/run.py runs it),
so nothing the test runner or an editable install's import hook loaded hides an import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed" / "input.yaml"
SITE_PACKAGES = Path(yaml.__file__).resolve().parent.parent

# Everything of the project and of third parties a plain render of the seed example imports. The seed
# merges a configuration (config.merge), so deepmerge is on the list; jsonschema (only for invalid
# documents) and click (only for --help, --version and usage errors) are not.
RENDER_MODULES = {
    "nats_kplugin",
    "nats_kplugin.arguments",
    "nats_kplugin.cli",
    "nats_kplugin.documents",
    "nats_kplugin.manifests",
    "nats_kplugin.nats_conf",
    "nats_kplugin.output",
    "nats_kplugin.passwords",
    "nats_kplugin.pipeline",
    "nats_kplugin.problems",
    "nats_kplugin.quantities",
    "nats_kplugin.schema_check",
    "nats_kplugin.server_config",
    "nats_kplugin.spec",
}
THIRD_PARTY_PACKAGES = {"yaml", "deepmerge"}
# Standard modules that cost milliseconds and that a render has no use for.
HEAVY_STDLIB = {
    "argparse",
    "asyncio",
    "email",
    "http",
    "importlib.resources",
    "logging",
    "shutil",
    "ssl",
    "subprocess",
    "tempfile",
    "urllib.request",
    "zipfile",
}

PROBE = """
import json, sys
before = set(sys.modules)
sys.argv = ["nats-render", *sys.argv[1:]]
try:
    from nats_kplugin.cli import main
    main()
finally:
    sys.stderr.write("\\nMODULES " + json.dumps(sorted(set(sys.modules) - before)) + "\\n")
"""


def imported_by(*argv: str, stdin: bytes = b"") -> set[str]:
    """The modules a `nats-render` run imports, beyond what the bare interpreter starts with."""
    done = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, *argv],
        input=stdin,
        capture_output=True,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(SITE_PACKAGES)]),
            "NATS_RENDER_KEY": "import-budget",
        },
        timeout=60,
    )
    line = done.stderr.decode().rsplit("\nMODULES ", 1)[-1]
    return set(json.loads(line))


def _top(name: str) -> str:
    return name.split(".")[0]


def _third_party(modules: set[str]) -> set[str]:
    """Top-level packages that are neither the standard library's nor ours. Cython-built extensions
    (PyYAML's libyaml binding) register `cython_runtime` and `_cython_<version>`: no imports, left out."""
    tops = {_top(m) for m in modules} - set(sys.stdlib_module_names) - {"nats_kplugin", "cython_runtime"}
    return {name for name in tops if not name.startswith("_cython_")}


def test_a_plain_render_imports_only_the_known_modules() -> None:
    modules = imported_by(str(SEED))
    assert {m for m in modules if _top(m) == "nats_kplugin"} == RENDER_MODULES
    assert _third_party(modules) == THIRD_PARTY_PACKAGES
    assert not modules & HEAVY_STDLIB


def test_only_what_needs_them_loads_click_and_jsonschema() -> None:
    # The probe itself would notice neither, so check they really arrive where they are needed.
    assert "click" in imported_by("--help")
    invalid = (
        b"apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata: {name: x}\nspec: {replicas: many}\n"
    )
    assert "jsonschema" in imported_by(stdin=invalid)
