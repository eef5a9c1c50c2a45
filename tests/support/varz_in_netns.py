"""Run inside a fresh network namespace (`unshare -n`): start nats-server from a config on its own ports
and print its /varz, so a test learns where the real server listens. Usage: CONFIG MONITOR_PORT."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

config, monitor = sys.argv[1], int(sys.argv[2])
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
server = subprocess.Popen(["nats-server", "-c", config], stderr=subprocess.PIPE)
try:
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{monitor}/varz", timeout=1) as reply:
                print(json.dumps(json.load(reply)))
                break
        except OSError:
            if server.poll() is not None:
                sys.exit(f"nats-server exited: {server.stderr.read().decode() if server.stderr else ''}")
            time.sleep(0.05)
    else:
        sys.exit("no /varz on the monitor port the manifest probes")
finally:
    server.terminate()
    server.wait(timeout=10)
