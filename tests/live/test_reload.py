"""Configuration changes reach the running servers: a reload where nats-server can, a restart where not.

The reloader sidecar replaces nothing itself: Kubernetes updates the mounted config Secret and the reloader
sends SIGHUP to the PID in the pid file. The tests do exactly that with a re-rendered nats.conf. Whether a
change is reloadable is asked of the real server (its "Failed to reload" error), never taken from a list;
the rendered pod template must then change (restart hash) exactly when the server refuses.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nats_kplugin.nats_server.config import FILE_STORE_SHARE
from tests.live import clients, rendering
from tests.live.cluster import Cluster, Server, wait_for
from tests.live.formation import wait_formed
from tests.support import pods
from tests.support.rendered import variant

Document = dict[str, Any]
RELOAD_TIMEOUT = 10
RESTART_HASH = "nats.cozystack.io/restart-hash"


def reload(server: Server, config: str) -> str:
    """Replace the config file and send the reload signal; the server's verdict, from its log."""
    seen = len(server.log.read_bytes())
    server.write_config(config)
    server.signal(signal.SIGHUP)

    def verdict() -> str | None:
        for line in server.log.read_bytes()[seen:].decode(errors="replace").splitlines():
            if "Reloaded server configuration" in line or "Failed to reload server configuration" in line:
                return line
        return None

    return wait_for(f"{server.name} to answer the reload signal", verdict, RELOAD_TIMEOUT)


def config_of(objects: list[Document]) -> str:
    return pods.pods(objects)[0].config


def template_of(objects: list[Document]) -> Document:
    template: Document = pods.find(objects, "StatefulSet")["spec"]["template"]
    return template


def test_a_users_change_is_reloaded_without_a_restart(tmp_path_factory: pytest.TempPathFactory) -> None:
    before = rendering.seed()
    after = variant(
        before, users={"user1": {"password": "a-new-password"}, "user2": {}, "user3": {"password": "third"}}
    )
    old, new = rendering.rendered(before), rendering.rendered(after)
    assert template_of(new) == template_of(old), "a users change must not touch the pod template"
    with Cluster(old, tmp_path_factory.mktemp("users")) as cluster:
        cluster.start()
        wait_formed(cluster)
        pids = {s.name: s.pid() for s in cluster.servers}
        started = {s.name: (s.monitor("varz") or {})["start"] for s in cluster.servers}
        for server in cluster.servers:
            assert "Reloaded server configuration" in reload(server, config_of(new))
        passwords = rendering.credentials(new)
        for server in cluster.servers:
            url = [server.url()]
            for user, password in passwords.items():
                assert (
                    clients.run(lambda u=url, n=user, p=password: clients.refusal(u, user=n, password=p))
                    is None
                )
            old_login = {"user": "user1", "password": "strongpassword"}
            assert clients.run(lambda u=url, c=old_login: clients.refusal(u, **c)) is not None
            assert server.pid() == pids[server.name], "reloaded, not restarted"
            assert (server.monitor("varz") or {})["start"] == started[server.name]


def _single(document: Document) -> Document:
    return variant(document, replicas=1, config={"merge": {"jetstream": {"max_memory_store": "1Gi"}}})


SEED = rendering.seed()
SINGLE = _single(SEED)
Change = Callable[[Document], Document]


def merge(settings: Document) -> Change:
    return lambda document: rendering.with_merge(document, settings)


