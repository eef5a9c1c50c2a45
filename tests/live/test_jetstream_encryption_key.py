"""The JetStream encryption key from a Secret (issue 20), live: the server encrypts its store with it.

The NATS object is fixtures/jetstream-encryption-key on one server: `jetstream.key` names
`/etc/nats-secrets/nats-js-key/key`, rendered as `key: $NATS_JETSTREAM_KEY` with the variable from that
Secret's key (`secretKeyRef`). The tests play the Secret's owner (tests/support/secret_owner.py), and a
change of the Secret's content is what the kubelet makes of it: the new value in the container's
environment at its next start.

What must hold: the server stores a message in a stream; the store's files on disk never hold the payload
in clear; restarted with another key, the server runs but cannot decrypt the stream's metadata: it says so
in its log, serves no such stream, and its /healthz (the rendered startup probe) fails naming the stream,
so the pod never counts as started; restarted with the right key, the stream and its message are back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nats.js.errors
import pytest
import yaml
from nats.js.api import StreamConfig

from nats_kplugin.nats_server.pod_filesystem import STORE_DIR
from tests.live import clients, rendering
from tests.live.cluster import Cluster, Server, wait_for
from tests.support import secret_owner
from tests.support.rendered import variant

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "jetstream-encryption-key" / "input.yaml"
VARIABLE = "NATS_JETSTREAM_KEY"
STREAM, SUBJECT = "VAULT", "vault.orders"
PAYLOAD = b"order 4711: plaintext that must never reach the disk"
PASSWORD = "app-password"
START_TIMEOUT = 30
# nats-server 2.15.1's words when the key does not open a stream's metadata (server/filestore.go).
UNDECRYPTABLE = "Error decrypting our stream metafile"
RECOVERY_FAILED = f"JetStream stream 'users > {STREAM}' could not be recovered"  # /healthz then


def _document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(FIXTURE.read_text())
    return variant(document, replicas=1, users={"app": {"password": PASSWORD}})


def _healthy(server: Server) -> None:
    wait_for(f"{server.name} to be healthy", lambda: server.http("/healthz")[0] == 200, START_TIMEOUT)


def _restart(server: Server, key: str) -> int:
    """Stop the server and start it with `key` as the Secret's content; the log's length before the start."""
    server.stop()
    server.pod.env[VARIABLE] = key
    seen = len(server.log.read_bytes())
    server.start()
    return seen


def _startup_probe(server: Server) -> tuple[int, str]:
    """The rendered startup probe's answer, once the monitor port answers at all."""
    path = server.pod.probes["startupProbe"]

    def answer() -> tuple[int, str] | None:
        status, body = server.http(path)
        return (status, body) if status else None

    return wait_for(f"{server.name}'s monitor port", answer, START_TIMEOUT)


def _store_files(server: Server) -> list[Path]:
    return [path for path in server.host_path(STORE_DIR).rglob("*") if path.is_file()]


async def _store(urls: list[str]) -> None:
    client = await clients.connect(urls, user="app", password=PASSWORD)
    try:
        js = client.jetstream()
        await clients.add_stream(js, StreamConfig(name=STREAM, subjects=["vault.>"]))
        await clients.publish_acked(js, SUBJECT, PAYLOAD)
    finally:
        await client.close()


async def _stored(urls: list[str]) -> bytes | None:
    """The stream's first message, or None when the server has no such stream."""
    client = await clients.connect(urls, user="app", password=PASSWORD)
    try:
        message = await client.jetstream().get_msg(STREAM, 1)
        return message.data
    except nats.js.errors.NotFoundError:
        return None
    finally:
        await client.close()


def test_the_store_is_encrypted_with_the_secrets_key_and_only_that_key_opens_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    objects = rendering.rendered(_document())
    with Cluster(objects, tmp_path_factory.mktemp("jskey")) as cluster:
        (server,) = cluster.servers
        owners_key = secret_owner.env_value("nats-js-key", "key")
        assert server.pod.env[VARIABLE] == owners_key, "the key comes from the Secret the object names"
        assert f"$({VARIABLE})" not in server.pod.config and f"${VARIABLE}" in server.pod.config
        server.start()
        _healthy(server)
        urls = [server.url()]
        clients.run(lambda: _store(urls))
        assert clients.run(lambda: _stored(urls)) == PAYLOAD
        server.stop()

        files = _store_files(server)
        assert any(path.suffix == ".blk" for path in files), f"no message block in {files}"
        in_clear = [path for path in files if PAYLOAD in path.read_bytes()]
        assert not in_clear, f"the payload is on disk in clear: {in_clear}"

        seen = _restart(server, "owner-another-key")
        status, body = _startup_probe(server)
        assert status == 503, (status, body)  # the pod never counts as started
        assert json.loads(body)["error"] == RECOVERY_FAILED
        assert clients.run(lambda: _stored(urls)) is None, "another key must not open the stream"
        assert UNDECRYPTABLE in server.log.read_bytes()[seen:].decode(errors="replace")

        _restart(server, owners_key)
        _healthy(server)
        assert clients.run(lambda: _stored(urls)) == PAYLOAD
