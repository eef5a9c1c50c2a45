"""`reload`, `rolling-restart`, and what `access` and `data-risk` say is lost, shown by booted nats-server
processes.

For every row of the change catalogue whose plan has a `reload` finding and nothing that restarts or
refuses: a server booted on OLD's render (pod 0, in a network namespace, as tests/live boots pods) gets
NEW's nats.conf and SIGHUP, as the config reloader sends it; it answers "Reloaded", keeps its PID, and
shows the new value (in /varz, or in who may log in). The access rows among them show the loss: the removed
user and the old password are refused after the reload. Where the plan rolls the pods for nats.conf alone,
the server refuses the reload. And replicas down, played as the sync plays it on a formed cluster of five
with a stream on every server, leaves the stream without exactly the peers the plan names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nats.js.api import StreamConfig

from nats_kplugin.kubernetes.objects import RESTART_HASH_ANNOTATION
from nats_kplugin.plan.verdicts import ClusterPlan, Verdict
from tests.live import clients
from tests.live.cluster import Cluster, Server, wait_for
from tests.live.formation import wait_formed
from tests.plan.sides import plan_of, side_of
from tests.plan.signals import config_of, reload, template_of
from tests.support.change_matrix import CHANGES, Change

pytestmark = [
    pytest.mark.live,
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


def _template_changes_beyond_the_hash(change: Change) -> bool:
    old = template_of(side_of([change.old], change.old_args).objects)
    new = template_of(side_of([change.new], change.new_args).objects)
    return {**old, "metadata": {}} != {**new, "metadata": {}} or old["metadata"]["labels"] != new["metadata"][
        "labels"
    ]


def _hash_changes(change: Change) -> bool:
    old = template_of(side_of([change.old], change.old_args).objects)
    new = template_of(side_of([change.new], change.new_args).objects)
    return bool(
        old["metadata"]["annotations"][RESTART_HASH_ANNOTATION]
        != new["metadata"]["annotations"][RESTART_HASH_ANNOTATION]
    )


# Rows where the plan says the pods roll for nats.conf alone: nats-server must refuse the reload, so a plain
# reload would not do. ROLLED: the restart hash rolls them. RESTARTED_BY_HAND: a smaller JetStream file
# store, which the hash leaves out (reload_table.RELOADABLE_JETSTREAM_KEYS: only a larger one reloads), so
# the plan asks for a restart instead of promising a reload.
ROLLED = [c for c in CHANGES if _hash_changes(c) and not _template_changes_beyond_the_hash(c)]
RESTARTED_BY_HAND = [
    c
    for c in CHANGES
    if not _hash_changes(c)
    and not _template_changes_beyond_the_hash(c)
    and Verdict.ROLLING_RESTART in _findings(plan_of(c))
]


def test_the_rolled_rows_are_the_expected_ones() -> None:
    assert {c.name for c in RESTARTED_BY_HAND} == {"size down"}
    for change in ROLLED:
        assert Verdict.ROLLING_RESTART in _findings(plan_of(change)), change.name


@pytest.mark.parametrize("change", ROLLED + RESTARTED_BY_HAND, ids=lambda c: c.name)
def test_a_rolling_restart_for_nats_conf_is_what_the_server_cannot_reload(
    change: Change, tmp_path: Path
) -> None:
    old = side_of([change.old], change.old_args).objects
    new = side_of([change.new], change.new_args).objects
    with Cluster(old, tmp_path) as cluster:
        server = cluster.servers[0]
        server.start()
        wait_for(f"{server.name} to serve", lambda: server.monitor("varz"), 10)
        verdict = reload(server, config_of(new))
        assert "Failed to reload" in verdict, verdict


async def _replicated_stream(urls: list[str], replicas: int) -> None:
    client = await clients.connect(urls, user="app", password="app-password-1")
    try:
        js = client.jetstream(timeout=10)
        await clients.add_stream(
            js, StreamConfig(name="ORDERS", subjects=["orders.>"], num_replicas=replicas)
        )
        await clients.publish_acked(js, "orders.one", b"one")
    finally:
        await client.close()


async def _lost_peers(urls: list[str]) -> set[str]:
    """The stream's peers its leader no longer hears from."""
    client = await clients.connect(urls, user="app", password="app-password-1")
    try:
        info = await client.jetstream(timeout=10).stream_info("ORDERS")
        replicas = (info.cluster.replicas if info.cluster else None) or []
        return {peer.name for peer in replicas if peer.offline or not peer.current}
    finally:
        await client.close()


def test_replicas_down_loses_the_stream_peers_the_plan_names(tmp_path: Path) -> None:
    change = next(c for c in CHANGES if c.name == "replicas down")
    (cluster_plan,) = plan_of(change)
    (risk,) = [j for j in cluster_plan.changes if j.verdict is Verdict.DATA_RISK]
    named = set(re.search(r"peers (.*) are removed", risk.reason).group(1).split(", "))  # type: ignore[union-attr]
    old = side_of([change.old], change.old_args).objects
    new = side_of([change.new], change.new_args).objects
    with Cluster(old, tmp_path) as cluster:
        cluster.start()
        wait_formed(cluster)
        clients.run(lambda: _replicated_stream(cluster.urls(), len(cluster.servers)))
        # The sync: the StatefulSet removes the highest ordinals, the reloader signals the others.
        staying = cluster.servers[: len(cluster.servers) - len(named)]
        for server in cluster.servers[len(staying) :]:
            server.stop()
        assert {s.name for s in cluster.servers if not s.running} == named
        for server in staying:
            assert "Reloaded server configuration" in reload(server, config_of(new))
        urls = [s.url() for s in staying]
        lost = wait_for("the stream's lost peers", lambda: clients.run(lambda: _lost_peers(urls)) or None, 60)
        assert named <= lost, (named, lost)
