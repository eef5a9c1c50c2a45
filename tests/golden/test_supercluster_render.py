"""A supercluster member (issue 20): the member list written once (its own entry included), the advertise
taken from the member's entry, the gateway Service, and a list naming one member twice refused. Rendered in
process; tests/live/test_supercluster.py runs three members."""

from __future__ import annotations

from typing import Any

from nats_kplugin.codes import Code
from tests.support.rendered import config_of, document, objects, run

MEMBERS = {"us-east": "nats://gw.us-east.example.com:7222", "eu-west": "nats://gw.eu-west.example.com:443"}


def _member(name: str, entries: list[dict[str, Any]] | None = None, **gateway: Any) -> dict[str, Any]:
    listed = entries if entries is not None else [{"name": m, "urls": [u]} for m, u in MEMBERS.items()]
    block = {"name": name, "port": 7222, "gateways": listed, **gateway}
    return document(config={"merge": {"cluster": {"name": name}, "gateway": block}})


def test_a_member_advertises_the_address_of_its_own_entry() -> None:
    assert '"advertise": "gw.us-east.example.com:7222"' in config_of(objects(_member("us-east")))
    assert '"advertise": "gw.eu-west.example.com:443"' in config_of(objects(_member("eu-west")))


def test_an_advertise_in_config_merge_wins_and_a_member_not_listed_advertises_nothing() -> None:
    assert '"advertise": "10.0.0.1:7222"' in config_of(objects(_member("us-east", advertise="10.0.0.1:7222")))
    assert '"advertise"' not in config_of(objects(_member("ap-south")))


def test_the_gateway_service_exposes_the_gateway_port_and_publishes_pods_before_they_are_ready() -> None:
    rendered = objects(_member("us-east"))
    service = next(
        o for o in rendered if o["kind"] == "Service" and o["metadata"]["name"].endswith("-gateway")
    )
    assert service["metadata"]["name"] == "nats-secure-gateway"
    assert service["spec"]["publishNotReadyAddresses"] is True
    assert service["spec"]["ports"] == [
        {"name": "gateway", "port": 7222, "targetPort": "gateway", "protocol": "TCP"}
    ]
    assert service["spec"]["type"] == "ClusterIP"
    external = objects({**_member("us-east"), "spec": {**_member("us-east")["spec"], "external": True}})
    gateway = next(o for o in external if o["metadata"]["name"] == "nats-secure-gateway")
    assert gateway["spec"]["type"] == "LoadBalancer"
    assert not [o for o in objects(document()) if o["metadata"]["name"].endswith("-gateway")]


def test_a_list_naming_one_member_twice_is_refused_at_the_second_entry() -> None:
    entries = [{"name": "us-east", "url": "nats://a:7222"}, {"name": "eu-west", "url": "nats://b:7222"}]
    result = run(_member("us-east", [*entries, {"name": "eu-west", "url": "nats://c:7222"}]))
    found = [(p.code, p.field) for p in result.problems if p.is_error]
    assert found == [(Code.GATEWAY_LIST, "spec.config.merge.gateway.gateways[2].name")]


def test_with_tls_on_a_gateway_without_tls_of_its_own_is_said_to_stay_plain_text() -> None:
    plain = run(_member("us-east"))  # the example object has spec.tls on
    assert [(p.code, p.field) for p in plain.problems if p.code is Code.PLAIN_TEXT] == [
        (Code.PLAIN_TEXT, "spec.config.merge.gateway")
    ]
    shared_ca = {"ca_file": "/etc/nats-secrets/supercluster-ca/ca.crt"}
    secured = run(_member("us-east", tls=shared_ca))
    assert secured.ok and not [p for p in secured.problems if p.code is Code.PLAIN_TEXT]
    assert '"/etc/nats-secrets/supercluster-ca/ca.crt"' in config_of(
        objects(_member("us-east", tls=shared_ca))
    )
