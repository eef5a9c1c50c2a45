"""What a problem line may carry: no value from spec.users or a Secret, no terminal control, one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nats_kplugin.codes import Code, Severity
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.entrypoints.krm import read_resource_list, run_function
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.problems import USER_FIELDS, Problem
from nats_kplugin.spec.reading import NATS_OBJECTS

SCHEMA = Path(__file__).resolve().parents[2] / "nats_kplugin" / "spec" / "nats.schema.json"
HEAD = "apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: x\nspec:\n  users:\n    alice:"
BROKEN_USERS = [
    " {password: *Hunter2-a}",
    " {password: !Hunter2-b x}",
    " {Hunter2-c}",
    " {Hunter2-d, Hunter2-d}",
    " {password: &Hunter2-e [*Hunter2-e]}",
    " {password: {Hunter2-f: 1}}",
    " {password: [Hunter2-g]}",
    '\n      password: "Hunter2-h',
    "\n      password: !<tag:Hunter2-i> x",
    "\n      password: !!python/name:Hunter2-j x",
]


def test_the_user_fields_are_the_schemas() -> None:
    schema = json.loads(SCHEMA.read_text())
    user = schema["properties"]["spec"]["properties"]["users"]["additionalProperties"]
    assert set(user["properties"]) == USER_FIELDS


@pytest.mark.parametrize("user", BROKEN_USERS)
def test_no_problem_line_and_no_krm_result_quotes_a_password(user: str) -> None:
    secret = "Hunter2-" + user.split("Hunter2-")[1][0]
    text = HEAD + user + "\n"
    documents, problems = parse_stream(text.encode(), NATS_OBJECTS)
    if documents:
        problems = render(documents, RenderOptions(render_key=b"k")).problems
    assert problems and all(p.is_error for p in problems)
    assert not [p for p in problems if secret in str(p)], [str(p) for p in problems]
    indented = "\n".join("    " + line for line in text.splitlines())
    resource_list = (
        f"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n{indented}\n"
    )
    found, problems = read_resource_list(resource_list.encode())
    if found is not None:
        output, problems = run_function(found, RenderOptions(render_key=b"k"))
        assert secret not in json.dumps(output["results"]), output["results"]
    assert not [p for p in problems if secret in str(p) or secret in p.message]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("a\x1b[31mb\x1b[0m", "ab"),
        ("a\x1b]0;title\x07b", "ab"),
        ("a\x1b]8;;http://x\x1b\\b", "ab"),
        ("a\x9b2Jb", "ab"),
        ("a\x1bcb", "ab"),
        ("a\x1b(0b", "ab"),
        ("a\x9d0;t\x9cb", "ab"),
        ("a\x1b]0;unterminated", "a0;unterminated"),
        ("a\x07\x1b\x85b", "a\\x07\\x1b\\x85b"),
        ("line\nforged", "line\\nforged"),
    ],
)
def test_terminal_controls_are_dropped_and_other_controls_escaped(key: str, shown: str) -> None:
    line = str(Problem(Severity.ERROR, Code.UNKNOWN_FIELD, "unknown field", path=("spec", key)))
    assert line.endswith(f"spec.{shown}: unknown field"), line
    assert line.isprintable()


@pytest.mark.parametrize(
    ("text", "field", "named"),
    [
        ("a: 1\nb: {c: 1, c: 2}\n", "b.c", "'c'"),
        ("a: &x {b: 1}\nc: [*x, {d: 1, d: 2}]\n", "c[1].d", "'d'"),
        (HEAD + " {password: p}\n  replicas: 3\n  replicas: 4\n", "spec.replicas", "'replicas'"),
        (HEAD + " {password: p}\n    alice: {}\n", "spec.users", None),
        (HEAD + " {Hunter2-k, Hunter2-k}\n", "spec.users.alice", None),
        (
            "kind: ResourceList\nfunctionConfig:\n  spec:\n    users: {a: {Hunter2-l: 1, Hunter2-l: 2}}\n",
            None,
            None,
        ),
        ("apiVersion: v1\nkind: Secret\ndata: {Hunter2-m: YQ==, Hunter2-m: YQ==}\n", "data", None),
        (
            "kind: List\nitems:\n- {apiVersion: v1, kind: Secret, stringData: {Hunter2-n: a, Hunter2-n: b}}",
            None,
            None,
        ),
        ("kind: ConfigMap\ndata: {k: a, k: b}\n", "data.k", "'k'"),
    ],
)
def test_a_duplicate_key_names_the_key_and_its_path_unless_it_may_be_a_secret(
    text: str, field: str | None, named: str | None
) -> None:
    _, (problem,) = parse_stream(text.encode(), NATS_OBJECTS)
    assert problem.code is Code.DUPLICATE_KEY
    if field is not None:
        assert problem.field == field
    if named is None:
        assert "Hunter2" not in str(problem) and "(not shown: it may be a secret)" in problem.message
    else:
        assert f"the key {named} appears twice" in problem.message
