"""The verdict rules, on real renders: each row of the change catalogue gets the verdict its kind of change
calls for, with the findings a reviewer must also see; and the pieces the rules stand on (the diff's paths,
the reading of nats.conf, the gate) hold on their own."""

from __future__ import annotations

import copy
import json

import pytest

from nats_kplugin.nats_server.encoder import encode
from nats_kplugin.plan.changes import ADDED, CHANGED, REMOVED, diff, field_paths
from nats_kplugin.plan.compare import compare, gate_fails
from nats_kplugin.plan.report import to_json, to_markdown
from nats_kplugin.plan.verdicts import ClusterPlan, Verdict, conf_options
from nats_kplugin.spec.model import is_nats_object
from tests.plan.sides import plan_of, side_of
from tests.support.change_matrix import BASE, CHANGES, Change

V = Verdict
# Each row's verdict and the further findings it must carry (the most serious first).
EXPECTED: dict[str, tuple[Verdict, set[Verdict]]] = {
    "replicas up": (V.RELOAD, set()),
    "replicas down": (V.DATA_RISK, {V.RELOAD}),
    "replicas to 1": (V.DATA_RISK, {V.ROLLING_RESTART}),
    "size up": (V.BLOCKED, {V.RELOAD}),  # the larger max_file_store reloads
    "size down": (V.BLOCKED, {V.DATA_RISK, V.ROLLING_RESTART}),  # a smaller one does not reload
    "size up, takeover names": (V.BLOCKED, {V.RELOAD}),
    "storage class": (V.BLOCKED, {V.DATA_RISK}),
    "jetstream off": (V.BLOCKED, {V.DATA_RISK, V.ROLLING_RESTART}),
    "jetstream on": (V.BLOCKED, {V.ROLLING_RESTART}),
    "user added": (V.RELOAD, set()),
    "user removed": (V.ACCESS, {V.RELOAD}),
    "password": (V.ACCESS, {V.RELOAD}),
    "tls on": (V.ACCESS, {V.ROLLING_RESTART}),
    "tls off": (V.ACCESS, {V.ROLLING_RESTART}),
    "external on": (V.ACCESS, {V.ROLLING_RESTART}),
    "external off": (V.ACCESS, {V.ROLLING_RESTART}),
    "preset": (V.ROLLING_RESTART, set()),
    "image": (V.ROLLING_RESTART, set()),
    "reloadable merge option": (V.RELOAD, set()),
    "non-reloadable merge option": (V.ROLLING_RESTART, set()),
    "takeover names on": (V.BLOCKED, {V.DATA_RISK, V.RELOAD, V.ROLLING_RESTART}),
    "takeover names off": (V.BLOCKED, {V.DATA_RISK, V.RELOAD, V.ROLLING_RESTART}),
}


def test_every_row_of_the_catalogue_has_an_expected_verdict() -> None:
    assert set(EXPECTED) == {change.name for change in CHANGES}


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.name)
def test_the_verdict_of_each_kind_of_change(change: Change) -> None:
    (cluster,) = plan_of(change)
    assert cluster.cluster == "NATS/changes/change"
    verdict, also = EXPECTED[change.name]
    assert cluster.verdict is verdict, [(j.change.name, j.verdict, j.reason) for j in cluster.changes]
    found = {j.verdict for j in cluster.changes} | {f.verdict for j in cluster.changes for f in j.also}
    assert found - {verdict, V.NONE} == also


def test_a_blocked_claim_template_names_the_runbook() -> None:
    (cluster,) = plan_of(next(c for c in CHANGES if c.name == "size up"))
    (blocked,) = [j for j in cluster.changes if j.verdict is V.BLOCKED]
    assert blocked.change.kind == "StatefulSet"
    assert "spec.volumeClaimTemplates" in blocked.reason and "docs/volumes.md" in blocked.reason
    assert "orphan the StatefulSet" in blocked.reason
    (takeover,) = plan_of(next(c for c in CHANGES if c.name == "takeover names on"))
    (blocked,) = [j for j in takeover.changes if j.verdict is V.BLOCKED]
    assert "docs/takeover.md" in blocked.reason and "revert" in blocked.reason


