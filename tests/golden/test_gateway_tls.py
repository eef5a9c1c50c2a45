"""Gateway TLS from one shared issuer (issue 20): with spec.tls on and an issuer the render names, a member's
gateway speaks TLS with the server certificate, whose names gain the hosts the other members dial to reach
this member and no other member's; without such an issuer the gateway stays as config.merge wrote it, and a
gateway without TLS is warned about. Rendered in process; tests/live/test_supercluster.py boots members."""

from __future__ import annotations

from typing import Any

from nats_kplugin.codes import Code
from nats_kplugin.kubernetes.certificates import IssuerRef
from nats_kplugin.pipeline import RenderOptions
from nats_kplugin.spec.names import object_names
from tests.support import certs, realcheck
from tests.support.rendered import config_of, document, objects, run

SHARED = RenderOptions(tls_issuer=IssuerRef("ClusterIssuer", "supercluster-ca"))
HOSTS = {"us-east": "gw.us-east.example.com", "eu-west": "gw.eu-west.example.com", "ap-south": "192.0.2.7"}
GROUP = {"group": "cert-manager.io"}
OURS = ('"cert_file": "/etc/nats-tls/tls.crt"', '"key_file": "/etc/nats-tls/tls.key"')


def _member(name: str, spec_tls: bool = True, **gateway: Any) -> dict[str, Any]:
    listed = [{"name": m, "urls": [f"nats://{h}:7222"]} for m, h in HOSTS.items()]
    block = {"name": name, "port": 7222, "gateways": listed, **gateway}
    return document(
        tls={"enabled": spec_tls}, config={"merge": {"cluster": {"name": name}, "gateway": block}}
    )


def _certificate(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    found = certs.certificate_for_secret(rendered, object_names("secure").tls)
    assert found is not None
    spec: dict[str, Any] = found["spec"]
    return spec


def _gateway_block(config: str) -> str:
    """The top-level gateway block of a rendered nats.conf (closed by a `}` on its own line)."""
    start = config.index('\n"gateway": {\n')
    return config[start : config.index("\n}", start)]


def test_with_a_shared_issuer_the_gateway_speaks_tls_with_the_server_certificate() -> None:
    result = run(_member("us-east"), SHARED)
    assert result.ok and not [p for p in result.problems if p.code is Code.PLAIN_TEXT]
    gateway = _gateway_block(config_of(objects(_member("us-east"), SHARED)))
    assert all(line in gateway for line in OURS), gateway
    assert '"ca_file": "/etc/nats-tls/ca.crt"' in gateway and '"timeout": 5' in gateway, gateway


def test_each_member_certificate_names_its_own_gateway_host_and_no_other_members() -> None:
    for member, host in HOSTS.items():
        spec = _certificate(objects(_member(member), SHARED))
        names = [*spec["dnsNames"], *spec.get("ipAddresses", [])]
        assert names.count(host) == 1, (member, names)
        assert not set(HOSTS.values()) - {host} & set(names), (member, names)
        assert spec["issuerRef"] == {
            "name": "supercluster-ca",
            "kind": "ClusterIssuer",
            "group": "cert-manager.io",
        }
    # An IP literal is an IP address of the certificate, not a DNS name (cert-manager refuses it there).
    rendered = objects(_member("ap-south"), SHARED)
    spec = _certificate(rendered)
    assert spec["ipAddresses"] == ["192.0.2.7"] and "192.0.2.7" not in spec["dnsNames"]
    realcheck.assert_valid_kubernetes(rendered)  # against cert-manager's own Certificate schema
    assert "ipAddresses" not in _certificate(objects(_member("us-east"), SHARED))


def test_an_advertise_in_config_merge_is_named_beside_the_members_own_entry() -> None:
    # The others dial the entry's URL as written and the advertised address their peers gossip.
    spec = _certificate(objects(_member("us-east", advertise="nats.us-east.example.net:443"), SHARED))
    assert spec["dnsNames"][-2:] == ["nats.us-east.example.net", "gw.us-east.example.com"]


def test_what_config_merge_writes_in_gateway_tls_is_kept_over_ours() -> None:
    written = {"ca_file": "/etc/nats-secrets/supercluster-ca/ca.crt", "verify_and_map": False}
    gateway = _gateway_block(config_of(objects(_member("us-east", tls=written), SHARED)))
    assert '"/etc/nats-secrets/supercluster-ca/ca.crt"' in gateway and "/etc/nats-tls/ca.crt" not in gateway
    assert all(line in gateway for line in OURS), gateway
    # A certificate of its own for the gateway: the server certificate then names no gateway host.
    own = {"cert_file": "/etc/nats-secrets/gw/tls.crt", "key_file": "/etc/nats-secrets/gw/tls.key"}
    rendered = objects(_member("us-east", tls=own), SHARED)
    assert "gw.us-east.example.com" not in _certificate(rendered)["dnsNames"]
    assert "/etc/nats-tls/tls.crt" not in _gateway_block(config_of(rendered))


def test_without_a_shared_issuer_the_gateway_stays_as_written_and_plain_is_said_how_to_fix() -> None:
    plain = run(_member("us-east"))
    warned = [p for p in plain.problems if p.code is Code.PLAIN_TEXT]
    assert [p.field for p in warned] == ["spec.config.merge.gateway"]
    assert "--tls-issuer" in warned[0].message and "/etc/nats-secrets/" in warned[0].message
    rendered = objects(_member("us-east"))
    assert '"tls"' not in _gateway_block(config_of(rendered))
    assert "gw.us-east.example.com" not in _certificate(rendered)["dnsNames"]
    written = {"ca_file": "/etc/nats-secrets/supercluster-ca/ca.crt"}
    gateway = _gateway_block(config_of(objects(_member("us-east", tls=written))))
    assert "/etc/nats-tls/" not in gateway, gateway


def test_with_tls_off_the_issuer_adds_nothing_to_the_gateway() -> None:
    rendered = objects(_member("us-east", spec_tls=False), SHARED)
    assert '"tls"' not in _gateway_block(config_of(rendered))
    assert not [o for o in rendered if o["kind"] == "Certificate"]
