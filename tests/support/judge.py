"""The judge (issue 17): a rendered stream counts as correct when its pods boot and serve as the object says.

`judge(objects, workdir)` takes the objects rendered for one NATS object (config Secret, credentials Secret,
StatefulSet, Services, Certificates) and runs every pod of the StatefulSet as a real nats-server with the
live harness (tests/live/cluster.py: the pod's command, environment, config and volumes mapped to folders,
each pod in a network namespace of its own, the headless names in its /etc/hosts, all pods started at
once). Where a cert-manager Certificate writes a Secret the pod mounts, the judge plays cert-manager
(tests/support/certs.py): one CA, a certificate with exactly the Certificate's DNS names. Where the pod
mounts Secrets config.merge names (/etc/nats-secrets/<secret>/<key>), it plays their owner: each key holds
what its option reads (a .creds file, a certificate, its key, the CA); a variable the pod takes from such a
Secret (a JetStream key, `secretKeyRef`) gets the owner's value from tests/support/pods.py, through the
same module (secret_owner.py).

Then, for each pod, what the kubelet, Prometheus and a client would meet:

- the server answers on its monitor port, and is still running STAY_UP seconds later (else: its last
  log lines, the [FTL]/[ERR] line that made it exit);
- its /varz (and /jsz with JetStream on, /accountz) is read and returned for assertions;
- each rendered probe (startup, readiness, liveness) is called on the pod's address with its path, port
  (name or number) and scheme, as the kubelet does (200-399 counts, polled for PROBE_TIMEOUT);
- the exporter sidecar's scrape targets (its monitor URL joined with each endpoint its flags ask for) are
  fetched from inside the pod's network namespace, where the sidecar's `localhost` is, and must answer 200;
- with 2 or more replicas, every server routes to every other one (/routez), and with JetStream on all
  follow one meta leader (/jsz);
- every user of the credentials Secret logs in with nats-py (anonymously when the object has no users,
  with a user JWT in operator mode) on every pod, publishes a payload of the effective `max_payload`
  from /varz and receives it back; where the pod has an `mqtt` port, every user connects over MQTT;
- given the object's config.merge, its sizes mean what the pinned nats-server reads from them as
  written (a reference server boots on them): the pods' /varz must report the same values;
- every path in nats.conf lies on a volume of the pod (written ones on a writable volume), every
  container and Service port accepts connections, and the preStop hook's pid file names the server.

Nothing stops at the first failure: every failure is collected, each naming the pod and what was seen,
so one run says everything that is wrong with a fixture.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nkeys

from tests.live import clients, formation
from tests.live.cluster import Cluster, Server
from tests.support import certs, netns, operator_jwts, pods, secret_owner

START_TIMEOUT = 20  # seconds for every monitor to answer after the servers start (the machine is shared)
STAY_UP = 2  # seconds a server must still run after its monitor first answers
PROBE_TIMEOUT = 10  # seconds a probe is retried before its last status counts
FORM_TIMEOUT = 20  # seconds for the routes (and the JetStream meta leader) to form
HTTP_TIMEOUT = 2
LOGIN_TIMEOUT = 20

# The exporter's flags and the monitor endpoint each makes it scrape (prometheus-nats-exporter).
EXPORTER_ENDPOINTS = {
    "-varz": "varz",
    "-connz": "connz",
    "-connz_detailed": "connz",
    "-routez": "routez",
    "-subz": "subsz",
    "-gatewayz": "gatewayz",
    "-leafz": "leafz",
    "-healthz": "healthz",
    "-accstatz": "accstatz",
}

# Run in the pod's network namespace: GET each URL as the exporter sidecar would, print {url: status}.
_SCRAPE = """
import json, sys, urllib.error, urllib.request
result = {}
for url in sys.argv[1:]:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            result[url] = reply.status
    except urllib.error.HTTPError as error:
        result[url] = error.code
    except OSError as error:
        result[url] = f"no answer: {error}"
