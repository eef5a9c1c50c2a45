"""The README is for users: it documents every field of the API and names no file outside the repository."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.support.launcher import ROOT

README = (ROOT / "README.md").read_text()
SCHEMA = json.loads((ROOT / "nats_kplugin/spec/nats.schema.json").read_text())
# What the API server writes and the renderer ignores: documented as a list, not as fields.
IGNORED = {"apiVersion", "kind", "metadata", "spec", "status", "spec.tls", "spec.users", "spec.jetstream"}
IGNORED |= {"spec.config", "spec.resources"}


def fields(node: dict[str, Any], path: str = "") -> list[str]:
    if "$ref" in node:
        node = {**SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[1]], **node}
    found: list[str] = []
    for name, sub in node.get("properties", {}).items():
        field = f"{path}{name}"
        if not str(sub.get("description", "")).startswith("Ignored"):
            found.append(field)
        found += fields(sub, field + ".")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and path.startswith("spec.users"):
        found.append(f"{path}<name>")
        found += fields(extra, f"{path}<name>.")
    return found


def test_every_field_of_the_schema_has_a_row_in_the_field_table() -> None:
    rows = set(re.findall(r"^\| `([^`]+)` \|", README, re.M))
    missing = [field for field in fields(SCHEMA) if field not in IGNORED and field not in rows]
    assert not missing, f"fields of the schema without a row in the README's table: {missing}"


def test_the_readme_names_no_file_outside_the_repository() -> None:
    assert "../shared" not in README and "SPEC.md" not in README
