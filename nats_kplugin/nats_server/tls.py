"""TLS in the nats-server configuration (SPEC section 8): the `tls` blocks and routes by full name.

With `spec.tls_enabled` the pod mounts the server Certificate's Secret at `TLS_DIR`, three keys only:
`tls.crt`, `tls.key` and `ca.crt` (cert-manager writes the issuing CA's certificate there; the CA's own
Secret, which holds its private key, is never mounted). Every listener that speaks TLS uses those files:

- clients (`tls`), on the client port and behind the client Service;
- routes (`cluster.tls`): the servers verify each other with the CA, so every route dials a pod by a
  name the certificate's wildcard covers, `nats-X-N.nats-X-headless.NS.svc`: without the cluster domain,
  which the pod's DNS search path completes, so the routes form on any cluster domain (`cluster.local`,
  Cozystack's `cozy.local`) without being told it;
- `websocket`, `leafnodes` and `mqtt` blocks that config.merge adds, unless they bring their own `tls`;
  a websocket with `no_tls: true` stays plain, with a warning;
- the gateway (`gateway.tls`), only with an issuer the render names (`--tls-issuer`): members of a
  supercluster verify each other through one CA, which an issuer every member's cluster shares is and each
  member's own self-signed chain is not. The certificate then names the member's gateway address
  (`certificate_hosts`). Without such an issuer the gateway stays as config.merge wrote it, with a warning.

What nats-server does with gateway TLS (2.15, server/opts.go `getTLSConfig`, server/gateway.go,
`doTLSHandshake` in server/client.go): a gateway `tls` block always requires and verifies the peer's
certificate both ways (`verify` or not), against its `ca_file` for both roles, so the server certificate
is also a client certificate (its `client auth` usage). The dialing side checks the host of the URL it
dials: the list's URLs, and the URLs the remote gossips (its servers' `advertise`). A gossiped IP literal is
checked against the first hostname seen for that gateway, else as the IP itself (an `ipAddresses` entry).

The monitor port stays plain HTTP: the kubelet's probes and the metrics exporter read it (SPEC section 8).
config.merge may add settings inside these blocks (`verify`, `timeout`, cipher suites), but it cannot take
TLS away while the spec turns it on: `spec.tls.enabled: false` is the one switch.
"""

from __future__ import annotations

from typing import Any

from ..codes import Code
from ..problems import Path, Problem, error, warning
from ..spec.model import NatsSpec
from . import topology
from .option_table import CLIENT_LISTENER_BLOCKS
from .pod_filesystem import TLS_DIR
from .values import listen_port

CERT_FILE = f"{TLS_DIR}/tls.crt"
KEY_FILE = f"{TLS_DIR}/tls.key"
CA_FILE = f"{TLS_DIR}/ca.crt"
SECRET_KEYS = ("tls.crt", "tls.key", "ca.crt")  # the keys of the Secret the pod mounts, nothing else
DEFAULT_CLUSTER_DOMAIN = "cluster.local"
# A route takes this long at most for the TLS handshake; nats-server's default (2s) is short for a pod whose
# peer is starting at the same moment.
ROUTE_TLS_TIMEOUT = 5
# The fix is the front end's to word (entrypoints/process.py ADVISED); the command line's is the default.
NO_NAMESPACE_MESSAGE = (
    "TLS needs a namespace: the certificate names nats-<name>.<namespace>.svc and the routes dial the pods "
    "by that name; set metadata.namespace or {namespace}"
)
COMMAND_LINE_NAMESPACE_FIX = "render with --namespace (Argo CD gives the Application's namespace)"
_BASE: Path = ("spec", "config", "merge")


def tls_block() -> dict[str, Any]:
    """The files of the mounted server certificate, as every TLS listener names them."""
    return {"cert_file": CERT_FILE, "key_file": KEY_FILE, "ca_file": CA_FILE}


def route_urls(spec: NatsSpec, port: int) -> list[str]:
    """One route per pod, by the name the certificate's `*.nats-X-headless.NS.svc` covers."""
    return spec.names.route_urls(spec.replicas, port, f".{spec.namespace}.svc")


def secure(spec: NatsSpec, config: dict[str, Any], shared_issuer: bool = False) -> list[Problem]:
    """Turn TLS on in a merged configuration, in place; what config.merge set inside a block is kept.
    `shared_issuer`: the certificate comes from an issuer the render names (`--tls-issuer`), not the
    self-signed chain of this cluster alone, so the gateway speaks TLS too.

    Refused (tls-needs-namespace at metadata.namespace):
        spec: {tls: {enabled: true}}
    Refused (plain-text at spec.config.merge.websocket.no_tls):
        metadata: {namespace: tenant}
        spec:
          tls: {enabled: true}
          config: {merge: {websocket: {port: 8080, no_tls: true}}}
    Accepted:
        metadata: {namespace: tenant}
        spec:
          tls: {enabled: true}
          config: {merge: {websocket: {port: 8080}}}
    """
    if not spec.namespace:
        return [
            error(
                Code.TLS_NEEDS_NAMESPACE,
                NO_NAMESPACE_MESSAGE.format(namespace=COMMAND_LINE_NAMESPACE_FIX),
                ("metadata", "namespace"),
            )
        ]
    problems: list[Problem] = []
    config["tls"] = _with_ours(config.get("tls"), {})
    cluster = config.get("cluster")
    if isinstance(cluster, dict):
        cluster["tls"] = _with_ours(cluster.get("tls"), {"timeout": ROUTE_TLS_TIMEOUT})
        number = listen_port(cluster.get("port", cluster.get("listen")))
        if number is not None and "routes" in cluster:
            cluster["routes"] = route_urls(spec, number)
    for name in CLIENT_LISTENER_BLOCKS:  # config.merge may add them; they speak TLS with this certificate
        block = config.get(name)
        if not isinstance(block, dict):
            continue
        if name == "websocket" and block.get("no_tls") is True:
            problems.append(
                warning(
                    Code.PLAIN_TEXT,
                    "the websocket listener stays plain text (no_tls) while spec.tls is on; remove "
                    "no_tls to serve it with the server certificate",
                    (*_BASE, name, "no_tls"),
                )
            )
            continue
        block["tls"] = _with_ours(block.get("tls"), {})
    problems += _secure_gateway(config, shared_issuer)
    return problems