print(json.dumps(result))
"""


@dataclass
class PodReport:
    """What the judge saw of one pod."""

    name: str
    exited: str = ""  # the end of its log when the server did not stay up
    varz: dict[str, Any] = field(default_factory=dict)
    jsz: dict[str, Any] = field(default_factory=dict)
    accountz: dict[str, Any] = field(default_factory=dict)
    probes: dict[str, str] = field(default_factory=dict)  # kind -> "scheme port path -> status"
    scrapes: dict[str, Any] = field(default_factory=dict)  # URL -> status
    routes: set[str] = field(default_factory=set)  # the servers it routes to
    num_routes: int = 0
    logins: dict[str, str] = field(default_factory=dict)  # user -> "ok" or why not


@dataclass
class Verdict:
    instance: str
    replicas: int
    pods: list[PodReport] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    logs: str = ""

    def pod(self, name: str) -> PodReport:
        return next(p for p in self.pods if p.name == name)


def instances(objects: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The objects of each NATS object in a rendered stream (by the renderer's instance label, so passed
    through documents are left out), for those that render a StatefulSet."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        instance = obj.get("metadata", {}).get("labels", {}).get("app.kubernetes.io/instance")
        if instance:
            grouped.setdefault(instance, []).append(obj)
    return {k: v for k, v in grouped.items() if any(o["kind"] == "StatefulSet" for o in v)}


def _nats_container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    spec = pods.find(objects, "StatefulSet")["spec"]["template"]["spec"]
    return next(c for c in spec["containers"] if c["name"] == "nats")


def _volumes_of_secret(objects: list[dict[str, Any]], secret: str) -> list[str]:
    """The nats container's volumes that mount `secret`."""
    spec = pods.find(objects, "StatefulSet")["spec"]["template"]["spec"]
    names = {v["name"] for v in spec.get("volumes", []) if v.get("secret", {}).get("secretName") == secret}
    return [m["name"] for m in _nats_container(objects).get("volumeMounts", []) if m["name"] in names]


def play_cert_manager(objects: list[dict[str, Any]], cluster: Cluster, ca: certs.TestCA) -> str | None:
    """Issue every Certificate the pods mount, with exactly its DNS names and IP addresses, into each pod's
    folder for the Secret's volume. Returns the first DNS name of the server certificate (the name clients
    verify)."""
    verified_name = None
    for certificate in (o for o in objects if o["kind"] == "Certificate"):
        spec = certificate["spec"]
        volumes = _volumes_of_secret(objects, spec["secretName"])
        if not volumes or spec.get("isCA"):
            continue
        issued = ca.issue([*spec["dnsNames"], *spec.get("ipAddresses", [])])
        verified_name = verified_name or spec["dnsNames"][0]
        for server in cluster.servers:
            for volume in volumes:
                certs.write_secret(server.folder / volume, issued)
    return verified_name


def play_secret_owner(objects: list[dict[str, Any]], cluster: Cluster, ca: certs.TestCA) -> None:
    """Write every Secret key of the pods' projected volumes (config.merge's /etc/nats-secrets/<secret>/<key>)
    into each pod's folder for the volume, with content fit for the option that reads it."""
    for volume, files in secret_owner.projected_files(objects, cluster.servers[0].pod.config, ca).items():
        for server in cluster.servers:
            secret_owner.write(files, server.folder / volume)


def _log_tail(server: Server, lines: int = 6) -> str:
    text = server.log.read_text(errors="replace").splitlines()
    fatal = [line for line in text if "[FTL]" in line or "[ERR]" in line]
    return " | ".join((fatal or text)[-lines:])


def _port(server: Server, port: Any) -> int:
    return int(port) if isinstance(port, int) or str(port).isdigit() else server.pod.ports[str(port)]


