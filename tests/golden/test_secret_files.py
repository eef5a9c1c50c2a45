"""Secrets for the server's own files (issue 20): a file option of config.merge naming
/etc/nats-secrets/<secret>/<key> mounts that key read-only, the reloader watches it, and every other path
stays refused. Rendered in process; fixtures/leafnode-secrets is booted by the judge."""

from __future__ import annotations

from typing import Any

import pytest

from nats_kplugin.codes import Code
from tests.support.rendered import container, document, objects, pod_spec, run

REMOTE = "nats-leaf://hub.example.com:7422"


def _leaf(**remote: Any) -> dict[str, Any]:
    return document(config={"merge": {"leafnodes": {"remotes": [{"urls": [REMOTE], **remote}]}}})


def test_the_named_keys_of_each_secret_and_nothing_else_are_mounted_read_only_and_watched() -> None:
    rendered = objects(
        _leaf(
            credentials="/etc/nats-secrets/hub-leaf/edge.creds",
            tls={
                "ca_file": "/etc/nats-secrets/hub-tls/ca.crt",
                "cert_file": "/etc/nats-secrets/hub-tls/tls.crt",
            },
        )
    )
    volumes = {v["name"]: v for v in pod_spec(rendered)["volumes"]}
    sources = volumes["secrets"]["projected"]["sources"]
    assert sources == [
        {"secret": {"name": "hub-leaf", "items": [{"key": "edge.creds", "path": "hub-leaf/edge.creds"}]}},
        {
            "secret": {
                "name": "hub-tls",
                "items": [
                    {"key": "ca.crt", "path": "hub-tls/ca.crt"},
                    {"key": "tls.crt", "path": "hub-tls/tls.crt"},
                ],
            }
        },
    ]
    for name in ("nats", "reloader"):
        mounts = {m["name"]: m for m in container(rendered, name)["volumeMounts"]}
        assert mounts["secrets"] == {"name": "secrets", "mountPath": "/etc/nats-secrets", "readOnly": True}
    args = container(rendered, "reloader")["args"]
    watched = [args[i + 1] for i, arg in enumerate(args) if arg == "-config"]
    assert {"/etc/nats-secrets/hub-leaf/edge.creds", "/etc/nats-secrets/hub-tls/ca.crt"} <= set(watched)
    assert "secrets" not in {m["name"] for m in container(rendered, "prom-exporter").get("volumeMounts", [])}


def test_without_a_secret_path_there_is_no_secrets_volume() -> None:
    rendered = objects(_leaf())
    assert "secrets" not in {v["name"] for v in pod_spec(rendered)["volumes"]}


@pytest.mark.parametrize(
    ("merge", "field", "code"),
    [
        ({"log_file": "/etc/nats-secrets/logs/nats.log"}, "log_file", Code.PATH_OUTSIDE_VOLUME),
        ({"ports_file_dir": "/etc/nats-secrets/ports"}, "ports_file_dir", Code.PATH_OUTSIDE_VOLUME),
        ({"leafnodes": {"remotes": [{"urls": [REMOTE], "credentials": "/etc/nats-creds/x/y"}]}},
         "leafnodes.remotes[0].credentials", Code.PATH_OUTSIDE_VOLUME),
    ],
)  # fmt: skip
def test_every_other_path_is_still_refused(merge: dict[str, Any], field: str, code: Code) -> None:
    result = run(document(config={"merge": merge}))
    assert [(p.code, p.field) for p in result.problems if p.is_error] == [
        (code, f"spec.config.merge.{field}")
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/etc/nats-secrets/Hub/edge.creds",  # not lowercase
        "/etc/nats-secrets/hub_leaf/edge.creds",  # '_' is no DNS-1123 character
        "/etc/nats-secrets/-hub/edge.creds",
        "/etc/nats-secrets/hub./edge.creds",
        "/etc/nats-secrets/" + "h" * 254 + "/edge.creds",
        "/etc/nats-secrets/hub/edge creds",
        "/etc/nats-secrets/hub/..edge",
        "/etc/nats-secrets/hub/..",
        "/etc/nats-secrets/../nats-tls/tls.key",
        "/etc/nats-secrets/hub//edge.creds",
        "/etc/nats-secrets/hub",
        "/etc/nats-secrets/hub/dir/edge.creds",
    ],
)
def test_a_path_that_names_no_secret_key_is_refused(path: str) -> None:
    result = run(_leaf(credentials=path))
    found = [(p.code, p.field) for p in result.problems if p.is_error]
    assert found == [(Code.SECRET_FILE_NAME, "spec.config.merge.leafnodes.remotes[0].credentials")]


@pytest.mark.parametrize(
    "path", ["/etc/nats-secrets/hub.example-1/edge.creds", "/etc/nats-secrets/a/.Key_1-x"]
)
def test_secret_names_and_keys_kubernetes_accepts_render(path: str) -> None:
    assert run(_leaf(credentials=path)).ok
