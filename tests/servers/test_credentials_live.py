"""The encoder round trip against a live nats-server: hostile user names and passwords are rendered, a
real server is started from the rendered nats.conf on loopback, and nats-py logs in with each exact
credential (accepted) and with a one-byte change (refused).

The rendered configuration is used as it is: only the listen address, ports and pid file are moved, with
nats-server's own command-line flags, so the test cannot change what the encoder wrote.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import nats
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nats_kplugin.codes import Code
from nats_kplugin.documents.reader import Document
from nats_kplugin.pipeline import RenderOptions, render
from nats_kplugin.problems import Location
from tests.support import loopback, pods
from tests.support.nats_specs import PASSWORD_ALPHABET, SECRET_KEY

# Named cases: everything nats.conf, YAML or the CONNECT JSON treat specially, and the longest password.
NAMED_PASSWORDS = {
    "quotes": "it's \"quoted\" 'twice'",
    "backslashes": "C:\\new\\table\\x41\\u0041",
    "dollar": "$SERVER_NAME",
    "hash": "#not-a-comment // nor this",
    "braces": "}{]['",
    "newlines": "line\nbreak\r\nend",  # inside only: a string may not end in a newline (SPEC 2)
    "nul": "nul\0byte",
    "controls": "\x01\x07\x1b\x7f\x85\u2028",
    "unicode": "pässwörd 🔑 中文 \ufeff",
    "long": "x" * 100,
    "longest": "🔑" * 256,
    "number": "0123",
    "float": "1e3",
    "boolean": "true",
    "duration": "30s",
    "size": "2Gi",
    "almost-bcrypt": "$2a$",
    "spaces": "  padded  ",
    "include": "include ./other.conf",
    "variable": "${HOME}",
}


@contextmanager
def live_server(users: dict[str, str]) -> Iterator[int]:
    """A nats-server started from the rendered config of a one-server NATS object with these users."""
    document = {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "live"},
        "spec": {
            "replicas": 1,
            "jetstream": {"enabled": False},
            "users": {u: {"password": p} for u, p in users.items()},
        },
    }
    result = render([Document(document, Location("<live>"))], RenderOptions())
    assert result.ok, [str(p) for p in result.problems]
    pod = pods.pods(result.documents)[0]
    with loopback.server(pod.config, pod.env, settle=0) as booted:
        yield booted.port


async def _logs_in(port: int, user: str, password: str) -> bool:
    async def quiet(_: Exception) -> None:
        pass

    client = nats.NATS()
    try:
        await client.connect(
            f"nats://127.0.0.1:{port}",
            user=user,
            password=password,
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=5,
            error_cb=quiet,
        )
        return True
    except nats.errors.Error as exc:
        assert "Authorization Violation" in str(exc), exc
        return False
    finally:
        # After a refused first connect too: with allow_reconnect=False, nats-py raises and leaves the socket
        # open (a ResourceWarning, an error under filterwarnings = error).
        await client.close()


def one_byte_changed(password: str) -> str:
    """The password with its last UTF-8 byte changed, kept valid UTF-8 by flipping an ASCII bit."""
    last = password[-1]
    changed = chr(ord(last) ^ 1) if ord(last) < 128 else "a"
    return password[:-1] + changed


def assert_round_trip(users: dict[str, str]) -> None:
    with live_server(users) as port:

        async def check() -> dict[str, Any]:
            return {
                user: (await _logs_in(port, user, pw), await _logs_in(port, user, one_byte_changed(pw)))
                for user, pw in users.items()
            }

        outcomes = asyncio.run(check())
    wrong = {user: got for user, got in outcomes.items() if got != (True, False)}
    assert not wrong, f"(exact accepted, changed refused) expected for every user; got {wrong}"


def test_named_hostile_passwords_round_trip() -> None:
    assert_round_trip(NAMED_PASSWORDS)


def test_user_names_round_trip() -> None:
    names = ["a", "A.b-c_d", "-", "_", "x" * 200, "1234", "true", ".hidden", "a..b"]
    assert_round_trip({name: f"pw-{index}" for index, name in enumerate(names)})


@settings(max_examples=40)
@given(
    st.dictionaries(
        SECRET_KEY,
        # No final newline: the spec refuses one in any string (SPEC section 2); inside, anything goes.
        st.text(PASSWORD_ALPHABET, min_size=1, max_size=256).filter(lambda p: not p.endswith("\n")),
        min_size=1,
        max_size=12,
    )
)
def test_generated_credentials_round_trip(users: dict[str, str]) -> None:
    assert_round_trip(users)


@pytest.mark.parametrize(
    "password, code",
    [("x" * 257, Code.OUT_OF_RANGE), ("\ud800", Code.NOT_ENCODABLE), ("$2a$10$short", Code.INVALID_BCRYPT)],
    ids=["too-long", "lone-surrogate", "broken-bcrypt"],
)
def test_unrepresentable_passwords_are_refused(password: str, code: Code) -> None:
    document = {
        "apiVersion": "apps.cozystack.io/v1alpha1",
        "kind": "NATS",
        "metadata": {"name": "live"},
        "spec": {"users": {"alice": {"password": password}}},
    }
    result = render([Document(document, Location("<live>"))], RenderOptions())
    assert not result.ok and result.documents == []
    assert [(p.code, p.field) for p in result.problems if p.is_error] == [(code, "spec.users.alice.password")]
    assert not any(password in str(p) for p in result.problems)
