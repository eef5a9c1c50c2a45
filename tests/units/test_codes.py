"""The problem codes have one home (nats_kplugin/codes.py): every code there is used and documented, every
problem the package builds names a code of the table with the table's severity, and the table of
docs/problem-codes.md is the table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from nats_kplugin.codes import Code, Severity, table
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec.reading import NATS_OBJECTS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "nats_kplugin"
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "codes.py")
# The builders of problems: the helpers and the vocabulary's reader take the code first, `Problem` second.
BUILDERS = {"error": Severity.ERROR, "warning": Severity.WARNING, "refuse": Severity.ERROR, "Problem": None}
# Where a builder passes on a code it was given rather than naming one.
PASSING_ON = {("problems.py", "Problem"), ("merge_reader.py", "error")}


def _calls() -> list[tuple[Path, ast.Call, str]]:
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", getattr(func, "attr", ""))
                if name in BUILDERS:
                    found.append((path, node, name))
    return found


def _code_named(node: ast.expr) -> Code | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Code":
        return Code[node.attr]
    return None


def test_codes_are_kebab_case_and_unique() -> None:
    assert len(Code.__members__) == len(list(Code)), "two names share one code (an Enum alias)"
    for code in Code:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code.value), code
        assert code.meaning and "\n" not in code.meaning and "|" not in code.meaning, code


def test_every_problem_built_names_a_code_of_the_table_with_its_severity() -> None:
    calls = _calls()
    assert len(calls) > 100  # the walk found the call sites
    for path, call, name in calls:
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        if (path.name, name) in PASSING_ON:
            continue
        arguments = call.args
        severity = BUILDERS[name]
        if name == "Problem":
            first = arguments[0]
            assert isinstance(first, ast.Attribute) and first.attr in Severity.__members__, where
            severity = Severity[first.attr]
            arguments = arguments[1:]
        assert arguments, where
        code = _code_named(arguments[0])
        assert code is not None, f"{where}: a problem without a code of the table"
        assert code.severity is severity, f"{where}: {code.value} is a {code.severity.value} in the table"


def test_every_code_is_used() -> None:
    text = "\n".join(p.read_text() for p in SOURCES)
    unused = [code.value for code in Code if not re.search(rf"\bCode\.{code.name}\b", text)]
    assert not unused


def test_the_documented_table_is_the_table() -> None:
    document = (ROOT / "docs" / "problem-codes.md").read_text()
    section = document.split("# Problem codes\n", 1)[1].split("\n#", 1)[0]
    rows = "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))
    assert rows == table(), (
        "docs/problem-codes.md's table differs from nats_kplugin/codes.py: "
        "paste the output of `python -m nats_kplugin.codes`"
    )


def test_the_readme_links_the_table() -> None:
    assert "(docs/problem-codes.md)" in (ROOT / "README.md").read_text()


BAD = """\
apiVersion: apps.cozystack.io/v1alpha1
kind: NATS
metadata: {name: x}
spec: {replica: 3}
---
apiVersion: apps.cozystack.io/v1alpha1
kind: NATS
metadata: {name: y, namespace: ns}
spec:
  replicas: 010
  external: true
  config: {merge: {pid_file: /x, lame_duck_duration: 1s, cluster: {port: 6222, host: 127.0.0.1}}}
---
apiVersion: apps.cozystack.io/v1beta1
kind: NATS
metadata: {name: z}
"""


@pytest.mark.parametrize("strict", [False, True])
def test_problems_carry_their_code_to_every_output(strict: bool) -> None:
    documents, problems = parse_stream(BAD.encode(), NATS_OBJECTS, "bad.yaml")
    assert not problems
    result = render(documents, RenderOptions(strict=strict))
    codes = {p.code for p in result.problems}
    assert {Code.UNKNOWN_FIELD, Code.AMBIGUOUS_INTEGER, Code.NEAR_MISS_KIND} <= codes
    for problem in result.problems:
        assert isinstance(problem.code, Code)
        assert problem.severity is (Severity.ERROR if strict else problem.code.severity)
        assert f"{problem.severity.value}[{problem.code.value}]: " in str(problem)