def _get(url: str) -> tuple[int | str, str]:
    """A GET as the kubelet makes it: no certificate check for HTTPS, redirects followed."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT, context=context) as reply:
            return reply.status, reply.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return f"no answer ({error})", ""


def _monitor_json(server: Server, endpoint: str) -> dict[str, Any]:
    return server.monitor(endpoint) or {}


def _wait_started(cluster: Cluster, verdict: Verdict) -> list[Server]:
    """Wait until every monitor answers (any HTTP status) or its server exits; then STAY_UP more seconds.
    Returns the servers still running."""
    waiting = set(range(len(cluster.servers)))
    deadline = time.monotonic() + START_TIMEOUT
    while waiting and time.monotonic() < deadline:
        for index in sorted(waiting):
            server = cluster.servers[index]
            if not server.running or server.http("/")[0] != 0:
                waiting.discard(index)
        time.sleep(0.1)
    time.sleep(STAY_UP)
    for report, server in zip(verdict.pods, cluster.servers, strict=True):
        if not server.running:
            assert server.process is not None
            report.exited = f"exit {server.process.returncode}: {_log_tail(server)}"
            verdict.failures.append(f"{server.pod.name} did not stay up: {report.exited}")
        elif server.http("/")[0] == 0:
            verdict.failures.append(
                f"{server.pod.name}: nothing answers on the monitor port {server.pod.ports.get('monitor')} "
                f"after {START_TIMEOUT}s"
            )
    return [s for s in cluster.servers if s.running]


def _probe(server: Server, kind: str, probe: dict[str, Any]) -> tuple[bool, str]:
    get = probe["httpGet"]
    scheme = get.get("scheme", "HTTP").lower()
    port = _port(server, get["port"])
    url = f"{scheme}://{server.address}:{port}{get.get('path', '/')}"
    deadline = time.monotonic() + PROBE_TIMEOUT
    while True:
        status, body = _get(url)
        if isinstance(status, int) and 200 <= status < 400:
            return True, f"{url} -> {status}"
        if status == 404 or time.monotonic() > deadline:  # a path the server does not serve stays so
            return False, f"{url} -> {status} {body.strip()[:200]}"
        time.sleep(0.5)


def _check_probes(objects: list[dict[str, Any]], server: Server, report: PodReport, verdict: Verdict) -> None:
    container = _nats_container(objects)
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = container.get(kind)
        if probe is None:
            continue
        if "httpGet" not in probe:
            verdict.failures.append(
                f"{server.pod.name} {kind}: not an httpGet probe, the judge cannot call it"
            )
            continue
        ok, seen = _probe(server, kind, probe)
        report.probes[kind] = seen
        if not ok:
            verdict.failures.append(f"{server.pod.name} {kind}: {seen}")


def scrape_targets(objects: list[dict[str, Any]]) -> list[str]:
    """The URLs the exporter sidecar scrapes: its monitor URL (the argument that is not a flag) joined with
    the endpoint each of its flags names."""
    spec = pods.find(objects, "StatefulSet")["spec"]["template"]["spec"]
    exporter = next((c for c in spec["containers"] if "prometheus-nats-exporter" in c.get("image", "")), None)
    if exporter is None:
        return []
    args = exporter.get("args", [])
    bases = [a for a in args if not a.startswith("-")]
    assert len(bases) == 1, f"the exporter names one monitor URL, not {bases}"
    endpoints = [EXPORTER_ENDPOINTS[a] for a in args if a in EXPORTER_ENDPOINTS]
    endpoints += ["jsz" for a in args if a.startswith("-jsz=")]
    return [f"{bases[0].rstrip('/')}/{endpoint}" for endpoint in dict.fromkeys(endpoints)]


def _check_scrapes(targets: list[str], server: Server, report: PodReport, verdict: Verdict) -> None:
    if not targets:
        return
    done = subprocess.run(
        ["ip", "netns", "exec", server.netns, sys.executable, "-c", _SCRAPE, *targets],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    report.scrapes = json.loads(done.stdout)
    for url, status in report.scrapes.items():
        if status != 200:
            verdict.failures.append(f"{server.pod.name} exporter scrape {url} -> {status}")


def _wait_routes(running: list[Server], verdict: Verdict, jetstream: bool) -> None:
    names = {s.name for s in running}
    deadline = time.monotonic() + FORM_TIMEOUT
    while True:
        peers = {s.name: formation.routed_peers(s) or set() for s in running}
        routed = all(peers[s.name] == names - {s.name} for s in running)
        leaders = {formation.meta_leader(s) for s in running} if jetstream else set()
        led = not jetstream or (len(leaders) == 1 and None not in leaders)
        if (routed and led) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    for server, report in ((s, verdict.pod(s.pod.name)) for s in running):
        report.routes = peers[server.name]
        report.num_routes = int((server.monitor("routez") or {}).get("num_routes", 0))
        missing = names - {server.name} - report.routes
        if missing:
            verdict.failures.append(
                f"{server.pod.name}: no route to {sorted(missing)} after {FORM_TIMEOUT}s "
                f"(num_routes {report.num_routes}, routes to {sorted(report.routes)})"
            )
    if jetstream and not led:
        verdict.failures.append(
            f"no single JetStream meta leader after {FORM_TIMEOUT}s: {sorted(map(str, leaders))}"
        )


# Options whose value is a file or folder the server opens, and of those the ones it writes to: in the pod
# only a writable volume takes writes (the root filesystem is read-only); every other path must be on some
# volume of the nats container.
PATH_OPTIONS = {
    *("store_dir", "pid_file", "ports_file", "log_file", "dir"),
    *("cert_file", "key_file", "ca_file", "credentials"),
}
WRITTEN_PATHS = {"store_dir", "pid_file", "ports_file", "log_file", "dir"}


def path_problems(objects: list[dict[str, Any]], config: str) -> list[str]:
    """Paths of the config that the pod could not use: on no volume of the nats container, or written on
    a read-only one. The harness maps only paths under the mounts; any other would silently land on this
    machine's filesystem instead of failing as it does in the pod."""
    mounts = {
        m["mountPath"].rstrip("/"): bool(m.get("readOnly")) for m in _nats_container(objects)["volumeMounts"]
    }
    problems = []
    for key, path in re.findall(r'"([A-Za-z_]+)":\s*"([^"]*)"', config):
        if key.lower() not in PATH_OPTIONS:
            continue
        under = [(mount, ro) for mount, ro in mounts.items() if path == mount or path.startswith(mount + "/")]
        if not under:
            problems.append(
                f"{key} {path} is on no volume of the nats container (its root filesystem is read-only)"
            )
        elif key.lower() in WRITTEN_PATHS and max(under, key=lambda u: len(u[0]))[1]:
            problems.append(f"{key} {path} is written to, but its volume is mounted read-only")
    return problems


