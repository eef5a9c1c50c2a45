"""TLS as rendered (SPEC section 8) runs: three real servers with TLS routes, verified clients, renewals.

The test plays cert-manager: a CA and a server certificate with exactly the DNS names the rendered
Certificate asks for, written where each pod mounts the certificate's Secret (the `tls` volume). The pods
find each other by the full names the routes dial, from the hosts file the harness gives them. A renewal
is what cert-manager and the reloader do: new files in the mounted Secret, then the reload signal.
"""

from __future__ import annotations

import json
import signal
import socket
import ssl
from collections.abc import Iterator
from typing import Any

import nats
import pytest
from cryptography import x509
from nats.js.api import StreamConfig

from tests.live import clients, rendering
from tests.live.cluster import Cluster, Server, wait_for
from tests.live.formation import wait_formed
from tests.support import certs, pods
from tests.support.rendered import variant

NAMESPACE = "tenant-live"
RELOAD_TIMEOUT = 10


def _document() -> dict[str, Any]:
    document = variant(rendering.seed(), tls={"enabled": True})
    document["metadata"]["namespace"] = NAMESPACE
    return document


# The managed service's own cluster domain, not the default: the names must follow the option end to end.
CLUSTER_DOMAIN = "cozy.local"
OBJECTS = rendering.rendered(_document(), cluster_domain=CLUSTER_DOMAIN)
CERTIFICATE = next(
    o for o in OBJECTS if o["kind"] == "Certificate" and o["spec"]["secretName"].endswith("-tls")
)
SERVICE = f"{pods.find(OBJECTS, 'StatefulSet')['metadata']['name']}.{NAMESPACE}.svc"
PASSWORDS = rendering.credentials(OBJECTS)


def _tls_folder(server: Server) -> Any:
    """The folder standing for the pod's mount of the server certificate's Secret."""
    volume = next(
        m["name"]
        for c in pods.find(OBJECTS, "StatefulSet")["spec"]["template"]["spec"]["containers"]
        if c["name"] == "nats"
        for m in c["volumeMounts"]
        if m["name"] == "tls"
    )
    return server.folder / volume


@pytest.fixture(scope="module")
def ca() -> certs.TestCA:
    return certs.TestCA()


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory, ca: certs.TestCA) -> Iterator[Cluster]:
    with Cluster(OBJECTS, tmp_path_factory.mktemp("tls")) as cluster:
        issued = ca.issue(CERTIFICATE["spec"]["dnsNames"])
        for server in cluster.servers:
            certs.write_secret(_tls_folder(server), issued)
        cluster.start()
        yield cluster


@pytest.fixture
def secured(tls_cluster: Cluster) -> Cluster:
    wait_formed(tls_cluster)
    return tls_cluster


def _context(ca: certs.TestCA) -> ssl.SSLContext:
    context = ssl.create_default_context(cadata=ca.pem.decode())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def test_routes_dial_names_the_hosts_file_and_the_certificate_hold(secured: Cluster) -> None:
    hosts = secured.servers[0].hosts_file.read_text().split()
    routes = secured.servers[0].config.split('"routes": [', 1)[1].split("]", 1)[0]
    dialled = [url.strip().strip('",').removeprefix("nats://").rsplit(":", 1)[0] for url in routes.split(",")]
    dialled = [host for host in dialled if host]
    assert len(dialled) == len(secured.servers)
    wildcards = [n for n in CERTIFICATE["spec"]["dnsNames"] if n.startswith("*.")]
    for host in dialled:
        # No cluster domain in a route: the pods' DNS search path completes it, whatever it is.
        assert host.endswith(f".{NAMESPACE}.svc") and CLUSTER_DOMAIN not in host
        assert host in hosts, f"{host} is not in the pods' hosts file"
        assert f"*.{host.split('.', 1)[1]}" in wildcards, f"{host} is not covered by {wildcards}"


def test_routes_form_over_tls_and_jetstream_elects_a_leader(secured: Cluster) -> None:
    for server in secured.servers:
        routez = server.monitor("routez") or {}
        assert len(routez.get("routes", [])) >= len(secured.servers) - 1
        varz = server.monitor("varz") or {}
        assert varz.get("tls_required") is True, "clients must be asked for TLS"
        assert varz["cluster"].get("tls_required") is True, "routes must run over TLS"


async def _verified_client_writes_a_stream(url: str, context: ssl.SSLContext) -> int:
    client = await nats.connect(
        servers=[url],
        tls=context,
        tls_hostname=SERVICE,
        user="user1",
        password=PASSWORDS["user1"],
        connect_timeout=clients.CONNECT_TIMEOUT,
        allow_reconnect=False,
        max_reconnect_attempts=0,
    )
    try:
        js = client.jetstream()
        await clients.add_stream(js, StreamConfig(name="TLS", subjects=["tls.>"], num_replicas=3))
        ack = await clients.publish_acked(js, "tls.hello", b"over tls")
        return ack.seq
    finally:
        await client.close()


