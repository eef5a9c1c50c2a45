"""Metrics as rendered (SPEC section 9): the exporter sidecar as the managed service runs it, and the
PodMonitor behind its option on every entry point."""

from __future__ import annotations

import json

import pytest

from nats_kplugin.codes import Code, Severity
from nats_kplugin.entrypoints import argocd, process
from nats_kplugin.entrypoints.options import from_environment
from nats_kplugin.kubernetes.objects import EXPORTER_IMAGE
from nats_kplugin.pipeline import RenderOptions
from tests.support import realcheck
from tests.support.rendered import container, document, kinds, objects, run

PLAIN = document(tls={"enabled": False})


def test_every_pod_runs_the_exporter_as_the_managed_service_does() -> None:
    exporter = container(objects(PLAIN), "prom-exporter")
    assert exporter["image"] == EXPORTER_IMAGE and ":" in EXPORTER_IMAGE
    assert exporter["ports"] == [{"name": "prom-metrics", "containerPort": 7777, "protocol": "TCP"}]
    assert exporter["args"] == [
        "-port=7777",
        "-connz",
        "-routez",
        "-subz",
        "-varz",
        "-prefix=nats",
        "-use_internal_server_id",
        "-jsz=all",
        "http://localhost:8222/",
    ]
    assert set(exporter["resources"]) == {"limits", "requests"}
    security = exporter["securityContext"]
    assert security["runAsNonRoot"] and not security["allowPrivilegeEscalation"]
    assert security["capabilities"] == {"drop": ["ALL"]} and security["readOnlyRootFilesystem"]


def test_jsz_only_with_jetstream_and_the_monitor_port_followed() -> None:
    doc = document(
        tls={"enabled": False}, jetstream={"enabled": False}, config={"merge": {"http_port": 8333}}
    )
    args = container(objects(doc), "prom-exporter")["args"]
    assert not any(a.startswith("-jsz") for a in args)
    assert args[-1] == "http://localhost:8333/"


def test_the_pod_monitor_is_off_by_default_and_an_option() -> None:
    assert "PodMonitor" not in [o["kind"] for o in objects(PLAIN)]
    rendered = objects(PLAIN, RenderOptions(pod_monitor=True))
    assert kinds(rendered)[-1] == ("PodMonitor", "nats-secure")
    monitor = rendered[-1]
    sts = next(o for o in rendered if o["kind"] == "StatefulSet")
    assert monitor["metadata"]["namespace"] == "tenant-a"
    assert monitor["spec"]["selector"]["matchLabels"] == sts["spec"]["selector"]["matchLabels"]
    assert monitor["spec"]["podMetricsEndpoints"] == [{"port": "prom-metrics"}]
    realcheck.assert_valid_kubernetes(rendered)


def test_the_pod_monitor_and_tls_options_from_the_kustomize_environment() -> None:
    options = from_environment(
        {
            "NATS_RENDER_POD_MONITOR": "true",
            "NATS_RENDER_CLUSTER_DOMAIN": "cozy.local",
            "NATS_RENDER_TLS_ISSUER": "ClusterIssuer/corp",
            "NATS_RENDER_EXPORTER_IMAGE": "registry.local/exporter:1",
        }
    )
    assert options.pod_monitor and options.cluster_domain == "cozy.local"
    assert (
        str(options.tls_issuer) == "ClusterIssuer/corp"
        and options.images.exporter == "registry.local/exporter:1"
    )
    default = from_environment({})
    assert (
        not default.pod_monitor and default.tls_issuer is None and default.cluster_domain == "cluster.local"
    )


def test_the_new_options_as_argo_cd_parameters_and_plugin_env() -> None:
    parameters = [
        {"name": "pod-monitor", "string": "true"},
        {"name": "tls-issuer", "string": "Issuer/team-ca"},
    ]
    options = argocd.options_from_argocd(
        {"ARGOCD_APP_PARAMETERS": json.dumps(parameters), "ARGOCD_ENV_CLUSTER_DOMAIN": "cozy.local"}
    )
    assert options.pod_monitor and str(options.tls_issuer) == "Issuer/team-ca"
    assert options.cluster_domain == "cozy.local" and options.images.exporter == EXPORTER_IMAGE
    for name, value in (
        ("tls-issuer", "Secret/x"),
        ("cluster-domain", "Not A Domain"),
        ("pod-monitor", "yes"),
    ):
        with pytest.raises(process.UsageError, match=name):
            argocd.options_from_argocd(
                {"ARGOCD_APP_PARAMETERS": json.dumps([{"name": name, "string": value}])}
            )


def test_a_monitor_served_over_https_only_is_a_warning_the_exporter_cannot_read_it() -> None:
    # prometheus-nats-exporter has no client TLS settings: it would verify the server certificate for
    # localhost against the system CAs, fail, and wait for /varz forever before serving.
    # With spec.tls on (HTTPS needs the server's tls block, or nats-server exits: https-without-tls).
    result = run(document(tls={"enabled": True}, config={"merge": {"https_port": 8443}}))
    assert [(p.code, p.field) for p in result.problems if p.severity is Severity.WARNING] == [
        (Code.METRICS_UNREADABLE, "spec.config.merge.https_port")
    ]
    without_tls = run(document(tls={"enabled": False}, config={"merge": {"https_port": 8443}}))
    assert [(p.code, p.field) for p in without_tls.problems if p.is_error] == [
        (Code.HTTPS_WITHOUT_TLS, "spec.config.merge.https_port")
    ]
    plain = run(document(tls={"enabled": False}, config={"merge": {"http_port": 8333}}))
    assert Code.METRICS_UNREADABLE not in [p.code for p in plain.problems]