def test_a_smaller_file_store_asks_for_the_restart_the_hash_does_not_make() -> None:
    (cluster,) = plan_of(next(c for c in CHANGES if c.name == "size down"))
    (restart,) = [j for j in cluster.changes if j.verdict is V.ROLLING_RESTART]
    assert restart.change.kind == "Secret" and "max_file_store" in restart.reason
    assert "kubectl rollout restart statefulset nats-change" in restart.reason


def test_replicas_down_names_the_peers_removed() -> None:
    (cluster,) = plan_of(next(c for c in CHANGES if c.name == "replicas down"))
    (risk,) = [j for j in cluster.changes if j.verdict is V.DATA_RISK]
    assert "nats-change-3, nats-change-4" in risk.reason


def test_no_change_is_no_change() -> None:
    side = side_of([BASE])
    assert compare(side, side) == []


def test_a_whole_cluster_removed_is_a_data_risk_and_added_is_none() -> None:
    other = copy.deepcopy(BASE)
    other["metadata"]["name"] = "other"
    base, both = side_of([BASE]), side_of([BASE, other])
    (added,) = compare(base, both)
    assert added.cluster == "NATS/changes/other" and added.verdict is V.NONE
    assert {j.change.action for j in added.changes} == {ADDED}
    (removed,) = compare(both, base)
    assert removed.verdict is V.DATA_RISK


def test_passed_through_objects_are_their_own_group() -> None:
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "1"}}
    changed = {**config_map, "data": {"a": "2"}}
    (group,) = compare(side_of([BASE, config_map]), side_of([BASE, changed]))
    assert group.cluster is None and group.verdict is V.NONE
    assert group.changes[0].change.fields == ("data.a",)


def test_field_paths_match_named_list_items_by_name() -> None:
    old = {"containers": [{"name": "nats", "image": "a"}, {"name": "reloader", "image": "b"}]}
    new = {"containers": [{"name": "nats", "image": "c"}, {"name": "reloader", "image": "b"}]}
    assert field_paths(old, new) == ["containers[nats].image"]
    assert field_paths({"a": [1, 2]}, {"a": [1, 2, 3]}) == ["a"]
    assert field_paths({"a": [1, 2]}, {"a": [1, 3]}) == ["a[1]"]
    assert field_paths({"a": 1}, {"b": 1}) == ["a", "b"]


def test_diff_orders_new_then_removed() -> None:
    a = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "n"}}
    b = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b", "namespace": "n"}}
    b2 = {**b, "type": "Opaque"}
    changes = diff([a, b], [b2])
    assert [(c.name, c.action) for c in changes] == [("b", CHANGED), ("a", REMOVED)]


def test_conf_options_reads_what_the_encoder_writes() -> None:
    config = {"port": 4222, "cluster": {"name": "x", "routes": ["nats://a:6222"]}, "tls": {"cert_file": "/c"}}
    assert list(conf_options(encode(config))) == list(config)


def test_the_gate_and_allow() -> None:
    blocked = plan_of(next(c for c in CHANGES if c.name == "storage class"))
    assert gate_fails(blocked, ())
    assert gate_fails(blocked, (V.BLOCKED,))  # its data risk still holds the change back
    assert not gate_fails(blocked, (V.BLOCKED, V.DATA_RISK))
    assert not gate_fails(plan_of(next(c for c in CHANGES if c.name == "password")), ())


def test_reports_never_hold_a_password() -> None:
    clusters = plan_of(next(c for c in CHANGES if c.name == "password"))
    for text in (to_json(clusters, False, ()), to_markdown(clusters, False, ())):
        assert "app-password" not in text
    shape = json.loads(to_json(clusters, False, ()))
    assert shape["version"] == 1 and shape["verdict"] == "access" and shape["gate"] == "pass"
    change = shape["clusters"][0]["changes"][0]
    assert set(change) == {"object", "action", "fields", "verdict", "reason", "also"}