# A representative set of changes, each on the seed (a cluster member) or a single server. Only the change is
# given here; whether nats-server reloads it comes from the server.
CHANGES: dict[str, tuple[Document, Change]] = {
    "add a user": (SINGLE, lambda d: variant(d, users={**d["spec"]["users"], "user3": {}})),
    "change a password": (
        SINGLE,
        lambda d: variant(d, users={"user1": {"password": "x"}, "user2": {}}),
    ),
    "add an account": (SINGLE, merge({"accounts": {"other": {"users": [{"user": "o", "password": "p"}]}}})),
    "debug": (SINGLE, merge({"debug": True})),
    "logtime": (SINGLE, merge({"logtime": False})),
    "max_payload": (SINGLE, merge({"max_payload": "2Mi"})),
    "max_connections": (SINGLE, merge({"max_connections": 100})),
    "ping_interval": (SINGLE, merge({"ping_interval": "1m"})),
    "write_deadline": (SINGLE, merge({"write_deadline": "5s"})),
    "max_pending": (SINGLE, merge({"max_pending": "100Mi"})),
    "max_subscriptions": (SINGLE, merge({"max_subscriptions": 1000})),
    "no_auth_user": (SINGLE, merge({"no_auth_user": "user1"})),
    "lame_duck_duration": (SINGLE, merge({"lame_duck_duration": "45s"})),
    "lame_duck_grace_period": (SINGLE, merge({"lame_duck_grace_period": "5s"})),
    "system_account": (
        SINGLE,
        merge({"accounts": {"SYS": {"users": [{"user": "sys", "password": "s"}]}}, "system_account": "SYS"}),
    ),
    "client port": (SINGLE, merge({"port": 4223})),
    "monitor port": (SINGLE, merge({"http_port": 8223})),
    "server_name": (SINGLE, merge({"server_name": "renamed"})),
    "websocket listener": (SINGLE, merge({"websocket": {"port": 8080, "no_tls": True}})),
    "jetstream memory down": (SINGLE, merge({"jetstream": {"max_memory_store": "512Mi"}})),
    "jetstream memory up": (SINGLE, merge({"jetstream": {"max_memory_store": "2Gi"}})),
    "jetstream file store down": (SINGLE, merge({"jetstream": {"max_file_store": "5Gi"}})),
    "jetstream file store up": (SINGLE, merge({"jetstream": {"max_file_store": "19Gi"}})),
    "jetstream size up": (SINGLE, lambda d: variant(d, jetstream={**d["spec"]["jetstream"], "size": "40Gi"})),
    "jetstream size down": (
        SINGLE,
        lambda d: variant(d, jetstream={**d["spec"]["jetstream"], "size": "10Gi"}),
    ),
    "cluster pool_size": (SEED, merge({"cluster": {"pool_size": 5}})),
    "cluster compression": (SEED, merge({"cluster": {"compression": "s2_fast"}})),
    "cluster no_advertise": (SEED, merge({"cluster": {"no_advertise": False}})),
    "cluster port": (SEED, merge({"cluster": {"port": 6223}})),
    "cluster name": (SEED, merge({"cluster": {"name": "renamed"}})),
    "replicas up": (SEED, lambda d: variant(d, replicas=5)),  # the routes change
    "replicas down": (SEED, lambda d: variant(d, replicas=2)),
}
# Changes nats-server reloads that still roll the pods, on purpose. The hash sees only the new value: a
# smaller JetStream memory limit cannot be reloaded, so every change of it restarts. A cluster renamed by
# reload would leave servers of one StatefulSet in differently named clusters until all reloaded.
RESTART_ON_PURPOSE = {"jetstream memory up", "cluster name"}
# Changes nats-server refuses to reload that roll no pod, on purpose (reload_table.RELOADABLE_JETSTREAM_KEYS):
# a smaller file store comes with a smaller volume, which no claim can take in place (docs/volumes.md).
NO_RESTART_ON_PURPOSE = {"jetstream file store down", "jetstream size down"}
# Reloaded changes whose new value /varz must then show: (varz path, the value it must read).
VARZ_AFTER_RELOAD = {
    "jetstream file store up": (("jetstream", "config", "max_storage"), 19 * 2**30),
    "jetstream size up": (("jetstream", "config", "max_storage"), int(40 * 2**30 * FILE_STORE_SHARE)),
}


@pytest.fixture(scope="module")
def single_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Pod 0 of each base document, alone: a reload verdict does not need its peers."""
    with (
        Cluster(rendering.rendered(SINGLE), tmp_path_factory.mktemp("single")) as single,
        Cluster(rendering.rendered(SEED), tmp_path_factory.mktemp("member")) as member,
    ):
        yield {"single": single.servers[0], "member": member.servers[0]}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_restarts_the_pods_exactly_when_nats_server_cannot_reload_it(
    change: str, single_servers: dict[str, Server]
) -> None:
    base, apply = CHANGES[change]
    before, after = rendering.rendered(base), rendering.rendered(apply(base))
    server = single_servers["single" if base is SINGLE else "member"]
    server.stop()
    server.config = ""  # start from the base rendering, not from the previous case's reload
    server.pod = pods.pods(before)[0]
    server.start()
    pid = server.pid()
    wait_for(f"{server.name} to serve", lambda: server.monitor("varz"), 10)
    verdict = reload(server, config_of(after))
    refused = "Failed to reload" in verdict
    hash_changed = (
        template_of(after)["metadata"]["annotations"][RESTART_HASH]
        != (template_of(before)["metadata"]["annotations"][RESTART_HASH])
    )
    assert server.pid() == pid
    if change in VARZ_AFTER_RELOAD:
        path, wanted = VARZ_AFTER_RELOAD[change]
        varz = server.monitor("varz") or {}
        for key in path:
            varz = varz.get(key, {})
        assert not refused and varz == wanted, f"{change}: {verdict}; /varz {'.'.join(path)} = {varz}"
    if change in NO_RESTART_ON_PURPOSE:
        assert refused and not hash_changed, verdict
    elif refused:
        assert hash_changed, f"nats-server cannot reload {change!r} but the pods would not restart: {verdict}"
    elif change in RESTART_ON_PURPOSE:
        assert hash_changed
    else:
        assert not hash_changed, f"nats-server reloads {change!r}, yet the pods would restart"
