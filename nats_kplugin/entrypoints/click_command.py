"""The command line as click reads it: help, version, and every usage error in click's words.

A well-formed command line never gets here (arguments.quick_parse reads it without importing click). The
options are those of the table in options.py, made into click options here; the command builds one
`Arguments` value and calls `execute` on it, as the fast path does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from .. import __version__
from .execute import execute
from .options import OPTIONS, Arguments, Option
from .process import UsageError, render_key


def _render(paths: tuple[str, ...], **values: Any) -> None:
    """Render NATS objects (apps.cozystack.io/v1alpha1) in PATHS (files or folders; stdin when none)
    into Kubernetes manifests on stdout. Every other document passes through unchanged.

    `nats-render plan OLD NEW` says what a change does to the running clusters (plan --help);
    `nats-render members PATH...` checks a supercluster's members against each other (members --help).
    A file named plan or members is ./plan, ./members."""
    arguments = Arguments(paths, values)
    try:
        key = None if values["print_schema"] else render_key(os.environ, values["key_file"])
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    sys.exit(execute(arguments, key))


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def click_option(option: Option) -> Decorator:
    settings: dict[str, Any] = {"help": option.help}
    if option.is_flag:
        settings["is_flag"] = True
    elif option.default is not None:
        settings.update(default=option.default, show_default=True)
    if option.metavar is not None:
        settings["metavar"] = option.metavar
    if option.is_file:
        settings["type"] = click.Path(dir_okay=False)
    if option.cli_env is not None:
        settings["envvar"] = option.cli_env
    check = option.check
    if check is not None:
        settings["callback"] = lambda _ctx, _param, value: None if value is None else _checked(check, value)
    return click.option(*option.flags, option.field, **settings)


def verb(name: str, function: Callable[..., Any], *own: Decorator) -> click.Command:
    """`nats-render NAME`, a verb cli.py hands the command line to (`plan`, `members`): the render's options
    but --print-schema, then the verb's own options and arguments (`own`, applied in order)."""
    for option in reversed([o for o in OPTIONS if o.field != "print_schema"]):
        function = click_option(option)(function)
    for decorate in own:
        function = decorate(function)
    return click.command(name, context_settings={"help_option_names": ["-h", "--help"]})(function)


def _checked(check: Callable[[str], object], value: str) -> str:
    """An option value the renderer accepts, or click's usage error with the renderer's reason."""
    try:
        check(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _command() -> click.Command:
    function: Callable[..., Any] = click.version_option(__version__, prog_name="nats-render")(_render)
    for option in reversed(OPTIONS):
        function = click_option(option)(function)
    function = click.argument(
        "paths", nargs=-1, type=click.Path(exists=True, dir_okay=True, allow_dash=True)
    )(function)
    return click.command("nats-render", context_settings={"help_option_names": ["-h", "--help"]})(function)


command = _command()
