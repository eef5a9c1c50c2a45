"""Taking over a managed-service cluster in place (SPEC section 12): with --managed-service-names, the
rendered StatefulSet selects, labels and claims as the managed service's did, and the users keep their
account, so the old pods' claims (and the JetStream data on them) are reused.

What the managed service renders is stated here as data, from SPEC section 12 (the upstream nats chart
as cozystack's packages/apps/nats installs it: Helm release `nats-X-system`, fullnameOverride `nats-X`).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.entrypoints import argocd, options, process
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support import realcheck
from tests.support.rendered import config_of, objects, pod_spec

NAME = "events"
# The managed service's objects for `metadata.name: events` with three replicas.
MANAGED_SERVICE = {
    "statefulset": "nats-events",
    "headless_service": "nats-events-headless",
    "client_service": "nats-events",
    "credentials": "nats-events-credentials",
    "selector": {
        "app.kubernetes.io/name": "nats",
        "app.kubernetes.io/instance": "nats-events-system",
        "app.kubernetes.io/component": "nats",
    },
    "claim_template": "nats-events-js",
    "claims": [
        "nats-events-js-nats-events-0",
        "nats-events-js-nats-events-1",
        "nats-events-js-nats-events-2",
    ],
    "account": "A",
    "store_dir": "/data",
    "cluster_name": "nats-events",
}
TAKEOVER = RenderOptions(render_key=b"takeover-key", managed_service_names=True)


def document(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": NAME, "namespace": "messaging"},
        "spec": {"replicas": 3, "users": {"app": {}}, "tls": {"enabled": False}, **spec},
    }


def by_kind(rendered: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in rendered if o["kind"] == kind]


def test_the_statefulset_selects_labels_and_claims_as_the_managed_service() -> None:
    rendered = objects(document(), TAKEOVER)
    (sts,) = by_kind(rendered, "StatefulSet")
    assert sts["metadata"]["name"] == MANAGED_SERVICE["statefulset"]
    assert sts["spec"]["serviceName"] == MANAGED_SERVICE["headless_service"]
    # The selector of a StatefulSet is immutable: it must be the managed service's, exactly.
    assert sts["spec"]["selector"] == {"matchLabels": MANAGED_SERVICE["selector"]}
    labels = sts["spec"]["template"]["metadata"]["labels"]
    assert labels.items() >= MANAGED_SERVICE["selector"].items()
    (template,) = sts["spec"]["volumeClaimTemplates"]
    assert template["metadata"]["name"] == MANAGED_SERVICE["claim_template"]
    claims = [f"{template['metadata']['name']}-{sts['metadata']['name']}-{i}" for i in range(3)]
    assert claims == MANAGED_SERVICE["claims"]
    mounts = {m["name"]: m["mountPath"] for m in pod_spec(rendered)["containers"][0]["volumeMounts"]}
    assert mounts[MANAGED_SERVICE["claim_template"]] == MANAGED_SERVICE["store_dir"]


def test_everything_that_selects_pods_follows_the_same_selector() -> None:
    rendered = objects(document(), TAKEOVER._replace(pod_monitor=True))
    selector = MANAGED_SERVICE["selector"]
    services = {s["metadata"]["name"]: s["spec"]["selector"] for s in by_kind(rendered, "Service")}
    assert services == {
        MANAGED_SERVICE["headless_service"]: selector,
        MANAGED_SERVICE["client_service"]: selector,
    }
    (pdb,) = by_kind(rendered, "PodDisruptionBudget")
    assert pdb["spec"]["selector"] == {"matchLabels": selector}
    spread = pod_spec(rendered)["topologySpreadConstraints"]
    assert [c["labelSelector"] for c in spread] == [{"matchLabels": selector}] * 2
    (monitor,) = by_kind(rendered, "PodMonitor")
    assert monitor["spec"]["selector"] == {"matchLabels": selector}
    assert {o["metadata"]["name"] for o in by_kind(rendered, "Secret")} >= {MANAGED_SERVICE["credentials"]}
    realcheck.assert_valid_kubernetes(rendered)


def test_the_users_keep_the_managed_service_account_and_its_merge_settings() -> None:
    # What a managed-service user wrote for account A (a JetStream limit) still lands in the users' account.
    merge = {"accounts": {"A": {"jetstream": {"max_file": 1073741824}}}}
    rendered = objects(document(config={"merge": merge}), TAKEOVER)
    text = config_of(rendered)
    account = text[text.index('"accounts": {') :]
    assert account.startswith(f'"accounts": {{\n  "{MANAGED_SERVICE["account"]}": {{\n')
    assert '"max_store": 1073741824' in account and '"user": "app"' in account
    assert text.count('"users": [') == 1, "one account holds the users"
    realcheck.assert_server_accepts(rendered)


def test_the_server_names_cluster_name_and_store_dir_are_the_managed_service_ones() -> None:
    rendered = objects(document(), TAKEOVER)
    text = config_of(rendered)
    assert f'"name": "{MANAGED_SERVICE["cluster_name"]}"' in text
    assert f'"store_dir": "{MANAGED_SERVICE["store_dir"]}"' in text
    # server_name is the pod name, as the chart's $POD_NAME: JetStream peers keep their names.
    env = {e["name"]: e for e in pod_spec(rendered)["containers"][0]["env"]}
    assert env["SERVER_NAME"]["value"] == "$(POD_NAME)"
    assert env["POD_NAME"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}


def test_the_spec_users_account_is_guarded_under_its_managed_service_name() -> None:
    merge = {"accounts": {"A": {"users": [{"user": "intruder", "password": "x"}]}}}
    result = render(_documents(document(config={"merge": merge})), TAKEOVER)
    assert not result.ok
    assert any("accounts.A.users" in (p.field or "") for p in result.problems)
    # Without the option the account is the renderer's own, and A is just another account.
    assert render(
        _documents(document(config={"merge": merge})), TAKEOVER._replace(managed_service_names=False)
    ).ok


def test_without_the_option_the_renderer_keeps_its_own_names() -> None:
    rendered = objects(document(), TAKEOVER._replace(managed_service_names=False))
    (sts,) = by_kind(rendered, "StatefulSet")
    assert sts["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "nats",
        "app.kubernetes.io/instance": "nats-events",
    }
    assert [t["metadata"]["name"] for t in sts["spec"]["volumeClaimTemplates"]] == ["data"]


def test_the_option_on_every_entry_point() -> None:
    assert options.from_environment({"NATS_RENDER_MANAGED_SERVICE_NAMES": "true"}).managed_service_names
    assert not options.from_environment({}).managed_service_names
    parameters = '[{"name": "managed-service-names", "string": "true"}]'
    assert argocd.options_from_argocd({"ARGOCD_APP_PARAMETERS": parameters}).managed_service_names
    assert argocd.options_from_argocd({"ARGOCD_ENV_MANAGED_SERVICE_NAMES": "true"}).managed_service_names
    with pytest.raises(process.UsageError, match="managed-service-names"):
        argocd.options_from_argocd({"ARGOCD_APP_PARAMETERS": parameters.replace("true", "yes")})


def _documents(doc: dict[str, Any]) -> list[Any]:
    documents, problems = parse_stream(yaml.safe_dump(doc).encode(), NATS_OBJECTS, "nats.yaml")
    assert not problems
    return documents


def test_a_resolver_claim_cannot_take_the_managed_service_jetstream_name() -> None:
    resolver = {
        "enabled": True,
        "merge": {"type": "full"},
        "pvc": {"name": MANAGED_SERVICE["claim_template"]},
    }
    result = render(_documents(document(config={"resolver": resolver})), TAKEOVER)
    assert not result.ok
    assert any("is a volume of the pod already" in p.message for p in result.problems)


def test_without_jetstream_the_option_still_renders_a_valid_cluster() -> None:
    rendered = objects(document(jetstream={"enabled": False}), TAKEOVER)
    (sts,) = by_kind(rendered, "StatefulSet")
    assert "volumeClaimTemplates" not in sts["spec"]
    assert sts["spec"]["selector"] == {"matchLabels": MANAGED_SERVICE["selector"]}
    realcheck.assert_valid_kubernetes(rendered)
    realcheck.assert_server_accepts(rendered)
