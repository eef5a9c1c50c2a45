"""The plan's tests against the real things: one real kube-apiserver for the session (tests/support/kube.py),
started on first use by the tests that ask for `api_server` (they carry the `apiserver` marker)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import kube


@pytest.fixture(scope="session")
def api_server() -> Iterator[kube.Cluster]:
    kube.ensure_built()
    running = kube.start()
    try:
        yield running
    finally:
        running.stop()
