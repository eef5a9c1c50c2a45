"""`nats-render`: the command line, a thin layer over `pipeline.render`. Nothing imports this module.

A well-formed command line is read by `arguments.quick_parse` and rendered without importing click; anything
else (help, version, usage errors) goes to click (click_command.py), which owns the interface and its words.

Exit codes (also in the README):
  0  rendered; warnings, if any, on stderr
  1  the input has errors: all of them on stderr, nothing on stdout
  2  usage error (unknown option, unreadable key file)
  70 internal error: a bug in nats-render; nothing on stdout
  74 the output cannot be written: stdout closed or on a full disk
"""

from __future__ import annotations

import os
import sys

from ..certificates import check_cluster_domain, parse_issuer
from ..documents import Budget, Document, parse_stream, read_sources
from ..pipeline import RenderOptions
from ..problems import Problem
from .arguments import Arguments, quick_parse
from .invocation import (
    EXIT_INTERNAL,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_USAGE,
    OutputError,
    UsageError,
    render_stream,
    say,
    stdin_bytes,
    text_setting,
    utf8_stdout,
    write_output,
)
from .invocation import images as invocation_images
from .invocation import render_key as invocation_render_key


def run(arguments: Arguments, render_key: bytes | None) -> int:
    """Render what the arguments name to stdout, problems to stderr; the exit code."""
    if arguments.print_schema:
        from ..spec import schema_text

        write_output(schema_text(), sys.stdout)
        return EXIT_OK
    images = invocation_images(arguments.nats_image, arguments.reloader_image, arguments.exporter_image)
    options = RenderOptions(
        render_key,
        text_setting(arguments.default_namespace, "the namespace"),
        images,
        arguments.strict,
        cluster_domain=check_cluster_domain(arguments.cluster_domain),
        tls_issuer=parse_issuer(arguments.tls_issuer) if arguments.tls_issuer else None,
        pod_monitor=arguments.pod_monitor,
        managed_service_names=arguments.managed_service_names,  # takeover; for the option table
    )
    documents, read_problems = _read(arguments.paths)
    return render_stream(documents, read_problems, options, sys.stdout, sys.stderr)


def _read(paths: tuple[str, ...]) -> tuple[list[Document], list[Problem]]:
    """Every path in order, `-` for stdin, with the input limits held across all of them."""
    budget = Budget()
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in paths or ("-",):
        if path == "-":
            found = parse_stream(stdin_bytes(), "<stdin>", budget=budget)
        else:
            found = read_sources([path], budget)
        documents.extend(found[0])
        problems.extend(found[1])
    return documents, problems


def main() -> None:
    utf8_stdout()
    try:
        code = _quick_main()
        sys.exit(_click_main() if code is None else code)
    except SystemExit:
        raise
    except OutputError as exc:
        say(f"nats-render: {exc}")
        sys.exit(EXIT_OUTPUT)
    except UsageError as exc:  # what click cannot know beforehand (a setting that is not UTF-8)
        say(f"nats-render: {exc}")
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # a bug: say so without a traceback, and leave stdout empty
        if os.environ.get("NATS_RENDER_DEBUG"):
            raise
        say(
            f"nats-render: internal error: {type(exc).__name__} "
            "(set NATS_RENDER_DEBUG=1 for a traceback, and please report it)"
        )
        sys.exit(EXIT_INTERNAL)


def _quick_main() -> int | None:
    """The exit code of a render from a well-formed command line; None hands the command line to click."""
    arguments = quick_parse(sys.argv[1:], os.environ)
    if arguments is None:
        return None
    try:
        render_key = None if arguments.print_schema else invocation_render_key(os.environ, arguments.key_file)
    except UsageError:
        return None  # a usage error: click reports it in its own words
    try:
        return run(arguments, render_key)
    except KeyboardInterrupt:  # as click answers an interrupt
        sys.stderr.write("\nAborted!\n")
        return EXIT_INVALID
    except BrokenPipeError:  # the reader went away (`| head`): as click, exit 1 without a word
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INVALID


def _click_main() -> int:
    from .click_command import command

    command.main(prog_name="nats-render")  # exits by itself
    return EXIT_INTERNAL
