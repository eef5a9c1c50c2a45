"""The live harness: every pod of a rendered StatefulSet as a real nats-server process.

Each server gets what its pod would get, computed by tests/support/pods.py from the rendered objects: the
config file from the config Secret, the container's command, the environment (field refs, secret refs,
`$(VAR)`), its own network namespace and address (network.py), and the pod DNS names through /etc/hosts. The
only change to the rendered configuration is the host paths: every volume mount of the nats container
(config, pid, data) becomes a folder of the test, and the quoted paths under those mounts in nats.conf and
in the preStop command are rewritten to it. Nothing else in the text changes.

Bounds: a server runs under `timeout` (SERVER_LIFETIME) so nothing outlives a crashed test run; it is
stopped by its PID (SIGTERM, then SIGKILL); the `Cluster` context manager stops every server and removes
every namespace and the bridge on exit, failures included.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from nats_kplugin.nats_server.values import monitor_base_path
from tests.live import network
from tests.support import pods, realcheck

SERVER_LIFETIME = 900  # seconds; `timeout` kills a server that outlives its test run
STOP_WAIT = 15  # seconds a server gets to exit after SIGTERM before SIGKILL
HTTP_TIMEOUT = 2
# sh in the server's own mount namespace: the pod's /etc/hosts over the machine's, then nats-server itself
# (exec keeps the PID, so the pid file, the signals and our bookkeeping name the same process).
WITH_HOSTS_FILE = 'mount --bind "$0" /etc/hosts && exec "$@"'

T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, interval: float = 0.1) -> T:
    """Poll `probe` until it returns something other than None/False; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def map_paths(text: str, mapping: dict[str, str], quoted: bool) -> str:
    """Replace every path under a mounted folder by the folder standing for it on this machine."""
    for pod_path, host_path in mapping.items():
        if quoted:  # nats.conf: every string is double-quoted by the renderer's one encoder
            text = re.sub(r'"' + re.escape(pod_path) + r'(?=[/"])', lambda _m, h=host_path: '"' + h, text)
        else:  # a command argument, alone or after `name=`
            text = re.sub(r"(^|=)" + re.escape(pod_path) + r"(?=/|$)", lambda m, h=host_path: m[1] + h, text)
    return text


