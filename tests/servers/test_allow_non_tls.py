"""`allow_non_tls: true` with `external: true` and TLS on, held to the booted binary: the rendered server
takes a plain-text login with a password of spec.users (the password crosses the LoadBalancer in clear),
where without it the same login gets no answer in clear. The renderer warns, naming the field; --strict
refuses."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from nats_kplugin.codes import Code, Severity
from nats_kplugin.nats_server.pod_filesystem import TLS_DIR
from nats_kplugin.pipeline import RenderOptions
from tests.support import certs, loopback, pods, rendered

FIELD = "spec.config.merge.allow_non_tls"


def _document(merge: dict[str, Any]) -> dict[str, Any]:
    return rendered.document(replicas=1, external=True, jetstream={"enabled": False}, config={"merge": merge})


def _plain_login(port: int) -> bytes:
    """A client's CONNECT with the password of spec.users, in plain text, then PING: the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        info = sock.recv(4096)
        assert info.startswith(b"INFO "), info
        connect = {"verbose": False, "pedantic": False, "user": "app", "pass": "app-password"}
        sock.sendall(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
        try:
            return sock.recv(4096)
        except (TimeoutError, ConnectionResetError):
            return b""


def _booted_reply(merge: dict[str, Any], folder: Path) -> bytes:
    pod = pods.pods(rendered.objects(_document(merge)))[0]
    certs.write_secret(folder / "tls", certs.TestCA().issue(["nats.test"]))
    config = pod.config.replace(f'"{TLS_DIR}/', f'"{folder}/tls/')
    assert '"allow_non_tls"' not in config or '"allow_non_tls": true' in config
    with loopback.server(config, pod.env) as booted:
        return _plain_login(booted.port)


def test_the_booted_server_takes_a_plain_text_login_only_with_allow_non_tls(tmp_path: Path) -> None:
    assert b"PONG" in _booted_reply({"allow_non_tls": True}, tmp_path / "allowed")
    assert b"PONG" not in _booted_reply({}, tmp_path / "default")


def test_allow_non_tls_on_a_load_balancer_is_a_warning_and_strict_refuses() -> None:
    result = rendered.run(_document({"allow_non_tls": True}))
    found = [(p.code, p.severity, p.field) for p in result.problems if p.code is Code.PLAIN_TEXT]
    assert found == [(Code.PLAIN_TEXT, Severity.WARNING, FIELD)], result.problems
    strict = rendered.run(_document({"allow_non_tls": True}), RenderOptions(strict=True))
    assert [(p.severity, p.field) for p in strict.problems if p.code is Code.PLAIN_TEXT] == [
        (Severity.ERROR, FIELD)
    ]


def test_without_external_or_with_false_there_is_no_warning() -> None:
    for doc in (
        _document({"allow_non_tls": False}),
        rendered.variant(_document({"allow_non_tls": True}), external=False),
    ):
        assert not [p for p in rendered.run(doc).problems if p.code is Code.PLAIN_TEXT]