def _verdicts(clusters: list[ClusterPlan]) -> list[tuple[str | None, str, str, Verdict, tuple[Verdict, ...]]]:
    return [
        (c.cluster, j.change.kind, j.change.name, j.verdict, tuple(f.verdict for f in j.also))
        for c in clusters
        for j in c.changes
    ]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.name)
def test_a_rendered_stream_is_planned_as_its_input(change: Change) -> None:
    # What `kustomize build` of a kustomization with the nats-render generator writes: rendered objects only.
    old, new = side_of([change.old], change.old_args), side_of([change.new], change.new_args)
    old_again, new_again = side_of(old.objects), side_of(new.objects)
    assert not any(is_nats_object(o) for o in old_again.objects)
    assert _verdicts(compare(old_again, new_again)) == _verdicts(compare(old, new))


def test_objects_nats_render_did_not_render_are_judged_only_for_refusals() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "stringData": {"a": "1"}}
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"clusterIP": "None"},
    }
    old = side_of([secret, service])
    new = side_of([{**secret, "stringData": {}}, {**service, "spec": {"clusterIP": "10.0.0.9"}}])
    (group,) = compare(old, new)
    assert group.cluster is None
    assert [(j.change.kind, j.verdict) for j in group.changes] == [("Secret", V.NONE), ("Service", V.BLOCKED)]


@pytest.mark.parametrize("turned", ["on", "off"])
def test_authentication_turned_on_or_off_is_access(turned: str) -> None:
    open_server = copy.deepcopy(BASE)
    open_server["spec"]["users"] = {}
    sides = [side_of([open_server]), side_of([BASE])]
    old, new = sides if turned == "on" else sides[::-1]
    (cluster,) = compare(old, new)
    reasons = [f.reason for j in cluster.changes for f in (j, *j.also) if f.verdict is V.ACCESS]
    assert any(f"authentication is turned {turned}" in reason for reason in reasons), reasons


def _with_key(key: str | None, prev_key: str | None = None) -> dict[str, object]:
    """BASE with its JetStream key (and previous one) from Secrets, as config.merge names them."""
    document = copy.deepcopy(BASE)
    jetstream = document["spec"]["config"]["merge"].setdefault("jetstream", {})
    for option, path in (("key", key), ("prev_key", prev_key)):
        if path is not None:
            jetstream[option] = path
    return document


@pytest.mark.parametrize(
    ("new", "verdict"),
    [
        (_with_key("/etc/nats-secrets/js-key-2/key"), V.DATA_RISK),
        (_with_key("/etc/nats-secrets/js-key/other"), V.DATA_RISK),
        (_with_key(None), V.DATA_RISK),
        (_with_key("/etc/nats-secrets/js-key-2/key", "/etc/nats-secrets/js-key/key"), V.ROLLING_RESTART),
        (_with_key("/etc/nats-secrets/js-key/key", "/etc/nats-secrets/js-key-0/key"), V.ROLLING_RESTART),
    ],
    ids=["another-secret", "another-key", "key-dropped", "rotated-with-prev-key", "prev-key-added"],
)
def test_a_jetstream_key_changed_without_the_old_one_as_prev_key_is_a_data_risk(
    new: dict[str, object], verdict: Verdict
) -> None:
    """The live test (tests/live/test_jetstream_encryption_key.py) shows what a server started with another
    key does: it cannot decrypt its streams and never counts as started."""
    (cluster,) = compare(side_of([_with_key("/etc/nats-secrets/js-key/key")]), side_of([new]))
    assert cluster.verdict is verdict, [(j.verdict, j.reason) for j in cluster.changes]
    if verdict is V.DATA_RISK:
        (risk,) = [j for j in cluster.changes if j.verdict is V.DATA_RISK]
        assert "name /etc/nats-secrets/js-key/key in jetstream.prev_key" in risk.reason
