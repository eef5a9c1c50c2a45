"""The render path's quick schema check agrees with jsonschema, the reference (with JSON's integers, as `spec`
builds it), on every generated document, trailing newlines included; and the schema's patterns mean the same
to Python's `re` and to ECMA regexes (editors, node), so that no `$` lets a final newline through."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from nats_kplugin.spec import fast_check as schema_check
from nats_kplugin.spec import model as spec

SCHEMA = json.loads(spec.schema_text())
REFERENCE = spec.reference_validator()
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _nats_documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(FIXTURES.glob("*/input.yaml")):
        try:
            documents = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError:
            continue  # the scenarios of broken YAML
        found += [d for d in documents if spec.is_nats_object(d)]
    return found


def _field_paths(schema: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, sub in schema.get("properties", {}).items():
        paths.append((*prefix, name))
        paths += _field_paths(sub, (*prefix, name))
    return paths


BASES = _nats_documents()
PATHS = [*_field_paths(SCHEMA), ("spec", "users", "alice"), ("spec", "users", "bad name"), ("spec", "typo")]
PATHS += [
    ("spec", "users", "alice", "password"),
    ("metadata", "labels", "team"),
    ("spec", "users", "alice\n"),
]
PATHS += [("metadata", "labels", "team\n"), ("metadata", "annotations", "a\n"), ("metadata", "replicas")]
PATHS += [("jetstream",), ("status", "phase"), ("metadata", "managedFields")]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(
        [
            *["10Gi", "1.5G", "250m", "nano", "xlarge", "", "a-b", "x\n", "-1", "nats-example", "a" * 48],
            *[
                "10Gi\n",
                "t1.nano",
                "m1.4xlarge",
                "t1.nano\n",
                "nats-example\n",
                "fast.ssd",
                "p\n",
                "\n",
                "a\nb",
            ],
            "a" * 47,
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=4) | st.sampled_from(["password", "size", "cpu", "a\n", "x/y", "enabled"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
MUTATIONS = st.lists(st.tuples(st.sampled_from(PATHS), st.none() | VALUES), min_size=1, max_size=3)


def _mutated(base: dict[str, Any], mutations: list[tuple[tuple[str, ...], Any]]) -> dict[str, Any]:
    """A copy of `base` with each path set to a value (or removed, for None as the whole mutation)."""
    document = copy.deepcopy(base)
    for path, value in mutations:
        parent: Any = document
        for step in path[:-1]:
            if not isinstance(parent.get(step), dict):
                parent[step] = {}
            parent = parent[step]
        if value is None:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = value
    return document


def test_the_shipped_schema_uses_only_keywords_the_check_interprets() -> None:
    # An unknown keyword would send every document to jsonschema: correct, but the fast path would be gone.
    assert schema_check.unknown_keywords(SCHEMA) == set()


def test_every_fixture_gets_the_reference_verdict() -> None:
    verdicts = {schema_check.is_valid(d, SCHEMA) for d in BASES}
    assert verdicts == {True, False}, "the fixtures should hold valid and invalid NATS objects"
    for document in BASES:
        assert schema_check.is_valid(document, SCHEMA) == REFERENCE.is_valid(document)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(BASES), MUTATIONS)
def test_agrees_with_jsonschema(base: dict[str, Any], mutations: list[Any]) -> None:
    document = _mutated(base, mutations)
    quick, reference = schema_check.is_valid(document, SCHEMA), REFERENCE.is_valid(document)
    assert quick == reference, f"quick {quick}, jsonschema {reference}: {document!r}"


def test_floats_are_no_integers_for_either() -> None:
    for value in (3.0, math.nan, math.inf):
        document = _mutated(BASES[0], [(("spec", "replicas"), value)])
        assert not REFERENCE.is_valid(document) and not schema_check.is_valid(document, SCHEMA)
    plain = Draft202012Validator(SCHEMA)  # what jsonschema alone would say: 3.0 is an integer
    assert plain.is_valid(_mutated(BASES[0], [(("spec", "replicas"), 3.0)]))


@pytest.mark.parametrize(
    "path",
    [
        ("metadata", "name"),
        ("metadata", "namespace"),
        ("metadata", "labels", "team"),
        ("spec", "storageClass"),
        ("spec", "jetstream", "size"),
        ("spec", "resources", "cpu"),
        ("spec", "resourcesPreset"),
        ("spec", "users", "alice", "password"),
    ],
)
def test_a_final_newline_is_refused_by_both(path: tuple[str, ...]) -> None:
    valid = {"name": "x", "namespace": "ns", "team": "a", "storageClass": "fast", "size": "1Gi"}
    valid |= {"cpu": "1", "resourcesPreset": "t1.nano", "password": "secret"}
    base = _mutated(BASES[0], [(path, valid[path[-1]])])
    assert REFERENCE.is_valid(base) and schema_check.is_valid(base, SCHEMA)
    document = _mutated(BASES[0], [(path, valid[path[-1]] + "\n")])
    assert not REFERENCE.is_valid(document) and not schema_check.is_valid(document, SCHEMA)


@pytest.mark.parametrize("where", [("metadata", "labels"), ("metadata", "annotations"), ("spec", "users")])
def test_a_key_ending_in_a_newline_is_refused_by_both(where: tuple[str, ...]) -> None:
    document = _mutated(BASES[0], [((*where, "a\n"), {} if where == ("spec", "users") else "b")])
    assert not REFERENCE.is_valid(document) and not schema_check.is_valid(document, SCHEMA)


def _patterns(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        found = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return found + [p for value in schema.values() for p in _patterns(value)]
    if isinstance(schema, list):
        return [p for value in schema for p in _patterns(value)]
    return []


SAMPLES = [
    "x",
    "x\n",
    "\n",
    "",
    "a\nb",
    "nats-x",
    "10Gi",
    "10Gi\n",
    "1.5",
    ".",
    "..",
    "..a",
    "a.b",
    "t1.nano",
]
SAMPLES += ["example.com/team", "a/b\n", "-a", "a-", "A", "_x", "a" * 64, "x\r", "x\n\n", "é", "secret"]


NO_NODE = "node (an ECMA regex engine) is not installed"


# Without node a developer is told by the skip; CI (CI=true; scripts/test.sh installs node) fails instead.
@pytest.mark.skipif(shutil.which("node") is None and not os.environ.get("CI"), reason=NO_NODE)
def test_patterns_mean_the_same_in_python_and_ecma() -> None:
    assert shutil.which("node") is not None, NO_NODE
    patterns = sorted(set(_patterns(SCHEMA)))
    assert patterns, "the schema has patterns"
    script = (
        "const [patterns, samples] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(patterns.map(p => samples.map(s => new RegExp(p, 'u').test(s)))));"
    )
    done = subprocess.run(
        ["node", "-e", script],
        input=json.dumps([patterns, SAMPLES]),
        capture_output=True,
        text=True,
        check=True,
    )
    ecma = json.loads(done.stdout)
    for pattern, verdicts in zip(patterns, ecma, strict=True):
        python = [re.search(pattern, sample) is not None for sample in SAMPLES]
        assert python == verdicts, f"{pattern}: python {python}, ecma {verdicts}"
    assert all("$" not in p.replace("$(?!\\n)", "") for p in patterns), (
        "a bare $ matches before a final newline"
    )


def test_unknown_keywords_are_refused_not_ignored() -> None:
    assert not schema_check.is_valid({"a": 1}, {"type": "object", "maxProperties": 5})
    assert schema_check.unknown_keywords({"properties": {"a": {"oneOf": []}}}) == {"oneOf"}
