"""`nats-render`: the command line, a thin layer over `pipeline.render`. Nothing imports this module.

A well-formed command line is read by `arguments.quick_parse` and rendered without importing click; anything
else (help, version, usage errors) goes to click (click_command.py), which owns the interface and its words.

Exit codes (also in the README):
  0  rendered; warnings, if any, on stderr
  1  the input has errors: all of them on stderr, nothing on stdout
  2  usage error (unknown option, unreadable key file)
  70 internal error: a bug in nats-render; nothing on stdout
"""

from __future__ import annotations

import os
import sys

from ..documents import Document, parse_stream, read_limited, read_sources
from ..manifests import Images
from ..pipeline import RenderOptions
from ..problems import Problem
from .arguments import Arguments, quick_parse
from .invocation import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, UsageError, render_stream, utf8_stdout
from .invocation import render_key as invocation_render_key


def run(arguments: Arguments, render_key: bytes | None) -> int:
    """Render what the arguments name to stdout, problems to stderr; the exit code."""
    if arguments.print_schema:
        from ..spec import schema_text

        sys.stdout.write(schema_text())
        return EXIT_OK
    images = Images(arguments.nats_image, arguments.reloader_image)
    options = RenderOptions(render_key, arguments.default_namespace, images, arguments.strict)
    documents, read_problems = _read(arguments.paths)
    return render_stream(documents, read_problems, options, sys.stdout, sys.stderr)


def _read(paths: tuple[str, ...]) -> tuple[list[Document], list[Problem]]:
    if not paths or paths == ("-",):
        return parse_stream(read_limited(sys.stdin.buffer))
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in paths:
        found = parse_stream(read_limited(sys.stdin.buffer)) if path == "-" else read_sources([path])
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
    except Exception as exc:  # a bug: say so without a traceback, and leave stdout empty
        if os.environ.get("NATS_RENDER_DEBUG"):
            raise
        sys.stderr.write(
            f"nats-render: internal error: {type(exc).__name__} "
            "(set NATS_RENDER_DEBUG=1 for a traceback, and please report it)\n"
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
