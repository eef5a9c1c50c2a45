"""NATS objects rendered through the pipeline in process (one with TLS, one with a config.merge block), and
the pieces of the result the tests read (the config Secret's nats.conf, the pod spec, a container)."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from nats_kplugin.documents import writer as output
from nats_kplugin.documents.reader import Document, parse_stream
from nats_kplugin.pipeline import RenderOptions, RenderResult, render
from nats_kplugin.problems import Location
from nats_kplugin.spec.reading import NATS_OBJECTS

BASE: dict[str, Any] = {
    "apiVersion": "apps.cozystack.io/v1alpha1",
    "kind": "NATS",
    "metadata": {"name": "secure", "namespace": "tenant-a"},
    "spec": {"replicas": 3, "tls": {"enabled": True}, "users": {"app": {"password": "app-password"}}},
}


def variant(document: dict[str, Any], **spec: Any) -> dict[str, Any]:
    """`document` with top-level spec fields replaced (`None` removes one)."""
    changed = copy.deepcopy(document)
    for key, value in spec.items():
        if value is None:
            changed["spec"].pop(key, None)
        else:
            changed["spec"][key] = value
    return changed


def document(**spec: Any) -> dict[str, Any]:
    """BASE with top-level spec fields replaced (`None` removes one)."""
    return variant(BASE, **spec)


def run(doc: dict[str, Any], options: RenderOptions = RenderOptions()) -> RenderResult:
    documents, problems = parse_stream(yaml.safe_dump(doc).encode(), NATS_OBJECTS, "test")
    assert not problems
    return render(documents, options)


def objects(doc: dict[str, Any], options: RenderOptions = RenderOptions()) -> list[dict[str, Any]]:
    result = run(doc, options)
    assert result.ok, [str(p) for p in result.problems]
    text = output.dump_documents(result.documents)
    assert "&id0" not in text, "an object shared between two places is written as a YAML alias"
    return [d for d in yaml.safe_load_all(text) if d]


def kinds(rendered: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(o["kind"], o["metadata"]["name"]) for o in rendered]


def config_of(rendered: list[dict[str, Any]]) -> str:
    secret = next(o for o in rendered if o["metadata"]["name"].endswith("-config"))
    return str(secret["stringData"]["nats.conf"])


def pod_spec(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    sts = next(o for o in rendered if o["kind"] == "StatefulSet")
    spec: dict[str, Any] = sts["spec"]["template"]["spec"]
    return spec


def container(rendered: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(c for c in pod_spec(rendered)["containers"] if c["name"] == name)


def render_merge(merge: dict[str, Any], **spec: Any) -> Any:
    """`nats-owned` (3 replicas, JetStream off, no namespace) with this config.merge, and top-level spec
    fields replaced."""
    document = {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "owned"},
        "spec": {"replicas": 3, "jetstream": {"enabled": False}, "config": {"merge": merge}, **spec},
    }
    return render([Document(document, Location("<owned>"))], RenderOptions())
