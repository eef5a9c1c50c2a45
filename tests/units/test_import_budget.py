"""The import budget of a plain render (docs/performance.md): what `nats-render`, and the Argo CD and KRM
adapters, load to render the seed example is a known list, so a heavy import creeping onto the render path
fails here and gets reviewed.

Not timed: the modules are compared by name, in a fresh process without site (as bench/run.py runs it),
so nothing the test runner or an editable install's import hook loaded hides an import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "fixtures" / "seed" / "input.yaml"
SITE_PACKAGES = Path(yaml.__file__).resolve().parent.parent

# Everything of the project and of third parties a plain render of the seed example imports, by entry
# point: the command line, and the Argo CD and KRM adapters (Argo CD runs one per refresh of every
# Application). The seed merges a configuration (config.merge), so deepmerge is on the list; jsonschema
# (only for invalid documents) and click (only for --help, --version and usage errors) are not.
PIPELINE = {
    "nats_kplugin",
    "nats_kplugin.codes",  # the table of problem codes: one Enum, no imports of its own
    "nats_kplugin.pipeline",
    "nats_kplugin.problems",
    "nats_kplugin.documents",
    "nats_kplugin.documents.loader",
    "nats_kplugin.documents.positions",
    "nats_kplugin.documents.reader",
    "nats_kplugin.documents.sources",
    "nats_kplugin.documents.spool",
    "nats_kplugin.documents.writer",
    "nats_kplugin.documents.yaml_v2",
    "nats_kplugin.spec",
    "nats_kplugin.spec.digests",
    "nats_kplugin.spec.fast_check",
    "nats_kplugin.spec.model",
    "nats_kplugin.spec.names",
    "nats_kplugin.spec.passwords",
    "nats_kplugin.spec.presets",
    "nats_kplugin.spec.quantities",
    "nats_kplugin.spec.reading",
    "nats_kplugin.spec.schema",
    "nats_kplugin.nats_server",
    "nats_kplugin.nats_server.auth_checks",
    "nats_kplugin.nats_server.checks",
    "nats_kplugin.nats_server.config",
    "nats_kplugin.nats_server.encoder",
    "nats_kplugin.nats_server.listeners",
    "nats_kplugin.nats_server.merge_reader",
    "nats_kplugin.nats_server.option_table",
    "nats_kplugin.nats_server.pod_filesystem",
    "nats_kplugin.nats_server.reload_table",
    "nats_kplugin.nats_server.topology",  # server names among clusters: no imports of its own
    "nats_kplugin.nats_server.leaf_domains",  # the stream's leaf-node check: imports on use only
    "nats_kplugin.nats_server.secret_files",  # read by the path check and the pod's volumes: data, no imports
    "nats_kplugin.nats_server.start_rules",
    "nats_kplugin.nats_server.tls_values",
    "nats_kplugin.nats_server.values",
    "nats_kplugin.kubernetes",
    "nats_kplugin.kubernetes.objects",
    # TLS, metrics, the NetworkPolicy and the chart-shaped resolver: small modules of plain data, no
    # imports of their own.
    "nats_kplugin.kubernetes.certificates",
    "nats_kplugin.kubernetes.metrics",
    "nats_kplugin.kubernetes.network_policy",
    "nats_kplugin.kubernetes.sync",
    "nats_kplugin.nats_server.resolver",
    "nats_kplugin.nats_server.tls",
}
# What every entry point shares as a process, and the one table of the render options.
ENTRY = {
    "nats_kplugin.entrypoints",
    "nats_kplugin.entrypoints.process",
    "nats_kplugin.entrypoints.options",
}
RENDER_MODULES = {
    "cli": PIPELINE
    | ENTRY
    | {
        "nats_kplugin.entrypoints.cli",
        "nats_kplugin.entrypoints.arguments",
        "nats_kplugin.entrypoints.execute",
    },
    "argocd": PIPELINE | ENTRY | {"nats_kplugin.entrypoints.argocd"},
    "krm": PIPELINE | ENTRY | {"nats_kplugin.entrypoints.krm"},
}
THIRD_PARTY_PACKAGES = {"yaml", "deepmerge"}
# Standard modules that cost milliseconds and that a render has no use for. dataclasses (inspect, ast,
# dis, tokenize) and its generated methods once took 40% of a render; value objects are NamedTuples.
# hashlib (OpenSSL), hmac, fractions (with decimal) and ipaddress cost a seed render 4%, 3% and 2% of its
# instructions for a digest, a few sizes and a plain port (docs/performance.md, issue 22).
HEAVY_STDLIB = {
    "argparse",
    "decimal",
    "fractions",
    "hashlib",
    "hmac",
    "ipaddress",
    "asyncio",
    "dataclasses",
    "inspect",
    "pathlib",
    "pkgutil",
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
import builtins, json, os, sys
before = set(sys.modules)
def _exit(code):  # the entry points leave by os._exit (process.exit_now): let this report run first
    raise SystemExit(code)
os._exit = _exit
compiled = []
_compile = builtins.compile
def _counting_compile(source, filename, mode, *args, **kwargs):
    if not sys._getframe(1).f_code.co_filename.startswith("<frozen importlib"):  # a module without .pyc
        compiled.append(f"{filename} ({mode})")
    return _compile(source, filename, mode, *args, **kwargs)
builtins.compile = _counting_compile
module, function = sys.argv[1:3]
sys.argv = [module, *sys.argv[3:]]
try:
    getattr(__import__(module, fromlist=[function]), function)()
finally:
    sys.stderr.write("\\nMODULES " + json.dumps(sorted(set(sys.modules) - before)) + "\\n")
    sys.stderr.write("COMPILED " + json.dumps(compiled) + "\\n")
"""
ENTRIES = {
    "cli": ("nats_kplugin.entrypoints.cli", "main"),
    "argocd": ("nats_kplugin.entrypoints.argocd", "entry"),
    "krm": ("nats_kplugin.entrypoints.krm", "entry"),
}


