"""The TLS tables of nats_kplugin/nats_server/tls_values.py held to the pinned binary's `nats-server -t`:
every version and cipher suite the renderer lets through is accepted, every one it refuses is refused, for
the reason it gives; and in process, the issue's examples are refused with the field."""

from __future__ import annotations

import pytest

from nats_kplugin.codes import Code
from nats_kplugin.nats_server.tls_values import INSECURE_CIPHER_SUITES, SECURE_CIPHER_SUITES, TLS_VERSIONS
from tests.support import realcheck, rendered

# Names the server must not know: a near miss of a real name, a lower-case one, a TLS 1.3 signalling value.
UNKNOWN = ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "tls_aes_128_gcm_sha256", "TLS_FALLBACK_SCSV", "RC4")


def _t(tls: str) -> tuple[bool, str]:
    checked = realcheck.check_config(f"tls {{{tls}}}\n", {})
    return checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("version", [*TLS_VERSIONS, "1.0", "1.1", "1.4", "TLS1.2", " 1.2"])
def test_min_version_follows_the_binary(version: str) -> None:
    accepted, stderr = _t(f'min_version: "{version}"')
    assert accepted == (version in TLS_VERSIONS), stderr


@pytest.mark.parametrize("name", [*SECURE_CIPHER_SUITES, *INSECURE_CIPHER_SUITES, *UNKNOWN])
def test_cipher_suites_follow_the_binary(name: str) -> None:
    alone, stderr = _t(f'cipher_suites: ["{name}"]')
    assert alone == (name in SECURE_CIPHER_SUITES), stderr
    allowed, stderr = _t(f'cipher_suites: ["{name}"], allow_insecure_cipher_suites: true')
    assert allowed == (name not in UNKNOWN), stderr
    if name in INSECURE_CIPHER_SUITES:
        assert "insecure cipher suites" in _t(f'cipher_suites: ["{name}"]')[1]


@pytest.mark.parametrize(
    ("tls", "field"),
    [
        ({"min_version": "1.0"}, "spec.config.merge.tls.min_version"),
        ({"cipher_suites": ["TLS_RSA_WITH_RC4_128_SHA"]}, "spec.config.merge.tls.cipher_suites[0]"),
        ({"cipher_suites": ["TLS_AES_128_GCM_SHA256", "nope"]}, "spec.config.merge.tls.cipher_suites[1]"),
    ],
)
def test_refused_with_the_field(tls: dict[str, object], field: str) -> None:
    result = rendered.render_merge({"tls": tls})
    found = [(p.code, p.field) for p in result.problems if p.code is Code.UNSUPPORTED_TLS]
    assert found == [(Code.UNSUPPORTED_TLS, field)], result.problems


def test_the_accepted_render_passes_the_binary() -> None:
    tls = {"min_version": "1.3", "cipher_suites": list(SECURE_CIPHER_SUITES)}
    realcheck.assert_server_accepts(rendered.objects(rendered.document(config={"merge": {"tls": tls}})))
