"""One configuration of a pod booted on 127.0.0.1 (tests/support/loopback.py), as the boot property test
(tests/servers/test_boot_properties.py) needs it, and the configuration a user's config.merge gives "as
written": merged into the renderer's generated configuration with no check, each value written the way a
user writes it in nats.conf (sizes bare, as the judge's reference boot does in `meaning_problems`).

A pod's nats.conf names the pod's folders and container ports; `localise` maps the folders to a temp
folder and every listener port but the client's and the monitor's (moved by loopback's flags) to a free
port of 127.0.0.1, so many configurations boot side by side. What a boot observed is an `Outcome`: up or
the server's last words, the /varz values that carry what the object means, and the probes that failed.
"""

from __future__ import annotations

import copy
import json
import re
import ssl
import subprocess
import tempfile
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from nats_kplugin.nats_server import config as server_config
from nats_kplugin.nats_server import option_table as vocabulary
from nats_kplugin.nats_server import tls
from nats_kplugin.nats_server.config import CLIENT_PORT, MONITOR_PORT
from nats_kplugin.nats_server.encoder import Variable
from nats_kplugin.nats_server.pod_filesystem import CONFIG_DIR, PID_DIR, STORE_DIR, TLS_DIR
from nats_kplugin.spec import model as nats_spec
from tests.support import certs, judge, loopback
from tests.support.judge import _token as bare_token
from tests.support.realcheck import nats_server

# The pod's folders, for a configuration the renderer did not build (as written, refused).
POD_FOLDERS = {"config": CONFIG_DIR, "pid": PID_DIR, "data": STORE_DIR, "tls": TLS_DIR}
# A pod's environment, for a configuration the renderer did not build.
SERVER_ENV = {"SERVER_NAME": "nats-m-0", "POD_NAME": "nats-m-0"}
# The /varz values that carry the sizes, durations and limits of config.merge, and the monitor path.
MEANING: tuple[tuple[str, ...], ...] = (
    ("max_payload",), ("max_pending",), ("max_control_line",), ("max_connections",),
    ("max_subscriptions",), ("ping_interval",), ("ping_max",), ("write_deadline",), ("http_base_path",),
    ("auth_required",), ("jetstream", "config", "max_memory"), ("jetstream", "config", "max_storage"),
)  # fmt: skip
SIZE_SPELLINGS = frozenset(
    spelling
    for block in vocabulary.BLOCKS_VOCABULARY.values()
    for spelling, option in block.items()
    if option.kind == vocabulary.SIZE
)
_LISTENER = re.compile(
    r'(?im)^(\s*"(?:[a-z_]*port|listen|http|https)"\s*:\s*"?(?:[^"\n]*:)?)([1-9][0-9]{0,4})(?="?\s*,?\s*$)'
)


class Outcome(NamedTuple):
    up: bool
    said: str  # the server's error output when it exited
    meaning: dict[str, Any]  # /varz path -> value, for MEANING
    probe_failures: list[str]


def localise(config: str, folders: dict[str, str], workdir: Path) -> tuple[str, dict[str, str]]:
    """`config` with the pod's folders under `workdir` and its listener ports free ports of 127.0.0.1, one
    per port number (two listeners that shared a port still do); and that map of port numbers."""
    for name, mount in sorted(folders.items(), key=lambda item: -len(item[1])):
        target = workdir / name
        target.mkdir(parents=True, exist_ok=True)
        config = config.replace(f'"{mount}"', json.dumps(str(target)))
        config = config.replace(f'"{mount}/', f'"{target}/')
    if str(workdir / "tls") + "/" in config:
        certs.write_secret(workdir / "tls", certs.TestCA().issue(["nats.test", "localhost"]))
    ports = {number: str(loopback.free_port()) for number in (str(CLIENT_PORT), str(MONITOR_PORT))}

    def moved(match: re.Match[str]) -> str:
        return match[1] + ports.setdefault(match[2], str(loopback.free_port()))

    return _LISTENER.sub(moved, config), ports


