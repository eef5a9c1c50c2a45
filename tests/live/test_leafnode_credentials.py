"""A leaf-node remote's `.creds` from a Secret, against a hub in operator mode (issue 20), live.

The hub is what an edge's credentials are usually for: a NATS cluster in operator (JWT) mode, here rendered
from its own NATS object (`hub` in `hub`, 3 servers: its operator, system account and one account `EDGES`
preloaded from JWTs in config.merge, a leaf-node listener of no authorization of its own, so a leaf logs in
with a user JWT of an account the operator signed). The edge (2 servers) dials the hub's client Service by
its DNS name, its remote's `credentials` naming `/etc/nats-secrets/hub-leaf/edge.creds`: the key `edge.creds`
of the Secret `hub-leaf`, mounted through the pod's projected volume, written here as its owner would
(a user of `EDGES`, as `nsc generate creds` writes it). Nothing of the credential is in either NATS object.

What must hold: every edge server links, in the hub's account `EDGES`; a message published on the edge
reaches a hub client of `EDGES` (logged in with its own .creds) and the reverse; with a user of an account
the hub's operator never signed, the hub refuses the link and no edge server links.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import nkeys
import pytest

from tests.live import clients, network, rendering
from tests.live.cluster import Cluster, Server, wait_for
from tests.support import certs, operator_jwts

APP_PASSWORD = "app-password"
HUB_SERVICE = "nats-hub.hub.svc"  # the client Service, which carries the leafnodes port
CREDENTIALS = "/etc/nats-secrets/hub-leaf/edge.creds"
FORM_TIMEOUT = 40
REFUSED_WAIT = 8  # long enough for several of the edge's attempts to dial (every second at first)

_OPERATOR = operator_jwts.keypair("leaf operator", nkeys.PREFIX_BYTE_OPERATOR)
_SYSTEM = operator_jwts.keypair("leaf system account", nkeys.PREFIX_BYTE_ACCOUNT)
_EDGES = operator_jwts.keypair("leaf EDGES account", nkeys.PREFIX_BYTE_ACCOUNT)
_UNSIGNED = operator_jwts.keypair("leaf account the operator never signed", nkeys.PREFIX_BYTE_ACCOUNT)


def hub_document() -> dict[str, Any]:
    system_pub = _SYSTEM.public_key.decode()
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "hub", "namespace": "hub"},
        "spec": {
            "replicas": 3,
            "jetstream": {"enabled": False},
            "config": {
                "merge": {
                    "operator": operator_jwts.operator_jwt("leaf-operator", _OPERATOR, _SYSTEM),
                    "system_account": system_pub,
                    "resolver": "MEMORY",
                    "resolver_preload": {
                        system_pub: operator_jwts.account_jwt("SYS", _SYSTEM, _OPERATOR),
                        _EDGES.public_key.decode(): operator_jwts.account_jwt("EDGES", _EDGES, _OPERATOR),
                    },
                    "leafnodes": {"port": 7422},
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
            "jetstream": {"enabled": False},
            "users": {"app": {"password": APP_PASSWORD}},
            "config": {
                "merge": {
                    "leafnodes": {
                        "remotes": [
                            {
                                "urls": [f"nats-leaf://{HUB_SERVICE}:7422"],
                                "credentials": CREDENTIALS,
                                "account": "users",  # the account of spec.users
                            }
                        ]
                    },
                }
            },
        },
    }


class Topology(NamedTuple):
    hub: Cluster
    edge: Cluster
    hub_client: dict[str, Any]  # a hub client of EDGES: its own .creds file


@pytest.fixture
def topology(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Topology]:
    """The hub and the edge, started; the edge's Secret hub-leaf holds a user of the account the test
    gives (indirect parametrization)."""
    account: nkeys.KeyPair = request.param
    hub_objects = rendering.rendered(hub_document())
    edge_objects = rendering.rendered(edge_document())
    net = network.create(5)
    try:
        service = tuple(f"{net.address(i)} {HUB_SERVICE} {HUB_SERVICE}.cluster.local" for i in range(3))
        (tmp_path / "hub").mkdir()
        (tmp_path / "edge").mkdir()
        hub_creds = tmp_path / "hub-client.creds"
        hub_creds.write_bytes(operator_jwts.user_creds("hub client", _EDGES))
        with (
            Cluster(hub_objects, tmp_path / "hub", shared=net) as hub,
            Cluster(edge_objects, tmp_path / "edge", shared=net, first=3, hosts=service) as edge,
        ):
            secret = {"edge.creds": operator_jwts.user_creds("edge leaf", account)}
            for server in edge.servers:  # the Secret hub-leaf, as its owner writes it
                certs.write_secret(server.folder / "secrets" / "hub-leaf", secret)
            hub.start()
            edge.start()
            yield Topology(hub, edge, {"user_credentials": str(hub_creds)})
    finally:
        net.remove()


def _leaf_links(server: Server) -> list[dict[str, Any]]:
    return list((server.monitor("leafz") or {}).get("leafs", []))


@pytest.mark.parametrize("topology", [_EDGES], ids=["signed-account"], indirect=True)
def test_an_edge_links_to_an_operator_mode_hub_with_creds_from_a_secret(topology: Topology) -> None:
    hub, edge = topology.hub, topology.edge
    assert CREDENTIALS in edge.servers[0].pod.config
    wait_for(
        "every edge server linked to the hub",
        lambda: (
            all(_leaf_links(s) for s in edge.servers)
            and all(s.http("/healthz")[0] == 200 for s in hub.servers)
        ),
        FORM_TIMEOUT,
    )
    accounts = {link.get("account") for s in hub.servers for link in _leaf_links(s)}
    assert accounts == {_EDGES.public_key.decode()}, accounts
    edge_client = {"user": "app", "password": APP_PASSWORD}
    up = clients.run(
        lambda: clients.delivered(edge.urls(), edge_client, hub.urls(), topology.hub_client, "up")
    )
    down = clients.run(
        lambda: clients.delivered(hub.urls(), topology.hub_client, edge.urls(), edge_client, "down")
    )
    assert (up, down) == (b"up", b"down")


@pytest.mark.parametrize("topology", [_UNSIGNED], ids=["unsigned-account"], indirect=True)
def test_the_hub_refuses_creds_of_an_account_its_operator_never_signed(topology: Topology) -> None:
    hub, edge = topology.hub, topology.edge
    wait_for("the hub's servers healthy", lambda: all(s.http("/healthz")[0] == 200 for s in hub.servers), 20)
    wait_for(
        "the hub to refuse an edge's leaf connection",
        lambda: "Account fetch failed: account missing" in hub.logs() or None,
        FORM_TIMEOUT,
    )
    # The edge is told why ("Leafnode Error 'Authorization Violation'") and keeps dialing, never linked.
    wait_for(
        "the edge to be refused", lambda: "'Authorization Violation'" in edge.logs() or None, FORM_TIMEOUT
    )
    time.sleep(REFUSED_WAIT)
    assert not any(_leaf_links(s) for s in edge.servers + hub.servers), hub.logs()
    assert all(s.running for s in edge.servers)
