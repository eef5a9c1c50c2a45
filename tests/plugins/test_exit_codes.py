"""Every way out of the real commands is a clean line on stderr with its own exit code (README, "Exit
codes"): 74 when the output cannot be written, 2 for what the caller must fix, never 70 for either."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.launcher import BIN, RENDER_KEY, environment, launch

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "fixtures" / "minimal" / "input.yaml"


def shell(command: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[bytes]:
    """Through sh, for the redirections a test of stdout needs (`>&-`, `>/dev/full`)."""
    return launch(["sh", "-c", command], environment(**env), cwd=cwd, timeout=60)


@pytest.mark.parametrize("program", ["nats-render MINIMAL", "cd SOURCE && nats-render-argocd generate"])
@pytest.mark.parametrize(
    ("redirect", "reason"), [(">/dev/full", "No space left on device"), (">&-", "stdout is closed")]
)
def test_output_that_cannot_be_written_is_exit_74(
    tmp_path: Path, program: str, redirect: str, reason: str
) -> None:
    (tmp_path / "nats.yaml").write_bytes(MINIMAL.read_bytes())
    command = program.replace("MINIMAL", str(MINIMAL)).replace("SOURCE", str(tmp_path))
    done = shell(f"{command} {redirect}", NATS_RENDER_KEY=RENDER_KEY)
    assert done.returncode == 74, done.stderr
    assert f"cannot write the output: {reason}".encode() in done.stderr
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr


def test_a_closed_stderr_keeps_the_exit_code() -> None:
    assert shell(f"nats-render {MINIMAL} 2>&- >/dev/null", NATS_RENDER_KEY=RENDER_KEY).returncode == 0
    assert shell("echo 'a: [' | nats-render 2>&-").returncode == 1
    assert shell(f"nats-render {MINIMAL} 2>&- >&-", NATS_RENDER_KEY=RENDER_KEY).returncode == 74


def test_print_schema_on_a_full_disk_is_exit_74() -> None:
    done = shell("nats-render --print-schema >/dev/full")
    assert done.returncode == 74 and b"No space left on device" in done.stderr


def test_deeply_nested_plugin_parameters_are_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "nats.yaml").write_bytes(MINIMAL.read_bytes())
    nested = "[" * 20_000 + "]" * 20_000
    done = launch(
        [str(BIN / "nats-render-argocd"), "generate"],
        environment(NATS_RENDER_KEY=RENDER_KEY, ARGOCD_APP_PARAMETERS=nested),
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert b"ARGOCD_APP_PARAMETERS nests too deep" in done.stderr and done.stdout == b""


def test_a_key_that_is_not_utf8_works_as_its_bytes_from_a_file(tmp_path: Path) -> None:
    key = b"\xff\xfe-not-utf8"
    (tmp_path / "key").write_bytes(key)
    users = MINIMAL.read_bytes() + b"spec:\n  users:\n    alice: {}\n"
    from_env = launch(
        [str(BIN / "nats-render")],
        {**environment(), "NATS_RENDER_KEY": os.fsdecode(key)},
        stdin=users,
    )
    from_file = launch(
        [str(BIN / "nats-render"), "--key-file", str(tmp_path / "key")],
        environment(),
        stdin=users,
    )
    assert from_env.returncode == 0, from_env.stderr
    assert from_env.stdout == from_file.stdout and b"alice" in from_env.stdout


def test_install_over_a_folder_or_where_it_cannot_write_is_a_clean_error(tmp_path: Path) -> None:
    home = tmp_path / "plugins"
    (home / "apps.cozystack.io" / "v1alpha1" / "nats" / "NATS").mkdir(parents=True)
    over_folder = launch(
        [str(BIN / "nats-render-kustomize"), "--install"],
        environment(KUSTOMIZE_PLUGIN_HOME=str(home)),
    )
    assert over_folder.returncode == 2 and b"it is a folder; remove it first" in over_folder.stderr
    (tmp_path / "file").write_text("")
    unwritable = launch(
        [str(BIN / "nats-render-kustomize"), "--install"],
        environment(KUSTOMIZE_PLUGIN_HOME=str(tmp_path / "file" / "home")),
    )
    assert unwritable.returncode == 74 and b"cannot install" in unwritable.stderr, unwritable.stderr


def test_settings_that_are_not_utf8_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "nats.yaml").write_bytes(MINIMAL.read_bytes())
    image = os.fsdecode(b"nats:\xff")
    cases = [
        ([str(BIN / "nats-render"), "--nats-image", image, str(MINIMAL)], {}),
        ([str(BIN / "nats-render-argocd"), "generate"], {"ARGOCD_ENV_NATS_IMAGE": image}),
        ([str(BIN / "nats-render-kustomize"), str(MINIMAL)], {"NATS_RENDER_NATS_IMAGE": image}),
    ]
    for command, env in cases:
        done = launch(
            command,
            {**environment(NATS_RENDER_KEY=RENDER_KEY), **env},
            cwd=tmp_path,
        )
        assert done.returncode == 2 and b"image is not UTF-8 text" in done.stderr, (command, done.stderr)
    config = launch(
        [str(BIN / "nats-render-kustomize")],
        {
            **environment(NATS_RENDER_KEY=RENDER_KEY),
            "KUSTOMIZE_PLUGIN_CONFIG_STRING": os.fsdecode(b"a: \xff"),
        },
    )
    assert config.returncode == 1 and b"input is not UTF-8" in config.stderr, config.stderr


def test_a_closed_stdin_is_a_usage_error() -> None:
    for program in ("nats-render", "nats-render-krm"):
        done = shell(f"{program} <&-", NATS_RENDER_KEY=RENDER_KEY)
        assert done.returncode == 2 and b"stdin is closed" in done.stderr, (program, done.stderr)
        assert done.stdout == b""
