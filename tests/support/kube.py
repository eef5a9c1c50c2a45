"""A real Kubernetes API server for the tests: etcd (Debian's) and kube-apiserver (built from its Go module
into build/bin), both brought by scripts/build-kube.sh, started on 127.0.0.1 only, on free ports, with
their data in a temporary folder.

The API server serves HTTPS with a certificate of a throwaway CA (trustme), signed for 127.0.0.1 only; one
client authenticates with a static bearer token as a member of system:masters (RBAC is on, as in a real
cluster). Admission is the API server's default plugin set. By default no controller runs: nothing creates
pods, claims or endpoints, and nothing garbage-collects, so what a test reads back is exactly what the API
server stored (its defaulting and admission included).

`start(controllers=CLAIM_CONTROLLERS)` also runs kube-controller-manager (built from the same pin) with only
the controllers named: the StatefulSet controller creates pods and claims, the garbage collector carries
out an orphaning delete, the volume binder binds claims to pre-created PersistentVolumes, and the
service-account controller makes the `default` ServiceAccount that pod admission asks for. No scheduler, no
kubelet and no cloud: pods stay Pending. It listens on 127.0.0.1 only (its health port) and uses the API
server's token.

`start()` returns a `Cluster` with a kubeconfig written for kubectl; the CRDs of cert-manager and the
Prometheus Operator (build/crds, pinned in scripts/build-kube.sh) are installed and established before it
returns. `Cluster.stop()` ends every process and removes the folder.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.k8s_reader import read_stream

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "bin"
ETCD = Path("/usr/bin/etcd")  # Debian's etcd-server, installed by scripts/build-kube.sh
CRDS = ROOT / "build" / "crds"
KUBECTL = ROOT / ".venv" / "bin" / "kubectl"
BUILD = ROOT / "scripts" / "build-kube.sh"
# The user the token authenticates as; system:masters passes every RBAC check.
USER, GROUP = "nats-render-test", "system:masters"
# What a StatefulSet's pods and claims need to come and go without a scheduler or a kubelet.
CLAIM_CONTROLLERS = (
    "statefulset-controller",
    "garbage-collector-controller",
    "persistentvolume-binder-controller",
    "serviceaccount-controller",
)


def ensure_built() -> None:
    """Runs scripts/build-kube.sh: a few hashes when everything is built, the whole build otherwise."""
    subprocess.run(["bash", str(BUILD)], check=True, timeout=7200)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    workdir: Path
    server: str
    token: str
    ca_pem: bytes
    kubeconfig: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = True, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """kubectl against this API server; stdout and stderr captured as text."""
        done = subprocess.run(
            [str(KUBECTL), "--kubeconfig", str(self.kubeconfig), *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "KUBECONFIG": str(self.kubeconfig)},
        )
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
        return done

    def get_json(self, path: str) -> Any:
        """GET a path of the API, as JSON."""
        context = ssl.create_default_context(cadata=self.ca_pem.decode())
        headers = {"Authorization": f"Bearer {self.token}"}
        request = urllib.request.Request(self.server + path, headers=headers)
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return json.load(response)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait(what: str, ready: Any, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited {process.returncode}:\n{_log_tail(log)}")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready in {timeout}s:\n{_log_tail(log)}")


def _popen(command: list[str], out: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _start_etcd(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    client, peer = free_port(), free_port()
    log = workdir / "etcd.log"
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = _popen(
            [
                str(ETCD),
                "--name=test",
                f"--data-dir={workdir / 'etcd'}",
                f"--listen-client-urls=http://127.0.0.1:{client}",
                f"--advertise-client-urls=http://127.0.0.1:{client}",
                f"--listen-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-cluster=test=http://127.0.0.1:{peer}",
                "--unsafe-no-fsync",  # a throwaway store: no fsync keeps the shared disk out of the way
                "--log-level=warn",
            ],
            out,
        )
    url = f"http://127.0.0.1:{client}"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                return bool(json.load(response).get("health") == "true")
        except (OSError, ValueError):
            return False

    _wait("etcd", healthy, process, log, 60)
    return process, url


def _write_keys(workdir: Path) -> tuple[trustme.CA, dict[str, Path]]:
    ca = trustme.CA()
    serving = ca.issue_cert("127.0.0.1", "localhost")
    files = {
        "ca": workdir / "ca.crt",
        "cert": workdir / "apiserver.crt",
        "key": workdir / "apiserver.key",
        "sa-key": workdir / "sa.key",
        "sa-pub": workdir / "sa.pub",
        "tokens": workdir / "tokens.csv",
    }
    ca.cert_pem.write_to_path(str(files["ca"]))
    serving.cert_chain_pems[0].write_to_path(str(files["cert"]))
    serving.private_key_pem.write_to_path(str(files["key"]))
    # The key that signs service-account tokens: the API server will not start without one.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files["sa-key"].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    files["sa-pub"].write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return ca, files


def _start_apiserver(
    workdir: Path, etcd: str, files: dict[str, Path], token: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    files["tokens"].write_text(f'{token},{USER},{USER},"{GROUP}"\n')
    os.chmod(files["tokens"], 0o600)
    log = workdir / "kube-apiserver.log"
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = _popen(
            [
                str(BIN / "kube-apiserver"),
                f"--etcd-servers={etcd}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={port}",
                f"--cert-dir={workdir / 'certs'}",
                f"--tls-cert-file={files['cert']}",
                f"--tls-private-key-file={files['key']}",
                f"--client-ca-file={files['ca']}",
                f"--token-auth-file={files['tokens']}",
                "--anonymous-auth=false",
                "--authorization-mode=RBAC",
                f"--service-account-key-file={files['sa-pub']}",
                f"--service-account-signing-key-file={files['sa-key']}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--allow-privileged=true",
                # No kubelet and no node: the 'kubernetes' Service's endpoints would point at 127.0.0.1, which
                # the API server itself refuses to store; nothing here needs them.
                "--endpoint-reconciler-type=none",
                "--profiling=false",
                "--v=1",
            ],
            out,
        )
    server = f"https://127.0.0.1:{port}"
    context = ssl.create_default_context(cafile=str(files["ca"]))

    def ready() -> bool:
        request = urllib.request.Request(server + "/readyz", headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, context=context, timeout=5) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.HTTPError):
            return False

    _wait("kube-apiserver", ready, process, log, 180)
    return process, server


def _write_kubeconfig(path: Path, server: str, ca_pem: bytes, token: str) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "test",
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": USER, "user": {"token": token}}],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": USER, "namespace": "default"}}],
        "current-context": "test",
    }
    path.write_text(yaml.safe_dump(config))
    os.chmod(path, 0o600)


def _start_controller_manager(
    workdir: Path, kubeconfig: Path, controllers: tuple[str, ...]
) -> subprocess.Popen[bytes]:
    port = free_port()
    log = workdir / "kube-controller-manager.log"
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = _popen(
            [
                str(BIN / "kube-controller-manager"),
                f"--kubeconfig={kubeconfig}",
                "--bind-address=127.0.0.1",
                f"--secure-port={port}",
                f"--cert-dir={workdir / 'controller-manager-certs'}",
                f"--controllers={','.join(controllers)}",
                "--leader-elect=false",
                "--use-service-account-credentials=false",
                "--concurrent-statefulset-syncs=2",
                "--v=1",
            ],
            out,
        )
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # its own self-signed serving certificate; only /healthz is asked

    def ready() -> bool:
        try:
            url = f"https://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, context=context, timeout=5) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.HTTPError):
            return False

    _wait("kube-controller-manager", ready, process, log, 120)
    return process


def crd_documents() -> list[dict[str, Any]]:
    """The CRDs of build/crds, read as kubectl reads them. cert-manager ships its CRDs as the templates of its
    Helm chart: Go template actions sit in comments and in the metadata's labels, which no API server
    takes, so the metadata's labels and annotations that hold one are dropped; the spec (names, versions,
    schemas) is installed as shipped."""
    documents = []
    for path in sorted(CRDS.glob("*.yaml")):
        for read in read_stream(path.read_text()):
            assert read.error is None, f"{path}: {read.error}"
            document = read.value
            if not document:
                continue
            metadata = document["metadata"]
            for key in ("labels", "annotations"):
                if "{{" in json.dumps(metadata.get(key, {})):
                    del metadata[key]
            documents.append(document)
    return documents


def install_crds(cluster: Cluster) -> None:
    documents = crd_documents()
    assert documents, f"no CRDs in {CRDS}: run scripts/build-kube.sh"
    stream = "\n---\n".join(json.dumps(document) for document in documents)
    # Server-side: the Prometheus CRDs are larger than the last-applied annotation a client-side apply writes.
    cluster.kubectl("apply", "--server-side", "--field-manager=nats-render-tests", "-f", "-", input=stream)
    names = [f"crd/{document['metadata']['name']}" for document in documents]
    cluster.kubectl("wait", "--for=condition=Established", "--timeout=120s", *names)


def start(controllers: tuple[str, ...] = ()) -> Cluster:
    """etcd and kube-apiserver, up and ready, the CRDs installed, and kube-controller-manager running the
    `controllers` named (none by default). Stop it with Cluster.stop()."""
    needed = [ETCD, BIN / "kube-apiserver"] + ([BIN / "kube-controller-manager"] if controllers else [])
    for binary in needed:
        assert binary.exists(), f"{binary} missing: run scripts/build-kube.sh"
    workdir = Path(tempfile.mkdtemp(prefix="nats-render-kube-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        etcd_process, etcd = _start_etcd(workdir)
        processes.append(etcd_process)
        ca, files = _write_keys(workdir)
        token = secrets.token_hex(24)
        apiserver_process, server = _start_apiserver(workdir, etcd, files, token)
        processes.append(apiserver_process)
        kubeconfig = workdir / "kubeconfig"
        ca_pem = ca.cert_pem.bytes()
        _write_kubeconfig(kubeconfig, server, ca_pem, token)
        cluster = Cluster(workdir, server, token, ca_pem, kubeconfig, processes)
        install_crds(cluster)
        if controllers:
            processes.append(_start_controller_manager(workdir, kubeconfig, controllers))
        return cluster
    except BaseException:
        Cluster(workdir, "", "", b"", workdir / "kubeconfig", processes).stop()
        raise
