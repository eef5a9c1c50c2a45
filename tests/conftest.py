"""Test profiles: `--profile=quick` (the default: a developer's first `pytest`) and `--profile=thorough` (what
scripts/test.sh and so CI run: every test).

quick deselects the tests marked `slow` (the long real-server groups: the property tests, config.merge against
the server, the sidecar-memory and big-tree runs), `live` (tests/live: real clusters in network
namespaces) and `apiserver` (tests/apiserver: a real kube-apiserver, built by scripts/build-kube.sh), and
generates fewer hypothesis cases. thorough runs everything with the `ci` hypothesis profile.
`-m` selects by marker instead (`-m live`, `-m slow`, `-m "not live"`), keeping the profile's hypothesis
profile; HYPOTHESIS_PROFILE overrides that.
"""

import gc
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import nats_kplugin.entrypoints  # noqa: F401 (imported first here, for the line below)

# Importing the entry points turns the garbage collector off until one runs (entrypoints/__init__.py); the
# tests import them without running one, and want it on.
gc.enable()

# Hypothesis profiles: `ci` (thorough) generates 2,600 cases in each of the four tests of
# tests/servers/test_properties.py, over 10,000 in all; `dev` (quick) 100 each. Tests that cap or floor their
# own counts scale with it.
_COMMON: dict[str, Any] = {
    "deadline": None,  # no speed targets in tests; bench/ measures speed
    "derandomize": True,  # the same cases on every run: CI failures reproduce
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
settings.register_profile("ci", max_examples=2600, **_COMMON)
settings.register_profile("dev", max_examples=100, **_COMMON)
# Each profile's hypothesis profile and the markers whose tests it leaves out.
PROFILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "quick": ("dev", ("slow", "live", "apiserver")),
    "thorough": ("ci", ()),
}


HYPOTHESIS_PROFILE = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--profile",
        choices=sorted(PROFILES),
        default="quick",
        help="quick (default): leave out the tests marked slow, live or apiserver, fewer hypothesis cases; "
        "thorough: every test, the ci hypothesis profile (scripts/test.sh, CI)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Before collection: test modules read the profile's max_examples when they are imported.
    hypothesis_profile, _ = PROFILES[config.getoption("profile")]
    config.stash[HYPOTHESIS_PROFILE] = os.environ.get("HYPOTHESIS_PROFILE", hypothesis_profile)
    settings.load_profile(config.stash[HYPOTHESIS_PROFILE])


@pytest.hookimpl(trylast=True)  # after tests/live/conftest.py has marked its tests `live`
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _, left_out = PROFILES[config.getoption("profile")]
    if config.getoption("markexpr"):  # `-m slow`, `-m live`: the run asked for by marker wins
        return
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        (deselected if any(item.get_closest_marker(name) for name in left_out) else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(autouse=True)
def _test_client_sockets(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a live test, collect the sockets its nats-py clients left open (tests/live/clients.py), so
    their ResourceWarnings do not fail a later test that the garbage collector happens to run in."""
    yield
    if request.node.get_closest_marker("live") and "tests.live.clients" in sys.modules:
        sys.modules["tests.live.clients"].collect_client_sockets()


@pytest.fixture(scope="session")
def api_server() -> Iterator[Any]:
    """One real kube-apiserver and etcd for the session, without controllers (tests/support/kube.py),
    started on first use: tests/apiserver's and tests/plan's tests share it, each in namespaces of its own.
    Imported here on use, so a run without these tests never loads the Kubernetes test support."""
    from tests.support import kube

    kube.ensure_built()
    running = kube.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.hookimpl(trylast=True)  # after the session-scoped fixtures (clusters, servers) are torn down
def pytest_sessionfinish(session: pytest.Session) -> None:
    if "tests.live.clients" in sys.modules:
        sys.modules["tests.live.clients"].collect_client_sockets()


def pytest_report_header(config: pytest.Config) -> str:
    profile = config.getoption("profile")
    left_out = PROFILES[profile][1]
    without = f", without the tests marked {' or '.join(left_out)}" if left_out else ", every test"
    return f"profile: {profile}{without}; hypothesis profile: {config.stash[HYPOTHESIS_PROFILE]}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name in (
        "tests.servers.test_properties",
        "tests.servers.test_merge_against_server",
        "tests.servers.test_boot_properties",
    ):
        if name in sys.modules:
            sys.modules[name].summary(terminalreporter.write_line)
