"""Subject mappings with wildcards, as config.merge writes them (`mappings: {"orders.*": ...}`), held to
the booted binary: the rendered configuration boots on 127.0.0.1 (tests/support/loopback.py) and a message
published on `orders.x` by a user of spec.users arrives on the mapped subject, so nats-server read the key
and the `{{wildcard(1)}}` template back byte for byte. The mapping goes in the account of spec.users: a
top-level `mappings` belongs to the global account, where no user of spec.users is (the last test)."""

from __future__ import annotations

import asyncio
from typing import Any

import nats
import pytest

from nats_kplugin.codes import Code
from nats_kplugin.nats_server.config import ACCOUNT
from tests.support import loopback, pods, rendered

SPEC: dict[str, Any] = {
    "replicas": 1,
    "jetstream": {"enabled": False},
    "tls": {"enabled": False},
    "users": {"app": {"password": "app-password"}},
}


def _config(merge: dict[str, Any], **spec: Any) -> tuple[str, dict[str, str]]:
    pod = pods.pods(rendered.objects(rendered.document(**{**SPEC, **spec, "config": {"merge": merge}})))[0]
    return pod.config, pod.env


async def _mapped(port: int, user: str | None, publish: str, listen: str) -> bytes:
    auth = {"user": user, "password": f"{user}-password"} if user else {}
    client = await nats.connect(
        f"nats://127.0.0.1:{port}", connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=0, **auth
    )
    try:
        subscription = await client.subscribe(listen)
        await client.flush()
        await client.publish(publish, b"mapped")
        message = await subscription.next_msg(timeout=5)
        return bytes(message.data)
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("source", "target", "publish", "listen"),
    [
        ("orders.*", "shipped.{{wildcard(1)}}", "orders.x", "shipped.x"),
        ("orders.*.*", "orders.{{wildcard(2)}}.{{wildcard(1)}}", "orders.a.b", "orders.b.a"),
        ("orders.>", "archive.orders.>", "orders.a.b", "archive.orders.a.b"),
    ],
)
def test_a_wildcard_mapping_renders_and_maps_a_message(
    source: str, target: str, publish: str, listen: str
) -> None:
    config, env = _config({"accounts": {ACCOUNT: {"mappings": {source: target}}}})
    assert f'"{source}": "{target}"' in config
    with loopback.server(config, env) as booted:
        assert asyncio.run(_mapped(booted.port, "app", publish, listen)) == b"mapped"


def test_a_top_level_mapping_does_not_reach_the_users_of_spec_users_and_is_warned_about() -> None:
    merge = {"mappings": {"orders.*": "shipped.{{wildcard(1)}}"}}
    result = rendered.run(rendered.document(**{**SPEC, "config": {"merge": merge}}))
    found = [(p.code, p.field) for p in result.problems if p.code is Code.GLOBAL_MAPPINGS]
    assert found == [(Code.GLOBAL_MAPPINGS, "spec.config.merge.mappings")]
    config, env = _config(merge)
    with loopback.server(config, env) as booted, pytest.raises(TimeoutError):
        asyncio.run(_mapped(booted.port, "app", "orders.x", "shipped.x"))
