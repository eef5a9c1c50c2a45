"""`config.resolver` in both shapes: nats-server's own block as before, and the upstream chart's block
(`enabled`, `dir`, `merge`, `pvc`) as the managed service passes it, whose `pvc` becomes a volume claim
template of its own mounted at `dir`. Both pass the real `nats-server -t` with the fixture's operator JWTs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from nats_kplugin.codes import Code
from tests.support import realcheck
from tests.support.rendered import config_of, container, objects, pod_spec, run

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "resolver-operator" / "input.yaml"
OPERATOR: dict[str, Any] = yaml.safe_load(FIXTURE.read_text())


def with_resolver(resolver: dict[str, Any], **spec: Any) -> dict[str, Any]:
    doc = copy.deepcopy(OPERATOR)
    doc["spec"]["config"]["resolver"] = resolver
    doc["spec"].update(spec)
    return doc


CHART = {"enabled": True, "merge": {"type": "full", "interval": "2m", "timeout": "1.9s"}}


def claims(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    sts = next(o for o in rendered if o["kind"] == "StatefulSet")
    return {t["metadata"]["name"]: t["spec"] for t in sts["spec"].get("volumeClaimTemplates", [])}


def test_the_raw_block_passes_through_as_before() -> None:
    rendered = objects(OPERATOR)
    conf = config_of(rendered)
    assert '"type": "full"' in conf and '"dir": "/data/resolver"' in conf
    assert list(claims(rendered)) == ["data"]
    realcheck.assert_server_accepts(rendered)


def test_the_chart_block_becomes_the_raw_block_and_a_claim_mounted_at_dir() -> None:
    rendered = objects(with_resolver(CHART))
    conf = config_of(rendered)
    block = conf.split('"resolver": {\n', 1)[1].split("}", 1)[0]
    assert block.split("\n")[0] == '  "dir": "/data/resolver"' and '  "type": "full"' in block
    assert '"enabled"' not in conf and '"pvc"' not in conf and '"merge"' not in conf
    assert claims(rendered)["nats-jwt-resolver"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
        "volumeMode": "Filesystem",
    }
    mounts = container(rendered, "nats")["volumeMounts"]
    assert {"name": "nats-jwt-resolver", "mountPath": "/data/resolver"} in mounts
    realcheck.assert_valid_kubernetes(rendered)
    realcheck.assert_server_accepts(rendered)


def test_the_claim_takes_the_charts_size_class_and_name() -> None:
    pvc = {"size": "5Gi", "storageClassName": "fast", "name": "jwt"}
    rendered = objects(with_resolver({**CHART, "dir": "/data/jwt", "pvc": pvc}))
    assert claims(rendered)["jwt"] == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "fast",
        "resources": {"requests": {"storage": "5Gi"}},
        "volumeMode": "Filesystem",
    }
    assert {"name": "jwt", "mountPath": "/data/jwt"} in container(rendered, "nats")["volumeMounts"]
    assert '"dir": "/data/jwt"' in config_of(rendered)


def test_without_its_pvc_the_resolver_lives_on_the_jetstream_volume() -> None:
    rendered = objects(with_resolver({**CHART, "pvc": {"enabled": False}}))
    assert list(claims(rendered)) == ["data"]
    assert '"dir": "/data/resolver"' in config_of(rendered)
    assert not any(v["name"].endswith("resolver") for v in pod_spec(rendered)["volumes"])


def test_a_disabled_chart_block_renders_no_resolver() -> None:
    doc = with_resolver({"enabled": False, "merge": {"type": "full"}})
    rendered = objects(doc)
    assert '"resolver"' not in config_of(rendered) and list(claims(rendered)) == ["data"]


@pytest.mark.parametrize(
    ("resolver", "field", "code"),
    [
        ({"enabled": True}, "spec.config.resolver.merge.type", Code.MISSING_FIELD),
        ({**CHART, "patch": [{"op": "remove"}]}, "spec.config.resolver.patch", Code.NOT_APPLIED),
        ({**CHART, "pvc": {"size": "lots"}}, "spec.config.resolver.pvc.size", Code.INVALID_QUANTITY),
        ({**CHART, "pvc": {"name": "data"}}, "spec.config.resolver.pvc.name", Code.VOLUME_NAME_TAKEN),
        ({**CHART, "pvc": {"sise": "1Gi"}}, "spec.config.resolver.pvc.sise", Code.UNKNOWN_FIELD),
        ({**CHART, "type": "full"}, "spec.config.resolver.type", Code.UNKNOWN_FIELD),
        ({**CHART, "dir": "relative"}, "spec.config.resolver.dir", Code.INVALID_FORMAT),
    ],
)
def test_what_the_chart_block_cannot_say_is_refused_with_its_path(
    resolver: dict[str, Any], field: str, code: Code
) -> None:
    result = run(with_resolver(resolver))
    assert not result.ok
    assert (code, field) in [(p.code, p.field) for p in result.problems], [str(p) for p in result.problems]


@pytest.mark.parametrize(("directory", "jetstream"), [("/mnt/resolver", True), ("/data/resolver", False)])
def test_the_resolver_claim_is_a_writable_home_for_dir_even_outside_the_jetstream_volume(
    directory: str, jetstream: bool
) -> None:
    doc = with_resolver({**CHART, "dir": directory}, jetstream={"enabled": jetstream})
    rendered = objects(doc)
    assert {"name": "nats-jwt-resolver", "mountPath": directory} in container(rendered, "nats")[
        "volumeMounts"
    ]
    assert list(claims(rendered)) == (["data", "nats-jwt-resolver"] if jetstream else ["nats-jwt-resolver"])
    realcheck.assert_server_accepts(rendered)


def test_without_its_claim_a_dir_off_the_jetstream_volume_is_still_refused() -> None:
    result = run(with_resolver({**CHART, "dir": "/mnt/resolver", "pvc": {"enabled": False}}))
    found = [(p.code, p.field) for p in result.problems]
    assert (Code.PATH_OUTSIDE_VOLUME, "spec.config.resolver.dir") in found


@pytest.mark.parametrize(
    "directory", ["/data/../etc/jwt", "/data/resolver/../jwt", "/data/jwt/..", "/data//jwt"]
)
def test_a_dir_that_is_not_clean_is_refused_with_what_the_server_would_use(directory: str) -> None:
    # nats-server -t takes /data/../etc/jwt as it is; the pod would mount the claim at one folder while
    # the server keeps its JWTs in another (/etc/jwt, on the read-only root filesystem).
    result = run(with_resolver({**CHART, "dir": directory}))
    found = [(p.code, p.field) for p in result.problems]
    assert found == [(Code.INVALID_FORMAT, "spec.config.resolver.dir")], result.problems


def test_a_raw_block_dir_that_is_not_clean_is_refused() -> None:
    doc = with_resolver({"type": "full", "dir": "/data/resolver/.."})
    found = [(p.code, p.field) for p in run(doc).problems]
    assert (Code.INVALID_FORMAT, "spec.config.resolver.dir") in found
