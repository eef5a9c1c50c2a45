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
import re
import sys

from .arguments import KEY_ENV, Arguments, quick_parse
from .documents import Document, parse_stream, read_limited, read_sources
from .manifests import Images
from .output import dump_documents
from .pipeline import RenderOptions, render
from .problems import Problem, sort_key

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
MAX_KEY_BYTES = 65536  # a key, not a file someone pointed at /dev/zero
# ECMA-48 control sequences (ESC [ parameters intermediates final). click.echo, which wrote problems before,
# drops them when stderr is no terminal; so does report(), so a key with escape codes cannot colour a log.
_CONTROL_SEQUENCE = re.compile(r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]")


class KeyFileError(Exception):
    """The render key file cannot be used: a usage error, in click's words when click reports it."""


def load_render_key(key_file: str | None) -> bytes | None:
    """The render key: the key file's bytes (trailing newline dropped), else NATS_RENDER_KEY, else None."""
    if key_file:
        try:
            with open(key_file, "rb") as stream:
                key = stream.read(MAX_KEY_BYTES + 1).rstrip(b"\r\n")
        except OSError as exc:
            raise KeyFileError(f"cannot read the render key file {key_file}: {exc.strerror}") from None
        if len(key) > MAX_KEY_BYTES:
            raise KeyFileError(f"the render key file {key_file} is larger than {MAX_KEY_BYTES} bytes")
        if not key:
            raise KeyFileError(f"the render key file {key_file} is empty")
        return key
    value = os.environ.get(KEY_ENV)
    return value.encode() if value else None


def run(arguments: Arguments, render_key: bytes | None) -> int:
    """Render what the arguments name to stdout, problems to stderr; the exit code."""
    if arguments.print_schema:
        from .spec import schema_text

        sys.stdout.write(schema_text())
        return EXIT_OK
    images = Images(arguments.nats_image, arguments.reloader_image)
    options = RenderOptions(render_key, arguments.default_namespace, images, arguments.strict)
    documents, read_problems = _read(arguments.paths)
    result = render(documents, options)  # even after a read error, so one run reports every problem
    problems = read_problems + result.problems
    report(problems)
    if any(p.is_error for p in problems):
        return EXIT_INVALID
    sys.stdout.write(dump_documents(result.documents))
    return EXIT_OK


def report(problems: list[Problem]) -> None:
    """Every problem on stderr, one line each, in source order."""
    text = "".join(f"nats-render: {problem}\n" for problem in sorted(problems, key=sort_key))
    sys.stderr.write(text if sys.stderr.isatty() else _CONTROL_SEQUENCE.sub("", text))


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
        render_key = None if arguments.print_schema else load_render_key(arguments.key_file)
    except KeyFileError:
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
