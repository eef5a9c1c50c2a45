"""The examples in the docstrings of the checks, run through the real pipeline in process, so the docs cannot
drift from what the checks do (as yamllint's rule modules do: each check's docstring shows an input it
refuses and one it accepts, issue 21 "Messages next to their rules").

A check is a function of the nats_server modules below that builds a problem naming a code
(`error(Code.X, ...)`, `warning(...)`, `info(...)`, `self.refuse(...)`). Its docstring holds at least one
refused and one accepted example, each a header line and a YAML snippet indented below it (one refused
example a code, where a check builds several; one accepted example close to them):

    Refused (owned-setting at spec.config.merge.pid_file):
        pid_file: /tmp/x.pid
    Accepted:
        lame_duck_duration: 45s

A snippet is `spec.config.merge`, or, when its top-level keys are `spec` (and `metadata`), a fragment of the
NATS object, merged into the example object. The example object is `nats-owned` of tests/support/rendered.py
(3 replicas, JetStream off, no namespace, no users). `<the operator JWT>` stands for one: the renderer passes
the operator through unread. A refused example must give that code, and nothing else
that fails the render or warns, at that field path with the code's severity; an accepted one must render
with no error and none of the codes the docstring refuses.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from nats_kplugin.codes import Code, Severity
from nats_kplugin.documents.reader import Document
from nats_kplugin.pipeline import RenderResult, render
from nats_kplugin.problems import Location
from tests.support.rendered import render_merge

ROOT = Path(__file__).resolve().parents[2]
ZONE = ROOT / "nats_kplugin" / "nats_server"
MODULES = (
    "checks.py",
    "auth_checks.py",
    "listeners.py",
    "tls.py",
    "tls_values.py",
    "resolver.py",
    "start_rules.py",
    "merge_reader.py",
    "topology.py",
)
BUILDERS = frozenset({"error", "warning", "info", "refuse"})
CODES = {code.value: code for code in Code}
HEADER = re.compile(r"^(?:Refused \((?P<code>[a-z0-9-]+) at (?P<field>\S+)\)|Accepted):$")


class Check(NamedTuple):
    name: str  # module.function, or module.Class.method
    codes: frozenset[Code]  # the codes it names
    docstring: str


class Example(NamedTuple):
    check: str
    code: Code | None  # None: accepted
    field: str | None
    snippet: dict[str, Any]
    refused: frozenset[Code]  # every code its docstring refuses


def _named_codes(function: ast.FunctionDef) -> frozenset[Code]:
    """The codes a function's own body (not a nested function's) builds problems with."""
    found: set[Code] = set()
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0] if node.args else None
            if (
                name in BUILDERS
                and isinstance(first, ast.Attribute)
                and isinstance(first.value, ast.Name)
                and first.value.id == "Code"
            ):
                found.add(Code[first.attr])
        stack.extend(ast.iter_child_nodes(node))
    return frozenset(found)


def checks() -> list[Check]:
    found = []
    for module in MODULES:
        tree = ast.parse((ZONE / module).read_text())
        scopes: list[tuple[str, ast.AST]] = [(module.removesuffix(".py"), tree)]
        while scopes:
            prefix, scope = scopes.pop(0)
            for node in ast.iter_child_nodes(scope):
                if isinstance(node, ast.ClassDef):
                    scopes.append((f"{prefix}.{node.name}", node))
                elif isinstance(node, ast.FunctionDef) and (codes := _named_codes(node)):
                    found.append(Check(f"{prefix}.{node.name}", codes, ast.get_docstring(node) or ""))
    return found


def examples(check: Check) -> list[Example]:
    """The examples of a docstring: each header, then the lines indented below it (up to the first line
    that is not), read as YAML."""
    blocks: list[tuple[re.Match[str], list[str]]] = []
    open_block = False
    for line in check.docstring.splitlines():
        header = HEADER.match(line)
        if header:
            blocks.append((header, []))
            open_block = True
        elif open_block and (line.startswith(" ") or not line.strip()):
            blocks[-1][1].append(line)
        else:
            open_block = False
    refused = frozenset(CODES[header["code"]] for header, _ in blocks if header["code"])
    found = []
    for header, body in blocks:
        snippet = yaml.safe_load("\n".join(body))
        assert isinstance(snippet, dict), f"{check.name}: {header[0]} holds no YAML mapping"
        code = CODES[header["code"]] if header["code"] else None
        found.append(Example(check.name, code, header["field"], snippet, refused))
    return found


CHECKS = checks()
EXAMPLES = [example for check in CHECKS for example in examples(check)]


def _merged(base: dict[str, Any], fragment: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def rendered(snippet: dict[str, Any]) -> RenderResult:
    """The example object with a snippet: config.merge, or a fragment of the object."""
    if "spec" not in snippet or not set(snippet) <= {"spec", "metadata"}:
        result: RenderResult = render_merge(snippet)
        return result
    base = {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "owned"},
        "spec": {"replicas": 3, "jetstream": {"enabled": False}, "config": {"merge": {}}},
    }
    return render([Document(_merged(base, snippet), Location("<example>"))])


def _shown(result: RenderResult) -> list[str]:
    return [str(p) for p in result.problems]


def test_every_check_shows_a_refused_and_an_accepted_example() -> None:
    assert len(CHECKS) > 20  # the walk found the checks
    missing = []
    for check in CHECKS:
        kinds = {example.code is None for example in examples(check)}
        if kinds != {True, False}:
            missing.append(check.name)
    assert not missing, f"checks without a refused and an accepted example in their docstring: {missing}"


def test_every_refused_code_is_one_its_check_names() -> None:
    for check in CHECKS:
        for example in examples(check):
            assert example.code is None or example.code in check.codes, (check.name, example.code)


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if e.code is not None],
    ids=[f"{e.check}:{e.code.value}" for e in EXAMPLES if e.code is not None],
)
def test_a_refused_example_gives_its_code_at_its_field(example: Example) -> None:
    assert example.code is not None
    result = rendered(example.snippet)
    shown = [
        (p.code, p.field, p.severity)
        for p in result.problems
        if p.severity is not Severity.INFO or p.code is example.code
    ]
    assert shown == [(example.code, example.field, example.code.severity)], _shown(result)
    assert result.ok is (example.code.severity is not Severity.ERROR), _shown(result)


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if e.code is None],
    ids=[e.check for e in EXAMPLES if e.code is None],
)
def test_an_accepted_example_renders_without_the_refused_codes(example: Example) -> None:
    result = rendered(example.snippet)
    assert result.ok, _shown(result)
    assert not [p for p in result.problems if p.code in example.refused], _shown(result)
