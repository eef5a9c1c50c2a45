"""The test client: nats-py connections from the root namespace to the pods' addresses, bounded in time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import nats
from nats.aio.client import Client

T = TypeVar("T")
CONNECT_TIMEOUT = 3


def run(work: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
    """Run one async client scenario to the end, or fail after `timeout` seconds."""

    async def bounded() -> T:
        return await asyncio.wait_for(work(), timeout)

    return asyncio.run(bounded())


async def connect(servers: list[str], **credentials: Any) -> Client:
    """A connection that fails instead of retrying: a refused login must surface as an error."""
    return await nats.connect(
        servers=servers,
        connect_timeout=CONNECT_TIMEOUT,
        allow_reconnect=False,
        max_reconnect_attempts=0,
        **credentials,
    )


async def refusal(servers: list[str], **credentials: Any) -> str | None:
    """Why the server refused the login, or None when it let the client in."""
    try:
        client = await connect(servers, **credentials)
    except Exception as exc:  # nats-py raises several kinds for a refused login; its text tells which
        return f"{type(exc).__name__}: {exc}"
    await client.close()
    return None