_MONITOR = re.compile(
    r'(?im)^"(http_port|monitor_port|http|https_port|https)"\s*:\s*"?(?:[^"\n]*:)?(-?[0-9]+)'
)
_CLIENT = re.compile(r'(?im)^"(?:port|listen)"\s*:\s*"?(?:[^"\n]*:)?(-?[0-9]+)')
_MQTT_TLS = re.compile(r'(?is)^"mqtt"\s*:\s*\{[^}]*?"tls"\s*:', re.M)  # spec.tls gave it the certificate
_MQTT_PORT = re.compile(r'(?is)^"mqtt"\s*:\s*\{[^}]*?"port"\s*:\s*([0-9]+)', re.M)
_UNVERIFIED = ssl._create_unverified_context()


def monitor_url(config: str) -> str | None:
    """The monitor's base URL as a localised configuration sets it (the last setting wins, as in the
    server's option parser); None when it has no monitor port to ask."""
    found = _MONITOR.findall(config)
    if not found or int(found[-1][1]) <= 0:
        return None
    key, port = found[-1]
    return f"{'https' if key.lower().startswith('https') else 'http'}://127.0.0.1:{port}"


@contextmanager
def _serve(config: str, env: dict[str, str], folder: Path, ports: dict[str, str]) -> Iterator[None]:
    """nats-server on `config`, the client's host moved to 127.0.0.1 by a flag, as loopback.server does;
    every listener, the client's and the monitor's included, on the port localise wrote (a listener that
    shared the client's port still shares it). Raises loopback.Exited."""
    path = folder / "nats.conf"
    path.write_text(config, encoding="utf-8")
    clients = _CLIENT.findall(config)  # the top-level port or listen, moved by localise; the last one wins
    client = clients[-1] if clients and int(clients[-1]) > 0 else ports[str(CLIENT_PORT)]
    process = subprocess.Popen(
        [nats_server(), "-c", str(path), "-a", "127.0.0.1", "-p", client], env=env, stderr=subprocess.PIPE
    )
    try:
        loopback._wait_for(int(client), process, 10, loopback.SETTLE_SECONDS)
        yield
        if process.poll() is not None:
            raise loopback.Exited(process.stderr.read().decode() if process.stderr else "")
    finally:
        process.terminate()
        process.communicate(timeout=10)


def _get(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=5, context=_UNVERIFIED) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return str(error)


_BASE_PATH = re.compile(r'(?im)^"http_base_path"\s*:\s*"([^"\n]*)"')


def _varz(monitor: str, config: str) -> dict[str, Any]:
    """/varz, under the monitor's base path if the configuration sets one."""
    found = _BASE_PATH.findall(config)
    base = "/" + found[-1].strip("/") if found and found[-1].strip("/") else ""
    with urllib.request.urlopen(f"{monitor}{base}/varz", timeout=5, context=_UNVERIFIED) as reply:
        varz: dict[str, Any] = json.load(reply)
        return varz


