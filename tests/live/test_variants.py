"""Variants of the seed beyond the three-server cluster: a single server, and JetStream switched off."""

from __future__ import annotations

from pathlib import Path

from nats.js.api import StreamConfig
from nats.js.errors import ServiceUnavailableError

from tests.live import clients, rendering
from tests.live.cluster import Cluster, wait_for
from tests.support.rendered import variant

START_TIMEOUT = 15


async def _replicated_write(urls: list[str], password: str, replicas: int) -> int:
    client = await clients.connect(urls, user="user1", password=password)
    try:
        js = client.jetstream(timeout=10)
        await clients.add_stream(
            js, StreamConfig(name="VARIANT", subjects=["variant.>"], num_replicas=replicas)
        )
        return int((await clients.publish_acked(js, "variant.one", b"one")).seq)
    finally:
        await client.close()


def test_a_single_server_with_jetstream_serves_a_stream(tmp_path: Path) -> None:
    document = variant(rendering.seed(), replicas=1)
    objects = rendering.rendered(document)
    with Cluster(objects, tmp_path) as single:
        server = single.start().servers[0]
        wait_for("the single server to be healthy", lambda: server.http("/healthz")[0] == 200, START_TIMEOUT)
        varz = server.monitor("varz") or {}
        assert not varz.get("cluster", {}).get("name"), "one server runs without a cluster block"
        for kind, path in server.pod.probes.items():
            assert server.http(path)[0] == 200, f"{kind} {path}"
        password = rendering.credentials(objects)["user1"]
        assert clients.run(lambda: _replicated_write(single.urls(), password, 1)) == 1


async def _jetstream_refused(urls: list[str], password: str) -> str:
    client = await clients.connect(urls, user="user1", password=password)
    try:
        sub = await client.subscribe("plain.>")
        await client.publish("plain.core", b"core nats works")
        message = await sub.next_msg(timeout=5)
        assert message.data == b"core nats works"
        try:
            await client.jetstream(timeout=3).account_info()
        except ServiceUnavailableError as exc:
            return str(exc)
        raise AssertionError("JetStream answered although spec.jetstream.enabled is false")
    finally:
        await client.close()


def test_jetstream_disabled_starts_a_cluster_without_jetstream(tmp_path: Path) -> None:
    document = variant(rendering.seed(), jetstream={"enabled": False}, config={})
    objects = rendering.rendered(document)
    with Cluster(objects, tmp_path) as cluster:
        cluster.start()
        names = {s.name for s in cluster.servers}

        def routed() -> bool:
            for server in cluster.servers:
                routez = server.monitor("routez") or {}
                if {r["remote_name"] for r in routez.get("routes", [])} != names - {server.name}:
                    return False
            return True

        wait_for("routes between all servers", routed, START_TIMEOUT)
        for server in cluster.servers:
            assert (server.monitor("varz") or {}).get("jetstream", {}).get("config") is None
            for kind, path in server.pod.probes.items():
                assert server.http(path)[0] == 200, f"{server.name} {kind} {path}"
        password = rendering.credentials(objects)["user1"]
        assert clients.run(lambda: _jetstream_refused(cluster.urls(), password))
