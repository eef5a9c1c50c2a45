"""The render path's quick schema check agrees with jsonschema, the reference: never looser, and stricter only
where it says so (floats that jsonschema takes as integers, NaN), so valid documents keep the fast path."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from nats_kplugin import schema_check, spec

SCHEMA = json.loads(spec.schema_text())
REFERENCE = Draft202012Validator(SCHEMA)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


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


def _has_float(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return isinstance(value, float)


BASES = _nats_documents()
PATHS = [*_field_paths(SCHEMA), ("spec", "users", "alice"), ("spec", "users", "bad name"), ("spec", "typo")]
PATHS += [("spec", "users", "alice", "password"), ("metadata", "labels", "team")]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(
        ["10Gi", "1.5G", "250m", "nano", "xlarge", "", "a-b", "x\n", "-1", "nats-example", "a" * 48]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=4) | st.sampled_from(["password", "size", "cpu"]), inner, max_size=3
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
def test_never_looser_than_jsonschema(base: dict[str, Any], mutations: list[Any]) -> None:
    document = _mutated(base, mutations)
    quick, reference = schema_check.is_valid(document, SCHEMA), REFERENCE.is_valid(document)
    if quick:
        assert reference, f"the quick check passed a document jsonschema refuses: {document!r}"
    elif not _has_float(document):
        assert not reference, f"the quick check refused a valid document: {document!r}"


def test_stricter_only_for_floats() -> None:
    document = _mutated(BASES[0], [(("spec", "replicas"), 3.0)])
    assert REFERENCE.is_valid(document) and not schema_check.is_valid(document, SCHEMA)
    document = _mutated(BASES[0], [(("spec", "replicas"), math.nan)])
    assert not schema_check.is_valid(document, SCHEMA)


def test_unknown_keywords_are_refused_not_ignored() -> None:
    assert not schema_check.is_valid({"a": 1}, {"type": "object", "maxProperties": 5})
    assert schema_check.unknown_keywords({"properties": {"a": {"oneOf": []}}}) == {"oneOf"}
