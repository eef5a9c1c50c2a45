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

TLS on gateways, two ways: files from Secrets written in config.merge (GATEWAY_TLS), and `spec.tls` with an
issuer every member shares (the render option tls_issuer), where the renderer gives the gateway the server
certificate's files and names the member's gateway host in its Certificate; the certificates are issued by
one test CA for exactly the rendered names, as cert-manager would. A member whose certificate comes from
another CA never links to the others.
"""

from __future__ import annotations

import asyncio
import copy
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nats.js.api import Placement, StreamConfig

from nats_kplugin.kubernetes.certificates import IssuerRef
from nats_kplugin.nats_server.tls import CA_FILE
from tests.live import clients, network, rendering
from tests.live.cluster import Cluster, Server, wait_for
from tests.support import certs, judge

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


# The issuer every member's Kubernetes cluster shares (one CA behind it): here, the one test CA.
SHARED_ISSUER = IssuerRef("ClusterIssuer", "supercluster-ca")
PLAIN, FILES, ISSUER = "plain", "files", "issuer"
# ISSUER, but the last member's certificate is wrong: from another CA, or without its gateway host.
OTHER_CA, NO_HOST = "issuer-other-ca", "issuer-without-gateway-host"
WITH_ISSUER = (ISSUER, OTHER_CA, NO_HOST)


def member_document(member: str, mode: str = PLAIN) -> dict[str, Any]:
    """The object every member renders, made this member by its name alone: the member list is the same
    in each (its own entry included), and the renderer advertises the address of the member's entry.
    FILES: gateway.tls from Secret files; WITH_ISSUER: spec.tls on, the renderer's gateway TLS."""
    members = [{"name": m, "urls": [f"nats://{gateway_host(m)}:{GATEWAY_PORT}"]} for m in MEMBERS]
    gateway: dict[str, Any] = {"name": member, "port": GATEWAY_PORT, "gateways": members}
    if mode == FILES:
        gateway["tls"] = {**GATEWAY_TLS, "verify": True}
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "events", "namespace": "messaging"},
        "spec": {
            "replicas": 3,
            "users": {"app": {"password": PASSWORD}},
            "tls": {"enabled": mode in WITH_ISSUER},
            "config": {
                "merge": {
                    "cluster": {"name": member},
                    "gateway": gateway,
                }
            },
        },
    }


Supercluster = dict[str, Cluster]


def _rendered(member: str, mode: str) -> list[dict[str, Any]]:
    issuer = {"tls_issuer": SHARED_ISSUER} if mode in WITH_ISSUER else {}
    return rendering.rendered(member_document(member, mode), **issuer)


@pytest.fixture(params=[PLAIN], ids=[PLAIN])
def supercluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Supercluster]:
    """The three members, started. FILES: their gateways speak TLS with GATEWAY_TLS. ISSUER: with the
    server certificate, issued by one CA for exactly the rendered names. OTHER_CA, NO_HOST: the same, but
    the last member's certificate comes from another CA, or lacks the member's gateway host."""
    mode: str = request.param
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
                objects = _rendered(member, mode)
                cluster = Cluster(
                    objects, tmp_path / member, shared=net, first=3 * index, hosts=tuple(hosts[member])
                )
                clusters[member] = cluster.__enter__()
                if mode == FILES:  # the member's Secret gateway-tls: its gateway address's certificate
                    issued = ca.issue([gateway_host(member)])
                    for server in cluster.servers:
                        certs.write_secret(server.folder / "secrets" / "gateway-tls", issued)
                elif mode in WITH_ISSUER:  # cert-manager, from the issuer every member shares
                    wrong = mode != ISSUER and member == MEMBERS[-1]
                    if wrong and mode == NO_HOST:
                        objects = _without_name(objects, gateway_host(member))
                    issuer = certs.TestCA() if wrong and mode == OTHER_CA else ca
                    assert judge.play_cert_manager(objects, cluster, issuer)
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
    return await clients.delivered(source, USER, target, USER, subject)


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


