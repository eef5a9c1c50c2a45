"""nats-server booted on 127.0.0.1 with free ports, from a configuration text: whether it stays up, and
what its /varz reports. For tests that need no network namespace (tests/support/netns.py boots a rendered
configuration on its own ports, as root).

The client and monitor listeners are moved with nats-server's own command-line flags (`-a`, `-p`, `-m`),
so the configuration is used as it is; other listeners take ports the test writes in (`free_port`).
"""

from __future__ import annotations

import json
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from tests.support.realcheck import nats_server

# After the client port accepts, how long a server must keep running to count as up: the fatal errors of
# Start (JetStream on the system account) come before the client listener, the validation errors before
# anything listens; the margin covers a slow machine.
SETTLE_SECONDS = 0.5


_HANDED_OUT: set[int] = set()
_HANDING = threading.Lock()


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now, never handed out before in this process: servers boot
    side by side, and a port closed here is free again until one of them binds it, so the kernel may hand
    it out twice (two listeners of one test server then clash)."""
    with _HANDING:
        while True:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port: int = sock.getsockname()[1]
            if port not in _HANDED_OUT:
                _HANDED_OUT.add(port)
                return port


class Booted(NamedTuple):
    port: int
    monitor_port: int
    process: subprocess.Popen[bytes]

    def varz(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/varz", timeout=5) as reply:
            found: dict[str, Any] = json.load(reply)
            return found


class Exited(Exception):
    """nats-server exited at start; the message is its error output."""


@contextmanager
def server(
    config: str, env: dict[str, str] | None = None, timeout: float = 10, settle: float = SETTLE_SECONDS
) -> Iterator[Booted]:
    """nats-server started from `config` on 127.0.0.1, serving and still up `settle` seconds later;
    raises Exited if it exits first."""
    port, monitor = free_port(), free_port()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "nats.conf")
        path.write_text(config, encoding="utf-8")
        flags = ["-a", "127.0.0.1", "-p", str(port), "-m", str(monitor), "-P", f"{folder}/nats.pid"]
        process = subprocess.Popen(
            [nats_server(), "-c", str(path), *flags], env=env or {}, stderr=subprocess.PIPE
        )
        try:
            _wait_for(port, process, timeout, settle)
            yield Booted(port, monitor, process)
        finally:
            process.terminate()
            process.communicate(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes], timeout: float, settle: float) -> None:
    deadline = time.monotonic() + timeout
    settled: float | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Exited(process.stderr.read().decode() if process.stderr else "")
        if settled is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                settled = time.monotonic() + settle
            except OSError:
                pass
        elif time.monotonic() >= settled:
            return
        time.sleep(0.02)
    raise AssertionError(f"nats-server did not listen within {timeout} s")


def stays_up(config: str, env: dict[str, str] | None = None) -> tuple[bool, str]:
    """Whether nats-server started from `config` comes up and stays up; its error output if it exits."""
    try:
        with server(config, env):
            return True, ""
    except Exited as exited:
        return False, str(exited)
