"""API server tests: the `apiserver` marker on everything under tests/apiserver, and one real API server
(etcd and kube-apiserver, tests/support/kube.py) for the whole session, started on first use and stopped
at the session's end (`api_server` of tests/conftest.py, shared with tests/plan); a second one with the
controllers a StatefulSet's pods and claims need (`controlled_cluster`), for the tests that must see them,
kept apart so that no controller touches what the first one stores. scripts/build-kube.sh builds it
(scripts/test.sh runs it first; here it only checks the stamps when nothing changed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import kube

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.apiserver)


@pytest.fixture(scope="session")
def cluster(api_server: kube.Cluster) -> kube.Cluster:
    """The session's API server without controllers (tests/conftest.py), shared with tests/plan."""
    return api_server


@pytest.fixture(scope="session")
def controlled_cluster() -> Iterator[kube.Cluster]:
    kube.ensure_built()
    running = kube.start(kube.CLAIM_CONTROLLERS)
    try:
        yield running
    finally:
        running.stop()
