"""Every rendered fixture, applied for real to a kube-apiserver, the two ways Argo CD applies:

- client-side (`kubectl apply`, Argo CD's default sync) and server-side (`kubectl apply --server-side` with
  Argo CD's field manager, its ServerSideApply=true sync option); both must succeed, custom resources
  included;
- a second apply changes no object's resourceVersion;
- `kubectl diff` (server-side for the server-side apply) is empty;
- every field the render sets reads back equal from the live object (tests/support/drift.py's model:
  quantities by value, empty values as missing, atomic lists such as volumeClaimTemplates whole);
- Argo CD's own diff code (build/bin/argodiff, gitops-engine's pkg/diff) finds the object in sync: its
  default comparison after the client-side apply, its structured-merge comparison (the ServerSideApply=true
  sync option) after the server-side one.

The input is fixtures/*/expected.yaml, the renderer's output as the fixture tests hold it, read the way
kubectl reads it (tests/support/k8s_reader.py). Each fixture is applied and then deleted again, so the
fixtures (which share names and namespaces) do not meet; namespaces stay, as nothing here can finalise
their deletion.

Kinds the output passes through untouched (the passthrough and near-miss fixtures) have no CRD in a real
cluster that this suite could know; a schemaless stand-in CRD is installed for each, so that they apply as
they would where their owner's CRD exists.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import drift, kube
from tests.support.k8s_reader import read_stream

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(p.parent for p in (ROOT / "fixtures").glob("*/expected.yaml"))
MANAGER = "argocd-controller"  # the field manager of Argo CD's server-side apply
MODES = ("client-side", "server-side")


def rendered_objects(folder: Path) -> list[dict[str, Any]]:
    reads = read_stream((folder / "expected.yaml").read_text())
    errors = [r.error for r in reads if r.error is not None]
    assert not errors, errors
    return [r.value for r in reads if r.value]


def identity(obj: dict[str, Any]) -> str:
    namespace = obj["metadata"].get("namespace")
    where = f"{namespace}/" if namespace else ""
    return f"{obj['apiVersion']} {obj['kind']} {where}{obj['metadata']['name']}"


def _served_kinds(cluster: kube.Cluster) -> set[tuple[str, str]]:
    kinds = {("v1", r["kind"]) for r in cluster.get_json("/api/v1")["resources"]}
    for group in cluster.get_json("/apis")["groups"]:
        for version in group["versions"]:
            served = cluster.get_json(f"/apis/{version['groupVersion']}")
            kinds |= {(version["groupVersion"], r["kind"]) for r in served["resources"]}
    return kinds


def _stand_in_crds(missing: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """One schemaless, namespaced CRD per missing (group, kind), serving every version the output uses."""
    by_kind: dict[tuple[str, str], list[str]] = {}
    for api_version, kind in sorted(missing):
        group, _, version = api_version.rpartition("/")
        by_kind.setdefault((group, kind), []).append(version)
    plurals: dict[str, set[str]] = {}
    crds = []
    for (group, kind), versions in sorted(by_kind.items()):
        singular = kind.lower()
        while singular in plurals.setdefault(group, set()):  # NATS and Nats in one group
            singular += "x"
        plurals[group].add(singular)
        plural = singular + "s"
        crds.append(
            {
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "metadata": {"name": f"{plural}.{group}"},
                "spec": {
                    "group": group,
                    "scope": "Namespaced",
                    "names": {"kind": kind, "plural": plural, "singular": singular},
                    "versions": [
                        {
                            "name": version,
                            "served": True,
                            "storage": index == 0,
                            "schema": {
                                "openAPIV3Schema": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                }
                            },
                        }
                        for index, version in enumerate(versions)
                    ],
                },
            }
        )
    return crds


@dataclass
class Prepared:
    cluster: kube.Cluster
    openapi: Path


@pytest.fixture(scope="module")
def prepared(cluster: kube.Cluster) -> Prepared:
    """The namespaces the fixtures use, and stand-in CRDs for the kinds no installed CRD serves; then the
    server's OpenAPI v2 document, which Argo CD's structured-merge comparison types objects with."""
    everything = [obj for folder in FIXTURES for obj in rendered_objects(folder)]
    served = _served_kinds(cluster)
    missing = {(o["apiVersion"], o["kind"]) for o in everything} - served
    crds = _stand_in_crds(missing)
    if crds:
        stream = "\n---\n".join(yaml.safe_dump(c) for c in crds)
        cluster.kubectl(
            "apply", "--server-side", "--field-manager=nats-render-tests", "-f", "-", input=stream
        )
        cluster.kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=120s",
            *(f"crd/{c['metadata']['name']}" for c in crds),
        )
    namespaces = {o["metadata"]["namespace"] for o in everything if o["metadata"].get("namespace")}
    existing = {n["metadata"]["name"] for n in cluster.get_json("/api/v1/namespaces")["items"]}
    for namespace in sorted(namespaces - existing):
        cluster.kubectl("create", "namespace", namespace)
    # The OpenAPI document is published a moment after a CRD is established: wait until it has every kind.
    openapi = cluster.workdir / "openapi-v2.json"
    wanted = {(o["apiVersion"], o["kind"]) for o in everything}
    deadline = time.monotonic() + 120
    while True:
        document = cluster.get_json("/openapi/v2")
        published = set()
        for definition in document.get("definitions", {}).values():
            for gvk in definition.get("x-kubernetes-group-version-kind", []):
                api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                published.add((api_version, gvk["kind"]))
        if wanted <= published:
            break
        assert time.monotonic() < deadline, f"not in /openapi/v2: {sorted(wanted - published)}"
        time.sleep(1)
    openapi.write_text(json.dumps(document))
    return Prepared(cluster, openapi)


@dataclass
class Observation:
    """What one apply of one fixture showed; each test below asserts one part of it."""

    broken: str = ""  # the test's own machinery failed
    apply_errors: list[str] = field(default_factory=list)
    changed_by_second_apply: list[str] = field(default_factory=list)
    diff: str = ""
    readback: dict[str, list[str]] = field(default_factory=dict)
    argo: dict[str, list[str]] = field(default_factory=dict)


def _live(cluster: kube.Cluster, path: Path) -> list[dict[str, Any]]:
    listed = json.loads(cluster.kubectl("get", "-f", str(path), "-o", "json").stdout)
    items: list[dict[str, Any]] = listed["items"] if listed.get("kind") == "List" else [listed]
    return items


def _match(rendered: list[dict[str, Any]], live: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Any]]:
    """Pairs each rendered object with its live one (kubectl get -f keeps the file's order)."""
    assert len(rendered) == len(live), (len(rendered), len(live))
    for r, live_obj in zip(rendered, live, strict=True):
        assert (r["kind"], r["metadata"]["name"]) == (live_obj["kind"], live_obj["metadata"]["name"])
    return list(zip(rendered, live, strict=True))


def _delete(cluster: kube.Cluster, objects: list[dict[str, Any]]) -> None:
    # Never a Namespace: with no namespace controller it would stay Terminating, and others use it.
    doomed = [o for o in objects if not (o["apiVersion"] == "v1" and o["kind"] == "Namespace")]
    if doomed:
        stream = "\n---\n".join(json.dumps(o) for o in doomed)
        cluster.kubectl("delete", "--ignore-not-found", "--wait=true", "-f", "-", input=stream)


_OBSERVED: dict[tuple[Path, str], Observation] = {}


def _observe(prepared: Prepared, folder: Path, mode: str) -> Observation:
    """Applies the fixture once per mode (the first test to ask), and keeps what it saw."""
    if (folder, mode) not in _OBSERVED:
        try:
            _OBSERVED[folder, mode] = _apply_and_look(prepared, folder, mode)
        except Exception as error:  # kept, so that the other three tests do not apply it all again
            _OBSERVED[folder, mode] = Observation(broken=f"{type(error).__name__}: {error}")
    seen = _OBSERVED[folder, mode]
    assert not seen.broken, seen.broken
    return seen


def _apply_and_look(prepared: Prepared, folder: Path, mode: str) -> Observation:
    cluster = prepared.cluster
    path = folder / "expected.yaml"
    rendered = rendered_objects(folder)
    server_side = mode == "server-side"
    apply = ["apply", "--server-side", f"--field-manager={MANAGER}"] if server_side else ["apply"]
    seen = Observation()
    _delete(cluster, rendered)
    try:
        first_apply = cluster.kubectl(*apply, "-f", str(path), check=False)
        if first_apply.returncode != 0:
            seen.apply_errors.append(first_apply.stderr.strip())
            return seen
        first = _live(cluster, path)
        second_apply = cluster.kubectl(*apply, "-f", str(path), check=False)
        if second_apply.returncode != 0:
            seen.apply_errors.append("second apply: " + second_apply.stderr.strip())
            return seen
        second = _live(cluster, path)
        for (r, before), (_, after) in zip(_match(rendered, first), _match(rendered, second), strict=True):
            if before["metadata"]["resourceVersion"] != after["metadata"]["resourceVersion"]:
                seen.changed_by_second_apply.append(identity(r))
        diff_flags = ["--server-side", f"--field-manager={MANAGER}"] if server_side else []
        diffed = cluster.kubectl("diff", *diff_flags, "-f", str(path), check=False)
        assert diffed.returncode in (0, 1), f"kubectl diff failed: {diffed.stderr}"
        seen.diff = diffed.stdout
        pairs = _match(rendered, second)
        for r, live_obj in pairs:
            differences = drift.readback_differences(r, live_obj)
            if differences:
                seen.readback[identity(r)] = differences
        verdicts = drift.argo_verdicts(
            [{"mode": "ssa" if server_side else "legacy", "config": r, "live": lv} for r, lv in pairs],
            prepared.openapi,
            MANAGER,
        )
        for (r, _), verdict in zip(pairs, verdicts, strict=True):
            if verdict.get("error"):
                seen.argo[identity(r)] = [f"Argo CD's diff failed: {verdict['error']}"]
            elif verdict["modified"]:
                seen.argo[identity(r)] = drift.paths_between(
                    verdict["normalizedLive"], verdict["predictedLive"]
                )
        return seen
    finally:
        _delete(cluster, rendered)


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())


