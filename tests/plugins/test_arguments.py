"""The quick reading of the command line (no click) and click's reading agree: whatever the quick one reads,
click reads the same; whatever it gives up on goes to click. And the two paths answer with the same bytes."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nats_kplugin.codes import Code, Severity
from nats_kplugin.entrypoints.arguments import quick_parse
from nats_kplugin.entrypoints.click_command import command
from nats_kplugin.entrypoints.options import OPTIONS, Arguments
from nats_kplugin.entrypoints.process import KEY_FILE_ENV, report
from nats_kplugin.problems import Problem
from tests.support.launcher import launch

ROOT = Path(__file__).resolve().parents[2]
SEED = str(ROOT / "fixtures" / "seed" / "input.yaml")
FOLDER = str(ROOT / "fixtures" / "passthrough")
KEY_FILE = str(ROOT / "fixtures" / "seed" / "README.md")  # any readable file will do for reading arguments
MISSING = str(ROOT / "fixtures" / "no-such-file.yaml")
TOKENS = [
    *["--strict", "--print-schema", "--key-file", f"--key-file={KEY_FILE}", "-n", "-napps", "--namespace"],
    *[
        "--namespace=",
        "--namespace=apps",
        "--nats-image",
        "nats:2",
        "--reloader-image=r:1",
        "--reloader-image",
    ],
    *["--", "-", SEED, FOLDER, MISSING, KEY_FILE, "apps", "", "-h", "--help", "--version", "--bogus"],
    *["--strict=1", "-x", "-n=apps", "--key-fil", "--nats-image="],
    *[
        "--pod-monitor",
        "--exporter-image=e:1",
        "--cluster-domain",
        "cozy.local",
        "--cluster-domain=Bad_Domain",
    ],
    *[
        "--tls-issuer",
        "ClusterIssuer/corporate-ca",
        "--tls-issuer=Bogus/x",
        "--tls-issuer=ca",
        "--pod-monitor=1",
        "--managed-service-names",
    ],
]
# Every flag of the table, so that a new option is read both ways too.
TOKENS += sorted({flag for option in OPTIONS for flag in option.flags} - set(TOKENS))
ENVIRONMENTS = [
    {},
    {KEY_FILE_ENV: KEY_FILE},
    {KEY_FILE_ENV: ""},
    {KEY_FILE_ENV: FOLDER},
    {KEY_FILE_ENV: MISSING},
]


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    with mock.patch.dict(os.environ, values):
        for name in {KEY_FILE_ENV} - values.keys():
            os.environ.pop(name, None)
        yield


def click_reading(argv: list[str], env: dict[str, str]) -> Arguments | None:
    """What click makes of a command line: the same value, or None where it answers (help, an error)."""
    with (
        _environment(env),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        try:
            context = command.make_context("nats-render", list(argv))
        except (click.ClickException, click.exceptions.Exit):
            return None
    params = dict(context.params)
    return Arguments(params.pop("paths"), params)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=6), st.sampled_from(ENVIRONMENTS))
def test_what_the_quick_reading_reads_click_reads_the_same(argv: list[str], env: dict[str, str]) -> None:
    quick = quick_parse(argv, env)
    if quick is not None:
        assert quick == click_reading(argv, env)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["-"],
        [SEED],
        [FOLDER, SEED],
        ["--strict", SEED],
        ["-n", "apps", SEED],
        ["--namespace=apps"],
        ["--key-file", KEY_FILE, "--nats-image", "registry.local/nats:2.15.1", FOLDER],
        ["--print-schema"],
        ["--", SEED],
        ["--pod-monitor", "--cluster-domain", "cozy.local", "--tls-issuer=ClusterIssuer/corporate-ca", SEED],
        ["--managed-service-names", SEED],
    ],
)
def test_the_usual_command_lines_take_the_quick_path(argv: list[str]) -> None:
    quick = quick_parse(argv, {})
    assert quick is not None
    assert quick == click_reading(argv, {})


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["--bogus"],
        [MISSING],
        ["--key-file", FOLDER],
        ["-n"],
        ["--strict=yes"],
        ["--cluster-domain", "not a domain"],
        ["--tls-issuer", "Secret/x"],
    ],
)
def test_help_version_and_mistakes_go_to_click(argv: list[str]) -> None:
    assert quick_parse(argv, {}) is None


def _run(entry: str, argv: list[str], env: dict[str, str], stdin: bytes) -> tuple[int, str, str]:
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env}
    done = launch([sys.executable, "-c", entry, *argv], environment, cwd=ROOT, stdin=stdin)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


QUICK = "import sys; sys.argv[0] = 'nats-render'; from nats_kplugin.entrypoints.cli import main; main()"
CLICK = "from nats_kplugin.entrypoints.click_command import command; command.main(prog_name='nats-render')"


@pytest.mark.parametrize(
    ("argv", "env", "stdin"),
    [
        ([], {"NATS_RENDER_KEY": "k"}, Path(SEED).read_bytes()),
        ([SEED, FOLDER], {"NATS_RENDER_KEY": "k"}, b""),
        (["--strict", "-n", "apps"], {"NATS_RENDER_KEY": "k"}, Path(SEED).read_bytes()),
        ([SEED], {}, b""),
        (["--key-file", MISSING, SEED], {}, b""),
        (["--print-schema"], {}, b""),
        (["--tls-issuer", "Secret/x"], {"NATS_RENDER_KEY": "k"}, Path(SEED).read_bytes()),
    ],
)
def test_the_quick_path_answers_as_click_does(argv: list[str], env: dict[str, str], stdin: bytes) -> None:
    quick = _run(QUICK, argv, env, stdin)
    assert quick == _run(CLICK, argv, env, stdin)
    assert quick[0] in (0, 1, 2)


def test_problems_are_written_as_click_echo_wrote_them(capsys: pytest.CaptureFixture[str]) -> None:
    # click.echo, which wrote problems before the quick path, drops terminal control sequences from a
    # stderr that is no terminal; a key can carry them into a field path.
    problems = [
        Problem(
            Severity.ERROR,
            Code.UNKNOWN_FIELD,
            "unknown field",
            object_ref="NATS/x",
            path=("spec", "\x1b[31mred\x1b[0m"),
        )
    ]
    for problem in problems:
        click.echo(f"nats-render: {problem}", err=True)
    by_click = capsys.readouterr().err
    report(problems, sys.stderr)
    assert capsys.readouterr().err == by_click
    assert "\x1b" not in by_click and "spec.red" in by_click


def test_options_survive_the_trip_through_the_kustomize_plugins_environment() -> None:
    """Argo CD's kustomize path hands its options to the generator as NATS_RENDER_* variables."""
    from nats_kplugin.entrypoints.options import environment_of, from_environment
    from nats_kplugin.kubernetes.certificates import IssuerRef
    from nats_kplugin.kubernetes.objects import Images
    from nats_kplugin.pipeline import RenderOptions

    for options in (
        RenderOptions(),
        RenderOptions(
            default_namespace="messaging",
            images=Images("nats:x", "reloader:y", "exporter:z"),
            strict=True,
            cluster_domain="cozy.local",
            tls_issuer=IssuerRef("ClusterIssuer", "letsencrypt"),
            pod_monitor=True,
            managed_service_names=True,
        ),
    ):
        assert from_environment(environment_of(options)) == options
