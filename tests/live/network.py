"""The pod network of a live test: one network namespace per pod on a bridge the test creates.

Each pod gets its own address in a private /24 (10.250.N.0/24), on a veth pair whose outer end sits on a
bridge in the root namespace; the bridge holds 10.250.N.1 so the test client in the root namespace reaches
every pod. Nothing else is addressed: inside a pod namespace there is only `lo` and `eth0`. The pod DNS
names (`nats-X-0.nats-X-headless` and its namespace/FQDN forms) go into a hosts file that each server sees
as /etc/hosts (bind-mounted in its own mount namespace, see cluster.py).

A run claims its /24 by creating the bridge `natslive<N>`: `ip link add` fails when another run holds the
same N, so parallel runs never clash; an N whose veth ends or namespaces are still present (a killed run's
leftovers) is skipped. `remove()` deletes every veth pair, every namespace and the bridge, and is safe to
call twice. It deletes the veth pairs itself because the kernel frees those of a deleted namespace later,
in the background: the next network to draw the same N would find `natslive<N>v<i>` still taken.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

COMMAND_TIMEOUT = 10  # seconds for one `ip` call


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done


@dataclass
class PodNetwork:
    octet: int  # the N of 10.250.N.0/24
    size: int
    namespaces: list[str] = field(default_factory=list)

    @property
    def bridge(self) -> str:
        return f"natslive{self.octet}"

    @property
    def gateway(self) -> str:
        return f"10.250.{self.octet}.1"

    def address(self, index: int) -> str:
        return f"10.250.{self.octet}.{10 + index}"

    def namespace(self, index: int) -> str:
        return f"natslive{self.octet}-{index}"

    def veth(self, index: int) -> str:
        return f"natslive{self.octet}v{index}"  # at most 15 characters, the kernel's limit

    def remove(self) -> None:
        for index in range(len(self.namespaces)):
            ip("link", "delete", self.veth(index), check=False)
        for name in self.namespaces:
            ip("netns", "delete", name, check=False)
        self.namespaces.clear()
        ip("link", "delete", self.bridge, check=False)


def _claim_bridge() -> int:
    """Create this run's bridge on a free 10.250.N.0/24 and return N."""
    taken = ip("-4", "route", "show").stdout
    links = ip("-o", "link", "show").stdout
    namespaces = ip("netns", "list").stdout
    for octet in random.sample(range(100, 250), 150):
        leftover = f" natslive{octet}v" in links or f"natslive{octet}-" in namespaces
        if f"10.250.{octet}." in taken or leftover:
            continue
        if ip("link", "add", f"natslive{octet}", "type", "bridge", check=False).returncode == 0:
            return octet
    raise RuntimeError("no free 10.250.N.0/24 for the live test network")


def create(size: int) -> PodNetwork:
    """A bridge and `size` pod namespaces, each with its own address; removed again if any step fails."""
    network = PodNetwork(_claim_bridge(), size)
    try:
        ip("addr", "add", f"{network.gateway}/24", "dev", network.bridge)
        ip("link", "set", network.bridge, "up")
        for index in range(size):
            _add_pod(network, index)
    except BaseException:
        network.remove()
        raise
    return network


def _add_pod(network: PodNetwork, index: int) -> None:
    name = network.namespace(index)
    ip("netns", "add", name)
    network.namespaces.append(name)
    outer = network.veth(index)
    ip("link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", name)
    ip("link", "set", outer, "master", network.bridge, "up")
    ip("-n", name, "addr", "add", f"{network.address(index)}/24", "dev", "eth0")
    ip("-n", name, "link", "set", "eth0", "up")
    ip("-n", name, "link", "set", "lo", "up")


def write_hosts_file(
    path: Path,
    network: PodNetwork,
    pod_names: list[str],
    headless: str,
    namespace: str,
    route_hosts: tuple[str, ...] = (),
    first: int = 0,
    extra: tuple[str, ...] = (),
) -> None:
    """/etc/hosts for the pods: every pod's DNS name through the headless Service, in all its forms, and
    every name the rendered routes dial (with TLS, the full name under the rendered cluster domain). The
    pods hold the network's addresses from `first` on (several clusters on one network, issue 20); `extra`
    lines name what else they reach (another cluster's Services)."""
    lines = ["127.0.0.1 localhost", "::1 localhost", *extra]
    for index, pod in enumerate(pod_names, start=first):
        short = f"{pod}.{headless}"
        forms = [
            short,
            f"{short}.{namespace}",
            f"{short}.{namespace}.svc",
            f"{short}.{namespace}.svc.cluster.local",
        ]
        forms += [host for host in route_hosts if host.startswith(f"{short}.") and host not in forms]
        lines.append(f"{network.address(index)} {' '.join(forms)}")
    path.write_text("\n".join(lines) + "\n")


def add_peer(network: PodNetwork) -> tuple[str, str]:
    """One more namespace on the bridge, for a pod that is not a server (a client, a scraper): its name and
    address. `remove()` deletes it with the others."""
    index = len(network.namespaces)
    _add_pod(network, index)
    return network.namespace(index), network.address(index)
