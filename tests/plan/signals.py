"""What the config reloader does to a booted server (tests/live/cluster.py's Server): write the new nats.conf
and send SIGHUP; the server's own answer is read from its log."""

from __future__ import annotations

import signal
from typing import Any

from tests.live.cluster import Server, wait_for
from tests.support import pods

ANSWER_TIMEOUT = 10
ANSWERS = ("Reloaded server configuration", "Failed to reload server configuration")


def reload(server: Server, config: str) -> str:
    """The server's log line answering the reload signal."""
    seen = len(server.log.read_bytes())
    server.write_config(config)
    server.signal(signal.SIGHUP)

    def answer() -> str | None:
        lines = server.log.read_bytes()[seen:].decode(errors="replace").splitlines()
        return next((line for line in lines if any(a in line for a in ANSWERS)), None)

    return wait_for(f"{server.name} to answer the reload signal", answer, ANSWER_TIMEOUT)


def config_of(objects: list[dict[str, Any]]) -> str:
    """nats.conf of the rendered stream, as its pods mount it."""
    return pods.pods(objects)[0].config


def template_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    template: dict[str, Any] = pods.find(objects, "StatefulSet")["spec"]["template"]
    return template