def test_a_client_that_verifies_the_ca_connects_by_the_service_name_and_logs_in(
    secured: Cluster, ca: certs.TestCA
) -> None:
    server = secured.servers[0]
    seq = clients.run(lambda: _verified_client_writes_a_stream(f"tls://{server.address}:4222", _context(ca)))
    assert seq >= 1
    # The check is real: a name the certificate does not hold fails verification.
    wrong = clients.run(
        lambda: clients.refusal(
            [f"tls://{server.address}:4222"],
            tls=_context(ca),
            tls_hostname=f"nats-other.{NAMESPACE}.svc",
            user="user1",
            password=PASSWORDS["user1"],
        )
    )
    assert wrong is not None and "CERTIFICATE_VERIFY_FAILED" in wrong, wrong


def _plain_text_attempt(server: Server) -> tuple[dict[str, Any], bytes]:
    """INFO, then a plain-text CONNECT and PING: what the server answers before it closes."""
    with socket.create_connection((server.address, server.pod.ports["nats"]), timeout=5) as sock:
        info = json.loads(_line(sock).removeprefix(b"INFO "))
        login = {"user": "user1", "pass": PASSWORDS["user1"], "verbose": False}
        sock.sendall(b"CONNECT " + json.dumps(login).encode() + b"\r\nPING\r\n")
        answer = b""
        try:
            while chunk := sock.recv(4096):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return info, answer


def _line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(1)
        assert chunk, "the server closed before its INFO line"
        data += chunk
    return data.strip()


def test_a_client_without_tls_is_refused(secured: Cluster) -> None:
    server = secured.servers[1]
    info, answer = _plain_text_attempt(server)
    assert info["tls_required"] is True
    assert b"PONG" not in answer and b"+OK" not in answer, answer
    untrusted = clients.run(
        lambda: clients.refusal([server.url()], user="user1", password=PASSWORDS["user1"])
    )
    assert untrusted is not None, "a client that does not trust the CA must not get in"


def _served_serial(server: Server, context: ssl.SSLContext) -> int:
    """The serial number of the certificate the server presents to a client now."""
    with socket.create_connection((server.address, server.pod.ports["nats"]), timeout=5) as sock:
        _line(sock)  # INFO comes in plain text; the client then starts the handshake
        with context.wrap_socket(sock, server_hostname=SERVICE) as tls:
            der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def _serial(files: dict[str, bytes]) -> int:
    return x509.load_pem_x509_certificates(files["tls.crt"])[0].serial_number


def test_a_renewed_certificate_is_picked_up_by_reload_without_a_restart(
    secured: Cluster, ca: certs.TestCA
) -> None:
    reloader = next(
        c
        for c in pods.find(OBJECTS, "StatefulSet")["spec"]["template"]["spec"]["containers"]
        if c["name"] == "reloader"
    )
    mount = next(m["mountPath"] for m in reloader["volumeMounts"] if m["name"] == "tls")
    watched = [reloader["args"][i + 1] for i, arg in enumerate(reloader["args"]) if arg == "-config"]
    assert {f"{mount}/{key}" for key in ("tls.crt", "tls.key", "ca.crt")} <= set(watched)
    context = _context(ca)
    renewed = ca.issue(CERTIFICATE["spec"]["dnsNames"])
    pids = {s.name: s.pid() for s in secured.servers}
    started = {s.name: (s.monitor("varz") or {})["start"] for s in secured.servers}
    for server in secured.servers:
        assert _served_serial(server, context) != _serial(renewed)
        seen = len(server.log.read_bytes())
        certs.write_secret(_tls_folder(server), renewed)
        server.signal(signal.SIGHUP)  # what the reloader sends when a watched file changes
        wait_for(
            f"{server.name} to reload",
            lambda s=server, n=seen: "Reloaded server configuration" in s.log.read_bytes()[n:].decode(),
            RELOAD_TIMEOUT,
        )
    for server in secured.servers:
        assert _served_serial(server, context) == _serial(renewed), (
            f"{server.name} serves the old certificate"
        )
        assert server.pid() == pids[server.name], "reloaded, not restarted"
        assert (server.monitor("varz") or {})["start"] == started[server.name]
    wait_formed(secured)  # the routes come back with the renewed certificate


def test_routes_verify_the_peer_a_certificate_without_the_pod_names_forms_no_cluster(
    tmp_path_factory: pytest.TempPathFactory, ca: certs.TestCA
) -> None:
    # Only the Service names, not the wildcard for the pods: every route's verification must fail.
    wrong = ca.issue([n for n in CERTIFICATE["spec"]["dnsNames"] if not n.startswith("*.")])
    with Cluster(OBJECTS, tmp_path_factory.mktemp("tls-wrong")) as cluster:
        for server in cluster.servers:
            certs.write_secret(_tls_folder(server), wrong)
        cluster.start()
        wait_for(
            "a route refused for its certificate's names",
            lambda: "TLS route handshake error: tls: failed to verify certificate" in cluster.logs(),
            15,
        )
        for server in cluster.servers:
            assert not (server.monitor("routez") or {}).get("routes"), cluster.logs()