@dataclass
class Server:
    """One pod of the StatefulSet: its rendered view, its network place and, while running, its process."""

    pod: pods.Pod
    address: str
    netns: str
    folder: Path  # holds one folder per volume of the nats container
    hosts_file: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    config: str = ""  # the rendered nats.conf currently in the config folder (before path mapping)

    @property
    def name(self) -> str:
        """The server_name the pod's environment gives it."""
        return self.pod.env["SERVER_NAME"]

    @property
    def mapping(self) -> dict[str, str]:
        return {path: str(self.folder / volume) for volume, path in self.pod.mounts.items()}

    def host_path(self, pod_path: str) -> Path:
        return Path(map_paths(pod_path, self.mapping, quoted=False))

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    @property
    def pid_file(self) -> Path:
        """The pid file the preStop hook signals (`ldm=<pid file>`); the server must write its PID there."""
        target = next(arg for arg in self.pod.pre_stop if arg.startswith("ldm="))
        return self.host_path(target.removeprefix("ldm="))

    def url(self, port: str = "nats") -> str:
        return f"nats://{self.address}:{self.pod.ports[port]}"

    def write_config(self, config: str) -> None:
        """Put a rendered nats.conf where the pod would find the config Secret, host paths mapped."""
        self.config = config
        target = self.host_path(self.pod.command[-1])
        target.write_text(map_paths(config, self.mapping, quoted=True), encoding="utf-8")

    def start(self) -> None:
        for path in self.mapping.values():
            Path(path).mkdir(parents=True, exist_ok=True)
        if not self.config:
            self.write_config(self.pod.config)
        self.pid_file.unlink(missing_ok=True)
        command = [map_paths(arg, self.mapping, quoted=False) for arg in self.pod.command]
        command[0] = realcheck.nats_server() if command[0] == "nats-server" else command[0]
        wrapper = ["timeout", "-k", "5", str(SERVER_LIFETIME), "ip", "netns", "exec", self.netns]
        wrapper += ["unshare", "--mount", "--propagation", "private", "--"]
        wrapper += ["sh", "-c", WITH_HOSTS_FILE, str(self.hosts_file)]
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [*wrapper, *command],
                env={"PATH": os.environ.get("PATH", ""), **self.pod.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pid(self) -> int:
        """The nats-server PID from its pid file, checked to be the child of our `timeout` process."""
        assert self.process is not None, f"{self.name} was never started"
        pid = int(wait_for(f"{self.name}'s pid file", self._read_pid, 10))
        stat = Path(f"/proc/{pid}/stat").read_text()
        assert int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid, f"{pid} is not {self.name}"
        return pid

    def _read_pid(self) -> int | None:
        try:
            text = self.pid_file.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None

    def signal(self, number: signal.Signals) -> None:
        os.kill(self.pid(), number)

    def kill(self) -> None:
        """Lose the server at once (SIGKILL), as a node failure would."""
        if self.running:
            self.signal(signal.SIGKILL)
            assert self.process is not None
            self.process.wait(timeout=STOP_WAIT)

    def stop(self) -> None:
        """SIGTERM (forwarded by `timeout` to nats-server), SIGKILL if it has not exited in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: timeout and nats-server only
            self.process.wait(timeout=STOP_WAIT)

    def pre_stop(self) -> subprocess.CompletedProcess[str]:
        """Run the rendered preStop hook, host paths mapped, as the kubelet would before stopping the pod."""
        command = [map_paths(arg, self.mapping, quoted=False) for arg in self.pod.pre_stop]
        command[0] = realcheck.nats_server() if command[0] == "nats-server" else command[0]
        return subprocess.run(command, capture_output=True, text=True, timeout=10)

    def http(self, path: str) -> tuple[int, str]:
        """GET on the monitor port: status and body; status 0 when nothing answers."""
        url = f"http://{self.address}:{self.pod.ports['monitor']}{path}"
        try:
            with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except (OSError, urllib.error.URLError):
            return 0, ""

    @property
    def monitor_base(self) -> str:
        """Where this server serves its monitoring endpoints: under its http_base_path, if it has one
        (cleaned as the renderer reads it; the probes the judge calls hold that reading to the server)."""
        found = re.search(r'"http_base_path":\s*"([^"]*)"', self.config)
        return monitor_base_path(found[1]) if found else ""

    def monitor(self, endpoint: str) -> dict[str, Any] | None:
        """A monitoring endpoint's JSON (`varz`, `routez`, `jsz`), or None when it does not answer 200."""
        status, body = self.http(f"{self.monitor_base}/{endpoint}")
        if status != 200:
            return None
        loaded: dict[str, Any] = json.loads(body)
        return loaded


@dataclass
class Cluster:
    """Every pod of one rendered StatefulSet, each in its own network namespace, as a context manager."""

    objects: list[dict[str, Any]]
    workdir: Path
    servers: list[Server] = field(default_factory=list)
    net: network.PodNetwork | None = None
    # Several clusters on one network (leaf nodes, gateways): the test's network, left to the test to
    # remove; this cluster's pods take its addresses from `first` on, and `hosts` adds /etc/hosts lines.
    shared: network.PodNetwork | None = None
    first: int = 0
    hosts: tuple[str, ...] = ()

    def __enter__(self) -> Cluster:
        rendered_pods = pods.pods(self.objects)
        sts = pods.find(self.objects, "StatefulSet")
        self.net = self.shared or network.create(len(rendered_pods))
        try:
            hosts = self.workdir / "hosts"
            network.write_hosts_file(
                hosts,
                self.net,
                [p.name for p in rendered_pods],
                sts["spec"]["serviceName"],
                sts["metadata"].get("namespace", "default"),
                tuple(sorted(set(re.findall(r'"nats://([^":/]+):\d+"', rendered_pods[0].config)))),
                self.first,
                self.hosts,
            )
            for pod in rendered_pods:
                self.servers.append(
                    Server(
                        pod,
                        self.net.address(self.first + pod.index),
                        self.net.namespace(self.first + pod.index),
                        self.workdir / pod.name,
                        hosts,
                    )
                )
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            for server in self.servers:
                try:
                    server.stop()
                except (OSError, subprocess.SubprocessError):
                    if server.process is not None:
                        os.killpg(server.process.pid, signal.SIGKILL)
        finally:
            if self.net is not None and self.shared is None:
                self.net.remove()

    def start(self) -> Cluster:
        """Start every server at once, as `podManagementPolicy: Parallel` does."""
        for server in self.servers:
            server.start()
        return self

    def running(self) -> list[Server]:
        return [s for s in self.servers if s.running]

    def urls(self) -> list[str]:
        return [s.url() for s in self.running()]

    def logs(self) -> str:
        """Every server's log, for failure messages."""
        return "\n".join(f"=== {s.name}\n{s.log.read_text(errors='replace')[-4000:]}" for s in self.servers)