def _accepts(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=HTTP_TIMEOUT):
            return True
    except OSError:
        return False


def _check_ports(objects: list[dict[str, Any]], server: Server, verdict: Verdict) -> None:
    """Every port of the nats container, and every port a Service selecting the pod sends to, accepts a
    connection on the pod's address (what kube-proxy and the other pods would dial)."""
    template = pods.find(objects, "StatefulSet")["spec"]["template"]
    labels = template["metadata"].get("labels", {})
    named = {
        p["name"]: p["containerPort"] for c in template["spec"]["containers"] for p in c.get("ports", [])
    }
    wanted = {f"containerPort {name}": port for name, port in server.pod.ports.items()}
    for service in (o for o in objects if o["kind"] == "Service"):
        name = service["metadata"]["name"]
        selector = service["spec"].get("selector", {})
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            verdict.failures.append(f"Service {name} selects no pod of the StatefulSet ({selector})")
            continue
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort", port["port"])
            if isinstance(target, str) and not target.isdigit():
                if target not in named:
                    verdict.failures.append(
                        f"Service {name} port {port['port']}: no container port named {target}"
                    )
                    continue
                target = named[target]
            if int(target) in named.values() and int(target) not in server.pod.ports.values():
                continue  # a sidecar's port (the exporter's), not the server's
            wanted[f"Service {name} port {port['port']} -> {target}"] = int(target)
    for what, port in wanted.items():
        if not _accepts(server.address, port):
            verdict.failures.append(
                f"{server.pod.name}: {what} ({server.address}:{port}) refuses connections"
            )


def _check_pid_file(server: Server, verdict: Verdict) -> None:
    """The preStop hook signals the PID in its pid file: the server must have written its own PID there."""
    try:
        server.pid()
    except AssertionError as exc:
        verdict.failures.append(f"{server.pod.name}: the preStop hook's pid file: {exc}")


