"""The plan's examples in the README and docs/plan.md are what it prints: the Markdown byte for byte, the
JSON in its shape and values."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from nats_kplugin.plan.compare import compare
from nats_kplugin.plan.report import to_json, to_markdown
from tests.plan.sides import side_of
from tests.support.change_matrix import CHANGES
from tests.support.launcher import ROOT

README = (ROOT / "README.md").read_text()
PLAN_DOC = (ROOT / "docs" / "plan.md").read_text()


def _events(obj: dict[str, Any]) -> dict[str, Any]:
    moved = copy.deepcopy(obj)
    moved["metadata"] = {"name": "events", "namespace": "messaging"}
    return moved


def _password_change() -> list[Any]:
    change = next(c for c in CHANGES if c.name == "password")
    return compare(side_of([_events(change.old)]), side_of([_events(change.new)]))


def test_the_readme_shows_what_plan_prints() -> None:
    section = README.split("### Plan a change\n", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```markdown\n(.*?)```", section, re.S)
    assert example == to_markdown(_password_change(), False, ())


def test_the_json_example_of_docs_plan_is_the_first_change_printed() -> None:
    (example,) = re.findall(r"```json\n(.*?)```", PLAN_DOC, re.S)
    documented = json.loads(example)
    printed = json.loads(to_json(_password_change(), False, ()))
    printed["clusters"][0]["changes"] = printed["clusters"][0]["changes"][:1]
    assert documented == printed