def _secure_gateway(config: dict[str, Any], shared_issuer: bool) -> list[Problem]:
    """The gateway speaks TLS with the server certificate when an issuer every member shares signs it; what
    config.merge wrote in `gateway.tls` is kept over ours. Without such an issuer a gateway.tls written in
    config.merge stays exactly as written, and a gateway without one stays plain, with a warning.

    Refused (plain-text at spec.config.merge.gateway):
        metadata: {namespace: tenant}
        spec:
          tls: {enabled: true}
          config: {merge: {cluster: {name: east}, gateway: {name: east, port: 7222}}}
    Accepted:
        metadata: {namespace: tenant}
        spec:
          tls: {enabled: true}
          config:
            merge:
              cluster: {name: east}
              gateway: {name: east, port: 7222, tls: {ca_file: /etc/nats-secrets/shared-ca/ca.crt}}
    """
    gateway = config.get("gateway")
    if not isinstance(gateway, dict) or not listen_port(gateway.get("port", gateway.get("listen"))):
        return []
    if shared_issuer:
        gateway["tls"] = _with_ours(gateway.get("tls"), {"timeout": ROUTE_TLS_TIMEOUT})
        return []
    if "tls" in gateway:
        return []
    # Members of a supercluster trust one another only through one CA; each member's self-signed chain is
    # its own (docs/topologies.md), so the gateway is left as config.merge wrote it, and said so.
    message = (
        "the gateway stays plain text while spec.tls is on: members trust each other only through one CA, "
        "which each member's own self-signed chain is not; render with --tls-issuer (NATS_RENDER_TLS_ISSUER, "
        "Argo CD's parameter tls-issuer) naming an issuer every member shares, or write gateway.tls with "
        "a shared CA's files from Secrets (/etc/nats-secrets/<secret>/<key>)"
    )
    return [warning(Code.PLAIN_TEXT, message, (*_BASE, "gateway"))]


def certificate_hosts(config: dict[str, Any]) -> tuple[str, ...]:
    """The gateway addresses the server certificate must name: those of this member the others dial, when
    the gateway speaks TLS with the server certificate (an issuer every member shares signs it)."""
    gateway = config.get("gateway")
    block = gateway.get("tls") if isinstance(gateway, dict) else None
    if not isinstance(block, dict) or block.get("cert_file") != CERT_FILE:
        return ()
    return topology.own_gateway_hosts(config)


def plain_outside(spec: NatsSpec) -> list[Problem]:
    """A LoadBalancer without TLS sends every password in clear past the cluster: say so (strict: refuse).

    Refused (plain-text at spec.tls.enabled):
        spec: {external: true, tls: {enabled: false}, users: {app: {password: app-password}}}
    Accepted:
        metadata: {namespace: tenant}
        spec: {external: true, users: {app: {password: app-password}}}
    """
    if spec.external and not spec.tls_enabled:
        return [
            warning(
                Code.PLAIN_TEXT,
                "external: true with TLS off sends passwords and messages in clear outside the cluster; "
                "remove tls.enabled: false to have TLS follow external",
                ("spec", "tls", "enabled"),
            )
        ]
    return []


def check_allow_non_tls(spec: NatsSpec, config: dict[str, Any], base: Path) -> list[Problem]:
    """`allow_non_tls: true` on a LoadBalancer with TLS on: nats-server then takes plain-text clients beside
    TLS ones, so a password can cross the network in clear although the object says TLS (the booted server
    takes a plain-text login, tests/servers/test_allow_non_tls.py). Say so (strict: refuse).

    Refused (plain-text at spec.config.merge.allow_non_tls):
        metadata: {namespace: tenant}
        spec:
          external: true
          users: {app: {password: app-password}}
          config: {merge: {allow_non_tls: true}}
    Accepted:
        metadata: {namespace: tenant}
        spec:
          external: true
          users: {app: {password: app-password}}
          config: {merge: {allow_non_tls: false}}
    """
    if not (spec.external and spec.tls_enabled and config.get("allow_non_tls") is True):
        return []
    return [
        warning(
            Code.PLAIN_TEXT,
            "allow_non_tls lets clients log in over the LoadBalancer without TLS, sending passwords and "
            "messages in clear outside the cluster; remove it (or set it to false) to require TLS",
            (*base, "allow_non_tls"),
        )
    ]


def _with_ours(given: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """Our files and defaults under what config.merge wrote into the block."""
    ours = {**tls_block(), **extra}
    return {**ours, **given} if isinstance(given, dict) else ours


def watched_files(config: dict[str, Any]) -> list[str]:
    """Every certificate file the configuration names, for the reloader to watch (sorted, once each)."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("cert_file", "key_file", "ca_file") and isinstance(item, str):
                    found.add(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(config)
    return sorted(found)
