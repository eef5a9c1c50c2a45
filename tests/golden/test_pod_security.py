"""The rendered pod takes no more than it needs: no Kubernetes API token, no root, no UID of the node."""

from __future__ import annotations

import yaml

from nats_kplugin.documents.reader import parse_stream
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.spec.reading import NATS_OBJECTS
from tests.support.fixture_cases import FIXTURES


def test_pod_mounts_no_api_token_and_runs_as_a_high_uid() -> None:
    documents, problems = parse_stream((FIXTURES / "seed" / "input.yaml").read_bytes(), NATS_OBJECTS)
    result = render(documents, RenderOptions(render_key=b"k"))
    assert not problems and result.ok, result.problems
    (statefulset,) = [d for d in result.documents if d["kind"] == "StatefulSet"]
    pod = statefulset["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    context = pod["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["runAsUser"] >= 10000 and context["runAsGroup"] >= 10000
    assert yaml.safe_load(yaml.safe_dump(pod)) == pod
