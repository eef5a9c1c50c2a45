"""The Kubernetes schemas of kubernetes-validate, as one jsonschema validator per kind, built once.

`kubernetes_validate.validate` reads and compiles the schema files on every call (~0.1 s); the property
tests validate thousands of objects, so they load the same strict schema files once and keep the validator.
The result is the same check as `realcheck.assert_valid_kubernetes`, which the fixtures use.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jsonschema
from kubernetes_validate.utils import schema_contents
from referencing import Registry, Resource

from tests.support.realcheck import CUSTOM_API_VERSIONS, KUBERNETES_VERSION, assert_valid_custom_resource

_FOLDER = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"


@cache
def validator(kind: str, api_version: str) -> Any:
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = schema_contents(f"{_FOLDER}/{kind.lower()}-{group_version}.json", KUBERNETES_VERSION)
    definitions = schema_contents(f"{_FOLDER}/_definitions.json", KUBERNETES_VERSION)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def errors(obj: dict[str, Any]) -> list[str]:
    """What the Kubernetes schema says is wrong with one object; empty when it is valid. cert-manager and
    Prometheus Operator objects have no Kubernetes schema: their own types judge them (realcheck)."""
    if obj.get("apiVersion") in CUSTOM_API_VERSIONS:
        try:
            assert_valid_custom_resource(obj)
        except AssertionError as exc:
            return [str(exc)]
        return []
    found = validator(obj["kind"], obj["apiVersion"]).iter_errors(obj)
    return [f"{obj['kind']}/{obj['metadata']['name']}: {e.message} at {list(e.absolute_path)}" for e in found]