@pytest.mark.parametrize("supercluster", [FILES], ids=["gateway-tls"], indirect=True)
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


def _without_name(objects: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The objects with `name` taken out of every Certificate's dnsNames."""
    changed = copy.deepcopy(objects)
    for certificate in (o for o in changed if o["kind"] == "Certificate"):
        certificate["spec"]["dnsNames"] = [n for n in certificate["spec"]["dnsNames"] if n != name]
    return changed


def _certificate_names(member: str) -> set[str]:
    certificate = certs.certificate_for_secret(_rendered(member, ISSUER), "nats-events-tls")
    assert certificate is not None
    return {*certificate["spec"]["dnsNames"], *certificate["spec"].get("ipAddresses", [])}


def _tls_client(cluster: Cluster, ca: bytes) -> tuple[list[str], dict[str, Any]]:
    """The member's client URLs and options with spec.tls on: TLS, verified against the CA."""
    urls = [f"tls://{s.address}:{s.pod.ports['nats']}" for s in cluster.running()]
    context = ssl.create_default_context(cadata=ca.decode())
    return urls, {**USER, "tls": context, "tls_hostname": "nats-events"}


@pytest.mark.parametrize("supercluster", [ISSUER], ids=[ISSUER], indirect=True)
def test_gateways_over_tls_from_one_shared_issuer_form_the_supercluster(supercluster: Supercluster) -> None:
    """spec.tls with an issuer every member shares: every gateway requires TLS with the server certificate,
    whose names hold the member's own gateway host and no other member's, and the supercluster forms."""
    for member in MEMBERS:
        names = _certificate_names(member)
        assert gateway_host(member) in names, names
        assert not {gateway_host(m) for m in MEMBERS if m != member} & names, names
    first, _, third = (supercluster[m] for m in MEMBERS)
    _formed(supercluster)
    for cluster in supercluster.values():
        for server in cluster.servers:
            varz = server.monitor("varz") or {}
            assert varz.get("gateway", {}).get("tls_required") is True, (server.name, varz.get("gateway"))
    ca = first.servers[0].host_path(CA_FILE).read_bytes()
    source, source_options = _tls_client(third, ca)
    target, target_options = _tls_client(first, ca)

    subject = "over.shared.issuer"
    crossed = clients.run(lambda: clients.delivered(source, source_options, target, target_options, subject))
    assert crossed == subject.encode()


@pytest.mark.parametrize("supercluster", [OTHER_CA, NO_HOST], ids=[OTHER_CA, NO_HOST], indirect=True)
def test_a_member_with_a_wrong_certificate_never_links_from_the_others(supercluster: Supercluster) -> None:
    """The last member's certificate is issued by another CA (its names right), or by the shared CA
    without its gateway host: the first two link to each other, and no gateway from them to the last one
    completes its handshake (nats-server verifies the certificate's chain and the dialed host). From
    another CA, the last member's own dials fail too: it presents that certificate as a client."""
    *trusted, outsider = MEMBERS
    other_ca = supercluster[outsider].servers[0].host_path(CA_FILE).read_bytes() != (
        supercluster[trusted[0]].servers[0].host_path(CA_FILE).read_bytes()
    )

    def trusted_linked() -> bool:
        return all(
            _gateways(server) >= set(trusted) - {member}
            for member in trusted
            for server in supercluster[member].servers
        )

    wait_for(f"gateways between {', '.join(trusted)}", trusted_linked, FORM_TIMEOUT)
    deadline = time.monotonic() + 10  # long enough for several dial attempts each way
    while time.monotonic() < deadline:
        for member in trusted:
            assert not any(outsider in _gateways(s) for s in supercluster[member].servers)
        if other_ca:
            assert not any(_gateways(s) for s in supercluster[outsider].servers)
        time.sleep(1)
    logs = "\n".join(supercluster[member].logs() for member in trusted)
    reason = "certificate signed by unknown authority" if other_ca else f"not {gateway_host(outsider)}"
    assert reason in logs, logs[-3000:]