def credentials(objects: list[dict[str, Any]]) -> dict[str, str]:
    """user -> password from the rendered credentials Secret (none when the object has no users)."""
    secret = next(
        (o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"].endswith("-credentials")), None
    )
    return {} if secret is None else {u: str(p) for u, p in secret.get("stringData", {}).items()}


@dataclass
class JwtUser:
    """A user of an operator-mode server, issued by an account whose key the judge holds (the fixture
    keys of tests/support/operator_jwts.py), as nsc would issue one."""

    account: str
    jwt: str
    seed: bytes

    def options(self) -> dict[str, Any]:
        def sign(nonce: str) -> bytes:
            return base64.b64encode(nkeys.from_seed(self.seed).sign(nonce.encode()))

        return {"user_jwt_cb": lambda: self.jwt.encode(), "signature_cb": sign}


def jwt_user(config: str) -> JwtUser | None:
    """In operator mode, a user of the system account the config names, when its key is a fixture key."""
    named = re.search(r'"system_account":\s*"(A[A-Z0-9]+)"', config)
    account = operator_jwts.keypair("system account", nkeys.PREFIX_BYTE_ACCOUNT)
    if named is None or named[1] != account.public_key.decode():
        return None
    user = operator_jwts.keypair("judge user", nkeys.PREFIX_BYTE_USER)
    claims = {
        "iat": operator_jwts.ISSUED_AT,
        "iss": named[1],
        "name": "judge",
        "sub": user.public_key.decode(),
        "nats": {"pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1, "type": "user", "version": 2},
    }
    return JwtUser(named[1], operator_jwts.jwt(claims, account), user.seed)


async def _round_trip(
    server: Server,
    user: str | None,
    password: str | JwtUser | None,
    size: int,
    tls: ssl.SSLContext | None,
    name: str | None,
) -> str:
    """Log in on one pod, publish `size` bytes and receive them back: "ok" or what went wrong."""
    options: dict[str, Any] = {}
    if isinstance(password, JwtUser):
        options.update(password.options())
    elif user is not None:
        options.update(user=user, password=password)
    if tls is not None:
        options.update(tls=tls, tls_hostname=name)
    scheme = "tls" if tls is not None else "nats"
    try:
        client = await clients.connect([f"{scheme}://{server.address}:{server.pod.ports['nats']}"], **options)
    except Exception as exc:  # nats-py raises several kinds for a refused login
        return f"login refused: {type(exc).__name__}: {exc}"
    try:
        subject = f"judge.{server.pod.index}.{re.sub(r'[^A-Za-z0-9_-]', '_', user or 'anonymous')}"
        subscription = await client.subscribe(subject)
        payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
        await client.publish(subject, payload)
        message = await subscription.next_msg(timeout=5)
        if message.data != payload:
            return f"received {len(message.data)} bytes, sent {size}"
        return "ok"
    except Exception as exc:
        return f"publish of {size} bytes failed: {type(exc).__name__}: {exc}"
    finally:
        await client.close()


def _check_logins(
    objects: list[dict[str, Any]],
    running: list[Server],
    verdict: Verdict,
    tls: ssl.SSLContext | None,
    name: str | None,
) -> None:
    users: dict[str | None, str | JwtUser | None] = {None: None}
    if given := credentials(objects):
        users = {user: password for user, password in given.items()}
    elif running and (issued := jwt_user(running[0].config)):
        users = {f"judge (a user JWT of account {issued.account[:8]}...)": issued}
    jobs = []
    for server in running:
        size = int(verdict.pod(server.pod.name).varz.get("max_payload", 0))
        if size <= 0:
            verdict.failures.append(f"{server.pod.name}: /varz gives no max_payload to publish")
            continue
        for user, password in users.items():
            jobs.append((server, user, _round_trip(server, user, password, size, tls, name)))

    async def every() -> list[str]:
        return list(await asyncio.gather(*(job for _, _, job in jobs)))

    for (server, user, _), outcome in zip(jobs, clients.run(every, LOGIN_TIMEOUT), strict=True):
        who = user or "anonymous (the object has no users)"
        verdict.pod(server.pod.name).logins[who] = outcome
        if outcome != "ok":
            limit = verdict.pod(server.pod.name).varz.get("max_payload")
            verdict.failures.append(f"{server.pod.name} user {who} (max_payload {limit}): {outcome}")


# What a size in config.merge means is what nats-server reads from it as written (issue 17; SPEC section
# 4): `8m` is 8,000,000 to the server. The judge boots the pinned nats-server on the object's own values,
# written unquoted as a user writes them in a nats.conf, and holds the pods' /varz to what it reports.
SIZE_OPTIONS = {"max_payload", "max_pending", "max_control_line", "max_connections", "max_subscriptions"}
# nats-server's names for the JetStream limits (server/opts.go, parseJetStream) -> /varz jetstream.config
JETSTREAM_LIMITS = {
    "max_memory_store": "max_memory",
    "max_mem_store": "max_memory",
    "max_mem": "max_memory",
    "max_file_store": "max_storage",
    "max_file": "max_storage",
}
_AS_WRITTEN = re.compile(r"^[+-]?[0-9][0-9A-Za-z_.]*$")


def _token(value: Any) -> str:
    """A YAML scalar as a user writes it in nats.conf: numbers and sizes bare, anything else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) or (isinstance(value, str) and _AS_WRITTEN.match(value)):
        return str(value)
    return json.dumps(value)


def merge_sizes(merge: dict[str, Any]) -> dict[tuple[str, ...], tuple[str, Any]]:
    """/varz path -> (the option as written, its value) for every size option of a config.merge block."""
    found: dict[tuple[str, ...], tuple[str, Any]] = {}
    for key, value in merge.items():
        if key.lower() in SIZE_OPTIONS and not isinstance(value, dict | list):
            found[(key.lower(),)] = (key, value)
        if key.lower() == "jetstream" and isinstance(value, dict):
            for inner, limit in value.items():
                if inner.lower() in JETSTREAM_LIMITS and not isinstance(limit, dict | list):
                    found[("jetstream", "config", JETSTREAM_LIMITS[inner.lower()])] = (
                        f"jetstream.{inner}",
                        limit,
                    )
    return found


def _at(varz: dict[str, Any], path: tuple[str, ...]) -> Any:
    for step in path:
        varz = varz.get(step) or {}
    return varz if varz != {} else None


def meaning_problems(merge: dict[str, Any], varz: dict[str, Any], folder: Path) -> list[str]:
    """The sizes of `merge` as the pinned nats-server reads them, against what a pod reports in /varz."""
    sizes = merge_sizes(merge)
    if not sizes or not varz:
        return []
    lines = ["http_port: 8222"]
    lines += [f"{written}: {_token(value)}" for path, (written, value) in sizes.items() if len(path) == 1]
    limits = [f"  {w.split('.', 1)[1]}: {_token(v)}" for p, (w, v) in sizes.items() if p[0] == "jetstream"]
    if limits:
        store = folder / "meaning-store"
        store.mkdir(parents=True, exist_ok=True)
        lines += ["jetstream {", f"  store_dir: {json.dumps(str(store))}", *limits, "}"]
    try:
        reference = netns.varz("\n".join(lines) + "\n", 8222, {})
    except AssertionError as refused:
        written = ", ".join(f"{w}: {v!r}" for w, v in sizes.values())
        return [
            f"config.merge {written}: nats-server refuses these values as written ({refused}), "
            "yet the pods run"
        ]
    problems = []
    for path, (written, value) in sizes.items():
        means, reported = _at(reference, path), _at(varz, path)
        if means != reported:
            problems.append(
                f"config.merge {written}: {value!r} means {means} to nats-server, the pods report "
                f"{'.'.join(path)} = {reported} in /varz"
            )
    return problems


def _observe(objects: list[dict[str, Any]], server: Server, report: PodReport) -> list[str]:
    """One running pod: its monitoring endpoints, probes, scrape targets, ports and pid file."""
    own = Verdict(report.name, 1, [report])
    report.varz = _monitor_json(server, "varz")
    if not report.varz:
        own.failures.append(f"{server.pod.name}: /varz does not answer 200")
    if report.varz.get("jetstream", {}).get("config"):
        report.jsz = _monitor_json(server, "jsz")
    report.accountz = _monitor_json(server, "accountz")
    _check_probes(objects, server, report, own)
    _check_scrapes(scrape_targets(objects), server, report, own)
    _check_ports(objects, server, own)
    _check_pid_file(server, own)
    return own.failures


def _mqtt_string(text: str) -> bytes:
    data = text.encode()
    return len(data).to_bytes(2, "big") + data


def mqtt_connect(address: str, port: int, user: str | None, password: str | None) -> str:
    """An MQTT 3.1.1 CONNECT as a client sends it: "ok" on CONNACK 0, else what the server did."""
    flags = 0x02 | (0x80 if user is not None else 0) | (0x40 if password is not None else 0)
    body = _mqtt_string("MQTT") + bytes([4, flags, 0, 30]) + _mqtt_string("judge")
    if user is not None:
        body += _mqtt_string(user)
    if password is not None:
        body += _mqtt_string(password)
    assert len(body) < 128
    try:
        with socket.create_connection((address, port), timeout=5) as sock:
            sock.sendall(bytes([0x10, len(body)]) + body)
            answer = sock.recv(4)
    except OSError as error:
        return f"no CONNACK: {error}"
    if answer[:2] != b"\x20\x02" or len(answer) < 4:
        return f"no CONNACK: the server answered {answer!r}"
    return "ok" if answer[3] == 0 else f"CONNACK return code {answer[3]}"


def _check_mqtt(objects: list[dict[str, Any]], running: list[Server], verdict: Verdict) -> None:
    """Where the pods serve MQTT (a container port named mqtt), every user connects over it."""
    users: dict[str | None, str | None] = {None: None}
    if given := credentials(objects):
        users = {user: password for user, password in given.items()}
    for server in running:
        port = server.pod.ports.get("mqtt")
        if port is None or (verdict.pod(server.pod.name).varz.get("mqtt") or {}).get("tls_required"):
            continue
        for user, password in users.items():
            outcome = mqtt_connect(server.address, port, user, password)
            verdict.pod(server.pod.name).logins[f"mqtt {user or 'anonymous'}"] = outcome
            if outcome != "ok":
                verdict.failures.append(f"{server.pod.name} MQTT login of {user or 'anonymous'}: {outcome}")


def judge(objects: list[dict[str, Any]], workdir: Path, merge: dict[str, Any] | None = None) -> Verdict:
    """Boot every pod of one rendered NATS object and observe it; see the module's docstring. `merge` is
    the object's spec.config.merge, when the caller has it: its sizes are held to what nats-server reads."""
    sts = pods.find(objects, "StatefulSet")
    verdict = Verdict(sts["metadata"]["labels"]["app.kubernetes.io/instance"], sts["spec"]["replicas"])
    ca = certs.TestCA()
    workdir.mkdir(parents=True, exist_ok=True)
    with Cluster(objects, workdir) as cluster:
        verified_name = play_cert_manager(objects, cluster, ca)
        play_secret_owner(objects, cluster, ca)
        verdict.failures += path_problems(objects, cluster.servers[0].pod.config)
        verdict.pods = [PodReport(s.pod.name) for s in cluster.servers]
        cluster.start()
        try:
            running = _wait_started(cluster, verdict)
            with ThreadPoolExecutor(max(1, len(running))) as pool:  # the pods are observed side by side
                for failures in pool.map(lambda s: _observe(objects, s, verdict.pod(s.pod.name)), running):
                    verdict.failures += failures
            if merge and running:
                verdict.failures += meaning_problems(merge, verdict.pod(running[0].pod.name).varz, workdir)
            jetstream = any(p.varz.get("jetstream", {}).get("config") for p in verdict.pods)
            if verdict.replicas >= 2 and running:
                _wait_routes(running, verdict, jetstream)
            tls = None
            if any(p.varz.get("tls_required") for p in verdict.pods):
                tls = ssl.create_default_context(cadata=ca.pem.decode())
            _check_logins(objects, running, verdict, tls, verified_name)
            _check_mqtt(objects, running, verdict)
            for server in cluster.servers:
                if not server.running and not verdict.pod(server.pod.name).exited:
                    verdict.failures.append(f"{server.pod.name} exited while judged: {_log_tail(server)}")
        finally:
            verdict.logs = cluster.logs()
    return verdict
