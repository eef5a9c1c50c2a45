"""`nats-render`: the command line, a thin layer over `pipeline.render` (the console script's entry).
`nats-render plan ...` goes to plan_command.py, `nats-render members ...` to members_command.py.

A well-formed command line is read by `arguments.quick_parse` and rendered without importing click; anything
else (help, version, usage errors) goes to click (click_command.py), which answers in its own words. Both
read the options of one table (options.py) and hand one `Arguments` value to `execute.execute`.

Exit codes (also in the README):
  0  rendered; warnings, if any, on stderr
  1  the input has errors: all of them on stderr, nothing on stdout
  2  usage error (unknown option, unreadable key file)
  1  also `nats-render members`: a member does not render, or the members disagree
  3  `nats-render plan` only: a change is blocked or a data risk, and no --allow accepts it
  70 internal error: a bug in nats-render; nothing on stdout
  74 the output cannot be written: stdout closed or on a full disk
"""

from __future__ import annotations

import os
import sys

from .arguments import quick_parse
from .execute import execute
from .process import EXIT_INTERNAL, EXIT_INVALID, UsageError, run
from .process import render_key as process_render_key


def main() -> None:
    run(_main, "nats-render")  # exits; a bug or a usage error click cannot see is one line, as everywhere


def _main(argv: list[str]) -> int:
    if argv[:1] == ["plan"]:  # the plan subcommand; a file named plan is `./plan` or follows `--`
        from .plan_command import main as plan_main

        return plan_main(argv[1:])
    if argv[:1] == ["members"]:  # the supercluster's member set; a file named members is `./members`
        from .members_command import main as members_main

        return members_main(argv[1:])
    code = _quick_main()
    return _click_main() if code is None else code


def _quick_main() -> int | None:
    """The exit code of a render from a well-formed command line; None hands the command line to click."""
    arguments = quick_parse(sys.argv[1:], os.environ)
    if arguments is None:
        return None
    try:
        key_file = arguments.values["key_file"]
        render_key = None if arguments.values["print_schema"] else process_render_key(os.environ, key_file)
    except UsageError:
        return None  # a usage error: click reports it in its own words
    try:
        return execute(arguments, render_key)
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
