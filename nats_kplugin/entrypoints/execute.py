"""What `nats-render` does with its arguments, however they were read: the fast reading (arguments.py) and
click's (click_command.py) each build one `Arguments` value and call `execute` on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from ..documents.reader import Budget, Document, parse_stream
from ..documents.sources import given_away, read_lazily
from ..problems import Problem
from ..spec.reading import NATS_OBJECTS
from .options import Arguments, command_line_options
from .process import EXIT_OK, render_and_write, stdin_bytes, write_output


def execute(arguments: Arguments, render_key: bytes | None) -> int:
    """Render what the arguments name to stdout, problems to stderr; the exit code."""
    if arguments.values["print_schema"]:
        from ..spec.model import schema_text

        write_output(schema_text(), sys.stdout)
        return EXIT_OK
    options = command_line_options(arguments, render_key)
    read_problems: list[Problem] = []
    documents = _read(arguments.paths, read_problems)
    return render_and_write(documents, read_problems, options, sys.stdout, sys.stderr)


def _read(paths: tuple[str, ...], problems: list[Problem]) -> Iterator[Document]:
    """Every path in order, `-` for stdin, with the input limits held across all of them: read as the
    documents are rendered, one source at a time (sources.read_lazily), the problems added to `problems`."""
    budget = Budget()
    for path in paths or ("-",):
        if path == "-":
            documents, found = parse_stream(stdin_bytes(), NATS_OBJECTS, "<stdin>", budget=budget)
            problems.extend(found)
            yield from given_away(documents)
        else:
            yield from read_lazily([path], NATS_OBJECTS, problems, budget)
