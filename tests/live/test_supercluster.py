"""A supercluster of 3 clusters of 3 servers (issue 20), live. Every member is the same NATS object, `events`
in `messaging`, rendered for its own Kubernetes cluster, as one repository renders it for each destination;
only the member's name differs (its cluster's and gateway's): the member list is written once, the same in
every member, and the renderer derives each member's advertise from its entry. Every server runs in a
network namespace of its own on one test network; each member has its own hosts file (its pods' DNS names
are the same in every member, as in separate Kubernetes clusters), where each other member's gateway address
(`gateway.<member>.example.com`) names that member's pods, as a LoadBalancer in front of them would.

What must hold: the servers have unique names although every member renders pods `nats-events-N`
(`<gateway name>-<index>`); one JetStream meta leader over all nine; a subscriber in the first member
receives from the third; a request crosses two gateways; a stream placed in the second member is read from
the first; with the third member's gateways cut, the other two keep serving each other, and once the link is
back, so is the traffic to and from the third.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nats.js.api import Placement, StreamConfig

from tests.live import clients, network, rendering
from tests.live.cluster import Cluster, Server, wait_for
from tests.support import certs

MEMBERS = ("us-east", "eu-west", "ap-south")
GATEWAY_PORT = 7222
PASSWORD = "app-password"
FORM_TIMEOUT = 60
USER = {"user": "app", "password": PASSWORD}


def gateway_host(member: str) -> str:
    return f"gateway.{member}.example.com"


# The gateway's TLS files, from the Secret gateway-tls of each member (the pod's projected volume): a
# certificate for the member's gateway address, issued by the CA every member shares.
GATEWAY_TLS = {
    "cert_file": "/etc/nats-secrets/gateway-tls/tls.crt",
    "key_file": "/etc/nats-secrets/gateway-tls/tls.key",
    "ca_file": "/etc/nats-secrets/gateway-tls/ca.crt",
}


def member_document(member: str, tls: bool = False) -> dict[str, Any]:
    """The object every member renders, made this member by its name alone: the member list is the same
    in each (its own entry included), and the renderer advertises the address of the member's entry."""
    members = [{"name": m, "urls": [f"nats://{gateway_host(m)}:{GATEWAY_PORT}"]} for m in MEMBERS]
    gateway: dict[str, Any] = {"name": member, "port": GATEWAY_PORT, "gateways": members}
    if tls:
        gateway["tls"] = {**GATEWAY_TLS, "verify": True}
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "events", "namespace": "messaging"},
        "spec": {
            "replicas": 3,
            "users": {"app": {"password": PASSWORD}},
            "config": {
                "merge": {
                    "cluster": {"name": member},
                    "gateway": gateway,
                }
            },
        },
    }


Supercluster = dict[str, Cluster]


@pytest.fixture(params=[False], ids=["plain"])
def supercluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Supercluster]:
    """The three members, started; with the parameter true, their gateways speak TLS (GATEWAY_TLS)."""
    tls: bool = request.param
    ca = certs.TestCA()
    net = network.create(3 * len(MEMBERS))
    try:
        hosts: dict[str, list[str]] = {m: [] for m in MEMBERS}
        for index, member in enumerate(MEMBERS):
            for other in MEMBERS:
                if other != member:
                    hosts[other] += [f"{net.address(3 * index + i)} {gateway_host(member)}" for i in range(3)]
        clusters: Supercluster = {}
        try:
            for index, member in enumerate(MEMBERS):
                (tmp_path / member).mkdir()
                objects = rendering.rendered(member_document(member, tls))
                cluster = Cluster(
                    objects, tmp_path / member, shared=net, first=3 * index, hosts=tuple(hosts[member])
                )
                clusters[member] = cluster.__enter__()
                if tls:  # the member's Secret gateway-tls: its gateway address's certificate, the shared CA
                    issued = ca.issue([gateway_host(member)])
                    for server in cluster.servers:
                        certs.write_secret(server.folder / "secrets" / "gateway-tls", issued)
            for cluster in clusters.values():
                cluster.start()
            yield clusters
        finally:
            for cluster in clusters.values():
                cluster.close()
    finally:
        net.remove()


def _gateways(server: Server) -> set[str]:
    gatewayz = server.monitor("gatewayz") or {}
    return {
        name for name, link in (gatewayz.get("outbound_gateways") or {}).items() if link.get("connection")
    }


def _formed(clusters: Supercluster, members: tuple[str, ...] = MEMBERS) -> None:
    """Every server of `members` has an outbound gateway to each other one of them, and every server is
    healthy (with JetStream: one meta leader over the supercluster)."""

    def formed() -> bool:
        for member in members:
            for server in clusters[member].servers:
                if _gateways(server) < set(members) - {member} or server.http("/healthz")[0] != 200:
                    return False
        return True

    wait_for(f"gateways between {', '.join(members)} and every server healthy", formed, FORM_TIMEOUT)


