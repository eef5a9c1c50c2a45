"""TLS settings config.merge may write that nats-server refuses: a `min_version` below 1.2 or unknown, and a
cipher suite it does not know or, without `allow_insecure_cipher_suites`, one it holds insecure.

Taken from the pinned server (nats-io/nats-server v2.15.1, built with Go 1.25): server/opts.go, parseTLS
and parseTLSVersion (`min_version` is one of the strings of server.go's tlsVersionFromString, then refused
below TLS 1.2), and server/ciphersuites.go, whose cipher names are those of Go's crypto/tls CipherSuites()
and InsecureCipherSuites(), looked up by exact name. tests/servers/test_tls_values.py holds both tables to
the binary's `-t`.
"""

from __future__ import annotations

from typing import Any

from ..codes import Code
from ..problems import Path, Problem, error

TLS_VERSIONS = ("1.2", "1.3")
SECURE_CIPHER_SUITES = (
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
)
# Accepted only beside `allow_insecure_cipher_suites: true`: RC4, 3DES, RSA key exchange, CBC with SHA-256.
INSECURE_CIPHER_SUITES = (
    "TLS_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
)
# The blocks with a `tls` of their own, and the lists of blocks that have one each.
_TLS_BLOCKS = ("cluster", "gateway", "leafnodes", "websocket", "mqtt")
_TLS_LISTS = (("leafnodes", "remotes"), ("gateway", "gateways"))


def check_tls_values(config: dict[str, Any], base: Path) -> list[Problem]:
    """Every `tls` block of a merged configuration: its `min_version` and `cipher_suites` as nats-server
    takes them.

    Refused (unsupported-tls at spec.config.merge.tls.min_version):
        tls: {min_version: "1.0"}
    Refused (unsupported-tls at spec.config.merge.cluster.tls.cipher_suites[0]):
        cluster: {port: 6222, tls: {cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}}
    Accepted:
        tls: {min_version: "1.3", cipher_suites: [TLS_AES_128_GCM_SHA256]}
    """
    return [
        error(Code.UNSUPPORTED_TLS, message, (*where, *field))
        for where, block in _tls_blocks(config, base)
        for field, message in _refusals(block)
    ]


def _tls_blocks(config: dict[str, Any], base: Path) -> list[tuple[Path, dict[str, Any]]]:
    found: list[tuple[Path, Any]] = [((*base, "tls"), config.get("tls"))]
    for name in _TLS_BLOCKS:
        body = config.get(name)
        if isinstance(body, dict):
            found.append(((*base, name, "tls"), body.get("tls")))
    for name, key in _TLS_LISTS:
        body = config.get(name)
        items = body.get(key) if isinstance(body, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                found.append(((*base, name, key, index, "tls"), item.get("tls")))
    return [(where, block) for where, block in found if isinstance(block, dict)]


def _refusals(block: dict[str, Any]) -> list[tuple[Path, str]]:
    """What nats-server refuses in one `tls` block: each field path inside it, with the message."""
    problems: list[tuple[Path, str]] = []
    version = block.get("min_version")
    if isinstance(version, str) and version not in TLS_VERSIONS:
        message = (
            f"nats-server takes TLS 1.2 or later only: write {' or '.join(map(repr, TLS_VERSIONS))} "
            "(as a string)"
        )
        problems.append((("min_version",), message))
    suites = block.get("cipher_suites")
    allow_insecure = block.get("allow_insecure_cipher_suites") is True
    for index, name in enumerate(suites if isinstance(suites, list) else []):
        if not isinstance(name, str) or name in SECURE_CIPHER_SUITES:
            continue
        if name in INSECURE_CIPHER_SUITES:
            if allow_insecure:
                continue
            message = (
                f"{name} is an insecure cipher suite, which nats-server refuses without "
                "allow_insecure_cipher_suites: true; use one of " + ", ".join(SECURE_CIPHER_SUITES)
            )
        else:
            message = (
                f"nats-server knows no cipher suite {name!r} (names are exact, upper case); use one of "
                + ", ".join(SECURE_CIPHER_SUITES)
            )
        problems.append((("cipher_suites", index), message))
    return problems
