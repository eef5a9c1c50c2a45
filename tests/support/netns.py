"""nats-server started from a rendered nats.conf in a network namespace of its own (`unshare -n`, so it can
bind the rendered ports as they are), and what its /varz reports (needs root)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

VARZ_IN_NETNS = Path(__file__).resolve().parent / "varz_in_netns.py"


def varz(config: str, monitor_port: int, env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "nats.conf")
        # The pid file's folder does not exist outside the pod; the test moves it, nothing else.
        path.write_text(config.replace('"/var/run/nats/nats.pid"', f'"{folder}/nats.pid"'), encoding="utf-8")
        done = subprocess.run(
            ["unshare", "-n", sys.executable, str(VARZ_IN_NETNS), str(path), str(monitor_port)],
            capture_output=True,
            text=True,
            env={**env, "PATH": os.environ["PATH"]},
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result
