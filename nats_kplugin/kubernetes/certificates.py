"""The cert-manager objects of one TLS-enabled NATS cluster (SPEC section 8), as plain dicts.

As the managed service does it, by default: a self-signed Issuer `nats-X-selfsigned` that signs a CA
Certificate `nats-X-ca` (ECDSA P-256, five years, its key never rotated), a CA Issuer `nats-X-ca` on that
CA's Secret, and the server Certificate `nats-X-tls` (ECDSA P-256, one year, renewed 30 days before, a
new key each time) for server and client auth, since routes present it both ways. With an existing Issuer
or ClusterIssuer (`--tls-issuer`) only the server Certificate is rendered, issued by that one.

The server Certificate names every name a client or a route dials: `nats-X`, `nats-X.NS.svc`,
`nats-X.NS.svc.DOMAIN`, the same three for `nats-X-headless`, and for the pods `*.nats-X-headless.NS.svc`
(what the routes dial, on any cluster domain) and `*.nats-X-headless.NS.svc.DOMAIN`. With gateway TLS it
also names the member's gateway hosts, each a DNS name or an IP address as written (`gateway_hosts`, from the
nats-server configuration: nats_server/tls.py `certificate_hosts`). A NATS object without a
namespace gets no TLS (nats_server/tls.py refuses it): a certificate for a guessed namespace would not
verify wherever the objects are really applied.
"""

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from ..spec.names import ObjectNames

API_VERSION = "cert-manager.io/v1"
ISSUER_KINDS = ("Issuer", "ClusterIssuer")
CA_DURATION = "43800h"  # five years, as the managed service
SERVER_DURATION = "8760h"  # one year ...
SERVER_RENEW_BEFORE = "720h"  # ... renewed 30 days before it ends
# Compiled on first use (re caches it): only the options that name an issuer or a domain need it.
_SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"


class IssuerRef(NamedTuple):
    """An existing cert-manager issuer to use instead of the self-signed chain."""

    kind: str  # Issuer or ClusterIssuer
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


def parse_issuer(text: str) -> IssuerRef:
    """`Issuer/NAME` or `ClusterIssuer/NAME` (a bare NAME is an Issuer); ValueError says what is wrong."""
    kind, slash, name = text.strip().partition("/")
    if not slash:
        kind, name = "Issuer", kind
    if kind not in ISSUER_KINDS:
        raise ValueError(f"the TLS issuer must be Issuer/NAME or ClusterIssuer/NAME, not {text!r}")
    if len(name) > 253 or not re.fullmatch(_SUBDOMAIN, name):
        raise ValueError(f"the TLS issuer's name must be a DNS subdomain (lowercase), not {name!r}")
    return IssuerRef(kind, name)


def check_cluster_domain(text: str) -> str:
    """The cluster DNS domain (`cluster.local`); ValueError when it is not a DNS name."""
    domain = text.strip().strip(".")
    if len(domain) > 253 or not re.fullmatch(_SUBDOMAIN, domain):
        raise ValueError(f"the cluster domain must be a DNS name such as cluster.local, not {text!r}")
    return domain


def dns_names(names: ObjectNames, namespace: str, cluster_domain: str) -> list[str]:
    found = []
    for service in (names.full, names.headless):
        found += [service, f"{service}.{namespace}.svc", f"{service}.{namespace}.svc.{cluster_domain}"]
    # The pods, by the names the routes dial (no cluster domain: tls.py) and by their full names.
    found += [f"*.{names.headless}.{namespace}.svc", f"*.{names.headless}.{namespace}.svc.{cluster_domain}"]
    return found


def certificate_objects(
    names: ObjectNames,
    namespace: str,
    cluster_domain: str,
    issuer: IssuerRef | None,
    metadata: Callable[[str], dict[str, Any]],
    gateway_hosts: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Issuers and Certificates in apply order; `metadata(name)` gives each object's metadata;
    `gateway_hosts` are the addresses the other members of a supercluster dial."""
    objects: list[dict[str, Any]] = []
    if issuer is None:
        selfsigned, ca = names.selfsigned_issuer, names.ca
        objects.append(_issuer(metadata(selfsigned), {"selfSigned": {}}))
        objects.append(
            _certificate(
                metadata(ca),
                {
                    "secretName": ca,
                    "duration": CA_DURATION,
                    "commonName": ca,
                    "isCA": True,
                    "issuerRef": _issuer_ref(IssuerRef("Issuer", selfsigned)),
                    "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Never"},
                },
            )
        )
        objects.append(_issuer(metadata(ca), {"ca": {"secretName": ca}}))
        issuer = IssuerRef("Issuer", ca)
    addresses = [host for host in gateway_hosts if _is_ip(host)]
    spec: dict[str, Any] = {
        "secretName": names.tls,
        "duration": SERVER_DURATION,
        "renewBefore": SERVER_RENEW_BEFORE,
        "commonName": names.full,
        "dnsNames": [
            *dns_names(names, namespace, cluster_domain),
            *(host for host in gateway_hosts if host not in addresses),
        ],
    }
    if addresses:
        spec["ipAddresses"] = addresses
    spec["issuerRef"] = _issuer_ref(issuer)
    spec["privateKey"] = {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"}
    # Routes and gateways present the server certificate as a client too.
    spec["usages"] = ["digital signature", "key encipherment", "server auth", "client auth"]
    objects.append(_certificate(metadata(names.tls), spec))
    return objects


def _is_ip(host: str) -> bool:
    import ipaddress  # only a gateway's hosts need it: a plain render does not load it

    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _issuer_ref(issuer: IssuerRef) -> dict[str, str]:
    return {"name": issuer.name, "kind": issuer.kind, "group": "cert-manager.io"}


def _issuer(metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": "Issuer", "metadata": metadata, "spec": spec}


def _certificate(metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": "Certificate", "metadata": metadata, "spec": spec}
