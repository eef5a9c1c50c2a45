"""Taking over in place (SPEC section 12): with --managed-service-names the servers keep their JetStream data
across a re-render, because their data lives on claims named as the managed service names them.

The claims stand as folders keyed by claim name (`<claim template>-<pod>`, what the StatefulSet controller
binds to each pod), shared by two clusters that have nothing else in common: each has its own work folder,
network namespaces and config. The first writes a replicated stream; it is stopped, the object re-rendered
with another user list (the change a takeover sync brings), and the second starts on the same claims.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import nats.errors
import nats.js.errors
from nats.js.api import StreamConfig

from tests.live import clients, formation, rendering
from tests.live.cluster import Cluster
from tests.support import pods
from tests.support.rendered import variant

RECOVERY_TIMEOUT = 30  # seconds for the restored stream to answer
MESSAGES = [b"first", b"second", b"third"]
DOCUMENT: dict[str, Any] = {
    "apiVersion": "apps.cozystack.io/v1alpha1",
    "kind": "NATS",
    "metadata": {"name": "orders", "namespace": "shop"},
    "spec": {"replicas": 3, "users": {"app": {"password": "app-password"}}, "jetstream": {"size": "1Gi"}},
}


def on_claims(cluster: Cluster, claims: Path) -> list[Path]:
    """Each server's JetStream volume is the claim folder of its pod, as the StatefulSet binds it."""
    sts = pods.find(cluster.objects, "StatefulSet")
    (template,) = [t["metadata"]["name"] for t in sts["spec"]["volumeClaimTemplates"]]
    folders = []
    for server in cluster.servers:
        claim = claims / f"{template}-{server.pod.name}"
        claim.mkdir(parents=True, exist_ok=True)
        server.folder.mkdir(parents=True, exist_ok=True)
        (server.folder / template).symlink_to(claim, target_is_directory=True)
        folders.append(claim)
    return folders


async def _write(urls: list[str]) -> None:
    client = await clients.connect(urls, user="app", password="app-password")
    try:
        js = client.jetstream(timeout=10)
        await clients.add_stream(js, StreamConfig(name="ORDERS", subjects=["orders.>"], num_replicas=3))
        for index, payload in enumerate(MESSAGES):
            await clients.publish_acked(js, f"orders.{index}", payload)
    finally:
        await client.close()


async def _read(urls: list[str], user: str, password: str) -> tuple[int, list[bytes]]:
    client = await clients.connect(urls, user=user, password=password)
    try:
        js = client.jetstream(timeout=5)
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while True:  # the restored stream elects its leader after the meta leader: nobody answers until then
            try:
                info = await js.stream_info("ORDERS")
                break
            except (nats.errors.TimeoutError, nats.js.errors.ServiceUnavailableError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        stored = [(await js.get_msg("ORDERS", seq)).data or b"" for seq in range(1, len(MESSAGES) + 1)]
        return int(info.state.messages), stored
    finally:
        await client.close()


def test_a_re_rendered_cluster_on_the_same_claims_keeps_its_stream(tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    for workdir in ("before", "after"):
        (tmp_path / workdir).mkdir()
    before = rendering.rendered(DOCUMENT, managed_service_names=True)
    with Cluster(before, tmp_path / "before") as first:
        folders = on_claims(first, claims)
        first.start()
        formation.wait_formed(first)
        clients.run(lambda: _write(first.urls()))
    # JetStream stores streams per account name (the managed service's A finds them again) and its raft
    # state in $SYS per server name (the pod name, as the managed service's).
    assert all((f / "jetstream" / "A" / "streams" / "ORDERS").is_dir() for f in folders)
    assert folders[0].name == "nats-orders-js-nats-orders-0"

    # Without the option the same object claims data-nats-orders-N: new, empty volumes beside these.
    plain = pods.find(rendering.rendered(DOCUMENT), "StatefulSet")["spec"]["volumeClaimTemplates"]
    assert [t["metadata"]["name"] for t in plain] == ["data"]

    grown = variant(DOCUMENT, users={"app": {"password": "app-password"}, "late": {}})
    after = rendering.rendered(grown, managed_service_names=True)
    assert rendering.credentials(after).keys() == {"app", "late"}
    with Cluster(after, tmp_path / "after") as second:
        assert on_claims(second, claims) == folders
        second.start()
        formation.wait_formed(second)
        assert clients.run(lambda: _read(second.urls(), "app", "app-password")) == (3, MESSAGES)
        # A user added by the re-render lands in the same account, and sees the same stream.
        late = rendering.credentials(after)["late"]
        assert clients.run(lambda: _read(second.urls(), "late", late)) == (3, MESSAGES)
