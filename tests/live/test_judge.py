"""Every golden fixture through the judge (issue 17): each NATS object of each fixtures/*/expected.yaml is
booted as its pods would run and must start, stay up, answer its probes and the exporter's scrapes, form
its routes and let every user publish a payload of its max_payload (tests/support/judge.py).

The stream judged is the fixture's expected.yaml itself, the bytes the golden tests hold the renderer to.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import judge, launcher
from tests.support.fixture_cases import FIXTURES

GOLDEN = sorted(p.parent for p in FIXTURES.glob("*/expected.yaml"))

# Fixtures the judge cannot boot for a reason on the test's side, not the renderer's. Keep it minimal:
# every entry is a fixture whose pods are not judged at all.
NOT_BOOTABLE: dict[str, str] = {}


def _merges(path: Path) -> dict[str, dict[str, Any]]:
    """instance (`nats-<name>`) -> the object's spec.config.merge, as the fixture's input writes it."""
    found = {}
    for document in yaml.safe_load_all(path.read_text()):
        if isinstance(document, dict) and document.get("kind") == "NATS":
            merge = ((document.get("spec") or {}).get("config") or {}).get("merge")
            if isinstance(merge, dict):
                found[f"nats-{document['metadata']['name']}"] = merge
    return found


@pytest.fixture(scope="module", autouse=True)
def _venv_programs() -> Iterator[None]:
    """The pinned nats-server of this venv, found by the harness on PATH however pytest was started."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{launcher.BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


@pytest.mark.parametrize("fixture", GOLDEN, ids=[p.name for p in GOLDEN])
def test_every_pod_of_the_fixture_boots_and_serves(fixture: Path, tmp_path: Path) -> None:
    if fixture.name in NOT_BOOTABLE:
        pytest.skip(NOT_BOOTABLE[fixture.name])
    rendered = judge.instances(launcher.objects((fixture / "expected.yaml").read_text()))
    assert rendered, f"{fixture.name}: expected.yaml renders no StatefulSet"
    merges = _merges(fixture / "input.yaml")
    failures = []
    for instance, objects in rendered.items():
        verdict = judge.judge(objects, tmp_path / instance, merges.get(instance))
        failures += [f"{instance}: {failure}" for failure in verdict.failures]
    assert not failures, "\n".join(failures)
