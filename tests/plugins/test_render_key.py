"""One render key, however it is given: a key file (`--key-file`, NATS_RENDER_KEY_FILE) and the variable
NATS_RENDER_KEY drop the line breaks at the key's end alike, so `echo KEY > file`, a Secret made
`--from-file` of that file and read as the variable, and `--from-literal` all derive the same passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from nats_kplugin.entrypoints import process
from tests.support.launcher import BIN, environment, run

USERS = b"apiVersion: apps.cozystack.io/v1alpha1\nkind: NATS\nmetadata:\n  name: events\n"
USERS += b"  namespace: messaging\nspec:\n  replicas: 3\n  users:\n    app: {}\n    ops: {}\n"


@pytest.mark.parametrize("written", [b"k", b"k\n", b"k\r\n", b"k\n\n"])
def test_a_key_file_and_the_variable_give_the_same_key(written: bytes, tmp_path: Path) -> None:
    (tmp_path / "key").write_bytes(written)
    from_file = process.render_key({}, str(tmp_path / "key"))
    from_file_variable = process.render_key({process.KEY_FILE_ENV: str(tmp_path / "key")})
    from_variable = process.render_key({process.KEY_ENV: written.decode()})
    assert from_file == from_file_variable == from_variable == b"k"


def test_only_line_breaks_at_the_end_are_dropped() -> None:
    assert process.render_key({process.KEY_ENV: " k \n"}) == b" k "
    assert process.render_key({process.KEY_ENV: "\nk\r\nk\n"}) == b"\nk\r\nk"
    with pytest.raises(process.UsageError, match="only line breaks"):
        process.render_key({process.KEY_ENV: "\r\n"})


def test_the_same_passwords_from_a_file_and_from_the_variable(tmp_path: Path) -> None:
    """Through the real commands: the command line and the KRM function, each given the key both ways."""
    (tmp_path / "nats.yaml").write_bytes(USERS)
    (tmp_path / "key").write_bytes(b"render-key\n")
    cli = [str(BIN / "nats-render"), str(tmp_path / "nats.yaml")]
    outputs = [
        run([*cli, "--key-file", str(tmp_path / "key")], tmp_path, environment()),
        run(cli, tmp_path, environment(NATS_RENDER_KEY_FILE=str(tmp_path / "key"))),
        run(cli, tmp_path, environment(NATS_RENDER_KEY="render-key\n")),
        run(cli, tmp_path, environment(NATS_RENDER_KEY="render-key")),
    ]
    assert all(done.returncode == 0 for done in outputs), [done.stderr for done in outputs]
    assert len({done.stdout for done in outputs}) == 1 and "ops:" in outputs[0].stdout
    listed = b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n"
    listed += b"".join(b"  " + line + b"\n" for line in USERS.splitlines())
    krm = [str(BIN / "nats-render-krm")]
    from_file = run(krm, tmp_path, environment(NATS_RENDER_KEY_FILE=str(tmp_path / "key")), listed)
    from_variable = run(krm, tmp_path, environment(NATS_RENDER_KEY="render-key\r\n"), listed)
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout == from_variable.stdout
