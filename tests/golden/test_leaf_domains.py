"""JetStream domains of leaf nodes (issue 20): an edge running JetStream beside a remote names its domain
(jetstream-domain-missing, a warning), and an edge and the hub its remote dials, rendered in one stream,
may not share one (jetstream-domain-clash, naming both). Rendered in process; fixtures/leafnode-hub-edge
and error-jetstream-domain-clash show the pair, tests/live/test_leafnodes.py runs it."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from nats_kplugin.codes import Code
from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.pipeline import RenderOptions, RenderResult, render
from nats_kplugin.spec.reading import NATS_OBJECTS


def _nats(name: str, namespace: str, merge: dict[str, Any], jetstream: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"replicas": 3, "jetstream": {"enabled": jetstream}, "config": {"merge": merge}},
    }


def hub(domain: str | None = "hub", jetstream: bool = True, namespace: str = "hub") -> dict[str, Any]:
    merge: dict[str, Any] = {"leafnodes": {"port": 7422}}
    if domain is not None:
        merge["jetstream"] = {"domain": domain}
    return _nats("hub", namespace, merge if jetstream else {"leafnodes": {"port": 7422}}, jetstream)


def edge(
    host: str = "nats-hub.hub.svc", domain: str | None = "edge", namespace: str = "edge"
) -> dict[str, Any]:
    merge: dict[str, Any] = {"leafnodes": {"remotes": [{"urls": [f"nats-leaf://{host}:7422"]}]}}
    if domain is not None:
        merge["JetStream"] = {"Domain": domain}  # any spelling nats-server reads
    return _nats("edge", namespace, merge)


def _render(*documents: dict[str, Any]) -> RenderResult:
    parsed, problems = parse_stream(yaml.safe_dump_all(documents).encode(), NATS_OBJECTS, "pair.yaml")
    assert not problems
    return render(parsed, RenderOptions())


def _found(result: RenderResult) -> list[tuple[Code, str | None, str | None]]:
    return [
        (p.code, p.object_ref, p.field)
        for p in result.problems
        if p.code.value.startswith("jetstream-domain")
    ]


def test_an_edge_and_its_hub_in_domains_of_their_own_render() -> None:
    result = _render(hub(), edge())
    assert result.ok and _found(result) == []


@pytest.mark.parametrize(
    "host",
    ["nats-hub.hub.svc", "nats-hub.hub", "nats-hub.hub.svc.cluster.local", "nats-hub.hub.svc.cozy.local"],
)
def test_one_domain_for_an_edge_and_the_hub_it_dials_is_refused_naming_both(host: str) -> None:
    result = _render(hub(domain="shared"), edge(host=host, domain="shared"))
    assert not result.ok
    assert _found(result) == [
        (Code.JETSTREAM_DOMAIN_CLASH, "NATS/edge/edge", "spec.config.merge.jetstream.domain")
    ]
    message = next(p.message for p in result.problems if p.code is Code.JETSTREAM_DOMAIN_CLASH)
    assert "NATS/hub/hub at pair.yaml:" in message and "'shared'" in message


def test_neither_naming_a_domain_warns_on_the_edge_and_is_refused() -> None:
    result = _render(hub(domain=None), edge(domain=None))
    assert _found(result) == [
        (Code.JETSTREAM_DOMAIN_MISSING, "NATS/edge/edge", "spec.config.merge.jetstream"),
        (Code.JETSTREAM_DOMAIN_CLASH, "NATS/edge/edge", "spec.config.merge.jetstream.domain"),
    ]


def test_a_short_service_name_is_the_hub_of_the_edges_own_namespace_only() -> None:
    same_namespace = _render(
        hub(domain="x", namespace="msg"), edge(host="nats-hub", domain="x", namespace="msg")
    )
    assert [c for c, _, _ in _found(same_namespace)] == [Code.JETSTREAM_DOMAIN_CLASH]
    other_namespace = _render(hub(domain="x"), edge(host="nats-hub", domain="x"))
    assert _found(other_namespace) == []


@pytest.mark.parametrize(
    "documents",
    [
        (hub(jetstream=False), edge(domain=None)),  # the hub runs no JetStream
        (hub(domain="x"), edge(host="leafnodes.example.com", domain="x")),  # another hub, not in the stream
    ],
    ids=["hub-without-jetstream", "hub-elsewhere"],
)
def test_no_clash_where_one_side_has_no_jetstream_or_is_not_the_hub(
    documents: tuple[dict[str, Any], ...],
) -> None:
    assert not [c for c, _, _ in _found(_render(*documents)) if c is Code.JETSTREAM_DOMAIN_CLASH]
