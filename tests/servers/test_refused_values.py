"""Values of issue 17 that rendered with exit 0 and that the pinned nats-server refuses, by `-t` or at
start: each is shown to the binary first (the config as nats-render wrote it before), then refused by the
renderer with its field, while a nearby value renders and passes the binary.

- `authorization: {user, password}` beside users: `-t` refuses ("Can not have a single user/pass ...").
- a listen host with `_`, a space or non-ASCII digits: `-t` passes, the server exits at start
  ("Error listening on leafnode port: ... no such host").
- `spec.jetstream.size: 1e20`: max_file_store past int64, `-t` refuses ("out of the range").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nats_kplugin.codes import Code
from tests.support import loopback, realcheck, rendered


def _problems(result: Any, code: Code) -> list[str | None]:
    return [p.field for p in result.problems if p.code is code]


@pytest.mark.parametrize(
    ("beside", "says"),
    [
        (
            "authorization {user: a, password: b, users [{user: c, password: d}]}",
            "single user/pass",
        ),
        (
            "authorization {user: a, password: b}\naccounts {A {users [{user: c, password: d}]}}",
            # "... and accounts" or "... and a users array": nats-server walks the accounts in map order.
            "single user/pass and",
        ),
    ],
)
def test_the_binary_refuses_a_single_user_beside_users(beside: str, says: str) -> None:
    checked = realcheck.check_config(beside + "\n", {})
    assert checked.returncode != 0 and says in checked.stderr, checked.stderr


def test_a_single_user_beside_spec_users_is_refused_with_the_field() -> None:
    merge = {"authorization": {"user": "a", "password": "a-password"}}
    result = rendered.render_merge(merge, users={"app": {"password": "app-password"}})
    assert _problems(result, Code.CONFLICTING_AUTH) == ["spec.config.merge.authorization.user"]
    alone = rendered.objects(rendered.document(users=None, config={"merge": merge}))
    realcheck.assert_server_accepts(alone)


BAD_HOSTS = ("a_b", "a b", "١٢٧.0.0.1")


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_the_binary_passes_t_then_cannot_listen_on_the_host(host: str, tmp_path: Path) -> None:
    config = f'leafnodes {{listen: "{host}:{loopback.free_port()}"}}\n'
    assert realcheck.check_config(config, {}).returncode == 0
    up, stderr = loopback.stays_up(config)
    assert not up and "Error listening on" in stderr and "no such host" in stderr, stderr


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("key", ["listen", "host"])
def test_a_host_nats_server_cannot_listen_on_is_refused(host: str, key: str) -> None:
    value = f"{host}:4222" if key == "listen" else host
    result = rendered.render_merge({key: value})
    assert _problems(result, Code.INVALID_ADDRESS) == [f"spec.config.merge.{key}"]


@pytest.mark.parametrize("listen", ["0.0.0.0:4222", ":4222", "[::]:4222", "nats-a.example:4222"])
def test_a_host_it_can_listen_on_renders(listen: str) -> None:
    result = rendered.render_merge({"listen": listen})
    assert not _problems(result, Code.INVALID_ADDRESS)


def test_the_binary_refuses_a_store_past_int64() -> None:
    checked = realcheck.check_config("jetstream {max_file_store: 90000000000000000000}\n", {})
    assert checked.returncode != 0 and "out of the range" in checked.stderr, checked.stderr


def test_a_jetstream_size_past_int64_is_refused_and_the_largest_renders() -> None:
    result = rendered.run(rendered.document(jetstream={"enabled": True, "size": "1e20"}))
    assert _problems(result, Code.OUT_OF_RANGE) == ["spec.jetstream.size"]
    largest = rendered.document(jetstream={"enabled": True, "size": str(2**63 - 1)})
    realcheck.assert_server_accepts(rendered.objects(largest))
