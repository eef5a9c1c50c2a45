"""`nats-render`: the command line, a thin layer over `pipeline.render`. Nothing imports this module.

Exit codes (also in the README):
  0  rendered; warnings, if any, on stderr
  1  the input has errors: all of them on stderr, nothing on stdout
  2  usage error (unknown option, unreadable key file)
  70 internal error: a bug in nats-render; nothing on stdout
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .documents import Document, parse_stream, read_sources
from .manifests import NATS_IMAGE, RELOADER_IMAGE, Images
from .output import dump_documents
from .pipeline import RenderOptions, render
from .problems import Problem, sort_key

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
KEY_ENV = "NATS_RENDER_KEY"
KEY_FILE_ENV = "NATS_RENDER_KEY_FILE"


def load_render_key(key_file: str | None) -> bytes | None:
    """The render key: the key file's bytes (trailing newline dropped), else NATS_RENDER_KEY, else None."""
    if key_file:
        try:
            key = Path(key_file).read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise click.UsageError(f"cannot read the render key file {key_file}: {exc.strerror}") from None
        if not key:
            raise click.UsageError(f"the render key file {key_file} is empty")
        return key
    value = os.environ.get(KEY_ENV)
    return value.encode() if value else None


def report(problems: list[Problem]) -> None:
    for problem in sorted(problems, key=sort_key):
        click.echo(f"nats-render: {problem}", err=True)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=True, allow_dash=True))
@click.option(
    "--key-file",
    envvar=KEY_FILE_ENV,
    type=click.Path(dir_okay=False),
    help=f"File holding the render key for derived passwords (env {KEY_FILE_ENV}); "
    f"otherwise the key is read from {KEY_ENV}.",
)
@click.option(
    "-n",
    "--namespace",
    "default_namespace",
    metavar="NAMESPACE",
    help="Namespace for NATS objects that name none.",
)
@click.option("--nats-image", default=NATS_IMAGE, show_default=True, help="Image of nats-server.")
@click.option(
    "--reloader-image",
    default=RELOADER_IMAGE,
    show_default=True,
    help="Image of the config reloader sidecar.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--print-schema", is_flag=True, help="Print the JSON Schema of the NATS object and exit.")
@click.version_option(__version__, prog_name="nats-render")
def command(
    paths: tuple[str, ...],
    key_file: str | None,
    default_namespace: str | None,
    nats_image: str,
    reloader_image: str,
    strict: bool,
    print_schema: bool,
) -> None:
    """Render NATS objects (apps.cozystack.io/v1alpha1) in PATHS (files or folders; stdin when none)
    into Kubernetes manifests on stdout. Every other document passes through unchanged."""
    if print_schema:
        from .spec import schema_text

        click.echo(schema_text(), nl=False)
        return
    options = RenderOptions(
        load_render_key(key_file), default_namespace, Images(nats_image, reloader_image), strict
    )
    documents, read_problems = _read(paths)
    result = render(documents, options)  # even after a read error, so one run reports every problem
    problems = read_problems + result.problems
    report(problems)
    if any(p.is_error for p in problems):
        sys.exit(EXIT_INVALID)
    sys.stdout.write(dump_documents(result.documents))


def _read(paths: tuple[str, ...]) -> tuple[list[Document], list[Problem]]:
    if not paths or paths == ("-",):
        return parse_stream(sys.stdin.buffer.read())
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in paths:
        found = parse_stream(sys.stdin.buffer.read()) if path == "-" else read_sources([path])
        documents.extend(found[0])
        problems.extend(found[1])
    return documents, problems


def main() -> None:
    try:
        command.main(prog_name="nats-render")
    except SystemExit:
        raise
    except Exception as exc:  # a bug: say so without a traceback, and leave stdout empty
        if os.environ.get("NATS_RENDER_DEBUG"):
            raise
        click.echo(
            f"nats-render: internal error: {type(exc).__name__} "
            "(set NATS_RENDER_DEBUG=1 for a traceback, and please report it)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
