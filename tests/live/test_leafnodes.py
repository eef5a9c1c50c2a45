"""Leaf nodes, hub and edge (issue 20), live: a hub of 3 servers and an edge cluster of 2, each rendered from
its own NATS object as for its own Kubernetes cluster, every server in a network namespace of its own on one
test network. The edge dials the hub's client Service by its DNS name (`nats-hub.hub.svc`, every hub pod's
address in the edge's hosts file, as a Service spreads connections), over TLS: the hub's certificate comes
from the rendered cert-manager Certificate (the judge plays cert-manager) and the edge trusts the hub's CA
through a Secret file (`/etc/nats-secrets/hub-ca/ca.crt`, the pod's projected volume). Both run JetStream,
each in a domain of its own.

What must hold: a message published on the edge reaches a subscriber on the hub and the reverse, in the
account of spec.users on both sides; an edge client reaches a stream in the hub's JetStream domain; the
leaf link survives a restart of the hub server an edge server was dialing.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nats.js.api import StreamConfig

from tests.live import clients, network, rendering
from tests.live.cluster import Cluster, Server, wait_for
from tests.support import certs, judge

LEAF_PASSWORD = "leaf-password"
APP_PASSWORD = "app-password"
HUB_SERVICE = "nats-hub.hub.svc"  # the client Service, which carries the leafnodes port
FORM_TIMEOUT = 40


def hub_document() -> dict[str, Any]:
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "hub", "namespace": "hub"},
        "spec": {
            "replicas": 3,
            "tls": {"enabled": True},
            "users": {"app": {"password": APP_PASSWORD}},
            "config": {
                "merge": {
                    "jetstream": {"domain": "hub"},
                    "leafnodes": {
                        "port": 7422,
                        # The edges log in as one user, bound to the account of spec.users (`users`).
                        "authorization": {
                            "users": [{"user": "leaf", "password": LEAF_PASSWORD, "account": "users"}]
                        },
                    },
                }
            },
        },
    }


def edge_document() -> dict[str, Any]:
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "edge", "namespace": "edge"},
        "spec": {
            "replicas": 2,
            "users": {"app": {"password": APP_PASSWORD}},
            "config": {
                "merge": {
                    "jetstream": {"domain": "edge"},
                    "leafnodes": {
                        "remotes": [
                            {
                                "urls": [f"nats-leaf://leaf:{LEAF_PASSWORD}@{HUB_SERVICE}:7422"],
                                "account": "users",
                                "tls": {"ca_file": "/etc/nats-secrets/hub-ca/ca.crt"},
                            }
                        ]
                    },
                }
            },
        },
    }


class Topology:
    def __init__(self, hub: Cluster, edge: Cluster, ca: certs.TestCA, name: str) -> None:
        self.hub, self.edge, self.ca, self.verified_name = hub, edge, ca, name

    def hub_options(self) -> dict[str, Any]:
        context = ssl.create_default_context(cadata=self.ca.pem.decode())
        return {"user": "app", "password": APP_PASSWORD, "tls": context, "tls_hostname": self.verified_name}

    def hub_urls(self) -> list[str]:
        return [f"tls://{s.address}:{s.pod.ports['nats']}" for s in self.hub.running()]


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[Topology]:
    hub_objects = rendering.rendered(hub_document())
    edge_objects = rendering.rendered(edge_document())
    net = network.create(5)
    try:
        hub_addresses = [net.address(i) for i in range(3)]
        service = tuple(f"{a} {HUB_SERVICE} {HUB_SERVICE}.cluster.local" for a in hub_addresses)
        ca = certs.TestCA()
        (tmp_path / "hub").mkdir()
        (tmp_path / "edge").mkdir()
        with (
            Cluster(hub_objects, tmp_path / "hub", shared=net) as hub,
            Cluster(edge_objects, tmp_path / "edge", shared=net, first=3, hosts=service) as edge,
        ):
            name = judge.play_cert_manager(hub_objects, hub, ca)
            assert name is not None, "the hub renders no server Certificate"
            for server in edge.servers:  # the edge's Secret hub-ca, key ca.crt: the hub's CA
                certs.write_secret(server.folder / "secrets" / "hub-ca", {"ca.crt": ca.pem})
            hub.start()
            edge.start()
            yield Topology(hub, edge, ca, name)
    finally:
        net.remove()


def _leaf_links(server: Server) -> list[dict[str, Any]]:
    return list((server.monitor("leafz") or {}).get("leafs", []))


def _wait_linked(topology: Topology) -> None:
    """Every edge server holds a leaf connection to the hub, and the hub's JetStream has a meta leader."""

    def linked() -> bool:
        return all(_leaf_links(s) for s in topology.edge.servers) and all(
            s.http("/healthz")[0] == 200 for s in topology.hub.servers + topology.edge.servers
        )

    wait_for("every edge server linked to the hub, every server healthy", linked, FORM_TIMEOUT)


def _both_ways(topology: Topology, tag: str) -> None:
    edge_options = {"user": "app", "password": APP_PASSWORD}
    up = f"up.{tag}"
    down = f"down.{tag}"
    hub_urls, edge_urls, hub_options = topology.hub_urls(), topology.edge.urls(), topology.hub_options()
    assert (
        clients.run(lambda: clients.delivered(edge_urls, edge_options, hub_urls, hub_options, up))
        == up.encode()
    )
    assert (
        clients.run(lambda: clients.delivered(hub_urls, hub_options, edge_urls, edge_options, down))
        == down.encode()
    )


def test_messages_cross_the_leaf_link_both_ways_and_reach_the_hubs_jetstream(topology: Topology) -> None:
    _wait_linked(topology)
    _both_ways(topology, "first")

    async def stream_in_hub_domain() -> tuple[str, int, bytes]:
        hub = await clients.connect(topology.hub_urls(), **topology.hub_options())
        try:
            await clients.add_stream(
                hub.jetstream(timeout=10), StreamConfig(name="HUB", subjects=["hub.>"], num_replicas=3)
            )
        finally:
            await hub.close()
        edge = await clients.connect(topology.edge.urls(), user="app", password=APP_PASSWORD)
        try:
            js = edge.jetstream(domain="hub", timeout=10)  # the hub's domain, through the leaf link
            ack = await clients.publish_acked(js, "hub.from-edge", b"stored in the hub")
            stored = await js.get_msg("HUB", ack.seq)
            return ack.stream, ack.seq, stored.data or b""
        finally:
            await edge.close()

    assert clients.run(stream_in_hub_domain) == ("HUB", 1, b"stored in the hub")
    # Each side's own JetStream stays its own: the domains differ.
    domains = {
        (s.monitor("varz") or {}).get("jetstream", {}).get("config", {}).get("domain")
        for s in topology.edge.servers
    }
    assert domains == {"edge"}


def test_the_leaf_link_survives_a_restart_of_the_hub_server_it_dialed(topology: Topology) -> None:
    _wait_linked(topology)
    dialed = _leaf_links(topology.edge.servers[0])[0]["name"]
    hub_server = next(s for s in topology.hub.servers if s.name == dialed)
    hub_server.stop()
    hub_server.start()
    _wait_linked(topology)
    _both_ways(topology, "after-restart")
