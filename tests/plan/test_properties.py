"""Random pairs of NATS objects (tests/support/nats_specs.py), one cluster changed from OLD to NEW:

- the plan never says `none` or `reload` for a change of the pod template, nor for its cluster;
- against a real kube-apiserver (fewer cases, marked apiserver): what it refuses of NEW after OLD is
  exactly what the plan calls `blocked`, so the plan never says a change applies where it is refused.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.pipeline import RenderOptions
from nats_kplugin.plan.compare import compare
from nats_kplugin.plan.sides import Side, render_side
from nats_kplugin.plan.verdicts import Verdict
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.plan.applying import apply, make_namespace
from tests.support import kube
from tests.support.nats_specs import valid_nats

OPTIONS = RenderOptions(render_key=b"plan-property-key")
QUIET = (Verdict.NONE, Verdict.RELOAD)


def _side(obj: dict[str, Any]) -> Side:
    documents, problems = parse_stream(yaml.safe_dump(obj).encode(), NATS_OBJECTS, "<test>")
    assert not problems
    return render_side(documents, OPTIONS)


@st.composite
def pairs(draw: st.DrawFn, namespace: str = "plan") -> tuple[dict[str, Any], dict[str, Any]]:
    """OLD and NEW of one NATS object (one name, one namespace), their specs drawn independently."""
    old, new = draw(valid_nats()), draw(valid_nats())
    metadata = {"name": old["metadata"]["name"], "namespace": namespace}
    return {**old, "metadata": metadata}, {**new, "metadata": metadata}


def _rendered(pair: tuple[dict[str, Any], dict[str, Any]]) -> tuple[Side, Side]:
    old, new = _side(pair[0]), _side(pair[1])
    assume(old.ok and new.ok)  # a pair that does not render is a render's error, tested elsewhere
    return old, new


@given(pairs())
def test_a_pod_template_change_is_never_none_or_reload(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = _rendered(pair)
    for cluster in compare(old, new):
        for judged in cluster.changes:
            change = judged.change
            if change.kind == "StatefulSet" and any(f.startswith("spec.template.") for f in change.fields):
                assert judged.verdict not in QUIET, judged
                assert cluster.verdict not in QUIET, cluster


_NAMESPACES = itertools.count()


@pytest.mark.apiserver
@pytest.mark.slow
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_blocked_is_what_the_api_server_refuses_for_random_pairs(api_server: kube.Cluster, data: Any) -> None:
    name = f"plan-prop-{next(_NAMESPACES)}"
    old, new = _rendered(data.draw(pairs(name)))
    make_namespace(api_server, name)
    code, refused, said = apply(api_server, old.objects)
    assert code == 0, said
    blocked = {
        (j.change.kind, j.change.name)
        for c in compare(old, new)
        for j in c.changes
        if j.verdict is Verdict.BLOCKED
    }
    code, refused, said = apply(api_server, new.objects)
    assert refused == blocked, said
    assert (code != 0) == bool(blocked), said
