"""The command line's arguments as one value, read without click when they are well-formed.

click (click_command.py) answers help, version and every usage error in its own words, and importing it
costs about 20 ms, more than half of what a whole render may take. So this module reads exactly the options
of the table (options.py), in the forms click accepts, and gives up (None) on anything else: help, version,
an unknown option, a missing value, a value the option's check refuses, a path that does not exist. The CLI
then hands the whole command line to click, which answers as it always did.
tests/plugins/test_arguments.py holds the two readings equal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from .options import OPTIONS, Arguments, Option

# click's shell completion answers when this is set; only click can.
COMPLETION_ENV = "_NATS_RENDER_COMPLETE"
BY_FLAG: dict[str, Option] = {flag: option for option in OPTIONS for flag in option.flags}


def quick_parse(argv: Sequence[str], environ: Mapping[str, str]) -> Arguments | None:
    """The arguments of a well-formed command line, as click would read them; None for anything else."""
    if COMPLETION_ENV in environ:
        return None
    given: dict[str, str | bool] = {}
    paths: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            paths.extend(tokens)
        elif token == "-" or not token.startswith("-"):
            paths.append(token)
        elif token in BY_FLAG and BY_FLAG[token].is_flag:
            given[BY_FLAG[token].field] = True
        else:
            flag, value = _split_option(token)
            value = next(tokens, None) if value is None else value
            option = BY_FLAG.get(flag)
            if option is None or option.is_flag or value is None:
                return None
            given[option.field] = value
    values: dict[str, str | bool | None] = {}
    for option in OPTIONS:
        chosen: str | bool | None = given.get(option.field, False if option.is_flag else option.default)
        # An option given wins, even empty; an empty variable counts as unset (click reads both so).
        if option.cli_env is not None and option.field not in given:
            chosen = environ.get(option.cli_env) or None
        if isinstance(chosen, str) and not _acceptable(option, chosen, option.field in given):
            return None
        values[option.field] = chosen
    if not all(path == "-" or _readable(path) for path in paths):
        return None
    return Arguments(tuple(paths), values)


def _acceptable(option: Option, value: str, given: bool) -> bool:
    """What click accepts: a file it may read (when named at all), a value the option's check passes."""
    if option.is_file:
        return not value or not _unusable_file(value)
    if option.check is not None and given:  # a value the renderer refuses: click says so in its words
        try:
            option.check(value)
        except ValueError:
            return False
    return True


def _split_option(token: str) -> tuple[str, str | None]:
    """`--name=value`, `--name`, `-nvalue`, `-n` into the option and its attached value, if any."""
    if token.startswith("--"):
        option, equals, value = token.partition("=")
        return option, value if equals else None
    return token[:2], token[2:] or None


def _readable(path: str) -> bool:
    return os.path.exists(path) and os.access(path, os.R_OK)


def _unusable_file(path: str) -> bool:
    """What click's check of a file option refuses: a folder, or a file that exists but cannot be read."""
    return os.path.isdir(path) or (os.path.exists(path) and not os.access(path, os.R_OK))