def probe(entry: str, *argv: str, stdin: bytes = b"", cwd: Path = ROOT) -> tuple[set[str], list[str]]:
    """The modules a run of an entry point imports, beyond what the bare interpreter starts with, and the
    sources it compiles at run time."""
    done = subprocess.run(
        [sys.executable, "-S", "-c", PROBE, *ENTRIES[entry], *argv],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(SITE_PACKAGES)]),
            "NATS_RENDER_KEY": "import-budget",
        },
        timeout=60,
    )
    assert done.returncode in (0, 1, 2), done.stderr.decode()
    modules, _, compiled = done.stderr.decode().rsplit("\nMODULES ", 1)[-1].partition("\nCOMPILED ")
    return set(json.loads(modules)), json.loads(compiled)


def imported_by(entry: str, *argv: str, stdin: bytes = b"", cwd: Path = ROOT) -> set[str]:
    return probe(entry, *argv, stdin=stdin, cwd=cwd)[0]


def _resource_list() -> bytes:
    seed = yaml.safe_load(SEED.read_text())
    resource_list = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}
    return yaml.safe_dump({**resource_list, "functionConfig": seed}).encode()


def _top(name: str) -> str:
    return name.split(".")[0]


def _third_party(modules: set[str]) -> set[str]:
    """Top-level packages that are neither the standard library's nor ours. Cython-built extensions
    (PyYAML's libyaml binding) register `cython_runtime` and `_cython_<version>`: no imports, left out."""
    tops = {_top(m) for m in modules} - set(sys.stdlib_module_names) - {"nats_kplugin", "cython_runtime"}
    return {name for name in tops if not name.startswith("_cython_")}


@pytest.mark.parametrize("entry", sorted(RENDER_MODULES))
def test_a_plain_render_imports_only_the_known_modules_and_compiles_nothing(entry: str) -> None:
    """Nothing is compiled at run time: the first compile() of a process sets up the ast module's types,
    about ten million instructions, more than a seed render's own work. typing compiles every string
    annotation of a NamedTuple (`from __future__ import annotations` makes them all strings), so the
    modules that define NamedTuples do without it."""
    if entry == "cli":
        modules, compiled = probe("cli", str(SEED))
    elif entry == "argocd":
        # Argo CD runs it in the source folder
        modules, compiled = probe("argocd", "generate", cwd=SEED.parent)
    else:
        modules, compiled = probe("krm", stdin=_resource_list())
    assert {m for m in modules if _top(m) == "nats_kplugin"} == RENDER_MODULES[entry]
    assert _third_party(modules) == THIRD_PARTY_PACKAGES
    assert not modules & HEAVY_STDLIB
    assert compiled == []


def test_only_what_needs_them_loads_click_and_jsonschema() -> None:
    # The probe itself would notice neither, so check they really arrive where they are needed.
    assert "click" in imported_by("cli", "--help")
    invalid = (
        b"apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata: {name: x}\nspec: {replicas: many}\n"
    )
    assert "jsonschema" in imported_by("cli", stdin=invalid)
