"""The test client: nats-py connections from the root namespace to the pods' addresses, bounded in time."""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js.api import PubAck, StreamConfig, StreamInfo
from nats.js.client import JetStreamContext

T = TypeVar("T")
CONNECT_TIMEOUT = 3
NO_SUITABLE_PEERS = 10005  # JetStream's error code for a placement it cannot make (yet)


def run(work: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
    """Run one async client scenario to the end, or fail after `timeout` seconds."""

    async def bounded() -> T:
        return await asyncio.wait_for(work(), timeout)

    # nats-py leaves the socket of a failed first connect open (allow_reconnect=False raises before it
    # closes), and closing that client after a failed TLS handshake hangs. Those sockets die with the loop:
    # their ResourceWarnings are dropped here, instead of failing whichever test the garbage collector
    # happens to meet them in (filterwarnings = error).
    try:
        return asyncio.run(bounded())
    finally:
        collect_client_sockets()


def collect_client_sockets() -> None:
    """Collect the test clients' sockets that nats-py left open, without their ResourceWarnings. Some
    outlive `run` (held a while longer by nats-py's objects), so the live tests' teardown and the end of
    the session call this too (tests/conftest.py). Their warnings differ (an unclosed socket or
    transport, a StreamWriter's "loop is closed"), so every ResourceWarning of the collection is let go."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


async def connect(servers: list[str], **credentials: Any) -> Client:
    """A connection that fails instead of retrying: a refused login must surface as an error."""
    return await nats.connect(
        servers=servers,
        connect_timeout=CONNECT_TIMEOUT,
        allow_reconnect=False,
        max_reconnect_attempts=0,
        **credentials,
    )


async def add_stream(js: JetStreamContext, config: StreamConfig, timeout: float = 30) -> StreamInfo:
    """Create the stream once every server it needs has joined JetStream's meta group: a cluster just
    formed may not yet know all its peers, and a replicated stream's placement is then refused
    (err_code 10005, "no suitable peers for placement"). Any other refusal fails at once."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await js.add_stream(config)
        except nats.js.errors.BadRequestError as exc:
            if exc.err_code != NO_SUITABLE_PEERS or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def publish_acked(js: JetStreamContext, subject: str, payload: bytes, timeout: float = 30) -> PubAck:
    """Publish until the stream acknowledges. A stream just created, or whose leader was just lost, has
    no leader for a moment and nobody answers; any other error fails at once. One message id for every
    attempt, so a retry after a lost ack is deduplicated, not stored twice."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await js.publish(subject, payload, timeout=2, headers={"Nats-Msg-Id": subject})
        except (nats.js.errors.NoStreamResponseError, nats.errors.TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def delivered(
    source: list[str],
    source_options: dict[str, Any],
    target: list[str],
    target_options: dict[str, Any],
    subject: str,
    timeout: float = 20,
) -> bytes:
    """Subscribe on `target`, then publish `subject` (its own name as payload) on `source` until the
    message arrives: interest takes a moment to cross a route, gateway or leaf-node link. The payload
    received, or a timeout."""
    receiver = await connect(target, **target_options)
    sender = await connect(source, **source_options)
    try:
        subscription = await receiver.subscribe(subject)
        await receiver.flush()
        deadline = time.monotonic() + timeout
        while True:
            await sender.publish(subject, subject.encode())
            await sender.flush()
            try:
                return (await subscription.next_msg(timeout=0.5)).data
            except asyncio.TimeoutError:
                if time.monotonic() > deadline:
                    raise
    finally:
        await sender.close()
        await receiver.close()


async def refusal(servers: list[str], **credentials: Any) -> str | None:
    """Why the server refused the login, or None when it let the client in."""
    try:
        client = await connect(servers, **credentials)
    except Exception as exc:  # nats-py raises several kinds for a refused login; its text tells which
        return f"{type(exc).__name__}: {exc}"
    await client.close()
    return None
