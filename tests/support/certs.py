"""Test certificates for rendered TLS configurations: a CA and server certificates with exactly the names the
rendered cert-manager Certificate asks for, written as the Secret cert-manager would write (tls.crt, tls.key,
ca.crt), so `nats-server -t` and the live servers load real files. ECDSA P-256, as the Certificate says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import trustme


def certificate_for_secret(objects: list[dict[str, Any]], secret: str) -> dict[str, Any] | None:
    """The rendered cert-manager Certificate that writes `secret`, if any."""
    return next(
        (o for o in objects if o["kind"] == "Certificate" and o["spec"]["secretName"] == secret),
        None,
    )


class TestCA:
    """One CA, as the rendered CA Issuer would be; issues server certificates for given names."""

    def __init__(self) -> None:
        self.ca = trustme.CA(key_type=trustme.KeyType.ECDSA)

    def issue(self, dns_names: list[str]) -> dict[str, bytes]:
        """The keys of the server certificate's Secret: tls.crt, tls.key and the CA's ca.crt."""
        leaf = self.ca.issue_cert(*dns_names, key_type=trustme.KeyType.ECDSA)
        return {
            "tls.crt": b"".join(pem.bytes() for pem in leaf.cert_chain_pems),
            "tls.key": leaf.private_key_pem.bytes(),
            "ca.crt": self.ca.cert_pem.bytes(),
        }

    @property
    def pem(self) -> bytes:
        return self.ca.cert_pem.bytes()


def write_secret(folder: Path, files: dict[str, bytes]) -> None:
    """Replace the files of a mounted Secret (each file at once, as the kubelet's atomic swap)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        temporary = folder / f".{name}.new"
        temporary.write_bytes(content)
        temporary.replace(folder / name)