def _at(varz: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = varz
    for step in path:
        value = value.get(step) if isinstance(value, dict) else None
    return value


def boot(
    config: str,
    env: dict[str, str],
    folders: dict[str, str],
    probes: dict[str, str] | None = None,
    login: tuple[str | None, str | None] | None = None,
) -> Outcome:
    """`config` booted on 127.0.0.1 with `env`; `probes` (kind -> HTTP path) are asked on the monitor port,
    and where the configuration has an `mqtt` listener, `login` ((None, None): anonymous; None: no one)
    connects over MQTT."""
    with tempfile.TemporaryDirectory() as folder:
        text, ports = localise(config, folders, Path(folder))
        monitor = monitor_url(text)
        try:
            with _serve(text, env, Path(folder), ports):
                failures = []
                if monitor is None:
                    failures = [
                        f"{kind} {path}: no monitor port" for kind, path in sorted((probes or {}).items())
                    ]
                for kind, path in sorted((probes or {}).items() if monitor else ()):
                    status = _get(f"{monitor}{path}")
                    if not (isinstance(status, int) and 200 <= status < 400):
                        failures.append(f"{kind} {path}: {status}")
                try:
                    varz = _varz(monitor, text) if monitor else {}
                except OSError as error:
                    varz = {}
                    failures.append(f"/varz: {error}")
                mqtt = _MQTT_PORT.search(text)
                # A plain MQTT CONNECT, as the judge makes it: not where the listener asks for TLS.
                plain = not (varz.get("mqtt") or {}).get("tls_required") and not _MQTT_TLS.search(text)
                if mqtt and probes and login and plain:  # a server whose probes count: one that serves alone
                    said = judge.mqtt_connect("127.0.0.1", int(mqtt[1]), *login)
                    if said != "ok":
                        failures.append(f"mqtt connect: {said}")
                meaning = {".".join(p): _at(varz, p) for p in MEANING}
            return Outcome(True, "", meaning, failures)
        except loopback.Exited as exited:
            return Outcome(False, str(exited).strip(), {}, [])
        except AssertionError as slow:  # never listened
            return Outcome(False, str(slow), {}, [])


def last_words(said: str) -> str:
    """The line a server exited on, without its pid, time stamp or temp folder."""
    lines = [line for line in said.splitlines() if line.strip()] or [""]
    line = next((x for x in reversed(lines) if "[FTL]" in x or "error" in x.lower()), lines[-1])
    line = re.sub(r"^\[[0-9]+\] [0-9/]+ [0-9:.]+ ", "", line)
    line = re.sub(r"/tmp/[^:]+:[0-9]+:[0-9]+: ", "", line)
    return re.sub(r"127\.0\.0\.1:[0-9]+", "127.0.0.1:PORT", line)[:200]


def emit(value: Any, key: str = "", depth: int = 0) -> str:
    """nats.conf text as a user writes it: keys as given, sizes bare, other strings quoted."""
    pad = "  " * (depth + 1)
    if isinstance(value, dict):
        lines = [f"{pad}{json.dumps(str(k))}: {emit(v, str(k), depth + 1)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + "  " * depth + "}"
    if isinstance(value, list):
        items = [f"{pad}{emit(item, key, depth + 1)}," for item in value]
        return "[\n" + "\n".join(items) + "\n" + "  " * depth + "]"
    if isinstance(value, Variable):
        return f"${value.name}"
    if isinstance(value, str) and key.lower() not in SIZE_SPELLINGS:
        return json.dumps(value)
    return bare_token(value)


def _merge(base: dict[str, Any], over: dict[str, Any], block: str | None) -> None:
    """`over` into `base` as nats-server would see one key: a key replaces the one of the same option
    (any spelling, any case), a block merges into the block."""

    def canonical(key: str) -> str:
        option = vocabulary.lookup(block, key) if block in vocabulary.BLOCKS_VOCABULARY else None
        return option.name if option else key.lower()

    ours = list(base)  # only the generated keys are replaced; a user's two spellings both stay, as written
    groups = vocabulary.SAME_SETTING.get(block or "", {}).values()
    for key, value in over.items():
        for group in groups:  # one setting two ways (listen and port): the user's replaces the renderer's
            if canonical(key) in group:
                for other in [
                    k for k in ours if k in base and canonical(k) in group and canonical(k) != canonical(key)
                ]:
                    del base[other]
        if block == "top" and isinstance(value, dict):
            key = canonical(
                key
            )  # a block's name in its canonical spelling (the server reads any), values as written
        same = next((k for k in ours if k in base and canonical(k) == canonical(key)), None)
        option = vocabulary.lookup(block, key) if block in vocabulary.BLOCKS_VOCABULARY else None
        if same is not None and isinstance(base[same], dict) and isinstance(value, dict):
            _merge(base[same], value, option.block if option else None)
            if same != key:
                base[key] = base.pop(same)
        else:
            if same is not None:
                del base[same]
            base[key] = copy.deepcopy(value)


def as_written(document: dict[str, Any]) -> str | None:
    """nats.conf of the object's config.merge merged, unchecked and as written, into the configuration the
    renderer generates; None when the object itself (outside config.merge) is not valid."""
    validated, problems = nats_spec.validate(document)
    if validated is None or problems:
        return None
    passwords = {user: password or "derived-password" for user, password in validated.users.items()}
    config = server_config.generate(validated, passwords)
    _merge(config, validated.merge, "top")
    if validated.tls_enabled and validated.namespace:
        tls.secure(validated, config)  # the renderer's TLS wiring, which a user's merge does not replace
    server_config.authorize_routes(config)
    return textwrap.dedent(emit(config)[2:-2]) + "\n"  # the top level without its braces