pytestmark = pytest.mark.parametrize("mode", MODES)
fixture = pytest.mark.parametrize("folder", FIXTURES, ids=[f.name for f in FIXTURES])


@fixture
def test_applies_and_reapplies_without_change(prepared: Prepared, folder: Path, mode: str) -> None:
    seen = _observe(prepared, folder, mode)
    assert not seen.apply_errors, "\n".join(seen.apply_errors)
    assert not seen.changed_by_second_apply, f"a second {mode} apply changed: {seen.changed_by_second_apply}"


@fixture
def test_kubectl_diff_is_empty(prepared: Prepared, folder: Path, mode: str) -> None:
    seen = _observe(prepared, folder, mode)
    assert not seen.apply_errors, "\n".join(seen.apply_errors)
    assert seen.diff == "", seen.diff


@fixture
def test_every_rendered_field_reads_back(prepared: Prepared, folder: Path, mode: str) -> None:
    seen = _observe(prepared, folder, mode)
    assert not seen.apply_errors, "\n".join(seen.apply_errors)
    assert not seen.readback, "drift:\n" + _report(seen.readback)


@fixture
def test_argo_cd_finds_it_in_sync(prepared: Prepared, folder: Path, mode: str) -> None:
    seen = _observe(prepared, folder, mode)
    assert not seen.apply_errors, "\n".join(seen.apply_errors)
    assert not seen.argo, "Argo CD shows OutOfSync:\n" + _report(seen.argo)
