"""What `nats-render` does with its arguments, however they were read: the fast reading (arguments.py) and
click's (click_command.py) each build one `Arguments` value and call `execute` on it."""

from __future__ import annotations

import sys

from ..documents.reader import Budget, Document, parse_stream
from ..documents.sources import read_sources
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
    documents, read_problems = read_paths(arguments.paths)
    return render_and_write(documents, read_problems, options, sys.stdout, sys.stderr)


def read_paths(paths: tuple[str, ...]) -> tuple[list[Document], list[Problem]]:
    """Every path in order, `-` for stdin, with the input limits held across all of them (a render's
    reading; `nats-render plan` reads each of its sides so)."""
    budget = Budget()
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in paths or ("-",):
        if path == "-":
            found = parse_stream(stdin_bytes(), NATS_OBJECTS, "<stdin>", budget=budget)
        else:
            found = read_sources([path], NATS_OBJECTS, budget)
        documents.extend(found[0])
        problems.extend(found[1])
    return documents, problems
