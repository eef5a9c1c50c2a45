"""The change matrix: every kind of change a user makes to a NATS object (tests/support/change_matrix.py),
rendered old and new by the real command line and applied, old then new, to a real kube-apiserver with the
controllers a StatefulSet needs (the StatefulSet controller, the garbage collector, the volume binder), the
two ways Argo CD applies. Each change applies, or the API server refuses it and its supported way through
(docs/volumes.md) runs here and then applies, or it is one of the few with no way through in place, whose
runbook docs/volumes.md gives. tests/support/change_outcomes.py observes each row once and keeps what it
saw, for `nats-render plan`'s tests to compare with.

Through every change, applied or by its way through: no claim is deleted or replaced, claims ask for the
larger size where the size grew, the StatefulSet owns its pods, and a pod is replaced only when its template
changed (and then only by the StatefulSet's rolling update, which here stalls after the first pod: nothing
becomes Ready without a kubelet).
"""

from __future__ import annotations

import pytest

from tests.support import change_outcomes, kube
from tests.support.change_matrix import CHANGES, Change
from tests.support.change_outcomes import MODES, ORPHAN_AND_RESIZE, size_bytes

# Changes with no way through in place (docs/volumes.md, "What has no way through in place"): the
# StatefulSet's selector and claim names switch, so a new StatefulSet would neither adopt the running pods
# nor find their claims.
NO_WAY_IN_PLACE = {"takeover names on", "takeover names off"}
# What the API server refuses and orphan-and-resize takes through: the StatefulSet's claim templates.
CLAIM_TEMPLATE_CHANGES = {
    "size up",
    "size down",
    "storage class",
    "jetstream off",
    "jetstream on",
    "size up, takeover names",
}

rows = pytest.mark.parametrize("change", CHANGES, ids=[c.name for c in CHANGES])
modes = pytest.mark.parametrize("mode", MODES)


@rows
@modes
def test_a_change_applies_or_goes_through_its_way(
    controlled_cluster: kube.Cluster, change: Change, mode: str
) -> None:
    seen = change_outcomes.outcome(controlled_cluster, change, mode)
    if seen.applied:
        return
    assert seen.refused, seen
    if change.name in NO_WAY_IN_PLACE:
        assert seen.way_through is None, seen
        return
    assert seen.way_through == ORPHAN_AND_RESIZE, (
        f"{change.name}: refused with no way through: {seen.refused}"
    )
    assert seen.applied_after_way_through, f"{change.name}: the way through did not apply: {seen}"


@rows
@modes
def test_only_the_statefulset_spec_is_ever_refused(
    controlled_cluster: kube.Cluster, change: Change, mode: str
) -> None:
    """What refuses a change is a StatefulSet's immutable spec, nothing else the render writes."""
    seen = change_outcomes.outcome(controlled_cluster, change, mode)
    for name, message in seen.refused.items():
        assert name.startswith("StatefulSet "), (name, message)
        assert "Forbidden: updates to statefulset spec for fields other than" in message, message


@rows
def test_both_apply_modes_see_the_same_outcome(controlled_cluster: kube.Cluster, change: Change) -> None:
    client, server = (change_outcomes.outcome(controlled_cluster, change, mode) for mode in MODES)
    assert (client.applied, sorted(client.refused), client.way_through) == (
        server.applied,
        sorted(server.refused),
        server.way_through,
    )


def test_the_refused_changes_are_the_claim_template_and_selector_ones(
    controlled_cluster: kube.Cluster,
) -> None:
    seen = change_outcomes.outcomes(controlled_cluster)
    refused = {name for (name, _), outcome in seen.items() if not outcome.applied}
    assert refused == CLAIM_TEMPLATE_CHANGES | NO_WAY_IN_PLACE


@rows
@modes
def test_every_claim_and_pod_is_kept(controlled_cluster: kube.Cluster, change: Change, mode: str) -> None:
    seen = change_outcomes.outcome(controlled_cluster, change, mode)
    assert seen.pods_before, "OLD made no pods"
    for name, claim in seen.claims_before.items():
        after = seen.claims_after.get(name)
        assert after is not None and after.uid == claim.uid, f"claim {name} was deleted or replaced"
        # A claim's class never changes: the new template reaches only claims made from now on.
        assert after.storage_class == claim.storage_class, name
    kept = {name for name, uid in seen.pods_before.items() if seen.pods_after.get(name) == uid}
    still_wanted = set(seen.pods_before) & set(seen.pods_after)
    if seen.template_changed:
        # The rolling update replaces pods from the highest ordinal, one at a time, waiting for each to be
        # Ready, which no pod becomes here: every pod it has not come to is the one from before.
        assert len(still_wanted - kept) <= 1, (sorted(kept), sorted(still_wanted))
    else:
        assert kept == still_wanted, "a pod was replaced though its template did not change"


@pytest.mark.parametrize("name", sorted(CLAIM_TEMPLATE_CHANGES))
@modes
def test_the_claims_ask_for_the_larger_size(controlled_cluster: kube.Cluster, name: str, mode: str) -> None:
    change = next(c for c in CHANGES if c.name == name)
    seen = change_outcomes.outcome(controlled_cluster, change, mode)
    new_size = change.new["spec"]["jetstream"]["size"] if change.new["spec"]["jetstream"]["enabled"] else None
    for claim_name, claim in seen.claims_before.items():
        wanted = max(claim.storage, new_size or claim.storage, key=size_bytes)
        assert seen.claims_after[claim_name].storage == wanted, (claim_name, seen.claims_after[claim_name])
    if name.startswith("size up"):
        assert seen.claims_before and all(c.storage == "20Gi" for c in seen.claims_after.values())
