"""The JetStream encryption key from a Secret (issue 20): `jetstream.key` or `prev_key` naming
/etc/nats-secrets/<secret>/<key> is written as an unquoted variable, and the nats container gets that
variable from the Secret's key. Rendered in process; tests/live/test_jetstream_encryption_key.py boots it."""

from __future__ import annotations

from typing import Any

import pytest

from nats_kplugin.codes import Code
from tests.support.rendered import config_of, container, document, objects, pod_spec, run


def _js(**jetstream: Any) -> dict[str, Any]:
    return document(jetstream={"enabled": True, "size": "1Gi"}, config={"merge": {"jetstream": jetstream}})


def _env(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    return {var["name"]: var for var in container(rendered, "nats")["env"]}


def test_the_key_is_written_as_a_variable_the_container_gets_from_the_secret() -> None:
    rendered = objects(
        _js(Encryption_Key="/etc/nats-secrets/nats-js/key", prev_ek="/etc/nats-secrets/old/k.1")
    )
    lines = config_of(rendered).splitlines()
    assert '  "key": $NATS_JETSTREAM_KEY' in lines
    assert '  "prev_key": $NATS_JETSTREAM_PREV_KEY' in lines
    assert "nats-secrets" not in config_of(rendered)
    env = _env(rendered)
    assert env["NATS_JETSTREAM_KEY"] == {
        "name": "NATS_JETSTREAM_KEY",
        "valueFrom": {"secretKeyRef": {"name": "nats-js", "key": "key"}},
    }
    assert env["NATS_JETSTREAM_PREV_KEY"]["valueFrom"] == {"secretKeyRef": {"name": "old", "key": "k.1"}}


def test_a_key_from_a_secret_is_no_file_neither_mounted_nor_watched() -> None:
    rendered = objects(_js(key="/etc/nats-secrets/nats-js/key"))
    assert "secrets" not in {v["name"] for v in pod_spec(rendered)["volumes"]}
    for name in ("nats", "reloader"):
        assert "/etc/nats-secrets" not in {m["mountPath"] for m in container(rendered, name)["volumeMounts"]}
    assert not any("nats-secrets" in arg for arg in container(rendered, "reloader")["args"])


def test_a_key_beside_a_secret_file_leaves_the_projected_volume_to_the_file() -> None:
    doc = _js(key="/etc/nats-secrets/nats-js/key")
    remote = {
        "urls": ["nats-leaf://hub.example.com:7422"],
        "credentials": "/etc/nats-secrets/hub-leaf/edge.creds",
    }
    doc["spec"]["config"]["merge"]["leafnodes"] = {"remotes": [remote]}
    volumes = {v["name"]: v for v in pod_spec(objects(doc))["volumes"]}
    assert [s["secret"]["name"] for s in volumes["secrets"]["projected"]["sources"]] == ["hub-leaf"]


def test_the_pods_roll_when_the_option_names_another_secret_key_and_only_then() -> None:
    first = objects(_js(key="/etc/nats-secrets/nats-js/key"))
    other = objects(_js(key="/etc/nats-secrets/nats-js-2/key"))
    again = objects(_js(key="/etc/nats-secrets/nats-js/key"))
    template = next(o for o in first if o["kind"] == "StatefulSet")["spec"]["template"]
    assert template == next(o for o in again if o["kind"] == "StatefulSet")["spec"]["template"]
    assert config_of(first) == config_of(other), "the Secret's name is in the pod's env, not in nats.conf"
    assert pod_spec(first) != pod_spec(other)


@pytest.mark.parametrize(
    ("spelt", "path"),
    [
        ("key", "/etc/nats-secrets/NATS_JS/key"),
        ("ek", "/etc/nats-secrets/nats-js"),
        ("prev_encryption_key", "/etc/nats-secrets/nats-js/..key"),
    ],
)
def test_a_path_that_names_no_secret_key_is_refused_with_its_field(spelt: str, path: str) -> None:
    result = run(_js(**{spelt: path}))
    found = [(p.code, p.field) for p in result.problems if p.is_error]
    assert found == [(Code.SECRET_FILE_NAME, f"spec.config.merge.jetstream.{spelt}")]
    assert not result.documents


def test_a_literal_key_stays_a_quoted_literal_with_no_variable() -> None:
    rendered = objects(_js(key="s3cr3t-literal", prev_key="/etc/nats-old-key"))
    lines = config_of(rendered).splitlines()
    assert '  "key": "s3cr3t-literal"' in lines
    assert '  "prev_key": "/etc/nats-old-key"' in lines  # a value, not a path: nothing to mount or check
    assert not {"NATS_JETSTREAM_KEY", "NATS_JETSTREAM_PREV_KEY"} & set(_env(rendered))
