"""The seed example (fixtures/seed, the published example without its token) runs as a real cluster.

One three-server cluster serves the whole module; every test first waits until it is formed again, so a
test that stops a server leaves nothing behind for the next.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from nats.js.api import StreamConfig

from tests.live import clients, rendering
from tests.live.cluster import Cluster, wait_for
from tests.live.formation import meta_leader, routed_peers, wait_formed

SEED_OBJECTS = rendering.rendered(rendering.seed())
REPLICAS: int = rendering.seed()["spec"]["replicas"]


@pytest.fixture(scope="module")
def seed_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with Cluster(SEED_OBJECTS, tmp_path_factory.mktemp("seed")) as cluster:
        cluster.start()
        yield cluster


@pytest.fixture
def seed(seed_cluster: Cluster) -> Cluster:
    wait_formed(seed_cluster)
    return seed_cluster


def test_the_seed_forms_one_cluster_of_replicas_servers(seed: Cluster) -> None:
    names = [s.name for s in seed.servers]
    assert names == [f"nats-example-{i}" for i in range(REPLICAS)], "server names unique per pod"
    for server in seed.servers:
        assert routed_peers(server) == set(names) - {server.name}
    leaders = {meta_leader(s) for s in seed.servers}
    assert len(leaders) == 1 and leaders <= set(names), f"one meta leader, seen {leaders}"
    for server in seed.servers:
        meta = (server.monitor("jsz") or {})["meta_cluster"]
        assert meta["cluster_size"] == REPLICAS
        assert (server.monitor("varz") or {})["cluster"]["name"] == "nats-nats-example"


def test_every_probe_path_answers_ready(seed: Cluster) -> None:
    for server in seed.servers:
        assert set(server.pod.probes) == {"startupProbe", "livenessProbe", "readinessProbe"}
        for kind, path in server.pod.probes.items():
            status, body = server.http(path)
            assert status == 200, f"{server.name} {kind} {path}: {status} {body}"


async def _write_replicated_stream(urls: list[str], user: str, password: str) -> dict[str, Any]:
    client = await clients.connect(urls, user=user, password=password)
    try:
        js = client.jetstream(timeout=10)
        name = f"LIVE_{user.upper()}"
        await clients.add_stream(
            js, StreamConfig(name=name, subjects=[f"live.{user}.>"], num_replicas=REPLICAS)
        )
        ack = await clients.publish_acked(js, f"live.{user}.hello", b"hello")
        info = await js.stream_info(name)
        return {
            "stream": ack.stream,
            "seq": ack.seq,
            "cluster": info.cluster,
            "messages": info.state.messages,
        }
    finally:
        await client.close()


def test_every_user_logs_in_and_writes_a_stream_on_every_server(seed: Cluster) -> None:
    passwords = rendering.credentials(SEED_OBJECTS)
    assert sorted(passwords) == ["user1", "user2"]
    for user, password in passwords.items():
        result = clients.run(lambda u=user, p=password: _write_replicated_stream(seed.urls(), u, p))
        assert result["seq"] >= 1 and result["messages"] >= 1
        cluster = result["cluster"]
        assert cluster.leader in {s.name for s in seed.servers}
        assert len(cluster.replicas) == REPLICAS - 1, "an R3 stream: a leader and two current replicas"
        for server in seed.servers:  # each server lets each user in on its own address
            assert (
                clients.run(
                    lambda s=server, u=user, p=password: clients.refusal([s.url()], user=u, password=p)
                )
                is None
            )


def test_wrong_credentials_and_the_removed_token_are_refused(seed: Cluster) -> None:
    password = rendering.credentials(SEED_OBJECTS)["user1"]
    attempts: dict[str, dict[str, str]] = {
        "wrong password": {"user": "user1", "password": password + "x"},
        "unknown user": {"user": "nobody", "password": password},
        "no credentials": {},
        "the seed's removed token": {"token": rendering.removed_token()},
    }
    for server in seed.servers:
        for what, credentials in attempts.items():
            reason = clients.run(lambda s=server, c=credentials: clients.refusal([s.url()], **c))
            assert reason is not None, f"{server.name} let a client in with {what}"
            assert "authorization violation" in reason.lower(), f"{server.name}, {what}: {reason}"


async def _publish_until_acked(urls: list[str], password: str, subject: str, timeout: float) -> int:
    """Publish until the stream acknowledges (a new stream leader may need a moment); the sequence."""
    client = await clients.connect(urls, user="user1", password=password)
    try:
        ack = await clients.publish_acked(client.jetstream(timeout=2), subject, b"still writable", timeout)
        return int(ack.seq)
    finally:
        await client.close()


async def _stream_leader(urls: list[str], password: str, name: str, replicas: int) -> str:
    client = await clients.connect(urls, user="user1", password=password)
    try:
        js = client.jetstream(timeout=10)
        await clients.add_stream(
            js, StreamConfig(name=name, subjects=[f"{name.lower()}.>"], num_replicas=replicas)
        )
        await clients.publish_acked(js, f"{name.lower()}.first", b"first")
        info = await js.stream_info(name)
        assert info.cluster is not None and info.cluster.leader
        return str(info.cluster.leader)
    finally:
        await client.close()


def test_losing_one_of_three_servers_keeps_the_stream_writable(seed: Cluster) -> None:
    password = rendering.credentials(SEED_OBJECTS)["user1"]
    leader = clients.run(lambda: _stream_leader(seed.urls(), password, "SURVIVES", REPLICAS))
    lost = next(s for s in seed.servers if s.name == leader)
    lost.kill()  # the worst case: the stream's own leader disappears without warning
    seq = clients.run(lambda: _publish_until_acked(seed.urls(), password, "survives.after", 30))
    assert seq == 2, "the write after the loss is the stream's second message"

    def new_meta_leader() -> bool:  # the survivors may take a moment to replace a lost meta leader
        leaders = {meta_leader(s) for s in seed.running()}
        return len(leaders) == 1 and None not in leaders and lost.name not in leaders

    wait_for("the survivors to agree on a meta leader other than the lost server", new_meta_leader, 30)


async def _hold_connection(url: str, password: str, seconds: float) -> None:
    """Stay connected until the server closes the connection, at most `seconds`."""
    client = await clients.connect([url], user="user1", password=password)
    deadline = time.monotonic() + seconds
    try:
        while client.is_connected and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        if client.is_connected:
            await client.close()


def test_the_prestop_lame_duck_signal_moves_leadership_before_the_server_exits(seed: Cluster) -> None:
    leader_name = wait_formed(seed)
    leader = next(s for s in seed.servers if s.name == leader_name)
    others = [s for s in seed.servers if s is not leader]
    password = rendering.credentials(SEED_OBJECTS)["user1"]
    # A client on the leader keeps it in lame duck for the grace period, as real clients would.
    holder = threading.Thread(
        target=lambda: clients.run(lambda: _hold_connection(leader.url(), password, 60), timeout=70),
        daemon=True,
    )
    holder.start()
    wait_for(
        "the client on the leader", lambda: (leader.monitor("varz") or {}).get("connections", 0) >= 1, 10
    )
    signalled = time.monotonic()
    hook = leader.pre_stop()
    assert hook.returncode == 0, hook.stderr

    def moved() -> str | None:
        views = {meta_leader(s) for s in others}
        return views.pop() if len(views) == 1 and None not in views and leader_name not in views else None

    new_leader = wait_for("another meta leader", moved, leader.pod.grace_seconds)
    assert leader.running, (
        "leadership must move while the old leader is still in lame duck, not after it exits"
    )
    assert leader.process is not None
    leader.process.wait(timeout=leader.pod.grace_seconds)
    exited_after = time.monotonic() - signalled
    assert exited_after < leader.pod.grace_seconds, f"lame duck took {exited_after:.0f}s"
    print(f"lame duck: leadership moved to {new_leader}, {leader_name} exited after {exited_after:.1f}s")
    assert new_leader in {s.name for s in others}
    holder.join(timeout=10)
    assert not holder.is_alive(), "the server closed its clients before exiting"