async def _receives(source: list[str], target: list[str], subject: str) -> bytes:
    """Subscribe on `target`, publish on `source` until the message arrives (interest crosses gateways)."""
    receiver = await clients.connect(target, **USER)
    sender = await clients.connect(source, **USER)
    try:
        subscription = await receiver.subscribe(subject)
        await receiver.flush()
        deadline = time.monotonic() + 20
        while True:
            await sender.publish(subject, subject.encode())
            try:
                return (await subscription.next_msg(timeout=0.5)).data
            except asyncio.TimeoutError:
                if time.monotonic() > deadline:
                    raise
    finally:
        await sender.close()
        await receiver.close()


def test_three_members_of_one_name_form_a_supercluster_and_serve_across_it(
    supercluster: Supercluster,
) -> None:
    first, _, third = (supercluster[m] for m in MEMBERS)
    names = [s.name for cluster in supercluster.values() for s in cluster.servers]
    assert f'"advertise": "{gateway_host(MEMBERS[0])}:{GATEWAY_PORT}"' in first.servers[0].pod.config
    assert len(set(names)) == 9 and "us-east-0" in names, names
    assert {s.pod.name for s in first.servers} == {s.pod.name for s in third.servers}  # same pods everywhere
    _formed(supercluster)

    subject = "events.from-third"
    assert clients.run(lambda: _receives(third.urls(), first.urls(), subject)) == subject.encode()

    async def request_across_two_gateways() -> bytes:
        responder = await clients.connect(third.urls(), **USER)
        requester = await clients.connect(first.urls(), **USER)
        try:

            async def answer(message: Any) -> None:
                await message.respond(b"answered in " + MEMBERS[2].encode())

            await responder.subscribe("service.echo", cb=answer)
            await responder.flush()
            deadline = time.monotonic() + 20
            while True:
                try:
                    return (await requester.request("service.echo", b"?", timeout=1)).data
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.2)
        finally:
            await requester.close()
            await responder.close()

    assert clients.run(request_across_two_gateways) == b"answered in ap-south"

    async def stream_placed_in_second() -> tuple[str, bytes]:
        client = await clients.connect(first.urls(), **USER)
        try:
            js = client.jetstream(timeout=10)
            placement = Placement(cluster=MEMBERS[1])
            info = await clients.add_stream(
                js, StreamConfig(name="PLACED", subjects=["placed.>"], num_replicas=3, placement=placement)
            )
            ack = await clients.publish_acked(js, "placed.one", b"kept in eu-west")
            stored = await js.get_msg("PLACED", ack.seq)
            return str(info.cluster.name if info.cluster else ""), stored.data or b""
        finally:
            await client.close()

    assert clients.run(stream_placed_in_second) == (MEMBERS[1], b"kept in eu-west")


def _link(cluster: Cluster, state: str) -> None:
    """Take the member's pods off the network or put them back (their veth ends on the test's bridge)."""
    assert cluster.net is not None
    for server in cluster.servers:
        network.ip("link", "set", cluster.net.veth(cluster.first + server.pod.index), state)


def test_cutting_a_members_gateways_leaves_the_others_serving_until_the_link_is_back(
    supercluster: Supercluster,
) -> None:
    first, second, third = (supercluster[m] for m in MEMBERS)
    _formed(supercluster)
    _link(third, "down")  # its gateway links are cut; its servers keep running
    try:
        wait_for(
            "the first member to lose its gateway to the third",
            lambda: all(MEMBERS[2] not in _gateways(s) for s in first.servers),
            FORM_TIMEOUT,
        )
        assert (
            clients.run(lambda: _receives(first.urls(), second.urls(), "still.serving")) == b"still.serving"
        )
        assert all(s.running for s in third.servers)
    finally:
        _link(third, "up")
    _formed(supercluster)
    assert clients.run(lambda: _receives(third.urls(), first.urls(), "back.again")) == b"back.again"
    assert clients.run(lambda: _receives(second.urls(), third.urls(), "back.too")) == b"back.too"


@pytest.mark.parametrize("supercluster", [True], ids=["gateway-tls"], indirect=True)
def test_gateways_over_tls_from_secret_files_verify_one_shared_ca(supercluster: Supercluster) -> None:
    """Gateway TLS from Secrets: each member's certificate names exactly its gateway address, and every
    member verifies the others' against the one CA they share."""
    first, _, third = (supercluster[m] for m in MEMBERS)
    _formed(supercluster)
    for cluster in supercluster.values():
        for server in cluster.servers:
            gatewayz = server.monitor("gatewayz?accs=0") or {}
            assert gatewayz.get("outbound_gateways"), server.name
    varz = first.servers[0].monitor("varz") or {}
    assert varz.get("gateway", {}).get("tls_required") is True, varz.get("gateway")
    assert clients.run(lambda: _receives(third.urls(), first.urls(), "over.tls")) == b"over.tls"
