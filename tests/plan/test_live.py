"""`reload`, and what `access` and `data-risk` say is lost, shown by booted nats-server processes.

For every row of the change catalogue whose plan has a `reload` finding and nothing that restarts or
refuses: a server booted on OLD's render (pod 0, in a network namespace, as tests/live boots pods) gets
NEW's nats.conf and SIGHUP, as the config reloader sends it; it answers "Reloaded", keeps its PID, and
shows the new value (in /varz, or in who may log in). The access rows among them show the loss: the removed
user and the old password are refused after the reload.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nats_kplugin.plan.verdicts import ClusterPlan, Verdict
from tests.live import clients
from tests.live.cluster import Cluster, Server, wait_for
from tests.live.test_reload import config_of, reload
from tests.plan.sides import plan_of, side_of
from tests.support.change_matrix import CHANGES, Change

pytestmark = [
    pytest.mark.live,
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="live tests need root (network namespaces)"),
]


def _findings(plan: list[ClusterPlan]) -> set[Verdict]:
    return {v for c in plan for j in c.changes for v in (j.verdict, *(f.verdict for f in j.also))}


def _reloads(change: Change) -> bool:
    found = _findings(plan_of(change))
    return Verdict.RELOAD in found and not found & {Verdict.ROLLING_RESTART, Verdict.BLOCKED}


def _logs_in(server: Server, user: str, password: str) -> bool:
    return clients.run(lambda: clients.refusal([server.url()], user=user, password=password)) is None


def _routes(server: Server) -> int:
    return len(((server.monitor("varz") or {}).get("cluster") or {}).get("urls") or [])


# What shows each row's new value on the reloaded server.
Check = Callable[[Server], Any]
SHOWN: dict[str, Check] = {
    "reloadable merge option": lambda s: (s.monitor("varz") or {})["max_payload"] == 2 * 1024 * 1024,
    "replicas up": lambda s: _routes(s) == 5,
    "replicas down": lambda s: _routes(s) == 3,
    "user added": lambda s: _logs_in(s, "audit", "audit-password-1"),
    # access: the loss itself, and the rest still in
    "user removed": lambda s: (
        not _logs_in(s, "ops", "ops-password-1") and _logs_in(s, "app", "app-password-1")
    ),
    "password": lambda s: not _logs_in(s, "app", "app-password-1") and _logs_in(s, "app", "app-password-2"),
}
RELOADED = [change for change in CHANGES if _reloads(change)]


def test_every_reload_row_has_a_check() -> None:
    assert {c.name for c in RELOADED} == set(SHOWN)


@pytest.mark.parametrize("change", RELOADED, ids=lambda c: c.name)
def test_a_reload_verdict_is_a_reload_of_the_real_server(change: Change, tmp_path: Path) -> None:
    old = side_of([change.old], change.old_args).objects
    new = side_of([change.new], change.new_args).objects
    with Cluster(old, tmp_path) as cluster:
        server = cluster.servers[0]  # alone: a reload verdict does not need its peers
        server.start()
        wait_for(f"{server.name} to serve", lambda: server.monitor("varz"), 10)
        pid = server.pid()
        assert not SHOWN[change.name](server), "the new value must not be there before the reload"
        verdict = reload(server, config_of(new))
        assert "Reloaded server configuration" in verdict, verdict
        assert server.pid() == pid, "reloaded, not restarted"
        assert wait_for("the new value", lambda: SHOWN[change.name](server) or None, 10)
