"""Every scenario under fixtures/ renders to its reviewed expected output, and that output is real:
every object passes the Kubernetes schemas strictly and every pod's config passes `nats-server -t`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import k8s_reader, realcheck
from tests.support.fixture_cases import cases, run_case

CASES = cases()


@pytest.mark.parametrize("folder", CASES, ids=[c.name for c in CASES])
def test_scenario_renders_as_expected(folder: Path) -> None:
    outcome = run_case(folder)
    expected_out = folder / "expected.yaml"
    expected_err = folder / "expected.stderr"
    assert outcome.stderr == (expected_err.read_text() if expected_err.exists() else "")
    if expected_out.exists():
        assert outcome.exit_code == 0
        assert outcome.stdout == expected_out.read_text()
        assert "&id0" not in outcome.stdout, "a rendered dict shared between two places becomes a YAML alias"
    else:
        assert outcome.exit_code == 1
        assert outcome.stdout == "", "an error must leave stdout empty"


@pytest.mark.parametrize("folder", [c for c in CASES if (c / "expected.yaml").exists()], ids=lambda c: c.name)
def test_scenario_output_is_accepted_by_the_real_tools(folder: Path) -> None:
    objects = [d for d in yaml.safe_load_all((folder / "expected.yaml").read_text()) if d]
    clusters: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        labels = obj.get("metadata", {}).get("labels", {})
        if labels.get("app.kubernetes.io/managed-by") == "nats-render":
            clusters.setdefault(labels["app.kubernetes.io/instance"], []).append(obj)
    assert clusters, "the scenario renders no NATS cluster"
    for rendered in clusters.values():
        realcheck.assert_valid_kubernetes(rendered)
        realcheck.assert_server_accepts(rendered)


def test_every_expected_output_reads_back_in_kubectls_reader() -> None:
    """kubectl and Argo CD (sigs.k8s.io/yaml, tests/k8syaml) read every expected.yaml as the data it was
    written from, types included; one process for all of them."""
    streams = [(c / "expected.yaml").read_text() for c in CASES if (c / "expected.yaml").exists()]
    meant = [[d for d in yaml.load_all(s, Loader=yaml.CSafeLoader) if d is not None] for s in streams]
    found = k8s_reader.mismatches(streams, meant)
    assert not found, "\n\n".join(found[:3])


def test_every_scenario_documents_itself() -> None:
    for folder in CASES:
        readme = folder / "README.md"
        assert readme.exists() and readme.read_text().strip(), f"{folder.name} has no README.md"
