"""The README is for users: it documents every field of the API, names no file outside the repository, stays
short and keeps the order a user reads it in."""

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
    assert "../shared" not in README and "SPEC.md" not in README and "design card" not in README


# What a user looks for, in the order they look for it; "what it is" is the text above the first section.
SECTIONS = [
    "Install",
    "Render",
    "The NATS object",
    "Connecting a client",
    "Argo CD",
    "kustomize",
    "Upgrading",
    "Limits",
    "Exit codes",
]


def test_the_readme_stays_under_30_kib() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size < 30 * 1024, f"README.md is {size} bytes; move maintainers' material to docs/"


def test_the_readme_has_the_sections_in_the_users_order() -> None:
    titles = re.findall(r"^## (.+)$", README, re.M)
    assert titles[: len(SECTIONS)] == SECTIONS, titles
    intro = README.split("\n## ", 1)[0]
    assert intro.startswith("# nats-render\n") and len(intro.split("\n\n")) > 1, "no 'what it is' first"
