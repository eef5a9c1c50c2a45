"""TLS as rendered (SPEC section 8), through the pipeline: which objects, which names, what the pods mount
and what nats-server is told; the rendered output then goes through the real checkers (nats-server -t with
test certificates, the Kubernetes schemas, cert-manager's own types). tests/live/test_tls.py runs it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nats_kplugin.codes import Code
from nats_kplugin.kubernetes.certificates import IssuerRef, parse_issuer
from nats_kplugin.pipeline import RenderOptions
from tests.support import realcheck
from tests.support.rendered import config_of, container, document, kinds, objects, pod_spec, run

DNS_NAMES = [
    "nats-secure",
    "nats-secure.tenant-a.svc",
    "nats-secure.tenant-a.svc.cluster.local",
    "nats-secure-headless",
    "nats-secure-headless.tenant-a.svc",
    "nats-secure-headless.tenant-a.svc.cluster.local",
    "*.nats-secure-headless.tenant-a.svc",
    "*.nats-secure-headless.tenant-a.svc.cluster.local",
]


def test_tls_renders_the_cert_manager_chain_before_the_workload() -> None:
    rendered = objects(document())
    assert kinds(rendered)[:4] == [
        ("Issuer", "nats-secure-selfsigned"),
        ("Certificate", "nats-secure-ca"),
        ("Issuer", "nats-secure-ca"),
        ("Certificate", "nats-secure-tls"),
    ]
    ca, server = rendered[1]["spec"], rendered[3]["spec"]
    assert ca["isCA"] is True and ca["privateKey"] == {
        "algorithm": "ECDSA",
        "size": 256,
        "rotationPolicy": "Never",
    }
    assert server["dnsNames"] == DNS_NAMES
    assert server["privateKey"]["algorithm"] == "ECDSA" and server["privateKey"]["size"] == 256
    assert server["issuerRef"] == {"name": "nats-secure-ca", "kind": "Issuer", "group": "cert-manager.io"}
    assert {"server auth", "client auth"} <= set(server["usages"])
    realcheck.assert_valid_kubernetes(rendered)
    realcheck.assert_server_accepts(rendered)


def test_the_cluster_domain_option_names_the_full_names_and_the_routes_need_none() -> None:
    rendered = objects(document(), RenderOptions(cluster_domain="cozy.local"))
    names = next(o for o in rendered if o["kind"] == "Certificate" and o["metadata"]["name"].endswith("-tls"))
    assert names["spec"]["dnsNames"][-1] == "*.nats-secure-headless.tenant-a.svc.cozy.local"
    assert config_of(rendered) == config_of(objects(document())), "the routes depend on no cluster domain"


def test_routes_dial_the_pods_by_namespaced_name_and_every_listener_has_its_tls_block() -> None:
    merge = {"websocket": {"port": 8080}, "leafnodes": {"port": 7422}, "mqtt": {"port": 1883}}
    rendered = objects(document(jetstream={"enabled": True}, config={"merge": merge}))
    conf = config_of(rendered)
    for index in range(3):
        assert f'"nats://nats-secure-{index}.nats-secure-headless.tenant-a.svc:6222"' in conf
    assert (
        conf.count('"cert_file": "/etc/nats-tls/tls.crt"') == 5
    )  # clients, routes, websocket, leafnodes, mqtt
    assert conf.count('"ca_file": "/etc/nats-tls/ca.crt"') == 5
    realcheck.assert_server_accepts(rendered)


def test_config_merge_adds_inside_the_tls_blocks_but_cannot_remove_them() -> None:
    rendered = objects(
        document(config={"merge": {"tls": {"verify": True}, "cluster": {"tls": {"timeout": 10}}}})
    )
    conf = config_of(rendered)
    assert '"verify": true' in conf and '"timeout": 10' in conf and conf.count('"cert_file"') == 2
    removed = objects(document(config={"merge": {"tls": None}}))
    assert config_of(removed).count('"cert_file"') == 2, "spec.tls.enabled is the one switch"


def test_config_merge_may_name_the_mounted_certificate_files_only_when_they_are_mounted() -> None:
    # One list of the pod's folders (config.folders) serves the path checks and the volumeMounts, so the
    # certificate folder counts as readable exactly when the pod mounts it.
    remote = {"url": "tls://hub.example.com:7422", "tls": {"ca_file": "/etc/nats-tls/ca.crt"}}
    merge = {"leafnodes": {"remotes": [remote]}}
    rendered = objects(document(config={"merge": merge}))
    assert '"ca_file": "/etc/nats-tls/ca.crt"' in config_of(rendered)
    mounts = container(rendered, "nats")["volumeMounts"]
    assert {"name": "tls", "mountPath": "/etc/nats-tls", "readOnly": True} in mounts
    realcheck.assert_server_accepts(rendered)
    plain = run(document(tls={"enabled": False}, config={"merge": merge}))
    assert [(p.code, p.path[-1]) for p in plain.problems if p.is_error] == [
        (Code.PATH_OUTSIDE_VOLUME, "ca_file")
    ]


def test_a_plain_websocket_is_kept_with_a_warning() -> None:
    result = run(document(config={"merge": {"websocket": {"port": 8080, "no_tls": True}}}))
    assert result.ok
    assert [p.field for p in result.problems if p.code is Code.PLAIN_TEXT] == [
        "spec.config.merge.websocket.no_tls"
    ]


def test_pods_mount_three_keys_of_the_server_secret_and_never_a_ca_key() -> None:
    rendered = objects(document())
    volumes = {v["name"]: v for v in pod_spec(rendered)["volumes"]}
    assert volumes["tls"]["secret"] == {
        "secretName": "nats-secure-tls",
        "items": [{"key": k, "path": k} for k in ("tls.crt", "tls.key", "ca.crt")],
    }
    secrets = {v["secret"]["secretName"] for v in volumes.values() if "secret" in v}
    assert "nats-secure-ca" not in secrets, "the CA's Secret holds its private key"
    for name in ("nats", "reloader"):
        assert {"name": "tls", "mountPath": "/etc/nats-tls", "readOnly": True} in container(rendered, name)[
            "volumeMounts"
        ]
    assert "volumeMounts" not in container(rendered, "prom-exporter")


def test_the_reloader_watches_the_certificate_files() -> None:
    args = container(objects(document()), "reloader")["args"]
    watched = [args[i + 1] for i, arg in enumerate(args) if arg == "-config"]
    assert watched == [
        "/etc/nats-config/nats.conf",
        "/etc/nats-tls/ca.crt",
        "/etc/nats-tls/tls.crt",
        "/etc/nats-tls/tls.key",
    ]


def test_probes_stay_on_plain_http() -> None:
    nats = container(objects(document()), "nats")
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert nats[probe]["httpGet"]["scheme"] == "HTTP" and nats[probe]["httpGet"]["port"] == "monitor"


@pytest.mark.parametrize(
    ("external", "tls", "on"),
    [
        (False, {}, False),
        (True, {}, True),
        (True, {"enabled": False}, False),
        (False, {"enabled": True}, True),
    ],
)
def test_unset_tls_follows_external(external: bool, tls: dict[str, Any], on: bool) -> None:
    rendered = objects(document(external=external, tls=tls))
    assert any(o["kind"] == "Certificate" for o in rendered) is on
    assert ('"tls"' in config_of(rendered)) is on


def test_tls_without_a_namespace_is_refused_and_the_namespace_option_fills_it() -> None:
    nameless = document()
    del nameless["metadata"]["namespace"]
    refused = run(nameless)
    assert not refused.ok and [(p.code, p.field) for p in refused.problems] == [
        (Code.TLS_NEEDS_NAMESPACE, "metadata.namespace")
    ]
    assert "--namespace" in refused.problems[0].message
    rendered = objects(nameless, RenderOptions(default_namespace="apps"))
    assert "nats-secure.apps.svc" in rendered[3]["spec"]["dnsNames"]


def test_an_existing_issuer_replaces_the_self_signed_chain() -> None:
    rendered = objects(document(), RenderOptions(tls_issuer=IssuerRef("ClusterIssuer", "corporate-ca")))
    certificates = [o for o in rendered if o["apiVersion"] == "cert-manager.io/v1"]
    assert kinds(certificates) == [("Certificate", "nats-secure-tls")]
    assert certificates[0]["spec"]["issuerRef"] == {
        "name": "corporate-ca",
        "kind": "ClusterIssuer",
        "group": "cert-manager.io",
    }


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("ClusterIssuer/ca", IssuerRef("ClusterIssuer", "ca")),
        ("Issuer/x.y", IssuerRef("Issuer", "x.y")),
        ("ca", IssuerRef("Issuer", "ca")),
    ],
)
def test_issuer_option_values(text: str, parsed: IssuerRef) -> None:
    assert parse_issuer(text) == parsed


@pytest.mark.parametrize("text", ["Secret/x", "ClusterIssuer/", "Issuer/UPPER", "Issuer/a b", "issuer/x"])
def test_bad_issuer_option_values_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_issuer(text)


def test_the_custom_resource_check_catches_a_field_the_type_does_not_know() -> None:
    certificate = next(o for o in objects(document()) if o["kind"] == "Certificate")
    realcheck.assert_valid_custom_resource(certificate)
    extra = copy.deepcopy(certificate)
    extra["spec"]["dnsName"] = ["typo"]
    with pytest.raises(AssertionError, match="fields its type does not know"):
        realcheck.assert_valid_custom_resource(extra)
    wrong_type = copy.deepcopy(certificate)
    wrong_type["spec"]["isCA"] = "maybe"
    with pytest.raises(AssertionError, match="is not a valid Certificate"):
        realcheck.assert_valid_custom_resource(wrong_type)


def test_a_load_balancer_with_tls_turned_off_is_warned_about() -> None:
    result = run(document(external=True, tls={"enabled": False}))
    found = [p.field for p in result.problems if p.code is Code.PLAIN_TEXT]
    assert result.ok and found == ["spec.tls.enabled"]
    assert not run(document(external=True, tls={})).problems
