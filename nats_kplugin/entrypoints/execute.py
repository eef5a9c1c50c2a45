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
    documents = read_lazily_paths(arguments.paths, read_problems)
    return render_and_write(documents, read_problems, options, sys.stdout, sys.stderr)


def read_paths(paths: tuple[str, ...]) -> tuple[list[Document], list[Problem]]:
    """Every path in order, `-` for stdin, with the input limits held across all of them (a render's
    reading; `nats-render plan` reads each of its sides so)."""
    problems: list[Problem] = []
    documents = list(read_lazily_paths(paths, problems))
    return documents, problems


def read_lazily_paths(paths: tuple[str, ...], problems: list[Problem]) -> Iterator[Document]:
    """read_paths as the documents are rendered, one source at a time (sources.read_lazily), each document
    let go once taken and the problems added to `problems`: a large render holds one stream at most."""
    budget = Budget()
    for path in paths or ("-",):
        if path == "-":
            documents, found = parse_stream(stdin_bytes(), NATS_OBJECTS, "<stdin>", budget=budget)
            problems.extend(found)
            yield from given_away(documents)
        else:
            yield from read_lazily([path], NATS_OBJECTS, problems, budget)
